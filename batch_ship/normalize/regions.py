"""China's divisions (province, prefecture, county) with short names and aliases, loaded once."""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from importlib import resources

PROVINCE, CITY, COUNTY = 0, 1, 2
_LEVELS = {"province": PROVINCE, "city": CITY, "county": COUNTY}
MUNICIPALITY = "直辖市"

# Tokens that stand for "the municipality itself" in the city slot (北京市 市辖区 朝阳区, and
# Chongqing's counties filed under 县 in the statistical list).
MUNICIPALITY_CITY_WORDS = ("市辖区", "县", "郊县", "城区")
# City-slot placeholders for units directly under a province (湖北省 省直辖县级行政区划 仙桃市).
DIRECT_UNIT_WORDS = (
    "省直辖县级行政区划",
    "自治区直辖县级行政区划",
    "省直辖县级行政单位",
    "自治区直辖县级行政单位",
    "省直辖行政单位",
)
# District-slot placeholders meaning "no district" (Taobao writes 其它区).
NO_DISTRICT_WORDS = ("其它区", "其他区")


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    parent: str
    level: int  # PROVINCE, CITY or COUNTY
    name: str
    short: str
    kind: str  # the source's type: 省, 直辖市, 地级市, 县级市, 市辖区, 县, ...


@dataclass(frozen=True, slots=True)
class Candidate:
    """A unit a text key may stand for; `short` marks forms that need a guard against roads."""

    code: str
    level: int
    short: bool


@dataclass(frozen=True)
class RegionTable:
    units: dict[str, Region]
    provinces: dict[str, str]  # full name, short name or alias -> province code
    cities: dict[str, dict[str, str]]  # province code -> city key -> city code
    counties: dict[str, dict[str, str]]  # city code -> county key -> county code
    index: dict[str, tuple[Candidate, ...]]  # any key -> the units it may mean (free text)
    lengths: dict[str, tuple[int, ...]]  # first two characters -> key lengths, longest first

    def province_of(self, code: str) -> Region:
        unit = self.units[code]
        while unit.level > PROVINCE:
            unit = self.units[unit.parent]
        return unit

    def is_municipality(self, province_code: str) -> bool:
        return self.units[province_code].kind == MUNICIPALITY

    def municipality_city(self, province_code: str) -> str:
        return province_code + "01"


def _read_text(name: str) -> str:
    return resources.files("batch_ship.normalize.data").joinpath(name).read_text("utf-8")


def _read_units() -> dict[str, Region]:
    lines = [line for line in _read_text("regions.csv").splitlines() if not line.startswith("#")]
    units: dict[str, Region] = {}
    for row in csv.DictReader(io.StringIO("\n".join(lines))):
        unit = Region(
            code=row["code"],
            parent=row["parent"],
            level=_LEVELS[row["level"]],
            name=row["name"],
            short=row["short"],
            kind=row["type"],
        )
        units[unit.code] = unit
    return units


def _read_aliases(units: dict[str, Region]) -> list[tuple[str, str]]:
    aliases: list[tuple[str, str]] = []
    for number, line in enumerate(_read_text("aliases.txt").splitlines(), start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        alias, code, name = (part.strip() for part in text.split(","))
        if code not in units or units[code].name != name:
            raise ValueError(f"aliases.txt line {number}: {code} is not {name} in regions.csv")
        aliases.append((alias, code))
    return aliases


@functools.cache
def load_regions() -> RegionTable:
    """The table shipped in batch_ship/normalize/data (built by scripts/refresh_regions.py)."""
    units = _read_units()
    provinces: dict[str, str] = {}
    cities: dict[str, dict[str, str]] = {}
    counties: dict[str, dict[str, str]] = {}
    index: dict[str, list[Candidate]] = {}

    def add(key: str, unit: Region, short: bool) -> None:
        if len(key) < 2:
            return  # one character names nothing safely; the scanner indexes by two
        if unit.level == PROVINCE:
            provinces.setdefault(key, unit.code)
        elif unit.level == CITY:
            cities.setdefault(unit.parent, {}).setdefault(key, unit.code)
        else:
            counties.setdefault(unit.parent, {}).setdefault(key, unit.code)
        found = index.setdefault(key, [])
        if all(candidate.code != unit.code for candidate in found):
            found.append(Candidate(unit.code, unit.level, short))

    for unit in units.values():
        add(unit.name, unit, short=False)
        if unit.level < COUNTY:
            add(unit.short, unit, short=True)
        if unit.kind == "自治州" and unit.short and not unit.short.endswith("州"):
            add(unit.short + "州", unit, short=False)  # 恩施州, 延边州
    for alias, code in _read_aliases(units):
        add(alias, units[code], short=False)
    for unit in units.values():
        if unit.level == PROVINCE and unit.kind == MUNICIPALITY:
            city = cities[unit.code]
            for word in MUNICIPALITY_CITY_WORDS:
                city.setdefault(word, unit.code + "01")
    lengths: dict[str, set[int]] = {}
    for key in index:
        lengths.setdefault(key[:2], set()).add(len(key))  # every key has two characters or more
    return RegionTable(
        units=units,
        provinces=provinces,
        cities=cities,
        counties=counties,
        index={key: tuple(found) for key, found in index.items()},
        lengths={first: tuple(sorted(found, reverse=True)) for first, found in lengths.items()},
    )
