"""`batch-ship import-tracking`: returns and ranges in, ledger, upload and reconcile out."""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner, Result

from batch_ship.cli import main
from batch_ship.headings import RECONCILE_SHEETS
from batch_ship.ledger import Ledger, NewBatch, shipped_rows, status
from batch_ship.spreadsheets import background
from batch_ship.tuning import DEFAULT_TUNING, Tuning

BATCH = "20261126-01"
NAMES = ["张三", "李四", "王五", "赵六", "钱七", "孙八", "周九", "吴十"]


def order_id(index: int) -> str:
    # 19 digits, 15 significant digits apart from each other, so a damaged id still says which
    return str(4012500868239900000 + index * 1_000_000 + 7921)


def seed_batch(
    home: Path,
    parcels: Sequence[Sequence[str]],
    *,
    batch_id: str = BATCH,
    courier: str = "zto",
) -> None:
    """Record a batch straight in the ledger: one parcel per entry (its order ids)."""
    count = len(parcels)
    frame = pd.DataFrame(
        {
            "seq": pd.Series(range(1, count + 1), dtype="int64"),
            "file": pd.Series([f"submission-{courier}.xlsx"] * count, dtype="str"),
            "file_row": pd.Series(range(2, count + 2), dtype="int64"),
            "reference": pd.Series([ids[0] for ids in parcels], dtype="str"),
            "name": pd.Series([NAMES[i % len(NAMES)] for i in range(count)], dtype="str"),
            "phone": pd.Series([f"139{i:08d}" for i in range(count)], dtype="str"),
            "order_ids": pd.Series([",".join(ids) for ids in parcels], dtype="str"),
        }
    )
    orders = pd.DataFrame(
        {
            "order_id": pd.Series([oid for ids in parcels for oid in ids], dtype="str"),
            "seq": pd.Series(
                [seq for seq, ids in enumerate(parcels, start=1) for _ in ids], dtype="int64"
            ),
        }
    )
    exceptions = pd.DataFrame(
        {"order_id": pd.Series([], dtype="str"), "codes": pd.Series([], dtype="str")}
    )
    with Ledger.open(home / "ledger.sqlite3") as ledger, ledger.write():
        ledger.record_batch(
            NewBatch(
                batch_id=batch_id,
                courier=courier,
                created=datetime(2026, 11, 26, 6, 0, tzinfo=UTC),
                files=(f"submission-{courier}.xlsx",),
                parcels=frame,
                orders=orders,
                exceptions=exceptions,
            )
        )


def run(runner: CliRunner, home: Path, *args: str, tuning: Tuning = DEFAULT_TUNING) -> Result:
    return runner.invoke(main, ["--home", str(home), "import-tracking", *args], obj=tuning)


def run_json(
    runner: CliRunner, home: Path, *args: str, tuning: Tuning = DEFAULT_TUNING
) -> dict[str, object]:
    result = run(runner, home, "--json", *args, tuning=tuning)
    assert result.exit_code == 0, result.output
    summary: dict[str, object] = json.loads(result.stdout)
    return summary


