"""An exclusive operating-system lock on a lock file, shared by processes.

The store's sync lock (``<store>.lock``) and the token file's refresh lock (``<tokens>.lock``)
are both this: a file opened read-write, locked with ``fcntl.flock`` on POSIX and
``msvcrt.locking`` on Windows. The operating system releases the lock when the process that
holds it ends, however it ends, so a crashed process never leaves the lock held. The holder
writes a line saying who it is into the file, for the message of a process that waits for
it in vain; the file itself is left in place (removing it would let two processes lock two
different files of one name).

Only the standard library: a leaf, so that any layer that keeps a file may use it. Errors are
the caller's to word: :func:`open_lock_file` raises ``OSError``, :func:`acquire` answers
False when the wait is over.
"""

from __future__ import annotations

import os
import stat
import sys
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import IO

__all__ = ["POLL", "acquire", "foreign_owner", "holder", "open_lock_file", "release"]

POLL = 0.1
"""Seconds between two tries of a lock another process holds."""


def open_lock_file(path: Path, *, follow_links: bool = True) -> IO[str]:
    """``path`` opened for locking, created readable and writable by its owner only (0600).
    Raises OSError (a read-only folder, a missing one; with ``follow_links=False``, a
    ``path`` that is a symbolic link, where the system can tell: ``ELOOP``)."""
    flags = os.O_RDWR | os.O_CREAT
    if not follow_links:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(path, flags, 0o600)
    return os.fdopen(descriptor, "r+", encoding="utf-8")


def foreign_owner(handle: IO[str]) -> int | None:
    """The owner (a uid) of the lock file ``handle`` (from :func:`open_lock_file`) when it is
    not a regular file of this process's user: another user made its name first, to hold the
    lock for ever or to have a file of theirs written to. None where it is the user's own,
    and on a system without owners to compare (Windows)."""
    if os.name != "posix":
        return None
    info = os.fstat(handle.fileno())
    if info.st_uid != os.getuid() or not stat.S_ISREG(info.st_mode):
        return info.st_uid
    return None


def acquire(
    handle: IO[str],
    *,
    wait: float,
    note: str,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> bool:
    """Lock ``handle`` (from :func:`open_lock_file`), trying every :data:`POLL` seconds for
    up to ``wait`` seconds (0 or less: once). True once it is held, with ``note`` (who holds
    it: no secret) written into the file; False when another process still holds it."""
    deadline = monotonic() + max(wait, 0)
    while not _try_lock(handle):
        if monotonic() >= deadline:
            return False
        sleep(POLL)
    # Written unbuffered, and left out on a full disk (the lock is held either way).
    with suppress(OSError):
        descriptor = handle.fileno()
        os.ftruncate(descriptor, 0)
        os.lseek(descriptor, 0, os.SEEK_SET)
        os.write(descriptor, note.encode())
    return True


def holder(handle: IO[str]) -> str:
    """What the process holding the lock wrote (:func:`acquire`'s ``note``); empty where it
    cannot be read (Windows refuses to read a locked region)."""
    try:
        handle.seek(0)
        return handle.read().strip()
    except (OSError, ValueError):
        return ""


def release(handle: IO[str]) -> None:
    """Unlock and close a ``handle`` :func:`acquire` locked, emptying its note first."""
    with suppress(OSError):
        os.ftruncate(handle.fileno(), 0)
    _unlock(handle)
    handle.close()


if sys.platform == "win32":  # pragma: no cover (exercised on Windows only)
    import msvcrt

    def _try_lock(handle: IO[str]) -> bool:
        handle.seek(0)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(handle: IO[str]) -> bool:
        # flock locks belong to the open file, so a second holder in the same process is
        # refused too (and a crashed process's lock is released by the kernel).
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
