"""`void`: parcels of a batch go back to exportable (rejected file, switched courier)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from batch_ship.errors import InputError
from batch_ship.i18n import _
from batch_ship.ledger import Ledger
from batch_ship.ledger.voids import ParcelRow, batch_parcels, record_voids, voided_orders
from batch_ship.publish import open_ledger, publication
from batch_ship.upload_files import stage_batch_upload
from batch_ship.uploads import load_marketplace
from batch_ship.workspace import Workspace

log = logging.getLogger(__name__)

# What becomes of a cancelled waybill's numbers (the number stock's rule per courier: back
# into the stock, or retired). Called inside the void's write() with the ledger, the courier
# and the numbers; batch-ship's number stock (issue 15) plugs in here.
ReleaseNumbers = Callable[[Ledger, str, list[str]], None]


def _keep_numbers(ledger: Ledger, courier: str, numbers: list[str]) -> None:
    """Without a number stock: the numbers stay in the void history only."""


@dataclass(frozen=True)
class VoidResult:
    """What one void did; `summary()` is `void --json`."""

    batch: str
    courier: str
    parcels: int
    orders: tuple[str, ...]
    cancelled: tuple[str, ...]  # tracking numbers of cancelled waybills (--shipped)
    reason: str
    files: tuple[Path, ...] = field(default_factory=tuple)

    def summary(self) -> dict[str, Any]:
        return {
            "batch": self.batch,
            "courier": self.courier,
            "parcels": self.parcels,
            "orders": list(self.orders),
            "cancelled_numbers": list(self.cancelled),
            "reason": self.reason,
            "files": [str(path) for path in self.files],
        }


def split_ids(values: Sequence[str]) -> list[str]:
    """Order ids given as several options, or comma/space separated in one."""
    found: list[str] = []
    for value in values:
        found.extend(part for part in value.replace(",", " ").split() if part)
    return list(dict.fromkeys(found))


def run_void(
    workspace: Workspace,
    batch_id: str,
    *,
    orders: Sequence[str] = (),
    reason: str = "",
    shipped: bool = False,
    release: ReleaseNumbers = _keep_numbers,
) -> VoidResult:
    """Take the batch's parcels (or those holding `orders`) out of it, in one transaction:
    the ledger keeps each in its void history and forgets its orders, so the next export
    takes them again. A parcel with a tracking number is refused unless `shipped` (its
    waybill is cancelled: the numbers go to `release`, and the batch's upload file, if
    any, is written again without it). Raises InputError with the ledger unchanged."""
    if not workspace.ledger_path.is_file():
        raise InputError(
            _("no ledger in this workspace: nothing was exported here yet"),
            path=workspace.ledger_path,
            hint=_("point --home at the shop's workspace"),
        )
    wanted = split_ids(orders)
    with (
        open_ledger(workspace) as ledger,
        publication(workspace, ledger) as publishing,
        ledger.write(),
    ):
        ref = ledger.batch_ref(batch_id)
        if ref is None:
            known = sorted(ledger.batch_ids())[-10:]
            raise InputError(
                _("unknown batch {batch!r}").format(batch=batch_id),
                hint=_("known batches: {value}").format(value=", ".join(known) or _("none yet")),
            )
        targets = _targets(ledger, batch_id, wanted)
        _refuse_numbered(targets, batch_id, shipped)
        record_voids(ledger, batch_id, targets, reason)
        numbers = [number for parcel in targets for number in parcel.numbers]
        files: tuple[Path, ...] = ()
        if numbers:
            release(ledger, ref.courier, numbers)
            market = load_marketplace(workspace.config.marketplace, workspace.config.templates)
            written = stage_batch_upload(publishing, workspace, ledger, batch_id, market)
            files = (written,) if written else ()
        result = VoidResult(
            batch=batch_id,
            courier=ref.courier,
            parcels=len(targets),
            orders=tuple(order for parcel in targets for order in parcel.orders),
            cancelled=tuple(numbers),
            reason=reason,
            files=files,
        )
        ledger.log_event("void", batch_id, result.summary())
        publishing.record()
    return result


def _targets(ledger: Ledger, batch_id: str, wanted: list[str]) -> list[ParcelRow]:
    """The parcels to void: all the batch still holds, or those holding `wanted` orders."""
    parcels = batch_parcels(ledger, batch_id)
    voided = voided_orders(ledger, batch_id)
    if not wanted:
        if not parcels:
            if voided:
                raise InputError(
                    _("batch {batch} is already voided: it has no parcel left").format(
                        batch=batch_id
                    ),
                    hint=_("`batch-ship status --batch {batch}` shows its history").format(
                        batch=batch_id
                    ),
                )
            raise InputError(
                _("batch {batch} has no parcels (only exceptions): nothing to void").format(
                    batch=batch_id
                )
            )
        return parcels
    owners = {order: parcel for parcel in parcels for order in parcel.orders}
    for order in wanted:
        if order in owners:
            continue
        if order in voided:
            raise InputError(
                _("order {order} is already voided from batch {batch}").format(
                    order=order, batch=batch_id
                ),
                hint=_("leave it out of --orders: the next export takes it again"),
            )
        raise InputError(
            _("order {order} is not in a parcel of batch {batch}").format(
                order=order, batch=batch_id
            ),
            hint=_(
                "check the order id; `batch-ship status --batch {batch}` lists the batch"
            ).format(batch=batch_id),
        )
    chosen = {owners[order].parcel_id: owners[order] for order in wanted}
    return sorted(chosen.values(), key=lambda parcel: parcel.parcel_id)


def _refuse_numbered(targets: list[ParcelRow], batch_id: str, shipped: bool) -> None:
    """A parcel with a tracking number has a waybill: voiding it cancels that, only asked."""
    numbered = [parcel for parcel in targets if parcel.numbers]
    if shipped or not numbered:
        return
    first = numbered[0]
    others = [order for parcel in targets if not parcel.numbers for order in parcel.orders]
    hint = _(
        "if the courier cancelled the waybill, add --shipped to void it as cancelled "
        "(`batch-ship void {batch} --shipped`)"
    ).format(batch=batch_id)
    if others:
        hint += _("; or void only the parcels without a number: --orders {orders}").format(
            orders=",".join(others)
        )
    raise InputError(
        _(
            "{count} parcel(s) already have a tracking number, e.g. order {order} "
            "({number}); nothing was voided"
        ).format(count=len(numbered), order=first.reference, number=first.numbers[0]),
        hint=hint,
    )
