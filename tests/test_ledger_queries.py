"""batch_ship.ledger.queries: order states, batches, parcels read back, provinces."""

from __future__ import annotations

from datetime import datetime

from batch_ship.ledger import (
    Ledger,
)
from batch_ship.model import OrderState
from tests.ledger_helpers import (
    A,
    B,
    C,
    D,
    E,
    new_batch,
    record,
)


def test_batches_are_listed_oldest_first(ledger: Ledger) -> None:
    assert ledger.latest_batch_id() is None
    with ledger.write():
        ledger.record_batch(new_batch("20261127-01", [[A]], created=datetime(2026, 11, 27, 8)))
        ledger.record_batch(new_batch("20261126-01", [[B]], created=datetime(2026, 11, 26, 8)))
    assert [info.batch_id for info in ledger.batches()] == ["20261126-01", "20261127-01"]
    assert ledger.latest_batch_id() == "20261127-01"


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


def test_province_counts_of_an_empty_ledger(ledger: Ledger) -> None:
    assert ledger.province_counts() == {}


def test_open_exceptions_by_batch_with_their_codes_as_tuples(ledger: Ledger) -> None:
    first = record(ledger, [[A]], {B: "phone-masked", D: "name-missing"})
    second = record(ledger, [[C]], {B: "phone-masked,address-missing"})  # B still broken
    assert ledger.open_exceptions() == [
        (first, D, ("name-missing",)),
        (second, B, ("phone-masked", "address-missing")),
    ]
    assert ledger.open_exceptions(second) == [(second, B, ("phone-masked", "address-missing"))]
    record(ledger, [[B]])  # fixed: no longer open
    assert ledger.open_exceptions(second) == []
    assert ledger.open_exceptions("20991231-01") == []
