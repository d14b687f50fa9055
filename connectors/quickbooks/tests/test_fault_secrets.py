"""A Fault inside an HTTP 200 answer, shown in an error: scrubbed of the client's secrets and
cut to 300 characters before the code and the sentence around it are added.

The reviewer's scratch repro (``/tmp/rev-secrets/test_qbo_cut.py``, ``test_qbo_long.py``,
``cli/fake_qbo.py``): a server that cut its own Detail after a token's first characters
(``Authorization header was Bearer SECRET-TOKE``) had them printed, and stored in the
store's ``syncs.error``, because ``" (code 3001)) inside an HTTP 200 answer"`` followed them
and the scrubber recognises such a prefix only at the end of a message or line; and a
5,000-character Detail gave a 5,451-character error (docs/security.md: an API's message is
shown up to 300 characters, scrubbed in full first, then cut).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from clientguard.connector import SyncState, pull
from clientguard.errors import ApiError, ClientguardError, RateLimitError
from clientguard.redaction import Scrubber
from clientguard.store import Store
from clientguard_quickbooks import QuickBooksConnector
from clientguard_quickbooks import connector as quickbooks_connector
from clientguard_quickbooks.faults import Fault, parse_fault

REALM = "9130417720558"
TOKEN = "eyJlbmMiOiJBMTI4Q0JDLUhTMjU2-access-7"
CUT = TOKEN[:11]  # the token's first 11 characters: where the server cut its own Detail
QUERY = f"/v3/company/{REALM}/query"
CDC = f"/v3/company/{REALM}/cdc"
THROTTLE = "message=ThrottleExceeded; errorCode=003001; statusCode=429"


def fault(code: str, detail: str, message: str = "Request failed") -> dict[str, Any]:
    return {"Fault": {"Error": [{"Message": THROTTLE if code == "3001" else message,
                                 "Detail": detail, "code": code}], "type": "SERVICE"},
            "time": "2026-05-20T05:00:00.000-07:00"}


def connector(server: HTTPServer) -> QuickBooksConnector:
    return QuickBooksConnector(realm_id=REALM, access_token=TOKEN, base_url=server.url_for("/"),
                               clock=lambda: datetime(2026, 5, 20, tzinfo=UTC),
                               sleep=lambda s: None, monotonic=lambda: 0.0, max_attempts=1)


def shown(text: str) -> list[str]:
    """Which of the secrets (the realm, the token, the token's cut start) ``text`` holds."""
    return [s for s in (REALM, TOKEN, CUT) if s.lower() in text.lower()]


SINCE = SyncState({"invoices": datetime(2026, 5, 1, tzinfo=UTC)})


@pytest.mark.parametrize(("code", "cdc", "error"), [
    pytest.param("3001", False, RateLimitError, id="throttle in a query page"),
    pytest.param("6000", False, ApiError, id="other Fault in a query page"),
    pytest.param("3001", True, RateLimitError, id="throttle in change data capture"),
    pytest.param("6000", True, ApiError, id="other Fault in change data capture"),
])
def test_a_fault_in_a_200_shows_no_secret_nor_a_tokens_cut_start(
    httpserver: HTTPServer, tmp_path: Path, code: str, cdc: bool, error: type[Exception],
) -> None:
    detail = f"Authorization header was Bearer {CUT}"  # cut by the server, as in the repro
    if cdc:  # an incremental read of invoices asks CDC for the deleted ones after its query
        httpserver.expect_request(QUERY).respond_with_json({"QueryResponse": {}})
        httpserver.expect_request(CDC).respond_with_json(fault(code, detail))
    else:
        httpserver.expect_request(QUERY).respond_with_json(fault(code, detail))
    streams = ["invoices"] if cdc else ["customers"]
    with pytest.raises(ClientguardError) as caught:
        pull(connector(httpserver), SINCE if cdc else None, streams=streams)
    assert isinstance(caught.value, error)
    message = str(caught.value)
    assert shown(message) == []
    # The cut start is replaced where it stood; QuickBooks' code still follows it.
    assert f"Authorization header was Bearer [redacted] (code {code})" in message

    if cdc:
        return
    # What the store keeps of the failed sync (syncs.error), scrubbed alike.
    with Store.open(tmp_path / "s.db") as store, pytest.raises(ClientguardError):
        store.sync(connector(httpserver), streams=streams)
    with sqlite3.connect(tmp_path / "s.db") as db:
        (stored,) = db.execute("SELECT error FROM syncs").fetchone()
    assert shown(stored) == []
    assert f"Bearer [redacted] (code {code})" in stored


def test_the_token_in_a_faults_message_and_its_cut_start_in_its_detail_are_both_scrubbed(
    httpserver: HTTPServer,
) -> None:
    # The Message cut after the token's start, then ": " and the Detail follow it: each is
    # scrubbed on its own, before they are joined.
    httpserver.expect_request(QUERY).respond_with_json(
        fault("6000", f"realm {REALM}, token {TOKEN}", message=f"token {CUT}"))
    with pytest.raises(ApiError) as caught:
        pull(connector(httpserver), None, streams=["customers"])
    message = str(caught.value)
    assert shown(message) == []
    assert "token [redacted]: realm [redacted], token [redacted] (code 6000)" in message


@pytest.mark.parametrize(("code", "said", "error"), [
    ("3001", THROTTLE, RateLimitError),  # 58 characters: 299 - 58 - 2 = 239 x's are kept
    ("6000", "m", ApiError),  # 1 character: 299 - 1 - 2 = 296 x's are kept
])
def test_a_long_fault_detail_is_cut_to_300_characters_before_its_code(
    httpserver: HTTPServer, code: str, said: str, error: type[Exception],
) -> None:
    httpserver.expect_request(QUERY).respond_with_json(fault(code, "x" * 5000, message=said))
    with pytest.raises(ClientguardError) as caught:
        pull(connector(httpserver), None, streams=["customers"])
    assert isinstance(caught.value, error)
    message = str(caught.value)
    # The Message, ": " and the Detail, cut to 300 characters: 299 of them and an ellipsis;
    # then the code.
    kept = 299 - len(said) - len(": ")
    assert f"{said}: {'x' * kept}\u2026 (code {code})" in message
    assert "x" * (kept + 1) not in message
    # Before: 5,451 characters. Now the 300 and clientguard's own words around them.
    assert len(message) < 1000


class Client:
    """What a Fault is parsed and shown with: the client's scrub and shorten."""

    scrubber = Scrubber([TOKEN, REALM])

    def scrub(self, text: str) -> str:
        return self.scrubber.scrub(text)

    def shorten(self, text: str) -> str:
        return self.scrubber.shorten(text, 300)


def test_str_and_repr_of_a_parsed_fault_are_scrubbed_and_shown_cuts_them() -> None:
    # Before: str() was QuickBooks' words as sent ("Bearer eyJlbmMiO" in it), and repr()
    # (the dataclass's) the whole Detail. Now the Fault keeps each text scrubbed.
    fault_ = parse_fault(fault("4000", f"Bearer {CUT}; token {TOKEN}", message="Invalid query"),
                         scrub=Client().scrub)
    assert fault_ is not None
    for text in (str(fault_), repr(fault_), repr(fault_.errors), str(fault_.errors[0])):
        assert shown(text) == []
    # The cut start at the end of QuickBooks' own words ("; " ends a message) and the whole
    # token, each replaced where it stood.
    assert str(fault_) == (
        "QuickBooks SERVICE: Invalid query: Bearer [redacted]; token [redacted] (code 4000)")
    assert fault_.shown(Client()) == str(fault_)


# The tokens of a refresh: the access token the Fault echoes after "Bearer ", and the rotated
# refresh token it echoes as a parameter (a proxy or a debugging server echoing the request).
ACCESS = "eyJhbGciOiJkaXIi-access-NEW-0123456789"
REFRESH = "AB11-refresh-TWO-9876543210zyxw"
TOKEN_PATH = "/oauth2/v1/tokens/bearer"
EXPIRED = {"fault": {"error": [{"message": "message=AuthenticationFailed",
                                "detail": "Token expired", "code": "3200"}],
                     "type": "AUTHENTICATION"}}


def test_a_fault_echoing_the_bearer_and_refresh_tokens_shows_them_nowhere(
    httpserver: HTTPServer, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch,
) -> None:
    def api(request: Request) -> Response:
        if request.headers.get("Authorization") != f"Bearer {ACCESS}":  # the first token
            return Response(json.dumps(EXPIRED), status=401, content_type="application/json")
        echo = f"Authorization: Bearer {ACCESS}; refresh_token={REFRESH}"
        return Response(json.dumps(fault("6000", echo)), content_type="application/json")

    httpserver.expect_request(QUERY).respond_with_handler(api)
    httpserver.expect_request(TOKEN_PATH, method="POST").respond_with_json(
        {"access_token": ACCESS, "refresh_token": REFRESH, "expires_in": 3600,
         "token_type": "bearer"})
    parsed: list[Fault] = []  # the Faults the connector made of the answers

    def spy(body: object, *, scrub: Callable[[str], str]) -> Fault | None:
        made = parse_fault(body, scrub=scrub)
        if made is not None:
            parsed.append(made)
        return made

    monkeypatch.setattr(quickbooks_connector, "parse_fault", spy)
    caplog.set_level(logging.DEBUG)  # every logger, urllib3's request lines too
    conn = QuickBooksConnector(
        realm_id=REALM, base_url=httpserver.url_for("/"), token_url=httpserver.url_for(TOKEN_PATH),
        clock=lambda: datetime(2026, 5, 20, tzinfo=UTC), sleep=lambda s: None,
        monotonic=lambda: 0.0, max_attempts=1, access_token="access-OLD-0000",
        client_id="app-id", client_secret="app-secret-1111", refresh_token="refresh-ONE-2222",
        on_token_refresh=lambda tokens: None)
    with pytest.raises(ApiError) as caught:
        pull(conn, None, streams=["customers"])

    assert len(parsed) == 1  # the Fault of the 200 answer, after the refresh
    texts = {
        "str(fault)": str(parsed[0]), "repr(fault)": repr(parsed[0]),
        "str(error)": str(caught.value), "repr(error)": repr(caught.value),
        "traceback": "".join(traceback.format_exception(caught.value)),
        "log": "\n".join(record.getMessage() for record in caplog.records),
    }
    assert {where: [s for s in (ACCESS, REFRESH) if s in text] for where, text in texts.items()
            } == {where: [] for where in texts}
    # What QuickBooks said is still there, each token replaced where it stood.
    said = "Authorization: Bearer [redacted]; refresh_token=[redacted]"
    assert said in texts["str(fault)"]
    assert said in texts["str(error)"]
