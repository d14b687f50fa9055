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
from clientguard.policy import Policy
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


def test_old_debt_not_yet_due_is_not_collected_when_other_lateness_is_material() -> None:
    # NewCo's aged invoice as above (100 days old on 120 days' terms, not due until 20 Jan
    # 2026) and three earlier invoices of 10,000 paid 20 days late: 3 x 10,000 x 20 x 10% /
    # 365 = 164.38 EUR a year, over the 40 EUR line, so the old debt is material and warned
    # of. Nothing old is past due all the same: no "collect before new work" (until 2026-12-08
    # the cost of the paid lateness asked for the invoice 20 days before its due date).
    records: list[AnyRecord] = [
        customer("n", "NewCo"), *_on_time("o", "30000.00"),
        invoice("n", id="N-old", issued=AS_OF - timedelta(days=100), terms=120,
                total="15000.00")]
    for k in range(3):
        bill = invoice("n", id=f"N{k}", issued=date(2025, 2, 1) + timedelta(days=30 * k),
                       terms=30, total="10000.00")
        records += [bill, payment("n", id=f"PN{k}", on=bill.due_date + timedelta(days=20),
                                  amount="10000.00", pays=bill)]
    client = cg.review(ledger(*records), as_of=AS_OF).clients["n"]
    aging = next(f for f in client.findings if f.signal.value == "cross_aging")
    assert aging.severity.value == "warning"
    assert "collect_old_debt" not in [r.kind for r in client.revisions]


# Figures compared as shown (docs/review.md): a figure and the line beside it never disagree.


def _paid(client: str, total: str) -> list[AnyRecord]:
    bill = invoice(client, id=f"{client}0", issued=date(2025, 10, 1), total=total, terms=14)
    return [customer(client, client.upper()), bill,
            payment(client, on=bill.due_date, amount=total, pays=bill)]


def test_a_share_under_a_line_is_written_under_it() -> None:
    # X brings 19,600 of 100,000 (19.6%), four others 20,100 each: whole percent would write
    # "20%" beside the 20% line it is under; it is written "19.6%", a watch, kept under 20%.
    records = [*_paid("x", "19600.00")]
    for other in "yzwv":
        records += _paid(other, "20100.00")
    client = cg.review(ledger(*records), as_of=AS_OF).clients["x"]
    share = next(f for f in client.findings if f.signal.value == "revenue_concentration")
    assert share.severity.value == "watch"
    assert "X brought 19.6% of the last 12 months' revenue" in share.message
    assert "revenue share 19.6%, from 10%" in client.evidence
    advice = next(r for r in client.revisions if r.kind == "no_exclusivity")
    assert "(19.6% now) under 20%" in advice.message


def test_a_share_written_under_the_critical_line_promises_no_price_of_ending() -> None:
    # Widget AG (consider_ending, rule 1) brings 11 x 100,000 = 1,100,000 of the window's
    # revenue; the other client 11 x 189,017.34 = 2,079,190.74 (the first invoices of both
    # were issued in Dec 2024): 1,100,000 / 3,179,190.74 = 34.599%, written "34.6%", under
    # the 35% line: no "Ending it would lose" (until 2026-12-08 written "35%" without it).
    records = [*_creeping(), *_on_time("o", "189017.34")]
    client = cg.review(ledger(*records), as_of=AS_OF).clients["w"]
    assert client.recommendation is Recommendation.CONSIDER_ENDING
    share = next(f for f in client.findings if f.signal.value == "revenue_concentration")
    assert "brought 34.6%" in share.message
    assert share.severity.value == "warning"
    assert "Ending it would lose" not in client.summary


