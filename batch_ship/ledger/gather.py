"""Reading many rows fast: columns out of SQLite as Arrow text, a parcel's numbers joined."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

IntArray = np.ndarray[Any, np.dtype[np.int64]]


def gather(
    conn: sqlite3.Connection,
    source: str,
    texts: tuple[str, ...],
    span: tuple[int, int],
    chunk: int,
) -> list[pa.ChunkedArray]:
    """Columns `texts` of `SELECT ... {source}` (?1..?2 = a parcel_id chunk of span, `chunk`
    ids wide), as Arrow strings, one value per row.

    Per chunk, SQLite concatenates each column into one text (U+001F between values) that
    Arrow splits in C: no Python object per value, half the CPU of fetchall() and a Series
    per column at 100k rows. A value holding U+001F (a count mismatch) makes that chunk come
    as JSON instead. Chunks keep each text far below SQLite's size limit."""
    joined_sql = "SELECT count(*), " + ", ".join(f"group_concat({c}, char(31))" for c in texts)
    json_sql = "SELECT count(*), " + ", ".join(f"json_group_array({c})" for c in texts)
    columns: list[list[pa.Array]] = [[] for _unused in texts]
    first, last = span
    for low in range(first, last + 1, chunk):
        bounds = (low, min(low + chunk - 1, last))
        count, *joined = conn.execute(f"{joined_sql} {source}", bounds).fetchone()
        if not count:
            continue
        split = [
            pc.split_pattern(pa.array([text or ""], pa.large_string()), "\x1f").flatten()
            for text in joined
        ]
        if any(len(values) != count for values in split):
            row = conn.execute(f"{json_sql} {source}", bounds).fetchone()
            split = [
                pa.array([_text(value) for value in json.loads(text)], pa.large_string())
                for text in row[1:]
            ]
        for column, values in zip(columns, split, strict=True):
            column.append(values)
    return [pa.chunked_array(column, type=pa.large_string()) for column in columns]


def in_order(
    columns: list[pa.ChunkedArray], *, tiebreak: bool
) -> tuple[IntArray, list[pa.ChunkedArray]]:
    """The first column as int64 ids and the others, in id order (then the second column's
    int order with tiebreak). The queries yield that order already; this re-sorts when not."""
    ids = ints_of(columns[0])
    steps = np.diff(ids)
    if tiebreak:
        ties = ints_of(columns[1])
        if bool(np.all((steps > 0) | ((steps == 0) & (np.diff(ties) > 0)))):
            return ids, columns[1:]
        order = np.lexsort((ties, ids))
    else:
        if bool(np.all(steps > 0)):
            return ids, columns[1:]
        order = np.argsort(ids, kind="stable")
    return ids[order], [column.take(pa.array(order)) for column in columns[1:]]


def tracking_per_parcel(
    parcel_ids: IntArray, tracked: list[pa.ChunkedArray], times: dict[int, str]
) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    """For each parcel id: its numbers (comma-joined in the order recorded) and when its
    first was recorded, '' when it has none. `tracked` is the gathered tracking rows
    (parcel_id, rowid, number, import_id); `times` each import's time."""
    track_ids, (_unused, numbers, imports) = in_order(tracked, tiebreak=True)
    picks = np.full(len(parcel_ids), -1, dtype=np.int64)
    shipped_at = pa.chunked_array([], pa.large_string())
    if len(track_ids):
        starts = np.flatnonzero(np.r_[True, track_ids[1:] != track_ids[:-1]])
        if len(starts) < len(track_ids):  # split shipments: each parcel's numbers joined
            offsets = pa.array(np.r_[starts, len(track_ids)], pa.int64())
            lists = pa.LargeListArray.from_arrays(offsets, numbers.combine_chunks())
            numbers = pa.chunked_array([pc.binary_join(lists, pa.scalar(",", pa.large_string()))])
        else:
            numbers = numbers.take(pa.array(starts))
        # shipped since its first number was recorded
        first_imports = pc.cast(imports.take(pa.array(starts)), pa.int64())
        known = pa.array(list(times), pa.int64())
        recorded = pa.array(list(times.values()), pa.large_string())
        shipped_at = pa.chunked_array([recorded.take(pc.index_in(first_imports, value_set=known))])
        _place(picks, parcel_ids, track_ids[starts])
    return pc.fill_null(_take(numbers, picks), ""), pc.fill_null(_take(shipped_at, picks), "")


def ints_of(values: pa.ChunkedArray) -> IntArray:
    return np.asarray(pc.cast(values, pa.int64()).to_numpy(), dtype=np.int64)


def _take(values: pa.ChunkedArray, picks: IntArray) -> pa.ChunkedArray:
    """values[picks], null where picks is -1."""
    if not len(values):
        return pa.chunked_array([pa.nulls(len(picks), pa.large_string())])
    return values.take(pa.array(picks, mask=picks < 0))


def _place(picks: IntArray, ids: IntArray, owners: IntArray) -> None:
    """picks[i] = the position in (sorted) owners of ids[i]; left -1 when absent."""
    if not len(ids) or not len(owners):
        return
    where = np.searchsorted(owners, ids).clip(max=len(owners) - 1)
    found = owners[where] == ids
    picks[found] = where[found]


def _text(value: object) -> str | None:
    return None if value is None else str(value)
