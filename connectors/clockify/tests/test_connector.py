"""The Clockify connector over real HTTP (pytest-httpserver), with responses in the shape of
Clockify's documented API v1 (the workspace's users; each user's hydrated time entries):
paging by ``page``/``page-size``, ``X-Api-Key``, the re-read window of an incremental sync,
a 429 with ``Retry-After``, a refused key that shows no secret, entries that are skipped by
reason, and a store sync beside the books that a review turns into a capacity finding."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from clientguard.connector import Connector, Mapped, RawPage, RawRecord, Stream, SyncState, pull
from clientguard.errors import ApiError, AuthError
from clientguard.findings import Signal
from clientguard.http.paging import SourceChanged
from clientguard.model import AnyRecord, TimeEntry
from clientguard.records import Location
from clientguard.review import review
from clientguard.store import Store
from clientguard.testing import customer, invoice
from clientguard_clockify import ClockifyConnector

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
KEY = "ck-KEY-never-shown-123"
WORKSPACE = "64a1f0c0ffee0000workspace"
Waits = list[float]
USERS = f"/v1/workspaces/{WORKSPACE}/users"


def time_entries(records: Sequence[AnyRecord]) -> list[TimeEntry]:
    """The records pulled, every one a time entry (the only kind Clockify gives)."""
    assert all(isinstance(r, TimeEntry) for r in records), records
    return [r for r in records if isinstance(r, TimeEntry)]


def entries_path(user: str) -> str:
    return f"/v1/workspaces/{WORKSPACE}/user/{user}/time-entries"


@pytest.fixture
def waits() -> Waits:
    return []


def connector(server: HTTPServer, waits: Waits, **options: Any) -> ClockifyConnector:
    """A connector on ``server``; its days in UTC unless ``timezone`` is given (without the
    option it reads the profile's zone: see test_days.py)."""
    return ClockifyConnector(
        api_key=KEY,
        workspace_id=WORKSPACE,
        base_url=server.url_for("/v1"),
        clock=lambda: NOW,
        sleep=waits.append,
        **{"timezone": "UTC", **options},
    )


def user(ident: str, name: str) -> dict[str, Any]:
    return {"id": ident, "name": name, "email": f"{ident}@example.com", "status": "ACTIVE",
            "activeWorkspace": WORKSPACE, "defaultWorkspace": WORKSPACE}


def entry(ident: str, client: str | None, start: str, end: str | None, *,
          billable: bool = True, duration: str | None = "PT1H") -> dict[str, Any]:
    """A hydrated time entry as Clockify documents it."""
    project = None if client == "-" else {
        "id": "p1", "name": "Website", "clientId": "c1" if client else None,
        "clientName": client or "", "workspaceId": WORKSPACE, "billable": True,
        "archived": False, "color": "#03A9F4",
    }
    return {
        "id": ident,
        "description": "Design",
        "billable": billable,
        "isLocked": False,
        "projectId": project and project["id"],
        "project": project,
        "taskId": None,
        "tagIds": [],
        "userId": "u1",
        "workspaceId": WORKSPACE,
        "timeInterval": {"start": start, "end": end, "duration": duration if end else None},
        "customFieldValues": [],
        "type": "REGULAR",
    }


def test_each_users_entries_are_paged_with_the_key(httpserver: HTTPServer, waits: Waits) -> None:
    headers = {"X-Api-Key": KEY}
    httpserver.expect_ordered_request(
        USERS, query_string={"status": "ALL", "page": "1", "page-size": "2"}, headers=headers
    ).respond_with_json([user("u1", "Ann Lee"), user("u2", "Bo Kim")])
    httpserver.expect_ordered_request(
        USERS, query_string={"status": "ALL", "page": "2", "page-size": "2"}
    ).respond_with_json([])
    # After each page but the first: is the last one read still where it was (place 2)?
    httpserver.expect_ordered_request(
        USERS, query_string={"status": "ALL", "page": "2", "page-size": "1"}
    ).respond_with_json([user("u2", "Bo Kim")])
    httpserver.expect_ordered_request(
        entries_path("u1"), query_string={"hydrated": "true", "page": "1", "page-size": "2"},
        headers=headers,
    ).respond_with_json([
        entry("e1", "Acme Ltd", "2026-08-03T08:00:00Z", "2026-08-03T09:30:00Z"),
        entry("e2", "Beta", "2026-08-03T22:30:00Z", "2026-08-04T00:15:00Z", billable=False),
    ])
    httpserver.expect_ordered_request(
        entries_path("u1"), query_string={"hydrated": "true", "page": "2", "page-size": "2"}
    ).respond_with_json([entry("e3", "Acme Ltd", "2026-08-05T08:00:00Z", "2026-08-05T08:20:00Z")])
    httpserver.expect_ordered_request(
        entries_path("u1"), query_string={"hydrated": "true", "page": "2", "page-size": "1"}
    ).respond_with_json([
        entry("e2", "Beta", "2026-08-03T22:30:00Z", "2026-08-04T00:15:00Z", billable=False),
    ])
    httpserver.expect_ordered_request(
        entries_path("u2"), query_string={"hydrated": "true", "page": "1", "page-size": "2"}
    ).respond_with_json([])
    pulled = pull(connector(httpserver, waits, page_size=2, timezone="Europe/Warsaw"))
    httpserver.check_assertions()
    got = [(e.id, e.customer_name, e.date, e.hours, e.billable, e.person)
           for e in time_entries(pulled.records)]
    assert got == [
        ("e1", "Acme Ltd", date(2026, 8, 3), Decimal("1.5"), True, "Ann Lee"),
        # 22:30 UTC is 00:30 the next day in Warsaw: the day it was worked there.
        ("e2", "Beta", date(2026, 8, 4), Decimal("1.75"), False, "Ann Lee"),
        # 20 minutes: a third of an hour, to a millionth.
        ("e3", "Acme Ltd", date(2026, 8, 5), Decimal("0.333333"), True, "Ann Lee"),
    ]
    assert all(e.customer_id is None for e in time_entries(pulled.records))
    assert pulled.state.cursors["time_entries"] == NOW


def test_an_incremental_read_rereads_the_window_before_the_last_sync(
    httpserver: HTTPServer, waits: Waits
) -> None:
    httpserver.expect_ordered_request(USERS).respond_with_json([user("u1", "Ann")])
    httpserver.expect_ordered_request(
        entries_path("u1"),
        query_string={"hydrated": "true", "start": "2026-07-21T10:00:00Z", "page": "1",
                      "page-size": "200"},
    ).respond_with_json([entry("e9", "Acme", "2026-08-20T08:00:00Z", "2026-08-20T10:00:00Z")])
    state = SyncState({"time_entries": datetime(2026, 8, 21, 10, 0, tzinfo=UTC)})
    pulled = pull(connector(httpserver, waits, resync_days=31), state)
    httpserver.check_assertions()
    assert [(e.id, e.hours) for e in time_entries(pulled.records)] == [("e9", Decimal(2))]


def test_entries_for_nobody_or_still_running_are_skipped_by_reason(
    httpserver: HTTPServer, waits: Waits
) -> None:
    httpserver.expect_ordered_request(USERS).respond_with_json([user("u1", "Ann")])
    httpserver.expect_ordered_request(entries_path("u1")).respond_with_json([
        entry("e1", "Acme", "2026-08-03T08:00:00Z", "2026-08-03T09:00:00Z"),
        entry("e2", "-", "2026-08-03T08:00:00Z", "2026-08-03T09:00:00Z"),
        entry("e3", None, "2026-08-03T08:00:00Z", "2026-08-03T09:00:00Z"),
        entry("e4", "Acme", "2026-08-03T08:00:00Z", None),
        entry("e5", "Acme", "2026-08-03T09:00:00Z", "2026-08-03T08:00:00Z"),
    ])
    pulled = pull(connector(httpserver, waits))
    assert [e.id for e in pulled.records] == ["e1"]
    assert pulled.skipped["time_entries"] == {
        "no client (no project, or a project without a client)": 2,
        "running timer: counted once it stops": 1,
    }
    (bad,) = pulled.rejected
    assert bad.record_id == "e5"
    assert "before its start" in bad.reason
    assert bad.location is not None
    assert "page 1" in str(bad.location)


def test_a_rate_limit_waits_retry_after_then_goes_on(
    httpserver: HTTPServer, waits: Waits
) -> None:
    httpserver.expect_ordered_request(USERS).respond_with_json(
        {"message": "Too many requests", "code": 429}, status=429, headers={"Retry-After": "2"}
    )
    httpserver.expect_ordered_request(USERS).respond_with_json([user("u1", "Ann")])
    httpserver.expect_ordered_request(entries_path("u1")).respond_with_json([])
    pull(connector(httpserver, waits))
    httpserver.check_assertions()
    assert waits == [2.0]


def test_a_refused_key_shows_neither_key_nor_workspace(
    httpserver: HTTPServer, waits: Waits, caplog: pytest.LogCaptureFixture
) -> None:
    httpserver.expect_request(USERS).respond_with_json(
        {"message": f"Api key {KEY} does not have access to workspace {WORKSPACE}",
         "code": 4003}, status=401,
    )
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AuthError) as caught:
        pull(connector(httpserver, waits))
    # Every line but the test server's own (werkzeug logs the path it was sent).
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name != "werkzeug")
    text = f"{caught.value}\n{ours}"
    assert "workspaces/[redacted]/users" in text
    assert KEY not in text
    assert WORKSPACE not in text


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_key_names_clockifys_own_credentials_and_where_to_make_them(
    httpserver: HTTPServer, waits: Waits, status: int
) -> None:
    # It used to say nothing to do (401), or Xero's "the token lacks a scope, or the
    # organisation is not connected to the app" (403).
    httpserver.expect_request(USERS).respond_with_json(
        {"message": "Full authentication is required to access this resource", "code": 1000},
        status=status)
    with pytest.raises(AuthError) as caught:
        pull(connector(httpserver, waits))
    message = str(caught.value)
    assert (". Clockify refused the API key: check api_key (Clockify > Profile settings > "
            "API > Generate; a workspace admin's key)") in message
    assert "workspace_id, and base_url" in message
    assert "organisation" not in message
    assert KEY not in message
    assert WORKSPACE not in message


