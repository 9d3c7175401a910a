"""exceptions.xlsx: the codes and their messages first, the order report's columns after."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd

from batch_ship.exceptions_workbook import ContactRow, exception_rows, exceptions_job, read_contacts
from batch_ship.headings import EXCEPTION_CODE_HEADER, EXCEPTION_HEADERS, EXCEPTION_TEXT_HEADER
from tests.test_parcels import IDS


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
        [("name-missing", "phone-masked"), ("address-unresolved",)],
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


def test_written_rows_read_back_by_order_id(tmp_path: Path) -> None:
    original = pd.DataFrame(
        {
            "订单编号": IDS[:3],
            "收货人姓名": ["张三", "", "李四"],
            "联系手机": ["138****5678", "13925130165", "13800001111"],
            "收货地址 ": ["浙江省 杭州市 西湖区 文三路1号", "", "北京 北京市 朝阳区 某路1号"],
        }
    )
    codes = [("phone-masked",), ("name-missing", "address-missing"), ("phone-masked",)]
    rows = exception_rows(original, pd.Series(IDS[:3]), codes)
    path = exceptions_job(tmp_path / "exceptions.xlsx", rows).write()
    contacts = read_contacts(path)
    assert contacts[IDS[0]] == ContactRow(
        "张三", "138****5678", "浙江省 杭州市 西湖区 文三路1号", 2
    )
    assert contacts[IDS[1]].row == 3
    assert contacts[IDS[1]].name == ""
    assert contacts[IDS[2]].address == "北京 北京市 朝阳区 某路1号"
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    assert sheet["A3"].value == "name-missing,address-missing"  # joined once, at the writer
    assert read_contacts(tmp_path / "absent.xlsx") == {}


def test_the_readers_ignore_the_columns_the_writer_adds() -> None:
    from batch_ship.sources.taobao.headers import EXCEPTION_COLUMNS

    assert EXCEPTION_COLUMNS == set(EXCEPTION_HEADERS) == {"异常代码", "异常说明"}
