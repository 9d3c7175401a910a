"""The daily routine: `init` a workspace, then export new inbox files and import returns once."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from batch_ship.couriers import get_courier
from batch_ship.errors import BatchShipError, InputError, LedgerError
from batch_ship.file_kinds import FileKind, WrongFileError
from batch_ship.i18n import _
from batch_ship.oslock import try_lock, unlock
from batch_ship.progress import Progress, no_progress
from batch_ship.publish import open_ledger, publish_file
from batch_ship.sources.registry import pair_key
from batch_ship.uploads import load_marketplace
from batch_ship.workspace import CONFIG_NAME, Workspace, load_config

log = logging.getLogger(__name__)

SPREADSHEET_SUFFIXES = (".csv", ".xlsx", ".xls", ".xlsm")
LOCK_NAME = ".batch_ship-daily.lock"
# A file modified this recently may still be downloading or being saved: leave it for the next
# run rather than read half a file.
SETTLE_SECONDS = 5.0

FOLDERS = ("inbox", "returns", "archive")  # what init creates (failed/ comes when needed)
# A file another folder's step reads goes there (a courier return dropped in inbox/).
_STEP_OF_KIND = {
    FileKind.COURIER_RETURN: "return",
    FileKind.UPLOAD: "return",  # numbers by order number, in the marketplace's layout
    FileKind.ORDER_REPORT: "orders",
    FileKind.EXCEPTIONS: "orders",
}
ERROR_SUFFIX = ".error.txt"

CONFIG_TEMPLATE = """\
# batch_ship workspace configuration (written by `batch-ship init`; edit freely).
# Strings are TOML strings: keep the quotes. Phones and postcodes stay text.

[sender]
# The 寄件人 block of every courier workbook. Fill these in before the first export.
name = ""          # 寄件人姓名, e.g. "张三"
phone = ""         # 寄件人手机/电话, e.g. "13800000000" or "0571-87654321"
province = ""      # 寄件人省, full official name, e.g. "浙江省"
city = ""          # 寄件人市, e.g. "杭州市"
district = ""      # 寄件人区, e.g. "西湖区"
address = ""       # 寄件人详细地址: the street part only

[defaults]
courier = "{courier}"     # export without --courier uses it; `batch-ship couriers` lists codes
merge = true              # one parcel for several orders of the same buyer, name, phone and address
marketplace = "{marketplace}"  # whose bulk-shipping upload import-tracking writes

