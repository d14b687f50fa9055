"""Jira's ``nextPageToken`` cycling (t1, t2, t1, ...) over real HTTP: the read stops at the
first token that names a page already read, with an error naming the loop, instead of
reading the same issues for ever."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from clientguard.connector import pull
from clientguard.errors import ApiError
from clientguard_jira import JiraConnector

TOKEN = "jira-TOKEN-never-shown-77"
RULES = [{"customer": "books:c-acme", "project": "ACME"}]


def issue(key: str) -> dict[str, object]:
    return {"id": key.replace("ACME-", "100"), "key": key, "fields": {
        "created": "2026-05-04T10:15:30.123+0200", "updated": "2026-05-04T10:15:30.123+0200",
        "duedate": None, "project": {"id": "10000", "key": "ACME"}, "components": [],
        "labels": []}}


def test_a_cycle_of_page_tokens_stops_the_read_after_three_pages(httpserver: HTTPServer) -> None:
    pages = {None: ("ACME-1", "t1"), "t1": ("ACME-2", "t2"), "t2": ("ACME-3", "t1")}

    def search(request: Request) -> Response:
        key, following = pages[request.args.get("nextPageToken")]
        body = {"issues": [issue(key)], "isLast": False, "nextPageToken": following}
        return Response(json.dumps(body), content_type="application/json")

    httpserver.expect_request("/rest/api/3/search/jql").respond_with_handler(search)
    conn = JiraConnector(site="acme.atlassian.net", email="ops@example.com", api_token=TOKEN,
                         base_url=httpserver.url_for("/"), clients=RULES, page_size=1,
                         clock=lambda: datetime(2026, 6, 1, tzinfo=UTC), sleep=lambda s: None)
    with pytest.raises(ApiError, match="names a page already read") as caught:
        pull(conn)
    assert len(httpserver.log) == 3
    assert TOKEN not in str(caught.value)
