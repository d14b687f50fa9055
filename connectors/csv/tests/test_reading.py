"""Rows to records: every format case on a small file written here, and a broken file for
every error, each error naming its file, line and column."""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import clientguard as cg
from clientguard.errors import DataError
from clientguard.ledger import Rejection
from clientguard_csv import CsvConnector, CsvFileError, MappingError

Write = Callable[..., Path]

PL_MAPPING: dict[str, Any] = {
    "currency": "PLN",
    "date_formats": ["%d.%m.%Y"],
    "decimal": ",",
    "thousands": " ",
    "invoices": {
        "columns": {
            "number": "Numer",
            "customer_name": "Kontrahent",
            "issue_date": "Data wystawienia",
            "due_date": "Termin płatności",
            "total": "Brutto",
        }
    },
}

PL_FILE = (
    "Numer;Kontrahent;Data wystawienia;Termin płatności;Brutto\n"
    "FV/1/2025;Spółdzielnia Łódź Sp. z o.o.;03.02.2025;17.02.2025;1 234,56\n"
    "FV/2/2025;Żabka Polska;04.02.2025;18.02.2025;1.234,56 zł\n"
)


def load(strict: bool = False, base: str = "PLN", **options: Any) -> cg.Ledger:
    return cg.Ledger.from_connector(CsvConnector(**options), base_currency=base, strict=strict)


def where(rejection: Rejection) -> tuple[str, int | None, str | None]:
    assert rejection.location is not None
    return (Path(rejection.location.file or "").name, rejection.location.line,
            rejection.location.column)


# ---------------------------------------------------------------------- format cases


@pytest.mark.parametrize(
    ("content", "encoding"),
    [
        (PL_FILE.encode("utf-8"), None),
        (codecs.BOM_UTF8 + PL_FILE.encode("utf-8"), None),
        (PL_FILE.encode("cp1250"), None),
        (PL_FILE.encode("cp1250"), "cp1250"),
        (PL_FILE.replace(";", "\t").encode("utf-8"), None),
    ],
)
def test_a_polish_export_in_any_encoding(
    write: Write, content: bytes, encoding: str | None
) -> None:
    mapping = {**PL_MAPPING, "encoding": encoding} if encoding else PL_MAPPING
    # FV/2 writes "1.234,56 zł", with a dot for thousands: under thousands = " " it is an
    # error at its cell, while FV/1's "1 234,56" reads.
    path = write("faktury.csv", content)
    ledger = load(invoices=path, mapping=mapping)
    (first,) = [i for i in ledger.invoices if i.number == "FV/1/2025"]
    assert first.total == Decimal("1234.56")
    assert first.customer_id == "Spółdzielnia Łódź Sp. z o.o."
    assert (first.issue_date, first.due_date) == (date(2025, 2, 3), date(2025, 2, 17))
    assert first.currency == "PLN"
    (bad,) = ledger.report.rejected  # "1.234,56 zł" under thousands = " "
    assert where(bad) == ("faktury.csv", 3, "Brutto")


def test_dot_thousands_and_a_currency_marker(write: Write) -> None:
    path = write("faktury.csv", PL_FILE.replace("1 234,56", "1.234,56"))
    ledger = load(invoices=path, mapping={**PL_MAPPING, "thousands": "."})
    assert [(i.number, i.total, i.currency) for i in ledger.invoices] == [
        ("FV/1/2025", Decimal("1234.56"), "PLN"),
        ("FV/2/2025", Decimal("1234.56"), "PLN"),
    ]
    assert ledger.report.ok


def test_latin1_export_with_us_amounts_and_quoted_fields(write: Write) -> None:
    text = (
        "Report: open invoices\n"
        "\n"
        "Invoice,Client,Date,Due,Amount,Notes\n"
        'A-1,Café Müller,Jan 28 2021,Feb 27 2021,"$1,020.00","line one\nline two, with comma"\n'
        "A-2,Société Générale,Feb 1 2021,Mar 3 2021,13.50 ,\n"
    )
    mapping = {
        "currency": "USD",  # ("$1,020.00": dollars; under EUR the row would be rejected)
        "invoices": {"columns": {"number": "Invoice", "customer_name": "Client",
                                 "issue_date": "Date", "due_date": "Due", "total": "Amount"}},
    }
    ledger = load(invoices=write("fr.csv", text, encoding="latin-1"), mapping=mapping,
                  base="USD")
    assert [(i.number, i.customer_id, i.issue_date, i.total) for i in ledger.invoices] == [
        ("A-1", "Café Müller", date(2021, 1, 28), Decimal("1020.00")),
        ("A-2", "Société Générale", date(2021, 2, 1), Decimal("13.50")),
    ]


@pytest.mark.parametrize(
    ("cell", "amount"),
    [
        ('"$1,020.00"', "1020.00"),
        ("-400", None),
        ("(400.00)", None),
        ("13.50 ", "13.50"),
        ("$13.50 ", "13.50"),
    ],
)
def test_amount_forms_in_a_file(write: Write, cell: str, amount: str | None) -> None:
    text = f"n,c,d,t\n1,Acme,2025-01-02,{cell}\n"
    mapping = {"currency": "USD", "invoices": {"default_terms_days": 30, "columns": {
        "number": "n", "customer_name": "c", "issue_date": "d", "total": "t"}}}
    ledger = load(invoices=write("a.csv", text), mapping=mapping, base="USD")
    if amount is None:  # a negative invoice total is refused by the model, at its cell
        (rejection,) = ledger.report.rejected
        assert where(rejection) == ("a.csv", 2, "t")
        assert "negative" in rejection.reason
    else:
        assert ledger.invoices[0].total == Decimal(amount)
        assert ledger.invoices[0].due_date == date(2025, 2, 1)


