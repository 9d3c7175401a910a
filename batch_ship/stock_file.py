"""A courier's file of waybill numbers (xlsx/csv), read and checked row by row."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from batch_ship.couriers import Courier
from batch_ship.errors import InputError, missing_file
from batch_ship.i18n import _
from batch_ship.ledger.stock import StockNumber
from batch_ship.sources.file_kinds import TRACKING_HEADERS, header_key
from batch_ship.spreadsheets.formulas import formula_rows
from batch_ship.spreadsheets.read import load_bytes, read_raw
from batch_ship.tracking_numbers import describe_rule, validate

SORT_CODE_HEADERS = ("大头笔", "三段码", "分拣码", "大头笔/三段码", "sortcode", "sort-code")
HUB_HEADERS = ("集包地", "集包", "集包地点", "hub")
_FORMULA_START = ("=", "+", "-", "@")
SHOWN_ROWS = 8  # rows named in a message; the count says how many more


@dataclass(frozen=True)
class RowProblem:
    """A row of the stock file that cannot go into stock, and why."""

    row: int  # the spreadsheet row, 1-based as a person sees it
    number: str
    reason: str


def numbers_in_file(
    path: Path, courier: Courier, others: Sequence[Courier]
) -> tuple[list[StockNumber], list[int]]:
    """The file's numbers (with sort code and 集包地 columns when present), in file order,
    and their rows;
    InputError naming the rows when any row holds a formula, a repeat, another courier's
    number or a number failing the rule, or the file holds no number."""
    if not path.exists():
        raise missing_file(path)
    raw = load_bytes(path)
    grid = read_raw(raw, header_row=None)  # refuses a hostile workbook before it is scanned
    formulas = formula_rows(raw.data, path)
    header, columns = _columns(grid)
    problems = [
        RowProblem(row, "", _("a formula, not a number: type the number itself"))
        for row in formulas
    ]
    numbers: list[StockNumber] = []
    rows: list[int] = []
    for index in range(header + 1, len(grid)):
        values = [str(grid.iat[index, column]).strip() if column >= 0 else "" for column in columns]
        number = values[0].replace(" ", "")
        if not number or index + 1 in formulas:
            continue
        if number[:1] in _FORMULA_START:
            problems.append(RowProblem(index + 1, number, _("a formula, not a number")))
            continue
        numbers.append(StockNumber(_upper_s10(number), values[1], values[2]))
        rows.append(index + 1)
    problems += check_numbers(numbers, rows, courier, others)
    if problems:
        raise rows_refused(path, problems)
    if not numbers:
        raise InputError(
            _("the file holds no waybill number"),
            path=path,
            hint=_("give the courier's file of numbers, one number a row under 运单号"),
        )
    return numbers, rows


def check_numbers(
    numbers: Sequence[StockNumber], rows: Sequence[int], courier: Courier, others: Sequence[Courier]
) -> list[RowProblem]:
    """Repeats, numbers of another courier and numbers failing the courier's rule."""
    problems: list[RowProblem] = []
    first_row: dict[str, int] = {}
    words = describe_rule(courier.tracking)
    for item, row in zip(numbers, rows, strict=True):
        number = item.number
        if number in first_row:
            problems.append(
                RowProblem(row, number, _("repeats row {row}").format(row=first_row[number]))
            )
            continue
        first_row[number] = row
        if validate(courier.tracking, number):
            continue
        owner = next((o for o in others if validate(o.tracking, number)), None)
        if owner is not None:
            reason = _("a {name} number, not {courier}'s").format(
                name=owner.name, courier=courier.name
            )
        else:
            reason = _("not a valid number: {courier} numbers have {words}").format(
                courier=courier.name, words=words
            )
        problems.append(RowProblem(row, number, reason))
    return problems


def rows_refused(path: Path | None, problems: Sequence[RowProblem]) -> InputError:
    """One message naming the rows (the first SHOWN_ROWS of them) and what is wrong."""
    ordered = sorted(problems, key=lambda p: p.row)
    shown = "; ".join(
        _("row {row} {number}: {reason}").format(row=p.row, number=p.number, reason=p.reason)
        if p.number
        else _("row {row}: {reason}").format(row=p.row, reason=p.reason)
        for p in ordered[:SHOWN_ROWS]
    )
    more = len(ordered) - SHOWN_ROWS
    if more > 0:
        shown += _("; and {count:,} more row(s)").format(count=more)
    return InputError(
        _("{count:,} row(s) cannot go into stock, so none was added: {rows}").format(
            count=len(ordered), rows=shown
        ),
        path=path,
        hint=_("remove or correct those rows and run the command again"),
    )


def known_problems(
    numbers: Sequence[StockNumber], rows: Sequence[int], known: Mapping[str, str]
) -> list[RowProblem]:
    """Rows whose number the ledger already knows (numbers_known's answer)."""
    problems = []
    for item, row in zip(numbers, rows, strict=True):
        where = known.get(item.number)
        if where is None:
            continue
        kind, _sep, what = where.partition(":")
        if kind == "stock":
            reason = _("already in the {courier} stock").format(courier=what)
        else:
            reason = _("already used (batch {batch})").format(batch=what or "?")
        problems.append(RowProblem(row, item.number, reason))
    return problems


def _upper_s10(number: str) -> str:
    return number.upper() if re.fullmatch(r"[A-Za-z]{2}\d{9}[A-Za-z]{2}", number) else number


def _columns(grid: pd.DataFrame) -> tuple[int, list[int]]:
    """The header row (-1 when the file has none: numbers from the first row on) and the
    columns of the number, sort code and 集包地 (-1 when absent)."""
    wanted = (TRACKING_HEADERS, SORT_CODE_HEADERS, HUB_HEADERS)
    keys = [frozenset(header_key(h) for h in names) for names in wanted]
    for index in range(min(len(grid), 30)):
        cells = [header_key(cell) for cell in grid.iloc[index].tolist()]
        if any(cell in keys[0] for cell in cells):
            found = [next((i for i, c in enumerate(cells) if c in k), -1) for k in keys]
            return index, found
    return -1, [0, -1, -1]
