"""batch_ship.toml checked against its schema: each error names the file, the key and the fix."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from batch_ship.errors import ConfigError
from batch_ship.workspace import CONFIG_NAME, load_config, open_workspace

BAD = {
    "marketplace = {a = 1}": (
        "[defaults]\nmarketplace = {a = 1}\n",
        "[defaults] marketplace",
        'marketplace = "taobao"',
    ),
    'inbox = ["a"]': (
        '[folders]\ninbox = ["a"]\n',
        "[folders] inbox must be text",
        'inbox = "inbox"',
    ),
    "courier = 5": (
        "[defaults]\ncourier = 5\n",
        "[defaults] courier must be text",
        'courier = "zto"',
    ),
    "templates = 5": (
        "[folders]\ntemplates = 5\n",
        "[folders] templates must be text",
        "templates =",
    ),
    "merge = 'yes'": (
        '[defaults]\nmerge = "yes"\n',
        "[defaults] merge must be true or false",
        "merge = true or false",
    ),
    "phone as a number": (
        "[sender]\nphone = 13800138000\n",
        "[sender] phone must be text",
        "in quotes",
    ),
    "courier not a code": ('[defaults]\ncourier = "Z T O"\n', "must be a code", 'courier = "zto"'),
    "folder outside": (
        '[folders]\narchive = "../elsewhere"\n',
        "inside the workspace",
        'archive = "archive"',
    ),
    "section a value": ('sender = "me"\n', "must be a [sender] table", "[sender]"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_values_name_the_file_key_and_fix(tmp_path: Path, case: str) -> None:
    text, message, fix = BAD[case]
    (tmp_path / CONFIG_NAME).write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path / CONFIG_NAME)
    shown = str(raised.value)
    assert shown.startswith(f"{CONFIG_NAME}: "), shown
    assert message in shown
    assert fix in shown


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    (tmp_path / CONFIG_NAME).write_text(
        '[defaults]\ncourier = 5\nmarketplace = {a = 1}\n[folders]\ninbox = ["a"]\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path / CONFIG_NAME)
    for key in ("[defaults] courier", "[defaults] marketplace", "[folders] inbox"):
        assert key in str(raised.value)


def test_unknown_keys_are_warned_and_ignored(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / CONFIG_NAME).write_text(
        '[sender]\nname = "张三"\nfax = "1"\n[defualts]\ncourier = "sf"\n', encoding="utf-8"
    )
    with caplog.at_level(logging.WARNING):
        config = load_config(tmp_path / CONFIG_NAME)
    assert config.sender.name == "张三"
    assert config.courier == "zto"
    assert "unknown key 'fax' in [sender]" in caplog.text
    assert "unknown section 'defualts'" in caplog.text


def test_good_config_loads(tmp_path: Path) -> None:
    (tmp_path / CONFIG_NAME).write_text(
        '[sender]\nname = "张三"\nphone = "0571-88888888"\n[defaults]\ncourier = "sf"\n'
        'merge = false\nmarketplace = "amazon"\n[folders]\ninbox = "in"\ntemplates = ""\n',
        encoding="utf-8",
    )
    config = load_config(tmp_path / CONFIG_NAME)
    assert (config.sender.phone, config.courier, config.merge) == ("0571-88888888", "sf", False)
    assert (config.marketplace, config.inbox, config.templates) == ("amazon", "in", None)


@pytest.mark.parametrize(
    ("make", "named"),
    [
        (lambda home: (home / "batches").write_text("x"), "batches"),
        (lambda home: (home / "inbox").write_text("x"), "inbox"),
        (lambda home: (home / CONFIG_NAME).mkdir(), CONFIG_NAME),
        (lambda home: (home / "ledger.sqlite3").mkdir(), "ledger.sqlite3"),
    ],
)
def test_paths_of_the_wrong_kind_are_refused(tmp_path: Path, make: object, named: str) -> None:
    make(tmp_path)  # type: ignore[operator]
    with pytest.raises(ConfigError) as raised:
        open_workspace(tmp_path)
    assert str(tmp_path / named) in str(raised.value)
