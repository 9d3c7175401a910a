"""`batch-ship handover`: the 交接单 of labelled parcels, recorded in the ledger, shown by
status and the report; the void hook's handling of a stock number."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from batch_ship.cli import main
from batch_ship.couriers import builtin_dir
from batch_ship.ledger import Ledger
from batch_ship.samples.orders import write_sample_export
from batch_ship.stock import stock_release
from batch_ship.workspace import Workspace, open_workspace
from tests.pdf_read import decode_code128, embedded, fonts_of, page_text

START = 730000200000


def ok_json(runner: CliRunner, home: Path, *args: str) -> dict[str, Any]:
    result = runner.invoke(main, ["--home", str(home), *args, "--json"])
    assert result.exit_code == 0, result.output
    found: dict[str, Any] = json.loads(result.stdout)
    return found


@pytest.fixture
def labelled(home: Path, tmp_path: Path, runner: CliRunner) -> tuple[Path, str, list[str]]:
    """A workspace with one from-stock batch, labelled: its id and its numbers."""
    orders, _items = write_sample_export(tmp_path / "in", orders=40, seed=9)
    ok_json(runner, home, "numbers", "add", "--courier", "zto", "--range", str(START),
            "--count", "100")  # fmt: skip
    summary = ok_json(runner, home, "export", str(orders), "--courier", "zto", "--from-stock")
    with Ledger.open(home / "ledger.sqlite3") as ledger:
        numbers = ledger.parcels(summary["batch"])["tracking"].tolist()
    return home, summary["batch"], numbers


def test_handover_lists_every_labelled_parcel_once_and_the_ledger_remembers(
    labelled: tuple[Path, str, list[str]], runner: CliRunner
) -> None:
    home, _batch, numbers = labelled
    before = ok_json(runner, home, "status")
    assert before["awaiting_handover"] == {"zto": len(numbers)}
    human = runner.invoke(main, ["--home", str(home), "status"])
    assert f"Printed, not handed over: zto {len(numbers)}" in human.stdout
    result = runner.invoke(
        main,
        ["--home", str(home), "--today", "2026-11-30", "handover", "--courier", "zto", "--json"],
    )
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert found["parcels"] == len(numbers)
    assert found["handover"] == 1
    pdf = home / "handovers" / "2026-11-30" / "handover-zto-1.pdf"
    xlsx = pdf.with_suffix(".xlsx")
    assert [str(pdf), str(xlsx)] == found["files"]
    sheet = openpyxl.load_workbook(xlsx)["交接单"]
    listed = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert listed == numbers
    assert f"共 {len(numbers)} 件" in page_text(pdf, 0)
    assert all(embedded(font) for font in fonts_of(pdf).values())
    assert ok_json(runner, home, "status")["awaiting_handover"] == {}
    again = ok_json(runner, home, "handover", "--courier", "zto")
    assert again["parcels"] == 0
    assert again["files"] == []
    with sqlite3.connect(home / "ledger.sqlite3") as conn:
        rows = conn.execute("SELECT courier, day, n, parcels FROM handovers").fetchall()
        assert rows == [("zto", "2026-11-30", 1, len(numbers))]
        assert conn.execute(
            "SELECT count(*) FROM parcel_labels WHERE handover_id IS NULL"
        ).fetchone() == (0,)


def test_the_handover_pdf_barcodes_decode(
    labelled: tuple[Path, str, list[str]], runner: CliRunner
) -> None:
    import pypdfium2 as pdfium

    home, _batch, numbers = labelled
    found = ok_json(runner, home, "handover", "--courier", "zto")
    document = pdfium.PdfDocument(found["files"][0])
    try:
        image = document[0].render(scale=300 / 72).to_pil()
    finally:
        document.close()
    width, height = image.size
    decoded: list[str] = []
    for top in range(0, height, height // 12):  # strips: one barcode row at a time
        decoded += decode_code128(image.crop((0, top, width, min(height, top + height // 12))))
    assert set(numbers[:5]) <= set(decoded)


def test_the_report_shows_printed_not_handed_over(
    labelled: tuple[Path, str, list[str]], runner: CliRunner, tmp_path: Path
) -> None:
    home, _batch, numbers = labelled
    out = tmp_path / "report.html"
    result = runner.invoke(main, ["--home", str(home), "report", "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert f'id="handover-zto">{len(numbers)}<' in html


def _with_on_void(home: Path, rule: str) -> Workspace:
    """The workspace's own zto template, with [stock] on_void = rule."""
    folder = home / "tpl" / "couriers"
    folder.mkdir(parents=True)
    text = (builtin_dir() / "zto.toml").read_text(encoding="utf-8")
    (folder / "zto.toml").write_text(text + f'\n[stock]\non_void = "{rule}"\n', encoding="utf-8")
    config = home / "batch_ship.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + '\n[folders]\ntemplates = "tpl"\n', encoding="utf-8"
    )
    return open_workspace(home)


