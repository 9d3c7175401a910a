"""export with [[route]] rules and [parcel] settings: one batch per courier, the parcel's
note, weight, insured value and COD in the workbook cells."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from batch_ship.samples.orders import write_sample_export
from tests.conftest import SENDER_TOML
from tests.ops_helpers import cli, cli_json, ledger_dump

RULES = """
[[route]]
provinces = ["广东省", "浙江"]
courier = "sf"

[[route]]
min_amount = 200
courier = "ems"

[[route]]
courier = "yto"
"""


@pytest.fixture(scope="module")
def thousand(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return write_sample_export(tmp_path_factory.mktemp("in"), orders=1000, seed=3)


def report_rows(path: Path) -> list[dict[str, str]]:
    """The order report read back with the csv module (GBK), independent of batch-ship."""
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("gb18030"))))


def courier_of_orders(home: Path) -> dict[str, str]:
    with sqlite3.connect(home / "ledger.sqlite3") as conn:
        rows = conn.execute(
            "SELECT o.order_id, b.courier FROM orders AS o JOIN batches AS b"
            " ON b.batch_id = o.batch_id WHERE o.parcel_id IS NOT NULL"
        ).fetchall()
    return dict(rows)


def test_rules_split_a_thousand_orders_across_three_couriers(
    runner: CliRunner, home: Path, thousand: tuple[Path, Path]
) -> None:
    (home / "batch_ship.toml").write_text(SENDER_TOML + RULES, encoding="utf-8")
    summary = cli_json(runner, home, "export", str(thousand[0]))
    assert len(summary["batches"]) == 3
    assert summary["batch"] == summary["batches"][0]
    assert list(summary["couriers"]) == ["sf", "ems", "yto"]
    routed = courier_of_orders(home)
    assert len(routed) == summary["orders_submitted"] > 800
    for code, entry in summary["couriers"].items():
        assert entry["orders"] == sum(1 for value in routed.values() if value == code)
        assert (home / "batches" / entry["batch"] / f"submission-{code}.xlsx").is_file()
    expected = {}
    for row in report_rows(thousand[0]):
        order = row["订单编号"].strip().strip('="')
        if order not in routed:
            continue
        province = row["收货地址 "].split()[0] if "收货地址 " in row else row["收货地址"].split()[0]
        if province.startswith(("广东", "浙江")):
            expected[order] = "sf"
        elif float(row["买家实际支付金额"]) >= 200:
            expected[order] = "ems"
        else:
            expected[order] = "yto"
    assert routed == expected
    assert set(expected.values()) == {"sf", "ems", "yto"}
    # exceptions.xlsx went with the first batch, and --courier still forces one courier
    assert (home / "batches" / summary["batch"] / "exceptions.xlsx").is_file()


def test_courier_forces_one_batch_despite_rules(
    runner: CliRunner, home: Path, tmp_path: Path
) -> None:
    orders, _items = write_sample_export(tmp_path, orders=60, seed=8)
    (home / "batch_ship.toml").write_text(SENDER_TOML + RULES, encoding="utf-8")
    summary = cli_json(runner, home, "export", str(orders), "--courier", "jd")
    assert summary["batches"] == [summary["batch"]]
    assert set(courier_of_orders(home).values()) == {"jd"}


PARCEL = """
[parcel]
note = ["seller_note", "buyer_message"]
note_max = 12
weights = "weights.csv"
default_weight_g = 1000
insure_above = 100
cod = true
"""
GRAMS = {f"SKU-10{n:02d}": 100 * n for n in range(1, 10)}  # SKU-1010 absent: the default


def test_weights_notes_insured_and_cod_fill_the_sf_cells(
    runner: CliRunner, home: Path, tmp_path: Path
) -> None:
    orders, items = write_sample_export(tmp_path, orders=40, seed=11)
    text = orders.read_bytes().decode("gb18030")
    first_note = "赠品：贴纸"
    assert first_note in text
    orders.write_bytes(text.replace(first_note, "=HYPERLINK(1)", 1).encode("gb18030"))
    (home / "batch_ship.toml").write_text(SENDER_TOML + PARCEL, encoding="utf-8")
    lines = ["商家编码,重量(克)", *(f"{code},{grams}" for code, grams in GRAMS.items())]
    (home / "weights.csv").write_text("\n".join(lines), encoding="utf-8")
    summary = cli_json(runner, home, "export", str(orders), "--courier", "sf", "--no-merge")
    book = openpyxl.load_workbook(home / "batches" / summary["batch"] / "submission-sf.xlsx")
    sheet = book.active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    by_order = {row["订单编号"].strip().strip('="'): row for row in report_rows(orders)}
    item_rows = report_rows(items)
    checked = formula_like = 0
    for cells in sheet.iter_rows(min_row=2):
        values = {str(h): cell for h, cell in zip(header, cells, strict=True)}
        order = str(values["用户订单号"].value)
        source = by_order[order]
        grams = (
            sum(
                GRAMS.get(item["商家编码"].strip(), 1000) * int(item["购买数量"])
                for item in item_rows
                if item["订单编号"].strip().strip('="') == order
            )
            or 1000
        )
        assert values["包裹重量"].value == f"{grams / 1000:.3f}".rstrip("0").rstrip(".")
        note = " ".join(
            part.strip() for part in (source["订单备注"], source["买家留言"]) if part.strip()
        )
        shown = note if len(note) <= 12 else note[:11] + "…"
        assert (values["寄方备注"].value or "") == shown
        if shown:
            assert values["寄方备注"].data_type == "s"  # text, never a formula
            formula_like += shown.startswith("=HYPERLINK")
        amount = float(source["买家实际支付金额"])
        assert values["代收金额"].value == f"{amount:.2f}"
        assert (values["保价金额"].value or "") == (f"{amount:.2f}" if amount > 100 else "")
        checked += 1
    assert checked == summary["parcels"] > 20
    assert formula_like == 1
    formulas = [c.value for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []


def test_a_weight_table_with_a_bad_weight_stops_the_export(
    runner: CliRunner, home: Path, tmp_path: Path
) -> None:
    orders, _items = write_sample_export(tmp_path, orders=20, seed=2)
    (home / "batch_ship.toml").write_text(SENDER_TOML + PARCEL, encoding="utf-8")
    (home / "weights.csv").write_text("商家编码,重量(克)\nSKU-1001,350\nSKU-1002,重\n", "utf-8")
    result = cli(runner, home, "export", str(orders), "--courier", "sf")
    assert result.exit_code == 1
    assert "weights.csv" in result.output
    assert "row 3" in result.output
    assert "'重' is not a weight in whole grams" in result.output
    assert "Fix: write the weight in grams as digits" in result.output
    assert ledger_dump(home) == []
    assert not (home / "batches").exists() or not any((home / "batches").iterdir())


def test_the_human_summary_lists_each_couriers_batch(
    runner: CliRunner, home: Path, tmp_path: Path
) -> None:
    orders, _items = write_sample_export(tmp_path, orders=200, seed=3)
    (home / "batch_ship.toml").write_text(SENDER_TOML + RULES, encoding="utf-8")
    result = cli(runner, home, "export", str(orders))
    assert result.exit_code == 0, result.output
    batches = sorted(path.name for path in (home / "batches").iterdir())
    assert len(batches) == 3
    for batch, courier in zip(batches, ["sf", "ems", "yto"], strict=True):
        assert f"  batch {batch} ({courier}): " in result.output
