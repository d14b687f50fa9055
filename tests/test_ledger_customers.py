"""Records that name a customer their source does not give: kept, counted for a client known
only by that id, and said in the load report and the review's data quality (docs/model-bounds.md,
"Records that name a customer their source does not give")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from clientguard.ledger import Ledger, UnknownCustomer
from clientguard.model import AnyRecord
from clientguard.review import review
from clientguard.testing import (
    credit_note,
    customer,
    invoice,
    ledger,
    payment,
    time_entry,
    work_request,
)

AS_OF = date(2025, 6, 30)


def typo_on_every_kind() -> list[AnyRecord]:
    # "acmee" is no customer of the source, which gives "acme": every kind of record names it.
    bad = invoice("acmee", id="INV-2", issued="2025-01-11", total="50.00")
    return [
        customer("acme"),
        invoice("acme", id="INV-1", issued="2025-01-10", total="100.00"),
        work_request("acmee", id="W-1", requested="2025-01-02", lead_days=3),
        time_entry("acmee", on="2025-01-03", hours="2"),
        credit_note("acmee", id="CN-1", issued="2025-01-20", total="10.00", applies_to=bad),
        payment("acmee", id="PAY-1", on="2025-02-01", amount="40.00", pays=bad),
        bad,
    ]


def many_invoices() -> list[AnyRecord]:
    return [customer("acme"), *(invoice("gone", id=f"INV-{n}", issued="2025-01-10",
                                        total="1.00") for n in range(1, 8))]


def two_unknown() -> list[AnyRecord]:
    return [customer("acme"), invoice("zed", id="Z-1", issued="2025-01-10", total="1.00"),
            invoice("beta", id="B-1", issued="2025-01-10", total="1.00")]


def no_customers_at_all() -> list[AnyRecord]:
    # A ledger of invoices alone: its clients are known by id, by design. Nothing to say.
    return [invoice("acme", id="INV-1", issued="2025-01-10", total="100.00")]


def all_known() -> list[AnyRecord]:
    return [customer("acme"), invoice("acme", id="INV-1", issued="2025-01-10", total="1.00")]


def another_sources_customer() -> list[AnyRecord]:
    # Two sources: xero gives customers, the tickets none. A ticket's request for a customer
    # of a source not in the ledger is kept without a note (a ledger to merge with the books').
    return [
        customer("C1", source="xero"),
        invoice("C1", id="1", issued="2025-01-10", total="1.00", source="xero"),
        invoice("C2", id="2", issued="2025-01-10", total="1.00", source="xero"),
        work_request("C9", id="J-1", requested="2025-01-02", lead_days=3, source="jira",
                     customer_source="books"),
    ]


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        pytest.param(typo_on_every_kind, (UnknownCustomer("test", "acmee", (
            ("invoice", "INV-2"), ("payment", "PAY-1"), ("credit_note", "CN-1"),
            ("time_entry", None), ("work_request", "W-1"))),), id="every-kind-in-ledger-order"),
        pytest.param(many_invoices, (UnknownCustomer("test", "gone", tuple(
            ("invoice", f"INV-{n}") for n in range(1, 8))),), id="many"),
        pytest.param(two_unknown, (UnknownCustomer("test", "beta", (("invoice", "B-1"),)),
                                   UnknownCustomer("test", "zed", (("invoice", "Z-1"),))),
                     id="by-customer-id"),
        pytest.param(another_sources_customer,
                     (UnknownCustomer("xero", "C2", (("invoice", "2"),)),),
                     id="several-sources-ids-as-the-source-gives-them"),
        pytest.param(no_customers_at_all, (), id="a-source-without-customers"),
        pytest.param(all_known, (), id="all-known"),
    ],
)
def test_records_naming_an_unknown_customer_are_kept_and_listed(
    records: Callable[[], list[AnyRecord]], expected: tuple[UnknownCustomer, ...]
) -> None:
    given = records()
    book = ledger(*given)  # strict: kept, no failure
    assert book.report.rejected == ()
    assert len(list(book.source_records())) == len(given)
    assert book.report.unknown_customers == expected
    assert book.report.notes == tuple(map(str, expected))


def test_the_note_names_the_records_and_the_customer_id_and_says_what_to_do() -> None:
    book = ledger(*typo_on_every_kind())
    assert book.report.notes == (
        "test: customer 'acmee' is not among the source's customers, but 1 invoice (INV-2), "
        "1 payment (PAY-1), 1 credit note (CN-1), 1 time entry and 1 work request (W-1) name "
        "it: counted for a client known only by that id (no name, group or tax id); add the "
        "customer to the source (or sync its customers), or correct the records' customer_id; "
        "where the source deleted the customer and kept its documents (Stripe does), nothing "
        "needs doing",
    )
    assert str(ledger(*many_invoices()).report.unknown_customers[0]).startswith(
        "test: customer 'gone' is not among the source's customers, but 7 invoices (INV-1, "
        "INV-2, INV-3, INV-4, INV-5 and 2 more) name it:")


def test_the_review_lists_it_in_the_data_quality_and_counts_the_client() -> None:
    book = ledger(*typo_on_every_kind())
    done = review(book, as_of=AS_OF)
    assert str(book.report.unknown_customers[0]) in done.data_quality.notes
    assert "acmee" in book.customer_ids
    assert book.name_of("acmee") == "acmee"  # no name: the id stands for it


def test_a_merge_finds_them_again_from_the_merged_records() -> None:
    # The books of one source in two ledgers: the customer is in the second one.
    invoices = ledger(customer("acme"),
                      invoice("beta", id="INV-1", issued="2025-01-10", total="1.00"))
    assert [u.customer_id for u in invoices.report.unknown_customers] == ["beta"]
    merged = invoices.merge(ledger(customer("beta")))
    assert merged.report.unknown_customers == ()
    assert merged.report.notes == ()
    # Still unknown after a merge: said once, not once per ledger merged.
    again = invoices.merge(ledger(customer("gamma")))
    assert again.report.notes == invoices.report.notes


def test_the_sources_own_notes_come_first() -> None:
    records: list[AnyRecord] = [
        customer("acme"), invoice("beta", id="INV-1", issued="2025-01-10", total="1")]
    book = Ledger.build(records, base_currency="EUR", notes=["test: dates are approximate"])
    assert book.report.notes == ("test: dates are approximate",
                                 str(book.report.unknown_customers[0]))
