"""Workbook and CSV writing: text cells, no formulas, styled header, native failures tamed."""

from __future__ import annotations

import os
import pickle
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from batch_ship.spreadsheets import write as write_module
from batch_ship.spreadsheets.write import (
    EXCEL_CELL_LIMIT,
    WorkbookJob,
    write_claimed,
    write_jobs,
    write_workbook,
)

HOSTILE = [
    "=1+2",
    "+8613800000000",
    "-5",
    "@SUM(A1)",
    '=HYPERLINK("http://evil.example","click")',
    "=cmd|' /C calc'!A0",
    " leading space",
    "tab\tinside",
    "line\nbreak",
]


def test_formula_like_text_is_written_as_plain_text(tmp_path: Path) -> None:
    frame = pd.DataFrame({"收件人详细地址": HOSTILE, "订单编号": ["4012500868239927921"] * 9})
    path = write_workbook(tmp_path / "out.xlsx", {"Sheet1": frame})
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    values = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert values == HOSTILE  # unchanged: no apostrophe, space or tab added
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type == "s"
            assert cell.number_format == "@"
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml
    assert "<f " not in xml


def test_ids_and_phones_stay_exact_text(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "订单编号": ["4012500868239927921", "0012345678901234567"],
            "电话": ["13925130165", "0571-87654321"],
            "邮编": ["010000", ""],
        }
    )
    path = write_workbook(tmp_path / "ids.xlsx", {"S": frame})
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert rows == [
        ["4012500868239927921", "13925130165", "010000"],
        ["0012345678901234567", "0571-87654321", None],
    ]
    assert sheet["A2"].data_type == "s"
    assert sheet["A2"].number_format == "@"


def test_header_is_bold_frozen_filtered_and_sized(tmp_path: Path) -> None:
    frame = pd.DataFrame({"订单编号": ["4012500868239927921"], "备注": ["x" * 200]})
    path = write_workbook(tmp_path / "h.xlsx", {"S": frame}, widths={"订单编号": 25})
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    assert sheet["A1"].value == "订单编号"
    assert sheet["A1"].font.b
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:B2"
    assert sheet.column_dimensions["A"].width == pytest.approx(25, abs=1)
    assert sheet.column_dimensions["B"].width == pytest.approx(write_module.MAX_WIDTH, abs=1)


