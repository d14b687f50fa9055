"""clientguard.http: classify() row by row, paginators on bare responses, and the client over
real HTTP (pytest-httpserver) with an injected sleep that records every wait."""

from __future__ import annotations

import gc
import json
import logging
import os
import stat
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from clientguard.errors import ApiError, AuthError, ConfigError, ConnectorError, RateLimitError
from clientguard.http import (
    ApiClient,
    BearerToken,
    ClientCredentialsAuth,
    NextTokenPaginator,
    OffsetPaginator,
    PageNumberPaginator,
    RateLimits,
    RefreshTokenAuth,
    SinglePagePaginator,
    TokenSet,
    Verdict,
    api_message,
    classify,
    decode_json,
    load_token_file,
    parse_retry_after,
    token_expiry,
    token_file_saver,
)

NOW = datetime(2025, 6, 2, 12, 0, 0, tzinfo=UTC)
HTTP_NOW = "Mon, 02 Jun 2025 12:00:00 GMT"


def response(
    status: int = 200, body: Any = None, headers: Mapping[str, str] | None = None, text: str = ""
) -> requests.Response:
    """A bare requests.Response, as the classifier and the paginators see one."""
    resp = requests.Response()
    resp.status_code = status
    resp._content = json.dumps(body).encode() if body is not None else text.encode()
    resp.headers.update(headers or {})
    return resp


# =============================================================================== classify


@pytest.mark.parametrize(
    ("status", "headers", "body", "action", "error", "retry_after"),
    [
        pytest.param(200, {}, {"Invoices": []}, "ok", None, None, id="200 ok"),
        pytest.param(204, {}, None, "ok", None, None, id="204 ok"),
        # A 304 answers only a conditional request (RFC 9110 §15.4.5); a bare response has
        # none: the conditional rows are in test_http_not_modified.py.
        pytest.param(304, {}, None, "fail", ApiError, None, id="304 to no condition fails"),
        pytest.param(401, {}, {"Detail": "TokenExpired"}, "refresh", AuthError, None, id="401"),
        pytest.param(403, {}, {"Detail": "AuthenticationUnsuccessful"}, "fail", AuthError, None,
                     id="403 fails, not retried"),
        pytest.param(429, {"Retry-After": "2", "X-Rate-Limit-Problem": "minute"}, None, "wait",
                     RateLimitError, 2.0, id="429 minute waits Retry-After seconds"),
        pytest.param(429, {"Retry-After": "Mon, 02 Jun 2025 12:00:30 GMT"}, None, "wait",
                     RateLimitError, 30.0, id="429 Retry-After as an HTTP date"),
        pytest.param(429, {}, None, "wait", RateLimitError, None, id="429 without Retry-After"),
        pytest.param(429, {"Retry-After": "66975", "X-Rate-Limit-Problem": "day"}, None, "fail",
                     RateLimitError, 66975.0, id="429 day limit fails at once"),
        pytest.param(429, {"Retry-After": "100", "X-Rate-Limit-Problem": "DayLimit"}, None,
                     "fail", RateLimitError, 100.0, id="day limit spelled DayLimit"),
        pytest.param(500, {}, None, "retry", ApiError, None, id="500 retries"),
        pytest.param(503, {"Retry-After": "5"}, None, "retry", ApiError, 5.0,
                     id="503 with Retry-After"),
        pytest.param(400, {}, {"Message": "bad where"}, "fail", ApiError, None, id="400 fails"),
        pytest.param(404, {}, None, "fail", ApiError, None, id="404 fails"),
    ],
)
def test_classify_table(
    status: int,
    headers: dict[str, str],
    body: Any,
    action: str,
    error: type[Exception] | None,
    retry_after: float | None,
) -> None:
    verdict = classify(response(status, body, headers), now=NOW)
    assert verdict.action == action
    assert verdict.error is error
    assert verdict.retry_after == retry_after
    assert verdict.status == status


def test_classify_day_limit_says_when_it_resets() -> None:
    verdict = classify(
        response(429, headers={"Retry-After": "3600", "X-Rate-Limit-Problem": "day",
                               "Date": HTTP_NOW})
    )
    assert verdict.resets_at == NOW + timedelta(hours=1)
    assert "2025-06-02 13:00:00 UTC" in verdict.reason


