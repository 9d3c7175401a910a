"""What every command shares: the app context, --json output and progress on stderr."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import click

from batch_ship.progress import Progress, no_progress
from batch_ship.workspace import Workspace, open_workspace

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class App:
    home: Path
    debug: bool = False
    quiet: bool = False
    _workspace: Workspace | None = field(default=None, repr=False)

    @property
    def workspace(self) -> Workspace:
        if self._workspace is None:
            self._workspace = open_workspace(self.home)
        return self._workspace

    def progress(self, as_json: bool = False) -> Progress:
        """A progress reporter on stderr, silent with --quiet or --json or when not a terminal."""
        if self.quiet or as_json:
            return no_progress
        return StderrProgress()


pass_app = click.make_pass_decorator(App)


def json_option(function: F) -> F:
    """`--json`: one JSON object on stdout; progress and logs stay on stderr."""
    return click.option(
        "--json", "as_json", is_flag=True, help="Print one JSON summary object on stdout."
    )(function)


def order_report_arguments(function: F) -> F:
    """ORDERS... and --items, as `export` and `inspect` take them."""
    function = click.option(
        "--items",
        "items",
        multiple=True,
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Item report(s) (ExportOrderDetailList*.csv). Default: the one beside each order "
        "report with the same stamp, when present.",
    )(function)
    return click.argument(
        "orders",
        nargs=-1,
        required=True,
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
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
        text = f"{label}: {done:,}" + (f"/{total:,}" if total else "")
        if self._tty:
            click.echo("\r" + text + ("\n" if finished else ""), err=True, nl=False)
        elif finished:
            click.echo(text, err=True)
