"""Daily's handling of one file: run its step (or the other folder's, when the file says it is
of that kind), then archive it, or set it aside in failed/ with its error beside it."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from batch_ship.daily.inbox import archive_file
from batch_ship.daily.init import write_text_atomic
from batch_ship.daily.result import FileResult, Summarized
from batch_ship.errors import BatchShipError, InputError
from batch_ship.i18n import _
from batch_ship.sources.file_kinds import FileKind, WrongFileError

log = logging.getLogger(__name__)

ERROR_SUFFIX = ".error.txt"
# A file another folder's step reads goes there (a courier return dropped in inbox/).
_STEP_OF_KIND = {
    FileKind.COURIER_RETURN: "return",
    FileKind.UPLOAD: "return",  # numbers by order number, in the marketplace's layout
    FileKind.ORDER_REPORT: "orders",
    FileKind.EXCEPTIONS: "orders",
}

Steps = Mapping[str, Callable[[], Summarized]]  # "orders"/"return": the step, ready to run


@dataclass(frozen=True)
class Folders:
    """Where a day's files go: processed ones, failed ones."""

    archive: Path
    failed: Path


def process(
    kind: str,
    inputs: list[Path],
    folders: Folders,
    raise_bugs: bool,
    steps: Steps,
) -> FileResult:
    """Run a file's step (the other folder's step when the file says it is of that kind),
    archive it when done; a file that failed for what it holds, or crashed its step, goes to
    failed/<date>/ with its error (a busy ledger or a broken config is no fault of the file:
    it stays for the next run)."""
    started = time.monotonic()
    items = inputs[1] if len(inputs) > 1 else None

    def failed(error: str, set_aside: bool) -> FileResult:
        moved = _set_aside(inputs, folders.failed, error) if set_aside else ()
        return FileResult(
            kind, inputs[0], items, ok=False, error=error, set_aside=moved,
            seconds=time.monotonic() - started,
        )  # fmt: skip

    try:
        kind, summary = _run_step(kind, steps)
    except BatchShipError as error:
        log.debug("daily: %s failed", inputs[0].name, exc_info=True)
        return failed(str(error), isinstance(error, InputError))
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as error:  # a bug (or a native panic) in one file's run must not
        # stop the rest of the inbox
        if raise_bugs:
            raise
        log.debug("daily: %s crashed", inputs[0].name, exc_info=True)
        return failed(
            _(
                "{name}: internal error ({kind}: {error}); "
                "run `batch-ship --debug daily` for the traceback and report it"
            ).format(name=inputs[0].name, kind=type(error).__name__, error=error),
            True,
        )
    return _archive(kind, inputs, folders, summary, started)


def _archive(
    kind: str, inputs: list[Path], folders: Folders, summary: dict[str, Any], started: float
) -> FileResult:
    """Move a processed file (and its item report) to archive/<date>/."""
    items = inputs[1] if len(inputs) > 1 else None
    try:
        archived = tuple(archive_file(path, folders.archive) for path in inputs)
    except OSError as error:
        # Recorded but not moved: the next run re-reads it and the ledger skips what it knows.
        message = _("{name}: processed but could not be archived ({error})").format(
            name=inputs[0].name, error=error
        )
        return FileResult(
            kind,
            inputs[0],
            items,
            ok=False,
            summary=summary,
            error=message,
            seconds=time.monotonic() - started,
        )
    return FileResult(
        kind,
        inputs[0],
        items,
        summary=summary,
        archived=archived,
        seconds=time.monotonic() - started,
    )


def _run_step(kind: str, steps: Steps) -> tuple[str, dict[str, Any]]:
    """The step of the folder the file was in; if the file is of the other step's kind
    (a courier return in inbox/), that step instead, once."""
    try:
        return kind, steps[kind]().summary()
    except WrongFileError as error:
        other = _STEP_OF_KIND.get(error.kind)
        if other is None or other == kind:
            raise
        log.info(_("daily: %s is a %s; %s"), error.path, error.kind.value, f"running {other}")
        return other, steps[other]().summary()


def _set_aside(inputs: list[Path], folder: Path, error: str) -> tuple[Path, ...]:
    """Move a failed file (and its item report) to `folder`, its error beside it in
    `<name>.error.txt`: daily does not read it again until a person moves it back."""
    moved: list[Path] = []
    try:
        for path in inputs:
            moved.append(archive_file(path, folder))
        note = folder / f"{moved[0].name}{ERROR_SUFFIX}"
        when = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
        back = ", ".join(
            _("{name} to {folder}/").format(name=path.name, folder=path.parent.name)
            for path in inputs
        )
        write_text_atomic(
            note,
            f"{error}\n\n"
            + _("{when}: batch-ship daily moved it here and will not read it again.").format(
                when=when
            )
            + "\n"
            + _("Once fixed, move {back} to try again.").format(back=back)
            + "\n",
        )
    except OSError as problem:  # it stays where it is; the error is still reported
        log.warning(_("daily: could not move %s to %s (%s)"), inputs[0].name, folder, problem)
        return tuple(moved)
    return (*moved, note)
