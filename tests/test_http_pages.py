"""A page that comes without its records is an error, never the end of a stream.

An empty body, ``null``, an object without the list, a text where an object was due, or an
empty page before the last one the API counts: each used to end the read as if the stream
were complete, so its cursor moved past records nobody read and a full read pruned stored
records it had not seen. Each is now an ApiError naming the connector, the stream and the
page; the store keeps every record and the cursor. With them: what a body that is no JSON
means (an HTML page, a cut-off answer), and a response cut off while it is read, which is
sent again like a lost connection.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest
import requests
from hypothesis import example, given
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Response

from clientguard.connector import ConnectorOptions, Mapped, Stream, pull
from clientguard.errors import ApiError, ConnectorError
from clientguard.http import (
    ApiClient,
    BearerToken,
    HttpConnector,
    HttpOptions,
    HttpStream,
    MissingRecords,
    NextTokenPaginator,
    PageNumberPaginator,
    classify,
    decode_json,
    records_in,
)
from clientguard.store import Store
from clientguard.testing import customer

NOW = datetime(2026, 6, 2, 12, 0, tzinfo=UTC)
TOKEN = "tok-SECRET-pages-1"


def response(status: int = 200, content: bytes = b"", content_type: str = "") -> requests.Response:
    """A bare requests.Response, as decode_json and the classifier see one."""
    resp = requests.Response()
    resp.status_code = status
    resp._content = content
    if content_type:
        resp.headers["Content-Type"] = content_type
    return resp


# ============================================================================ records_in


@pytest.mark.parametrize(
    ("body", "key", "ids"),
    [
        pytest.param({"Invoices": [{"id": "a"}, {"id": "b"}]}, "Invoices", ["a", "b"],
                     id="the list under its key"),
        pytest.param({"Invoices": []}, "Invoices", [], id="an empty list is an empty page"),
        pytest.param([{"id": "a"}], None, ["a"], id="a body that is the list"),
        pytest.param([], None, [], id="an empty body list is an empty page"),
    ],
)
def test_records_in_reads_a_list_and_an_empty_list_is_an_empty_page(
    body: Any, key: str | None, ids: list[str]
) -> None:
    assert [r["id"] for r in records_in(body, key)] == ids


@pytest.mark.parametrize(
    ("body", "key", "why"),
    [
        pytest.param({"Status": "OK"}, "Invoices", "the body has no 'Invoices' list",
                     id="object without the key"),
        pytest.param(None, "Invoices", "the body is null", id="null where an object was due"),
        pytest.param("Service temporarily unavailable", "Invoices", "the body is a text",
                     id="a text where an object was due"),
        pytest.param([{"Message": "x"}], "Invoices", "the body is a list",
                     id="a list where an object was due"),
        pytest.param({"Invoices": None}, "Invoices", "'Invoices' is null, not a list",
                     id="null under the key"),
        pytest.param({"Invoices": {"id": "a"}}, "Invoices", "'Invoices' is an object",
                     id="an object under the key"),
        pytest.param({"error": "x"}, None, "a list was due, the body is an object",
                     id="an object where the body should be the list"),
        pytest.param(None, None, "a list was due, the body is null", id="null body list"),
        # An item that is not a record: the page is not what the API documents (it was
        # dropped without a word, and a record may be missing with it).
        pytest.param({"Invoices": [{"id": "a"}, None]}, "Invoices",
                     "item 2 of the 'Invoices' list is null, not an object",
                     id="null among the records"),
        pytest.param([[1, 2], {"id": "b"}], None, "item 1 of the list is a list, not an object",
                     id="a list among the records"),
    ],
)
def test_records_in_refuses_a_body_without_its_list(body: Any, key: str | None, why: str) -> None:
    with pytest.raises(MissingRecords) as caught:
        records_in(body, key)
    assert why in caught.value.why
    assert "temporarily" not in str(caught.value)  # the body's words are never quoted


def test_an_empty_page_before_the_last_the_api_counts_is_missing_records() -> None:
    paginator = PageNumberPaginator(size=2, page_count=lambda body: body["pages"])
    paginator.advance(response(), {"pages": 3}, [{"id": "a"}, {"id": "b"}])
    with pytest.raises(MissingRecords, match="counts 3 pages"):
        paginator.advance(response(), {"pages": 3}, [])
    # The last page, or a list the API counts as empty, ends the read as before.
    assert PageNumberPaginator(size=2, page_count=lambda b: b["pages"]).advance(
        response(), {"pages": 0}, []) is None


# ============================================================================ decode_json


CUT = b'{"Invoices": [{"InvoiceID": "inv-1", "Total": 12.5}, {"InvoiceID": "inv'
HTML = b"<!DOCTYPE html><html><body>Please sign in: SSO tok-SECRET-pages-1</body></html>"


@pytest.mark.parametrize(
    ("status", "content", "content_type", "said"),
    [
        pytest.param(200, b"", "application/json",
                     "an empty body where JSON was due: the answer was lost on the way; "
                     "try again", id="empty 200"),
        pytest.param(200, HTML, "text/html",
                     "an HTML page (text/html), not the API's JSON: a proxy, a captive portal "
                     "or a login page answered instead of the API; check base_url",
                     id="a login page"),
        pytest.param(200, HTML, "", "an HTML page", id="a page without a content type"),
        pytest.param(200, CUT, "application/json",
                     f"the answer was cut off: its JSON stops before its end (read: {len(CUT)} "
                     "bytes); try again", id="JSON cut off"),
        pytest.param(200, b'{"a": tru', "application/json", "cut off", id="cut in a literal"),
        pytest.param(200, b"Status: OK", "text/plain", "not JSON (text/plain); check base_url",
                     id="plain text"),
        pytest.param(200, b'{"a": 1} trailing', "application/json", "not JSON",
                     id="JSON with something after it"),
    ],
)
def test_decode_json_says_what_came_instead_naming_the_page_and_stream(
    status: int, content: bytes, content_type: str, said: str
) -> None:
    with pytest.raises(ApiError) as caught:
        decode_json(response(status, content, content_type), what="page 2 of invoices",
                    stream="invoices")
    message = str(caught.value)
    assert message.startswith("page 2 of invoices: ")
    assert said in message
    assert caught.value.context.stream == "invoices"
    assert "sign in" not in message
    assert "SECRET" not in message


def test_a_refusal_in_an_html_page_says_so_without_quoting_it() -> None:
    verdict = classify(response(400, HTML, "text/html; charset=utf-8"))
    assert verdict.action == "fail"
    assert verdict.reason.startswith("refused: the server answered with an HTML page (text/html)")
    assert "sign in" not in verdict.reason


# ============================================================================ over HTTP


class LedgerlyOptions(HttpOptions):
    base_url: str


class Ledgerly(HttpConnector):
    """A connector like the ones in connectors/: a list paged by number, the body counting
    its pages (``pages``), as Xero's ``pagination.pageCount`` does."""

    name: ClassVar[str] = "ledgerly"
    Options: ClassVar[type[ConnectorOptions]] = LedgerlyOptions
    streams: ClassVar[tuple[Stream, ...]] = (
        HttpStream(
            name="invoices",
            kind="customer",
            path="customers",
            records_key="customers",
            id_field="id",
            cursor_field="updated_at",
            duplicates="latest",
            paginator=lambda: PageNumberPaginator(page_param="page", size_param=None, size=2,
                                                  page_count=lambda body: body.get("pages")),
        ),
    )
    options: LedgerlyOptions

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.client = self.api_client(self.options.base_url, auth=BearerToken(TOKEN))

    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        return customer(str(raw["id"]), str(raw["name"]), source=self.name)


