"""Ledger speed: recording a 1M-order batch, order_states over 1M ids, tracking, reads."""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from batch_ship.ledger import Ledger, NewBatch, shipped_rows, status

T = TypeVar("T")


def _timed(results: dict[str, Any], key: str, function: Callable[[], T]) -> T:
    """Wall seconds under `key`; CPU seconds under `key`_cpu (steadier on a shared machine)."""
    start, cpu = time.perf_counter(), time.process_time()
    value = function()
    results[key] = round(time.perf_counter() - start, 3)
    results[key.removesuffix("_s") + "_cpu_s"] = round(time.process_time() - cpu, 3)
    return value


def make_batch(batch_id: str, n_orders: int, start: int, merged_every: int = 10) -> NewBatch:
    """n_orders 19-digit ids; every `merged_every`-th parcel holds two orders; 0.5% exceptions."""
    rng = np.random.default_rng(start)
    offsets = rng.permutation(n_orders * 3)[:n_orders]
    ids = (4_012_500_000_000_000_000 + start + offsets).astype(str)
    n_exceptions = n_orders // 200
    exception_ids, submitted = ids[:n_exceptions], ids[n_exceptions:]
    # parcel numbers: a second order joins the previous parcel every `merged_every` orders
    joins = (np.arange(len(submitted)) % merged_every) == merged_every - 1
    joins[0] = False
    seq = np.cumsum(~joins)
    orders = pd.DataFrame({"order_id": pd.Series(submitted, dtype="str"), "seq": seq})
    # at most two orders per parcel: the second (a join) is appended to the first's list
    heads = orders[~joins]
    tails = pd.Series(orders["order_id"][joins].to_numpy(), index=orders["seq"][joins].to_numpy())
    extra = ("," + tails).reindex(heads["seq"].to_numpy()).fillna("")
    first = pd.Series(heads["order_id"].to_numpy(), index=heads["seq"].to_numpy(), dtype="str")
    order_ids = first + extra.to_numpy()
    n_parcels = len(order_ids)
    file_row = (np.arange(n_parcels) % 10_000) + 2
    file_names = pd.Series(
        [f"submission-zto-{index // 10_000 + 1}.xlsx" for index in range(n_parcels)], dtype="str"
    )
    parcels = pd.DataFrame(
        {
            "seq": order_ids.index.to_numpy(),
            "file": file_names,
            "file_row": file_row,
            "reference": pd.Series(first.to_numpy(), dtype="str"),
            "name": pd.Series(["张三"] * n_parcels, dtype="str"),
            "phone": pd.Series(
                (13_800_000_000 + np.arange(n_parcels) % 99_999_999).astype(str), dtype="str"
            ),
            "order_ids": pd.Series(order_ids.to_numpy(), dtype="str"),
        }
    )
    exceptions = pd.DataFrame(
        {
            "order_id": pd.Series(exception_ids, dtype="str"),
            "codes": pd.Series(["phone-masked"] * n_exceptions, dtype="str"),
        }
    )
    return NewBatch(
        batch_id=batch_id,
        courier="zto",
        created=datetime.now(UTC),
        files=tuple(sorted(set(file_names))),
        parcels=parcels,
        orders=orders,
        exceptions=exceptions,
    )


def _floor(batch: NewBatch, folder: Path) -> None:
    """The same rows into a bare SQLite table (no keys, no indexes): the cost of moving data."""
    conn = sqlite3.connect(folder / "floor.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE p (a, b, c, d, e, f, g)")
    conn.execute("CREATE TABLE o (a, b)")
    conn.execute("BEGIN")
    parcels = batch.parcels
    conn.executemany(
        "INSERT INTO p VALUES (?, ?, ?, ?, ?, ?, ?)",
        zip(*(parcels[column].tolist() for column in parcels.columns), strict=True),
    )
    conn.executemany(
        "INSERT INTO o VALUES (?, ?)",
        zip(batch.orders["order_id"].tolist(), batch.orders["seq"].tolist(), strict=True),
    )
    conn.execute("COMMIT")
    conn.close()


def main(n_orders: int = 1_000_000) -> dict[str, Any]:
    # `--orders 100000` is the size of the import-tracking bar (a 100k-parcel return).
    results: dict[str, Any] = {"orders": n_orders}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        batch = _timed(results, "build_batch_s", lambda: make_batch("20261126-01", n_orders, 0))
        results["parcels"] = len(batch.parcels)
        _timed(results, "floor_bare_insert_s", lambda: _floor(batch, folder))
        with Ledger.open(folder / "ledger.sqlite3") as ledger:

            def record() -> None:
                with ledger.write():
                    ledger.record_batch(batch)

            _timed(results, "record_batch_s", record)
            results["record_vs_floor_cpu"] = round(
                results["record_batch_cpu_s"] / results["floor_bare_insert_cpu_s"], 2
            )
            # half known, half unknown ids, as a second day's export looks
            second = make_batch("x", n_orders, 10**15)
            lookup = [*batch.orders["order_id"].tolist()[: n_orders // 2]]
            lookup += second.orders["order_id"].tolist()[: n_orders - len(lookup)]
            states = _timed(results, "order_states_s", lambda: ledger.order_states(lookup))
            results["order_states_found"] = len(states)

            def day_two() -> None:
                with ledger.write():
                    batch_id = ledger.new_batch_id(date(2026, 11, 27))
                    ledger.order_states(second.orders["order_id"].tolist())
                    ledger.record_batch(
                        NewBatch(
                            batch_id,
                            second.courier,
                            second.created,
                            second.files,
                            second.parcels,
                            second.orders,
                            second.exceptions,
                        )
                    )

            _timed(results, "second_batch_with_check_s", day_two)
            parcels = _timed(results, "parcels_read_s", lambda: ledger.parcels("20261126-01"))
            parcel_ids = parcels["parcel_id"].tolist()
            numbers = [f"7{index:013d}" for index in range(len(parcel_ids))]
            sources = [f"row {index + 2}" for index in range(len(parcel_ids))]

            def track() -> None:
                with ledger.write():
                    ledger.record_tracking(parcel_ids, numbers, sources)

            _timed(results, "record_tracking_s", track)
            shipped = _timed(
                results, "shipped_orders_s", lambda: shipped_rows(ledger.parcels("20261126-01"))
            )
            results["shipped_rows"] = len(shipped)
            # What import-tracking spends in the ledger: read parcels, record, read the upload.
            results["import_tracking_ledger_cpu_s"] = round(
                results["parcels_read_cpu_s"]
                + results["record_tracking_cpu_s"]
                + results["shipped_orders_cpu_s"],
                3,
            )
            _timed(results, "status_s", lambda: status(ledger))
        results["ledger_mb"] = round(
            sum(p.stat().st_size for p in folder.glob("ledger.sqlite3*")) / 1e6, 1
        )
    for key, value in results.items():
        print(f"{key:>28}: {value}")
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=1_000_000)
    main(parser.parse_args().orders)
