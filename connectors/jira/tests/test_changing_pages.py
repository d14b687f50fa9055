"""Jira's enhanced search (``GET /rest/api/3/search/jql``, paged by ``nextPageToken``) while
issues are edited between two pages (pytest-httpserver, real HTTP).

Atlassian documents the token only as the continuation of the search (it expires after
7 days) and says the search is not read-after-write consistent
(developer.atlassian.com/cloud/jira/platform/search-and-reconcile); it does not say whether
the token names a position in the result or the last issue returned. The server here
honours the query's ``ORDER BY`` and implements both, so that the connector is shown to read
every issue either way. In change order (``updated ASC``, the order before the fix) with a
position token, ACME-1 edited after page 1 (of ACME-1..5, two a page) moves to the end, and
ACME-3 crosses onto page 1, already read: it was never read, and the cursor moved past it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from clientguard.connector import SyncState
from clientguard.errors import ApiError
from clientguard_jira import JiraConnector

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
TOKEN = "jira-TOKEN-changing-never-shown-7"
SEARCH = "/rest/api/3/search/jql"
KEYS = [f"ACME-{n}" for n in range(1, 6)]


class EnhancedSearch:
    """ACME-1..5, created a day apart and updated as created, sorted as the JQL's
    ``ORDER BY`` says; ``change`` happens right after page ``after`` is served."""

    def __init__(self, token: str, change: str, after: int = 1) -> None:
        self.token = token
        self.change = change
        self.after = after
        self.served = 0
        self.issues: dict[str, dict[str, Any]] = {
            key: {"created": f"2026-05-0{n}T10:00:00.000+0000",
                  "updated": f"2026-05-0{n}T10:00:00.000+0000"}
            for n, key in enumerate(KEYS, 1)
        }
        self.queries: list[str] = []

    def _order(self, jql: str) -> list[str]:
        fields = [part.split()[0] for part in jql.split("ORDER BY")[1].split(",")]
        return sorted(self.issues, key=lambda k: tuple(
            int(k.split("-")[1]) if f == "key" else self.issues[k][f] for f in fields))

    def __call__(self, request: Request) -> Response:
        jql = request.args["jql"]
        self.queries.append(jql)
        size = int(request.args["maxResults"])
        order = self._order(jql)
        token = request.args.get("nextPageToken")
        if token is None:
            start = 0
        elif self.token == "position":
            start = int(token)
        else:  # the token names the last issue returned: the page goes on after it
            start = order.index(token) + 1
        chunk = order[start:start + size]
        more = start + size < len(order)
        body: dict[str, Any] = {
            "issues": [{"id": f"100{k.split('-')[1]}", "key": k,
                        "fields": {**self.issues[k], "duedate": "2026-05-20",
                                   "project": {"key": "ACME"}}} for k in chunk],
            "isLast": not more,
        }
        if more:
            body["nextPageToken"] = str(start + size) if self.token == "position" else chunk[-1]
        self.served += 1
        if self.served == self.after:
            self._apply()
        return Response(json.dumps(body), content_type="application/json")

    def _apply(self) -> None:
        if self.change == "ACME-1 edited":
            self.issues["ACME-1"]["updated"] = "2026-06-01T11:59:00.000+0000"
        elif self.change == "ACME-2 and ACME-4 edited":
            for key in ("ACME-2", "ACME-4"):
                self.issues[key]["updated"] = "2026-06-01T11:58:00.000+0000"


def connector(server: HTTPServer) -> JiraConnector:
    return JiraConnector(
        site="acme.atlassian.net", email="ops@example.com", api_token=TOKEN,
        base_url=server.url_for("/"), clock=lambda: NOW, sleep=lambda _: None, page_size=2,
        clients=[{"customer": "books:c-acme", "project": "ACME"}],
    )


@pytest.mark.parametrize("token", ["position", "last issue"])
@pytest.mark.parametrize("change", ["nothing", "ACME-1 edited", "ACME-2 and ACME-4 edited"])
def test_issues_edited_between_two_pages_lose_no_other_issue(
    httpserver: HTTPServer, token: str, change: str
) -> None:
    jira = EnhancedSearch(token, change)
    httpserver.expect_request(SEARCH).respond_with_handler(jira)
    conn = connector(httpserver)
    pages = list(conn.sync(SyncState()))
    assert sorted({r.id for p in pages for r in p.records if r.id is not None}) == KEYS
    assert all(q.endswith("ORDER BY created ASC, key ASC") for q in jira.queries)
    # The pages are not in change order: the cursor stays until the last page, which sets
    # the latest change seen (never past the sync's start, 12:00).
    assert [p.cursor for p in pages[:-1]] == [None] * (len(pages) - 1)
    # ACME-1 was read before its edit (its 2026-05-01 change), so the latest change read
    # is ACME-5's; the next sync's bound (that less a minute) holds the edit at 11:59. ACME-4
    # was read after its edit (page 2): 11:58, and ACME-2's edit at 11:58 is within the bound.
    latest = {"nothing": datetime(2026, 5, 5, 10, tzinfo=UTC),
              "ACME-1 edited": datetime(2026, 5, 5, 10, tzinfo=UTC),
              "ACME-2 and ACME-4 edited": datetime(2026, 6, 1, 11, 58, tzinfo=UTC)}[change]
    assert SyncState().after(pages[-1]).cursor("work_requests") == latest


def test_an_interrupted_sync_keeps_the_previous_cursor(httpserver: HTTPServer) -> None:
    """The cursor no longer moves page by page: a sync that fails on page 2 leaves the
    stream's cursor where it was, and the next sync reads page 1's issues again."""
    httpserver.expect_ordered_request("/rest/api/3/myself").respond_with_json(
        {"accountId": "5b10ac8d82e05b22", "timeZone": "UTC"})
    httpserver.expect_ordered_request(SEARCH).respond_with_json({
        "issues": [{"id": "1001", "key": "ACME-1", "fields": {
            "created": "2026-05-01T10:00:00.000+0000", "updated": "2026-05-25T10:00:00.000+0000",
            "duedate": "2026-05-20", "project": {"key": "ACME"}}}],
        "nextPageToken": "t2", "isLast": False})
    httpserver.expect_ordered_request(SEARCH).respond_with_json({"oops": True})
    before = datetime(2026, 5, 10, tzinfo=UTC)
    state = SyncState({"work_requests": before})
    pages = connector(httpserver).sync(state)
    first = next(pages)
    assert [r.id for r in first.records] == ["ACME-1"]
    assert first.cursor == before
    with pytest.raises(ApiError, match="without its records"):
        next(pages)
    assert state.after(first).cursor("work_requests") == before
