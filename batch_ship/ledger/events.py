"""The event log: what ran, for which batch, when, with what result."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from batch_ship.ledger.store import Store, iso_time


@dataclass(frozen=True)
class Event:
    """One event log entry: what ran (`kind`), for which batch, when (ISO, UTC), and details."""

    event_id: int
    kind: str
    batch_id: str | None
    at: str
    detail: dict[str, Any]


class EventLog(Store):
    """log_event and events: each run's own record (imports.py, report.py read it)."""

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


def _plain(value: object) -> object:
    """JSON for what event details hold besides plain types: numpy numbers, sets, paths."""
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)
