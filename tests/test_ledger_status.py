"""batch_ship.ledger.status: the status object of the contract."""

from __future__ import annotations

from pathlib import Path

from batch_ship.ledger import (
    Ledger,
    empty_status,
    ledger_status,
    status,
)
from tests.ledger_helpers import (
    A,
    B,
    C,
    D,
    E,
    record,
)


def test_status_object_shape_and_counts(ledger: Ledger) -> None:
    assert status(ledger) == empty_status()
    first = record(ledger, [[A, B], [C]], {D: "phone-invalid"})
    second = record(ledger, [[E]])
    (parcel, _) = ledger.parcels(first)["parcel_id"].tolist()
    with ledger.write():
        ledger.record_tracking([parcel], ["73100000000001"], ["row 2"])
    assert status(ledger) == {
        "batches": [
            {
                "batch": first,
                "courier": "zto",
                "created": "2026-11-26T09:30:00",
                "parcels": 2,
                "orders": 3,
                "shipped_orders": 2,
                "awaiting_tracking": 1,
            },
            {
                "batch": second,
                "courier": "zto",
                "created": "2026-11-26T09:30:00",
                "parcels": 1,
                "orders": 1,
                "shipped_orders": 0,
                "awaiting_tracking": 1,
            },
        ],
        "orders": {"submitted": 2, "shipped": 2, "exception": 1},
    }


def test_ledger_status_of_a_missing_ledger_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "ledger.sqlite3"
    assert ledger_status(missing) == {
        "batches": [],
        "orders": {"submitted": 0, "shipped": 0, "exception": 0},
    }
    assert list(tmp_path.iterdir()) == []