def write_xlsx(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def read_upload(home: Path, name: str = "upload-taobao.csv") -> list[list[str]]:
    with (home / "batches" / BATCH / name).open(encoding="gb18030", newline="") as stream:
        return list(csv.reader(stream))


def ledger_numbers(home: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(home / "ledger.sqlite3") as connection:
        return connection.execute(
            "SELECT number, parcel_id FROM tracking ORDER BY rowid"
        ).fetchall()


@pytest.fixture(params=["here", "background"])
def writer_mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Tuning:
    """The tuning to run a test with reconcile.xlsx written in this process, then by a worker
    process; in the second run a write in this process (the fallback when the worker fails)
    is an error."""
    if request.param == "background":

        def not_here(*args: object) -> tuple[str, object]:
            raise AssertionError("written in this process: the worker failed")

        monkeypatch.setattr(background, "_call", not_here)
        return Tuning(background_bytes=0)
    return DEFAULT_TUNING


def test_return_with_title_rows_and_mangled_cells(
    runner: CliRunner, home: Path, tmp_path: Path, writer_mode: Tuning
) -> None:
    ids = [order_id(i) for i in range(4)]
    seed_batch(home, [[ids[0]], [ids[1], order_id(9)], [ids[2]], [ids[3]]])
    path = write_xlsx(
        tmp_path / "zto-return.xlsx",
        [
            ["中通快递 批量下单结果"],
            [],
            ["序号", "'客户\n订单号", " 收件人 ", "运单\n号码"],
            [1, f"'{ids[2]}", "王五", 773012345680],  # numeric tracking cell
            [2, float(ids[0]), "张三", "773012345678"],  # a numeric reference: digits lost
            [3, f" {ids[1]} ", "李四", " 773012345679 "],
            [4, ids[3], "赵六", "773012345681, 773012345682"],  # split shipment
        ],
    )
    summary = run_json(runner, home, str(path), tuning=writer_mode)
    assert summary == {
        "batch": BATCH,
        "parcels_matched": 4,
        "orders_shipped": 5,
        "already_recorded": 0,
        "unmatched_parcels": 0,
        "unknown_rows": 0,
        "invalid_numbers": 0,
        "duplicate_numbers": 0,
        "conflicts": 0,
        "files": [
            str(home / "batches" / BATCH / "upload-taobao.csv"),
            str(home / "batches" / BATCH / "reconcile-1.xlsx"),
        ],
    }
    # one row per order, in submission order; the merged parcel's number on both its orders;
    # the split parcel's first number
    assert read_upload(home) == [
        ["订单编号", "物流公司", "运单号"],
        [ids[0], "中通快递", "773012345678"],
        [ids[1], "中通快递", "773012345679"],
        [order_id(9), "中通快递", "773012345679"],
        [ids[2], "中通快递", "773012345680"],
        [ids[3], "中通快递", "773012345681"],
    ]
    assert ("773012345682", 4) in ledger_numbers(home)  # the second box is recorded too
    book = openpyxl.load_workbook(home / "batches" / BATCH / "reconcile-1.xlsx")
    # Chinese first for the people who read it, the English beside it
    assert book.sheetnames == [
        "已匹配 matched",
        "未回单号的包裹 unmatched parcels",
        "无法对应的行 unknown rows",
        "无效单号 invalid",
        "重复单号 duplicates",
        "单号冲突 conflicts",
    ]
    matched = list(book[RECONCILE_SHEETS["matched"]].iter_rows(values_only=True))
    assert matched[0] == (
        "序号 seq",
        "订单编号 reference",
        "运单号 tracking",
        "状态 status",
        "匹配方式 method",
        "来源文件 source",
    )
    assert [row[1] for row in matched[1:]] == ids  # in submission order
    assert all(isinstance(cell, str) for row in matched for cell in row)
    # courier text: text cells with the "@" format, so an edit in Excel never makes a formula
    assert book[RECONCILE_SHEETS["matched"]]["B2"].data_type == "s"
    assert book[RECONCILE_SHEETS["matched"]]["B2"].number_format == "@"
    digits = [row for row in matched if row[4] == "digits"]
    assert [row[1] for row in digits] == [ids[0]]


def test_reimport_changes_nothing(runner: CliRunner, home: Path, tmp_path: Path) -> None:
    ids = [order_id(i) for i in range(3)]
    seed_batch(home, [[oid] for oid in ids])
    path = write_xlsx(
        tmp_path / "r.xlsx",
        [["订单编号", "运单号"], [ids[0], "773012345678"], [float(ids[1]), "773012345679"]],
    )
    first = run_json(runner, home, str(path))
    assert (first["parcels_matched"], first["unmatched_parcels"]) == (2, 1)
    numbers = ledger_numbers(home)
    upload = read_upload(home)
    again = run_json(runner, home, str(path))
    assert again["parcels_matched"] == 0
    assert again["orders_shipped"] == 0
    assert again["already_recorded"] == 2
    assert again["unknown_rows"] == 0
    assert again["unmatched_parcels"] == 1
    assert ledger_numbers(home) == numbers
    assert read_upload(home) == upload


def test_conflict_needs_replace(runner: CliRunner, home: Path, tmp_path: Path) -> None:
    ids = [order_id(i) for i in range(2)]
    seed_batch(home, [[oid] for oid in ids])
    first = write_xlsx(tmp_path / "a.xlsx", [["订单编号", "运单号"], [ids[0], "773012345678"]])
    second = write_xlsx(tmp_path / "b.xlsx", [["订单编号", "运单号"], [ids[0], "773012345699"]])
    run_json(runner, home, str(first))
    summary = run_json(runner, home, str(second))
    assert (summary["conflicts"], summary["parcels_matched"]) == (1, 0)
    assert ledger_numbers(home) == [("773012345678", 1)]
    book = openpyxl.load_workbook(home / "batches" / BATCH / "reconcile-2.xlsx")
    rows = list(book[RECONCILE_SHEETS["conflicts"]].iter_rows(values_only=True))
    assert rows[1][:3] == (ids[0], "773012345678", "773012345699")
    assert rows[1][4] == "no"
    human = run(runner, home, str(second))
    assert "1 conflicts (not applied; --replace applies them)" in human.output
    summary = run_json(runner, home, str(second), "--replace")
    assert (summary["conflicts"], summary["parcels_matched"]) == (1, 1)
    assert ledger_numbers(home) == [("773012345699", 1)]
    assert read_upload(home)[1] == [ids[0], "中通快递", "773012345699"]


def test_invalid_duplicate_and_unknown_rows(runner: CliRunner, home: Path, tmp_path: Path) -> None:
    ids = [order_id(i) for i in range(4)]
    seed_batch(home, [[oid] for oid in ids])
    seed_batch(home, [[order_id(50)]], batch_id="20261125-01")
    other = write_xlsx(
        tmp_path / "o.xlsx", [["订单编号", "运单号"], [order_id(50), "773000000050"]]
    )
    run_json(runner, home, str(other), "--batch", "20261125-01")
    path = tmp_path / "r.csv"
    path.write_text(
        "订单号,快递单号\n"
        f"{ids[0]},12345\n"  # invalid for ZTO
        f"{ids[1]},773000000001\n"
        f"{ids[2]},773000000001\n"  # same number, two parcels
        f"{ids[3]},773000000050\n"  # held by the other batch
        f"{order_id(77)},773000000077\n",  # not ours
        encoding="gb18030",
    )
    summary = run_json(runner, home, str(path), "--batch", BATCH)
    assert summary["parcels_matched"] == 0
    assert summary["invalid_numbers"] == 1
    assert summary["duplicate_numbers"] == 2
    assert summary["unknown_rows"] == 1
    assert summary["unmatched_parcels"] == 4
    book = openpyxl.load_workbook(home / "batches" / BATCH / "reconcile-1.xlsx")
    reasons = sorted(
        row[3]
        for row in book[RECONCILE_SHEETS["duplicates"]].iter_rows(min_row=2, values_only=True)
    )
    assert reasons == ["duplicate-in-file", "duplicate-in-file", "used-by-another-parcel"]
    unknown = list(book[RECONCILE_SHEETS["unknown rows"]].iter_rows(min_row=2, values_only=True))
    assert unknown == [("r.csv", "6", order_id(77), "773000000077", "unknown-reference")]
    assert len(list(book[RECONCILE_SHEETS["unmatched parcels"]].iter_rows(min_row=2))) == 4
    assert read_upload(home) == [["订单编号", "物流公司", "运单号"]]


def test_range_with_count_and_end(runner: CliRunner, home: Path) -> None:
    ids = [order_id(i) for i in range(3)]
    seed_batch(home, [[oid] for oid in ids])
    summary = run_json(runner, home, "--range", "000000000998", "--count", "2")
    assert (summary["parcels_matched"], summary["unmatched_parcels"]) == (2, 1)
    assert ledger_numbers(home) == [("000000000998", 1), ("000000000999", 2)]
    # too many: the unused are reported as unknown rows
    summary = run_json(runner, home, "--range", "000000001000-000000001003", "--batch", BATCH)
    assert summary["parcels_matched"] == 1
    assert summary["unknown_rows"] == 3
    assert summary["unmatched_parcels"] == 0
    assert [row[2] for row in read_upload(home)[1:]] == [
        "000000000998",
        "000000000999",
        "000000001000",
    ]
    book = openpyxl.load_workbook(home / "batches" / BATCH / "reconcile-2.xlsx")
    unused = [
        row[3]
        for row in book[RECONCILE_SHEETS["unknown rows"]].iter_rows(min_row=2, values_only=True)
    ]
    assert unused == ["000000001001", "000000001002", "000000001003"]
    # the same range again: already recorded, nothing new
    summary = run_json(runner, home, "--range", "000000000998", "--count", "2", "--batch", BATCH)
    assert (summary["already_recorded"], summary["parcels_matched"]) == (2, 0)


def test_ems_s10_range(runner: CliRunner, home: Path) -> None:
    seed_batch(home, [[order_id(i)] for i in range(3)], courier="ems")
    summary = run_json(runner, home, "--range", "EA123456785CN", "--count", "3")
    assert summary["parcels_matched"] == 3
    assert [n for n, _ in ledger_numbers(home)] == [
        "EA123456785CN",
        "EA123456799CN",
        "EA123456808CN",
    ]
    assert read_upload(home)[1][1] == "EMS"


def test_bad_range_is_exit_1_and_changes_nothing(runner: CliRunner, home: Path) -> None:
    seed_batch(home, [[order_id(0)]], courier="ems")
    result = run(runner, home, "--range", "EA123456784CN", "--count", "3")
    assert result.exit_code == 1
    assert (
        "--range EA123456784CN: EA123456784CN has a wrong check digit (the 9th digit): a valid "
        "start with these digits is EA123456785CN" in result.output
    )
    assert (
        "Fix: EMS numbers have 13 digits, or 2 letters, 9 digits (the last a check digit) "
        "and 2 letters; write --range START --count N or --range START-END" in result.output
    )
    for forbidden in ("\\d", "DESIGN", "src/pattern", "BF-zh", "S10"):
        assert forbidden not in result.output
    assert ledger_numbers(home) == []
    assert not (home / "batches").exists()


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--range", "773012345678"],
        ["--count", "3"],
        ["--range", "773012345678", "--count", "0"],
        ["x.xlsx", "--range", "773012345678-773012345680"],
    ],
)
def test_usage_errors_exit_2(runner: CliRunner, home: Path, args: list[str]) -> None:
    assert run(runner, home, *args).exit_code == 2


def test_range_needs_a_batch_when_several_await(runner: CliRunner, home: Path) -> None:
    seed_batch(home, [[order_id(0)]])
    seed_batch(home, [[order_id(1)]], batch_id="20261126-02")
    result = run(runner, home, "--range", "773012345678", "--count", "1")
    assert result.exit_code == 1
    assert "pass --batch ID with --range" in result.output


def test_batch_found_from_references_or_ambiguous(
    runner: CliRunner, home: Path, tmp_path: Path
) -> None:
    seed_batch(home, [[order_id(0)]])
    seed_batch(home, [[order_id(1)]], batch_id="20261126-02")
    one = write_xlsx(tmp_path / "one.xlsx", [["订单编号", "运单号"], [order_id(1), "773012345678"]])
    assert run_json(runner, home, str(one))["batch"] == "20261126-02"
    both = write_xlsx(
        tmp_path / "both.xlsx",
        [["订单编号", "运单号"], [order_id(0), "773012345600"], [order_id(1), "773012345678"]],
    )
    result = run(runner, home, str(both))
    assert result.exit_code == 1
    assert "several batches (20261126-01, 20261126-02)" in result.output
    assert "--batch" in result.output


def test_batch_found_from_a_sample_still_refuses_a_mixed_return(
    runner: CliRunner, home: Path, tmp_path: Path
) -> None:
    """The batch is chosen from a sample of the references (one, here); a reference of another
    batch that the sample missed still makes the return ambiguous, and nothing is recorded."""
    seed_batch(home, [[order_id(i)] for i in range(3)])
    seed_batch(home, [[order_id(9)]], batch_id="20261126-02")
    header = ["订单编号", "运单号"]
    rows = [[order_id(i), f"77301234560{i}"] for i in range(3)]
    mixed = write_xlsx(tmp_path / "mixed.xlsx", [header, *rows, [order_id(9), "773012345609"]])
    one = Tuning(batch_sample=1)
    result = run(runner, home, str(mixed), tuning=one)
    assert result.exit_code == 1, result.output
    assert "several batches (20261126-01, 20261126-02)" in result.output
    assert ledger_numbers(home) == []
    # a reference of no batch at all is only an unknown row
    stray = write_xlsx(
        tmp_path / "stray.xlsx", [header, *rows, ["4012599999999999999", "773012345699"]]
    )
    summary = run_json(runner, home, str(stray), tuning=one)
    assert (summary["batch"], summary["parcels_matched"], summary["unknown_rows"]) == (BATCH, 3, 1)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.xlsx", b"PK\x03\x04 not really a zip", "cannot be opened"),
        ("nothing.csv", "订单编号,收件人\n1,张三\n".encode(), "no tracking-number column"),
        ("noref.csv", "运单号,收件人\n773012345678,张三\n".encode(), "no reference column"),
        ("missing.xlsx", None, "file not found"),
    ],
)
def test_bad_returns_exit_1(
    runner: CliRunner, home: Path, tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    seed_batch(home, [[order_id(0)]])
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = run(runner, home, str(path), "--batch", BATCH)
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert name in result.output
    assert "Traceback" not in result.output
    assert ledger_numbers(home) == []
    assert not (home / "batches").exists()


def test_unknown_batch_and_no_ledger(runner: CliRunner, home: Path, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "r.xlsx", [["订单编号", "运单号"], [order_id(0), "773012345678"]])
    result = run(runner, home, str(path))
    assert result.exit_code == 1
    assert "no ledger in this workspace" in result.output
    assert not (home / "ledger.sqlite3").exists()
    seed_batch(home, [[order_id(0)]])
    result = run(runner, home, str(path), "--batch", "20991231-09")
    assert result.exit_code == 1
    assert "unknown batch '20991231-09'" in result.output
    assert BATCH in result.output  # the hint lists the known ones


def test_amazon_marketplace(runner: CliRunner, home: Path, tmp_path: Path) -> None:
    seed_batch(home, [[order_id(0)]], courier="sf")
    path = write_xlsx(
        tmp_path / "sf.xlsx", [["用户订单号", "运单号"], [order_id(0), "SF1234567890123"]]
    )
    summary = run_json(runner, home, str(path), "--marketplace", "amazon")
    upload = home / "batches" / BATCH / "upload-amazon.txt"
    assert summary["files"] == [str(upload), str(home / "batches" / BATCH / "reconcile-1.xlsx")]
    with upload.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream, delimiter="\t"))
    assert rows[1][0] == order_id(0)
    assert rows[1][4:7] == ["SF Express", "SF Express", "SF1234567890123"]
    result = run(runner, home, str(path), "--marketplace", "ebay")
    assert result.exit_code == 1
    assert "unknown marketplace 'ebay'" in result.output


