"""The Xero connector against a fake Xero served over real HTTP (pytest-httpserver).

Every test serves an exact, ordered sequence of responses; an unexpected call fails the test
(``check_assertions``). The injected sleep records waits; nothing waits for real.
"""

from __future__ import annotations

import json
import logging
import os
import stat
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import clientguard as cg
from clientguard import connectors
from clientguard.connector import ProgressEvent, SyncState, pull
from clientguard.errors import ApiError, AuthError, ConfigError, RateLimitError
from clientguard.http import TokenSet, token_file_saver
from clientguard_xero import XeroConnector

NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
TENANT = "tenant-SECRET-7f3a"
API = "/api.xro/2.0"
ORDER = {  # each list is paged in the order of its IDs, which an edit never changes
    "Contacts": "ContactID ASC",
    "Invoices": "InvoiceID ASC",
    "Payments": "PaymentID ASC",
    "CreditNotes": "CreditNoteID ASC",
    "Overpayments": "OverpaymentID ASC",
    "Prepayments": "PrepaymentID ASC",
}


def ms(moment: date | datetime) -> str:
    """A Xero /Date(...)/ value."""
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    return f"/Date({int(moment.timestamp() * 1000)}+0000)/"


def contact(cid: str, name: str, **extra: Any) -> dict[str, Any]:
    return {"ContactID": cid, "Name": name, "IsCustomer": True,
            "UpdatedDateUTC": ms(datetime(2025, 5, 1, tzinfo=UTC)), **extra}


def invoice(number: int, *, status: str = "AUTHORISED", total: str = "100.00",
            updated: datetime | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "Type": "ACCREC",
        "InvoiceID": f"inv-{number}",
        "InvoiceNumber": f"INV-{number:04d}",
        "Contact": {"ContactID": "c-1", "Name": "Acme"},
        "Date": ms(date(2025, 4, number)),
        "DueDate": ms(date(2025, 5, number)),
        "Status": status,
        "CurrencyCode": "GBP",
        "Total": Decimal(total),
        "AmountDue": Decimal(total),
        "UpdatedDateUTC": ms(updated or datetime(2025, 5, 10, number, tzinfo=UTC)),
        **extra,
    }


def payment(pid: str, invoice_id: str, amount: str, **extra: Any) -> dict[str, Any]:
    return {
        "PaymentID": pid,
        "PaymentType": "ACCRECPAYMENT",
        "Status": "AUTHORISED",
        "Date": ms(date(2025, 5, 20)),
        "Amount": Decimal(amount),
        "CurrencyRate": 0,
        "Invoice": {"InvoiceID": invoice_id, "Type": "ACCREC", "CurrencyCode": "GBP",
                    "Contact": {"ContactID": "c-1"}},
        "UpdatedDateUTC": ms(datetime(2025, 5, 21, tzinfo=UTC)),
        **extra,
    }


def page(key: str, records: list[dict[str, Any]], number: int, count: int,
         size: int = 2) -> str:
    body = {
        "Id": "00000000-0000-0000-0000-000000000000",
        "Status": "OK",
        "ProviderName": "clientguard tests",
        "DateTimeUTC": ms(NOW),
        "pagination": {"page": number, "pageSize": size, "pageCount": count,
                       "itemCount": len(records)},
        key: records,
    }
    return json.dumps(body, default=str)


def pages_query(number: int, size: int = 2, **extra: str) -> dict[str, str]:
    return {"page": str(number), "pageSize": str(size), **extra}


