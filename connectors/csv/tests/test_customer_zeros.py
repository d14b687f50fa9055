"""Customer ids that differ only by leading zeros, without a customers file: from the read to
what a user sees.

The rows make the customers; an export that went through Excel names ``123`` where the others
name ``00123``, and the records hold two customers of what is very likely one client. The
read never joins them (they may be two clients); it says so once the stream is read, and the
warning reaches the user where every other note of a CSV read does: the sync's notes, the
ledger's load report (``ledger.report.notes``), the review's data-quality notes, and
``clientguard-csv check``. The links file it proposes joins them. (The read itself, both
readers alike, is tested in test_excel_numbers.py.)"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

import clientguard as cg
from clientguard.connector import pull
from clientguard.links import read_links
from clientguard_csv import CsvConnector
from clientguard_csv.cli import main
from clientguard_csv.columnar import arrow_available

Write = Callable[..., Path]

READERS = ("python", "arrow") if arrow_available() else ("python",)

MAPPING = {"currency": "PLN",
           "invoices": {"columns": {"number": "No", "customer_id": "Customer",
                                    "customer_name": "Client", "issue_date": "Date",
                                    "due_date": "Due", "total": "Total"}},
           "payments": {"columns": {"id": "Payment", "customer_id": "Customer",
                                    "customer_name": "Client", "invoice_number": "Invoice",
                                    "date": "Paid", "amount": "Amount"}}}
#: Acme's invoices, the second exported through Excel (00123 saved as 123), and Beta's.
INVOICES = ("No,Customer,Client,Date,Due,Total\n"
            "F/1,00123,Acme,2026-01-05,2026-02-04,600.00\n"
            "F/2,123,Acme,2026-01-06,2026-02-05,400.00\n"
            "F/3,777,Beta,2026-01-07,2026-02-06,1000.00\n")
#: An unapplied payment of Beta's, its id saved with a zero more.
PAYMENTS = "Payment,Customer,Client,Invoice,Paid,Amount\nP1,0777,Beta,,2026-01-20,10.00\n"


def warning(first: str, first_at: str, second: str, second_at: str, name: str,
            source: str) -> str:
    """The warning of two ids (each with where its first row is) that the rows give one
    ``name``: written from the task, by hand."""
    return (f"customer ids {first!r} ({first_at}, {name!r}) and {second!r} ({second_at}, "
            f"{name!r}) differ only by leading zeros, as where Excel dropped them (it reads a "
            "column of digits as numbers), and are read as 2 customers: the same name on each, "
            "so very likely one client; if one, its documents, share, lateness and verdict are "
            "split between them; they are not joined unasked. Format the customer id column as "
            "Text in the spreadsheet and export the CSV again, or give a customers file; if "
            "they are one client, link them in a links file (header customer,same_as; line "
            f"{source}:{first},{source}:{second}) named in [links] files of clientguard.toml")


@pytest.mark.parametrize("reader", READERS)
def test_the_warning_reaches_the_load_report_and_the_reviews_data_quality(
    write: Write, reader: str
) -> None:
    invoices, payments = write("invoices.csv", INVOICES), write("payments.csv", PAYMENTS)
    conn = CsvConnector(mapping=MAPPING, reader=reader, invoices=invoices, payments=payments)
    ledger = cg.Ledger.from_connector(conn, base_currency="PLN", source="books")
    expected = [
        "csv: " + warning("00123", f"{invoices}, line 2", "123", f"{invoices}, line 3",
                          "Acme", "books"),
        "csv: " + warning("777", f"{invoices}, line 4", "0777", f"{payments}, line 2",
                          "Beta", "books"),
    ]
    # Said once each, in the order found (the invoices' pair, then the payments'), though
    # the payments stream's fetch takes over what the invoices' read learned.
    assert list(ledger.report.notes) == expected
    # Not joined: four customers, Acme's invoices under two of them, as the files have it.
    assert sorted(c.id for c in ledger.customers) == ["00123", "0777", "123", "777"]
    quality = cg.review(ledger, as_of=date(2026, 3, 1)).data_quality
    assert [n for n in quality.notes if "leading zeros" in n] == expected
    (group,) = [g for g in quality.groups if g.kind == "source_notes"]
    assert group.count == 2


#: A payment naming Acme's number with a zero of its own (0123): a third form of it.
GROWING = "Payment,Customer,Client,Invoice,Paid,Amount\nP1,0123,Acme,,2026-01-20,10.00\n"


@pytest.mark.parametrize("reader", READERS)
def test_a_group_a_later_stream_grows_is_said_once_with_all_its_members(
    write: Write, reader: str
) -> None:
    # The invoices name 00123 and 123, a payment 0123: three customers of one number. Before,
    # the invoices' fetch said the pair "read as 2 customers" (a note the store and the review
    # kept) and the payments' fetch said the three again. Now one note, of the three.
    invoices, payments = write("invoices.csv", INVOICES), write("payments.csv", GROWING)
    conn = CsvConnector(mapping=MAPPING, reader=reader, invoices=invoices, payments=payments)
    ledger = cg.Ledger.from_connector(conn, base_currency="PLN", source="books")
    # Written by hand: the three ids, each at its first row, the count 3, and a links line
    # from the first to each other one.
    three = (
        f"customer ids '00123' ({invoices}, line 2, 'Acme'), '123' ({invoices}, line 3, "
        f"'Acme') and '0123' ({payments}, line 2, 'Acme') differ only by leading zeros, as "
        "where Excel dropped them (it reads a column of digits as numbers), and are read as 3 "
        "customers: the same name on each, so very likely one client; if one, its documents, "
        "share, lateness and verdict are split between them; they are not joined unasked. "
        "Format the customer id column as Text in the spreadsheet and export the CSV again, "
        "or give a customers file; if they are one client, link them in a links file (header "
        "customer,same_as; lines books:00123,books:123; books:00123,books:0123) named in "
        "[links] files of clientguard.toml")
    zeros = [n for n in ledger.report.notes if "leading zeros" in n]
    assert zeros == ["csv: " + three]
    assert sorted(c.id for c in ledger.customers) == ["00123", "0123", "123", "777"]
    quality = cg.review(ledger, as_of=date(2026, 3, 1)).data_quality
    assert [n for n in quality.notes if "leading zeros" in n] == ["csv: " + three]


def test_the_links_file_the_warning_proposes_joins_the_two(write: Write) -> None:
    conn = CsvConnector(mapping=MAPPING, invoices=write("invoices.csv", INVOICES))
    pulled = pull(conn, source="books")
    (note,) = pulled.notes
    assert "line books:00123,books:123)" in note
    # The file as the warning describes it: the header customer,same_as, then that line.
    links = write("links.csv", "customer,same_as\nbooks:00123,books:123\n")
    ledger = cg.Ledger.build(pulled.records, base_currency="PLN", links=read_links(links))
    assert ledger.links == (("00123", "123"),)
    # One client now, of both customers: two clients (Acme, Beta) where there were three.
    clients = cg.review(ledger, as_of=date(2026, 3, 1)).clients
    assert len(clients) == 2
    assert sorted(clients[ledger.group_of("123")].members) == ["00123", "123"]


def test_check_prints_the_warning_and_still_exits_0(
    write: Write, capsys: pytest.CaptureFixture[str]
) -> None:
    # A warning is no rejection: nothing was turned away, so check exits 0 as before.
    mapping = write("m.toml", """currency = "PLN"
[invoices.columns]
number = "No"
customer_id = "Customer"
customer_name = "Client"
issue_date = "Date"
due_date = "Due"
total = "Total"
""")
    invoices = write("invoices.csv", INVOICES)
    assert main(["check", "--mapping", str(mapping), "--invoices", str(invoices)]) == 0
    out = capsys.readouterr().out.splitlines()
    at = out.index("customer ids that differ only by leading zeros (read as separate "
                   "customers):")
    assert out[at + 1:] == ["  - " + warning("00123", f"{invoices}, line 2", "123",
                                             f"{invoices}, line 3", "Acme", "csv")]
