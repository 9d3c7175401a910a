"""Domain errors: what went wrong, where, and how to fix it; the CLI turns them into exit code 1."""

from __future__ import annotations

from pathlib import Path

from batch_ship.i18n import _


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
