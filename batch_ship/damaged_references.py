"""Long ids a spreadsheet stored as numbers: which ids a printed number can still stand for."""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from batch_ship.columns import arrow_text

EXACT_DIGITS = 15  # a spreadsheet number keeps 15 significant digits; more is damage

_NUMERIC_PARTS = re.compile(r"(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?")  # digits . digits e exp
# How spreadsheets and readers print a long id they stored as a number: one digit, a point,
# up to 16 more, an exponent (4.0125008682399E+18). Up to 10**19 the arithmetic fits uint64.
_SCIENTIFIC = r"^(?P<lead>[1-9])\.(?P<fraction>\d{1,16})[eE]\+?(?P<exponent>\d{1,2})$"
_FAST_EXPONENTS = (EXACT_DIGITS, 18)
_POWERS_OF_TEN = np.array([10**power for power in range(20)], dtype=np.uint64)
_UINT64_END = 2**64


def damage_window(value: Any, unit: Any, spacing: Any, cut: Any) -> tuple[Any, Any]:
    """The rule: the first and last id (inclusive) a printed number can stand for.

    `value` is the number as printed, `unit` the place of its last digit shown, `spacing` the
    gap between doubles there, `cut` the place of the 15th significant digit. Two things
    happen to a long id stored as a number, and either may have happened:
    - rounded (LibreOffice, most readers): the id lies within half a unit of the value shown,
      plus the double's own rounding (one spacing);
    - cut (Excel, Microsoft KB 269370): the digits after the fifteenth became zeros, so the id
      lies up to a cut above a multiple of the cut, whatever precision that number was then
      printed at. The window reaches to the end of the last such multiple within reach.

    The same arithmetic runs on NumPy arrays of uint64 (the column) and of Python ints (any
    size): operators only, no branches."""
    reach = unit // 2 + spacing
    low, high = value - reach, value + reach
    prefix = high // cut * cut  # the last multiple of the cut within reach, if any is
    return low, high + (prefix >= low) * (prefix + cut - 1 - high)


def damaged_reference(text: str) -> tuple[int, int] | None:
    """For an id a spreadsheet stored as a number (`4.0125008682399e+18`): the first and last
    id it can stand for (`damage_window`). None when the text is not such a number."""
    parts = _printed_number(text)
    if parts is None:
        return None
    low, high = damage_window(*(np.array([part], dtype=object) for part in parts))
    return int(low[0]), int(high[0])


def _printed_number(text: str) -> tuple[int, int, int, int] | None:
    """value, unit, spacing and cut (see damage_window) of a number of more than 15 digits
    written out in any way (`4.0125E+18`, `4012500868239927921.0`); None for anything else.

    The number of digits shown counts without trailing zeros: `4.0120E+18` may have been
    printed with three digits, so its unit is the widest it can be."""
    match = _NUMERIC_PARTS.fullmatch(text)
    if match is None:
        return None
    whole, fraction, exponent = match.group(1), match.group(2) or "", match.group(3)
    digits = whole + fraction
    significant = digits.lstrip("0")
    if not significant:
        return None
    if exponent is None or len(exponent) <= 4:  # plain integer arithmetic, no Decimal
        shift = (int(exponent) if exponent else 0) - len(fraction)
        adjusted = len(significant) - 1 + shift  # the power of ten of the first digit
        if adjusted < EXACT_DIGITS:
            return None
        if adjusted <= 25 and len(digits) <= 28:  # within Decimal's default precision
            coefficient = int(digits)
            value = coefficient * 10**shift if shift >= 0 else coefficient // 10**-shift
            spacing = max(1, int(math.ulp(float(text))))  # float(text) rounds as float(Decimal)
            shown = len(significant.rstrip("0"))
            unit = 10 ** max(0, adjusted - shown + 1)
            return value, unit, spacing, 10 ** (adjusted - EXACT_DIGITS + 1)
    return _printed_decimal(text)


