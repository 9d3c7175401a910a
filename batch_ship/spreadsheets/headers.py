"""Header rows: cleaning a header cell, finding the header row under title rows, applying it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from batch_ship.errors import InputError
from batch_ship.i18n import _


def clean_header(name: object) -> str:
    """A header cell as matched against names: whitespace, '=' and quotes stripped."""
    return str(name).strip().strip("=\"'").strip().replace("\ufeff", "")


def find_header_row(
    frame: pd.DataFrame,
    wanted: set[str],
    synonyms: Mapping[str, str] | None = None,
    *,
    limit: int = 30,
) -> int:
    """The 0-based index of the first row (of the first `limit`) that names every wanted column.

    Cells are compared after `clean_header`; `synonyms` maps alternative names to the wanted
    ones. Raises LookupError naming the missing columns of the best candidate row when none fits
    (the caller turns it into an InputError naming its file).
    """
    synonyms = synonyms or {}
    best: tuple[int, set[str]] | None = None
    for index in range(min(limit, len(frame))):
        cells = {clean_header(cell) for cell in frame.iloc[index].tolist()}
        found = {synonyms.get(cell, cell) for cell in cells} & wanted
        if found == wanted:
            return index
        if best is None or len(found) > len(best[1]):
            best = (index, found)
    missing = sorted(wanted - (best[1] if best else set()))
    raise LookupError(
        _("no header row with the column(s) {columns}").format(columns=", ".join(missing))
    )


def apply_header(grid: pd.DataFrame, row: int, path: Path | None = None) -> pd.DataFrame:
    """The rows below `row` of a raw grid, its cells becoming the column names."""
    if row >= len(grid):
        raise InputError(
            _("no header at row {value}: the sheet has {value2} rows").format(
                value=row + 1, value2=len(grid)
            ),
            path=path,
            hint=_("check that this is the right file"),
        )
    header = [str(cell) for cell in grid.iloc[row].tolist()]
    body = grid.iloc[row + 1 :].reset_index(drop=True)
    body.columns = pd.Index(unique_names(header))
    return body


def unique_names(header: Iterable[Any]) -> list[str]:
    """Header cells as column names, a repeated name suffixed '.1', '.2' (as pandas does)."""
    seen: dict[str, int] = {}
    names: list[str] = []
    for cell in header:
        name = str(cell)
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        names.append(name)
    return names
