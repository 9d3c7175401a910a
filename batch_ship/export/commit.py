"""Export's commit: build into the run's staging folder, then under the ledger's write lock
re-check the orders, record the batch, finish the workbooks and put the folder in place."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from batch_ship.export.build import Built, Couriers, build_batches, clear_folder
from batch_ship.export.plan import DONE, ExportPlan, ledger_exceptions, narrow
from batch_ship.export.prepare import Prepared
from batch_ship.export.result import BatchSummary, ExportResult, nothing_new
from batch_ship.i18n import _
from batch_ship.ledger import Ledger, NewBatch
from batch_ship.ledger.intercepts import Intercept
from batch_ship.progress import Progress, StepTimer
from batch_ship.publish import publication
from batch_ship.sources import canonical as c
from batch_ship.spreadsheets.background import WorkbookWriter
from batch_ship.stock_export import assign_numbers, check_stock, stage_upload
from batch_ship.workspace import Workspace

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExportJob:
    """One export as asked: where, for which courier, from which files."""

    workspace: Workspace
    couriers: Couriers  # the default (or --courier's) and the routes'
    merge: bool
    paths: list[Path]
    item_paths: list[Path]
    now: datetime | None
    progress: Progress
    timer: StepTimer
    intercepts: tuple[Intercept, ...] = ()  # caught while reading (export/run.py)
    from_stock: bool | None = None  # --from-stock / --no-from-stock; None: [stock] couriers


def commit_export(
    ledger: Ledger, writer: WorkbookWriter, job: ExportJob, prepared: Prepared
) -> ExportResult:
    """Build, then, holding the write lock, re-check which orders are already submitted
    (another run may have taken some: re-plan, and rebuild if any went), allocate the batch
    id and record the batch while the workbooks are written into the staging folder, and
    commit the batch with the record of its folder; then the folder moves into place. Any
    failure leaves no batch folder and an unchanged ledger."""
    timer = job.timer
    default = job.couriers.default.code
    with publication(job.workspace, ledger) as publishing:

        def folder(index: int) -> Path:  # one staging folder per courier's batch
            path = publishing.root / f"batch-{index}"
            path.mkdir(exist_ok=True)
            return path

        built: Built | None = None
        try:
            with timer("build"):
                built = _build(job, folder, prepared.plan, prepared, writer)
            publishing.estimate = built.workbooks.estimated_size
            with ledger.write():
                plan, taken = _recheck(ledger, prepared)
                if plan.empty:
                    orders_read = prepared.orders_read
                    return nothing_new(default, orders_read, plan, timer, job.intercepts)
                if taken:
                    with timer("rebuild"):
                        built.workbooks.discard()  # the worker may be writing the first plan
                        for batch in built.batches:
                            clear_folder(batch.folder)
                        built = _build(job, folder, plan, prepared, writer)
                    publishing.estimate = built.workbooks.estimated_size
                result = _record(ledger, job, plan, built, prepared.orders_read)
                # the batch folders go into place once this commit is on disk
                for summary, batch in zip(result.batches, built.batches, strict=True):
                    publishing.place(batch.folder, job.workspace.batch_dir(summary.batch))
                publishing.record()
        finally:
            if built is not None:
                built.workbooks.discard()  # no file may appear after the clean-up
    # The commit happened when write() exited, and the batch folder is in place.
    log.info(
        _("export %s: %d orders in %d parcels, %d exception(s)"),
        result.batch,
        result.orders_submitted,
        result.parcels,
        len(plan.exceptions),
    )
    return result


def _build(
    job: ExportJob,
    folder: Callable[[int], Path],
    plan: ExportPlan,
    prepared: Prepared,
    writer: WorkbookWriter,
) -> Built:
    return build_batches(
        folder,
        job.couriers,
        plan,
        prepared.items,
        prepared.originals,
        job.merge,
        job.workspace,
        writer,
        job.from_stock,
    )


def _recheck(ledger: Ledger, prepared: Prepared) -> tuple[ExportPlan, bool]:
    """The plan against the ledger as it is now, and whether another run took some of its
    orders since the first look (its workbooks must then be built again)."""
    plan, view = prepared.plan, prepared.view
    fresh = ledger.order_states(
        [*plan.submit[c.ORDER_ID].tolist(), *plan.exceptions["order_id"].tolist()]
    )
    if any(state in DONE for state in fresh.values()):
        states = ledger.order_states(view.order_ids.iloc[prepared.candidates].tolist())
        recorded = ledger.exception_codes(view.order_ids.iloc[prepared.normalized_rows].tolist())
        return narrow(plan, view, states, recorded), True
    if len(plan.submit) == 0:
        # only exceptions: another run may have recorded the same ones meanwhile
        recorded = ledger.exception_codes(plan.exceptions["order_id"].tolist())
        return narrow(plan, view, prepared.states, recorded), False
    return plan, False


def _record(
    ledger: Ledger, job: ExportJob, plan: ExportPlan, built: Built, orders_read: int
) -> ExportResult:
    """Record every courier's batch (the exception orders with the first, beside its
    exceptions.xlsx), finish the workbooks, log the export events: all in the caller's
    write transaction."""
    timer = job.timer
    when = job.now or datetime.now()
    made: list[BatchSummary] = []
    for batch in built.batches:  # refused before anything is recorded
        if batch.labels is not None:
            stock = job.workspace.config.stock
            check_stock(ledger, batch.courier.code, batch.parcels, stock.warn_below)
    with timer("record"):
        for index, batch in enumerate(built.batches):
            batch_id = ledger.new_batch_id(when.date())
            exceptions = ledger_exceptions(plan)
            ledger.record_batch(
                NewBatch(
                    batch_id=batch_id,
                    courier=batch.courier.code,
                    created=when,
                    files=tuple(batch.file_names),
                    parcels=batch.ledger_parcels,
                    orders=batch.orders,
                    exceptions=exceptions if index == 0 else exceptions.iloc[:0],
                )
            )
            made.append(
                BatchSummary(batch_id, batch.courier.code, len(batch.orders), batch.parcels)
            )
    stocked = _numbers_from_stock(ledger, job, built, made, when)
    with timer("write"):  # what the worker has not written (all, without one)
        built.workbooks.finish(job.progress)
    result = ExportResult(
        batch=made[0].batch,
        courier=made[0].courier,
        orders_read=orders_read,
        orders_submitted=sum(entry.orders for entry in made),
        parcels=sum(entry.parcels for entry in made),
        skipped=plan.skipped,
        exceptions=plan.exception_counts,
        files=tuple(
            job.workspace.batch_dir(entry.batch) / name
            for entry, batch in zip(made, built.batches, strict=True)
            for name in batch.file_names
        ),
        seconds=timer.rounded(),
        batches=tuple(made),
        intercepts=job.intercepts,
        stocked=stocked,
    )
    _log_exports(ledger, job, result, made)
    return result


def _log_exports(
    ledger: Ledger, job: ExportJob, result: ExportResult, made: list[BatchSummary]
) -> None:
    for entry in made:
        ledger.log_event(
            "export",
            entry.batch,
            {
                **result.summary(),
                "inputs": [path.name for path in job.paths],
                "items": [Path(path).name for path in job.item_paths],
                "merge": job.merge,
                "seconds": job.timer.rounded(),
            },
        )


def _numbers_from_stock(
    ledger: Ledger, job: ExportJob, built: Built, made: list[BatchSummary], when: datetime
) -> tuple[str, ...]:
    """The from-stock batches just recorded get their numbers and their upload (into their
    staging folder), in the same transaction (stock_export.py). Returns their ids."""
    stocked = []
    for entry, batch in zip(made, built.batches, strict=True):
        if batch.labels is None:
            continue
        with job.timer("numbers"):
            assign_numbers(ledger, batch.courier, entry.batch, batch.labels, when)
            upload = stage_upload(ledger, job.workspace, batch.courier, entry.batch, batch.folder)
        batch.file_names.append(upload.name)
        stocked.append(entry.batch)
    return tuple(stocked)
