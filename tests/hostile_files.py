"""Builders of hostile spreadsheets (a few KB each) for the reader and CLI tests."""

from __future__ import annotations

import re
import struct
import zipfile
from collections.abc import Mapping
from pathlib import Path

import openpyxl

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
    'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
    '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)


def inline(ref: str | None, text: str, tag: str = "c", attributes: str = "") -> str:
    """One inline-string cell; `ref` None leaves its place implicit."""
    place = f' r="{ref}"' if ref else ""
    return f'<{tag}{place}{attributes} t="inlineStr"><is><t>{text}</t></is></{tag}>'


def xlsx(path: Path, sheet_data: str, *, head: str = "", shared: str | None = None) -> Path:
    """A one-sheet workbook around `sheet_data` (the inside of <sheetData>)."""
    relations = f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    if shared is not None:
        relations += (
            f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", _CONTENT_TYPES)
        book.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
            f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        book.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets><sheet name="Sheet1" '
            'sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{_PKG}">{relations}</Relationships>',
        )
        book.writestr(
            "xl/worksheets/sheet1.xml",
            f'<worksheet xmlns="{_MAIN}">{head}<sheetData>{sheet_data}</sheetData></worksheet>',
        )
        if shared is not None:
            book.writestr("xl/sharedStrings.xml", shared)
    return path


def cells(path: Path, *refs: str) -> Path:
    """A workbook with one text cell at each reference (rows as the references say)."""
    rows: dict[int, list[str]] = {}
    for ref in refs:
        number = int(re.sub(r"[^0-9]", "", ref))
        rows.setdefault(number, []).append(inline(ref, "订单编号" if ref == "A1" else "x"))
    body = "".join(f'<row r="{row}">{"".join(found)}</row>' for row, found in sorted(rows.items()))
    return xlsx(path, body)


def corner_xlsx(path: Path) -> Path:
    """Cells at A1 and XFD1048576: 2 KB that calamine would grow into a 17-billion-cell grid."""
    return cells(path, "A1", "XFD1048576")


def far_column_xlsx(path: Path) -> Path:
    """A cell at column 1,000,000 (BDWGN), past Excel's 16,384."""
    return cells(path, "A1", "BDWGN1")


def shared_strings_xlsx(path: Path) -> Path:
    """A shared-string table declaring four billion strings (calamine reserves them)."""
    shared = (
        f'<sst xmlns="{_MAIN}" count="4000000000" uniqueCount="4000000000"><si><t>x</t></si></sst>'
    )
    return xlsx(path, '<row r="1"><c r="A1" t="s"><v>0</v></c></row>', shared=shared)


def xls_with_cell(path: Path, row: int, column: int) -> Path:
    """A legacy .xls with 订单编号 at A1 and a cell at (row, column), 0-based; a column past
    BIFF8's 255 is patched into the record, as a hand-made file would hold it."""
    import xlwt  # type: ignore[import-untyped]

    book = xlwt.Workbook()
    sheet = book.add_sheet("s")
    sheet.write(0, 0, "订单编号")
    sheet.write(row, min(column, 255), "x")
    book.save(str(path))
    if column > 255:
        data = bytearray(path.read_bytes())
        record = struct.pack("<HHHH", 0x00FD, 10, row, 255)  # LABELSST: row, column, ...
        at = data.find(record)
        data[at + 6 : at + 8] = struct.pack("<H", column)
        path.write_bytes(bytes(data))
    return path


def formula_xlsx(path: Path, more: Mapping[str, str] | None = None) -> Path:
    """A numbers sheet (运单号, one number) whose third row is the formula =A2, saved by
    openpyxl (no cached value), with the `more` cells ({"C5": "=1+1"}) set too."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (["运单号"], ["730000000001"], ["=A2"]):
        sheet.append(row)
    for place, value in (more or {}).items():
        sheet[place] = value
    book.save(path)
    return path
