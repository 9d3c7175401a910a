"""The SQLite ledger: batches, parcels, orders, tracking numbers and an event log."""

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
# - Every change happens inside `write()`: BEGIN IMMEDIATE takes the write lock up front, so a
#   check-then-insert (order_states, then record_batch) cannot interleave with another run.
#   Large id sets travel as one JSON array through json_each: one statement, no giant IN list.

from __future__ import annotations

import json
import random
import re
import sqlite3
import time
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeGuard

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from batch_ship.columns import arrow_text
from batch_ship.errors import BatchShipError, LedgerError, disk_full, is_disk_full, nearly_full
from batch_ship.i18n import _
from batch_ship.model import OrderState

BUSY_TIMEOUT = 30.0  # seconds a second run waits for the write lock before giving up
CACHE_KIB = 131_072  # page cache (128 MiB): a 1M-order batch's pages stay in memory
GATHER_CHUNK = 250_000  # parcels per concatenating query: texts of tens of MB at most
INSERT_CHUNK = 50_000  # rows record_batch turns into Python objects at a time

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
        # batch it has just inserted, and Ledger.check() verifies every link.
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
        # query; the per-row probe cost a sixth of its insert; check() still verifies every
        # link) and with (parcel_id, number): parcels() and shipped_orders() read a batch's
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
)
SCHEMA_VERSION = len(MIGRATIONS)
BATCH_ID = re.compile(r"[0-9]{8}-[0-9]{2,}")

PARCEL_COLUMNS = ("seq", "file", "file_row", "reference", "name", "phone", "order_ids")
# What parcels() reads, in its frame's order.
STORED_PARCEL_COLUMNS = ("parcel_id", *PARCEL_COLUMNS)
# A parcel is shipped when a tracking row names it (the tracking_parcel index answers).
SHIPPED = "EXISTS (SELECT 1 FROM tracking AS t WHERE t.parcel_id = {parcel})"
ORDER_COLUMNS = ("order_id", "seq")
EXCEPTION_COLUMNS = ("order_id", "codes")


class LedgerUsageError(RuntimeError):
    """A bug in the caller (a change outside write(), a malformed NewBatch); never user error."""


@dataclass(frozen=True)
class NewBatch:
    """Everything one export records, in one transaction.

    parcels: one row per parcel, in submission order, columns
        seq (int, 1..n across the whole batch), file (output file name), file_row (int, the
        spreadsheet row in that file, header = 1), reference (the parcel's first order id),
        name, phone (normalized), order_ids (comma-separated, in order); optionally
        province (the recipient's normalized province, e.g. 浙江省; '' or missing = unknown):
        without that column every parcel is recorded with province ''.
    orders: one row per submitted order: order_id, seq (its parcel's seq).
    exceptions: one row per exception order: order_id, codes (comma-separated reason codes).

    record_batch checks the shape and raises LedgerUsageError (a bug, not user error) when
    text columns hold anything but str (a float id has already lost digits), a parcel's
    order_ids count or first order (= reference, in the orders' row order) disagrees with
    `orders`, or batch_id is not YYYYMMDD-NN (take it from new_batch_id()).
    """

    batch_id: str
    courier: str
    created: datetime
    files: tuple[str, ...]
    parcels: pd.DataFrame
    orders: pd.DataFrame
    exceptions: pd.DataFrame


@dataclass(frozen=True)
class BatchRef:
    """A batch and its courier: what a run needs to act on it, found without counting."""

    batch_id: str
    courier: str


@dataclass(frozen=True)
class BatchInfo:
    batch_id: str
    courier: str
    created: datetime
    files: tuple[str, ...]
    parcels: int
    orders: int
    shipped_orders: int
    awaiting_tracking: int  # parcels without a tracking number
    exceptions: int = 0  # orders this batch left in state exception (and not fixed since)


@dataclass(frozen=True)
class TrackingAssignment:
    """One tracking number for one parcel; `source` says where it came from (file row, range)."""

    parcel_id: int
    number: str
    source: str


@dataclass(frozen=True)
class Event:
    """One event log entry: what ran (`kind`), for which batch, when (ISO, UTC), and details."""

    event_id: int
    kind: str
    batch_id: str | None
    at: str
    detail: dict[str, Any]


