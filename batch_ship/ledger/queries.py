"""Reading the ledger: order states, batches, a batch's parcels with their numbers."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from batch_ship.columns import arrow_text
from batch_ship.ledger.batches import PARCEL_COLUMNS
from batch_ship.ledger.gather import gather, in_order, ints_of, tracking_per_parcel
from batch_ship.ledger.store import Store, json_list
from batch_ship.model import OrderState
from batch_ship.problems import split_codes

# What parcels() reads, in its frame's order.
STORED_PARCEL_COLUMNS = ("parcel_id", *PARCEL_COLUMNS)
# A parcel is shipped when a tracking row names it (the tracking_parcel index answers).
SHIPPED = "EXISTS (SELECT 1 FROM tracking AS t WHERE t.parcel_id = {parcel})"
# Shipped parcels are the distinct parcel ids of the batch's tracking rows: a range of the
# tracking index, rather than a probe of it per parcel.
_SHIPPED_IDS = (
    "SELECT t.parcel_id FROM tracking AS t"
    " WHERE t.parcel_id BETWEEN b.first_parcel AND b.last_parcel"
)
_BATCH_INFO = (
    "SELECT b.batch_id, b.courier, b.created, b.files, count(p.parcel_id),"
    " coalesce(sum(p.n_orders), 0),"
    " (SELECT coalesce(sum(q.n_orders), 0) FROM parcels AS q"
    f"  WHERE q.parcel_id IN ({_SHIPPED_IDS})),"
    f" count(p.parcel_id) - (SELECT count(DISTINCT s.parcel_id) FROM ({_SHIPPED_IDS}) AS s),"
    " (SELECT count(*) FROM orders AS o"
    "  WHERE o.batch_id = b.batch_id AND o.parcel_id IS NULL)"
    " FROM batches AS b"
    " LEFT JOIN parcels AS p ON p.parcel_id BETWEEN b.first_parcel AND b.last_parcel"
)


@dataclass(frozen=True)
class BatchRef:
    """A batch and its courier: what a run needs to act on it, found without counting."""

    batch_id: str
    courier: str


@dataclass(frozen=True)
class BatchInfo:
    """A batch with its counts: what `status` lists and the report covers."""

    batch_id: str
    courier: str
    created: datetime
    files: tuple[str, ...]
    parcels: int
    orders: int
    shipped_orders: int
    awaiting_tracking: int  # parcels without a tracking number
    exceptions: int = 0  # orders this batch left in state exception (and not fixed since)


class Queries(Store):
    """What export, import-tracking, status and report read."""

    def order_states(self, order_ids: Collection[str]) -> dict[str, OrderState]:
        """The ledger state of those ids that it knows (unknown ids are absent)."""
        # The state travels as a small int: no str object per row.
        states = (OrderState.SUBMITTED, OrderState.SHIPPED, OrderState.EXCEPTION)
        rows = self._conn.execute(
            "SELECT o.order_id, CASE WHEN o.parcel_id IS NULL THEN 2"
            f" WHEN {SHIPPED.format(parcel='o.parcel_id')} THEN 1 ELSE 0 END "
            "FROM json_each(?) AS j JOIN orders AS o ON o.order_id = j.value",
            (json_list(order_ids),),
        )
        return {order_id: states[state] for order_id, state in rows}

    def exception_codes(self, order_ids: Collection[str]) -> dict[str, str]:
        """For ids in state `exception`: their recorded comma-separated codes."""
        rows = self._conn.execute(
            "SELECT o.order_id, o.codes FROM json_each(?) AS j "
            "JOIN orders AS o ON o.order_id = j.value WHERE o.parcel_id IS NULL",
            (json_list(order_ids),),
        )
        return dict(rows)

    def open_exceptions(
        self, batch_id: str | None = None
    ) -> list[tuple[str, str, tuple[str, ...]]]:
        """Orders in state `exception` as (batch_id, order_id, codes), by batch and order id:
        of one batch, or of every batch when batch_id is None."""
        where, args = (" AND batch_id = ?", (batch_id,)) if batch_id is not None else ("", ())
        rows = self._conn.execute(
            "SELECT batch_id, order_id, codes FROM orders WHERE parcel_id IS NULL"
            f"{where} ORDER BY batch_id, order_id",
            args,
        )
        return [(batch, order_id, split_codes(codes)) for batch, order_id, codes in rows]

    def exception_count(self) -> int:
        """Orders in state exception, over every batch."""
        row = self._conn.execute("SELECT count(*) FROM orders WHERE parcel_id IS NULL")
        return int(row.fetchone()[0])

    def batch(self, batch_id: str) -> BatchInfo | None:
        """The batch with its counts, or None for an unknown batch."""
        row = self._conn.execute(
            _BATCH_INFO + " WHERE b.batch_id = ? GROUP BY b.batch_id", (batch_id,)
        ).fetchone()
        return _batch_info(row) if row else None

    def batch_ref(self, batch_id: str) -> BatchRef | None:
        """The batch and its courier (a primary-key lookup), or None for an unknown batch."""
        row = self._conn.execute(
            "SELECT batch_id, courier FROM batches WHERE batch_id = ?", (batch_id,)
        ).fetchone()
        return BatchRef(row[0], row[1]) if row else None

    def batches(self) -> list[BatchInfo]:
        """All batches, oldest first."""
        rows = self._conn.execute(
            _BATCH_INFO + " GROUP BY b.batch_id ORDER BY b.created, b.batch_id"
        )
        return [_batch_info(row) for row in rows]

    def batch_ids(self) -> set[str]:
        """Every batch id the ledger holds."""
        return {row[0] for row in self._conn.execute("SELECT batch_id FROM batches")}

    def latest_batch_id(self) -> str | None:
        """The newest batch's id (without counting its parcels), or None."""
        row = self._conn.execute(
            "SELECT batch_id FROM batches ORDER BY created DESC, batch_id DESC LIMIT 1"
        ).fetchone()
        return str(row[0]) if row else None

    def batches_for_references(self, references: Collection[str]) -> dict[str, str]:
        """For each reference (a parcel's first order id) known to the ledger: its batch id."""
        # A reference is an order id, so the orders primary key finds it: no extra index.
        rows = self._conn.execute(
            "SELECT p.reference, p.batch_id FROM json_each(?) AS j "
            "JOIN orders AS o ON o.order_id = j.value "
            "JOIN parcels AS p ON p.parcel_id = o.parcel_id AND p.reference = o.order_id",
            (json_list(references),),
        )
        return dict(rows)

    def parcels(self, batch_id: str) -> pd.DataFrame:
        """The batch's parcels in submission order: parcel_id (int), seq (int), file, file_row,
        reference, name, phone, order_ids (comma-separated), tracking (comma-separated numbers
        in the order recorded: the first is the primary one; '' when none), shipped_at (ISO
        time; '' while awaiting tracking)."""
        chunk = self.tuning.gather_chunk
        with self.read():
            span = self.parcel_span(batch_id)
            where = "WHERE parcel_id BETWEEN ?1 AND ?2"
            stored = gather(self._conn, f"FROM parcels {where}", STORED_PARCEL_COLUMNS, span, chunk)
            # With rowid: a parcel's numbers come in the order recorded.
            tracked = gather(
                self._conn,
                f"FROM tracking {where}",
                ("parcel_id", "rowid", "number", "import_id"),
                span,
                chunk,
            )
            times = dict(self._conn.execute("SELECT import_id, recorded_at FROM imports"))
        parcel_ids, columns = in_order(stored, tiebreak=False)
        numbers, shipped_at = tracking_per_parcel(parcel_ids, tracked, times)
        frame = {"parcel_id": pd.Series(parcel_ids, dtype="int64")}
        for name, column in zip(PARCEL_COLUMNS, columns, strict=True):
            if name in ("seq", "file_row"):
                frame[name] = pd.Series(ints_of(column), dtype="int64")
            else:
                frame[name] = pd.Series(column, dtype="str")
        frame["tracking"] = pd.Series(numbers, dtype="str")
        frame["shipped_at"] = pd.Series(shipped_at, dtype="str")
        return pd.DataFrame(frame)

    def province_counts(self, batch_id: str | None = None) -> dict[str, int]:
        """Parcels per recipient province, most parcels first (ties by name): of one batch,
        or of every batch when batch_id is None; {} for an unknown batch.

        Parcels without a recorded province (recorded before schema version 3, or by a
        NewBatch without the province column) count under the key '': the ledger stores
        facts, and how to show "unknown" is the reader's choice."""
        where: str = ""
        bounds: tuple[int, ...] = ()
        if batch_id is not None:
            # A rowid range scan of the batch's parcels (see parcel_span).
            where, bounds = " WHERE parcel_id BETWEEN ? AND ?", self.parcel_span(batch_id)
        rows = self._conn.execute(
            f"SELECT province, count(*) AS n FROM parcels{where}"
            " GROUP BY province ORDER BY n DESC, province",
            bounds,
        )
        return {str(province): int(count) for province, count in rows}

    def parcel_span(self, batch_id: str) -> tuple[int, int]:
        """The batch's parcel_id range (first, last); an empty range for an unknown batch."""
        row = self._conn.execute(
            "SELECT first_parcel, last_parcel FROM batches WHERE batch_id = ?", (batch_id,)
        ).fetchone()
        return (int(row[0]), int(row[1])) if row else (1, 0)


