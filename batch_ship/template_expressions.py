"""Template column expressions: the fields a courier template can read, each expression compiled
once at load (plain field references filled by whole-column operations) and rendered in the
bounded sandbox of template_limits.py."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from batch_ship.errors import ConfigError
from batch_ship.i18n import _
from batch_ship.template_limits import BoundedSandbox, TemplateLimitError, render_all
from batch_ship.workspace import Sender

# What a column expression can read. `parcel` and `recipient` are columns of the parcel table
# (submission.py builds them), `sender` the [sender] block of batch_ship.toml (sender.py's
# sender_values), `items` the parcel's rendered item lines, `item` (only in the [items] format)
# one line of the item report.
PARCEL_FIELDS = (
    "reference", "order_ids", "order_count", "items", "quantity", "buyer", "buyer_message",
    "seller_note", "paid_at", "note", "weight_g", "weight_kg", "declared_value", "cod_amount",
)  # fmt: skip
RECIPIENT_FIELDS = (
    "name", "phone", "phone_kind", "province", "city", "district", "detail", "postcode", "address",
)  # fmt: skip
SENDER_KEYS = tuple(Sender.__dataclass_fields__)  # the keys of [sender] in batch_ship.toml
# sender.full_address is no key of its own: these keys on one line, a municipality named once
# (sender.py's full_address), so a one-cell sender address never reads 重庆市重庆市.
FULL_ADDRESS_KEYS = ("province", "city", "district", "address")
SENDER_FIELDS = (*SENDER_KEYS, "full_address")
ITEM_FIELDS = ("title", "sku", "properties", "quantity", "price")
NAMESPACES: dict[str, tuple[str, ...]] = {
    "parcel": PARCEL_FIELDS,
    "recipient": RECIPIENT_FIELDS,
    "sender": SENDER_FIELDS,
}


_EXPRESSION = re.compile(r"(\{\{.*?\}\})", re.DOTALL)
_FIELD_REF = re.compile(r"\{\{-?\s*([a-z_]+)\.([a-z_]+)\s*-?\}\}")
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
