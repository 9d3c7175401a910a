"""`void`: take a batch's parcels (or some orders' parcels) back out, to export them again."""

from __future__ import annotations

import click

from batch_ship.cli.shared import App, emit_json, json_option, pass_app
from batch_ship.i18n import _


@click.command("void")
@click.argument("batch", metavar="BATCH")
@click.option(
    "--orders",
    "orders",
    multiple=True,
    metavar="ID",
    help="Void only the parcels holding these orders (repeat the option, or separate ids "
    "with commas). Default: every parcel of the batch.",
)
@click.option("--reason", default="", metavar="TEXT", help="Why, kept in the ledger's history.")
@click.option(
    "--shipped",
    is_flag=True,
    help="Also void parcels that have a tracking number: their waybills were cancelled.",
)
@json_option
@pass_app
def void(
    app: App, batch: str, orders: tuple[str, ...], reason: str, shipped: bool, as_json: bool
) -> None:
    """Void a batch's parcels: their orders go back to exportable, the ledger keeps the history.

    For a file the courier rejected, a switch of courier or a file never sent. A voided
    parcel is never in an upload; the next export takes its orders again. A parcel that
    already has a tracking number is refused unless --shipped (its waybill is cancelled).

    Example: batch-ship void 20261126-01 --reason "courier rejected the file"
    """
    from batch_ship.stock import stock_release
    from batch_ship.void import run_void

    result = run_void(
        app.workspace,
        batch,
        orders=orders,
        reason=reason,
        shipped=shipped,
        release=stock_release(app.workspace),  # stock numbers: returned or retired
    )
    if as_json:
        emit_json(result.summary())
        return
    click.echo(
        _(
            "voided {parcels:,} parcel(s) ({orders:,} orders) of batch {batch}; "
            "the next export takes them again"
        ).format(parcels=result.parcels, orders=len(result.orders), batch=result.batch)
    )
    if result.cancelled:
        click.echo(_("cancelled waybills: {numbers}").format(numbers=", ".join(result.cancelled)))
    for path in result.files:
        click.echo(_("rewrote {path}").format(path=path))
