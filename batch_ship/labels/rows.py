"""The plain rows the label, pick-list, packing-slip and handover writers take (no ledger)."""

from __future__ import annotations

from dataclasses import dataclass

# The fields a label layout can place: LabelRow's attributes, plus `text` (a fixed caption).
LABEL_FIELDS = (
    "waybill", "sort_code", "hub", "recipient_name", "recipient_phone", "recipient_address",
    "sender_name", "sender_phone", "sender_address", "reference", "items", "item_count",
    "printed_at", "courier",
)  # fmt: skip
BARCODE_FIELDS = ("waybill", "reference")  # the fields a layout may draw as Code128


@dataclass(frozen=True, slots=True)
class LabelRow:
    """One parcel's label. `sort_code` is the courier's 大头笔/三段码, `hub` its 集包地;
    `printed_at` empty means the time the labels are drawn."""

    waybill: str
    reference: str
    recipient_name: str
    recipient_phone: str
    recipient_address: str
    sender_name: str = ""
    sender_phone: str = ""
    sender_address: str = ""
    sort_code: str = ""
    hub: str = ""
    items: str = ""
    item_count: int = 0
    printed_at: str = ""
    courier: str = ""


@dataclass(frozen=True, slots=True)
class PickLine:
    """One item line of one parcel, as the pick list adds them up. `location` is the shelf
    or bin (货位) when the seller keeps one; the walk follows it, then the item code."""

    item_code: str
    title: str
    variant: str
    quantity: int
    location: str = ""


@dataclass(frozen=True, slots=True)
class SlipItem:
    """One line of a packing slip."""

    title: str
    variant: str
    quantity: int
    item_code: str = ""


@dataclass(frozen=True, slots=True)
class PackingSlip:
    """One parcel's packing slip (发货单)."""

    reference: str
    order_ids: tuple[str, ...]
    recipient_name: str
    recipient_address: str
    items: tuple[SlipItem, ...]
    waybill: str = ""
    buyer_message: str = ""
    sender_name: str = ""


@dataclass(frozen=True, slots=True)
class HandoverParcel:
    """One parcel on a handover sheet (交接单)."""

    waybill: str
    reference: str = ""
    destination: str = ""  # e.g. the province and city, for the courier's sorting
