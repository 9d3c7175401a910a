"""The ledger's intercepts (拦截件): submitted or shipped orders since read as closed/refunding."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from batch_ship.ledger.ledger import Ledger
from batch_ship.ledger.store import iso_time, json_list


@dataclass(frozen=True)
class Intercept:
    """One intercepted order: where it went, with what number, since when, which status."""

    order_id: str
    batch_id: str
    courier: str
    tracking: str  # the parcel's primary number, '' while it awaits one
    status: str  # OrderStatus value: closed, refunding
    raw_status: str  # as the order report wrote it: 交易关闭, 退款中
    at: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "order": self.order_id,
            "batch": self.batch_id,
            "courier": self.courier,
            "tracking": self.tracking,
            "status": self.status,
            "raw_status": self.raw_status,
            "at": self.at,
        }


def record_intercepts(
    ledger: Ledger, order_ids: Sequence[str], statuses: Sequence[str], raw: Sequence[str]
) -> list[Intercept]:
    """Record those of `order_ids` that are submitted or shipped and not intercepted yet, as
    intercepts now; the new ones, in the given order. Inside write()."""
    ledger._require_write("record_intercepts")
    if not order_ids:
        return []
    given = {
        order: (status, text) for order, status, text in zip(order_ids, statuses, raw, strict=True)
    }
    rows = ledger._conn.execute(
        "SELECT o.order_id, o.batch_id, b.courier,"
        " coalesce((SELECT t.number FROM tracking AS t WHERE t.parcel_id = o.parcel_id"
        "  ORDER BY t.rowid LIMIT 1), '')"
        " FROM json_each(?) AS j JOIN orders AS o ON o.order_id = j.value"
        " JOIN batches AS b ON b.batch_id = o.batch_id"
        " WHERE o.parcel_id IS NOT NULL"
        " AND NOT EXISTS (SELECT 1 FROM intercepts AS i WHERE i.order_id = o.order_id)",
        (json_list(list(given)),),
    ).fetchall()
    at = iso_time()
    found = {row[0]: Intercept(row[0], row[1], row[2], row[3], *given[row[0]], at) for row in rows}
    new = [found[order] for order in given if order in found]
    ledger._conn.executemany(
        "INSERT INTO intercepts (order_id, batch_id, courier, tracking, status, raw_status, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (i.order_id, i.batch_id, i.courier, i.tracking, i.status, i.raw_status, i.at)
            for i in new
        ],
    )
    return new


def intercepted_ids(ledger: Ledger) -> set[str]:
    """Every order caught as an intercept (拦截件): no upload written later lists it."""
    return {str(row[0]) for row in ledger._conn.execute("SELECT order_id FROM intercepts")}


def all_intercepts(ledger: Ledger) -> list[Intercept]:
    """Every intercept, newest first; the tracking number as the ledger holds it now."""
    rows = ledger._conn.execute(
        "SELECT i.order_id, i.batch_id, i.courier,"
        " coalesce((SELECT t.number FROM orders AS o JOIN tracking AS t"
        "  ON t.parcel_id = o.parcel_id WHERE o.order_id = i.order_id"
        "  ORDER BY t.rowid LIMIT 1), i.tracking),"
        " i.status, i.raw_status, i.at FROM intercepts AS i ORDER BY i.at DESC, i.order_id"
    )
    return [Intercept(*row) for row in rows]
