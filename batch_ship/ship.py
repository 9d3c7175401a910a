"""`ship ORDER_ID`: one order shipped by hand (number typed in), recorded like an import."""

# Every manual shipment is a batch of its own (kind 'manual', one parcel, no files): the
# ledger's rule that a parcel lives in one batch's parcel range holds, and status, report
# and uploads read it like any batch. An order already in a parcel moves: that parcel is
# voided (history kept, reason "shipped by hand") and its orders, merged ones included,
# travel in the manual parcel. uploads/upload-<date>-manual.csv lists the day's manual ones.

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from batch_ship.couriers import Courier, get_courier
from batch_ship.errors import InputError, missing_file
from batch_ship.i18n import _
from batch_ship.ledger import Ledger, NewBatch
from batch_ship.ledger.voids import (
    ParcelRow,
    mark_manual,
    parcel_place,
    parcels_of_orders,
    record_voids,
    was_voided,
)
from batch_ship.model import OrderState
from batch_ship.progress import no_progress
from batch_ship.publish import open_ledger, publication
from batch_ship.tracking_numbers import describe_rule, validate
from batch_ship.upload_files import stage_batch_upload, stage_manual_upload
from batch_ship.uploads import load_marketplace
from batch_ship.void import ReleaseNumbers
from batch_ship.workspace import Workspace

log = logging.getLogger(__name__)

MANUAL_SOURCE = "ship"  # the tracking rows' source: typed in with `batch-ship ship`


@dataclass(frozen=True)
class Recipient:
    """What the manual parcel records of its recipient (the upload needs none of it)."""

    name: str = ""
    phone: str = ""
    province: str = ""


@dataclass(frozen=True)
class ShipResult:
    """What one manual shipment did; `summary()` is `ship --json`."""

    order: str
    batch: str
    courier: str
    tracking: str
    orders: tuple[str, ...]
    moved_from: str | None  # the batch whose parcel was voided for it
    replaced: str | None  # the number it had before (--replace)
    files: tuple[Path, ...]

    def summary(self) -> dict[str, Any]:
        return {
            "order": self.order,
            "batch": self.batch,
            "courier": self.courier,
            "tracking": self.tracking,
            "orders": list(self.orders),
            "moved_from": self.moved_from,
            "replaced": self.replaced,
            "files": [str(path) for path in self.files],
        }


def run_ship(
    workspace: Workspace,
    order_id: str,
    *,
    courier: str,
    tracking: str,
    replace: bool = False,
    orders_files: Sequence[Path] = (),
    now: datetime | None = None,
    release: ReleaseNumbers | None = None,
) -> ShipResult:
    """Record `tracking` (checked against the courier's rule) for `order_id`, an order the
    ledger knows (any state; shipped only with `replace`) or one in `orders_files`, in one
    transaction, and write the day's manual upload. InputError: nothing changed."""
    chosen = get_courier(courier, workspace.config.templates)
    number = tracking.strip()
    _check_number(chosen, number)
    order_id = order_id.strip()
    given = _from_export(workspace, order_id, orders_files) if orders_files else None
    market = load_marketplace(workspace.config.marketplace, workspace.config.templates)
    when = now or datetime.now()
    with (
        open_ledger(workspace) as ledger,
        publication(workspace, ledger) as publishing,
        ledger.write(),
    ):
        state = ledger.order_states([order_id]).get(order_id)
        if state is None and given is None and not was_voided(ledger, order_id):
            raise _unknown_order(order_id, chosen, number)
        old = parcels_of_orders(ledger, [order_id]).get(order_id)
        _check_owner(ledger, number, old)
        replaced = _check_shipped(order_id, state, old, replace)
        orders, recipient, moved_from = [order_id], given or Recipient(), None
        if old is not None:
            moved_from = _move_out(ledger, old, chosen, number, release)
            orders, recipient = old.orders, Recipient(old.name, old.phone, old.province)
        batch_id = _record_manual(ledger, chosen, when, orders, recipient, number)
        files = [stage_manual_upload(publishing, workspace, ledger, when.date(), market)]
        if moved_from is not None and replaced is not None:  # its old waybill leaves that upload
            rewritten = stage_batch_upload(publishing, workspace, ledger, moved_from, market)
            files += [rewritten] if rewritten else []
        result = ShipResult(
            order_id, batch_id, chosen.code, number, tuple(orders), moved_from, replaced,
            tuple(files),
        )  # fmt: skip
        ledger.log_event("ship", batch_id, result.summary())
        publishing.record()
    return result


def _unknown_order(order_id: str, courier: Courier, number: str) -> InputError:
    return InputError(
        _("order {order} is unknown to the ledger").format(order=order_id),
        hint=_(
            "give the order report it is in: batch-ship ship {order} --courier "
            "{courier} --tracking {number} --orders-file ExportOrderList.csv"
        ).format(order=order_id, courier=courier.code, number=number),
    )


