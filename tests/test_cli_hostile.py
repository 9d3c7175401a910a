"""Hostile inputs through the real command, in its own process: exit 1 naming the file within
10 s, no traceback or panic text, workspace and ledger unchanged."""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from batch_ship.cli import main
from tests.conftest import PROJECT_ROOT, SENDER_TOML
from tests.hostile_files import corner_xlsx, far_column_xlsx, shared_strings_xlsx, xls_with_cell

TIMEOUT = 10
PANIC_TEXT = ("Traceback", "panicked", "stack backtrace", "memory allocation", "internal error")


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A workspace with one exported batch (30 sample orders); tests copy it."""
    home = tmp_path_factory.mktemp("hostile") / "home"
    home.mkdir()
    (home / "batch_ship.toml").write_text(SENDER_TOML, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["--home", str(home), "sample-data", str(home / "in")])
    assert result.exit_code == 0, result.output
    report = next((home / "in").glob("ExportOrderList*.csv"))
    result = runner.invoke(main, ["--home", str(home), "--quiet", "export", str(report)])
    assert result.exit_code == 0, result.output
    batch = next((home / "batches").iterdir()).name
    return home, batch


@pytest.fixture
def home(exported: tuple[Path, str], tmp_path: Path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(exported[0], copy)
    return copy


def snapshot(home: Path) -> dict[str, str]:
    """Every file's content hash (the ledger by its rows, not its bytes)."""
    files = {
        str(path.relative_to(home)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(home.rglob("*"))
        if path.is_file() and not path.name.startswith("ledger.sqlite3")
    }
    ledger = home / "ledger.sqlite3"
    if ledger.exists():
        with sqlite3.connect(ledger) as connection:
            files["ledger rows"] = hashlib.sha256(
                "\n".join(connection.iterdump()).encode()
            ).hexdigest()
        connection.close()
    return files


def batch_ship(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real command in its own process, killed (a test failure) after TIMEOUT seconds."""
    environment = {**os.environ, "PYTHONFAULTHANDLER": ""}
    return subprocess.run(
        [sys.executable, "-m", "batch_ship", "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
        env=environment,
    )


def assert_refused(result: subprocess.CompletedProcess[str], name: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert name in result.stderr, output
    for text in PANIC_TEXT:
        assert text not in output, output


SPREADSHEETS: dict[str, Callable[[Path], Path]] = {
    "corner.xlsx": corner_xlsx,
    "column-1000000.xlsx": far_column_xlsx,
    "shared-strings.xlsx": shared_strings_xlsx,
    "corner.xls": lambda path: xls_with_cell(path, 65535, 65535),
}


@pytest.mark.parametrize("name", list(SPREADSHEETS))
@pytest.mark.parametrize("role", ["order report", "courier return"])
def test_hostile_spreadsheet(
    home: Path, exported: tuple[Path, str], tmp_path: Path, name: str, role: str
) -> None:
    path = SPREADSHEETS[name](tmp_path / name)
    assert path.stat().st_size < 8192
    before = snapshot(home)
    if role == "order report":
        result = batch_ship(home, "export", str(path))
    else:
        result = batch_ship(home, "import-tracking", str(path), "--batch", exported[1])
    assert_refused(result, name)
    assert "refused before reading" in result.stderr
    assert snapshot(home) == before


def order_report(home: Path) -> Path:
    return next((home / "in").glob("ExportOrderList*.csv"))


CONFIGS = {
    "marketplace = {a = 1}": "[defaults]\nmarketplace = {a = 1}\n",
    'inbox = ["a"]': '[folders]\ninbox = ["a"]\n',
    "courier = 5": "[defaults]\ncourier = 5\n",
    "templates = 5": "[folders]\ntemplates = 5\n",
}


@pytest.mark.parametrize("case", list(CONFIGS))
def test_bad_config_names_the_file_key_and_fix(home: Path, case: str) -> None:
    config = home / "batch_ship.toml"
    config.write_text(SENDER_TOML + CONFIGS[case], encoding="utf-8")
    before = snapshot(home)
    result = batch_ship(home, "export", str(order_report(home)))
    assert_refused(result, "batch_ship.toml")
    key = case.split(" =")[0]
    assert f"] {key} must be" in result.stderr
    assert f"Fix: under its section, write {key} = " in result.stderr
    assert snapshot(home) == before


@pytest.mark.parametrize("kind", ["batches is a file", "batch_ship.toml is a folder"])
def test_workspace_paths_of_the_wrong_kind(home: Path, kind: str) -> None:
    if kind == "batches is a file":
        shutil.rmtree(home / "batches")
        (home / "batches").write_text("not a folder", encoding="utf-8")
        named = str(home / "batches")
    else:
        (home / "batch_ship.toml").unlink()
        (home / "batch_ship.toml").mkdir()
        named = str(home / "batch_ship.toml")
    before = snapshot(home)
    for command in (["export", str(order_report(home))], ["status"]):
        result = batch_ship(home, *command)
        assert_refused(result, named)
    assert snapshot(home) == before


TEMPLATES = {
    "'x' * 10**10": '{{ "x" * 10**10 }}',
    "9 ** (9 ** 9)": "{{ 9 ** (9 ** 9) }}",
    "a loop of 10**10": "{% for a in range(100000) %}{% for b in range(100000) %}"
    "{% endfor %}{% endfor %}",
}


@pytest.mark.parametrize("case", list(TEMPLATES))
def test_template_past_a_limit_names_the_file_and_column(home: Path, case: str) -> None:
    folder = home / "my-templates" / "couriers"
    folder.mkdir(parents=True)
    text = (PROJECT_ROOT / "templates" / "couriers" / "zto.toml").read_text(encoding="utf-8")
    hostile = text.replace('value = "{{ parcel.items }}"', f"value = '{TEMPLATES[case]}'")
    assert hostile != text
    (folder / "zto.toml").write_text(hostile, encoding="utf-8")
    config = home / "batch_ship.toml"
    config.write_text(SENDER_TOML + '[folders]\ntemplates = "my-templates"\n', encoding="utf-8")
    before = snapshot(home)
    result = batch_ship(home, "export", str(order_report(home)))
    assert_refused(result, "zto.toml")
    assert "column 9 (物品名称)" in result.stderr
    assert snapshot(home) == before


def test_mixed_time_zones_and_excel_dates_are_read(home: Path, tmp_path: Path) -> None:
    """A re-saved report whose payment times mix zones, serial days and slashes exports
    (exit 0): each time is read; inspect reports the one that is no date by its row."""
    source = order_report(home)
    with source.open(encoding="gb18030", newline="") as stream:
        rows = list(csv.reader(stream))
    column = [name.strip() for name in rows[0]].index("订单付款时间")
    forms = ["2026-11-26T10:00:00+08:00", "2026-11-26T02:00:00Z", "46352.5", "2026/11/26 9:05"]
    for number, row in enumerate(rows[1:]):
        row[column] = forms[number % len(forms)] if number else "yesterday-ish"
    report = tmp_path / "ExportOrderList202611270900.csv"
    with report.open("w", encoding="gb18030", newline="") as stream:
        csv.writer(stream, lineterminator="\r\n").writerows(rows)
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "batch_ship.toml").write_text(SENDER_TOML, encoding="utf-8")
    for command in ("inspect", "export"):
        result = batch_ship(fresh, command, str(report))
        output = result.stdout + result.stderr
        assert result.returncode == 0, output
        for text in PANIC_TEXT:
            assert text not in output
        if command == "inspect":
            assert "date-invalid" in output
            assert "1 payment time(s) are not dates (rows 2)" in output


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def test_buyer_and_courier_text_is_text_in_every_workbook(home: Path, tmp_path: Path) -> None:
    """Every column that can hold buyer or courier text carries the text format @ in every
    workbook we write (submission, exceptions, reconcile), so editing a cell in Excel never
    makes a formula; text starting with = + - @ TAB CR stays a text cell."""
    source = order_report(home)
    with source.open(encoding="gb18030", newline="") as stream:
        rows = list(csv.reader(stream))
    header = [name.strip() for name in rows[0]]
    title, name = header.index("宝贝标题"), header.index("收货人姓名")
    for number, row in enumerate(rows[1:]):
        row[title] = f"{FORMULA_STARTS[number % 6]}1+1 标题"
        if number % 7 == 0:
            row[name] = "=HYPERLINK(1)"  # no usable name: the order goes to exceptions.xlsx
    report = tmp_path / "ExportOrderList202611280900.csv"
    with report.open("w", encoding="gb18030", newline="") as stream:
        csv.writer(stream, lineterminator="\r\n").writerows(rows)
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "batch_ship.toml").write_text(SENDER_TOML, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["--home", str(fresh), "--quiet", "export", str(report)])
    assert result.exit_code == 0, result.output
    batch = next((fresh / "batches").iterdir())
    returned = tmp_path / "return.xlsx"
    result = runner.invoke(
        main, ["--home", str(fresh), "sample-return", "--batch", batch.name, str(returned)]
    )
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(returned)
    sheet = book.active
    assert sheet is not None
    sheet.cell(5, 3).value = "=cmd|' /C calc'!A0"  # courier text in the return: 收件人
    book.save(returned)
    result = runner.invoke(main, ["--home", str(fresh), "import-tracking", str(returned)])
    assert result.exit_code == 0, result.output
    hostile = 0
    workbooks = sorted(batch.glob("*.xlsx"))
    assert {path.name.split("-")[0].split(".")[0] for path in workbooks} >= {
        "submission",
        "exceptions",
        "reconcile",
    }
    for path in workbooks:
        for sheet in openpyxl.load_workbook(path).worksheets:
            headers = [cell.value for cell in sheet[1]]
            for row in sheet.iter_rows(min_row=2):
                for heading, cell in zip(headers, row, strict=False):
                    if heading == "数量":
                        continue
                    assert cell.number_format == "@", (path.name, sheet.title, heading)
                    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                        assert cell.data_type == "s", (path.name, heading, cell.value)
                        hostile += 1
    assert hostile >= 30


def test_logs_never_print_a_whole_address(home: Path, tmp_path: Path) -> None:
    """An export and a report with every log line on (--debug): no address appears whole, and
    report.html holds none either (only the masked form)."""
    with order_report(home).open(encoding="gb18030", newline="") as stream:
        rows = list(csv.reader(stream))
    header = [name.strip() for name in rows[0]]
    column, mobile = header.index("收货地址"), header.index("联系手机")
    status = header.index("订单状态")
    for row in rows[1:6]:  # exceptions (masked phones) that the report lists, at the issue's
        row[column] = "上海市 上海市浦东新区世纪大道1001号金茂大厦(200120)"  # address
        row[mobile] = "138****0000"
        row[status] = "买家已付款，等待卖家发货"
    source = tmp_path / "ExportOrderList202611290900.csv"
    with source.open("w", encoding="gb18030", newline="") as stream:
        csv.writer(stream, lineterminator="\r\n").writerows(rows)
    addresses = {row[column].strip() for row in rows[1:] if len(row[column].strip()) > 12}
    assert addresses
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "batch_ship.toml").write_text(SENDER_TOML, encoding="utf-8")
    outputs = []
    for command in (["export", str(source)], ["report"]):
        result = batch_ship(fresh, "--debug", *command)
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout + result.stderr)
    outputs.extend(path.read_text(encoding="utf-8") for path in fresh.rglob("report*.html"))
    assert len(outputs) == 3
    compact = {"".join(address.split()) for address in addresses}
    for output in outputs:
        flat = "".join(output.split())
        assert not [address for address in compact if address in flat]
        assert "200120" not in output
