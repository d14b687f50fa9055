"""The QuickBooks connector over real HTTP (pytest-httpserver): query paging, minorversion,
incremental sync, pacing, a throttled 429 waited out, OAuth refresh with rotation, and
errors that say what to do without showing the realm id or a token."""

from __future__ import annotations

import base64
import json
import logging
import os
import stat
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import clientguard as cg
from clientguard.connector import SyncState, pull
from clientguard.errors import ApiError, AuthError, ConfigError
from clientguard.http import TokenSet
from clientguard_quickbooks import QuickBooksConnector

from .conftest import Clock

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
REALM = "9341457021722202"
API = f"/v3/company/{REALM}/query"
TOKEN_PATH = "/oauth2/v1/tokens/bearer"


def connector(server: HTTPServer, clock: Clock, **options: Any) -> QuickBooksConnector:
    settings: dict[str, Any] = {"access_token": "access-OLD-token-1"}
    settings.update(options)
    return QuickBooksConnector(
        realm_id=REALM, base_url=server.url_for("/"), token_url=server.url_for(TOKEN_PATH),
        clock=lambda: NOW, sleep=clock.sleep, monotonic=clock, **settings,
    )


def page(entity: str, items: list[dict[str, Any]], start: int = 1) -> dict[str, Any]:
    body: dict[str, Any] = {"QueryResponse": {}, "time": "2026-06-01T05:00:00.000-07:00"}
    if items:
        body["QueryResponse"] = {entity: items, "startPosition": start, "maxResults": len(items)}
    return body


def customer(ident: int, updated: str = "2026-05-01T10:00:00-07:00") -> dict[str, Any]:
    return {"Id": str(ident), "DisplayName": f"Customer {ident}", "Active": True,
            "MetaData": {"CreateTime": updated, "LastUpdatedTime": updated}}


def sent(server: HTTPServer) -> list[dict[str, str]]:
    """The query parameters of each API call (token calls left out)."""
    return [dict(req.args) for req, _ in server.log if req.path == API]


def test_queries_page_with_startposition_until_a_short_page(
    httpserver: HTTPServer, clock: Clock
) -> None:
    httpserver.expect_ordered_request(API).respond_with_json(
        page("Customer", [customer(1), customer(2)]))
    # Each page after the first is asked from the place of the last customer read, one
    # more, and begins with it (2 at place 2, then 4 at place 4): nothing moved before it.
    # Customers 1 to 5 in three requests (before: five, the pages [3 4] and [5] each checked
    # by a request of its own).
    httpserver.expect_ordered_request(API).respond_with_json(
        page("Customer", [customer(2), customer(3), customer(4)], start=2))
    httpserver.expect_ordered_request(API).respond_with_json(
        page("Customer", [customer(4), customer(5)], start=4))
    pulled = pull(connector(httpserver, clock, page_size=2), streams=["customers"])
    httpserver.check_assertions()
    assert [r.id for r in pulled.records] == ["1", "2", "3", "4", "5"]
    queries = [p["query"] for p in sent(httpserver)]
    assert queries == [
        f"SELECT * FROM Customer WHERE Active IN (true, false) ORDERBY Id "
        f"STARTPOSITION {start} MAXRESULTS {size}"
        for start, size in ((1, 2), (2, 3), (4, 3))
    ]
    assert all(p["minorversion"] == "75" for p in sent(httpserver))
    for request, _ in httpserver.log:
        assert request.headers["Authorization"] == "Bearer access-OLD-token-1"
        assert request.headers["Accept"] == "application/json"


