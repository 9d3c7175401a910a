"""Which Taobao files belong together: an order report and its item report share a stamp."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

# The seller centre names the pair ExportOrderList<stamp>.csv / ExportOrderDetailList<stamp>.csv;
# a second download of the same stamp gets " (1)" appended, which stays part of the stamp.
# Names are matched in any case: a file system, a mail client or a person may change it.
_ORDER_REPORT = re.compile(r"^exportorderlist(?P<stamp>.*)$", re.IGNORECASE)
_ITEM_REPORT = re.compile(r"^exportorderdetaillist(?P<stamp>.*)$", re.IGNORECASE)
ITEM_SUFFIXES = (".csv", ".xlsx", ".xls", ".xlsm")


def order_stamp(path: Path) -> str | None:
    """The stamp (lower case) of an order report's file name; None for another name."""
    match = _ORDER_REPORT.match(path.stem)
    return match["stamp"].lower() if match else None


def item_stamp(path: Path) -> str | None:
    """The stamp (lower case) of an item report's file name; None for another name."""
    match = _ITEM_REPORT.match(path.stem)
    return match["stamp"].lower() if match else None


def find_item_report(order_report: Path) -> Path | None:
    """The item report the seller centre wrote beside an order report (same stamp), if any."""
    stamp = order_stamp(order_report)
    folder = order_report.parent
    if stamp is None or not folder.is_dir():
        return None
    for candidate in sorted(folder.iterdir()):
        if (
            candidate.suffix.lower() in ITEM_SUFFIXES
            and item_stamp(candidate) == stamp
            and candidate.is_file()
        ):
            return candidate
    return None


def find_item_reports(order_reports: Sequence[Path]) -> list[Path]:
    """The item report beside each order report, when present, each listed once."""
    found: list[Path] = []
    for path in order_reports:
        item = find_item_report(path)
        if item is not None and item not in found:
            found.append(item)
    return found
