"""Every problem and reason code batch-ship reports: its level, message and fix in zh and en."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

# The codes are a stable contract (README "Reason codes", DESIGN.md): kebab-case, never renamed.
# skipped orders: counted, not exceptions
DUPLICATE_ROW = "duplicate-row"
NOT_AWAITING_SHIPMENT = "not-awaiting-shipment"
ALREADY_SUBMITTED = "already-submitted"
# exceptions: a person must fix the order
NAME_MISSING = "name-missing"
PHONE_MISSING = "phone-missing"
PHONE_MASKED = "phone-masked"
PHONE_INVALID = "phone-invalid"
ADDRESS_MISSING = "address-missing"
ADDRESS_UNRESOLVED = "address-unresolved"
ADDRESS_CONFLICT = "address-conflict"
# import outcomes: a row of a courier return (or a range number) that import-tracking set aside
UNKNOWN_REFERENCE = "unknown-reference"
DIGITS_LOST = "reference-digits-lost"  # stored as a number; no single open parcel fits
NO_REFERENCE = "no-reference"
UNUSED_RANGE_NUMBER = "unused-range-number"
INVALID_NUMBER = "invalid-number"
DUPLICATE_IN_FILE = "duplicate-in-file"
USED_BY_ANOTHER_PARCEL = "used-by-another-parcel"
# warnings: what a reader noticed in a file; the run goes on
UNKNOWN_STATUS = "unknown-status"
DATE_INVALID = "date-invalid"
AMOUNT_INVALID = "amount-invalid"
PRICE_INVALID = "price-invalid"

CODE_SEPARATOR = ","  # between codes in a workbook cell (异常代码) and in the ledger's text


class Level(StrEnum):
    """What a problem means for the order or row it is about."""

    SKIP = "skip"  # the order is counted and left alone (nothing to fix)
    EXCEPTION = "exception"  # the order goes to exceptions.xlsx until a person fixes it
    IMPORT = "import outcome"  # a return row import-tracking could not apply
    WARNING = "warning"  # a reader's finding; the run goes on


@dataclass(frozen=True)
class ProblemType:
    """One code of the registry: what it means and what a person does about it."""

    code: str
    level: Level
    zh: str
    en: str
    fix_zh: str
    fix_en: str

    @property
    def message(self) -> str:
        """Both languages, as the exceptions workbook and the report show it."""
        return f"{self.zh} / {self.en}"

    def in_language(self, language: str) -> str:
        """The message in one language ("zh" or "en"), for the CLI's own lines."""
        return self.zh if language == "zh" else self.en

    def fix_in(self, language: str) -> str:
        """What to do about it, in one language ("zh" or "en")."""
        return self.fix_zh if language == "zh" else self.fix_en


_REFEED_ZH = "，然后把 exceptions.xlsx 再交给 export"
_REFEED_EN = " in exceptions.xlsx, then give that file to export again"