def test_line_items_fold_into_invoices_by_summing_line_totals(write: Write) -> None:
    text = (
        "No,Client,Date,Due,Line,Cur\n"
        "1,Acme,2025-01-02,2025-02-01,100.10,EUR\n"
        "1,Acme,2025-01-02,2025-02-01,0.20,EUR\n"
        "2,Beta,2025-01-03,2025-02-02,5,EUR\n"
        "1 ,Acme,2025-01-02,2025-02-01,1,EUR\n"  # the same number later: not together
        "3,Beta,2025-01-03,2025-02-02,7,EUR\n"
        "3,Beta,2025-01-04,2025-02-02,7,EUR\n"  # disagrees with its first row
    )
    mapping = {"invoices": {"group_rows": True, "columns": {
        "number": "No", "customer_name": "Client", "issue_date": "Date", "due_date": "Due",
        "line_total": "Line", "currency": "Cur"}}}
    ledger = load(invoices=write("lines.csv", text), mapping=mapping, base="EUR")
    assert [(i.number, i.total) for i in ledger.invoices] == [
        ("1", Decimal("100.30")), ("2", Decimal("5"))
    ]
    split, disagreeing = ledger.report.rejected
    assert where(split) == ("lines.csv", 5, "No")
    assert "started on line 2 and were interrupted" in split.reason
    assert where(disagreeing) == ("lines.csv", 7, "Date")
    assert "'Date' is '2025-01-04' here but '2025-01-03' on line 6" in disagreeing.reason


def test_status_table_and_derived_status(write: Write) -> None:
    text = (
        "No,Client,Date,Due,Total,State,Paid on,Balance\n"
        "1,Acme,2025-01-02,2025-02-01,10,Zapłacona,2025-01-20,0\n"
        "2,Acme,2025-01-02,2025-02-01,10,szkic,,10\n"
        "3,Acme,2025-01-02,2025-02-01,10,Częściowo zapłacona,2025-01-25,4\n"
        "4,Acme,2025-01-02,2025-02-01,10,,,0\n"
        "5,Acme,2025-01-02,2025-02-01,10,,,10\n"
        "6,Acme,2025-01-02,2025-02-01,10,Anulowana,,0\n"
    )
    mapping = {"currency": "PLN", "invoices": {
        "columns": {"number": "No", "customer_name": "Client", "issue_date": "Date",
                    "due_date": "Due", "total": "Total", "status": "State",
                    "paid_on": "Paid on", "amount_due": "Balance"},
        "status": {"paid": ["Zapłacona"], "draft": ["Szkic"],
                   "open": ["Częściowo zapłacona"], "void": ["Anulowana"]}}}
    ledger = load(invoices=write("s.csv", text), mapping=mapping)
    assert [(i.number, i.status, i.paid_on, i.amount_due) for i in ledger.invoices] == [
        ("1", "paid", date(2025, 1, 20), Decimal(0)),
        ("2", "draft", None, Decimal(10)),
        ("3", "open", None, Decimal(4)),  # a payment date on a part-paid invoice is not paid_on
        ("4", "paid", None, Decimal(0)),  # no status: nothing due means paid
        ("5", "open", None, Decimal(10)),
        ("6", "void", None, Decimal(0)),
    ]


def test_payments_and_credit_notes_are_allocated_to_invoices_by_number(write: Write) -> None:
    invoices = (
        "No,Client,Date,Due,Total\n"
        "INV-1,Acme Ltd,2025-01-02,2025-02-01,100.00\n"
        "INV-2,Beta GmbH,2025-01-05,2025-02-04,50.00\n"
    )
    payments = (
        "Client,Invoice,Paid,Amount\n"
        "ACME,INV-1,2025-02-10,60.00\n"
        ",INV-1,2025-02-20,30.00\n"
        "ACME,INV-1,2025-02-20,30.00\n"  # a second identical-looking payment: its own id
        "Beta,,2025-03-01,5.00\n"  # unapplied cash
    )
    notes = "Note,Invoice,Date,Amount\nCN-1,INV-2,2025-01-10,50.00\n"
    mapping = {
        "currency": "EUR",
        "invoices": {"columns": {"number": "No", "customer_name": "Client", "issue_date": "Date",
                                 "due_date": "Due", "total": "Total"}},
        "payments": {"columns": {"customer_name": "Client", "invoice_number": "Invoice",
                                 "date": "Paid", "amount": "Amount"}},
        "credit_notes": {"columns": {"number": "Note", "invoice_number": "Invoice",
                                     "issue_date": "Date", "total": "Amount"}},
    }
    ledger = load(invoices=write("i.csv", invoices), payments=write("p.csv", payments),
                  credit_notes=write("c.csv", notes), mapping=mapping, base="EUR")
    assert [c.id for c in ledger.customers] == ["Acme Ltd", "Beta GmbH"]
    paid = [(p.customer_id, p.date, p.amount, tuple((a.invoice_id, a.amount)
             for a in p.allocations)) for p in ledger.payments]
    assert paid == [
        ("Acme Ltd", date(2025, 2, 10), Decimal("60.00"), (("INV-1", Decimal("60.00")),)),
        ("Acme Ltd", date(2025, 2, 20), Decimal("30.00"), (("INV-1", Decimal("30.00")),)),
        ("Beta GmbH", date(2025, 3, 1), Decimal("5.00"), ()),
    ]
    (note,) = ledger.credit_notes
    assert (note.id, note.customer_id, note.total) == ("CN-1", "Beta GmbH", Decimal("50.00"))
    assert note.allocations[0].invoice_id == "INV-2"
    # the third payment would pay INV-1 120 of its 100: the ledger rejects it, at its line
    (over,) = ledger.report.rejected
    assert over.kind == "payment"
    assert where(over)[:2] == ("p.csv", 4)
    # ids are made from the content and stay the same on a second read
    again = load(invoices=write("i.csv", invoices), payments=write("p.csv", payments),
                 credit_notes=write("c.csv", notes), mapping=mapping, base="EUR")
    assert [p.id for p in again.payments] == [p.id for p in ledger.payments]
    assert ledger.payments[0].id.startswith("p-")


