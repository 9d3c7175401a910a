"""Header rows: found among title rows, with synonyms; header cells cleaned."""

from __future__ import annotations

import pandas as pd
import pytest

from batch_ship.errors import InputError
from batch_ship.spreadsheets.headers import (
    apply_header,
    clean_header,
    find_header_row,
    unique_names,
)


def test_find_header_row_with_synonyms_and_failure() -> None:
    grid = pd.DataFrame([["回单", ""], [" 运单号 ", '="订单号"'], ["1", "2"]], dtype="str")
    synonyms = {"运单号": "tracking", "订单号": "reference", "订单编号": "reference"}
    assert find_header_row(grid, {"tracking", "reference"}, synonyms) == 1
    with pytest.raises(LookupError, match="weight"):
        find_header_row(grid, {"tracking", "weight"}, synonyms)


def test_clean_header() -> None:
    assert clean_header(' ="订单编号" ') == "订单编号"
    assert clean_header("收货地址 ") == "收货地址"
    assert clean_header("\ufeff订单编号") == "订单编号"


def test_apply_header_names_repeats_and_refuses_a_row_past_the_end() -> None:
    grid = pd.DataFrame([["标题", "", ""], ["a", "b", "a"], ["1", "2", "3"]], dtype="str")
    body = apply_header(grid, 1)
    assert list(body.columns) == ["a", "b", "a.1"]
    assert body.values.tolist() == [["1", "2", "3"]]
    assert unique_names(["x", "x", "x", ""]) == ["x", "x.1", "x.2", ""]
    with pytest.raises(InputError, match="no header at row 4: the sheet has 3 rows"):
        apply_header(grid, 3)
