"""Column cleaning shared by sources: order times in every form a re-saved export holds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from batch_ship.sources.cells import dates, parse_times

FORMS = {
    "2026-11-26 10:00:00": "2026-11-26 10:00:00",
    "2026/11/26 10:00": "2026-11-26 10:00:00",
    "2026/11/26 9:05:07": "2026-11-26 09:05:07",
    "2026-11-26T10:00:00+08:00": "2026-11-26 10:00:00",
    "2026-11-26T02:00:00Z": "2026-11-26 10:00:00",
    "2026-11-26T10:00:00-05:00": "2026-11-26 23:00:00",
    "2026-11-26": "2026-11-26 00:00:00",
    "2026年11月26日 10时05分": "2026-11-26 10:05:00",
    "46352.4166666667": "2026-11-26 10:00:00",  # Excel's serial day number
    "46352": "2026-11-26 00:00:00",
}


def test_every_form_becomes_beijing_iso() -> None:
    texts = np.array(list(FORMS), dtype=object)
    assert parse_times(texts).tolist() == list(FORMS.values())


def test_mixed_zones_and_bad_dates_are_reported_by_row() -> None:
    values = pd.Series(
        ["2026-11-26T10:00:00+08:00", "2026-11-26T10:00:00-05:00", "not a date", "99999", ""],
        dtype="str",
    )
    rows = pd.Series([2, 3, 4, 5, 6])
    problems: list[object] = []
    out = dates(values, rows, Path("orders.csv"), problems)  # type: ignore[arg-type]
    assert out.tolist() == ["2026-11-26 10:00:00", "2026-11-26 23:00:00", "", "", ""]
    [problem] = problems
    assert problem.code == "date-invalid"  # type: ignore[attr-defined]
    assert problem.rows == (4, 5)  # type: ignore[attr-defined]
