"""Every speed knob in one value: worker thresholds, chunk and cache sizes, each as measured."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tuning:
    """How the steps trade memory, processes and waiting for speed. None of it changes what a
    run produces, only how fast and in how much memory: a test passes a small value to reach
    a path (slices, the second process) with a small file. `DEFAULT_TUNING` holds the values
    measured on a 2-core machine (`python -m bench`); a use case takes `tuning=` and the CLI
    passes the default."""

    # export: normalize_recipients runs over slices of this many orders. Each row normalizes
    # on its own; a slice bounds the working set (one call over a million orders holds
    # ~0.7 GB of intermediates), and at 250k the slicing costs nothing measurable.
    normalize_chunk: int = 250_000
    # export: from this many orders on, a second process shares the writing of the
    # workbooks. Starting one costs about a second of the other core; measured (paired runs,
    # worker/without): 1.25 at 10k orders, 1.18 at 25k, 0.96 at 40k, 0.95 at 50k, 0.92 at 100k.
    background_orders: int = 40_000
    # import-tracking: a return this big (about 50k rows of xlsx) gets its reconcile workbook
    # written by a second process; measured (paired, worker/without): 1.20 at 25k parcels,
    # 1.00 at 40k, 0.97 at 60k.
    background_bytes: int = 1_500_000
    # import-tracking: a batch's --count this big, likewise.
    background_parcels: int = 50_000
    # import-tracking: references looked up (spread over the file) to find which batch a
    # return belongs to: a lookup of every reference costs a third of a second at 100k rows;
    # without a hit in the sample every reference is looked up, so a small sample only costs.
    batch_sample: int = 2_000
    # ledger: seconds a second run waits for the write lock before giving up.
    busy_timeout: float = 30.0
    # ledger: SQLite page cache in KiB (128 MiB): a 1M-order batch's pages stay in memory.
    cache_kib: int = 131_072
    # ledger: parcels per concatenating query of Ledger.parcels(): texts of tens of MB at most.
    gather_chunk: int = 250_000
    # ledger: rows record_batch and record_tracking turn into Python objects at a time: all
    # of a 1M-parcel batch at once would be the export's peak memory.
    insert_chunk: int = 50_000
    # spreadsheets: workbooks written at once in one process; the writer lets go of the GIL
    # for part of its work, so two use the second core (more only add memory on 2 cores).
    workbook_writers: int = 2


DEFAULT_TUNING = Tuning()

__all__ = ["DEFAULT_TUNING", "Tuning"]