def _move_out(
    ledger: Ledger, old: ParcelRow, courier: Courier, number: str, release: ReleaseNumbers | None
) -> str:
    """Void the order's present parcel (it ships by hand instead), its cancelled waybill's
    number going to `release` as `void --shipped` does; returns its batch."""
    moved_from = parcel_place(ledger, old.parcel_id)[0]
    reason = _("shipped by hand: {courier} {number}").format(courier=courier.code, number=number)
    record_voids(ledger, moved_from, [old], reason)
    ref = ledger.batch_ref(moved_from)
    if release is not None and old.numbers and ref is not None:
        release(ledger, ref.courier, old.numbers)
    return moved_from


def _check_number(courier: Courier, number: str) -> None:
    if not validate(courier.tracking, number):
        raise InputError(
            _("{number!r} is not a {courier} tracking number").format(
                number=number, courier=courier.name
            ),
            hint=_("{courier} numbers have {words}").format(
                courier=courier.name, words=describe_rule(courier.tracking)
            ),
        )


def _check_owner(ledger: Ledger, number: str, old: ParcelRow | None) -> None:
    """A number belongs to one parcel: refused when another parcel holds it."""
    owner = ledger.tracking_owners([number]).get(number)
    if owner is None or (old is not None and owner == old.parcel_id):
        return
    batch_id, reference = parcel_place(ledger, owner)
    raise InputError(
        _("tracking number {number} already belongs to order {reference} (batch {batch})").format(
            number=number, reference=reference, batch=batch_id
        ),
        hint=_("check the number you typed: a tracking number belongs to one parcel"),
    )


def _check_shipped(
    order_id: str, state: OrderState | None, old: ParcelRow | None, replace: bool
) -> str | None:
    """The number a shipped order had; refused without --replace."""
    if state != OrderState.SHIPPED or old is None:
        return None
    if not replace:
        raise InputError(
            _("order {order} is already shipped with {number}").format(
                order=order_id, number=old.numbers[0]
            ),
            hint=_("to give it another number, add --replace"),
        )
    return old.numbers[0]


def _record_manual(
    ledger: Ledger,
    courier: Courier,
    when: datetime,
    orders: list[str],
    recipient: Recipient,
    number: str,
) -> str:
    """A manual batch of one parcel holding `orders`, shipped with `number`."""
    batch_id = ledger.new_batch_id(when.date())
    text = "str"
    ledger.record_batch(
        NewBatch(
            batch_id=batch_id,
            courier=courier.code,
            created=when,
            files=(),
            parcels=pd.DataFrame(
                {
                    "seq": [1],
                    "file": pd.Series([""], dtype=text),
                    "file_row": [0],
                    "reference": pd.Series([orders[0]], dtype=text),
                    "name": pd.Series([recipient.name], dtype=text),
                    "phone": pd.Series([recipient.phone], dtype=text),
                    "order_ids": pd.Series([",".join(orders)], dtype=text),
                    "province": pd.Series([recipient.province], dtype=text),
                }
            ),
            orders=pd.DataFrame(
                {"order_id": pd.Series(orders, dtype=text), "seq": [1] * len(orders)}
            ),
            exceptions=pd.DataFrame(
                {"order_id": pd.Series([], dtype=text), "codes": pd.Series([], dtype=text)}
            ),
        )
    )
    parcel_id = mark_manual(ledger, batch_id)
    ledger.record_tracking([parcel_id], [number], [MANUAL_SOURCE])
    return batch_id


def _from_export(workspace: Workspace, order_id: str, files: Sequence[Path]) -> Recipient:
    """The order's recipient from its order report; InputError when the report lacks it."""
    from batch_ship.normalize.recipients import normalize_recipients
    from batch_ship.sources import canonical as c
    from batch_ship.sources.registry import choose_source

    paths = [Path(path) for path in files]
    for path in paths:
        if not path.exists():
            raise missing_file(path)
    source = choose_source(paths, None, workspace.config.templates)
    table = source.read(paths, source.companions(paths), no_progress)
    rows = table.orders[table.orders[c.ORDER_ID].astype(str) == order_id]
    if not len(rows):
        raise InputError(
            _("order {order} is not in this order report").format(order=order_id),
            path=paths[0],
            hint=_("check the order id, or give the report that holds it"),
        )
    found = normalize_recipients(rows.head(1).reset_index(drop=True))
    return Recipient(
        name=str(found["recipient_name"].iloc[0]),
        phone=str(found["phone"].iloc[0]),
        province=str(found["province"].iloc[0]),
    )
