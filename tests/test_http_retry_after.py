"""A ``Retry-After`` of any size: a bounded wait or a :class:`RateLimitError`, never a crash.

A server (or a proxy in front of it) may name a wait far past what a date can hold:
``99999999999999999999`` seconds, ``1e20``, or thirteen digits from now past the year 9999.
Adding that to "now" overflowed (``OverflowError``, not a ``ClientguardError``: the CLI
printed "a bug" and a sync of several sources stopped). Such a wait is now longer than
``max_wait`` like any other, and fails the call at once, saying to try again later.
Over real HTTP (pytest-httpserver), with an injected sleep that records every wait.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer

from clientguard.errors import ClientguardError, RateLimitError
from clientguard.http import ApiClient, moment_after, parse_retry_after

NOW = datetime(2026, 1, 1, tzinfo=UTC)
MAX_WAIT = 120.0


@pytest.fixture(scope="module")
def server() -> Iterator[HTTPServer]:
    running = HTTPServer()
    running.start()
    yield running
    running.clear()
    running.stop()


def call(server: HTTPServer, status: int, headers: dict[str, str], *,
         now: datetime = NOW) -> tuple[BaseException | None, list[float]]:
    """One GET answered ``status`` with ``headers`` every time: what it raised, and the waits
    slept in between."""
    server.clear()
    server.expect_request("/api/x").respond_with_data("{}", status=status, headers=headers,
                                                      content_type="application/json")
    waits: list[float] = []
    api = ApiClient(server.url_for("/api/"), connector="test", sleep=waits.append,
                    clock=lambda: now, max_attempts=2, max_wait=MAX_WAIT, jitter=lambda: 0.5)
    try:
        api.get("x")
    except Exception as exc:  # what it raised is what the test judges
        return exc, waits
    finally:
        api.close()
    return None, waits


@pytest.mark.parametrize(
    ("status", "headers", "said"),
    [
        # 10**20 s is about 3.2 * 10**12 years: past the year 9999 from any "now".
        pytest.param(429, {"Retry-After": "99999999999999999999"},
                     "wait 1e+20 s, more than max_wait 120 s; try again later",
                     id="429, twenty digits"),
        pytest.param(429, {"Retry-After": "1e20"},
                     "wait 1e+20 s, more than max_wait 120 s; try again later", id="429, 1e20"),
        pytest.param(503, {"Retry-After": "1e20"},
                     "wait 1e+20 s, more than max_wait 120 s; try again later", id="503, 1e20"),
        # 9999999999999 s is about 316,880 years from 2026: past 9999, though a timedelta
        # holds it (at most 999,999,999 days).
        pytest.param(503, {"Retry-After": "9999999999999"},
                     "wait 9999999999999 s, more than max_wait 120 s; try again later",
                     id="503, thirteen digits"),
        # As before: the last second of 9999 is a date, 251,635,075,199 s after 2026-01-01
        # 00:00 UTC ((9999-12-31) - (2026-01-01) is 2,912,442 days, by the calendar, then
        # 86,399 s), and the message names it.
        pytest.param(429, {"Retry-After": "Fri, 31 Dec 9999 23:59:59 GMT"},
                     "wait 251635075199 s, more than max_wait 120 s; try again after "
                     "9999-12-31 23:59:59 UTC", id="429, the last second of 9999"),
    ],
)
def test_a_wait_past_the_calendar_is_a_rate_limit_error_saying_try_again_later(
    server: HTTPServer, status: int, headers: dict[str, str], said: str
) -> None:
    raised, waits = call(server, status, headers)
    assert isinstance(raised, RateLimitError), raised
    assert said in str(raised)
    assert (raised.resets_at is None) == said.endswith("later")  # no date can say when
    assert waits == []  # not slept, and not sent again
    assert len(server.log) == 1


def test_a_daily_limit_past_the_calendar_fails_at_once_without_a_reset_time(
    server: HTTPServer,
) -> None:
    raised, waits = call(server, 429, {"Retry-After": "1e20", "X-Rate-Limit-Problem": "day"})
    assert isinstance(raised, RateLimitError), raised
    assert "daily rate limit reached" in str(raised)
    assert raised.resets_at is None
    assert waits == []


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("inf", None),  # no number of seconds: read as absent (backed off), as nan is
        ("-inf", None),
        ("Infinity", None),
        ("1e400", None),  # past a float: inf
        ("99999999999999999999", 1e20),  # read as given; the client refuses to wait it
    ],
)
def test_parse_retry_after_reads_finite_seconds_only(value: str, seconds: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == seconds


def test_moment_after_gives_none_past_the_calendar() -> None:
    assert moment_after(NOW, 30) == datetime(2026, 1, 1, 0, 0, 30, tzinfo=UTC)
    assert moment_after(NOW, 1e20) is None
    assert moment_after(NOW, 9999999999999) is None
    assert moment_after(datetime(9999, 12, 31, tzinfo=UTC), 86400) is None


#: Retry-After values as a server might send them: any printable text, whole numbers of any
#: size (and sign), floats in every spelling (inf, nan, exponents), and HTTP dates from the
#: year 1 to 9999.
RETRY_AFTER = st.one_of(
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40),
    st.integers(min_value=-(10**30), max_value=10**400).map(str),
    st.floats().map(repr),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59),
                 timezones=st.just(UTC)).map(lambda d: format_datetime(d, usegmt=True)),
)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    value=RETRY_AFTER,
    status=st.sampled_from([429, 503]),
    daily=st.booleans(),
    now=st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(9999, 12, 31),
                     timezones=st.just(UTC)),
)
def test_any_retry_after_gives_a_bounded_wait_or_a_clientguard_error(
    server: HTTPServer, value: str, status: int, daily: bool, now: datetime
) -> None:
    headers = {"Retry-After": value}
    if daily:
        headers["X-Rate-Limit-Problem"] = "day"
    raised, waits = call(server, status, headers, now=now)
    # The server always refuses: the call fails, and always as a ClientguardError.
    assert isinstance(raised, ClientguardError), repr(raised)
    # Every wait slept is a finite number of seconds within max_wait.
    assert all(math.isfinite(w) and 0 <= w <= MAX_WAIT for w in waits), waits
    retry_after = raised.retry_after if isinstance(raised, RateLimitError) else None
    assert retry_after is None or math.isfinite(retry_after)


@pytest.mark.parametrize(
    ("retry_after", "max_wait", "said"),
    [
        # 120.0000001 s is more than 120 s: said as 121 (rounded up), never as "120 s, more
        # than max_wait 120 s" (rounded to the nearest, the two numbers read the same).
        ("120.0000001", 120.0, "the server asks to wait 121 s, more than max_wait 120 s"),
        ("120.5", 120.0, "the server asks to wait 121 s, more than max_wait 120 s"),
        # A max_wait with a fraction is said as set: 0.5, not 0 (nor 1: the nearest).
        ("1", 0.5, "the server asks to wait 1 s, more than max_wait 0.5 s"),
        ("90.6", 90.5, "the server asks to wait 91 s, more than max_wait 90.5 s"),
    ],
)
def test_a_wait_just_over_max_wait_is_said_with_two_different_numbers(
    server: HTTPServer, retry_after: str, max_wait: float, said: str
) -> None:
    server.clear()
    server.expect_request("/api/x").respond_with_data(
        "{}", status=429, headers={"Retry-After": retry_after}, content_type="application/json")
    api = ApiClient(server.url_for("/api/"), connector="test", sleep=lambda s: None,
                    clock=lambda: NOW, max_attempts=2, max_wait=max_wait)
    try:
        with pytest.raises(RateLimitError) as caught:
            api.get("x")
    finally:
        api.close()
    assert said in str(caught.value)
