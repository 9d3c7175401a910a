"""The SQLite ledger: batches, parcels, orders, tracking numbers and an event log."""

from batch_ship.ledger.batches import BATCH_ID, PARCEL_COLUMNS, NewBatch
from batch_ship.ledger.events import Event
from batch_ship.ledger.ledger import Ledger
from batch_ship.ledger.numbers import TrackingAssignment, assignment_columns
from batch_ship.ledger.queries import BatchInfo, BatchRef, shipped_rows
from batch_ship.ledger.schema import MIGRATIONS, SCHEMA_VERSION
from batch_ship.ledger.status import empty_status, ledger_status, status
from batch_ship.ledger.store import LedgerUsageError, iso_time

__all__ = [
    "BATCH_ID",
    "MIGRATIONS",
    "PARCEL_COLUMNS",
    "SCHEMA_VERSION",
    "BatchInfo",
    "BatchRef",
    "Event",
    "Ledger",
    "LedgerUsageError",
    "NewBatch",
    "TrackingAssignment",
    "assignment_columns",
    "empty_status",
    "iso_time",
    "ledger_status",
    "shipped_rows",
    "status",
]