class Ledger:
    """The workspace's ledger.sqlite3 (WAL). Reads anywhere; every change inside `write()`."""

    def __init__(self, path: Path, *, timeout: float = BUSY_TIMEOUT) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self._depth = 0  # write() nesting: 0 outside, 1 in the transaction, >1 in savepoints
        if self.path.is_dir():
            raise LedgerError(
                _("is a folder, not a ledger file"), path=self.path, hint=_("remove or rename it")
            )
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves (IMMEDIATE, not deferred).
            self._conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        except sqlite3.Error as error:
            raise LedgerError(
                _("cannot open the ledger: {error}").format(error=error),
                path=self.path,
                hint=_("check that the folder exists and is writable"),
            ) from error
        try:
            self._setup()
        except BaseException:
            self._conn.close()
            raise

    def _setup(self) -> None:
        try:
            # One statement, one snapshot: a run creating this ledger right now cannot make
            # it look like another program's database (tables, but version 0).
            version, has_tables = self._conn.execute(
                "SELECT (SELECT user_version FROM pragma_user_version),"
                " EXISTS (SELECT 1 FROM sqlite_master)"
            ).fetchone()
            self._refuse_newer(version)
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            self._conn.execute("PRAGMA temp_store = MEMORY")
            if version == 0 and has_tables:
                raise LedgerError(
                    _("not a batch-ship ledger: an SQLite database of another program"),
                    path=self.path,
                    hint=_("point --home at the right workspace, or move this file away"),
                )
            if version < SCHEMA_VERSION:
                self._migrate()
            self._use_wal()
            # A commit makes a run's files visible (they move into place once it is on
            # disk), so it must survive a power cut too: FULL syncs the WAL at each commit,
            # one fsync per run.
            self._conn.execute("PRAGMA synchronous = FULL")
        except sqlite3.DatabaseError as error:
            raise self._translate(error, "open") from error

    def _use_wal(self) -> str:
        """Switch to WAL (the journal mode stays in the file) and return the mode in force.

        The switch needs the only lock on the file. Two runs opening a new ledger together
        would each hold a read lock while waiting for it (for the whole busy timeout), so
        each try gives up at once and releases its lock, and the tries repeat until then."""
        mode = str(self._conn.execute("PRAGMA journal_mode").fetchone()[0])
        if mode.lower() == "wal":
            return mode
        deadline = time.monotonic() + self.timeout
        self._conn.execute("PRAGMA busy_timeout = 0")
        try:
            while True:
                try:
                    return str(self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])
                except sqlite3.OperationalError as error:
                    if not _is_busy(error) or time.monotonic() > deadline:
                        raise
                    time.sleep(random.uniform(0.005, 0.05))
        finally:
            self._conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")

    def _user_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def _refuse_newer(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise LedgerError(
                _(
                    "the ledger has schema version {version}, newer than this batch-ship "
                    "understands ({SCHEMA_VERSION})"
                ).format(version=version, SCHEMA_VERSION=SCHEMA_VERSION),
                path=self.path,
                hint=_("upgrade batch-ship; do not edit the ledger with an older version"),
            )

    def _migrate(self) -> None:
        self._begin()
        try:
            # Read again under the lock: another process may have migrated meanwhile.
            version = self._user_version()
            self._refuse_newer(version)
            for number in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[number]:
                    self._conn.execute(statement)
                self._conn.execute(f"PRAGMA user_version = {number + 1}")
            self._conn.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise

    @classmethod
    @contextmanager
    def open(cls, path: Path, *, timeout: float = BUSY_TIMEOUT) -> Iterator[Ledger]:
        """Open (creating and migrating the schema when needed) and close at the end."""
        ledger = cls(path, timeout=timeout)
        try:
            yield ledger
        finally:
            ledger.close()

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return self._user_version()

    # --- transactions -------------------------------------------------------------------
    def _begin(self) -> None:
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise self._translate(error, "lock") from error

    def _rollback(self) -> None:
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

    @contextmanager
    def write(self) -> Iterator[Ledger]:
        """One transaction holding the write lock (BEGIN IMMEDIATE): commit on success,
        roll back on any exception. Raises LedgerError when another run holds it too long.

        Nested write() blocks are savepoints: an exception caught inside the outer block
        undoes only the inner block's changes."""
        if self._depth:
            name = f"nested_{self._depth}"
            self._conn.execute(f"SAVEPOINT {name}")
            self._depth += 1
            try:
                yield self
            except BaseException:
                self._conn.execute(f"ROLLBACK TO {name}")
                self._conn.execute(f"RELEASE {name}")
                raise
            else:
                self._conn.execute(f"RELEASE {name}")
            finally:
                self._depth -= 1
            return
        self._begin()
        self._depth = 1
        try:
            yield self
            self._conn.execute("COMMIT")
        except sqlite3.DatabaseError as error:
            self._rollback()
            raise self._translate(error, "write") from error
        except BaseException:
            self._rollback()
            raise
        finally:
            self._depth = 0

    def _require_write(self, what: str) -> None:
        if not self._depth:
            raise LedgerUsageError(
                _("Ledger.{what}() changes the ledger: call it inside write()").format(what=what)
            )

    def _translate(self, error: sqlite3.DatabaseError, doing: str) -> BatchShipError:
        text = str(error)
        if is_disk_full(error) or ("I/O error" in text and nearly_full(self.path.parent)):
            # SQLite's "database or disk is full", or its mere "disk I/O error" when even
            # its shared-memory file finds no room
            return disk_full(self.path.parent)
        if _is_busy(error):
            return LedgerError(
                _("another batch-ship run is using the ledger (waited {timeout:g} s)").format(
                    timeout=self.timeout
                ),
                path=self.path,
                hint=_("wait for it to finish, then run this command again"),
            )
        if "not a database" in text or "malformed" in text or "encrypted" in text:
            return LedgerError(
                _("not a batch-ship ledger (SQLite says: {text})").format(text=text),
                path=self.path,
                hint=_("point --home at the right workspace, or move this file away"),
            )
        return LedgerError(
            _("the ledger failed to {doing}: {text}").format(doing=doing, text=text), path=self.path
        )

    @contextmanager
    def _read(self) -> Iterator[None]:
        """A consistent snapshot for several SELECTs (a deferred read transaction)."""
        if self._conn.in_transaction:
            yield
            return
        try:
            self._conn.execute("BEGIN")
            try:
                yield
            finally:
                self._rollback()
        except sqlite3.DatabaseError as error:
            raise self._translate(error, "read") from error

    # --- export side -------------------------------------------------------------------
    def order_states(self, order_ids: Collection[str]) -> dict[str, OrderState]:
        """The ledger state of those ids that it knows (unknown ids are absent)."""
        # The state travels as a small int: no str object per row.
        states = (OrderState.SUBMITTED, OrderState.SHIPPED, OrderState.EXCEPTION)
        rows = self._conn.execute(
            "SELECT o.order_id, CASE WHEN o.parcel_id IS NULL THEN 2"
            f" WHEN {SHIPPED.format(parcel='o.parcel_id')} THEN 1 ELSE 0 END "
            "FROM json_each(?) AS j JOIN orders AS o ON o.order_id = j.value",
            (_json_list(order_ids),),
        )
        return {order_id: states[state] for order_id, state in rows}

    def exception_codes(self, order_ids: Collection[str]) -> dict[str, str]:
        """For ids in state `exception`: their recorded comma-separated codes."""
        rows = self._conn.execute(
            "SELECT o.order_id, o.codes FROM json_each(?) AS j "
            "JOIN orders AS o ON o.order_id = j.value WHERE o.parcel_id IS NULL",
            (_json_list(order_ids),),
        )
        return dict(rows)

    def new_batch_id(self, day: date) -> str:
        """The next free id `YYYYMMDD-NN` for that day (call inside write())."""
        self._require_write("new_batch_id")
        prefix = day.strftime("%Y%m%d") + "-"
        taken = [
            row[0][len(prefix) :]
            for row in self._conn.execute(
                "SELECT batch_id FROM batches WHERE batch_id LIKE ?", (prefix + "%",)
            )
        ]
        numbers = [int(suffix) for suffix in taken if suffix.isdigit()]
        return f"{prefix}{max(numbers, default=0) + 1:02d}"

    def record_batch(self, batch: NewBatch) -> None:
        """Store a batch, its parcels (state awaiting tracking), its orders (submitted) and its
        exception orders (exception; a later export may submit them once fixed). Inside write().

        An order already in state exception is taken over: submitted with its new parcel, or
        kept as exception with this batch and the new codes. An order already submitted or
        shipped raises LedgerError, and write() rolls the whole batch back."""
        self._require_write("record_batch")
        parcels = _columns(batch.parcels, PARCEL_COLUMNS, "parcels")
        orders = _columns(batch.orders, ORDER_COLUMNS, "orders")
        exceptions = _columns(batch.exceptions, EXCEPTION_COLUMNS, "exceptions")
        seqs = _ints(parcels["seq"], "parcels.seq")
        order_seqs = _ints(orders["seq"], "orders.seq")
        order_ids = _texts(orders["order_id"], "orders.order_id")
        references = _texts(parcels["reference"], "parcels.reference")
        listed = _texts(parcels["order_ids"], "parcels.order_ids")
        exception_ids = _texts(exceptions["order_id"], "exceptions.order_id")
        n_orders = _check_parcels(seqs, order_seqs, order_ids, references, listed)
        if not BATCH_ID.fullmatch(batch.batch_id):
            raise LedgerUsageError(
                _("batch id {batch_id!r} is not YYYYMMDD-NN").format(batch_id=batch.batch_id)
            )

        if self._conn.execute(
            "SELECT 1 FROM batches WHERE batch_id = ?", (batch.batch_id,)
        ).fetchone():
            raise LedgerError(
                _("batch {batch_id} is already recorded").format(batch_id=batch.batch_id),
                path=self.path,
                hint=_("take the id from new_batch_id() inside the same write()"),
            )
        # Parcel ids are assigned here, under the write lock, so orders can name them
        # without reading anything back.
        base = int(
            self._conn.execute("SELECT coalesce(max(parcel_id), 0) FROM parcels").fetchone()[0]
        )
        self._conn.execute(
            "INSERT INTO batches (batch_id, courier, created, files, first_parcel, last_parcel)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                batch.batch_id,
                batch.courier,
                batch.created.isoformat(timespec="seconds"),
                json.dumps(list(batch.files), ensure_ascii=False),
                base + (int(seqs.min()) if len(seqs) else 1),
                base + (int(seqs.max()) if len(seqs) else 0),
            ),
        )
        # The batch id (checked above to be YYYYMMDD-NN) and the parcel id offset are SQL
        # literals: two fewer values to bind per row.
        values = [
            seqs,
            _texts(parcels["file"], "parcels.file"),
            _ints(parcels["file_row"], "parcels.file_row"),
            references,
            _texts(parcels["name"], "parcels.name"),
            _texts(parcels["phone"], "parcels.phone"),
            listed,
            n_orders,
        ]
        # province is optional: without it the column keeps its default '' (and the
        # statement does not name it, so one value fewer to bind per row).
        province = ""
        if "province" in parcels.columns:
            values.append(_texts(parcels["province"], "parcels.province"))
            province = ", province"
        self._conn.executemany(
            "INSERT INTO parcels (parcel_id, batch_id, seq, file, file_row, reference, name,"
            f" phone, order_ids, n_orders{province}) VALUES (?1 + {base}, '{batch.batch_id}',"
            f" ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8{', ?9' if province else ''})",
            _row_tuples(values),
        )
        # Sorted by id, the primary-key inserts are appends instead of page splits (2x).
        by_id = pd.DataFrame({"order_id": order_ids, "seq": order_seqs}).sort_values(
            "order_id", kind="stable"
        )
        before = self._conn.total_changes
        # Upserts: a new id inserts; an id in state exception is taken over; any other row is
        # left alone, and the change count below notices it.
        self._conn.executemany(
            "INSERT INTO orders (order_id, batch_id, parcel_id) "
            f"VALUES (?1, '{batch.batch_id}', ?2 + {base}) "
            "ON CONFLICT (order_id) DO UPDATE SET batch_id = excluded.batch_id,"
            " parcel_id = excluded.parcel_id, codes = '' WHERE orders.parcel_id IS NULL",
            _row_tuples([by_id["order_id"], by_id["seq"]]),
        )
        self._conn.executemany(
            "INSERT INTO orders (order_id, batch_id, codes) VALUES (?, ?, ?) "
            "ON CONFLICT (order_id) DO UPDATE SET batch_id = excluded.batch_id,"
            " codes = excluded.codes "
            "WHERE orders.parcel_id IS NULL AND orders.batch_id != excluded.batch_id",
            zip(
                exception_ids.tolist(),
                _repeat(batch.batch_id, len(exceptions)),
                _texts(exceptions["codes"], "exceptions.codes").tolist(),
                strict=True,
            ),
        )
        if self._conn.total_changes - before != len(order_ids) + len(exception_ids):
            self._refuse_recorded(batch.batch_id, order_ids.tolist(), exception_ids.tolist())

    def _refuse_recorded(
        self, batch_id: str, order_ids: list[str], exception_ids: list[str]
    ) -> None:
        """Name the orders an upsert skipped: listed twice, or already submitted/shipped."""
        everything = pd.Series([*order_ids, *exception_ids], dtype="str")
        repeated = everything[everything.duplicated()].tolist()
        if repeated:
            raise LedgerUsageError(
                _("NewBatch lists order {value} more than once ({value2} repeats)").format(
                    value=repeated[0], value2=len(repeated)
                )
            )
        rows = self._conn.execute(
            "SELECT s.order_id, s.batch_id, s.state FROM json_each(?) AS j "
            "JOIN order_states AS s ON s.order_id = j.value "
            "WHERE s.batch_id != ? AND s.state != 'exception'",
            (_json_list(everything.tolist()), batch_id),
        ).fetchall()
        first = rows[0] if rows else ("?", "?", "?")
        raise LedgerError(
            _(
                "{value} order(s) of batch {batch_id} are already in the ledger, e.g. "
                "order {value2} is {value3} in batch {value4}; nothing was recorded"
            ).format(
                value=len(rows),
                batch_id=batch_id,
                value2=first[0],
                value3=first[2],
                value4=first[1],
            ),
            path=self.path,
            hint=_("leave out orders that order_states() reports as submitted or shipped"),
        )

    # --- tracking side -----------------------------------------------------------------
    # Shipped parcels are the distinct parcel ids of the batch's tracking rows: a range of
    # the tracking index, rather than a probe of it per parcel.
    _SHIPPED_IDS = (
        "SELECT t.parcel_id FROM tracking AS t"
        " WHERE t.parcel_id BETWEEN b.first_parcel AND b.last_parcel"
    )
    _BATCH_INFO = (
        "SELECT b.batch_id, b.courier, b.created, b.files, count(p.parcel_id),"
        " coalesce(sum(p.n_orders), 0),"
        " (SELECT coalesce(sum(q.n_orders), 0) FROM parcels AS q"
        f"  WHERE q.parcel_id IN ({_SHIPPED_IDS})),"
        f" count(p.parcel_id) - (SELECT count(DISTINCT s.parcel_id) FROM ({_SHIPPED_IDS}) AS s),"
        " (SELECT count(*) FROM orders AS o"
        "  WHERE o.batch_id = b.batch_id AND o.parcel_id IS NULL)"
        " FROM batches AS b"
        " LEFT JOIN parcels AS p ON p.parcel_id BETWEEN b.first_parcel AND b.last_parcel"
    )

    def batch(self, batch_id: str) -> BatchInfo | None:
        row = self._conn.execute(
            self._BATCH_INFO + " WHERE b.batch_id = ? GROUP BY b.batch_id", (batch_id,)
        ).fetchone()
        return _batch_info(row) if row else None

    def batch_ref(self, batch_id: str) -> BatchRef | None:
        """The batch and its courier (a primary-key lookup), or None for an unknown batch."""
        row = self._conn.execute(
            "SELECT batch_id, courier FROM batches WHERE batch_id = ?", (batch_id,)
        ).fetchone()
        return BatchRef(row[0], row[1]) if row else None

    def batches(self) -> list[BatchInfo]:
        """All batches, oldest first."""
        rows = self._conn.execute(
            self._BATCH_INFO + " GROUP BY b.batch_id ORDER BY b.created, b.batch_id"
        )
        return [_batch_info(row) for row in rows]

    def latest_batch_id(self) -> str | None:
        """The newest batch's id (without counting its parcels), or None."""
        row = self._conn.execute(
            "SELECT batch_id FROM batches ORDER BY created DESC, batch_id DESC LIMIT 1"
        ).fetchone()
        return str(row[0]) if row else None

    def parcels(self, batch_id: str) -> pd.DataFrame:
        """The batch's parcels in submission order: parcel_id (int), seq (int), file, file_row,
        reference, name, phone, order_ids (comma-separated), tracking (comma-separated numbers
        in the order recorded: the first is the primary one; '' when none), shipped_at (ISO
        time; '' while awaiting tracking)."""
        with self._read():
            span = self._parcel_span(batch_id)
            columns = self._gather(
                "FROM parcels WHERE parcel_id BETWEEN ?1 AND ?2",
                STORED_PARCEL_COLUMNS,
                (),
                span,
            )
            # With rowid: _in_order puts a parcel's numbers in the order recorded.
            tracked = self._gather(
                "FROM tracking WHERE parcel_id BETWEEN ?1 AND ?2",
                ("parcel_id", "rowid", "number", "import_id"),
                (),
                span,
            )
            times = dict(self._conn.execute("SELECT import_id, recorded_at FROM imports"))
        parcel_ids, columns = _in_order(columns, tiebreak=False)
        track_ids, (_unused, numbers, imports) = _in_order(tracked, tiebreak=True)
        picks = np.full(len(parcel_ids), -1, dtype=np.int64)
        shipped_at = pa.chunked_array([], pa.large_string())
        if len(track_ids):
            starts = np.flatnonzero(np.r_[True, track_ids[1:] != track_ids[:-1]])
            if len(starts) < len(track_ids):  # split shipments: each parcel's numbers joined
                offsets = pa.array(np.r_[starts, len(track_ids)], pa.int64())
                lists = pa.LargeListArray.from_arrays(offsets, numbers.combine_chunks())
                numbers = pa.chunked_array(
                    [pc.binary_join(lists, pa.scalar(",", pa.large_string()))]
                )
            else:
                numbers = numbers.take(pa.array(starts))
            # shipped since its first number was recorded
            first_imports = pc.cast(imports.take(pa.array(starts)), pa.int64())
            known = pa.array(list(times), pa.int64())
            recorded = pa.array(list(times.values()), pa.large_string())
            shipped_at = pa.chunked_array(
                [recorded.take(pc.index_in(first_imports, value_set=known))]
            )
            _place(picks, parcel_ids, track_ids[starts])
        return pd.DataFrame(
            {
                "parcel_id": pd.Series(parcel_ids, dtype="int64"),
                "seq": pd.Series(_ints_of(columns[0]), dtype="int64"),
                "file": pd.Series(columns[1], dtype="str"),
                "file_row": pd.Series(_ints_of(columns[2]), dtype="int64"),
                "reference": pd.Series(columns[3], dtype="str"),
                "name": pd.Series(columns[4], dtype="str"),
                "phone": pd.Series(columns[5], dtype="str"),
                "order_ids": pd.Series(columns[6], dtype="str"),
                "tracking": pd.Series(pc.fill_null(_take(numbers, picks), ""), dtype="str"),
                "shipped_at": pd.Series(pc.fill_null(_take(shipped_at, picks), ""), dtype="str"),
            }
        )

    def province_counts(self, batch_id: str | None = None) -> dict[str, int]:
        """Parcels per recipient province, most parcels first (ties by name): of one batch,
        or of every batch when batch_id is None; {} for an unknown batch.

        Parcels without a recorded province (recorded before schema version 3, or by a
        NewBatch without the province column) count under the key '': the ledger stores
        facts, and how to show "unknown" is the reader's choice."""
        where: str = ""
        bounds: tuple[int, ...] = ()
        if batch_id is not None:
            # A rowid range scan of the batch's parcels (see _parcel_span).
            where, bounds = " WHERE parcel_id BETWEEN ? AND ?", self._parcel_span(batch_id)
        rows = self._conn.execute(
            f"SELECT province, count(*) AS n FROM parcels{where}"
            " GROUP BY province ORDER BY n DESC, province",
            bounds,
        )
        return {str(province): int(count) for province, count in rows}

    def _parcel_span(self, batch_id: str) -> tuple[int, int]:
        """The batch's parcel_id range (first, last); an empty range for an unknown batch."""
        row = self._conn.execute(
            "SELECT first_parcel, last_parcel FROM batches WHERE batch_id = ?", (batch_id,)
        ).fetchone()
        return (int(row[0]), int(row[1])) if row else (1, 0)

    def _gather(
        self,
        source: str,
        texts: tuple[str, ...],
        lists: tuple[str, ...],
        span: tuple[int, int],
    ) -> list[pa.ChunkedArray]:
        """Columns of `SELECT ... {source}` (?1..?2 = a parcel_id chunk of span), as arrow
        strings: `texts` one value per row, `lists` comma lists split into their items.

        Per chunk, SQLite concatenates each column into one text (U+001F between values)
        that arrow splits in C: no Python object per value, half the CPU of fetchall() and
        a Series per column at 100k rows. A value holding U+001F (a count mismatch) makes
        that chunk come as JSON instead. Chunks keep each text far below SQLite's size limit."""
        expressions = [f"group_concat({column}, char(31))" for column in texts]
        expressions += [f"group_concat({column}, ',')" for column in lists]
        sql = f"SELECT count(*), {', '.join(expressions)} {source}"
        json_sql = "SELECT count(*), " + ", ".join(f"json_group_array({c})" for c in texts)
        json_sql += f" {source}"
        chunks: list[list[pa.Array]] = [[] for _unused in expressions]
        first, last = span
        for low in range(first, last + 1, GATHER_CHUNK):
            bounds = (low, min(low + GATHER_CHUNK - 1, last))
            count, *joined = self._conn.execute(sql, bounds).fetchone()
            if not count:
                continue
            split = [
                pc.split_pattern(pa.array([text or ""], pa.large_string()), "\x1f").flatten()
                for text in joined[: len(texts)]
            ]
            if any(len(values) != count for values in split):
                row = self._conn.execute(json_sql, bounds).fetchone()
                split = [
                    pa.array([_text(value) for value in json.loads(text)], pa.large_string())
                    for text in row[1 : len(texts) + 1]
                ]
            split += [
                pc.split_pattern(pa.array([text], pa.large_string()), ",").flatten()
                for text in joined[len(texts) :]
            ]
            for column, values in zip(chunks, split, strict=True):
                column.append(values)
        return [pa.chunked_array(column, type=pa.large_string()) for column in chunks]

    def batches_for_references(self, references: Collection[str]) -> dict[str, str]:
        """For each reference (a parcel's first order id) known to the ledger: its batch id."""
        # A reference is an order id, so the orders primary key finds it: no extra index.
        rows = self._conn.execute(
            "SELECT p.reference, p.batch_id FROM json_each(?) AS j "
            "JOIN orders AS o ON o.order_id = j.value "
            "JOIN parcels AS p ON p.parcel_id = o.parcel_id AND p.reference = o.order_id",
            (_json_list(references),),
        )
        return dict(rows)

    def tracking_owners(self, numbers: Collection[str]) -> dict[str, int]:
        """Tracking numbers already recorded, mapped to the parcel_id that holds them."""
        rows = self._conn.execute(
            "SELECT t.number, t.parcel_id FROM json_each(?) AS j "
            "JOIN tracking AS t ON t.number = j.value",
            (_json_list(numbers),),
        )
        return dict(rows)

    def record_tracking(
        self,
        assignments: Sequence[TrackingAssignment],
        *,
        replace: bool = False,
        recorded_at: datetime | None = None,
    ) -> None:
        """Record numbers; their parcels and those parcels' orders become shipped. A parcel
        may get several numbers (split shipment); the first stays its primary number. With
        `replace`, a parcel's earlier numbers are dropped first. Inside write().

        A number already recorded for the same parcel is a no-op (re-importing a return is
        safe); a number held by another parcel, or given to two parcels here, raises
        LedgerError and write() rolls everything back. `recorded_at` (default now) is the
        numbers' time stamp and, for parcels shipping now, their shipped_at."""
        self._require_write("record_tracking")
        if not assignments:
            return
        numbers = [item.number for item in assignments]
        parcels = [item.parcel_id for item in assignments]
        sources = [item.source for item in assignments]
        rows = _fast_rows(parcels, numbers, sources)
        if rows is None:
            rows = self._tracking_rows(assignments)
        self._insert_tracking(rows, replace=replace, at=iso_time(recorded_at))

    def record_tracking_columns(
        self,
        parcel_ids: pd.Series | Sequence[int],
        numbers: pd.Series | Sequence[str],
        sources: pd.Series | Sequence[str],
        *,
        replace: bool = False,
        recorded_at: datetime | None = None,
    ) -> None:
        """`record_tracking` for columns (item i is parcel_ids[i], numbers[i], sources[i]):
        the same rules and errors, without a TrackingAssignment per number; text columns
        of pandas strings are checked without a Python string per value. Inside write()."""
        self._require_write("record_tracking_columns")
        if not len(parcel_ids) == len(numbers) == len(sources):
            raise LedgerUsageError(_("record_tracking_columns: the columns differ in length"))
        if not len(numbers):
            return
        rows = _fast_rows(parcel_ids, numbers, sources)
        if rows is None:
            rows = self._tracking_rows(
                list(map(TrackingAssignment, list(parcel_ids), list(numbers), list(sources)))
            )
        self._insert_tracking(rows, replace=replace, at=iso_time(recorded_at))

    def _insert_tracking(self, rows: pd.DataFrame, *, replace: bool, at: str) -> None:
        """Insert checked rows (parcel_id, number, source; see record_tracking) as one
        import at `at`."""
        if not rows["parcel_id"].is_monotonic_increasing:
            # In parcel_id order (stable: a parcel's numbers keep their order, so the first
            # stays its primary number): the parcel index is appended to, not split.
            rows = rows.sort_values("parcel_id", kind="stable", ignore_index=True)
        parcels_json = _json_list(rows["parcel_id"].unique().tolist())
        unknown = self._conn.execute(
            "SELECT count(*), min(j.value) FROM json_each(?) AS j "
            "LEFT JOIN parcels AS p ON p.parcel_id = j.value WHERE p.parcel_id IS NULL",
            (parcels_json,),
        ).fetchone()
        if unknown[0]:
            raise LedgerUsageError(
                _("{value} unknown parcel id(s), e.g. {value2}").format(
                    value=unknown[0], value2=unknown[1]
                )
            )
        if replace:
            self._conn.execute(
                "DELETE FROM tracking WHERE parcel_id IN (SELECT value FROM json_each(?))",
                (parcels_json,),
            )
        import_id = self._conn.execute(
            "INSERT INTO imports (recorded_at) VALUES (?)", (at,)
        ).lastrowid
        assert import_id is not None
        before = self._conn.total_changes
        # The import id (ours, an int) is an SQL literal: one value less to bind per row.
        self._conn.executemany(
            "INSERT INTO tracking (number, parcel_id, import_id, source)"
            f" VALUES (?, ?, {int(import_id)}, ?) ON CONFLICT (number) DO NOTHING",
            _row_tuples([rows["number"], rows["parcel_id"], rows["source"]]),
        )
        inserted = self._conn.total_changes - before
        if not inserted:  # no number was new: no import to remember
            self._conn.execute("DELETE FROM imports WHERE import_id = ?", (import_id,))
        if inserted != len(rows):
            owners = dict(zip(rows["number"].tolist(), rows["parcel_id"].tolist(), strict=True))
            held = self.tracking_owners(list(owners))
            clashes = [number for number, parcel in held.items() if parcel != owners[number]]
            if clashes:
                where = self._conn.execute(
                    "SELECT batch_id, reference FROM parcels WHERE parcel_id = ?",
                    (held[clashes[0]],),
                ).fetchone()
                raise LedgerError(
                    _(
                        "{value} tracking number(s) already belong to other parcels, e.g. "
                        "{value2} (batch {value3}, reference {value4}); nothing was recorded"
                    ).format(
                        value=len(clashes), value2=clashes[0], value3=where[0], value4=where[1]
                    ),
                    path=self.path,
                    hint=_("a tracking number belongs to one parcel: check the courier return"),
                )

    def _tracking_rows(self, assignments: Sequence[TrackingAssignment]) -> pd.DataFrame:
        """Item by item: raise on the first malformed number or number given to two parcels,
        in list order; drop repeats of a number for the same parcel. Returns the rows to
        insert (parcel_id, number, source)."""
        owners: dict[str, int] = {}
        numbers: list[str] = []
        parcel_ids: list[int] = []
        sources: list[str] = []
        for item in assignments:
            number = item.number
            if not isinstance(number, str) or not number or number != number.strip():
                raise LedgerUsageError(
                    _("tracking number {number!r} must be a trimmed string").format(number=number)
                )
            owner = owners.get(number)
            if owner is None:
                owners[number] = item.parcel_id
                numbers.append(number)
                parcel_ids.append(int(item.parcel_id))
                sources.append(item.source)
            elif owner != item.parcel_id:
                raise LedgerError(
                    _(
                        "tracking number {number} is given to two parcels ({owner} and "
                        "{parcel_id}); nothing was recorded"
                    ).format(number=number, owner=owner, parcel_id=item.parcel_id),
                    path=self.path,
                    hint=_("a tracking number belongs to one parcel: fix the courier return"),
                )
        return _tracking_frame(parcel_ids, pd.Series(numbers, dtype="str"), sources)

    def shipped_orders(self, batch_id: str) -> pd.DataFrame:
        """order_id, parcel_id, tracking (the parcel's primary number), shipped_at (ISO) for
        every shipped order of the batch, in submission order: the upload's rows."""
        return shipped_rows(self.parcels(batch_id))

    # --- both ---------------------------------------------------------------------------
    def check(self) -> list[str]:
        """Consistency problems (empty when sound): foreign keys, orphan orders, parcels whose
        order count disagrees with the orders that name them."""
        problems = [
            f"{table} row {rowid} points to a missing {parent}"
            for table, rowid, parent, _unused in self._conn.execute("PRAGMA foreign_key_check")
        ]
        problems += [
            f"tracking row {rowid} points to a missing parcels"
            for (rowid,) in self._conn.execute(
                "SELECT t.rowid FROM tracking AS t LEFT JOIN parcels AS p"
                " ON p.parcel_id = t.parcel_id WHERE p.parcel_id IS NULL ORDER BY t.rowid"
            )
        ]
        queries = {
            "parcels outside their batch's parcel range": "SELECT count(*) FROM parcels AS p"
            " LEFT JOIN batches AS b ON b.batch_id = p.batch_id"
            " WHERE b.batch_id IS NULL"
            " OR p.parcel_id NOT BETWEEN b.first_parcel AND b.last_parcel",
            "orders whose batch is missing": "SELECT count(*) FROM orders AS o"
            " WHERE NOT EXISTS (SELECT 1 FROM batches AS b WHERE b.batch_id = o.batch_id)",
            "orders whose parcel is missing or in another batch": "SELECT count(*) FROM orders"
            " AS o LEFT JOIN parcels AS p ON p.parcel_id = o.parcel_id"
            " WHERE o.parcel_id IS NOT NULL AND p.batch_id IS NOT o.batch_id",
            "tracking rows whose import is missing": "SELECT count(*) FROM tracking AS t"
            " WHERE NOT EXISTS (SELECT 1 FROM imports AS i WHERE i.import_id = t.import_id)",
            "parcels whose n_orders disagrees with the orders table": "SELECT count(*) FROM"
            " parcels AS p LEFT JOIN (SELECT parcel_id, count(*) AS n FROM orders"
            " WHERE parcel_id IS NOT NULL GROUP BY parcel_id) AS c"
            " ON c.parcel_id = p.parcel_id WHERE p.n_orders IS NOT c.n",
        }
        for label, query in queries.items():
            count = self._conn.execute(query).fetchone()[0]
            if count:
                problems.append(f"{count} {label}")
        return problems

    # --- publications (batch_ship/publish.py) ------------------------------------------
    def record_publication(self, run: str, moves: Sequence[tuple[str, str]]) -> None:
        """Record the files run `run` publishes (staged, target; in move order). Inside
        write(): the same commit as the run's changes."""
        self._require_write("record_publication")
        self._conn.executemany(
            "INSERT INTO publications (run, step, staged, target) VALUES (?, ?, ?, ?)",
            [(run, step, staged, target) for step, (staged, target) in enumerate(moves)],
        )

    def publications(self, run: str | None = None) -> dict[str, list[tuple[str, str]]]:
        """Recorded publications not finished yet (of one run, or all): run -> moves."""
        found: dict[str, list[tuple[str, str]]] = {}
        for name, staged, target in self._conn.execute(
            "SELECT run, staged, target FROM publications WHERE ?1 IS NULL OR run = ?1"
            " ORDER BY run, step",
            (run,),
        ):
            found.setdefault(name, []).append((staged, target))
        return found

    def forget_publication(self, run: str) -> None:
        """A publication's files are in place: drop its record. Inside write()."""
        self._require_write("forget_publication")
        self._conn.execute("DELETE FROM publications WHERE run = ?", (run,))

    def batch_ids(self) -> set[str]:
        """Every batch id the ledger holds."""
        return {row[0] for row in self._conn.execute("SELECT batch_id FROM batches")}

    def log_event(self, kind: str, batch_id: str | None, detail: dict[str, Any]) -> None:
        """Append to the event log (export, import-tracking, …). Inside write()."""
        self._require_write("log_event")
        self._conn.execute(
            "INSERT INTO events (kind, batch_id, at, detail) VALUES (?, ?, ?, ?)",
            (kind, batch_id, iso_time(), json.dumps(detail, ensure_ascii=False, default=_plain)),
        )

    def events(self, batch_id: str | None = None, kind: str | None = None) -> list[Event]:
        """The event log, oldest first; optionally one batch's or one kind's events only."""
        rows = self._conn.execute(
            "SELECT event_id, kind, batch_id, at, detail FROM events "
            "WHERE (?1 IS NULL OR batch_id = ?1) AND (?2 IS NULL OR kind = ?2) "
            "ORDER BY event_id",
            (batch_id, kind),
        )
        return [Event(row[0], row[1], row[2], row[3], json.loads(row[4])) for row in rows]

    def status(self) -> dict[str, Any]:
        """The `status --json` object of the contract: batches [...] and orders {...}."""
        with self._read():
            batches = self.batches()
            exceptions = self._conn.execute(
                "SELECT count(*) FROM orders WHERE parcel_id IS NULL"
            ).fetchone()[0]
        return {
            "batches": [
                {
                    "batch": info.batch_id,
                    "courier": info.courier,
                    "created": info.created.isoformat(),
                    "parcels": info.parcels,
                    "orders": info.orders,
                    "shipped_orders": info.shipped_orders,
                    "awaiting_tracking": info.awaiting_tracking,
                }
                for info in batches
            ],
            "orders": {
                OrderState.SUBMITTED.value: sum(b.orders - b.shipped_orders for b in batches),
                OrderState.SHIPPED.value: sum(b.shipped_orders for b in batches),
                OrderState.EXCEPTION.value: int(exceptions),
            },
        }


