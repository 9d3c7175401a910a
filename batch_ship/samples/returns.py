"""A simulated courier return for a batch: what a courier's site hands back, warts and all."""

from __future__ import annotations

import csv
import io
import random
import zipfile
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pandas as pd

from batch_ship.couriers import Courier, get_courier
from batch_ship.errors import InputError
from batch_ship.i18n import _
from batch_ship.ledger import Ledger
from batch_ship.publish import publish_file
from batch_ship.tracking_numbers import (
    MAX_RANGE,
    RangeError,
    TrackingRule,
    describe_rule,
    number_range,
    s10_check_digit,
    validate_all,
)
from batch_ship.workspace import Workspace

DAMAGED_EVERY = 7  # every 7th reference is a numeric cell, as after a careless re-save
MASKED_EVERY = 3  # every 3rd phone masked (138****5678), as courier sites show them
SPLIT_EVERY = 40  # every 40th parcel went out in two boxes (two numbers)
TRACKING_HEADERS = {"ems": "邮件号", "sf": "运单号", "jd": "运单号"}

# Shapes of real numbers, tried in order until one fits the courier's rule.
_Shape = Callable[[random.Random], str]
_SHAPES: tuple[_Shape, ...] = (
    lambda rng: f"73{rng.randrange(10**11, 5 * 10**11):012d}",
    lambda rng: f"77{rng.randrange(10**11, 5 * 10**11):012d}",
    lambda rng: f"{rng.randrange(10**11, 5 * 10**11):012d}",
    lambda rng: f"4{rng.randrange(10**11, 5 * 10**11):012d}",
    lambda rng: f"SF{rng.randrange(10**12, 5 * 10**12):013d}",
    lambda rng: f"YT{rng.randrange(10**12, 5 * 10**12):013d}",
    lambda rng: f"JT{rng.randrange(10**12, 5 * 10**12):013d}",
    lambda rng: f"JDVA{rng.randrange(10**10, 5 * 10**10):011d}",
    lambda rng: f"3{rng.randrange(10**13, 5 * 10**13):014d}",
    lambda rng: f"{rng.randrange(10**9, 5 * 10**9):010d}",
)


def sample_numbers(courier: Courier, count: int, rng: random.Random) -> list[str]:
    """`count` consecutive numbers valid for the courier's rule (S10 when it checks S10)."""
    rule = courier.tracking
    if rule.check == "s10":
        serial = f"{rng.randrange(10**7, 5 * 10**7):08d}"
        starts = [f"EA{serial}{s10_check_digit(serial)}CN"]
    else:
        starts = [shape(rng) for shape in _SHAPES]
    for start in starts:
        try:
            numbers = _consecutive(rule, start, count)
        except RangeError:
            continue
        if validate_all(rule, numbers).all():
            return numbers
    raise InputError(
        _("cannot make up tracking numbers for {name}: numbers have {value}").format(
            name=courier.name, value=describe_rule(rule)
        ),
        hint=_("give the courier template a pattern of digits and capital letters"),
    )


def _consecutive(rule: TrackingRule, start: str, count: int) -> list[str]:
    """`number_range` without its MAX_RANGE cap (a guard for user input, not for samples)."""
    numbers: list[str] = []
    while True:
        numbers += number_range(rule, start, count=min(count - len(numbers), MAX_RANGE))
        if len(numbers) >= count:
            return numbers
        start = number_range(rule, numbers[-1], count=2)[1]


def _masked(phone: str) -> str:
    digits = phone.replace("-", "")
    if len(digits) == 11 and digits.isdigit():
        return f"{digits[:3]}****{digits[-4:]}"
    return phone


