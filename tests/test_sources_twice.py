"""Several sources at once: a document that two tools both hold is said (never dropped), an
allocation into another source's invoice says which source has it, and merging three
ledgers in any order gives one review."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientguard import Ledger, review
from clientguard.errors import DataError
from clientguard.ledger import SameInTwoSources
from clientguard.links import suggest_links
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
    # Not linked, but the names alike (ACME SP Z O O and Acme Sp. z o.o.: what links suggest
    # proposes): one client, as for an invoice copied and written otherwise, so said too.
    # Before, nothing was said until the two were linked: the money counted twice silently.
    assert [s.records for s in ledger(*xero(), *bank).report.same_in_two_sources] == [
        ("bank:T-88", "xero:XP1")]


@pytest.mark.parametrize(
    ("name", "tax_ids", "said"),
    [
        ("ACME SP Z O O", (None, None), True),           # names alike
        ("Acme S.A.", (None, None), True),                # a legal form aside, alike
        ("Kowalski Consulting", (None, None), False),    # another client
        # One NIP in two forms, whatever the names: one taxpayer (5252445767: 216 = 19*11 + 7,
        # the tenth digit 7: a valid NIP).
        ("Kowalski Consulting", ("5252445767", "PL 525-244-57-67"), True),
        # Names alike, two taxpayers' numbers (1234563218: 151 = 13*11 + 8, tenth digit 8:
        # valid): two companies of a group, not said.
        ("ACME SP Z O O", ("5252445767", "1234563218"), False),
        # A label typed before the number is no second taxpayer (tax_id.py's grammar).
        ("ACME SP Z O O", ("5252445767", "NIP nr 525-244-57-67"), True),
    ],
)
def test_a_payment_two_sources_hold_is_one_clients_as_links_suggest_judges_it(
    name: str, tax_ids: tuple[str | None, str | None], said: bool
) -> None:
    books: list[AnyRecord] = [
        customer("acme", "Acme Sp. z o.o.", tax_id=tax_ids[0], source="xero"),
        payment("acme", id="XP1", on="2025-03-25", amount="1000.00", source="xero"),
        customer("k7", name, tax_id=tax_ids[1], source="bank"),
        payment("k7", id="T-88", on="2025-03-25", amount="1000.00", source="bank"),
    ]
    expected = [("bank:T-88", "xero:XP1")] if said else []
    assert [s.records for s in ledger(*books).report.same_in_two_sources] == expected


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
    # The bank's Acme and Xero's Acme Sp. z o.o. are one client by name (not linked): its
    # transfer is Xero's payment XP1 (before, said only once linked).
    assert [s.records for s in only[0]] == [("stripe:in_1", "xero:X1"), ("bank:T-88", "xero:XP1")]
    assert len(only[1]) == 2


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


def test_a_payment_note_never_joins_two_taxpayers_through_a_customer_without_a_tax_id() -> None:
    # Acme Sp. z o.o. (NIP 5252445767) and Acme S.A. (NIP 1234563218) are two taxpayers;
    # ACME, without a tax id, is alike by name to both. links suggest pairs sources only:
    # bank:b with xero:a is two taxpayers (refused), bank:b with xero:n is proposed; so the
    # bank's TB and Xero's XN may be one payment, and XA (the other taxpayer's) is not in it.
    # Before, the three were "one payment counted 3 times: the same client".
    book = ledger(
        customer("a", "Acme Sp. z o.o.", tax_id="5252445767", source="xero"),
        payment("a", id="XA", on="2025-03-25", amount="100.00", source="xero"),
        customer("n", "ACME", tax_id=None, source="xero"),
        payment("n", id="XN", on="2025-03-25", amount="100.00", source="xero"),
        customer("b", "Acme S.A.", tax_id="1234563218", source="bank"),
        payment("b", id="TB", on="2025-03-25", amount="100.00", source="bank"),
    )
    assert [s.records for s in book.report.same_in_two_sources] == [("bank:TB", "xero:XN")]
    assert not any("3 times" in note for note in book.report.notes)


# Customers of two sources: a few names (two alike once normalised) and tax ids (two forms of
# one valid NIP, another valid NIP, none). 5252445767 and 1234563218 are valid NIPs (216 =
# 19*11 + 7, 151 = 13*11 + 8: the tenth digits).
_NAMES = ["Acme Sp. z o.o.", "ACME", "Kowalski"]
_TAXES = [None, "5252445767", "PL 525-244-57-67", "1234563218"]
_customers = st.lists(st.tuples(st.sampled_from(["xero", "bank"]), st.sampled_from(_NAMES),
                                st.sampled_from(_TAXES)), min_size=2, max_size=6)


@given(_customers)
def test_payments_are_joined_exactly_when_links_suggest_would_join_their_customers(
    people: list[tuple[str, str, str | None]]
) -> None:
    # Each customer pays 100.00 on one day. Two payments are one client's exactly when the
    # lines `clientguard links suggest` proposes, all linked, make their customers one client
    # (docs/sources.md): the oracle is suggest_links itself, its pairs closed here.
    customers = [customer(f"c{n}", customer_name, tax_id=tax, source=source)
                 for n, (source, customer_name, tax) in enumerate(people)]
    group = {(c.source, c.id): (c.source, c.id) for c in customers}

    def root(ref: tuple[str, str]) -> tuple[str, str]:
        while group[ref] != ref:
            ref = group[ref]
        return ref

    for suggestion in suggest_links(customers):
        a, b = root(suggestion.customer), root(suggestion.same_as)
        group[max(a, b)] = min(a, b)
    sets: dict[tuple[str, str], list[str]] = {}
    for c in customers:
        sets.setdefault(root((c.source, c.id)), []).append(f"{c.source}:p{c.id[1:]}")
    expected = sorted(tuple(sorted(members)) for members in sets.values()
                      if len({m.split(":")[0] for m in members}) > 1)
    records: list[AnyRecord] = []
    for n, (source, customer_name, tax) in enumerate(people):
        records += [customer(f"c{n}", customer_name, tax_id=tax, source=source),
                    payment(f"c{n}", id=f"p{n}", on="2025-03-25", amount="100.00", source=source)]
    found = sorted(s.records for s in ledger(*records).report.same_in_two_sources)
    assert found == expected
