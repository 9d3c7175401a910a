"""A file's bytes, its format and its text encoding, told from the bytes, never the name."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from batch_ship.errors import InputError, missing_file
from batch_ship.i18n import _

_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SNIFF = 1 << 16  # the bytes looked at to tell the encoding and the first rows

Source = Path | str | BinaryIO


@dataclass(frozen=True)
class RawFile:
    """A file's bytes and the name to use in messages."""

    data: bytes
    path: Path

    @property
    def name(self) -> str:
        return self.path.name


def load_bytes(source: Source) -> RawFile:
    """Read a path or a binary file object; a missing or unreadable file is an InputError."""
    if isinstance(source, str | Path):
        path = Path(source)
        try:
            return RawFile(path.read_bytes(), path)
        except FileNotFoundError:
            raise missing_file(path) from None
        except IsADirectoryError:
            raise InputError(
                _("is a folder, not a file"), path=path, hint=_("name a file")
            ) from None
        except OSError as error:
            raise InputError(
                _("cannot read the file ({strerror})").format(strerror=error.strerror),
                path=path,
                hint=_("check permissions"),
            ) from None
    name = getattr(source, "name", None)
    data = source.read()
    if isinstance(data, str):
        raise InputError(
            _("the file object was opened in text mode"),
            path=Path(str(name or "<stream>")),
            hint=_("open it in binary mode ('rb')"),
        )
    return RawFile(bytes(data), Path(str(name)) if isinstance(name, str) else Path("<stream>"))


def sniff_format(data: bytes) -> str:
    """'xlsx', 'xls' or 'csv', decided by the bytes, never by the file extension."""
    if data.startswith(_XLSX_MAGIC):
        return "xlsx"
    if data.startswith(_XLS_MAGIC):
        return "xls"
    return "csv"


def detect_encoding(raw: RawFile) -> str:
    """The text encoding: a BOM, else a strict UTF-8 decode of a sample, else GB18030.

    Binary content (NUL bytes) and bytes that no candidate decodes are InputErrors.
    """
    data = raw.data
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = data[:SNIFF]
    if b"\x00" in sample:
        raise _not_text(raw)
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(sample, final=len(data) <= SNIFF)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    try:
        codecs.getincrementaldecoder("gb18030")("strict").decode(sample, final=len(data) <= SNIFF)
    except UnicodeDecodeError as error:
        raise _undecodable(raw, error.start) from None
    return "gb18030"


def decode_sample(raw: RawFile, encoding: str) -> str:
    """The first SNIFF bytes as text (a character cut at the end dropped, no BOM)."""
    decoder = codecs.getincrementaldecoder(encoding)("ignore")
    return decoder.decode(raw.data[:SNIFF], final=len(raw.data) <= SNIFF).lstrip("\ufeff")


def decode_failure(raw: RawFile, encoding: str) -> InputError:
    """Locate the first undecodable byte (only on this error path: a full decode is slow)."""
    try:
        raw.data.decode("utf-8" if encoding.startswith("utf-8") else encoding)
    except UnicodeDecodeError as error:
        return _undecodable(raw, error.start)
    return InputError(
        _("the text cannot be decoded"),
        path=raw.path,
        hint=_("re-export the report, or save it as CSV UTF-8 or GBK"),
    )


def _not_text(raw: RawFile) -> InputError:
    return InputError(
        _("this is not a CSV or spreadsheet file (it holds binary data)"),
        path=raw.path,
        hint=_(
            "export the report again from the seller centre as CSV, or pass the .xlsx/.xls file"
        ),
    )


def _undecodable(raw: RawFile, offset: int) -> InputError:
    line = raw.data.count(b"\n", 0, offset) + 1
    return InputError(
        _(
            "the text is neither UTF-8 nor GB18030/GBK (undecodable bytes at byte "
            "{offset}, line {line})"
        ).format(offset=offset, line=line),
        path=raw.path,
        row=line,
        hint=_("re-export the report from the seller centre, or save it as CSV UTF-8 or GBK"),
    )
