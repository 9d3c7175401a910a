"""Arrow text columns for the bulk normalizers: constants, per-value fallbacks, row scatter."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

TEXT = pa.large_string()
EMPTY = pa.scalar("", TEXT)


def const(value: str, size: int) -> pa.Array:
    return pa.array([value], TEXT).take(pa.array(np.zeros(size, dtype=np.int32)))


def match(values: pa.Array, pattern: str) -> pa.Array:
    return pc.match_substring_regex(values, pattern)


def flags(mask: pa.Array) -> np.ndarray[Any, Any]:
    """A boolean Arrow array as a NumPy one."""
    return np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool)


def utf8_alternatives(chars: Iterable[str]) -> bytes:
    """An RE2 alternation matching any of `chars` in UTF-8 bytes (for a large_binary column:
    byte patterns are several times faster than Unicode classes)."""
    return b"|".join(b"".join(b"\\x%02x" % byte for byte in char.encode()) for char in chars)


def text_column(orders: pd.DataFrame, name: str) -> pa.Array:
    """A canonical column as an Arrow large_string array, missing values as ''."""
    if name not in orders.columns:
        return const("", len(orders))
    series = orders[name]
    if not (isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow"):
        # The canonical table is text already; anything else (object, numbers) is made text
        # here, so a stray number is judged like any other phone or address string.
        series = series.astype("str")
    array = pa.array(series.array)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return pc.fill_null(array.cast(TEXT), EMPTY)


def per_value(
    values: pa.Array, mask: pa.Array, func: Callable[[str], tuple[str | None, ...]], width: int
) -> list[pa.Array] | None:
    """`func` over the distinct masked values (each computed once), spread back to their rows."""
    subset = values.filter(mask)
    if len(subset) == 0:
        return None
    encoded = pc.dictionary_encode(subset)
    results = [func(value) for value in encoded.dictionary.to_pylist()]
    return [
        pa.array([result[field] for result in results], TEXT).take(encoded.indices)
        for field in range(width)
    ]


def merge(fast: list[pa.Array], mask: pa.Array, slow: list[pa.Array] | None) -> list[pa.Array]:
    """`fast` with the masked rows replaced by `slow` (given for those rows, in order)."""
    if slow is None:
        return fast
    positions = np.flatnonzero(flags(mask))
    return [scatter(f, positions, s) for f, s in zip(fast, slow, strict=True)]


def scatter(target: pa.Array, index: np.ndarray[Any, Any], values: pa.Array) -> pa.Array:
    """`target` with `values` written at the row positions `index` (ascending).

    One take over both arrays: several times faster than replace_with_mask on strings.
    """
    if len(index) == len(target):
        return values
    if len(index) == 0:
        return target
    order = np.arange(len(target), dtype=np.int64)
    order[index] = len(target) + np.arange(len(index), dtype=np.int64)
    return pa.concat_arrays([target, values]).take(pa.array(order))
