"""Label PDFs with reportlab: pages exactly the layout's size, vector Code128, embedded font."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject

from batch_ship.errors import InputError
from batch_ship.i18n import _
from batch_ship.labels.fit import CACHE_LIMIT, Fitted, clean, fit
from batch_ship.labels.fonts import LabelFont, load_font
from batch_ship.labels.layout import MIN_MODULE_MM, Field, Layout
from batch_ship.labels.rows import LabelRow


@dataclass(frozen=True)
class LabelFiles:
    """What write_label_pdfs wrote: the files in order, the label count, and the waybill
    numbers of labels where some text was cut at its smallest size (`cut`)."""

    paths: tuple[Path, ...]
    labels: int
    cut: tuple[str, ...] = ()


def field_value(field: Field, row: LabelRow, printed_at: str) -> str:
    """The text a field shows for a row (its prefix only when there is a value)."""
    if field.field == "text":
        return field.text
    if field.field == "item_count":
        value = f"共{row.item_count}件" if row.item_count else ""
    elif field.field == "printed_at":
        value = row.printed_at or printed_at
    else:
        value = clean(str(getattr(row, field.field)))
    return f"{field.prefix}{value}" if value else ""


def printing_time(when: datetime | None = None) -> str:
    return (when or datetime.now()).strftime("%Y-%m-%d %H:%M")


class LabelPainter:
    """Draws labels of one layout onto reportlab canvases."""

    def __init__(self, layout: Layout, font: LabelFont, printed_at: str) -> None:
        self.layout = layout
        self.font = font
        self.printed_at = printed_at
        self.page = (layout.width * mm, layout.height * mm)
        self._fits: list[dict[str, Fitted]] = [{} for _unused in layout.fields]
        self.cut: list[str] = []
        self._size = 0.0  # the font size last set in the current label's text object

    def draw(self, canvas: Canvas, row: LabelRow) -> None:
        """One label on the current page; the caller ends the page."""
        height = self.page[1]
        canvas.setLineWidth(0.6)
        for x1, y1, x2, y2 in self.layout.lines:
            canvas.line(x1 * mm, height - y1 * mm, x2 * mm, height - y2 * mm)
        if self.layout.tear:
            canvas.setDash(3, 2)
            y = height - self.layout.tear * mm
            canvas.line(0, y, self.page[0], y)
            canvas.setDash()
        was_cut = False
        # All the label's text in one text object: one BT/ET block, the font set only when
        # the size changes (drawString would open a block and set the font for every line).
        writer = canvas.beginText()
        self._size = 0.0
        for index, field in enumerate(self.layout.fields):
            if field.barcode:
                value = getattr(row, field.field)
                if value:
                    draw_code128(canvas, value, field, height, self.layout.dpi)
                continue
            text = field_value(field, row, self.printed_at)
            if text:
                was_cut |= self._text(writer, index, field, text, height)
        canvas.drawText(writer)
        if was_cut:
            self.cut.append(row.waybill)

    def _text(
        self, writer: PDFTextObject, index: int, field: Field, text: str, height: float
    ) -> bool:
        cache = self._fits[index]
        fitted = cache.get(text)
        box = field.box
        if fitted is None:
            w, h = box.w * mm, box.h * mm
            fitted = fit(text, w, h, field.size, field.min_size, self.font.unit_widths)
            if len(cache) >= CACHE_LIMIT:
                cache.clear()
            cache[text] = fitted
        size = fitted.size
        if size != self._size:
            writer.setFont(self.font.name, size)
            self._size = size
        baseline = height - box.y * mm - size * self.font.ascent
        step = size * 1.15
        left, width = box.x * mm, box.w * mm
        for line, line_width in zip(fitted.lines, fitted.widths, strict=True):
            if field.align == "left":
                x = left
            elif field.align == "center":
                x = left + (width - line_width) / 2
            else:
                x = left + width - line_width
            writer.setTextOrigin(x, baseline)
            writer.textOut(line)
            baseline -= step
        return fitted.cut


def draw_code128(canvas: Canvas, value: str, field: Field, page_height: float, dpi: int) -> None:
    """A Code128 of `value` centred in the field's box. Bars are whole printer dots wide
    (`module` mm rounded to dots at `dpi`, and the left edge on a dot) so that a thermal
    printer draws every bar of a width the same; fewer dots when the box is too narrow,
    down to MIN_MODULE_MM (else an InputError)."""
    box = field.box
    dot = 25.4 / dpi  # mm
    dots = max(1, round(field.module / dot))  # the layout already rounded it
    barcode = code128(value, dots * dot * mm, box.h * mm)
    width = barcode.width
    while width > box.w * mm + 1e-6:
        dots -= 1
        if dots * dot < MIN_MODULE_MM:
            raise InputError(
                _("{value!r} is too long for the {field} barcode's {w:g} mm box").format(
                    value=value, field=field.field, w=box.w
                ),
                hint=_("widen the barcode's box in the label layout"),
            )
        barcode = code128(value, dots * dot * mm, box.h * mm)
        width = barcode.width
    left = box.x + (box.w - width / mm) / 2
    left = round(left / dot) * dot
    barcode.drawOn(canvas, left * mm, page_height - (box.y + box.h) * mm)


def code128(value: str, module: float, height: float) -> Any:
    """A reportlab Code128 widget without quiet zones or human-readable text (the layout
    places the number as its own field and keeps the quiet zone clear)."""
    if not value.isascii() or not value.isprintable():
        raise InputError(
            _("{value!r} cannot be a Code128 barcode: only printable ASCII").format(value=value),
            hint=_("check the waybill number or order reference"),
        )
    return _Code128(value, barWidth=module, barHeight=height, quiet=0, humanReadable=0)


class _Code128(Code128):
    """reportlab's Code128, encoded once: it encodes the value again on every `.width` and
    again to draw, and we read the width before drawing. (Should reportlab rename its private
    `_calculate`, this override is simply never called.)"""

    _encoded_once = False

    def _calculate(self) -> None:
        if not self._encoded_once:
            super()._calculate()  # type: ignore[misc]  # private, not in types-reportlab
            self._encoded_once = True


def write_label_pdfs(
    rows: Iterable[LabelRow],
    layout: Layout,
    folder: Path,
    stem: str,
    *,
    per_file: int = 1000,
    font: LabelFont | None = None,
    printed_at: datetime | None = None,
) -> LabelFiles:
    """Write `rows` as labels into `folder/stem.pdf`, or `stem-1.pdf`, `stem-2.pdf`, … of
    `per_file` labels each. Rows are read as they come and each file is saved when full, so
    memory holds one file's pages at most. All files appear at the end, or none on failure."""
    if per_file < 1:
        raise ValueError("per_file must be at least 1")
    painter = LabelPainter(layout, font or load_font(), printing_time(printed_at))
    with staged(folder, stem, ".pdf") as stage:
        canvas: Canvas | None = None
        count = 0
        for row in rows:
            if count % per_file == 0:
                if canvas is not None:
                    canvas.save()
                canvas = new_canvas(stage.next(), painter.page, layout.name, painter.font)
            assert canvas is not None
            painter.draw(canvas, row)
            canvas.showPage()
            count += 1
        if canvas is not None:
            canvas.save()
        paths = stage.publish()
    return LabelFiles(paths=paths, labels=count, cut=tuple(painter.cut))


