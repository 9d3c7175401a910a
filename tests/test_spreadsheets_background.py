"""Tests for batch_ship.spreadsheets.background: writes run by a worker process."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from batch_ship.spreadsheets.background import WorkbookWriter
from batch_ship.spreadsheets.write import WorkbookJob, write_workbook
from tests.conftest import PROJECT_ROOT


def sheets() -> dict[str, pd.DataFrame]:
    return {
        "matched": pd.DataFrame(
            {"reference": ["4012500000000000001", "=HYPERLINK(1)"], "tracking": ["7730", ""]},
            dtype="str",
        ),
        "empty": pd.DataFrame({"reason": pd.Series([], dtype="str")}),
    }


def cells(path: Path) -> dict[str, list[tuple[object, ...]]]:
    book = openpyxl.load_workbook(path)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


@pytest.mark.parametrize("background", [True, False])
def test_the_workbook_is_the_same_in_the_background_or_here(
    tmp_path: Path, background: bool
) -> None:
    with WorkbookWriter(background=background) as writer:
        assert writer.in_background == background
        pending = writer.submit(write_workbook, tmp_path / "r.xlsx", sheets(), text_format=False)
        assert pending.wait() == tmp_path / "r.xlsx"  # what the write function returned
    assert cells(tmp_path / "r.xlsx") == {
        "matched": [
            ("reference", "tracking"),
            ("4012500000000000001", "7730"),
            ("=HYPERLINK(1)", None),  # text, not a formula
        ],
        "empty": [("reason",)],
    }
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert book["matched"]["A3"].data_type == "s"
    assert book["matched"]["A2"].number_format == "General"  # the option reached the writer


@pytest.mark.parametrize("background", [True, False])
def test_the_writers_error_comes_back_from_wait(tmp_path: Path, background: bool) -> None:
    (tmp_path / "file").write_text("not a folder")
    with WorkbookWriter(background=background) as writer:
        pending = writer.submit(write_workbook, tmp_path / "file" / "r.xlsx", sheets())
        with pytest.raises(OSError, match="file"):  # the parent is a file
            pending.wait()


@pytest.mark.parametrize("background", [True, False])
def test_a_failing_write_function_raises_from_wait(tmp_path: Path, background: bool) -> None:
    with WorkbookWriter(background=background) as writer:
        pending = writer.submit(int, "not a number")  # raises ValueError
        with pytest.raises(ValueError, match="not a number"):
            pending.wait()
    assert list(tmp_path.iterdir()) == []


def test_a_dead_worker_means_writing_here(tmp_path: Path) -> None:
    writer = WorkbookWriter(background=True)
    assert writer._worker is not None
    writer._worker.kill()
    writer._worker.wait()
    pending = writer.submit(write_workbook, tmp_path / "r.xlsx", sheets())
    assert pending.wait() == tmp_path / "r.xlsx"
    assert cells(tmp_path / "r.xlsx")["matched"][1] == ("4012500000000000001", "7730")


def test_discard_waits_for_the_worker_and_an_unused_worker_stops(tmp_path: Path) -> None:
    with WorkbookWriter(background=True) as writer:
        pending = writer.submit(write_workbook, tmp_path / "r.xlsx", sheets())
        pending.discard()
        assert pending.worker is not None
        assert pending.worker.returncode == 0  # finished: nothing appears after this
    unused = WorkbookWriter(background=True)
    worker = unused._worker
    unused.close()
    assert worker is not None
    assert worker.returncode == 0


# --- sharing a list of workbooks -----------------------------------------------------------


@dataclass(frozen=True)
class GatedJob(WorkbookJob):
    """In the worker process, waits for the file `gate` before writing."""

    gate: Path = Path()
    parent: int = 0

    def write(self) -> Path:
        if os.getpid() != self.parent:
            wait_for(self.gate)
        return super().write()


@dataclass(frozen=True)
class DyingJob(WorkbookJob):
    """In the worker process, leaves a half-written file and dies."""

    parent: int = 0

    def write(self) -> Path:
        if os.getpid() != self.parent:
            self.path.write_bytes(b"PK")
            os._exit(1)
        return super().write()


def wait_for(path: Path, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.01)


def part(folder: Path, index: int) -> tuple[Path, dict[str, pd.DataFrame]]:
    """A job's path and sheets: one cell holding its index."""
    return folder / f"part-{index}.xlsx", {"s": pd.DataFrame({"n": [str(index)]})}


