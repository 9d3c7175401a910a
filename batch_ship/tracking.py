"""Tracking numbers back: courier returns and ranges, validation, matching, recording, uploads."""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from batch_ship.columns import arrow_text
from batch_ship.couriers import Courier, get_courier, load_couriers
from batch_ship.damaged_references import EXACT_DIGITS, damaged_reference, damaged_windows
from batch_ship.errors import BatchShipError, InputError, LedgerError, missing_file
from batch_ship.file_kinds import (
    CHILD_HEADERS,
    HEADER_SCAN_ROWS,
    NAME_HEADERS,
    PHONE_HEADERS,
    REFERENCE_HEADERS,
    TRACKING_HEADERS,
    FileKind,
    Layouts,
    WrongFileError,
    find_kind,
    header_key,
    our_layouts,
)
from batch_ship.headings import RECONCILE_HEADERS, RECONCILE_SHEETS
from batch_ship.i18n import N_, _
from batch_ship.imports import next_import
from batch_ship.ledger import (
    BatchRef,
    Ledger,
    TrackingAssignment,
    assignment_columns,
    iso_time,
    shipped_rows,
)
from batch_ship.progress import Progress, StepTimer, no_progress
from batch_ship.publish import open_ledger, publication
from batch_ship.spreadsheets.background import PendingWrite, WorkbookWriter
from batch_ship.spreadsheets.read import read_table
from batch_ship.spreadsheets.write import estimated_size, write_workbook
from batch_ship.tracking_numbers import (
    RangeError,
    TrackingRule,
    describe_rule,
    number_range,
    parse_range,
    validate_all,
)
from batch_ship.uploads import (
    Marketplace,
    load_marketplace,
    render_upload,
    upload_frame,
)
from batch_ship.workspace import Workspace

log = logging.getLogger(__name__)

_RETURN_HINT = N_("download the return again from the courier's site (or save it as .xlsx)")

# Spreadsheet debris around a value: apostrophes (forced text), ="..." wrappers, quotes,
# zero-width and non-breaking spaces.
_EDGE_CHARS = " \t\r\n\v\f\u00a0\u3000\u200b\ufeff'\"=‘’“”`"
_FLOAT_TEXT = re.compile(r"\d+\.\d*(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+")
# masked phones and names in returns (phone_fits, name_fits)
_NOT_PHONE_SHOWN = re.compile(r"[^\d*]")
_NOT_DIGIT = re.compile(r"\D")
_STARS = re.compile(r"\*+")
_SPACE = re.compile(r"\s")
_NAME_STARS = re.compile(r"[*＊]+")
# Several numbers in one cell (a split shipment): , ; / whitespace (all that Python's \s
# takes, written out so Arrow's RE2 reads the same class) and their full-width forms.
_SEPARATOR_CLASS = (
    "[,;/ \t\n\r\f\v\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000，；、／]+"
)
_SEPARATOR = re.compile(_SEPARATOR_CLASS)
# Returns this big (about 50k rows of xlsx) get their reconcile workbook written by a second
# process. Starting one costs about a second of the other core; measured (paired runs,
# worker/without): 1.20 at 25k parcels, 1.00 at 40k, 0.97 at 60k.
BACKGROUND_BYTES = 1_500_000
BACKGROUND_PARCELS = 50_000  # --count this big, likewise
BATCH_SAMPLE = 2_000  # references looked up to find a return's batch (see _batch_from_references)

# Reason codes in the reconcile workbook (kebab-case, stable).
UNKNOWN_REFERENCE = "unknown-reference"
DIGITS_LOST = "reference-digits-lost"  # stored as a number; no single open parcel fits
NO_REFERENCE = "no-reference"
UNUSED_RANGE_NUMBER = "unused-range-number"
INVALID_NUMBER = "invalid-number"
DUPLICATE_IN_FILE = "duplicate-in-file"
USED_BY_ANOTHER_PARCEL = "used-by-another-parcel"

SUMMARY_KEYS = (
    "batch", "parcels_matched", "orders_shipped", "already_recorded", "unmatched_parcels",
    "unknown_rows", "invalid_numbers", "duplicate_numbers", "conflicts", "files",
)  # fmt: skip


@dataclass(frozen=True)
class ImportResult:
    """What one import-tracking run did. `summary()` is the contract's JSON object."""

    batch: str
    parcels_matched: int  # parcels given numbers in this run (new, plus replaced conflicts)
    orders_shipped: int  # orders that became shipped in this run
    already_recorded: int  # parcels whose numbers were already in the ledger
    unmatched_parcels: int  # parcels of the batch still awaiting tracking after this run
    unknown_rows: int  # return rows (and unused range numbers) that fit no parcel
    invalid_numbers: int
    duplicate_numbers: int
    conflicts: int  # parcels holding a different number than the return says
    files: tuple[Path, ...]
    unused_numbers: int = 0  # range numbers left over (counted in unknown_rows too)
    replaced: int = 0  # conflicts applied because of replace=True
    seconds: float = 0.0
    steps: tuple[tuple[str, float], ...] = ()  # seconds per step (read, match, ledger-…, write)

    def summary(self) -> dict[str, Any]:
        return {
            "batch": self.batch,
            "parcels_matched": self.parcels_matched,
            "orders_shipped": self.orders_shipped,
            "already_recorded": self.already_recorded,
            "unmatched_parcels": self.unmatched_parcels,
            "unknown_rows": self.unknown_rows,
            "invalid_numbers": self.invalid_numbers,
            "duplicate_numbers": self.duplicate_numbers,
            "conflicts": self.conflicts,
            "files": [str(path) for path in self.files],
        }


@dataclass(frozen=True)
class ReturnColumns:
    """Where the columns of one return are (0-based positions in its grid)."""

    header_row: int
    tracking: int
    reference: int
    name: int | None = None
    phone: int | None = None
    children: int | None = None  # 子单号: the other waybills of a multi-piece parcel


_NO_NUMBERS = pd.DataFrame(
    {
        "parcel_id": pd.Series([], dtype="int64"),
        "number": pd.Series([], dtype="str"),
        "source": pd.Series([], dtype="str"),
    }
)


@dataclass
class _Plan:
    """Everything decided before the ledger changes (a working value inside this module)."""

    # the new numbers as columns parcel_id, number, source: no object per number
    fresh: pd.DataFrame = field(default_factory=lambda: _NO_NUMBERS)
    replace: list[TrackingAssignment] = field(default_factory=list)
    matched: list[pd.DataFrame] = field(default_factory=list)  # chunks of the matched sheet
    unknown: list[dict[str, Any]] = field(default_factory=list)
    invalid: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    already: set[int] = field(default_factory=set)
    unused: int = 0

    @property
    def new(self) -> list[TrackingAssignment]:
        """The new numbers as assignments (for callers that want values, not columns)."""
        return list(
            map(
                TrackingAssignment,
                self.fresh["parcel_id"].tolist(),
                self.fresh["number"].tolist(),
                self.fresh["source"].tolist(),
            )
        )


