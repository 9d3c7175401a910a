"""A tracking-number rule in words, worked out from its pattern."""

from __future__ import annotations

import pytest

from batch_ship.rule_words import describe_rule
from batch_ship.tracking_numbers import TrackingRule


@pytest.mark.parametrize(
    ("pattern", "check", "words"),
    [
        (r"\d{12}|7[3-68]\d{12}", None, "12 digits, or 14 digits starting with 73-76 or 78"),
        (r"\d{13}|[34]\d{14}", None, "13 digits, or 15 digits starting with 3 or 4"),
        (
            r"\d{12,13}|(?:77|43)\d{12,15}",
            None,
            "12 or 13 digits, or 14 to 17 digits starting with 43 or 77",
        ),
        (r"SF\d{12,13}|\d{12}", None, "SF followed by 12 or 13 digits, or 12 digits"),
        (r"JD[A-Z0-9]{2}\d{11}", None, "JD followed by 2 letters or digits and 11 digits"),
        (
            r"\d{13}|[A-Z]{2}\d{9}[A-Z]{2}",
            "s10",
            "13 digits, or 2 letters, 9 digits (the last a check digit) and 2 letters",
        ),
        (r"[0-9A-Za-z]{8,20}", None, "8 to 20 letters or digits"),
        (r"\d+(?=x)", None, "the form the courier template's [tracking] rule gives"),
    ],
)
def test_a_rule_in_words(pattern: str, check: str | None, words: str) -> None:
    assert describe_rule(TrackingRule(pattern=pattern, check=check, source="x")) == words
