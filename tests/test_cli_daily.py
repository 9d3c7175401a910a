"""`batch-ship daily`: exit codes, --json, the lock, and the real export/import loop."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

import batch_ship.daily as daily_module
from batch_ship.cli import main
from batch_ship.daily import run_daily, workspace_lock
from batch_ship.ledger import Event, Ledger, ledger_status
from batch_ship.samples.orders import write_sample_export
from batch_ship.samples.returns import write_sample_return
from batch_ship.workspace import open_workspace
from tests.test_daily import Recorder, drop


@pytest.fixture
def fake_steps(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    """daily with stand-in export/import steps: the CLI's own behaviour, independent of them."""
    recorder = Recorder()

    def fake_run_daily(workspace: Any, **kwargs: Any) -> Any:
        return run_daily(workspace, exporter=recorder.export, importer=recorder.import_, **kwargs)

    monkeypatch.setattr(daily_module, "run_daily", fake_run_daily)
    return recorder


def events(home: Path) -> list[Event]:
    with Ledger.open(home / "ledger.sqlite3") as ledger:
        return ledger.events()


def invoke(runner: CliRunner, home: Path, *args: str) -> Any:
    return runner.invoke(main, ["--home", str(home), "daily", *args])


def test_all_good_exits_0_with_a_summary(
    runner: CliRunner, home: Path, fake_steps: Recorder
) -> None:
    drop(home / "inbox", "ExportOrderList1.csv")
    drop(home / "returns", "r.xlsx")
    result = invoke(runner, home)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("exported inbox/ExportOrderList1.csv -> 20261126-01: 3 orders read")
    assert "phone-masked 1" in lines[0]
    assert lines[1].startswith("imported returns/r.xlsx -> 20261126-01: 2 parcels matched")
    assert lines[-1].startswith("daily: 1 order report(s) exported, 1 return(s) imported, 0 failed")


def test_a_failed_file_exits_1_and_json_lists_it(
    runner: CliRunner, home: Path, fake_steps: Recorder
) -> None:
    drop(home / "inbox", "ExportOrderList1.csv", "bad")
    drop(home / "inbox", "ExportOrderList2.csv")
    result = invoke(runner, home, "--json")
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert summary["ok"] is False
    assert (summary["exported"], summary["failed"]) == (1, 1)
    assert summary["errors"][0]["file"] == "inbox/ExportOrderList1.csv"
    assert "not an order report" in summary["errors"][0]["error"]
    assert not (home / "inbox" / "ExportOrderList1.csv").exists()
    failed = home / "failed" / time.strftime("%Y-%m-%d")
    assert (failed / "ExportOrderList1.csv").read_text(encoding="utf-8") == "bad"
    assert summary["files"][0]["failed_to"] == [
        f"failed/{failed.name}/ExportOrderList1.csv",
        f"failed/{failed.name}/ExportOrderList1.csv.error.txt",
    ]
    # the cron line that runs every ten minutes says it once, not every run
    again = runner.invoke(main, ["--home", str(home), "--quiet", "daily"])
    assert (again.exit_code, again.output) == (0, "")


def test_nothing_new_exits_0(runner: CliRunner, home: Path, fake_steps: Recorder) -> None:
    assert runner.invoke(main, ["--home", str(home), "init"]).exit_code == 0
    result = invoke(runner, home)
    assert result.exit_code == 0
    assert result.stdout == "daily: nothing new\n"


def test_quiet_prints_nothing_when_nothing_is_new(
    runner: CliRunner, home: Path, fake_steps: Recorder
) -> None:
    drop(home / "inbox", "ExportOrderList1.csv", mtime=None)  # waiting is not news either
    result = runner.invoke(main, ["--home", str(home), "--quiet", "daily"])
    assert result.exit_code == 0
    assert result.output == ""
    drop(home / "inbox", "ExportOrderList2.csv", "bad")
    result = runner.invoke(main, ["--home", str(home), "--quiet", "daily"])
    assert result.exit_code == 1
    assert result.stdout.startswith("FAILED inbox/ExportOrderList2.csv")


def test_a_home_without_init_says_so(runner: CliRunner, home: Path, fake_steps: Recorder) -> None:
    result = invoke(runner, home)
    assert result.exit_code == 0
    assert "note: no inbox/ folder" in result.stdout
    assert "batch-ship init" in result.stdout


