"""`batch-ship ship ORDER_ID`: one order shipped by hand, in the day's manual upload."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from batch_ship.samples.orders import write_sample_export
from batch_ship.sources.taobao import read_orders
from tests.ops_helpers import cli, cli_json, ledger_dump, order_rows, upload_rows

DAY = "2026-11-27"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return write_sample_export(tmp_path_factory.mktemp("in"), orders=30, seed=9)


def ship(runner: CliRunner, home: Path, *args: str) -> dict[str, object]:
    return cli_json(runner, home, "--today", DAY, "ship", *args)


def submitted_orders(home: Path) -> list[str]:
    return sorted(order for order, (_b, parcel) in order_rows(home).items() if parcel)


def test_a_submitted_order_shipped_by_hand_is_in_the_upload_and_status(
    runner: CliRunner, home: Path, sample: tuple[Path, Path]
) -> None:
    export = cli_json(runner, home, "export", str(sample[0]), "--courier", "zto")
    order = submitted_orders(home)[0]
    shipped = ship(runner, home, order, "--courier", "sf", "--tracking", "SF1234567890123")
    upload = home / "uploads" / f"upload-{DAY}-manual.csv"
    assert shipped["files"] == [str(upload)]
    assert shipped["moved_from"] == export["batch"]
    assert order in shipped["orders"]  # type: ignore[operator]
    rows = upload_rows(upload)
    assert [row["订单编号"] for row in rows] == shipped["orders"]
    assert {row["运单号"] for row in rows} == {"SF1234567890123"}
    assert {row["物流公司"] for row in rows} == {"顺丰速运"}
    status = cli_json(runner, home, "status")
    manual = next(b for b in status["batches"] if b["batch"] == shipped["batch"])
    assert manual["courier"] == "sf"
    assert manual["shipped_orders"] == len(rows)
    assert status["manual"][0]["order"] == order
    assert status["manual"][0]["tracking"] == "SF1234567890123"
    text = cli(runner, home, "status").output
    assert "SF1234567890123" in text
    # a second one the same day joins the same file, each with its courier
    second = submitted_orders(home)[-1]
    ship(runner, home, second, "--courier", "zto", "--tracking", "731000000123")
    rows = upload_rows(upload)
    assert {row["运单号"] for row in rows} == {"SF1234567890123", "731000000123"}
    assert {row["物流公司"] for row in rows} == {"顺丰速运", "中通快递"}


def test_ship_refusals_leave_the_ledger_unchanged(
    runner: CliRunner, home: Path, sample: tuple[Path, Path]
) -> None:
    cli_json(runner, home, "export", str(sample[0]), "--courier", "zto")
    first, second = submitted_orders(home)[:2]
    ship(runner, home, first, "--courier", "zto", "--tracking", "731000000001")
    before = ledger_dump(home)
    cases = [
        (("4999999999999999999", "--courier", "zto", "--tracking", "731000000002"),
         "order 4999999999999999999 is unknown to the ledger"),
        ((second, "--courier", "zto", "--tracking", "12345"),
         "'12345' is not a 中通快递 tracking number"),
        ((second, "--courier", "zto", "--tracking", "731000000001"),
         f"tracking number 731000000001 already belongs to order {first}"),
        ((first, "--courier", "zto", "--tracking", "731000000003"),
         f"order {first} is already shipped with 731000000001"),
        ((second, "--courier", "nope", "--tracking", "731000000003"), "unknown courier 'nope'"),
    ]  # fmt: skip
    for args, words in cases:
        result = cli(runner, home, "ship", *args)
        assert result.exit_code == 1, result.output
        assert words in result.output
        assert "Fix:" in result.output or "unknown courier" in words
        assert ledger_dump(home) == before
    assert not (home / "uploads" / "upload-2026-11-28-manual.csv").exists()


def test_replace_and_an_order_given_with_its_export(
    runner: CliRunner, home: Path, tmp_path: Path
) -> None:
    orders, _items = write_sample_export(tmp_path / "in", orders=12, seed=4)
    table = read_orders([orders]).orders
    awaiting = table[table["status"] == "awaiting-shipment"]["order_id"].tolist()
    fresh = awaiting[0]
    shipped = ship(runner, home, fresh, "--courier", "zto", "--tracking", "731000000010",
                   "--orders-file", str(orders))  # fmt: skip
    assert shipped["orders"] == [fresh]
    assert shipped["moved_from"] is None
    replaced = ship(runner, home, fresh, "--courier", "yto", "--tracking", "YT1234567890123",
                    "--replace")  # fmt: skip
    assert replaced["replaced"] == "731000000010"
    assert replaced["moved_from"] == shipped["batch"]
    rows = upload_rows(home / "uploads" / f"upload-{DAY}-manual.csv")
    assert [(row["订单编号"], row["运单号"]) for row in rows] == [(fresh, "YT1234567890123")]
    # the report of a later export sees it shipped: not submitted again
    again = cli_json(runner, home, "export", str(orders), "--courier", "zto")
    assert again["skipped"].get("already-submitted") == 1
