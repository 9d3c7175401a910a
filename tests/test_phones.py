"""normalize_phone: output forms, kinds and reason codes, by libphonenumber's rules."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from batch_ship.model import Phone, PhoneKind
from batch_ship.normalize.phones import normalize_phone

MOBILE, LANDLINE, VIRTUAL, OTHER = (PhoneKind.MOBILE, PhoneKind.LANDLINE, PhoneKind.VIRTUAL,
                                    PhoneKind.OTHER)  # fmt: skip


FORMS = [
    ("13812345678", "13812345678", MOBILE),
    ("'13925130165", "13925130165", MOBILE),  # Taobao's apostrophe
    ("１３８１２３４５６７８", "13812345678", MOBILE),  # full-width digits
    ("138 1234 5678", "13812345678", MOBILE),
    ("138-1234-5678", "13812345678", MOBILE),
    ("+86 138-1234-5678", "13812345678", MOBILE),
    ("+8613812345678", "13812345678", MOBILE),
    ("0086 13812345678", "13812345678", MOBILE),
    ("8613812345678", "13812345678", MOBILE),
    ('="13812345678"', "13812345678", MOBILE),
    ("17400001234", "17400001234", MOBILE),  # 1740[0-5] is mobile in libphonenumber
    ("(010)12345678", "010-12345678", LANDLINE),
    ("010-12345678", "010-12345678", LANDLINE),
    ("0571-87654321", "0571-87654321", LANDLINE),
    ("057187654321", "0571-87654321", LANDLINE),
    ("(0571)8765-4321", "0571-87654321", LANDLINE),
    ("+86 571 8765 4321", "0571-87654321", LANDLINE),
    ("0086-21-12345678", "021-12345678", LANDLINE),
    ("0571-87654321-808", "0571-87654321-808", LANDLINE),  # a switchboard extension
    ("18400001234-5678", "18400001234-5678", VIRTUAL),
    ("13800138000转1234", "13800138000-1234", VIRTUAL),
    ("13800138000#1234", "13800138000-1234", VIRTUAL),
    ("13800138000,1234", "13800138000-1234", VIRTUAL),
    ("13800138000，1234", "13800138000-1234", VIRTUAL),  # full-width comma
    ("13800138000 转 1234", "13800138000-1234", VIRTUAL),
    ("13812345678/13912345678", "13812345678", MOBILE),  # two numbers: the first
    ("14112345678  13912345678", "13912345678", MOBILE),  # ...that is usable
    ("138  1234  5678", "13812345678", MOBILE),
    ("4001234567", "4001234567", OTHER),  # valid service number
    ("+85261234567", "+85261234567", OTHER),  # Hong Kong mobile, kept in E.164
]


@pytest.mark.parametrize(("raw", "number", "kind"), FORMS)
def test_output_forms(raw: str, number: str, kind: PhoneKind) -> None:
    assert normalize_phone(raw) == Phone(number, kind)


PROBLEMS = [
    ("", "phone-missing"),
    ("   ", "phone-missing"),
    ("'", "phone-missing"),
    ("138****5678", "phone-masked"),
    ("'138****5678", "phone-masked"),
    ("138＊＊＊＊5678", "phone-masked"),
    ("138xxxx5678", "phone-masked"),
    ("+86 138****5678", "phone-masked"),
    ("14112345678", "phone-invalid"),  # 141 and 148 are not mobile ranges
    ("14812345678", "phone-invalid"),
    ("17412345678", "phone-invalid"),  # only 1740[0-5] of 174 is
    ("12345678901", "phone-invalid"),
    ("1381234567", "phone-invalid"),  # 10 digits
    ("138123456789", "phone-invalid"),  # 12 digits
    ("87654321", "phone-invalid"),  # a local number without its area code
    ("3101230", "phone-invalid"),  # no trunk 0 and area 310 + a 4-digit local number
    ("abc", "phone-invalid"),
    ("13800138000转abc", "phone-invalid"),
    ("14112345678-1234", "phone-invalid"),
    ("+4968773566转16785", "phone-invalid"),  # E.164 has no extension (+49...-16785 reads back
    ("+85261234567-808", "phone-invalid"),  # as one longer number)
]


@pytest.mark.parametrize(("raw", "problem"), PROBLEMS)
def test_problems(raw: str, problem: str) -> None:
    assert normalize_phone(raw) == Phone(None, OTHER, problem)


def test_fast_path_agrees_with_libphonenumber() -> None:
    # Every three-digit 1xx prefix: our answer equals phonenumbers' validity and type.
    for prefix in range(100, 200):
        number = f"{prefix}12345678"
        parsed = phonenumbers.parse(number, "CN")
        valid = phonenumbers.is_valid_number(parsed) and phonenumbers.number_type(parsed) in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        )
        assert (normalize_phone(number).kind is MOBILE) == valid, number


phone_text = st.lists(
    st.one_of(
        st.sampled_from(["'", "+86", "0086", "86", "138", "0571", "(", ")", "-", " ", "*", "转",
                         "#", ",", "１", "/", "x"]),
        st.text(alphabet="0123456789", min_size=1, max_size=11),
        st.text(max_size=3),
    ),
    max_size=6,
).map("".join)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.one_of(phone_text, st.text()))
@example("3101230")  # no trunk 0, 4-digit local: was 031-01230, which read back as 0310-1230
@example("031-01230")
@example("57187654321")
@example("+4968773566016785")  # a foreign number: it stays whole
@example("+4968773566转16785")  # ...and with an extension is refused, not +49...-16785
def test_never_crashes_and_is_idempotent(raw: str) -> None:
    phone = normalize_phone(raw)
    assert (phone.number is None) == (phone.problem is not None)
    if phone.number is not None:
        assert normalize_phone(phone.number) == phone
