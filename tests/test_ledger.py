"""The SQLite ledger: schema, batches, exceptions, tracking, transactions, concurrency."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from batch_ship import ledger as ledger_module
from batch_ship.errors import LedgerError
from batch_ship.ledger import (
    SCHEMA_VERSION,
    BatchRef,
    Ledger,
    LedgerUsageError,
    NewBatch,
    TrackingAssignment,
    empty_status,
    iso_time,
    ledger_status,
)
from batch_ship.model import OrderState

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


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "ledger.sqlite3"


@pytest.fixture
def ledger(path: Path) -> Iterator[Ledger]:
    opened = Ledger(path)
    yield opened
    opened.close()


# --- schema -------------------------------------------------------------------------------
def test_schema_is_created_versioned_wal_with_foreign_keys(ledger: Ledger, path: Path) -> None:
    assert ledger.schema_version == SCHEMA_VERSION
    conn = sqlite3.connect(path)
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"batches", "parcels", "orders", "tracking", "events"} <= tables
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    assert ledger._conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_reopening_keeps_data_and_does_not_migrate_again(path: Path) -> None:
    with Ledger.open(path) as first:
        batch_id = record(first, [[A]])
    with Ledger.open(path) as second:
        assert second.schema_version == SCHEMA_VERSION
        assert [info.batch_id for info in second.batches()] == [batch_id]


def test_pending_migrations_apply_in_order(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Ledger.open(path) as ledger:
        record(ledger, [[A]])
    extra = (
        "CREATE TABLE notes (note TEXT)",
        "INSERT INTO notes SELECT 'batches: ' || count(*) FROM batches",
    )
    monkeypatch.setattr(ledger_module, "MIGRATIONS", (*ledger_module.MIGRATIONS, extra))
    monkeypatch.setattr(ledger_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    for _ in range(2):  # the second open finds nothing to do
        with Ledger.open(path) as ledger:
            assert ledger.schema_version == SCHEMA_VERSION + 1
            notes = ledger._conn.execute("SELECT note FROM notes").fetchall()
            assert notes == [("batches: 1",)]


def test_a_failing_migration_changes_nothing(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Ledger.open(path):
        pass
    broken = ("CREATE TABLE half (x)", "INSERT INTO no_such_table VALUES (1)")
    monkeypatch.setattr(ledger_module, "MIGRATIONS", (*ledger_module.MIGRATIONS, broken))
    monkeypatch.setattr(ledger_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(LedgerError, match="no_such_table"):
        Ledger(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'half'").fetchone()
    conn.close()


def test_newer_schema_is_refused(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(LedgerError, match="newer than this batch-ship") as caught:
        Ledger(path)
    assert caught.value.hint == "upgrade batch-ship; do not edit the ledger with an older version"


def test_a_file_that_is_not_sqlite_is_refused(path: Path) -> None:
    path.write_bytes("订单编号,物流公司\n".encode("gb18030") * 200)
    with pytest.raises(LedgerError, match="not a batch-ship ledger") as caught:
        Ledger(path)
    assert caught.value.path == path
    assert path.read_bytes().startswith("订单编号".encode("gb18030"))  # left untouched


def test_a_folder_in_place_of_the_ledger_is_refused(path: Path) -> None:
    path.mkdir()
    with pytest.raises(LedgerError, match="is a folder"):
        Ledger(path)


# --- batches ------------------------------------------------------------------------------
def test_batch_ids_count_up_per_day(ledger: Ledger) -> None:
    assert record(ledger, [[A]]) == "20261126-01"
    assert record(ledger, [[B]]) == "20261126-02"
    with ledger.write():
        assert ledger.new_batch_id(date(2026, 11, 27)) == "20261127-01"
        assert ledger.new_batch_id(DAY) == "20261126-03"


def test_changes_outside_write_are_programming_errors(ledger: Ledger) -> None:
    with pytest.raises(LedgerUsageError, match=r"new_batch_id\(\) changes the ledger"):
        ledger.new_batch_id(DAY)
    with pytest.raises(LedgerUsageError, match="inside write"):
        ledger.record_batch(new_batch("20261126-01", [[A]]))
    with pytest.raises(LedgerUsageError, match="inside write"):
        ledger.record_tracking([TrackingAssignment(1, "73100000000001", "row 2")])
    with pytest.raises(LedgerUsageError, match="inside write"):
        ledger.log_event("export", None, {})
    assert ledger.batches() == []


def test_record_batch_then_read_it_back(ledger: Ledger) -> None:
    batch_id = record(ledger, [[A, B], [C]], {D: "phone-masked,address-missing"})

    parcels = ledger.parcels(batch_id)
    assert list(parcels.columns) == [
        "parcel_id", "seq", "file", "file_row", "reference", "name", "phone", "order_ids",
        "tracking", "shipped_at",
    ]  # fmt: skip
    assert parcels["shipped_at"].tolist() == ["", ""]
    assert parcels["seq"].tolist() == [1, 2]
    assert parcels["reference"].tolist() == [A, C]
    assert parcels["order_ids"].tolist() == [f"{A},{B}", C]
    assert parcels["file_row"].tolist() == [2, 3]
    assert parcels["tracking"].tolist() == ["", ""]
    assert parcels["parcel_id"].dtype == "int64"
    assert pd.api.types.is_string_dtype(parcels["reference"].dtype)
    assert isinstance(parcels["reference"].iloc[0], str)

    assert ledger.order_states([A, B, C, D, E]) == {
        A: OrderState.SUBMITTED,
        B: OrderState.SUBMITTED,
        C: OrderState.SUBMITTED,
        D: OrderState.EXCEPTION,
    }
    assert ledger.exception_codes([A, D, E]) == {D: "phone-masked,address-missing"}
    assert ledger.batches_for_references([A, B, C, E]) == {A: batch_id, C: batch_id}

    info = ledger.batch(batch_id)
    assert info is not None
    assert (info.parcels, info.orders, info.shipped_orders, info.awaiting_tracking) == (2, 3, 0, 2)
    assert info.exceptions == 1
    assert info.courier == "zto"
    assert info.created == datetime(2026, 11, 26, 9, 30)
    assert info.files == ("submission-zto.xlsx",)
    assert ledger.check() == []
    assert ledger.batch("20991231-01") is None
    assert ledger.batches() == [info]
    assert ledger.latest_batch_id() == batch_id
    assert ledger.batch_ref(batch_id) == BatchRef(batch_id, "zto")
    assert ledger.batch_ref("20991231-01") is None


def test_batches_are_listed_oldest_first(ledger: Ledger) -> None:
    assert ledger.latest_batch_id() is None
    with ledger.write():
        ledger.record_batch(new_batch("20261127-01", [[A]], created=datetime(2026, 11, 27, 8)))
        ledger.record_batch(new_batch("20261126-01", [[B]], created=datetime(2026, 11, 26, 8)))
    assert [info.batch_id for info in ledger.batches()] == ["20261126-01", "20261127-01"]
    assert ledger.latest_batch_id() == "20261127-01"


def test_an_order_is_never_recorded_twice(ledger: Ledger) -> None:
    first = record(ledger, [[A], [B]])
    with pytest.raises(LedgerError, match=rf"order {B} is submitted in batch {first}"):
        record(ledger, [[C], [B]])
    # the failed batch left nothing behind
    assert [info.batch_id for info in ledger.batches()] == [first]
    assert ledger.order_states([C]) == {}


def test_a_submitted_order_cannot_become_an_exception(ledger: Ledger) -> None:
    record(ledger, [[A]])
    with pytest.raises(LedgerError, match="already in the ledger"):
        record(ledger, [[B]], {A: "phone-missing"})
    assert ledger.order_states([A, B]) == {A: OrderState.SUBMITTED}


def test_exception_still_broken_then_fixed(ledger: Ledger) -> None:
    first = record(ledger, [[A]], {B: "phone-masked"})
    second = record(ledger, [[C]], {B: "address-missing"})  # still broken: codes updated
    assert ledger.order_states([B]) == {B: OrderState.EXCEPTION}
    assert ledger.exception_codes([B]) == {B: "address-missing"}
    counts = {info.batch_id: info.exceptions for info in ledger.batches()}
    assert counts == {first: 0, second: 1}

    third = record(ledger, [[B, D]])  # fixed: submitted in a parcel of the third batch
    assert ledger.order_states([B, D]) == {B: OrderState.SUBMITTED, D: OrderState.SUBMITTED}
    assert ledger.exception_codes([B]) == {}
    assert ledger.batches_for_references([B]) == {B: third}
    assert ledger.status()["orders"] == {"submitted": 4, "shipped": 0, "exception": 0}
    assert ledger.check() == []


def test_check_reports_broken_links(ledger: Ledger) -> None:
    record(ledger, [[A]])
    assert ledger.check() == []
    ledger._conn.execute(
        "INSERT INTO orders (order_id, batch_id, parcel_id) VALUES (?, '20990101-01', 77)", (B,)
    )
    assert ledger.check() == [
        "1 orders whose batch is missing",
        "1 orders whose parcel is missing or in another batch",
    ]


def test_malformed_new_batches_are_programming_errors(ledger: Ledger) -> None:
    good = new_batch("20261126-01", [[A, B], [C]])
    wrong_reference = good.parcels.assign(reference=pd.Series([B, C], dtype="str"))
    float_ids = good.orders.assign(order_id=[4.0125e18, 4.0125e18, 4.0125e18])
    cases = [
        (NewBatch(**{**good.__dict__, "parcels": wrong_reference}), "first order id"),
        (NewBatch(**{**good.__dict__, "orders": float_ids}), "must hold strings"),
        (NewBatch(**{**good.__dict__, "orders": good.orders.iloc[[0, 2]]}), "order_ids disagrees"),
        (NewBatch(**{**good.__dict__, "orders": good.orders.drop(columns="seq")}), "lacks"),
    ]
    for batch, message in cases:
        with pytest.raises(LedgerUsageError, match=message), ledger.write():
            ledger.record_batch(batch)
    assert ledger.batches() == []


def test_order_lookups_take_many_ids_at_once(ledger: Ledger) -> None:
    ids = [f"4012500{n:012d}" for n in range(60_000)]
    record(ledger, [ids[:3]])
    states = ledger.order_states(ids)  # far beyond SQLite's variable limit
    assert states == dict.fromkeys(ids[:3], OrderState.SUBMITTED)
    assert ledger.order_states([]) == {}


def test_order_states_of_ids_that_are_not_all_text(ledger: Ledger) -> None:
    record(ledger, [[C, A]], {B: "phone-masked"})
    assert ledger.order_states({E, C, B, A}) == {
        A: OrderState.SUBMITTED,
        B: OrderState.EXCEPTION,
        C: OrderState.SUBMITTED,
    }
    mixed: list[object] = [A, 4012500868239927921, B]  # a caller bug: not all str
    assert ledger.order_states(mixed) == {A: OrderState.SUBMITTED, B: OrderState.EXCEPTION}  # type: ignore[arg-type]


# --- tracking -----------------------------------------------------------------------------
def test_tracking_first_number_is_primary_and_split_shipments(ledger: Ledger) -> None:
    batch_id = record(ledger, [[A, B], [C], [D]])
    first, second, third = ledger.parcels(batch_id)["parcel_id"].tolist()
    with ledger.write():
        ledger.record_tracking(
            [
                TrackingAssignment(first, "73100000000001", "return.xlsx row 2"),
                TrackingAssignment(second, "73100000000002", "return.xlsx row 3"),
                TrackingAssignment(first, "73100000000009", "return.xlsx row 4"),
            ]
        )
    parcels = ledger.parcels(batch_id)
    assert parcels["tracking"].tolist() == ["73100000000001,73100000000009", "73100000000002", ""]
    shipped_at = parcels["shipped_at"].tolist()
    assert shipped_at[0] == shipped_at[1] != ""
    assert shipped_at[2] == ""
    assert ledger.order_states([A, B, C, D]) == {
        A: OrderState.SHIPPED,
        B: OrderState.SHIPPED,
        C: OrderState.SHIPPED,
        D: OrderState.SUBMITTED,
    }
    shipped = ledger.shipped_orders(batch_id)
    assert list(shipped.columns) == ["order_id", "parcel_id", "tracking", "shipped_at"]
    assert shipped["order_id"].tolist() == [A, B, C]
    assert shipped["parcel_id"].tolist() == [first, first, second]
    assert shipped["tracking"].tolist() == ["73100000000001", "73100000000001", "73100000000002"]
    assert datetime.fromisoformat(shipped["shipped_at"].iloc[0]).tzinfo is not None
    assert ledger.tracking_owners(["73100000000009", "73199999999999"]) == {"73100000000009": first}
    info = ledger.batch(batch_id)
    assert info is not None
    assert (info.shipped_orders, info.awaiting_tracking) == (3, 1)
    assert third not in set(shipped["parcel_id"])


def test_recording_the_same_number_again_is_a_no_op(ledger: Ledger) -> None:
    batch_id = record(ledger, [[A]])
    (parcel,) = ledger.parcels(batch_id)["parcel_id"].tolist()
    for _ in range(2):
        with ledger.write():
            ledger.record_tracking([TrackingAssignment(parcel, "73100000000001", "row 2")])
    assert ledger.parcels(batch_id)["tracking"].tolist() == ["73100000000001"]
    # the second call recorded nothing, so it left no import behind
    assert ledger._conn.execute("SELECT count(*) FROM imports").fetchone() == (1,)


def test_replace_drops_earlier_numbers(ledger: Ledger) -> None:
    batch_id = record(ledger, [[A], [B]])
    first, second = ledger.parcels(batch_id)["parcel_id"].tolist()
    monday, tuesday = datetime(2026, 11, 23, tzinfo=UTC), datetime(2026, 11, 24, tzinfo=UTC)
    with ledger.write():
        ledger.record_tracking(
            [
                TrackingAssignment(first, "73100000000001", "row 2"),
                TrackingAssignment(first, "73100000000002", "row 3"),
                TrackingAssignment(second, "73100000000003", "row 4"),
            ],
            recorded_at=monday,
        )
    with ledger.write():
        ledger.record_tracking(
            [TrackingAssignment(first, "73100000000008", "fixed.xlsx row 2")],
            replace=True,
            recorded_at=tuesday,
        )
    parcels = ledger.parcels(batch_id)
    assert parcels["tracking"].tolist() == ["73100000000008", "73100000000003"]
    # shipped since its (new) first number
    assert parcels["shipped_at"].tolist() == [iso_time(tuesday), iso_time(monday)]
    assert ledger.tracking_owners(["73100000000001", "73100000000002"]) == {}
    # a later number of a split shipment leaves the date alone
    with ledger.write():
        ledger.record_tracking([TrackingAssignment(second, "73100000000009", "row 9")])
    assert ledger.parcels(batch_id)["shipped_at"].tolist() == [iso_time(tuesday), iso_time(monday)]


def test_a_number_belongs_to_one_parcel(ledger: Ledger) -> None:
    batch_id = record(ledger, [[A], [B]])
    first, second = ledger.parcels(batch_id)["parcel_id"].tolist()
    with ledger.write():
        ledger.record_tracking([TrackingAssignment(first, "73100000000001", "row 2")])
    clash = rf"73100000000001 \(batch {batch_id}, reference {A}\)"
    with pytest.raises(LedgerError, match=clash), ledger.write():  # alone: nothing inserted
        ledger.record_tracking([TrackingAssignment(second, "73100000000001", "row 3")])
    with pytest.raises(LedgerError, match=clash), ledger.write():
        ledger.record_tracking(
            [
                TrackingAssignment(second, "73100000000002", "row 3"),
                TrackingAssignment(second, "73100000000001", "row 4"),
            ]
        )
    with pytest.raises(LedgerError, match="given to two parcels"), ledger.write():
        ledger.record_tracking(
            [
                TrackingAssignment(first, "73100000000005", "row 2"),
                TrackingAssignment(second, "73100000000005", "row 3"),
            ]
        )
    # nothing of the refused calls stayed
    assert ledger.parcels(batch_id)["tracking"].tolist() == ["73100000000001", ""]
    assert ledger.order_states([B]) == {B: OrderState.SUBMITTED}


def test_tracking_for_an_unknown_parcel_is_refused(ledger: Ledger) -> None:
    record(ledger, [[A]])
    with pytest.raises(LedgerUsageError, match="unknown parcel"), ledger.write():
        ledger.record_tracking([TrackingAssignment(999, "73100000000001", "row 2")])


def test_malformed_numbers_are_refused_in_list_order(ledger: Ledger) -> None:
    batch_id = record(ledger, [[A], [B]])
    first, second = ledger.parcels(batch_id)["parcel_id"].tolist()
    with pytest.raises(LedgerUsageError, match="must be a trimmed string"), ledger.write():
        ledger.record_tracking(
            [
                TrackingAssignment(first, "73100000000001", "row 2"),
                TrackingAssignment(second, " 73100000000002", "row 3"),
                TrackingAssignment(second, "73100000000001", "row 4"),
            ]
        )
    with pytest.raises(LedgerError, match="given to two parcels"), ledger.write():
        ledger.record_tracking(
            [
                TrackingAssignment(first, "73100000000001", "row 2"),
                TrackingAssignment(second, "73100000000001", "row 3"),
                TrackingAssignment(second, "", "row 4"),
            ]
        )
    with ledger.write():  # a number repeated for the same parcel is recorded once
        ledger.record_tracking(
            [
                TrackingAssignment(first, "73100000000001", "row 2"),
                TrackingAssignment(first, "73100000000001", "row 3"),
            ]
        )
    assert ledger.parcels(batch_id)["tracking"].tolist() == ["73100000000001", ""]


def test_the_first_recorded_number_is_primary_whatever_its_value(ledger: Ledger) -> None:
    batch_id = record(ledger, [[A, B], [C]])
    first, second = ledger.parcels(batch_id)["parcel_id"].tolist()
    with ledger.write():
        ledger.record_tracking([TrackingAssignment(second, "73100000000005", "row 3")])
    with ledger.write():
        ledger.record_tracking(
            [
                TrackingAssignment(first, "73100000000009", "row 2"),
                TrackingAssignment(first, "73100000000001", "row 4"),
                TrackingAssignment(first, "73100000000003", "row 5"),
            ]
        )
    parcels = ledger.parcels(batch_id)
    assert parcels["tracking"].tolist() == [
        "73100000000009,73100000000001,73100000000003",
        "73100000000005",
    ]
    shipped = ledger.shipped_orders(batch_id)
    assert shipped["tracking"].tolist() == ["73100000000009", "73100000000009", "73100000000005"]
    assert shipped["parcel_id"].tolist() == [first, first, second]
    assert shipped["parcel_id"].dtype == "int64"
    assert pd.api.types.is_string_dtype(shipped["order_id"].dtype)


def test_text_holding_the_unit_separator_reads_back_intact(ledger: Ledger) -> None:
    batch = new_batch("20261126-01", [[A], [B, C]])
    names = pd.Series(["张\x1f三", ""], dtype="str")  # U+001F: the internal separator
    weird = NewBatch(**{**batch.__dict__, "parcels": batch.parcels.assign(name=names)})
    with ledger.write():
        ledger.record_batch(weird)
    parcels = ledger.parcels("20261126-01")
    assert parcels["name"].tolist() == ["张\x1f三", ""]
    assert parcels["order_ids"].tolist() == [A, f"{B},{C}"]
    assert parcels["tracking"].tolist() == ["", ""]
    assert ledger.parcels("20991231-01").empty
    assert ledger.shipped_orders("20991231-01").empty


def parcel_ids(ledger: Ledger) -> list[int]:
    """Parcel ids through SQL, readable under any schema version."""
    return [row[0] for row in ledger._conn.execute("SELECT parcel_id FROM parcels ORDER BY 1")]


def test_a_version_1_ledger_is_migrated_keeping_tracking(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as version_1:
        version_1.setattr(ledger_module, "MIGRATIONS", ledger_module.MIGRATIONS[:1])
        version_1.setattr(ledger_module, "SCHEMA_VERSION", 1)
        with Ledger.open(path) as ledger:
            assert ledger.schema_version == 1
            batch_id = record(ledger, [[A], [B]])
            first, second = parcel_ids(ledger)
            # as version 1 wrote them: numbers out of value order, a parcel with two (the
            # second recorded later), shipped_at the time of each parcel's first number
            rows = [("73100000000009", first, "2026-11-26T01:00:00+00:00")]
            rows.append(("73100000000002", second, "2026-11-26T02:00:00+00:00"))
            rows.append(("73100000000001", first, "2026-11-27T03:00:00+00:00"))
            with ledger.write():
                ledger._conn.executemany(
                    "INSERT INTO tracking (number, parcel_id, recorded_at) VALUES (?, ?, ?)",
                    rows,
                )
                ledger._conn.executemany(
                    "UPDATE parcels SET shipped_at = ? WHERE parcel_id = ?",
                    [(rows[0][2], first), (rows[1][2], second)],
                )
    with Ledger.open(path) as ledger:
        assert ledger.schema_version == SCHEMA_VERSION == 5
        parcels = ledger.parcels(batch_id)
        assert parcels["tracking"].tolist() == ["73100000000009,73100000000001", "73100000000002"]
        assert parcels["shipped_at"].tolist() == [rows[0][2], rows[1][2]]
        assert ledger.shipped_orders(batch_id)["tracking"].tolist() == [
            "73100000000009",
            "73100000000002",
        ]
        assert ledger.check() == []
        ledger._conn.execute(
            "INSERT INTO tracking (number, parcel_id, import_id) VALUES ('7319', 999, 1)"
        )
        ledger._conn.execute(
            f"INSERT INTO tracking (number, parcel_id, import_id) VALUES ('7320', {first}, 99)"
        )
        assert ledger.check() == [
            "tracking row 4 points to a missing parcels",
            "1 tracking rows whose import is missing",
        ]


def test_a_version_2_ledger_gains_provinces_keeping_its_data(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as version_2:
        version_2.setattr(ledger_module, "MIGRATIONS", ledger_module.MIGRATIONS[:2])
        version_2.setattr(ledger_module, "SCHEMA_VERSION", 2)
        with Ledger.open(path) as ledger:
            assert ledger.schema_version == 2
            old_batch = record(ledger, [[A], [B, C]], {D: "phone-masked"})
            first = parcel_ids(ledger)[0]
            with ledger.write():  # as version 2 recorded a number
                ledger._conn.execute(
                    "INSERT INTO tracking (number, parcel_id, source, recorded_at)"
                    " VALUES ('73100000000001', ?, 'row 2', '2026-11-26T01:00:00+00:00')",
                    (first,),
                )
                ledger._conn.execute(
                    "UPDATE parcels SET shipped_at = '2026-11-26T01:00:00+00:00'"
                    " WHERE parcel_id = ?",
                    (first,),
                )
            status = ledger.status()
    with Ledger.open(path) as ledger:
        assert ledger.schema_version == SCHEMA_VERSION
        parcels = ledger.parcels(old_batch)
        assert parcels["tracking"].tolist() == ["73100000000001", ""]
        assert parcels["shipped_at"].tolist() == ["2026-11-26T01:00:00+00:00", ""]
        assert ledger.status() == status
        assert ledger.order_states([A, B, C, D]) == {
            A: OrderState.SHIPPED,
            B: OrderState.SUBMITTED,
            C: OrderState.SUBMITTED,
            D: OrderState.EXCEPTION,
        }
        assert ledger.province_counts(old_batch) == {"": 2}  # recorded before: unknown
        new = record(ledger, [[E]], provinces=["浙江省"])
        assert ledger.province_counts(new) == {"浙江省": 1}
        assert ledger.province_counts() == {"": 2, "浙江省": 1}
        assert ledger.check() == []


def test_a_version_3_ledger_keeps_what_shipped_and_when(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Version 4 drops parcels.shipped_at (shipped = has a number, since its first number's
    import) and moves tracking's time stamps to imports; the view and every reader agree."""
    times = ["2026-11-26T01:00:00+00:00", "2026-11-27T02:00:00+00:00"]
    with monkeypatch.context() as version_3:
        version_3.setattr(ledger_module, "MIGRATIONS", ledger_module.MIGRATIONS[:3])
        version_3.setattr(ledger_module, "SCHEMA_VERSION", 3)
        with Ledger.open(path) as ledger:
            batch_id = record(ledger, [[A], [B, C], [D]])
            first, second, _ = parcel_ids(ledger)
            rows = [("73100000000001", first, "row 2", times[0])]
            rows.append(("73100000000002", second, "row 3", times[0]))
            rows.append(("73100000000003", first, "later.xlsx row 2", times[1]))
            with ledger.write():
                ledger._conn.executemany(
                    "INSERT INTO tracking (number, parcel_id, source, recorded_at)"
                    " VALUES (?, ?, ?, ?)",
                    rows,
                )
                ledger._conn.execute(
                    "UPDATE parcels SET shipped_at = ? WHERE parcel_id IN (?, ?)",
                    (times[0], first, second),
                )
            view = ledger._conn.execute(
                "SELECT order_id, state FROM order_states ORDER BY order_id"
            ).fetchall()
    with Ledger.open(path) as ledger:
        assert ledger.schema_version == SCHEMA_VERSION
        columns = [row[1] for row in ledger._conn.execute("PRAGMA table_info(parcels)")]
        assert "shipped_at" not in columns
        assert ledger._conn.execute(
            "SELECT number, source, recorded_at FROM tracking JOIN imports USING (import_id)"
            " ORDER BY tracking.rowid"
        ).fetchall() == [(number, source, at) for number, _, source, at in rows]
        parcels = ledger.parcels(batch_id)
        assert parcels["tracking"].tolist() == [
            "73100000000001,73100000000003",
            "73100000000002",
            "",
        ]
        assert parcels["shipped_at"].tolist() == [times[0], times[0], ""]
        assert (
            ledger._conn.execute(
                "SELECT order_id, state FROM order_states ORDER BY order_id"
            ).fetchall()
            == view
        )
        assert ledger.order_states([A, B, C, D]) == {
            A: OrderState.SHIPPED,
            B: OrderState.SHIPPED,
            C: OrderState.SHIPPED,
            D: OrderState.SUBMITTED,
        }
        assert ledger.check() == []


