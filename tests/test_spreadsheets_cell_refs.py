"""Cell places read in NumPy agree with the one pattern that defines them, in every spelling."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from batch_ship.spreadsheets.cell_refs import (
    BEYOND_COLUMNS,
    Refs,
    column_number,
    read_by_pattern,
    read_refs,
)


def padded(text: bytes) -> np.ndarray:
    return np.frombuffer(text + b"   ", dtype=np.uint8)


def test_column_number() -> None:
    assert [column_number(name) for name in (b"A", b"Z", b"AA", b"xfd")] == [1, 26, 27, 16384]


def test_plain_places() -> None:
    text = b'<row r="7"><c r="B7" t="s"><v>1</v></c><c r="xfd2"/></row>'
    assert read_refs(text, padded(text)) == Refs(
        max_row=7, max_column=16384, named_cells=2, named_rows=1
    )


def test_five_letters_are_beyond_every_column() -> None:
    text = b'<c r="ABCDE1"/><c r="ABCDEFGHI99"/>'
    assert read_refs(text, padded(text)).max_column == BEYOND_COLUMNS


def test_no_place_at_all() -> None:
    text = b"<row><c><v>1</v></c></row>"
    assert read_refs(text, padded(text)) == Refs()


PLACE = st.text(alphabet="AbXz$0123456789", max_size=20)
SPELLING = st.sampled_from([' r="{}"', " r='{}'", ' r = "{}"', '\tr="{}"', ' dtr="{}"', ' r="{}"'])
FILLER = st.sampled_from(["<c", "/>", "<v>1</v>", ' t="s"', "</row>", ' s="3"', "r=", "="])


@given(st.lists(st.tuples(FILLER, SPELLING, PLACE), max_size=12))
def test_numpy_reading_is_the_patterns(parts: list[tuple[str, str, str]]) -> None:
    text = "".join(filler + spelling.format(place) for filler, spelling, place in parts).encode()
    assert read_refs(text, padded(text)) == read_by_pattern(text)


@given(st.lists(st.tuples(FILLER, st.text(alphabet="AbXz0123456789", max_size=20)), max_size=12))
def test_writers_spelling_read_in_numpy_is_the_patterns(parts: list[tuple[str, str]]) -> None:
    # ' r="…"' without '$' only: the NumPy reading itself, never the pattern's fallback
    text = "".join(f'{filler} r="{place}"' for filler, place in parts).encode()
    assert read_refs(text, padded(text)) == read_by_pattern(text)


def test_at_most_six_letters_and_twelve_digits_are_read() -> None:
    text = b'<c r="A12345678901234"/><c r="ABCDEFG9"/><row r="5">'
    expected = Refs(max_row=123456789012, max_column=BEYOND_COLUMNS, named_cells=2, named_rows=1)
    assert read_refs(text, padded(text)) == read_by_pattern(text) == expected


def test_leading_zeros_hide_no_row() -> None:
    # a longer place is not a larger one: '00000001' is row 1, beside row 1,048,576
    text = b'<c r="A00000001"/><c r="XFD1048576"/><c r="B000000000000"/>'
    assert read_refs(text, padded(text)).max_row == 1_048_576 == read_by_pattern(text).max_row
