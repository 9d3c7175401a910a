"""address_columns: the bulk twin of normalize_address gives its answers, on any text."""

from __future__ import annotations

import dataclasses

import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import example, given, settings
from hypothesis import strategies as st

from batch_ship.normalize.addresses import NON_SPACE_WHITESPACE, normalize_address
from batch_ship.normalize.bulk_addresses import UNCLEAN_SPACE, address_columns
from batch_ship.normalize.regions import load_regions
from tests.test_addresses import address_text, free_text

_TAOBAO = st.tuples(
    st.sampled_from(["浙江省", "浙江", "北京", "北京市", "广东省", "湖北省", "吉林"]),
    st.sampled_from(["杭州市", "北京市", "市辖区", "东莞市", "仙桃市", "省直辖县级行政区划",
                     "吉林市"]),
    st.sampled_from(["西湖区", "其它区", "朝阳区", "长安镇", "仙桃市", "船营区", "东莞市", ""]),
    st.sampled_from(["文三路1号", ",某路", "西湖区 某路", "(310012)", "某路(000000)",
                     "(1)(310012)"]),
).map(" ".join)  # fmt: skip


def _bulk(raws: list[str]) -> list[tuple[str | None, ...]]:
    columns = address_columns(pa.array(raws, pa.large_string()), load_regions())
    return [
        (*row[:5], row[5] or None)
        for row in zip(*(column.to_pylist() for column in columns), strict=True)
    ]


def _scalar(raw: str) -> tuple[str | None, ...]:
    return dataclasses.astuple(normalize_address(raw))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_TAOBAO, address_text, free_text), min_size=1, max_size=20))
@example(["浙江省 杭州市 其它区 西湖区 某路1号(000000)", "广东省 东莞市 长安镇 ,某路1号(523000)"])
@example(["浙江省 杭州市 西湖区 某路(1)(310012)", "湖北省 仙桃市 干河街道 某路1号", "\u3000浙江省"])
def test_bulk_equals_normalize_address(raws: list[str]) -> None:
    assert _bulk(raws) == [_scalar(raw) for raw in raws]


def test_unclean_space_is_what_clean_text_changes_in_spacing() -> None:
    texts = [f"a{char}b" for char in NON_SPACE_WHITESPACE] + ["a  b", " a", "a ", "a b", "ab"]
    found = pc.match_substring_regex(
        pa.array(texts, pa.large_string()).cast(pa.large_binary()), UNCLEAN_SPACE
    ).to_pylist()
    assert found == [True] * (len(NON_SPACE_WHITESPACE) + 3) + [False, False]
