"""batch_ship.ledger.publications: a run's moves, recorded in its commit until in place."""

from __future__ import annotations

import pytest

from batch_ship.ledger import Ledger, LedgerUsageError


def test_publications_keep_each_runs_moves_in_order_until_forgotten(ledger: Ledger) -> None:
    first = [("batches/.publish-1-ab/1-b.xlsx", "batches/x/b.xlsx")]
    first.append(("batches/.publish-1-ab/0-a.csv", "batches/x/a.csv"))  # step order, not name
    second = [("batches/.publish-2-cd/0-c.xlsx", "batches/y/c.xlsx")]
    with ledger.write():
        ledger.record_publication("2-cd", second)
        ledger.record_publication("1-ab", first)
    assert ledger.publications() == {"1-ab": first, "2-cd": second}
    assert list(ledger.publications()) == ["1-ab", "2-cd"]
    assert ledger.publications("2-cd") == {"2-cd": second}
    with pytest.raises(LedgerUsageError, match="inside write"):
        ledger.forget_publication("1-ab")
    with ledger.write():
        ledger.forget_publication("1-ab")
    assert ledger.publications() == {"2-cd": second}


def _crash_after_recording(ledger: Ledger) -> None:
    with ledger.write():
        ledger.record_publication("1-ab", [("batches/.publish-1-ab/0-a.csv", "batches/x/a.csv")])
        raise RuntimeError("crash")


def test_a_publication_recorded_in_a_rolled_back_write_is_not_kept(ledger: Ledger) -> None:
    with pytest.raises(RuntimeError, match="crash"):
        _crash_after_recording(ledger)
    assert ledger.publications() == {}
