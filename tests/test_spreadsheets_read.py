"""read_table on real files in tmp_path: workbooks, file objects, missing and empty files."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from batch_ship.errors import InputError
from batch_ship.spreadsheets.limits import ZipLimits, check_xlsx
from batch_ship.spreadsheets.read import read_table


def test_file_object_input() -> None:
    frame = read_table(io.BytesIO(b"a,b\n1,2\n"), header_row=0)
    assert frame["b"].tolist() == ["2"]
    with pytest.raises(InputError, match="text mode"):
        read_table(io.StringIO("a,b"))  # type: ignore[arg-type]


def test_missing_file_and_empty_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        read_table(tmp_path / "nope.csv")
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(InputError, match="empty") as caught:
        read_table(tmp_path / "empty.csv")
    assert "empty.csv" in str(caught.value)


def test_xlsx_cells_render_as_text_without_float_noise(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "订单"
    sheet.append(["标题"])
    sheet.append(["id", "phone", "money", "when", "flag", "big", "day", "noise"])
    sheet.append(
        [
            "4012500868239927921",
            13925130165,
            128.5,
            dt.datetime(2026, 11, 25, 9, 1, 2),
            True,
            4.0125008682399e18,
            dt.date(2026, 1, 2),
            0.1 + 0.2,
        ]
    )
    path = tmp_path / "t.xlsx"
    book.save(path)
    grid = read_table(path, sheet="订单")
    assert grid.iloc[2].tolist() == [
        "4012500868239927921",
        "13925130165",
        "128.5",
        "2026-11-25 09:01:02",
        "TRUE",
        "4.0125008682399e+18",
        "2026-01-02",
        "0.3",
    ]
    frame = read_table(path, header_row=1, sheet=0)
    assert frame["phone"].tolist() == ["13925130165"]
    assert all(str(dtype) == "str" for dtype in frame.dtypes)
    with pytest.raises(InputError, match="no sheet 'missing'") as caught:
        read_table(path, sheet="missing")
    assert "订单" in str(caught.value)
    with pytest.raises(InputError, match="no sheet 3"):
        read_table(path, sheet=3)


def test_truncated_and_fake_xlsx(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    path = tmp_path / "ok.xlsx"
    book.save(path)
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(path.read_bytes()[:200])
    with pytest.raises(InputError, match="cannot be opened") as caught:
        read_table(cut)
    assert "cut.xlsx" in str(caught.value)
    assert "Fix:" in str(caught.value)
    plain_zip = tmp_path / "zip.xlsx"
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(InputError, match="cannot be opened"):
        read_table(plain_zip)


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 5_000_000)
    with pytest.raises(InputError, match="zip bomb"):
        check_xlsx(path.read_bytes(), path, ZipLimits(bomb_bytes=1 << 20))
