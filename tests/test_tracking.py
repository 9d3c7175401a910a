"""Courier returns: header finding, cleaning, matching and the plan of what gets recorded."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from batch_ship.damaged_references import damaged_reference
from batch_ship.errors import InputError
from batch_ship.tracking import (
    DIGITS_LOST,
    DUPLICATE_IN_FILE,
    UNKNOWN_REFERENCE,
    UNUSED_RANGE_NUMBER,
    USED_BY_ANOTHER_PARCEL,
    clean_values,
    find_return_columns,
    header_key,
    match_rows,
    name_fits,
    phone_fits,
    plan_file_rows,
    plan_range,
    split_cells,
    split_numbers,
)
from batch_ship.tracking import _valid_numbers as valid_numbers
from batch_ship.tracking_numbers import TrackingRule, validate_all

ZTO = TrackingRule(pattern=r"\d{12}|7[3-68]\d{12}", source="test")
ID_A = "4012500868239927921"
ID_B = "4012500868239946555"  # same first 14 digits as ID_A; its 15th digit is 2 more
ID_C = "3998877665544332211"
ID_D = "3998877665544332299"  # merged into C's parcel


def parcels(tracking: dict[int, str] | None = None) -> pd.DataFrame:
    tracking = tracking or {}
    frame = pd.DataFrame(
        {
            "parcel_id": [1, 2, 3],
            "seq": [1, 2, 3],
            "file": ["submission-zto.xlsx"] * 3,
            "file_row": [2, 3, 4],
            "reference": [ID_A, ID_B, ID_C],
            "name": ["张三", "李四", "王五"],
            "phone": ["13925130165", "13800001111", "0571-87654321"],
            "order_ids": [ID_A, ID_B, f"{ID_C},{ID_D}"],
        }
    )
    frame["tracking"] = [tracking.get(pid, "") for pid in frame["parcel_id"]]
    return frame.astype(
        {c: "str" for c in frame.columns if c not in ("parcel_id", "seq", "file_row")}
    )


def rows(*records: tuple[str, str], name: str = "", phone: str = "") -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "source": ["return.xlsx"] * len(records),
            "row": list(range(3, 3 + len(records))),
            "reference": [reference for reference, _ in records],
            "cell": [cell for _, cell in records],
            "name": [name] * len(records),
            "phone": [phone] * len(records),
        }
    )
    frame.attrs["has_name"] = bool(name)
    frame.attrs["has_phone"] = bool(phone)
    return frame


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


def test_clean_values() -> None:
    values = pd.Series(
        [
            "'773012345678",
            ' ="4012500868239927921" ',
            "773012345678.0",
            "7.73012345678E+11",
            "4.0125008682399e+18",
            None,
            "\u200bYT1\u00a0",
        ]
    )
    assert clean_values(values).tolist() == [
        "773012345678",
        ID_A,
        "773012345678",
        "773012345678",
        "4.0125008682399e+18",
        "",
        "YT1",
    ]


def test_full_width_characters_become_plain() -> None:
    assert clean_values(pd.Series(["７７３０１２３４５６７８", "ＳＦ１２"])).tolist() == [
        "773012345678",
        "SF12",
    ]


def test_split_numbers() -> None:
    assert split_numbers("773012345678, 773012345679;773012345680/773012345681 773012345682") == [
        "773012345678",
        "773012345679",
        "773012345680",
        "773012345681",
        "773012345682",
    ]
    assert split_numbers("sf1，SF1、sf2") == ["SF1", "SF2"]
    assert split_numbers("") == []


_CELL = st.text(alphabet="7730Sf-,;/ \t\u3000\u00a0\u2009，；、／\u200b", max_size=24)


@given(st.lists(_CELL, max_size=6))
def test_split_cells_splits_as_split_numbers_does(cells: list[str]) -> None:
    """The column (Arrow, RE2) and the single cell (Python re) agree on every separator."""
    found = split_cells(pd.Series(cells, dtype="str"))
    per_cell = [found.loc[found["row"] == row, "number"].tolist() for row in range(len(cells))]
    assert per_cell == [split_numbers(cell) for cell in cells]


def test_a_reference_beyond_any_id_is_unknown_not_a_crash() -> None:
    found = match_rows(rows(("1e25", "1"), ("1.9e+19", "2"), ("1e400", "3")), parcels())
    assert found["parcel_id"].isna().all()
    plan = plan_file_rows(rows(("1e25", "773000000001")), parcels(), {}, ZTO)
    assert plan.new == []
    assert [u["reason"] for u in plan.unknown] == [DIGITS_LOST]


def test_phone_and_name_fit() -> None:
    assert phone_fits("139****0165", "13925130165")
    assert not phone_fits("139****0166", "13925130165")
    assert phone_fits("+86 139 2513 0165", "13925130165")
    assert phone_fits("", "13925130165")
    assert not phone_fits("13800001111", "13925130165")
    assert phone_fits("057187654321", "0571-87654321")
    assert name_fits("张*", "张三")
    assert name_fits("张三", "张三")
    assert name_fits("", "张三")
    assert not name_fits("李*", "张三")


def test_exact_and_merged_matches() -> None:
    found = match_rows(rows((ID_A, "1"), (ID_D, "2"), ("999", "3")), parcels())
    assert found["parcel_id"].tolist()[:2] == [1, 3]
    assert pd.isna(found["parcel_id"].iloc[2])
    assert found["method"].tolist() == ["exact", "exact", ""]


def test_damaged_reference_needs_exactly_one_open_parcel() -> None:
    # 15 significant digits tell A from B
    found = match_rows(rows(("4.01250086823993E+18", "1")), parcels())
    assert found["parcel_id"].tolist() == [1]
    assert found["method"].tolist() == ["digits"]
    # 14 digits fit both A and B: ambiguous
    found = match_rows(rows(("4.0125008682399E+18", "1")), parcels())
    assert pd.isna(found["parcel_id"].iloc[0])
    # ...unless the phone says which
    found = match_rows(rows(("4.0125008682399E+18", "1"), phone="138****1111"), parcels())
    assert found["parcel_id"].tolist() == [2]
    # B already numbered: only A is open
    found = match_rows(rows(("4.0125008682399E+18", "1")), parcels({2: "773000000002"}))
    assert found["parcel_id"].tolist() == [1]
    # A claimed by an exact row of the same return: B is the only open one
    found = match_rows(rows((ID_A, "1"), ("4.0125008682399E+18", "2")), parcels())
    assert found["parcel_id"].tolist() == [1, 2]


def two_parcels(first: int, second: int) -> pd.DataFrame:
    frame = parcels().iloc[:2].copy()
    frame["reference"] = frame["order_ids"] = [str(first), str(second)]
    return frame


@given(
    st.integers(min_value=10**18, max_value=9 * 10**18),
    st.integers(min_value=-20_000, max_value=20_000),
    st.booleans(),
)
def test_a_damaged_reference_matches_only_when_one_open_parcel_is_in_its_window(
    identifier: int, apart: int, cut_by_excel: bool
) -> None:
    """Cut as Excel does or rounded as other readers do, a reference written as a number
    finds its parcel, unless another one of the batch fits the same digits."""
    assume(apart != 0)
    other = identifier + apart
    stored = identifier // 10_000 * 10_000 if cut_by_excel else identifier
    text = f"{float(stored):.14E}"  # 15 significant digits, as Excel writes them
    window = damaged_reference(text)
    assert window is not None
    assert window[0] <= identifier <= window[1]
    found = match_rows(rows((text, "773000000001")), two_parcels(identifier, other))
    if window[0] <= other <= window[1]:
        assert pd.isna(found["parcel_id"].iloc[0])
    else:
        assert found["parcel_id"].tolist() == [1]
        assert found["method"].tolist() == ["digits"]


def test_plan_counts_and_reasons() -> None:
    recorded = parcels({3: "773000000003"})
    plan = plan_file_rows(
        rows(
            (ID_A, "773000000001, 773000000011"),  # split shipment: both numbers
            (ID_A, "773000000001"),  # repeated row: same parcel, no duplicate
            (ID_B, "773000000099"),  # also given to C below: duplicate in the file
            (ID_C, "773000000099"),
            (ID_C, "12345"),  # invalid
            ("4.0125008682399E+18", "773000000055"),  # A and B fit, both claimed: unknown
            ("0000000000000000001", "773000000066"),  # unknown
            ("", "773000000077"),  # no reference
        ),
        recorded,
        {"773000000011": 42},  # held by another batch's parcel
        ZTO,
    )
    assert [(a.parcel_id, a.number) for a in plan.new] == [(1, "773000000001")]
    assert {(d["number"], d["reason"]) for d in plan.duplicates} == {
        ("773000000011", USED_BY_ANOTHER_PARCEL),
        ("773000000099", DUPLICATE_IN_FILE),
    }
    assert [i["number"] for i in plan.invalid] == ["12345"]
    assert [(u["row"], u["reason"]) for u in plan.unknown] == [
        (8, DIGITS_LOST),
        (9, UNKNOWN_REFERENCE),
        (10, "no-reference"),
    ]
    assert plan.conflicts == []
    assert plan.already == set()


def test_plan_already_recorded_and_conflicts() -> None:
    recorded = parcels({1: "773000000001", 2: "773000000002"})
    owners = {"773000000001": 1, "773000000002": 2}
    returned = rows((ID_A, "773000000001"), (ID_B, "773000000022"))
    plan = plan_file_rows(returned, recorded, owners, ZTO)
    assert plan.already == {1}
    assert [c["reference"] for c in plan.conflicts] == [ID_B]
    assert plan.new == []
    assert plan.replace == []
    plan = plan_file_rows(returned, recorded, owners, ZTO, replace=True)
    assert [(a.parcel_id, a.number) for a in plan.replace] == [(2, "773000000022")]
    assert plan.conflicts[0]["applied"] == "yes"


def test_ambiguous_damaged_row_is_unknown() -> None:
    plan = plan_file_rows(rows(("4.0125008682399E+18", "773000000001")), parcels(), {}, ZTO)
    assert plan.new == []
    assert [u["reason"] for u in plan.unknown] == [DIGITS_LOST]


def test_plan_range_in_submission_order() -> None:
    recorded = parcels({2: "773000000005"})
    numbers = ["773000000001", "773000000002", "773000000003", "773000000005"]
    plan = plan_range(numbers, recorded, {"773000000005": 2}, ZTO, "range")
    assert [(a.parcel_id, a.number) for a in plan.new] == [(1, "773000000001"), (3, "773000000002")]
    assert plan.already == {2}
    assert plan.unused == 1
    assert [(u["tracking"], u["reason"]) for u in plan.unknown] == [
        ("773000000003", UNUSED_RANGE_NUMBER)
    ]
    # another batch's number is a duplicate, never reassigned
    plan = plan_range(["773000000009"], parcels(), {"773000000009": 99}, ZTO, "range")
    assert plan.new == []
    assert plan.duplicates[0]["reason"] == USED_BY_ANOTHER_PARCEL


@pytest.mark.parametrize(
    "rule",
    [
        ZTO,
        TrackingRule(pattern=r"(?=7)\d{12}", source="lookahead: RE2 cannot, Python runs it"),
        TrackingRule(pattern=r"[A-Z]{2}\d{9}[A-Z]{2}", check="s10", source="check digit"),
        TrackingRule(pattern=r"SF\d{12}|\d{12}", source="alternatives"),
    ],
)
def test_vectorized_validation_agrees_with_validate_all(rule: TrackingRule) -> None:
    numbers = [
        "773012345678", "73012345678901", "77301234567", "7730123456789", "", "SF773012345678",
        "SF77301234567", "773012345678\n", "７７３０１２３４５６７８", "٧٧٣٠١٢٣٤٥٦٧٨",
        "7730123456é8", "EA123456785CN", "EA123456784CN", "x773012345678",
    ]  # fmt: skip
    expected = validate_all(rule, numbers).tolist()
    assert valid_numbers(rule, pd.Series(numbers, dtype="str")).tolist() == expected
    assert any(expected)
    assert not all(expected)
