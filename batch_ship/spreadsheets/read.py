"""Read CSV (GB18030/UTF-8), .xlsx and .xls files into all-text DataFrames, safely and fast."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from batch_ship.errors import InputError, missing_file
from batch_ship.i18n import _
from batch_ship.spreadsheets.limits import MAX_TABLE_COLUMNS, broken, check_table_width
from batch_ship.spreadsheets.write import NATIVE_STDERR
from batch_ship.spreadsheets.xls_limits import check_workbook

# pandas 3's default text dtype, backed by pyarrow: every cell a string, '' when empty.
TEXT = pd.StringDtype("pyarrow", na_value=np.nan)

_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SNIFF = 1 << 16
# Beyond 2**53 a float no longer holds every integer: its digits cannot be trusted.
_EXACT_INT_LIMIT = 2.0**53

Source = Path | str | BinaryIO


@dataclass(frozen=True)
class RawFile:
    """A file's bytes and the name to use in messages."""

    data: bytes
    path: Path

    @property
    def name(self) -> str:
        return self.path.name


def load_bytes(source: Source) -> RawFile:
    """Read a path or a binary file object; a missing or unreadable file is an InputError."""
    if isinstance(source, str | Path):
        path = Path(source)
        try:
            return RawFile(path.read_bytes(), path)
        except FileNotFoundError:
            raise missing_file(path) from None
        except IsADirectoryError:
            raise InputError(
                _("is a folder, not a file"), path=path, hint=_("name a file")
            ) from None
        except OSError as error:
            raise InputError(
                _("cannot read the file ({strerror})").format(strerror=error.strerror),
                path=path,
                hint=_("check permissions"),
            ) from None
    name = getattr(source, "name", None)
    data = source.read()
    if isinstance(data, str):
        raise InputError(
            _("the file object was opened in text mode"),
            path=Path(str(name or "<stream>")),
            hint=_("open it in binary mode ('rb')"),
        )
    return RawFile(bytes(data), Path(str(name)) if isinstance(name, str) else Path("<stream>"))


def sniff_format(data: bytes) -> str:
    """'xlsx', 'xls' or 'csv', decided by the bytes, never by the file extension."""
    if data.startswith(_XLSX_MAGIC):
        return "xlsx"
    if data.startswith(_XLS_MAGIC):
        return "xls"
    return "csv"


def detect_encoding(raw: RawFile) -> str:
    """The text encoding: a BOM, else a strict UTF-8 decode of a sample, else GB18030.

    Binary content (NUL bytes) and bytes that no candidate decodes are InputErrors.
    """
    data = raw.data
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = data[:_SNIFF]
    if b"\x00" in sample:
        raise _not_text(raw)
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(sample, final=len(data) <= _SNIFF)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    try:
        codecs.getincrementaldecoder("gb18030")("strict").decode(sample, final=len(data) <= _SNIFF)
    except UnicodeDecodeError as error:
        raise _undecodable(raw, error.start) from None
    return "gb18030"


def _not_text(raw: RawFile) -> InputError:
    return InputError(
        _("this is not a CSV or spreadsheet file (it holds binary data)"),
        path=raw.path,
        hint=_(
            "export the report again from the seller centre as CSV, or pass the .xlsx/.xls file"
        ),
    )


def _undecodable(raw: RawFile, offset: int) -> InputError:
    line = raw.data.count(b"\n", 0, offset) + 1
    return InputError(
        _(
            "the text is neither UTF-8 nor GB18030/GBK (undecodable bytes at byte "
            "{offset}, line {line})"
        ).format(offset=offset, line=line),
        path=raw.path,
        row=line,
        hint=_("re-export the report from the seller centre, or save it as CSV UTF-8 or GBK"),
    )


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
    if not raw.data[:_SNIFF].strip() and not raw.data.strip():
        raise InputError(
            _("the file is empty"),
            path=raw.path,
            hint=_("export the report again; the download may have failed"),
        )
    kind = sniff_format(raw.data)
    if kind == "csv":
        return _read_csv(raw, header_row)
    grid = _read_workbook(raw, kind, sheet)
    return grid if header_row is None else apply_header(grid, header_row, raw.path)


# ----------------------------------------------------------------------------------------- CSV


def _sniff_records(text_sample: str, delimiter: str) -> tuple[list[list[str]], list[int]]:
    """The first records of the sample and the physical line each one ends on (pyarrow's
    skip_rows counts physical lines, a quoted line break included)."""
    records: list[list[str]] = []
    ends: list[int] = []
    reader = csv.reader(io.StringIO(text_sample, newline=""), delimiter=delimiter)
    try:
        for record in reader:
            records.append(record)
            ends.append(reader.line_num)
            if len(records) >= 30:
                break
    except csv.Error:
        pass
    return records, ends


