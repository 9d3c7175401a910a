"""The reconcile workbook of one import (reconcile-<n>.xlsx): matched, unmatched parcels, and
the problem rows, staged beside the ledger's commit (by a second process when big)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class ReconcileRows:
    """What the reconcile workbook shows, gathered from the plan and the batch's parcels in
    the caller's process: only this travels to the writer process (9 MB pickled at 100k
    parcels, where the plan and the parcels' shown columns took 24 MB)."""

    matched: pd.DataFrame  # MATCHED_COLUMNS, in the plan's order
    matched_seq: np.ndarray  # each matched row's parcel seq (int64)
    awaiting: pd.DataFrame  # the parcels still without a number after this import
    unknown: list[UnknownRow]
    invalid: list[InvalidRow]
    duplicates: list[DuplicateRow]
    conflicts: list[ConflictRow]


def reconcile_rows(plan: ImportPlan, parcels: pd.DataFrame) -> ReconcileRows:
    """The rows of the reconcile workbook's sheets (`parcels`: the batch's)."""
    awaiting = parcels[
        (parcels["tracking"] == "") & ~parcels["parcel_id"].isin(plan.fresh["parcel_id"])
    ]
    matched = plan.matched_rows()
    seq = parcels["seq"].to_numpy(dtype=np.int64)[rows_of(parcels, matched["parcel_id"])]
    return ReconcileRows(
        matched=matched.drop(columns="parcel_id"),
        matched_seq=seq,
        awaiting=awaiting[["seq", "file", "file_row", "reference", "order_ids"]],
        unknown=plan.unknown,
        invalid=plan.invalid,
        duplicates=plan.duplicates,
        conflicts=plan.conflicts,
    )


def reconcile_sheets(rows: ReconcileRows) -> dict[str, pd.DataFrame]:
    """The reconcile workbook's sheets, every cell text, named in Chinese and English."""
    sheets = {
        "matched": _matched_sheet(rows),
        "unmatched parcels": rows.awaiting.astype("str").reset_index(drop=True),
        "unknown rows": _sheet(rows.unknown, UnknownRow._fields),
        "invalid": _sheet(rows.invalid, InvalidRow._fields),
        "duplicates": _sheet(rows.duplicates, DuplicateRow._fields),
        "conflicts": _sheet(rows.conflicts, ConflictRow._fields),
    }
    return {
        RECONCILE_SHEETS[name]: frame.rename(columns=RECONCILE_HEADERS)
        for name, frame in sheets.items()
    }


def _matched_sheet(rows: ReconcileRows) -> pd.DataFrame:
    """The matched rows in submission order, as the operator's submission workbook lists
    the parcels, with each parcel's seq first."""
    order = np.argsort(rows.matched_seq, kind="stable")
    matched = rows.matched.iloc[order].reset_index(drop=True)
    matched.insert(0, "seq", rows.matched_seq[order])
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


def write_reconcile(path: Path, rows: ReconcileRows) -> Path:
    """The reconcile workbook (reconcile-<n>.xlsx), every cell formatted as text (`@`: courier
    text never becomes a formula when a person edits it)."""
    return write_workbook(path, reconcile_sheets(rows))


def stage_reconcile(
    writer: WorkbookWriter, staged: Path, rows: ReconcileRows
) -> PendingWrite[Path]:
    """Start writing the reconcile workbook to `staged`, beside it (see `wait_for`)."""
    return writer.submit(write_reconcile, staged, rows)


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


def outputs_size(rows: ReconcileRows, parcels: int) -> int:
    """About the bytes reconcile.xlsx and the upload of a batch of `parcels` take (for the
    disk-full message)."""
    return estimated_size(reconcile_sheets(rows)) + 64 * parcels
