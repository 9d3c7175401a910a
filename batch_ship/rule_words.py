"""A tracking-number rule in words a seller reads: worked out from the rule's own pattern."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from batch_ship.i18n import _

if TYPE_CHECKING:
    from batch_ship.tracking_numbers import TrackingRule

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