# --- provinces ------------------------------------------------------------------------------
def test_province_counts_per_batch_and_overall(ledger: Ledger) -> None:
    first = record(
        ledger,
        [[A], [B, C], [D]],
        provinces=["浙江省", "广东省", "浙江省"],
    )
    # A missing value and '' are both "unknown": the key ''.
    second = record(
        ledger,
        [["4012500868239927931"], ["4012500868239927932"], [E]],
        provinces=["广东省", None, ""],
    )
    third = record(ledger, [["4012500868239927933"]])  # no province column at all
    assert ledger.province_counts(first) == {"浙江省": 2, "广东省": 1}
    assert list(ledger.province_counts(first)) == ["浙江省", "广东省"]  # most parcels first
    assert ledger.province_counts(second) == {"": 2, "广东省": 1}
    assert ledger.province_counts(third) == {"": 1}
    overall = ledger.province_counts()
    assert overall == {"": 3, "广东省": 2, "浙江省": 2}
    assert list(overall) == ["", "广东省", "浙江省"]  # ties by name
    assert sum(overall.values()) == sum(info.parcels for info in ledger.batches())
    assert ledger.province_counts("20991231-01") == {}


def test_province_must_be_text(ledger: Ledger) -> None:
    batch = new_batch("20261126-01", [[A]])
    batch.parcels["province"] = [33]  # a region code, not the province's name
    with pytest.raises(LedgerUsageError, match=r"parcels\.province"), ledger.write():
        ledger.record_batch(batch)
    assert ledger.province_counts() == {}


