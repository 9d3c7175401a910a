"""A simulated courier return for a batch: what a courier's site hands back, warts and all."""

from __future__ import annotations

import csv
import io
import os
import random
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd

from batch_ship.couriers import Courier, get_courier
from batch_ship.errors import InputError
from batch_ship.ledger import Ledger
from batch_ship.tracking_numbers import RangeError, number_range, s10_check_digit, validate
from batch_ship.uploads import stage_bytes
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
            numbers = number_range(rule, start, count=count)
        except RangeError:
            continue
        if all(validate(rule, number) for number in numbers):
            return numbers
    raise InputError(
        f"cannot make up tracking numbers for {courier.name}: no known shape fits {rule.pattern}",
        hint="give the courier template a pattern of digits and capital letters",
    )


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
    splits = list(range(SPLIT_EVERY - 1, len(parcels), SPLIT_EVERY))
    numbers = iter(sample_numbers(courier, len(parcels) + len(splits), rng))
    tracking_header = TRACKING_HEADERS.get(courier.code, "运单号")
    header = [courier.reference_header, tracking_header, "收件人", "收件人手机", "寄件日期"]
    today = date.today().isoformat()
    rows: list[list[str | float]] = []
    for position, record in enumerate(parcels.itertuples(index=False)):
        reference = str(record.reference)
        phone = str(record.phone)
        cell: str | float = reference
        if position % DAMAGED_EVERY == DAMAGED_EVERY - 1 and reference.isdigit():
            cell = float(reference)  # a numeric cell: a 19-digit id keeps ~15 digits
        shown_phone = _masked(phone) if position % MASKED_EVERY == 0 else phone
        first = next(numbers)
        if position in splits and (position // SPLIT_EVERY) % 2:
            rows.append([cell, f"{first},{next(numbers)}", str(record.name), shown_phone, today])
            continue
        rows.append([cell, first, str(record.name), shown_phone, today])
        if position in splits:
            rows.append([cell, next(numbers), str(record.name), shown_phone, today])
    rng.shuffle(rows)
    return header, rows


def write_sample_return(workspace: Workspace, batch_id: str, path: Path, seed: int = 1) -> Path:
    """Write a simulated courier return for a batch (xlsx; csv when `path` ends in .csv)."""
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".csv"):
        raise InputError("a sample return is .xlsx or .csv", path=path, hint="rename the file")
    if not workspace.ledger_path.is_file():
        raise InputError(
            "no ledger in this workspace", path=workspace.ledger_path, hint="run export first"
        )
    with Ledger.open(workspace.ledger_path) as ledger:
        info = ledger.batch(batch_id)
        if info is None:
            known = ", ".join(batch.batch_id for batch in ledger.batches()[-10:]) or "none"
            raise InputError(f"unknown batch {batch_id!r}", hint=f"known batches: {known}")
        parcels = ledger.parcels(batch_id)
    courier = get_courier(info.courier, workspace.config.templates)
    # the batch id in the seed: two batches' returns never share tracking numbers
    header, rows = sample_return_frame(parcels, courier, f"{seed}:{batch_id}")
    title = f"{courier.name} 批量下单结果 {batch_id}"
    if path.suffix.lower() == ".csv":
        staged = stage_bytes(path, _csv_bytes(title, header, rows))
    else:
        staged = _stage_xlsx(path, title, header, rows)
    os.replace(staged, path)
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


def _stage_xlsx(path: Path, title: str, header: list[str], rows: list[list[str | float]]) -> Path:
    from openpyxl import Workbook

    staged = stage_bytes(path, b"")
    try:
        book = Workbook(write_only=True)
        sheet = book.create_sheet("Sheet1")
        sheet.append([title])
        sheet.append([])
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        book.save(staged)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    return staged