def ledgerly(server: HTTPServer, waits: list[float]) -> Ledgerly:
    return Ledgerly(base_url=server.url_for("/api"), clock=lambda: NOW, sleep=waits.append)


def listed(*ids: int, pages: int = 3) -> str:
    return json.dumps({"pages": pages, "customers": [
        {"id": i, "name": f"Client {i}", "updated_at": f"2026-05-0{i}T10:00:00Z"} for i in ids]})


def serve(server: HTTPServer, number: int, body: bytes) -> None:
    server.expect_ordered_request("/api/customers", query_string={"page": str(number)}
                                  ).respond_with_data(body, content_type="application/json")


BAD_PAGES = [
    pytest.param(b"", "an empty body", id="empty body"),
    pytest.param(b'{"pages": 3}', "the body has no 'customers' list", id="no records key"),
    pytest.param(b"null", "the body is null", id="null"),
    pytest.param(b'"Service temporarily unavailable"', "the body is a text", id="a text"),
    pytest.param(b'[{"Message": "x"}]', "the body is a list", id="a list"),
    pytest.param(b'{"pages": 3, "customers": []}', "an empty list, though the API counts 3 pages",
                 id="empty page 2 of 3"),
]


@pytest.mark.parametrize(("bad", "said"), BAD_PAGES)
def test_a_page_without_its_records_fails_the_read_naming_connector_stream_and_page(
    httpserver: HTTPServer, bad: bytes, said: str
) -> None:
    serve(httpserver, 1, listed(1, 2).encode())
    serve(httpserver, 2, bad)
    waits: list[float] = []
    with pytest.raises(ApiError) as caught:
        pull(ledgerly(httpserver, waits))
    httpserver.check_assertions()  # page 3 was never asked for: the read stopped
    message = str(caught.value)
    assert "page 2 of invoices" in message
    assert said in message
    assert "try again" in message
    assert caught.value.context.connector == "ledgerly"
    assert caught.value.context.stream == "invoices"
    assert caught.value.status == 200
    assert TOKEN not in message
    assert "temporarily" not in message


