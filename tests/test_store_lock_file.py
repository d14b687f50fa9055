"""The store's sync lock file, ``<store>.lock``, planted by someone else.

A sync (and ``store.forget``, which takes the same lock) opens the lock file, locks it and
writes who holds it into it, emptying it first. Opened through a symbolic link planted in its
place (``clientguard.db.lock -> victim.txt``, in a shared folder where another user may make
the name first), that would empty the file the link points to; so would a hard link. The
token file's lock refuses what the store's does (``tests/test_token_file_rotation.py``): one
rule, ``clientguard.oslock.open_lock_file``'s.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from clientguard.errors import StoreError
from clientguard.i18n import using
from clientguard.store import Store


def a_link_to(victim: Path) -> Callable[[Path], None]:
    def plant(lock: Path) -> None:
        lock.symlink_to(victim)
    return plant


def a_file_of_nobody(lock: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root can make a file another user owns")
    lock.write_text("")
    os.chown(lock, pwd.getpwnam("nobody").pw_uid, -1)


@pytest.mark.parametrize(
    ("plant", "refusal"),
    [
        ("link", "it is a symbolic link, which clientguard does not follow (it would empty "
                 "the file it points to); remove it and run the sync again"),
        ("nobody", "it is not a file of your own (owner uid {nobody}); remove it, keep the "
                   "store in a folder of your own, and run the sync again"),
    ],
    ids=["a symbolic link", "another user's file"],
)
def test_a_lock_file_someone_else_made_is_refused_and_nothing_is_written_through_it(
    tmp_path: Path, plant: str, refusal: str
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious data\n")
    lock = tmp_path / "clientguard.db.lock"
    with Store.open(tmp_path / "clientguard.db") as store:
        {"link": a_link_to(victim), "nobody": a_file_of_nobody}[plant](lock)
        with pytest.raises(StoreError) as refused:
            store.forget("books")  # takes the sync lock first, as a sync does
    nobody = pwd.getpwnam("nobody").pw_uid
    assert str(refused.value) == f"cannot lock the store ({lock}): " + refusal.format(
        nobody=nobody)
    # The file the link points to is as it was (it used to be emptied, then hold
    # "source books, process <pid>" while the lock was held).
    assert victim.read_text() == "precious data\n"


def test_the_lock_is_still_beside_the_file_a_linked_store_path_resolves_to(
    tmp_path: Path,
) -> None:
    # Not following a link at the lock file's name is not the same as not resolving the
    # store's path: a store opened through a link locks <real store>.lock, as before.
    real = tmp_path / "books" / "clientguard.db"
    real.parent.mkdir()
    Store.open(real).close()
    link = tmp_path / "here.db"
    link.symlink_to(real)
    with Store.open(link) as store, pytest.raises(StoreError, match="holds no source"):
        store.forget("books")
    assert (real.parent / "clientguard.db.lock").is_file()
    assert not (tmp_path / "here.db.lock").exists()


# A lock file of the user's own that is no lock file: a hard link made by a process of theirs
# (or by mistake: `ln`, a copy with `cp -al`) would have the file it is another name of
# emptied and written to; a named pipe, a folder or a socket at its name used to stop the sync
# with the system's words ("File or stream is not seekable.", "Is a directory", "No such
# device or address"), naming nothing to do. Planted and locked by a user root's power does
# not cover (`as_nobody`), as a same-user process would.


def a_hard_link_to(victim: Path) -> Callable[[Path], None]:
    def plant(lock: Path) -> None:
        os.link(victim, lock)
    return plant


def a_named_pipe(lock: Path) -> None:
    os.mkfifo(lock)


def a_folder(lock: Path) -> None:
    lock.mkdir()


def a_socket(lock: Path) -> None:
    # By its name in the current folder: a socket's full path may be longer than the 108
    # bytes the system takes.
    with socket.socket(socket.AF_UNIX) as unix:
        unix.bind(lock.name)


# The expected words are the task's: what is at the name, and that removing it is the fix (a
# link count of 2: the victim's name and the lock file's).
NOT_A_LOCK_FILE = [
    ("hard link", "it is a hard link (link count 2), another name of a file the lock would "
                  "empty; remove it (the file keeps its other names) and run the sync again"),
    ("named pipe", "it is a named pipe (FIFO), not a regular file; remove it (clientguard "
                   "makes the lock file itself) and run the sync again"),
    ("folder", "it is a folder, not a regular file; remove it (clientguard makes the lock "
               "file itself) and run the sync again"),
    ("socket", "it is a socket, not a regular file; remove it (clientguard makes the lock "
               "file itself) and run the sync again"),
]


@pytest.mark.parametrize(("plant", "refusal"), NOT_A_LOCK_FILE,
                         ids=[plant for plant, _ in NOT_A_LOCK_FILE])
def test_a_lock_file_of_your_own_that_is_no_lock_file_is_refused_saying_what_to_do(
    plant: str, refusal: str, as_nobody: Callable[[Path, Callable[[], list[Any]]], list[Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Not below pytest's own temporary folder, which only its owner may enter.
    folder = Path(tempfile.mkdtemp(prefix="clientguard-lock-", dir="/tmp"))
    monkeypatch.chdir(folder)
    try:
        victim = folder / "victim.txt"
        victim.write_text("precious data\n")
        lock = folder / "clientguard.db.lock"

        def steps() -> list[str]:
            with Store.open(folder / "clientguard.db") as store:
                {"hard link": a_hard_link_to(victim), "named pipe": a_named_pipe,
                 "folder": a_folder, "socket": a_socket}[plant](lock)
                try:
                    store.forget("books")  # takes the sync lock first, as a sync does
                except StoreError as exc:
                    return [str(exc), victim.read_text()]
            return ["no error", victim.read_text()]

        message, kept = as_nobody(folder, steps)
        assert message == f"cannot lock the store ({lock}): " + refusal
        # The hard link's other name is as it was (it used to be emptied, then hold
        # "source books, process <pid>" while the lock was held).
        assert kept == "precious data\n"
    finally:
        shutil.rmtree(folder)


def test_the_refusal_of_a_hard_link_is_in_polish_for_a_polish_reader(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious data\n")
    lock = tmp_path / "clientguard.db.lock"
    with Store.open(tmp_path / "clientguard.db") as store:
        os.link(victim, lock)
        with using("pl"), pytest.raises(StoreError) as refused:
            store.forget("books")
    assert str(refused.value).startswith(
        f"nie można zablokować magazynu ({lock}): to dowiązanie twarde (liczba dowiązań: 2)")
    assert victim.read_text() == "precious data\n"


def a_socket_here(lock: Path) -> None:
    # By its name from its own folder: a socket's full path below pytest's temporary folder
    # may be longer than the 108 bytes the system takes.
    here = Path.cwd()
    os.chdir(lock.parent)
    try:
        a_socket(lock)
    finally:
        os.chdir(here)


# What a Polish reader reads, by hand: the pronoun of "remove it" agrees with what is at the
# lock file's name (a folder, a pipe: "usuń go"; a socket, a link: "usuń je"); before, "usuń
# to" for every kind that is not a file ("remove that"), and the link "za którym clientguard
# nie podąża (opróżniłby plik...)", a word for word rendering.
POLISH = [
    ("folder", a_folder, "to folder, a nie zwykły plik; usuń go (clientguard sam tworzy plik "
                         "blokady) i uruchom synchronizację ponownie"),
    ("named pipe", a_named_pipe, "to potok nazwany (FIFO), a nie zwykły plik; usuń go "
                                 "(clientguard sam tworzy plik blokady) i uruchom "
                                 "synchronizację ponownie"),
    ("socket", a_socket_here, "to gniazdo, a nie zwykły plik; usuń je (clientguard sam tworzy "
                              "plik blokady) i uruchom synchronizację ponownie"),
    ("symbolic link", lambda lock: lock.symlink_to(lock.with_name("victim.txt")),
     "to dowiązanie symboliczne, a clientguard nie podąża za dowiązaniami (blokada "
     "opróżniłaby plik, na który ono wskazuje); usuń je i uruchom synchronizację ponownie"),
]


@pytest.mark.parametrize(("plant", "refusal"), [(p, r) for _, p, r in POLISH],
                         ids=[name for name, _, _ in POLISH])
def test_the_refusal_of_a_lock_file_says_in_natural_polish_what_to_remove(
    tmp_path: Path, plant: Callable[[Path], None], refusal: str
) -> None:
    (tmp_path / "victim.txt").write_text("precious data\n")
    lock = tmp_path / "clientguard.db.lock"
    with Store.open(tmp_path / "clientguard.db") as store:
        plant(lock)
        with using("pl"), pytest.raises(StoreError) as refused:
            store.forget("books")
    assert str(refused.value) == f"nie można zablokować magazynu ({lock}): " + refusal
    assert (tmp_path / "victim.txt").read_text() == "precious data\n"
