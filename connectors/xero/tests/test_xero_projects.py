"""The Xero connector's ``time_entries`` stream (Xero Projects) against a fake Projects API
served over real HTTP (pytest-httpserver), in the shape of Xero's ``xero_projects.yaml``.

Each test serves an exact, ordered sequence of responses; an unexpected call fails the test.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

import clientguard as cg
from clientguard import connectors
from clientguard.connector import SyncState, pull
from clientguard.errors import AuthError, ConfigError
from clientguard.store import Store
from clientguard_xero import XeroConnector

NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
TENANT = "tenant-SECRET-7f3a"
PROJECTS = "/projects.xro/2.0"
API = "/api.xro/2.0"
STATES = "INPROGRESS,CLOSED"


def listing(items: list[dict[str, Any]], number: int = 1, count: int = 1) -> str:
    return json.dumps({
        "pagination": {"page": number, "pageSize": 2, "pageCount": count,
                       "itemCount": len(items)},
        "items": items,
    })


def project(pid: str, contact: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"projectId": pid, "name": f"Project {pid}", "currencyCode": "NZD",
                            "minutesLogged": 0, "status": "INPROGRESS"}
    if contact is not None:
        body["contactId"] = contact
    return body


def entry(eid: str, pid: str, logged: str, minutes: int) -> dict[str, Any]:
    return {"timeEntryId": eid, "userId": "user-1", "projectId": pid, "taskId": "task-1",
            "dateUtc": logged, "dateEnteredUtc": logged, "duration": minutes,
            "description": "work", "status": "ACTIVE"}


class FakeProjects:
    def __init__(self, server: HTTPServer) -> None:
        self.server = server

    def respond(self, path: str, query: dict[str, str], body: str,
                headers: dict[str, str] | None = None, status: int = 200) -> None:
        self.server.expect_ordered_request(
            f"{PROJECTS}/{path}", method="GET", query_string=query,
            headers={"xero-tenant-id": TENANT, "Authorization": "Bearer access-SECRET-1"},
        ).respond_with_data(body, status=status, content_type="application/json",
                            headers=headers)


@pytest.fixture
def fake(httpserver: HTTPServer) -> Iterator[FakeProjects]:
    yield FakeProjects(httpserver)
    httpserver.check_assertions()


def connect(server: HTTPServer, waits: list[float], **options: Any) -> XeroConnector:
    conn = connectors.load("xero")(**{
        "tenant_id": TENANT,
        "access_token": "access-SECRET-1",
        "base_url": server.url_for(API),
        "projects_url": server.url_for(PROJECTS),
        "projects": True,
        "page_size": 2,
        "sleep": waits.append,
        "clock": lambda: NOW,
        **options,
    })
    assert isinstance(conn, XeroConnector)
    return conn


def q(page: int, **extra: str) -> dict[str, str]:
    return {"page": str(page), "pageSize": "2", **extra}


def test_time_entries_of_every_project_count_for_the_projects_contact(
    httpserver: HTTPServer, fake: FakeProjects
) -> None:
    fake.respond("Projects", q(1, states=STATES),
                 listing([project("p-1", "c-1"), project("p-2", "c-2")], 1, 2))
    fake.respond("Projects", q(2, states=STATES), listing([project("p-3", None)], 2, 2))
    # Page 2 of a list begins with an item not read yet: the place before it (2) must still
    # hold the last item read (p-2, t-2), or a deletion meanwhile shifted the list
    # (test_projects_paging_shift.py).
    fake.respond("Projects", {"page": "2", "pageSize": "1", "states": STATES},
                 listing([project("p-2", "c-2")], 2, 3))
    fake.respond("Projects/p-1/Time", q(1), listing(
        [entry("t-1", "p-1", "2025-05-01T23:30:00Z", 45),
         entry("t-2", "p-1", "2025-05-03T01:00:00Z", 20)], 1, 2))
    fake.respond("Projects/p-1/Time", q(2), listing(
        [entry("t-3", "p-1", "2025-05-04T01:00:00Z", 0)], 2, 2))
    fake.respond("Projects/p-1/Time", {"page": "2", "pageSize": "1"}, listing(
        [entry("t-2", "p-1", "2025-05-03T01:00:00Z", 20)], 2, 3))
    fake.respond("Projects/p-2/Time", q(1), listing(
        [entry("t-4", "p-2", "2025-05-05T01:00:00Z", 90)]))
    fake.respond("Projects/p-3/Time", q(1), listing(
        [entry("t-5", "p-3", "2025-05-06T01:00:00Z", 60)]))

    waits: list[float] = []
    conn = connect(httpserver, waits, timezone="Pacific/Auckland")
    pulled = pull(conn, streams=["time_entries"])

    entries = {r.id: r for r in pulled.records if isinstance(r, cg.TimeEntry)}
    # 23:30 UTC on 1 May is 11:30 on 2 May in Auckland (NZST, +12).
    assert entries["t-1"].date == date(2025, 5, 2)
    assert entries["t-1"].hours == Decimal("0.75")
    assert entries["t-2"].hours == Decimal("0.333333")  # 20 minutes, to a millionth
    assert entries["t-1"].customer_id == entries["t-2"].customer_id == "c-1"
    assert entries["t-4"].customer_id == "c-2"
    assert entries["t-4"].hours == Decimal("1.5")
    assert "t-3" not in entries
    assert pulled.skipped == {"time_entries": {"no hours": 1}}
    # A project without a contact: its time is a rejection, never counted for someone.
    (rejected,) = pulled.rejected
    assert rejected.record_id == "t-5"
    assert "names no contact" in rejected.reason
    assert all(e.customer_name is None for e in entries.values())
    # The cursor is the latest moment logged of every entry read (the rejected one's too).
    assert pulled.state.cursor("time_entries") == datetime(2025, 5, 6, 1, 0, tzinfo=UTC)
    assert waits == []


def test_an_incremental_read_asks_for_entries_from_the_resync_window(
    httpserver: HTTPServer, fake: FakeProjects
) -> None:
    cursor = datetime(2025, 5, 20, 8, 0, tzinfo=UTC)
    # Cursor, minus Xero's one-second look-back, minus the 10 resync days.
    after = (cursor - timedelta(seconds=1) - timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert after == "2025-05-10T07:59:59Z"
    fake.respond("Projects", q(1, states=STATES), listing([project("p-1", "c-1")]))
    fake.respond("Projects/p-1/Time", q(1, dateAfterUtc=after),
                 listing([entry("t-9", "p-1", "2025-05-21T01:00:00Z", 30)]))
    conn = connect(httpserver, [], projects_resync_days=10)
    pulled = pull(conn, SyncState({"time_entries": cursor}), streams=["time_entries"])
    assert [r.id for r in pulled.records if isinstance(r, cg.TimeEntry)] == ["t-9"]
    assert pulled.state.cursor("time_entries") == datetime(2025, 5, 21, 1, 0, tzinfo=UTC)


def test_a_429_on_the_projects_api_is_waited_out_by_the_shared_client(
    httpserver: HTTPServer, fake: FakeProjects
) -> None:
    fake.respond("Projects", q(1, states=STATES), '{"Title": "Too many"}',
                 headers={"Retry-After": "7"}, status=429)
    fake.respond("Projects", q(1, states=STATES), listing([]))
    waits: list[float] = []
    pulled = pull(connect(httpserver, waits), streams=["time_entries"])
    assert pulled.records == ()
    assert waits == [7.0]


def test_the_stream_shares_the_accounting_apis_minute_limit(
    httpserver: HTTPServer, fake: FakeProjects
) -> None:
    # The contacts call says no call is left this minute: the next call, to Projects, waits.
    httpserver.expect_ordered_request(f"{API}/Contacts", method="GET").respond_with_data(
        json.dumps({"pagination": {"page": 1, "pageSize": 2, "pageCount": 1, "itemCount": 0},
                    "Contacts": []}),
        content_type="application/json", headers={"X-MinLimit-Remaining": "0"})
    fake.respond("Projects", q(1, states=STATES), listing([]))
    waits: list[float] = []
    pull(connect(httpserver, waits), streams=["customers", "time_entries"])
    assert waits == [60.0]


def test_a_token_without_the_projects_scope_is_an_auth_error_without_secrets(
    httpserver: HTTPServer, fake: FakeProjects
) -> None:
    fake.respond("Projects", q(1, states=STATES),
                 json.dumps({"Detail": f"tenant {TENANT} lacks scope"}), status=403)
    with pytest.raises(AuthError) as caught:
        pull(connect(httpserver, []), streams=["time_entries"])
    assert TENANT not in str(caught.value)
    assert "access-SECRET-1" not in str(caught.value)
    # Xero's meaning of a 403, with the scope the stream needs, said by the Xero connector
    # (it was the HTTP layer's, for every API).
    assert ". Xero refused the call: the app's connection lacks a scope" in str(caught.value)
    assert "projects.read for time_entries" in str(caught.value)


def test_the_stream_is_opt_in_and_described(httpserver: HTTPServer) -> None:
    plain = connectors.load("xero")(tenant_id=TENANT, access_token="x")
    assert "time_entries" not in [s.name for s in plain.streams]
    with pytest.raises(ConfigError, match="no stream 'time_entries'"):
        plain.stream("time_entries")
    described = [s.name for s in XeroConnector.describe().streams]
    assert described[-1] == "time_entries"
    with pytest.raises(ConfigError, match="IANA"):
        connectors.load("xero")(tenant_id=TENANT, access_token="x", timezone="Mars/Olympus")


def test_time_pages_without_pagination_are_read_past_the_apis_own_50(
    httpserver: HTTPServer, fake: FakeProjects
) -> None:
    # The Projects API's pageSize is "set to 50 by default" (xero_projects.yaml): a page of
    # 50 without pagination, where 500 were asked, may not be the last. 60 entries served
    # 50 a page: both pages are read; the second, shorter than 50, ends the stream.
    def served(number: int) -> str:
        ids = range((number - 1) * 50, min(number * 50, 60))
        return json.dumps({"items": [entry(f"t-{n:02d}", "p-1", "2025-05-01T09:00:00Z", 30)
                                     for n in ids]})

    fake.respond("Projects", {"page": "1", "pageSize": "500", "states": STATES},
                 listing([project("p-1", "c-1")]))
    for number in (1, 2):
        fake.respond("Projects/p-1/Time", {"page": str(number), "pageSize": "500"},
                     served(number))
    conn = connectors.load("xero")(
        tenant_id=TENANT, access_token="access-SECRET-1", base_url=httpserver.url_for(API),
        projects_url=httpserver.url_for(PROJECTS), projects=True, clock=lambda: NOW)
    pulled = pull(conn, streams=["time_entries"])
    assert [r.id for r in pulled.records if isinstance(r, cg.TimeEntry)] == [
        f"t-{n:02d}" for n in range(60)]


def test_projects_turned_off_leave_the_store_at_the_next_sync(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    # Before: projects = false kept the time entries stored while it was on, counting in every
    # review's hours for ever, though no sync read them again. Now the next sync removes them
    # through the connector's streams_left_out() (docs/connectors/xero.md), saying so once.
    contacts = json.dumps({"Status": "OK", "pagination": {
        "page": 1, "pageSize": 2, "pageCount": 1, "itemCount": 1}, "Contacts": [
        {"ContactID": "c-1", "Name": "Acme Ltd", "IsCustomer": True,
         "UpdatedDateUTC": "/Date(1746057600000+0000)/"}]})
    httpserver.expect_request(f"{API}/Contacts").respond_with_data(
        contacts, content_type="application/json")
    httpserver.expect_request(f"{PROJECTS}/Projects", query_string=q(1, states=STATES)
                              ).respond_with_data(listing([project("p-1", "c-1")]),
                                                  content_type="application/json")
    httpserver.expect_request(f"{PROJECTS}/Projects/p-1/Time").respond_with_data(listing(
        [entry("t-1", "p-1", "2025-05-01T09:00:00Z", 45),
         entry("t-2", "p-1", "2025-05-20T09:00:00Z", 90)]), content_type="application/json")

    def hours(store: Store) -> dict[str, Decimal]:
        found: dict[str, Decimal] = {}
        for item in store.load(base_currency="NZD").time_entries:
            client = item.customer_id or ""
            found[client] = found.get(client, Decimal(0)) + item.hours
        return found

    def time_reads(start: int) -> list[dict[str, str]]:
        return [dict(r.args) for r, _ in httpserver.log[start:]
                if r.path.startswith(f"{PROJECTS}/Projects/")]

    streams = ["customers", "time_entries"]
    with Store.open(tmp_path / "xero.db") as store:
        store.sync(connect(httpserver, []), streams=streams)
        # 45 and 90 minutes for Acme: 2.25 hours.
        assert hours(store) == {"c-1": Decimal("2.25")}

        before = len(httpserver.log)
        result = store.sync(connect(httpserver, [], projects=False), streams=["customers"])
        assert hours(store) == {}
        (dropped,) = [s for s in result.streams if s.stream == "time_entries"]
        assert dropped.removed == 2
        assert dropped.notes == (
            "time_entries: not read (projects = false), so the 2 records earlier syncs "
            "stored of it were removed; turned on again, the stream is read in full",)
        assert not any(r.path.startswith(PROJECTS) for r, _ in httpserver.log[before:])

        # Said once: the next sync says nothing of time entries.
        again = store.sync(connect(httpserver, [], projects=False), streams=["customers"])
        assert "time_entries" not in [s.stream for s in again.streams]

        # Turned on again: read in full (the cursor went with the entries), with no
        # dateAfterUtc, and the 2.25 hours are back.
        before = len(httpserver.log)
        store.sync(connect(httpserver, []), streams=streams)
        assert time_reads(before) == [q(1)]
        assert hours(store) == {"c-1": Decimal("2.25")}
