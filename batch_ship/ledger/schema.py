"""The ledger's schema: its tables, the migrations that build them, the version in the file."""

# How state works (the rules export and import-tracking rely on):
# - orders.order_id is the PRIMARY KEY: an order is in at most one batch, whatever two
#   concurrent runs do. States are exclusive and follow from the row: no parcel -> exception;
#   a parcel without tracking -> submitted; a parcel with a tracking number -> shipped (the
#   `order_states` view spells this out for anyone reading the file with sqlite3).
# - An order in `exception` may be recorded again by a later batch: as submitted (fixed; it
#   moves to that batch and its parcel, codes cleared) or as exception (still broken; its
#   batch and codes are updated). A submitted or shipped order is never recorded again:
#   record_batch raises LedgerError and write() rolls the whole batch back.
# - A parcel's tracking numbers live in `tracking` (number UNIQUE: one parcel per number); the
#   first recorded (lowest rowid) is the primary number. A parcel is shipped from its first
#   number on, and so are its orders.

from __future__ import annotations

import sqlite3
from pathlib import Path

from batch_ship.errors import LedgerError
from batch_ship.i18n import _

Migrations = tuple[tuple[str, ...], ...]

# Each migration takes the schema from version i to i + 1; never edit one that has shipped,
# append a new one. PRAGMA user_version holds the version reached.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        # A batch's parcels are the parcel_id range first_parcel..last_parcel (parcel_id =
        # offset + seq, assigned under the write lock), so batch queries are rowid range scans
        # and parcels need no batch index.
        """CREATE TABLE batches (
            batch_id TEXT PRIMARY KEY,
            courier TEXT NOT NULL,
            created TEXT NOT NULL,
            files TEXT NOT NULL DEFAULT '[]',
            first_parcel INTEGER NOT NULL,
            last_parcel INTEGER NOT NULL
        ) WITHOUT ROWID""",
        # shipped_at is NULL while the parcel awaits tracking; n_orders keeps status a scan of
        # parcels only. No REFERENCES on batch_id (nor in orders): per-row foreign-key probes
        # cost a quarter of a 1M-row insert, record_batch alone writes these rows, from the
        # batch it has just inserted, and the tests check every link (tests/ledger_checks.py).
        """CREATE TABLE parcels (
            parcel_id INTEGER PRIMARY KEY,
            batch_id TEXT NOT NULL,
            seq INTEGER NOT NULL CHECK (seq > 0),
            file TEXT NOT NULL,
            file_row INTEGER NOT NULL,
            reference TEXT NOT NULL,
            name TEXT NOT NULL,
            phone TEXT NOT NULL,
            order_ids TEXT NOT NULL,
            n_orders INTEGER NOT NULL CHECK (n_orders > 0),
            shipped_at TEXT
        )""",
        # An order's state follows from its row: no parcel -> exception; else its parcel's
        # shipped_at says submitted or shipped. Tracking thus never touches order rows, and the
        # only index is the primary key (orders are inserted sorted by id: appends, not splits).
        """CREATE TABLE orders (
            order_id TEXT PRIMARY KEY CHECK (order_id != ''),
            batch_id TEXT NOT NULL,
            parcel_id INTEGER,
            codes TEXT NOT NULL DEFAULT ''
        ) WITHOUT ROWID""",
        "CREATE INDEX orders_exception ON orders (batch_id) WHERE parcel_id IS NULL",
        """CREATE VIEW order_states AS
            SELECT o.order_id, o.batch_id, o.parcel_id, o.codes,
                CASE WHEN o.parcel_id IS NULL THEN 'exception'
                     WHEN p.shipped_at IS NULL THEN 'submitted'
                     ELSE 'shipped' END AS state
            FROM orders AS o LEFT JOIN parcels AS p ON p.parcel_id = o.parcel_id""",
        # The first number recorded for a parcel (lowest rowid) is its primary number.
        """CREATE TABLE tracking (
            number TEXT NOT NULL UNIQUE CHECK (number != ''),
            parcel_id INTEGER NOT NULL REFERENCES parcels (parcel_id),
            source TEXT NOT NULL DEFAULT '',
            recorded_at TEXT NOT NULL
        )""",
        "CREATE INDEX tracking_parcel ON tracking (parcel_id)",
        """CREATE TABLE events (
            event_id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            batch_id TEXT,
            at TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '{}'
        )""",
        "CREATE INDEX events_batch ON events (batch_id)",
    ),
    (
        # tracking without REFERENCES (record_tracking checks parcel ids itself, in one
        # query; the per-row probe cost a sixth of its insert; the tests still check every
        # link) and with (parcel_id, number): parcels() reads a batch's
        # numbers from the index alone. Rowids are kept: the lowest is the primary number.
        """CREATE TABLE tracking_2 (
            number TEXT NOT NULL UNIQUE CHECK (number != ''),
            parcel_id INTEGER NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            recorded_at TEXT NOT NULL
        )""",
        "INSERT INTO tracking_2 (rowid, number, parcel_id, source, recorded_at)"
        " SELECT rowid, number, parcel_id, source, recorded_at FROM tracking ORDER BY rowid",
        "DROP TABLE tracking",
        "ALTER TABLE tracking_2 RENAME TO tracking",
        "CREATE INDEX tracking_parcel ON tracking (parcel_id, number)",
    ),
    (
        # The recipient's province per parcel (the report's parcels per province). Adding a
        # column with a constant default rewrites no row; parcels recorded before keep ''.
        # No index: province_counts() is one scan, and an index would slow record_batch.
        "ALTER TABLE parcels ADD COLUMN province TEXT NOT NULL DEFAULT ''",
    ),
    (
        # A parcel is shipped when it has a tracking number, and since when is the time its
        # first number (lowest rowid) was recorded: parcels.shipped_at, which every import
        # rewrote for each parcel it shipped (each parcel page written again, a third of an
        # import's ledger time), goes. Time stamps move to `imports`, one row per
        # record_tracking call: tracking rows shrink by the 32-byte ISO time each carried.
        # The tracking index carries import_id, so parcels() reads all it needs from it.
        "CREATE TABLE imports (import_id INTEGER PRIMARY KEY, recorded_at TEXT NOT NULL)",
        "INSERT INTO imports (recorded_at)"
        " SELECT recorded_at FROM tracking GROUP BY recorded_at ORDER BY min(rowid)",
        """CREATE TABLE tracking_4 (
            number TEXT NOT NULL UNIQUE CHECK (number != ''),
            parcel_id INTEGER NOT NULL,
            import_id INTEGER NOT NULL,
            source TEXT NOT NULL DEFAULT ''
        )""",
        "INSERT INTO tracking_4 (rowid, number, parcel_id, import_id, source)"
        " SELECT t.rowid, t.number, t.parcel_id, i.import_id, t.source FROM tracking AS t"
        " JOIN imports AS i ON i.recorded_at = t.recorded_at ORDER BY t.rowid",
        "DROP TABLE tracking",
        "ALTER TABLE tracking_4 RENAME TO tracking",
        "CREATE INDEX tracking_parcel ON tracking (parcel_id, number, import_id)",
        "DROP VIEW order_states",
        "ALTER TABLE parcels DROP COLUMN shipped_at",
        """CREATE VIEW order_states AS
            SELECT o.order_id, o.batch_id, o.parcel_id, o.codes,
                CASE WHEN o.parcel_id IS NULL THEN 'exception'
                     WHEN EXISTS (SELECT 1 FROM tracking AS t WHERE t.parcel_id = o.parcel_id)
                     THEN 'shipped' ELSE 'submitted' END AS state
            FROM orders AS o""",
    ),
    (
        # The files a run publishes (staged path -> final path, both relative to the ledger's
        # folder, moved in `step` order), recorded in the run's own commit and deleted once
        # they are in place: opening the workspace finishes the moves of a run that died in
        # between (batch_ship/publish.py).
        """CREATE TABLE publications (
            run TEXT NOT NULL,
            step INTEGER NOT NULL,
            staged TEXT NOT NULL,
            target TEXT NOT NULL,
            PRIMARY KEY (run, step)
        ) WITHOUT ROWID""",
    ),
    (
        # Voided parcels (batch-ship void; ship moving an order): the parcel's row, its
        # orders and its numbers leave parcels/orders/tracking (so every query, upload and
        # count ignores them and a later export takes the orders again); what it was stays
        # here (ledger/voids.py). cancelled = 1: it had a number (a cancelled waybill).
        """CREATE TABLE voids (
            void_id INTEGER PRIMARY KEY,
            batch_id TEXT NOT NULL,
            parcel_id INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            reference TEXT NOT NULL,
            order_ids TEXT NOT NULL,
            tracking TEXT NOT NULL DEFAULT '',
            cancelled INTEGER NOT NULL DEFAULT 0,
            reason TEXT NOT NULL DEFAULT '',
            at TEXT NOT NULL
        )""",
        "CREATE INDEX voids_batch ON voids (batch_id)",
        # Orders submitted or shipped that a later export read as closed or refunding
        # (拦截件, ledger/intercepts.py): never in an upload written after `at`.
        """CREATE TABLE intercepts (
            order_id TEXT PRIMARY KEY CHECK (order_id != ''),
            batch_id TEXT NOT NULL,
            courier TEXT NOT NULL,
            tracking TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL,
            raw_status TEXT NOT NULL DEFAULT '',
            at TEXT NOT NULL
        ) WITHOUT ROWID""",
        # 'export' or 'manual' (batch-ship ship: one parcel shipped by hand).
        "ALTER TABLE batches ADD COLUMN kind TEXT NOT NULL DEFAULT 'export'",
    ),
    (
        # The waybill-number stock, from-stock parcels' label data, printing and handovers
        # (batch_ship/ledger/stock.py).
        # One row per waybill number bought from a courier: free, used (by parcel_id, since
        # used_at) or retired (a voided parcel's number the courier does not take back).
        """CREATE TABLE stock (
            number TEXT NOT NULL UNIQUE CHECK (number != ''),
            courier TEXT NOT NULL,
            sort_code TEXT NOT NULL DEFAULT '',
            hub TEXT NOT NULL DEFAULT '',
            added_at TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            state TEXT NOT NULL DEFAULT 'free' CHECK (state IN ('free', 'used', 'retired')),
            parcel_id INTEGER,
            used_at TEXT
        )""",
        # The free numbers of a courier in the order they were added: the next ones to hand out.
        "CREATE INDEX stock_free ON stock (courier) WHERE state = 'free'",
        "CREATE INDEX stock_parcel ON stock (parcel_id) WHERE parcel_id IS NOT NULL",
        """CREATE TRIGGER stock_never_used BEFORE INSERT ON stock
            WHEN EXISTS (SELECT 1 FROM tracking WHERE number = NEW.number)
            BEGIN SELECT RAISE(ABORT, 'stock number already used as a tracking number'); END""",
        """CREATE TABLE parcel_labels (
            parcel_id INTEGER PRIMARY KEY,
            courier TEXT NOT NULL,
            label TEXT NOT NULL,
            printed_at TEXT,
            prints INTEGER NOT NULL DEFAULT 0,
            handover_id INTEGER,
            voided_at TEXT
        )""",
        """CREATE TABLE handovers (
            handover_id INTEGER PRIMARY KEY,
            courier TEXT NOT NULL,
            day TEXT NOT NULL,
            n INTEGER NOT NULL,
            at TEXT NOT NULL,
            parcels INTEGER NOT NULL,
            files TEXT NOT NULL DEFAULT '[]',
            UNIQUE (day, courier, n)
        )""",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


def opened_version(conn: sqlite3.Connection, path: Path, migrations: Migrations) -> int:
    """The file's schema version, after refusing a newer ledger and another program's file."""
    # One statement, one snapshot: a run creating this ledger right now cannot make it look
    # like another program's database (tables, but version 0).
    version, has_tables = conn.execute(
        "SELECT (SELECT user_version FROM pragma_user_version),"
        " EXISTS (SELECT 1 FROM sqlite_master)"
    ).fetchone()
    refuse_newer(int(version), migrations, path)
    if version == 0 and has_tables:
        raise LedgerError(
            _("not a batch-ship ledger: an SQLite database of another program"),
            path=path,
            hint=_("point --home at the right workspace, or move this file away"),
        )
    return int(version)


def upgrade(conn: sqlite3.Connection, path: Path, migrations: Migrations) -> None:
    """Apply the pending migrations in order. The caller holds the write lock and commits."""
    # Read again under the lock: another process may have migrated meanwhile.
    version = user_version(conn)
    refuse_newer(version, migrations, path)
    for number in range(version, len(migrations)):
        for statement in migrations[number]:
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {number + 1}")


def user_version(conn: sqlite3.Connection) -> int:
    """The schema version the file is at (PRAGMA user_version; 0 for a new file)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def refuse_newer(version: int, migrations: Migrations, path: Path) -> None:
    """A ledger written by a newer batch-ship is never touched: its rules may differ."""
    if version > len(migrations):
        raise LedgerError(
            _(
                "the ledger has schema version {version}, newer than this batch-ship "
                "understands ({SCHEMA_VERSION})"
            ).format(version=version, SCHEMA_VERSION=len(migrations)),
            path=path,
            hint=_("upgrade batch-ship; do not edit the ledger with an older version"),
        )
