"""Values that cross module boundaries: frozen dataclasses and closed enums."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class OrderStatus(StrEnum):
    """Canonical marketplace order status; only AWAITING_SHIPMENT ships."""

    AWAITING_PAYMENT = "awaiting-payment"
    AWAITING_SHIPMENT = "awaiting-shipment"
    PARTIALLY_SHIPPED = "partially-shipped"
    SHIPPED = "shipped"
    COMPLETED = "completed"
    CLOSED = "closed"
    REFUNDING = "refunding"  # 退款中: a refund asked for, not decided (never ships)
    UNKNOWN = "unknown"


class PhoneKind(StrEnum):
    MOBILE = "mobile"
    LANDLINE = "landline"
    VIRTUAL = "virtual"
    OTHER = "other"


class OrderState(StrEnum):
    """An order's state in the ledger; exclusive."""

    SUBMITTED = "submitted"
    SHIPPED = "shipped"
    EXCEPTION = "exception"


@dataclass(frozen=True, slots=True)
class Phone:
    number: str | None
    kind: PhoneKind
    problem: str | None = None


@dataclass(frozen=True, slots=True, init=False)
class Address:
    province: str = ""
    city: str = ""
    district: str = ""
    detail: str = ""
    postcode: str = ""
    problem: str | None = None

    # The generated frozen __init__ goes through object.__setattr__ by name for each field,
    # a fifth of normalize_address's time; the slots' own setters do the same in a third.
    def __init__(
        self,
        province: str = "",
        city: str = "",
        district: str = "",
        detail: str = "",
        postcode: str = "",
        problem: str | None = None,
    ) -> None:
        _set_province(self, province)
        _set_city(self, city)
        _set_district(self, district)
        _set_detail(self, detail)
        _set_postcode(self, postcode)
        _set_problem(self, problem)


_set_province, _set_city, _set_district, _set_detail, _set_postcode, _set_problem = (
    vars(Address)[name].__set__
    for name in ("province", "city", "district", "detail", "postcode", "problem")
)


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem of one order: a stable code, where it is, and a human message."""

    code: str
    column: str | None = None
    row: int | None = None
    message: str = ""


@dataclass(frozen=True)
class FileProblem:
    """Something a reader noticed in a file that is not fatal (unknown status, duplicate row)."""

    code: str
    path: Path
    rows: tuple[int, ...] = field(default_factory=tuple)
    message: str = ""
