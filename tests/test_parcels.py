"""Parcels: orders merged by recipient, item lines rendered by the template, quantities."""

from __future__ import annotations

import pandas as pd
import pytest

from batch_ship.couriers import get_courier
from batch_ship.parcels import build_parcels

IDS = ["4012500868239927921", "4012500868239927922", "4012500868239927923", "4012500868239927924"]


def orders_frame() -> pd.DataFrame:
    """Four orders: the first two share buyer, name, phone and address; the third has the same
    recipient but another buyer; the fourth has no item lines."""
    return pd.DataFrame(
        {
            "order_id": IDS,
            "buyer": ["tb_a", "tb_a", "tb_b", "tb_c"],
            "titles": ["标题一", "标题二", "标题三", "旧标题"],
            "item_count": ["1", "2", "1", "4"],
            "buyer_message": ["", "快点", "", ""],
            "seller_note": ["", "", "", ""],
            "paid_at": ["2026-11-26 09:00:00"] * 4,
            "recipient_name": ["张三", "张三", "张三", "李四"],
            "phone": ["13925130165", "13925130165", "13925130165", "0571-87654321"],
            "phone_kind": ["mobile", "mobile", "mobile", "landline"],
            "province": ["浙江省"] * 4,
            "city": ["杭州市"] * 4,
            "district": ["西湖区", "西湖区", "西湖区", ""],
            "detail": ["文三路1号", "文三路1号", "文三路1号", "=1+2"],
            "postcode": ["310000", "310000", "310000", ""],
        }
    )


def items_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "order_id": [IDS[0], IDS[1], IDS[0], IDS[2]],
            "title": ["连衣裙", "T恤", "帽子", "袜子"],
            "sku": ["A1", "B2", "C3", "D4"],
            "properties": ["颜色分类：黑色;尺码：XL", "", "", ""],
            "quantity": ["1", "2", "3", "1"],
            "price": ["99.00", "10.00", "5.00", "1.00"],
        }
    )


def test_merge_groups_same_buyer_and_address() -> None:
    parcels = build_parcels(orders_frame(), items_frame(), get_courier("generic"), merge=True)
    table = parcels.table
    assert table["seq"].tolist() == [1, 2, 3]
    assert table["reference"].tolist() == [IDS[0], IDS[2], IDS[3]]
    assert table.loc[0, "order_ids"] == f"{IDS[0]},{IDS[1]}"
    assert table["order_count"].tolist() == ["2", "1", "1"]
    # item lines in item-report order within each order, orders in file order
    assert table.loc[0, "items"] == "连衣裙 [颜色分类：黑色;尺码：XL] ×1; 帽子 ×3; T恤 ×2"
    assert table.loc[0, "quantity"] == "6"
    assert table.loc[2, "items"] == "旧标题 ×4"  # no item lines: the order report's title
    assert table.loc[2, "quantity"] == "4"
    assert parcels.orders["seq"].tolist() == [1, 1, 2, 3]
    assert parcels.orders["order_id"].tolist() == IDS


def test_a_buyers_orders_merge_only_where_every_recipient_field_agrees() -> None:
    # tb_a orders three times: twice to one address (apart in the file), once to another; the
    # others order once. Parcels are numbered in order of their first order.
    base = orders_frame().iloc[[0, 0, 0, 0, 0, 3]].reset_index(drop=True)
    ids = [f"40125008682399279{n:02d}" for n in range(30, 36)]
    frame = base.assign(
        order_id=ids,
        buyer=["tb_x", "tb_a", "tb_y", "tb_a", "tb_a", "tb_z"],
        detail=["文三路1号", "文三路1号", "文三路1号", "文三路2号", "文三路1号", "文三路1号"],
    )
    parcels = build_parcels(frame, None, get_courier("generic"), merge=True)
    assert parcels.table["order_ids"].tolist() == [
        ids[0], f"{ids[1]},{ids[4]}", ids[2], ids[3], ids[5],
    ]  # fmt: skip
    assert parcels.orders["seq"].tolist() == [1, 2, 2, 3, 4, 5]


def test_no_merge_gives_one_parcel_per_order() -> None:
    parcels = build_parcels(orders_frame(), items_frame(), get_courier("generic"), merge=False)
    assert len(parcels) == 4
    assert parcels.table["order_ids"].tolist() == IDS
    assert parcels.table["quantity"].tolist() == ["4", "2", "1", "4"]


def test_without_item_report_titles_and_counts_are_used() -> None:
    parcels = build_parcels(orders_frame(), None, get_courier("generic"), merge=True)
    assert parcels.table.loc[0, "items"] == "标题一 ×1; 标题二 ×2"
    assert parcels.table.loc[0, "quantity"] == "3"


@pytest.mark.parametrize("merge", [True, False])
def test_every_order_lands_in_exactly_one_parcel(merge: bool) -> None:
    parcels = build_parcels(orders_frame(), items_frame(), get_courier("generic"), merge=merge)
    listed = ",".join(parcels.table["order_ids"]).split(",")
    assert sorted(listed) == sorted(IDS)


def test_orders_are_listed_by_parcel_when_merged_orders_are_apart() -> None:
    frame = orders_frame().iloc[[0, 2, 3, 1]]
    parcels = build_parcels(frame, items_frame(), get_courier("generic"), merge=True)
    assert parcels.table["order_ids"].tolist() == [f"{IDS[0]},{IDS[1]}", IDS[2], IDS[3]]
    assert parcels.orders["order_id"].tolist() == [IDS[0], IDS[1], IDS[2], IDS[3]]
    assert parcels.orders["seq"].tolist() == [1, 1, 2, 3]