def _read_csv(raw: RawFile, header_row: int | None) -> pd.DataFrame:
    encoding = detect_encoding(raw)
    sample = _decode_sample(raw, encoding)
    first_line = sample.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    records, ends = _sniff_records(sample, delimiter)
    if not records:
        raise InputError(
            _("the file has no rows"), path=raw.path, hint=_("export the report again")
        )
    if header_row is not None and header_row >= len(records):
        raise InputError(
            _("no header at row {value}: the file has fewer rows").format(value=header_row + 1),
            path=raw.path,
            hint=_("check the file"),
        )  # fmt: skip
    # The widest of the first rows fixes the column count: the item report's data rows carry a
    # trailing comma that its header may or may not have.
    width = max(len(record) for record in records[header_row or 0 :])
    check_table_width(width, raw.path, "")
    if header_row is None:
        # Title rows above a table are shorter than it: keep them as padded rows, and let
        # pyarrow parse from the first full-width row on.
        lead = next(index for index, record in enumerate(records) if len(record) == width)
        prefix = [record + [""] * (width - len(record)) for record in records[:lead]]
        skip = ends[lead - 1] if lead else 0
    else:
        prefix = []
        skip = ends[header_row]
    names = [f"c{index}" for index in range(width)]
    problems: list[str] = []

    def on_invalid(row: Any) -> str:
        problems.append(str(getattr(row, "text", "")))
        return "skip"

    table = _parse_csv(raw, encoding, names, skip, delimiter, on_invalid)
    if problems:
        rows = _locate_lines(raw, encoding, problems[:5])
        where = f" (lines {_row_list(rows)})" if rows else ""
        if len(problems) > len(rows) and rows:
            where = where[:-1] + " …)"
        raise InputError(
            _(
                "{value} row(s) do not have the {width} columns of the first "
                "rows{where}; the file is cut off or was edited by hand"
            ).format(value=len(problems), width=width, where=where),
            path=raw.path,
            row=rows[0] if rows else None,
            hint=_("export the report again from the seller centre"),
        )
    # One chunk per column (the parser gives one per 1 MB block): every later row selection
    # (take) on a chunked column first concatenates all of it, which at a million orders costs
    # seconds. Column by column, so only one column is ever held twice.
    for index in range(table.num_columns):
        if table.column(index).num_chunks > 1:
            combined = table.column(index).combine_chunks()
            table = table.set_column(index, table.field(index), combined)
    frame = _arrow_to_text_frame(table)
    if header_row is None:
        if prefix:
            head = pd.DataFrame(prefix, columns=frame.columns, dtype=TEXT)
            frame = pd.concat([head, frame], ignore_index=True)
        frame.columns = pd.RangeIndex(frame.shape[1])
        return frame
    header = records[header_row] + [""] * (width - len(records[header_row]))
    frame.columns = pd.Index(_unique_names(header))
    return frame


def _locate_lines(raw: RawFile, encoding: str, texts: list[str]) -> list[int]:
    """1-based line numbers of rows pyarrow rejected (it reports the text, not the line)."""
    lines = []
    for text in texts:
        try:
            needle = text.encode("utf-8" if encoding.startswith("utf-8") else encoding)
        except UnicodeEncodeError:
            continue
        # A whole line that starts with the rejected row's text.
        offset = raw.data.find(b"\n" + needle) if needle else -1
        if offset >= 0:
            lines.append(raw.data.count(b"\n", 0, offset) + 2)
    return lines


def _decode_sample(raw: RawFile, encoding: str) -> str:
    decoder = codecs.getincrementaldecoder(encoding)("ignore")
    return decoder.decode(raw.data[:_SNIFF], final=len(raw.data) <= _SNIFF).lstrip("\ufeff")


