"""A return's cells: spreadsheet debris cleaned off, several numbers split out of one cell."""

from __future__ import annotations

import re

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from batch_ship.tracking import clean_values, split_cells
from tests.tracking_rows import ID_A

# The rule as Python's re reads it (\s and the full-width separators): the oracle that the
# one definition, `split_cells` in Arrow's RE2, is held to.
_SEPARATOR = re.compile(r"[,;/\s，；、／]+")


def split_numbers(cell: str) -> list[str]:
    """The numbers of one cell, upper-cased, in order, without repeats (the plain rule)."""
    parts = (part.upper() for part in _SEPARATOR.split(cell) if part)
    return list(dict.fromkeys(parts))


def split_one(cell: str) -> list[str]:
    """`split_cells` of a single cell."""
    return split_cells(pd.Series([cell], dtype="str"))["number"].tolist()


def test_clean_values() -> None:
    values = pd.Series(
        [
            "'773012345678",
            ' ="4012500868239927921" ',
            "773012345678.0",
            "7.73012345678E+11",
            "4.0125008682399e+18",
            None,
            "\u200bYT1\u00a0",
        ]
    )
    assert clean_values(values).tolist() == [
        "773012345678",
        ID_A,
        "773012345678",
        "773012345678",
        "4.0125008682399e+18",
        "",
        "YT1",
    ]


def test_full_width_characters_become_plain() -> None:
    assert clean_values(pd.Series(["７７３０１２３４５６７８", "ＳＦ１２"])).tolist() == [
        "773012345678",
        "SF12",
    ]


def test_split_numbers() -> None:
    for split in (split_one, split_numbers):
        assert split("773012345678, 773012345679;773012345680/773012345681 773012345682") == [
            "773012345678",
            "773012345679",
            "773012345680",
            "773012345681",
            "773012345682",
        ]
        assert split("sf1，SF1、sf2") == ["SF1", "SF2"]
        assert split("") == []


_CELL = st.text(alphabet="7730Sf-,;/ \t\u3000\u00a0\u2009，；、／\u200b", max_size=24)


@given(st.lists(_CELL, max_size=6))
def test_split_cells_splits_as_split_numbers_does(cells: list[str]) -> None:
    """The column (Arrow, RE2) and the single cell (Python re) agree on every separator."""
    found = split_cells(pd.Series(cells, dtype="str"))
    per_cell = [found.loc[found["row"] == row, "number"].tolist() for row in range(len(cells))]
    assert per_cell == [split_numbers(cell) for cell in cells]
