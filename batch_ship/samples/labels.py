"""Made-up label rows for the demo, the tests and the benchmark (names from samples.vocabulary)."""

from __future__ import annotations

import random
from collections.abc import Iterator

from batch_ship.labels.rows import LabelRow
from batch_ship.normalize.one_line import one_line_text
from batch_ship.samples.vocabulary import (
    BUILDINGS,
    GIVEN,
    MOBILE_PREFIXES,
    PLACES,
    PRODUCTS,
    STREETS,
    SURNAMES,
)

SORT_CODES = ("310-T12 05", "571-W03 11", "200-A01 07", "518-L25 02", "100-B16 09")
HUBS = ("杭州转运中心", "上海浦东集散中心", "深圳宝安集包", "北京顺义中心")
LONG_DETAIL = (
    "五常街道文一西路969号阿里巴巴西溪园区3号楼A座12层1203室（前台代收，工作日9:00-18:00）"
)


def waybill_number(index: int, prefix: str = "78") -> str:
    """A distinct 14-digit ZTO-style number for each index."""
    return f"{prefix}{index:012d}"


def sample_label_rows(count: int, *, seed: int = 1, start: int = 0) -> Iterator[LabelRow]:
    """`count` rows, one at a time, with varied and some very long addresses."""
    rng = random.Random(seed)
    for index in range(start, start + count):
        province, city, district, _ = PLACES[rng.randrange(len(PLACES))]
        detail = (
            LONG_DETAIL
            if index % 7 == 3
            else f"{rng.choice(STREETS)}{rng.randrange(1, 999)}号{rng.choice(BUILDINGS)}"
        )
        title, variant, _ = PRODUCTS[rng.randrange(len(PRODUCTS))]
        quantity = rng.randrange(1, 4)
        yield LabelRow(
            waybill=waybill_number(index),
            reference=f"{3_800_000_000_000_000_000 + index * 7919}",
            recipient_name=rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2))),
            recipient_phone=f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}",
            recipient_address=one_line_text(province, city, district, detail),
            sender_name="星辰生活馆",
            sender_phone="13800000000",
            sender_address="浙江省杭州市余杭区文一西路969号",
            sort_code=SORT_CODES[index % len(SORT_CODES)],
            hub=HUBS[index % len(HUBS)],
            items=f"{title} [{variant}] ×{quantity}",
            item_count=quantity,
            courier="中通快递",
        )
