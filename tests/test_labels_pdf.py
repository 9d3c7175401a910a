"""Label PDFs read back with independent tools: zxing decodes every barcode, pypdf reads page
sizes and font dictionaries, PDFium rasterizes and locates every drawn character."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from batch_ship.errors import ConfigError, InputError
from batch_ship.labels.fonts import load_font
from batch_ship.labels.layout import builtin_dir, load_layout
from batch_ship.labels.pdf import write_label_pdfs
from batch_ship.labels.rows import LabelRow
from batch_ship.samples.labels import sample_label_rows
from tests.pdf_read import (
    char_boxes,
    decoded_barcodes,
    embedded,
    fonts_of,
    page_sizes_mm,
    page_text,
    region,
)

SIZES = {"76x130": (76, 130), "100x180": (100, 180), "100x150": (100, 150)}
LONG_ADDRESS = "浙江省杭州市余杭区五常街道" + "文一西路969号阿里巴巴西溪园区A座" * 20


def layout(name: str):  # type: ignore[no-untyped-def]
    return load_layout(builtin_dir() / f"{name}.toml")


def test_every_label_of_2000_decodes_to_its_own_number_in_order(tmp_path: Path) -> None:
    rows = list(sample_label_rows(2000, seed=7))
    written = write_label_pdfs(rows, layout("76x130"), tmp_path, "labels-zto", per_file=700)
    assert [p.name for p in written.paths] == [f"labels-zto-{n}.pdf" for n in (1, 2, 3)]
    assert written.labels == 2000
    decoded = list(decoded_barcodes(list(written.paths), layout("76x130"), "waybill"))
    assert decoded == [[row.waybill] for row in rows]


@pytest.mark.parametrize("name", ["100x180", "100x150"])
def test_two_part_labels_carry_the_order_reference_barcode_on_the_stub(
    tmp_path: Path, name: str
) -> None:
    rows = list(sample_label_rows(150, seed=3))
    written = write_label_pdfs(rows, layout(name), tmp_path, "labels", per_file=1000)
    assert [p.name for p in written.paths] == ["labels.pdf"]
    paths = list(written.paths)
    assert list(decoded_barcodes(paths, layout(name), "waybill")) == [[r.waybill] for r in rows]
    assert list(decoded_barcodes(paths, layout(name), "reference")) == [[r.reference] for r in rows]


@pytest.mark.parametrize("name", sorted(SIZES))
def test_pages_are_exactly_the_layout_size_and_every_font_is_embedded(
    tmp_path: Path, name: str
) -> None:
    written = write_label_pdfs(sample_label_rows(20), layout(name), tmp_path, "l")
    width, height = SIZES[name]
    sizes = page_sizes_mm(written.paths[0])
    assert len(sizes) == 20
    for w, h in sizes:
        assert w == pytest.approx(width, abs=0.005)
        assert h == pytest.approx(height, abs=0.005)
    fonts = fonts_of(written.paths[0])
    assert fonts, "no fonts found"
    assert {name: embedded(font) for name, font in fonts.items()} == dict.fromkeys(fonts, True)
    assert all("WenQuanYiMicroHei" in name for name in fonts)


@pytest.mark.parametrize("name", sorted(SIZES))
def test_a_rasterized_label_shows_its_chinese_text(tmp_path: Path, name: str) -> None:
    row = next(sample_label_rows(1, seed=5))
    written = write_label_pdfs([row], layout(name), tmp_path, "l")
    text = page_text(written.paths[0], 0)
    for expected in (row.recipient_name, "集包地", row.hub, "品名", row.recipient_phone):
        assert expected in text.replace("\r\n", "").replace("\n", "")
    # Ink where the name is: the glyphs are drawn, not only listed in the text layer.
    field = next(f for f in layout(name).fields if f.field == "recipient_name")
    document = pdfium.PdfDocument(str(written.paths[0]))
    image = region(document[0], field.box, document[0].get_height()).convert("L")
    dark = sum(image.histogram()[:100])  # pixels darker than 100 of 255
    assert dark > 50
    document.close()


@pytest.mark.parametrize("name", sorted(SIZES))
def test_a_long_address_stays_inside_its_box_and_is_reported_when_cut(
    tmp_path: Path, name: str
) -> None:
    base = next(sample_label_rows(1))
    rows = [
        dataclasses.replace(base, recipient_address=LONG_ADDRESS[:60]),
        dataclasses.replace(base, recipient_address=LONG_ADDRESS, waybill="78000000000099"),
    ]
    the_layout = layout(name)
    written = write_label_pdfs(rows, the_layout, tmp_path, "l")
    assert written.cut == ("78000000000099",)
    boxes = [f.box for f in the_layout.fields if not f.barcode]
    for page in (0, 1):
        drawn = char_boxes(written.paths[0], page)
        assert len(drawn) > 100
        for char, (left, top, right, bottom) in drawn:
            assert any(
                left >= b.x - 0.3
                and right <= b.x + b.w + 0.3
                and top >= b.y - 0.6
                and bottom <= b.y + b.h + 0.6
                for b in boxes
            ), f"{char!r} at {left:.1f},{top:.1f}-{right:.1f},{bottom:.1f} mm is outside"
    text = page_text(written.paths[0], 0).replace("\r\n", "").replace("\n", "")
    assert LONG_ADDRESS[:60] in text  # wrapped, not cut


def test_buyer_text_with_line_breaks_and_missing_glyphs_does_not_break_a_label(
    tmp_path: Path,
) -> None:
    base = next(sample_label_rows(1))
    row = dataclasses.replace(base, recipient_name="王\n小\t明😀", items="A\r\nB\x00C")
    written = write_label_pdfs([row], layout("76x130"), tmp_path, "l")
    text = page_text(written.paths[0], 0)
    assert "王 小 明" in text
    assert list(decoded_barcodes(list(written.paths), layout("76x130"), "waybill")) == [
        [row.waybill]
    ]


def test_a_failure_midway_leaves_no_file(tmp_path: Path) -> None:
    def rows() -> Iterator[LabelRow]:
        yield from sample_label_rows(5)
        raise RuntimeError("the ledger went away")

    with pytest.raises(RuntimeError):
        write_label_pdfs(rows(), layout("76x130"), tmp_path, "l", per_file=2)
    assert list(tmp_path.iterdir()) == []


def test_a_number_that_cannot_be_a_barcode_is_refused(tmp_path: Path) -> None:
    row = dataclasses.replace(next(sample_label_rows(1)), waybill="中通123")
    with pytest.raises(InputError, match="only printable ASCII"):
        write_label_pdfs([row], layout("76x130"), tmp_path, "l")
    long_row = dataclasses.replace(next(sample_label_rows(1)), waybill="7" * 60)
    with pytest.raises(InputError, match="too long for the waybill barcode"):
        write_label_pdfs([long_row], layout("76x130"), tmp_path, "l")
    assert list(tmp_path.iterdir()) == []


def test_a_missing_font_says_how_to_install_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_font(tmp_path / "nope.ttf")
    assert "does not exist" in str(caught.value)
    assert "pip install paperang-p2-fonts-cjk" in str(caught.value)
    assert "apt-get install fonts-wqy-microhei" in str(caught.value)


def test_a_font_that_is_not_truetype_is_refused_with_the_fix(tmp_path: Path) -> None:
    fake = tmp_path / "fake.ttf"
    fake.write_bytes(b"OTTO" + b"\0" * 200)  # a CFF OpenType header, not glyf TrueType
    with pytest.raises(ConfigError, match="cannot be embedded"):
        load_font(fake)


def test_the_font_path_is_configurable(tmp_path: Path) -> None:
    copy = tmp_path / "my-font.ttc"
    shutil.copyfile(load_font().path, copy)
    font = load_font(copy)
    assert font.path == copy
    written = write_label_pdfs(sample_label_rows(2), layout("76x130"), tmp_path, "l", font=font)
    assert all(embedded(f) for f in fonts_of(written.paths[0]).values())
