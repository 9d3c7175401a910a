"""Sheet and column names of the workbooks people read: Chinese first, the English beside it."""

from __future__ import annotations

# reconcile.xlsx, as the HTML report labels things ("已发货 shipped"). The keys are the
# names the code uses; the values what the workbook shows.
RECONCILE_SHEETS = {
    "matched": "已匹配 matched",
    "unmatched parcels": "未回单号的包裹 unmatched parcels",
    "unknown rows": "无法对应的行 unknown rows",
    "invalid": "无效单号 invalid",
    "duplicates": "重复单号 duplicates",
    "conflicts": "单号冲突 conflicts",
}
RECONCILE_HEADERS = {
    "seq": "序号 seq",
    "reference": "订单编号 reference",
    "tracking": "运单号 tracking",
    "status": "状态 status",
    "method": "匹配方式 method",
    "source": "来源文件 source",
    "file": "提交文件 file",
    "file_row": "提交文件行 file row",
    "order_ids": "订单号 order ids",
    "row": "行号 row",
    "reason": "原因代码 reason",
    "number": "运单号 number",
    "rule": "单号规则 rule",
    "held_by": "已属于 held by",
    "recorded": "已记录单号 recorded",
    "returned": "回传单号 returned",
    "applied": "已替换 applied",
}

# intercepts.xlsx (拦截件: orders closed or refunding after they were submitted).
INTERCEPTS_SHEET = "拦截件 intercepts"
INTERCEPT_HEADERS = {
    "order": "订单编号 order",
    "courier": "快递公司 courier",
    "tracking": "运单号 tracking",
    "batch": "批次 batch",
    "at": "拦截时间 when",
    "status": "订单状态 status",
}

# exceptions.xlsx, the one definition of its layout (written by export, read back by export,
# daily and the readers as an order report with fixes, and by the report): the codes and their
# messages first and frozen (what the person fixing a row reads first, in sight while scrolling
# to the columns to fix), then the order report's own columns, the order id as plain digits.
EXCEPTIONS_FILE = "exceptions.xlsx"
EXCEPTIONS_SHEET = "异常订单"
EXCEPTION_CODE_HEADER = "异常代码"
EXCEPTION_TEXT_HEADER = "异常说明"
EXCEPTION_HEADERS = (EXCEPTION_CODE_HEADER, EXCEPTION_TEXT_HEADER)  # first, frozen
ORDER_ID_HEADERS = ("订单编号", "订单号")  # the order report's own name for order_id