def test_text_columns_limits_the_text_format(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": ["1"], "qty": ["2"]})
    path = write_workbook(tmp_path / "t.xlsx", {"S": frame}, text_columns=["id"])
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    assert sheet["A2"].number_format == "@"
    assert sheet["B2"].number_format == "General"
    assert sheet["B2"].data_type == "s"  # still a string cell


def test_without_the_text_format_cells_are_still_text_and_unflagged(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": ["4012500868239927921", "=1+2"]})
    path = write_workbook(tmp_path / "t.xlsx", {"S": frame}, text_format=False)
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    assert [sheet["A2"].value, sheet["A3"].value] == ["4012500868239927921", "=1+2"]
    assert sheet["A2"].data_type == sheet["A3"].data_type == "s"
    assert sheet["A2"].number_format == "General"
    with zipfile.ZipFile(path) as archive:  # "number stored as text" stays silenced
        assert b"ignoredError" in archive.read("xl/worksheets/sheet1.xml")


def test_non_string_columns_become_text_and_missing_is_empty(tmp_path: Path) -> None:
    frame = pd.DataFrame({"n": [1, 2], "s": ["a", None]})
    path = write_workbook(tmp_path / "n.xlsx", {"S": frame})
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    assert [sheet["A2"].value, sheet["A3"].value] == ["1", "2"]
    assert sheet["B3"].value is None


def test_several_sheets(tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "m.xlsx",
        {"一": pd.DataFrame({"a": ["1"]}), "二": pd.DataFrame({"b": ["2"]})},
    )
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["一", "二"]
    assert book["二"]["A2"].value == "2"


def test_value_over_the_cell_limit_is_cut_not_fatal(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": ["x" * (EXCEL_CELL_LIMIT + 10)]})
    path = write_workbook(tmp_path / "long.xlsx", {"S": frame})
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    assert len(str(sheet["A2"].value)) == EXCEL_CELL_LIMIT


class PanicException(BaseException):
    """What pyo3 raises when Rust code panics: a BaseException, not an Exception."""


def test_a_native_panic_becomes_a_write_error_and_its_text_stays_off_the_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    def panics(*args: object, **kwargs: object) -> None:
        # what the Rust side prints itself, straight to fd 2, before pyo3 raises
        os.write(2, b"thread '<unnamed>' panicked at src/lib.rs:1:1:\nfailed to write\n")
        os.write(2, b"note: run with `RUST_BACKTRACE=1` environment variable\n")
        raise PanicException("failed to write whole buffer")

    monkeypatch.setattr(write_module.xlsx, "write_worksheets", panics)
    with pytest.raises(write_module.WriteError, match="failed to write whole buffer") as caught:
        write_workbook(tmp_path / "p.xlsx", {"S": pd.DataFrame({"a": ["1"]})})
    assert "p.xlsx" in str(caught.value)
    assert "panicked" not in capfd.readouterr().err


def test_a_full_disk_is_an_os_error_without_the_writers_own_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """The real writer on a real full device: /dev/full takes every write with ENOSPC."""
    real = write_module.xlsx.write_worksheets

    def onto_a_full_disk(entries: object, path: str, **options: object) -> None:
        real(entries, "/dev/full", **options)

    monkeypatch.setattr(write_module.xlsx, "write_worksheets", onto_a_full_disk)
    frame = pd.DataFrame({"a": [str(n) * 50 for n in range(20_000)]})
    with pytest.raises(OSError, match="os error 28"):
        write_workbook(tmp_path / "full.xlsx", {"S": frame})
    err = capfd.readouterr().err
    assert "ZipWriter" not in err
    assert "StorageFull" not in err


def test_other_output_meanwhile_still_reaches_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    with write_module.native_writer(Path("x.xlsx")):
        os.write(2, b"a log line\n")
        os.write(2, b"ZipWriter::drop: failed to finalize archive\n")
    assert capfd.readouterr().err == "a log line\n"


def test_bad_sheet_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="sheet name"):
        write_workbook(tmp_path / "x.xlsx", {"a/b": pd.DataFrame({"a": ["1"]})})
    assert list(tmp_path.iterdir()) == []


def numbered_jobs(folder: Path, count: int) -> list[WorkbookJob]:
    return [
        WorkbookJob(folder / f"part-{index}.xlsx", {"rows": pd.DataFrame({"n": [str(index)]})})
        for index in range(count)
    ]


def test_a_job_writes_what_write_workbook_writes_and_pickles(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": ["4012500000000000001"], "note": ["=1+2"]}, dtype="str")
    job = WorkbookJob(tmp_path / "job.xlsx", {"s": frame}, ("id",), {"note": 30.0})
    copy = pickle.loads(pickle.dumps(job))  # how it reaches a worker process
    assert copy.write() == tmp_path / "job.xlsx"
    write_workbook(
        tmp_path / "direct.xlsx", {"s": frame}, text_columns=("id",), widths={"note": 30}
    )
    by_job = openpyxl.load_workbook(tmp_path / "job.xlsx")["s"]
    direct = openpyxl.load_workbook(tmp_path / "direct.xlsx")["s"]
    for cell in ("A2", "B2"):
        assert by_job[cell].value == direct[cell].value
        assert by_job[cell].data_type == direct[cell].data_type == "s"
        assert by_job[cell].number_format == direct[cell].number_format
    assert by_job["A2"].number_format == "@"
    assert by_job["B2"].number_format == "General"  # not a text column
    assert by_job.column_dimensions["B"].width == direct.column_dimensions["B"].width


@pytest.mark.parametrize("writers", [1, 2, 3])
def test_write_jobs_writes_every_workbook_in_order(tmp_path: Path, writers: int) -> None:
    """Tuning.workbook_writers changes how many are written at once, never what."""
    jobs = numbered_jobs(tmp_path, 3)
    assert write_jobs(jobs, writers=writers) == [job.path for job in jobs]
    for index, job in enumerate(jobs):
        assert openpyxl.load_workbook(job.path)["rows"]["A2"].value == str(index)


def test_claimed_writers_share_from_both_ends_and_stop_where_the_other_was(
    tmp_path: Path,
) -> None:
    jobs = numbered_jobs(tmp_path / "out", 5)
    claims = tmp_path / "claims"
    claims.mkdir()
    (claims / "2").touch()  # the middle one is somebody else's
    assert write_claimed(jobs, claims) == [jobs[0].path, jobs[1].path]
    assert write_claimed(jobs, claims, from_end=True) == [jobs[4].path, jobs[3].path]
    assert write_claimed(jobs, claims) == []  # everything is claimed now
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == [
        "part-0.xlsx", "part-1.xlsx", "part-3.xlsx", "part-4.xlsx",
    ]  # fmt: skip
