"""Which batch an import is for (named, found from a return's references, or the one awaiting
numbers) and its parcels, read ahead while the return is read."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from batch_ship.couriers import get_courier, load_couriers
from batch_ship.errors import InputError, LedgerError
from batch_ship.i18n import _
from batch_ship.ledger import BatchRef, Ledger
from batch_ship.tuning import Tuning

log = logging.getLogger(__name__)


def named_batch(ledger: Ledger, batch: str) -> BatchRef:
    """The batch `--batch` names; an InputError listing the known ones when there is none."""
    info = ledger.batch_ref(batch)
    if info is None:
        raise InputError(
            _("unknown batch {batch!r}").format(batch=batch), hint=_batches_hint(ledger)
        )
    return info


def _batches_hint(ledger: Ledger) -> str:
    known = [info.batch_id for info in ledger.batches()]
    if not known:
        return "no batch has been exported in this workspace yet"
    return "known batches: " + ", ".join(known[-10:]) + " (batch-ship status lists them)"


def reference_headers(info: BatchRef | None, templates: Path | None) -> tuple[list[str], list[str]]:
    """(preferred, fallback) reference headers: the batch's courier's own name first; without
    a batch, every courier's name, after the usual ones."""
    if info is not None:
        return [get_courier(info.courier, templates).reference_header], []
    names = dict.fromkeys(c.reference_header for c in load_couriers(templates).values())
    return [], list(names)


@contextmanager
def parcels_ahead(ledger: Ledger, batch_id: str | None) -> Iterator[Callable[[str], pd.DataFrame]]:
    """`ledger.parcels`, with `batch_id`'s parcels read ahead on a second connection while
    the caller reads the return (a thread: SQLite lets go of the GIL, calamine too). The
    caller holds the write lock, so that connection sees what the caller's transaction sees.
    Another batch, or a failed read ahead, is read on the caller's connection."""
    if batch_id is None:
        yield ledger.parcels
        return
    with ThreadPoolExecutor(max_workers=1) as pool:  # leaving waits for the thread
        ahead = pool.submit(read_parcels, ledger.path, batch_id, ledger.tuning)

        def parcels_of(wanted: str) -> pd.DataFrame:
            if wanted == batch_id:
                try:
                    return ahead.result()
                except LedgerError as error:  # the caller's connection says it again, or not
                    log.debug("parcels read ahead failed: %s", error)
            return ledger.parcels(wanted)

        yield parcels_of


def read_parcels(path: Path, batch_id: str, tuning: Tuning) -> pd.DataFrame:
    """A batch's parcels, read on a connection of its own (`parcels_ahead`'s thread)."""
    with Ledger.open(path, tuning=tuning) as reader:
        return reader.parcels(batch_id)


def batch_from_references(
    ledger: Ledger, rows: pd.DataFrame, files: Sequence[Path], *, sample: int
) -> BatchRef:
    """The batch the return's references belong to, from a spread-out sample of about
    `sample` of them (a lookup per reference costs a third of a second at 100k rows);
    `check_other_batches` later checks the references that did not match that batch. Without
    a hit in the sample, every reference is looked up."""
    references = rows["reference"].unique()
    references = references[references != ""]
    step = max(1, len(references) // sample)
    found = ledger.batches_for_references(references[::step].tolist())
    if not found and step > 1:
        found = ledger.batches_for_references(references.tolist())
    batches = sorted(set(found.values()))
    if not batches:
        raise InputError(
            _(
                "none of the {value:,} references in {value2} belongs to a batch of "
                "this workspace (a spreadsheet may have turned them into numbers)"
            ).format(value=len(references), value2=_names(files)),
            hint=_("pass --batch ID (batch-ship status lists the batches)"),
        )
    if len(batches) > 1:
        raise _several_batches(files, batches)
    info = ledger.batch_ref(batches[0])
    assert info is not None
    return info


def check_other_batches(
    ledger: Ledger, unknown: Sequence[str], batch_id: str, files: Sequence[Path]
) -> None:
    """Refuse a return (its batch found from references) whose unmatched rows hold references
    of another batch: the sample that chose the batch cannot have seen them all."""
    others = set(ledger.batches_for_references([ref for ref in unknown if ref]).values())
    others -= {batch_id}
    if others:
        raise _several_batches(files, sorted({batch_id, *others}))


def _several_batches(files: Sequence[Path], batches: Sequence[str]) -> InputError:
    return InputError(
        _("the references in {value} belong to several batches ({value2})").format(
            value=_names(files), value2=", ".join(batches)
        ),
        hint=_("pass --batch ID to say which batch this return is for"),
    )


def _names(files: Sequence[Path]) -> str:
    return ", ".join(path.name for path in files)


def single_awaiting_batch(ledger: Ledger) -> BatchRef:
    """For a --range without --batch: the one batch awaiting numbers, else an InputError."""
    waiting = [info for info in ledger.batches() if info.awaiting_tracking > 0]
    if len(waiting) == 1:
        return BatchRef(waiting[0].batch_id, waiting[0].courier)
    if not waiting:
        raise InputError(_("no batch is awaiting tracking numbers"), hint=_batches_hint(ledger))
    raise InputError(
        _("{value} batches are awaiting tracking numbers ({value2})").format(
            value=len(waiting), value2=", ".join(info.batch_id for info in waiting)
        ),
        hint=_("pass --batch ID with --range"),
    )
