"""Reading a TOML file a person edits, and the checks on its keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from batch_ship.couriers import load_courier_file
from batch_ship.errors import ConfigError
from batch_ship.labels.layout import load_layout
from batch_ship.sources.mapping import load_mapping
from batch_ship.toml_keys import read_toml, refuse_unknown_keys, text_value
from batch_ship.uploads import _parse_marketplace
from batch_ship.workspace import load_config


def test_read_toml_gives_the_tables(tmp_path: Path) -> None:
    path = tmp_path / "a.toml"
    path.write_text('name = "中通"\n[t]\nx = 1\n', encoding="utf-8")
    assert read_toml(path) == {"name": "中通", "t": {"x": 1}}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name = [", "not valid TOML"),
        (b'name = "\xff\xfe"', "not valid TOML"),
    ],
)
def test_read_toml_refuses_a_broken_file_naming_it(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "broken.toml"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=message) as caught:
        read_toml(path)
    assert caught.value.path == path
    assert caught.value.hint == "fix the syntax"


def test_every_template_reader_turns_an_unreadable_file_into_a_config_error(
    tmp_path: Path,
) -> None:
    """A folder where a file should be (as an unreadable file, an OSError): one message in
    every reader of an edited TOML file, not a traceback in some of them."""
    readers = [
        lambda path: load_courier_file(path),
        lambda path: load_layout(path),
        lambda path: _parse_marketplace("x", path),
        lambda path: load_mapping("x", path),
        read_toml,
    ]
    folder = tmp_path / "x.toml"
    folder.mkdir()
    for read in readers:
        with pytest.raises(ConfigError, match=r"cannot read the file \(") as caught:
            read(folder)
        assert caught.value.path == folder
        assert caught.value.hint == "check permissions"
    with pytest.raises(ConfigError, match="is a folder"):  # the configuration says so first
        load_config(folder)


def test_text_value_and_unknown_keys(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    assert text_value({"name": "x"}, "name", path) == "x"
    assert text_value({}, "name", path) == ""
    with pytest.raises(ConfigError, match="name must be text"):
        text_value({"name": 1}, "name", path)
    with pytest.raises(ConfigError, match="name is missing"):
        text_value({"name": " "}, "name", path, required=True)
    with pytest.raises(ConfigError, match="unknown keys in the file: b, c") as caught:
        refuse_unknown_keys({"a": 1, "b": 2, "c": 3}, {"a"}, "the file", path)
    assert caught.value.hint == "use a"
