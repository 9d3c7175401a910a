"""Tracking-number rules from courier templates: validation and consecutive ranges."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from batch_ship.i18n import _

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


# --- the rule in words -----------------------------------------------------------------------
# A seller reads "12 digits, or 14 digits starting with 73-76 or 78", never the pattern. The
# words are worked out from the pattern itself (one definition of the rule), for the subset
# templates use: literals, \d, [classes], (?:a|b) groups, {n} and {n,m}.

_TOKEN = re.compile(r"\\d|\[[^\]]+\]|\(\?:[^)]*\)|[A-Za-z0-9]|\{(\d+)(?:,(\d+))?\}|\|")


@dataclass(frozen=True)
class _Atom:
    chars: frozenset[str] | None  # None: a group of alternatives
    options: tuple[str, ...] = ()  # a group's literal alternatives
    low: int = 1
    high: int = 1


_DIGITS = frozenset("0123456789")
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _class_chars(body: str) -> frozenset[str]:
    chars: set[str] = set()
    index = 0
    while index < len(body):
        if index + 2 < len(body) and body[index + 1] == "-":
            chars.update(chr(code) for code in range(ord(body[index]), ord(body[index + 2]) + 1))
            index += 3
        else:
            chars.add(body[index])
            index += 1
    return frozenset(chars)


def _alternatives(pattern: str) -> list[list[_Atom]] | None:
    """The pattern as alternatives of atoms, or None when it uses anything else."""
    alternatives: list[list[_Atom]] = [[]]
    position = 0
    while position < len(pattern):
        match = _TOKEN.match(pattern, position)
        if match is None:
            return None
        token = match.group(0)
        position = match.end()
        atoms = alternatives[-1]
        if token == "|":
            alternatives.append([])
        elif token.startswith("{"):
            if not atoms:
                return None
            low = int(match.group(1))
            high = int(match.group(2)) if match.group(2) else low
            atoms[-1] = _Atom(atoms[-1].chars, atoms[-1].options, low, high)
        elif token == r"\d":
            atoms.append(_Atom(_DIGITS))
        elif token.startswith("[") and "^" not in token:
            atoms.append(_Atom(_class_chars(token[1:-1])))
        elif token.startswith("(?:"):
            options = tuple(token[3:-1].split("|"))
            if not all(option.isalnum() for option in options):
                return None
            atoms.append(_Atom(None, options))
        elif token.isalnum():
            atoms.append(_Atom(frozenset(token)))
        else:
            return None
    return alternatives


def _prefixes(atoms: list[_Atom]) -> tuple[list[str], list[_Atom]]:
    """The fixed start of an alternative (every string it can be) and the atoms after it."""
    prefixes = [""]
    for index, atom in enumerate(atoms):
        if atom.chars is None and atom.low == atom.high == 1:
            choices = list(atom.options)
        elif atom.chars is not None and len(atom.chars) <= 10 and atom.low == atom.high:
            choices = sorted(atom.chars) if atom.low == 1 else []
        else:
            choices = []
        if not choices:
            return (prefixes if prefixes != [""] else []), atoms[index:]
        prefixes = [start + choice for start in prefixes for choice in choices]
    return prefixes, []


def _count(low: int, high: int) -> str:
    if low == high:
        return str(low)
    if high == low + 1:
        return _("{low} or {high}").format(low=low, high=high)
    return _("{low} to {high}").format(low=low, high=high)


def _kind(chars: frozenset[str]) -> str:
    if chars <= _DIGITS:
        return "digits"
    if chars <= _LETTERS | {letter.lower() for letter in _LETTERS}:
        return "letters"
    return "letters or digits"


def _amount(kind: str, low: int, high: int) -> str:
    count = _count(low, high)
    if kind == "digits":
        return _("{count} digits").format(count=count)
    if kind == "letters":
        return _("{count} letters").format(count=count)
    return _("{count} letters or digits").format(count=count)


def _starts(prefixes: list[str]) -> str:
    """73, 74, 75, 76, 78 -> '73-76 or 78'."""
    ordered = sorted(set(prefixes))
    parts: list[str] = []
    if all(p.isdigit() for p in ordered) and len({len(p) for p in ordered}) == 1:
        runs: list[list[str]] = []
        for prefix in ordered:
            if runs and int(prefix) == int(runs[-1][-1]) + 1:
                runs[-1].append(prefix)
            else:
                runs.append([prefix])
        for run in runs:
            parts += run if len(run) < 3 else [f"{run[0]}-{run[-1]}"]
    else:
        parts = ordered
    if len(parts) == 1:
        return parts[0]
    return _("{some} or {last}").format(some=", ".join(parts[:-1]), last=parts[-1])


def _alternative_words(atoms: list[_Atom], check: str | None) -> str:
    prefixes, rest = _prefixes(atoms)
    runs: list[tuple[str, int, int]] = []  # consecutive atoms of one kind merged
    for atom in rest:
        kind = _kind(atom.chars or frozenset())
        if runs and runs[-1][0] == kind:
            runs[-1] = (kind, runs[-1][1] + atom.low, runs[-1][2] + atom.high)
        else:
            runs.append((kind, atom.low, atom.high))
    if check == "s10" and [(k, lo) for k, lo, _hi in runs] == [
        ("letters", 2), ("digits", 9), ("letters", 2)
    ]:  # fmt: skip
        return _("2 letters, 9 digits (the last a check digit) and 2 letters")
    if (
        prefixes
        and all(p.isdigit() for p in prefixes)
        and all(k == "digits" for k, *_unused in runs)
    ):
        width = len(prefixes[0])
        low = width + sum(lo for _k, lo, _hi in runs)
        high = width + sum(hi for _k, _lo, hi in runs)
        return _("{amount} starting with {starts}").format(
            amount=_amount("digits", low, high), starts=_starts(prefixes)
        )
    pieces = [_amount(kind, low, high) for kind, low, high in runs]
    body = (
        pieces[0]
        if len(pieces) == 1
        else _("{some} and {last}").format(some=", ".join(pieces[:-1]), last=pieces[-1])
    )
    if prefixes:
        return _("{starts} followed by {rest}").format(starts=_starts(prefixes), rest=body)
    return body


def describe_rule(rule: TrackingRule) -> str:
    """The rule in words: `12 digits, or 14 digits starting with 73-76 or 78`."""
    alternatives = _alternatives(rule.pattern)
    if alternatives is None or any(not atoms for atoms in alternatives):
        return _("the form the courier template's [tracking] rule gives")
    words = [_alternative_words(atoms, rule.check) for atoms in alternatives]
    return _(", or ").join(words)
