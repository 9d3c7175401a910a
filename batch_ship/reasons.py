"""Stable reason codes (kebab-case) with one-line messages in Chinese and English."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reason:
    code: str
    zh: str
    en: str

    @property
    def message(self) -> str:
        return f"{self.zh} / {self.en}"

    def in_language(self, language: str) -> str:
        """The message in one language ("zh" or "en"), for the CLI's own lines."""
        return self.zh if language == "zh" else self.en


_ALL = [
    # skipped: counted, not exceptions
    Reason("not-awaiting-shipment", "订单不是待发货状态", "order is not awaiting shipment"),
    Reason(
        "already-submitted", "订单已提交过快递", "order was already submitted in an earlier batch"
    ),
    Reason(
        "duplicate-row", "同一订单在本次导入中重复出现", "order appears more than once in this run"
    ),
    # exceptions: a person must fix the order
    Reason("name-missing", "收货人姓名为空", "recipient name is missing"),
    Reason("phone-missing", "收货人电话为空", "recipient phone is missing"),
    Reason(
        "phone-masked",
        "电话被打码（如 138****5678），请向买家索取完整号码",
        "phone is masked (e.g. 138****5678)",
    ),
    Reason(
        "phone-invalid", "电话号码无效", "phone number is not a valid Chinese mobile or landline"
    ),
    Reason("address-missing", "收货地址为空", "address is missing"),
    Reason("address-unresolved", "无法识别省或市", "province or city could not be identified"),
    Reason(
        "address-conflict",
        "地址中的省市区互相矛盾（如 浙江省广州市），请确认收货地区",
        "the address names regions that contradict each other",
    ),
]

REASONS: dict[str, Reason] = {reason.code: reason for reason in _ALL}
SKIP_CODES = ("duplicate-row", "not-awaiting-shipment", "already-submitted")  # precedence order
EXCEPTION_CODES = tuple(code for code in REASONS if code not in SKIP_CODES)
