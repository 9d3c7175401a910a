"""Column helpers for the vectorized steps: pandas text columns as Arrow arrays."""

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
