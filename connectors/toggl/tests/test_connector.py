"""The Toggl Track connector over real HTTP (pytest-httpserver), with responses in the shape
Toggl documents (API v9 clients and projects; the Reports API v3 detailed search): Basic
auth with the token, the project -> client join, date windows paged by the ``X-Next-*``
headers, the re-read window of an incremental sync, a 429, a refused token that shows no
secret, entries skipped or rejected by reason, and a store sync beside the books that a
review turns into a capacity finding."""

from __future__ import annotations

import base64
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
from clientguard.http import MissingRecords
from clientguard.model import AnyRecord, TimeEntry
from clientguard.records import Location
from clientguard.review import review
from clientguard.store import Store
from clientguard.testing import customer, invoice
from clientguard_toggl import TogglConnector

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
TOKEN = "tg-token-never-shown-123"
WORKSPACE = "9876543"
BASIC = "Basic " + base64.b64encode(f"{TOKEN}:api_token".encode()).decode()
CLIENTS = f"/api/v9/workspaces/{WORKSPACE}/clients"
PROJECTS = f"/api/v9/workspaces/{WORKSPACE}/projects"
SEARCH = f"/reports/api/v3/workspace/{WORKSPACE}/search/time_entries"
Waits = list[float]


def time_entries(records: Sequence[AnyRecord]) -> list[TimeEntry]:
    """The records pulled, every one a time entry (the only kind Toggl gives)."""
    assert all(isinstance(r, TimeEntry) for r in records), records
    return [r for r in records if isinstance(r, TimeEntry)]


@pytest.fixture
def waits() -> Waits:
    return []


def connector(server: HTTPServer, waits: Waits, **options: Any) -> TogglConnector:
    """A connector on ``server``; its days in UTC unless ``timezone`` is given (without the
    option it reads the profile's zone: see test_days.py)."""
    return TogglConnector(
        api_token=TOKEN,
        workspace_id=WORKSPACE,
        base_url=server.url_for("/"),
        clock=lambda: NOW,
        sleep=waits.append,
        **{"timezone": "UTC", **options},
    )


def client(ident: int, name: str) -> dict[str, Any]:
    return {"id": ident, "wid": int(WORKSPACE), "name": name, "archived": False,
            "at": "2026-01-01T00:00:00+00:00", "creator_id": 1}


def project(ident: int, client_id: int | None) -> dict[str, Any]:
    return {"id": ident, "workspace_id": int(WORKSPACE), "client_id": client_id,
            "cid": client_id, "name": f"Project {ident}", "active": True, "billable": True,
            "at": "2026-01-01T00:00:00+00:00"}


def row(project_id: int | None, *entries: dict[str, Any], user: str = "Ann Lee",
        billable: bool = True, number: int = 1) -> dict[str, Any]:
    """A row of the detailed search, ungrouped: its entries under ``time_entries``."""
    return {"user_id": 11, "username": user, "project_id": project_id, "task_id": None,
            "billable": billable, "description": "Design", "tag_ids": [],
            "billable_amount_in_cents": None, "hourly_rate_in_cents": None, "currency": "EUR",
            "time_entries": list(entries), "row_number": number}


def te(ident: int, start: str, seconds: int, *, stop: str | None = "set",
       at: str = "2026-08-05T10:00:00+00:00") -> dict[str, Any]:
    return {"id": ident, "seconds": seconds, "start": start,
            "stop": start if stop == "set" else stop, "at": at}


def serve_names(server: HTTPServer) -> None:
    server.expect_ordered_request(
        CLIENTS, query_string={"status": "both"}, headers={"Authorization": BASIC}
    ).respond_with_json([client(1, "Acme Ltd"), client(2, "Beta")])
    server.expect_ordered_request(
        PROJECTS, query_string={"active": "both", "page": "1", "per_page": "2"}
    ).respond_with_json([project(10, 1), project(20, 2)])
    server.expect_ordered_request(
        PROJECTS, query_string={"active": "both", "page": "2", "per_page": "2"}
    ).respond_with_json([project(30, None)])


