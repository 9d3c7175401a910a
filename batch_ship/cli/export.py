"""`export`: order reports in, the courier's bulk-order workbooks and exceptions.xlsx out."""

from __future__ import annotations

from pathlib import Path

import click

from batch_ship.cli.shared import App, emit_json, json_option, order_report_arguments, pass_app


@click.command("export")
@order_report_arguments
@click.option(
    "--courier",
    metavar="CODE",
    help="Courier template code (see `batch-ship couriers`). Default: [defaults] courier "
    "in batch_ship.toml, else zto.",
)
@click.option(
    "--merge/--no-merge",
    default=None,
    help="Merge orders with the same buyer, name, phone and address into one parcel. "
    "Default: [defaults] merge in batch_ship.toml, else merge.",
)
@click.option(
    "--from-stock/--no-from-stock",
    "from_stock",
    default=None,
    help="Give the parcels numbers from the courier's stock (batch-ship numbers add) in the "
    "same transaction, write the marketplace upload and print the labels at once. Default: "
    "[stock] couriers in batch_ship.toml.",
)
@json_option
@pass_app
def export(
    app: App,
    orders: tuple[Path, ...],
    items: tuple[Path, ...],
    source: str | None,
    courier: str | None,
    merge: bool | None,
    from_stock: bool | None,
    as_json: bool,
) -> None:
    """Turn order reports into batches/<id>/submission-<courier>.xlsx and exceptions.xlsx.

    Only orders awaiting shipment that no earlier batch submitted are exported; repeated rows,
    other statuses and submitted orders are skipped and counted. Orders that cannot ship (no
    name, masked phone, unknown region...) go to exceptions.xlsx with the reason; fix them
    there and pass the workbook to export again. Nothing new: no batch, exit 0.

    Example: batch-ship export ExportOrderList20261126.csv --courier zto
    """
    from batch_ship.export.printed import export_and_print

    printed = export_and_print(
        app.workspace,
        list(orders),
        items=list(items) if items else None,
        courier=courier,
        merge=merge,
        source=source,
        progress=app.progress(as_json),
        now=app.now(),
        tuning=app.tuning,
        from_stock=from_stock,
    )
    if as_json:
        emit_json(printed.summary())
        return
    from batch_ship.summaries import export_lines

    for line in [*export_lines(printed.result), *map(str, printed.labels)]:
        click.echo(line)
