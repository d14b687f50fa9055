"""A replay as of a date uses only what had happened by then (docs/metrics/lateness.md, rule 1).

Two ways of saying it, each checked on ledgers hypothesis makes with the ``clientguard.testing``
builders: the ledger as of ``D`` gives what the ledger *cut back* to ``D`` gives (no invoice
issued later, no payment or credit note counted later, no paid date or dispute of the source's
dated later), and a settlement found as of ``D`` stays what it is in every later replay. The
rows above the properties are the cases the properties found, worked out by hand.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientguard import Policy, review, settle
from clientguard.ledger import Ledger
from clientguard.model import (
    AnyRecord,
    CreditNote,
    Invoice,
    InvoiceStatus,
    Payment,
    TimeEntry,
    WorkRequest,
)
from clientguard.settlement import NOTE_KINDS, Note, replay
from clientguard.testing import (
    credit_note,
    customer,
    invoice,
    ledger,
    payment,
    time_entry,
    work_request,
)

# ----------------------------------------------------------- the source's paid date, an event
# One invoice: 100.00 EUR issued 1 January 2025, due 20 February; the source marks it paid on
# the day each row gives. Each row: what was applied (kind, day, amount), the replay's date,
# then what the replay says, worked out by hand.


def bill_paid_on(paid_on: str) -> Invoice:
    """The invoice of the rows below, paid on ``paid_on`` as the source says."""
    return invoice("acme", issued="2025-01-01", due="2025-02-20", total="100.00", id="F-1",
                   paid=paid_on)


@pytest.mark.parametrize(
    ("paid_on", "applied", "as_of", "settled_on", "basis", "days_late", "open_balance"),
    [
        # 50.00 on 1 February, the paid date of 10 February settles the other 50.00; the
        # 50.00 received on 1 March comes after the invoice was settled. As of 15 February
        # (before the March payment) and as of 30 June alike: settled 10 February, on time.
        pytest.param("2025-02-10", [("p", "2025-02-01", "50.00"), ("p", "2025-03-01", "50.00")],
                     "2025-02-15", date(2025, 2, 10), "paid_on", 0, D(0), id="rest-then"),
        pytest.param("2025-02-10", [("p", "2025-02-01", "50.00"), ("p", "2025-03-01", "50.00")],
                     "2025-06-30", date(2025, 2, 10), "paid_on", 0, D(0), id="rest-later"),
        # The whole 100.00 received on 1 March, after the paid date of 10 February: as of 15
        # February the paid date had settled it; so it stays.
        pytest.param("2025-02-10", [("p", "2025-03-01", "100.00")],
                     "2025-06-30", date(2025, 2, 10), "paid_on", 0, D(0), id="all-after"),
        # A paid date before the credit note of 5 February (30.00): settled on 1 February,
        # the day the source says; the credit note comes after.
        pytest.param("2025-02-01", [("c", "2025-02-05", "30.00")],
                     "2025-06-30", date(2025, 2, 1), "paid_on", 0, D(0), id="credit-after"),
        # The paid date of 10 March is after the due date: 50.00 open on 5 March, 13 days
        # past due (5 March - 20 February); settled on 10 March, 18 days late.
        pytest.param("2025-03-10", [("p", "2025-02-01", "50.00")],
                     "2025-03-05", None, None, 13, D("50.00"), id="rest-to-come"),
        pytest.param("2025-03-10", [("p", "2025-02-01", "50.00")],
                     "2025-06-30", date(2025, 3, 10), "paid_on", 18, D(0), id="rest-late"),
        # The payments settle it before the paid date: their day, as ever.
        pytest.param("2025-02-10", [("p", "2025-02-01", "100.00")],
                     "2025-06-30", date(2025, 2, 1), "allocations", 0, D(0), id="paid-before"),
        # A payment on the paid date itself counts first (the day's payments, then the paid
        # date settling what they leave): the payments settle it.
        pytest.param("2025-02-10", [("p", "2025-02-01", "50.00"), ("p", "2025-02-10", "50.00")],
                     "2025-06-30", date(2025, 2, 10), "allocations", 0, D(0), id="same-day"),
    ],
)
def test_the_source_paid_date_settles_on_its_day_what_was_left_then(
    paid_on: str, applied: list[tuple[str, str, str]], as_of: str, settled_on: date | None,
    basis: str | None, days_late: int, open_balance: D,
) -> None:
    bill = bill_paid_on(paid_on)
    documents = [
        payment("acme", on=day, amount=amount, pays=[(bill, amount)], id=f"P{index}")
        if kind == "p" else
        credit_note("acme", issued=day, total=amount, applies_to=[(bill, amount)], id=f"C{index}")
        for index, (kind, day, amount) in enumerate(applied)
    ]
    made = settle(ledger(bill, *documents), as_of=date.fromisoformat(as_of))["F-1"]
    assert (made.settled_on, made.basis, made.days_late, made.open_balance) == (
        settled_on, basis, days_late, open_balance)


@pytest.mark.parametrize(
    ("applied", "late_amount_days"),
    [
        # 50.00 on time (1 February), the rest settled by the paid date of 10 March, 18 days
        # after the due date: 50.00 x 18 = 900.00 amount-days.
        ([("2025-02-01", "50.00")], D("900.00")),
        # 50.00 on 1 February, 50.00 on 1 April after the paid date: the paid date settled
        # the rest on 10 March (50.00 x 18); the April payment came after the invoice was
        # settled and adds nothing (it would add 50.00 x 40 = 2000.00).
        ([("2025-02-01", "50.00"), ("2025-04-01", "50.00")], D("900.00")),
        # 30.00 paid 1 March (9 days late: 270.00), the paid date settles 70.00 on 10 March
        # (18 days: 1260.00).
        ([("2025-03-01", "30.00")], D("1530.00")),
    ],
)
def test_the_lateness_counted_stops_at_the_source_paid_date(
    applied: list[tuple[str, str]], late_amount_days: D
) -> None:
    bill = bill_paid_on("2025-03-10")
    book = ledger(bill, *[payment("acme", on=day, amount=amount, pays=[(bill, amount)],
                                  id=f"P{index}") for index, (day, amount) in enumerate(applied)])
    (row,) = replay(book, as_of=date(2025, 6, 30))
    assert row.late_amount_days == late_amount_days


def test_a_later_review_does_not_find_late_what_an_earlier_one_found_paid_on_time() -> None:
    # The rows' first case: as of 15 February the paid date of 10 February settled the
    # invoice, on time; the 50.00 recorded on 1 March does not make a review as of 30 June
    # find it 9 days late.
    bill = bill_paid_on("2025-02-10")
    book = ledger(customer("acme"), bill,
                  payment("acme", on="2025-02-01", amount="50.00", pays=[(bill, "50.00")],
                          id="P1"),
                  payment("acme", on="2025-03-01", amount="50.00", pays=[(bill, "50.00")],
                          id="P2"))
    for as_of in (date(2025, 2, 25), date(2025, 6, 30)):
        profile = review(book, as_of=as_of).clients["acme"].profiles["acme"]
        assert (profile.invoices_due, profile.invoices_late) == (1, 0)
        assert profile.weighted_days_late == 0


def test_a_note_never_names_a_paid_date_still_to_come() -> None:
    # Paid in full on 1 February; the source's paid date of 10 March was still to come on
    # 1 March: as of then the replay has nothing to say about it. By 30 June it has.
    bill = bill_paid_on("2025-03-10")
    book = ledger(bill, payment("acme", on="2025-02-01", amount="100.00", pays=bill, id="P1"))
    assert settle(book, as_of=date(2025, 3, 1))["F-1"].notes == ()
    assert settle(book, as_of=date(2025, 6, 30))["F-1"].notes == (
        "the source says invoice F-1 was paid on 2025-03-10, but its payments settle it on "
        "2025-02-01: the replay's date is used",)


def test_a_note_about_a_zero_invoice_names_the_day_the_replay_settled_it() -> None:
    # 0.01 is within the tolerance: settled the day it was issued (1 January), whatever the
    # credit note of 14 January; the note names the replay's day.
    bill = invoice("acme", issued="2025-01-01", total="0.01", paid="2025-02-10", id="Z-1")
    book = ledger(bill, credit_note("acme", issued="2025-01-14", total="0.01", applies_to=bill,
                                    id="C1"))
    made = settle(book, as_of=date(2025, 6, 30))["Z-1"]
    assert made.settled_on == date(2025, 1, 1)
    assert made.notes == (
        "the source says invoice Z-1 was paid on 2025-02-10, but its payments settle it on "
        "2025-01-01: the replay's date is used",)


# ----------------------------------------------------------------- ledgers hypothesis makes
START = date(2024, 1, 1)
CUSTOMERS = ("a", "b", "c")
RATES = {"EUR": None, "USD": "0.90", "PLN": "0.25"}


@st.composite
def records(draw: st.DrawFn, currencies: tuple[str, ...] = ("EUR",)) -> list[AnyRecord]:
    """Up to fourteen invoices of three customers (terms of 0 to 60 days, some due before
    issue; open, paid on a date of the source's (some before issue), or paid with no date; a
    tenth disputed, with or without the day), paid in parts by up to sixteen payments or
    credit notes, each paying up to three invoices of one customer and currency, dated from 20
    days before the first invoice's issue to 160 after (some allocations dated apart from
    their document), some with unapplied cash on top; and hours and work requests."""
    made: list[AnyRecord] = [customer(c) for c in CUSTOMERS]
    bills: list[Invoice] = []
    left: dict[str, int] = {}
    for index in range(draw(st.integers(1, 14))):
        who = draw(st.sampled_from(CUSTOMERS))
        cents = draw(st.integers(1, 500_000))
        issued = START + timedelta(days=draw(st.integers(0, 500)))
        terms = draw(st.sampled_from([0, 7, 14, 30, 45, 60, -3]))
        currency = draw(st.sampled_from(currencies))
        kind = draw(st.sampled_from(["open", "open", "paid_on", "paid"]))
        paid_on = (issued + timedelta(days=draw(st.integers(-5, 150)))
                   if kind == "paid_on" else None)
        status: InvoiceStatus | None = "paid" if kind == "paid" else None
        disputed_on = None
        disputed = False
        if draw(st.integers(0, 9)) == 0:
            if draw(st.booleans()):
                disputed_on = issued + timedelta(days=draw(st.integers(0, 90)))
            else:
                disputed = True
        bill = invoice(who, issued=issued, due=issued + timedelta(days=terms),
                       total=D(cents) / 100, id=f"I{index}", currency=currency,
                       fx_rate=RATES[currency], paid=paid_on, status=status,
                       disputed=disputed, disputed_on=disputed_on)
        bills.append(bill)
        made.append(bill)
        left[bill.id] = cents
    for index in range(draw(st.integers(0, 16))):
        first = draw(st.sampled_from(bills))
        alike = [b for b in bills
                 if b.customer_id == first.customer_id and b.currency == first.currency]
        targets = draw(st.lists(st.sampled_from(alike), min_size=1, max_size=3,
                                unique_by=lambda b: b.id))
        pairs = []
        for target in targets:
            if left[target.id]:
                cents = draw(st.integers(1, left[target.id]))
                left[target.id] -= cents
                pairs.append((target, D(cents) / 100))
        if not pairs:
            continue
        day = first.issue_date + timedelta(days=draw(st.integers(-20, 160)))
        applied_on = (day + timedelta(days=draw(st.integers(-10, 30)))
                      if draw(st.integers(0, 4)) == 0 else None)
        amount = sum((share for _, share in pairs), D(0))
        if draw(st.integers(0, 3)) == 0:
            made.append(credit_note(first.customer_id, issued=day, total=amount,
                                    applies_to=pairs, applied_on=applied_on, id=f"C{index}",
                                    currency=first.currency, fx_rate=RATES[first.currency]))
        else:
            extra = D(draw(st.sampled_from([0, 0, 1000]))) / 100
            made.append(payment(first.customer_id, on=day, amount=amount + extra, pays=pairs,
                                applied_on=applied_on, id=f"P{index}",
                                currency=first.currency, fx_rate=RATES[first.currency]))
    for index in range(draw(st.integers(0, 10))):
        made.append(time_entry(draw(st.sampled_from(CUSTOMERS)),
                               on=START + timedelta(days=draw(st.integers(0, 520))),
                               hours=draw(st.sampled_from(["1", "2.5", "8"])),
                               entry_id=f"T{index}"))
    for index in range(draw(st.integers(0, 6))):
        made.append(work_request(draw(st.sampled_from(CUSTOMERS)),
                                 requested=START + timedelta(days=draw(st.integers(0, 520))),
                                 lead_days=draw(st.integers(0, 20)), id=f"R{index}"))
    return made


def cut_back(made: list[AnyRecord], as_of: date) -> list[AnyRecord]:
    """The records as they stood on ``as_of``: no invoice issued later; no payment or credit
    note received later, and of the others no allocation counted later (nor one to an
    invoice issued later); no time entry or work request later; no paid date or dispute of
    the source's dated later. An invoice the source marks paid was open then when its paid
    date had not come or some of its payments had not, unless those counted by then paid it
    (within the tolerance)."""
    issued = {r.id for r in made if isinstance(r, Invoice) and r.issue_date <= as_of}
    cut_from: set[str] = set()
    kept: list[AnyRecord] = []
    for record in made:
        if isinstance(record, Payment | CreditNote):
            own = record.date if isinstance(record, Payment) else record.issue_date
            allocations = []
            for allocation in record.allocations:
                counted = max(allocation.date or own, own)
                if own <= as_of and counted <= as_of and allocation.invoice_id in issued:
                    allocations.append(allocation)
                else:
                    cut_from.add(allocation.invoice_id)
            if own <= as_of:
                kept.append(record.model_copy(update={"allocations": tuple(allocations)}))
        elif isinstance(record, TimeEntry):
            if record.date <= as_of:
                kept.append(record)
        elif isinstance(record, WorkRequest):
            if record.requested_on <= as_of:
                kept.append(record)
        else:
            kept.append(record)
    # What the kept allocations pay of each invoice (in its currency: the documents here are
    # in their invoices' currency), to tell a paid invoice from one still open on as_of.
    kept_on: dict[str, D] = {}
    for record in kept:
        if isinstance(record, Payment | CreditNote):
            for allocation in record.allocations:
                kept_on[allocation.invoice_id] = (kept_on.get(allocation.invoice_id, D(0))
                                                  + allocation.amount)
    cut: list[AnyRecord] = []
    for record in kept:
        if isinstance(record, Invoice):
            if record.issue_date > as_of:
                continue
            changed: dict[str, Any] = {}
            if record.paid_on is not None and record.paid_on > as_of:
                changed.update(paid_on=None)
            if (changed or (record.paid_on is None and record.id in cut_from)) and (
                record.status == "paid" and record.total - kept_on.get(record.id, D(0)) > TOLERANCE
            ):
                changed.update(status="open")
            if record.disputed_on is not None and record.disputed_on > as_of:
                changed.update(disputed=False, disputed_on=None)
            if changed:
                record = record.model_copy(update=changed)
        cut.append(record)
    return cut


TOLERANCE = Policy().settle_tolerance
NOW_KINDS = {"paid_but_open", "amount_due_mismatch", "paid_date_unknown"}
"""Notes that compare the source's figures *as they stand now* with every payment recorded
(docs/metrics/lateness.md, rule 7): the cut-back ledger rightly differs in them."""


def replayed(book: Ledger, as_of: date) -> dict[str, Any]:
    """Each settlement as JSON, without the notes about the source's figures now."""
    out = {}
    for key, made in settle(book, as_of=as_of).items():
        dumped = made.model_dump(mode="json")
        dumped["notes"] = [n for n in made.notes
                           if not (isinstance(n, Note) and n.kind in NOW_KINDS)]
        out[key] = dumped
    return out


