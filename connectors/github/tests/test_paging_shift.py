"""Issues deleted or transferred on GitHub while a repository's pages are read (``page`` is a
position in the order issues were opened).

A fake GitHub over real HTTP (pytest-httpserver) answers ``GET /repos/acme/website/issues``
as GitHub pages it: every issue (``state=all``), ``since`` keeping those updated at or after
it, sorted by ``created_at``, then ``per_page`` and ``page`` (1-based) cut that list, read at
the moment of each request, with a ``Link`` ``rel="next"`` while more follow. A deleted or
transferred issue leaves the list; ``changes[n]`` is made right after issue request ``n`` was
answered. Which issue a read loses without the boundary check is worked out by hand beside
each case (docs/connectors/github.md, "A deletion while paging"). The reviewer's scratch
repro (``/tmp/rev-paging/test_github_shift.py``) is the first two tests.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import traceback
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from clientguard.connector import SyncState, pull
from clientguard.errors import ApiError
from clientguard.http import SourceChanged
from clientguard.model import WorkRequest
from clientguard.store import Store
from clientguard_github import GitHubConnector

TOKEN = "ghp_TOKENneverShown1234567890"
CUT = TOKEN[:11]
"""The token's first 11 characters, as a server that cut what it echoed leaves them."""
RULES = [{"customer": "books:c-acme", "repository": "acme/website"}]
PATH = "/repos/acme/website/issues"
MILESTONES = "/repos/acme/website/milestones"
APRIL = "2026-04-04T09:00:00Z"
MAY = "2026-05-20T09:00:00Z"
Issues = list[dict[str, Any]]


def issue(n: int, updated: str = APRIL, due: str = "2026-06-30") -> dict[str, Any]:
    """Issue ``#n``, opened on day ``n`` of April 2026 (its place in ``sort=created``)."""
    return {"id": 1000 + n, "number": n, "state": "open", "title": "t", "body": "",
            "labels": [{"name": f"due:{due}"}], "milestone": None,
            "created_at": f"2026-04-{n:02d}T09:00:00Z", "updated_at": updated,
            "closed_at": None, "user": {"login": "x"}}


class GitHubIssues:
    """The issue list over ``issues``; ``changes[n]`` is made right after request ``n``."""

    def __init__(self, issues: Issues,
                 changes: dict[int, Callable[[Issues], None]] | None = None) -> None:
        self.issues = [dict(i) for i in issues]
        self.changes = changes or {}
        self.requests = 0

    def handle(self, request: Request) -> Response:
        self.requests += 1
        page = int(request.args.get("page", "1"))
        size = int(request.args["per_page"])
        assert request.args["sort"] == "created"
        assert request.args["direction"] == "asc"
        items = sorted(self.issues, key=lambda i: i["created_at"])
        since = request.args.get("since")
        if since:
            items = [i for i in items if i["updated_at"] >= since]
        found = items[(page - 1) * size: page * size]
        headers = {}
        if page * size < len(items):
            # The next page's address echoes the token as a server echoing what it was sent
            # would, and ends in a credential-named parameter holding the token's cut start:
            # urllib3 logs the address whole at DEBUG level.
            query = {**request.args, "page": str(page + 1), "echo": f"Bearer {TOKEN}",
                     "sig": CUT}
            headers["Link"] = (f'<{request.host_url.rstrip("/")}{PATH}?{urlencode(query)}>; '
                               'rel="next"')
        change = self.changes.get(self.requests)
        if change is not None:
            change(self.issues)
        return Response(json.dumps(found), content_type="application/json", headers=headers)

    def serve(self, server: HTTPServer) -> GitHubIssues:
        server.clear()
        server.expect_request(PATH).respond_with_handler(self.handle)
        server.expect_request(MILESTONES).respond_with_json([])
        return self


def delete(n: int) -> Callable[[Issues], None]:
    """Issue ``#n`` deleted, or transferred to another repository: it leaves the list."""
    def change(issues: Issues) -> None:
        issues[:] = [i for i in issues if i["number"] != n]
    return change


def edit(n: int) -> Callable[[Issues], None]:
    """Issue ``#n`` relabelled in May: it joins an incremental read's list at its place."""
    def change(issues: Issues) -> None:
        for i in issues:
            if i["number"] == n:
                i.update(updated_at=MAY, labels=[{"name": "due:2026-08-31"}])
    return change


def connector(server: HTTPServer, now: datetime, size: int = 2) -> GitHubConnector:
    return GitHubConnector(token=TOKEN, base_url=server.url_for("/"), clock=lambda: now,
                           sleep=lambda s: None, page_size=size, clients=RULES,
                           repositories=["acme/website"])


