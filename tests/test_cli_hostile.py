"""Hostile inputs through the real command, in its own process: exit 1 naming the file within
10 s, no traceback or panic text, workspace and ledger unchanged."""

from __future__ import annotations

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
from tests.conftest import SENDER_TOML
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