def test_province_counts_of_an_empty_ledger(ledger: Ledger) -> None:
    assert ledger.province_counts() == {}


# --- transactions and concurrency ----------------------------------------------------------
def _crash_after_recording(ledger: Ledger) -> None:
    with ledger.write():
        batch_id = ledger.new_batch_id(DAY)
        ledger.record_batch(new_batch(batch_id, [[A]], {B: "name-missing"}))
        ledger.log_event("export", batch_id, {"orders_read": 2})
        raise RuntimeError("crash after recording")


def test_an_error_inside_write_leaves_nothing(ledger: Ledger) -> None:
    with pytest.raises(RuntimeError, match="crash"):
        _crash_after_recording(ledger)
    assert ledger.batches() == []
    assert ledger.order_states([A, B]) == {}
    assert ledger.events() == []
    assert record(ledger, [[A]]) == "20261126-01"  # the id is free again


def test_nested_write_is_a_savepoint(ledger: Ledger) -> None:
    with ledger.write():
        ledger.record_batch(new_batch("20261126-01", [[A]]))
        with pytest.raises(LedgerError), ledger.write():
            ledger.record_batch(new_batch("20261126-02", [[A]]))
        ledger.log_event("export", "20261126-01", {})
    assert [info.batch_id for info in ledger.batches()] == ["20261126-01"]
    assert [event.kind for event in ledger.events()] == ["export"]


