"""The recipient columns of the order table in bulk: names, phones, addresses and problems."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from batch_ship.i18n import N_
from batch_ship.model import Problem
from batch_ship.normalize import addresses, contacts, names, phones
from batch_ship.normalize.regions import NO_DISTRICT_WORDS, RegionTable, load_regions
from batch_ship.progress import Progress, no_progress
from batch_ship.reasons import EXCEPTION_CODES, REASONS
from batch_ship.sources.canonical import ADDRESS, MOBILE, NAME, TELEPHONE

OUTPUT_COLUMNS = (
    "recipient_name", "phone", "phone_kind", "province", "city", "district", "detail",
    "postcode", "problems",
)  # fmt: skip

_TEXT = pa.large_string()
_EMPTY = pa.scalar("", _TEXT)
_MISSING_NAME = pa.scalar(names.MISSING, _TEXT)
_STEP = N_("normalize recipients")

# Rows the vectorized paths leave to the scalar normalizers (which define the answers): anything
# clean_text / normalize_name would change. Matched on UTF-8 bytes, much faster than Unicode
# classes: every character str.split() treats as space except " " (tabs, \x1c-\x1f, NBSP,
# U+1680, U+2000-200A, U+2028/9, U+202F, U+205F, U+3000), two spaces, or an edge space. A
# superset is harmless: those rows just take the scalar path.
_PY_SPACE = (
    b"[\t-\r\x1c-\x1f]|\xc2[\x85\xa0]|\xe1\x9a\x80|\xe2\x80[\x80-\x8a\xa8\xa9\xaf]"
    b"|\xe2\x81\x9f|\xe3\x80\x80|  |^ | $"
)
# Names also drop zero-width characters (U+200B-200D, U+2060, U+FEFF).
_NAME_UNCLEAN = _PY_SPACE + b"|\xe2\x80[\x8b-\x8d]|\xe2\x81\xa0|\xef\xbb\xbf"
# Addresses also map full-width forms (U+FF01-FF5E; EF BC xx / EF BD xx is a superset).
_ADDRESS_UNCLEAN = _PY_SPACE + b"|\xef[\xbc\xbd]"
_PHONE_STRIP = phones.STRIP
_MOBILE_RE = f"^(?:{phones.MOBILE_PATTERN})$"
_PREFIXED_MOBILE_RE = "^(?:\\+86|0086|86)?[ -]?1[0-9]{2}[ -]?[0-9]{4}[ -]?[0-9]{4}$"
_VIRTUAL_RE = f"^(?:{phones.MOBILE_PATTERN})(?:-|转|#|,)[0-9]{{4}}$"
_LANDLINE_SHAPE_RE = "^\\(?0[0-9]{2,3}\\)?[ -]?[0-9]{7,8}$"
_FIXED_LINE_RE = f"^(?:{phones.FIXED_LINE_PATTERN})$"
_DASH = pa.scalar("-", _TEXT)
_SPACE = pa.scalar(" ", _TEXT)
_ZERO = pa.scalar("0", _TEXT)
_KIND_MOBILE = pa.scalar("mobile", _TEXT)
_KIND_VIRTUAL = pa.scalar("virtual", _TEXT)
_KIND_LANDLINE = pa.scalar("landline", _TEXT)
_PHONE_MISSING = pa.scalar(phones.MISSING, _TEXT)
_PHONE_MASKED = pa.scalar(phones.MASKED, _TEXT)
_MASKED_RE = "[*•●]|[0-9][xX]{2,}|[xX]{2,}[0-9]"
_POSTCODE_TAIL = b"^\\([0-9]{6}\\)$"

_NAME_CODES = (None, names.MISSING)
_PHONE_CODES = (None, phones.MISSING, phones.MASKED, phones.INVALID)
_ADDRESS_CODES = (None, addresses.MISSING, addresses.UNRESOLVED, addresses.CONFLICT)


def _order(codes: Sequence[str | None]) -> str:
    present = {code for code in codes if code}
    return ",".join(code for code in EXCEPTION_CODES if code in present)


# Every combination of one name, one phone and one address problem, as the `problems` text.
_PROBLEM_ARRAY = pa.array(
    [_order((n, p, a)) for n in _NAME_CODES for p in _PHONE_CODES for a in _ADDRESS_CODES],
    _TEXT,
)


def _const(value: str, size: int) -> pa.Array:
    return pa.array([value], _TEXT).take(pa.array(np.zeros(size, dtype=np.int32)))


def _match(values: pa.Array, pattern: str) -> pa.Array:
    return pc.match_substring_regex(values, pattern)


def _column(orders: pd.DataFrame, name: str) -> pa.Array:
    """A canonical column as an Arrow large_string array, missing values as ''."""
    if name not in orders.columns:
        return _const("", len(orders))
    series = orders[name]
    if not (isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow"):
        # The canonical table is text already; anything else (object, numbers) is made text
        # here, so a stray number is judged like any other phone or address string.
        series = series.astype("str")
    array = pa.array(series.array)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return pc.fill_null(array.cast(_TEXT), _EMPTY)


def _slow(
    values: pa.Array, mask: pa.Array, func: Callable[[str], tuple[str | None, ...]], width: int
) -> list[pa.Array] | None:
    """`func` over the distinct masked values (each computed once), spread back to their rows."""
    subset = values.filter(mask)
    if len(subset) == 0:
        return None
    encoded = pc.dictionary_encode(subset)
    results = [func(value) for value in encoded.dictionary.to_pylist()]
    return [
        pa.array([result[field] for result in results], _TEXT).take(encoded.indices)
        for field in range(width)
    ]


def _merge(fast: list[pa.Array], mask: pa.Array, slow: list[pa.Array] | None) -> list[pa.Array]:
    """`fast` with the masked rows replaced by `slow` (given for those rows, in order)."""
    if slow is None:
        return fast
    positions = np.flatnonzero(np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool))
    return [_scatter(f, positions, s) for f, s in zip(fast, slow, strict=True)]


def _names(values: pa.Array) -> pa.Array:
    unclean = pc.match_substring_regex(values.cast(pa.large_binary()), _NAME_UNCLEAN)
    slow = _slow(values, unclean, lambda raw: (names.normalize_name(raw),), 1)
    return _merge([values], unclean, slow)[0]


def _phone_parts(raw: str) -> tuple[str, str, str]:
    phone = phones.normalize_phone(raw)
    if phone.problem is not None:
        return "", "", phone.problem
    return phone.number or "", phone.kind.value, ""


def _phones(values: pa.Array) -> list[pa.Array]:
    """(number, kind, problem) per row.

    Empty and bare 11-digit mobiles (nearly every row) are settled first; the other everyday
    forms (+86 mobile, privacy number with a 4-digit extension, landline) are recognised in
    bulk with libphonenumber's own patterns; the rest go through normalize_phone, whose answers
    these all equal.
    """
    text = pc.utf8_trim(values, _PHONE_STRIP)
    empty = pc.equal(text, _EMPTY)
    mobile = _match(text, _MOBILE_RE)
    fast = [
        text,
        pc.if_else(mobile, _KIND_MOBILE, _EMPTY),
        pc.if_else(empty, _PHONE_MISSING, _EMPTY),
    ]
    others = np.flatnonzero(
        ~np.asarray(pc.or_(empty, mobile).to_numpy(zero_copy_only=False), dtype=bool)
    )
    if len(others) == 0:
        return fast
    index = pa.array(others)
    found = _phone_forms(text.take(index), values.take(index))
    return [_scatter(whole, others, part) for whole, part in zip(fast, found, strict=True)]


def _phone_forms(text: pa.Array, values: pa.Array) -> list[pa.Array]:
    """(number, kind, problem) for trimmed phones that are neither empty nor a bare mobile."""
    compact = pc.utf8_slice_codeunits(pc.replace_substring_regex(text, "[ -]", ""), -11)
    prefixed = pc.and_(_match(text, _PREFIXED_MOBILE_RE), _match(compact, _MOBILE_RE))
    virtual = _match(text, _VIRTUAL_RE)
    virtual_number = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(text, 0, 11), pc.utf8_slice_codeunits(text, -4), _DASH
    )
    national = pc.utf8_slice_codeunits(pc.replace_substring_regex(text, "[^0-9]", ""), 1)
    landline = pc.and_(
        pc.and_(_match(text, _LANDLINE_SHAPE_RE), _match(national, _FIXED_LINE_RE)),
        pc.invert(_match(national, _MOBILE_RE)),
    )
    # Beijing (10) and the 2x cities have two-digit area codes, everyone else three.
    two = pc.or_(pc.starts_with(national, "10"), pc.starts_with(national, "2"))
    area = pc.if_else(
        two, pc.utf8_slice_codeunits(national, 0, 2), pc.utf8_slice_codeunits(national, 0, 3)
    )
    local = pc.if_else(
        two, pc.utf8_slice_codeunits(national, 2), pc.utf8_slice_codeunits(national, 3)
    )
    landline_number = pc.binary_join_element_wise(
        pc.binary_join_element_wise(_ZERO, area, _EMPTY), local, _DASH
    )
    number = pc.if_else(
        prefixed, compact,
        pc.if_else(virtual, virtual_number, pc.if_else(landline, landline_number, _EMPTY)),
    )  # fmt: skip
    kind = pc.if_else(
        prefixed, _KIND_MOBILE,
        pc.if_else(virtual, _KIND_VIRTUAL, pc.if_else(landline, _KIND_LANDLINE, _EMPTY)),
    )  # fmt: skip
    # Stars where digits should be (138****5678): normalize_phone says masked for these too.
    masked = _match(text, _MASKED_RE)
    problem = pc.if_else(masked, _PHONE_MASKED, _EMPTY)
    fast = [number, kind, problem]
    rest = pc.invert(pc.or_(pc.or_(prefixed, masked), pc.or_(virtual, landline)))
    return _merge(fast, rest, _slow(values, rest, _phone_parts, 3))


def _triples(picked: pa.Array) -> tuple[np.ndarray[Any, Any], list[tuple[str, str, str]]]:
    """Each row's index into the distinct (province, city, district) token triples, and those."""
    codes: list[np.ndarray[Any, Any]] = []
    words: list[list[str]] = []
    for level in range(3):
        encoded = pc.dictionary_encode(pc.list_element(picked, level))
        codes.append(np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64))
        words.append(encoded.dictionary.to_pylist())
    pair, pairs = pd.factorize(codes[0] * len(words[1]) + codes[1])
    key, triples = pd.factorize(pair.astype(np.int64) * len(words[2]) + codes[2])
    pair_of, third = np.divmod(np.asarray(triples, dtype=np.int64), len(words[2]))
    first, second = np.divmod(np.asarray(pairs, dtype=np.int64)[pair_of], len(words[1]))
    found = [
        (words[0][a], words[1][b], words[2][c])
        for a, b, c in zip(first.tolist(), second.tolist(), third.tolist(), strict=True)
    ]
    return key, found


