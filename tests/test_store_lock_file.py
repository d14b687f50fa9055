"""The store's sync lock file, ``<store>.lock``, planted by someone else.

A sync (and ``store.forget``, which takes the same lock) opens the lock file, locks it and
writes who holds it into it, emptying it first. Opened through a symbolic link planted in its
place (``clientguard.db.lock -> victim.txt``, in a shared folder where another user may make
the name first), that would empty the file the link points to. The token file's lock refuses
a link and another user's file (``tests/test_token_file_rotation.py``); the store's does too.
"""

from __future__ import annotations

import os
import pwd
from collections.abc import Callable
from pathlib import Path

import pytest

from clientguard.errors import StoreError
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
