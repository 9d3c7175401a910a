"""Text as a terminal shows it: CJK characters take two columns."""

from __future__ import annotations

import unicodedata


def display_width(text: str) -> int:
    """Terminal columns: wide and full-width (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
