"""Chinese addresses -> province, city, district, street detail and postcode, never guessed."""

from __future__ import annotations

import re

from batch_ship.model import Address
from batch_ship.normalize import chains, free_text
from batch_ship.normalize.chains import SEPARATORS
from batch_ship.normalize.regions import RegionTable, load_regions
from batch_ship.problems import ADDRESS_CONFLICT as CONFLICT
from batch_ship.problems import ADDRESS_MISSING as MISSING
from batch_ship.problems import ADDRESS_UNRESOLVED as UNRESOLVED

NO_POSTCODE = "000000"  # Taobao's "(000000)": the buyer gave none
# A whole address that is only a placeholder a system wrote for "nothing" (separators around
# it too: the detail drops them, so `-null` must read as `null` reads).
_EMPTY_WORDS = frozenset(("null", "none", "nan"))
_EMPTY_LONGEST = max(map(len, _EMPTY_WORDS))

# Full-width ASCII (digits, letters, brackets, punctuation) and the ideographic space -> ASCII.
FULLWIDTH = str.maketrans(
    {chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)} | {"\u3000": " "}
)


# Every character str.split() takes for a space except " " itself (tabs, newlines, NBSP,
# U+3000...; none is above U+3000).
NON_SPACE_WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace() and c != " ")
# Anything clean_text would change inside the text besides two spaces in a row; most addresses
# have none of it. One character class: a third of the time of alternatives over \\s.
_UNCLEAN = re.compile(f"[\uff01-\uff5e{re.escape(NON_SPACE_WHITESPACE)}]")


def clean_text(raw: str) -> str:
    """Full-width characters to ASCII, every whitespace run (tabs, newlines too) to one space."""
    if "  " not in raw and _UNCLEAN.search(raw) is None:
        return raw.strip(" ")
    return " ".join(raw.translate(FULLWIDTH).split())


def split_postcode(text: str) -> tuple[str, str]:
    """`(text, postcode)` with the trailing `(310000)` groups removed; `(000000)` means none.

    Every trailing group goes, so the detail never ends with a postcode the next pass would
    take; the last real one wins.
    """
    postcode = ""
    if not text.endswith(")"):
        return text, postcode
    while len(text) >= 8 and text[-1] == ")" and text[-8] == "(":
        code = text[-7:-1]
        if not (code.isascii() and code.isdigit()):
            break
        if not postcode and code != NO_POSTCODE:
            postcode = code
        text = text[:-8].rstrip()
    return text, postcode


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


def scan(table: RegionTable, text: str) -> chains.Found:
    """Free-text reading of cleaned text: region codes ('' when unknown), the words before
    them that stay in the detail, where they end, and whether they contradict each other."""
    return free_text.find(table, text)


def resolve(text: str, table: RegionTable | None = None) -> tuple[str, str, str, str, bool]:
    """Region codes of cleaned text ('' when unknown), the detail, and whether it names
    regions that contradict each other (then no level is given)."""
    table = table or load_regions()
    fast = _fast(table, text)
    if fast is not None:
        return (*fast, False)
    return _free(table, text)


def _free(table: RegionTable, text: str) -> tuple[str, str, str, str, bool]:
    found = free_text.find(table, text)
    if not found.province:
        return "", "", "", text.lstrip(SEPARATORS), found.conflict
    detail = text[found.end :].lstrip(SEPARATORS)
    if found.before:
        detail = f"{found.before} {detail}" if detail else found.before
    return found.province, found.city, found.county, detail, False


Parts = tuple[str, str, str, str, str, str | None]


def address_parts(raw: str) -> Parts:
    """normalize_address's fields as a tuple (province, city, district, detail, postcode,
    problem): what the bulk path stores, without building an Address."""
    return clean_parts(clean_text(raw))


def clean_parts(cleaned: str) -> Parts:
    """address_parts of text that clean_text leaves as it is (the bulk path cleans first)."""
    text, postcode = split_postcode(cleaned)
    if not text:
        return "", "", "", "", postcode, MISSING
    table = load_regions()
    if " " in text:
        parts = text.split(" ", 3)
        if len(parts) > 2:
            # The Taobao form: once per distinct token triple (a few thousand), a dict hit
            # after. Region names are no placeholder, so that test waits for the free text.
            key = (parts[0], parts[1], parts[2])
            names = table.names.get(key) or _taobao_names(table, key)
            if names is not None:
                detail = parts[3].lstrip(SEPARATORS) if len(parts) == 4 else ""
                return names[0], names[1], names[2], detail, postcode, None
    if _is_placeholder(text):
        return "", "", "", "", postcode, MISSING
    return _free_parts(table, text, postcode)


def _taobao_names(table: RegionTable, key: tuple[str, str, str]) -> tuple[str, str, str] | None:
    """The official names of Taobao's `省 市 区` tokens, remembered; None when any misses."""
    codes = lookup_triple(table, *key)
    if codes is None:
        return None
    units = table.units
    names = table.names[key] = (units[codes[0]].name, units[codes[1]].name, units[codes[2]].name)
    return names


def _free_parts(table: RegionTable, text: str, postcode: str) -> Parts:
    province, city, county, detail, conflict = _free(table, text)
    if not province:
        if not detail:
            return "", "", "", "", postcode, MISSING  # only punctuation: nothing to ship to
        return "", "", "", detail, postcode, CONFLICT if conflict else UNRESOLVED
    units = table.units
    return (
        units[province].name,
        units[city].name if city else "",
        units[county].name if county else "",
        detail,
        postcode,
        None if city else UNRESOLVED,
    )


def _is_placeholder(text: str) -> bool:
    """Whether non-empty text is only separators and at most one placeholder word (`-null`,
    `,NONE,`). Two character tests for the usual address; the strip only when they fail."""
    if len(text) > _EMPTY_LONGEST and text[0] not in SEPARATORS and text[-1] not in SEPARATORS:
        return False
    core = text.strip(SEPARATORS)
    return not core or (len(core) <= _EMPTY_LONGEST and core.lower() in _EMPTY_WORDS)


def normalize_address(raw: str) -> Address:
    """Normalize one address (Taobao's space-separated form or free text).

    Unknown district with a known city is fine; unknown province or city is
    `address-unresolved`; regions that contradict each other (浙江省广州市) are
    `address-conflict` with no level; empty is `address-missing`.
    """
    return Address(*clean_parts(clean_text(raw)))


def format_address(address: Address) -> str:
    """The Taobao form of a normalized address (`省 市 区 详细地址(邮编)`); normalizes to itself."""
    parts = [part for part in (address.province, address.city, address.district) if part]
    if address.detail:
        parts.append(address.detail)
    text = " ".join(parts)
    return f"{text}({address.postcode})" if address.postcode else text


__all__ = [
    "CONFLICT",
    "FULLWIDTH",
    "MISSING",
    "NO_POSTCODE",
    "SEPARATORS",
    "UNRESOLVED",
    "address_parts",
    "clean_parts",
    "clean_text",
    "format_address",
    "lookup_triple",
    "normalize_address",
    "resolve",
    "scan",
    "split_postcode",
]