[folders]
# Relative to this file's folder. `batch-ship daily` exports every new order report (and its
# item report, same stamp) found in inbox, imports every courier return found in returns, and
# moves what it processed to archive/<YYYY-MM-DD>/. A file that fails moves to
# failed/<YYYY-MM-DD>/ with its error beside it (<name>.error.txt); move it back to retry.
inbox = "inbox"
returns = "returns"
archive = "archive"
failed = "failed"
# templates = "my-templates"   # its couriers/, marketplaces/ and sources/ override built-ins
"""


# --- init ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InitResult:
    """What `init` did: the config path, whether it wrote it, and the folders it created."""

    home: Path
    config: Path
    config_written: bool
    created_folders: tuple[Path, ...]


def init_workspace(home: Path, *, courier: str = "zto", marketplace: str = "taobao") -> InitResult:
    """Create `home` with a commented batch_ship.toml and inbox/, returns/, archive/.

    An existing batch_ship.toml is never overwritten (it is checked to load); missing folders are
    still created, so running init twice is harmless.
    """
    if home.exists() and not home.is_dir():
        raise BatchShipError(
            _("{home} is a file, not a folder").format(home=home), hint=_("choose another folder")
        )
    config_path = home / CONFIG_NAME
    written = False
    if not config_path.exists():
        # What it writes must work: a courier or marketplace without a template is refused
        # now, not at the first export (a new config has no templates folder yet).
        get_courier(courier)
        load_marketplace(marketplace)
    home.mkdir(parents=True, exist_ok=True)
    if not config_path.exists():
        text = CONFIG_TEMPLATE.format(courier=courier.strip().lower(), marketplace=marketplace)
        _write_text_atomic(config_path, text)
        written = True
    config = load_config(config_path)  # raises ConfigError for a broken existing file
    created: list[Path] = []
    for name in FOLDERS:
        folder = home / getattr(config, name)
        if not folder.is_dir():
            folder.mkdir(parents=True, exist_ok=True)
            created.append(folder)
    return InitResult(home, config_path, written, tuple(created))


def _write_text_atomic(path: Path, text: str) -> None:
    with publish_file(path) as temporary:
        temporary.write_text(text, encoding="utf-8")


# --- daily -----------------------------------------------------------------------------------


class Summarized(Protocol):
    def summary(self) -> dict[str, Any]: ...


Exporter = Callable[..., Summarized]
Importer = Callable[..., Summarized]


class DailyBusyError(LedgerError):
    """Another `daily` holds the workspace lock; this run did nothing."""


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
class Waiting:
    """A file left for a later run, and why."""

    path: Path
    reason: str


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


def run_daily(
    workspace: Workspace,
    *,
    progress: Progress = no_progress,
    settle_seconds: float = SETTLE_SECONDS,
    wait_seconds: float = 0.0,
    today: datetime | None = None,
    exporter: Exporter | None = None,
    importer: Importer | None = None,
    raise_bugs: bool = False,
    source: str | None = None,
) -> DailyResult:
    """Export each new order report in the inbox, then import each new courier return, once.

    Processed files move to archive/<YYYY-MM-DD>/; a file that fails for what it holds moves to
    failed/<YYYY-MM-DD>/ with its error beside it (see _process) while the rest go on. Files
    modified in the last `settle_seconds` are left for the next run. A second concurrent run
    waits up to `wait_seconds` for the first, then raises DailyBusyError. `exporter`/`importer`
    default to `run_export` / `import_tracking`. An unexpected exception (a bug) fails only its
    file, unless `raise_bugs` (--debug). Each order file's source is found from its content,
    or is `source` (a code) for every file.
    """
    started = time.monotonic()
    if not workspace.home.is_dir():
        raise BatchShipError(
            _("no workspace at {home}").format(home=workspace.home),
            hint=_("run `batch-ship init {home}` first, or fix --home").format(home=workspace.home),
        )
    if not any(
        path.exists()
        for path in (
            workspace.home / CONFIG_NAME,
            workspace.folder("inbox"),
            workspace.folder("returns"),
        )
    ):
        # Checked before the lock: a cron line in the wrong folder leaves nothing behind.
        raise BatchShipError(
            _("{home} is not a workspace (no {CONFIG_NAME}, no inbox/ or returns/ folder)").format(
                home=workspace.home, CONFIG_NAME=CONFIG_NAME
            ),
            hint=_("run `batch-ship init {home}` first, or point --home at your workspace").format(
                home=workspace.home
            ),
        )
    for name in (*FOLDERS, "failed"):
        folder = workspace.folder(name)
        if folder.exists() and not folder.is_dir():
            raise BatchShipError(
                _("{folder} is a file, not a folder").format(folder=folder),
                hint=_("rename it; {name}/ must be a folder").format(name=name),
            )
    with workspace_lock(workspace.home, wait_seconds=wait_seconds):
        if exporter is None:
            from batch_ship.export import run_export

            exporter = run_export
        if importer is None:
            from batch_ship.tracking import import_tracking

            importer = import_tracking
        day = (today or datetime.now()).strftime("%Y-%m-%d")
        folders = _Folders(workspace.folder("archive") / day, workspace.folder("failed") / day)
        now = time.time()
        results: list[FileResult] = []
        waiting: list[Waiting] = []
        ignored: list[Path] = []

        units, unit_waiting, unit_ignored = _inbox_units(
            workspace.folder("inbox"), now, settle_seconds
        )
        waiting += unit_waiting
        ignored += unit_ignored
        for order_path, items_path in units:
            inputs = [order_path] + ([items_path] if items_path else [])
            steps = {
                "orders": partial(
                    exporter,
                    workspace,
                    [order_path],
                    items=[items_path] if items_path else None,
                    progress=progress,
                    source=source,
                    now=today,
                ),
                "return": partial(importer, workspace, [order_path], progress=progress),
            }
            results.append(_process("orders", inputs, folders, raise_bugs, steps))

        returns, return_waiting, return_ignored = _settled_files(
            workspace.folder("returns"), now, settle_seconds
        )
        waiting += return_waiting
        ignored += return_ignored
        for path in returns:
            steps = {
                "return": partial(importer, workspace, [path], progress=progress),
                "orders": partial(exporter, workspace, [path], items=None, progress=progress),
            }
            results.append(_process("return", [path], folders, raise_bugs, steps))
        notes = tuple(
            _("no {name}/ folder in {home}: run `batch-ship init` to create it").format(
                name=name, home=workspace.home
            )
            for name in ("inbox", "returns")
            if not workspace.folder(name).is_dir()
        )
        result = DailyResult(
            home=workspace.home,
            files=tuple(results),
            waiting=tuple(waiting),
            ignored=tuple(ignored),
            seconds=time.monotonic() - started,
            notes=notes,
        )
        if results:
            _log_daily(workspace, result)
        return result


@dataclass(frozen=True)
class _Folders:
    """Where a day's files go: processed ones, failed ones."""

    archive: Path
    failed: Path


