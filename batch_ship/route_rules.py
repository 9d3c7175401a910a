"""`[[route]]` tables of batch_ship.toml: which courier takes an order, first match wins."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from batch_ship.errors import ConfigError
from batch_ship.i18n import _

_CODE = re.compile(r"[a-z0-9][a-z0-9_-]*")

# Every key a route may hold: a list of texts (any one matches), a number bound (inclusive),
# or the courier. `provinces` and `courier` are the names; the rest are ours.
LIST_KEYS = ("provinces", "cities", "shops", "item_codes")
NUMBER_KEYS = ("min_amount", "max_amount", "min_weight_g", "max_weight_g")
ROUTE_KEYS = (*LIST_KEYS, *NUMBER_KEYS, "courier")
EXAMPLES = {
    "provinces": '["新疆维吾尔自治区", "西藏自治区"]',
    "cities": '["杭州市"]',
    "shops": '["我的小店"]',
    "item_codes": '["SKU-001"]',
    "min_amount": "500",
    "max_amount": "50.5",
    "min_weight_g": "3000",
    "max_weight_g": "1000",
    "courier": '"ems"',
}


@dataclass(frozen=True)
class Route:
    """One `[[route]]` table. Every condition given must hold; an empty one is not asked.

    provinces/cities: the recipient's normalized province/city, equal or starting with the
    text (新疆 matches 新疆维吾尔自治区); shops: 店铺名称 exactly; item_codes: any item's
    商家编码; amounts in yuan (买家实际支付金额), weights in grams (the weight table)."""

    courier: str
    provinces: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    shops: tuple[str, ...] = ()
    item_codes: tuple[str, ...] = ()
    min_amount: float | None = None
    max_amount: float | None = None
    min_weight_g: float | None = None
    max_weight_g: float | None = None

    @property
    def is_default(self) -> bool:
        """Only `courier`: every order it sees matches."""
        return self == Route(self.courier)

    @property
    def needs_weight(self) -> bool:
        return self.min_weight_g is not None or self.max_weight_g is not None


def parse_routes(value: Any, path: Path, couriers: Collection[str]) -> tuple[Route, ...]:
    """The `route` entry of a parsed batch_ship.toml (a list of tables) as Routes. Every
    problem (unknown key, wrong type, unknown courier, min above max) is collected into one
    ConfigError naming the file, the table and the fix."""
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        raise ConfigError(
            _("route must be [[route]] tables"),
            path=path,
            hint=_('write [[route]] on its own line, then e.g. courier = "ems" below it'),
        )
    problems: list[str] = []
    fixes: list[str] = []
    routes = []
    for number, entry in enumerate(value, start=1):
        found = _problems(entry, couriers)
        where = _("[[route]] number {number}").format(number=number)
        problems += [f"{where}: {problem}" for problem, _fix in found]
        fixes += [fix for _problem, fix in found]
        if not found:
            routes.append(_route(entry))
    if problems:
        raise ConfigError("; ".join(problems), path=path, hint="; ".join(dict.fromkeys(fixes)))
    return tuple(routes)


def _problems(entry: dict[str, Any], couriers: Collection[str]) -> list[tuple[str, str]]:
    """(problem, fix) of one table."""
    found = []
    for key in sorted(set(entry) - set(ROUTE_KEYS)):
        found.append(
            (
                _("unknown key {key!r}").format(key=key),
                _("use {keys}").format(keys=", ".join(ROUTE_KEYS)),
            )
        )
    courier = entry.get("courier")
    if not isinstance(courier, str) or not _CODE.fullmatch(courier):
        found.append((_("needs courier = a courier code"), f"courier = {EXAMPLES['courier']}"))
    elif courier not in couriers:
        found.append(
            (
                _("unknown courier {code!r}").format(code=courier),
                _("courier = one of {codes} (batch-ship couriers lists them)").format(
                    codes=", ".join(sorted(couriers))
                ),
            )
        )
    for key in LIST_KEYS:
        texts = entry.get(key, [])
        if not isinstance(texts, list) or not all(
            isinstance(text, str) and text.strip() for text in texts
        ):
            found.append((_("{key} must be a list of texts").format(key=key), _fix(key)))
    for key in NUMBER_KEYS:
        number = entry.get(key)
        if number is not None and (
            isinstance(number, bool) or not isinstance(number, int | float) or number < 0
        ):
            found.append((_("{key} must be a number, 0 or more").format(key=key), _fix(key)))
    for low, high in (("min_amount", "max_amount"), ("min_weight_g", "max_weight_g")):
        least, most = entry.get(low), entry.get(high)
        if isinstance(least, int | float) and isinstance(most, int | float) and least > most:
            found.append(
                (_("{low} is above {high}").format(low=low, high=high), _("swap the two values"))
            )
    return found


def _fix(key: str) -> str:
    return f"{key} = {EXAMPLES[key]}"


def _route(entry: dict[str, Any]) -> Route:
    def number(key: str) -> float | None:
        value = entry.get(key)
        return None if value is None else float(value)

    def texts(key: str) -> tuple[str, ...]:
        return tuple(text.strip() for text in entry.get(key, []))

    return Route(
        courier=str(entry["courier"]),
        provinces=texts("provinces"),
        cities=texts("cities"),
        shops=texts("shops"),
        item_codes=texts("item_codes"),
        min_amount=number("min_amount"),
        max_amount=number("max_amount"),
        min_weight_g=number("min_weight_g"),
        max_weight_g=number("max_weight_g"),
    )
