"""`batch-ship sample-data`: exit codes, messages, files."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from batch_ship.cli import main


def test_writes_the_pair(runner: CliRunner, home: Path, tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = runner.invoke(main, ["--home", str(home), "sample-data", str(out), "--orders", "50"])
    assert result.exit_code == 0, result.output
    orders = out / "ExportOrderList202611260900.csv"
    assert f"wrote 50 orders: {orders}" in result.stdout
    assert orders.read_bytes().decode("gbk").count("\r\n") >= 51
    assert (out / "ExportOrderDetailList202611260900.csv").is_file()


def test_json_seed_and_stamp(runner: CliRunner, home: Path, tmp_path: Path) -> None:
    args = ["--home", str(home), "sample-data", str(tmp_path / "d"), "--orders", "5"]
    result = runner.invoke(main, [*args, "--seed", "9", "--stamp", "20261127", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["orders"] == 5
    assert [Path(p).name for p in data["files"]] == [
        "ExportOrderList20261127.csv",
        "ExportOrderDetailList20261127.csv",
    ]


def test_usage_errors_exit_2(runner: CliRunner, home: Path, tmp_path: Path) -> None:
    base = ["--home", str(home), "sample-data"]
    result = runner.invoke(main, [*base, str(tmp_path), "--orders", "0"])
    assert result.exit_code == 2
    assert "--orders" in result.output
    result = runner.invoke(main, [*base, str(tmp_path), "--stamp", "../x"])
    assert result.exit_code == 2
    assert "letters and digits" in result.output
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    result = runner.invoke(main, [*base, str(a_file)])
    assert result.exit_code == 2
    result = runner.invoke(main, [*base])
    assert result.exit_code == 2
    assert "FOLDER" in result.output


def test_help_has_an_example(runner: CliRunner) -> None:
    result = runner.invoke(main, ["sample-data", "--help"])
    assert result.exit_code == 0
    assert "Example: batch-ship sample-data" in result.output