def _process(
    kind: str,
    inputs: list[Path],
    folders: _Folders,
    raise_bugs: bool,
    steps: Mapping[str, Callable[[], Summarized]],
) -> FileResult:
    """Run a file's step (the other folder's step when the file says it is of that kind),
    archive it when done; a file that failed for what it holds, or crashed its step, goes to
    failed/<date>/ with its error (a busy ledger or a broken config is no fault of the file:
    it stays for the next run)."""
    started = time.monotonic()
    items = inputs[1] if len(inputs) > 1 else None

    def failed(error: str, set_aside: bool) -> FileResult:
        moved = _set_aside(inputs, folders.failed, error) if set_aside else ()
        return FileResult(
            kind, inputs[0], items, ok=False, error=error, set_aside=moved,
            seconds=time.monotonic() - started,
        )  # fmt: skip

    try:
        kind, summary = _run_step(kind, steps)
    except BatchShipError as error:
        log.debug("daily: %s failed", inputs[0].name, exc_info=True)
        return failed(str(error), isinstance(error, InputError))
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as error:  # a bug (or a native panic) in one file's run must not
        # stop the rest of the inbox
        if raise_bugs:
            raise
        log.debug("daily: %s crashed", inputs[0].name, exc_info=True)
        return failed(
            _(
                "{name}: internal error ({kind}: {error}); "
                "run `batch-ship --debug daily` for the traceback and report it"
            ).format(name=inputs[0].name, kind=type(error).__name__, error=error),
            True,
        )
    try:
        archived = tuple(archive_file(path, folders.archive) for path in inputs)
    except OSError as error:
        # Recorded but not moved: the next run re-reads it and the ledger skips what it knows.
        message = _("{name}: processed but could not be archived ({error})").format(
            name=inputs[0].name, error=error
        )
        return FileResult(
            kind,
            inputs[0],
            items,
            ok=False,
            summary=summary,
            error=message,
            seconds=time.monotonic() - started,
        )
    return FileResult(
        kind,
        inputs[0],
        items,
        summary=summary,
        archived=archived,
        seconds=time.monotonic() - started,
    )


def _run_step(
    kind: str, steps: Mapping[str, Callable[[], Summarized]]
) -> tuple[str, dict[str, Any]]:
    """The step of the folder the file was in; if the file is of the other step's kind
    (a courier return in inbox/), that step instead, once."""
    try:
        return kind, steps[kind]().summary()
    except WrongFileError as error:
        other = _STEP_OF_KIND.get(error.kind)
        if other is None or other == kind:
            raise
        log.info(_("daily: %s is a %s; %s"), error.path, error.kind.value, f"running {other}")
        return other, steps[other]().summary()


def _set_aside(inputs: list[Path], folder: Path, error: str) -> tuple[Path, ...]:
    """Move a failed file (and its item report) to `folder`, its error beside it in
    `<name>.error.txt`: daily does not read it again until a person moves it back."""
    moved: list[Path] = []
    try:
        for path in inputs:
            moved.append(archive_file(path, folder))
        note = folder / f"{moved[0].name}{ERROR_SUFFIX}"
        when = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
        back = ", ".join(
            _("{name} to {folder}/").format(name=path.name, folder=path.parent.name)
            for path in inputs
        )
        _write_text_atomic(
            note,
            f"{error}\n\n"
            + _("{when}: batch-ship daily moved it here and will not read it again.").format(
                when=when
            )
            + "\n"
            + _("Once fixed, move {back} to try again.").format(back=back)
            + "\n",
        )
    except OSError as problem:  # it stays where it is; the error is still reported
        log.warning(_("daily: could not move %s to %s (%s)"), inputs[0].name, folder, problem)
        return tuple(moved)
    return (*moved, note)


