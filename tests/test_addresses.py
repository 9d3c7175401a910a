"""normalize_address: the Taobao form, free text, postcodes, and never a guessed region."""

from __future__ import annotations

import csv
import functools
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from batch_ship.model import Address
from batch_ship.normalize.addresses import (
    FULLWIDTH,
    NON_SPACE_WHITESPACE,
    clean_text,
    format_address,
    normalize_address,
)
from batch_ship.normalize.regions import load_regions
from tests.conftest import ORACLE_DIR


def _parts(address: Address) -> tuple[str, str, str, str, str, str | None]:
    return (address.province, address.city, address.district, address.detail, address.postcode,
            address.problem)  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Taobao's own form, postcode pulled out, (000000) meaning none.
        (
            "浙江省 杭州市 西湖区 文三路1号(310012)",
            ("浙江省", "杭州市", "西湖区", "文三路1号", "310012", None),
        ),
        (
            "浙江省 杭州市 西湖区 文三路1号(000000)",
            ("浙江省", "杭州市", "西湖区", "文三路1号", "", None),
        ),
        (
            "浙江省 杭州市 西湖区 文三路 1号楼 (310012)",
            ("浙江省", "杭州市", "西湖区", "文三路 1号楼", "310012", None),
        ),
        # Municipalities: the city is the municipality, never 市辖区.
        (
            "北京 北京市 朝阳区 建国路1号(100020)",
            ("北京市", "北京市", "朝阳区", "建国路1号", "100020", None),
        ),
        (
            "北京市 市辖区 东城区 东长安街1号",
            ("北京市", "北京市", "东城区", "东长安街1号", "", None),
        ),
        ("上海 上海市 浦东新区 张江路1号", ("上海市", "上海市", "浦东新区", "张江路1号", "", None)),
        ("重庆 重庆市 江北区 观音桥1号", ("重庆市", "重庆市", "江北区", "观音桥1号", "", None)),
        ("重庆市 县 城口县 某路1号", ("重庆市", "重庆市", "城口县", "某路1号", "", None)),
        # Placeholder district, full-width brackets and digits.
        (
            "浙江省 杭州市 其它区 文三路（310012）",
            ("浙江省", "杭州市", "", "文三路", "310012", None),
        ),
        (
            "\u3000浙江省\u3000杭州市 西湖区 文三路１号（３１００１２）",
            ("浙江省", "杭州市", "西湖区", "文三路1号", "310012", None),
        ),
        # County-level cities under a province and prefecture cities without counties.
        ("湖北省 仙桃市 干河街道 某路1号", ("湖北省", "仙桃市", "", "干河街道 某路1号", "", None)),
        ("湖北省 省直辖县级行政区划 仙桃市 某路1号", ("湖北省", "仙桃市", "", "某路1号", "", None)),
        ("广东省 东莞市 长安镇 某路1号", ("广东省", "东莞市", "", "长安镇 某路1号", "", None)),
        ("广东省 中山市 中山市 某路1号", ("广东省", "中山市", "", "某路1号", "", None)),
        ("海南省 儋州市 那大镇 某路1号", ("海南省", "儋州市", "", "那大镇 某路1号", "", None)),
        (
            "新疆维吾尔自治区 石河子市 某路1号",
            ("新疆维吾尔自治区", "石河子市", "", "某路1号", "", None),
        ),
        ("河南省 济源市 某路1号", ("河南省", "济源市", "", "某路1号", "", None)),
        # Recent units.
        ("浙江省 杭州市 临平区 某路1号", ("浙江省", "杭州市", "临平区", "某路1号", "", None)),
        ("浙江省 杭州市 钱塘区 某路1号", ("浙江省", "杭州市", "钱塘区", "某路1号", "", None)),
        (
            "广西壮族自治区 南宁市 横州市 某路1号",
            ("广西壮族自治区", "南宁市", "横州市", "某路1号", "", None),
        ),
        # Short names and aliases.
        (
            "内蒙古 呼市 赛罕区 某路1号",
            ("内蒙古自治区", "呼和浩特市", "赛罕区", "某路1号", "", None),
        ),
        ("广西 南宁 青秀区 某路1号", ("广西壮族自治区", "南宁市", "青秀区", "某路1号", "", None)),
        ("内蒙 包头 昆都仑区 某路1号", ("内蒙古自治区", "包头市", "昆都仑区", "某路1号", "", None)),
        # Free text.
        ("浙江杭州西湖区文三路1号", ("浙江省", "杭州市", "西湖区", "文三路1号", "", None)),
        (
            "浙江省杭州市西湖区文三路1号(310012)",
            ("浙江省", "杭州市", "西湖区", "文三路1号", "310012", None),
        ),
        (
            "浙江省，杭州市，西湖区，文三路1号",
            ("浙江省", "杭州市", "西湖区", "文三路1号", "", None),
        ),
        ("北京市朝阳区建国路1号", ("北京市", "北京市", "朝阳区", "建国路1号", "", None)),
        ("吉林吉林市船营区某路1号", ("吉林省", "吉林市", "船营区", "某路1号", "", None)),
        ("吉林船营区某路1号", ("吉林省", "吉林市", "船营区", "某路1号", "", None)),
        ("恩施州恩施市某路1号", ("湖北省", "恩施土家族苗族自治州", "恩施市", "某路1号", "", None)),
        ("天津河北区某路1号", ("天津市", "天津市", "河北区", "某路1号", "", None)),
        ("杭州市余杭区某路1号", ("浙江省", "杭州市", "余杭区", "某路1号", "", None)),
        ("中国浙江省杭州市西湖区某路1号", ("浙江省", "杭州市", "西湖区", "某路1号", "", None)),
        ("辽宁大连中山区某路1号", ("辽宁省", "大连市", "中山区", "某路1号", "", None)),
        ("山东济南市中区某路1号", ("山东省", "济南市", "市中区", "某路1号", "", None)),
        # Unknown district with a known city is fine.
        (
            "河北唐山芦台经济开发区某路1号",
            ("河北省", "唐山市", "", "芦台经济开发区某路1号", "", None),
        ),
        ("广东省 深圳市 某某新区 某路1号", ("广东省", "深圳市", "", "某某新区 某路1号", "", None)),
    ],
)
def test_normalize_address(raw: str, expected: tuple[str, ...]) -> None:
    assert _parts(normalize_address(raw)) == expected