def search(first: str, last: str, **more: Any) -> dict[str, Any]:
    return {"start_date": first, "end_date": last, "page_size": 2, "order_by": "date",
            "order_dir": "asc", **more}


def test_windows_and_pages_are_read_and_joined_to_their_client(
    httpserver: HTTPServer, waits: Waits
) -> None:
    serve_names(httpserver)
    httpserver.expect_ordered_request(
        SEARCH, method="POST", json=search("2026-06-01", "2026-07-31"),
        headers={"Authorization": BASIC},
    ).respond_with_json(
        [row(10, te(1, "2026-06-02T22:30:00Z", 5400)),
         row(20, te(2, "2026-06-03T08:00:00Z", 1200))],
        headers={"X-Next-ID": "3", "X-Next-Row-Number": "3", "X-Next-Timestamp": "1780000000"},
    )
    httpserver.expect_ordered_request(
        SEARCH, method="POST",
        json=search("2026-06-01", "2026-07-31", first_id=3, first_row_number=3,
                    first_timestamp=1780000000),
    ).respond_with_json([row(10, te(3, "2026-07-01T08:00:00Z", 3600), billable=False)])
    httpserver.expect_ordered_request(
        SEARCH, method="POST", json=search("2026-07-31", "2026-09-01"),
    ).respond_with_json([row(20, te(4, "2026-08-04T08:00:00Z", 7200,
                                    at="2026-08-04T18:00:00Z"))])
    conn = connector(httpserver, waits, page_size=2, window_days=60,
                     from_date=date(2026, 6, 1), timezone="Europe/Warsaw")
    pulled = pull(conn)
    httpserver.check_assertions()
    got = [(e.id, e.customer_name, e.date, e.hours, e.billable, e.person)
           for e in time_entries(pulled.records)]
    assert got == [
        # 22:30 UTC is 00:30 the next day in Warsaw.
        ("1", "Acme Ltd", date(2026, 6, 3), Decimal("1.5"), True, "Ann Lee"),
        ("2", "Beta", date(2026, 6, 3), Decimal("0.333333"), True, "Ann Lee"),
        ("3", "Acme Ltd", date(2026, 7, 1), Decimal(1), False, "Ann Lee"),
        ("4", "Beta", date(2026, 8, 4), Decimal(2), True, "Ann Lee"),
    ]
    assert all(e.customer_id is None for e in time_entries(pulled.records))
    assert pulled.state.cursors["time_entries"] == datetime(2026, 8, 5, 10, tzinfo=UTC)


def test_an_incremental_read_rereads_from_the_window_before_the_cursor(
    httpserver: HTTPServer, waits: Waits
) -> None:
    serve_names(httpserver)
    httpserver.expect_ordered_request(
        SEARCH, method="POST", json=search("2026-07-20", "2026-09-01"),
    ).respond_with_json([])
    state = SyncState({"time_entries": datetime(2026, 8, 20, 12, 0, tzinfo=UTC)})
    pull(connector(httpserver, waits, page_size=2, resync_days=31), state)
    httpserver.check_assertions()


def test_entries_without_a_client_running_or_of_an_unknown_project_say_so(
    httpserver: HTTPServer, waits: Waits
) -> None:
    serve_names(httpserver)
    httpserver.expect_request(f"{PROJECTS}/99").respond_with_json(
        {"message": "project not found"}, status=404)
    httpserver.expect_request(SEARCH, method="POST").respond_with_json([
        row(10, te(1, "2026-08-03T08:00:00Z", 3600)),
        row(30, te(2, "2026-08-03T08:00:00Z", 3600)),        # project without a client
        row(None, te(3, "2026-08-03T08:00:00Z", 3600)),      # no project
        row(10, te(4, "2026-08-03T08:00:00Z", -1780000000, stop=None)),  # running
        row(99, te(5, "2026-08-03T08:00:00Z", 3600)),        # not in the list, nor by id
    ])
    pulled = pull(connector(httpserver, waits, page_size=2, window_days=366,
                            from_date=date(2026, 1, 1)))
    assert [e.id for e in pulled.records] == ["1"]
    assert pulled.skipped["time_entries"] == {
        "no client (no project, or a project without a client)": 2,
        "running timer: counted once it stops": 1,
    }
    (unknown,) = pulled.rejected
    assert unknown.record_id == "5"
    assert "project 99" in unknown.reason


