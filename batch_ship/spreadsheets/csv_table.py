"""CSV files (GB18030, UTF-8, UTF-16) parsed by pyarrow into all-text frames, bad rows by line."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from batch_ship.errors import InputError
from batch_ship.i18n import _
from batch_ship.spreadsheets.files import RawFile, decode_failure, decode_sample, detect_encoding
from batch_ship.spreadsheets.frames import TEXT, arrow_to_text_frame
from batch_ship.spreadsheets.headers import unique_names
from batch_ship.spreadsheets.limits import check_table_width

_SNIFF_RECORDS = 30  # the first records, which fix the column count and find the header


def read_csv(raw: RawFile, header_row: int | None) -> pd.DataFrame:
    """A CSV's cells as text; header_row as in `read.read_table`."""
    encoding = detect_encoding(raw)
    sample = decode_sample(raw, encoding)
    first_line = sample.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    records, ends = _sniff_records(sample, delimiter)
    width, prefix, skip = _layout(raw, records, ends, header_row)
    names = [f"c{index}" for index in range(width)]
    problems: list[str] = []

    def on_invalid(row: Any) -> str:
        problems.append(str(getattr(row, "text", "")))
        return "skip"

    table = _parse_csv(raw, encoding, names, skip, delimiter, on_invalid)
    if problems:
        raise _ragged(raw, encoding, problems, width)
    frame = arrow_to_text_frame(_one_chunk_per_column(table))
    if header_row is None:
        if prefix:
            head = pd.DataFrame(prefix, columns=frame.columns, dtype=TEXT)
            frame = pd.concat([head, frame], ignore_index=True)
        frame.columns = pd.RangeIndex(frame.shape[1])
        return frame
    header = records[header_row] + [""] * (width - len(records[header_row]))
    frame.columns = pd.Index(unique_names(header))
    return frame


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
            if len(records) >= _SNIFF_RECORDS:
                break
    except csv.Error:
        pass
    return records, ends


def _layout(
    raw: RawFile, records: list[list[str]], ends: list[int], header_row: int | None
) -> tuple[int, list[list[str]], int]:
    """(the column count, the padded title rows read before pyarrow's part, the physical lines
    pyarrow skips)."""
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
    if header_row is not None:
        return width, [], ends[header_row]
    # Title rows above a table are shorter than it: keep them as padded rows, and let
    # pyarrow parse from the first full-width row on.
    lead = next(index for index, record in enumerate(records) if len(record) == width)
    prefix = [record + [""] * (width - len(record)) for record in records[:lead]]
    return width, prefix, ends[lead - 1] if lead else 0


def _ragged(raw: RawFile, encoding: str, problems: list[str], width: int) -> InputError:
    """The rows pyarrow skipped for a wrong column count, by line where they can be found."""
    rows = _locate_lines(raw, encoding, problems[:5])
    where = f" (lines {_row_list(rows)})" if rows else ""
    if len(problems) > len(rows) and rows:
        where = where[:-1] + " …)"
    return InputError(
        _(
            "{value} row(s) do not have the {width} columns of the first "
            "rows{where}; the file is cut off or was edited by hand"
        ).format(value=len(problems), width=width, where=where),
        path=raw.path,
        row=rows[0] if rows else None,
        hint=_("export the report again from the seller centre"),
    )


def _one_chunk_per_column(table: pa.Table) -> pa.Table:
    """One chunk per column (the parser gives one per 1 MB block): every later row selection
    (take) on a chunked column first concatenates all of it, which at a million orders costs
    seconds. Column by column, so only one column is ever held twice."""
    for index in range(table.num_columns):
        if table.column(index).num_chunks > 1:
            combined = table.column(index).combine_chunks()
            table = table.set_column(index, table.field(index), combined)
    return table


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
            raise decode_failure(raw, encoding) from None
        # pyarrow refused the layout: pandas' C parser names the offending line.
        return _parse_csv_c_engine(raw, encoding, names, skip, delimiter)


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
        raise decode_failure(raw, encoding) from None
    except (pd.errors.ParserError, ValueError) as error:
        raise InputError(
            _("the CSV cannot be parsed ({value})").format(value=str(error).strip()[:200]),
            path=raw.path,
            hint=_("export the report again from the seller centre; do not edit it by hand"),
        ) from None
    return pa.Table.from_pandas(frame.astype(TEXT), preserve_index=False)


def _row_list(rows: list[int], shown: int = 5) -> str:
    head = ", ".join(str(row) for row in rows[:shown])
    return head + (f" and {len(rows) - shown} more" if len(rows) > shown else "")
