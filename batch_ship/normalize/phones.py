"""Phone numbers -> mobile `13812345678`, landline `0571-87654321`, virtual `18400001234-5678`."""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import PhoneNumberType

from batch_ship.model import Phone, PhoneKind
from batch_ship.normalize.addresses import FULLWIDTH
from batch_ship.problems import PHONE_INVALID as INVALID
from batch_ship.problems import PHONE_MASKED as MASKED
from batch_ship.problems import PHONE_MISSING as MISSING

_REGION = "CN"
_CN_CODE = phonenumbers.country_code_for_region(_REGION)


def _pattern(kind: str) -> str:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(_REGION)
    desc = getattr(metadata, kind, None)
    pattern = desc.national_number_pattern if desc is not None else None
    if not pattern:
        raise RuntimeError(f"phonenumbers has no CN {kind} pattern")  # a broken install
    return str(pattern)


# libphonenumber's own CN patterns (141, 148, 174 beyond 17400-17405 are not mobile), so the
# fast paths answer exactly what phonenumbers would.
MOBILE_PATTERN = _pattern("mobile")
FIXED_LINE_PATTERN = _pattern("fixed_line")
_MOBILE = re.compile(MOBILE_PATTERN)
# Matching libphonenumber's fixed-line pattern is what is_valid_number + number_type do for a
# CN number; doing it directly is 30x faster than parse() and gives the same answer.
_FIXED_LINE = re.compile(FIXED_LINE_PATTERN)
_LOCAL_LENGTHS = (7, 8)  # digits after the area code of a mainland landline
_LONGEST = 12  # national significant numbers in CN have at most 12 digits (metadata lengths)

# Stars (or a run of x) where digits should be: phonenumbers would silently drop them.
_MASK = re.compile(r"[*•●]|\d[xX]{2,}|[xX]{2,}\d")
# Extension markers that always mean "extension follows": 转, 分机, #, comma, ext, x.
_EXTENSION = re.compile(r"\s*(?:转|分机|#|,|ext\.?|x)\s*(\d{1,6})\s*$", re.IGNORECASE)
_DASH_TAIL = re.compile(r"^(.*\d)\s*-\s*(\d{1,6})$")
_NOISE = str.maketrans("", "", " \t\r\n-()._'\"=\u00a0")
STRIP = " \t\r\n'\"=\u00a0`"
_SPLIT = re.compile(r"[/、;；]|\s{2,}")
_FIXED = (PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE)

_MISSING_PHONE = Phone(None, PhoneKind.OTHER, MISSING)
_MASKED_PHONE = Phone(None, PhoneKind.OTHER, MASKED)
_INVALID_PHONE = Phone(None, PhoneKind.OTHER, INVALID)


def normalize_phone(raw: str) -> Phone:
    """Normalize one phone field as exported (`'13925130165`, `+86 138...`, `(010)12345678`).

    Mobile -> 11 digits; landline -> `0AREA-LOCAL`; a mobile with an extension (privacy
    number) -> `NUMBER-EXT`, kind virtual. Problems: phone-missing, phone-masked, phone-invalid.
    """
    text = raw.strip(STRIP)
    # Fast path: the bare 11-digit mobile that is most of a day's orders.
    if len(text) == 11 and text.isdigit() and text.isascii() and text[0] == "1":
        return Phone(text, PhoneKind.MOBILE) if _MOBILE.fullmatch(text) else _INVALID_PHONE
    text = text.translate(FULLWIDTH).strip(STRIP)
    if not text:
        return _MISSING_PHONE
    if _MASK.search(text):
        return _MASKED_PHONE
    if _SPLIT.search(text):
        whole = _one(text)  # sloppy spacing (138  1234  5678) is still one number
        if whole.problem is None:
            return whole
        # Two numbers in one field (138.../139...): the first usable one wins.
        parts = [part for part in _SPLIT.split(text) if part.strip(STRIP)]
        phones = [_one(part.strip(STRIP)) for part in parts]
        return next((phone for phone in phones if phone.problem is None), _INVALID_PHONE)
    return _one(text)


