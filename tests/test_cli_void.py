"""`batch-ship void`: parcels back to exportable, history kept, uploads corrected."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from batch_ship.samples.orders import write_sample_export
from tests.ops_helpers import cli, cli_json, ledger_dump, order_rows, upload_rows


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return write_sample_export(tmp_path_factory.mktemp("in"), orders=40, seed=5)


def test_void_then_export_again_to_another_courier(
    runner: CliRunner, home: Path, sample: tuple[Path, Path]
) -> None:
    first = cli_json(runner, home, "export", str(sample[0]), "--courier", "zto")
    batch = first["batch"]
    submitted = {k for k, v in order_rows(home).items() if v[1] is not None}
    assert len(submitted) == first["orders_submitted"] > 0
    voided = cli_json(runner, home, "void", batch, "--reason", "courier rejected the file")
    assert voided["batch"] == batch
    assert voided["parcels"] == first["parcels"]
    assert set(voided["orders"]) == submitted
    assert voided["cancelled_numbers"] == []
    assert not any(v[1] is not None for v in order_rows(home).values())
    line = next(b for b in cli_json(runner, home, "status")["batches"] if b["batch"] == batch)
    assert line["parcels"] == 0
    assert line["orders"] == 0
    history = cli_json(runner, home, "status", "--batch", batch)["voids"]
    assert len(history) == first["parcels"]
    assert {entry["reason"] for entry in history} == {"courier rejected the file"}
    assert {order for entry in history for order in entry["orders"]} == submitted
    assert all(entry["at"] and not entry["cancelled"] for entry in history)
    again = cli_json(runner, home, "export", str(sample[0]), "--courier", "sf")
    assert again["batch"] != batch
    assert again["courier"] == "sf"
    assert again["orders_submitted"] == first["orders_submitted"]
    rows = order_rows(home)
    assert {order for order in submitted if rows[order][0] == again["batch"]} == submitted


def test_void_some_orders_and_the_refusals(
    runner: CliRunner, home: Path, sample: tuple[Path, Path]
) -> None:
    batch = cli_json(runner, home, "export", str(sample[0]), "--courier", "zto")["batch"]
    rows = order_rows(home)
    chosen = sorted(k for k, v in rows.items() if v[1] is not None)[:2]
    voided = cli_json(runner, home, "void", batch, "--orders", ",".join(chosen))
    assert set(chosen) <= set(voided["orders"])
    before = ledger_dump(home)
    for args, words in [
        (("void", "20990101-01"), "unknown batch '20990101-01'"),
        (("void", batch, "--orders", chosen[0]), f"order {chosen[0]} is already voided"),
        (("void", batch, "--orders", "123"), "order 123 is not in a parcel of batch"),
    ]:
        result = cli(runner, home, *args)
        assert result.exit_code == 1, result.output
        assert words in result.output
        assert ledger_dump(home) == before
    cli_json(runner, home, "void", batch)
    result = cli(runner, home, "void", batch)
    assert result.exit_code == 1
    assert f"batch {batch} is already voided" in result.output


def test_a_parcel_with_a_number_needs_shipped_and_leaves_the_upload(
    runner: CliRunner, home: Path, sample: tuple[Path, Path]
) -> None:
    first = cli_json(runner, home, "export", str(sample[0]), "--courier", "zto")
    batch = first["batch"]
    cli_json(runner, home, "import-tracking", "--batch", batch, "--range", "731000000001",
             "--count", "3")  # fmt: skip
    upload = home / "batches" / batch / "upload-taobao.csv"
    listed = upload_rows(upload)
    numbered = listed[0]["订单编号"]
    before = ledger_dump(home)
    refused = cli(runner, home, "void", batch)
    assert refused.exit_code == 1
    assert "3 parcel(s) already have a tracking number" in refused.output
    assert "--shipped" in refused.output
    assert ledger_dump(home) == before
    voided = cli_json(runner, home, "void", batch, "--orders", numbered, "--shipped")
    assert voided["cancelled_numbers"] == [listed[0]["运单号"]]
    assert voided["files"] == [str(upload)]
    after = upload_rows(upload)
    assert numbered not in {row["订单编号"] for row in after}
    assert len(after) == len(listed) - len(voided["orders"])
    history = cli_json(runner, home, "status", "--batch", batch)["voids"]
    assert history[-1]["cancelled"]
    assert history[-1]["tracking"] == [listed[0]["运单号"]]
    # the order can be shipped again, with the same or another courier
    shipped = cli_json(runner, home, "ship", numbered, "--courier", "sf", "--tracking",
                       "SF1234567890123")  # fmt: skip
    assert shipped["moved_from"] is None