_ALL = (
    ProblemType(
        DUPLICATE_ROW, Level.SKIP,
        "同一订单在本次导入中重复出现", "order appears more than once in this run",
        "无需处理：只使用该订单的第一行", "nothing to do: the order's first row is used",
    ),
    ProblemType(
        NOT_AWAITING_SHIPMENT, Level.SKIP,
        "订单不是待发货状态", "order is not awaiting shipment",
        "无需处理：订单变为待发货后再导出", "nothing to do: export it once it awaits shipment",
    ),
    ProblemType(
        ALREADY_SUBMITTED, Level.SKIP,
        "订单已提交过快递", "order was already submitted in an earlier batch",
        "无需处理：用 batch-ship status 查看它所在的批次",
        "nothing to do: `batch-ship status` shows its batch",
    ),
    ProblemType(
        NAME_MISSING, Level.EXCEPTION,
        "收货人姓名为空", "recipient name is missing",
        "填写收货人姓名" + _REFEED_ZH, "fill in the recipient's name" + _REFEED_EN,
    ),
    ProblemType(
        PHONE_MISSING, Level.EXCEPTION,
        "收货人电话为空", "recipient phone is missing",
        "填写收货人手机或电话" + _REFEED_ZH, "fill in the recipient's mobile or phone" + _REFEED_EN,
    ),
    ProblemType(
        PHONE_MASKED, Level.EXCEPTION,
        "电话被打码（如 138****5678），请向买家索取完整号码", "phone is masked (e.g. 138****5678)",
        "向买家索取完整号码并填入" + _REFEED_ZH,
        "ask the buyer for the full number and fill it in" + _REFEED_EN,
    ),
    ProblemType(
        PHONE_INVALID, Level.EXCEPTION,
        "电话号码无效", "phone number is not a valid Chinese mobile or landline",
        "改为 11 位手机号或带区号的固话" + _REFEED_ZH,
        "write an 11-digit mobile or a landline with its area code" + _REFEED_EN,
    ),
    ProblemType(
        ADDRESS_MISSING, Level.EXCEPTION,
        "收货地址为空", "address is missing",
        "填写完整收货地址（省 市 区 详细地址）" + _REFEED_ZH,
        "fill in the full address (province city district street)" + _REFEED_EN,
    ),
    ProblemType(
        ADDRESS_UNRESOLVED, Level.EXCEPTION,
        "无法识别省或市", "province or city could not be identified",
        "在地址开头写明省和市（如 浙江省 杭州市）" + _REFEED_ZH,
        "start the address with its province and city (e.g. 浙江省 杭州市)" + _REFEED_EN,
    ),
    ProblemType(
        ADDRESS_CONFLICT, Level.EXCEPTION,
        "地址中的省市区互相矛盾（如 浙江省广州市），请确认收货地区",
        "the address names regions that contradict each other",
        "与买家确认收货地区并改正地址" + _REFEED_ZH,
        "confirm the region with the buyer and correct the address" + _REFEED_EN,
    ),
    ProblemType(
        UNKNOWN_REFERENCE, Level.IMPORT,
        "回单的订单编号不属于本批次的任何包裹", "the reference matches no parcel of the batch",
        "确认回单属于这个批次（--batch），或该行是别处发出的包裹",
        "check that the return belongs to this batch (--batch), or that the row is a parcel "
        "sent another way",
    ),
    ProblemType(
        DIGITS_LOST, Level.IMPORT,
        "订单编号被表格存成数字，丢失了数字，无法确定是哪个包裹",
        "the reference was stored as a number and lost digits; no single open parcel fits",
        "从快递网站重新下载回单（或另存为 .xlsx），不要在表格软件里改存后再导入",
        "download the return again from the courier's site (or save it as .xlsx) and import "
        "it without re-saving it in a spreadsheet",
    ),
    ProblemType(
        NO_REFERENCE, Level.IMPORT,
        "该行没有订单编号", "the row has no reference",
        "在回单中补上订单编号后重新导入",
        "add the row's reference to the return and import it again",
    ),
    ProblemType(
        UNUSED_RANGE_NUMBER, Level.IMPORT,
        "号段中的这个单号没有分给任何包裹", "a number of the range was given to no parcel",
        "无需处理：可留给以后的批次使用", "nothing to do: keep it for a later batch",
    ),
    ProblemType(
        INVALID_NUMBER, Level.IMPORT,
        "运单号不符合该快递的单号规则", "the number does not fit the courier's number rule",
        "核对单号和快递公司（--courier）后重新导入",
        "check the number and the courier (--courier), then import again",
    ),
    ProblemType(
        DUPLICATE_IN_FILE, Level.IMPORT,
        "同一个运单号在回单中分给了多个包裹", "the return gives the same number to several parcels",
        "向快递核实正确的单号，改正回单后重新导入",
        "ask the courier for the right numbers, correct the return and import it again",
    ),
    ProblemType(
        USED_BY_ANOTHER_PARCEL, Level.IMPORT,
        "运单号已属于另一个包裹", "the number already belongs to another parcel",
        "向快递核实该单号属于哪个包裹", "ask the courier which parcel the number belongs to",
    ),
    ProblemType(
        UNKNOWN_STATUS, Level.WARNING,
        "订单状态无法识别：保留为 unknown，不会发货",
        "the order's status is not one batch-ship knows: kept as 'unknown', not shipped",
        "在来源映射的 [statuses] 表中加上该状态，或从平台重新导出订单报表",
        "map the status in the source's [statuses] table, or export the report again",
    ),
    ProblemType(
        DATE_INVALID, Level.WARNING,
        "付款时间不是日期：留空", "the payment time is not a date: left empty",
        "核对原文件中的付款时间", "check the payment time in the file",
    ),
    ProblemType(
        AMOUNT_INVALID, Level.WARNING,
        "金额不是数字：留空", "the amount is not a number: left empty",
        "核对原文件中的金额", "check the amount in the file",
    ),
    ProblemType(
        PRICE_INVALID, Level.WARNING,
        "单价不是数字：留空", "the price is not a number: left empty",
        "核对宝贝报表中的单价", "check the price in the item report",
    ),
)  # fmt: skip

PROBLEMS: dict[str, ProblemType] = {problem.code: problem for problem in _ALL}


def _codes(level: Level) -> tuple[str, ...]:
    return tuple(problem.code for problem in _ALL if problem.level is level)


SKIP_CODES = _codes(Level.SKIP)  # in precedence order
EXCEPTION_CODES = _codes(Level.EXCEPTION)  # the order an order's codes are listed in
IMPORT_CODES = _codes(Level.IMPORT)
WARNING_CODES = _codes(Level.WARNING)


def message(code: str) -> str:
    """The code's message in both languages; an unknown code (a file from a newer version, a
    person's edit) stands for itself."""
    problem = PROBLEMS.get(code)
    return problem.message if problem is not None else code


def in_order(codes: Iterable[str | None]) -> tuple[str, ...]:
    """The exception codes among `codes` (None and repeats ignored), in registry order."""
    present = {code for code in codes if code}
    return tuple(code for code in EXCEPTION_CODES if code in present)


def join_codes(codes: Iterable[str]) -> str:
    """One cell's text for an order's codes (异常代码 `phone-masked,address-missing`): the one
    place codes become a string, for the workbook and the ledger that store them as text."""
    return CODE_SEPARATOR.join(codes)


def split_codes(text: str) -> tuple[str, ...]:
    """Codes back from text `join_codes` stored (the ledger's column); blanks dropped."""
    return tuple(code for code in (part.strip() for part in text.split(CODE_SEPARATOR)) if code)


def describe_codes(codes: Iterable[str]) -> str:
    """异常说明 for an order's codes: one message per code, '; '-joined."""
    return "; ".join(message(code) for code in codes)
