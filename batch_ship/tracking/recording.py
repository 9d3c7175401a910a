"""A plan into the ledger, and what the batch then holds (without reading it back) for the
marketplace's upload file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from batch_ship.columns import arrow_text
from batch_ship.couriers import Courier
from batch_ship.ledger import Ledger, assignment_columns, iso_time, shipped_rows
from batch_ship.tracking.plan import ImportPlan, rows_of
from batch_ship.tracking.reconcile import cannot_write
from batch_ship.upload_files import without_intercepts
from batch_ship.uploads import Marketplace, render_upload, upload_frame


def record_plan(ledger: Ledger, plan: ImportPlan, parcels: pd.DataFrame) -> pd.DataFrame:
    """Record the plan's new and replacing numbers (in the caller's transaction); the batch's
    shipped rows (`shipped_rows`) as the ledger now holds them, less the intercepts (拦截件:
    an order closed after it went out is never in an upload written later)."""
    # in parcel order, as the ledger stores them (stable: the first number of a parcel
    # stays first)
    fresh = plan.fresh.sort_values("parcel_id", kind="stable")
    now = datetime.now(UTC)
    ledger.record_tracking(fresh["parcel_id"], fresh["number"], fresh["source"], recorded_at=now)
    if plan.replace:
        ledger.record_tracking(*assignment_columns(plan.replace), replace=True, recorded_at=now)
    return without_intercepts(ledger, shipped_rows(after_recording(parcels, plan, iso_time(now))))


def after_recording(parcels: pd.DataFrame, plan: ImportPlan, recorded_at: str) -> pd.DataFrame:
    """The batch's parcels (a `Ledger.parcels` frame) once the plan is recorded: new numbers
    on parcels that had none, replaced numbers instead of the old ones, both shipped at
    `recorded_at`. The matched sheet's rows hold each parcel's numbers in recorded order."""
    matched = plan.matched_rows()
    applied = matched[matched["status"].isin(["new", "replaced"]).to_numpy()]
    # parcel i takes its old value (position i) or applied row j's (position count + j)
    count = len(parcels)
    picks = np.arange(count, dtype=np.int64)
    picks[rows_of(parcels, applied["parcel_id"])] = count + np.arange(len(applied))
    changed = pa.array(picks >= count)
    tracking = pa.concat_arrays([arrow_text(parcels["tracking"]), arrow_text(applied["tracking"])])
    shipped_at = pc.if_else(changed, recorded_at, arrow_text(parcels["shipped_at"]))
    return parcels.assign(
        tracking=pd.Series(tracking.take(pa.array(picks)), dtype="str", index=parcels.index),
        shipped_at=pd.Series(shipped_at, dtype="str", index=parcels.index),
    )


def stage_upload(
    staged: Path, market: Marketplace, courier: Courier, shipped: pd.DataFrame
) -> None:
    """The upload file (every shipped order of the batch), written to its staged path."""
    carrier = market.carrier(courier.code, courier.name, courier.marketplace_names)
    try:
        staged.write_bytes(render_upload(market, upload_frame(market, shipped, carrier)))
    except OSError as error:
        raise cannot_write(staged.parent, error) from error