def test_a_second_writer_waits_then_gives_up_clearly(path: Path) -> None:
    with Ledger.open(path) as holder, Ledger.open(path, timeout=0.05) as other:
        with holder.write():
            with pytest.raises(LedgerError, match="another batch-ship run") as caught:  # noqa: SIM117
                with other.write():
                    pass
            assert "wait for it to finish" in str(caught.value)
            # reading while another run writes is fine (WAL), even from a fresh open
            assert other.batches() == []
            holder.record_batch(new_batch("20261126-01", [[A]]))
            assert ledger_status(path) == empty_status()  # uncommitted work is invisible
        with other.write():
            other.log_event("status", None, {})


def test_opening_a_new_ledger_never_deadlocks_another_run(path: Path) -> None:
    """Switching a new ledger to WAL needs the only lock on the file. A run that waited for it
    while keeping its read lock would block another run committing (each waiting for the
    other for the whole busy timeout); the open must let go between tries instead."""
    Ledger(path).close()
    with sqlite3.connect(path) as plain:
        plain.execute("PRAGMA journal_mode = DELETE")  # as before a first run switched it
    other = sqlite3.connect(path, timeout=3, isolation_level=None)
    other.execute("BEGIN")
    other.execute("SELECT count(*) FROM batches").fetchone()  # its read lock
    modes: list[str] = []

    def open_ledger() -> None:
        with Ledger.open(path, timeout=10) as ledger:
            modes.append(ledger._conn.execute("PRAGMA journal_mode").fetchone()[0])

    opening = threading.Thread(target=open_ledger)
    opening.start()
    time.sleep(0.2)  # the open is trying to switch now
    other.execute("INSERT INTO events (kind, at) VALUES ('status', '2026-11-26')")
    other.execute("COMMIT")  # needs the open's read lock gone
    other.close()
    opening.join(timeout=15)
    assert modes == ["wal"]
    with Ledger.open(path) as ledger:
        assert [event.kind for event in ledger.events()] == ["status"]


