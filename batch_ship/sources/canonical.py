"""The canonical order table every reader produces and every later step consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from batch_ship.model import FileProblem

if TYPE_CHECKING:
    import pandas as pd

# Canonical order columns. Every value is a string (pandas "str" dtype, empty string when
# absent): ids, phones and postcodes must never pass through a number.
ORDER_ID = "order_id"  # 17-19 digits
BUYER = "buyer"  # 买家会员名 / 买家会员昵称
STATUS = "status"  # OrderStatus value
RAW_STATUS = "raw_status"  # the status text exactly as exported
NAME = "name"  # 收货人姓名, raw
MOBILE = "mobile"  # 联系手机, raw (apostrophe removed)
TELEPHONE = "telephone"  # 联系电话, raw (apostrophe removed)
ADDRESS = "address"  # 收货地址, raw
PAID_AT = "paid_at"  # ISO 8601 'YYYY-MM-DD HH:MM:SS' or ''
AMOUNT = "amount"  # 买家实际支付金额 as a decimal string, e.g. '128.50'
BUYER_MESSAGE = "buyer_message"  # 买家留言
SELLER_NOTE = "seller_note"  # 订单备注
SHOP = "shop"  # 店铺名称 (routing rules' shops)
TITLES = "titles"  # 宝贝标题 from the order report (fallback when no item report)
ITEM_COUNT = "item_count"  # 宝贝总数量
SOURCE = "source"  # file name the row came from
ROW = "row"  # 1-based row number in that file, header = 1 (as a spreadsheet shows it)

ORDER_COLUMNS = (
    ORDER_ID, BUYER, STATUS, RAW_STATUS, NAME, MOBILE, TELEPHONE, ADDRESS, PAID_AT, AMOUNT,
    BUYER_MESSAGE, SELLER_NOTE, TITLES, ITEM_COUNT, SOURCE, ROW, SHOP,
)  # fmt: skip

# Canonical item columns (one row per item line of the item report).
ITEM_TITLE = "title"
ITEM_SKU = "sku"  # 商家编码 / 外部系统编号
ITEM_PROPERTIES = "properties"  # 商品属性, e.g. 颜色分类：黑色;尺码：XL
ITEM_QUANTITY = "quantity"  # 购买数量, digits
ITEM_PRICE = "price"  # 价格, decimal string

ITEM_COLUMNS = (ORDER_ID, ITEM_TITLE, ITEM_SKU, ITEM_PROPERTIES, ITEM_QUANTITY, ITEM_PRICE)


@dataclass
class OrderTable:
    """What `read_orders` returns.

    `orders` has ORDER_COLUMNS, one row per row read (duplicates kept, flagged by the
    `duplicate` boolean column); `items` has ITEM_COLUMNS; `original` holds the order report's
    own columns (headers as the file spelled them, whitespace-stripped) aligned row for row with
    `orders`, so the exceptions workbook can write them back; `problems` lists non-fatal findings.
    """

    orders: pd.DataFrame
    items: pd.DataFrame
    original: pd.DataFrame
    sources: list[Path] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.orders)
