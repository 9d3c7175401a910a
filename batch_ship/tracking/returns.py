"""Reading a courier return: the header row among title rows, its columns, its rows as text."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from batch_ship.errors import BatchShipError, InputError, missing_file
from batch_ship.i18n import N_, _
from batch_ship.sources.file_kinds import (
    CHILD_HEADERS,
    HEADER_SCAN_ROWS,
    NAME_HEADERS,
    PHONE_HEADERS,
    REFERENCE_HEADERS,
    TRACKING_HEADERS,
    FileKind,
    Layouts,
    WrongFileError,
    find_kind,
    header_key,
)
from batch_ship.spreadsheets.read import read_table
from batch_ship.tracking.cells import clean_values
from batch_ship.tracking.rows import ReturnRows

_RETURN_HINT = N_("download the return again from the courier's site (or save it as .xlsx)")
# The columns of the rows a return reads into (and `row`, int64: the spreadsheet row).
RETURN_COLUMNS = ("source", "reference", "cell", "name", "phone")


@dataclass(frozen=True)
class ReturnColumns:
    """Where the columns of one return are (0-based positions in its grid)."""

    header_row: int
    tracking: int
    reference: int
    name: int | None = None
    phone: int | None = None
    children: int | None = None  # 子单号: the other waybills of a multi-piece parcel


def _first_match(keys: list[str], wanted: Sequence[str], taken: Collection[int]) -> int | None:
    for header in wanted:
        key = header_key(header)
        for position, candidate in enumerate(keys):
            if candidate == key and position not in taken:
                return position
    return None


def find_return_columns(
    grid: pd.DataFrame,
    path: Path,
    reference_headers: Sequence[str] = (),
    fallback_headers: Sequence[str] = (),
) -> ReturnColumns:
    """Locate the header row (title rows may sit above it) and the columns of a return.

    The reference column is the first of `reference_headers` (the batch's courier's own name
    for it), then the usual names, then `fallback_headers` (other couriers' names: STO's 备注
    must not win over an 订单编号 column when the courier is not known)."""
    references = (*reference_headers, *REFERENCE_HEADERS, *fallback_headers)
    tracking_keys = {header_key(header) for header in TRACKING_HEADERS}
    fallback: int | None = None
    for row in range(min(len(grid), HEADER_SCAN_ROWS)):
        keys = [header_key(cell) for cell in grid.iloc[row].tolist()]
        if not tracking_keys.intersection(keys):
            continue
        tracking = _first_match(keys, TRACKING_HEADERS, ())
        assert tracking is not None
        reference = _first_match(keys, references, (tracking,))
        if reference is None:
            fallback = row if fallback is None else fallback
            continue
        taken = {tracking, reference}
        name = _first_match(keys, NAME_HEADERS, taken)
        phone = _first_match(keys, PHONE_HEADERS, taken | ({name} if name is not None else set()))
        children = _first_match(keys, CHILD_HEADERS, taken)
        return ReturnColumns(row, tracking, reference, name, phone, children)
    if fallback is not None:
        raise _no_reference_column(grid, path, fallback, references[0])
    raise InputError(
        _("no tracking-number column ({value}) in the first {HEADER_SCAN_ROWS} rows").format(
            value=", ".join(TRACKING_HEADERS[:8]), HEADER_SCAN_ROWS=HEADER_SCAN_ROWS
        ),
        path=path,
        hint=_("check that this is the courier's return, or rename its tracking column 运单号"),
    )


def _no_reference_column(grid: pd.DataFrame, path: Path, row: int, wanted: str) -> InputError:
    seen = ", ".join(str(cell) for cell in grid.iloc[row].tolist() if str(cell).strip())
    return InputError(
        _(
            "no reference column (our order number) beside the tracking column; headers: {seen}"
        ).format(seen=seen),
        path=path,
        row=row + 1,
        hint=_(
            "name the column holding our order numbers {value} (or 订单编号), or "
            "assign numbers in submission order with --range"
        ).format(value=wanted),
    )


def _read_grid(path: Path) -> pd.DataFrame:
    """Every cell of the file's first sheet as text, no header applied, columns 0..n-1."""
    if not path.is_file():
        raise missing_file(path)
    try:
        grid = read_table(path)
    except BatchShipError as error:
        error.hint = _(_RETURN_HINT)  # the reader's hint speaks of the seller centre's reports
        raise
    except Exception as error:  # any other reader failure on a hostile or corrupt file
        raise InputError(
            _("cannot read the file ({name__}: {error})").format(
                name__=type(error).__name__, error=error
            ),
            path=path,
            hint=_(_RETURN_HINT),
        ) from error
    grid.columns = pd.RangeIndex(grid.shape[1])
    return grid


