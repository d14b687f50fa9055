"""Contract test: the connector against a mock server built from Xero's own OpenAPI spec.

Prism (``@stoplight/prism-cli``, installed into ``tools/`` by the Makefile where npm exists)
serves ``xero_accounting.yaml`` on a loopback port with ``--errors``: a request that breaks the
spec (a missing ``xero-tenant-id``, an ``If-Modified-Since`` that is not a date-time, a page
that is not an integer, no bearer token) gets a 422 or 401 instead of data, which the
connector raises. The spec's example responses must then map.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
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


@pytest.fixture(scope="module")
def prism(
    tmp_path_factory: pytest.TempPathFactory, reference_file: Callable[[str], Path]
) -> Iterator[str]:
    # Xero's OpenAPI spec, from the shared reference (the tests skip when it is absent).
    spec = reference_file("apis/xero_accounting.yaml")
    port = free_port()
    log = tmp_path_factory.mktemp("prism") / "prism.log"
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
