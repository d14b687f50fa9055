"""The Harvest connector over real HTTP (pytest-httpserver), with responses in the shape of
Harvest API v2's documented ``GET /v2/time_entries`` (help.getharvest.com/api-v2): paging by
``next_page``, the three required headers, incremental by ``updated_since``, a 429 with
``Retry-After``, a refused token that says what to do and shows no secret, and a store sync
beside invoices that a review turns into a capacity finding."""

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

from clientguard.connector import Connector, Mapped, RawPage, RawRecord, Stream, SyncState, pull
from clientguard.errors import ApiError, AuthError
from clientguard.findings import Signal
from clientguard.http.paging import SourceChanged
from clientguard.model import AnyRecord, TimeEntry
from clientguard.records import Location
from clientguard.review import review
from clientguard.store import Store
from clientguard.testing import customer, invoice
from clientguard_harvest import HarvestConnector

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
TOKEN = "hv-TOKEN-never-shown-123"
ACCOUNT = "7654321"
Waits = list[float]


def time_entries(records: Sequence[AnyRecord]) -> list[TimeEntry]:
    """The records pulled, every one a time entry (the only kind Harvest gives)."""
    assert all(isinstance(r, TimeEntry) for r in records), records
    return [r for r in records if isinstance(r, TimeEntry)]


@pytest.fixture
def waits() -> Waits:
    return []


def connector(server: HTTPServer, waits: Waits, **options: Any) -> HarvestConnector:
    return HarvestConnector(
        account_id=ACCOUNT,
        access_token=TOKEN,
        user_agent="clientguard tests (ops@example.com)",
        base_url=server.url_for("/v2"),
        clock=lambda: NOW,
        sleep=waits.append,
        **options,
    )


def entry(ident: int, client: str, hours: float | int | str, *, day: str = "2026-08-03",
          updated: str = "2026-08-03T17:00:00Z", **changes: Any) -> dict[str, Any]:
    """A time entry as Harvest documents it (fields clientguard does not read included)."""
    raw: dict[str, Any] = {
        "id": ident,
        "spent_date": day,
        "hours": hours,
        "hours_without_timer": hours,
        "rounded_hours": hours,
        "notes": "Work",
        "is_locked": False,
        "is_closed": False,
        "is_billed": False,
        "is_running": False,
        "billable": True,
        "budgeted": True,
        "billable_rate": 100.0,
        "cost_rate": 50.0,
        "created_at": "2026-08-03T16:00:00Z",
        "updated_at": updated,
        "user": {"id": 1782959, "name": "Kim Allen"},
        "client": {"id": 5735776, "name": client, "currency": "EUR"},
        "project": {"id": 14307913, "name": "Marketing Website", "code": "MW"},
        "task": {"id": 8083365, "name": "Graphic Design"},
        "invoice": None,
        "external_reference": None,
    }
    raw.update(changes)
    return raw


def page(entries: list[dict[str, Any]], number: int, total: int, *,
         count: int | None = None) -> dict[str, Any]:
    """Page ``number`` of ``total``; ``count`` is Harvest's ``total_entries``, the entries of
    the whole query (the same on every page), needed when there is more than one page."""
    assert count is not None or total == 1, "a page of several gives the query's count"
    return {
        "time_entries": entries,
        "per_page": 2,
        "total_pages": total,
        "total_entries": len(entries) if count is None else count,
        "next_page": number + 1 if number < total else None,
        "previous_page": number - 1 if number > 1 else None,
        "page": number,
        "links": {"first": "...", "next": None, "previous": None, "last": "..."},
    }


