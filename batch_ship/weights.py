"""The item weight table a seller keeps: a CSV of item code (商家编码) -> grams."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from batch_ship.columns import arrow_text
from batch_ship.errors import ConfigError, InputError, missing_file
from batch_ship.i18n import _
from batch_ship.sources import canonical as c

CODE_HEADERS = ("商家编码", "item_code", "sku", "编码", "货号")
GRAMS_HEADERS = ("重量(克)", "重量（克）", "重量", "grams", "weight_g", "克")
MAX_GRAMS = 1_000_000  # 1 t: a larger figure is a typo (kilograms typed as grams twice over)


def read_weights(path: Path) -> dict[str, int]:
    """item code -> grams. A header row naming the two columns (商家编码, 重量(克); or
    item_code, grams), then one row per item code. A weight that is not a whole number of
    grams, or a code given twice with two weights, is an InputError naming the row."""
    if not path.is_file():
        raise missing_file(path)
    rows = list(csv.reader(io.StringIO(_decode(path))))
    if not rows:
        raise InputError(_("the weight table is empty"), path=path, hint=_header_hint())
    header = [cell.strip().lstrip("\ufeff") for cell in rows[0]]
    code_at = _column(header, CODE_HEADERS)
    grams_at = _column(header, GRAMS_HEADERS)
    if code_at is None or grams_at is None:
        raise InputError(
            _("the weight table's header names no item code and weight columns"),
            path=path,
            row=1,
            hint=_header_hint(),
        )
    table: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        cells = [*row, "", ""]
        code, text = cells[code_at].strip(), cells[grams_at].strip()
        if not code and not text:
            continue
        grams = _grams(text)
        if not code or grams is None:
            raise InputError(
                _("row {row}: {value!r} is not a weight in whole grams for item {code!r}").format(
                    row=number, value=text, code=code
                ),
                path=path,
                row=number,
                hint=_("write the weight in grams as digits (e.g. 350), one item code per row"),
            )
        if table.get(code, grams) != grams:
            raise InputError(
                _("row {row}: item {code!r} has two weights ({first} and {second} g)").format(
                    row=number, code=code, first=table[code], second=grams
                ),
                path=path,
                row=number,
                hint=_("keep one row per item code"),
            )
        table[code] = grams
    return table


def _decode(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(
        _("the weight table is neither UTF-8 nor GB18030 text"),
        path=path,
        hint=_("save it as CSV (UTF-8)"),
    )


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    for name in names:
        if name in header:
            return header.index(name)
    return None


def _grams(text: str) -> int | None:
    cleaned = text.replace(",", "")
    if not cleaned.isascii() or not cleaned.isdigit():
        return None
    grams = int(cleaned)
    return grams if 0 < grams <= MAX_GRAMS else None


def _header_hint() -> str:
    return _("the first row names the columns: 商家编码,重量(克) (or item_code,grams)")


def order_weights(
    order_ids: pd.Series,
    items: pd.DataFrame | None,
    table: dict[str, int],
    default_g: int | None,
) -> np.ndarray:
    """Grams per order (float64, NaN where unknown): the sum over its item lines of the
    table's grams (default_g for a code it lacks) times the quantity; an order without item
    lines weighs default_g. Vectorized: one lookup of every item code, one group sum."""
    fallback = np.nan if default_g is None else float(default_g)
    weights = np.full(len(order_ids), fallback, dtype=np.float64)
    if items is None or not len(items) or not len(order_ids):
        return weights
    codes = pc.utf8_trim_whitespace(arrow_text(items[c.ITEM_SKU]))
    known = pa.array(list(table), pa.large_string())
    grams = pa.array(list(table.values()), pa.float64())
    found = pc.take(grams, pc.index_in(codes, value_set=known)).to_numpy(zero_copy_only=False)
    each = np.where(np.isnan(found), fallback, found)
    quantity = pd.to_numeric(items[c.ITEM_QUANTITY], errors="coerce").fillna(1).to_numpy()
    owners = items[c.ORDER_ID].astype("str").to_numpy()
    sums = pd.Series(each * quantity).groupby(owners, sort=False).sum()
    # one item of unknown weight (no default) leaves the whole order's weight unknown
    unknown = pd.Series(np.isnan(each)).groupby(owners, sort=False).any()
    sums[unknown.to_numpy()] = np.nan
    positions = pc.index_in(
        arrow_text(order_ids), value_set=pa.array(sums.index.astype(str), pa.large_string())
    ).to_numpy(zero_copy_only=False)
    has = ~pd.isna(positions)
    picks = positions[has].astype(np.int64)
    weights[has] = sums.to_numpy(dtype=np.float64)[picks]
    return weights


def weight_table(path: Path | None) -> dict[str, int]:
    """The configured table ({} without one); a missing file is the configuration's fault."""
    if path is None:
        return {}
    if not path.is_file():
        raise ConfigError(
            _("[parcel] weights names a file that is not there"),
            path=path,
            hint=_("create it (商家编码,重量(克) per row) or remove the key"),
        )
    return read_weights(path)
