"""What the tracking tests share: a batch's parcels and return rows, built small."""

from __future__ import annotations

import pandas as pd

from batch_ship.tracking import ImportPlan, ReturnRows
from batch_ship.tracking_numbers import TrackingRule

ZTO = TrackingRule(pattern=r"\d{12}|7[3-68]\d{12}", source="test")
ID_A = "4012500868239927921"
ID_B = "4012500868239946555"  # same first 14 digits as ID_A; its 15th digit is 2 more
ID_C = "3998877665544332211"
ID_D = "3998877665544332299"  # merged into C's parcel


def parcels(tracking: dict[int, str] | None = None) -> pd.DataFrame:
    tracking = tracking or {}
    frame = pd.DataFrame(
        {
            "parcel_id": [1, 2, 3],
            "seq": [1, 2, 3],
            "file": ["submission-zto.xlsx"] * 3,
            "file_row": [2, 3, 4],
            "reference": [ID_A, ID_B, ID_C],
            "name": ["张三", "李四", "王五"],
            "phone": ["13925130165", "13800001111", "0571-87654321"],
            "order_ids": [ID_A, ID_B, f"{ID_C},{ID_D}"],
        }
    )
    frame["tracking"] = [tracking.get(pid, "") for pid in frame["parcel_id"]]
    return frame.astype(
        {c: "str" for c in frame.columns if c not in ("parcel_id", "seq", "file_row")}
    )


def rows(*records: tuple[str, str], name: str = "", phone: str = "") -> ReturnRows:
    frame = pd.DataFrame(
        {
            "source": ["return.xlsx"] * len(records),
            "row": list(range(3, 3 + len(records))),
            "reference": [reference for reference, _ in records],
            "cell": [cell for _, cell in records],
            "name": [name] * len(records),
            "phone": [phone] * len(records),
        }
    )
    return ReturnRows(frame, has_name=bool(name), has_phone=bool(phone))


def assigned(plan: ImportPlan) -> list[tuple[int, str]]:
    """The plan's new numbers as (parcel_id, number), in the plan's order."""
    fresh = plan.fresh
    return list(zip(fresh["parcel_id"].tolist(), fresh["number"].tolist(), strict=True))
