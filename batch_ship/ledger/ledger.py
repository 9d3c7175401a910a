"""The Ledger: the open store with each capability its own module adds."""

from __future__ import annotations

from batch_ship.ledger.batches import BatchRecording
from batch_ship.ledger.events import EventLog
from batch_ship.ledger.numbers import TrackingRecording
from batch_ship.ledger.publications import Publications
from batch_ship.ledger.queries import Queries


class Ledger(BatchRecording, TrackingRecording, Queries, EventLog, Publications):
    """The workspace's ledger.sqlite3 (WAL). Reads anywhere; every change inside `write()`.

    Each base is one concern over the same connection (store.Store): recording batches
    (batches.py), recording tracking numbers (numbers.py), reading (queries.py), the event
    log (events.py) and publications (publications.py). A new concern is a new module with
    a `Store` subclass, added here."""
