"""The HTML report: one self-contained, offline page rendered from templates/report.html.j2."""

from __future__ import annotations

import importlib.resources
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2

from batch_ship.errors import InputError
from batch_ship.i18n import _
from batch_ship.ledger import BatchInfo, Ledger, status
from batch_ship.ledger.intercepts import Intercept, all_intercepts
from batch_ship.model import OrderState
from batch_ship.privacy import mask_address, mask_name, mask_phone
from batch_ship.publish import publish_file
from batch_ship.reasons import REASONS
from batch_ship.workspace import Workspace

TEMPLATE_NAME = "report.html.j2"
REPORT_NAME = "report.html"
EXCEPTIONS_NAME = "exceptions.xlsx"
MAX_EXCEPTION_ROWS = 500  # the page stays light; the workbook holds every row
MAX_STEPS = 200  # the most recent logged steps; months of daily runs would bury the page
CHART_WIDTH = 640
BAR_HEIGHT = 20
LABEL_WIDTH = 110
UNKNOWN_PROVINCE = "未知"  # the bar of parcels whose province the ledger does not know

# Headers as the order report spells them (whitespace stripped), first match wins.
_ID_HEADERS = ("订单编号", "订单号")
_NAME_HEADERS = ("收货人姓名", "收件人姓名", "收货人")
_PHONE_HEADERS = ("联系手机", "联系电话", "收货人手机", "手机")
_ADDRESS_HEADERS = ("收货地址", "收件人地址", "详细地址")
_CODES_HEADER = "异常代码"


@dataclass(frozen=True)
class Bar:
    """One bar of an inline SVG chart, its geometry computed here so the template only draws."""

    label: str
    value: int
    y: int = 0
    width: int = 0

    @property
    def short_label(self) -> str:
        """What fits left of the bar (the longest province name has 8 characters)."""
        return self.label if len(self.label) <= 9 else self.label[:8] + "…"


@dataclass(frozen=True)
class ExceptionRow:
    """An order still waiting for a fix, with personal data partly masked."""

    batch: str
    order_id: str
    name: str
    phone: str
    address: str
    codes: tuple[str, ...]
    row: int  # spreadsheet row in the batch's exceptions.xlsx (header = 1)


@dataclass(frozen=True)
class Coverage:
    batch: str
    courier: str
    created: str
    parcels: int
    tracked: int
    orders: int
    shipped: int

    @property
    def percent(self) -> float:
        return 100.0 * self.tracked / self.parcels if self.parcels else 0.0


@dataclass(frozen=True)
class Step:
    """One logged step (export, import-tracking, daily) and how long it took."""

    kind: str
    batch: str
    when: str
    seconds: float | None
    detail: str
    parts: tuple[tuple[str, float], ...] = ()  # the step's own sub-steps, when it logs them


@dataclass(frozen=True)
class ReportData:
    title: str
    generated: str
    batch: str | None
    order_states: dict[str, int]
    couriers: tuple[Bar, ...]
    provinces: tuple[Bar, ...]
    exception_codes: tuple[tuple[str, int, str], ...]  # code, orders, message
    exception_rows: tuple[ExceptionRow, ...]
    exception_total: int
    coverage: tuple[Coverage, ...]
    steps: tuple[Step, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)
    intercepts: tuple[Intercept, ...] = ()  # 拦截件: out, then closed or refunding

    @property
    def chart_height(self) -> int:
        return BAR_HEIGHT * max(len(self.provinces), 1) + 10

    @property
    def total_parcels(self) -> int:
        return sum(c.parcels for c in self.coverage)

    @property
    def total_tracked(self) -> int:
        return sum(c.tracked for c in self.coverage)


# --- masking ---------------------------------------------------------------------------------


# --- building --------------------------------------------------------------------------------