def test_classify_reads_an_http_date_against_the_responses_own_date() -> None:
    verdict = classify(
        response(429, headers={"Retry-After": "Mon, 02 Jun 2025 12:00:10 GMT", "Date": HTTP_NOW})
    )
    assert verdict.retry_after == 10.0


def test_classify_quotes_the_apis_message_and_request_id() -> None:
    body = {
        "ErrorNumber": 10,
        "Type": "ValidationException",
        "Message": "A validation exception occurred",
        "Elements": [{"ValidationErrors": [{"Message": "Invalid where clause"}]}],
    }
    verdict = classify(response(400, body, {"Xero-Correlation-Id": "corr-123"}))
    assert "A validation exception occurred" in verdict.reason
    assert "Invalid where clause" in verdict.reason
    assert verdict.request_id == "corr-123"


@pytest.mark.parametrize(
    ("value", "now", "seconds"),
    [
        ("2", None, 2.0),
        (" 1.5 ", None, 1.5),
        ("-3", None, 0.0),
        ("Mon, 02 Jun 2025 12:01:00 GMT", NOW, 60.0),
        ("Mon, 02 Jun 2025 11:00:00 GMT", NOW, 0.0),
        ("Mon, 02 Jun 2025 12:01:00 GMT", None, None),
        ("soon", NOW, None),
        (None, NOW, None),
        ("", NOW, None),
    ],
)
def test_parse_retry_after(value: str | None, now: datetime | None, seconds: float | None) -> None:
    assert parse_retry_after(value, now=now) == seconds


@pytest.mark.parametrize(
    ("body", "text", "expected"),
    [
        ({"error": "invalid_grant"}, "", "invalid_grant"),
        ({"error": {"message": "No such invoice"}}, "", "No such invoice"),
        ({"Fault": {"Error": [{"Message": "Throttle", "Detail": "3001"}]}}, "", "Throttle; 3001"),
        (None, "plain words", "plain words"),
        (None, "<html>gateway</html>", ""),
        # Jira Cloud's error shape (developer.atlassian.com, REST v3 "Status codes"): a list
        # of sentences and a map of a field's name to what is wrong with it.
        ({"errorMessages": ["The value 'XYZ' does not exist for the field 'project'."],
          "errors": {}}, "",
         "The value 'XYZ' does not exist for the field 'project'."),
        ({"errorMessages": [], "errors": {"jql": "Field 'foo' does not exist."}}, "",
         "jql: Field 'foo' does not exist."),
    ],
)
def test_api_message_shapes(body: Any, text: str, expected: str) -> None:
    assert api_message(response(400, body, text=text)) == expected


def test_decode_json_keeps_money_decimal_and_refuses_html() -> None:
    assert decode_json(response(200, text='{"Total": 31.39}')) == {"Total": Decimal("31.39")}
    with pytest.raises(ApiError, match="HTML page"):
        decode_json(response(200, text="<html></html>", headers={"Content-Type": "text/html"}))


def test_rate_limits_are_read_from_headers() -> None:
    limits = RateLimits.of(
        response(headers={"X-MinLimit-Remaining": "58", "X-DayLimit-Remaining": "4990",
                          "X-AppMinLimit-Remaining": "9000", "Content-Type": "x"})
    )
    assert limits.get("X-MinLimit-Remaining") == 58
    assert limits.get("x-daylimit-remaining") == 4990
    assert len(limits.remaining) == 3


@pytest.mark.parametrize(
    ("seconds_later", "left"),
    [
        pytest.param(None, 0, id="asked without a time: as read"),
        pytest.param(0, 0, id="at once"),
        pytest.param(59, 0, id="59 s later: inside the minute"),
        pytest.param(60, None, id="60 s later: the minute has passed, forgotten"),
        pytest.param(3600, None, id="an hour later: forgotten"),
        pytest.param(-30, 0, id="a clock set back: as read"),
    ],
)
def test_a_rate_limit_count_is_forgotten_once_its_window_has_passed(
    seconds_later: int | None, left: int | None
) -> None:
    limits = RateLimits.of(response(headers={"X-MinLimit-Remaining": "0"}), seen_at=NOW)
    now = None if seconds_later is None else NOW + timedelta(seconds=seconds_later)
    assert limits.get("X-MinLimit-Remaining", now=now, window=60) == left


