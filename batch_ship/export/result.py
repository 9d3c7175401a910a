"""What one export did: the `export --json` object and the counts behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from batch_ship.export.plan import ExportPlan
from batch_ship.ledger.intercepts import Intercept
from batch_ship.progress import StepTimer


@dataclass(frozen=True)
class ExportResult:
    """What one export did; `summary()` is the contract's `export --json` object."""

    batch: str | None
    courier: str
    orders_read: int
    orders_submitted: int
    parcels: int
    skipped: dict[str, int]
    exceptions: dict[str, int]
    files: tuple[Path, ...] = ()
    seconds: dict[str, float] = field(default_factory=dict)
    batches: tuple[BatchSummary, ...] = ()  # one per courier, in the routes' order
    intercepts: tuple[Intercept, ...] = ()  # found by this run (拦截件)
    stocked: tuple[str, ...] = ()  # batches whose numbers came from stock (shipped, uploaded)

    def summary(self) -> dict[str, Any]:
        return {
            "batch": self.batch,
            "courier": self.courier,
            "orders_read": self.orders_read,
            "orders_submitted": self.orders_submitted,
            "parcels": self.parcels,
            "skipped": dict(self.skipped),
            "exceptions": dict(self.exceptions),
            "files": [str(path) for path in self.files],
            "from_stock": bool(self.stocked),
            "batches": [entry.batch for entry in self.batches],
            "couriers": {entry.courier: entry.summary() for entry in self.batches},
            "intercepts": [item.as_dict() for item in self.intercepts],
        }


@dataclass(frozen=True)
class BatchSummary:
    """One courier's batch of an export: `couriers` in `export --json`."""

    batch: str
    courier: str
    orders: int
    parcels: int

    def summary(self) -> dict[str, Any]:
        return {"batch": self.batch, "orders": self.orders, "parcels": self.parcels}


def nothing_new(
    courier: str,
    orders_read: int,
    plan: ExportPlan,
    timer: StepTimer,
    intercepts: tuple[Intercept, ...] = (),
) -> ExportResult:
    """The result of an export that made no batch: the plan's skips and exceptions only."""
    return ExportResult(
        batch=None,
        courier=courier,
        orders_read=orders_read,
        orders_submitted=0,
        parcels=0,
        skipped=plan.skipped,
        exceptions=plan.exception_counts,
        seconds=timer.rounded(),
        intercepts=intercepts,
    )
