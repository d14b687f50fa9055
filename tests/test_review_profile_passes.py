"""The profiles a client with unapplied money is judged on are made once a review (issue 21:
the review at a million invoices back under 8 s).

A client whose unapplied money pays an open invoice is judged on profiles made with that
invoice paid on the money's day (docs/review.md, "Unapplied money"). The review reads them per
customer, the late-payment signal per client (:func:`clientguard.signals.lateness.
lateness_key`): for a client of one company the two are the same profiles, and the review makes
them once (until 2026-12-08 it made them twice: two passes over every row of the replay, 0.17 s
of a review at a million invoices). A client of several companies is still judged on all its
companies' invoices together.

Books as tests/test_unapplied_cover.py builds them, reviewed as of 31 Dec 2025; days late run
from the due date to the day the money came (or to 31 Dec for an invoice still open).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

import clientguard as cg
from clientguard.metrics import lateness as lateness_metrics
from clientguard.model import AnyRecord
from clientguard.policy import Policy
from clientguard.signals.lateness import judged_profiles, lateness_key
from clientguard.testing import customer, invoice, ledger, payment

AS_OF = date(2025, 12, 31)


def _one_company() -> cg.Ledger:
    """:func:`_one_company_records`' book."""
    return ledger(*_one_company_records())


def _one_company_records() -> list[AnyRecord]:
    """P: four open invoices of 10,000 due 1 Sep, 1 Oct, 1 Nov and 1 Dec 2025, and 25,000
    received on 15 Oct 2025, allocated to nothing: it pays P0 and P1 (oldest due first), each
    treated as paid on 15 Oct."""
    records: list[AnyRecord] = [customer("p", "P")]
    for k, due in enumerate(["2025-09-01", "2025-10-01", "2025-11-01", "2025-12-01"]):
        day = date.fromisoformat(due)
        records.append(invoice("p", id=f"P{k}", issued=day - timedelta(days=30), due=day,
                               total="10000.00"))
    records.append(payment("p", id="PU", on="2025-10-15", amount="25000.00"))
    return records


def _group(*more: AnyRecord) -> cg.Ledger:
    """Group G of two companies: g1's invoice of 10,000 due 1 Nov 2025, paid by 10,000
    received on 15 Nov and allocated to nothing; g2's of 10,000 due 1 Dec 2025, open; and
    ``more``."""
    return ledger(
        *more,
        customer("g1", group="G"), customer("g2", group="G"),
        invoice("g1", id="G1", issued="2025-10-02", due="2025-11-01", total="10000.00"),
        payment("g1", id="PG", on="2025-11-15", amount="10000.00"),
        invoice("g2", id="G2", issued="2025-11-01", due="2025-12-01", total="10000.00"),
    )


def _counting_judged_passes(monkeypatch: pytest.MonkeyPatch) -> list[set[str]]:
    """Each pass of the payment profiles made with unapplied money treated as paid (``paid``
    given): the customers whose rows it reads, as it is made."""
    passes: list[set[str]] = []
    scan: Callable[..., Any] = lateness_metrics._scan

    def counted(*args: Any, **kwargs: Any) -> Any:
        if (args[6] if len(args) > 6 else kwargs.get("paid")):
            passes.append(set(args[5] if len(args) > 5 else kwargs["customers"]))
        return scan(*args, **kwargs)

    monkeypatch.setattr(lateness_metrics, "_scan", counted)
    return passes


def _summary(profile: lateness_metrics.PaymentProfile) -> tuple[int, int, int, Decimal | None]:
    return (profile.invoices_due, profile.invoices_settled, profile.invoices_open,
            profile.mean_days_late)


def test_a_one_company_clients_judged_profile_is_made_once_and_a_groups_together(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    passes = _counting_judged_passes(monkeypatch)
    book = _one_company()
    cg.review(book, as_of=AS_OF)
    # Per customer and per client: the same profiles, made once, and in the review's one
    # pass of every customer's profiles, not in a pass of their own (until 2026-12-08: [{"p"}],
    # a second pass over P's rows: tests/test_judged_profiles_one_pass.py).
    assert passes == []

    # What both read: P0 paid 15 Oct, 44 days after its due date (30 in September + 14);
    # P1 paid 15 Oct, 14 days late; P2 open 60 days (30 + 30) and P3 open 30 days on 31 Dec:
    # mean (44 + 14 + 60 + 30) / 4 = 37.
    policy = Policy()
    for by in (None, lateness_key(book)):
        profiles = judged_profiles(book, AS_OF, policy, by)
        assert {k: _summary(p) for k, p in profiles.items()} == {
            "p": (4, 2, 2, Decimal(37))}

    # A group's companies are judged together, on both invoices: G1 paid 15 Nov, 14 days
    # late; G2 open 30 days on 31 Dec: mean (14 + 30) / 2 = 22. Per customer, g1 alone: 14.
    group = _group()
    assert {k: _summary(p) for k, p in judged_profiles(group, AS_OF, policy).items()} == {
        "g1": (1, 1, 0, Decimal(14))}
    assert {k: _summary(p) for k, p in judged_profiles(
        group, AS_OF, policy, lateness_key(group)).items()} == {"G": (2, 1, 1, Decimal(22))}

    # Both in one book: P's profile per client is its profile per customer, read; the
    # group's two companies are judged together, from the per-client pass of the group's
    # rows (until 2026-12-08 a pass of their own, and P's and g1's per customer another:
    # [{"p", "g1"}, {"g1", "g2"}]).
    passes.clear()
    both = _group(*_one_company_records())
    cg.review(both, as_of=AS_OF)
    assert passes == []
    assert {k: _summary(p) for k, p in judged_profiles(
        both, AS_OF, policy, lateness_key(both)).items()} == {
        "G": (2, 1, 1, Decimal(22)), "p": (4, 2, 2, Decimal(37))}
