"""The examples of docs/connectors/writing-a-connector.md, read from the page and run.

If the page's code stops working, this fails: the guide cannot drift from the framework.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import tomllib
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

import clientguard as cg
from clientguard import connectors
from clientguard.connector import Connector, SyncState, pull
from clientguard.errors import ConfigError
from clientguard.ledger import Location

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "connectors" / "writing-a-connector.md"
NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)


def example(name: str) -> str:
    """The code block right after ``<!-- example: name -->`` in the guide."""
    match = re.search(
        rf"<!-- example: {re.escape(name)} -->\s*```\w+\n(.*?)```", GUIDE.read_text(), re.S
    )
    assert match, f"no example {name!r} in {GUIDE}"
    return match.group(1)


def import_example(name: str, module: str, tmp_path: Path) -> ModuleType:
    """The example as a third party's module on disk, imported like one."""
    path = tmp_path / f"{module}.py"
    path.write_text(example(name))
    spec = importlib.util.spec_from_file_location(module, path)
    assert spec is not None
    assert spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[module] = loaded
    spec.loader.exec_module(loaded)
    return loaded


@pytest.fixture
def ticketdesk(tmp_path: Path) -> Iterator[type[Connector]]:
    module = import_example("ticketdesk", "clientguard_ticketdesk", tmp_path)
    connectors.register("ticketdesk", module.TicketdeskConnector)
    yield module.TicketdeskConnector
    connectors.unregister("ticketdesk")
    sys.modules.pop("clientguard_ticketdesk", None)


def ticket(tid: int, client: str = "acme", **extra: Any) -> dict[str, Any]:
    return {"id": tid, "client_id": client, "status": "open", "created_at":
            f"2025-05-{tid:02d}T09:00:00Z", "due_on": f"2025-05-{tid + 1:02d}",
            "updated_at": f"2025-05-{tid:02d}T10:00:00+00:00", **extra}


def test_the_http_example_pages_maps_skips_and_resumes(
    ticketdesk: type[Connector], httpserver: HTTPServer
) -> None:
    auth = {"Authorization": "Bearer td-SECRET"}
    httpserver.expect_ordered_request(
        "/v1/tickets", query_string={"limit": "100"}, headers=auth
    ).respond_with_json({"tickets": [ticket(1), ticket(2)], "next_cursor": "c2"})
    httpserver.expect_ordered_request(
        "/v1/tickets", query_string={"limit": "100", "cursor": "c2"}, headers=auth
    ).respond_with_json({"tickets": [ticket(3, status="cancelled"), ticket(4, due_on="soon")],
                         "next_cursor": None})

    cls = connectors.load("ticketdesk")
    assert cls is ticketdesk
    conn = cls(api_key="td-SECRET", base_url=httpserver.url_for("/v1"), clock=lambda: NOW)
    assert "SECRET" not in repr(conn)
    pulled = pull(conn)
    httpserver.check_assertions()

    assert [r.id for r in pulled.records] == ["1", "2"]
    assert pulled.skipped == {"work_requests": {"cancelled ticket: no work was asked for": 1}}
    (rejection,) = pulled.rejected
    assert rejection.record_id == "4"
    assert "soon" in rejection.reason
    assert rejection.location == Location(detail="GET tickets cursor=c2&limit=100")
    cursor = pulled.state.cursor("work_requests")
    assert cursor == datetime(2025, 5, 4, 10, tzinfo=UTC)

    # The next sync asks only for what changed since the cursor.
    httpserver.expect_ordered_request(
        "/v1/tickets",
        query_string={"limit": "100", "updated_since": cursor.isoformat()},
    ).respond_with_json({"tickets": [], "next_cursor": None})
    again = pull(cls(api_key="td-SECRET", base_url=httpserver.url_for("/v1"), clock=lambda: NOW),
                 SyncState({"work_requests": cursor}))
    httpserver.check_assertions()
    assert again.records == ()

    ledger = cg.Ledger.build(pulled.records, base_currency="EUR")
    assert [w.wanted_by for w in ledger.work_requests] == [date(2025, 5, 2), date(2025, 5, 3)]


def test_the_http_example_describes_its_options_without_the_secret(
    ticketdesk: type[Connector],
) -> None:
    info = ticketdesk.describe()
    assert info.name == "ticketdesk"
    assert {(o.name, o.required, o.secret) for o in info.options} == {
        ("api_key", True, True), ("base_url", False, False),
        # HttpOptions: the options every HTTP connector shares.
        ("timeout", False, False), ("max_attempts", False, False),
        ("max_wait", False, False), ("sleep", False, False), ("max_body", False, False),
        ("max_read_seconds", False, False)}
    with pytest.raises(ConfigError, match="api_key: is required"):
        ticketdesk()


def test_the_file_example_reads_pages_with_lines_and_rejects_bad_rows(tmp_path: Path) -> None:
    module = import_example("jsonl", "clientguard_jsonl", tmp_path)
    try:
        export = tmp_path / "export.jsonl"
        rows = [
            {"number": "F/1", "client": "acme", "issued": "2025-01-02", "due": "2025-01-16",
             "currency": "PLN", "total": 1230.00},
            {"number": "F/2", "client": "acme", "issued": "2025-01-05", "due": "2025-01-19",
             "currency": "PLN", "total": 99.90, "status": "paid"},
        ]
        lines = [json.dumps(r) for r in rows]
        lines += ["", "{broken", json.dumps({**rows[0], "total": 1.00})]
        export.write_text("\n".join(lines) + "\n")

        conn = module.JsonlConnector(invoices=export, rows_per_page=2, clock=lambda: NOW)
        pages = list(conn.sync())
        assert [(len(p.records), len(p.rejected), p.last) for p in pages] == [
            (2, 0, False), (0, 2, False), (0, 0, True)]
        ledger = cg.Ledger.from_connector(
            module.JsonlConnector(invoices=export, rows_per_page=2, clock=lambda: NOW),
            base_currency="PLN", strict=False,
        )
        assert [(i.id, i.total) for i in ledger.invoices] == [
            ("F/1", Decimal("1230")), ("F/2", Decimal("99.90"))]
        assert ledger.invoices[1].status == "paid"
        problems = {str(r.location): r.reason for r in ledger.report.rejected}
        assert "missing field 'number'" in problems["export.jsonl, line 4"]
        assert "line 1" in problems["export.jsonl, line 5"]  # the duplicate names the first
    finally:
        sys.modules.pop("clientguard_jsonl", None)


def test_the_registration_example_is_valid_and_uses_the_group() -> None:
    project = tomllib.loads(example("pyproject"))
    entry = project["project"]["entry-points"][connectors.GROUP]
    assert entry == {"ticketdesk": "clientguard_ticketdesk:TicketdeskConnector"}
