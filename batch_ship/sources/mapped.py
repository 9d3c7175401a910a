"""The column-mapped reader: any CSV/XLSX order file, through its mapping, -> the OrderTable."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from batch_ship.columns import constant_text
from batch_ship.errors import InputError
from batch_ship.headings import EXCEPTION_HEADERS
from batch_ship.i18n import _
from batch_ship.model import FileProblem
from batch_ship.progress import Progress
from batch_ship.sources import canonical as c
from batch_ship.sources.base import OrderInput
from batch_ship.sources.canonical import OrderTable
from batch_ship.sources.cells import (
    SCIENTIFIC_RE,
    assemble,
    concat_text,
    dates,
    drop_empty_rows,
    money,
    preview,
    row_numbers,
    row_text,
    statuses,
    strip,
    unwrap,
)
from batch_ship.sources.mapping import ColumnMapping
from batch_ship.spreadsheets.read import (
    apply_header,
    clean_header,
    find_header_row,
    load_bytes,
    read_raw,
)

# Order numbers land in workbooks, the ledger and upload files: letters, digits and hyphens.
_ID_RE = r"[0-9A-Za-z][0-9A-Za-z_\-]{0,63}"


def read_mapped(
    mapping: ColumnMapping,
    orders: Sequence[OrderInput],
    items: Sequence[OrderInput],
    progress: Progress,
) -> OrderTable:
    """Read order files through `mapping`; a file with item lines gives one order per order
    number (its first row) and one item per row."""
    if not orders:
        raise InputError(
            _("no order file given"),
            hint=_("name at least one {label} file").format(label=mapping.label),
        )
    if items:
        raise InputError(
            _("the {code} source has no separate item files").format(code=mapping.code),
            hint=_("map the item columns in {name} and drop --items").format(
                name=mapping.path.name
            ),
        )
    item_frames: list[pd.DataFrame] = []

    def read_one(source: OrderInput) -> tuple[pd.DataFrame, pd.DataFrame, list[FileProblem], Path]:
        orders_read, original, problems, path, items_read = _read_file(mapping, source)
        item_frames.append(items_read)
        return orders_read, original, problems, path

    table = assemble(orders, [], read_one, _no_item_files, progress)
    table.items = concat_text(item_frames, [*c.ITEM_COLUMNS])
    return table


def _no_item_files(source: OrderInput) -> tuple[pd.DataFrame, Path]:
    raise AssertionError("a mapped source reads its items from the order file")


def _read_file(
    mapping: ColumnMapping, source: OrderInput
) -> tuple[pd.DataFrame, pd.DataFrame, list[FileProblem], Path, pd.DataFrame]:
    frame, rows, path = _table(mapping, source)
    original = _original(frame, mapping)

    def column(name: str) -> pd.Series:
        return _field(original, mapping.headers_of(name))

    ids = _checked_ids(column(c.ORDER_ID), rows, path)
    problems: list[FileProblem] = []
    orders = pd.DataFrame({name: column(name) for name in c.ORDER_COLUMNS})
    orders[c.ORDER_ID] = ids
    orders[c.RAW_STATUS] = column("status")
    if "status" in mapping.columns:
        orders[c.STATUS] = statuses(
            orders[c.RAW_STATUS], rows, path, problems, mapping.statuses.get
        )
    else:
        orders[c.STATUS] = constant_text(mapping.default_status.value, len(orders))
    orders[c.AMOUNT] = money(orders[c.AMOUNT], rows, path, problems, "amount")
    orders[c.PAID_AT] = dates(orders[c.PAID_AT], rows, path, problems)
    orders[c.ROW] = rows
    orders[c.SOURCE] = constant_text(path.name, len(orders))
    items = pd.DataFrame({name: column(name) for name in c.ITEM_COLUMNS})
    items[c.ORDER_ID] = ids
    items[c.ITEM_PRICE] = money(items[c.ITEM_PRICE], rows, path, [], "price")
    if not mapping.item_lines:
        return orders, original, problems, path, items.iloc[:0]
    # One row per item line: the order is its first row, every row one of its items.
    first = ~ids.duplicated(keep="first").to_numpy(dtype=bool)
    return (
        orders[first].reset_index(drop=True),
        original[first].reset_index(drop=True),
        problems,
        path,
        items,
    )


def _table(mapping: ColumnMapping, source: OrderInput) -> tuple[pd.DataFrame, pd.Series, Path]:
    """The file's rows below the header row the mapping's headers find (cleaned names, empty
    rows dropped), the file row number of each, and the file's path."""
    raw = load_bytes(source)
    grid = read_raw(raw)
    path = raw.path
    del raw
    if len(grid) == 0:
        raise InputError(_("the file has no rows"), path=path, hint=_("export it again"))
    try:
        header_row = find_header_row(grid.head(30), set(mapping.headers))
    except LookupError as error:
        raise InputError(
            _("this file does not fit the {code} mapping ({error})").format(
                code=mapping.code, error=error
            ),
            path=path,
            hint=_("check the headers in {path}, or pass the file's --source").format(
                path=mapping.path
            ),
        ) from None
    frame = apply_header(grid, header_row, path)
    frame.columns = pd.Index([clean_header(name) for name in frame.columns])
    frame = drop_empty_rows(frame)
    rows = row_numbers(frame, header_row)
    return frame.reset_index(drop=True), rows, path


