"""The GitHub issues connector over real HTTP (pytest-httpserver), with responses in the shape
of GitHub's REST API (``GET /repos/{owner}/{repo}/issues``: a list of issues, paging by the
``Link`` header, ``x-ratelimit-*`` headers): paging, ``since``, client rules, the wanted
date from a label or a milestone, 401, primary and secondary rate limits, 500, and no secret
in any message."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlencode

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from clientguard.connector import SyncState, pull
from clientguard.errors import ApiError, AuthError, ConfigError, RateLimitError
from clientguard.model import WorkRequest
from clientguard_github import GitHubConnector

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
TOKEN = "ghp_TOKENneverShown1234567890"
RULES = [
    {"customer": "books:c-acme", "repository": "acme/website"},
    {"customer": "books:c-beta", "repository": "firm/support", "label": "client:beta"},
]
Waits = list[float]


@pytest.fixture
def waits() -> Waits:
    return []


def connector(server: HTTPServer, waits: Waits, **options: Any) -> GitHubConnector:
    options.setdefault("clients", RULES)
    options.setdefault("repositories", ["acme/website"])
    return GitHubConnector(token=TOKEN, base_url=server.url_for("/"), clock=lambda: NOW,
                           sleep=waits.append, page_size=2, **options)


def issue(number: int, *, labels: tuple[str, ...] = (), due_on: str | None = None,
          created: str = "2026-05-04T09:00:00Z", updated: str = "2026-05-04T09:00:00Z",
          **extra: Any) -> dict[str, Any]:
    """An issue as GitHub lists it (fields clientguard does not read included)."""
    milestone = None
    if due_on is not None:
        milestone = {"id": 1002604, "number": 1, "title": "v1.0", "state": "open",
                     "due_on": due_on, "created_at": "2026-01-01T00:00:00Z"}
    return {
        "id": 1000 + number, "node_id": "MDU6SXNzdWUx", "number": number,
        "url": f"https://api.github.com/repos/acme/website/issues/{number}",
        "state": "open", "title": "Change the front page", "body": "Please",
        "user": {"login": "octocat", "id": 1},
        "labels": [{"id": 208045946, "name": name, "color": "f29513", "default": False}
                   for name in labels],
        "assignee": None, "milestone": milestone, "locked": False, "comments": 0,
        "closed_at": None, "created_at": created, "updated_at": updated,
        "author_association": "COLLABORATOR", **extra,
    }


def test_issues_are_paged_by_the_link_header_and_mapped_by_the_rules(
    httpserver: HTTPServer, waits: Waits
) -> None:
    following = httpserver.url_for("/repositories/1300192/issues") + "?page=2&per_page=2"
    httpserver.expect_ordered_request(
        "/repos/acme/website/issues",
        query_string={"state": "all", "sort": "created", "direction": "asc", "per_page": "2"},
        headers={"Authorization": f"Bearer {TOKEN}", "X-GitHub-Api-Version": "2022-11-28",
                 "Accept": "application/vnd.github+json"},
    ).respond_with_json(
        [issue(1, due_on="2026-05-06T07:00:00Z"), issue(2, labels=("due:2026-05-05",))],
        headers={"Link": f'<{following}>; rel="next", <{following}>; rel="last"'})
    httpserver.expect_ordered_request(
        "/repositories/1300192/issues", query_string="page=2&per_page=2",
    ).respond_with_json([
        issue(3, due_on="2026-05-30T07:00:00Z", pull_request={"url": "..."}),
        issue(4, updated="2026-05-10T10:00:00Z"),
    ])
    # Page 2 begins with an issue not read yet: the place before it (2) must still hold #2,
    # the last one read, or an issue deleted meanwhile shifted the list (test_paging_shift).
    httpserver.expect_ordered_request(
        "/repos/acme/website/issues",
        query_string={"state": "all", "sort": "created", "direction": "asc", "per_page": "1",
                      "page": "2"},
    ).respond_with_json([issue(2, labels=("due:2026-05-05",))])
    httpserver.expect_ordered_request("/repos/firm/support/issues").respond_with_json([
        issue(7, labels=("client:beta", "due:2026-05-04"), created="2026-05-03T23:30:00Z"),
        issue(8, labels=("due:2026-05-04",)),
    ])
    conn = connector(httpserver, waits, repositories=["acme/website", "firm/support"],
                     timezone="Europe/Warsaw")
    pulled = pull(conn)
    httpserver.check_assertions()

    got = {r.id: r for r in pulled.records if isinstance(r, WorkRequest)}
    assert set(got) == {"acme/website#1", "acme/website#2", "firm/support#7"}
    assert got["acme/website#1"].wanted_by == date(2026, 5, 6)  # the milestone's due date
    assert got["acme/website#2"].wanted_by == date(2026, 5, 5)  # the due: label
    assert (got["acme/website#1"].customer_source, got["acme/website#1"].customer_id) == (
        "books", "c-acme")
    beta = got["firm/support#7"]
    assert beta.customer_id == "c-beta"
    # Opened at 23:30 UTC on 3 May: 01:30 on 4 May in Warsaw, the firm's day.
    assert (beta.requested_on, beta.wanted_by) == (date(2026, 5, 4), date(2026, 5, 4))
    assert pulled.skipped == {"work_requests": {
        "pull request, not an issue": 1,
        "no wanted date (a due: label or the milestone's due date)": 1,
        "no rule maps it to a client (repository firm/support)": 1,
    }}
    assert pulled.state.cursor("work_requests") == datetime(2026, 5, 10, 10, 0, tzinfo=UTC)


def test_an_incremental_read_sends_since(httpserver: HTTPServer, waits: Waits) -> None:
    httpserver.expect_ordered_request("/repos/acme/website/issues", query_string={
        "state": "all", "sort": "created", "direction": "asc", "per_page": "2",
        "since": "2026-05-20T07:59:59Z",  # the cursor less the one-second look-back
    }).respond_with_json([issue(9, due_on="2026-05-22T07:00:00Z")])
    httpserver.expect_ordered_request("/repos/acme/website/milestones", query_string={
        "state": "all", "per_page": "2"}).respond_with_json([])  # none changed
    cursor = datetime(2026, 5, 20, 8, 0, tzinfo=UTC)
    pulled = pull(connector(httpserver, waits), SyncState({"work_requests": cursor}))
    httpserver.check_assertions()
    assert [r.id for r in pulled.records] == ["acme/website#9"]


def test_a_primary_rate_limit_waits_until_the_reset(
    httpserver: HTTPServer, waits: Waits
) -> None:
    sent_at = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    reset = int(sent_at.timestamp()) + 30
    httpserver.expect_ordered_request("/repos/acme/website/issues").respond_with_json(
        {"message": "API rate limit exceeded for user ID 1."}, status=403,
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset),
                 "Date": format_datetime(sent_at, usegmt=True)})
    httpserver.expect_ordered_request("/repos/acme/website/issues").respond_with_json([])
    pull(connector(httpserver, waits))
    httpserver.check_assertions()
    assert waits == [30.0]


def test_a_reset_beyond_max_wait_fails_at_once_saying_when(
    httpserver: HTTPServer, waits: Waits
) -> None:
    sent_at = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    httpserver.expect_request("/repos/acme/website/issues").respond_with_json(
        {"message": "API rate limit exceeded"}, status=429,
        headers={"x-ratelimit-remaining": "0",
                 "x-ratelimit-reset": str(int(sent_at.timestamp()) + 3600),
                 "Date": format_datetime(sent_at, usegmt=True)})
    with pytest.raises(RateLimitError, match="13:00:00"):
        pull(connector(httpserver, waits))
    assert waits == []


@pytest.mark.parametrize(
    ("status", "headers", "message", "wait"),
    [
        (429, {"Retry-After": "5"}, "secondary rate limit", 5.0),
        (403, {}, "You have exceeded a secondary rate limit", 60.0),
    ],
)
def test_a_secondary_rate_limit_is_waited_out(
    httpserver: HTTPServer, waits: Waits, status: int, headers: dict[str, str], message: str,
    wait: float,
) -> None:
    httpserver.expect_ordered_request("/repos/acme/website/issues").respond_with_json(
        {"message": message}, status=status, headers=headers)
    httpserver.expect_ordered_request("/repos/acme/website/issues").respond_with_json([])
    pull(connector(httpserver, waits))
    httpserver.check_assertions()
    assert waits == [wait]


def test_a_server_error_is_retried(httpserver: HTTPServer, waits: Waits) -> None:
    httpserver.expect_ordered_request("/repos/acme/website/issues").respond_with_json(
        {"message": "Server Error"}, status=502)
    httpserver.expect_ordered_request("/repos/acme/website/issues").respond_with_json(
        [issue(1, due_on="2026-05-06T07:00:00Z")])
    pulled = pull(connector(httpserver, waits))
    assert [r.id for r in pulled.records] == ["acme/website#1"]
    assert len(waits) == 1


def test_a_refused_token_says_what_to_do_and_shows_no_secret(
    httpserver: HTTPServer, waits: Waits
) -> None:
    httpserver.expect_request("/repos/acme/website/issues").respond_with_json(
        {"message": f"Bad credentials {TOKEN}",
         "documentation_url": "https://docs.github.com/rest"}, status=401)
    with pytest.raises(AuthError) as caught:
        pull(connector(httpserver, waits))
    assert "Personal access tokens" in str(caught.value)
    assert "refresh" not in str(caught.value)  # GitHub has no refresh: no OAuth advice
    assert TOKEN not in str(caught.value)
    assert TOKEN not in repr(connector(httpserver, waits))


@pytest.mark.parametrize("elsewhere", ["another host", "another port"])
def test_a_next_page_on_another_server_is_not_followed_and_gets_no_token(
    httpserver: HTTPServer, waits: Waits, elsewhere: str
) -> None:
    # The other server: a second local one (another port), or this one under another name
    # (127.0.0.1 is the same machine, but not the host base_url names).
    with HTTPServer() as other:
        other.expect_request("/repositories/1300192/issues").respond_with_json([])
        following = (other.url_for("/repositories/1300192/issues") if elsewhere == "another port"
                     else httpserver.url_for("/repositories/1300192/issues").replace(
                         "localhost", "127.0.0.1"))
        assert following.split("/")[2] != httpserver.url_for("/").split("/")[2]
        httpserver.expect_ordered_request("/repos/acme/website/issues").respond_with_json(
            [issue(1, due_on="2026-05-06T07:00:00Z"), issue(2, due_on="2026-05-07T07:00:00Z")],
            headers={"Link": f'<{following}?page=2&per_page=2>; rel="next"'})
        with pytest.raises(ApiError, match="not followed, so the token was not sent there") \
                as caught:
            pull(connector(httpserver, waits))
        assert len(httpserver.log) == 1  # the first page, from the API, and nothing more
        assert other.log == []
    message = str(caught.value)
    assert message.startswith("GET repos/acme/website/issues page 1: the server named the next "
                              "page on http://")
    assert TOKEN not in message
    assert caught.value.context.connector == "github"


def test_a_forbidden_repository_is_an_auth_error_not_a_wait(
    httpserver: HTTPServer, waits: Waits
) -> None:
    httpserver.expect_request("/repos/acme/website/issues").respond_with_json(
        {"message": "Resource not accessible by personal access token"}, status=403,
        headers={"x-ratelimit-remaining": "4999"})
    with pytest.raises(AuthError):
        pull(connector(httpserver, waits))
    assert waits == []


def test_rules_of_two_clients_and_unreadable_dates_are_rejections(
    httpserver: HTTPServer, waits: Waits
) -> None:
    rules = [*RULES, {"customer": "books:c-gamma", "label": "urgent"}]
    httpserver.expect_request("/repos/acme/website/issues").respond_with_json([
        issue(1, labels=("urgent",), due_on="2026-05-06T07:00:00Z"),
        issue(2, labels=("due:next week",)),
        issue(3, labels=("due:2026-05-05", "due:2026-05-09")),
    ])
    pulled = pull(connector(httpserver, waits, clients=rules))
    assert pulled.records == ()
    reasons = {r.record_id: r.reason for r in pulled.rejected}
    assert "books:c-acme, books:c-gamma" in reasons["acme/website#1"]
    assert "does not name a date" in reasons["acme/website#2"]
    assert "2 wanted dates" in reasons["acme/website#3"]


@pytest.mark.parametrize(
    ("options", "said"),
    [
        ({"clients": [{"customer": "books:c-1"}]}, "a rule needs a condition"),
        ({"clients": [{"customer": "c-1", "label": "x"}]}, 'write "source:id"'),
        ({"repositories": ["website"]}, "write owner/name"),
        ({"repositories": []}, "repositories"),
    ],
)
def test_bad_options_are_refused_when_the_connector_is_made(
    httpserver: HTTPServer, waits: Waits, options: dict[str, Any], said: str
) -> None:
    with pytest.raises(ConfigError, match=said):
        connector(httpserver, waits, **options)


@pytest.mark.parametrize(
    ("bad", "link", "said"),
    [
        pytest.param({"message": "Server Error"}, False,
                     "a list was due, the body is an object", id="an object"),
        pytest.param([], True, "an empty list, though GitHub names a next page",
                     id="an empty page that names a next one"),
    ],
)
def test_a_page_without_its_issues_fails_instead_of_ending_the_repository(
    httpserver: HTTPServer, waits: Waits, bad: Any, link: bool, said: str
) -> None:
    second = httpserver.url_for("/repositories/1300192/issues") + "?page=2&per_page=2"
    third = httpserver.url_for("/repositories/1300192/issues") + "?page=3&per_page=2"
    httpserver.expect_ordered_request("/repos/acme/website/issues").respond_with_json(
        [issue(1, due_on="2026-05-06T07:00:00Z"), issue(2, labels=("due:2026-05-05",))],
        headers={"Link": f'<{second}>; rel="next"'})
    httpserver.expect_ordered_request("/repositories/1300192/issues").respond_with_json(
        bad, headers={"Link": f'<{third}>; rel="next"'} if link else {})
    with pytest.raises(ApiError) as caught:
        pull(connector(httpserver, waits))
    httpserver.check_assertions()
    message = str(caught.value)
    assert "the API answered page 2 of repos/acme/website/issues without its records" in message
    assert said in message
    assert "try again" in message
    assert "Server Error" not in message
    assert TOKEN not in message


class EditedWhilePaging:
    """GitHub's issue list, honouring ``sort``, ``since`` and ``page``, with ``Link`` to the
    next page, where issue 1 gets a due label right after the first page was served."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.issues = {n: (f"2026-05-0{n}T09:00:00Z", ("due:2026-05-20",)) for n in range(1, 7)}
        self.sorts: list[str] = []
        self.edited = False

    def __call__(self, request: Request) -> Response:
        sort, size = request.args["sort"], int(request.args["per_page"])
        self.sorts.append(sort)
        number = int(request.args.get("page", "1"))
        since = request.args.get("since")
        rows = [(n, *v) for n, v in self.issues.items() if since is None or v[0] >= since]
        # created: issue n was opened on day n; updated: as edited.
        rows.sort(key=(lambda row: row[0]) if sort == "created" else (lambda row: row[1]))
        chunk = rows[(number - 1) * size: number * size]
        body = [issue(n, updated=at, labels=labels, created=f"2026-04-0{n}T09:00:00Z")
                for n, at, labels in chunk]
        headers = {}
        if number * size < len(rows):
            query = urlencode({**request.args, "page": number + 1})
            following = self.server.url_for("/repos/acme/website/issues") + "?" + query
            headers["Link"] = f'<{following}>; rel="next"'
        if not self.edited:
            self.edited = True
            self.issues[1] = ("2026-06-01T12:01:00Z", ("due:2026-06-30",))
        return Response(json.dumps(body), content_type="application/json", headers=headers)


