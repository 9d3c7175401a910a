"""The hostile-workbook check's cost against its floor: calamine reading the same workbook.

    python -m bench.bench_limits [--rows 100000] [--rounds 5]

Two sheets of `--rows` rows: a 5-column courier return whose cells do not name their place
(the sample return's layout: the check counts cells per row) and a 40-column sheet written by
rust_xlsxwriter, whose cells all do (Excel's layout: the check reads every `r`). Each round
times `check_xlsx` and calamine's read of the same bytes back to back in this process; the
verdict is the median ratio check/read over the rounds, as a noisy machine slows both alike.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from batch_ship.samples.returns import write_return_xlsx
from batch_ship.spreadsheets.limits import check_xlsx
from batch_ship.spreadsheets.write import write_workbook

MAX_RATIO = 0.5  # the check costs at most half of what reading the workbook costs


def return_sheet(path: Path, rows: int) -> Path:
    """A 5-column return in the sample return's layout (rows named, cells not)."""
    header = ["订单编号", "运单号", "收件人", "收件人手机", "寄件日期"]
    body: list[list[str | float]] = [
        [f"40125{n:014d}", f"7313{n:010d}", "黄娟静", "155****4885", "2026-12-04"]
        for n in range(rows)
    ]
    return write_return_xlsx(path, "中通快递 批量下单结果", header, body)


def wide_sheet(path: Path, rows: int) -> Path:
    """40 text columns, every cell naming its place (rust_xlsxwriter's, as Excel writes)."""
    frame = pd.DataFrame({f"列{c}": [f"值{c}-{n % 997}" for n in range(rows)] for c in range(40)})
    return write_workbook(path, {"Sheet1": frame})


def _seconds(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def measure(path: Path, rounds: int) -> dict[str, Any]:
    from python_calamine import CalamineWorkbook

    data = path.read_bytes()

    def read() -> object:
        return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()

    checks, reads = [], []
    for _ in range(rounds):
        checks.append(_seconds(lambda: check_xlsx(data, path)))
        reads.append(_seconds(read))
    ratio = statistics.median(c / r for c, r in zip(checks, reads, strict=True))
    return {
        "check_s": round(statistics.median(checks), 3),
        "read_s": round(statistics.median(reads), 3),
        "ratio": round(ratio, 3),
        "passed": ratio <= MAX_RATIO,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args(argv)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        sheets = {
            "return, 5 columns, cells unnamed": return_sheet(Path(folder) / "r.xlsx", options.rows),
            "40 columns, cells named": wide_sheet(Path(folder) / "w.xlsx", options.rows),
        }
        for name, path in sheets.items():
            results[name] = found = measure(path, options.rounds)
            print(
                f"{name}: check {found['check_s']:.3f} s, calamine read {found['read_s']:.3f} s, "
                f"median ratio {found['ratio']:.2f} (bar {MAX_RATIO}: "
                f"{'pass' if found['passed'] else 'FAIL'})",
                flush=True,
            )
    return results


if __name__ == "__main__":
    main()