@pytest.mark.parametrize(("rule", "state"), [("return", "free"), ("retire", "retired")])
def test_the_void_hook_returns_or_retires_a_number_as_the_courier_says(
    labelled: tuple[Path, str, list[str]], rule: str, state: str, runner: CliRunner, tmp_path: Path
) -> None:
    home, _batch, numbers = labelled
    workspace = _with_on_void(home, rule)
    release = stock_release(workspace)
    with Ledger.open(home / "ledger.sqlite3") as ledger, ledger.write():
        # as `void --shipped` does: the parcel's tracking row goes, then its numbers are released
        ledger._conn.execute("DELETE FROM tracking WHERE number = ?", (numbers[0],))
        release(ledger, "zto", [numbers[0], "not-a-stock-number"])
    with Ledger.open(home / "ledger.sqlite3") as ledger:
        event = ledger.events(kind="number-void")[-1].detail
    assert event["numbers"] == [numbers[0]]
    assert event["outcome"] == ("returned" if rule == "return" else "retired")
    with sqlite3.connect(home / "ledger.sqlite3") as conn:
        assert conn.execute(
            "SELECT state FROM stock WHERE number = ?", (numbers[0],)
        ).fetchone() == (state,)
    # the voided parcel leaves the handover queue
    assert ok_json(runner, home, "status")["awaiting_handover"] == {"zto": len(numbers) - 1}
    # a returned number is handed out again (first: it was added first); a retired one never
    orders, _items = write_sample_export(tmp_path / "more", orders=5, seed=31, stamp="202611270900")
    again = ok_json(runner, home, "export", str(orders), "--courier", "zto", "--from-stock")
    with Ledger.open(home / "ledger.sqlite3") as ledger:
        first = ledger.parcels(again["batch"])["tracking"].iloc[0]
    assert (first == numbers[0]) == (rule == "return")


def test_shipping_a_stock_parcel_by_hand_releases_its_number_as_the_courier_says(
    labelled: tuple[Path, str, list[str]], runner: CliRunner
) -> None:
    home, batch, numbers = labelled
    _with_on_void(home, "retire")
    with Ledger.open(home / "ledger.sqlite3") as ledger:
        parcels = ledger.parcels(batch)
    order = str(parcels["order_ids"].iloc[0]).split(",")[0]
    found = ok_json(runner, home, "ship", order, "--courier", "zto", "--tracking",
                    "731234567890", "--replace")  # fmt: skip
    assert found["replaced"] == numbers[0]
    with sqlite3.connect(home / "ledger.sqlite3") as conn:
        assert conn.execute(
            "SELECT state FROM stock WHERE number = ?", (numbers[0],)
        ).fetchone() == ("retired",)
    assert ok_json(runner, home, "status")["awaiting_handover"] == {"zto": len(numbers) - 1}
