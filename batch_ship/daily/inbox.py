"""Daily's folders read: settled spreadsheet files, order reports paired with their item
report by stamp, what waits for the next run, and moving a file into archive or failed."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from batch_ship.i18n import _
from batch_ship.sources.registry import pair_key

SPREADSHEET_SUFFIXES = (".csv", ".xlsx", ".xls", ".xlsm")
# A file modified this recently may still be downloading or being saved: leave it for the next
# run rather than read half a file.
SETTLE_SECONDS = 5.0

Unit = tuple[Path, Path | None]  # an order report and its item report, when there is one


@dataclass(frozen=True)
class Waiting:
    """A file left for a later run, and why."""

    path: Path
    reason: str


def settled_files(
    folder: Path, now: float, settle_seconds: float
) -> tuple[list[Path], list[Waiting], list[Path]]:
    """Spreadsheet files of `folder`, oldest first; too-fresh ones wait, others are ignored."""
    if not folder.is_dir():
        return [], [], []
    ready: list[tuple[float, str, Path]] = []
    waiting: list[Waiting] = []
    ignored: list[Path] = []
    for path in folder.iterdir():
        # Hidden files, Excel's ~$ lock files and partial downloads are never order reports.
        if path.name.startswith((".", "~$")) or not path.is_file():
            continue
        if path.suffix.lower() not in SPREADSHEET_SUFFIXES:
            ignored.append(path)
            continue
        try:
            modified = path.stat().st_mtime
        except OSError:  # vanished between listing and stat
            continue
        if now - modified < settle_seconds:
            waiting.append(Waiting(path, _("modified in the last few seconds; next run")))
            continue
        ready.append((modified, path.name, path))
    ready.sort()
    return [item[2] for item in ready], waiting, sorted(ignored)


def inbox_units(
    inbox: Path, now: float, settle_seconds: float
) -> tuple[list[Unit], list[Waiting], list[Path]]:
    """Order reports paired with their item report by stamp; waiting and ignored files."""
    ready, waiting, ignored = settled_files(inbox, now, settle_seconds)
    fresh = {w.path for w in waiting}
    items_by_stamp: dict[str, Path] = {}
    orders: list[Path] = []
    for path in ready:
        key = pair_key(path)
        if key is not None and key[0] == "items":
            items_by_stamp[key[1]] = path
        else:
            orders.append(path)
    fresh_stamps = _stamps(fresh, "items")
    units: list[Unit] = []
    for path in orders:
        key = pair_key(path)
        stamp = key[1] if key is not None else None
        if stamp is not None and stamp in fresh_stamps:
            waiting.append(Waiting(path, _("its item report is still being written; next run")))
            continue
        units.append((path, items_by_stamp.pop(stamp, None) if stamp is not None else None))
    fresh_order_stamps = _stamps(fresh, "orders")
    for stamp, path in items_by_stamp.items():
        reason = (
            _("its order report is still being written; next run")
            if stamp in fresh_order_stamps
            else _("item report without its order report (ExportOrderList with the same stamp)")
        )
        waiting.append(Waiting(path, reason))
    return units, waiting, ignored


def _stamps(paths: set[Path], role: str) -> set[str]:
    """The pairing keys of the `role` files ("orders" or "items") among `paths`."""
    return {key[1] for path in paths if (key := pair_key(path)) is not None and key[0] == role}


def archive_file(path: Path, folder: Path) -> Path:
    """Move `path` into `folder` (created), never overwriting: name-1.csv, name-2.csv, …"""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    counter = 1
    while target.exists():
        target = folder / f"{path.stem}-{counter}{path.suffix}"
        counter += 1
    os.replace(path, target)
    return target
