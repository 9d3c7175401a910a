"""Refuse hostile spreadsheets before a native reader sees them: sizes, shapes, counts."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from batch_ship.errors import InputError
from batch_ship.i18n import _
from batch_ship.spreadsheets.cell_refs import read_refs

# Excel's own sheet limits: nothing a seller centre or a courier site exports goes beyond them.
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
# Columns a table may fill: an order report has about 60, a courier return a dozen. Past this,
# every per-column step (text conversion, header matching) would cost seconds for nothing.
MAX_TABLE_COLUMNS = 1_024
# calamine builds the dense grid from the first to the last used cell (about 24 bytes a cell,
# then a Python object each). A sheet may span more cells than it holds (empty cells between),
# but a grid this much larger than its content is a trap (A1 and XFD1048576: 17 billion cells).
MAX_SPARSE_CELLS = 4_000_000
SPARSE_FACTOR = 4


@dataclass(frozen=True)
class ZipLimits:
    """A workbook inflates to at most `max_bytes`, and never at more than `max_ratio` times its
    packed size past `bomb_bytes` (real sheets pack 5-30x); it has at most `max_entries` parts."""

    max_bytes: int = 4 << 30
    max_ratio: int = 200
    bomb_bytes: int = 256 << 20
    max_entries: int = 10_000


# Inflated a mebibyte at a time: the scan's few passes over a chunk then run in the CPU's
# cache, not from memory (16 MiB chunks took 0.22 s on a 31 MB sheet, 1 MiB ones 0.16 s).
_CHUNK = 1 << 20
# No legitimate tag or text runs this long without a '>' (a cell holds at most 32,767
# characters): inside <sheetData> such a run is refused, as a cut through it could hide an `r`.
_CARRY = 1 << 20

_SHEET_DATA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheetData[\s>/]")
_SST_COUNT = re.compile(rb"""\s(?:count|uniqueCount)\s*=\s*["']\s*([0-9]+)""")


@dataclass
class _Shape:
    """What the scan learned of one zip entry."""

    max_row: int = 0  # the largest row number an `r` attribute names (1-based)
    max_column: int = 0  # the largest column letters an `r` attribute names (1-based)
    cells: int = 0  # cell elements, with or without an `r`
    named_cells: int = 0  # cells whose `r` names their column
    named_rows: int = 0  # `r` attributes naming a row only (row elements)
    rows: int = 0  # row elements
    widest_row: int = 0  # most cell elements in one row
    strings: int = 0  # shared-string items
    declared_strings: int = 0  # the largest count the <sst> element declares
    cell_tag: bytes = b""  # set once <sheetData> is seen (text content cannot hold '<')
    endless_tag: bool = False  # a run of _CARRY bytes without '>' inside <sheetData>


