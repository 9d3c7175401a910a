"""Export's building: the orders routed to their couriers ([[route]]), each courier's parcels
and workbooks' rows, and exceptions.xlsx, handed to one writer (whose second process, when it
has one, starts writing them at once)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from batch_ship.couriers import Courier, get_courier
from batch_ship.exceptions_workbook import exception_rows, exceptions_job
from batch_ship.export.plan import ExportPlan
from batch_ship.headings import EXCEPTIONS_FILE
from batch_ship.parcel_content import add_parcel_content, order_weight_grams
from batch_ship.parcels import build_parcels
from batch_ship.route_rules import Route
from batch_ship.routing import route_orders
from batch_ship.sender import sender_for
from batch_ship.spreadsheets.background import SharedWrite, WorkbookWriter
from batch_ship.spreadsheets.write import WorkbookJob
from batch_ship.stock_export import label_data, takes_from_stock
from batch_ship.submission import ledger_parcels, render_rows, split_files, submission_jobs
from batch_ship.weights import weight_table
from batch_ship.workspace import Workspace


@dataclass(frozen=True)
class Couriers:
    """The couriers an export may use: `default` takes what no route takes (everything, with
    --courier or without routes); `weights` is the item weight table, read up front."""

    default: Courier
    routes: tuple[Route, ...] = ()
    by_code: dict[str, Courier] | None = None
    weights: dict[str, int] | None = None

    def get(self, code: str) -> Courier:
        return (self.by_code or {}).get(code) or self.default


def export_couriers(workspace: Workspace, forced: str | None) -> tuple[Couriers, Workspace]:
    """The default courier and, unless one is forced (--courier), the routes' couriers: each
    loaded and its [sender] checked, and the weight table read, before any order file."""
    config = workspace.config
    default = get_courier(forced or config.courier, config.templates)
    routes = () if forced else config.routes
    by_code = {default.code: default}
    for route in routes:
        if route.courier not in by_code:
            by_code[route.courier] = get_courier(route.courier, config.templates)
    for courier in by_code.values():
        workspace = sender_for(courier, workspace)
    weights = weight_table(config.parcel.weights)  # a bad table stops the run here
    return Couriers(default, routes, by_code, weights), workspace


@dataclass(frozen=True)
class BuiltBatch:
    """What the ledger records of one courier's batch (the parcel table itself is let go)."""

    courier: Courier
    folder: Path  # its staging folder
    orders: pd.DataFrame  # order_id, seq
    parcels: int
    ledger_parcels: pd.DataFrame
    file_names: list[str]
    labels: list[str] | None = None  # from stock: each parcel's label data (JSON), in order


@dataclass(frozen=True)
class Built:
    """Every courier's batch (the first with exceptions.xlsx) and their workbooks, maybe
    being written still (one writer for all)."""

    batches: list[BuiltBatch]
    workbooks: SharedWrite


def build_batches(
    folder: Callable[[int], Path],
    couriers: Couriers,
    plan: ExportPlan,
    items: pd.DataFrame,
    originals: pd.DataFrame,
    merge: bool,
    workspace: Workspace,
    writer: WorkbookWriter,
    from_stock: bool | None = None,
) -> Built:
    """Route the orders to submit (routing.py), build each courier's parcels, content and
    workbooks' rows in staging folder `folder(i)` (couriers in the rules' order, the default
    last). The writer's worker (if it has one) starts writing them now; `workbooks.finish()`
    writes the rest."""
    submit, settings = plan.submit, workspace.config.parcel
    weights = order_weight_grams(submit, items, settings, couriers.weights)
    default = couriers.default.code
    assigned = (
        route_orders(couriers.routes, submit, items, default, weights)
        if couriers.routes
        else np.full(len(submit), default, dtype=object)
    )
    order = [*(route.courier for route in couriers.routes), default]
    codes = [code for code in dict.fromkeys(order) if (assigned == code).any()] or [default]
    batches: list[BuiltBatch] = []
    jobs: list[WorkbookJob] = []
    for index, code in enumerate(codes):
        rows = np.flatnonzero(assigned == code)
        part = submit.iloc[rows].reset_index(drop=True)
        batch_jobs, batch = _courier_batch(
            folder(index),
            couriers.get(code),
            part,
            items,
            weights[rows],
            merge,
            workspace,
            takes_from_stock(workspace, code, from_stock),
        )

        jobs += batch_jobs
        batches.append(batch)
    if len(plan.exceptions):
        # last: this process, which writes from the last workbook back, takes it first
        source = originals.reindex(plan.exceptions["row"].to_numpy())
        exception_frame = exception_rows(
            source, plan.exceptions["order_id"], plan.exceptions["codes"].tolist()
        )
        jobs.append(exceptions_job(batches[0].folder / EXCEPTIONS_FILE, exception_frame))
        batches[0].file_names.append(EXCEPTIONS_FILE)
    # the claims folder goes with the first batch's staging folder (cleared on a rebuild)
    return Built(batches=batches, workbooks=writer.share(jobs, batches[0].folder / ".claims"))


def _courier_batch(
    staging: Path,
    courier: Courier,
    submit: pd.DataFrame,
    items: pd.DataFrame,
    weights: np.ndarray,
    merge: bool,
    workspace: Workspace,
    stocked: bool = False,
) -> tuple[list[WorkbookJob], BuiltBatch]:
    parcels = build_parcels(submit, items, courier, merge=merge)
    parcels = add_parcel_content(parcels, submit, items, workspace.config.parcel, weights)
    rows = render_rows(courier, parcels, workspace.config.sender)
    files = split_files(courier, rows, parcels.table["seq"].to_numpy())
    del rows
    jobs = submission_jobs(staging, courier, files)
    batch = BuiltBatch(
        courier=courier,
        folder=staging,
        orders=parcels.orders,
        parcels=len(parcels),
        ledger_parcels=ledger_parcels(parcels, files),
        file_names=[job.path.name for job in jobs],
        labels=label_data(parcels, items) if stocked else None,
    )
    return jobs, batch


def clear_folder(folder: Path) -> None:
    """Empty `folder` (a staging folder whose first build is thrown away)."""
    for child in folder.iterdir():
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()