@pytest.mark.parametrize(
    ("raw", "province"),
    [
        ("朝阳区建国路1号", ""),  # 北京 or 长春: ambiguous, never 吉林省
        ("西湖区文三路1号", ""),  # 杭州 or 南昌
        ("中山路1号", ""),  # a road, not 中山市
        ("北京路100号", ""),  # a road in 广州, not 北京
        ("湖南路123号", ""),
        ("江苏省鼓楼区某路1号", "江苏省"),  # 南京 or 徐州: the province is all the text says
        ("香港特别行政区 九龙 油尖旺区 某路1号", "香港特别行政区"),
        ("某某小区3栋", ""),
        ("中国银行大厦3楼", ""),
        ("中国湖南路1号", ""),
        ("南京东路100号", ""),  # a street in 上海, not 南京
        ("东区3栋", ""),  # 攀枝花 has a 东区, but two characters alone say nothing
    ],
)
def test_unresolved_never_guesses(raw: str, province: str) -> None:
    address = normalize_address(raw)
    assert address.problem == "address-unresolved"
    assert (address.province, address.city, address.district) == (province, "", "")
    assert raw.endswith(address.detail)  # the text is kept for the person fixing it
    assert address.detail


@pytest.mark.parametrize("raw", ["", "   ", "\u3000", "(000000)", "（000000）"])
def test_missing(raw: str) -> None:
    assert normalize_address(raw) == Address(problem="address-missing")


def test_hebei_prefix_is_not_tianjin_hebei_district() -> None:
    address = normalize_address("河北唐山芦台经济开发区海北镇1号")
    assert (address.province, address.city) == ("河北省", "唐山市")
    assert address.district != "河北区"


def test_only_the_last_real_postcode_is_kept() -> None:
    address = normalize_address("浙江省 杭州市 西湖区 某路(123456)(310012)")
    assert (address.detail, address.postcode) == ("某路", "310012")
    assert normalize_address(format_address(address)) == address


