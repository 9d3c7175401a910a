"""Safe, fast workbook and CSV writing: text cells, never formulas, never half a file."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import tempfile
import threading
from collections.abc import Collection, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pandas as pd
import rustpy_xlsxwriter as xlsx

from batch_ship.errors import BatchShipError
from batch_ship.i18n import N_, _
from batch_ship.progress import Progress, no_progress
from batch_ship.text import display_width
from batch_ship.tuning import DEFAULT_TUNING

log = logging.getLogger(__name__)

EXCEL_CELL_LIMIT = 32_767  # characters Excel stores in one cell
EXCEL_ROW_LIMIT = 1_048_576
MIN_WIDTH = 6.0
MAX_WIDTH = 60.0
_WIDTH_SAMPLE = 300  # rows looked at to size a column
WORKBOOKS_WRITTEN = N_("workbooks written")  # the progress label: 18/18, one per workbook


def write_workbook(
    path: Path,
    sheets: Mapping[str, pd.DataFrame],
    *,
    text_columns: Collection[str] | None = None,
    widths: Mapping[str, float] | None = None,
    text_format: bool = True,
    frozen_columns: int = 0,
) -> Path:
    """Write one .xlsx with a sheet per entry (to a staged path: batch_ship/publish.py).

    Every value is written as a string cell (rust_xlsxwriter writes strings as inline
    strings: text starting with `=`, `+`, `-` or `@` stays text, never a formula). Columns in
    `text_columns` (default: all) also get the number format `@`, so a person typing into them
    or re-saving keeps ids and phones as text (`text_format=False` skips that format, a quarter
    of the writing time, for a report nobody types into; its digits still show no "number
    stored as text" warning). The header is bold and frozen with an autofilter (and the
    first `frozen_columns` columns frozen too);
    widths come from `widths` (by header) or from the header and the first rows' values.
    A value longer than Excel's 32,767-character cell limit is cut there (logged).
    """
    if not sheets:
        raise ValueError("write_workbook needs at least one sheet")
    entries: list[tuple[str, Any]] = []
    formats: dict[str, dict[str, xlsx.Format] | list[xlsx.Format]] = {}
    widths_by_sheet: dict[str, dict[str, float] | list[float]] = {}
    header_formats: dict[str, xlsx.Format] = {}
    autofilter: dict[str, bool] = {}
    ignore_errors: dict[str, list[str] | dict[str, str]] = {}
    text_cell = xlsx.Format().set_num_format("@")
    for name, frame in sheets.items():
        data = _sheet_text(frame, path, name)
        columns = [str(column) for column in data.columns]
        texts = columns if text_columns is None else [c for c in columns if c in text_columns]
        entries.append((name, data))
        formats[name] = dict.fromkeys(texts if text_format else (), text_cell)
        widths_by_sheet[name] = {
            column: float(widths[column]) if widths and column in widths else _width(data, column)
            for column in columns
        }
        header_formats[name] = xlsx.Format().set_bold()
        autofilter[name] = bool(columns)
        # Digits stored as text on purpose: no green triangle on every id and phone.
        if texts:
            ignore_errors[name] = texts
    freeze = {name: {"row": 1, "col": frozen_columns} for name in sheets}
    path.parent.mkdir(parents=True, exist_ok=True)
    with native_writer(path):
        xlsx.write_worksheets(
            entries,
            str(path),
            freeze_panes=freeze,
            column_widths=widths_by_sheet,
            column_formats=formats,
            header_format=header_formats,
            autofilter=autofilter,
            ignore_errors=ignore_errors or None,
        )
    return path


def _sheet_text(frame: pd.DataFrame, path: Path, name: str) -> pd.DataFrame:
    """The frame as text cells, once the sheet's name and size are known to fit a workbook."""
    if not xlsx.validate_sheet_name(name):
        raise ValueError(f"{name!r} is not a valid sheet name")
    if len(frame) >= EXCEL_ROW_LIMIT:
        raise ValueError(f"sheet {name!r}: {len(frame):,} rows do not fit in one sheet")
    return _as_text(frame, path, name)


