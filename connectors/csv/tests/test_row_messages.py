"""Cells and rows that look like something they are not: a Polish whole amount (``150,-``),
an Excel serial date, thousands grouped with another separator, a duration of 60 minutes, the
header again in the middle of a file. Each either reads as the file means it, or is rejected
at its line and column with what it is and what to do; the good rows load, and the row reader
and the columnar reader give the same."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import clientguard as cg
from clientguard.records import Rejection
from clientguard_csv import CsvConnector
from clientguard_csv.columnar import arrow_available
from clientguard_csv.mapping import mapping_from_dict
from clientguard_csv.reading import Item, Loaded, Reader, ReadLog, read_records

Write = Callable[..., Path]

READERS: tuple[Reader, ...] = ("python", "arrow") if arrow_available() else ("python",)

INVOICES: dict[str, Any] = {
    "currency": "PLN",
    "delimiter": ";",
    "decimal": ",",
    "invoices": {"columns": {"number": "Nr", "customer_name": "Klient", "issue_date": "Data",
                             "due_date": "Termin", "total": "Kwota"}},
}


def read(write: Write, mapping: dict[str, Any], **texts: str) -> tuple[list[Item], ReadLog]:
    """Read the files (stream to content) both ways; the items and log, the same either way."""
    paths = {stream: [write(f"{stream}.csv", text)] for stream, text in texts.items()}
    parsed = mapping_from_dict(mapping)
    outcomes = []
    for reader in READERS:
        log = ReadLog()
        outcomes.append((list(read_records(parsed, paths, log=log, reader=reader)), log))
    (items, log), *others = outcomes
    for other_items, other_log in others:
        assert other_items == items
        assert [i.location for i in other_items] == [i.location for i in items]
        assert other_log == log
    return items, log


def records(items: list[Item], kind: type[Any]) -> list[Any]:
    return [i.record for i in items if isinstance(i, Loaded) and isinstance(i.record, kind)]


def rejections(items: list[Item]) -> list[tuple[int | None, str | None, str]]:
    """Each rejection's line, column and reason."""
    return [(r.location.line if r.location else None, r.location.column if r.location else None,
             r.reason) for r in items if isinstance(r, Rejection)]


# ---------------------------------------------------------------------- 150,- (a whole amount)


@pytest.mark.parametrize("cell", ["150,-", "150,- zł", "150,--", "PLN 150,-"])
def test_a_comma_dash_amount_is_a_whole_amount_not_a_negative_one(
    write: Write, cell: str
) -> None:
    items, _ = read(write, INVOICES, invoices=(
        f"Nr;Klient;Data;Termin;Kwota\nFV/1;Acme;2025-01-10;2025-02-10;{cell}\n"))
    assert not rejections(items)
    (invoice,) = records(items, cg.Invoice)
    assert invoice.total == Decimal("150.00")


def test_a_comma_dash_payment_under_negate_is_a_refund_not_a_receipt(write: Write) -> None:
    # A file that writes money received as negatives: "150,-" is a positive 150 in its
    # notation, so a refund, rejected as one; "-50,00" is a receipt of 50.
    mapping = {**INVOICES, "payments": {"amount_sign": "negate", "columns": {
        "invoice_number": "Nr", "amount": "Kwota", "date": "Data"}}}
    items, _ = read(
        write, mapping,
        invoices="Nr;Klient;Data;Termin;Kwota\nFV/1;Acme;2025-01-10;2025-02-10;500,00\n",
        payments="Nr;Kwota;Data\nFV/1;150,-;2025-01-20\nFV/1;-50,00;2025-01-21\n",
    )
    assert [p.amount for p in records(items, cg.Payment)] == [Decimal("50.00")]
    ((line, column, reason),) = rejections(items)
    assert (line, column) == (2, "Kwota")
    assert reason.startswith("the amount -150.00 is negative")


# ---------------------------------------------------------------------- thousands


@pytest.mark.parametrize(
    ("cell", "thousands", "setting"),
    [
        ("1 234,56", ".", 'set thousands = " "'),
        ("1\u00a0234,56", ".", 'set thousands = " "'),
        ("1'234,56", ".", "set thousands = \"'\""),
        ("1 234,56", "", 'set thousands = " "'),
    ],
)
def test_thousands_grouped_another_way_say_which_setting_reads_them(
    write: Write, cell: str, thousands: str, setting: str
) -> None:
    mapping = {**INVOICES, "thousands": thousands}
    items, _ = read(write, mapping, invoices=(
        f"Nr;Klient;Data;Termin;Kwota\nFV/1;Acme;2025-01-10;2025-02-10;{cell}\n"
        "FV/2;Acme;2025-01-10;2025-02-10;10,00\n"))
    assert [i.number for i in records(items, cg.Invoice)] == ["FV/2"]
    ((line, column, reason),) = rejections(items)
    assert (line, column) == (2, "Kwota")
    assert reason.startswith(f"{cell!r} is not an amount: it groups thousands with")
    assert reason.endswith(f"{setting} in the mapping to read it")


