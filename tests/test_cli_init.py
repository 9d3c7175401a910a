"""`batch-ship init`: a workspace whose config loads, its folders, and no overwrite (exit 0)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from batch_ship.cli import main
from batch_ship.workspace import CONFIG_NAME, load_config


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An empty folder: init is what writes its batch_ship.toml."""
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


def test_init_into_a_new_directory(runner: CliRunner, tmp_path: Path) -> None:
    shop = tmp_path / "shop"
    result = runner.invoke(main, ["init", str(shop), "--courier", "yto"])
    assert result.exit_code == 0, result.output
    assert f"wrote {shop / CONFIG_NAME}" in result.stdout
    assert load_config(shop / CONFIG_NAME).courier == "yto"
    for name in ("inbox", "returns", "archive"):
        assert (shop / name).is_dir()
        assert f"created {shop / name}/" in result.stdout


def test_init_defaults_to_home(runner: CliRunner, home: Path) -> None:
    result = runner.invoke(main, ["--home", str(home), "init"])
    assert result.exit_code == 0, result.output
    assert load_config(home / CONFIG_NAME).courier == "zto"


def test_init_twice_keeps_the_config_and_exits_0(runner: CliRunner, home: Path) -> None:
    assert runner.invoke(main, ["--home", str(home), "init"]).exit_code == 0
    config = home / CONFIG_NAME
    config.write_text(
        config.read_text(encoding="utf-8").replace('name = ""', 'name = "张三"'), encoding="utf-8"
    )
    (home / "archive").rmdir()
    result = runner.invoke(main, ["--home", str(home), "init", "--courier", "sf"])
    assert result.exit_code == 0, result.output
    assert "already exists; left unchanged" in result.stderr
    assert f"created {home / 'archive'}/" in result.stdout
    loaded = load_config(config)
    assert loaded.sender.name == "张三"
    assert loaded.courier == "zto"


def test_init_on_a_file_is_an_error(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("", encoding="utf-8")
    result = runner.invoke(main, ["init", str(target)])
    assert result.exit_code in (1, 2)
    assert "file" in result.output
    assert "Traceback" not in result.output


def test_init_refuses_a_bad_courier_code(runner: CliRunner, home: Path) -> None:
    result = runner.invoke(main, ["--home", str(home), "init", "--courier", "z t o"])
    assert result.exit_code == 1
    assert "unknown courier 'z t o'" in result.stderr
    assert not (home / CONFIG_NAME).exists()


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--courier", "ups", "unknown courier 'ups'"),
        ("--marketplace", "ebay", "unknown marketplace 'ebay'"),
    ],
)
def test_init_refuses_a_courier_or_marketplace_without_a_template(
    runner: CliRunner, tmp_path: Path, option: str, value: str, message: str
) -> None:
    shop = tmp_path / "shop"
    result = runner.invoke(main, ["init", str(shop), option, value])
    assert result.exit_code == 1
    assert message in result.output
    assert not shop.exists()


def test_init_writes_the_code_as_templates_name_it(runner: CliRunner, tmp_path: Path) -> None:
    shop = tmp_path / "shop"
    result = runner.invoke(main, ["init", str(shop), "--courier", "SF"])
    assert result.exit_code == 0, result.output
    assert load_config(shop / CONFIG_NAME).courier == "sf"