@pytest.mark.parametrize(("bad", "said"), BAD_PAGES)
def test_a_full_read_that_loses_a_page_prunes_nothing_and_keeps_the_cursor(
    httpserver: HTTPServer, tmp_path: Path, bad: bytes, said: str
) -> None:
    for number, ids in ((1, (1, 2)), (2, (3, 4)), (3, (5,))):
        serve(httpserver, number, listed(*ids).encode())
    serve(httpserver, 1, listed(1, 2).encode())
    serve(httpserver, 2, bad)
    waits: list[float] = []
    with Store.open(tmp_path / "store.db") as store:
        store.sync(ledgerly(httpserver, waits))
        cursor = store.state("ledgerly").cursor("invoices")
        assert cursor == datetime(2026, 5, 5, 10, tzinfo=UTC)
        with pytest.raises(ApiError, match=said):
            store.sync(ledgerly(httpserver, waits), full=True, prune=True)
        kept = sorted(str(getattr(r, "id", "")) for r in store.records())
        assert kept == ["1", "2", "3", "4", "5"]  # none pruned
        assert store.state("ledgerly").cursor("invoices") == cursor
        (status,) = store.status()
        assert status.last_sync_status == "failed"
    httpserver.check_assertions()


PATH_TOKEN = "pathtok-SECRET-9"
QUERY_TOKEN = "querytok-SECRET-3"