# ---------------------------------------------------------------------- Excel serial dates


@pytest.mark.parametrize("formats", [None, ["%d.%m.%Y"]])
def test_an_excel_serial_date_says_what_it_is_and_what_to_do(
    write: Write, formats: list[str] | None
) -> None:
    mapping = {**INVOICES, **({"date_formats": formats} if formats else {})}
    items, _ = read(write, mapping, invoices=(
        "Nr;Klient;Data;Termin;Kwota\nFV/1;Acme;45667;45698;10,00\n"))
    ((line, column, reason),) = rejections(items)
    assert (line, column) == (2, "Data")
    assert ("It looks like an Excel serial date number (45667 is 2025-01-10 in Excel's "
            "count): export the column formatted as dates, or add \"excel\" to date_formats "
            "in the mapping") in reason


def test_date_formats_excel_reads_serial_dates(write: Write) -> None:
    mapping = {**INVOICES, "date_formats": ["excel", "%d.%m.%Y"]}
    items, _ = read(write, mapping, invoices=(
        "Nr;Klient;Data;Termin;Kwota\nFV/1;Acme;45667;45698.5;10,00\n"
        "FV/2;Acme;10.01.2025;24.01.2025;10,00\nFV/3;Acme;60;61;10,00\n"))
    assert [(i.number, i.issue_date, i.due_date) for i in records(items, cg.Invoice)] == [
        ("FV/1", date(2025, 1, 10), date(2025, 2, 10)),
        ("FV/2", date(2025, 1, 10), date(2025, 1, 24)),
    ]
    ((line, column, reason),) = rejections(items)
    assert (line, column) == (4, "Data")
    assert "'60' is 29 February 1900 in Excel's count, a day that never was" in reason


# ---------------------------------------------------------------------- durations


@pytest.mark.parametrize(
    ("field", "cell", "unit"),
    [("hours", "1:60", "minutes"), ("duration", "1:75", "minutes"),
     ("duration", "1:30:60", "seconds")],
)
def test_a_duration_of_sixty_minutes_says_they_must_be_below_60(
    write: Write, field: str, cell: str, unit: str
) -> None:
    mapping = {"currency": "EUR", "customers": {"columns": {"name": "Name"}},
               "time_entries": {"columns": {"customer_name": "Client", "date": "Date",
                                            field: "Time"}}}
    items, _ = read(write, mapping, customers="Name\nAcme\n", time_entries=(
        f"Client,Date,Time\nAcme,2025-01-02,{cell}\nAcme,2025-01-02,1:30\n"))
    assert [e.hours for e in records(items, cg.TimeEntry)] == [Decimal("1.5")]
    assert rejections(items) == [(2, "Time", f"{cell!r} is not a duration: its {unit} must be "
                                  "below 60 (h:mm or h:mm:ss); fix the cell")]


# ---------------------------------------------------------------------- a header again


def test_the_header_again_in_the_middle_of_a_file_is_said_to_be_one(write: Write) -> None:
    # Two exports joined into one file: the second's header is a row of the first.
    header = "Nr;Klient;Data;Termin;Kwota\n"
    items, log = read(write, INVOICES, invoices=(
        header + "FV/1;Acme;2025-01-10;2025-02-10;10,00\n"
        + header + "FV/2;Acme;2025-01-11;2025-02-11;20,00\n"))
    assert [i.number for i in records(items, cg.Invoice)] == ["FV/1", "FV/2"]
    ((line, column, reason),) = rejections(items)
    assert (line, column) == (3, None)
    assert reason.startswith("this row repeats the header (line 1), as where two exports were "
                             "joined into one file")
    assert (log.files[0].rows, log.files[0].rejected) == (3, 1)


@pytest.mark.parametrize("reader", READERS)
def test_a_lenient_load_keeps_the_header_row_in_its_report(write: Write, reader: Reader) -> None:
    path = write("joined.csv", "Nr;Klient;Data;Termin;Kwota\nFV/1;Acme;2025-01-10;2025-02-10;"
                 "10,00\nNr;Klient;Data;Termin;Kwota\n")
    ledger = cg.Ledger.from_connector(CsvConnector(invoices=path, mapping=INVOICES,
                                                   reader=reader),
                                      base_currency="PLN", strict=False)
    assert [i.number for i in ledger.invoices] == ["FV/1"]
    (rejection,) = ledger.report.rejected
    assert rejection.location is not None
    assert (Path(rejection.location.file or "").name, rejection.location.line) == (
        "joined.csv", 3)
    assert "repeats the header" in rejection.reason