def test_the_client_keeps_the_last_counts_with_the_time_they_were_read(
    httpserver: HTTPServer, waits: Waits
) -> None:
    # The counts of the first answer, stamped with the client's clock then; the second
    # answer carries none and changes nothing: its time is not theirs.
    httpserver.expect_ordered_request("/api/things").respond_with_json(
        {"things": []}, headers={"X-MinLimit-Remaining": "0"})
    httpserver.expect_ordered_request("/api/things").respond_with_json({"things": []})
    api = client(httpserver, waits)
    api.get("things")  # the client's clock says NOW
    assert api.rate_limits.seen_at == NOW
    api.clock = lambda: NOW + timedelta(seconds=30)
    api.get("things")
    assert api.rate_limits.seen_at == NOW
    assert api.rate_limits.age(NOW + timedelta(seconds=30)) == 30.0
    assert api.rate_limits.get("X-MinLimit-Remaining") == 0
    httpserver.check_assertions()


# =============================================================================== paginators


def rows(*ids: str) -> list[dict[str, str]]:
    return [{"id": i} for i in ids]


def test_page_number_paginator_follows_page_count() -> None:
    paginator = PageNumberPaginator(size=2, page_count=lambda b: b["pagination"]["pageCount"])
    assert paginator.first() == {"page": 1, "pageSize": 2}
    body = {"pagination": {"pageCount": 3}}
    assert paginator.advance(response(), body, rows("a", "b")) == {"page": 2, "pageSize": 2}
    assert paginator.advance(response(), body, rows("c", "d")) == {"page": 3, "pageSize": 2}
    assert paginator.advance(response(), body, rows("e", "f")) is None


def test_page_number_paginator_without_a_count_stops_on_a_short_or_empty_page() -> None:
    paginator = PageNumberPaginator(size=2)
    assert paginator.advance(response(), {}, rows("a", "b")) == {"page": 2, "pageSize": 2}
    assert paginator.advance(response(), {}, rows("c")) is None
    fresh = PageNumberPaginator(size=2)
    assert fresh.advance(response(), {}, []) is None


def test_page_number_paginator_detects_a_page_that_repeats() -> None:
    paginator = PageNumberPaginator(size=2)
    paginator.advance(response(), {}, rows("a", "b"))
    with pytest.raises(ApiError, match="paging loop"):
        paginator.advance(response(), {}, rows("a", "b"))


def test_offset_paginator() -> None:
    paginator = OffsetPaginator(offset_param="start", limit_param="max", limit=2, start=1)
    assert paginator.first() == {"start": 1, "max": 2}
    assert paginator.advance(response(), {}, rows("a", "b")) == {"start": 3, "max": 2}
    assert paginator.advance(response(), {}, rows("c")) is None


def test_next_token_paginator_and_its_loop_check() -> None:
    def after_last(_r: requests.Response, body: Any, records: Sequence[Mapping[str, Any]]) -> str:
        return str(records[-1]["id"]) if body["has_more"] else None  # type: ignore[return-value]

    paginator = NextTokenPaginator(param="starting_after", token=after_last,
                                   first_params={"limit": 2})
    assert paginator.first() == {"limit": 2}
    assert paginator.advance(response(), {"has_more": True}, rows("a", "b")) == {
        "limit": 2, "starting_after": "b"}
    assert paginator.advance(response(), {"has_more": False}, rows("c")) is None

    stuck = NextTokenPaginator(param="t", token=lambda *_: "same")
    stuck.advance(response(), {}, rows("a"))
    with pytest.raises(ApiError, match="token repeats"):
        stuck.advance(response(), {}, rows("b"))


def test_single_page_paginator() -> None:
    paginator = SinglePagePaginator()
    assert paginator.first() == {}
    assert paginator.advance(response(), {}, rows("a")) is None


# =============================================================================== the client


