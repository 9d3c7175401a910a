"""Numbers from a range, paired with the parcels awaiting tracking in submission order."""

from __future__ import annotations

from batch_ship.tracking import UNUSED_RANGE_NUMBER, USED_BY_ANOTHER_PARCEL, plan_range
from tests.tracking_rows import ZTO, assigned, parcels


def test_plan_range_in_submission_order() -> None:
    recorded = parcels({2: "773000000005"})
    numbers = ["773000000001", "773000000002", "773000000003", "773000000005"]
    plan = plan_range(numbers, recorded, {"773000000005": 2}, ZTO, "range")
    assert assigned(plan) == [(1, "773000000001"), (3, "773000000002")]
    assert plan.already == {2}
    assert plan.unused == 1
    assert [(u.tracking, u.reason) for u in plan.unknown] == [("773000000003", UNUSED_RANGE_NUMBER)]
    # another batch's number is a duplicate, never reassigned
    plan = plan_range(["773000000009"], parcels(), {"773000000009": 99}, ZTO, "range")
    assert assigned(plan) == []
    assert plan.duplicates[0].reason == USED_BY_ANOTHER_PARCEL
