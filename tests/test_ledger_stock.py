"""The ledger's stock tables (schema 7): ledgers of versions 5 and 6 upgrade keeping every row."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from batch_ship.ledger import MIGRATIONS, SCHEMA_VERSION, Ledger
from batch_ship.ledger.schema import user_version
from batch_ship.ledger.stock import StockNumber
from tests.ledger_helpers import consistency_problems


def _ledger_at(path: Path, version: int) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    for number in range(version):
        for statement in MIGRATIONS[number]:
            conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.execute(
        "INSERT INTO batches (batch_id, courier, created, first_parcel, last_parcel)"
        " VALUES ('20261126-01', 'zto', '2026-11-26T09:00:00', 1, 0)"
    )
    conn.close()


@pytest.mark.parametrize("before", [1, 0])
def test_an_older_ledger_is_upgraded_and_keeps_its_batches(tmp_path: Path, before: int) -> None:
    path = tmp_path / "ledger.sqlite3"
    stock_version = next(i for i, m in enumerate(MIGRATIONS) if "CREATE TABLE stock" in m[0])
    assert stock_version == 6  # versions 5 and 6 are tested
    _ledger_at(path, stock_version - before)
    with Ledger.open(path) as ledger:
        assert user_version(ledger._conn) == SCHEMA_VERSION
        assert ledger.batch_ids() == {"20261126-01"}
        with ledger.write():
            ledger.add_stock("zto", [StockNumber("730000000001")], "test", "2026-12-03T00:00:00")
        assert ledger.free_count("zto") == 1
        assert consistency_problems(ledger) == []
