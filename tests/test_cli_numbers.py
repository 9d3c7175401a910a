"""`batch-ship numbers add/status`: the waybill-number stock, its rules and bad stock files."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from batch_ship.cli import main
from batch_ship.ledger import Ledger, NewBatch
from batch_ship.ledger.stock import StockNumber
from batch_ship.tracking_numbers import s10_check_digit
from tests.hostile_files import formula_xlsx


def run(runner: CliRunner, home: Path, *args: str) -> Any:
    return runner.invoke(main, ["--home", str(home), *args])


def status(runner: CliRunner, home: Path) -> dict[str, Any]:
    result = run(runner, home, "numbers", "status", "--json")
    assert result.exit_code == 0, result.output
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def stock_rows(home: Path) -> list[tuple[str, str, str, str, str]]:
    with sqlite3.connect(home / "ledger.sqlite3") as conn:
        return conn.execute(
            "SELECT number, courier, sort_code, hub, state FROM stock ORDER BY rowid"
        ).fetchall()


def test_a_range_goes_into_stock_in_order_and_status_counts_it(
    runner: CliRunner, home: Path
) -> None:
    result = run(runner, home, "numbers", "add", "--courier", "zto", "--range", "730000000001",
                 "--count", "5", "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["added"] == 5
    result = run(runner, home, "numbers", "add", "--courier", "zto", "--range",
                 "730000000006-730000000009")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert [row[0] for row in stock_rows(home)] == [f"7300000000{n:02d}" for n in range(1, 10)]
    found = status(runner, home)
    assert found["couriers"] == [
        {"courier": "zto", "free": 9, "used": 0, "used_today": 0, "retired": 0, "low": True}
    ]
    assert "zto: 9 numbers left in stock (below 500)" in found["warnings"][0]


def test_a_range_overlapping_the_stock_is_refused_whole(runner: CliRunner, home: Path) -> None:
    run(
        runner,
        home,
        "numbers",
        "add",
        "--courier",
        "zto",
        "--range",
        "730000000001",
        "--count",
        "5",
    )
    before = stock_rows(home)
    result = run(runner, home, "numbers", "add", "--courier", "zto", "--range", "730000000004",
                 "--count", "5")  # fmt: skip
    assert result.exit_code == 1
    assert "730000000004: already in the zto stock" in result.output
    assert "Traceback" not in result.output
    assert stock_rows(home) == before


def test_ems_ranges_carry_s10_check_digits_and_a_wrong_one_is_refused(
    runner: CliRunner, home: Path
) -> None:
    start = f"EA10000000{s10_check_digit('10000000')}CN"
    result = run(
        runner, home, "numbers", "add", "--courier", "ems", "--range", start, "--count", "3"
    )
    assert result.exit_code == 0, result.output
    numbers = [row[0] for row in stock_rows(home)]
    assert numbers == [f"EA{s}{s10_check_digit(s)}CN" for s in ("10000000", "10000001", "10000002")]
    wrong = f"EA20000000{(int(s10_check_digit('20000000')) + 1) % 10}CN"
    result = run(
        runner, home, "numbers", "add", "--courier", "ems", "--range", wrong, "--count", "3"
    )
    assert result.exit_code == 1
    assert "wrong check digit" in result.output
    assert len(stock_rows(home)) == 3


def test_a_file_with_sort_codes_and_hubs_is_read_with_its_columns(
    runner: CliRunner, home: Path, tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["中通电子面单号段"])  # a title row above the header
    sheet.append(["序号", "运单号", "大头笔", "集包地"])
    sheet.append([1, "730000000101", "310-A1 03", "杭州转运中心"])
    sheet.append([2, 730000000102, "", ""])  # stored as a number by a spreadsheet
    path = tmp_path / "numbers.xlsx"
    book.save(path)
    result = run(runner, home, "numbers", "add", "--courier", "zto", str(path))
    assert result.exit_code == 0, result.output
    assert stock_rows(home) == [
        ("730000000101", "zto", "310-A1 03", "杭州转运中心", "free"),
        ("730000000102", "zto", "", "", "free"),
    ]


def _csv(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "numbers.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


BAD_FILES = {
    "formula": (("运单号", "730000000001", "=730000000001+1"), "row 3 =730000000001+1: a formula"),
    "duplicate": (("运单号", "730000000001", "730000000001"), "row 3 730000000001: repeats row 2"),
    "other courier": (
        ("运单号", "730000000001", "SF1234567890123"),
        "row 3 SF1234567890123: a 顺丰速运 number, not 中通快递's",
    ),
    "failing the rule": (("运单号", "730000000001", "12345"), "row 3 12345: not a valid number"),
    "empty": (("运单号",), "holds no waybill number"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_stock_file_is_refused_naming_its_rows(
    case: str, runner: CliRunner, home: Path, tmp_path: Path
) -> None:
    run(
        runner,
        home,
        "numbers",
        "add",
        "--courier",
        "zto",
        "--range",
        "730000000900",
        "--count",
        "2",
    )
    before = stock_rows(home)
    lines, expected = BAD_FILES[case]
    result = run(runner, home, "numbers", "add", "--courier", "zto", str(_csv(tmp_path, *lines)))
    assert result.exit_code == 1, result.output
    assert expected in result.output
    assert "numbers.csv" in result.output
    assert "Traceback" not in result.output
    assert stock_rows(home) == before


def test_an_xlsx_formula_cell_is_refused_even_with_a_valid_cached_value(
    runner: CliRunner, home: Path, tmp_path: Path
) -> None:
    path = formula_xlsx(tmp_path / "formulas.xlsx")
    result = run(runner, home, "numbers", "add", "--courier", "zto", str(path))
    assert result.exit_code == 1
    assert "formulas.xlsx" in result.output
    assert "row 3: a formula" in result.output
    assert not (home / "ledger.sqlite3").exists() or stock_rows(home) == []


def test_an_xls_formula_cell_is_refused_too(runner: CliRunner, home: Path, tmp_path: Path) -> None:
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("numbers")
    sheet.write(0, 0, "运单号")
    sheet.write(1, 0, "730000000001")
    sheet.write(2, 0, xlwt.Formula('A2&""'))  # an .xls formula's cell shows its last result
    sheet.write(3, 0, "730000000003")
    path = tmp_path / "formulas.xls"
    book.save(str(path))
    result = run(runner, home, "numbers", "add", "--courier", "zto", str(path))
    assert result.exit_code == 1
    assert "formulas.xls" in result.output
    assert "row 3: a formula" in result.output
    assert "row 2" not in result.output
    assert "row 4" not in result.output
    assert not (home / "ledger.sqlite3").exists() or stock_rows(home) == []


def test_a_number_already_used_by_a_parcel_is_refused(
    runner: CliRunner, home: Path, tmp_path: Path
) -> None:
    import pandas as pd

    with Ledger.open(home / "ledger.sqlite3") as ledger, ledger.write():
        ledger.record_batch(
            NewBatch(
                batch_id="20261126-01",
                courier="zto",
                created=pd.Timestamp("2026-11-26 09:00").to_pydatetime(),
                files=("submission-zto.xlsx",),
                parcels=pd.DataFrame(
                    {
                        "seq": [1],
                        "file": ["submission-zto.xlsx"],
                        "file_row": [2],
                        "reference": ["1001"],
                        "name": ["张三"],
                        "phone": ["13800138000"],
                        "order_ids": ["1001"],
                    }
                ).astype(
                    {
                        "file": "str",
                        "reference": "str",
                        "name": "str",
                        "phone": "str",
                        "order_ids": "str",
                    }
                ),
                orders=pd.DataFrame({"order_id": pd.Series(["1001"], dtype="str"), "seq": [1]}),
                exceptions=pd.DataFrame(
                    {"order_id": pd.Series([], dtype="str"), "codes": pd.Series([], dtype="str")}
                ),
            )
        )
        ledger.record_tracking([1], ["730000000002"], ["return"])
    path = _csv(tmp_path, "运单号", "730000000001", "730000000002")
    result = run(runner, home, "numbers", "add", "--courier", "zto", str(path))
    assert result.exit_code == 1
    assert "row 3 730000000002: already used (batch 20261126-01)" in result.output
    assert stock_rows(home) == []


def test_the_ledger_itself_refuses_a_number_twice(home: Path) -> None:
    """Uniqueness is the ledger's (UNIQUE, and a trigger against used numbers), not only the
    command's check."""
    with Ledger.open(home / "ledger.sqlite3") as ledger:
        with ledger.write():
            ledger.add_stock("zto", [StockNumber("730000000001")], "test", "2026-12-03T00:00:00")
        with pytest.raises(Exception, match="already in stock or used"), ledger.write():
            ledger.add_stock("yto", [StockNumber("730000000001")], "test", "2026-12-03T00:00:00")
        conn = ledger._conn
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO imports (import_id, recorded_at) VALUES (99, '2026-12-03T00:00:00')"
        )
        conn.execute("INSERT INTO tracking (number, parcel_id, import_id) VALUES ('X1', 1, 99)")
        with pytest.raises(sqlite3.IntegrityError, match="already used"):
            conn.execute(
                "INSERT INTO stock (number, courier, added_at) VALUES ('X1', 'zto', 'now')"
            )
        conn.execute("ROLLBACK")


