"""Pausing Python's cyclic garbage collector around bounded CPU work on many long-lived objects.

A read, a build or a replay of a million records makes millions of objects that outlive the
block; each collection the allocations trigger walks every one of them again, which cost a third
of the time. Nothing made in such a block forms a reference cycle, so nothing waits for the
collector: memory is freed by reference counting as usual.

The collector belongs to the whole process, so :func:`collector_paused` pauses it only where
no other thread can see it: called from the main thread while no other Python thread is alive
(``threading.active_count() == 1``: the command line, a cron job, a worker process of a pool).
It switches it off for the block only, and back on when the block ends, also when it fails; a
caller that had paused it keeps it paused. Called from any other thread, or while another
thread runs (a threaded web server, the caller's own pool of threads), it leaves the collector
alone: a call must not change another thread's world (until 2026-12-08 it paused the collector
of every thread, and its ``gc.enable()`` at the end could undo another thread's own
``gc.disable()``). A program with threads that wants the speed pauses the collector itself
around the call (``gc.disable()``; this then leaves it as it finds it). Use it only around
bounded work on the CPU, never around network waits or inside a generator that may be left
suspended.

**What a large block made goes to the oldest generation.** Switched back on, the collector
would find a large block's objects (a million records) in its youngest generation: the first
allocation after the block would walk them all, move them to the middle generation, and a few
thousand allocations later walk them all again, a second of CPU each at a million records, for
objects that are going to live on. So, as a block that leaves more than
:data:`_MOVED_ABOVE` objects ends, everything the collector tracks is moved to its oldest
generation, where only a full collection looks at it: ``gc.freeze()`` then ``gc.unfreeze()``
at once (documented to put the frozen objects "back into the oldest generation"; two list
splices, whatever the number of objects). Nothing is left frozen and the collector's settings
are untouched. What else moves: the caller's young objects, and any reference cycle that is
garbage or becomes garbage soon after; those wait for the next full collection instead of a
younger one. A smaller block (a firm of a few thousand invoices, of which a portfolio reads
thousands in one process) is left to the collector as usual, so that such cycles never pile
up. This is skipped where the caller froze objects itself (``gc.get_freeze_count()``: its
frozen objects, kept out of every collection on purpose, for instance before a fork, must
stay frozen) and on a free-threaded Python (no generations; freezing walks every object
there).
"""

from __future__ import annotations

import gc
import sysconfig
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]

_GENERATIONAL = not sysconfig.get_config_var("Py_GIL_DISABLED")
"""Whether the collector has generations (every CPython but a free-threaded build)."""

_MOVED_ABOVE = 100_000
"""How many objects (made, less those freed) a block must leave in the youngest generation
for them to go to the oldest at its end: a large read, build or review (a million records
leave millions). A smaller block (a firm of a few thousand invoices, as a portfolio reads
thousands of them in one process) leaves the collector to walk them as usual, which then also
collects in time the reference cycles that died young."""


def _alone() -> bool:
    """Whether this is the main thread and no other Python thread is alive: then no thread
    but the caller's own sees the collector paused."""
    return threading.active_count() == 1 and threading.current_thread() is threading.main_thread()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block; leave it as it was found afterwards,
    with what a large block made in its oldest generation (see the module's docstring). Only
    from the main thread while it is the only Python thread; else the block runs with the
    collector as it is."""
    if not gc.isenabled() or not _alone():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if (_GENERATIONAL and gc.get_count()[0] > _MOVED_ABOVE
                and gc.get_freeze_count() == 0):
            gc.freeze()
            gc.unfreeze()
        gc.enable()
