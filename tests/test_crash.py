"""Real export, import-tracking and daily processes killed at each point of the publication
protocol (SIGKILL, SIGINT, SIGTERM), then run again the same day and the next: the workspace
must agree with the ledger."""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from batch_ship.cli import main
from batch_ship.ledger import Ledger, shipped_rows
from batch_ship.publish import PAUSE_ENV
from batch_ship.samples.orders import write_sample_export
from batch_ship.samples.returns import write_sample_return
from batch_ship.workspace import open_workspace
from tests.ledger_helpers import consistency_problems

DAY = date(2026, 11, 26)
NEXT_DAY = date(2026, 11, 27)
ORDERS = 60
SIGNALS = {"kill": signal.SIGKILL, "int": signal.SIGINT, "term": signal.SIGTERM}
EXPORT_POINTS = ("staged", "recorded", "committed", "moved")  # one move: the batch folder
IMPORT_POINTS = ("staged", "recorded", "committed", "moving", "moved")
# SIGINT takes SIGTERM's path (both raise KeyboardInterrupt): before and after the commit
# are enough for it.
POLITE = [("staged", "int"), ("committed", "int")]


def cases(points: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(point, sig) for point in points for sig in ("kill", "term")] + POLITE


def cli(home: Path, day: date, *args: str) -> list[str]:
    return [sys.executable, "-m", "batch_ship", "--home", str(home), "--today", str(day), *args]


def killed_at(point: str, sig: signal.Signals, command: list[str], tmp_path: Path) -> None:
    """Run `command` until it pauses at `point`, send `sig`, and check how it ended."""
    marker = tmp_path / f"paused-{point}"
    env = {**os.environ, PAUSE_ENV: f"{point}:{marker}"}
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # Ctrl-C as at a terminal: a shell's background job inherits SIGINT ignored, and
        # Python then installs no handler for it (the process would not stop at all).
        preexec_fn=_interrupt_by_default,
    )
    deadline = time.monotonic() + 60
    while not marker.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            _, err = process.communicate()
            pytest.fail(f"never paused at {point}: {err.decode(errors='replace')[-2000:]}")
        time.sleep(0.02)
    os.kill(process.pid, sig)
    _, err = process.communicate(timeout=60)
    text = err.decode("utf-8", errors="replace")
    assert process.returncode != 0
    if sig != signal.SIGKILL:
        assert process.returncode == (143 if sig == signal.SIGTERM else 130), text
        assert "Interrupted" in text, text
        assert "Traceback" not in text, text
        assert staged_leftovers(command_home(command)) == []  # a polite stop leaves nothing
    marker.unlink()


def _interrupt_by_default() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def command_home(command: list[str]) -> Path:
    return Path(command[command.index("--home") + 1])


def staged_leftovers(home: Path) -> list[Path]:
    """Hidden files and folders under batches/ but the ones recovery moves aside."""
    batches = home / "batches"
    if not batches.is_dir():
        return []
    return sorted(
        path
        for path in batches.rglob(".*")
        if not path.name.startswith(".abandoned-")
        and ".abandoned-" not in str(path.relative_to(batches))
        and path.name != ".claims"
    )


def rerun(home: Path, day: date, *args: str) -> None:
    result = CliRunner().invoke(main, ["--home", str(home), "--today", str(day), *args])
    assert result.exit_code == 0, result.output


def check_workspace(home: Path) -> None:
    """The bars: visible files say only what the ledger committed."""
    connection = sqlite3.connect(home / "ledger.sqlite3")
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    connection.close()
    assert staged_leftovers(home) == []
    with Ledger.open(home / "ledger.sqlite3") as ledger:
        assert consistency_problems(ledger) == []
        assert ledger.publications() == {}
        known = ledger.batch_ids()
        all_orders = {
            order_id
            for batch_id in known
            for ids in ledger.parcels(batch_id)["order_ids"]
            for order_id in ids.split(",")
        }
        seen: Counter[str] = Counter()
        for folder in sorted((home / "batches").iterdir()):
            if folder.name.startswith("."):
                continue
            assert folder.name in known, f"batch folder {folder.name} is not in the ledger"
            parcels = ledger.parcels(folder.name)
            for workbook in sorted(folder.glob("submission-*.xlsx")):
                in_file = parcels[parcels["file"] == workbook.name]
                listed = workbook_order_ids(workbook) & all_orders
                expected = {i for ids in in_file["order_ids"] for i in ids.split(",")}
                assert listed == expected, workbook
                seen.update(listed)
            upload = folder / "upload-taobao.csv"
            if upload.exists():
                shipped = set(shipped_rows(ledger.parcels(folder.name))["order_id"])
                assert upload_order_ids(upload) == shipped, upload
    assert [order for order, count in seen.items() if count > 1] == []


def workbook_order_ids(path: Path) -> set[str]:
    book = openpyxl.load_workbook(path, read_only=True)
    values: set[str] = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows(min_row=2, values_only=True):
            for cell in row:
                values.update(str(cell).split(",") if cell is not None else ())
    book.close()
    return values