# --- cleaning -------------------------------------------------------------------------------


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


def split_numbers(cell: str) -> list[str]:
    """The tracking numbers in one cell, upper-cased, in order, without repeats."""
    if not cell:
        return []
    if _SEPARATOR.search(cell) is None:  # the common case: one number
        return [cell.upper()]
    parts = (part.upper() for part in _SEPARATOR.split(cell) if part)
    return list(dict.fromkeys(parts))


def phone_fits(returned: str, recorded: str) -> bool:
    """Whether a return's phone (maybe masked `138****5678`, maybe +86) can be the recorded one.
    An empty phone confirms nothing and denies nothing."""
    shown = _NOT_PHONE_SHOWN.sub("", returned)
    if not shown.strip("*"):
        return True
    digits = _NOT_DIGIT.sub("", recorded)
    if "*" in shown:
        pieces = _STARS.split(shown)
        head, tail = pieces[0], pieces[-1]
        return digits.startswith(head.removeprefix("86")) and digits.endswith(tail)
    if len(shown) == 13 and shown.startswith("86"):
        shown = shown[2:]
    if shown == digits:
        return True
    return len(shown) >= 7 and (digits.startswith(shown) or digits.endswith(shown))


def name_fits(returned: str, recorded: str) -> bool:
    """Whether a return's name (maybe masked `张*`) can be the recorded one."""
    shown = _SPACE.sub("", returned)
    if not shown.strip("*＊"):
        return True
    name = _SPACE.sub("", recorded)
    pieces = _NAME_STARS.split(shown)
    if len(pieces) == 1:
        return shown == name
    return name.startswith(pieces[0]) and name.endswith(pieces[-1])


# --- reading returns ------------------------------------------------------------------------


def _first_match(keys: list[str], wanted: Sequence[str], taken: Collection[int]) -> int | None:
    for header in wanted:
        key = header_key(header)
        for position, candidate in enumerate(keys):
            if candidate == key and position not in taken:
                return position
    return None


def find_return_columns(
    grid: pd.DataFrame,
    path: Path,
    reference_headers: Sequence[str] = (),
    fallback_headers: Sequence[str] = (),
) -> ReturnColumns:
    """Locate the header row (title rows may sit above it) and the columns of a return.

    The reference column is the first of `reference_headers` (the batch's courier's own name
    for it), then the usual names, then `fallback_headers` (other couriers' names: STO's 备注
    must not win over an 订单编号 column when the courier is not known)."""
    references = (*reference_headers, *REFERENCE_HEADERS, *fallback_headers)
    tracking_keys = {header_key(header) for header in TRACKING_HEADERS}
    fallback: int | None = None
    for row in range(min(len(grid), HEADER_SCAN_ROWS)):
        keys = [header_key(cell) for cell in grid.iloc[row].tolist()]
        if not tracking_keys.intersection(keys):
            continue
        tracking = _first_match(keys, TRACKING_HEADERS, ())
        assert tracking is not None
        reference = _first_match(keys, references, (tracking,))
        if reference is None:
            fallback = row if fallback is None else fallback
            continue
        taken = {tracking, reference}
        name = _first_match(keys, NAME_HEADERS, taken)
        phone = _first_match(keys, PHONE_HEADERS, taken | ({name} if name is not None else set()))
        children = _first_match(keys, CHILD_HEADERS, taken)
        return ReturnColumns(row, tracking, reference, name, phone, children)
    if fallback is not None:
        seen = ", ".join(str(cell) for cell in grid.iloc[fallback].tolist() if str(cell).strip())
        raise InputError(
            _(
                "no reference column (our order number) beside the tracking column; headers: {seen}"
            ).format(seen=seen),
            path=path,
            row=fallback + 1,
            hint=_(
                "name the column holding our order numbers {value} (or 订单编号), or "
                "assign numbers in submission order with --range"
            ).format(value=references[0]),
        )
    raise InputError(
        _("no tracking-number column ({value}) in the first {HEADER_SCAN_ROWS} rows").format(
            value=", ".join(TRACKING_HEADERS[:8]), HEADER_SCAN_ROWS=HEADER_SCAN_ROWS
        ),
        path=path,
        hint=_("check that this is the courier's return, or rename its tracking column 运单号"),
    )


def _read_grid(path: Path) -> pd.DataFrame:
    """Every cell of the file's first sheet as text, no header applied, columns 0..n-1."""
    if not path.is_file():
        raise missing_file(path)
    try:
        grid = read_table(path)
    except BatchShipError as error:
        error.hint = _(_RETURN_HINT)  # the reader's hint speaks of the seller centre's reports
        raise
    except Exception as error:  # any other reader failure on a hostile or corrupt file
        raise InputError(
            _("cannot read the file ({name__}: {error})").format(
                name__=type(error).__name__, error=error
            ),
            path=path,
            hint=_(_RETURN_HINT),
        ) from error
    grid.columns = pd.RangeIndex(grid.shape[1])
    return grid


def read_return(
    path: Path,
    reference_headers: Sequence[str] = (),
    fallback_headers: Sequence[str] = (),
    layouts: Layouts | None = None,
) -> pd.DataFrame:
    """One courier return as rows: source, row (spreadsheet row, 1-based), reference, cell
    (the tracking cell, maybe several numbers), name, phone. Blank rows are dropped. A file
    of another kind (an order report, one of our own files) is refused, saying what it is."""
    grid = _read_grid(path)
    kind, whose, _unused = find_kind(grid, layouts)
    # The marketplace's upload layout (订单编号, 物流公司, 运单号) is also how some couriers and
    # tools hand numbers back: read like any return (our own upload again records nothing).
    if kind not in (FileKind.COURIER_RETURN, FileKind.UPLOAD, FileKind.OTHER):
        raise WrongFileError(kind, whose, path, _("a courier return"))
    columns = find_return_columns(grid, path, reference_headers, fallback_headers)
    body = grid.iloc[columns.header_row + 1 :]
    count = len(body)

    def column(position: int | None) -> pd.Series:
        if position is None:
            return pd.Series([""] * count, dtype="str")
        return clean_values(body[position])

    references, cells = column(columns.reference), column(columns.tracking)
    if columns.children is not None:  # the main number first, then the other pieces'
        children = column(columns.children)
        cells = cells.where(children == "", cells + "," + children)
    keep = np.flatnonzero(((references != "") | (cells != "")).to_numpy(dtype=bool))

    def plain(position: int | None) -> pd.Series:
        # names and phones only confirm damaged references: whitespace trimmed is enough
        if position is None:
            return pd.Series([""] * len(keep), dtype="str")
        return body[position].iloc[keep].str.strip().reset_index(drop=True)

    def kept(values: pd.Series) -> pd.Series:
        return values.iloc[keep].reset_index(drop=True).astype("str")

    rows = pd.DataFrame(
        {
            "source": pd.Series([path.name] * len(keep), dtype="str"),
            "row": pd.Series(keep + (columns.header_row + 2), dtype="int64"),
            "reference": kept(references),
            "cell": kept(cells),
            "name": plain(columns.name),
            "phone": plain(columns.phone),
        }
    )
    rows.attrs["has_name"] = columns.name is not None
    rows.attrs["has_phone"] = columns.phone is not None
    return rows


