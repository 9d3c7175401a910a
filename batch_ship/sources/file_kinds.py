"""What a spreadsheet is, told by its header row: the one definition of each kind's shape."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from enum import Enum
from functools import cached_property, lru_cache
from pathlib import Path

import pandas as pd

from batch_ship.errors import BatchShipError, InputError
from batch_ship.i18n import N_, _
from batch_ship.sources import canonical as c
from batch_ship.sources.taobao.headers import (
    EXCEPTION_COLUMNS,
    ITEM_HEADERS,
    ITEM_ONLY_HEADERS,
    ORDER_HEADERS,
)

HEADER_SCAN_ROWS = 30  # title rows above a header; more is not a header

# A courier return's header synonyms, most specific first. Headers are compared after
# `header_key` (no whitespace, quotes, '*', '=' or bracketed notes such as (必填)), exactly:
# 订单号 must not match 单号.
TRACKING_HEADERS = (
    "运单号", "运单号码", "运单编号", "快递单号", "快递单号码", "快递运单号", "物流运单号",
    "工作单号", "详情单号", "面单号", "邮件号", "邮件号码", "主单号", "母单号", "物流单号",
    "单号", "trackingnumber", "tracking-number", "trackingno", "waybillno",
)  # fmt: skip
REFERENCE_HEADERS = (
    "订单编号", "订单号", "用户订单号", "客户订单号", "商家订单号", "商户订单号", "平台订单号",
    "外部订单号", "原始订单号", "交易订单号", "订单编码", "客户单号", "用户单号", "商家单号",
    "外部单号", "原始单号", "原单号", "参考号", "客户参考号", "客户编码", "orderid", "order-id",
    "reference",
)  # fmt: skip
NAME_HEADERS = (
    "收件人姓名", "收件人", "收件人名称", "收货人姓名", "收货人", "收方姓名", "收件方姓名",
    "收件方", "收方联系人", "收件联系人", "姓名",
)  # fmt: skip
# A multi-piece shipment's other waybills (SF's 子单号): recorded as more numbers of the parcel,
# after the main one, which stays the number the marketplace gets.
CHILD_HEADERS = ("子单号", "子单号码", "子运单号", "子运单号码", "子件运单号")
PHONE_HEADERS = (
    "收件人手机/电话", "收件人手机", "收件人电话", "收件人联系电话", "收件人联系方式",
    "收货人手机", "收货人电话", "收货人联系电话", "收方电话", "收方手机", "收件电话", "收件手机",
    "联系电话", "联系手机", "手机号码", "手机号", "手机", "电话",
)  # fmt: skip

_HEADER_NOISE = re.compile(r"[\s'\"‘’“”`=*＊:：]|[(（\[【][^)）\]】]*[)）\]】]")


def header_key(text: object) -> str:
    """A header as compared: no whitespace or line breaks, quotes, '*' or (notes); lower case."""
    return _HEADER_NOISE.sub("", str(text)).lower()


def _keys(headers: Iterable[str]) -> frozenset[str]:
    return frozenset(header_key(header) for header in headers)


_ORDER_IDS = _keys(h for h, column in ORDER_HEADERS.items() if column == c.ORDER_ID)
_ITEM_IDS = _keys(h for h, column in ITEM_HEADERS.items() if column == c.ORDER_ID)
# What only an order report has: recipients' names and phones are in couriers' files too.
_ORDER_ONLY = _keys(
    h
    for h, column in ORDER_HEADERS.items()
    if column not in (c.ORDER_ID, c.NAME, c.MOBILE, c.TELEPHONE)
)
_ADDRESSES = _keys(h for h, column in ORDER_HEADERS.items() if column == c.ADDRESS)
_ITEM_ONLY = _keys(ITEM_ONLY_HEADERS)
_EXCEPTION = _keys(EXCEPTION_COLUMNS)
_TRACKING = _keys(TRACKING_HEADERS)
_REFERENCES = _keys(REFERENCE_HEADERS)
SHOWN_ORDER_COLUMNS = "订单状态, 买家会员名, 收货地址, 订单付款时间"  # in messages


class FileKind(Enum):
    """The files a seller handles in the daily loop, and anything else."""

    ORDER_REPORT = N_("order report")
    ITEM_REPORT = N_("item report")
    EXCEPTIONS = "exceptions workbook"
    COURIER_RETURN = "courier return"
    SUBMISSION = "submission workbook"
    UPLOAD = "upload file"
    OTHER = "other"


class Layouts:
    """The header rows batch-ship writes itself, by their keys: each courier's submission
    workbook and each marketplace's upload file (with the name to call it by, '' when
    several share the layout). Read from the templates when first asked for: most files are
    told apart without them. A template that does not load is left out: recognising files
    must not fail on it."""

    def __init__(self, templates: Path | None = None) -> None:
        self._templates = templates

    @cached_property
    def submissions(self) -> Mapping[tuple[str, ...], str]:
        from batch_ship.couriers import load_courier_file, template_files

        found: dict[tuple[str, ...], str] = {}
        try:
            files = template_files(self._templates)
        except BatchShipError:
            files = {}
        for path in files.values():
            try:
                courier = load_courier_file(path)
            except BatchShipError:
                continue
            headers = tuple(header_key(column.header) for column in courier.columns)
            # a layout several couriers share names none of them
            found[headers] = "" if headers in found else courier.name
        return found

    @cached_property
    def uploads(self) -> Mapping[tuple[str, ...], str]:
        from batch_ship.uploads import available_marketplaces, load_marketplace

        found: dict[tuple[str, ...], str] = {}
        for code in available_marketplaces(self._templates):
            try:
                market = load_marketplace(code, self._templates)
            except BatchShipError:
                continue
            found.setdefault(tuple(header_key(col.header) for col in market.columns), market.name)
        return found


@lru_cache(maxsize=8)
def our_layouts(templates: Path | None = None) -> Layouts:
    """The layouts of the built-in templates and those of the workspace's templates folder."""
    return Layouts(templates)


