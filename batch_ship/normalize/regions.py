"""China's divisions (province, prefecture, county) with short names and aliases, loaded once."""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import ahocorasick_rs

from batch_ship.normalize.ethnic import strip_ethnic

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


# How a key names its unit: the full name (official, alias, or an old name from
# division_changes.csv), the short name of a province or prefecture (浙江, 杭州), or a county
# without its suffix (义乌, 柯桥). Short forms count only where the text's structure says so.
FULL, SHORT, COUNTY_SHORT = 0, 1, 2
# County suffixes dropped to make a county's short name, longest first; ethnic words go too
# (长阳土家族自治县 -> 长阳). What remains must have two characters at least.
_COUNTY_SUFFIXES = ("自治县", "自治旗", "新区", "特区", "县", "区", "市", "旗")
# What a key right after a complete chain means (see free_text.quick): nothing (a county or a
# street word), a short province or prefecture name that counts only with its next level
# after it, or something only the general reading may judge (a full province or city name).
TAIL_NOTHING, TAIL_SHORT, TAIL_GENERAL = 0, 1, 2
# Prefectures inside a prefecture: 伊犁哈萨克自治州 holds 塔城地区 and 阿勒泰地区, so
# 伊犁哈萨克自治州塔城地区额敏县 is 塔城地区/额敏县 (parent name -> the names it holds).
EXTRA_LEVELS = {"伊犁哈萨克自治州": ("塔城地区", "阿勒泰地区")}


@dataclass(frozen=True, slots=True)
class Candidate:
    """A unit a text key may stand for, and how the key names it (FULL, SHORT, COUNTY_SHORT)."""

    code: str
    level: int
    form: int

    @property
    def short(self) -> bool:
        return self.form != FULL


@dataclass(frozen=True, slots=True)
class Change:
    """A division that changed: `old_name` under `old_parent` is now the unit `new_code`."""

    old_name: str
    old_parent: str
    new_code: str
    date: str
    source: str


@dataclass(frozen=True)
class RegionTable:
    units: dict[str, Region]
    provinces: dict[str, str]  # full name, short name or alias -> province code
    cities: dict[str, dict[str, str]]  # province code -> city key -> city code
    counties: dict[str, dict[str, str]]  # city code -> county key -> county code
    index: dict[str, tuple[Candidate, ...]]  # any key -> the units it may mean (free text)
    lengths: dict[str, tuple[int, ...]]  # first two characters -> key lengths, longest first
    extra: dict[str, frozenset[str]]  # prefecture code -> prefecture codes inside it
    shared: frozenset[str]  # short names of a province or prefecture that a county's also is
    values: tuple[tuple[Candidate, ...], ...]  # the candidates of each key, in index order
    leftmost: Any  # every key, leftmost-longest matches only (the everyday fast path)
    # Per key: what a match of it right after a full chain means for the fast path (TAIL_*).
    tails: tuple[int, ...] = ()
    # Per key: the unit it names first in a text (None when that needs the general reading:
    # several units, or a county), and its units by parent code (unique per parent).
    firsts: tuple[Candidate | None, ...] = ()
    under: tuple[dict[str, Candidate], ...] = ()
    # Taobao `省 市 区` token triples already looked up -> their official names.
    names: dict[tuple[str, str, str], tuple[str, str, str]] = field(default_factory=dict)
    # Every proper prefix of every key (a key may continue past a text's end there).
    key_prefixes: frozenset[str] = frozenset()
    # The first two characters of every key that names a province or prefecture.
    regional_starts: frozenset[str] = frozenset()
    # Free-text chains read by the fast path, by their text (free_text.find remembers them), and
    # their lengths by first four characters.
    chains: dict[str, Any] = field(default_factory=dict)
    chain_lengths: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @functools.cached_property
    def matcher(self) -> Any:
        """Every key, overlapping matches: (key number, start, end). Built when the general
        reading first needs it (a day's addresses may never: 8 ms saved on every run)."""
        return _matcher(list(self.index), ahocorasick_rs.MatchKind.Standard)

    def matches(self, text: str) -> list[tuple[int, int, tuple[Candidate, ...]]]:
        """(start, end, candidates) of every key in `text`, overlapping ones too."""
        values = self.values
        found = self.matcher.find_matches_as_indexes(text, overlapping=True)
        return [(start, end, values[index]) for index, start, end in found]

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


