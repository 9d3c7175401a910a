"""The one way a run's files become visible: staged, recorded in the ledger's commit, moved."""

# The protocol (README, "Where files go"):
# 1. A run writes every output under a staging folder no person takes for a result,
#    <home>/batches/.publish-<run>/, and holds an OS lock on .publish-<run>.lock beside it
#    for as long as it lives (a single file outside a ledger run, e.g. report.html, stages
#    in .publish-<run>/ beside its target).
# 2. record() stores the moves (staged -> final, in order) in the ledger's `publications`
#    table, in the same transaction as the run's own changes.
# 3. Once that transaction has committed, the moves happen (a batch's upload last) and the
#    record is deleted. Without the commit, the staged files are deleted.
# 4. open_ledger() (every command that changes the ledger) first finishes the moves of any
#    recorded publication whose run is dead, deletes every staging folder no live run
#    holds and the staged leftovers of older versions, and moves aside a batch folder the
#    ledger does not know.

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import IO, Literal

from batch_ship.errors import BatchShipError, DiskFullError, disk_full, is_disk_full
from batch_ship.i18n import _
from batch_ship.ledger import BATCH_ID, Ledger
from batch_ship.staging import STAGING, WITHDRAWN, alive, children, clean, release, stage_root
from batch_ship.tuning import Tuning
from batch_ship.workspace import Workspace

log = logging.getLogger(__name__)

ASIDE = ".abandoned-"  # a batch folder the ledger does not know, moved out of sight
# Test hook: "<point>:<marker file>" makes the run write the marker and wait at that point
# of the protocol, so that a test can kill it there (tests/test_crash.py).
PAUSE_ENV = "BATCH_SHIP_PAUSE_AT"
POINTS = ("staged", "recorded", "committed", "moving", "moved")
PAUSE_SECONDS = 120.0
_ATTEMPTS = 5  # a step of the moves cut short by an interrupt is done again, this often


def pause(point: str) -> None:
    """The test hook (PAUSE_ENV): at `point`, write the marker file and wait to be killed."""
    wanted = os.environ.get(PAUSE_ENV)
    if not wanted:
        return
    name, _, marker = wanted.partition(":")
    if name != point:
        return
    Path(marker).write_text(str(os.getpid()), encoding="utf-8")
    deadline = time.monotonic() + PAUSE_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.02)


class Publication:
    """One run's outputs. Stage them (`folder`, `file`, `place`), `record()` them inside the
    run's ledger transaction; leaving the `with` block then moves them into place when the
    ledger holds the record (it committed), and deletes them otherwise.

    Without a ledger (`publish_file`), leaving the block without an error moves them."""

    def __init__(self, parent: Path, home: Path, ledger: Ledger | None) -> None:
        self.home = home
        self.ledger = ledger
        self.parent = parent
        self.run = ""
        self._lock: IO[str] | None = None  # the staging folder exists once this is set
        self.moves: list[tuple[Path, Path]] = []
        # the size of the files to publish, for the message when the disk is full
        self.estimate: Callable[[], int] | None = None
        self._recorded = False

    @property
    def root(self) -> Path:
        """The run's staging folder, made (with its lock) when first asked for."""
        if self._lock is None:
            self.run, self._lock = stage_root(self.parent)
        return self.parent / f"{STAGING}{self.run}"

    def folder(self, name: str) -> Path:
        """A staged folder to fill; `place()` says where it goes."""
        path = self.root / name
        path.mkdir()
        return path

    def file(self, target: Path) -> Path:
        """A staged path for `target`, moved there in the order of these calls."""
        staged = self.root / f"{len(self.moves)}-{target.name}"
        self.moves.append((staged, target))
        return staged

    def place(self, staged: Path, target: Path) -> None:
        self.moves.append((staged, target))

    def withdraw(self, path: Path) -> None:
        """Take `path`, an earlier run's file this run's outputs supersede, out of sight with
        the moves: into the staging folder, deleted with it (kept if the run fails)."""
        self.moves.append((path, self.root / WITHDRAWN / f"{len(self.moves)}-{path.name}"))

    def record(self) -> None:
        """Store the moves in the ledger, inside the run's write(): the last step before its
        commit. The staged files reach the disk first, so that a committed record never
        names a file a power cut could lose."""
        assert self.ledger is not None
        for staged, target in self.moves:  # what would stop a move, found before the commit
            if target.is_dir() and not staged.is_dir():
                raise BatchShipError(
                    _("cannot put {name} in place: a folder of that name is in the way").format(
                        name=target.name
                    ),
                    path=target,
                    hint=_("move the folder {folder} away, then run again").format(folder=target),
                )
        pause("staged")
        for staged, _target in self.moves:
            _sync(staged)
        _sync(self.root)
        self.ledger.record_publication(
            self.run, [(self._relative(s), self._relative(t)) for s, t in self.moves]
        )
        self._recorded = True
        pause("recorded")

    def __enter__(self) -> Publication:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._lock is not None:
            root = self.root
            try:
                outcome = self._outcome(failed=kind is not None)
                if outcome == "publish":
                    _Finisher(self).run()
                elif outcome == "discard":
                    shutil.rmtree(root, ignore_errors=True)
            finally:
                release(root, self._lock)
        if error is not None and is_disk_full(error) and not isinstance(error, DiskFullError):
            raise disk_full(self.parent, self._needed()) from error

    def _needed(self) -> int | None:
        try:
            return self.estimate() if self.estimate is not None else None
        except Exception:  # only a message needs it
            return None

    def _outcome(self, *, failed: bool) -> Literal["publish", "discard", "leave"]:
        """Publish what the ledger committed, discard what it did not; leave the staged
        files to the next run's recovery when the ledger cannot say."""
        if self.ledger is None:
            return "discard" if failed else "publish"
        if not self._recorded:
            return "discard"
        try:
            return "publish" if self.ledger.publications(self.run) else "discard"
        except Exception:
            log.debug("publication %s: commit unknown, left for recovery", self.run)
            return "leave"

    def _relative(self, path: Path) -> str:
        return path.relative_to(self.home).as_posix()


