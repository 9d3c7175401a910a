"""Reading our PDFs back with independent tools: pypdf for structure, PDFium to rasterize,
zxing-cpp to decode barcodes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import zxingcpp
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from batch_ship.labels.layout import Box, Layout

MM = 72 / 25.4
DPI = 203  # a thermal printer's own resolution (8 dots per mm)


def region(page: Any, box: Box, page_height: float, *, pad: float = 0.0, dpi: int = DPI) -> Any:
    """The part of a PDFium page inside `box` (mm from the top-left), `pad` mm wider on
    every side, rasterized as a PIL image."""
    width = page.get_width()
    # The left edge on a whole pixel: the bars are drawn on whole printer dots.
    left = max(0.0, int((box.x - pad) * MM * dpi / 72) * 72 / dpi)
    right = max(0.0, width - (box.x + box.w + pad) * MM)
    top = max(0.0, (box.y - pad) * MM)
    bottom = max(0.0, page_height - (box.y + box.h + pad) * MM)
    return page.render(scale=dpi / 72, crop=(left, bottom, right, top)).to_pil()


def decode_code128(image: Any) -> list[str]:
    return [
        found.text
        for found in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.Code128)
    ]


def decoded_barcodes(paths: list[Path], layout: Layout, field: str) -> Iterator[list[str]]:
    """For every page of every file in order: what zxing reads in the `field` barcode's box
    and its quiet zone, rasterized by PDFium."""
    barcode = next(f for f in layout.fields if f.barcode and f.field == field)
    for path in paths:
        document = pdfium.PdfDocument(str(path))
        try:
            for index in range(len(document)):
                page = document[index]
                height = page.get_height()
                yield decode_code128(region(page, barcode.quiet_zone, height, pad=1.0))
        finally:
            document.close()


def page_sizes_mm(path: Path) -> list[tuple[float, float]]:
    reader = PdfReader(path)
    return [(float(p.mediabox.width) / MM, float(p.mediabox.height) / MM) for p in reader.pages]


def fonts_of(path: Path) -> dict[str, DictionaryObject]:
    """Every font dictionary the pages use, by base font name (pypdf)."""
    fonts: dict[str, DictionaryObject] = {}
    for page in PdfReader(path).pages:
        resources = page.get("/Resources")
        if resources is None:
            continue
        font_dict = resources.get_object().get("/Font")
        if font_dict is None:
            continue
        for ref in font_dict.get_object().values():
            font = ref.get_object()
            fonts[str(font["/BaseFont"])] = font
    return fonts


def embedded(font: DictionaryObject) -> bool:
    """Whether a font's outlines are in the file (FontFile, FontFile2 or FontFile3)."""
    if font.get("/Subtype") == "/Type0":
        font = font["/DescendantFonts"][0].get_object()
    descriptor = font.get("/FontDescriptor")
    if descriptor is None:
        return False
    descriptor = descriptor.get_object()
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def page_text(path: Path, index: int) -> str:
    document = pdfium.PdfDocument(str(path))
    try:
        return str(document[index].get_textpage().get_text_range())
    finally:
        document.close()


def char_boxes(path: Path, index: int) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Each drawn character and its box (left, top, right, bottom) in mm from the top-left."""
    document = pdfium.PdfDocument(str(path))
    try:
        page = document[index]
        height = page.get_height()
        text = page.get_textpage()
        out = []
        for i in range(text.count_chars()):
            char = text.get_text_range(i, 1)
            if not char.strip():
                continue
            left, bottom, right, top = text.get_charbox(i)
            out.append((char, (left / MM, (height - top) / MM, right / MM, (height - bottom) / MM)))
        return out
    finally:
        document.close()
