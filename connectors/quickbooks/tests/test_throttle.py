"""classify_quickbooks, row by row on bare requests.Response objects: a 429 that names no
time is waited out for a minute (Intuit's limits page), everything else is the table's."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from clientguard.errors import ApiError, AuthError, ConnectorError, RateLimitError
from clientguard.http import classify
from clientguard_quickbooks.pacing import THROTTLE_WAIT, classify_quickbooks

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