def test_an_api_that_ignores_the_paging_fails_instead_of_looping(
    httpserver: HTTPServer, waits: Waits
) -> None:
    # The same page three times in a row (a shift by a whole page repeats it once: see
    # test_a_page_shifted_by_a_whole_page_is_read_on_and_counted_once). Before: the first
    # repeat stopped the read.
    httpserver.expect_request(USERS).respond_with_json([user("u1", "Ann")])
    with pytest.raises(ApiError, match=r"page 3 repeats page 2 \(3 times in a row\)"):
        pull(connector(httpserver, waits, page_size=1))


def test_a_page_shifted_by_a_whole_page_is_read_on_and_counted_once(
    httpserver: HTTPServer, waits: Waits
) -> None:
    # Page 1 is [e1, e2]; then two entries are logged (Clockify lists a user's entries
    # newest first: they sort before e1), so page 2 is [e1, e2] again and page 3 [e3], the
    # last (short). Place 4 (the boundary check before page 3: 2 + 2 records read) still
    # holds e2, the last record read. Before: "page 2 repeats page 1", the read stopped and
    # e3 was never read. Now the read goes on: e1, e2, e3 each once, and the sync says so.
    httpserver.expect_request(USERS).respond_with_json([user("u1", "Ann Lee")])
    e1, e2, e3 = (entry(f"e{n}", "Acme", f"2026-08-0{n}T09:00:00Z", f"2026-08-0{n}T10:00:00Z")
                  for n in (3, 2, 1))
    e1["id"], e2["id"], e3["id"] = "e1", "e2", "e3"
    for page, size, rows in (("1", "2", [e1, e2]), ("2", "2", [e1, e2]), ("3", "2", [e3]),
                             ("4", "1", [e2])):
        httpserver.expect_request(entries_path("u1"), query_string={
            "hydrated": "true", "page": page, "page-size": size}).respond_with_json(rows)
    pulled = pull(connector(httpserver, waits, page_size=2))
    entries = [r for r in pulled.records if isinstance(r, TimeEntry)]
    assert sorted(str(r.id) for r in entries) == ["e1", "e2", "e3"]
    assert pulled.duplicates == 0  # counted once: left out by the read, not by the sync
    assert any("page 2 held only records read already" in note
               and "2 of them unchanged, counted once" in note for note in pulled.notes)


