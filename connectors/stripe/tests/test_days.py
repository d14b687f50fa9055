"""The day a Stripe timestamp counts on: its day in the ``timezone`` option's zone, else in
the account's own time zone (``GET /v1/account``'s ``settings.dashboard.timezone``, "the
timezone used in the Stripe Dashboard for this account", an IANA name: Stripe's API
reference, the account object), else UTC with a note. Served over real HTTP
(pytest-httpserver).

Expected days worked out by hand from the zones' rules (IANA tz database; the Sundays from
the 2026 calendar):

* America/New_York is UTC-5 (EST) in winter and UTC-4 (EDT) in summer; in 2026 summer time
  starts on Sunday 8 March at 02:00 EST (07:00 UTC) and ends on Sunday 1 November at
  02:00 EDT (06:00 UTC): the second Sunday of March and the first of November.
* Europe/Warsaw is UTC+1 (CET) in winter and UTC+2 (CEST) in summer; in 2026 summer time
  starts on Sunday 29 March at 01:00 UTC and ends on Sunday 25 October at 01:00 UTC (the
  last Sundays of March and October).

What a restricted key is answered (GET /v1/account, 403, ``invalid_request_error``): "The
provided key 'rk_test_***...' does not have the required permissions for this endpoint on
account 'acct_...'. Having the 'rak_accounts_kyc_id_numbers_read' permission would allow
this request to continue." (reported in stripe/stripe-node#2246, 2025, and
woocommerce/woocommerce-gateway-stripe#634, 2023); older answers name no permission ("This
is a restricted API key, but the required permissions are not available for use by
restricted keys", singer-io/tap-stripe#38, 2019).
"""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

import clientguard as cg
from clientguard.connector import SyncState, pull
from clientguard.errors import ApiError, AuthError
from clientguard.store import Store
from clientguard_stripe import StripeConnector

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
API_KEY = "rk_test_51DaysKeyNeverShown4321"
ACCOUNT_ID = "acct_1TenantNeverShown"
ACCOUNT = "/v1/account"
ABSENT = object()
"""An account whose ``settings.dashboard`` has no ``timezone`` field."""


def at(text: str) -> int:
    """Unix seconds of an ISO time given in UTC (``2026-03-02T00:00Z``)."""
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def invoice(ident: str, moment: int) -> dict[str, Any]:
    """A paid charge_automatically invoice finalised and paid at ``moment``: its issue,
    due and paid days are all ``moment``'s day."""
    return {
        "id": ident, "object": "invoice", "customer": "cus_1", "number": ident.upper(),
        "status": "paid", "currency": "usd", "created": moment, "effective_at": moment,
        "due_date": None, "total": 1000, "amount_due": 1000, "amount_paid": 1000,
        "amount_remaining": 0,
        "status_transitions": {"finalized_at": moment, "paid_at": moment},
    }


def credit_note(ident: str, moment: int) -> dict[str, Any]:
    """A pre-payment credit note issued at ``moment`` on invoice in_open."""
    return {
        "id": ident, "object": "credit_note", "customer": "cus_1", "invoice": "in_open",
        "status": "issued", "type": "pre_payment", "currency": "usd", "total": 500,
        "amount": 500, "pre_payment_amount": 500, "created": moment, "effective_at": moment,
    }


def listing(items: list[dict[str, Any]], path: str) -> dict[str, Any]:
    return {"object": "list", "url": path, "has_more": False, "data": items}


def account(zone: object) -> dict[str, Any]:
    dashboard: dict[str, Any] = {"display_name": "Acme Billing"}
    if zone is not ABSENT:
        dashboard["timezone"] = zone
    return {"id": ACCOUNT_ID, "object": "account", "settings": {"dashboard": dashboard}}


def connector(server: HTTPServer, **options: Any) -> StripeConnector:
    return StripeConnector(api_key=API_KEY, base_url=server.url_for("/"), clock=lambda: NOW,
                           sleep=lambda seconds: None, **options)


def reads_of_account(server: HTTPServer) -> int:
    return [request.path for request, _ in server.log].count(ACCOUNT)


