"""Region chains in free text: which province, city and county the text's structure names."""

from __future__ import annotations

import re
from typing import NamedTuple

from batch_ship.normalize.regions import (
    CITY,
    COUNTY,
    COUNTY_SHORT,
    DIRECT_UNIT_WORDS,
    FULL,
    NO_DISTRICT_WORDS,
    PROVINCE,
    Candidate,
    RegionTable,
)

# Between levels people write spaces, commas, 、, dashes, underscores, slashes and bars.
SEPARATORS = " ,;、-_/|—~"
# What may follow a short name (杭州, 义乌) that makes it part of a street, estate or landmark
# (杭州湾, 九江镇, 长春6街, 天水家园) rather than a region, unless a region of the next level
# starts right there (辽宁大连). A road (西湖路, 西湖大道) rules out every short name; estate and
# landmark words rule out a name that starts the chain, and a province or prefecture anywhere.
_ROAD_CHARS = frozenset("路街道巷弄")
_ROAD_WORDS = frozenset(
    ["大道", "大街", "东路", "西路", "南路", "北路", "中路", "东街", "西街", "南街", "北街"]
)
_ESTATE_CHARS = frozenset("号桥村里园苑镇乡湾岸港站楼栋幢座门店厂场馆院0123456789")
_ESTATE_WORDS = frozenset([
    "新村", "新城", "家园", "花园", "小区", "广场", "中心", "公园", "公寓", "公司", "商场", "市场",
    "医院", "学校", "中学", "小学", "银行", "酒店", "宾馆", "饭店", "超市", "商城", "商厦", "大厦",
    "大桥", "大学", "大楼", "大院",
])  # fmt: skip
_LANDMARK_WORDS = frozenset(["工业", "开发", "世纪", "国际"])
# Zones named after a county (北戴河新区, 达孜工业园区, 洪江管理区, 五台山风景名胜区, 西沙群岛)
# are no county: the detail keeps them and the district stays empty.
_ZONE = re.compile("新区|工业园|工业区|开发区|经济开发|高新区|管理区|风景|景区|园区|群岛|山")
# A prefecture's short name starting the text counts when a town or street named by its own
# words follows (东莞大朗镇, 杭州文三路), not when it is the first part of one (九江镇).
_SUBUNIT = re.compile(r"[\u4e00-\u9fff]{2,4}?(?:镇|乡|街道|大街|大道|路|街|村)")
# County short names that are everyday words: never a region on their own at the start.
_COMMON_WORDS = frozenset([
    "平安", "长寿", "太平", "永安", "安全", "和平", "新城", "城中", "城关", "红旗", "向阳", "前进",
    "胜利",
])  # fmt: skip
# A county short name followed by a level suffix other than its own (富阳市, 密云县: renamed).
_COUNTY_SUFFIX_CHARS = frozenset("县市区旗")
# Placeholders: 市辖区 (municipalities' city slot), the direct-unit city words, 其它区, a
# literal null, and the country. The bare tokens 县/郊县/城区 only count between spaces.
_MUNICIPAL = "市辖区"
_TOKEN_ONLY = frozenset(("县", "郊县", "城区"))
_SKIP_CITY = frozenset(DIRECT_UNIT_WORDS)
_SKIP_DISTRICT = frozenset(NO_DISTRICT_WORDS)
_COUNTRY = frozenset(("中华人民共和国", "中国大陆", "中国"))
_PLACEHOLDERS = sorted(
    _TOKEN_ONLY | _SKIP_CITY | _SKIP_DISTRICT | _COUNTRY | {_MUNICIPAL},
    key=len,
    reverse=True,
)
_PLACEHOLDER_FIRST = frozenset(word[0] for word in _PLACEHOLDERS) | {"n", "N"}
# A label before the address (收货地址：, 地址:), and words before a region that say nothing
# of the place (我家的地址是, 麻烦寄到): dropped; any other words before it stay in the detail.
_LABEL = re.compile(r"(?:收货人?|收件人?|详细|所在)?(?:地址|地区)\s*[:是为]?\s*")
_FILLER = re.compile(r"(?:地址|地区|[寄送发]到|[寄送]往|[寄送]至|发货到)\s*[:是为]?\s*$")
LABEL_FIRST = frozenset("收详所地")
_MARKET = "场"


class Found(NamedTuple):
    """Codes ('' when unknown), the words before the regions that stay in the detail, where
    the regions end, and whether the text names regions that contradict each other."""

    province: str
    city: str
    county: str
    before: str
    end: int
    conflict: bool


NOTHING = Found("", "", "", "", 0, False)
_Starts = dict[int, list[tuple[int, tuple[Candidate, ...]]]]


def past_separators(text: str, pos: int) -> int:
    """The first position from `pos` on that holds no separator."""
    while pos < len(text) and text[pos] in SEPARATORS:
        pos += 1
    return pos


