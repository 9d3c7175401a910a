"""Messages in Chinese or English: the catalogs are complete and compiled, the CLI picks the
language from --lang or the locale, English when nothing says otherwise."""

from __future__ import annotations

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
from batch_ship.i18n import DOMAIN, LOCALE_DIR, _, set_language
from tests.conftest import PROJECT_ROOT

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
