"""An issue moved to another project keeps its numeric ``id`` and gets a new key (ACME-12
becomes BETA-3; Jira keeps the old key as an alias that redirects to the issue, Atlassian's
"Migration of Jira's historical keys for issues and projects"). The next incremental read
has it under its new key only: the store must then hold one work request for it, not one
under each key, or one request counts twice in the rush signal.

Each row: a first sync stores ACME-12 (id 10012) beside ACME-1; the issue changes; an
incremental sync (JQL ``updated >= ...``) reads it again. Expected sets worked out by hand.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from clientguard.model import WorkRequest
from clientguard.store import Store

from .test_connector import MYSELF, SEARCH, connector, found, issue, profile

RULES = [
    {"customer": "books:c-acme", "project": "ACME"},
    {"customer": "books:c-acme", "project": "BETA"},
]
STAYS = issue("ACME-1")
BEFORE = issue("ACME-12", due="2026-05-05")
LATER = "2026-05-20T09:00:00.000+0200"


def moved(key: str, *, project: str, **fields: Any) -> dict[str, Any]:
    """ACME-12 as the search returns it after the change: the same ``id`` and ``self``
    (``/issue/10012``), the key and project it has now, ``updated`` moved by the change."""
    after = issue(key, project=project, due=fields.pop("due", "2026-05-05"), updated=LATER,
                  **fields)
    return {**after, "id": BEFORE["id"], "self": BEFORE["self"]}


def requests_in(store: Store) -> list[tuple[str, str, str]]:
    return sorted((r.id, r.customer_id, r.wanted_by.isoformat())
                  for r in store.records() if isinstance(r, WorkRequest))


DUPLICATE = {"self": "https://acme.atlassian.net/rest/api/3/resolution/10002", "id": "10002",
             "description": "The problem is a duplicate of an existing issue.",
             "name": "Duplicate"}


@pytest.mark.parametrize(("after", "expected"), [
    # Moved to another project of the same client: one request, under its new key.
    (moved("BETA-3", project="BETA"),
     [("ACME-1", "c-acme", "2026-05-06"), ("BETA-3", "c-acme", "2026-05-05")]),
    # Moved and its due date changed in the move.
    (moved("BETA-3", project="BETA", due="2026-05-30"),
     [("ACME-1", "c-acme", "2026-05-06"), ("BETA-3", "c-acme", "2026-05-30")]),
    # Moved to a project no rule maps (the team's own): no longer a request of the client.
    (moved("OPS-7", project="OPS"), [("ACME-1", "c-acme", "2026-05-06")]),
    # Moved, then resolved as a duplicate of another issue.
    (moved("BETA-3", project="BETA", resolution=DUPLICATE), [("ACME-1", "c-acme", "2026-05-06")]),
    # Not moved, its due date removed, or resolved as a duplicate: its stored copy goes too.
    (moved("ACME-12", project="ACME", due=None), [("ACME-1", "c-acme", "2026-05-06")]),
    (moved("ACME-12", project="ACME", resolution=DUPLICATE), [("ACME-1", "c-acme", "2026-05-06")]),
    # Not moved, edited: the one request, changed (the control).
    (moved("ACME-12", project="ACME", due="2026-05-30"),
     [("ACME-1", "c-acme", "2026-05-06"), ("ACME-12", "c-acme", "2026-05-30")]),
])
def test_an_issue_moved_or_no_longer_a_request_leaves_no_copy_under_its_old_key(
    httpserver: HTTPServer, tmp_path: Path, after: dict[str, Any],
    expected: list[tuple[str, str, str]],
) -> None:
    with Store.open(tmp_path / "s.db") as store:
        httpserver.expect_ordered_request(SEARCH).respond_with_json(found([STAYS, BEFORE]))
        store.sync(connector(httpserver, [], clients=RULES))
        assert requests_in(store) == [("ACME-1", "c-acme", "2026-05-06"),
                                      ("ACME-12", "c-acme", "2026-05-05")]
        httpserver.expect_ordered_request(MYSELF).respond_with_json(profile())
        httpserver.expect_ordered_request(SEARCH).respond_with_json(found([after]))
        store.sync(connector(httpserver, [], clients=RULES))
        assert requests_in(store) == expected
    (_, _), (second, _) = httpserver.log[1:]
    assert "updated >= " in second.args["jql"]  # an incremental read
    httpserver.check_assertions()


def test_a_move_stored_before_this_version_goes_at_a_full_read_with_prune(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    """ACME-12 and BETA-3 both stored (by a version that keyed by the issue key, or an
    issue deleted at the source): a full read with ``prune`` keeps only what Jira has."""
    with Store.open(tmp_path / "s.db") as store:
        httpserver.expect_ordered_request(SEARCH).respond_with_json(found([STAYS, BEFORE]))
        store.sync(connector(httpserver, [], clients=RULES))
        httpserver.expect_ordered_request(SEARCH).respond_with_json(
            found([STAYS, moved("BETA-3", project="BETA")]))
        store.sync(connector(httpserver, [], clients=RULES), full=True, prune=True)
        assert requests_in(store) == [("ACME-1", "c-acme", "2026-05-06"),
                                      ("BETA-3", "c-acme", "2026-05-05")]


def test_an_issue_read_again_fixed_replaces_its_rejection(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    """A rejection names the issue by its key, the id its request is stored under: the
    issue read again with its due date fixed replaces the rejection (named by the numeric
    id, the rejection stayed beside the request it became)."""
    broken = {**BEFORE, "fields": {**BEFORE["fields"], "duedate": "soon"}}
    with Store.open(tmp_path / "s.db") as store:
        httpserver.expect_ordered_request(SEARCH).respond_with_json(found([STAYS, broken]))
        store.sync(connector(httpserver, [], clients=RULES))
        (rejection,) = store.rejections()
        assert (rejection.record_id, rejection.field) == ("ACME-12", None)
        assert rejection.reason == "duedate: 'soon' is not a date (YYYY-MM-DD)"
        httpserver.expect_ordered_request(MYSELF).respond_with_json(profile())
        httpserver.expect_ordered_request(SEARCH).respond_with_json(
            found([moved("ACME-12", project="ACME", due="2026-05-30")]))
        store.sync(connector(httpserver, [], clients=RULES))
        assert list(store.rejections()) == []
        assert requests_in(store) == [("ACME-1", "c-acme", "2026-05-06"),
                                      ("ACME-12", "c-acme", "2026-05-30")]