def is_market(text: str, end: int) -> bool:
    """Whether a name ending in 市 at `end` is really 市场 (东方市场, 长寿市场): no city."""
    return text[end - 1 : end + 1] == "市场"


def _matches(table: RegionTable, text: str) -> _Starts:
    """Every key occurring in `text` (one automaton pass): start -> [(end, candidates)], the
    longest first."""
    starts: _Starts = {}
    values = table.values
    for index, start, end in table.matcher.find_matches_as_indexes(text, overlapping=True):
        entry = starts.get(start)
        if entry is None:
            starts[start] = [(end, values[index])]
        else:
            entry.append((end, values[index]))
            entry.sort(reverse=True)
    return starts


def _inside(table: RegionTable, code: str, ancestor: str) -> bool:
    units = table.units
    parent = units[code].parent
    while parent:
        if parent == ancestor or code in table.extra.get(ancestor, ()):
            return True
        parent = units[parent].parent
    return False


class _Chain:
    """Levels read from `start` on: each name must fit the ones before it."""

    __slots__ = (
        "city", "county", "explicit", "first", "pos", "province", "start", "starts", "table",
        "text",
    )  # fmt: skip

    def __init__(self, table: RegionTable, text: str, starts: _Starts, start: int) -> None:
        self.table, self.text, self.starts = table, text, starts
        self.province: str | None = None
        self.city: str | None = None
        self.county: str | None = None
        self.start = self.pos = start
        self.first: Candidate | None = None  # the first unit taken
        self.explicit = 0  # units named (a county alone names one; its city is derived)

    def run(self) -> _Chain:
        size = len(self.text)
        while self.county is None:
            start = self._skip(self.pos)
            if start >= size or not self._step(start):
                break
        return self

    def _skip(self, pos: int) -> int:
        """Past separators and placeholders (which move the chain's end: 其它区 is consumed)."""
        text, size = self.text, len(self.text)
        while pos < size:
            char = text[pos]
            if char in SEPARATORS:
                pos += 1
            elif char in _PLACEHOLDER_FIRST and (end := self._placeholder(pos)):
                pos = self.pos = end
            else:
                break
        return pos

    def _placeholder(self, pos: int) -> int:
        """The end of a placeholder skipped at `pos`, or 0."""
        text = self.text
        if text[pos] in "nN":
            return pos + 4 if text[pos : pos + 4].lower() == "null" else 0
        for word in _PLACEHOLDERS:
            if text.startswith(word, pos):
                end = pos + len(word)
                return end if self._skips(word, end) else 0
        return 0

    def _skips(self, word: str, end: int) -> bool:
        following = self.text[end : end + 1]
        if word in _TOKEN_ONLY:
            return (not following or following in SEPARATORS) and self._municipal()
        if word == _MUNICIPAL:
            return self.city is not None and self.county is None
        if word in _SKIP_CITY:
            return self.province is not None and self.city is None
        if word in _COUNTRY:
            after = self.text[end:].lstrip(SEPARATORS)[:2]
            return self.province is None and after in self.table.lengths
        return self.city is not None  # 其它区

    def _municipal(self) -> bool:
        return self.province is not None and self.table.is_municipality(self.province)

    def _step(self, start: int) -> bool:
        """Take one region name at `start`; False when nothing there fits (or it is unclear)."""
        text = self.text
        for end, found in self.starts.get(start, ()):
            fitting = [c for c in found if self._fits(c, end - start)]
            if not fitting:
                continue
            if any(self._is_known(c) for c in fitting):
                self.pos = end  # the same unit written twice (东莞市 东莞市, 北京 北京市)
                return True
            top = min(c.level for c in fitting)
            chosen = [c for c in fitting if c.level == top]
            if len(chosen) > 1:
                return False  # ambiguous (朝阳区 alone): say nothing rather than guess
            unit = chosen[0]
            if unit.form == FULL and is_market(text, end):
                continue
            if unit.form == COUNTY_SHORT and text[end : end + 1] in _COUNTY_SUFFIX_CHARS:
                if text[end + 1 : end + 2] != _MARKET:
                    end += 1  # 富阳市, 密云县: the old suffix of a renamed county
            elif unit.form != FULL and not self._structured(unit, found, start, end):
                continue
            self._take(unit)
            self.pos = self._shorter(start, end, unit) if top < COUNTY else end
            return True
        return False

    def _structured(
        self, unit: Candidate, found: tuple[Candidate, ...], start: int, end: int
    ) -> bool:
        """Whether a short name counts: its next level follows, else nothing street-like
        follows and it continues a chain or, starting one, says more (see the trap words)."""
        after = self._child_after(unit, end)
        if after:
            return True
        county = unit.form == COUNTY_SHORT
        text = self.text
        following = text[end : end + 1]
        if not following:
            return self.first is not None or county or unit.level == CITY
        pair = text[end : end + 2]
        if following in _ROAD_CHARS or pair in _ROAD_WORDS:
            return False
        if county and _ZONE.match(text, end):
            return False
        if self.first is not None and county:
            return True
        if (
            following in _ESTATE_CHARS
            or pair in _ESTATE_WORDS
            or (following.isascii() and (following.isalnum()))
        ):
            return False
        if self.first is not None:
            return pair not in _LANDMARK_WORDS
        if county:
            return len(found) == 1 and text[start:end] not in _COMMON_WORDS
        if following in SEPARATORS:
            return True
        return (
            after is False
            and unit.level == CITY
            and text[start:end] not in self.table.shared
            and pair not in _LANDMARK_WORDS
            and _SUBUNIT.match(text, end) is not None
        )

    def _child_after(self, unit: Candidate, end: int) -> bool | None:
        """True when a unit inside `unit` starts at `end` (separators skipped), None when a
        region not inside it starts right there, else False."""
        pos = past_separators(self.text, end)
        entries = self.starts.get(pos)
        if not entries:
            return False
        table = self.table
        for _, found in entries:
            if any(_inside(table, c.code, unit.code) for c in found):
                return True
        return None if pos == end else False

    def _shorter(self, start: int, end: int, unit: Candidate) -> int:
        """Where the unit's name ends, preferring a shorter form of it when only that lets the
        next name start (济南 + 市中区 in 济南市中区, 青岛 + 市南区)."""
        text, starts = self.text, self.starts
        if end in starts or end >= len(text) or text[end] in SEPARATORS:
            return end
        for stop, found in starts.get(start, ()):
            if stop < end and stop in starts and any(c.code == unit.code for c in found):
                return stop
        return end

    def _is_known(self, candidate: Candidate) -> bool:
        known = (self.province, self.city, self.county)[candidate.level]
        return known == candidate.code

    def _fits(self, candidate: Candidate, length: int) -> bool:
        if self._is_known(candidate):
            return True
        table = self.table
        unit = table.units[candidate.code]
        if candidate.level == PROVINCE:
            return self.province is None
        if candidate.level == CITY:
            if self.city is not None:
                return candidate.code in table.extra.get(self.city, ())  # 伊犁州塔城地区
            return self.province in (None, unit.parent)
        if self.city is not None:
            return unit.parent == self.city
        if self.province is None:
            return length >= 3 or candidate.form == COUNTY_SHORT  # 东区, 城区 alone: no
        return table.units[unit.parent].parent == self.province

    def _take(self, candidate: Candidate) -> None:
        table = self.table
        unit = table.units[candidate.code]
        if self.first is None:
            self.first = candidate
        self.explicit += 1
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


