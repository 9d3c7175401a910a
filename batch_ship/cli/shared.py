"""What every command shares: the app context, --json output and progress on stderr."""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from batch_ship.i18n import LANGUAGES, _, set_language
from batch_ship.progress import Progress, no_progress
from batch_ship.tuning import DEFAULT_TUNING, Tuning
from batch_ship.workspace import Workspace, open_workspace

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class App:
    """The global options, wherever on the command line they were given."""

    home: Path
    debug: bool = False
    quiet: bool = False
    lang: str | None = None  # --lang; None: the locale's (LC_ALL, LC_MESSAGES, LANG)
    json: bool = False  # --json: stdout is one JSON object, stderr only warnings and errors
    today: date | None = None  # --today: the day this run takes for today
    tuning: Tuning = DEFAULT_TUNING  # speed knobs: the default, or the invoker's (click's obj)
    _workspace: Workspace | None = field(default=None, repr=False)

    @property
    def workspace(self) -> Workspace:
        if self._workspace is None:
            self._workspace = open_workspace(self.home)
        return self._workspace

    def now(self) -> datetime | None:
        """Now, on --today's day when given (None: the clock's own now)."""
        if self.today is None:
            return None
        return datetime.combine(self.today, datetime.now().time())

    def progress(self, as_json: bool = False) -> Progress:
        """A progress reporter on stderr, silent with --quiet or --json or when not a terminal."""
        if self.quiet or self.json or as_json:
            return no_progress
        return StderrProgress()

    def apply_logging(self) -> None:
        """Log lines on stderr: debug with --debug, only warnings with --quiet or --json."""
        logger = logging.getLogger("batch_ship")
        if not any(isinstance(handler, _EchoHandler) for handler in logger.handlers):
            logger.addHandler(_EchoHandler())
            logger.propagate = False
        if self.debug:
            logger.setLevel(logging.DEBUG)
        else:
            logger.setLevel(logging.WARNING if self.quiet or self.json else logging.INFO)


class _EchoHandler(logging.Handler):
    """Log records on the stderr of the moment (click.echo), so a test runner captures them."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            click.echo(self.format(record), err=True)
        except Exception:  # logging must never break a run
            self.handleError(record)


pass_app = click.make_pass_decorator(App)


def _set_on_app(name: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """An option callback that records a global option given after the command on the App."""

    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        app = ctx.find_object(App)
        if app is not None and value not in (None, False):
            setattr(app, name, value)
            if name == "home":
                app._workspace = None
            if name == "lang":
                set_language(str(value).lower())
            app.apply_logging()
        return value

    return callback


HOME_HELP = "Workspace: batch_ship.toml, ledger.sqlite3 and batches/ live here."
QUIET_HELP = "No progress or log lines on stderr (warnings and errors still show)."
DEBUG_HELP = "Show tracebacks for errors, and debug log lines."
LANG_HELP = (
    "Language of the messages: zh (中文) or en. Default: the locale (LC_ALL, LC_MESSAGES, "
    "LANG, e.g. zh_CN.UTF-8), else English."
)
LANG_CHOICE = click.Choice(LANGUAGES, case_sensitive=False)


def global_params() -> list[click.Parameter]:
    """--home, --quiet, --debug and --lang for after the command too (`batch-ship daily --quiet`):
    people type them there, and cron lines are written that way."""

    def option(names: list[str], field: str, help_text: str, **kind: Any) -> click.Option:
        return click.Option(
            names, expose_value=False, callback=_set_on_app(field), help=help_text, **kind
        )

    return [
        option(["--home"], "home", HOME_HELP, type=click.Path(file_okay=False, path_type=Path)),
        option(["-q", "--quiet"], "quiet", QUIET_HELP, is_flag=True),
        option(["--debug"], "debug", DEBUG_HELP, is_flag=True),
        option(["--lang"], "lang", LANG_HELP, type=LANG_CHOICE),
    ]


def json_option(function: F) -> F:
    """`--json`: one JSON object on stdout; progress and log lines are hidden."""
    return click.option(
        "--json",
        "as_json",
        is_flag=True,
        callback=_set_on_app("json"),
        help="Print one JSON summary object on stdout (no progress or log lines).",
    )(function)


def source_option(function: F) -> F:
    """`--source NAME`: read the order files as this source instead of choosing by content."""
    return click.option(
        "--source",
        metavar="NAME",
        default=None,
        help="Read the order files as this source: taobao, or a column mapping in "
        "templates/sources/ (yours in the workspace's templates folder). Default: chosen "
        "by each file's headers.",
    )(function)


def order_report_arguments(function: F) -> F:
    """ORDERS..., --items and --source, as `export` and `inspect` take them."""
    function = source_option(function)
    function = click.option(
        "--items",
        "items",
        multiple=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="Item report(s) (ExportOrderDetailList*.csv). Default: the one beside each order "
        "report with the same stamp, when present.",
    )(function)
    return click.argument(
        "orders",
        nargs=-1,
        required=True,
        # Not exists=True: a missing file is an input error (exit 1, as for every command),
        # which the reader raises naming the file.
        type=click.Path(dir_okay=False, path_type=Path),
    )(function)


def emit_json(summary: dict[str, Any]) -> None:
    click.echo(json.dumps(summary, ensure_ascii=False, indent=2, default=str))


class StderrProgress:
    """Prints `label: done/total` on stderr, at most a few times a second, and the final line."""

    def __init__(self, interval: float = 0.5) -> None:
        self._interval = interval
        self._last = 0.0
        self._tty = sys.stderr.isatty()

    def __call__(self, label: str, done: int, total: int | None = None) -> None:
        now = time.monotonic()
        finished = total is not None and done >= total
        if not finished and now - self._last < self._interval:
            return
        self._last = now
        text = f"{_(label)}: {done:,}" + (f"/{total:,}" if total else "")
        if self._tty:
            click.echo("\r" + text + ("\n" if finished else ""), err=True, nl=False)
        elif finished:
            click.echo(text, err=True)
