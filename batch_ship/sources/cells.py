"""Column cleaning every source shares: text markers, money, dates, statuses, row numbers."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from batch_ship.i18n import N_, _
from batch_ship.model import FileProblem, OrderStatus
from batch_ship.problems import (
    AMOUNT_INVALID,
    DATE_INVALID,
    DUPLICATE_ROW,
    PRICE_INVALID,
    UNKNOWN_STATUS,
)
from batch_ship.progress import Progress
from batch_ship.sources import canonical as c
from batch_ship.sources.canonical import OrderTable
from batch_ship.spreadsheets.read import TEXT

T = TypeVar("T")
# One order file read: its canonical orders, its own columns (aligned), problems, its path.
OrderFileRead = tuple[pd.DataFrame, pd.DataFrame, list[FileProblem], Path]

SCIENTIFIC_RE = r"[+-]?\d+(\.\d*)?[eE][+-]?\d+"
_ISO_RE = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"
_MONEY_RE = r"-?\d+\.\d{2}"
SHOWN = 5  # row numbers quoted in a message
# What a money column holds, in messages, and its problem code.
_MONEY_NAMES = {"amount": N_("amount"), "price": N_("price")}
_MONEY_CODES = {"amount": AMOUNT_INVALID, "price": PRICE_INVALID}


def assemble(
    order_files: Sequence[T],
    item_files: Sequence[T],
    read_order_file: Callable[[T], OrderFileRead],
    read_item_file: Callable[[T], tuple[pd.DataFrame, Path]],
    progress: Progress,
) -> OrderTable:
    """Read every order file and item file with a source's readers into one OrderTable:
    concatenated in order, a repeated order id flagged `duplicate` (the first one counts)."""
    total = len(order_files) + len(item_files)
    frames: list[pd.DataFrame] = []
    originals: list[pd.DataFrame] = []
    problems: list[FileProblem] = []
    sources: list[Path] = []
    for index, source in enumerate(order_files):
        progress(N_("reading order reports"), index, total)
        orders, original, found, path = read_order_file(source)
        release_memory()
        frames.append(orders)
        originals.append(original)
        problems.extend(found)
        sources.append(path)
    item_frames = []
    for index, source in enumerate(item_files):
        progress(N_("reading item reports"), len(order_files) + index, total)
        items_read, path = read_item_file(source)
        release_memory()
        item_frames.append(items_read)
        sources.append(path)
    progress(N_("reading reports"), total, total)

    orders = concat_text(frames, [*c.ORDER_COLUMNS])
    original = concat_text(originals, None)
    orders["duplicate"] = orders[c.ORDER_ID].duplicated(keep="first").to_numpy(dtype=bool)
    problems.extend(duplicate_problems(orders))
    items_frame = concat_text(item_frames, [*c.ITEM_COLUMNS])
    release_memory()
    return OrderTable(
        orders=orders, items=items_frame, original=original, sources=sources, problems=problems
    )


def release_memory() -> None:
    """Return the parse's freed Arrow buffers to the system (they would else raise the peak
    of every later step at a million orders)."""
    pa.default_memory_pool().release_unused()


def concat_text(frames: list[pd.DataFrame], columns: list[str] | None) -> pd.DataFrame:
    """Frames of text columns one below the other (an empty frame of `columns` for none)."""
    if not frames:
        return pd.DataFrame({name: pd.Series(dtype=TEXT) for name in columns or []})
    if len(frames) == 1:
        return frames[0]
    joined = pd.concat(frames, ignore_index=True)
    for name in joined.columns:
        if joined[name].dtype != TEXT and name != "duplicate":
            joined[name] = joined[name].astype(TEXT)
    return joined.fillna("")


def drop_empty_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame without fully empty rows (spreadsheets leave some at the end)."""
    first = frame.columns[0]
    candidates = np.flatnonzero((frame[first].str.strip() == "").to_numpy())
    if len(candidates) == 0:
        return frame
    subset = frame.iloc[candidates]
    empty = (subset.apply(lambda column: column.str.strip() == "")).all(axis=1).to_numpy()
    if not empty.any():
        return frame
    keep = np.ones(len(frame), dtype=bool)
    keep[candidates[empty]] = False
    return frame.iloc[keep]


def arrow(series: pd.Series) -> pa.ChunkedArray:
    """The column's Arrow data (zero-copy for the pyarrow-backed text dtype)."""
    return pa.chunked_array(pa.array(series.array))


def strip(series: pd.Series) -> pd.Series:
    """`str.strip()`, but the column itself when nothing changes: it then stays shared with
    `original` instead of a second copy of the text (hundreds of MB at a million orders)."""
    stripped = series.str.strip()
    before = pc.sum(pc.binary_length(arrow(series))).as_py()
    after = pc.sum(pc.binary_length(arrow(stripped))).as_py()
    return series if before == after else stripped


