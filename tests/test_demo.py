"""scripts/demo.sh: valid bash, and it never deletes a folder it did not make (`make demo` runs it
end to end)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT

DEMO = PROJECT_ROOT / "scripts" / "demo.sh"
BASH = shutil.which("bash")


@pytest.fixture
def bash() -> str:
    assert BASH is not None, "bash is needed to run scripts/demo.sh"
    return BASH


def test_demo_script_is_valid_bash(bash: str) -> None:
    result = subprocess.run([bash, "-n", str(DEMO)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_demo_refuses_a_folder_it_did_not_make(bash: str, tmp_path: Path) -> None:
    precious = tmp_path / "shop"
    precious.mkdir()
    (precious / "ledger.sqlite3").write_text("keep me", encoding="utf-8")
    result = subprocess.run(
        [bash, str(DEMO), str(precious)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert "was not made by this script" in result.stderr or "make install" in result.stderr
    assert (precious / "ledger.sqlite3").read_text(encoding="utf-8") == "keep me"
