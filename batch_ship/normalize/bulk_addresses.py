"""Address columns in bulk: Taobao's `省 市 区` form per distinct triple, the rest one by one."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from batch_ship.normalize import addresses
from batch_ship.normalize.columnar import (
    EMPTY,
    TEXT,
    const,
    flags,
    per_value,
    scatter,
    utf8_alternatives,
)
from batch_ship.normalize.regions import NO_DISTRICT_WORDS, RegionTable

# Rows the bulk split leaves to the scalar rules (which define the answers): anything
# clean_text would change, matched on UTF-8 bytes (much faster than Unicode classes): a
# space other than " ", two spaces, an edge space, full-width forms (EF BC xx / EF BD xx, a
# superset of U+FF01-FF5E: those rows just take the scalar path).
UNCLEAN_SPACE = utf8_alternatives(addresses.NON_SPACE_WHITESPACE) + b"|  |^ | $"
_UNCLEAN = UNCLEAN_SPACE + b"|\xef[\xbc\xbd]"
_POSTCODE_TAIL = b"^\\([0-9]{6}\\)$"
_SPACE = pa.scalar(" ", TEXT)
_DISTRICT, _HEAD, _SKIP = 0, 1, 2  # what the third token X of `省 市 X` turned out to be


def address_columns(values: pa.Array, table: RegionTable) -> list[pa.Array]:
    """(province, city, district, detail, postcode, problem) per row, '' where none:
    normalize_address's answers.

    Taobao's `省 市 区 详细地址(邮编)` is resolved once per distinct region triple and split in
    bulk; every other row goes through the scalar rules (each distinct text once).
    """
    size = len(values)
    unclean = np.flatnonzero(flags(pc.match_substring_regex(values.cast(pa.large_binary()),
                                                            _UNCLEAN)))  # fmt: skip
    if len(unclean):
        # normalize_address starts with clean_text and depends on nothing else of the raw
        # text, so cleaning these few rows here lets them take the bulk path too.
        cleaned = [addresses.clean_text(raw) for raw in values.take(unclean).to_pylist()]
        values = scatter(values, unclean, pa.array(cleaned, TEXT))
    tokens = pc.split_pattern(values, " ", max_splits=3)
    count = np.asarray(pc.list_value_length(tokens).to_numpy(zero_copy_only=False))
    slow_mask = count < 3
    candidate = np.flatnonzero(~slow_mask)
    found: list[pa.Array] = [const("", 0)] * 6  # values for the candidate rows, in order
    if len(candidate):
        picked = tokens if len(candidate) == size else tokens.take(pa.array(candidate))
        found, resolved = _taobao_rows(picked, count[candidate], table)
        slow_mask[candidate[~resolved]] = True
    slow_rows = np.flatnonzero(slow_mask)
    slow = per_value(values, pa.array(slow_mask), addresses.clean_parts, 6)
    if slow is None:
        return found  # every row is a candidate that resolved
    slow[5] = pc.fill_null(slow[5], EMPTY)  # no problem: None from clean_parts
    # One take per field over [candidate values, slow values]; slow rows win.
    order = np.empty(size, dtype=np.int64)
    order[candidate] = np.arange(len(candidate), dtype=np.int64)
    order[slow_rows] = len(candidate) + np.arange(len(slow_rows), dtype=np.int64)
    index = pa.array(order)
    return [pa.concat_arrays([f, s]).take(index) for f, s in zip(found, slow, strict=True)]


def _taobao_rows(
    picked: pa.Array, count: np.ndarray[Any, Any], table: RegionTable
) -> tuple[list[pa.Array], np.ndarray[Any, Any]]:
    """The six fields of rows split into 3-4 tokens, and which rows they hold for (the others
    go to the scalar rules)."""
    key, triples = _triples(picked)
    region = [_region_of(table, triple) for triple in triples]
    resolved = np.array([hit is not None for hit in region], dtype=bool)[key]
    has_rest = count == 4
    raw_rest = scatter(
        const("", len(picked)),
        np.flatnonzero(has_rest),
        pc.list_element(picked.filter(pa.array(has_rest)), 3),
    )
    detail, postcode, tricky = _split_postcode(raw_rest)
    resolved &= ~tricky
    where = pa.array(key)
    mode = np.array([hit[1] if hit is not None else -1 for hit in region])[key]
    if (mode == _SKIP).any():
        # After 其它区 the scan tries a district at the start of the rest: leave the rows
        # where a region name could start there.
        starts = pc.utf8_slice_codeunits(detail, 0, 2)
        resolved &= ~((mode == _SKIP) & flags(pc.is_in(starts, value_set=_key_starts(table))))
    head = mode == _HEAD
    if head.any():
        # X starts the detail: `X rest`, or X alone. normalize_address would keep a rest
        # that starts with a separator as it is, which the bulk split trims: leave those.
        first = pc.utf8_slice_codeunits(raw_rest, 0, 1)
        separators = pa.array(list(addresses.SEPARATORS), TEXT)
        resolved &= ~(head & flags(pc.is_in(first, value_set=separators)))
        third = pa.array([triple[2] for triple in triples], TEXT).take(where)
        joined = pc.if_else(
            pc.equal(detail, EMPTY), third, pc.binary_join_element_wise(third, detail, _SPACE)
        )
        detail = pc.if_else(pa.array(head), joined, detail)
    units = table.units
    found = [
        pa.array(
            [units[hit[0][level]].name if hit and hit[0][level] else "" for hit in region], TEXT
        ).take(where)
        for level in range(3)
    ]
    return [*found, detail, postcode, const("", len(picked))], resolved


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


def _key_starts(table: RegionTable) -> pa.Array:
    """The first two characters of every region name and alias (a few thousand)."""
    return pa.array(sorted(table.lengths), TEXT)


def _split_postcode(rest: pa.Array) -> tuple[pa.Array, pa.Array, np.ndarray[Any, Any]]:
    """(detail, postcode, tricky) for the street part; tricky rows need the scalar rules.
    The bulk twin of addresses.split_postcode."""
    rest = pc.utf8_ltrim(rest, addresses.SEPARATORS)
    raw = rest.cast(pa.large_binary())
    # The postcode group is ASCII, so its 8 characters are the last 8 bytes; elsewhere those
    # bytes may split a character, so they are only cut (and decoded) where the group is.
    tail = pc.binary_slice(raw, -8)
    has = pc.match_substring_regex(tail, _POSTCODE_TAIL)
    nothing = pa.scalar(b"", pa.large_binary())
    code = pc.if_else(has, pc.binary_slice(tail, 1, 7), nothing).cast(TEXT)
    postcode = pc.if_else(pc.not_equal(code, addresses.NO_POSTCODE), code, EMPTY)
    if pc.all(has).as_py():  # Taobao always writes the group, (000000) when there is none
        cut = pc.binary_slice(raw, 0, -8)
    else:
        cut = pc.if_else(has, pc.binary_slice(raw, 0, -8), raw)
    detail = pc.utf8_rtrim(cut.cast(TEXT), " ")
    # A second postcode group: leave it to the scalar rules.
    second = pc.match_substring_regex(
        pc.binary_slice(detail.cast(pa.large_binary()), -8), _POSTCODE_TAIL
    )
    tricky = pc.and_(has, second)
    return detail, postcode, np.asarray(tricky.to_numpy(zero_copy_only=False))


__all__ = ["UNCLEAN_SPACE", "address_columns"]
