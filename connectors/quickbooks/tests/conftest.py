"""The QuickBooks tests' fake time. (The shared reference: the repository's root conftest.py.)"""

from __future__ import annotations

import pytest


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