def test_payments_grouped_by_id_split_across_invoices(write: Write) -> None:
    invoices = (
        "No,Client,Date,Due,Total\n"
        "A,Acme,2025-01-02,2025-02-01,10\n"
        "B,Acme,2025-01-02,2025-02-01,20\n"
    )
    payments = "Id,Invoice,Date,Amount\nP1,A,2025-02-01,10\nP1,B,2025-02-01,15\n"
    mapping = {
        "currency": "EUR",
        "invoices": {"columns": {"number": "No", "customer_name": "Client", "issue_date": "Date",
                                 "due_date": "Due", "total": "Total"}},
        "payments": {"group_rows": True, "columns": {"id": "Id", "invoice_number": "Invoice",
                                                     "date": "Date", "amount": "Amount"}},
    }
    ledger = load(invoices=write("i.csv", invoices), payments=write("p.csv", payments),
                  mapping=mapping, base="EUR")
    (payment,) = ledger.payments
    assert payment.amount == Decimal(25)
    assert [(a.invoice_id, a.amount) for a in payment.allocations] == [
        ("A", Decimal(10)), ("B", Decimal(15))
    ]


def test_a_customers_file_gives_ids_names_and_groups(write: Write) -> None:
    customers = "Id,Name,NIP,Group\nK1,Acme Sp. z o.o.,5260250995,G\nK2,Acme Trade S.A.,,G\n"
    invoices = (
        "No,Client,Date,Due,Total\n"
        "1,ACME,2025-01-02,2025-02-01,10\n"
        "2,Nobody,2025-01-02,2025-02-01,10\n"
    )
    mapping = {
        "currency": "PLN",
        "customers": {"columns": {"id": "Id", "name": "Name", "tax_id": "NIP",
                                  "group_id": "Group"}},
        "invoices": {"columns": {"number": "No", "customer_name": "Client", "issue_date": "Date",
                                 "due_date": "Due", "total": "Total"}},
    }
    ledger = load(customers=write("k.csv", customers), invoices=write("i.csv", invoices),
                  mapping=mapping)
    assert [(c.id, c.name, c.tax_id, c.group_id) for c in ledger.customers] == [
        ("K1", "Acme Sp. z o.o.", "5260250995", "G"),
        ("K2", "Acme Trade S.A.", None, "G"),
    ]
    assert [i.customer_id for i in ledger.invoices] == ["K1"]
    (miss,) = ledger.report.rejected
    assert where(miss) == ("i.csv", 3, "Client")


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("526-025-09-95", "5260250995"),
        ("PL 526 025 09 95", "5260250995"),
        ("NIP: 526-025-09-95", "5260250995"),
        ("de 123.456.789", "DE123456789"),
        ("GR 123456789", "EL123456789"),
    ],
)
def test_a_tax_id_is_stored_in_the_one_form_every_connector_writes(
    write: Write, written: str, stored: str
) -> None:
    """clientguard.tax_id: a customer of the CSV export and the same client of Fakturownia or
    Stripe carry the same tax id, so they can be matched; the customers file and the invoices'
    customer_tax_id column alike."""
    customers = f"Id;Name;NIP\nK1;Acme;{written}\n"
    invoices = f"No;Client;NIP;Date;Due;Total\n1;Beta;{written};2025-01-02;2025-02-01;10\n"
    columns = {"number": "No", "customer_name": "Client", "issue_date": "Date",
               "due_date": "Due", "total": "Total"}
    from_file = load(customers=write("k.csv", customers), mapping={
        "currency": "PLN",
        "customers": {"columns": {"id": "Id", "name": "Name", "tax_id": "NIP"}},
        "invoices": {"columns": columns},
    })
    from_rows = load(invoices=write("i.csv", invoices), mapping={
        "currency": "PLN",
        "invoices": {"columns": {**columns, "customer_tax_id": "NIP"}},
    })
    assert [(c.name, c.tax_id) for c in (*from_file.customers, *from_rows.customers)] == [
        ("Acme", stored), ("Beta", stored)]