def test_an_issue_edited_between_two_pages_is_never_skipped(
    httpserver: HTTPServer, waits: Waits
) -> None:
    github = EditedWhilePaging(httpserver)
    httpserver.expect_request("/repos/acme/website/issues").respond_with_handler(github)
    httpserver.expect_request("/repos/acme/website/milestones").respond_with_json([])
    rules = [{"customer": "books:c-acme", "repository": "acme/website"}]
    first = pull(connector(httpserver, waits, clients=rules))
    assert sorted(r.id for r in first.records if isinstance(r, WorkRequest)) == [
        f"acme/website#{n}" for n in range(1, 7)]
    assert first.state.cursor("work_requests") == datetime(2026, 5, 6, 9, tzinfo=UTC)
    second = pull(connector(httpserver, waits, clients=rules), first.state)
    wanted = {r.id: r.wanted_by for r in second.records if isinstance(r, WorkRequest)}
    assert wanted["acme/website#1"] == date(2026, 6, 30)
    assert set(github.sorts) == {"created"}


@pytest.mark.parametrize(("zone", "due_on", "wanted_by"), [
    # GitHub stores the day set on a milestone as midnight Pacific time: 07:00 UTC in summer
    # (PDT), 08:00 UTC in winter (PST) (microsoft/PowerShellForGitHub#133). The day GitHub
    # shows is that date, whatever the reader's zone; read in Honolulu (UTC-10) 07:00 UTC is
    # 21:00 the day before, in Anchorage (UTC-8 in summer) 23:00 the day before.
    ("Pacific/Honolulu", "2026-05-06T07:00:00Z", date(2026, 5, 6)),
    ("America/Anchorage", "2026-05-06T07:00:00Z", date(2026, 5, 6)),
    ("America/Anchorage", "2026-12-07T08:00:00Z", date(2026, 12, 7)),
    ("Europe/Warsaw", "2026-05-06T07:00:00Z", date(2026, 5, 6)),
    ("Pacific/Kiritimati", "2026-12-07T08:00:00Z", date(2026, 12, 7)),  # UTC+14: 22:00
    ("UTC", "2026-12-07T08:00:00Z", date(2026, 12, 7)),
])
def test_a_milestone_is_due_on_the_day_github_shows_in_every_zone(
    httpserver: HTTPServer, waits: Waits, zone: str, due_on: str, wanted_by: date
) -> None:
    httpserver.expect_request("/repos/acme/website/issues").respond_with_json(
        [issue(1, due_on=due_on, created="2026-05-04T19:00:00Z")])
    got = pull(connector(httpserver, waits, timezone=zone)).records
    assert len(got) == 1
    assert isinstance(got[0], WorkRequest)
    assert got[0].wanted_by == wanted_by