def build_report(workspace: Workspace, batch_id: str | None = None) -> ReportData:
    """Gather the report's numbers from the ledger and the batch folders (read only)."""
    if not workspace.ledger_path.exists():
        # Looking never creates a ledger: an empty workspace gets an empty report.
        if batch_id is not None:
            raise InputError(
                _("no batch {batch_id}: there is no ledger in {home}").format(
                    batch_id=batch_id, home=workspace.home
                ),
                hint=_("run `batch-ship export` first, or point --home at the shop's workspace"),
            )
        return _empty_report()
    with Ledger.open(workspace.ledger_path) as ledger:
        all_batches = ledger.batches()
        if batch_id is not None:
            chosen = [info for info in all_batches if info.batch_id == batch_id]
            if not chosen:
                known = ", ".join(info.batch_id for info in all_batches[-5:]) or "none yet"
                raise InputError(
                    _("no batch {batch_id} in the ledger").format(batch_id=batch_id),
                    hint=_("use an id from `batch-ship status` (latest: {known})").format(
                        known=known
                    ),
                )
        else:
            chosen = all_batches
        coverage = tuple(_coverage(ledger, info) for info in chosen)
        raw_rows = [row for info in chosen for row in _exception_rows(workspace, info.batch_id)]
        states = ledger.order_states({row[1] for row in raw_rows}) if raw_rows else {}
        steps = tuple(_steps(ledger, batch_id))
        provinces, province_note = _provinces(ledger.province_counts(batch_id))
        intercepts = tuple(
            item for item in all_intercepts(ledger) if batch_id in (None, item.batch_id)
        )
        if batch_id is None:
            order_states = {k: int(v) for k, v in status(ledger).get("orders", {}).items()}
        else:
            info = chosen[0]
            order_states = {
                OrderState.SUBMITTED.value: info.orders - info.shipped_orders,
                OrderState.SHIPPED.value: info.shipped_orders,
                OrderState.EXCEPTION.value: 0,
            }
    # An exception fixed and exported later is no longer one: only the ledger's open ones show,
    # each once (a still-broken order fed back appears in a later batch's workbook too: the
    # latest row wins).
    latest = {row[1]: row for row in raw_rows if states.get(row[1]) == OrderState.EXCEPTION}
    open_rows = list(latest.values())
    if batch_id is not None:
        order_states[OrderState.EXCEPTION.value] = len(open_rows)
    for state in OrderState:
        order_states.setdefault(state.value, 0)
    code_counts: Counter[str] = Counter(code for row in open_rows for code in row[5])
    notes: list[str] = []
    if province_note:
        notes.append(province_note)
    if len(steps) > MAX_STEPS:
        notes.append(
            _("showing the last {shown} of {count} logged steps").format(
                shown=MAX_STEPS, count=len(steps)
            )
        )
        steps = steps[-MAX_STEPS:]
    if len(open_rows) > MAX_EXCEPTION_ROWS:
        notes.append(
            _(
                "showing the first {shown} of {count} exception orders; "
                "every row is in each batch's exceptions.xlsx"
            ).format(shown=MAX_EXCEPTION_ROWS, count=len(open_rows))
        )
    courier_counts: Counter[str] = Counter()
    for info in chosen:
        courier_counts[info.courier] += info.parcels
    return ReportData(
        title=f"batch_ship report — {batch_id}" if batch_id else "batch_ship report",
        generated=datetime.now().strftime("%Y-%m-%d %H:%M"),
        batch=batch_id,
        order_states=order_states,
        couriers=tuple(_bars(courier_counts.most_common())),
        provinces=tuple(_bars(provinces)),
        exception_codes=tuple(
            (code, count, REASONS[code].message if code in REASONS else code)
            for code, count in sorted(code_counts.items(), key=lambda item: (-item[1], item[0]))
        ),
        exception_rows=tuple(
            ExceptionRow(
                batch=row[0],
                order_id=row[1],
                name=mask_name(row[2]),
                phone=mask_phone(row[3]),
                address=mask_address(row[4]),
                codes=row[5],
                row=row[6],
            )
            for row in open_rows[:MAX_EXCEPTION_ROWS]
        ),
        exception_total=len(open_rows),
        coverage=coverage,
        steps=steps,
        notes=tuple(notes),
        intercepts=intercepts,
    )


