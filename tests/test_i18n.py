"""Messages in Chinese or English: the catalogs are complete and compiled, the CLI picks the
language from --lang or the locale, English when nothing says otherwise."""

from __future__ import annotations

import ast
import gettext
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from click.testing import CliRunner

from batch_ship.cli import main
from batch_ship.errors import BatchShipError, ConfigError
from batch_ship.i18n import DOMAIN, LOCALE_DIR, _, set_language
from batch_ship.workspace import CONFIG_NAME, load_config
from tests.conftest import PROJECT_ROOT
from tests.hostile_files import xls_with_cell

CATALOG = LOCALE_DIR / "zh" / "LC_MESSAGES" / f"{DOMAIN}.po"
COMPILED = CATALOG.with_suffix(".mo")
_FIELD = re.compile(r"(?<!\{)\{([^{}]*)\}(?!\})")


def entries() -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Each message of the Chinese catalog: its ids (singular, plural) and its translations."""
    with CATALOG.open("rb") as handle:
        read = read_po(handle)
    assert not [m.id for m in read if m.id and m.fuzzy], "fuzzy translations"
    found = []
    for message in read:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        found.append((tuple(map(str, ids)), tuple(map(str, texts))))
    return found


def catalog() -> dict[str, str]:
    return {ids[0]: texts[0] for ids, texts in entries()}


def source_messages() -> set[str]:
    """Every message the code marks for translation, as Babel extracts them."""
    found = extract_from_dir(
        str(PROJECT_ROOT / "batch_ship"),
        method_map=[("**.py", "python")],
        keywords={"_": None, "N_": None},
    )
    return {message for _path, _line, message, _comments, _context in found}


def test_every_message_has_a_chinese_translation_with_the_same_fields() -> None:
    found = entries()
    assert len(found) > 300
    untranslated = [ids for ids, texts in found if not all(text.strip() for text in texts)]
    assert untranslated == []
    for ids, texts in found:
        # one Chinese form stands for every English one: it may use the fields of any
        fields = {field for key in ids for field in _FIELD.findall(key)}
        assert all(set(_FIELD.findall(text)) <= fields for text in texts), ids
        if len(ids) == 1:
            assert sorted(_FIELD.findall(ids[0])) == sorted(_FIELD.findall(texts[0])), ids
    for key, value in catalog().items():
        # words to translate (outside fields, --options and `commands`) were translated
        words = re.sub(r"\{[^}]*\}|--[a-z-]+|`[^`]*`|\[[a-z_]+\]", "", key)
        if re.search("[a-z]{3}", words):
            assert re.search(r"[\u4e00-\u9fff]", value), key


def test_the_catalog_holds_every_message_of_the_code() -> None:
    missing = source_messages() - set(catalog())
    assert missing == set(), "run `make messages` and translate the new messages"


def test_the_committed_mo_is_the_compiled_po() -> None:
    with COMPILED.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for ids, texts in entries():
        if len(ids) == 1:
            assert compiled.gettext(ids[0]) == texts[0], ids
        else:
            assert compiled.ngettext(ids[0], ids[1], 2) == texts[0], ids
    shipped = {key if isinstance(key, str) else key[0] for key in compiled._catalog if key}  # type: ignore[attr-defined]
    assert shipped == {ids[0] for ids, _texts in entries()}


def test_the_mo_ships_in_the_package() -> None:
    text = (PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"locale/*/LC_MESSAGES/*.mo"' in text


def test_the_language_follows_set_language() -> None:
    set_language("zh")
    assert _("file not found") == "文件不存在"
    set_language("en")
    assert _("file not found") == "file not found"


MISSING_EN = "Error: missing.csv: file not found\n  Fix: check the path and the file name\n"
MISSING_ZH = "错误：missing.csv：文件不存在\n  修正：请检查路径和文件名\n"


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["inspect", "missing.csv"], {}, MISSING_EN),
        (["inspect", "missing.csv", "--lang", "zh"], {}, MISSING_ZH),
        (["--lang", "zh", "inspect", "missing.csv"], {}, MISSING_ZH),
        (["inspect", "missing.csv"], {"LANG": "zh_CN.UTF-8"}, MISSING_ZH),
        (["inspect", "missing.csv"], {"LC_ALL": "zh_CN.UTF-8"}, MISSING_ZH),
        (["inspect", "missing.csv"], {"LC_MESSAGES": "zh_CN.UTF-8"}, MISSING_ZH),
        (["inspect", "missing.csv", "--lang", "en"], {"LANG": "zh_CN.UTF-8"}, MISSING_EN),
        (["inspect", "missing.csv"], {"LANG": "C"}, MISSING_EN),
    ],
)
def test_a_missing_file_in_each_language(
    runner: CliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    env: dict[str, str],
    expected: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, args, env=env)
    assert result.exit_code == 1
    assert result.stderr == expected


def test_not_a_workspace_in_chinese(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["--home", str(tmp_path), "daily", "--quiet", "--lang", "zh"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"错误：{tmp_path} 不是工作区（没有 batch_ship.toml，也没有 inbox/ 或 returns/ 文件夹）\n"
        f"  修正：请先运行 `batch-ship init {tmp_path}`，或让 --home 指向你的工作区\n"
    )


def test_a_courier_rule_in_chinese(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["couriers", "--lang", "zh"])
    assert result.exit_code == 0
    assert "单号：12 位数字，或以 73-76 或 78 开头的 14 位数字" in result.stdout


def test_the_locale_reaches_a_real_process(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "batch_ship", "inspect", str(tmp_path / "missing.csv")],
        capture_output=True,
        text=True,
        env={"LANG": "zh_CN.UTF-8", "PATH": ""},
        timeout=120,
    )
    assert done.returncode == 1
    assert "missing.csv：文件不存在" in done.stderr


def test_clicks_own_usage_errors_in_chinese(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--lang", "zh", "status", "--nope"], prog_name="batch-ship")
    assert result.exit_code == 2
    assert result.stderr.startswith("用法： batch-ship status [OPTIONS]\n")
    assert "运行 'batch-ship status --help' 查看帮助。" in result.stderr
    assert "错误：没有选项 '--nope'。" in result.stderr
    result = runner.invoke(main, ["ship-everything"], env={"LANG": "zh_CN.UTF-8"})
    assert result.exit_code == 2
    assert "错误：没有命令 'ship-everything'。" in result.stderr
    english = runner.invoke(main, ["status", "--nope"], prog_name="batch-ship")
    assert english.stderr.startswith("Usage: batch-ship status [OPTIONS]\n")
    assert "Error: No such option '--nope'." in english.stderr


def test_a_hostile_workbook_is_refused_in_chinese(runner: CliRunner, tmp_path: Path) -> None:
    corner = xls_with_cell(tmp_path / "corner.xls", 65535, 255)
    result = runner.invoke(main, ["inspect", str(corner), "--lang", "zh"])
    assert result.exit_code == 1
    assert "corner.xls：读取前已拒绝：有工作表占了 65,536 行 x 256 列，却只有" in result.stderr
    assert "个单元格（这是稀疏陷阱，不是正常导出的文件）" in result.stderr


def test_config_problems_and_fixes_in_chinese(tmp_path: Path) -> None:
    (tmp_path / CONFIG_NAME).write_text('[defaults]\ncourier = 5\nsender = "me"\n', "utf-8")
    set_language("zh")
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path / CONFIG_NAME)
    shown = str(raised.value)
    assert "[defaults] courier 必须是文本（加引号），而不是数字" in shown
    assert 'courier = "zto"（代码可用 batch-ship couriers 查看）' in shown


# The project's error classes and the helpers that build their messages: what they are given
# to show must be a message marked for translation, never a bare literal or f-string.
def _kinds(kind: type) -> set[str]:
    return {kind.__name__}.union(*(_kinds(sub) for sub in kind.__subclasses__()))


_SHOWN_BY = {"broken", "hostile", "FileProblem"} | _kinds(BatchShipError)
_SHOWN_ARGS = {"message", "hint"}


def _bare_text(node: ast.expr) -> bool:
    if isinstance(node, ast.JoinedStr):  # words of its own, not only fields and punctuation
        return any(_bare_text(part) for part in node.values)
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and re.search("[A-Za-z]{2}", node.value) is not None
    if isinstance(node, ast.BinOp):
        return _bare_text(node.left) or _bare_text(node.right)
    return False


def test_error_messages_and_fixes_are_marked_for_translation() -> None:
    bare = []
    for path in sorted((PROJECT_ROOT / "batch_ship").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            called = node.func
            name = called.id if isinstance(called, ast.Name) else getattr(called, "attr", "")
            if name not in _SHOWN_BY:
                continue
            shown = [*node.args[:2], *(k.value for k in node.keywords if k.arg in _SHOWN_ARGS)]
            bare += [f"{path.name}:{arg.lineno}" for arg in shown if _bare_text(arg)]
    assert bare == []