def mask(values: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


def unwrap(series: pd.Series, apostrophe: bool) -> pd.Series:
    """Remove exporters' text markers: `="…"` around a value, a leading apostrophe.

    Straight pyarrow kernels: this runs on every column of a million-row report."""
    array = arrow(series)
    starts = pc.starts_with(array, '="')
    if pc.any(starts).as_py():
        wrapped = pc.and_(starts, pc.ends_with(array, '"'))
        if pc.all(wrapped).as_py():
            series = series.str.slice(2, -1)
        else:
            series = series.where(~mask(wrapped), series.str.slice(2, -1))
    if apostrophe and pc.any(pc.starts_with(arrow(series), "'")).as_py():
        series = series.str.removeprefix("'")
    return series


def row_numbers(frame: pd.DataFrame, header_row: int) -> pd.Series:
    """Spreadsheet row numbers (header = 1) as text, aligned with the frame's rows."""
    numbers = pa.array(frame.index.to_numpy(dtype=np.int64) + header_row + 2)
    return pd.Series(numbers.cast(pa.large_string()), dtype=TEXT)


def row_text(rows: pd.Series, picked_mask: np.ndarray) -> tuple[str, list[int]]:
    """The first few row numbers under `picked_mask` as text ('3, 7 and 12 more'), and all."""
    picked = rows[picked_mask]
    numbers = [int(value) for value in picked.iloc[:SHOWN]]
    text = ", ".join(str(number) for number in numbers)
    if len(picked) > SHOWN:
        text = _("{rows} and {count} more").format(rows=text, count=len(picked) - SHOWN)
    return text, [int(value) for value in picked]


def preview(value: str) -> str:
    """A bad cell shown briefly: a shifted column could put a phone or an address here."""
    if len(value) <= 6:
        return repr(value)
    return repr(value[:4] + "…") + f" ({len(value)} characters)"


def statuses(
    raw_status: pd.Series,
    rows: pd.Series,
    path: Path,
    problems: list[FileProblem],
    lookup: Callable[[str], OrderStatus | None],
) -> pd.Series:
    """Canonical status values of the raw status texts (`lookup` per distinct text); texts it
    does not know become 'unknown' (kept, never shipped) with an unknown-status problem."""
    codes, uniques = pd.factorize(raw_status)
    mapped = np.array(
        [(lookup(str(value)) or OrderStatus.UNKNOWN).value for value in uniques] + [""],
        dtype=object,
    )
    status = pd.Series(mapped[codes], dtype=TEXT)
    unknown = (status == OrderStatus.UNKNOWN.value).to_numpy(dtype=bool)
    if unknown.any():
        text, numbers = row_text(rows, unknown)
        names = sorted({str(value) for value in raw_status[unknown].unique()})
        problems.append(
            FileProblem(
                code=UNKNOWN_STATUS,
                path=path,
                rows=tuple(numbers),
                message=_(
                    "{count} order(s) have a status batch-ship does not know ({statuses}; "
                    "rows {rows}); they are kept as 'unknown' and not shipped"
                ).format(
                    count=int(unknown.sum()),
                    statuses=", ".join(repr(n) for n in names[:5]),
                    rows=text,
                ),
            )
        )
    return status


def money(
    values: pd.Series, rows: pd.Series, path: Path, problems: list[FileProblem], what: str
) -> pd.Series:
    """Money as a decimal string with at least two decimals ('128.50'); '' when not money."""
    values = strip(values)
    fast = values.str.fullmatch(_MONEY_RE).to_numpy(dtype=bool) | (values == "").to_numpy()
    if fast.all():
        return values
    slow = np.flatnonzero(~fast)
    cleaned = [money_text(value) for value in values.iloc[slow].tolist()]
    result = values.to_numpy(dtype=object).copy()
    result[slow] = cleaned
    bad = np.zeros(len(values), dtype=bool)
    bad[slow] = [text == "" for text in cleaned]
    if bad.any():
        text, numbers = row_text(rows, bad)
        problems.append(
            FileProblem(
                code=_MONEY_CODES[what],
                path=path,
                rows=tuple(numbers),
                message=_("{count} {what}(s) are not numbers (rows {rows}); left empty").format(
                    count=int(bad.sum()), what=_(_MONEY_NAMES.get(what, what)), rows=text
                ),
            )
        )
    return pd.Series(result, dtype=TEXT)


def money_text(value: str) -> str:
    text = re.sub(r"[¥￥元,\s]", "", value)
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        return ""
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction.ljust(2, '0')}"


