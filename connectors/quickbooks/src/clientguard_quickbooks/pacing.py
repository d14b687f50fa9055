"""Client-side pacing under QuickBooks' limits, so that a sync rarely meets a 429.

Intuit allows 500 requests a minute per company (realm) and 10 a second per company and
app (developer.intuit.com, "Limits and throttles"). The pacer keeps the send times of the
last minute and, before each request, waits until one more fits in every window. Its
defaults stay a little under the limits: the server counts arrivals, and the network can
bunch requests together.

Time and waiting are injected: tests pass a fake monotonic clock and a recording sleep.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence

__all__ = ["Pacer", "Sleep"]

Sleep = Callable[[float], None]


class Pacer:
    """Waits before a request until it fits in every ``(count, window seconds)`` limit."""

    def __init__(
        self,
        limits: Sequence[tuple[int, float]],
        *,
        sleep: Sleep,
        monotonic: Callable[[], float],
        on_wait: Callable[[float, str], None] | None = None,
    ) -> None:
        if not limits or any(count < 1 or window <= 0 for count, window in limits):
            raise ValueError("each limit needs a count of at least 1 and a positive window")
        self.limits = tuple(limits)
        self.sleep = sleep
        self.monotonic = monotonic
        self.on_wait = on_wait
        self._horizon = max(window for _, window in self.limits)
        self._sent: deque[float] = deque()

    def delay(self, now: float) -> tuple[float, str]:
        """Seconds to wait at ``now`` before the next request fits, and which limit binds."""
        while self._sent and self._sent[0] <= now - self._horizon:
            self._sent.popleft()
        longest, reason = 0.0, ""
        sent = list(self._sent)
        for count, window in self.limits:
            recent = [t for t in sent if t > now - window]
            if len(recent) >= count:
                wait = recent[-count] + window - now
                if wait > longest:
                    longest, reason = wait, f"pacing: {count} requests per {window:g} s"
        return longest, reason

    def wait(self) -> None:
        """Block until one more request fits, then count it as sent."""
        while True:
            seconds, reason = self.delay(self.monotonic())
            if seconds <= 0:
                break
            if self.on_wait is not None:
                self.on_wait(seconds, reason)
            self.sleep(seconds)
        self._sent.append(self.monotonic())
