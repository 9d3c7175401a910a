"""Column mappings: the TOML checked with clear messages, files read through them."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from batch_ship.errors import ConfigError, InputError
from batch_ship.progress import no_progress
from batch_ship.sources import canonical as c
from batch_ship.sources.mapping import ColumnMapping, load_mapping
from tests.conftest import SAMPLE_DATA

SHEET = SAMPLE_DATA / "order-sheet-20261126.csv"

MINIMAL = """
name = "小店表格"
[columns]
order_id = "单号"
name = "姓名"
mobile = "电话"
address = "地址"
"""


def mapping(tmp_path: Path, text: str, code: str = "mine") -> ColumnMapping:
    path = tmp_path / f"{code}.toml"
    path.write_text(text, encoding="utf-8")
    return load_mapping(code, path)


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    path.write_text("\n".join(",".join(row) for row in rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[columns\n", "not valid TOML"),
        ('colums = {order_id = "x"}', "unknown key\\(s\\) colums"),
        ('name = "x"', "no \\[columns\\] table"),
        (MINIMAL + 'weight = "重量"\n', "unknown field 'weight'"),
        (MINIMAL.replace('address = "地址"', "address = 3"), "address must be a header"),
        (MINIMAL.replace('address = "地址"', ""), "lacks address"),
        (MINIMAL.replace('mobile = "电话"', ""), "lacks mobile or telephone"),
        (MINIMAL + 'status = "状态"\n', "\\[statuses\\] is empty"),
        (MINIMAL + '[statuses]\n"待发货" = "ready"\n', "unknown status 'ready'"),
        ('default_status = "later"\n' + MINIMAL, "unknown status 'later'"),
        (MINIMAL + 'contact = "收货信息"\n', "maps both contact and address"),
        ('[columns]\ncontact = "收货信息"\n', "lacks order_id"),
    ],
)
def test_a_wrong_mapping_says_what_and_where(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        mapping(tmp_path, text)
    assert caught.value.path == tmp_path / "mine.toml"


def test_one_row_per_order_without_a_status_column(tmp_path: Path) -> None:
    source = mapping(tmp_path, MINIMAL)
    assert not source.item_lines
    path = write_csv(
        tmp_path / "orders.csv",
        [
            ["单号", "姓名", "电话", "地址", "备注"],
            ["A-1", "王小明", "'13925130165", "浙江省杭州市西湖区文三路478号", "x"],
            ["A-2", "李静", "13601012345", "北京市朝阳区建国路88号", ""],
            ["A-1", "王小明", "13925130165", "浙江省杭州市西湖区文三路478号", "again"],
        ],
    )
    table = source.read([path], [], no_progress)
    assert table.orders[c.ORDER_ID].tolist() == ["A-1", "A-2", "A-1"]
    assert table.orders["duplicate"].tolist() == [False, False, True]
    assert table.orders[c.STATUS].unique().tolist() == ["awaiting-shipment"]
    assert table.orders[c.MOBILE].tolist()[0] == "13925130165"  # the text marker removed
    assert table.orders[c.ROW].tolist() == ["2", "3", "4"]
    assert list(table.original.columns) == ["单号", "姓名", "电话", "地址", "备注"]
    assert len(table.items) == 0
    assert [problem.code for problem in table.problems] == ["duplicate-row"]


def test_item_lines_statuses_and_joined_address() -> None:
    table = load_mapping(
        "order-sheet", Path(__file__).parents[1] / "templates" / "sources" / "order-sheet.toml"
    ).read([SHEET], [], no_progress)
    orders = table.orders.set_index(c.ORDER_ID)
    assert len(orders) == 7
    assert not table.orders["duplicate"].any()
    assert (
        orders.loc["SO-20261126-002", c.ADDRESS] == "北京市 北京市 朝阳区 建国路88号SOHO现代城5号楼"
    )
    assert orders.loc["SO-20261126-005", c.STATUS] == "shipped"
    assert orders.loc["SO-20261126-006", c.STATUS] == "closed"
    assert orders.loc["SO-20261126-004", c.PAID_AT] == "2026-11-26 09:31:00"
    assert orders.loc["SO-20261126-004", c.AMOUNT] == "88.00"
    assert orders.loc["SO-20261126-004", c.TELEPHONE] == "020-38888888"
    items = table.items[table.items[c.ORDER_ID] == "SO-20261126-002"]
    assert items[c.ITEM_TITLE].tolist() == ["保温杯316不锈钢", "杯刷"]
    assert items[c.ITEM_QUANTITY].tolist() == ["1", "3"]
    assert items[c.ITEM_PRICE].tolist() == ["59.00", "13.00"]
    assert items[c.ITEM_SKU].tolist() == ["CUP-500-B", "BRUSH"]
    assert len(table.original) == 7


def test_unknown_status_is_kept_and_reported(tmp_path: Path) -> None:
    source = mapping(
        tmp_path, MINIMAL + 'status = "状态"\n[statuses]\n"待发货" = "awaiting-shipment"\n'
    )
    path = write_csv(
        tmp_path / "o.csv",
        [["单号", "姓名", "电话", "地址", "状态"], ["A-1", "甲", "13925130165", "北京市", "挂起"]],
    )
    table = source.read([path], [], no_progress)
    assert table.orders[c.STATUS].tolist() == ["unknown"]
    assert [(p.code, p.rows) for p in table.problems] == [("unknown-status", (2,))]


@pytest.mark.parametrize(
    ("bad_id", "message"),
    [
        ("", "1 empty, rows 3"),
        ("=cmd|x", "not letters, digits and hyphens"),
        ("4.0125E+18", "turned into numbers by a spreadsheet"),
    ],
)
def test_bad_order_numbers_refuse_the_file(tmp_path: Path, bad_id: str, message: str) -> None:
    source = mapping(tmp_path, MINIMAL)
    path = write_csv(
        tmp_path / "o.csv",
        [
            ["单号", "姓名", "电话", "地址"],
            ["A-1", "甲", "13925130165", "北京市"],
            [bad_id, "乙", "13925130166", "北京市"],
        ],
    )
    with pytest.raises(InputError, match=message) as caught:
        source.read([path], [], no_progress)
    assert caught.value.path == path
    assert caught.value.row == 3


def test_a_file_without_the_mapped_headers(tmp_path: Path) -> None:
    source = mapping(tmp_path, MINIMAL)
    path = write_csv(tmp_path / "o.csv", [["单号", "姓名"], ["A-1", "甲"]])
    with pytest.raises(InputError, match="does not fit the mine mapping") as caught:
        source.read([path], [], no_progress)
    assert "地址" in str(caught.value)


def test_items_option_is_refused_for_a_mapped_source(tmp_path: Path) -> None:
    source = mapping(tmp_path, MINIMAL)
    with pytest.raises(InputError, match="no separate item files"):
        source.read([SHEET], [SHEET], no_progress)


def test_xlsx_with_a_title_row_and_number_cells(tmp_path: Path) -> None:
    source = mapping(tmp_path, MINIMAL)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["小店订单 2026-11-26"])
    sheet.append(["单号", "姓名", "电话", "地址"])
    sheet.append([20261126001, "王小明", 13925130165, "浙江省杭州市西湖区文三路478号"])
    book.save(tmp_path / "o.xlsx")
    table = source.read([tmp_path / "o.xlsx"], [], no_progress)
    assert table.orders[c.ORDER_ID].tolist() == ["20261126001"]
    assert table.orders[c.MOBILE].tolist() == ["13925130165"]
    assert table.orders[c.ROW].tolist() == ["3"]


def test_a_contact_column_is_read_as_the_address(tmp_path: Path) -> None:
    source = mapping(tmp_path, '[columns]\norder_id = "单号"\ncontact = "收货信息"\n')
    path = write_csv(
        tmp_path / "orders.csv",
        [["单号", "收货信息"], ["P-1", "张三 13800138000 广东省深圳市南山区科技园南区8栋"]],
    )
    table = source.read([path], [], no_progress)
    assert table.orders[c.ADDRESS].tolist() == ["张三 13800138000 广东省深圳市南山区科技园南区8栋"]
    assert table.orders[c.NAME].tolist() == [""]  # the recipients step splits the block
    assert table.orders[c.MOBILE].tolist() == [""]
