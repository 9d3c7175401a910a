"""Legacy .xls files: their BIFF records read for the limits."""

from __future__ import annotations

import struct
from pathlib import Path

from batch_ship.spreadsheets.xls_limits import _check_records


def test_a_record_cut_short_at_the_end_is_left_to_the_reader() -> None:
    number = struct.pack("<HH", 0x0203, 14) + struct.pack("<HHH", 3, 1, 0) + b"\0" * 8
    cut = struct.pack("<HH", 0x0203, 14) + b"\0\0"  # a NUMBER record with 2 of its 14 bytes
    _check_records(number + cut, Path("cut.xls"))  # no struct.error: calamine says damaged
