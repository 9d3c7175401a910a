"""Shared fixtures: a CLI runner and paths anchored to this file, never the working directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DATA = PROJECT_ROOT / "sample_data"
ORACLE_DIR = PROJECT_ROOT.parent / "shared" / "oracle"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An empty workspace folder."""
    workspace = tmp_path / "home"
    workspace.mkdir()
    return workspace