_DISTRICT, _HEAD, _SKIP = 0, 1, 2  # what the third token X of `省 市 X` turned out to be


def _region_of(
    table: RegionTable, triple: tuple[str, str, str]
) -> tuple[tuple[str, str, str], int] | None:
    """Codes for one distinct `省 市 X` token triple and what X is.

    Exact lookups first (X is the district); else the free-text scan, accepted only when it
    takes the first two tokens as province and city and then either stops right at X (仙桃市
    or 东莞市 with a town, a development zone: X starts the detail) or takes X as 其它区 (the
    detail is the rest, unless a district name starts it). Anything else (a repeated city, a
    misspelt province) is None: normalize_address decides.
    """
    found = addresses.lookup_triple(table, *triple)
    if found is not None:
        return found, _DISTRICT
    first, second, third = triple
    if third[0] in addresses.SEPARATORS or third.endswith(")"):
        return None  # `,x` or a postcode glued to X: the scalar rules trim those
    # The trailing space stands for whatever follows X: scanning never reads past it.
    scanned = addresses.scan(table, f"{first} {second} {third} ")
    if scanned.county or not scanned.city or scanned.before or scanned.conflict:
        return None
    province, city, end = scanned.province, scanned.city, scanned.end
    if end == len(first) + 1 + len(second):
        return (province, city, ""), _HEAD
    if end == len(first) + len(second) + len(third) + 2 and third in NO_DISTRICT_WORDS:
        return (province, city, ""), _SKIP
    return None


