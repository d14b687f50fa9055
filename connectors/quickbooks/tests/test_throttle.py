"""classify_quickbooks, row by row on bare requests.Response objects: a 429 that names no
time is waited out for a minute (Intuit's limits page), everything else is the table's. And,
over real HTTP, a throttle Fault inside a 200, which Intuit does not document."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from pytest_httpserver import HTTPServer

from clientguard.connector import SyncState, pull
from clientguard.errors import ApiError, AuthError, ConnectorError, RateLimitError
from clientguard.http import classify
from clientguard_quickbooks import QuickBooksConnector
from clientguard_quickbooks.pacing import THROTTLE_WAIT, classify_quickbooks

from .conftest import Clock

NOW = datetime(2025, 6, 2, 12, 0, 0, tzinfo=UTC)
THROTTLED = {"Fault": {"Error": [{"Message": "message=ThrottleExceeded; errorCode=003001; "
                                  "statusCode=429", "code": "3001"}], "type": "SERVICE"}}


def response(
    status: int, body: Any = None, headers: Mapping[str, str] | None = None
) -> requests.Response:
    resp = requests.Response()
    resp.status_code = status
    resp._content = json.dumps(body).encode() if body is not None else b""
    resp.headers.update(headers or {})
    return resp


@pytest.mark.parametrize(
    ("status", "headers", "action", "error", "retry_after"),
    [
        pytest.param(429, {}, "wait", RateLimitError, 60.0, id="429 without Retry-After: 60 s"),
        pytest.param(429, {"Retry-After": "5"}, "wait", RateLimitError, 5.0,
                     id="429 with Retry-After: what it says"),
        pytest.param(429, {"Retry-After": "Mon, 02 Jun 2025 12:00:30 GMT"}, "wait",
                     RateLimitError, 30.0, id="429 with Retry-After as a date: what it says"),
        pytest.param(429, {"Retry-After": "soon"}, "wait", RateLimitError, 60.0,
                     id="429 with an unreadable Retry-After: 60 s"),
        pytest.param(500, {}, "retry", ApiError, None, id="500: backoff, not a minute"),
        pytest.param(503, {"Retry-After": "7"}, "retry", ApiError, 7.0, id="503: the table"),
        pytest.param(401, {}, "refresh", AuthError, None, id="401: refresh"),
        pytest.param(400, {}, "fail", ApiError, None, id="400: fail"),
        pytest.param(200, {}, "ok", None, None, id="200: ok"),
    ],
)
def test_classify_quickbooks_table(
    status: int,
    headers: Mapping[str, str],
    action: str,
    error: type[ConnectorError] | None,
    retry_after: float | None,
) -> None:
    verdict = classify_quickbooks(response(status, THROTTLED, headers), now=NOW)
    assert (verdict.action, verdict.error, verdict.retry_after) == (action, error, retry_after)


def test_the_throttle_wait_is_a_minute() -> None:
    assert THROTTLE_WAIT == 60.0


def test_only_the_throttle_row_differs_from_the_table() -> None:
    for status in (200, 304, 400, 401, 403, 404, 500, 502):
        plain = response(status, THROTTLED, {"intuit_tid": "tid-1"})
        assert classify_quickbooks(plain, now=NOW) == classify(plain, now=NOW)
    throttled = response(429, THROTTLED, {"intuit_tid": "tid-1"})
    ours, table = classify_quickbooks(throttled, now=NOW), classify(throttled, now=NOW)
    assert (ours.reason, ours.request_id, ours.status) == (table.reason, "tid-1", 429)
    assert table.retry_after is None


def test_the_response_is_left_as_it_came() -> None:
    throttled = response(429, THROTTLED)
    classify_quickbooks(throttled, now=NOW)
    assert "Retry-After" not in throttled.headers


# --------------------------------------------------------------------------- a 200 that throttles
#
# Intuit documents throttling as HTTP 429 ("You'll see HTTP Status Code 429 when throttling
# occurs. If you see this, wait 60 seconds before retrying the request": developer.intuit.com,
# "API call limits and throttles"), and a 200 as a status whose body "may contain a <Fault>
# element that identifies the error" (developer.intuit.com, "Error codes"); nothing of
# Intuit's says a throttle (Fault 3001, ThrottleExceeded) comes inside a 200, and every
# report of one found carries "statusCode=429" (or 403) in its Message. So such an answer is
# not waited out and sent again: the sync stops, and the error says it is throttling and what
# to do (docs/connectors/quickbooks.md, "Limits").

REALM = "9341457021722202"
ACCESS = "access-THROTTLE-token-9"
QUERY = f"/v3/company/{REALM}/query"
CDC = f"/v3/company/{REALM}/cdc"
CUT = ACCESS[:11]
"""The token's first 11 characters, where a server that cut its own message left them."""
THROTTLED_IN_200 = {"Fault": {"Error": [{
    "Message": "message=ThrottleExceeded; errorCode=003001; statusCode=429",
    # Echoing the realm and the token, and ending in the token's cut start: so that the
    # secret assertions below can fail (with scrubbing off, `-p noscrub`, they do).
    "Detail": f"The request limit was reached for company {REALM} (Bearer {ACCESS}).  Try "
              f"again later; Authorization: Bearer {CUT}", "code": "3001"}],
    "type": "SERVICE"}, "time": "2026-05-20T05:00:00.000-07:00"}