def test_paging_stops_on_a_short_page_and_never_trusts_maxresults(
    httpserver: HTTPServer, clock: Clock
) -> None:
    full = page("Invoice", [{"Id": "1"}, {"Id": "2"}])
    full["QueryResponse"]["maxResults"] = 1  # says 1, returns 2: the count of rows decides
    httpserver.expect_ordered_request(API).respond_with_json(full)
    # Page 2, from invoice 2's place: [2] alone, shorter than the 3 asked: the list ended.
    last = page("Invoice", [{"Id": "2"}], start=2)
    last["QueryResponse"]["maxResults"] = 3  # says 3, returns 1: the read still ends
    httpserver.expect_ordered_request(API).respond_with_json(last)
    pulled = pull(connector(httpserver, clock, page_size=2), streams=["invoices"])
    httpserver.check_assertions()
    assert [p["query"].split(" ORDERBY Id ")[1] for p in sent(httpserver)] == [
        "STARTPOSITION 1 MAXRESULTS 2", "STARTPOSITION 2 MAXRESULTS 3"]
    # The two raw invoices are malformed here on purpose: each is rejected with its reason,
    # once (invoice 2, on both pages, is given once).
    assert [r.record_id for r in pulled.rejected] == ["1", "2"]


def test_an_empty_query_response_is_an_empty_list(
    httpserver: HTTPServer, clock: Clock
) -> None:
    # QuickBooks leaves the entity out of a QueryResponse that found none: QueryResponse {}.
    httpserver.expect_ordered_request(API).respond_with_json(page("Invoice", []))
    pulled = pull(connector(httpserver, clock, page_size=2), streams=["invoices"])
    httpserver.check_assertions()
    assert len(sent(httpserver)) == 1
    assert not pulled.records
    assert not pulled.rejected


def test_an_incremental_sync_asks_for_changes_since_the_cursor(
    httpserver: HTTPServer, clock: Clock
) -> None:
    httpserver.expect_ordered_request(API).respond_with_json(
        page("Customer", [customer(7, "2026-05-20T09:30:00-07:00")]))
    cursor = datetime(2026, 5, 10, 8, 0, tzinfo=UTC)
    pulled = pull(connector(httpserver, clock), SyncState({"customers": cursor}),
                  streams=["customers"])
    httpserver.check_assertions()
    (params,) = sent(httpserver)
    since = cursor - QuickBooksConnector.lookback
    assert params["query"] == (
        "SELECT * FROM Customer WHERE Active IN (true, false) AND MetaData.LastUpdatedTime >= "
        f"'{since.isoformat()}' ORDERBY Id STARTPOSITION 1 MAXRESULTS 1000"
    )
    assert pulled.state.cursor("customers") == datetime(2026, 5, 20, 16, 30, tzinfo=UTC)


def test_a_throttled_429_is_waited_out_for_a_minute_then_sent_again(
    httpserver: HTTPServer, clock: Clock
) -> None:
    throttle = {"Fault": {"Error": [{"Message": "message=ThrottleExceeded; errorCode=003001; "
                                     "statusCode=429", "code": "3001"}], "type": "SERVICE"}}
    httpserver.expect_ordered_request(API).respond_with_json(throttle, status=429)
    httpserver.expect_ordered_request(API).respond_with_json(page("Customer", [customer(1)]))
    pulled = pull(connector(httpserver, clock), streams=["customers"])
    httpserver.check_assertions()
    assert clock.waits == [60.0]
    assert len(pulled.records) == 1


def test_requests_are_paced_under_the_per_second_limit(
    httpserver: HTTPServer, clock: Clock
) -> None:
    # Customers 1 to 4, pages of 1: [1], then from the last one read, two at a time:
    # [1 2] [2 3] [3 4] [4] (short: the end). Five requests.
    httpserver.expect_ordered_request(API).respond_with_json(page("Customer", [customer(1)]))
    for start in (1, 2, 3):
        httpserver.expect_ordered_request(API).respond_with_json(
            page("Customer", [customer(start), customer(start + 1)], start=start))
    httpserver.expect_ordered_request(API).respond_with_json(
        page("Customer", [customer(4)], start=4))
    conn = connector(httpserver, clock, page_size=1, requests_per_second=2)
    pull(conn, streams=["customers"])
    httpserver.check_assertions()
    # Two requests fit in each second: the 3rd waits until 1.0 s, the 5th until 2.0 s.
    assert clock.waits == [1.0, 1.0]
    assert len(sent(httpserver)) == 5


