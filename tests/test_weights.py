"""The item weight table: grams per item code, refused with the row and the fix when wrong."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from batch_ship.errors import InputError
from batch_ship.weights import order_weights, read_weights


def table(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "weights.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_the_table_reads_in_both_encodings(tmp_path: Path) -> None:
    text = "商家编码,重量(克)\nSKU-1,350\nSKU-2, 1,200 \n\n"
    assert read_weights(table(tmp_path, text.replace(" 1,200 ", "1200"))) == {
        "SKU-1": 350,
        "SKU-2": 1200,
    }
    assert read_weights(table(tmp_path, "item_code,grams\nA,5\n", "gb18030")) == {"A": 5}


@pytest.mark.parametrize(
    ("text", "words", "row"),
    [
        ("商家编码,重量(克)\nSKU-1,350\nSKU-2,heavy\n", "'heavy' is not a weight", 3),
        ("商家编码,重量(克)\nSKU-1,0.35\n", "'0.35' is not a weight", 2),
        ("商家编码,重量(克)\nSKU-1,350\nSKU-1,400\n", "has two weights (350 and 400 g)", 3),
        ("code,weight\nA,1\n", "names no item code and weight columns", 1),
    ],
)
def test_a_bad_row_is_named_with_the_fix(tmp_path: Path, text: str, words: str, row: int) -> None:
    path = table(tmp_path, text)
    with pytest.raises(InputError) as caught:
        read_weights(path)
    assert words in caught.value.message
    assert caught.value.row == row
    assert caught.value.path == path
    assert caught.value.hint


def test_order_weights_sum_items_times_quantity() -> None:
    orders = pd.Series(["o1", "o2", "o3", "o4"], dtype="str")
    items = pd.DataFrame(
        {
            "order_id": pd.Series(["o1", "o1", "o2", "o4"], dtype="str"),
            "sku": pd.Series(["A", "B", "X", "A"], dtype="str"),
            "quantity": pd.Series(["2", "1", "3", "1"], dtype="str"),
        }
    )
    grams = order_weights(orders, items, {"A": 100, "B": 50}, default_g=500)
    # o2's unknown X counts the default; o3 has no item line: the default
    assert grams.tolist() == [250.0, 1500.0, 500.0, 100.0]
    unknown = order_weights(orders, items, {"A": 100, "B": 50}, default_g=None)
    assert unknown[0] == 250.0
    assert np.isnan(unknown[1])
    assert np.isnan(unknown[2])