class IgnoresThePage:
    """A server that ignores ``?page=`` (a proxy that drops the query, a broken mirror) while
    its ``Link`` always names page N+1: the pages it serves cycle through ``pages``, so page N
    is ``pages[(N - 1) % len(pages)]``. After ``stop_after`` list requests it names no next
    page, so that a read without a loop guard ends (and the test fails) instead of hanging.
    The boundary check (``per_page=1``) is answered truthfully from the first page."""

    def __init__(self, server: HTTPServer, pages: list[list[int]], stop_after: int = 12):
        self.server, self.pages, self.stop_after = server, pages, stop_after
        self.served = 0

    def __call__(self, request: Request) -> Response:
        if request.args.get("per_page") == "1":
            place = int(request.args["page"])
            flat = [n for page in self.pages for n in page]
            return Response(json.dumps([issue(flat[place - 1])]),
                            content_type="application/json")
        self.served += 1
        numbers = self.pages[(self.served - 1) % len(self.pages)]
        headers = {}
        if self.served < self.stop_after:
            query = urlencode({**request.args, "page": self.served + 1})
            following = self.server.url_for("/repos/acme/website/issues") + "?" + query
            headers["Link"] = f'<{following}>; rel="next"'
        return Response(json.dumps([issue(n) for n in numbers]),
                        content_type="application/json", headers=headers)


