"""The export use case: read, plan, build the courier workbooks, record the batch."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from batch_ship.errors import InputError
from batch_ship.export.build import export_couriers
from batch_ship.export.commit import ExportJob, commit_export
from batch_ship.export.prepare import prepare, read_orders
from batch_ship.export.result import ExportResult, nothing_new
from batch_ship.i18n import _
from batch_ship.intercepts import catch_intercepts
from batch_ship.progress import Progress, StepTimer, no_progress
from batch_ship.publish import open_ledger
from batch_ship.sources.registry import choose_source
from batch_ship.spreadsheets.background import WorkbookWriter
from batch_ship.tuning import DEFAULT_TUNING, Tuning
from batch_ship.workspace import Workspace


def run_export(
    workspace: Workspace,
    orders: Sequence[Path],
    *,
    items: Sequence[Path] | None = None,
    courier: str | None = None,
    merge: bool | None = None,
    source: str | None = None,
    progress: Progress = no_progress,
    now: datetime | None = None,
    tuning: Tuning = DEFAULT_TUNING,
    from_stock: bool | None = None,
) -> ExportResult:
    """Export the orders awaiting shipment into a new batch folder and the ledger.

    Reads and plans everything first (batch_ship/export/prepare.py), then builds and commits
    (export/commit.py): any failure leaves no batch folder and an unchanged ledger. Nothing
    new: no batch, no files. The order files' source is `source` (a code, see
    `batch_ship.sources.registry`) or found from their content. Without `items`, the files
    that belong beside the order files (Taobao: the item report of the same stamp) are read
    too, when present. `from_stock` (default: whether `[stock] couriers` lists a batch's
    courier) numbers the parcels from stock in the batch's own commit and writes the upload
    (stock_export.py). `tuning` sets when a second process writes and how normalization is
    sliced (never what is produced).
    """
    timer = StepTimer()
    # --courier's, else the routes' and the default: each refused before any file is read
    couriers, workspace = export_couriers(workspace, courier)
    chosen = couriers.default
    paths = [Path(path) for path in orders]
    if not paths:
        raise InputError(_("no order report given"), hint=_("pass ExportOrderList*.csv files"))
    order_source = choose_source(paths, source, workspace.config.templates)
    item_paths = list(items) if items is not None else order_source.companions(paths)
    with timer("read"):
        read = read_orders(order_source, paths, item_paths, items is not None, progress)
    caught = tuple(catch_intercepts(workspace, read.stopped, tuning))
    merge = workspace.config.merge if merge is None else merge
    job = ExportJob(
        workspace, couriers, merge, paths, item_paths, now, progress, timer, caught, from_stock
    )
    # A big export starts the second process now: it is ready when the building ends.
    big = len(read.candidates) >= tuning.background_orders
    with (
        open_ledger(workspace, tuning) as ledger,
        WorkbookWriter(background=big, writers=tuning.workbook_writers) as writer,
    ):
        prepared = prepare(ledger, read, progress, tuning, timer)
        if prepared.plan.empty:
            return nothing_new(chosen.code, prepared.orders_read, prepared.plan, timer, caught)
        return commit_export(ledger, writer, job, prepared)
