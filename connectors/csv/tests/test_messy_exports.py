"""What real exports hold that a careful reader must not get wrong: two companies of one name
told apart by their tax ids, a totals line at the end, a header written in decomposed
Unicode. Each file is read both ways (the row reader and the columnar reader), and the two
must give the same."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from clientguard.model import Invoice
from clientguard.records import Rejection
from clientguard_csv.columnar import arrow_available
from clientguard_csv.mapping import mapping_from_dict
from clientguard_csv.names import other_taxpayer
from clientguard_csv.reading import Item, Loaded, Reader, ReadLog, Skipped, read_records

Write = Callable[..., Path]

READERS: tuple[Reader, ...] = ("python", "arrow") if arrow_available() else ("python",)


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


def customer_of_each_invoice(items: list[Item]) -> dict[str, str]:
    return {i.record.id: i.record.customer_id for i in items
            if isinstance(i, Loaded) and isinstance(i.record, Invoice)}


def rejections(items: list[Item]) -> list[tuple[int | None, str | None, str]]:
    """Each rejection's line, column and reason."""
    return [(r.location.line if r.location else None, r.location.column if r.location else None,
             r.reason) for r in items if isinstance(r, Rejection)]


# ---------------------------------------------------------------- tax ids

@pytest.mark.parametrize(
    ("a", "b", "two_taxpayers"),
    [
        ("5252445767", "1234563218", True),
        ("PL 525-244-57-67", "5252445767", False),  # a NIP with and without its VAT prefix
        ("525.244.57.67", "525 244 57 67", False),
        # Nine digits typed bare identify no one (Germany's? a phone?): names decide.
        ("DE123456789", "123456789", False),
        ("ATU12345678", "U12345678", False),  # Austria: the prefix is AT, then U
        ("DK12345678", "12345678", False),  # a VAT number with and without its prefix
        ("DE123456789", "EE123456789", True),  # two states' numbers of the same digits
        ("DK12345678", "MT12345678", True),  # (core: same_taxpayer is False)
        ("DK12345678", "12345679", True),  # other digits
        # One number the core reads as one (before, the CSV reader refused the second row as
        # another company's): Northern Ireland's XI number is the UK's GB one, a Swiss UID
        # with its VAT suffix in German or French is the same UID.
        ("XI123456789", "GB 123 4567 89", False),
        ("CHE-116.281.710 MWST", "CHE-116.281.710 TVA", False),
        ("5252445767", None, False),  # a row without a tax id says nothing
        ("5252445767", " - ", False),
    ],
)
def test_two_tax_ids_name_two_taxpayers_only_when_they_differ_in_substance(
    a: str, b: str | None, two_taxpayers: bool
) -> None:
    assert other_taxpayer(a, b) is two_taxpayers
    assert other_taxpayer(b, a) is two_taxpayers


TAXED: dict[str, Any] = {
    "currency": "PLN",
    "delimiter": ";",
    "decimal": ",",
    "date_formats": ["%d.%m.%Y"],
    "invoices": {
        "default_terms_days": 14,
        "columns": {"number": "Numer", "customer_name": "Kontrahent",
                    "customer_tax_id": "NIP", "issue_date": "Data", "total": "Brutto"},
    },
}
TAXED_HEADER = "Numer;Kontrahent;NIP;Data;Brutto\n"


@pytest.mark.parametrize(
    ("rows", "customers", "rejected"),
    [
        # Names that normalise alike, one company: one customer.
        (["F/1;Acme Sp. z o.o.;525-244-57-67", "F/2;ACME sp. z o.o.;PL 5252445767",
          "F/3;Acme;"],
         {"F/1": "Acme Sp. z o.o.", "F/2": "Acme Sp. z o.o.", "F/3": "Acme Sp. z o.o."}, []),
        # Two companies of one name, told apart by their NIPs: the second is not merged into
        # the first (its invoices would be the first one's debts).
        (["F/1;Acme Sp. z o.o.;5252445767", "F/2;Acme S.A.;1234563218",
          "F/3;ACME Sp. z o.o.;5252445767"],
         {"F/1": "Acme Sp. z o.o.", "F/3": "Acme Sp. z o.o."}, [(3, "Acme S.A.", "1234563218")]),
        # The very same name, two NIPs.
        (["F/1;Acme;5252445767", "F/2;Acme;1234563218"], {"F/1": "Acme"},
         [(3, "Acme", "1234563218")]),
        # A customer first seen without a NIP takes the first one a row gives it.
        (["F/1;Acme;", "F/2;Acme S.A.;1234563218", "F/3;Acme Sp. z o.o.;5252445767"],
         {"F/1": "Acme", "F/2": "Acme"}, [(4, "Acme Sp. z o.o.", "5252445767")]),
    ],
)
def test_a_name_never_merges_two_tax_ids(
    rows: list[str], customers: dict[str, str], rejected: list[tuple[int, str, str]],
    write: Write,
) -> None:
    text = TAXED_HEADER + "".join(f"{row};01.02.2026;100,00\n" for row in rows)
    items, _ = read(write, TAXED, invoices=text)
    assert customer_of_each_invoice(items) == customers
    found = rejections(items)
    assert [(line, column) for line, column, _ in found] == [(n, "NIP") for n, _, _ in rejected]
    for (_, _, reason), (_, name, tax_id) in zip(found, rejected, strict=True):
        assert reason.startswith(f"customer {name!r} has the tax id {tax_id!r}, but customer ")
        assert "map the tax id column as customer_id" in reason


