"""Verdicts that do not contradict their own advice or their own figures (a reviewer's findings
of 2026-12-08; docs/review.md, "The rules, in order", "Materiality" and "Figures compared as
shown").

Each book is built by hand with :mod:`clientguard.testing`; the expected values are argued in
the comments.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import clientguard as cg
from clientguard.model import AnyRecord
from clientguard.review import Recommendation
from clientguard.testing import customer, invoice, ledger, payment

AS_OF = date(2025, 12, 31)


def _on_time(client: str, total: str, *, count: int = 12) -> list[AnyRecord]:
    """``count`` invoices of ``total``, due every 30 days from 5 Jan 2025, paid on the day."""
    records: list[AnyRecord] = []
    for k in range(count):
        due = date(2025, 1, 5) + timedelta(days=30 * k)
        bill = invoice(client, id=f"{client}{k}", issued=due - timedelta(days=30), due=due,
                       total=total)
        records += [bill, payment(client, id=f"P{client}{k}", on=due, amount=total, pays=bill)]
    return records


def _creeping(client: str = "w", total: str = "100000.00") -> list[AnyRecord]:
    """12 invoices of ``total`` on 30 days' terms, the k-th paid k days late (0 to 11): late on
    11 of 12 (chronic), later every month (worsening), 5.5 days weighted (a watch)."""
    records: list[AnyRecord] = [customer(client, "Widget AG")]
    for k in range(12):
        due = date(2025, 1, 5) + timedelta(days=30 * k)
        bill = invoice(client, id=f"W{k}", issued=due - timedelta(days=30), due=due, total=total)
        records += [bill, payment(client, id=f"PW{k}", on=due + timedelta(days=k), amount=total,
                                  pays=bill)]
    return records


def test_a_client_told_to_consider_ending_is_not_told_its_lateness_is_small() -> None:
    client = cg.review(ledger(*_creeping(), *_on_time("o", "300000.00")),
                       as_of=AS_OF).clients["w"]
    # Rule 1: chronic and worsening, material (the lateness costs well over 40 EUR a year).
    assert client.recommendation is Recommendation.CONSIDER_ENDING
    kinds = [r.kind for r in client.revisions]
    assert "reminders" not in kinds
    assert not any("still small" in r.message for r in client.revisions)
    # The advice of a warning: shorter terms (30 days -> 14) and the claim of what the law
    # grants, at least 11 late invoices x 40 EUR of compensation.
    assert kinds[:2] == ["shorter_terms", "claim_late_interest"]
    assert "from 30 to 14 days" in client.revisions[0].message
    claimed = client.revisions[1].amount
    assert claimed is not None
    assert claimed == client.claimable
    assert claimed > Decimal(440)


def _aged(terms: int, total: str = "15000.00") -> cg.ClientReview:
    """NewCo's one invoice of ``total``, issued 100 days before AS_OF on ``terms`` days, open;
    another client pays 12 invoices of 30,000 on time."""
    records: list[AnyRecord] = [
        customer("n", "NewCo"),
        invoice("n", id="N1", issued=AS_OF - timedelta(days=100), terms=terms, total=total),
        *_on_time("o", "30000.00")]
    return cg.review(ledger(*records), as_of=AS_OF).clients["n"]


def test_old_debt_not_yet_due_is_not_called_overdue_nor_collected() -> None:
    # 100 days old on 120 days' terms: due 20 Jan 2026, not yet due on 31 Dec 2025. Over 90
    # days old (old debt a lender refuses), but nothing of it is past due: watched, and not
    # "collect it before new work".
    waiting = _aged(120)
    aging = next(f for f in waiting.findings if f.signal.value == "cross_aging")
    assert aging.severity.value == "watch"
    assert "is overdue" not in aging.message
    assert "0.00 EUR more than 90 days old is past due (material from 1,000.00 EUR)" in \
        aging.message
    assert "collect_old_debt" not in [r.kind for r in waiting.revisions]
    # The same invoice on 30 days' terms is 70 days past due: 15,000.00 past due is over
    # 1,000 and over 10% of its invoicing due in the window (15,000): collect it.
    late = _aged(30)
    aging = next(f for f in late.findings if f.signal.value == "cross_aging")
    assert aging.severity.value == "warning"
    assert "collect_old_debt" in [r.kind for r in late.revisions]
