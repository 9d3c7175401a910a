"""Tests for batch_ship.columns."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from batch_ship.columns import arrow_text, constant_text


def test_arrow_text_keeps_values_and_nulls() -> None:
    array = arrow_text(pd.Series(["4012500000000000001", "", None], dtype="str"))
    assert isinstance(array, pa.LargeStringArray)
    assert array.to_pylist() == ["4012500000000000001", "", None]


def test_arrow_text_from_object_and_chunked_columns() -> None:
    assert arrow_text(pd.Series(["a", "b"], dtype=object)).to_pylist() == ["a", "b"]
    chunked = pd.concat([pd.Series(["a"], dtype="str"), pd.Series(["b"], dtype="str")])
    array = arrow_text(chunked)
    assert isinstance(array, pa.LargeStringArray)
    assert array.to_pylist() == ["a", "b"]


def test_constant_text_is_a_text_column_of_one_value() -> None:
    column = constant_text("订单.csv", 3)
    assert column.tolist() == ["订单.csv"] * 3
    assert str(column.dtype) == "str"
    assert constant_text("", 0).empty
