"""batch_ship.ledger.numbers: recording tracking numbers (the one columnar API)."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from batch_ship.errors import LedgerError
from batch_ship.ledger import (
    Ledger,
    LedgerUsageError,
    TrackingAssignment,
    assignment_columns,
    iso_time,
    shipped_rows,
)
from batch_ship.model import OrderState
from tests.ledger_helpers import (
    A,
    B,
    C,
    D,
    record,
)


def test_tracking_first_number_is_primary_and_split_shipments(ledger: Ledger) -> None:
    batch_id = record(ledger, [[A, B], [C], [D]])
    first, second, third = ledger.parcels(batch_id)["parcel_id"].tolist()
    with ledger.write():
        ledger.record_tracking(
            *assignment_columns(
                [
                    TrackingAssignment(first, "73100000000001", "return.xlsx row 2"),
                    TrackingAssignment(second, "73100000000002", "return.xlsx row 3"),
                    TrackingAssignment(first, "73100000000009", "return.xlsx row 4"),
                ]
            )
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
    shipped = shipped_rows(ledger.parcels(batch_id))
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
            ledger.record_tracking([parcel], ["73100000000001"], ["row 2"])
    assert ledger.parcels(batch_id)["tracking"].tolist() == ["73100000000001"]
    # the second call recorded nothing, so it left no import behind
    assert ledger._conn.execute("SELECT count(*) FROM imports").fetchone() == (1,)


def test_replace_drops_earlier_numbers(ledger: Ledger) -> None:
    batch_id = record(ledger, [[A], [B]])
    first, second = ledger.parcels(batch_id)["parcel_id"].tolist()
    monday, tuesday = datetime(2026, 11, 23, tzinfo=UTC), datetime(2026, 11, 24, tzinfo=UTC)
    with ledger.write():
        ledger.record_tracking(
            *assignment_columns(
                [
                    TrackingAssignment(first, "73100000000001", "row 2"),
                    TrackingAssignment(first, "73100000000002", "row 3"),
                    TrackingAssignment(second, "73100000000003", "row 4"),
                ]
            ),
            recorded_at=monday,
        )
    with ledger.write():
        ledger.record_tracking(
            [first],
            ["73100000000008"],
            ["fixed.xlsx row 2"],
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
        ledger.record_tracking([second], ["73100000000009"], ["row 9"])
    assert ledger.parcels(batch_id)["shipped_at"].tolist() == [iso_time(tuesday), iso_time(monday)]


def test_a_number_belongs_to_one_parcel(ledger: Ledger) -> None:
    batch_id = record(ledger, [[A], [B]])
    first, second = ledger.parcels(batch_id)["parcel_id"].tolist()
    with ledger.write():
        ledger.record_tracking([first], ["73100000000001"], ["row 2"])
    clash = rf"73100000000001 \(batch {batch_id}, reference {A}\)"
    with pytest.raises(LedgerError, match=clash), ledger.write():  # alone: nothing inserted
        ledger.record_tracking([second], ["73100000000001"], ["row 3"])
    with pytest.raises(LedgerError, match=clash), ledger.write():
        ledger.record_tracking(
            *assignment_columns(
                [
                    TrackingAssignment(second, "73100000000002", "row 3"),
                    TrackingAssignment(second, "73100000000001", "row 4"),
                ]
            )
        )
    with pytest.raises(LedgerError, match="given to two parcels"), ledger.write():
        ledger.record_tracking(
            *assignment_columns(
                [
                    TrackingAssignment(first, "73100000000005", "row 2"),
                    TrackingAssignment(second, "73100000000005", "row 3"),
                ]
            )
        )
    # nothing of the refused calls stayed
    assert ledger.parcels(batch_id)["tracking"].tolist() == ["73100000000001", ""]
    assert ledger.order_states([B]) == {B: OrderState.SUBMITTED}


def test_tracking_for_an_unknown_parcel_is_refused(ledger: Ledger) -> None:
    record(ledger, [[A]])
    with pytest.raises(LedgerUsageError, match="unknown parcel"), ledger.write():
        ledger.record_tracking([999], ["73100000000001"], ["row 2"])


def test_malformed_numbers_are_refused_in_list_order(ledger: Ledger) -> None:
    batch_id = record(ledger, [[A], [B]])
    first, second = ledger.parcels(batch_id)["parcel_id"].tolist()
    with pytest.raises(LedgerUsageError, match="must be a trimmed string"), ledger.write():
        ledger.record_tracking(
            *assignment_columns(
                [
                    TrackingAssignment(first, "73100000000001", "row 2"),
                    TrackingAssignment(second, " 73100000000002", "row 3"),
                    TrackingAssignment(second, "73100000000001", "row 4"),
                ]
            )
        )
    with pytest.raises(LedgerError, match="given to two parcels"), ledger.write():
        ledger.record_tracking(
            *assignment_columns(
                [
                    TrackingAssignment(first, "73100000000001", "row 2"),
                    TrackingAssignment(second, "73100000000001", "row 3"),
                    TrackingAssignment(second, "", "row 4"),
                ]
            )
        )
    with ledger.write():  # a number repeated for the same parcel is recorded once
        ledger.record_tracking(
            *assignment_columns(
                [
                    TrackingAssignment(first, "73100000000001", "row 2"),
                    TrackingAssignment(first, "73100000000001", "row 3"),
                ]
            )
        )
    assert ledger.parcels(batch_id)["tracking"].tolist() == ["73100000000001", ""]


def test_the_first_recorded_number_is_primary_whatever_its_value(ledger: Ledger) -> None:
    batch_id = record(ledger, [[A, B], [C]])
    first, second = ledger.parcels(batch_id)["parcel_id"].tolist()
    with ledger.write():
        ledger.record_tracking([second], ["73100000000005"], ["row 3"])
    with ledger.write():
        ledger.record_tracking(
            *assignment_columns(
                [
                    TrackingAssignment(first, "73100000000009", "row 2"),
                    TrackingAssignment(first, "73100000000001", "row 4"),
                    TrackingAssignment(first, "73100000000003", "row 5"),
                ]
            )
        )
    parcels = ledger.parcels(batch_id)
    assert parcels["tracking"].tolist() == [
        "73100000000009,73100000000001,73100000000003",
        "73100000000005",
    ]
    shipped = shipped_rows(ledger.parcels(batch_id))
    assert shipped["tracking"].tolist() == ["73100000000009", "73100000000009", "73100000000005"]
    assert shipped["parcel_id"].tolist() == [first, first, second]
    assert shipped["parcel_id"].dtype == "int64"
    assert pd.api.types.is_string_dtype(shipped["order_id"].dtype)


def test_record_tracking_keeps_each_parcels_order(ledger: Ledger) -> None:
    batch_id = record(ledger, [[A, B], [C], [D]])
    first, second, third = ledger.parcels(batch_id)["parcel_id"].tolist()
    with ledger.write():
        # parcels out of order (a shuffled return): each parcel's first number stays primary
        ledger.record_tracking(
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
    shipped = shipped_rows(ledger.parcels(batch_id))
    assert shipped["tracking"].tolist() == [
        "73100000000009",
        "73100000000009",
        "73100000000002",
        "73100000000007",
    ]
    assert ledger.order_states([A, D]) == {A: OrderState.SHIPPED, D: OrderState.SHIPPED}


def test_record_tracking_takes_pandas_columns(ledger: Ledger) -> None:
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
        ledger.record_tracking(broken["parcel_id"], broken["number"], broken["source"])
    with ledger.write():
        ledger.record_tracking(plan["parcel_id"], plan["number"], plan["source"])
    parcels = ledger.parcels(batch_id)
    assert parcels["tracking"].tolist() == ["73100000000009", "7310000000002", "73100000000007"]
    sources = ledger._conn.execute("SELECT source FROM tracking ORDER BY rowid").fetchall()
    assert sources == [("r row 3",), ("r row 4",), ("r row 2",)]


def test_record_tracking_refuses_plain_lists_the_same_way(ledger: Ledger) -> None:
    batch_id = record(ledger, [[A], [B]])
    first, second = ledger.parcels(batch_id)["parcel_id"].tolist()
    with pytest.raises(LedgerUsageError, match="differ in length"), ledger.write():
        ledger.record_tracking([first], ["73100000000001", "73100000000002"], ["r"])
    with pytest.raises(LedgerError, match="given to two parcels"), ledger.write():
        ledger.record_tracking(
            [first, second], ["73100000000005", "73100000000005"], ["row 2", "row 3"]
        )
    with pytest.raises(LedgerUsageError, match="must be a trimmed string"), ledger.write():
        ledger.record_tracking([first], [" 73100000000001"], ["row 2"])
    with pytest.raises(LedgerUsageError, match="unknown parcel"), ledger.write():
        ledger.record_tracking([999], ["73100000000001"], ["row 2"])
    with pytest.raises(LedgerUsageError, match="inside write"):
        ledger.record_tracking([first], ["73100000000001"], ["row 2"])
    assert ledger.parcels(batch_id)["tracking"].tolist() == ["", ""]
