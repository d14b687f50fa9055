"""The whole way in, as a user runs it: a clientguard.toml with the books (CSV invoices) and
Jira (a local server) with one rule per client, the token in the environment, ``clientguard
sync`` then ``clientguard review --format json``: the rush finding comes from the issues' due
dates, and the sync's summary counts the issues no rule maps, by project."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from clientguard.cli import main

pytest.importorskip("clientguard_csv", reason="the CSV connector is not installed")

TOKEN = "jira-cli-token-never-shown"

MAPPING = """\
currency = "EUR"
date_formats = ["iso"]

[invoices.columns]
number = "Number"
customer_id = "Client ID"
customer_name = "Client"
issue_date = "Issued"
due_date = "Due"
total = "Total"
"""


def issue(key: str, created: str, due: str) -> dict[str, Any]:
    # A site numbers its issues once, across projects (ACME-1 and OPS-1 are 10001 and 20001).
    project, number = key.split("-")
    return {"id": f"{1 if project == 'ACME' else 2}000{number}", "key": key, "fields": {
        "created": f"{created}T09:00:00.000+0200", "updated": f"{created}T09:00:00.000+0200",
        "duedate": due, "project": {"key": key.split("-")[0]}, "components": [], "labels": []}}


def test_sync_and_review_from_the_config(
    httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLIENTGUARD_CONFIG", raising=False)
    monkeypatch.setenv("CLIENTGUARD_JIRA_API_TOKEN", TOKEN)
    (tmp_path / "mapping.toml").write_text(MAPPING)
    (tmp_path / "invoices.csv").write_text(
        "Number,Client ID,Client,Issued,Due,Total\n"
        "A-1,C-7,Acme Sp. z o.o.,2026-06-01,2026-06-15,1000.00\n"
        "B-1,C-8,Birch Ltd,2026-06-01,2026-06-15,9000.00\n"
    )
    (tmp_path / "clientguard.toml").write_text(
        'base_currency = "EUR"\n'
        "[sources.books]\n"
        'connector = "csv"\n'
        'mapping = "mapping.toml"\n'
        'invoices = "invoices.csv"\n'
        "[sources.jira]\n"
        'site = "acme.atlassian.net"\n'
        'email = "ops@example.com"\n'
        f'base_url = "{httpserver.url_for("/")}"\n'
        "[[sources.jira.clients]]\n"
        'customer = "books:C-7"\n'
        'project = "ACME"\n'
    )
    # Acme: 4 of 6 requests wanted within two days (67% rush work); two OPS issues no rule maps.
    dues = ["2026-07-02", "2026-07-01", "2026-07-03", "2026-07-02", "2026-07-30", "2026-08-20"]
    issues = [issue(f"ACME-{n}", "2026-07-01", due) for n, due in enumerate(dues, start=1)]
    issues += [issue("OPS-1", "2026-07-01", "2026-07-01"), issue("OPS-2", "2026-07-02",
                                                                 "2026-07-02")]
    httpserver.expect_request("/rest/api/3/search/jql").respond_with_json(
        {"issues": issues, "isLast": True})
    assert main(["sync"]) == 0
    synced = capsys.readouterr()
    said = synced.out + synced.err
    assert TOKEN not in said
    assert "left out on purpose: 2 x no rule maps it to a client (project OPS)" in said
    main(["review", "--as-of", "2026-08-31", "--format", "json"])  # exit code: the findings
    report = json.loads(capsys.readouterr().out)
    assert TOKEN not in json.dumps(report)
    acme = [c for c in report["clients"] if c["name"].startswith("Acme")]
    assert acme, "the books' Acme is a client of the review"
    rush = {f["metric"]: f for f in acme[0]["findings"] if f["signal"] == "rush"}
    # ACME-1..4 wanted within two days of asking (rush_lead_days), ACME-5 and 6 not: 4 of 6.
    assert rush["rush_share"]["value"] == "0.6667"
    assert rush["rush_share"]["evidence"]["record_ids"] == [
        "jira:ACME-1", "jira:ACME-2", "jira:ACME-3", "jira:ACME-4"]
