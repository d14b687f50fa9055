"""classify_stripe, row by row on bare requests.Response objects: Stripe-Should-Retry on top
of the framework's table (docs: stripe-python obeys the header before the status)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from pytest_httpserver import HTTPServer

from clientguard.connector import pull
from clientguard.errors import ApiError, AuthError, ConnectorError, RateLimitError
from clientguard.http import classify
from clientguard_stripe import StripeConnector
from clientguard_stripe.retry import classify_stripe, should_retry

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def response(
    status: int, body: Any = None, headers: Mapping[str, str] | None = None
) -> requests.Response:
    resp = requests.Response()
    resp.status_code = status
    resp._content = json.dumps(body).encode() if body is not None else b""
    resp.headers.update(headers or {})
    return resp


def stripe_error(message: str) -> dict[str, Any]:
    return {"error": {"type": "api_error", "message": message}}


NO = {"Stripe-Should-Retry": "false", "Request-Id": "req_1"}
YES = {"Stripe-Should-Retry": "true", "Request-Id": "req_1"}


@pytest.mark.parametrize(
    ("status", "headers", "action", "error"),
    [
        pytest.param(429, NO, "fail", RateLimitError, id="429 + false: fail at once"),
        pytest.param(500, NO, "fail", ApiError, id="500 + false: fail at once"),
        pytest.param(503, NO, "fail", ApiError, id="503 + false: fail at once"),
        pytest.param(429, YES, "wait", RateLimitError, id="429 + true: wait as the table says"),
        pytest.param(500, YES, "retry", ApiError, id="500 + true: retry as the table says"),
        pytest.param(409, YES, "retry", ApiError, id="409 lock timeout + true: retried"),
        pytest.param(400, YES, "retry", ApiError, id="400 + true: retried"),
        pytest.param(401, YES, "refresh", AuthError, id="401 + true: the table's refresh"),
        pytest.param(403, YES, "fail", AuthError, id="403 + true: a refused key is not retried"),
        pytest.param(400, NO, "fail", ApiError, id="400 + false: fails, as the table says"),
        pytest.param(200, NO, "ok", None, id="200 + false: ok"),
        pytest.param(429, {}, "wait", RateLimitError, id="429 without the header: the table"),
        pytest.param(500, {}, "retry", ApiError, id="500 without the header: the table"),
        pytest.param(409, {}, "fail", ApiError, id="409 without the header: the table"),
        pytest.param(500, {"Stripe-Should-Retry": "maybe"}, "retry", ApiError,
                     id="an unreadable header is no header"),
    ],
)
def test_classify_stripe_table(
    status: int, headers: Mapping[str, str], action: str, error: type[ConnectorError] | None
) -> None:
    verdict = classify_stripe(response(status, stripe_error("Something"), headers))
    assert (verdict.action, verdict.error) == (action, error)
    assert verdict.status == status


def test_a_refusal_says_why_with_stripes_message_and_request_id() -> None:
    verdict = classify_stripe(response(429, stripe_error("Request rate too high"), NO))
    assert "Stripe-Should-Retry: false" in verdict.reason
    assert "run again later" in verdict.reason
    assert verdict.reason.endswith("Request rate too high")
    assert verdict.request_id == "req_1"


def test_the_header_wins_over_a_retry_after() -> None:
    verdict = classify_stripe(response(429, None, {**NO, "Retry-After": "2"}))
    assert verdict.action == "fail"


@pytest.mark.parametrize("status", [400, 402, 404, 429, 500])
@pytest.mark.parametrize("headers", [NO, YES, {}])
def test_no_stripe_key_survives_in_a_reason(status: int, headers: Mapping[str, str]) -> None:
    body = stripe_error("Invalid API Key provided: sk_test_****1234 (rk_live_abcDEF9)")
    verdict = classify_stripe(response(status, body, headers))
    assert "sk_test" not in verdict.reason
    assert "rk_live" not in verdict.reason
    assert "1234" not in verdict.reason


def test_without_the_header_it_is_the_framework_table() -> None:
    for status in (200, 304, 400, 401, 403, 404, 409, 429, 500, 502):
        plain = response(status, stripe_error("m"), {"Request-Id": "req_9"})
        assert classify_stripe(plain) == classify(plain)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), ("false", False), (" False ", False), ("TRUE", True), ("", None),
     ("1", None)],
)
def test_should_retry_reads_the_header(value: str, expected: bool | None) -> None:
    assert should_retry(response(500, None, {"Stripe-Should-Retry": value})) is expected
    assert should_retry(response(500)) is None


# ------------------------------------------------------------------ through the connector

API_KEY = "rk_test_51SECRETkeyNeverShown9876"


def _connector(server: HTTPServer, waits: list[float]) -> StripeConnector:
    # Days in UTC: without the option the connector reads the account's zone (test_days.py).
    return StripeConnector(
        api_key=API_KEY, base_url=server.url_for("/"), clock=lambda: NOW, sleep=waits.append,
        timezone="UTC",
    )


def test_a_lock_timeout_stripe_says_to_retry_is_sent_again(httpserver: HTTPServer) -> None:
    waits: list[float] = []
    httpserver.expect_ordered_request("/v1/customers").respond_with_json(
        {"error": {"type": "invalid_request_error", "code": "lock_timeout"}}, status=409,
        headers={"Stripe-Should-Retry": "true"})
    httpserver.expect_ordered_request("/v1/customers").respond_with_json(
        {"object": "list", "has_more": False,
         "data": [{"id": "cus_1", "object": "customer", "name": "Acme"}]})
    pulled = pull(_connector(httpserver, waits), streams=["customers"])
    httpserver.check_assertions()
    assert len(waits) == 1
    assert [r.id for r in pulled.records] == ["cus_1"]


def test_a_server_error_stripe_says_not_to_retry_fails_at_once(httpserver: HTTPServer) -> None:
    waits: list[float] = []
    httpserver.expect_request("/v1/customers").respond_with_json(
        stripe_error("Something went wrong"), status=500,
        headers={"Stripe-Should-Retry": "false", "Request-Id": "req_7"})
    with pytest.raises(ApiError, match="Stripe-Should-Retry: false") as caught:
        pull(_connector(httpserver, waits), streams=["customers"])
    assert "Something went wrong" in str(caught.value)
    assert caught.value.request_id == "req_7"
    assert len(httpserver.log) == 1
    assert waits == []
