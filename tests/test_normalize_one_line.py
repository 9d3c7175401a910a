"""Addresses on one line: a municipality's city is not printed twice."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from batch_ship.normalize.one_line import one_line, one_line_text


def test_a_municipality_prints_its_name_once() -> None:
    assert one_line_text("重庆市", "重庆市", "渝中区", "解放碑1号") == "重庆市渝中区解放碑1号"
    assert one_line_text("浙江省", "杭州市", "余杭区", "文一西路969号") == (
        "浙江省杭州市余杭区文一西路969号"
    )
    assert one_line_text("广东省", "东莞市", "", "南城街道1号") == "广东省东莞市南城街道1号"


def test_missing_parts_are_empty() -> None:
    column = one_line(
        pd.Series(["上海市", None], dtype="str"),
        pd.Series(["上海市", "杭州市"], dtype="str"),
        pd.Series(["浦东新区", None], dtype="str"),
        pd.Series(["世纪大道1号", "文一西路"], dtype="str"),
    )
    assert column.tolist() == ["上海市浦东新区世纪大道1号", "杭州市文一西路"]


_PART = st.sampled_from(["", "北京市", "重庆市", "浙江省", "杭州市", "渝中区", "1号"])


@given(st.lists(st.tuples(_PART, _PART, _PART, _PART), max_size=8))
def test_the_column_and_the_text_agree(rows: list[tuple[str, str, str, str]]) -> None:
    columns = [pd.Series(list(part), dtype="str") for part in zip(*rows, strict=True)] or [
        pd.Series([], dtype="str")
    ] * 4
    assert one_line(*columns).tolist() == [one_line_text(*row) for row in rows]
