"""What the report page shows: its numbers, bars, open exceptions and steps, computed here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from batch_ship.ledger.intercepts import Intercept
from batch_ship.report.steps import Step

CHART_WIDTH = 640
BAR_HEIGHT = 20
LABEL_WIDTH = 110


@dataclass(frozen=True)
class Bar:
    """One bar of an inline SVG chart, its geometry computed here so the template only draws."""

    label: str
    value: int
    y: int = 0
    width: int = 0

    @property
    def short_label(self) -> str:
        """What fits left of the bar (the longest province name has 8 characters)."""
        return self.label if len(self.label) <= 9 else self.label[:8] + "…"


@dataclass(frozen=True)
class ExceptionRow:
    """An order still waiting for a fix, with personal data partly masked."""

    batch: str
    order_id: str
    name: str
    phone: str
    address: str
    codes: tuple[str, ...]
    row: int  # spreadsheet row in the batch's exceptions.xlsx (header = 1; 0: not in it)


@dataclass(frozen=True)
class Coverage:
    batch: str
    courier: str
    created: str
    parcels: int
    tracked: int
    orders: int
    shipped: int

    @property
    def percent(self) -> float:
        return 100.0 * self.tracked / self.parcels if self.parcels else 0.0


@dataclass(frozen=True)
class ReportData:
    title: str
    generated: str
    batch: str | None
    order_states: dict[str, int]
    couriers: tuple[Bar, ...]
    provinces: tuple[Bar, ...]
    exception_codes: tuple[tuple[str, int, str], ...]  # code, orders, message
    exception_rows: tuple[ExceptionRow, ...]
    exception_total: int
    coverage: tuple[Coverage, ...]
    steps: tuple[Step, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)
    intercepts: tuple[Intercept, ...] = ()  # 拦截件: out, then closed or refunding
    # per courier: parcels labelled from stock and not yet handed over (ledger/stock.py)
    awaiting_handover: tuple[tuple[str, int], ...] = ()

    @property
    def chart_height(self) -> int:
        return BAR_HEIGHT * max(len(self.provinces), 1) + 10

    @property
    def total_parcels(self) -> int:
        return sum(c.parcels for c in self.coverage)

    @property
    def total_tracked(self) -> int:
        return sum(c.tracked for c in self.coverage)


def bars(counts: Iterable[tuple[str, int]]) -> list[Bar]:
    pairs = [(label or "(unknown)", int(value)) for label, value in counts]
    top = max((value for _unused, value in pairs), default=0)
    span = CHART_WIDTH - LABEL_WIDTH - 60  # room for the number after the bar
    return [
        Bar(
            label,
            value,
            y=index * BAR_HEIGHT,
            width=max(1, round(span * value / top)) if top else 0,
        )
        for index, (label, value) in enumerate(pairs)
    ]