def _settled_files(
    folder: Path, now: float, settle_seconds: float
) -> tuple[list[Path], list[Waiting], list[Path]]:
    """Spreadsheet files of `folder`, oldest first; too-fresh ones wait, others are ignored."""
    if not folder.is_dir():
        return [], [], []
    ready: list[tuple[float, str, Path]] = []
    waiting: list[Waiting] = []
    ignored: list[Path] = []
    for path in folder.iterdir():
        # Hidden files, Excel's ~$ lock files and partial downloads are never order reports.
        if path.name.startswith((".", "~$")) or not path.is_file():
            continue
        if path.suffix.lower() not in SPREADSHEET_SUFFIXES:
            ignored.append(path)
            continue
        try:
            modified = path.stat().st_mtime
        except OSError:  # vanished between listing and stat
            continue
        if now - modified < settle_seconds:
            waiting.append(Waiting(path, _("modified in the last few seconds; next run")))
            continue
        ready.append((modified, path.name, path))
    ready.sort()
    return [item[2] for item in ready], waiting, sorted(ignored)


def _inbox_units(
    inbox: Path, now: float, settle_seconds: float
) -> tuple[list[tuple[Path, Path | None]], list[Waiting], list[Path]]:
    """Order reports paired with their item report by stamp; waiting and ignored files."""
    ready, waiting, ignored = _settled_files(inbox, now, settle_seconds)
    fresh = {w.path for w in waiting}
    items_by_stamp: dict[str, Path] = {}
    orders: list[Path] = []
    for path in ready:
        key = pair_key(path)
        if key is not None and key[0] == "items":
            items_by_stamp[key[1]] = path
        else:
            orders.append(path)
    fresh_stamps = _stamps(fresh, "items")
    units: list[tuple[Path, Path | None]] = []
    for path in orders:
        key = pair_key(path)
        stamp = key[1] if key is not None else None
        if stamp is not None and stamp in fresh_stamps:
            waiting.append(Waiting(path, _("its item report is still being written; next run")))
            continue
        units.append((path, items_by_stamp.pop(stamp, None) if stamp is not None else None))
    fresh_order_stamps = _stamps(fresh, "orders")
    for stamp, path in items_by_stamp.items():
        reason = (
            _("its order report is still being written; next run")
            if stamp in fresh_order_stamps
            else _("item report without its order report (ExportOrderList with the same stamp)")
        )
        waiting.append(Waiting(path, reason))
    return units, waiting, ignored


def _stamps(paths: set[Path], role: str) -> set[str]:
    """The pairing keys of the `role` files ("orders" or "items") among `paths`."""
    return {key[1] for path in paths if (key := pair_key(path)) is not None and key[0] == role}


def archive_file(path: Path, folder: Path) -> Path:
    """Move `path` into `folder` (created), never overwriting: name-1.csv, name-2.csv, …"""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    counter = 1
    while target.exists():
        target = folder / f"{path.stem}-{counter}{path.suffix}"
        counter += 1
    os.replace(path, target)
    return target


def _log_daily(workspace: Workspace, result: DailyResult) -> None:
    """One `daily` event in the ledger's log, so the report can show the routine's timing."""
    try:
        with open_ledger(workspace) as ledger, ledger.write():
            ledger.log_event(
                "daily",
                None,
                {
                    "exported": result.exported,
                    "imported": result.imported,
                    "failed": result.failed,
                    "seconds": round(result.seconds, 3),
                },
            )
    except (BatchShipError, OSError) as error:  # the log is a nicety
        log.debug("daily: event not logged: %s", error)


# --- lock ------------------------------------------------------------------------------------


@contextmanager
def workspace_lock(home: Path, *, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold the workspace's daily lock (an OS file lock, released if the process dies).

    Raises DailyBusyError when another run still holds it after `wait_seconds`.
    """
    home.mkdir(parents=True, exist_ok=True)
    path = home / LOCK_NAME
    handle = open(path, "a+")  # noqa: SIM115 - held open for the lock's lifetime
    try:
        deadline = time.monotonic() + wait_seconds
        while not try_lock(handle):
            if time.monotonic() >= deadline:
                handle.seek(0)
                holder = handle.read().strip() or "another process"
                raise DailyBusyError(
                    _(
                        "another daily run ({holder}) is still working in {home}; nothing done"
                    ).format(holder=holder, home=home),
                    hint=_(
                        "nothing to fix: the next run picks up new files (or pass --wait SECONDS)"
                    ),
                )
            time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {datetime.now():%Y-%m-%d %H:%M:%S}")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            unlock(handle)
    finally:
        handle.close()


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
    written = ", ".join(_relative(Path(path), home) for path in summary.get("files") or [])
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
            value4=_counts(summary.get("exceptions")),
            value5=_counts(summary.get("skipped")),
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


def _counts(counts: Any) -> str:
    """{code: n} as 'phone-masked 3, address-missing 1', or 'none'."""
    if not isinstance(counts, dict) or not counts:
        return _("none")
    return ", ".join(f"{code} {count}" for code, count in counts.items())


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