class WriteError(BatchShipError):
    """The native xlsx writer failed in a way it does not report as an exception (a panic)."""


@contextlib.contextmanager
def native_writer(path: Path) -> Iterator[None]:
    """Around a native writer's call: what it prints itself on fd 2 (a panic's text, a zip
    it could not finish on a full disk) never reaches the terminal, and a panic (pyo3's
    PanicException, a BaseException) becomes a WriteError naming the file."""
    with _QUIET_NATIVE:
        try:
            yield
        except (Exception, KeyboardInterrupt, SystemExit, GeneratorExit):
            raise
        except BaseException as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else "a panic"
            raise WriteError(
                _("the xlsx writer failed: {reason}").format(reason=reason),
                path=path,
                hint=_("check that the disk has room; if it has, report this with the input"),
            ) from error


class _NativeStderr:
    """fd 2 sent to a file while native writers run (in any thread): what they print is
    kept back, and what else was printed meanwhile is shown when the last one ends."""

    _NOISE = re.compile(
        r"panicked at|RUST_BACKTRACE|ZipWriter|fatal runtime error|PanicException|"
        r"^\s*\d+: |^\s+at |^stack backtrace:"
    )

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._saved = -1
        self._file: IO[bytes] | None = None

    def __enter__(self) -> None:
        with self._lock:
            if self._users == 0:
                sys.stderr.flush()
                self._file = tempfile.TemporaryFile()
                self._saved = os.dup(2)
                os.dup2(self._file.fileno(), 2)
            self._users += 1

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            self._users -= 1
            if self._users or self._file is None:
                return
            sys.stderr.flush()
            os.dup2(self._saved, 2)
            os.close(self._saved)
            self._file.seek(0)
            text = self._file.read().decode("utf-8", errors="replace")
            self._file.close()
            self._file = None
        kept = [line for line in text.splitlines(keepends=True) if not self._NOISE.search(line)]
        if kept:
            sys.stderr.write("".join(kept))
        if len(kept) < len(text.splitlines()):
            log.debug("the native writer printed: %s", text.strip()[:500])


_QUIET_NATIVE = _NativeStderr()
# The same guard for the native reader (read.py's calamine calls): fd 2 is one per process.
NATIVE_STDERR = _QUIET_NATIVE


def estimated_size(sheets: Mapping[str, pd.DataFrame]) -> int:
    """About the bytes a workbook of these sheets takes on disk, generously (for the message
    when the disk is full): its UTF-8 text and a few bytes per cell, compressed about 3:1."""
    import pyarrow as pa
    import pyarrow.compute as pc

    total = 0
    for frame in sheets.values():
        for column in frame.columns:
            values = pa.array(frame[column].astype("str").fillna("").array)
            total += int(pc.sum(pc.binary_length(values)).as_py() or 0) + 12 * len(values)
    return 16_384 + total // 3


@dataclass(frozen=True)
class WorkbookJob:
    """One workbook to write: `write_workbook`'s arguments, held so that the writing can
    happen later, in threads or in a second process (they pickle)."""

    path: Path
    sheets: Mapping[str, pd.DataFrame]
    text_columns: tuple[str, ...] | None = None
    widths: Mapping[str, float] | None = None
    frozen_columns: int = 0

    def write(self) -> Path:
        return write_workbook(
            self.path,
            self.sheets,
            text_columns=self.text_columns,
            widths=self.widths,
            frozen_columns=self.frozen_columns,
        )

    def estimated_size(self) -> int:
        return estimated_size(self.sheets)


def write_jobs(
    jobs: Sequence[WorkbookJob],
    progress: Progress = no_progress,
    *,
    writers: int = DEFAULT_TUNING.workbook_writers,
) -> list[Path]:
    """Write the workbooks here, `writers` at a time, saying how many of them are written.
    The writer lets go of the GIL for part of its work: two at a time use a second core when
    there is one (Tuning.workbook_writers)."""
    written: list[Path] = []
    if len(jobs) < 2:
        for job in jobs:
            written.append(job.write())
            progress(WORKBOOKS_WRITTEN, len(written), len(jobs))
        return written
    with ThreadPoolExecutor(max_workers=writers) as pool:
        for path in pool.map(WorkbookJob.write, jobs):
            written.append(path)
            progress(WORKBOOKS_WRITTEN, len(written), len(jobs))
    return written