def _empty_report() -> ReportData:
    return ReportData(
        title="batch_ship report",
        generated=datetime.now().strftime("%Y-%m-%d %H:%M"),
        batch=None,
        order_states={state.value: 0 for state in OrderState},
        couriers=(),
        provinces=(),
        exception_codes=(),
        exception_rows=(),
        exception_total=0,
        coverage=(),
        steps=(),
        notes=("no ledger yet: run `batch-ship export` (or `batch-ship daily`) first",),
    )


def _coverage(ledger: Ledger, info: BatchInfo) -> Coverage:
    return Coverage(
        batch=info.batch_id,
        courier=info.courier,
        created=info.created.strftime("%Y-%m-%d %H:%M"),
        parcels=info.parcels,
        tracked=info.parcels - info.awaiting_tracking,
        orders=info.orders,
        shipped=info.shipped_orders,
    )


def _bars(counts: Iterable[tuple[str, int]]) -> list[Bar]:
    pairs = [(label or "(unknown)", int(value)) for label, value in counts]
    top = max((value for _unused, value in pairs), default=0)
    span = CHART_WIDTH - LABEL_WIDTH - 60  # room for the number after the bar
    return [
        Bar(
            label,
            value,
            y=index * BAR_HEIGHT,
            width=max(1, round(span * value / top)) if top else 0,
        )
        for index, (label, value) in enumerate(pairs)
    ]


_ExceptionTuple = tuple[str, str, str, str, str, tuple[str, ...], int]


def _exception_rows(workspace: Workspace, batch_id: str) -> list[_ExceptionTuple]:
    """(batch, order_id, name, phone, address, codes, row) from the batch's exceptions.xlsx."""
    path = workspace.batch_dir(batch_id) / EXCEPTIONS_NAME
    table = _read_sheet(path)
    if not table:
        return []
    header = [_clean_header(cell) for cell in table[0]]
    try:
        codes_at = header.index(_CODES_HEADER)
    except ValueError:
        return []
    id_at = _find(header, _ID_HEADERS)
    name_at = _find(header, _NAME_HEADERS)
    phone_at = _find(header, _PHONE_HEADERS)
    address_at = _find(header, _ADDRESS_HEADERS)
    rows: list[_ExceptionTuple] = []
    for number, cells in enumerate(table[1:], start=2):

        def cell(at: int | None, cells: Sequence[Any] = cells) -> str:
            return _text(cells[at]) if at is not None and at < len(cells) else ""

        order_id = _clean_id(cell(id_at))
        codes = tuple(code.strip() for code in cell(codes_at).split(",") if code.strip())
        if not order_id or not codes:
            continue
        rows.append(
            (batch_id, order_id, cell(name_at), cell(phone_at), cell(address_at), codes, number)
        )
    return rows


def _provinces(counts: dict[str, int]) -> tuple[list[tuple[str, int]], str]:
    """The ledger's parcels per province (most first) with its unknown ('') last, shown as
    未知, and a note saying why there are unknown ones."""
    # '' = no province recorded: batches exported before the ledger kept provinces.
    known = Counter({province: count for province, count in counts.items() if province})
    unknown = counts.get("", 0) + known.pop(UNKNOWN_PROVINCE, 0)
    pairs = known.most_common()
    note = ""
    if unknown:
        pairs.append((UNKNOWN_PROVINCE, unknown))
    if counts.get("", 0):
        note = _(
            "{count} parcel(s) have no recorded province (exported before batch-ship "
            "recorded provinces): counted as {unknown}"
        ).format(count=counts[""], unknown=UNKNOWN_PROVINCE)
    return pairs, note


def _read_sheet(path: Path) -> list[list[Any]]:
    """The first sheet of an .xlsx as rows of cells; [] when the file is absent."""
    if not path.exists():
        return []
    from batch_ship.spreadsheets.read import RawFile, workbook_rows

    try:  # the one guarded door to calamine: a person may have edited the file
        return workbook_rows(RawFile(path.read_bytes(), path))
    except InputError as error:
        error.hint = "it was written by batch-ship; re-run the export or restore it from backup"
        raise


