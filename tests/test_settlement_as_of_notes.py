"""The notes of a replay as of a date speak only of what had happened by then.

The source's own figures (its amount due; an invoice it marks paid, with no paid date, that the
payments leave open) describe the invoice as it stands now and are checked against every
payment recorded. But a note that says what the replay *did* (settled an invoice the source
marks open, let the source's paid date settle a rest, settled it on another day than the
source's paid date, counted an allocation from its document's date) must be true of the replay
as of ``as_of``: a payment received later is not in it, and the ledger cut back to ``as_of``
gets the same notes.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientguard import review, settle
from clientguard.ledger import Ledger
from clientguard.model import AnyRecord, CreditNote, Invoice, InvoiceStatus, Payment
from clientguard.settlement import Note
from clientguard.testing import credit_note, customer, invoice, ledger, payment

JUNE_30 = date(2025, 6, 30)
AUGUST_31 = date(2025, 8, 31)

# I1: the source marks it open (and says 0.00 is due, as it stands now); paid in full on
# 15 August.
MARKED_OPEN = invoice("a", issued="2025-05-01", due="2025-05-31", total="1000.00", id="I1",
                      status="open", amount_due="0.00")
# I2: the source says paid on 10 June; the payment recorded came on 15 August.
PAID_ON_EARLIER = invoice("a", issued="2025-05-01", due="2025-05-31", total="1000.00",
                          id="I2", paid="2025-06-10")
# I3: paid on 20 June, says the source; 400.00 was paid on 10 June, 600.00 on 15 August.
PAID_PARTLY_BY_THEN = invoice("a", issued="2025-05-01", due="2025-05-31", total="1000.00",
                              id="I3", paid="2025-06-20")
# I4: paid on 1 September, says the source; 400.00 was paid on 10 June.
PAID_ON_LATER = invoice("a", issued="2025-05-01", due="2025-05-31", total="1000.00", id="I4",
                        paid="2025-09-01")
# I5: open; paid in full by a payment received on 15 August whose allocation the source dates
# 1 June, before the payment itself.
ALLOCATED_BEFORE = invoice("a", issued="2025-05-01", due="2025-05-31", total="1000.00",
                           id="I5")

BOOK = ledger(
    customer("a"),
    MARKED_OPEN, PAID_ON_EARLIER, PAID_PARTLY_BY_THEN, PAID_ON_LATER, ALLOCATED_BEFORE,
    payment("a", on="2025-08-15", amount="1000.00", pays=MARKED_OPEN, id="P1"),
    payment("a", on="2025-08-15", amount="1000.00", pays=PAID_ON_EARLIER, id="P2"),
    payment("a", on="2025-06-10", amount="400.00", pays=PAID_PARTLY_BY_THEN, id="P3a"),
    payment("a", on="2025-08-15", amount="600.00", pays=PAID_PARTLY_BY_THEN, id="P3b"),
    payment("a", on="2025-06-10", amount="400.00", pays=PAID_ON_LATER, id="P4"),
    payment("a", on="2025-08-15", amount="1000.00", pays=ALLOCATED_BEFORE,
            applied_on="2025-06-01", id="P5"),
)


@pytest.mark.parametrize(
    ("invoice_id", "as_of", "notes"),
    [
        # Open on 30 June, as the source says: nothing to note. Settled by 31 August.
        pytest.param("I1", JUNE_30, [], id="open-then"),
        pytest.param("I1", AUGUST_31, [
            "the source marks invoice I1 open, but its payments and credit notes settle it: "
            "the replay treats it as settled"], id="settled-by-then"),
        # On 30 June the source's paid date settles it (no payment yet): nothing to compare
        # it with. It stays settled on 10 June (a later replay does not take back what an
        # earlier one found); by 31 August the payment of 15 August is recorded, after it:
        # on 10 June nothing was paid, and the paid date settled it all.
        pytest.param("I2", JUNE_30, [], id="paid-date-then"),
        pytest.param("I2", AUGUST_31, [
            "the source marks invoice I2 paid on 2025-06-10, but its payments and credit notes "
            "leave 1000.00 EUR open: the source's paid date settles the rest"],
            id="payment-by-then"),
        # On 30 June the 400.00 paid leaves 600.00, which the paid date of 20 June settles;
        # the 600.00 paid on 15 August came after: the same on 31 August.
        pytest.param("I3", JUNE_30, [
            "the source marks invoice I3 paid on 2025-06-20, but its payments and credit notes "
            "leave 600.00 EUR open: the source's paid date settles the rest"], id="rest-then"),
        pytest.param("I3", AUGUST_31, [
            "the source marks invoice I3 paid on 2025-06-20, but its payments and credit notes "
            "leave 600.00 EUR open: the source's paid date settles the rest"],
            id="rest-paid-by-then"),
        # The source's paid date of 1 September has not come by 30 June: 600.00 is open.
        pytest.param("I4", JUNE_30, [], id="paid-date-to-come"),
        # The payment of 15 August counts from 15 August: not at all by 30 June.
        pytest.param("I5", JUNE_30, [], id="allocation-to-come"),
        pytest.param("I5", AUGUST_31, [
            "the source marks invoice I5 open, but its payments and credit notes settle it: "
            "the replay treats it as settled",
            "an allocation of payment P5 is dated 2025-06-01, before the payment itself: it is "
            "counted from 2025-08-15"], id="allocation-by-then"),
    ],
)
def test_a_note_about_the_replay_speaks_of_what_happened_by_its_date(
    invoice_id: str, as_of: date, notes: list[str]
) -> None:
    assert list(settle(BOOK, as_of=as_of)[invoice_id].notes) == notes
    in_review = [n for n in review(BOOK, as_of=as_of).data_quality.notes
                 if n.startswith(f"invoice {invoice_id}:")]
    assert in_review == [f"invoice {invoice_id}: {n}" for n in notes]


AS_OF_KINDS = {"open_but_settled", "paid_but_open_paid_date", "paid_date_differs",
               "allocation_before_document"}
"""The notes that say what the replay did as of its date."""


def as_of_notes(book: Ledger, as_of: date) -> dict[str, list[str]]:
    """Each invoice's notes of :data:`AS_OF_KINDS` in a replay as of ``as_of``."""
    return {
        invoice_id: [n for n in made.notes if isinstance(n, Note) and n.kind in AS_OF_KINDS]
        for invoice_id, made in settle(book, as_of=as_of).items()
    }


