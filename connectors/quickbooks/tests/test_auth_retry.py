"""A 401 is refreshed once, a 5xx is retried and names Intuit's request id: over real HTTP.

Intuit answers an expired access token with HTTP 401 and a lower-case ``fault`` of code 3200
(``AuthenticationFailed``, "Token expired"); its answers carry the request id in the
``intuit_tid`` header, which Intuit's support asks for. docs/connectors/quickbooks.md
("Setup and credentials", "Limits", "Security"): a refresh token rotates and the new one is
saved before the new access token is used; the realm id never appears in an error.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from clientguard.connector import pull
from clientguard.errors import ApiError, AuthError
from clientguard.http import TokenSet
from clientguard_quickbooks import QuickBooksConnector

from .conftest import Clock

REALM = "9341457021722299"
API = f"/v3/company/{REALM}/query"
TOKEN_PATH = "/oauth2/v1/tokens/bearer"
EXPIRED = {"fault": {"error": [{"message": "message=AuthenticationFailed",
                                "detail": "Token expired", "code": "3200"}],
                     "type": "AUTHENTICATION"}}
NEW_TOKENS = {"access_token": "access-NEW", "refresh_token": "refresh-TWO",
              "expires_in": 3600, "token_type": "bearer"}


def connector(server: HTTPServer, clock: Clock, **options: Any) -> QuickBooksConnector:
    if "token_file" not in options:
        options.setdefault("on_token_refresh", lambda tokens: None)
    return QuickBooksConnector(
        realm_id=REALM, base_url=server.url_for("/"), token_url=server.url_for(TOKEN_PATH),
        clock=lambda: datetime(2026, 6, 1, 12, tzinfo=UTC), sleep=clock.sleep,
        monotonic=clock, access_token="access-OLD", client_id="app-id",
        client_secret="app-secret", refresh_token="refresh-ONE", **options,
    )


def calls(server: HTTPServer) -> list[str]:
    return ["token" if request.path == TOKEN_PATH else "query" for request, _ in server.log]


def test_a_401_is_refreshed_once_and_the_rotated_token_saved_to_the_token_file(
    httpserver: HTTPServer, clock: Clock, tmp_path: Path
) -> None:
    def api(request: Request) -> Response:
        if request.headers.get("Authorization") != "Bearer access-NEW":
            return Response(json.dumps(EXPIRED), status=401, content_type="application/json")
        return Response(json.dumps({"QueryResponse": {}}), content_type="application/json")

    httpserver.expect_request(API).respond_with_handler(api)
    httpserver.expect_request(TOKEN_PATH, method="POST").respond_with_json(NEW_TOKENS)
    target = tmp_path / "qbo-tokens.json"
    pull(connector(httpserver, clock, token_file=str(target)), streams=["customers"])
    # The old token, one refresh, the call again with the new token: nothing more.
    assert calls(httpserver) == ["query", "token", "query"]
    saved = TokenSet.from_json(target.read_text())
    assert (saved.refresh_token, saved.access_token) == ("refresh-TWO", "access-NEW")


def test_a_401_after_the_refresh_fails_at_once_saying_to_reconnect(
    httpserver: HTTPServer, clock: Clock
) -> None:
    httpserver.expect_request(API).respond_with_json(EXPIRED, status=401)
    httpserver.expect_request(TOKEN_PATH, method="POST").respond_with_json(NEW_TOKENS)
    rotated: list[TokenSet] = []
    with pytest.raises(AuthError) as caught:
        pull(connector(httpserver, clock, on_token_refresh=rotated.append),
             streams=["customers"])
    # Refreshed once, never in a loop; the rotated token is kept even so.
    assert calls(httpserver) == ["query", "token", "query"]
    assert [t.refresh_token for t in rotated] == ["refresh-TWO"]
    message = str(caught.value)
    assert "re-connect the app" in message
    for secret in (REALM, "refresh-ONE", "refresh-TWO", "access-NEW", "app-secret"):
        assert secret not in message


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_5xx_is_retried_and_its_error_names_intuits_request_id_never_the_realm(
    httpserver: HTTPServer, clock: Clock, status: int
) -> None:
    down = {"Fault": {"Error": [{"Message": f"Service unavailable for company {REALM}",
                                 "code": "500"}], "type": "SystemFault"}}
    httpserver.expect_request(API).respond_with_response(Response(
        json.dumps(down), status=status, headers={"intuit_tid": "1-6a2f-tid"},
        content_type="application/json"))
    with pytest.raises(ApiError) as caught:
        pull(connector(httpserver, clock, max_attempts=3), streams=["customers"])
    assert calls(httpserver) == ["query"] * 3  # max_attempts, then it gives up
    assert caught.value.request_id == "1-6a2f-tid"
    assert caught.value.context.status == status
    message = str(caught.value)
    assert "1-6a2f-tid" in message
    assert REALM not in message


def test_a_5xx_then_an_answer_reads_the_page(httpserver: HTTPServer, clock: Clock) -> None:
    httpserver.expect_ordered_request(API).respond_with_json({}, status=503,
                                                             headers={"intuit_tid": "t-1"})
    customer = {"Id": "1", "DisplayName": "Acme",
                "MetaData": {"LastUpdatedTime": "2026-05-01T10:00:00-07:00"}}
    httpserver.expect_ordered_request(API).respond_with_json(
        {"QueryResponse": {"Customer": [customer], "startPosition": 1, "maxResults": 1}})
    pulled = pull(connector(httpserver, clock), streams=["customers"])
    httpserver.check_assertions()
    assert [r.id for r in pulled.records] == ["1"]
    assert len(clock.waits) == 1  # one backoff before the second call
