"""The refusal of a second sync (or forget) while one holds the store's lock, in the reader's
language: the number of seconds it waited written as the language writes a number (Polish:
``0,25``, not ``0.25``), and who holds the lock (the note the holder wrote into the lock file,
``source xero, process 1234``) in the reader's words (``źródło xero, proces 1234``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from clientguard import oslock
from clientguard import store as store_module
from clientguard.errors import StoreError
from clientguard.i18n import using
from clientguard.store import Store

# Each case: the language, the wait in seconds, and the words expected in the refusal: who
# holds the lock (a sync of the source "xero", this very process: flock refuses a second lock
# of another open file even in one process), then how long this one waited. By hand: the
# catalog's sentence (errors.po) with the number in CLDR's form for the language.
CASES = [
    # The wait is said first, on its own: after "is writing" it read as the other sync's.
    ("en", 0.25, "waited 0.25 s, and another clientguard sync is still writing to {store} "
                 "(source xero, process {pid}); let it finish and try again, or pass a longer "
                 "wait=SECONDS"),
    ("pl", 0.25, "po 0,25 s czekania inna synchronizacja clientguard wciąż zapisuje dane do "
                 "{store} (źródło xero, proces {pid}); poczekaj, aż skończy"),
    ("pl", 0.5, "po 0,5 s czekania inna synchronizacja"),
    ("en", 0, "another clientguard sync is writing to {store} (source xero, process {pid}); "
              "let it finish"),
    ("pl", 0, "inna synchronizacja clientguard zapisuje właśnie dane do {store} (źródło xero, "
              "proces {pid}); poczekaj, aż skończy"),
]


@pytest.mark.parametrize(("language", "wait", "expected"), CASES)
def test_a_refused_sync_says_who_holds_the_lock_and_how_long_it_waited_in_the_readers_words(
    tmp_path: Path, language: str, wait: float, expected: str
) -> None:
    path = tmp_path / "clientguard.db"
    Store.open(path).close()
    with (Store.open(path) as store, store_module._SyncLock(path, wait=0, holder="xero"),
          using(language), pytest.raises(StoreError) as refused):
        store.forget("xero", wait=wait)
    message = str(refused.value)
    assert expected.format(pid=os.getpid(), store=path) in message
    if language == "pl":
        for english in ("process", "source", "0.25", "0.5"):
            assert english not in message


def test_a_note_written_otherwise_is_shown_as_it_is(tmp_path: Path) -> None:
    # A lock file whose note is no clientguard note (another tool's, a future form): the
    # reader cannot word it and shows it as the holder wrote it.
    path = tmp_path / "clientguard.db"
    Store.open(path).close()
    handle = oslock.open_lock_file(path.with_name("clientguard.db.lock"))
    assert oslock.acquire(handle, wait=0, note="backup job 7")
    try:
        with Store.open(path) as store, using("pl"), pytest.raises(StoreError) as refused:
            store.forget("xero")
    finally:
        oslock.release(handle)
    assert "zapisuje właśnie dane do" in str(refused.value)
    assert "(backup job 7);" in str(refused.value)
