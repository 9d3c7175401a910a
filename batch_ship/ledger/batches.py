"""Recording a batch: its id, its parcels, its orders and its exception orders, checked."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from batch_ship.errors import LedgerError
from batch_ship.i18n import _
from batch_ship.ledger.store import LedgerUsageError, Store, json_list, row_tuples

BATCH_ID = re.compile(r"[0-9]{8}-[0-9]{2,}")
PARCEL_COLUMNS = ("seq", "file", "file_row", "reference", "name", "phone", "order_ids")
ORDER_COLUMNS = ("order_id", "seq")
EXCEPTION_COLUMNS = ("order_id", "codes")


@dataclass(frozen=True)
class NewBatch:
    """Everything one export records, in one transaction.

    parcels: one row per parcel, in submission order, columns
        seq (int, 1..n across the whole batch), file (output file name), file_row (int, the
        spreadsheet row in that file, header = 1), reference (the parcel's first order id),
        name, phone (normalized), order_ids (comma-separated, in order); optionally
        province (the recipient's normalized province, e.g. 浙江省; '' or missing = unknown):
        without that column every parcel is recorded with province ''.
    orders: one row per submitted order: order_id, seq (its parcel's seq).
    exceptions: one row per exception order: order_id, codes (comma-separated reason codes).

    record_batch checks the shape and raises LedgerUsageError (a bug, not user error) when
    text columns hold anything but str (a float id has already lost digits), a parcel's
    order_ids count or first order (= reference, in the orders' row order) disagrees with
    `orders`, or batch_id is not YYYYMMDD-NN (take it from new_batch_id()).
    """

    batch_id: str
    courier: str
    created: datetime
    files: tuple[str, ...]
    parcels: pd.DataFrame
    orders: pd.DataFrame
    exceptions: pd.DataFrame


@dataclass(frozen=True)
class _Rows:
    """A NewBatch's columns once checked: fresh 0..n indexes, ints and texts as stated."""

    parcels: list[pd.Series]  # the parcels table's columns seq .. n_orders[, province]
    order_ids: pd.Series
    order_seqs: pd.Series
    exception_ids: pd.Series
    exception_codes: pd.Series

    @property
    def seqs(self) -> pd.Series:
        return self.parcels[0]


class BatchRecording(Store):
    """new_batch_id and record_batch: the export's one change to the ledger."""

    def new_batch_id(self, day: date) -> str:
        """The next free id `YYYYMMDD-NN` for that day (call inside write())."""
        self._require_write("new_batch_id")
        prefix = day.strftime("%Y%m%d") + "-"
        taken = [
            row[0][len(prefix) :]
            for row in self._conn.execute(
                "SELECT batch_id FROM batches WHERE batch_id LIKE ?", (prefix + "%",)
            )
        ]
        numbers = [int(suffix) for suffix in taken if suffix.isdigit()]
        return f"{prefix}{max(numbers, default=0) + 1:02d}"

    def record_batch(self, batch: NewBatch) -> None:
        """Store a batch, its parcels (state awaiting tracking), its orders (submitted) and its
        exception orders (exception; a later export may submit them once fixed). Inside write().

        An order already in state exception is taken over: submitted with its new parcel, or
        kept as exception with this batch and the new codes. An order already submitted or
        shipped raises LedgerError, and write() rolls the whole batch back."""
        self._require_write("record_batch")
        rows = _checked(batch)
        if self._conn.execute(
            "SELECT 1 FROM batches WHERE batch_id = ?", (batch.batch_id,)
        ).fetchone():
            raise LedgerError(
                _("batch {batch_id} is already recorded").format(batch_id=batch.batch_id),
                path=self.path,
                hint=_("take the id from new_batch_id() inside the same write()"),
            )
        # Parcel ids are assigned here, under the write lock, so orders can name them
        # without reading anything back. Past every batch's range too: a voided parcel's id
        # (its row gone, ledger/voids.py) is never given again.
        base = int(
            self._conn.execute(
                "SELECT max((SELECT coalesce(max(parcel_id), 0) FROM parcels),"
                " (SELECT coalesce(max(last_parcel), 0) FROM batches))"
            ).fetchone()[0]
        )
        self._conn.execute(
            "INSERT INTO batches (batch_id, courier, created, files, first_parcel, last_parcel)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                batch.batch_id,
                batch.courier,
                batch.created.isoformat(timespec="seconds"),
                json.dumps(list(batch.files), ensure_ascii=False),
                base + (int(rows.seqs.min()) if len(rows.seqs) else 1),
                base + (int(rows.seqs.max()) if len(rows.seqs) else 0),
            ),
        )
        self._insert_parcels(batch.batch_id, base, rows.parcels)
        self._insert_orders(batch.batch_id, base, rows)

    def _insert_parcels(self, batch_id: str, base: int, columns: list[pd.Series]) -> None:
        # The batch id (checked to be YYYYMMDD-NN) and the parcel id offset are SQL
        # literals: two fewer values to bind per row. province is optional: without it the
        # column keeps its default '' (one value fewer to bind per row).
        province = ", province" if len(columns) > 8 else ""
        self._conn.executemany(
            "INSERT INTO parcels (parcel_id, batch_id, seq, file, file_row, reference, name,"
            f" phone, order_ids, n_orders{province}) VALUES (?1 + {base}, '{batch_id}',"
            f" ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8{', ?9' if province else ''})",
            row_tuples(columns, self.tuning.insert_chunk),
        )

    def _insert_orders(self, batch_id: str, base: int, rows: _Rows) -> None:
        # Sorted by id, the primary-key inserts are appends instead of page splits (2x).
        by_id = pd.DataFrame({"order_id": rows.order_ids, "seq": rows.order_seqs}).sort_values(
            "order_id", kind="stable"
        )
        before = self._conn.total_changes
        # Upserts: a new id inserts; an id in state exception is taken over; any other row is
        # left alone, and the change count below notices it.
        self._conn.executemany(
            "INSERT INTO orders (order_id, batch_id, parcel_id) "
            f"VALUES (?1, '{batch_id}', ?2 + {base}) "
            "ON CONFLICT (order_id) DO UPDATE SET batch_id = excluded.batch_id,"
            " parcel_id = excluded.parcel_id, codes = '' WHERE orders.parcel_id IS NULL",
            row_tuples([by_id["order_id"], by_id["seq"]], self.tuning.insert_chunk),
        )
        self._conn.executemany(
            "INSERT INTO orders (order_id, batch_id, codes) VALUES (?, ?, ?) "
            "ON CONFLICT (order_id) DO UPDATE SET batch_id = excluded.batch_id,"
            " codes = excluded.codes "
            "WHERE orders.parcel_id IS NULL AND orders.batch_id != excluded.batch_id",
            zip(
                rows.exception_ids.tolist(),
                _repeat(batch_id, len(rows.exception_ids)),
                rows.exception_codes.tolist(),
                strict=True,
            ),
        )
        if self._conn.total_changes - before != len(rows.order_ids) + len(rows.exception_ids):
            self._refuse_recorded(batch_id, rows.order_ids.tolist(), rows.exception_ids.tolist())

    def _refuse_recorded(
        self, batch_id: str, order_ids: list[str], exception_ids: list[str]
    ) -> None:
        """Name the orders an upsert skipped: listed twice, or already submitted/shipped."""
        everything = pd.Series([*order_ids, *exception_ids], dtype="str")
        repeated = everything[everything.duplicated()].tolist()
        if repeated:
            raise LedgerUsageError(
                _("NewBatch lists order {value} more than once ({value2} repeats)").format(
                    value=repeated[0], value2=len(repeated)
                )
            )
        rows = self._conn.execute(
            "SELECT s.order_id, s.batch_id, s.state FROM json_each(?) AS j "
            "JOIN order_states AS s ON s.order_id = j.value "
            "WHERE s.batch_id != ? AND s.state != 'exception'",
            (json_list(everything.tolist()), batch_id),
        ).fetchall()
        first = rows[0] if rows else ("?", "?", "?")
        raise LedgerError(
            _(
                "{value} order(s) of batch {batch_id} are already in the ledger, e.g. "
                "order {value2} is {value3} in batch {value4}; nothing was recorded"
            ).format(
                value=len(rows),
                batch_id=batch_id,
                value2=first[0],
                value3=first[2],
                value4=first[1],
            ),
            path=self.path,
            hint=_("leave out orders that order_states() reports as submitted or shipped"),
        )


def _checked(batch: NewBatch) -> _Rows:
    """The batch's columns, or LedgerUsageError naming what a caller got wrong."""
    parcels = _columns(batch.parcels, PARCEL_COLUMNS, "parcels")
    orders = _columns(batch.orders, ORDER_COLUMNS, "orders")
    exceptions = _columns(batch.exceptions, EXCEPTION_COLUMNS, "exceptions")
    seqs = _ints(parcels["seq"], "parcels.seq")
    order_seqs = _ints(orders["seq"], "orders.seq")
    order_ids = _texts(orders["order_id"], "orders.order_id")
    references = _texts(parcels["reference"], "parcels.reference")
    listed = _texts(parcels["order_ids"], "parcels.order_ids")
    exception_ids = _texts(exceptions["order_id"], "exceptions.order_id")
    n_orders = _check_parcels(seqs, order_seqs, order_ids, references, listed)
    if not BATCH_ID.fullmatch(batch.batch_id):
        raise LedgerUsageError(
            _("batch id {batch_id!r} is not YYYYMMDD-NN").format(batch_id=batch.batch_id)
        )
    columns = [
        seqs,
        _texts(parcels["file"], "parcels.file"),
        _ints(parcels["file_row"], "parcels.file_row"),
        references,
        _texts(parcels["name"], "parcels.name"),
        _texts(parcels["phone"], "parcels.phone"),
        listed,
        n_orders,
    ]
    if "province" in parcels.columns:
        columns.append(_texts(parcels["province"], "parcels.province"))
    codes = _texts(exceptions["codes"], "exceptions.codes")
    return _Rows(columns, order_ids, order_seqs, exception_ids, codes)


def _check_parcels(
    seqs: pd.Series,
    order_seqs: pd.Series,
    order_ids: pd.Series,
    references: pd.Series,
    listed: pd.Series,
) -> pd.Series:
    """The number of orders per parcel, after checking that parcels and orders agree."""
    if seqs.duplicated().any() or (seqs < 1).any():
        raise LedgerUsageError(_("NewBatch.parcels: seq values must be unique and from 1 on"))
    if not order_seqs.isin(seqs).all():
        raise LedgerUsageError(_("NewBatch.orders: every seq must name a parcel of the batch"))
    n_orders = order_seqs.value_counts().reindex(seqs, fill_value=0).reset_index(drop=True)
    if len(seqs) and (n_orders == 0).any():
        raise LedgerUsageError(_("NewBatch.parcels: every parcel needs at least one order"))
    # The upload's rows come from order_ids read back, so it must list exactly the
    # parcel's orders.
    commas = listed.str.count(",") + 1
    if len(seqs) and not (commas == n_orders).all():
        raise LedgerUsageError(_("NewBatch.parcels: order_ids disagrees with NewBatch.orders"))
    firsts = pd.Series(order_ids.to_numpy(), index=order_seqs.to_numpy())
    firsts = firsts[~firsts.index.duplicated()].reindex(seqs.to_numpy())
    if len(seqs) and not (firsts.to_numpy() == references.to_numpy()).all():
        raise LedgerUsageError(_("NewBatch.parcels: reference must be the parcel's first order id"))
    return n_orders


def _columns(frame: pd.DataFrame, needed: tuple[str, ...], what: str) -> pd.DataFrame:
    missing = [column for column in needed if column not in frame.columns]
    if missing:
        raise LedgerUsageError(
            _("NewBatch.{what} lacks column(s) {value}").format(what=what, value=", ".join(missing))
        )
    return frame


def _ints(column: pd.Series, what: str) -> pd.Series:
    if not pd.api.types.is_integer_dtype(column.dtype):
        if len(column) == 0:
            return column.astype("int64").reset_index(drop=True)
        raise LedgerUsageError(
            _("NewBatch {what} must be integers, not {dtype}").format(what=what, dtype=column.dtype)
        )
    return column.astype("int64").reset_index(drop=True)


def _texts(column: pd.Series, what: str) -> pd.Series:
    """The column with a fresh 0..n index and '' for missing values, once it holds text."""
    # Ids and phones must arrive as text: a float here has already lost digits.
    if len(column) and not pd.api.types.is_string_dtype(column.dtype):
        raise LedgerUsageError(
            _("NewBatch {what} must hold strings, not {dtype}").format(
                what=what, dtype=column.dtype
            )
        )
    if column.hasnans:
        column = column.fillna("")
    return column.reset_index(drop=True)


def _repeat(value: str, count: int) -> Iterator[str]:
    return (value for _unused in range(count))
