"""An issue that duplicates another repeats a request the other already counts: left out,
counted by reason, so that one request (and one rush) is not counted twice.

GitHub says so two ways: ``state_reason`` ``duplicate`` (the issue closed as a duplicate; the
REST issue object's ``state_reason`` is one of ``completed``, ``reopened``, ``not_planned``
and ``duplicate``, the last added to the API in 2025, e.g. haskell-github/github PR #523),
and the ``duplicate`` label every new repository has ("This issue or pull request already
exists"), which teams used before that reason existed. ``not_planned`` is not a duplicate:
the client asked for the work by that day, and the request counts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from clientguard.connector import pull
from clientguard.model import WorkRequest
from clientguard_github import GitHubConnector

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SKIPPED = "a duplicate of another issue (closed as a duplicate, or labelled so)"


def issue(number: int, *, labels: tuple[str, ...] = (), state_reason: str | None = None
          ) -> dict[str, Any]:
    closed = state_reason is not None and state_reason != "reopened"
    return {
        "id": 1000 + number, "number": number, "title": "Change the front page",
        "state": "closed" if closed else "open", "state_reason": state_reason,
        "labels": [{"id": 208045946, "name": name, "color": "cfd3d7", "default": True}
                   for name in ("due:2026-05-05", *labels)],
        "milestone": None, "created_at": "2026-05-04T09:00:00Z",
        "updated_at": "2026-05-04T10:00:00Z",
        "closed_at": "2026-05-04T10:00:00Z" if closed else None,
    }


@pytest.mark.parametrize(("duplicate", "options", "counted"), [
    (issue(2), {}, True),
    (issue(2, state_reason="completed"), {}, True),
    (issue(2, state_reason="not_planned"), {}, True),
    (issue(2, state_reason="reopened"), {}, True),
    (issue(2, state_reason="duplicate"), {}, False),
    # GitHub's default label, whatever its case, open or closed as not planned.
    (issue(2, labels=("duplicate",)), {}, False),
    (issue(2, labels=("Duplicate",), state_reason="not_planned"), {}, False),
    # A team's own label, when configured; GitHub's then no longer counts as one.
    (issue(2, labels=("dup",)), {"duplicate_labels": ["dup"]}, False),
    (issue(2, labels=("duplicate",)), {"duplicate_labels": ["dup"]}, True),
    (issue(2, labels=("duplicate",)), {"duplicate_labels": []}, True),
    # The reason GitHub gives is not configurable: a duplicate is one.
    (issue(2, state_reason="duplicate"), {"duplicate_labels": []}, False),
])
def test_an_issue_that_duplicates_another_is_not_a_second_request(
    httpserver: HTTPServer, duplicate: dict[str, Any], options: dict[str, Any], counted: bool
) -> None:
    httpserver.expect_request("/repos/acme/website/issues").respond_with_json(
        [issue(1), duplicate])
    conn = GitHubConnector(token="not-a-token", base_url=httpserver.url_for("/"),
                           clock=lambda: NOW, sleep=lambda _: None,
                           repositories=["acme/website"],
                           clients=[{"customer": "books:c-acme", "repository": "acme/website"}],
                           **options)
    pulled = pull(conn)

    ids = [r.id for r in pulled.records if isinstance(r, WorkRequest)]
    assert ids == (["acme/website#1", "acme/website#2"] if counted else ["acme/website#1"])
    assert pulled.skipped == ({} if counted else {"work_requests": {SKIPPED: 1}})
