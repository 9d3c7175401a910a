"""The sources seam: every source by name, the choice by content, one contract for all."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pandas as pd
import pytest

from batch_ship.errors import ConfigError, InputError
from batch_ship.model import OrderStatus
from batch_ship.progress import no_progress
from batch_ship.sources import canonical as c
from batch_ship.sources.base import Source
from batch_ship.sources.peek import head_rows
from batch_ship.sources.registry import (
    all_sources,
    available_sources,
    choose_source,
    detect_source,
    get_source,
    read_orders,
)
from tests.conftest import PROJECT_ROOT, SAMPLE_DATA

TAOBAO = SAMPLE_DATA / "ExportOrderList202611261000.csv"
SHEET = SAMPLE_DATA / "order-sheet-20261126.csv"
# One real file of each source: the contract suite reads each through its own source.
EXAMPLES = {"taobao": TAOBAO, "order-sheet": SHEET}


def test_builtin_and_shipped_sources() -> None:
    assert available_sources()[0] == "taobao"
    assert "order-sheet" in available_sources()
    assert sorted(EXAMPLES) == sorted(available_sources())  # every source has its example


@pytest.mark.parametrize("code", sorted(EXAMPLES))
def test_contract_every_source(code: str) -> None:
    """What every source must do: know its own files by content and read them into the
    canonical table (all text, ids never numbers, statuses canonical, rows numbered)."""
    source: Source = get_source(code)
    example = EXAMPLES[code]
    head = head_rows(example)
    assert source.score(head) > 0
    assert detect_source([example]).code == code
    for other, path in EXAMPLES.items():  # another source's file scores higher there
        if other != code:
            assert source.score(head_rows(path)) < get_source(other).score(head_rows(path))
    table = source.read([example], source.companions([example]), no_progress)
    assert list(table.orders.columns[: len(c.ORDER_COLUMNS)]) == list(c.ORDER_COLUMNS)
    assert list(table.items.columns) == list(c.ITEM_COLUMNS)
    assert len(table.original) == len(table.orders)
    for name in c.ORDER_COLUMNS:
        assert pd.api.types.is_string_dtype(table.orders[name]), name
    assert set(table.orders[c.STATUS]) <= {status.value for status in OrderStatus}
    assert table.orders[c.ROW].str.fullmatch(r"\d+").all()
    assert (table.orders[c.ORDER_ID] != "").all()
    assert set(table.items[c.ORDER_ID]) <= set(table.orders[c.ORDER_ID])
    assert table.sources[0] == example


def test_a_file_no_source_knows_goes_to_the_default_reader(tmp_path: Path) -> None:
    stray = tmp_path / "notes.csv"
    stray.write_text("hello,world\n1,2\n", encoding="utf-8")
    assert detect_source([stray]).code == "taobao"
    with pytest.raises(InputError, match="no 订单编号 \\(order number\\) column"):
        read_orders([stray])


def test_files_of_two_sources_are_refused() -> None:
    with pytest.raises(InputError, match="different sources") as caught:
        detect_source([TAOBAO, SHEET])
    assert "taobao: ExportOrderList202611261000.csv" in str(caught.value)
    assert "order-sheet: order-sheet-20261126.csv" in str(caught.value)
    assert "--source" in (caught.value.hint or "")


def test_source_named_wins_over_content() -> None:
    assert choose_source([SHEET], "taobao").code == "taobao"
    with pytest.raises(InputError, match="not 17-19 digits"):  # read as Taobao, as told
        read_orders([SHEET], source="taobao")


def test_unknown_source_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="unknown source 'shopify'") as caught:
        get_source("shopify")
    assert "taobao, order-sheet" in (caught.value.hint or "")
    with pytest.raises(ConfigError, match="unknown source"):
        get_source("../couriers/zto")


def test_read_orders_through_the_seam_accepts_file_objects() -> None:
    stream = io.BytesIO(SHEET.read_bytes())
    table = read_orders([stream])
    assert len(table.orders) == 7
    assert len(table.items) == 8


def test_workspace_mapping_overrides_and_adds(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    (templates / "sources").mkdir(parents=True)
    shipped = PROJECT_ROOT / "templates" / "sources" / "order-sheet.toml"
    text = shipped.read_text(encoding="utf-8")
    (templates / "sources" / "order-sheet.toml").write_text(
        text.replace('"已发货" = "shipped"', '"已发货" = "awaiting-shipment"'), encoding="utf-8"
    )
    shutil.copy(shipped, templates / "sources" / "my-erp.toml")
    assert {"order-sheet", "my-erp"} <= set(available_sources(templates))
    overridden = read_orders([SHEET], source="order-sheet", templates_dir=templates)
    statuses = overridden.orders[c.STATUS].tolist()
    assert statuses.count(OrderStatus.AWAITING_SHIPMENT.value) == 6  # 已发货 now ships too
    assert get_source("my-erp", templates).code == "my-erp"


def test_a_broken_mapping_is_a_config_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "sources").mkdir()
    broken = tmp_path / "sources" / "bad.toml"
    broken.write_text("[columns\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML") as caught:
        all_sources(tmp_path)
    assert caught.value.path == broken
