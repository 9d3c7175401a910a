"""Taobao file pairing: one definition that export, daily, inspect and read_orders all use."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
from click.testing import CliRunner

import batch_ship
from batch_ship.cli import main
from batch_ship.daily.inbox import inbox_units
from batch_ship.samples.orders import write_sample_export
from batch_ship.sources.registry import pair_key
from batch_ship.sources.taobao.pairing import (
    find_item_report,
    find_item_reports,
    item_stamp,
    order_stamp,
)


def test_find_item_reports(tmp_path: Path) -> None:
    orders = tmp_path / "ExportOrderList202611260900.csv"
    orders.write_text("x", encoding="utf-8")
    assert find_item_reports([orders]) == []
    items = tmp_path / "exportorderdetaillist202611260900.XLSX"
    items.write_text("x", encoding="utf-8")
    (tmp_path / "ExportOrderDetailList202611260901.csv").write_text("x", encoding="utf-8")
    assert find_item_reports([orders]) == [items]
    assert find_item_reports([tmp_path / "exceptions.xlsx"]) == []


def test_stamps_in_any_case_and_a_second_download() -> None:
    assert order_stamp(Path("ExportOrderList202611260900 (1).csv")) == "202611260900 (1)"
    assert order_stamp(Path("EXPORTORDERLIST7.xlsx")) == "7"
    assert item_stamp(Path("exportorderdetaillist7.csv")) == "7"
    assert order_stamp(Path("ExportOrderDetailList7.csv")) is None
    assert item_stamp(Path("ExportOrderList7.csv")) is None
    assert find_item_report(Path("/nonexistent/ExportOrderList7.csv")) is None
    # daily pairs through the registry, which asks the sources that pair by name
    assert pair_key(Path("exportOrderDetailList7.csv")) == ("items", "7")
    assert pair_key(Path("ExportOrderList7 (1).xlsx")) == ("orders", "7 (1)")
    assert pair_key(Path("order-sheet-20261126.csv")) is None


def lower_case_pair(folder: Path) -> tuple[Path, Path]:
    """A sample export whose names a mail client wrote in lower case."""
    orders, items = write_sample_export(folder, orders=30, seed=5, stamp="1")
    return (
        orders.rename(folder / "exportorderlist1.csv"),
        items.rename(folder / "exportorderdetaillist1.csv"),
    )


def test_every_caller_pairs_exportorderlist1_with_its_item_report(
    runner: CliRunner, home: Path, tmp_path: Path
) -> None:
    """The case that used to disagree: export paired the item report, read_orders read none."""
    orders, items = lower_case_pair(tmp_path)
    with items.open(encoding="gb18030", newline="") as stream:
        item_lines = len(list(csv.reader(stream))) - 1  # rows under the header
    assert item_lines >= 30

    table = batch_ship.read_orders(orders)
    assert len(table.items) == item_lines
    assert [path.name for path in table.sources] == [orders.name, items.name]

    inspected = runner.invoke(main, ["--home", str(home), "inspect", str(orders), "--json"])
    assert inspected.exit_code == 0, inspected.output
    assert json.loads(inspected.stdout)["items"] == item_lines

    exported = runner.invoke(
        main, ["--home", str(home), "export", str(orders), "--courier", "generic", "--json"]
    )
    assert exported.exit_code == 0, exported.output
    submission = Path(json.loads(exported.stdout)["files"][0])
    sheet = openpyxl.load_workbook(submission).active
    assert sheet is not None
    goods = [str(row[8]) for row in sheet.iter_rows(min_row=2, values_only=True)]
    # item lines carry the item report's properties in brackets and a quantity
    assert any("[" in text and "×" in text for text in goods)

    units, waiting, ignored = inbox_units(tmp_path, now=1e12, settle_seconds=0)
    assert units == [(orders, items)]
    assert (waiting, ignored) == ([], [])
