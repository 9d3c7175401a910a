"""Hostile workbooks are refused before calamine sees them; real ones pass untouched."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from batch_ship.errors import InputError
from batch_ship.spreadsheets.cell_refs import column_number
from batch_ship.spreadsheets.limits import (
    MAX_TABLE_COLUMNS,
    ZipLimits,
    check_xlsx,
)
from batch_ship.spreadsheets.read import read_table
from batch_ship.spreadsheets.xls_limits import check_xls
from tests.hostile_files import (
    cells,
    corner_xlsx,
    far_column_xlsx,
    inline,
    shared_strings_xlsx,
    xls_with_cell,
    xlsx,
)

SPARSE = "sparse trap"
PAST_EXCEL = "Excel's limits"


# Every spelling calamine accepts for a cell's place (it aborted on each of these).
HOSTILE = {
    "corner": (lambda p: corner_xlsx(p), SPARSE),
    "column 1,000,000": (lambda p: far_column_xlsx(p), PAST_EXCEL),
    "row 99,999,999": (lambda p: cells(p, "A1", "A99999999"), PAST_EXCEL),
    "shared strings": (lambda p: shared_strings_xlsx(p), "declares 4,000,000,000 shared"),
    "cell ref beyond its row": (
        lambda p: xlsx(p, f'<row r="1">{inline("A1", "a")}{inline("XFD1048576", "b")}</row>'),
        SPARSE,
    ),
    "r after t": (
        lambda p: xlsx(p, f'<row r="1">{inline("A1", "a")}<c t="n" r="XFD1048576"/></row>'),
        SPARSE,
    ),
    "lower case": (lambda p: cells(p, "A1", "xfd1048576"), SPARSE),
    "single quotes, spaces": (
        lambda p: xlsx(p, "<row r='1'><c r='A1'/><c r = 'XFD1048576'/></row>"),
        SPARSE,
    ),
    "tab before r": (lambda p: xlsx(p, '<row r="1"><c r="A1"/><c\tr="XFD1048576"/></row>'), SPARSE),
    "prefixed cells": (
        lambda p: xlsx(
            p, f'<row r="1">{inline("A1", "a", "x:c")}{inline("XFD1048576", "b", "x:c")}</row>'
        ),
        "refused before reading",
    ),
    "20,000 cells without r": (
        lambda p: xlsx(p, '<row r="1048576">' + "<c/>" * 20_000 + "</row>"),
        PAST_EXCEL,
    ),
    "implicit cells after A1": (
        lambda p: xlsx(
            p, f'<row r="1">{inline("A1", "a")}</row><row r="900000">' + "<c/>" * 100 + "</row>"
        ),
        SPARSE,
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_workbooks_are_refused(tmp_path: Path, case: str) -> None:
    build, message = HOSTILE[case]
    path = build(tmp_path / "hostile.xlsx")
    assert path.stat().st_size < 4096
    with pytest.raises(InputError, match=message) as raised:
        read_table(path)
    assert raised.value.path == path
    assert "refused before reading" in str(raised.value)


def test_declared_dimension_alone_is_harmless(tmp_path: Path) -> None:
    # calamine ignores <dimension>: a lying one costs nothing, so it is not refused
    path = xlsx(
        tmp_path / "dim.xlsx",
        f'<row r="1">{inline("A1", "a")}{inline("B1", "b")}</row>',
        head='<dimension ref="A1:XFD1048576"/>',
    )
    assert read_table(path).shape == (1, 2)


def test_tall_thin_sheet_within_limits_is_read(tmp_path: Path) -> None:
    # a million rows of one column is within every limit (a grid of a million cells)
    path = cells(tmp_path / "tall.xlsx", "A1", "A1048576")
    assert read_table(path).shape == (1_048_576, 1)


def test_wide_sheet_keeps_only_its_filled_columns(tmp_path: Path) -> None:
    path = cells(tmp_path / "wide.xlsx", "A1", "XFD1")
    frame = read_table(path)
    assert frame.iloc[0].tolist() == ["订单编号", "x"]


def test_too_many_filled_columns_are_refused(tmp_path: Path) -> None:
    row = "".join(f"<c t='inlineStr'><is><t>h{index}</t></is></c>" for index in range(1100))
    path = xlsx(tmp_path / "many.xlsx", f'<row r="1">{row}</row>')
    with pytest.raises(InputError, match=f"wider than {MAX_TABLE_COLUMNS:,} filled columns"):
        read_table(path)
    csv_path = tmp_path / "many.csv"
    csv_path.write_text(",".join(f"h{index}" for index in range(1100)) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=f"wider than {MAX_TABLE_COLUMNS:,} columns"):
        read_table(csv_path)


def test_real_workbooks_pass(tmp_path: Path) -> None:
    """openpyxl's workbook (explicit places, shared strings) and one whose cells are
    implicit, as the sample returns are written, pass the check and read whole."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in range(200):
        sheet.append([f"40125008682399{row:05d}", "张三", "=1+1 text", row])
    book.save(tmp_path / "real.xlsx")
    assert read_table(tmp_path / "real.xlsx").shape == (200, 4)
    body = "".join(
        f'<row r="{r}">' + "<c/>" * 3 + inline(None, "x") + "</row>" for r in range(1, 501)
    )
    path = xlsx(tmp_path / "implicit.xlsx", body)
    assert read_table(path).shape == (500, 4)


