"""read_table and friends on real CSV/XLSX files written into tmp_path."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pyarrow as pa
import pytest

from batch_ship.errors import InputError
from batch_ship.spreadsheets import read as read_module
from batch_ship.spreadsheets.limits import ZipLimits, check_xlsx
from batch_ship.spreadsheets.read import (
    RawFile,
    apply_header,
    cell_text,
    clean_header,
    detect_encoding,
    find_header_row,
    grid_to_text_frame,
    read_table,
    sniff_format,
)


def _raw(data: bytes) -> RawFile:
    return RawFile(data, Path("x.csv"))


def test_detect_encoding_bom_then_utf8_then_gb18030() -> None:
    assert detect_encoding(_raw("\ufeff订单".encode())) == "utf-8-sig"
    assert detect_encoding(_raw("订单编号,状态".encode())) == "utf-8"
    assert detect_encoding(_raw("订单编号,状态".encode("gbk"))) == "gb18030"
    assert detect_encoding(_raw(b"plain,ascii")) == "utf-8"
    assert detect_encoding(_raw("订单".encode("utf-16"))) == "utf-16"


def test_detect_encoding_refuses_binary_and_undecodable() -> None:
    with pytest.raises(InputError, match="binary"):
        detect_encoding(_raw(b"a,b\x00c"))
    with pytest.raises(InputError, match="neither UTF-8 nor GB18030") as caught:
        detect_encoding(_raw(b"a,b\nc,\xff\xff\n"))
    assert caught.value.row == 2


def test_sniff_format_by_bytes_not_extension() -> None:
    assert sniff_format(b"PK\x03\x04rest") == "xlsx"
    assert sniff_format(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest") == "xls"
    assert sniff_format(b"a,b") == "csv"


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

    monkeypatch.setattr(read_module.pa_csv, "read_csv", refuse)
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


def test_find_header_row_with_synonyms_and_failure() -> None:
    import pandas as pd

    grid = pd.DataFrame([["回单", ""], [" 运单号 ", '="订单号"'], ["1", "2"]], dtype="str")
    synonyms = {"运单号": "tracking", "订单号": "reference", "订单编号": "reference"}
    assert find_header_row(grid, {"tracking", "reference"}, synonyms) == 1
    with pytest.raises(LookupError, match="weight"):
        find_header_row(grid, {"tracking", "weight"}, synonyms)


def test_clean_header() -> None:
    assert clean_header(' ="订单编号" ') == "订单编号"
    assert clean_header("收货地址 ") == "收货地址"
    assert clean_header("\ufeff订单编号") == "订单编号"
