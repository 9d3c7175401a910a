"""Big workbooks written by a second process while the caller goes on with its ledger work."""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import select
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from batch_ship.progress import Progress, no_progress
from batch_ship.spreadsheets.write import (
    WORKBOOKS_WRITTEN,
    WorkbookJob,
    claim_the_rest,
    write_claimed,
    write_jobs,
)
from batch_ship.tuning import DEFAULT_TUNING

log = logging.getLogger(__name__)

T = TypeVar("T")
READY = b"+"  # the worker's first byte out: its imports are done, a request is read at once


@dataclass
class PendingWrite(Generic[T]):
    """A write under way: `wait()` returns what the write function returned, or raises its
    error. `discard()` lets it finish and leaves the cleaning up to the caller."""

    write: Callable[..., T]
    arguments: tuple[Any, ...]
    options: Mapping[str, Any]
    worker: subprocess.Popen[bytes] | None = None
    feeder: threading.Thread | None = None
    outcome: tuple[str, Any] | None = field(default=None, repr=False)

    def wait(self) -> T:
        if self.worker is not None and self.outcome is None:
            self.outcome = self._reply()
            if self.outcome is None:  # the worker died: write here instead, slower, not lost
                log.debug("background writer died: writing here")
                self.outcome = _call(self.write, self.arguments, self.options)
        assert self.outcome is not None
        kind, value = self.outcome
        if kind == "error":
            raise value
        result: T = value
        return result

    def discard(self) -> None:
        """Wait for the writer to stop, so that no file appears after the caller cleans up."""
        if self.worker is not None and self.outcome is None:
            with contextlib.suppress(Exception):
                self.outcome = self._reply()

    def _reply(self) -> tuple[str, Any] | None:
        assert self.worker is not None
        assert self.worker.stdout is not None
        if self.feeder is not None:
            self.feeder.join()
        output = self.worker.stdout.read()
        self.worker.wait()
        if output.startswith(READY):  # not read yet: the request went by the feeder thread
            output = output[len(READY) :]
        try:
            reply: tuple[str, Any] = pickle.loads(output)
        except Exception:
            log.debug("background writer gave no answer (exit %s)", self.worker.returncode)
            return None
        return reply


@dataclass
class SharedWrite:
    """Workbooks written by the worker from the first on, and by this process from the last
    back once `finish()` is called, until the two meet (`write_claimed`); with no worker, all
    of them by `finish()`."""

    jobs: Sequence[WorkbookJob]
    claims: Path
    pending: PendingWrite[list[Path]] | None
    writers: int = DEFAULT_TUNING.workbook_writers  # workbooks finish() writes at once

    def finish(self, progress: Progress = no_progress) -> list[Path]:
        """Every workbook is written once this returns: the paths, in job order. `progress`
        counts the workbooks (the worker's ones once it is done)."""
        if self.pending is None:
            return write_jobs(self.jobs, progress, writers=self.writers)
        written = set(write_claimed(self.jobs, self.claims, from_end=True))
        written.update(self.pending.wait())
        missing = [job for job in self.jobs if job.path not in written]
        if missing:  # the worker died part way: what it had claimed is written (again) here
            write_jobs(missing, writers=self.writers)
        shutil.rmtree(self.claims)
        progress(WORKBOOKS_WRITTEN, len(self.jobs), len(self.jobs))
        return [job.path for job in self.jobs]

    def estimated_size(self) -> int:
        """About the bytes the workbooks take on disk."""
        return sum(job.estimated_size() for job in self.jobs)

    def discard(self) -> None:
        """Stop the worker after the workbook it is writing and wait for it, so that no file
        appears after the caller cleans up."""
        if self.pending is not None:
            with contextlib.suppress(OSError):  # a claims folder gone: the worker stops anyway
                claim_the_rest(self.jobs, self.claims)
            self.pending.discard()


