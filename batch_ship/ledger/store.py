"""The open ledger file: connection, WAL, transactions, busy waits and SQLite's errors."""

# Every change happens inside `write()`: BEGIN IMMEDIATE takes the write lock up front, so a
# check-then-insert (order_states, then record_batch) cannot interleave with another run.
# Large id sets travel as one JSON array through json_each: one statement, no giant IN list.

from __future__ import annotations

import json
import random
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import pandas as pd

from batch_ship.errors import BatchShipError, LedgerError, disk_full, is_disk_full, nearly_full
from batch_ship.i18n import _
from batch_ship.ledger import schema
from batch_ship.tuning import DEFAULT_TUNING, Tuning


class LedgerUsageError(RuntimeError):
    """A bug in the caller (a change outside write(), a malformed NewBatch); never user error."""


class Store:
    """The ledger file, opened (created and migrated when needed) in WAL mode.

    Reads anywhere; every change inside `write()`. `tuning` holds the busy timeout and the
    page cache size (Tuning's defaults when None); `migrations` is the schema to reach (the
    shipped one; tests pass a prefix to build an older ledger)."""

    def __init__(
        self,
        path: Path,
        *,
        tuning: Tuning | None = None,
        migrations: schema.Migrations = schema.MIGRATIONS,
    ) -> None:
        self.path = Path(path)
        self.tuning = tuning or DEFAULT_TUNING
        self.timeout = self.tuning.busy_timeout
        self._migrations = migrations
        self._depth = 0  # write() nesting: 0 outside, 1 in the transaction, >1 in savepoints
        if self.path.is_dir():
            raise LedgerError(
                _("is a folder, not a ledger file"), path=self.path, hint=_("remove or rename it")
            )
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves (IMMEDIATE, not deferred).
            self._conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
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
            version = schema.opened_version(self._conn, self.path, self._migrations)
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._conn.execute(f"PRAGMA cache_size = -{int(self.tuning.cache_kib)}")
            self._conn.execute("PRAGMA temp_store = MEMORY")
            if version < len(self._migrations):
                self._migrate()
            self._use_wal()
            # A commit makes a run's files visible (they move into place once it is on
            # disk), so it must survive a power cut too: FULL syncs the WAL at each commit,
            # one fsync per run.
            self._conn.execute("PRAGMA synchronous = FULL")
        except sqlite3.DatabaseError as error:
            raise self._translate(error, "open") from error

    def _migrate(self) -> None:
        self._begin()
        try:
            schema.upgrade(self._conn, self.path, self._migrations)
            self._conn.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise

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
                    if not is_busy(error) or time.monotonic() > deadline:
                        raise
                    time.sleep(random.uniform(0.005, 0.05))
        finally:
            self._conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")

    @classmethod
    @contextmanager
    def open(
        cls,
        path: Path,
        *,
        tuning: Tuning | None = None,
        migrations: schema.Migrations = schema.MIGRATIONS,
    ) -> Iterator[Self]:
        """Open (creating and migrating the schema when needed) and close at the end."""
        ledger = cls(path, tuning=tuning, migrations=migrations)
        try:
            yield ledger
        finally:
            ledger.close()

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

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
    def write(self) -> Iterator[Self]:
        """One transaction holding the write lock (BEGIN IMMEDIATE): commit on success,
        roll back on any exception. Raises LedgerError when another run holds it too long.

        Nested write() blocks are savepoints: an exception caught inside the outer block
        undoes only the inner block's changes."""
        if self._depth:
            with self._savepoint():
                yield self
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

    @contextmanager
    def _savepoint(self) -> Iterator[None]:
        name = f"nested_{self._depth}"
        self._conn.execute(f"SAVEPOINT {name}")
        self._depth += 1
        try:
            yield
        except BaseException:
            self._conn.execute(f"ROLLBACK TO {name}")
            self._conn.execute(f"RELEASE {name}")
            raise
        else:
            self._conn.execute(f"RELEASE {name}")
        finally:
            self._depth -= 1

    def _require_write(self, what: str) -> None:
        if not self._depth:
            raise LedgerUsageError(
                _("Ledger.{what}() changes the ledger: call it inside write()").format(what=what)
            )

    @contextmanager
    def read(self) -> Iterator[None]:
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

    def _translate(self, error: sqlite3.DatabaseError, doing: str) -> BatchShipError:
        """SQLite's error as the user's: disk full, another run busy, not a ledger."""
        text = str(error)
        if is_disk_full(error) or ("I/O error" in text and nearly_full(self.path.parent)):
            # SQLite's "database or disk is full", or its mere "disk I/O error" when even
            # its shared-memory file finds no room
            return disk_full(self.path.parent)
        if is_busy(error):
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


def is_busy(error: sqlite3.Error) -> bool:
    """Whether SQLite gave up waiting for a lock another connection holds."""
    text = str(error)
    return "locked" in text or "busy" in text


def iso_time(moment: datetime | None = None) -> str:
    """The ledger's time stamps: UTC ISO 8601 to the second (default: now)."""
    return (moment or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")


def json_list(values: Iterable[object]) -> str:
    """Values as one JSON array, bound as a single parameter: json_each makes rows of it."""
    return json.dumps(values if isinstance(values, list) else list(values), ensure_ascii=False)


def row_tuples(columns: Sequence[pd.Series], chunk: int) -> Iterator[tuple[Any, ...]]:
    """The columns' rows for executemany, made Python objects `chunk` rows at a time: all of
    a million-parcel batch as Python objects at once would be the export's peak memory."""
    total = len(columns[0]) if columns else 0
    for start in range(0, total, chunk):
        picked = [column.iloc[start : start + chunk].tolist() for column in columns]
        yield from zip(*picked, strict=True)
