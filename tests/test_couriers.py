"""Courier templates: the built-ins load, plain columns are detected, bad files are refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from batch_ship.couriers import (
    PARCEL_FIELDS,
    RECIPIENT_FIELDS,
    SENDER_FIELDS,
    builtin_dir,
    get_courier,
    load_courier_file,
    load_couriers,
)
from batch_ship.errors import ConfigError
from batch_ship.tracking_numbers import validate

GENERIC_HEADERS = (
    "订单编号", "收件人姓名", "收件人手机/电话", "收件人省", "收件人市", "收件人区",
    "收件人详细地址", "邮编", "物品名称", "数量", "备注", "寄件人姓名", "寄件人手机/电话",
    "寄件人省", "寄件人市", "寄件人区", "寄件人详细地址",
)  # fmt: skip
TAOBAO_NAMES = {
    "zto": "中通快递", "sf": "顺丰速运", "yto": "圆通速递", "yunda": "韵达快递", "sto": "申通快递",
    "jt": "极兔速递", "ems": "EMS", "jd": "京东快递",
}  # fmt: skip

MINIMAL = """
name = "测试快递"
[tracking]
pattern = '\\d{10}'
source = "test"
[[columns]]
header = "订单编号"
value = "{{ parcel.reference }}"
"""


def write_template(folder: Path, code: str, text: str) -> Path:
    path = folder / "couriers" / f"{code}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_every_builtin_loads_with_names_and_a_cited_rule() -> None:
    couriers = load_couriers()
    assert set(couriers) == {"generic", *TAOBAO_NAMES}
    for code, taobao in TAOBAO_NAMES.items():
        courier = couriers[code]
        assert courier.marketplace_names["taobao"] == taobao
        assert courier.marketplace_names["amazon"]
        assert courier.tracking.source
        assert courier.reference_header in courier.headers
        assert courier.layout_note
        assert courier.path is not None
        assert courier.path.parent == builtin_dir()


def test_generic_has_the_seventeen_design_columns_in_order() -> None:
    assert get_courier("generic").headers == GENERIC_HEADERS


def test_sf_has_44_columns_with_its_reference_first() -> None:
    sf = get_courier("sf")
    assert len(sf.columns) == 44
    assert sf.headers[0] == "用户订单号" == sf.reference_header


@pytest.mark.parametrize(
    ("code", "good", "bad"),
    [
        ("zto", ["781234567890", "73123456789012", "78123456789012"], ["77123456789012", "7812"]),
        ("ems", ["1234567890123", "EA123456785CN"], ["EA123456784CN", "123456789012"]),
        ("sf", ["SF1023574470215", "SF123456789012", "123456789012"], ["SF12345"]),
        ("jt", ["JT0001234567890"], ["JT12345"]),
        ("yto", ["YT1234567890123"], ["YT12"]),
    ],
)
def test_tracking_rules_accept_and_refuse(code: str, good: list[str], bad: list[str]) -> None:
    rule = get_courier(code).tracking
    assert all(validate(rule, number) for number in good)
    assert not any(validate(rule, number) for number in bad)
    assert get_courier("ems").tracking.check == "s10"


def test_every_builtin_column_is_plain_so_no_cell_renders_a_template() -> None:
    for courier in load_couriers().values():
        assert all(column.value.is_plain for column in courier.columns), courier.code


def test_plain_detection_and_slow_path(tmp_path: Path) -> None:
    text = (
        MINIMAL
        + """
[[columns]]
header = "地址"
value = "{{ recipient.province }}-{{ recipient.city }} {{sender.name}}"
[[columns]]
header = "物品"
value = '{{ items | join("/") }}'
[[columns]]
header = "常量"
value = "寄付月结"
"""
    )
    courier = load_courier_file(write_template(tmp_path, "t", text))
    address, goods, constant = courier.columns[1:]
    assert address.value.parts == (
        ("recipient", "province"),
        ("text", "-"),
        ("recipient", "city"),
        ("text", " "),
        ("sender", "name"),
    )
    assert goods.value.parts is None
    assert goods.value.template is not None
    assert goods.value.render(items=["a", "b"]) == "a/b"
    assert constant.value.parts == (("text", "寄付月结"),)


def test_fields_offered_match_the_documentation_in_the_templates() -> None:
    text = (builtin_dir() / "generic.toml").read_text(encoding="utf-8")
    for name in PARCEL_FIELDS + RECIPIENT_FIELDS + SENDER_FIELDS:
        assert name in text


def test_the_sender_full_address_requires_the_keys_it_joins() -> None:
    """SF prints sender.full_address: export must still refuse an empty province or address."""
    assert get_courier("sf").sender_fields == (
        "name", "phone", "province", "city", "district", "address",
    )  # fmt: skip


def test_sandbox_refuses_python_internals(tmp_path: Path) -> None:
    text = (
        MINIMAL
        + """