def test_only_ascii_digit_groups_are_postcodes() -> None:
    address = normalize_address("浙江省 杭州市 西湖区 某路(١٢٣٤٥٦)")
    assert (address.detail, address.postcode) == ("某路(١٢٣٤٥٦)", "")


def test_format_address_round_trips() -> None:
    address = normalize_address("北京 北京市 朝阳区 建国路1号(100020)")
    assert format_address(address) == "北京市 北京市 朝阳区 建国路1号(100020)"
    assert normalize_address(format_address(address)) == address


# --- The public division list (test data only): every county-level unit, Taobao way. ---------

MUNICIPALITIES = {"11", "12", "31", "50"}
DIRECT = ("省直辖县级行政区划", "自治区直辖县级行政区划")


@functools.cache
def _shorts() -> dict[str, str]:
    return {unit.name: unit.short for unit in load_regions().units.values() if unit.short}


def _short(name: str) -> str:
    """The table's short form of a province or prefecture name (浙江, 杭州), else the name."""
    return _shorts().get(name, name)


def _oracle(form: str) -> Iterator[tuple[str, tuple[str, str, str], bool]]:
    """(text, expected, is_zone) per county-level unit, written in `form`: taobao (省 市 区),
    free (省市区, full names) or short (浙江杭州西湖区)."""

    def rows(name: str) -> list[dict[str, str]]:
        with (ORACLE_DIR / name).open(encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    provinces = {row["code"]: row["name"] for row in rows("provinces.csv")}
    cities = {row["code"]: row["name"] for row in rows("cities.csv")}
    for area in rows("areas.csv"):
        province, city = provinces[area["provinceCode"]], cities[area["cityCode"]]
        county = area["name"]
        # Statistical codes xx7x are development zones, not civil divisions: the city is
        # expected, the district left empty (it stays in the detail).
        zone = area["code"][4] == "7"
        if area["provinceCode"] in MUNICIPALITIES:
            parts = [province[:-1], province, county]
            expected = (province, province, county)
            if form != "taobao":
                parts = [province if form == "free" else _short(province), county]
        elif city in DIRECT:
            parts, expected = [province, county], (province, county, "")
        elif county == city:  # 东莞市 东莞市
            parts, expected = [province, city, county], (province, city, "")
            if form != "taobao":
                parts = parts[:2]
        else:
            parts, expected = [province, city, county], (province, city, county)
        if form == "short":
            parts = [_short(part) for part in parts[:-1]] + parts[-1:]
        if zone:
            expected = (expected[0], expected[1], "")
        text = " ".join(parts) if form == "taobao" else "".join(parts)
        yield text + " 某路1号", expected, zone


def _score(form: str, zones: bool) -> tuple[int, int, int, list[str]]:
    total = exact = wrong = 0
    misses = []
    for text, expected, zone in _oracle(form):
        if zone != zones:
            continue
        address = normalize_address(text)
        got = (address.province, address.city, address.district)
        total += 1
        if got == expected and address.detail.endswith("某路1号"):
            exact += 1
        else:
            misses.append(f"{text} -> {got}")
            wrong += any(g and g != e for g, e in zip(got, expected, strict=True))
    return total, exact, wrong, misses


needs_oracle = pytest.mark.skipif(
    not (ORACLE_DIR / "areas.csv").exists(),
    reason=f"the public division list is not at {ORACLE_DIR} (CI has it)",
)


@needs_oracle
@pytest.mark.parametrize("form", ["taobao", "free", "short"])
def test_every_county_of_the_public_list(form: str) -> None:
    total, exact, wrong, misses = _score(form, zones=False)
    assert total > 2800
    assert round(exact / total, 4) >= 0.9986, misses[:20]  # 4 misses: 三沙 islands, 大柴旦
    assert wrong == 0, misses[:20]


@needs_oracle
def test_development_zones_keep_city_and_invent_no_district() -> None:
    total, exact, wrong, misses = _score("taobao", zones=True)
    assert total > 100
    assert wrong == 0, misses[:20]
    assert exact == total, misses[:20]


# --- Properties --------------------------------------------------------------------------------

_NAMES = sorted({unit.name for unit in load_regions().units.values()} | set(load_regions().index))
_piece = st.one_of(
    st.sampled_from(_NAMES),
    st.sampled_from(["其它区", "市辖区", "县", "省直辖县级行政区划", "路", "1号", "(310000)",
                     "(000000)", "（１２３４５６）", " ", "\u3000", ",", "、", "\t", ")", "("]),
    st.text(max_size=4),
)  # fmt: skip
address_text = st.lists(_piece, max_size=8).map("".join)


@settings(max_examples=150, deadline=None)
@given(address_text)
@example(",NONE")  # the detail dropped the comma, and `NONE` alone read as missing next time
@example("-null")
@example("null,")
@example(",,,,,,null")
def test_never_crashes_and_is_idempotent(raw: str) -> None:
    address = normalize_address(raw)
    again = normalize_address(format_address(address))
    assert again == address


@settings(max_examples=100, deadline=None)
@given(st.text())
@example("、nan、")
def test_any_text(raw: str) -> None:
    address = normalize_address(raw)
    assert address.problem in (None, "address-missing", "address-unresolved")
    assert normalize_address(format_address(address)) == address


def test_oracle_dir_is_test_data_only() -> None:
    # The product must not read the oracle: no file under batch_ship names it.
    package = Path(__file__).resolve().parents[1] / "batch_ship"
    for path in package.rglob("*.py"):
        assert "oracle" not in path.read_text("utf-8"), path


# --- Free text as people write it: one table of hand-written cases per class ----------------

FREE_TEXT = Path(__file__).parent / "data" / "free_text_addresses.csv"


def _free_text_cases() -> list[tuple[str, str, tuple[str, str, str], str]]:
    lines = [line for line in FREE_TEXT.read_text("utf-8").splitlines() if not line.startswith("#")]
    return [
        (row["class"], row["text"], (row["province"], row["city"], row["district"]), row["problem"])
        for row in csv.DictReader(lines)
    ]


@pytest.mark.parametrize(("kind", "raw", "expected", "problem"), _free_text_cases())
def test_free_text_by_class(
    kind: str, raw: str, expected: tuple[str, str, str], problem: str
) -> None:
    address = normalize_address(raw)
    assert (address.province, address.city, address.district) == expected, kind
    assert (address.problem or "") == problem
    assert normalize_address(format_address(address)) == address


def test_every_class_has_cases() -> None:
    kinds = {case[0] for case in _free_text_cases()}
    assert kinds == {"separators", "suffixless_county", "county_first", "words_before", "noise",
                     "changes", "extra_level", "traps", "two_chains"}  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        ("我家的地址是江苏淮安清江浦区淮海南路8号", "淮海南路8号"),  # the filler goes
        ("青口镇 浙江省金华市义乌市工人北路", "青口镇 工人北路"),  # a town before stays
        ("温州广州市荔湾区康王路", "康王路"),  # a loose region name before the chain goes
        (
            "浙江省杭州市广东省广州市天河区",
            "浙江省杭州市广东省广州市天河区",
        ),  # conflict: kept whole
        ("杭州富阳市富春街道", "富春街道"),  # the renamed county's old suffix is consumed
    ],
)
def test_detail_of_free_text(raw: str, detail: str) -> None:
    assert normalize_address(raw).detail == detail