def test_a_users_page_shifted_by_a_whole_page_is_said_in_the_notes(
    httpserver: HTTPServer, waits: Waits
) -> None:
    # The users list shifts like an entries list: page 1 is [u1, u2]; two users join before
    # them, so page 2 is [u1, u2] again and page 3 [u3] (short, the last). Place 4 (the
    # boundary check before page 3: 2 + 2 records read) still holds u2. Each user's entries
    # are read once (3 users), and the sync says the users page was read again, as
    # docs/connectors/clockify.md promises. Before: the read went on but the note was
    # dropped (the users pages' notes were discarded).
    u1, u2, u3 = user("u1", "Ann"), user("u2", "Bo"), user("u3", "Cy")
    for page, size, rows in (("1", "2", [u1, u2]), ("2", "2", [u1, u2]), ("3", "2", [u3]),
                             ("4", "1", [u2])):
        httpserver.expect_request(USERS, query_string={
            "status": "ALL", "page": page, "page-size": size}).respond_with_json(rows)
    for ident in ("u1", "u2", "u3"):
        httpserver.expect_request(entries_path(ident)).respond_with_json([])
    pulled = pull(connector(httpserver, waits, page_size=2))
    entries_asked = [r.path for r, _ in httpserver.log if "time-entries" in r.path]
    assert entries_asked == [entries_path(u) for u in ("u1", "u2", "u3")]
    assert any(note.startswith("users: page 2 held only records read already")
               and "2 of them unchanged, counted once" in note for note in pulled.notes)


