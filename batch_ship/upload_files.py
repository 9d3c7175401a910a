"""Upload files written outside an import: a batch's again after a void, the day's manual one."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from batch_ship.couriers import get_courier
from batch_ship.ledger import Ledger, shipped_rows
from batch_ship.ledger.intercepts import intercepted_ids
from batch_ship.ledger.voids import manual_batches
from batch_ship.publish import Publication
from batch_ship.uploads import Marketplace, render_upload, upload_frame
from batch_ship.workspace import Workspace

UPLOADS_DIR = "uploads"  # <home>/uploads/upload-<date>-manual.csv: orders shipped by hand


def without_intercepts(ledger: Ledger, shipped: pd.DataFrame) -> pd.DataFrame:
    """The upload's rows (a `shipped_rows` frame) less the intercepted orders."""
    caught = intercepted_ids(ledger)
    if not caught or not len(shipped):
        return shipped
    keep = ~shipped["order_id"].isin(caught).to_numpy(dtype=bool)
    return shipped[keep].reset_index(drop=True)


def upload_bytes(
    workspace: Workspace, market: Marketplace, courier_code: str, shipped: pd.DataFrame
) -> bytes:
    """The upload file of `shipped` (one courier's rows) in the marketplace's layout."""
    courier = get_courier(courier_code, workspace.config.templates)
    carrier = market.carrier(courier.code, courier.name, courier.marketplace_names)
    return render_upload(market, upload_frame(market, shipped, carrier))


def stage_batch_upload(
    publishing: Publication,
    workspace: Workspace,
    ledger: Ledger,
    batch_id: str,
    market: Marketplace,
) -> Path | None:
    """Write the batch's upload again from the ledger (inside the run's write()), when the
    batch has one: after a void it must no longer list the voided parcels. None when the
    batch has no upload yet (no import wrote one: nothing to correct)."""
    target = workspace.batch_dir(batch_id) / market.file_name
    ref = ledger.batch_ref(batch_id)
    if ref is None or not target.is_file():
        return None
    shipped = without_intercepts(ledger, shipped_rows(ledger.parcels(batch_id)))
    publishing.file(target).write_bytes(upload_bytes(workspace, market, ref.courier, shipped))
    return target


def manual_upload_path(workspace: Workspace, day: date) -> Path:
    return workspace.home / UPLOADS_DIR / f"upload-{day.isoformat()}-manual.csv"


def stage_manual_upload(
    publishing: Publication,
    workspace: Workspace,
    ledger: Ledger,
    day: date,
    market: Marketplace,
) -> Path:
    """Write uploads/upload-<day>-manual.csv: every order shipped by hand (`batch-ship ship`)
    in a batch of that day, still shipped and not intercepted, each with its own courier."""
    prefix = day.strftime("%Y%m%d") + "-"
    rows = manual_batches(ledger, prefix)
    parts: list[bytes] = []
    for batch_id, courier in rows:
        shipped = without_intercepts(ledger, shipped_rows(ledger.parcels(batch_id)))
        if len(shipped):
            parts.append(upload_bytes(workspace, market, courier, shipped))
    target = manual_upload_path(workspace, day)
    header = upload_bytes(workspace, market, rows[0][1] if rows else "zto", _no_rows())
    body = b"".join(part[len(header) :] for part in parts)
    publishing.file(target).write_bytes(header + body)
    return target


def _no_rows() -> pd.DataFrame:
    text = pd.Series([], dtype="str")
    return pd.DataFrame({"order_id": text, "parcel_id": [], "tracking": text, "shipped_at": text})
