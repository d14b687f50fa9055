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

import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
    # A note of the source books (not of the connector, csv), as the store and the command
    # line prefix it, and as its links line names the customers.
    expected = [
        "books: " + warning("00123", f"{invoices}, line 2", "123", f"{invoices}, line 3",
                          "Acme", "books"),
        "books: " + warning("777", f"{invoices}, line 4", "0777", f"{payments}, line 2",
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
    assert zeros == ["books: " + three]
    assert sorted(c.id for c in ledger.customers) == ["00123", "0123", "123", "777"]
    quality = cg.review(ledger, as_of=date(2026, 3, 1)).data_quality
    assert [n for n in quality.notes if "leading zeros" in n] == ["books: " + three]


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


# ------------------------------------------------------------ ids a customers file lists
CUSTOMERS_MAPPING = {"currency": "PLN", "customers": {"columns": {"id": "Id", "name": "Name"}},
                     **MAPPING}


def listed_warning(members: list[tuple[str, str]], name: str, source: str) -> str:
    """The warning of ids a customers file lists (each id with where its row is) that the file
    gives one ``name``: written from the task, by hand. No "or give a customers file": there
    is one; its ids are the ones to fix (or link)."""
    shown = [f"{ident!r} ({where}, {name!r})" for ident, where in members]
    first = members[0][0]
    lines = "; ".join(f"{source}:{first},{source}:{ident}" for ident, _ in members[1:])
    return (f"customer ids {', '.join(shown[:-1])} and {shown[-1]} differ only by leading "
            "zeros, as where Excel dropped them (it reads a column of digits as numbers), and "
            f"are read as {len(members)} customers: the same name on each, so very likely one "
            "client; if one, its documents, share, lateness and verdict are split between "
            "them; they are not joined unasked. Format the customer id column as Text in the "
            "spreadsheet and export the CSV again; if they are one client, link them in a "
            f"links file (header customer,same_as; {'lines' if len(members) > 2 else 'line'} "
            f"{lines}) named in [links] files of clientguard.toml")


@pytest.mark.parametrize("reader", READERS)
def test_ids_a_customers_file_lists_that_differ_only_by_zeros_are_said_once(
    write: Write, reader: str
) -> None:
    # The task's case: customers.csv lists 7 and 07, invoices.csv names 007. Before, nothing
    # was said of 7 and 07 (two customers of one number, the client's documents split
    # between them), and the invoice's rejection named 7 alone, not 07.
    customers = write("customers.csv", "Id,Name\n7,Acme\n07,Acme\n")
    invoices = write("invoices.csv", "No,Customer,Client,Date,Due,Total\n"
                     "F/1,7,Acme,2026-01-05,2026-02-04,600.00\n"
                     "F/2,007,Acme,2026-01-06,2026-02-05,400.00\n")
    conn = CsvConnector(mapping={k: v for k, v in CUSTOMERS_MAPPING.items() if k != "payments"},
                        reader=reader, customers=customers, invoices=invoices)
    ledger = cg.Ledger.from_connector(conn, base_currency="PLN", source="books", strict=False)
    # Expected by hand: the two ids the file lists, at their rows (lines 2 and 3), read as 2
    # customers; 007 is in no customer's row (its invoice is rejected), so it is no member.
    expected = "books: " + listed_warning(
        [("7", f"{customers}, line 2"), ("07", f"{customers}, line 3")], "Acme", "books")
    assert [n for n in ledger.report.notes if "leading zeros" in n] == [expected]
    assert sorted(c.id for c in ledger.customers) == ["07", "7"]
    (rejection,) = ledger.report.rejected
    assert rejection.location is not None
    assert rejection.location.line == 3
    # Both ids that differ from 007 only by zeros, the fewest zeros apart first.
    assert rejection.reason.startswith(
        "customer id '007' is not in the customers file; customer ids '07' ('Acme'), '7' "
        "('Acme') differ from it only by leading zeros")


# ---------------------------------------------- however the spellings are spread (hypothesis)
#: The numbers the spellings are of, each with its client's name (one name a number, so that
#: the warning says "very likely one client").
NUMBERS = {"0": "Cash", "7": "Acme", "42": "Beta"}
#: The files a spelling can be named in, in the order a read takes them, each with its row.
DOCUMENT_FILES = ("invoices_a", "invoices_b", "credit_notes", "payments")
SPREAD_MAPPING = {
    "currency": "PLN",
    "customers": {"columns": {"id": "Id", "name": "Name"}},
    **MAPPING,
    "credit_notes": {"columns": {"number": "Note", "customer_id": "Customer",
                                 "customer_name": "Client", "invoice_number": "Invoice",
                                 "issue_date": "Date", "total": "Total"}},
}
spelling = st.tuples(st.sampled_from(sorted(NUMBERS)), st.integers(0, 3)).map(
    lambda pair: ("0" * pair[1] + pair[0]))


def document_row(file: str, n: int, ident: str) -> str:
    """Row ``n`` of one of :data:`DOCUMENT_FILES`, naming customer ``ident``: an invoice, or
    an unapplied credit note or payment (no invoice: it makes its own customer)."""
    name = NUMBERS[ident.lstrip("0") or "0"]
    if file.startswith("invoices"):
        return f"F/{file[-1]}{n},{ident},{name},2026-01-05,2026-02-04,10.00\n"
    if file == "credit_notes":
        return f"K/{n},{ident},{name},,2026-01-20,5.00\n"
    return f"P{n},{ident},{name},,2026-01-20,1.00\n"


HEADERS = {"invoices_a": "No,Customer,Client,Date,Due,Total\n",
           "invoices_b": "No,Customer,Client,Date,Due,Total\n",
           "credit_notes": "Note,Customer,Client,Invoice,Date,Total\n",
           "payments": "Payment,Customer,Client,Invoice,Paid,Amount\n"}


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(st.sampled_from(DOCUMENT_FILES), spelling), max_size=14),
       listed=st.lists(spelling, unique=True, max_size=6),
       customers_file=st.booleans(),
       reader=st.sampled_from(READERS))
