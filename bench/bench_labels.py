"""Label PDFs for 10k and 100k parcels against a floor drawing the same text and barcodes.

`python -m bench.bench_labels [--sizes 10000,100000] [--repeats 2] [--layout 76x130]`.
Each run is its own process (peak RSS from os.wait4); the runs alternate and the fastest of
each is kept, as in `python -m bench`, and the least CPU time of each (the timed part's
process_time), which a busy machine disturbs less than wall time."""

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
OUT = ROOT / "bench" / "out" / "labels"
PER_FILE = 1000
MAX_FLOOR_RATIO = 1.5  # the bar at 100k
MAX_SCALE_RATIO = 11.0  # 100k time / 10k time: linear or better (fixed costs weigh at 10k)
MAX_RSS = 1024**3


def child(step: str, size: int, layout_name: str, out: Path) -> dict[str, Any]:
    """One measured run in this process: `labels` (write_label_pdfs) or `floor`. The rows
    come from the same generator in both, one at a time, inside the timed part."""
    from batch_ship.labels.fonts import load_font
    from batch_ship.labels.layout import builtin_dir, load_layout
    from batch_ship.labels.pdf import write_label_pdfs
    from batch_ship.samples.labels import sample_label_rows

    layout = load_layout(builtin_dir() / f"{layout_name}.toml")
    font = load_font()
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    rows = sample_label_rows(size)
    started, cpu = time.perf_counter(), time.process_time()
    if step == "labels":
        written = write_label_pdfs(rows, layout, out, "labels", per_file=PER_FILE, font=font)
        files, cut = len(written.paths), len(written.cut)
    else:
        files, cut = floor(rows, layout, out, font), 0
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    size_bytes = sum(path.stat().st_size for path in out.glob("*.pdf"))
    shutil.rmtree(out, ignore_errors=True)
    return {"seconds": seconds, "cpu": cpu, "files": files, "cut": cut, "bytes": size_bytes}


def floor(rows: Any, layout: Any, out: Path, font: Any) -> int:
    """The same pages with the same library and font: each field's text drawn once at its
    box's top-left at the layout's size (no fitting, wrapping or alignment), the same rules
    and tear line, the same Code128s at the layout's module, files of PER_FILE labels."""
    from reportlab.graphics.barcode.code128 import Code128
    from reportlab.lib.units import mm

    from batch_ship.labels.pdf import new_canvas

    height = layout.height * mm
    page = (layout.width * mm, height)
    texts = [
        (f.field, f.prefix, f.text, f.box.x * mm, height - f.box.y * mm - f.size, f.size)
        for f in layout.fields
        if not f.barcode
    ]
    bars = [
        (f.field, f.module * mm, f.box.h * mm, f.box.x * mm, height - (f.box.y + f.box.h) * mm)
        for f in layout.fields
        if f.barcode
    ]
    lines = [(a * mm, height - b * mm, c * mm, height - d * mm) for a, b, c, d in layout.lines]
    canvas = None
    files = 0
    for count, row in enumerate(rows):
        if count % PER_FILE == 0:
            if canvas is not None:
                canvas.save()
            files += 1
            canvas = new_canvas(out / f"floor-{files}.pdf", page, layout.name, font)
        assert canvas is not None
        for x1, y1, x2, y2 in lines:
            canvas.line(x1, y1, x2, y2)
        if layout.tear:
            canvas.setDash(3, 2)
            canvas.line(0, height - layout.tear * mm, page[0], height - layout.tear * mm)
            canvas.setDash()
        for name, module, bar_height, x, y in bars:
            value = getattr(row, name)
            Code128(value, barWidth=module, barHeight=bar_height, quiet=0, humanReadable=0).drawOn(
                canvas, x, y
            )
        for name, prefix, text, x, y, size in texts:
            canvas.setFont(font.name, size)
            canvas.drawString(x, y, text or f"{prefix}{getattr(row, name)}")
        canvas.showPage()
    if canvas is not None:
        canvas.save()
    return files


