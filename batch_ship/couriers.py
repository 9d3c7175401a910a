"""Courier templates (templates/couriers/*.toml): columns, names and tracking-number rules."""

from __future__ import annotations

import importlib.resources
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from batch_ship.errors import ConfigError
from batch_ship.i18n import _
from batch_ship.labels.layout import LabelSettings, label_settings
from batch_ship.template_limits import BoundedSandbox, TemplateLimitError, render_all
from batch_ship.toml_keys import read_toml, refuse_unknown_keys, text_value
from batch_ship.tracking_numbers import TrackingRule
from batch_ship.workspace import Sender

COURIERS_DIR = "couriers"
MAX_ROWS_PER_FILE = 1_048_575  # an .xlsx sheet holds 1,048,576 rows, one of them the header

# What a column expression can read. `parcel` and `recipient` are columns of the parcel table
# (submission.py builds them), `sender` is the [sender] block of batch_ship.toml, `items` the
# parcel's rendered item lines, `item` (only in the [items] format) one line of the item report.
PARCEL_FIELDS = (
    "reference", "order_ids", "order_count", "items", "quantity", "buyer", "buyer_message",
    "seller_note", "paid_at",
)  # fmt: skip
RECIPIENT_FIELDS = (
    "name", "phone", "phone_kind", "province", "city", "district", "detail", "postcode", "address",
)  # fmt: skip
SENDER_FIELDS = tuple(Sender.__dataclass_fields__)
ITEM_FIELDS = ("title", "sku", "properties", "quantity", "price")
NAMESPACES: dict[str, tuple[str, ...]] = {
    "parcel": PARCEL_FIELDS,
    "recipient": RECIPIENT_FIELDS,
    "sender": SENDER_FIELDS,
}

DEFAULT_ITEM_FORMAT = (
    "{{ item.title }}{% if item.properties %} [{{ item.properties }}]{% endif %}"
    " ×{{ item.quantity }}"
)
DEFAULT_ITEM_SEPARATOR = "; "

