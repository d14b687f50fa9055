"""Client names from trackers and ticket systems matched to customers, and the misses
reported."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

import clientguard as cg
from clientguard_csv import CsvConnector, unmatched_names
from clientguard_csv.names import normalise_name


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Acme Sp. z o.o.", "ACME"),
        ("Acme sp.z o.o.", "acme"),
        ("Acme Sp. z o. o.", "Acme"),
        ("Acme Spółka z ograniczoną odpowiedzialnością", "Acme"),
        ("Acme S.A.", "Acme"),
        ("Acme Ltd", "Acme Limited"),
        ("Acme Ltd.", "  acme  "),
        ("Acme Pty Ltd", "Acme"),
        ("Acme GmbH", "Acme"),
        ("Acme GmbH & Co. KG", "Acme"),
        ("Acme, Inc.", "Acme Incorporated"),
        ("Acme LLC", "acme"),
        ("Łódź Media", "Lodz Media"),
        ("Zürich Partners AG", "zurich partners"),
        ("Simpsons Baking Co", "Simpsons Baking"),
        ("Müller-Lüdenscheidt  GmbH", "muller ludenscheidt"),
    ],
)
def test_names_that_match(a: str, b: str) -> None:
    assert normalise_name(a) == normalise_name(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Acme", "Acme Media"),
        ("Acme Media", "Acme Medical"),
        ("Limited", "Acme Limited"),  # a name that is only a suffix keeps it
        ("Ltd", ""),
    ],
)
def test_names_that_do_not_match(a: str, b: str) -> None:
    assert normalise_name(a) != normalise_name(b)


CUSTOMERS = """id,name
C1,Acme Sp. z o.o.
C2,Widget Works Ltd
C3,Łódź Media S.A.
"""

TOGGL_HEADER = (
    "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,"
    "End time,Duration,Tags,Amount (USD)\n"
)
TOGGL = TOGGL_HEADER + """\
Ann,ann@x.test,ACME,Web,,Design,Yes,2025-03-03,09:00:00,2025-03-03,10:30:00,01:30:00,,
Ann,ann@x.test,acme sp z oo,Web,,Build,Yes,2025-03-04,09:00:00,2025-03-04,09:20:00,00:20:00,,
Bob,bob@x.test,Widget Works Limited,App,,QA,No,2025-03-04,10:00:00,2025-03-04,12:00:00,02:00:00,,
Bob,bob@x.test,Lodz Media,App,,Call,No,2025-03-05,10:00:00,2025-03-05,10:15:00,00:15:00,,
Bob,bob@x.test,Globex,App,,Call,No,2025-03-05,11:00:00,2025-03-05,11:15:00,00:15:00,,
Ann,ann@x.test,Globex Corp,Web,,Call,Yes,2025-03-06,11:00:00,2025-03-06,12:00:00,01:00:00,,
Ann,ann@x.test,,Internal,,Admin,No,2025-03-06,12:00:00,2025-03-06,13:00:00,01:00:00,,
Bob,bob@x.test,Initech,App,,Call,No,2025-03-07,11:00:00,2025-03-07,11:15:00,00:15:00,,
"""


def test_time_entries_match_customers_by_normalised_name(write: Callable[..., Path]) -> None:
    mapping = {
        "customers": {"columns": {"id": "id", "name": "name"}},
        "time_entries": {
            "date_formats": ["%Y-%m-%d"],
            "skip_blank": ["Client"],
            "columns": {"customer_name": "Client", "date": "Start date", "duration": "Duration",
                        "person": "User", "billable": "Billable"},
        },
    }
    conn = CsvConnector(customers=write("c.csv", CUSTOMERS),
                        time_entries=write("t.csv", TOGGL), mapping=mapping)
    ledger = cg.Ledger.from_connector(conn, base_currency="EUR", strict=False)
    hours = {(t.customer_id, t.date.day): t.hours for t in ledger.time_entries}
    # 1:30 = 1.5 h; 0:20 = 1/3 h to the microhour; 2:00; 0:15
    assert hours == {
        ("C1", 3): Decimal("1.5"),
        ("C1", 4): Decimal("0.333333"),
        ("C2", 4): Decimal("2"),
        ("C3", 5): Decimal("0.25"),
    }
    # Globex (twice, spelled two ways) and Initech matched nothing: reported, by name
    assert unmatched_names(ledger.report.rejected) == {"Globex": 1, "Globex Corp": 1,
                                                        "Initech": 1}
    misses = [r for r in ledger.report.rejected if r.kind == "time_entry"]
    assert [(r.location.line, r.location.column) for r in misses if r.location] == [
        (6, "Client"), (7, "Client"), (9, "Client")
    ]
    assert "'Globex' matches no customer in the customers file" in misses[0].reason
    # the entry without a client was skipped on purpose, not rejected
    assert len(ledger.time_entries) == 4
    log = conn.inspect()
    assert log.unmatched_names("time_entries") == ["Globex", "Globex Corp", "Initech"]
    assert log.files[1].skipped == 1


def test_matching_by_id_column(write: Callable[..., Path]) -> None:
    requests = (
        "ticket,client_id,opened,wanted\n"
        "T-1,C2,2025-03-01,2025-03-02\n"
        "T-2,C9,2025-03-01,2025-03-09\n"
    )
    mapping = {
        "customers": {"columns": {"id": "id", "name": "name"}},
        "work_requests": {"columns": {"id": "ticket", "customer_id": "client_id",
                                      "requested_on": "opened", "wanted_by": "wanted"}},
    }
    conn = CsvConnector(customers=write("c.csv", CUSTOMERS),
                        work_requests=write("w.csv", requests), mapping=mapping)
    ledger = cg.Ledger.from_connector(conn, base_currency="EUR", strict=False)
    assert [(w.id, w.customer_id) for w in ledger.work_requests] == [("T-1", "C2")]
    (miss,) = ledger.report.rejected
    assert miss.location is not None
    assert (miss.location.line, miss.location.column) == (3, "client_id")
    assert "customer id 'C9' is not in the customers file" in miss.reason
    assert unmatched_names(ledger.report.rejected) == {"C9": 1}


def test_a_name_matching_two_customers_is_not_guessed(write: Callable[..., Path]) -> None:
    customers = "id,name\nA1,Acme Ltd\nA2,ACME GmbH\n"
    entries = "client,day,hours\nAcme,2025-01-02,1\n"
    mapping = {
        "customers": {"columns": {"id": "id", "name": "name"}},
        "time_entries": {"columns": {"customer_name": "client", "date": "day",
                                     "hours": "hours"}},
    }
    conn = CsvConnector(customers=write("c.csv", customers),
                        time_entries=write("t.csv", entries), mapping=mapping)
    ledger = cg.Ledger.from_connector(conn, base_currency="EUR", strict=False)
    (miss,) = ledger.report.rejected
    assert "'Acme' matches 2 customers (A1, A2)" in miss.reason
    assert miss.location is not None
    assert miss.location.line == 2


def test_a_configured_source_name_is_on_every_record_and_rejection(
    write: Callable[..., Path]
) -> None:
    # Read as the source "books" (a [sources.books] table): the records carry "books", the
    # reader writes it itself, and the unmatched names are still found.
    mapping = {
        "customers": {"columns": {"id": "id", "name": "name"}},
        "time_entries": {
            "date_formats": ["%Y-%m-%d"],
            "skip_blank": ["Client"],
            "columns": {"customer_name": "Client", "date": "Start date", "duration": "Duration",
                        "person": "User", "billable": "Billable"},
        },
    }
    conn = CsvConnector(customers=write("c.csv", CUSTOMERS),
                        time_entries=write("t.csv", TOGGL), mapping=mapping)
    ledger = cg.Ledger.from_connector(conn, base_currency="EUR", strict=False, source="books")
    assert {r.source for r in ledger.records()} == {"books"}
    assert {r.source for r in ledger.report.rejected} == {"books"}
    assert unmatched_names(ledger.report.rejected) == {"Globex": 1, "Globex Corp": 1,
                                                        "Initech": 1}
    assert conn.source_name == "books"
    # The same connector pulled again without a name is the connector's own again.
    plain = cg.Ledger.from_connector(conn, base_currency="EUR", strict=False)
    assert {r.source for r in plain.records()} == {"csv"}
