"""`sample-data`: a realistic synthetic Taobao export pair for demos, tests and benchmarks."""

from __future__ import annotations

from pathlib import Path

import click

from batch_ship.cli.shared import emit_json, json_option
from batch_ship.i18n import _


@click.command("sample-data")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--orders",
    type=click.IntRange(min=1, max=5_000_000),
    default=200,
    show_default=True,
    help="Number of orders in the order report.",
)
@click.option(
    "--seed", type=int, default=1, show_default=True, help="Random seed (same seed, same files)."
)
@click.option(
    "--stamp",
    metavar="STAMP",
    default=None,
    help="The file-name stamp: ExportOrderList<STAMP>.csv. Default 202611260900.",
)
@json_option
def sample_data(folder: Path, orders: int, seed: int, stamp: str | None, as_json: bool) -> None:
    """Write a synthetic ExportOrderList<stamp>.csv + ExportOrderDetailList<stamp>.csv pair
    into FOLDER, in the seller centre's exact format (GBK, CRLF, ="…" order numbers) and with
    real-world mess: masked and virtual phones, unknown districts, repeat buyers, multi-line
    and formula-like buyer messages, every order status.

    Example: batch-ship sample-data demo --orders 500 --seed 7
    """
    if stamp is not None and not stamp.isalnum():
        raise click.BadParameter(
            _("letters and digits only, e.g. 202611260900"), param_hint="--stamp"
        )
    from batch_ship.samples.orders import write_sample_export

    order_path, item_path = write_sample_export(folder, orders=orders, seed=seed, stamp=stamp)
    if as_json:
        emit_json({"orders": orders, "files": [str(order_path), str(item_path)]})
        return
    click.echo(
        _("wrote {orders:,} orders: {order_path}").format(orders=orders, order_path=order_path)
    )
    click.echo(_("item report: {item_path}").format(item_path=item_path))
