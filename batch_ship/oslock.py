"""Non-blocking OS file locks, released by the OS when their process dies."""

from __future__ import annotations

import sys
from typing import IO, Any

if sys.platform == "win32":  # pragma: no cover - Task Scheduler on Windows
    import msvcrt

    def try_lock(handle: IO[Any]) -> bool:
        """Take the lock on the open file, or say at once that another holder has it."""
        handle.seek(0)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def unlock(handle: IO[Any]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def try_lock(handle: IO[Any]) -> bool:
        """Take the lock on the open file, or say at once that another holder has it."""
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    def unlock(handle: IO[Any]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