def read_returns(
    paths: Sequence[Path],
    reference_headers: Sequence[str] = (),
    fallback_headers: Sequence[str] = (),
    layouts: Layouts | None = None,
) -> pd.DataFrame:
    """All returns, one after the other; attrs say whether any had name / phone columns."""
    frames = [read_return(path, reference_headers, fallback_headers, layouts) for path in paths]
    rows = pd.concat(frames, ignore_index=True) if frames else _empty_rows()
    rows.attrs["has_name"] = any(frame.attrs.get("has_name") for frame in frames)
    rows.attrs["has_phone"] = any(frame.attrs.get("has_phone") for frame in frames)
    return rows


def _empty_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            name: pd.Series([], dtype="str")
            for name in ("source", "reference", "cell", "name", "phone")
        }
    ).assign(row=pd.Series([], dtype="int64"))


# --- matching -------------------------------------------------------------------------------


def split_cells(cells: pd.Series) -> pd.DataFrame:
    """`split_numbers` for a column of cells, in Arrow: one row per number, `row` being the
    cell's position, in cell order, without repeats within a cell."""
    upper = pc.utf8_upper(arrow_text(cells.fillna("")))
    parts = pc.split_pattern_regex(upper, _SEPARATOR_CLASS)
    numbers = pc.list_flatten(parts)
    present = np.asarray(pc.not_equal(pc.binary_length(numbers), 0), dtype=bool)
    found = pd.DataFrame(
        {
            "row": pd.Series(np.asarray(pc.list_parent_indices(parts))[present], dtype="int64"),
            "number": pd.Series(numbers.filter(pa.array(present)), dtype="str"),
        }
    )
    return found.drop_duplicates(ignore_index=True)


def _order_lookup(parcels: pd.DataFrame) -> tuple[pa.Array, np.ndarray]:
    """Every order id of the batch and the position (row in `parcels`) of its parcel: each
    parcel's reference first, then the other orders of merged parcels, so a reference wins
    should an id ever appear twice. Empty ids are left out."""
    references = arrow_text(parcels["reference"].fillna(""))
    lists = pc.split_pattern(arrow_text(parcels["order_ids"].fillna("")), ",")
    orders = pc.list_flatten(lists)
    owners = np.asarray(pc.list_parent_indices(lists), dtype=np.int64)
    others = pc.not_equal(orders, references.take(pa.array(owners)))
    keys = pa.concat_arrays([references, orders.filter(others)])
    positions = np.concatenate(
        [np.arange(len(parcels), dtype=np.int64), owners[np.asarray(others, dtype=bool)]]
    )
    present = pc.not_equal(pc.binary_length(keys), 0)
    return keys.filter(present), positions[np.asarray(present, dtype=bool)]


def match_rows(
    rows: pd.DataFrame, parcels: pd.DataFrame, *, has_name: bool = True, has_phone: bool = True
) -> pd.DataFrame:
    """Add parcel_id (Int64, <NA> when none) and method ('exact', 'digits', '') to return rows.

    Exact reference first. A reference a spreadsheet stored as a number is matched by its
    surviving digits (and the recipient's phone and name, when the return has those columns)
    only when exactly one open parcel fits: one with no number yet and no exact row here, or
    one already holding this row's numbers (a re-import)."""
    keys, owners = _order_lookup(parcels)
    references = arrow_text(rows["reference"].fillna(""))
    found_at = pc.fill_null(pc.index_in(references, value_set=keys), -1).to_numpy()
    at = np.where(found_at >= 0, owners[found_at], -1)  # row in parcels, -1 for none
    method = np.where(at >= 0, "exact", "").astype(object)
    misses = np.flatnonzero((at < 0) & np.asarray(pc.not_equal(pc.binary_length(references), 0)))
    if len(misses):
        fuzzy = _match_damaged(
            rows.iloc[misses].reset_index(drop=True),
            parcels,
            keys,
            owners,
            claimed=at[at >= 0],
            has_name=has_name,
            has_phone=has_phone,
        )
        at[misses] = fuzzy
        method[misses[fuzzy >= 0]] = "digits"
    parcel_ids = parcels["parcel_id"].to_numpy(dtype=np.int64)
    found = pd.arrays.IntegerArray(np.where(at >= 0, parcel_ids[at], 0), at < 0)
    return rows.reset_index(drop=True).assign(
        parcel_id=pd.Series(found, dtype="Int64"), method=pd.Series(method, dtype="str")
    )


