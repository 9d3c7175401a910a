"""`batch-ship inspect`: human and JSON output, exit codes, messages."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from batch_ship.cli import main
from tests.conftest import SAMPLE_DATA
from tests.test_taobao import order_row, write_order_report

GOLDEN = SAMPLE_DATA / "ExportOrderList202611261000.csv"


def test_human_output(runner: CliRunner, home: Path) -> None:
    result = runner.invoke(main, ["--home", str(home), "inspect", str(GOLDEN)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Orders: 24 (24 rows, 0 repeated), item lines: 27" in out
    assert "awaiting-shipment" in out
    assert "phone-masked" in out
    assert "广东省" in out
    assert "13925130165" not in out
    assert "文三路" not in out


def test_json_output(runner: CliRunner, home: Path) -> None:
    result = runner.invoke(main, ["--home", str(home), "inspect", str(GOLDEN), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["orders"] == 24
    assert data["statuses"]["awaiting-shipment"] == 19
    assert data["problems"] == {"name-missing": 1, "phone-masked": 1, "phone-invalid": 1}
    assert data["files"][1] == "ExportOrderDetailList202611261000.csv"


def test_explicit_items(runner: CliRunner, home: Path, tmp_path: Path) -> None:
    path = write_order_report(tmp_path, [order_row()], name="orders.csv")
    items = SAMPLE_DATA / "ExportOrderDetailList202611261000.csv"
    args = ["--home", str(home), "inspect", str(path), "--items", str(items), "--json"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["items"] == 27


def test_bad_input_exit_1_names_file_and_fix(runner: CliRunner, home: Path) -> None:
    bad = SAMPLE_DATA / "resaved_by_spreadsheet_ids_as_numbers.csv"
    result = runner.invoke(main, ["--home", str(home), "inspect", str(bad)])
    assert result.exit_code == 1
    assert "resaved_by_spreadsheet_ids_as_numbers.csv" in result.output
    assert "turned into numbers by a spreadsheet" in result.output
    assert "Fix: export the report again" in result.output
    assert "Traceback" not in result.output


def test_empty_file_exit_1(runner: CliRunner, home: Path, tmp_path: Path) -> None:
    empty = tmp_path / "ExportOrderList1.csv"
    empty.write_bytes(b"")
    result = runner.invoke(main, ["--home", str(home), "inspect", str(empty)])
    assert result.exit_code == 1
    assert "ExportOrderList1.csv: the file is empty" in result.output


def test_no_file_is_a_usage_error_a_missing_one_an_input_error(
    runner: CliRunner, home: Path, tmp_path: Path
) -> None:
    result = runner.invoke(main, ["--home", str(home), "inspect"])
    assert result.exit_code == 2
    result = runner.invoke(main, ["--home", str(home), "inspect", str(tmp_path / "missing.csv")])
    assert result.exit_code == 1
    assert "missing.csv: file not found" in result.output


def test_help_has_an_example(runner: CliRunner) -> None:
    result = runner.invoke(main, ["inspect", "--help"])
    assert result.exit_code == 0
    assert "Example: batch-ship inspect" in result.output
