"""batch_ship.ledger.queries: order states, batches, parcels read back, provinces."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd

from batch_ship.ledger import (
    Ledger,
    NewBatch,
    shipped_rows,
)
from batch_ship.model import OrderState
from batch_ship.tuning import Tuning
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
    assert shipped_rows(ledger.parcels("20991231-01")).empty


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


def test_small_chunks_read_and_record_what_one_chunk_does(path: Path) -> None:
    """Tuning's gather and insert chunks change how many rows go per statement, never what
    is recorded or read: at 2 parcels a chunk, a 7-parcel batch is read in 4 chunks, one
    with a U+001F name (its own JSON fallback), one without any tracking row."""
    parcels = [[A], [B, C], [D], [E], *([f"40125008682399{n:05d}"] for n in range(3))]
    batch = new_batch("20261126-01", parcels)
    names = batch.parcels["name"].copy()
    names.iloc[2] = "张\x1f三"
    batch = NewBatch(**{**batch.__dict__, "parcels": batch.parcels.assign(name=names)})
    small = Tuning(gather_chunk=2, insert_chunk=2)
    with Ledger.open(path, tuning=small) as ledger:
        with ledger.write():
            ledger.record_batch(batch)
        ids = ledger.parcels(batch.batch_id)["parcel_id"].tolist()
        with ledger.write():  # parcels 5 and 6 (one chunk) stay without a number
            ledger.record_tracking(
                [ids[1], ids[0], ids[1], ids[3], ids[6]],
                ["7310000000003", "7310000000001", "7310000000002", "7310000000004", "7315"],
                ["r 2", "r 3", "r 4", "r 5", "r 6"],
            )
        chunked = ledger.parcels(batch.batch_id)
    with Ledger.open(path) as ledger:
        whole = ledger.parcels(batch.batch_id)
    pd.testing.assert_frame_equal(chunked, whole)
    assert whole["name"].tolist()[2] == "张\x1f三"
    assert whole["order_ids"].tolist()[:2] == [A, f"{B},{C}"]
    assert whole["tracking"].tolist() == [
        "7310000000001",
        "7310000000003,7310000000002",
        "",
        "7310000000004",
        "",
        "",
        "7315",
    ]