def _match_damaged(
    misses: pd.DataFrame,
    parcels: pd.DataFrame,
    keys: pa.Array,
    owners: np.ndarray,
    *,
    claimed: np.ndarray,
    has_name: bool,
    has_phone: bool,
) -> np.ndarray:
    """For each missed row, the position (row in `parcels`) of the one open parcel its
    damaged reference fits, or -1 (not a damaged number, or no single parcel fits)."""
    chosen = np.full(len(misses), -1, dtype=np.int64)
    damaged, all_lows, all_highs = damaged_windows(misses["reference"])
    if not damaged.any():
        return chosen
    rows_of = np.flatnonzero(damaged)  # damaged row i is misses row rows_of[i]
    lows, highs = all_lows[damaged], all_highs[damaged]
    digits = np.asarray(pc.match_substring_regex(keys, r"^\d{1,19}$"), dtype=bool)
    # uint64 holds every 19-digit id, which int64 does not
    numbers = pc.cast(keys.filter(pa.array(digits)), pa.uint64()).to_numpy()
    order = np.argsort(numbers, kind="stable")
    numbers, holders = numbers[order], owners[digits][order]
    low = np.searchsorted(numbers, lows, side="left")
    high = np.searchsorted(numbers, highs, side="right")
    # every (damaged row, candidate parcel) pair, without a Python loop over windows
    sizes = high - low
    row_at = np.repeat(np.arange(len(lows)), sizes)
    starts = np.repeat(low - (np.cumsum(sizes) - sizes), sizes)
    pairs = np.unique(np.stack([row_at, holders[np.arange(len(row_at)) + starts]], axis=1), axis=0)
    if not len(pairs):
        return chosen
    row_at, at = pairs[:, 0], pairs[:, 1]
    recorded = _texts_at(parcels["tracking"], at)
    fits = (recorded == "") & ~np.isin(at, claimed)
    cells = _texts_at(misses["cell"], rows_of[row_at])
    for k in np.flatnonzero(~fits & (recorded != "")).tolist():  # a re-import: few rows
        numbers_here = set(split_numbers(cells[k]))
        fits[k] = bool(numbers_here) and numbers_here <= set(str(recorded[k]).split(",")) - {""}
    # names and phones shown in full confirm by equality; only masked ones go through Python
    for has, column, check in ((has_name, "name", name_fits), (has_phone, "phone", phone_fits)):
        if not has:
            continue
        shown = _texts_at(misses[column], rows_of[row_at])
        known = _texts_at(parcels[column], at)
        same = shown == known
        if column == "phone":  # a phone with '*' in both is compared as a mask, not text
            same &= np.array(["*" not in value for value in shown.tolist()], dtype=bool)
        for k in np.flatnonzero(fits & ~same).tolist():
            fits[k] = check(str(shown[k]), str(known[k]))
    fitting_rows, fitting_at = row_at[fits], at[fits]
    rows_found, counts = np.unique(fitting_rows, return_counts=True)
    single = np.isin(fitting_rows, rows_found[counts == 1])
    chosen[rows_of[fitting_rows[single]]] = fitting_at[single]
    return chosen


def _texts_at(column: pd.Series, rows: np.ndarray) -> np.ndarray:
    """column[rows] as Python strings ('' for missing): taken in Arrow first, so only the
    rows asked for become Python objects."""
    picked = arrow_text(column).take(pa.array(rows, type=pa.int64()))
    return np.asarray(pc.fill_null(picked, "").to_numpy(zero_copy_only=False), dtype=object)


def plan_file_rows(
    rows: pd.DataFrame,
    parcels: pd.DataFrame,
    owners: Mapping[str, int],
    rule: TrackingRule,
    *,
    replace: bool = False,
    split: pd.DataFrame | None = None,
) -> _Plan:
    """Decide what a return does: matched, unknown, invalid, duplicate, conflicting numbers.

    `split` is `split_cells(rows["cell"])` when the caller has it already."""
    plan = _Plan()
    matched = match_rows(
        rows,
        parcels,
        has_name=bool(rows.attrs.get("has_name", True)),
        has_phone=bool(rows.attrs.get("has_phone", True)),
    )
    if split is None:
        split = split_cells(matched["cell"])
    cell_of = split["row"].to_numpy()
    counts = np.bincount(cell_of, minlength=len(matched))
    known = matched["parcel_id"].notna().to_numpy()
    unknown = np.flatnonzero(~known & (counts > 0))
    picked = matched.iloc[unknown]  # few rows: only these go through Python
    numbers_of = split[np.isin(cell_of, unknown)].groupby("row")["number"].agg(",".join)
    for position, source, row, reference in zip(
        unknown.tolist(),
        picked["source"].tolist(),
        picked["row"].tolist(),
        picked["reference"].tolist(),
        strict=True,
    ):
        reason = NO_REFERENCE if not reference else UNKNOWN_REFERENCE
        if reference and not reference.isdigit() and damaged_reference(reference):
            reason = DIGITS_LOST
        plan.unknown.append(
            {
                "source": source,
                "row": row,
                "reference": reference,
                "tracking": numbers_of[position],
                "reason": reason,
            }
        )
    applies = known[cell_of]
    chosen = matched.iloc[cell_of[applies]]
    # .array, not .to_numpy(): text stays in Arrow, without a Python string per cell
    numbers = pd.DataFrame(
        {
            "parcel_id": chosen["parcel_id"].astype("int64").to_numpy(),
            "number": split["number"][applies].array,
            "source": (chosen["source"] + " row " + chosen["row"].astype("str")).array,
            "method": chosen["method"].array,
        }
    )
    _plan_numbers(plan, numbers, parcels, owners, rule, replace=replace)
    return plan


def _plan_numbers(
    plan: _Plan,
    numbers: pd.DataFrame,
    parcels: pd.DataFrame,
    owners: Mapping[str, int],
    rule: TrackingRule,
    *,
    replace: bool,
) -> None:
    """Validate, find duplicates and conflicts, and fill the plan's assignments.

    `numbers` has one row per (parcel_id, number, source, method), in file order."""
    references = parcels.set_index("parcel_id")["reference"]
    numbers = numbers.assign(reference=_of_parcels(parcels, "reference", numbers["parcel_id"]))
    valid = _valid_numbers(rule, numbers["number"])
    described = describe_rule(rule)
    for item in numbers[~valid].itertuples(index=False):
        plan.invalid.append(
            {
                "source": item.source,
                "reference": item.reference,
                "number": item.number,
                "reason": INVALID_NUMBER,
                "rule": described,
            }
        )
    numbers = numbers[valid]
    # a number given to two parcels here: the (number, parcel) pairs repeat the number
    pairs = numbers.drop_duplicates(["number", "parcel_id"])["number"]
    spread = numbers["number"].isin(pairs[pairs.duplicated()]).to_numpy()
    owner = numbers["number"].map(pd.Series(owners, dtype="int64")).astype("Int64")
    taken = (owner.notna() & (owner != numbers["parcel_id"])).fillna(False).to_numpy()
    for item, is_spread, holder_id in zip(
        numbers[spread | taken].itertuples(index=False),
        spread[spread | taken].tolist(),
        owner[spread | taken].tolist(),
        strict=True,
    ):
        holder = ""
        if not is_spread:
            holder = str(references.get(holder_id, f"parcel {holder_id} (another batch)"))
        plan.duplicates.append(
            {
                "source": item.source,
                "reference": item.reference,
                "number": item.number,
                "reason": DUPLICATE_IN_FILE if is_spread else USED_BY_ANOTHER_PARCEL,
                "held_by": holder,
            }
        )
    good = numbers[~(spread | taken)].drop_duplicates(["parcel_id", "number"])
    recorded = _of_parcels(parcels, "tracking", good["parcel_id"])
    fresh = good[(recorded == "").to_numpy()]
    plan.fresh = pd.concat(
        [plan.fresh, fresh[["parcel_id", "number", "source"]].reset_index(drop=True)],
        ignore_index=True,
    )
    plan.matched.append(_per_parcel(fresh, "new"))
    held = good[(recorded != "").to_numpy()]
    if held.empty:
        return
    existing = parcels.set_index("parcel_id")["tracking"]
    statuses: dict[int, str] = {}
    for parcel_id, group in held.groupby("parcel_id", sort=False):
        wanted = group["number"].tolist()
        before = str(existing[parcel_id]).split(",")
        pid = int(str(parcel_id))
        if set(wanted) <= set(before):
            plan.already.add(pid)
            statuses[pid] = "already-recorded"
            continue
        sources = "; ".join(dict.fromkeys(group["source"].tolist()))
        plan.conflicts.append(
            {
                "reference": references[pid],
                "recorded": ",".join(before),
                "returned": ",".join(wanted),
                "source": sources,
                "applied": "yes" if replace else "no",
            }
        )
        if replace:
            statuses[pid] = "replaced"
            plan.replace.extend(
                TrackingAssignment(pid, number, source)
                for number, source in zip(wanted, group["source"].tolist(), strict=True)
            )
    for status in ("already-recorded", "replaced"):
        ids = [pid for pid, value in statuses.items() if value == status]
        plan.matched.append(_per_parcel(held[held["parcel_id"].isin(ids)], status))


