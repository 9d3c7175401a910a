"""What is in an export: orders per status and province, recipient problems, duplicates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from batch_ship.i18n import _, language
from batch_ship.model import OrderStatus
from batch_ship.problems import EXCEPTION_CODES, PROBLEMS
from batch_ship.progress import Progress, no_progress
from batch_ship.sources import canonical as c
from batch_ship.sources.base import OrderInput
from batch_ship.sources.registry import read_orders
from batch_ship.text import display_width

UNKNOWN_PROVINCE = "(unknown)"
_SHOWN_ROWS = 5


@dataclass(frozen=True)
class FileNote:
    """A non-fatal finding of the reader, as inspect reports it (rows: the first few)."""

    code: str
    file: str
    count: int
    rows: tuple[int, ...]
    message: str


@dataclass(frozen=True)
class Inspection:
    """The summary `batch-ship inspect` prints; counts only, never phones or addresses."""

    files: tuple[str, ...]
    rows: int
    orders: int
    items: int
    duplicates: int
    statuses: dict[str, int]
    awaiting_shipment: int
    provinces: dict[str, int]
    problems: dict[str, int]
    problem_rows: dict[str, tuple[int, ...]]
    unknown_statuses: dict[str, int]
    notes: tuple[FileNote, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """The `--json` object (count objects list only codes with a count of at least 1)."""
        return {
            "files": list(self.files),
            "rows": self.rows,
            "orders": self.orders,
            "items": self.items,
            "duplicates": self.duplicates,
            "statuses": self.statuses,
            "awaiting_shipment": self.awaiting_shipment,
            "provinces": self.provinces,
            "problems": self.problems,
            "problem_rows": {code: list(rows) for code, rows in self.problem_rows.items()},
            "unknown_statuses": self.unknown_statuses,
            "notes": [
                {
                    "code": note.code,
                    "file": note.file,
                    "count": note.count,
                    "rows": list(note.rows),
                    "message": note.message,
                }
                for note in self.notes
            ],
        }

    def to_text(self) -> str:
        """The human report."""
        lines = [_("Files: {value}").format(value=", ".join(self.files))]
        lines.append(
            _(
                "Orders: {orders:,} ({rows:,} rows, {duplicates:,} repeated), item lines: {items:,}"
            ).format(
                orders=self.orders, rows=self.rows, duplicates=self.duplicates, items=self.items
            )
        )
        lines.append(_("By status:"))
        lines.extend(_table(self.statuses))
        if self.unknown_statuses:
            lines.append(_("Unknown statuses (kept, not shipped):"))
            for text, count in self.unknown_statuses.items():
                lines.append(f"  {text}  {count:,}")
        lines.append(_("By province:"))
        lines.extend(_table(self.provinces))
        lines.append(
            _("Problems among the {awaiting_shipment:,} orders awaiting shipment:").format(
                awaiting_shipment=self.awaiting_shipment
            )
        )
        if not self.problems:
            lines.append("  " + _("none"))
        width = max((len(code) for code in self.problems), default=0)
        for code, count in self.problems.items():
            rows = ", ".join(str(row) for row in self.problem_rows.get(code, ()))
            more = " …" if count > len(self.problem_rows.get(code, ())) else ""
            reason = PROBLEMS[code].in_language(language()) if code in PROBLEMS else code
            lines.append(f"  {code:<{width}}  {count:>9,}  {reason} (rows {rows}{more})")
        for note in self.notes:
            lines.append(
                _("Note ({code}, {file}): {message}").format(
                    code=note.code, file=note.file, message=note.message
                )
            )
        return "\n".join(lines)


def _table(counts: dict[str, int]) -> list[str]:
    width = max((display_width(name) for name in counts), default=0)
    return [
        f"  {name}{' ' * (width - display_width(name))}  {count:>9,}"
        for name, count in counts.items()
    ]


def inspect_orders(
    paths: Sequence[OrderInput] | OrderInput,
    items: Sequence[OrderInput] | OrderInput | None = None,
    progress: Progress = no_progress,
    *,
    source: str | None = None,
    templates_dir: Path | None = None,
) -> Inspection:
    """Read an export and summarize it (the recipients are normalized, nothing is written).

    The source is `source` (a code) or found from the files' content."""
    from batch_ship.normalize.recipients import recipient_table

    table = read_orders(paths, items, progress, source=source, templates_dir=templates_dir)
    orders = table.orders
    duplicate = orders["duplicate"].to_numpy(dtype=bool)
    unique = orders[~duplicate]
    statuses = _counts(unique[c.STATUS], order=[status.value for status in OrderStatus])
    unknown_mask = (unique[c.STATUS] == OrderStatus.UNKNOWN.value).to_numpy(dtype=bool)
    unknown = _counts(unique[c.RAW_STATUS][unknown_mask])

    recipients = recipient_table(unique, progress=progress)
    province = recipients["province"].astype(str).replace("", UNKNOWN_PROVINCE)
    provinces = _counts(province)

    shippable = (unique[c.STATUS] == OrderStatus.AWAITING_SHIPMENT.value).to_numpy(dtype=bool)
    codes = recipients["problems"].to_numpy(dtype=object)[shippable]
    rows = unique[c.ROW].astype(str).to_numpy(dtype=object)[shippable]
    problems, problem_rows = _problem_counts(codes, rows)

    notes = tuple(
        FileNote(
            code=problem.code,
            file=problem.path.name,
            count=len(problem.rows),
            rows=tuple(problem.rows[:_SHOWN_ROWS]),
            message=problem.message,
        )
        for problem in table.problems
    )
    return Inspection(
        files=tuple(path.name for path in table.sources),
        rows=len(orders),
        orders=len(unique),
        items=len(table.items),
        duplicates=int(duplicate.sum()),
        statuses=statuses,
        awaiting_shipment=int(shippable.sum()),
        provinces=provinces,
        problems=problems,
        problem_rows=problem_rows,
        unknown_statuses=unknown,
        notes=notes,
    )


def _counts(values: pd.Series, order: list[str] | None = None) -> dict[str, int]:
    """Counts per value, most frequent first (or in `order`), only values that occur."""
    counted = values.astype(str).value_counts(sort=True)
    result = {str(key): int(count) for key, count in counted.items() if count > 0}
    if order is None:
        return result
    return {key: result[key] for key in order if key in result}


def _problem_counts(
    codes: np.ndarray[Any, Any], rows: np.ndarray[Any, Any]
) -> tuple[dict[str, int], dict[str, tuple[int, ...]]]:
    """Counts per reason code (an order with several codes counts under each); `codes` holds
    each order's tuple of codes."""
    counts: dict[str, int] = {}
    first_rows: dict[str, list[int]] = {}
    present = np.flatnonzero(np.fromiter(map(len, codes), dtype=np.int64, count=len(codes)))
    groups, distinct = pd.factorize(codes[present])
    for index, entry in enumerate(distinct):
        members = present[groups == index]
        for code in entry:
            counts[code] = counts.get(code, 0) + len(members)
            first_rows.setdefault(code, []).extend(int(row) for row in rows[members[:_SHOWN_ROWS]])
    ordered = [code for code in EXCEPTION_CODES if code in counts] + sorted(
        code for code in counts if code not in EXCEPTION_CODES
    )
    return (
        {code: counts[code] for code in ordered},
        {code: tuple(sorted(first_rows[code])[:_SHOWN_ROWS]) for code in ordered},
    )