def test_several_files_per_stream(write: Write) -> None:
    head = "Numer;Kontrahent;Data wystawienia;Termin płatności;Brutto\n"
    first = write("jan.csv", head + "1;A;02.01.2025;16.01.2025;1\n")
    second = write("feb.csv", head + "2;B;03.02.2025;17.02.2025;2\n")
    ledger = load(invoices=[first, str(second)], mapping=PL_MAPPING)
    assert [i.number for i in ledger.invoices] == ["1", "2"]


def test_time_entries_from_hours_and_durations(write: Write) -> None:
    text = (
        "Client,Date,Hours,First,Last,Billable?\n"
        "Acme,2025-03-03,1.5,Ann,Lee,Yes\n"
        "Acme,2025-03-03,0:45,Bob,,No\n"
        "Acme,2025-03-04,2,,,\n"
    )
    invoices = "n,c,d,t\n1,Acme,2025-01-02,5\n"
    mapping = {
        "currency": "EUR",
        "invoices": {"default_terms_days": 14, "columns": {
            "number": "n", "customer_name": "c", "issue_date": "d", "total": "t"}},
        "time_entries": {"columns": {"customer_name": "Client", "date": "Date", "hours": "Hours",
                                     "person": {"join": ["First", "Last"]},
                                     "billable": "Billable?"}},
    }
    ledger = load(invoices=write("i.csv", invoices), time_entries=write("t.csv", text),
                  mapping=mapping, base="EUR")
    assert [(t.hours, t.person, t.billable) for t in ledger.time_entries] == [
        (Decimal("1.5"), "Ann Lee", True),
        (Decimal("0.75"), "Bob", False),
        (Decimal("2"), None, None),
    ]


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("1" + "0" * 27, "more than one entry can hold"),
        ("100001", "more than one entry can hold"),
        ("99999999999999999999999999999:00:00", "more hours than one time entry can hold"),
        ("9" * 5000 + ":00:00", "more hours than one time entry can hold"),
        ("1" + "0" * 6 + ":00", "more hours than one time entry can hold"),
    ],
)
def test_absurd_hours_are_a_rejection_of_the_row(write: Write, cell: str, reason: str) -> None:
    text = f"Client,Date,Hours\nAcme,2025-03-03,1.5\nAcme,2025-03-03,{cell}\nAcme,2025-03-04,2\n"
    mapping = {
        "currency": "EUR",
        "invoices": {"default_terms_days": 14, "columns": {
            "number": "n", "customer_name": "c", "issue_date": "d", "total": "t"}},
        "time_entries": {"columns": {"customer_name": "Client", "date": "Date",
                                     "hours": "Hours"}},
    }
    ledger = load(invoices=write("i.csv", "n,c,d,t\n1,Acme,2025-01-02,5\n"),
                  time_entries=write("t.csv", text), mapping=mapping, base="EUR")
    assert [t.hours for t in ledger.time_entries] == [Decimal("1.5"), Decimal("2")]
    (rejection,) = ledger.report.rejected
    assert where(rejection) == ("t.csv", 3, "Hours")
    assert reason in rejection.reason
    assert len(str(rejection)) < 400  # a 5,000-digit cell is cut in the message


@pytest.mark.parametrize("preset", ["freshbooks", "wave"])
def test_terms_past_the_end_of_the_calendar_reject_the_row(write: Write, preset: str) -> None:
    # The presets whose exports have no due date: the issue date plus default_terms_days.
    if preset == "freshbooks":
        header = "Client Name,Invoice #,Date Issued,Invoice Status,Date Paid,Line Total,Currency\n"
        rows = ["Acme,1,2025-01-05,sent,,100.00,USD\n", "Acme,2,9999-12-31,sent,,100.00,USD\n",
                "Beta,3,2025-02-03,sent,,50.00,USD\n"]
        column = "Date Issued"
    else:
        header = ("Transaction ID,Transaction Date,Account Name,Transaction Description,"
                  "Debit Amount (Two Column Approach),Customer,Invoice Number\n")
        rows = ["1,2025-01-05,Accounts Receivable,Invoice 1,100.00,Acme,1\n",
                "2,9999-12-31,Accounts Receivable,Invoice 2,100.00,Acme,2\n",
                "3,2025-02-03,Accounts Receivable,Invoice 3,50.00,Beta,3\n"]
        column = "Transaction Date"
    ledger = load(invoices=write("x.csv", header + "".join(rows)), preset=preset, base="USD")
    assert sorted(i.number for i in ledger.invoices) == ["1", "3"]
    (rejection,) = ledger.report.rejected
    assert where(rejection) == ("x.csv", 3, column)
    assert "past the end of the calendar" in rejection.reason


def test_work_requests(write: Write) -> None:
    customers = "id,name\nC1,Acme\n"
    text = (
        "Ticket;Client;Opened;Wanted\n"
        "T-7;Acme;2025-03-03;2025-03-02\n"
        ";Acme;2025-03-03;2025-03-10\n"
    )
    mapping = {
        "customers": {"columns": {"id": "id", "name": "name"}},
        "work_requests": {"columns": {"id": "Ticket", "customer_name": "Client",
                                      "requested_on": "Opened", "wanted_by": "Wanted"}},
    }
    ledger = load(customers=write("c.csv", customers), work_requests=write("w.csv", text),
                  mapping=mapping)
    requests = {(w.requested_on, w.wanted_by): w.id for w in ledger.work_requests}
    assert requests[(date(2025, 3, 3), date(2025, 3, 2))] == "T-7"  # wanted "for yesterday"
    assert requests[(date(2025, 3, 3), date(2025, 3, 10))].startswith("w-")