def test_entries_are_paged_by_next_page_with_the_required_headers(
    httpserver: HTTPServer, waits: Waits
) -> None:
    headers = {
        "Authorization": f"Bearer {TOKEN}",
        "Harvest-Account-Id": ACCOUNT,
        "User-Agent": "clientguard tests (ops@example.com)",
    }
    httpserver.expect_ordered_request(
        "/v2/time_entries", query_string={"per_page": "2"}, headers=headers
    ).respond_with_json(page([entry(1, "Acme Ltd", 1.5), entry(2, "Beta", 2)], 1, 2, count=3))
    httpserver.expect_ordered_request(
        "/v2/time_entries", query_string={"per_page": "2", "page": "2"}, headers=headers
    ).respond_with_json(page([entry(3, "Acme Ltd", 0.25, billable=False)], 2, 2, count=3))
    pulled = pull(connector(httpserver, waits, page_size=2))
    httpserver.check_assertions()
    entries = time_entries(pulled.records)
    assert [(e.id, e.customer_name, e.hours, e.billable) for e in entries] == [
        ("1", "Acme Ltd", Decimal("1.5"), True),
        ("2", "Beta", Decimal(2), True),
        ("3", "Acme Ltd", Decimal("0.25"), False),
    ]
    first = entries[0]
    assert first.customer_id is None  # Harvest's client id is not the books': by name
    assert first.person == "Kim Allen"
    assert first.date == date(2026, 8, 3)
    assert pulled.state.cursors["time_entries"] == datetime(2026, 8, 3, 17, tzinfo=UTC)


def test_a_cursor_in_links_next_is_followed(httpserver: HTTPServer, waits: Waits) -> None:
    first = page([entry(1, "Acme", 1)], 1, 2, count=2)
    first["links"]["next"] = (
        "https://api.harvestapp.com/v2/time_entries?cursor=eyJhZnRlciI6MX0&per_page=2000"
    )
    httpserver.expect_ordered_request(
        "/v2/time_entries", query_string={"per_page": "2000"}
    ).respond_with_json(first)
    httpserver.expect_ordered_request(
        "/v2/time_entries", query_string={"per_page": "2000", "cursor": "eyJhZnRlciI6MX0"}
    ).respond_with_json(page([entry(2, "Acme", 1)], 2, 2, count=2))
    pulled = pull(connector(httpserver, waits))
    httpserver.check_assertions()
    assert [e.id for e in pulled.records] == ["1", "2"]


def test_an_incremental_read_asks_for_what_changed_since_the_cursor(
    httpserver: HTTPServer, waits: Waits
) -> None:
    httpserver.expect_ordered_request(
        "/v2/time_entries",
        query_string={"per_page": "2000", "updated_since": "2026-08-10T09:55:00Z",
                      "from": "2026-01-01"},
    ).respond_with_json(page([entry(4, "Acme", 3, updated="2026-08-20T08:00:00Z")], 1, 1))
    state = SyncState({"time_entries": datetime(2026, 8, 10, 10, 0, tzinfo=UTC)})
    pulled = pull(connector(httpserver, waits, from_date=date(2026, 1, 1)), state)
    httpserver.check_assertions()
    assert [e.id for e in pulled.records] == ["4"]
    assert pulled.state.cursors["time_entries"] == datetime(2026, 8, 20, 8, tzinfo=UTC)


def test_a_rate_limit_waits_retry_after_then_goes_on(
    httpserver: HTTPServer, waits: Waits
) -> None:
    httpserver.expect_ordered_request("/v2/time_entries").respond_with_json(
        {"message": "Too Many Requests"}, status=429, headers={"Retry-After": "15"}
    )
    httpserver.expect_ordered_request("/v2/time_entries").respond_with_json(
        page([entry(1, "Acme", 1)], 1, 1)
    )
    pulled = pull(connector(httpserver, waits))
    httpserver.check_assertions()
    assert waits == [15.0]
    assert len(pulled.records) == 1