def test_oauth_refresh_rotates_the_token_through_the_callback(
    httpserver: HTTPServer, clock: Clock
) -> None:
    rotated: list[TokenSet] = []

    def api(request: Request) -> Response:
        if request.headers.get("Authorization") != "Bearer access-NEW":
            body = {"fault": {"error": [{"message": "message=AuthenticationFailed",
                                         "detail": "Token expired", "code": "3200"}],
                              "type": "AUTHENTICATION"}}
            return Response(json.dumps(body), status=401, content_type="application/json")
        return Response(json.dumps(page("Customer", [customer(1)])),
                        content_type="application/json")

    def token(request: Request) -> Response:
        assert request.form["grant_type"] == "refresh_token"
        assert request.form["refresh_token"] == "refresh-ONE"
        expected = base64.b64encode(b"app-id:app-secret").decode()
        assert request.headers["Authorization"] == f"Basic {expected}"
        assert not rotated, "the new refresh token is saved before the new access token is used"
        return Response(json.dumps({"access_token": "access-NEW", "refresh_token": "refresh-TWO",
                                    "expires_in": 3600, "token_type": "bearer"}),
                        content_type="application/json")

    httpserver.expect_ordered_request(API).respond_with_handler(api)
    httpserver.expect_ordered_request(TOKEN_PATH, method="POST").respond_with_handler(token)
    httpserver.expect_ordered_request(API).respond_with_handler(api)
    conn = connector(httpserver, clock, client_id="app-id", client_secret="app-secret",
                     refresh_token="refresh-ONE", on_token_refresh=rotated.append)
    pulled = pull(conn, streams=["customers"])
    httpserver.check_assertions()
    assert [t.refresh_token for t in rotated] == ["refresh-TWO"]
    assert rotated[0].access_token == "access-NEW"
    assert rotated[0].expires_at == NOW + timedelta(hours=1)
    assert len(pulled.records) == 1


def test_rotated_tokens_can_go_to_a_file_only_the_user_reads(
    httpserver: HTTPServer, clock: Clock, tmp_path: Path
) -> None:
    httpserver.expect_ordered_request(TOKEN_PATH, method="POST").respond_with_json(
        {"access_token": "access-NEW", "refresh_token": "refresh-TWO", "expires_in": 3600})
    httpserver.expect_ordered_request(API).respond_with_json(page("Customer", []))
    target = tmp_path / "qbo-tokens.json"
    conn = connector(httpserver, clock, access_token=None, client_id="app-id",
                     client_secret="app-secret", refresh_token="refresh-ONE",
                     token_file=str(target))
    pull(conn, streams=["customers"])
    httpserver.check_assertions()
    assert json.loads(target.read_text())["refresh_token"] == "refresh-TWO"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600


def test_a_token_file_is_read_at_start_and_rewritten_after_the_refresh(
    httpserver: HTTPServer, clock: Clock, tmp_path: Path
) -> None:
    """The next run needs only the file: it holds the refresh token the last run got."""
    target = tmp_path / "qbo-tokens.json"
    target.write_text(TokenSet(access_token="access-STALE", refresh_token="refresh-SAVED",
                               expires_at=NOW - timedelta(minutes=5)).to_json())
    target.chmod(0o600)  # a token file others can read is refused (docs/security.md)

    def token(request: Request) -> Response:
        assert request.form["refresh_token"] == "refresh-SAVED"
        return Response(json.dumps({"access_token": "access-NEW",
                                    "refresh_token": "refresh-NEXT", "expires_in": 3600}),
                        content_type="application/json")

    # The saved access token has expired: it is refreshed before the first call.
    httpserver.expect_ordered_request(TOKEN_PATH, method="POST").respond_with_handler(token)
    httpserver.expect_ordered_request(API, headers={"Authorization": "Bearer access-NEW"}
                                      ).respond_with_json(page("Customer", []))
    conn = connector(httpserver, clock, access_token=None, client_id="app-id",
                     client_secret="app-secret", token_file=str(target))
    pull(conn, streams=["customers"])
    httpserver.check_assertions()
    assert json.loads(target.read_text())["refresh_token"] == "refresh-NEXT"