def empty_status() -> dict[str, Any]:
    """The status object of a workspace without a ledger."""
    return {"batches": [], "orders": {state.value: 0 for state in OrderState}}


def ledger_status(path: Path) -> dict[str, Any]:
    """status() of the ledger at `path`, or the empty status when there is none; looking
    never creates a ledger file."""
    if not Path(path).exists():
        return empty_status()
    with Ledger.open(path) as ledger:
        return ledger.status()


def shipped_rows(parcels: pd.DataFrame) -> pd.DataFrame:
    """`Ledger.shipped_orders` of a `Ledger.parcels` frame: one row per order of each shipped
    parcel, in the frame's order, with the parcel's primary (first) number."""
    shipped = parcels[(parcels["shipped_at"] != "").to_numpy()]
    orders = pc.split_pattern(arrow_text(shipped["order_ids"]), ",")
    parent = pa.array(pc.list_parent_indices(orders))
    numbers = pc.split_pattern(arrow_text(shipped["tracking"]), ",", max_splits=1)
    primary = pc.list_element(numbers, 0)
    return pd.DataFrame(
        {
            "order_id": pd.Series(pc.list_flatten(orders), dtype="str"),
            "parcel_id": pd.Series(
                shipped["parcel_id"].to_numpy(dtype=np.int64)[parent.to_numpy()], dtype="int64"
            ),
            "tracking": pd.Series(primary.take(parent), dtype="str"),
            "shipped_at": pd.Series(arrow_text(shipped["shipped_at"]).take(parent), dtype="str"),
        }
    )


