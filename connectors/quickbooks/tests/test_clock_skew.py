"""This machine's clock and QuickBooks' disagree: no change made during a sync is lost.

The cursor of invoices, payments, credit memos and refund receipts is the moment their last
complete read started (``cursor_at_start``). Taken from this machine's clock alone, a clock 10
minutes ahead of Intuit's set it 10 minutes past what QuickBooks had shown, and a change made
in between (an invoice paid while the sync ran) was never asked for again: the next sync asked
``LastUpdatedTime >= 12:05`` for a change at 12:01 QuickBooks time, and the invoice stayed
open until a full read. Every query and CDC answer carries QuickBooks' own time (``"time":
"2026-05-05T05:15:56.621-07:00"`` in the recorded answers of the shared reference), and the
cursor is now never later than it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from clientguard.connector import SyncState
from clientguard_quickbooks import QuickBooksConnector

from .conftest import Clock

REALM = "4620816365178199"
QUERY = f"/v3/company/{REALM}/query"
CDC = f"/v3/company/{REALM}/cdc"
PACIFIC = timezone(timedelta(hours=-7))  # the offset of QuickBooks' "time" in the recorded answers


def invoice(balance: int, updated: datetime) -> dict[str, Any]:
    return {"Id": "1", "DocNumber": "101", "TxnDate": "2026-04-01", "DueDate": "2026-05-01",
            "TotalAmt": 100, "Balance": balance, "CustomerRef": {"value": "7"},
            "CurrencyRef": {"value": "USD"},
            "MetaData": {"CreateTime": "2026-04-01T09:00:00-07:00",
                         "LastUpdatedTime": updated.isoformat().replace("+00:00", "Z")}}


class FakeQuickBooks:
    """Answers queries and CDC calls as QuickBooks does, each answer with QuickBooks' own time
    (``now``, written in Pacific time as Intuit writes it); CDC's time is unreadable, which
    must be ignored, not fail the sync."""

    def __init__(self, server: HTTPServer) -> None:
        self.now = datetime(2026, 5, 2, 12, 0, tzinfo=UTC)
        self.invoices: list[dict[str, Any]] = []
        server.expect_request(QUERY).respond_with_handler(self.query)
        server.expect_request(CDC).respond_with_handler(self.cdc)

    def time(self) -> str:
        return self.now.astimezone(PACIFIC).isoformat(timespec="milliseconds")

    def query(self, request: Request) -> Response:
        statement = request.args["query"]
        items = self.invoices if " FROM Invoice " in statement else []
        if ">= '" in statement:
            since = datetime.fromisoformat(statement.split(">= '")[1].split("'")[0])
            items = [i for i in items if datetime.fromisoformat(
                i["MetaData"]["LastUpdatedTime"].replace("Z", "+00:00")) >= since]
        found = {"Invoice": items, "startPosition": 1, "maxResults": len(items)} if items else {}
        return Response(json.dumps({"QueryResponse": found, "time": self.time()}),
                        content_type="application/json")

    def cdc(self, request: Request) -> Response:
        return Response(json.dumps({"CDCResponse": [{"QueryResponse": [{}]}], "time": "x"}),
                        content_type="application/json")


def since_asked(server: HTTPServer) -> list[str]:
    """The lower bound of each incremental query of invoices, as sent."""
    return [r.args["query"].split(">= '")[1].split("'")[0] for r, _ in server.log
            if r.path == QUERY and ">= '" in r.args["query"]]


@pytest.mark.parametrize(
    ("skew", "cursor", "next_cursor"),
    [
        # This machine's clock 10 minutes ahead: it says 12:10 when QuickBooks says 12:00.
        # Before, the cursor was 12:10 (this machine's start) and sync 2 asked from 12:05,
        # after the payment at 12:01: the invoice stayed open. Now the cursor is QuickBooks'
        # time when it answered the first query, 12:00, and sync 2 asks from 11:55.
        # Sync 2 ends the same way: QuickBooks' 12:00 on 3 May.
        (timedelta(minutes=10), datetime(2026, 5, 2, 12, 0, tzinfo=UTC),
         datetime(2026, 5, 3, 12, 0, tzinfo=UTC)),
        # 10 minutes behind: it says 11:50. Its start is the earlier of the two moments, so
        # the cursor is 11:50 and sync 2 asks from 11:45 (as before: that way was safe).
        # Sync 2 ends at this machine's 11:50 on 3 May.
        (timedelta(minutes=-10), datetime(2026, 5, 2, 11, 50, tzinfo=UTC),
         datetime(2026, 5, 3, 11, 50, tzinfo=UTC)),
    ],
    ids=["local clock ahead", "local clock behind"],
)
def test_an_invoice_paid_during_a_sync_is_read_by_the_next_one_whichever_clock_is_off(
    httpserver: HTTPServer, clock: Clock, skew: timedelta, cursor: datetime,
    next_cursor: datetime,
) -> None:
    quickbooks = FakeQuickBooks(httpserver)
    quickbooks.invoices = [invoice(100, datetime(2026, 5, 2, 11, 0, tzinfo=UTC))]

    def connector() -> QuickBooksConnector:
        local = quickbooks.now + skew  # what this machine's clock says as the sync starts
        return QuickBooksConnector(
            realm_id=REALM, access_token="tok", base_url=httpserver.url_for("/"),
            clock=lambda: local, sleep=clock.sleep, monotonic=clock, home_currency="USD",
            time_activities=False)

    state = SyncState()
    for page in connector().sync(state, streams=["invoices"]):
        state = state.after(page)
        # While the sync is still going, after QuickBooks answered the invoice query at
        # 12:00, the invoice is paid in QuickBooks at 12:01 (QuickBooks' time).
        paid = datetime(2026, 5, 2, 12, 1, tzinfo=UTC)
        quickbooks.invoices = [invoice(0, paid)]
    assert state.cursor("invoices") == cursor

    quickbooks.now = datetime(2026, 5, 3, 12, 0, tzinfo=UTC)  # the next day's sync
    read = []
    for page in connector().sync(state, streams=["invoices"]):
        read += [(r.id, getattr(r, "status", None)) for r in page.records]
        state = state.after(page)
    # Asked from the cursor less the 5-minute look-back, the change at 12:01 is read.
    assert since_asked(httpserver) == [(cursor - timedelta(minutes=5)).isoformat()]
    assert read == [("1", "paid")]
    assert state.cursor("invoices") == next_cursor
