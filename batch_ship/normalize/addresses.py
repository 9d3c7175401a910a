"""Chinese addresses -> province, city, district, street detail and postcode, never guessed."""

from __future__ import annotations

import re

from batch_ship.model import Address
from batch_ship.normalize.regions import (
    CITY,
    COUNTY,
    DIRECT_UNIT_WORDS,
    MUNICIPALITY_CITY_WORDS,
    NO_DISTRICT_WORDS,
    PROVINCE,
    Candidate,
    RegionTable,
    load_regions,
)

MISSING = "address-missing"
UNRESOLVED = "address-unresolved"
NO_POSTCODE = "000000"  # Taobao's "(000000)": the buyer gave none

# Full-width ASCII (digits, letters, brackets, punctuation) and the ideographic space -> ASCII.
FULLWIDTH = str.maketrans(
    {chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)} | {"\u3000": " "}
)
SEPARATORS = " ,;、"
# A short name (浙江, 杭州, 中山) followed by one of these is a street (中山路, 北京路, 湖南街),
# not a region; full names (中山市) need no guard.
_STREET_AFTER = frozenset("路街道巷弄号桥村里园大")
# ...also with a direction between: 南京东路, 北京西路, 延安中路 are Shanghai streets.
_DIRECTIONS = frozenset("东西南北中")
# A county alone (no province or city before it) must say more than two characters: 东区,
# 城区, 古县 are as likely the start of a street or estate as a region.
_SHORTEST_LONE_COUNTY = 3
# Placeholders that a free-text address only uses as whole tokens ("北京 市辖区 朝阳区").
_TOKEN_ONLY = frozenset(MUNICIPALITY_CITY_WORDS)
_SKIP_CITY = frozenset(DIRECT_UNIT_WORDS)
_SKIP_DISTRICT = frozenset(NO_DISTRICT_WORDS)
# The country before the province (中国浙江省…), skipped only when a region name follows it:
# 中国银行大厦 stays in the detail.
_COUNTRY = frozenset(("中华人民共和国", "中国大陆", "中国"))
_PLACEHOLDERS = sorted(_TOKEN_ONLY | _SKIP_CITY | _SKIP_DISTRICT | _COUNTRY, key=len, reverse=True)
_PLACEHOLDER_FIRST = frozenset(word[0] for word in _PLACEHOLDERS)


# Anything clean_text would change inside the text; most addresses have none of it.
_UNCLEAN = re.compile(r"[\uff01-\uff5e\u3000]|\s\s|[^\S ]")


def clean_text(raw: str) -> str:
    """Full-width characters to ASCII, every whitespace run (tabs, newlines too) to one space."""
    if _UNCLEAN.search(raw) is None:
        return raw.strip(" ")
    return " ".join(raw.translate(FULLWIDTH).split())


def split_postcode(text: str) -> tuple[str, str]:
    """`(text, postcode)` with the trailing `(310000)` groups removed; `(000000)` means none.

    Every trailing group goes, so the detail never ends with a postcode the next pass would
    take; the last real one wins.
    """
    postcode = ""
    while len(text) >= 8 and text[-1] == ")" and text[-8] == "(":
        code = text[-7:-1]
        if not (code.isascii() and code.isdigit()):
            break
        if not postcode and code != NO_POSTCODE:
            postcode = code
        text = text[:-8].rstrip()
    return text, postcode