# ---------------------------------------------------------------------- broken files

HEADER = "No,Client,Date,Due,Total,State,Cur\n"
GOOD = "1,Acme,2025-01-02,2025-02-01,10.00,sent,EUR\n"
BASIC: dict[str, Any] = {
    "invoices": {
        "columns": {"number": "No", "customer_name": "Client", "issue_date": "Date",
                    "due_date": "Due", "total": "Total", "status": "State", "currency": "Cur"},
        "status": {"open": ["sent"], "paid": ["paid"]},
    },
}


@pytest.mark.parametrize(
    ("bad_row", "column", "reason"),
    [
        ("2,Acme,2025-01-02,2025-02-01,1,5,sent,EUR", None, "the row has 8 fields but the "
                                                          "header has 7"),
        ("2,Acme,2025-01-02,2025-02-01,1O.00,sent,EUR", "Total", "'1O.00' is not an amount"),
        ("2,Acme,2025-01-02,2025-02-01,\"10,5\",sent,EUR", "Total", "set decimal = ','"),
        ("2,Acme,03/04/2025,2025-05-01,10,sent,EUR", "Date", "'03/04/2025' is ambiguous"),
        ("2,Acme,,2025-02-01,10,sent,EUR", "Date", "'Date' is empty"),
        ("2,Acme,2025-01-02,2025-02-01,10,lost,EUR", "State", "status 'lost' is not in the "
                                                              "mapping's [invoices.status]"),
        ("2,Acme,2025-01-02,2025-02-01,10,sent,EURO", "Cur", "'EURO' is not an upper-case ISO"),
        ("2,Acme,2025-01-02,2025-02-01,10,sent,XYZ", "Cur", "'XYZ' is not an upper-case ISO"),
        ("2,Acme,2025-01-02,2025-02-01,£10,sent,EUR", "Total", "'£10' is in GBP, but the row's "
                                                            "currency is EUR"),
        ("2,Acme,2025-01-02,2025-02-01,-10,sent,EUR", "Total", "negative"),
        ("2,Acme,2025-01-02", "Due", "the row has only 3 fields, so it has no 'Due'"),
        ('2,"Acme"x,2025-01-02,2025-02-01,10,sent,EUR', None, "the CSV cannot be read here"),
        ("2,,2025-01-02,2025-02-01,10,sent,EUR", "Client", "names no customer"),
        # impossible dates under a mapping without date_formats: the row, never the sync
        ("2,Acme,05/00/2025,2025-02-01,10,sent,EUR", "Date", "'05/00/2025' is not a date"),
        ("2,Acme,00/05/2025,2025-02-01,10,sent,EUR", "Date", "'00/05/2025' is not a date"),
        ("2,Acme,2025-01-02,31/02/2025,10,sent,EUR", "Due", "'31/02/2025' is not a date"),
        ("2,Acme,2025-13-01,2026-02-01,10,sent,EUR", "Date", "'2025-13-01' is not a date"),
        ("2,Acme,2025-01-02,0000-00-00,10,sent,EUR", "Due", "'0000-00-00' is not a date"),
        # a placeholder date: outside the dates a record may carry
        ("2,Acme,2025-01-02,9999-12-31,10,sent,EUR", "Due", "9999-12-31 is outside the dates"),
    ],
)
def test_each_broken_row_is_rejected_at_its_line_and_column(
    write: Write, bad_row: str, column: str | None, reason: str
) -> None:
    path = write("broken.csv", HEADER + GOOD + bad_row + "\n" + GOOD.replace("1,", "3,", 1))
    ledger = load(invoices=path, mapping=BASIC, base="EUR")
    assert [i.number for i in ledger.invoices] == ["1", "3"]  # lenient: the rest loads
    (rejection,) = ledger.report.rejected
    assert where(rejection) == ("broken.csv", 3, column)
    assert reason in rejection.reason
    text = str(rejection)
    assert "broken.csv, line 3" in text
    if column:
        assert f"column {column!r}" in text


def test_no_currency_anywhere_is_a_row_error_that_says_what_to_set(write: Write) -> None:
    mapping = {"invoices": {"default_terms_days": 0, "columns": {
        "number": "n", "customer_name": "c", "issue_date": "d", "total": "t"}}}
    ledger = load(invoices=write("c.csv", "n,c,d,t\n1,A,2025-01-01,1\n"), mapping=mapping,
                  base="EUR")
    (rejection,) = ledger.report.rejected
    assert 'add currency = "EUR"' in rejection.reason
    assert where(rejection)[:2] == ("c.csv", 2)