def _export_in_process(path: str, ids: list[str], barrier: object, results: object) -> None:
    """One export: check the ledger for already-submitted ids, record the rest."""
    barrier.wait()  # type: ignore[attr-defined]
    try:
        with Ledger.open(Path(path)) as ledger, ledger.write():
            known = ledger.order_states(ids)
            fresh = [order_id for order_id in ids if order_id not in known]
            batch_id = ledger.new_batch_id(DAY)
            if fresh:
                ledger.record_batch(new_batch(batch_id, [[order_id] for order_id in fresh]))
        results.put((batch_id, fresh))  # type: ignore[attr-defined]
    except Exception as error:  # reported to the parent, which fails the test with it
        results.put(("error", [f"{type(error).__name__}: {error}"]))  # type: ignore[attr-defined]


def test_two_processes_never_put_one_order_in_two_batches(path: Path) -> None:
    Ledger(path).close()
    ids = [f"4012500{n:012d}" for n in range(400)]
    workloads = [ids[:300], ids[100:]]  # 200 ids overlap
    context = multiprocessing.get_context("fork")  # spawn re-imports pandas: 20x slower
    barrier = context.Barrier(2)
    results = context.Queue()
    workers = [
        context.Process(target=_export_in_process, args=(str(path), load, barrier, results))
        for load in workloads
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert [batch for batch, _ in outcomes if batch == "error"] == [], outcomes
    (batch_1, won_1), (batch_2, won_2) = outcomes
    assert batch_1 != batch_2
    assert not set(won_1) & set(won_2)
    assert set(won_1) | set(won_2) == set(ids)
    with Ledger.open(path) as ledger:
        recorded = {info.batch_id: info.orders for info in ledger.batches()}
        assert recorded == {batch_1: len(won_1), batch_2: len(won_2)}
        assert len(ledger.order_states(ids)) == len(ids)
        assert ledger.check() == []


# --- events and status ---------------------------------------------------------------------
def test_events_keep_kind_batch_and_detail(ledger: Ledger) -> None:
    batch_id = record(ledger, [[A]])
    with ledger.write():
        ledger.log_event("export", batch_id, {"orders_read": 1, "seconds": 0.25})
        ledger.log_event("import-tracking", batch_id, {"parcels_matched": 1})
        ledger.log_event("status", None, {"path": Path("/tmp/x"), "n": np.int64(3)})
    events = ledger.events()
    assert [(event.kind, event.batch_id) for event in events] == [
        ("export", batch_id),
        ("import-tracking", batch_id),
        ("status", None),
    ]
    assert events[0].detail == {"orders_read": 1, "seconds": 0.25}
    assert events[2].detail == {"path": "/tmp/x", "n": 3}
    assert datetime.fromisoformat(events[0].at).tzinfo is not None
    assert [event.kind for event in ledger.events(kind="export")] == ["export"]
    assert len(ledger.events(batch_id=batch_id)) == 2


def test_status_object_shape_and_counts(ledger: Ledger) -> None:
    assert ledger.status() == empty_status()
    first = record(ledger, [[A, B], [C]], {D: "phone-invalid"})
    second = record(ledger, [[E]])
    (parcel, _) = ledger.parcels(first)["parcel_id"].tolist()
    with ledger.write():
        ledger.record_tracking([TrackingAssignment(parcel, "73100000000001", "row 2")])
    assert ledger.status() == {
        "batches": [
            {
                "batch": first,
                "courier": "zto",
                "created": "2026-11-26T09:30:00",
                "parcels": 2,
                "orders": 3,
                "shipped_orders": 2,
                "awaiting_tracking": 1,
            },
            {
                "batch": second,
                "courier": "zto",
                "created": "2026-11-26T09:30:00",
                "parcels": 1,
                "orders": 1,
                "shipped_orders": 0,
                "awaiting_tracking": 1,
            },
        ],
        "orders": {"submitted": 2, "shipped": 2, "exception": 1},
    }


def test_ledger_status_of_a_missing_ledger_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "ledger.sqlite3"
    assert ledger_status(missing) == {
        "batches": [],
        "orders": {"submitted": 0, "shipped": 0, "exception": 0},
    }
    assert list(tmp_path.iterdir()) == []


def test_a_batch_of_exceptions_only(ledger: Ledger) -> None:
    empty = new_batch("20261126-01", [], {A: "address-unresolved"})
    bare = NewBatch(
        **{
            **empty.__dict__,
            "parcels": pd.DataFrame(columns=list(ledger_module.PARCEL_COLUMNS)),
            "orders": pd.DataFrame(columns=["order_id", "seq"]),
        }
    )
    with ledger.write():
        ledger.record_batch(bare)
    info = ledger.batch("20261126-01")
    assert info is not None
    assert (info.parcels, info.orders, info.exceptions) == (0, 0, 1)
    assert ledger.parcels("20261126-01").empty
    assert ledger.shipped_orders("20261126-01").empty
    assert ledger.order_states([A]) == {A: OrderState.EXCEPTION}


def test_a_ledger_in_a_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="cannot open the ledger") as caught:
        Ledger(tmp_path / "no-such-home" / "ledger.sqlite3")
    assert caught.value.hint == "check that the folder exists and is writable"