def _addresses(values: pa.Array, table: RegionTable) -> list[pa.Array]:
    """(province, city, district, detail, postcode, problem) per row.

    Taobao's `省 市 区 详细地址(邮编)` is resolved once per distinct region triple and split in
    bulk; every other row goes through normalize_address, whose answers these equal.
    """
    size = len(values)
    unclean = np.flatnonzero(np.asarray(
        pc.match_substring_regex(values.cast(pa.large_binary()), _ADDRESS_UNCLEAN)
        .to_numpy(zero_copy_only=False), dtype=bool))  # fmt: skip
    if len(unclean):
        # normalize_address starts with clean_text and depends on nothing else of the raw
        # text, so cleaning these few rows here lets them take the bulk path too.
        cleaned = [addresses.clean_text(raw) for raw in values.take(unclean).to_pylist()]
        values = _scatter(values, unclean, pa.array(cleaned, _TEXT))
    tokens = pc.split_pattern(values, " ", max_splits=3)
    count = np.asarray(pc.list_value_length(tokens).to_numpy(zero_copy_only=False))
    slow_mask = count < 3
    candidate = np.flatnonzero(~slow_mask)
    found: list[pa.Array] = [_const("", 0)] * 6  # values for the candidate rows, in order
    if len(candidate):
        picked = tokens if len(candidate) == size else tokens.take(pa.array(candidate))
        key, triples = _triples(picked)
        region = [_region_of(table, triple) for triple in triples]
        row_ok = np.array([hit is not None for hit in region], dtype=bool)[key]
        has_rest = count[candidate] == 4
        raw_rest = _scatter(
            _const("", len(candidate)),
            np.flatnonzero(has_rest),
            pc.list_element(picked.filter(pa.array(has_rest)), 3),
        )
        detail, postcode, tricky = _split_postcode(raw_rest)
        row_ok &= ~tricky
        where = pa.array(key)
        mode = np.array([hit[1] if hit is not None else -1 for hit in region])[key]
        if (mode == _SKIP).any():
            # After 其它区 the scan tries a district at the start of the rest: leave the rows
            # where a region name could start there.
            starts = pc.utf8_slice_codeunits(detail, 0, 2)
            named = pc.is_in(starts, value_set=_key_starts(table))
            row_ok &= ~((mode == _SKIP) & np.asarray(named.to_numpy(zero_copy_only=False)))
        head = mode == _HEAD
        if head.any():
            # X starts the detail: `X rest`, or X alone. normalize_address would keep a rest
            # that starts with a separator as it is, which the bulk split trims: leave those.
            row_head = head
            starts = pc.utf8_slice_codeunits(raw_rest, 0, 1)
            row_ok &= ~(row_head & np.asarray(
                pc.is_in(starts, value_set=pa.array(list(addresses.SEPARATORS), _TEXT))
                .to_numpy(zero_copy_only=False), dtype=bool))  # fmt: skip
            third = pa.array([triple[2] for triple in triples], _TEXT).take(where)
            joined = pc.if_else(
                pc.equal(detail, _EMPTY), third, pc.binary_join_element_wise(third, detail, _SPACE)
            )
            detail = pc.if_else(pa.array(row_head), joined, detail)
        slow_mask[candidate[~row_ok]] = True
        units = table.units
        found = [
            pa.array(
                [units[hit[0][level]].name if hit and hit[0][level] else "" for hit in region],
                _TEXT,
            ).take(where)
            for level in range(3)
        ]
        found += [detail, postcode, _const("", len(candidate))]
    slow_rows = np.flatnonzero(slow_mask)
    slow = _slow(values, pa.array(slow_mask), addresses.clean_parts, 6)
    if slow is not None:
        slow[5] = pc.fill_null(slow[5], _EMPTY)  # no problem: None from clean_parts
    if slow is None:
        return found  # every row is a candidate that resolved
    # One take per field over [candidate values, slow values]; slow rows win.
    order = np.empty(size, dtype=np.int64)
    order[candidate] = np.arange(len(candidate), dtype=np.int64)
    order[slow_rows] = len(candidate) + np.arange(len(slow_rows), dtype=np.int64)
    index = pa.array(order)
    return [pa.concat_arrays([f, s]).take(index) for f, s in zip(found, slow, strict=True)]


