"""The numbers of a ledger of several sources: a client's hours, revenue and documents counted
once, whichever way the sources are put together (one build, or a ledger per source merged)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientguard import Ledger, review
from clientguard.ledger import SameInTwoSources
from clientguard.model import AnyRecord
from clientguard.money import FxTable
from clientguard.testing import customer, invoice, time_entry

AS_OF = date(2025, 6, 30)


def books() -> list[AnyRecord]:
    """The invoicing tool: two clients, 100.00 each."""
    return [
        customer("acme", "Acme Ltd", source="books"),
        customer("beta", "Beta GmbH", source="books"),
        invoice("acme", id="1", issued="2025-01-10", total="100.00", source="books"),
        invoice("beta", id="2", issued="2025-01-10", total="100.00", source="books"),
    ]


def tracker() -> list[AnyRecord]:
    """A time tracker (Harvest, Toggl, Clockify): entries name the client, no customers.
    30 hours for Acme (written as the tracker writes it), 10 for Beta, 5 for a client the
    books do not have."""
    return [
        time_entry(client_name="ACME", on="2025-03-01", hours="30", source="harvest",
                   entry_id="h1"),
        time_entry(client_name="Beta GmbH", on="2025-03-02", hours="10", source="harvest",
                   entry_id="h2"),
        time_entry(client_name="Gamma", on="2025-03-03", hours="5", source="harvest",
                   entry_id="h3"),
    ]


def merged_books_first() -> Ledger:
    own = Ledger.build(books(), base_currency="EUR")
    return own.merge(Ledger.build(tracker(), base_currency="EUR", strict=False), strict=False)


def merged_tracker_first() -> Ledger:
    hours = Ledger.build(tracker(), base_currency="EUR", strict=False)
    return hours.merge(Ledger.build(books(), base_currency="EUR"), strict=False)


def one_build() -> Ledger:
    return Ledger.build([*books(), *tracker()], base_currency="EUR", strict=False)


# What `clientguard review --source books --source harvest` does: a ledger per source, merged.
# The tracker's ledger alone has no customer to match a name to; the merge has the books'.
@pytest.mark.parametrize("build", [merged_books_first, merged_tracker_first, one_build])
def test_a_trackers_hours_count_for_the_books_clients_after_a_merge(build: object) -> None:
    assert callable(build)
    book: Ledger = build()
    # By hand: ACME is Acme Ltd (case and the legal form ignored), Beta GmbH is Beta GmbH;
    # Gamma matches no customer of either source.
    assert sorted((t.customer_id, t.hours) for t in book.time_entries) == [
        ("books:acme", D("30")), ("books:beta", D("10"))]
    # Gamma's 5 hours are said once, with the reason the merged ledger has (no customer),
    # and nothing else is rejected.
    assert [(r.record_id, r.field) for r in book.report.rejected] == [("h3", "customer_name")]
    assert [(u.name, u.hours) for u in book.report.unmatched] == [("Gamma", D("5"))]
    shares = review(book, as_of=AS_OF).book.hours
    assert shares is not None
    # 30 of the 40 matched hours are Acme's, 10 Beta's.
    assert shares.shares == {"books:acme": D("0.75"), "books:beta": D("0.25")}


def test_entries_still_unmatched_after_a_merge_do_not_fail_a_strict_merge() -> None:
    # The caller accepted them when building the tracker's ledger leniently; the merge checks
    # them again and keeps them in the report, as it carries every earlier rejection.
    book = Ledger.build(books(), base_currency="EUR").merge(
        Ledger.build(tracker(), base_currency="EUR", strict=False), strict=True)
    assert [r.record_id for r in book.report.rejected] == ["h3"]
    assert len(book.time_entries) == 2


def test_a_ledger_merged_again_matches_each_entry_once() -> None:
    hours = Ledger.build(tracker(), base_currency="EUR", strict=False)
    book = merged_books_first().merge(hours, strict=False)
    assert sorted((t.customer_id, t.hours) for t in book.time_entries) == [
        ("books:acme", D("30")), ("books:beta", D("10"))]
    assert [r.record_id for r in book.report.rejected] == ["h3"]


# --------------------------------- identical time entries without an id (a spreadsheet's rows)


def spreadsheet() -> list[AnyRecord]:
    """A time sheet of rows without ids, two of them identical: Ann's 3.5 hours for ACME on
    2025-03-01 written twice (she worked twice that day), and two identical rows for a client
    the books do not have."""
    return [
        time_entry(client_name="ACME", on="2025-03-01", hours="3.5", person="Ann",
                   source="sheet"),
        time_entry(client_name="ACME", on="2025-03-01", hours="3.5", person="Ann",
                   source="sheet"),
        time_entry(client_name="Nobody Ltd", on="2025-03-03", hours="4", person="Bob",
                   source="sheet"),
        time_entry(client_name="Nobody Ltd", on="2025-03-03", hours="4", person="Bob",
                   source="sheet"),
    ]


@pytest.mark.parametrize("order", ["books first", "sheet first", "one build"])
def test_identical_rows_without_an_id_each_count_after_a_merge(order: str) -> None:
    books_ledger = Ledger.build(books(), base_currency="EUR")
    sheet = Ledger.build(spreadsheet(), base_currency="EUR", strict=False)
    book = {
        "books first": lambda: books_ledger.merge(sheet, strict=False),
        "sheet first": lambda: sheet.merge(books_ledger, strict=False),
        "one build": lambda: Ledger.build([*books(), *spreadsheet()], base_currency="EUR",
                                          strict=False),
    }[order]()
    # By hand: two rows of 3.5 hours are 7 hours for Acme Ltd (ACME, the legal form
    # ignored); the two rows of 4 hours for Nobody Ltd match no customer: 8 hours, two
    # entries, each rejected.
    assert sorted((t.customer_id, t.hours) for t in book.time_entries) == [
        ("books:acme", D("3.5")), ("books:acme", D("3.5"))]
    assert [(r.source, r.field) for r in book.report.rejected] == [
        ("sheet", "customer_name"), ("sheet", "customer_name")]
    assert [(u.name, u.entries, u.hours) for u in book.report.unmatched] == [
        ("Nobody Ltd", 2, D("8"))]


def test_a_ledger_merged_again_with_the_sheet_it_was_merged_from_counts_each_row_once() -> None:
    sheet = Ledger.build(spreadsheet(), base_currency="EUR", strict=False)
    merged = Ledger.build(books(), base_currency="EUR").merge(sheet, strict=False)
    for again in (merged.merge(sheet, strict=False), sheet.merge(merged, strict=False)):
        # The sheet's rows are those the merged ledger matched already: 7 hours, not 14, and
        # the two rows for Nobody Ltd rejected twice, not four times.
        assert sum(t.hours for t in again.time_entries) == D("7.0")
        assert len(again.report.rejected) == 2
        assert [(u.entries, u.hours) for u in again.report.unmatched] == [(2, D("8"))]


CLIENTS = ("Acme Ltd", "ACME", "Beta GmbH", "Gamma")  # the last matches no customer


@st.composite
def work(draw: st.DrawFn) -> tuple[list[AnyRecord], list[list[AnyRecord]]]:
    """The books, and one or two trackers whose entries (with or without ids, some
    identical) name the books' clients or one the books lack."""
    trackers: list[list[AnyRecord]] = []
    for source in ("harvest", "sheet")[:draw(st.integers(1, 2))]:
        rows: list[AnyRecord] = []
        for n in range(draw(st.integers(0, 6))):
            entry = time_entry(
                client_name=draw(st.sampled_from(CLIENTS)),
                on=date(2025, 3, draw(st.integers(1, 2))),
                hours=draw(st.sampled_from(["1", "2.5"])),
                person=draw(st.sampled_from([None, "Ann"])),
                # (each tracker its own ids: one id in two trackers is another matter)
                entry_id=draw(st.sampled_from([None, f"{source}-{n}"])), source=source)
            rows += [entry] * draw(st.integers(1, 2))  # a row written twice
        trackers.append([e.model_copy() for e in rows])  # each row its own object
    return books(), trackers


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(work())
def test_a_merge_in_any_order_counts_the_hours_of_one_build(
    firm: tuple[list[AnyRecord], list[list[AnyRecord]]]
) -> None:
    books_records, trackers = firm
    one = Ledger.build([*books_records, *(r for t in trackers for r in t)],
                       base_currency="EUR", strict=False)
    # The numbers a review reads: the hours per customer, how many entries count and how
    # many are rejected (and the hours of those matching no customer).
    expected = (
        sorted((t.customer_id, t.hours) for t in one.time_entries),
        len(one.report.rejected),
        sorted((u.name, u.entries, u.hours) for u in one.report.unmatched),
    )
    ledgers = [Ledger.build(part, base_currency="EUR", strict=False)
               for part in (books_records, *trackers)]
    for order in itertools.permutations(ledgers):
        merged = order[0]
        for other in order[1:]:
            merged = merged.merge(other, strict=False)
        assert (
            sorted((t.customer_id, t.hours) for t in merged.time_entries),
            len(merged.report.rejected),
            sorted((u.name, u.entries, u.hours) for u in merged.report.unmatched),
        ) == expected


