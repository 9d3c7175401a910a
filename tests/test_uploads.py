"""Marketplace upload files: templates, rows, encoding, atomic writes."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from batch_ship.errors import ConfigError, InputError
from batch_ship.uploads import (
    Carrier,
    Marketplace,
    available_marketplaces,
    load_marketplace,
    render_upload,
    upload_frame,
)

SHIPPED = pd.DataFrame(
    {
        "order_id": pd.Series(["4012500868239927921", "0012500868239927922"], dtype="str"),
        "parcel_id": pd.Series([1, 1], dtype="int64"),
        "tracking": pd.Series(["773012345678", "773012345678"], dtype="str"),
        "shipped_at": pd.Series(["2026-11-26T06:01:02+00:00"] * 2, dtype="str"),
    }
)


def test_builtin_marketplaces() -> None:
    assert {"taobao", "amazon"} <= set(available_marketplaces())
    taobao = load_marketplace("taobao")
    assert taobao.file_name == "upload-taobao.csv"
    assert taobao.encoding == "gb18030"
    assert [column.header for column in taobao.columns] == ["订单编号", "物流公司", "运单号"]


def write_upload(
    marketplace: Marketplace, shipped: pd.DataFrame, carrier: Carrier, folder: Path
) -> Path:
    """The upload file as import-tracking renders it, written where a test reads it back."""
    path = folder / marketplace.file_name
    path.write_bytes(render_upload(marketplace, upload_frame(marketplace, shipped, carrier)))
    return path


def test_taobao_upload_read_back(tmp_path: Path) -> None:
    taobao = load_marketplace("taobao")
    carrier = taobao.carrier("zto", "中通", {"taobao": "中通快递"})
    path = write_upload(taobao, SHIPPED, carrier, tmp_path)
    assert path.name == "upload-taobao.csv"
    raw = path.read_bytes()
    assert "中通快递".encode("gb18030") in raw
    with path.open(encoding="gb18030", newline="") as stream:
        rows = list(csv.reader(stream))
    assert rows == [
        ["订单编号", "物流公司", "运单号"],
        ["4012500868239927921", "中通快递", "773012345678"],
        ["0012500868239927922", "中通快递", "773012345678"],
    ]
    assert raw.count(b"\r\n") == 3


@pytest.mark.parametrize("courier_name", ["中通快递", 'ZTO, "Express"'])
def test_upload_bytes_are_the_csv_modules(courier_name: str) -> None:
    """Rows go through Arrow's writer, and through the csv module when a value needs quotes:
    the bytes are what the csv module writes either way."""
    taobao = load_marketplace("taobao")
    carrier = taobao.carrier("zto", "中通", {"taobao": courier_name})
    frame = upload_frame(taobao, SHIPPED, carrier)
    expected = io.StringIO()
    writer = csv.writer(expected, lineterminator="\r\n")
    writer.writerow(frame.columns)
    writer.writerows(frame.itertuples(index=False))
    assert render_upload(taobao, frame) == expected.getvalue().encode("gb18030")


def test_carrier_name_falls_back_to_template_then_courier() -> None:
    taobao = load_marketplace("taobao")
    assert taobao.carrier("sf", "SF", {}).name == "顺丰速运"
    assert taobao.carrier("newco", "新快递", {}).name == "新快递"


def test_amazon_flat_file(tmp_path: Path) -> None:
    amazon = load_marketplace("amazon")
    carrier = amazon.carrier("sf", "顺丰速运", {"amazon": "SF Express"})
    path = write_upload(amazon, SHIPPED, carrier, tmp_path)
    assert path.name == "upload-amazon.txt"
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream, delimiter="\t"))
    assert rows[0] == [
        "order-id",
        "order-item-id",
        "quantity",
        "ship-date",
        "carrier-code",
        "carrier-name",
        "tracking-number",
        "ship-method",
    ]
    assert rows[1] == [
        "4012500868239927921",
        "",
        "",
        "2026-11-26",
        "SF Express",
        "SF Express",
        "773012345678",
        "Standard",
    ]
    other = amazon.carrier("zto", "中通快递", {"amazon": "ZTO Express"})
    assert (other.code, other.name) == ("Other", "ZTO Express")


def test_unsafe_values_are_refused() -> None:
    taobao = load_marketplace("taobao")
    bad = SHIPPED.assign(tracking=pd.Series(["=HYPERLINK(1)", "7"], dtype="str"))
    with pytest.raises(InputError, match="refusing"):
        upload_frame(taobao, bad, taobao.carrier("zto", "中通快递", {}))


def test_empty_upload_has_the_header_only() -> None:
    taobao = load_marketplace("taobao")
    frame = upload_frame(taobao, SHIPPED.iloc[0:0], taobao.carrier("zto", "中通快递", {}))
    assert render_upload(taobao, frame).decode("gb18030") == "订单编号,物流公司,运单号\r\n"


def test_unknown_and_overridden_marketplaces(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown marketplace 'ebay'"):
        load_marketplace("ebay")
    with pytest.raises(ConfigError, match="unknown marketplace"):
        load_marketplace("../taobao")
    folder = tmp_path / "templates" / "marketplaces"
    folder.mkdir(parents=True)
    (folder / "taobao.toml").write_text(
        'file = "upload-taobao.csv"\nencoding = "utf-8"\n'
        'columns = [{ header = "订单编号", field = "order_id" }, '
        '{ header = "备注", field = "text", text = "已发货" }]\n',
        encoding="utf-8",
    )
    taobao = load_marketplace("taobao", tmp_path / "templates")
    assert taobao.encoding == "utf-8"
    frame = upload_frame(taobao, SHIPPED, taobao.carrier("zto", "中通快递", {}))
    assert frame["备注"].tolist() == ["已发货", "已发货"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("columns = [", "not valid TOML"),
        ("encoding = 'utf-8'", "no columns"),
        ("columns = [{ header = 'a', field = 'formula' }]", "unknown field"),
        ("columns = [{ header = 'a', field = 'order_id' }]\nencoding = 'klingon'", "encoding"),
        ("file = '../x.csv'\ncolumns = [{ header = 'a', field = 'order_id' }]", "plain file"),
    ],
)
def test_bad_templates(tmp_path: Path, text: str, message: str) -> None:
    folder = tmp_path / "marketplaces"
    folder.mkdir()
    (folder / "shop.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_marketplace("shop", tmp_path)
