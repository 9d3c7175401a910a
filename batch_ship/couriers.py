"""Courier templates (templates/couriers/*.toml): columns, names and tracking-number rules."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from batch_ship import template_dirs
from batch_ship.errors import ConfigError
from batch_ship.i18n import _
from batch_ship.labels.layout import LabelSettings, label_settings
from batch_ship.stock_rule import StockRule, stock_rule
from batch_ship.template_expressions import (
    FULL_ADDRESS_KEYS,
    ITEM_FIELDS,
    NAMESPACES,
    PARCEL_FIELDS,
    RECIPIENT_FIELDS,
    SENDER_FIELDS,
    SENDER_KEYS,
    Expression,
    compile_expression,
)
from batch_ship.toml_keys import read_toml, refuse_unknown_keys, text_value
from batch_ship.tracking_numbers import TrackingRule

# The fields and the expressions live in template_expressions.py; callers may import them here.
__all__ = [
    "DEFAULT_ITEM_FORMAT",
    "DEFAULT_ITEM_SEPARATOR",
    "ITEM_FIELDS",
    "MAX_ROWS_PER_FILE",
    "NAMESPACES",
    "NUMBER_FIELDS",
    "PARCEL_FIELDS",
    "RECIPIENT_FIELDS",
    "SENDER_FIELDS",
    "Column",
    "Courier",
    "Expression",
    "builtin_dir",
    "get_courier",
    "load_courier_file",
    "load_couriers",
    "template_files",
]

COURIERS_DIR = "couriers"
MAX_ROWS_PER_FILE = 1_048_575  # an .xlsx sheet holds 1,048,576 rows, one of them the header

DEFAULT_ITEM_FORMAT = (
    "{{ item.title }}{% if item.properties %} [{{ item.properties }}]{% endif %}"
    " ×{{ item.quantity }}"
)
DEFAULT_ITEM_SEPARATOR = "; "

_TOP_KEYS = {
    "name", "layout_note", "rows_per_file", "reference_header", "marketplace_names",
    "tracking", "items", "columns", "source", "label", "stock",
}  # fmt: skip
_TRACKING_KEYS = {"pattern", "check", "source"}
_ITEM_KEYS = {"format", "separator"}
_COLUMN_KEYS = {"header", "value", "width", "text"}
# Every column gets the text number format `@` (every cell is written as a string anyway; the
# format also keeps ids, phones and postcodes whole, and buyer text typed or pasted later a
# text, never a formula), except a column of counts only: these fields and literal text.
NUMBER_FIELDS = {("parcel", "quantity"), ("parcel", "order_count")}
_CHECKS = {None, "s10"}
_CODE = re.compile(r"[a-z0-9][a-z0-9_-]*")
_SENDER_REF = re.compile(r"\bsender\.([a-z_]+)")


@dataclass(frozen=True)
class Column:
    """One column of a courier workbook: its header and the expression that fills it.

    `text`: the column gets the number format `@`: every column but one of counts only
    (NUMBER_FIELDS and literal text), which may also set `text = false`."""

    header: str
    value: Expression
    width: float | None = None
    text: bool = True


@dataclass(frozen=True)
class Courier:
    code: str  # sf, zto, ...; the TOML file name
    name: str  # display name, e.g. 中通快递
    marketplace_names: dict[str, str] = field(default_factory=dict)  # {"taobao": "中通快递"}
    tracking: TrackingRule = field(default_factory=TrackingRule)
    rows_per_file: int = 10_000
    reference_header: str = "订单编号"  # the column holding the parcel's first order number
    layout_note: str = ""  # e.g. "own layout not known: generic layout"
    columns: tuple[Column, ...] = ()
    item_format: Expression | None = None  # one item line; None: DEFAULT_ITEM_FORMAT
    item_separator: str = DEFAULT_ITEM_SEPARATOR
    path: Path | None = None  # the TOML file it came from
    label: LabelSettings | None = None  # [label]: the label layout, checked at load
    stock: StockRule = field(default_factory=StockRule)  # [stock]: a voided number's fate

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(column.header for column in self.columns)

    @property
    def sender_fields(self) -> tuple[str, ...]:
        """The [sender] keys its columns print, in SENDER_KEYS order (full_address prints
        FULL_ADDRESS_KEYS)."""
        used: set[str] = set()
        for column in self.columns:
            if column.value.parts is not None:
                used.update(name for kind, name in column.value.parts if kind == "sender")
            else:
                used.update(_SENDER_REF.findall(column.value.source))
        if "full_address" in used:
            used.update(FULL_ADDRESS_KEYS)
        return tuple(name for name in SENDER_KEYS if name in used)

    def summary(self) -> dict[str, Any]:
        """The `couriers --json` entry."""
        return {
            "code": self.code,
            "name": self.name,
            "taobao_name": self.marketplace_names.get("taobao", ""),
            "rows_per_file": self.rows_per_file,
            "columns": len(self.columns),
            "reference_header": self.reference_header,
            "layout_note": self.layout_note,
            "tracking_pattern": self.tracking.pattern,
            "file": str(self.path) if self.path else None,
        }


def builtin_dir() -> Path:
    """The built-in templates/couriers folder."""
    return template_dirs.builtin_templates() / COURIERS_DIR


def load_couriers(templates_dir: Path | None = None) -> dict[str, Courier]:
    """Every courier template by code: the built-ins, overridden by `templates_dir/couriers/*.toml`.

    `templates_dir` is the configured templates folder (batch_ship.toml `[folders] templates`);
    a file there with a built-in's name replaces it, a new name adds a courier.
    """
    return {code: load_courier_file(path) for code, path in template_files(templates_dir).items()}


def template_files(templates_dir: Path | None = None) -> dict[str, Path]:
    """The template file of each courier code, overrides applied, sorted by code."""
    return template_dirs.template_files(COURIERS_DIR, templates_dir)


def get_courier(code: str, templates_dir: Path | None = None) -> Courier:
    """One courier by code (only its file is parsed); an unknown code is a ConfigError
    listing the valid ones."""
    files = template_files(templates_dir)
    path = files.get(code.strip().lower())
    if path is None:
        raise ConfigError(
            _("unknown courier {code!r}").format(code=code),
            hint=_("use one of: {value} (batch-ship couriers lists them)").format(
                value=", ".join(files)
            ),
        )
    return load_courier_file(path)


def load_courier_file(path: Path) -> Courier:
    """Parse and check one template file; any problem is a ConfigError naming the file."""
    code = path.stem.lower()
    if not _CODE.fullmatch(code):
        raise ConfigError(
            _("a courier template's file name is its code: lower-case letters, digits, - and _"),
            path=path,
        )
    data = read_toml(path)
    return _courier_from(code, data, path)


def _courier_from(code: str, data: dict[str, Any], path: Path) -> Courier:
    refuse_unknown_keys(data, _TOP_KEYS, _("the template"), path)
    name = text_value(data, "name", path, required=True)
    rows_per_file = _rows_per_file(data.get("rows_per_file", 10_000), path)
    names = data.get("marketplace_names", {})
    if not isinstance(names, dict) or not all(isinstance(v, str) for v in names.values()):
        raise ConfigError(_("[marketplace_names] must map marketplace to a name"), path=path)
    columns = _columns(data.get("columns"), path)
    reference_header = text_value(data, "reference_header", path) or "订单编号"
    _check_headers([column.header for column in columns], reference_header, path)
    item_format, separator = _items(data.get("items", {}), path)
    return Courier(
        code=code,
        name=name,
        marketplace_names={str(k): v for k, v in names.items()},
        tracking=_tracking(data.get("tracking", {}), path),
        rows_per_file=rows_per_file,
        reference_header=reference_header,
        layout_note=text_value(data, "layout_note", path),
        columns=columns,
        item_format=item_format,
        item_separator=separator,
        path=path,
        label=label_settings(data["label"], path) if "label" in data else None,
        stock=stock_rule(data["stock"], path) if "stock" in data else StockRule(),
    )


def _rows_per_file(value: Any, path: Path) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ConfigError(_("rows_per_file must be a whole number"), path=path)
    if not 1 <= value <= MAX_ROWS_PER_FILE:
        raise ConfigError(
            _("rows_per_file must be between 1 and {MAX_ROWS_PER_FILE:,}").format(
                MAX_ROWS_PER_FILE=MAX_ROWS_PER_FILE
            ),
            path=path,
        )
    return value


def _check_headers(headers: list[str], reference_header: str, path: Path) -> None:
    """The reference column is among the headers, and no header is there twice."""
    if reference_header not in headers:
        raise ConfigError(
            _("no reference column {reference_header!r} among the columns").format(
                reference_header=reference_header
            ),
            path=path,
            hint=_(
                "add a column with that header and value '{{ parcel.reference }}', "
                "or set reference_header to the column that holds it"
            ),
        )
    duplicates = sorted({header for header in headers if headers.count(header) > 1})
    if duplicates:
        raise ConfigError(
            _("duplicate column headers: {value}").format(value=", ".join(duplicates)), path=path
        )


def _items(items: Any, path: Path) -> tuple[Expression, str]:
    """[items]: the expression of one item line and the separator between lines."""
    if not isinstance(items, dict):
        raise ConfigError(_("[items] must be a table"), path=path)
    refuse_unknown_keys(items, _ITEM_KEYS, "[items]", path)
    item_source = text_value(items, "format", path) or DEFAULT_ITEM_FORMAT
    item_format = compile_expression(item_source, path, "[items] format", ("item",))
    separator = items.get("separator", DEFAULT_ITEM_SEPARATOR)
    if not isinstance(separator, str):
        raise ConfigError(_("[items] separator must be text"), path=path)
    return item_format, separator


def _columns(raw: Any, path: Path) -> tuple[Column, ...]:
    if not isinstance(raw, list) or not raw:
        raise ConfigError(
            _("no columns"), path=path, hint=_("add [[columns]] tables with header and value")
        )
    return tuple(_column(entry, f"column {number}", path) for number, entry in enumerate(raw, 1))


def _column(entry: Any, where: str, path: Path) -> Column:
    """One [[columns]] table, checked; `where` names it in messages ("column 3")."""
    if not isinstance(entry, dict):
        raise ConfigError(_("{where} must be a table").format(where=where), path=path)
    refuse_unknown_keys(entry, _COLUMN_KEYS, where, path)
    header = entry.get("header")
    if not isinstance(header, str) or not header.strip():
        raise ConfigError(_("{where} has no header").format(where=where), path=path)
    value = entry.get("value", "")
    if not isinstance(value, str):
        raise ConfigError(
            _("{where} ({header}): value must be text").format(where=where, header=header),
            path=path,
        )
    width = entry.get("width")
    if width is not None and (
        isinstance(width, bool) or not isinstance(width, int | float) or not 1 <= width <= 255
    ):
        raise ConfigError(
            _("{where} ({header}): width must be a number 1-255").format(
                where=where, header=header
            ),
            path=path,
        )
    expression = compile_expression(value, path, f"{where} ({header})", tuple(NAMESPACES))
    text = _text_format(entry.get("text"), expression, where, header, path)
    return Column(header=header, value=expression, width=float(width) if width else None, text=text)


def _text_format(text: Any, expression: Expression, where: str, header: str, path: Path) -> bool:
    """Whether the column gets the text format @: always, but for a column of counts only,
    which may also say `text = false`."""
    if text is not None and not isinstance(text, bool):
        raise ConfigError(
            _("{where} ({header}): text must be true or false").format(where=where, header=header),
            path=path,
        )
    numeric = expression.parts is not None and all(
        kind == "text" or (kind, name) in NUMBER_FIELDS for kind, name in expression.parts
    )
    if text is False and not numeric:
        raise ConfigError(
            _(
                "{where} ({header}): text = false, but the column can hold buyer or "
                "courier text, which must keep the text format @ (editing it in Excel "
                "must never make a formula)"
            ).format(where=where, header=header),
            path=path,
            hint=_("remove `text = false` (only columns of counts may drop the text format)"),
        )
    return not numeric if text is None else text


def _tracking(raw: Any, path: Path) -> TrackingRule:
    if not isinstance(raw, dict):
        raise ConfigError(_("[tracking] must be a table"), path=path)
    if not raw:
        return TrackingRule()
    refuse_unknown_keys(raw, _TRACKING_KEYS, "[tracking]", path)
    default = TrackingRule()
    pattern = raw.get("pattern", default.pattern)
    check = raw.get("check") or None
    source = raw.get("source", "")
    if not isinstance(pattern, str) or not isinstance(source, str):
        raise ConfigError(_("[tracking] pattern and source must be text"), path=path)
    if check not in _CHECKS:
        raise ConfigError(
            _("[tracking] check {check!r} is unknown").format(check=check),
            path=path,
            hint=_("use 's10'"),
        )
    try:
        re.compile(pattern)
    except re.error as error:
        raise ConfigError(
            _("[tracking] pattern cannot be read: {error}").format(error=error),
            path=path,
        ) from error
    if not source:
        raise ConfigError(
            _("[tracking] needs a source"), path=path, hint=_("say where the rule comes from")
        )
    return TrackingRule(pattern=pattern, check=check, source=source)
