"""Staging folders: a run's own folder for its outputs, held by an OS lock while it lives, and
the clean-up of the folders dead runs (and older versions) left."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
from pathlib import Path
from typing import IO

from batch_ship.ledger import BATCH_ID
from batch_ship.oslock import try_lock

STAGING = ".publish-"
LOCK_SUFFIX = ".lock"
# Inside a staging folder: earlier files a run's outputs supersede (Publication.withdraw),
# moved here with the run's moves and deleted with the folder.
WITHDRAWN = "withdrawn"
# What older versions' writers left behind when killed: export's staging folders, import's
# staged and temporary files, atomic writes' temporary files.
_LEGACY = re.compile(
    r"^\.(export-[0-9]+-[0-9a-f]+|.+\.staged\.[a-z]+|.+\.[^.]+\.[A-Za-z0-9_]+\.tmp"
    r"|.+-[0-9a-f]{12}\.tmp\.[a-z]+)$"
)


def stage_root(parent: Path) -> tuple[str, IO[str]]:
    """A new run name (its staging folder made) and its held lock. The lock is taken under a
    temporary name and renamed: a lock file under its final name is always held while its
    run lives, so recovery never takes a starting run for a dead one."""
    parent.mkdir(parents=True, exist_ok=True)
    while True:
        run = f"{os.getpid()}-{secrets.token_hex(4)}"
        root = parent / f"{STAGING}{run}"
        fresh = root.with_name(root.name + LOCK_SUFFIX + ".new")
        handle = open(fresh, "x")  # noqa: SIM115 - held for the run's lifetime
        try_lock(handle)
        try:
            os.rename(fresh, lock_of(root))
        except FileNotFoundError:  # a recovery took the fresh file for a dead run's
            handle.close()
            continue
        try:
            root.mkdir()
        except BaseException:
            release(root, handle)
            raise
        return run, handle


def lock_of(root: Path) -> Path:
    return root.with_name(root.name + LOCK_SUFFIX)


def release(root: Path, handle: IO[str]) -> None:
    """Delete the staging folder's remains, then its lock file, then let go of the lock."""
    remove(root / WITHDRAWN)
    for folder, _folders, _files in os.walk(root, topdown=False):  # the root last
        with contextlib.suppress(OSError):
            os.rmdir(folder)  # an emptied staged folder (labels/), never one holding a file
    if not root.exists():
        lock_of(root).unlink(missing_ok=True)
    handle.close()


def alive(root: Path) -> bool:
    """Whether a live run holds the lock of this staging folder."""
    try:
        handle = open(lock_of(root))  # noqa: SIM115 - closed below
    except OSError:
        return False
    with handle:
        return not try_lock(handle)


def clean(folder: Path) -> None:
    """Delete the staging folders of dead runs and older versions' leftovers in `folder`."""
    for path in children(folder):
        name = path.name
        if name.startswith(STAGING):
            root = path.with_name(name.split(LOCK_SUFFIX)[0])
            if not alive(root):
                remove(root)
                remove(path)
        elif _LEGACY.match(name):
            remove(path)


def children(folder: Path) -> list[Path]:
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return [folder / name for name in names if name.startswith(".") or BATCH_ID.fullmatch(name)]


def remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