def test_a_name_matching_a_customers_file_customer_of_another_tax_id_is_rejected(
    write: Write,
) -> None:
    mapping = {**TAXED, "customers": {"columns": {"id": "Id", "name": "Nazwa", "tax_id": "NIP"}}}
    customers = "Id;Nazwa;NIP\nK1;Acme Sp. z o.o.;525-244-57-67\n"
    invoices = (TAXED_HEADER + "F/1;Acme;PL5252445767;01.02.2026;100,00\n"
                "F/2;Acme S.A.;1234563218;01.02.2026;100,00\n")
    items, _ = read(write, mapping, customers=customers, invoices=invoices)
    assert customer_of_each_invoice(items) == {"F/1": "K1"}
    [(line, column, reason)] = rejections(items)
    assert (line, column) == (3, "NIP")
    assert "customer 'K1', whose name it matches, has the tax id '5252445767'" in reason
    assert "customers.csv, line 2" in reason


# ---------------------------------------------------------------- totals lines

POLISH: dict[str, Any] = {
    "currency": "PLN",
    "delimiter": ";",
    "decimal": ",",
    "date_formats": ["%d.%m.%Y"],
    "invoices": {
        "default_terms_days": 14,
        "columns": {"number": "Numer", "customer_name": "Kontrahent", "issue_date": "Data",
                    "total": "Brutto"},
    },
}
POLISH_HEADER = "Numer;Kontrahent;Data;Brutto\n"
GOOD_ROWS = "F/1;Acme;01.02.2026;100,00\nF/2;Beta;01.02.2026;200,00\n"


@pytest.mark.parametrize(
    ("last_row", "word", "how"),
    [
        (";;;300,00", None, None),  # no label: the ordinary rejection
        # (A bare word with no customer and no date, "Razem;;;300,00", is skipped: below.)
        ("RAZEM PLN;;;300,00", "RAZEM PLN", "skip_blank = ['Kontrahent']"),
        ("Razem;;01.02.2026;300,00", "Razem", "skip_blank = ['Kontrahent']"),
        (";Razem;;300,00", "Razem", "skip_blank = ['Numer']"),
        (";Total for Acme;;300,00", "Total for Acme", "skip_blank = ['Numer']"),
        ("Ogółem;2 faktury;;300,00", "Ogółem", "skip_blank = ['Data']"),
        # A customer whose name starts with the word is a customer, not a totals line.
        (";Total Polska;01.02.2026;300,00", None, None),
    ],
)
def test_a_totals_line_is_rejected_saying_what_it_is_and_how_to_leave_it_out(
    last_row: str, word: str | None, how: str | None, write: Write
) -> None:
    items, _ = read(write, POLISH, invoices=POLISH_HEADER + GOOD_ROWS + last_row + "\n")
    assert customer_of_each_invoice(items) == {"F/1": "Acme", "F/2": "Beta"}
    [(line, column, reason)] = rejections(items)
    assert line == 4
    if word is None:
        assert "totals line" not in reason
        return
    assert column is None
    assert reason == (f"this row is a totals line ({word!r}), not a record: leave such lines "
                      f"out with {how} in the mapping's [invoices] table (the rows it leaves out "
                      "are counted as skipped)")


