"""A courier template's [stock] section: what a voided parcel's stock number becomes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from batch_ship.errors import ConfigError
from batch_ship.i18n import _
from batch_ship.toml_keys import refuse_unknown_keys

ON_VOID = ("retire", "return")
_KEYS = {"on_void"}


@dataclass(frozen=True)
class StockRule:
    """`on_void`: "retire" (the default: a voided parcel's number is never used again, as a
    label may still carry it) or "return" (back to the free stock, where the courier's
    contract allows reusing a cancelled number)."""

    on_void: str = "retire"


def stock_rule(raw: Any, template: Path) -> StockRule:
    """Parse a courier template's [stock] section."""
    if not isinstance(raw, dict):
        raise ConfigError(_("[stock] must be a table"), path=template)
    refuse_unknown_keys(raw, _KEYS, "[stock]", template)
    on_void = raw.get("on_void", StockRule.on_void)
    if on_void not in ON_VOID:
        raise ConfigError(
            _('[stock] on_void must be "retire" or "return", not {value!r}').format(value=on_void),
            path=template,
            hint=_('e.g. on_void = "retire"'),
        )
    return StockRule(on_void=on_void)
