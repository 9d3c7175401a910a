"""Parcels from orders: item lines rendered by the courier template, orders merged by recipient."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from batch_ship.columns import arrow_text, constant_text, text_column
from batch_ship.couriers import ITEM_FIELDS, Courier, Expression
from batch_ship.sources import canonical as c

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
    order_ids = text_column(orders, c.ORDER_ID)
    keep_lists = _needs_item_lists(courier)
    texts, quantities, lists = _order_items(orders, items, courier, keep_lists)
    per_order = pd.DataFrame(
        {
            "reference": order_ids,
            "order_ids": order_ids,
            "order_count": "1",
            "items": texts,
            "quantity": quantities,
            "buyer": text_column(orders, c.BUYER),
            "buyer_message": text_column(orders, c.BUYER_MESSAGE),
            "seller_note": text_column(orders, c.SELLER_NOTE),
            "paid_at": text_column(orders, c.PAID_AT),
            "name": text_column(orders, "recipient_name"),
            "phone": text_column(orders, "phone"),
            "phone_kind": text_column(orders, "phone_kind"),
            "province": text_column(orders, "province"),
            "city": text_column(orders, "city"),
            "district": text_column(orders, "district"),
            "detail": text_column(orders, "detail"),
            "postcode": text_column(orders, "postcode"),
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
    fallback_quantity = text_column(orders, c.ITEM_COUNT).str.strip()
    fallback_quantity = fallback_quantity.where(fallback_quantity.str.fullmatch(r"\d+"), "1")
    texts = np.full(n, None, dtype=object)
    quantities = fallback_quantity.to_numpy(dtype=object, copy=True)
    lists: list[list[str]] | None = [[] for _unused in range(n)] if keep_lists else None
    if items is not None and len(items) and n:
        positions = _item_positions(text_column(orders, c.ORDER_ID), items)
        wanted = positions >= 0
        if wanted.any():
            chosen = _item_frame(items.loc[wanted])
            lines = render_item_lines(courier, chosen)
            pos = positions[wanted]
            counts = _whole_numbers(chosen["quantity"])
            totals = np.bincount(pos, weights=counts, minlength=n)
            has_items = np.bincount(pos, minlength=n) > 0
            quantities[has_items] = totals[has_items].astype(np.int64).astype(str)
            _place_lines(texts, pos, lines, courier.item_separator)
            if lists is not None:
                for position, line in zip(pos.tolist(), lines.tolist(), strict=True):
                    lists[position].append(line)
    missing = np.flatnonzero(pd.isna(texts))
    if len(missing):
        _fall_back(texts, lists, missing, orders, fallback_quantity, courier)
    return pd.Series(texts, dtype="str"), pd.Series(quantities, dtype="str"), lists


def _item_positions(order_ids: pd.Series, items: pd.DataFrame) -> np.ndarray:
    """Each item line's order position: Arrow's hash lookup gives the first order with that
    id (first occurrence wins), -1 when the item's order is not being submitted."""
    item_ids = text_column(items, c.ORDER_ID)
    found = pc.index_in(arrow_text(item_ids), value_set=arrow_text(order_ids))
    return np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), dtype=np.int64)


def _item_frame(items: pd.DataFrame) -> pd.DataFrame:
    """Item lines as the item fields a template's [items] format reads."""
    return pd.DataFrame(
        {
            "title": text_column(items, c.ITEM_TITLE),
            "sku": text_column(items, c.ITEM_SKU),
            "properties": text_column(items, c.ITEM_PROPERTIES),
            "quantity": text_column(items, c.ITEM_QUANTITY),
            "price": text_column(items, c.ITEM_PRICE),
        }
    ).reset_index(drop=True)


def _place_lines(texts: np.ndarray, pos: np.ndarray, lines: pd.Series, separator: str) -> None:
    """Each order's rendered lines into `texts`: one line as it is, several joined."""
    repeated = pd.Series(pos).duplicated(keep=False).to_numpy()
    single = ~repeated
    texts[pos[single]] = lines.to_numpy()[single]
    if repeated.any():
        owners, joined = _group_join(pos[repeated], lines.to_numpy()[repeated], separator)
        texts[owners] = joined


def _fall_back(
    texts: np.ndarray,
    lists: list[list[str]] | None,
    missing: np.ndarray,
    orders: pd.DataFrame,
    fallback_quantity: pd.Series,
    courier: Courier,
) -> None:
    """Orders without item lines: one line from the order report's 宝贝标题 and 宝贝总数量
    (none when the title is empty)."""
    fallback = pd.DataFrame(
        {
            "title": text_column(orders, c.TITLES).to_numpy()[missing],
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


def render_item_lines(courier: Courier, items: pd.DataFrame) -> pd.Series:
    """The template's [items] format for each item row; each distinct row renders once."""
    expression = courier.item_format
    if expression is None:
        raise ValueError(f"courier {courier.code} has no item format")
    frame = items.reset_index(drop=True)
    if expression.is_plain:
        return render_plain(expression, {"item": frame}, {}, len(frame))
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
    buyers, uniques = pd.factorize(text_column(per_order, "buyer"))
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
        column_codes, uniques = pd.factorize(text_column(frame, column))
        width = len(uniques) + 1
        if bound * width >= 2**62:
            codes = pd.factorize(codes)[0].astype(np.int64)
            bound = int(codes.max()) + 1 if len(codes) else 1
        codes = codes * width + column_codes
        bound *= width
    return pd.factorize(codes)[0].astype(np.int64)


def _whole_numbers(values: pd.Series) -> np.ndarray:
    """Quantities as int64; anything that is not 1-9 digits counts as 0."""
    text = text_column(values.to_frame("v"), "v").str.strip()
    digits = text.str.fullmatch(r"\d{1,9}").fillna(False).to_numpy(dtype=bool)
    out = np.zeros(len(text), dtype=np.int64)
    if digits.any():
        out[digits] = text[digits].astype("int64").to_numpy()
    return out


def _needs_item_lists(courier: Courier) -> bool:
    return any(not column.value.is_plain for column in courier.columns)


def render_plain(
    expression: Expression,
    scopes: dict[str, pd.DataFrame],
    sender: dict[str, str],
    n: int,
) -> pd.Series:
    """A plain expression (a courier column, an item format) for every row at once: literal
    text and columns, concatenated."""
    assert expression.parts is not None
    result: pd.Series | None = None
    literal = ""
    for kind, value in expression.parts:
        if kind == "text":
            piece: str | pd.Series = value
        elif kind == "sender":
            piece = sender.get(value, "")
        else:
            piece = text_column(scopes[kind], value)
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
