"""An issue stored as a work request and no longer one at the next incremental read (closed
as a duplicate, its due label removed, relabelled to no client) leaves no copy in the store;
an issue transferred to another repository does, until a full read with ``prune``: GitHub
gives the transferred issue a new number and a new ``id`` (GoogleCloudPlatform/
repo-automation-playground#85: "GitHub IDs for issues do not stay the same when issues are
transferred", old id 979486533, new 979489936), so nothing the list returns links the two.

Each row: a first sync stores ``acme/website#1`` and ``#2``; ``#2`` changes; an incremental
sync (``since``) reads it again. Expected sets worked out by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from clientguard.model import WorkRequest
from clientguard.store import Store

from .test_connector import connector, issue

ISSUES = "/repos/acme/website/issues"
APP = "/repos/acme/app/issues"
MILESTONES = "/repos/acme/website/milestones"  # listed on every incremental read
RULES = [{"customer": "books:c-acme", "repository": "acme/website"},
         {"customer": "books:c-acme", "repository": "acme/app"}]
LATER = "2026-05-20T09:00:00Z"


def requests_in(store: Store) -> list[str]:
    return sorted(r.id for r in store.records() if isinstance(r, WorkRequest))


def changed(**extra: Any) -> dict[str, Any]:
    extra.setdefault("labels", ("due:2026-05-05",))
    return issue(2, updated=LATER, **extra)


@pytest.mark.parametrize(("after", "expected"), [
    (changed(state="closed", state_reason="duplicate"), ["acme/website#1"]),
    (changed(labels=("due:2026-05-05", "duplicate")), ["acme/website#1"]),
    (changed(labels=()), ["acme/website#1"]),
    # Edited, still a request (the control).
    (changed(labels=("due:2026-05-05",)), ["acme/website#1", "acme/website#2"]),
])
def test_an_issue_no_longer_a_request_leaves_no_copy(
    httpserver: HTTPServer, tmp_path: Path, after: dict[str, Any], expected: list[str]
) -> None:
    with Store.open(tmp_path / "s.db") as store:
        httpserver.expect_ordered_request(ISSUES).respond_with_json(
            [issue(1, labels=("due:2026-05-06",)), issue(2, labels=("due:2026-05-05",))])
        store.sync(connector(httpserver, [], clients=RULES))
        assert requests_in(store) == ["acme/website#1", "acme/website#2"]
        httpserver.expect_ordered_request(ISSUES).respond_with_json([after])
        httpserver.expect_ordered_request(MILESTONES).respond_with_json([])
        store.sync(connector(httpserver, [], clients=RULES))
        assert requests_in(store) == expected
    assert "since" in httpserver.log[1][0].args  # an incremental read


def test_an_issue_relabelled_to_no_client_leaves_no_copy(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    rules = [{"customer": "books:c-acme", "label": "client:acme"}]
    with Store.open(tmp_path / "s.db") as store:
        httpserver.expect_ordered_request(ISSUES).respond_with_json(
            [issue(2, labels=("due:2026-05-05", "client:acme"))])
        store.sync(connector(httpserver, [], clients=rules))
        assert requests_in(store) == ["acme/website#2"]
        httpserver.expect_ordered_request(ISSUES).respond_with_json(
            [changed(labels=("due:2026-05-05", "internal"))])
        httpserver.expect_ordered_request(MILESTONES).respond_with_json([])
        store.sync(connector(httpserver, [], clients=rules))
        assert requests_in(store) == []


def test_a_transferred_issue_counts_twice_until_a_full_read_with_prune(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    """What the API cannot say: ``acme/website#2`` transferred to ``acme/app`` as ``#7``,
    with a new ``id``; the old repository's list no longer has it."""
    repositories = ["acme/website", "acme/app"]
    transferred = {**issue(7, labels=("due:2026-05-05",), updated=LATER), "id": 5000}
    with Store.open(tmp_path / "s.db") as store:
        httpserver.expect_ordered_request(ISSUES).respond_with_json(
            [issue(1, labels=("due:2026-05-06",)), issue(2, labels=("due:2026-05-05",))])
        httpserver.expect_ordered_request(APP).respond_with_json([])
        store.sync(connector(httpserver, [], clients=RULES, repositories=repositories))
        httpserver.expect_ordered_request(ISSUES).respond_with_json([])
        httpserver.expect_ordered_request(MILESTONES).respond_with_json([])
        httpserver.expect_ordered_request(APP).respond_with_json([transferred])
        httpserver.expect_ordered_request("/repos/acme/app/milestones").respond_with_json([])
        store.sync(connector(httpserver, [], clients=RULES, repositories=repositories))
        assert requests_in(store) == ["acme/app#7", "acme/website#1", "acme/website#2"]
        httpserver.expect_ordered_request(ISSUES).respond_with_json(
            [issue(1, labels=("due:2026-05-06",))])
        httpserver.expect_ordered_request(APP).respond_with_json([transferred])
        store.sync(connector(httpserver, [], clients=RULES, repositories=repositories),
                   full=True, prune=True)
        assert requests_in(store) == ["acme/app#7", "acme/website#1"]