@pytest.mark.parametrize(
    ("payment", "column", "reason"),
    [
        ("Acme,9,2025-02-01,5", "Invoice", "no invoice has the number '9' in the invoices file"),
        ("Acme,1,2025-02-01,(5.00)", "Amount", "the amount -5.00 is negative: a refund"),
        ("Beta,1,2025-02-01,5", "Client", "invoice 1 belongs to customer 'Acme', not 'Beta'"),
        ("Acme,2,2025-02-01,5", "Invoice", "invoice number '2' was itself rejected ("),
        ("Acme,1,2025-13-01,5", "Date", "'2025-13-01' is not a date"),
    ],
)
def test_broken_payments(write: Write, payment: str, column: str, reason: str) -> None:
    invoices = (
        "No,Client,Date,Due,Total\n"
        "1,Acme,2025-01-02,2025-02-01,10\n"
        "2,Acme,2025-01-02,2025-02-01,1O\n"  # not an amount
    )
    mapping = {
        "currency": "EUR",
        "invoices": {"columns": {"number": "No", "customer_name": "Client", "issue_date": "Date",
                                 "due_date": "Due", "total": "Total"}},
        "payments": {"columns": {"customer_name": "Client", "invoice_number": "Invoice",
                                 "date": "Date", "amount": "Amount"}},
    }
    payments = "Client,Invoice,Date,Amount\nAcme,1,2025-02-01,1\n" + payment + "\n"
    ledger = load(invoices=write("i.csv", invoices), payments=write("p.csv", payments),
                  mapping=mapping, base="EUR")
    assert len(ledger.payments) == 1
    rejection = next(r for r in ledger.report.rejected if r.kind == "payment")
    assert where(rejection) == ("p.csv", 3, column)
    assert reason in rejection.reason


@pytest.mark.parametrize(("field", "key"), [("invoice_number", "number"), ("invoice_id", "id")])
def test_a_payment_naming_a_rejected_invoice_points_to_its_cell(
    write: Write, field: str, key: str
) -> None:
    # The invoices file has no id column: its number is the id a payment may name.
    invoices = write("i.csv", "No,Client,Date,Due,Total\n1,Acme,2025-01-02,2025-02-01,10\n"
                              "2,Acme,2025-01-02,2025-02-01,1O\n")
    payments = write("p.csv", "Client,Invoice,Date,Amount\nAcme,2,2025-02-01,5\n")
    mapping = {
        "currency": "EUR",
        "invoices": {"columns": {"number": "No", "customer_name": "Client", "issue_date": "Date",
                                 "due_date": "Due", "total": "Total"}},
        "payments": {"columns": {"customer_name": "Client", field: "Invoice", "date": "Date",
                                 "amount": "Amount"}},
    }
    ledger = load(invoices=invoices, payments=payments, mapping=mapping, base="EUR")
    rejection = next(r for r in ledger.report.rejected if r.kind == "payment")
    assert rejection.reason == (f"invoice {key} '2' was itself rejected ({invoices}, line 3, "
                                "column 'Total'), so nothing can be allocated to it")


def test_a_header_that_does_not_match_says_what_is_missing_and_what_was_found(write: Write) -> None:
    path = write("other.csv", "Invoice,Customer,Issued,Due,Total,State,Cur\n" + GOOD)
    with pytest.raises(CsvFileError) as caught:
        load(invoices=path, mapping=BASIC, base="EUR")
    message = str(caught.value)
    assert "Missing: 'No', 'Client', 'Date'" in message
    assert "has: 'Invoice', 'Customer', 'Issued', 'Due', 'Total', 'State', 'Cur'" in message
    assert "other.csv" in message
    assert "stream invoices" in message


def test_an_undecodable_line_is_a_rejection_naming_it(write: Write) -> None:
    polish_row = "4,Łódź,2025-01-02,2025-02-01,1,sent,EUR\n".encode("cp1250")
    content = (HEADER + GOOD * 3).encode("utf-8") + polish_row + b"5" + GOOD[1:].encode()
    ledger = load(invoices=write("enc.csv", content), mapping={**BASIC, "encoding": "utf-8"},
                  base="EUR")
    assert sorted(i.number for i in ledger.invoices) == ["1", "5"]  # the read goes on
    (rejection,) = ledger.report.rejected
    assert where(rejection) == ("enc.csv", 5, "Client")
    assert "not valid utf-8" in rejection.reason


@pytest.mark.parametrize("encoding", ["cp1250", "auto"])
def test_errors_in_a_cp1250_file_name_their_lines(write: Write, encoding: str) -> None:
    # Quoted cells with line breaks, CRLF endings and a preamble: each error at its line.
    text = (
        "Zestawienie faktur\r\n\r\n"
        + HEADER.replace("\n", "\r\n")
        + '1,"Spółka\r\nŁódź",2025-01-02,2025-02-01,10.00,sent,EUR\r\n'  # lines 4-5
        + "2,Żabka,2025-13-02,2025-02-01,10.00,sent,EUR\r\n"  # line 6: a bad date
        + '3,"Źdźbło\nsp. j.",2025-01-02,2025-02-01,10.00,sent,EUR\r\n'  # lines 7-8
        + "4,Ćma,2025-01-02,2025-02-01,1x0,sent,EUR\r\n"  # line 9: a bad amount
        + "5,Gęś \x98,2025-01-02,2025-02-01,1.00,sent,EUR\r\n"  # line 10: 0x98, no cp1250
    )
    content = b"".join(
        b"\x98" if part == "\x98" else part.encode("cp1250") for part in re.split("(\x98)", text)
    )
    ledger = load(invoices=write("pl.csv", content), mapping={**BASIC, "encoding": encoding},
                  base="EUR")
    assert [(where(r)[1], where(r)[2]) for r in ledger.report.rejected] == [
        (6, "Date"), (9, "Total"), (10, "Client"),
    ]
    assert sorted(i.number for i in ledger.invoices) == ["1", "3"]
    found = ledger.customer("Spółka Łódź")
    assert found is not None
    assert found.name == "Spółka Łódź"


