"""Choosing each order's courier by the `[[route]]` rules: one mask per rule, first match wins."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from batch_ship.columns import arrow_text
from batch_ship.route_rules import Route
from batch_ship.sources import canonical as c

PROVINCE = "province"  # the normalized recipient columns routing reads
CITY = "city"


def route_orders(
    routes: Sequence[Route],
    orders: pd.DataFrame,
    items: pd.DataFrame | None,
    default: str,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """The courier code of each row of `orders` (canonical columns plus the normalized
    province and city): the first route whose every condition holds, else `default`.

    Each rule is a handful of Arrow/NumPy operations over the whole column (set lookups,
    prefix tests, comparisons): the cost is per rule, not per order. `weights` (grams per
    order, NaN unknown) is needed only by rules with a weight bound; an unknown weight
    matches no bound."""
    n = len(orders)
    chosen = np.full(n, -1, dtype=np.int64)
    codes = [route.courier for route in routes]
    for index, route in enumerate(routes):
        open_rows = chosen < 0
        if not open_rows.any():
            break
        chosen[open_rows & _matches(route, orders, items, weights)] = index
    couriers = np.array([*codes, default], dtype=object)
    return np.asarray(couriers[np.where(chosen < 0, len(codes), chosen)])


def _matches(
    route: Route, orders: pd.DataFrame, items: pd.DataFrame | None, weights: np.ndarray | None
) -> np.ndarray:
    mask = np.ones(len(orders), dtype=bool)
    if route.provinces:
        mask &= _starts(orders, PROVINCE, route.provinces)
    if route.cities:
        mask &= _starts(orders, CITY, route.cities)
    if route.shops:
        mask &= _isin(_column(orders, c.SHOP), route.shops)
    if route.item_codes:
        mask &= _has_item(orders, items, route.item_codes)
    if route.min_amount is not None or route.max_amount is not None:
        amounts = pd.to_numeric(_column(orders, c.AMOUNT), errors="coerce").to_numpy(float)
        mask &= _within(amounts, route.min_amount, route.max_amount)
    if route.needs_weight:
        grams = weights if weights is not None else np.full(len(orders), np.nan)
        mask &= _within(grams, route.min_weight_g, route.max_weight_g)
    return mask


def _column(orders: pd.DataFrame, name: str) -> pd.Series:
    if name in orders.columns:
        return orders[name]
    return pd.Series([""] * len(orders), dtype="str", index=orders.index)


def _starts(orders: pd.DataFrame, name: str, prefixes: Sequence[str]) -> np.ndarray:
    """Equal to one of the names, or starting with it (新疆 for 新疆维吾尔自治区)."""
    text = arrow_text(_column(orders, name))
    mask = np.zeros(len(orders), dtype=bool)
    for prefix in prefixes:
        mask |= _bools(pc.starts_with(text, prefix))
    return mask


def _isin(values: pd.Series, wanted: Sequence[str]) -> np.ndarray:
    text = pc.utf8_trim_whitespace(arrow_text(values))
    return _bools(pc.is_in(text, value_set=pa.array(list(wanted), pa.large_string())))


def _has_item(orders: pd.DataFrame, items: pd.DataFrame | None, codes: Sequence[str]) -> np.ndarray:
    """Orders with at least one item line whose 商家编码 is one of `codes`."""
    if items is None or not len(items):
        return np.zeros(len(orders), dtype=bool)
    hits = _isin(items[c.ITEM_SKU], codes)
    owners = pa.array(items[c.ORDER_ID].astype("str").to_numpy()[hits], pa.large_string())
    return _bools(pc.is_in(arrow_text(orders[c.ORDER_ID]), value_set=owners))


def _within(values: np.ndarray, low: float | None, high: float | None) -> np.ndarray:
    mask = ~np.isnan(values)
    if low is not None:
        mask &= values >= low
    if high is not None:
        mask &= values <= high
    return np.asarray(mask, dtype=bool)


def _bools(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    filled = pc.fill_null(values, False)
    return np.asarray(filled.to_numpy(zero_copy_only=False), dtype=bool)
