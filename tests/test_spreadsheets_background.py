"""Tests for batch_ship.spreadsheets.background: writes run by a worker process."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from batch_ship.spreadsheets.background import WorkbookWriter
from batch_ship.spreadsheets.write import write_workbook


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