def test_a_refused_token_says_so_and_shows_no_secret(
    httpserver: HTTPServer, waits: Waits, caplog: pytest.LogCaptureFixture
) -> None:
    httpserver.expect_request("/v2/time_entries").respond_with_json(
        {"error": "invalid_token",
         "error_description": f"The access token provided for account {ACCOUNT} is expired"},
        status=401,
    )
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AuthError) as caught:
        pull(connector(httpserver, waits))
    text = f"{caught.value}\n{caplog.text}"
    assert TOKEN not in text
    assert ACCOUNT not in text
    assert TOKEN not in repr(connector(httpserver, waits).options)


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_token_names_harvests_own_credentials_and_where_to_make_them(
    httpserver: HTTPServer, waits: Waits, status: int
) -> None:
    # Harvest has no refresh: the error used to say "use the refresh-token or
    # client-credentials options", which this connector does not have.
    httpserver.expect_request("/v2/time_entries").respond_with_json(
        {"error": "invalid_token"}, status=status)
    with pytest.raises(AuthError) as caught:
        pull(connector(httpserver, waits))
    message = str(caught.value)
    assert (". Harvest refused the token: check access_token (a personal access token: "
            "Harvest ID > Developers > Create new personal access token") in message
    assert "account_id (the Account ID shown next to the token)" in message
    assert "refresh" not in message
    assert "organisation" not in message
    assert TOKEN not in message


def test_bad_entries_are_rejected_with_their_page_and_the_rest_is_kept(
    httpserver: HTTPServer, waits: Waits
) -> None:
    httpserver.expect_request("/v2/time_entries").respond_with_json(page([
        entry(1, "Acme", 1),
        {**entry(2, "Acme", 1), "client": None},
        entry(3, "Acme", "two"),
        entry(4, "Acme", 0),
        entry(5, "Acme", -1),
    ], 1, 1))
    pulled = pull(connector(httpserver, waits))
    assert [e.id for e in pulled.records] == ["1"]
    reasons = {r.record_id: r.reason for r in pulled.rejected}
    assert set(reasons) == {"2", "3", "5"}
    assert "client.name" in reasons["2"]
    assert "hours" in reasons["3"]
    assert all(r.location is not None and "time_entries" in str(r.location)
               for r in pulled.rejected)


class Books(Connector):
    """Invoices and customers from the test builders, as a second source of a store."""

    name: ClassVar[str] = "books"
    streams: ClassVar[tuple[Stream, ...]] = (
        Stream(name="records", kind="invoice", id_field="id"),
    )
    records: ClassVar[list[AnyRecord]] = [
        customer("c-acme", "ACME Sp. z o.o.", source="books"),
        customer("c-beta", "Beta Media S.A.", source="books"),
        invoice("c-acme", issued="2026-07-01", total="1000", source="books"),
        invoice("c-beta", issued="2026-07-01", total="9000", source="books"),
    ]

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        yield RawPage(
            tuple(RawRecord({"i": i}, Location(detail=f"record {i}"))
                  for i in range(len(self.records))),
            last=True,
        )

    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        index: int = raw["i"]  # the record's place in records, as fetch gave it
        return self.records[index]


def test_a_store_sync_beside_the_books_feeds_the_capacity_finding(
    httpserver: HTTPServer, waits: Waits, tmp_path: Path
) -> None:
    # Acme: 10% of the revenue, 60 of 100 hours; an unknown client's 5 hours are reported.
    httpserver.expect_request("/v2/time_entries").respond_with_json(page([
        # No entry holds more than a day (a longer one is a timer left running: rejected).
        entry(1, "Acme", 20, day="2026-07-10"),
        entry(5, "Acme", 20, day="2026-07-09"),
        entry(2, "acme ltd", 20, day="2026-07-11"),
        entry(3, "Beta Media", 20, day="2026-07-12"),
        entry(6, "Beta Media", 20, day="2026-07-13"),
        entry(4, "Gamma", 5, day="2026-07-12"),
    ], 1, 1))
    with Store.open(tmp_path / "s.db") as store:
        store.sync(Books(), source="books")
        store.sync(connector(httpserver, waits))
        ledger = store.load(base_currency="EUR", strict=False)
    assert sorted({e.customer_id or "" for e in ledger.time_entries}) == [
        "books:c-acme", "books:c-beta"
    ]
    result = review(ledger, as_of=date(2026, 8, 31))
    capacity = [f for f in result.findings() if f.signal == Signal.CAPACITY
                and f.customer_id == "books:c-acme"]
    assert {f.metric for f in capacity} >= {"hours_share", "hours_to_revenue"}
    (gamma,) = ledger.report.unmatched
    assert (gamma.name, gamma.hours) == ("Gamma", Decimal(5))
    assert any("'Gamma'" in n and "5 hours" in n for n in result.data_quality.notes)


