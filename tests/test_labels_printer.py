"""ZPL and TSPL label files, checked structurally: one label per row in order, every command
inside the page, buyer text unable to break out of its field."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from batch_ship.labels.layout import builtin_dir, load_layout
from batch_ship.labels.printer import write_printer_files
from batch_ship.samples.labels import sample_label_rows

HOSTILE = 'A^XZ^XA~JR_5E"q\\'  # ends a ZPL label, resets a printer, closes a TSPL string
ZPL_FIELD = re.compile(r"\^FO(\d+),(\d+)(.*?)\^FD(.*?)\^FS")
TSPL_TEXT = re.compile(r'^TEXT (\d+),(\d+),"([^"]+)",0,(\d+),(\d+),"((?:[^"\\]|\\\["\])*)"$')
TSPL_BARCODE = re.compile(r'^BARCODE (\d+),(\d+),"128",(\d+),0,0,(\d+),\4,"([ -~]+)"$')


def rows(count: int = 5):  # type: ignore[no-untyped-def]
    out = list(sample_label_rows(count, seed=2))
    out[1] = dataclasses.replace(out[1], recipient_name=HOSTILE, items=HOSTILE)
    return out


def zpl_unescape(data: str) -> str:
    return re.sub(r"_([0-9A-F]{2})", lambda m: chr(int(m.group(1), 16)), data)


@pytest.mark.parametrize("name", ["76x130", "100x180", "100x150"])
def test_zpl_has_one_label_per_row_in_order_inside_the_page(tmp_path: Path, name: str) -> None:
    layout = load_layout(builtin_dir() / f"{name}.toml")
    labels = rows()
    written = write_printer_files(labels, layout, tmp_path, "labels", "zpl")
    assert [p.name for p in written.paths] == ["labels.zpl"]
    text = written.paths[0].read_text(encoding="utf-8")
    blocks = re.findall(r"\^XA\n(.*?)\^XZ\n", text, re.DOTALL)
    assert len(blocks) == len(labels) == text.count("^XA") == text.count("^XZ")
    width, height = round(layout.width / 25.4 * 203), round(layout.height / 25.4 * 203)
    for block, row in zip(blocks, labels, strict=True):
        assert f"^PW{width}\n^LL{height}\n" in block
        assert "^CI28" in block  # UTF-8
        fields = ZPL_FIELD.findall(block)
        barcodes = [zpl_unescape(data) for _, _, command, data in fields if "^BC" in command]
        expected = [row.waybill] + ([row.reference] if layout.parts == 2 else [])
        assert barcodes == expected
        texts = [zpl_unescape(data) for _, _, command, data in fields if "^A@" in command]
        assert row.waybill in texts
        for x, y, command, data in fields:
            assert 0 <= int(x) < width
            assert 0 <= int(y) < height
            assert "^FH_" in command  # every field's data is hex-escaped
            assert "^" not in data
            assert "~" not in data
    hostile = [zpl_unescape(d) for *_, d in ZPL_FIELD.findall(blocks[1])]
    assert f"收 {HOSTILE}" in hostile


@pytest.mark.parametrize("name", ["76x130", "100x180"])
def test_tspl_has_one_label_per_row_with_quoted_strings(tmp_path: Path, name: str) -> None:
    layout = load_layout(builtin_dir() / f"{name}.toml")
    labels = rows()
    written = write_printer_files(labels, layout, tmp_path, "labels", "tspl")
    text = written.paths[0].read_text(encoding="utf-8")
    labels_text = text.split("PRINT 1,1\n")
    assert labels_text[-1] == ""
    assert len(labels_text) - 1 == len(labels)
    for block, row in zip(labels_text, labels, strict=False):
        lines = block.splitlines()
        assert lines[0] == f"SIZE {layout.width:g} mm,{layout.height:g} mm"
        texts, barcodes = [], []
        for line in lines[5:]:
            if line.startswith("TEXT"):
                match = TSPL_TEXT.match(line)
                assert match, line
                texts.append(match.group(6).replace('\\["]', '"'))
            elif line.startswith("BARCODE"):
                match = TSPL_BARCODE.match(line)
                assert match, line
                barcodes.append(match.group(5))
            else:
                assert line.startswith("BAR "), line
        assert barcodes == [row.waybill] + ([row.reference] if layout.parts == 2 else [])
        assert row.waybill in texts
    assert f"收 {HOSTILE}".replace("\\", "＼") in labels_text[1].replace('\\["]', '"')


def test_printer_files_split_like_the_pdf(tmp_path: Path) -> None:
    layout = load_layout(builtin_dir() / "76x130.toml")
    written = write_printer_files(sample_label_rows(7), layout, tmp_path, "l", "zpl", per_file=3)
    assert [p.name for p in written.paths] == ["l-1.zpl", "l-2.zpl", "l-3.zpl"]
    counts = [p.read_text(encoding="utf-8").count("^XA") for p in written.paths]
    assert counts == [3, 3, 1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["l-1.zpl", "l-2.zpl", "l-3.zpl"]


def test_a_long_address_wraps_inside_its_box_in_dots(tmp_path: Path) -> None:
    layout = load_layout(builtin_dir() / "76x130.toml")
    row = dataclasses.replace(next(sample_label_rows(1)), recipient_address="很长的地址" * 60)
    written = write_printer_files([row], layout, tmp_path, "l", "zpl")
    box = next(f for f in layout.fields if f.field == "recipient_address").box
    dot = 25.4 / 203
    lines = [
        (int(x), int(y), int(h), zpl_unescape(d))
        for x, y, command, d in ZPL_FIELD.findall(written.paths[0].read_text(encoding="utf-8"))
        if "很长" in d or "的地址" in d
        for h in [re.search(r"\^A@N,(\d+)", command).group(1)]  # type: ignore[union-attr]
    ]
    assert len(lines) > 1
    for x, y, height, text in lines:
        assert x * dot >= box.x - dot
        assert (x + len(text) * height) * dot <= box.x + box.w + dot
        assert (y + height) * dot <= box.y + box.h + dot
    assert written.cut == (row.waybill,)


def test_an_unknown_language_is_refused(tmp_path: Path) -> None:
    layout = load_layout(builtin_dir() / "76x130.toml")
    with pytest.raises(ValueError, match="zpl, tspl"):
        write_printer_files(sample_label_rows(1), layout, tmp_path, "l", "epl")
