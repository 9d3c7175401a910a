"""Return rows to parcels: by reference exactly, else by a damaged reference's digits when
exactly one open parcel fits (confirmed by a masked phone or name where the return has them)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from batch_ship.columns import arrow_text
from batch_ship.damaged_references import damaged_windows
from batch_ship.tracking.cells import split_cells
from batch_ship.tracking.rows import ReturnRows

# masked phones and names in returns (phone_fits, name_fits)
_NOT_PHONE_SHOWN = re.compile(r"[^\d*]")
_NOT_DIGIT = re.compile(r"\D")
_STARS = re.compile(r"\*+")
_SPACE = re.compile(r"\s")
_NAME_STARS = re.compile(r"[*＊]+")


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


def match_rows(returned: ReturnRows, parcels: pd.DataFrame) -> pd.DataFrame:
    """The return's rows with parcel_id (Int64, <NA> when none) and method ('exact', 'digits',
    '') added.

    Exact reference first. A reference a spreadsheet stored as a number is matched by its
    surviving digits (and the recipient's phone and name, when the return has those columns)
    only when exactly one open parcel fits: one with no number yet and no exact row here, or
    one already holding this row's numbers (a re-import)."""
    rows = returned.frame
    keys, owners = _order_lookup(parcels)
    references = arrow_text(rows["reference"].fillna(""))
    found_at = pc.fill_null(pc.index_in(references, value_set=keys), -1).to_numpy()
    at = np.where(found_at >= 0, owners[found_at], -1)  # row in parcels, -1 for none
    method = np.where(at >= 0, "exact", "").astype(object)
    misses = np.flatnonzero((at < 0) & np.asarray(pc.not_equal(pc.binary_length(references), 0)))
    if len(misses):
        missed = rows.iloc[misses].reset_index(drop=True)
        pairs = _damaged_pairs(missed, keys, owners)
        fits = _open_parcels(pairs, missed, parcels, claimed=at[at >= 0])
        if returned.has_name:
            _confirm(fits, pairs, missed, parcels, "name")
        if returned.has_phone:
            _confirm(fits, pairs, missed, parcels, "phone")
        fuzzy = _single_fits(pairs, fits, len(missed))
        at[misses] = fuzzy
        method[misses[fuzzy >= 0]] = "digits"
    parcel_ids = parcels["parcel_id"].to_numpy(dtype=np.int64)
    found = pd.arrays.IntegerArray(np.where(at >= 0, parcel_ids[at], 0), at < 0)
    return rows.reset_index(drop=True).assign(
        parcel_id=pd.Series(found, dtype="Int64"), method=pd.Series(method, dtype="str")
    )


def _damaged_pairs(misses: pd.DataFrame, keys: pa.Array, owners: np.ndarray) -> np.ndarray:
    """Every (missed row, parcel position) pair whose damaged reference's window holds one of
    the parcel's order ids: an (n, 2) array, without a Python loop over windows."""
    damaged, all_lows, all_highs = damaged_windows(misses["reference"])
    if not damaged.any():
        return np.empty((0, 2), dtype=np.int64)
    rows_of = np.flatnonzero(damaged)  # damaged row i is misses row rows_of[i]
    lows, highs = all_lows[damaged], all_highs[damaged]
    digits = np.asarray(pc.match_substring_regex(keys, r"^\d{1,19}$"), dtype=bool)
    # uint64 holds every 19-digit id, which int64 does not
    numbers = pc.cast(keys.filter(pa.array(digits)), pa.uint64()).to_numpy()
    order = np.argsort(numbers, kind="stable")
    numbers, holders = numbers[order], owners[digits][order]
    low = np.searchsorted(numbers, lows, side="left")
    high = np.searchsorted(numbers, highs, side="right")
    sizes = high - low
    row_at = np.repeat(np.arange(len(lows)), sizes)
    starts = np.repeat(low - (np.cumsum(sizes) - sizes), sizes)
    found = np.stack([rows_of[row_at], holders[np.arange(len(row_at)) + starts]], axis=1)
    return np.unique(found.reshape(-1, 2), axis=0)


def _open_parcels(
    pairs: np.ndarray, misses: pd.DataFrame, parcels: pd.DataFrame, *, claimed: np.ndarray
) -> np.ndarray:
    """Per pair, whether its parcel is open to the row: no number yet and no exact row here,
    or already holding every number of the row (a re-import)."""
    row_at, at = pairs[:, 0], pairs[:, 1]
    recorded = _texts_at(parcels["tracking"], at)
    fits: np.ndarray = (recorded == "") & ~np.isin(at, claimed)
    again = np.flatnonzero(~fits & (recorded != ""))  # a re-import: few rows
    if len(again):
        cells = pd.Series(_texts_at(misses["cell"], row_at[again]), dtype="str")
        split = split_cells(cells)
        numbers_of = split.groupby("row")["number"].agg(set)
        for k, position in enumerate(again.tolist()):
            here = numbers_of.get(k, set())
            fits[position] = bool(here) and here <= set(str(recorded[position]).split(",")) - {""}
    return fits


def _confirm(
    fits: np.ndarray, pairs: np.ndarray, misses: pd.DataFrame, parcels: pd.DataFrame, column: str
) -> None:
    """Drop the pairs whose return `column` (name or phone) cannot be the parcel's. Shown in
    full, they confirm by equality; only masked ones go through Python."""
    check = name_fits if column == "name" else phone_fits
    shown = _texts_at(misses[column], pairs[:, 0])
    known = _texts_at(parcels[column], pairs[:, 1])
    same = shown == known
    if column == "phone":  # a phone with '*' in both is compared as a mask, not text
        same &= np.array(["*" not in value for value in shown.tolist()], dtype=bool)
    for k in np.flatnonzero(fits & ~same).tolist():
        fits[k] = check(str(shown[k]), str(known[k]))


def _single_fits(pairs: np.ndarray, fits: np.ndarray, count: int) -> np.ndarray:
    """For each of `count` missed rows, the one parcel position that fits it, or -1."""
    chosen = np.full(count, -1, dtype=np.int64)
    fitting_rows, fitting_at = pairs[:, 0][fits], pairs[:, 1][fits]
    rows_found, counts = np.unique(fitting_rows, return_counts=True)
    single = np.isin(fitting_rows, rows_found[counts == 1])
    chosen[fitting_rows[single]] = fitting_at[single]
    return chosen


def _texts_at(column: pd.Series, rows: np.ndarray) -> np.ndarray:
    """column[rows] as Python strings ('' for missing): taken in Arrow first, so only the
    rows asked for become Python objects."""
    picked = arrow_text(column).take(pa.array(rows, type=pa.int64()))
    return np.asarray(pc.fill_null(picked, "").to_numpy(zero_copy_only=False), dtype=object)