# ----------------------------------------------------- one invoice in two sources, numbered


def copied(stripe_number: str, xero_number: str, xero_total: str = "1000.00") -> Ledger:
    """A Stripe invoice and Xero's copy of it, the customers not linked (ids differ)."""
    return Ledger.build([
        customer("cus_1", "Acme", source="stripe"), customer("C9", "Acme Ltd", source="xero"),
        invoice("cus_1", id="in_1", number=stripe_number, issued="2025-03-01",
                total="1000.00", source="stripe"),
        invoice("C9", id="X1", number=xero_number, issued="2025-03-01", total=xero_total,
                source="xero"),
    ], base_currency="EUR")


@pytest.mark.parametrize(("stripe_number", "xero_number", "xero_total", "said"), [
    ("INV-0001", "INV-0001", "1000.00", True),   # written alike
    ("INV-0001", "inv-0001", "1000.00", True),   # case
    ("INV-0001", "INV0001", "1000.00", True),    # the dash dropped by the integration
    ("INV-0001", "INV 0001", "1000.00", True),   # a space for the dash
    ("INV-0001", "INV/0001", "1000.00", True),   # a slash for the dash
    ("INV-0001", "INV-0002", "1000.00", False),  # another number, unlinked: two sales
    ("INV-0001", "INV0001", "999.00", False),    # another total: not one document
])
def test_one_invoice_in_two_sources_is_said_whatever_the_numbers_separators(
    stripe_number: str, xero_number: str, xero_total: str, said: bool
) -> None:
    book = copied(stripe_number, xero_number, xero_total)
    found = [(s.records, s.numbers) for s in book.report.same_in_two_sources]
    expected = [(("stripe:in_1", "xero:X1"), tuple(sorted({stripe_number, xero_number})))]
    assert found == (expected if said else [])
    # Both are kept and counted either way (the note tells a person to pull from one source).
    assert sum(i.total for i in book.invoices) == D("1000.00") + D(xero_total)