# One invoice (or credit note) a time, either side of midnight in the zone that counts.
NEW_YORK_EVENING = ["2026-03-01T23:30:00Z", "2026-03-02T00:00:00Z"]  # 18:30, 19:00 EST 1 Mar
NEW_YORK_SPRING = [
    "2026-03-08T04:30:00Z",  # 23:30 EST, Saturday 7 March
    "2026-03-08T05:30:00Z",  # 00:30 EST, Sunday 8 March (summer time starts at 02:00)
    "2026-03-09T03:30:00Z",  # 23:30 EDT, Sunday 8 March
    "2026-03-09T04:30:00Z",  # 00:30 EDT, Monday 9 March (in EST it would be 23:30 on 8 March)
]
NEW_YORK_AUTUMN = [
    "2026-11-01T03:30:00Z",  # 23:30 EDT, Saturday 31 October
    "2026-11-01T04:30:00Z",  # 00:30 EDT, Sunday 1 November (summer time ends at 02:00)
    "2026-11-02T04:30:00Z",  # 23:30 EST, Sunday 1 November (in EDT it would be 00:30 on 2 Nov)
    "2026-11-02T05:30:00Z",  # 00:30 EST, Monday 2 November
]
WARSAW_SUMMER = ["2026-07-31T21:30:00Z", "2026-07-31T22:30:00Z"]  # 23:30 31 Jul, 00:30 1 Aug
WARSAW_SPRING = [
    "2026-03-28T22:30:00Z",  # 23:30 CET, Saturday 28 March
    "2026-03-28T23:30:00Z",  # 00:30 CET, Sunday 29 March (summer time starts at 02:00)
    "2026-03-29T21:30:00Z",  # 23:30 CEST, Sunday 29 March
    "2026-03-29T22:30:00Z",  # 00:30 CEST, Monday 30 March (in CET it would be 23:30 on 29th)
]
WARSAW_AUTUMN = [
    "2026-10-24T21:30:00Z",  # 23:30 CEST, Saturday 24 October
    "2026-10-24T22:30:00Z",  # 00:30 CEST, Sunday 25 October (summer time ends at 03:00)
    "2026-10-25T22:30:00Z",  # 23:30 CET, Sunday 25 October (in CEST it would be 00:30 26th)
    "2026-10-25T23:30:00Z",  # 00:30 CET, Monday 26 October
]

ROWS = [
    pytest.param("America/New_York", NEW_YORK_EVENING, [date(2026, 3, 1), date(2026, 3, 1)],
                 id="New York, 19:00 is still 1 March"),
    pytest.param("America/New_York", NEW_YORK_SPRING,
                 [date(2026, 3, 7), date(2026, 3, 8), date(2026, 3, 8), date(2026, 3, 9)],
                 id="New York, summer time starts"),
    pytest.param("America/New_York", NEW_YORK_AUTUMN,
                 [date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 1), date(2026, 11, 2)],
                 id="New York, summer time ends"),
    pytest.param("Europe/Warsaw", WARSAW_SUMMER, [date(2026, 7, 31), date(2026, 8, 1)],
                 id="Warsaw, 00:30 is already 1 August"),
    pytest.param("Europe/Warsaw", WARSAW_SPRING,
                 [date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 29), date(2026, 3, 30)],
                 id="Warsaw, summer time starts"),
    pytest.param("Europe/Warsaw", WARSAW_AUTUMN,
                 [date(2026, 10, 24), date(2026, 10, 25), date(2026, 10, 25),
                  date(2026, 10, 26)], id="Warsaw, summer time ends"),
    # UTC accounts keep the days they always had.
    pytest.param("Etc/UTC", NEW_YORK_EVENING, [date(2026, 3, 1), date(2026, 3, 2)],
                 id="an account in UTC"),
]


@pytest.mark.parametrize(("zone", "times", "expected"), ROWS)
def test_an_invoice_counts_on_its_day_in_the_accounts_zone(
    httpserver: HTTPServer, zone: str, times: list[str], expected: list[date]
) -> None:
    httpserver.expect_ordered_request(
        ACCOUNT, headers={"Authorization": f"Bearer {API_KEY}"}).respond_with_json(account(zone))
    httpserver.expect_ordered_request("/v1/invoices").respond_with_json(listing(
        [invoice(f"in_{i}", at(t)) for i, t in enumerate(times)], "/v1/invoices"))
    pulled = pull(connector(httpserver), streams=["invoices"])
    httpserver.check_assertions()
    invoices = [r for r in pulled.records if isinstance(r, cg.Invoice)]
    assert [i.issue_date for i in invoices] == expected
    assert [i.due_date for i in invoices] == expected  # charge_automatically: finalised
    assert [i.paid_on for i in invoices] == expected
    assert [p.date for p in pulled.records if isinstance(p, cg.Payment)] == expected
    assert pulled.notes == ()


