"""batch_ship.ledger.schema: the tables, migrations from every version, refusals."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from batch_ship.errors import LedgerError
from batch_ship.ledger import (
    MIGRATIONS,
    SCHEMA_VERSION,
    Ledger,
    LedgerUsageError,
    shipped_rows,
    status,
)
from batch_ship.ledger.schema import user_version
from batch_ship.model import OrderState
from tests.ledger_helpers import (
    A,
    B,
    C,
    D,
    E,
    consistency_problems,
    record,
)


def test_schema_is_created_versioned_wal_with_foreign_keys(ledger: Ledger, path: Path) -> None:
    assert user_version(ledger._conn) == SCHEMA_VERSION
    conn = sqlite3.connect(path)
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"batches", "parcels", "orders", "tracking", "events"} <= tables
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    assert ledger._conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_reopening_keeps_data_and_does_not_migrate_again(path: Path) -> None:
    with Ledger.open(path) as first:
        batch_id = record(first, [[A]])
    with Ledger.open(path) as second:
        assert user_version(second._conn) == SCHEMA_VERSION
        assert [info.batch_id for info in second.batches()] == [batch_id]


def test_pending_migrations_apply_in_order(path: Path) -> None:
    with Ledger.open(path) as ledger:
        record(ledger, [[A]])
    extra = (
        "CREATE TABLE notes (note TEXT)",
        "INSERT INTO notes SELECT 'batches: ' || count(*) FROM batches",
    )
    for _ in range(2):  # the second open finds nothing to do
        with Ledger.open(path, migrations=(*MIGRATIONS, extra)) as ledger:
            assert user_version(ledger._conn) == SCHEMA_VERSION + 1
            notes = ledger._conn.execute("SELECT note FROM notes").fetchall()
            assert notes == [("batches: 1",)]


def test_a_failing_migration_changes_nothing(path: Path) -> None:
    with Ledger.open(path):
        pass
    broken = ("CREATE TABLE half (x)", "INSERT INTO no_such_table VALUES (1)")
    with pytest.raises(LedgerError, match="no_such_table"):
        Ledger(path, migrations=(*MIGRATIONS, broken))
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'half'").fetchone()
    conn.close()


def test_newer_schema_is_refused(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(LedgerError, match="newer than this batch-ship") as caught:
        Ledger(path)
    assert caught.value.hint == "upgrade batch-ship; do not edit the ledger with an older version"


def test_another_programs_database_is_not_taken_over(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE orders (id INTEGER)")
    conn.close()
    with pytest.raises(LedgerError, match="an SQLite database of another program"):
        Ledger(path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("orders",)]
    conn.close()


def parcel_ids(ledger: Ledger) -> list[int]:
    """Parcel ids through SQL, readable under any schema version."""
    return [row[0] for row in ledger._conn.execute("SELECT parcel_id FROM parcels ORDER BY 1")]


def test_a_version_1_ledger_is_migrated_keeping_tracking(
    path: Path,
) -> None:
    with Ledger.open(path, migrations=MIGRATIONS[:1]) as ledger:
        assert user_version(ledger._conn) == 1
        batch_id = record(ledger, [[A], [B]])
        first, second = parcel_ids(ledger)
        # as version 1 wrote them: numbers out of value order, a parcel with two (the
        # second recorded later), shipped_at the time of each parcel's first number
        rows = [("73100000000009", first, "2026-11-26T01:00:00+00:00")]
        rows.append(("73100000000002", second, "2026-11-26T02:00:00+00:00"))
        rows.append(("73100000000001", first, "2026-11-27T03:00:00+00:00"))
        with ledger.write():
            ledger._conn.executemany(
                "INSERT INTO tracking (number, parcel_id, recorded_at) VALUES (?, ?, ?)",
                rows,
            )
            ledger._conn.executemany(
                "UPDATE parcels SET shipped_at = ? WHERE parcel_id = ?",
                [(rows[0][2], first), (rows[1][2], second)],
            )
    with Ledger.open(path) as ledger:
        assert user_version(ledger._conn) == SCHEMA_VERSION
        assert user_version(ledger._conn) == SCHEMA_VERSION == 7
        parcels = ledger.parcels(batch_id)
        assert parcels["tracking"].tolist() == ["73100000000009,73100000000001", "73100000000002"]
        assert parcels["shipped_at"].tolist() == [rows[0][2], rows[1][2]]
        assert shipped_rows(ledger.parcels(batch_id))["tracking"].tolist() == [
            "73100000000009",
            "73100000000002",
        ]
        assert consistency_problems(ledger) == []
        ledger._conn.execute(
            "INSERT INTO tracking (number, parcel_id, import_id) VALUES ('7319', 999, 1)"
        )
        ledger._conn.execute(
            f"INSERT INTO tracking (number, parcel_id, import_id) VALUES ('7320', {first}, 99)"
        )
        assert consistency_problems(ledger) == [
            "tracking row 4 points to a missing parcels",
            "1 tracking rows whose import is missing",
        ]


def test_a_version_2_ledger_gains_provinces_keeping_its_data(
    path: Path,
) -> None:
    with Ledger.open(path, migrations=MIGRATIONS[:2]) as ledger:
        assert user_version(ledger._conn) == 2
        old_batch = record(ledger, [[A], [B, C]], {D: "phone-masked"})
        first = parcel_ids(ledger)[0]
        with ledger.write():  # as version 2 recorded a number
            ledger._conn.execute(
                "INSERT INTO tracking (number, parcel_id, source, recorded_at)"
                " VALUES ('73100000000001', ?, 'row 2', '2026-11-26T01:00:00+00:00')",
                (first,),
            )
            ledger._conn.execute(
                "UPDATE parcels SET shipped_at = '2026-11-26T01:00:00+00:00' WHERE parcel_id = ?",
                (first,),
            )
        recorded = status(ledger)
    with Ledger.open(path) as ledger:
        assert user_version(ledger._conn) == SCHEMA_VERSION
        parcels = ledger.parcels(old_batch)
        assert parcels["tracking"].tolist() == ["73100000000001", ""]
        assert parcels["shipped_at"].tolist() == ["2026-11-26T01:00:00+00:00", ""]
        assert status(ledger) == recorded
        assert ledger.order_states([A, B, C, D]) == {
            A: OrderState.SHIPPED,
            B: OrderState.SUBMITTED,
            C: OrderState.SUBMITTED,
            D: OrderState.EXCEPTION,
        }
        assert ledger.province_counts(old_batch) == {"": 2}  # recorded before: unknown
        new = record(ledger, [[E]], provinces=["浙江省"])
        assert ledger.province_counts(new) == {"浙江省": 1}
        assert ledger.province_counts() == {"": 2, "浙江省": 1}
        assert consistency_problems(ledger) == []


def test_a_version_3_ledger_keeps_what_shipped_and_when(
    path: Path,
) -> None:
    """Version 4 drops parcels.shipped_at (shipped = has a number, since its first number's
    import) and moves tracking's time stamps to imports; the view and every reader agree."""
    times = ["2026-11-26T01:00:00+00:00", "2026-11-27T02:00:00+00:00"]
    with Ledger.open(path, migrations=MIGRATIONS[:3]) as ledger:
        batch_id = record(ledger, [[A], [B, C], [D]])
        first, second, _ = parcel_ids(ledger)
        rows = [("73100000000001", first, "row 2", times[0])]
        rows.append(("73100000000002", second, "row 3", times[0]))
        rows.append(("73100000000003", first, "later.xlsx row 2", times[1]))
        with ledger.write():
            ledger._conn.executemany(
                "INSERT INTO tracking (number, parcel_id, source, recorded_at) VALUES (?, ?, ?, ?)",
                rows,
            )
            ledger._conn.execute(
                "UPDATE parcels SET shipped_at = ? WHERE parcel_id IN (?, ?)",
                (times[0], first, second),
            )
        view = ledger._conn.execute(
            "SELECT order_id, state FROM order_states ORDER BY order_id"
        ).fetchall()
    with Ledger.open(path) as ledger:
        assert user_version(ledger._conn) == SCHEMA_VERSION
        columns = [row[1] for row in ledger._conn.execute("PRAGMA table_info(parcels)")]
        assert "shipped_at" not in columns
        assert ledger._conn.execute(
            "SELECT number, source, recorded_at FROM tracking JOIN imports USING (import_id)"
            " ORDER BY tracking.rowid"
        ).fetchall() == [(number, source, at) for number, _, source, at in rows]
        parcels = ledger.parcels(batch_id)
        assert parcels["tracking"].tolist() == [
            "73100000000001,73100000000003",
            "73100000000002",
            "",
        ]
        assert parcels["shipped_at"].tolist() == [times[0], times[0], ""]
        assert (
            ledger._conn.execute(
                "SELECT order_id, state FROM order_states ORDER BY order_id"
            ).fetchall()
            == view
        )
        assert ledger.order_states([A, B, C, D]) == {
            A: OrderState.SHIPPED,
            B: OrderState.SHIPPED,
            C: OrderState.SHIPPED,
            D: OrderState.SUBMITTED,
        }
        assert consistency_problems(ledger) == []