class WorkbookWriter:
    """Runs one write function (building and writing workbooks), in a worker process when
    `background` is set, else right here; or shares a list of workbooks between the worker
    and this process (`share`).

    The xlsx writer holds the GIL most of the time, so a thread cannot overlap it with the
    caller's work; a second process can, on a second core. The worker (`python -m` this
    module: a fresh interpreter, never a fork of this threaded process and never a re-run of
    the caller's main module) starts when the writer is made and imports `preload` (the write
    function's module) while the caller goes on, so make it early. When the worker cannot start
    or dies, the write runs in this process instead. Write functions must be module-level (they
    travel by pickle, with their arguments) and safe to run again."""

    def __init__(
        self,
        *,
        background: bool,
        preload: Sequence[str] = (),
        writers: int = DEFAULT_TUNING.workbook_writers,
    ) -> None:
        self._writers = writers  # workbooks this process writes at once (`share`)
        self._worker: subprocess.Popen[bytes] | None = None
        self._ready = False
        if background:
            try:
                self._worker = subprocess.Popen(
                    [sys.executable, "-m", __name__, *preload],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    # its failures reach the caller as a reply, or as no reply (then the
                    # write runs here and any error shows here): never a traceback
                    stderr=subprocess.DEVNULL,
                )
            except OSError as error:
                log.debug("no background writer (%s): writing in this process", error)

    @property
    def in_background(self) -> bool:
        return self._worker is not None

    @property
    def ready(self) -> bool:
        """Whether the worker has done its imports: it then reads a request at once. False
        where a pipe cannot be polled (Windows)."""
        if self._worker is not None and not self._ready:
            self._ready = _said_ready(self._worker)
        return self._ready

    def submit(self, write: Callable[..., T], *arguments: Any, **options: Any) -> PendingWrite[T]:
        """Start `write(*arguments, **options)`: in the worker if there is one (once), else
        here and now."""
        if self._worker is not None:
            ready = self.ready
            worker, self._worker = self._worker, None
            # Pickled straight into the pipe: no copy of a million rows' request in memory.
            request = (write, arguments, options)
            if ready:
                # Fed here: the worker reads as fast as this writes. A thread feeding it
                # while the caller goes on would wait for the GIL at every pipe-full.
                _feed(worker, request)
                return PendingWrite(write, arguments, options, worker)
            # The worker is still importing: a thread feeds it (a full pipe blocks).
            feeder = threading.Thread(target=_feed, args=(worker, request), daemon=True)
            feeder.start()
            return PendingWrite(write, arguments, options, worker, feeder)
        return PendingWrite(write, arguments, options, outcome=_call(write, arguments, options))

    def share(self, jobs: Sequence[WorkbookJob], claims: Path) -> SharedWrite:
        """Start the worker on `jobs` (if there is one, and once); `finish()` on the result
        writes the rest here. `claims`: a folder to create, for the claims; finish() removes
        it."""
        if self._worker is None or not jobs:
            return SharedWrite(jobs, claims, None, self._writers)
        claims.mkdir()
        return SharedWrite(jobs, claims, self.submit(write_claimed, jobs, claims), self._writers)

    def close(self) -> None:
        """Stop a worker that was never given a write."""
        worker, self._worker = self._worker, None
        if worker is not None:
            with contextlib.suppress(OSError):
                assert worker.stdin is not None
                worker.stdin.close()
            worker.wait()

    def __enter__(self) -> WorkbookWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _call(
    write: Callable[..., Any], arguments: tuple[Any, ...], options: Mapping[str, Any]
) -> tuple[str, Any]:
    try:
        return ("ok", write(*arguments, **options))
    except Exception as error:  # handed over to wait(), as the worker's errors are
        return ("error", error)


def _said_ready(worker: subprocess.Popen[bytes]) -> bool:
    """Whether the worker's READY byte has come (it is then read)."""
    assert worker.stdout is not None
    try:
        readable, _, _ = select.select([worker.stdout], [], [], 0)
        return bool(readable) and worker.stdout.read(len(READY)) == READY
    except (OSError, ValueError):
        return False


def _feed(worker: subprocess.Popen[bytes], request: tuple[Any, ...]) -> None:
    assert worker.stdin is not None
    try:
        pickle.dump(request, worker.stdin, pickle.HIGHEST_PROTOCOL)
    except Exception as error:  # a dead worker, or a value that does not pickle: the worker
        # then gives no reply, and the write runs in the caller's process
        log.debug("background writer not fed (%s)", error)
    finally:
        with contextlib.suppress(OSError):
            worker.stdin.close()


def _serve(preload: Sequence[str]) -> None:
    """The worker: one request (write, arguments, options) on stdin, its outcome on stdout.
    The modules named on the command line are imported before the request arrives."""
    import importlib

    import rustpy_xlsxwriter  # noqa: F401

    for module in preload:
        importlib.import_module(module)
    sys.stdout.buffer.write(READY)
    sys.stdout.buffer.flush()
    try:
        write, arguments, options = pickle.load(sys.stdin.buffer)
    except EOFError:  # the caller needed no write after all
        return
    sys.stdout.buffer.write(pickle.dumps(_call(write, arguments, options)))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    _serve(sys.argv[1:])
    # The caller waits for this process to end; tearing down an interpreter that has pandas
    # and Arrow loaded takes 0.2 s, and nothing is left to clean up: the file is written and
    # the reply flushed.
    os._exit(0)
