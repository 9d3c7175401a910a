"""`batch-ship report`: the path it prints, the page it writes, and its exit codes."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from batch_ship.cli import main
from tests.test_report import BATCH, make_workspace, parse


def test_report_for_a_batch(runner: CliRunner, home: Path) -> None:
    make_workspace(home)
    result = runner.invoke(main, ["--home", str(home), "report", "--batch", BATCH])
    assert result.exit_code == 0, result.output
    path = home / "batches" / BATCH / "report.html"
    assert result.stdout.strip() == str(path)
    page = parse(path.read_text(encoding="utf-8"))
    assert page.by_id["orders-shipped"] == "3"


def test_report_out(runner: CliRunner, home: Path, tmp_path: Path) -> None:
    make_workspace(home)
    out = tmp_path / "r.html"
    result = runner.invoke(main, ["--home", str(home), "report", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not (home / "report.html").exists()


def test_report_default_is_in_home(runner: CliRunner, home: Path) -> None:
    result = runner.invoke(main, ["--home", str(home), "report"])
    assert result.exit_code == 0, result.output
    assert (home / "report.html").exists()


def test_unknown_batch_exits_1(runner: CliRunner, home: Path) -> None:
    make_workspace(home)
    result = runner.invoke(main, ["--home", str(home), "report", "--batch", "20991231-01"])
    assert result.exit_code == 1
    assert "no batch 20991231-01" in result.stderr
    assert "batch-ship status" in result.stderr
    assert "Traceback" not in result.output


def test_out_into_a_folder_exits_1(runner: CliRunner, home: Path) -> None:
    make_workspace(home)
    (home / "x.html").mkdir()
    result = runner.invoke(main, ["--home", str(home), "report", "--out", str(home / "x.html")])
    assert result.exit_code in (1, 2)
    assert "Traceback" not in result.output