def test_the_book_cut_back_to_june_gets_the_same_notes_about_the_replay() -> None:
    # What was known on 30 June: the payments received by then. (The source's own fields are
    # as they are now: I1's amount due of 0.00 disagrees with the cut book, which lacks the
    # payment of 15 August, and says so; that note is about the source, not the replay.)
    cut = ledger(*[r for r in BOOK.records()
                   if not (isinstance(r, Payment) and r.date > JUNE_30)])
    notes = as_of_notes(BOOK, JUNE_30)
    assert notes == as_of_notes(cut, JUNE_30)
    assert notes["I3"] == [
        "the source marks invoice I3 paid on 2025-06-20, but its payments and credit notes "
        "leave 600.00 EUR open: the source's paid date settles the rest"]


# ------------------------------------------------------- the same, over books hypothesis makes
START = date(2025, 1, 1)


@st.composite
def books(draw: st.DrawFn) -> Ledger:
    """Up to eight invoices of two customers, marked open or paid (with or without a paid
    date), each paid in up to three parts by payments or credit notes dated up to 200 days
    after it, some allocations dated before their document, the source's amount due right,
    wrong or missing."""
    records: list[AnyRecord] = [customer("a"), customer("b")]
    for index in range(draw(st.integers(1, 8))):
        who = draw(st.sampled_from(["a", "b"]))
        cents = draw(st.integers(1, 500_000))
        total = D(cents) / 100
        issued = START + timedelta(days=draw(st.integers(0, 200)))
        paid_on = (issued + timedelta(days=draw(st.integers(0, 200)))
                   if draw(st.booleans()) else None)
        status: InvoiceStatus = (draw(st.sampled_from(["open", "paid"])) if paid_on is None
                                 else "paid")
        said = draw(st.sampled_from(["none", "zero", "total"]))
        bill = invoice(who, issued=issued, total=total, id=f"I{index}", status=status,
                       paid=paid_on, amount_due={"none": None, "zero": "0.00",
                                                 "total": total}[said])
        records.append(bill)
        left = cents
        for part in range(draw(st.integers(0, 3))):
            if left == 0:
                break
            piece = draw(st.integers(1, left))
            left -= piece
            day = issued + timedelta(days=draw(st.integers(0, 200)))
            applied = day + timedelta(days=draw(st.integers(-20, 5)))
            amount = D(piece) / 100
            if draw(st.integers(0, 3)) == 0:
                records.append(credit_note(who, issued=day, total=amount,
                                           applies_to=[(bill, amount)], applied_on=applied,
                                           id=f"C{index}-{part}"))
            else:
                records.append(payment(who, on=day, amount=amount, pays=[(bill, amount)],
                                       applied_on=applied, id=f"P{index}-{part}"))
    return ledger(*records)


def counted_on(record: Payment | CreditNote) -> date:
    """The day the replay counts the document's one allocation from."""
    own = record.date if isinstance(record, Payment) else record.issue_date
    allocated = record.allocations[0].date or own
    return max(own, allocated)


def cut_back(book: Ledger, as_of: date) -> Ledger:
    """The book as it was on ``as_of``: no invoice issued later, no payment or credit note
    counted later (the source's own fields left as they are)."""
    return ledger(*[
        r for r in book.records()
        if not (isinstance(r, Invoice) and r.issue_date > as_of)
        and not (isinstance(r, Payment | CreditNote) and counted_on(r) > as_of)
    ])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(book=books(), as_of=st.dates(min_value=START, max_value=date(2025, 12, 31)))
def test_the_notes_about_the_replay_are_those_of_the_book_cut_back_to_its_date(
    book: Ledger, as_of: date
) -> None:
    assert as_of_notes(book, as_of) == as_of_notes(cut_back(book, as_of), as_of)