def test_a_rate_limit_waits_then_goes_on(httpserver: HTTPServer, waits: Waits) -> None:
    httpserver.expect_ordered_request(CLIENTS).respond_with_data(
        "Too Many Requests", status=429, headers={"Retry-After": "1"}
    )
    httpserver.expect_ordered_request(CLIENTS).respond_with_json([])
    httpserver.expect_ordered_request(PROJECTS).respond_with_json([])
    httpserver.expect_ordered_request(SEARCH, method="POST").respond_with_json([])
    pull(connector(httpserver, waits, window_days=366, from_date=date(2026, 1, 1)))
    httpserver.check_assertions()
    assert waits == [1.0]


def test_a_refused_token_shows_no_token_and_no_workspace(
    httpserver: HTTPServer, waits: Waits, caplog: pytest.LogCaptureFixture
) -> None:
    httpserver.expect_request(CLIENTS).respond_with_data(
        f"Incorrect username and/or password for {TOKEN} in workspace {WORKSPACE}", status=403
    )
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AuthError) as caught:
        pull(connector(httpserver, waits))
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name != "werkzeug")
    text = f"{caught.value}\n{ours}"
    for secret in (TOKEN, WORKSPACE, BASIC.split()[1]):
        assert secret not in text


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_token_names_toggls_own_credentials_and_where_to_make_them(
    httpserver: HTTPServer, waits: Waits, status: int
) -> None:
    # Toggl answers a wrong token with 403 (or 401, empty): the error used to say "the token
    # lacks a scope, or the organisation is not connected to the app", or nothing to do.
    httpserver.expect_request(CLIENTS).respond_with_data("", status=status)
    with pytest.raises(AuthError) as caught:
        pull(connector(httpserver, waits))
    message = str(caught.value)
    assert (". Toggl refused the API token: check api_token (Toggl Track > Profile settings "
            "> API Token, of a workspace admin) and workspace_id") in message
    assert "scope" not in message
    assert "organisation" not in message
    assert TOKEN not in message
    assert WORKSPACE not in message


