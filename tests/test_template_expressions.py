"""Template column expressions: plain references found at compile time, the rest rendered in
the sandbox, a misspelt field refused when the template loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from batch_ship.errors import ConfigError
from batch_ship.template_expressions import (
    ITEM_FIELDS,
    NAMESPACES,
    compile_expression,
    sample_context,
)


def test_plain_references_become_parts_and_render_without_jinja() -> None:
    expression = compile_expression(
        "{{ recipient.name }}先生 {{-parcel.reference-}}", None, "c", tuple(NAMESPACES)
    )
    assert expression.is_plain
    assert expression.template is None
    assert expression.parts == (("recipient", "name"), ("text", "先生 "), ("parcel", "reference"))
    rendered = expression.render(recipient={"name": "王芳"}, parcel={"reference": None})
    assert rendered == "王芳先生 "


def test_an_expression_with_logic_renders_in_the_sandbox() -> None:
    source = "{% if recipient.postcode %}{{ recipient.postcode }}{% else %}000000{% endif %}"
    expression = compile_expression(source, None, "column 8 (邮编)", tuple(NAMESPACES))
    assert not expression.is_plain
    contexts = [{"recipient": {"postcode": "310013"}}, {"recipient": {"postcode": ""}}]
    assert expression.render_all(contexts) == ["310013", "000000"]


def test_a_misspelt_field_is_refused_at_compile_time_naming_the_place(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    with pytest.raises(
        ConfigError, match=r"column 2 \(姓名\): unknown field recipient.nam"
    ) as caught:
        compile_expression("{{ recipient.nam }}", path, "column 2 (姓名)", tuple(NAMESPACES))
    assert caught.value.path == path
    with pytest.raises(ConfigError, match="nope"):
        compile_expression("{{ parcel.nope | upper }}", path, "column 3", tuple(NAMESPACES))


def test_the_sample_context_has_every_field_empty() -> None:
    context = sample_context((*NAMESPACES, "item"))
    for namespace, fields in NAMESPACES.items():
        assert context[namespace] == dict.fromkeys(fields, "")
    assert context["item"] == dict.fromkeys(ITEM_FIELDS, "")
    assert context["items"] == []
    assert "items" not in sample_context(("item",))
