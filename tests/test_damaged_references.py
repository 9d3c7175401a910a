"""Long ids a spreadsheet stored as numbers: the window of ids a printed number stands for."""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd
from hypothesis import assume, given
from hypothesis import strategies as st

from batch_ship.damaged_references import damaged_reference, damaged_windows

ID_A = "4012500868239927921"
ID_B = "4012500868239946555"  # same first 14 digits as ID_A; its 15th digit is 2 more

Printer = Callable[[float], str]


def excel_cut(identifier: int) -> int:
    """What Excel keeps of a long number: 15 significant digits, the rest set to zero."""
    cut = 10 ** (len(str(identifier)) - 15)
    return identifier // cut * cut


def printers() -> st.SearchStrategy[Printer]:
    """Every way a spreadsheet or a reader prints a double it holds: Excel's 15 digits
    (`4.01250086826201E+18`), LibreOffice's and others' 1 to 17, Python's shortest repr,
    all of the double's digits."""
    scientific = st.integers(0, 16).map(lambda p: lambda d: f"{d:.{p}E}")
    general = st.integers(15, 17).map(lambda p: lambda d: f"{d:.{p}g}")
    whole: list[Printer] = [repr, lambda d: str(int(d)), lambda d: f"{d:.1f}"]
    return st.one_of(scientific, general, st.sampled_from(whole))


def window(text: str) -> tuple[int, int]:
    found = damaged_reference(text)
    assert found is not None, text
    return found


def column_window(text: str) -> tuple[int, int]:
    damaged, lows, highs = damaged_windows(pd.Series([text], dtype="str"))
    assert damaged[0], text
    return int(lows[0]), int(highs[0])


def test_damaged_reference() -> None:
    assert damaged_reference(ID_A) is not None  # 19 digits: may be a float's digits
    assert damaged_reference("123456789012345") is None  # 15 digits survive a spreadsheet
    assert damaged_reference("abc") is None
    low, high = window("4.01250086823993E+18")  # ID_A rounded to 15 digits
    assert low <= int(ID_A) <= high < int(ID_B)
    low, high = window("4.0125008682399e+18")  # 14 digits shown: a wider window
    assert low <= int(ID_A) < int(ID_B) <= high
    # Microsoft's own example (KB 269370): Excel keeps 401250086826201 and zeros the rest
    low, high = window("4.01250086826201E+18")
    assert low <= 4012500868262018137 <= high
    assert high == 4012500868262019999  # the last id that Excel cuts to this number
    # a reader printing 16 digits of the double: 518 away from the id, still inside; no
    # number Excel cut prints like this, so the window is the rounding's alone
    low, high = window("4.012501601943182e+18")
    assert low <= 4012501601943182518 <= high
    assert high - low < 2_100
    # digits beyond the decimal context's 28 are rounded, as Decimal.normalize() does
    long = int("123456789012345678901234567890")
    assert damaged_reference(str(long)) == (long - 50 - 2**44, long + 50 + 2**44)
    assert damaged_reference("00012345678901234567.8900") == (12345678901234565, 12345678901234569)
    assert damaged_reference("1e400") is None  # beyond any id (and beyond a double)
    assert damaged_reference("9.99999999999999e14") is None


LONG_IDS = st.integers(min_value=10**15, max_value=10**19 - 1)  # 16 to 19 digits


@given(LONG_IDS, printers())
def test_an_id_excel_cut_is_in_its_window_at_every_precision(
    identifier: int, shown: Printer
) -> None:
    text = shown(float(excel_cut(identifier)))
    low, high = window(text)
    assert low <= identifier <= high, text
    assert column_window(text) == (low, high)


@given(st.integers(min_value=10**15, max_value=10**22), printers())
def test_an_id_rounded_is_in_its_window_at_every_precision(identifier: int, shown: Printer) -> None:
    text = shown(float(identifier))
    low, high = window(text)
    assert low <= identifier <= high, text
    if high < 2**64:
        assert column_window(text) == (low, high)


@given(st.integers(min_value=10**18, max_value=10**19 - 1))
def test_the_window_of_15_digits_is_under_two_of_their_units(identifier: int) -> None:
    """Wide enough for both, no wider: ids two units of the 15th digit apart stay apart."""
    cut = 10 ** (len(str(identifier)) - 15)
    excel = f"{float(excel_cut(identifier)):.14E}"  # as Excel shows and writes it
    rounded = f"{float(identifier):.14E}"  # as a reader rounding to 15 digits does
    for text in (excel, rounded):
        assume(text[15] != "0")  # trailing zeros are not shown: fewer digits, a wider window
        low, high = window(text)
        assert high - low < 2 * cut + 2 * math.ulp(float(identifier)), text


def printed_ids() -> st.SearchStrategy[str]:
    """Long ids as spreadsheets and readers print them once stored as numbers, and texts
    around that form."""
    ids = st.integers(min_value=10**14, max_value=10**22)
    return st.one_of(
        st.tuples(ids, printers()).map(lambda pair: pair[1](float(pair[0]))),
        st.tuples(ids, printers()).map(lambda pair: pair[1](float(excel_cut(pair[0])))),
        ids.map(str),  # all the digits
        st.sampled_from(
            [
                "",
                "abc",
                "1e400",
                "1e25",
                "1.8e19",
                "1.9E+19",
                "-4.0E+18",
                " 4.0E+18",
                "4.0E-18",
                "0.4E+19",
                "40.1E+17",
                "4.0125008682399E+018",
                "4.E+18",
                "9.99999999999999e14",
            ]
        ),
        st.text(alphabet="0123456789.eE+-", max_size=24),
    )


@given(st.lists(printed_ids(), max_size=30))
def test_damaged_windows_is_damaged_reference_for_a_column(texts: list[str]) -> None:
    """The column reads the printed-number form in Arrow, the rest one by one: both give
    the same windows (the rule itself, damage_window, is one)."""
    damaged, lows, highs = damaged_windows(pd.Series(texts, dtype="str"))
    for text, is_damaged, low, high in zip(texts, damaged, lows, highs, strict=True):
        expected = damaged_reference(text)
        if expected is None or expected[1] >= 2**64:  # no 19-digit id is that far out
            assert (is_damaged, low, high) == (False, 0, 0), text
        else:
            assert (is_damaged, int(low), int(high)) == (True, *expected), text
