"""`couriers`: the courier templates available to export."""

from __future__ import annotations

import click

from batch_ship.cli.shared import App, emit_json, json_option, pass_app
from batch_ship.i18n import _


@click.command("couriers")
@json_option
@pass_app
def couriers(app: App, as_json: bool) -> None:
    """List the courier templates: code, name, Taobao name, rows per file and layout.

    Built-in templates live in templates/couriers/; a file with the same name in the
    configured templates folder ([folders] templates in batch_ship.toml) replaces one.

    Example: batch-ship couriers --json
    """
    from batch_ship.couriers import load_couriers
    from batch_ship.tracking_numbers import describe_rule

    found = load_couriers(app.workspace.config.templates)
    if as_json:
        emit_json({"couriers": [courier.summary() for courier in found.values()]})
        return
    width = max(len(code) for code in found)
    for code, courier in found.items():
        taobao = courier.marketplace_names.get("taobao", "-")
        details = _("(taobao: {taobao}; {rows:,} rows/file; {columns} columns)").format(
            taobao=taobao, rows=courier.rows_per_file, columns=len(courier.columns)
        )
        click.echo(f"{code:<{width}}  {courier.name}  {details}")
        click.echo(
            f"{'':<{width}}  " + _("numbers: {words}").format(words=describe_rule(courier.tracking))
        )
        if courier.layout_note:
            click.echo(f"{'':<{width}}  {courier.layout_note}")
