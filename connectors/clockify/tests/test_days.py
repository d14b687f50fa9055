"""The day a Clockify entry counts on: its ``timeInterval.start`` (UTC, as the API gives it) in
the ``timezone`` option's zone, else in the time zone of the key owner's Clockify profile
(``GET /user``'s ``settings.timeZone``, an IANA name such as ``America/Buenos_Aires``), else
UTC with a note. Served over real HTTP (pytest-httpserver).

Expected days worked out by hand from the zones' rules (IANA tz database):

* Europe/Warsaw is UTC+1 (CET) in winter and UTC+2 (CEST) in summer; in 2026 summer time
  starts on Sunday 29 March at 01:00 UTC and ends on Sunday 25 October at 01:00 UTC (the
  last Sundays of March and October).
* America/Los_Angeles is UTC-7 (PDT) in August 2026.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from clientguard.connector import pull
from clientguard.errors import ConfigError
from clientguard.model import TimeEntry
from clientguard_clockify import ClockifyConnector

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
KEY = "ck-KEY-days-never-shown-88"
WORKSPACE = "64a1f0c0ffee0000days0001"
ME = "/v1/user"
USERS = f"/v1/workspaces/{WORKSPACE}/users"
ENTRIES = f"/v1/workspaces/{WORKSPACE}/user/u1/time-entries"
ABSENT = object()
"""A profile without ``settings.timeZone``."""


def entry(ident: int, start: str) -> dict[str, Any]:
    """A hydrated entry of half an hour from ``start`` (``...T22:30:00Z``)."""
    end = start.replace(":30:00Z", ":59:00Z")
    return {"id": f"e{ident}", "billable": True, "userId": "u1", "workspaceId": WORKSPACE,
            "project": {"id": "p1", "clientName": "Acme Ltd"},
            "timeInterval": {"start": start, "end": end, "duration": "PT29M"}}


def profile(zone: object) -> dict[str, Any]:
    settings: dict[str, Any] = {"weekStart": "MONDAY", "timeFormat": "HOUR24"}
    if zone is not ABSENT:
        settings["timeZone"] = zone
    return {"id": "u1", "name": "Ann Lee", "activeWorkspace": WORKSPACE,
            "defaultWorkspace": WORKSPACE, "settings": settings}


def serve(server: HTTPServer, starts: list[str], *, profile_zone: object | None) -> None:
    """The key owner (when ``profile_zone`` is not None), one user, and one page of entries."""
    if profile_zone is not None:
        server.expect_ordered_request(ME, headers={"X-Api-Key": KEY}).respond_with_json(
            profile(profile_zone))
    server.expect_ordered_request(USERS).respond_with_json([{"id": "u1", "name": "Ann Lee"}])
    server.expect_ordered_request(ENTRIES).respond_with_json(
        [entry(i, start) for i, start in enumerate(starts, 1)])


def days(records: Any) -> list[date]:
    return [r.date for r in records if isinstance(r, TimeEntry)]


# An entry every 30 minutes either side of midnight in the zone that counts.
WARSAW_SUMMER = ["2026-07-31T21:30:00Z", "2026-07-31T22:30:00Z"]  # 23:30 31 Jul, 00:30 1 Aug
WARSAW_SPRING = [
    "2026-03-28T22:30:00Z",  # 23:30 CET, Saturday 28 March
    "2026-03-28T23:30:00Z",  # 00:30 CET, Sunday 29 March (summer time starts at 02:00)
    "2026-03-29T21:30:00Z",  # 23:30 CEST, Sunday 29 March
    "2026-03-29T22:30:00Z",  # 00:30 CEST, Monday 30 March
]
WARSAW_AUTUMN = [
    "2026-10-24T21:30:00Z",  # 23:30 CEST, Saturday 24 October
    "2026-10-24T22:30:00Z",  # 00:30 CEST, Sunday 25 October (summer time ends at 03:00)
    "2026-10-25T22:30:00Z",  # 23:30 CET, Sunday 25 October
    "2026-10-25T23:30:00Z",  # 00:30 CET, Monday 26 October
]
LOS_ANGELES = ["2026-08-01T06:30:00Z", "2026-08-01T07:30:00Z"]  # 23:30 31 Jul, 00:30 1 Aug


@pytest.mark.parametrize(
    ("profile_zone", "option", "starts", "expected"),
    [
        pytest.param("Europe/Warsaw", None, WARSAW_SUMMER,
                     [date(2026, 7, 31), date(2026, 8, 1)], id="Warsaw, summer midnight"),
        pytest.param("Europe/Warsaw", None, WARSAW_SPRING,
                     [date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 29),
                      date(2026, 3, 30)], id="Warsaw, summer time starts"),
        pytest.param("Europe/Warsaw", None, WARSAW_AUTUMN,
                     [date(2026, 10, 24), date(2026, 10, 25), date(2026, 10, 25),
                      date(2026, 10, 26)], id="Warsaw, summer time ends"),
        pytest.param("America/Los_Angeles", None, LOS_ANGELES,
                     [date(2026, 7, 31), date(2026, 8, 1)], id="Los Angeles"),
        # The option wins over the profile (and the profile is then not read at all).
        pytest.param(None, "America/Los_Angeles", WARSAW_SUMMER,
                     [date(2026, 7, 31), date(2026, 7, 31)], id="option over profile"),
        pytest.param(None, "UTC", WARSAW_SUMMER,
                     [date(2026, 7, 31), date(2026, 7, 31)], id="option UTC"),
    ],
)
def test_an_entry_counts_on_the_day_it_started_in_the_accounts_zone(
    httpserver: HTTPServer, profile_zone: str | None, option: str | None,
    starts: list[str], expected: list[date],
) -> None:
    serve(httpserver, starts, profile_zone=profile_zone)
    conn = ClockifyConnector(api_key=KEY, workspace_id=WORKSPACE,
                             base_url=httpserver.url_for("/v1"), clock=lambda: NOW,
                             sleep=lambda seconds: None,
                             **({} if option is None else {"timezone": option}))
    pulled = pull(conn)
    httpserver.check_assertions()
    assert days(pulled.records) == expected
    assert pulled.notes == ()
    reads_of_me = [req.path for req, _ in httpserver.log].count(ME)
    assert reads_of_me == (0 if option else 1)


@pytest.mark.parametrize(
    ("profile_zone", "said"),
    [
        pytest.param(ABSENT, "names no time zone", id="absent"),
        pytest.param(None, "names no time zone", id="null"),
        pytest.param("Mars/Olympus_Mons", "names 'Mars/Olympus_Mons', which is not an IANA "
                     "time zone", id="not a zone"),
        pytest.param("localtime", "names 'localtime', which is not an IANA time zone",
                     id="the reading machine's zone"),
        pytest.param("GMT+01:00", "names 'GMT+01:00', which is not an IANA time zone",
                     id="an offset, not a zone"),
    ],
)
def test_a_profile_without_a_valid_zone_counts_days_in_utc_and_says_so(
    httpserver: HTTPServer, profile_zone: object, said: str
) -> None:
    # Without workspace_id: one GET /user gives both the workspace and the (missing) zone.
    httpserver.expect_ordered_request(ME).respond_with_json(profile(profile_zone))
    serve(httpserver, WARSAW_SUMMER, profile_zone=None)
    conn = ClockifyConnector(api_key=KEY, base_url=httpserver.url_for("/v1"),
                             clock=lambda: NOW, sleep=lambda seconds: None)
    pulled = pull(conn)
    httpserver.check_assertions()
    assert days(pulled.records) == [date(2026, 7, 31), date(2026, 7, 31)]
    (note,) = pulled.notes
    assert note.startswith("time_entries: days counted in UTC: the Clockify profile")
    assert said in note
    assert "timezone = \"Europe/Warsaw\"" in note
    for secret in (KEY, WORKSPACE):
        assert secret not in note


def test_a_full_read_from_a_day_starts_at_its_midnight_in_the_profiles_zone(
    httpserver: HTTPServer,
) -> None:
    # from_date 1 August in Warsaw (UTC+2 in summer) starts at 22:00 UTC on 31 July.
    httpserver.expect_ordered_request(ME).respond_with_json(profile("Europe/Warsaw"))
    httpserver.expect_ordered_request(USERS).respond_with_json([{"id": "u1", "name": "Ann"}])
    httpserver.expect_ordered_request(
        ENTRIES, query_string={"hydrated": "true", "start": "2026-07-31T22:00:00Z",
                               "page": "1", "page-size": "200"},
    ).respond_with_json([])
    conn = ClockifyConnector(api_key=KEY, workspace_id=WORKSPACE,
                             base_url=httpserver.url_for("/v1"), clock=lambda: NOW,
                             sleep=lambda seconds: None, from_date=date(2026, 8, 1))
    pull(conn)
    httpserver.check_assertions()


@pytest.mark.parametrize(
    "zone",
    ["Mars/Olympus_Mons", "localtime", "Europe/" + "x" * 300, "../../etc/passwd"],
    ids=["not a zone", "the machine's zone", "a name too long for a file", "a path"],
)
def test_a_timezone_option_that_is_no_iana_zone_is_refused_clearly(zone: str) -> None:
    with pytest.raises(ConfigError, match="is not an IANA time zone"):
        ClockifyConnector(api_key=KEY, workspace_id=WORKSPACE, timezone=zone)
