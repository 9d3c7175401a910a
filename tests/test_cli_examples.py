"""Every command line README.md and the `--help` texts show, run verbatim in a real shell."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import click
import pytest

from batch_ship.cli import COMMANDS, main
from batch_ship.export import run_export
from batch_ship.printing import print_batch
from batch_ship.samples.orders import write_sample_export
from batch_ship.samples.returns import write_sample_return
from batch_ship.stock import add_numbers
from batch_ship.workspace import open_workspace
from tests.conftest import PROJECT_ROOT, SAMPLE_DATA, SENDER_TOML

README = PROJECT_ROOT / "README.md"
# `batch-ship ...` in a code span, or alone on an indented (code block) line, maybe after a
# cron schedule.
_SPAN = re.compile(r"`(batch-ship [^`]*)`")
_BLOCK = re.compile(r"^ {4}(?:(?:\S+ ){5})?(batch-ship .*)$", re.MULTILINE)
_CRON = re.compile(r"^(?:\S+ ){5}(batch-ship .*)$")
# A synopsis (`batch-ship export ORDERS... [--json]`) names its parts; it is not a command line.
_SYNOPSIS = re.compile(r"\[|\.\.\.|<|\b[A-Z]{2,}\b")


def readme_lines() -> list[str]:
    text = README.read_text(encoding="utf-8")
    found = _SPAN.findall(text) + _BLOCK.findall(text)
    return list(dict.fromkeys(line.strip() for line in found if not _SYNOPSIS.search(line)))


def help_lines() -> list[str]:
    """The `Example:` lines of the group's and every command's help, as written."""
    context = click.Context(main)
    commands: list[click.Command] = [main]
    for name in COMMANDS:
        command = main.get_command(context, name)
        assert command is not None
        commands.append(command)
    lines = []
    for command in commands:
        for line in (command.help or "").splitlines():
            if line.strip().startswith("Example:"):
                example = line.split("Example:", 1)[1].strip()
                cron = _CRON.match(example)
                lines.append(cron.group(1) if cron else example)
    return lines


def test_the_readme_shows_command_lines_and_synopses_apart() -> None:
    lines = readme_lines()
    # The cron line and the daily loop's steps, among others, are found and not synopses.
    assert "batch-ship --home ~/shop daily --quiet" in lines
    assert "batch-ship import-tracking returned.xlsx" in lines
    assert all("batch-ship" in line for line in lines)
    assert len(help_lines()) == len(COMMANDS) + 1  # every help has its example


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace the examples can run in: it is also $HOME, `shop` and `~/shop`; it holds
    the example order reports, batch 20261126-01 awaiting tracking, its return and its
    exceptions workbook."""
    root = tmp_path_factory.mktemp("examples")
    (root / "batch_ship.toml").write_text(SENDER_TOML, encoding="utf-8")
    for name in ("inbox", "returns", "archive"):
        (root / name).mkdir()
    (root / "shop").symlink_to(root, target_is_directory=True)
    earlier, _ = write_sample_export(root / "earlier", orders=40, seed=21, stamp="202611250900")
    workspace = open_workspace(root)
    batch = run_export(workspace, [earlier], courier="zto", now=datetime(2026, 11, 26, 9, 0))
    assert batch.batch == "20261126-01"
    shutil.copy(root / "batches" / "20261126-01" / "exceptions.xlsx", root / "exceptions.xlsx")
    write_sample_return(workspace, "20261126-01", root / "returned.xlsx")
    write_sample_return(workspace, "20261126-01", root / "returns" / "zto-20261126.xlsx")
    # batch 20261126-02 took its numbers from stock and has labels (`labels --batch`)
    stocked, _ = write_sample_export(root / "stocked", orders=30, seed=24, stamp="202611251000")
    add_numbers(workspace, "zto", spec="731000000000", count=300)
    batch = run_export(
        workspace, [stocked], courier="zto", now=datetime(2026, 11, 26, 9, 30), from_stock=True
    )
    assert batch.batch == "20261126-02"
    print_batch(workspace, batch.batch)
    write_sample_export(root, orders=30, seed=22)  # ExportOrderList202611260900.csv
    write_sample_export(root, orders=30, seed=23, stamp="20261126")
    (root / "sample_data").mkdir()  # the column-mapping example reads the shipped sample
    shutil.copy(SAMPLE_DATA / "order-sheet-20261126.csv", root / "sample_data")
    return root


@pytest.mark.parametrize("line", readme_lines() + help_lines())
def test_every_example_runs_verbatim(line: str, prepared: Path, tmp_path: Path) -> None:
    here = tmp_path / "home"
    shutil.copytree(prepared, here, symlinks=True)
    (here / "shop").unlink()
    (here / "shop").symlink_to(here, target_is_directory=True)
    scripts = Path(sys.executable).parent
    env = {
        **os.environ,
        "HOME": str(here),
        "PATH": f"{scripts}{os.pathsep}{os.environ.get('PATH', '')}",
        "LANG": "C.UTF-8",
    }
    env.pop("BATCH_SHIP_HOME", None)
    done = subprocess.run(
        ["bash", "-c", line], cwd=here, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr
