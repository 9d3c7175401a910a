"""`batch-ship export` end to end on real-format Taobao exports written into tmp_path."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from batch_ship.cli import main
from batch_ship.export import ExportResult, run_export
from batch_ship.ledger import Ledger
from batch_ship.samples.orders import write_sample_export
from batch_ship.sources.taobao import read_orders
from batch_ship.tuning import DEFAULT_TUNING, Tuning
from batch_ship.workspace import open_workspace
from tests.conftest import PROJECT_ROOT, SENDER_TOML


def export(
    runner: CliRunner, home: Path, *args: str, tuning: Tuning = DEFAULT_TUNING
) -> dict[str, Any]:
    result = runner.invoke(main, ["--home", str(home), "export", *args, "--json"], obj=tuning)
    assert result.exit_code == 0, result.output
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def sheet_rows(path: Path) -> tuple[list[str], list[dict[str, Any]]]:
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    header = [str(cell.value) for cell in sheet[1]]
    rows = [
        dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)
    ]
    return header, rows


def ledger_orders(home: Path, *sources: Path) -> dict[str, str]:
    """The ledger state of every order in `sources` that the ledger knows."""
    ids = read_orders(list(sources)).orders["order_id"].unique().tolist()
    with Ledger.open(home / "ledger.sqlite3") as ledger:
        return {order_id: state.value for order_id, state in ledger.order_states(ids).items()}


def rewrite_csv(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_bytes().decode("gbk")
    assert old in text
    path.write_bytes(text.replace(old, new, count).encode("gbk"))


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return write_sample_export(tmp_path_factory.mktemp("in"), orders=50, seed=3)


def test_export_writes_text_cells_and_records_the_batch(
    runner: CliRunner, home: Path, sample: tuple[Path, Path], writer_mode: Tuning
) -> None:
    (home / "batch_ship.toml").write_text(SENDER_TOML, encoding="utf-8")
    summary = export(runner, home, str(sample[0]), "--courier", "zto", tuning=writer_mode)
    assert list(summary) == [
        "batch", "courier", "orders_read", "orders_submitted", "parcels", "skipped",
        "exceptions", "files", "from_stock", "batches", "couriers", "intercepts",
    ]  # fmt: skip
    assert summary["batches"] == [summary["batch"]]
    assert summary["intercepts"] == []
    batch = summary["batch"]
    assert batch is not None
    assert batch.endswith("-01")
    assert summary["courier"] == "zto"
    assert summary["orders_read"] == 50
    skipped = sum(summary["skipped"].values())
    exception_orders = len(ledger_orders(home, sample[0])) - summary["orders_submitted"]
    assert summary["orders_submitted"] + skipped + exception_orders == 50
    assert all(count >= 1 for count in summary["skipped"].values())
    assert all(count >= 1 for count in summary["exceptions"].values())
    folder = home / "batches" / batch
    assert summary["files"] == [
        str(folder / "submission-zto.xlsx"),
        *([str(folder / "exceptions.xlsx")] if summary["exceptions"] else []),
    ]
    header, rows = sheet_rows(folder / "submission-zto.xlsx")
    assert header[:3] == ["订单编号", "收件人姓名", "收件人手机/电话"]
    assert len(rows) == summary["parcels"]
    sheet = openpyxl.load_workbook(folder / "submission-zto.xlsx").active
    assert sheet is not None
    for cell in (sheet["A2"], sheet["C2"], sheet["K2"]):
        assert cell.data_type == "s"
        assert cell.number_format == "@"
    assert str(sheet["A2"].value).isdigit()
    assert len(str(sheet["A2"].value)) >= 17
    assert rows[0]["寄件人姓名"] == "王五"
    assert rows[0]["寄件人详细地址"] == "仓前街道1号"
    states = ledger_orders(home, sample[0])
    submitted = [order for order, state in states.items() if state == "submitted"]
    assert len(submitted) == summary["orders_submitted"]
    listed = ",".join(str(row["备注"]) for row in rows).split(",")
    assert sorted(listed) == sorted(submitted)


def test_same_export_twice_submits_nothing_the_second_time(
    runner: CliRunner, home: Path, sample: tuple[Path, Path]
) -> None:
    first = export(runner, home, str(sample[0]), "--courier", "zto")
    second = export(runner, home, str(sample[0]), "--courier", "zto")
    assert first["batch"] is not None
    assert second["batch"] is None
    assert second["files"] == []
    assert second["parcels"] == 0
    assert second["orders_submitted"] == 0
    assert second["skipped"]["already-submitted"] == first["orders_submitted"]
    assert second["exceptions"] == first["exceptions"]
    assert [p.name for p in (home / "batches").iterdir()] == [first["batch"]]


def test_second_day_submits_only_new_orders(
    runner: CliRunner, home: Path, sample: tuple[Path, Path], tmp_path: Path
) -> None:
    first = export(runner, home, str(sample[0]), "--courier", "zto")
    day2, _ = write_sample_export(tmp_path / "day2", orders=60, seed=8, stamp="202611270900")
    second = export(runner, home, str(sample[0]), str(day2), "--courier", "zto")
    assert second["batch"] is not None
    assert second["batch"] != first["batch"]
    assert second["skipped"]["already-submitted"] == first["orders_submitted"]
    assert 0 < second["orders_submitted"] <= 60
    _, rows = sheet_rows(Path(second["files"][0]))
    day1_ids = set(
        ",".join(str(r["备注"]) for r in sheet_rows(Path(first["files"][0]))[1]).split(",")
    )
    day2_ids = set(",".join(str(r["备注"]) for r in rows).split(","))
    assert not day1_ids & day2_ids


def test_merge_and_no_merge(runner: CliRunner, home: Path, sample: tuple[Path, Path]) -> None:
    merged = export(runner, home, str(sample[0]), "--courier", "zto", "--merge")
    other = home.parent / "other"
    other.mkdir()
    (other / "batch_ship.toml").write_text(SENDER_TOML, encoding="utf-8")
    single = export(runner, other, str(sample[0]), "--courier", "zto", "--no-merge")
    assert merged["orders_submitted"] == single["orders_submitted"]
    assert single["parcels"] == single["orders_submitted"]
    assert merged["parcels"] < merged["orders_submitted"]  # the sample has repeat buyers
    _, rows = sheet_rows(Path(merged["files"][0]))
    assert any("," in str(row["备注"]) for row in rows)


def test_rows_split_at_the_template_limit(
    runner: CliRunner, home: Path, sample: tuple[Path, Path], writer_mode: Tuning
) -> None:
    text = (PROJECT_ROOT / "templates" / "couriers" / "zto.toml").read_text(encoding="utf-8")
    folder = home / "my-templates" / "couriers"
    folder.mkdir(parents=True)
    (folder / "zto.toml").write_text(
        text.replace("rows_per_file = 10000", "rows_per_file = 20"), encoding="utf-8"
    )
    (home / "batch_ship.toml").write_text(
        SENDER_TOML + '[folders]\ntemplates = "my-templates"\n[defaults]\ncourier = "zto"\n',
        encoding="utf-8",
    )
    summary = export(runner, home, str(sample[0]), tuning=writer_mode)
    names = [Path(path).name for path in summary["files"] if "submission" in path]
    parts = -(-summary["parcels"] // 20)
    assert parts > 1
    assert names == [f"submission-zto-{part}.xlsx" for part in range(1, parts + 1)]
    sizes = [len(sheet_rows(Path(path))[1]) for path in summary["files"] if "submission" in path]
    assert sizes[:-1] == [20] * (parts - 1)
    assert sum(sizes) == summary["parcels"]


def test_formula_like_buyer_text_stays_text(runner: CliRunner, home: Path, tmp_path: Path) -> None:
    orders, _ = write_sample_export(tmp_path / "f", orders=30, seed=11)
    text = orders.read_bytes().decode("gbk")
    first_row = text.splitlines()[1]
    name = first_row.split(",")[12]
    rewrite_csv(orders, f",{name},", ',"=HYPERLINK(""http://x"",""y"")",')
    summary = export(runner, home, str(orders), "--courier", "generic", "--no-merge")
    found = []
    for path in summary["files"]:
        sheet = openpyxl.load_workbook(path).active
        assert sheet is not None
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("=HYPERLINK"):
                    assert cell.data_type == "s"
                    found.append(cell.value)
    assert found
    assert found[0].startswith('=HYPERLINK("http://x"')


def test_exceptions_round_trip_after_a_fix(
    runner: CliRunner, home: Path, tmp_path: Path, writer_mode: Tuning
) -> None:
    orders, _ = write_sample_export(tmp_path / "x", orders=50, seed=5)
    first = export(runner, home, str(orders), "--courier", "zto", tuning=writer_mode)
    assert first["exceptions"], "the sample should hold exception orders"
    path = Path(first["files"][-1])
    assert path.name == "exceptions.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    assert header[:2] == ["异常代码", "异常说明"]
    id_cell = sheet.cell(row=2, column=header.index("订单编号") + 1)
    assert id_cell.data_type == "s"
    assert id_cell.number_format == "@"
    fixed_id = str(id_cell.value)
    assert fixed_id in ledger_orders(home, orders)
    assert ledger_orders(home, orders)[fixed_id] == "exception"
    # a person fixes the first exception: a full name, phone and address
    for column, value in (
        ("收货人姓名", "赵六"),
        ("联系手机", "13925130165"),
        ("收货地址", "浙江省 杭州市 西湖区 文三路1号(310000)"),
    ):
        sheet.cell(row=2, column=header.index(column) + 1).value = value
    fixed = tmp_path / "fixed.xlsx"
    book.save(fixed)
    exception_count = sheet.max_row - 1
    second = export(runner, home, str(fixed), "--courier", "zto", tuning=writer_mode)
    assert second["batch"] is not None
    assert second["orders_submitted"] == 1
    assert ledger_orders(home, orders)[fixed_id] == "submitted"
    assert sum(second["skipped"].values()) == 0
    assert second["orders_read"] == exception_count
    _, rows = sheet_rows(Path(second["files"][0]))
    assert rows[0]["订单编号"] == fixed_id
    assert rows[0]["收件人手机/电话"] == "13925130165"


def test_bad_input_exits_1_and_changes_nothing(
    runner: CliRunner, home: Path, sample: tuple[Path, Path], tmp_path: Path
) -> None:
    export(runner, home, str(sample[0]), "--courier", "zto")
    before = ledger_orders(home, sample[0])
    batches = sorted(p.name for p in (home / "batches").iterdir())
    bad = tmp_path / "ExportOrderList_bad.csv"
    bad.write_bytes("这不是订单报表\n1,2,3\n".encode("gbk"))
    result = runner.invoke(main, ["--home", str(home), "export", str(bad), "--courier", "zto"])
    assert result.exit_code == 1
    assert "ExportOrderList_bad.csv" in result.output
    assert "Traceback" not in result.output
    assert ledger_orders(home, sample[0]) == before
    assert sorted(p.name for p in (home / "batches").iterdir()) == batches


def test_unknown_courier_lists_the_valid_codes(
    runner: CliRunner, home: Path, sample: tuple[Path, Path]
) -> None:
    result = runner.invoke(
        main, ["--home", str(home), "export", str(sample[0]), "--courier", "dhl"]
    )
    assert result.exit_code == 1
    assert "unknown courier 'dhl'" in result.output
    assert "zto" in result.output
    assert "sf" in result.output
    assert not (home / "batches").exists()


def test_human_summary(runner: CliRunner, home: Path, sample: tuple[Path, Path]) -> None:
    result = runner.invoke(
        main, ["--home", str(home), "-q", "export", str(sample[0]), "--courier", "sf"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("batch ")
    assert "submission-sf.xlsx" in result.stdout


def test_two_runs_at_once_never_submit_an_order_twice(
    home: Path, sample: tuple[Path, Path], writer_mode: Tuning
) -> None:
    """Two exports of the same file race: both read and build before either holds the ledger's
    write lock; the second to get it must find the orders taken and submit nothing twice."""
    workspace = open_workspace(home)
    start = threading.Barrier(2)
    results: list[ExportResult] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            results.append(run_export(workspace, [sample[0]], courier="zto", tuning=writer_mode))
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    batches = [result.batch for result in results if result.batch]
    assert len(batches) == 1  # the other run found everything taken
    submitted = sum(result.orders_submitted for result in results)
    states = ledger_orders(home, sample[0])
    assert submitted == sum(1 for state in states.values() if state == "submitted")
    assert sorted(p.name for p in (home / "batches").iterdir()) == batches
    loser = next(result for result in results if result.batch is None)
    assert loser.skipped["already-submitted"] == submitted


def test_json_prints_only_the_json_and_no_log_line(
    home: Path, sample: tuple[Path, Path], tmp_path: Path
) -> None:
    # A real process: the log lines are configured once per run, as for a person.
    command = [sys.executable, "-m", "batch_ship", "--home", str(home), "export"]
    done = subprocess.run(
        [*command, str(sample[0]), "--courier", "zto", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["batch"]
    assert done.stderr == ""
    # Without --json the same run says what it did on stderr.
    orders, _ = write_sample_export(tmp_path / "more", orders=20, seed=31, stamp="202611270900")
    done = subprocess.run(
        [*command, str(orders)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "orders in" in done.stderr


def test_a_courier_that_prints_the_sender_refuses_without_one(
    runner: CliRunner, home: Path, sample: tuple[Path, Path]
) -> None:
    (home / "batch_ship.toml").write_text('[sender]\nname = "王五"\n', encoding="utf-8")
    result = runner.invoke(main, ["--home", str(home), "export", str(sample[0]), "--courier", "sf"])
    assert result.exit_code == 1
    assert (
        "batch_ship.toml: sf courier workbooks carry the sender (寄件人); empty in [sender]: "
        "phone, province, city, address" in result.output
    )
    assert "Fix: fill in phone, province, city, address under [sender]" in result.output
    assert not (home / "batches").exists()
    assert not (home / "ledger.sqlite3").exists()
    # sto's workbook has no sender columns: it exports without one.
    summary = export(runner, home, str(sample[0]), "--courier", "sto")
    assert summary["batch"]


def test_the_sender_is_normalized_like_a_recipient(
    runner: CliRunner, home: Path, sample: tuple[Path, Path]
) -> None:
    (home / "batch_ship.toml").write_text(
        '[sender]\nname = " 王　五 "\nphone = "138 0013 8000"\nprovince = "浙江"\n'
        'city = "杭州"\ndistrict = "余杭区"\naddress = "仓前街道1号"\n',
        encoding="utf-8",
    )
    summary = export(runner, home, str(sample[0]), "--courier", "sf")
    _, rows = sheet_rows(Path(summary["files"][0]))
    assert {row["寄件人"] for row in rows} == {"王 五"}
    assert {row["寄件电话"] for row in rows} == {"13800138000"}
    assert {row["寄件详细地址"] for row in rows} == {"浙江省杭州市余杭区仓前街道1号"}


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("phone", "138****8000", "[sender] phone is not a usable phone number (phone-masked)"),
        ("city", "金陵", "[sender] province, city and address do not name a known province"),
    ],
)
def test_a_sender_the_rules_reject_is_refused(
    runner: CliRunner, home: Path, sample: tuple[Path, Path], key: str, value: str, message: str
) -> None:
    text = SENDER_TOML.replace('province = "浙江省"', 'province = ""')
    text = re.sub(rf'^{key} = ".*"$', f'{key} = "{value}"', text, flags=re.MULTILINE)
    (home / "batch_ship.toml").write_text(text, encoding="utf-8")
    result = runner.invoke(main, ["--home", str(home), "export", str(sample[0])])
    assert result.exit_code == 1
    assert f"batch_ship.toml: {message}" in result.output
    assert not (home / "ledger.sqlite3").exists()


def round_trip_files(runner: CliRunner, home: Path, tmp_path: Path) -> dict[str, Path]:
    """A batch exported from a sample pair, its submission workbook and a courier return."""
    from batch_ship.samples.returns import write_sample_return

    orders, items = write_sample_export(tmp_path / "in", orders=30, seed=5)
    summary = export(runner, home, str(orders))
    submission = next(Path(p) for p in summary["files"] if "submission-" in p)
    returned = write_sample_return(open_workspace(home), summary["batch"], tmp_path / "r.xlsx")
    return {"orders": orders, "items": items, "submission": submission, "return": returned}


def snapshot(home: Path) -> dict[str, bytes]:
    """Every file of the workspace and its bytes: what 'changes nothing' compares."""
    return {
        str(path.relative_to(home)): path.read_bytes()
        for path in sorted(home.rglob("*"))
        if path.is_file()
    }


@pytest.mark.parametrize(
    ("which", "said", "fix"),
    [
        ("return", "this is a courier return", "`batch-ship import-tracking r.xlsx`"),
        ("submission", "this is a submission workbook batch-ship wrote", "courier's site"),
    ],
)
def test_export_refuses_a_file_that_is_not_an_order_report(
    runner: CliRunner, home: Path, tmp_path: Path, which: str, said: str, fix: str
) -> None:
    files = round_trip_files(runner, home, tmp_path)
    before = snapshot(home)
    result = runner.invoke(main, ["--home", str(home), "export", str(files[which])])
    assert result.exit_code == 1, result.output
    assert said in result.output
    assert "not a Taobao order report" in result.output
    assert fix in result.output
    assert "Traceback" not in result.output
    assert snapshot(home) == before  # no batch of 0 orders, ledger untouched


def test_an_order_number_column_alone_is_not_an_order_report(
    runner: CliRunner, home: Path, tmp_path: Path
) -> None:
    path = tmp_path / "list.csv"
    path.write_text("订单编号,收件人姓名,收件人手机/电话\n4012500868239927921,张三,13800000000\n")
    result = runner.invoke(main, ["--home", str(home), "export", str(path)])
    assert result.exit_code == 1, result.output
    assert "not an order report: it has an 订单编号 column but none" in result.output
    assert not (home / "ledger.sqlite3").exists()


def test_items_of_another_report_are_refused_and_a_partial_match_warns(
    runner: CliRunner, home: Path, tmp_path: Path
) -> None:
    orders, items = write_sample_export(tmp_path / "a", orders=30, seed=5)
    _, other_items = write_sample_export(tmp_path / "b", orders=30, seed=6)
    result = runner.invoke(
        main, ["--home", str(home), "export", str(orders), "--items", str(other_items)]
    )
    assert result.exit_code == 1, result.output
    assert "none of the" in result.output
    assert "item rows belongs to an order of the order report" in result.output
    assert not (home / "ledger.sqlite3").exists()
    # half of the item report is another one's: exported, with a warning counting them
    text = items.read_bytes().decode("gbk").splitlines(keepends=True)
    foreign = other_items.read_bytes().decode("gbk").splitlines(keepends=True)[1:11]
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes("".join([*text, *foreign]).encode("gbk"))
    command = ["--home", str(home), "export", str(orders), "--items", str(mixed)]
    done = subprocess.run(
        [sys.executable, "-m", "batch_ship", *command], capture_output=True, text=True, check=False
    )  # a real process: the warning as the seller sees it on stderr
    assert done.returncode == 0, done.stderr
    assert f"mixed.csv: 10 of {len(text) - 1 + 10} item rows belong to no order" in done.stderr
    assert (home / "batches").is_dir()


def test_progress_counts_the_workbooks_it_writes(
    runner: CliRunner, home: Path, sample: tuple[Path, Path], writer_mode: Tuning
) -> None:
    text = (PROJECT_ROOT / "templates" / "couriers" / "zto.toml").read_text(encoding="utf-8")
    folder = home / "my-templates" / "couriers"
    folder.mkdir(parents=True)
    (folder / "zto.toml").write_text(
        text.replace("rows_per_file = 10000", "rows_per_file = 5"), encoding="utf-8"
    )
    (home / "batch_ship.toml").write_text(
        SENDER_TOML + '[folders]\ntemplates = "my-templates"\n', encoding="utf-8"
    )
    result = runner.invoke(main, ["--home", str(home), "export", str(sample[0])], obj=writer_mode)
    assert result.exit_code == 0, result.output
    files = [line for line in result.stdout.splitlines() if line.endswith(".xlsx")]
    assert len(files) > 5
    assert f"workbooks written: {len(files)}/{len(files)}" in result.stderr.splitlines()


def test_exceptions_workbook_shows_the_codes_first_and_frozen(
    runner: CliRunner, home: Path, sample: tuple[Path, Path]
) -> None:
    summary = export(runner, home, str(sample[0]), "--courier", "zto")
    path = next(Path(name) for name in summary["files"] if name.endswith("exceptions.xlsx"))
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["异常代码", "异常说明", "订单编号"]
    assert sheet.freeze_panes == "C2"
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert codes
    assert set(",".join(codes).split(",")) <= set(summary["exceptions"])
    # fed back unchanged, the same orders are still exceptions: nothing new
    again = export(runner, home, str(path))
    assert again["batch"] is None


def test_a_contact_block_pasted_into_the_address_cell_ships(
    runner: CliRunner, home: Path, tmp_path: Path
) -> None:
    orders, _ = write_sample_export(tmp_path / "x", orders=50, seed=5)
    first = export(runner, home, str(orders), "--courier", "zto")
    path = Path(first["files"][-1])
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    fixed_id = str(sheet.cell(row=2, column=header.index("订单编号") + 1).value)
    # The person clears name and phone and pastes the buyer's whole message into the address.
    for column, value in (
        ("收货人姓名", ""),
        ("联系手机", ""),
        ("收货地址", "收货人：赵六\n手机：13925130165\n地址：浙江省杭州市西湖区文三路1号"),
    ):
        sheet.cell(row=2, column=header.index(column) + 1).value = value
    fixed = tmp_path / "fixed.xlsx"
    book.save(fixed)
    second = export(runner, home, str(fixed), "--courier", "zto")
    assert second["orders_submitted"] == 1
    assert ledger_orders(home, orders)[fixed_id] == "submitted"
    _, rows = sheet_rows(Path(second["files"][0]))
    assert rows[0]["订单编号"] == fixed_id
    assert rows[0]["收件人手机/电话"] == "13925130165"
    cells = [str(value) for value in rows[0].values()]
    assert "赵六" in cells
    assert any("文三路1号" in cell and "13925130165" not in cell for cell in cells)
    assert any(cell.startswith("浙江省") or cell == "浙江省" for cell in cells)


def test_spreadsheet_mangled_numbers_are_diagnosed_only_in_order_reports(
    runner: CliRunner, home: Path, tmp_path: Path
) -> None:
    # A courier return whose references a spreadsheet turned into numbers is a return: it
    # is not diagnosed as an order report whose order numbers were destroyed.
    returned = tmp_path / "zto-return.csv"
    returned.write_text("订单编号,运单号\n4.01250086826201E+18,773012345678\n", encoding="utf-8")
    result = runner.invoke(main, ["--home", str(home), "export", str(returned)])
    assert result.exit_code == 1
    assert "this is a courier return" in result.output
    assert "turned into numbers" not in result.output
    # The same number in an order report is diagnosed as destroyed by a spreadsheet.
    report = tmp_path / "ExportOrderList1.csv"
    report.write_text(
        "订单编号,买家会员名,订单状态,收货地址\n4.01250086826201E+18,甲,等待卖家发货,浙江省\n",
        encoding="utf-8",
    )
    result = runner.invoke(main, ["--home", str(home), "export", str(report)])
    assert result.exit_code == 1
    assert "were turned into numbers by a spreadsheet" in result.output