def test_a_version_4_ledger_gains_an_empty_publications_table_keeping_its_data(
    path: Path,
) -> None:
    """Version 5 adds `publications` (batch_ship/publish.py): what a run publishes, recorded
    in its commit. Nothing is pending after the upgrade; records come and go in write()."""
    with Ledger.open(path, migrations=MIGRATIONS[:4]) as ledger:
        batch_id = record(ledger, [[A], [B, C]])
        before = status(ledger)
        with pytest.raises(sqlite3.OperationalError, match="publications"):
            ledger.publications()
    with Ledger.open(path) as ledger:
        assert user_version(ledger._conn) == SCHEMA_VERSION
        assert user_version(ledger._conn) == SCHEMA_VERSION == 7
        assert status(ledger) == before
        assert ledger.batch_ids() == {batch_id}
        assert ledger.publications() == {}
        assert consistency_problems(ledger) == []
        moves = [("batches/.publish-1-ab/0-reconcile.xlsx", "batches/x/reconcile.xlsx")]
        moves.append(("batches/.publish-1-ab/1-upload-taobao.csv", "batches/x/upload-taobao.csv"))
        with pytest.raises(LedgerUsageError):
            ledger.record_publication("1-ab", moves)
        with ledger.write():
            ledger.record_publication("1-ab", moves)
        assert ledger.publications() == {"1-ab": moves}
        assert ledger.publications("2-cd") == {}
        with ledger.write():
            ledger.forget_publication("1-ab")
        assert ledger.publications() == {}
