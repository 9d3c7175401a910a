"""Free-text address accuracy: exact / missing-level / unresolved / confidently-wrong rates.

The set is the hand-written table `tests/data/free_text_addresses.csv` (a class per row) plus
addresses generated from the public division list (`../shared/oracle`, test data only) with
realistic street parts and noise, one generated class per kind of writing. Run:

    .venv/bin/python -m bench.address_eval [--per-class N] [--show-misses]
"""

from __future__ import annotations

import argparse
import csv
import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from batch_ship.normalize.addresses import normalize_address

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "tests" / "data" / "free_text_addresses.csv"
ORACLE = next(
    (p / "shared" / "oracle" for p in ROOT.parents if (p / "shared" / "oracle").is_dir()),
    ROOT.parent / "shared" / "oracle",
)
MUNICIPALITIES = {"11", "12", "31", "50"}
DIRECT = ("省直辖县级行政区划", "自治区直辖县级行政区划")
_STREETS = ("人民路", "解放大道", "建设北路", "新华街", "文化路", "工业大道", "滨河东路", "光明巷")
_TAILS = ("小区", "花园", "家园", "公寓", "大厦", "新村", "苑")
_SEPARATORS = ("-", "_", "/", "，", " - ", "、", "|")
_PREFIXES = ("我家的地址是", "收货地址：", "地址:", "寄到 ", "收件地址 ", "麻烦送到", "详细地址：")
_COUNTY_SUFFIXES = ("自治县", "自治旗", "新区", "县", "区", "市", "旗")

Case = tuple[str, str, tuple[str, str, str], str]  # class, text, expected levels, problem


def hand_written() -> Iterator[Case]:
    with TABLE.open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    for row in csv.DictReader(lines):
        expected = (row["province"], row["city"], row["district"])
        yield row["class"], row["text"], expected, row["problem"]


def _rows(name: str) -> list[dict[str, str]]:
    with (ORACLE / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _short(name: str) -> str:
    for suffix in ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "省", "市"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _county_short(name: str) -> str:
    for suffix in _COUNTY_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return ""


def _units() -> list[tuple[str, str, str]]:
    """(province, city, county) of every civil county-level unit of the list, the Taobao way."""
    provinces = {row["code"]: row["name"] for row in _rows("provinces.csv")}
    cities = {row["code"]: row["name"] for row in _rows("cities.csv")}
    found = []
    for area in _rows("areas.csv"):
        if area["code"][4] == "7":
            continue  # development zones are not divisions
        province, city = provinces[area["provinceCode"]], cities[area["cityCode"]]
        if area["provinceCode"] in MUNICIPALITIES:
            city = province
        elif city in DIRECT or city == area["name"]:
            continue  # units without a county level: not the subject of these classes
        found.append((province, city, area["name"]))
    return found


def _street(rnd: random.Random) -> str:
    return (
        f"{rnd.choice(_STREETS)}{rnd.randint(1, 300)}号{rnd.choice(_TAILS)}{rnd.randint(1, 30)}栋"
    )


def generated(per_class: int, seed: int = 17) -> Iterator[Case]:
    rnd = random.Random(seed)
    units = _units()
    under_city = Counter((city, _county_short(county)) for _, city, county in units)
    anywhere = Counter(_county_short(county) for _, _, county in units)
    region_words = {_short(row["name"]) for row in _rows("provinces.csv") + _rows("cities.csv")}
    for _ in range(per_class):
        province, city, county = rnd.choice(units)
        sep = rnd.choice(_SEPARATORS)
        text = sep.join((province, city, county, _street(rnd)))
        yield "gen_separators", text, (province, city, county), ""
    for _ in range(per_class):
        province, city, county = rnd.choice(units)
        short = _county_short(county)
        if not short or short in region_words or province[:2] in ("北京", "上海", "天津", "重庆"):
            continue
        level = county if under_city[(city, short)] == 1 else ""
        text = f"{_short(city)}{short}{_street(rnd)}"
        yield "gen_suffixless_county", text, (province, city, level), ""
    for _ in range(per_class):
        province, city, county = rnd.choice(units)
        text = f"{rnd.choice(_PREFIXES)}{province}{city}{county}{_street(rnd)}"
        yield "gen_words_before", text, (province, city, county), ""
    for _ in range(per_class):
        province, city, county = rnd.choice(units)
        noise = rnd.choice(("null", "中国", "中国 ", "NULL "))
        text = f"{noise}{_short(province)}{_short(city)}{county}{_street(rnd)}"
        if province[:2] in ("北京", "上海", "天津", "重庆"):
            text = f"{noise}{province}市辖区{county}{_street(rnd)}"
        yield "gen_noise", text, (province, city, county), ""
    for _ in range(per_class):
        # A region name inside the street part after a city: the district stays empty.
        province, city, _ = rnd.choice(units)
        _, other, _ = rnd.choice(units)
        trap = f"{_short(other)}{rnd.choice(('路', '大道', '家园', '新村', '花园', '广场'))}"
        if _short(other) == other or other == city:
            continue
        text = f"{province}{city}{trap}{rnd.randint(1, 99)}号"
        yield "gen_region_in_street", text, (province, city, ""), ""
    for _ in range(per_class):
        province, city, county = rnd.choice(units)
        short = _county_short(county)
        if not short or short in region_words or anywhere[short] != 1:
            continue
        yield "gen_county_first", f"{short}{_street(rnd)}", (province, city, county), ""


def classify(expected: tuple[str, str, str], got: tuple[str, str, str]) -> str:
    if any(g and g != e for g, e in zip(got, expected, strict=True)):
        return "wrong"
    if got == expected:
        return "exact"
    if not got[1] and expected[1]:
        return "unresolved"
    return "missing"


def main(per_class: int = 80, show_misses: bool = False) -> dict[str, float]:
    cases = list(hand_written())
    if ORACLE.is_dir():
        cases += list(generated(per_class))
    by_class: dict[str, Counter[str]] = {}
    misses: list[str] = []
    for kind, text, expected, problem in cases:
        address = normalize_address(text)
        got = (address.province, address.city, address.district)
        verdict = classify(expected, got)
        if verdict == "exact" and problem and address.problem != problem:
            verdict = "missing"  # right levels, wrong problem code
        by_class.setdefault(kind, Counter())[verdict] += 1
        if verdict != "exact":
            misses.append(f"{verdict:10s} {kind:22s} {text} -> {got} want {expected}")
    total: Counter[str] = Counter()
    print(f"{'class':24s} {'n':>4s} {'exact':>7s} {'missing':>8s} {'unres':>7s} {'wrong':>7s}")
    for kind, counts in [*by_class.items(), ("ALL", total)]:
        if kind != "ALL":
            total.update(counts)
        n = sum(counts.values())
        rates = " ".join(
            f"{counts[v] / n:7.1%}" for v in ("exact", "missing", "unresolved", "wrong")
        )
        print(f"{kind:24s} {n:4d} {rates}")
    if show_misses:
        print("\n".join(misses))
    n = sum(total.values())
    return {v: total[v] / n for v in ("exact", "missing", "unresolved", "wrong")}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=80, help="generated cases per class")
    parser.add_argument("--show-misses", action="store_true", help="print every miss")
    arguments = parser.parse_args()
    main(arguments.per_class, arguments.show_misses)
