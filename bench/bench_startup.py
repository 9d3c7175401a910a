"""A command's fixed cost: `batch-ship --version`/`--help` and a 2,000-order export.

Each measurement runs in a fresh process, alternating with the floors measured in the same run
(the interpreter starting with nothing to do, and starting with click imported), so a busy
machine slows both alike. Wall and CPU seconds are the medians of the rounds.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROUNDS = 7
EXPORT_ORDERS = 2_000
MAX_STARTUP_SECONDS = 0.2  # the bar for --help and --version
SENDER = '[sender]\nname = "基准"\nphone = "13800000000"\nprovince = "浙江省"\ncity = "杭州市"\n'
SENDER += 'district = "余杭区"\naddress = "文一西路969号"\n'


def timed(command: Sequence[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one run of `command`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def commands(folder: Path) -> dict[str, list[str]]:
    python = sys.executable
    cli = [python, "-m", "batch_ship"]
    orders = folder / f"ExportOrderList{EXPORT_ORDERS}.csv"
    return {
        "floor: python": [python, "-c", "pass"],
        "floor: python + click": [python, "-c", "import click"],
        "batch-ship --version": [*cli, "--version"],
        "batch-ship --help": [*cli, "--help"],
        "import the export step": [python, "-c", "import batch_ship.export"],
        f"batch-ship export ({EXPORT_ORDERS:,} orders)": [
            *cli,
            "--home",
            str(folder / "home"),
            "export",
            str(orders),
            "--courier",
            "zto",
            "--json",
        ],
    }


def prepare(folder: Path) -> None:
    from batch_ship.samples.orders import write_sample_export

    write_sample_export(folder, orders=EXPORT_ORDERS, seed=1, stamp=str(EXPORT_ORDERS))


def fresh_home(folder: Path) -> None:
    """Every export round starts from an empty workspace (else it finds nothing new)."""
    home = folder / "home"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir()
    (home / "batch_ship.toml").write_text(SENDER, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_startup", description=__doc__)
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="rounds (default %(default)s)")
    rounds = parser.parse_args(argv).rounds
    samples: dict[str, list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        folder = Path(tmp)
        prepare(folder)
        for _ in range(rounds):
            for name, command in commands(folder).items():
                fresh_home(folder)
                samples.setdefault(name, []).append(timed(command, folder))
    results: dict[str, Any] = {}
    floor = statistics.median(wall for wall, _ in samples["floor: python"])
    print(f"{'command':34} {'wall s':>8} {'cpu s':>7} {'x python':>9}")
    for name, runs in samples.items():
        wall = statistics.median(run[0] for run in runs)
        cpu = statistics.median(run[1] for run in runs)
        results[name] = {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3)}
        print(f"{name:34} {wall:8.3f} {cpu:7.3f} {wall / floor:8.1f}x")
    for name in ("batch-ship --version", "batch-ship --help"):
        ok = results[name]["cpu_s"] < MAX_STARTUP_SECONDS
        print(f"{name}: CPU {results[name]['cpu_s']:.3f} s < {MAX_STARTUP_SECONDS} s: {ok}")
    load = os.getloadavg()[0]
    print(f"({rounds} rounds, alternating; load average {load:.1f} on {os.cpu_count()} cores)")
    return results


if __name__ == "__main__":
    main()