def check_xlsx(data: bytes, path: Path, limits: ZipLimits = ZipLimits()) -> None:
    """Refuse an .xlsx whose zip or sheets exceed the limits, before calamine reads it.

    Every entry is inflated once, in chunks (Python's zipfile checks each entry's declared size
    and CRC, so a lying header is refused too), and scanned for the cell positions calamine
    would allocate a grid for and for the shared-string count it would reserve."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise broken(path, _("it is truncated or not a real .xlsx")) from None
    if len(infos) > limits.max_entries:
        raise hostile(
            path,
            _("it holds {parts:,} parts (at most {most:,})").format(
                parts=len(infos), most=limits.max_entries
            ),
        )
    total = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos) or 1
    ratio = total / packed
    if total > limits.max_bytes or (total > limits.bomb_bytes and ratio > limits.max_ratio):
        raise hostile(
            path,
            _(
                "it inflates to {total:,} bytes from {packed:,} (a zip bomb, not an export; "
                "at most {most:,} bytes, and {ratio}x past {bomb:,})"
            ).format(
                total=total,
                packed=len(data),
                most=limits.max_bytes,
                ratio=limits.max_ratio,
                bomb=limits.bomb_bytes,
            ),
        )
    with archive:
        for info in infos:
            if info.is_dir():
                continue
            try:
                shape = _scan(archive, info)
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
                raise broken(
                    path, _("its part {part} is damaged").format(part=info.filename)
                ) from None
            _check_shape(shape, path)


def _check_shape(shape: _Shape, path: Path) -> None:
    if shape.endless_tag:
        raise hostile(
            path, _("a sheet holds over {most:,} bytes without a tag end").format(most=_CARRY)
        )
    if shape.declared_strings > shape.strings + 1:
        raise hostile(
            path,
            _("it declares {declared:,} shared strings but holds {strings:,}").format(
                declared=shape.declared_strings, strings=shape.strings
            ),
        )
    # rows without `r` continue from the previous one
    rows = shape.max_row + max(0, shape.rows - shape.named_rows)
    columns = shape.max_column
    if shape.named_cells < shape.cells:  # cells without `r` continue from the previous one
        columns += shape.widest_row
    if rows > MAX_ROWS or columns > MAX_COLUMNS:
        raise hostile(
            path,
            _(
                "a sheet reaches row {rows:,} / column {columns:,} "
                "(Excel's limits: {most_rows:,} rows, {most_columns:,} columns)"
            ).format(rows=rows, columns=columns, most_rows=MAX_ROWS, most_columns=MAX_COLUMNS),
        )
    grid = rows * columns
    if grid > max(MAX_SPARSE_CELLS, SPARSE_FACTOR * shape.cells):
        raise hostile(
            path,
            sparse(rows, columns, shape.cells),
        )


def _scan(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> _Shape:
    shape = _Shape()
    carry = b""
    open_row = 0  # cells of the row the previous chunk ended inside
    first = True
    for chunk in _chunks(archive, info):
        buffer = carry + chunk
        cut = buffer.rfind(b">") + 1
        if cut == 0 and len(buffer) < _CARRY:
            carry = buffer
            continue
        if cut == 0 and shape.cell_tag:
            shape.endless_tag = True
            return shape
        cut = cut or len(buffer)
        text, carry = buffer[:cut], buffer[cut:]
        if first:
            _sst_header(text, shape)
            first = False
        open_row = _scan_text(text, shape, open_row)
    if carry:
        _scan_text(carry, shape, open_row)
    return shape


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            yield chunk


def _sst_header(text: bytes, shape: _Shape) -> None:
    start = max(text.find(b"<sst"), text.find(b":sst"))
    if start < 0:
        return
    end = text.find(b">", start)
    counts = _SST_COUNT.findall(text[start : end if end > 0 else len(text)])
    shape.declared_strings = max((int(count) for count in counts), default=0)


def _scan_text(text: bytes, shape: _Shape, open_row: int) -> int:
    """Fold one chunk (ending at a tag's end) into `shape`; returns the cells of the row the
    chunk ends inside."""
    if shape.declared_strings:
        shape.strings += text.count(b"<si") + text.count(b":si")
    if not shape.cell_tag:  # cells live in <sheetData>: other parts hold no positions
        found = _SHEET_DATA.search(text)
        if not found:
            return 0
        shape.cell_tag = b"<c"
        text = text[found.start() :]
    view = np.frombuffer(text + b"   ", dtype=np.uint8)  # padded: tag + 3 stays inside
    named = _fold_refs(text, view, shape)
    # '<x:c': a namespace prefix (any prefix calamine accepts)
    prefixed = b":c" in text
    if named:  # cells that name their place (the usual writer): counted, not placed
        cells = text.count(b"<c") + (text.count(b":c") if prefixed else 0)
        if cells <= named:
            shape.cells += cells
            shape.rows += text.count(b"</row>") + text.count(b":row>")
            return 0
    per_row = _cells_per_row(view, prefixed)
    shape.cells += int(per_row.sum())
    shape.rows += len(per_row) - 1
    per_row[0] += open_row
    shape.widest_row = max(shape.widest_row, int(per_row.max()))
    return int(per_row[-1])


# The byte after '<c' that makes it a cell element (not '<col', '<cfRule').
_CELL_FOLLOW = np.zeros(256, dtype=bool)
_CELL_FOLLOW[list(b" \t\n\r/>")] = True


def _cells_per_row(view: np.ndarray, prefixed: bool) -> np.ndarray:
    """Cell elements before each row end ('</row>'): one count per row, the last one the row
    the text ends inside. In NumPy over the '<' of the text (`view`, padded by three bytes),
    not a loop over rows."""
    if prefixed:  # '<x:c', '</x:row>': every occurrence of the needles, looser but safe
        starts = np.concatenate([_positions(view, b"<c"), _positions(view, b":c")])
        starts.sort()
        ends = _positions(view, b"row>")
    else:
        tags = np.flatnonzero(view[:-3] == ord("<"))
        after, second = view[tags + 1], view[tags + 2]
        starts = tags[(after == ord("c")) & _CELL_FOLLOW[second]]
        ends = tags[(after == ord("/")) & (second == ord("r")) & (view[tags + 3] == ord("o"))]
    return np.bincount(np.searchsorted(ends, starts), minlength=len(ends) + 1)


def _positions(view: np.ndarray, needle: bytes) -> np.ndarray:
    """Where `needle` starts in `view`, ascending."""
    size = len(view) - len(needle) + 1
    hits = view[:size] == needle[0]
    for offset, byte in enumerate(needle[1:], start=1):
        hits &= view[offset : size + offset] == byte
    return np.flatnonzero(hits)


def _fold_refs(text: bytes, view: np.ndarray, shape: _Shape) -> int:
    """Fold the chunk's `r` attributes into `shape`; returns how many name a cell's column."""
    refs = read_refs(text, view)
    shape.named_cells += refs.named_cells
    shape.named_rows += refs.named_rows
    shape.max_column = max(shape.max_column, refs.max_column)
    shape.max_row = max(shape.max_row, refs.max_row)
    return refs.named_cells


def check_table_width(width: int, path: Path | None, kind: str) -> None:
    """Refuse a table with more than MAX_TABLE_COLUMNS columns (`kind`: 'filled ' or '')."""
    if width > MAX_TABLE_COLUMNS:
        raise InputError(
            _("refused: the table is wider than {MAX_TABLE_COLUMNS:,} {kind}columns").format(
                MAX_TABLE_COLUMNS=MAX_TABLE_COLUMNS, kind=kind
            ),
            path=path,
            hint=_(
                "use the report or return exactly as exported; no order report or courier "
                "return has that many columns"
            ),
        )


def broken(path: Path, why: str) -> InputError:
    """A workbook the readers cannot open."""
    return InputError(
        _("the workbook cannot be opened: {why}").format(why=why),
        path=path,
        hint=_(
            "download or save the file again (it must open in a spreadsheet program), "
            "or use the CSV export"
        ),
    )


def sparse(rows: int, columns: int, cells: int) -> str:
    """Why a sheet whose grid is far larger than its cells is refused (either format)."""
    return _(
        "a sheet spans {rows:,} rows x {columns:,} columns but holds {cells:,} cells "
        "(a sparse trap, not an export)"
    ).format(rows=rows, columns=columns, cells=cells)


def hostile(path: Path, why: str) -> InputError:
    return InputError(
        _("refused before reading: {why}").format(why=why),
        path=path,
        hint=_(
            "use the file exactly as the seller centre or the courier exported it "
            "(limits: README, Limits)"
        ),
    )
