"""The first rows of an order file, read cheaply, so that a source is chosen by content."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from batch_ship.errors import InputError
from batch_ship.sources.base import HEAD_ROWS, OrderInput
from batch_ship.spreadsheets.read import (
    RawFile,
    cell_text,
    clean_header,
    detect_encoding,
    workbook_rows,
)
from batch_ship.spreadsheets.read import sniff_format as file_format

_HEAD_BYTES = 1 << 18  # enough for 30 rows of any real report; a 1M-row CSV is not read whole


def head_rows(source: OrderInput, limit: int = HEAD_ROWS) -> list[list[str]]:
    """The file's first `limit` rows, cells cleaned as headers are (`clean_header`).

    An unreadable file gives no rows: the chosen source's reader then says what is wrong."""
    try:
        data, path = _head_bytes(source)
        if file_format(data) == "csv":
            rows = _csv_rows(RawFile(data, path), limit)
        else:
            rows = _workbook_rows(RawFile(_all_bytes(source, data), path), limit)
    except (InputError, OSError, ValueError):
        return []
    return [[clean_header(cell) for cell in row] for row in rows]


def _head_bytes(source: OrderInput) -> tuple[bytes, Path]:
    if isinstance(source, str | Path):
        with Path(source).open("rb") as stream:
            return stream.read(_HEAD_BYTES), Path(source)
    position = source.tell()
    data = source.read(_HEAD_BYTES)
    source.seek(position)
    return bytes(data), Path(str(getattr(source, "name", "<stream>")))


def _all_bytes(source: OrderInput, head: bytes) -> bytes:
    if len(head) < _HEAD_BYTES:
        return head
    if isinstance(source, str | Path):
        return Path(source).read_bytes()
    position = source.tell()
    data = source.read()
    source.seek(position)
    return bytes(data)


def _csv_rows(raw: RawFile, limit: int) -> list[list[str]]:
    text = raw.data.decode(detect_encoding(raw), errors="ignore")
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    rows: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append(row)
            if len(rows) >= limit:
                break
    except csv.Error:  # the sample may end inside a quoted cell: the rows before it stand
        pass
    return rows


def _workbook_rows(raw: RawFile, limit: int) -> list[list[str]]:
    # A hostile or broken workbook is an InputError here (no rows): the full read reports it.
    cells = workbook_rows(raw, nrows=limit)
    return [[cell_text(cell) for cell in row] for row in cells]
