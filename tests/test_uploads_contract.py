"""The contract every marketplace upload template passes, run for each file in
templates/marketplaces: adding a marketplace's upload file is a TOML file, tested here without a
new test.

A batch is exported, its simulated return imported with the marketplace chosen, and the upload
file read back with the csv module in the template's encoding and delimiter: its header row is
the template's, one row per shipped order, each column holding what its field says."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from batch_ship.cli import main
from batch_ship.couriers import get_courier, template_files
from batch_ship.samples.orders import write_sample_export
from batch_ship.tracking_numbers import validate
from batch_ship.uploads import Marketplace, available_marketplaces, load_marketplace

CODES = available_marketplaces()  # the built-ins: a new file joins every test below
COURIER = "zto"


@pytest.fixture(scope="module")
def order_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sample_export(tmp_path_factory.mktemp("inbox"), orders=40, seed=15)[0]


def upload_rows(marketplace: Marketplace, path: Path) -> list[list[str]]:
    """The file read back as the marketplace reads it: its encoding, delimiter, line ends."""
    text = path.read_bytes().decode(marketplace.encoding)
    lines = text.split(marketplace.line_terminator)
    assert lines[-1] == ""  # every row, the last too, ends in the template's line terminator
    assert all("\n" not in line and "\r" not in line for line in lines)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=marketplace.delimiter))


@pytest.mark.parametrize("code", CODES)
def test_the_upload_file_holds_what_its_template_says(
    code: str, order_report: Path, home: Path, tmp_path: Path
) -> None:
    marketplace = load_marketplace(code)
    courier = get_courier(COURIER)
    runner = CliRunner()
    exported = runner.invoke(
        main, ["--home", str(home), "export", "--json", "--courier", COURIER, str(order_report)]
    )
    assert exported.exit_code == 0, exported.output
    batch = json.loads(exported.stdout)["batch"]
    returned = tmp_path / "return.xlsx"
    made = runner.invoke(
        main, ["--home", str(home), "sample-return", "--batch", batch, str(returned)]
    )
    assert made.exit_code == 0, made.output
    imported = runner.invoke(
        main,
        ["--home", str(home), "import-tracking", "--json", "--marketplace", code, str(returned)],
    )
    assert imported.exit_code == 0, imported.output
    summary = json.loads(imported.stdout)
    path = home / "batches" / batch / marketplace.file_name
    assert str(path) in summary["files"]

    rows = upload_rows(marketplace, path)
    assert rows[0] == [column.header for column in marketplace.columns]
    body = rows[1:]
    assert len(body) == summary["orders_shipped"] > 0
    assert all(len(row) == len(marketplace.columns) for row in body)
    carrier = marketplace.carrier(courier.code, courier.name, courier.marketplace_names)
    expected = {
        "carrier_name": carrier.name,
        "carrier_code": carrier.code,
        "ship_method": marketplace.ship_method,
        "empty": "",
    }
    for index, column in enumerate(marketplace.columns):
        cells = [row[index] for row in body]
        if column.field == "order_id":
            assert all(re.fullmatch(r"\d{19}", cell) for cell in cells), cells[:3]
            assert len(set(cells)) == len(cells)  # one row per order
        elif column.field == "tracking":
            assert all(validate(courier.tracking, cell) for cell in cells), cells[:3]
        elif column.field == "ship_date":
            assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", cell) for cell in cells), cells[:3]
        elif column.field == "text":
            assert set(cells) == {column.text}
        else:
            assert set(cells) == {expected[column.field]}, column.header


@pytest.mark.parametrize("code", CODES)
def test_every_courier_has_a_name_in_the_marketplace(code: str) -> None:
    """Its [carriers] table names only couriers that exist, and every courier gets a name (its
    own, the table's, or its display name) in the upload."""
    marketplace = load_marketplace(code)
    couriers = template_files()
    assert set(marketplace.carriers) <= set(couriers), "a [carriers] key is not a courier code"
    assert marketplace.columns, "an upload file needs columns"
    assert {"order_id", "tracking"} <= {column.field for column in marketplace.columns}
    for courier_code in couriers:
        courier = get_courier(courier_code)
        carrier = marketplace.carrier(courier.code, courier.name, courier.marketplace_names)
        assert carrier.name.strip(), courier_code
        assert carrier.code.strip(), courier_code
