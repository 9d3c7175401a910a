"""Export's building: the parcels, the courier workbooks' rows and exceptions.xlsx, handed to
the writer (whose second process, when it has one, starts writing them at once)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from batch_ship.couriers import Courier
from batch_ship.export.plan import ExportPlan
from batch_ship.spreadsheets.background import SharedWrite, WorkbookWriter
from batch_ship.submission import (
    EXCEPTIONS_FILE,
    build_parcels,
    exception_rows,
    exceptions_job,
    ledger_parcels,
    render_rows,
    split_files,
    submission_jobs,
)
from batch_ship.workspace import Workspace


@dataclass(frozen=True)
class BuiltBatch:
    """What the ledger records of the files built (the parcel table itself is let go), and
    the workbooks, maybe being written still."""

    orders: pd.DataFrame  # order_id, seq
    parcels: int
    ledger_parcels: pd.DataFrame
    file_names: list[str]
    workbooks: SharedWrite


def build_batch(
    staging: Path,
    courier: Courier,
    plan: ExportPlan,
    items: pd.DataFrame,
    originals: pd.DataFrame,
    merge: bool,
    workspace: Workspace,
    writer: WorkbookWriter,
) -> BuiltBatch:
    """Build the parcels and the workbooks' rows. The writer's worker (if it has one) starts
    writing them now; `workbooks.finish()` writes the rest."""
    parcels = build_parcels(plan.submit, items, courier, merge=merge)
    rows = render_rows(courier, parcels, workspace.config.sender)
    files = split_files(courier, rows, parcels.table["seq"].to_numpy())
    del rows
    jobs = submission_jobs(staging, courier, files)
    if len(plan.exceptions):
        # last: this process, which writes from the last workbook back, takes it first
        source = originals.reindex(plan.exceptions["row"].to_numpy())
        exception_frame = exception_rows(
            source, plan.exceptions["order_id"], plan.exceptions["codes"]
        )
        jobs.append(exceptions_job(staging / EXCEPTIONS_FILE, exception_frame))
    return BuiltBatch(
        orders=parcels.orders,
        parcels=len(parcels),
        ledger_parcels=ledger_parcels(parcels, files),
        file_names=[job.path.name for job in jobs],
        workbooks=writer.share(jobs, staging / ".claims"),
    )


def clear_folder(folder: Path) -> None:
    """Empty `folder` (a staging folder whose first build is thrown away)."""
    for child in folder.iterdir():
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()
