"""Progress reporting that the library calls and the CLI draws on stderr; step timing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol


class Progress(Protocol):
    """Called as work advances: `label` names the step, `done` of `total` units (None: unknown)."""

    def __call__(self, label: str, done: int, total: int | None = None) -> None: ...


def no_progress(label: str, done: int, total: int | None = None) -> None:
    """The default: report nothing."""


class StepTimer:
    """Seconds per named step of a run, for the event log and the benchmark's breakdown."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, step: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[step] = self.seconds.get(step, 0.0) + time.perf_counter() - started

    def rounded(self) -> dict[str, float]:
        return {step: round(value, 3) for step, value in self.seconds.items()}