def kind_of_header(cells: Sequence[object], layouts: Layouts | None = None) -> tuple[FileKind, str]:
    """What a file with this header row is, and whose (a courier's or marketplace's name for
    our own files, else ''). The reports first (none of our own layouts has a column only a
    report has), then our upload layout exactly, a courier's answer (a tracking column beside
    anything else), and last our submission layouts exactly (they have no tracking column)."""
    row = tuple(key for key in map(header_key, cells) if key)
    keys = frozenset(row)
    if keys & _ORDER_IDS and keys & _EXCEPTION:
        return FileKind.EXCEPTIONS, ""
    if keys & _ITEM_IDS and keys & _ITEM_ONLY and not keys & _ADDRESSES:
        return FileKind.ITEM_REPORT, ""
    if keys & _ORDER_IDS and keys & _ORDER_ONLY:
        return FileKind.ORDER_REPORT, ""
    if len(keys) < 2:  # a title or a blank row: every layout of ours has two columns or more,
        return FileKind.OTHER, ""  # so the templates are not read for it
    layouts = layouts or our_layouts()
    if keys & _TRACKING:
        if row in layouts.uploads:
            return FileKind.UPLOAD, layouts.uploads[row]
        return FileKind.COURIER_RETURN, ""
    if row in layouts.submissions:
        return FileKind.SUBMISSION, layouts.submissions[row]
    if row in layouts.uploads:  # an upload layout without a tracking column of ours
        return FileKind.UPLOAD, layouts.uploads[row]
    return FileKind.OTHER, ""


def find_kind(grid: pd.DataFrame, layouts: Layouts | None = None) -> tuple[FileKind, str, int]:
    """The kind of a sheet (a grid of text cells, no header applied) from the first row of
    its first HEADER_SCAN_ROWS that has a known shape, and that row (-1 when none has)."""
    for row in range(min(len(grid), HEADER_SCAN_ROWS)):
        kind, whose = kind_of_header(grid.iloc[row].tolist(), layouts)
        if kind is not FileKind.OTHER:
            return kind, whose, row
    return FileKind.OTHER, "", -1


def has_order_id(cells: Sequence[object]) -> bool:
    """Whether a header row names an order number column (订单编号, 订单号, 主订单编号)."""
    return bool(_ORDER_IDS & {header_key(cell) for cell in cells})


class WrongFileError(InputError):
    """A file of another kind than the command reads: says what it is and where it goes."""

    def __init__(self, kind: FileKind, whose: str, path: Path | None, wanted: str) -> None:
        what, where = _DESCRIPTIONS[kind]
        name = path.name if path is not None else "FILE"
        described = _(what).format(whose=whose or _("a courier"))
        super().__init__(
            _("this is {what}, not {wanted}").format(what=described, wanted=wanted),
            path=path,
            hint=_(where).format(name=name),
        )
        self.kind = kind


_DESCRIPTIONS: dict[FileKind, tuple[str, str]] = {
    FileKind.ORDER_REPORT: (
        N_("an order report from the seller centre"),
        N_("export it: `batch-ship export {name}` (import-tracking reads the courier's answer)"),
    ),
    FileKind.ITEM_REPORT: (
        N_("an item report (宝贝明细) from the seller centre"),
        N_(
            "give it to export beside its order report: `batch-ship export ExportOrderList….csv "
            "--items {name}`"
        ),
    ),
    FileKind.EXCEPTIONS: (
        N_("an exceptions workbook written by export"),
        N_("fix its rows, then give it back to `batch-ship export {name}`"),
    ),
    FileKind.COURIER_RETURN: (
        N_("a courier return (tracking numbers beside order numbers)"),
        N_(
            "import its tracking numbers: `batch-ship import-tracking {name}` (or drop it in "
            "returns/ for `batch-ship daily`)"
        ),
    ),
    FileKind.SUBMISSION: (
        N_("a submission workbook batch-ship wrote for {whose}"),
        N_(
            "upload it on the courier's site; export reads the seller centre's order report "
            "(ExportOrderList….csv), import-tracking the courier's answer"
        ),
    ),
    FileKind.UPLOAD: (
        N_("the upload file import-tracking wrote for {whose}"),
        N_("upload it in the marketplace's bulk shipping page; batch-ship reads nothing in it"),
    ),
    FileKind.OTHER: (N_("not a file batch-ship knows"), N_("check that this is the right file")),
}
