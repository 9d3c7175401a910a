"""Normalization of recipients: phones, Chinese addresses, names and pasted contact blocks."""

from __future__ import annotations

from typing import Any

from batch_ship.normalize.addresses import format_address, normalize_address
from batch_ship.normalize.contacts import Contact, split_contact
from batch_ship.normalize.names import normalize_name
from batch_ship.normalize.phones import normalize_phone

_BULK = ("OUTPUT_COLUMNS", "normalize_recipients", "problems_of")


def __getattr__(name: str) -> Any:
    # The bulk API needs pandas and pyarrow: load them only when it is asked for.
    if name in _BULK:
        from batch_ship.normalize import recipients

        return getattr(recipients, name)
    raise AttributeError(f"module 'batch_ship.normalize' has no attribute {name!r}")


__all__ = [
    "OUTPUT_COLUMNS",
    "Contact",
    "format_address",
    "normalize_address",
    "normalize_name",
    "normalize_phone",
    "normalize_recipients",
    "problems_of",
    "split_contact",
]