def _original(frame: pd.DataFrame, mapping: ColumnMapping) -> pd.DataFrame:
    """The file's own columns (named, first of a repeated name, not the exceptions workbook's
    two), text markers removed, for the exceptions workbook to write back."""
    names = list(frame.columns)
    keep = [
        name for index, name in enumerate(names)
        if name and name not in EXCEPTION_HEADERS and name not in names[:index]
    ]  # fmt: skip
    phones = {*mapping.columns.get(c.MOBILE, ()), *mapping.columns.get(c.TELEPHONE, ())}
    original = frame.loc[:, ~pd.Index(names).duplicated()][keep].reset_index(drop=True)
    for name in keep:
        original[name] = unwrap(original[name], apostrophe=name in phones)
    return original


def _field(original: pd.DataFrame, headers: tuple[str, ...]) -> pd.Series:
    """One canonical field: its header's cells, or several headers' joined by a space."""
    if not headers:
        return constant_text("", len(original))
    if len(headers) == 1:
        return strip(original[headers[0]])
    parts = [strip(original[header]) for header in headers]
    joined = pd.Series(
        [" ".join(part for part in values if part) for values in zip(*parts, strict=True)],
        dtype=parts[0].dtype,
    )
    return joined


def _checked_ids(ids: pd.Series, rows: pd.Series, path: Path) -> pd.Series:
    """Order numbers: letters, digits and hyphens; an empty or mangled one refuses the file."""
    valid = ids.str.fullmatch(_ID_RE).to_numpy(dtype=bool)
    if valid.all():
        return ids
    bad = ~valid
    scientific = ids.str.fullmatch(SCIENTIFIC_RE).to_numpy(dtype=bool)
    if scientific.any():
        text, numbers = row_text(rows, scientific)
        raise InputError(
            _(
                "{value} order number(s) were turned into numbers by a spreadsheet "
                "(e.g. {value2}) in rows {text}; the lost digits cannot be recovered "
                "and batch-ship never guesses"
            ).format(value=int(scientific.sum()), value2=ids[scientific].iloc[0], text=text),
            path=path,
            row=numbers[0],
            hint=_("export the file again and keep the order-number column as text"),
        )
    text, numbers = row_text(rows, bad)
    shown = ", ".join(preview(str(value)) for value in ids[bad].iloc[:3])
    empty = int((ids[bad] == "").sum())
    what = f"{empty} empty, " if empty else ""
    raise InputError(
        _(
            "{value} order number(s) are not letters, digits and hyphens "
            "({what}rows {text}: {shown})"
        ).format(value=int(bad.sum()), what=what, text=text, shown=shown),
        path=path,
        row=numbers[0],
        hint=_("every row needs its order number; fix those rows and run again"),
    )