DAYS = st.integers(0, 560)
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))


@PROPERTY
@given(made=records(), day=DAYS)
def test_a_replay_as_of_a_date_is_the_replay_of_the_ledger_cut_back_to_it(
    made: list[AnyRecord], day: int
) -> None:
    as_of = START + timedelta(days=day)
    assert replayed(ledger(*made), as_of) == replayed(ledger(*cut_back(made, as_of)), as_of)


@PROPERTY
@given(made=records(), day=DAYS, later=st.integers(1, 400))
def test_a_settlement_found_as_of_a_date_stays_in_every_later_replay(
    made: list[AnyRecord], day: int, later: int
) -> None:
    book = ledger(*made)
    as_of = START + timedelta(days=day)
    then = settle(book, as_of=as_of)
    now = settle(book, as_of=as_of + timedelta(days=later))
    for key, settled in then.items():
        if settled.status == "settled":
            assert (now[key].status, now[key].settled_on, now[key].basis) == (
                "settled", settled.settled_on, settled.basis)
        elif settled.status == "open":
            # Open then: settled, if at all, only after that date.
            later_day = now[key].settled_on
            assert later_day is None or later_day > as_of


def reviewed(book: Ledger, as_of: date) -> dict[str, Any]:
    """The review as JSON: its clients (verdicts, findings, evidence, profiles, costs,
    what-ifs), its book and its forecast, and of its data quality the settlements' notes about
    the replay. The rest of the data quality is about the records loaded (rejections, a due
    date before the issue date, finer amounts) or the source's figures now, not the replay."""
    made = review(book, as_of=as_of)
    dumped = made.model_dump(mode="json")
    quality = dumped.pop("data_quality")
    dumped["notes"] = [group for group in quality["groups"]
                       if group["kind"] in NOTE_KINDS and group["kind"] not in NOW_KINDS]
    return dumped


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(made=records(currencies=("EUR", "USD", "PLN")), day=DAYS)
def test_a_review_as_of_a_date_is_the_review_of_the_ledger_cut_back_to_it(
    made: list[AnyRecord], day: int
) -> None:
    # Verdicts, findings, evidence, profiles, costs, what-ifs, the book's concentration and
    # the forecast: each from what had happened by as_of only.
    as_of = START + timedelta(days=day)
    assert reviewed(ledger(*made), as_of) == reviewed(ledger(*cut_back(made, as_of)), as_of)