@pytest.mark.parametrize(("pages", "served", "said"), [
    # The same 2 issues on every page: a page may come twice in a row (a shift of the since
    # list, LOOP_AFTER = 3), not three times: the read stops on page 3 (3 list requests).
    pytest.param([[1, 2]], 3, "page 3 repeats page 2 (3 times in a row)",
                 id="the-same-page-again"),
    # Pages 1 and 2 differ, page 3 is page 1 again: it begins with an issue already read, so
    # PageBoundaries asks for no check, and it is not the page before it. Every issue on it,
    # and on page 4 (page 2 again), was read already: two such pages in a row, the read
    # stops on page 4 (4 list requests).
    pytest.param([[1, 2], [3, 4]], 4, "page 4 of repos/acme/website/issues holds only "
                 "records already read (numbers 3, 4), as did page 3", id="a-cycle-of-two-pages"),
])
def test_a_server_ignoring_the_page_stops_the_read_instead_of_looping(
    httpserver: HTTPServer, waits: Waits, pages: list[list[int]], served: int, said: str
) -> None:
    github = IgnoresThePage(httpserver, pages)
    httpserver.expect_request("/repos/acme/website/issues").respond_with_handler(github)
    with pytest.raises(ApiError) as caught:
        pull(connector(httpserver, waits, clients=RULES[:1]))
    message = str(caught.value)
    assert github.served == served  # bounded: stopped at the first page that repeats
    assert said in message
    assert "paging loop" in message
    assert TOKEN not in message