def test_another_programs_database_is_not_taken_over(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE orders (id INTEGER)")
    conn.close()
    with pytest.raises(LedgerError, match="an SQLite database of another program"):
        Ledger(path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("orders",)]
    conn.close()


def test_record_tracking_columns_keeps_each_parcels_order(ledger: Ledger) -> None:
    batch_id = record(ledger, [[A, B], [C], [D]])
    first, second, third = ledger.parcels(batch_id)["parcel_id"].tolist()
    with ledger.write():
        # parcels out of order (a shuffled return): each parcel's first number stays primary
        ledger.record_tracking_columns(
            [third, first, second, first],
            ["73100000000007", "73100000000009", "73100000000002", "73100000000001"],
            ["r.xlsx row 2", "r.xlsx row 3", "r.xlsx row 4", "r.xlsx row 5"],
        )
    parcels = ledger.parcels(batch_id)
    assert parcels["tracking"].tolist() == [
        "73100000000009,73100000000001",
        "73100000000002",
        "73100000000007",
    ]
    shipped = ledger.shipped_orders(batch_id)
    assert shipped["tracking"].tolist() == [
        "73100000000009",
        "73100000000009",
        "73100000000002",
        "73100000000007",
    ]
    assert ledger.order_states([A, D]) == {A: OrderState.SHIPPED, D: OrderState.SHIPPED}


def test_record_tracking_columns_takes_pandas_columns(ledger: Ledger) -> None:
    """Columns of a frame (text in Arrow, an index out of order, as a sorted plan has) are
    recorded like lists; a missing or untrimmed number is refused the same way."""
    batch_id = record(ledger, [[A], [B], [C]])
    first, second, third = ledger.parcels(batch_id)["parcel_id"].tolist()
    plan = (
        pd.DataFrame(
            {
                "parcel_id": [third, first, second],
                "number": ["73100000000007", "73100000000009", "7310000000002"],
                "source": ["r row 2", "r row 3", "r row 4"],
            },
            index=[7, 3, 5],
        )
        .astype({"number": "str", "source": "str"})
        .sort_values("parcel_id")
    )
    broken = plan.assign(number=pd.Series([None, " 7310", "7311"], dtype="str", index=plan.index))
    with pytest.raises(LedgerUsageError, match="must be a trimmed string"), ledger.write():
        ledger.record_tracking_columns(broken["parcel_id"], broken["number"], broken["source"])
    with ledger.write():
        ledger.record_tracking_columns(plan["parcel_id"], plan["number"], plan["source"])
    parcels = ledger.parcels(batch_id)
    assert parcels["tracking"].tolist() == ["73100000000009", "7310000000002", "73100000000007"]
    sources = ledger._conn.execute("SELECT source FROM tracking ORDER BY rowid").fetchall()
    assert sources == [("r row 3",), ("r row 4",), ("r row 2",)]


def test_record_tracking_columns_refuses_like_record_tracking(ledger: Ledger) -> None:
    batch_id = record(ledger, [[A], [B]])
    first, second = ledger.parcels(batch_id)["parcel_id"].tolist()
    with pytest.raises(LedgerUsageError, match="differ in length"), ledger.write():
        ledger.record_tracking_columns([first], ["73100000000001", "73100000000002"], ["r"])
    with pytest.raises(LedgerError, match="given to two parcels"), ledger.write():
        ledger.record_tracking_columns(
            [first, second], ["73100000000005", "73100000000005"], ["row 2", "row 3"]
        )
    with pytest.raises(LedgerUsageError, match="must be a trimmed string"), ledger.write():
        ledger.record_tracking_columns([first], [" 73100000000001"], ["row 2"])
    with pytest.raises(LedgerUsageError, match="unknown parcel"), ledger.write():
        ledger.record_tracking_columns([999], ["73100000000001"], ["row 2"])
    with pytest.raises(LedgerUsageError, match="inside write"):
        ledger.record_tracking_columns([first], ["73100000000001"], ["row 2"])
    assert ledger.parcels(batch_id)["tracking"].tolist() == ["", ""]


def test_a_version_4_ledger_gains_an_empty_publications_table_keeping_its_data(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Version 5 adds `publications` (batch_ship/publish.py): what a run publishes, recorded
    in its commit. Nothing is pending after the upgrade; records come and go in write()."""
    with monkeypatch.context() as version_4:
        version_4.setattr(ledger_module, "MIGRATIONS", ledger_module.MIGRATIONS[:4])
        version_4.setattr(ledger_module, "SCHEMA_VERSION", 4)
        with Ledger.open(path) as ledger:
            batch_id = record(ledger, [[A], [B, C]])
            before = ledger.status()
            with pytest.raises(sqlite3.OperationalError, match="publications"):
                ledger.publications()
    with Ledger.open(path) as ledger:
        assert ledger.schema_version == SCHEMA_VERSION == 5
        assert ledger.status() == before
        assert ledger.batch_ids() == {batch_id}
        assert ledger.publications() == {}
        assert ledger.check() == []
        moves = [("batches/.publish-1-ab/0-reconcile.xlsx", "batches/x/reconcile.xlsx")]
        moves.append(("batches/.publish-1-ab/1-upload-taobao.csv", "batches/x/upload-taobao.csv"))
        with pytest.raises(LedgerUsageError):
            ledger.record_publication("1-ab", moves)
        with ledger.write():
            ledger.record_publication("1-ab", moves)
        assert ledger.publications() == {"1-ab": moves}
        assert ledger.publications("2-cd") == {}
        with ledger.write():
            ledger.forget_publication("1-ab")
        assert ledger.publications() == {}
