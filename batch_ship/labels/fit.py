"""Fitting text into a box: wrap, then shrink, then (last resort) cut with an ellipsis."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

LEADING = 1.15  # line height as a multiple of the font size
STEP = 0.5  # points shrunk per try
ELLIPSIS = "…"
CACHE_LIMIT = 20_000  # fitted texts a writer keeps per field (sender, courier, time repeat)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")

Widths = Callable[[str], list[float]]


@dataclass(frozen=True, slots=True)
class Fitted:
    """The lines to draw at `size` points, each line's width at that size (`widths`, for
    centring and right alignment without measuring again); `cut` when even min_size could
    not hold it all."""

    size: float
    lines: tuple[str, ...]
    cut: bool = False
    widths: tuple[float, ...] = ()


def clean(text: str) -> str:
    """One line of printable text: line breaks, tabs and other control characters become one
    space (buyer text can hold any of them)."""
    if not text:
        return ""
    if text.isprintable():  # the common case, checked in C
        return text.strip()
    return _CONTROL.sub(" ", text).strip()


def fit(
    text: str, width: float, height: float, size: float, min_size: float, widths: Widths
) -> Fitted:
    """The largest size from `size` down to `min_size` (in STEP points) at which `text` wraps
    into the box (`width` x `height`, points); at min_size what does not fit is cut."""
    if not text:
        return Fitted(size, ())
    units = widths(text)
    total = sum(units)
    current = size
    while True:
        rows = max(1, int(height / (current * LEADING) + 1e-9))
        if total * current <= width and current <= height:
            return Fitted(current, (text,), widths=(total * current,))
        if rows > 1:
            lines = wrap(text, units, width / current, rows)
            if lines is not None:
                return _measured(current, lines, widths)
        if current <= min_size + 1e-9:
            break
        # min_size itself is always tried, even when size - min_size is no multiple of STEP
        current = max(current - STEP, min_size)
    rows = max(1, int(height / (current * LEADING) + 1e-9))
    room = width / current
    lines, was_cut = cut(text, units, room, rows, max(widths(ELLIPSIS)))
    return _measured(current, lines, widths, cut=was_cut)


def _measured(size: float, lines: tuple[str, ...], widths: Widths, *, cut: bool = False) -> Fitted:
    return Fitted(size, lines, cut, tuple(sum(widths(line)) * size for line in lines))


def wrap(text: str, units: list[float], width: float, rows: int) -> tuple[str, ...] | None:
    """Greedy line breaks at `width` (in units of the font size), or None past `rows` lines.
    A line breaks before a wide (CJK) character or after a space or punctuation when it can,
    so a house number or a Latin word stays whole unless it is longer than the line."""
    lines: list[str] = []
    start = 0
    used = 0.0
    last_break = -1  # where the current line may end
    index = 0
    while index < len(text):
        if index > start and _may_break_before(text, index):
            last_break = index
        if used + units[index] <= width or index == start:
            used += units[index]
            index += 1
            continue
        end = last_break if last_break > start else index
        lines.append(text[start:end].rstrip())
        if len(lines) >= rows:
            return None
        start = end
        while start < len(text) and text[start] == " ":
            start += 1
        index = max(index, start)
        used = sum(units[start:index])
        last_break = -1
    if start < len(text):
        lines.append(text[start:])
    return tuple(lines) if len(lines) <= rows else None


def cut(
    text: str, units: list[float], width: float, rows: int, ellipsis: float
) -> tuple[tuple[str, ...], bool]:
    """The lines of `text` broken at any character, at most `rows` of them, and whether it was
    cut: then the last line ends in an ellipsis (`ellipsis` units wide), characters before it
    dropped to make room; a lone ellipsis wider than the box is the one glyph drawn past it."""
    lines: list[str] = []
    start = 0
    for row in range(rows):
        end = _filled(units, start, width)
        if end == len(text):  # whole, broken at characters where words would not fit
            lines.append(text[start:])
            return tuple(lines), False
        if end == start or row == rows - 1:  # not one more character fits, or no more rows
            break
        lines.append(text[start:end].rstrip())  # a trailing space would skew centring
        start = end
    end = _filled(units, start, width - ellipsis)
    lines.append(text[start:end].rstrip() + ELLIPSIS)
    return tuple(lines), True


def _filled(units: list[float], start: int, room: float) -> int:
    """Where a line from `start` ends when it may hold `room` units."""
    used = 0.0
    end = start
    while end < len(units) and used + units[end] <= room:
        used += units[end]
        end += 1
    return end


def _may_break_before(text: str, index: int) -> bool:
    previous, char = text[index - 1], text[index]
    if previous == " " or unicodedata.category(previous).startswith("P"):
        return True
    return unicodedata.east_asian_width(char) in "WF" or (
        unicodedata.east_asian_width(previous) in "WF"
    )
