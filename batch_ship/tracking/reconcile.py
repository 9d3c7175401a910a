"""The reconcile workbook of one import (reconcile-<n>.xlsx): matched, unmatched parcels, and
the problem rows, staged beside the ledger's commit (by a second process when big)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from batch_ship.errors import BatchShipError
from batch_ship.headings import RECONCILE_HEADERS, RECONCILE_SHEETS
from batch_ship.i18n import _
from batch_ship.spreadsheets.background import PendingWrite, WorkbookWriter
from batch_ship.spreadsheets.write import estimated_size, write_workbook
from batch_ship.tracking.plan import ImportPlan, rows_of
from batch_ship.tracking.rows import ConflictRow, DuplicateRow, InvalidRow, UnknownRow

# The parcels' columns the sheets show: only these travel to the writer process.
SHOWN_PARCEL_COLUMNS = [
    "parcel_id",
    "seq",
    "file",
    "file_row",
    "reference",
    "order_ids",
    "tracking",
]


def reconcile_sheets(plan: ImportPlan, parcels: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The reconcile workbook's sheets, every cell text, named in Chinese and English."""
    awaiting_after = parcels[
        (parcels["tracking"] == "") & ~parcels["parcel_id"].isin(plan.fresh["parcel_id"])
    ]
    sheets = {
        "matched": _matched_sheet(plan, parcels),
        "unmatched parcels": awaiting_after[["seq", "file", "file_row", "reference", "order_ids"]]
        .astype("str")
        .reset_index(drop=True),
        "unknown rows": _sheet(plan.unknown, UnknownRow._fields),
        "invalid": _sheet(plan.invalid, InvalidRow._fields),
        "duplicates": _sheet(plan.duplicates, DuplicateRow._fields),
        "conflicts": _sheet(plan.conflicts, ConflictRow._fields),
    }
    return {
        RECONCILE_SHEETS[name]: frame.rename(columns=RECONCILE_HEADERS)
        for name, frame in sheets.items()
    }


def _matched_sheet(plan: ImportPlan, parcels: pd.DataFrame) -> pd.DataFrame:
    """The matched rows in submission order, as the operator's submission workbook lists
    the parcels, with each parcel's seq first."""
    matched = plan.matched_rows()
    seq = parcels["seq"].to_numpy(dtype=np.int64)[rows_of(parcels, matched["parcel_id"])]
    order = np.argsort(seq, kind="stable")
    matched = matched.drop(columns="parcel_id").iloc[order].reset_index(drop=True)
    matched.insert(0, "seq", seq[order])
    return matched


def _sheet(rows: Iterable[tuple[object, ...]], columns: Sequence[str]) -> pd.DataFrame:
    """Problem rows as a sheet of text: no row number is '', a flag is yes or no."""
    cells = [[_cell(value) for value in row] for row in rows]
    return pd.DataFrame(cells, columns=list(columns)).astype("str")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def write_reconcile(path: Path, plan: ImportPlan, parcels: pd.DataFrame) -> Path:
    """The reconcile workbook (reconcile-<n>.xlsx): a report nobody types into, so without
    the per-cell text format."""
    return write_workbook(path, reconcile_sheets(plan, parcels))  # courier text: all `@`


def stage_reconcile(
    writer: WorkbookWriter, staged: Path, plan: ImportPlan, parcels: pd.DataFrame
) -> PendingWrite[Path]:
    """Start writing the reconcile workbook to `staged`, beside it (see `wait_for`)."""
    # only the columns the sheets show travel to the writer: less to copy at a million rows
    return writer.submit(write_reconcile, staged, plan, parcels[SHOWN_PARCEL_COLUMNS])


def wait_for(reconcile: PendingWrite[Path], folder: Path) -> Path:
    """The staged reconcile workbook once written; the caller renames it (or discards it)."""
    try:
        return reconcile.wait()
    except OSError as error:
        raise cannot_write(folder, error) from error


def cannot_write(folder: Path, error: OSError) -> BatchShipError:
    return BatchShipError(
        _("cannot write the outputs: {value}").format(value=error.strerror or error),
        path=folder,
        hint=_("check that the batch folder is writable and the disk has room"),
    )


def outputs_size(plan: ImportPlan, parcels: pd.DataFrame) -> int:
    """About the bytes reconcile.xlsx and the upload take (for the disk-full message)."""
    return estimated_size(reconcile_sheets(plan, parcels)) + 64 * len(parcels)
