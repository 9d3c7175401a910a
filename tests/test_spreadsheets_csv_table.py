"""CSV files read into text frames: encodings, title rows, blank lines, bad rows, the fallback."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from batch_ship.errors import InputError
from batch_ship.spreadsheets import csv_table
from batch_ship.spreadsheets.headers import apply_header, find_header_row
from batch_ship.spreadsheets.read import read_table


def test_gbk_csv_with_header_all_text(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes("编号,电话 ,金额\r\n0012,'13925130165,1.50\r\n,,\r\n".encode("gbk"))
    frame = read_table(path, header_row=0)
    assert list(frame.columns) == ["编号", "电话 ", "金额"]
    assert frame.to_dict("list") == {
        "编号": ["0012", ""],
        "电话 ": ["'13925130165", ""],
        "金额": ["1.50", ""],
    }
    assert all(str(dtype) == "str" for dtype in frame.dtypes)


def test_raw_grid_keeps_title_rows_and_quoted_newlines(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes('运单回传\r\n\r\n单号,备注\r\n1,"a\nb"\r\n2,x\r\n'.encode())
    grid = read_table(path)
    assert list(grid.columns) == [0, 1]
    assert grid.values.tolist() == [
        ["运单回传", ""],
        ["", ""],
        ["单号", "备注"],
        ["1", "a\nb"],
        ["2", "x"],
    ]
    row = find_header_row(grid, {"单号"})
    assert row == 2
    body = apply_header(grid, row)
    assert body["备注"].tolist() == ["a\nb", "x"]


def test_blank_lines_in_the_data_stay_empty_rows_like_a_spreadsheet(tmp_path: Path) -> None:
    # Row k of the grid is row k + 1 in a spreadsheet program, blank lines included (a reader
    # that skipped them would shift every row number reported below one).
    path = tmp_path / "t.csv"
    path.write_bytes('单号,备注\r\n1,"a\n\nb"\r\n\r\n2,x\r\n\n3,y\r\n\r\n'.encode("gbk"))
    assert read_table(path).values.tolist() == [
        ["单号", "备注"],
        ["1", "a\n\nb"],
        ["", ""],
        ["2", "x"],
        ["", ""],
        ["3", "y"],
        ["", ""],
    ]
    assert read_table(path, header_row=0)["单号"].tolist() == ["1", "", "2", "", "3", ""]


@pytest.mark.parametrize("encoding", ["gbk", "utf-8"])
def test_the_c_engine_fallback_reads_what_pyarrow_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, encoding: str
) -> None:
    """When pyarrow refuses a layout, pandas' C parser reads the file: the same grid."""
    path = tmp_path / "t.csv"
    path.write_bytes('运单回传\r\n\r\n单号,备注\r\n1,"a\nb"\r\n\r\n0012,=x\r\n'.encode(encoding))
    expected = read_table(path).values.tolist()
    assert expected[-1] == ["0012", "=x"]

    def refuse(*args: object, **kwargs: object) -> None:
        raise pa.ArrowInvalid("CSV parse error: a layout pyarrow refuses")

    monkeypatch.setattr(csv_table.pa_csv, "read_csv", refuse)
    assert read_table(path).values.tolist() == expected
    assert read_table(path, header_row=2)["单号"].tolist() == ["1", "", "0012"]


def test_duplicate_header_names_are_suffixed_and_trailing_comma_kept(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b"a,b,a\r\n1,2,3,\r\n")
    frame = read_table(path, header_row=0)
    assert list(frame.columns) == ["a", "b", "a.1", ""]
    assert frame.iloc[0].tolist() == ["1", "2", "3", ""]


def test_ragged_rows_are_refused_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv"
    path.write_bytes(b"a,b,c\n1,2,3\n4,5\n")
    with pytest.raises(
        InputError, match=r"1 row\(s\) do not have the 3 columns of the first rows \(lines 3\)"
    ):
        read_table(path, header_row=0)


def test_tab_separated_utf16_like_a_spreadsheet_unicode_text(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes("订单编号\t状态\r\n4012500868239927921\t交易成功\r\n".encode("utf-16"))
    frame = read_table(path, header_row=0)
    assert frame.to_dict("list") == {"订单编号": ["4012500868239927921"], "状态": ["交易成功"]}
