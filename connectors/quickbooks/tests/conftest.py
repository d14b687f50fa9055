"""The QuickBooks tests' fake time, and what they check of a stream an option leaves out.
(The shared reference: the repository's root conftest.py.)"""

from __future__ import annotations

import pytest

from clientguard.store import SyncResult


class Clock:
    """Fake monotonic time that moves only when something sleeps (or a test moves ``now``);
    records the sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


def assert_left_out(
    result: SyncResult, queries: list[str], *, stream: str, removed: int, note: str,
    read: str, not_read: str,
) -> None:
    """The sync of ``result``, whose queries were ``queries``, left ``stream`` out: it removed
    the ``removed`` records earlier syncs stored of it, said so in ``note`` (its one note),
    queried the entity ``read`` and never ``not_read`` (the stream's)."""
    (dropped,) = [s for s in result.streams if s.stream == stream]
    assert dropped.removed == removed
    assert dropped.notes == (note,)
    assert f"FROM {read}" in " ".join(queries)
    assert not any(f"FROM {not_read}" in q for q in queries)
