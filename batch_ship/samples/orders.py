"""Realistic synthetic Taobao export pairs (order report + item report) in the exact wire format."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from batch_ship.errors import InputError
from batch_ship.i18n import _
from batch_ship.publish import publish_file

# The classic 46-column order report, headers spelled exactly as the seller centre writes them
# (six of them with a trailing space).
ORDER_HEADERS = (
    "订单编号", "买家会员名", "买家支付宝账号", "买家应付货款", "买家应付邮费", "买家支付积分",
    "总金额", "返点积分", "买家实际支付金额", "买家实际支付积分", "订单状态", "买家留言",
    "收货人姓名", "收货地址 ", "运送方式", "联系电话 ", "联系手机", "订单创建时间",
    "订单付款时间 ", "宝贝标题 ", "宝贝种类 ", "物流单号 ", "物流公司", "订单备注", "宝贝总数量",
    "店铺Id", "店铺名称", "订单关闭原因", "卖家服务费", "买家服务费", "发票抬头", "是否手机订单",
    "分阶段订单信息", "特权订单ID", "是否上传合同照片", "是否上传小票", "是否代付", "定金排名",
    "修改后的sku", "修改后的收货地址", "异常信息", "天猫卡券抵扣", "集分宝抵扣", "是否是O2O交易",
    "退款金额", "预约门店",
)  # fmt: skip

# The item report; every row (header included) ends with a stray comma.
ITEM_HEADERS = (
    "订单编号", "标题", "价格", "购买数量", "外部系统编号", "商品属性", "套餐信息", "备注",
    "订单状态", "商家编码",
)  # fmt: skip

# (status, share): mostly paid orders, every other status at a realistic rate.
STATUSES = (
    ("买家已付款，等待卖家发货", 0.86),
    ("等待卖家发货", 0.02),
    ("卖家部分发货", 0.01),
    ("卖家已发货，等待买家确认", 0.03),
    ("交易成功", 0.02),
    ("交易关闭", 0.02),
    ("付款以后用户退款成功，交易自动关闭", 0.01),
    ("等待买家付款", 0.03),
)

# Real divisions as the Taobao address picker writes them (province, city, district, postcode).
# Municipalities use the short province form; county-level cities directly under a province and
# prefecture cities without counties carry a street (街道/镇) in the district slot.
PLACES = (
    ("浙江省", "杭州市", "西湖区", "310013"),
    ("浙江省", "杭州市", "临平区", "311100"),
    ("浙江省", "杭州市", "钱塘区", "310018"),
    ("浙江省", "宁波市", "鄞州区", "315100"),
    ("浙江省", "温州市", "瑞安市", "325200"),
    ("江苏省", "南京市", "鼓楼区", "210009"),
    ("江苏省", "苏州市", "吴中区", "215100"),
    ("江苏省", "无锡市", "江阴市", "214400"),
    ("广东省", "广州市", "天河区", "510630"),
    ("广东省", "深圳市", "龙华区", "518109"),
    ("广东省", "深圳市", "南山区", "518052"),
    ("广东省", "东莞市", "南城街道", "523000"),
    ("广东省", "中山市", "石岐街道", "528400"),
    ("广东省", "佛山市", "顺德区", "528300"),
    ("北京", "北京市", "朝阳区", "100020"),
    ("北京", "北京市", "海淀区", "100080"),
    ("上海", "上海市", "浦东新区", "200120"),
    ("上海", "上海市", "闵行区", "201100"),
    ("天津", "天津市", "南开区", "300100"),
    ("重庆", "重庆市", "渝北区", "401120"),
    ("重庆", "重庆市", "巫山县", "404700"),
    ("四川省", "成都市", "武侯区", "610041"),
    ("四川省", "绵阳市", "涪城区", "621000"),
    ("湖北省", "武汉市", "洪山区", "430070"),
    ("湖北省", "仙桃市", "沙嘴街道", "433000"),
    ("湖北省", "潜江市", "园林街道", "433100"),
    ("河南省", "郑州市", "金水区", "450000"),
    ("河南省", "济源市", "沁园街道", "459000"),
    ("山东省", "青岛市", "崂山区", "266100"),
    ("山东省", "济南市", "历下区", "250014"),
    ("湖南省", "长沙市", "岳麓区", "410006"),
    ("福建省", "厦门市", "思明区", "361001"),
    ("河北省", "石家庄市", "长安区", "050011"),
    ("陕西省", "西安市", "雁塔区", "710061"),
    ("辽宁省", "沈阳市", "和平区", "110001"),
    ("黑龙江省", "哈尔滨市", "南岗区", "150001"),
    ("云南省", "昆明市", "五华区", "650031"),
    ("海南省", "海口市", "美兰区", "570203"),
    ("海南省", "儋州市", "那大镇", "571700"),
    ("广西壮族自治区", "南宁市", "青秀区", "530022"),
    ("内蒙古自治区", "呼和浩特市", "新城区", "010050"),
    ("新疆维吾尔自治区", "乌鲁木齐市", "天山区", "830002"),
    ("新疆维吾尔自治区", "石河子市", "新城街道", "832000"),
    ("西藏自治区", "拉萨市", "城关区", "850000"),
    ("宁夏回族自治区", "银川市", "兴庆区", "750001"),
    ("甘肃省", "兰州市", "城关区", "730030"),
    ("贵州省", "贵阳市", "云岩区", "550001"),
    ("江西省", "南昌市", "东湖区", "330006"),
    ("安徽省", "合肥市", "蜀山区", "230031"),
    ("吉林省", "长春市", "朝阳区", "130012"),
    ("山西省", "太原市", "小店区", "030032"),
    ("青海省", "西宁市", "城中区", "810000"),
)

STREETS = (
    "文三路", "人民路", "解放路", "中山路", "建设大道", "长江路", "和平街", "新华路", "学院路",
    "科技园路", "滨江大道", "光明街", "东风路", "朝阳路", "幸福里", "青年路", "府前街", "工业园区",
)  # fmt: skip
BUILDINGS = ("", "", "华星时代广场", "阳光花园", "幸福小区", "金色家园", "创业大厦", "B座")
SURNAMES = tuple("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘")
GIVEN = tuple("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍鑫")
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "166", "176", "177", "178", "180", "181", "182", "183",
    "186", "187", "188", "189", "198", "199",
)  # fmt: skip
AREA_CODES = ("010", "021", "0571", "020", "0755", "028", "027", "0532", "0731", "0592")
PRODUCTS = (
    ("纯棉短袖T恤男夏季宽松", "颜色分类：白色;尺码：XL", "39.90"),
    ("保温杯316不锈钢大容量", "颜色分类：黑色;容量：500ml", "59.00"),
    ("无线蓝牙耳机降噪", "颜色分类：白色", "129.00"),
    ("加厚珊瑚绒毛毯", "颜色分类：灰色;尺寸：150x200cm", "88.00"),
    ("儿童益智积木玩具", "适用年龄：3-6岁", "45.50"),
    ("手工红糖500g", "净含量：500g", "19.80"),
    ("机械键盘青轴87键", "颜色分类：黑色;轴体：青轴", "199.00"),
    ("女士羊毛围巾（秋冬款）", "颜色分类：驼色", "79.00"),
    ("家用加湿器静音", "颜色分类：白色;规格：3L", "99.00"),
    ("手机壳适用iPhone15", "颜色分类：透明", "15.90"),
)
MESSAGES = (
    "请尽快发货，谢谢", "不要放快递柜", "送人的，不要放发票", "周末送货", "麻烦包装好一点",
    "发顺丰可以吗", "到了电话联系", "颜色要深一点的",
)  # fmt: skip
# Buyer text that a careless writer would turn into a live formula.
FORMULA_TEXT = (
    '=HYPERLINK("http://example.com/x","点我领券")',
    "+1",
    "-2",
    "@SUM(A1:A9)",
    "=1+1",
)
MULTILINE_MESSAGES = ("第一行\n第二行", "请放门卫\r\n谢谢", "备注:\n1.不要辣\n2.加急")
SELLER_NOTES = ("", "", "", "", "赠品：贴纸", "优先发", "已核对地址")
SHOPS = ("星辰生活馆",)

_ASCII = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_FULL_WIDTH = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in _ASCII})


def write_sample_export(
    folder: Path | str, orders: int = 200, seed: int = 1, stamp: str | None = None
) -> tuple[Path, Path]:
    """Write ExportOrderList<stamp>.csv and ExportOrderDetailList<stamp>.csv into `folder`.

    Deterministic per (orders, seed). Returns (order report path, item report path).
    """
    if orders < 1:
        raise InputError(
            _("the number of orders must be at least 1"), hint=_("pass --orders 1 or more")
        )
    stamp = stamp or "202611260900"
    if not stamp.isalnum():
        raise InputError(
            _("stamp {stamp!r} must be letters and digits").format(stamp=stamp),
            hint=_("e.g. 202611260900"),
        )
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    order_lines, item_lines = _build(orders, np.random.default_rng(seed))
    order_path = folder / f"ExportOrderList{stamp}.csv"
    item_path = folder / f"ExportOrderDetailList{stamp}.csv"
    _write_atomic(order_path, order_lines)
    _write_atomic(item_path, item_lines)
    return order_path, item_path


def _write_atomic(path: Path, text: str) -> None:
    data = text.encode("gbk")
    with publish_file(path) as temporary:
        temporary.write_bytes(data)


def _pick(rng: np.random.Generator, values: tuple[str, ...], n: int) -> pa.Array:
    """n random picks from `values` (an Arrow take: no Python string per row)."""
    return _lookup(values, rng.integers(0, len(values), n))


def _lookup(values: Sequence[str], index: np.ndarray) -> pa.Array:
    return pc.take(pa.array(list(values), type=pa.string()), pa.array(index))


def _digits(rng: np.random.Generator, n: int, width: int) -> pa.Array:
    """n random digit strings of exactly `width` characters (leading zeros kept)."""
    values = pa.array(rng.integers(0, 10**width, n, dtype=np.int64)).cast(pa.string())
    return pc.utf8_lpad(values, width, "0")


def _cat(*parts: pa.Array | str) -> pa.Array:
    """Element-wise concatenation of string arrays and scalars."""
    return pc.binary_join_element_wise(*parts, "")


def _repeat(value: str, n: int) -> pa.Array:
    return pa.repeat(pa.scalar(value, pa.string()), n)


def _where(mask: np.ndarray, yes: pa.Array | str, no: pa.Array | str) -> pa.Array:
    return pc.if_else(pa.array(mask), yes, no)


def _csv_field(values: pa.Array) -> pa.Array:
    """Quote a CSV field when it holds a comma, a quote or a line break (RFC 4180)."""
    needs = pc.or_(
        pc.or_(pc.match_substring(values, ","), pc.match_substring(values, '"')),
        pc.or_(pc.match_substring(values, "\n"), pc.match_substring(values, "\r")),
    )
    quoted = _cat('"', pc.replace_substring(values, '"', '""'), '"')
    return pc.if_else(needs, quoted, values)


def _build(n: int, rng: np.random.Generator) -> tuple[str, str]:
    # Ids: unique, increasing 19-digit numbers like the seller centre's.
    steps = rng.integers(1, 10**9, n, dtype=np.int64)
    ids = pa.array(4012500868239927921 + np.cumsum(steps)).cast(pa.string())

    # Buyers, recipients, phones, places.
    buyer = _cat(_where(rng.random(n) < 0.5, "tb", "买家"), _digits(rng, n, 8))
    name = _cat(_pick(rng, SURNAMES, n), _pick(rng, GIVEN, n))
    two = rng.random(n) < 0.6
    name = _where(two, _cat(name, _pick(rng, GIVEN, n)), name)
    mobile = _cat(_pick(rng, MOBILE_PREFIXES, n), _digits(rng, n, 8))
    kind = rng.random(n)
    masked = kind < 0.02
    virtual = (kind >= 0.02) & (kind < 0.05)
    landline_only = (kind >= 0.05) & (kind < 0.06)
    mobile = _where(masked, _cat(pc.utf8_slice_codeunits(mobile, 0, 3), "****",
                                 pc.utf8_slice_codeunits(mobile, 7, 11)), mobile)  # fmt: skip
    separator = _pick(rng, ("-", "-", "转", "#"), n)
    virtual_number = _cat("184", _digits(rng, n, 8), separator, _digits(rng, n, 4))
    mobile = _where(virtual, virtual_number, mobile)
    landline = _cat(_pick(rng, AREA_CODES, n), "-", _digits(rng, n, 8))
    mobile = _where(landline_only, "", mobile)
    telephone = _where(landline_only | (rng.random(n) < 0.03), landline, "")

    place = rng.integers(0, len(PLACES), n)
    province = _lookup([p[0] for p in PLACES], place)
    city = _lookup([p[1] for p in PLACES], place)
    district = _lookup([p[2] for p in PLACES], place)
    district = _where(rng.random(n) < 0.01, "其它区", district)
    postcode = _lookup([p[3] for p in PLACES], place)
    postcode = _where(rng.random(n) < 0.10, "000000", postcode)
    number = pc.cast(pa.array(rng.integers(1, 999, n)), pa.string())
    street = _cat(_pick(rng, STREETS, n), number, "号", _pick(rng, BUILDINGS, n))
    full_width = rng.random(n) < 0.01
    if full_width.any():
        wide = [
            s.translate(_FULL_WIDTH) for s in pc.filter(street, pa.array(full_width)).to_pylist()
        ]
        street = pc.replace_with_mask(street, pa.array(full_width), pa.array(wide))
    street = _where(rng.random(n) < 0.01, _cat(street, "（东门）"), street)
    address = _cat(province, " ", city, " ", district, " ", street, "(", postcode, ")")

    # Repeat buyers: ~3% copy the previous order's buyer, recipient and address, so two paid
    # orders to one address can merge into one parcel.
    repeat = np.flatnonzero(rng.random(n) < 0.03)
    repeat = repeat[repeat > 0]
    take = np.arange(n)
    take[repeat] = repeat - 1
    take_array = pa.array(take)
    buyer, name, mobile, telephone, address = (
        pc.take(column, take_array) for column in (buyer, name, mobile, telephone, address)
    )

    # Status (repeat orders are paid, so they really merge).
    labels = [label for label, _unused in STATUSES]
    shares = np.asarray([p for _unused, p in STATUSES])
    status_index = rng.choice(len(labels), n, p=shares / shares.sum())
    status_index[repeat] = 0
    status_index[take[repeat]] = 0
    status = _lookup(labels, status_index)

    # Items: 80% one line, the rest two or three.
    lines_per_order = np.where(rng.random(n) < 0.8, 1, rng.integers(2, 4, n))
    owner = np.repeat(np.arange(n), lines_per_order)
    m = len(owner)
    product = rng.integers(0, len(PRODUCTS), m)
    quantity = np.where(rng.random(m) < 0.85, 1, rng.integers(2, 5, m))
    cents = np.asarray([round(float(p[2]) * 100) for p in PRODUCTS])[product]
    line_cents = cents * quantity
    goods_cents = np.bincount(owner, weights=line_cents, minlength=n).astype(np.int64)
    postage_cents = np.where(rng.random(n) < 0.8, 0, 800)
    total_cents = goods_cents + postage_cents
    item_total = np.bincount(owner, weights=quantity, minlength=n).astype(np.int64)
    title_of = [p[0] for p in PRODUCTS]
    first_line = np.concatenate(([0], np.cumsum(lines_per_order)[:-1]))
    titles = _lookup(title_of, product[first_line])
    more_titles = [f"，{title}" for title in title_of] + [""]
    for extra in (1, 2):
        has = lines_per_order > extra
        pick = np.full(n, len(title_of))
        pick[has] = product[first_line[has] + extra]
        titles = _cat(titles, _lookup(more_titles, pick))

    # Times: created during the day before the stamp, paid seconds to minutes later.
    created = rng.integers(0, 86400, n)  # seconds into 2026-11-25
    paid = created + rng.integers(5, 900, n)
    created_text = _timestamps(created)
    paid_text = _timestamps(paid)
    unpaid = status_index == labels.index("等待买家付款")
    paid_text = _where(unpaid, "", paid_text)

    # Buyer messages: mostly empty; some ordinary, some multi-line, some formula-looking.
    roll = rng.random(n)
    message = _where(roll < 0.15, _pick(rng, MESSAGES, n), "")
    message = _where(roll > 0.995, _pick(rng, MULTILINE_MESSAGES, n), message)
    message = _where((roll > 0.99) & (roll <= 0.995), _pick(rng, FORMULA_TEXT, n), message)
    formula_name = rng.random(n) < 0.001
    name = _where(formula_name, _pick(rng, FORMULA_TEXT, n), name)
    note = _pick(rng, SELLER_NOTES, n)

    money_goods = _money(goods_cents)
    money_post = _money(postage_cents)
    money_total = _money(total_cents)
    zero = pa.array(np.zeros(n, dtype=np.int64)).cast(pa.string())
    empty = pa.nulls(n, pa.string()).fill_null("")
    closed = np.isin(
        status_index, [labels.index("交易关闭"), labels.index("付款以后用户退款成功，交易自动关闭")]
    )
    close_reason = _where(closed, "买家不想买了", "")
    quoted_id = _cat('="', ids, '"')
    mobile_cell = _where(pc.equal(mobile, ""), "", _cat("'", mobile))
    telephone_cell = _where(pc.equal(telephone, ""), "", _cat("'", telephone))
    alipay = _cat(pc.utf8_slice_codeunits(_cat(_pick(rng, MOBILE_PREFIXES, n)), 0, 3), "****",
                  _digits(rng, n, 4))  # fmt: skip
    columns = {
        "订单编号": quoted_id,
        "买家会员名": buyer,
        "买家支付宝账号": alipay,
        "买家应付货款": money_goods,
        "买家应付邮费": money_post,
        "买家支付积分": zero,
        "总金额": money_total,
        "返点积分": zero,
        "买家实际支付金额": _where(unpaid, "0.00", money_total),
        "买家实际支付积分": zero,
        "订单状态": status,
        "买家留言": message,
        "收货人姓名": name,
        "收货地址 ": address,
        "运送方式": _where(rng.random(n) < 0.98, "快递", "EMS"),
        "联系电话 ": telephone_cell,
        "联系手机": mobile_cell,
        "订单创建时间": created_text,
        "订单付款时间 ": paid_text,
        "宝贝标题 ": titles,
        "宝贝种类 ": pa.array(lines_per_order).cast(pa.string()),
        "物流单号 ": empty,
        "物流公司": empty,
        "订单备注": note,
        "宝贝总数量": pa.array(item_total).cast(pa.string()),
        "店铺Id": zero,
        "店铺名称": _repeat(SHOPS[0], n),
        "订单关闭原因": close_reason,
        "卖家服务费": zero,
        "买家服务费": _repeat("0元", n),
        "发票抬头": empty,
        "是否手机订单": _where(rng.random(n) < 0.9, "手机订单", ""),
        "分阶段订单信息": empty,
        "特权订单ID": empty,
        "是否上传合同照片": _repeat("否", n),
        "是否上传小票": _repeat("否", n),
        "是否代付": _repeat("否", n),
        "定金排名": empty,
        "修改后的sku": empty,
        "修改后的收货地址": empty,
        "异常信息": empty,
        "天猫卡券抵扣": empty,
        "集分宝抵扣": empty,
        "是否是O2O交易": empty,
        "退款金额": _where(closed, money_total, "0"),
        "预约门店": empty,
    }
    assert tuple(columns) == ORDER_HEADERS
    order_text = _render(ORDER_HEADERS, list(columns.values()), trailing_comma=False)

    owner_array = pa.array(owner)
    item_columns = [
        pc.take(quoted_id, owner_array),
        _lookup(title_of, product),
        _money(cents),
        pa.array(quantity).cast(pa.string()),
        pa.nulls(m, pa.string()).fill_null(""),
        _lookup([p[1] for p in PRODUCTS], product),
        pa.nulls(m, pa.string()).fill_null(""),
        pa.nulls(m, pa.string()).fill_null(""),
        pc.take(status, owner_array),
        _cat("SKU-", pa.array(product + 1001).cast(pa.string())),
    ]
    item_text = _render(ITEM_HEADERS, item_columns, trailing_comma=True)
    return order_text, item_text


def _timestamps(seconds: np.ndarray) -> pa.Array:
    """'2026-11-25 HH:MM:SS' (the 26th past midnight) from seconds into 2026-11-25; built from
    digit columns because pyarrow's strftime is locale-bound and slow."""
    day, rest = np.divmod(seconds, 86400)
    hours, rest = np.divmod(rest, 3600)
    minutes, secs = np.divmod(rest, 60)
    return _cat(
        "2026-11-", _digits_from(25 + day), " ", _digits_from(hours), ":",
        _digits_from(minutes), ":", _digits_from(secs),
    )  # fmt: skip


