"""Which batch an import is for, and its parcels read ahead while the return is read."""

from __future__ import annotations

import threading
from pathlib import Path

import pandas as pd
import pytest

from batch_ship.errors import LedgerError
from batch_ship.ledger import Ledger
from batch_ship.tracking import batches
from batch_ship.tuning import Tuning
from tests.test_cli_import_tracking import BATCH, order_id, seed_batch


def test_parcels_read_ahead_are_what_the_ledger_holds(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch's parcels are read on a second connection, in a thread, while the return is
    read; another batch, or a read ahead that failed, is read on the caller's connection."""
    seed_batch(home, [[order_id(0)], [order_id(1), order_id(2)]])
    seed_batch(home, [[order_id(5)]], batch_id="20261126-02")
    read_ahead = batches.read_parcels
    threads: list[int] = []

    def counted(path: Path, batch_id: str, tuning: Tuning) -> pd.DataFrame:
        assert tuning is small  # the second connection is tuned as the caller's
        threads.append(threading.get_ident())
        return read_ahead(path, batch_id, tuning)

    monkeypatch.setattr(batches, "read_parcels", counted)
    small = Tuning(cache_kib=1_024)
    with Ledger.open(home / "ledger.sqlite3", tuning=small) as ledger, ledger.write():
        with batches.parcels_ahead(ledger, BATCH) as parcels_of:
            pd.testing.assert_frame_equal(parcels_of(BATCH), ledger.parcels(BATCH))
            other = "20261126-02"
            pd.testing.assert_frame_equal(parcels_of(other), ledger.parcels(other))
        assert len(threads) == 1
        assert threads[0] != threading.get_ident()

        def broken(path: Path, batch_id: str, tuning: Tuning) -> pd.DataFrame:
            raise LedgerError("the disk is full")

        monkeypatch.setattr(batches, "read_parcels", broken)
        with batches.parcels_ahead(ledger, BATCH) as parcels_of:
            pd.testing.assert_frame_equal(parcels_of(BATCH), ledger.parcels(BATCH))
