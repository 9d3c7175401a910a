"""Phone columns in bulk: the everyday forms recognised in Arrow, the rest by normalize_phone."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from batch_ship.normalize import phones
from batch_ship.normalize.columnar import EMPTY, TEXT, flags, match, merge, per_value, scatter

# The bulk twins of normalize_phone's rules (tests/test_bulk_phones.py holds them to it).
_MOBILE_RE = f"^(?:{phones.MOBILE_PATTERN})$"
_PREFIXED_MOBILE_RE = "^(?:\\+86|0086|86)?[ -]?1[0-9]{2}[ -]?[0-9]{4}[ -]?[0-9]{4}$"
_VIRTUAL_RE = f"^(?:{phones.MOBILE_PATTERN})(?:-|转|#|,)[0-9]{{4}}$"
_LANDLINE_SHAPE_RE = "^\\(?0[0-9]{2,3}\\)?[ -]?[0-9]{7,8}$"
_FIXED_LINE_RE = f"^(?:{phones.FIXED_LINE_PATTERN})$"
_MASKED_RE = "[*•●]|[0-9][xX]{2,}|[xX]{2,}[0-9]"
_DASH = pa.scalar("-", TEXT)
_ZERO = pa.scalar("0", TEXT)
_KIND_MOBILE = pa.scalar("mobile", TEXT)
_KIND_VIRTUAL = pa.scalar("virtual", TEXT)
_KIND_LANDLINE = pa.scalar("landline", TEXT)
_PHONE_MISSING = pa.scalar(phones.MISSING, TEXT)
_PHONE_MASKED = pa.scalar(phones.MASKED, TEXT)


def _phone_parts(raw: str) -> tuple[str, str, str]:
    phone = phones.normalize_phone(raw)
    if phone.problem is not None:
        return "", "", phone.problem
    return phone.number or "", phone.kind.value, ""


def phone_columns(values: pa.Array) -> list[pa.Array]:
    """(number, kind, problem) per row, '' where none: normalize_phone's answers.

    Empty and bare 11-digit mobiles (nearly every row) are settled first; the other everyday
    forms (+86 mobile, privacy number with a 4-digit extension, landline) are recognised in
    bulk with libphonenumber's own patterns; the rest go through normalize_phone.
    """
    text = pc.utf8_trim(values, phones.STRIP)
    empty = pc.equal(text, EMPTY)
    mobile = match(text, _MOBILE_RE)
    fast = [
        text,
        pc.if_else(mobile, _KIND_MOBILE, EMPTY),
        pc.if_else(empty, _PHONE_MISSING, EMPTY),
    ]
    others = np.flatnonzero(~flags(pc.or_(empty, mobile)))
    if len(others) == 0:
        return fast
    index = pa.array(others)
    found = _phone_forms(text.take(index), values.take(index))
    return [scatter(whole, others, part) for whole, part in zip(fast, found, strict=True)]


def _landline(text: pa.Array) -> tuple[pa.Array, pa.Array]:
    """(is a landline, its `0area-local` form) per trimmed phone."""
    national = pc.utf8_slice_codeunits(pc.replace_substring_regex(text, "[^0-9]", ""), 1)
    landline = pc.and_(
        pc.and_(match(text, _LANDLINE_SHAPE_RE), match(national, _FIXED_LINE_RE)),
        pc.invert(match(national, _MOBILE_RE)),
    )
    # Beijing (10) and the 2x cities have two-digit area codes, everyone else three.
    two = pc.or_(pc.starts_with(national, "10"), pc.starts_with(national, "2"))
    area = pc.if_else(
        two, pc.utf8_slice_codeunits(national, 0, 2), pc.utf8_slice_codeunits(national, 0, 3)
    )
    local = pc.if_else(
        two, pc.utf8_slice_codeunits(national, 2), pc.utf8_slice_codeunits(national, 3)
    )
    number = pc.binary_join_element_wise(
        pc.binary_join_element_wise(_ZERO, area, EMPTY), local, _DASH
    )
    return landline, number


def _phone_forms(text: pa.Array, values: pa.Array) -> list[pa.Array]:
    """(number, kind, problem) for trimmed phones that are neither empty nor a bare mobile."""
    compact = pc.utf8_slice_codeunits(pc.replace_substring_regex(text, "[ -]", ""), -11)
    prefixed = pc.and_(match(text, _PREFIXED_MOBILE_RE), match(compact, _MOBILE_RE))
    virtual = match(text, _VIRTUAL_RE)
    virtual_number = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(text, 0, 11), pc.utf8_slice_codeunits(text, -4), _DASH
    )
    landline, landline_number = _landline(text)
    number = pc.if_else(
        prefixed, compact,
        pc.if_else(virtual, virtual_number, pc.if_else(landline, landline_number, EMPTY)),
    )  # fmt: skip
    kind = pc.if_else(
        prefixed, _KIND_MOBILE,
        pc.if_else(virtual, _KIND_VIRTUAL, pc.if_else(landline, _KIND_LANDLINE, EMPTY)),
    )  # fmt: skip
    # Stars where digits should be (138****5678): normalize_phone says masked for these too.
    masked = match(text, _MASKED_RE)
    problem = pc.if_else(masked, _PHONE_MASKED, EMPTY)
    fast = [number, kind, problem]
    rest = pc.invert(pc.or_(pc.or_(prefixed, masked), pc.or_(virtual, landline)))
    return merge(fast, rest, per_value(values, rest, _phone_parts, 3))


__all__ = ["phone_columns"]