def test_human_output(runner: CliRunner, home: Path, tmp_path: Path) -> None:
    seed_batch(home, [[order_id(0)], [order_id(1)]])
    path = write_xlsx(tmp_path / "r.xlsx", [["订单编号", "运单号"], [order_id(0), "773012345678"]])
    result = run(runner, home, str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        f"batch {BATCH}: 1 parcels matched, 1 orders shipped, 0 already recorded, "
        "1 still awaiting tracking"
    )


def test_failed_write_changes_nothing(
    runner: CliRunner, home: Path, tmp_path: Path, writer_mode: Tuning
) -> None:
    seed_batch(home, [[order_id(0)]])
    blocker = home / "batches" / BATCH / "upload-taobao.csv"
    blocker.mkdir(parents=True)  # a folder where the upload goes: os.replace fails
    path = write_xlsx(tmp_path / "r.xlsx", [["订单编号", "运单号"], [order_id(0), "773012345678"]])
    result = run(runner, home, str(path), tuning=writer_mode)
    assert result.exit_code == 1, result.output
    assert "upload-taobao.csv" in result.output
    assert ledger_numbers(home) == []
    # no temp, and no reconcile-1.xlsx (placed first) for an import that did not happen
    assert sorted(p.name for p in blocker.parent.iterdir()) == ["upload-taobao.csv"]


