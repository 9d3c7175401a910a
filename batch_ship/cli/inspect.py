"""`inspect`: what an export holds, before anything is written or recorded."""

from __future__ import annotations

from pathlib import Path

import click

from batch_ship.cli.shared import App, emit_json, json_option, order_report_arguments, pass_app


@click.command("inspect")
@order_report_arguments
@json_option
@pass_app
def inspect(
    app: App, orders: tuple[Path, ...], items: tuple[Path, ...], source: str | None, as_json: bool
) -> None:
    """Summarize order reports: orders per status and province, phone and address problems,
    repeated rows and unknown statuses. Reads only; prints counts and row numbers, never a
    phone number or an address.

    Example: batch-ship inspect ExportOrderList202611260900.csv --json
    """
    from batch_ship.inspect import inspect_orders

    result = inspect_orders(
        list(orders),
        items=list(items) if items else None,
        progress=app.progress(as_json),
        source=source,
        templates_dir=app.workspace.config.templates,
    )
    if as_json:
        emit_json(result.to_dict())
        return
    click.echo(result.to_text())