def sample_return_frame(
    parcels: pd.DataFrame, courier: Courier, seed: int | str = 1
) -> tuple[list[str], list[list[str | float]]]:
    """Header and rows of a return for these parcels: shuffled, some references as numbers,
    some phones masked, some parcels split over two numbers (two rows, or two in one cell)."""
    rng = random.Random(seed)
    splits = len(range(SPLIT_EVERY - 1, len(parcels), SPLIT_EVERY))
    numbers = iter(sample_numbers(courier, len(parcels) + splits, rng))
    tracking_header = TRACKING_HEADERS.get(courier.code, "运单号")
    header = [courier.reference_header, tracking_header, "收件人", "收件人手机", "寄件日期"]
    today = date.today().isoformat()
    rows: list[list[str | float]] = []
    columns = (parcels[name].astype("str").tolist() for name in ("reference", "phone", "name"))
    for position, (reference, phone, name) in enumerate(zip(*columns, strict=True)):
        cell: str | float = reference
        if position % DAMAGED_EVERY == DAMAGED_EVERY - 1 and reference.isdigit():
            cell = float(reference)  # a numeric cell: a 19-digit id keeps ~15 digits
        shown_phone = _masked(phone) if position % MASKED_EVERY == 0 else phone
        first = next(numbers)
        split = position % SPLIT_EVERY == SPLIT_EVERY - 1  # arithmetic, not a list lookup
        if split and (position // SPLIT_EVERY) % 2:
            rows.append([cell, f"{first},{next(numbers)}", name, shown_phone, today])
            continue
        rows.append([cell, first, name, shown_phone, today])
        if split:
            rows.append([cell, next(numbers), name, shown_phone, today])
    rng.shuffle(rows)
    return header, rows


def write_sample_return(workspace: Workspace, batch_id: str, path: Path, seed: int = 1) -> Path:
    """Write a simulated courier return for a batch (xlsx; csv when `path` ends in .csv)."""
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".csv"):
        raise InputError(
            _("a sample return is .xlsx or .csv"), path=path, hint=_("rename the file")
        )
    if not workspace.ledger_path.is_file():
        raise InputError(
            _("no ledger in this workspace"), path=workspace.ledger_path, hint=_("run export first")
        )
    with Ledger.open(workspace.ledger_path) as ledger:
        info = ledger.batch(batch_id)
        if info is None:
            known = ", ".join(batch.batch_id for batch in ledger.batches()[-10:]) or "none"
            raise InputError(
                _("unknown batch {batch_id!r}").format(batch_id=batch_id),
                hint=_("known batches: {known}").format(known=known),
            )
        parcels = ledger.parcels(batch_id)
    courier = get_courier(info.courier, workspace.config.templates)
    # the batch id in the seed: two batches' returns never share tracking numbers
    header, rows = sample_return_frame(parcels, courier, f"{seed}:{batch_id}")
    title = f"{courier.name} 批量下单结果 {batch_id}"
    with publish_file(path) as staged:
        if path.suffix.lower() == ".csv":
            staged.write_bytes(_csv_bytes(title, header, rows))
        else:
            write_return_xlsx(staged, title, header, rows)
    return path


def _csv_bytes(title: str, header: list[str], rows: list[list[str | float]]) -> bytes:
    """GB18030 like a courier site's CSV; numeric references as Excel saves them (15 digits)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([title] + [""] * (len(header) - 1))  # padded, as Excel saves a CSV
    writer.writerow(header)
    for row in rows:
        writer.writerow([f"{cell:.14E}" if isinstance(cell, float) else cell for cell in row])
    return buffer.getvalue().encode("gb18030")


# str.translate table: markup escaped; control characters XML 1.0 cannot hold dropped.
_XML_TEXT: dict[int, str | None] = {
    **dict.fromkeys([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF]),
    ord("&"): "&amp;",
    ord("<"): "&lt;",
    ord(">"): "&gt;",
}
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)


def _cell(value: str | float) -> str:
    if isinstance(value, float):
        return f'<c t="n"><v>{value!r}</v></c>'
    # letters and digits only need nothing; otherwise one C call escapes and drops what XML
    # cannot hold (faster than a regex and escape())
    text = value if value.isalnum() else value.translate(_XML_TEXT)
    return f'<c t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _sheet_xml(rows: list[list[str | float]]) -> Iterator[str]:
    yield (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<sheetData>"
    )
    for number, row in enumerate(rows, start=1):
        yield f'<row r="{number}">{"".join(map(_cell, row))}</row>'
    yield "</sheetData></worksheet>"


def write_return_xlsx(
    path: Path, title: str, header: list[str], rows: list[list[str | float]]
) -> Path:
    """A minimal one-sheet workbook written directly (linear; openpyxl took minutes at 1M
    rows): inline strings, numeric cells for the damaged references."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        book.writestr("[Content_Types].xml", _CONTENT_TYPES)
        book.writestr("_rels/.rels", _ROOT_RELS)
        book.writestr("xl/workbook.xml", _WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            chunk: list[str] = []
            lead: list[list[str | float]] = [[title], [], [*header]]
            for part in _sheet_xml(lead + rows):
                chunk.append(part)
                if len(chunk) >= 10_000:
                    sheet.write("".join(chunk).encode("utf-8"))
                    chunk.clear()
            sheet.write("".join(chunk).encode("utf-8"))
    return path
