"""A milestone's due date changed after its issues were synced: GitHub leaves the issues'
``updated_at`` as it was, so the incremental read (``since``) does not list them; the
connector lists the repository's milestones and reads again the issues of each one changed
since the cursor (repro: ``acme/website#1`` opened 4 May, milestone due 6 May, moved to
30 May: before, the stored request kept 6 May, a rush, until a full read).

Each row: sync 1 (full) stores ``#1`` (opened 2026-05-04, UTC) with milestone 1 as it was;
then the milestone changes, or the issue does; sync 2 (incremental). Rush is ``wanted_by -
requested_on`` at most ``Policy.rush_lead_days`` (2 by default). Values worked by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from clientguard.connector import SyncState, pull
from clientguard.errors import ApiError
from clientguard.model import WorkRequest
from clientguard.policy import Policy
from clientguard.store import Store

from .test_connector import connector, issue

ISSUES = "/repos/acme/website/issues"
MILESTONES = "/repos/acme/website/milestones"
RULES = [{"customer": "books:c-acme", "repository": "acme/website"}]
SINCE = "2026-05-04T08:59:59Z"  # sync 1's cursor (#1's updated_at) less one second
CHANGED = "2026-05-10T12:00:00Z"  # the milestone's edit, after sync 1
BEFORE = "2026-05-01T00:00:00Z"  # a milestone untouched since before sync 1


def with_milestone(number: int, due_on: str | None, changed: str = BEFORE,
                   **extra: Any) -> dict[str, Any]:
    """Issue ``#number`` in milestone 1 as GitHub embeds it, ``due_on`` as it is now."""
    raw = issue(number, due_on=due_on or "2000-01-01T08:00:00Z", **extra)
    raw["milestone"] = {**raw["milestone"], "due_on": due_on, "updated_at": changed}
    return raw


def milestone(due_on: str | None, updated: str, number: int = 1) -> dict[str, Any]:
    return {"id": 1002600 + number, "number": number, "title": f"v{number}.0",
            "state": "open", "due_on": due_on, "open_issues": 1, "closed_issues": 0,
            "created_at": "2026-01-01T00:00:00Z", "updated_at": updated}


def stored(store: Store) -> dict[str, tuple[date, bool]]:
    """Each stored request's wanted date, and whether it is a rush."""
    rush = Policy().rush_lead_days
    return {r.id: (r.wanted_by, (r.wanted_by - r.requested_on).days <= rush)
            for r in store.records() if isinstance(r, WorkRequest)}


MAY6 = "2026-05-06T07:00:00Z"  # midnight Pacific (PDT) of 6 May: GitHub shows 6 May
MAY20 = "2026-05-20T07:00:00Z"
MAY30 = "2026-05-30T07:00:00Z"
MAY5 = "2026-05-05T07:00:00Z"


@pytest.mark.parametrize(
    ("due_before", "changed_issues", "milestones", "read_again", "expected"), [
        # Moved later, 6 -> 30 May: lead 2 days (a rush) -> 26 days (no longer one).
        (MAY6, [], [milestone(MAY30, CHANGED)], [with_milestone(1, MAY30, CHANGED)],
         {"acme/website#1": (date(2026, 5, 30), False)}),
        # Moved earlier, 20 -> 5 May: lead 16 days -> 1 day (a rush).
        (MAY20, [], [milestone(MAY5, CHANGED)], [with_milestone(1, MAY5, CHANGED)],
         {"acme/website#1": (date(2026, 5, 5), True)}),
        # The milestone's due date removed: no wanted date, no longer a request.
        (MAY6, [], [milestone(None, CHANGED)], [with_milestone(1, None, CHANGED)], {}),
    ])
def test_a_moved_milestone_moves_its_issues_wanted_date(
    httpserver: HTTPServer, tmp_path: Path, due_before: str,
    changed_issues: list[dict[str, Any]], milestones: list[dict[str, Any]],
    read_again: list[dict[str, Any]], expected: dict[str, tuple[date, bool]],
) -> None:
    with Store.open(tmp_path / "s.db") as store:
        httpserver.expect_ordered_request(ISSUES).respond_with_json(
            [with_milestone(1, due_before)])
        store.sync(connector(httpserver, [], clients=RULES))
        httpserver.expect_ordered_request(ISSUES, query_string={
            "state": "all", "sort": "created", "direction": "asc", "per_page": "2",
            "since": SINCE}).respond_with_json(changed_issues)  # #1 itself unchanged
        httpserver.expect_ordered_request(MILESTONES, query_string={
            "state": "all", "per_page": "2"}).respond_with_json(milestones)
        httpserver.expect_ordered_request(ISSUES, query_string={
            "state": "all", "sort": "created", "direction": "asc", "per_page": "2",
            "milestone": "1"}).respond_with_json(read_again)
        store.sync(connector(httpserver, [], clients=RULES))
        httpserver.check_assertions()
        assert stored(store) == expected


