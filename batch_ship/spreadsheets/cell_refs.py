"""The `r` attributes of a chunk of sheet XML (the places calamine gives cells), read in NumPy."""

from __future__ import annotations

import re
from operator import itemgetter
from typing import NamedTuple

import numpy as np

# Past this a column has five letters or more: beyond Excel's last column (XFD) in any case.
BEYOND_COLUMNS = 26**4 + 1

# An `r` attribute, as calamine reads it: any quote, spaces around '=', any letter case. The
# one definition of what a place is; the NumPy reading below is held to it by
# tests/test_spreadsheets_cell_refs.py.
ANY_REF = re.compile(rb"""\sr\s*=\s*["']\s*\$?([A-Za-z]{0,6})\$?([0-9]{0,12})""")

_SPACE = np.zeros(256, dtype=bool)
_SPACE[list(b" \t\n\r")] = True
_LETTERS, _DIGITS = 6, 12  # what ANY_REF reads of a place at most
_WINDOW = np.arange(_LETTERS + _DIGITS + 1)


class Refs(NamedTuple):
    """What a chunk's `r` attributes say: the farthest row and column they name (1-based,
    0 when none), how many name a column (cells) and how many a row only (row elements)."""

    max_row: int = 0
    max_column: int = 0
    named_cells: int = 0
    named_rows: int = 0


def column_number(letters: bytes) -> int:
    """'A' -> 1, 'XFD' -> 16384 (letters already known to be A-Z/a-z)."""
    number = 0
    for byte in letters.upper():
        number = number * 26 + byte - 64
    return number


def read_refs(text: bytes, view: np.ndarray) -> Refs:
    """The `r` attributes of `text` (`view`: its bytes, padded by three). Spelt ' r="' as
    writers put them, they are read in NumPy; a chunk with any other spelling calamine
    accepts ('A1', r = "A1", a tab before r, a '$') takes the regular expression."""
    places = _plain_places(view)
    found = _read_in_numpy(view, places) if places is not None else None
    return found if found is not None else read_by_pattern(text)


def read_by_pattern(text: bytes) -> Refs:
    """`read_refs` by ANY_REF alone: every spelling, a Python object per attribute."""
    refs = ANY_REF.findall(text)
    names = list(map(itemgetter(0), refs))
    unnamed = names.count(b"")
    letters = set(names)
    letters.discard(b"")
    digits = set(map(itemgetter(1), refs))
    digits.discard(b"")
    widest = max(letters, key=lambda name: (len(name), name.upper()), default=b"")
    return Refs(
        max_row=max(map(int, digits), default=0),  # 12 digits at most: int() stays cheap
        max_column=BEYOND_COLUMNS if len(widest) > 4 else column_number(widest),
        named_cells=len(names) - unnamed,
        named_rows=unnamed,
    )


def _plain_places(view: np.ndarray) -> np.ndarray | None:
    """Where each `r` attribute's value starts, when every one is spelt ' r="': no whitespace
    before any '=', only a space before 'r=' and a double quote after it (a 'dtr=' of a data
    table is another attribute). None when one is spelt otherwise."""
    equals = np.flatnonzero(view[1:-3] == ord("=")) + 1
    before = view[equals - 1]
    if _SPACE[before].any():  # 'r =', spaced as calamine allows
        return None
    attribute = equals[(before == ord("r")) & (equals >= 2)]
    lead = view[attribute - 2]
    spaced = _SPACE[lead]
    attribute = attribute[spaced]
    if (lead[spaced] != ord(" ")).any() or (view[attribute + 1] != ord('"')).any():
        return None
    starts: np.ndarray = attribute + 2
    return starts


def _read_in_numpy(view: np.ndarray, places: np.ndarray) -> Refs | None:
    """ANY_REF's reading of the values starting at `places`, as arrays; None when one holds a
    '$' (an absolute place, left to the pattern)."""
    if not len(places):
        return Refs()
    window = np.take(view, places[:, None] + _WINDOW, mode="clip")
    if (window == ord("$")).any():
        return None
    lower = window | 0x20
    letter = (lower >= ord("a")) & (lower <= ord("z"))
    letters = np.minimum(_run(letter), _LETTERS)
    rows = np.arange(len(places))[:, None]
    digit_window = letters[:, None] + np.arange(_DIGITS + 1)
    digits = window[rows, digit_window]
    digit = (digits >= ord("0")) & (digits <= ord("9"))
    count = np.minimum(_run(digit), _DIGITS)
    named = letters > 0
    return Refs(
        max_row=_max_row(digits[:, :_DIGITS] - ord("0"), count),
        max_column=_max_column(window[:, :4], letters),
        named_cells=int(named.sum()),
        named_rows=int((~named).sum()),
    )


def _run(flags: np.ndarray) -> np.ndarray:
    """How many leading True each row of `flags` holds."""
    runs: np.ndarray = np.where(flags.all(axis=1), flags.shape[1], np.argmin(flags, axis=1))
    return runs


def _max_number(figures: np.ndarray, count: np.ndarray, base: int, significant: np.ndarray) -> int:
    """The largest number the first `count` figures of each row spell in `base` (0 if none).
    Only the rows with the most `significant` figures (those after any leading zeros) are
    weighed: no other row can spell a larger number."""
    longest = int(significant.max(initial=0))
    if longest == 0:
        return 0
    picked = significant == longest
    top, count = figures[picked].astype(np.int64), count[picked]
    exponent = count[:, None] - 1 - np.arange(top.shape[1])
    weights = np.where(exponent >= 0, base ** np.clip(exponent, 0, None), 0)
    return int((top * weights).sum(axis=1).max())


def _max_row(figures: np.ndarray, count: np.ndarray) -> int:
    """The farthest row the digits name ('00000001' is row 1)."""
    significant = count - np.minimum(_run(figures == 0), count)
    return _max_number(figures, count, 10, significant)


def _max_column(window: np.ndarray, letters: np.ndarray) -> int:
    """The farthest column the leading letters name (BEYOND_COLUMNS past four letters)."""
    if bool((letters > 4).any()):
        return BEYOND_COLUMNS
    figures = (window & ~np.uint8(0x20)).astype(np.int64) - 64  # 'A'/'a' -> 1
    return _max_number(figures, letters, 26, letters)  # no letter is a zero