class Books(Connector):
    """Invoices and customers from the test builders, as a second source of a store."""

    name: ClassVar[str] = "books"
    streams: ClassVar[tuple[Stream, ...]] = (Stream(name="records", kind="invoice", id_field="id"),)
    records: ClassVar[list[AnyRecord]] = [
        customer("c-acme", "ACME Sp. z o.o.", source="books"),
        customer("c-beta", "Beta S.A.", source="books"),
        invoice("c-acme", issued="2026-07-01", total="800", source="books"),
        invoice("c-beta", issued="2026-07-01", total="9200", source="books"),
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
    serve_names(httpserver)
    httpserver.expect_request(f"{PROJECTS}/99").respond_with_json(
        {"message": "project not found"}, status=404)
    httpserver.expect_request(SEARCH, method="POST").respond_with_json([
        row(10, te(1, "2026-07-06T08:00:00Z", 36000), te(2, "2026-07-07T08:00:00Z", 36000)),
        row(20, te(3, "2026-07-08T08:00:00Z", 36000)),
    ])
    with Store.open(tmp_path / "s.db") as store:
        store.sync(Books(), source="books")
        store.sync(connector(httpserver, waits, page_size=2, window_days=366,
                             from_date=date(2026, 1, 1)))
        ledger = store.load(base_currency="EUR")
    result = review(ledger, as_of=date(2026, 8, 31))
    capacity = {f.metric for f in result.findings()
                if f.signal == Signal.CAPACITY and f.customer_id == "books:c-acme"}
    # Two thirds of the hours for 8% of the revenue.
    assert {"hours_share", "hours_to_revenue"} <= capacity


def test_without_a_workspace_the_token_owners_default_is_read_and_kept_secret(
    httpserver: HTTPServer, waits: Waits, caplog: pytest.LogCaptureFixture
) -> None:
    httpserver.expect_ordered_request("/api/v9/me", headers={"Authorization": BASIC}) \
        .respond_with_json({"id": 11, "fullname": "Ann Lee", "default_workspace_id":
                            int(WORKSPACE), "timezone": "Europe/Warsaw"})
    httpserver.expect_ordered_request(CLIENTS).respond_with_json([client(1, "Acme Ltd")])
    httpserver.expect_ordered_request(PROJECTS).respond_with_json([project(10, 1)])
    httpserver.expect_ordered_request(SEARCH, method="POST").respond_with_data(
        "forbidden", status=403)
    conn = TogglConnector(api_token=TOKEN, base_url=httpserver.url_for("/"), clock=lambda: NOW,
                          sleep=waits.append, window_days=366, from_date=date(2026, 1, 1))
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AuthError) as caught:
        pull(conn)
    httpserver.check_assertions()
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name != "werkzeug")
    assert WORKSPACE not in f"{caught.value}\n{ours}"


def test_a_page_with_an_empty_body_fails_instead_of_ending_the_list(
    httpserver: HTTPServer, waits: Waits
) -> None:
    httpserver.expect_ordered_request(CLIENTS).respond_with_json([client(1, "Acme Ltd")])
    httpserver.expect_ordered_request(PROJECTS).respond_with_json(
        [project(10, 1), project(20, 1)])
    httpserver.expect_ordered_request(PROJECTS).respond_with_data(
        "", content_type="application/json")
    with pytest.raises(ApiError) as caught:
        pull(connector(httpserver, waits, page_size=2))
    httpserver.check_assertions()
    message = str(caught.value)
    # The call is named (method, host and path, the workspace id in it scrubbed), never
    # its query string.
    host = f"{httpserver.host}:{httpserver.port}"
    assert message.startswith(
        f"page 2 of projects (GET {host}/api/v9/workspaces/[redacted]/projects): the API "
        "answered HTTP 200 with an empty body where JSON was due")
    assert "per_page" not in message
    assert "stream time_entries" in message
    assert WORKSPACE not in message


@pytest.mark.parametrize(
    ("bad", "said"),
    [
        pytest.param("", "an empty body", id="empty body"),
        pytest.param('{"error": "quota"}', "a list was due, the body is an object",
                     id="an object"),
    ],
)
def test_a_report_page_that_is_no_list_fails_naming_its_window(
    httpserver: HTTPServer, waits: Waits, bad: str, said: str
) -> None:
    serve_names(httpserver)
    httpserver.expect_ordered_request(SEARCH, method="POST").respond_with_data(
        bad, content_type="application/json")
    with pytest.raises(ApiError) as caught:
        pull(connector(httpserver, waits, page_size=2, from_date=date(2026, 8, 1)))
    httpserver.check_assertions()
    message = str(caught.value)
    assert "page 1 of the time entries of 2026-08-01..2026-09-01" in message
    assert said in message
    assert TOKEN not in message


