"""`labels --batch` and `handover`: a from-stock batch's labels, pick list, packing slips, and
the pickup handover sheet, published once the ledger records the printing or the handover."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from batch_ship.couriers import Courier, get_courier
from batch_ship.errors import ConfigError, InputError
from batch_ship.i18n import _
from batch_ship.labels.rows import HandoverParcel, LabelRow, PackingSlip, PickLine, SlipItem
from batch_ship.ledger import Ledger, iso_time
from batch_ship.ledger.stock import LabelRecord
from batch_ship.publish import open_ledger, publication
from batch_ship.sender import full_address
from batch_ship.workspace import Workspace

log = logging.getLogger(__name__)

PICKLIST = "picklist"
SLIPS = "packing-slips"
HANDOVERS_DIR = "handovers"


@dataclass(frozen=True)
class PrintResult:
    """What one printing wrote; `summary()` is the --json object."""

    batch: str
    courier: str
    labels: int
    reprint: bool
    files: tuple[Path, ...] = ()
    cut: tuple[str, ...] = field(default_factory=tuple)

    def summary(self) -> dict[str, Any]:
        return {
            "batch": self.batch,
            "courier": self.courier,
            "labels": self.labels,
            "reprint": self.reprint,
            "files": [str(path) for path in self.files],
            "cut": list(self.cut),
        }


def print_batch(
    workspace: Workspace,
    batch_id: str,
    *,
    orders: Sequence[str] = (),
    printer: str | None = None,
    now: datetime | None = None,
) -> PrintResult:
    """Write the batch's labels (its from-stock numbers, never new ones), pick list and
    packing slips into batches/<id>/, or, for some orders only, into batches/<id>/reprint-<n>/;
    the ledger records the printing and the files appear once it has committed."""
    when = now or datetime.now()
    with open_ledger(workspace) as ledger:
        ref = ledger.batch_ref(batch_id)
        if ref is None:
            raise InputError(
                _("unknown batch {batch!r}").format(batch=batch_id),
                hint=_("batch-ship status lists the batches"),
            )
        courier = get_courier(ref.courier, workspace.config.templates)
        records = _chosen(ledger.label_records(batch_id), orders, batch_id)
        reprint = bool(orders) or _printed_before(ledger, batch_id)
        with publication(workspace, ledger) as publishing:
            staging = publishing.folder("labels")
            target = workspace.batch_dir(batch_id)
            if orders:
                target = target / f"reprint-{len(ledger.events(batch_id, 'labels')) + 1}"
            written, cut = _write_files(
                workspace, courier, records, staging, batch_id, printer, when
            )
            for path in written:
                publishing.place(path, target / path.name)
            for stale in _superseded(target, courier, {path.name for path in written}):
                publishing.withdraw(stale)
            files = tuple(target / path.name for path in written)
            with ledger.write():
                ledger.record_printing([r.parcel_id for r in records], iso_time(when))
                detail = {"labels": len(records), "reprint": reprint, "orders": list(orders)}
                ledger.log_event("labels", batch_id, {**detail, "files": [f.name for f in files]})
                publishing.record()
    if cut:
        log.warning(_("%d label(s) had text cut to fit, e.g. %s"), len(cut), cut[0])
    return PrintResult(batch_id, courier.code, len(records), reprint, files, tuple(cut))


def _chosen(records: list[LabelRecord], orders: Sequence[str], batch_id: str) -> list[LabelRecord]:
    """Every parcel, or the parcels of the orders named (each must be in the batch)."""
    if not records:
        raise InputError(
            _("batch {batch} took no numbers from stock, so it has no labels to print").format(
                batch=batch_id
            ),
            hint=_("labels are printed for batches exported with --from-stock"),
        )
    if not orders:
        return records
    by_order = {order: r for r in records for order in r.data["orders"]}
    missing = [order for order in orders if order not in by_order]
    if missing:
        raise InputError(
            _("order(s) not in batch {batch}: {orders}").format(
                batch=batch_id, orders=", ".join(missing[:10])
            ),
            hint=_("name orders of that batch (batch-ship status --batch ID)"),
        )
    wanted = {by_order[order].parcel_id for order in orders}
    return [r for r in records if r.parcel_id in wanted]


def _superseded(folder: Path, courier: Courier, written: set[str]) -> list[Path]:
    """The label files of an earlier printing in `folder` that this one does not replace: a
    part a smaller split left over (labels-zto-3.pdf), the single file a split replaces, a
    printer file no longer asked for. Left in place, one could be printed twice."""
    pattern = re.compile(rf"labels-{re.escape(courier.code)}(-[0-9]+)?\.(pdf|zpl|tspl)")
    return sorted(
        path
        for path in folder.glob(f"labels-{courier.code}*")
        if pattern.fullmatch(path.name) and path.name not in written
    )


def _printed_before(ledger: Ledger, batch_id: str) -> bool:
    return bool(ledger.events(batch_id, "labels"))


def _write_files(
    workspace: Workspace,
    courier: Courier,
    records: list[LabelRecord],
    folder: Path,
    batch_id: str,
    printer: str | None,
    when: datetime,
) -> tuple[list[Path], list[str]]:
    """Labels (PDF, and ZPL/TSPL when asked), pick list and packing slips into `folder`."""
    from batch_ship.labels.fonts import load_font
    from batch_ship.labels.pdf import write_label_pdfs
    from batch_ship.labels.picklist import write_pick_list
    from batch_ship.labels.printer import write_printer_files
    from batch_ship.labels.slips import write_packing_slips

    settings = courier.label
    if settings is None:
        raise ConfigError(
            _("the courier template {courier} has no [label] section").format(courier=courier.code),
            path=courier.path,
            hint=_('add [label] with layout = "76x130" (see templates/couriers/zto.toml)'),
        )
    font = load_font(settings.font, subfont=settings.font_index)
    per_file = workspace.config.stock.labels_per_file or settings.labels_per_file
    stem = f"labels-{courier.code}"
    rows = [label_row(workspace, courier, record) for record in records]
    labels = write_label_pdfs(
        rows, settings.layout, folder, stem, per_file=per_file, font=font, printed_at=when
    )
    written = list(labels.paths)
    language = printer if printer is not None else workspace.config.stock.printer
    if language:
        extra = write_printer_files(
            rows, settings.layout, folder, stem, language, per_file=per_file, printed_at=when
        )
        written += extra.paths
    lines = [
        PickLine(str(a), str(b), str(c), int(d)) for r in records for a, b, c, d in r.data["lines"]
    ]
    written += write_pick_list(
        lines, folder, batch=batch_id, stem=PICKLIST, font=font, printed_at=when
    )
    slips = write_packing_slips(
        (packing_slip(workspace, record) for record in records),
        folder,
        stem=SLIPS,
        per_file=max(len(records), 1),
        font=font,
        printed_at=when,
    )
    written += slips.paths
    return written, list(labels.cut)


def label_row(workspace: Workspace, courier: Courier, record: LabelRecord) -> LabelRow:
    data = record.data
    sender = workspace.config.sender
    return LabelRow(
        waybill=record.waybill,
        reference=data["reference"],
        recipient_name=data["name"],
        recipient_phone=data["phone"],
        recipient_address=data["address"],
        sender_name=sender.name,
        sender_phone=sender.phone,
        sender_address=full_address(sender),
        sort_code=record.sort_code,
        hub=record.hub,
        items=data["items"],
        item_count=int(data["count"]),
        courier=courier.name,
    )


def packing_slip(workspace: Workspace, record: LabelRecord) -> PackingSlip:
    data = record.data
    return PackingSlip(
        reference=data["reference"],
        order_ids=tuple(data["orders"]),
        recipient_name=data["name"],
        recipient_address=data["address"],
        items=tuple(SlipItem(str(b), str(c), int(d), str(a)) for a, b, c, d in data["lines"]),
        waybill=record.waybill,
        buyer_message=data.get("message", ""),
        sender_name=workspace.config.sender.name,
    )


@dataclass(frozen=True)
class HandoverResult:
    """One handover sheet: its courier, day, number, parcel count and files."""

    courier: str
    day: str
    n: int
    parcels: int
    files: tuple[Path, ...] = ()

    def summary(self) -> dict[str, Any]:
        return {
            "courier": self.courier,
            "day": self.day,
            "handover": self.n,
            "parcels": self.parcels,
            "files": [str(path) for path in self.files],
        }


def hand_over(
    workspace: Workspace, courier_code: str, now: datetime | None = None
) -> HandoverResult:
    """The handover sheet (交接单) of every parcel of the courier labelled and not yet handed
    over: handovers/<date>/handover-<courier>-<n>.pdf and .xlsx, published once the ledger
    records which parcels it took. Nothing waiting: no sheet, parcels 0."""
    from batch_ship.labels.handover import write_handover

    courier = get_courier(courier_code, workspace.config.templates)
    when = now or datetime.now()
    day = when.date().isoformat()
    with (
        open_ledger(workspace) as ledger,
        publication(workspace, ledger) as publishing,
        ledger.write(),  # the write lock first: no other handover takes these parcels
    ):
        records = ledger.waiting_handover(courier.code)
        if not records:
            return HandoverResult(courier.code, day, 0, 0)
        n = ledger.next_handover(courier.code, day)
        files = _handover_targets(workspace, courier.code, day, n)
        parcels = [HandoverParcel(r.waybill, r.data["reference"], _where(r)) for r in records]
        staging = publishing.folder("handover")
        pdf, xlsx = write_handover(
            parcels,
            staging,
            courier=courier.name,
            day=when.date(),
            stem=f"handover-{courier.code}-{n}",
            printed_at=when,
        )
        for path, target in zip((pdf, xlsx), files, strict=True):
            publishing.place(path, target)
        ids = [r.parcel_id for r in records]
        names = [f.name for f in files]
        ledger.record_handover(courier.code, day, n, ids, names, iso_time(when))
        ledger.log_event(
            "handover",
            None,
            {"courier": courier.code, "day": day, "n": n, "parcels": len(ids)},
        )
        publishing.record()
    return HandoverResult(courier.code, day, n, len(records), tuple(files))


def _handover_targets(workspace: Workspace, courier: str, day: str, n: int) -> tuple[Path, Path]:
    """handovers/<date>/handover-<courier>-<n>.pdf and .xlsx."""
    stem = workspace.home / HANDOVERS_DIR / day / f"handover-{courier}-{n}"
    return stem.with_suffix(".pdf"), stem.with_suffix(".xlsx")


def _where(record: LabelRecord) -> str:
    """The destination shown for the courier's sorting: the sort code, else the address's
    first characters (province and city)."""
    return record.sort_code or str(record.data["address"])[:6]
