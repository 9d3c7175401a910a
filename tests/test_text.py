"""How wide text shows: one definition for the terminal's tables and the workbooks' columns."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from batch_ship.text import display_width


def test_display_width_counts_cjk_double() -> None:
    assert display_width("ab") == 2
    assert display_width("订单") == 4
    assert display_width("中通 zto") == 8
    assert display_width("１２，") == 6  # full-width forms
    assert display_width("📦") == 2  # four bytes in GB18030, two columns
    assert display_width("") == 0


@given(st.text(max_size=40))
def test_every_character_takes_one_or_two_columns(text: str) -> None:
    assert len(text) <= display_width(text) <= 2 * len(text)
