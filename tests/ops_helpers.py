"""What the void, ship, intercept and routing tests share: CLI runs and a ledger dump."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from batch_ship.cli import main


def cli(runner: CliRunner, home: Path, *args: str) -> Result:
    return runner.invoke(main, ["--home", str(home), *args])


def cli_json(runner: CliRunner, home: Path, *args: str) -> dict[str, Any]:
    result = cli(runner, home, *args, "--json")
    assert result.exit_code == 0, result.output
    found: dict[str, Any] = json.loads(result.stdout)
    return found


def ledger_dump(home: Path) -> list[str]:
    """Every row of the ledger as SQL (no file bytes: WAL checkpoints change those)."""
    path = home / "ledger.sqlite3"
    if not path.exists():
        return []
    with sqlite3.connect(path) as conn:
        return list(conn.iterdump())


def order_rows(home: Path) -> dict[str, tuple[str, int | None]]:
    """order id -> (batch, parcel id) straight from the ledger's table."""
    with sqlite3.connect(home / "ledger.sqlite3") as conn:
        rows = conn.execute("SELECT order_id, batch_id, parcel_id FROM orders").fetchall()
    return {row[0]: (row[1], row[2]) for row in rows}


def upload_rows(path: Path) -> list[dict[str, str]]:
    """An upload CSV (GB18030) read back with the csv module."""
    text = path.read_bytes().decode("gb18030")
    return list(csv.DictReader(io.StringIO(text)))