def _find(header: list[str], names: Sequence[str]) -> int | None:
    for name in names:
        if name in header:
            return header.index(name)
    return None


def _clean_header(cell: Any) -> str:
    return str(cell).strip().strip("=\"'").strip()


def _clean_id(text: str) -> str:
    return text.strip().strip("=\"'").strip()


def _text(value: Any) -> str:
    # Cells written by batch_ship are text; a float here would be a person's re-save, and a
    # 19-digit id in a float is already wrong, so show what is there rather than format it.
    if value is None:
        return ""
    return str(value)


def _steps(ledger: Ledger, batch_id: str | None) -> list[Step]:
    """Logged steps with their durations, oldest first (`daily` runs only in the full report)."""
    steps: list[Step] = []
    for event in ledger.events():
        if batch_id is not None and event.batch_id != batch_id:
            continue
        total, parts = _durations(event.detail.get("seconds"))
        # Counts and short facts; zeros, lists and what the row already shows are noise.
        shown = ", ".join(
            f"{key} {value}"
            for key, value in event.detail.items()
            if key not in ("seconds", "batch")
            and isinstance(value, int | float | str)
            and not isinstance(value, bool)
            and value not in (0, "")
        )
        steps.append(
            Step(
                kind=event.kind,
                batch=event.batch_id or "",
                when=_local_time(event.at),
                seconds=total,
                detail=shown,
                parts=parts,
            )
        )
    return steps


def _durations(value: Any) -> tuple[float | None, tuple[tuple[str, float], ...]]:
    """A logged `seconds`: a number, or {step: seconds} (export times each of its steps)."""
    if isinstance(value, bool):
        return None, ()
    if isinstance(value, int | float):
        return float(value), ()
    if isinstance(value, dict):
        parts = tuple(
            (str(name), float(part))
            for name, part in value.items()
            if isinstance(part, int | float) and not isinstance(part, bool) and name != "total"
        )
        total = value.get("total")
        if isinstance(total, int | float) and not isinstance(total, bool):
            return float(total), parts
        return (sum(part for _unused, part in parts) if parts else None), parts
    return None, ()


def _local_time(stamp: str) -> str:
    """The ledger logs UTC; the seller reads local time."""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%Y-%m-%d %H:%M:%S")


# --- rendering -------------------------------------------------------------------------------


def template_environment(workspace: Workspace | None = None) -> jinja2.Environment:
    """Autoescaping Jinja2 environment: the workspace's templates folder first, then built-ins."""
    loaders: list[jinja2.BaseLoader] = []
    if workspace is not None and workspace.config.templates is not None:
        loaders.append(jinja2.FileSystemLoader(str(workspace.config.templates)))
    loaders.append(jinja2.FileSystemLoader(str(builtin_templates())))
    # Buyer names and addresses are hostile text: autoescape everything, always.
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def builtin_templates() -> Path:
    """The shipped templates/ folder (package data when installed, the source tree otherwise)."""
    try:
        return Path(str(importlib.resources.files("batch_ship.templates")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[1] / "templates"


def render_report(data: ReportData, workspace: Workspace | None = None) -> str:
    template = template_environment(workspace).get_template(TEMPLATE_NAME)
    return template.render(
        report=data,
        chart_width=CHART_WIDTH,
        bar_height=BAR_HEIGHT,
        label_width=LABEL_WIDTH,
    )


def write_report(
    workspace: Workspace, batch_id: str | None = None, out: Path | None = None
) -> Path:
    """Render the report and write it atomically; default batches/<id>/report.html or
    report.html in the home. Returns the path written."""
    data = build_report(workspace, batch_id)
    html = render_report(data, workspace)
    if out is None:
        out = (
            workspace.batch_dir(batch_id) / REPORT_NAME
            if batch_id
            else workspace.home / REPORT_NAME
        )
    if out.exists() and out.is_dir():
        raise InputError(
            _("{out} is a folder").format(out=out),
            hint=_("give --out a file name, e.g. report.html"),
        )
    with publish_file(out) as temporary:
        temporary.write_text(html, encoding="utf-8")
    return out
