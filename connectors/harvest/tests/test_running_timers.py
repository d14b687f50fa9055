"""A running timer (``is_running``: started, not yet stopped) is the same fact in every
tracker: Toggl and Clockify give it no end, so they cannot count it until it stops, and
Harvest's ``hours`` for it are the hours up to the moment of the read. Counted, the capacity
signal depended on the minute of the sync and on the tracker the team uses (repro: a timer
started 09:00 and read at 10:30 counted 1.5 hours for Acme from Harvest, none from Toggl or
Clockify). It is skipped until it stops; stopping it changes ``updated_at``, so the next
incremental sync reads it whole."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from clientguard.connector import Skip, SyncState, pull
from clientguard.model import TimeEntry
from clientguard_harvest import HarvestConnector
from clientguard_harvest.mapping import time_entry_from_harvest

NOW = datetime(2026, 8, 3, 18, 0, tzinfo=UTC)


def entry(*, hours: Decimal | float | int, running: object, updated: str = "2026-08-03T09:00:00Z"
          ) -> dict[str, Any]:
    """A time entry as ``GET /v2/time_entries`` lists it (a Decimal as the JSON decoder
    reads a number; a float or int to serve as JSON)."""
    return {"id": 636709355, "spent_date": "2026-08-03", "hours": hours,
            "hours_without_timer": 0, "rounded_hours": hours,
            "is_running": running, "timer_started_at": "2026-08-03T09:00:00Z",
            "billable": True, "updated_at": updated,
            "client": {"id": 5735776, "name": "Acme Ltd"},
            "user": {"id": 1782959, "name": "Kim Allen"}}


@pytest.mark.parametrize(("running", "counted"), [
    (True, None),                 # running: the 1.5 hours so far are not a fact yet
    (False, Decimal("1.5")),      # stopped: its hours count
    (None, Decimal("1.5")),       # no is_running (an older shape): not said to be running
])
def test_a_running_timer_counts_once_it_stops(running: object, counted: Decimal | None
                                              ) -> None:
    got = time_entry_from_harvest(entry(hours=Decimal("1.5"), running=running))
    if counted is None:
        assert got == Skip("running timer: counted once it stops")
        return
    assert isinstance(got, TimeEntry)
    assert got.hours == counted


def test_a_timer_read_running_is_counted_whole_by_the_sync_after_it_stops(
    httpserver: HTTPServer,
) -> None:
    def page(*entries: dict[str, Any]) -> dict[str, Any]:
        return {"time_entries": list(entries), "per_page": 2000, "total_pages": 1,
                "total_entries": len(entries), "next_page": None, "page": 1,
                "links": {"next": None}}

    # 10:30: the timer runs (1.5 hours so far). 17:00: stopped at 16:00, 7 hours.
    httpserver.expect_ordered_request("/v2/time_entries").respond_with_json(
        page(entry(hours=1.5, running=True)))
    httpserver.expect_ordered_request(
        "/v2/time_entries", query_string={"per_page": "2000",
                                          "updated_since": "2026-08-03T09:55:00Z"},
    ).respond_with_json(page(entry(hours=7, running=False,
                                   updated="2026-08-03T16:00:00Z")))
    conn = HarvestConnector(account_id="7654321", access_token="hv-token",
                            base_url=httpserver.url_for("/v2"), clock=lambda: NOW,
                            sleep=lambda _: None)
    first = pull(conn)
    assert first.records == ()
    assert first.skipped == {"time_entries": {"running timer: counted once it stops": 1}}
    # The first read saw nothing to move the cursor; the second starts from a later one,
    # as after a sync that read other entries up to 10:00.
    second = pull(conn, SyncState({"time_entries": datetime(2026, 8, 3, 10, 0, tzinfo=UTC)}))
    httpserver.check_assertions()
    assert [(r.date, r.hours) for r in second.records if isinstance(r, TimeEntry)] == [
        (date(2026, 8, 3), Decimal(7))]
