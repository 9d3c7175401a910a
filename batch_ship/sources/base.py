"""The Source interface every order source implements (Taobao, column-mapped files, ...)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol, cast

from batch_ship.progress import Progress

if TYPE_CHECKING:
    from batch_ship.sources.canonical import OrderTable

# What a reader accepts: a path, or a binary file object (tests pass BytesIO).
OrderInput = Path | str | BinaryIO


def as_list(value: Sequence[OrderInput] | OrderInput | None) -> list[OrderInput]:
    """One input or several as a list."""
    if value is None:
        return []
    if isinstance(value, str | Path) or hasattr(value, "read"):
        return [cast(OrderInput, value)]
    return list(value)


# The rows of a file's top that detection looks at (a header may sit below title rows).
HEAD_ROWS = 30


class Source(Protocol):
    """One kind of order file, read into the canonical OrderTable.

    A source says how much of a file it recognizes from the file's first rows, so callers pick
    it by content; it names the companion files that belong with an order file (Taobao's item
    report); and it reads order files into the canonical table. Register a new one in
    `batch_ship.sources.registry`.
    """

    @property
    def code(self) -> str:
        """The name `--source` takes: taobao, or a mapping file's stem."""
        ...

    @property
    def label(self) -> str:
        """A human name for messages."""
        ...

    def score(self, head: Sequence[Sequence[str]]) -> int:
        """How many header cells of the file's first rows this source knows; 0: not its file."""
        ...

    def companions(self, orders: Sequence[Path]) -> list[Path]:
        """Files that belong with these order files and are read with them (may be none)."""
        ...

    def pair_key(self, path: Path) -> tuple[str, str] | None:
        """For a file this source pairs by name: ("orders" or "items", the key both share);
        None otherwise. `daily` uses it to wait for a pair's second file."""
        ...

    def read(
        self,
        orders: Sequence[OrderInput],
        items: Sequence[OrderInput] | None,
        progress: Progress,
    ) -> OrderTable:
        """The canonical table of these files; InputError for a file that cannot be trusted."""
        ...