def test_an_open_balance_written_1000_is_material_as_1000_is() -> None:
    # 1,000.01 USD at 0.99999 EUR is 999.9999999 EUR, written "1,000.00 EUR": material from
    # 1,000.00 as exactly 1,000.00 EUR is (a credit limit, and revise_terms under a policy
    # whose dependency-only verdict is revise_terms).
    verdicts = []
    for total, currency, rate in (("1000.00", "EUR", None), ("1000.01", "USD", "0.99999")):
        records: list[AnyRecord] = [customer("a", "A"), customer("b", "B")]
        for month in range(1, 13):
            bill = invoice("a", id=f"A{month}", issued=date(2025, month, 1), total="1000.00",
                           terms=14)
            records += [bill, payment("a", on=bill.due_date, amount="1000.00", pays=bill)]
        records.append(invoice("b", id="B1", issued=date(2025, 12, 20), total=total, terms=30,
                               currency=currency, fx_rate=rate))
        client = cg.review(ledger(*records), as_of=AS_OF, policy=Policy(
            dependency_only_verdict="revise_terms")).clients["b"]
        assert "(1,000.00 EUR of 1,000.00 EUR)" in client.findings[0].message
        verdicts.append((client.recommendation.value, [r.kind for r in client.revisions]))
    assert verdicts == [("revise_terms", ["credit_limit"])] * 2


def test_days_late_written_alike_get_one_severity() -> None:
    # A and B: 10 invoices of 10,000 (B's first 10,040), the first 6 paid 25 days late.
    # A: 25 x 60,000 / 100,000 = 15.00 days; B: 25 x 60,040 / 100,040 = 15.004 days. Both are
    # written "15.0 days weighted", and "more than 15" is the warning band: both watched.
    records: list[AnyRecord] = [*_on_time("o", "100000.00")]
    for client_id, first in (("a", "10000.00"), ("b", "10040.00")):
        records.append(customer(client_id, client_id.upper()))
        for k in range(10):
            due = date(2025, 2, 1) + timedelta(days=30 * k)
            total = first if k == 0 else "10000.00"
            bill = invoice(client_id, id=f"{client_id}{k}", issued=due - timedelta(days=30),
                           due=due, total=total)
            records += [bill, payment(client_id, id=f"P{client_id}{k}",
                                      on=due + timedelta(days=25 if k < 6 else 0),
                                      amount=total, pays=bill)]
    review = cg.review(ledger(*records), as_of=AS_OF)
    for client_id in "ab":
        client = review.clients[client_id]
        assert "15.0 days weighted" in client.evidence
        chronic = next(f for f in client.findings if f.signal.value == "chronic_late")
        assert chronic.severity.value == "watch"
        assert client.recommendation is Recommendation.MONITOR


def test_an_immaterial_share_of_receivables_says_why_it_is_only_watched() -> None:
    # B owes 300.00 EUR, the whole book's open receivables (100%, over the 20% line), under
    # material_overdue (1,000): monitor even where the policy's dependency-only verdict is
    # revise_terms, and its sentence says why, as lateness and old debt do.
    records: list[AnyRecord] = [customer("a", "A"), customer("b", "B")]
    for month in range(1, 13):
        bill = invoice("a", id=f"A{month}", issued=date(2025, month, 1), total="1000.00",
                       terms=14)
        records += [bill, payment("a", on=bill.due_date, amount="1000.00", pays=bill)]
    records.append(invoice("b", id="B1", issued=date(2025, 12, 20), total="300.00", terms=30))
    for lang, words in (("en", "only watched: its open balance is 300.00 EUR (material from "
                                "1,000.00 EUR)"),
                        ("pl", "tylko do obserwacji: jego otwarte saldo wynosi 300,00 EUR "
                               "(istotne od 1 000,00 EUR)")):
        client = cg.review(ledger(*records), as_of=AS_OF, lang=lang, policy=Policy(
            dependency_only_verdict="revise_terms")).clients["b"]
        assert client.recommendation is Recommendation.MONITOR
        assert words in client.summary.replace("\u00a0", " ")
        assert client.revisions == ()


