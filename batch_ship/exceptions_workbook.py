"""exceptions.xlsx: its rows from an export's exception orders, its job, and its rows read back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from batch_ship.errors import InputError
from batch_ship.headings import (
    EXCEPTION_CODE_HEADER,
    EXCEPTION_HEADERS,
    EXCEPTION_TEXT_HEADER,
    EXCEPTIONS_SHEET,
    ORDER_ID_HEADERS,
)
from batch_ship.problems import describe_codes, join_codes
from batch_ship.spreadsheets.write import WorkbookJob

# The order report's columns a person reads to recognize an order (whitespace stripped, first
# match wins), for the report's list of open exceptions.
NAME_HEADERS = ("收货人姓名", "收件人姓名", "收货人")
PHONE_HEADERS = ("联系手机", "联系电话", "收货人手机", "手机")
ADDRESS_HEADERS = ("收货地址", "收件人地址", "详细地址")


@dataclass(frozen=True)
class ContactRow:
    """One order's row of an exceptions workbook as written: what identifies it to a person."""

    name: str
    phone: str
    address: str
    row: int  # spreadsheet row (header = 1)


def exception_rows(
    original: pd.DataFrame, order_ids: pd.Series, codes: Sequence[tuple[str, ...]]
) -> pd.DataFrame:
    """The workbook's rows: 异常代码 and 异常说明 first, then the order report's own columns,
    the order id as plain digits (so the file can be fed back to export). `codes` holds each
    order's codes; they become the cell's text here, the one place they are joined."""
    frame = original.reset_index(drop=True).copy()
    # A re-fed exceptions workbook already has the two columns: replace, never duplicate.
    frame = frame.drop(
        columns=[col for col in frame.columns if str(col).strip() in EXCEPTION_HEADERS]
    )
    ids = order_ids.reset_index(drop=True).astype(str)
    id_column = next((col for col in frame.columns if _is_order_id_header(col)), None)
    if id_column is None:
        frame.insert(0, ORDER_ID_HEADERS[0], ids)
    else:
        frame[id_column] = ids
    # Few distinct code tuples (an order has at most one name, phone and address problem):
    # each is joined and described once.
    distinct = {tuple(entry): (join_codes(entry), describe_codes(entry)) for entry in set(codes)}
    cells = [distinct[tuple(entry)] for entry in codes]
    frame.insert(0, EXCEPTION_CODE_HEADER, pd.Series([c for c, _d in cells], dtype="str"))
    frame.insert(1, EXCEPTION_TEXT_HEADER, pd.Series([d for _c, d in cells], dtype="str"))
    return frame


def exceptions_job(path: Path, rows: pd.DataFrame) -> WorkbookJob:
    """exceptions.xlsx: every cell a string and every column formatted `@` (a person edits this
    file and feeds it back: typed ids and phones must stay text too); 异常代码 and 异常说明
    stay in sight (frozen) while the person scrolls to the columns to fix."""
    return WorkbookJob(path, {EXCEPTIONS_SHEET: rows}, frozen_columns=len(EXCEPTION_HEADERS))


def read_contacts(path: Path) -> dict[str, ContactRow]:
    """Each order's name, phone, address and row in an exceptions workbook export wrote
    ({} when the file is absent; the last row wins for an order listed twice)."""
    table = _read_sheet(path)
    if not table:
        return {}
    header = [_clean(cell) for cell in table[0]]
    id_at = _find(header, ORDER_ID_HEADERS)
    if id_at is None:
        return {}
    name_at = _find(header, NAME_HEADERS)
    phone_at = _find(header, PHONE_HEADERS)
    address_at = _find(header, ADDRESS_HEADERS)
    found: dict[str, ContactRow] = {}
    for number, cells in enumerate(table[1:], start=2):

        def cell(at: int | None, cells: Sequence[Any] = cells) -> str:
            return _text(cells[at]) if at is not None and at < len(cells) else ""

        order_id = _clean(cell(id_at))
        if order_id:
            found[order_id] = ContactRow(cell(name_at), cell(phone_at), cell(address_at), number)
    return found


def _read_sheet(path: Path) -> list[list[Any]]:
    """The first sheet of an .xlsx as rows of cells; [] when the file is absent."""
    if not path.exists():
        return []
    from batch_ship.spreadsheets.read import RawFile, workbook_rows

    try:  # the one guarded door to calamine: a person may have edited the file
        return workbook_rows(RawFile(path.read_bytes(), path))
    except InputError as error:
        error.hint = "it was written by batch-ship; re-run the export or restore it from backup"
        raise


def _is_order_id_header(header: object) -> bool:
    return _clean(header) in ORDER_ID_HEADERS


def _find(header: list[str], names: Sequence[str]) -> int | None:
    for name in names:
        if name in header:
            return header.index(name)
    return None


def _clean(cell: Any) -> str:
    return str(cell).strip().strip("=\"'").strip()


def _text(value: Any) -> str:
    # Cells written by batch_ship are text; a float here would be a person's re-save, and a
    # 19-digit id in a float is already wrong, so show what is there rather than format it.
    if value is None:
        return ""
    return str(value)
