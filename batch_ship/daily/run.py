"""The daily routine: export each new order report in the inbox, import each new courier
return, once, under the workspace lock."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path

from batch_ship.daily.files import Folders, Steps, process
from batch_ship.daily.inbox import SETTLE_SECONDS, Unit, inbox_units, settled_files
from batch_ship.daily.init import FOLDERS
from batch_ship.daily.lock import workspace_lock
from batch_ship.daily.result import DailyResult, FileResult, Summarized
from batch_ship.errors import BatchShipError
from batch_ship.i18n import _
from batch_ship.progress import Progress, no_progress
from batch_ship.publish import open_ledger
from batch_ship.tuning import DEFAULT_TUNING, Tuning
from batch_ship.workspace import CONFIG_NAME, Workspace

log = logging.getLogger(__name__)

Exporter = Callable[..., Summarized]
Importer = Callable[..., Summarized]


def run_daily(
    workspace: Workspace,
    *,
    progress: Progress = no_progress,
    settle_seconds: float = SETTLE_SECONDS,
    wait_seconds: float = 0.0,
    today: datetime | None = None,
    exporter: Exporter | None = None,
    importer: Importer | None = None,
    raise_bugs: bool = False,
    source: str | None = None,
    tuning: Tuning = DEFAULT_TUNING,
) -> DailyResult:
    """Export each new order report in the inbox, then import each new courier return, once.

    Processed files move to archive/<YYYY-MM-DD>/; a file that fails for what it holds moves to
    failed/<YYYY-MM-DD>/ with its error beside it (see daily/files.py) while the rest go on.
    Files modified in the last `settle_seconds` are left for the next run. A second concurrent
    run waits up to `wait_seconds` for the first, then raises DailyBusyError.
    `exporter`/`importer` default to `export_and_print` (a from-stock batch's labels are
    printed too) and `import_tracking`. An unexpected exception (a bug) fails only its file,
    unless `raise_bugs` (--debug). Each order file's source is found from its content, or is
    `source` (a code) for every file. `tuning` goes to export and the ledger.
    """
    started = time.monotonic()
    check_workspace(workspace)
    with workspace_lock(workspace.home, wait_seconds=wait_seconds):
        export, import_ = _steps(workspace, exporter, importer, progress, tuning)
        day = (today or datetime.now()).strftime("%Y-%m-%d")
        folders = Folders(workspace.folder("archive") / day, workspace.folder("failed") / day)
        now = time.time()
        results: list[FileResult] = []
        units, waiting, ignored = inbox_units(workspace.folder("inbox"), now, settle_seconds)
        for unit in units:
            steps = _inbox_steps(unit, export, import_, source, today)
            results.append(process("orders", _inputs(unit), folders, raise_bugs, steps))
        returns, return_waiting, return_ignored = settled_files(
            workspace.folder("returns"), now, settle_seconds
        )
        for path in returns:
            steps = {"return": partial(import_, [path]), "orders": partial(export, [path])}
            results.append(process("return", [path], folders, raise_bugs, steps))
        result = DailyResult(
            home=workspace.home,
            files=tuple(results),
            waiting=(*waiting, *return_waiting),
            ignored=(*ignored, *return_ignored),
            seconds=time.monotonic() - started,
            notes=_notes(workspace),
        )
        if results:
            _log_daily(workspace, result, tuning)
        return result


def _steps(
    workspace: Workspace,
    exporter: Exporter | None,
    importer: Importer | None,
    progress: Progress,
    tuning: Tuning,
) -> tuple[Callable[..., Summarized], Callable[..., Summarized]]:
    """Export and import-tracking for this workspace, taking the files (and step options)."""
    if exporter is None:
        from batch_ship.export.printed import export_and_print

        exporter = export_and_print
    if importer is None:
        from batch_ship.tracking import import_tracking

        importer = import_tracking
    export = partial(exporter, workspace, items=None, progress=progress, tuning=tuning)
    return export, partial(importer, workspace, progress=progress)


def _inbox_steps(
    unit: Unit,
    export: Callable[..., Summarized],
    import_: Callable[..., Summarized],
    source: str | None,
    today: datetime | None,
) -> Steps:
    """An inbox unit's export (with its item report, the chosen source and day), or, when the
    order file is a courier return, its import."""
    order_path, items_path = unit
    return {
        "orders": partial(
            export,
            [order_path],
            items=[items_path] if items_path else None,
            source=source,
            now=today,
        ),
        "return": partial(import_, [order_path]),
    }


def _inputs(unit: Unit) -> list[Path]:
    order_path, items_path = unit
    return [order_path] + ([items_path] if items_path else [])


def check_workspace(workspace: Workspace) -> None:
    """Refuse, before taking the lock, a home that is no workspace (a cron line in the wrong
    folder leaves nothing behind) or whose folders are files."""
    if not workspace.home.is_dir():
        raise BatchShipError(
            _("no workspace at {home}").format(home=workspace.home),
            hint=_("run `batch-ship init {home}` first, or fix --home").format(home=workspace.home),
        )
    marks = (workspace.home / CONFIG_NAME, workspace.folder("inbox"), workspace.folder("returns"))
    if not any(path.exists() for path in marks):
        raise BatchShipError(
            _("{home} is not a workspace (no {CONFIG_NAME}, no inbox/ or returns/ folder)").format(
                home=workspace.home, CONFIG_NAME=CONFIG_NAME
            ),
            hint=_("run `batch-ship init {home}` first, or point --home at your workspace").format(
                home=workspace.home
            ),
        )
    for name in (*FOLDERS, "failed"):
        folder = workspace.folder(name)
        if folder.exists() and not folder.is_dir():
            raise BatchShipError(
                _("{folder} is a file, not a folder").format(folder=folder),
                hint=_("rename it; {name}/ must be a folder").format(name=name),
            )


def _notes(workspace: Workspace) -> tuple[str, ...]:
    """What the run could not look at: a folder init would have made."""
    return tuple(
        _("no {name}/ folder in {home}: run `batch-ship init` to create it").format(
            name=name, home=workspace.home
        )
        for name in ("inbox", "returns")
        if not workspace.folder(name).is_dir()
    )


def _log_daily(workspace: Workspace, result: DailyResult, tuning: Tuning) -> None:
    """One `daily` event in the ledger's log, so the report can show the routine's timing."""
    try:
        with open_ledger(workspace, tuning) as ledger, ledger.write():
            ledger.log_event(
                "daily",
                None,
                {
                    "exported": result.exported,
                    "imported": result.imported,
                    "failed": result.failed,
                    "seconds": round(result.seconds, 3),
                },
            )
    except (BatchShipError, OSError) as error:  # the log is a nicety
        log.debug("daily: event not logged: %s", error)
