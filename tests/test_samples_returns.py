"""Simulated courier returns: valid numbers, damaged references, shuffled rows."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest

from batch_ship.couriers import get_courier
from batch_ship.errors import InputError
from batch_ship.samples.returns import (
    DAMAGED_EVERY,
    SPLIT_EVERY,
    sample_numbers,
    sample_return_frame,
)
from batch_ship.tracking_numbers import is_s10, validate


@pytest.mark.parametrize("code", ["zto", "sf", "ems", "yto", "jt", "jd", "sto", "yunda", "generic"])
def test_numbers_fit_every_builtin_courier(code: str) -> None:
    courier = get_courier(code)
    numbers = sample_numbers(courier, 50, random.Random(3))
    assert len(set(numbers)) == 50
    assert all(validate(courier.tracking, number) for number in numbers)
    if code == "ems":
        assert all(is_s10(number) for number in numbers)


def test_no_shape_fits_is_an_input_error() -> None:
    from dataclasses import replace

    from batch_ship.tracking_numbers import TrackingRule

    courier = replace(get_courier("zto"), tracking=TrackingRule(pattern="Q{30}", source="x"))
    with pytest.raises(InputError, match="cannot make up tracking numbers"):
        sample_numbers(courier, 3, random.Random(1))


def test_frame_is_shuffled_with_damaged_references_and_splits() -> None:
    count = 2 * SPLIT_EVERY
    parcels = pd.DataFrame(
        {
            "reference": [str(4012500868239900000 + i * 1_000_000) for i in range(count)],
            "name": ["张三"] * count,
            "phone": ["13925130165"] * count,
        }
    )
    courier = get_courier("sf")
    header, rows = sample_return_frame(parcels, courier, seed=5)
    assert header[:2] == ["用户订单号", "运单号"]
    floats = [row for row in rows if isinstance(row[0], float)]
    assert len(floats) == count // DAMAGED_EVERY
    texts = [row[0] for row in rows if isinstance(row[0], str)]
    assert texts != sorted(texts)  # shuffled
    # one split parcel as two rows, one as two numbers in a cell
    assert len(rows) == count + 1
    assert sum("," in str(row[1]) for row in rows) == 1
    assert any("****" in str(row[3]) for row in rows)
    assert sample_return_frame(parcels, courier, seed=5) == (header, rows)  # deterministic


def test_written_xlsx_reads_back_like_the_frame(tmp_path: Path) -> None:
    from batch_ship.samples.returns import write_return_xlsx
    from batch_ship.spreadsheets.read import read_table

    rows: list[list[str | float]] = [
        ["4012500868239900000", "773012345678", "张 & <三>", "139****0165", "2026-11-26"],
        [float("4012500868239907919"), "773012345679,773012345680", "李\x01四", "1", "x"],
    ]
    staged = write_return_xlsx(
        tmp_path / "r.xlsx", "标题", ["订单编号", "运单号", "a", "b", "c"], rows
    )
    grid = read_table(staged)
    assert grid.iloc[0, 0] == "标题"
    assert (grid.iloc[1] == "").all()
    assert grid.iloc[2].tolist() == ["订单编号", "运单号", "a", "b", "c"]
    assert grid.iloc[3].tolist() == rows[0]
    assert grid.iloc[4, 0] != "4012500868239907919"  # a numeric cell: digits lost, as meant
    assert float(grid.iloc[4, 0]) == float("4012500868239907919")
    assert grid.iloc[4, 2] == "李四"  # a control character cannot be stored in XML


def test_more_numbers_than_one_range_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    from batch_ship.samples import returns as sample_returns

    courier = get_courier("zto")
    whole = sample_numbers(courier, 25, random.Random(4))
    monkeypatch.setattr(sample_returns, "MAX_RANGE", 10)  # 25 numbers: three ranges, one run
    assert sample_numbers(courier, 25, random.Random(4)) == whole
