"""The contract every courier template passes, run for each file in templates/couriers: adding a
courier is a TOML file, and this suite tests it without a new test.

A template renders a submission workbook for sample parcels (read back with openpyxl: its
headers and columns are the template's), its number rule accepts numbers generated from its own
pattern, and a simulated return for the batch imports with every parcel matched."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from batch_ship.cli import main
from batch_ship.couriers import Courier, get_courier, template_files
from batch_ship.rule_words import describe_rule
from batch_ship.samples.orders import write_sample_export
from batch_ship.tracking_numbers import (
    RangeError,
    TrackingRule,
    is_s10,
    number_range,
    s10_check_digit,
    validate,
)

CODES = sorted(template_files())  # the built-ins: a new file here joins every test below
_S10_SHAPE = re.compile(r"([A-Z]{2})(\d{8})\d([A-Z]{2})")


@pytest.fixture(scope="module")
def orders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[str]]:
    """A sample order report (merges, masked phones, unpaid orders among them) and its ids."""
    order_path, _items = write_sample_export(tmp_path_factory.mktemp("inbox"), orders=40, seed=14)
    with order_path.open(encoding="gbk", newline="") as stream:
        ids = {row[0].strip('="') for row in list(csv.reader(stream))[1:]}
    return order_path, ids


def export(runner: CliRunner, home: Path, code: str, order_path: Path) -> dict[str, Any]:
    result = runner.invoke(
        main, ["--home", str(home), "export", "--json", "--courier", code, str(order_path)]
    )
    assert result.exit_code == 0, result.output
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def submission_rows(courier: Courier, files: list[str]) -> list[tuple[str, ...]]:
    """Every data row of the batch's submission workbooks, each workbook checked against the
    template: its header row, its size, the text format of its text columns."""
    paths = [Path(name) for name in files if Path(name).name.startswith("submission-")]
    assert paths, files
    rows: list[tuple[str, ...]] = []
    for path in paths:
        sheet = openpyxl.load_workbook(path).worksheets[0]
        grid = [
            tuple("" if cell.value is None else str(cell.value) for cell in row)
            for row in sheet.iter_rows()
        ]
        assert grid[0] == courier.headers, path.name
        assert 1 <= len(grid) - 1 <= courier.rows_per_file
        for index, column in enumerate(courier.columns, start=1):
            formats = {sheet.cell(row=row, column=index).number_format for row in (2, len(grid))}
            assert formats == ({"@"} if column.text else {"General"}), (path.name, column.header)
        rows += grid[1:]
    return rows


@pytest.mark.parametrize("code", CODES)
def test_the_template_renders_its_submission_workbook(
    code: str, orders: tuple[Path, set[str]], home: Path
) -> None:
    courier = get_courier(code)
    summary = export(CliRunner(), home, code, orders[0])
    rows = submission_rows(courier, summary["files"])
    assert len(rows) == summary["parcels"] > 0
    columns = dict(zip(courier.headers, zip(*rows, strict=True), strict=True))
    references = columns[courier.reference_header]
    assert len(set(references)) == len(references)
    assert set(references) <= orders[1]  # each parcel's first order number, one per parcel
    for column in courier.columns:
        cells = columns[column.header]
        parts = column.value.parts or ()
        if parts and all(kind == "text" for kind, _value in parts):  # literal text
            assert set(cells) == {"".join(value for _kind, value in parts)}, column.header
        elif parts and all(kind in ("text", "sender") for kind, _value in parts):
            assert len(set(cells)) == 1, column.header  # the one sender
            assert cells[0], column.header
        elif ("recipient", "name") in parts or ("parcel", "reference") in parts:
            assert all(cells), column.header


@pytest.mark.parametrize("code", CODES)
def test_a_simulated_return_imports_with_every_parcel_matched(
    code: str, orders: tuple[Path, set[str]], home: Path, tmp_path: Path
) -> None:
    """The numbers the template's rule accepts go through import-tracking: found in the
    return's tracking column, valid, recorded for every parcel."""
    runner = CliRunner()
    summary = export(runner, home, code, orders[0])
    returned = tmp_path / f"{code}-return.xlsx"
    made = runner.invoke(
        main,
        ["--home", str(home), "sample-return", "--batch", summary["batch"], str(returned)],
    )
    assert made.exit_code == 0, made.output  # no sample numbers fit this rule: samples/returns
    imported = runner.invoke(
        main, ["--home", str(home), "import-tracking", "--json", str(returned)]
    )
    assert imported.exit_code == 0, imported.output
    result = json.loads(imported.stdout)
    assert result["batch"] == summary["batch"]
    assert result["parcels_matched"] == summary["parcels"]
    assert result["unmatched_parcels"] == result["unknown_rows"] == 0


def _valid_numbers(courier: Courier) -> st.SearchStrategy[str]:
    """Numbers drawn from the rule's own pattern (ASCII, as the rule reads it), an S10-shaped
    one given its right check digit when the rule checks S10."""
    numbers = st.from_regex(re.compile(courier.tracking.pattern, re.ASCII), fullmatch=True)
    if courier.tracking.check != "s10":
        return numbers

    def checked(number: str) -> str:
        shape = _S10_SHAPE.fullmatch(number)
        if shape is None:
            return number
        serial = shape.group(2)
        return f"{shape.group(1)}{serial}{s10_check_digit(serial)}{shape.group(3)}"

    return numbers.map(checked)


def _following(rule: TrackingRule, number: str) -> list[str]:
    """The number and the next one (a --range from it), or [] where its digits run out
    (…999: a range that would grow is refused)."""
    try:
        return number_range(rule, number, count=2)
    except RangeError as error:
        if "would grow" in str(error):
            return []
        raise


@pytest.mark.parametrize("code", CODES)
def test_the_number_rule_accepts_numbers_of_its_own_pattern(code: str) -> None:
    courier = get_courier(code)
    rule = courier.tracking
    assert rule.source.strip(), "cite where the rule comes from"
    words = describe_rule(rule)
    assert words != describe_rule(TrackingRule(pattern=r"(?=x)", source="x")), words

    @given(_valid_numbers(courier))
    def accepts(number: str) -> None:
        assert validate(rule, number), number
        assert not validate(rule, number + "!")
        assert not validate(rule, " " + number)
        if _S10_SHAPE.fullmatch(number) and rule.check == "s10":
            assert is_s10(number)
        if number[-1].isdigit() or is_s10(number):  # a range can start from it
            following = _following(rule, number)
            assert following[:1] in ([], [number])
            assert all(len(value) == len(number) for value in following)

    accepts()
