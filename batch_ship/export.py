"""The export step: read, filter, normalize, build the courier workbooks, record the batch."""

from __future__ import annotations

import logging
import shutil
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.arrays import ArrowStringArray

from batch_ship.columns import arrow_text
from batch_ship.couriers import Courier, get_courier
from batch_ship.errors import InputError
from batch_ship.i18n import _
from batch_ship.ledger import NewBatch
from batch_ship.model import OrderState, OrderStatus
from batch_ship.normalize.recipients import normalize_recipients
from batch_ship.progress import Progress, StepTimer, no_progress
from batch_ship.publish import open_ledger, publication
from batch_ship.reasons import EXCEPTION_CODES, SKIP_CODES
from batch_ship.sender import sender_for
from batch_ship.sources import canonical as c
from batch_ship.sources.registry import choose_source
from batch_ship.spreadsheets.background import SharedWrite, WorkbookWriter
from batch_ship.submission import (
    EXCEPTIONS_FILE,
    ORDER_FIELDS,
    build_parcels,
    exception_rows,
    exceptions_job,
    ledger_parcels,
    render_rows,
    split_files,
    submission_jobs,
)
from batch_ship.tuning import DEFAULT_TUNING, Tuning
from batch_ship.workspace import Workspace

log = logging.getLogger(__name__)

DUPLICATE = "duplicate"  # the reader's bool column: a repeated row of an order seen before
_DONE = {OrderState.SUBMITTED, OrderState.SHIPPED}
_RECIPIENT_INPUTS = (c.NAME, c.MOBILE, c.TELEPHONE, c.ADDRESS)  # what normalization reads


@dataclass(frozen=True)
class ExportResult:
    """What one export did; `summary()` is the contract's `export --json` object."""

    batch: str | None
    courier: str
    orders_read: int
    orders_submitted: int
    parcels: int
    skipped: dict[str, int]
    exceptions: dict[str, int]
    files: tuple[Path, ...] = ()
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {
            "batch": self.batch,
            "courier": self.courier,
            "orders_read": self.orders_read,
            "orders_submitted": self.orders_submitted,
            "parcels": self.parcels,
            "skipped": dict(self.skipped),
            "exceptions": dict(self.exceptions),
            "files": [str(path) for path in self.files],
        }


def _check_items(items: pd.DataFrame, order_ids: pd.Series, files: list[Path]) -> None:
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


@dataclass(frozen=True)
class _Plan:
    """The outcome of filtering against one view of the ledger."""

    submit: pd.DataFrame  # orders (with normalized columns) to submit, in file order
    exceptions: pd.DataFrame  # order_id, codes, row position into the read table
    skipped: dict[str, int]
    exception_counts: dict[str, int]
    new_exceptions: bool  # an exception not already recorded with the same codes