def county_short(name: str) -> str:
    """A county's name without its level suffix and ethnic words ('' when under 2 characters)."""
    for suffix in _COUNTY_SUFFIXES:
        if name.endswith(suffix):
            base = strip_ethnic(name[: -len(suffix)])
            return base if len(base) >= 2 else ""
    return ""


def read_changes(units: dict[str, Region]) -> list[Change]:
    """data/division_changes.csv, each row checked against the table (a stale code fails)."""
    lines = [line for line in _read_text("division_changes.csv").splitlines()
             if not line.startswith("#")]  # fmt: skip
    changes: list[Change] = []
    for number, row in enumerate(csv.DictReader(io.StringIO("\n".join(lines))), start=2):
        code, name, date = row["new_code"], row["new_name"], row["date"]
        if code not in units or units[code].name != name:
            raise ValueError(f"division_changes.csv row {number}: {code} is not {name}")
        if not (len(date) in (4, 7) and date[:4].isdigit() and row["source"].strip()):
            raise ValueError(f"division_changes.csv row {number}: needs a date and a source")
        changes.append(Change(row["old_name"], row["old_parent"], code, date, row["source"]))
    return changes


def _matcher(keys: list[str], kind: Any) -> Any:
    # The contiguous NFA: on distinct addresses (cold caches) about twice as fast as the DFA,
    # which is several times larger; a couple of microseconds an address for ~6,300 keys.
    compact = ahocorasick_rs.Implementation.ContiguousNFA
    return ahocorasick_rs.AhoCorasick(keys, matchkind=kind, implementation=compact)


class _Keys:
    """Every key of the table being built: the exact lookups of the Taobao form and the free
    text index (key -> the units it may mean, each once)."""

    def __init__(self) -> None:
        self.provinces: dict[str, str] = {}
        self.cities: dict[str, dict[str, str]] = {}
        self.counties: dict[str, dict[str, str]] = {}
        self.index: dict[str, list[Candidate]] = {}
        self.shared: set[str] = set()

    def add(self, key: str, unit: Region, form: int) -> None:
        if len(key) < 2:
            return  # one character names nothing safely; the scanner indexes by two
        if unit.level == PROVINCE:
            self.provinces.setdefault(key, unit.code)
        elif unit.level == CITY:
            self.cities.setdefault(unit.parent, {}).setdefault(key, unit.code)
        else:
            self.counties.setdefault(unit.parent, {}).setdefault(key, unit.code)
        found = self.index.setdefault(key, [])
        if all(candidate.code != unit.code for candidate in found):
            found.append(Candidate(unit.code, unit.level, form))


def _keys(units: dict[str, Region]) -> _Keys:
    keys = _Keys()
    for unit in units.values():
        keys.add(unit.name, unit, FULL)
        if unit.level < COUNTY:
            keys.add(unit.short, unit, SHORT)
        if unit.kind == "自治州" and unit.short and not unit.short.endswith("州"):
            keys.add(unit.short + "州", unit, FULL)  # 恩施州, 延边州
    for alias, code in _read_aliases(units):
        keys.add(alias, units[code], FULL)
    _add_changes(units, keys.add)
    named = set(keys.index)
    for unit in units.values():
        if unit.level == COUNTY and (short := county_short(unit.name)):
            if short not in named:
                keys.add(short, unit, COUNTY_SHORT)  # never shadows a full name or a prefecture's
            else:
                keys.shared.add(short)
    for unit in units.values():
        if unit.level == PROVINCE and unit.kind == MUNICIPALITY:
            city = keys.cities[unit.code]
            for word in MUNICIPALITY_CITY_WORDS:
                city.setdefault(word, unit.code + "01")
    return keys


