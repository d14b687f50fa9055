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

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from clientguard.connector import SyncState, pull
from clientguard.errors import ApiError, ClientguardError, RateLimitError
from clientguard.redaction import Scrubber
from clientguard.store import Store
from clientguard_quickbooks import QuickBooksConnector
from clientguard_quickbooks.faults import parse_fault

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


def test_str_of_a_fault_is_quickbooks_words_and_shown_scrubs_each_text() -> None:
    fault_ = parse_fault(fault("4000", f"Bearer {CUT}", message="Invalid query"))
    assert fault_ is not None
    # str(): as QuickBooks wrote it (no client, no secrets known).
    assert str(fault_) == f"QuickBooks SERVICE: Invalid query: Bearer {CUT} (code 4000)"

    class Client:
        scrubber = Scrubber([TOKEN, REALM])

        def scrub(self, text: str) -> str:
            return self.scrubber.scrub(text)

        def shorten(self, text: str) -> str:
            return self.scrubber.shorten(text, 300)

    assert fault_.shown(Client()) == (
        "QuickBooks SERVICE: Invalid query: Bearer [redacted] (code 4000)")
