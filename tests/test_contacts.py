"""split_contact: pasted blocks of name, phone and address, in any order, labelled or not."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import batch_ship
from batch_ship.normalize import Contact, normalize_address, normalize_phone, split_contact
from batch_ship.normalize.contacts import PHONE, PHONE_SHAPE

ADDRESS = "广东省深圳市南山区科技园南区8栋"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (f"张三 13800138000 {ADDRESS}", Contact("张三", "13800138000", ADDRESS)),
        (f"{ADDRESS} 张三 13800138000", Contact("张三", "13800138000", ADDRESS)),
        (f"13800138000，王小明，{ADDRESS}", Contact("王小明", "13800138000", ADDRESS)),
        (f"{ADDRESS}\n13800138000\n赵六", Contact("赵六", "13800138000", ADDRESS)),
        (f"张三13800138000{ADDRESS}", Contact("张三", "13800138000", ADDRESS)),  # all glued
        (f"张三{ADDRESS} 138-0013-8000", Contact("张三", "138-0013-8000", ADDRESS)),
        (
            f"欧阳娜娜 +86 139 1234 5678 {ADDRESS}",
            Contact("欧阳娜娜", "+86 139 1234 5678", ADDRESS),
        ),
        (f"阿依·买买提 13912345678 {ADDRESS}", Contact("阿依·买买提", "13912345678", ADDRESS)),
        # Extensions stay with the number.
        (f"李四 13912345678转123 {ADDRESS}", Contact("李四", "13912345678转123", ADDRESS)),
        (f"李四 18400001234-5678 {ADDRESS}", Contact("李四", "18400001234-5678", ADDRESS)),
        (f"李四 0755-86001234-12 {ADDRESS}", Contact("李四", "0755-86001234-12", ADDRESS)),
        # Labels, on one line or several, full-width colons or not.
        (
            f"收货人：李四\n电话：13912345678\n地址：{ADDRESS}",
            Contact("李四", "13912345678", ADDRESS),
        ),
        (
            f"地址: {ADDRESS} 手机号码: 13912345678 收件人: 孙七",
            Contact("孙七", "13912345678", ADDRESS),
        ),
        (
            "收货人: Tom Lee 手机: 0571-88886666 所在地区: 浙江省 杭州市 西湖区 详细地址: 文三路1号"
            "",
            Contact("Tom Lee", "0571-88886666", "浙江省 杭州市 西湖区 文三路1号"),
        ),
        # No name: an address word beside nothing is not taken for one.
        (
            "广东省 深圳市 南山区 科技园 13800138000",
            Contact("", "13800138000", "广东省 深圳市 南山区 科技园"),
        ),
        ("", Contact()),
    ],
)
def test_split_contact(raw: str, expected: Contact) -> None:
    assert split_contact(raw) == expected


def test_parts_feed_the_normalizers() -> None:
    contact = split_contact(f"收货人：李四 电话：139-1234-5678转88 地址：{ADDRESS}")
    assert normalize_phone(contact.phone).number == "13912345678-88"
    address = normalize_address(contact.address)
    assert (address.province, address.city, address.district) == ("广东省", "深圳市", "南山区")


def test_exported_from_the_package() -> None:
    assert batch_ship.split_contact is split_contact
    assert batch_ship.Contact is Contact


_piece = st.sampled_from(
    ["张三", "13800138000", ADDRESS, "转12", " ", "，", "收货人：", "电话:", "\n"]
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=30), st.lists(_piece, max_size=8).map("".join)))
def test_any_text_splits_without_inventing(raw: str) -> None:
    contact = split_contact(raw)
    # Every part comes from the text: the phone and name as written, the address's words.
    from batch_ship.normalize.addresses import clean_text

    text = clean_text(raw)
    assert contact.phone in text
    assert contact.name in text
    for word in contact.address.split(" "):
        assert word in text


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["13812345678", "0571-87654321", "(010)12345678", "+86 138 1234 5678",
                             "138-1234-5678", "转12", "#8", " ", "-", "路", "1", "0", "(", ")"]),
            st.text(alphabet="0123456789 -()+", max_size=6),
        ),
        max_size=6,
    ).map("".join)
)  # fmt: skip
def test_the_bulk_phone_shape_finds_every_phone(raw: str) -> None:
    # The recipients step picks rows by PHONE_SHAPE in Arrow (RE2), then PHONE decides.
    if PHONE.search(raw):
        assert pc.match_substring_regex(pa.array([raw]), PHONE_SHAPE)[0].as_py(), raw
