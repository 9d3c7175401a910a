"""The same label layouts as printer command files: ZPL (Zebra) and TSPL (TSC and most
Chinese label printers), for printers driven without PDF."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from reportlab.lib.units import mm

from batch_ship.labels.fit import CACHE_LIMIT, Fitted, fit
from batch_ship.labels.fonts import printer_widths
from batch_ship.labels.layout import Field, Layout
from batch_ship.labels.pdf import LabelFiles, code128, field_value, printing_time, staged
from batch_ship.labels.rows import LabelRow

LANGUAGES = ("zpl", "tspl")
LINE_DOTS = 2  # rule thickness


class PrinterLabel:
    """Dot positions and sizes for one layout at its printer resolution."""

    def __init__(self, layout: Layout, printed_at: str) -> None:
        self.layout = layout
        self.printed_at = printed_at
        self.dot = 25.4 / layout.dpi  # mm per dot
        self.cut: list[str] = []
        self._fits: list[dict[str, Fitted]] = [{} for _ in layout.fields]

    def dots(self, millimetres: float) -> int:
        return round(millimetres / self.dot)

    def points_to_dots(self, points: float) -> int:
        """Rounded down: a font a dot larger than fitted could leave its box."""
        return max(1, int(points * self.layout.dpi / 72))

    def texts(self, row: LabelRow) -> list[tuple[int, int, int, str]]:
        """(x, y, height in dots, line) of every text line of the label, fitted as the PDF is
        (with the printer font's metrics: CJK a full em, the rest half)."""
        out = []
        was_cut = False
        for index, field in enumerate(self.layout.fields):
            if field.barcode:
                continue
            text = field_value(field, row, self.printed_at)
            if not text:
                continue
            fitted = self._fit(index, field, text)
            was_cut |= fitted.cut
            height = self.points_to_dots(fitted.size)
            y = self.dots(field.box.y)
            for line in fitted.lines:
                width = sum(printer_widths(line)) * height
                x = self._aligned(field, width)
                out.append((x, y, height, line))
                y += round(height * 1.15)
        if was_cut:
            self.cut.append(row.waybill)
        return out

    def barcodes(self, row: LabelRow) -> list[tuple[int, int, int, int, str]]:
        """(x, y, module dots, height dots, value) of every barcode, centred in its box."""
        out = []
        for field in self.layout.fields:
            value = getattr(row, field.field) if field.barcode else ""
            if not value:
                continue
            module = max(1, self.dots(field.module))
            modules = code128(value, 1.0, 1.0).width  # the symbol's width in modules
            x = self._aligned(field, modules * module, center=True)
            out.append((x, self.dots(field.box.y), module, self.dots(field.box.h), value))
        return out

    def rules(self) -> list[tuple[int, int, int, int]]:
        """(x, y, width, height) in dots of each rule (horizontal or vertical lines)."""
        out = []
        for x1, y1, x2, y2 in self.layout.lines:
            x, y = self.dots(min(x1, x2)), self.dots(min(y1, y2))
            width = max(LINE_DOTS, self.dots(abs(x2 - x1)))
            height = max(LINE_DOTS, self.dots(abs(y2 - y1)))
            out.append((x, y, width, height))
        return out

    def _fit(self, index: int, field: Field, text: str) -> Fitted:
        cache = self._fits[index]
        if text not in cache:
            if len(cache) >= CACHE_LIMIT:
                cache.clear()
            w, h = field.box.w * mm, field.box.h * mm
            cache[text] = fit(text, w, h, field.size, field.min_size, printer_widths)
        return cache[text]

    def _aligned(self, field: Field, width: float, *, center: bool = False) -> int:
        left, box_width = self.dots(field.box.x), self.dots(field.box.w)
        if center or field.align == "center":
            return left + max(0, round((box_width - width) / 2))
        if field.align == "right":
            return left + max(0, round(box_width - width))
        return left


def zpl_text(text: str) -> str:
    """Field data for ^FH_: ^, ~ and _ as hex escapes, so buyer text cannot end the field or
    start a command."""
    return text.replace("_", "_5F").replace("^", "_5E").replace("~", "_7E")


def zpl_label(label: PrinterLabel, row: LabelRow) -> str:
    layout = label.layout
    lines = [
        "^XA",
        "^CI28",  # UTF-8 field data
        f"^PW{label.dots(layout.width)}",
        f"^LL{label.dots(layout.height)}",
        "^LH0,0",
    ]
    for x, y, width, height in label.rules():
        lines.append(f"^FO{x},{y}^GB{width},{height},{min(width, height)}^FS")
    for x, y, module, height, value in label.barcodes(row):
        # ^BC: orientation N, height, no printed line (the layout places the number), automatic
        # subsets (A): the printer picks code C for digit runs as reportlab does.
        lines.append(f"^FO{x},{y}^BY{module}^BCN,{height},N,N,N,A^FH_^FD{zpl_text(value)}^FS")
    for x, y, height, text in label.texts(row):
        lines.append(
            f"^FO{x},{y}^A@N,{height},{height},{layout.zpl_font}^FH_^FD{zpl_text(text)}^FS"
        )
    lines.append("^XZ")
    return "\n".join(lines) + "\n"


def tspl_text(text: str) -> str:
    """A TSPL string body: a double quote is written \\["] (the TSPL escape); a backslash,
    which TSPL has no escape for and which before the closing quote some firmware reads as
    one, is printed as the full-width ＼."""
    return text.replace("\\", "＼").replace('"', '\\["]')


def tspl_label(label: PrinterLabel, row: LabelRow) -> str:
    layout = label.layout
    lines = [
        f"SIZE {layout.width:g} mm,{layout.height:g} mm",
        "GAP 2 mm,0 mm",
        "DIRECTION 1",
        "CODEPAGE UTF-8",
        "CLS",
    ]
    for x, y, width, height in label.rules():
        lines.append(f"BAR {x},{y},{width},{height}")
    for x, y, module, height, value in label.barcodes(row):
        lines.append(f'BARCODE {x},{y},"128",{height},0,0,{module},{module},"{tspl_text(value)}"')
    for x, y, height, text in label.texts(row):
        # For a TrueType font, TSPL takes the width and height in points.
        points = max(1, round(height * 72 / layout.dpi))
        lines.append(f'TEXT {x},{y},"{layout.tspl_font}",0,{points},{points},"{tspl_text(text)}"')
    lines.append("PRINT 1,1")
    return "\n".join(lines) + "\n"


RENDERERS: dict[str, Callable[[PrinterLabel, LabelRow], str]] = {
    "zpl": zpl_label,
    "tspl": tspl_label,
}


def write_printer_files(
    rows: Iterable[LabelRow],
    layout: Layout,
    folder: Path,
    stem: str,
    language: str,
    *,
    per_file: int = 1000,
    printed_at: datetime | None = None,
) -> LabelFiles:
    """Write `rows` as `stem.zpl` / `stem.tspl` (or numbered files of `per_file` labels),
    UTF-8, one label after another; all files appear at the end, or none on failure."""
    if language not in RENDERERS:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
    render = RENDERERS[language]
    label = PrinterLabel(layout, printing_time(printed_at))
    count = 0
    with staged(folder, stem, f".{language}") as stage:
        handle = None
        try:
            for row in rows:
                if count % per_file == 0:
                    if handle is not None:
                        handle.close()
                    handle = stage.next().open("w", encoding="utf-8", newline="\n")
                assert handle is not None
                handle.write(render(label, row))
                count += 1
        finally:
            if handle is not None:
                handle.close()
        paths = stage.publish()
    return LabelFiles(paths=paths, labels=count, cut=tuple(label.cut))
