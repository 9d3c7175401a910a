"""What one daily run did: per-file results, the `daily --json` object and the human lines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from batch_ship.daily.inbox import Waiting
from batch_ship.i18n import _
from batch_ship.summaries import code_counts


class Summarized(Protocol):
    """A step's result (export's, import-tracking's): its `--json` object."""

    def summary(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class FileResult:
    """One processed unit: an order report (with its item report) or one courier return."""

    kind: str  # "orders" or "return"
    path: Path
    items: Path | None = None
    ok: bool = True
    summary: dict[str, Any] | None = None
    error: str | None = None
    archived: tuple[Path, ...] = ()
    seconds: float = 0.0
    set_aside: tuple[Path, ...] = ()  # where a failed file went (failed/<date>/), error file last


@dataclass(frozen=True)
class DailyResult:
    home: Path
    files: tuple[FileResult, ...] = ()
    waiting: tuple[Waiting, ...] = ()
    ignored: tuple[Path, ...] = ()
    busy: bool = False
    seconds: float = 0.0
    errors: tuple[str, ...] = field(default_factory=tuple)  # problems not tied to one file
    notes: tuple[str, ...] = ()  # e.g. the inbox does not exist yet

    @property
    def ok(self) -> bool:
        return not self.errors and all(result.ok for result in self.files)

    @property
    def exported(self) -> int:
        return sum(1 for r in self.files if r.kind == "orders" and r.ok)

    @property
    def imported(self) -> int:
        return sum(1 for r in self.files if r.kind == "return" and r.ok)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.files if not r.ok)

    def summary(self) -> dict[str, Any]:
        """The `daily --json` object: counts, per-file results and errors."""
        rel = self._relative
        return {
            "ok": self.ok,
            "busy": self.busy,
            "exported": self.exported,
            "imported": self.imported,
            "failed": self.failed,
            "files": [
                {
                    "file": rel(r.path),
                    "kind": r.kind,
                    "items": rel(r.items) if r.items else None,
                    "ok": r.ok,
                    "archived": [rel(path) for path in r.archived],
                    "failed_to": [rel(path) for path in r.set_aside],
                    "seconds": round(r.seconds, 3),
                    "summary": r.summary,
                    "error": r.error,
                }
                for r in self.files
            ],
            "waiting": [{"file": rel(w.path), "reason": w.reason} for w in self.waiting],
            "ignored": [rel(path) for path in self.ignored],
            "errors": [{"file": rel(r.path), "error": r.error} for r in self.files if not r.ok]
            + [{"file": None, "error": error} for error in self.errors],
            "notes": list(self.notes),
            "seconds": round(self.seconds, 3),
        }

    def _relative(self, path: Path) -> str:
        return _relative(path, self.home)


def describe_result(result: FileResult, home: Path) -> str:
    """One human line for a processed file: what it did and where it wrote (or, for a file
    that failed, why and where it went)."""
    name = _relative(result.path, home)
    if not result.ok:
        line = _("FAILED {name}: {error}").format(name=name, error=result.error)
        if result.set_aside:
            line += _("\n  moved to {value} with its error beside it").format(
                value=_relative(result.set_aside[0], home)
            )
            line += _(" (move it back to try again)")
        return line
    summary = result.summary or {}
    paths = [*(summary.get("files") or []), *(summary.get("labels") or [])]
    written = ", ".join(_relative(Path(path), home) for path in paths)
    wrote = _("; wrote {written}").format(written=written) if written else ""
    if result.kind == "orders":
        batch = summary.get("batch") or _("no new batch")
        return _(
            "exported {name} -> {batch}: {value} orders read, {value2} submitted "
            "in {value3} parcels; exceptions: {value4}; skipped: {value5}{wrote}"
        ).format(
            name=name,
            batch=batch,
            value=summary.get("orders_read", 0),
            value2=summary.get("orders_submitted", 0),
            value3=summary.get("parcels", 0),
            value4=code_counts(summary.get("exceptions"), grouped=False) or _("none"),
            value5=code_counts(summary.get("skipped"), grouped=False) or _("none"),
            wrote=wrote,
        )
    return _(
        "imported {name} -> {value}: {value2} parcels matched, {value3} orders "
        "shipped, {value4} unknown rows{wrote}"
    ).format(
        name=name,
        value=summary.get("batch") or "no batch",
        value2=summary.get("parcels_matched", 0),
        value3=summary.get("orders_shipped", 0),
        value4=summary.get("unknown_rows", 0),
        wrote=wrote,
    )


def _relative(path: Path, home: Path) -> str:
    try:
        return path.relative_to(home).as_posix()
    except ValueError:
        return str(path)


def summary_lines(result: DailyResult, *, quiet: bool = False) -> Sequence[str]:
    """The human summary `daily` prints: one line per file, then the totals. `quiet` (cron)
    keeps only what was processed or failed, so a run with nothing new prints nothing."""
    lines = [describe_result(r, result.home) for r in result.files]
    if quiet:
        return lines
    lines += [_("note: {note}").format(note=note) for note in result.notes]
    for waiting in result.waiting:
        lines.append(
            _("waiting {value}: {reason}").format(
                value=result._relative(waiting.path), reason=waiting.reason
            )
        )
    for path in result.ignored:
        lines.append(
            _("ignored {value}: not a .csv/.xlsx/.xls file").format(value=result._relative(path))
        )
    if not result.files:
        lines.append(_("daily: nothing new"))
    else:
        lines.append(
            _(
                "daily: {exported} order report(s) exported, {imported} return(s) "
                "imported, {failed} failed ({seconds:.1f} s)"
            ).format(
                exported=result.exported,
                imported=result.imported,
                failed=result.failed,
                seconds=result.seconds,
            )
        )
    return lines