def read_return(
    path: Path,
    reference_headers: Sequence[str] = (),
    fallback_headers: Sequence[str] = (),
    layouts: Layouts | None = None,
) -> ReturnRows:
    """One courier return as rows: source, row (spreadsheet row, 1-based), reference, cell
    (the tracking cell, maybe several numbers), name, phone. Blank rows are dropped. A file
    of another kind (an order report, one of our own files) is refused, saying what it is."""
    grid = _read_grid(path)
    kind, whose, _unused = find_kind(grid, layouts)
    # The marketplace's upload layout (订单编号, 物流公司, 运单号) is also how some couriers and
    # tools hand numbers back: read like any return (our own upload again records nothing).
    if kind not in (FileKind.COURIER_RETURN, FileKind.UPLOAD, FileKind.OTHER):
        raise WrongFileError(kind, whose, path, _("a courier return"))
    columns = find_return_columns(grid, path, reference_headers, fallback_headers)
    rows = _return_rows(grid.iloc[columns.header_row + 1 :], columns, path.name)
    return ReturnRows(rows, columns.name is not None, columns.phone is not None)


def _return_rows(body: pd.DataFrame, columns: ReturnColumns, source: str) -> pd.DataFrame:
    """The body's rows that hold a reference or a tracking cell, as `read_return` gives them."""
    count = len(body)

    def column(position: int | None) -> pd.Series:
        if position is None:
            return pd.Series([""] * count, dtype="str")
        return clean_values(body[position])

    references, cells = column(columns.reference), column(columns.tracking)
    if columns.children is not None:  # the main number first, then the other pieces'
        children = column(columns.children)
        cells = cells.where(children == "", cells + "," + children)
    keep = np.flatnonzero(((references != "") | (cells != "")).to_numpy(dtype=bool))

    def plain(position: int | None) -> pd.Series:
        # names and phones only confirm damaged references: whitespace trimmed is enough
        if position is None:
            return pd.Series([""] * len(keep), dtype="str")
        return body[position].iloc[keep].str.strip().reset_index(drop=True)

    def kept(values: pd.Series) -> pd.Series:
        return values.iloc[keep].reset_index(drop=True).astype("str")

    return pd.DataFrame(
        {
            "source": pd.Series([source] * len(keep), dtype="str"),
            "row": pd.Series(keep + (columns.header_row + 2), dtype="int64"),
            "reference": kept(references),
            "cell": kept(cells),
            "name": plain(columns.name),
            "phone": plain(columns.phone),
        }
    )


def read_returns(
    paths: Sequence[Path],
    reference_headers: Sequence[str] = (),
    fallback_headers: Sequence[str] = (),
    layouts: Layouts | None = None,
) -> ReturnRows:
    """All returns, one after the other (a name or phone column in any of them counts)."""
    returns = [read_return(path, reference_headers, fallback_headers, layouts) for path in paths]
    frames = [rows.frame for rows in returns]
    return ReturnRows(
        pd.concat(frames, ignore_index=True) if frames else _empty_rows(),
        has_name=any(rows.has_name for rows in returns),
        has_phone=any(rows.has_phone for rows in returns),
    )


def _empty_rows() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series([], dtype="str") for name in RETURN_COLUMNS}).assign(
        row=pd.Series([], dtype="int64")
    )