def _one(text: str) -> Phone:
    marked = _EXTENSION.search(text)
    if marked is not None:
        return _with_extension(text[: marked.start()], marked.group(1))
    phone = _plain(text)
    if phone.problem is None:
        return phone
    dashed = _DASH_TAIL.match(text)
    if dashed is not None:
        # 18400001234-5678: the whole is not a number, the part before the last dash is.
        return _with_extension(dashed.group(1), dashed.group(2))
    return phone


def _with_extension(main: str, extension: str) -> Phone:
    phone = _plain(main)
    if phone.problem is not None or phone.number is None:
        return phone
    if phone.kind is PhoneKind.MOBILE:
        return Phone(f"{phone.number}-{extension}", PhoneKind.VIRTUAL)
    if phone.number.startswith("+"):
        # E.164 has no extension, and +49...-123 would read back as one longer number.
        return _INVALID_PHONE
    return Phone(f"{phone.number}-{extension}", phone.kind)


def _plain(text: str) -> Phone:
    digits = text.translate(_NOISE)
    plus = digits.startswith("+")
    if plus:
        digits = digits[1:]
    if not digits.isdigit() or not digits.isascii():
        return _INVALID_PHONE
    if not plus and len(digits) == 11 and digits[0] == "1":
        return Phone(digits, PhoneKind.MOBILE) if _MOBILE.fullmatch(digits) else _INVALID_PHONE
    national = _national(digits, plus)
    if national is not None:
        if _MOBILE.fullmatch(national):
            return Phone(national, PhoneKind.MOBILE)
        if _FIXED_LINE.fullmatch(national):
            return _landline(national)
    if not plus and len(digits) > _LONGEST and not digits.startswith("00"):
        return _INVALID_PHONE  # longer than any CN number (often a number and its extension)
    try:
        number = phonenumbers.parse("+" + digits if plus else digits, _REGION)
    except phonenumbers.NumberParseException:
        return _INVALID_PHONE
    if not phonenumbers.is_valid_number(number):
        return _INVALID_PHONE
    if number.country_code != _CN_CODE:
        return Phone(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
                     PhoneKind.OTHER)  # fmt: skip
    national = phonenumbers.national_significant_number(number)
    kind = phonenumbers.number_type(number)
    if kind == PhoneNumberType.MOBILE:
        return Phone(national, PhoneKind.MOBILE)
    if kind in _FIXED:
        # No trunk 0 was written (3101230): only a whole area code + 7-8 digit local number
        # is a landline; libphonenumber's shorter ones would gain a 0 and split differently
        # when read back (031-01230 -> 0310-1230).
        area = _area_length(national)
        if len(national) - area in _LOCAL_LENGTHS and _FIXED_LINE.fullmatch(national):
            return _landline(national)
        return _INVALID_PHONE
    # 400/800 service numbers and the like: valid, callable, but neither mobile nor landline.
    return Phone(national, PhoneKind.OTHER)


def _area_length(national: str) -> int:
    """Beijing (10) and the 2x cities have two-digit area codes, everyone else three."""
    return 2 if national[0] == "2" or national.startswith("10") else 3


def _landline(national: str) -> Phone:
    area = _area_length(national)
    return Phone(f"0{national[:area]}-{national[area:]}", PhoneKind.LANDLINE)


def _national(digits: str, plus: bool) -> str | None:
    """The CN national number behind +86, 0086, 86 (before a mobile) or the trunk 0, if any."""
    if plus:
        return digits[2:] if digits.startswith("86") else None
    if digits.startswith("0086"):
        return digits[4:]
    if digits.startswith("0"):
        return digits[1:]
    if len(digits) == 13 and digits.startswith("861"):
        return digits[2:]
    return None


__all__ = ["INVALID", "MASKED", "MISSING", "normalize_phone"]
