"""How wide text shows, on a terminal and in a spreadsheet column: CJK characters take two."""

from __future__ import annotations


def display_width(text: str) -> int:
    """Columns a text takes where a CJK character takes two: a Chinese terminal's and what
    a spreadsheet's column width roughly follows. Its GB18030 length is just that (one byte
    for ASCII, two for CJK and full-width forms), computed in C; the cap at two a character
    keeps the four-byte forms (emoji, rare characters) at two."""
    return min(len(text.encode("gb18030", errors="replace")), 2 * len(text))