# ------------------------------------- one invoice in two sources, the copy in another currency

EUR_IN_GBP = FxTable.from_rows("GBP", [("EUR", date(2025, 3, 1), "0.85")])


def converted(
    xero_number: str, xero_issued: str, xero_total: str, xero_rate: str | None = None,
    *, stripe_number: str = "INV-0001", base: str = "GBP",
) -> Ledger:
    """Stripe's invoice of 1000.00 EUR on 2025-03-01 and Xero's copy of it in GBP (the
    integration converts into the firm's currency), the customers not linked."""
    return Ledger.build([
        customer("cus_1", "Acme", source="stripe"), customer("C9", "Acme Ltd", source="xero"),
        invoice("cus_1", id="in_1", number=stripe_number, issued="2025-03-01",
                total="1000.00", currency="EUR", source="stripe"),
        invoice("C9", id="X1", number=xero_number, issued=xero_issued, total=xero_total,
                currency="GBP", fx_rate=xero_rate, source="xero"),
    ], base_currency=base, fx=EUR_IN_GBP if base == "GBP" else None)


@pytest.mark.parametrize(("xero_number", "xero_issued", "xero_total", "said"), [
    # By hand: 1000.00 EUR at the FxTable's 0.85 is 850.00 GBP; 1% of the larger value.
    ("INV0001", "2025-03-01", "850.00", True),    # converted at the table's rate
    ("INV0001", "2025-03-01", "841.50", True),    # 8.50 below: 1% of 850.00, the edge
    ("INV0001", "2025-03-01", "841.49", False),   # 8.51 below: more than 8.50
    ("INV0001", "2025-03-01", "858.58", True),    # 8.58 above: 1% of 858.58 is 8.5858
    ("INV0001", "2025-03-01", "858.59", False),   # 8.59 above: 1% of 858.59 is 8.5859
    ("INV0001", "2025-03-01", "833.00", False),   # 2% below: another amount
    ("INV0001", "2025-03-01", "867.00", False),   # 2% above: another amount
    ("INV-0002", "2025-03-01", "850.00", False),  # another number: two sales
    # A day apart, one number: the copying tool dated it in another zone (docs/sources.md).
    ("INV0001", "2025-03-02", "850.00", True),
    ("INV0001", "2025-02-28", "850.00", True),
    ("INV0001", "2025-03-03", "850.00", False),   # two days apart: another invoice
])
def test_a_copy_in_another_currency_is_said_when_the_totals_are_worth_the_same(
    xero_number: str, xero_issued: str, xero_total: str, said: bool
) -> None:
    book = converted(xero_number, xero_issued, xero_total)
    expected = [SameInTwoSources(
        "invoice", ("stripe:in_1", "xero:X1"), date(2025, 3, 1), "EUR", D("1000.00"),
        ("INV-0001", "INV0001"),
        ((date(2025, 3, 1), "EUR", D("1000.00")),
         (date.fromisoformat(xero_issued), "GBP", D(xero_total))),
    )]
    if said:  # the set's day is the earliest of its invoices'
        expected = [replace(expected[0], day=min(date(2025, 3, 1),
                                                 date.fromisoformat(xero_issued)))]
    assert list(book.report.same_in_two_sources) == (expected if said else [])
    # Never merged nor dropped: both are counted (the note tells a person to pull from one).
    assert sorted(i.id for i in book.invoices) == ["stripe:in_1", "xero:X1"]


