"""The schema of batch_ship.toml: every key's type, allowed values and the fix for a bad one."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from batch_ship.errors import ConfigError
from batch_ship.i18n import N_, _

log = logging.getLogger(__name__)

_CODE = re.compile(r"[a-z0-9][a-z0-9_-]*")


@dataclass(frozen=True)
class Key:
    """One key of a section: its type (`kind`), a check of its value and the fix."""

    kind: type  # str or bool: TOML values arrive typed
    example: str  # a right value, as TOML: shown in the fix (translated when marked N_)
    check: Callable[[Any], str | None] | None = None  # the problem with a value, or None


def _code(value: str) -> str | None:
    return None if _CODE.fullmatch(value) else _("must be a code: lower-case letters, digits, - _")


def _folder(value: str) -> str | None:
    if not value.strip():
        return _("must name a folder")
    if "\x00" in value or any(part == ".." for part in Path(value).parts):
        return _("must be a folder inside the workspace (no '..')")
    return None


def _templates(value: str) -> str | None:
    return None if not value else _folder(value)


def _codes(value: str) -> str | None:
    """A list of courier codes in one text: "zto", "zto sf" or "zto, sf"."""
    if all(_CODE.fullmatch(code) for code in split_codes(value)):
        return None
    return _("must list courier codes: lower-case letters, digits, - _")


def split_codes(value: str) -> list[str]:
    return [code for code in value.replace(",", " ").split() if code]


def _printer(value: str) -> str | None:
    return None if value in ("", "zpl", "tspl") else _('must be "", "zpl" or "tspl"')


def _text(value: str) -> str | None:
    return _("must be one line") if "\n" in value or "\r" in value else None


NOTE_PARTS = ("order_ids", "seller_note", "buyer_message")


def _note_parts(value: list[Any]) -> str | None:
    if all(part in NOTE_PARTS for part in value):
        return None
    return _("must list some of {parts}").format(parts=", ".join(NOTE_PARTS))


def _positive(value: int) -> str | None:
    return None if value > 0 else _("must be more than 0")


def _not_negative(value: int) -> str | None:
    return None if value >= 0 else _("must be 0 or more")


def _weights(value: str) -> str | None:
    return _("must name a .csv file") if not value.lower().endswith(".csv") else _folder(value)


SCHEMA: Mapping[str, Mapping[str, Key]] = {
    "sender": {
        "name": Key(str, '"张三"', _text),
        "phone": Key(str, N_('"13800138000" (in quotes: a number loses its leading 0)'), _text),
        "province": Key(str, '"浙江省"', _text),
        "city": Key(str, '"杭州市"', _text),
        "district": Key(str, '"余杭区"', _text),
        "address": Key(str, '"文一西路 1 号"', _text),
    },
    "defaults": {
        "courier": Key(str, N_('"zto" (batch-ship couriers lists the codes)'), _code),
        "merge": Key(bool, N_("true or false")),
        "marketplace": Key(str, N_('"taobao" (or "amazon", or your own template)'), _code),
    },
    "parcel": {
        "note": Key(list, '["order_ids", "seller_note", "buyer_message"]', _note_parts),
        "note_max": Key(int, "100", _positive),
        "weights": Key(str, N_('"weights.csv" (item code -> grams, in the workspace)'), _weights),
        "default_weight_g": Key(int, "500", _positive),
        "insure_above": Key(int, N_("500 (yuan; 0 insures every parcel)"), _not_negative),
        "cod": Key(bool, N_("true or false")),
    },
    "folders": {
        "inbox": Key(str, '"inbox"', _folder),
        "returns": Key(str, '"returns"', _folder),
        "archive": Key(str, '"archive"', _folder),
        "failed": Key(str, '"failed"', _folder),
        "templates": Key(
            str, N_('"my-templates" (a folder in the workspace; "" for none)'), _templates
        ),
    },
    "stock": {
        "couriers": Key(str, N_('"zto" (couriers whose exports take numbers from stock)'), _codes),
        "warn_below": Key(int, "500", _not_negative),
        "labels_per_file": Key(int, "1000", _not_negative),
        "printer": Key(
            str, N_('"zpl" or "tspl" (printer files beside the PDF; "" for none)'), _printer
        ),
    },
}

_TYPE_NAMES = {
    str: N_("text (in quotes)"),
    bool: N_("true or false"),
    int: N_("a whole number"),
    list: N_("a list"),
}
# Sections that are lists of tables, each checked by its own module (route_rules.py).
TABLE_LISTS = ("route",)


def _toml_type(value: object) -> str:
    if isinstance(value, bool):
        return _("true/false")
    if isinstance(value, int | float):
        return _("a number")
    if isinstance(value, dict):
        return _("a table")
    if isinstance(value, list):
        return _("a list")
    return type(value).__name__


def validate(data: Mapping[str, Any], path: Path) -> dict[str, dict[str, Any]]:
    """The checked sections of a parsed batch_ship.toml (only the keys it sets).

    Every problem is collected; one ConfigError names batch_ship.toml and lists each key with
    its fix. Unknown sections and keys are warned about and ignored (a newer batch-ship's keys
    must not stop an older one)."""
    problems: list[str] = []
    fixes: list[str] = []
    checked: dict[str, dict[str, Any]] = {}
    for section, value in data.items():
        if section in TABLE_LISTS:
            continue
        keys = SCHEMA.get(section)
        if keys is None:
            log.warning(
                _("%s: unknown %s %r ignored (known sections: %s)"),
                path.name,
                _("section") if isinstance(value, dict) else _("key"),
                section,
                ", ".join(f"[{name}]" for name in SCHEMA),
            )
            continue
        if not isinstance(value, dict):
            problems.append(
                _("{section} = … must be a [{section}] table, not {kind}").format(
                    section=section, kind=_toml_type(value)
                )
            )
            fixes.append(
                _("write [{section}] on its own line, then its keys below it").format(
                    section=section
                )
            )
            continue
        checked[section] = {}
        for name, item in value.items():
            key = keys.get(name)
            if key is None:
                log.warning(
                    _("%s: unknown key %r in [%s] ignored (known: %s)"),
                    path.name,
                    name,
                    section,
                    ", ".join(keys),
                )
                continue
            problem = _problem(key, item)
            if problem:
                problems.append(f"[{section}] {name} {problem}")
                fixes.append(f"{name} = {_(key.example)}")
            else:
                checked[section][name] = item
    if problems:
        raise ConfigError(
            "; ".join(problems),
            path=path,
            hint=_("under its section, write {fixes}").format(fixes="; ".join(fixes)),
        )
    return checked


def _problem(key: Key, value: object) -> str | None:
    if type(value) is not key.kind:
        return _("must be {kind}, not {given}").format(
            kind=_(_TYPE_NAMES[key.kind]), given=_toml_type(value)
        )
    return key.check(value) if key.check is not None else None