def _lead(text: str) -> int:
    """Where the address starts: after separators and a label (收货地址：)."""
    pos = past_separators(text, 0)
    if text[pos : pos + 1] in LABEL_FIRST:
        label = _LABEL.match(text, pos)
        if label:
            pos = label.end()
    return pos


def _strong(chain: _Chain) -> bool:
    """A chain that may start after other words: two levels, or a full province/city name."""
    first = chain.first
    if first is None:
        return False
    return chain.explicit >= 2 or (first.form == FULL and first.level < COUNTY)


def _contradicted(chain: _Chain) -> bool:
    """Whether a province or city that the chain's levels rule out follows it."""
    text = chain.text
    pos = past_separators(text, chain.pos)
    for end, found in chain.starts.get(pos, ()):
        for candidate in found:
            if candidate.level == COUNTY or chain._is_known(candidate):
                continue
            if chain._fits(candidate, end - pos) and chain.county is None:
                continue
            if candidate.form == FULL:
                if not is_market(text, end):
                    return True
            elif chain._child_after(candidate, end):
                return True
    return False


def read(table: RegionTable, text: str) -> Found:
    """The general reading of `find`: every rule, for any text."""
    starts = _matches(table, text)
    begin = _lead(text)
    chain = _Chain(table, text, starts, begin).run()
    if chain.first is None:
        for pos in sorted(starts):
            if pos > begin:
                candidate = _Chain(table, text, starts, pos).run()
                if _strong(candidate):
                    chain = candidate
                    break
        else:
            return NOTHING
    if chain.first is None or chain.province is None:
        return NOTHING
    if _contradicted(chain):
        return Found("", "", "", "", 0, True)
    before = text[begin : chain.start].strip(SEPARATORS)
    if before and (
        _FILLER.search(before)  # 我家的地址是, 麻烦寄到: nothing of the place
        or before[0] in _PLACEHOLDER_FIRST
        or "(" in before  # a postcode group would move to the end of the address
        or any(begin <= pos < chain.start for pos in starts)  # 温州 before 广州市荔湾区
    ):
        before = ""  # else kept before the detail (a town before the province)
    return Found(chain.province, chain.city or "", chain.county or "", before, chain.pos, False)
