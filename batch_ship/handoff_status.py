"""What `status` adds after the handoff: orders shipped by hand and intercepts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from batch_ship.ledger import Ledger
from batch_ship.ledger.intercepts import all_intercepts
from batch_ship.ledger.voids import manual_shipments


def handoff_status(path: Path) -> dict[str, Any]:
    """`manual` (orders shipped by hand) and `intercepts` (拦截件) for `status --json`;
    empty without a ledger (looking never creates one)."""
    if not Path(path).exists():
        return {"manual": [], "intercepts": []}
    with Ledger.open(path) as ledger:
        return {
            "manual": manual_shipments(ledger),
            "intercepts": [item.as_dict() for item in all_intercepts(ledger)],
        }
