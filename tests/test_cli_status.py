"""`batch-ship status`: the table, --json, an empty workspace and a broken ledger."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from batch_ship.cli import main
from batch_ship.ledger import SCHEMA_VERSION, Ledger, NewBatch

A, B, C, D = (f"40125008682399279{n:02d}" for n in range(21, 25))


def fill(home: Path) -> str:
    """One batch: parcels [A, B] (shipped) and [C] (awaiting), and D in exceptions."""
    with Ledger.open(home / "ledger.sqlite3") as ledger:
        with ledger.write():
            batch_id = ledger.new_batch_id(date(2026, 11, 26))
            ledger.record_batch(
                NewBatch(
                    batch_id=batch_id,
                    courier="zto",
                    created=datetime(2026, 11, 26, 9, 30),
                    files=("submission-zto.xlsx",),
                    parcels=pd.DataFrame(
                        {
                            "seq": [1, 2],
                            "file": pd.Series(["submission-zto.xlsx"] * 2, dtype="str"),
                            "file_row": [2, 3],
                            "reference": pd.Series([A, C], dtype="str"),
                            "name": pd.Series(["张三", "李四"], dtype="str"),
                            "phone": pd.Series(["13800138000", "13900139000"], dtype="str"),
                            "order_ids": pd.Series([f"{A},{B}", C], dtype="str"),
                        }
                    ),
                    orders=pd.DataFrame(
                        {"order_id": pd.Series([A, B, C], dtype="str"), "seq": [1, 1, 2]}
                    ),
                    exceptions=pd.DataFrame(
                        {
                            "order_id": pd.Series([D], dtype="str"),
                            "codes": pd.Series(["phone-masked"], dtype="str"),
                        }
                    ),
                )
            )
        first_parcel = int(ledger.parcels(batch_id)["parcel_id"].iloc[0])
        with ledger.write():
            ledger.record_tracking([first_parcel], ["73100000000001"], ["row 2"])
    return batch_id


def test_status_json_on_an_empty_home_creates_no_ledger(runner: CliRunner, home: Path) -> None:
    result = runner.invoke(main, ["--home", str(home), "status", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "batches": [],
        "orders": {"submitted": 0, "shipped": 0, "exception": 0},
        "manual": [],
        "intercepts": [],
        "awaiting_handover": {},
    }
    assert [path.name for path in home.iterdir()] == ["batch_ship.toml"]


def test_status_table_on_an_empty_home(runner: CliRunner, home: Path) -> None:
    result = runner.invoke(main, ["--home", str(home), "status"])
    assert result.exit_code == 0, result.output
    assert "No batches yet" in result.stdout
    assert "Orders: 0 awaiting tracking, 0 shipped, 0 in exceptions" in result.stdout
    assert not (home / "ledger.sqlite3").exists()


def test_status_json_on_a_filled_home(runner: CliRunner, home: Path) -> None:
    batch_id = fill(home)
    result = runner.invoke(main, ["--home", str(home), "status", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "batches": [
            {
                "batch": batch_id,
                "courier": "zto",
                "created": "2026-11-26T09:30:00",
                "parcels": 2,
                "orders": 3,
                "shipped_orders": 2,
                "awaiting_tracking": 1,
            }
        ],
        "orders": {"submitted": 1, "shipped": 2, "exception": 1},
        "manual": [],
        "intercepts": [],
        "awaiting_handover": {},
    }


def test_status_table_on_a_filled_home(runner: CliRunner, home: Path) -> None:
    batch_id = fill(home)
    result = runner.invoke(main, ["--home", str(home), "status"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "batch", "courier", "created", "parcels", "orders", "shipped", "awaiting", "tracking",
    ]  # fmt: skip
    assert lines[2].split() == [batch_id, "zto", "2026-11-26", "09:30", "2", "3", "2", "1"]
    assert lines[-1] == "Orders: 1 awaiting tracking, 2 shipped, 1 in exceptions"
    assert "13800138000" not in result.output  # no phones on screen


def test_status_refuses_a_file_that_is_not_a_ledger(runner: CliRunner, home: Path) -> None:
    (home / "ledger.sqlite3").write_text("订单编号,运单号\n" * 100, encoding="utf-8")
    result = runner.invoke(main, ["--home", str(home), "status", "--json"])
    assert result.exit_code == 1
    assert "ledger.sqlite3: not a batch-ship ledger" in result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_status_refuses_a_newer_ledger(runner: CliRunner, home: Path) -> None:
    conn = sqlite3.connect(home / "ledger.sqlite3")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    result = runner.invoke(main, ["--home", str(home), "status"])
    assert result.exit_code == 1
    assert "newer than this batch-ship understands" in result.output
    assert "upgrade batch-ship" in result.output


def test_status_help_has_an_example(runner: CliRunner) -> None:
    result = runner.invoke(main, ["status", "--help"])
    assert result.exit_code == 0
    assert "Example: batch-ship --home shop status --json" in result.output


def test_status_of_a_batch_lists_its_imports(runner: CliRunner, home: Path, tmp_path: Path) -> None:
    batch_id = fill(home)
    returned = tmp_path / "zto-return.csv"
    returned.write_text(f"订单编号,运单号\n{C},73100000000003\n999,73100000000004\n", "utf-8")
    for _ in range(2):  # the second time: nothing new, still an import of its own
        imported = runner.invoke(main, ["--home", str(home), "import-tracking", str(returned)])
        assert imported.exit_code == 0, imported.output
    result = runner.invoke(main, ["--home", str(home), "status", "--batch", batch_id, "--json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert (found["batch"], found["shipped_orders"], found["awaiting_tracking"]) == (
        batch_id, 3, 0,
    )  # fmt: skip
    imports = found["imports"]
    assert [item["import"] for item in imports] == [1, 2]
    assert [item["reconcile"] for item in imports] == ["reconcile-1.xlsx", "reconcile-2.xlsx"]
    assert [item["sources"] for item in imports] == [["zto-return.csv"]] * 2
    assert [(i["parcels_matched"], i["already_recorded"]) for i in imports] == [(1, 0), (0, 1)]
    assert [item["unknown_rows"] for item in imports] == [1, 1]
    for item in imports:
        assert (home / "batches" / batch_id / item["reconcile"]).is_file()
    human = runner.invoke(main, ["--home", str(home), "status", "--batch", batch_id])
    assert human.exit_code == 0, human.output
    lines = human.stdout.splitlines()
    assert lines[0].startswith(f"batch {batch_id} (zto, created 2026-11-26 09:30): 2 parcels")
    assert lines[2].split() == [
        "import",
        "at",
        "read",
        "matched",
        "shipped",
        "unknown",
        "reconcile",
    ]
    assert lines[3].split()[0] == "1"
    assert lines[3].split()[-5:] == ["zto-return.csv", "1", "1", "1", "reconcile-1.xlsx"]
    assert lines[4].split()[-5:] == ["zto-return.csv", "0", "0", "1", "reconcile-2.xlsx"]
    unknown = runner.invoke(main, ["--home", str(home), "status", "--batch", "20990101-01"])
    assert unknown.exit_code == 1
    assert "unknown batch '20990101-01'" in unknown.output
    assert batch_id in unknown.output  # the known ones are listed
