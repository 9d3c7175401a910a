"""Export's planning: which orders go, in precedence (duplicates, statuses, the ledger), which
are exceptions, and the same plan narrowed when another run took orders meanwhile."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from batch_ship.model import OrderState
from batch_ship.normalize.recipients import problem_mask
from batch_ship.parcels import ORDER_FIELDS
from batch_ship.problems import (
    ALREADY_SUBMITTED,
    DUPLICATE_ROW,
    EXCEPTION_CODES,
    NOT_AWAITING_SHIPMENT,
    SKIP_CODES,
    join_codes,
)
from batch_ship.sources import canonical as c

DUPLICATE = "duplicate"  # the reader's bool column: a repeated row of an order seen before
DONE = frozenset({OrderState.SUBMITTED, OrderState.SHIPPED})


@dataclass(frozen=True)
class OrderView:
    """The read rows as planning sees them: each row's order id, whether it repeats an order
    seen before, whether its status is awaiting shipment."""

    order_ids: pd.Series
    duplicate: np.ndarray
    awaiting: np.ndarray


@dataclass(frozen=True)
class ExportPlan:
    """The outcome of filtering against one view of the ledger."""

    submit: pd.DataFrame  # orders (with normalized columns) to submit, in file order
    exceptions: pd.DataFrame  # order_id, codes (a tuple each), row position into the read table
    skipped: dict[str, int]
    exception_counts: dict[str, int]
    new_exceptions: bool  # an exception not already recorded with the same codes

    @property
    def empty(self) -> bool:
        """Nothing to submit and no exception the ledger does not already hold."""
        return len(self.submit) == 0 and not self.new_exceptions


def duplicate_mask(frame: pd.DataFrame, order_ids: pd.Series) -> np.ndarray:
    """The reader's `duplicate` flags, or: a repeat of an order id seen earlier in this run."""
    if DUPLICATE in frame.columns:
        flags = frame[DUPLICATE].fillna(False).astype(bool).to_numpy()
        return np.asarray(flags | order_ids.duplicated().to_numpy(), dtype=bool)
    return np.asarray(order_ids.duplicated().to_numpy(), dtype=bool)


def plan_orders(
    frame: pd.DataFrame,
    view: OrderView,
    normalized: pd.DataFrame,
    states: dict[str, OrderState],
    recorded: dict[str, str],
) -> ExportPlan:
    """Skip reasons in precedence (duplicate-row, not-awaiting-shipment, already-submitted),
    then exceptions (an order with problems) and the orders to submit."""
    order_ids = view.order_ids
    done = order_ids.isin(done_ids(states)).to_numpy(dtype=bool)
    open_rows = np.flatnonzero(~view.duplicate & view.awaiting & ~done)
    norm = normalized.loc[normalized.index.intersection(pd.Index(open_rows))]
    bad = problem_mask(norm["problems"])
    bad_rows = norm.index.to_numpy()[bad]
    good_rows = norm.index.to_numpy()[~bad]
    exceptions = pd.DataFrame(
        {
            "order_id": order_ids.iloc[bad_rows].to_numpy(),
            "codes": norm["problems"].to_numpy(dtype=object)[bad],  # a tuple of codes each
            "row": bad_rows,
        }
    )
    wanted = [column for column in ORDER_FIELDS if column in frame.columns]
    submit = frame[wanted].iloc[good_rows].reset_index(drop=True)
    recipient = norm.loc[good_rows].drop(columns=["problems"]).reset_index(drop=True)
    clashing = [column for column in recipient.columns if column in submit.columns]
    submit = pd.concat([submit.drop(columns=clashing), recipient], axis=1)
    return _finish(submit, exceptions, _skipped(view, done), recorded)


def narrow(
    plan: ExportPlan, view: OrderView, states: dict[str, OrderState], recorded: dict[str, str]
) -> ExportPlan:
    """The plan after the ledger moved on. Orders only ever become submitted or shipped, so
    dropping those from the first plan gives what planning afresh would."""
    done = done_ids(states)
    done_rows = view.order_ids.isin(done).to_numpy(dtype=bool)
    submit = plan.submit[~plan.submit[c.ORDER_ID].isin(done).to_numpy()]
    exceptions = plan.exceptions[~plan.exceptions["order_id"].isin(done).to_numpy()]
    return _finish(
        submit.reset_index(drop=True),
        exceptions.reset_index(drop=True),
        _skipped(view, done_rows),
        recorded,
    )


def ledger_exceptions(plan: ExportPlan) -> pd.DataFrame:
    """NewBatch.exceptions: each order's codes as the ledger stores them (text)."""
    codes = pd.Series([join_codes(entry) for entry in plan.exceptions["codes"]], dtype="str")
    return pd.DataFrame({"order_id": plan.exceptions["order_id"].to_numpy(), "codes": codes})


def done_ids(states: dict[str, OrderState]) -> list[str]:
    """The orders a batch already took (submitted or shipped)."""
    return [order_id for order_id, state in states.items() if state in DONE]


def _skipped(view: OrderView, done: np.ndarray) -> dict[str, int]:
    """Each order once, in precedence: a repeated row, then its status, then the ledger."""
    duplicate, awaiting = view.duplicate, view.awaiting
    return _ordered(
        {
            DUPLICATE_ROW: int(duplicate.sum()),
            NOT_AWAITING_SHIPMENT: int((~duplicate & ~awaiting).sum()),
            ALREADY_SUBMITTED: int((~duplicate & awaiting & done).sum()),
        },
        SKIP_CODES,
    )


def _finish(
    submit: pd.DataFrame,
    exceptions: pd.DataFrame,
    skipped: dict[str, int],
    recorded: dict[str, str],
) -> ExportPlan:
    counts: Counter[str] = Counter()
    for codes, count in Counter(exceptions["codes"].tolist()).items():
        for code in codes:
            counts[code] += count
    # the ledger keeps an order's codes as the text the workbook shows
    new_exceptions = any(
        recorded.get(order_id) != join_codes(codes)
        for order_id, codes in zip(exceptions["order_id"], exceptions["codes"], strict=True)
    )
    return ExportPlan(
        submit=submit,
        exceptions=exceptions,
        skipped=skipped,
        exception_counts=_ordered(dict(counts), EXCEPTION_CODES),
        new_exceptions=new_exceptions,
    )


def _ordered(counts: dict[str, int], order: Sequence[str]) -> dict[str, int]:
    """Codes with a count of at least 1: known codes in their stable order, then the rest."""
    known = [code for code in order if counts.get(code, 0) >= 1]
    rest = sorted(code for code in counts if code not in order and counts[code] >= 1)
    return {code: counts[code] for code in [*known, *rest]}
