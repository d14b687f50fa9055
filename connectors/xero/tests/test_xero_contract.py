"""Contract test: the connector against a mock server built from Xero's own OpenAPI spec.

Prism (``@stoplight/prism-cli``, installed into ``tools/`` by the Makefile where npm exists)
serves ``xero_accounting.yaml`` on a loopback port with ``--errors``: a request that breaks the
spec (a missing ``xero-tenant-id``, an ``If-Modified-Since`` that is not a date-time, a page
that is not an integer, no bearer token) gets a 422 or 401 instead of data, which the
connector raises. The spec's example responses must then map.

The ``time_entries`` stream is checked the same way against ``xero_projects.yaml``, Xero's spec
of the Projects API (``projects.xro/2.0``), served by a second Prism.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import requests

import clientguard as cg
from clientguard.connector import SyncState, pull
from clientguard_xero import XeroConnector

REPO_ROOT = Path(__file__).resolve().parents[3]
PRISM = REPO_ROOT / "tools" / "node_modules" / ".bin" / "prism"
STARTUP_SECONDS = 180  # the spec is 900 kB: Prism takes a while to read it

pytestmark = pytest.mark.skipif(
    not PRISM.exists(),
    reason=f"Prism is not installed at {PRISM} (make installs it where npm is on PATH)",
)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve(spec: Path, log: Path) -> Iterator[str]:
    """Prism serving ``spec`` on a free loopback port, with ``--errors``."""
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(PRISM), "mock", str(spec), "-h", "127.0.0.1", "-p", str(port), "--errors"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                requests.get(f"{url}/", timeout=2)
                break  # any answer: Prism is listening
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"Prism did not start in {STARTUP_SECONDS} s:\n{log.read_text()}")
            try:
                code = process.wait(timeout=0.5)  # also the pause between tries
            except subprocess.TimeoutExpired:
                continue
            pytest.fail(f"Prism exited with {code}:\n{log.read_text()}")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def prism(
    tmp_path_factory: pytest.TempPathFactory, reference_file: Callable[[str], Path]
) -> Iterator[str]:
    # Xero's OpenAPI spec, from the shared reference (the tests skip when it is absent).
    spec = reference_file("apis/xero_accounting.yaml")
    with serve(spec, tmp_path_factory.mktemp("prism") / "prism.log") as url:
        yield url


@pytest.fixture(scope="module")
def prism_projects(
    tmp_path_factory: pytest.TempPathFactory, reference_file: Callable[[str], Path]
) -> Iterator[str]:
    spec = reference_file("apis/xero_projects.yaml")
    with serve(spec, tmp_path_factory.mktemp("prism") / "prism-projects.log") as url:
        yield url


def connect(url: str, waits: list[float]) -> XeroConnector:
    return XeroConnector(
        tenant_id="00000000-0000-0000-0000-000000000000",
        access_token="contract-test-token",
        base_url=url,
        page_size=100,
        sleep=waits.append,
        clock=lambda: datetime(2026, 5, 1, tzinfo=UTC),
    )


def test_full_sync_requests_pass_the_spec_and_its_examples_map(prism: str) -> None:
    waits: list[float] = []
    pulled = pull(connect(prism, waits))  # a 422 from Prism would raise ApiError here
    assert waits == []
    assert pulled.rejected == ()
    kinds = {r.kind for r in pulled.records}
    assert {"customer", "invoice", "payment", "credit_note"} <= kinds
    numbers = {r.number for r in pulled.records if isinstance(r, cg.Invoice)}
    assert {"INV-0001", "INV-0002", "INV-0003"} <= numbers
    ledger = cg.Ledger.build(
        pulled.records, base_currency="NZD", strict=False, locations=pulled.locations
    )
    assert ledger.invoice(next(r.id for r in pulled.records if isinstance(r, cg.Invoice)
                               and r.number == "INV-0002")).status == "paid"


def test_incremental_sync_sends_an_if_modified_since_the_spec_accepts(prism: str) -> None:
    since = datetime(2026, 4, 1, 8, 30, tzinfo=UTC)
    state = SyncState({s.name: since for s in XeroConnector.streams})
    pulled = pull(connect(prism, []), state)  # Prism checks the header's date-time format
    assert pulled.rejected == ()
    assert pulled.state.cursor("invoices") is not None


def connect_projects(url: str, waits: list[float]) -> XeroConnector:
    return XeroConnector(
        tenant_id="00000000-0000-0000-0000-000000000000",
        access_token="contract-test-token",
        projects=True,
        projects_url=url,
        page_size=100,
        sleep=waits.append,
        clock=lambda: datetime(2026, 5, 1, tzinfo=UTC),
    )


def test_project_time_requests_pass_the_projects_spec_and_its_examples_map(
    prism_projects: str,
) -> None:
    waits: list[float] = []
    # GET /Projects, then GET /Projects/{projectId}/Time of the example project; a request
    # that breaks the spec (no Xero-Tenant-Id, a pageSize that is not an integer) is a 422.
    pulled = pull(connect_projects(prism_projects, waits), streams=["time_entries"])
    assert waits == []
    assert pulled.rejected == ()
    entries = sorted(
        (r for r in pulled.records if isinstance(r, cg.TimeEntry)), key=lambda e: e.date
    )
    # The spec's examples: the project of contact 216830cb-..., entries of 30 and 45 minutes
    # logged on 26 and 27 February 2020 (UTC, the default time zone).
    assert [(e.customer_id, e.date, e.hours) for e in entries] == [
        ("216830cb-9a68-487e-928b-c1a7ccc4fc81", date(2020, 2, 26), Decimal("0.5")),
        ("216830cb-9a68-487e-928b-c1a7ccc4fc81", date(2020, 2, 27), Decimal("0.75")),
    ]


def test_an_incremental_project_time_read_sends_a_date_after_the_spec_accepts(
    prism_projects: str,
) -> None:
    state = SyncState({"time_entries": datetime(2026, 4, 1, 8, 30, tzinfo=UTC)})
    pulled = pull(connect_projects(prism_projects, []), state, streams=["time_entries"])
    assert pulled.rejected == ()
    assert len([r for r in pulled.records if isinstance(r, cg.TimeEntry)]) == 2
