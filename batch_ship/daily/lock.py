"""Daily's workspace lock: one routine at a time per workspace, released if its process dies."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from batch_ship.errors import LedgerError
from batch_ship.i18n import _
from batch_ship.oslock import try_lock, unlock

LOCK_NAME = ".batch_ship-daily.lock"


class DailyBusyError(LedgerError):
    """Another `daily` holds the workspace lock; this run did nothing."""


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
