"""Tracking-number rules from courier templates: validation and consecutive ranges."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TrackingRule:
    """How a courier's tracking numbers look, and where that rule comes from.

    `pattern` is a full-match regular expression; `check` names a check-digit scheme
    ("s10" for UPU S10 international EMS numbers) or is None; `source` cites the rule.
    """

    pattern: str = r"[0-9A-Za-z]{8,20}"
    check: str | None = None
    source: str = "no published rule: digits/letters of a plausible length only"