def _of_parcels(parcels: pd.DataFrame, column: str, parcel_ids: pd.Series) -> pd.Series:
    """parcels[column] for each of `parcel_ids` (all of them parcels of the frame), aligned
    with `parcel_ids`."""
    rows = _rows_of(parcels, parcel_ids)
    values = arrow_text(parcels[column]).take(pa.array(rows, type=pa.int64()))
    return pd.Series(values, index=parcel_ids.index, dtype="str")


def _valid_numbers(rule: TrackingRule, numbers: pd.Series) -> np.ndarray:
    """`validate_all` on a column: the pattern runs in Arrow (RE2) over ASCII numbers, the
    Python regex loop only on the rest, and on everything when RE2 cannot run the pattern or
    a check digit is involved. On ASCII text, with re.ASCII, both engines accept the same."""
    texts = pa.array(numbers.astype("str").array)
    if rule.check or not len(texts):
        return validate_all(rule, numbers.tolist())
    try:
        found = pc.match_substring_regex(texts, f"^(?:{rule.pattern})$")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # lookarounds, backreferences
        return validate_all(rule, numbers.tolist())
    empty = pc.equal(pc.binary_length(texts), 0)
    valid = np.asarray(pc.and_(found, pc.invert(empty)).to_numpy(zero_copy_only=False), bool)
    wide = np.flatnonzero(~np.asarray(pc.string_is_ascii(texts).to_numpy(zero_copy_only=False)))
    if len(wide):
        valid[wide] = validate_all(rule, numbers.iloc[wide].tolist())
    return valid


def _per_parcel(numbers: pd.DataFrame, status: str) -> pd.DataFrame:
    """The matched sheet's rows: one per parcel, its numbers and sources joined; with the
    parcel_id (not shown) that finds the parcel again."""
    several = numbers["parcel_id"].duplicated(keep=False).to_numpy()
    single = numbers[~several]
    frame = pd.DataFrame(
        {
            "reference": single["reference"].array,
            "tracking": single["number"].array,
            "method": single["method"].array,
            "source": single["source"].array,
        }
    )
    parcel_ids = [single["parcel_id"].to_numpy(dtype=np.int64)]
    if several.any():  # split shipments: few, so plain Python
        groups: dict[int, list[tuple[str, str, str, str]]] = {}
        multi = numbers[several]
        for parcel_id, *values in zip(
            multi["parcel_id"].tolist(),
            multi["reference"].tolist(),
            multi["number"].tolist(),
            multi["method"].tolist(),
            multi["source"].tolist(),
            strict=True,
        ):
            groups.setdefault(parcel_id, []).append(tuple(values))
        joined = pd.DataFrame(
            [
                (
                    items[0][0],
                    ",".join(item[1] for item in items),
                    items[0][2],
                    "; ".join(dict.fromkeys(item[3] for item in items)),
                )
                for items in groups.values()
            ],
            columns=["reference", "tracking", "method", "source"],
        )
        frame = pd.concat([frame, joined], ignore_index=True)
        parcel_ids.append(np.fromiter(groups, dtype=np.int64, count=len(groups)))
    frame = frame.astype("str")
    frame.insert(2, "status", status)
    return frame.assign(parcel_id=pd.Series(np.concatenate(parcel_ids), dtype="int64"))


def plan_range(
    numbers: list[str],
    parcels: pd.DataFrame,
    owners: Mapping[str, int],
    rule: TrackingRule,
    label: str,
) -> _Plan:
    """Pair consecutive numbers with the parcels still awaiting tracking, in seq order.

    Numbers the batch's parcels already hold count those parcels as already recorded (a re-run
    of the same range); numbers another parcel holds are duplicates; the rest go in order."""
    plan = _Plan()
    references = dict(
        zip(parcels["parcel_id"].tolist(), parcels["reference"].tolist(), strict=True)
    )
    free: list[str] = []
    for number in numbers:
        owner = owners.get(number)
        if owner is None:
            free.append(number)
        elif owner in references:
            plan.already.add(owner)
        else:
            plan.duplicates.append(
                {
                    "source": label,
                    "reference": "",
                    "number": number,
                    "reason": USED_BY_ANOTHER_PARCEL,
                    "held_by": f"parcel {owner} (another batch)",
                }
            )
    awaiting = parcels[(parcels["tracking"] == "") & ~parcels["parcel_id"].isin(plan.already)]
    targets = awaiting.sort_values("seq")["parcel_id"].tolist()[: len(free)]
    for number in free[len(targets) :]:
        plan.unknown.append(
            {
                "source": label,
                "row": "",
                "reference": "",
                "tracking": number,
                "reason": UNUSED_RANGE_NUMBER,
            }
        )
        plan.unused += 1
    if plan.already:
        already = sorted(plan.already)
        plan.matched.append(
            pd.DataFrame(
                {
                    "reference": [references[pid] for pid in already],
                    "tracking": "",
                    "status": "already-recorded",
                    "method": "range",
                    "source": label,
                },
                dtype="str",
            ).assign(parcel_id=pd.Series(already, dtype="int64"))
        )
    items = pd.DataFrame(
        {
            "parcel_id": pd.Series(targets, dtype="int64"),
            "number": pd.Series(free[: len(targets)], dtype="str"),
            "source": pd.Series([label] * len(targets), dtype="str"),
            "method": pd.Series(["range"] * len(targets), dtype="str"),
        }
    )
    _plan_numbers(plan, items, parcels, owners, rule, replace=False)
    return plan


