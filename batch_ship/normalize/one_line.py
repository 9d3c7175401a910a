"""An address on one line, as a courier's address cell and a label print it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

# The rule, in two spellings kept together (tests/test_normalize_one_line.py holds them to
# each other): province, city, district and street joined; the city left out where it repeats
# the province, as a municipality's does (重庆市 重庆市 渝中区 reads 重庆市渝中区).


def one_line(
    province: pd.Series, city: pd.Series, district: pd.Series, detail: pd.Series
) -> pd.Series:
    """A column of one-line addresses, from columns of their parts (missing: empty)."""
    province, city, district, detail = (
        part.fillna("").astype("str") for part in (province, city, district, detail)
    )
    return province + city.where(city != province, "") + district + detail


def one_line_text(province: str, city: str, district: str, detail: str) -> str:
    """One address on one line (the sender's; a label's)."""
    return province + (city if city != province else "") + district + detail
