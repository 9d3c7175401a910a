"""batch_ship.ledger.batches: batch ids, recording a batch, exceptions, its checks."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from batch_ship.errors import LedgerError
from batch_ship.ledger import (
    PARCEL_COLUMNS,
    BatchRef,
    Ledger,
    LedgerUsageError,
    NewBatch,
    shipped_rows,
    status,
)
from batch_ship.model import OrderState
from tests.ledger_helpers import (
    DAY,
    A,
    B,
    C,
    D,
    E,
    consistency_problems,
    new_batch,
    record,
)


def test_batch_ids_count_up_per_day(ledger: Ledger) -> None:
    assert record(ledger, [[A]]) == "20261126-01"
    assert record(ledger, [[B]]) == "20261126-02"
    with ledger.write():
        assert ledger.new_batch_id(date(2026, 11, 27)) == "20261127-01"
        assert ledger.new_batch_id(DAY) == "20261126-03"


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
    assert consistency_problems(ledger) == []
    assert ledger.batch("20991231-01") is None
    assert ledger.batches() == [info]
    assert ledger.latest_batch_id() == batch_id
    assert ledger.batch_ref(batch_id) == BatchRef(batch_id, "zto")
    assert ledger.batch_ref("20991231-01") is None


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
    assert status(ledger)["orders"] == {"submitted": 4, "shipped": 0, "exception": 0}
    assert consistency_problems(ledger) == []


def test_check_reports_broken_links(ledger: Ledger) -> None:
    record(ledger, [[A]])
    assert consistency_problems(ledger) == []
    ledger._conn.execute(
        "INSERT INTO orders (order_id, batch_id, parcel_id) VALUES (?, '20990101-01', 77)", (B,)
    )
    assert consistency_problems(ledger) == [
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


def test_a_batch_of_exceptions_only(ledger: Ledger) -> None:
    empty = new_batch("20261126-01", [], {A: "address-unresolved"})
    bare = NewBatch(
        **{
            **empty.__dict__,
            "parcels": pd.DataFrame(columns=list(PARCEL_COLUMNS)),
            "orders": pd.DataFrame(columns=["order_id", "seq"]),
        }
    )
    with ledger.write():
        ledger.record_batch(bare)
    info = ledger.batch("20261126-01")
    assert info is not None
    assert (info.parcels, info.orders, info.exceptions) == (0, 0, 1)
    assert ledger.parcels("20261126-01").empty
    assert shipped_rows(ledger.parcels("20261126-01")).empty
    assert ledger.order_states([A]) == {A: OrderState.EXCEPTION}


def test_province_must_be_text(ledger: Ledger) -> None:
    batch = new_batch("20261126-01", [[A]])
    batch.parcels["province"] = [33]  # a region code, not the province's name
    with pytest.raises(LedgerUsageError, match=r"parcels\.province"), ledger.write():
        ledger.record_batch(batch)
    assert ledger.province_counts() == {}
