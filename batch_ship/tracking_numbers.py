"""Tracking-number rules from courier templates: validation and consecutive ranges."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from batch_ship.i18n import _
from batch_ship.rule_words import describe_rule

__all__ = [
    "MAX_RANGE",
    "RangeError",
    "TrackingRule",
    "describe_rule",
    "is_s10",
    "number_range",
    "parse_range",
    "s10_check_digit",
    "validate",
    "validate_all",
    "validator",
]

# A hostile or mistyped --range must not allocate millions of strings.
MAX_RANGE = 1_000_000

_S10 = re.compile(r"([A-Z]{2})(\d{8})(\d)([A-Z]{2})")
_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
_TRAILING_DIGITS = re.compile(r"^(.*?)(\d+)$")


@dataclass(frozen=True)
class TrackingRule:
    """How a courier's tracking numbers look, and where that rule comes from.

    `pattern` is a full-match regular expression; `check` names a check-digit scheme
    ("s10" for UPU S10 international EMS numbers) or is None; `source` cites the rule.
    """

    pattern: str = r"[0-9A-Za-z]{8,20}"
    check: str | None = None
    source: str = "no published rule: digits/letters of a plausible length only"


class RangeError(ValueError):
    """A --range that cannot be expanded; the message says why and how to fix it."""


@lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str]:
    # ASCII: \d must not accept full-width or other scripts' digits in a tracking number.
    return re.compile(pattern, re.ASCII)


def s10_check_digit(serial: str) -> str:
    """The UPU S10 check digit of an 8-digit serial number (weights 8 6 4 2 3 5 9 7, mod 11)."""
    if len(serial) != 8 or not serial.isdigit():
        raise ValueError(f"an S10 serial is 8 digits, not {serial!r}")
    remainder = 11 - sum(int(d) * w for d, w in zip(serial, _S10_WEIGHTS, strict=True)) % 11
    if remainder == 10:
        return "0"
    if remainder == 11:
        return "5"
    return str(remainder)


def is_s10(number: str) -> bool:
    """True for a well-formed UPU S10 number (`EA123456785CN`) whose check digit is right."""
    match = _S10.fullmatch(number)
    return match is not None and s10_check_digit(match.group(2)) == match.group(3)


def validate(rule: TrackingRule, number: str) -> bool:
    """True when `number` fully matches the rule's pattern and passes its check digit, if any.

    With an S10 rule, a number of the S10 shape (2 letters, 9 digits, 2 letters) must carry
    a correct check digit: one that fails is a typo, not a number to record. Numbers of the
    rule's other shapes (EMS domestic: 13 digits) have no check digit.
    """
    if not number or _compiled(rule.pattern).fullmatch(number) is None:
        return False
    if rule.check == "s10" and _S10.fullmatch(number):
        return is_s10(number)
    return True


def validate_all(rule: TrackingRule, numbers: Sequence[str]) -> np.ndarray:
    """`validate` for many numbers at once, as a boolean array (the compiled pattern hoisted)."""
    texts = np.array(numbers, dtype=object)
    found = np.array(list(map(_compiled(rule.pattern).fullmatch, numbers)), dtype=object)
    valid: np.ndarray = (found != None) & (texts != "")  # noqa: E711 (elementwise)
    if rule.check == "s10":
        for position in np.flatnonzero(valid).tolist():
            number = numbers[position]
            if _S10.fullmatch(number) and not is_s10(number):
                valid[position] = False
    return valid


def validator(rule: TrackingRule) -> re.Pattern[str]:
    """The compiled pattern of a rule, for vectorized checks (`Series.str.fullmatch`)."""
    return _compiled(rule.pattern)


def number_range(
    rule: TrackingRule, start: str, count: int | None = None, end: str | None = None
) -> list[str]:
    """Consecutive numbers from `start`: `count` of them, or up to and including `end`.

    The trailing digit run counts up with its zero padding kept (`0001230` -> `0001231`), a
    letter prefix stays. For S10 numbers (`EA123456785CN`) the 8-digit serial counts up and each
    check digit is recomputed. Raises RangeError when the range is malformed, not valid for the
    rule, runs out of digits or is larger than MAX_RANGE.
    """
    start = start.strip()
    if _S10.fullmatch(start.upper()):
        start = start.upper()
    if (count is None) == (end is None):
        raise RangeError(_("give either a count or an end number"))
    if not validate(rule, start):
        raise RangeError(_invalid_start(rule, start))
    s10 = _S10.fullmatch(start)
    prefix, digits, suffix = _counting_parts(start, s10)
    first = int(digits)
    if end is not None:
        end = end.strip().upper() if s10 is not None else end.strip()
        last = _range_end(rule, start, end, prefix, suffix, s10 is not None, len(digits))
        count = last - first + 1
        if count < 1:
            raise RangeError(
                _(
                    "the end {end} comes before the start {start}: swap its ends, "
                    "--range {end}-{start}"
                ).format(end=end, start=start)
            )
    assert count is not None
    if count < 1:
        raise RangeError(_("the count must be at least 1, not {count}").format(count=count))
    if count > MAX_RANGE:
        raise RangeError(
            _("a range holds at most {MAX_RANGE:,} numbers, not {count:,}").format(
                MAX_RANGE=MAX_RANGE, count=count
            )
        )
    width = len(digits)
    if len(str(first + count - 1)) > width:
        raise RangeError(
            _("{count:,} numbers from {start!r} run past {value} (the number would grow)").format(
                count=count, start=start, value="9" * width
            )
        )
    if s10 is not None:
        return [
            f"{prefix}{serial}{s10_check_digit(serial)}{suffix}"
            for serial in (str(value).zfill(width) for value in range(first, first + count))
        ]
    return [f"{prefix}{str(value).zfill(width)}" for value in range(first, first + count)]


def _counting_parts(start: str, s10: re.Match[str] | None) -> tuple[str, str, str]:
    """(prefix, the digits that count up, suffix) of a range's first number."""
    if s10 is not None:
        return s10.group(1), s10.group(2), s10.group(4)
    plain = _TRAILING_DIGITS.fullmatch(start)
    if plain is None:
        raise RangeError(
            _("{start!r} does not end in digits, so it cannot count up").format(start=start)
        )
    return plain.group(1), plain.group(2), ""