def test_a_366_day_look_back_states_one_yearly_cost() -> None:
    # Mira: 3,650.00 paid 40 days late (and two invoices of 1,000 on time): 3,650 x 40 x 10% /
    # 365 = 40.00 EUR of financing. A 366-day look-back is a year, as the sentence names it:
    # the year's cost is 40.00, stated once, and material from 40.00 as with 365 days.
    records: list[AnyRecord] = [customer("m", "Mira"), *_on_time("o", "100000.00")]
    for k, (total, late) in enumerate((("3650.00", 40), ("1000.00", 0), ("1000.00", 0))):
        due = date(2025, 3, 1) + timedelta(days=60 * k)
        bill = invoice("m", id=f"M{k}", issued=due - timedelta(days=30), due=due, total=total)
        records += [bill, payment("m", id=f"PM{k}", on=due + timedelta(days=late),
                                  amount=total, pays=bill)]
    for days in (365, 366):
        client = cg.review(ledger(*records), as_of=AS_OF,
                           policy=Policy(lookback_days=days)).clients["m"]
        assert "cost 40.00 EUR a year" in client.evidence
        assert "39.89" not in client.summary
        assert "carrying the lateness cost 40.00 EUR at 10% a year" in client.summary
        assert client.recommendation is Recommendation.REVISE_TERMS


def test_a_late_payer_on_terms_as_short_as_delivery_is_asked_for_a_deposit() -> None:
    # Quick: 8 invoices of 10,000, paid 20, 23, ... 41 days late (chronic, worsening). On 7
    # days' terms (on_delivery_days) or 0 (due on receipt), "payment on delivery (7 days at
    # most)" would revise nothing or lengthen them: the next rung, a 30% deposit, instead.
    for terms in (7, 0):
        records: list[AnyRecord] = [customer("q", "Quick"), *_on_time("o", "100000.00")]
        for k in range(8):
            bill = invoice("q", id=f"Q{k}", issued=date(2025, 2, 1) + timedelta(days=40 * k),
                           terms=terms, total="10000.00")
            records += [bill, payment("q", id=f"PQ{k}",
                                      on=bill.due_date + timedelta(days=20 + 3 * k),
                                      amount="10000.00", pays=bill)]
        client = cg.review(ledger(*records), as_of=AS_OF).clients["q"]
        kinds = [r.kind for r in client.revisions]
        assert "shorter_terms" not in kinds, terms
        assert kinds[0] == "deposit", terms
        assert client.revisions[0].message == (
            "Ask for a 30% deposit on every new order before work starts.")
        assert "claim_late_interest" in kinds


def test_a_group_joined_by_a_link_names_each_company_once() -> None:
    # Alpha GmbH (Wave, in group grp with Beta GmbH) is linked with Alpha GmbH in Invoice
    # Ninja: one group of two companies, named as docs/concepts.md writes a group, "Alpha GmbH
    # + Beta GmbH (group wave:grp)" (each company once, the group's id), not "Alpha GmbH +
    # Alpha GmbH + Beta GmbH (group ninja:7)".
    records: list[AnyRecord] = [
        customer("a", "Alpha GmbH", group="grp", source="wave"),
        customer("b", "Beta GmbH", group="grp", source="wave"),
        customer("7", "Alpha GmbH", source="ninja"),
        invoice("a", id="A1", issued=date(2025, 6, 1), total="1000.00", source="wave"),
        invoice("b", id="B1", issued=date(2025, 6, 1), total="1000.00", source="wave"),
        invoice("7", id="N1", issued=date(2025, 6, 1), total="1000.00", source="ninja")]
    book = ledger(*records, links=[(("wave", "a"), ("ninja", "7"))])
    client = cg.review(book, as_of=AS_OF).clients["ninja:7"]
    assert client.name == "Alpha GmbH + Beta GmbH (group wave:grp)"


def test_old_debt_in_polish_says_age_since_issue_not_days_past_due() -> None:
    # The test is the age since the invoice's date (100 days), not days past due (it is not
    # due): "przeterminowane jest 0,00 EUR z faktur wystawionych ponad 90 dni temu" (until
    # 2026-12-08 "z faktur starszych niż 90 dni po terminie", which reads "90 days past due").
    records: list[AnyRecord] = [
        customer("n", "NewCo"),
        invoice("n", id="N1", issued=AS_OF - timedelta(days=100), terms=120, total="15000.00"),
        *_on_time("o", "30000.00")]
    client = cg.review(ledger(*records), as_of=AS_OF, lang="pl").clients["n"]
    aging = next(f for f in client.findings if f.signal.value == "cross_aging")
    assert "przeterminowane jest 0,00\u00a0EUR z faktur wystawionych ponad 90 dni temu" in \
        aging.message, aging.message
    assert "po terminie jest" not in aging.message
