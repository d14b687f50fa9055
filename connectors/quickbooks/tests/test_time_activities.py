"""QuickBooks time activities (``TimeActivity``) as time entries: the mapping, one rule a row,
and the stream over real HTTP (query, paging, incremental cursor, the option that turns it
off). Activities are written in the shape of Intuit's TimeActivity entity reference."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from clientguard.connector import Skip, SyncState, pull
from clientguard.errors import DataError
from clientguard.model import TimeEntry
from clientguard.store import Store
from clientguard_quickbooks import QuickBooksConnector
from clientguard_quickbooks.mapping import time_entry_from_qbo

from .conftest import Clock, assert_left_out
from .test_refund_receipts import serve

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
REALM = "9341457021722202"
API = f"/v3/company/{REALM}/query"


def activity(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "Id": "1",
        "TxnDate": "2026-05-04",
        "NameOf": "Employee",
        "EmployeeRef": {"value": "55", "name": "Emily Platt"},
        "CustomerRef": {"value": "2", "name": "Bill's Windsurf Shop"},
        "ItemRef": {"value": "2", "name": "Hours"},
        "BillableStatus": "Billable",
        "Taxable": False,
        "HourlyRate": 0,
        "Hours": 10,
        "Minutes": 0,
        "Description": "Garden work",
        "MetaData": {"CreateTime": "2026-05-04T10:36:03-07:00",
                     "LastUpdatedTime": "2026-05-04T10:36:03-07:00"},
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


@pytest.mark.parametrize(
    ("changes", "hours", "billable", "person"),
    [
        ({}, "10", True, "Emily Platt"),
        ({"Hours": 1, "Minutes": 45}, "1.75", True, "Emily Platt"),
        ({"Hours": 0, "Minutes": 20}, "0.333333", True, "Emily Platt"),  # a third, rounded
        ({"BillableStatus": "HasBeenBilled"}, "10", True, "Emily Platt"),
        ({"BillableStatus": "NotBillable"}, "10", False, "Emily Platt"),
        ({"BillableStatus": None}, "10", None, "Emily Platt"),
        # Entered as a start and an end: 09:00 to 17:30 less a 30-minute break is 8 hours.
        ({"Hours": None, "Minutes": None, "StartTime": "2026-05-04T09:00:00-07:00",
          "EndTime": "2026-05-04T17:30:00-07:00", "BreakHours": 0, "BreakMinutes": 30},
         "8", True, "Emily Platt"),
        ({"NameOf": "Vendor", "EmployeeRef": None,
          "VendorRef": {"value": "56", "name": "Bob's Burger Joint"}},
         "10", True, "Bob's Burger Joint"),
    ],
)
def test_an_activity_is_hours_for_its_customer_by_id(
    changes: dict[str, Any], hours: str, billable: bool | None, person: str
) -> None:
    entry = time_entry_from_qbo(activity(**changes))
    assert isinstance(entry, TimeEntry)
    assert entry.customer_id == "2"
    assert entry.customer_name is None  # never matched by name
    assert entry.date == date(2026, 5, 4)
    assert entry.hours == Decimal(hours)
    assert entry.billable is billable
    assert entry.person == person


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"CustomerRef": None}, "time activity for no customer (internal time)"),
        ({"Hours": 0, "Minutes": 0}, "no hours"),
    ],
)
def test_activities_left_out_say_why(changes: dict[str, Any], reason: str) -> None:
    assert time_entry_from_qbo(activity(**changes)) == Skip(reason)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"TxnDate": None}, "TxnDate"),
        ({"Hours": -2}, "Hours"),
        ({"Hours": None, "Minutes": None}, "Hours"),
        ({"Hours": None, "Minutes": None, "StartTime": "2026-05-04T17:00:00-07:00",
          "EndTime": "2026-05-04T09:00:00-07:00"}, "EndTime"),
        ({"Id": None}, "Id"),
    ],
)
def test_malformed_activities_are_rejected_naming_the_field(
    changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(DataError, match=f"^{field}: "):
        time_entry_from_qbo(activity(**changes))


def page(items: list[dict[str, Any]], start: int = 1) -> dict[str, Any]:
    body: dict[str, Any] = {"QueryResponse": {}, "time": "2026-06-01T05:00:00.000-07:00"}
    if items:
        body["QueryResponse"] = {"TimeActivity": items, "startPosition": start,
                                 "maxResults": len(items)}
    return body


def connector(server: HTTPServer, clock: Clock, **options: Any) -> QuickBooksConnector:
    return QuickBooksConnector(
        realm_id=REALM, base_url=server.url_for("/"), access_token="access-token-1",
        clock=lambda: NOW, sleep=clock.sleep, monotonic=clock, **options,
    )


def test_the_stream_pages_and_resumes_from_its_cursor(
    httpserver: HTTPServer, clock: Clock
) -> None:
    later = {"CreateTime": "2026-05-20T09:30:00-07:00",
             "LastUpdatedTime": "2026-05-20T09:30:00-07:00"}
    httpserver.expect_ordered_request(API).respond_with_json(
        page([activity(Id="1"), activity(Id="2", MetaData=later)]))
    # Page 2 is asked from the place of activity 2, the last one read, one more: it begins
    # with activity 2 (nothing moved before it) and is short (the end).
    httpserver.expect_ordered_request(API).respond_with_json(
        page([activity(Id="2", MetaData=later), activity(Id="3", CustomerRef=None)], start=2))
    cursor = datetime(2026, 5, 1, tzinfo=UTC)
    pulled = pull(connector(httpserver, clock, page_size=2), SyncState({"time_entries": cursor}),
                  streams=["time_entries"])
    httpserver.check_assertions()
    queries = [req.args["query"] for req, _ in httpserver.log]
    since = "2026-04-30T23:55:00+00:00"  # the cursor less the connector's 5-minute look-back
    assert queries == [
        f"SELECT * FROM TimeActivity WHERE MetaData.LastUpdatedTime >= '{since}' "
        f"ORDERBY Id STARTPOSITION {start} MAXRESULTS {size}"
        for start, size in ((1, 2), (2, 3))
    ]
    assert [r.id for r in pulled.records] == ["1", "2"]
    assert pulled.skipped == {"time_entries": {"time activity for no customer (internal time)": 1}}
    # 09:30 at -07:00 is 16:30 UTC.
    assert pulled.state.cursor("time_entries") == datetime(2026, 5, 20, 16, 30, tzinfo=UTC)


def test_time_activities_false_sends_no_time_query(httpserver: HTTPServer, clock: Clock) -> None:
    conn = connector(httpserver, clock, time_activities=False)
    assert "time_entries" not in [s.name for s in conn.streams]
    assert "time_entries" in [s.name for s in QuickBooksConnector.describe().streams]


def test_time_activities_turned_off_leave_the_store_at_the_next_sync(
    httpserver: HTTPServer, clock: Clock, tmp_path: Path
) -> None:
    # Before: time_activities = false kept the entries stored while it was on, counting in
    # every review's hours for ever (no sync read them again, so an edit or a deletion in
    # QuickBooks never reached them). Now the next sync removes them through the connector's
    # streams_left_out(), as refund receipts are (docs/connectors/quickbooks.md, "Time
    # activities"), saying so once.
    customer = {"Id": "2", "DisplayName": "Bill's Windsurf Shop", "Active": True,
                "MetaData": {"LastUpdatedTime": "2026-03-01T09:00:00-08:00"}}
    later = {"CreateTime": "2026-05-20T09:30:00-07:00",
             "LastUpdatedTime": "2026-05-20T09:30:00-07:00"}
    tracked = {"Customer": [customer],
               "TimeActivity": [activity(Id="1"),
                                activity(Id="2", Hours=2, Minutes=30, MetaData=later)]}

    def hours(store: Store) -> dict[str, Decimal]:
        found: dict[str, Decimal] = {}
        for entry in store.load(base_currency="USD").time_entries:
            client = entry.customer_id or ""
            found[client] = found.get(client, Decimal(0)) + entry.hours
        return found

    serve(httpserver, tracked)
    with Store.open(tmp_path / "qbo.db") as store:
        store.sync(connector(httpserver, clock))
        # 10 hours (activity 1) and 2 h 30 min (activity 2) for customer 2.
        assert hours(store) == {"2": Decimal("12.5")}

        before = len(httpserver.log)
        result = store.sync(connector(httpserver, clock, time_activities=False))
        assert hours(store) == {}
        assert_left_out(
            result, [r.args["query"] for r, _ in httpserver.log[before:] if r.path == API],
            stream="time_entries", removed=2,
            note="time_entries: not read (time_activities = false), so the 2 records earlier "
            "syncs stored of it were removed; turned on again, the stream is read in full",
            read="Customer", not_read="TimeActivity")

        # Said once: the next sync says nothing of time entries.
        again = store.sync(connector(httpserver, clock, time_activities=False))
        assert "time_entries" not in [s.stream for s in again.streams]

        # Turned on again: read in full (the cursor of 20 May went with the entries), so
        # activity 1, last changed on 4 May, is read again too: 12.5 hours.
        serve(httpserver, tracked)
        store.sync(connector(httpserver, clock))
        assert hours(store) == {"2": Decimal("12.5")}
