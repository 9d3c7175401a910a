"""The rows of a workbook holding formula cells, in either format."""

from __future__ import annotations

from pathlib import Path

import xlwt

from batch_ship.spreadsheets.formulas import formula_rows
from tests.hostile_files import formula_xlsx


def test_the_rows_of_xls_formula_records_in_every_sheet(tmp_path: Path) -> None:
    book = xlwt.Workbook()
    sheet = book.add_sheet("a")
    sheet.write(0, 0, "运单号")
    sheet.write(4, 1, xlwt.Formula("1+1"))
    sheet.write(6, 0, 7)
    book.add_sheet("b").write(2, 3, xlwt.Formula("A1"))
    path = tmp_path / "f.xls"
    book.save(str(path))
    assert formula_rows(path.read_bytes(), path) == {5, 3}


def test_the_rows_of_xlsx_formula_cells(tmp_path: Path) -> None:
    path = formula_xlsx(tmp_path / "f.xlsx", {"C5": "=1+1"})
    assert formula_rows(path.read_bytes(), path) == {3, 5}


def test_a_csv_holds_none(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("运单号\n=A2\n", encoding="utf-8")
    assert formula_rows(path.read_bytes(), path) == set()
