"""`init` and `daily`: set up a workspace, then the routine cron or a task scheduler runs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from batch_ship.cli.shared import App, F, emit_json, json_option, pass_app, source_option
from batch_ship.i18n import _
from batch_ship.workspace import open_workspace


@click.command("init")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--courier",
    default="zto",
    show_default=True,
    help="Default courier code written to [defaults] (see `batch-ship couriers`).",
)
@click.option(
    "--marketplace",
    default="taobao",
    show_default=True,
    help="Marketplace whose bulk-shipping upload is written.",
)
@pass_app
def init(app: App, directory: Path | None, courier: str, marketplace: str) -> None:
    """Create a workspace: a commented batch_ship.toml and inbox/, returns/, archive/.

    DIRECTORY defaults to --home. An existing batch_ship.toml is never overwritten: init says
    so, creates any missing folders and exits 0, so running it twice is safe.

    Example: batch-ship init shop --courier zto
    """
    from batch_ship.daily import init_workspace

    home = directory if directory is not None else app.home
    result = init_workspace(home, courier=courier, marketplace=marketplace)
    if result.config_written:
        click.echo(
            _("wrote {config} (fill in [sender] before the first export)").format(
                config=result.config
            )
        )
    else:
        click.echo(
            _("{config} already exists; left unchanged").format(config=result.config), err=True
        )
    for folder in result.created_folders:
        click.echo(_("created {folder}/").format(folder=folder))
    if not result.config_written and not result.created_folders:
        click.echo(_("{home} is already a workspace; nothing to do").format(home=home), err=True)


def _seconds_option(flag: str, name: str, default: float, help_text: str) -> Callable[[F], F]:
    return click.option(
        flag,
        name,
        type=click.FloatRange(min=0),
        metavar="SECONDS",
        default=default,
        show_default=True,
        help=help_text,
    )


@click.command("daily")
@_seconds_option(
    "--wait", "wait_seconds", 0.0, "Seconds to wait for another running daily before giving up."
)
@_seconds_option(
    "--settle",
    "settle_seconds",
    5.0,
    "Leave files modified in the last SECONDS for the next run (still being written).",
)
@source_option
@json_option
@pass_app
def daily(
    app: App, wait_seconds: float, settle_seconds: float, source: str | None, as_json: bool
) -> None:
    """Export new order reports from inbox/, import new returns from returns/, archive them.

    Each order report (with its item report of the same stamp, or a fixed exceptions workbook)
    is exported once and each courier return imported once, whichever folder it is in;
    processed files move to archive/<YYYY-MM-DD>/. A file that fails moves to
    failed/<YYYY-MM-DD>/ with its error in <name>.error.txt (move it back to retry); the rest
    go on.
    Exit 0 when every file succeeded (or there was nothing new), 1 when any file failed.
    When another daily run is still working, this one does nothing, says so and exits 0.
    With --quiet only processed and failed files are printed: nothing new prints nothing.

    Example: */10 * * * * batch-ship --home ~/shop daily --quiet
    """
    # The routine loads on use: it brings pandas and Arrow, which `--help` does not need.
    from batch_ship import daily as routine

    workspace = open_workspace(app.home)
    try:
        result = routine.run_daily(
            workspace,
            progress=app.progress(as_json),
            settle_seconds=settle_seconds,
            wait_seconds=wait_seconds,
            today=app.now(),
            raise_bugs=app.debug,
            source=source,
            tuning=app.tuning,
        )
    except routine.DailyBusyError as error:
        # Busy is not a failure: the run in progress, or the next one, picks the files up.
        if as_json:
            emit_json(routine.DailyResult(home=workspace.home, busy=True).summary())
        if not app.quiet:
            click.echo(str(error), err=True)
        return
    if as_json:
        emit_json(result.summary())
    else:
        for line in routine.summary_lines(result, quiet=app.quiet):
            click.echo(line)
    if not result.ok:
        raise click.exceptions.Exit(1)
