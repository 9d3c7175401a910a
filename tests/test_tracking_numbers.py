"""Tracking-number rules: validation, the S10 check digit and consecutive ranges."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from batch_ship.tracking_numbers import (
    MAX_RANGE,
    RangeError,
    TrackingRule,
    is_s10,
    number_range,
    parse_range,
    s10_check_digit,
    validate,
    validate_all,
)

ZTO = TrackingRule(pattern=r"\d{12}|7[3-68]\d{12}", source="test")
EMS = TrackingRule(pattern=r"\d{13}|[A-Z]{2}\d{9}[A-Z]{2}", check="s10", source="test")
SF = TrackingRule(pattern=r"SF\d{12,13}|\d{12}", source="test")


def test_s10_check_digit_of_the_upu_example() -> None:
    assert s10_check_digit("12345678") == "5"
    assert is_s10("EA123456785CN")
    assert not is_s10("EA123456784CN")


@pytest.mark.parametrize(
    ("serial", "digit"),
    [
        ("00000000", "5"),  # 11 - 0 = 11 -> 5
        ("00000008", "0"),  # 8 * 7 = 56, 56 % 11 = 1, 11 - 1 = 10 -> 0
        ("47312482", "9"),  # RR473124829GB, the UPU's own example
    ],
)
def test_s10_check_digit_special_remainders(serial: str, digit: str) -> None:
    assert s10_check_digit(serial) == digit


def test_s10_serial_must_be_eight_digits() -> None:
    with pytest.raises(ValueError, match="8 digits"):
        s10_check_digit("1234567")


def test_validate_full_match_only() -> None:
    assert validate(ZTO, "773012345678")
    assert validate(ZTO, "73123456789012")
    assert not validate(ZTO, "79123456789012")  # 14 digits must start 73-76/78
    assert not validate(ZTO, "7730123456789")  # 13 digits
    assert not validate(ZTO, "x773012345678")
    assert not validate(ZTO, "")
    assert not validate(ZTO, "７７３０１２３４５６７８")  # full-width digits are not \d here


def test_validate_s10_check_digit_only_for_s10_shapes() -> None:
    assert validate(EMS, "EA123456785CN")
    assert not validate(EMS, "EA123456786CN")
    assert validate(EMS, "1234567890123")  # EMS domestic: no check digit
    assert not validate(EMS, "ea123456785cn")


def test_range_keeps_zero_padding() -> None:
    assert number_range(ZTO, "000000000998", count=3) == [
        "000000000998",
        "000000000999",
        "000000001000",
    ]


def test_range_with_a_letter_prefix_and_an_end() -> None:
    assert number_range(SF, "SF1000000000009", end="SF1000000000011") == [
        "SF1000000000009",
        "SF1000000000010",
        "SF1000000000011",
    ]


def test_s10_range_recomputes_check_digits() -> None:
    numbers = number_range(EMS, "EA123456785CN", count=4)
    assert numbers == ["EA123456785CN", "EA123456799CN", "EA123456808CN", "EA123456811CN"]
    assert all(is_s10(number) for number in numbers)
    assert number_range(EMS, "ea123456785cn", end="EA123456808CN") == numbers[:3]


def test_range_errors() -> None:
    with pytest.raises(RangeError, match="not a valid"):
        number_range(ZTO, "12345", count=2)
    with pytest.raises(RangeError, match="wrong check digit"):
        number_range(EMS, "EA123456784CN", count=2)
    with pytest.raises(RangeError, match="comes before"):
        number_range(ZTO, "773012345678", end="773012345670")
    with pytest.raises(RangeError, match="shape"):
        number_range(SF, "SF1000000000009", end="1000000000011")
    with pytest.raises(RangeError, match="run past"):
        number_range(ZTO, "999999999999", count=2)
    with pytest.raises(RangeError, match="at most"):
        number_range(ZTO, "100000000000", count=MAX_RANGE + 1)
    with pytest.raises(RangeError, match="at least 1"):
        number_range(ZTO, "100000000000", count=0)
    with pytest.raises(RangeError, match="either"):
        number_range(ZTO, "100000000000")


def test_parse_range() -> None:
    assert parse_range(" 773012345678 ") == ("773012345678", None)
    assert parse_range("773012345678-773012345690") == ("773012345678", "773012345690")
    with pytest.raises(RangeError):
        parse_range("773012345678-")
    with pytest.raises(RangeError):
        parse_range("  ")


@given(st.integers(min_value=0, max_value=99_999_990), st.integers(min_value=1, max_value=9))
def test_every_s10_range_number_validates(serial: int, count: int) -> None:
    start = f"RR{serial:08d}{s10_check_digit(f'{serial:08d}')}CN"
    numbers = number_range(EMS, start, count=count)
    assert len(numbers) == count == len(set(numbers))
    assert all(validate(EMS, number) for number in numbers)


def test_validate_all_agrees_with_validate() -> None:
    numbers = [
        "773012345678",
        "",
        "x773012345678",
        "EA123456785CN",
        "EA123456786CN",
        "1234567890123",
    ]
    for rule in (ZTO, EMS, SF):
        assert validate_all(rule, numbers).tolist() == [validate(rule, n) for n in numbers]
    assert validate_all(ZTO, []).tolist() == []
    # a pattern that accepts the empty string still refuses an empty number
    assert validate_all(TrackingRule(pattern=r"\d*"), ["", "12"]).tolist() == [False, True]


def test_range_messages_say_the_fix() -> None:
    with pytest.raises(RangeError) as reversed_range:
        number_range(ZTO, "773012345678", end="773012345670")
    assert str(reversed_range.value) == (
        "the end 773012345670 comes before the start 773012345678: swap its ends, "
        "--range 773012345670-773012345678"
    )
    with pytest.raises(RangeError) as check_digit:
        number_range(EMS, "EA123456784CN", count=2)
    assert str(check_digit.value) == (
        "EA123456784CN has a wrong check digit (the 9th digit): a valid start with these "
        "digits is EA123456785CN"
    )
    assert number_range(EMS, "EA123456785CN", count=1) == ["EA123456785CN"]
    with pytest.raises(RangeError) as invalid:
        number_range(ZTO, "12345", count=2)
    assert str(invalid.value) == (
        "12345 is not a valid number: numbers have 12 digits, or 14 digits starting with "
        "73-76 or 78"
    )