def _key_starts(table: RegionTable) -> pa.Array:
    """The first two characters of every region name and alias (a few thousand)."""
    return pa.array(sorted(table.lengths), _TEXT)


def _scatter(target: pa.Array, index: np.ndarray[Any, Any], values: pa.Array) -> pa.Array:
    """`target` with `values` written at the row positions `index` (ascending).

    One take over both arrays: several times faster than replace_with_mask on strings.
    """
    if len(index) == len(target):
        return values
    if len(index) == 0:
        return target
    order = np.arange(len(target), dtype=np.int64)
    order[index] = len(target) + np.arange(len(index), dtype=np.int64)
    return pa.concat_arrays([target, values]).take(pa.array(order))


def _split_postcode(rest: pa.Array) -> tuple[pa.Array, pa.Array, np.ndarray[Any, Any]]:
    """(detail, postcode, tricky) for the street part; tricky rows need the scalar rules."""
    rest = pc.utf8_ltrim(rest, addresses.SEPARATORS)
    raw = rest.cast(pa.large_binary())
    # The postcode group is ASCII, so its 8 characters are the last 8 bytes; elsewhere those
    # bytes may split a character, so they are only cut (and decoded) where the group is.
    tail = pc.binary_slice(raw, -8)
    has = pc.match_substring_regex(tail, _POSTCODE_TAIL)
    nothing = pa.scalar(b"", pa.large_binary())
    code = pc.if_else(has, pc.binary_slice(tail, 1, 7), nothing).cast(_TEXT)
    postcode = pc.if_else(pc.not_equal(code, addresses.NO_POSTCODE), code, _EMPTY)
    if pc.all(has).as_py():  # Taobao always writes the group, (000000) when there is none
        cut = pc.binary_slice(raw, 0, -8)
    else:
        cut = pc.if_else(has, pc.binary_slice(raw, 0, -8), raw)
    detail = pc.utf8_rtrim(cut.cast(_TEXT), " ")
    # A second postcode group: leave it to the scalar rules.
    second = pc.match_substring_regex(
        pc.binary_slice(detail.cast(pa.large_binary()), -8), _POSTCODE_TAIL
    )
    tricky = pc.and_(has, second)
    return detail, postcode, np.asarray(tricky.to_numpy(zero_copy_only=False))


