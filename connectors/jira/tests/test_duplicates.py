"""An issue resolved as a duplicate repeats a request another issue already counts: left out,
counted by reason, so that one request (and one rush) is not counted twice.

Jira writes the resolution as an object (``{"self", "id", "description", "name"}``, Jira
Cloud REST API v3, the issue's ``resolution`` field); Jira Cloud's default resolutions are
Done, Won't Do, Duplicate and Cannot Reproduce, and a site may rename them or add its own
(a Polish site: ``Duplikat``), hence ``duplicate_resolutions``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from clientguard.connector import pull
from clientguard.model import WorkRequest
from clientguard_jira import JiraConnector

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SEARCH = "/rest/api/3/search/jql"


def resolution(name: str) -> dict[str, Any]:
    return {"self": "https://acme.atlassian.net/rest/api/3/resolution/10002", "id": "10002",
            "description": "The problem is a duplicate of an existing issue.", "name": name}


def issue(key: str, resolved: dict[str, Any] | None) -> dict[str, Any]:
    return {"id": f"100{key.split('-')[1]}", "key": key, "fields": {
        "created": "2026-05-04T10:15:30.123+0200", "updated": "2026-05-04T10:15:30.123+0200",
        "duedate": "2026-05-05", "project": {"id": "10000", "key": "ACME"},
        "components": [], "labels": [], "resolution": resolved}}


@pytest.mark.parametrize(("resolved", "options", "counted", "skipped"), [
    # Open, or resolved otherwise: the client asked for it, so it counts (Won't Do too: a
    # request refused was still asked for, by the day it names).
    (None, {}, True, None),
    (resolution("Done"), {}, True, None),
    (resolution("Won't Do"), {}, True, None),
    # Jira's default duplicate resolution, whatever its case.
    (resolution("Duplicate"), {}, False, "resolved as a duplicate (Duplicate)"),
    (resolution("duplicate "), {}, False, "resolved as a duplicate (duplicate)"),
    # A site's own name, when configured; not recognised when it is not.
    (resolution("Duplikat"), {"duplicate_resolutions": ["Duplikat", "Duplicate"]}, False,
     "resolved as a duplicate (Duplikat)"),
    (resolution("Duplikat"), {}, True, None),
    # Turned off.
    (resolution("Duplicate"), {"duplicate_resolutions": []}, True, None),
])
def test_an_issue_resolved_as_a_duplicate_is_not_a_second_request(
    httpserver: HTTPServer, resolved: dict[str, Any] | None, options: dict[str, Any],
    counted: bool, skipped: str | None,
) -> None:
    httpserver.expect_request(SEARCH).respond_with_json({"isLast": True, "issues": [
        issue("ACME-1", None), issue("ACME-2", resolved)]})
    conn = JiraConnector(site="acme.atlassian.net", email="ops@example.com",
                         api_token="not-a-token", base_url=httpserver.url_for("/"),
                         clock=lambda: NOW, sleep=lambda _: None,
                         clients=[{"customer": "books:c-acme", "project": "ACME"}], **options)
    pulled = pull(conn)

    assert "resolution" in httpserver.log[0][0].args["fields"].split(",")
    ids = [r.id for r in pulled.records if isinstance(r, WorkRequest)]
    assert ids == (["ACME-1", "ACME-2"] if counted else ["ACME-1"])
    assert pulled.skipped == ({} if skipped is None else {"work_requests": {skipped: 1}})
