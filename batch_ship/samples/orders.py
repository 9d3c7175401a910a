"""Realistic synthetic Taobao export pairs (order report + item report) in the exact wire format."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from batch_ship.errors import InputError
from batch_ship.i18n import _
from batch_ship.publish import publish_file
from batch_ship.samples.columns import (
    cat,
    csv_text,
    digits,
    lookup,
    money,
    pick,
    repeat,
    text,
    timestamps,
    where,
)
from batch_ship.samples.vocabulary import (
    AREA_CODES,
    BUILDINGS,
    FORMULA_TEXT,
    GIVEN,
    ITEM_HEADERS,
    MESSAGES,
    MOBILE_PREFIXES,
    MULTILINE_MESSAGES,
    ORDER_HEADERS,
    PLACES,
    PRODUCTS,
    SELLER_NOTES,
    SHOPS,
    STATUSES,
    STREETS,
    SURNAMES,
)

_ASCII = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_FULL_WIDTH = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in _ASCII})
_LABELS = [label for label, _unused in STATUSES]
_UNPAID = _LABELS.index("等待买家付款")
_CLOSED = [_LABELS.index("交易关闭"), _LABELS.index("付款以后用户退款成功，交易自动关闭")]
# Titles, properties, addresses and notes come from lists without a comma, quote or line break.
_FREE_TEXT = frozenset({"买家留言", "收货人姓名"})
# The order report's columns that hold the same text on every row of a sample.
_CONSTANT = {
    "买家支付积分": "0", "返点积分": "0", "买家实际支付积分": "0", "物流单号 ": "", "物流公司": "",
    "店铺Id": "0", "店铺名称": SHOPS[0], "卖家服务费": "0", "买家服务费": "0元", "发票抬头": "",
    "分阶段订单信息": "", "特权订单ID": "", "是否上传合同照片": "否", "是否上传小票": "否",
    "是否代付": "否", "定金排名": "", "修改后的sku": "", "修改后的收货地址": "", "异常信息": "",
    "天猫卡券抵扣": "", "集分宝抵扣": "", "是否是O2O交易": "", "预约门店": "",
}  # fmt: skip


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


def _write_atomic(path: Path, content: str) -> None:
    data = content.encode("gbk")
    with publish_file(path) as temporary:
        temporary.write_bytes(data)


@dataclass
class _People:
    """Each order's buyer and recipient (name, mobile, landline, address)."""

    buyer: pa.Array
    name: pa.Array
    mobile: pa.Array
    telephone: pa.Array
    address: pa.Array


@dataclass
class _Items:
    """The item lines (`owner`: the order of each line) and what the orders sum from them."""

    lines_per_order: np.ndarray
    owner: np.ndarray
    product: np.ndarray
    quantity: np.ndarray
    cents: np.ndarray  # each line's unit price
    goods_cents: np.ndarray  # each order's goods
    item_total: np.ndarray  # each order's quantity
    titles: pa.Array  # each order's titles, comma-joined


def _build(n: int, rng: np.random.Generator) -> tuple[str, str]:
    """The two reports' CSV text. The random draws happen in one fixed order, so a seed gives
    the same files in every version."""
    # Ids: unique, increasing 19-digit numbers like the seller centre's.
    steps = rng.integers(1, 10**9, n, dtype=np.int64)
    ids = text(4012500868239927921 + np.cumsum(steps))
    people = _people(rng, n)
    people.address = _addresses(rng, n)
    status_index = _repeat_buyers(rng, n, people)
    items = _items(rng, n)
    order_text = _order_report(rng, ids, people, status_index, items)
    owner = pa.array(items.owner)
    m = len(items.owner)
    empty = repeat("", m)
    item_columns = [
        pc.take(cat('="', ids, '"'), owner),
        lookup([p[0] for p in PRODUCTS], items.product),
        money(items.cents),
        text(items.quantity),
        empty,
        lookup([p[1] for p in PRODUCTS], items.product),
        empty,
        empty,
        pc.take(lookup(_LABELS, status_index), owner),
        cat("SKU-", text(items.product + 1001)),
    ]
    item_text = csv_text(ITEM_HEADERS, item_columns, free_text=_FREE_TEXT, trailing_comma=True)
    return order_text, item_text


