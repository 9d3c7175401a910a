"""Shared fixtures: a CLI runner and paths anchored to this file, never the working directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import settings

from batch_ship.i18n import set_language
from batch_ship.ledger import Ledger
from batch_ship.spreadsheets import background
from batch_ship.tuning import DEFAULT_TUNING, Tuning

# Shared, loaded machines make per-example timing meaningless: no deadlines, ever.
settings.register_profile("batch_ship", deadline=None)
settings.load_profile("batch_ship")

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DATA = PROJECT_ROOT / "sample_data"
# ../shared/oracle beside the checkout (a worktree finds it further up).
ORACLE_DIR = next(
    (p / "shared" / "oracle" for p in PROJECT_ROOT.parents if (p / "shared" / "oracle").is_dir()),
    PROJECT_ROOT.parent / "shared" / "oracle",
)


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Messages in English whatever this machine's locale, and back to English after a test
    that chose Chinese (the language is process state, as in a real run)."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    set_language("en")
    yield
    set_language("en")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


# Every built-in courier but sto prints the sender, and export refuses without one.
SENDER_TOML = """\
[sender]
name = "王五"
phone = "13800000000"
province = "浙江省"
city = "杭州市"
district = "余杭区"
address = "仓前街道1号"
"""


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A workspace folder with only a batch_ship.toml giving the sender."""
    workspace = tmp_path / "home"
    workspace.mkdir()
    (workspace / "batch_ship.toml").write_text(SENDER_TOML, encoding="utf-8")
    return workspace


@pytest.fixture(params=["here", "worker"])
def writer_mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Tuning:
    """The tuning to pass (`tuning=`, or the CLI runner's `obj=`) to run an export test with
    its workbooks written in this process, then all by the worker process: sharing waits for
    the worker to write every one (how the two share them is tested in
    test_spreadsheets_background), and a write falling back to this process (the worker
    failed) fails the test. The worker runs the same code: a failure put in a
    file's way reaches it too."""
    if request.param == "worker":
        share = background.WorkbookWriter.share
        writers: set[int] = set()

        def share_and_wait(
            self: background.WorkbookWriter, *args: Any, **kwargs: Any
        ) -> background.SharedWrite:
            shared = share(self, *args, **kwargs)
            if id(self) not in writers:  # a rebuild shares again: the worker writes once
                writers.add(id(self))
                assert shared.pending is not None, "no worker process"
                shared.pending.wait()
            return shared

        def not_here(*args: object) -> tuple[str, object]:
            raise AssertionError("written in this process: the worker failed")

        monkeypatch.setattr(background.WorkbookWriter, "share", share_and_wait)
        monkeypatch.setattr(background, "_call", not_here)
        return Tuning(background_orders=0)
    return DEFAULT_TUNING


# --- the ledger tests' fixtures (tests/test_ledger_*.py) ----------------------------------------
@pytest.fixture
def path(tmp_path: Path) -> Path:
    """Where a ledger test's ledger lives (not created yet)."""
    return tmp_path / "ledger.sqlite3"


@pytest.fixture
def ledger(path: Path) -> Iterator[Ledger]:
    """A fresh ledger, open for the test, closed after it."""
    opened = Ledger(path)
    yield opened
    opened.close()
