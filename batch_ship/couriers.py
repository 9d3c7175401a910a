"""Courier templates (templates/couriers/*.toml): columns, names and tracking-number rules."""

from __future__ import annotations

from dataclasses import dataclass, field

from batch_ship.tracking_numbers import TrackingRule


@dataclass(frozen=True)
class Courier:
    code: str  # sf, zto, ...; the TOML file name
    name: str  # display name, e.g. 中通快递
    marketplace_names: dict[str, str] = field(default_factory=dict)  # {"taobao": "中通快递"}
    tracking: TrackingRule = field(default_factory=TrackingRule)
    rows_per_file: int = 10_000
    reference_header: str = "订单编号"  # the column holding the parcel's first order number
    layout_note: str = ""  # e.g. "own layout not known: generic layout"
