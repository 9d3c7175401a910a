"""Random text columns built in Arrow (no Python string per row) and the CSV text made of them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def pick(rng: np.random.Generator, values: tuple[str, ...], n: int) -> pa.Array:
    """n random picks from `values` (an Arrow take: no Python string per row)."""
    return lookup(values, rng.integers(0, len(values), n))


def lookup(values: Sequence[str], index: np.ndarray) -> pa.Array:
    return pc.take(pa.array(list(values), type=pa.string()), pa.array(index))


def digits(rng: np.random.Generator, n: int, width: int) -> pa.Array:
    """n random digit strings of exactly `width` characters (leading zeros kept)."""
    values = pa.array(rng.integers(0, 10**width, n, dtype=np.int64)).cast(pa.string())
    return pc.utf8_lpad(values, width, "0")


def cat(*parts: pa.Array | str) -> pa.Array:
    """Element-wise concatenation of string arrays and scalars."""
    return pc.binary_join_element_wise(*parts, "")


def repeat(value: str, n: int) -> pa.Array:
    return pa.repeat(pa.scalar(value, pa.string()), n)


def where(mask: np.ndarray, yes: pa.Array | str, no: pa.Array | str) -> pa.Array:
    return pc.if_else(pa.array(mask), yes, no)


def text(values: np.ndarray) -> pa.Array:
    """Numbers as their decimal text."""
    return pa.array(values).cast(pa.string())


def two_digits(values: np.ndarray) -> pa.Array:
    return pc.utf8_lpad(text(values), 2, "0")


def money(cents: np.ndarray) -> pa.Array:
    """'12.30' from 1230."""
    cents = np.asarray(cents, dtype=np.int64)
    return cat(text(cents // 100), ".", two_digits(cents % 100))


def timestamps(seconds: np.ndarray) -> pa.Array:
    """'2026-11-25 HH:MM:SS' (the 26th past midnight) from seconds into 2026-11-25; built from
    digit columns because pyarrow's strftime is locale-bound and slow."""
    day, rest = np.divmod(seconds, 86400)
    hours, rest = np.divmod(rest, 3600)
    minutes, secs = np.divmod(rest, 60)
    return cat(
        "2026-11-", two_digits(25 + day), " ", two_digits(hours), ":",
        two_digits(minutes), ":", two_digits(secs),
    )  # fmt: skip


def csv_field(values: pa.Array) -> pa.Array:
    """Quote a CSV field when it holds a comma, a quote or a line break (RFC 4180)."""
    needs = pc.or_(
        pc.or_(pc.match_substring(values, ","), pc.match_substring(values, '"')),
        pc.or_(pc.match_substring(values, "\n"), pc.match_substring(values, "\r")),
    )
    quoted = cat('"', pc.replace_substring(values, '"', '""'), '"')
    return pc.if_else(needs, quoted, values)


def csv_text(
    headers: tuple[str, ...],
    columns: list[pa.Array],
    *,
    free_text: frozenset[str],
    trailing_comma: bool,
) -> str:
    """The CSV text: CRLF line ends like the seller centre, minimal quoting.

    Only the `free_text` columns can hold a comma, quote or line break: they are quoted where
    they do; every other column is built from safe parts and written raw (an id's `="…"` too,
    exactly as the seller centre does)."""
    fields = [
        csv_field(column) if header in free_text else column
        for header, column in zip(headers, columns, strict=True)
    ]
    if trailing_comma:
        fields.append(pa.nulls(len(columns[0]), pa.string()).fill_null(""))
        headers = (*headers, "")
    rows = cat(pc.binary_join_element_wise(*fields, ","), "\r\n")
    return ",".join(headers) + "\r\n" + joined(rows)


def joined(rows: pa.Array | pa.ChunkedArray) -> str:
    """All values back to back, read straight from the value buffers (no per-row str)."""
    parts = []
    for chunk in rows.chunks if isinstance(rows, pa.ChunkedArray) else [rows]:
        if len(chunk) == 0:
            continue
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        offsets = np.frombuffer(chunk.buffers()[1], dtype=width)
        start, end = offsets[chunk.offset], offsets[chunk.offset + len(chunk)]
        parts.append(str(memoryview(chunk.buffers()[2])[start:end], "utf-8"))
    return "".join(parts)
