"""An empty page of Jira's enhanced search that names a next one, and a page that says it
is not the last but names none, over real HTTP (pytest-httpserver).

Atlassian documents that a page of ``GET /rest/api/3/search/jql`` may hold fewer issues than
``maxResults`` (when many fields are asked for), not that one may be empty while it names a
next page (``nextPageToken``, ``isLast`` not true), and no report of one was found
(docs/connectors/jira.md, "A page without its issues"). Such a page still stops the read
(MissingRecords: nothing pruned, the cursor kept), and the error now says what to do in Jira
when trying again does not help: the account's permissions, the ``jql``, Atlassian support.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from clientguard.connector import pull
from clientguard.errors import ApiError
from clientguard.http import MissingRecords
from clientguard.store import Store
from clientguard_jira import JiraConnector

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
TOKEN = "jira-TOKEN-never-shown-58"
EMAIL = "ops@example.com"
SITE = "acme.atlassian.net"
SEARCH = "/rest/api/3/search/jql"
RULES = [{"customer": "books:c-acme", "project": "ACME"}]


def connector(server: HTTPServer) -> JiraConnector:
    return JiraConnector(site=SITE, email=EMAIL, api_token=TOKEN, clients=RULES,
                         base_url=server.url_for("/"), clock=lambda: NOW,
                         sleep=lambda seconds: None, page_size=2)


def issue(key: str) -> dict[str, Any]:
    """An issue as the search returns it with ``fields`` asked for."""
    number = key.split("-")[1]
    return {"id": f"100{number}", "key": key,
            "self": f"https://{SITE}/rest/api/3/issue/100{number}",
            "fields": {"created": "2026-05-04T10:15:30.123+0200",
                       "updated": "2026-05-04T10:15:30.123+0200", "duedate": "2026-05-06",
                       "project": {"id": "10000", "key": "ACME"}, "components": [],
                       "labels": [], "resolution": None}}


def page(keys: list[str], token: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"issues": [issue(k) for k in keys], "isLast": token is None}
    if token is not None:
        body["nextPageToken"] = token
    return body


@pytest.mark.parametrize(
    "empty",
    [
        pytest.param({"issues": [], "nextPageToken": "tok-3", "isLast": False},
                     id="token, isLast false"),
        # Atlassian's tracker shows keys left out rather than written null (JRACLOUD-92184):
        # a token without isLast names a next page just the same.
        pytest.param({"issues": [], "nextPageToken": "tok-3"}, id="token without isLast"),
    ],
)
def test_an_empty_page_naming_a_next_one_says_what_to_do_in_jira(
    httpserver: HTTPServer, empty: dict[str, Any]
) -> None:
    httpserver.expect_ordered_request(SEARCH).respond_with_json(
        page(["ACME-1", "ACME-2"], "tok-2"))
    httpserver.expect_ordered_request(SEARCH).respond_with_json(empty)
    with pytest.raises(MissingRecords) as caught:
        pull(connector(httpserver))
    httpserver.check_assertions()
    assert len(httpserver.log) == 2  # the page tok-3 names was never asked for
    message = str(caught.value)
    # What came, where: the page and the stream, in Jira's terms.
    assert "the API answered page 2 of work_requests without its records" in message
    assert "no issues, though Jira names a next page (nextPageToken, isLast not true)" in message
    # What to do: try again first; then, if it persists, what to check in Jira.
    retry = message.index("; try again (the read stopped at that page")
    persists = message.index("If every sync stops at this page")
    assert retry < persists
    advice = message[persists:]
    assert "can browse every project your jql matches" in advice
    assert "issue security levels" in advice
    assert "narrow jql" in advice
    assert "Atlassian support" in advice
    assert 'docs/connectors/jira.md, "A page without its issues"' in message
    assert caught.value.context.connector == "jira"
    assert caught.value.context.stream == "work_requests"
    for secret in (TOKEN, EMAIL, SITE):
        assert secret not in message


def test_a_full_prune_stopped_by_an_empty_page_deletes_nothing_and_a_retry_completes(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    """Five issues stored; a full read with prune whose page 2 comes empty though Jira names
    a page 3 stops there, saying what to do, and the store keeps all five and the cursor.
    Run again, the read completes: Jira now lists ACME-3 on page 2 and no longer ACME-4
    (deleted in Jira meanwhile), so the complete read prunes exactly ACME-4: 4 of 5 kept."""

    def serve(second: list[str]) -> None:
        httpserver.expect_ordered_request(SEARCH).respond_with_json(
            page(["ACME-1", "ACME-2"], "tok-2"))
        httpserver.expect_ordered_request(SEARCH).respond_with_json(page(second, "tok-3"))
        httpserver.expect_ordered_request(SEARCH).respond_with_json(page(["ACME-5"], None))

    serve(["ACME-3", "ACME-4"])
    with Store.open(tmp_path / "store.db") as store:
        store.sync(connector(httpserver))
        stored = sorted(str(r.id) for r in store.records())
        assert stored == ["ACME-1", "ACME-2", "ACME-3", "ACME-4", "ACME-5"]
        cursor = store.state("jira").cursor("work_requests")
        assert cursor is not None

        httpserver.clear()
        httpserver.expect_ordered_request(SEARCH).respond_with_json(
            page(["ACME-1", "ACME-2"], "tok-2"))
        httpserver.expect_ordered_request(SEARCH).respond_with_json(
            {"issues": [], "nextPageToken": "tok-3", "isLast": False})
        with pytest.raises(ApiError) as caught:
            store.sync(connector(httpserver), full=True, prune=True)
        assert "If every sync stops at this page" in str(caught.value)
        assert sorted(str(r.id) for r in store.records()) == stored
        assert store.state("jira").cursor("work_requests") == cursor

        httpserver.clear()
        serve(["ACME-3"])
        store.sync(connector(httpserver), full=True, prune=True)
        httpserver.check_assertions()
        assert sorted(str(r.id) for r in store.records()) == [
            "ACME-1", "ACME-2", "ACME-3", "ACME-5"]


# A page that says it is not the last (isLast false) and names no next page. Atlassian's
# reference for GET /rest/api/3/search/jql (its OpenAPI schema SearchAndReconcileResults, and
# the nextPageToken parameter) says the token is null, or left out, on the last or only page,
# and that isLast "Indicates whether this is the last page of the paginated response": a page
# with isLast false is not the last, so a page must follow, and nothing names it. Ending the
# read there took the stream for complete: the issues after it were never read, and a full
# read with --prune deleted the stored ones.
NOT_LAST_WITHOUT_TOKEN = [
    pytest.param({"issues": [issue("ACME-3"), issue("ACME-4")], "isLast": False},
                 id="issues, isLast false, no token"),
    pytest.param({"issues": [issue("ACME-3"), issue("ACME-4")], "isLast": False,
                  "nextPageToken": None}, id="issues, isLast false, token null"),
    pytest.param({"issues": [issue("ACME-3")], "isLast": False, "nextPageToken": ""},
                 id="issues, isLast false, token empty"),
    pytest.param({"issues": [], "isLast": False}, id="empty, isLast false, no token"),
]


@pytest.mark.parametrize("second", NOT_LAST_WITHOUT_TOKEN)
def test_a_page_not_the_last_that_names_no_next_one_stops_the_read(
    httpserver: HTTPServer, second: dict[str, Any]
) -> None:
    httpserver.expect_ordered_request(SEARCH).respond_with_json(
        page(["ACME-1", "ACME-2"], "tok-2"))
    httpserver.expect_ordered_request(SEARCH).respond_with_json(second)
    with pytest.raises(MissingRecords) as caught:
        pull(connector(httpserver))
    httpserver.check_assertions()
    assert len(httpserver.log) == 2
    message = str(caught.value)
    # What came, where, in Jira's terms; then try again; then what to do if it persists.
    assert "page 2 of work_requests" in message
    assert "isLast false" in message
    assert "no nextPageToken" in message
    retry = message.index("; try again (the read stopped at that page")
    persists = message.index("If every sync stops at this page")
    assert retry < persists
    assert "Atlassian support" in message[persists:]
    assert 'docs/connectors/jira.md, "A page without its issues"' in message
    assert caught.value.context.connector == "jira"
    assert caught.value.context.stream == "work_requests"
    for secret in (TOKEN, EMAIL, SITE):
        assert secret not in message


def test_a_full_prune_stopped_by_a_page_naming_no_next_one_deletes_nothing(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    """Five issues stored (ACME-1..5, two a page). A full read with prune whose page 2 holds
    ACME-3 and ACME-4 and says isLast false with no token stops there: before, it ended the
    stream as complete and pruned ACME-5 (4 of 5 kept); now all 5 stay, and the cursor."""
    httpserver.expect_ordered_request(SEARCH).respond_with_json(
        page(["ACME-1", "ACME-2"], "tok-2"))
    httpserver.expect_ordered_request(SEARCH).respond_with_json(page(["ACME-3", "ACME-4"],
                                                                     "tok-3"))
    httpserver.expect_ordered_request(SEARCH).respond_with_json(page(["ACME-5"], None))
    with Store.open(tmp_path / "store.db") as store:
        store.sync(connector(httpserver))
        stored = sorted(str(r.id) for r in store.records())
        assert stored == ["ACME-1", "ACME-2", "ACME-3", "ACME-4", "ACME-5"]
        cursor = store.state("jira").cursor("work_requests")

        httpserver.clear()
        httpserver.expect_ordered_request(SEARCH).respond_with_json(
            page(["ACME-1", "ACME-2"], "tok-2"))
        httpserver.expect_ordered_request(SEARCH).respond_with_json(
            {"issues": [issue("ACME-3"), issue("ACME-4")], "isLast": False})
        with pytest.raises(MissingRecords):
            store.sync(connector(httpserver), full=True, prune=True)
        assert sorted(str(r.id) for r in store.records()) == stored
        assert store.state("jira").cursor("work_requests") == cursor
