"""Recording tracking numbers: one columnar API, its checks, and who holds a number."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeGuard

import numpy as np
import pandas as pd

from batch_ship.errors import LedgerError
from batch_ship.i18n import _
from batch_ship.ledger.store import (
    LedgerUsageError,
    Store,
    iso_time,
    json_list,
    row_tuples,
)

Ints = pd.Series | Sequence[int]
Texts = pd.Series | Sequence[str]


@dataclass(frozen=True)
class TrackingAssignment:
    """One tracking number for one parcel; `source` says where it came from (file row, range)."""

    parcel_id: int
    number: str
    source: str


def assignment_columns(
    assignments: Sequence[TrackingAssignment],
) -> tuple[list[int], list[str], list[str]]:
    """A few assignments as the columns record_tracking takes: parcel ids, numbers, sources."""
    return (
        [item.parcel_id for item in assignments],
        [item.number for item in assignments],
        [item.source for item in assignments],
    )


class TrackingRecording(Store):
    """record_tracking: numbers in, their parcels and those parcels' orders shipped."""

    def record_tracking(
        self,
        parcel_ids: Ints,
        numbers: Texts,
        sources: Texts,
        *,
        replace: bool = False,
        recorded_at: datetime | None = None,
    ) -> None:
        """Record numbers[i] for parcel parcel_ids[i] (sources[i] says where it came from);
        their parcels and those parcels' orders become shipped. A parcel may get several
        numbers (split shipment); the first stays its primary number. With `replace`, a
        parcel's earlier numbers are dropped first. Inside write().

        A number already recorded for the same parcel is a no-op (re-importing a return is
        safe); a number held by another parcel, or given to two parcels here, raises
        LedgerError and write() rolls everything back. `recorded_at` (default now) is the
        numbers' time stamp and, for parcels shipping now, their shipped_at. Text columns of
        pandas strings are checked without a Python string per value."""
        self._require_write("record_tracking")
        if not len(parcel_ids) == len(numbers) == len(sources):
            raise LedgerUsageError(_("record_tracking: the columns differ in length"))
        if not len(numbers):
            return
        rows = _fast_rows(parcel_ids, numbers, sources, self.tuning.insert_chunk)
        if rows is None:
            rows = self._checked_rows(list(parcel_ids), list(numbers), list(sources))
        self._insert_tracking(rows, replace=replace, at=iso_time(recorded_at))

    def tracking_owners(self, numbers: Collection[str]) -> dict[str, int]:
        """Tracking numbers already recorded, mapped to the parcel_id that holds them."""
        rows = self._conn.execute(
            "SELECT t.number, t.parcel_id FROM json_each(?) AS j "
            "JOIN tracking AS t ON t.number = j.value",
            (json_list(numbers),),
        )
        return dict(rows)

    def _insert_tracking(self, rows: pd.DataFrame, *, replace: bool, at: str) -> None:
        """Insert checked rows (parcel_id, number, source; see record_tracking) as one
        import at `at`."""
        if not rows["parcel_id"].is_monotonic_increasing:
            # In parcel_id order (stable: a parcel's numbers keep their order, so the first
            # stays its primary number): the parcel index is appended to, not split.
            rows = rows.sort_values("parcel_id", kind="stable", ignore_index=True)
        parcels_json = json_list(rows["parcel_id"].unique().tolist())
        self._refuse_unknown_parcels(parcels_json)
        if replace:
            self._conn.execute(
                "DELETE FROM tracking WHERE parcel_id IN (SELECT value FROM json_each(?))",
                (parcels_json,),
            )
        import_id = self._conn.execute(
            "INSERT INTO imports (recorded_at) VALUES (?)", (at,)
        ).lastrowid
        assert import_id is not None
        before = self._conn.total_changes
        # The import id (ours, an int) is an SQL literal: one value less to bind per row.
        self._conn.executemany(
            "INSERT INTO tracking (number, parcel_id, import_id, source)"
            f" VALUES (?, ?, {int(import_id)}, ?) ON CONFLICT (number) DO NOTHING",
            row_tuples(
                [rows["number"], rows["parcel_id"], rows["source"]], self.tuning.insert_chunk
            ),
        )
        inserted = self._conn.total_changes - before
        if not inserted:  # no number was new: no import to remember
            self._conn.execute("DELETE FROM imports WHERE import_id = ?", (import_id,))
        if inserted != len(rows):
            self._refuse_clashes(rows)

    def _refuse_unknown_parcels(self, parcels_json: str) -> None:
        unknown = self._conn.execute(
            "SELECT count(*), min(j.value) FROM json_each(?) AS j "
            "LEFT JOIN parcels AS p ON p.parcel_id = j.value WHERE p.parcel_id IS NULL",
            (parcels_json,),
        ).fetchone()
        if unknown[0]:
            raise LedgerUsageError(
                _("{value} unknown parcel id(s), e.g. {value2}").format(
                    value=unknown[0], value2=unknown[1]
                )
            )

    def _refuse_clashes(self, rows: pd.DataFrame) -> None:
        """Raise when a number that was not inserted belongs to another parcel (a number
        already held by its own parcel is a repeat, and fine)."""
        owners = dict(zip(rows["number"].tolist(), rows["parcel_id"].tolist(), strict=True))
        held = self.tracking_owners(list(owners))
        clashes = [number for number, parcel in held.items() if parcel != owners[number]]
        if not clashes:
            return
        where = self._conn.execute(
            "SELECT batch_id, reference FROM parcels WHERE parcel_id = ?",
            (held[clashes[0]],),
        ).fetchone()
        raise LedgerError(
            _(
                "{value} tracking number(s) already belong to other parcels, e.g. "
                "{value2} (batch {value3}, reference {value4}); nothing was recorded"
            ).format(value=len(clashes), value2=clashes[0], value3=where[0], value4=where[1]),
            path=self.path,
            hint=_("a tracking number belongs to one parcel: check the courier return"),
        )

    def _checked_rows(
        self, parcel_ids: list[int], numbers: list[str], sources: list[str]
    ) -> pd.DataFrame:
        """Item by item: raise on the first malformed number or number given to two parcels,
        in list order; drop repeats of a number for the same parcel. Returns the rows to
        insert (parcel_id, number, source)."""
        owners: dict[str, int] = {}
        kept: list[int] = []
        for index, (parcel_id, number) in enumerate(zip(parcel_ids, numbers, strict=True)):
            if not isinstance(number, str) or not number or number != number.strip():
                raise LedgerUsageError(
                    _("tracking number {number!r} must be a trimmed string").format(number=number)
                )
            owner = owners.get(number)
            if owner is None:
                owners[number] = parcel_id
                kept.append(index)
            elif owner != parcel_id:
                raise LedgerError(
                    _(
                        "tracking number {number} is given to two parcels ({owner} and "
                        "{parcel_id}); nothing was recorded"
                    ).format(number=number, owner=owner, parcel_id=parcel_id),
                    path=self.path,
                    hint=_("a tracking number belongs to one parcel: fix the courier return"),
                )
        return _tracking_frame(
            [int(parcel_ids[i]) for i in kept],
            pd.Series([numbers[i] for i in kept], dtype="str"),
            [sources[i] for i in kept],
        )


