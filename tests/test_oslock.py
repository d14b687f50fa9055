"""The one rule of what a lock file may be (``clientguard.oslock.open_lock_file``), for the
store's sync lock and the token file's refresh lock alike (their messages:
``tests/test_store_lock_file.py``, ``tests/test_token_file_rotation.py``).

``open_lock_file`` looks at the name before it opens it, so that a named pipe or a device is
not opened at all, and at what it opened (or, where the open fails, at the name again). Here
something is put at the name just after the look, as another process could: it is refused
all the same, and a named pipe does not hang the process.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from clientguard import oslock

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX: pipes, sockets, links")


def a_link(lock: Path, victim: Path) -> None:
    lock.symlink_to(victim)


def a_hard_link(lock: Path, victim: Path) -> None:
    os.link(victim, lock)


def a_named_pipe(lock: Path, victim: Path) -> None:
    os.mkfifo(lock)


def a_folder(lock: Path, victim: Path) -> None:
    lock.mkdir()


def a_socket(lock: Path, victim: Path) -> None:
    # By its name from its own folder: a full path below pytest's temporary folder may be
    # longer than the 108 bytes a socket's address takes.
    here = Path.cwd()
    os.chdir(lock.parent)
    try:
        with socket.socket(socket.AF_UNIX) as unix:
            unix.bind(lock.name)
    finally:
        os.chdir(here)


# (what is planted, the refusal, what the file is, its link count): a hard link's 2 are the
# victim's name and the lock file's.
SWAPPED = [
    (a_link, "symbolic link", None, None),
    (a_hard_link, "links", None, 2),
    (a_named_pipe, "not a file", "named pipe", None),
    (a_folder, "not a file", "directory", None),
    (a_socket, "not a file", "socket", None),
]


@pytest.mark.parametrize(("plant", "refusal", "kind", "links"), SWAPPED,
                         ids=["a link", "a hard link", "a named pipe", "a folder", "a socket"])
def test_what_is_put_at_the_name_after_the_look_is_refused_when_opened(
    plant: Callable[[Path, Path], None], refusal: str, kind: str | None, links: int | None,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious data\n")
    lock = tmp_path / "clientguard.db.lock"
    look = oslock._refuse_what_is_at
    looks: list[Path] = []

    def look_then_plant(path: Path) -> None:
        look(path)  # nothing there yet
        if not looks:
            plant(lock, victim)
        looks.append(path)

    monkeypatch.setattr(oslock, "_refuse_what_is_at", look_then_plant)
    outcome: list[BaseException | object] = []

    def opening() -> None:
        try:
            outcome.append(oslock.open_lock_file(lock))
        except BaseException as exc:  # handed to the test's thread
            outcome.append(exc)

    # In a thread, so that an open that waits for a pipe's other end fails the test, not hangs.
    worker = threading.Thread(target=opening, daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive(), "opening the lock file blocked"
    [refused] = outcome
    assert isinstance(refused, oslock.UnsafeLockFile), refused
    assert (refused.path, refused.refusal, refused.kind, refused.links) == (
        lock, refusal, kind, links)
    assert victim.read_text() == "precious data\n"

