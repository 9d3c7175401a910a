"""The HTML report: one self-contained, offline page rendered from templates/report.html.j2."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import jinja2

from batch_ship.errors import InputError
from batch_ship.exceptions_workbook import ContactRow, read_contacts
from batch_ship.headings import EXCEPTIONS_FILE
from batch_ship.i18n import _
from batch_ship.ledger import BatchInfo, Ledger, status
from batch_ship.ledger.intercepts import all_intercepts
from batch_ship.model import OrderState
from batch_ship.privacy import mask_address, mask_name, mask_phone
from batch_ship.problems import message
from batch_ship.publish import publish_file
from batch_ship.report.data import (
    BAR_HEIGHT,
    CHART_WIDTH,
    LABEL_WIDTH,
    Coverage,
    ExceptionRow,
    ReportData,
    bars,
)
from batch_ship.report.steps import logged_steps
from batch_ship.template_dirs import builtin_templates
from batch_ship.workspace import Workspace

TEMPLATE_NAME = "report.html.j2"
REPORT_NAME = "report.html"
MAX_EXCEPTION_ROWS = 500  # the page stays light; the workbook holds every row
MAX_STEPS = 200  # the most recent logged steps; months of daily runs would bury the page
UNKNOWN_PROVINCE = "未知"  # the bar of parcels whose province the ledger does not know

# --- building --------------------------------------------------------------------------------


def build_report(workspace: Workspace, batch_id: str | None = None) -> ReportData:
    """Gather the report's numbers from the ledger (read only); the open exceptions' names,
    phones and addresses, which the ledger does not keep, from each batch's exceptions.xlsx."""
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
        chosen = _chosen(ledger.batches(), batch_id)
        open_rows = _open_exceptions(workspace, chosen, ledger.open_exceptions(batch_id))
        steps = tuple(logged_steps(ledger, batch_id))
        provinces, province_note = _provinces(ledger.province_counts(batch_id))
        handover = tuple(ledger.awaiting_handover().items())
        intercepts = tuple(
            item for item in all_intercepts(ledger) if batch_id in (None, item.batch_id)
        )
        if batch_id is None:
            order_states = {k: int(v) for k, v in status(ledger).get("orders", {}).items()}
        else:
            order_states = {
                OrderState.SUBMITTED.value: chosen[0].orders - chosen[0].shipped_orders,
                OrderState.SHIPPED.value: chosen[0].shipped_orders,
                OrderState.EXCEPTION.value: len(open_rows),
            }
    for state in OrderState:
        order_states.setdefault(state.value, 0)
    code_counts: Counter[str] = Counter(code for row in open_rows for code in row.codes)
    courier_counts: Counter[str] = Counter()
    for info in chosen:
        courier_counts[info.courier] += info.parcels
    notes = [province_note] if province_note else []
    notes += _cap_notes(len(steps), len(open_rows))
    return ReportData(
        title=f"batch_ship report — {batch_id}" if batch_id else "batch_ship report",
        generated=datetime.now().strftime("%Y-%m-%d %H:%M"),
        batch=batch_id,
        order_states=order_states,
        couriers=tuple(bars(courier_counts.most_common())),
        provinces=tuple(bars(provinces)),
        exception_codes=tuple(
            (code, count, message(code))
            for code, count in sorted(code_counts.items(), key=lambda item: (-item[1], item[0]))
        ),
        exception_rows=tuple(open_rows[:MAX_EXCEPTION_ROWS]),
        exception_total=len(open_rows),
        coverage=tuple(_coverage(info) for info in chosen),
        steps=steps[-MAX_STEPS:],
        notes=tuple(notes),
        awaiting_handover=handover,
        intercepts=intercepts,
    )


def _chosen(batches: list[BatchInfo], batch_id: str | None) -> list[BatchInfo]:
    """Every batch, or the one asked for (an InputError naming the latest ones if unknown)."""
    if batch_id is None:
        return batches
    chosen = [info for info in batches if info.batch_id == batch_id]
    if not chosen:
        known = ", ".join(info.batch_id for info in batches[-5:]) or "none yet"
        raise InputError(
            _("no batch {batch_id} in the ledger").format(batch_id=batch_id),
            hint=_("use an id from `batch-ship status` (latest: {known})").format(known=known),
        )
    return chosen


def _open_exceptions(
    workspace: Workspace,
    chosen: Sequence[BatchInfo],
    exceptions: Sequence[tuple[str, str, tuple[str, ...]]],
) -> list[ExceptionRow]:
    """The ledger's open exceptions (batch, order id, codes), each once, in its latest batch:
    an exception fixed and exported later is no longer one. By batch, then by the row of the
    batch's exceptions.xlsx, personal data partly masked."""
    by_batch: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for batch, order_id, codes in exceptions:
        by_batch.setdefault(batch, []).append((order_id, codes))
    rows: list[ExceptionRow] = []
    for info in chosen:
        listed = by_batch.get(info.batch_id)
        if not listed:
            continue
        contacts = read_contacts(workspace.batch_dir(info.batch_id) / EXCEPTIONS_FILE)
        unknown = ContactRow("", "", "", 0)  # not in the workbook: a person removed the row
        found = [(order_id, codes, contacts.get(order_id, unknown)) for order_id, codes in listed]
        found.sort(key=lambda entry: (entry[2].row or len(contacts) + 2, entry[0]))
        rows += [
            ExceptionRow(
                batch=info.batch_id,
                order_id=order_id,
                name=mask_name(contact.name),
                phone=mask_phone(contact.phone),
                address=mask_address(contact.address),
                codes=codes,
                row=contact.row,
            )
            for order_id, codes, contact in found
        ]
    return rows


def _cap_notes(steps: int, exceptions: int) -> list[str]:
    """What the page leaves out to stay light."""
    notes = []
    if steps > MAX_STEPS:
        notes.append(
            _("showing the last {shown} of {count} logged steps").format(
                shown=MAX_STEPS, count=steps
            )
        )
    if exceptions > MAX_EXCEPTION_ROWS:
        notes.append(
            _(
                "showing the first {shown} of {count} exception orders; "
                "every row is in each batch's exceptions.xlsx"
            ).format(shown=MAX_EXCEPTION_ROWS, count=exceptions)
        )
    return notes


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


def _coverage(info: BatchInfo) -> Coverage:
    return Coverage(
        batch=info.batch_id,
        courier=info.courier,
        created=info.created.strftime("%Y-%m-%d %H:%M"),
        parcels=info.parcels,
        tracked=info.parcels - info.awaiting_tracking,
        orders=info.orders,
        shipped=info.shipped_orders,
    )


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
