"""Progress reporting that the library calls and the CLI draws on stderr."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Called as work advances: `label` names the step, `done` of `total` units (None: unknown)."""

    def __call__(self, label: str, done: int, total: int | None = None) -> None: ...


def no_progress(label: str, done: int, total: int | None = None) -> None:
    """The default: report nothing."""