class _Scan:
    """Anchored longest-match scan from the start of the text, constrained by the hierarchy."""

    __slots__ = ("city", "county", "pos", "province", "table", "text")

    def __init__(self, table: RegionTable, text: str) -> None:
        self.table = table
        self.text = text
        self.province: str | None = None
        self.city: str | None = None
        self.county: str | None = None
        self.pos = 0

    def run(self) -> None:
        text, size = self.text, len(self.text)
        while self.county is None:
            start = self.pos
            while start < size and text[start] in SEPARATORS:
                start += 1
            if start >= size or not self._step(start):
                return

    def _step(self, start: int) -> bool:
        """Consume one region name at `start`; False when nothing there fits (or it is unclear)."""
        text, table = self.text, self.table
        if text[start] in _PLACEHOLDER_FIRST:
            for word in _PLACEHOLDERS:
                end = start + len(word)
                if text.startswith(word, start) and self._placeholder(word, end):
                    self.pos = end
                    return True
        for length in table.lengths.get(text[start : start + 2], ()):
            end = start + length
            if end > len(text):
                continue
            key = text[start:end]
            candidates = table.index.get(key)
            if candidates is None:
                continue
            following = text[end : end + 2]
            # 中山路, 南京东路: a short name then a street word, unless a region follows (辽宁大连).
            street = (
                bool(following)
                and (
                    following[0] in _STREET_AFTER
                    or (following[0] in _DIRECTIONS and following[1:] in _STREET_AFTER)
                )
                and following not in table.lengths
            )
            fitting = [c for c in candidates if self._fits(c, street, length)]
            if not fitting:
                continue
            if any(self._is_known(c) for c in fitting):
                self.pos = end  # the same unit written twice (东莞市 东莞市, 北京 北京市)
                return True
            top = min(c.level for c in fitting)
            chosen = [c for c in fitting if c.level == top]
            if len(chosen) > 1:
                return False  # ambiguous (朝阳区 alone): say nothing rather than guess
            self._take(chosen[0])
            self.pos = self._shorter(start, end, chosen[0]) if top < COUNTY else end
            return True
        return False

    def _shorter(self, start: int, end: int, unit: Candidate) -> int:
        """Where the unit's name ends, preferring a shorter form of it when only that lets the
        next name start (济南 + 市中区 in 济南市中区, 青岛 + 市南区)."""
        text, lengths, index = self.text, self.table.lengths, self.table.index
        if text[end : end + 2] in lengths or end >= len(text) or text[end] in SEPARATORS:
            return end
        for length in lengths.get(text[start : start + 2], ()):
            stop = start + length
            if (
                stop < end
                and text[stop : stop + 2] in lengths
                and any(c.code == unit.code for c in index.get(text[start:stop], ()))
            ):
                return stop
        return end

    def _placeholder(self, key: str, end: int) -> bool:
        """Whether the placeholder `key` (ending at `end`) is skipped here."""
        following = self.text[end : end + 1]
        if key in _TOKEN_ONLY:
            return (
                (not following or following in SEPARATORS)
                and self.province is not None
                and self.table.is_municipality(self.province)
            )
        if key in _SKIP_CITY:
            return self.province is not None and self.city is None
        if key in _COUNTRY:
            after = self.text[end:].lstrip(SEPARATORS)[:2]
            return self.province is None and self.city is None and after in self.table.lengths
        return self.city is not None  # 其它区

    def _is_known(self, candidate: Candidate) -> bool:
        known = (self.province, self.city, self.county)[candidate.level]
        return known == candidate.code

    def _fits(self, candidate: Candidate, street: bool, length: int) -> bool:
        if candidate.short and street:
            return False
        if self._is_known(candidate):
            return True
        unit = self.table.units[candidate.code]
        if candidate.level == PROVINCE:
            return self.province is None
        if candidate.level == CITY:
            return self.city is None and self.province in (None, unit.parent)
        if self.city is not None:
            return unit.parent == self.city
        if self.province is None:
            return length >= _SHORTEST_LONE_COUNTY
        return self.table.units[unit.parent].parent == self.province

    def _take(self, candidate: Candidate) -> None:
        table = self.table
        unit = table.units[candidate.code]
        if candidate.level == PROVINCE:
            self.province = unit.code
            if table.is_municipality(unit.code):
                self.city = table.municipality_city(unit.code)
        elif candidate.level == CITY:
            self.city = unit.code
            self.province = unit.parent
        else:
            self.county = unit.code
            self.city = unit.parent
            self.province = table.units[unit.parent].parent


def lookup_triple(
    table: RegionTable, province: str, city: str, county: str
) -> tuple[str, str, str] | None:
    """Codes for Taobao's `省 市 区` tokens by exact lookups, or None when any one misses."""
    province_code = table.provinces.get(province)
    if province_code is None:
        return None
    city_code = table.cities.get(province_code, {}).get(city)
    if city_code is None:
        return None
    county_code = table.counties.get(city_code, {}).get(county)
    if county_code is None:
        return None
    return province_code, city_code, county_code


def _fast(table: RegionTable, text: str) -> tuple[str, str, str, str] | None:
    """The Taobao form `省 市 区 详细地址`: (province, city, county) codes and the detail."""
    parts = text.split(" ", 3)
    if len(parts) < 3:
        return None
    found = lookup_triple(table, parts[0], parts[1], parts[2])
    if found is None:
        return None
    return (*found, parts[3].lstrip(SEPARATORS) if len(parts) == 4 else "")


def scan(table: RegionTable, text: str) -> tuple[str, str, str, int]:
    """Free-text scan of cleaned text: (province, city, county) codes ('' when unknown) and
    where the region part ends."""
    found = _Scan(table, text)
    found.run()
    if found.province is None:
        return "", "", "", 0  # nothing found: a skipped 中国 stays in the text
    return found.province, found.city or "", found.county or "", found.pos


def resolve(text: str, table: RegionTable | None = None) -> tuple[str, str, str, str]:
    """Region codes found at the start of cleaned text ('' when unknown) and the rest of it."""
    table = table or load_regions()
    found = _fast(table, text)
    if found is not None:
        return found
    province, city, county, end = scan(table, text)
    return province, city, county, text[end:].lstrip(SEPARATORS)


def normalize_address(raw: str) -> Address:
    """Normalize one address (Taobao's space-separated form or free text).

    Unknown district with a known city is fine; unknown province or city is
    `address-unresolved`; empty is `address-missing`.
    """
    text, postcode = split_postcode(clean_text(raw))
    if not text:
        return Address(postcode=postcode, problem=MISSING)
    table = load_regions()
    province, city, county, detail = resolve(text, table)
    if not province and not detail:
        return Address(postcode=postcode, problem=MISSING)  # only punctuation: nothing to ship to
    units = table.units
    return Address(
        province=units[province].name if province else "",
        city=units[city].name if city else "",
        district=units[county].name if county else "",
        detail=detail,
        postcode=postcode,
        problem=None if city else UNRESOLVED,
    )


def format_address(address: Address) -> str:
    """The Taobao form of a normalized address (`省 市 区 详细地址(邮编)`); normalizes to itself."""
    parts = [part for part in (address.province, address.city, address.district) if part]
    if address.detail:
        parts.append(address.detail)
    text = " ".join(parts)
    return f"{text}({address.postcode})" if address.postcode else text


__all__ = [
    "FULLWIDTH",
    "MISSING",
    "NO_POSTCODE",
    "SEPARATORS",
    "UNRESOLVED",
    "clean_text",
    "format_address",
    "lookup_triple",
    "normalize_address",
    "resolve",
    "scan",
    "split_postcode",
]
