"""Parcels from orders, courier workbook rows from a template, and the exceptions workbook."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from batch_ship.columns import arrow_text, constant_text
from batch_ship.couriers import (
    ITEM_FIELDS,
    PARCEL_FIELDS,
    RECIPIENT_FIELDS,
    Courier,
    Expression,
)
from batch_ship.reasons import REASONS
from batch_ship.sources import canonical as c
from batch_ship.spreadsheets.write import WorkbookJob, column_widths
from batch_ship.workspace import Sender

EXCEPTION_CODE_HEADER = "异常代码"
EXCEPTION_TEXT_HEADER = "异常说明"
EXCEPTIONS_FILE = "exceptions.xlsx"
EXCEPTIONS_SHEET = "异常订单"
SUBMISSION_SHEET = "批量下单"  # the one sheet of every submission workbook, whatever the courier
ORDER_ID_HEADERS = ("订单编号", "订单号")  # the order report's own name for order_id

# The order columns build_parcels reads; export passes only these (memory at 1M orders).
ORDER_FIELDS = (
    c.ORDER_ID, c.BUYER, c.BUYER_MESSAGE, c.SELLER_NOTE, c.PAID_AT, c.TITLES, c.ITEM_COUNT,
    c.AMOUNT, c.SHOP,
)  # fmt: skip

# Orders merge into one parcel when all of these agree (build_parcels with merge).
MERGE_KEYS = ("buyer", "name", "phone", "province", "city", "district", "detail")


@dataclass(frozen=True)
class Parcels:
    """The parcels of one export, in submission order.

    `table` has one row per parcel: PARCEL_FIELDS and RECIPIENT_FIELDS as string columns
    (what courier expressions read), plus `seq` (1..n). `orders` maps each submitted order_id
    to its parcel's seq, in submission order. `item_lists` holds each parcel's rendered item
    lines when a template needs `items` as a list (else None).
    """

    table: pd.DataFrame
    orders: pd.DataFrame
    item_lists: list[list[str]] | None = None

    def __len__(self) -> int:
        return len(self.table)


@dataclass(frozen=True)
class SubmissionFile:
    """One workbook of the submission: its name, rows (headers as columns) and parcel seqs."""

    name: str
    rows: pd.DataFrame
    seqs: np.ndarray


def build_parcels(
    orders: pd.DataFrame,
    items: pd.DataFrame | None,
    courier: Courier,
    *,
    merge: bool = True,
) -> Parcels:
    """Group orders into parcels (same buyer, name, phone and address when `merge`).

    `orders` holds the canonical order columns and the recipient columns normalize_recipients
    adds, one row per order to submit, in submission order. `items` is the item report
    (canonical item columns) or None; an order without item lines falls back to the order
    report's 宝贝标题 and 宝贝总数量.
    """
    orders = orders.reset_index(drop=True)
    n = len(orders)
    order_ids = _text(orders, c.ORDER_ID)
    keep_lists = _needs_item_lists(courier)
    texts, quantities, lists = _order_items(orders, items, courier, keep_lists)
    per_order = pd.DataFrame(
        {
            "reference": order_ids,
            "order_ids": order_ids,
            "order_count": "1",
            "items": texts,
            "quantity": quantities,
            "buyer": _text(orders, c.BUYER),
            "buyer_message": _text(orders, c.BUYER_MESSAGE),
            "seller_note": _text(orders, c.SELLER_NOTE),
            "paid_at": _text(orders, c.PAID_AT),
            "name": _text(orders, "recipient_name"),
            "phone": _text(orders, "phone"),
            "phone_kind": _text(orders, "phone_kind"),
            "province": _text(orders, "province"),
            "city": _text(orders, "city"),
            "district": _text(orders, "district"),
            "detail": _text(orders, "detail"),
            "postcode": _text(orders, "postcode"),
        },
        index=pd.RangeIndex(n),
    )
    codes = _parcel_codes(per_order) if merge and n else np.arange(n, dtype=np.int64)
    table, item_lists = _merge(per_order, codes, courier.item_separator, lists)
    table.insert(0, "seq", np.arange(1, len(table) + 1))
    # what parcel_content.py fills from [parcel]; until then: the order ids, nothing else
    table["note"] = table["order_ids"]
    for name in ("weight_g", "weight_kg", "declared_value", "cod_amount"):
        table[name] = pd.Series([""] * len(table), dtype="str", index=table.index)
    # submission order: by parcel, and within a parcel in file order
    mapping = pd.DataFrame({"order_id": order_ids, "seq": codes + 1})
    mapping = mapping.iloc[np.argsort(codes, kind="stable")].reset_index(drop=True)
    return Parcels(table=table, orders=mapping, item_lists=item_lists)


def _merge(
    per_order: pd.DataFrame,
    codes: np.ndarray,
    separator: str,
    lists: list[list[str]] | None,
) -> tuple[pd.DataFrame, list[list[str]] | None]:
    """One row per parcel: the first order's fields, with the group's ids, items and sum."""
    if len(per_order) == 0:
        return per_order.copy(), [] if lists is not None else None
    sizes = np.bincount(codes)
    # factorize numbers groups in order of first appearance, so first rows come out in order
    first = ~pd.Series(codes).duplicated().to_numpy()
    table = per_order.loc[first].reset_index(drop=True)
    item_lists = [lists[i] for i in np.flatnonzero(first)] if lists is not None else None
    multi = sizes[codes] > 1
    if not multi.any():
        return table, item_lists
    group = codes[multi]
    sub = per_order.loc[multi]
    targets = np.flatnonzero(sizes > 1)
    owners, order_ids = _group_join(group, sub["order_ids"], ",")
    table.loc[owners, "order_ids"] = order_ids
    owners, item_text = _group_join(group, sub["items"], separator)
    table.loc[targets, "items"] = ""
    table.loc[owners, "items"] = item_text
    quantity = pd.Series(_whole_numbers(sub["quantity"])).groupby(group).sum()
    table.loc[targets, "quantity"] = quantity.astype("int64").astype(str).to_numpy()
    table.loc[targets, "order_count"] = sizes[targets].astype(str)
    if item_lists is not None and lists is not None:
        merged: dict[int, list[str]] = {}
        for position in np.flatnonzero(multi):
            merged.setdefault(int(codes[position]), []).extend(lists[position])
        for target in targets:
            item_lists[target] = merged[int(target)]
    return table, item_lists


def _group_join(
    groups: np.ndarray, values: np.ndarray | pd.Series, separator: str
) -> tuple[np.ndarray, np.ndarray]:
    """Join the non-empty values of each group, in their original order; groups ascending.

    One stable sort, then Arrow joins each group's slice in C (a Python join per group costs
    seconds at a million orders). Groups whose values are all empty are left out."""
    text = pa.array(np.asarray(values, dtype=object), type=pa.large_string(), from_pandas=True)
    keep = pc.fill_null(pc.not_equal(text, ""), False).to_numpy(zero_copy_only=False)
    groups = groups[keep]
    order = np.argsort(groups, kind="stable")
    ordered_groups = groups[order]
    ordered = text.filter(pa.array(keep)).take(pa.array(order))
    starts = np.flatnonzero(np.r_[True, ordered_groups[1:] != ordered_groups[:-1]])
    if len(ordered_groups) == 0:
        return ordered_groups, np.array([], dtype=object)
    offsets = pa.array(np.r_[starts, len(ordered_groups)].astype(np.int64), type=pa.int64())
    lists = pa.LargeListArray.from_arrays(offsets, ordered)
    joined = pc.binary_join(lists, pa.scalar(separator, pa.large_string()))
    joined = joined.to_numpy(zero_copy_only=False)
    return ordered_groups[starts], joined


def _order_items(
    orders: pd.DataFrame, items: pd.DataFrame | None, courier: Courier, keep_lists: bool
) -> tuple[pd.Series, pd.Series, list[list[str]] | None]:
    """Per order: its rendered item lines joined by the template's separator, its total
    quantity (digits), and the lines as lists when a template reads `items`."""
    n = len(orders)
    order_ids = _text(orders, c.ORDER_ID)
    fallback_quantity = _text(orders, c.ITEM_COUNT).str.strip()
    fallback_quantity = fallback_quantity.where(fallback_quantity.str.fullmatch(r"\d+"), "1")
    texts = np.full(n, None, dtype=object)
    quantities = fallback_quantity.to_numpy(dtype=object, copy=True)
    lists: list[list[str]] | None = [[] for _unused in range(n)] if keep_lists else None
    if items is not None and len(items) and n:
        item_ids = _text(items, c.ORDER_ID)
        # Each item line's order position: Arrow's hash lookup gives the first order with that
        # id (first occurrence wins), -1 when the item's order is not being submitted.
        found = pc.index_in(arrow_text(item_ids), value_set=arrow_text(order_ids))
        positions = np.asarray(
            pc.fill_null(found, -1).to_numpy(zero_copy_only=False), dtype=np.int64
        )
        wanted = positions >= 0
        if wanted.any():
            chosen = items.loc[wanted]
            frame = pd.DataFrame(
                {
                    "title": _text(chosen, c.ITEM_TITLE),
                    "sku": _text(chosen, c.ITEM_SKU),
                    "properties": _text(chosen, c.ITEM_PROPERTIES),
                    "quantity": _text(chosen, c.ITEM_QUANTITY),
                    "price": _text(chosen, c.ITEM_PRICE),
                }
            ).reset_index(drop=True)
            lines = render_item_lines(courier, frame)
            pos = positions[wanted]
            counts = _whole_numbers(frame["quantity"])
            totals = np.bincount(pos, weights=counts, minlength=n)
            has_items = np.bincount(pos, minlength=n) > 0
            quantities[has_items] = totals[has_items].astype(np.int64).astype(str)
            repeated = pd.Series(pos).duplicated(keep=False).to_numpy()
            single = ~repeated
            texts[pos[single]] = lines.to_numpy()[single]
            if repeated.any():
                owners, joined = _group_join(
                    pos[repeated], lines.to_numpy()[repeated], courier.item_separator
                )
                texts[owners] = joined
            if lists is not None:
                for position, line in zip(pos.tolist(), lines.tolist(), strict=True):
                    lists[position].append(line)
    missing = np.flatnonzero(pd.isna(texts))
    if len(missing):
        fallback = pd.DataFrame(
            {
                "title": _text(orders, c.TITLES).to_numpy()[missing],
                "sku": "",
                "properties": "",
                "quantity": fallback_quantity.to_numpy()[missing],
                "price": "",
            }
        )
        rendered = render_item_lines(courier, fallback).to_numpy()
        titles_present = fallback["title"].to_numpy() != ""
        texts[missing] = np.where(titles_present, rendered, "")
        if lists is not None:
            for position, line, present in zip(missing, rendered, titles_present, strict=True):
                lists[position] = [line] if present else []
    return pd.Series(texts, dtype="str"), pd.Series(quantities, dtype="str"), lists


def render_item_lines(courier: Courier, items: pd.DataFrame) -> pd.Series:
    """The template's [items] format for each item row; each distinct row renders once."""
    expression = courier.item_format
    if expression is None:
        raise ValueError(f"courier {courier.code} has no item format")
    frame = items.reset_index(drop=True)
    if expression.is_plain:
        return _concat(expression, {"item": frame}, {}, len(frame))
    fields = [name for name in _item_fields_read(expression) if name in frame.columns]
    codes = _row_codes(frame, tuple(fields))
    first = np.flatnonzero(~pd.Series(codes).duplicated().to_numpy())
    records = frame.iloc[first][fields].to_dict("records")
    rendered = expression.render_all([{"item": record} for record in records])
    return pd.Series(np.asarray(rendered, dtype=object)[codes], dtype=object)