def test_conflict_leaves_every_level_empty() -> None:
    address = normalize_address("江苏省南京市上海市黄浦区人民路1号(200001)")
    assert address == Address(
        detail="江苏省南京市上海市黄浦区人民路1号", postcode="200001", problem="address-conflict"
    )


@pytest.mark.parametrize(
    "raw",
    ["null", "NULL", " None ", "nan", "-null", ",NONE", "null,", "、nan、", ",,,,,,null(000000)"],
)
def test_a_literal_null_is_missing(raw: str) -> None:
    assert normalize_address(raw).problem == "address-missing"


# --- No output names a region the text does not name -----------------------------------------


def _unit_of(address: Address) -> str | None:
    """The code of the most specific level the address gives."""
    table = load_regions()
    province = table.provinces.get(address.province)
    if province is None:
        return None
    city = table.cities.get(province, {}).get(address.city)
    if city is None:
        return province
    return table.counties.get(city, {}).get(address.district) or city


def _named_in(text: str, code: str) -> bool:
    """Whether `text` holds a key (name, short name, alias, old name) of `code` or of a unit
    inside it (the county 义乌 names its city and province too)."""
    table = load_regions()
    for _, _, found in table.matches(text):
        for candidate in found:
            unit = candidate.code
            while unit:
                if unit == code:
                    return True
                unit = table.units[unit].parent
    return False