"""A throttle Fault as reports show it (intuit/QuickBooks-V3-PHP-SDK#54), in a 200, made to
echo what the request carried."""


def quickbooks(server: HTTPServer, clock: Clock) -> QuickBooksConnector:
    return QuickBooksConnector(
        realm_id=REALM, access_token=ACCESS, base_url=server.url_for("/"),
        clock=lambda: datetime(2026, 5, 20, tzinfo=UTC), sleep=clock.sleep, monotonic=clock)


@pytest.mark.parametrize(
    ("streams", "state", "cdc"),
    [
        pytest.param(["customers"], None, False, id="a query page"),
        # An incremental read of invoices asks CDC for the deleted ones after its query.
        pytest.param(["invoices"], SyncState({"invoices": datetime(2026, 5, 1, 17, 0,
                                                                   tzinfo=UTC)}),
                     True, id="change data capture"),
    ],
)
def test_a_throttle_fault_inside_a_200_stops_the_sync_saying_it_is_throttling(
    httpserver: HTTPServer, clock: Clock, streams: list[str], state: SyncState | None,
    cdc: bool,
) -> None:
    if cdc:
        httpserver.expect_request(QUERY).respond_with_json({"QueryResponse": {}})
        httpserver.expect_request(CDC).respond_with_json(THROTTLED_IN_200)
    else:
        httpserver.expect_request(QUERY).respond_with_json(THROTTLED_IN_200)
    with pytest.raises(RateLimitError) as caught:
        pull(quickbooks(httpserver, clock), state, streams=streams)
    message = str(caught.value)
    # What: throttling, said as such, with QuickBooks' own words and code.
    assert "QuickBooks throttled the request" in message
    assert "ThrottleExceeded" in message
    assert "(code 3001)" in message
    assert "HTTP 200" in message
    # What to do: wait Intuit's minute and sync again; lower the pace if it recurs.
    assert "wait a minute" in message
    assert "sync again" in message
    assert "requests_per_minute" in message
    assert caught.value.context.connector == "quickbooks"
    assert caught.value.context.stream == streams[0]
    assert REALM not in message
    assert ACCESS not in message
    assert CUT not in message
    assert "Authorization: Bearer [redacted] (code 3001)" in message
    # Not waited out and sent again: one call of each kind, no sleep.
    assert clock.waits == []
    assert len(httpserver.log) == (2 if cdc else 1)
