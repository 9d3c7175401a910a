"""Recipient names: trimmed, inner whitespace (full-width too) collapsed to one space."""

from __future__ import annotations

from batch_ship.problems import NAME_MISSING as MISSING

# Zero-width characters are invisible in a spreadsheet but make a "name" out of nothing.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_INVISIBLE = str.maketrans("", "", INVISIBLE)


def normalize_name(raw: str) -> str:
    """`'  张　三 '` -> `'张 三'`; '' when the name is missing (code `name-missing`)."""
    # str.split() with no argument splits on every Unicode space: U+3000, NBSP, tabs, newlines.
    return " ".join(raw.translate(_INVISIBLE).split())


def name_problem(name: str) -> str | None:
    """The reason code for a normalized name, or None."""
    return None if name else MISSING


__all__ = ["MISSING", "name_problem", "normalize_name"]
