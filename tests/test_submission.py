"""Parcels, merging, item lines, rendered rows, file splitting and the exceptions rows."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from batch_ship.couriers import Courier, get_courier, load_courier_file
from batch_ship.spreadsheets.write import write_jobs
from batch_ship.submission import (
    EXCEPTION_CODE_HEADER,
    EXCEPTION_TEXT_HEADER,
    build_parcels,
    describe_codes,
    exception_rows,
    exceptions_job,
    ledger_parcels,
    render_rows,
    split_files,
    submission_jobs,
)
from batch_ship.workspace import Sender

SENDER = Sender(
    name="王五", phone="13800000000", province="浙江省", city="杭州市", district="余杭区",
    address="仓前街道1号",
)  # fmt: skip
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


def test_generic_rows_follow_the_template() -> None:
    courier = get_courier("generic")
    parcels = build_parcels(orders_frame(), items_frame(), courier, merge=True)
    rows = render_rows(courier, parcels, SENDER)
    assert tuple(rows.columns) == courier.headers
    first = rows.iloc[0].to_dict()
    assert first["订单编号"] == IDS[0]
    assert first["收件人手机/电话"] == "13925130165"
    assert first["收件人详细地址"] == "文三路1号"
    assert first["备注"] == f"{IDS[0]},{IDS[1]}"
    assert first["寄件人详细地址"] == "仓前街道1号"
    assert rows.iloc[2]["收件人详细地址"] == "=1+2"  # buyer text unchanged


def test_sf_rows_join_the_address_and_fill_constants() -> None:
    courier = get_courier("sf")
    rows = render_rows(courier, build_parcels(orders_frame(), None, courier), SENDER)
    first = rows.iloc[0]
    assert first["用户订单号"] == IDS[0]
    assert first["收件详细地址"] == "浙江省杭州市西湖区文三路1号"
    assert first["寄件详细地址"] == "浙江省杭州市余杭区仓前街道1号"
    assert first["运费付款方式"] == "寄付月结"
    assert first["收件电话"] == ""


def custom_courier(tmp_path: Path, columns: str, items: str = "") -> Courier:
    path = tmp_path / "couriers" / "custom.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        'name = "自定义"\nrows_per_file = 2\n'
        + items
        + '[[columns]]\nheader = "订单编号"\nvalue = "{{ parcel.reference }}"\n'
        + columns,
        encoding="utf-8",
    )
    return load_courier_file(path)


def test_non_plain_expressions_render_per_row_with_item_lists(tmp_path: Path) -> None:
    courier = custom_courier(
        tmp_path,
        '[[columns]]\nheader = "物品"\nvalue = \'{{ items | join("|") }}\'\n'
        '[[columns]]\nheader = "电话"\n'
        'value = \'{% if recipient.phone_kind == "landline" %}座机 {% endif %}'
        "{{ recipient.phone }}'\n",
        items='[items]\nformat = "{{ item.sku }}*{{ item.quantity }}"\n',
    )
    parcels = build_parcels(orders_frame(), items_frame(), courier, merge=True)
    rows = render_rows(courier, parcels, SENDER)
    assert rows["物品"].tolist() == ["A1*1|C3*3|B2*2", "D4*1", "*4"]
    assert rows["电话"].tolist() == ["13925130165", "13925130165", "座机 0571-87654321"]


def test_split_files_at_the_row_limit(tmp_path: Path) -> None:
    courier = custom_courier(tmp_path, "")
    parcels = build_parcels(orders_frame(), None, courier, merge=False)
    rows = render_rows(courier, parcels, SENDER)
    files = split_files(courier, rows, parcels.table["seq"].to_numpy())
    assert [entry.name for entry in files] == [
        "submission-custom-1.xlsx",
        "submission-custom-2.xlsx",
    ]
    assert [len(entry.rows) for entry in files] == [2, 2]
    recorded = ledger_parcels(parcels, files)
    assert recorded["file"].tolist() == [files[0].name] * 2 + [files[1].name] * 2
    assert recorded["file_row"].tolist() == [2, 3, 2, 3]
    assert recorded["seq"].tolist() == [1, 2, 3, 4]


def test_single_file_has_no_part_number() -> None:
    courier = get_courier("zto")
    parcels = build_parcels(orders_frame(), None, courier)
    files = split_files(courier, render_rows(courier, parcels, SENDER), parcels.table["seq"])
    assert [entry.name for entry in files] == ["submission-zto.xlsx"]


def test_written_submission_reads_back_as_text(tmp_path: Path) -> None:
    courier = get_courier("zto")
    parcels = build_parcels(orders_frame(), items_frame(), courier)
    rows = render_rows(courier, parcels, SENDER)
    files = split_files(courier, rows, parcels.table["seq"].to_numpy())
    [path] = write_jobs(submission_jobs(tmp_path, courier, files))
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    assert [cell.value for cell in sheet[1]] == list(courier.headers)
    assert sheet["A2"].value == IDS[0]
    assert sheet["A2"].data_type == "s"
    assert sheet["A2"].number_format == "@"
    assert sheet["C2"].value == "13925130165"
    assert sheet["C2"].number_format == "@"
    assert sheet["G4"].value == "=1+2"
    assert sheet["G4"].data_type == "s"


def test_empty_input_gives_no_parcels() -> None:
    courier = get_courier("generic")
    parcels = build_parcels(orders_frame().iloc[0:0], None, courier)
    assert len(parcels) == 0
    assert len(render_rows(courier, parcels, SENDER)) == 0


def test_exception_rows_keep_original_columns_and_replace_old_codes(tmp_path: Path) -> None:
    original = pd.DataFrame(
        {
            "订单编号": ['="4012500868239927921"', '="4012500868239927922"'],
            "收货人姓名": ["", "李四"],
            "联系手机": ["'138****5678", "'13925130165"],
            "异常代码": ["old", "old"],
        }
    )
    rows = exception_rows(
        original,
        pd.Series(IDS[:2]),
        pd.Series(["name-missing,phone-masked", "address-unresolved"]),
    )
    assert list(rows.columns) == [
        EXCEPTION_CODE_HEADER, EXCEPTION_TEXT_HEADER, "订单编号", "收货人姓名", "联系手机",
    ]  # fmt: skip
    assert rows["订单编号"].tolist() == IDS[:2]
    assert rows.loc[0, EXCEPTION_TEXT_HEADER].startswith("收货人姓名为空")
    assert "; " in rows.loc[0, EXCEPTION_TEXT_HEADER]
    path = exceptions_job(tmp_path / "exceptions.xlsx", rows).write()
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    # the codes first, in sight while scrolling: header row and both columns frozen
    assert [sheet["A1"].value, sheet["B1"].value] == ["异常代码", "异常说明"]
    assert sheet.freeze_panes == "C2"
    assert sheet["C2"].value == IDS[0]
    assert sheet["C2"].number_format == "@"
    assert sheet["A2"].value == "name-missing,phone-masked"


def test_describe_codes_unknown_code_passes_through() -> None:
    assert describe_codes("phone-missing,zzz") == "收货人电话为空 / recipient phone is missing; zzz"


@pytest.mark.parametrize("merge", [True, False])
def test_every_order_lands_in_exactly_one_parcel(merge: bool) -> None:
    parcels = build_parcels(orders_frame(), items_frame(), get_courier("generic"), merge=merge)
    listed = ",".join(parcels.table["order_ids"]).split(",")
    assert sorted(listed) == sorted(IDS)


def test_no_parcels_means_no_submission_file() -> None:
    courier = get_courier("zto")
    parcels = build_parcels(orders_frame().iloc[0:0], None, courier)
    rows = render_rows(courier, parcels, SENDER)
    assert split_files(courier, rows, parcels.table["seq"].to_numpy()) == []
    assert len(ledger_parcels(parcels, [])) == 0


def test_every_column_but_quantity_gets_the_text_format(tmp_path: Path) -> None:
    courier = get_courier("generic")
    parcels = build_parcels(orders_frame(), items_frame(), courier)
    files = split_files(courier, render_rows(courier, parcels, SENDER), parcels.table["seq"])
    [path] = write_jobs(submission_jobs(tmp_path, courier, files))
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    formats = {
        str(sheet.cell(1, col).value): sheet.cell(2, col).number_format for col in range(1, 18)
    }
    text = {header for header, number_format in formats.items() if number_format == "@"}
    assert set(formats) - text == {"数量"}
    assert all(cell.data_type == "s" for cell in sheet[2] if cell.value is not None)


def test_orders_are_listed_by_parcel_when_merged_orders_are_apart() -> None:
    frame = orders_frame().iloc[[0, 2, 3, 1]]
    parcels = build_parcels(frame, items_frame(), get_courier("generic"), merge=True)
    assert parcels.table["order_ids"].tolist() == [f"{IDS[0]},{IDS[1]}", IDS[2], IDS[3]]
    assert parcels.orders["order_id"].tolist() == [IDS[0], IDS[1], IDS[2], IDS[3]]
    assert parcels.orders["seq"].tolist() == [1, 1, 2, 3]


def test_parts_are_written_in_order_each_with_its_rows(tmp_path: Path) -> None:
    courier = custom_courier(tmp_path, "")  # two rows per file
    orders = pd.concat([orders_frame()] * 3, ignore_index=True)
    orders["order_id"] = [f"40125008682399{index:05d}" for index in range(len(orders))]
    parcels = build_parcels(orders, None, courier, merge=False)
    rows = render_rows(courier, parcels, SENDER)
    files = split_files(courier, rows, parcels.table["seq"].to_numpy())
    assert len(files) >= 3
    paths = write_jobs(submission_jobs(tmp_path / "out", courier, files))
    assert [path.name for path in paths] == [entry.name for entry in files]
    read_back = []
    for path in paths:
        sheet = openpyxl.load_workbook(path).active
        assert sheet is not None
        read_back += [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert read_back == rows["订单编号"].tolist()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in paths)
