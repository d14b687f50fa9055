"""The Toggl connector against the shape of real detailed-search responses, as public
recordings show them, over real HTTP (pytest-httpserver).

Sources (only the fields needed are quoted):

* mcordell/toggl_rb ``spec/vcr_cassettes/search_time_entries_long_all_pages.yml``, a VCR
  recording of the live Reports API v3 (April 2024): page 1 of 50 rows carries
  ``x-next-id``, ``x-next-row-number`` (51) and ``x-next-timestamp``; page 2, asked for with
  ``first_row_number`` 51, holds the last 50 rows and carries no ``x-next-*`` header. So
  Toggl names a next page only when it has rows for it: a full last page comes without one.
  Each entry's ``start`` is written in the user's offset (``2023-12-08T00:00:00-08:00``).
* A public Go client of the same endpoint (found by code search; the index does not name
  its repository) notes that a follow-up request Toggl had named came back ``200`` with no
  rows, confirmed by hand against the live API, and that every row past page 1 had been
  lost silently ("July showing 34 tracked hours instead of the real 63").

A full last page without a next one (page 2 above) is covered by test_connector.py.

A named next page that comes back empty is therefore rows lost on the way, not the end of
the window: taken as the end, a full read would replace the stream with what it saw and
drop every stored entry of the missing pages.
"""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from clientguard.connector import pull
from clientguard.http import MissingRecords
from clientguard_toggl import TogglConnector

NOW = datetime(2024, 1, 5, 12, 0, tzinfo=UTC)
TOKEN = "tg-token-never-shown-456"
WORKSPACE = "5550001"
BASIC = "Basic " + base64.b64encode(f"{TOKEN}:api_token".encode()).decode()
CLIENTS = f"/api/v9/workspaces/{WORKSPACE}/clients"
PROJECTS = f"/api/v9/workspaces/{WORKSPACE}/projects"
SEARCH = f"/reports/api/v3/workspace/{WORKSPACE}/search/time_entries"
PROJECT = 201990887  # the recording's project id


def recorded_row(number: int, entry_id: int, start: str, stop: str) -> dict[str, Any]:
    """A row as the recording has it (user, project, the entry's 45 minutes)."""
    return {"user_id": 10658406, "username": "Michael C", "project_id": PROJECT,
            "task_id": None, "billable": False, "description": f"Older task {number}",
            "tag_ids": [], "billable_amount_in_cents": None, "hourly_rate_in_cents": None,
            "currency": "USD", "row_number": number,
            "time_entries": [{"id": entry_id, "seconds": 2700, "start": start, "stop": stop,
                              "at": "2024-04-14T17:03:50+00:00"}]}


# Rows 1 and 2 of the recording; its row 51 (entry 3405903924) is what x-next-id names.
ROW_1 = recorded_row(1, 3405903820, "2023-12-08T00:00:00-08:00", "2023-12-08T00:45:00-08:00")
ROW_2 = recorded_row(2, 3405903821, "2023-12-08T01:00:00-08:00", "2023-12-08T01:45:00-08:00")
NEXT = {"x-next-id": "3405903924", "x-next-row-number": "3", "x-next-timestamp": "1702202400",
        "x-page-size": "2", "x-range-start": "2023-12-01", "x-range-end": "2024-01-05"}
# The recording's headers of a page with no next one.
LAST = {"x-page-size": "2", "x-range-start": "2023-12-01", "x-range-end": "2024-01-05"}


def body(**more: Any) -> dict[str, Any]:
    return {"start_date": "2023-12-01", "end_date": "2024-01-05", "page_size": 2,
            "order_by": "date", "order_dir": "asc", **more}


def serve(server: HTTPServer, second_page: list[dict[str, Any]] | None) -> None:
    server.expect_ordered_request(CLIENTS, query_string={"status": "both"}).respond_with_json(
        [{"id": 7, "wid": int(WORKSPACE), "name": "Initech", "archived": False}])
    server.expect_ordered_request(
        PROJECTS, query_string={"active": "both", "page": "1", "per_page": "2"}
    ).respond_with_json([{"id": PROJECT, "workspace_id": int(WORKSPACE), "client_id": 7,
                          "cid": 7, "name": "Older", "active": True}])
    server.expect_ordered_request(SEARCH, method="POST", json=body()).respond_with_json(
        [ROW_1, ROW_2], headers=NEXT)
    server.expect_ordered_request(
        SEARCH, method="POST",
        json=body(first_id=3405903924, first_row_number=3, first_timestamp=1702202400),
    ).respond_with_json(second_page, headers=LAST)


def connector(server: HTTPServer) -> TogglConnector:
    return TogglConnector(api_token=TOKEN, workspace_id=WORKSPACE, timezone="America/Los_Angeles",
                          base_url=server.url_for("/"), clock=lambda: NOW, sleep=lambda s: None,
                          page_size=2, window_days=366, from_date=date(2023, 12, 1))


@pytest.mark.parametrize("second_page", [[], None], ids=["empty list", "null"])
def test_a_named_next_page_that_comes_back_empty_stops_the_sync(
    httpserver: HTTPServer, second_page: list[dict[str, Any]] | None
) -> None:
    """Page 1 named page 2 (``x-next-*``), which came with no rows: rows lost on the way.
    Before, the window ended there: the sync succeeded with page 1's 2 entries (2 x 2700 s,
    1.5 hours) and never the one x-next-id named, with nothing said; a full read would
    have dropped it from the store."""
    serve(httpserver, second_page)
    with pytest.raises(MissingRecords) as raised:
        pull(connector(httpserver))
    message = str(raised.value)
    assert "page 2 of the time entries of 2023-12-01..2024-01-05" in message
    assert "named" in message
    assert TOKEN not in message
    assert WORKSPACE not in message