def test_strict_mode_lists_every_rejection_capped_with_a_count(write: Write) -> None:
    bad = "".join(f"{n},Acme,2025-01-02,2025-02-01,x{n},sent,EUR\n" for n in range(2, 27))
    path = write("many.csv", HEADER + GOOD + bad)
    with pytest.raises(DataError) as caught:
        load(strict=True, invoices=path, mapping=BASIC, base="EUR")
    message = str(caught.value)
    assert message.startswith("25 problems")
    assert "many.csv, line 3, column 'Total'" in message  # the first bad row
    assert "many.csv, line 22, column 'Total'" in message  # the 20th is listed
    assert "line 23," not in message  # the 21st is not
    assert "... and 5 more" in message
    assert len(caught.value.problems) == 25
    lenient = load(invoices=path, mapping=BASIC, base="EUR")
    assert [i.number for i in lenient.invoices] == ["1"]
    assert [r.location.line for r in lenient.report.rejected if r.location] == list(range(3, 28))


def test_options_are_checked() -> None:
    with pytest.raises(cg.errors.ConfigError, match="either preset= or mapping="):
        CsvConnector(invoices="x.csv")
    with pytest.raises(cg.errors.ConfigError, match="give at least one file"):
        CsvConnector(preset="zoho")
    with pytest.raises(cg.errors.ConfigError, match="bogus: not an option"):
        CsvConnector(preset="zoho", invoices="x.csv", bogus=1)
    with pytest.raises(MappingError, match="no preset named"):
        CsvConnector(preset="nope", invoices="x.csv")


def test_files_for_a_stream_the_mapping_lacks(write: Write) -> None:
    conn = CsvConnector(preset="toggl", invoices=write("i.csv", "x\n"))
    # The message names the preset read, not "the mapping" (a preset is no file of the user's).
    with pytest.raises(MappingError,
                       match=r"files were given for invoices but preset toggl has no \[invoices\]"):
        cg.Ledger.from_connector(conn, base_currency="EUR")


def test_the_connector_is_registered_under_its_entry_point(write: Write) -> None:
    assert cg.connectors.load("csv") is CsvConnector
    assert cg.connectors.available()["csv"].distribution == "clientguard-csv"
    path = write("i.csv", HEADER + GOOD)
    conn = cg.connectors.load("csv")(invoices=path, mapping=BASIC)
    assert cg.Ledger.from_connector(conn, base_currency="EUR").invoices[0].number == "1"


def test_lower_case_currency_codes_are_read(write: Write) -> None:
    ledger = load(invoices=write("l.csv", HEADER + GOOD.replace("EUR", "eur")), mapping=BASIC,
                  base="EUR")
    assert ledger.invoices[0].currency == "EUR"


def test_ids_and_names_compare_with_whitespace_made_one_space(write: Write) -> None:
    invoices = "No,Client,Date,Due,Total\nFV\u00a01,Acme  Ltd,2025-01-02,2025-02-01,10\n"
    payments = "Invoice,Client,Date,Amount\nFV 1,Acme Ltd,2025-01-10,10\n"
    mapping = {
        "currency": "EUR",
        "invoices": {"columns": {"number": "No", "customer_name": "Client", "issue_date": "Date",
                                 "due_date": "Due", "total": "Total"}},
        "payments": {"columns": {"invoice_number": "Invoice", "customer_name": "Client",
                                 "date": "Date", "amount": "Amount"}},
    }
    ledger = load(invoices=write("i.csv", invoices), payments=write("p.csv", payments),
                  mapping=mapping, base="EUR")
    assert ledger.report.ok
    assert [i.id for i in ledger.invoices] == ["FV 1"]
    assert [c.id for c in ledger.customers] == ["Acme Ltd"]
    assert ledger.payments[0].allocations[0].invoice_id == "FV 1"


def test_a_row_due_before_its_issue_date_loads_due_on_its_issue_date_with_its_line(
    write: Write,
) -> None:
    # Issued after the money came in: real revenue, kept (DESIGN §3), and the note names the
    # file and line so the user can look at the row.
    path = write("early.csv", HEADER + GOOD + "2,Acme,2025-01-02,2024-12-01,10,sent,EUR\n")
    ledger = load(invoices=path, mapping=BASIC, base="EUR")
    assert ledger.report.rejected == ()
    assert [(i.number, i.due_date) for i in ledger.invoices] == [
        ("1", date(2025, 2, 1)), ("2", date(2025, 1, 2))]
    (note,) = ledger.report.adjusted
    assert (note.field, note.source_value) == ("due_date", "2024-12-01")
    assert note.location is not None
    assert (Path(note.location.file or "").name, note.location.line) == ("early.csv", 3)


