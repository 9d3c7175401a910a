"""Read CSV (GB18030/UTF-8), .xlsx and .xls files into all-text DataFrames, safely and fast.

The front door of spreadsheets/: `read_table`, and `workbook_rows`, the only door to calamine.
The parts live beside it (files.py, csv_table.py, frames.py, headers.py); their public names are
importable from here too."""

from __future__ import annotations

import io
from typing import Any

import pandas as pd

from batch_ship.errors import InputError
from batch_ship.i18n import _
from batch_ship.spreadsheets.csv_table import read_csv
from batch_ship.spreadsheets.files import (
    SNIFF,
    RawFile,
    Source,
    detect_encoding,
    load_bytes,
    sniff_format,
)
from batch_ship.spreadsheets.frames import TEXT, cell_text, grid_to_text_frame
from batch_ship.spreadsheets.headers import apply_header, clean_header, find_header_row
from batch_ship.spreadsheets.limits import broken
from batch_ship.spreadsheets.write import NATIVE_STDERR
from batch_ship.spreadsheets.xls_limits import check_workbook

__all__ = [
    "TEXT",
    "RawFile",
    "Source",
    "apply_header",
    "cell_text",
    "clean_header",
    "detect_encoding",
    "find_header_row",
    "grid_to_text_frame",
    "load_bytes",
    "read_raw",
    "read_table",
    "sniff_format",
    "workbook_rows",
]


def read_table(
    path_or_file: Source, *, header_row: int | None = None, sheet: str | int | None = None
) -> pd.DataFrame:
    """Read a CSV, .xlsx or .xls file into a DataFrame of text cells ('' when empty).

    header_row=None: the raw grid, columns labelled 0..n-1 and every row kept (use
    `find_header_row` + `apply_header` to locate a header among title rows). header_row=k:
    row k (0-based) holds the column names (whitespace kept, repeats suffixed '.1', '.2'), rows
    above it are skipped. `sheet` (name or 0-based index) picks a worksheet; default the first.
    Numbers from workbooks become text without float noise: integer-valued floats as digits,
    floats beyond 2**53 as their repr ('4.0125008682399e+18') so a caller can detect ids a
    spreadsheet turned into numbers.
    """
    raw = load_bytes(path_or_file)
    return read_raw(raw, header_row=header_row, sheet=sheet)


def read_raw(
    raw: RawFile, *, header_row: int | None = None, sheet: str | int | None = None
) -> pd.DataFrame:
    """`read_table` on bytes already loaded."""
    if not raw.data[:SNIFF].strip() and not raw.data.strip():
        raise InputError(
            _("the file is empty"),
            path=raw.path,
            hint=_("export the report again; the download may have failed"),
        )
    if sniff_format(raw.data) == "csv":
        return read_csv(raw, header_row)
    grid = grid_to_text_frame(workbook_rows(raw, sheet), raw.path)
    return grid if header_row is None else apply_header(grid, header_row, raw.path)


def workbook_rows(
    raw: RawFile, sheet: str | int | None = None, nrows: int | None = None
) -> list[list[Any]]:
    """One sheet of an .xlsx/.xls as rows of python values (the first `nrows` only when given).

    The only door to calamine: the file passes the limits (limits.py, xls_limits.py) first,
    so a hostile file is an InputError, never an abort."""
    from python_calamine import WorksheetNotFound

    check_workbook(raw.data, raw.path)
    names: list[str] = []
    try:
        with NATIVE_STDERR:  # what calamine prints itself (a panic's text) is kept back
            return _calamine_rows(raw, sheet, nrows, names)
    except (IndexError, WorksheetNotFound):
        raise InputError(
            _("no sheet {sheet!r} in the workbook").format(sheet=sheet),
            path=raw.path,
            hint=_("name one of its sheets: {value}").format(value=", ".join(names) or "none"),
        ) from None
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as error:  # calamine's errors share no base; a panic (pyo3's
        # PanicException) is a BaseException: either way the file is named, exit 1
        raise broken(raw.path, f"{type(error).__name__}: {str(error)[:200]}") from None


def _calamine_rows(
    raw: RawFile, sheet: str | int | None, nrows: int | None, names: list[str]
) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(raw.data))
    names.extend(book.sheet_names)
    if sheet is None:
        chosen = book.get_sheet_by_index(0)
    elif isinstance(sheet, int):
        chosen = book.get_sheet_by_index(sheet)
    else:
        chosen = book.get_sheet_by_name(sheet)
    rows: list[list[Any]] = chosen.to_python(skip_empty_area=False, nrows=nrows)
    return rows