@pytest.mark.parametrize("where", ["users", "time entries"])
def test_full_pages_without_ids_that_repeat_stop_the_read_instead_of_looping(
    httpserver: HTTPServer, waits: Waits, where: str
) -> None:
    # A server that ignores ?page= and answers every page with the same 2 records that
    # carry no id. The guard compared only the first records' ids, None here, so it never
    # fired: the read went on for ever. Page 2 repeats page 1 whole, so the read stops on
    # page 2 (2 requests of that list). After 12 requests the server answers [] so that a
    # read without the guard ends (and the test fails) instead of hanging. A page may repeat
    # once (a shift by a whole page), so the read stops on page 3, the same page three times
    # in a row (3 requests of that list; 2 before, when the first repeat stopped it).
    served: list[int] = [0]
    nameless = [{"name": "Ann Lee"}, {"name": "Bo Kim"}]
    no_ids = [{k: v for k, v in entry(str(n), "Acme", "2026-08-03T09:00:00Z",
                                      "2026-08-03T10:00:00Z").items() if k != "id"}
              for n in (1, 2)]

    def repeat(request: Request) -> Response:
        served[0] += 1
        rows = (nameless if where == "users" else no_ids) if served[0] <= 12 else []
        return Response(json.dumps(rows), content_type="application/json")

    if where == "users":
        httpserver.expect_request(USERS).respond_with_handler(repeat)
    else:
        httpserver.expect_request(USERS).respond_with_json([user("u1", "Ann Lee")])
        httpserver.expect_request(entries_path("u1")).respond_with_handler(repeat)
    with pytest.raises(ApiError) as caught:
        pull(connector(httpserver, waits, page_size=2, from_date=date(2026, 8, 1)))
    assert served[0] == 3
    message = str(caught.value)
    assert "page 3 repeats page 2 (3 times in a row)" in message
    assert KEY not in message
    assert WORKSPACE not in message

class Books(Connector):
    """Invoices and customers from the test builders, as a second source of a store."""

    name: ClassVar[str] = "books"
    streams: ClassVar[tuple[Stream, ...]] = (Stream(name="records", kind="invoice", id_field="id"),)
    records: ClassVar[list[AnyRecord]] = [
        customer("c-acme", "Acme GmbH", source="books"),
        customer("c-beta", "Beta", source="books"),
        invoice("c-acme", issued="2026-07-01", total="500", source="books"),
        invoice("c-beta", issued="2026-07-01", total="9500", source="books"),
    ]

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        yield RawPage(tuple(RawRecord({"i": i}, Location(detail=f"record {i}"))
                            for i in range(len(self.records))), last=True)

    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        index: int = raw["i"]  # the record's place in records, as fetch gave it
        return self.records[index]