def test_marketplace_from_config(runner: CliRunner, home: Path, tmp_path: Path) -> None:
    (home / "batch_ship.toml").write_text('[defaults]\nmarketplace = "amazon"\n', encoding="utf-8")
    seed_batch(home, [[order_id(0)]])
    path = write_xlsx(tmp_path / "r.xlsx", [["订单编号", "运单号"], [order_id(0), "773012345678"]])
    summary = run_json(runner, home, str(path))
    assert summary["files"][0] == str(home / "batches" / BATCH / "upload-amazon.txt")


def test_return_resaved_by_a_spreadsheet(runner: CliRunner, home: Path, tmp_path: Path) -> None:
    # every reference became a number shown with 15 digits, as Excel saves a CSV
    ids = [order_id(i) for i in range(5)]
    seed_batch(home, [[oid] for oid in ids])
    lines = ["订单编号,运单号"] + [
        f"{float(oid):.14E},{773012345670 + n}" for n, oid in enumerate(ids)
    ]
    path = tmp_path / "resaved.csv"
    path.write_text("\n".join(lines) + "\n", encoding="gb18030")
    result = run(runner, home, str(path))
    assert result.exit_code == 1
    assert "pass --batch" in result.output
    summary = run_json(runner, home, str(path), "--batch", BATCH)
    assert (summary["parcels_matched"], summary["unknown_rows"]) == (5, 0)
    assert [row[2] for row in read_upload(home)[1:]] == [str(773012345670 + n) for n in range(5)]
    again = run_json(runner, home, str(path), "--batch", BATCH)
    assert (again["already_recorded"], again["unknown_rows"], again["parcels_matched"]) == (5, 0, 0)


def test_several_return_files(runner: CliRunner, home: Path, tmp_path: Path) -> None:
    ids = [order_id(i) for i in range(3)]
    seed_batch(home, [[oid] for oid in ids])
    first = write_xlsx(tmp_path / "a.xlsx", [["订单编号", "运单号"], [ids[0], "773012345600"]])
    second = tmp_path / "b.csv"
    second.write_text(
        f"面单号,商家订单号\n773012345601,{ids[1]}\n773012345602,{ids[2]}\n", encoding="utf-8"
    )
    summary = run_json(runner, home, str(first), str(second))
    assert (summary["parcels_matched"], summary["unmatched_parcels"]) == (3, 0)
    book = openpyxl.load_workbook(home / "batches" / BATCH / "reconcile-1.xlsx")
    sources = sorted(
        row[5] for row in book[RECONCILE_SHEETS["matched"]].iter_rows(min_row=2, values_only=True)
    )
    assert sources == ["a.xlsx row 2", "b.csv row 2", "b.csv row 3"]


def test_hostile_cells_are_reported_as_text(runner: CliRunner, home: Path, tmp_path: Path) -> None:
    seed_batch(home, [[order_id(0)], [order_id(1)]])
    path = tmp_path / "r.csv"
    path.write_text(
        "订单编号,运单号\n"
        f'{order_id(0)},"=HYPERLINK(""http://x"",""点我"")"\n'
        f"{order_id(1)},'773012345678\n",
        encoding="utf-8",
    )
    summary = run_json(runner, home, str(path), "--batch", BATCH)
    # the cell splits at its commas: three invalid numbers, none applied
    assert (summary["invalid_numbers"], summary["parcels_matched"]) == (3, 1)
    book = openpyxl.load_workbook(home / "batches" / BATCH / "reconcile-1.xlsx")
    cells = [row[2] for row in book[RECONCILE_SHEETS["invalid"]].iter_rows(min_row=2)]
    assert all(cell.data_type == "s" for cell in cells)
    assert str(cells[0].value).startswith("HYPERLINK(")  # the leading = was stripped as debris
    upload = (home / "batches" / BATCH / "upload-taobao.csv").read_text(encoding="gb18030")
    assert "HYPERLINK" not in upload


