"""The SQLite ledger: batches, parcels, orders, tracking numbers and an event log."""

# CONTRACT SKELETON (to be implemented): signatures and docstrings below are what export
# (batch_ship/export.py) and tracking (batch_ship/tracking.py) code against.

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from batch_ship.model import OrderState


@dataclass(frozen=True)
class NewBatch:
    """Everything one export records, in one transaction.

    parcels: one row per parcel, in submission order, columns
        seq (int, 1..n across the whole batch), file (output file name), file_row (int, the
        spreadsheet row in that file, header = 1), reference (the parcel's first order id),
        name, phone (normalized), order_ids (comma-separated, in order).
    orders: one row per submitted order: order_id, seq (its parcel's seq).
    exceptions: one row per exception order: order_id, codes (comma-separated reason codes).
    """

    batch_id: str
    courier: str
    created: datetime
    files: tuple[str, ...]
    parcels: pd.DataFrame
    orders: pd.DataFrame
    exceptions: pd.DataFrame


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


@dataclass(frozen=True)
class TrackingAssignment:
    """One tracking number for one parcel; `source` says where it came from (file row, range)."""

    parcel_id: int
    number: str
    source: str


class Ledger:
    """The workspace's ledger.sqlite3 (WAL). Reads anywhere; every change inside `write()`."""

    def __init__(self, path: Path) -> None:
        raise NotImplementedError

    @classmethod
    @contextmanager
    def open(cls, path: Path) -> Iterator[Ledger]:
        """Open (creating and migrating the schema when needed) and close at the end."""
        raise NotImplementedError
        yield

    def close(self) -> None:
        raise NotImplementedError

    @contextmanager
    def write(self) -> Iterator[Ledger]:
        """One transaction holding the write lock (BEGIN IMMEDIATE): commit on success,
        roll back on any exception. Raises LedgerError when another run holds it too long."""
        raise NotImplementedError
        yield

    # --- export side -------------------------------------------------------------------
    def order_states(self, order_ids: Collection[str]) -> dict[str, OrderState]:
        """The ledger state of those ids that it knows (unknown ids are absent)."""
        raise NotImplementedError

    def exception_codes(self, order_ids: Collection[str]) -> dict[str, str]:
        """For ids in state `exception`: their recorded comma-separated codes."""
        raise NotImplementedError

    def new_batch_id(self, day: date) -> str:
        """The next free id `YYYYMMDD-NN` for that day (call inside write())."""
        raise NotImplementedError

    def record_batch(self, batch: NewBatch) -> None:
        """Store a batch, its parcels (state awaiting tracking), its orders (submitted) and its
        exception orders (exception; a later export may submit them once fixed). Inside write()."""
        raise NotImplementedError

    # --- tracking side -----------------------------------------------------------------
    def batch(self, batch_id: str) -> BatchInfo | None:
        raise NotImplementedError

    def batches(self) -> list[BatchInfo]:
        """All batches, oldest first."""
        raise NotImplementedError

    def parcels(self, batch_id: str) -> pd.DataFrame:
        """The batch's parcels in submission order: parcel_id (int), seq (int), file, file_row,
        reference, name, phone, order_ids (comma-separated), tracking (comma-separated numbers
        in the order recorded, '' when none)."""
        raise NotImplementedError

    def batches_for_references(self, references: Collection[str]) -> dict[str, str]:
        """For each reference (a parcel's first order id) known to the ledger: its batch id."""
        raise NotImplementedError

    def tracking_owners(self, numbers: Collection[str]) -> dict[str, int]:
        """Tracking numbers already recorded, mapped to the parcel_id that holds them."""
        raise NotImplementedError

    def record_tracking(
        self, assignments: Sequence[TrackingAssignment], *, replace: bool = False
    ) -> None:
        """Record numbers; their parcels and those parcels' orders become shipped. A parcel
        may get several numbers (split shipment); the first stays its primary number. With
        `replace`, a parcel's earlier numbers are dropped first. Inside write()."""
        raise NotImplementedError

    def shipped_orders(self, batch_id: str) -> pd.DataFrame:
        """order_id, parcel_id, tracking (the parcel's primary number), shipped_at (ISO) for
        every shipped order of the batch, in submission order: the upload's rows."""
        raise NotImplementedError

    # --- both ---------------------------------------------------------------------------
    def log_event(self, kind: str, batch_id: str | None, detail: dict[str, Any]) -> None:
        """Append to the event log (export, import-tracking, …). Inside write()."""
        raise NotImplementedError

    def status(self) -> dict[str, Any]:
        """The `status --json` object of the contract: batches [...] and orders {...}."""
        raise NotImplementedError