def _range_end(
    rule: TrackingRule, start: str, end: str, prefix: str, suffix: str, s10: bool, width: int
) -> int:
    """The serial of `end`, which must share the start's shape (prefix, width, suffix)."""
    if s10:
        match = _S10.fullmatch(end)
        if match is None or not is_s10(end):
            raise RangeError(
                _("the end {end!r} is not a valid S10 number (check digit)").format(end=end)
            )
        if (match.group(1), match.group(4)) != (prefix, suffix):
            raise RangeError(
                _("the end {end!r} does not share the start {start!r}'s letters").format(
                    end=end, start=start
                )
            )
        return int(match.group(2))
    plain = _TRAILING_DIGITS.fullmatch(end)
    if plain is None or plain.group(1) != prefix or len(plain.group(2)) != width:
        raise RangeError(
            _(
                "the end {end!r} does not have the start {start!r}'s shape (same "
                "prefix and {width} digits)"
            ).format(end=end, start=start, width=width)
        )
    if not validate(rule, end):
        raise RangeError(
            _("the end {end} is not a valid number: numbers have {words}").format(
                end=end, words=describe_rule(rule)
            )
        )
    return int(plain.group(2))


def _invalid_start(rule: TrackingRule, start: str) -> str:
    """Why a --range start is refused; for an S10 number with a wrong check digit, the valid
    number with the same letters and serial (the likelier typo is the check digit)."""
    s10 = _S10.fullmatch(start)
    if rule.check == "s10" and s10 is not None:
        serial = s10.group(2)
        valid = f"{s10.group(1)}{serial}{s10_check_digit(serial)}{s10.group(4)}"
        return _(
            "{start} has a wrong check digit (the 9th digit): a valid start with these digits "
            "is {valid}"
        ).format(start=start, valid=valid)
    return _("{start} is not a valid number: numbers have {words}").format(
        start=start, words=describe_rule(rule)
    )


def parse_range(spec: str) -> tuple[str, str | None]:
    """Split a --range value: `START` -> (START, None); `START-END` -> (START, END).

    Only the last hyphen splits, and only when both sides are non-empty, so a number that
    itself holds a hyphen needs the `--count` form.
    """
    spec = spec.strip()
    if "-" in spec:
        start, _unused, end = spec.rpartition("-")
        if start.strip() and end.strip():
            return start.strip(), end.strip()
        raise RangeError(
            _("--range {spec!r}: write START-END or START with --count N").format(spec=spec)
        )
    if not spec:
        raise RangeError(_("--range is empty: write START-END or START with --count N"))
    return spec, None
