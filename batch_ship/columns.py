"""Column helpers for the vectorized steps: pandas text columns made in or read as Arrow."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa


def arrow_text(values: pd.Series) -> pa.Array:
    """A text column as one Arrow large_string array (no copy for Arrow-backed strings when
    the column is one chunk); missing values stay null."""
    array = pa.array(values.array, type=pa.large_string(), from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        return array.combine_chunks()
    return array


def constant_text(value: str, length: int) -> pd.Series:
    """A text column with `value` in each of `length` rows, made in Arrow: no list of a
    million Python strings on the way."""
    return pd.Series(pa.repeat(pa.scalar(value, pa.large_string()), length), dtype="str")


def text_column(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column as strings ('' for missing or absent): ids never pass through a number."""
    if column not in frame.columns:
        return constant_text("", len(frame)).set_axis(frame.index)
    series = frame[column]
    if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
        return series.fillna("") if series.hasnans else series
    return series.astype("str")
