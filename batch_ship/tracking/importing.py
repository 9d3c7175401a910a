"""The import-tracking use case: returns (or a range) in, numbers recorded in one ledger
transaction, the batch's upload file and this import's reconcile workbook out."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from batch_ship.couriers import Courier, get_courier
from batch_ship.errors import InputError, missing_file
from batch_ship.i18n import N_, _
from batch_ship.imports import next_import
from batch_ship.ledger import BatchRef, Ledger
from batch_ship.progress import Progress, StepTimer, no_progress
from batch_ship.publish import Publication, open_ledger, publication
from batch_ship.sources.file_kinds import our_layouts
from batch_ship.spreadsheets.background import WorkbookWriter
from batch_ship.tracking.batches import (
    batch_from_references,
    check_other_batches,
    named_batch,
    parcels_ahead,
    reference_headers,
    single_awaiting_batch,
)
from batch_ship.tracking.cells import split_cells
from batch_ship.tracking.plan import ImportPlan, plan_file_rows
from batch_ship.tracking.ranges import NumberRange, plan_range
from batch_ship.tracking.reconcile import (
    outputs_size,
    reconcile_rows,
    stage_reconcile,
    wait_for,
    write_reconcile,
)
from batch_ship.tracking.recording import record_plan, stage_upload
from batch_ship.tracking.result import ImportResult, import_result
from batch_ship.tracking.returns import read_returns
from batch_ship.tracking.rows import ReturnRows
from batch_ship.tuning import DEFAULT_TUNING, Tuning
from batch_ship.uploads import Marketplace, load_marketplace
from batch_ship.workspace import Workspace

log = logging.getLogger(__name__)


def import_tracking(
    workspace: Workspace,
    files: Sequence[Path] = (),
    *,
    batch: str | None = None,
    range_spec: str | None = None,
    count: int | None = None,
    replace: bool = False,
    marketplace: str | None = None,
    progress: Progress = no_progress,
    tuning: Tuning = DEFAULT_TUNING,
) -> ImportResult:
    """Read courier returns (or expand a --range), match, record in one ledger transaction,
    and write the batch's upload file and this import's own reconcile-<n>.xlsx (imports.py).
    Raises InputError for bad input; then nothing is recorded and no file is written.

    The upload lists every shipped order of the batch, not only this run's: after a partial
    return and a second one the file is complete, and a re-run rewrites the same file (the
    marketplace ignores orders it has already marked shipped). Counts: `parcels_matched`
    parcels given numbers now (new, plus conflicts replaced with `replace`); `orders_shipped`
    orders that became shipped now; `already_recorded` parcels whose returned numbers were
    already recorded; `unknown_rows` rows fitting no parcel, plus unused range numbers;
    `duplicate_numbers` distinct numbers refused as duplicates; `conflicts` parcels whose
    recorded number differs from the return (applied only with `replace`). `tuning` says
    when a second process writes the reconcile workbook (never what is written).
    """
    run = _Run(workspace, [Path(path) for path in files], progress, tuning, replace)
    run.check_arguments(range_spec, count)
    market = load_marketplace(marketplace or workspace.config.marketplace, run.templates)
    run.check_workspace()
    run.numbers = NumberRange.parse(range_spec, count) if range_spec is not None else None
    with (
        # the reconcile workbook of a big return is written on the second core while the
        # ledger records
        WorkbookWriter(background=run.big(), preload=(write_reconcile.__module__,)) as writer,
        open_ledger(workspace, tuning) as ledger,
        publication(workspace, ledger) as publishing,
        # the write lock from the start: what is read below is what gets recorded
        ledger.write(),
    ):
        decided = run.read_and_plan(ledger, batch)
        result = run.publish(ledger, publishing, writer, market, decided)
    log.debug(
        "%s: %d parcels matched, %d orders shipped, %d already recorded, %d awaiting",
        result.batch,
        result.parcels_matched,
        result.orders_shipped,
        result.already_recorded,
        result.unmatched_parcels,
    )
    return result


class _Decided(NamedTuple):
    """What an import found and decided, under the write lock, before the ledger changes."""

    info: BatchRef
    courier: Courier
    parcels: pd.DataFrame  # the batch's, as `Ledger.parcels` gives them
    plan: ImportPlan


@dataclass
class _Run:
    """One import's inputs and timers, and its steps in the order they run."""

    workspace: Workspace
    files: list[Path]
    progress: Progress
    tuning: Tuning
    replace: bool
    numbers: NumberRange | None = None
    steps: StepTimer = field(default_factory=StepTimer)
    started: float = field(default_factory=time.perf_counter)

    @property
    def templates(self) -> Path | None:
        return self.workspace.config.templates

    def check_arguments(self, range_spec: str | None, count: int | None) -> None:
        if self.files and range_spec is not None:
            raise InputError(_("give either return files or --range, not both"))
        if not self.files and range_spec is None:
            raise InputError(
                _("nothing to import"),
                hint=_("give the courier's return file, or --range START --count N"),
            )
        if count is not None and range_spec is None:
            raise InputError(_("--count needs --range START"))

    def check_workspace(self) -> None:
        for path in self.files:  # before the ledger: a mistyped path is the likelier mistake
            if not path.exists():
                raise missing_file(path)
        if not self.workspace.ledger_path.is_file():
            raise InputError(
                _("no ledger in this workspace: nothing was exported here yet"),
                path=self.workspace.ledger_path,
                hint=_("run `batch-ship export` first, or point --home at the shop's workspace"),
            )

    def big(self) -> bool:
        """Whether the reconcile workbook is big enough to be worth a second process."""
        size = sum(path.stat().st_size for path in self.files if path.is_file())
        count = (self.numbers.count if self.numbers else None) or 0
        return size >= self.tuning.background_bytes or count >= self.tuning.background_parcels

    def read_and_plan(self, ledger: Ledger, batch: str | None) -> _Decided:
        """Find the batch, read the returns (its parcels read meanwhile), and plan. The
        rows read go when this returns: the plan holds what is needed of them."""
        info = named_batch(ledger, batch) if batch else None
        # without --batch, the newest batch is the likely one (read again if it is not)
        likely = info.batch_id if info else ledger.latest_batch_id()
        with parcels_ahead(ledger, likely if self.files else None) as parcels_of:
            rows, info, inferred = self._read(ledger, info)
            with self.steps("ledger-read"):
                parcels = parcels_of(info.batch_id)
        courier = get_courier(info.courier, self.templates)
        plan = self._plan(ledger, info, courier, rows, parcels, inferred=inferred)
        self.progress(N_("matching"), len(parcels), len(parcels))
        return _Decided(info, courier, parcels, plan)

    def _read(
        self, ledger: Ledger, info: BatchRef | None
    ) -> tuple[ReturnRows | None, BatchRef, bool]:
        """The returns' rows (None for a range), the batch, and whether the rows named it."""
        if not self.files:
            return None, info or single_awaiting_batch(ledger), False
        preferred, fallback = reference_headers(info, self.templates)
        self.progress(N_("reading returns"), 0, len(self.files))
        with self.steps("read"):
            rows = read_returns(self.files, preferred, fallback, our_layouts(self.templates))
        self.progress(N_("reading returns"), len(self.files), len(self.files))
        if info is not None:
            return rows, info, False
        sample = self.tuning.batch_sample
        return rows, batch_from_references(ledger, rows.frame, self.files, sample=sample), True

    def _plan(
        self,
        ledger: Ledger,
        info: BatchRef,
        courier: Courier,
        rows: ReturnRows | None,
        parcels: pd.DataFrame,
        *,
        inferred: bool,
    ) -> ImportPlan:
        numbers = self.numbers.numbers(courier) if self.numbers else []
        with self.steps("ledger-read"):
            split = split_cells(rows.frame["cell"]) if rows is not None else None
            candidates = split["number"].unique().tolist() if split is not None else numbers
            owners = ledger.tracking_owners(candidates)
        with self.steps("match"):
            if rows is None or split is None:
                label = self.numbers.label if self.numbers else ""
                return plan_range(numbers, parcels, owners, courier.tracking, label)
            plan = plan_file_rows(
                rows, parcels, owners, courier.tracking, replace=self.replace, split=split
            )
            if inferred:
                unknown = [row.reference for row in plan.unknown]
                check_other_batches(ledger, unknown, info.batch_id, self.files)
        return plan

    def publish(
        self,
        ledger: Ledger,
        publishing: Publication,
        writer: WorkbookWriter,
        market: Marketplace,
        decided: _Decided,
    ) -> ImportResult:
        """Stage both outputs, record the plan and the run's event: published on commit."""
        info, courier, parcels, plan = decided
        folder = self.workspace.batch_dir(info.batch_id)
        number, reconcile_name = next_import(ledger, info.batch_id, folder)
        # moved into place in this order once the ledger commits: the upload last
        reconcile_staged = publishing.file(folder / reconcile_name)
        upload_staged = publishing.file(folder / market.file_name)
        rows = reconcile_rows(plan, parcels)
        publishing.estimate = partial(outputs_size, rows, len(parcels))
        reconcile = stage_reconcile(writer, reconcile_staged, rows)
        try:
            with self.steps("ledger-record"):
                shipped = record_plan(ledger, plan, parcels)
            with self.steps("write"):
                stage_upload(upload_staged, market, courier, shipped)
                wait_for(reconcile, folder)
            written = (folder / market.file_name, folder / reconcile_name)
            result = import_result(info.batch_id, plan, parcels, written, self.started, self.steps)
            ledger.log_event("import-tracking", info.batch_id, self._event(result, market, number))
            publishing.record()
        except BaseException:
            reconcile.discard()  # no file may appear after the staged ones are deleted
            raise
        return result

    def _event(self, result: ImportResult, market: Marketplace, number: int) -> dict[str, Any]:
        """The ledger event's detail: the summary, and what `status --batch` lists."""
        return {
            **{k: v for k, v in result.summary().items() if k not in ("batch",)},
            "sources": [path.name for path in self.files]
            or [self.numbers.spec if self.numbers else ""],
            "import": number,
            "reconcile": result.files[-1].name,
            "replace": self.replace,
            "marketplace": market.code,
            "seconds": round(time.perf_counter() - self.started, 3),
            "steps": self.steps.rounded(),
        }
