"""An export whose from-stock batches get their labels printed once it has committed: what
`export` and `daily` both run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from batch_ship.errors import BatchShipError
from batch_ship.export.result import ExportResult
from batch_ship.export.run import run_export
from batch_ship.i18n import _
from batch_ship.workspace import Workspace


@dataclass(frozen=True)
class PrintedExport:
    """An export's result and the label, pick-list and packing-slip files printed for it."""

    result: ExportResult
    labels: tuple[Path, ...] = ()

    def summary(self) -> dict[str, Any]:
        """The export's summary; with `labels` (the printed files) when it took numbers from
        stock."""
        summary = self.result.summary()
        if self.result.stocked:
            summary["labels"] = [str(path) for path in self.labels]
        return summary


def export_and_print(
    workspace: Workspace, orders: Sequence[Path], *, now: datetime | None = None, **options: Any
) -> PrintedExport:
    """`run_export` (`options` are its keywords), then the labels of every batch that took its
    numbers from stock (`print_stocked`)."""
    result = run_export(workspace, orders, now=now, **options)
    return PrintedExport(result, tuple(print_stocked(workspace, result.stocked, now)))


def print_stocked(
    workspace: Workspace, batches: Sequence[str], now: datetime | None = None
) -> list[Path]:
    """The labels of the batches that took their numbers from stock, printed now that the
    export has committed (or later with `batch-ship labels`). A failure here leaves the
    export as it is: the message says so and how to print them."""
    from batch_ship.printing import print_batch

    files: list[Path] = []
    for batch in batches:
        try:
            files += print_batch(workspace, batch, now=now).files
        except BatchShipError as error:
            raise BatchShipError(
                _("batch {batch} is exported and numbered, but its labels failed: {error}").format(
                    batch=batch, error=error.message
                ),
                path=error.path,
                hint=_("fix that, then print them: batch-ship labels --batch {batch}").format(
                    batch=batch
                ),
            ) from error
    return files
