"""Reading courier returns: the header row below title rows, and which column is which."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from batch_ship.errors import InputError
from batch_ship.sources.file_kinds import header_key
from batch_ship.tracking import find_return_columns
from tests.tracking_rows import ID_A


def test_header_key_ignores_breaks_quotes_and_notes() -> None:
    assert header_key(" 运单\n号 ") == "运单号"
    assert header_key("'订单编号") == "订单编号"
    assert header_key("*运单号(必填)") == "运单号"
    assert header_key("Tracking Number") == "trackingnumber"


def test_find_columns_below_title_rows() -> None:
    grid = pd.DataFrame(
        [
            ["中通快递 运单回传 2026-11-26", "", "", ""],
            ["", "", "", ""],
            ["序号", "客户\n订单号", "收件人", "'运单号码"],
            ["1", ID_A, "张三", "773012345678"],
        ]
    )
    columns = find_return_columns(grid, Path("r.xlsx"))
    assert (columns.header_row, columns.reference, columns.tracking) == (2, 1, 3)
    assert columns.name == 2
    assert columns.phone is None


def test_courier_reference_header_comes_first() -> None:
    grid = pd.DataFrame([["订单号", "备注", "运单号"], ["x", ID_A, "773012345678"]])
    assert find_return_columns(grid, Path("r.csv"), ["备注"]).reference == 1
    assert find_return_columns(grid, Path("r.csv")).reference == 0


def test_other_couriers_reference_names_come_last() -> None:
    grid = pd.DataFrame([["备注", "订单编号", "运单号"], ["x", ID_A, "773012345678"]])
    assert find_return_columns(grid, Path("r.csv"), (), ["备注"]).reference == 1
    only_sto = pd.DataFrame([["备注", "运单号"], [ID_A, "773012345678"]])
    assert find_return_columns(only_sto, Path("r.csv"), (), ["备注"]).reference == 0


def test_order_number_is_not_a_tracking_number() -> None:
    # 订单号 ends in 单号 but is never the tracking column
    grid = pd.DataFrame([["订单号", "单号"], [ID_A, "773012345678"]])
    columns = find_return_columns(grid, Path("r.csv"))
    assert (columns.reference, columns.tracking) == (0, 1)


def test_missing_columns_are_input_errors() -> None:
    with pytest.raises(InputError, match="no tracking-number column") as caught:
        find_return_columns(pd.DataFrame([["订单编号", "姓名"], ["1", "2"]]), Path("r.xlsx"))
    assert "r.xlsx" in str(caught.value)
    with pytest.raises(InputError, match="no reference column") as caught:
        find_return_columns(pd.DataFrame([["title"], ["运单号"], ["1"]]), Path("r.xlsx"))
    assert "row 2" in str(caught.value)
