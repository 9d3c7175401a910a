"""The HTML report in a real browser: headless Chromium with its network cut off."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from batch_ship.report import write_report
from batch_ship.workspace import open_workspace
from tests.test_report import BATCH, make_workspace, parse

BROWSER = next(
    (found for name in ("chromium", "chromium-browser") if (found := shutil.which(name))), None
)
pytestmark = pytest.mark.skipif(
    BROWSER is None, reason="no Chromium on this machine: `make browser-check` installs Debian's"
)


def headless(page: Path, profile: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Open `page` in headless Chromium with every network request bound to fail."""
    assert BROWSER is not None
    command = [
        BROWSER,
        "--headless",
        "--no-sandbox",  # tests may run as root
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--proxy-server=http://127.0.0.1:9",  # nothing listens there: no request gets out
        f"--user-data-dir={profile}",
        *arguments,
        page.as_uri(),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


@pytest.fixture
def report(home: Path) -> Path:
    make_workspace(home)
    return write_report(open_workspace(home), BATCH)


def test_the_browser_builds_the_whole_page_offline(report: Path, tmp_path: Path) -> None:
    dom = headless(report, tmp_path / "profile", "--dump-dom").stdout
    page = parse(dom)  # what Chromium built, not the file's text
    assert page.by_id["orders-submitted"] == "1"
    assert page.by_id["orders-shipped"] == "3"
    assert page.by_id["orders-exception"] == "2"
    assert page.by_id["parcels-total"] == "3"
    assert BATCH in " ".join(page.text)
    rects = [attributes for tag, attributes in page.tags if tag == "rect"]
    assert len(rects) == 2  # the province chart, drawn from inline SVG
    assert not any(tag == "script" for tag, _ in page.tags)  # buyer text stayed text


def test_the_page_renders_to_a_picture(report: Path, tmp_path: Path) -> None:
    picture = tmp_path / "report.png"
    headless(report, tmp_path / "profile", f"--screenshot={picture}", "--window-size=1200,1600")
    data = picture.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    # a blank page compresses to a few kilobytes; text, tables and the chart do not
    assert len(data) > 20_000
