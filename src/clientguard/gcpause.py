"""Pausing Python's cyclic garbage collector around bounded CPU work on many long-lived objects.

A read, a build or a replay of a million records makes millions of objects that outlive the
block; each collection the allocations trigger walks every one of them again, which cost a third
of the time. Nothing made in such a block forms a reference cycle, so nothing waits for the
collector: memory is freed by reference counting as usual.

The collector belongs to the whole process. :func:`collector_paused` switches it off for the
block only, and back on when the block ends, also when it fails; a caller that had paused it
keeps it paused. So a caller's process is affected only while the call runs (another thread of
the process runs without the collector meanwhile, as reference counting still frees its
memory). Use it only around bounded work on the CPU, never around network waits or inside a
generator that may be left suspended.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block; leave it as it was found afterwards."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
