"""run_export as a library: filtering precedence, all-or-nothing batches, item-report lookup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest

from batch_ship.errors import ConfigError
from batch_ship.export import ExportResult, run_export
from batch_ship.export import build as build_module
from batch_ship.export import prepare as prepare_module
from batch_ship.export.plan import OrderView, narrow, plan_orders
from batch_ship.ledger import Ledger
from batch_ship.ledger import status as status_of
from batch_ship.model import OrderState
from batch_ship.samples.orders import write_sample_export
from batch_ship.tuning import DEFAULT_TUNING, Tuning
from batch_ship.workspace import open_workspace
from tests.conftest import SENDER_TOML

IDS = [f"40125008682399279{n:02d}" for n in range(6)]


def ledger_status(home: Path) -> dict[str, Any]:
    """The ledger's status object ({} when there is no ledger yet)."""
    path = home / "ledger.sqlite3"
    if not path.exists():
        return {}
    with Ledger.open(path) as ledger:
        return status_of(ledger)


def nothing_recorded(home: Path) -> bool:
    status = ledger_status(home)
    if not status:
        return True
    orders: dict[str, int] = status["orders"]
    return status["batches"] == [] and not any(orders.values())


def folder_names(home: Path) -> list[str]:
    batches = home / "batches"
    return sorted(p.name for p in batches.iterdir()) if batches.exists() else []


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return write_sample_export(tmp_path_factory.mktemp("in"), orders=60, seed=21)


def test_plan_precedence_and_counts() -> None:
    frame = pd.DataFrame({"order_id": [IDS[0], IDS[0], IDS[1], IDS[2], IDS[3], IDS[4], IDS[5]]})
    order_ids = frame["order_id"]
    duplicate = np.array([False, True, False, False, False, False, False])
    awaiting = np.array([True, False, False, True, True, True, True])
    normalized = pd.DataFrame(
        {
            "recipient_name": ["甲", "丙", "丁", "戊"],
            "phone": ["13925130165"] * 4,
            "problems": [(), (), ("phone-masked", "address-missing"), ("phone-masked",)],
        },
        index=[0, 4, 5, 6],
    )
    states = {IDS[2]: OrderState.SUBMITTED, IDS[1]: OrderState.SHIPPED}
    view = OrderView(order_ids, duplicate, awaiting)
    plan = plan_orders(frame, view, normalized, states, {})
    # row 1 repeats IDS[0] and is not awaiting: duplicate-row wins; IDS[1] is shipped but
    # not awaiting shipment: status comes before the ledger
    assert plan.skipped == {
        "duplicate-row": 1,
        "not-awaiting-shipment": 1,
        "already-submitted": 1,
    }
    assert plan.submit["order_id"].tolist() == [IDS[0], IDS[3]]
    assert plan.submit["recipient_name"].tolist() == ["甲", "丙"]
    assert plan.exceptions["order_id"].tolist() == [IDS[4], IDS[5]]
    assert plan.exception_counts == {"phone-masked": 2, "address-missing": 1}
    assert plan.new_exceptions
    recorded = {IDS[4]: "phone-masked,address-missing", IDS[5]: "phone-masked"}
    again = plan_orders(frame, view, normalized, states, recorded)
    assert not again.new_exceptions
    # another run submitted IDS[3] and IDS[4] meanwhile: narrowing equals planning afresh
    later = {**states, IDS[3]: OrderState.SUBMITTED, IDS[4]: OrderState.SUBMITTED}
    narrowed = narrow(plan, view, later, {})
    fresh = plan_orders(frame, view, normalized, later, {})
    assert narrowed.submit["order_id"].tolist() == fresh.submit["order_id"].tolist() == [IDS[0]]
    assert narrowed.exceptions["order_id"].tolist() == [IDS[5]]
    assert narrowed.skipped == fresh.skipped
    assert narrowed.skipped["already-submitted"] == 3
    assert narrowed.exception_counts == fresh.exception_counts == {"phone-masked": 1}


