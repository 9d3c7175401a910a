"""All-text DataFrames: Arrow tables and workbook grids as text columns, '' when empty."""

from __future__ import annotations

import datetime as dt
import math
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from batch_ship.spreadsheets.limits import MAX_TABLE_COLUMNS, check_table_width

# pandas 3's default text dtype, backed by pyarrow: every cell a string, '' when empty.
TEXT = pd.StringDtype("pyarrow", na_value=np.nan)

# Beyond 2**53 a float no longer holds every integer: its digits cannot be trusted.
_EXACT_INT_LIMIT = 2.0**53


def arrow_to_text_frame(table: pa.Table) -> pd.DataFrame:
    """An Arrow table as a frame of TEXT columns (zero-copy for its string columns)."""

    def mapper(arrow_type: pa.DataType) -> Any:
        if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
            return TEXT
        return None

    # Text columns arrive as pyarrow large_string: zero-copy, and never null (the parser was
    # told empty is '').
    frame: pd.DataFrame = table.to_pandas(types_mapper=mapper)
    for column in frame.columns:
        if frame[column].dtype != TEXT:
            frame[column] = frame[column].astype(TEXT).fillna("")
    return frame


def grid_to_text_frame(rows: list[list[Any]], path: Path | None = None) -> pd.DataFrame:
    """A list of cell rows (python values) as an all-text frame with positional columns.

    A grid wider than MAX_TABLE_COLUMNS loses its empty columns (a stray cell far to the
    right); more filled columns than that is an InputError naming `path`."""
    width = max(map(len, rows), default=0)
    if width == 0:
        return pd.DataFrame(dtype=TEXT)
    if min(map(len, rows)) < width:  # a ragged grid: short rows end in empty cells
        rows = [[*row, *[""] * (width - len(row))] for row in rows]
    cells = [list(map(itemgetter(index), rows)) for index in range(width)]
    if width > MAX_TABLE_COLUMNS:
        cells = [column for column in cells if any(cell not in ("", None) for cell in column)]
        check_table_width(len(cells), path, "filled ")
        width = len(cells)
    columns = [_text_column(column) for column in cells]
    frame = pd.concat(columns, axis=1, ignore_index=True)
    frame.columns = pd.RangeIndex(width)
    return frame


def _text_column(cells: list[Any]) -> pd.Series:
    """One column's cells as text (see cell_text)."""
    try:  # the common column, text and empty cells only: converted in C
        values = pc.fill_null(pa.array(cells, type=pa.large_string()), "")
    except (pa.ArrowTypeError, pa.ArrowInvalid):  # numbers, dates, booleans among them
        texts = [cell if type(cell) is str else cell_text(cell) for cell in cells]
        return pd.Series(texts, dtype=TEXT)
    return pd.Series(pd.array(values, dtype=TEXT))


def cell_text(value: Any) -> str:
    """One workbook cell as the text a person sees, without float noise."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    return str(value)


def _float_text(value: float) -> str:
    """Integer-valued floats as digits; beyond 2**53 the repr, so a caller can tell an id a
    spreadsheet turned into a number ('4.0125008682399e+18')."""
    if not math.isfinite(value):
        return ""
    if value.is_integer() and abs(value) < _EXACT_INT_LIMIT:
        return str(int(value))
    if abs(value) >= _EXACT_INT_LIMIT:
        return repr(value)
    return format(value, ".15g")
