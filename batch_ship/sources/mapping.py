"""Column mappings (templates/sources/*.toml): any order file's headers -> canonical fields."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from batch_ship.errors import ConfigError
from batch_ship.i18n import _
from batch_ship.model import OrderStatus
from batch_ship.progress import Progress
from batch_ship.sources import canonical as c
from batch_ship.sources.base import OrderInput
from batch_ship.spreadsheets.read import clean_header
from batch_ship.toml_keys import read_toml

if TYPE_CHECKING:
    from batch_ship.sources.canonical import OrderTable

# The fields a mapping may fill: the canonical order columns (`status` is the file's status
# text, mapped through [statuses]) and, when the file has one row per item line, item columns.
ORDER_FIELDS = (
    c.ORDER_ID, c.BUYER, "status", c.NAME, c.MOBILE, c.TELEPHONE, c.ADDRESS, c.PAID_AT,
    c.AMOUNT, c.BUYER_MESSAGE, c.SELLER_NOTE, c.TITLES, c.ITEM_COUNT, c.SHOP,
)  # fmt: skip
ITEM_FIELDS = (c.ITEM_TITLE, c.ITEM_SKU, c.ITEM_PROPERTIES, c.ITEM_QUANTITY, c.ITEM_PRICE)
# A column whose cells each hold a pasted contact block (name, phone and address, any order,
# labels or not): read as the address, which the recipients step splits (contacts.py).
CONTACT = "contact"
_REQUIRED = (c.ORDER_ID, c.NAME, c.ADDRESS)
_KNOWN_KEYS = {"name", "columns", "statuses", "default_status"}
_STATUS_VALUES = tuple(status.value for status in OrderStatus if status is not OrderStatus.UNKNOWN)


@dataclass(frozen=True)
class ColumnMapping:
    """One mapping file: which of the file's headers fill which canonical field.

    `columns` maps a field to one or more headers (several are joined with a space, e.g. the
    province, city, district and street columns into one address). A file is this source's when
    every mapped header is among its first rows; its rows are item lines when an item field is
    mapped (rows repeating an order number then add items to that order)."""

    code: str
    label: str
    path: Path
    columns: Mapping[str, tuple[str, ...]]
    statuses: Mapping[str, OrderStatus] = field(default_factory=dict)
    default_status: OrderStatus = OrderStatus.AWAITING_SHIPMENT

    @property
    def headers(self) -> frozenset[str]:
        return frozenset(header for headers in self.columns.values() for header in headers)

    def headers_of(self, name: str) -> tuple[str, ...]:
        """The headers that fill a canonical field: a contact column fills the address (the
        recipients step takes the name and phone from it where the row has none)."""
        if name == c.ADDRESS and CONTACT in self.columns:
            return self.columns[CONTACT]
        return self.columns.get(name, ())

    @property
    def item_lines(self) -> bool:
        return any(name in self.columns for name in ITEM_FIELDS)

    def score(self, head: Sequence[Sequence[str]]) -> int:
        wanted = self.headers
        return len(wanted) if any(wanted <= set(row) for row in head) else 0

    def companions(self, orders: Sequence[Path]) -> list[Path]:
        return []  # a mapped file holds its item lines itself

    def pair_key(self, path: Path) -> tuple[str, str] | None:
        return None

    def read(
        self, orders: Sequence[OrderInput], items: Sequence[OrderInput] | None, progress: Progress
    ) -> OrderTable:
        from batch_ship.sources.mapped import read_mapped

        return read_mapped(self, orders, items or [], progress)


def load_mapping(code: str, path: Path) -> ColumnMapping:
    """Parse one mapping file; ConfigError (naming the file and the fix) when it is wrong."""
    data = read_toml(path)
    unknown = sorted(set(data) - _KNOWN_KEYS)
    if unknown:
        raise ConfigError(
            _("unknown key(s) {value}").format(value=", ".join(unknown)),
            path=path,
            hint=_("use {value}").format(value=", ".join(sorted(_KNOWN_KEYS))),
        )
    columns = _columns(data.get("columns"), path)
    statuses = _statuses(data.get("statuses", {}), path)
    if "status" in columns and not statuses:
        raise ConfigError(
            _("`status` is mapped but [statuses] is empty: no order could ever ship"),
            path=path,
            hint=_('add a [statuses] table, e.g. "待发货" = "awaiting-shipment"'),
        )
    return ColumnMapping(
        code=code,
        label=str(data.get("name", code)),
        path=path,
        columns=columns,
        statuses=statuses,
        default_status=_status(data.get("default_status", "awaiting-shipment"), path),
    )


def _columns(raw: Any, path: Path) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict) or not raw:
        raise ConfigError(
            _("no [columns] table"),
            path=path,
            hint=_('add [columns] with e.g. order_id = "订单号"'),
        )
    allowed = (*ORDER_FIELDS, CONTACT, *ITEM_FIELDS)
    columns: dict[str, tuple[str, ...]] = {}
    for name, value in raw.items():
        if name not in allowed:
            raise ConfigError(
                _("unknown field {name!r} in [columns]").format(name=name),
                path=path,
                hint=_("use {value}").format(value=", ".join(allowed)),
            )
        headers = [value] if isinstance(value, str) else value
        if not isinstance(headers, list) or not all(isinstance(h, str) for h in headers):
            raise ConfigError(
                _("[columns] {name} must be a header or a list of headers").format(name=name),
                path=path,
            )
        cleaned = tuple(clean_header(header) for header in headers)
        if not cleaned or "" in cleaned:
            raise ConfigError(
                _("[columns] {name} names an empty header").format(name=name), path=path
            )
        columns[name] = cleaned
    _check_required(columns, path)
    return columns


def _check_required(columns: Mapping[str, tuple[str, ...]], path: Path) -> None:
    """Order number, name, address and a phone; a contact block stands for the last three."""
    if CONTACT in columns:
        if c.ADDRESS in columns:
            raise ConfigError(
                _("[columns] maps both contact and address: the address is the contact's"),
                path=path,
                hint=_("drop address, or drop contact and map name and mobile"),
            )
        missing = [] if c.ORDER_ID in columns else [c.ORDER_ID]
    else:
        missing = [name for name in _REQUIRED if name not in columns]
        if c.MOBILE not in columns and c.TELEPHONE not in columns:
            missing.append(_("mobile or telephone"))
    if missing:
        raise ConfigError(
            _("[columns] lacks {value}: without them no parcel can be addressed").format(
                value=", ".join(missing)
            ),
            path=path,
            hint=_("map the file's header for each"),
        )


def _statuses(raw: Any, path: Path) -> dict[str, OrderStatus]:
    if not isinstance(raw, dict):
        raise ConfigError(_("[statuses] must be a table"), path=path)
    return {clean_header(text): _status(value, path) for text, value in raw.items()}


def _status(value: Any, path: Path) -> OrderStatus:
    if value not in _STATUS_VALUES:
        raise ConfigError(
            _("unknown status {value!r}").format(value=value),
            path=path,
            hint=_("use one of {value}").format(value=", ".join(_STATUS_VALUES)),
        )
    return OrderStatus(value)


def valid_code(code: str) -> bool:
    """A mapping's code (its file name) as `--source` takes it."""
    return re.fullmatch(r"[a-z0-9_\-]+", code) is not None
