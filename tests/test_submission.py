"""Submission workbooks: rows rendered from a courier template, file splitting, text cells."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import openpyxl
import pandas as pd

from batch_ship.couriers import Courier, get_courier, load_courier_file
from batch_ship.parcels import build_parcels
from batch_ship.spreadsheets.write import write_jobs
from batch_ship.submission import ledger_parcels, render_rows, split_files, submission_jobs
from batch_ship.workspace import Sender
from tests.test_parcels import IDS, items_frame, orders_frame

SENDER = Sender(
    name="王五", phone="13800000000", province="浙江省", city="杭州市", district="余杭区",
    address="仓前街道1号",
)  # fmt: skip


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


def test_a_municipality_is_named_once_in_the_joined_address() -> None:
    courier = get_courier("sf")
    orders = orders_frame().assign(province="重庆市", city="重庆市", district="渝中区")
    rows = render_rows(courier, build_parcels(orders, None, courier), SENDER)
    assert rows.iloc[0]["收件详细地址"] == "重庆市渝中区文三路1号"


def written_sf_sender_address(tmp_path: Path, sender: Sender) -> str:
    """寄件详细地址 of the first row, read back from the SF workbook written for `sender`."""
    courier = get_courier("sf")
    parcels = build_parcels(orders_frame(), None, courier)
    files = split_files(courier, render_rows(courier, parcels, sender), parcels.table["seq"])
    [path] = write_jobs(submission_jobs(tmp_path, courier, files))
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    headers = [cell.value for cell in sheet[1]]
    return str(sheet.cell(2, headers.index("寄件详细地址") + 1).value)


def test_sf_names_a_municipal_sender_once(tmp_path: Path) -> None:
    sender = replace(
        SENDER, province="重庆市", city="重庆市", district="渝中区", address="解放碑1号"
    )
    written = written_sf_sender_address(tmp_path, sender)
    assert written.count("重庆市") == 1
    assert written == "重庆市渝中区解放碑1号"


def test_sf_writes_a_provincial_sender_province_to_street(tmp_path: Path) -> None:
    assert written_sf_sender_address(tmp_path, SENDER) == "浙江省杭州市余杭区仓前街道1号"


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
