"""The profiles a client with unapplied money is judged on come from the review's one pass of
payment profiles (issue 21: the review at a million invoices back under 8 s).

A customer whose unapplied money pays an open invoice is judged on profiles made with what
the money pays of it as part payments on the money's day (docs/review.md, "Unapplied money").
Its rows before the first such invoice (in the ledger's order: issue date, id) are the same
either way, so the review copies the customer's running tally just before that row and goes
on from the copy over the rows after it; until 2026-12-08 it read every row of every such
customer a second time (most of a million-invoice book). The specification of the numbers is
the two-pass path, which ``payment_profiles(..., customers=..., paid=...)`` still is: the
profiles must be the same to the byte.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import clientguard as cg
from clientguard.metrics import lateness as lateness_metrics
from clientguard.metrics.lateness import PaymentProfile, payment_profiles
from clientguard.model import AnyRecord
from clientguard.policy import Policy
from clientguard.signals.lateness import (
    _customer_profiles,
    client_profiles,
    covered_days,
    judged_profiles,
    lateness_key,
)
from clientguard.signals.shared import sharing
from clientguard.testing import credit_note, customer, invoice, ledger, payment

AS_OF = date(2025, 12, 31)


def _exact(profiles: dict[str, PaymentProfile]) -> dict[str, str]:
    """Each profile to the byte: the repr of every field (a Decimal's exponent too)."""
    return {key: repr(profile.model_dump()) for key, profile in profiles.items()}


def _counting_rows(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many replay rows each part of the profile passes adds to tallies, as it is made."""
    counts: list[int] = []
    add = lateness_metrics._add_rows

    def counted(tallies: Any, rows: Iterable[Any], *args: Any) -> None:
        kept = list(rows)
        counts.append(len(kept))
        add(tallies, kept, *args)

    monkeypatch.setattr(lateness_metrics, "_add_rows", counted)
    return counts


def test_the_review_reads_a_covered_customers_rows_before_its_covered_invoice_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # P: eleven invoices of 1,000 issued on the 1st of each month from January to November
    # 2025 (due 30 days later), each paid by a payment allocated to it 40 days after its
    # issue (10 days after its due date; the last on 11 Dec); then P13 of 10,000 issued
    # 5 Dec 2025, due 4 Jan 2026, open; and 10,000 received on 20 Dec 2025, allocated to
    # nothing: it pays P13 in full, on 20 Dec.
    records: list[AnyRecord] = [customer("p", "P")]
    for month in range(1, 12):
        issued = date(2025, month, 1)
        records.append(invoice("p", id=f"P{month:02}", issued=issued, total="1000.00"))
        records.append(payment("p", id=f"PP{month:02}", on=issued + timedelta(days=40),
                               amount="1000.00", pays=f"P{month:02}"))
    records.append(invoice("p", id="P13", issued="2025-12-05", total="10000.00"))
    records.append(payment("p", id="PU", on="2025-12-20", amount="10000.00"))
    book = ledger(*records)
    counts = _counting_rows(monkeypatch)
    cg.review(book, as_of=AS_OF)
    # 12 rows in the replay, in issue order: P01..P11, then P13. The pass adds the 11 before
    # P13 (P's tally is copied there), then P13; the judged tally goes on from the copy over
    # P13 alone: 11 + 1 + 1 = 13 rows, where the two passes read 12 + 12 = 24.
    assert counts == [11, 1, 1]
    # What P is judged on: P13 paid on 20 Dec and not due until 4 Jan, so not due in the
    # window; the 11 others each 10 days late: mean 10, nothing open.
    judged = judged_profiles(book, AS_OF, Policy())["p"]
    assert (judged.invoices_due, judged.mean_days_late, judged.invoices_open) == (
        11, Decimal(10), 0)


_DAY = st.integers(0, 700).map(lambda n: date(2024, 2, 1) + timedelta(days=n))
_AMOUNT = st.integers(1, 60).map(lambda n: Decimal(n * 250))


@st.composite
def _books(draw: st.DrawFn) -> cg.Ledger:
    """Two to four customers (two of them maybe a group), each with invoices paid on time,
    late, in part, by credit notes (cancelled), with a paid date alone, disputed or open,
    and unapplied payments and credit notes: what the unapplied money pays differs by book."""
    records: list[AnyRecord] = []
    grouped = draw(st.booleans())
    for c in range(draw(st.integers(2, 4))):
        name = f"c{c}"
        records.append(customer(name, group="G" if grouped and c < 2 else None))
        for k in range(draw(st.integers(1, 9))):
            ident = f"{name}-I{k}"
            issued = draw(_DAY)
            total = draw(_AMOUNT)
            how = draw(st.sampled_from(
                ["open", "paid", "part", "credited", "paid_date", "disputed"]))
            terms = draw(st.sampled_from([14, 30, 60]))
            if how == "paid_date":
                records.append(invoice(name, id=ident, issued=issued, total=total,
                                       terms=terms, paid=issued + timedelta(days=20)))
                continue
            records.append(invoice(name, id=ident, issued=issued, total=total, terms=terms,
                                   disputed=how == "disputed"))
            later = issued + timedelta(days=draw(st.integers(0, 120)))
            if how == "paid":
                records.append(payment(name, id=f"{ident}-P", on=later, amount=total,
                                       pays=ident))
            elif how == "part":
                records.append(payment(name, id=f"{ident}-P", on=later, amount=total / 2,
                                       pays=ident))
            elif how == "credited":
                records.append(credit_note(name, id=f"{ident}-C", issued=later, total=total,
                                           applies_to=ident))
        for k in range(draw(st.integers(0, 3))):
            day, amount = draw(_DAY), draw(_AMOUNT)
            records.append(
                credit_note(name, id=f"{name}-CU{k}", issued=day, total=amount)
                if draw(st.booleans())
                else payment(name, id=f"{name}-PU{k}", on=day, amount=amount))
    return ledger(*records)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(book=_books(), as_of=st.integers(0, 700).map(
    lambda n: date(2024, 2, 1) + timedelta(days=n)))
def test_the_one_pass_gives_the_two_passes_profiles_to_the_byte(
    book: cg.Ledger, as_of: date
) -> None:
    policy = Policy()
    paid = covered_days(book, as_of, policy)
    customers = {book.invoice(i).customer_id for i in paid}
    # The specification: every customer's profiles, and the covered customers' made by a
    # pass over their rows with what the money pays applied (payment_profiles' ``paid``).
    every = payment_profiles(book, as_of=as_of, policy=policy)
    alone = payment_profiles(book, as_of=as_of, policy=policy, customers=customers,
                             paid=paid) if paid else {}
    key = lateness_key(book)
    # Outside a review, the two passes (per customer; per client, a group's companies
    # together: a pass of their own).
    per_client = judged_profiles(book, as_of, policy, key)
    clients = client_profiles(book, as_of=as_of, policy=policy)
    with sharing():  # as in a review: one pass (and one of a group's companies' rows)
        assert _exact(_customer_profiles(book, as_of=as_of, policy=policy)) == _exact(every)
        assert _exact(judged_profiles(book, as_of, policy)) == _exact(alone)
        assert _exact(client_profiles(book, as_of=as_of, policy=policy)) == _exact(clients)
        assert _exact(judged_profiles(book, as_of, policy, key)) == _exact(per_client)
    with sharing():  # the per-client judged profiles first, as a signal alone may ask
        assert _exact(judged_profiles(book, as_of, policy, key)) == _exact(per_client)
        assert _exact(client_profiles(book, as_of=as_of, policy=policy)) == _exact(clients)
    if paid:
        one, judged = lateness_metrics._payment_profiles_judged(
            book, as_of=as_of, policy=policy, paid=paid)
        assert (_exact(one), _exact(judged)) == (_exact(every), _exact(alone))
        # Per group, the companies of the groups with a covered invoice judged together.
        joined = {c for c in book.customer_ids if book.group_of(c) == "G"}
        together = {c for c in joined if c in customers} and joined
        if together:
            one, judged = lateness_metrics._payment_profiles_judged(
                book, as_of=as_of, policy=policy, paid=paid, by=book.group_of,
                customers=joined, judged=together)
            assert (_exact(one), _exact(judged)) == (
                _exact(payment_profiles(book, as_of=as_of, policy=policy, by=book.group_of,
                                        customers=joined)),
                _exact(payment_profiles(book, as_of=as_of, policy=policy, by=book.group_of,
                                        customers=together, paid=paid)))
