"""The `status --json` object of the contract, built from the ledger's queries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from batch_ship.ledger.ledger import Ledger
from batch_ship.model import OrderState


def status(ledger: Ledger) -> dict[str, Any]:
    """batches [...] (one object per batch, oldest first) and orders {state: count}."""
    with ledger.read():
        batches = ledger.batches()
        exceptions = ledger.exception_count()
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
            OrderState.EXCEPTION.value: exceptions,
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
        return status(ledger)
