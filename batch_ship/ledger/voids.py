"""The ledger's record of voided parcels: taking parcels out of a batch, keeping their history."""

# A voided parcel leaves `parcels`, `orders` and `tracking` (every count, query and upload
# then ignores it, and a later export finds its orders unknown, so exportable again) and is
# kept in `voids`: which batch, which orders, which numbers it had, why and when. Parcel ids
# are never reused (record_batch allocates past every batch's range).

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from batch_ship.ledger.ledger import Ledger
from batch_ship.ledger.store import iso_time, json_list


@dataclass(frozen=True)
class ParcelRow:
    """One parcel of a batch as voiding sees it: its orders and numbers (comma-separated)."""

    parcel_id: int
    seq: int
    reference: str
    order_ids: str
    tracking: str  # '' when it has no number
    name: str = ""
    phone: str = ""
    province: str = ""

    @property
    def orders(self) -> list[str]:
        return self.order_ids.split(",")

    @property
    def numbers(self) -> list[str]:
        return [number for number in self.tracking.split(",") if number]


@dataclass(frozen=True)
class VoidRow:
    """One entry of the void history."""

    batch_id: str
    seq: int
    reference: str
    order_ids: str
    tracking: str
    cancelled: bool
    reason: str
    at: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "batch": self.batch_id,
            "seq": self.seq,
            "reference": self.reference,
            "orders": self.order_ids.split(","),
            "tracking": [number for number in self.tracking.split(",") if number],
            "cancelled": self.cancelled,
            "reason": self.reason,
            "at": self.at,
        }


_PARCEL_ROWS = (
    "SELECT p.parcel_id, p.seq, p.reference, p.order_ids,"
    " coalesce((SELECT group_concat(t.number, ',') FROM (SELECT number FROM tracking"
    "  WHERE parcel_id = p.parcel_id ORDER BY rowid) AS t), ''),"
    " p.name, p.phone, p.province FROM parcels AS p"
)


def batch_parcels(ledger: Ledger, batch_id: str) -> list[ParcelRow]:
    """The batch's parcels still in it, in submission order (small batches: void's scale)."""
    first, last = ledger.parcel_span(batch_id)
    rows = ledger._conn.execute(
        _PARCEL_ROWS + " WHERE p.parcel_id BETWEEN ? AND ? ORDER BY p.parcel_id", (first, last)
    )
    return [ParcelRow(*row) for row in rows]


def parcels_of_orders(ledger: Ledger, order_ids: Collection[str]) -> dict[str, ParcelRow]:
    """For each given order that is in a parcel: that parcel (order id -> parcel)."""
    rows = ledger._conn.execute(
        "SELECT o.order_id, p.parcel_id, p.seq, p.reference, p.order_ids,"
        " coalesce((SELECT group_concat(t.number, ',') FROM (SELECT number FROM tracking"
        "  WHERE parcel_id = p.parcel_id ORDER BY rowid) AS t), ''),"
        " p.name, p.phone, p.province"
        " FROM json_each(?) AS j JOIN orders AS o ON o.order_id = j.value"
        " JOIN parcels AS p ON p.parcel_id = o.parcel_id",
        (json_list(order_ids),),
    )
    return {row[0]: ParcelRow(*row[1:]) for row in rows}


def record_voids(
    ledger: Ledger, batch_id: str, parcels: Collection[ParcelRow], reason: str
) -> None:
    """Take `parcels` out of batch `batch_id`, keeping each in the void history. Inside
    write(): the history and the removal are one change."""
    ledger._require_write("record_voids")
    at = iso_time()
    ledger._conn.executemany(
        "INSERT INTO voids (batch_id, parcel_id, seq, reference, order_ids, tracking,"
        " cancelled, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                batch_id,
                parcel.parcel_id,
                parcel.seq,
                parcel.reference,
                parcel.order_ids,
                parcel.tracking,
                int(bool(parcel.tracking)),
                reason,
                at,
            )
            for parcel in parcels
        ],
    )
    ids = json_list([parcel.parcel_id for parcel in parcels])
    for table in ("tracking", "orders", "parcels"):
        ledger._conn.execute(
            f"DELETE FROM {table} WHERE parcel_id IN (SELECT value FROM json_each(?))", (ids,)
        )


def void_history(ledger: Ledger, batch_id: str | None = None) -> list[VoidRow]:
    """The void history, oldest first: of one batch, or all."""
    rows = ledger._conn.execute(
        "SELECT batch_id, seq, reference, order_ids, tracking, cancelled, reason, at"
        " FROM voids WHERE ?1 IS NULL OR batch_id = ?1 ORDER BY void_id",
        (batch_id,),
    )
    return [VoidRow(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6], r[7]) for r in rows]


def voided_orders(ledger: Ledger, batch_id: str) -> set[str]:
    """Every order id a void took out of the batch."""
    found: set[str] = set()
    for (listed,) in ledger._conn.execute(
        "SELECT order_ids FROM voids WHERE batch_id = ?", (batch_id,)
    ):
        found.update(str(listed).split(","))
    return found


def was_voided(ledger: Ledger, order_id: str) -> bool:
    """Whether a void took this order out of a batch (the ledger knew it)."""
    row = ledger._conn.execute(
        "SELECT 1 FROM voids WHERE instr(',' || order_ids || ',', ',' || ? || ',') LIMIT 1",
        (order_id,),
    ).fetchone()
    return row is not None


def parcel_place(ledger: Ledger, parcel_id: int) -> tuple[str, str]:
    """The batch and reference of a parcel the ledger holds."""
    batch_id, reference = ledger._conn.execute(
        "SELECT batch_id, reference FROM parcels WHERE parcel_id = ?", (parcel_id,)
    ).fetchone()
    return str(batch_id), str(reference)


def mark_manual(ledger: Ledger, batch_id: str) -> int:
    """Mark a just-recorded one-parcel batch as shipped by hand; returns its parcel's id."""
    ledger._conn.execute("UPDATE batches SET kind = 'manual' WHERE batch_id = ?", (batch_id,))
    return ledger.parcel_span(batch_id)[0]


def manual_batches(ledger: Ledger, day_prefix: str) -> list[tuple[str, str]]:
    """(batch, courier) of every manual batch whose id starts with `day_prefix`, oldest first."""
    rows = ledger._conn.execute(
        "SELECT batch_id, courier FROM batches WHERE kind = 'manual' AND batch_id LIKE ?"
        " ORDER BY created, batch_id",
        (day_prefix + "%",),
    ).fetchall()
    return [(str(batch_id), str(courier)) for batch_id, courier in rows]


def manual_shipments(ledger: Ledger) -> list[dict[str, Any]]:
    """Orders shipped by hand (`batch-ship ship`), oldest first: one entry per manual
    parcel still in the ledger (order, orders, batch, courier, tracking, at)."""
    rows = ledger._conn.execute(
        "SELECT b.batch_id, b.courier, b.created, p.reference, p.order_ids,"
        " coalesce((SELECT t.number FROM tracking AS t WHERE t.parcel_id = p.parcel_id"
        "  ORDER BY t.rowid LIMIT 1), '')"
        " FROM batches AS b JOIN parcels AS p"
        " ON p.parcel_id BETWEEN b.first_parcel AND b.last_parcel"
        " WHERE b.kind = 'manual' ORDER BY b.created, b.batch_id"
    )
    return [
        {
            "order": row[3],
            "orders": str(row[4]).split(","),
            "batch": row[0],
            "courier": row[1],
            "tracking": row[5],
            "at": row[2],
        }
        for row in rows
    ]
