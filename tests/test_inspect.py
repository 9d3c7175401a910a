"""inspect_orders: counts per status and province, problems, duplicates; never phones."""

from __future__ import annotations

import json
from pathlib import Path

from batch_ship.inspect import inspect_orders
from tests.conftest import SAMPLE_DATA
from tests.test_taobao import order_row, write_order_report

ID1, ID2 = "4012500868239927921", "4012500868239927922"


def test_golden_pair_summary() -> None:
    result = inspect_orders(SAMPLE_DATA / "ExportOrderList202611261000.csv")
    assert result.files == (
        "ExportOrderList202611261000.csv",
        "ExportOrderDetailList202611261000.csv",
    )
    assert result.rows == result.orders == 24
    assert result.items == 27
    assert result.statuses == {
        "awaiting-payment": 1,
        "awaiting-shipment": 19,
        "partially-shipped": 1,
        "shipped": 1,
        "completed": 1,
        "closed": 1,
    }
    assert result.awaiting_shipment == 19
    assert result.problems == {"name-missing": 1, "phone-masked": 1, "phone-invalid": 1}
    assert result.problem_rows["phone-masked"] == (4,)
    assert result.provinces["广东省"] == 3
    assert result.provinces["北京市"] == 1
    assert sum(result.provinces.values()) == 24
    assert result.unknown_statuses == {}
    text = result.to_text()
    dumped = json.dumps(result.to_dict(), ensure_ascii=False)
    for secret in ("13925130165", "18400001234", "文三路", "0571-87654321", "87654321"):
        assert secret not in text
        assert secret not in dumped


def test_duplicates_and_unknown_status(tmp_path: Path) -> None:
    path = write_order_report(
        tmp_path,
        [
            order_row(ID1),
            order_row(ID2, 订单状态="等待成团", 联系手机="'138****5678"),
            order_row(ID1),
        ],
    )
    result = inspect_orders(path)
    assert result.rows == 3
    assert result.orders == 2
    assert result.duplicates == 1
    assert result.statuses == {"awaiting-shipment": 1, "unknown": 1}
    assert result.unknown_statuses == {"等待成团": 1}
    assert result.problems == {}  # the masked phone is not awaiting shipment
    codes = {note.code for note in result.notes}
    assert codes == {"unknown-status", "duplicate-row"}
    data = result.to_dict()
    assert data["duplicates"] == 1
    assert {note["code"] for note in data["notes"]} == codes
    assert "等待成团" in result.to_text()
