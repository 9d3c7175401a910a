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
