"""The day a Toggl entry counts on: its ``start`` (UTC, as the Reports API gives it) in the
``timezone`` option's zone, else in the time zone of the token owner's Toggl profile
(``GET /api/v9/me``'s ``timezone``, an IANA name: engineering.toggl.com/docs/api/me), else UTC
with a note. Served over real HTTP (pytest-httpserver).

Expected days worked out by hand from the zones' rules (IANA tz database):

* Europe/Warsaw is UTC+1 (CET) in winter and UTC+2 (CEST) in summer; in 2026 summer time
  starts on Sunday 29 March at 01:00 UTC and ends on Sunday 25 October at 01:00 UTC (the
  last Sundays of March and October).
* America/Los_Angeles is UTC-7 (PDT) in August 2026.
"""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from clientguard.connector import pull
from clientguard.errors import ConfigError
from clientguard.model import TimeEntry
from clientguard_toggl import TogglConnector

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
TOKEN = "tg-token-days-never-shown-77"
WORKSPACE = "5550123"
BASIC = "Basic " + base64.b64encode(f"{TOKEN}:api_token".encode()).decode()
ME = "/api/v9/me"
SEARCH = f"/reports/api/v3/workspace/{WORKSPACE}/search/time_entries"
ABSENT = object()
"""A profile without a ``timezone`` field."""


def entry(ident: int, start: str) -> dict[str, Any]:
    return {"id": ident, "seconds": 1800, "start": start, "stop": start,
            "at": "2026-11-01T10:00:00+00:00"}


def serve(server: HTTPServer, starts: list[str], *, profile_zone: object | None) -> None:
    """The profile (when ``profile_zone`` is not None: its ``timezone``, or ABSENT), one
    client and project, and one report row with an entry per start."""
    if profile_zone is not None:
        me: dict[str, Any] = {"id": 11, "fullname": "Ann Lee",
                              "default_workspace_id": int(WORKSPACE)}
        if profile_zone is not ABSENT:
            me["timezone"] = profile_zone
        server.expect_ordered_request(ME, headers={"Authorization": BASIC}).respond_with_json(me)
    base = f"/api/v9/workspaces/{WORKSPACE}"
    server.expect_ordered_request(f"{base}/clients").respond_with_json(
        [{"id": 1, "name": "Acme Ltd"}])
    server.expect_ordered_request(f"{base}/projects").respond_with_json(
        [{"id": 10, "client_id": 1}])
    server.expect_ordered_request(SEARCH, method="POST").respond_with_json(
        [{"project_id": 10, "username": "Ann Lee", "billable": True,
          "time_entries": [entry(i, start) for i, start in enumerate(starts, 1)]}])


def days(records: Any) -> list[date]:
    return [r.date for r in records if isinstance(r, TimeEntry)]


# Each row: the profile's zone, the option, the entries' starts, the days they count on.
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
    conn = TogglConnector(api_token=TOKEN, workspace_id=WORKSPACE,
                          base_url=httpserver.url_for("/"), clock=lambda: NOW,
                          sleep=lambda seconds: None, window_days=366,
                          from_date=date(2026, 1, 1),
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
        pytest.param("", "names no time zone", id="empty"),
        pytest.param("Mars/Olympus_Mons", "names 'Mars/Olympus_Mons', which is not an IANA "
                     "time zone", id="not a zone"),
        pytest.param("localtime", "names 'localtime', which is not an IANA time zone",
                     id="the reading machine's zone"),
        pytest.param(120, "names '120', which is not an IANA time zone", id="a number"),
    ],
)
def test_a_profile_without_a_valid_zone_counts_days_in_utc_and_says_so(
    httpserver: HTTPServer, profile_zone: object, said: str
) -> None:
    # Without workspace_id: one GET /me gives both the workspace and the (missing) zone.
    serve(httpserver, WARSAW_SUMMER, profile_zone=profile_zone)
    conn = TogglConnector(api_token=TOKEN, base_url=httpserver.url_for("/"),
                          clock=lambda: NOW, sleep=lambda seconds: None, window_days=366,
                          from_date=date(2026, 1, 1))
    pulled = pull(conn)
    httpserver.check_assertions()
    assert days(pulled.records) == [date(2026, 7, 31), date(2026, 7, 31)]
    (note,) = pulled.notes
    assert note.startswith("time_entries: days counted in UTC: the Toggl profile")
    assert said in note
    assert "timezone = \"Europe/Warsaw\"" in note
    for secret in (TOKEN, WORKSPACE, BASIC.split()[1]):
        assert secret not in note


def test_the_report_windows_end_on_today_in_the_profiles_zone(httpserver: HTTPServer) -> None:
    # 22:30 UTC on 1 September is 00:30 on 2 September in Warsaw: an entry started then is
    # in the report only if the last window reaches 2 September.
    httpserver.expect_ordered_request(ME).respond_with_json(
        {"default_workspace_id": int(WORKSPACE), "timezone": "Europe/Warsaw"})
    base = f"/api/v9/workspaces/{WORKSPACE}"
    httpserver.expect_ordered_request(f"{base}/clients").respond_with_json([])
    httpserver.expect_ordered_request(f"{base}/projects").respond_with_json([])
    httpserver.expect_ordered_request(
        SEARCH, method="POST", json={"start_date": "2026-08-01", "end_date": "2026-09-02",
                                     "page_size": 50, "order_by": "date", "order_dir": "asc"},
    ).respond_with_json([])
    conn = TogglConnector(api_token=TOKEN, workspace_id=WORKSPACE,
                          base_url=httpserver.url_for("/"),
                          clock=lambda: datetime(2026, 9, 1, 22, 30, tzinfo=UTC),
                          sleep=lambda seconds: None, window_days=366,
                          from_date=date(2026, 8, 1))
    pull(conn)
    httpserver.check_assertions()


@pytest.mark.parametrize(
    "zone",
    ["Mars/Olympus_Mons", "localtime", "Europe/" + "x" * 300, "../../etc/passwd"],
    ids=["not a zone", "the machine's zone", "a name too long for a file", "a path"],
)
def test_a_timezone_option_that_is_no_iana_zone_is_refused_clearly(zone: str) -> None:
    with pytest.raises(ConfigError, match="is not an IANA time zone"):
        TogglConnector(api_token=TOKEN, workspace_id=WORKSPACE, timezone=zone)