def test_huge_range_is_refused(runner: CliRunner, home: Path) -> None:
    seed_batch(home, [[order_id(0)]])
    result = run(runner, home, "--range", "100000000000", "--count", "5000000")
    assert result.exit_code == 1
    assert "at most 1,000,000" in result.output


def test_whole_day_through_the_cli(runner: CliRunner, home: Path, tmp_path: Path) -> None:
    from batch_ship.samples.orders import write_sample_export

    orders, _ = write_sample_export(tmp_path / "inbox", orders=60, seed=4)
    exported = runner.invoke(main, ["--home", str(home), "export", "--json", str(orders)])
    assert exported.exit_code == 0, exported.output
    batch = json.loads(exported.stdout)["batch"]
    parcels = json.loads(exported.stdout)["parcels"]
    returned = tmp_path / "returns" / "zto.xlsx"
    made = runner.invoke(
        main, ["--home", str(home), "sample-return", "--batch", batch, str(returned)]
    )
    assert made.exit_code == 0, made.output
    summary = run_json(runner, home, str(returned))
    assert summary["batch"] == batch
    assert summary["parcels_matched"] == parcels
    assert summary["unmatched_parcels"] == summary["unknown_rows"] == 0
    with (home / "batches" / batch / "upload-taobao.csv").open(encoding="gb18030") as stream:
        upload = list(csv.reader(stream))
    assert len(upload) - 1 == summary["orders_shipped"]
    assert all(row[0].isdigit() and len(row[0]) >= 15 for row in upload[1:])
    with Ledger.open(home / "ledger.sqlite3") as ledger:
        orders_state = status(ledger)["orders"]
    assert orders_state["submitted"] == 0
    assert orders_state["shipped"] == summary["orders_shipped"]


def test_csv_with_a_short_title_line(runner: CliRunner, home: Path, tmp_path: Path) -> None:
    seed_batch(home, [[order_id(0)]])
    path = tmp_path / "zto.csv"
    text = f"中通快递运单回传 2026-11-26\n订单编号,运单号,收件人\n{order_id(0)},773012345678,张三\n"
    path.write_bytes(text.encode("gb18030"))
    summary = run_json(runner, home, str(path))
    assert summary["parcels_matched"] == 1


def test_unreadable_return_gets_a_courier_hint(
    runner: CliRunner, home: Path, tmp_path: Path
) -> None:
    seed_batch(home, [[order_id(0)]])
    path = tmp_path / "r.csv"
    path.write_bytes(b"\x00\x01\x02binary" * 50)
    result = run(runner, home, str(path), "--batch", BATCH)
    assert result.exit_code == 1
    assert "courier's site" in result.output
    assert "seller centre" not in result.output


def test_upload_always_equals_what_the_ledger_ships(
    runner: CliRunner, home: Path, tmp_path: Path
) -> None:
    """The upload is built from the plan, not read back: after every kind of run it must list
    exactly the ledger's shipped orders with their primary numbers."""
    ids = [order_id(i) for i in range(6)]
    seed_batch(home, [[ids[0], ids[1]], [ids[2]], [ids[3]], [ids[4], ids[5]]])

    def check() -> None:
        with Ledger.open(home / "ledger.sqlite3") as ledger:
            shipped = shipped_rows(ledger.parcels(BATCH))
        expected = [
            [order, "中通快递", number]
            for order, number in zip(shipped["order_id"], shipped["tracking"], strict=True)
        ]
        assert read_upload(home)[1:] == expected

    header = ["订单编号", "运单号"]
    runs = [
        # merged parcel + a split shipment (two numbers in one cell), one parcel left out
        [header, [ids[0], "773012345601"], [ids[2], "773012345603; 773012345613"]],
        # the same again (nothing new), then the rest of the batch
        [header, [ids[0], "773012345601"], [ids[2], "773012345603; 773012345613"]],
        [header, [ids[3], "773012345604"], [ids[5], "773012345606"]],
    ]
    for index, rows in enumerate(runs):
        run_json(runner, home, str(write_xlsx(tmp_path / f"r{index}.xlsx", rows)))
        check()
    replaced = write_xlsx(tmp_path / "fix.xlsx", [header, [ids[2], "773012345699,773012345698"]])
    summary = run_json(runner, home, str(replaced), "--replace")
    assert summary["conflicts"] == 1
    check()
    assert read_upload(home)[3] == [ids[2], "中通快递", "773012345699"]