def run_export(
    workspace: Workspace,
    orders: Sequence[Path],
    *,
    items: Sequence[Path] | None = None,
    courier: str | None = None,
    merge: bool | None = None,
    source: str | None = None,
    progress: Progress = no_progress,
    now: datetime | None = None,
    tuning: Tuning = DEFAULT_TUNING,
) -> ExportResult:
    """Export the orders awaiting shipment into a new batch folder and the ledger.

    Reads and builds everything first; then, holding the ledger's write lock, re-checks which
    orders are already submitted (another run may have taken some), allocates the batch id and
    records the batch while the workbooks are written into the run's staging folder (for a
    big export, by a second process too: its writing starts when the building ends), and
    commits the batch with the record of its folder; then the folder moves into place
    (batch_ship/publish.py). Any failure leaves no batch folder and an unchanged ledger.
    Nothing new: no batch, no files.
    The order files' source is `source` (a code, see `batch_ship.sources.registry`) or found
    from their content. Without `items`, the files that belong beside the order files (Taobao:
    the item report of the same stamp) are read too, when present. `tuning` sets when a
    second process writes and how normalization is sliced (never what is produced).
    """
    timer = StepTimer()
    chosen = get_courier(courier or workspace.config.courier, workspace.config.templates)
    workspace = sender_for(chosen, workspace)  # refused before any file is read
    merge = workspace.config.merge if merge is None else merge
    paths = [Path(path) for path in orders]
    if not paths:
        raise InputError(_("no order report given"), hint=_("pass ExportOrderList*.csv files"))
    order_source = choose_source(paths, source, workspace.config.templates)
    item_paths = list(items) if items is not None else order_source.companions(paths)

    with timer("read"):
        table = order_source.read(paths, item_paths, progress)
    frame = table.orders.reset_index(drop=True)
    original = table.original.reset_index(drop=True)
    item_table = table.items
    del table  # the frames below are all that is needed; keeping less matters at 1M orders
    if items is not None:
        _check_items(item_table, frame[c.ORDER_ID], [Path(path) for path in items])
    n = len(frame)
    order_ids = frame[c.ORDER_ID].astype(str)
    duplicate = _duplicate_mask(frame, order_ids)
    awaiting = frame[c.STATUS].astype(str).eq(OrderStatus.AWAITING_SHIPMENT.value).to_numpy()
    candidates = np.flatnonzero(~duplicate & awaiting)

    big = len(candidates) >= tuning.background_orders
    with (
        open_ledger(workspace) as ledger,
        WorkbookWriter(background=big) as writer,
    ):
        states = ledger.order_states(order_ids.iloc[candidates].tolist())
        still_open = ~order_ids.iloc[candidates].isin(_done_ids(states)).to_numpy()
        to_normalize = candidates[still_open]
        # Later steps read only these order columns: let go of the others (status, amount,
        # source, row ...) before normalization, the step with the largest working set.
        frame = frame[[col for col in (*ORDER_FIELDS, *_RECIPIENT_INPUTS) if col in frame]]
        with timer("normalize"):
            normalized = _normalize(
                frame, to_normalize, n, normalize_recipients, progress, tuning.normalize_chunk
            )
        normalized.index = pd.Index(to_normalize)
        recorded = ledger.exception_codes(order_ids.iloc[to_normalize].tolist())
        # Only exception rows ever need the report's own columns, and later steps read only a
        # few order columns: let go of the rest before building.
        problem_rows = normalized.index[normalized["problems"].fillna("").ne("").to_numpy()]
        originals = _original_rows(original, problem_rows, n)
        del original
        _release_memory()
        frame = frame[[column for column in ORDER_FIELDS if column in frame.columns]]
        plan = _plan(frame, order_ids, duplicate, awaiting, normalized, states, recorded)
        del frame, normalized  # a re-plan narrows this plan; it never needs them again

        def narrowed(states: dict[str, OrderState], recorded: dict[str, str]) -> _Plan:
            return _narrow(plan, order_ids, duplicate, awaiting, states, recorded)

        if _plan_is_empty(plan):
            return _result(None, chosen, n, plan, 0, 0, (), timer)

        with publication(workspace, ledger) as publishing:
            staging = publishing.folder("batch")
            built: _Built | None = None
            try:
                with timer("build"):
                    built = _build(
                        staging, chosen, plan, item_table, originals, merge, workspace, writer
                    )
                publishing.estimate = built.workbooks.estimated_size
                with ledger.write():
                    # Another run may have taken some of these orders since we looked.
                    fresh = ledger.order_states(
                        [*plan.submit[c.ORDER_ID].tolist(), *plan.exceptions["order_id"].tolist()]
                    )
                    taken = any(state in _DONE for state in fresh.values())
                    if not taken and len(plan.submit) == 0:
                        # only exceptions: another run may have recorded the same ones meanwhile
                        recorded = ledger.exception_codes(plan.exceptions["order_id"].tolist())
                        plan = narrowed(states, recorded)
                        if _plan_is_empty(plan):
                            return _result(None, chosen, n, plan, 0, 0, (), timer)
                    if taken:
                        states = ledger.order_states(order_ids.iloc[candidates].tolist())
                        recorded = ledger.exception_codes(order_ids.iloc[to_normalize].tolist())
                        plan = narrowed(states, recorded)
                        if _plan_is_empty(plan):
                            return _result(None, chosen, n, plan, 0, 0, (), timer)
                        with timer("rebuild"):
                            built.workbooks.discard()  # the worker may be writing the first plan
                            _clear(staging)
                            built = _build(
                                staging,
                                chosen,
                                plan,
                                item_table,
                                originals,
                                merge,
                                workspace,
                                writer,
                            )
                        publishing.estimate = built.workbooks.estimated_size
                    when = now or datetime.now()
                    batch_id = ledger.new_batch_id(when.date())
                    target = workspace.batch_dir(batch_id)
                    with timer("record"):
                        ledger.record_batch(
                            NewBatch(
                                batch_id=batch_id,
                                courier=chosen.code,
                                created=when,
                                files=tuple(built.file_names),
                                parcels=built.ledger_parcels,
                                orders=built.orders,
                                exceptions=plan.exceptions[["order_id", "codes"]],
                            )
                        )
                    with timer("write"):  # what the worker has not written (all, without one)
                        built.workbooks.finish(progress)
                    result = _result(
                        batch_id,
                        chosen,
                        n,
                        plan,
                        len(built.orders),
                        built.parcels,
                        tuple(target / name for name in built.file_names),
                        timer,
                    )
                    ledger.log_event(
                        "export",
                        batch_id,
                        {
                            **result.summary(),
                            "inputs": [path.name for path in paths],
                            "items": [Path(path).name for path in item_paths],
                            "merge": merge,
                            "seconds": timer.rounded(),
                        },
                    )
                    # the batch folder goes into place once this commit is on disk
                    publishing.place(staging, target)
                    publishing.record()
            finally:
                if built is not None:
                    built.workbooks.discard()  # no file may appear after the clean-up
    # The commit happened when write() exited, and the batch folder is in place.
    log.info(
        _("export %s: %d orders in %d parcels, %d exception(s)"),
        result.batch,
        result.orders_submitted,
        result.parcels,
        len(plan.exceptions),
    )
    return result


