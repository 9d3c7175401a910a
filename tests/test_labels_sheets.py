"""Pick list, packing slips and handover sheet: PDFs read back with PDFium/pypdf/zxing,
workbooks with openpyxl (every cell text, buyer text never a formula)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pypdfium2 as pdfium
import pytest

from batch_ship.labels.handover import write_handover
from batch_ship.labels.picklist import pick_totals, write_pick_list
from batch_ship.labels.rows import HandoverParcel, PackingSlip, PickLine, SlipItem
from batch_ship.labels.slips import write_packing_slips
from tests.pdf_read import embedded, fonts_of, page_sizes_mm, page_text

FORMULA = '=HYPERLINK("http://example.com/x","点我领券")'


def flat(text: str) -> str:
    return text.replace("\r\n", "").replace("\n", "")


def pages(path: Path) -> int:
    return len(pdfium.PdfDocument(str(path)))


def test_pick_totals_add_up_by_item_and_follow_the_shelves() -> None:
    lines = [
        PickLine("SKU-10", "保温杯", "黑色", 2, "A10"),
        PickLine("SKU-2", "T恤", "白色;XL", 1, "A2"),
        PickLine("SKU-10", "保温杯", "黑色", 3),
        PickLine("SKU-10", "保温杯", "白色", 1, "A10"),
        PickLine("SKU-7", "积木", "", 4),  # no shelf: at the end
        PickLine("SKU-2", "T恤", "白色;XL", 2, "A2"),
        PickLine("SKU-1", "耳机", "白色", 1, "B1"),
    ]
    totals = pick_totals(lines)
    assert [(t.location, t.item_code, t.variant, t.quantity, t.lines) for t in totals] == [
        ("A2", "SKU-2", "白色;XL", 3, 2),
        ("A10", "SKU-10", "白色", 1, 1),
        ("A10", "SKU-10", "黑色", 5, 2),
        ("B1", "SKU-1", "白色", 1, 1),
        ("", "SKU-7", "", 4, 1),
    ]


def test_the_pick_list_is_a_pdf_and_a_text_only_workbook(tmp_path: Path) -> None:
    lines = [PickLine(f"SKU-{n}", f"商品{n}", "规格", n % 3 + 1, f"A{n}") for n in range(1, 61)]
    lines.append(PickLine("X-1", FORMULA, "=1+1", 1, ""))
    pdf, xlsx = write_pick_list(lines, tmp_path, batch="20261203-01")
    assert (pdf.name, xlsx.name) == ("picklist.pdf", "picklist.xlsx")
    assert pages(pdf) >= 2
    for page in range(pages(pdf)):
        assert "商家编码" in page_text(pdf, page)  # the header on every page
    first = flat(page_text(pdf, 0))
    assert "拣货单" in first
    assert "批次 20261203-01" in first
    assert first.index("SKU-2") < first.index("SKU-10")  # walk order: A2 before A10
    assert all(embedded(font) for font in fonts_of(pdf).values())
    sheet = openpyxl.load_workbook(xlsx).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("序号", "货位", "商家编码", "宝贝名称", "规格", "数量", "包裹数", "已拣")
    assert len(rows) == 62
    assert rows[-1][3] == FORMULA
    for row in sheet.iter_rows(min_row=2):
        for cell in row:  # text, never a formula or a number (or empty)
            assert cell.data_type == "s" or cell.value is None


def test_packing_slips_come_one_per_parcel_in_order(tmp_path: Path) -> None:
    slips = [
        PackingSlip(
            reference=f"38000000000000000{n:02d}",
            order_ids=(f"38000000000000000{n:02d}",),
            recipient_name=f"收件人{n}",
            recipient_address="浙江省杭州市西湖区文三路1号",
            items=(SlipItem("保温杯", "黑色", n + 1, "SKU-10"),),
            waybill=f"780000000000{n:02d}",
            buyer_message=FORMULA if n == 2 else "",
            sender_name="星辰生活馆",
        )
        for n in range(5)
    ]
    many = tuple(SlipItem(f"商品{i}", "规格", 1, f"S{i}") for i in range(40))
    slips.append(PackingSlip("3800000000000000099", ("3800000000000000099",), "王五", "北京", many))
    written = write_packing_slips(slips, tmp_path)
    assert [p.name for p in written.paths] == ["packing-slips.pdf"]
    path = written.paths[0]
    count = pages(path)
    assert count > 6  # the 40-item slip runs over
    for n in range(5):
        text = flat(page_text(path, n))
        assert f"38000000000000000{n:02d}" in text
        assert f"收件人{n}" in text
        assert f"共 1 种, {n + 1} 件" in text
    assert FORMULA in flat(page_text(path, 2))
    assert "发货单 (续)" in page_text(path, count - 1)
    assert "共 40 种, 40 件" in flat(page_text(path, count - 1))
    width, height = page_sizes_mm(path)[0]
    assert (width, height) == (pytest.approx(148, abs=0.5), pytest.approx(210, abs=0.5))
    assert all(embedded(font) for font in fonts_of(path).values())


def test_the_handover_sheet_lists_every_waybill_with_a_barcode_that_decodes(
    tmp_path: Path,
) -> None:
    parcels = [
        HandoverParcel(f"7800000000{n:04d}", f"380000000000000{n:04d}", "浙江省杭州市")
        for n in range(45)
    ]
    parcels.append(HandoverParcel("EA123456785CN", FORMULA, "=A1"))
    pdf, xlsx = write_handover(parcels, tmp_path, courier="中通快递", day=date(2026, 12, 3))
    document = pdfium.PdfDocument(str(pdf))
    decoded: list[str] = []
    for index in range(len(document)):
        image = document[index].render(scale=203 / 72).to_pil()
        # zxing returns every barcode on the page; order them top to bottom.
        decoded += _top_to_bottom(image)
    assert decoded == [p.waybill for p in parcels]
    text = flat(page_text(pdf, 0))
    assert "快递交接单" in text
    assert "共 46 件" in text
    assert "日期 2026-12-03" in text
    last = flat(page_text(pdf, len(document) - 1))
    for label in ("合计: 46 件", "交件人（签字）", "揽收人（签字）", "交接时间"):
        assert label in last
    book = openpyxl.load_workbook(xlsx)
    rows = list(book["交接单"].iter_rows(values_only=True))
    assert rows[0] == ("序号", "运单号", "订单编号", "目的地")
    assert [row[1] for row in rows[1:]] == [p.waybill for p in parcels]
    assert rows[-1][2:] == (FORMULA, "=A1")
    assert all(c.data_type == "s" for row in book["交接单"].iter_rows(min_row=2) for c in row)
    assert book["交接单"]["C47"].value == FORMULA
    summary = dict(book["汇总"].iter_rows(min_row=2, values_only=True))
    assert summary["件数"] == "46"
    assert summary["快递公司"] == "中通快递"
    assert "交件人（签字）" in summary


def _top_to_bottom(image: object) -> list[str]:
    import zxingcpp

    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.Code128)
    return [b.text for b in sorted(found, key=lambda b: b.position.top_left.y)]
