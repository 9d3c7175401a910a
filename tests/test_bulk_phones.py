"""phone_columns: the bulk twin of normalize_phone gives its answers, on any text."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import example, given, settings
from hypothesis import strategies as st

from batch_ship.normalize.bulk_phones import phone_columns
from batch_ship.normalize.phones import normalize_phone
from tests.test_phones import FORMS, PROBLEMS, phone_text


def _scalar(raw: str) -> tuple[str, str, str]:
    phone = normalize_phone(raw)
    if phone.problem is not None:
        return "", "", phone.problem
    return phone.number or "", phone.kind.value, ""


def _bulk(raws: list[str]) -> list[tuple[str, str, str]]:
    columns = phone_columns(pa.array(raws, pa.large_string()))
    return list(zip(*(column.to_pylist() for column in columns), strict=True))


def test_every_listed_form_and_problem() -> None:
    raws = [raw for raw, *_ in FORMS + PROBLEMS] + ["", "13812345678", "'13812345678"]
    assert _bulk(raws) == [_scalar(raw) for raw in raws]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(phone_text, st.text(max_size=16)), min_size=1, max_size=20))
@example(["+86 138 1234 5678", "0571-87654321", "18400001234-5678", "138****5678", " "])
@example(["0086-138-1234-5678", "(021)1234567", "86 10 12345678", "18400001234转5678"])
def test_bulk_equals_normalize_phone(raws: list[str]) -> None:
    assert _bulk(raws) == [_scalar(raw) for raw in raws]