class BulkEditMidRead:
    """GitHub's ``since`` list as it lives (/tmp/rev-http3/gh/test_gh_bulk_edit.py): issues
    #1..#6 in the order they were opened, #1 and #2 last changed before the cursor, #3..#6
    after it. Right after page 1 is served, ``edited`` of the old ones are edited (a bot, a
    mass label): they join the list ahead of the read position and push it back by
    ``edited`` places. Pages of 2 (standing for GitHub's 100)."""

    OLD, NEW, EDITED = "2026-05-01T00:00:00Z", "2026-05-25T00:00:00Z", "2026-06-01T11:59:00Z"

    def __init__(self, server: HTTPServer, edited: int) -> None:
        self.server, self.edited = server, edited
        self.updated = {n: (self.OLD if n <= 2 else self.NEW) for n in range(1, 7)}
        self.list_requests = 0

    def __call__(self, request: Request) -> Response:
        since = request.args.get("since", "")
        per, page = int(request.args["per_page"]), int(request.args.get("page", 1))
        numbers = [n for n in sorted(self.updated) if self.updated[n] >= since]
        chunk = numbers[(page - 1) * per: page * per]
        headers = {}
        if per > 1:  # a list page, not a boundary check (per_page=1)
            self.list_requests += 1
            if page * per < len(numbers):
                query = urlencode({**request.args, "page": page + 1})
                following = self.server.url_for("/repos/acme/website/issues") + "?" + query
                headers["Link"] = f'<{following}>; rel="next"'
            if self.list_requests == 1:
                for n in range(1, 1 + self.edited):
                    self.updated[n] = self.EDITED
        body = [issue(n, due_on="2026-05-30T07:00:00Z", updated=self.updated[n])
                for n in chunk]
        return Response(json.dumps(body), content_type="application/json", headers=headers)