@pytest.mark.parametrize(
    ("content", "content_type", "said"),
    [
        pytest.param(HTML, "text/html", "an HTML page (text/html)", id="a login page"),
        pytest.param(b"", "application/json", "an empty body", id="an empty body"),
        pytest.param(CUT, "application/json", "the answer was cut off", id="JSON cut off"),
        pytest.param(b"Status: OK", "text/plain", "not JSON (text/plain)", id="plain text"),
    ],
)
@pytest.mark.parametrize("known", [True, False], ids=["secrets known", "query token unknown"])
def test_an_answer_that_is_not_json_names_the_call_without_a_secret(
    httpserver: HTTPServer, content: bytes, content_type: str, said: str, known: bool
) -> None:
    # A token in the path (the client knows it: scrubbed) and one in the query string (as
    # Fakturownia's api_token): the query string is never shown, known to the client or not.
    httpserver.expect_request(f"/api/{PATH_TOKEN}/invoices.json").respond_with_data(
        content, content_type=content_type)
    api = ApiClient(httpserver.url_for("/api/"), connector="ledgerly", auth=BearerToken(TOKEN),
                    secrets=(PATH_TOKEN, QUERY_TOKEN) if known else (PATH_TOKEN,))
    answer = api.get(f"{PATH_TOKEN}/invoices.json",
                     params={"api_token": QUERY_TOKEN, "page": 2}, stream="invoices")
    with pytest.raises(ApiError) as caught:
        decode_json(answer, client=api, what="page 2 of invoices", stream="invoices")
    message = str(caught.value)
    host = f"{httpserver.host}:{httpserver.port}"
    assert message.startswith(
        f"page 2 of invoices (GET {host}/api/[redacted]/invoices.json): ")
    assert said in message
    for secret in (PATH_TOKEN, QUERY_TOKEN, "api_token", "page=2", TOKEN, "sign in"):
        assert secret not in message


def test_a_connectors_page_that_is_an_html_page_names_the_call(httpserver: HTTPServer) -> None:
    serve(httpserver, 1, listed(1, 2).encode())
    httpserver.expect_ordered_request("/api/customers", query_string={"page": "2"}
                                      ).respond_with_data(HTML, content_type="text/html")
    with pytest.raises(ApiError) as caught:
        pull(ledgerly(httpserver, []))
    host = f"{httpserver.host}:{httpserver.port}"
    assert str(caught.value).startswith(
        f"page 2 of invoices (GET {host}/api/customers): the server answered with an HTML page")
    assert "page=2" not in str(caught.value)


# ============================================================================ cut off