def _index_of(values: pa.Array, codes: Sequence[str | None]) -> np.ndarray[Any, Any]:
    found = pc.index_in(values, value_set=pa.array([code or "" for code in codes], _TEXT))
    return np.asarray(pc.fill_null(found, 0).to_numpy(zero_copy_only=False), dtype=np.int64)


def _unpacked(
    name: pa.Array, mobile: pa.Array, telephone: pa.Array, address: pa.Array
) -> tuple[pa.Array, pa.Array, pa.Array, pa.Array]:
    """The four columns with contacts.unpack_block applied to the rows whose address cell may
    hold a pasted block (a mobile number or a label in it: found in bulk, a few rows)."""
    hint = pc.match_substring_regex(address, contacts.BLOCK_HINT)
    rows = np.flatnonzero(np.asarray(hint.to_numpy(zero_copy_only=False), dtype=bool))
    if len(rows) == 0:
        return name, mobile, telephone, address
    index = pa.array(rows)
    unpacked = [
        contacts.unpack_block(*row)
        for row in zip(
            *(column.take(index).to_pylist() for column in (name, mobile, telephone, address)),
            strict=True,
        )
    ]
    name, mobile, address = (
        _scatter(column, rows, pa.array([row[field] for row in unpacked], _TEXT))
        for field, column in enumerate((name, mobile, address))
    )
    return name, mobile, telephone, address