class _Finisher:
    """The moves of a committed publication. An interrupt (SIGINT, SIGTERM) arriving
    meanwhile is raised once they are done, the step it cut short done again (every step
    can be): the ledger already says these files exist."""

    def __init__(self, publication: Publication) -> None:
        self.publication = publication
        self.interrupt: BaseException | None = None

    def run(self) -> None:
        publication = self.publication
        self._step(partial(pause, "committed"), again=False)
        for index, (staged, target) in enumerate(publication.moves):
            self._step(partial(_move_once, staged, target))
            if index < len(publication.moves) - 1:
                self._step(partial(pause, "moving"), again=False)
        self._step(partial(pause, "moved"), again=False)
        self._step(self._forget)
        if self.interrupt is not None:
            raise self.interrupt

    def _step(self, step: Callable[[], None], *, again: bool = True) -> None:
        for _attempt in range(_ATTEMPTS):
            try:
                step()
                return
            except KeyboardInterrupt as error:
                self.interrupt = self.interrupt or error
                if not again:
                    return  # an interrupted pause is over
        step()

    def _forget(self) -> None:
        ledger = self.publication.ledger
        if ledger is not None:
            with ledger.write():
                ledger.forget_publication(self.publication.run)


def _move_once(staged: Path, target: Path) -> None:
    """`_move`, done at most once: a staged path already gone was moved."""
    if staged.exists() or staged.is_symlink():
        _move(staged, target)


@contextlib.contextmanager
def publication(workspace: Workspace, ledger: Ledger) -> Iterator[Publication]:
    """A run's publication, staged in <home>/batches/ (see Publication)."""
    with Publication(workspace.batches_dir, workspace.home, ledger) as started:
        yield started


@contextlib.contextmanager
def publish_file(target: Path) -> Iterator[Path]:
    """A file outside any ledger run (a report, a config, sample data): write the path this
    yields; it replaces `target` when the block ends without an error, and vanishes if not."""
    target = Path(target)
    with Publication(target.parent, target.parent, None) as started:
        yield started.file(target)


@contextlib.contextmanager
def open_ledger(workspace: Workspace, tuning: Tuning | None = None) -> Iterator[Ledger]:
    """The workspace's ledger, for a run that changes it: recovered first (`recover`).
    `tuning` (default: Tuning's defaults) sets the ledger's busy wait, cache and chunks."""
    workspace.home.mkdir(parents=True, exist_ok=True)
    with Ledger.open(workspace.ledger_path, tuning=tuning) as ledger:
        recover(workspace, ledger)
        yield ledger


def recover(workspace: Workspace, ledger: Ledger) -> None:
    """Finish what killed runs left: the moves of committed publications, then delete the
    staging folders of runs no longer alive and older versions' leftovers, and move aside
    a batch folder the ledger does not know."""
    home, batches = workspace.home, workspace.batches_dir
    with ledger.write():
        for run, moves in ledger.publications().items():
            if alive(batches / f"{STAGING}{run}"):
                continue
            log.warning(_("finishing the publication of an interrupted run (%s)"), run)
            try:
                for staged, target in moves:
                    if (home / staged).exists():
                        _move(home / staged, home / target)
            except OSError as error:
                log.warning(_("could not finish it (%s); the next run tries again"), error)
                continue
            ledger.forget_publication(run)
    if not batches.is_dir():
        clean(home)
        return
    folders = [path for path in children(batches) if BATCH_ID.fullmatch(path.name)]
    folders = [path for path in folders if path.is_dir()]
    for folder in (home, batches, *folders):
        clean(folder)
    known = ledger.batch_ids()  # read after listing: a folder listed was committed first
    for folder in folders:
        if folder.name not in known:
            _set_aside(folder)


def _set_aside(folder: Path) -> Path:
    aside = folder.with_name(f"{ASIDE}{folder.name}-{secrets.token_hex(4)}")
    log.warning(_("batch folder %s is not in the ledger; moved it to %s"), folder, aside.name)
    os.replace(folder, aside)
    return aside


def _move(staged: Path, target: Path) -> None:
    """Move a staged file or folder into place. A folder already at the target is one the
    ledger does not know (a batch id is never reused): it is moved aside, never merged."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if staged.is_dir() and target.exists():
        _set_aside(target)
    try:
        os.replace(staged, target)
    except OSError as error:
        raise BatchShipError(
            _("cannot put {name} in place: {reason}").format(
                name=target.name, reason=error.strerror or error
            ),
            path=target,
            hint=_(
                "close the file if a spreadsheet program has it open; the next run puts it in place"
            ),
        ) from error


def _sync(path: Path) -> None:
    """Flush a staged file (or a folder's entries) to the disk."""
    if path.is_dir():
        for child in path.iterdir():
            if child.is_file():
                _sync(child)
    with contextlib.suppress(OSError):  # some file systems refuse to fsync a folder
        descriptor = os.open(path, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