FIRST = datetime(2026, 5, 10, 12, tzinfo=UTC)
SECOND = datetime(2026, 5, 25, 12, tzinfo=UTC)


def wanted(store: Store) -> dict[str, date | None]:
    """Each stored work request's wanted date, by id."""
    return {r.id: r.wanted_by for r in store.records() if isinstance(r, WorkRequest)}


def ids(*numbers: int) -> set[str]:
    return {f"acme/website#{n}" for n in numbers}


# --------------------------------------------------------------- the reviewer's two cases


def shown(exc: BaseException, caplog: pytest.LogCaptureFixture, db: Path) -> list[str]:
    """Which of the token and its cut start anything the sync showed holds: the error (its
    message, traceback, repr and attributes), the log records at DEBUG level but the fake
    server's own, and the error the store kept."""
    texts = ["".join(traceback.format_exception(exc)), repr(exc),
             *(f"{k}={v!r}" for k, v in vars(exc).items())]
    texts += [r.getMessage() for r in caplog.records if r.name != "werkzeug"]
    with sqlite3.connect(db) as rows:
        texts += [str(e) for (e,) in rows.execute("SELECT error FROM syncs")]
    return [s for s in (TOKEN, CUT) if any(s.lower() in t.lower() for t in texts)]


def test_a_full_prune_read_an_issue_deleted_between_two_pages_stops_and_prunes_nothing(
    httpserver: HTTPServer, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with Store.open(tmp_path / "s.db") as store:
        four = [issue(n) for n in (1, 2, 3, 4)]
        GitHubIssues(four).serve(httpserver)
        store.sync(connector(httpserver, FIRST))
        assert set(wanted(store)) == ids(1, 2, 3, 4)
        # #2 deleted right after page 1 ([#1 #2]) was answered: page 2 is then [#4], and #3
        # slid onto page 1, read already. Before, the read ended there and --prune removed
        # #3, live and untouched on GitHub.
        lists = GitHubIssues(four, {1: delete(2)}).serve(httpserver)
        with pytest.raises(SourceChanged) as caught:
            store.sync(connector(httpserver, SECOND), full=True, prune=True)
        message = str(caught.value)
        assert "run the sync again" in message
        assert "place 2" in message
        assert "#2" in message
        assert "acme/website" in message
        assert TOKEN not in message
        # Nothing shown holds the token the next page's address echoed, nor its start (with
        # scrubbing off, `-p noscrub`, the DEBUG log does).
        assert shown(caught.value, caplog, tmp_path / "s.db") == []
        assert isinstance(caught.value, ApiError)
        assert set(wanted(store)) == ids(1, 2, 3, 4)

        # Run again: the list holds still; #2 is pruned, #1 #3 #4 stay.
        GitHubIssues(lists.issues).serve(httpserver)
        store.sync(connector(httpserver, SECOND), full=True, prune=True)
        assert set(wanted(store)) == ids(1, 3, 4)


def test_an_incremental_read_a_deletion_shifted_stops_before_the_cursor_passes_a_change(
    httpserver: HTTPServer, tmp_path: Path,
) -> None:
    with Store.open(tmp_path / "s.db") as store:
        GitHubIssues([issue(n) for n in (1, 2, 3, 4)]).serve(httpserver)
        store.sync(connector(httpserver, FIRST))
        cursor = store.state("github").cursor("work_requests")
        # All four relabelled in May (due 2026-07-15, #3 a day before the others); #2 deleted
        # after page 1 ([#1 #2]): page 2 is [#4]. Before, #3's change was never read and the
        # cursor (20 May, #4's) passed it: #3 kept 2026-06-30 in every later sync.
        edited = [issue(n, updated=MAY, due="2026-07-15") for n in (1, 2, 3, 4)]
        edited[2]["updated_at"] = "2026-05-19T09:00:00Z"
        lists = GitHubIssues(edited, {1: delete(2)}).serve(httpserver)
        with pytest.raises(SourceChanged):
            store.sync(connector(httpserver, SECOND))
        assert store.state("github").cursor("work_requests") == cursor

        GitHubIssues(lists.issues).serve(httpserver)
        store.sync(connector(httpserver, SECOND))
        # #3 read relabelled at last (and #1 #4); #2, gone from GitHub, keeps the copy page
        # 1 of the stopped read stored, until a pruned full read.
        july = date(2026, 7, 15)
        got = wanted(store)
        assert {n: got[f"acme/website#{n}"] for n in (1, 3, 4)} == {1: july, 3: july, 4: july}


# ------------------------------------------------------------- which changes stop a read


# Issues #1 to #6; #1 and #2 last updated on 1 April, #3 to #6 on 4 April (the cursor the
# first sync leaves), then relabelled in May: an incremental read's list is [#3 #4 #5 #6],
# pages [#3 #4] [#5 #6]. One change after page 1.
OLD = "2026-04-01T09:00:00Z"
CHANGES = [
    # #3, read, deleted: page 2 is [#6]; #5 slid onto page 1 and is never read.
    pytest.param(delete(3), True, id="read-deleted"),
    # #4, the last one read, deleted: page 2 is [#6]; #5 is never read.
    pytest.param(delete(4), True, id="last-read-deleted"),
    # #5, not read yet, deleted: page 2 is [#6], nothing before it moved: the read ends.
    pytest.param(delete(5), False, id="unread-deleted"),
    # #1 relabelled while the pages are read: it joins the list before page 2, which is
    # [#4 #5] then [#6]: #4 read twice, nothing lost; #1's change is the next sync's.
    pytest.param(edit(1), False, id="unread-edited-joins"),
]


@pytest.mark.parametrize(("change", "stops"), CHANGES)
def test_only_a_change_that_moved_the_next_page_stops_an_incremental_read(
    httpserver: HTTPServer, tmp_path: Path, change: Callable[[Issues], None], stops: bool,
) -> None:
    with Store.open(tmp_path / "s.db") as store:
        unchanged = [issue(n, updated=OLD) for n in (1, 2)]
        GitHubIssues(unchanged + [issue(n) for n in range(3, 7)]).serve(httpserver)
        store.sync(connector(httpserver, FIRST))
        start = unchanged + [
            issue(n, updated=MAY, due="2026-07-15") for n in (3, 4, 5, 6)]
        lists = GitHubIssues(start, {1: change}).serve(httpserver)
        if stops:
            with pytest.raises(SourceChanged):
                store.sync(connector(httpserver, SECOND))
            GitHubIssues(lists.issues).serve(httpserver)
        store.sync(connector(httpserver, SECOND))
        # #3..#6 read relabelled (a deleted one is not listed: its copy stays until a pruned
        # full read); #1 and #2 as in April (#1's change, made during the read, is later).
        got = wanted(store)
        assert all(got[f"acme/website#{n}"] == date(2026, 7, 15)
                   for n in (3, 4, 5, 6) if any(i["number"] == n for i in lists.issues))
        assert got["acme/website#2"] == date(2026, 6, 30)


# ----------------------------------------------------------------- the rule, as a property


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    count=st.integers(0, 7), changed=st.lists(st.booleans(), min_size=7, max_size=7),
    size=st.integers(1, 3), after=st.integers(1, 9),
    kind=st.sampled_from(["delete", "edit", "create"]), which=st.integers(0, 6),
    incremental=st.booleans(),
)
def test_a_read_that_ends_has_read_every_issue_that_was_in_its_list_throughout(
    httpserver: HTTPServer, count: int, changed: list[bool], size: int, after: int,
    kind: str, which: int, incremental: bool,
) -> None:
    # Issues #1..#count, those marked changed relabelled in May; an incremental read (cursor
    # 30 April) selects those, a full read all. One change after issue request `after`.
    issues = [issue(n, updated=MAY) if changed[n - 1] else issue(n)
              for n in range(1, count + 1)]
    target = (which % count) + 1 if count else 0

    def change(items: Issues) -> None:
        if kind == "delete":
            delete(target)(items)
        elif kind == "edit":
            edit(target)(items)
        else:  # a new issue: opened last, it goes to the end of the order
            items.append(issue(count + 1, updated=MAY))

    lists = GitHubIssues(issues, {after: change}).serve(httpserver)
    cursor = datetime(2026, 4, 30, tzinfo=UTC)
    state = SyncState({"work_requests": cursor}) if incremental else None

    def selected(items: Issues) -> set[str]:
        return {f"acme/website#{i['number']}" for i in items
                if not incremental or i["updated_at"] == MAY}

    before = selected(issues)
    try:
        pulled = pull(connector(httpserver, SECOND, size), state)
    except ApiError:
        # Stopped, nothing pruned, the cursor kept: SourceChanged, or (pages of 1) the
        # framework's guard against a page that repeats the one before.
        return
    read = {r.id for r in pulled.records if isinstance(r, WorkRequest)}
    assert before & selected(lists.issues) <= read
