"""Masking of buyer details for anything a person may see outside the workbooks: one rule."""

from __future__ import annotations

import re

# An administrative unit ends in one of these (省 市 自治区 区 县 旗 自治州 盟); the region is at
# most three of them (province, city, district) in the address's first characters.
_UNIT_ENDS = frozenset("省市区县旗州盟")
_REGION_WINDOW = 20
_REGION_UNITS = 3
STREET_PREFIX = 2  # characters of the street shown after the region
_UNKNOWN_PREFIX = 4  # shown when no region is recognised
_SPACE = re.compile(r"\s+")
_DIGIT = re.compile(r"\d")


def mask_phone(phone: str) -> str:
    """138****5678: keep the first 3 and last 4 characters, star every digit in between."""
    phone = phone.strip()
    if len(phone) < 8:
        return re.sub(r"\d", "*", phone[:-2]) + phone[-2:] if len(phone) > 2 else "*" * len(phone)
    middle = re.sub(r"[0-9A-Za-z]", "*", phone[3:-4])
    return phone[:3] + middle + phone[-4:]


def mask_name(name: str) -> str:
    """张** : the first character, then a star per remaining character (at most three)."""
    name = name.strip()
    if len(name) <= 1:
        return "*" * len(name)
    return name[0] + "*" * min(len(name) - 1, 3)


def mask_address(address: str) -> str:
    """The region (at most province, city and district) and the street's first two characters,
    whatever the spacing: '上海市 上海市浦东新区世纪大道1001号(200120)' gives
    '上海市上海市浦东新区世纪 …'. No digit is ever shown (house numbers, postcodes): '*'."""
    compact = _SPACE.sub("", address)
    if not compact:
        return ""
    ends = [i + 1 for i, char in enumerate(compact[:_REGION_WINDOW]) if char in _UNIT_ENDS]
    # '杭州市', '贵州省': a unit end right before another is part of the same name
    ends = [end for end in ends if end + 1 not in ends]
    shown = ends[:_REGION_UNITS][-1] + STREET_PREFIX if ends else _UNKNOWN_PREFIX
    text = _DIGIT.sub("*", compact[:shown])
    return text + (" …" if len(compact) > shown else "")
