"""Intercepts (拦截件): orders submitted or shipped that an order report now says are closed."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from batch_ship.headings import INTERCEPT_HEADERS, INTERCEPTS_SHEET
from batch_ship.i18n import _
from batch_ship.ledger import Ledger
from batch_ship.ledger.intercepts import Intercept, all_intercepts, record_intercepts
from batch_ship.model import OrderStatus
from batch_ship.publish import Publication, open_ledger, publication
from batch_ship.sources import canonical as c
from batch_ship.spreadsheets.write import write_workbook
from batch_ship.tuning import Tuning
from batch_ship.workspace import Workspace

log = logging.getLogger(__name__)

# The statuses that stop a parcel: the trade closed (refund done, cancelled) or a refund asked.
INTERCEPT_STATUSES = (OrderStatus.CLOSED.value, OrderStatus.REFUNDING.value)
INTERCEPTS_FILE = "intercepts.xlsx"  # in the workspace: every intercept, newest first


def intercept_candidates(orders: pd.DataFrame) -> pd.DataFrame:
    """The rows of a canonical order table whose status stops a parcel (one per order id):
    order_id, status, raw_status. A vectorized mask: these are few among many."""
    mask = orders[c.STATUS].astype("str").isin(INTERCEPT_STATUSES).to_numpy(dtype=bool)
    if not mask.any():
        return pd.DataFrame(columns=[c.ORDER_ID, c.STATUS, c.RAW_STATUS])
    rows = orders.loc[np.flatnonzero(mask)] if orders.index.is_unique else orders[mask]
    raw = rows[c.RAW_STATUS] if c.RAW_STATUS in rows else rows[c.STATUS]
    found = pd.DataFrame(
        {
            c.ORDER_ID: rows[c.ORDER_ID].astype("str").to_numpy(),
            c.STATUS: rows[c.STATUS].astype("str").to_numpy(),
            c.RAW_STATUS: raw.astype("str").to_numpy(),
        }
    )
    return found.drop_duplicates(c.ORDER_ID, keep="last").reset_index(drop=True)


def catch_intercepts(
    workspace: Workspace, orders: pd.DataFrame, tuning: Tuning | None = None
) -> list[Intercept]:
    """Record the intercepts an order table reveals, in a transaction of their own (a fact
    about orders already out, whatever becomes of this run), and write intercepts.xlsx
    again when there are new ones. The new intercepts."""
    candidates = intercept_candidates(orders)
    if not len(candidates) or not workspace.ledger_path.is_file():
        return []
    with (
        open_ledger(workspace, tuning) as ledger,
        publication(workspace, ledger) as publishing,
        ledger.write(),
    ):
        new = record_intercepts(
            ledger,
            candidates[c.ORDER_ID].tolist(),
            candidates[c.STATUS].tolist(),
            candidates[c.RAW_STATUS].tolist(),
        )
        if not new:
            return []
        stage_intercepts_workbook(publishing, workspace, ledger)
        ledger.log_event("intercepts", None, {"orders": [item.order_id for item in new]})
        publishing.record()
    log.warning(
        _("%d order(s) already submitted or shipped are now closed or refunding (intercepts): %s"),
        len(new),
        ", ".join(item.order_id for item in new[:5]),
    )
    return new


def intercepts_path(workspace: Workspace) -> Path:
    return workspace.home / INTERCEPTS_FILE


def stage_intercepts_workbook(
    publishing: Publication, workspace: Workspace, ledger: Ledger
) -> Path:
    """intercepts.xlsx with every intercept, staged for the run's commit."""
    target = intercepts_path(workspace)
    write_workbook(publishing.file(target), {INTERCEPTS_SHEET: intercepts_frame(ledger)})
    return target


def intercepts_frame(ledger: Ledger) -> pd.DataFrame:
    """The workbook's rows: order, courier, tracking, batch, when, status (as exported)."""
    found = all_intercepts(ledger)
    columns = {
        "order": [item.order_id for item in found],
        "courier": [item.courier for item in found],
        "tracking": [item.tracking for item in found],
        "batch": [item.batch_id for item in found],
        "at": [item.at.replace("T", " ")[:19] for item in found],
        "status": [item.raw_status or item.status for item in found],
    }
    return pd.DataFrame(
        {INTERCEPT_HEADERS[key]: pd.Series(values, dtype="str") for key, values in columns.items()}
    )
