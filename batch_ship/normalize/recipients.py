"""The recipient columns of the order table in bulk: names, phones, addresses and problems."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from batch_ship.i18n import N_
from batch_ship.model import Problem
from batch_ship.normalize import addresses, contacts, names, phones
from batch_ship.normalize.bulk_addresses import UNCLEAN_SPACE, address_columns
from batch_ship.normalize.bulk_phones import phone_columns
from batch_ship.normalize.columnar import (
    EMPTY,
    TEXT,
    flags,
    merge,
    per_value,
    scatter,
    text_column,
    utf8_alternatives,
)
from batch_ship.normalize.regions import load_regions
from batch_ship.problems import in_order, join_codes, message, split_codes
from batch_ship.progress import Progress, no_progress
from batch_ship.sources.canonical import ADDRESS, MOBILE, NAME, TELEPHONE

OUTPUT_COLUMNS = (
    "recipient_name", "phone", "phone_kind", "province", "city", "district", "detail",
    "postcode", "problems",
)  # fmt: skip

_MISSING_NAME = pa.scalar(names.MISSING, TEXT)
_STEP = N_("normalize recipients")
# Rows the vectorized path leaves to normalize_name: anything it would change (spaces other
# than one " ", zero-width characters).
_NAME_UNCLEAN = UNCLEAN_SPACE + b"|" + utf8_alternatives(names.INVISIBLE)

_NAME_CODES = (None, names.MISSING)
_PHONE_CODES = (None, phones.MISSING, phones.MASKED, phones.INVALID)
_ADDRESS_CODES = (None, addresses.MISSING, addresses.UNRESOLVED, addresses.CONFLICT)


# Every combination of one name, one phone and one address problem, as codes in registry
# order: each row's problems are one of these, picked by its combination number.
_COMBINATIONS = [
    in_order((n, p, a)) for n in _NAME_CODES for p in _PHONE_CODES for a in _ADDRESS_CODES
]
_PROBLEM_TUPLES = np.empty(len(_COMBINATIONS), dtype=object)
for _index, _codes in enumerate(_COMBINATIONS):
    _PROBLEM_TUPLES[_index] = _codes  # one by one: numpy would unpack tuples given at once
_PROBLEM_TEXTS = pa.array([join_codes(codes) for codes in _COMBINATIONS], TEXT)


def _names(values: pa.Array) -> pa.Array:
    unclean = pc.match_substring_regex(values.cast(pa.large_binary()), _NAME_UNCLEAN)
    slow = per_value(values, unclean, lambda raw: (names.normalize_name(raw),), 1)
    return merge([values], unclean, slow)[0]


def _index_of(values: pa.Array, codes: Sequence[str | None]) -> np.ndarray[Any, Any]:
    found = pc.index_in(values, value_set=pa.array([code or "" for code in codes], TEXT))
    return np.asarray(pc.fill_null(found, 0).to_numpy(zero_copy_only=False), dtype=np.int64)


def _unpacked(
    name: pa.Array, mobile: pa.Array, telephone: pa.Array, address: pa.Array
) -> tuple[pa.Array, pa.Array, pa.Array, pa.Array]:
    """The four columns with contacts.unpack_block applied to the rows whose address cell may
    hold a pasted block (found in bulk by a superset of its test: a few rows)."""
    hint = pc.match_substring_regex(address, contacts.BLOCK_SHAPE)
    rows = np.flatnonzero(flags(hint))
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
        scatter(column, rows, pa.array([row[field] for row in unpacked], TEXT))
        for field, column in enumerate((name, mobile, address))
    )
    return name, mobile, telephone, address


def _chosen_phone(mobile: pa.Array, telephone: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array]:
    """(number, kind, problem): the first of mobile, telephone without a problem; else the
    mobile's problem (the telephone's when the mobile is empty)."""
    m_number, m_kind, m_problem = phone_columns(mobile)
    t_number, t_kind, t_problem = phone_columns(telephone)
    m_ok = pc.equal(m_problem, EMPTY)
    t_ok = pc.equal(t_problem, EMPTY)
    number = pc.if_else(m_ok, m_number, pc.if_else(t_ok, t_number, EMPTY))
    kind = pc.if_else(m_ok, m_kind, pc.if_else(t_ok, t_kind, EMPTY))
    problem = pc.if_else(
        pc.or_(m_ok, t_ok),
        EMPTY,
        pc.if_else(pc.equal(m_problem, phones.MISSING), t_problem, m_problem),
    )
    return number, kind, problem


def normalize_recipients(orders: pd.DataFrame, progress: Progress = no_progress) -> pd.DataFrame:
    """Recipient name, phone and address of every order, with their problems.

    `orders` has the canonical text columns name, mobile, telephone, address. The result has
    the same index and OUTPUT_COLUMNS, all text; `problems` lists the exception codes of the
    row comma-joined in registry order ('' when clean), the library's form of
    `recipient_table`'s tuples. The phone is the first of mobile, telephone that normalizes
    without a problem; otherwise the mobile's problem (the telephone's when the mobile is
    empty).
    """
    columns, combination = _recipients(orders, progress)
    columns["problems"] = _PROBLEM_TEXTS.take(pa.array(combination))
    frame = pd.DataFrame(
        {key: pd.array(value, dtype="str") for key, value in columns.items()}, index=orders.index
    )
    progress(_STEP, len(orders), len(orders))
    return frame


def recipient_table(orders: pd.DataFrame, progress: Progress = no_progress) -> pd.DataFrame:
    """`normalize_recipients` with `problems` as each row's tuple of codes (() when clean):
    what export and inspect carry on, never joined into text and split again."""
    columns, combination = _recipients(orders, progress)
    frame = pd.DataFrame(
        {key: pd.array(value, dtype="str") for key, value in columns.items()}, index=orders.index
    )
    frame["problems"] = pd.Series(_PROBLEM_TUPLES[combination], index=orders.index, dtype=object)
    progress(_STEP, len(orders), len(orders))
    return frame


def problem_mask(problems: pd.Series) -> np.ndarray[Any, Any]:
    """Which rows of `recipient_table`'s problems column have any problem."""
    values = problems.to_numpy(dtype=object)
    return np.fromiter(map(bool, values), dtype=bool, count=len(values))


