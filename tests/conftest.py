"""Shared fixtures: a CLI runner and paths anchored to this file, never the working directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

# Shared, loaded machines make per-example timing meaningless: no deadlines, ever.
settings.register_profile("batch_ship", deadline=None)
settings.load_profile("batch_ship")

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
