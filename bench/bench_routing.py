"""A rules-routed export (three couriers by [[route]]) against the export floor, at 100k."""

from __future__ import annotations

import argparse
import json
import shutil
from typing import Any

from bench.__main__ import OUT, SENDER, faster, inputs, measure
from bench.floors import workbook_shapes

SIZE = 100_000
REPEATS = 3  # routed export and floor, alternating; the fastest of each is kept
BAR = 2.0  # issue 16: within 2.0x of the export floor
RULES = """
[[route]]
provinces = ["新疆维吾尔自治区", "西藏自治区", "青海省", "甘肃省", "广东省"]
courier = "ems"

[[route]]
min_amount = 200
courier = "sf"

[[route]]
courier = "zto"
"""


def run(size: int = SIZE, repeats: int = REPEATS) -> dict[str, Any]:
    orders, items = inputs(size)
    routed: dict[str, Any] | None = None
    plain: dict[str, Any] | None = None  # the same export with --courier zto: routing's cost
    floor: dict[str, Any] | None = None
    for _round in range(repeats):
        home = OUT / "runs" / f"routed-{size}"
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        (home / "batch_ship.toml").write_text(SENDER + RULES, encoding="utf-8")
        measured = measure("routed-export", str(home), str(orders), str(items))
        routed = faster(routed, measured)
        summary = measured["summary"]
        couriers = {code: entry["orders"] for code, entry in summary["couriers"].items()}
        print(f"  routed export {measured['seconds']:7.2f} s  {couriers}", flush=True)
        (home / "batches").rename(home / "routed-batches")
        for name in ("ledger.sqlite3", "ledger.sqlite3-wal", "ledger.sqlite3-shm"):
            (home / name).unlink(missing_ok=True)
        measured_plain = measure("export", str(home), str(orders), str(items))
        plain = faster(plain, measured_plain)
        print(f"  plain export  {measured_plain['seconds']:7.2f} s  (--courier zto)", flush=True)
        shapes = [
            shape
            for batch in summary["batches"]
            for shape in workbook_shapes(home / "routed-batches" / batch)
        ]
        out = OUT / "runs" / f"routed-floor-{size}"
        shutil.rmtree(out, ignore_errors=True)
        measured = measure("export-floor", str(orders), str(items), json.dumps(shapes), str(out))
        floor = faster(floor, measured)
        print(
            f"  floor         {measured['seconds']:7.2f} s  ({len(shapes)} workbooks)", flush=True
        )
    assert routed is not None
    assert plain is not None
    assert floor is not None
    ratio = routed["seconds"] / floor["seconds"]
    plain_ratio = plain["seconds"] / floor["seconds"]
    print(f"  plain export / floor: {plain_ratio:.2f}x", flush=True)
    verdict = "pass" if ratio <= BAR else "FAIL"
    print(f"  routed export / floor: {ratio:.2f}x (bar {BAR}x: {verdict})", flush=True)
    return {
        "size": size,
        "routed_seconds": round(routed["seconds"], 3),
        "floor_seconds": round(floor["seconds"], 3),
        "ratio": round(ratio, 3),
        "plain_seconds": round(plain["seconds"], 3),
        "plain_ratio": round(plain_ratio, 3),
        "plain_runs": plain["runs"],
        "runs": routed["runs"],
        "floor_runs": floor["runs"],
        "couriers": routed["summary"]["couriers"],
        "peak_rss_mib": round(routed["peak_rss"] / 2**20),
        "bar": BAR,
        "pass": ratio <= BAR,
    }


def main() -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_routing", description=__doc__)
    parser.add_argument("--orders", type=int, default=SIZE)
    parser.add_argument("--repeats", type=int, default=REPEATS)
    args, _rest = parser.parse_known_args()
    return run(args.orders, args.repeats)


if __name__ == "__main__":
    print(json.dumps(main(), indent=2, default=str))
