"""`labels --batch` (print or reprint a from-stock batch) and `handover --courier`."""

from __future__ import annotations

import click

from batch_ship.cli.shared import App, emit_json, json_option, pass_app
from batch_ship.i18n import _


@click.command("labels")
@click.option("--batch", "batch_id", metavar="ID", required=True, help="The batch to print.")
@click.option(
    "--orders",
    metavar="ID,ID,...",
    default="",
    help="Only the parcels of these orders (comma-separated), into batches/<id>/reprint-<n>/.",
)
@click.option(
    "--printer",
    type=click.Choice(["zpl", "tspl"]),
    default=None,
    help="Also write the labels as ZPL or TSPL. Default: [stock] printer in batch_ship.toml.",
)
@json_option
@pass_app
def labels(app: App, batch_id: str, orders: str, printer: str | None, as_json: bool) -> None:
    """Print (or reprint) a from-stock batch's labels, pick list and packing slips.

    The labels carry the numbers the batch took from stock at export: a reprint never takes
    new ones. Files: batches/<id>/labels-<courier>[-<part>].pdf, picklist.pdf,
    picklist.xlsx, packing-slips.pdf; with --orders, the same under batches/<id>/reprint-<n>/.

    Example: batch-ship labels --batch 20261126-02
    """
    from batch_ship.printing import print_batch

    wanted = [order.strip() for order in orders.split(",") if order.strip()]
    result = print_batch(app.workspace, batch_id, orders=wanted, printer=printer, now=app.now())
    if as_json:
        emit_json(result.summary())
        return
    click.echo(
        _("batch {batch}: {labels:,} labels ({courier})").format(
            batch=result.batch, labels=result.labels, courier=result.courier
        )
    )
    for path in result.files:
        click.echo(str(path))


@click.command("handover")
@click.option("--courier", metavar="CODE", required=True, help="The courier picking up.")
@json_option
@pass_app
def handover(app: App, courier: str, as_json: bool) -> None:
    """The pickup handover sheet (交接单) for every labelled parcel not yet handed over.

    Writes handovers/<date>/handover-<courier>-<n>.pdf and .xlsx; the ledger records which
    parcels were handed over and when.

    Example: batch-ship handover --courier zto
    """
    from batch_ship.printing import hand_over

    result = hand_over(app.workspace, courier, app.now())
    if as_json:
        emit_json(result.summary())
        return
    if not result.parcels:
        click.echo(_("nothing to hand over to {courier}").format(courier=result.courier))
        return
    click.echo(
        _("handover {n} of {day} ({courier}): {parcels:,} parcels").format(
            n=result.n, day=result.day, courier=result.courier, parcels=result.parcels
        )
    )
    for path in result.files:
        click.echo(str(path))