def test_sf_child_waybills_are_more_numbers_of_the_parcel(
    runner: CliRunner, home: Path, tmp_path: Path
) -> None:
    seed_batch(home, [[order_id(0)], [order_id(1)]], courier="sf")
    path = write_xlsx(
        tmp_path / "sf.xlsx",
        [
            ["用户订单号", "运单号", "子单号"],
            [order_id(0), "SF1234567890123", "SF1234567890124,SF1234567890125"],
            [order_id(1), "SF1234567890200", ""],
        ],
    )
    summary = run_json(runner, home, str(path))
    assert (summary["parcels_matched"], summary["invalid_numbers"]) == (2, 0)
    assert ledger_numbers(home) == [
        ("SF1234567890123", 1),
        ("SF1234567890124", 1),
        ("SF1234567890125", 1),
        ("SF1234567890200", 2),
    ]
    # the marketplace gets the main waybill
    assert [row[2] for row in read_upload(home)[1:]] == ["SF1234567890123", "SF1234567890200"]


def test_legacy_xls_return(runner: CliRunner, home: Path, tmp_path: Path) -> None:
    import xlwt  # a dev dependency: writes the legacy .xls some courier sites still hand out

    ids = [order_id(i) for i in range(3)]
    seed_batch(home, [[oid] for oid in ids])
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("结果")
    rows = [
        ["中通快递 批量下单结果"],
        ["订单编号", "运单号"],
        [ids[0], "773012345678"],
        [float(ids[1]), 773012345679],  # numbers, as a re-saved .xls keeps them
        [ids[2], "773012345680"],
    ]
    for row_index, row in enumerate(rows):
        for column, value in enumerate(row):
            sheet.write(row_index, column, value)
    path = tmp_path / "return.xls"
    book.save(str(path))
    summary = run_json(runner, home, str(path))
    assert (summary["parcels_matched"], summary["unknown_rows"]) == (3, 0)
    assert [row[2] for row in read_upload(home)[1:]] == [
        "773012345678",
        "773012345679",
        "773012345680",
    ]