def gated_jobs(tmp_path: Path, count: int, gated: int) -> tuple[list[WorkbookJob], Path, Path]:
    """`count` jobs writing into tmp_path/out, the `gated` one a GatedJob; jobs, out, gate."""
    out, gate = tmp_path / "out", tmp_path / "gate"
    out.mkdir()
    jobs = [WorkbookJob(*part(out, index)) for index in range(count)]
    jobs[gated] = GatedJob(*part(out, gated), gate=gate, parent=os.getpid())
    return jobs, out, gate


def open_when_claimed(claim: Path, gate: Path) -> threading.Thread:
    """A thread that opens `gate` once `claim` exists."""
    opener = threading.Thread(target=lambda: (wait_for(claim), gate.touch()), daemon=True)
    opener.start()
    return opener


def ready_writer() -> WorkbookWriter:
    writer = WorkbookWriter(background=True)
    deadline = time.monotonic() + 60
    while not writer.ready:
        assert time.monotonic() < deadline, "the worker never got ready"
        time.sleep(0.01)
    return writer


@pytest.fixture
def tests_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker unpickles this module's job classes: it must find the tests package."""
    monkeypatch.setenv("PYTHONPATH", str(PROJECT_ROOT))


def written_parts(folder: Path) -> list[str]:
    return sorted(
        str(openpyxl.load_workbook(path)["s"]["A2"].value) for path in folder.glob("part-*.xlsx")
    )


def test_without_a_worker_finish_writes_every_workbook(tmp_path: Path) -> None:
    jobs = [WorkbookJob(*part(tmp_path, index)) for index in range(3)]
    shared = WorkbookWriter(background=False).share(jobs, tmp_path / "claims")
    assert shared.pending is None
    assert written_parts(tmp_path) == []  # nothing before finish
    assert shared.finish() == [job.path for job in jobs]
    assert written_parts(tmp_path) == ["0", "1", "2"]
    assert not (tmp_path / "claims").exists()


def test_the_worker_writes_from_the_first_and_this_process_from_the_last(
    tmp_path: Path, tests_importable: None
) -> None:
    # the worker writes 0 and 1, then holds on to 2 until this process has claimed 3
    jobs, out, gate = gated_jobs(tmp_path, 4, gated=2)
    with ready_writer() as writer:
        shared = writer.share(jobs, tmp_path / "claims")
        assert shared.pending is not None
        wait_for(tmp_path / "claims" / "2")
        opener = open_when_claimed(tmp_path / "claims" / "3", gate)
        assert shared.finish() == [job.path for job in jobs]
        opener.join()
    assert shared.pending.wait() == [jobs[0].path, jobs[1].path, jobs[2].path]  # the worker's
    assert written_parts(out) == ["0", "1", "2", "3"]
    assert sorted(path.name for path in out.iterdir()) == [f"part-{i}.xlsx" for i in range(4)]
    assert not (tmp_path / "claims").exists()


def test_workbooks_a_dead_worker_claimed_are_written_here(
    tmp_path: Path, tests_importable: None
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    jobs = [WorkbookJob(*part(out, index)) for index in range(3)]
    jobs[0] = DyingJob(*part(out, 0), parent=os.getpid())
    with ready_writer() as writer:
        shared = writer.share(jobs, tmp_path / "claims")
        assert shared.pending is not None
        assert shared.pending.worker is not None
        assert shared.pending.worker.wait() == 1  # it claimed the first and died writing it
        assert shared.finish() == [job.path for job in jobs]
    assert written_parts(out) == ["0", "1", "2"]
    # its half-written file was written again, whole
    assert sorted(path.name for path in out.iterdir()) == [f"part-{i}.xlsx" for i in range(3)]


def test_a_failure_in_the_worker_comes_back_from_finish(tmp_path: Path) -> None:
    jobs = [WorkbookJob(*part(tmp_path, index)) for index in range(3)]
    (jobs[0].path / "in-the-way").mkdir(parents=True)  # the worker's first file cannot land
    with ready_writer() as writer:
        shared = writer.share(jobs, tmp_path / "claims")
        assert shared.pending is not None
        assert shared.pending.worker is not None
        shared.pending.worker.wait()
        with pytest.raises(OSError, match="directory"):
            shared.finish()


def test_discard_stops_the_worker_after_the_workbook_it_is_on(
    tmp_path: Path, tests_importable: None
) -> None:
    jobs, out, gate = gated_jobs(tmp_path, 3, gated=0)
    with ready_writer() as writer:
        shared = writer.share(jobs, tmp_path / "claims")
        wait_for(tmp_path / "claims" / "0")  # the worker is on the first one
        opener = open_when_claimed(tmp_path / "claims" / "2", gate)
        shared.discard()
        opener.join()
    assert shared.pending is not None
    assert shared.pending.wait() == [jobs[0].path]  # and nothing after it
    assert written_parts(out) == ["0"]
