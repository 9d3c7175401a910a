"""Return rows to parcels: exact references, merged orders, damaged references and masks."""

from __future__ import annotations

import pandas as pd
from hypothesis import assume, given
from hypothesis import strategies as st

from batch_ship.damaged_references import damaged_reference
from batch_ship.tracking import match_rows, name_fits, phone_fits
from tests.tracking_rows import ID_A, ID_D, parcels, rows


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


def test_a_damaged_reference_reimported_finds_the_parcel_holding_its_numbers() -> None:
    """A re-import: the parcel already holds every number of the row, so it is still open to
    it; a row with a number it does not hold is not."""
    holding = parcels({1: "773000000001,773000000011", 2: "773000000002"})
    found = match_rows(rows(("4.0125008682399E+18", "773000000011；773000000001")), holding)
    assert found["parcel_id"].tolist() == [1]
    found = match_rows(rows(("4.0125008682399E+18", "773000000011, 773000000099")), holding)
    assert pd.isna(found["parcel_id"].iloc[0])


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