def _people(rng: np.random.Generator, n: int) -> _People:
    """Buyers and recipients; mobiles masked, virtual (184… with an extension) or missing
    (a landline only) at realistic rates."""
    buyer = cat(where(rng.random(n) < 0.5, "tb", "买家"), digits(rng, n, 8))
    name = cat(pick(rng, SURNAMES, n), pick(rng, GIVEN, n))
    two = rng.random(n) < 0.6
    name = where(two, cat(name, pick(rng, GIVEN, n)), name)
    mobile = cat(pick(rng, MOBILE_PREFIXES, n), digits(rng, n, 8))
    kind = rng.random(n)
    masked = kind < 0.02
    virtual = (kind >= 0.02) & (kind < 0.05)
    landline_only = (kind >= 0.05) & (kind < 0.06)
    mobile = where(masked, cat(pc.utf8_slice_codeunits(mobile, 0, 3), "****",
                               pc.utf8_slice_codeunits(mobile, 7, 11)), mobile)  # fmt: skip
    separator = pick(rng, ("-", "-", "转", "#"), n)
    virtual_number = cat("184", digits(rng, n, 8), separator, digits(rng, n, 4))
    mobile = where(virtual, virtual_number, mobile)
    landline = cat(pick(rng, AREA_CODES, n), "-", digits(rng, n, 8))
    mobile = where(landline_only, "", mobile)
    telephone = where(landline_only | (rng.random(n) < 0.03), landline, "")
    return _People(buyer, name, mobile, telephone, repeat("", n))


def _addresses(rng: np.random.Generator, n: int) -> pa.Array:
    """Taobao's address form: region parts, street, building, (postcode); a few with an
    unknown district, a 000000 postcode, full-width characters or a note."""
    place = rng.integers(0, len(PLACES), n)
    province = lookup([p[0] for p in PLACES], place)
    city = lookup([p[1] for p in PLACES], place)
    district = lookup([p[2] for p in PLACES], place)
    district = where(rng.random(n) < 0.01, "其它区", district)
    postcode = lookup([p[3] for p in PLACES], place)
    postcode = where(rng.random(n) < 0.10, "000000", postcode)
    number = text(rng.integers(1, 999, n))
    street = cat(pick(rng, STREETS, n), number, "号", pick(rng, BUILDINGS, n))
    full_width = rng.random(n) < 0.01
    if full_width.any():
        wide = [
            s.translate(_FULL_WIDTH) for s in pc.filter(street, pa.array(full_width)).to_pylist()
        ]
        street = pc.replace_with_mask(street, pa.array(full_width), pa.array(wide))
    street = where(rng.random(n) < 0.01, cat(street, "（东门）"), street)
    return cat(province, " ", city, " ", district, " ", street, "(", postcode, ")")


def _repeat_buyers(rng: np.random.Generator, n: int, people: _People) -> np.ndarray:
    """~3% of orders copy the previous order's buyer, recipient and address, so two paid
    orders to one address can merge into one parcel; returns each order's status index
    (repeat orders and the ones they copy are paid, so they really merge)."""
    repeated = np.flatnonzero(rng.random(n) < 0.03)
    repeated = repeated[repeated > 0]
    take = np.arange(n)
    take[repeated] = repeated - 1
    take_array = pa.array(take)
    for attribute in ("buyer", "name", "mobile", "telephone", "address"):
        setattr(people, attribute, pc.take(getattr(people, attribute), take_array))
    shares = np.asarray([p for _unused, p in STATUSES])
    status_index: np.ndarray = rng.choice(len(_LABELS), n, p=shares / shares.sum())
    status_index[repeated] = 0
    status_index[take[repeated]] = 0
    return status_index