def test_an_edited_entry_replaces_the_stored_one_instead_of_counting_twice(
    httpserver: HTTPServer, waits: Waits, tmp_path: Path
) -> None:
    httpserver.expect_ordered_request("/v2/time_entries").respond_with_json(
        page([entry(1, "Acme", 2)], 1, 1))
    httpserver.expect_ordered_request("/v2/time_entries").respond_with_json(
        page([entry(1, "Acme", 5, updated="2026-08-04T10:00:00Z")], 1, 1))
    with Store.open(tmp_path / "s.db") as store:
        store.sync(connector(httpserver, waits))
        second = store.sync(connector(httpserver, waits))
        assert second.streams[0].full_read is False
        ledger = store.load(base_currency="EUR", strict=False)
    assert [e.hours for e in ledger.report.unmatched] == [Decimal(5)]


@pytest.mark.parametrize(
    ("total_entries", "expected"),
    [
        (5, [(2, 5), (4, 5), (5, 5)]),  # the entries read of the total Harvest gives
        (None, [(None, None)] * 3),  # no total in the body: no share, never a guess
        ("5", [(None, None)] * 3),  # not a number: ignored
        (True, [(None, None)] * 3),
        (-1, [(None, None)] * 3),
    ],
    ids=["total", "missing", "text", "bool", "negative"],
)
def test_progress_carries_harvests_total_entries(
    httpserver: HTTPServer, waits: Waits, total_entries: Any, expected: list[Any]
) -> None:
    from clientguard.connector import ProgressEvent

    entries = [entry(n, "Acme Ltd", 1) for n in range(1, 6)]
    for number in (1, 2, 3):
        body = page(entries[(number - 1) * 2 : number * 2], number, 3, count=5)
        body["total_entries"] = total_entries
        query = {"per_page": "2"} if number == 1 else {"per_page": "2", "page": str(number)}
        httpserver.expect_ordered_request(
            "/v2/time_entries", query_string=query
        ).respond_with_json(body)
    events: list[ProgressEvent] = []
    pull(connector(httpserver, waits, page_size=2, progress=events.append))
    assert [(e.read, e.total) for e in events if e.event == "page"] == expected


@pytest.mark.parametrize(
    ("bad", "said"),
    [
        pytest.param("", "an empty body", id="empty body"),
        pytest.param("{}", "the body has no 'time_entries' list", id="no time_entries"),
        pytest.param('{"message": "Service temporarily unavailable"}',
                     "the body has no 'time_entries' list", id="an error object"),
        pytest.param(None, "an empty list, though Harvest counts 3 pages and names a next page",
                     id="empty page 2 of 3"),
    ],
)
def test_a_lost_page_fails_the_full_sync_and_removes_no_stored_entry(
    httpserver: HTTPServer, waits: Waits, tmp_path: Path, bad: str | None, said: str
) -> None:
    entries = [entry(n, "Acme", 1, updated=f"2026-08-0{n}T10:00:00Z") for n in range(1, 7)]
    for number in (1, 2, 3):
        httpserver.expect_ordered_request("/v2/time_entries").respond_with_json(
            page(entries[(number - 1) * 2: number * 2], number, 3, count=6))
    httpserver.expect_ordered_request("/v2/time_entries").respond_with_json(
        page(entries[:2], 1, 3, count=6))
    if bad is None:
        httpserver.expect_ordered_request("/v2/time_entries").respond_with_json(
            page([], 2, 3, count=6))
    else:
        httpserver.expect_ordered_request("/v2/time_entries").respond_with_data(
            bad, content_type="application/json")
    with Store.open(tmp_path / "s.db") as store:
        store.sync(connector(httpserver, waits, page_size=2))
        cursor = store.state("harvest").cursor("time_entries")
        with pytest.raises(ApiError) as caught:
            # A full read replaces the stream's time entries: the lost page must stop it.
            store.sync(connector(httpserver, waits, page_size=2), full=True)
        kept = sorted(int(str(getattr(r, "id", 0))) for r in store.records())
        assert kept == [1, 2, 3, 4, 5, 6]
        assert store.state("harvest").cursor("time_entries") == cursor
        assert store.status()[0].last_sync_status == "failed"
    httpserver.check_assertions()
    message = str(caught.value)
    assert "page 2 of time_entries" in message
    assert said in message
    assert "try again" in message
    assert TOKEN not in message
    assert ACCOUNT not in message


