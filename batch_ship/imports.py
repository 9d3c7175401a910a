"""Each import-tracking's own record: its number in the batch, its reconcile workbook, the list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from batch_ship.ledger import Ledger, status
from batch_ship.ledger.voids import void_history

IMPORT_EVENT = "import-tracking"
LEGACY_RECONCILE = "reconcile.xlsx"  # what every import wrote, over the last one, until 2026-12
# What an import's entry in `status --batch` shows, from its event's detail.
_COUNTS = (
    "parcels_matched", "orders_shipped", "already_recorded", "unknown_rows", "invalid_numbers",
    "duplicate_numbers", "conflicts",
)  # fmt: skip


def reconcile_name(number: int) -> str:
    """The reconcile workbook of a batch's `number`th import: reconcile-<number>.xlsx."""
    return f"reconcile-{number}.xlsx"


def next_import(ledger: Ledger, batch_id: str, folder: Path) -> tuple[int, str]:
    """The number of the batch's next import and its reconcile workbook's name. Called under
    the ledger's write lock, so two imports never take the same number; a name already in
    the folder (from an import that did not commit) is skipped, never overwritten."""
    number = len(ledger.events(batch_id, IMPORT_EVENT)) + 1
    while (folder / reconcile_name(number)).exists():
        number += 1
    return number, reconcile_name(number)


def batch_imports(ledger: Ledger, batch_id: str) -> list[dict[str, Any]]:
    """Every import of a batch, oldest first: its number, when, what it read, what it did
    and its reconcile workbook (imports made before each had its own share reconcile.xlsx)."""
    imports = []
    for position, event in enumerate(ledger.events(batch_id, IMPORT_EVENT), start=1):
        detail = event.detail
        imports.append(
            {
                "import": int(detail.get("import", position)),
                "at": event.at,
                "sources": list(detail.get("sources", [])),
                **{key: int(detail.get(key, 0)) for key in _COUNTS},
                "replace": bool(detail.get("replace", False)),
                "reconcile": str(detail.get("reconcile", LEGACY_RECONCILE)),
            }
        )
    return imports


def batch_status(path: Path, batch_id: str) -> dict[str, Any] | None:
    """`status --batch ID`: the batch's line of `status` and its imports; None when the
    ledger does not know the batch."""
    if not Path(path).exists():
        return None
    with Ledger.open(path) as ledger:
        found = [entry for entry in status(ledger)["batches"] if entry["batch"] == batch_id]
        if not found:
            return None
        voids = [entry.as_dict() for entry in void_history(ledger, batch_id)]
        return {**found[0], "imports": batch_imports(ledger, batch_id), "voids": voids}