@pytest.mark.parametrize(("changed_issues", "milestones", "expected"), [
    # Controls: nothing changed, nothing read again.
    ([], [milestone(MAY6, BEFORE)], {"acme/website#1": (date(2026, 5, 6), True)}),
    # The milestone removed from the issue: an edit of the issue, listed by ``since``.
    ([issue(1, updated=CHANGED)], [milestone(MAY6, BEFORE)], {}),
    # The milestone deleted: not listed any more, so nothing names its issues; if GitHub
    # did not touch them, the request stays until a full read (below).
    ([], [], {"acme/website#1": (date(2026, 5, 6), True)}),
])
def test_a_milestone_not_changed_since_the_cursor_reads_no_issue_again(
    httpserver: HTTPServer, tmp_path: Path, changed_issues: list[dict[str, Any]],
    milestones: list[dict[str, Any]], expected: dict[str, tuple[date, bool]],
) -> None:
    with Store.open(tmp_path / "s.db") as store:
        httpserver.expect_ordered_request(ISSUES).respond_with_json([with_milestone(1, MAY6)])
        store.sync(connector(httpserver, [], clients=RULES))
        httpserver.expect_ordered_request(ISSUES).respond_with_json(changed_issues)
        httpserver.expect_ordered_request(MILESTONES).respond_with_json(milestones)
        store.sync(connector(httpserver, [], clients=RULES))
        httpserver.check_assertions()
        assert len(httpserver.log) == 3  # no issues of a milestone read again
        assert stored(store) == expected


def test_a_deleted_milestone_leaves_its_issues_at_the_next_full_read(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    with Store.open(tmp_path / "s.db") as store:
        httpserver.expect_ordered_request(ISSUES).respond_with_json([with_milestone(1, MAY6)])
        store.sync(connector(httpserver, [], clients=RULES))
        httpserver.expect_ordered_request(ISSUES).respond_with_json([issue(1)])  # no milestone
        store.sync(connector(httpserver, [], clients=RULES), full=True)
        httpserver.check_assertions()
        assert stored(store) == {}


def test_the_milestones_are_paged_and_only_the_changed_ones_read_again(
    httpserver: HTTPServer
) -> None:
    """Cost: one list of the issues changed, the milestones page by page (3 milestones, 2 a
    page: 2 requests), and the issues of the 2 changed milestones: 5 requests. Issue #3,
    listed by ``since`` and again in its milestone unchanged, counts once."""
    following = httpserver.url_for("/repositories/1300192/milestones") + "?page=2"
    pr = with_milestone(3, MAY30, CHANGED, updated=CHANGED, pull_request={"url": "..."})
    pr["milestone"]["number"] = 3
    httpserver.expect_ordered_request(ISSUES).respond_with_json([pr])
    httpserver.expect_ordered_request(MILESTONES).respond_with_json(
        [milestone(MAY30, CHANGED, 1), milestone(MAY6, BEFORE, 2)],
        headers={"Link": f'<{following}>; rel="next"'})
    httpserver.expect_ordered_request(
        "/repositories/1300192/milestones", query_string="page=2",
    ).respond_with_json([milestone(MAY30, CHANGED, 3)])
    httpserver.expect_ordered_request(ISSUES, query_string={
        "state": "all", "sort": "created", "direction": "asc", "per_page": "2",
        "milestone": "1"}).respond_with_json([with_milestone(1, MAY30, CHANGED)])
    httpserver.expect_ordered_request(ISSUES, query_string={
        "state": "all", "sort": "created", "direction": "asc", "per_page": "2",
        "milestone": "3"}).respond_with_json([pr])
    cursor = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
    pulled = pull(connector(httpserver, [], clients=RULES),
                  SyncState({"work_requests": cursor}))
    httpserver.check_assertions()
    assert len(httpserver.log) == 5
    assert {r.id: r.wanted_by for r in pulled.records if isinstance(r, WorkRequest)} == {
        "acme/website#1": date(2026, 5, 30)}
    assert pulled.skipped == {"work_requests": {"pull request, not an issue": 1}}
    # Issues read again are older than the cursor: it does not move back.
    assert pulled.state.cursor("work_requests") == datetime(2026, 5, 10, 12, tzinfo=UTC)


def test_a_milestone_without_a_number_fails_the_read_naming_the_page(
    httpserver: HTTPServer
) -> None:
    httpserver.expect_ordered_request(ISSUES).respond_with_json([])
    httpserver.expect_ordered_request(MILESTONES).respond_with_json(
        [{**milestone(MAY6, CHANGED), "number": None}])
    with pytest.raises(ApiError, match=r"milestones page 1: a milestone without a number.*--full"):
        pull(connector(httpserver, [], clients=RULES),
             SyncState({"work_requests": datetime(2026, 5, 4, 9, 0, tzinfo=UTC)}))
