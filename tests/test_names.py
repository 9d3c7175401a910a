"""normalize_name: trimmed, inner whitespace collapsed, '' when missing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from batch_ship.normalize.names import name_problem, normalize_name


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("张三", "张三"),
        ("  张三  ", "张三"),
        ("张\u3000三", "张 三"),  # full-width space
        ("张 \t 三", "张 三"),
        ("\u00a0张三\n", "张三"),
        ("John  Smith", "John Smith"),
        ("张\u200b三", "张三"),  # zero-width space
        ("", ""),
        ("\u3000 \t", ""),
        ("\u200b", ""),
    ],
)
def test_normalize_name(raw: str, expected: str) -> None:
    assert normalize_name(raw) == expected


def test_missing_code() -> None:
    assert name_problem(normalize_name("\u3000")) == "name-missing"
    assert name_problem(normalize_name("张三")) is None


@given(st.text())
def test_never_crashes_and_is_idempotent(raw: str) -> None:
    name = normalize_name(raw)
    assert normalize_name(name) == name
    assert name == name.strip()
