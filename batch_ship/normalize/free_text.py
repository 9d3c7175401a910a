"""Free text's region chain: the everyday chain read fast and remembered, else chains.read."""

from __future__ import annotations

from batch_ship.normalize.chains import (
    LABEL_FIRST,
    SEPARATORS,
    Found,
    is_market,
    past_separators,
    read,
)
from batch_ship.normalize.regions import (
    CITY,
    COUNTY,
    FULL,
    PROVINCE,
    TAIL_NOTHING,
    TAIL_SHORT,
    RegionTable,
)


def quick(table: RegionTable, text: str) -> Found | None:
    """The everyday case without the general reading: full names (or a short name followed by
    its next level) from the first character, each inside the one before, up to a county, or
    up to a full prefecture name that nothing follows. None when anything else is there; the
    general reading then decides (and gives the same answer where this one answers)."""
    if text[:1] in LABEL_FIRST:
        return None
    matches = table.leftmost.find_matches_as_indexes(text)
    if not matches or matches[0][1] != 0:
        return None
    values, under = table.values, table.under
    first = table.firsts[matches[0][0]]
    if first is None:
        return None
    if first.level == PROVINCE:
        province = first.code
        city = province + "01" if table.is_municipality(province) else ""
    else:
        city, province = first.code, table.units[first.code].parent
    pos = matches[0][2]
    last = len(matches) - 1
    for number in range(1, last + 1):
        index, start, end = matches[number]
        if start != pos and text[pos:start].strip(SEPARATORS):
            return None
        if not city:
            unit = under[index].get(province)
            if unit is None or unit.level != CITY or len(values[index]) != 1:
                return None
            city = unit.code
            if unit.form != FULL and number == last:
                return None
        elif any(c.code == province or c.code == city for c in values[index]):
            pass  # the same unit written twice (北京北京市): skipped, as the general reading does
        else:
            unit = under[index].get(city)
            if unit is None or unit.level != COUNTY or unit.form != FULL:
                return None
            if len(values[index]) != 1 and any(c.level < COUNTY for c in values[index]):
                return None  # the key also names a province or prefecture
            if is_market(text, end):
                return None
            if number < last and not _quiet_tail(table, text, matches, number + 1, end):
                return None
            return Found(province, city, unit.code, "", end, False)
        pos = end
    return None


def _quiet_tail(
    table: RegionTable, text: str, matches: list[tuple[int, int, int]], number: int, end: int
) -> bool:
    """Whether what follows a complete chain (at `end`) cannot contradict it: no key starts
    right there, or a county or street word does, or a short province or prefecture name
    that its next level does not follow (中山北路)."""
    index, start, stop = matches[number]
    if start != past_separators(text, end):
        return True
    tail = table.tails[index]
    if tail == TAIL_NOTHING:
        return True
    if tail == TAIL_SHORT:
        return number + 1 == len(matches) or matches[number + 1][1] != past_separators(text, stop)
    return False


# Remembered chains are found by their first characters: a fast-path chain is two names of
# two characters at least, and four characters leave a couple of lengths to try.
_HEAD = 4
# Remembered chains at most (each a distinct way of writing a chain: a few thousand in practice).
_REMEMBERED = 200_000


def find(table: RegionTable, text: str) -> Found:
    """The region chain of cleaned free text, with where it starts and ends."""
    remembered = table.chains
    for length in table.chain_lengths.get(text[:_HEAD], ()):
        found = remembered.get(text[:length])
        if found is not None and _plain_after(table, text, length):
            return found  # type: ignore[no-any-return]
    quick_found = quick(table, text)
    if quick_found is not None:
        _remember(table, text, quick_found)
        return quick_found
    return read(table, text)


def _starts_of(table: RegionTable, chain: str) -> list[int]:
    return [start for _, start, _ in table.leftmost.find_matches_as_indexes(chain)]


def _plain_after(table: RegionTable, text: str, end: int) -> bool:
    """Whether what follows a remembered chain leaves its reading as quick gives it: not 市场,
    and, where a separator or a province or prefecture name follows (中山北路), quick's own
    test of what comes after a chain. (A county's or a street's name does not matter.)"""
    following = text[end : end + 2]
    if not following:
        return True
    if is_market(text, end):
        return False
    if following[0] not in SEPARATORS and following not in table.regional_starts:
        return True
    # The chain's own names end where it does (see _remember), so leftmost-longest matching
    # of the rest alone finds the matches quick sees after the chain.
    rest = text[end:]
    matches = table.leftmost.find_matches_as_indexes(rest)
    return not matches or _quiet_tail(table, rest, matches, 0, 0)


def _remember(table: RegionTable, text: str, found: Found) -> None:
    """Keep a fast-path chain for texts that start with the same words, unless a key could
    run past its end from where one of its names starts (then the text after it matters:
    leftmost-longest matching looks for the next match only past the previous one)."""
    chain = text[: found.end]
    prefixes = table.key_prefixes
    if len(table.chains) >= _REMEMBERED or any(
        chain[start:] in prefixes for start in _starts_of(table, chain)
    ):
        return
    table.chains[chain] = found
    lengths = table.chain_lengths
    first = chain[:_HEAD]
    if len(chain) not in lengths.get(first, ()):
        lengths[first] = (*lengths.get(first, ()), len(chain))
