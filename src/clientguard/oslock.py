"""An exclusive operating-system lock on a lock file, shared by processes.

The store's sync lock (``<store>.lock``) and the token file's refresh lock (``<tokens>.lock``)
are both this: a file opened read-write, locked with ``fcntl.flock`` on POSIX and
``msvcrt.locking`` on Windows. The operating system releases the lock when the process that
holds it ends, however it ends, so a crashed process never leaves the lock held. The holder
writes a line saying who it is into the file, for the message of a process that waits for
it in vain; the file itself is left in place (removing it would let two processes lock two
different files of one name).

Emptying the lock file and writing into it is only safe in a file that is nothing else:
:func:`open_lock_file` holds the one rule of what may be locked, for both locks, and refuses
the rest (:class:`UnsafeLockFile`).

Only the standard library: a leaf, so that any layer that keeps a file may use it. Errors are
the caller's to word: :func:`open_lock_file` raises :class:`UnsafeLockFile` (with what the
file is) and ``OSError``, :func:`acquire` answers False when the wait is over.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import IO, Literal

__all__ = [
    "POLL",
    "UnsafeLockFile",
    "acquire",
    "holder",
    "note",
    "open_lock_file",
    "read_note",
    "release",
]

POLL = 0.1
"""Seconds between two tries of a lock another process holds."""

Refusal = Literal["symbolic link", "not a file", "owner", "links"]
"""Why a lock file is refused: a symbolic link in its place; not a regular file (a folder, a
named pipe, a socket, a device); a file another user owns; a file with more than one name."""

Kind = Literal["directory", "named pipe", "socket", "device", "special file"]
"""What a lock file that is not a regular file is (``ls -l``'s first letter: ``d``, ``p``,
``s``, ``c`` or ``b``, anything else)."""

_KIND_WORDS: dict[Kind, str] = {
    "directory": "a folder",
    "named pipe": "a named pipe (FIFO)",
    "socket": "a socket",
    "device": "a device",
    "special file": "a special file",
}


class UnsafeLockFile(Exception):
    """The lock file ``path`` is not one clientguard may empty and write into: someone (another
    user in a shared folder, a process of the user's own, a mistake) put something else at its
    name. ``refusal`` says what:

    - ``"symbolic link"``: locking would empty the file it points to;
    - ``"not a file"`` (``kind`` says what it is instead): a folder or a socket cannot be
      locked, and a named pipe or a device is no file to write a note into (a device may act
      on being opened);
    - ``"owner"`` (``owner``, a uid, POSIX only): another user could hold the lock for ever or
      have a file of theirs written to;
    - ``"links"`` (``links``, its number of names, 2 or more): a hard link, another name of a
      file that locking would empty, as through a symbolic link.

    The fix is the same for each: remove it (the next lock makes a new, empty lock file).
    """

    def __init__(
        self, path: Path, refusal: Refusal, *, kind: Kind | None = None,
        owner: int | None = None, links: int | None = None,
    ) -> None:
        self.path = path
        self.refusal: Refusal = refusal
        self.kind = kind
        self.owner = owner
        self.links = links
        super().__init__(f"{os.fspath(path)}: {self.what}")

    @property
    def what(self) -> str:
        """What the lock file is, in English words that follow "it is" ("a symbolic link,
        which clientguard does not follow")."""
        if self.refusal == "symbolic link":
            return "a symbolic link, which clientguard does not follow"
        if self.refusal == "not a file":
            return f"{_KIND_WORDS[self.kind or 'special file']}, not a regular file"
        if self.refusal == "owner":
            return f"not a file of your own (owner uid {self.owner})"
        return (f"a hard link (link count {self.links}), another name of a file the lock would "
                "empty")


# Not through a symbolic link; never waiting for a reader of a named pipe (a lock file made
# one between the look and the open); never making a terminal the process's own. Where a
# system lacks a flag (Windows), the look before the open and the look after it stand.
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_OPEN_FLAGS = (
    os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | _NONBLOCK | getattr(os, "O_NOCTTY", 0)
)


def open_lock_file(path: Path) -> IO[str]:
    """``path`` opened for locking, created readable and writable by its owner only (0600).

    Raises :class:`UnsafeLockFile` where something is at ``path`` that is not a regular file
    of this process's user with one name (looked at before it is opened, so that a named
    pipe or a device is not opened at all, and at what was opened, so that a swap between
    the two is caught too), and OSError where it cannot be made (a read-only folder, a
    missing one)."""
    _refuse_what_is_at(path)
    try:
        descriptor = os.open(path, _OPEN_FLAGS, 0o600)
    except OSError:
        # Something else put there since the look (a link: ELOOP, or EMLINK on FreeBSD; a
        # folder: EISDIR; a socket: ENXIO) is refused as such; anything else is the caller's.
        _refuse_what_is_at(path)
        raise
    try:
        _refuse(path, os.fstat(descriptor))
        if _NONBLOCK:
            os.set_blocking(descriptor, True)  # a regular file: as if opened without it
    except BaseException:
        os.close(descriptor)
        raise
    return os.fdopen(descriptor, "r+", encoding="utf-8")


def _refuse_what_is_at(path: Path) -> None:
    """Raises UnsafeLockFile where a symbolic link or anything but a regular file is at
    ``path`` (nothing there, or a folder on the way that cannot be read: the open says)."""
    try:
        info = os.lstat(path)
    except OSError:
        return
    if stat.S_ISLNK(info.st_mode):
        raise UnsafeLockFile(path, "symbolic link")
    kind = _kind(info.st_mode)
    if kind is not None:
        raise UnsafeLockFile(path, "not a file", kind=kind)


def _refuse(path: Path, info: os.stat_result) -> None:
    """Raises UnsafeLockFile unless ``info`` (of the open lock file) is of a regular file of
    this process's user (POSIX: Windows has no owners to compare) with one name."""
    kind = _kind(info.st_mode)
    if kind is not None:
        raise UnsafeLockFile(path, "not a file", kind=kind)
    if os.name == "posix" and info.st_uid != os.getuid():
        raise UnsafeLockFile(path, "owner", owner=info.st_uid)
    if info.st_nlink > 1:
        raise UnsafeLockFile(path, "links", links=info.st_nlink)


def _kind(mode: int) -> Kind | None:
    """What a file of ``mode`` is where it is not a regular file; None where it is."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISFIFO(mode):
        return "named pipe"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "special file"


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


_NOTE = re.compile(r"(?:source (?P<source>.+), )?process (?P<pid>[0-9]+)")
"""What :func:`note` writes, read back by :func:`read_note`."""


def note(pid: int, source: str | None = None) -> str:
    """The holder's note :func:`acquire` writes: ``process 1234``, or ``source xero, process
    1234`` for a sync of a source. One English form whatever the language, for any version
    and any language of the process that reads it; :func:`read_note` reads it back, and the
    reader words it (``clientguard.errors.lock_holder``)."""
    return f"process {pid}" if source is None else f"source {source}, process {pid}"


def read_note(text: str) -> tuple[str | None, int] | None:
    """The source (None where the note names none) and the process id of a :func:`note`;
    None where ``text`` is no such note (empty, or written otherwise)."""
    found = _NOTE.fullmatch(text)
    if found is None:
        return None
    return found.group("source"), int(found.group("pid"))


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
