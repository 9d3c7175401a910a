"""batch_ship.ledger.gather: a batch's columns read in chunks, text intact, numbers joined."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from batch_ship.ledger import Ledger, NewBatch, shipped_rows
from batch_ship.tuning import Tuning
from tests.ledger_helpers import A, B, C, D, E, new_batch


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