def _items(rng: np.random.Generator, n: int) -> _Items:
    """Item lines: 80% of orders have one, the rest two or three."""
    lines_per_order = np.where(rng.random(n) < 0.8, 1, rng.integers(2, 4, n))
    owner = np.repeat(np.arange(n), lines_per_order)
    m = len(owner)
    product = rng.integers(0, len(PRODUCTS), m)
    quantity = np.where(rng.random(m) < 0.85, 1, rng.integers(2, 5, m))
    cents = np.asarray([round(float(p[2]) * 100) for p in PRODUCTS])[product]
    goods_cents = np.bincount(owner, weights=cents * quantity, minlength=n).astype(np.int64)
    item_total = np.bincount(owner, weights=quantity, minlength=n).astype(np.int64)
    title_of = [p[0] for p in PRODUCTS]
    first_line = np.concatenate(([0], np.cumsum(lines_per_order)[:-1]))
    titles = lookup(title_of, product[first_line])
    more_titles = [f"，{title}" for title in title_of] + [""]
    for extra in (1, 2):
        has = lines_per_order > extra
        chosen = np.full(n, len(title_of))
        chosen[has] = product[first_line[has] + extra]
        titles = cat(titles, lookup(more_titles, chosen))
    return _Items(lines_per_order, owner, product, quantity, cents, goods_cents, item_total, titles)


def _order_report(
    rng: np.random.Generator,
    ids: pa.Array,
    people: _People,
    status_index: np.ndarray,
    items: _Items,
) -> str:
    """The order report's CSV text, its 46 columns in the seller centre's order."""
    n = len(ids)
    postage_cents = np.where(rng.random(n) < 0.8, 0, 800)
    total = money(items.goods_cents + postage_cents)
    # Times: created during the day before the stamp, paid seconds to minutes later.
    created = rng.integers(0, 86400, n)  # seconds into 2026-11-25
    paid = created + rng.integers(5, 900, n)
    unpaid = status_index == _UNPAID
    message, name, note = _notes(rng, n, people.name)
    closed = np.isin(status_index, _CLOSED)
    alipay = cat(pc.utf8_slice_codeunits(cat(pick(rng, MOBILE_PREFIXES, n)), 0, 3), "****",
                 digits(rng, n, 4))  # fmt: skip
    varying = {
        "订单编号": cat('="', ids, '"'),
        "买家会员名": people.buyer,
        "买家支付宝账号": alipay,
        "买家应付货款": money(items.goods_cents),
        "买家应付邮费": money(postage_cents),
        "总金额": total,
        "买家实际支付金额": where(unpaid, "0.00", total),
        "订单状态": lookup(_LABELS, status_index),
        "买家留言": message,
        "收货人姓名": name,
        "收货地址 ": people.address,
        "运送方式": where(rng.random(n) < 0.98, "快递", "EMS"),
        "联系电话 ": where(pc.equal(people.telephone, ""), "", cat("'", people.telephone)),
        "联系手机": where(pc.equal(people.mobile, ""), "", cat("'", people.mobile)),
        "订单创建时间": timestamps(created),
        "订单付款时间 ": where(unpaid, "", timestamps(paid)),
        "宝贝标题 ": items.titles,
        "宝贝种类 ": text(items.lines_per_order),
        "订单备注": note,
        "宝贝总数量": text(items.item_total),
        "订单关闭原因": where(closed, "买家不想买了", ""),
        "是否手机订单": where(rng.random(n) < 0.9, "手机订单", ""),
        "退款金额": where(closed, total, "0"),
    }
    columns = [
        varying[header] if header in varying else repeat(_CONSTANT[header], n)
        for header in ORDER_HEADERS
    ]
    return csv_text(ORDER_HEADERS, columns, free_text=_FREE_TEXT, trailing_comma=False)


def _notes(rng: np.random.Generator, n: int, name: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array]:
    """(buyer messages, names, seller notes): messages mostly empty, some ordinary, some
    multi-line, some formula-looking; a few names formula-looking too."""
    roll = rng.random(n)
    message = where(roll < 0.15, pick(rng, MESSAGES, n), "")
    message = where(roll > 0.995, pick(rng, MULTILINE_MESSAGES, n), message)
    message = where((roll > 0.99) & (roll <= 0.995), pick(rng, FORMULA_TEXT, n), message)
    formula_name = rng.random(n) < 0.001
    name = where(formula_name, pick(rng, FORMULA_TEXT, n), name)
    return message, name, pick(rng, SELLER_NOTES, n)