def _printed_decimal(text: str) -> tuple[int, int, int, int] | None:
    """`_printed_number` for the rare text beyond the integer fast path."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if value < 10**EXACT_DIGITS or value.adjusted() > 300:  # no id is that long; float overflows
        return None
    spacing = max(1, int(math.ulp(float(value))))
    digits = value.normalize().as_tuple().digits
    unit = 10 ** max(0, value.adjusted() - len(digits) + 1)
    return int(value), unit, spacing, 10 ** (value.adjusted() - EXACT_DIGITS + 1)


def damaged_windows(references: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`damaged_reference` of every text in a column: a mask of the damaged ones, and the
    first and last id each can stand for (uint64; 0 elsewhere).

    The printed-number form (`4.0125008682399E+18`) is read in Arrow and NumPy; other texts
    one by one (`_printed_number`); the window of both is `damage_window`. A window reaching
    beyond uint64 is no 19-digit id's and does not count as damaged here."""
    texts = arrow_text(references)
    damaged = np.zeros(len(texts), dtype=bool)
    lows = np.zeros(len(texts), dtype=np.uint64)
    highs = np.zeros(len(texts), dtype=np.uint64)
    fast, printed_small, parts = _scientific(texts)
    lows[fast], highs[fast] = damage_window(*parts)
    damaged[fast] = True
    # printed with a smaller exponent: fewer than 16 digits, nothing lost (_printed_number
    # says None); every other text, one by one
    rest = np.flatnonzero(~fast & ~printed_small)
    found = [
        (row, parsed)
        for row, text in zip(
            rest.tolist(), pc.fill_null(texts.take(rest), "").to_pylist(), strict=True
        )
        if (parsed := _printed_number(text)) is not None
    ]
    if found:
        rows = np.array([row for row, _ in found], dtype=np.int64)
        columns = np.array([parts for _, parts in found], dtype=object)  # Python ints, any size
        low, high = damage_window(*columns.T)
        fits = high < _UINT64_END  # the window's end fits too
        rows, low, high = rows[fits], low[fits], high[fits]
        damaged[rows] = True
        lows[rows], highs[rows] = low.astype(np.uint64), high.astype(np.uint64)
    return damaged, lows, highs


def _scientific(texts: pa.Array) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, ...]]:
    """The texts in the printed-number form with an exponent from 15 to 18 (a mask), those
    with a smaller one (a mask), and the value, unit, spacing and cut of the first (uint64)."""
    parts = pc.extract_regex(texts, _SCIENTIFIC)
    printed = np.asarray(parts.is_valid(), dtype=bool)
    exponents = np.zeros(len(texts), dtype=np.int64)
    exponents[printed] = np.asarray(
        pc.cast(parts.filter(pa.array(printed)).field("exponent"), pa.int64())
    )
    low, high = _FAST_EXPONENTS
    fast = printed & (exponents >= low) & (exponents <= high)
    picked = parts.filter(pa.array(fast))
    separator = pa.scalar("", pa.large_string())
    digits = pc.binary_join_element_wise(picked.field("lead"), picked.field("fraction"), separator)
    exponent = exponents[fast]
    shift = exponent - np.asarray(pc.utf8_length(picked.field("fraction")), dtype=np.int64)
    coefficient = np.asarray(pc.cast(digits, pa.uint64()))
    values = np.where(
        shift >= 0,
        coefficient * _POWERS_OF_TEN[np.maximum(shift, 0)],
        coefficient // _POWERS_OF_TEN[np.maximum(-shift, 0)],
    )
    # float(text) and math.ulp, as _printed_number: Arrow's parse rounds correctly too
    doubles = np.asarray(pc.cast(texts.filter(pa.array(fast)), pa.float64()))
    spacing = np.maximum(1.0, np.floor(np.spacing(doubles))).astype(np.uint64)
    shown = np.asarray(pc.utf8_length(pc.utf8_rtrim(digits, characters="0")), dtype=np.int64)
    units = _POWERS_OF_TEN[np.maximum(0, exponent - shown + 1)]
    cuts = _POWERS_OF_TEN[exponent - EXACT_DIGITS + 1]
    return fast, printed & (exponents < low), (values, units, spacing, cuts)