@pytest.mark.parametrize(("zone", "times", "expected"), ROWS)
def test_a_credit_note_counts_on_its_day_in_the_accounts_zone(
    httpserver: HTTPServer, zone: str, times: list[str], expected: list[date]
) -> None:
    httpserver.expect_ordered_request(ACCOUNT).respond_with_json(account(zone))
    httpserver.expect_ordered_request("/v1/credit_notes").respond_with_json(listing(
        [credit_note(f"cn_{i}", at(t)) for i, t in enumerate(times)], "/v1/credit_notes"))
    pulled = pull(connector(httpserver), streams=["credit_notes"])
    httpserver.check_assertions()
    notes = [r for r in pulled.records if isinstance(r, cg.CreditNote)]
    assert [n.issue_date for n in notes] == expected
    assert [n.allocations[0].date for n in notes] == expected


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        pytest.param("Europe/Warsaw", [date(2026, 3, 2), date(2026, 3, 2)], id="Warsaw"),
        pytest.param("UTC", [date(2026, 3, 1), date(2026, 3, 2)], id="UTC"),
    ],
)
def test_the_timezone_option_wins_and_the_account_is_not_read(
    httpserver: HTTPServer, option: str, expected: list[date]
) -> None:
    httpserver.expect_ordered_request("/v1/invoices").respond_with_json(listing(
        [invoice(f"in_{i}", at(t)) for i, t in enumerate(NEW_YORK_EVENING)], "/v1/invoices"))
    pulled = pull(connector(httpserver, timezone=option), streams=["invoices"])
    httpserver.check_assertions()
    assert [r.issue_date for r in pulled.records if isinstance(r, cg.Invoice)] == expected
    assert reads_of_account(httpserver) == 0
    assert pulled.notes == ()