def test_summary_is_the_contract_object() -> None:
    result = ExportResult(
        batch=None,
        courier="zto",
        orders_read=3,
        orders_submitted=0,
        parcels=0,
        skipped={"already-submitted": 3},
        exceptions={},
    )
    assert result.summary() == {
        "batch": None,
        "courier": "zto",
        "orders_read": 3,
        "orders_submitted": 0,
        "parcels": 0,
        "skipped": {"already-submitted": 3},
        "exceptions": {},
        "files": [],
        "batches": [],
        "couriers": {},
        "intercepts": [],
        "from_stock": False,
    }


def test_export_uses_the_item_report_beside_the_orders(
    home: Path, sample: tuple[Path, Path]
) -> None:
    result = run_export(open_workspace(home), [sample[0]], courier="generic")
    assert result.batch is not None
    sheet = openpyxl.load_workbook(result.files[0]).active
    assert sheet is not None
    goods = [row[8] for row in sheet.iter_rows(min_row=2, values_only=True)]
    # item lines carry the item report's properties in brackets and a quantity
    assert any("[" in str(text) and "×" in str(text) for text in goods)


def test_failed_record_leaves_no_folder_and_an_unchanged_ledger(
    home: Path, sample: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = open_workspace(home)

    def refuse(self: Ledger, batch: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(Ledger, "record_batch", refuse)
    with pytest.raises(RuntimeError, match="disk full"):
        run_export(workspace, [sample[0]], courier="zto")
    assert folder_names(home) == []
    assert nothing_recorded(home)
    monkeypatch.undo()
    result = run_export(workspace, [sample[0]], courier="zto")
    assert result.batch is not None
    assert result.batch.endswith("-01")
    assert folder_names(home) == [result.batch]


def block_workbook(monkeypatch: pytest.MonkeyPatch, factory: str, name: str) -> None:
    """Make writing workbook `name` fail for real, in whichever process writes it: a folder
    stands where the finished file must go."""
    make = getattr(build_module, factory)

    def blocked(*args: Any, **kwargs: Any) -> Any:
        made = make(*args, **kwargs)
        for job in made if isinstance(made, list) else [made]:
            if job.path.name == name:
                (job.path / "in-the-way").mkdir(parents=True)
        return made

    monkeypatch.setattr(build_module, factory, blocked)


def test_failed_write_leaves_nothing(
    home: Path, sample: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, writer_mode: Tuning
) -> None:
    block_workbook(monkeypatch, "submission_jobs", "submission-zto.xlsx")
    with pytest.raises(OSError, match="directory"):
        run_export(open_workspace(home), [sample[0]], courier="zto", tuning=writer_mode)
    assert folder_names(home) == []
    assert nothing_recorded(home)


def test_failed_exceptions_workbook_leaves_nothing(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, writer_mode: Tuning
) -> None:
    orders, _ = write_sample_export(tmp_path, orders=400, seed=5)
    block_workbook(monkeypatch, "exceptions_job", "exceptions.xlsx")
    with pytest.raises(OSError, match="directory"):
        run_export(open_workspace(home), [orders], courier="zto", tuning=writer_mode)
    assert folder_names(home) == []
    assert nothing_recorded(home)
    monkeypatch.undo()
    result = run_export(open_workspace(home), [orders], courier="zto")
    assert "exceptions.xlsx" in [path.name for path in result.files]


def test_leftover_folder_from_a_crash_is_moved_aside(home: Path, sample: tuple[Path, Path]) -> None:
    workspace = open_workspace(home)
    day = pd.Timestamp("2026-11-26 10:00").to_pydatetime()
    orphan = workspace.batch_dir("20261126-01")
    orphan.mkdir(parents=True)
    (orphan / "submission-zto.xlsx").write_bytes(b"half")
    result = run_export(workspace, [sample[0]], courier="zto", now=day)
    assert result.batch == "20261126-01"
    assert (orphan / "submission-zto.xlsx").read_bytes()[:2] == b"PK"
    aside = [name for name in folder_names(home) if name.startswith(".abandoned-20261126-01")]
    assert len(aside) == 1


def test_exceptions_alone_make_a_batch_once(home: Path, tmp_path: Path) -> None:
    orders, _ = write_sample_export(tmp_path, orders=60, seed=21)
    text = orders.read_bytes().decode("gbk").splitlines()
    header, rows = text[0], text[1:]
    columns = [name.strip() for name in header.split(",")]
    mobile, telephone = columns.index("联系手机"), columns.index("联系电话")
    broken = []
    for row in rows:
        cells = row.split(",")
        if len(cells) == len(columns):  # rows without quoted commas: every phone masked
            cells[mobile] = "'138****5678"
            cells[telephone] = ""
            broken.append(",".join(cells))
    orders.write_bytes("\r\n".join([header, *broken, ""]).encode("gbk"))
    workspace = open_workspace(home)
    first = run_export(workspace, [orders], courier="zto")
    assert first.batch is not None
    assert first.parcels == 0
    assert [path.name for path in first.files] == ["exceptions.xlsx"]
    assert first.exceptions["phone-masked"] >= 1
    second = run_export(workspace, [orders], courier="zto")
    assert second.batch is None
    assert second.exceptions == first.exceptions
    assert folder_names(home) == [first.batch]


def test_unknown_courier_before_reading(home: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown courier"):
        run_export(open_workspace(home), [tmp_path / "missing.csv"], courier="nope")


def test_normalizing_in_slices_gives_the_same_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    orders, _ = write_sample_export(tmp_path, orders=200, seed=5)

    def export(
        home: Path, tuning: Tuning = DEFAULT_TUNING
    ) -> tuple[dict[str, Any], list[list[Any]], list[list[Any]]]:
        (home / "batch_ship.toml").write_text(SENDER_TOML, encoding="utf-8")
        result = run_export(open_workspace(home), [orders], courier="zto", tuning=tuning)
        cells = []
        for path in result.files:
            book = openpyxl.load_workbook(path).active
            assert book is not None
            cells.append([list(row) for row in book.iter_rows(values_only=True)])
        summary = {k: v for k, v in result.summary().items() if k not in ("batch", "files")}
        return summary, cells[0], cells[-1]

    (tmp_path / "one").mkdir()
    (tmp_path / "sliced").mkdir()
    whole = export(tmp_path / "one")
    seen: list[int] = []
    normalize = prepare_module.normalize_rows

    def spy(frame: pd.DataFrame, rows: np.ndarray, n: int, *args: Any) -> pd.DataFrame:
        seen.append(len(rows))
        return normalize(frame, rows, n, *args)

    monkeypatch.setattr(prepare_module, "normalize_rows", spy)
    sliced = export(tmp_path / "sliced", Tuning(normalize_chunk=60))
    assert seen == [seen[0]]
    assert seen[0] > 60  # more than one slice
    assert sliced == whole
    assert whole[0]["exceptions"]  # the sample has exceptions: their rows are compared too


def test_ledger_counts_parcels_per_province_as_submitted(
    tmp_path: Path, sample: tuple[Path, Path]
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "batch_ship.toml").write_text(SENDER_TOML, encoding="utf-8")
    result = run_export(open_workspace(home), [sample[0]], courier="generic")
    assert result.batch is not None
    workbook = openpyxl.load_workbook(home / "batches" / result.batch / "submission-generic.xlsx")
    sheet = workbook.active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    column = header.index("收件人省")
    submitted: dict[str, int] = {}
    for row in sheet.iter_rows(min_row=2, values_only=True):
        submitted[str(row[column])] = submitted.get(str(row[column]), 0) + 1
    with Ledger.open(home / "ledger.sqlite3") as ledger:
        assert ledger.province_counts(result.batch) == submitted
    assert "" not in submitted
