"""One masking rule for addresses, whatever the spacing; phones and names."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from batch_ship.privacy import STREET_PREFIX, mask_address, mask_name, mask_phone

WHOLE = "上海市 上海市浦东新区世纪大道1001号金茂大厦(200120)"


def test_the_issue_address_never_appears_whole() -> None:
    shown = mask_address(WHOLE)
    assert shown == "上海市上海市浦东新区世纪 …"
    assert "200120" not in shown
    assert "1001" not in shown


def test_spacing_changes_nothing() -> None:
    spaced = [
        "上海市 上海市 浦东新区 世纪大道1001号",
        "上海市上海市浦东新区世纪大道1001号",
        " 上海市\t上海市浦东新区  世纪大道 1001 号",
    ]
    assert len({mask_address(text) for text in spaced}) == 1


def test_region_and_a_short_street_prefix_only() -> None:
    assert mask_address("浙江省 杭州市 西湖区 文三路1号 (310013)") == "浙江省杭州市西湖区文三 …"
    assert mask_address("广东省深圳市南山区科技园区1号楼") == "广东省深圳市南山区科技 …"
    assert mask_address("Flat 3, 10 Downing St") == "Flat …"
    assert mask_address("") == ""


@given(st.text(max_size=80))
def test_no_digit_and_at_most_region_plus_prefix(text: str) -> None:
    shown = mask_address(text).removesuffix(" …")
    assert not any(char.isdigit() and char.isascii() for char in shown)
    assert len(shown) <= 20 + STREET_PREFIX


def test_phone_and_name() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_name("张三丰") == "张**"
