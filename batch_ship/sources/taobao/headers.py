"""Header synonyms and status names of Taobao/Tmall order and item reports."""

from __future__ import annotations

from batch_ship.headings import EXCEPTION_HEADERS
from batch_ship.model import OrderStatus
from batch_ship.sources import canonical as c

# Cleaned header text (whitespace, '=' and quotes stripped) -> canonical order column. The
# classic 46-column report first, then the names newer exports and Tmall use.
ORDER_HEADERS: dict[str, str] = {
    "订单编号": c.ORDER_ID,
    "订单号": c.ORDER_ID,
    "主订单编号": c.ORDER_ID,
    "买家会员名": c.BUYER,
    "买家会员昵称": c.BUYER,
    "买家昵称": c.BUYER,
    "订单状态": c.RAW_STATUS,
    "收货人姓名": c.NAME,
    "收货人": c.NAME,
    "联系手机": c.MOBILE,
    "收货人手机号": c.MOBILE,
    "收货人手机": c.MOBILE,
    "联系电话": c.TELEPHONE,
    "收货人电话": c.TELEPHONE,
    "收货地址": c.ADDRESS,
    "详细收货地址": c.ADDRESS,
    "订单付款时间": c.PAID_AT,
    "买家付款时间": c.PAID_AT,
    "付款时间": c.PAID_AT,
    "买家实际支付金额": c.AMOUNT,
    "买家实付金额": c.AMOUNT,
    "实付金额": c.AMOUNT,
    "买家留言": c.BUYER_MESSAGE,
    "订单备注": c.SELLER_NOTE,
    "卖家备注": c.SELLER_NOTE,
    "宝贝标题": c.TITLES,
    "商品标题": c.TITLES,
    "宝贝总数量": c.ITEM_COUNT,
    "商品总数量": c.ITEM_COUNT,
    "店铺名称": c.SHOP,
}

# Cleaned item-report header -> canonical item column. 商家编码 wins over 外部系统编号 for the
# SKU when both are filled (see taobao._items_frame).
ITEM_HEADERS: dict[str, str] = {
    "订单编号": c.ORDER_ID,
    "主订单编号": c.ORDER_ID,
    "标题": c.ITEM_TITLE,
    "宝贝标题": c.ITEM_TITLE,
    "商品标题": c.ITEM_TITLE,
    "价格": c.ITEM_PRICE,
    "商品价格": c.ITEM_PRICE,
    "购买数量": c.ITEM_QUANTITY,
    "宝贝数量": c.ITEM_QUANTITY,
    "商品数量": c.ITEM_QUANTITY,
    "商品属性": c.ITEM_PROPERTIES,
    "销售属性": c.ITEM_PROPERTIES,
}
SKU_HEADERS = ("商家编码", "外部系统编号", "商品编码")

# Columns the export step adds to its exceptions workbook; ignored when that workbook is read
# back as an order report.
EXCEPTION_COLUMNS = frozenset(EXCEPTION_HEADERS)

# Phone columns get their leading apostrophe (the exporter's text marker) removed.
PHONE_HEADERS = frozenset(h for h, col in ORDER_HEADERS.items() if col in (c.MOBILE, c.TELEPHONE))

# Headers that only the item report has: an item report passed as an order report.
ITEM_ONLY_HEADERS = frozenset({"标题", "购买数量", "价格"})

# Every status text the seller centre writes (ASCII commas are turned full-width before lookup).
STATUSES: dict[str, OrderStatus] = {
    "等待买家付款": OrderStatus.AWAITING_PAYMENT,
    "买家已付款，等待卖家发货": OrderStatus.AWAITING_SHIPMENT,
    "等待卖家发货": OrderStatus.AWAITING_SHIPMENT,
    "买家已付款": OrderStatus.AWAITING_SHIPMENT,
    "卖家部分发货": OrderStatus.PARTIALLY_SHIPPED,
    "部分发货": OrderStatus.PARTIALLY_SHIPPED,
    "卖家已发货，等待买家确认": OrderStatus.SHIPPED,
    "卖家已发货": OrderStatus.SHIPPED,
    "等待买家确认收货": OrderStatus.SHIPPED,
    "已发货": OrderStatus.SHIPPED,
    "交易成功": OrderStatus.COMPLETED,
    "交易完成": OrderStatus.COMPLETED,
    "交易关闭": OrderStatus.CLOSED,
    "交易自动关闭": OrderStatus.CLOSED,
    "付款以后用户退款成功，交易自动关闭": OrderStatus.CLOSED,
    "付款以前，卖家或买家主动关闭交易": OrderStatus.CLOSED,
    "已关闭": OrderStatus.CLOSED,
    "退款中": OrderStatus.REFUNDING,
    "买家已申请退款": OrderStatus.REFUNDING,
    "退款中，等待卖家处理": OrderStatus.REFUNDING,
}