# --- the run --------------------------------------------------------------------------------


def import_tracking(
    workspace: Workspace,
    files: Sequence[Path] = (),
    *,
    batch: str | None = None,
    range_spec: str | None = None,
    count: int | None = None,
    replace: bool = False,
    marketplace: str | None = None,
    progress: Progress = no_progress,
) -> ImportResult:
    """Read courier returns (or expand a --range), match, record in one ledger transaction,
    and write the batch's upload file and this import's own reconcile-<n>.xlsx (imports.py).
    Raises InputError for bad input; then nothing is recorded and no file is written.

    The upload lists every shipped order of the batch, not only this run's: after a partial
    return and a second one the file is complete, and a re-run rewrites the same file (the
    marketplace ignores orders it has already marked shipped). Counts: `parcels_matched`
    parcels given numbers now (new, plus conflicts replaced with `replace`); `orders_shipped`
    orders that became shipped now; `already_recorded` parcels whose returned numbers were
    already recorded; `unknown_rows` rows fitting no parcel, plus unused range numbers;
    `duplicate_numbers` distinct numbers refused as duplicates; `conflicts` parcels whose
    recorded number differs from the return (applied only with `replace`).
    """
    started = time.perf_counter()
    steps = StepTimer()
    files = [Path(path) for path in files]
    if files and range_spec is not None:
        raise InputError(_("give either return files or --range, not both"))
    if not files and range_spec is None:
        raise InputError(
            _("nothing to import"),
            hint=_("give the courier's return file, or --range START --count N"),
        )
    if count is not None and range_spec is None:
        raise InputError(_("--count needs --range START"))
    market = load_marketplace(
        marketplace or workspace.config.marketplace, workspace.config.templates
    )
    for path in files:  # before the ledger: a mistyped path is the likelier mistake
        if not path.exists():
            raise missing_file(path)
    if not workspace.ledger_path.is_file():
        raise InputError(
            _("no ledger in this workspace: nothing was exported here yet"),
            path=workspace.ledger_path,
            hint=_("run `batch-ship export` first, or point --home at the shop's workspace"),
        )
    range_parts = _range_parts(range_spec, count) if range_spec is not None else None
    templates = workspace.config.templates
    # the reconcile workbook of a big return is written on the second core while the ledger records
    big = sum(path.stat().st_size for path in files if path.is_file()) >= BACKGROUND_BYTES
    big = big or (count or 0) >= BACKGROUND_PARCELS
    preload = (write_reconcile.__module__,)
    with (
        WorkbookWriter(background=big, preload=preload) as writer,
        open_ledger(workspace) as ledger,
        publication(workspace, ledger) as publishing,
        # the write lock from the start: what is read below is what gets recorded
        ledger.write(),
    ):
        info = ledger.batch_ref(batch) if batch else None
        if batch and info is None:
            raise InputError(
                _("unknown batch {batch!r}").format(batch=batch), hint=_batches_hint(ledger)
            )
        rows: pd.DataFrame | None = None
        inferred = False  # the batch found from a sample of the references
        # without --batch, the newest batch is the likely one (read again if it is not)
        likely = info.batch_id if info else ledger.latest_batch_id()
        with _parcels_ahead(ledger, likely if files else None) as parcels_of:
            if files:
                preferred, fallback = _reference_headers(info, templates)
                progress(N_("reading returns"), 0, len(files))
                with steps("read"):
                    rows = read_returns(files, preferred, fallback, our_layouts(templates))
                progress(N_("reading returns"), len(files), len(files))
                if info is None:
                    info = _batch_from_references(ledger, rows, files)
                    inferred = True
            elif info is None:
                info = _single_awaiting_batch(ledger)
            with steps("ledger-read"):
                parcels = parcels_of(info.batch_id)
        courier = get_courier(info.courier, templates)
        rule = courier.tracking
        numbers: list[str] = []
        if range_parts is not None:
            start, end, how_many = range_parts
            try:
                numbers = number_range(rule, start, count=how_many, end=end)
            except RangeError as error:
                raise InputError(
                    _("--range {range_spec}: {error}").format(range_spec=range_spec, error=error),
                    hint=_range_hint(courier),
                ) from error
        with steps("ledger-read"):
            split = split_cells(rows["cell"]) if rows is not None else None
            candidates = split["number"].unique().tolist() if split is not None else numbers
            owners = ledger.tracking_owners(candidates)
        with steps("match"):
            if rows is not None:
                plan = plan_file_rows(rows, parcels, owners, rule, replace=replace, split=split)
                if inferred:
                    _other_batches(ledger, plan, info.batch_id, files)
            else:
                label = f"range {range_spec}" + (f" count {count}" if count else "")
                plan = plan_range(numbers, parcels, owners, rule, label)
        progress(N_("matching"), len(parcels), len(parcels))
        del rows, split, owners  # the plan holds what is needed of them: less memory at peak
        folder = workspace.batch_dir(info.batch_id)
        number, reconcile_name = next_import(ledger, info.batch_id, folder)
        # moved into place in this order once the ledger commits: the upload last
        reconcile_staged = publishing.file(folder / reconcile_name)
        upload_staged = publishing.file(folder / market.file_name)
        publishing.estimate = partial(_outputs_size, plan, parcels)
        reconcile = _stage_reconcile(writer, reconcile_staged, plan, parcels)
        try:
            with steps("ledger-record"):
                # in parcel order, as the ledger stores them (stable: the first number
                # of a parcel stays first)
                fresh = plan.fresh.sort_values("parcel_id", kind="stable")
                now = datetime.now(UTC)
                ledger.record_tracking(
                    fresh["parcel_id"], fresh["number"], fresh["source"], recorded_at=now
                )
                if plan.replace:
                    ledger.record_tracking(
                        *assignment_columns(plan.replace), replace=True, recorded_at=now
                    )
                # what the ledger now holds, without reading the batch back
                shipped = shipped_rows(_after_recording(parcels, plan, iso_time(now)))
            with steps("write"):
                _stage_upload(upload_staged, market, courier, shipped)
                _wait_for(reconcile, folder)
            written = (folder / market.file_name, folder / reconcile_name)
            result = _result(info, plan, parcels, written, started, steps)
            ledger.log_event(
                "import-tracking",
                info.batch_id,
                {
                    **{k: v for k, v in result.summary().items() if k not in ("batch",)},
                    "sources": [path.name for path in files] or [range_spec],
                    "import": number,
                    "reconcile": reconcile_name,
                    "replace": replace,
                    "marketplace": market.code,
                    "seconds": round(time.perf_counter() - started, 3),
                    "steps": steps.rounded(),
                },
            )
            publishing.record()
        except BaseException:
            reconcile.discard()  # no file may appear after the staged ones are deleted
            raise
    log.debug(
        "%s: %d parcels matched, %d orders shipped, %d already recorded, %d awaiting",
        info.batch_id,
        result.parcels_matched,
        result.orders_shipped,
        result.already_recorded,
        result.unmatched_parcels,
    )
    return result