def _item_fields_read(expression: Expression) -> tuple[str, ...]:
    """The item fields an expression reads as `item.<field>`; all of them when it uses
    `item` any other way (then two lines differing in any field must render apart)."""
    source = expression.source
    named = set(re.findall(r"\bitem\.([a-z_]+)\b", source))
    if re.sub(r"\bitem\.[a-z_]+\b", "", source).count("item") or not named <= set(ITEM_FIELDS):
        return ITEM_FIELDS
    return tuple(name for name in ITEM_FIELDS if name in named)


def _parcel_codes(per_order: pd.DataFrame) -> np.ndarray:
    """A parcel number per order (0, 1, ... in order of first appearance): orders share a
    parcel when all MERGE_KEYS agree. Only orders of a buyer with several orders can share
    one, so the other keys are compared among those alone (most buyers order once a day)."""
    buyers, uniques = pd.factorize(_text(per_order, "buyer"))
    shared = np.bincount(buyers, minlength=len(uniques))[buyers] > 1
    keys = buyers.astype(np.int64)
    if shared.any():
        candidates = per_order.loc[shared, list(MERGE_KEYS)]
        keys[shared] = len(uniques) + _row_codes(candidates, MERGE_KEYS)
    return pd.factorize(keys)[0].astype(np.int64)


