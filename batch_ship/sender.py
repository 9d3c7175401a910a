"""The [sender] block: cleaned by the recipient rules, required by couriers that print it, and
what a template's `sender` reads (its keys and full_address)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from batch_ship.couriers import Courier
from batch_ship.errors import ConfigError
from batch_ship.i18n import _
from batch_ship.normalize.addresses import normalize_address
from batch_ship.normalize.names import normalize_name
from batch_ship.normalize.one_line import one_line_text
from batch_ship.normalize.phones import normalize_phone
from batch_ship.template_expressions import FULL_ADDRESS_KEYS, SENDER_KEYS
from batch_ship.workspace import CONFIG_NAME, Sender, Workspace

# Cities without districts (东莞市, 中山市, 儋州市...) leave 寄件人区 empty: never required.
OPTIONAL_KEYS = ("district",)


def normalize_sender(sender: Sender, config: Path) -> Sender:
    """[sender] through the same phone, name and address rules as a recipient.

    A phone like `138 0013 8000` becomes `13800138000`; `浙江`/`杭州` become 浙江省/杭州市 (a
    province or city left empty is found from the address). A phone or region that the rules
    reject is a ConfigError naming the key, never a courier workbook with a wrong sender.
    """
    phone = sender.phone
    if phone.strip():
        found = normalize_phone(phone)
        if found.number is None:
            raise ConfigError(
                _("[sender] phone is not a usable phone number ({problem})").format(
                    problem=found.problem
                ),
                path=config,
                hint=_(
                    "write a mobile (13800000000) or a landline with its area code (0571-87654321)"
                ),
            )
        phone = found.number
    province, city, district = sender.province, sender.city, sender.district
    address = sender.address.strip()
    text = " ".join(part.strip() for part in (province, city, district, address) if part.strip())
    if text:
        found_address = normalize_address(text)
        if found_address.problem is not None:
            raise ConfigError(
                _("[sender] province, city and address do not name a known province and city"),
                path=config,
                hint=_('write the official names, e.g. province = "浙江省", city = "杭州市"'),
            )
        province, city = found_address.province, found_address.city
        district = found_address.district or district.strip()
        address = found_address.detail
    return Sender(
        name=normalize_name(sender.name),
        phone=phone,
        province=province,
        city=city,
        district=district,
        address=address,
    )


def full_address(sender: Sender) -> str:
    """The sender on one line, a municipality named once: sender.full_address, a label's sender."""
    province, city, district, address = (getattr(sender, key) for key in FULL_ADDRESS_KEYS)
    return one_line_text(province, city, district, address)


def sender_values(sender: Sender) -> dict[str, str]:
    """What a template's `sender` reads: every [sender] key, and full_address."""
    values = {key: str(getattr(sender, key)) for key in SENDER_KEYS}
    return {**values, "full_address": full_address(sender)}


def sender_for(courier: Courier, workspace: Workspace) -> Workspace:
    """The workspace with its [sender] normalized; a ConfigError naming the empty keys when
    the courier's workbook prints a sender that batch_ship.toml does not give."""
    config = workspace.home / CONFIG_NAME
    sender = normalize_sender(workspace.config.sender, config)
    missing = [
        key
        for key in courier.sender_fields
        if key not in OPTIONAL_KEYS and not getattr(sender, key)
    ]
    if missing:
        keys = ", ".join(missing)
        raise ConfigError(
            _(
                "{code} courier workbooks carry the sender (寄件人); empty in [sender]: {keys}"
            ).format(code=courier.code, keys=keys),
            path=config,
            hint=_(
                "fill in {keys} under [sender] in {config} (`batch-ship init` writes a "
                "commented one)"
            ).format(keys=keys, config=config),
        )
    return replace(workspace, config=replace(workspace.config, sender=sender))
