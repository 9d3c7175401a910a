"""`report`: one self-contained HTML page about the batches, from the ledger and batch folders."""

from __future__ import annotations

from pathlib import Path

import click

from batch_ship.cli.shared import App, pass_app
from batch_ship.workspace import open_workspace


@click.command("report")
@click.option("--batch", "batch_id", metavar="ID", help="Only this batch (YYYYMMDD-NN).")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the page [default: batches/<ID>/report.html with --batch, "
    "else report.html in the home].",
)
@pass_app
def report(app: App, batch_id: str | None, out: Path | None) -> None:
    """Write an HTML report: orders by state, parcels per courier and province, exceptions to
    fix, tracking coverage and the time each step took. It opens offline in any browser.

    Example: batch-ship report --batch 20261126-01
    """
    from batch_ship.report import write_report

    path = write_report(open_workspace(app.home), batch_id, out)
    click.echo(str(path))
