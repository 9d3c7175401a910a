"""batch_ship.ledger.events: the event log."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np

from batch_ship.ledger import (
    Ledger,
)
from tests.ledger_helpers import (
    A,
    record,
)


def test_events_keep_kind_batch_and_detail(ledger: Ledger) -> None:
    batch_id = record(ledger, [[A]])
    with ledger.write():
        ledger.log_event("export", batch_id, {"orders_read": 1, "seconds": 0.25})
        ledger.log_event("import-tracking", batch_id, {"parcels_matched": 1})
        ledger.log_event("status", None, {"path": Path("/tmp/x"), "n": np.int64(3)})
    events = ledger.events()
    assert [(event.kind, event.batch_id) for event in events] == [
        ("export", batch_id),
        ("import-tracking", batch_id),
        ("status", None),
    ]
    assert events[0].detail == {"orders_read": 1, "seconds": 0.25}
    assert events[2].detail == {"path": "/tmp/x", "n": 3}
    assert datetime.fromisoformat(events[0].at).tzinfo is not None
    assert [event.kind for event in ledger.events(kind="export")] == ["export"]
    assert len(ledger.events(batch_id=batch_id)) == 2
