"""Thermal labels, pick lists, packing slips and handover sheets drawn from plain rows."""

from __future__ import annotations

from batch_ship.lazy import lazy_exports

# Loaded on first use: couriers.py reads layouts at template load, without reportlab.
_EXPORTS = {
    "LabelRow": "batch_ship.labels.rows",
    "PickLine": "batch_ship.labels.rows",
    "PackingSlip": "batch_ship.labels.rows",
    "SlipItem": "batch_ship.labels.rows",
    "HandoverParcel": "batch_ship.labels.rows",
    "Layout": "batch_ship.labels.layout",
    "load_layout": "batch_ship.labels.layout",
    "load_font": "batch_ship.labels.fonts",
    "write_label_pdfs": "batch_ship.labels.pdf",
    "write_printer_files": "batch_ship.labels.printer",
    "pick_totals": "batch_ship.labels.picklist",
    "write_pick_list": "batch_ship.labels.picklist",
    "write_packing_slips": "batch_ship.labels.slips",
    "write_handover": "batch_ship.labels.handover",
}

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_exports(__name__, _EXPORTS)
