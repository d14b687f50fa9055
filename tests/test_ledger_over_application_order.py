"""Which document the over-application rule rejects (docs/concepts.md §2, rule 5): the one whose
application the settlement replay counts taking the invoice over its total. Applications count
on their allocation's date (never before their document's own), payments before credit notes
on one day, then by id: so an allocation made after a date never rejects a document that had
paid the invoice by then, and a review as of that date is the review of the ledger as it stood.
Each row worked out by hand."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from clientguard import review, settle
from clientguard.ledger import Ledger
from clientguard.model import AnyRecord, CreditNote, Payment
from clientguard.testing import credit_note, customer, fx_table, invoice, ledger, payment

# Invoice I: 100.00 EUR issued 1 January 2025 on 14 days' terms, due 15 January; J alike.
BILL_I = invoice("acme", issued="2025-01-01", total="100.00", terms=14, id="I")
BILL_J = invoice("acme", issued="2025-01-01", total="100.00", terms=14, id="J")
LATER = date(2025, 8, 1)  # after every document and allocation below

# USD at 0.90 EUR every day of 2025 (for the row in another currency).
FX = fx_table("EUR", {"USD": {date(2025, 1, 1) + timedelta(days=n): "0.90" for n in range(365)}})


def dated(document: Payment | CreditNote, *days: str | None) -> Payment | CreditNote:
    """``document`` with its allocations dated ``days``, one each (None: its own date)."""
    allocations = tuple(
        a.model_copy(update={"date": date.fromisoformat(d) if d else None})
        for a, d in zip(document.allocations, days, strict=True)
    )
    return document.model_copy(update={"allocations": allocations})


# Each row: the records (after the customer and I), the rejected documents (id, field, the sum
# the reason names), then each invoice's settlement as of LATER (settled on, days late).
ROWS = [
    # The reviewer's case. P1 received 10 January but applied to I only on 10 July; P2 received
    # and applied 1 February. The replay counts P2 first: P1's application on 10 July takes I to
    # 200.00. I is settled on 1 February, 17 days after 15 January.
    pytest.param(
        [payment("acme", on="2025-01-10", amount="100.00", pays=BILL_I, applied_on="2025-07-10",
                 id="P1"),
         payment("acme", on="2025-02-01", amount="100.00", pays=BILL_I, id="P2")],
        [("P1", "allocations.0.amount", "200.00")],
        {"I": (date(2025, 2, 1), 17)},
        id="payment-applied-later",
    ),
    # A credit note issued 5 January but applied on 1 March; the payment of 1 February counts
    # first, so the credit note is the one that over-applies.
    pytest.param(
        [credit_note("acme", issued="2025-01-05", total="100.00", applies_to=BILL_I,
                     applied_on="2025-03-01", id="C1"),
         payment("acme", on="2025-02-01", amount="100.00", pays=BILL_I, id="P")],
        [("C1", "allocations.0.amount", "200.00")],
        {"I": (date(2025, 2, 1), 17)},
        id="credit-note-applied-later",
    ),
    # Both count on 1 February: payments before credit notes on one day, so the credit note
    # (issued 10 January) is rejected.
    pytest.param(
        [credit_note("acme", issued="2025-01-10", total="100.00", applies_to=BILL_I,
                     applied_on="2025-02-01", id="C1"),
         payment("acme", on="2025-02-01", amount="100.00", pays=BILL_I, id="P")],
        [("C1", "allocations.0.amount", "200.00")],
        {"I": (date(2025, 2, 1), 17)},
        id="same-day-payment-first",
    ),
    # An allocation dated before its payment counts on the payment's date (1 March), not its
    # own (20 January): P2 of 10 February counts first; settled 10 February, 26 days late.
    pytest.param(
        [payment("acme", on="2025-03-01", amount="100.00", pays=BILL_I, applied_on="2025-01-20",
                 id="P1"),
         payment("acme", on="2025-02-10", amount="100.00", pays=BILL_I, id="P2")],
        [("P1", "allocations.0.amount", "200.00")],
        {"I": (date(2025, 2, 10), 26)},
        id="allocation-before-its-document",
    ),
    # P pays 50.00 of I and 50.00 of J, received 10 January, applied 10 July; Q pays all of I on
    # 1 February. P takes I to 150.00 on 10 July and is rejected whole: J gets nothing, open
    # 198 days after 15 January as of 1 August.
    pytest.param(
        [BILL_J,
         payment("acme", on="2025-01-10", amount="100.00",
                 pays=[(BILL_I, "50.00"), (BILL_J, "50.00")],
                 applied_on="2025-07-10", id="P"),
         payment("acme", on="2025-02-01", amount="100.00", pays=BILL_I, id="Q")],
        [("P", "allocations.0.amount", "150.00")],
        {"I": (date(2025, 2, 1), 17), "J": (None, 198)},
        id="several-invoices",
    ),
    # 112.00 USD received 10 January, applied 10 July at 0.90: 100.80 EUR, after the 100.00
    # EUR of 1 February: 200.80 EUR (the reason names the sum as converted: 200.8000).
    pytest.param(
        [payment("acme", on="2025-01-10", amount="112.00", currency="USD",
                 pays=[(BILL_I, "112.00")],
                 applied_on="2025-07-10", id="P1"),
         payment("acme", on="2025-02-01", amount="100.00", pays=BILL_I, id="P2")],
        [("P1", "allocations.0.amount", "200.8000")],
        {"I": (date(2025, 2, 1), 17)},
        id="another-currency",
    ),
    # A credit note of 5 January applied to I that day and to J on 10 July; Q pays I on
    # 1 February, R pays J on 1 March. On 10 July the credit note takes J to 200.00: it is
    # rejected whole, so its application to I never was, and Q (which it would have made
    # over-apply I) is kept: I settled 1 February (17 days late), J 1 March (45).
    pytest.param(
        [BILL_J,
         dated(credit_note("acme", issued="2025-01-05", total="200.00",
                           applies_to=[(BILL_I, "100.00"), (BILL_J, "100.00")], id="C"),
               None, "2025-07-10"),
         payment("acme", on="2025-02-01", amount="100.00", pays=BILL_I, id="Q"),
         payment("acme", on="2025-03-01", amount="100.00", pays=BILL_J, id="R")],
        [("C", "allocations.1.amount", "200.00")],
        {"I": (date(2025, 2, 1), 17), "J": (date(2025, 3, 1), 45)},
        id="several-days-set-aside",
    ),
]


@pytest.mark.parametrize(("records", "rejected", "settled"), ROWS)
def test_the_document_rejected_is_the_one_the_replay_finds_over_applying(
    records: list[AnyRecord],
    rejected: list[tuple[str, str, str]],
    settled: dict[str, tuple[date | None, int]],
) -> None:
    book = ledger(customer("acme"), BILL_I, *records, fx=FX, strict=False)
    found = book.report.rejected
    assert [(r.record_id, r.field) for r in found] == [(i, f) for i, f, _ in rejected]
    for rejection, (_, _, total) in zip(found, rejected, strict=True):
        assert f"add up to {total} EUR, more than its total of 100.00" in rejection.reason
    settlements = settle(book, as_of=LATER)
    for ident, (settled_on, days_late) in settled.items():
        assert (settlements[ident].settled_on, settlements[ident].days_late) == (
            settled_on, days_late)


def test_an_allocation_made_later_does_not_reopen_an_invoice_paid_by_then() -> None:
    # The reviewer's case as of 30 June 2025, before P1's allocation of 10 July: I is settled
    # on 1 February, 17 days late. The law grants (jurisdiction eu) interest at the ECB rate
    # 3.15% + 8 = 11.15% for the 17 days, 100.00 x 0.1115 x 17 / 365 = 0.52, and EUR 40 of
    # compensation: 40.52 (before: open, 166 days, 5.07 + 40 = 45.07). Financing at 10%:
    # 100.00 x 0.10 x 17 / 365 = 0.4657...
    p1 = payment("acme", on="2025-01-10", amount="100.00", pays=BILL_I, applied_on="2025-07-10",
                 id="P1")
    p2 = payment("acme", on="2025-02-01", amount="100.00", pays=BILL_I, id="P2")
    as_of = date(2025, 6, 30)
    full = ledger(customer("acme"), BILL_I, p1, p2, strict=False)
    # The ledger as it stood on 30 June, but for P1, which the full ledger does not load (a
    # document is kept or rejected whole, docs/concepts.md §2: as of 30 June its cash is not
    # unapplied cash either).
    then = ledger(customer("acme"), BILL_I, p2)
    settlement = settle(full, as_of=as_of)["I"]
    assert (settlement.status, settlement.settled_on, settlement.open_balance,
            settlement.days_late) == ("settled", date(2025, 2, 1), D(0), 17)
    made = review(full, as_of=as_of)
    assert made.book.claimable == D("40.52")
    # 0.4657... stated to the cent (half-even), as every client's financing is since
    # 2026-12-07 (was compared unrounded, to 4 places: 0.4658).
    assert made.book.financing_cost == D("0.47")
    assert settle(then, as_of=as_of)["I"] == settlement
    assert _without_rejections(made.model_dump(mode="json")) == _without_rejections(
        review(then, as_of=as_of).model_dump(mode="json"))


def _without_rejections(dumped: dict[str, object]) -> dict[str, object]:
    """A review's JSON without the load's rejections (P1 is not loaded in the full ledger)."""
    quality = dict(dumped.pop("data_quality"))  # type: ignore[call-overload]
    titles = {g["title"] for g in quality["groups"] if g["kind"] == "rejected"}
    quality.pop("rejected")
    quality.pop("rejections")
    quality["groups"] = [g for g in quality["groups"] if g["kind"] != "rejected"]
    quality["notes"] = [n for n in quality["notes"] if n not in titles]
    return {**dumped, "data_quality": quality}


def test_a_ledger_build_gives_one_answer_whatever_the_order_the_documents_came_in() -> None:
    # The reviewer's case, the documents in both orders: P1 rejected each time.
    p1 = payment("acme", on="2025-01-10", amount="100.00", pays=BILL_I, applied_on="2025-07-10",
                 id="P1")
    p2 = payment("acme", on="2025-02-01", amount="100.00", pays=BILL_I, id="P2")
    for records in ([p1, p2], [p2, p1]):
        book = Ledger.build([customer("acme"), BILL_I, *records], base_currency="EUR",
                            strict=False)
        assert [r.record_id for r in book.report.rejected] == ["P1"]
        assert [a.document_id for a in book.applications("I")] == ["P2"]
