"""`export --from-stock` end to end: numbers from stock in the batch's own transaction, the
upload at once, labels that decode (zxing-cpp) to each parcel's number, reprints, refusals,
concurrent and killed exports."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from batch_ship.cli import main
from batch_ship.couriers import get_courier
from batch_ship.ledger import Ledger
from batch_ship.publish import PAUSE_ENV
from batch_ship.samples.orders import write_sample_export
from tests.conftest import SENDER_TOML
from tests.pdf_read import decoded_barcodes, page_sizes_mm, page_text

START = 730000100000


def run(runner: CliRunner, home: Path, *args: str) -> Any:
    result = runner.invoke(main, ["--home", str(home), *args])
    return result


def ok_json(runner: CliRunner, home: Path, *args: str) -> dict[str, Any]:
    result = run(runner, home, *args, "--json")
    assert result.exit_code == 0, result.output
    found: dict[str, Any] = json.loads(result.stdout)
    return found


def add_range(runner: CliRunner, home: Path, start: int, count: int) -> None:
    result = run(runner, home, "numbers", "add", "--courier", "zto", "--range", str(start),
                 "--count", str(count))  # fmt: skip
    assert result.exit_code == 0, result.output


def parcels(home: Path, batch: str) -> Any:
    with Ledger.open(home / "ledger.sqlite3") as ledger:
        return ledger.parcels(batch)


def free_numbers(home: Path) -> list[str]:
    with sqlite3.connect(home / "ledger.sqlite3") as conn:
        rows = conn.execute("SELECT number FROM stock WHERE state = 'free' ORDER BY rowid")
        return [row[0] for row in rows]


def stock_config(home: Path, settings: str) -> Path:
    """batch_ship.toml with a [stock] table of `settings` added; its path."""
    config = home / "batch_ship.toml"
    config.write_text(config.read_text() + f"\n[stock]\n{settings}\n", encoding="utf-8")
    return config


def label_pdfs(files: list[str]) -> list[Path]:
    return [Path(f) for f in files if Path(f).name.startswith("labels-") and f.endswith(".pdf")]


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A workspace whose 2,500-order export took 2,000-odd numbers from stock."""
    home = tmp_path_factory.mktemp("big")
    (home / "batch_ship.toml").write_text(SENDER_TOML, encoding="utf-8")
    orders, _items = write_sample_export(home / "in", orders=2500, seed=7)
    runner = CliRunner()
    add_range(runner, home, START, 3000)
    started = time.perf_counter()
    summary = ok_json(runner, home, "export", str(orders), "--courier", "zto", "--from-stock")
    summary["seconds_export_and_labels"] = time.perf_counter() - started
    return home, summary


def test_every_label_of_a_2000_parcel_batch_decodes_to_its_own_number_in_order(
    big: tuple[Path, dict[str, Any]],
) -> None:
    home, summary = big
    assert summary["from_stock"] is True
    table = parcels(home, summary["batch"])
    assert len(table) >= 2000
    assert len(table) == summary["parcels"]
    numbers = table["tracking"].tolist()
    # submission order takes the stock in the order it was added
    assert numbers == [str(START + i) for i in range(len(table))]
    files = label_pdfs(summary["labels"])
    assert [f.name for f in files] == ["labels-zto-1.pdf", "labels-zto-2.pdf", "labels-zto-3.pdf"]
    layout = get_courier("zto").label
    assert layout is not None
    started = time.perf_counter()
    decoded = list(decoded_barcodes(files, layout.layout, "waybill"))
    seconds = time.perf_counter() - started
    assert decoded == [[number] for number in numbers], f"decoding took {seconds:.1f} s"
    assert all(size == pytest.approx((76, 130), abs=0.01) for size in page_sizes_mm(files[0]))
    # each page is its own parcel's: its order reference is on it (every 97th page checked)
    references = table["reference"].tolist()
    for index in range(0, 1000, 97):
        assert references[index] in page_text(files[0], index)