# ------------------------------------------------- over-applied invoices, allocations made later
@st.composite
def over_applied(draw: st.DrawFn) -> list[AnyRecord]:
    """:func:`records` (EUR), and up to four payments or credit notes that take an open
    invoice (one the source marks neither paid nor paid on a date; mostly one other documents
    pay too) over its total, some paying a second invoice of its customer too: most received
    within 20 days before or 10 after the invoice's issue and applied 30 to 200 days later,
    the others received up to 160 days after it and applied on their own date or up to 200
    days later. The ledger rejects one of them or one of the invoice's other documents,
    whichever the replay counts taking it over its total."""
    # (A paid date before the issue date is moved to the issue date: the stale-data signal
    # reads such a date as of a day the invoice was not issued yet, another matter.)
    made = [r.model_copy(update={"paid_on": r.issue_date})
            if isinstance(r, Invoice) and r.paid_on is not None and r.paid_on < r.issue_date
            else r for r in draw(records())]
    bills = [r for r in made if isinstance(r, Invoice) and r.status == "open"
             and r.paid_on is None]
    if not bills:
        return made
    # Mostly invoices other documents pay already (or will): one of them is rejected.
    paid = {a.invoice_id for r in made if isinstance(r, Payment | CreditNote)
            for a in r.allocations}
    targets = [b for b in bills if b.id in paid] or bills
    for index in range(draw(st.integers(1, 4))):
        target = draw(st.sampled_from(targets if draw(st.integers(0, 3)) else bills))
        pairs = [(target, target.total)]
        others = [b for b in bills if b.customer_id == target.customer_id and b is not target]
        second: bool = draw(st.booleans())
        if others and second:
            other = draw(st.sampled_from(others))
            pairs.append((other, D(draw(st.integers(1, int(other.total * 100)))) / 100))
        if draw(st.integers(0, 3)):
            # Received early, applied months later: after the invoice's other documents.
            day = target.issue_date + timedelta(days=draw(st.integers(-20, 10)))
            applied_on: date | None = day + timedelta(days=draw(st.integers(30, 200)))
        else:
            day = target.issue_date + timedelta(days=draw(st.integers(-20, 160)))
            applied_on = (day + timedelta(days=draw(st.integers(1, 200)))
                          if draw(st.booleans()) else None)
        amount = sum((share for _, share in pairs), D(0))
        if draw(st.integers(0, 2)) == 0:
            made.append(credit_note(target.customer_id, issued=day, total=amount,
                                    applies_to=pairs, applied_on=applied_on, id=f"XC{index}"))
        else:
            made.append(payment(target.customer_id, on=day, amount=amount, pays=pairs,
                                applied_on=applied_on, id=f"XP{index}"))
    return made