def test_a_disputed_column_and_a_dispute_date_mark_invoices_disputed(write: Write) -> None:
    text = (
        "n,c,d,t,Disputed,Raised\n"
        "1,Acme,2025-01-02,5,Yes,2025-01-20\n"
        "2,Acme,2025-01-03,5,no,\n"
        "3,Acme,2025-01-04,5,,2025-02-01\n"
        "4,Acme,2025-01-05,5,,\n"
        "5,Acme,2025-01-06,5,No,2025-02-01\n"
        "6,Acme,2025-01-07,5,maybe,\n"
    )
    mapping = {
        "currency": "EUR",
        "invoices": {"default_terms_days": 14, "columns": {
            "number": "n", "customer_name": "c", "issue_date": "d", "total": "t",
            "disputed": "Disputed", "disputed_on": "Raised"}},
    }
    ledger = load(invoices=write("i.csv", text), mapping=mapping, base="EUR")
    assert [(i.number, i.disputed, i.disputed_on) for i in ledger.invoices] == [
        ("1", True, date(2025, 1, 20)),
        ("2", False, None),
        ("3", True, date(2025, 2, 1)),  # a dispute date alone marks it disputed
        ("4", False, None),
    ]
    rejected = {where(r): r.reason for r in ledger.report.rejected}
    assert [(line, column) for (_, line, column) in rejected] == [
        (6, "Raised"), (7, "Disputed")]
    assert "says the invoice is not disputed" in next(iter(rejected.values()))


GROUPED: dict[str, Any] = {
    "currency": "EUR",
    "invoices": {
        "group_rows": True,
        "columns": {"id": "Id", "customer_name": "Client", "issue_date": "Date",
                    "due_date": "Due", "total": "Total"},
    },
}


@pytest.mark.parametrize(
    ("rows", "duplicates", "folded"),
    [
        # an identical repeat of a row: folded into its invoice, and counted
        (["1,Acme,2025-01-02,2025-02-01,10,Pen", "1,Acme,2025-01-02,2025-02-01,10,Pen",
          "2,Beta,2025-01-02,2025-02-01,5,Ink"], 1, 0),
        # two line items of one invoice: folded as line items, no duplicate
        (["1,Acme,2025-01-02,2025-02-01,10,Pen", "1,Acme,2025-01-02,2025-02-01,10,Paper",
          "2,Beta,2025-01-02,2025-02-01,5,Ink"], 0, 1),
        # a repeat and a line item; an invoice of its own repeated twice
        (["1,Acme,2025-01-02,2025-02-01,10,Pen", "1,Acme,2025-01-02,2025-02-01,10,Paper",
          "1,Acme,2025-01-02,2025-02-01,10,Pen", "2,Beta,2025-01-02,2025-02-01,5,Ink",
          "2,Beta,2025-01-02,2025-02-01,5,Ink", "2,Beta,2025-01-02,2025-02-01,5,Ink"], 3, 1),
    ],
)
def test_identical_rows_folded_into_a_document_are_counted(
    write: Write, rows: list[str], duplicates: int, folded: int
) -> None:
    path = write("g.csv", "Id,Client,Date,Due,Total,Item\n" + "\n".join(rows) + "\n")
    connector = CsvConnector(invoices=path, mapping=GROUPED)
    pages = list(connector.sync())
    assert sum(p.duplicates for p in pages) == duplicates
    assert sorted(r.id for p in pages for r in p.records if isinstance(r, cg.Invoice)) == [
        "1", "2"]
    (log,) = connector.inspect().files
    assert (log.rows, log.duplicates, log.folded) == (len(rows), duplicates, folded)
    assert log.rows == 2 + log.duplicates + log.folded  # every row is accounted for


def test_an_identical_row_of_an_ungrouped_file_is_a_duplicate_of_the_sync(write: Write) -> None:
    path = write("i.csv", HEADER + GOOD + GOOD)
    pages = list(CsvConnector(invoices=path, mapping=BASIC).sync())
    assert sum(p.duplicates for p in pages) == 1
    assert [r.id for p in pages for r in p.records if isinstance(r, cg.Invoice)] == ["1"]


def test_a_rejection_quoting_a_huge_cell_keeps_a_short_reason(write: Write) -> None:
    huge = "9" * 5000
    path = write("h.csv", HEADER + GOOD + f"2,Acme,{huge},2025-02-01,10.00,sent,EUR\n")
    (rejection,) = load(invoices=path, mapping=BASIC, base="EUR").report.rejected
    assert where(rejection) == ("h.csv", 3, "Date")
    assert len(rejection.reason) <= 500
    assert rejection.reason.startswith("'9999")
    assert rejection.reason.endswith("name it in date_formats (e.g. [\"%d.%m.%Y\"] or "
                                     "[\"%m/%d/%y\"])")


@pytest.mark.parametrize("error", [ArithmeticError, OverflowError, ValueError, LookupError])
def test_an_error_no_check_foresaw_rejects_its_row_and_the_sync_goes_on(
    write: Write, monkeypatch: pytest.MonkeyPatch, error: type[Exception]
) -> None:
    from clientguard_csv.fields import FieldReader

    real = FieldReader.status_of_value

    def status(self: FieldReader, value: str | None) -> str | None:
        if value == "boom":
            raise error("an unforeseen cell")
        return real(self, value)

    monkeypatch.setattr(FieldReader, "status_of_value", status)
    path = write("b.csv", HEADER + GOOD + "2,Acme,2025-01-02,2025-02-01,10.00,boom,EUR\n"
                 + GOOD.replace("1,", "3,", 1))
    ledger = load(invoices=path, mapping=BASIC, base="EUR")
    assert [i.number for i in ledger.invoices] == ["1", "3"]
    (rejection,) = ledger.report.rejected
    assert where(rejection)[:2] == ("b.csv", 3)
    assert "the row cannot be read" in rejection.reason
    assert "an unforeseen cell" in rejection.reason
