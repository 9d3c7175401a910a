"""Normalization throughput: phones, Taobao-form and free-text addresses, against a floor."""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from batch_ship.normalize import normalize_address, normalize_phone, normalize_recipients
from batch_ship.normalize.regions import COUNTY, load_regions

_STREETS = ("文三路", "建国路", "解放大道", "人民路", "中山北路", "长江路", "新华街", "滨江大道")
_BUILDINGS = ("小区", "花园", "大厦", "公寓", "苑")


def _counties(rnd: random.Random) -> list[tuple[str, str, str]]:
    table = load_regions()
    found = []
    for unit in table.units.values():
        if unit.level == COUNTY:
            city = table.units[unit.parent]
            found.append((table.units[city.parent].name, city.name, unit.name))
    rnd.shuffle(found)
    return found


def _street(rnd: random.Random, serial: int) -> str:
    return (
        f"{rnd.choice(_STREETS)}{rnd.randint(1, 999)}号{rnd.choice(_BUILDINGS)}"
        f"{serial % 97 + 1}栋{serial}室"
    )


def addresses(size: int, distinct: bool, free: bool, seed: int = 7) -> list[str]:
    """Realistic addresses: all distinct (a street serial each) or drawn from a small pool."""
    rnd = random.Random(seed)
    regions = _counties(rnd)
    pool = size if distinct else max(size // 50, 1)
    made = []
    for serial in range(pool):
        # Big cities get most orders: a quarter of the regions take 80% of them.
        province, city, county = regions[
            rnd.randrange(len(regions) // 4) if rnd.random() < 0.8 else rnd.randrange(len(regions))
        ]
        postcode = rnd.choice(("000000", "310012", "100020", "518000"))
        street = _street(rnd, serial)
        if free:
            short = province.removesuffix("省")
            made.append(f"{short}{city}{county}{street}")
        else:
            if province in ("北京市", "天津市", "上海市", "重庆市"):
                province = province.removesuffix("市")
            made.append(f"{province} {city} {county} {street}({postcode})")
    return made if distinct else [rnd.choice(made) for _ in range(size)]


def phones(size: int, distinct: bool, seed: int = 11) -> list[str]:
    """A Taobao-like mix: 92% apostrophe mobiles, then +86, landlines, virtual, masked, empty."""
    rnd = random.Random(seed)
    pool = size if distinct else max(size // 20, 1)
    prefixes = ("138", "139", "136", "150", "186", "187", "177", "199", "158", "131")
    made = []
    for serial in range(pool):
        mobile = f"{rnd.choice(prefixes)}{serial % 100_000_000:08d}"
        roll = rnd.random()
        if roll < 0.92:
            made.append("'" + mobile)
        elif roll < 0.94:
            made.append("+86 " + mobile)
        elif roll < 0.96:
            made.append(f"0571-8{serial % 10_000_000:07d}")
        elif roll < 0.97:
            made.append(f"184{serial % 100_000_000:08d}-{serial % 10_000:04d}")
        elif roll < 0.98:
            made.append(mobile[:3] + "****" + mobile[-4:])
        else:
            made.append("")
    return made if distinct else [rnd.choice(made) for _ in range(size)]


def _seconds(func: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Best of `repeat` runs, wall and CPU seconds: the machine is shared, the minimum is the
    least disturbed, and CPU time (this process's threads) shows the work when others load
    the cores."""
    best = cpu = float("inf")
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        func()
        best = min(best, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return best, cpu


def _frame(phone: list[str], address: list[str]) -> pd.DataFrame:
    size = len(phone)
    return pd.DataFrame(
        {"name": ["张三"] * size, "mobile": phone, "telephone": [""] * size, "address": address},
        dtype="str",
    )


def _floor(frame: pd.DataFrame) -> pd.DataFrame:
    """No processing: one vectorized pass over every input column (strip), as a baseline."""
    return pd.DataFrame({column: frame[column].str.strip() for column in frame.columns})


def _sample_export(size: int) -> pd.DataFrame | None:
    """The canonical orders of a synthetic Taobao export (batch_ship.samples.orders), if any."""
    try:
        from batch_ship.samples.orders import write_sample_export
        from batch_ship.sources.taobao.reader import read_orders
    except ImportError:
        return None
    with tempfile.TemporaryDirectory() as folder:
        order_path, _ = write_sample_export(Path(folder), size, seed=1)
        return read_orders([order_path]).orders


def _scalar(func: Callable[[str], Any], values: list[str]) -> Callable[[], Any]:
    def run() -> list[Any]:
        _forget()
        return [func(value) for value in values]

    return run


def _forget() -> None:
    """Empty the region table's memos (Taobao triples, free-text chains): every timed run
    starts cold, so a figure never rides on what an earlier run looked up."""
    table = load_regions()
    table.names.clear()
    table.chains.clear()
    table.chain_lengths.clear()


def _bulk(frame: pd.DataFrame) -> Callable[[], Any]:
    def run() -> Any:
        _forget()
        return normalize_recipients(frame)

    return run


def main(size: int = 1_000_000, free_size: int = 100_000, scalar_size: int = 50_000,
         repeat: int = 2) -> dict[str, float]:  # fmt: skip
    """Rows per second for each workload, and its time as a multiple of the floor."""
    normalize_recipients(_frame(phones(100, True), addresses(100, True, free=False)))  # warm up
    results: dict[str, float] = {}
    for distinct in (False, True):
        tag = "distinct" if distinct else "repeats"
        phone = phones(size, distinct)
        frame = _frame(phone, addresses(size, distinct, free=False))
        only_phones = frame.assign(address="")
        only_addresses = frame.assign(mobile="")
        free = _frame(phone[:free_size], addresses(free_size, distinct, free=True))
        free_addresses = free.assign(mobile="")
        work: dict[str, tuple[int, Callable[[], Any]]] = {
            "floor": (size, partial(_floor, frame)),
            "bulk_phones": (size, _bulk(only_phones)),
            "bulk_taobao_addresses": (size, _bulk(only_addresses)),
            "bulk_all_columns": (size, _bulk(frame)),
            "bulk_free_addresses": (free_size, _bulk(free_addresses)),
            "scalar_phone": (scalar_size, _scalar(normalize_phone, phone[:scalar_size])),
            "scalar_taobao_address": (
                scalar_size,
                _scalar(normalize_address, frame["address"][:scalar_size].tolist()),
            ),
            "scalar_free_address": (
                scalar_size,
                _scalar(normalize_address, free["address"][:scalar_size].tolist()),
            ),
        }
        if distinct:
            sample = _sample_export(size)
            if sample is not None:
                work["bulk_sample_export"] = (size, _bulk(sample))
        _run(work, tag, repeat, results)
    return results


def _run(
    work: dict[str, tuple[int, Callable[[], Any]]], tag: str, repeat: int, results: dict[str, float]
) -> None:
    floor_rate = 0.0
    for name, (rows, func) in work.items():
        wall, cpu = _seconds(func, repeat)
        rate, cpu_rate = rows / wall, rows / max(cpu, 1e-9)
        if name == "floor":
            floor_rate = rate
        results[f"{name}_{tag}"] = rate
        results[f"{name}_{tag}_cpu"] = cpu_rate
        results[f"{name}_{tag}_x_floor"] = floor_rate / rate
        label = f"{name}_{tag}"
        print(f"{label:34s} {rows:>9,} rows {rate:>12,.0f} rows/s {floor_rate / rate:7.1f}x floor"
              f" {cpu_rate:>12,.0f} rows/CPU-s", flush=True)  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=1_000_000, help="rows per bulk workload")
    parser.add_argument("--free-size", type=int, default=100_000, help="rows of free text")
    parser.add_argument("--scalar-size", type=int, default=50_000, help="values per scalar run")
    parser.add_argument("--repeat", type=int, default=2, help="runs per workload (best kept)")
    arguments = parser.parse_args()
    main(arguments.size, arguments.free_size, arguments.scalar_size, arguments.repeat)