@pytest.mark.parametrize(
    ("bad_row", "said"),
    [
        pytest.param({**row(10), "time_entries": None},
                     "row 2's 'time_entries' is null: its entries did not come", id="null"),
        pytest.param({k: v for k, v in row(10).items() if k != "time_entries"},
                     "row 2 has no 'time_entries': its entries did not come", id="missing"),
        pytest.param({**row(10), "time_entries": {"id": 2}},
                     "row 2's 'time_entries' is not a list", id="an-object"),
        pytest.param(row(10, te(2, "2026-08-03T09:00:00+00:00", 1800), "oops"),  # type: ignore[arg-type]
                     "entry 2 of row 2's 'time_entries' is not an object", id="a-text-entry"),
    ],
)
def test_a_row_whose_entries_did_not_come_fails_naming_the_page(
    httpserver: HTTPServer, waits: Waits, bad_row: dict[str, Any], said: str
) -> None:
    # Row 1 holds entry 1 (30 minutes on project 10, Acme Ltd); row 2's entries did not
    # come as Toggl lists them (a list of entry objects under time_entries). They used to be
    # left out without a word: the sync ended with 1 entry, as if row 2 held none.
    serve_names(httpserver)
    good = row(10, te(1, "2026-08-03T09:00:00+00:00", 1800))
    httpserver.expect_ordered_request(SEARCH, method="POST").respond_with_json([good, bad_row])
    with pytest.raises(MissingRecords) as caught:
        pull(connector(httpserver, waits, page_size=2, from_date=date(2026, 8, 1)))
    message = str(caught.value)
    assert "page 1 of the time entries of 2026-08-01..2026-09-01" in message
    assert said in message
    assert "try again" in message
    assert TOKEN not in message
    assert WORKSPACE not in message



def next_headers(row_number: int, ident: int) -> dict[str, str]:
    return {"X-Next-ID": str(ident), "X-Next-Row-Number": str(row_number),
            "X-Next-Timestamp": "1780000000"}


@pytest.mark.parametrize(
    ("names", "requests"),
    [
        # Each page names the next by its X-Next-* headers; the last one named here is a page
        # of the window already read, so reading on would loop for ever (the reviewer's
        # repro read 41 pages of the same two until its probe stopped it).
        pytest.param([(51, 101), (1, 5101), (51, 101)], 3,
                     id="rows 1, 51, 1, 51: the reviewer's cycle of two"),
        pytest.param([(3, 3), (5, 5), (3, 3)], 3, id="page 3 names page 2 again (A, B, C, B)"),
        pytest.param([(3, 3), (3, 3)], 2, id="page 2 names itself"),
    ],
)
def test_x_next_headers_that_cycle_stop_the_read_naming_the_loop(
    httpserver: HTTPServer, waits: Waits, names: list[tuple[int, int]], requests: int
) -> None:
    httpserver.expect_ordered_request(CLIENTS).respond_with_json([client(1, "Acme Ltd")])
    httpserver.expect_ordered_request(PROJECTS).respond_with_json([project(10, 1)])
    bodies = [search("2026-06-01", "2026-07-31")] + [
        search("2026-06-01", "2026-07-31", first_id=i, first_row_number=r,
               first_timestamp=1780000000) for r, i in names[:-1]]
    for page, (body, (number, ident)) in enumerate(zip(bodies, names, strict=True), start=1):
        httpserver.expect_ordered_request(SEARCH, method="POST", json=body).respond_with_json(
            [row(10, te(100 * page, "2026-06-02T08:00:00Z", 60)),
             row(10, te(100 * page + 1, "2026-06-02T09:00:00Z", 60))],
            headers=next_headers(number, ident))
    conn = connector(httpserver, waits, page_size=2, window_days=60,
                     from_date=date(2026, 6, 1))
    with pytest.raises(ApiError) as caught:
        pull(conn)
    httpserver.check_assertions()
    searches = [r for r, _ in httpserver.log if r.path == SEARCH]
    assert len(searches) == requests  # the page named again was never asked for
    message = str(caught.value)
    assert "POST search/time_entries 2026-06-01..2026-07-31: paging loop" in message
    assert "names a page already read" in message
    assert caught.value.context.connector == "toggl"
    assert WORKSPACE not in message