def _row_codes(frame: pd.DataFrame, columns: tuple[str, ...]) -> np.ndarray:
    """A group number per row (0, 1, ... in order of first appearance) for equal values in
    all `columns`: factorize each column and fold the integer codes, re-numbering only when
    the combined range could overflow int64 (no string concatenation)."""
    codes = np.zeros(len(frame), dtype=np.int64)
    bound = 1  # codes are in range(bound)
    for column in columns:
        column_codes, uniques = pd.factorize(_text(frame, column))
        width = len(uniques) + 1
        if bound * width >= 2**62:
            codes = pd.factorize(codes)[0].astype(np.int64)
            bound = int(codes.max()) + 1 if len(codes) else 1
        codes = codes * width + column_codes
        bound *= width
    return pd.factorize(codes)[0].astype(np.int64)


def _whole_numbers(values: pd.Series) -> np.ndarray:
    """Quantities as int64; anything that is not 1-9 digits counts as 0."""
    text = _text(values.to_frame("v"), "v").str.strip()
    digits = text.str.fullmatch(r"\d{1,9}").fillna(False).to_numpy(dtype=bool)
    out = np.zeros(len(text), dtype=np.int64)
    if digits.any():
        out[digits] = text[digits].astype("int64").to_numpy()
    return out


def render_rows(courier: Courier, parcels: Parcels, sender: Sender) -> pd.DataFrame:
    """The courier workbook's rows: one per parcel, one column per template column.

    Plain columns (literal text and field references) are whole-column string operations;
    other expressions render once per row in the sandbox, with `items` as a list.
    """
    table = parcels.table.reset_index(drop=True)
    if "address" not in table.columns and _uses_address(courier):
        table = table.assign(
            address=table["province"] + table["city"] + table["district"] + table["detail"]
        )
    n = len(table)
    scopes = {"parcel": table, "recipient": _recipient_view(table)}
    sender_values = {name: str(getattr(sender, name)) for name in Sender.__dataclass_fields__}
    out: dict[str, pd.Series] = {}
    contexts: list[dict[str, Any]] | None = None
    for column in courier.columns:
        expression = column.value
        if expression.is_plain:
            out[column.header] = _concat(expression, scopes, sender_values, n)
            continue
        if contexts is None:
            contexts = _contexts(table, parcels.item_lists, sender_values)
        out[column.header] = pd.Series(expression.render_all(contexts), dtype="str")
    return pd.DataFrame(out, columns=list(courier.headers))


