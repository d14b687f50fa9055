"""The collector pause (clientguard.gcpause) never changes another thread's world: the collector
belongs to the whole process, so a review, a build or a read pauses it only when called from
the main thread with no other Python thread alive (the command line, a cron job, a worker
process). Until 2026-12-08 a review in one thread switched the collector off for every thread,
and its ``gc.enable()`` at the end undid another thread's own ``gc.disable()``."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import clientguard
from clientguard.gcpause import collector_paused

SRC = os.pathsep.join([str(Path(clientguard.__file__).resolve().parents[1]),
                       os.environ.get("PYTHONPATH", "")])


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    assert gc.isenabled()
    yield
    gc.enable()


def _in_thread(work: Callable[[], None]) -> None:
    failures: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # handed to the test's thread
            failures.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive()
    if failures:
        raise failures[0]


ALONE = """
import gc, threading
from clientguard.gcpause import collector_paused
assert threading.active_count() == 1
with collector_paused():
    assert not gc.isenabled()
assert gc.isenabled()
print("paused")
"""


def test_alone_in_the_main_thread_it_pauses() -> None:
    # In a process of its own: a test session may keep threads alive (a local HTTP server's).
    done = subprocess.run([sys.executable, "-c", ALONE], capture_output=True, text=True,
                          timeout=120, check=False, env={**os.environ, "PYTHONPATH": SRC})
    assert (done.returncode, done.stdout.strip()) == (0, "paused"), done.stderr


def test_from_another_thread_it_leaves_the_collector_on() -> None:
    seen: list[bool] = []

    def work() -> None:
        with collector_paused():
            seen.append(gc.isenabled())

    _in_thread(work)
    assert seen == [True]


def test_in_the_main_thread_while_another_thread_runs_it_leaves_the_collector_on() -> None:
    release = threading.Event()
    other = threading.Thread(target=release.wait, kwargs={"timeout": 60})
    other.start()
    try:
        with collector_paused():
            assert gc.isenabled()
    finally:
        release.set()
        other.join()


def test_another_threads_own_pause_is_not_undone() -> None:
    # The host program's thread pauses the collector for its own section while a review runs in
    # a worker thread and ends: the section must still run without the collector.
    inside, leave, left = threading.Event(), threading.Event(), threading.Event()

    def review_like() -> None:
        with collector_paused():
            inside.set()
            assert leave.wait(timeout=60)
        left.set()

    worker = threading.Thread(target=review_like)
    worker.start()
    assert inside.wait(timeout=60)
    gc.disable()  # the host's own section starts
    leave.set()
    assert left.wait(timeout=60)
    worker.join()
    assert not gc.isenabled()  # still the host's pause, not switched back on by the library
