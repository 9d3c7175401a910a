"""The Taobao/Tmall reader: order reports + item reports -> the canonical OrderTable."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path

import pandas as pd
import pyarrow.compute as pc

from batch_ship.columns import constant_text
from batch_ship.errors import InputError
from batch_ship.i18n import _
from batch_ship.model import FileProblem, OrderStatus
from batch_ship.progress import Progress, no_progress
from batch_ship.sources import canonical as c
from batch_ship.sources.base import OrderInput, as_list
from batch_ship.sources.canonical import OrderTable
from batch_ship.sources.cells import (
    SCIENTIFIC_RE,
    arrow,
    assemble,
    dates,
    drop_empty_rows,
    mask,
    money,
    preview,
    row_numbers,
    row_text,
    statuses,
    strip,
    unwrap,
)
from batch_ship.sources.file_kinds import (
    SHOWN_ORDER_COLUMNS,
    FileKind,
    Layouts,
    WrongFileError,
    find_kind,
    has_order_id,
    kind_of_header,
)
from batch_ship.sources.taobao.headers import (
    EXCEPTION_COLUMNS,
    ITEM_HEADERS,
    ORDER_HEADERS,
    PHONE_HEADERS,
    SKU_HEADERS,
    STATUSES,
)
from batch_ship.sources.taobao.pairing import find_item_reports
from batch_ship.spreadsheets.read import (
    RawFile,
    apply_header,
    clean_header,
    find_header_row,
    load_bytes,
    read_raw,
)

_FIX_MANGLED = (
    "export the report again from the seller centre and give batch-ship that file as "
    "downloaded; never open and save it in a spreadsheet program (it turns 19-digit order "
    "numbers into numbers like 4.0125E+18 and the lost digits cannot be recovered)"
)


def read_orders(
    paths: Sequence[OrderInput] | OrderInput,
    items: Sequence[OrderInput] | OrderInput | None = None,
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
    order_sources = as_list(paths)
    if not order_sources:
        raise InputError(
            _("no order report given"), hint=_("name at least one ExportOrderList file")
        )
    if items is not None:
        item_sources = as_list(items)
    else:
        beside = [Path(source) for source in order_sources if isinstance(source, str | Path)]
        item_sources = list(find_item_reports(beside))
    return assemble(
        order_sources,
        item_sources,
        partial(_read_order_report, layouts=layouts),
        partial(_read_item_report, layouts=layouts),
        progress,
    )


# ------------------------------------------------------------------------------------- reports


def _headed_frame(
    raw: RawFile, kind: FileKind, mapping: dict[str, str], layouts: Layouts | None
) -> tuple[pd.DataFrame, int]:
    """The report's rows under its header row (found among the first rows) and that row.
    A file of another kind is refused, saying what it is (file_kinds)."""
    grid = read_raw(raw)
    what = kind.value
    if len(grid) == 0:
        raise InputError(
            _("the {what} has no rows").format(what=what), path=raw.path, hint=_("export it again")
        )
    try:
        header_row = find_header_row(grid.head(30), {c.ORDER_ID}, mapping)
    except LookupError:
        found, whose, _unused = find_kind(grid.head(30), layouts)
        if found is not FileKind.OTHER:
            raise WrongFileError(found, whose, raw.path, f"a Taobao {what}") from None
        seen = [clean_header(cell) for cell in grid.iloc[0].tolist() if str(cell).strip()]
        listed = ", ".join(seen[:8]) + (" …" if len(seen) > 8 else "")
        raise InputError(
            _(
                "no 订单编号 (order number) column: this is not a Taobao {what} (first "
                "row: {value})"
            ).format(what=what, value=listed or "empty"),
            path=raw.path,
            hint=_(
                "give the ExportOrderList*.csv order report (ExportOrderDetailList*.csv is the "
                "item report) exactly as the seller centre exported it"
            ),
        ) from None
    _check_kind(grid.iloc[header_row].tolist(), kind, raw.path, layouts)
    frame = apply_header(grid, header_row, raw.path)
    frame.columns = pd.Index([clean_header(name) for name in frame.columns])
    # Spreadsheets leave fully empty rows at the end; they are not orders.
    frame = drop_empty_rows(frame)
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
            _("this is the item report (宝贝明细), not the order report"),
            path=path,
            hint=_("give the ExportOrderList*.csv order report, and this file with --items"),
        )
    if found is not FileKind.OTHER:
        raise WrongFileError(found, whose, path, f"a Taobao {kind.value}")
    assert has_order_id(header)
    raise InputError(
        _(
            "not an order report: it has an 订单编号 column but none of an order "
            "report's other columns ({SHOWN_ORDER_COLUMNS}, …)"
        ).format(SHOWN_ORDER_COLUMNS=SHOWN_ORDER_COLUMNS),
        path=path,
        hint=_(
            "give the ExportOrderList*.csv order report exactly as the seller centre "
            "exported it (or export's exceptions.xlsx with its fixes)"
        ),
    )


def _read_order_report(
    source: OrderInput, layouts: Layouts | None
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
        original[name] = unwrap(original[name], apostrophe=name in PHONE_HEADERS)

    rows = row_numbers(frame, header_row)
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
        orders[name] = strip(orders[name])
    orders[c.ORDER_ID] = _checked_ids(orders[c.ORDER_ID], rows, raw)
    problems: list[FileProblem] = []
    orders[c.STATUS] = statuses(orders[c.RAW_STATUS], rows, raw.path, problems, _status)
    orders[c.AMOUNT] = money(orders[c.AMOUNT], rows, raw.path, problems, "amount")
    orders[c.PAID_AT] = dates(orders[c.PAID_AT], rows, raw.path, problems)
    return orders, original, problems, raw.path


def _read_item_report(source: OrderInput, layouts: Layouts | None) -> tuple[pd.DataFrame, Path]:
    raw = load_bytes(source)
    frame, header_row = _headed_frame(raw, FileKind.ITEM_REPORT, ITEM_HEADERS, layouts)
    raw = RawFile(b"", raw.path)  # parsed: free the bytes before the column work
    rows = row_numbers(frame, header_row)
    frame = frame.reset_index(drop=True)
    empty = constant_text("", len(frame))
    columns: dict[str, pd.Series] = {}
    for name in frame.columns:
        target = ITEM_HEADERS.get(name)
        if name and target is not None and target not in columns:
            columns[target] = unwrap(frame[name], apostrophe=False)
    sku = empty
    for name in reversed(SKU_HEADERS):  # the first name in SKU_HEADERS wins where filled
        if name in frame.columns:
            value = strip(unwrap(frame[name], apostrophe=True))
            sku = value.where(value != "", sku)
    columns[c.ITEM_SKU] = sku
    items = pd.DataFrame({name: columns.get(name, empty) for name in c.ITEM_COLUMNS})
    items[c.ORDER_ID] = _checked_ids(strip(items[c.ORDER_ID]), rows, raw)
    items[c.ITEM_QUANTITY] = strip(items[c.ITEM_QUANTITY])
    items[c.ITEM_PRICE] = money(items[c.ITEM_PRICE], rows, raw.path, [], "price")
    return items, raw.path


# ---------------------------------------------------------------------------------- validation


def _checked_ids(ids: pd.Series, rows: pd.Series, raw: RawFile) -> pd.Series:
    """Order numbers as 17-19 digit strings; a file with mangled numbers is refused."""
    array = arrow(ids)
    length = pc.binary_length(array)
    valid = mask(
        pc.and_(
            pc.ascii_is_decimal(array),
            pc.and_(pc.greater_equal(length, 17), pc.less_equal(length, 19)),
        )
    )
    if valid.all():
        _check_lost_digits(ids, rows, raw)
        return ids
    bad = ~valid
    scientific = ids.str.fullmatch(SCIENTIFIC_RE).to_numpy(dtype=bool)
    if scientific.any():
        text, numbers = row_text(rows, scientific)
        count = int(scientific.sum())
        sample = ids[scientific].iloc[0]
        raise InputError(
            _(
                "{count} order number(s) were turned into numbers by a spreadsheet "
                "(e.g. {sample}) in rows {text}; the lost digits cannot be recovered "
                "and batch-ship never guesses"
            ).format(count=count, sample=sample, text=text),
            path=raw.path,
            row=numbers[0],
            hint=_FIX_MANGLED,
        )
    text, numbers = row_text(rows, bad)
    shown = ", ".join(preview(str(value)) for value in ids[bad].iloc[:3])
    raise InputError(
        _("{value} order number(s) are not 17-19 digits (rows {text}: {shown})").format(
            value=int(bad.sum()), text=text, shown=shown
        ),
        path=raw.path,
        row=numbers[0],
        hint=_("export the report again from the seller centre; every row needs its 订单编号"),
    )


def _check_lost_digits(ids: pd.Series, rows: pd.Series, raw: RawFile) -> None:
    """A spreadsheet that kept 15 significant digits writes ids ending in zeros: refuse those."""
    if len(ids) < 2:
        return
    zeros = ids.str.endswith("0000").to_numpy(dtype=bool)
    if zeros.sum() >= 2 and zeros.mean() > 0.5:
        text, numbers = row_text(rows, zeros)
        raise InputError(
            _(
                "{value} order numbers end in 0000 (rows {text}): a spreadsheet kept "
                "only 15 significant digits and filled the rest with zeros"
            ).format(value=int(zeros.sum()), text=text),
            path=raw.path,
            row=numbers[0],
            hint=_FIX_MANGLED,
        )


def _status(text: str) -> OrderStatus | None:
    """The seller centre's status text (ASCII commas turned full-width) as a canonical one."""
    return STATUSES.get(text.replace(",", "，"))