class Waits(list[float]):
    """The injected sleep: records each wait, never waits."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def waits() -> Waits:
    return Waits()


def client(server: HTTPServer, waits: Waits, **kw: Any) -> ApiClient:
    kw.setdefault("auth", BearerToken("tok-SECRET-1"))
    kw.setdefault("jitter", lambda: 0.5)
    kw.setdefault("clock", lambda: NOW)
    return ApiClient(server.url_for("/api/"), connector="test", sleep=waits, **kw)


def test_a_minute_429_waits_retry_after_then_succeeds(httpserver: HTTPServer, waits: Waits) -> None:
    seen: list[tuple[float, str]] = []
    httpserver.expect_ordered_request("/api/things").respond_with_json(
        {"Message": "slow down"}, status=429,
        headers={"Retry-After": "2", "X-Rate-Limit-Problem": "minute"})
    httpserver.expect_ordered_request("/api/things").respond_with_json(
        {"things": []}, headers={"X-MinLimit-Remaining": "59"})
    api = client(httpserver, waits, on_wait=lambda s, r: seen.append((s, r)))
    assert api.get("things").json() == {"things": []}
    assert waits == [2.0]
    assert seen == [(2.0, "HTTP 429 rate limit (minute)")]
    assert api.rate_limits.get("X-MinLimit-Remaining") == 59
    httpserver.check_assertions()


def test_a_day_limit_429_fails_at_once_with_its_reset_time(
    httpserver: HTTPServer, waits: Waits
) -> None:
    httpserver.expect_oneshot_request("/api/things").respond_with_json(
        {}, status=429, headers={"Retry-After": "7200", "X-Rate-Limit-Problem": "day"})
    with pytest.raises(RateLimitError) as caught:
        client(httpserver, waits).get("things", stream="invoices")
    assert waits == []
    assert caught.value.retry_after == 7200.0
    assert caught.value.resets_at is not None
    assert caught.value.status == 429
    assert "stream invoices" in str(caught.value)
    assert len(httpserver.log) == 1


def test_a_wait_longer_than_max_wait_is_not_slept(httpserver: HTTPServer, waits: Waits) -> None:
    httpserver.expect_oneshot_request("/api/things").respond_with_json(
        {}, status=429, headers={"Retry-After": "900"})
    with pytest.raises(RateLimitError, match="more than max_wait 120 s") as caught:
        client(httpserver, waits).get("things")
    assert waits == []
    assert caught.value.resets_at == NOW + timedelta(seconds=900)


def test_5xx_backs_off_exponentially_with_jitter(httpserver: HTTPServer, waits: Waits) -> None:
    for _ in range(3):
        httpserver.expect_ordered_request("/api/things").respond_with_data("oops", status=503)
    httpserver.expect_ordered_request("/api/things").respond_with_json({"ok": True})
    api = client(httpserver, waits, jitter=lambda: 0.0)
    assert api.get("things").json() == {"ok": True}
    # ceilings 1, 2, 4 s; the jitter draws between half of each and all of it
    assert waits == [0.5, 1.0, 2.0]


def test_5xx_gives_up_after_max_attempts_with_the_apis_message(
    httpserver: HTTPServer, waits: Waits
) -> None:
    httpserver.expect_request("/api/things").respond_with_json(
        {"Message": "maintenance"}, status=500, headers={"Xero-Correlation-Id": "c-9"})
    with pytest.raises(ApiError) as caught:
        client(httpserver, waits, max_attempts=3).get("things")
    assert len(waits) == 2
    assert len(httpserver.log) == 3
    message = str(caught.value)
    assert "maintenance" in message
    assert "gave up after 3 attempts" in message
    assert caught.value.request_id == "c-9"


def test_other_4xx_fail_with_the_apis_message_and_are_not_retried(
    httpserver: HTTPServer, waits: Waits
) -> None:
    httpserver.expect_request("/api/things").respond_with_json(
        {"Message": "A validation exception occurred"}, status=400,
        headers={"Xero-Correlation-Id": "corr-1"})
    with pytest.raises(ApiError, match="A validation exception occurred") as caught:
        client(httpserver, waits).get("things", params={"where": "x"})
    assert caught.value.request_id == "corr-1"
    assert caught.value.status == 400
    assert "where=" not in str(caught.value)  # never the query string
    assert len(httpserver.log) == 1
    assert waits == []


def test_connection_errors_are_retried_then_reported_without_the_url_query(
    waits: Waits,
) -> None:
    api = ApiClient("http://127.0.0.1:9/", sleep=waits, jitter=lambda: 0.0, max_attempts=3,
                    connector="test")
    with pytest.raises(ConnectorError, match="could not connect after 3 attempts") as caught:
        api.get("things", params={"tenant": "t-SECRET"})
    assert waits == [0.5, 1.0]
    assert "SECRET" not in str(caught.value)


def test_a_connector_can_extend_the_table_with_its_own_classifier(
    httpserver: HTTPServer, waits: Waits
) -> None:
    def stripe_like(response: requests.Response, *, now: datetime | None = None) -> Verdict:
        if response.headers.get("Should-Retry") == "false":
            return Verdict("fail", response.status_code, "the API says: do not retry", ApiError)
        return classify(response, now=now)

    httpserver.expect_ordered_request("/api/things").respond_with_json({}, status=503)
    httpserver.expect_ordered_request("/api/things").respond_with_json(
        {}, status=503, headers={"Should-Retry": "false"})
    with pytest.raises(ApiError, match="do not retry"):
        client(httpserver, waits, classifier=stripe_like).get("things")
    assert len(waits) == 1
    httpserver.check_assertions()


def test_every_call_has_a_timeout(httpserver: HTTPServer, waits: Waits) -> None:
    timeouts: list[Any] = []

    class Recording(requests.Session):
        def request(self, *args: Any, **kwargs: Any) -> requests.Response:
            timeouts.append(kwargs.get("timeout"))
            return super().request(*args, **kwargs)

    httpserver.expect_request("/api/things").respond_with_json({})
    api = client(httpserver, waits, session=Recording(), timeout=(3.0, 7.0))
    api.get("things")
    api.get("things")
    assert timeouts == [(3.0, 7.0), (3.0, 7.0)]


def test_secrets_the_api_echoes_are_scrubbed(httpserver: HTTPServer, waits: Waits) -> None:
    httpserver.expect_request("/api/things").respond_with_json(
        {"Message": "token tok-SECRET-1 for tenant ten-SECRET-2 is not allowed"}, status=400)
    api = client(httpserver, waits, secrets=["ten-SECRET-2"])
    with pytest.raises(ApiError) as caught:
        api.get("things")
    assert "SECRET" not in str(caught.value)
    assert "[redacted]" in str(caught.value)


ODD_SECRET = "tok/en+with=odd&chars"


def test_an_open_client_redacts_its_secrets_from_request_log_lines(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    logger = logging.getLogger("urllib3.connectionpool")
    api = ApiClient("https://api.example.com/", secrets=[ODD_SECRET])
    try:
        encoded = "tok%2Fen%2Bwith%3Dodd%26chars"
        logger.debug('"GET /invoices.json?api_token=%s HTTP/1.1" 200', encoded)
        logger.debug("plain %s", ODD_SECRET)
    finally:
        api.close()
    logger.debug("after %s", ODD_SECRET)
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0] == '"GET /invoices.json?api_token=[redacted] HTTP/1.1" 200'
    assert messages[1] == "plain [redacted]"
    # Removed with the client: nothing of ours stays in a third party's logger.
    assert messages[2] == f"after {ODD_SECRET}"


def test_a_client_nobody_closed_leaves_no_filter_behind() -> None:
    loggers = [logging.getLogger(name) for name in ("clientguard.http", "urllib3.connectionpool")]
    gc.collect()  # the clients earlier tests left open
    before = [list(logger.filters) for logger in loggers]
    api = ApiClient("https://api.example.com/", secrets=[ODD_SECRET])
    assert [len(logger.filters) for logger in loggers] == [len(f) + 1 for f in before]
    del api
    gc.collect()
    assert [list(logger.filters) for logger in loggers] == before


def test_a_secret_in_the_path_is_redacted_from_errors_and_logs(
    httpserver: HTTPServer, waits: Waits, caplog: pytest.LogCaptureFixture
) -> None:
    realm = "9341-REALM-77"
    httpserver.expect_request(f"/api/company/{realm}/query").respond_with_json(
        {"Message": "bad query"}, status=400)
    caplog.set_level(logging.DEBUG)
    api = client(httpserver, waits, secrets=[realm])
    with pytest.raises(ApiError) as caught:
        api.get(f"company/{realm}/query", params={"query": "SELECT"})
    ours = [r for r in caplog.records if not r.name.startswith("werkzeug")]
    api.close()
    assert "company/[redacted]/query" in str(caught.value)
    assert realm not in str(caught.value)
    assert any("query" in r.getMessage() for r in ours)  # urllib3's request line is there
    assert all(realm not in r.getMessage() for r in ours)


# =============================================================================== OAuth


def token_endpoint(
    server: HTTPServer, events: list[str], *, access: str, refresh: str | None
) -> None:
    def handler(request: Request) -> Response:
        events.append(f"token:{request.form.get('grant_type')}:{request.form.get('refresh_token')}")
        assert request.authorization is not None
        assert request.authorization.username == "client-1"
        body: dict[str, Any] = {"access_token": access, "expires_in": 1800}
        if refresh:
            body["refresh_token"] = refresh
        return Response(json.dumps(body), content_type="application/json")

    server.expect_ordered_request("/token", method="POST").respond_with_handler(handler)


def test_401_refreshes_once_rotates_the_refresh_token_then_retries(
    httpserver: HTTPServer, waits: Waits
) -> None:
    events: list[str] = []

    def api_handler(request: Request) -> Response:
        events.append(f"api:{request.headers['Authorization']}")
        return Response(json.dumps({"ok": True}), content_type="application/json")

    httpserver.expect_ordered_request(
        "/api/things", headers={"Authorization": "Bearer old-access"}
    ).respond_with_json({"Detail": "TokenExpired"}, status=401)
    token_endpoint(httpserver, events, access="new-access", refresh="refresh-2")
    httpserver.expect_ordered_request("/api/things").respond_with_handler(api_handler)

    saved: list[TokenSet] = []

    def on_refresh(tokens: TokenSet) -> None:
        events.append(f"saved:{tokens.refresh_token}")
        saved.append(tokens)

    auth = RefreshTokenAuth(
        token_url=httpserver.url_for("/token"),
        client_id="client-1",
        client_secret="secret-1",
        refresh_token="refresh-1",
        access_token="old-access",
        on_refresh=on_refresh,
    )
    assert client(httpserver, waits, auth=auth).get("things").json() == {"ok": True}
    # the rotated refresh token reaches the callback before the new access token is used
    assert events == [
        "token:refresh_token:refresh-1",
        "saved:refresh-2",
        "api:Bearer new-access",
    ]
    assert saved[0].expires_at == NOW + timedelta(seconds=1800)
    assert waits == []
    httpserver.check_assertions()


def test_a_second_401_after_refresh_is_an_auth_error(httpserver: HTTPServer, waits: Waits) -> None:
    events: list[str] = []
    httpserver.expect_ordered_request("/api/things").respond_with_json({}, status=401)
    token_endpoint(httpserver, events, access="new", refresh="refresh-2")
    httpserver.expect_ordered_request("/api/things").respond_with_json({}, status=401)
    auth = RefreshTokenAuth(token_url=httpserver.url_for("/token"), client_id="client-1",
                            client_secret="s", refresh_token="refresh-1", access_token="old",
                            on_refresh=lambda t: None)
    with pytest.raises(AuthError, match="again after refreshing"):
        client(httpserver, waits, auth=auth).get("things")
    assert len(httpserver.log) == 3


def test_a_fixed_token_refused_is_an_auth_error_that_says_what_to_do(
    httpserver: HTTPServer, waits: Waits
) -> None:
    httpserver.expect_request("/api/things").respond_with_json({}, status=401)
    with pytest.raises(AuthError, match="fixed access token cannot be refreshed") as caught:
        client(httpserver, waits).get("things")
    assert "tok-SECRET" not in str(caught.value)
    assert len(httpserver.log) == 1


#: What a refused fixed token's error says, by what its connector gives BearerToken: the
#: default names no option (an API key has no refresh-token or client-credentials options);
#: a connector with other ways names them; one that says it itself adds nothing here.
REFUSED_ADVICE = [
    pytest.param({}, "unauthorised; a fixed access token cannot be refreshed: pass a new one "
                 "(connector test, HTTP 401)", id="default"),
    pytest.param({"when_refused": "give refresh_token with client_id"},
                 "unauthorised; give refresh_token with client_id (connector test, HTTP 401)",
                 id="the connector's own options"),
    pytest.param({"when_refused": None}, "unauthorised (connector test, HTTP 401)",
                 id="none: the connector says it"),
]


@pytest.mark.parametrize(("given", "ends"), REFUSED_ADVICE)
def test_a_refused_fixed_token_gives_its_connectors_advice_only(
    httpserver: HTTPServer, waits: Waits, given: dict[str, Any], ends: str
) -> None:
    httpserver.expect_request("/api/things").respond_with_data("", status=401)
    with pytest.raises(AuthError) as caught:
        client(httpserver, waits, auth=BearerToken("tok-SECRET-1", **given)).get("things")
    assert str(caught.value).endswith(ends)
    assert "client-credentials" not in str(caught.value)


def test_a_403_says_forbidden_with_the_apis_words_and_no_advice_of_another_api() -> None:
    # "the token lacks a scope, or the organisation is not connected to the app" is Xero's
    # meaning of a 403; Toggl answers a wrong token so. The connector says what to do.
    verdict = classify(response(403, {"message": "Incorrect username and/or password"}))
    assert (verdict.action, verdict.error) == ("fail", AuthError)
    assert verdict.reason == "forbidden: Incorrect username and/or password"
    assert classify(response(403, text="")).reason == "forbidden"


def test_a_refused_refresh_token_is_an_auth_error(httpserver: HTTPServer, waits: Waits) -> None:
    httpserver.expect_request("/token", method="POST").respond_with_json(
        {"error": "invalid_grant"}, status=400)
    auth = RefreshTokenAuth(token_url=httpserver.url_for("/token"), client_id="client-1",
                            client_secret="s", refresh_token="refresh-SECRET",
                            on_refresh=lambda t: None)
    with pytest.raises(AuthError, match="invalid_grant") as caught:
        client(httpserver, waits, auth=auth).get("things")
    assert "refresh-SECRET" not in str(caught.value)
    assert waits == []


def test_a_refresh_token_that_cannot_be_saved_is_never_used(
    httpserver: HTTPServer, waits: Waits
) -> None:
    events: list[str] = []
    token_endpoint(httpserver, events, access="new", refresh="refresh-2")

    def broken(tokens: TokenSet) -> None:
        raise OSError("disk full")

    auth = RefreshTokenAuth(token_url=httpserver.url_for("/token"), client_id="client-1",
                            client_secret="s", refresh_token="refresh-1", on_refresh=broken)
    with pytest.raises(AuthError, match="could not be saved"):
        client(httpserver, waits, auth=auth).get("things")
    assert [r.path for r, _ in httpserver.log] == ["/token"]


def test_client_credentials_gets_a_token_first_and_again_when_it_expires(
    httpserver: HTTPServer, waits: Waits
) -> None:
    events: list[str] = []
    now = [NOW]
    token_endpoint(httpserver, events, access="cc-1", refresh=None)
    httpserver.expect_ordered_request(
        "/api/things", headers={"Authorization": "Bearer cc-1"}).respond_with_json({})
    token_endpoint(httpserver, events, access="cc-2", refresh=None)
    httpserver.expect_ordered_request(
        "/api/things", headers={"Authorization": "Bearer cc-2"}).respond_with_json({})
    auth = ClientCredentialsAuth(token_url=httpserver.url_for("/token"), client_id="client-1",
                                 client_secret="s", scope="accounting.invoices.read")
    api = ApiClient(httpserver.url_for("/api/"), auth=auth, sleep=waits, clock=lambda: now[0])
    api.get("things")
    now[0] = NOW + timedelta(minutes=29, seconds=30)  # within a minute of expiry
    api.get("things")
    assert events == ["token:client_credentials:None", "token:client_credentials:None"]
    httpserver.check_assertions()


@pytest.mark.parametrize(
    ("expires_in", "expires_at"),
    [
        pytest.param(1800, NOW + timedelta(seconds=1800), id="seconds"),
        pytest.param("3600", NOW + timedelta(hours=1), id="seconds as text"),
        pytest.param(Decimal("1799.5"), NOW + timedelta(seconds=1799.5), id="a fraction"),
        pytest.param(99999999999999999999, None, id="too large for a date: unknown"),
        pytest.param(Decimal("1E+309"), None, id="infinite as a float: unknown"),
        pytest.param(10**400, None, id="too large for a float: unknown"),
        pytest.param("NaN", None, id="nan: unknown"),
        pytest.param(0, None, id="zero: unknown"),
        pytest.param(-60, None, id="negative: unknown"),
        pytest.param("soon", None, id="not a number: unknown"),
        pytest.param(True, None, id="a boolean: unknown"),
        pytest.param(None, None, id="absent: unknown"),
    ],
)
def test_token_expiry_reads_what_it_can_and_never_raises(
    expires_in: object, expires_at: datetime | None
) -> None:
    assert token_expiry(NOW, expires_in) == expires_at


def test_a_rotated_refresh_token_is_saved_whatever_the_expiry_says(
    httpserver: HTTPServer, waits: Waits
) -> None:
    httpserver.expect_ordered_request("/api/things").respond_with_json({}, status=401)
    httpserver.expect_ordered_request("/token", method="POST").respond_with_data(
        '{"access_token": "new-access", "refresh_token": "refresh-2", '
        '"expires_in": 99999999999999999999}', content_type="application/json")
    httpserver.expect_ordered_request(
        "/api/things", headers={"Authorization": "Bearer new-access"}).respond_with_json({})
    saved: list[TokenSet] = []
    auth = RefreshTokenAuth(token_url=httpserver.url_for("/token"), client_id="client-1",
                            client_secret="s", refresh_token="refresh-1", access_token="old",
                            on_refresh=saved.append)
    client(httpserver, waits, auth=auth).get("things")
    assert [t.refresh_token for t in saved] == ["refresh-2"]
    assert saved[0].expires_at is None  # unknown: used until refused, then refreshed
    httpserver.check_assertions()


def test_a_rotated_refresh_token_is_saved_even_when_the_access_token_is_unusable(
    httpserver: HTTPServer, waits: Waits
) -> None:
    httpserver.expect_ordered_request("/token", method="POST").respond_with_json(
        {"access_token": "acc\nSECRET-9", "refresh_token": "refresh-2", "expires_in": 1800})
    saved: list[TokenSet] = []
    auth = RefreshTokenAuth(token_url=httpserver.url_for("/token"), client_id="client-1",
                            client_secret="s", refresh_token="refresh-1", on_refresh=saved.append)
    with pytest.raises(AuthError, match="the new refresh token was saved: run again") as caught:
        client(httpserver, waits, auth=auth).get("things")
    assert [t.refresh_token for t in saved] == ["refresh-2"]
    assert "SECRET" not in str(caught.value)
    assert "refresh-2" not in str(caught.value)
    assert [r.path for r, _ in httpserver.log] == ["/token"]  # nothing sent with it


def test_reprs_and_logs_hold_no_secret(
    httpserver: HTTPServer, waits: Waits, caplog: pytest.LogCaptureFixture
) -> None:
    events: list[str] = []
    httpserver.expect_ordered_request("/api/things").respond_with_json({}, status=401)
    token_endpoint(httpserver, events, access="acc-SECRET-2", refresh="ref-SECRET-3")
    httpserver.expect_ordered_request("/api/things").respond_with_json({}, status=503)
    httpserver.expect_ordered_request("/api/things").respond_with_json({})
    auth = RefreshTokenAuth(token_url=httpserver.url_for("/token"), client_id="client-1",
                            client_secret="cs-SECRET-4", refresh_token="ref-SECRET-1",
                            access_token="acc-SECRET-0", on_refresh=lambda t: None)
    api = client(httpserver, waits, auth=auth)
    with caplog.at_level(logging.DEBUG, logger="clientguard"):
        api.get("things", params={"tenant": "x"})
    text = " ".join(r.getMessage() for r in caplog.records if r.name.startswith("clientguard"))
    assert "refreshing the access token" in text
    assert "SECRET" not in text
    assert "tenant=" not in text
    assert "SECRET" not in repr(auth) + repr(api)
    assert "SECRET" not in repr(TokenSet("acc-SECRET", "ref-SECRET"))


def test_token_file_is_written_atomically_for_the_user_only(tmp_path: Path) -> None:
    path = tmp_path / "tokens" / "xero.json"
    save = token_file_saver(path)
    save(TokenSet("a1", "r1", NOW))
    save(TokenSet("a2", "r2", NOW))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_token_file(path) == TokenSet("a2", "r2", NOW)
    assert sorted(p.name for p in path.parent.iterdir()) == ["xero.json"]  # no temp file left
    with pytest.raises(ConfigError, match="does not exist"):
        load_token_file(tmp_path / "missing.json")