def shipped_rows(parcels: pd.DataFrame) -> pd.DataFrame:
    """The upload's rows from a `Queries.parcels` frame: order_id, parcel_id, tracking (the
    parcel's primary, first, number) and shipped_at for every order of each shipped parcel,
    in the frame's order."""
    shipped = parcels[(parcels["shipped_at"] != "").to_numpy()]
    orders = pc.split_pattern(arrow_text(shipped["order_ids"]), ",")
    parent = pa.array(pc.list_parent_indices(orders))
    numbers = pc.split_pattern(arrow_text(shipped["tracking"]), ",", max_splits=1)
    primary = pc.list_element(numbers, 0)
    return pd.DataFrame(
        {
            "order_id": pd.Series(pc.list_flatten(orders), dtype="str"),
            "parcel_id": pd.Series(
                shipped["parcel_id"].to_numpy(dtype=np.int64)[parent.to_numpy()], dtype="int64"
            ),
            "tracking": pd.Series(primary.take(parent), dtype="str"),
            "shipped_at": pd.Series(arrow_text(shipped["shipped_at"]).take(parent), dtype="str"),
        }
    )


def _batch_info(row: Sequence[Any]) -> BatchInfo:
    return BatchInfo(
        batch_id=row[0],
        courier=row[1],
        created=datetime.fromisoformat(row[2]),
        files=tuple(json.loads(row[3])),
        parcels=int(row[4]),
        orders=int(row[5]),
        shipped_orders=int(row[6]),
        awaiting_tracking=int(row[7]),
        exceptions=int(row[8]),
    )