def excel_cut(reference: str) -> float:
    """A long id as Excel stores it once typed or pasted as a number: 15 significant digits,
    the rest zeros (Microsoft KB 269370), held as a double."""
    cut = 10 ** (len(reference) - 15)
    return float(int(reference) // cut * cut)


def test_a_return_with_references_excel_cut_ships_every_order(
    runner: CliRunner, home: Path, tmp_path: Path
) -> None:
    """A third of the references stored as numbers the way Excel stores them (numeric cells
    of a real xlsx): every order ships with its own parcel's number, no row unknown."""
    made = runner.invoke(main, ["sample-data", str(tmp_path / "in"), "--orders", "300"])
    assert made.exit_code == 0, made.output
    exported = runner.invoke(
        main,
        [
            "--home",
            str(home),
            "export",
            "--json",
            *map(str, (tmp_path / "in").glob("ExportOrderList*")),
        ],
    )
    assert exported.exit_code == 0, exported.output
    batch = json.loads(exported.stdout)["batch"]
    with sqlite3.connect(home / "ledger.sqlite3") as connection:
        parcels = connection.execute(
            "SELECT reference, order_ids FROM parcels WHERE batch_id = ? ORDER BY seq", (batch,)
        ).fetchall()
    numbers = {reference: f"73{index:012d}" for index, (reference, _) in enumerate(parcels)}
    rows: list[list[object]] = [["订单编号", "运单号"]]
    for index, (reference, _) in enumerate(parcels):
        rows.append([excel_cut(reference) if index % 3 == 0 else reference, numbers[reference]])
    path = write_xlsx(tmp_path / "zto-return.xlsx", rows)
    summary = run_json(runner, home, str(path))
    assert (summary["parcels_matched"], summary["unknown_rows"]) == (len(parcels), 0)
    assert summary["unmatched_parcels"] == 0
    # the workbook holds numbers, as Excel's does (read back with openpyxl), and many of them
    # lost digits of 5000 and more, which rounding would have carried up
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    cells = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sum(isinstance(cell, float) for cell in cells) == (len(parcels) + 2) // 3
    assert sum(int(ref[-4:]) >= 5000 for ref, _ in parcels[::3]) > len(parcels) // 10
    expected = {order: numbers[reference] for reference, ids in parcels for order in ids.split(",")}
    with (home / "batches" / batch / "upload-taobao.csv").open(encoding="gb18030") as stream:
        upload = {row[0]: row[2] for row in list(csv.reader(stream))[1:]}
    assert upload == expected


def test_an_order_report_is_refused_and_nothing_is_written(
    runner: CliRunner, home: Path, tmp_path: Path
) -> None:
    """Given the seller centre's order report by mistake (it has 订单编号 and a 物流单号
    column), import-tracking says what it is and leaves the batch's files as they were."""
    from batch_ship.samples.orders import write_sample_export

    orders, _ = write_sample_export(tmp_path / "in", orders=20, seed=4)
    exported = runner.invoke(main, ["--home", str(home), "export", "--json", str(orders)])
    assert exported.exit_code == 0, exported.output
    batch = json.loads(exported.stdout)["batch"]
    returned = tmp_path / "r.xlsx"
    made = runner.invoke(
        main, ["--home", str(home), "sample-return", "--batch", batch, str(returned)]
    )
    assert made.exit_code == 0, made.output
    assert run(runner, home, str(returned)).exit_code == 0
    folder = home / "batches" / batch
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    numbers = ledger_numbers(home)
    result = run(runner, home, str(orders), "--batch", batch)
    assert result.exit_code == 1, result.output
    assert "this is an order report from the seller centre, not a courier return" in result.output
    assert f"`batch-ship export {orders.name}`" in result.output
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before
    assert ledger_numbers(home) == numbers


def test_range_messages_are_for_sellers(runner: CliRunner, home: Path) -> None:
    seed_batch(home, [[order_id(0)], [order_id(1)]], courier="zto")
    result = run(runner, home, "--range", "12345", "--count", "2")
    assert result.exit_code == 1
    assert "Fix: 中通快递 numbers have 12 digits, or 14 digits starting with 73-76 or 78" in (
        result.output
    )
    assert "\\d" not in result.output
    assert "DESIGN" not in result.output
    result = run(runner, home, "--range", "773012345678-773012345670")
    assert result.exit_code == 1
    assert "swap its ends, --range 773012345670-773012345678" in result.output
    assert ledger_numbers(home) == []


def test_every_import_keeps_its_own_reconcile_workbook(
    runner: CliRunner, home: Path, tmp_path: Path
) -> None:
    """Two partial returns, then the first again: three workbooks, each saying what its own
    import did; the third never erases what the first reported."""
    ids = [order_id(i) for i in range(3)]
    seed_batch(home, [[oid] for oid in ids])
    header = ["订单编号", "运单号"]
    first = write_xlsx(tmp_path / "a.xlsx", [header, [ids[0], "773012345601"], ["999", "1"]])
    second = write_xlsx(tmp_path / "b.xlsx", [header, [ids[1], "773012345602"]])
    for path in (first, second, first):
        run_json(runner, home, str(path))
    folder = home / "batches" / BATCH
    assert sorted(p.name for p in folder.glob("reconcile*")) == [
        "reconcile-1.xlsx",
        "reconcile-2.xlsx",
        "reconcile-3.xlsx",
    ]

    def sheet(number: int, name: str) -> list[tuple[object, ...]]:
        book = openpyxl.load_workbook(folder / f"reconcile-{number}.xlsx")
        return list(book[RECONCILE_SHEETS[name]].iter_rows(min_row=2, values_only=True))

    assert [(row[1], row[3]) for row in sheet(1, "matched")] == [(ids[0], "new")]
    assert [row[3] for row in sheet(1, "unmatched parcels")] == [ids[1], ids[2]]
    assert [row[2] for row in sheet(1, "unknown rows")] == ["999"]
    assert [(row[1], row[3]) for row in sheet(2, "matched")] == [(ids[1], "new")]
    assert [row[3] for row in sheet(2, "unmatched parcels")] == [ids[2]]
    assert [(row[1], row[3]) for row in sheet(3, "matched")] == [(ids[0], "already-recorded")]


def test_a_return_in_the_upload_layout_is_read_and_a_submission_refused(
    runner: CliRunner, home: Path, tmp_path: Path
) -> None:
    """Numbers handed back in the marketplace's own layout are a return; our submission
    workbook is not, and the message says where it goes."""
    seed_batch(home, [[order_id(0)], [order_id(1)]])
    path = tmp_path / "zto-for-taobao.csv"
    path.write_bytes(
        f"订单编号,物流公司,运单号\n{order_id(0)},中通快递,773012345678\n".encode("gbk")
    )
    assert run_json(runner, home, str(path))["parcels_matched"] == 1
    submission = write_xlsx(
        tmp_path / "whatever.xlsx",
        [
            ["订单编号", "收件人姓名", "收件人手机/电话", "收件人省", "收件人市", "收件人区",
             "收件人详细地址", "邮编", "物品名称", "数量", "备注", "寄件人姓名", "寄件人手机/电话",
             "寄件人省", "寄件人市", "寄件人区", "寄件人详细地址"],
            [order_id(1), "张三", "13800000000", "浙江省", "杭州市", "西湖区", "文三路1号"],
        ],
    )  # fmt: skip
    result = run(runner, home, str(submission))
    assert result.exit_code == 1
    assert "this is a submission workbook batch-ship wrote for a courier" in result.output
    assert "not a courier return" in result.output
    assert "upload it on the courier's site" in result.output
