"""`import-tracking` and `sample-return`: tracking numbers back from the courier."""

from __future__ import annotations

from pathlib import Path

import click

from batch_ship.cli.shared import App, emit_json, json_option, pass_app
from batch_ship.i18n import _


@click.command("import-tracking")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--batch",
    metavar="ID",
    help="The batch (YYYYMMDD-NN) the numbers are for. Default: the batch the return's "
    "references belong to; with --range, the only batch awaiting tracking.",
)
@click.option(
    "--range",
    "range_spec",
    metavar="START[-END]",
    help="Assign consecutive numbers to the batch's parcels awaiting tracking, in submission "
    "order: START with --count N, or START-END.",
)
@click.option(
    "--count",
    type=click.IntRange(min=1),
    metavar="N",
    help="How many numbers --range START holds.",
)
@click.option(
    "--replace",
    is_flag=True,
    help="Apply numbers that differ from those already recorded for a parcel (conflicts); "
    "without it conflicts are only reported.",
)
@click.option(
    "--marketplace",
    metavar="NAME",
    help="Marketplace upload template (taobao, amazon, or your own). Default: [defaults] "
    "marketplace in batch_ship.toml, else taobao.",
)
@json_option
@pass_app
def import_tracking(
    app: App,
    files: tuple[Path, ...],
    batch: str | None,
    range_spec: str | None,
    count: int | None,
    replace: bool,
    marketplace: str | None,
    as_json: bool,
) -> None:
    """Record the courier's tracking numbers and write the marketplace upload file.

    Reads the courier's return workbook(s) (.xlsx, .xls, .csv; title rows above the header
    are fine) and matches each row to its parcel by our order number, or assigns a block of
    consecutive numbers with --range. Writes batches/<id>/upload-taobao.csv (every shipped
    order of the batch) and this import's own reconcile-<n>.xlsx (matched, unmatched parcels,
    unknown rows, invalid, duplicates, conflicts; n counts the batch's imports, so an earlier
    one's is never overwritten). Running it again on the same return records nothing new.

    Example: batch-ship import-tracking returns/zto-20261126.xlsx
    """
    if files and range_spec:
        raise click.UsageError(_("give return FILEs or --range, not both"))
    if not files and not range_spec:
        raise click.UsageError(_("give the courier's return FILE, or --range START --count N"))
    if count is not None and not range_spec:
        raise click.UsageError(_("--count goes with --range START"))
    if range_spec and count is None and "-" not in range_spec.strip().strip("-"):
        raise click.UsageError(_("--range START needs --count N (or write --range START-END)"))
    from batch_ship.tracking import import_tracking as run

    result = run(
        app.workspace,
        list(files),
        batch=batch,
        range_spec=range_spec,
        count=count,
        replace=replace,
        marketplace=marketplace,
        progress=app.progress(as_json),
        tuning=app.tuning,
    )
    if as_json:
        emit_json(result.summary())
        return
    from batch_ship.summaries import import_lines

    for line in import_lines(result, replace=replace):
        click.echo(line)


@click.command("sample-return")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--batch", metavar="ID", required=True, help="The batch to simulate a return for.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed.")
@pass_app
def sample_return(app: App, file: Path, batch: str, seed: int) -> None:
    """Write a simulated courier return for a batch (for demos and tests).

    Like a courier site's download: a title row, the courier's own headers, shuffled rows,
    valid tracking numbers, some order numbers stored as numbers (digits lost), masked phones
    and split parcels. .xlsx by default; .csv when FILE ends in .csv.

    Example: batch-ship sample-return --batch 20261126-01 returns/zto.xlsx
    """
    from batch_ship.samples.returns import write_sample_return

    click.echo(str(write_sample_return(app.workspace, batch, file, seed=seed)))
