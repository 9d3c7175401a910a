"""Tracking's rows as typed values: a return's rows in, the reconcile workbook's problem rows
out (their codes: batch_ship.problems)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import pandas as pd

# The matched sheet's columns (a frame: it has a row per parcel, up to a million), and the
# parcel_id that finds each row's parcel again (not shown).
MATCHED_COLUMNS = ("reference", "tracking", "status", "method", "source")


@dataclass(frozen=True)
class ReturnRows:
    """Courier returns' rows (`read_return` says their columns) and whether any return had
    a name or a phone column: only then can those confirm a reference a spreadsheet damaged."""

    frame: pd.DataFrame
    has_name: bool = False
    has_phone: bool = False


class UnknownRow(NamedTuple):
    """A return row (or a range number) that fits no parcel of the batch."""

    source: str  # the file's name, or the range as given
    row: int | None  # the spreadsheet row; None for a range number
    reference: str
    tracking: str  # the row's numbers, comma-joined as the sheet shows them
    reason: str  # UNKNOWN_REFERENCE, DIGITS_LOST, NO_REFERENCE or UNUSED_RANGE_NUMBER


class InvalidRow(NamedTuple):
    """A number that breaks the courier's number rule."""

    source: str  # "<file> row <n>", or the range
    reference: str
    number: str
    reason: str  # INVALID_NUMBER
    rule: str  # the rule in words


class DuplicateRow(NamedTuple):
    """A number refused because it is given twice here, or another parcel holds it."""

    source: str
    reference: str
    number: str
    reason: str  # DUPLICATE_IN_FILE or USED_BY_ANOTHER_PARCEL
    held_by: str  # the holder's reference (or "parcel <id> (another batch)"); "" in the file


class ConflictRow(NamedTuple):
    """A parcel holding other numbers than the return gives it."""

    reference: str
    recorded: str  # comma-joined, as recorded
    returned: str  # comma-joined, as returned
    source: str
    applied: bool  # replaced (import-tracking --replace)
