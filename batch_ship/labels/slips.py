"""Packing slips (发货单): a page per parcel, in parcel order, with its orders and items."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from batch_ship.labels.fit import clean, fit
from batch_ship.labels.fonts import LabelFont, load_font
from batch_ship.labels.pdf import LabelFiles, new_canvas, printing_time, staged
from batch_ship.labels.rows import PackingSlip, SlipItem

MARGIN = 10 * mm
LINE = 6.5 * mm  # one item line
_ITEM_COLUMNS = ((0.0, "商品"), (0.5, "规格"), (0.78, "编码"), (0.92, "数量"))


class SlipWriter:
    """Draws packing slips onto one canvas; a slip whose items overflow goes on over pages."""

    def __init__(self, canvas: Canvas, font: LabelFont, page: tuple[float, float], when: str):
        self.canvas, self.font, self.page, self.when = canvas, font, page, when

    def slip(self, slip: PackingSlip) -> None:
        y = self._head(slip, continued=False)
        items = list(slip.items)
        for item in items:
            if y - LINE < MARGIN + 2 * LINE:
                self.canvas.showPage()
                y = self._head(slip, continued=True)
            y = self._item(item, y)
        total = sum(item.quantity for item in items)
        self._text(f"共 {len(items)} 种, {total} 件", MARGIN, y - LINE, 10)
        if slip.buyer_message:
            self._box_text(f"买家留言: {clean(slip.buyer_message)}", y - 2 * LINE, 9)
        self.canvas.showPage()

    def _head(self, slip: PackingSlip, *, continued: bool) -> float:
        width, height = self.page
        title = "发货单" + (" (续)" if continued else "")
        self._text(title, MARGIN, height - MARGIN - 14, 16)
        self._text(clean(slip.sender_name), width / 2, height - MARGIN - 14, 11)
        y = height - MARGIN - 22
        facts = [
            f"订单号: {', '.join(slip.order_ids) or slip.reference}",
            f"运单号: {slip.waybill}" if slip.waybill else "",
            f"收货人: {clean(slip.recipient_name)}",
            f"地址: {clean(slip.recipient_address)}",
            f"打印时间: {self.when}",
        ]
        for fact in filter(None, facts):
            y -= 5.5 * mm
            self._fitted(fact, MARGIN, y, width - 2 * MARGIN, 9)
        y -= 4 * mm
        self.canvas.line(MARGIN, y, width - MARGIN, y)
        inner = width - 2 * MARGIN
        for share, header in _ITEM_COLUMNS:
            self._text(header, MARGIN + share * inner, y - 5 * mm, 9)
        y -= 7 * mm
        self.canvas.line(MARGIN, y, width - MARGIN, y)
        return y

    def _item(self, item: SlipItem, y: float) -> float:
        inner = self.page[0] - 2 * MARGIN
        values = (clean(item.title), clean(item.variant), clean(item.item_code), "")
        for (share, _), (next_share, _), value in zip(
            _ITEM_COLUMNS, (*_ITEM_COLUMNS[1:], (1.0, "")), values, strict=True
        ):
            if value:
                width = (next_share - share) * inner - 1.5 * mm
                self._fitted(value, MARGIN + share * inner, y - 4.5 * mm, width, 9)
        self.canvas.setFont(self.font.name, 9)
        self.canvas.drawRightString(self.page[0] - MARGIN, y - 4.5 * mm, str(item.quantity))
        return y - LINE

    def _fitted(self, text: str, x: float, baseline: float, width: float, size: float) -> None:
        fitted = fit(text, width, size * 1.2, size, 5.0, self.font.unit_widths)
        self._text(fitted.lines[0] if fitted.lines else "", x, baseline, fitted.size)

    def _box_text(self, text: str, top: float, size: float) -> None:
        width = self.page[0] - 2 * MARGIN
        fitted = fit(text, width, max(top - MARGIN, size), size, 5.0, self.font.unit_widths)
        y = top
        for line in fitted.lines:
            self._text(line, MARGIN, y, fitted.size)
            y -= fitted.size * 1.15

    def _text(self, text: str, x: float, y: float, size: float) -> None:
        self.canvas.setFont(self.font.name, size)
        self.canvas.drawString(x, y, text)


def write_packing_slips(
    slips: Iterable[PackingSlip],
    folder: Path,
    *,
    stem: str = "packing-slips",
    per_file: int = 1000,
    page: tuple[float, float] = A5,
    font: LabelFont | None = None,
    printed_at: datetime | None = None,
) -> LabelFiles:
    """Write a slip per parcel, in the order given, into `stem.pdf` (or numbered files of
    `per_file` slips); all files appear at the end, or none on failure."""
    loaded = font or load_font()
    when = printing_time(printed_at)
    count = 0
    with staged(folder, stem, ".pdf") as stage:
        canvas: Canvas | None = None
        for slip in slips:
            if count % per_file == 0:
                if canvas is not None:
                    canvas.save()
                canvas = new_canvas(stage.next(), page, "发货单", loaded)
            assert canvas is not None
            SlipWriter(canvas, loaded, page, when).slip(slip)
            count += 1
        if canvas is not None:
            canvas.save()
        paths = stage.publish()
    return LabelFiles(paths=paths, labels=count)