def split_files(courier: Courier, rows: pd.DataFrame, seqs: np.ndarray) -> list[SubmissionFile]:
    """`submission-<code>.xlsx`, or `submission-<code>-<part>.xlsx` when over the row limit."""
    limit = courier.rows_per_file
    parts = -(-len(rows) // limit)  # no parcels: no submission file
    files = []
    for part in range(parts):
        chunk = slice(part * limit, (part + 1) * limit)
        suffix = f"-{part + 1}" if parts > 1 else ""
        files.append(
            SubmissionFile(
                name=f"submission-{courier.code}{suffix}.xlsx",
                rows=rows.iloc[chunk].reset_index(drop=True),
                seqs=seqs[chunk],
            )
        )
    return files


def submission_jobs(
    folder: Path, courier: Courier, files: Sequence[SubmissionFile]
) -> list[WorkbookJob]:
    """The submission workbooks to write: every cell text, ids and phones with number
    format @, and the same column widths in every part."""
    widths = {column.header: column.width for column in courier.columns if column.width}
    if files:  # size the other columns once, from the first file, for every part alike
        widths = {**column_widths(files[0].rows), **widths}
    texts = tuple(column.header for column in courier.columns if column.text)
    return [
        WorkbookJob(folder / entry.name, {SUBMISSION_SHEET: entry.rows}, texts, widths)
        for entry in files
    ]


def ledger_parcels(parcels: Parcels, files: Sequence[SubmissionFile]) -> pd.DataFrame:
    """NewBatch.parcels: seq, file, file_row, reference, name, phone, province, order_ids."""
    file_names = (
        np.concatenate([np.full(len(entry.seqs), entry.name, dtype=object) for entry in files])
        if files
        else np.array([], dtype=object)
    )
    file_rows = (
        np.concatenate([np.arange(2, len(entry.seqs) + 2) for entry in files])
        if files
        else np.array([], dtype=np.int64)
    )
    table = parcels.table.reset_index(drop=True)
    # The text columns stay Arrow strings: no million Python str objects for the ledger call.
    return pd.DataFrame(
        {
            "seq": table["seq"],
            "file": pd.Series(file_names, dtype="str"),
            "file_row": file_rows,
            "reference": table["reference"],
            "name": table["name"],
            "phone": table["phone"],
            "province": table["province"],
            "order_ids": table["order_ids"],
        }
    )


def exception_rows(original: pd.DataFrame, order_ids: pd.Series, codes: pd.Series) -> pd.DataFrame:
    """The exceptions workbook's rows: 异常代码 and 异常说明 first (what the person fixing
    the row reads first), then the order report's own columns, the order id as plain digits
    (so the file can be fed back to export)."""
    frame = original.reset_index(drop=True).copy()
    # A re-fed exceptions workbook already has the two columns: replace, never duplicate.
    frame = frame.drop(
        columns=[col for col in frame.columns if str(col).strip() in _EXCEPTION_HEADERS]
    )
    ids = order_ids.reset_index(drop=True).astype(str)
    id_column = next((col for col in frame.columns if _is_order_id_header(col)), None)
    if id_column is None:
        frame.insert(0, ORDER_ID_HEADERS[0], ids)
    else:
        frame[id_column] = ids
    code_text = codes.reset_index(drop=True).astype(str)
    frame.insert(0, EXCEPTION_CODE_HEADER, code_text)
    frame.insert(1, EXCEPTION_TEXT_HEADER, code_text.map(_describe_cached(code_text.unique())))
    return frame


def exceptions_job(path: Path, rows: pd.DataFrame) -> WorkbookJob:
    """exceptions.xlsx: every cell a string and every column formatted `@` (a person edits this
    file and feeds it back: typed ids and phones must stay text too); 异常代码 and 异常说明
    stay in sight (frozen) while the person scrolls to the columns to fix."""
    return WorkbookJob(path, {EXCEPTIONS_SHEET: rows}, frozen_columns=len(_EXCEPTION_HEADERS))


def describe_codes(codes: str) -> str:
    """异常说明 for a comma-joined code list: one message per code, '; '-joined."""
    parts = [code for code in codes.split(",") if code]
    return "; ".join(REASONS[code].message if code in REASONS else code for code in parts)


_EXCEPTION_HEADERS = (EXCEPTION_CODE_HEADER, EXCEPTION_TEXT_HEADER)


def _describe_cached(unique_codes: Any) -> dict[str, str]:
    return {str(codes): describe_codes(str(codes)) for codes in unique_codes}


def _is_order_id_header(header: object) -> bool:
    cleaned = str(header).strip().strip("=\"' ")
    return cleaned in ORDER_ID_HEADERS


def _uses_address(courier: Courier) -> bool:
    return any(
        column.value.parts is None or ("recipient", "address") in column.value.parts
        for column in courier.columns
    )


def _needs_item_lists(courier: Courier) -> bool:
    return any(not column.value.is_plain for column in courier.columns)


def _recipient_view(table: pd.DataFrame) -> pd.DataFrame:
    return table[[name for name in RECIPIENT_FIELDS if name in table.columns]]


def _contexts(
    table: pd.DataFrame, item_lists: list[list[str]] | None, sender: dict[str, str]
) -> list[dict[str, Any]]:
    parcels = table[list(PARCEL_FIELDS)].to_dict("records")
    recipients = table[list(RECIPIENT_FIELDS)].to_dict("records")
    lists = item_lists if item_lists is not None else [[] for _unused in range(len(table))]
    return [
        {"parcel": parcel, "recipient": recipient, "sender": sender, "items": items}
        for parcel, recipient, items in zip(parcels, recipients, lists, strict=True)
    ]


def _concat(
    expression: Expression,
    scopes: dict[str, pd.DataFrame],
    sender: dict[str, str],
    n: int,
) -> pd.Series:
    """A plain expression for every row at once: literal text and columns, concatenated."""
    assert expression.parts is not None
    result: pd.Series | None = None
    literal = ""
    for kind, value in expression.parts:
        if kind == "text":
            piece: str | pd.Series = value
        elif kind == "sender":
            piece = sender.get(value, "")
        else:
            piece = _text(scopes[kind], value)
        if isinstance(piece, str):
            if result is None:
                literal += piece
            else:
                result = result + piece
        elif result is None:
            result = (literal + piece) if literal else piece
        else:
            result = result + piece
    if result is None:
        return constant_text(literal, n)
    return result.reset_index(drop=True)


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column as strings ('' for missing or absent): ids never pass through a number."""
    if column not in frame.columns:
        return constant_text("", len(frame)).set_axis(frame.index)
    series = frame[column]
    if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
        return series.fillna("") if series.hasnans else series
    return series.astype("str")
