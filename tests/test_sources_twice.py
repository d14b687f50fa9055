"""Several sources at once: a document that two tools both hold is said (never dropped), an
allocation into another source's invoice says which source has it, and merging three
ledgers in any order gives one review."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal as D

import pytest

from clientguard import Ledger, review
from clientguard.errors import DataError
from clientguard.ledger import SameInTwoSources
from clientguard.model import AnyRecord
from clientguard.records import Link
from clientguard.testing import customer, invoice, ledger, payment

AS_OF = date(2025, 6, 30)
LINKED: list[Link] = [(("xero", "acme"), ("stripe", "cus_1"))]


def xero() -> list[AnyRecord]:
    return [
        customer("acme", "Acme Sp. z o.o.", source="xero"),
        invoice("acme", id="X1", number="ACME-0001", issued="2025-03-01", total="1000.00",
                source="xero"),
        payment("acme", id="XP1", on="2025-03-25", amount="1000.00", pays={"X1": "1000.00"},
                source="xero"),
        customer("bob", "Bob Ltd", source="xero"),
        invoice("bob", id="X2", issued="2025-03-01", total="1000.00", source="xero"),
    ]


def stripe(number: str | None = "ACME-0001", total: str = "1000.00",
           issued: str = "2025-03-01") -> list[AnyRecord]:
    """Stripe's copy of Acme's invoice: Stripe invoices, and an integration exports each
    to Xero."""
    return [
        customer("cus_1", "ACME", source="stripe"),
        invoice("cus_1", id="in_1", number=number, issued=issued, total=total, source="stripe",
                paid="2025-03-25"),
    ]


# ------------------------------------------------------------ one document in two sources


@pytest.mark.parametrize(
    ("copy", "linked", "numbers"),
    [
        # The same client (linked), day and total, the same number: the export of one.
        (stripe(), LINKED, ("ACME-0001",)),
        # Xero numbered its copy itself: the same client, day and total still say it.
        (stripe(number="INV-0042"), LINKED, ("ACME-0001", "INV-0042")),
        (stripe(number=None), LINKED, ("ACME-0001", "in_1")),  # the builder numbers it by id
        # Not linked, but the same number, day and total.
        (stripe(), (), ("ACME-0001",)),
        # Not linked and no number: two clients' invoices of one amount on one day.
        (stripe(number=None), (), None),
        # Another total, another day: two invoices (one number a day apart is the copying
        # tool's time zone: tests/test_several_sources_numbers.py).
        (stripe(total="999.00"), LINKED, None),
        (stripe(number="ACME-0002", issued="2025-03-02"), LINKED, None),
        (stripe(number=None, issued="2025-03-02"), LINKED, None),
    ],
)
def test_an_invoice_both_tools_hold_is_said_and_kept(
    copy: list[AnyRecord], linked: list[Link], numbers: tuple[str, ...] | None
) -> None:
    book = ledger(*xero(), *copy, links=linked)
    # Nothing is dropped: the ledger cannot tell a copy from a second sale.
    assert len(book.invoices) == 3
    said = numbers is not None
    expected = (
        SameInTwoSources("invoice", ("stripe:in_1", "xero:X1"), date(2025, 3, 1), "EUR",
                         D("1000.00"), numbers),
    ) if numbers is not None else ()
    assert book.report.same_in_two_sources == expected
    notes = [n for n in book.report.notes if "counted twice" in n]
    assert len(notes) == len(expected)
    if said:
        # The review's data quality says it, with what to do.
        quality = review(book, as_of=AS_OF).data_quality
        assert notes[0] in quality.notes
        assert notes[0].startswith("invoices stripe:in_1, xero:X1")
        assert "pull invoices from one of them only" in notes[0]


def test_a_bank_transfer_the_books_also_record_is_said() -> None:
    # The bank's export has the transfer; the books record it as the payment of X1.
    bank: list[AnyRecord] = [customer("k7", "ACME SP Z O O", source="bank"),
            payment("k7", id="T-88", on="2025-03-25", amount="1000.00", source="bank")]
    book = ledger(*xero(), *bank, links=[(("xero", "acme"), ("bank", "k7"))])
    assert book.report.same_in_two_sources == (
        SameInTwoSources("payment", ("bank:T-88", "xero:XP1"), date(2025, 3, 25), "EUR",
                         D("1000.00")),
    )
    assert ("payments bank:T-88, xero:XP1 may be one payment counted twice: the same client, "
            "day (2025-03-25) and amount (1000.00 EUR) in bank and xero") in book.report.notes[0]
    # Not linked: two clients, nothing said.
    assert ledger(*xero(), *bank).report.same_in_two_sources == ()


def test_one_source_alone_never_says_it() -> None:
    # Two invoices of one client, day and total in one tool are two invoices of that tool.
    book = ledger(*xero(), invoice("acme", id="X3", issued="2025-03-01", total="1000.00",
                                   source="xero"))
    assert book.report.same_in_two_sources == ()


def test_a_void_copy_counts_for_nothing_and_is_not_said() -> None:
    copy = stripe()
    voided = copy[1].model_copy(update={"status": "void", "paid_on": None})
    book = ledger(*xero(), copy[0], voided, links=LINKED)
    assert book.report.same_in_two_sources == ()


def test_a_merge_says_it_once_however_many_ledgers_and_in_any_order() -> None:
    bank = ledger(customer("k7", "Acme", source="bank"),
                  payment("k7", id="T-88", on="2025-03-25", amount="1000.00", source="bank"))
    books = [ledger(*xero()), ledger(*stripe()), bank]
    found = set()
    for first, second, third in itertools.permutations(books):
        merged = first.merge(second).merge(third)
        found.add((merged.report.same_in_two_sources,
                   tuple(sorted(n for n in merged.report.notes if "counted twice" in n))))
    (only,) = found
    assert [s.records for s in only[0]] == [("stripe:in_1", "xero:X1")]
    assert len(only[1]) == 1


# ------------------------------------------------------ an allocation into another source


def test_a_payment_allocated_to_another_sources_invoice_says_which_has_it() -> None:
    # The bank's payment names the books' invoice X1, as the bank's reference had it.
    bank = payment("acme", id="T-9", on="2025-03-25", amount="5.00", pays={"X1": "5.00"},
                   source="bank")
    book = Ledger.build([*xero(), bank], base_currency="EUR", strict=False)
    (rejection,) = book.report.rejected
    assert (rejection.source, rejection.record_id) == ("bank", "T-9")
    assert rejection.reason == (
        "allocated to invoice bank:X1, which is not in the ledger (or was rejected): load that "
        "invoice or remove the allocation; xero has the invoice xero:X1, but a payment pays "
        "only invoices of its own source (bank): record the payment and its allocation in the "
        "invoice's source, or leave the payment unallocated"
    )
    # Named by its ledger key, too.
    keyed = bank.model_copy(update={"allocations": (
        bank.allocations[0].model_copy(update={"invoice_id": "xero:X1"}),)})
    with pytest.raises(DataError, match=r"xero has the invoice xero:X1, but a payment pays"):
        Ledger.build([*xero(), keyed], base_currency="EUR")


def test_the_bank_built_alone_and_merged_says_which_source_has_the_invoice() -> None:
    """``review --source xero --source bank`` builds the bank alone (it has no X1: "allocated
    to invoice X1, which is not in the ledger") and merges: the merge says what one build of
    both says (the test above), in either order. Before, the bank's words were carried."""
    bank = payment("acme", id="T-9", on="2025-03-25", amount="5.00", pays={"X1": "5.00"},
                   source="bank")
    books = Ledger.build(xero(), base_currency="EUR")
    alone = Ledger.build([bank], base_currency="EUR", strict=False)
    assert alone.report.rejected[0].reason.startswith("allocated to invoice X1, which is not")
    one = Ledger.build([*xero(), bank], base_currency="EUR", strict=False).report.rejected
    for merged in (books.merge(alone, strict=False), alone.merge(books, strict=False)):
        assert merged.report.rejected == one
        assert "xero has the invoice xero:X1" in merged.report.rejected[0].reason


def test_an_invoice_no_source_has_is_said_as_before() -> None:
    bank = payment("acme", id="T-9", on="2025-03-25", amount="5.00", pays={"X9": "5.00"},
                   source="bank")
    book = Ledger.build([*xero(), bank], base_currency="EUR", strict=False)
    assert book.report.rejected[0].reason == (
        "allocated to invoice bank:X9, which is not in the ledger (or was rejected): load that "
        "invoice or remove the allocation"
    )


# ---------------------------------------------------------------- three ledgers, any order


def test_three_ledgers_merged_in_any_order_review_alike() -> None:
    bank: list[AnyRecord] = [customer("k7", "ACME", source="bank"),
            payment("k7", id="T-1", on="2025-04-02", amount="10.00", source="bank")]
    links = [*LINKED, (("stripe", "cus_1"), ("bank", "k7"))]  # a chain: xero~stripe~bank
    parts = [ledger(*xero(), links=links), ledger(*stripe(number=None), links=links),
             ledger(*bank, links=links)]
    reviews = []
    for a, b, c in itertools.permutations(parts):
        merged = a.merge(b).merge(c)
        # The chain makes one client of three customers, named by the smallest key.
        assert {merged.group_of(k) for k in ("xero:acme", "stripe:cus_1", "bank:k7")} == {
            "bank:k7"}
        result = review(merged, as_of=AS_OF)
        reviews.append({
            client: (r.recommendation, tuple((f.signal, f.value) for f in r.findings))
            for client, r in result.clients.items()
        })
    assert all(r == reviews[0] for r in reviews)
    assert set(reviews[0]) == {"bank:k7", "xero:bob"}