def test_lying_entry_size_is_refused(tmp_path: Path) -> None:
    path = cells(tmp_path / "lie.xlsx", "A1", "B2")
    data = bytearray(path.read_bytes())
    # the central directory's uncompressed size of the sheet, made smaller than the data
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    central = data.rfind(
        b"PK\x01\x02", 0, data.find(b"xl/worksheets/sheet1.xml", data.find(b"PK\x01\x02"))
    )
    data[central + 24 : central + 28] = (info.file_size // 2).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match="cannot be opened"):
        check_xlsx(bytes(data), path)


def test_zip_bomb_by_ratio(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 3_000_000)
    with pytest.raises(InputError, match="zip bomb"):
        check_xlsx(path.read_bytes(), path, ZipLimits(bomb_bytes=1 << 20))
    with pytest.raises(InputError, match="parts"):
        check_xlsx(path.read_bytes(), path, ZipLimits(max_entries=0))


def test_xls_limits(tmp_path: Path) -> None:
    corner = xls_with_cell(tmp_path / "corner.xls", 65535, 255)
    with pytest.raises(InputError, match=SPARSE):
        read_table(corner)
    beyond = xls_with_cell(tmp_path / "beyond.xls", 65535, 65535)
    with pytest.raises(InputError, match=r"an \.xls holds 65,536 rows and 256 columns"):
        read_table(beyond)
    fine = xls_with_cell(tmp_path / "fine.xls", 3, 2)
    check_xls(fine.read_bytes(), fine)
    assert read_table(fine).shape == (4, 3)
    broken = tmp_path / "broken.xls"
    broken.write_bytes(fine.read_bytes()[:1024])
    with pytest.raises(InputError, match="cannot be opened"):
        read_table(broken)


def test_only_read_py_opens_calamine() -> None:
    """Every workbook reaches calamine through workbook_rows, after the checks."""
    package = Path(__file__).resolve().parents[1] / "batch_ship"
    openers = sorted(
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if "python_calamine" in path.read_text(encoding="utf-8")
    )
    assert openers == ["spreadsheets/read.py"]


def test_a_reader_panic_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pyo3 turns a Rust panic into PanicException, a BaseException: it becomes the file's
    InputError (exit 1), not an escape past the CLI's error handling."""
    import python_calamine

    class PanicException(BaseException):
        pass

    def panic(*args: object) -> None:
        raise PanicException("index out of bounds")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", panic)
    path = cells(tmp_path / "fine.xlsx", "A1", "B2")
    with pytest.raises(InputError, match="PanicException: index out of bounds") as raised:
        read_table(path)
    assert raised.value.path == path


# A mebibyte and a half of ordinary cells first: the decisive cell lies past the first chunk
# the scan inflates, and the chunks' edges fall inside rows.
FILLER = "".join(f'<row r="{n}">{inline(f"A{n}", "填充" * 20)}</row>' for n in range(1, 12_001))


@pytest.mark.parametrize(
    ("tail", "message"),
    [
        (f'<row r="12001">{inline("XFD1048576", "b")}</row>', SPARSE),
        (f'<row r="12001">{inline("BDWGN12001", "b")}</row>', PAST_EXCEL),
        ("<row r='12001'><c r = 'XFD1048576'/></row>", SPARSE),
        ('<row r="1048576">' + "<c/>" * 20_000 + "</row>", PAST_EXCEL),
        # a row of unnamed cells over two mebibytes, across chunk edges: counted as one row
        ('<row r="12001">' + inline(None, "x" * 90) * 17_000 + "</row>", PAST_EXCEL),
        (f'<row r="12001">{inline("XFD1048576", "b", "x:c")}</row>', "refused before reading"),
    ],
)
def test_hostile_cell_past_the_first_mebibyte(tmp_path: Path, tail: str, message: str) -> None:
    path = xlsx(tmp_path / "late.xlsx", FILLER + tail)
    assert len(zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")) > 1_500_000
    with pytest.raises(InputError, match=message):
        read_table(path)


def test_filler_alone_is_read(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "filler.xlsx", FILLER)
    assert read_table(path).shape == (12_000, 1)


def test_a_tag_without_end_is_refused(tmp_path: Path) -> None:
    # a cut through a two-mebibyte tag could hide the `r` after it: refused, never cut
    padding = "x" * (2 << 20)
    path = xlsx(
        tmp_path / "endless.xlsx", f'<row r="1"><c r="A1" s="{padding}" r="XFD1048576"/></row>'
    )
    with pytest.raises(InputError, match="without a tag end"):
        read_table(path)


# --- the scan never lets through a grid calamine would build too big -------------------------
COLUMNS = ["A", "B", "Z", "AA", "ZZ", "XFD", "XFE", "BDWGN"]
SPELLINGS = ['<c r="{ref}"/>', "<c r='{ref}'/>", '<c r = "{ref}"/>', '<c\tr="{ref}"/>']


@st.composite
def sheets(draw: st.DrawFn) -> tuple[str, tuple[int, int, int]]:
    """Rows of cells, named or not, in the spellings calamine reads; with the grid calamine
    would build (rows, columns, cells), worked out as calamine places cells."""
    parts, row, widest_row, widest_column, count = [], 0, 0, 0, 0
    for _ in range(draw(st.integers(1, 4))):
        named_row = draw(st.booleans())
        row = draw(st.sampled_from([2, 9, 900_000, 1_048_576, 1_100_000])) if named_row else row + 1
        parts.append(f'<row r="{row}">' if named_row else "<row>")
        column = 0
        for _ in range(draw(st.integers(0, 3))):
            if draw(st.booleans()):
                letters = draw(st.sampled_from(COLUMNS))
                cell_row = draw(st.sampled_from([row, 1, 1_048_576]))
                ref = f"{letters}{cell_row}"
                parts.append(draw(st.sampled_from(SPELLINGS)).format(ref=ref))
                column, widest_row = column_number(letters.encode()), max(widest_row, cell_row)
                count += 1
            else:
                run = draw(st.sampled_from([1, 50, 17_000]))
                parts.append("<c/>" * run)
                column, widest_row = column + run, max(widest_row, row)
                count += run
            widest_column = max(widest_column, column)
        parts.append("</row>")
    return "".join(parts), (widest_row, widest_column, count)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sheet=sheets())
def test_scan_refuses_every_grid_calamine_would_build_too_big(
    tmp_path: Path, sheet: tuple[str, tuple[int, int, int]]
) -> None:
    sheet_data, (rows, columns, count) = sheet
    path = xlsx(tmp_path / "drawn.xlsx", sheet_data)
    too_big = rows > 1_048_576 or columns > 16_384 or rows * columns > max(4_000_000, 4 * count)
    event(f"too big: {too_big}")
    if too_big:
        with pytest.raises(InputError, match="refused before reading"):
            check_xlsx(path.read_bytes(), path)