# --------------------------------------------------- a list that changes while it is read

def _changing_server(
    server: HTTPServer, change: str, *, cursor: bool = False
) -> list[dict[str, Any]]:
    """Six entries, two a page, sorted as Harvest sorts them; ``change`` happens to the list
    just before page 2 is served. Paged by ``next_page`` (no ``links.next``), as Harvest's
    page-number fallback is, or with ``cursor``, by a cursor naming the last id read."""
    from werkzeug import Request, Response

    entries = [entry(n, "Acme", 1) for n in range(1, 7)]
    served: list[int] = []

    def respond(request: Request) -> Response:
        after = request.args.get("cursor")
        number = int(request.args.get("page", "1"))
        if len(served) == 1:
            if change == "deleted on page 1":
                del entries[0]
            elif change == "added on page 1":
                entries.insert(0, entry(7, "Acme", 1))
            elif change == "a page added on page 1":
                entries[0:0] = [entry(7, "Acme", 1), entry(8, "Acme", 1)]
            elif change == "moved from page 1 to page 3":
                entries.append(entries.pop(0))
            elif change == "moved from page 3 to page 1":
                entries.insert(0, entries.pop())
            elif change == "page 3 moved to page 1":
                entries[0:0] = [entries.pop(), entries.pop()][::-1]
        served.append(number)
        if after is not None:
            start = 1 + next(i for i, e in enumerate(entries) if e["id"] == int(after))
        else:
            start = (number - 1) * 2
        chunk = entries[start:start + 2]
        more = start + 2 < len(entries)
        pages = -(-len(entries) // 2)
        body = page(chunk, number, pages, count=len(entries))
        body["next_page"] = number + 1 if more and not cursor else None
        if cursor and more:
            body["links"]["next"] = (f"https://api.harvestapp.com/v2/time_entries?cursor="
                                     f"{chunk[-1]['id']}&per_page=2&ref=next_cursor")
        return Response(json.dumps(body), content_type="application/json")

    server.expect_request("/v2/time_entries").respond_with_handler(respond)
    return entries


@pytest.mark.parametrize(
    ("change", "said"),
    [
        # Six entries counted on page 1; five on page 2: the rest moved up a place, and
        # entry 3 crossed onto page 1, already read.
        pytest.param("deleted on page 1", "page 1 counted 6 entries, page 2 counts 5",
                     id="deleted"),
        # Seven on page 2: entry 2 moved down onto page 2 (read twice), no loss, but the
        # read cannot tell an insert from an insert and a loss: it stops all the same.
        pytest.param("added on page 1", "page 1 counted 6 entries, page 2 counts 7",
                     id="added"),
        # Two (a whole page) added: page 2 repeats page 1. Before: "paging loop: page 2
        # repeats page 1; the API ignores the paging parameters", which sent the user to
        # look for a broken proxy; the count says the list changed.
        pytest.param("a page added on page 1", "page 1 counted 6 entries, page 2 counts 8",
                     id="a page added"),
        # Entry 1's day changed and it sorts last: the count stays 6, but pages 2 and 3
        # (4, 5 and 6, 1) give entries 1, 2, 4, 5, 6: entry 3 crossed onto page 1 unseen.
        pytest.param("moved from page 1 to page 3",
                     "Harvest counts 6 entries, the 3 pages held 5 different ones",
                     id="moved later"),
        # Entry 6 sorts first now: pages 2 and 3 are (2, 3) and (4, 5); 6 is never read.
        pytest.param("moved from page 3 to page 1",
                     "Harvest counts 6 entries, the 3 pages held 5 different ones",
                     id="moved earlier"),
        # Entries 5 and 6 (page 3) get a later spent_date and sort first: the count stays
        # 6, the list is 5, 6, 1, 2, 3, 4 and page 2 is (1, 2), page 1 again, whole; 5 and
        # 6, now on page 1, would never be read. The list changed: run the sync again.
        # Before: "paging loop: page 2 repeats page 1; the API ignores the paging
        # parameters", which sent the user to look for a broken proxy.
        pytest.param("page 3 moved to page 1",
                     "page 2 repeats page 1 (entries moved by an edited spent_date",
                     id="a page moved earlier"),
    ],
)
def test_a_list_that_changes_between_page_numbers_stops_the_read_to_be_retried(
    httpserver: HTTPServer, waits: Waits, change: str, said: str
) -> None:
    _changing_server(httpserver, change)
    with pytest.raises(SourceChanged) as caught:
        pull(connector(httpserver, waits, page_size=2))
    message = str(caught.value)
    assert said in message
    assert "run the sync again" in message
    assert "stream time_entries" in message
    assert TOKEN not in message
    assert ACCOUNT not in message


@pytest.mark.parametrize(
    ("change", "cursor", "read"),
    [
        pytest.param("none", False, [1, 2, 3, 4, 5, 6], id="unchanged, by number"),
        # The cursor names the last id read (2), not a position: 3 to 6 follow whatever
        # happened to entry 1, as Harvest documents its cursor paging.
        pytest.param("deleted on page 1", True, [1, 2, 3, 4, 5, 6], id="deleted, by cursor"),
        # Entry 1 sorts last now: the cursor (2) goes on to 3, 4, 5, 6 and then 1 again.
        pytest.param("moved from page 1 to page 3", True, [1, 2, 3, 4, 5, 6],
                     id="moved later, by cursor"),
    ],
)
def test_cursor_pages_and_an_unchanged_list_read_every_entry(
    httpserver: HTTPServer, waits: Waits, change: str, cursor: bool, read: list[int]
) -> None:
    _changing_server(httpserver, change, cursor=cursor)
    pulled = pull(connector(httpserver, waits, page_size=2))
    assert sorted(int(str(getattr(r, "id", 0))) for r in pulled.records) == read


@pytest.mark.parametrize(
    ("change", "said"),
    [
        # Entry 6 sorts first now (its spent_date edited onto the newest day): the cursor (2)
        # goes on to 3, 4 and 5, and 6 is never served; Harvest counts 6, the read held 5.
        pytest.param("moved from page 3 to page 1",
                     "Harvest counts 6 entries, the 3 pages held 5 different ones",
                     id="moved earlier"),
        # Entry 7 is new and sorts first: nothing is lost, but 6 distinct entries against
        # Harvest's 7 cannot tell it from an entry moved back onto page 1: it stops too.
        pytest.param("added on page 1",
                     "Harvest counts 7 entries, the 3 pages held 6 different ones",
                     id="added"),
    ],
)
def test_a_cursor_read_that_ends_short_of_harvests_count_stops_to_be_retried(
    httpserver: HTTPServer, waits: Waits, change: str, said: str
) -> None:
    _changing_server(httpserver, change, cursor=True)
    with pytest.raises(SourceChanged) as caught:
        pull(connector(httpserver, waits, page_size=2))
    message = str(caught.value)
    assert said in message
    assert "by cursor" in message
    assert "run the sync again" in message
    assert TOKEN not in message
    assert ACCOUNT not in message


def _spent_date_server(server: HTTPServer, *, move: bool) -> None:
    """Six entries of 1 hour, sorted as Harvest sorts time entries: newest ``spent_date``
    first (entry n worked on 2026-08-(10 - n)), two a page, each next page named by a cursor
    after the last entry read, (spent_date, id). With ``move``, entry 6 (the oldest day) is
    edited to 2026-08-20 just after page 1 is served: it sorts first now, on the page
    already read."""
    from werkzeug import Request, Response

    entries = [entry(n, "Acme", 1, day=f"2026-08-{10 - n:02d}") for n in range(1, 7)]
    served: list[str | None] = []

    def respond(request: Request) -> Response:
        after = request.args.get("cursor")
        if len(served) == 1 and move:
            moved = entries.pop()
            moved.update(spent_date="2026-08-20", updated_at="2026-09-01T12:01:00Z")
            entries.insert(0, moved)
        served.append(after)
        if after is None:
            chunk = entries[:2]
        else:
            day, ident = after.split("_")
            chunk = [e for e in entries if e["spent_date"] < day
                     or (e["spent_date"] == day and e["id"] > int(ident))][:2]
        rest = entries[entries.index(chunk[-1]) + 1:] if chunk else []
        body = page(chunk, 1, 3, count=len(entries))
        body["next_page"] = None
        if rest:
            body["links"]["next"] = (f"https://api.harvestapp.com/v2/time_entries?cursor="
                                     f"{chunk[-1]['spent_date']}_{chunk[-1]['id']}"
                                     "&per_page=2&ref=next_cursor")
        return Response(json.dumps(body), content_type="application/json")

    server.expect_request("/v2/time_entries").respond_with_handler(respond)


def test_a_full_sync_by_cursor_keeps_an_entry_whose_day_moved_it_onto_a_read_page(
    httpserver: HTTPServer, waits: Waits, tmp_path: Path
) -> None:
    # Time entries are pruned on every full read: a full read by cursor that missed entry 6
    # (moved onto page 1 after it was served) used to remove it, its hour gone from every
    # review until the next sync read it again.
    with Store.open(tmp_path / "s.db") as store:
        _spent_date_server(httpserver, move=False)
        store.sync(connector(httpserver, waits, page_size=2))
        cursor = store.state("harvest").cursor("time_entries")
        httpserver.clear()
        _spent_date_server(httpserver, move=True)
        with pytest.raises(SourceChanged, match="Harvest counts 6 entries, the 3 pages held 5"):
            store.sync(connector(httpserver, waits, page_size=2), full=True)
        kept = sorted(int(str(getattr(r, "id", 0))) for r in store.records())
        assert kept == [1, 2, 3, 4, 5, 6]  # nothing pruned: six hours, as before the read
        assert store.state("harvest").cursor("time_entries") == cursor
        assert store.status()[0].last_sync_status == "failed"


def test_a_full_sync_of_a_list_that_changed_while_read_keeps_the_stored_entries(
    httpserver: HTTPServer, waits: Waits, tmp_path: Path
) -> None:
    with Store.open(tmp_path / "s.db") as store:
        _changing_server(httpserver, "none")
        store.sync(connector(httpserver, waits, page_size=2))
        cursor = store.state("harvest").cursor("time_entries")
        httpserver.clear()
        _changing_server(httpserver, "deleted on page 1")
        with pytest.raises(SourceChanged):
            store.sync(connector(httpserver, waits, page_size=2), full=True)
        # Entry 1 is gone from Harvest, but the read that would say so stopped: a full read
        # that ended there would have dropped entry 3 too (crossed onto page 1, unseen).
        kept = sorted(int(str(getattr(r, "id", 0))) for r in store.records())
        assert kept == [1, 2, 3, 4, 5, 6]
        assert store.state("harvest").cursor("time_entries") == cursor
        assert store.status()[0].last_sync_status == "failed"
