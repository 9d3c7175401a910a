"""The synthetic export pair: exact wire format, deterministic, with real-world mess."""

from __future__ import annotations

from pathlib import Path

import pytest

from batch_ship import read_orders
from batch_ship.errors import InputError
from batch_ship.samples.orders import ITEM_HEADERS, ORDER_HEADERS, write_sample_export
from batch_ship.sources import canonical as c


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return write_sample_export(tmp_path_factory.mktemp("sample"), orders=2000, seed=3)


def test_wire_format(pair: tuple[Path, Path]) -> None:
    orders, items = pair
    assert orders.name == "ExportOrderList202611260900.csv"
    assert items.name == "ExportOrderDetailList202611260900.csv"
    order_bytes = orders.read_bytes()
    text = order_bytes.decode("gbk")  # GBK, not UTF-8
    with pytest.raises(UnicodeDecodeError):
        order_bytes.decode("utf-8")
    header, first = text.split("\r\n")[:2]
    assert header.split(",") == list(ORDER_HEADERS)
    assert len(ORDER_HEADERS) == 46
    assert "收货地址 " in ORDER_HEADERS
    assert "联系电话 " in ORDER_HEADERS
    assert first.startswith('="40125')
    assert ",'1" in text  # apostrophe phones
    assert text.count("\r\n") >= 2001
    item_lines = items.read_bytes().decode("gbk").split("\r\n")
    assert item_lines[0] == ",".join(ITEM_HEADERS) + ","
    assert all(line.endswith(",") for line in item_lines[1:] if line)


def test_deterministic_per_seed(tmp_path: Path, pair: tuple[Path, Path]) -> None:
    again = write_sample_export(tmp_path / "a", orders=2000, seed=3)
    assert again[0].read_bytes() == pair[0].read_bytes()
    assert again[1].read_bytes() == pair[1].read_bytes()
    other = write_sample_export(tmp_path / "b", orders=2000, seed=4, stamp="X1")
    assert other[0].name == "ExportOrderListX1.csv"
    assert other[0].read_bytes() != pair[0].read_bytes()


def test_reads_back_with_the_mess_present(pair: tuple[Path, Path]) -> None:
    table = read_orders(pair[0])
    orders = table.orders
    assert len(orders) == 2000
    assert not orders["duplicate"].any()
    assert table.problems == []
    statuses = set(orders[c.STATUS])
    assert statuses == {
        "awaiting-shipment", "awaiting-payment", "partially-shipped", "shipped", "completed",
        "closed",
    }  # fmt: skip
    assert set(orders[c.RAW_STATUS]) >= {"买家已付款，等待卖家发货", "等待卖家发货"}
    mobile = orders[c.MOBILE]
    assert mobile.str.contains(r"\*\*\*\*", regex=True).any()
    assert mobile.str.contains("转|-|#", regex=True).any()
    assert ((mobile == "") & (orders[c.TELEPHONE] != "")).any()
    address = orders[c.ADDRESS]
    assert address.str.contains("其它区").any()
    assert address.str.contains(r"\(000000\)", regex=True).any()
    assert address.str.contains("仙桃市|济源市|石河子市", regex=True).any()
    assert address.str.startswith("北京 北京市").any() or address.str.startswith("上海").any()
    assert address.str.contains("[０-９Ａ-Ｚ]", regex=True).any()
    message = orders[c.BUYER_MESSAGE]
    assert message.str.contains("\n").any()
    assert message.str.match(r"^[=+\-@]").any()
    # Repeat buyers: two paid orders to one recipient and address.
    paid = orders[orders[c.STATUS] == "awaiting-shipment"]
    assert paid.duplicated([c.BUYER, c.NAME, c.MOBILE, c.ADDRESS]).any()
    # Multi-item orders and consistent item totals.
    items = table.items
    assert len(items) > len(orders)
    per_order = items.groupby(c.ORDER_ID)[c.ITEM_QUANTITY].apply(lambda q: sum(map(int, q)))
    counts = orders.set_index(c.ORDER_ID)[c.ITEM_COUNT].astype(int)
    assert (per_order.reindex(counts.index) == counts).all()
    assert orders[c.AMOUNT].str.fullmatch(r"\d+\.\d{2}").all()


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="at least 1"):
        write_sample_export(tmp_path, orders=0)
    with pytest.raises(InputError, match="letters and digits"):
        write_sample_export(tmp_path, orders=1, stamp="../x")
