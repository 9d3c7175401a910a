"""The Taobao reader on real-format files written into tmp_path (GBK bytes, CRLF, quirks)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from batch_ship import read_orders
from batch_ship.errors import InputError
from batch_ship.model import OrderStatus
from batch_ship.samples.vocabulary import ITEM_HEADERS, ORDER_HEADERS
from batch_ship.sources import canonical as c
from batch_ship.sources.taobao import find_item_report
from tests.conftest import SAMPLE_DATA

ID1, ID2, ID3 = "4012500868239927921", "4012500868239927922", "401250086823992792"


def order_row(order_id: str = ID1, **values: str) -> dict[str, str]:
    """One classic-layout row with realistic defaults; keys are headers without trailing space."""
    row = {header.strip(): "" for header in ORDER_HEADERS}
    row.update(
        {
            "订单编号": f'="{order_id}"',
            "买家会员名": "tb_buyer",
            "买家实际支付金额": "128.50",
            "订单状态": "买家已付款，等待卖家发货",
            "收货人姓名": "王小明",
            "收货地址": "浙江省 杭州市 西湖区 文三路478号(310013)",
            "联系手机": "'13925130165",
            "订单付款时间": "2026-11-25 09:01:12",
            "宝贝标题": "纯棉T恤",
            "宝贝总数量": "1",
        }
    )
    row.update(values)
    return row


def _field(value: str) -> str:
    if value.startswith('="'):
        return value  # written raw, as the seller centre does
    if any(ch in value for ch in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def order_csv(rows: list[dict[str, str]], headers: tuple[str, ...] = ORDER_HEADERS) -> str:
    lines = [",".join(headers)]
    for row in rows:
        lines.append(",".join(_field(row.get(h.strip(), "")) for h in headers))
    return "\r\n".join(lines) + "\r\n"


def write_order_report(
    folder: Path, rows: list[dict[str, str]], name: str = "ExportOrderList202611260900.csv"
) -> Path:
    path = folder / name
    path.write_bytes(order_csv(rows).encode("gbk"))
    return path


def write_item_report(
    folder: Path,
    lines: list[tuple[str, str, str, str]],
    name: str = "ExportOrderDetailList202611260900.csv",
) -> Path:
    """lines: (order id, title, price, quantity); every row ends with the stray comma."""
    text = [",".join(ITEM_HEADERS) + ","]
    for order_id, title, price, quantity in lines:
        text.append(
            f'="{order_id}",{title},{price},{quantity},,颜色分类：白色,,,买家已付款，等待卖家发货,'
            f"SKU-{quantity},"
        )
    path = folder / name
    path.write_bytes(("\r\n".join(text) + "\r\n").encode("gbk"))
    return path


def test_classic_gbk_report_reads_into_canonical_text_columns(tmp_path: Path) -> None:
    path = write_order_report(
        tmp_path,
        [
            order_row(ID1, 联系电话="'0571-87654321"),
            order_row(ID2, 买家留言="请放门卫\n谢谢", 收货人姓名='=HYPERLINK("x","y")'),
        ],
    )
    table = read_orders(path)
    orders = table.orders
    assert list(orders.columns) == [*c.ORDER_COLUMNS, "duplicate"]
    assert all(str(orders[col].dtype) == "str" for col in c.ORDER_COLUMNS)
    first = orders.iloc[0]
    assert first[c.ORDER_ID] == ID1
    assert first[c.MOBILE] == "13925130165"
    assert first[c.TELEPHONE] == "0571-87654321"
    assert first[c.STATUS] == OrderStatus.AWAITING_SHIPMENT.value
    assert first[c.RAW_STATUS] == "买家已付款，等待卖家发货"
    assert first[c.ADDRESS] == "浙江省 杭州市 西湖区 文三路478号(310013)"
    assert first[c.AMOUNT] == "128.50"
    assert first[c.PAID_AT] == "2026-11-25 09:01:12"
    assert first[c.SOURCE] == path.name
    assert first[c.ROW] == "2"
    second = orders.iloc[1]
    assert second[c.BUYER_MESSAGE] == "请放门卫\n谢谢"
    assert second[c.NAME] == '=HYPERLINK("x","y")'
    assert second[c.ROW] == "3"
    assert table.problems == []


def test_original_keeps_the_files_columns_cleaned_and_row_aligned(tmp_path: Path) -> None:
    path = write_order_report(tmp_path, [order_row(ID1), order_row(ID2, 收货人姓名="李静")])
    original = read_orders(path).original
    assert len(original.columns) == 46
    assert "收货地址" in original.columns  # trailing space of the header stripped
    assert "收货地址 " not in original.columns
    assert original["订单编号"].tolist() == [ID1, ID2]
    assert original["联系手机"].tolist() == ["13925130165"] * 2
    assert original["收货人姓名"].tolist() == ["王小明", "李静"]


def test_item_report_beside_the_order_report_is_found(tmp_path: Path) -> None:
    path = write_order_report(tmp_path, [order_row(ID1), order_row(ID2)])
    write_item_report(tmp_path, [(ID1, "纯棉T恤", "39.9", "2"), (ID1, "袜子", "9.90", "1")])
    table = read_orders(path)
    items = table.items
    assert list(items.columns) == list(c.ITEM_COLUMNS)
    assert items[c.ORDER_ID].tolist() == [ID1, ID1]
    assert items[c.ITEM_TITLE].tolist() == ["纯棉T恤", "袜子"]
    assert items[c.ITEM_PRICE].tolist() == ["39.90", "9.90"]
    assert items[c.ITEM_QUANTITY].tolist() == ["2", "1"]
    assert items[c.ITEM_SKU].tolist() == ["SKU-2", "SKU-1"]
    assert items[c.ITEM_PROPERTIES].tolist() == ["颜色分类：白色"] * 2
    assert [p.name for p in table.sources] == [path.name, "ExportOrderDetailList202611260900.csv"]


def test_item_report_beside_as_xlsx_and_explicit_empty_items(tmp_path: Path) -> None:
    path = write_order_report(tmp_path, [order_row(ID1)])
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([*ITEM_HEADERS])
    sheet.append([ID1, "纯棉T恤", 39.9, 1, None, "", None, None, "等待卖家发货", "A1"])
    book.save(tmp_path / "ExportOrderDetailList202611260900.xlsx")
    assert find_item_report(path) == tmp_path / "ExportOrderDetailList202611260900.xlsx"
    items = read_orders(path).items
    assert items[c.ITEM_PRICE].tolist() == ["39.90"]
    assert items[c.ITEM_QUANTITY].tolist() == ["1"]
    assert len(read_orders(path, items=[]).items) == 0


def test_every_known_status_maps_and_unknown_is_reported(tmp_path: Path) -> None:
    statuses = {
        "买家已付款，等待卖家发货": OrderStatus.AWAITING_SHIPMENT,
        "等待卖家发货": OrderStatus.AWAITING_SHIPMENT,
        "买家已付款,等待卖家发货": OrderStatus.AWAITING_SHIPMENT,
        "卖家部分发货": OrderStatus.PARTIALLY_SHIPPED,
        "卖家已发货，等待买家确认": OrderStatus.SHIPPED,
        "交易成功": OrderStatus.COMPLETED,
        "交易关闭": OrderStatus.CLOSED,
        "付款以后用户退款成功，交易自动关闭": OrderStatus.CLOSED,
        "等待买家付款": OrderStatus.AWAITING_PAYMENT,
        "等待成团": OrderStatus.UNKNOWN,
    }
    rows = [
        order_row(f"40125008682399279{index:02d}", 订单状态=text)
        for index, text in enumerate(statuses)
    ]
    table = read_orders(write_order_report(tmp_path, rows))
    assert table.orders[c.STATUS].tolist() == [s.value for s in statuses.values()]
    assert table.orders[c.RAW_STATUS].iloc[-1] == "等待成团"
    (problem,) = table.problems
    assert problem.code == "unknown-status"
    assert problem.rows == (11,)
    assert "等待成团" in problem.message


def test_duplicate_rows_are_flagged_first_occurrence_false(tmp_path: Path) -> None:
    path = write_order_report(tmp_path, [order_row(ID1), order_row(ID2), order_row(ID1)])
    table = read_orders(path)
    assert table.orders["duplicate"].tolist() == [False, False, True]
    assert table.orders["duplicate"].dtype == bool
    assert [(p.code, p.rows) for p in table.problems] == [("duplicate-row", (4,))]


def test_rows_are_the_spreadsheet_rows_across_blank_lines_and_quoted_line_breaks(
    tmp_path: Path,
) -> None:
    # A blank line is an (empty) row in a spreadsheet program, and a buyer message over three
    # lines is one row: reported rows must count the first and not the second.
    header, first, second, repeat = order_csv(
        [order_row(ID1, 买家留言="请放门卫\n\n谢谢"), order_row(ID2), order_row(ID1)]
    ).split("\r\n")[:4]
    text = "\r\n".join([header, first, "", second, "", "", repeat, "", ""])
    path = tmp_path / "ExportOrderList202611260900.csv"
    path.write_bytes(text.encode("gbk"))
    seen = list(csv.reader(io.StringIO(text, newline="")))  # one record per spreadsheet row
    expected = [str(number) for number, record in enumerate(seen, 1) if record and number > 1]
    assert expected == ["2", "4", "7"]

    table = read_orders(path)
    assert table.orders[c.ORDER_ID].tolist() == [ID1, ID2, ID1]
    assert table.orders[c.ROW].tolist() == expected
    assert table.orders[c.BUYER_MESSAGE].iloc[0] == "请放门卫\n\n谢谢"
    assert [(p.code, p.rows) for p in table.problems] == [("duplicate-row", (7,))]


def test_multiple_order_files_concatenate_and_duplicates_cross_files(tmp_path: Path) -> None:
    first = write_order_report(tmp_path, [order_row(ID1)], "ExportOrderList1.csv")
    second = write_order_report(tmp_path, [order_row(ID2), order_row(ID1)], "ExportOrderList2.csv")
    table = read_orders([first, second])
    assert table.orders[c.ORDER_ID].tolist() == [ID1, ID2, ID1]
    assert table.orders[c.SOURCE].tolist() == [first.name, second.name, second.name]
    assert table.orders[c.ROW].tolist() == ["2", "2", "3"]
    assert table.orders["duplicate"].tolist() == [False, False, True]
    assert len(table.original) == 3


def test_utf8_with_and_without_bom_and_newer_headers(tmp_path: Path) -> None:
    headers = tuple(
        {
            "买家会员名": "买家会员昵称",
            "订单付款时间 ": "买家付款时间",
            "买家实际支付金额": "买家实付金额",
        }.get(h, h)
        for h in ORDER_HEADERS
    )
    row = order_row(
        ID1, 买家会员昵称="小明同学", 买家付款时间="2026/11/5 9:01", 买家实付金额="¥128.5"
    )
    text = order_csv([row], headers)
    for name, data in (("bom.csv", b"\xef\xbb\xbf" + text.encode()), ("plain.csv", text.encode())):
        (tmp_path / name).write_bytes(data)
        orders = read_orders(tmp_path / name).orders
        assert orders[c.BUYER].tolist() == ["小明同学"]
        assert orders[c.PAID_AT].tolist() == ["2026-11-05 09:01:00"]
        assert orders[c.AMOUNT].tolist() == ["128.50"]
        assert orders[c.ORDER_ID].tolist() == [ID1]


def test_header_cells_with_equals_and_quotes_match(tmp_path: Path) -> None:
    text = '="订单编号","订单状态 ",\'联系手机\r\n="4012500868239927921",交易成功,\'13925130165\r\n'
    (tmp_path / "odd.csv").write_bytes(text.encode("gbk"))
    orders = read_orders(tmp_path / "odd.csv").orders
    assert orders[c.ORDER_ID].tolist() == [ID1]
    assert orders[c.STATUS].tolist() == ["completed"]
    assert orders[c.MOBILE].tolist() == ["13925130165"]
    assert orders[c.ADDRESS].tolist() == [""]


def test_binary_file_object_input(tmp_path: Path) -> None:
    data = order_csv([order_row(ID3)]).encode("gbk")
    table = read_orders(io.BytesIO(data))
    assert table.orders[c.ORDER_ID].tolist() == [ID3]  # 18 digits are fine too


def test_mangled_order_numbers_are_refused_naming_rows(tmp_path: Path) -> None:
    rows = [order_row(ID1)] + [
        order_row("x", 订单编号="4.0125E+18") for _ in range(7)
    ]  # a spreadsheet re-save
    path = write_order_report(tmp_path, rows)
    with pytest.raises(InputError) as caught:
        read_orders(path)
    text = str(caught.value)
    assert path.name in text
    assert "7 order number(s)" in text
    assert "rows 3, 4, 5, 6, 7 and 2 more" in text
    assert "4.0125E+18" in text
    assert "re-export" in text.lower() or "export the report again" in text
    assert caught.value.row == 3


def test_order_numbers_padded_with_zeros_by_a_spreadsheet_are_refused(tmp_path: Path) -> None:
    rows = [order_row("4012500868239920000"), order_row("4012500868239930000")]
    with pytest.raises(InputError, match="15 significant digits"):
        read_orders(write_order_report(tmp_path, rows))


def test_bad_order_numbers_are_refused(tmp_path: Path) -> None:
    path = write_order_report(tmp_path, [order_row(ID1), order_row("12345")])
    with pytest.raises(InputError, match=r"not 17-19 digits \(rows 3: '12345'\)"):
        read_orders(path)


def test_missing_order_number_column(tmp_path: Path) -> None:
    path = tmp_path / "ExportOrderList1.csv"
    path.write_bytes("收货人姓名,订单状态\r\n王小明,交易成功\r\n".encode("gbk"))
    with pytest.raises(InputError) as caught:
        read_orders(path)
    assert "no 订单编号" in str(caught.value)
    assert path.name in str(caught.value)
    assert "Fix:" in str(caught.value)


def test_item_report_given_as_order_report(tmp_path: Path) -> None:
    path = write_item_report(tmp_path, [(ID1, "T恤", "9.90", "1")])
    with pytest.raises(InputError, match="item report"):
        read_orders(path)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \r\n", "empty"),
        (b"\x00\x01\x02binary\x00junk" * 20, "binary"),
        (b"PK\x03\x04truncated zip", "cannot be opened"),
        ("订单编号\r\n".encode("gbk") + b"\x81\x20\xff\xff\r\n", "neither UTF-8 nor GB18030"),
    ],
)
def test_bad_files_raise_input_error_naming_file_and_fix(
    tmp_path: Path, data: bytes, message: str
) -> None:
    path = tmp_path / "ExportOrderList1.csv"
    path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        read_orders(path)
    text = str(caught.value)
    assert message in text
    assert path.name in text
    assert "Fix:" in text


def test_truncated_xlsx_is_refused(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["订单编号", "订单状态"])
    sheet.append([ID1, "交易成功"])
    whole = tmp_path / "whole.xlsx"
    book.save(whole)
    cut = tmp_path / "ExportOrderList1.xlsx"
    cut.write_bytes(whole.read_bytes()[:-300])
    with pytest.raises(InputError, match="cannot be opened") as caught:
        read_orders(cut)
    assert cut.name in str(caught.value)


def test_xlsx_resave_with_text_ids_reads_and_numeric_ids_are_refused(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["订单编号", "订单状态", "联系手机", "买家实际支付金额", "订单付款时间"])
    sheet.append([ID1, "交易成功", 13925130165, 128.5, pd.Timestamp("2026-11-25 09:01:12")])
    good = tmp_path / "good.xlsx"
    book.save(good)
    orders = read_orders(good).orders
    assert orders[c.ORDER_ID].tolist() == [ID1]
    assert orders[c.MOBILE].tolist() == ["13925130165"]
    assert orders[c.AMOUNT].tolist() == ["128.50"]
    assert orders[c.PAID_AT].tolist() == ["2026-11-25 09:01:12"]

    sheet.append([4012500868239927922, "交易成功", None, None, None])  # stored as a number
    bad = tmp_path / "bad.xlsx"
    book.save(bad)
    with pytest.raises(InputError, match=r"turned into numbers .* rows 3") as caught:
        read_orders(bad)
    assert "bad.xlsx" in str(caught.value)


def test_legacy_xls_resave_reads_like_the_csv(tmp_path: Path) -> None:
    import xlwt  # a dev dependency: the only maintained-enough writer of legacy .xls files

    rows = [order_row(ID1), order_row(ID2, 订单状态="交易成功", 联系手机="'13800138000")]
    from_csv = read_orders(write_order_report(tmp_path, rows)).orders
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("订单")
    headers = [h.strip() for h in ORDER_HEADERS]
    for column, header in enumerate(headers):
        sheet.write(0, column, header)
    for number, row in enumerate(rows, start=1):
        for column, header in enumerate(headers):
            value = row.get(header, "")
            # A person re-saving the report keeps ids as text; the `="…"` wrapper is gone.
            sheet.write(number, column, value[2:-1] if value.startswith('="') else value)
    path = tmp_path / "ExportOrderList202611261200.xls"
    book.save(str(path))
    from_xls = read_orders(path).orders
    assert from_xls[c.ORDER_ID].tolist() == [ID1, ID2]
    compared = [c.ORDER_ID, c.STATUS, c.NAME, c.MOBILE, c.ADDRESS, c.AMOUNT, c.PAID_AT]
    assert from_xls[compared].to_dict("records") == from_csv[compared].to_dict("records")


def test_exceptions_workbook_reads_back_as_an_order_report(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    headers = [h.strip() for h in ORDER_HEADERS] + ["异常代码", "异常说明"]
    sheet.append(headers)
    row = order_row(ID1, 联系手机="13925130165")
    row["订单编号"] = ID1
    sheet.append([row.get(h, "") for h in headers[:-2]] + ["phone-masked", "电话被打码"])
    path = tmp_path / "exceptions.xlsx"
    book.save(path)
    table = read_orders(path)
    assert table.orders[c.ORDER_ID].tolist() == [ID1]
    assert table.orders[c.STATUS].tolist() == ["awaiting-shipment"]
    assert "异常代码" not in table.original.columns
    assert "异常说明" not in table.original.columns
    assert len(table.original.columns) == 46


def test_title_rows_above_the_header_are_skipped(tmp_path: Path) -> None:
    text = "订单报表\r\n\r\n" + order_csv([order_row(ID1)])
    path = tmp_path / "ExportOrderList1.csv"
    path.write_bytes(text.encode("gbk"))
    orders = read_orders(path).orders
    assert orders[c.ORDER_ID].tolist() == [ID1]
    assert orders[c.ROW].tolist() == ["4"]


def test_trailing_empty_rows_are_ignored(tmp_path: Path) -> None:
    text = order_csv([order_row(ID1)]) + "," * 45 + "\r\n"
    path = tmp_path / "ExportOrderList1.csv"
    path.write_bytes(text.encode("gbk"))
    assert read_orders(path).orders[c.ORDER_ID].tolist() == [ID1]


def test_golden_sample_pair(tmp_path: Path) -> None:
    table = read_orders(SAMPLE_DATA / "ExportOrderList202611261000.csv")
    orders = table.orders.set_index(c.ORDER_ID)
    assert len(orders) == 24
    assert len(table.items) == 27
    assert orders.loc["4012500868239927925", c.MOBILE] == "18400005678转1234"
    assert orders.loc["4012500868239927926", c.TELEPHONE] == "0571-87654321"
    assert orders.loc["4012500868239927936", c.BUYER_MESSAGE] == "请放门卫\n谢谢"
    assert orders.loc["4012500868239927942", c.STATUS] == "awaiting-payment"
    assert orders.loc["4012500868239927942", c.PAID_AT] == ""
    assert (orders[c.STATUS] == "awaiting-shipment").sum() == 19


def test_golden_spreadsheet_resave_is_refused() -> None:
    with pytest.raises(InputError, match="turned into numbers"):
        read_orders(SAMPLE_DATA / "resaved_by_spreadsheet_ids_as_numbers.csv")


def test_golden_newer_headers_utf8_bom() -> None:
    orders = read_orders(SAMPLE_DATA / "newer_headers_utf8_bom.csv").orders
    assert len(orders) == 8
    assert orders[c.BUYER].iloc[1] == "北京的李姐"
    assert orders[c.PAID_AT].iloc[0] == "2026-11-25 09:01:00"
    assert orders[c.AMOUNT].iloc[0] == "39.90"


def test_bad_order_number_cells_are_not_printed_whole(tmp_path: Path) -> None:
    path = write_order_report(tmp_path, [order_row(ID1), order_row("x", 订单编号="13925130165")])
    with pytest.raises(InputError) as caught:
        read_orders(path)
    assert "13925130165" not in str(caught.value)
    assert "'1392…' (11 characters)" in str(caught.value)


def test_padded_cells_are_stripped_in_orders_and_kept_in_original(tmp_path: Path) -> None:
    padded = order_row(ID1, 联系手机="'13925130165 ", 买家实际支付金额=" 128.50", 宝贝总数量=" 2 ")
    path = write_order_report(tmp_path, [padded, order_row(ID2)])
    table = read_orders(path)
    orders = table.orders
    assert orders[c.MOBILE].tolist() == ["13925130165", "13925130165"]
    assert orders[c.AMOUNT].tolist() == ["128.50", "128.50"]
    assert orders[c.ITEM_COUNT].tolist() == ["2", "1"]
    assert orders[c.ORDER_ID].tolist() == [ID1, ID2]
    # the report's own columns keep the cells as the file had them (markers removed)
    assert table.original["联系手机"].tolist() == ["13925130165 ", "13925130165"]
    assert table.original["宝贝总数量"].tolist() == [" 2 ", "1"]
    assert all(orders[name].dtype == "str" for name in c.ORDER_COLUMNS)
