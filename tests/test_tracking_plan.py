"""The plan of what a return records: new numbers, unknown rows, invalid numbers, duplicates,
conflicts, and the column validation that decides what is invalid."""

from __future__ import annotations

import pandas as pd
import pytest

from batch_ship.tracking import (
    DIGITS_LOST,
    DUPLICATE_IN_FILE,
    UNKNOWN_REFERENCE,
    USED_BY_ANOTHER_PARCEL,
    match_rows,
    plan_file_rows,
    valid_numbers,
)
from batch_ship.tracking_numbers import TrackingRule, validate_all
from tests.tracking_rows import ID_A, ID_B, ID_C, ZTO, assigned, parcels, rows


def test_a_reference_beyond_any_id_is_unknown_not_a_crash() -> None:
    found = match_rows(rows(("1e25", "1"), ("1.9e+19", "2"), ("1e400", "3")), parcels())
    assert found["parcel_id"].isna().all()
    plan = plan_file_rows(rows(("1e25", "773000000001")), parcels(), {}, ZTO)
    assert assigned(plan) == []
    assert [u.reason for u in plan.unknown] == [DIGITS_LOST]


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
    assert assigned(plan) == [(1, "773000000001")]
    assert {(d.number, d.reason) for d in plan.duplicates} == {
        ("773000000011", USED_BY_ANOTHER_PARCEL),
        ("773000000099", DUPLICATE_IN_FILE),
    }
    assert [i.number for i in plan.invalid] == ["12345"]
    assert [(u.row, u.reason) for u in plan.unknown] == [
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
    assert [c.reference for c in plan.conflicts] == [ID_B]
    assert not plan.conflicts[0].applied
    assert assigned(plan) == []
    assert plan.replace == []
    plan = plan_file_rows(returned, recorded, owners, ZTO, replace=True)
    assert [(a.parcel_id, a.number) for a in plan.replace] == [(2, "773000000022")]
    assert plan.conflicts[0].applied


def test_ambiguous_damaged_row_is_unknown() -> None:
    plan = plan_file_rows(rows(("4.0125008682399E+18", "773000000001")), parcels(), {}, ZTO)
    assert assigned(plan) == []
    assert [u.reason for u in plan.unknown] == [DIGITS_LOST]


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
