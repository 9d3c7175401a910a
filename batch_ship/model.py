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


@dataclass(frozen=True, slots=True)
class Address:
    province: str = ""
    city: str = ""
    district: str = ""
    detail: str = ""
    postcode: str = ""
    problem: str | None = None


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