_TOP_KEYS = {
    "name", "layout_note", "rows_per_file", "reference_header", "marketplace_names",
    "tracking", "items", "columns", "source", "label",
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
_EXPRESSION = re.compile(r"(\{\{.*?\}\})", re.DOTALL)
_FIELD_REF = re.compile(r"\{\{-?\s*([a-z_]+)\.([a-z_]+)\s*-?\}\}")
_SENDER_REF = re.compile(r"\bsender\.([a-z_]+)")
_JINJA_MARKERS = ("{{", "}}", "{%", "%}", "{#", "#}")

# Templates are user-edited files: a sandbox that cannot mutate or reach Python internals, and
# StrictUndefined so a misspelt field is an error at load time, not an empty column.
_ENV = BoundedSandbox(
    undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False
)


@dataclass(frozen=True)
class Expression:
    """A Jinja2 expression compiled once at load.

    `parts` is set when the text is only literal text and plain field references
    (`{{ recipient.name }}`): then it is filled by whole-column string operations, never a
    template render per cell. Each part is ("text", literal) or (namespace, field).
    """

    source: str
    parts: tuple[tuple[str, str], ...] | None
    template: jinja2.Template | None = field(default=None, compare=False, repr=False)
    path: Path | None = field(default=None, compare=False)  # the template file, for messages
    where: str = field(default="", compare=False)  # e.g. "column 9 (物品名称)"

    @property
    def is_plain(self) -> bool:
        return self.parts is not None

    def render(self, **context: Any) -> str:
        """Render one value (the slow path: used for expressions that are not plain)."""
        if self.parts is not None:
            out = []
            for kind, value in self.parts:
                if kind == "text":
                    out.append(value)
                else:
                    scope = context[kind]
                    item = scope[value] if isinstance(scope, Mapping) else getattr(scope, value)
                    out.append("" if item is None else str(item))
            return "".join(out)
        return self.render_all([context])[0]

    def render_all(self, contexts: Sequence[dict[str, Any]]) -> list[str]:
        """Render once per context, within the limits of template_limits.py (value size,
        time per value and per column); a broken limit is a ConfigError naming the template
        file and the column."""
        assert self.template is not None
        try:
            return render_all(self.template, contexts, len(contexts))
        except TemplateLimitError as error:
            raise ConfigError(
                _("{where}: {error}").format(where=self.where, error=error),
                path=self.path,
                hint=_("simplify the expression (limits: README, Templates)"),
            ) from None


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

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(column.header for column in self.columns)

    @property
    def sender_fields(self) -> tuple[str, ...]:
        """The [sender] keys its columns print, in SENDER_FIELDS order."""
        used: set[str] = set()
        for column in self.columns:
            if column.value.parts is not None:
                used.update(name for kind, name in column.value.parts if kind == "sender")
            else:
                used.update(_SENDER_REF.findall(column.value.source))
        return tuple(name for name in SENDER_FIELDS if name in used)

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
    """The built-in templates/couriers folder: the installed package data, else the repo copy."""
    try:
        root = importlib.resources.files("batch_ship.templates")
        candidate = Path(str(root)) / COURIERS_DIR
        if candidate.is_dir():
            return candidate
    except (ModuleNotFoundError, TypeError):  # an editable install without templates/__init__
        pass
    return Path(__file__).resolve().parents[1] / "templates" / COURIERS_DIR


def load_couriers(templates_dir: Path | None = None) -> dict[str, Courier]:
    """Every courier template by code: the built-ins, overridden by `templates_dir/couriers/*.toml`.

    `templates_dir` is the configured templates folder (batch_ship.toml `[folders] templates`);
    a file there with a built-in's name replaces it, a new name adds a courier.
    """
    return {code: load_courier_file(path) for code, path in template_files(templates_dir).items()}


def template_files(templates_dir: Path | None = None) -> dict[str, Path]:
    """The template file of each courier code, overrides applied, sorted by code."""
    files: dict[str, Path] = {path.stem: path for path in builtin_dir().glob("*.toml")}
    if templates_dir is not None:
        if templates_dir.exists() and not templates_dir.is_dir():
            raise ConfigError(_("the templates folder is a file"), path=templates_dir)
        override = templates_dir / COURIERS_DIR
        if override.is_dir():
            files.update({path.stem: path for path in override.glob("*.toml")})
    return dict(sorted(files.items()))


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
    rows_per_file = data.get("rows_per_file", 10_000)
    if not isinstance(rows_per_file, int) or isinstance(rows_per_file, bool):
        raise ConfigError(_("rows_per_file must be a whole number"), path=path)
    if not 1 <= rows_per_file <= MAX_ROWS_PER_FILE:
        raise ConfigError(
            _("rows_per_file must be between 1 and {MAX_ROWS_PER_FILE:,}").format(
                MAX_ROWS_PER_FILE=MAX_ROWS_PER_FILE
            ),
            path=path,
        )
    names = data.get("marketplace_names", {})
    if not isinstance(names, dict) or not all(isinstance(v, str) for v in names.values()):
        raise ConfigError(_("[marketplace_names] must map marketplace to a name"), path=path)
    columns = _columns(data.get("columns"), path)
    reference_header = text_value(data, "reference_header", path) or "订单编号"
    headers = [column.header for column in columns]
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
    items = data.get("items", {})
    if not isinstance(items, dict):
        raise ConfigError(_("[items] must be a table"), path=path)
    refuse_unknown_keys(items, _ITEM_KEYS, "[items]", path)
    item_source = text_value(items, "format", path) or DEFAULT_ITEM_FORMAT
    item_format = compile_expression(item_source, path, "[items] format", ("item",))
    separator = items.get("separator", DEFAULT_ITEM_SEPARATOR)
    if not isinstance(separator, str):
        raise ConfigError(_("[items] separator must be text"), path=path)
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
    )