def _money(cents: np.ndarray) -> pa.Array:
    cents = np.asarray(cents, dtype=np.int64)
    whole = pa.array(cents // 100).cast(pa.string())
    return _cat(whole, ".", _digits_from(cents % 100))


def _digits_from(values: np.ndarray) -> pa.Array:
    return pc.utf8_lpad(pa.array(values).cast(pa.string()), 2, "0")


# Titles, properties, addresses and notes come from lists without those characters.
_FREE_TEXT = frozenset({"买家留言", "收货人姓名"})


def _render(headers: tuple[str, ...], columns: list[pa.Array], *, trailing_comma: bool) -> str:
    """The CSV text: CRLF line ends like the seller centre, minimal quoting."""
    # Only free text can hold a comma, quote or line break; every other column is built from
    # safe parts, and the id column's `="…"` is written raw, exactly as the seller centre does.
    fields = [
        _csv_field(column) if header in _FREE_TEXT else column
        for header, column in zip(headers, columns, strict=True)
    ]
    if trailing_comma:
        fields.append(pa.nulls(len(columns[0]), pa.string()).fill_null(""))
        headers = (*headers, "")
    rows = _cat(pc.binary_join_element_wise(*fields, ","), "\r\n")
    return ",".join(headers) + "\r\n" + _joined(rows)


def _joined(rows: pa.Array | pa.ChunkedArray) -> str:
    """All values back to back, read straight from the value buffers (no per-row str)."""
    parts = []
    for chunk in rows.chunks if isinstance(rows, pa.ChunkedArray) else [rows]:
        if len(chunk) == 0:
            continue
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        offsets = np.frombuffer(chunk.buffers()[1], dtype=width)
        start, end = offsets[chunk.offset], offsets[chunk.offset + len(chunk)]
        parts.append(str(memoryview(chunk.buffers()[2])[start:end], "utf-8"))
    return "".join(parts)
