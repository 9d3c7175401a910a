"""Export speed against its I/O floor (100k) and scaling and peak RSS at 1M orders.

Run: .venv/bin/python -m bench.bench_export [--sizes 100000 1000000]

Each measured step runs in its own child process so its peak RSS is its own. The floor reads
the same two files with pandas' pyarrow engine and writes one workbook of the submission's
shape with rustpy-xlsxwriter, no processing; the ratio export/floor is measured in one run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
STAMP = "202611260900"
COURIER = "zto"
MAX_FLOOR_RATIO = 2.0
MAX_SCALE_RATIO = 11.0
MAX_RSS = 2 * 1024**3
SENDER = """\
[sender]
name = "基准测试"
phone = "13800000000"
province = "浙江省"
city = "杭州市"
district = "余杭区"
address = "文一西路969号"
"""


def _child(argv: Sequence[str]) -> dict[str, Any]:
    step, *args = argv
    if step == "export":
        from batch_ship.export import run_export
        from batch_ship.workspace import open_workspace

        home, orders, items = args
        workspace = open_workspace(Path(home))
        started = time.perf_counter()
        result = run_export(workspace, [Path(orders)], items=[Path(items)], courier=COURIER)
        return {
            "seconds": time.perf_counter() - started,
            "steps": result.seconds,
            "summary": result.summary(),
        }
    if step == "floor":
        import pandas as pd
        import rustpy_xlsxwriter

        orders, items, rows, columns, out = args
        started = time.perf_counter()
        order_frame = pd.read_csv(orders, engine="pyarrow", dtype=str, encoding="gb18030")
        item_frame = pd.read_csv(items, engine="pyarrow", dtype=str, encoding="gb18030")
        sheet = order_frame.iloc[: int(rows), : int(columns)].fillna("")
        sheet.columns = [f"c{index}" for index in range(sheet.shape[1])]
        rustpy_xlsxwriter.write_worksheet(sheet, out)
        return {"seconds": time.perf_counter() - started, "items": len(item_frame)}
    raise SystemExit(f"unknown step {step!r}")


def _measure(step: str, *args: str) -> dict[str, Any]:
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.bench_export", "--child", step, *args],
            cwd=ROOT,
            stdout=output,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        _, status, usage = os.wait4(process.pid, 0)
        code = os.waitstatus_to_exitcode(status)
        output.seek(0)
        text = output.read()
    if code != 0:
        raise RuntimeError(f"{step} failed (exit {code}): {text[-2000:]}")
    result: dict[str, Any] = json.loads(text.strip().splitlines()[-1])
    result["peak_rss"] = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    # CPU seconds of the whole child (imports included): steadier than wall time when other
    # work shares the machine.
    result["cpu"] = usage.ru_utime + usage.ru_stime
    return result


def _inputs(size: int) -> tuple[Path, Path]:
    """The sample pair for `size` orders, generated once (cached under bench/out/)."""
    folder = OUT / "inputs" / str(size)
    orders = folder / f"ExportOrderList{STAMP}.csv"
    items = folder / f"ExportOrderDetailList{STAMP}.csv"
    done = folder / ".complete"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        code = (
            "import sys; from batch_ship.sample_orders import write_sample_export as w; "
            f"w(sys.argv[1], orders={size}, seed=1, stamp='{STAMP}')"
        )
        subprocess.run([sys.executable, "-c", code, str(folder)], check=True, cwd=ROOT)
        done.touch()
    return orders, items


def run_size(size: int, *, floor: bool) -> dict[str, Any]:
    orders, items = _inputs(size)
    home = OUT / "runs" / f"export-{size}"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    (home / "batch_ship.toml").write_text(SENDER, encoding="utf-8")
    export = _measure("export", str(home), str(orders), str(items))
    summary = export["summary"]
    result: dict[str, Any] = {
        "orders": size,
        "export_seconds": round(export["seconds"], 3),
        "export_cpu": round(export["cpu"], 2),
        "steps": export["steps"],
        "peak_rss_mib": round(export["peak_rss"] / 2**20),
        "parcels": summary["parcels"],
        "files": len(summary["files"]),
    }
    if floor:
        out = OUT / "runs" / f"floor-{size}.xlsx"
        measured = _measure(
            "floor", str(orders), str(items), str(summary["parcels"]), "17", str(out)
        )
        result["floor_seconds"] = round(measured["seconds"], 3)
        result["floor_cpu"] = round(measured["cpu"], 2)
        result["ratio"] = round(export["seconds"] / measured["seconds"], 2)
        result["cpu_ratio"] = round(export["cpu"] / measured["cpu"], 2)
    shutil.rmtree(home, ignore_errors=True)
    return result


def main(sizes: Sequence[int] = (100_000, 1_000_000)) -> dict[str, Any]:
    """Measure, print and return {size: numbers, "scale": 1M/100k, "pass": {...}}."""
    results: dict[str, Any] = {}
    for size in sizes:
        numbers = run_size(size, floor=size == min(sizes))
        results[str(size)] = numbers
        line = (
            f"{size:>9,} orders: export {numbers['export_seconds']:7.2f} s "
            f"(steps {numbers['steps']}), peak {numbers['peak_rss_mib']} MiB"
        )
        line += f", cpu {numbers['export_cpu']:.2f} s"
        if "ratio" in numbers:
            line += (
                f", floor {numbers['floor_seconds']:.2f} s (cpu {numbers['floor_cpu']:.2f} s),"
                f" ratio {numbers['ratio']:.2f}x wall, {numbers['cpu_ratio']:.2f}x cpu"
            )
        print(line, flush=True)
    checks: dict[str, bool] = {}
    small = results.get(str(min(sizes)), {})
    if "ratio" in small:
        checks["floor_ratio<=2.0"] = small["ratio"] <= MAX_FLOOR_RATIO
    if "100000" in results and "1000000" in results:
        scale = results["1000000"]["export_seconds"] / results["100000"]["export_seconds"]
        results["scale"] = round(scale, 2)
        checks["scale<=11"] = scale <= MAX_SCALE_RATIO
        checks["rss<=2GiB"] = results["1000000"]["peak_rss_mib"] * 2**20 <= MAX_RSS
        print(f"1M/100k time: {scale:.2f}x", flush=True)
    results["pass"] = checks
    print(json.dumps(checks), flush=True)
    return results


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(_child(sys.argv[2:]), default=str))
    else:
        parser = argparse.ArgumentParser(description=__doc__)
        parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
        main(parser.parse_args().sizes)