def write_claimed(
    jobs: Sequence[WorkbookJob], claims: Path, *, from_end: bool = False
) -> list[Path]:
    """Write the workbooks one after another, from the first (or the last) on, until reaching
    one another writer has claimed; the paths written.

    Two writers, one at each end, share the work this way without agreeing on a split
    beforehand: a workbook is claimed by creating its name in the folder `claims`, exclusively,
    so that exactly one writer gets it, and a writer stops at the first one taken."""
    order = range(len(jobs) - 1, -1, -1) if from_end else range(len(jobs))
    written = []
    for index in order:
        if not _claim(claims, index):
            break
        written.append(jobs[index].write())
    return written


def claim_the_rest(jobs: Sequence[WorkbookJob], claims: Path) -> None:
    """Claim every workbook not claimed yet: a writer sharing them stops after the one it is
    writing."""
    for index in range(len(jobs)):
        _claim(claims, index)


def _claim(claims: Path, index: int) -> bool:
    try:
        (claims / f"{index}").open("x").close()
    except FileExistsError:
        return False
    return True


def _as_text(frame: pd.DataFrame, path: Path, sheet: str | None) -> pd.DataFrame:
    """Every column as Arrow-backed strings ('' for missing), cut to Excel's cell limit.

    Arrow strings keep the length check in C and reach the writer without a copy."""
    if frame.columns.has_duplicates:
        raise ValueError(f"{path.name}: duplicate column names")
    columns: dict[str, pd.Series] = {}
    for column in frame.columns:
        series = frame[column]
        if not _arrow_text(series.dtype):
            series = series.astype("str")
        if series.hasnans:
            series = series.fillna("")
        # Bytes bound characters from above: the character count only when bytes could exceed.
        if sheet is not None and len(series) and _max_bytes(series) > EXCEL_CELL_LIMIT:
            lengths = series.str.len()
            if int(lengths.max()) > EXCEL_CELL_LIMIT:
                long = int((lengths > EXCEL_CELL_LIMIT).sum())
                log.warning(
                    _("%s: %d value(s) in column %s cut to Excel's %d-character cell limit"),
                    path.name,
                    long,
                    column,
                    EXCEL_CELL_LIMIT,
                )
                series = series.str.slice(0, EXCEL_CELL_LIMIT)
        columns[str(column)] = series.reset_index(drop=True)
    return pd.DataFrame(columns, columns=[str(c) for c in frame.columns])


def _max_bytes(series: pd.Series) -> int:
    """The longest value's UTF-8 size, from the Arrow offsets (no per-value work)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    longest = pc.max(pc.binary_length(pa.chunked_array(pa.array(series.array)))).as_py()
    return int(longest or 0)


def _arrow_text(dtype: object) -> bool:
    if isinstance(dtype, pd.StringDtype):
        return dtype.storage == "pyarrow"
    if isinstance(dtype, pd.ArrowDtype):
        import pyarrow as pa

        return bool(pa.types.is_string(dtype.pyarrow_dtype)) or bool(
            pa.types.is_large_string(dtype.pyarrow_dtype)
        )
    return False


def column_widths(frame: pd.DataFrame) -> dict[str, float]:
    """A width per column from its header and its first rows' values."""
    return {str(column): _width(frame, str(column)) for column in frame.columns}


def _width(frame: pd.DataFrame, column: str) -> float:
    widest = display_width(column) + 2  # room for the filter button
    values = frame[column].iloc[:_WIDTH_SAMPLE]
    if len(values):
        # each distinct value once: sampled columns repeat values (or are empty) a lot
        distinct = {str(value) for value in values.tolist()}
        widest = max(widest, max(display_width(text) for text in distinct))
    return float(min(MAX_WIDTH, max(MIN_WIDTH, widest + 1)))
