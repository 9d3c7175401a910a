"""The Arrow column helpers of the sample generators: money, times, CSV quoting, joined text."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from batch_ship.samples.columns import csv_field, csv_text, joined, money, timestamps


def testjoined_reads_chunked_and_sliced_value_buffers() -> None:
    chunked = pa.chunked_array([pa.array(["a,", "b"]), pa.array(["c\r\n"])]).slice(1)
    assert joined(chunked) == "bc\r\n"
    assert joined(pa.array(["x", "yy", "z"], pa.large_string()).slice(1, 2)) == "yyz"


def test_money_and_timestamps_are_fixed_width_text() -> None:
    assert money(np.array([0, 5, 1230, 100001])).to_pylist() == ["0.00", "0.05", "12.30", "1000.01"]
    seconds = np.array([0, 3661, 86399, 86400 + 59])
    assert timestamps(seconds).to_pylist() == [
        "2026-11-25 00:00:00", "2026-11-25 01:01:01", "2026-11-25 23:59:59", "2026-11-26 00:00:59",
    ]  # fmt: skip


def test_csv_quoting_only_where_needed_and_only_in_free_text() -> None:
    values = pa.array(["plain", "a,b", 'say "hi"', "two\nlines", "cr\r"])
    assert csv_field(values).to_pylist() == [
        "plain", '"a,b"', '"say ""hi"""', '"two\nlines"', '"cr\r"',
    ]  # fmt: skip
    ids = pa.array(['="1"', '="2"'])
    notes = pa.array(["x,y", "z"])
    out = csv_text(("id", "note"), [ids, notes], free_text=frozenset({"note"}), trailing_comma=True)
    assert out == 'id,note,\r\n="1","x,y",\r\n="2",z,\r\n'