def _fast_rows(parcel_ids: Ints, numbers: Texts, sources: Texts, chunk: int) -> pd.DataFrame | None:
    """The usual call: well-formed numbers, each listed once, as the rows to insert, checked
    by vectorized tests (Python's own strip() on slices) instead of a dict probe per item.
    None when a number is missing, malformed or repeated: `_checked_rows` then goes item
    by item and says which."""
    if _is_text(numbers):
        if numbers.hasnans:
            return None
        texts = numbers.reset_index(drop=True)
    else:
        listed = list(numbers)
        if set(map(type, listed)) != {str}:
            return None
        texts = pd.Series(listed, dtype="str")
    if texts.duplicated().any() or bool((texts.str.len() == 0).any()):
        return None
    for start in range(0, len(texts), chunk):
        values = texts.iloc[start : start + chunk].tolist()
        if not all(map(str.__eq__, values, map(str.strip, values))):
            return None
    return _tracking_frame(parcel_ids, texts, sources)


def _tracking_frame(parcel_ids: Ints, numbers: pd.Series, sources: Texts) -> pd.DataFrame:
    """Rows for `_insert_tracking`: parcel_id (int64), number and source (text)."""
    return pd.DataFrame(
        {
            "parcel_id": np.asarray(parcel_ids, dtype=np.int64),
            "number": numbers.reset_index(drop=True),
            "source": (
                sources.reset_index(drop=True)
                if _is_text(sources)
                else pd.Series(list(sources), dtype="str")
            ),
        }
    )


def _is_text(values: object) -> TypeGuard[pd.Series]:
    """A pandas text column: checked and sliced without a Python string per value."""
    return isinstance(values, pd.Series) and isinstance(values.dtype, pd.StringDtype)