def rejected_after(book: Ledger, as_of: date) -> set[tuple[str, str]]:
    """The documents ``book`` rejects for an allocation the ledger as of ``as_of`` does not
    hold yet (counted after it, or to an invoice issued after it: see :func:`cut_back`): a
    document is kept or rejected whole (docs/concepts.md §2), so as of that date the ledger
    does not hold them at all (not even as unapplied cash)."""
    issued = {i.id: i.issue_date for i in book.invoices}
    out = set()
    for rejection in book.report.rejected:
        document = rejection.record
        if not isinstance(document, Payment | CreditNote) or rejection.field is None:
            continue
        own = document.date if isinstance(document, Payment) else document.issue_date
        allocation = document.allocations[int(rejection.field.split(".")[1])]
        if max(allocation.date or own, own, issued[allocation.invoice_id]) > as_of:
            out.add((document.kind, document.id))
    return out


LOAD_KINDS = {"rejected", "foreign_allocations", "due_before_issue"}
"""What the review's data quality says of the records loaded, whatever the date: the documents
the ledger rejected, allocations to another group's invoice, due dates before the issue."""


def reviewed_whole(book: Ledger, as_of: date) -> dict[str, Any]:
    """The review as JSON, all of it but, of its data quality, what it says of the records
    loaded (:data:`LOAD_KINDS`) and of the source's figures now (:data:`NOW_KINDS`): the
    groups of notes of the other kinds stand for the notes."""
    dumped = review(book, as_of=as_of).model_dump(mode="json")
    quality = dumped["data_quality"]
    for name in ("rejected", "rejections", "foreign_allocations", "due_before_issue",
                 "paid_date_unknown", "amount_due_mismatches", "notes"):
        quality.pop(name)
    quality["groups"] = [g for g in quality["groups"]
                         if g["kind"] not in LOAD_KINDS and not g["kind"].startswith(
                             tuple(NOW_KINDS))]
    return dumped


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(made=over_applied(), data=st.data())
def test_an_over_application_counted_later_changes_no_review_of_an_earlier_date(
    made: list[AnyRecord], data: st.DataObject
) -> None:
    # The document rejected is the one whose application the replay counts taking the invoice
    # over its total: as of a date before that application the review is the review of the
    # ledger as it stood then (less the rejected document, not loaded). As of any day, or
    # mostly of one between an over-applying document's receipt and its application.
    pending: list[tuple[date, date]] = []
    for record in made:
        if isinstance(record, Payment | CreditNote) and record.id.startswith("X"):
            own = record.date if isinstance(record, Payment) else record.issue_date
            applied = record.allocations[0].date
            if applied is not None and applied > own:
                pending.append((own, applied))
    between: int = data.draw(st.integers(0, 3))
    if pending and between:
        own, applied = data.draw(st.sampled_from(pending))
        as_of = own + timedelta(days=data.draw(st.integers(0, (applied - own).days - 1)))
    else:
        as_of = START + timedelta(days=data.draw(DAYS))
    full = ledger(*made, strict=False)
    gone = rejected_after(full, as_of)
    kept = [r for r in made if not (isinstance(r, Payment | CreditNote) and (r.kind, r.id) in gone)]
    then = ledger(*cut_back(kept, as_of), strict=False)
    assert reviewed_whole(full, as_of) == reviewed_whole(then, as_of)
