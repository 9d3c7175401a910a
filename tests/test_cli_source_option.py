"""A column-mapped order file through export, inspect and daily, and `--source NAME`."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from batch_ship.cli import main
from tests.conftest import PROJECT_ROOT, SAMPLE_DATA, SENDER_TOML

SHEET = SAMPLE_DATA / "order-sheet-20261126.csv"
MAPPING = PROJECT_ROOT / "templates" / "sources" / "order-sheet.toml"


def run(runner: CliRunner, home: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(main, ["--home", str(home), *args])
    return result.exit_code, result.output if result.exit_code else result.stdout


def sheet_rows(path: Path) -> list[dict[str, str]]:
    book = openpyxl.load_workbook(path, read_only=True)
    sheet = book.active
    assert sheet is not None
    rows = [
        ["" if cell is None else str(cell) for cell in row]
        for row in sheet.iter_rows(values_only=True)
    ]
    book.close()
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_export_of_a_mapped_csv_ends_in_a_submission_workbook(
    runner: CliRunner, home: Path
) -> None:
    code, out = run(runner, home, "export", str(SHEET), "--courier", "zto", "--json")
    assert code == 0, out
    summary = json.loads(out)
    assert (summary["orders_read"], summary["orders_submitted"]) == (7, 4)
    assert summary["skipped"] == {"not-awaiting-shipment": 2}
    assert summary["exceptions"] == {"phone-masked": 1}
    submission, exceptions = (home / name for name in summary["files"])
    rows = sheet_rows(submission)
    assert len(rows) == 4
    beijing = next(row for row in rows if "SO-20261126-002" in row.values())
    assert "李静" in beijing.values()
    assert "13601012345" in beijing.values()
    assert any("杯刷" in value and "×3" in value for value in beijing.values())
    assert any(value == "北京市" for value in beijing.values())
    fixed = sheet_rows(exceptions)
    assert [row["订单号"] for row in fixed] == ["SO-20261126-003"]
    assert fixed[0]["异常代码"] == "phone-masked"
    assert "手机" in fixed[0]  # the file's own columns, so a fixed one goes back as it is


def test_export_of_a_mapped_xlsx_and_a_fixed_exceptions_workbook(
    runner: CliRunner, home: Path, tmp_path: Path
) -> None:
    with SHEET.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(tmp_path / "orders.xlsx")
    code, out = run(
        runner, home, "export", str(tmp_path / "orders.xlsx"), "--courier", "sf", "--json"
    )
    assert code == 0, out
    first = json.loads(out)
    assert first["orders_submitted"] == 4
    exceptions = home / first["files"][1]  # an absolute name stays itself

    book = openpyxl.load_workbook(exceptions)
    sheet = book.active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    sheet.cell(row=2, column=header.index("手机") + 1, value="13800005678")
    book.save(tmp_path / "fixed.xlsx")
    code, out = run(
        runner, home, "export", str(tmp_path / "fixed.xlsx"), "--courier", "sf", "--json"
    )
    assert code == 0, out
    again = json.loads(out)
    assert (again["orders_read"], again["orders_submitted"], again["exceptions"]) == (1, 1, {})


def test_inspect_chooses_by_content_and_source_forces(runner: CliRunner, home: Path) -> None:
    code, out = run(runner, home, "inspect", str(SHEET), "--json")
    assert code == 0, out
    data = json.loads(out)
    assert (data["orders"], data["items"]) == (7, 8)
    assert data["statuses"] == {"awaiting-shipment": 5, "shipped": 1, "closed": 1}
    code, out = run(runner, home, "inspect", str(SHEET), "--source", "taobao")
    assert code == 1
    assert "not 17-19 digits" in out
    assert "Traceback" not in out


def test_unknown_source_exit_1_with_the_known_ones(runner: CliRunner, home: Path) -> None:
    code, out = run(runner, home, "export", str(SHEET), "--source", "shopify")
    assert code == 1
    assert "unknown source 'shopify'" in out
    assert "taobao, order-sheet" in out
    assert not (home / "batches").exists()


def test_two_sources_in_one_export_are_refused(runner: CliRunner, home: Path) -> None:
    taobao = SAMPLE_DATA / "ExportOrderList202611261000.csv"
    code, out = run(runner, home, "export", str(taobao), str(SHEET), "--courier", "zto")
    assert code == 1
    assert "different sources" in out
    assert not (home / "batches").exists()


def test_workspace_mapping_and_daily(runner: CliRunner, tmp_path: Path) -> None:
    """A mapping of the seller's own (in the workspace's templates folder) reads the inbox file
    it fits; daily exports it beside nothing else and archives it."""
    home = tmp_path / "shop"
    assert runner.invoke(main, ["init", str(home)]).exit_code == 0
    (home / "batch_ship.toml").write_text(
        SENDER_TOML + '[folders]\ntemplates = "my-templates"\n', encoding="utf-8"
    )
    (home / "my-templates" / "sources").mkdir(parents=True)
    text = MAPPING.read_text(encoding="utf-8").replace(
        'order_id = "订单号"', 'order_id = "单据编号"'
    )
    (home / "my-templates" / "sources" / "erp.toml").write_text(text, encoding="utf-8")
    inbox_file = home / "inbox" / "erp-2026-11-26.csv"
    inbox_file.write_text(
        SHEET.read_text(encoding="utf-8-sig").replace("订单号", "单据编号", 1), encoding="utf-8"
    )
    code, out = run(runner, home, "daily", "--settle", "0", "--json")
    assert code == 0, out
    data = json.loads(out)
    exported = [entry for entry in data["files"] if entry["kind"] == "orders"]
    assert len(exported) == 1
    assert exported[0]["ok"] is True
    assert exported[0]["summary"]["orders_submitted"] == 4
    assert not inbox_file.exists()
    assert list((home / "archive").rglob("erp-2026-11-26.csv"))


def test_a_mapped_contact_column_is_split_into_name_phone_and_address(
    runner: CliRunner, home: Path
) -> None:
    """A file whose one column holds pasted contact blocks (`contact = "收货信息"`): each
    block's name, phone and address fill the parcel; a block that names no phone is an
    exception showing the cell as it was."""
    (home / "batch_ship.toml").write_text(
        SENDER_TOML + '[folders]\ntemplates = "my-templates"\n', encoding="utf-8"
    )
    (home / "my-templates" / "sources").mkdir(parents=True)
    (home / "my-templates" / "sources" / "pasted.toml").write_text(
        'name = "粘贴的收货信息"\n[columns]\norder_id = "订单号"\ncontact = "收货信息"\n'
        'buyer_message = "备注"\n',
        encoding="utf-8",
    )
    blocks = {
        "P-1": "张三 13800138000 广东省深圳市南山区科技园南区8栋",
        "P-2": "收货人：李四 电话：13912345678转12 地址：浙江省杭州市西湖区文三路1号",
        "P-3": "王五13700001111北京市朝阳区建国路88号",
        "P-4": "赵六 0571-87654321 浙江省杭州市西湖区文三路2号",
        "P-5": "钱七 浙江省杭州市西湖区文三路3号",
    }
    path = home / "pasted.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["订单号", "收货信息", "备注"])
        writer.writerows([order, block, ""] for order, block in blocks.items())
    code, out = run(runner, home, "export", str(path), "--courier", "zto", "--json")
    assert code == 0, out
    summary = json.loads(out)
    assert (summary["orders_read"], summary["orders_submitted"]) == (5, 4)
    assert summary["exceptions"] == {"name-missing": 1, "phone-missing": 1}
    submission, exceptions = (home / name for name in summary["files"])
    rows = {next(v for v in row.values() if v.startswith("P-")): row for row in
            sheet_rows(submission)}  # fmt: skip
    expected = {
        "P-1": ("张三", "13800138000", "南山区", "科技园南区8栋"),
        "P-2": ("李四", "13912345678-12", "西湖区", "文三路1号"),
        "P-3": ("王五", "13700001111", "朝阳区", "建国路88号"),
        "P-4": ("赵六", "0571-87654321", "西湖区", "文三路2号"),
    }
    assert set(rows) == set(expected)
    for order, (name, phone, district, detail) in expected.items():
        values = list(rows[order].values())
        assert name in values, (order, values)
        assert phone in values, (order, values)
        assert district in values, (order, values)
        assert any(value.startswith(detail) for value in values), (order, values)
        assert not any(blocks[order] == value for value in values)  # never the raw block
    fixed = sheet_rows(exceptions)
    assert [row["订单号"] for row in fixed] == ["P-5"]
    assert fixed[0]["收货信息"] == blocks["P-5"]  # the cell as it was, to be fixed and re-read
