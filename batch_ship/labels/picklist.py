"""The pick list (拣货单): item totals of a batch, in the order a picker walks the shelves."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from batch_ship.labels.fit import clean
from batch_ship.labels.fonts import LabelFont, load_font
from batch_ship.labels.pdf import printing_time, staged
from batch_ship.labels.rows import PickLine
from batch_ship.labels.sheets import Column, TablePdf, natural_key
from batch_ship.spreadsheets.write import write_workbook

HEADERS = ("序号", "货位", "商家编码", "宝贝名称", "规格", "数量", "包裹数", "已拣")
_COLUMNS = (
    Column("序号", 10, "right"),
    Column("货位", 18),
    Column("商家编码", 28),
    Column("宝贝名称", 58),
    Column("规格", 38),
    Column("数量", 12, "right"),
    Column("包裹数", 12, "right"),
    Column("已拣", 10),
)


@dataclass(frozen=True, slots=True)
class PickTotal:
    """One line of the pick list: how many of an item (by code, title and variant) to take,
    and from how many parcels' lines the number comes."""

    location: str
    item_code: str
    title: str
    variant: str
    quantity: int
    lines: int


def pick_totals(lines: Iterable[PickLine]) -> list[PickTotal]:
    """Item totals by (item code, title, variant), sorted so a picker walks once: by shelf
    location (digit runs as numbers, items without a location last), then item code, title
    and variant."""
    totals: dict[tuple[str, str, str], list[int]] = {}
    locations: dict[tuple[str, str, str], str] = {}
    for line in lines:
        key = (clean(line.item_code), clean(line.title), clean(line.variant))
        entry = totals.setdefault(key, [0, 0])
        entry[0] += line.quantity
        entry[1] += 1
        if line.location and not locations.get(key):
            locations[key] = clean(line.location)
    out = [
        PickTotal(locations.get(key, ""), *key, quantity=entry[0], lines=entry[1])
        for key, entry in totals.items()
    ]
    out.sort(
        key=lambda t: (
            t.location == "",
            natural_key(t.location),
            natural_key(t.item_code),
            t.title,
            t.variant,
        )
    )
    return out


def write_pick_list(
    lines: Iterable[PickLine],
    folder: Path,
    *,
    batch: str = "",
    stem: str = "picklist",
    font: LabelFont | None = None,
    printed_at: datetime | None = None,
) -> tuple[Path, Path]:
    """Write `stem.pdf` and `stem.xlsx` (every cell text) into `folder`; both or neither."""
    totals = pick_totals(lines)
    pieces = sum(total.quantity for total in totals)
    subtitle = (
        f"批次 {batch}  ·  {len(totals)} 种商品, 共 {pieces} 件  ·  打印时间 "
        f"{printing_time(printed_at)}"
    )
    rows = [
        [str(n), t.location, t.item_code, t.title, t.variant, str(t.quantity), str(t.lines), ""]
        for n, t in enumerate(totals, start=1)
    ]
    with staged(folder, stem, ".pdf") as stage:
        table = TablePdf(stage.next(), font or load_font(), "拣货单", subtitle, _COLUMNS)
        for row in rows:
            table.row(row)
        table.lines(
            [f"合计: {len(totals)} 种, {pieces} 件", "拣货人: ____________    复核: ____________"]
        )
        table.save()
        workbook = write_workbook(
            folder / f"{stem}.xlsx", {"拣货单": pd.DataFrame(rows, columns=list(HEADERS))}
        )
        (pdf,) = stage.publish()
    return pdf, workbook