def cut_off(content: bytes) -> Response:
    """A response that says it is longer than what is sent: the connection closes early."""
    half = content[: len(content) // 2]
    return Response(iter([half]), content_type="application/json",
                    headers={"Content-Length": str(len(content))})


def corrupt_gzip() -> Response:
    return Response(b"not gzip at all", content_type="application/json",
                    headers={"Content-Encoding": "gzip"})


@pytest.mark.parametrize("broken", [pytest.param(cut_off, id="cut off"),
                                    pytest.param(lambda _: corrupt_gzip(), id="corrupt gzip")])
def test_a_response_cut_off_while_it_is_read_is_sent_again(
    httpserver: HTTPServer, broken: Any
) -> None:
    good = listed(1, 2, pages=1).encode()
    httpserver.expect_ordered_request("/api/customers").respond_with_response(broken(good))
    httpserver.expect_ordered_request("/api/customers").respond_with_data(
        good, content_type="application/json")
    waits: list[float] = []
    conn = ledgerly(httpserver, waits)
    conn.client._jitter = lambda: 0.5
    pulled = pull(conn)
    httpserver.check_assertions()
    assert [r.id for r in pulled.records] == ["1", "2"]
    assert waits == [0.75]  # one backoff, as after a lost connection


def test_a_response_cut_off_every_time_says_so_naming_connector_and_stream(
    httpserver: HTTPServer,
) -> None:
    good = listed(1, 2, pages=1).encode()
    for _ in range(3):
        httpserver.expect_ordered_request("/api/customers").respond_with_response(cut_off(good))
    waits: list[float] = []
    api = ApiClient(httpserver.url_for("/api/"), connector="ledgerly", sleep=waits.append,
                    max_attempts=3, auth=BearerToken(TOKEN))
    with pytest.raises(ConnectorError) as caught:
        api.get("customers", params={"page": 1}, stream="invoices")
    message = str(caught.value)
    assert "the response was cut off while it was read" in message
    assert "3 attempts" in message
    assert "try again" in message
    assert "check the base URL" not in message
    assert caught.value.context.connector == "ledgerly"
    assert caught.value.context.stream == "invoices"
    assert len(waits) == 2
    httpserver.check_assertions()


# ============================================================================ page tokens


def next_of(_r: requests.Response, body: Any, _records: Any) -> str | None:
    """The token of a body like Jira's enhanced search: ``nextPageToken`` unless ``isLast``."""
    return None if body.get("isLast") is True else body.get("nextPageToken")


@pytest.mark.parametrize(
    ("body", "ends"),
    [
        # The API names a next page: the empty page is not the last, its records were lost.
        pytest.param({"nextPageToken": "p3", "isLast": False}, False, id="token, isLast false"),
        pytest.param({"nextPageToken": "p3"}, False, id="token without isLast"),
        # Nothing names a next page: an empty last page ends the read, as before.
        pytest.param({"isLast": True}, True, id="isLast true"),
        pytest.param({"nextPageToken": "p3", "isLast": True}, True, id="isLast wins"),
        pytest.param({}, True, id="no token"),
    ],
)
def test_an_empty_page_that_names_a_next_one_is_missing_records(
    body: dict[str, Any], ends: bool
) -> None:
    paginator = NextTokenPaginator(param="nextPageToken", token=next_of,
                                   first_params={"maxResults": 2})
    assert paginator.advance(response(), {"nextPageToken": "p2"}, [{"id": "a"}, {"id": "b"}]
                             ) == {"maxResults": 2, "nextPageToken": "p2"}
    page = {**body, "issues": []}
    if ends:
        assert paginator.advance(response(), page, []) is None
    else:
        with pytest.raises(MissingRecords, match="an empty list, though the page names a next"):
            paginator.advance(response(), page, [])


def test_what_to_do_in_the_apis_terms_is_said_after_try_again(httpserver: HTTPServer) -> None:
    """A connector's ``advice`` (what to check when trying again does not help) survives
    :meth:`HttpConnector.missing_records`, which names the page, and is said last: after
    "try again", before the context; a secret in it is redacted like the rest."""
    conn = ledgerly(httpserver, [])
    raised = MissingRecords("an empty list, though the page names a next one",
                            advice=f"If it persists, check the token {TOKEN} can read them")
    named = conn.missing_records(raised, stream="invoices", page="page 2 of invoices",
                                 response=response())
    message = str(named)
    assert message.startswith("the API answered page 2 of invoices without its records: an "
                              "empty list, though the page names a next one; try again")
    assert message.endswith("). If it persists, check the token [redacted] can read them "
                            "(connector ledgerly, stream invoices, HTTP 200)")
    assert named.advice == "If it persists, check the token [redacted] can read them"
    # Without advice the message is what it was: it ends with the page's context.
    bare = conn.missing_records(MissingRecords("why"), stream="invoices", page="page 2 of "
                                "invoices", response=response())
    assert str(bare).endswith("did not move past the page) (connector ledgerly, stream "
                              "invoices, HTTP 200)")


class EchoingLedgerly(Ledgerly):
    """A connector whose ``why`` quotes the body it got, as a connector's own check may
    (Toggl's and Jira's say what the page held): here a body echoing the token sent."""

    def records_of(self, stream: HttpStream, body: Any) -> list[Mapping[str, Any]]:
        if not body.get("customers"):
            raise MissingRecords(f"the API said {body.get('error')!r}")
        return list(body["customers"])


def test_a_secret_in_a_connectors_why_is_redacted(httpserver: HTTPServer) -> None:
    """``why`` is the connector's text, and may quote what the API echoed (a token, a
    tenant id): it is scrubbed like the page label and the advice, in the message and in
    the error's ``why``, which a caller may log or put in a report."""
    serve(httpserver, 1, listed(1, 2).encode())
    serve(httpserver, 2, json.dumps({"pages": 3, "customers": [],
                                     "error": f"token {TOKEN} may not list customers"}).encode())
    waits: list[float] = []
    conn = EchoingLedgerly(base_url=httpserver.url_for("/api"), clock=lambda: NOW,
                           sleep=waits.append)
    with pytest.raises(MissingRecords) as caught:
        pull(conn)
    assert TOKEN not in str(caught.value)
    assert TOKEN not in caught.value.why
    assert caught.value.why == "the API said 'token [redacted] may not list customers'"
    assert str(caught.value).startswith(
        "the API answered page 2 of invoices without its records: the API said 'token "
        "[redacted] may not list customers'; try again")


# One change of the list before a page: `joins` records join it and `deletes` leave it, at
# places (taken modulo) ahead of the read position.
_change = st.tuples(st.integers(0, 12), st.integers(0, 3), st.integers(0, 99), st.integers(0, 99))


@given(
    size=st.integers(1, 4),
    count=st.integers(0, 24),
    changes=st.lists(st.one_of(st.none(), _change), max_size=30),
)
# A whole-page shift, then a last page of records read already: the read ends, no loop.
@example(size=2, count=2, changes=[None, (2, 0, 0, 0), (1, 0, 0, 0)])
# One bulk edit of two pages after two pages were read (the Xero case): read through.
@example(size=2, count=10, changes=[None, None, (4, 0, 0, 0)])
# A bulk edit of three pages and a deletion, then the pages read on.
@example(size=2, count=12, changes=[None, None, None, (6, 0, 0, 0), (0, 1, 0, 0)])
def test_pages_shifted_by_records_joining_or_leaving_lose_none_and_give_none_twice(
    size: int, count: int, changes: list[tuple[int, int, int, int] | None]
) -> None:
    # Invariant of a paginator with an id_field (Xero's, Clockify's): a list of `count`
    # records read by page number while, before a page after the first, records join it
    # ahead of the read position (any number: a bulk edit of several pages) and records
    # ahead of it leave it (changes[p] before page p + 1). Then:
    # * no record is given twice (none is edited here);
    # * every record in the list from start to end is given, except at most one per record
    #   that left ahead of the read position (each moves the list up by one place, which can
    #   carry one record onto a page already read: page-number paging cannot see that);
    # * the read stops with a paging loop only when records joined the list again during a
    #   run of pages of records read already (before a page of the run after its first):
    #   without that, each page of the run is further on in the list than the one before
    #   (records leaving only move it further), so none comes back, and they are at most
    #   as many as the pages read before the run; one bulk edit, of any size, shifts the
    #   pages back once, and the read goes through them.
    # Before: a run of two pages of records read already (one bulk edit of two pages) was a
    # paging loop, and only joins of up to one page were generated.
    listing: list[Mapping[str, Any]] = [{"id": f"r{n}"} for n in range(count)]
    deleted: set[str] = set()
    paginator = PageNumberPaginator(size=size, id_field="id")
    read: list[Mapping[str, Any]] = []
    served: set[str] = set()
    params: dict[str, Any] | None = paginator.first()
    number = joined = 0
    run = False  # whether the last page held only records served before
    shifts = 0  # changes with joins before a page of such a run after its first
    stopped: ApiError | None = None
    try:
        while params is not None:
            start = (params["page"] - 1) * size
            change = changes[number] if 0 < number < len(changes) else None
            shifted = False
            if change is not None:
                joins, deletes, join_at, delete_at = change
                place = join_at % (start + 1)
                listing[place:place] = [{"id": f"j{joined + n}"} for n in range(joins)]
                joined += joins
                shifted = joins > 0
                for _ in range(deletes):
                    ahead = min(start, len(listing))
                    if ahead:
                        deleted.add(str(listing.pop(delete_at % ahead)["id"]))
            records = listing[start:start + size]
            on_page = {str(record["id"]) for record in records}
            if not on_page or on_page - served:
                run, shifts = False, 0
            else:
                shifts += shifted and run
                run = True
            served |= on_page
            params = paginator.advance(requests.Response(), {}, records)
            read.extend(paginator.new_records(records))
            number += 1
    except ApiError as exc:
        stopped = exc
    if stopped is not None:
        assert "paging loop" in str(stopped)
        assert "run the sync again" in str(stopped)
        assert shifts >= 1
        return
    ids = [str(record["id"]) for record in read]
    assert len(ids) == len(set(ids))
    kept = {f"r{n}" for n in range(count)} - deleted
    assert len(kept - set(ids)) <= len(deleted)


@pytest.mark.parametrize(
    ("cycle", "stops_at"),
    [
        # An API that ignores the paging and serves a cycle of `cycle` pages (2 records
        # each, all different): pages 1..cycle bring new records; pages cycle+1..2*cycle
        # read them all again (a run, which could still be a shift of `cycle` pages); page
        # 2*cycle+1 is page 1's ids again: the run came back to a page it read, so a loop.
        (2, 5),
        (3, 7),
        (4, 9),  # before: read 1,000 pages (as many as were served), no error
        (7, 15),
    ],
)
def test_a_cycle_of_pages_of_any_length_is_a_paging_loop(cycle: int, stops_at: int) -> None:
    paginator = PageNumberPaginator(size=2, id_field="id")
    params: dict[str, Any] | None = paginator.first()
    served = 0
    stopped: ApiError | None = None
    try:
        while params is not None and served < 1000:
            at = (params["page"] - 1) % cycle
            records = [{"id": f"r{2 * at}"}, {"id": f"r{2 * at + 1}"}]
            served += 1
            params = paginator.advance(requests.Response(), {}, records)
    except ApiError as exc:
        stopped = exc
    assert served == stops_at
    message = str(stopped)
    assert message.startswith(f"paging loop: pages {cycle + 1} to {stops_at} held only "
                              "records read already, and the run came back to a page it "
                              "read already")
    assert "either the API ignores the paging parameters, or the list kept shifting" in message


def test_a_run_longer_than_the_pages_before_it_is_a_paging_loop() -> None:
    # Ids read already, each page a new arrangement (no page comes back): after 2 pages
    # of new records, a shift can re-read at most those 2 pages; the 3rd page of the run
    # is more than any one shift re-reads.
    pages = [["a", "b"], ["c", "d"], ["b", "c"], ["d", "a"], ["a", "c"], ["b", "d"]]
    paginator = PageNumberPaginator(size=2, id_field="id")
    for ids in pages[:4]:
        paginator.advance(requests.Response(), {}, [{"id": i} for i in ids])
    with pytest.raises(ApiError) as caught:
        paginator.advance(requests.Response(), {}, [{"id": i} for i in pages[4]])
    assert ("pages 3 to 5 held only records read already, and the run re-read more pages "
            "than the 2 read before it") in str(caught.value)


@pytest.mark.parametrize("shift", [1, 2, 3, 5])
def test_one_bulk_edit_of_any_number_of_pages_is_read_through(shift: int) -> None:
    # 12 records, 2 a page; after 5 pages (r0..r9) one bulk edit joins 2*shift records
    # ahead: pages 6..5+shift re-read r(10-2*shift)..r9, page 6+shift holds r10, r11 (the
    # last page, short or full). Every record given once; one note per page read again.
    listing = [{"id": f"r{n}"} for n in range(12)]
    paginator = PageNumberPaginator(size=2, id_field="id")
    params: dict[str, Any] | None = paginator.first()
    given: list[str] = []
    notes: list[str] = []
    while params is not None:
        if params["page"] == 6:
            listing[0:0] = [{"id": f"j{n}"} for n in range(2 * shift)]
        start = (params["page"] - 1) * 2
        page = listing[start:start + 2]
        params = paginator.advance(requests.Response(), {}, page)
        given.extend(str(r["id"]) for r in paginator.new_records(page))
        notes.extend(paginator.take_notes())
    assert given == [f"r{n}" for n in range(12)]
    assert len(notes) == shift
    assert notes[0].startswith("page 6 held only records read already")