def _parse_csv(
    raw: RawFile,
    encoding: str,
    names: list[str],
    skip: int,
    delimiter: str,
    on_invalid: Callable[[Any], str],
) -> pa.Table:
    """Parse with pyarrow: all columns text, quoted line breaks (buyer messages) allowed.

    GB18030 is transcoded by pyarrow's streaming reader, so decoding overlaps parsing.
    """
    convert = pa_csv.ConvertOptions(
        column_types=dict.fromkeys(names, pa.large_string()),
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    if encoding.startswith("utf-8"):
        bom = len(codecs.BOM_UTF8) if encoding == "utf-8-sig" else 0
        buffer = pa.py_buffer(memoryview(raw.data)[bom:])
        read = pa_csv.ReadOptions(column_names=names, skip_rows=skip)
    else:
        buffer = pa.py_buffer(raw.data)
        read = pa_csv.ReadOptions(column_names=names, skip_rows=skip, encoding=encoding)
    # A blank line stays a row (of empty cells), as a spreadsheet program shows it: skipping it
    # would shift every row number below it. Callers drop empty rows themselves.
    parse = pa_csv.ParseOptions(
        delimiter=delimiter,
        newlines_in_values=True,
        ignore_empty_lines=False,
        invalid_row_handler=on_invalid,
    )
    try:
        return pa_csv.read_csv(
            pa.BufferReader(buffer), read_options=read, parse_options=parse, convert_options=convert
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as error:
        text = str(error)
        if isinstance(error, UnicodeDecodeError) or "utf8" in text.lower():
            raise _decode_failure(raw, encoding) from None
        # pyarrow refused the layout: pandas' C parser names the offending line.
        return _parse_csv_c_engine(raw, encoding, names, skip, delimiter)


def _decode_failure(raw: RawFile, encoding: str) -> InputError:
    """Locate the first undecodable byte (only on this error path: a full decode is slow)."""
    try:
        raw.data.decode("utf-8" if encoding.startswith("utf-8") else encoding)
    except UnicodeDecodeError as error:
        return _undecodable(raw, error.start)
    return InputError(
        _("the text cannot be decoded"),
        path=raw.path,
        hint=_("re-export the report, or save it as CSV UTF-8 or GBK"),
    )


def _parse_csv_c_engine(
    raw: RawFile, encoding: str, names: list[str], skip: int, delimiter: str
) -> pa.Table:
    """Fallback when pyarrow refuses the file: pandas' C parser, whose errors name the line."""
    try:
        frame = pd.read_csv(
            io.BytesIO(raw.data),
            engine="c",
            dtype=str,
            header=None,
            names=names,
            skiprows=skip,
            sep=delimiter,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,  # blank lines are rows, as in _parse_csv
            encoding=encoding,
        )
    except UnicodeDecodeError:
        raise _decode_failure(raw, encoding) from None
    except (pd.errors.ParserError, ValueError) as error:
        raise InputError(
            _("the CSV cannot be parsed ({value})").format(value=str(error).strip()[:200]),
            path=raw.path,
            hint=_("export the report again from the seller centre; do not edit it by hand"),
        ) from None
    return pa.Table.from_pandas(frame.astype(TEXT), preserve_index=False)


def _arrow_to_text_frame(table: pa.Table) -> pd.DataFrame:
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


def _row_list(rows: list[int], shown: int = 5) -> str:
    head = ", ".join(str(row) for row in rows[:shown])
    return head + (f" and {len(rows) - shown} more" if len(rows) > shown else "")


def _unique_names(header: Iterable[Any]) -> list[str]:
    seen: dict[str, int] = {}
    names: list[str] = []
    for cell in header:
        name = str(cell)
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        names.append(name)
    return names


# ------------------------------------------------------------------------------------ workbooks


def _read_workbook(raw: RawFile, kind: str, sheet: str | int | None) -> pd.DataFrame:
    return grid_to_text_frame(workbook_rows(raw, sheet), raw.path)


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
        if not math.isfinite(value):
            return ""
        if value.is_integer() and abs(value) < _EXACT_INT_LIMIT:
            return str(int(value))
        if abs(value) >= _EXACT_INT_LIMIT:
            return repr(value)
        return format(value, ".15g")
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    return str(value)


# -------------------------------------------------------------------------------------- headers


def clean_header(name: object) -> str:
    """A header cell as matched against names: whitespace, '=' and quotes stripped."""
    return str(name).strip().strip("=\"'").strip().replace("\ufeff", "")


def find_header_row(
    frame: pd.DataFrame,
    wanted: set[str],
    synonyms: Mapping[str, str] | None = None,
    *,
    limit: int = 30,
) -> int:
    """The 0-based index of the first row (of the first `limit`) that names every wanted column.

    Cells are compared after `clean_header`; `synonyms` maps alternative names to the wanted
    ones. Raises LookupError naming the missing columns of the best candidate row when none fits
    (the caller turns it into an InputError naming its file).
    """
    synonyms = synonyms or {}
    best: tuple[int, set[str]] | None = None
    for index in range(min(limit, len(frame))):
        cells = {clean_header(cell) for cell in frame.iloc[index].tolist()}
        found = {synonyms.get(cell, cell) for cell in cells} & wanted
        if found == wanted:
            return index
        if best is None or len(found) > len(best[1]):
            best = (index, found)
    missing = sorted(wanted - (best[1] if best else set()))
    raise LookupError(
        _("no header row with the column(s) {columns}").format(columns=", ".join(missing))
    )


def apply_header(grid: pd.DataFrame, row: int, path: Path | None = None) -> pd.DataFrame:
    """The rows below `row` of a raw grid, its cells becoming the column names."""
    if row >= len(grid):
        raise InputError(
            _("no header at row {value}: the sheet has {value2} rows").format(
                value=row + 1, value2=len(grid)
            ),
            path=path,
            hint=_("check that this is the right file"),
        )
    header = [str(cell) for cell in grid.iloc[row].tolist()]
    body = grid.iloc[row + 1 :].reset_index(drop=True)
    body.columns = pd.Index(_unique_names(header))
    return body