@pytest.mark.parametrize(("edited", "list_requests"), [
    # One issue joins: pages [3, 4], [4, 5], [6]: 3 list requests.
    (1, 3),
    # A whole page (2) joins: page 2 is page 1 again ([3, 4], [3, 4], [5, 6]). Before, the
    # read stopped there: "paging loop: page 2 repeats page 1; the API ignores the paging
    # parameters", and an ordinary incremental sync of a busy repository failed.
    (2, 3),
])
def test_issues_edited_mid_read_shift_the_list_without_stopping_it(
    httpserver: HTTPServer, waits: Waits, edited: int, list_requests: int
) -> None:
    github = BulkEditMidRead(httpserver, edited)
    httpserver.expect_request("/repos/acme/website/issues").respond_with_handler(github)
    httpserver.expect_request("/repos/acme/website/milestones").respond_with_json([])
    cursor = datetime(2026, 5, 20, 8, 0, tzinfo=UTC)
    pulled = pull(connector(httpserver, waits, clients=RULES[:1]),
                  SyncState({"work_requests": cursor}))
    # #3..#6 changed after the cursor, each read once (the repeat dropped by id); #1 and #2
    # joined behind the read position and are the next sync's (their updated_at is after the
    # cursor this one ends at, 25 May).
    assert sorted(str(r.id) for r in pulled.records) == [f"acme/website#{n}" for n in (3, 4, 5, 6)]
    assert github.list_requests == list_requests


def test_a_renamed_repository_says_to_update_repositories_not_base_url(
    httpserver: HTTPServer, waits: Waits
) -> None:
    # GitHub answers 301 for a renamed or transferred repository, with Location on its own
    # server (docs.github.com, REST "HTTP redirects": /repositories/<id>/...) and a JSON body.
    # Before: "set base_url to the address the API answers at" (it is that address), and the
    # API's own words dropped.
    moved = httpserver.url_for("/repositories/1300192/issues") + "?state=all&per_page=2"
    httpserver.expect_request("/repos/acme/website/issues").respond_with_json(
        {"message": "Moved Permanently", "url": moved,
         "documentation_url": "https://docs.github.com/v3/#http-redirects"},
        status=301, headers={"Location": moved})
    with pytest.raises(ApiError) as caught:
        pull(connector(httpserver, waits, clients=RULES[:1]))
    message = str(caught.value)
    assert ("redirected (HTTP 301) to another address on the same server, "
            f"http://localhost:{httpserver.port}; not followed (the token would go with it): "
            "base_url is right, what was asked for moved: a repository renamed or transferred: "
            "set repositories to its new owner/name (the API said: Moved Permanently)") in message
    assert "set base_url" not in message
    assert TOKEN not in message
    assert len(httpserver.log) == 1  # not followed
