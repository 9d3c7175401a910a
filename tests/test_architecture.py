"""The import rules ARCHITECTURE.md states, checked on the source so the codemap stays true."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "batch_ship"


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every module `path` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


MODULES = {module_name(path): imports(path) for path in sorted(PACKAGE.rglob("*.py"))}


def importers_of(prefixes: tuple[str, ...]) -> set[str]:
    return {
        name
        for name, used in MODULES.items()
        if any(module == p or module.startswith(p + ".") for module in used for p in prefixes)
    }


def test_the_map_sees_the_package() -> None:
    assert "batch_ship.sources.registry" in MODULES
    assert "batch_ship.export.run" in importers_of(("batch_ship.sources.registry",))


def test_only_sources_reach_a_source_reader() -> None:
    private = (
        "batch_ship.sources.taobao",
        "batch_ship.sources.mapped",
        "batch_ship.sources.mapping",
    )
    outside = {name for name in importers_of(private) if not name.startswith("batch_ship.sources")}
    assert outside == set()


def test_file_kinds_is_the_one_module_beside_a_source_that_knows_taobao() -> None:
    """sources/file_kinds.py knows Taobao's report shapes by its header synonyms
    (ARCHITECTURE.md); no other module of sources/ outside taobao/ reaches into it."""
    users = importers_of(("batch_ship.sources.taobao",))
    beside = {name for name in users if not name.startswith("batch_ship.sources.taobao")}
    assert beside <= {"batch_ship.sources.file_kinds", "batch_ship.sources.registry"}
    assert "batch_ship.sources.file_kinds" in MODULES


# Layer 1 of ARCHITECTURE.md: what the I/O layer may build on.
FOUNDATION = (
    "batch_ship.errors",
    "batch_ship.progress",
    "batch_ship.i18n",
    "batch_ship.model",
    "batch_ship.columns",
    "batch_ship.toml_keys",
    "batch_ship.tuning",
    "batch_ship.problems",
    "batch_ship.headings",
    "batch_ship.lazy",
    "batch_ship.text",
)


def test_spreadsheets_know_nothing_of_orders() -> None:
    for name, used in MODULES.items():
        if name.startswith("batch_ship.spreadsheets"):
            ours = {m for m in used if m.startswith("batch_ship.")}
            assert all(m.startswith((*FOUNDATION, "batch_ship.spreadsheets")) for m in ours), name


def test_the_ledger_builds_on_the_foundation_only() -> None:
    """ledger/ is state and its queries: no source, rule, workbook, use case or CLI in it,
    so every layer above can use it and a new front end gets it whole."""
    for name, used in MODULES.items():
        if name.startswith("batch_ship.ledger"):
            ours = {m for m in used if m.startswith("batch_ship.")}
            assert all(m.startswith((*FOUNDATION, "batch_ship.ledger")) for m in ours), name
    assert "batch_ship.ledger.store" in MODULES


def test_normalize_is_marketplace_neutral() -> None:
    for name, used in MODULES.items():
        if name.startswith("batch_ship.normalize"):
            sources = {m for m in used if m.startswith("batch_ship.sources")}
            allowed = ("batch_ship.sources.canonical", "batch_ship.sources.canonical.")
            assert all(m == "batch_ship.sources" or m.startswith(allowed) for m in sources), name


def test_product_modules_never_import_the_samples() -> None:
    users = importers_of(("batch_ship.samples",))
    assert all(name.startswith(("batch_ship.cli", "batch_ship.samples")) for name in users)


HEAVY = [
    "pandas", "pyarrow", "numpy", "openpyxl", "python_calamine", "rustpy_xlsxwriter", "jinja2",
    "reportlab",
]  # fmt: skip
LIGHT = [
    *sorted(name for name in MODULES if name.startswith("batch_ship.cli")),
    "batch_ship.sources.base",
]


def heavy_loaded(code: str) -> str:
    """The heavy libraries loaded after running `code` in a fresh interpreter."""
    check = (
        f"{code}\nimport sys; print('heavy:' + ','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout.rsplit("heavy:", 1)[1].strip()


@pytest.mark.parametrize("module", LIGHT)
def test_light_modules_load_without_heavy_libraries(module: str) -> None:
    assert heavy_loaded(f"import {module}") == ""


def test_help_and_version_load_no_heavy_library() -> None:
    """`--help` lists every command (loading each command's module) and `--version` reads the
    package metadata: neither needs pandas or Arrow, which take most of a second to load."""
    for args in (["--help"], ["--version"], ["export", "--help"], ["daily", "--help"]):
        code = (
            "from batch_ship.cli import main\n"
            f"try:\n    main({args!r}, prog_name='batch-ship')\nexcept SystemExit:\n    pass"
        )
        assert heavy_loaded(code) == "", args


def test_labels_build_on_the_foundation_and_the_workbook_writer_only() -> None:
    allowed = (*FOUNDATION, "batch_ship.labels", "batch_ship.template_dirs")
    allowed += ("batch_ship.spreadsheets.write",)
    for name, used in MODULES.items():
        if name.startswith("batch_ship.labels"):
            ours = {m for m in used if m.startswith("batch_ship.") and m != "batch_ship"}
            assert all(m.startswith(allowed) for m in ours), (name, ours)


def test_loading_couriers_does_not_load_reportlab() -> None:
    code = (
        "import sys, batch_ship.couriers as c; c.load_couriers(); print('reportlab' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "False"


MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
# Modules other helpers are splitting right now (issue 14). TO BE REMOVED: each entry goes when
# its split lands; the lead removes what is left when the session ends.
BEING_SPLIT: dict[str, str] = {}  # a module mid-split, with why; empty when none is


def _being_split(path: Path) -> bool:
    relative = path.relative_to(PROJECT_ROOT).as_posix()
    return any(relative == key or relative.startswith(key + "/") for key in BEING_SPLIT)


def _product_files() -> list[Path]:
    return [path for path in sorted(PACKAGE.rglob("*.py")) if not _being_split(path)]


def long_functions(path: Path, limit: int = MAX_FUNCTION_LINES) -> list[str]:
    """`name:line (n lines)` of every function or method of `path` longer than `limit` lines,
    from its `def` to its end, docstring included (nested functions count within their parent
    too). Decorators are not counted: a command's click options are declarations, not code."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > limit:
                found.append(f"{node.name}:{node.lineno} ({length} lines)")
    return found


def test_no_product_module_over_400_lines() -> None:
    too_long = {
        path.relative_to(PROJECT_ROOT).as_posix(): lines
        for path in _product_files()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert too_long == {}, "split these modules (ARCHITECTURE.md says where the parts go)"


def test_no_product_function_over_60_lines() -> None:
    too_long = {
        path.relative_to(PROJECT_ROOT).as_posix(): found
        for path in _product_files()
        if (found := long_functions(path))
    }
    assert too_long == {}, "split these functions: each should fit on a screen"


def test_the_size_checks_see_what_they_check(tmp_path: Path) -> None:
    """The checks would catch a long function and look at every product module but the ones
    being split."""
    body = "\n".join(f"    x{index} = {index}" for index in range(60))
    source = tmp_path / "m.py"
    source.write_text(
        f"@decorator\ndef long() -> None:\n{body}\n\n\ndef short() -> None:\n    pass\n"
    )
    assert long_functions(source) == ["long:2 (61 lines)"]
    assert long_functions(source, limit=61) == []
    checked = {path.relative_to(PACKAGE).as_posix() for path in _product_files()}
    assert {"couriers.py", "spreadsheets/read.py", "samples/orders.py"} <= checked


def test_only_the_ledger_speaks_sql_to_its_connection() -> None:
    """The ledger's SQL lives in `ledger/`: other modules call its methods and functions."""
    outside = [
        path.relative_to(PROJECT_ROOT).as_posix()
        for path in sorted(PACKAGE.rglob("*.py"))
        if "ledger" not in path.relative_to(PACKAGE).parts[:1]
        and "._conn" in path.read_text(encoding="utf-8")
    ]
    assert outside == []
