"""Files known by what they are: each kind of the daily loop's files, told by its header row."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from batch_ship.cli import main
from batch_ship.samples.orders import write_sample_export
from batch_ship.samples.returns import write_sample_return
from batch_ship.sources.file_kinds import FileKind, WrongFileError, find_kind, kind_of_header
from batch_ship.spreadsheets.read import read_table
from batch_ship.workspace import open_workspace
from tests.conftest import SENDER_TOML


@pytest.fixture(scope="module")
def loop_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The real files of one round trip, as the product writes and reads them."""
    root = tmp_path_factory.mktemp("loop")
    home = root / "home"
    home.mkdir()
    (home / "batch_ship.toml").write_text(SENDER_TOML, encoding="utf-8")
    runner = CliRunner()
    orders, items = write_sample_export(root / "in", orders=80, seed=2)
    files = {"orders": orders, "items": items}
    for courier, seed in (("zto", 2), ("sf", 3)):
        report, _ = write_sample_export(root / courier, orders=80, seed=seed)
        exported = runner.invoke(
            main, ["--home", str(home), "export", "--json", "--courier", courier, str(report)]
        )
        assert exported.exit_code == 0, exported.output
        summary = json.loads(exported.stdout)
        batch = summary["batch"]
        named = {Path(path).name: Path(path) for path in summary["files"]}
        files[f"submission-{courier}"] = named[f"submission-{courier}.xlsx"]
        if "exceptions.xlsx" in named:
            files["exceptions"] = named["exceptions.xlsx"]
        files[f"return-{courier}"] = write_sample_return(
            open_workspace(home), batch, root / f"return-{courier}.xlsx"
        )
    csv_return = write_sample_return(open_workspace(home), batch, root / "return.csv")
    files["return-csv"] = csv_return
    for market in ("taobao", "amazon"):
        imported = runner.invoke(
            main,
            [
                "--home", str(home), "import-tracking", "--json", "--marketplace", market,
                str(files["return-zto"]),
            ],
        )  # fmt: skip
        assert imported.exit_code == 0, imported.output
        upload = next(
            Path(path) for path in json.loads(imported.stdout)["files"] if "upload-" in path
        )
        files[f"upload-{market}"] = upload
    return files


@pytest.mark.parametrize(
    ("name", "kind", "whose"),
    [
        ("orders", FileKind.ORDER_REPORT, ""),
        ("items", FileKind.ITEM_REPORT, ""),
        ("exceptions", FileKind.EXCEPTIONS, ""),
        ("return-zto", FileKind.COURIER_RETURN, ""),
        ("return-sf", FileKind.COURIER_RETURN, ""),
        ("return-csv", FileKind.COURIER_RETURN, ""),
        ("submission-zto", FileKind.SUBMISSION, ""),  # the generic layout, shared
        ("submission-sf", FileKind.SUBMISSION, "顺丰速运"),
        ("upload-taobao", FileKind.UPLOAD, "淘宝/天猫 批量发货"),
        ("upload-amazon", FileKind.UPLOAD, "Amazon shipping confirmation"),
    ],
)
def test_every_file_of_the_loop_is_known_by_its_shape(
    loop_files: dict[str, Path], name: str, kind: FileKind, whose: str
) -> None:
    path = loop_files[name]
    renamed = path.with_name(f"whatever{path.suffix}")  # the name says nothing
    renamed.write_bytes(path.read_bytes())
    found, who, row = find_kind(read_table(renamed))
    assert (found, who) == (kind, whose)
    assert row >= 0


def test_an_order_number_column_alone_is_not_an_order_report() -> None:
    assert kind_of_header(["订单编号", "收件人姓名", "收件人手机/电话"])[0] is FileKind.OTHER
    assert kind_of_header(["订单编号", "收货人姓名", "联系手机"])[0] is FileKind.OTHER
    assert kind_of_header(["订单编号", "收货人姓名", "订单状态"])[0] is FileKind.ORDER_REPORT
    # a Taobao report's own 物流单号 column does not make it a courier's answer
    taobao = ["订单编号", "买家会员名", "收货地址", "物流单号", "物流公司"]
    assert kind_of_header(taobao)[0] is FileKind.ORDER_REPORT
    assert kind_of_header(["运单号"])[0] is FileKind.OTHER  # no order number beside it
    assert kind_of_header([" 运单\n号码 ", "'客户订单号"])[0] is FileKind.COURIER_RETURN


def test_a_wrong_file_says_what_it_is_and_where_it_goes() -> None:
    error = WrongFileError(FileKind.COURIER_RETURN, "", Path("r.xlsx"), "a Taobao order report")
    assert str(error) == (
        "r.xlsx: this is a courier return (tracking numbers beside order numbers), not a Taobao "
        "order report\n  Fix: import its tracking numbers: `batch-ship import-tracking r.xlsx` "
        "(or drop it in returns/ for `batch-ship daily`)"
    )
    assert error.kind is FileKind.COURIER_RETURN