def test_a_dead_refresh_token_says_how_to_reconnect_without_showing_secrets(
    httpserver: HTTPServer, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    httpserver.expect_request(TOKEN_PATH, method="POST").respond_with_json(
        {"error": "invalid_grant"}, status=400)
    caplog.set_level(logging.DEBUG)
    conn = connector(httpserver, clock, access_token=None, client_id="app-id",
                     client_secret="app-secret", refresh_token="refresh-DEAD-token",
                     on_token_refresh=lambda tokens: None)
    with pytest.raises(AuthError) as caught:
        pull(conn, streams=["customers"])
    message = str(caught.value)
    assert "invalid_grant" in message
    assert "re-connect the app" in message
    assert "refresh_token" in message
    for secret in (REALM, "refresh-DEAD-token", "app-secret"):
        assert secret not in message
    assert sent(httpserver) == []  # no API call without a token


def test_errors_and_log_lines_never_show_the_realm_id(
    httpserver: HTTPServer, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    fault = {"Fault": {"Error": [{"Message": "Invalid query",
                                  "Detail": f"QueryParserError for company {REALM}",
                                  "code": "4000"}], "type": "ValidationFault"}}
    httpserver.expect_request(API).respond_with_json(fault, status=400)
    caplog.set_level(logging.DEBUG)
    conn = connector(httpserver, clock)
    with pytest.raises(ApiError) as caught:
        pull(conn, streams=["customers"])
    message = str(caught.value)
    assert "Invalid query" in message
    assert "QuickBooks" in message
    assert REALM not in message
    ours = [r for r in caplog.records if not r.name.startswith("werkzeug")]
    assert any("query" in r.getMessage() for r in ours)  # urllib3's request line is there
    assert all(REALM not in r.getMessage() for r in ours)
    assert REALM not in repr(conn)
    assert len(sent(httpserver)) == 1  # a 400 is not retried
    conn.close()


def test_a_fault_inside_a_200_is_an_error(httpserver: HTTPServer, clock: Clock) -> None:
    httpserver.expect_request(API).respond_with_json(
        {"Fault": {"Error": [{"Message": "Unsupported", "code": "500"}], "type": "SERVICE"}})
    with pytest.raises(ApiError, match="QuickBooks SERVICE: Unsupported"):
        pull(connector(httpserver, clock), streams=["customers"])


def test_options_are_checked_before_any_call(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="token_file"):
        QuickBooksConnector(realm_id=REALM, client_id="a", client_secret="b", refresh_token="c")
    with pytest.raises(ConfigError, match="client_id"):
        QuickBooksConnector(realm_id=REALM, refresh_token="c", token_file=str(tmp_path / "t"))
    with pytest.raises(ConfigError, match="access_token"):
        QuickBooksConnector(realm_id=REALM)
    with pytest.raises(ConfigError, match="minor_version"):
        QuickBooksConnector(realm_id=REALM, access_token="x", minor_version=65)


def test_credit_memos_get_their_applications_from_payments(
    httpserver: HTTPServer, clock: Clock
) -> None:
    used = {"Id": "73", "TxnDate": "2026-03-20", "TotalAmt": 100, "Balance": 0,
            "CustomerRef": {"value": "1"}, "CurrencyRef": {"value": "USD"},
            "MetaData": {"CreateTime": "2026-03-20T10:00:00-07:00",
                         "LastUpdatedTime": "2026-03-22T10:00:00-07:00"}}
    unused = {**used, "Id": "184", "Balance": 100}
    link = {"Id": "74", "TxnDate": "2026-03-22", "TotalAmt": 0, "CustomerRef": {"value": "1"},
            "Line": [{"Amount": 100, "LinkedTxn": [{"TxnId": "71", "TxnType": "Invoice"}]},
                     {"Amount": 100, "LinkedTxn": [{"TxnId": "73", "TxnType": "CreditMemo"}]}]}
    httpserver.expect_ordered_request(API).respond_with_json(page("CreditMemo", [used, unused]))
    httpserver.expect_ordered_request(API).respond_with_json(page("Payment", [link]))
    pulled = pull(connector(httpserver, clock), streams=["credit_notes"])
    httpserver.check_assertions()
    payment_query = sent(httpserver)[1]["query"]
    # Only payments changed since the used memo was created can have applied it.
    assert payment_query == (
        "SELECT * FROM Payment WHERE MetaData.LastUpdatedTime >= '2026-03-20T17:00:00+00:00' "
        "ORDERBY Id STARTPOSITION 1 MAXRESULTS 1000"
    )
    notes = {r.id: r for r in pulled.records if isinstance(r, cg.CreditNote)}
    assert [(a.invoice_id, a.amount) for a in notes["73"].allocations] == [("71", Decimal(100))]
    assert notes["184"].allocations == ()


def test_unused_credit_memos_need_no_payment_scan(httpserver: HTTPServer, clock: Clock) -> None:
    unused = {"Id": "184", "TxnDate": "2026-05-05", "TotalAmt": 100, "Balance": 100,
              "CustomerRef": {"value": "1"}, "CurrencyRef": {"value": "USD"}}
    httpserver.expect_ordered_request(API).respond_with_json(page("CreditMemo", [unused]))
    pulled = pull(connector(httpserver, clock), streams=["credit_notes"])
    httpserver.check_assertions()
    assert len(sent(httpserver)) == 1
    assert len(pulled.records) == 1


def test_a_company_builds_a_ledger_end_to_end(httpserver: HTTPServer, clock: Clock) -> None:
    def respond(request: Request) -> Response:
        query = request.args["query"]
        entity = query.split(" FROM ")[1].split(" ")[0]
        items = {
            "Customer": [customer(1)],
            "Invoice": [{"Id": "71", "DocNumber": "1025", "TxnDate": "2026-02-19",
                         "DueDate": "2026-03-21", "TotalAmt": 205, "Balance": 0,
                         "CustomerRef": {"value": "1"}, "CurrencyRef": {"value": "USD"}}],
            "Payment": [{"Id": "72", "TxnDate": "2026-03-16", "TotalAmt": 105,
                         "CustomerRef": {"value": "1"}, "CurrencyRef": {"value": "USD"},
                         "Line": [{"Amount": 105, "LinkedTxn": [{"TxnId": "71",
                                                                  "TxnType": "Invoice"}]}]},
                        {"Id": "74", "TxnDate": "2026-03-22", "TotalAmt": 0,
                         "CustomerRef": {"value": "1"}, "CurrencyRef": {"value": "USD"},
                         "Line": [{"Amount": 100, "LinkedTxn": [{"TxnId": "71",
                                                                  "TxnType": "Invoice"}]},
                                  {"Amount": 100, "LinkedTxn": [{"TxnId": "73",
                                                                  "TxnType": "CreditMemo"}]}]}],
            "CreditMemo": [{"Id": "73", "TxnDate": "2026-03-20", "TotalAmt": 100, "Balance": 0,
                            "CustomerRef": {"value": "1"}, "CurrencyRef": {"value": "USD"}}],
            "TimeActivity": [{"Id": "5", "TxnDate": "2026-03-02", "NameOf": "Employee",
                              "EmployeeRef": {"value": "55", "name": "Emily Platt"},
                              "CustomerRef": {"value": "1", "name": "Customer 1"},
                              "BillableStatus": "Billable", "Hours": 2, "Minutes": 30}],
            "RefundReceipt": [],  # none: QuickBooks answers an empty QueryResponse
        }[entity]
        return Response(json.dumps(page(entity, items)), content_type="application/json")

    httpserver.expect_request(API).respond_with_handler(respond)
    ledger = cg.Ledger.from_connector(connector(httpserver, clock), base_currency="USD")
    httpserver.check_assertions()
    assert ledger.report.ok
    settlement = cg.settlement.settle(ledger, as_of=datetime(2026, 6, 1).date())["71"]
    # 105 paid on 16 March, the credit memo's 100 applied on 22 March: settled then.
    assert settlement.settled_on == datetime(2026, 3, 22).date()
    # The time activity counts for its customer by id: 2 h 30 min.
    (entry,) = ledger.time_entries
    assert (entry.customer_id, entry.hours, entry.billable) == ("1", Decimal("2.5"), True)
    assert settlement.days_late == 1


def test_an_older_used_credit_memo_on_a_later_page_reads_payments_from_further_back(
    httpserver: HTTPServer, clock: Clock
) -> None:
    def memo(ident: str, created: str) -> dict[str, Any]:
        return {"Id": ident, "TxnDate": created[:10], "TotalAmt": 50, "Balance": 0,
                "CustomerRef": {"value": "1"}, "CurrencyRef": {"value": "USD"},
                "MetaData": {"CreateTime": created, "LastUpdatedTime": created}}

    def link(ident: str, memo_id: str) -> dict[str, Any]:
        return {"Id": ident, "TxnDate": "2026-04-10", "TotalAmt": 0,
                "CustomerRef": {"value": "1"},
                "Line": [{"Amount": 50, "LinkedTxn": [{"TxnId": "9", "TxnType": "Invoice"}]},
                         {"Amount": 50, "LinkedTxn": [{"TxnId": memo_id,
                                                       "TxnType": "CreditMemo"}]}]}

    memos = [memo("20", "2026-04-01T00:00:00+00:00"), memo("10", "2026-03-01T00:00:00+00:00")]
    payments = [("2026-03-01", link("p1", "10")), ("2026-04-10", link("p2", "20"))]

    def respond(request: Request) -> Response:
        query = request.args["query"]
        start = int(query.split("STARTPOSITION ")[1].split(" ")[0])
        size = int(query.split("MAXRESULTS ")[1])
        if "FROM CreditMemo" in query:
            items = memos[start - 1:start - 1 + size]
            return Response(json.dumps(page("CreditMemo", items, start)),
                            content_type="application/json")
        since = query.split(">= '")[1][:10]
        found = [p for day, p in payments if day >= since]
        return Response(json.dumps(page("Payment", found[start - 1:start - 1 + size], start)),
                        content_type="application/json")

    httpserver.expect_request(API).respond_with_handler(respond)
    pulled = pull(connector(httpserver, clock, page_size=1), streams=["credit_notes"])
    httpserver.check_assertions()
    scans = [q["query"] for q in sent(httpserver) if "FROM Payment" in q["query"]]
    # First from the first used memo's creation; then, for an older memo, from further back.
    assert {q.split(">= '")[1][:10] for q in scans} == {"2026-04-01", "2026-03-01"}
    assert scans[0].split(">= '")[1][:10] == "2026-04-01"
    notes = {r.id: r for r in pulled.records if isinstance(r, cg.CreditNote)}
    assert [a.invoice_id for a in notes["10"].allocations] == ["9"]
    assert [a.invoice_id for a in notes["20"].allocations] == ["9"]


def test_a_page_without_its_query_response_names_the_page_and_says_to_try_again(
    httpserver: HTTPServer, clock: Clock
) -> None:
    httpserver.expect_ordered_request(API).respond_with_json(
        page("Customer", [customer(1), customer(2)]))
    httpserver.expect_ordered_request(API).respond_with_json(
        {"time": "2026-06-01T05:00:00.000-07:00"})
    with pytest.raises(ApiError) as caught:
        pull(connector(httpserver, clock, page_size=2), streams=["customers"])
    httpserver.check_assertions()
    message = str(caught.value)
    assert "the API answered page 2 of customers without its records" in message
    assert "the query answered without a QueryResponse; try again" in message
    assert REALM not in message


def test_a_refused_fixed_access_token_names_quickbooks_own_options(
    httpserver: HTTPServer, clock: Clock
) -> None:
    # A fixed access_token (no refresh_token): QuickBooks has no client-credentials grant,
    # which the error used to offer; it names the options this connector has.
    httpserver.expect_request(API).respond_with_json(
        {"fault": {"error": [{"message": "message=AuthenticationFailed; errorCode=003200",
                              "code": "3200"}], "type": "AUTHENTICATION"}}, status=401)
    with pytest.raises(AuthError) as caught:
        pull(connector(httpserver, clock), streams=["customers"])
    message = str(caught.value)
    assert ("a fixed access_token cannot be refreshed: pass a new one, or give refresh_token "
            "(or token_file) with client_id and client_secret so that it is refreshed"
            ) in message
    assert "client-credentials" not in message
    assert "QuickBooks refused the credentials: re-connect the app" in message
    for secret in (REALM, "access-OLD-token-1"):
        assert secret not in message
