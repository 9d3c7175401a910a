"""Domain errors: what went wrong, where, and how to fix it; the CLI turns them into exit code 1."""

from __future__ import annotations

import contextlib
import errno
import shutil
from pathlib import Path

from batch_ship.i18n import _

NEARLY_FULL = 1024 * 1024  # bytes free under which a failing write means a full disk


class BatchShipError(Exception):
    """A problem the user can fix; never a bug. Carries the file, the row and a fix hint."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        row: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.row = row
        self.hint = hint

    def __str__(self) -> str:
        text = self.message
        if self.path is not None:
            where = self.path.name
            if self.row is not None:
                where = _("{name}, row {row}").format(name=where, row=self.row)
            text = _("{where}: {message}").format(where=where, message=text)
        if self.hint:
            text += "\n  " + _("Fix: {hint}").format(hint=self.hint)
        return text


class InputError(BatchShipError):
    """An input file is unreadable, in the wrong format, or holds data that must not be guessed."""


class ConfigError(BatchShipError):
    """batch_ship.toml or a template is wrong."""


class LedgerError(BatchShipError):
    """The ledger refuses the change (busy, unknown batch, inconsistent state)."""


def missing_file(path: Path | str) -> InputError:
    """The one message for an input file that is not there: exit 1, for every command."""
    return InputError(_("file not found"), path=path, hint=_("check the path and the file name"))


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C's KeyboardInterrupt so that the same clean-up runs."""


class DiskFullError(BatchShipError):
    """No room left to write a run's files; nothing was published, the ledger is unchanged."""


def disk_full(folder: Path, needed: int | None = None) -> DiskFullError:
    """The message for a full disk: the folder, and the space the run needs when known."""
    free = _size(_free_bytes(folder))
    if needed:
        return DiskFullError(
            _(
                "the disk is full: the outputs need about {needed} free in {folder} "
                "({free} free now); nothing was published and the ledger is unchanged"
            ).format(needed=_size(needed), folder=folder, free=free),
            path=folder,
            hint=_("free at least {needed} on that disk, then run again").format(
                needed=_size(needed)
            ),
        )
    return DiskFullError(
        _(
            "the disk is full: no room left in {folder} ({free} free now); nothing was "
            "published and the ledger is unchanged"
        ).format(folder=folder, free=free),
        path=folder,
        hint=_("free some space on that disk, then run again"),
    )


def is_disk_full(error: BaseException) -> bool:
    """ENOSPC from Python, or from a native writer that only says so in its message."""
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(error)
    return "os error 28" in text or "No space left" in text or "disk is full" in text


def nearly_full(folder: Path) -> bool:
    """Less than NEARLY_FULL bytes free where `folder` is: SQLite then fails with a mere
    "disk I/O error" (its shared-memory file finds no room)."""
    free = _free_bytes(folder)
    return free is not None and free < NEARLY_FULL


def _free_bytes(folder: Path) -> int | None:
    for candidate in (folder, *folder.parents):
        with contextlib.suppress(OSError):
            return shutil.disk_usage(candidate).free
    return None


def _size(count: int | None) -> str:
    value = float(count or 0)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:,.0f} {unit}" if unit == "bytes" else f"{value:,.1f} {unit}"
        value /= 1024
    return f"{value:,.1f} GB"
