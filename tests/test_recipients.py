"""normalize_recipients: the bulk path gives the scalar answers, with every problem listed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from batch_ship.model import Problem
from batch_ship.normalize import (
    OUTPUT_COLUMNS,
    normalize_address,
    normalize_name,
    normalize_phone,
    normalize_recipients,
    problems_of,
)
from batch_ship.normalize.contacts import unpack_block
from batch_ship.problems import message
from tests.test_addresses import address_text
from tests.test_phones import FORMS, PROBLEMS, phone_text


def _frame(rows: list[tuple[str | None, ...]], dtype: str | None = "str") -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["name", "mobile", "telephone", "address"], dtype=dtype)
    frame.index = pd.RangeIndex(100, 100 + len(rows))
    return frame


def _expected(name: str, mobile: str, telephone: str, address: str) -> dict[str, str]:
    """The contract, written with the scalar normalizers."""
    name, mobile, address = unpack_block(name, mobile, telephone, address)
    first, second = normalize_phone(mobile), normalize_phone(telephone)
    chosen = first if first.problem is None else second if second.problem is None else None
    phone_problem = None
    if chosen is None:
        phone_problem = second.problem if first.problem == "phone-missing" else first.problem
    place = normalize_address(address)
    clean_name = normalize_name(name)
    codes = [
        c for c in ("name-missing" if not clean_name else None, phone_problem, place.problem) if c
    ]
    return {
        "recipient_name": clean_name,
        "phone": chosen.number or "" if chosen else "",
        "phone_kind": chosen.kind.value if chosen else "",
        "province": place.province,
        "city": place.city,
        "district": place.district,
        "detail": place.detail,
        "postcode": place.postcode,
        "problems": ",".join(codes),
    }


ROWS = [
    ("张三", "'13812345678", "", "浙江省 杭州市 西湖区 文三路1号(310012)"),
    (" 李\u3000四 ", "", "(010)12345678", "北京 北京市 朝阳区 建国路1号(000000)"),
    ("", "138****5678", "0571-87654321", "浙江杭州西湖区文三路1号"),
    ("王五", "138****5678", "", ""),
    ("赵六", "", "", "朝阳区建国路1号"),
    ("钱七", "14112345678", "abc", "广东省 东莞市 长安镇 某路(523000)"),
    ("孙八", "18400001234-5678", "", "浙江省 杭州市 其它区 文三路（310012）"),
    ("周九", "13812345678", "", "浙江省 杭州市 西湖区 , 文三路(123456)(310012)"),
    ("吴十", "13812345678", "", "浙江省 杭州市 西湖区"),
    ("吴十", "13812345678", "", "浙江省 杭州市 西湖区(310012)"),
    ("郑一", "", "138****5678", "湖北省 仙桃市 某路1号"),
    ("王二", "13812345678", "", "浙江省 杭州市 西湖区 某路(١٢٣٤٥٦)"),
    ("王二", "13812345678", "", "浙江省 杭州市 西湖区 、(310012)"),
    # Cities without districts, towns and zones in the district slot.
    ("王二", "13812345678", "", "湖北省 仙桃市 干河街道 某路1号(433000)"),
    ("王二", "13812345678", "", "广东省 东莞市 长安镇 某路1号(000000)"),
    ("王二", "13812345678", "", "广东省 东莞市 长安镇(523000)"),
    ("王二", "13812345678", "", "广东省 东莞市 东莞市 某路1号(523000)"),
    ("王二", "13812345678", "", "广东省 东莞市 长安镇 ,某路1号(523000)"),
    ("王二", "13812345678", "", "广东省 东莞市 ,长安镇 某路1号(523000)"),
    ("王二", "13812345678", "", "河北省 唐山市 芦台经济开发区 某路1号(000000)"),
    ("王二", "13812345678", "", "浙江省 杭州市 其它区 西湖区 某路1号(000000)"),
    ("王二", "13812345678", "", "浙江省 杭州市 其它区 西湖区某路1号(000000)"),
    ("王二", "13812345678", "", "浙江省 杭州市 其它区 , 西湖区 某路1号"),
    ("王二", "13812345678", "", "浙江省 杭州市 其它区 某路1号(东门)(310012)"),
    ("王二", "13812345678", "", "浙江省 杭州市 其它区(310012)"),
    ("王二", "13812345678", "", "浙江省 杭州市 其它区"),
    ("王二", "13812345678", "", "浙江省 杭州市 西湖区 某路１号（东门）(310012)"),
    ("王二", "13812345678", "", "湖北省 省直辖县级行政区划 仙桃市 某路1号(000000)"),
    ("王二", "13812345678", "", "山东省 济南市中区 某路1号(000000)"),
]


def test_columns_index_and_values() -> None:
    orders = _frame(ROWS)
    result = normalize_recipients(orders)
    assert tuple(result.columns) == OUTPUT_COLUMNS
    assert result.index.equals(orders.index)
    assert all(str(dtype) == "str" for dtype in result.dtypes)
    for position, row in enumerate(ROWS):
        assert result.iloc[position].to_dict() == _expected(*(value or "" for value in row)), row


def test_problems_are_all_listed_in_code_order() -> None:
    result = normalize_recipients(_frame(ROWS))
    problems = result["problems"].tolist()
    assert problems[0] == ""
    assert problems[2] == "name-missing"
    assert problems[3] == "phone-masked,address-missing"
    assert problems[4] == "phone-missing,address-unresolved"
    assert problems[5] == "phone-invalid"  # the mobile's problem when neither works
    assert problems[10] == "phone-masked"  # the telephone's when the mobile is empty


def test_phone_choice() -> None:
    result = normalize_recipients(_frame(ROWS))
    assert result.loc[101, ["phone", "phone_kind"]].tolist() == ["010-12345678", "landline"]
    assert result.loc[102, ["phone", "phone_kind"]].tolist() == ["0571-87654321", "landline"]
    assert result.loc[106, ["phone", "phone_kind"]].tolist() == ["18400001234-5678", "virtual"]


def test_object_columns_with_nulls_and_an_empty_frame() -> None:
    orders = _frame([("张三", None, np.nan, None)], dtype=None).astype(object)  # type: ignore[arg-type]
    result = normalize_recipients(orders)
    assert result.loc[100, "problems"] == "phone-missing,address-missing"
    numbers = pd.DataFrame({"name": ["张三"], "mobile": [13812345678], "address": [1.5]})
    result = normalize_recipients(numbers)  # no telephone column: treated as empty
    assert result.loc[0, ["phone", "problems"]].tolist() == ["13812345678", "address-unresolved"]
    empty = normalize_recipients(_frame([]))
    assert list(empty.columns) == list(OUTPUT_COLUMNS)
    assert len(empty) == 0


def test_progress_is_reported() -> None:
    calls: list[tuple[str, int, int | None]] = []
    normalize_recipients(_frame(ROWS), progress=lambda label, done, total=None: calls.append(
        (label, done, total)))  # fmt: skip
    assert calls[-1] == ("normalize recipients", len(ROWS), len(ROWS))


def test_problems_of_names_the_column_and_message() -> None:
    orders = _frame(ROWS)
    result = normalize_recipients(orders)
    row = {**orders.loc[110].to_dict(), **result.loc[110].to_dict()}
    assert problems_of(row, row_number=12) == [
        Problem("phone-masked", column="telephone", row=12, message=message("phone-masked"))
    ]
    row = result.loc[103].to_dict()
    assert [(p.code, p.column) for p in problems_of(row)] == [
        ("phone-masked", "mobile"),
        ("address-missing", "address"),
    ]
    assert problems_of({"problems": ""}) == []


@pytest.mark.parametrize("repeat", [1, 40])
def test_bulk_taobao_rows_equal_scalar(repeat: int) -> None:
    rows = [
        ("张三", "'13812345678", "", f"浙江省 杭州市 西湖区 文三路{n}号(310012)") for n in range(5)
    ] * repeat
    rows += [("李四", "+86 139 1234 5678", "", "北京 北京市 东城区 某路（100010）")]
    result = normalize_recipients(_frame(rows))
    for position, row in enumerate(rows):
        assert result.iloc[position].to_dict() == _expected(*row)


def test_bulk_phone_forms_equal_scalar() -> None:
    raws = [raw for raw, *_ in FORMS + PROBLEMS]
    raws += [
        "86 138 1234 5678", "0086-138-1234-5678", "13812345678 ", "010 12345678",
        "18400001234转5678", "18400001234#5678", "18400001234,5678", "14100001234-5678",
        "(021)1234567", "0571-1234567", "013812345678", "8614112345678", "+86 10 12345678",
    ]  # fmt: skip
    rows = [("张三", raw, "", "") for raw in raws] + [("张三", "", raw, "") for raw in raws]
    result = normalize_recipients(_frame(rows))  # type: ignore[arg-type]
    for position, row in enumerate(rows):
        assert result.iloc[position].to_dict() == _expected(*row), row


@settings(max_examples=20, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(max_size=4), phone_text, phone_text, address_text),
        min_size=1,
        max_size=12,
    )
)
def test_bulk_equals_scalar_on_any_input(rows: list[tuple[str, str, str, str]]) -> None:
    result = normalize_recipients(_frame(rows))  # type: ignore[arg-type]
    for position, row in enumerate(rows):
        assert result.iloc[position].to_dict() == _expected(*row), row


def test_bulk_free_text_rows_equal_scalar() -> None:
    from tests.test_addresses import _free_text_cases

    rows = [("张三", "13812345678", "", raw) for _, raw, _, _ in _free_text_cases()]
    rows += [("王五", "13812345678", "", "浙江省 杭州市 广东省 广州市")]  # a conflict, spaced
    result = normalize_recipients(_frame(rows))
    for position, row in enumerate(rows):
        assert result.iloc[position].to_dict() == _expected(*row)
    assert "address-conflict" in set(result["problems"])


def test_a_block_pasted_into_the_address_cell_is_unpacked() -> None:
    block = "张三 13800138000 广东省深圳市南山区科技园南区8栋"
    rows = [
        ("", "", "", block),  # name and phone only in the block
        ("李四", "'13912345678", "", block),  # the row's own name and phone stay
        ("李四", "138****5678", "", f"收货人：王五 电话：13700001111转12 地址：{block[15:]}"),
        ("赵六", "'13912345678", "", "浙江省 杭州市 西湖区 文三路1号 电话13912345678"),
    ]
    result = normalize_recipients(_frame(rows))
    assert result["recipient_name"].tolist() == ["张三", "李四", "李四", "赵六"]
    assert result["phone"].tolist() == ["13800138000", "13912345678", "13700001111-12",
                                        "13912345678"]  # fmt: skip
    assert result["district"].tolist() == ["南山区", "南山区", "南山区", "西湖区"]
    assert result["detail"].tolist() == ["科技园南区8栋"] * 3 + ["文三路1号"]
    assert result["problems"].tolist() == ["", "", "", ""]
    for position, row in enumerate(rows):
        assert result.iloc[position].to_dict() == _expected(*row)


def test_a_block_with_only_a_landline_is_unpacked_in_a_row_without_a_phone() -> None:
    block = "张三 0571-87654321 浙江省杭州市西湖区文三路1号"
    rows = [
        ("", "", "", block),  # nothing but the block: its landline is the phone
        ("", "\u3000", " ", block),  # blank phones are no phone
        ("李四", "138****5678", "", block),  # a phone given (masked): a landline is no hint
        ("王五", "", "", "浙江省杭州市西湖区文三路1234号"),  # digits, but no phone number
    ]
    result = normalize_recipients(_frame(rows))
    assert result["recipient_name"].tolist() == ["张三", "张三", "李四", "王五"]
    assert result["phone"].tolist() == ["0571-87654321", "0571-87654321", "", ""]
    assert result["detail"].tolist() == [
        "文三路1号", "文三路1号", "张三 0571-87654321 文三路1号", "文三路1234号",
    ]  # fmt: skip
    for position, row in enumerate(rows):
        assert result.iloc[position].to_dict() == _expected(*row)


def test_recipient_table_carries_each_rows_codes_as_a_tuple() -> None:
    from batch_ship.normalize.recipients import problem_mask, recipient_table

    orders = _frame(ROWS)
    text = normalize_recipients(orders)
    table = recipient_table(orders)
    assert table.index.equals(orders.index)
    assert table.drop(columns="problems").equals(text.drop(columns="problems"))
    codes = table["problems"].tolist()
    assert all(isinstance(entry, tuple) for entry in codes)
    assert codes[0] == ()
    assert codes[3] == ("phone-masked", "address-missing")
    # the library's text column is the same codes, joined
    assert [",".join(entry) for entry in codes] == text["problems"].tolist()
    assert problem_mask(table["problems"]).tolist() == [bool(entry) for entry in codes]
    row = {**orders.loc[110].to_dict(), **table.loc[110].to_dict()}
    assert [problem.code for problem in problems_of(row)] == ["phone-masked"]