def upload_order_ids(path: Path) -> set[str]:
    with path.open(encoding="gb18030", newline="") as stream:
        rows = list(csv.reader(stream))
    return {row[0] for row in rows[1:]}


@pytest.fixture
def shop(home: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A workspace and an order report of ORDERS orders (with its item report)."""
    orders, _ = write_sample_export(tmp_path / "exports", orders=ORDERS, seed=3)
    return home, orders


def exported(home: Path, orders: Path) -> str:
    rerun(home, DAY, "export", str(orders), "--courier", "zto")
    with Ledger.open(home / "ledger.sqlite3") as ledger:
        batch = ledger.latest_batch_id()
    assert batch is not None
    return batch


@pytest.mark.parametrize(("point", "sig"), cases(EXPORT_POINTS))
def test_export_killed_at_each_point(
    shop: tuple[Path, Path], tmp_path: Path, point: str, sig: str
) -> None:
    home, orders = shop
    command = cli(home, DAY, "export", str(orders), "--courier", "zto")
    killed_at(point, SIGNALS[sig], command, tmp_path)
    check_visible_files_are_committed(home)
    rerun(home, DAY, "export", str(orders), "--courier", "zto")
    check_workspace(home)
    rerun(home, NEXT_DAY, "export", str(orders), "--courier", "zto")
    check_workspace(home)
    with Ledger.open(home / "ledger.sqlite3") as ledger:
        assert len(ledger.batch_ids()) == 1  # the orders went out once, whatever happened


@pytest.mark.parametrize(("point", "sig"), cases(IMPORT_POINTS))
def test_import_tracking_killed_at_each_point(
    shop: tuple[Path, Path], tmp_path: Path, point: str, sig: str
) -> None:
    home, orders = shop
    batch = exported(home, orders)
    returned = write_sample_return(open_workspace(home), batch, tmp_path / "return.xlsx")
    # a first, partial upload exists: the killed run must not leave it claiming less or more
    killed_at(point, SIGNALS[sig], cli(home, DAY, "import-tracking", str(returned)), tmp_path)
    check_visible_files_are_committed(home)
    rerun(home, DAY, "import-tracking", str(returned))
    check_workspace(home)
    rerun(home, NEXT_DAY, "import-tracking", str(returned))
    check_workspace(home)
    with Ledger.open(home / "ledger.sqlite3") as ledger:
        assert len(shipped_rows(ledger.parcels(batch))) > 0


def check_visible_files_are_committed(home: Path) -> None:
    """Right after the kill, before any recovery: a batch folder in sight is a committed
    batch, and an upload in sight lists only orders the ledger ships (it may lag behind a
    commit whose move is still pending)."""
    if not (home / "ledger.sqlite3").exists():
        assert not [p for p in (home / "batches").glob("*") if not p.name.startswith(".")]
        return
    with Ledger.open(home / "ledger.sqlite3") as ledger:
        known = ledger.batch_ids()
        for folder in (home / "batches").iterdir():
            assert folder.name.startswith(".") or folder.name in known, folder
        for upload in (home / "batches").glob("*/upload-taobao.csv"):
            shipped = set(shipped_rows(ledger.parcels(upload.parent.name))["order_id"])
            assert upload_order_ids(upload) <= shipped


@pytest.mark.parametrize(
    ("point", "sig"),
    [("staged", "kill"), ("committed", "kill"), ("committed", "term"), ("recorded", "int")],
)
def test_daily_killed_while_exporting(
    shop: tuple[Path, Path], tmp_path: Path, point: str, sig: str
) -> None:
    home, orders = shop
    inbox = home / "inbox"
    inbox.mkdir()
    for path in orders.parent.iterdir():
        os.replace(path, inbox / path.name)
    command = cli(home, DAY, "daily", "--settle", "0")
    killed_at(point, SIGNALS[sig], command, tmp_path)
    check_visible_files_are_committed(home)
    rerun(home, DAY, "daily", "--settle", "0")
    check_workspace(home)
    archived = home / "archive" / str(DAY)
    for path in archived.iterdir():  # the same report again, the next day
        os.replace(path, inbox / path.name)
    rerun(home, NEXT_DAY, "daily", "--settle", "0")
    check_workspace(home)


@pytest.mark.parametrize(("point", "sig"), [("moving", "kill"), ("staged", "term")])
def test_daily_killed_while_importing(
    shop: tuple[Path, Path], tmp_path: Path, point: str, sig: str
) -> None:
    home, orders = shop
    batch = exported(home, orders)
    (home / "returns").mkdir()
    write_sample_return(open_workspace(home), batch, home / "returns" / "return.xlsx")
    killed_at(point, SIGNALS[sig], cli(home, DAY, "daily", "--settle", "0"), tmp_path)
    check_visible_files_are_committed(home)
    rerun(home, NEXT_DAY, "daily", "--settle", "0")
    check_workspace(home)
    with Ledger.open(home / "ledger.sqlite3") as ledger:
        assert len(shipped_rows(ledger.parcels(batch))) > 0
