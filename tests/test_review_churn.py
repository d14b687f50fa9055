"""Who looks churned, and a verdict to revise the terms always says which terms.

A client "looks churned" (docs/review.md, "Churned clients") when it has had no invoice for
``churn_days`` (180) *and* no hours logged and no work requested in those days either: a client
the team still works for has stopped being billed, which is the opposite problem. Whatever
the churn rule leaves out, a ``revise_terms`` verdict of the built-in rules comes with at
least one revision.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientguard import review
from clientguard.ledger import Ledger
from clientguard.model import AnyRecord
from clientguard.policy import Policy
from clientguard.testing import (
    credit_note,
    customer,
    invoice,
    ledger,
    payment,
    time_entry,
    work_request,
)

AS_OF = date(2025, 12, 31)
CHURN_LINE = date(2025, 7, 4)
"""``AS_OF`` less the default ``churn_days`` (180): the first day that still counts."""


def book_with_unbilled_client(*extra: AnyRecord, group: str | None = None) -> Ledger:
    """``big`` is invoiced 5,000.00 a month in 2025 (paid on the 20th) and logs 100 hours a
    month; ``c`` logged 40 hours a month from January to June 2025 (240 of the 840 hours
    before ``extra``) and its one invoice, of 1 June 2025, was credited in full: no net
    revenue. Its last invoice is 213 days before ``AS_OF``: more than 180. ``group``: c's
    group."""
    records: list[AnyRecord] = [customer("big"), customer("c", group=group)]
    for month in range(1, 13):
        records.append(invoice("big", issued=date(2025, month, 1), total="5000.00",
                               id=f"b{month}", paid=date(2025, month, 20)))
        records.append(time_entry("big", on=date(2025, month, 5), hours="50",
                                  entry_id=f"tb{month}"))
    for month in range(1, 7):
        records.append(time_entry("c", on=date(2025, month, 5), hours="40",
                                  entry_id=f"tc{month}"))
    credited = invoice("c", issued="2025-06-01", total="500.00", id="c1")
    records += [credited, credit_note("c", issued="2025-06-02", total="500.00",
                                      applies_to=credited, id="cn1")]
    return ledger(*records, *extra)


@pytest.mark.parametrize(
    ("extra", "churned"),
    [
        pytest.param((), True, id="nothing-since-june"),
        pytest.param((time_entry("c", on="2025-12-01", hours="1", entry_id="late"),), False,
                     id="hours-logged-in-december"),
        pytest.param((work_request("c", requested="2025-11-15", lead_days=10, id="w1"),), False,
                     id="work-requested-in-november"),
        pytest.param((time_entry("c", on=CHURN_LINE, hours="1", entry_id="edge"),), False,
                     id="hours-on-the-first-day-that-counts"),
        pytest.param((time_entry("c", on=CHURN_LINE - timedelta(days=1), hours="1",
                                 entry_id="edge"),), True, id="hours-the-day-before-it"),
        pytest.param((time_entry("c", on="2026-01-05", hours="1", entry_id="after"),), True,
                     id="hours-after-the-review-date"),
    ],
)
def test_a_client_still_using_the_team_is_not_churned_and_keeps_its_hours_cap(
    extra: tuple[AnyRecord, ...], churned: bool
) -> None:
    # c took 240 (or 241) of the 840 (or 841) hours, 29%, and brought no net revenue: a
    # capacity finding without revenue (it has more than hours_ratio_min_hours_share, 10%, of
    # the hours), a warning (less than hours_share_warning, 40%), so revise_terms with a cap
    # on the hours. Churned or not, that cap is the advice: the one revision to give.
    verdict = review(book_with_unbilled_client(*extra), as_of=AS_OF).clients["c"]
    assert verdict.recommendation == "revise_terms"
    assert [f.metric for f in verdict.findings if f.severity >= "warning"] == [
        "hours_share_without_revenue"]
    assert verdict.last_invoice_on == date(2025, 6, 1)
    assert verdict.churned is churned
    assert ("It looks churned: no invoice since 2025-06-01 (213 days)." in verdict.summary
            ) is churned
    assert ("last invoice 2025-06-01 (looks churned)" in verdict.evidence) is churned
    assert [r.kind for r in verdict.revisions] == ["hours_cap"]


def test_hours_of_another_company_of_the_group_keep_the_group_a_client() -> None:
    # c and its sister company c2 are one client (group "cgroup"): c2's hours in December
    # are the group's work.
    book = book_with_unbilled_client(
        customer("c2", group="cgroup"),
        time_entry("c2", on="2025-12-01", hours="1", entry_id="sister"),
        group="cgroup",
    )
    verdict = review(book, as_of=AS_OF).clients["cgroup"]
    assert not verdict.churned
    assert [r.kind for r in verdict.revisions] == ["hours_cap"]


def test_a_churned_client_with_nothing_to_collect_keeps_the_advice_its_findings_call_for() -> None:
    # r was invoiced once, 100.00 on 1 March 2025, paid on time, and asked for work six times
    # between February and June, each wanted the next day (lead 1 <= rush_lead_days 2): a
    # rush share of 6/6 = 100% over 5 requests or more: a rush warning, so revise_terms. No
    # invoice, hours nor request since: it looks churned, with nothing open to collect, so
    # the rush fee is still the advice (for the day it orders again), not nothing at all.
    records: list[AnyRecord] = [customer("big"), customer("r")]
    for month in range(1, 13):
        records.append(invoice("big", issued=date(2025, month, 1), total="5000.00",
                               id=f"b{month}", paid=date(2025, month, 20)))
    records.append(invoice("r", issued="2025-03-01", total="100.00", id="r1",
                           paid="2025-03-20"))
    for n, day in enumerate(["2025-02-03", "2025-03-03", "2025-04-01", "2025-05-05",
                             "2025-06-02", "2025-06-30"]):
        records.append(work_request("r", requested=day, lead_days=1, id=f"w{n}"))
    verdict = review(ledger(*records), as_of=AS_OF).clients["r"]
    assert verdict.recommendation == "revise_terms"
    assert verdict.churned
    assert "It looks churned" in verdict.summary
    assert [(r.kind, r.message) for r in verdict.revisions] == [
        ("rush_fee",
         "Charge a 25% rush fee for work wanted within 2 working days of the request.")]


# ------------------------------------------------- the invariant, over books hypothesis makes
START = date(2024, 7, 1)
WHO = ("a", "b", "c", "d")


@st.composite
def books(draw: st.DrawFn) -> Ledger:
    """Four customers (c and d sometimes one group), up to 14 invoices over 18 months, open,
    paid by a date, by a payment (early or up to 200 days late) or credited in full, some
    disputed; up to 12 time entries and 12 work requests anywhere in those months."""
    grouped = draw(st.booleans())
    records: list[AnyRecord] = [
        customer(who, group="cd" if grouped and who in ("c", "d") else None) for who in WHO]
    for i in range(draw(st.integers(1, 14))):
        who = draw(st.sampled_from(WHO))
        issued = START + timedelta(days=draw(st.integers(0, 540)))
        total = D(draw(st.integers(1, 500_000))) / 100
        terms = draw(st.sampled_from([0, 7, 14, 30, 60]))
        paid = issued + timedelta(days=terms + draw(st.integers(-10, 200)))
        how = draw(st.sampled_from(["open", "paid_on", "payment", "credit"]))
        if how == "paid_on":
            records.append(invoice(who, issued=issued, total=total, terms=terms, id=f"I{i}",
                                   paid=paid))
            continue
        bill = invoice(who, issued=issued, total=total, terms=terms, id=f"I{i}",
                       disputed=draw(st.integers(0, 9)) == 0)
        records.append(bill)
        if how == "payment":
            records.append(payment(who, on=paid, amount=total, pays=bill, id=f"P{i}"))
        elif how == "credit":
            records.append(credit_note(
                who, issued=issued + timedelta(days=draw(st.integers(0, 30))), total=total,
                applies_to=bill, id=f"C{i}"))
    for j in range(draw(st.integers(0, 12))):
        records.append(time_entry(
            draw(st.sampled_from(WHO)), on=START + timedelta(days=draw(st.integers(0, 548))),
            hours=draw(st.integers(1, 200)), entry_id=f"T{j}"))
    for j in range(draw(st.integers(0, 12))):
        records.append(work_request(
            draw(st.sampled_from(WHO)),
            requested=START + timedelta(days=draw(st.integers(0, 548))),
            lead_days=draw(st.integers(0, 20)), id=f"W{j}"))
    return ledger(*records)


POLICIES = st.builds(
    Policy,
    jurisdiction=st.sampled_from(["pl", "eu", "uk", "none"]),
    cost_of_capital=st.sampled_from([D(0), D("0.08")]),
    dependency_only_verdict=st.sampled_from(["monitor", "revise_terms"]),
    churn_days=st.sampled_from([30, 90, 180]),
    rush_min_requests=st.sampled_from([1, 5]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(book=books(), policy=POLICIES)
def test_a_verdict_to_revise_the_terms_always_says_which(book: Ledger, policy: Policy) -> None:
    for client in review(book, as_of=AS_OF, policy=policy).clients.values():
        if client.recommendation == "revise_terms":
            assert client.revisions, (client.client_id, client.churned, client.findings)