def _normalize(
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
    raw = frame[[col for col in _RECIPIENT_INPUTS if col in frame.columns]]
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
        _release_memory()
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


def _release_memory() -> None:
    """Hand Arrow's freed buffers back to the system, so that later steps' peaks do not stack
    on memory the steps before them let go of."""
    pa.default_memory_pool().release_unused()


def _plan_is_empty(plan: _Plan) -> bool:
    """Nothing to submit and no exception the ledger does not already hold."""
    return len(plan.submit) == 0 and not plan.new_exceptions


# --- planning ---------------------------------------------------------------------------


def _duplicate_mask(frame: pd.DataFrame, order_ids: pd.Series) -> np.ndarray:
    """The reader's `duplicate` flags, or: a repeat of an order id seen earlier in this run."""
    if DUPLICATE in frame.columns:
        flags = frame[DUPLICATE].fillna(False).astype(bool).to_numpy()
        return np.asarray(flags | order_ids.duplicated().to_numpy(), dtype=bool)
    return np.asarray(order_ids.duplicated().to_numpy(), dtype=bool)


def _plan(
    frame: pd.DataFrame,
    order_ids: pd.Series,
    duplicate: np.ndarray,
    awaiting: np.ndarray,
    normalized: pd.DataFrame,
    states: dict[str, OrderState],
    recorded: dict[str, str],
) -> _Plan:
    """Skip reasons in precedence (duplicate-row, not-awaiting-shipment, already-submitted),
    then exceptions (an order with problems) and the orders to submit."""
    done = order_ids.isin(_done_ids(states)).to_numpy(dtype=bool)
    open_rows = np.flatnonzero(~duplicate & awaiting & ~done)
    norm = normalized.loc[normalized.index.intersection(pd.Index(open_rows))]
    problems = norm["problems"].fillna("").astype(str).str.strip(", ")
    bad = problems.ne("").to_numpy()
    bad_rows = norm.index.to_numpy()[bad]
    good_rows = norm.index.to_numpy()[~bad]
    exceptions = pd.DataFrame(
        {
            "order_id": order_ids.iloc[bad_rows].to_numpy(),
            "codes": problems.to_numpy()[bad],
            "row": bad_rows,
        }
    )
    wanted = [column for column in ORDER_FIELDS if column in frame.columns]
    submit = frame[wanted].iloc[good_rows].reset_index(drop=True)
    recipient = norm.loc[good_rows].drop(columns=["problems"]).reset_index(drop=True)
    clashing = [column for column in recipient.columns if column in submit.columns]
    submit = pd.concat([submit.drop(columns=clashing), recipient], axis=1)
    return _finish(submit, exceptions, _skipped(duplicate, awaiting, done), recorded)


def _narrow(
    plan: _Plan,
    order_ids: pd.Series,
    duplicate: np.ndarray,
    awaiting: np.ndarray,
    states: dict[str, OrderState],
    recorded: dict[str, str],
) -> _Plan:
    """The plan after the ledger moved on. Orders only ever become submitted or shipped, so
    dropping those from the first plan gives what planning afresh would."""
    done_ids = _done_ids(states)
    done = order_ids.isin(done_ids).to_numpy(dtype=bool)
    submit = plan.submit[~plan.submit[c.ORDER_ID].isin(done_ids).to_numpy()]
    exceptions = plan.exceptions[~plan.exceptions["order_id"].isin(done_ids).to_numpy()]
    return _finish(
        submit.reset_index(drop=True),
        exceptions.reset_index(drop=True),
        _skipped(duplicate, awaiting, done),
        recorded,
    )


def _skipped(duplicate: np.ndarray, awaiting: np.ndarray, done: np.ndarray) -> dict[str, int]:
    """Each order once, in precedence: a repeated row, then its status, then the ledger."""
    return _ordered(
        {
            "duplicate-row": int(duplicate.sum()),
            "not-awaiting-shipment": int((~duplicate & ~awaiting).sum()),
            "already-submitted": int((~duplicate & awaiting & done).sum()),
        },
        SKIP_CODES,
    )


def _finish(
    submit: pd.DataFrame,
    exceptions: pd.DataFrame,
    skipped: dict[str, int],
    recorded: dict[str, str],
) -> _Plan:
    counts: Counter[str] = Counter()
    for codes, count in exceptions["codes"].value_counts().items():
        for code in dict.fromkeys(str(codes).split(",")):
            if code:
                counts[code] += int(count)
    new_exceptions = any(
        recorded.get(order_id) != codes
        for order_id, codes in zip(exceptions["order_id"], exceptions["codes"], strict=True)
    )
    return _Plan(
        submit=submit,
        exceptions=exceptions,
        skipped=skipped,
        exception_counts=_ordered(dict(counts), EXCEPTION_CODES),
        new_exceptions=new_exceptions,
    )


def _done_ids(states: dict[str, OrderState]) -> list[str]:
    return [order_id for order_id, state in states.items() if state in _DONE]


def _ordered(counts: dict[str, int], order: Sequence[str]) -> dict[str, int]:
    """Codes with a count of at least 1: known codes in their stable order, then the rest."""
    known = [code for code in order if counts.get(code, 0) >= 1]
    rest = sorted(code for code in counts if code not in order and counts[code] >= 1)
    return {code: counts[code] for code in [*known, *rest]}


# --- building ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Built:
    """What the ledger records of the files built (the parcel table itself is let go), and
    the workbooks, maybe being written still."""

    orders: pd.DataFrame  # order_id, seq
    parcels: int
    ledger_parcels: pd.DataFrame
    file_names: list[str]
    workbooks: SharedWrite


def _build(
    staging: Path,
    courier: Courier,
    plan: _Plan,
    items: pd.DataFrame,
    originals: pd.DataFrame,
    merge: bool,
    workspace: Workspace,
    writer: WorkbookWriter,
) -> _Built:
    """Build the parcels and the workbooks' rows. The writer's worker (if it has one) starts
    writing them now; `workbooks.finish()` writes the rest."""
    parcels = build_parcels(plan.submit, items, courier, merge=merge)
    rows = render_rows(courier, parcels, workspace.config.sender)
    files = split_files(courier, rows, parcels.table["seq"].to_numpy())
    del rows
    jobs = submission_jobs(staging, courier, files)
    if len(plan.exceptions):
        # last: this process, which writes from the last workbook back, takes it first
        source = originals.reindex(plan.exceptions["row"].to_numpy())
        exception_frame = exception_rows(
            source, plan.exceptions["order_id"], plan.exceptions["codes"]
        )
        jobs.append(exceptions_job(staging / EXCEPTIONS_FILE, exception_frame))
    return _Built(
        orders=parcels.orders,
        parcels=len(parcels),
        ledger_parcels=ledger_parcels(parcels, files),
        file_names=[job.path.name for job in jobs],
        workbooks=writer.share(jobs, staging / ".claims"),
    )


def _original_rows(original: pd.DataFrame, rows: pd.Index, n: int) -> pd.DataFrame:
    """The order report's own columns for `rows`, indexed by row number (none when the reader
    gave no aligned original table)."""
    if len(original) != n:
        return pd.DataFrame(index=rows)
    subset = original.iloc[rows.to_numpy()]
    subset.index = rows
    return subset


def _result(
    batch: str | None,
    courier: Courier,
    orders_read: int,
    plan: _Plan,
    submitted: int,
    parcels: int,
    files: tuple[Path, ...],
    timer: StepTimer,
) -> ExportResult:
    return ExportResult(
        batch=batch,
        courier=courier.code,
        orders_read=orders_read,
        orders_submitted=submitted if batch else 0,
        parcels=parcels if batch else 0,
        skipped=plan.skipped,
        exceptions=plan.exception_counts,
        files=files,
        seconds=timer.rounded(),
    )


# --- files ------------------------------------------------------------------------------


def _clear(folder: Path) -> None:
    for child in folder.iterdir():
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()


__all__ = ["ExportResult", "run_export"]
