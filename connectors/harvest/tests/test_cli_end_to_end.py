"""The whole way in, as a user runs it: a clientguard.toml with the books (CSV invoices) and
Harvest (a local server), the secrets in the environment, ``clientguard sync`` then
``clientguard review --format json``: the capacity finding comes from Harvest's hours, and the
hours of a client that matches no customer are in the data-quality notes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from clientguard.cli import main

pytest.importorskip("clientguard_csv", reason="the CSV connector is not installed")

TOKEN = "hv-cli-token-never-shown"
ACCOUNT = "5550123"

def entry(ident: int, client: str, hours: int, day: str) -> dict[str, Any]:
    return {"id": ident, "spent_date": day, "hours": hours, "billable": True,
            "updated_at": f"{day}T18:00:00Z", "user": {"id": 1, "name": "Kim"},
            "client": {"id": 9, "name": client, "currency": "EUR"},
            "project": {"id": 3, "name": "Site", "code": None}, "task": {"id": 4, "name": "Dev"}}


def test_sync_and_review_from_the_config(
    httpserver: HTTPServer, csv_books: Callable[..., Path], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = csv_books(paid=False)
    monkeypatch.setenv("CLIENTGUARD_HARVEST_ACCOUNT_ID", ACCOUNT)
    monkeypatch.setenv("CLIENTGUARD_HARVEST_ACCESS_TOKEN", TOKEN)
    (folder / "invoices.csv").write_text(
        "Number,Client,Issued,Due,Total\n"
        "A-1,Acme Sp. z o.o.,2026-06-01,2026-06-15,1000.00\n"
        "B-1,Birch Ltd,2026-06-01,2026-06-15,9000.00\n"
    )
    (folder / "clientguard.toml").write_text(
        'base_currency = "EUR"\n'
        "[sources.books]\n"
        'connector = "csv"\n'
        'mapping = "mapping.toml"\n'
        'invoices = "invoices.csv"\n'
        "[sources.harvest]\n"
        f'base_url = "{httpserver.url_for("/v2")}"\n'
        'user_agent = "clientguard tests (ops@example.com)"\n'
    )
    httpserver.expect_request(
        "/v2/time_entries", headers={"Harvest-Account-Id": ACCOUNT}
    ).respond_with_json({
        "time_entries": [
            # No entry holds more than a day (a longer one is a timer left running).
            *(entry(10 + d, "ACME", 20, f"2026-06-{10 + d}") for d in range(3)),
            *(entry(20 + d, "Birch", 20, f"2026-06-{20 + d}") for d in range(2)),
            entry(3, "Cobalt Studio", 7, "2026-06-12"),
        ],
        "per_page": 2000, "total_pages": 1, "total_entries": 6, "next_page": None,
        "previous_page": None, "page": 1, "links": {},
    })
    assert main(["sync", "--quiet"]) == 0
    synced = capsys.readouterr()
    assert TOKEN not in synced.out + synced.err
    assert ACCOUNT not in synced.out + synced.err
    main(["review", "--as-of", "2026-08-31", "--format", "json"])  # exit code: the findings
    report = json.loads(capsys.readouterr().out)
    text = json.dumps(report)
    assert TOKEN not in text
    assert ACCOUNT not in text
    acme = [c for c in report["clients"] if c["name"].startswith("Acme")]
    assert acme, "the books' Acme is a client of the review"
    metrics = {f["metric"] for f in acme[0]["findings"] if f["signal"] == "capacity"}
    # 60% of the hours for 10% of the revenue.
    assert {"hours_share", "hours_to_revenue"} <= metrics
    notes = report["data_quality"]["notes"]
    assert any("'Cobalt Studio'" in n and "7 hours" in n for n in notes)
