"""Big workbooks written by a second process while the caller goes on with its ledger work."""

from __future__ import annotations

import contextlib
import logging
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from batch_ship.spreadsheets.write import write_workbook

log = logging.getLogger(__name__)


Sheets = Mapping[str, pd.DataFrame]


@dataclass
class PendingWorkbook:
    """A workbook being written: `wait()` returns its path or raises the writer's error."""

    path: Path
    build: Callable[..., Sheets]
    arguments: tuple[Any, ...]
    options: Mapping[str, Any]
    worker: subprocess.Popen[bytes] | None = None
    feeder: threading.Thread | None = None
    error: BaseException | None = field(default=None, repr=False)

    def wait(self) -> Path:
        if self.worker is not None:
            reply = self._reply()
            if reply is None:  # the worker died: write it here instead, slower, never lost
                return _write(self.path, self.build, self.arguments, self.options)
            kind, value = reply
            if kind == "error":
                raise value
            return self.path
        if self.error is not None:
            raise self.error
        return self.path

    def discard(self) -> None:
        """Let the writer stop (so no file appears later), then remove the file."""
        if self.worker is not None:
            with contextlib.suppress(Exception):
                self._reply()
        self.path.unlink(missing_ok=True)

    def _reply(self) -> tuple[str, Any] | None:
        assert self.worker is not None
        assert self.worker.stdout is not None
        if self.feeder is not None:
            self.feeder.join()
        output = self.worker.stdout.read()
        self.worker.wait()
        try:
            reply: tuple[str, Any] = pickle.loads(output)
        except Exception:
            log.debug("background writer gave no answer (exit %s)", self.worker.returncode)
            return None
        return reply


class WorkbookWriter:
    """Writes workbooks with `write_workbook`, in a worker process when `background` is set.

    The xlsx writer holds the GIL most of the time, so a thread cannot overlap it with the
    caller's work; a second process can, on a second core. The worker (`python -m` this
    module: a fresh interpreter, never a fork of this threaded process and never a re-run of
    the caller's main module) starts when the writer is made and imports the writer's
    libraries and `preload` (the modules of the sheet builders) while the caller reads, so
    make it early. It writes one workbook. When it cannot start or dies, the workbook is
    written in this process instead."""

    def __init__(self, *, background: bool, preload: Sequence[str] = ()) -> None:
        self._worker: subprocess.Popen[bytes] | None = None
        if background:
            try:
                self._worker = subprocess.Popen(
                    [sys.executable, "-m", __name__, *preload],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    # its failures reach the caller as a reply, or as no reply (then the
                    # workbook is written here and any error shows there): never a traceback
                    stderr=subprocess.DEVNULL,
                )
            except OSError as error:
                log.debug("no background writer (%s): writing in this process", error)

    def submit(
        self, path: Path, build: Callable[..., Sheets], *arguments: Any, **options: Any
    ) -> PendingWorkbook:
        """Start writing `path` with the sheets `build(*arguments)` returns (`options` as for
        `write_workbook`). In the background, `build` (a module-level function) and its
        arguments travel by pickle, so the sheets are built on the second core too."""
        if self._worker is not None:
            worker, self._worker = self._worker, None
            # Pickled straight into the pipe by a thread: no copy of a million rows' request
            # in memory, and the worker may still be importing (a full pipe blocks).
            request = (path, build, arguments, options)
            feeder = threading.Thread(target=_feed, args=(worker, request), daemon=True)
            feeder.start()
            return PendingWorkbook(path, build, arguments, options, worker, feeder)
        pending = PendingWorkbook(path, build, arguments, options)
        try:
            _write(path, build, arguments, options)
        except Exception as error:  # handed over as the worker's errors are: by wait()
            pending.error = error
        return pending

    def close(self) -> None:
        """Stop a worker that was never given a workbook."""
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


def _feed(worker: subprocess.Popen[bytes], request: tuple[Any, ...]) -> None:
    assert worker.stdin is not None
    try:
        pickle.dump(request, worker.stdin, pickle.HIGHEST_PROTOCOL)
    except Exception as error:  # a dead worker, or a value that does not pickle: the worker
        # then gives no reply, and the workbook is written in the caller's process
        log.debug("background writer not fed (%s)", error)
    finally:
        with contextlib.suppress(OSError):
            worker.stdin.close()


def _write(
    path: Path, build: Callable[..., Sheets], arguments: tuple[Any, ...], options: Mapping[str, Any]
) -> Path:
    return write_workbook(path, build(*arguments), **options)


def _serve(preload: Sequence[str]) -> None:
    """The worker: one request (path, build, arguments, options) on stdin, its outcome on
    stdout. The modules named on the command line are imported before the request arrives."""
    import importlib

    import rustpy_xlsxwriter  # noqa: F401

    for module in preload:
        importlib.import_module(module)
    try:
        path, build, arguments, options = pickle.load(sys.stdin.buffer)
    except EOFError:  # the caller needed no workbook after all
        return
    try:
        _write(path, build, arguments, options)
        reply: tuple[str, Any] = ("ok", None)
    except Exception as error:
        reply = ("error", error)
    sys.stdout.buffer.write(pickle.dumps(reply))


if __name__ == "__main__":
    _serve(sys.argv[1:])
