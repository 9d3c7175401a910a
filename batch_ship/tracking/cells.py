"""A courier return's cells as text: spreadsheet debris off, numbers split out of a cell."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from batch_ship.columns import arrow_text
from batch_ship.damaged_references import EXACT_DIGITS

# Spreadsheet debris around a value: apostrophes (forced text), ="..." wrappers, quotes,
# zero-width and non-breaking spaces.
_EDGE_CHARS = " \t\r\n\v\f\u00a0\u3000\u200b\ufeff'\"=‘’“”`"
_FLOAT_TEXT = re.compile(r"\d+\.\d*(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+")
# Several numbers in one cell (a split shipment): , ; / whitespace (all that Python's \s
# takes, written out so Arrow's RE2 reads the same class) and their full-width forms.
SEPARATOR_CLASS = (
    "[,;/ \t\n\r\f\v\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000，；、／]+"
)


def clean_values(values: pd.Series) -> pd.Series:
    """Cells as text: edge debris stripped; integral numbers a spreadsheet wrote as floats
    (`773012345678.0`, `7.73012345678E+11`) back to their digits when nothing was lost."""
    texts = values.fillna("").astype("str").reset_index(drop=True)
    wide = np.flatnonzero(~texts.str.isascii().to_numpy(dtype=bool))
    if len(wide):  # full-width digits and letters: few cells, so plain Python
        patched = texts.to_numpy(dtype=object)
        patched[wide] = [unicodedata.normalize("NFKC", value) for value in patched[wide]]
        texts = pd.Series(patched, dtype="str")
    texts = texts.str.strip(_EDGE_CHARS)
    # a cheap superset of _FLOAT_TEXT first; the exact regex and Decimal only on those cells
    floaty = np.flatnonzero(texts.str.contains("[.eE]", regex=True).to_numpy(dtype=bool))
    if len(floaty):
        patched = texts.to_numpy(dtype=object)
        patched[floaty] = [
            _exact_integer(text) if _FLOAT_TEXT.fullmatch(text) else text
            for text in patched[floaty]
        ]
        texts = pd.Series(patched, dtype="str")
    return texts.astype("str")


def _exact_integer(text: str) -> str:
    """`123.0` -> `123`; a value of more than 15 digits stays as written (digits were lost)."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text
    if value != value.to_integral_value() or value >= 10**EXACT_DIGITS:
        return text
    return str(int(value))


def split_cells(cells: pd.Series) -> pd.DataFrame:
    """The tracking numbers in a column of cells, in Arrow: one row per number, upper-cased,
    `row` being the cell's position, in cell order, without repeats within a cell. The one
    definition of splitting a cell (a split shipment's numbers share one)."""
    upper = pc.utf8_upper(arrow_text(cells.fillna("")))
    parts = pc.split_pattern_regex(upper, SEPARATOR_CLASS)
    numbers = pc.list_flatten(parts)
    present = np.asarray(pc.not_equal(pc.binary_length(numbers), 0), dtype=bool)
    found = pd.DataFrame(
        {
            "row": pd.Series(np.asarray(pc.list_parent_indices(parts))[present], dtype="int64"),
            "number": pd.Series(numbers.filter(pa.array(present)), dtype="str"),
        }
    )
    return found.drop_duplicates(ignore_index=True)
