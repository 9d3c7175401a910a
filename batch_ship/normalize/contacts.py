"""Pasted contact blocks (`张三 13800138000 广东省深圳市南山区…`) -> name, phone and address."""

from __future__ import annotations

import re
from dataclasses import dataclass

from batch_ship.normalize import free_text
from batch_ship.normalize.addresses import clean_text, normalize_address
from batch_ship.normalize.names import normalize_name
from batch_ship.normalize.phones import MISSING, normalize_phone
from batch_ship.normalize.regions import load_regions

# A mobile (with +86/86, spaces or dashes inside) or a landline, then an extension if any
# (转123, 分机123, #123, -1234 after a mobile, ext 12).
_MOBILE = r"(?:\+?86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}"
_LANDLINE = r"\(?0[0-9]{2,3}\)?[ -]?[0-9]{7,8}"
_EXTENSION = r"(?:[ ]?(?:转|分机|#|ext\.?|x|-)[ ]?[0-9]{1,6})?"
PHONE = re.compile(rf"(?<![0-9])(?:{_MOBILE}|{_LANDLINE}){_EXTENSION}(?![0-9])", re.IGNORECASE)
# Labels people paste with the values: what follows each, up to the next label, is that field.
_LABELS = {
    "name": ("收货人姓名", "收件人姓名", "收货人", "收件人", "联系人", "姓名", "名字"),
    "phone": ("手机号码", "联系电话", "联系方式", "手机号", "手机", "电话"),
    "address": ("收货地址", "收件地址", "详细地址", "所在地区", "地址"),
}
_FIELD_OF = {label: field for field, labels in _LABELS.items() for label in labels}
_LABEL = re.compile(
    "(" + "|".join(sorted(_FIELD_OF, key=len, reverse=True)) + r")\s*[:：]?\s*", re.IGNORECASE
)
_SPLIT = re.compile(r"[\s,;，；|]+")
# An address cell that may hold a whole pasted block: a mobile number or a label in it, or,
# in a row with no phone at all, any phone number (a landline). The bulk step picks rows with
# these patterns in Arrow (RE2 and Python read them alike), then unpack_block decides.
BLOCK_HINT = "(?:^|[^0-9])1[3-9][0-9]{9}(?:[^0-9]|$)|收货人|收件人|联系人|电话|手机"
_BLOCK_HINT = re.compile(BLOCK_HINT)
# PHONE without its edges and extension (RE2 has no look-around): in every number PHONE finds.
PHONE_SHAPE = f"{_MOBILE}|{_LANDLINE}"
# The cells the bulk step hands to unpack_block: a superset of its test, in one Arrow pass.
BLOCK_SHAPE = f"{BLOCK_HINT}|{PHONE_SHAPE}"
# A name: 2-4 Chinese characters (a dot inside for 阿依·买买提), or Latin words.
_NAME = re.compile(
    r"[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{1,8}[·•][\u4e00-\u9fff]{1,8}|[A-Za-z .]{2,30}"
)
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Characters of address words (科技园, 3栋), never taken for a name.
_ADDRESS_CHARS = frozenset("路号栋室村镇区市省县街道巷弄楼幢园苑座层")


@dataclass(frozen=True, slots=True)
class Contact:
    """What a pasted block holds ('' when not found); the phone as written (normalize_phone)."""

    name: str = ""
    phone: str = ""
    address: str = ""


def split_contact(raw: str) -> Contact:
    """Split a pasted block of name, phone and address, in any order, with or without labels
    (收货人：张三 电话：138… 地址：…). The address part is what remains once the name and phone
    are taken out, its words in their order; normalize_address reads it."""
    text = clean_text(raw)
    if not text:
        return Contact()
    fields = _labelled(text)
    if fields is not None:
        return _from_labels(fields)
    return _from_free(text)


def _labelled(text: str) -> dict[str, list[str]] | None:
    """Values per field when the block has labels (and nothing but separators before them)."""
    found = list(_LABEL.finditer(text))
    if not found or _SPLIT.sub("", text[: found[0].start()]):
        return None
    fields: dict[str, list[str]] = {}
    for number, label in enumerate(found):
        stop = found[number + 1].start() if number + 1 < len(found) else len(text)
        value = text[label.end() : stop].strip(" ,;，；|")
        if value:
            fields.setdefault(_FIELD_OF[label.group(1)], []).append(value)
    return fields


def _from_labels(fields: dict[str, list[str]]) -> Contact:
    """The first name and phone given; the address parts (所在地区, 详细地址) joined."""
    phone_text = fields.get("phone", [""])[0]
    phone = PHONE.search(phone_text)
    rest = _from_free(" ".join(fields.get("address", ())))
    return Contact(
        name=fields.get("name", [""])[0] or rest.name,
        phone=phone.group(0) if phone else rest.phone or phone_text,
        address=rest.address,
    )


def _from_free(text: str) -> Contact:
    phone = PHONE.search(text)
    head, tail = (text[: phone.start()], text[phone.end() :]) if phone else (text, "")
    # Label words left without their value (…文三路1号 电话13800138000) are dropped.
    before = [word for word in _SPLIT.split(head) if word and word.rstrip(":") not in _FIELD_OF]
    after = [word for word in _SPLIT.split(tail) if word and word.rstrip(":") not in _FIELD_OF]
    words = before + after
    # The name is the first word, or a word beside the phone (地址… 张三 138…, 138… 张三 地址…).
    places = [0]
    if phone:
        places += [len(before) - 1, len(before)]
    name = ""
    for position in places:
        if 0 <= position < len(words) and _is_name(words[position]):
            name = words.pop(position)
            break
    if not name and words:
        name, words[0] = _glued_name(words[0])
    address = " ".join(word for word in words if word)
    return Contact(name=name, phone=phone.group(0) if phone else "", address=address)


def _is_name(word: str) -> bool:
    return (
        _NAME.fullmatch(word) is not None
        and word not in _FIELD_OF
        and not _ADDRESS_CHARS.intersection(word)
        and not normalize_address(word).province
    )


def _glued_name(word: str) -> tuple[str, str]:
    """(name, rest) for a name written right before its address (张三广东省深圳市…)."""
    found = free_text.find(load_regions(), word)
    before = found.before
    named = _NAME.fullmatch(before) is not None and _CJK.search(before) is not None
    if found.province and named and word.startswith(before):
        return before, word[len(before) :]
    return "", word


def unpack_block(name: str, mobile: str, telephone: str, address: str) -> tuple[str, str, str]:
    """(name, mobile, address) of an order row whose address cell may hold a pasted block
    (a person fixing the exceptions workbook pasted `张三 138… 广东省…` into it): the address
    becomes the block's address part; the block's name fills an empty name, and its phone a
    row without a usable mobile or telephone. A block is a cell with a mobile number or a label
    in it, or, in a row with no phone at all, any phone number (张三 0571-87654321 浙江…).
    Any other row comes back as it was."""
    problems = (normalize_phone(mobile).problem, normalize_phone(telephone).problem)
    phoneless = problems == (MISSING, MISSING)
    if not _BLOCK_HINT.search(address) and not (phoneless and PHONE.search(address)):
        return name, mobile, address
    contact = split_contact(address)
    if not contact.address or not (contact.name or contact.phone):
        return name, mobile, address
    if contact.name and not normalize_name(name):
        name = contact.name
    if contact.phone and all(problems):
        mobile = contact.phone
    return name, mobile, contact.address


__all__ = [
    "BLOCK_HINT",
    "BLOCK_SHAPE",
    "PHONE",
    "PHONE_SHAPE",
    "Contact",
    "split_contact",
    "unpack_block",
]
