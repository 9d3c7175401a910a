"""What the ledger tests share: order ids, a NewBatch builder, and a consistency check."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from batch_ship.ledger import Ledger, NewBatch

DAY = date(2026, 11, 26)
A, B, C, D, E = (f"40125008682399279{n:02d}" for n in range(21, 26))


def new_batch(
    batch_id: str,
    parcels: list[list[str]],
    exceptions: dict[str, str] | None = None,
    created: datetime | None = None,
    provinces: list[str | None] | None = None,
) -> NewBatch:
    """A NewBatch whose parcels hold the given order ids (first id = reference); with
    `provinces`, the optional province column too (None = a missing value)."""
    exceptions = exceptions or {}
    seqs = list(range(1, len(parcels) + 1))
    parcel_frame = pd.DataFrame(
        {
            "seq": seqs,
            "file": pd.Series(["submission-zto.xlsx"] * len(parcels), dtype="str"),
            "file_row": [seq + 1 for seq in seqs],
            "reference": pd.Series([ids[0] for ids in parcels], dtype="str"),
            "name": pd.Series([f"收件人{seq}" for seq in seqs], dtype="str"),
            "phone": pd.Series([f"1380013800{seq % 10}" for seq in seqs], dtype="str"),
            "order_ids": pd.Series([",".join(ids) for ids in parcels], dtype="str"),
        }
    )
    if provinces is not None:
        parcel_frame["province"] = pd.Series(provinces, dtype="str")
    return NewBatch(
        batch_id=batch_id,
        courier="zto",
        created=created or datetime(2026, 11, 26, 9, 30),
        files=("submission-zto.xlsx",),
        parcels=parcel_frame,
        orders=pd.DataFrame(
            {
                "order_id": pd.Series([i for ids in parcels for i in ids], dtype="str"),
                "seq": [seq for seq, ids in zip(seqs, parcels, strict=True) for _ in ids],
            }
        ),
        exceptions=pd.DataFrame(
            {
                "order_id": pd.Series(list(exceptions), dtype="str"),
                "codes": pd.Series(list(exceptions.values()), dtype="str"),
            }
        ),
    )


def record(
    ledger: Ledger,
    parcels: list[list[str]],
    exceptions: dict[str, str] | None = None,
    provinces: list[str | None] | None = None,
) -> str:
    with ledger.write():
        batch_id = ledger.new_batch_id(DAY)
        ledger.record_batch(new_batch(batch_id, parcels, exceptions, provinces=provinces))
    return batch_id


def consistency_problems(ledger: Ledger) -> list[str]:
    """Consistency problems (empty when sound): foreign keys, orphan rows, parcels whose
    order count disagrees with the orders that name them. The schema leaves out per-row
    REFERENCES for speed (schema.py), so the tests check every link here."""
    conn = ledger._conn
    problems = [
        f"{table} row {rowid} points to a missing {parent}"
        for table, rowid, parent, _unused in conn.execute("PRAGMA foreign_key_check")
    ]
    problems += [
        f"tracking row {rowid} points to a missing parcels"
        for (rowid,) in conn.execute(
            "SELECT t.rowid FROM tracking AS t LEFT JOIN parcels AS p"
            " ON p.parcel_id = t.parcel_id WHERE p.parcel_id IS NULL ORDER BY t.rowid"
        )
    ]
    for label, query in _CHECKS.items():
        count = conn.execute(query).fetchone()[0]
        if count:
            problems.append(f"{count} {label}")
    return problems


_CHECKS = {
    "parcels outside their batch's parcel range": "SELECT count(*) FROM parcels AS p"
    " LEFT JOIN batches AS b ON b.batch_id = p.batch_id"
    " WHERE b.batch_id IS NULL"
    " OR p.parcel_id NOT BETWEEN b.first_parcel AND b.last_parcel",
    "orders whose batch is missing": "SELECT count(*) FROM orders AS o"
    " WHERE NOT EXISTS (SELECT 1 FROM batches AS b WHERE b.batch_id = o.batch_id)",
    "orders whose parcel is missing or in another batch": "SELECT count(*) FROM orders"
    " AS o LEFT JOIN parcels AS p ON p.parcel_id = o.parcel_id"
    " WHERE o.parcel_id IS NOT NULL AND p.batch_id IS NOT o.batch_id",
    "tracking rows whose import is missing": "SELECT count(*) FROM tracking AS t"
    " WHERE NOT EXISTS (SELECT 1 FROM imports AS i WHERE i.import_id = t.import_id)",
    "parcels whose n_orders disagrees with the orders table": "SELECT count(*) FROM"
    " parcels AS p LEFT JOIN (SELECT parcel_id, count(*) AS n FROM orders"
    " WHERE parcel_id IS NOT NULL GROUP BY parcel_id) AS c"
    " ON c.parcel_id = p.parcel_id WHERE p.n_orders IS NOT c.n",
}