def normalize_recipients(orders: pd.DataFrame, progress: Progress = no_progress) -> pd.DataFrame:
    """Recipient name, phone and address of every order, with their problems.

    `orders` has the canonical text columns name, mobile, telephone, address. The result has
    the same index and OUTPUT_COLUMNS; `problems` lists the exception codes of the row in the
    order of EXCEPTION_CODES ('' when clean). The phone is the first of mobile, telephone that
    normalizes without a problem; otherwise the mobile's problem (the telephone's when the
    mobile is empty).
    """
    total = len(orders)
    table = load_regions()
    raw_name, raw_mobile, telephone, raw_address = _unpacked(
        _column(orders, NAME), _column(orders, MOBILE), _column(orders, TELEPHONE),
        _column(orders, ADDRESS),
    )  # fmt: skip
    # No up-front dedupe of whole values: encoding a million distinct addresses costs more than
    # it saves. Repeats are still computed once: the slow paths work on distinct values, and
    # addresses resolve once per distinct region triple.
    name = _names(raw_name)
    progress(_STEP, total // 4, total)
    m_number, m_kind, m_problem = _phones(raw_mobile)
    t_number, t_kind, t_problem = _phones(telephone)
    m_ok = pc.equal(m_problem, _EMPTY)
    t_ok = pc.equal(t_problem, _EMPTY)
    number = pc.if_else(m_ok, m_number, pc.if_else(t_ok, t_number, _EMPTY))
    kind = pc.if_else(m_ok, m_kind, pc.if_else(t_ok, t_kind, _EMPTY))
    phone_problem = pc.if_else(
        pc.or_(m_ok, t_ok),
        _EMPTY,
        pc.if_else(pc.equal(m_problem, phones.MISSING), t_problem, m_problem),
    )
    progress(_STEP, total // 2, total)
    province, city, district, detail, postcode, address_problem = _addresses(raw_address, table)
    progress(_STEP, total * 3 // 4, total)
    combo = (
        _index_of(pc.if_else(pc.equal(name, _EMPTY), _MISSING_NAME, _EMPTY), _NAME_CODES)
        * len(_PHONE_CODES)
        + _index_of(phone_problem, _PHONE_CODES)
    ) * len(_ADDRESS_CODES) + _index_of(address_problem, _ADDRESS_CODES)
    columns = {
        "recipient_name": name,
        "phone": number,
        "phone_kind": kind,
        "province": province,
        "city": city,
        "district": district,
        "detail": detail,
        "postcode": postcode,
        "problems": _PROBLEM_ARRAY.take(pa.array(combo)),
    }
    frame = pd.DataFrame(
        {key: pd.array(value, dtype="str") for key, value in columns.items()}, index=orders.index
    )
    progress(_STEP, total, total)
    return frame


# Which input column a problem points at, for people fixing the exceptions workbook.
_COLUMN_OF = {
    names.MISSING: NAME,
    addresses.MISSING: ADDRESS,
    addresses.UNRESOLVED: ADDRESS,
    addresses.CONFLICT: ADDRESS,
}


def problems_of(row: Mapping[str, Any], row_number: int | None = None) -> list[Problem]:
    """The problems of one output row (plus, when given, its input columns) as Problem values.

    A phone problem points at `telephone` when the row's mobile is empty, else at `mobile`.
    """
    text = row.get("problems") or ""
    found: list[Problem] = []
    for code in str(text).split(","):
        if not code:
            continue
        if code in _COLUMN_OF:
            column: str | None = _COLUMN_OF[code]
        elif code.startswith("phone-"):
            mobile, telephone = row.get(MOBILE), row.get(TELEPHONE)
            mobile_empty = not (isinstance(mobile, str) and mobile.strip(phones.STRIP))
            column = TELEPHONE if mobile_empty and isinstance(telephone, str) else MOBILE
        else:
            column = None
        reason = REASONS.get(code)
        found.append(
            Problem(code, column=column, row=row_number, message=reason.message if reason else code)
        )
    return found


__all__ = ["OUTPUT_COLUMNS", "normalize_recipients", "problems_of"]
