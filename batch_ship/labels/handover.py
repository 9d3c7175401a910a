"""The pickup handover sheet (交接单): every waybill number with its barcode, the count, the
date and signature lines, as PDF and xlsx."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from batch_ship.labels.fit import clean
from batch_ship.labels.fonts import LabelFont, load_font
from batch_ship.labels.pdf import printing_time, staged
from batch_ship.labels.rows import HandoverParcel
from batch_ship.labels.sheets import Column, TablePdf
from batch_ship.spreadsheets.write import write_workbook

HEADERS = ("序号", "运单号", "订单编号", "目的地")
SIGNATURES = ("交件人（签字）", "揽收人（签字）", "交接时间")
_COLUMNS = (
    Column("序号", 12, "right"),
    Column("运单号", 40),
    Column("条码", 56, barcode=True),
    Column("订单编号", 42),
    Column("目的地", 36),
)


def write_handover(
    parcels: Iterable[HandoverParcel],
    folder: Path,
    *,
    courier: str,
    day: date,
    stem: str = "handover",
    font: LabelFont | None = None,
    printed_at: datetime | None = None,
) -> tuple[Path, Path]:
    """Write `stem.pdf` (a row per parcel with its waybill barcode, the count on every page,
    signature lines at the end) and `stem.xlsx` (the same rows, and a summary sheet with the
    signature fields), every cell text; both or neither."""
    listed = list(parcels)
    count = len(listed)
    subtitle = (
        f"快递公司 {courier}  ·  日期 {day.isoformat()}  ·  共 {count} 件  ·  打印时间 "
        f"{printing_time(printed_at)}"
    )
    rows = [
        [str(n), clean(p.waybill), clean(p.reference), clean(p.destination)]
        for n, p in enumerate(listed, start=1)
    ]
    with staged(folder, stem, ".pdf") as stage:
        table = TablePdf(
            stage.next(), font or load_font(), "快递交接单", subtitle, _COLUMNS, row_height=11
        )
        for number, waybill, reference, destination in rows:
            table.row([number, waybill, waybill, reference, destination])
        table.lines(
            [f"合计: {count} 件", *(f"{label}: ______________________" for label in SIGNATURES)],
            size=11,
            gap=11,
        )
        table.save()
        summary = pd.DataFrame(
            [["快递公司", courier], ["日期", day.isoformat()], ["件数", str(count)]]
            + [[label, ""] for label in SIGNATURES],
            columns=["项目", "内容"],
        )
        sheets = {"交接单": pd.DataFrame(rows, columns=list(HEADERS)), "汇总": summary}
        workbook = write_workbook(folder / f"{stem}.xlsx", sheets)
        (pdf,) = stage.publish()
    return pdf, workbook
