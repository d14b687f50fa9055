"""The Jira Cloud connector over real HTTP (pytest-httpserver), with responses in the shape
of Jira's REST API v3 issue search (``GET /rest/api/3/search/jql``: ``issues``,
``nextPageToken``, ``isLast``; the older ``GET /rest/api/3/search``: ``startAt``, ``total``):
paging, the incremental JQL, client rules (matched, unmatched, contradictory), 401/429/500,
no secret in any message, and a store sync beside the books that a review turns into a rush
finding."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from clientguard.connector import Connector, Mapped, RawPage, RawRecord, Stream, SyncState, pull
from clientguard.errors import ApiError, AuthError, ConfigError
from clientguard.findings import Signal
from clientguard.model import AnyRecord, WorkRequest
from clientguard.records import Location
from clientguard.review import review
from clientguard.store import Store
from clientguard.testing import customer, invoice
from clientguard_jira import JiraConnector

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
TOKEN = "jira-TOKEN-never-shown-42"
EMAIL = "ops@example.com"
SEARCH = "/rest/api/3/search/jql"
MYSELF = "/rest/api/3/myself"
RULES = [
    {"customer": "books:c-acme", "project": "ACME"},
    {"customer": "books:c-beta", "component": "Beta portal"},
    {"customer": "books:c-gamma", "field": "customfield_10042", "value": "Gamma"},
]
Waits = list[float]


@pytest.fixture
def waits() -> Waits:
    return []


def connector(server: HTTPServer, waits: Waits, **options: Any) -> JiraConnector:
    options.setdefault("clients", RULES)
    return JiraConnector(
        site="acme.atlassian.net", email=EMAIL, api_token=TOKEN,
        base_url=server.url_for("/"), clock=lambda: NOW, sleep=waits.append, page_size=2,
        **options,
    )


def issue(key: str, *, project: str = "ACME", created: str = "2026-05-04T10:15:30.123+0200",
          due: str | None = "2026-05-06", updated: str = "2026-05-04T10:15:30.123+0200",
          **fields: Any) -> dict[str, Any]:
    """An issue as the search returns it with ``fields`` asked for."""
    number = key.split("-")[1]
    body: dict[str, Any] = {
        "expand": "renderedFields,names,schema,operations,editmeta,changelog",
        "id": f"100{number}",
        "self": f"https://acme.atlassian.net/rest/api/3/issue/100{number}",
        "key": key,
        "fields": {
            "created": created,
            "updated": updated,
            "duedate": due,
            "project": {"self": "https://acme.atlassian.net/rest/api/3/project/10000",
                        "id": "10000", "key": project, "name": f"{project} project",
                        "projectTypeKey": "software"},
            "components": [],
            "labels": [],
            **fields,
        },
    }
    return body


def profile(zone: str | None = "UTC") -> dict[str, Any]:
    """``GET /rest/api/3/myself`` as Jira Cloud answers it: the token user, whose
    ``timeZone`` (an IANA name, null when the user's privacy settings hide it) is the zone
    JQL reads dates in."""
    return {"self": "https://acme.atlassian.net/rest/api/3/user?accountId=5b10ac8d82e05b22",
            "accountId": "5b10ac8d82e05b22", "accountType": "atlassian",
            "emailAddress": EMAIL, "displayName": "Ops", "active": True, "timeZone": zone,
            "locale": "en_US"}


def found(issues: list[dict[str, Any]], token: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"issues": issues, "isLast": token is None}
    if token is not None:
        body["nextPageToken"] = token
    return body


def test_issues_are_paged_by_next_page_token_and_mapped_by_the_rules(
    httpserver: HTTPServer, waits: Waits
) -> None:
    httpserver.expect_ordered_request(SEARCH).respond_with_json(found(
        [issue("ACME-1"), issue("ACME-2", due=None)], token="tok-2"))
    httpserver.expect_ordered_request(SEARCH).respond_with_json(found(
        [issue("OPS-3", project="OPS", updated="2026-05-09T08:00:00.000+0000"),
         issue("OPS-4", project="OPS",
               components=[{"id": "1", "name": "beta portal"}])]))
    pulled = pull(connector(httpserver, waits))
    httpserver.check_assertions()

    requests = [dict(r.args) for r, _ in httpserver.log]
    assert [r.get("nextPageToken") for r in requests] == [None, "tok-2"]
    assert all(r["maxResults"] == "2" for r in requests)
    assert requests[0]["jql"] == 'created >= "1970-01-01" ORDER BY created ASC, key ASC'
    assert requests[0]["fields"] == (
        "created,updated,duedate,project,components,labels,resolution,customfield_10042")
    for request, _ in httpserver.log:
        basic = base64.b64encode(f"{EMAIL}:{TOKEN}".encode()).decode()
        assert request.headers["Authorization"] == f"Basic {basic}"

    got = {r.id: r for r in pulled.records if isinstance(r, WorkRequest)}
    assert set(got) == {"ACME-1", "OPS-4"}
    acme = got["ACME-1"]
    # Created on 4 May (in its own +02:00), wanted on 6 May: a lead time of two days.
    assert (acme.customer_source, acme.customer_id) == ("books", "c-acme")
    assert (acme.requested_on, acme.wanted_by) == (date(2026, 5, 4), date(2026, 5, 6))
    assert (got["OPS-4"].customer_source, got["OPS-4"].customer_id) == ("books", "c-beta")
    # Unmatched and dateless issues are counted by reason, never guessed.
    assert pulled.skipped == {"work_requests": {
        "no rule maps it to a client (project OPS)": 1, "no wanted date (duedate)": 1}}
    assert pulled.state.cursor("work_requests") == datetime(2026, 5, 9, 8, 0, tzinfo=UTC)
    assert waits == []


def test_an_incremental_read_asks_jql_for_issues_updated_since_the_cursor(
    httpserver: HTTPServer, waits: Waits
) -> None:
    httpserver.expect_ordered_request(MYSELF).respond_with_json(profile("Europe/Warsaw"))
    httpserver.expect_ordered_request(SEARCH).respond_with_json(found(
        [issue("ACME-7", updated="2026-05-21T09:00:00.000+0200")]))
    cursor = datetime(2026, 5, 20, 8, 0, 30, tzinfo=UTC)
    conn = connector(httpserver, waits, jql="type = Task")
    pulled = pull(conn, SyncState({"work_requests": cursor}))
    httpserver.check_assertions()
    (_, _), (request, _) = httpserver.log
    # The cursor less the one-minute look-back is 07:59:30 UTC: 09:59 in Warsaw (CEST),
    # floored to the minute JQL reads.
    assert request.args["jql"] == (
        '(type = Task) AND updated >= "2026-05-20 09:59" ORDER BY created ASC, key ASC')
    assert pulled.state.cursor("work_requests") == datetime(2026, 5, 21, 7, 0, tzinfo=UTC)


def test_the_older_search_pages_by_start_at_until_total(
    httpserver: HTTPServer, waits: Waits
) -> None:
    legacy = "/rest/api/3/search"
    httpserver.expect_ordered_request(legacy, query_string={
        "jql": 'created >= "1970-01-01" ORDER BY key ASC',
        "fields": "created,updated,duedate,project,components,labels,resolution,"
                  "customfield_10042",
        "startAt": "0", "maxResults": "2"}).respond_with_json(
        {"startAt": 0, "maxResults": 2, "total": 3, "issues": [issue("ACME-1"), issue("ACME-2")]})
    httpserver.expect_ordered_request(legacy, query_string={
        "jql": 'created >= "1970-01-01" ORDER BY key ASC',
        "fields": "created,updated,duedate,project,components,labels,resolution,"
                  "customfield_10042",
        # Page 2 from the last issue read (ACME-2, startAt 1), one more: it begins with it.
        "startAt": "1", "maxResults": "3"}).respond_with_json(
        {"startAt": 1, "maxResults": 3, "total": 3,
         "issues": [issue("ACME-2"), issue("ACME-3")]})
    pulled = pull(connector(httpserver, waits, legacy_search=True))
    httpserver.check_assertions()
    assert [r.id for r in pulled.records] == ["ACME-1", "ACME-2", "ACME-3"]


def test_rate_limits_and_server_errors_are_waited_out(
    httpserver: HTTPServer, waits: Waits
) -> None:
    httpserver.expect_ordered_request(SEARCH).respond_with_data(
        "", status=429, headers={"Retry-After": "9"})
    httpserver.expect_ordered_request(SEARCH).respond_with_json(
        {"errorMessages": ["Internal server error"]}, status=500)
    httpserver.expect_ordered_request(SEARCH).respond_with_json(found([issue("ACME-1")]))
    pulled = pull(connector(httpserver, waits))
    httpserver.check_assertions()
    assert [r.id for r in pulled.records] == ["ACME-1"]
    assert waits[0] == 9.0
    assert len(waits) == 2  # then one backoff after the 500


def test_a_refused_token_says_what_to_do_and_shows_no_secret(
    httpserver: HTTPServer, waits: Waits
) -> None:
    basic = base64.b64encode(f"{EMAIL}:{TOKEN}".encode()).decode()
    httpserver.expect_request(SEARCH).respond_with_json(
        {"errorMessages": [f"Client must be authenticated: {TOKEN} / {basic} / {EMAIL}"]},
        status=401)
    with pytest.raises(AuthError) as caught:
        pull(connector(httpserver, waits))
    message = str(caught.value)
    assert "API tokens" in message
    for secret in (TOKEN, basic, EMAIL):
        assert secret not in message
    assert TOKEN not in repr(connector(httpserver, waits))


# Jira Cloud answers every call with Atl-Traceid, the id Atlassian Support asks for to trace a
# request through its services (support.atlassian.com KB "Identify and share Atl-Traceid with
# Atlassian support"), and X-AREQUESTID, Jira's own request id (the one Jira Data Center logs
# too). Values in the shape Jira writes them (a 32-digit hex trace id; "<minutes>x<n>x<node>").
@pytest.mark.parametrize(
    ("headers", "request_id"),
    [
        ({"Atl-Traceid": "5c1f0a9e3b2d4c6f8a7b9e0d1c2f3a4b", "X-AREQUESTID": "63x2784x1"},
         "5c1f0a9e3b2d4c6f8a7b9e0d1c2f3a4b"),
        ({"X-AREQUESTID": "63x2784x1"}, "63x2784x1"),  # a proxy that drops the trace id
    ],
)
def test_a_jira_error_names_the_request_id_for_atlassian_support(
    httpserver: HTTPServer, waits: Waits, headers: dict[str, str], request_id: str
) -> None:
    httpserver.expect_request(SEARCH).respond_with_json(
        {"errorMessages": ["The value 'NOPE' does not exist for the field 'project'."]},
        status=400, headers=headers)
    with pytest.raises(ApiError) as caught:
        pull(connector(httpserver, waits))
    assert caught.value.request_id == request_id
    assert f"request id {request_id}" in str(caught.value)


@pytest.mark.parametrize(
    ("fields", "customer"),
    [
        ({"project": {"key": "acme"}}, "c-acme"),  # a project key in any case
        ({"project": {"key": "OPS"}, "components": [{"name": "Beta portal"}]}, "c-beta"),
        ({"project": {"key": "OPS"}, "customfield_10042": {"value": "Gamma", "id": "1"}},
         "c-gamma"),  # a select list's option
        ({"project": {"key": "OPS"}, "customfield_10042": [{"value": "x"}, {"value": "Gamma"}]},
         "c-gamma"),  # one option of a multi-select
        ({"project": {"key": "OPS"}, "customfield_10042": "Gamma"}, "c-gamma"),  # a text field
        ({"project": {"key": "OPS"}, "customfield_10042": "Gamma Media"}, None),  # not fuzzy
        ({"project": {"key": "OPS"}, "labels": ["acme"]}, None),
    ],
)
def test_rules_match_what_the_issue_has(
    httpserver: HTTPServer, waits: Waits, fields: dict[str, Any], customer: str | None
) -> None:
    conn = connector(httpserver, waits)
    raw = {"key": "OPS-1", "fields": {"created": "2026-05-04T10:00:00.000+0000",
                                      "duedate": "2026-05-05", **fields}}
    mapped = conn.to_model(conn.streams[0], raw)
    if customer is None:
        assert not isinstance(mapped, WorkRequest)
    else:
        assert isinstance(mapped, WorkRequest)
        assert mapped.customer_id == customer


def test_a_label_and_a_project_together_must_both_hold(
    httpserver: HTTPServer, waits: Waits
) -> None:
    rules = [{"customer": "books:c-acme", "project": "ACME", "label": "client-work"}]
    conn = connector(httpserver, waits, clients=rules)
    base: dict[str, Any] = {"key": "ACME-1",
                            "fields": {"created": "2026-05-04T10:00:00.000+0000",
                                       "duedate": "2026-05-05", "project": {"key": "ACME"}}}
    assert not isinstance(conn.to_model(conn.streams[0], base), WorkRequest)
    labelled = {**base, "fields": {**base["fields"], "labels": ["client-work"]}}
    assert isinstance(conn.to_model(conn.streams[0], labelled), WorkRequest)


def test_rules_of_two_clients_matching_one_issue_reject_it_naming_both(
    httpserver: HTTPServer, waits: Waits
) -> None:
    httpserver.expect_request(SEARCH).respond_with_json(found([
        issue("ACME-1", components=[{"name": "Beta portal"}])]))
    pulled = pull(connector(httpserver, waits))
    assert pulled.records == ()
    (rejected,) = pulled.rejected
    # Named by the issue's key, what a person looks up in Jira and the id its request is
    # stored under (read again fixed, the request replaces the rejection).
    assert rejected.record_id == "ACME-1"
    assert isinstance(rejected.record, Mapping)
    assert rejected.record["id"] == "1001"
    assert "books:c-acme, books:c-beta" in rejected.reason


@pytest.mark.parametrize(
    ("rule", "said"),
    [
        ({"customer": "books:c-1"}, "a rule needs a condition"),
        ({"customer": "books:c-1", "field": "customfield_1"}, "field and value go together"),
        ({"customer": "c-1", "project": "ACME"}, 'write "source:id"'),
        ({"customer": "books:c-1", "projekt": "ACME"}, "projekt"),
    ],
)
def test_a_bad_rule_is_refused_when_the_connector_is_made(
    httpserver: HTTPServer, waits: Waits, rule: dict[str, str], said: str
) -> None:
    with pytest.raises(ConfigError, match=said):
        connector(httpserver, waits, clients=[rule])


class Books(Connector):
    """Customers and invoices from the test builders, as the books' source of a store."""

    name: ClassVar[str] = "books"
    streams: ClassVar[tuple[Stream, ...]] = (Stream(name="records", kind="invoice", id_field="id"),)
    records: ClassVar[list[AnyRecord]] = [
        customer("c-acme", "ACME Sp. z o.o.", source="books"),
        customer("c-beta", "Beta Media S.A.", source="books"),
        invoice("c-acme", issued="2026-04-01", total="1000", source="books"),
        invoice("c-beta", issued="2026-04-01", total="9000", source="books"),
    ]

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        yield RawPage(tuple(RawRecord({"i": i}, Location(detail=f"record {i}"))
                            for i in range(len(self.records))), last=True)

    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        index: int = raw["i"]  # the record's place in records, as fetch gave it
        return self.records[index]


def test_a_store_sync_beside_the_books_feeds_the_rush_finding(
    httpserver: HTTPServer, waits: Waits, tmp_path: Path
) -> None:
    # Acme asks five times; three are wanted within a day (lead <= rush_lead_days, 2):
    # 60% rush work, over the policy's 30% with the 5 requests it needs.
    leads = {"ACME-1": "2026-05-05", "ACME-2": "2026-05-04", "ACME-3": "2026-05-06",
             "ACME-4": "2026-05-20", "ACME-5": "2026-05-30"}
    httpserver.expect_request(SEARCH).respond_with_json(found(
        [issue(key, created="2026-05-04T09:00:00.000+0200", due=due)
         for key, due in leads.items()]))
    with Store.open(tmp_path / "s.db") as store:
        store.sync(Books(), source="books")
        store.sync(connector(httpserver, waits))
        ledger = store.load(base_currency="EUR", strict=False)
    assert {w.customer_id for w in ledger.work_requests} == {"books:c-acme"}
    result = review(ledger, as_of=date(2026, 5, 31))
    rush = {f.metric: f for f in result.findings()
            if f.signal == Signal.RUSH and f.customer_id == "books:c-acme"}
    assert rush["rush_share"].value == Decimal("0.6")


class OlderSearch:
    """Jira's older search, honouring the JQL's ``updated >=`` and ``ORDER BY``, paged by
    ``startAt``, where ACME-1's due date is edited right after the first page was served."""

    def __init__(self) -> None:
        self.issues = {n: (f"2026-05-0{n}T10:00:00.000+0000", "2026-05-20") for n in range(1, 7)}
        self.queries: list[str] = []
        self.edited = False

    def __call__(self, request: Request) -> Response:
        jql = request.args["jql"]
        self.queries.append(jql)
        bound = re.search(r'updated >= "([^"]+)"', jql)
        since = datetime.fromisoformat(bound.group(1)).replace(tzinfo=UTC) if bound else None
        rows = [(n, *v) for n, v in self.issues.items()
                if since is None or datetime.fromisoformat(v[0]) >= since]
        if "ORDER BY updated" in jql:
            rows.sort(key=lambda row: (row[1], row[0]))
        else:
            assert jql.endswith("ORDER BY key ASC")
            rows.sort(key=lambda row: row[0])
        start, size = int(request.args["startAt"]), int(request.args["maxResults"])
        chunk = rows[start:start + size]
        body = {"startAt": start, "maxResults": size, "total": len(rows),
                "issues": [issue(f"ACME-{n}", updated=at, due=due) for n, at, due in chunk]}
        if not self.edited:
            self.edited = True
            self.issues[1] = ("2026-06-01T12:01:00.000+0000", "2026-06-30")
        return Response(json.dumps(body), content_type="application/json")


def test_the_older_search_never_skips_an_issue_edited_between_two_pages(
    httpserver: HTTPServer, waits: Waits
) -> None:
    jira = OlderSearch()
    httpserver.expect_request("/rest/api/3/search").respond_with_handler(jira)
    httpserver.expect_request(MYSELF).respond_with_json(profile("UTC"))
    conn = connector(httpserver, waits, legacy_search=True)
    pages = list(conn.sync(SyncState()))
    first = {r.id for p in pages for r in p.records}
    assert first == {f"ACME-{n}" for n in range(1, 7)}
    # Key order is not change order: the cursor moves only with the last page, and not past
    # the edit made after the sync started.
    assert [p.cursor for p in pages[:-1]] == [None] * (len(pages) - 1)
    state = SyncState().after(pages[-1])
    assert state.cursor("work_requests") == datetime(2026, 5, 6, 10, tzinfo=UTC)
    second = pull(connector(httpserver, waits, legacy_search=True), state)
    wanted = {r.id: r.wanted_by for r in second.records if isinstance(r, WorkRequest)}
    assert wanted["ACME-1"] == date(2026, 6, 30)
    assert all(q.endswith("ORDER BY key ASC") for q in jira.queries)


def test_the_older_search_fails_on_an_empty_page_before_its_total(
    httpserver: HTTPServer, waits: Waits
) -> None:
    legacy = "/rest/api/3/search"
    httpserver.expect_ordered_request(legacy).respond_with_json(
        {"startAt": 0, "maxResults": 2, "total": 5, "issues": [issue("ACME-1"), issue("ACME-2")]})
    # Page 2 is asked from ACME-2, the last issue read (startAt 1).
    httpserver.expect_ordered_request(legacy).respond_with_json(
        {"startAt": 1, "maxResults": 3, "total": 5, "issues": []})
    with pytest.raises(ApiError) as caught:
        pull(connector(httpserver, waits, legacy_search=True))
    httpserver.check_assertions()
    message = str(caught.value)
    assert "the API answered page 2 of work_requests without its records" in message
    assert "an empty list at startAt 1, though Jira counts 5 issues" in message
    assert TOKEN not in message


@pytest.mark.parametrize(
    ("empty", "fails"),
    [
        # Jira names a next page (nextPageToken, isLast false): the empty page's issues were
        # lost on the way; ending there would take the search for complete.
        pytest.param(found([], token="tok-3"), True, id="empty page naming a next one"),
        # The last page may be empty (isLast true, no token): the read ends as before.
        pytest.param(found([]), False, id="empty last page"),
    ],
)
def test_an_empty_page_that_names_a_next_one_stops_the_read(
    httpserver: HTTPServer, waits: Waits, empty: dict[str, Any], fails: bool
) -> None:
    httpserver.expect_ordered_request(SEARCH).respond_with_json(
        found([issue("ACME-1"), issue("ACME-2")], token="tok-2"))
    httpserver.expect_ordered_request(SEARCH).respond_with_json(empty)
    conn = connector(httpserver, waits)
    if not fails:
        pulled = pull(conn)
        assert sorted(str(r.id) for r in pulled.records) == ["ACME-1", "ACME-2"]
        return
    with pytest.raises(ApiError) as caught:
        pull(conn)
    httpserver.check_assertions()  # the page tok-3 names was never asked for
    message = str(caught.value)
    assert "the API answered page 2 of work_requests without its records" in message
    assert "no issues, though Jira names a next page (nextPageToken, isLast not true); try " \
        "again" in message
    assert TOKEN not in message


def test_a_full_prune_over_an_empty_page_naming_a_next_one_deletes_nothing(
    httpserver: HTTPServer, waits: Waits, tmp_path: Path
) -> None:
    # A healthy read stores five issues; a full read whose page 2 comes empty though Jira
    # names a page 3 used to end as complete and prune ACME-3 and ACME-4 (2 of 5).
    def pages(second: list[dict[str, Any]]) -> None:
        httpserver.expect_ordered_request(SEARCH).respond_with_json(
            found([issue("ACME-1"), issue("ACME-2")], token="tok-2"))
        httpserver.expect_ordered_request(SEARCH).respond_with_json(found(second, token="tok-3"))
        httpserver.expect_ordered_request(SEARCH).respond_with_json(found([issue("ACME-5")]))

    pages([issue("ACME-3"), issue("ACME-4")])
    with Store.open(tmp_path / "store.db") as store:
        store.sync(connector(httpserver, waits))
        before = sorted(str(r.id) for r in store.records())
        assert before == ["ACME-1", "ACME-2", "ACME-3", "ACME-4", "ACME-5"]
        httpserver.clear()
        pages([])
        with pytest.raises(ApiError, match="without its records"):
            store.sync(connector(httpserver, waits), full=True, prune=True)
        assert sorted(str(r.id) for r in store.records()) == before