# A totals word alone (or before a colon) where the number is, with no customer and no date: no
# record can be made of the row, and docs/connectors/csv.md (*Polish tools*) says such lines are
# read "without further settings": skipped and counted as skipped, by both readers (until
# 2026-12-08 rejected, "odrzucone: 3" in a reviewer's file, asking for skip_blank).
@pytest.mark.parametrize(
    ("last_row", "word"),
    [("Razem;;;300,00", "Razem"), ("Suma:;;;300,00", "Suma:"), ("OGÓŁEM;;;", "OGÓŁEM"),
     ("  Łącznie ;;;300,00", "Łącznie"), ('="Total";;;300,00', "Total"),
     ("Grand total;;;300,00", "Grand total")],
)
def test_a_bare_totals_line_is_skipped_and_counted(
    last_row: str, word: str, write: Write
) -> None:
    items, log = read(write, POLISH, invoices=POLISH_HEADER + GOOD_ROWS + last_row + "\n")
    assert customer_of_each_invoice(items) == {"F/1": "Acme", "F/2": "Beta"}
    assert rejections(items) == []
    [skipped] = [i for i in items if isinstance(i, Skipped)]
    assert skipped.location.line == 4
    assert skipped.reason == (f"invoices: a totals line ({word!r}) with no customer and no "
                              "date, not a record")
    # Two customers and two invoices made, one row skipped, none rejected.
    assert [(f.rows, f.records, f.skipped, f.rejected) for f in log.files] == [(3, 4, 1, 0)]


def test_a_bare_totals_line_of_a_grouped_file_is_skipped_and_ends_the_document(
    write: Write
) -> None:
    # F/1 on two rows, the totals line, then F/2: the line is no row of F/1's document.
    mapping = {**POLISH, "invoices": {**POLISH["invoices"], "group_rows": True}}
    items, log = read(write, mapping, invoices=POLISH_HEADER + "F/1;Acme;01.02.2026;100,00\n"
                      "F/1;Acme;01.02.2026;100,00\nRazem;;;200,00\nF/2;Beta;01.02.2026;200,00\n")
    assert customer_of_each_invoice(items) == {"F/1": "Acme", "F/2": "Beta"}
    assert rejections(items) == []
    assert [i.location.line for i in items if isinstance(i, Skipped)] == [4]
    assert [(f.skipped, f.rejected) for f in log.files] == [(1, 0)]


INVOICES_FOR_OTHERS = POLISH_HEADER + GOOD_ROWS + "F/3;Gamma;01.02.2026;1,00\n"


# A totals word whose row still names a record is rejected, not skipped: a payment's or credit
# note's invoice says whose it is (the mapping may take it for the customer), a due date says
# when. docs/connectors/csv.md (*Polish tools*) says a totals line naming a customer or a date
# is rejected (until 2026-12-08 these three were skipped as "with no customer and no date").
@pytest.mark.parametrize(
    ("stream", "header", "last_row", "word", "columns"),
    [
        ("payments", "Id;Faktura;Data;Kwota\n", "Suma:;F/3;;1,00", "Suma:",
         {"id": "Id", "invoice_number": "Faktura", "date": "Data", "amount": "Kwota"}),
        ("payments", "Id;Faktura;Data;Kwota\n", "Suma:;F/3;;1,00", "Suma:",
         {"id": "Id", "invoice_id": "Faktura", "date": "Data", "amount": "Kwota"}),
        ("credit_notes", "Nr;Faktura;Data;Kwota\n", "Suma;F/2;;20,00", "Suma",
         {"number": "Nr", "invoice_number": "Faktura", "issue_date": "Data", "total": "Kwota"}),
    ],
)
def test_a_totals_word_on_a_row_naming_an_invoice_is_rejected(
    stream: str, header: str, last_row: str, word: str, columns: dict[str, str], write: Write
) -> None:
    mapping = {**POLISH, stream: {"columns": columns}}
    first = "P1;F/1;05.02.2026;10,00\n"
    items, log = read(write, mapping, invoices=INVOICES_FOR_OTHERS,
                      **{stream: header + first + last_row + "\n"})
    assert [i for i in items if isinstance(i, Skipped)] == []
    [(line, _, reason)] = rejections(items)
    assert line == 3  # the header, P1 (or K/1), then the totals-word row
    assert reason.startswith(f"this row is a totals line ({word!r}), not a record")
    # The invoices file: none skipped or rejected; the second file: one rejected, none skipped.
    assert [(f.skipped, f.rejected) for f in log.files] == [(0, 0), (0, 1)]


def test_a_totals_word_on_an_invoice_row_with_a_due_date_is_rejected(write: Write) -> None:
    mapping = {**POLISH, "invoices": {"columns": {
        **POLISH["invoices"]["columns"], "due_date": "Termin"}}}
    text = ("Numer;Kontrahent;Data;Termin;Brutto\nF/1;Acme;01.02.2026;15.02.2026;50,00\n"
            "Total;;;15.02.2026;50,00\n")
    items, log = read(write, mapping, invoices=text)
    assert [i for i in items if isinstance(i, Skipped)] == []
    [(line, _, reason)] = rejections(items)
    assert line == 3
    assert reason.startswith("this row is a totals line ('Total'), not a record")
    assert [(f.skipped, f.rejected) for f in log.files] == [(0, 1)]


