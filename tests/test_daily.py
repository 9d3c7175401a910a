"""The daily routine's own logic: init, pairing, settling, archiving, failures and the lock."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from batch_ship.daily import (
    CONFIG_TEMPLATE,
    DailyBusyError,
    DailyResult,
    archive_file,
    init_workspace,
    run_daily,
    summary_lines,
    workspace_lock,
)
from batch_ship.errors import BatchShipError, ConfigError, InputError, LedgerError
from batch_ship.workspace import CONFIG_NAME, load_config, open_workspace

TODAY = datetime(2026, 11, 26, 9, 30)
OLD = time.time() - 3600


@dataclass
class FakeResult:
    data: dict[str, Any]

    def summary(self) -> dict[str, Any]:
        return self.data


class Recorder:
    """Stands in for run_export / import_tracking: records calls, fails on files saying 'bad'."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[Path], list[Path] | None]] = []

    def export(self, workspace: Any, orders: list[Path], **kwargs: Any) -> FakeResult:
        self.calls.append((list(orders), kwargs.get("items")))
        if orders[0].read_text(encoding="utf-8") == "bad":
            raise InputError("not an order report", path=orders[0], hint="export it again")
        return FakeResult(
            {
                "batch": "20261126-01",
                "orders_read": 3,
                "orders_submitted": 2,
                "parcels": 2,
                "skipped": {},
                "exceptions": {"phone-masked": 1},
            }
        )

    def import_(self, workspace: Any, files: list[Path], **kwargs: Any) -> FakeResult:
        self.calls.append((list(files), None))
        if files[0].read_text(encoding="utf-8") == "bad":
            raise InputError("no tracking column", path=files[0])
        if files[0].read_text(encoding="utf-8") == "bug":
            raise KeyError("oops")
        return FakeResult({"batch": "20261126-01", "parcels_matched": 2, "orders_shipped": 2})


def drop(folder: Path, name: str, text: str = "ok", mtime: float | None = OLD) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def run(home: Path, recorder: Recorder, **kwargs: Any) -> DailyResult:
    return run_daily(
        open_workspace(home),
        today=TODAY,
        exporter=recorder.export,
        importer=recorder.import_,
        **kwargs,
    )


# --- init ------------------------------------------------------------------------------------


def test_init_writes_a_config_that_loads_and_the_folders(tmp_path: Path) -> None:
    home = tmp_path / "shop"
    result = init_workspace(home, courier="sf")
    assert result.config_written
    assert {path.name for path in result.created_folders} == {"inbox", "returns", "archive"}
    assert all((home / name).is_dir() for name in ("inbox", "returns", "archive"))
    config = load_config(home / CONFIG_NAME)
    assert config.courier == "sf"
    assert config.merge is True
    assert config.marketplace == "taobao"
    assert (config.inbox, config.returns, config.archive) == ("inbox", "returns", "archive")
    text = (home / CONFIG_NAME).read_text(encoding="utf-8")
    assert "[sender]" in text
    assert "# " in text  # commented for the person who edits it


def test_init_never_overwrites_an_existing_config(tmp_path: Path) -> None:
    home = tmp_path / "shop"
    home.mkdir()
    mine = '[defaults]\ncourier = "yto"\n'
    (home / CONFIG_NAME).write_text(mine, encoding="utf-8")
    result = init_workspace(home, courier="sf")
    assert not result.config_written
    assert (home / CONFIG_NAME).read_text(encoding="utf-8") == mine
    assert (home / "inbox").is_dir()
    again = init_workspace(home)
    assert again.created_folders == ()


