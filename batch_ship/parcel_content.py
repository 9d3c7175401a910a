"""What a parcel carries besides its items: the note (备注), weight, insured value and COD."""

# Courier columns read these as parcel.note, parcel.weight_g, parcel.weight_kg,
# parcel.declared_value and parcel.cod_amount (couriers.py PARCEL_FIELDS). Everything is
# computed per order in columns, then summed or joined per parcel by its seq: no Python loop
# per order. Cells are written as text (never formulas); notes also lose line breaks and tabs.

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from batch_ship.columns import arrow_text
from batch_ship.parcels import Parcels
from batch_ship.sources import canonical as c
from batch_ship.weights import order_weights, weight_table
from batch_ship.workspace import ParcelSettings

CONTENT_FIELDS = ("note", "weight_g", "weight_kg", "declared_value", "cod_amount")
_NOTE_SOURCES = {"seller_note": c.SELLER_NOTE, "buyer_message": c.BUYER_MESSAGE}
_CUT = "…"


def order_weight_grams(
    orders: pd.DataFrame,
    items: pd.DataFrame | None,
    settings: ParcelSettings,
    table: dict[str, int] | None = None,
) -> np.ndarray:
    """Grams per order (NaN: unknown) from the weight table (read from the configured file
    when not given) and default."""
    table = weight_table(settings.weights) if table is None else table
    if not table and settings.default_weight_g is None:
        return np.full(len(orders), np.nan)
    return order_weights(orders[c.ORDER_ID], items, table, settings.default_weight_g)


def add_parcel_content(
    parcels: Parcels,
    orders: pd.DataFrame,
    items: pd.DataFrame | None,
    settings: ParcelSettings,
    weights: np.ndarray | None = None,
) -> Parcels:
    """`parcels` with CONTENT_FIELDS added to its table. `orders` are the submitted orders
    (canonical columns) and `weights` their grams when already known (routing read them)."""
    table = parcels.table
    seqs = table["seq"].to_numpy(dtype=np.int64)
    mapping = parcels.orders
    ids = orders[c.ORDER_ID].astype("str")
    # each submitted order's parcel, in the orders' row order
    where = pd.Series(mapping["seq"].to_numpy(), index=mapping["order_id"].astype("str"))
    order_seq = where.reindex(ids.to_numpy()).to_numpy(dtype=np.int64)
    position = np.searchsorted(seqs, order_seq)
    n = len(table)
    if weights is None:
        weights = order_weight_grams(orders, items, settings)
    grams = _sum_by(position, weights, n, nan_wins=True)
    amounts = np.full(n, np.nan)
    if settings.cod or settings.insure_above is not None:  # only these show what was paid
        amounts = _sum_by(position, _amounts(orders), n, nan_wins=False)
    extra = {
        "note": _notes(table, orders, position, n, settings),
        "weight_g": _format(grams, "{:.0f}"),
        "weight_kg": _format(grams / 1000.0, "{:.3f}", strip=True),
        "declared_value": _format(
            np.where(_insured(amounts, settings.insure_above), amounts, np.nan), "{:.2f}"
        ),
        "cod_amount": _format(amounts if settings.cod else np.full(n, np.nan), "{:.2f}"),
    }
    for name, values in extra.items():
        table[name] = pd.Series(values, dtype="str", index=table.index)
    return Parcels(table=table, orders=parcels.orders, item_lists=parcels.item_lists)


def _insured(amounts: np.ndarray, threshold: int | None) -> np.ndarray:
    if threshold is None:
        return np.zeros(len(amounts), dtype=bool)
    return np.asarray(amounts > threshold, dtype=bool)


def _amounts(orders: pd.DataFrame) -> np.ndarray:
    if c.AMOUNT not in orders.columns:
        return np.full(len(orders), np.nan)
    return pd.to_numeric(orders[c.AMOUNT], errors="coerce").to_numpy(dtype=np.float64)


def _sum_by(position: np.ndarray, values: np.ndarray, n: int, *, nan_wins: bool) -> np.ndarray:
    """Per parcel, the sum of its orders' values: NaN when none is known, or (nan_wins) when
    any one is unknown."""
    known = ~np.isnan(values)
    sums = np.bincount(position[known], weights=values[known], minlength=n).astype(np.float64)
    counted = np.bincount(position[known], minlength=n)
    total = np.bincount(position, minlength=n)
    missing = counted < total if nan_wins else counted == 0
    sums[missing] = np.nan
    return sums


def _format(values: np.ndarray, pattern: str, *, strip: bool = False) -> pa.Array:
    if np.isnan(values).all():  # the usual day: no weight table, insurance or COD configured
        return pa.repeat(_large(""), len(values))
    texts = ["" if np.isnan(value) else pattern.format(value) for value in values.tolist()]
    if strip:
        texts = [text.rstrip("0").rstrip(".") if "." in text else text for text in texts]
    return pa.array(texts, pa.large_string())


def _notes(
    table: pd.DataFrame,
    orders: pd.DataFrame,
    position: np.ndarray,
    n: int,
    settings: ParcelSettings,
) -> pa.Array:
    """The configured parts, each joined over the parcel's orders, cut to note_max."""
    parts: list[pa.Array] = []
    for part in settings.note:
        if part == "order_ids":
            parts.append(arrow_text(table["order_ids"]))
        elif _NOTE_SOURCES[part] in orders.columns:
            parts.append(_joined(arrow_text(orders[_NOTE_SOURCES[part]]), position, n))
    if not parts:
        return pa.array([""] * n, pa.large_string())
    cleaned = [
        pc.utf8_trim_whitespace(pc.replace_substring_regex(part, r"[\t\r\n]+", " "))
        for part in parts
    ]
    empty, space = _large(""), _large(" ")
    note = cleaned[0]
    for part in cleaned[1:]:
        glue = pc.if_else(pc.or_(pc.equal(note, empty), pc.equal(part, empty)), empty, space)
        note = pc.binary_join_element_wise(note, glue, part, empty)
    limit = settings.note_max
    long = pc.greater(pc.utf8_length(note), limit)
    head = pc.utf8_slice_codeunits(note, 0, limit - 1)
    cut = pc.binary_join_element_wise(head, _large(_CUT), empty)
    return pc.if_else(long, cut, note)


def _large(text: str) -> pa.Scalar:
    return pa.scalar(text, pa.large_string())


def _joined(values: pa.Array, position: np.ndarray, n: int) -> pa.Array:
    """Per parcel, its orders' non-empty values joined with '; ', in order."""
    text = pc.utf8_trim_whitespace(pc.fill_null(values, ""))
    keep = pc.not_equal(text, "").to_numpy(zero_copy_only=False)
    owners = position[keep]
    order = np.argsort(owners, kind="stable")
    kept = text.filter(pa.array(keep)).take(pa.array(order))
    counts = np.bincount(owners, minlength=n)
    offsets = pa.array(np.r_[0, np.cumsum(counts)].astype(np.int64), pa.int64())
    lists = pa.LargeListArray.from_arrays(offsets, kept.cast(pa.large_string()))
    return pc.binary_join(lists, _large("; "))
