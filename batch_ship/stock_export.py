"""`export --from-stock`: numbers from stock for a new batch, in its transaction, and the upload."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path

import pandas as pd

from batch_ship.couriers import Courier
from batch_ship.errors import BatchShipError
from batch_ship.i18n import _
from batch_ship.ledger import Ledger, iso_time, shipped_rows
from batch_ship.ledger.stock import stock_too_small
from batch_ship.normalize.one_line import one_line
from batch_ship.parcels import Parcels
from batch_ship.sources import canonical as c
from batch_ship.stock import low_stock_warning
from batch_ship.uploads import load_marketplace, render_upload, upload_frame
from batch_ship.workspace import Workspace

log = logging.getLogger(__name__)

SOURCE = "stock"  # the tracking rows' source: numbers taken from stock


def takes_from_stock(workspace: Workspace, courier: str, flag: bool | None) -> bool:
    """--from-stock / --no-from-stock, else whether [stock] couriers lists the courier."""
    return flag if flag is not None else courier in workspace.config.stock.couriers


def label_data(parcels: Parcels, items: pd.DataFrame | None) -> list[str]:
    """Each parcel's label, pick-list and packing-slip data as JSON, in submission order:
    recipient, reference, orders, item summary and count, buyer message, and its item lines
    (item code, title, variant, quantity) from the item report, or the parcel's own item
    text when the report has none of its orders."""
    table = parcels.table.reset_index(drop=True)
    lines: dict[int, list[list[object]]] = {}
    if items is not None and len(items):
        seq_of = dict(zip(parcels.orders["order_id"], parcels.orders["seq"], strict=True))
        for order_id, sku, title, variant, quantity in zip(
            items[c.ORDER_ID].astype(str),
            items[c.ITEM_SKU].astype(str),
            items[c.ITEM_TITLE].astype(str),
            items[c.ITEM_PROPERTIES].astype(str),
            items[c.ITEM_QUANTITY].astype(str),
            strict=True,
        ):
            seq = seq_of.get(order_id)
            if seq is not None:
                amount = int(quantity) if quantity.isdigit() else 1
                lines.setdefault(int(seq), []).append([sku, title, variant, amount])
    out = []
    names = ("seq", "reference", "order_ids", "items", "quantity", "buyer_message", "name", "phone")
    columns = {name: table[name].fillna("").astype(str).tolist() for name in names}
    parts = (table[part] for part in ("province", "city", "district", "detail"))
    addresses = one_line(*parts).tolist()
    for index, address in enumerate(addresses):
        record = {name: values[index] for name, values in columns.items()}
        count = int(record["quantity"]) if record["quantity"].isdigit() else 0
        own = lines.get(int(record["seq"])) or [["", record["items"], "", count or 1]]
        out.append(
            json.dumps(
                {
                    "reference": record["reference"],
                    "orders": record["order_ids"].split(","),
                    "name": record["name"],
                    "phone": record["phone"],
                    "address": address,
                    "items": record["items"],
                    "count": count,
                    "message": record["buyer_message"],
                    "lines": own,
                },
                ensure_ascii=False,
            )
        )
    return out


def check_stock(ledger: Ledger, courier: str, parcels: int, warn_below: int) -> None:
    """Refuse (LedgerError, how many missing) when the stock cannot number every parcel;
    warn when the export leaves it below the threshold."""
    free = ledger.free_count(courier)
    if free < parcels:
        raise stock_too_small(courier, parcels, free)
    if free - parcels < warn_below:
        log.warning("%s", low_stock_warning(courier, free - parcels, warn_below))


def assign_numbers(
    ledger: Ledger, courier: Courier, batch_id: str, labels: list[str], when: datetime
) -> int:
    """Give the batch's parcels (just recorded) the courier's next free numbers in submission
    order, record them as their tracking numbers, and store their label data. Inside the
    export's write(): one commit with the batch. Returns how many were assigned."""
    first, last = ledger.parcel_span(batch_id)
    parcel_ids = list(range(first, last + 1))
    if len(parcel_ids) != len(labels):
        raise BatchShipError(_("the batch's parcels and their labels disagree"))
    at = iso_time(when)
    numbers = ledger.take_numbers(courier.code, parcel_ids, at)
    ledger.record_tracking(parcel_ids, numbers, [SOURCE] * len(numbers), recorded_at=when)
    ledger.record_labels(courier.code, zip(parcel_ids, labels, strict=True))
    return len(numbers)


def stage_upload(
    ledger: Ledger, workspace: Workspace, courier: Courier, batch_id: str, folder: Path
) -> Path:
    """The marketplace upload of the batch (every order now shipped) written into the
    staged batch folder, read from the ledger inside the same transaction."""
    market = load_marketplace(workspace.config.marketplace, workspace.config.templates)
    carrier = market.carrier(courier.code, courier.name, courier.marketplace_names)
    shipped = shipped_rows(ledger.parcels(batch_id))
    path = folder / market.file_name
    path.write_bytes(render_upload(market, upload_frame(market, shipped, carrier)))
    return path
