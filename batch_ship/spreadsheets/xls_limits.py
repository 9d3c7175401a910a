"""Refuse hostile legacy .xls files (BIFF in an OLE container) before calamine reads them;
`check_workbook`, the check of either kind."""

from __future__ import annotations

import hashlib
import io
import struct
from collections.abc import Iterator
from pathlib import Path

import olefile

from batch_ship.i18n import _
from batch_ship.spreadsheets.limits import (
    MAX_SPARSE_CELLS,
    SPARSE_FACTOR,
    broken,
    check_xlsx,
    hostile,
    sparse,
)

# BIFF8 (Excel 97-2003) sheets hold 65,536 rows and 256 columns.
MAX_XLS_ROWS = 65_536
MAX_XLS_COLUMNS = 256
_BOF, _EOF, _SST = 0x0809, 0x000A, 0x00FC
# Records that place one cell (row and column first) or a run of them (MULRK, MULBLANK: the
# last column at the end).
_CELL = frozenset({0x0006, 0x00D6, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD})
_RUN = frozenset({0x00BD, 0x00BE})
_HEAD = struct.Struct("<HH")


# Digests of the last workbooks that passed: a file peeked at for its header, then read, is
# checked once.
_PASSED: list[bytes] = []
_REMEMBERED = 8


def check_workbook(data: bytes, path: Path) -> None:
    """Refuse a hostile .xlsx (check_xlsx) or .xls (check_xls), by its first bytes."""
    digest = hashlib.blake2b(data, digest_size=16).digest()
    if digest in _PASSED:
        return
    if data.startswith(b"PK"):
        check_xlsx(data, path)
    else:
        check_xls(data, path)
    _PASSED.append(digest)
    del _PASSED[:-_REMEMBERED]


def check_xls(data: bytes, path: Path) -> None:
    """Refuse an .xls whose sheets reach past BIFF8's limits or span far more cells than they
    hold, or whose shared-string table declares more strings than it can hold."""
    _check_records(workbook_stream(data, path), path)


def workbook_stream(data: bytes, path: Path) -> bytes:
    """The BIFF records of an .xls: its OLE container's Workbook (or Book) stream."""
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as container:
            name = next((n for n in ("Workbook", "Book") if container.exists(n)), None)
            if name is None:
                raise broken(path, _("it holds no workbook stream"))
            stream: bytes = container.openstream(name).read()
    except (OSError, ValueError, IndexError, struct.error, RecursionError):
        raise broken(path, _("its container is damaged")) from None
    return stream


def records(stream: bytes) -> Iterator[tuple[int, int, int]]:
    """Each BIFF record: its type, where its body starts, its length (a last record cut short
    is left to the reader, which says the file is damaged)."""
    offset, size = 0, len(stream)
    while offset + 4 <= size:
        kind, length = _HEAD.unpack_from(stream, offset)
        if offset + 4 + length > size:
            return
        yield kind, offset + 4, length
        offset += 4 + length


def _check_records(stream: bytes, path: Path) -> None:
    rows = columns = cells = 0
    size = len(stream)
    for kind, body, length in records(stream):
        if kind in _CELL and length >= 4:
            row, column = _HEAD.unpack_from(stream, body)
            rows, columns, cells = max(rows, row + 1), max(columns, column + 1), cells + 1
        elif kind in _RUN and length >= 6:
            row, first = _HEAD.unpack_from(stream, body)
            (last,) = struct.unpack_from("<H", stream, body + length - 2)
            rows, columns = max(rows, row + 1), max(columns, last + 1)
            cells += max(1, last - first + 1)
        elif kind == _SST and length >= 8:
            (unique,) = struct.unpack_from("<I", stream, body + 4)
            if unique > size // 3:  # a string takes 3 bytes at least
                raise hostile(
                    path,
                    _("it declares {strings:,} shared strings in {size:,} bytes").format(
                        strings=unique, size=size
                    ),
                )
        elif kind in (_BOF, _EOF):  # each sheet is its own grid
            _check_sheet(rows, columns, cells, path)
            rows = columns = cells = 0
    _check_sheet(rows, columns, cells, path)


def _check_sheet(rows: int, columns: int, cells: int, path: Path) -> None:
    if rows > MAX_XLS_ROWS or columns > MAX_XLS_COLUMNS:
        raise hostile(
            path,
            _(
                "a sheet reaches row {rows:,} / column {columns:,} (an .xls holds "
                "{most_rows:,} rows and {most_columns:,} columns)"
            ).format(
                rows=rows, columns=columns, most_rows=MAX_XLS_ROWS, most_columns=MAX_XLS_COLUMNS
            ),
        )
    if rows * columns > max(MAX_SPARSE_CELLS, SPARSE_FACTOR * cells):
        raise hostile(path, sparse(rows, columns, cells))