def dates(values: pd.Series, rows: pd.Series, path: Path, problems: list[FileProblem]) -> pd.Series:
    """Dates as ISO 'YYYY-MM-DD HH:MM:SS', Beijing time; every form a re-saved export holds is
    converted (see `parse_times`), and a value that is no date is reported by row."""
    values = strip(values)
    fast = values.str.fullmatch(_ISO_RE).to_numpy(dtype=bool) | (values == "").to_numpy()
    if fast.all():
        return values
    slow = np.flatnonzero(~fast)
    texts = parse_times(values.iloc[slow].to_numpy(dtype=object))
    result = values.to_numpy(dtype=object).copy()
    result[slow] = texts
    bad = np.zeros(len(values), dtype=bool)
    bad[slow] = texts == ""
    if bad.any():
        text, numbers = row_text(rows, bad)
        problems.append(
            FileProblem(
                code=DATE_INVALID,
                path=path,
                rows=tuple(numbers),
                message=_("{count} payment time(s) are not dates (rows {rows}); left empty").format(
                    count=int(bad.sum()), rows=text
                ),
            )
        )
    return pd.Series(result, dtype=TEXT)


# Excel's day 0 (1899-12-30, past its 1900 leap-year bug) and the serials of 1990..2100.
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_SERIAL = r"\d{5}(?:\.\d+)?"
_SERIALS = (32_874, 73_051)
_ZONED = r".*\d(?:Z|[+-]\d{2}:?\d{2})"
_CHINESE = str.maketrans({"年": "-", "月": "-", "日": " ", "时": ":", "分": ":", "秒": ""})
BEIJING = "Asia/Shanghai"


def parse_times(texts: np.ndarray) -> np.ndarray:
    """ISO 'YYYY-MM-DD HH:MM:SS' texts in Beijing time ('' where a text is no date): slashes and
    T, date-only, 年月日, times with a zone or offset (each converted on its own, so mixed zones
    are fine) and Excel serial day numbers (46351.5)."""
    series = pd.Series(texts, dtype=object).astype(str).str.translate(_CHINESE)
    series = series.str.replace(r"\s+", " ", regex=True).str.strip().str.rstrip(":")
    out = pd.Series("", index=series.index, dtype=object)
    serial = series.str.fullmatch(_SERIAL)
    if serial.any():
        days = pd.to_numeric(series[serial], errors="coerce")
        days = days[(days >= _SERIALS[0]) & (days <= _SERIALS[1])]
        stamps = _EXCEL_EPOCH + pd.to_timedelta(days.round(9), unit="D")
        out[days.index] = stamps.dt.round("s").dt.strftime(_FORMAT)
    zoned = series.str.fullmatch(_ZONED) & ~serial
    if zoned.any():
        stamps = pd.to_datetime(series[zoned], format="mixed", utc=True, errors="coerce")
        local = stamps.dt.tz_convert(BEIJING).dt.tz_localize(None)
        out[zoned] = local.dt.strftime(_FORMAT).fillna("")
    naive = ~serial & ~zoned
    if naive.any():
        out[naive] = _naive(series[naive])
    return out.to_numpy(dtype=object)


_FORMAT = "%Y-%m-%d %H:%M:%S"


def _naive(series: pd.Series) -> pd.Series:
    try:
        stamps = pd.to_datetime(series, format="mixed", errors="coerce")
    except (ValueError, TypeError, OverflowError):  # a form pandas refuses wholesale: one by one
        stamps = pd.Series([_one(text) for text in series], index=series.index)
    return stamps.dt.strftime(_FORMAT).fillna("") if len(stamps) else stamps


def _one(text: str) -> object:
    """One text as a naive Beijing Timestamp, or NaT."""
    try:
        stamp = pd.Timestamp(text)
    except (ValueError, TypeError, OverflowError):
        return pd.NaT
    return stamp.tz_convert(BEIJING).tz_localize(None) if stamp.tzinfo is not None else stamp


def duplicate_problems(orders: pd.DataFrame) -> list[FileProblem]:
    """One duplicate-row problem per file for the rows flagged `duplicate`."""
    duplicate = orders["duplicate"].to_numpy(dtype=bool)
    if not duplicate.any():
        return []
    problems = []
    for source, group in orders[duplicate].groupby(c.SOURCE, sort=False):
        numbers = [int(value) for value in group[c.ROW]]
        shown = ", ".join(str(n) for n in numbers[:SHOWN])
        if len(numbers) > SHOWN:
            shown = _("{rows} and {count} more").format(rows=shown, count=len(numbers) - SHOWN)
        problems.append(
            FileProblem(
                code=DUPLICATE_ROW,
                path=Path(str(source)),
                rows=tuple(numbers),
                message=_(
                    "{count} row(s) repeat an order already read (rows {rows}); "
                    "only the first is used"
                ).format(count=len(numbers), rows=shown),
            )
        )
    return problems
