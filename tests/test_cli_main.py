"""The command group: help, version, usage errors, and every command documented."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from batch_ship.cli import COMMANDS, main
from batch_ship.errors import InputError
from batch_ship.samples.orders import write_sample_export
from tests.conftest import PROJECT_ROOT


@click.command("bad-file")
def bad_file() -> None:
    """Raise a domain error, as a command does on a bad input file."""
    raise InputError("not an order report", path="orders.csv", row=3, hint="export it again")


@click.command("crash")
def crash() -> None:
    """Fail the way a bug would."""
    raise RuntimeError("boom")


def test_help_lists_every_command(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help_with_an_example(runner: CliRunner, name: str) -> None:
    result = runner.invoke(main, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output, f"{name} --help gives no example"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_is_in_the_readme(name: str) -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(rf"batch-ship (\[[^\]]*\] )?{re.escape(name)}\b", readme), name


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.startswith("batch-ship, version ")


def test_unknown_command_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(main, ["ship-everything"])
    assert result.exit_code == 2
    assert "No such command" in result.output


def test_home_that_is_a_file_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("x")
    result = runner.invoke(main, ["--home", str(not_a_folder), "status"])
    assert result.exit_code == 2


def test_domain_error_is_one_message_and_exit_1(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(COMMANDS, "bad-file", "tests.test_cli_main:bad_file")
    result = runner.invoke(main, ["bad-file"])
    assert result.exit_code == 1
    assert "orders.csv, row 3: not an order report" in result.output
    assert "Fix: export it again" in result.output
    assert "Traceback" not in result.output


def test_bug_is_reported_without_traceback_unless_debug(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(COMMANDS, "crash", "tests.test_cli_main:crash")
    result = runner.invoke(main, ["crash"])
    assert result.exit_code == 1
    assert "internal error (RuntimeError: boom)" in result.output
    assert "--debug" in result.output
    debug = runner.invoke(main, ["--debug", "crash"])
    assert isinstance(debug.exception, RuntimeError)


def test_global_options_after_the_command(
    runner: CliRunner, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (home / "inbox").mkdir()
    elsewhere = home.parent / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    # The README's cron line, as typed: --quiet after the command, nothing new prints nothing.
    result = runner.invoke(main, ["--home", str(home), "daily", "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.output == ""
    result = runner.invoke(main, ["status", "--home", str(home), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["batches"] == []
    monkeypatch.setitem(COMMANDS, "crash", "tests.test_cli_main:crash")
    debug = runner.invoke(main, ["crash", "--debug"])
    assert isinstance(debug.exception, RuntimeError)


@pytest.mark.parametrize(
    "args",
    [
        ["export", "{missing}"],
        ["export", "{orders}", "--items", "{missing}"],
        ["inspect", "{missing}"],
        ["inspect", "{orders}", "--items", "{missing}"],
        ["import-tracking", "{missing}"],
    ],
)
def test_a_missing_input_file_is_exit_1_for_every_command(
    runner: CliRunner, home: Path, tmp_path: Path, args: list[str]
) -> None:
    orders, _ = write_sample_export(tmp_path / "in", orders=5, seed=1)
    missing = tmp_path / "missing.csv"
    filled = [arg.format(missing=missing, orders=orders) for arg in args]
    result = runner.invoke(main, ["--home", str(home), *filled])
    assert result.exit_code == 1, result.output
    assert "missing.csv: file not found" in result.output
    assert "Fix: check the path and the file name" in result.output
    assert not (home / "ledger.sqlite3").exists()
