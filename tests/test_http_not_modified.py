"""A 304 (Not Modified) answers only a conditional request (RFC 9110 §15.4.5: "a conditional
GET or HEAD request ... would have resulted in a 200 (OK) response if it were not for the
fact that the condition evaluated to false"); the conditions it answers are
``If-None-Match`` and ``If-Modified-Since`` (§13.1.2, §13.1.3).

Before: every 304 was "ok" and read as a page with no records, so a bare 304 (a caching proxy's
or a broken server's) to a full read ended the stream as complete, and a store that prunes
each full read then deleted every record it kept (Harvest's time entries, reproduced with
/tmp/rev-hostapi/harvest_304.py). Now a 304 to a request that set no condition fails the call
with an :class:`ApiError` saying so and what to do; a 304 to a conditional first page still
ends that read with no records ("nothing changed since"); a 304 to page 2 or later fails the
read (page 1 gave records changed since the same moment: the 304 contradicts it, and ending
there would call the stream complete and move its cursor past what was never read).

Over real HTTP (pytest-httpserver) with a connector paged like Xero's (by number, with
``If-Modified-Since`` on every page of an incremental read).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from clientguard.connector import ConnectorOptions, Mapped, Stream
from clientguard.errors import ApiError
from clientguard.http import (
    BearerToken,
    HttpConnector,
    HttpOptions,
    HttpRequest,
    HttpStream,
    PageNumberPaginator,
    classify,
)
from clientguard.store import Store
from clientguard.testing import customer

NOW = datetime(2026, 6, 2, 12, 0, tzinfo=UTC)
TOKEN = "tok-SECRET-notmodified-7"
SINCE = "Sat, 02 May 2026 10:00:00 GMT"

# ================================================================== classify, row by row


def answered(status: int, sent: Mapping[str, str] | None) -> requests.Response:
    """A bare response with ``status`` to a GET that carried the headers ``sent`` (None: a
    response built with no request, as a classifier's unit test builds one)."""
    resp = requests.Response()
    resp.status_code = status
    resp._content = b""
    if sent is not None:
        resp.request = requests.Request("GET", "https://api.example.com/v1/customers",
                                        headers=dict(sent)).prepare()
    return resp


@pytest.mark.parametrize(
    ("sent", "action"),
    [
        pytest.param({"If-Modified-Since": SINCE}, "ok", id="If-Modified-Since: ok"),
        pytest.param({"If-None-Match": '"v42"'}, "ok", id="If-None-Match: ok"),
        pytest.param({"if-modified-since": SINCE}, "ok", id="header names in any case"),
        pytest.param({}, "fail", id="no condition: fails"),
        # If-Match and If-Unmodified-Since fail with a 412, never a 304 (RFC 9110 §13.1.1,
        # §13.1.4): a 304 to them is no answer to the condition sent.
        pytest.param({"If-Match": '"v42"'}, "fail", id="If-Match only: fails"),
        pytest.param({"If-Unmodified-Since": SINCE}, "fail", id="If-Unmodified-Since: fails"),
        pytest.param({"If-Modified-Since": ""}, "fail", id="an empty condition: fails"),
        pytest.param(None, "fail", id="no request known: fails"),
    ],
)
def test_a_304_is_ok_only_as_the_answer_to_a_condition(
    sent: Mapping[str, str] | None, action: str
) -> None:
    verdict = classify(answered(304, sent), now=NOW)
    assert verdict.action == action
    if action == "fail":
        assert verdict.error is ApiError
        assert "304" in verdict.reason
        assert "no condition" in verdict.reason
        assert "check base_url and any proxy" in verdict.reason


# ================================================================= through a connector


class BooksOptions(HttpOptions):
    base_url: str


class Books(HttpConnector):
    """Paged by number, two a page, ``If-Modified-Since`` on every page of an incremental
    read (as Xero's connector sends it); its one stream is read whole on every full read
    and pruned of what that read did not give (as Harvest's time entries are, by the
    store's own rule): the case where an empty read deletes records."""

    name: ClassVar[str] = "books"
    Options: ClassVar[type[ConnectorOptions]] = BooksOptions
    streams: ClassVar[tuple[Stream, ...]] = (
        HttpStream(
            name="invoices",
            kind="customer",
            path="customers",
            records_key="customers",
            id_field="id",
            cursor_field="updated_at",
            duplicates="latest",
            paginator=lambda: PageNumberPaginator(page_param="page", size_param=None, size=2),
        ),
    )
    options: BooksOptions

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.client = self.api_client(self.options.base_url, auth=BearerToken(TOKEN))

    def build_request(
        self, stream: HttpStream, *, since: datetime | None, page: Mapping[str, Any]
    ) -> HttpRequest:
        headers = {} if since is None else {"If-Modified-Since": since.strftime(
            "%a, %d %b %Y %H:%M:%S GMT")}
        return HttpRequest("GET", stream.path, {**stream.params, **page}, headers)

    def prunes_each_full_read(self, stream: str) -> bool:
        return True

    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        return customer(str(raw["id"]), str(raw["name"]), source=self.name)


def books(server: HTTPServer) -> Books:
    return Books(base_url=server.url_for("/api"), clock=lambda: NOW, sleep=lambda s: None,
                 max_attempts=2)


def listed(*ids: int) -> bytes:
    return json.dumps({"customers": [
        {"id": i, "name": f"Client {i}", "updated_at": f"2026-05-0{i}T10:00:00Z"}
        for i in ids]}).encode()


def serve(server: HTTPServer, number: int, answer: bytes | int) -> None:
    """Page ``number`` answered with JSON ``answer``, or with a bare status ``answer``."""
    expected = server.expect_ordered_request("/api/customers",
                                             query_string={"page": str(number)})
    if isinstance(answer, int):
        expected.respond_with_response(Response(status=answer))
    else:
        expected.respond_with_data(answer, content_type="application/json")


def conditions(request: Request) -> dict[str, str]:
    return {k: v for k, v in request.headers.items() if k.lower().startswith("if-")}


def kept(store: Store) -> list[str]:
    return sorted(str(getattr(r, "id", "")) for r in store.records())


def test_a_full_sync_answered_by_a_bare_304_fails_and_keeps_every_stored_record(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    serve(httpserver, 1, listed(1, 2))
    serve(httpserver, 2, listed(3))  # shorter than the page size of 2: the last page
    serve(httpserver, 1, 304)
    with Store.open(tmp_path / "store.db") as store:
        store.sync(books(httpserver))
        assert kept(store) == ["1", "2", "3"]
        # Before: the 304 was an empty last page, the full read "complete", and all three
        # records pruned: kept(store) == [].
        with pytest.raises(ApiError) as caught:
            store.sync(books(httpserver), full=True)
        assert kept(store) == ["1", "2", "3"]
        (status,) = store.status()
        assert status.last_sync_status == "failed"
    message = str(caught.value)
    assert "not modified (HTTP 304) to a request that asked for no condition" in message
    assert "check base_url and any proxy on the way, then try again" in message
    assert caught.value.status == 304
    assert caught.value.context.stream == "invoices"
    assert TOKEN not in message
    # The full read asked for no condition: the 304 answered none.
    assert conditions(httpserver.log[2][0]) == {}
    assert len(httpserver.log) == 3  # not sent again: the same answer would come back
    httpserver.check_assertions()


def test_a_304_to_a_conditional_first_page_is_nothing_changed(httpserver: HTTPServer) -> None:
    serve(httpserver, 1, 304)
    pages = list(books(httpserver).fetch(Books.streams[0],
                                         since=datetime(2026, 5, 2, 10, tzinfo=UTC)))
    assert [(len(p.records), p.last) for p in pages] == [(0, True)]
    assert conditions(httpserver.log[0][0]) == {"If-Modified-Since": SINCE}
    httpserver.check_assertions()


def test_a_304_to_a_later_page_fails_the_read_and_keeps_the_cursor(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    serve(httpserver, 1, listed(1, 2))
    serve(httpserver, 2, listed(3))
    # The next sync: page 1 gives a record changed since the cursor; page 2 says nothing
    # changed since the very moment page 1's record was changed after.
    serve(httpserver, 1, listed(4, 5))
    serve(httpserver, 2, 304)
    with Store.open(tmp_path / "store.db") as store:
        store.sync(books(httpserver))
        cursor = store.state("books").cursor("invoices")
        assert cursor == datetime(2026, 5, 3, 10, tzinfo=UTC)  # record 3's updated_at
        with pytest.raises(ApiError) as caught:
            store.sync(books(httpserver))
        # Before: the stream ended "complete" at the 304 and its cursor moved to record 5's
        # change, past any record a page 3 would have given.
        assert store.state("books").cursor("invoices") == cursor
    message = str(caught.value)
    assert message.startswith("page 2 of invoices: the API answered 304")
    assert "the stream's cursor does not move" in message
    assert "run a full sync (sync --full)" in message
    assert caught.value.status == 304
    assert TOKEN not in message
    # Both pages of the incremental read carried the condition the 304 answered.
    assert [conditions(request) for request, _ in httpserver.log[2:]] == [
        {"If-Modified-Since": "Sun, 03 May 2026 10:00:00 GMT"}] * 2
    httpserver.check_assertions()


def test_a_304_to_a_later_page_comes_after_the_pages_before_it(httpserver: HTTPServer) -> None:
    serve(httpserver, 1, listed(1, 2))
    serve(httpserver, 2, 304)
    fetched = books(httpserver).fetch(Books.streams[0],
                                      since=datetime(2026, 5, 1, tzinfo=UTC))
    first = next(fetched)
    assert ([r.data["id"] for r in first.records], first.last) == ([1, 2], False)
    with pytest.raises(ApiError, match="page 2 of invoices"):
        next(fetched)
    httpserver.check_assertions()