def test_a_store_sync_beside_the_books_feeds_the_capacity_finding(
    httpserver: HTTPServer, waits: Waits, tmp_path: Path
) -> None:
    httpserver.expect_ordered_request(USERS).respond_with_json([user("u1", "Ann")])
    httpserver.expect_ordered_request(entries_path("u1")).respond_with_json([
        entry("e1", "ACME", "2026-07-06T08:00:00Z", "2026-07-06T20:00:00Z"),
        entry("e2", "Beta", "2026-07-07T08:00:00Z", "2026-07-07T16:00:00Z"),
    ])
    with Store.open(tmp_path / "s.db") as store:
        store.sync(Books(), source="books")
        store.sync(connector(httpserver, waits))
        ledger = store.load(base_currency="EUR")
    result = review(ledger, as_of=date(2026, 8, 31))
    capacity = {f.metric for f in result.findings()
                if f.signal == Signal.CAPACITY and f.customer_id == "books:c-acme"}
    # 60% of the hours for 5% of the revenue.
    assert {"hours_share", "hours_to_revenue"} <= capacity


def test_without_a_workspace_the_key_owners_default_is_read_and_kept_secret(
    httpserver: HTTPServer, waits: Waits, caplog: pytest.LogCaptureFixture
) -> None:
    httpserver.expect_ordered_request("/v1/user", headers={"X-Api-Key": KEY}).respond_with_json(
        {"id": "u1", "name": "Ann", "activeWorkspace": WORKSPACE, "defaultWorkspace": WORKSPACE}
    )
    httpserver.expect_ordered_request(USERS).respond_with_json([user("u1", "Ann")])
    httpserver.expect_ordered_request(entries_path("u1")).respond_with_data(
        "forbidden", status=403)
    conn = ClockifyConnector(api_key=KEY, base_url=httpserver.url_for("/v1"), clock=lambda: NOW,
                             sleep=waits.append)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AuthError) as caught:
        pull(conn)
    httpserver.check_assertions()
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name != "werkzeug")
    assert WORKSPACE not in f"{caught.value}\n{ours}"


def test_a_page_that_is_no_list_names_the_page_and_says_to_try_again(
    httpserver: HTTPServer, waits: Waits
) -> None:
    httpserver.expect_ordered_request(USERS).respond_with_json([user("u1", "Ann Lee")])
    httpserver.expect_ordered_request(entries_path("u1")).respond_with_json([
        entry("e1", "Acme Ltd", "2026-08-03T08:00:00Z", "2026-08-03T09:30:00Z"),
        entry("e2", "Acme Ltd", "2026-08-04T08:00:00Z", "2026-08-04T09:30:00Z"),
    ])
    httpserver.expect_ordered_request(entries_path("u1")).respond_with_json(
        {"message": "Service temporarily unavailable", "code": 503})
    with pytest.raises(ApiError) as caught:
        pull(connector(httpserver, waits, page_size=2))
    httpserver.check_assertions()
    message = str(caught.value)
    assert "the API answered page 2 of time-entries of user u1 without its records" in message
    assert "a list was due, the body is an object; try again" in message
    assert "temporarily" not in message
    assert WORKSPACE not in message
    assert KEY not in message


# --------------------------------------------------- a list that changes while it is read

