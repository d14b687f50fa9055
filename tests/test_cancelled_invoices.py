"""An invoice settled by credit notes alone was cancelled, not paid (docs/metrics/lateness.md,
section 1, rule 10): not late, not on time, out of the late share, the weighted days late, the
trend and the chronic-late finding; while it was open it was owed as any other."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientguard.findings import Signal
from clientguard.forecast import paid_by_client
from clientguard.metrics.lateness import payment_profiles
from clientguard.model import Allocation, AnyRecord, Invoice, Payment
from clientguard.policy import Policy
from clientguard.settlement import (
    balance_history,
    cancelled_by_credit,
    is_cancelled,
    replay,
    settle,
)
from clientguard.signals import late_payers
from clientguard.signals.lateness import dispute_splits
from clientguard.testing import credit_note, invoice, ledger, payment

# The worked examples of docs/metrics/lateness.md: 300.00 issued 1 Jan 2025, due 31 Jan.
ISSUED, DUE = date(2025, 1, 1), date(2025, 1, 31)
AS_OF = date(2025, 6, 30)
ZERO = Decimal(0)


def bill(**kwargs: object) -> AnyRecord:
    return invoice("c", issued=ISSUED, due=DUE, total="300", id="inv", **kwargs)  # type: ignore[arg-type]


def credit(on: date, amount: str, n: int = 1) -> AnyRecord:
    return credit_note("c", issued=on, total=amount, applies_to={"inv": Decimal(amount)},
                       id=f"cn-{n}")


def paid(on: date, amount: str, n: int = 1) -> AnyRecord:
    return payment("c", on=on, amount=amount, pays={"inv": Decimal(amount)}, id=f"p-{n}")


@dataclass(frozen=True)
class Case:
    name: str
    records: tuple[AnyRecord, ...]
    as_of: date
    status: str
    settled_on: date | None
    cancelled: bool
    late: bool
    days_late: int | None
    due: int  # the profile's invoices_due
    invoices_late: int
    invoices_cancelled: int
    overdue: Decimal


CASES = [
    # Credited in full 30 days after its due date, no payment: cancelled. Its days are facts
    # (open 30 days past due), but it is not late, and not in the population.
    Case("credited in full after due", (bill(), credit(date(2025, 3, 2), "300")), AS_OF,
         "settled", date(2025, 3, 2), True, False, 30, 0, 0, 1, Decimal(0)),
    # Two credit notes, the last after due: still cancelled.
    Case("two credit notes", (bill(), credit(date(2025, 1, 20), "100"),
                              credit(date(2025, 3, 2), "200", 2)), AS_OF,
         "settled", date(2025, 3, 2), True, False, 30, 0, 0, 1, Decimal(0)),
    # Credited before its due date: cancelled, so not "on time" either (out of the count).
    Case("credited in full before due", (bill(), credit(date(2025, 1, 20), "300")), AS_OF,
         "settled", date(2025, 1, 20), True, False, 0, 0, 0, 1, Decimal(0)),
    # As of a day before the credit note it was owed as any other: open, 15 days late.
    Case("as of before the credit note", (bill(), credit(date(2025, 3, 2), "300")),
         date(2025, 2, 15), "open", None, False, True, 15, 1, 1, 0, Decimal(300)),
    # Paid in part, credited for the rest after due (the doc's row): paid, 10 days late.
    Case("paid 200, credited 100 after due", (bill(), paid(date(2025, 1, 20), "200"),
                                              credit(date(2025, 2, 10), "100")), AS_OF,
         "settled", date(2025, 2, 10), False, True, 10, 1, 1, 0, Decimal(0)),
    # Credited in part, the rest settled by the source's paid date after due: paid late.
    Case("credited 100, the rest on the paid date",
         (bill(paid=date(2025, 3, 2)), credit(date(2025, 1, 10), "100")), AS_OF,
         "settled", date(2025, 3, 2), False, True, 30, 1, 1, 0, Decimal(0)),
    # Credited 299.99 of 300.00 on 2 Mar: within the settle tolerance (0.01), settled and
    # cancelled that day; the last cent paid on 10 Mar came after it was settled, so it does
    # not make the invoice paid (the same answer as of 5 Mar, before the cent, and after it:
    # before 2026-12-07 the cent anywhere in the books made it "paid 30 days late").
    Case("credited within the tolerance, the last cent paid after",
         (bill(), credit(date(2025, 3, 2), "299.99"), paid(date(2025, 3, 10), "0.01")), AS_OF,
         "settled", date(2025, 3, 2), True, False, 30, 0, 0, 1, Decimal(0)),
    Case("the same, as of a day before the cent",
         (bill(), credit(date(2025, 3, 2), "299.99"), paid(date(2025, 3, 10), "0.01")),
         date(2025, 3, 5), "settled", date(2025, 3, 2), True, False, 30, 0, 0, 1, Decimal(0)),
    # The cent received on 10 Mar with its allocation dated 1 Jan (as Xero may date it, on
    # the invoice's date): the replay counts it from 10 Mar, when the money came, so the
    # credit notes settled the invoice first (it read the allocation's date: "paid, 30 days
    # late", also as of 5 Mar, before the cent came).
    Case("the last cent received after, its allocation dated before",
         (bill(), credit(date(2025, 3, 2), "299.99"),
          Payment(id="p-1", customer_id="c", date=date(2025, 3, 10), amount=Decimal("0.01"),
                  currency="EUR", source="test", allocations=(Allocation(
                      invoice_id="inv", amount=Decimal("0.01"), date=date(2025, 1, 1)),))),
         date(2025, 3, 5), "settled", date(2025, 3, 2), True, False, 30, 0, 0, 1, Decimal(0)),
    # The cent paid on the credit note's day: a day's payments come before its credit notes,
    # so a payment is among what settled it: paid, 30 days late.
    Case("the last cent paid on the credit note's day",
         (bill(), credit(date(2025, 3, 2), "299.99"), paid(date(2025, 3, 2), "0.01")), AS_OF,
         "settled", date(2025, 3, 2), False, True, 30, 1, 1, 0, Decimal(0)),
    # A payment alone, 30 days late: late, as always.
    Case("paid in full after due", (bill(), paid(date(2025, 3, 2), "300")), AS_OF,
         "settled", date(2025, 3, 2), False, True, 30, 1, 1, 0, Decimal(0)),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_settlement_and_profile(case: Case) -> None:
    book = ledger(*case.records)
    found = settle(book, as_of=case.as_of)["inv"]
    assert (found.status, found.settled_on, found.cancelled, found.late, found.days_late) == (
        case.status, case.settled_on, case.cancelled, case.late, case.days_late)
    profile = payment_profiles(book, as_of=case.as_of)["c"]
    assert profile.invoices_due == case.due
    assert profile.invoices_late == case.invoices_late
    assert profile.invoices_cancelled == case.invoices_cancelled
    assert profile.overdue_balance == case.overdue
    # The replay row says the same as the settlement.
    (row,) = replay(book, as_of=case.as_of)
    assert is_cancelled(row, cancelled_by_credit(book)) is case.cancelled


def test_a_cancelled_invoice_keeps_its_open_balance_history() -> None:
    """Open 300.00 from the due date to the credit note's day, then nothing: the same steps as
    an invoice paid that day (what the statutory interest reads)."""
    book = ledger(bill(), credit(date(2025, 3, 2), "300"))
    found = settle(book, as_of=AS_OF)["inv"]
    assert balance_history(book, found) == [(DUE, Decimal(300)), (date(2025, 3, 2), ZERO)]


def punctual_client_with_cancellations(paid_late_by: int = 0) -> list[AnyRecord]:
    """Client x: eight invoices of 1,000 a month from 1 Sep 2024 on 30 days' terms; the even
    ones paid ``paid_late_by`` days after their due date (the source's paid date), the odd
    ones each cancelled by a credit note of 1,000 sixty days after its due date."""
    records: list[AnyRecord] = []
    for n in range(8):
        issued = date(2024, 9, 1) + timedelta(days=30 * n)
        due = issued + timedelta(days=30)
        if n % 2 == 0:
            records.append(invoice("x", issued=issued, due=due, total="1000",
                                   paid=due + timedelta(days=paid_late_by), id=f"x-{n}"))
        else:
            records += [
                invoice("x", issued=issued, due=due, total="1000", id=f"x-{n}"),
                credit_note("x", issued=due + timedelta(days=60), total="1000",
                            applies_to={f"x-{n}": Decimal(1000)}, id=f"cn-{n}"),
            ]
    return records


def test_a_punctual_client_whose_wrong_invoices_were_cancelled_is_not_a_late_payer() -> None:
    """Before: 'x paid 4 of the 8 invoices due in the last 365 days late, on average 30 days
    late weighted by amount (late share 50%)', a chronic_late finding. The four paid
    invoices were each paid on the due date: nothing late remains."""
    book = ledger(*punctual_client_with_cancellations())
    profile = payment_profiles(book, as_of=AS_OF)["x"]
    assert (profile.invoices_due, profile.invoices_late, profile.invoices_cancelled) == (4, 0, 4)
    assert (profile.late_share, profile.weighted_days_late) == (ZERO, ZERO)
    assert profile.late_invoice_ids == ()
    # ADP over the four paid invoices: each paid 30 days after issue.
    assert profile.adp == Decimal(30)
    # The trend series has only the paid invoices' months (due 1 Oct and 30 Nov 2024, 29 Jan
    # and 30 Mar 2025), each 0 days late; the cancelled ones fall in other months
    assert [(p.month, p.weighted_days_late) for p in profile.monthly] == [
        (date(2024, 10, 1), ZERO), (date(2024, 11, 1), ZERO), (date(2025, 1, 1), ZERO),
        (date(2025, 3, 1), ZERO)]
    assert not [f for f in late_payers(book, as_of=AS_OF)
                if f.signal in (Signal.CHRONIC_LATE, Signal.WORSENING_LATE)]


def test_a_client_late_on_what_it_paid_is_still_a_late_payer() -> None:
    """The same client paying its four invoices 60 days late instead is chronic: the
    cancelled ones neither add to nor dilute its lateness (4 of 4 late, 60 days)."""
    book = ledger(*punctual_client_with_cancellations(paid_late_by=60))
    profile = payment_profiles(book, as_of=AS_OF)["x"]
    assert (profile.invoices_due, profile.invoices_late, profile.invoices_cancelled) == (4, 4, 4)
    assert (profile.late_share, profile.weighted_days_late) == (Decimal(1), Decimal(60))
    chronic = [f for f in late_payers(book, as_of=AS_OF) if f.signal is Signal.CHRONIC_LATE]
    assert [f.customer_id for f in chronic] == ["x"]


def test_the_dispute_split_leaves_cancelled_invoices_out() -> None:
    """Two disputed invoices paid 40 days late, three undisputed ones cancelled by credit
    notes 40 days after due: the undisputed part has nothing due (it had 3 late)."""
    records: list[AnyRecord] = []
    for n in range(5):
        issued = date(2025, 1, 1) + timedelta(days=20 * n)
        due = issued + timedelta(days=30)
        if n < 2:
            records.append(invoice("d", issued=issued, due=due, total="500", id=f"d-{n}",
                                   paid=due + timedelta(days=40), disputed=True))
        else:
            records += [
                invoice("d", issued=issued, due=due, total="500", id=f"d-{n}"),
                credit_note("d", issued=due + timedelta(days=40), total="500",
                            applies_to={f"d-{n}": Decimal(500)}, id=f"cn-{n}"),
            ]
    split = dispute_splits(ledger(*records), as_of=AS_OF, policy=Policy())["d"]
    assert (split.invoices_late, split.disputed_late) == (2, 2)
    assert (split.undisputed_due, split.undisputed_late) == (0, 0)


def test_the_forecast_and_the_lateness_measures_share_one_definition() -> None:
    """Every replay row the lateness measures call cancelled is one the forecast does not
    learn from, and the paid ones it learns from are all in the profile's population."""
    book = ledger(*punctual_client_with_cancellations(), *BASE, payment(
        "c", on=date(2025, 4, 10), amount="900", pays={"b-3": Decimal(800)}, id="p-b3"),
        credit_note("c", issued=date(2025, 4, 12), total="100",
                    applies_to={"b-3": Decimal(100)}, id="cn-b3"))
    cancelled = cancelled_by_credit(book)
    client_paid = paid_by_client(book)
    assert client_paid.credit_only == cancelled  # the two rules pick the same invoices
    rows = replay(book, as_of=AS_OF)
    assert {r.invoice.id for r in rows if is_cancelled(r, cancelled)} == {
        "x-1", "x-3", "x-5", "x-7"}
    # b-3 was paid 800 and credited 100: paid by the client, not cancelled.
    assert {r.invoice.id for r in rows if client_paid(r)} == {
        "x-0", "x-2", "x-4", "x-6", "b-1", "b-2", "b-3"}


@st.composite
def cancellations(draw: st.DrawFn) -> tuple[list[AnyRecord], list[Invoice]]:
    """Invoices of client c, each cancelled by one to three credit notes (their total the
    invoice's), at any days around its due date. Each is above the settle tolerance (one of
    0.01 is an invoice of nothing, settled the day it is issued: rule 6, not this one)."""
    records: list[AnyRecord] = []
    bills: list[Invoice] = []
    for n in range(draw(st.integers(1, 4))):
        issued = date(2024, 7, 1) + timedelta(days=draw(st.integers(0, 330)))
        cents = draw(st.integers(2, 500_000))
        bill = invoice("c", issued=issued, terms=draw(st.integers(0, 60)),
                       total=Decimal(cents) / 100, id=f"k-{n}")
        parts = draw(st.integers(1, 3))
        shares = [cents // parts] * (parts - 1)
        shares.append(cents - sum(shares))
        records.append(bill)
        bills.append(bill)
        for k, share in enumerate(shares):
            if share == 0:
                continue
            records.append(credit_note(
                "c", issued=issued + timedelta(days=draw(st.integers(0, 200))),
                total=Decimal(share) / 100, applies_to={bill.id: Decimal(share) / 100},
                id=f"k-{n}-cn-{k}"))
    return records, bills


BASE = [
    invoice("c", issued=date(2024, 10, 1), total="400", paid=date(2024, 11, 20), id="b-1"),
    invoice("c", issued=date(2025, 1, 10), total="250", paid=date(2025, 2, 5), id="b-2"),
    invoice("c", issued=date(2025, 3, 1), total="900", id="b-3"),
]


@given(cancellations())
@settings(max_examples=60, deadline=None)
def test_an_invoice_cancelled_by_the_as_of_date_changes_no_lateness_measure(
    drawn: tuple[list[AnyRecord], list[Invoice]],
) -> None:
    """Adding invoices cancelled by credit notes by ``as_of`` leaves every lateness measure of
    the client as it was; only ``invoices_cancelled`` counts them."""
    extra, bills = drawn
    as_of = date(2026, 3, 1)  # after every credit note: each of them is cancelled by then
    before = payment_profiles(ledger(*BASE), as_of=as_of)["c"]
    after = payment_profiles(ledger(*BASE, *extra), as_of=as_of)["c"]
    measures = ("invoices_due", "invoices_settled", "invoices_open", "invoices_late",
                "late_share", "late_amount_share", "weighted_days_late",
                "weighted_days_beyond_terms", "mean_days_late", "median_days_late",
                "p90_days_late", "adp", "adp_weighted", "late_invoice_ids", "monthly",
                "recent", "before", "financing_cost", "open_balance")
    assert {m: getattr(after, m) for m in measures} == {m: getattr(before, m) for m in measures}
    window_start = as_of - timedelta(days=Policy().lookback_days)
    in_window = [b for b in bills if window_start < b.due_date <= as_of]
    assert after.invoices_cancelled == len(in_window)


def test_a_cancelled_invoice_bears_no_interest_nor_compensation() -> None:
    """Cancelled (credited in full 60 days after due, no payment): the client never owed it,
    so the review claims nothing on it and a claim refuses it by name; the same invoice paid
    60 days late is claimable as before (Polish law: EUR 40 compensation and interest)."""
    from clientguard.claims import ClaimError, claim
    from clientguard.review import review

    policy = Policy(jurisdiction="pl")
    late = DUE + timedelta(days=60)
    for records, owed in [((bill(), credit(late, "300")), False),
                          ((bill(), paid(late, "300")), True)]:
        book = ledger(*records)
        reviewed = review(book, as_of=AS_OF, policy=policy)
        claimable = reviewed.clients["c"].claimable
        assert (claimable > 0) is owed
        if owed:
            assert claim(book, "c", as_of=AS_OF, policy=policy).totals
        else:
            assert claimable == 0
            with pytest.raises(ClaimError, match="was cancelled by credit notes"):
                claim(book, "c", as_of=AS_OF, policy=policy, invoices=["inv"])