[[columns]]
header = "x"
value = "{{ parcel.__class__.__mro__ }}"
"""
    )
    with pytest.raises(ConfigError, match=r"t\.toml"):
        load_courier_file(write_template(tmp_path, "t", text))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name = [", "not valid TOML"),
        ("colour = 1\n" + MINIMAL, "unknown keys in the template: colour"),
        (MINIMAL.replace("{{ parcel.reference }}", "{{ parcel.reference "), "syntax error"),
        (MINIMAL.replace("订单编号", "单号"), "no reference column '订单编号'"),
        (MINIMAL.replace("parcel.reference", "parcel.refrence"), "unknown field parcel.refrence"),
        (
            MINIMAL + '[[columns]]\nheader = "x"\nvalue = "{{ parcel.nope | upper }}"\n',
            "nope",
        ),
        (MINIMAL.replace("source", "sauce"), r"unknown keys in \[tracking\]: sauce"),
        (MINIMAL.replace("\\d{10}", "(["), "pattern cannot be read"),
        ("rows_per_file = 0\n" + MINIMAL, "rows_per_file"),
        (MINIMAL + '[[columns]]\nheader = "订单编号"\nvalue = ""\n', "duplicate column"),
        (MINIMAL + '[items]\nformat = "{{ item.colour }}"\n', "unknown field item.colour"),
    ],
)
def test_bad_template_is_a_config_error_naming_the_file(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write_template(tmp_path, "bad", text)
    with pytest.raises(ConfigError, match=message) as caught:
        load_courier_file(path)
    assert caught.value.path == path
    assert "bad.toml" in str(caught.value)


def test_templates_folder_overrides_and_adds(tmp_path: Path) -> None:
    write_template(tmp_path, "zto", MINIMAL)
    write_template(tmp_path, "local", MINIMAL)
    couriers = load_couriers(tmp_path)
    assert couriers["zto"].name == "测试快递"
    assert couriers["local"].headers == ("订单编号",)
    assert couriers["sf"].name == "顺丰速运"  # built-ins not overridden stay


def test_unknown_code_lists_the_valid_ones() -> None:
    with pytest.raises(ConfigError, match="unknown courier 'dhl'") as caught:
        get_courier("dhl")
    assert caught.value.hint is not None
    assert re.search(r"\bsf\b.*\bzto\b", caught.value.hint)


def test_code_is_case_insensitive() -> None:
    assert get_courier("ZTO").code == "zto"


def test_text_format_on_every_column_but_counts(tmp_path: Path) -> None:
    text = (
        MINIMAL
        + """
[[columns]]
header = "数量"
value = "{{ parcel.quantity }}"
[[columns]]
header = "编码"
value = "{{ parcel.buyer }}"
[[columns]]
header = "件数"
value = "{{ parcel.order_count }}"
text = true
"""
    )
    courier = load_courier_file(write_template(tmp_path, "t", text))
    assert [column.text for column in courier.columns] == [True, False, True, True]


def test_text_false_refused_where_buyer_text_can_be(tmp_path: Path) -> None:
    for value in ("{{ recipient.phone }}", "{{ parcel.quantity | string }}", "x{{ parcel.buyer }}"):
        text = MINIMAL + f'[[columns]]\nheader = "电话"\nvalue = "{value}"\ntext = false\n'
        with pytest.raises(ConfigError, match="must keep the text format @"):
            load_courier_file(write_template(tmp_path, "t", text))


def test_text_must_be_a_boolean(tmp_path: Path) -> None:
    text = MINIMAL + 'text = "yes"\n'
    with pytest.raises(ConfigError, match="text must be true or false"):
        load_courier_file(write_template(tmp_path, "t", text))