@pytest.mark.parametrize(("xero_rate", "said"), [
    # The ledger's base is EUR and has no FxTable: the copy's own rate converts it.
    ("1.1765", True),   # 850.00 x 1.1765 = 1000.025 EUR: 0.025 from 1000.00
    ("1.1648", True),   # 990.08 EUR: 9.92 below 1000.00, within 1% of it (10.00)
    ("1.1647", False),  # 989.995 EUR: 10.005 below, more than 10.00
    ("1.2000", False),  # 1020.00 EUR: 2% above
])
def test_a_copy_that_carries_its_own_rate_is_converted_at_it(xero_rate: str, said: bool) -> None:
    book = converted("INV-0001", "2025-03-01", "850.00", xero_rate, base="EUR")
    assert [s.records for s in book.report.same_in_two_sources] == (
        [("stripe:in_1", "xero:X1")] if said else [])


def test_the_copy_in_another_currency_is_said_in_words_and_once_after_a_merge() -> None:
    book = converted("INV0001", "2025-03-01", "850.00")
    assert book.report.notes == (
        "invoices stripe:in_1, xero:X1 (numbered INV-0001, INV0001) are very likely one "
        "invoice counted twice: the same number and day (2025-03-01), in other currencies "
        "worth the same (stripe:in_1 for 1000.00 EUR, xero:X1 for 850.00 GBP) in stripe and "
        "xero; if one tool copies its invoices into the other, pull invoices from one of them "
        "only (both are counted until then)",
    )
    # A ledger per source, merged either way: said once, in the same words.
    records = list(book.source_records())
    stripe = Ledger.build([r for r in records if r.source == "stripe"], base_currency="GBP",
                          fx=EUR_IN_GBP)
    xero = Ledger.build([r for r in records if r.source == "xero"], base_currency="GBP")
    for merged in (stripe.merge(xero), xero.merge(stripe)):
        assert merged.report.notes == book.report.notes
        assert merged.report.same_in_two_sources == book.report.same_in_two_sources


