"""The Ledger: the open store with each capability its own module adds."""

from __future__ import annotations

from batch_ship.ledger.batches import BatchRecording
from batch_ship.ledger.events import EventLog
from batch_ship.ledger.numbers import TrackingRecording
from batch_ship.ledger.publications import Publications
from batch_ship.ledger.queries import Queries
from batch_ship.ledger.stock import StockRecords


class Ledger(BatchRecording, TrackingRecording, Queries, EventLog, Publications, StockRecords):
    """The workspace's ledger.sqlite3 (WAL). Reads anywhere; every change inside `write()`.

    Each base is one concern over the same connection (store.Store): recording batches
    (batches.py), recording tracking numbers (numbers.py), reading (queries.py), the event
    log (events.py), publications (publications.py) and the number stock with its labels
    and handovers (stock.py). A new concern is a new module with
    a `Store` subclass, added here."""
