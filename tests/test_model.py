"""The values that cross module boundaries: Address built fast, and still a frozen dataclass."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from batch_ship.model import Address


def test_address_is_a_frozen_dataclass_built_by_position_or_name() -> None:
    address = Address("浙江省", "杭州市", district="西湖区", postcode="310012")
    assert dataclasses.astuple(address) == ("浙江省", "杭州市", "西湖区", "", "310012", None)
    assert [field.name for field in dataclasses.fields(Address)] == [
        "province", "city", "district", "detail", "postcode", "problem",
    ]  # fmt: skip
    named = Address(province="浙江省", city="杭州市", district="西湖区", postcode="310012")
    assert address == named
    assert address != Address("浙江省", "杭州市", "西湖区", "", "310012", "address-unresolved")
    assert hash(address) == hash(Address("浙江省", "杭州市", "西湖区", "", "310012"))
    assert Address() == Address("", "", "", "", "", None)
    assert dataclasses.replace(address, city="宁波市").city == "宁波市"
    assert pickle.loads(pickle.dumps(address)) == address
    assert repr(Address("a")) == (
        "Address(province='a', city='', district='', detail='', postcode='', problem=None)"
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        address.city = "宁波市"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Address("a", "b", "c", "d", "e", None, "g")  # type: ignore[call-arg]
