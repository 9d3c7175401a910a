"""Workbook cells and grids as text, without float noise."""

from __future__ import annotations

import datetime as dt

from batch_ship.spreadsheets.frames import cell_text, grid_to_text_frame


def test_cell_text_rules() -> None:
    assert cell_text(None) == ""
    assert cell_text(12.0) == "12"
    assert cell_text(2.0**53) == repr(2.0**53)  # beyond exact integers: keep the evidence
    assert cell_text(float("nan")) == ""
    assert cell_text(7) == "7"
    assert cell_text(dt.time(9, 5)) == "09:05:00"


def test_grid_cells_become_text_column_by_column() -> None:
    rows = [
        ["订单编号", "运单号", "日期", "备注"],
        [4.0125008682399e18, "73246008808832", dt.datetime(2026, 11, 26, 9, 5), None],
        ["4012500868713116619", None, dt.date(2026, 11, 26), True],
        ["4012500869224938244", "=1+2"],  # a short row: its missing cells are empty
    ]
    frame = grid_to_text_frame(rows)
    assert frame.shape == (4, 4)
    assert list(frame.columns) == [0, 1, 2, 3]
    assert all(str(dtype) == "str" for dtype in frame.dtypes)
    expected = [[cell_text(cell) for cell in [*row, *[None] * (4 - len(row))]] for row in rows]
    assert frame.to_numpy().tolist() == expected
    assert frame.iloc[1].tolist() == [
        repr(4.0125008682399e18), "73246008808832", "2026-11-26 09:05:00", "",
    ]  # fmt: skip
    assert frame.iloc[2, 3] == "TRUE"
    assert grid_to_text_frame([]).shape == (0, 0)
