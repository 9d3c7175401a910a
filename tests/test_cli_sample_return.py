"""`batch-ship sample-return`, fed back through `import-tracking`."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from batch_ship.cli import main
from tests.test_cli_import_tracking import BATCH, order_id, seed_batch

PARCELS = 45  # past SPLIT_EVERY, so one parcel is split


def test_xlsx_return_round_trip(runner: CliRunner, home: Path, tmp_path: Path) -> None:
    parcels = [[order_id(i)] for i in range(PARCELS)]
    parcels[3].append(order_id(100))  # a merged parcel
    seed_batch(home, parcels, courier="sf")
    target = tmp_path / "returns" / "sf.xlsx"
    result = runner.invoke(
        main, ["--home", str(home), "sample-return", "--batch", BATCH, str(target)]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(target)
    sheet = openpyxl.load_workbook(target).active
    assert sheet is not None
    assert sheet["A1"].value == f"顺丰速运 批量下单结果 {BATCH}"
    assert [cell.value for cell in sheet[3]][:2] == ["用户订单号", "运单号"]
    numeric = [
        row[0] for row in sheet.iter_rows(min_row=4, values_only=True) if isinstance(row[0], float)
    ]
    assert numeric  # real numeric cells: the id lost digits
    assert all(str(int(value)) not in {order_id(i) for i in range(PARCELS)} for value in numeric)

    imported = runner.invoke(main, ["--home", str(home), "import-tracking", "--json", str(target)])
    assert imported.exit_code == 0, imported.output
    summary = json.loads(imported.stdout)
    assert summary["batch"] == BATCH
    assert summary["parcels_matched"] == PARCELS
    assert summary["orders_shipped"] == PARCELS + 1
    assert summary["unknown_rows"] == summary["invalid_numbers"] == summary["conflicts"] == 0
    with (home / "batches" / BATCH / "upload-taobao.csv").open(encoding="gb18030") as stream:
        upload = list(csv.reader(stream))
    assert len(upload) == PARCELS + 2
    assert {row[1] for row in upload[1:]} == {"顺丰速运"}
    assert upload[4][2] == upload[5][2]  # the merged parcel's two orders, one number


def test_csv_return_round_trip(runner: CliRunner, home: Path, tmp_path: Path) -> None:
    seed_batch(home, [[order_id(i)] for i in range(12)], courier="ems")
    target = tmp_path / "ems.csv"
    args = ["--home", str(home), "sample-return", "--batch", BATCH, str(target), "--seed", "9"]
    assert runner.invoke(main, args).exit_code == 0
    text = target.read_bytes().decode("gb18030")
    assert "邮件号" in text
    assert "E+18" in text  # references as a spreadsheet saves numbers
    imported = runner.invoke(main, ["--home", str(home), "import-tracking", "--json", str(target)])
    assert imported.exit_code == 0, imported.output
    assert json.loads(imported.stdout)["parcels_matched"] == 12


def test_unknown_batch(runner: CliRunner, home: Path, tmp_path: Path) -> None:
    seed_batch(home, [[order_id(0)]])
    result = runner.invoke(
        main,
        ["--home", str(home), "sample-return", "--batch", "20990101-01", str(tmp_path / "x.xlsx")],
    )
    assert result.exit_code == 1
    assert "unknown batch '20990101-01'" in result.output
    assert not (tmp_path / "x.xlsx").exists()
    result = runner.invoke(
        main, ["--home", str(home), "sample-return", "--batch", BATCH, str(tmp_path / "x.pdf")]
    )
    assert result.exit_code == 1
    assert ".xlsx or .csv" in result.output


def test_two_batches_get_different_numbers(runner: CliRunner, home: Path, tmp_path: Path) -> None:
    seed_batch(home, [[order_id(0)], [order_id(1)]])
    seed_batch(home, [[order_id(2)], [order_id(3)]], batch_id="20261127-01")
    for batch in (BATCH, "20261127-01"):
        target = tmp_path / f"{batch}.csv"
        args = ["--home", str(home), "sample-return", "--batch", batch, str(target)]
        assert runner.invoke(main, args).exit_code == 0
        imported = runner.invoke(
            main, ["--home", str(home), "import-tracking", "--json", str(target)]
        )
        summary = json.loads(imported.stdout)
        assert (summary["batch"], summary["parcels_matched"]) == (batch, 2)
        assert summary["duplicate_numbers"] == 0
