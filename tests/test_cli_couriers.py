"""`batch-ship couriers`: the list of templates, human and --json, with workspace overrides."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from batch_ship.cli import main


def test_couriers_json_lists_every_template(runner: CliRunner, home: Path) -> None:
    result = runner.invoke(main, ["--home", str(home), "couriers", "--json"])
    assert result.exit_code == 0, result.output
    entries = {entry["code"]: entry for entry in json.loads(result.stdout)["couriers"]}
    assert set(entries) == {"generic", "sf", "sto", "zto", "yto", "yunda", "jt", "ems", "jd"}
    assert entries["zto"]["taobao_name"] == "中通快递"
    assert entries["sf"]["columns"] == 44
    assert entries["sf"]["reference_header"] == "用户订单号"
    assert entries["generic"]["columns"] == 17
    assert all(entry["rows_per_file"] >= 1 for entry in entries.values())
    assert "generic" in entries["zto"]["layout_note"]


def test_couriers_human_output(runner: CliRunner, home: Path) -> None:
    result = runner.invoke(main, ["--home", str(home), "couriers"])
    assert result.exit_code == 0, result.output
    assert "顺丰速运" in result.stdout
    assert "taobao: 中通快递" in result.stdout


def test_workspace_templates_override(runner: CliRunner, home: Path) -> None:
    folder = home / "tpl" / "couriers"
    folder.mkdir(parents=True)
    (folder / "zto.toml").write_text(
        'name = "本地中通"\nrows_per_file = 500\n[marketplace_names]\ntaobao = "中通快递"\n'
        '[[columns]]\nheader = "订单编号"\nvalue = "{{ parcel.reference }}"\n',
        encoding="utf-8",
    )
    (home / "batch_ship.toml").write_text('[folders]\ntemplates = "tpl"\n', encoding="utf-8")
    result = runner.invoke(main, ["--home", str(home), "couriers", "--json"])
    assert result.exit_code == 0, result.output
    entries = {entry["code"]: entry for entry in json.loads(result.stdout)["couriers"]}
    assert entries["zto"]["name"] == "本地中通"
    assert entries["zto"]["rows_per_file"] == 500


def test_broken_override_exits_1_naming_the_file(runner: CliRunner, home: Path) -> None:
    folder = home / "tpl" / "couriers"
    folder.mkdir(parents=True)
    (folder / "sf.toml").write_text('name = "x"\n[[columns]]\nheader = "a"\nvalue = "{{"\n')
    (home / "batch_ship.toml").write_text('[folders]\ntemplates = "tpl"\n', encoding="utf-8")
    result = runner.invoke(main, ["--home", str(home), "couriers"])
    assert result.exit_code == 1
    assert "sf.toml" in result.output
    assert "Traceback" not in result.output