def _range_parts(spec: str, count: int | None) -> tuple[str, str | None, int | None]:
    try:
        start, end = parse_range(spec)
    except RangeError as error:
        raise InputError(str(error)) from error
    if end is not None and count is not None:
        raise InputError(
            _("--range {spec} already has an end: drop --count, or give START only").format(
                spec=spec
            )
        )
    if end is None and count is None:
        raise InputError(_("--range {spec} needs --count N (or write START-END)").format(spec=spec))
    return start, end, count


def _range_hint(courier: Courier) -> str:
    return _(
        "{courier} numbers have {words}; write --range START --count N or --range START-END"
    ).format(courier=courier.name, words=describe_rule(courier.tracking))


def _batches_hint(ledger: Ledger) -> str:
    known = [info.batch_id for info in ledger.batches()]
    if not known:
        return "no batch has been exported in this workspace yet"
    return "known batches: " + ", ".join(known[-10:]) + " (batch-ship status lists them)"


def _reference_headers(
    info: BatchRef | None, templates: Path | None
) -> tuple[list[str], list[str]]:
    """(preferred, fallback) reference headers: the batch's courier's own name first; without
    a batch, every courier's name, after the usual ones."""
    if info is not None:
        return [get_courier(info.courier, templates).reference_header], []
    names = dict.fromkeys(c.reference_header for c in load_couriers(templates).values())
    return [], list(names)


@contextmanager
def _parcels_ahead(ledger: Ledger, batch_id: str | None) -> Iterator[Callable[[str], pd.DataFrame]]:
    """`ledger.parcels`, with `batch_id`'s parcels read ahead on a second connection while
    the caller reads the return (a thread: SQLite lets go of the GIL, calamine too). The
    caller holds the write lock, so that connection sees what the caller's transaction sees.
    Another batch, or a failed read ahead, is read on the caller's connection."""
    if batch_id is None:
        yield ledger.parcels
        return
    with ThreadPoolExecutor(max_workers=1) as pool:  # leaving waits for the thread
        ahead = pool.submit(_read_parcels, ledger.path, batch_id)

        def parcels_of(wanted: str) -> pd.DataFrame:
            if wanted == batch_id:
                try:
                    return ahead.result()
                except LedgerError as error:  # the caller's connection says it again, or not
                    log.debug("parcels read ahead failed: %s", error)
            return ledger.parcels(wanted)

        yield parcels_of


def _read_parcels(path: Path, batch_id: str) -> pd.DataFrame:
    with Ledger.open(path) as reader:
        return reader.parcels(batch_id)


