"""Export's input: the order files read and checked, the open orders normalized, and the first
plan made against the ledger."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.arrays import ArrowStringArray

from batch_ship.columns import arrow_text
from batch_ship.errors import InputError
from batch_ship.export.plan import ExportPlan, OrderView, done_ids, duplicate_mask, plan_orders
from batch_ship.i18n import _
from batch_ship.intercepts import intercept_candidates
from batch_ship.ledger import Ledger
from batch_ship.model import OrderState, OrderStatus
from batch_ship.normalize.recipients import problem_mask, recipient_table
from batch_ship.parcels import ORDER_FIELDS
from batch_ship.progress import Progress, StepTimer
from batch_ship.sources import canonical as c
from batch_ship.sources.base import Source
from batch_ship.tuning import Tuning

log = logging.getLogger(__name__)

RECIPIENT_INPUTS = (c.NAME, c.MOBILE, c.TELEPHONE, c.ADDRESS)  # what normalization reads


class OrdersRead:
    """The order files as export plans from them. The two big tables are handed over once
    (`take_tables`), so that nobody keeps them alive past the step that needs them: at a
    million orders, keeping less matters."""

    def __init__(
        self,
        frame: pd.DataFrame,
        original: pd.DataFrame,
        items: pd.DataFrame,
        view: OrderView,
        stopped: pd.DataFrame,
    ) -> None:
        self.view = view
        self.items = items
        self.count = len(frame)
        # orders the report calls closed or refunding: intercepts when already out
        self.stopped = stopped
        # rows that may go: not a repeated row, awaiting shipment (the ledger decides later)
        self.candidates = np.flatnonzero(~view.duplicate & view.awaiting)
        self._tables: tuple[pd.DataFrame, pd.DataFrame] | None = (frame, original)

    def take_tables(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The order columns later steps read, and the report's own columns (row-aligned)."""
        assert self._tables is not None, "the tables are taken once"
        tables, self._tables = self._tables, None
        return tables


@dataclass(frozen=True)
class Prepared:
    """The first plan, and what a re-plan or the building needs beside it."""

    plan: ExportPlan
    view: OrderView
    states: dict[str, OrderState]  # the ledger's first view of the candidates
    candidates: np.ndarray
    normalized_rows: np.ndarray  # the candidates still open at the first look
    originals: pd.DataFrame  # the report's own columns of the rows with problems
    items: pd.DataFrame
    orders_read: int


def read_orders(
    source: Source,
    paths: list[Path],
    item_paths: list[Path],
    items_given: bool,
    progress: Progress,
) -> OrdersRead:
    """Read the order files (and item reports); an item report given by hand is checked to
    belong to them."""
    table = source.read(paths, item_paths, progress)
    frame = table.orders.reset_index(drop=True)
    original = table.original.reset_index(drop=True)
    items = table.items
    del table  # the frames below are all that is needed; keeping less matters at 1M orders
    if items_given:
        check_items(items, frame[c.ORDER_ID], item_paths)
    order_ids = frame[c.ORDER_ID].astype(str)
    awaiting = frame[c.STATUS].astype(str).eq(OrderStatus.AWAITING_SHIPMENT.value).to_numpy()
    view = OrderView(order_ids, duplicate_mask(frame, order_ids), awaiting)
    # Later steps read only these order columns: let go of the others (status, amount,
    # source, row ...) before normalization, the step with the largest working set.
    stopped = intercept_candidates(frame)
    frame = frame[[col for col in (*ORDER_FIELDS, *RECIPIENT_INPUTS) if col in frame]]
    return OrdersRead(frame, original, items, view, stopped)