def _columns(raw: Any, path: Path) -> tuple[Column, ...]:
    if not isinstance(raw, list) or not raw:
        raise ConfigError(
            _("no columns"), path=path, hint=_("add [[columns]] tables with header and value")
        )
    columns = []
    for number, entry in enumerate(raw, start=1):
        where = f"column {number}"
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
        text = entry.get("text")
        if text is not None and not isinstance(text, bool):
            raise ConfigError(
                _("{where} ({header}): text must be true or false").format(
                    where=where, header=header
                ),
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
        text = not numeric if text is None else text
        columns.append(
            Column(
                header=header,
                value=expression,
                width=float(width) if width else None,
                text=text,
            )
        )
    return tuple(columns)


def compile_expression(
    source: str, path: Path | None, where: str, namespaces: tuple[str, ...]
) -> Expression:
    """Compile a column (or item) expression once; plain field references become `parts`."""
    parts = _plain_parts(source, namespaces, path, where)
    if parts is not None:
        return Expression(source=source, parts=parts)
    try:
        template = _ENV.from_string(source)
    except jinja2.TemplateSyntaxError as error:
        raise ConfigError(
            _("{where}: Jinja2 syntax error: {message}").format(where=where, message=error.message),
            path=path,
            hint=_("fix the expression"),
        ) from error
    expression = Expression(source=source, parts=None, template=template, path=path, where=where)
    _trial_render(expression, namespaces, path, where)
    return expression


def _plain_parts(
    source: str, namespaces: tuple[str, ...], path: Path | None, where: str
) -> tuple[tuple[str, str], ...] | None:
    parts: list[tuple[str, str]] = []
    for piece in _EXPRESSION.split(source):
        if not piece:
            continue
        match = _FIELD_REF.fullmatch(piece)
        if match:
            namespace, name = match.groups()
            if namespace not in namespaces:
                return None  # not ours (e.g. a loop variable): let Jinja decide
            known = ITEM_FIELDS if namespace == "item" else NAMESPACES[namespace]
            if name not in known:
                raise ConfigError(
                    _("{where}: unknown field {namespace}.{name}").format(
                        where=where, namespace=namespace, name=name
                    ),
                    path=path,
                    hint=_("{namespace} has: {value}").format(
                        namespace=namespace, value=", ".join(known)
                    ),
                )
            parts.append((namespace, name))
        elif any(marker in piece for marker in _JINJA_MARKERS):
            return None
        else:
            parts.append(("text", piece))
    return tuple(parts)


def _trial_render(
    expression: Expression, namespaces: tuple[str, ...], path: Path | None, where: str
) -> None:
    """Render once against empty values so a misspelt field fails now, naming the file."""
    context = sample_context(namespaces)
    try:
        expression.render(**context)
    except jinja2.UndefinedError as error:
        raise ConfigError(
            _("{where}: {message}").format(where=where, message=error.message),
            path=path,
            hint=_("fields: {fields}").format(
                fields="; ".join(f"{ns}.{{{','.join(NAMESPACES[ns])}}}" for ns in NAMESPACES)
            ),
        ) from error
    except jinja2.TemplateError as error:
        raise ConfigError(
            _("{where}: {error}").format(where=where, error=error), path=path
        ) from error
    except (TypeError, ValueError, ArithmeticError) as error:
        raise ConfigError(
            _("{where}: the expression fails: {error}").format(where=where, error=error), path=path
        ) from error


def sample_context(namespaces: tuple[str, ...]) -> dict[str, Any]:
    """A render context with every field present and empty."""
    context: dict[str, Any] = {}
    for namespace in namespaces:
        if namespace == "item":
            context["item"] = dict.fromkeys(ITEM_FIELDS, "")
        else:
            context[namespace] = dict.fromkeys(NAMESPACES[namespace], "")
    if "parcel" in namespaces:
        context["items"] = []
    return context


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