class Waits(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


class FakeXero:
    """Ordered expectations on the fake server, one line per expected call."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server

    def expect(self, path: str, query: dict[str, str] | None = None,
               headers: dict[str, str] | None = None) -> Any:
        wanted = {"xero-tenant-id": TENANT, "Accept": "application/json", **(headers or {})}
        if query is not None and path in ORDER:
            query = {**query, "order": ORDER[path]}
        if query is not None and path == "Invoices":  # archived invoices are read too
            query = {**query, "includeArchived": "true"}
        return self.server.expect_ordered_request(
            f"{API}/{path}", method="GET", query_string=query, headers=wanted)

    def page(self, path: str, key: str, records: list[dict[str, Any]], number: int = 1,
             count: int = 1, query: dict[str, str] | None = None,
             headers: dict[str, str] | None = None, response_headers: dict[str, str] | None = None,
             ) -> None:
        self.expect(path, query or pages_query(number), headers).respond_with_data(
            page(key, records, number, count), content_type="application/json",
            headers=response_headers)

    def accounts(self, *accounts: dict[str, Any], status: int = 200) -> None:
        """GET /Accounts: the chart (not paged), or a refusal (403: no
        accounting.settings.read)."""
        if status != 200:
            self.expect("Accounts").respond_with_json(
                {"Title": "Forbidden", "Detail": "AuthorizationUnsuccessful"}, status=status)
            return
        self.expect("Accounts").respond_with_json({"Accounts": list(accounts)})

    def empty(self, path: str, key: str, **kw: Any) -> None:
        self.page(path, key, [], 1, 0, **kw)

    def connections(self, *tenants: tuple[str, str]) -> None:
        self.server.expect_ordered_request("/connections", method="GET").respond_with_json(
            [{"id": f"conn-{i}", "tenantId": tid, "tenantType": "ORGANISATION",
              "tenantName": name} for i, (tid, name) in enumerate(tenants)])


@pytest.fixture
def xero(httpserver: HTTPServer) -> Iterator[FakeXero]:
    yield FakeXero(httpserver)
    httpserver.check_assertions()  # no unexpected call, no expected call missing


@pytest.fixture
def waits() -> Waits:
    return Waits()


def connect(server: HTTPServer, waits: Waits, **options: Any) -> XeroConnector:
    options.setdefault("page_size", 2)
    if not any(k in options for k in ("refresh_token", "token_file", "client_secret")):
        options.setdefault("access_token", "access-SECRET-1")
    conn = connectors.load("xero")(
        base_url=server.url_for(API),
        sleep=waits,
        clock=lambda: NOW,
        **options,
    )
    assert isinstance(conn, XeroConnector)
    return conn


# =============================================================================== full sync


def test_full_sync_pages_to_the_last_page_and_waits_out_a_minute_limit(
    httpserver: HTTPServer, xero: FakeXero, waits: Waits
) -> None:
    xero.connections((TENANT, "Demo Company (UK)"))
    xero.page("Contacts", "Contacts", [contact("c-1", "Acme")],
              query=pages_query(1, includeArchived="true"))
    where = 'Type=="ACCREC"'
    xero.page("Invoices", "Invoices", [invoice(1), invoice(2)], 1, 3,
              query=pages_query(1, where=where))
    xero.page("Invoices", "Invoices", [invoice(3), invoice(4, status="PAID",
              FullyPaidOnDate=ms(date(2025, 5, 20)), AmountDue=0)], 2, 3,
              query=pages_query(2, where=where))
    xero.page("Invoices", "Invoices", [invoice(5, status="VOIDED")], 3, 3,
              query=pages_query(3, where=where))
    xero.expect("Payments", pages_query(1)).respond_with_json(
        {"Title": "Too many requests"}, status=429,
        headers={"Retry-After": "2", "X-Rate-Limit-Problem": "minute"})
    xero.page("Payments", "Payments", [
        payment("p-1", "inv-4", "100.00"),
        payment("p-2", "inv-1", "40.00", Status="DELETED"),
    ])
    xero.empty("CreditNotes", "CreditNotes")
    xero.empty("Overpayments", "Overpayments")
    xero.empty("Prepayments", "Prepayments")

    events: list[ProgressEvent] = []
    conn = connect(httpserver, waits)
    conn.progress = events.append
    ledger = cg.Ledger.from_connector(conn, base_currency="GBP", strict=False)

    assert [i.id for i in ledger.invoices] == ["inv-1", "inv-2", "inv-3", "inv-4", "inv-5"]
    assert {i.id: i.status for i in ledger.invoices}["inv-5"] == "void"
    assert ledger.invoice("inv-4").paid_on == date(2025, 5, 20)
    assert [p.id for p in ledger.payments] == ["p-1"]
    assert ledger.report.rejected == ()
    assert waits == [2.0]
    assert ("wait", 2.0) in [(e.event, e.wait_seconds) for e in events]
    # every Accounting call carried the bearer token (the fake matched xero-tenant-id)
    api_calls = [r for r, _ in httpserver.log if r.path.startswith(API)]
    assert len(api_calls) == 9
    assert {r.headers["Authorization"] for r in api_calls} == {"Bearer access-SECRET-1"}
    assert all("If-Modified-Since" not in r.headers for r in api_calls)


def test_the_cursor_after_a_sync_is_the_latest_change_and_feeds_if_modified_since(
    httpserver: HTTPServer, xero: FakeXero, waits: Waits
) -> None:
    where = 'Type=="ACCREC"'
    last_change = datetime(2025, 5, 10, 4, 0, 0, 250000, tzinfo=UTC)
    xero.page("Invoices", "Invoices", [invoice(3), invoice(4, updated=last_change)],
              query=pages_query(1, where=where))
    conn = connect(httpserver, waits, tenant_id=TENANT)
    pulled = pull(conn, streams=["invoices"])
    assert pulled.state.cursor("invoices") == last_change

    # Next run: from the cursor, a second early (Xero's If-Modified-Since is to the second).
    xero.page("Invoices", "Invoices", [invoice(4, updated=last_change)],
              query=pages_query(1, where=where),
              headers={"If-Modified-Since": "2025-05-10T03:59:59Z"})
    again = pull(connect(httpserver, waits, tenant_id=TENANT), pulled.state,
                 streams=["invoices"])
    assert [r.id for r in again.records] == ["inv-4"]
    assert again.state.cursor("invoices") == last_change


def test_full_resync_ignores_the_cursor(
    httpserver: HTTPServer, xero: FakeXero, waits: Waits
) -> None:
    xero.page("Invoices", "Invoices", [invoice(1)], query=pages_query(1, where='Type=="ACCREC"'))
    state = SyncState({"invoices": datetime(2025, 5, 30, tzinfo=UTC)})
    pull(connect(httpserver, waits, tenant_id=TENANT), state, streams=["invoices"], full=True)
    (request, _), = httpserver.log
    assert "If-Modified-Since" not in request.headers


# =============================================================================== limits


def test_a_day_limit_429_fails_at_once_with_its_reset_time(
    httpserver: HTTPServer, xero: FakeXero, waits: Waits
) -> None:
    xero.expect("Contacts", pages_query(1, includeArchived="true")).respond_with_json(
        {"Title": "Too many requests"}, status=429,
        headers={"Retry-After": "3600", "X-Rate-Limit-Problem": "day",
                 "Date": "Mon, 02 Jun 2025 12:00:00 GMT"})
    with pytest.raises(RateLimitError) as caught:
        pull(connect(httpserver, waits, tenant_id=TENANT))
    assert waits == []
    assert caught.value.resets_at == NOW + timedelta(hours=1)
    assert "2025-06-02 13:00:00 UTC" in str(caught.value)
    assert "stream customers" in str(caught.value)
    assert TENANT not in str(caught.value)


def test_paces_itself_when_no_call_is_left_this_minute(
    httpserver: HTTPServer, xero: FakeXero, waits: Waits
) -> None:
    where = 'Type=="ACCREC"'
    xero.page("Invoices", "Invoices", [invoice(1), invoice(2)], 1, 2,
              query=pages_query(1, where=where),
              response_headers={"X-MinLimit-Remaining": "0", "X-DayLimit-Remaining": "4000"})
    xero.page("Invoices", "Invoices", [invoice(3)], 2, 2, query=pages_query(2, where=where))
    pull(connect(httpserver, waits, tenant_id=TENANT), streams=["invoices"])
    assert waits == [60.0]


class MovingClock:
    """A clock that moves only when the connector sleeps (or a test moves it)."""

    def __init__(self) -> None:
        self.now = NOW
        self.waits = Waits()

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits(seconds)
        self.now += timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("late", "expected"),
    [
        # The next call is paced at once: the whole minute (60 s). The call after it comes
        # 60 s after the reading, when Xero's rolling minute holds none of the calls it
        # counted: no wait. (Before, the reading was kept with no time on it, and every
        # later call without the headers waited 60 s again: [60.0, 60.0].)
        pytest.param(0, [60.0], id="paced at once: one minute, once"),
        # The reading is 20 s old when the next call is paced: the 40 s left of its minute.
        pytest.param(20, [40.0], id="20 s later: the rest of the minute"),
        # A reading a minute old or more says nothing of this minute: no wait.
        pytest.param(60, [], id="a minute later: forgotten"),
    ],
)
def test_a_minute_limit_is_paced_only_while_its_reading_is_fresh(
    httpserver: HTTPServer, xero: FakeXero, late: int, expected: list[float]
) -> None:
    where = 'Type=="ACCREC"'
    xero.page("Invoices", "Invoices", [invoice(1), invoice(2)], 1, 3,
              query=pages_query(1, where=where),
              response_headers={"X-MinLimit-Remaining": "0", "X-DayLimit-Remaining": "4000"})
    # The pages after it carry no rate-limit headers (a proxy that drops them, say).
    xero.page("Invoices", "Invoices", [invoice(3), invoice(4)], 2, 3,
              query=pages_query(2, where=where))
    xero.page("Invoices", "Invoices", [invoice(5)], 3, 3, query=pages_query(3, where=where))
    clock = MovingClock()
    conn = connectors.load("xero")(base_url=httpserver.url_for(API), sleep=clock.sleep,
                                   clock=clock, tenant_id=TENANT, access_token="access-SECRET-1",
                                   page_size=2)
    pages = conn.sync(streams=["invoices"])
    assert [r.id for r in next(pages).records] == ["inv-1", "inv-2"]
    clock.now += timedelta(seconds=late)
    assert [r.id for page in pages for r in page.records] == ["inv-3", "inv-4", "inv-5"]
    assert clock.waits == expected


def test_stops_before_spending_the_days_reserve(
    httpserver: HTTPServer, xero: FakeXero, waits: Waits
) -> None:
    where = 'Type=="ACCREC"'
    xero.page("Invoices", "Invoices", [invoice(1), invoice(2)], 1, 2,
              query=pages_query(1, where=where),
              response_headers={"X-MinLimit-Remaining": "50", "X-DayLimit-Remaining": "100"})
    conn = connect(httpserver, waits, tenant_id=TENANT, min_day_remaining=100)
    pages = conn.sync(streams=["invoices"])
    first = next(pages)
    assert [r.id for r in first.records] == ["inv-1", "inv-2"]
    with pytest.raises(RateLimitError, match="100 calls left"):
        next(pages)


# =============================================================================== auth


def test_401_refreshes_once_rotates_the_token_into_the_file_then_retries(
    httpserver: HTTPServer, xero: FakeXero, waits: Waits, tmp_path: Path
) -> None:
    token_file = tmp_path / "xero-tokens.json"
    token_file_saver(token_file)(TokenSet("access-OLD", "refresh-SECRET-1"))
    where = 'Type=="ACCREC"'

    xero.expect("Invoices", pages_query(1, where=where),
                {"Authorization": "Bearer access-OLD"}).respond_with_json(
        {"Title": "Unauthorized", "Detail": "TokenExpired: token expired at 06/02/2025"},
        status=401)

    def token_endpoint(request: Request) -> Response:
        assert request.form["grant_type"] == "refresh_token"
        assert request.form["refresh_token"] == "refresh-SECRET-1"
        assert request.authorization is not None
        assert (request.authorization.username, request.authorization.password) == (
            "app-1", "app-SECRET")
        return Response(json.dumps({"access_token": "access-NEW", "refresh_token":
                                    "refresh-SECRET-2", "expires_in": 1800,
                                    "token_type": "Bearer"}),
                        content_type="application/json")

    httpserver.expect_ordered_request("/token", method="POST").respond_with_handler(
        token_endpoint)

    def retried(request: Request) -> Response:
        # The rotated refresh token was saved before the new access token was first used.
        saved = json.loads(token_file.read_text())
        assert saved["refresh_token"] == "refresh-SECRET-2"
        assert request.headers["Authorization"] == "Bearer access-NEW"
        return Response(page("Invoices", [invoice(1)], 1, 1), content_type="application/json")

    xero.expect("Invoices", pages_query(1, where=where)).respond_with_handler(retried)

    conn = connect(httpserver, waits, tenant_id=TENANT, token_file=token_file,
                   client_id="app-1", client_secret="app-SECRET",
                   token_url=httpserver.url_for("/token"))
    pulled = pull(conn, streams=["invoices"])
    assert [r.id for r in pulled.records] == ["inv-1"]
    assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600
    assert json.loads(token_file.read_text())["access_token"] == "access-NEW"
    assert waits == []


def test_refresh_tokens_go_to_the_callers_callback(
    httpserver: HTTPServer, xero: FakeXero, waits: Waits
) -> None:
    httpserver.expect_ordered_request("/token", method="POST").respond_with_json(
        {"access_token": "access-1", "refresh_token": "refresh-2", "expires_in": 1800})
    xero.page("Invoices", "Invoices", [], 1, 0, query=pages_query(1, where='Type=="ACCREC"'),
              headers={"Authorization": "Bearer access-1"})
    saved: list[TokenSet] = []
    conn = connect(httpserver, waits, tenant_id=TENANT, refresh_token="refresh-1",
                   client_id="app-1", client_secret="s", on_token_refresh=saved.append,
                   token_url=httpserver.url_for("/token"))
    pull(conn, streams=["invoices"])
    assert [t.refresh_token for t in saved] == ["refresh-2"]


def test_a_custom_connection_uses_client_credentials_and_finds_its_tenant(
    httpserver: HTTPServer, xero: FakeXero, waits: Waits, caplog: pytest.LogCaptureFixture
) -> None:
    def token_endpoint(request: Request) -> Response:
        assert request.form["grant_type"] == "client_credentials"
        return Response(json.dumps({"access_token": "cc-access", "expires_in": 1800}),
                        content_type="application/json")

    httpserver.expect_ordered_request("/token", method="POST").respond_with_handler(
        token_endpoint)
    xero.connections((TENANT, "Custom Co"))
    xero.page("Invoices", "Invoices", [invoice(1)], query=pages_query(1, where='Type=="ACCREC"'),
              headers={"Authorization": "Bearer cc-access"})
    conn = connect(httpserver, waits, client_id="app-1", client_secret="app-SECRET",
                   token_url=httpserver.url_for("/token"))
    caplog.set_level(logging.DEBUG)
    assert [r.id for r in pull(conn, streams=["invoices"]).records] == ["inv-1"]
    # The tenant found through /connections is one of the client's secrets from then on:
    # the client redacts it, like the tokens, from its own and urllib3's log lines.
    ours = [r for r in caplog.records if not r.name.startswith("werkzeug")]
    assert all("SECRET" not in r.getMessage() and "cc-access" not in r.getMessage()
               for r in ours)
    assert conn.client.scrub(f"tenant {TENANT}") == "tenant [redacted]"
    conn.close()


def test_a_refused_fixed_token_is_an_auth_error(
    httpserver: HTTPServer, xero: FakeXero, waits: Waits
) -> None:
    xero.expect("Contacts", pages_query(1, includeArchived="true")).respond_with_json(
        {"Title": "Unauthorized", "Detail": "AuthenticationUnsuccessful"}, status=401)
    with pytest.raises(AuthError, match="AuthenticationUnsuccessful") as caught:
        pull(connect(httpserver, waits, tenant_id=TENANT))
    assert "SECRET" not in str(caught.value)
    # Xero's own ways to a token that refreshes, by their option names.
    assert ("a fixed access_token cannot be refreshed: pass a new one, or give refresh_token "
            "(or token_file) with client_id so that it is refreshed, or client_id and "
            "client_secret alone (a custom connection)") in str(caught.value)


# =============================================================================== tenants, options


def test_several_organisations_need_a_name_and_the_error_lists_names_not_ids(
    httpserver: HTTPServer, xero: FakeXero, waits: Waits
) -> None:
    xero.connections(("tenant-SECRET-a", "Alpha Ltd"), ("tenant-SECRET-b", "Beta Ltd"))
    with pytest.raises(ConfigError, match="'Alpha Ltd', 'Beta Ltd'") as caught:
        pull(connect(httpserver, waits))
    assert "SECRET" not in str(caught.value)


def test_tenant_name_picks_the_organisation(
    httpserver: HTTPServer, xero: FakeXero, waits: Waits
) -> None:
    xero.connections(("other-tenant", "Alpha Ltd"), (TENANT, "Beta Ltd"))
    xero.empty("Invoices", "Invoices", query=pages_query(1, where='Type=="ACCREC"'))
    pull(connect(httpserver, waits, tenant_name="beta ltd"), streams=["invoices"])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "no credentials"),
        ({"refresh_token": "r"}, "needs client_id"),
        ({"refresh_token": "r", "client_id": "a"}, "on_token_refresh= or token_file="),
        ({"access_token": "t", "client_id": "a", "client_secret": "s"}, "ambiguous"),
        ({"access_token": "t", "page_size": 5000}, "page_size"),
        ({"access_token": "t", "tenant": "x"}, "tenant: not an option"),
    ],
)
def test_options_are_checked_when_the_connector_is_made(
    options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        XeroConnector(**options)


def test_repr_and_describe_show_no_secret() -> None:
    conn = XeroConnector(tenant_id=TENANT, access_token="access-SECRET-9")
    assert "SECRET" not in repr(conn)
    assert "SECRET" not in repr(conn.options)
    assert "SECRET" not in repr(conn.client)
    info = XeroConnector.describe()
    secrets = {o.name for o in info.options if o.secret}
    assert {"tenant_id", "access_token", "refresh_token", "client_secret"} <= secrets
    assert [s.name for s in info.streams] == [
        "customers", "invoices", "payments", "credit_notes", "overpayments", "prepayments",
        "time_entries"]


def test_the_tenant_id_an_api_echoes_never_reaches_an_error(
    httpserver: HTTPServer, xero: FakeXero, waits: Waits
) -> None:
    xero.expect("Invoices", pages_query(1, where='Type=="ACCREC"')).respond_with_json(
        {"Message": f"Organisation {TENANT} is not subscribed"}, status=400)
    with pytest.raises(cg.ClientguardError) as caught:
        pull(connect(httpserver, waits, tenant_id=TENANT), streams=["invoices"])
    assert TENANT not in str(caught.value)
    assert "is not subscribed" in str(caught.value)


# =============================================================================== mapping in a sync


def test_merged_contacts_are_followed_and_unmappable_records_become_rejections(
    httpserver: HTTPServer, xero: FakeXero, waits: Waits
) -> None:
    where = 'Type=="ACCREC"'
    conn = connect(httpserver, waits, tenant_id=TENANT, page_size=3)
    xero.page("Contacts", "Contacts", [
        contact("c-1", "Acme Ltd"),
        contact("c-old", "Acme (old)", MergedToContactID="c-1", ContactStatus="ARCHIVED"),
    ], query=pages_query(1, size=3, includeArchived="true"))
    xero.page("Invoices", "Invoices", [
        invoice(1, Contact={"ContactID": "c-old"}),
        invoice(2, Date="/Date(garbage)/"),
        invoice(3, Total=Decimal("-5")),
    ], query=pages_query(1, size=3, where=where))
    pulled = pull(conn, streams=["customers", "invoices"])
    records = {r.id: r for r in pulled.records if isinstance(r, cg.Invoice)}
    customers = {r.id: r for r in pulled.records if isinstance(r, cg.Customer)}
    assert records["inv-1"].customer_id == "c-1"
    assert customers["c-old"].group_id == "c-1"
    rejected = {(r.record_id, r.field): r.reason for r in pulled.rejected}
    assert set(rejected) == {("inv-2", None), ("inv-3", "total")}
    assert "not a Xero date" in rejected[("inv-2", None)]
    assert all(r.location is not None and "GET Invoices" in str(r.location)
               for r in pulled.rejected)


# =============================================================================== local dates


def local_ms(day: date, zone: str) -> str:
    """Midnight of ``day`` in the organisation's offset ``zone``, as older organisations and
    Xero's own examples write a date field: /Date(1398600000000+1200)/ is 28 April 2014."""
    sign = 1 if zone[0] == "+" else -1
    offset = timedelta(hours=sign * int(zone[1:3]), minutes=sign * int(zone[3:]))
    utc = datetime(day.year, day.month, day.day, tzinfo=UTC) - offset
    return f"/Date({int(utc.timestamp() * 1000)}{zone})/"


@pytest.mark.parametrize("zone", ["+1300", "+1200", "-0500", "+0000"])
def test_an_organisation_writing_local_midnights_gets_its_own_dates_over_a_sync(
    httpserver: HTTPServer, xero: FakeXero, waits: Waits, zone: str
) -> None:
    # Invoice due 31 May, paid 1 June (one day late) by a payment, and a credit note and an
    # overpayment allocated on their days: every date as the organisation wrote it.
    xero.connections((TENANT, "Demo Company (NZ)"))
    where = 'Type=="ACCREC"'
    late = invoice(1, Date=local_ms(date(2025, 5, 1), zone),
                   DueDate=local_ms(date(2025, 5, 31), zone), Total=Decimal("100.00"))
    credited = invoice(2, Date=local_ms(date(2025, 5, 2), zone),
                       DueDate=local_ms(date(2025, 5, 30), zone), status="PAID",
                       FullyPaidOnDate=local_ms(date(2025, 5, 29), zone), AmountDue=0)
    xero.page("Invoices", "Invoices", [late, credited], query=pages_query(1, where=where))
    xero.page("Payments", "Payments", [
        payment("p-1", "inv-1", "60.00", Date=local_ms(date(2025, 6, 1), zone),
                UpdatedDateUTC=f"/Date(1748736000000{zone})/")])
    xero.page("CreditNotes", "CreditNotes", [{
        "CreditNoteID": "cn-1", "CreditNoteNumber": "CN-1", "Type": "ACCRECCREDIT",
        "Status": "PAID", "Contact": {"ContactID": "c-1"}, "CurrencyCode": "GBP",
        "Date": local_ms(date(2025, 5, 28), zone), "Total": Decimal("100.00"),
        "Allocations": [{"Amount": Decimal("100.00"), "Date": local_ms(date(2025, 5, 29), zone),
                         "Invoice": {"InvoiceID": "inv-2"}}],
        "UpdatedDateUTC": ms(datetime(2025, 5, 29, tzinfo=UTC))}])
    xero.accounts()  # an allocated credit note: is it a bad debt written off? (no chart)
    xero.page("Overpayments", "Overpayments", [{
        "OverpaymentID": "o-1", "Type": "RECEIVE-OVERPAYMENT", "Status": "AUTHORISED",
        "Contact": {"ContactID": "c-1"}, "CurrencyCode": "GBP",
        "Date": local_ms(date(2025, 6, 1), zone), "Total": Decimal("40.00"),
        "Allocations": [{"Amount": Decimal("40.00"), "Date": local_ms(date(2025, 6, 1), zone),
                         "Invoice": {"InvoiceID": "inv-1"}}],
        "UpdatedDateUTC": ms(datetime(2025, 6, 1, tzinfo=UTC))}])
    xero.empty("Prepayments", "Prepayments")
    conn = connect(httpserver, waits)
    pulled = pull(conn, streams=["invoices", "payments", "credit_notes", "overpayments",
                                 "prepayments"])
    ledger = cg.Ledger.build(pulled.records, base_currency="GBP")
    assert ledger.invoice("inv-1").issue_date == date(2025, 5, 1)
    assert ledger.invoice("inv-1").due_date == date(2025, 5, 31)
    assert ledger.invoice("inv-2").paid_on == date(2025, 5, 29)
    assert ledger.payment("p-1").date == date(2025, 6, 1)
    assert ledger.credit_note("cn-1").issue_date == date(2025, 5, 28)
    assert ledger.credit_note("cn-1").allocations[0].date == date(2025, 5, 29)
    assert ledger.payment("o-1").allocations[0].date == date(2025, 6, 1)
    settled = cg.settle(ledger, as_of=date(2025, 6, 30))
    assert (settled["inv-1"].settled_on, settled["inv-1"].days_late) == (date(2025, 6, 1), 1)
    assert settled["inv-2"].days_late == 0
    # UpdatedDateUTC is a moment in UTC whatever its offset: 1 June 00:00 UTC, clamped by NOW.
    assert pulled.state.cursor("payments") == datetime(2025, 6, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("item_count", "expected"),
    [
        (3, [(2, 3), (3, 3)]),  # records read of the query's itemCount
        (None, [(None, None), (None, None)]),  # a response without pagination.itemCount
        ("3", [(None, None), (None, None)]),
    ],
    ids=["count", "missing", "text"],
)
def test_progress_carries_xeros_item_count(
    httpserver: HTTPServer, xero: FakeXero, waits: Waits, item_count: Any,
    expected: list[Any],
) -> None:
    xero.connections((TENANT, "Demo Company (UK)"))
    where = 'Type=="ACCREC"'
    for number, records in ((1, [invoice(1), invoice(2)]), (2, [invoice(3)])):
        body = json.loads(page("Invoices", records, number, 2))
        body["pagination"]["itemCount"] = item_count
        xero.expect("Invoices", pages_query(number, where=where)).respond_with_json(body)
    events: list[ProgressEvent] = []
    conn = connect(httpserver, waits)
    conn.progress = events.append
    pull(conn, streams=["invoices"])
    pages = [e for e in events if e.event == "page" and e.stream == "invoices"]
    assert [(e.read, e.total) for e in pages] == expected


# =============================================================================== paging


class EditedWhilePaging:
    """A Xero that honours ``order`` and ``If-Modified-Since``, where a user edits INV-0001
    (its total, and so its UpdatedDateUTC) right after the first page was served."""

    edited_at = NOW + timedelta(minutes=1)

    def __init__(self) -> None:
        self.changed = {n: (datetime(2025, 5, 10, n, tzinfo=UTC), "100.00") for n in range(1, 7)}
        self.orders: list[str] = []
        self.edited = False

    def __call__(self, request: Request) -> Response:
        order = request.args["order"]
        self.orders.append(order)
        number, size = int(request.args["page"]), int(request.args["pageSize"])
        since_text = request.headers.get("If-Modified-Since")
        since = datetime.fromisoformat(since_text.replace("Z", "+00:00")) if since_text else None
        rows = [(n, *v) for n, v in self.changed.items() if since is None or v[0] >= since]
        if order == "UpdatedDateUTC ASC":
            rows.sort(key=lambda row: (row[1], row[0]))
        else:
            assert order == "InvoiceID ASC"
            rows.sort(key=lambda row: f"inv-{row[0]}")
        chunk = rows[(number - 1) * size: number * size]
        count = -(-len(rows) // size)
        body = page("Invoices", [invoice(n, updated=at, total=total) for n, at, total in chunk],
                    number, count, size)
        if number == 1 and not self.edited:
            self.edited = True
            self.changed[1] = (self.edited_at, "150.00")
        return Response(body, content_type="application/json")


def test_a_record_edited_between_two_pages_is_never_skipped(
    httpserver: HTTPServer, waits: Waits
) -> None:
    xero = EditedWhilePaging()
    httpserver.expect_request(f"{API}/Invoices").respond_with_handler(xero)
    first = pull(connect(httpserver, waits, tenant_id=TENANT), streams=["invoices"])
    assert sorted(r.id for r in first.records if isinstance(r, cg.Invoice)) == [
        f"inv-{n}" for n in range(1, 7)]
    # The cursor moved only at the end, and not past the edit, which was made after the
    # sync started: the next incremental sync reads the edited invoice.
    assert first.state.cursor("invoices") == datetime(2025, 5, 10, 6, tzinfo=UTC)
    later = connectors.load("xero")(base_url=httpserver.url_for(API), sleep=waits,
                                    clock=lambda: NOW + timedelta(hours=1),
                                    access_token="access-SECRET-1", tenant_id=TENANT,
                                    page_size=2)
    second = pull(later, first.state, streams=["invoices"])
    totals = {r.id: r.total for r in second.records if isinstance(r, cg.Invoice)}
    assert totals["inv-1"] == Decimal("150.00")
    assert set(xero.orders) == {"InvoiceID ASC"}


@pytest.mark.parametrize(
    ("bad", "said"),
    [
        pytest.param(page("Invoices", [], 2, 3), "an empty list, though the API counts 3 pages",
                     id="empty page 2 of 3"),
        pytest.param('{"Status": "OK"}', "the body has no 'Invoices' list", id="no Invoices"),
        pytest.param('"Service temporarily unavailable"', "the body is a text", id="a text"),
    ],
)
def test_a_page_without_its_invoices_fails_the_sync_instead_of_ending_it(
    httpserver: HTTPServer, xero: FakeXero, waits: Waits, bad: str, said: str
) -> None:
    where = 'Type=="ACCREC"'
    xero.page("Invoices", "Invoices", [invoice(1), invoice(2)], 1, 3,
              query=pages_query(1, where=where))
    xero.expect("Invoices", pages_query(2, where=where)).respond_with_data(
        bad, content_type="application/json")
    with pytest.raises(ApiError) as caught:
        pull(connect(httpserver, waits, tenant_id=TENANT), streams=["invoices"])
    message = str(caught.value)
    assert "the API answered page 2 of invoices without its records" in message
    assert said in message
    assert "connector xero, stream invoices, HTTP 200" in message
    assert TENANT not in message


class WithoutPagination:
    """A Xero whose answers carry no ``pagination`` (an older Accounting API): it serves
    ``per_page`` invoices a page (100 whatever ``pageSize`` asks, when it does not take
    ``pageSize``) out of ``held``, and records the pages asked for."""

    def __init__(self, held: int, per_page: int | None) -> None:
        self.held = [invoice(1, InvoiceID=f"inv-{n:04d}") for n in range(held)]
        self.per_page = per_page
        self.asked: list[int] = []

    def __call__(self, request: Request) -> Response:
        number = int(request.args["page"])
        size = self.per_page or int(request.args["pageSize"])
        self.asked.append(number)
        chunk = self.held[(number - 1) * size: number * size]
        return Response(json.dumps({"Status": "OK", "Invoices": chunk}, default=str),
                        content_type="application/json")


@pytest.mark.parametrize(
    ("held", "per_page", "page_size", "asked"),
    [
        # Xero's spec: "Up to 100 invoices will be returned in a single API call ... If there
        # are 100 records in the response ... fetching the next page ... until no more
        # results are returned". 150 invoices are a page of 100 and one of 50.
        pytest.param(150, 100, 1000, [1, 2], id="pageSize not taken: 100 then 50"),
        pytest.param(200, 100, 1000, [1, 2, 3], id="pageSize not taken: 100, 100, empty"),
        pytest.param(150, None, 1000, [1, 2], id="pageSize taken: 150, then empty"),
        pytest.param(40, 100, 1000, [1], id="a page of fewer than 100 is the last"),
        pytest.param(5, None, 2, [1, 2, 3], id="pageSize 2 taken: 2, 2, then 1"),
    ],
)
def test_pages_without_pagination_are_read_until_xeros_own_last_page(
    httpserver: HTTPServer, waits: Waits, held: int, per_page: int | None, page_size: int,
    asked: list[int],
) -> None:
    xero = WithoutPagination(held, per_page)
    httpserver.expect_request(f"{API}/Invoices").respond_with_handler(xero)
    pulled = pull(connect(httpserver, waits, tenant_id=TENANT, page_size=page_size),
                  streams=["invoices"])
    ids = [r.id for r in pulled.records if isinstance(r, cg.Invoice)]
    assert ids == [f"inv-{n:04d}" for n in range(held)]  # every invoice, each once
    assert xero.asked == asked
