"""Paged tables in PDF (pick list, handover sheet): a title block, a header row repeated on
every page, cells fitted like label fields, barcodes in cells, page numbers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from batch_ship.labels.fit import clean, fit
from batch_ship.labels.fonts import LabelFont
from batch_ship.labels.pdf import code128, new_canvas

MARGIN = 12 * mm
CELL_PAD = 1.2 * mm
BARCODE_MODULE = 0.33 * mm
_DIGITS = re.compile(r"(\d+)")


@dataclass(frozen=True)
class Column:
    """A table column: header, width in mm, alignment; `barcode` draws the cell's text as a
    Code128 instead."""

    header: str
    width: float
    align: str = "left"
    barcode: bool = False


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key where digit runs compare as numbers: A2 before A10 (shelf and item codes)."""
    return tuple((1, int(part)) if part.isdigit() else (0, part) for part in _DIGITS.split(text))


class TablePdf:
    """Rows drawn one by one onto A4 (or `page`) pages; a new page when one is full."""

    def __init__(
        self,
        path: Path,
        font: LabelFont,
        title: str,
        subtitle: str,
        columns: Sequence[Column],
        *,
        row_height: float = 8.0,
        size: float = 9.0,
        page: tuple[float, float] = A4,
    ) -> None:
        self.canvas: Canvas = new_canvas(path, page, title, font)
        self.font, self.title, self.subtitle = font, title, subtitle
        self.columns = tuple(columns)
        self.row_height = row_height * mm
        self.size = size
        self.page = page
        self.number = 0
        self.y = 0.0
        self._start_page()

    def _start_page(self) -> None:
        self.number += 1
        c = self.canvas
        width, height = self.page
        c.setFont(self.font.name, 15)
        c.drawString(MARGIN, height - MARGIN - 12, self.title)
        c.setFont(self.font.name, 9)
        c.drawString(MARGIN, height - MARGIN - 26, self.subtitle)
        c.drawRightString(width - MARGIN, height - MARGIN - 12, f"第 {self.number} 页")
        self.y = height - MARGIN - 34
        self._row([column.header for column in self.columns], header=True)

    def room(self, height: float) -> bool:
        return self.y - height >= MARGIN

    def row(self, cells: Sequence[str]) -> None:
        if not self.room(self.row_height):
            self.canvas.showPage()
            self._start_page()
        self._row(cells)

    def _row(self, cells: Sequence[str], *, header: bool = False) -> None:
        c = self.canvas
        x = MARGIN
        top = self.y
        bottom = top - self.row_height
        for column, value in zip(self.columns, cells, strict=True):
            width = column.width * mm
            c.rect(x, bottom, width, self.row_height)
            if column.barcode and not header and value:
                self._barcode(value, x, bottom, width)
            else:
                self._cell(clean(value), x, top, width, "left" if header else column.align)
            x += width
        self.y = bottom

    def _cell(self, text: str, x: float, top: float, width: float, align: str) -> None:
        if not text:
            return
        inner_w, inner_h = width - 2 * CELL_PAD, self.row_height - 2 * CELL_PAD
        fitted = fit(text, inner_w, inner_h, self.size, 5.0, self.font.unit_widths)
        c = self.canvas
        c.setFont(self.font.name, fitted.size)
        lines = fitted.lines
        block = fitted.size * 1.15 * len(lines)
        baseline = top - (self.row_height - block) / 2 - fitted.size * self.font.ascent
        for line in lines:
            if align == "right":
                c.drawRightString(x + width - CELL_PAD, baseline, line)
            elif align == "center":
                c.drawCentredString(x + width / 2, baseline, line)
            else:
                c.drawString(x + CELL_PAD, baseline, line)
            baseline -= fitted.size * 1.15

    def _barcode(self, value: str, x: float, bottom: float, width: float) -> None:
        inner = width - 2 * CELL_PAD
        barcode = code128(value, BARCODE_MODULE, self.row_height - 2 * CELL_PAD)
        if barcode.width > inner:
            module = BARCODE_MODULE * inner / barcode.width
            barcode = code128(value, module, self.row_height - 2 * CELL_PAD)
        barcode.drawOn(self.canvas, x + (width - barcode.width) / 2, bottom + CELL_PAD)

    def lines(self, texts: Sequence[str], *, size: float = 10.0, gap: float = 9.0) -> None:
        """Free text lines below the table (totals, signature lines), on a new page if the
        block does not fit."""
        needed = len(texts) * gap * mm + 4 * mm
        if not self.room(needed):
            self.canvas.showPage()
            self._start_page()
        self.y -= 4 * mm
        self.canvas.setFont(self.font.name, size)
        for text in texts:
            self.y -= gap * mm
            self.canvas.drawString(MARGIN, self.y, text)

    def save(self) -> None:
        self.canvas.showPage()
        self.canvas.save()
