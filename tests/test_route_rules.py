"""`[[route]]` tables: loaded from batch_ship.toml, refused with the fix when wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from batch_ship.errors import ConfigError
from batch_ship.route_rules import Route
from batch_ship.workspace import load_config
from tests.conftest import SENDER_TOML
from tests.ops_helpers import cli, ledger_dump

RULES = """
[[route]]
provinces = ["新疆维吾尔自治区", "西藏"]
courier = "ems"

[[route]]
min_amount = 500
max_weight_g = 3000
courier = "sf"

[[route]]
courier = "zto"
"""


def write(home: Path, text: str) -> Path:
    path = home / "batch_ship.toml"
    path.write_text(text + "\n" + SENDER_TOML, encoding="utf-8")
    return path


def test_routes_load_in_order(home: Path) -> None:
    config = load_config(write(home, RULES))
    assert config.routes == (
        Route("ems", provinces=("新疆维吾尔自治区", "西藏")),
        Route("sf", min_amount=500.0, max_weight_g=3000.0),
        Route("zto"),
    )
    assert config.routes[2].is_default
    assert not config.routes[0].is_default


@pytest.mark.parametrize(
    ("text", "problem", "fix"),
    [
        ('[[route]]\nprovince = ["西藏"]\ncourier = "ems"\n', "unknown key 'province'",
         "use provinces, cities, shops"),
        ('[[route]]\ncourier = "dhl"\n', "unknown courier 'dhl'", "courier = one of ems"),
        ('[[route]]\nprovinces = "西藏"\ncourier = "ems"\n', "provinces must be a list",
         'provinces = ["新疆维吾尔自治区", "西藏自治区"]'),
        ('[[route]]\nmin_amount = "5"\ncourier = "ems"\n', "min_amount must be a number",
         "min_amount = 500"),
        ('[[route]]\nmin_weight_g = 9\nmax_weight_g = 1\ncourier = "ems"\n',
         "min_weight_g is above max_weight_g", "swap the two values"),
        ("[[route]]\nprovinces = []\n", "needs courier", 'courier = "ems"'),
        ('route = "ems"\n', "route must be [[route]] tables", "write [[route]]"),
    ],
)  # fmt: skip
def test_a_bad_route_is_refused_naming_the_table_and_the_fix(
    home: Path, text: str, problem: str, fix: str
) -> None:
    path = write(home, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert problem in caught.value.message
    assert fix in str(caught.value.hint)
    assert caught.value.path == path


def test_a_bad_route_stops_a_command_with_exit_1(runner: CliRunner, home: Path) -> None:
    write(home, '[[route]]\ncourier = "zto"\n')
    before = ledger_dump(home)
    write(home, RULES + '\n[[route]]\ncourier = "nope"\nshop = ["x"]\n')
    result = cli(runner, home, "status")
    assert result.exit_code == 1
    assert "batch_ship.toml" in result.output
    assert "[[route]] number 4: unknown key 'shop'" in result.output
    assert "unknown courier 'nope'" in result.output
    assert "Fix:" in result.output
    assert ledger_dump(home) == before


def test_parcel_settings_are_checked(home: Path) -> None:
    config = load_config(
        write(home, '[parcel]\nnote = ["seller_note", "buyer_message"]\nnote_max = 40\n')
    )
    assert config.parcel.note == ("seller_note", "buyer_message")
    assert config.parcel.note_max == 40
    with pytest.raises(ConfigError) as caught:
        load_config(write(home, '[parcel]\nnote = ["gift"]\ndefault_weight_g = "heavy"\n'))
    assert "[parcel] note must list some of order_ids, seller_note, buyer_message" in str(
        caught.value
    )
    assert "[parcel] default_weight_g must be a whole number" in str(caught.value)
