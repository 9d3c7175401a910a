"""Legacy .xls files: their BIFF records read for the limits and for formula cells."""

from __future__ import annotations

import struct
from pathlib import Path

import xlwt

from batch_ship.spreadsheets.xls_limits import _check_records, formula_rows


def test_formula_rows_are_the_rows_of_formula_records(tmp_path: Path) -> None:
    book = xlwt.Workbook()
    sheet = book.add_sheet("a")
    sheet.write(0, 0, "运单号")
    sheet.write(4, 1, xlwt.Formula("1+1"))
    sheet.write(6, 0, 7)
    book.add_sheet("b").write(2, 3, xlwt.Formula("A1"))
    path = tmp_path / "f.xls"
    book.save(str(path))
    assert formula_rows(path.read_bytes(), path) == {5, 3}


def test_a_record_cut_short_at_the_end_is_left_to_the_reader() -> None:
    number = struct.pack("<HH", 0x0203, 14) + struct.pack("<HHH", 3, 1, 0) + b"\0" * 8
    cut = struct.pack("<HH", 0x0203, 14) + b"\0\0"  # a NUMBER record with 2 of its 14 bytes
    _check_records(number + cut, Path("cut.xls"))  # no struct.error: calamine says damaged
