"""The `batch-ship` command group: a thin skin that turns domain errors into messages."""

from __future__ import annotations

import contextlib
import importlib
import signal
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import click

from batch_ship.cli.shared import (
    DEBUG_HELP,
    HOME_HELP,
    LANG_CHOICE,
    LANG_HELP,
    QUIET_HELP,
    App,
    global_params,
)
from batch_ship.errors import BatchShipError, Terminated
from batch_ship.i18n import _, ngettext, set_language
from batch_ship.tuning import DEFAULT_TUNING, Tuning

# click's own messages (usage errors, "Usage:", "Show this message and exit.") look themselves
# up through the module-level gettext functions each click module imported; pointing those
# names at ours puts them in the same catalog and language (scripts/messages.py extracts
# them from the installed click).
CLICK_MODULES = (
    "click.core", "click.decorators", "click.exceptions", "click.formatting", "click.parser",
    "click.shell_completion", "click.termui", "click.types", "click.utils",
)  # fmt: skip


def _route_click_messages() -> None:
    for name in CLICK_MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "_"):
            module._ = _  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]


_route_click_messages()

# Commands load lazily (name -> "module:function") so `batch-ship --help` stays quick and each
# command lives in its own module.
COMMANDS = {
    "init": "batch_ship.cli.daily:init",
    "daily": "batch_ship.cli.daily:daily",
    "export": "batch_ship.cli.export:export",
    "import-tracking": "batch_ship.cli.tracking:import_tracking",
    "status": "batch_ship.cli.status:status",
    "couriers": "batch_ship.cli.couriers:couriers",
    "inspect": "batch_ship.cli.inspect:inspect",
    "report": "batch_ship.cli.report:report",
    "sample-data": "batch_ship.cli.samples:sample_data",
    "sample-return": "batch_ship.cli.tracking:sample_return",
    "void": "batch_ship.cli.void:void",
    "ship": "batch_ship.cli.ship:ship",
    "numbers": "batch_ship.cli.numbers:numbers",
    "labels": "batch_ship.cli.labels:labels",
    "handover": "batch_ship.cli.labels:handover",
}


class Failure(click.ClickException):
    """A domain error or a bug, shown as one message (exit 1) in the messages' language."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(_("Error: {message}").format(message=self.format_message()), err=True)


class BatchShipGroup(click.Group):
    """Lazy commands, and one clear message (exit 1) for every domain error."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        command: click.Command = getattr(importlib.import_module(module_name), attribute)
        if not any(param.name == "quiet" for param in command.params):
            command.params.extend(global_params())
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BatchShipError as error:
            if _debug(ctx):
                raise
            raise Failure(str(error)) from error
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt as error:
            # Staged files were deleted, or put in place when the ledger had committed them.
            click.echo(_("Interrupted; nothing half-written was kept."), err=True)
            ctx.exit(143 if isinstance(error, Terminated) else 130)
        except (SystemExit, GeneratorExit):
            raise
        except BaseException as error:  # a bug, or a native library's panic (pyo3's
            # PanicException is a BaseException): say so briefly, the traceback is behind --debug
            if _debug(ctx):
                raise
            name = type(error).__name__
            raise Failure(
                _(
                    "internal error ({name}: {error}). Run again with --debug for the "
                    "traceback and report it."
                ).format(name=name, error=error)
            ) from error


def _debug(ctx: click.Context) -> bool:
    """--debug given before or after the command."""
    app = ctx.find_object(App)
    return bool(ctx.params.get("debug")) or (app is not None and app.debug)


@click.group(cls=BatchShipGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="BATCH_SHIP_HOME",
    default=".",
    show_default="current directory",
    help=HOME_HELP,
)
@click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    envvar="BATCH_SHIP_TODAY",
    hidden=True,
    help="The day this run takes for today (batch ids, archive folder): for tests.",
)
@click.option("--debug", is_flag=True, help=DEBUG_HELP)
@click.option("-q", "--quiet", is_flag=True, help=QUIET_HELP)
@click.option("--lang", type=LANG_CHOICE, help=LANG_HELP)
@click.version_option(package_name="batch-ship", prog_name="batch-ship")
@click.pass_context
def main(
    ctx: click.Context,
    home: Path,
    today: datetime | None,
    debug: bool,
    quiet: bool,
    lang: str | None,
) -> None:
    """Ship a day's Taobao/Tmall orders: exports in, courier workbooks out, tracking back.

    --home, --quiet, --debug and --lang may also follow the command.

    Example: batch-ship --home shop export ExportOrderList20261126.csv --courier zto
    """
    set_language(lang.lower() if lang else None)
    _terminate_like_an_interrupt()
    # A test or an embedding program may pass a Tuning as click's `obj`; users get the default.
    tuning = ctx.obj if isinstance(ctx.obj, Tuning) else DEFAULT_TUNING
    ctx.obj = App(
        home=home,
        debug=debug,
        quiet=quiet,
        lang=lang,
        today=today.date() if today else None,
        tuning=tuning,
    )
    ctx.obj.apply_logging()


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated()


def _terminate_like_an_interrupt() -> None:
    """SIGTERM (a service manager stopping the run, `kill`) cleans up as Ctrl-C does."""
    # not the main thread (an embedding program): its handling is left alone
    with contextlib.suppress(ValueError):
        signal.signal(signal.SIGTERM, _raise_terminated)