# --- helpers ----------------------------------------------------------------------------
def _is_busy(error: sqlite3.Error) -> bool:
    """Whether SQLite gave up waiting for a lock another connection holds."""
    text = str(error)
    return "locked" in text or "busy" in text


def iso_time(moment: datetime | None = None) -> str:
    """The ledger's time stamps: UTC ISO 8601 to the second (default: now)."""
    return (moment or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")


def _json_list(values: Iterable[object]) -> str:
    # One JSON array bound as a single parameter: json_each turns it into rows inside SQLite.
    return json.dumps(values if isinstance(values, list) else list(values), ensure_ascii=False)


def _plain(value: object) -> object:
    """JSON for what event details hold besides plain types: numpy numbers, sets, paths."""
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _ints_of(values: pa.ChunkedArray) -> np.ndarray[Any, np.dtype[np.int64]]:
    return np.asarray(pc.cast(values, pa.int64()).to_numpy(), dtype=np.int64)


def _take(values: pa.ChunkedArray, picks: np.ndarray[Any, np.dtype[np.int64]]) -> pa.ChunkedArray:
    """values[picks], null where picks is -1."""
    if not len(values):
        return pa.chunked_array([pa.nulls(len(picks), pa.large_string())])
    return values.take(pa.array(picks, mask=picks < 0))


def _place(
    picks: np.ndarray[Any, np.dtype[np.int64]],
    ids: np.ndarray[Any, np.dtype[np.int64]],
    owners: np.ndarray[Any, np.dtype[np.int64]],
) -> None:
    """picks[i] = the position in (sorted) owners of ids[i]; left -1 when absent."""
    if not len(ids) or not len(owners):
        return
    where = np.searchsorted(owners, ids).clip(max=len(owners) - 1)
    found = owners[where] == ids
    picks[found] = where[found]


def _in_order(
    columns: list[pa.ChunkedArray], *, tiebreak: bool
) -> tuple[np.ndarray[Any, np.dtype[np.int64]], list[pa.ChunkedArray]]:
    """The first column as int64 ids and the others, in id order (then the second column's
    int order with tiebreak). The queries yield that order already; this re-sorts when not."""
    ids = _ints_of(columns[0])
    steps = np.diff(ids)
    if tiebreak:
        ties = _ints_of(columns[1])
        if bool(np.all((steps > 0) | ((steps == 0) & (np.diff(ties) > 0)))):
            return ids, columns[1:]
        order = np.lexsort((ties, ids))
    else:
        if bool(np.all(steps > 0)):
            return ids, columns[1:]
        order = np.argsort(ids, kind="stable")
    return ids[order], [column.take(pa.array(order)) for column in columns[1:]]


def _repeat(value: str, count: int) -> Iterator[str]:
    return (value for _unused in range(count))


def _fast_rows(
    parcel_ids: pd.Series | Sequence[int],
    numbers: pd.Series | Sequence[str],
    sources: pd.Series | Sequence[str],
) -> pd.DataFrame | None:
    """The usual call: well-formed numbers, each listed once, as the rows to insert, checked
    by vectorized tests (Python's own strip() on slices) instead of a dict probe per item.
    None when a number is missing, malformed or repeated: `_tracking_rows` then goes item
    by item and says which."""
    if _is_text(numbers):
        if numbers.hasnans:
            return None
        texts = numbers.reset_index(drop=True)
    else:
        listed = list(numbers)
        if set(map(type, listed)) != {str}:
            return None
        texts = pd.Series(listed, dtype="str")
    if texts.duplicated().any() or bool((texts.str.len() == 0).any()):
        return None
    for start in range(0, len(texts), INSERT_CHUNK):
        chunk = texts.iloc[start : start + INSERT_CHUNK].tolist()
        if not all(map(str.__eq__, chunk, map(str.strip, chunk))):
            return None
    return _tracking_frame(parcel_ids, texts, sources)


def _tracking_frame(
    parcel_ids: pd.Series | Sequence[int],
    numbers: pd.Series,
    sources: pd.Series | Sequence[str],
) -> pd.DataFrame:
    """Rows for `_insert_tracking`: parcel_id (int64), number and source (text)."""
    return pd.DataFrame(
        {
            "parcel_id": np.asarray(parcel_ids, dtype=np.int64),
            "number": numbers.reset_index(drop=True),
            "source": (
                sources.reset_index(drop=True)
                if _is_text(sources)
                else pd.Series(list(sources), dtype="str")
            ),
        }
    )


def _is_text(values: object) -> TypeGuard[pd.Series]:
    """A pandas text column: checked and sliced without a Python string per value."""
    return isinstance(values, pd.Series) and isinstance(values.dtype, pd.StringDtype)


def _row_tuples(columns: Sequence[pd.Series]) -> Iterator[tuple[Any, ...]]:
    """The columns' rows for executemany, made Python objects a slice at a time: all of a
    million-parcel batch as Python objects at once would be the export's peak memory."""
    total = len(columns[0]) if columns else 0
    for start in range(0, total, INSERT_CHUNK):
        picked = [column.iloc[start : start + INSERT_CHUNK].tolist() for column in columns]
        yield from zip(*picked, strict=True)


def _batch_info(row: Sequence[Any]) -> BatchInfo:
    return BatchInfo(
        batch_id=row[0],
        courier=row[1],
        created=datetime.fromisoformat(row[2]),
        files=tuple(json.loads(row[3])),
        parcels=int(row[4]),
        orders=int(row[5]),
        shipped_orders=int(row[6]),
        awaiting_tracking=int(row[7]),
        exceptions=int(row[8]),
    )


def _check_parcels(
    seqs: pd.Series,
    order_seqs: pd.Series,
    order_ids: pd.Series,
    references: pd.Series,
    listed: pd.Series,
) -> pd.Series:
    """The number of orders per parcel, after checking that parcels and orders agree."""
    if seqs.duplicated().any() or (seqs < 1).any():
        raise LedgerUsageError(_("NewBatch.parcels: seq values must be unique and from 1 on"))
    if not order_seqs.isin(seqs).all():
        raise LedgerUsageError(_("NewBatch.orders: every seq must name a parcel of the batch"))
    n_orders = order_seqs.value_counts().reindex(seqs, fill_value=0).reset_index(drop=True)
    if len(seqs) and (n_orders == 0).any():
        raise LedgerUsageError(_("NewBatch.parcels: every parcel needs at least one order"))
    # shipped_orders() reads order_ids back, so it must list exactly the parcel's orders.
    commas = listed.str.count(",") + 1
    if len(seqs) and not (commas == n_orders).all():
        raise LedgerUsageError(_("NewBatch.parcels: order_ids disagrees with NewBatch.orders"))
    firsts = pd.Series(order_ids.to_numpy(), index=order_seqs.to_numpy())
    firsts = firsts[~firsts.index.duplicated()].reindex(seqs.to_numpy())
    if len(seqs) and not (firsts.to_numpy() == references.to_numpy()).all():
        raise LedgerUsageError(_("NewBatch.parcels: reference must be the parcel's first order id"))
    return n_orders


def _columns(frame: pd.DataFrame, needed: tuple[str, ...], what: str) -> pd.DataFrame:
    missing = [column for column in needed if column not in frame.columns]
    if missing:
        raise LedgerUsageError(
            _("NewBatch.{what} lacks column(s) {value}").format(what=what, value=", ".join(missing))
        )
    return frame


def _ints(column: pd.Series, what: str) -> pd.Series:
    if not pd.api.types.is_integer_dtype(column.dtype):
        if len(column) == 0:
            return column.astype("int64").reset_index(drop=True)
        raise LedgerUsageError(
            _("NewBatch {what} must be integers, not {dtype}").format(what=what, dtype=column.dtype)
        )
    return column.astype("int64").reset_index(drop=True)


def _texts(column: pd.Series, what: str) -> pd.Series:
    """The column with a fresh 0..n index and '' for missing values, once it holds text."""
    # Ids and phones must arrive as text: a float here has already lost digits.
    if len(column) and not pd.api.types.is_string_dtype(column.dtype):
        raise LedgerUsageError(
            _("NewBatch {what} must hold strings, not {dtype}").format(
                what=what, dtype=column.dtype
            )
        )
    if column.hasnans:
        column = column.fillna("")
    return column.reset_index(drop=True)
