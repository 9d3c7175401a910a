"""`batch-ship status`: batches and order states from the ledger."""

from __future__ import annotations

from typing import Any

import click

from batch_ship.cli.shared import App, emit_json, json_option, pass_app
from batch_ship.ledger import ledger_status

HEADERS = ("batch", "courier", "created", "parcels", "orders", "shipped", "awaiting tracking")


@click.command()
@json_option
@pass_app
def status(app: App, as_json: bool) -> None:
    """Show each batch (parcels, orders, shipped, awaiting tracking) and the order states.

    A workspace without a ledger has no batches yet; looking does not create one.

    Example: batch-ship --home shop status --json
    """
    summary = ledger_status(app.workspace.ledger_path)
    if as_json:
        emit_json(summary)
        return
    click.echo(render(summary))


def render(summary: dict[str, Any]) -> str:
    """The human table: one line per batch, then the order counts."""
    batches = summary["batches"]
    orders = summary["orders"]
    if not batches:
        lines = ["No batches yet: run `batch-ship export` to make the first one."]
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
        widths = [max(len(row[i]) for row in [HEADERS, *rows]) for i in range(len(HEADERS))]
        lines = [_line(HEADERS, widths), _line(tuple("-" * width for width in widths), widths)]
        lines += [_line(row, widths) for row in rows]
    lines.append("")
    lines.append(
        f"Orders: {orders['submitted']:,} awaiting tracking, {orders['shipped']:,} shipped, "
        f"{orders['exception']:,} in exceptions"
    )
    return "\n".join(lines)


def _line(cells: tuple[str, ...], widths: list[int]) -> str:
    # Text columns left-aligned, counts right-aligned.
    parts = [
        cell.ljust(width) if index < 3 else cell.rjust(width)
        for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
    ]
    return "  ".join(parts).rstrip()
