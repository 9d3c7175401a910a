"""The Taobao/Tmall reader: order report + item report -> the canonical OrderTable."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO, cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from batch_ship.columns import constant_text
from batch_ship.errors import InputError
from batch_ship.file_kinds import (
    SHOWN_ORDER_COLUMNS,
    FileKind,
    Layouts,
    WrongFileError,
    find_kind,
    has_order_id,
    kind_of_header,
)
from batch_ship.model import FileProblem, OrderStatus
from batch_ship.progress import Progress, no_progress
from batch_ship.sources import canonical as c
from batch_ship.sources.canonical import OrderTable
from batch_ship.sources.taobao_headers import (
    EXCEPTION_COLUMNS,
    ITEM_HEADERS,
    ORDER_HEADERS,
    PHONE_HEADERS,
    SKU_HEADERS,
    STATUSES,
)
from batch_ship.spreadsheets.read import (
    TEXT,
    RawFile,
    apply_header,
    clean_header,
    find_header_row,
    load_bytes,
    read_raw,
)

Source = Path | str | BinaryIO

_SCIENTIFIC_RE = r"[+-]?\d+(\.\d*)?[eE][+-]?\d+"
_ISO_RE = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"
_MONEY_RE = r"-?\d+\.\d{2}"
_REPORT_NAME = re.compile(r"^ExportOrderList(?P<stamp>.*)\.(csv|xlsx|xls)$", re.IGNORECASE)
_ITEM_EXTENSIONS = (".csv", ".xlsx", ".xls")
_SHOWN = 5

_FIX_MANGLED = (
    "export the report again from the seller centre and give batch-ship that file as "
    "downloaded; never open and save it in a spreadsheet program (it turns 19-digit order "
    "numbers into numbers like 4.0125E+18 and the lost digits cannot be recovered)"
)


def read_orders(
    paths: Sequence[Source] | Source,
    items: Sequence[Source] | Source | None = None,
    progress: Progress = no_progress,
    layouts: Layouts | None = None,
) -> OrderTable:
    """Read Taobao order reports (and item reports) into one canonical OrderTable.

    `paths`: one or more order reports (CSV in GB18030/GBK or UTF-8, .xlsx/.xls re-saves, or
    an exceptions workbook written by export). `items`: item reports; when None, the item
    report beside each order report path (ExportOrderDetailList<stamp>.*) is used if present.
    Several order files concatenate. Raises InputError for a file that cannot be trusted, and
    WrongFileError for a file of another kind (a courier return, one of our own files; see
    file_kinds: `layouts` are our own files' header rows, the built-in templates' by default).
    """
    order_sources = _as_list(paths)
    if not order_sources:
        raise InputError("no order report given", hint="name at least one ExportOrderList file")
    item_sources = _as_list(items) if items is not None else _find_item_reports(order_sources)

    total = len(order_sources) + len(item_sources)
    frames: list[pd.DataFrame] = []
    originals: list[pd.DataFrame] = []
    problems: list[FileProblem] = []
    sources: list[Path] = []
    for index, source in enumerate(order_sources):
        progress("reading order reports", index, total)
        orders, original, found, path = _read_order_report(source, layouts)
        _release_memory()
        frames.append(orders)
        originals.append(original)
        problems.extend(found)
        sources.append(path)

    item_frames = []
    for index, source in enumerate(item_sources):
        progress("reading item reports", len(order_sources) + index, total)
        items_read, path = _read_item_report(source, layouts)
        _release_memory()
        item_frames.append(items_read)
        sources.append(path)
    progress("reading reports", total, total)

    orders = _concat(frames, [*c.ORDER_COLUMNS])
    original = _concat(originals, None)
    orders["duplicate"] = orders[c.ORDER_ID].duplicated(keep="first").to_numpy(dtype=bool)
    problems.extend(_duplicate_problems(orders))
    items_frame = _concat(item_frames, [*c.ITEM_COLUMNS])
    _release_memory()
    return OrderTable(
        orders=orders, items=items_frame, original=original, sources=sources, problems=problems
    )


def find_item_report(order_report: Path) -> Path | None:
    """The item report the seller centre wrote beside an order report (same stamp), if any."""
    match = _REPORT_NAME.match(order_report.name)
    if match is None:
        return None
    for extension in _ITEM_EXTENSIONS:
        candidate = order_report.with_name(f"ExportOrderDetailList{match['stamp']}{extension}")
        if candidate.is_file():
            return candidate
    return None


def _release_memory() -> None:
    """Return the parse's freed Arrow buffers to the system (they would else raise the peak
    of every later step at a million orders)."""
    pa.default_memory_pool().release_unused()


def _as_list(value: Sequence[Source] | Source | None) -> list[Source]:
    if value is None:
        return []
    if isinstance(value, str | Path) or hasattr(value, "read"):
        return [cast(Source, value)]
    return list(value)


def _find_item_reports(order_sources: list[Source]) -> list[Source]:
    found: list[Source] = []
    for source in order_sources:
        if isinstance(source, str | Path):
            item = find_item_report(Path(source))
            if item is not None and item not in found:
                found.append(item)
    return found


def _concat(frames: list[pd.DataFrame], columns: list[str] | None) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame({name: pd.Series(dtype=TEXT) for name in columns or []})
    if len(frames) == 1:
        return frames[0]
    joined = pd.concat(frames, ignore_index=True)
    for name in joined.columns:
        if joined[name].dtype != TEXT and name != "duplicate":
            joined[name] = joined[name].astype(TEXT)
    return joined.fillna("")


# ------------------------------------------------------------------------------------- reports


def _headed_frame(
    raw: RawFile, kind: FileKind, mapping: dict[str, str], layouts: Layouts | None
) -> tuple[pd.DataFrame, int]:
    """The report's rows under its header row (found among the first rows) and that row.
    A file of another kind is refused, saying what it is (file_kinds)."""
    grid = read_raw(raw)
    what = kind.value
    if len(grid) == 0:
        raise InputError(f"the {what} has no rows", path=raw.path, hint="export it again")
    try:
        header_row = find_header_row(grid.head(30), {c.ORDER_ID}, mapping)
    except LookupError:
        found, whose, _ = find_kind(grid.head(30), layouts)
        if found is not FileKind.OTHER:
            raise WrongFileError(found, whose, raw.path, f"a Taobao {what}") from None
        seen = [clean_header(cell) for cell in grid.iloc[0].tolist() if str(cell).strip()]
        listed = ", ".join(seen[:8]) + (" …" if len(seen) > 8 else "")
        raise InputError(
            f"no 订单编号 (order number) column: this is not a Taobao {what} "
            f"(first row: {listed or 'empty'})",
            path=raw.path,
            hint="give the ExportOrderList*.csv order report (ExportOrderDetailList*.csv is the "
            "item report) exactly as the seller centre exported it",
        ) from None
    _check_kind(grid.iloc[header_row].tolist(), kind, raw.path, layouts)
    frame = apply_header(grid, header_row, raw.path)
    frame.columns = pd.Index([clean_header(name) for name in frame.columns])
    # Spreadsheets leave fully empty rows at the end; they are not orders.
    frame = _drop_empty_rows(frame)
    return frame, header_row


# What each reader takes: an exceptions workbook is an order report with its fixes; a bare
# list of order numbers and items may still be an item report.
_READS = {
    FileKind.ORDER_REPORT: (FileKind.ORDER_REPORT, FileKind.EXCEPTIONS),
    FileKind.ITEM_REPORT: (FileKind.ITEM_REPORT, FileKind.OTHER),
}


def _check_kind(header: list[object], kind: FileKind, path: Path, layouts: Layouts | None) -> None:
    found, whose = kind_of_header(header, layouts)
    if found in _READS[kind]:
        return
    if found is FileKind.ITEM_REPORT:  # the classic mix-up: the pair's other file
        raise InputError(
            "this is the item report (宝贝明细), not the order report",
            path=path,
            hint="give the ExportOrderList*.csv order report, and this file with --items",
        )
    if found is not FileKind.OTHER:
        raise WrongFileError(found, whose, path, f"a Taobao {kind.value}")
    assert has_order_id(header)
    raise InputError(
        f"not an order report: it has an 订单编号 column but none of an order report's other "
        f"columns ({SHOWN_ORDER_COLUMNS}, …)",
        path=path,
        hint="give the ExportOrderList*.csv order report exactly as the seller centre "
        "exported it (or export's exceptions.xlsx with its fixes)",
    )


def _drop_empty_rows(frame: pd.DataFrame) -> pd.DataFrame:
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


def _arrow(series: pd.Series) -> pa.ChunkedArray:
    """The column's Arrow data (zero-copy for the pyarrow-backed text dtype)."""
    return pa.chunked_array(pa.array(series.array))