def test_however_the_spellings_are_spread_each_group_is_said_once_with_all_its_members(
    rows: list[tuple[str, str]], listed: list[str], customers_file: bool, reader: str
) -> None:
    # The oracle, independent of the connector: the customers are the customers file's ids
    # (given one: documents naming an id it lacks are rejected), else each id the documents
    # name, in the order a read takes the files; each id where its first row is. Ids are one
    # number exactly when int() reads them alike. Each number of two ids or more is one
    # warning, naming them all, in the order the number got its second id.
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        texts = {file: HEADERS[file] for file in DOCUMENT_FILES}
        lines = dict.fromkeys(DOCUMENT_FILES, 1)
        order: list[tuple[str, str]] = []  # each row: its id and where it is
        for file, ident in rows:
            lines[file] += 1
            texts[file] += document_row(file, lines[file], ident)
        paths = {file: tmp / f"{file}.csv" for file in DOCUMENT_FILES}
        for file in DOCUMENT_FILES:
            paths[file].write_text(texts[file])
            order += [(ident, f"{paths[file]}, line {line}") for line, ident in enumerate(
                (i for f, i in rows if f == file), start=2)]
        options: dict[str, Any] = {
            "invoices": (paths["invoices_a"], paths["invoices_b"]),
            "credit_notes": paths["credit_notes"], "payments": paths["payments"]}
        if customers_file:
            customers = tmp / "customers.csv"
            customers.write_text("Id,Name\n" + "".join(
                f"{ident},{NUMBERS[ident.lstrip('0') or '0']}\n" for ident in listed))
            options["customers"] = customers
            order = [(ident, f"{customers}, line {n}") for n, ident in enumerate(listed, 2)]
        firsts: dict[str, str] = {}
        for ident, where in order:
            firsts.setdefault(ident, where)
        groups: dict[int, list[tuple[str, str]]] = {}
        grown: dict[int, None] = {}
        for ident, where in firsts.items():
            groups.setdefault(int(ident), []).append((ident, where))
            if len(groups[int(ident)]) == 2:
                grown[int(ident)] = None
        expected = []
        for number in grown:
            members, name = groups[number], NUMBERS[str(number)]
            if customers_file:
                expected.append(listed_warning(members, name, "books"))
            else:
                expected.append(made_warning(members, name, "books"))
        conn = CsvConnector(mapping=SPREAD_MAPPING, reader=reader, **options)
        pulled = pull(conn, source="books")
        assert [n for n in pulled.notes if "leading zeros" in n] == expected


def made_warning(members: list[tuple[str, str]], name: str, source: str) -> str:
    """The warning of ids that rows of documents gave one ``name`` (each id with where its
    first row is), without a customers file: as :func:`warning`, of any number of ids."""
    return listed_warning(members, name, source).replace(
        "export the CSV again;", "export the CSV again, or give a customers file;")
