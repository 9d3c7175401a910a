"""What one import-tracking run did (`ImportResult`), counted from its plan."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from batch_ship.progress import StepTimer
from batch_ship.tracking.plan import ImportPlan


@dataclass(frozen=True)
class ImportResult:
    """What one import-tracking run did. `summary()` is the contract's JSON object."""

    batch: str
    parcels_matched: int  # parcels given numbers in this run (new, plus replaced conflicts)
    orders_shipped: int  # orders that became shipped in this run
    already_recorded: int  # parcels whose numbers were already in the ledger
    unmatched_parcels: int  # parcels of the batch still awaiting tracking after this run
    unknown_rows: int  # return rows (and unused range numbers) that fit no parcel
    invalid_numbers: int
    duplicate_numbers: int
    conflicts: int  # parcels holding a different number than the return says
    files: tuple[Path, ...]
    unused_numbers: int = 0  # range numbers left over (counted in unknown_rows too)
    replaced: int = 0  # conflicts applied because of replace=True
    seconds: float = 0.0
    steps: tuple[tuple[str, float], ...] = ()  # seconds per step (read, match, ledger-…, write)

    def summary(self) -> dict[str, Any]:
        return {
            "batch": self.batch,
            "parcels_matched": self.parcels_matched,
            "orders_shipped": self.orders_shipped,
            "already_recorded": self.already_recorded,
            "unmatched_parcels": self.unmatched_parcels,
            "unknown_rows": self.unknown_rows,
            "invalid_numbers": self.invalid_numbers,
            "duplicate_numbers": self.duplicate_numbers,
            "conflicts": self.conflicts,
            "files": [str(path) for path in self.files],
        }


def import_result(
    batch_id: str,
    plan: ImportPlan,
    parcels: pd.DataFrame,
    files: tuple[Path, Path],
    started: float,
    steps: StepTimer,
) -> ImportResult:
    """The counts of a recorded plan over the batch's parcels as they were before it."""
    new_ids = set(plan.fresh["parcel_id"].tolist())
    is_new = parcels["parcel_id"].isin(plan.fresh["parcel_id"]).to_numpy()
    order_counts = parcels["order_ids"].str.count(",").to_numpy()[is_new] + 1
    awaiting = int((parcels["tracking"] == "").sum()) - len(new_ids)
    replaced = {item.parcel_id for item in plan.replace}
    return ImportResult(
        batch=batch_id,
        parcels_matched=len(new_ids) + len(replaced),
        orders_shipped=int(order_counts.sum()),
        already_recorded=len(plan.already),
        unmatched_parcels=awaiting,
        unknown_rows=len(plan.unknown),
        invalid_numbers=len(plan.invalid),
        duplicate_numbers=len({item.number for item in plan.duplicates}),
        conflicts=len(plan.conflicts),
        files=files,
        unused_numbers=plan.unused,
        replaced=len(replaced),
        seconds=time.perf_counter() - started,
        steps=tuple(steps.rounded().items()),
    )
