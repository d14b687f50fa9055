"""A token request that failed (a 5xx, no answer in time) and is refused when sent again.

A token endpoint may rotate the refresh token and then fail to deliver its answer (a 5xx
after the rotation, a connection that drops). The client sends the request again, with the
refresh token it holds: Xero takes the previous refresh token again for 30 minutes "if you
don't receive a response from a token refresh" (developer.xero.com/faq/oauth2/
oauth-refresh-fail), so there the retry gets the tokens. An endpoint without such a grace
answers the retry ``invalid_grant``: the new refresh token was lost with the answer that
failed, and only a new authorisation helps. The error used to blame a copy of the token used
elsewhere; it now says the request failed first and why the token is void.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from clientguard.errors import AuthError
from clientguard.http import ApiClient, RefreshTokenAuth, TokenSet

NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
REFRESH = "refresh-SECRET-1"


class RotatesThenFails:
    """A token endpoint without a grace period: the first request rotates the refresh token
    (voiding the one sent) and then fails as ``failure`` says (``"timeout"``: it never
    answers, until :attr:`release` is set at the test's end); any refresh token but the
    valid one is answered 400 invalid_grant."""

    def __init__(self, failure: str) -> None:
        self.failure = failure
        self.valid = REFRESH
        self.sent: list[str] = []
        self.release = threading.Event()
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Response:
        with self._lock:
            used = request.form["refresh_token"]
            self.sent.append(used)
            if used != self.valid:
                return Response(json.dumps({"error": "invalid_grant"}), status=400,
                                content_type="application/json")
            self.valid = "refresh-SECRET-2"  # issued, and lost with the answer below
        if self.failure == "timeout":
            # No answer while the client waits, however slow the machine: only the test's end
            # releases it (the server is threaded, so the retry is answered meanwhile).
            self.release.wait()
            return Response("{}", content_type="application/json")
        return Response("upstream failed", status=int(self.failure))


class FirstReadTimesOut(requests.Session):
    """A session whose first request waits :data:`FIRST_READ` seconds for an answer and every
    later one :data:`LATER_READ`: the first (which :class:`RotatesThenFails` never answers)
    times out after a short wait, and the retry has all the time a loaded machine needs."""

    def __init__(self) -> None:
        super().__init__()
        self.timeouts: list[object] = []

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        self.timeouts.append(kwargs.get("timeout"))
        kwargs["timeout"] = (CONNECT, FIRST_READ if len(self.timeouts) == 1 else LATER_READ)
        return super().request(*args, **kwargs)


CONNECT, FIRST_READ, LATER_READ = 5.0, 0.3, 30.0


@pytest.fixture(scope="module")
def _threaded_server() -> Iterator[HTTPServer]:
    server = HTTPServer(threaded=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def threaded_server(_threaded_server: HTTPServer) -> Iterator[HTTPServer]:
    """A local server that answers each request in a thread of its own: the retry is answered
    while the first request's handler still holds back its answer (the default ``httpserver``
    answers one request at a time, so the retry waited behind it). Cleared after each test."""
    yield _threaded_server
    _threaded_server.clear()


@pytest.mark.parametrize(
    ("failure", "said"),
    [
        pytest.param("500", "HTTP 500", id="rotated, then HTTP 500"),
        pytest.param("503", "HTTP 503", id="rotated, then HTTP 503"),
        pytest.param("timeout", "ReadTimeout", id="rotated, then no answer in time"),
    ],
)
def test_a_refusal_after_a_failed_token_request_says_the_failure_may_have_voided_the_token(
    threaded_server: HTTPServer, failure: str, said: str
) -> None:
    endpoint = RotatesThenFails(failure)
    threaded_server.expect_request("/token", method="POST").respond_with_handler(endpoint)
    saved: list[TokenSet] = []
    auth = RefreshTokenAuth(token_url=threaded_server.url_for("/token"), client_id="app-1",
                            client_secret="client-SECRET-1", refresh_token=REFRESH,
                            on_refresh=saved.append)
    waits: list[float] = []
    session = FirstReadTimesOut()
    api = ApiClient(threaded_server.url_for("/api/"), auth=auth, connector="xero",
                    sleep=waits.append, clock=lambda: NOW, jitter=lambda: 0.5,
                    timeout=(CONNECT, FIRST_READ), session=session)
    try:
        with pytest.raises(AuthError) as caught:
            api.get("things")
    finally:
        endpoint.release.set()
    # The client's own timeout went with every request (the session only lengthens the
    # retry's wait for its answer).
    assert session.timeouts == [(CONNECT, FIRST_READ)] * 2
    # Sent twice, with the one refresh token it held: the retry is what a lost answer needs
    # where the endpoint has a grace period (Xero's 30 minutes).
    assert endpoint.sent == [REFRESH, REFRESH]
    assert waits == [0.75]  # one backoff: 1 s at most, drawn at 0.5 between 0.5 and 1
    assert saved == []
    message = str(caught.value)
    assert "invalid_grant" in message
    assert (f"the token endpoint refused the refresh token when the request was sent again "
            f"after it failed ({said}): it may have issued a new refresh token in the answer "
            "that failed, which never arrived, voiding this one; re-authorise") in message
    assert "a copy of it" not in message  # nothing was used elsewhere
    assert caught.value.context.failed_before == (said,)
    for secret in (REFRESH, "refresh-SECRET-2", "client-SECRET-1"):
        assert secret not in message


def test_a_refusal_at_the_first_token_request_still_blames_a_used_or_copied_token(
    httpserver: HTTPServer,
) -> None:
    # Nothing failed before: the refresh token was dead before it was sent.
    httpserver.expect_request("/token", method="POST").respond_with_json(
        {"error": "invalid_grant"}, status=400)
    auth = RefreshTokenAuth(token_url=httpserver.url_for("/token"), client_id="app-1",
                            client_secret="client-SECRET-1", refresh_token=REFRESH,
                            on_refresh=lambda tokens: None)
    api = ApiClient(httpserver.url_for("/api/"), auth=auth, connector="xero",
                    sleep=lambda seconds: None, clock=lambda: NOW)
    with pytest.raises(AuthError) as caught:
        api.get("things")
    assert "refreshed elsewhere from a copy of it, is dead" in str(caught.value)
    assert caught.value.context.failed_before == ()


class LimitsThenRefuses:
    """A token endpoint that answers each of ``first`` (429 with Retry-After: 1, or another
    status) before it reads anything, then refuses the refresh token (400 invalid_grant):
    the refresh token was dead before it was sent, as at the first request."""

    def __init__(self, first: list[int]) -> None:
        self.first = list(first)
        self.sent: list[str] = []

    def __call__(self, request: Request) -> Response:
        self.sent.append(request.form["refresh_token"])
        if self.first:
            status = self.first.pop(0)
            headers = {"Retry-After": "1"} if status == 429 else {}
            return Response("slow down" if status == 429 else "upstream failed",
                            status=status, headers=headers)
        return Response(json.dumps({"error": "invalid_grant"}), status=400,
                        content_type="application/json")


@pytest.mark.parametrize(
    ("first", "failed_before"),
    [
        # A 429 is the rate limiter's refusal (RFC 6585 s.4, "too many requests"), answered
        # without the grant being handled: nothing was rotated, so the refusal after it is the
        # token's own, as with nothing before it.
        pytest.param([429], (), id="429"),
        pytest.param([429, 429], (), id="429 twice"),
        # A 500 may follow a rotation: it stays named; the 429 before it does not.
        pytest.param([429, 500], ("HTTP 500",), id="429, then HTTP 500"),
    ],
)
def test_a_rate_limited_token_request_is_no_failure_that_may_have_voided_the_token(
    httpserver: HTTPServer, first: list[int], failed_before: tuple[str, ...],
) -> None:
    endpoint = LimitsThenRefuses(first)
    httpserver.expect_request("/token", method="POST").respond_with_handler(endpoint)
    auth = RefreshTokenAuth(token_url=httpserver.url_for("/token"), client_id="app-1",
                            client_secret="client-SECRET-1", refresh_token=REFRESH,
                            on_refresh=lambda tokens: None)
    api = ApiClient(httpserver.url_for("/api/"), auth=auth, connector="xero",
                    sleep=lambda seconds: None, clock=lambda: NOW, jitter=lambda: 0.5)
    with pytest.raises(AuthError) as caught:
        api.get("things")
    assert endpoint.sent == [REFRESH] * (len(first) + 1)
    assert caught.value.context.failed_before == failed_before
    message = str(caught.value)
    if failed_before:
        assert "after it failed (HTTP 500): it may have issued a new refresh token" in message
    else:
        assert "refreshed elsewhere from a copy of it, is dead" in message
        assert "may have issued a new refresh token" not in message
    assert "HTTP 429" not in message
