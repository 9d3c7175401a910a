"""`batch-ship status`: batches and order states from the ledger."""

from __future__ import annotations

from typing import Any

import click

from batch_ship.cli.shared import App, emit_json, json_option, pass_app
from batch_ship.errors import InputError
from batch_ship.i18n import N_, _
from batch_ship.text import display_width

HEADERS = (
    N_("batch"), N_("courier"), N_("created"), N_("parcels"), N_("orders"), N_("shipped"),
    N_("awaiting tracking"),
)  # fmt: skip


@click.command()
@click.option("--batch", metavar="ID", help="One batch: its counts and every import into it.")
@json_option
@pass_app
def status(app: App, batch: str | None, as_json: bool) -> None:
    """Show each batch (parcels, orders, shipped, awaiting tracking) and the order states.

    With --batch ID, that batch and every import-tracking run into it: when, what it read,
    what it matched and the reconcile-<n>.xlsx it wrote. A workspace without a ledger has no
    batches yet; looking does not create one.

    Example: batch-ship --home shop status --json
    """
    from batch_ship.handoff_status import handoff_status
    from batch_ship.imports import batch_status
    from batch_ship.ledger import ledger_status

    if batch is not None:
        found = batch_status(app.workspace.ledger_path, batch)
        if found is None:
            known = [
                entry["batch"] for entry in ledger_status(app.workspace.ledger_path)["batches"]
            ]
            raise InputError(
                _("unknown batch {batch!r}").format(batch=batch),
                hint=_("known batches: {value}").format(value=", ".join(known[-10:]) or "none yet"),
            )
        if as_json:
            emit_json(found)
        else:
            click.echo(render_batch(found))
        return
    from batch_ship.stock import handover_waiting

    summary = {
        **ledger_status(app.workspace.ledger_path),
        **handoff_status(app.workspace.ledger_path),
        "awaiting_handover": handover_waiting(app.workspace),
    }
    if as_json:
        emit_json(summary)
        return
    click.echo(render(summary))


IMPORT_HEADERS = (
    N_("import"), N_("at"), N_("read"), N_("matched"), N_("shipped"), N_("unknown"),
    N_("reconcile"),
)  # fmt: skip


def render_batch(found: dict[str, Any]) -> str:
    """One batch and its imports, as people read them."""
    lines = [
        _(
            "batch {batch} ({courier}, created {created}): {parcels:,} parcels, "
            "{orders:,} orders, {shipped_orders:,} shipped, {awaiting_tracking:,} awaiting tracking"
        ).format(**{**found, "created": found["created"].replace("T", " ")[:16]}),
        "",
    ]
    lines += _void_lines(found.get("voids", []))
    imports = found["imports"]
    if not imports:
        lines.append(_("No imports yet: `batch-ship import-tracking` the courier's return."))
        return "\n".join(lines)
    rows = [
        (
            str(item["import"]),
            item["at"].replace("T", " ")[:19],
            ", ".join(item["sources"]),
            f"{item['parcels_matched']:,}",
            f"{item['orders_shipped']:,}",
            f"{item['unknown_rows']:,}",
            item["reconcile"],
        )
        for item in imports
    ]
    headers = tuple(_(header) for header in IMPORT_HEADERS)
    widths = [max(display_width(row[i]) for row in [headers, *rows]) for i in range(len(rows[0]))]
    lines += [
        "  ".join(
            cell + " " * (width - display_width(cell))
            for cell, width in zip(row, widths, strict=True)
        )
        for row in [headers, *rows]
    ]
    return "\n".join(line.rstrip() for line in lines)


def _handoff_lines(summary: dict[str, Any]) -> list[str]:
    """Orders shipped by hand and intercepts (拦截件), when there are any."""
    lines = []
    for entry in summary.get("manual", []):
        lines.append(
            _("shipped by hand: order {order} by {courier}, {tracking} (batch {batch})").format(
                **entry
            )
        )
    for entry in summary.get("intercepts", []):
        lines.append(
            _(
                "intercept (拦截件): order {order} is {raw_status} since {at}; batch {batch}, "
                "{courier} {tracking}"
            ).format(**{**entry, "at": entry["at"].replace("T", " ")[:16]})
        )
    return ["", *lines] if lines else []


def _void_lines(voids: list[dict[str, Any]]) -> list[str]:
    """The batch's void history, one line per voided parcel."""
    lines = []
    for entry in voids:
        lines.append(
            _("voided {at}: order(s) {orders}{numbers}{reason}").format(
                at=entry["at"].replace("T", " ")[:19],
                orders=", ".join(entry["orders"]),
                numbers=_(", cancelled waybill {value}").format(value=", ".join(entry["tracking"]))
                if entry["cancelled"]
                else "",
                reason=f" ({entry['reason']})" if entry["reason"] else "",
            )
        )
    return [*lines, ""] if lines else []


def render(summary: dict[str, Any]) -> str:
    """The human table: one line per batch, then the order counts."""
    batches = summary["batches"]
    orders = summary["orders"]
    if not batches:
        lines = [_("No batches yet: run `batch-ship export` to make the first one.")]
    else:
        rows = [
            (
                item["batch"],
                item["courier"],
                item["created"].replace("T", " ")[:16],
                f"{item['parcels']:,}",
                f"{item['orders']:,}",
                f"{item['shipped_orders']:,}",
                f"{item['awaiting_tracking']:,}",
            )
            for item in batches
        ]
        headers = tuple(_(header) for header in HEADERS)
        widths = [
            max(display_width(row[i]) for row in [headers, *rows]) for i in range(len(headers))
        ]
        lines = [_line(headers, widths), _line(tuple("-" * width for width in widths), widths)]
        lines += [_line(row, widths) for row in rows]
    lines += _handoff_lines(summary)
    lines.append("")
    lines.append(
        _(
            "Orders: {submitted:,} awaiting tracking, {shipped:,} shipped, "
            "{exception:,} in exceptions"
        ).format(**orders)
    )
    waiting = summary.get("awaiting_handover") or {}
    if waiting:
        lines.append(
            _("Printed, not handed over: {counts}").format(
                counts=", ".join(f"{courier} {count:,}" for courier, count in waiting.items())
            )
        )
    return "\n".join(lines)


def _line(cells: tuple[str, ...], widths: list[int]) -> str:
    # Text columns left-aligned, counts right-aligned.
    parts = [
        cell + " " * (width - display_width(cell))
        if index < 3
        else " " * (width - display_width(cell)) + cell
        for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
    ]
    return "  ".join(parts).rstrip()
