"""The Arrow helpers of the bulk normalizers: rows scattered, merged and computed per value."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from batch_ship.normalize.columnar import TEXT, merge, per_value, scatter, utf8_alternatives


def _text(values: list[str]) -> pa.Array:
    return pa.array(values, TEXT)


def test_scatter_writes_the_given_rows_only() -> None:
    target = _text(["a", "b", "c", "d"])
    assert scatter(target, np.array([1, 3]), _text(["B", "D"])).to_pylist() == ["a", "B", "c", "D"]
    assert scatter(target, np.array([], dtype=np.int64), _text([])).to_pylist() == list("abcd")
    assert scatter(target, np.arange(4), _text(list("wxyz"))).to_pylist() == list("wxyz")


def test_per_value_computes_each_distinct_value_once_and_merge_puts_it_back() -> None:
    values = _text(["x", "y", "x", "z", "x"])
    mask = pa.array([True, False, True, True, True])
    seen: list[str] = []

    def func(value: str) -> tuple[str, str]:
        seen.append(value)
        return value.upper(), value * 2

    slow = per_value(values, mask, func, 2)
    assert sorted(seen) == ["x", "z"]
    merged = merge([values, values], mask, slow)
    assert merged[0].to_pylist() == ["X", "y", "X", "Z", "X"]
    assert merged[1].to_pylist() == ["xx", "y", "xx", "zz", "xx"]
    assert per_value(values, pa.array([False] * 5), func, 2) is None


def test_utf8_alternatives_match_those_characters_in_bytes() -> None:
    chars = "\t\u3000\u00a0"
    texts = ["a\tb", "a\u3000b", "a\u00a0b", "a b", "\u30a0", "\u00e0"]
    found = pc.match_substring_regex(_text(texts).cast(pa.large_binary()), utf8_alternatives(chars))
    assert found.to_pylist() == [True, True, True, False, False, False]
