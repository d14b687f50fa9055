"""Client-side pacing under QuickBooks' limits, so that a sync rarely meets a 429.

Intuit allows 500 requests a minute per company (realm) and 10 a second per company and
app (developer.intuit.com, "Limits and throttles"). The pacer keeps the send times of the
last minute and, before each request, waits until one more fits in every window. Its
defaults stay a little under the limits: the server counts arrivals, and the network can
bunch requests together.

Time and waiting are injected: tests pass a fake monotonic clock and a recording sleep.

When a 429 comes anyway (Fault 3001, ThrottleExceeded), it says nothing of when to come back;
Intuit's limits page says one minute. :func:`classify_quickbooks`, the connector's classifier
(``ApiClient(classifier=...)``), is the framework's table
(:func:`clientguard.http.classify`) with that one row on top:

===============================================  ==============================================
response                                         verdict
===============================================  ==============================================
429 without a readable ``Retry-After``           wait :data:`THROTTLE_WAIT` (60 s), send again
429 with a ``Retry-After``                       wait what it says (the table's row)
anything else                                    as the table says
===============================================  ==============================================
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

import requests

from clientguard.http import Verdict, classify
from clientguard.i18n import ngettext

__all__ = ["THROTTLE_WAIT", "Pacer", "Sleep", "classify_quickbooks"]

Sleep = Callable[[float], None]

THROTTLE_WAIT = 60.0
"""Seconds to wait after a throttled 429, as Intuit's limits page asks."""


def classify_quickbooks(response: requests.Response, *, now: datetime | None = None) -> Verdict:
    """What a QuickBooks response means: :func:`~clientguard.http.classify`, with a 429 that
    names no time waited out for :data:`THROTTLE_WAIT` seconds. A
    :class:`~clientguard.http.Classifier`: pure."""
    verdict = classify(response, now=now)
    if verdict.status == 429 and verdict.action == "wait" and verdict.retry_after is None:
        return replace(verdict, retry_after=THROTTLE_WAIT)
    return verdict


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
                    # Said in the reader's language on sync's progress line.
                    longest, reason = wait, ngettext(
                        "pacing: {count} request per {window} s",
                        "pacing: {count} requests per {window} s", count).format(
                            count=count, window=f"{window:g}")
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
