"""The human summaries of export and import-tracking, and the one way counts of codes read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from batch_ship.i18n import _

if TYPE_CHECKING:
    from batch_ship.export import ExportResult
    from batch_ship.tracking import ImportResult


def code_counts(counts: Mapping[str, int] | Any, *, grouped: bool = True) -> str:
    """{code: n} as 'phone-masked 3, address-missing 1' ('' for none or not a mapping);
    `grouped` writes thousands as 1,234."""
    if not isinstance(counts, Mapping):
        return ""
    form = "{code} {count:,}" if grouped else "{code} {count}"
    return ", ".join(form.format(code=code, count=count) for code, count in counts.items())


def export_lines(result: ExportResult) -> list[str]:
    """What `export` prints without --json."""
    if result.batch is None:
        lines = [
            _("nothing new to submit ({orders_read:,} orders read)").format(
                orders_read=result.orders_read
            )
        ]
    else:
        lines = [
            _(
                "batch {batch} ({courier}): {orders_submitted:,} orders in {parcels:,} "
                "parcels, from {orders_read:,} orders read"
            ).format(
                batch=result.batch,
                courier=result.courier,
                orders_submitted=result.orders_submitted,
                parcels=result.parcels,
                orders_read=result.orders_read,
            )
        ]
    if len(result.batches) > 1:  # routed by [[route]]: one batch per courier
        lines += [
            _("  batch {batch} ({courier}): {orders:,} orders in {parcels:,} parcels").format(
                batch=entry.batch, courier=entry.courier, orders=entry.orders, parcels=entry.parcels
            )
            for entry in result.batches
        ]
    lines += [
        _(
            "intercept (拦截件): order {order} ({courier} {tracking}, batch {batch}) "
            "is now {raw_status}"
        ).format(**item.as_dict())
        for item in result.intercepts
    ]
    if result.skipped:
        lines.append(_("skipped: {counts}").format(counts=code_counts(result.skipped)))
    if result.exceptions:
        lines.append(_("exceptions: {counts}").format(counts=code_counts(result.exceptions)))
    lines.extend(str(path) for path in result.files)
    return lines


def import_lines(result: ImportResult, *, replace: bool) -> list[str]:
    """What `import-tracking` prints without --json: the counts, where its problems are."""
    lines = [
        _(
            "batch {batch}: {parcels_matched:,} parcels matched, "
            "{orders_shipped:,} orders shipped, {already_recorded:,} already "
            "recorded, {unmatched_parcels:,} still awaiting tracking"
        ).format(
            batch=result.batch,
            parcels_matched=result.parcels_matched,
            orders_shipped=result.orders_shipped,
            already_recorded=result.already_recorded,
            unmatched_parcels=result.unmatched_parcels,
        )
    ]
    conflicts = (
        _("{count:,} conflicts") if replace
        else _("{count:,} conflicts (not applied; --replace applies them)")
    )  # fmt: skip
    problems = {
        _("{count:,} unknown rows"): result.unknown_rows,
        _("{count:,} invalid numbers"): result.invalid_numbers,
        _("{count:,} duplicate numbers"): result.duplicate_numbers,
        conflicts: result.conflicts,
        _("{count:,} unused range numbers"): result.unused_numbers,
    }
    found = [label.format(count=value) for label, value in problems.items() if value]
    if found:
        lines.append(
            _("see {file}: {problems}").format(
                file=result.files[-1].name, problems=", ".join(found)
            )
        )
    lines.extend(str(path) for path in result.files)
    return lines