def measure(step: str, size: int, layout_name: str) -> dict[str, Any]:
    """Run one step in a child process; add its wall time and its own peak RSS."""
    out = OUT / f"{step}-{size}"
    argv = [sys.executable, "-m", "bench.bench_labels", "--child", step, str(size), layout_name]
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as output:
        process = subprocess.Popen(
            [*argv, str(out)], cwd=ROOT, stdout=output, env={**os.environ, "PYTHONPATH": str(ROOT)}
        )
        _, status, usage = os.wait4(process.pid, 0)
        output.seek(0)
        text = output.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{step} {size} failed: {text[-2000:]}")
    result: dict[str, Any] = json.loads(text.strip().splitlines()[-1])
    result["peak_rss"] = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    return result


def run(sizes: Sequence[int], repeats: int, layout_name: str) -> dict[str, Any]:
    results: dict[str, Any] = {"layout": layout_name, "per_file": PER_FILE, "sizes": {}}
    for size in sizes:
        best: dict[str, dict[str, Any]] = {}
        for _ in range(repeats):
            for step in ("labels", "floor"):
                measured = measure(step, size, layout_name)
                print(
                    f"  {size:>7,} {step:6} {measured['seconds']:7.2f} s  "
                    f"cpu {measured['cpu']:7.2f} s  peak {measured['peak_rss'] / 2**20:6.0f} MiB",
                    flush=True,
                )
                best[step] = faster(best.get(step), measured)
        ratio = best["labels"]["seconds"] / best["floor"]["seconds"]
        cpu_ratio = best["labels"]["cpu"] / best["floor"]["cpu"]
        results["sizes"][size] = {
            **best,
            "ratio": round(ratio, 3),
            "cpu_ratio": round(cpu_ratio, 3),
        }
    results["checks"] = checks(results["sizes"])
    return results


def faster(kept: dict[str, Any] | None, measured: dict[str, Any]) -> dict[str, Any]:
    """The fastest run's numbers, with the least CPU and the largest peak RSS of any run
    (each kept on its own: on a shared machine the neighbours decide which run is slow)."""
    if kept is None:
        return dict(measured)
    out = dict(measured if measured["seconds"] < kept["seconds"] else kept)
    out["cpu"] = min(kept["cpu"], measured["cpu"])
    out["peak_rss"] = max(kept["peak_rss"], measured["peak_rss"])
    return out


def checks(sizes: dict[int, dict[str, Any]]) -> list[tuple[str, str, bool]]:
    out: list[tuple[str, str, bool]] = []
    large, small = sizes.get(100_000), sizes.get(10_000)
    if large:
        ratio = large["ratio"]
        out.append((f"100k labels <= {MAX_FLOOR_RATIO}x floor", f"{ratio:.2f}x", ratio <= 1.5))
        cpu = large["cpu_ratio"]
        out.append((f"100k labels CPU <= {MAX_FLOOR_RATIO}x floor CPU", f"{cpu:.2f}x", cpu <= 1.5))
        rss = large["labels"]["peak_rss"]
        out.append(("100k labels peak RSS < 1 GiB", f"{rss / 2**20:.0f} MiB", rss < MAX_RSS))
    if large and small:
        scale = large["labels"]["seconds"] / small["labels"]["seconds"]
        bar = f"100k/10k labels time <= {MAX_SCALE_RATIO:g}x (linear)"
        out.append((bar, f"{scale:.2f}x", scale <= MAX_SCALE_RATIO))
        cpu_scale = large["labels"]["cpu"] / small["labels"]["cpu"]
        bar = f"100k/10k labels CPU <= {MAX_SCALE_RATIO:g}x (linear)"
        out.append((bar, f"{cpu_scale:.2f}x", cpu_scale <= MAX_SCALE_RATIO))
    return out


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_labels", description=__doc__)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--layout", default="76x130")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv if argv is not None else [])
    if args.child:
        step, size, layout_name, out = args.child
        print(json.dumps(child(step, int(size), layout_name, Path(out))))
        return {}
    sizes = [int(part) for part in args.sizes.split(",") if part.strip()]
    results = run(sizes, args.repeats, args.layout)
    for bar, value, ok in results["checks"]:
        print(f"  {bar}: {value} {'pass' if ok else 'FAIL'}")
    return results


if __name__ == "__main__":
    summary = main(sys.argv[1:])
    if summary:  # a child printed its own line
        print(json.dumps(summary, indent=2, default=str))
