"""Toggl's projects list changing while it is paged (pytest-httpserver, real HTTP).

``GET /api/v9/workspaces/{id}/projects`` is paged by ``page``/``per_page``, a position: a
project created or deleted between two page requests shifts the later pages, and a project
that nobody touched can cross onto a page already read. Before the fix, an entry of that
project was rejected ("project 30 is not in the workspace's projects"), a failure the user
can do nothing about. Now such a project is read by its id
(``GET /api/v9/workspaces/{id}/projects/{project_id}``, documented at
engineering.toggl.com/docs/projects), and so is a client the clients list did not give.
The servers here change their lists between requests the way a colleague editing the
workspace would; the expected clients and hours are worked out from the lists by hand.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from clientguard.connector import pull
from clientguard.errors import ApiError
from clientguard.model import TimeEntry
from clientguard_toggl import TogglConnector

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
TOKEN = "tg-token-changing-never-shown-9"
WORKSPACE = "4445556"
BASE = f"/api/v9/workspaces/{WORKSPACE}"
SEARCH = f"/reports/api/v3/workspace/{WORKSPACE}/search/time_entries"


def connector(server: HTTPServer) -> TogglConnector:
    return TogglConnector(
        api_token=TOKEN, workspace_id=WORKSPACE, base_url=server.url_for("/"),
        clock=lambda: NOW, sleep=lambda _: None, timezone="UTC", page_size=2,
        window_days=366, from_date=date(2026, 1, 1), max_attempts=1,
    )


def project(ident: int, client_id: int | None) -> dict[str, Any]:
    return {"id": ident, "workspace_id": int(WORKSPACE), "client_id": client_id,
            "name": f"Project {ident}", "active": True}


def row(project_id: int, entry_id: int) -> dict[str, Any]:
    """A report row of one one-hour entry (3600 s) on 3 August."""
    return {"user_id": 11, "username": "Ann Lee", "project_id": project_id, "billable": True,
            "time_entries": [{"id": entry_id, "seconds": 3600,
                              "start": "2026-08-03T08:00:00Z",
                              "stop": "2026-08-03T09:00:00Z",
                              "at": "2026-08-05T10:00:00+00:00"}]}


def json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


class Workspace:
    """A workspace whose projects list changes right after page ``after`` is served."""

    def __init__(self, clients: list[dict[str, Any]], projects: list[dict[str, Any]],
                 change: str, after: int = 1) -> None:
        self.clients = clients
        self.projects = projects
        self.change = change
        self.after = after
        self.by_id: list[str] = []

    def page(self, request: Request) -> Response:
        number, size = int(request.args["page"]), int(request.args["per_page"])
        body = self.projects[(number - 1) * size: number * size]
        if number == self.after:
            self._apply()
        return json_response(body)

    def _apply(self) -> None:
        if self.change == "delete the first project":
            del self.projects[0]
        elif self.change == "create a project before the others":
            self.projects.insert(0, project(5, 1))
        elif self.change == "create a client and a project of it":
            self.clients.append({"id": 3, "name": "Gamma GmbH"})
            self.projects.append(project(60, 3))

    def one(self, request: Request) -> Response:
        kind, ident = request.path.rsplit("/", 2)[-2:]
        self.by_id.append(f"{kind}/{ident}")
        found = [p for p in (self.projects if kind == "projects" else self.clients)
                 if str(p["id"]) == ident]
        return json_response(found[0]) if found else json_response(
            {"message": "not found"}, status=404)

    def serve(self, server: HTTPServer, rows: list[dict[str, Any]]) -> None:
        server.expect_request(f"{BASE}/clients").respond_with_handler(
            lambda _: json_response(list(self.clients)))
        server.expect_request(f"{BASE}/projects").respond_with_handler(self.page)
        for kind in ("projects", "clients"):
            for ident in range(1, 100):
                server.expect_request(f"{BASE}/{kind}/{ident}").respond_with_handler(self.one)
        server.expect_request(SEARCH, method="POST").respond_with_json(rows)


ACME, BETA = {"id": 1, "name": "Acme Ltd"}, {"id": 2, "name": "Beta"}


@pytest.mark.parametrize(
    ("change", "projects", "entry_projects", "customers", "asked"),
    [
        # 10, 20 | 30, 40 | 50 with 10 deleted after page 1: page 2 is 40, 50 and page 3
        # is empty, so 30 (Beta's, untouched) was on no page read.
        ("delete the first project",
         [project(10, 1), project(20, 1), project(30, 2), project(40, 1), project(50, 1)],
         [20, 30, 50], ["Acme Ltd", "Beta", "Acme Ltd"], ["projects/30"]),
        # 10, 20 | 30 with 5 created before them after page 1: page 2 is 20, 30 (20 read
        # twice, nothing lost); 5 is new, on no page read.
        ("create a project before the others",
         [project(10, 1), project(20, 2), project(30, 1)],
         [5, 20, 30], ["Acme Ltd", "Beta", "Acme Ltd"], ["projects/5"]),
        # The client list was read before the change; project 60 lands on page 2, read, but
        # its client 3 is in no list read: read by its id, not skipped as clientless.
        ("create a client and a project of it",
         [project(10, 1), project(20, 2), project(30, 1)],
         [10, 60], ["Acme Ltd", "Gamma GmbH"], ["clients/3"]),
        # Nothing changes: nothing is asked by id.
        ("nothing", [project(10, 1), project(20, 2), project(30, 1)],
         [10, 20, 30], ["Acme Ltd", "Beta", "Acme Ltd"], []),
    ],
)
def test_an_entry_of_a_project_the_changing_pages_missed_counts_for_its_client(
    httpserver: HTTPServer, change: str, projects: list[dict[str, Any]],
    entry_projects: list[int], customers: list[str], asked: list[str],
) -> None:
    workspace = Workspace([ACME, BETA], projects, change)
    workspace.serve(httpserver, [row(p, n) for n, p in enumerate(entry_projects, 1)])
    pulled = pull(connector(httpserver))
    assert list(pulled.rejected) == []
    entries = sorted((r for r in pulled.records if isinstance(r, TimeEntry)),
                     key=lambda e: int(e.id or 0))
    assert [e.customer_name for e in entries] == customers
    assert [e.hours for e in entries] == [Decimal(1)] * len(customers)
    assert workspace.by_id == asked


@pytest.mark.parametrize("status", [403, 404])
def test_a_project_toggl_does_not_show_by_id_is_rejected_and_asked_once(
    httpserver: HTTPServer, status: int
) -> None:
    httpserver.expect_request(f"{BASE}/clients").respond_with_json([ACME])
    httpserver.expect_request(f"{BASE}/projects").respond_with_json([project(10, 1)])
    httpserver.expect_request(f"{BASE}/projects/99").respond_with_json(
        {"message": "no access"}, status=status)
    httpserver.expect_request(SEARCH, method="POST").respond_with_json(
        [row(10, 1), row(99, 2), row(99, 3)])
    pulled = pull(connector(httpserver))
    assert [r.id for r in pulled.records] == ["1"]
    assert sorted(str(r.record_id) for r in pulled.rejected) == ["2", "3"]
    reason = pulled.rejected[0].reason
    assert "project 99" in reason
    assert "does not show it by its id" in reason
    asked = [r for r, _ in httpserver.log if r.path.endswith("/projects/99")]
    assert len(asked) == 1


def test_a_refused_lookup_by_id_fails_the_sync_without_secrets(
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request(f"{BASE}/clients").respond_with_json([ACME])
    httpserver.expect_request(f"{BASE}/projects").respond_with_json([project(10, 1)])
    httpserver.expect_request(f"{BASE}/projects/99").respond_with_json(
        {"message": "bad request"}, status=400)
    httpserver.expect_request(SEARCH, method="POST").respond_with_json([row(99, 1)])
    with pytest.raises(ApiError) as caught:
        pull(connector(httpserver))
    message = str(caught.value)
    assert "GET projects 99" in message
    assert TOKEN not in message
    assert WORKSPACE not in message
