"""`ship ORDER_ID`: record one order shipped by hand, with the number typed in."""

from __future__ import annotations

from pathlib import Path

import click

from batch_ship.cli.shared import App, emit_json, json_option, pass_app
from batch_ship.i18n import _


@click.command("ship")
@click.argument("order_id", metavar="ORDER_ID")
@click.option("--courier", required=True, metavar="CODE", help="The courier that took it.")
@click.option("--tracking", required=True, metavar="NUMBER", help="Its tracking number.")
@click.option(
    "--replace", is_flag=True, help="The order is shipped already: give it this number instead."
)
@click.option(
    "--orders-file",
    "orders_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="The order report holding the order, when the ledger does not know it yet.",
)
@json_option
@pass_app
def ship(
    app: App,
    order_id: str,
    courier: str,
    tracking: str,
    replace: bool,
    orders_files: tuple[Path, ...],
    as_json: bool,
) -> None:
    """Record one order shipped by hand (at the counter): courier and number typed in.

    The order is one the ledger knows (submitted, in exceptions, or shipped with --replace),
    or one in --orders-file. The number must pass the courier's rule and belong to no other
    parcel. The order goes into uploads/upload-<date>-manual.csv, the day's upload of the
    orders shipped by hand.

    Example: batch-ship ship 4012500868541341007 --courier zto --tracking 731234567890
    """
    from batch_ship.ship import run_ship
    from batch_ship.stock import stock_release

    result = run_ship(
        app.workspace,
        order_id,
        courier=courier,
        tracking=tracking,
        replace=replace,
        orders_files=orders_files,
        now=app.now(),
        release=stock_release(app.workspace),  # a moved parcel's stock number: returned or retired
    )
    if as_json:
        emit_json(result.summary())
        return
    click.echo(
        _("order {order} shipped by {courier} with {tracking} (batch {batch})").format(
            order=result.order, courier=result.courier, tracking=result.tracking, batch=result.batch
        )
    )
    if result.moved_from:
        click.echo(
            _("its parcel ({orders}) left batch {batch}").format(
                orders=", ".join(result.orders), batch=result.moved_from
            )
        )
    for path in result.files:
        click.echo(_("wrote {path}").format(path=path))
