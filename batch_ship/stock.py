"""The waybill-number stock: `numbers add` (a range or a courier's file) and `numbers status`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Any

from batch_ship.couriers import Courier, get_courier, load_couriers
from batch_ship.errors import InputError
from batch_ship.i18n import _
from batch_ship.ledger import Ledger, iso_time
from batch_ship.ledger.stock import StockCount, StockNumber
from batch_ship.publish import open_ledger
from batch_ship.stock_file import RowProblem, known_problems, numbers_in_file, rows_refused
from batch_ship.tracking_numbers import RangeError, TrackingRule, number_range, parse_range
from batch_ship.workspace import Workspace

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AddResult:
    """What `numbers add` put into stock; `summary()` is its --json object."""

    courier: str
    added: int
    first: str
    last: str
    free: int  # the courier's free numbers after adding
    source: str

    def summary(self) -> dict[str, Any]:
        return {
            "courier": self.courier,
            "added": self.added,
            "first": self.first,
            "last": self.last,
            "free": self.free,
            "source": self.source,
        }


def add_numbers(
    workspace: Workspace,
    courier_code: str,
    *,
    spec: str | None = None,
    count: int | None = None,
    file: Path | None = None,
    now: datetime | None = None,
) -> AddResult:
    """Add a range (`spec` START with `count`, or START-END) or a courier's file of numbers to
    the courier's stock. Every number is checked against the courier's rule; a number
    already in stock or used anywhere refuses the whole addition (InputError naming the
    rows or numbers); the ledger's UNIQUE guard holds even against a concurrent run."""
    courier = get_courier(courier_code, workspace.config.templates)
    if (spec is None) == (file is None):
        raise InputError(
            _("give either --range or a file of numbers"),
            hint=_("batch-ship numbers add --courier zto --range START --count N"),
        )
    if count is not None and spec is None:
        raise InputError(
            _("--count goes with --range START"),
            hint=_("batch-ship numbers add --courier zto --range START --count N"),
        )
    if file is not None:
        # Couriers with a rule of their own (the generic template accepts any plausible text).
        others = [
            other
            for other in load_couriers(workspace.config.templates).values()
            if other.code != courier.code and other.tracking.pattern != TrackingRule().pattern
        ]
        numbers, rows = numbers_in_file(Path(file), courier, others)
        source, where = Path(file).name, Path(file)
    else:
        assert spec is not None
        numbers = _range_numbers(courier, spec, count)
        rows = list(range(1, len(numbers) + 1))
        source, where = f"range {numbers[0].number}+{len(numbers)}", None
    with open_ledger(workspace) as ledger, ledger.write():
        # Checked under the write lock: no run can add or use one of them meanwhile.
        known = ledger.numbers_known([item.number for item in numbers])
        if known:
            problems = known_problems(numbers, rows, known)
            raise rows_refused(where, problems) if where else _range_refused(problems)
        ledger.add_stock(courier.code, numbers, source, iso_time(now))
        free = ledger.free_count(courier.code)
        ledger.log_event(
            "numbers-add",
            None,
            {"courier": courier.code, "added": len(numbers), "source": source, "free": free},
        )
    log.info(_("added %d %s numbers to stock (%d free)"), len(numbers), courier.code, free)
    return AddResult(
        courier.code, len(numbers), numbers[0].number, numbers[-1].number, free, source
    )


def _range_numbers(courier: Courier, spec: str, count: int | None) -> list[StockNumber]:
    try:
        start, end = parse_range(spec)
        if end is None and count is None:
            raise RangeError(_("--range START needs --count N (or write START-END)"))
        if end is not None and count is not None:
            raise RangeError(_("give --count or START-END, not both"))
        numbers = number_range(courier.tracking, start, count=count, end=end)
    except RangeError as error:
        raise InputError(
            _("--range: {error}").format(error=error),
            hint=_("batch-ship numbers add --courier {courier} --range START --count N").format(
                courier=courier.code
            ),
        ) from error
    return [StockNumber(number) for number in numbers]


def _range_refused(problems: list[RowProblem]) -> InputError:
    shown = "; ".join(f"{p.number}: {p.reason}" for p in problems[:8])
    return InputError(
        _(
            "{count:,} number(s) of the range are already known, so none was added: {numbers}"
        ).format(count=len(problems), numbers=shown),
        hint=_("start the range after the numbers already in stock (batch-ship numbers status)"),
    )


@dataclass(frozen=True)
class StockStatus:
    """Stock per courier and the warnings; `summary()` is `numbers status --json`."""

    counts: tuple[StockCount, ...]
    warn_below: int
    warnings: tuple[str, ...]

    def summary(self) -> dict[str, Any]:
        return {
            "couriers": [
                {
                    "courier": count.courier,
                    "free": count.free,
                    "used": count.used,
                    "used_today": count.used_since,
                    "retired": count.retired,
                    "low": count.free < self.warn_below,
                }
                for count in self.counts
            ],
            "warn_below": self.warn_below,
            "warnings": list(self.warnings),
        }


def stock_status(workspace: Workspace, now: datetime | None = None) -> StockStatus:
    """Each courier's stock; a warning for each below [stock] warn_below, and for each
    courier set to take numbers from stock that has none. Never creates a ledger."""
    warn_below = workspace.config.stock.warn_below
    counts: list[StockCount] = []
    if workspace.ledger_path.exists():
        midnight = datetime.combine((now or datetime.now()).date(), time()).astimezone()
        with Ledger.open(workspace.ledger_path) as ledger:
            counts = ledger.stock_counts(iso_time(midnight))
    listed = {count.courier for count in counts}
    counts += [
        StockCount(code, 0, 0, 0, 0)
        for code in workspace.config.stock.couriers
        if code not in listed
    ]
    warnings = tuple(
        low_stock_warning(count.courier, count.free, warn_below)
        for count in counts
        if count.free < warn_below
    )
    return StockStatus(tuple(counts), warn_below, warnings)


def handover_waiting(workspace: Workspace) -> dict[str, int]:
    """Per courier: parcels labelled and not yet handed over ({} without a ledger)."""
    if not workspace.ledger_path.exists():
        return {}
    with Ledger.open(workspace.ledger_path) as ledger:
        return ledger.awaiting_handover()


def low_stock_warning(courier: str, free: int, warn_below: int) -> str:
    return _(
        "{courier}: {free:,} numbers left in stock (below {warn_below:,}); add more with "
        "batch-ship numbers add --courier {courier}"
    ).format(courier=courier, free=free, warn_below=warn_below)


def stock_release(workspace: Workspace) -> Callable[[Ledger, str, list[str]], None]:
    """The void hook (`void`'s `release`): cancelled waybills' stock numbers handled as the
    courier template's [stock] on_void says (returned to the free stock or retired), their
    labels taken off the handover queue, and the outcome logged (`number-void`). Called
    inside the void's write(), after its parcels left the ledger."""

    def release(ledger: Ledger, courier_code: str, numbers: list[str]) -> None:
        courier = get_courier(courier_code, workspace.config.templates)
        rule = courier.stock.on_void
        handled = ledger.release_numbers(numbers, rule, iso_time())
        if handled:
            outcome = "returned" if rule == "return" else "retired"
            detail = {"courier": courier.code, "numbers": handled, "outcome": outcome}
            ledger.log_event("number-void", None, detail)
            if rule == "return":
                log.info(_("%d stock number(s) returned to the stock"), len(handled))
            else:
                log.info(_("%d stock number(s) retired"), len(handled))

    return release
