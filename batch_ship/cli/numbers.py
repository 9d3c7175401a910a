"""`numbers add` and `numbers status`: the waybill-number stock per courier."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from batch_ship.cli.shared import App, emit_json, global_params, json_option, pass_app
from batch_ship.i18n import N_, _
from batch_ship.text import display_width

HEADERS = (N_("courier"), N_("free"), N_("used"), N_("used today"), N_("retired"))


@click.group()
def numbers() -> None:
    """The waybill numbers bought from couriers in advance (the stock export takes from).

    Example: batch-ship numbers status
    """


@numbers.command("add")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--courier", metavar="CODE", required=True, help="The courier the numbers are for.")
@click.option(
    "--range",
    "spec",
    metavar="START[-END]",
    help="Consecutive numbers: START with --count N, or START-END.",
)
@click.option("--count", type=click.IntRange(min=1), help="How many numbers from START.")
@json_option
@pass_app
def add(
    app: App,
    file: Path | None,
    courier: str,
    spec: str | None,
    count: int | None,
    as_json: bool,
) -> None:
    """Add numbers to a courier's stock: a range, or the courier's file of numbers (.xlsx or
    .csv, a 运单号 column and optional 大头笔/三段码 and 集包地 columns).

    Every number is checked against the courier's rule; a file with formulas, repeats,
    another courier's numbers or invalid numbers, or any number already in stock or used,
    is refused with its rows named and nothing is added.

    Example: batch-ship numbers add --courier zto --range 730000000001 --count 500
    """
    from batch_ship.stock import add_numbers

    result = add_numbers(app.workspace, courier, spec=spec, count=count, file=file, now=app.now())
    if as_json:
        emit_json(result.summary())
        return
    click.echo(
        _("added {added:,} {courier} numbers ({first} … {last}); {free:,} free").format(
            added=result.added,
            courier=result.courier,
            first=result.first,
            last=result.last,
            free=result.free,
        )
    )


@numbers.command("status")
@json_option
@pass_app
def status(app: App, as_json: bool) -> None:
    """Numbers left per courier, used today, and a warning below [stock] warn_below.

    Example: batch-ship numbers status --json
    """
    from batch_ship.stock import stock_status

    found = stock_status(app.workspace, app.now())
    for warning in found.warnings:
        click.echo(_("Warning: {warning}").format(warning=warning), err=True)
    if as_json:
        emit_json(found.summary())
        return
    click.echo(render(found.summary()))


def render(summary: dict[str, Any]) -> str:
    """The stock as a table, or a line saying there is none."""
    rows = [
        [
            entry["courier"],
            *(f"{entry[key]:,}" for key in ("free", "used", "used_today", "retired")),
        ]
        for entry in summary["couriers"]
    ]
    if not rows:
        return _(
            "no numbers in stock (batch-ship numbers add --courier CODE --range START --count N)"
        )
    header = [_(title) for title in HEADERS]
    widths = [max(display_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [row[0] + " " * (widths[0] - display_width(row[0]))]
        cells += [
            " " * (w - display_width(cell)) + cell
            for cell, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells))
    return "\n".join(lines)


for _command in numbers.commands.values():
    _command.params.extend(global_params())