@functools.cache
def load_regions() -> RegionTable:
    """The table shipped in batch_ship/normalize/data (built by scripts/refresh_regions.py)."""
    units = _read_units()
    keys = _keys(units)
    index = keys.index
    extra = {
        code: frozenset(c for c, u in units.items() if u.name in EXTRA_LEVELS[unit.name])
        for code, unit in units.items()
        if unit.level == CITY and unit.name in EXTRA_LEVELS
    }
    lengths: dict[str, set[int]] = {}
    for key in index:
        lengths.setdefault(key[:2], set()).add(len(key))  # every key has two characters or more
    frozen = {key: tuple(found) for key, found in index.items()}
    return RegionTable(
        units=units,
        provinces=keys.provinces,
        cities=keys.cities,
        counties=keys.counties,
        index=frozen,
        lengths={first: tuple(sorted(found, reverse=True)) for first, found in lengths.items()},
        extra=extra,
        shared=frozenset(keys.shared),
        values=tuple(frozen.values()),
        tails=tuple(_tail(key, frozen) for key in frozen),
        key_prefixes=frozenset(key[:stop] for key in frozen for stop in range(1, len(key))),
        regional_starts=frozenset(
            key[:2] for key, found in frozen.items() if any(c.level < COUNTY for c in found)
        ),
        firsts=tuple(_first(found) for found in frozen.values()),
        under=tuple(_under(found, units) for found in frozen.values()),
        leftmost=_matcher(list(frozen), ahocorasick_rs.MatchKind.LeftmostLongest),
    )


def _first(found: tuple[Candidate, ...]) -> Candidate | None:
    """The unit a key names at the start of a text, when that needs no structure rule."""
    provinces = [candidate for candidate in found if candidate.level == PROVINCE]
    if len(provinces) == 1:
        # The general reading takes the one province a key names before any other unit
        # (北京市 the municipality and its city; 吉林, 海南 a prefecture's short name too).
        return provinces[0]
    first = found[0]
    if len(found) != 1 or first.level == COUNTY:
        return None
    if first.level == CITY and first.form != FULL:
        return None  # a short prefecture first: the structure rules decide
    return first


def _under(found: tuple[Candidate, ...], units: dict[str, Region]) -> dict[str, Candidate]:
    parents: dict[str, list[Candidate]] = {}
    for candidate in found:
        parents.setdefault(units[candidate.code].parent, []).append(candidate)
    return {parent: within[0] for parent, within in parents.items() if len(within) == 1}


def _tail(key: str, index: dict[str, tuple[Candidate, ...]]) -> int:
    """TAIL_* of `key`, from every key it starts with (itself included) that names a province
    or prefecture: the general reading sees those too."""
    regional = [
        (stop, candidate.form)
        for stop in range(2, len(key) + 1)
        for candidate in index.get(key[:stop], ())
        if candidate.level < COUNTY
    ]
    if not regional:
        return TAIL_NOTHING
    if all(stop == len(key) and form == SHORT for stop, form in regional):
        return TAIL_SHORT
    return TAIL_GENERAL


def _add_changes(units: dict[str, Region], add: Any) -> None:
    """Old names as keys of the units they became: alone when no current unit has the name
    (江干区), and always after their old parent (柳州地区忻城县, 巢湖市庐江县)."""
    current = {unit.name for unit in units.values()}
    for change in read_changes(units):
        unit = units[change.new_code]
        if change.old_name not in current:
            add(change.old_name, unit, FULL)
            if unit.level < COUNTY:
                add(_prefecture_short(change.old_name), unit, SHORT)
        add(change.old_parent + change.old_name, unit, FULL)


def _prefecture_short(name: str) -> str:
    for suffix in ("地区", "市"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return ""
