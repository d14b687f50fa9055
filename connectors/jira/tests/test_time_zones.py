"""Which zone the incremental JQL is written in, and which day an issue was asked.

JQL reads ``updated >= "2026-05-20 11:00"`` in the time zone of the Jira profile of the
token's user. The connector wrote the cursor in the ``timezone`` option (default UTC): a
user in New York who left the default had a cursor of 15:00 UTC written "15:00", read by
Jira as 15:00 New York (19:00 UTC), and an issue updated at 17:00 UTC was never read, by
that sync or any later one (repro: /tmp/j1/repro.py, ACME-1 updated 17:00 UTC, ACME-2 at
20:30 UTC: only ACME-2 read, the cursor moved to 20:30). The connector now reads the
profile's ``timeZone`` (``GET /rest/api/3/myself``) once an incremental sync, and writes the
cursor in it; without it, 12 hours early (a re-read, never a loss).

The search server here is Jira as far as this goes: it reads the JQL's date in the profile's
zone and returns the issues updated at or after that moment.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from clientguard.connector import SyncState, pull
from clientguard.errors import AuthError, ConfigError
from clientguard.model import WorkRequest
from clientguard_jira import JiraConnector
from clientguard_jira.connector import FARTHEST_BEHIND_UTC

from .test_connector import EMAIL, MYSELF, SEARCH, TOKEN, connector, found, issue, profile

# The stored cursor; the sync reads from it less the one-minute look-back: 15:00 UTC.
CURSOR = datetime(2026, 5, 20, 15, 1, tzinfo=UTC)
UPDATED = {  # in UTC
    "ACME-1": "2026-05-20T14:30:00.000+0000",  # before the cursor: read only by a re-read
    "ACME-2": "2026-05-20T17:00:00.000+0000",  # the one a "15:00" read in New York missed
    "ACME-3": "2026-05-20T20:30:00.000+0000",
}


class ZonedSearch:
    """The enhanced search reading the JQL's ``updated >=`` date in ``zone`` (the profile's)."""

    def __init__(self, zone: str) -> None:
        self.zone = ZoneInfo(zone)
        self.queries: list[str] = []

    def __call__(self, request: Request) -> Response:
        jql = request.args["jql"]
        self.queries.append(jql)
        bound = re.search(r'updated >= "([^"]+)"', jql)
        since = (datetime.fromisoformat(bound.group(1)).replace(tzinfo=self.zone)
                 if bound else None)
        issues = [issue(key, updated=at) for key, at in UPDATED.items()
                  if since is None or datetime.fromisoformat(at) >= since]
        return Response(json.dumps(found(issues)), content_type="application/json")


def bound_of(jql: str) -> str:
    found_bound = re.search(r'updated >= "([^"]+)"', jql)
    assert found_bound is not None, jql
    return found_bound.group(1)


# (the profile's zone, the JQL bound written, the issues read). Worked by hand: 15:00 UTC is
# 11:00 in New York (EDT, UTC-4 in May), 00:00 next day in Tokyo (UTC+9), 05:00 next day on
# Kiritimati (UTC+14), 03:00 in Honolulu (UTC-10).
@pytest.mark.parametrize(("zone", "bound", "read"), [
    ("America/New_York", "2026-05-20 11:00", ["ACME-2", "ACME-3"]),   # behind UTC: was a loss
    ("Pacific/Honolulu", "2026-05-20 05:00", ["ACME-2", "ACME-3"]),   # behind UTC: was a loss
    ("Asia/Tokyo", "2026-05-21 00:00", ["ACME-2", "ACME-3"]),         # ahead: was a re-read
    ("Pacific/Kiritimati", "2026-05-21 05:00", ["ACME-2", "ACME-3"]),  # ahead by 14 hours
    ("UTC", "2026-05-20 15:00", ["ACME-2", "ACME-3"]),                # the control: unchanged
])
def test_the_cursor_is_written_in_the_zone_of_the_token_users_jira_profile(
    httpserver: HTTPServer, zone: str, bound: str, read: list[str]
) -> None:
    jira = ZonedSearch(zone)
    httpserver.expect_ordered_request(MYSELF).respond_with_json(profile(zone))
    httpserver.expect_ordered_request(SEARCH).respond_with_handler(jira)
    pulled = pull(connector(httpserver, []), SyncState({"work_requests": CURSOR}))
    httpserver.check_assertions()
    (query,) = jira.queries
    assert bound_of(query) == bound
    assert sorted(str(r.id) for r in pulled.records) == read
    assert pulled.notes == ()
    assert pulled.state.cursor("work_requests") == datetime(2026, 5, 20, 20, 30, tzinfo=UTC)


def test_one_profile_read_a_sync_and_none_for_a_first_read(httpserver: HTTPServer) -> None:
    """A first read has no cursor to write: it asks nothing of the profile."""
    jira = ZonedSearch("America/New_York")
    httpserver.expect_request(SEARCH).respond_with_handler(jira)
    pulled = pull(connector(httpserver, []))
    assert [r.path for r, _ in httpserver.log] == [SEARCH]
    assert sorted(str(r.id) for r in pulled.records) == ["ACME-1", "ACME-2", "ACME-3"]


# The profile cannot say: the cursor 15:00 UTC less 12 hours, 03:00, read in New York as
# 07:00 UTC (ACME-1 at 14:30 read again, ACME-2 not lost), with a note saying why.
@pytest.mark.parametrize(("answer", "said"), [
    (Response(json.dumps(profile(None)), content_type="application/json"),
     "names no time zone"),
    (Response(json.dumps(profile("")), content_type="application/json"),
     "names no time zone"),
    (Response(json.dumps(profile("GMT-4 Eastern")), content_type="application/json"),
     "names 'GMT-4 Eastern', which is not an IANA time zone"),
    (Response(json.dumps({"accountId": "5b10ac8d82e05b22"}), content_type="application/json"),
     "names no time zone"),
    (Response(json.dumps({"errorMessages": ["no"]}), status=404,
              content_type="application/json"), "could not be read (HTTP 404)"),
    (Response(json.dumps({"errorMessages": ["no"]}), status=403,
              content_type="application/json"), "could not be read (HTTP 403)"),
])
def test_without_the_profiles_zone_the_cursor_is_written_early_enough_for_any_zone(
    httpserver: HTTPServer, answer: Response, said: str
) -> None:
    jira = ZonedSearch("America/New_York")
    httpserver.expect_ordered_request(MYSELF).respond_with_response(answer)
    httpserver.expect_ordered_request(SEARCH).respond_with_handler(jira)
    pulled = pull(connector(httpserver, []), SyncState({"work_requests": CURSOR}))
    httpserver.check_assertions()
    (query,) = jira.queries
    assert bound_of(query) == "2026-05-20 03:00"
    assert sorted(str(r.id) for r in pulled.records) == ["ACME-1", "ACME-2", "ACME-3"]
    (note,) = pulled.notes
    assert note.startswith("work_requests: Jira's profile of the token's user")
    assert said in note
    assert "UTC less 12 hours" in note
    for secret in (TOKEN, EMAIL, "5b10ac8d82e05b22"):
        assert secret not in note


def test_a_refused_profile_read_says_what_to_do_and_shows_no_secret(
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request(MYSELF).respond_with_json(
        {"errorMessages": ["Client must be authenticated"]}, status=401)
    with pytest.raises(AuthError) as caught:
        pull(connector(httpserver, []), SyncState({"work_requests": CURSOR}))
    message = str(caught.value)
    assert "Jira refused the credentials" in message
    assert "api_token" in message
    assert TOKEN not in message
    assert EMAIL not in message


def test_the_profile_wins_over_the_option_for_jql_and_a_note_names_both(
    httpserver: HTTPServer,
) -> None:
    """``timezone`` is the firm's day; Jira reads JQL in the profile's zone, whatever it says."""
    jira = ZonedSearch("America/New_York")
    httpserver.expect_ordered_request(MYSELF).respond_with_json(profile("America/New_York"))
    httpserver.expect_ordered_request(SEARCH).respond_with_handler(jira)
    conn = connector(httpserver, [], timezone="Europe/Warsaw")
    pulled = pull(conn, SyncState({"work_requests": CURSOR}))
    (query,) = jira.queries
    assert bound_of(query) == "2026-05-20 11:00"
    assert sorted(str(r.id) for r in pulled.records) == ["ACME-2", "ACME-3"]
    (note,) = pulled.notes
    assert "America/New_York" in note
    assert "Europe/Warsaw" in note


# created 23:30 on 4 May in New York (EDT, -04:00) is 03:30 UTC on 5 May, 05:30 in Warsaw
# (CEST) on 5 May, 20:30 in Los Angeles (PDT) on 4 May; due 6 May.
@pytest.mark.parametrize(("option", "asked"), [
    (None, date(2026, 5, 4)),                   # the offset Jira wrote: unchanged
    ("America/New_York", date(2026, 5, 4)),
    ("UTC", date(2026, 5, 5)),
    ("Europe/Warsaw", date(2026, 5, 5)),        # the option was ignored: 4 May
    ("America/Los_Angeles", date(2026, 5, 4)),
])
def test_the_day_an_issue_was_asked_is_in_the_firms_zone_the_same_in_every_read(
    httpserver: HTTPServer, option: str | None, asked: date
) -> None:
    created = "2026-05-04T23:30:00.000-0400"
    body = found([issue("ACME-1", created=created, updated=created, due="2026-05-06")])
    # A full read, then an incremental one whose profile says Tokyo: the same day in both.
    httpserver.expect_ordered_request(SEARCH).respond_with_json(body)
    httpserver.expect_ordered_request(MYSELF).respond_with_json(profile("Asia/Tokyo"))
    httpserver.expect_ordered_request(SEARCH).respond_with_json(body)
    options: dict[str, Any] = {} if option is None else {"timezone": option}
    full = pull(connector(httpserver, [], **options))
    again = pull(connector(httpserver, [], **options), SyncState({"work_requests": CURSOR}))
    httpserver.check_assertions()
    for pulled in (full, again):
        (request,) = [r for r in pulled.records if isinstance(r, WorkRequest)]
        assert (request.requested_on, request.wanted_by) == (asked, date(2026, 5, 6))


def test_a_timezone_that_is_no_iana_zone_is_refused_when_the_connector_is_made() -> None:
    with pytest.raises(ConfigError, match="not an IANA time zone"):
        JiraConnector(site="acme.atlassian.net", email=EMAIL, api_token=TOKEN,
                      clients=[{"customer": "books:c-acme", "project": "ACME"}],
                      timezone="Eastern")


ZONES = sorted(z for z in available_timezones() if not z.startswith(("posix/", "right/")))


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    since=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2037, 12, 31),
                       timezones=st.just(UTC)),
)
def test_the_early_cursor_names_no_moment_after_the_cursor_in_any_zone(
    zone: str, since: datetime
) -> None:
    """Without the profile's zone, whatever zone Jira reads the text in, it names a moment
    at or before the cursor (so nothing updated after the cursor is missed), and no more than
    12 + 14 hours and a minute before it (UTC+14, Kiritimati)."""
    conn = JiraConnector(site="acme.atlassian.net", email=EMAIL, api_token=TOKEN,
                         clients=[{"customer": "books:c-acme", "project": "ACME"}])
    text = bound_of(conn.jql(since))
    read_as = datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))
    # A wall time a DST change skips or repeats has two readings (fold 0 and 1): both hold.
    for fold in (0, 1):
        moment = read_as.replace(fold=fold).astimezone(UTC)
        assert moment <= since
        assert moment >= since - FARTHEST_BEHIND_UTC - timedelta(hours=14, minutes=1)


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    since=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2037, 12, 31),
                       timezones=st.just(UTC)),
)
def test_the_cursor_in_the_profiles_zone_names_no_moment_after_it(
    zone: str, since: datetime
) -> None:
    """In the profile's zone the text names the cursor floored to its minute, or, in the
    hour a change of daylight saving time repeats (01:30 on a November Sunday in New York
    is 05:30 and 06:30 UTC), a time early enough that both readings are at or before it:
    Jira may take either, and taking the later would skip up to an hour of issues."""
    conn = JiraConnector(site="acme.atlassian.net", email=EMAIL, api_token=TOKEN,
                         clients=[{"customer": "books:c-acme", "project": "ACME"}])
    conn.jql_zone = ZoneInfo(zone)
    read_as = datetime.fromisoformat(bound_of(conn.jql(since))).replace(tzinfo=ZoneInfo(zone))
    readings = [read_as.replace(fold=fold).astimezone(UTC) for fold in (0, 1)]
    assert max(readings) <= since
    # At most the minute's floor, or the repeated hour (two hours where a zone repeats two).
    assert min(readings) > since - timedelta(hours=4)


@pytest.mark.parametrize(("since", "bound"), [
    # New York falls back at 06:00 UTC on 1 Nov 2026 (02:00 EDT -> 01:00 EST). 05:30 UTC is
    # 01:30 EDT, the first of two 01:30s; the second is 06:30 UTC, after the cursor: the text
    # moves back an hour, to 00:30 (04:30 UTC, EDT; no other reading).
    (datetime(2026, 11, 1, 5, 30, tzinfo=UTC), "2026-11-01 00:30"),
    # 06:30 UTC is 01:30 EST, the second 01:30: both readings (05:30, 06:30) are at or before.
    (datetime(2026, 11, 1, 6, 30, tzinfo=UTC), "2026-11-01 01:30"),
    # The spring change skips 02:00-03:00 EDT on 8 Mar 2026: 07:30 UTC is 03:30 EDT.
    (datetime(2026, 3, 8, 7, 30, tzinfo=UTC), "2026-03-08 03:30"),
])
def test_a_cursor_in_the_hour_a_dst_change_repeats_is_written_an_hour_early(
    since: datetime, bound: str
) -> None:
    conn = JiraConnector(site="acme.atlassian.net", email=EMAIL, api_token=TOKEN,
                         clients=[{"customer": "books:c-acme", "project": "ACME"}])
    conn.jql_zone = ZoneInfo("America/New_York")
    assert bound_of(conn.jql(since)) == bound
