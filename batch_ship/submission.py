"""The courier's bulk-order workbooks: rows rendered from a template, split at its row limit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from batch_ship.couriers import PARCEL_FIELDS, RECIPIENT_FIELDS, Courier
from batch_ship.normalize.one_line import one_line
from batch_ship.parcels import Parcels, render_plain
from batch_ship.sender import sender_values
from batch_ship.spreadsheets.write import WorkbookJob, column_widths
from batch_ship.workspace import Sender

SUBMISSION_SHEET = "批量下单"  # the one sheet of every submission workbook, whatever the courier


@dataclass(frozen=True)
class SubmissionFile:
    """One workbook of the submission: its name, rows (headers as columns) and parcel seqs."""

    name: str
    rows: pd.DataFrame
    seqs: np.ndarray


def render_rows(courier: Courier, parcels: Parcels, sender: Sender) -> pd.DataFrame:
    """The courier workbook's rows: one per parcel, one column per template column.

    Plain columns (literal text and field references) are whole-column string operations;
    other expressions render once per row in the sandbox, with `items` as a list.
    """
    table = parcels.table.reset_index(drop=True)
    if "address" not in table.columns and _uses_address(courier):
        parts = (table[part] for part in ("province", "city", "district", "detail"))
        table = table.assign(address=one_line(*parts))
    n = len(table)
    scopes = {"parcel": table, "recipient": _recipient_view(table)}
    sender_scope = sender_values(sender)
    out: dict[str, pd.Series] = {}
    contexts: list[dict[str, Any]] | None = None
    for column in courier.columns:
        expression = column.value
        if expression.is_plain:
            out[column.header] = render_plain(expression, scopes, sender_scope, n)
            continue
        if contexts is None:
            contexts = _contexts(table, parcels.item_lists, sender_scope)
        out[column.header] = pd.Series(expression.render_all(contexts), dtype="str")
    return pd.DataFrame(out, columns=list(courier.headers))


def split_files(courier: Courier, rows: pd.DataFrame, seqs: np.ndarray) -> list[SubmissionFile]:
    """`submission-<code>.xlsx`, or `submission-<code>-<part>.xlsx` when over the row limit."""
    limit = courier.rows_per_file
    parts = -(-len(rows) // limit)  # no parcels: no submission file
    files = []
    for part in range(parts):
        chunk = slice(part * limit, (part + 1) * limit)
        suffix = f"-{part + 1}" if parts > 1 else ""
        files.append(
            SubmissionFile(
                name=f"submission-{courier.code}{suffix}.xlsx",
                rows=rows.iloc[chunk].reset_index(drop=True),
                seqs=seqs[chunk],
            )
        )
    return files


def submission_jobs(
    folder: Path, courier: Courier, files: Sequence[SubmissionFile]
) -> list[WorkbookJob]:
    """The submission workbooks to write: every cell text, ids and phones with number
    format @, and the same column widths in every part."""
    widths = {column.header: column.width for column in courier.columns if column.width}
    if files:  # size the other columns once, from the first file, for every part alike
        widths = {**column_widths(files[0].rows), **widths}
    texts = tuple(column.header for column in courier.columns if column.text)
    return [
        WorkbookJob(folder / entry.name, {SUBMISSION_SHEET: entry.rows}, texts, widths)
        for entry in files
    ]


def ledger_parcels(parcels: Parcels, files: Sequence[SubmissionFile]) -> pd.DataFrame:
    """NewBatch.parcels: seq, file, file_row, reference, name, phone, province, order_ids."""
    file_names = (
        np.concatenate([np.full(len(entry.seqs), entry.name, dtype=object) for entry in files])
        if files
        else np.array([], dtype=object)
    )
    file_rows = (
        np.concatenate([np.arange(2, len(entry.seqs) + 2) for entry in files])
        if files
        else np.array([], dtype=np.int64)
    )
    table = parcels.table.reset_index(drop=True)
    # The text columns stay Arrow strings: no million Python str objects for the ledger call.
    return pd.DataFrame(
        {
            "seq": table["seq"],
            "file": pd.Series(file_names, dtype="str"),
            "file_row": file_rows,
            "reference": table["reference"],
            "name": table["name"],
            "phone": table["phone"],
            "province": table["province"],
            "order_ids": table["order_ids"],
        }
    )


def _uses_address(courier: Courier) -> bool:
    return any(
        column.value.parts is None or ("recipient", "address") in column.value.parts
        for column in courier.columns
    )


def _recipient_view(table: pd.DataFrame) -> pd.DataFrame:
    return table[[name for name in RECIPIENT_FIELDS if name in table.columns]]


def _contexts(
    table: pd.DataFrame, item_lists: list[list[str]] | None, sender: dict[str, str]
) -> list[dict[str, Any]]:
    parcels = table[list(PARCEL_FIELDS)].to_dict("records")
    recipients = table[list(RECIPIENT_FIELDS)].to_dict("records")
    lists = item_lists if item_lists is not None else [[] for _unused in range(len(table))]
    return [
        {"parcel": parcel, "recipient": recipient, "sender": sender, "items": items}
        for parcel, recipient, items in zip(parcels, recipients, lists, strict=True)
    ]