def _strip(series: pd.Series) -> pd.Series:
    """`str.strip()`, but the column itself when nothing changes: it then stays shared with
    `original` instead of a second copy of the text (hundreds of MB at a million orders)."""
    stripped = series.str.strip()
    before = pc.sum(pc.binary_length(_arrow(series))).as_py()
    after = pc.sum(pc.binary_length(_arrow(stripped))).as_py()
    return series if before == after else stripped


def _mask(values: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


def _unwrap(series: pd.Series, apostrophe: bool) -> pd.Series:
    """Remove the exporter's text markers: `="…"` around a value, a leading apostrophe.

    Straight pyarrow kernels: this runs on every column of a million-row report."""
    array = _arrow(series)
    starts = pc.starts_with(array, '="')
    if pc.any(starts).as_py():
        wrapped = pc.and_(starts, pc.ends_with(array, '"'))
        if pc.all(wrapped).as_py():
            series = series.str.slice(2, -1)
        else:
            series = series.where(~_mask(wrapped), series.str.slice(2, -1))
    if apostrophe and pc.any(pc.starts_with(_arrow(series), "'")).as_py():
        series = series.str.removeprefix("'")
    return series


def _read_order_report(
    source: Source, layouts: Layouts | None
) -> tuple[pd.DataFrame, pd.DataFrame, list[FileProblem], Path]:
    raw = load_bytes(source)
    frame, header_row = _headed_frame(raw, FileKind.ORDER_REPORT, ORDER_HEADERS, layouts)
    raw = RawFile(b"", raw.path)  # parsed: free the bytes before the column work
    names = list(frame.columns)
    keep = [
        name for index, name in enumerate(names)
        if name and name not in EXCEPTION_COLUMNS and name not in names[:index]
    ]  # fmt: skip
    original = frame.loc[:, ~pd.Index(names).duplicated()][keep] if keep else frame.iloc[:, :0]
    original = original.reset_index(drop=True)
    for name in keep:
        original[name] = _unwrap(original[name], apostrophe=name in PHONE_HEADERS)

    rows = _row_numbers(frame, header_row)
    columns: dict[str, pd.Series] = {}
    for name in keep:
        target = ORDER_HEADERS.get(name)
        if target is not None and target not in columns:
            columns[target] = original[name]
    empty = constant_text("", len(original))
    orders = pd.DataFrame({name: columns.get(name, empty) for name in c.ORDER_COLUMNS})
    orders[c.ROW] = rows
    orders[c.SOURCE] = constant_text(raw.name, len(orders))

    for name in (c.ORDER_ID, c.MOBILE, c.TELEPHONE, c.RAW_STATUS, c.ITEM_COUNT):
        orders[name] = _strip(orders[name])
    orders[c.ORDER_ID] = _checked_ids(orders[c.ORDER_ID], rows, raw)
    problems: list[FileProblem] = []
    orders[c.STATUS] = _statuses(orders[c.RAW_STATUS], rows, raw, problems)
    orders[c.AMOUNT] = _money(orders[c.AMOUNT], rows, raw, problems, "amount")
    orders[c.PAID_AT] = _dates(orders[c.PAID_AT], rows, raw, problems)
    return orders, original, problems, raw.path


def _read_item_report(source: Source, layouts: Layouts | None) -> tuple[pd.DataFrame, Path]:
    raw = load_bytes(source)
    frame, header_row = _headed_frame(raw, FileKind.ITEM_REPORT, ITEM_HEADERS, layouts)
    raw = RawFile(b"", raw.path)  # parsed: free the bytes before the column work
    rows = _row_numbers(frame, header_row)
    frame = frame.reset_index(drop=True)
    empty = constant_text("", len(frame))
    columns: dict[str, pd.Series] = {}
    for name in frame.columns:
        target = ITEM_HEADERS.get(name)
        if name and target is not None and target not in columns:
            columns[target] = _unwrap(frame[name], apostrophe=False)
    sku = empty
    for name in reversed(SKU_HEADERS):  # the first name in SKU_HEADERS wins where filled
        if name in frame.columns:
            value = _strip(_unwrap(frame[name], apostrophe=True))
            sku = value.where(value != "", sku)
    columns[c.ITEM_SKU] = sku
    items = pd.DataFrame({name: columns.get(name, empty) for name in c.ITEM_COLUMNS})
    items[c.ORDER_ID] = _checked_ids(_strip(items[c.ORDER_ID]), rows, raw)
    items[c.ITEM_QUANTITY] = _strip(items[c.ITEM_QUANTITY])
    items[c.ITEM_PRICE] = _money(items[c.ITEM_PRICE], rows, raw, [], "price")
    return items, raw.path


def _row_numbers(frame: pd.DataFrame, header_row: int) -> pd.Series:
    """Spreadsheet row numbers (header = 1) as text, aligned with the frame's rows."""
    numbers = pa.array(frame.index.to_numpy(dtype=np.int64) + header_row + 2)
    return pd.Series(numbers.cast(pa.large_string()), dtype=TEXT)


# ---------------------------------------------------------------------------------- validation


def _row_text(rows: pd.Series, mask: np.ndarray) -> tuple[str, list[int]]:
    picked = rows[mask]
    numbers = [int(value) for value in picked.iloc[:_SHOWN]]
    text = ", ".join(str(number) for number in numbers)
    if len(picked) > _SHOWN:
        text += f" and {len(picked) - _SHOWN} more"
    return text, [int(value) for value in picked]


def _checked_ids(ids: pd.Series, rows: pd.Series, raw: RawFile) -> pd.Series:
    """Order numbers as 17-19 digit strings; a file with mangled numbers is refused."""
    array = _arrow(ids)
    length = pc.binary_length(array)
    valid = _mask(
        pc.and_(
            pc.ascii_is_decimal(array),
            pc.and_(pc.greater_equal(length, 17), pc.less_equal(length, 19)),
        )
    )
    if valid.all():
        _check_lost_digits(ids, rows, raw)
        return ids
    bad = ~valid
    scientific = ids.str.fullmatch(_SCIENTIFIC_RE).to_numpy(dtype=bool)
    if scientific.any():
        text, numbers = _row_text(rows, scientific)
        count = int(scientific.sum())
        sample = ids[scientific].iloc[0]
        raise InputError(
            f"{count} order number(s) were turned into numbers by a spreadsheet (e.g. {sample}) "
            f"in rows {text}; the lost digits cannot be recovered and batch-ship never guesses",
            path=raw.path,
            row=numbers[0],
            hint=_FIX_MANGLED,
        )
    text, numbers = _row_text(rows, bad)
    shown = ", ".join(_preview(str(value)) for value in ids[bad].iloc[:3])
    raise InputError(
        f"{int(bad.sum())} order number(s) are not 17-19 digits (rows {text}: {shown})",
        path=raw.path,
        row=numbers[0],
        hint="export the report again from the seller centre; every row needs its 订单编号",
    )


def _preview(value: str) -> str:
    """A bad cell shown briefly: a shifted column could put a phone or an address here."""
    if len(value) <= 6:
        return repr(value)
    return repr(value[:4] + "…") + f" ({len(value)} characters)"


def _check_lost_digits(ids: pd.Series, rows: pd.Series, raw: RawFile) -> None:
    """A spreadsheet that kept 15 significant digits writes ids ending in zeros: refuse those."""
    if len(ids) < 2:
        return
    zeros = ids.str.endswith("0000").to_numpy(dtype=bool)
    if zeros.sum() >= 2 and zeros.mean() > 0.5:
        text, numbers = _row_text(rows, zeros)
        raise InputError(
            f"{int(zeros.sum())} order numbers end in 0000 (rows {text}): a spreadsheet kept only "
            "15 significant digits and filled the rest with zeros",
            path=raw.path,
            row=numbers[0],
            hint=_FIX_MANGLED,
        )


def _statuses(
    raw_status: pd.Series, rows: pd.Series, raw: RawFile, problems: list[FileProblem]
) -> pd.Series:
    key = raw_status.str.replace(",", "，", regex=False)
    codes, uniques = pd.factorize(key)
    mapped = np.array(
        [STATUSES.get(str(value), OrderStatus.UNKNOWN).value for value in uniques] + [""],
        dtype=object,
    )
    status = pd.Series(mapped[codes], dtype=TEXT)
    unknown = (status == OrderStatus.UNKNOWN.value).to_numpy(dtype=bool)
    if unknown.any():
        text, numbers = _row_text(rows, unknown)
        names = sorted({str(value) for value in raw_status[unknown].unique()})
        problems.append(
            FileProblem(
                code="unknown-status",
                path=raw.path,
                rows=tuple(numbers),
                message=f"{int(unknown.sum())} order(s) have a status batch-ship does not know "
                f"({', '.join(repr(n) for n in names[:5])}; rows {text}); they are kept as "
                "'unknown' and not shipped",
            )
        )
    return status


def _money(
    values: pd.Series, rows: pd.Series, raw: RawFile, problems: list[FileProblem], what: str
) -> pd.Series:
    """Money as a decimal string with at least two decimals ('128.50'); '' when not money."""
    values = _strip(values)
    fast = values.str.fullmatch(_MONEY_RE).to_numpy(dtype=bool) | (values == "").to_numpy()
    if fast.all():
        return values
    slow = np.flatnonzero(~fast)
    cleaned = [_money_text(value) for value in values.iloc[slow].tolist()]
    result = values.to_numpy(dtype=object).copy()
    result[slow] = cleaned
    bad = np.zeros(len(values), dtype=bool)
    bad[slow] = [text == "" for text in cleaned]
    if bad.any():
        text, numbers = _row_text(rows, bad)
        problems.append(
            FileProblem(
                code=f"{what}-invalid",
                path=raw.path,
                rows=tuple(numbers),
                message=f"{int(bad.sum())} {what}(s) are not numbers (rows {text}); left empty",
            )
        )
    return pd.Series(result, dtype=TEXT)


def _money_text(value: str) -> str:
    text = re.sub(r"[¥￥元,\s]", "", value)
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        return ""
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction.ljust(2, '0')}"