# A customer joined from two columns (``join``): the bare totals line leaves both empty and is
# skipped like any other (until 2026-12-08 rejected, asking for skip_blank); a row with either
# half filled names a customer and stays rejected.
@pytest.mark.parametrize(
    ("last_row", "skipped"),
    [("Razem;;;;100,00", True), ("Razem;Jan;;;100,00", False), ("Razem;;Kowalski;;100,00", False)],
)
def test_a_bare_totals_line_with_a_joined_customer(
    last_row: str, skipped: bool, write: Write
) -> None:
    mapping = {**POLISH, "invoices": {**POLISH["invoices"], "columns": {
        **POLISH["invoices"]["columns"], "customer_name": {"join": ["Imię", "Nazwisko"]}}}}
    text = "Numer;Imię;Nazwisko;Data;Brutto\nF/1;Jan;Kowalski;01.02.2026;100,00\n" + last_row
    items, log = read(write, mapping, invoices=text + "\n")
    assert customer_of_each_invoice(items) == {"F/1": "Jan Kowalski"}
    assert [i.location.line for i in items if isinstance(i, Skipped)] == ([3] if skipped else [])
    assert [line for line, _, _ in rejections(items)] == ([] if skipped else [3])
    assert [(f.skipped, f.rejected) for f in log.files] == [(1, 0) if skipped else (0, 1)]


def test_the_suggested_rule_leaves_the_totals_line_out_and_counts_it(write: Write) -> None:
    mapping = {**POLISH, "invoices": {**POLISH["invoices"], "skip_blank": ["Kontrahent"]}}
    items, log = read(write, mapping,
                      invoices=POLISH_HEADER + GOOD_ROWS + "Razem;;;300,00\n")
    assert customer_of_each_invoice(items) == {"F/1": "Acme", "F/2": "Beta"}
    assert rejections(items) == []
    assert [f.skipped for f in log.files] == [1]


def test_a_totals_line_of_a_grouped_file_is_named_too(write: Write) -> None:
    mapping = {**POLISH, "invoices": {**POLISH["invoices"], "group_rows": True}}
    items, _ = read(write, mapping, invoices=POLISH_HEADER + GOOD_ROWS + ";Razem;;300,00\n")
    [(line, _, reason)] = rejections(items)
    assert line == 4
    assert reason.startswith("this row is a totals line ('Razem'), not a record: leave such "
                             "lines out with skip_blank = ['Numer']")


# ---------------------------------------------------------------- headers

def test_a_header_in_decomposed_unicode_matches_the_mapping(write: Write) -> None:
    """A file made on a Mac may write ``ł`` ``ó`` as a letter and a combining accent (NFD);
    the mapping's ``Kwota płatności`` is the same column."""
    mapping = {**POLISH, "invoices": {**POLISH["invoices"], "columns": {
        **POLISH["invoices"]["columns"], "total": "Kwota płatności"}}}
    header = unicodedata.normalize("NFD", "Numer;Kontrahent;Data;Kwota płatności\n")
    assert "s\u0301" in header  # ś as s and a combining acute accent
    items, _ = read(write, mapping, invoices=header + GOOD_ROWS)
    assert customer_of_each_invoice(items) == {"F/1": "Acme", "F/2": "Beta"}


# ---------------------------------------------------------------- currency symbols

@pytest.mark.parametrize(
    ("cell", "currency", "reason"),
    [
        ("zł", "PLN", None),  # as in an amount's cell: 1.234,56 zł is PLN
        ("€", "EUR", None),
        ("£", "GBP", None),
        ("pln", "PLN", None),
        ("$", None, "the currency '$' is the symbol of several currencies: write the ISO 4217 "
                    "code (USD, CAD...) in the file, or leave the column out and set currency "
                    "in the mapping"),
        ("EURO", None, "'EURO' is not an upper-case ISO 4217 currency code"),
    ],
)
def test_a_currency_symbol_in_the_currency_column_names_its_currency(
    cell: str, currency: str | None, reason: str | None, write: Write
) -> None:
    mapping = {**POLISH, "invoices": {**POLISH["invoices"], "columns": {
        **POLISH["invoices"]["columns"], "currency": "Waluta"}}}
    items, _ = read(write, mapping,
                    invoices=f"Numer;Kontrahent;Data;Brutto;Waluta\nF/1;Acme;01.02.2026;1,00;{cell}\n")
    invoices = [i.record for i in items if isinstance(i, Loaded) and isinstance(i.record, Invoice)]
    assert [i.currency for i in invoices] == ([currency] if currency else [])
    if reason is not None:
        [(line, column, found)] = rejections(items)
        assert (line, column) == (2, "Waluta")
        assert reason in found
