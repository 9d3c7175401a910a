"""Intercepts (拦截件): an order closed or refunding after submission, caught by the next
export, listed everywhere, and never in an upload written afterwards."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from click.testing import CliRunner

from batch_ship.samples.orders import write_sample_export
from tests.ops_helpers import cli, cli_json, order_rows, upload_rows


def set_status(path: Path, order: str, status: str) -> None:
    """Rewrite one order's 订单状态 in a Taobao order report (GBK CSV), as the seller centre
    would show it a day later."""
    lines = path.read_bytes().decode("gb18030").split("\n")
    header = lines[0].split(",")
    column = next(i for i, name in enumerate(header) if name.strip() == "订单状态")
    for index, line in enumerate(lines):
        if order in line:
            cells = line.split(",")
            cells[column] = status
            lines[index] = ",".join(cells)
            break
    else:
        raise AssertionError(f"{order} not in {path}")
    path.write_bytes("\n".join(lines).encode("gb18030"))


def test_an_order_closed_after_submission_is_caught_and_kept_out_of_the_upload(
    runner: CliRunner, home: Path, tmp_path: Path
) -> None:
    orders, _items = write_sample_export(tmp_path / "day1", orders=40, seed=12)
    first = cli_json(runner, home, "export", str(orders), "--courier", "zto")
    batch = first["batch"]
    submitted = sorted(order for order, (_b, parcel) in order_rows(home).items() if parcel)
    closed, refunding = submitted[0], submitted[1]
    # numbers come back for the first parcels, the closed order's among them
    cli_json(runner, home, "import-tracking", "--batch", batch, "--range", "731000000001",
             "--count", str(first["parcels"]))  # fmt: skip
    upload = home / "batches" / batch / "upload-taobao.csv"
    assert closed in {row["订单编号"] for row in upload_rows(upload)}
    # the next day's report: one closed (refund done), one refunding
    set_status(orders, closed, "交易关闭")
    set_status(orders, refunding, "退款中")
    second = cli_json(runner, home, "export", str(orders), "--courier", "zto")
    caught = {item["order"]: item for item in second["intercepts"]}
    assert set(caught) == {closed, refunding}
    assert caught[closed]["status"] == "closed"
    assert caught[closed]["raw_status"] == "交易关闭"
    assert caught[refunding]["status"] == "refunding"
    assert caught[closed]["batch"] == batch
    assert caught[closed]["courier"] == "zto"
    assert caught[closed]["tracking"].startswith("7310000000")
    text = cli(runner, home, "export", str(orders), "--courier", "zto").output
    assert "intercept" not in text  # caught once: the third run finds nothing new
    # intercepts.xlsx: the team's list, read back with openpyxl
    sheet = openpyxl.load_workbook(home / "intercepts.xlsx").active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    assert header == [
        "订单编号 order", "快递公司 courier", "运单号 tracking", "批次 batch",
        "拦截时间 when", "订单状态 status",
    ]  # fmt: skip
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {closed, refunding}
    assert rows[closed][2] == caught[closed]["tracking"]
    assert rows[refunding][5] == "退款中"
    # status and the report list them
    status = cli_json(runner, home, "status")
    assert {item["order"] for item in status["intercepts"]} == {closed, refunding}
    assert "拦截件" in cli(runner, home, "status").output
    assert cli(runner, home, "report", "--out", str(tmp_path / "r.html")).exit_code == 0
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "拦截件 Intercepts" in html
    assert closed in html
    # an upload written afterwards (a re-import) leaves them out
    cli_json(runner, home, "import-tracking", "--batch", batch, "--range", "731000000001",
             "--count", str(first["parcels"]))  # fmt: skip
    listed = {row["订单编号"] for row in upload_rows(upload)}
    assert closed not in listed
    assert refunding not in listed
    assert len(listed) == first["orders_submitted"] - 2
