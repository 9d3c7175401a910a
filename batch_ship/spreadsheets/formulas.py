"""The rows of a workbook holding formula cells: what a reader shows there is only the
formula's last result, never a value a person typed."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from pathlib import Path

from batch_ship.spreadsheets.files import sniff_format
from batch_ship.spreadsheets.xls_limits import records, workbook_stream

# An .xlsx cell with a formula element (`<f>`) within its first 200 bytes.
_XLSX_FORMULA = re.compile(rb'<c r="[A-Z]+([0-9]+)"[^>]*>(?:(?!</c>).){0,200}?<f[ >/]', re.S)
_XLS_FORMULA = 0x0006  # BIFF's FORMULA record: row and column first


def formula_rows(data: bytes, path: Path) -> set[int]:
    """The rows (1-based) of any sheet of an .xlsx or .xls holding a formula cell; none in a
    CSV. Call it once the workbook has passed the limits (read.py's readers check them)."""
    kind = sniff_format(data)
    if kind == "xlsx":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
            texts = [archive.read(name) for name in sheets if name.endswith(".xml")]
        return {int(found.group(1)) for text in texts for found in _XLSX_FORMULA.finditer(text)}
    if kind == "xls":
        stream = workbook_stream(data, path)
        return {
            struct.unpack_from("<H", stream, body)[0] + 1
            for record, body, length in records(stream)
            if record == _XLS_FORMULA and length >= 2
        }
    return set()