def test_the_upload_after_a_from_stock_export_lists_every_order(
    big: tuple[Path, dict[str, Any]],
) -> None:
    home, summary = big
    upload = home / "batches" / summary["batch"] / "upload-taobao.csv"
    assert str(upload) in summary["files"]
    rows = list(csv.reader(io.StringIO(upload.read_bytes().decode("gb18030"))))
    assert rows[0] == ["订单编号", "物流公司", "运单号"]
    table = parcels(home, summary["batch"])
    expected = {
        order: number
        for ids, number in zip(table["order_ids"], table["tracking"], strict=True)
        for order in ids.split(",")
    }
    assert len(expected) == summary["orders_submitted"]
    assert {row[0]: row[2] for row in rows[1:]} == expected
    assert {row[1] for row in rows[1:]} == {"中通快递"}
    with Ledger.open(home / "ledger.sqlite3") as ledger:
        states = ledger.order_states(list(expected))
    assert {state.value for state in states.values()} == {"shipped"}


def test_a_reprint_gives_the_same_numbers_and_takes_none(
    big: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    home, summary = big
    runner = CliRunner()
    free = free_numbers(home)
    table = parcels(home, summary["batch"])
    picks = [table["order_ids"].iloc[5].split(",")[0], table["order_ids"].iloc[1500].split(",")[0]]
    found = ok_json(
        runner, home, "labels", "--batch", summary["batch"], "--orders", ",".join(picks)
    )
    assert found["reprint"] is True
    assert found["labels"] == 2
    files = label_pdfs(found["files"])
    assert files[0].parent.name.startswith("reprint-")
    layout = get_courier("zto").label
    assert layout is not None
    decoded = list(decoded_barcodes(files, layout.layout, "waybill"))
    assert decoded == [[table["tracking"].iloc[5]], [table["tracking"].iloc[1500]]]
    whole = ok_json(runner, home, "labels", "--batch", summary["batch"], "--printer", "zpl")
    zpl = [Path(f) for f in whole["files"] if f.endswith(".zpl")]
    texts = "".join(path.read_text(encoding="utf-8") for path in zpl)
    assert all(number in texts for number in table["tracking"].iloc[::250])
    assert free_numbers(home) == free
    with Ledger.open(home / "ledger.sqlite3") as ledger:
        assert [e.detail["reprint"] for e in ledger.events(summary["batch"], "labels")][-2:] == [
            True,
            True,
        ]


@pytest.fixture
def small(home: Path, tmp_path: Path) -> tuple[Path, Path]:
    orders, _items = write_sample_export(tmp_path / "in", orders=60, seed=5)
    return home, orders


def test_too_small_a_stock_refuses_before_anything_is_written(
    small: tuple[Path, Path], runner: CliRunner
) -> None:
    home, orders = small
    add_range(runner, home, START, 10)
    result = run(runner, home, "export", str(orders), "--courier", "zto", "--from-stock")
    assert result.exit_code == 1
    assert "10 are free" in result.output
    assert "missing" in result.output
    assert "Traceback" not in result.output
    assert not (home / "batches").exists() or not [
        p for p in (home / "batches").iterdir() if not p.name.startswith(".")
    ]
    with Ledger.open(home / "ledger.sqlite3") as ledger:
        assert ledger.batches() == []
    assert len(free_numbers(home)) == 10


def test_the_config_sends_a_courier_to_stock_and_the_flag_overrides_it(
    small: tuple[Path, Path], runner: CliRunner
) -> None:
    home, orders = small
    stock_config(home, 'couriers = "zto"')
    refused = run(runner, home, "export", str(orders), "--courier", "zto")
    assert refused.exit_code == 1
    assert "stock is too small" in refused.output
    plain = ok_json(runner, home, "export", str(orders), "--courier", "zto", "--no-from-stock")
    assert plain["from_stock"] is False
    assert "labels" not in plain
    assert parcels(home, plain["batch"])["tracking"].eq("").all()


def test_a_batch_without_stock_numbers_has_no_labels(
    small: tuple[Path, Path], runner: CliRunner
) -> None:
    home, orders = small
    plain = ok_json(runner, home, "export", str(orders), "--courier", "zto")
    result = run(runner, home, "labels", "--batch", plain["batch"])
    assert result.exit_code == 1
    assert "took no numbers from stock" in result.output


def cli(home: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "batch_ship", "--home", str(home), *args]


def test_two_concurrent_from_stock_exports_never_share_a_number(
    home: Path, tmp_path: Path, runner: CliRunner
) -> None:
    first, _ = write_sample_export(tmp_path / "a", orders=400, seed=11, stamp="202611260900")
    second, _ = write_sample_export(tmp_path / "b", orders=400, seed=12, stamp="202611261000")
    add_range(runner, home, START, 1000)
    processes = [
        subprocess.Popen(
            cli(home, "export", str(path), "--courier", "zto", "--from-stock", "--json"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for path in (first, second)
    ]
    outputs = [process.communicate(timeout=300) for process in processes]
    for process, (_out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err.decode()
    batches = [json.loads(out)["batch"] for out, _err in outputs]
    assert len(set(batches)) == 2
    taken = [parcels(home, batch)["tracking"].tolist() for batch in batches]
    assert all(taken)
    assert not set(taken[0]) & set(taken[1])
    together = sorted(taken[0] + taken[1])
    assert together == [str(START + i) for i in range(len(together))]  # no number skipped


def test_an_export_killed_before_its_commit_takes_no_number(
    small: tuple[Path, Path], runner: CliRunner, tmp_path: Path
) -> None:
    home, orders = small
    add_range(runner, home, START, 100)
    marker = tmp_path / "paused"
    env = {**os.environ, PAUSE_ENV: f"recorded:{marker}"}
    command = cli(home, "export", str(orders), "--courier", "zto", "--from-stock")
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert process.poll() is None, process.stderr
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=60)
    assert len(free_numbers(home)) == 100
    again = ok_json(runner, home, "export", str(orders), "--courier", "zto", "--from-stock")
    assert parcels(home, again["batch"])["tracking"].iloc[0] == str(START)


def test_printing_again_takes_away_the_label_files_it_supersedes(
    small: tuple[Path, Path], runner: CliRunner
) -> None:
    home, orders = small
    config = stock_config(home, "labels_per_file = 20")
    add_range(runner, home, START, 100)
    summary = ok_json(runner, home, "export", str(orders), "--courier", "zto", "--from-stock")
    folder = home / "batches" / summary["batch"]
    printed = ok_json(runner, home, "labels", "--batch", summary["batch"], "--printer", "zpl")
    parts = sorted(p.name for p in folder.glob("labels-zto*"))
    assert len(parts) >= 4  # 40-odd parcels in parts of 20, as PDF and ZPL
    assert {Path(f).name for f in printed["files"]} >= set(parts)

    # one file now (the default split), no printer file: nothing of the parts is left
    config.write_text(config.read_text().replace("labels_per_file = 20", ""), encoding="utf-8")
    again = ok_json(runner, home, "labels", "--batch", summary["batch"])
    assert sorted(p.name for p in folder.glob("labels-zto*")) == ["labels-zto.pdf"]
    assert [Path(f).name for f in label_pdfs(again["files"])] == ["labels-zto.pdf"]
    assert not list((home / "batches").glob(".publish-*"))  # the withdrawn files went too
    layout = get_courier("zto").label
    assert layout is not None
    decoded = list(decoded_barcodes([folder / "labels-zto.pdf"], layout.layout, "waybill"))
    assert decoded == [[n] for n in parcels(home, summary["batch"])["tracking"]]