def new_canvas(path: Path, page: tuple[float, float], title: str, font: LabelFont) -> Canvas:
    """A compressed canvas whose initial font is ours: reportlab's default Helvetica would
    appear on every page as a font the file does not embed."""
    canvas = Canvas(
        str(path),
        pagesize=page,
        pageCompression=1,
        initialFontName=font.name,  # type: ignore[arg-type]  # types-reportlab says float
        initialFontSize=9,
    )
    canvas.setCreator("batch-ship")
    canvas.setTitle(title)
    return canvas


class Stage:
    """Numbered temporary files in one folder, renamed to their final names together."""

    def __init__(self, folder: Path, stem: str, suffix: str) -> None:
        self.folder, self.stem, self.suffix = folder, stem, suffix
        self.temporaries: list[Path] = []
        self.token = secrets.token_hex(6)

    def next(self) -> Path:
        path = self.folder / f".{self.stem}-{self.token}-{len(self.temporaries) + 1}.tmp"
        self.temporaries.append(path)
        return path

    def publish(self) -> tuple[Path, ...]:
        """`stem.suffix` for one file, `stem-1.suffix`, … for several."""
        many = len(self.temporaries) > 1
        finals = []
        for number, temporary in enumerate(self.temporaries, start=1):
            name = f"{self.stem}-{number}{self.suffix}" if many else f"{self.stem}{self.suffix}"
            final = self.folder / name
            os.replace(temporary, final)
            finals.append(final)
        self.temporaries = []
        return tuple(finals)

    def discard(self) -> None:
        for temporary in self.temporaries:
            with contextlib.suppress(OSError):
                temporary.unlink()


@contextlib.contextmanager
def staged(folder: Path, stem: str, suffix: str) -> Iterator[Stage]:
    """A Stage whose temporaries vanish if the block fails."""
    folder.mkdir(parents=True, exist_ok=True)
    stage = Stage(folder, stem, suffix)
    try:
        yield stage
    except BaseException:
        stage.discard()
        raise
