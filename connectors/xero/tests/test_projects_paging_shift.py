"""Time entries and projects deleted in Xero Projects while their pages are read (``page`` is
a position in the list).

A fake Projects API over real HTTP (pytest-httpserver) answers ``GET /Projects`` and ``GET
/Projects/{id}/Time`` in the shape of ``xero_projects.yaml``: ``{"pagination": {page,
pageSize, pageCount, itemCount}, "items": [...]}``, ``page`` (1-based) and ``pageSize`` cut
the list as it is at the moment of each request (``dateAfterUtc`` keeping entries logged at
or after it). A deleted entry (``DELETE /Projects/{id}/Time/{id}``) or project leaves the
list; ``changes[n]`` is made right after request ``n`` (of either list) was answered. Which
entry a read loses without the boundary check is worked out by hand beside each case
(docs/connectors/xero.md, "Xero Projects time"). Time entries are replaced on every full
read, ``--prune`` or not (``Store._finish_full_read``), so a plain ``--full`` lost the entry.
The reviewer's scratch repro (``/tmp/rev-paging/test_xero_projects_shift.py``) is the first
two tests.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import clientguard as cg
from clientguard import connectors
from clientguard.connector import SyncState, pull
from clientguard.errors import ApiError
from clientguard.http import SourceChanged
from clientguard.store import Store
from clientguard_xero import XeroConnector

TENANT = "tenant-SECRET-7f3a"
ACCESS = "access-SECRET-1"
PROJECTS = "/projects.xro/2.0"
API = "/api.xro/2.0"
Lists = dict[str, list[dict[str, Any]]]
"""``"projects"`` and ``"time"`` (the entries of project p-1)."""


def entry(eid: str, day: int, minutes: int = 60) -> dict[str, Any]:
    return {"timeEntryId": eid, "userId": "u", "projectId": "p-1", "taskId": "k",
            "dateUtc": f"2025-05-{day:02d}T01:00:00Z",
            "dateEnteredUtc": f"2025-05-{day:02d}T01:00:00Z",
            "duration": minutes, "description": "w", "status": "ACTIVE"}


def project(pid: str) -> dict[str, Any]:
    return {"projectId": pid, "name": pid, "contactId": "c-1", "currencyCode": "NZD",
            "status": "INPROGRESS"}


class ProjectsApi:
    """The two lists; ``changes[n]`` is made right after request ``n`` was answered."""

    def __init__(self, lists: Lists,
                 changes: dict[int, Callable[[Lists], None]] | None = None) -> None:
        self.lists = {name: [dict(i) for i in items] for name, items in lists.items()}
        self.changes = changes or {}
        self.requests = 0

    def _answer(self, request: Request, items: list[dict[str, Any]]) -> Response:
        self.requests += 1
        page, size = int(request.args["page"]), int(request.args["pageSize"])
        chunk = items[(page - 1) * size: page * size]
        body = json.dumps({"pagination": {"page": page, "pageSize": size,
                                          "pageCount": max(1, -(-len(items) // size)),
                                          "itemCount": len(items)}, "items": chunk})
        change = self.changes.get(self.requests)
        if change is not None:
            change(self.lists)
        return Response(body, content_type="application/json")

    def projects(self, request: Request) -> Response:
        return self._answer(request, list(self.lists["projects"]))

    def time(self, request: Request) -> Response:
        items = self.lists["time"]
        after = request.args.get("dateAfterUtc")
        if after:
            items = [e for e in items if e["dateUtc"] >= after]
        return self._answer(request, list(items))

    def serve(self, server: HTTPServer) -> ProjectsApi:
        server.clear()
        server.expect_request(f"{PROJECTS}/Projects").respond_with_handler(self.projects)
        for p in self.lists["projects"]:
            # Only p-1 logs time; the others' lists are empty.
            handler = self.time if p["projectId"] == "p-1" else self._empty
            server.expect_request(f"{PROJECTS}/Projects/{p['projectId']}/Time"
                                  ).respond_with_handler(handler)
        return self

    def _empty(self, request: Request) -> Response:
        return self._answer(request, [])


def delete(name: str, ident: str) -> Callable[[Lists], None]:
    def change(lists: Lists) -> None:
        key = "projectId" if name == "projects" else "timeEntryId"
        lists[name] = [i for i in lists[name] if i[key] != ident]
    return change


def connect(server: HTTPServer, now: datetime, size: int = 2) -> XeroConnector:
    conn = connectors.load("xero")(
        tenant_id=TENANT, access_token=ACCESS, base_url=server.url_for(API),
        projects_url=server.url_for(PROJECTS), projects=True, page_size=size,
        sleep=lambda s: None, clock=lambda: now)
    assert isinstance(conn, XeroConnector)
    return conn


def hours(store: Store) -> dict[str, Decimal]:
    return {r.id: r.hours for r in store.records()
            if isinstance(r, cg.TimeEntry) and r.id is not None}


FIRST = datetime(2025, 5, 10, tzinfo=UTC)
SECOND = datetime(2025, 5, 20, tzinfo=UTC)
ONE_PROJECT = [project("p-1")]


def test_a_full_read_a_time_entry_deleted_between_two_pages_stops_and_removes_nothing(
    httpserver: HTTPServer, tmp_path: Path,
) -> None:
    four = [entry(f"t-{n}", n) for n in (1, 2, 3, 4)]
    with Store.open(tmp_path / "s.db") as store:
        ProjectsApi({"projects": ONE_PROJECT, "time": four}).serve(httpserver)
        store.sync(connect(httpserver, FIRST), streams=["time_entries"])
        assert set(hours(store)) == {"t-1", "t-2", "t-3", "t-4"}
        # t-2 deleted right after time page 1 ([t-1 t-2]; request 2, after the project
        # list): page 2 is [t-4], and t-3 slid onto page 1. Before, the read ended there and
        # the full read (no --prune needed for time entries) removed t-3, live in Xero.
        api = ProjectsApi({"projects": ONE_PROJECT, "time": four},
                          {2: delete("time", "t-2")}).serve(httpserver)
        with pytest.raises(SourceChanged) as caught:
            store.sync(connect(httpserver, SECOND), streams=["time_entries"], full=True)
        message = str(caught.value)
        assert "run the sync again" in message
        assert "place 2" in message
        assert "t-2" in message  # the last entry read, at place 2
        assert TENANT not in message
        assert ACCESS not in message
        assert set(hours(store)) == {"t-1", "t-2", "t-3", "t-4"}

        ProjectsApi(api.lists).serve(httpserver)
        store.sync(connect(httpserver, SECOND), streams=["time_entries"], full=True)
        assert hours(store) == {"t-1": Decimal(1), "t-3": Decimal(1), "t-4": Decimal(1)}


def test_an_old_entry_is_not_lost_to_the_next_incremental_read(
    httpserver: HTTPServer, tmp_path: Path,
) -> None:
    # t-3 logged in March: an incremental read (dateAfterUtc, 31 days before its cursor)
    # never lists it again. Before, the shifted --full removed it and no later sync put it
    # back.
    four = [entry(f"t-{n}", n) for n in (1, 2, 3, 4)]
    four[2]["dateUtc"] = "2025-03-03T01:00:00Z"
    with Store.open(tmp_path / "s.db") as store:
        ProjectsApi({"projects": ONE_PROJECT, "time": four}).serve(httpserver)
        store.sync(connect(httpserver, FIRST), streams=["time_entries"])
        api = ProjectsApi({"projects": ONE_PROJECT, "time": four},
                          {2: delete("time", "t-2")}).serve(httpserver)
        with pytest.raises(SourceChanged):
            store.sync(connect(httpserver, SECOND), streams=["time_entries"], full=True)
        ProjectsApi(api.lists).serve(httpserver)
        store.sync(connect(httpserver, datetime(2025, 5, 21, tzinfo=UTC)),
                   streams=["time_entries"])
        assert "t-3" in hours(store)


def test_a_project_deleted_between_two_pages_of_the_project_list_stops_the_read(
    httpserver: HTTPServer, tmp_path: Path,
) -> None:
    # Projects listed p-0, p-2, p-1, two a page; only p-1 logs time (t-1).
    listed = [project("p-0"), project("p-2"), project("p-1")]
    time = [entry("t-1", 1)]
    with Store.open(tmp_path / "s.db") as store:
        ProjectsApi({"projects": listed, "time": time}).serve(httpserver)
        store.sync(connect(httpserver, FIRST), streams=["time_entries"])
        assert set(hours(store)) == {"t-1"}
        # p-0 deleted after the first project page ([p-0 p-2]): page 2 is [] and p-1 slid
        # onto page 1, read already. Before, p-1's entries were never asked for, and the
        # full read removed t-1, live in Xero.
        api = ProjectsApi({"projects": listed, "time": time},
                          {1: delete("projects", "p-0")}).serve(httpserver)
        with pytest.raises(SourceChanged) as caught:
            store.sync(connect(httpserver, SECOND), streams=["time_entries"], full=True)
        assert "projects" in str(caught.value)
        assert set(hours(store)) == {"t-1"}
        ProjectsApi(api.lists).serve(httpserver)
        store.sync(connect(httpserver, SECOND), streams=["time_entries"], full=True)
        assert set(hours(store)) == {"t-1"}


# ----------------------------------------------------------------- the rule, as a property


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    count=st.integers(0, 7), size=st.integers(1, 3), after=st.integers(1, 9),
    kind=st.sampled_from(["delete", "create"]), which=st.integers(0, 6),
    incremental=st.booleans(), old=st.lists(st.booleans(), min_size=7, max_size=7),
)
def test_a_read_that_ends_has_read_every_entry_that_was_in_its_list_throughout(
    httpserver: HTTPServer, count: int, size: int, after: int, kind: str, which: int,
    incremental: bool, old: list[bool],
) -> None:
    # Entries t-1..t-count of p-1, those marked old logged in March (an incremental read from
    # a 20 May cursor asks from 19 April: it leaves them out); one change after request
    # `after` (request 1 is the project list).
    entries = [entry(f"t-{n}", n) for n in range(1, count + 1)]
    for n, e in enumerate(entries):
        if old[n]:
            e["dateUtc"] = "2025-03-03T01:00:00Z"
    target = f"t-{(which % count) + 1}" if count else ""

    def change(lists: Lists) -> None:
        if kind == "delete":
            delete("time", target)(lists)
        else:  # a new entry, logged after the others: the end of the list
            lists["time"].append(entry(f"t-{count + 1}", 28))

    api = ProjectsApi({"projects": ONE_PROJECT, "time": entries}, {after: change})
    api.serve(httpserver)
    state = (SyncState({"time_entries": datetime(2025, 5, 20, tzinfo=UTC)})
             if incremental else None)

    def selected(items: list[dict[str, Any]]) -> set[str]:
        return {e["timeEntryId"] for e in items
                if not incremental or e["dateUtc"] >= "2025-04-19"}

    before = selected(entries)
    try:
        pulled = pull(connect(httpserver, SECOND, size), state, streams=["time_entries"])
    except ApiError:
        # Stopped, nothing pruned, the cursor kept: SourceChanged (or the framework's guard
        # against a page that repeats the one before).
        return
    read = {r.id for r in pulled.records if isinstance(r, cg.TimeEntry)}
    assert before & selected(api.lists["time"]) <= read
