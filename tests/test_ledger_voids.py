"""The ledger's voids and intercepts: the schema upgrade, history kept, ids never reused."""

from __future__ import annotations

from pathlib import Path

from batch_ship.ledger import MIGRATIONS, SCHEMA_VERSION, Ledger, status
from batch_ship.ledger.intercepts import all_intercepts, record_intercepts
from batch_ship.ledger.schema import user_version
from batch_ship.ledger.voids import batch_parcels, record_voids, void_history, was_voided
from batch_ship.model import OrderState
from tests.ledger_helpers import A, B, C, D, E, consistency_problems, record

# The version before issue 16's tables (voids, intercepts, batches.kind).
BEFORE_VOIDS = 5


def test_a_version_5_ledger_gains_voids_and_intercepts_keeping_its_data(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    with Ledger.open(path, migrations=MIGRATIONS[:BEFORE_VOIDS]) as ledger:
        assert user_version(ledger._conn) == BEFORE_VOIDS
        batch_id = record(ledger, [[A], [B, C]], {D: "phone-masked"})
        before = status(ledger)
    with Ledger.open(path) as ledger:
        assert user_version(ledger._conn) == SCHEMA_VERSION > BEFORE_VOIDS
        assert status(ledger) == before
        kinds = ledger._conn.execute("SELECT kind FROM batches").fetchall()
        assert kinds == [("export",)]
        assert void_history(ledger) == []
        assert all_intercepts(ledger) == []
        with ledger.write():
            record_voids(ledger, batch_id, batch_parcels(ledger, batch_id)[1:], "rejected")
        assert consistency_problems(ledger) == []
        assert ledger.order_states([A, B, C, D]) == {
            A: OrderState.SUBMITTED,
            D: OrderState.EXCEPTION,
        }


def test_a_voided_last_parcel_id_is_never_given_again(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "ledger.sqlite3") as ledger:
        first = record(ledger, [[A], [B]])
        last = batch_parcels(ledger, first)[-1]
        with ledger.write():
            record_voids(ledger, first, [last], "")
        second = record(ledger, [[C]])
        assert batch_parcels(ledger, second)[0].parcel_id > last.parcel_id
        assert [p.reference for p in batch_parcels(ledger, first)] == [A]
        assert consistency_problems(ledger) == []
        assert was_voided(ledger, B)
        assert not was_voided(ledger, A)
        assert void_history(ledger, first)[0].order_ids == B


def test_intercepts_are_recorded_once_with_the_number(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "ledger.sqlite3") as ledger:
        batch_id = record(ledger, [[A], [B]], {C: "phone-masked"})
        parcel = batch_parcels(ledger, batch_id)[0].parcel_id
        with ledger.write():
            ledger.record_tracking([parcel], ["731000000001"], ["row 2"])
        with ledger.write():
            new = record_intercepts(
                ledger, [A, B, C, E], ["closed"] * 3 + ["refunding"], ["交易关闭"] * 4
            )
        # C is an exception and E unknown: never out, so nothing to intercept
        assert [(i.order_id, i.tracking, i.batch_id) for i in new] == [
            (A, "731000000001", batch_id),
            (B, "", batch_id),
        ]
        with ledger.write():
            assert record_intercepts(ledger, [A], ["closed"], ["交易关闭"]) == []
        assert {i.order_id for i in all_intercepts(ledger)} == {A, B}