def test_busy_exits_0_and_says_so(runner: CliRunner, home: Path, fake_steps: Recorder) -> None:
    drop(home / "inbox", "ExportOrderList1.csv")
    with workspace_lock(home):
        result = invoke(runner, home, "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["busy"] is True
    assert "another daily run" in result.stderr
    assert fake_steps.calls == []
    assert (home / "inbox" / "ExportOrderList1.csv").exists()


def test_fresh_files_wait(runner: CliRunner, home: Path, fake_steps: Recorder) -> None:
    drop(home / "inbox", "ExportOrderList1.csv", mtime=None)
    result = invoke(runner, home, "--json")
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    assert summary["waiting"][0]["file"] == "inbox/ExportOrderList1.csv"
    assert invoke(runner, home, "--settle", "0").exit_code == 0
    assert fake_steps.calls


# --- the real loop: sample export -> daily -> sample return -> daily ------------------------


def test_daily_runs_the_real_loop(runner: CliRunner, home: Path) -> None:
    assert runner.invoke(main, ["--home", str(home), "init"]).exit_code == 0
    orders, items = write_sample_export(home / "inbox", orders=40, seed=3)
    (home / "inbox" / "ExportOrderListbroken.csv").write_text("not,a\nreport,at all\n")
    old = time.time() - 60
    for path in (home / "inbox").iterdir():
        os.utime(path, (old, old))

    first = invoke(runner, home, "--json")
    assert first.exit_code == 1, first.output
    summary = json.loads(first.stdout)
    assert summary["exported"] == 1
    assert summary["failed"] == 1
    failed = summary["errors"][0]
    assert failed["file"] == "inbox/ExportOrderListbroken.csv"
    assert "ExportOrderListbroken.csv" in failed["error"]
    exported = next(entry for entry in summary["files"] if entry["ok"])
    batch = exported["summary"]["batch"]
    assert batch is not None
    assert exported["items"] == f"inbox/{items.name}"
    assert exported["summary"]["orders_read"] == 40
    archive = home / "archive" / time.strftime("%Y-%m-%d")
    assert (archive / orders.name).exists()
    assert (archive / items.name).exists()
    assert sorted(p.name for p in (home / "inbox").iterdir()) == []
    set_aside = home / "failed" / time.strftime("%Y-%m-%d")
    assert sorted(p.name for p in set_aside.iterdir()) == [
        "ExportOrderListbroken.csv",
        "ExportOrderListbroken.csv.error.txt",
    ]

    returned = home / "returns" / "zto-return.xlsx"
    write_sample_return(open_workspace(home), batch, returned, seed=1)
    os.utime(returned, (old, old))
    second = invoke(runner, home, "--json")
    assert second.exit_code == 0, second.output
    summary = json.loads(second.stdout)
    assert summary["imported"] == 1
    matched = summary["files"][0]["summary"]
    assert matched["batch"] == batch
    assert matched["parcels_matched"] == exported["summary"]["parcels"]
    assert (archive / "zto-return.xlsx").exists()
    assert (home / "batches" / batch / "upload-taobao.csv").exists()

    # the same files dropped again: archived, and the ledger records nothing twice
    third = invoke(runner, home)
    assert third.exit_code == 0
    assert third.stdout == "daily: nothing new\n"
    status = ledger_status(home / "ledger.sqlite3")
    assert status["orders"]["shipped"] == exported["summary"]["orders_submitted"]
    assert [event.kind for event in events(home)].count("daily") == 2  # nothing-new is not logged


def test_a_fixed_exceptions_workbook_in_the_inbox_is_exported(
    runner: CliRunner, home: Path
) -> None:
    assert runner.invoke(main, ["--home", str(home), "init"]).exit_code == 0
    write_sample_export(home / "inbox", orders=40, seed=1)
    first = json.loads(invoke(runner, home, "--json", "--settle", "0").stdout)
    exported = first["files"][0]["summary"]
    masked = exported["exceptions"]["phone-masked"]
    assert masked >= 1
    workbook_path = home / "batches" / exported["batch"] / "exceptions.xlsx"
    book = openpyxl.load_workbook(workbook_path)
    sheet = book.active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    mobile = header.index("联系手机") + 1
    assert sheet.max_row == masked + 1
    for row in range(2, sheet.max_row + 1):  # the buyers sent their full numbers
        sheet.cell(row=row, column=mobile, value=f"1391234{row:04d}")
    book.save(home / "inbox" / "exceptions.xlsx")

    second = invoke(runner, home, "--json", "--settle", "0")
    assert second.exit_code == 0, second.output
    summary = json.loads(second.stdout)["files"][0]
    assert summary["file"] == "inbox/exceptions.xlsx"
    assert summary["summary"]["orders_submitted"] == masked
    assert summary["summary"]["exceptions"] == {}
    assert summary["archived"] == [f"archive/{time.strftime('%Y-%m-%d')}/exceptions.xlsx"]
    assert ledger_status(home / "ledger.sqlite3")["orders"]["exception"] == 0


def test_quiet_outside_a_workspace_says_so_and_leaves_nothing(
    runner: CliRunner, tmp_path: Path, fake_steps: Recorder
) -> None:
    folder = tmp_path / "not-a-shop"
    folder.mkdir()
    result = runner.invoke(main, ["--home", str(folder), "daily", "--quiet"])
    assert result.exit_code == 1
    assert f"{folder} is not a workspace (no batch_ship.toml, no inbox/ or returns/" in (
        result.output
    )
    assert f"Fix: run `batch-ship init {folder}` first" in result.output
    assert list(folder.iterdir()) == []
    assert fake_steps.calls == []


def test_a_courier_return_dropped_in_the_inbox_is_imported(runner: CliRunner, home: Path) -> None:
    """Not archived as an export of 0 orders: the return's numbers reach the ledger."""
    assert runner.invoke(main, ["--home", str(home), "init"]).exit_code == 0
    write_sample_export(home / "inbox", orders=30, seed=3)
    first = json.loads(invoke(runner, home, "--json", "--settle", "0").stdout)
    batch = first["files"][0]["summary"]["batch"]
    parcels = first["files"][0]["summary"]["parcels"]
    write_sample_return(open_workspace(home), batch, home / "inbox" / "zto-return.xlsx")
    result = invoke(runner, home, "--settle", "0")
    assert result.exit_code == 0, result.output
    line = result.stdout.splitlines()[0]
    assert line.startswith(f"imported inbox/zto-return.xlsx -> {batch}: {parcels} parcels matched")
    assert f"wrote batches/{batch}/upload-taobao.csv" in line  # where its files are
    assert ledger_status(home / "ledger.sqlite3")["orders"]["submitted"] == 0
    assert (home / "archive" / time.strftime("%Y-%m-%d") / "zto-return.xlsx").is_file()


def test_daily_prints_the_labels_of_a_batch_numbered_from_stock(
    runner: CliRunner, home: Path
) -> None:
    from batch_ship.couriers import get_courier
    from tests.pdf_read import decoded_barcodes

    config = home / "batch_ship.toml"
    config.write_text(config.read_text() + '\n[stock]\ncouriers = "zto"\n', encoding="utf-8")
    assert runner.invoke(main, ["--home", str(home), "init"]).exit_code == 0
    added = runner.invoke(main, ["--home", str(home), "numbers", "add", "--courier", "zto",
                                 "--range", "730000200000", "--count", "60"])  # fmt: skip
    assert added.exit_code == 0, added.output
    write_sample_export(home / "inbox", orders=30, seed=5)
    old = time.time() - 60
    for path in (home / "inbox").iterdir():
        os.utime(path, (old, old))

    done = invoke(runner, home, "--json")
    assert done.exit_code == 0, done.output
    summary = json.loads(done.stdout)["files"][0]["summary"]
    assert summary["from_stock"] is True
    labels = [Path(path) for path in summary["labels"]]
    assert {path.name for path in labels} >= {"labels-zto.pdf", "picklist.pdf", "picklist.xlsx"}
    assert all(path.is_file() for path in labels)
    with Ledger.open(home / "ledger.sqlite3") as ledger:
        numbers = ledger.parcels(summary["batch"])["tracking"].tolist()
    layout = get_courier("zto").label
    assert layout is not None
    pdf = [path for path in labels if path.name == "labels-zto.pdf"]
    assert list(decoded_barcodes(pdf, layout.layout, "waybill")) == [[n] for n in numbers]
