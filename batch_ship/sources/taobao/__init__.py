"""The Taobao/Tmall source: the seller centre's order report and its item report."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from batch_ship.progress import Progress
from batch_ship.sources.base import OrderInput
from batch_ship.sources.taobao.headers import ORDER_HEADERS
from batch_ship.sources.taobao.pairing import (
    find_item_report,
    find_item_reports,
    item_stamp,
    order_stamp,
)

if TYPE_CHECKING:
    from batch_ship.sources.canonical import OrderTable


class TaobaoSource:
    """The built-in default source (see `batch_ship.sources.taobao.reader`). `templates_dir`
    is the workspace's templates folder: its courier and marketplace layouts are our own
    files, which the reader refuses (file_kinds)."""

    code = "taobao"
    label = "Taobao/Tmall order report"

    def __init__(self, templates_dir: Path | None = None) -> None:
        self._templates = templates_dir

    def score(self, head: Sequence[Sequence[str]]) -> int:
        """The order-report headers of the first row file_kinds calls an order report or an
        exceptions workbook (one definition of those shapes)."""
        from batch_ship.sources.file_kinds import FileKind, kind_of_header, our_layouts

        layouts = our_layouts(self._templates)
        for row in head:
            kind, _ = kind_of_header(row, layouts)
            if kind in (FileKind.ORDER_REPORT, FileKind.EXCEPTIONS):
                return sum(cell in ORDER_HEADERS for cell in row)
        return 0

    def companions(self, orders: Sequence[Path]) -> list[Path]:
        return find_item_reports(orders)

    def pair_key(self, path: Path) -> tuple[str, str] | None:
        stamp = item_stamp(path)
        if stamp is not None:
            return "items", stamp
        stamp = order_stamp(path)
        return None if stamp is None else ("orders", stamp)

    def read(
        self, orders: Sequence[OrderInput], items: Sequence[OrderInput] | None, progress: Progress
    ) -> OrderTable:
        from batch_ship.sources.file_kinds import our_layouts
        from batch_ship.sources.taobao.reader import read_orders

        return read_orders(orders, list(items or []), progress, our_layouts(self._templates))


__all__ = ["TaobaoSource", "find_item_report", "find_item_reports"]


def __getattr__(name: str) -> object:
    # `read_orders` of the reader, loaded on first use: the reader brings pandas and Arrow.
    if name == "read_orders":
        from batch_ship.sources.taobao.reader import read_orders

        return read_orders
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
