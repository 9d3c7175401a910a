"""A file's bytes, its format and its encoding, told from the bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from batch_ship.errors import InputError
from batch_ship.spreadsheets.files import RawFile, detect_encoding, sniff_format


def _raw(data: bytes) -> RawFile:
    return RawFile(data, Path("x.csv"))


def test_detect_encoding_bom_then_utf8_then_gb18030() -> None:
    assert detect_encoding(_raw("\ufeff订单".encode())) == "utf-8-sig"
    assert detect_encoding(_raw("订单编号,状态".encode())) == "utf-8"
    assert detect_encoding(_raw("订单编号,状态".encode("gbk"))) == "gb18030"
    assert detect_encoding(_raw(b"plain,ascii")) == "utf-8"
    assert detect_encoding(_raw("订单".encode("utf-16"))) == "utf-16"


def test_detect_encoding_refuses_binary_and_undecodable() -> None:
    with pytest.raises(InputError, match="binary"):
        detect_encoding(_raw(b"a,b\x00c"))
    with pytest.raises(InputError, match="neither UTF-8 nor GB18030") as caught:
        detect_encoding(_raw(b"a,b\nc,\xff\xff\n"))
    assert caught.value.row == 2


def test_sniff_format_by_bytes_not_extension() -> None:
    assert sniff_format(b"PK\x03\x04rest") == "xlsx"
    assert sniff_format(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest") == "xls"
    assert sniff_format(b"a,b") == "csv"