def test_a_full_sync_reads_the_account_for_each_dated_stream_only(
    httpserver: HTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    httpserver.expect_ordered_request("/v1/customers").respond_with_json(listing(
        [{"id": "cus_1", "object": "customer", "name": "Acme"}], "/v1/customers"))
    httpserver.expect_ordered_request(ACCOUNT).respond_with_json(account("Europe/Warsaw"))
    httpserver.expect_ordered_request("/v1/invoices").respond_with_json(listing(
        [invoice("in_1", at("2026-07-31T22:30:00Z"))], "/v1/invoices"))
    httpserver.expect_ordered_request(ACCOUNT).respond_with_json(account("Europe/Warsaw"))
    httpserver.expect_ordered_request("/v1/credit_notes").respond_with_json(listing(
        [credit_note("cn_1", at("2026-07-31T22:30:00Z"))], "/v1/credit_notes"))
    pulled = pull(connector(httpserver))
    httpserver.check_assertions()
    (inv,) = [r for r in pulled.records if isinstance(r, cg.Invoice)]
    (note,) = [r for r in pulled.records if isinstance(r, cg.CreditNote)]
    assert (inv.issue_date, note.issue_date) == (date(2026, 8, 1), date(2026, 8, 1))
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert API_KEY not in logged
    assert ACCOUNT_ID not in logged


def test_an_events_snapshot_counts_in_the_accounts_zone_too(httpserver: HTTPServer) -> None:
    since = datetime(2026, 11, 25, tzinfo=UTC)
    httpserver.expect_ordered_request(ACCOUNT).respond_with_json(account("America/New_York"))
    httpserver.expect_ordered_request("/v1/invoices").respond_with_json(
        listing([], "/v1/invoices"))
    snapshot = invoice("in_old", at("2026-11-27T01:00:00Z"))  # 20:00 EST on 26 November
    httpserver.expect_ordered_request("/v1/events").respond_with_json(listing(
        [{"id": "evt_1", "object": "event", "type": "invoice.paid",
          "created": at("2026-11-27T01:00:00Z"), "data": {"object": snapshot}}], "/v1/events"))
    # Read again for its payments (an event's snapshot lists none); it names no payment.
    httpserver.expect_ordered_request("/v1/invoices/in_old").respond_with_json(snapshot)
    # The reversal and credit note events, in one read: nothing taken back since.
    httpserver.expect_ordered_request("/v1/events").respond_with_json(
        listing([], "/v1/events"))
    pulled = pull(connector(httpserver), SyncState({"invoices": since}), streams=["invoices"])
    httpserver.check_assertions()
    (inv,) = [r for r in pulled.records if isinstance(r, cg.Invoice)]
    assert inv.paid_on == date(2026, 11, 26)


@pytest.mark.parametrize(
    ("body", "said"),
    [
        pytest.param(account(ABSENT), "name no time zone", id="no timezone field"),
        pytest.param(account(None), "name no time zone", id="null"),
        pytest.param(account(""), "name no time zone", id="empty"),
        pytest.param({"id": ACCOUNT_ID, "object": "account"}, "name no time zone",
                     id="no settings"),
        pytest.param(account("Mars/Olympus_Mons"),
                     "name 'Mars/Olympus_Mons', which is not an IANA time zone", id="not a zone"),
        pytest.param(account("localtime"),
                     "name 'localtime', which is not an IANA time zone",
                     id="the reading machine's zone"),
        pytest.param(account(-300), "name '-300', which is not an IANA time zone",
                     id="a number"),
        pytest.param([], "name no time zone", id="not an object"),
    ],
)
def test_an_account_without_a_valid_zone_counts_days_in_utc_and_says_so(
    httpserver: HTTPServer, body: Any, said: str
) -> None:
    httpserver.expect_ordered_request(ACCOUNT).respond_with_json(body)
    httpserver.expect_ordered_request("/v1/invoices").respond_with_json(listing(
        [invoice(f"in_{i}", at(t)) for i, t in enumerate(NEW_YORK_EVENING)], "/v1/invoices"))
    pulled = pull(connector(httpserver), streams=["invoices"])
    httpserver.check_assertions()
    days = [r.issue_date for r in pulled.records if isinstance(r, cg.Invoice)]
    assert days == [date(2026, 3, 1), date(2026, 3, 2)]  # UTC days
    (note,) = pulled.notes  # said once, not on every page
    assert note.startswith("invoices: days counted in UTC: the Stripe account's settings "
                           "(GET /v1/account, settings.dashboard.timezone) ")
    assert said in note
    assert 'timezone = "America/New_York"' in note
    for secret in (API_KEY, ACCOUNT_ID):
        assert secret not in note


FORBIDDEN_NAMING = (
    "The provided key 'rk_test_*********************************4321' does not have the "
    f"required permissions for this endpoint on account '{ACCOUNT_ID}'. Having the "
    "'rak_accounts_kyc_id_numbers_read' permission would allow this request to continue."
)
FORBIDDEN_OLD = (
    "The provided key 'rk_test_****4321' does not have the required permissions for this "
    f"endpoint on account '{ACCOUNT_ID}'. This is a restricted API key, but the required "
    "permissions are not available for use by restricted keys."
)


@pytest.mark.parametrize(
    ("message", "said"),
    [
        pytest.param(FORBIDDEN_NAMING,
                     "Stripe asks for the rak_accounts_kyc_id_numbers_read permission",
                     id="Stripe names the permission"),
        pytest.param(FORBIDDEN_OLD, "its answer names no permission", id="names none"),
    ],
)
def test_a_key_that_may_not_read_the_account_counts_days_in_utc_and_says_what_to_do(
    httpserver: HTTPServer, caplog: pytest.LogCaptureFixture, message: str, said: str
) -> None:
    caplog.set_level(logging.DEBUG)
    httpserver.expect_ordered_request(ACCOUNT).respond_with_json(
        {"error": {"type": "invalid_request_error", "message": message}}, status=403,
        headers={"Request-Id": "req_403"})
    httpserver.expect_ordered_request("/v1/invoices").respond_with_json(listing(
        [invoice("in_1", at("2026-03-02T00:00:00Z"))], "/v1/invoices"))
    pulled = pull(connector(httpserver), streams=["invoices"])
    httpserver.check_assertions()
    assert [r.issue_date for r in pulled.records if isinstance(r, cg.Invoice)] == [
        date(2026, 3, 2)]
    (note,) = pulled.notes
    assert note.startswith("invoices: days counted in UTC: the API key may not read the "
                           "Stripe account's settings")
    assert "403" in note
    assert said in note
    assert "Set the timezone option" in note
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (API_KEY, ACCOUNT_ID, "4321"):
        assert secret not in note
        assert secret not in logged


def test_a_refused_key_on_the_account_read_fails_the_sync_as_on_any_call(
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request(ACCOUNT).respond_with_json(
        {"error": {"type": "invalid_request_error",
                   "message": "Invalid API Key provided: rk_test_****4321"}}, status=401)
    with pytest.raises(AuthError, match="Stripe refused the API key") as caught:
        pull(connector(httpserver), streams=["invoices"])
    assert "4321" not in str(caught.value)
    assert [request.path for request, _ in httpserver.log] == [ACCOUNT]


def test_an_account_read_that_keeps_failing_fails_the_sync_rather_than_count_in_utc(
    httpserver: HTTPServer,
) -> None:
    # A passing failure must not store days counted in the wrong zone as if they were right.
    httpserver.expect_request(ACCOUNT).respond_with_json(
        {"error": {"type": "api_error", "message": "Something went wrong"}}, status=500)
    with pytest.raises(ApiError, match="v1/account"):
        pull(connector(httpserver, max_attempts=2), streams=["invoices"])
    assert [request.path for request, _ in httpserver.log] == [ACCOUNT, ACCOUNT]


def test_a_store_synced_before_reads_stripes_invoices_and_credit_notes_again_in_full(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    # A store an earlier clientguard wrote (schema version 5), whose Stripe invoice of
    # 19:00 New York time on 1 March was dated 2 March (UTC), with a cursor on each stream.
    path = tmp_path / "cg.db"
    moment = at("2026-03-02T00:00:00Z")
    # A store sync asks which account the key reads first (docs/cli.md, "One source, one
    # account"), whatever the timezone option.
    httpserver.expect_ordered_request(ACCOUNT).respond_with_json(account("UTC"))
    for stream in ("invoices", "credit_notes"):
        httpserver.expect_ordered_request(f"/v1/{stream}").respond_with_json(listing(
            [invoice("in_1", moment)] if stream == "invoices" else [], f"/v1/{stream}"))
    with Store.open(path) as store:
        store.sync(connector(httpserver, timezone="UTC"), streams=["invoices", "credit_notes"])
        assert store.load(base_currency="USD").invoice("in_1").issue_date == date(2026, 3, 2)
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("INSERT INTO sources (source, connector) VALUES ('books', 'fakturownia')")
        db.execute("INSERT INTO cursors (source, stream, cursor, sync_id) VALUES "
                   "('books', 'invoices', '2026-11-01T00:00:00+00:00', 1), "
                   "('stripe', 'customers', '2026-11-01T00:00:00+00:00', 1)")
        db.execute("PRAGMA user_version = 5")
    httpserver.clear()
    with Store.open(path) as store:
        cursors = {s for (s,) in store._db.execute(
            "SELECT source || '/' || stream FROM cursors").fetchall()}
        # Stripe's dated streams are read in full next time; the rest keep their cursors.
        assert cursors == {"books/invoices", "stripe/customers"}
        httpserver.expect_ordered_request(ACCOUNT).respond_with_json(account("America/New_York"))
        httpserver.expect_ordered_request("/v1/invoices").respond_with_json(
            listing([invoice("in_1", moment)], "/v1/invoices"))
        store.sync(connector(httpserver), streams=["invoices"])
        httpserver.check_assertions()
        (request, _), = [entry for entry in httpserver.log if entry[0].path == "/v1/invoices"]
        assert "created[gte]" not in request.args  # a full read, not an incremental one
        assert store.load(base_currency="USD").invoice("in_1").issue_date == date(2026, 3, 1)