def _dates(
    values: pd.Series, rows: pd.Series, raw: RawFile, problems: list[FileProblem]
) -> pd.Series:
    """Dates as ISO 'YYYY-MM-DD HH:MM:SS'; spreadsheet re-saves ('2026/11/25 9:05') converted."""
    values = _strip(values)
    fast = values.str.fullmatch(_ISO_RE).to_numpy(dtype=bool) | (values == "").to_numpy()
    if fast.all():
        return values
    slow = np.flatnonzero(~fast)
    parsed = pd.to_datetime(
        pd.Series(values.iloc[slow].to_numpy(dtype=object)), format="mixed", errors="coerce"
    )
    texts = parsed.dt.strftime("%Y-%m-%d %H:%M:%S").fillna("").to_numpy(dtype=object)
    result = values.to_numpy(dtype=object).copy()
    result[slow] = texts
    bad = np.zeros(len(values), dtype=bool)
    bad[slow] = texts == ""
    if bad.any():
        text, numbers = _row_text(rows, bad)
        problems.append(
            FileProblem(
                code="date-invalid",
                path=raw.path,
                rows=tuple(numbers),
                message=f"{int(bad.sum())} payment time(s) are not dates (rows {text}); left empty",
            )
        )
    return pd.Series(result, dtype=TEXT)


def _duplicate_problems(orders: pd.DataFrame) -> list[FileProblem]:
    duplicate = orders["duplicate"].to_numpy(dtype=bool)
    if not duplicate.any():
        return []
    problems = []
    for source, group in orders[duplicate].groupby(c.SOURCE, sort=False):
        numbers = [int(value) for value in group[c.ROW]]
        shown = ", ".join(str(n) for n in numbers[:_SHOWN])
        more = f" and {len(numbers) - _SHOWN} more" if len(numbers) > _SHOWN else ""
        problems.append(
            FileProblem(
                code="duplicate-row",
                path=Path(str(source)),
                rows=tuple(numbers),
                message=f"{len(numbers)} row(s) repeat an order already read (rows {shown}{more}); "
                "only the first is used",
            )
        )
    return problems