def _changing_entries(server: HTTPServer, change: str) -> None:
    """One user with six entries, newest first as Clockify lists them (e1 the newest); the
    list changes as ``change`` says just before page 2 (of the page size asked) is served."""
    entries = [entry(f"e{n}", "Acme", f"2026-08-{10 - n:02d}T08:00:00Z",
                     f"2026-08-{10 - n:02d}T09:00:00Z") for n in range(1, 7)]
    changed: list[bool] = []

    def respond(request: Request) -> Response:
        number, size = int(request.args["page"]), int(request.args["page-size"])
        if number == 2 and size > 1 and not changed:
            changed.append(True)
            if change == "e1 deleted":
                del entries[0]
            elif change == "a timer started":
                entries.insert(0, entry("e0", "Acme", "2026-08-31T08:00:00Z", None))
            elif change == "e1 moved after e4":
                entries.insert(3, entries.pop(0))
            elif change == "e3 deleted, two timers started":
                del entries[2]
                entries[:0] = [entry(f"e0{t}", "Acme", f"2026-08-31T0{t}:00:00Z", None)
                               for t in "ba"]
        chunk = entries[(number - 1) * size: number * size]
        return Response(json.dumps(chunk), content_type="application/json")

    server.expect_request(USERS).respond_with_json([user("u1", "Ann")])
    server.expect_request(entries_path("u1")).respond_with_handler(respond)


@pytest.mark.parametrize(
    ("change", "said"),
    [
        # Page 2 is (e4, e5) now: e3 crossed onto page 1, already read; place 2 holds e3,
        # not e2, the last entry page 1 gave.
        pytest.param("e1 deleted", "place 2 no longer holds the last record page 1 gave",
                     id="deleted"),
        # e1's start moved between e4 and e5: page 2 is (e4, e1), and e3 moved up onto
        # page 1, already read; place 2 holds e3.
        pytest.param("e1 moved after e4", "place 2 no longer holds the last record page 1 gave",
                     id="moved"),
    ],
)
def test_entries_that_shift_between_page_numbers_stop_the_read_to_be_retried(
    httpserver: HTTPServer, waits: Waits, change: str, said: str
) -> None:
    _changing_entries(httpserver, change)
    with pytest.raises(SourceChanged) as caught:
        pull(connector(httpserver, waits, page_size=2, timezone="UTC"))
    message = str(caught.value)
    assert "time-entries of user u1" in message
    assert said in message
    assert "run the sync again" in message
    assert KEY not in message
    assert WORKSPACE not in message


@pytest.mark.parametrize(
    "change",
    [
        "none",
        # A timer started as the read ran pushes every entry down a place: page 2 begins
        # with e2, read already (stored once); no entry of the read's start is lost, and
        # the new one is read by the next sync (it started inside its re-read window).
        "a timer started",
    ],
)
def test_entries_pushed_down_or_unchanged_are_all_read(
    httpserver: HTTPServer, waits: Waits, change: str
) -> None:
    _changing_entries(httpserver, change)
    pulled = pull(connector(httpserver, waits, page_size=2, timezone="UTC"))
    assert sorted({str(getattr(r, "id", "")) for r in pulled.records}) == [
        "e1", "e2", "e3", "e4", "e5", "e6"]


def test_a_page_that_begins_with_entries_read_already_stops_nothing_and_loses_nothing(
    httpserver: HTTPServer, waits: Waits,
) -> None:
    # Page 1 (three a page) gave e1, e2, e3. Then e3, the last entry read, was deleted and
    # two timers started: the list is e0b, e0a, e1, e2, e4, e5, e6, so page 2 (places 4-6) is
    # e2, e4, e5. It begins with e2, read already, and every entry after e3 in the list's
    # order comes after e2: none can be on a page already read (clientguard.http.
    # PageBoundaries, the rule GitHub and Xero Projects use). Before, the connector asked
    # place 4 for e3 and stopped the read (SourceChanged) though nothing was missed; now it
    # reads on without asking, and every entry there for the whole read is read, each
    # stored once.
    _changing_entries(httpserver, "e3 deleted, two timers started")
    pulled = pull(connector(httpserver, waits, page_size=3, timezone="UTC"))
    assert sorted(str(getattr(r, "id", "")) for r in pulled.records) == [
        "e1", "e2", "e3", "e4", "e5", "e6"]
    asked = [(int(r.args["page"]), int(r.args["page-size"])) for r, _ in httpserver.log
             if "time-entries" in r.path]
    # Pages 1-3 of three (page 3, places 7-9, holds e6 alone: the last). Page 3 begins with
    # e6, not read before: place 6, the last place read, must still hold e5, the last entry
    # read (one request of one entry). No other check.
    assert asked == [(1, 3), (2, 3), (3, 3), (6, 1)]