def test_status_warns_below_the_configured_threshold(runner: CliRunner, home: Path) -> None:
    config = home / "batch_ship.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + '\n[stock]\ncouriers = "zto, yto"\nwarn_below = 3\n',
        encoding="utf-8",
    )
    run(
        runner,
        home,
        "numbers",
        "add",
        "--courier",
        "zto",
        "--range",
        "730000000001",
        "--count",
        "3",
    )
    found = status(runner, home)
    assert [entry["courier"] for entry in found["couriers"]] == ["zto", "yto"]
    assert [entry["low"] for entry in found["couriers"]] == [False, True]
    assert len(found["warnings"]) == 1
    assert found["warnings"][0].startswith("yto: 0 numbers")
    human = run(runner, home, "numbers", "status")
    assert human.exit_code == 0
    assert "zto" in human.stdout
    assert "Warning: yto" in human.output


def test_a_bad_stock_setting_is_a_config_error(runner: CliRunner, home: Path) -> None:
    config = home / "batch_ship.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + '\n[stock]\nwarn_below = "many"\nprinter = "pdf"\n',
        encoding="utf-8",
    )
    result = run(runner, home, "numbers", "status")
    assert result.exit_code == 1
    assert "[stock] warn_below must be a whole number" in result.output
    assert "[stock] printer" in result.output