def check_items(items: pd.DataFrame, order_ids: pd.Series, files: list[Path]) -> None:
    """An item report given by hand must be the order report's: refused when none of its
    rows belongs to an order of the report, a warning with the count when some do not."""
    if not len(items) or not files:
        return
    # In Arrow: pandas' isin on Arrow strings builds a Python list of every id (0.8 s at 100k).
    found = pc.is_in(arrow_text(items[c.ORDER_ID]), value_set=arrow_text(order_ids))
    belongs = found.to_numpy(zero_copy_only=False).astype(bool, copy=False)
    names = ", ".join(path.name for path in files)
    if not belongs.any():
        raise InputError(
            _("none of the {value:,} item rows belongs to an order of the order report").format(
                value=len(items)
            ),
            path=files[0] if len(files) == 1 else None,
            hint=_(
                "give the item report exported with this order report "
                "(ExportOrderDetailList with the same stamp), or leave --items out; "
                "given: {names}"
            ).format(names=names),
        )
    if not belongs.all():
        log.warning(
            _("%s: %d of %d item rows belong to no order of the order report; they are left out"),
            names,
            int((~belongs).sum()),
            len(belongs),
        )


def prepare(
    ledger: Ledger, read: OrdersRead, progress: Progress, tuning: Tuning, timer: StepTimer
) -> Prepared:
    """Normalize the candidates the ledger has not taken, and plan against that view."""
    frame, original = read.take_tables()
    order_ids, candidates, n = read.view.order_ids, read.candidates, read.count
    states = ledger.order_states(order_ids.iloc[candidates].tolist())
    still_open = ~order_ids.iloc[candidates].isin(done_ids(states)).to_numpy()
    to_normalize = candidates[still_open]
    with timer("normalize"):
        normalized = normalize_rows(
            frame, to_normalize, n, recipient_table, progress, tuning.normalize_chunk
        )
    normalized.index = pd.Index(to_normalize)
    recorded = ledger.exception_codes(order_ids.iloc[to_normalize].tolist())
    # Only exception rows ever need the report's own columns, and later steps read only a
    # few order columns: let go of the rest before building.
    problem_rows = normalized.index[problem_mask(normalized["problems"])]
    originals = original_rows(original, problem_rows, n)
    del original
    release_memory()
    frame = frame[[column for column in ORDER_FIELDS if column in frame.columns]]
    plan = plan_orders(frame, read.view, normalized, states, recorded)
    return Prepared(
        plan, read.view, states, candidates, to_normalize, originals, read.items, read.count
    )


def normalize_rows(
    frame: pd.DataFrame,
    rows: np.ndarray,
    n: int,
    normalize: Callable[..., pd.DataFrame],
    progress: Progress,
    chunk_rows: int,
) -> pd.DataFrame:
    """normalize_recipients over the raw recipient columns of `rows`, in slices of
    `chunk_rows` rows: each row normalizes on its own, and a slice bounds the working set
    (one call over a million orders holds ~0.7 GB of intermediates)."""
    raw = frame[[col for col in RECIPIENT_INPUTS if col in frame.columns]]
    if len(rows) < n:
        raw = raw.iloc[rows].reset_index(drop=True)
    total = len(raw)
    if total <= chunk_rows:
        return normalize(raw, progress=progress)
    parts = []
    for start in range(0, total, chunk_rows):
        chunk = raw.iloc[start : start + chunk_rows].reset_index(drop=True)
        parts.append(normalize(chunk, progress=_shifted(progress, start, total)))
        del chunk
        release_memory()
    joined = pd.concat(parts, ignore_index=True)
    del parts
    # One Arrow chunk per column: a row selection on a chunked column concatenates it first.
    for column in joined.columns:
        values = joined[column].array
        if isinstance(values, ArrowStringArray):
            single = pa.chunked_array(pa.array(values)).combine_chunks()
            joined[column] = pd.array(single, dtype=joined[column].dtype)
    return joined


def _shifted(progress: Progress, offset: int, whole: int) -> Progress:
    """A slice's progress as progress over the whole."""

    def report(label: str, done: int, total: int | None = None) -> None:
        progress(label, offset + done, whole)

    return report


def release_memory() -> None:
    """Hand Arrow's freed buffers back to the system, so that later steps' peaks do not stack
    on memory the steps before them let go of."""
    pa.default_memory_pool().release_unused()


def original_rows(original: pd.DataFrame, rows: pd.Index, n: int) -> pd.DataFrame:
    """The order report's own columns for `rows`, indexed by row number (none when the reader
    gave no aligned original table)."""
    if len(original) != n:
        return pd.DataFrame(index=rows)
    subset = original.iloc[rows.to_numpy()]
    subset.index = rows
    return subset