@pytest.mark.parametrize(("xero_number", "xero_issued", "said"), [
    ("INV-0001", "2025-03-01", True),    # the same number, day, currency and total
    # A day apart, the same currency and total: without a shared number the dates stay exact
    # (a monthly retainer must not look like its own copy); with one, a day apart is the
    # copying tool's time zone (docs/sources.md).
    ("INV-0002", "2025-03-02", False),   # two retainers a day apart, no shared number
    ("INV-0001", "2025-03-02", True),    # one number a day apart
    ("INV/0001", "2025-02-28", True),    # a day before, the number written otherwise
    ("INV-0001", "2025-03-03", False),   # one number two days apart
])
def test_a_copy_in_the_same_currency_needs_the_same_day_or_the_same_number(
    xero_number: str, xero_issued: str, said: bool
) -> None:
    book = Ledger.build([
        customer("cus_1", "Acme", source="stripe"), customer("C9", "Acme Ltd", source="xero"),
        invoice("cus_1", id="in_1", number="INV-0001", issued="2025-03-01", total="1000.00",
                source="stripe"),
        invoice("C9", id="X1", number=xero_number, issued=xero_issued, total="1000.00",
                source="xero"),
    ], base_currency="EUR")
    assert [s.records for s in book.report.same_in_two_sources] == (
        [("stripe:in_1", "xero:X1")] if said else [])


def test_a_copy_dated_a_day_apart_is_said_in_words_with_each_ones_day() -> None:
    # Stripe dates an invoice made at 23:30 in Warsaw on the next day in UTC... or the other
    # way: either way the sentence names each one's day, and the review repeats it.
    book = Ledger.build([
        customer("cus_1", "Acme", source="stripe"), customer("C9", "Acme Ltd", source="xero"),
        invoice("cus_1", id="in_1", number="INV-0001", issued="2025-03-02", total="1000.00",
                source="stripe"),
        invoice("C9", id="X1", number="INV-0001", issued="2025-03-01", total="1000.00",
                source="xero"),
    ], base_currency="EUR")
    assert book.report.notes == (
        "invoices stripe:in_1, xero:X1 (numbered INV-0001) are very likely one invoice counted "
        "twice: the same number and amount (1000.00 EUR), issued a day apart (a tool dating "
        "in UTC and one in the firm's zone) (stripe:in_1 on 2025-03-02, xero:X1 on "
        "2025-03-01) in stripe and xero; if one tool copies its invoices into the other, pull "
        "invoices from one of them only (both are counted until then)",
    )
    (same,) = book.report.same_in_two_sources
    assert same.day == date(2025, 3, 1)  # the earliest
    assert sorted(i.id for i in book.invoices) == ["stripe:in_1", "xero:X1"]  # both kept


def test_a_copy_in_another_currency_a_day_apart_names_each_ones_total_and_day() -> None:
    book = converted("INV0001", "2025-03-02", "850.00")
    assert book.report.notes == (
        "invoices stripe:in_1, xero:X1 (numbered INV-0001, INV0001) are very likely one "
        "invoice counted twice: the same number, issued a day apart, in other currencies "
        "worth the same (stripe:in_1 for 1000.00 EUR on 2025-03-01, xero:X1 for 850.00 GBP "
        "on 2025-03-02) in stripe and xero; if one tool copies its invoices into the other, "
        "pull invoices from one of them only (both are counted until then)",
    )


def test_one_invoice_in_three_sources_is_said_once_as_the_set_of_the_three() -> None:
    # Stripe and Xero on one day, a CSV export a day later: one set, one sentence (two sets
    # overlapping, "3 times" and "twice", would read as two invoices counted again).
    book = Ledger.build([
        customer("cus_1", "Acme", source="stripe"), customer("C9", "Acme Ltd", source="xero"),
        customer("k1", "Acme Ltd", source="csv"),
        invoice("cus_1", id="in_1", number="INV-0001", issued="2025-03-01", total="1000.00",
                source="stripe"),
        invoice("C9", id="X1", number="INV-0001", issued="2025-03-01", total="1000.00",
                source="xero"),
        invoice("k1", id="R1", number="INV-0001", issued="2025-03-02", total="1000.00",
                source="csv"),
    ], base_currency="EUR")
    assert [s.records for s in book.report.same_in_two_sources] == [
        ("csv:R1", "stripe:in_1", "xero:X1")]
    (note,) = [n for n in book.report.notes if "counted" in n]
    assert "counted 3 times" in note
    assert note.endswith("(all are counted until then)")