def test_init_refuses_a_broken_existing_config(tmp_path: Path) -> None:
    (tmp_path / CONFIG_NAME).write_text("[defaults\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        init_workspace(tmp_path)


def test_init_uses_configured_folder_names(tmp_path: Path) -> None:
    (tmp_path / CONFIG_NAME).write_text('[folders]\ninbox = "in"\n', encoding="utf-8")
    result = init_workspace(tmp_path)
    assert (tmp_path / "in").is_dir()
    assert not (tmp_path / "inbox").exists()
    assert len(result.created_folders) == 3


def test_config_template_fills_only_known_placeholders() -> None:
    text = CONFIG_TEMPLATE.format(courier="zto", marketplace="taobao")
    assert 'courier = "zto"' in text
    assert "{" not in text


# --- daily -----------------------------------------------------------------------------------


def test_daily_pairs_order_and_item_reports_and_archives_them(home: Path) -> None:
    inbox = home / "inbox"
    orders = drop(inbox, "ExportOrderList202611260930.csv")
    items = drop(inbox, "ExportOrderDetailList202611260930.csv")
    fixed = drop(inbox, "exceptions.xlsx")
    recorder = Recorder()
    result = run(home, recorder)
    assert result.ok
    assert result.exported == 2
    assert (orders, [items]) in [(call[0][0], call[1]) for call in recorder.calls]
    assert ([fixed], None) in recorder.calls
    day = home / "archive" / "2026-11-26"
    assert sorted(path.name for path in day.iterdir()) == [
        "ExportOrderDetailList202611260930.csv",
        "ExportOrderList202611260930.csv",
        "exceptions.xlsx",
    ]
    assert list(inbox.iterdir()) == []
    summary = result.summary()
    entry = next(
        f for f in summary["files"] if f["file"] == "inbox/ExportOrderList202611260930.csv"
    )
    assert entry["items"] == "inbox/ExportOrderDetailList202611260930.csv"
    assert entry["archived"] == [
        "archive/2026-11-26/ExportOrderList202611260930.csv",
        "archive/2026-11-26/ExportOrderDetailList202611260930.csv",
    ]
    assert entry["summary"]["batch"] == "20261126-01"


def test_second_run_does_nothing_new(home: Path) -> None:
    drop(home / "inbox", "ExportOrderList1.csv")
    drop(home / "returns", "zto-return.xlsx")
    recorder = Recorder()
    first = run(home, recorder)
    assert (first.exported, first.imported) == (1, 1)
    second = run(home, recorder)
    assert second.files == ()
    assert len(recorder.calls) == 2
    assert summary_lines(second) == ["daily: nothing new"]  # both folders exist now


def test_a_bad_file_moves_to_failed_with_its_error_and_the_rest_go_on(home: Path) -> None:
    bad = drop(home / "inbox", "ExportOrderList1.csv", "bad", mtime=OLD - 10)
    bad_items = drop(home / "inbox", "ExportOrderDetailList1.csv", mtime=OLD - 10)
    good = drop(home / "inbox", "ExportOrderList2.csv")
    bad_return = drop(home / "returns", "r1.xlsx", "bad")
    buggy_return = drop(home / "returns", "r2.xlsx", "bug")
    recorder = Recorder()
    result = run(home, recorder)
    assert not result.ok
    assert result.failed == 3
    assert result.exported == 1
    failed = home / "failed" / "2026-11-26"
    for path in (bad, bad_items, bad_return, buggy_return, good):
        assert not path.exists()
    assert sorted(path.name for path in failed.iterdir()) == [
        "ExportOrderDetailList1.csv",  # the pair stays together
        "ExportOrderList1.csv",
        "ExportOrderList1.csv.error.txt",
        "r1.xlsx",
        "r1.xlsx.error.txt",
        "r2.xlsx",
        "r2.xlsx.error.txt",
    ]
    note = (failed / "ExportOrderList1.csv.error.txt").read_text(encoding="utf-8")
    assert "not an order report" in note
    assert "Fix: export it again" in note
    assert "move ExportOrderList1.csv to inbox/, ExportOrderDetailList1.csv to inbox/" in note
    assert "internal error (KeyError" in (failed / "r2.xlsx.error.txt").read_text("utf-8")
    summary = result.summary()
    errors = {error["file"]: error["error"] for error in summary["errors"]}
    assert "not an order report" in errors["inbox/ExportOrderList1.csv"]
    assert "Fix: export it again" in errors["inbox/ExportOrderList1.csv"]
    assert "internal error (KeyError" in errors["returns/r2.xlsx"]
    assert summary["ok"] is False
    moved = {item["file"]: item["failed_to"] for item in summary["files"]}
    assert moved["returns/r1.xlsx"] == [
        "failed/2026-11-26/r1.xlsx",
        "failed/2026-11-26/r1.xlsx.error.txt",
    ]
    lines = summary_lines(result)
    assert any(line.startswith("FAILED inbox/ExportOrderList1.csv") for line in lines)
    assert any("moved to failed/2026-11-26/r1.xlsx" in line for line in lines)
    # the next run does not try them again, and says nothing about them
    calls = len(recorder.calls)
    again = run(home, recorder)
    assert (again.ok, again.files, len(recorder.calls)) == (True, (), calls)
    # moved back by a person, a file is read again
    os.replace(failed / "r1.xlsx", home / "returns" / "r1.xlsx")
    os.utime(home / "returns" / "r1.xlsx", (OLD, OLD))
    third = run(home, recorder)
    assert [r.path.name for r in third.files] == ["r1.xlsx"]
    assert (failed / "r1.xlsx").is_file()  # failed again: back with a fresh note
    assert (failed / "r1.xlsx.error.txt").is_file()


def test_a_busy_ledger_or_a_broken_config_leaves_the_file_in_place(home: Path) -> None:
    """Not the file's fault: it stays for the next run."""
    path = drop(home / "returns", "r1.xlsx")

    def busy(workspace: Any, files: list[Path], **kwargs: Any) -> FakeResult:
        raise LedgerError("the ledger is busy")

    result = run_daily(open_workspace(home), today=TODAY, importer=busy, exporter=busy)
    assert result.failed == 1
    assert path.exists()
    assert not (home / "failed").exists()


def test_a_bug_is_raised_with_debug(home: Path) -> None:
    drop(home / "returns", "r2.xlsx", "bug")
    with pytest.raises(KeyError):
        run(home, Recorder(), raise_bugs=True)


def test_fresh_files_wait_for_the_next_run(home: Path) -> None:
    drop(home / "inbox", "ExportOrderList7.csv")
    fresh_items = drop(home / "inbox", "ExportOrderDetailList7.csv", mtime=None)
    fresh_return = drop(home / "returns", "r.xlsx", mtime=None)
    recorder = Recorder()
    result = run(home, recorder)
    assert recorder.calls == []
    assert result.ok
    reasons = {w.path.name: w.reason for w in result.waiting}
    assert "still being written" in reasons["ExportOrderList7.csv"]
    assert fresh_items.name in reasons
    assert fresh_return.name in reasons
    # once settled, the pair goes together
    for path in (fresh_items, fresh_return):
        os.utime(path, (OLD, OLD))
    result = run(home, recorder)
    assert result.exported == 1
    assert recorder.calls[0][1] == [home / "inbox" / "ExportOrderDetailList7.csv"]


def test_an_item_report_alone_waits_and_other_files_are_ignored(home: Path) -> None:
    drop(home / "inbox", "ExportOrderDetailList9.csv")
    drop(home / "inbox", "notes.txt")
    drop(home / "inbox", "~$ExportOrderList9.xlsx")  # Excel's lock file while it is open
    drop(home / "inbox", ".partial.csv")
    recorder = Recorder()
    result = run(home, recorder)
    assert recorder.calls == []
    assert [w.path.name for w in result.waiting] == ["ExportOrderDetailList9.csv"]
    assert "without its order report" in result.waiting[0].reason
    assert [path.name for path in result.ignored] == ["notes.txt"]
    assert result.summary()["ignored"] == ["inbox/notes.txt"]


def test_exports_run_oldest_first_and_before_returns(home: Path) -> None:
    drop(home / "returns", "r.xlsx", mtime=OLD - 100)
    drop(home / "inbox", "ExportOrderList2.csv", mtime=OLD)
    drop(home / "inbox", "ExportOrderList1.csv", mtime=OLD - 50)
    recorder = Recorder()
    run(home, recorder)
    assert [call[0][0].name for call in recorder.calls] == [
        "ExportOrderList1.csv",
        "ExportOrderList2.csv",
        "r.xlsx",
    ]


def test_archive_never_overwrites(tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    first = archive_file(drop(tmp_path / "in", "exceptions.xlsx", "one"), folder)
    second = archive_file(drop(tmp_path / "in", "exceptions.xlsx", "two"), folder)
    assert first.name == "exceptions.xlsx"
    assert second.name == "exceptions-1.xlsx"
    assert second.read_text(encoding="utf-8") == "two"


def test_a_second_daily_exits_while_the_first_holds_the_lock(home: Path) -> None:
    drop(home / "inbox", "ExportOrderList1.csv")
    recorder = Recorder()
    with workspace_lock(home):
        with pytest.raises(DailyBusyError, match="another daily run") as caught:
            run(home, recorder, wait_seconds=0.3)
        assert "pid" in str(caught.value)
    assert recorder.calls == []
    assert run(home, recorder).exported == 1


def test_a_folder_that_is_a_file_is_an_error(home: Path) -> None:
    (home / "inbox").write_text("", encoding="utf-8")
    with pytest.raises(BatchShipError, match="is a file, not a folder"):
        run(home, Recorder())


def test_nothing_to_do_in_an_empty_home(home: Path) -> None:
    result = run(home, Recorder())
    assert result.ok
    assert result.summary() == {
        "ok": True,
        "busy": False,
        "exported": 0,
        "imported": 0,
        "failed": 0,
        "files": [],
        "waiting": [],
        "ignored": [],
        "errors": [],
        "notes": [
            f"no inbox/ folder in {home}: run `batch-ship init` to create it",
            f"no returns/ folder in {home}: run `batch-ship init` to create it",
        ],
        "seconds": result.summary()["seconds"],
    }


def test_a_missing_home_is_an_error_not_created(tmp_path: Path) -> None:
    with pytest.raises(BatchShipError, match="no workspace at"):
        run(tmp_path / "nowhere", Recorder())
    assert not (tmp_path / "nowhere").exists()