_keys = st.sampled_from(sorted(load_regions().index))
_NOISE = "路 大道 镇 花园 1号 - / ， 收货地址： null 中国 市辖区 湾 新村 街道 6栋 我家的地址是"
_noise = st.sampled_from([*_NOISE.split(), " "])
free_text = st.lists(st.one_of(_keys, _noise, st.text(max_size=3)), max_size=7).map("".join)


@settings(max_examples=300, deadline=None)
@given(free_text)
@example("-null")  # detail `null` the first time, missing the second
@example("，null")
@example("/null北京市朝阳区大道")
def test_no_output_names_a_region_absent_from_the_text(raw: str) -> None:
    address = normalize_address(raw)
    code = _unit_of(address)
    if address.province:
        assert code is not None, address  # levels that exist and hang together
        assert _named_in(clean_text(raw), code), (raw, address)
    assert normalize_address(format_address(address)) == address


@settings(max_examples=300, deadline=None)
@given(st.one_of(free_text, st.lists(_keys, min_size=2, max_size=4).map("".join)))
@example("吉林吉林市舒兰市长江路1号")  # 吉林 and 海南 are also a prefecture's short name
@example("吉林长春市德惠市滨江大道2号")
@example("海南三亚市崖州区文三路3号")
@example("吉林朝阳区建国路1号")
def test_the_fast_path_answers_as_the_general_reading(raw: str) -> None:
    from batch_ship.normalize import chains, free_text

    text = clean_text(raw)
    quick = free_text.quick(load_regions(), text)
    if quick is not None:
        assert quick == chains.read(load_regions(), text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.lists(_keys, min_size=2, max_size=3), free_text), max_size=4))
def test_remembered_chains_answer_as_the_general_reading(
    texts: list[tuple[list[str], str]],
) -> None:
    from batch_ship.normalize import chains, free_text

    table = load_regions()
    # Texts sharing their first words: the first reading is remembered, the others reuse it.
    for _ in range(2):
        for keys, tail in texts:
            text = clean_text("".join(keys) + tail)
            if text:
                assert free_text.find(table, text) == chains.read(table, text), text


@pytest.mark.parametrize(
    "tail",
    ["中山北路1号", "中山市场", "场", " 杭州大厦", "-广州市天河区", "、广东", " 中山 北路",
     "广东省", "长江路", "吉林", "海南三亚", "杭州湾", "", " ", "/", "文三路"],
)  # fmt: skip
@pytest.mark.parametrize(
    "chain", ["浙江杭州市西湖区", "吉林长春市德惠市", "北京朝阳区", "浙江省杭州市"]
)
def test_a_remembered_chain_is_reused_only_where_quick_reads_it(chain: str, tail: str) -> None:
    from batch_ship.normalize import chains, free_text

    table = load_regions()
    free_text.find(table, chain + "文三路1号")  # remembered, when the fast path reads it
    text = chain + tail
    assert free_text.find(table, text) == chains.read(table, text), text


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["浙江", "１２", "（", "）", " ", "  ", "\u3000", "\t", "\n", "\xa0",
                             "\u2028", "\x1c", "\x85", "Ａ", "～"]),
            st.text(max_size=3),
        ),
        max_size=8,
    ).map("".join)
)  # fmt: skip
def test_clean_text_is_its_definition(raw: str) -> None:
    # clean_text skips the work when a quick test finds nothing to change: never wrongly.
    assert clean_text(raw) == " ".join(raw.translate(FULLWIDTH).split())


def test_non_space_whitespace_is_every_space_but_the_space() -> None:
    every = {chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace()}
    assert set(NON_SPACE_WHITESPACE) == every - {" "}
