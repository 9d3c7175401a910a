"""The ledger's logged steps (export, import-tracking, daily) and their durations, as shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from batch_ship.ledger import Ledger


@dataclass(frozen=True)
class Step:
    """One logged step (export, import-tracking, daily) and how long it took."""

    kind: str
    batch: str
    when: str
    seconds: float | None
    detail: str
    parts: tuple[tuple[str, float], ...] = ()  # the step's own sub-steps, when it logs them


def logged_steps(ledger: Ledger, batch_id: str | None) -> list[Step]:
    """Logged steps with their durations, oldest first (`daily` runs only in the full report)."""
    steps: list[Step] = []
    for event in ledger.events():
        if batch_id is not None and event.batch_id != batch_id:
            continue
        total, parts = _durations(event.detail.get("seconds"))
        # Counts and short facts; zeros, lists and what the row already shows are noise.
        shown = ", ".join(
            f"{key} {value}"
            for key, value in event.detail.items()
            if key not in ("seconds", "batch")
            and isinstance(value, int | float | str)
            and not isinstance(value, bool)
            and value not in (0, "")
        )
        steps.append(
            Step(
                kind=event.kind,
                batch=event.batch_id or "",
                when=_local_time(event.at),
                seconds=total,
                detail=shown,
                parts=parts,
            )
        )
    return steps


def _durations(value: Any) -> tuple[float | None, tuple[tuple[str, float], ...]]:
    """A logged `seconds`: a number, or {step: seconds} (export times each of its steps)."""
    if isinstance(value, bool):
        return None, ()
    if isinstance(value, int | float):
        return float(value), ()
    if isinstance(value, dict):
        parts = tuple(
            (str(name), float(part))
            for name, part in value.items()
            if isinstance(part, int | float) and not isinstance(part, bool) and name != "total"
        )
        total = value.get("total")
        if isinstance(total, int | float) and not isinstance(total, bool):
            return float(total), parts
        return (sum(part for _unused, part in parts) if parts else None), parts
    return None, ()


def _local_time(stamp: str) -> str:
    """The ledger logs UTC; the seller reads local time."""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%Y-%m-%d %H:%M:%S")