def _batch_from_references(ledger: Ledger, rows: pd.DataFrame, files: Sequence[Path]) -> BatchRef:
    """The batch the return's references belong to, from a spread-out sample of them (a
    lookup per reference costs a third of a second at 100k rows); `_other_batches` later
    checks the references that did not match that batch. Without a hit in the sample, every
    reference is looked up."""
    references = rows["reference"].unique()
    references = references[references != ""]
    step = max(1, len(references) // BATCH_SAMPLE)
    found = ledger.batches_for_references(references[::step].tolist())
    if not found and step > 1:
        found = ledger.batches_for_references(references.tolist())
    batches = sorted(set(found.values()))
    if not batches:
        raise InputError(
            _(
                "none of the {value:,} references in {value2} belongs to a batch of "
                "this workspace (a spreadsheet may have turned them into numbers)"
            ).format(value=len(references), value2=_names(files)),
            hint=_("pass --batch ID (batch-ship status lists the batches)"),
        )
    if len(batches) > 1:
        raise _several_batches(files, batches)
    info = ledger.batch_ref(batches[0])
    assert info is not None
    return info


def _other_batches(ledger: Ledger, plan: _Plan, batch_id: str, files: Sequence[Path]) -> None:
    """Refuse a return (its batch found from references) whose unmatched rows hold references
    of another batch: the sample that chose the batch cannot have seen them all."""
    unknown = [item["reference"] for item in plan.unknown if item["reference"]]
    others = set(ledger.batches_for_references(unknown).values()) - {batch_id}
    if others:
        raise _several_batches(files, sorted({batch_id, *others}))


def _several_batches(files: Sequence[Path], batches: Sequence[str]) -> InputError:
    return InputError(
        _("the references in {value} belong to several batches ({value2})").format(
            value=_names(files), value2=", ".join(batches)
        ),
        hint=_("pass --batch ID to say which batch this return is for"),
    )


def _names(files: Sequence[Path]) -> str:
    return ", ".join(path.name for path in files)


def _single_awaiting_batch(ledger: Ledger) -> BatchRef:
    waiting = [info for info in ledger.batches() if info.awaiting_tracking > 0]
    if len(waiting) == 1:
        return BatchRef(waiting[0].batch_id, waiting[0].courier)
    if not waiting:
        raise InputError(_("no batch is awaiting tracking numbers"), hint=_batches_hint(ledger))
    raise InputError(
        _("{value} batches are awaiting tracking numbers ({value2})").format(
            value=len(waiting), value2=", ".join(info.batch_id for info in waiting)
        ),
        hint=_("pass --batch ID with --range"),
    )


def _result(
    info: BatchRef,
    plan: _Plan,
    parcels: pd.DataFrame,
    files: tuple[Path, Path],
    started: float,
    steps: StepTimer,
) -> ImportResult:
    new_ids = set(plan.fresh["parcel_id"].tolist())
    is_new = parcels["parcel_id"].isin(plan.fresh["parcel_id"]).to_numpy()
    order_counts = parcels["order_ids"].str.count(",").to_numpy()[is_new] + 1
    awaiting = int((parcels["tracking"] == "").sum()) - len(new_ids)
    duplicates = {item["number"] for item in plan.duplicates}
    replaced = {item.parcel_id for item in plan.replace}
    return ImportResult(
        batch=info.batch_id,
        parcels_matched=len(new_ids) + len(replaced),
        orders_shipped=int(order_counts.sum()),
        already_recorded=len(plan.already),
        unmatched_parcels=awaiting,
        unknown_rows=len(plan.unknown),
        invalid_numbers=len(plan.invalid),
        duplicate_numbers=len(duplicates),
        conflicts=len(plan.conflicts),
        files=files,
        unused_numbers=plan.unused,
        replaced=len(replaced),
        seconds=time.perf_counter() - started,
        steps=tuple(steps.rounded().items()),
    )


def _after_recording(parcels: pd.DataFrame, plan: _Plan, recorded_at: str) -> pd.DataFrame:
    """The batch's parcels (a `Ledger.parcels` frame) once the plan is recorded: new numbers
    on parcels that had none, replaced numbers instead of the old ones, both shipped at
    `recorded_at`. The matched sheet's rows hold each parcel's numbers in recorded order."""
    matched = _matched(plan)
    applied = matched[matched["status"].isin(["new", "replaced"]).to_numpy()]
    # parcel i takes its old value (position i) or applied row j's (position count + j)
    count = len(parcels)
    picks = np.arange(count, dtype=np.int64)
    picks[_rows_of(parcels, applied["parcel_id"])] = count + np.arange(len(applied))
    changed = pa.array(picks >= count)
    tracking = pa.concat_arrays([arrow_text(parcels["tracking"]), arrow_text(applied["tracking"])])
    shipped_at = pc.if_else(changed, recorded_at, arrow_text(parcels["shipped_at"]))
    return parcels.assign(
        tracking=pd.Series(tracking.take(pa.array(picks)), dtype="str", index=parcels.index),
        shipped_at=pd.Series(shipped_at, dtype="str", index=parcels.index),
    )


def _rows_of(parcels: pd.DataFrame, parcel_ids: pd.Series) -> np.ndarray:
    """The row in `parcels` of each of `parcel_ids` (a plan's: all of them the batch's); a
    sorted search, as `Ledger.parcels` lists parcels in id order."""
    known = parcels["parcel_id"].to_numpy(dtype=np.int64)
    wanted = parcel_ids.to_numpy(dtype=np.int64)
    order = None if bool(np.all(np.diff(known) > 0)) else np.argsort(known, kind="stable")
    ordered = known if order is None else known[order]
    at = np.searchsorted(ordered, wanted).clip(max=max(len(known) - 1, 0))
    if len(wanted) and not (len(known) and bool(np.all(ordered[at] == wanted))):
        raise AssertionError("a parcel id is not among the batch's parcels")
    return at if order is None else order[at]


def _matched(plan: _Plan) -> pd.DataFrame:
    """The plan's matched rows (reference, tracking, status, method, source, parcel_id) in
    one frame."""
    if not plan.matched:
        empty = _frame([], ("reference", "tracking", "status", "method", "source"))
        return empty.assign(parcel_id=pd.Series([], dtype="int64"))
    return pd.concat(plan.matched, ignore_index=True)


def _frame(records: Iterable[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    rows = list(records)
    frame = (
        pd.DataFrame(rows, columns=list(columns)) if rows else pd.DataFrame(columns=list(columns))
    )
    return frame.astype("str")


def reconcile_sheets(plan: _Plan, parcels: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The reconcile workbook's sheets, every cell text, named in Chinese and English."""
    awaiting_after = parcels[
        (parcels["tracking"] == "") & ~parcels["parcel_id"].isin(plan.fresh["parcel_id"])
    ]
    matched = _matched(plan)
    # in submission order, as the operator's submission workbook lists the parcels
    seq = parcels["seq"].to_numpy(dtype=np.int64)[_rows_of(parcels, matched["parcel_id"])]
    order = np.argsort(seq, kind="stable")
    matched = matched.drop(columns="parcel_id").iloc[order].reset_index(drop=True)
    matched.insert(0, "seq", seq[order])
    sheets = {
        "matched": matched,
        "unmatched parcels": awaiting_after[["seq", "file", "file_row", "reference", "order_ids"]]
        .astype("str")
        .reset_index(drop=True),
        "unknown rows": _frame(plan.unknown, ("source", "row", "reference", "tracking", "reason")),
        "invalid": _frame(plan.invalid, ("source", "reference", "number", "reason", "rule")),
        "duplicates": _frame(
            plan.duplicates, ("source", "reference", "number", "reason", "held_by")
        ),
        "conflicts": _frame(
            plan.conflicts, ("reference", "recorded", "returned", "source", "applied")
        ),
    }
    return {
        RECONCILE_SHEETS[name]: frame.rename(columns=RECONCILE_HEADERS)
        for name, frame in sheets.items()
    }


def _cannot_write(folder: Path, error: OSError) -> BatchShipError:
    return BatchShipError(
        _("cannot write the outputs: {value}").format(value=error.strerror or error),
        path=folder,
        hint=_("check that the batch folder is writable and the disk has room"),
    )


def write_reconcile(path: Path, plan: _Plan, parcels: pd.DataFrame) -> Path:
    """The reconcile workbook (reconcile-<n>.xlsx): a report nobody types into, so without
    the per-cell text format."""
    return write_workbook(path, reconcile_sheets(plan, parcels))  # courier text: all `@`


def _stage_reconcile(
    writer: WorkbookWriter, staged: Path, plan: _Plan, parcels: pd.DataFrame
) -> PendingWrite[Path]:
    """Start writing the reconcile workbook to `staged`, beside it (see `_wait_for`)."""
    # only the columns the sheets show travel to the writer: less to copy at a million rows
    shown = parcels[["parcel_id", "seq", "file", "file_row", "reference", "order_ids", "tracking"]]
    return writer.submit(write_reconcile, staged, plan, shown)


def _wait_for(reconcile: PendingWrite[Path], folder: Path) -> Path:
    """The staged reconcile workbook once written; the caller renames it (or discards it)."""
    try:
        return reconcile.wait()
    except OSError as error:
        raise _cannot_write(folder, error) from error


def _stage_upload(
    staged: Path, market: Marketplace, courier: Courier, shipped: pd.DataFrame
) -> None:
    """The upload file, written to its staged path."""
    carrier = market.carrier(courier.code, courier.name, courier.marketplace_names)
    try:
        staged.write_bytes(render_upload(market, upload_frame(market, shipped, carrier)))
    except OSError as error:
        raise _cannot_write(staged.parent, error) from error


def _outputs_size(plan: _Plan, parcels: pd.DataFrame) -> int:
    """About the bytes reconcile.xlsx and the upload take (for the disk-full message)."""
    return estimated_size(reconcile_sheets(plan, parcels)) + 64 * len(parcels)