def _recipients(
    orders: pd.DataFrame, progress: Progress
) -> tuple[dict[str, pa.Array], np.ndarray[Any, Any]]:
    """The recipient text columns (Arrow) and each row's problem combination number."""
    total = len(orders)
    table = load_regions()
    raw_name, raw_mobile, telephone, raw_address = _unpacked(
        text_column(orders, NAME), text_column(orders, MOBILE), text_column(orders, TELEPHONE),
        text_column(orders, ADDRESS),
    )  # fmt: skip
    # No up-front dedupe of whole values: encoding a million distinct addresses costs more than
    # it saves. Repeats are still computed once: the slow paths work on distinct values, and
    # addresses resolve once per distinct region triple.
    name = _names(raw_name)
    progress(_STEP, total // 4, total)
    number, kind, phone_problem = _chosen_phone(raw_mobile, telephone)
    progress(_STEP, total // 2, total)
    province, city, district, detail, postcode, address_problem = address_columns(
        raw_address, table
    )
    progress(_STEP, total * 3 // 4, total)
    combination = (
        _index_of(pc.if_else(pc.equal(name, EMPTY), _MISSING_NAME, EMPTY), _NAME_CODES)
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
    }
    return columns, np.asarray(combination, dtype=np.int64)


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
    codes = row.get("problems") or ()
    found: list[Problem] = []
    # the library's text form (normalize_recipients) or recipient_table's tuple
    for code in split_codes(codes) if isinstance(codes, str) else codes:
        if code in _COLUMN_OF:
            column: str | None = _COLUMN_OF[code]
        elif code.startswith("phone-"):
            mobile, telephone = row.get(MOBILE), row.get(TELEPHONE)
            mobile_empty = not (isinstance(mobile, str) and mobile.strip(phones.STRIP))
            column = TELEPHONE if mobile_empty and isinstance(telephone, str) else MOBILE
        else:
            column = None
        found.append(Problem(code, column=column, row=row_number, message=message(code)))
    return found


__all__ = ["OUTPUT_COLUMNS", "normalize_recipients", "problems_of", "recipient_table"]
