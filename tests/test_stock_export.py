"""What an export from stock keeps for each parcel's label, pick list and packing slip."""

from __future__ import annotations

import json

from batch_ship.couriers import get_courier
from batch_ship.parcels import build_parcels
from batch_ship.stock_export import label_data
from tests.test_parcels import IDS, items_frame, orders_frame


def test_label_data_holds_the_recipient_and_item_lines() -> None:
    courier = get_courier("zto")
    parcels = build_parcels(orders_frame(), items_frame(), courier, merge=True)
    first = json.loads(label_data(parcels, items_frame())[0])
    assert first["orders"] == [IDS[0], IDS[1]]
    assert first["address"] == "浙江省杭州市西湖区文三路1号"
    assert [line[0] for line in first["lines"]] == ["A1", "B2", "C3"]


def test_a_municipality_is_named_once_on_the_label() -> None:
    courier = get_courier("zto")
    orders = orders_frame().assign(province="北京市", city="北京市", district="朝阳区")
    parcels = build_parcels(orders, None, courier)
    addresses = [json.loads(record)["address"] for record in label_data(parcels, None)]
    assert addresses[0] == "北京市朝阳区文三路1号"
    assert all("北京市北京市" not in address for address in addresses)
