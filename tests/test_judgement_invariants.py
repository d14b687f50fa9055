"""What a user relies on in the judgement, on ledgers hypothesis makes with the
``clientguard.testing`` builders: a client who pays on time is never flagged for lateness, one
more late invoice never makes a client look better, the order records come in changes nothing,
shares and totals add up, a verdict to end says its numbers, and a book kept in another base
currency at a consistent rate gives the same verdicts with proportional money.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from clientguard import Policy, review
from clientguard.forecast import forecast
from clientguard.metrics.lateness import payment_profiles
from clientguard.model import AnyRecord, CreditNote, Invoice, Payment
from clientguard.testing import credit_note, customer, invoice, ledger, payment

START = date(2024, 1, 1)
CLIENTS = ("a", "b", "c")
LATENESS = {"chronic_late", "worsening_late", "expected_late", "cross_aging"}
SEVERITY = {"watch": 1, "warning": 2, "critical": 3}
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


@st.composite
def book_records(draw: st.DrawFn) -> list[AnyRecord]:
    """Up to twenty invoices of three clients over 500 days, each paid (in full or in two
    parts, some by a credit note) from 10 days before its due date to 120 after, or left
    open."""
    made: list[AnyRecord] = [customer(c) for c in CLIENTS]
    for index in range(draw(st.integers(1, 20))):
        who = draw(st.sampled_from(CLIENTS))
        issued = START + timedelta(days=draw(st.integers(0, 500)))
        terms = draw(st.sampled_from([0, 14, 30, 60]))
        total = D(draw(st.integers(100, 1_000_000))) / 100
        bill = invoice(who, issued=issued, terms=terms, total=total, id=f"I{index}")
        made.append(bill)
        how = draw(st.sampled_from(["open", "whole", "parts"]))
        day = bill.due_date + timedelta(days=draw(st.integers(-10, 120)))
        if how == "whole":
            made.append(payment(who, on=day, amount=total, pays=bill, id=f"P{index}"))
        elif how == "parts":
            part = (total / 3).quantize(D("0.01"))
            made.append(credit_note(who, issued=issued, total=part, applies_to=[(bill, part)],
                                    id=f"C{index}"))
            made.append(payment(who, on=day, amount=total - part, pays=[(bill, total - part)],
                                id=f"P{index}"))
    return made


@st.composite
def on_time_records(draw: st.DrawFn) -> list[AnyRecord]:
    """Client ``z``: up to twenty invoices (terms of 0 to 60 days, some due before issue),
    each paid in full by its due date (some before the issue date, some in two parts, some by
    the source's paid date alone), or not yet due."""
    made: list[AnyRecord] = [customer("z")]
    for index in range(draw(st.integers(1, 20))):
        issued = START + timedelta(days=draw(st.integers(0, 500)))
        terms = draw(st.sampled_from([0, 7, 30, 60, -3]))
        total = D(draw(st.integers(100, 1_000_000))) / 100
        last = max(terms, 0)  # a due date before the issue date counts as the issue date
        on = issued + timedelta(days=draw(st.integers(-10, last)))
        how = draw(st.sampled_from(["paid_on", "whole", "parts"]))
        bill = invoice("z", issued=issued, due=issued + timedelta(days=terms), total=total,
                       id=f"Z{index}", paid=on if how == "paid_on" else None)
        made.append(bill)
        if how == "whole":
            made.append(payment("z", on=on, amount=total, pays=bill, id=f"ZP{index}"))
        elif how == "parts":
            half = (total / 2).quantize(D("0.01"))
            made.append(payment("z", on=on, amount=half, pays=[(bill, half)], id=f"ZP{index}"))
            made.append(payment("z", on=max(on, issued), amount=total - half,
                                pays=[(bill, total - half)], id=f"ZQ{index}"))
    return made


AS_OF = st.integers(0, 700).map(lambda days: START + timedelta(days=days))


@PROPERTY
@given(others=book_records(), mine=on_time_records(), as_of=AS_OF)
def test_a_client_who_pays_on_time_is_never_flagged_for_lateness(
    others: list[AnyRecord], mine: list[AnyRecord], as_of: date
) -> None:
    client = review(ledger(*others, *mine), as_of=as_of).clients.get("z")
    if client is None:  # nothing issued by as_of
        return
    assert [f.signal for f in client.findings if f.signal in LATENESS] == []
    assert client.profiles["z"].invoices_late == 0
    assert client.recommendation in ("ok", "monitor")


def four_clients_a_few_days_late_and(z_delay: int) -> list[AnyRecord]:
    """Four clients, each with six invoices paid 0, 3, 2, 4, 1 and 5 days after their due
    dates (from July 2023), and client ``z``: one invoice issued 1 January 2024, paid
    ``z_delay`` days after its due date, and one open, issued 10 June 2024, due 10 July."""
    made: list[AnyRecord] = [customer("z")]
    for other in range(4):
        made.append(customer(f"o{other}"))
        for index, delay in enumerate([0, 3, 2, 4, 1, 5]):
            issued = date(2023, 7, 1) + timedelta(days=10 * index + other)
            bill = invoice(f"o{other}", issued=issued, total="1000.00", id=f"O{other}-{index}")
            made += [bill, payment(f"o{other}", on=bill.due_date + timedelta(days=delay),
                                   amount="1000.00", pays=bill, id=f"OP{other}-{index}")]
    paid = invoice("z", issued="2024-01-01", total="1000.00", id="Z-1")
    made += [paid, payment("z", on=paid.due_date + timedelta(days=z_delay), amount="1000.00",
                           pays=paid, id="ZP-1"),
             invoice("z", issued="2024-06-10", total="1000.00", id="Z-open")]
    return made


@pytest.mark.parametrize(("z_delay", "flagged"), [
    # Paid on its due date: never late. Its one invoice carries no weight against the book's
    # (the clients' means do not differ beyond noise, Z = 0): the forecast rests on the
    # others, whose invoices were mostly late, and gives Z-open about 0.8. Not a finding
    # about z (before the fix: expected_late, watch).
    (0, False),
    # Paid 3 days late: it has been late, and the same forecast is a finding about it.
    (3, True),
])
def test_a_client_never_late_is_not_foreseen_late_on_the_others_history(
    z_delay: int, flagged: bool
) -> None:
    as_of = date(2024, 6, 30)
    book = ledger(*four_clients_a_few_days_late_and(z_delay))
    (predicted,) = [f for f in forecast(book, as_of=as_of).invoices if f.invoice_id == "Z-open"]
    assert predicted.p_late >= 0.5  # the forecast itself is unchanged: the cash view keeps it
    findings = review(book, as_of=as_of).clients["z"].findings
    assert any(f.signal == "expected_late" for f in findings) is flagged


@PROPERTY
@given(made=book_records(), as_of=st.integers(200, 700).map(lambda d: START + timedelta(days=d)),
       due_back=st.integers(1, 300), late=st.integers(1, 200), paid=st.booleans(),
       who=st.sampled_from(CLIENTS), cents=st.integers(100, 10**7))
def test_one_more_late_invoice_never_makes_a_client_look_better(
    made: list[AnyRecord], as_of: date, due_back: int, late: int, paid: bool, who: str,
    cents: int,
) -> None:
    # An invoice due in the window, paid after its due date (by as_of) or still open past it.
    due = as_of - timedelta(days=due_back)
    bill = invoice(who, issued=due - timedelta(days=30), due=due, total=D(cents) / 100,
                   id="LATE")
    more: list[AnyRecord] = [bill]
    if paid:
        more.append(payment(who, on=due + timedelta(days=min(late, due_back)), amount=bill.total,
                            pays=bill, id="LATE-PAID"))
    before = payment_profiles(ledger(*made), as_of=as_of).get(who)
    after = payment_profiles(ledger(*made, *more), as_of=as_of)[who]
    assert after.invoices_late == (before.invoices_late if before else 0) + 1
    if before is not None and before.late_share is not None:
        assert after.late_share is not None
        assert after.late_share >= before.late_share
        assert after.late_amount_share is not None
        assert before.late_amount_share is not None
        assert after.late_amount_share >= before.late_amount_share
        assert after.financing_cost >= before.financing_cost
        assert after.overdue_balance >= before.overdue_balance

    # The chronic-late finding's severity is not monotone in this sense, by design: it weighs
    # days and the overdue balance by amount, so one more invoice (a large one, a day late or
    # as late as the client's average) beside tiny ones long overdue lowers the average delay
    # and the overdue share, and may lower the severity while the counts and shares above
    # rise. Hypothesis found both cases; the counts, shares and money checked above are the
    # monotone measures.


@PROPERTY
@given(made=book_records(), as_of=AS_OF, seed=st.integers(0, 2**32))
def test_the_order_records_come_in_changes_nothing(
    made: list[AnyRecord], as_of: date, seed: int
) -> None:
    shuffled = list(made)
    random.Random(seed).shuffle(shuffled)
    assert (review(ledger(*shuffled), as_of=as_of).model_dump(mode="json")
            == review(ledger(*made), as_of=as_of).model_dump(mode="json"))


CENT = D("0.01")


@PROPERTY
@given(made=book_records(), as_of=AS_OF)
def test_shares_sum_to_one_and_totals_to_the_sum_of_their_parts(
    made: list[AnyRecord], as_of: date
) -> None:
    made_review = review(ledger(*made), as_of=as_of)
    for report in (made_review.book.revenue, made_review.book.receivables):
        if report.shares:
            # Decimal division at 28 digits: one in the last place of each share at most.
            assert abs(sum(report.shares.values(), D(0)) - 1) <= D("1e-25")
    clients = made_review.clients.values()
    assert (sum((c.financing_cost for c in clients), D(0)).quantize(CENT)
            == made_review.book.financing_cost.quantize(CENT))
    assert (sum((c.claimable for c in clients), D(0)).quantize(CENT)
            == made_review.book.claimable.quantize(CENT))
    assert sum(made_review.book.recommendations.values()) == len(made_review.clients)
    for client in clients:
        assert (sum((p.financing_cost for p in client.profiles.values()), D(0)).quantize(CENT)
                == client.financing_cost.quantize(CENT))


@PROPERTY
@given(made=book_records(), as_of=AS_OF, lang=st.sampled_from(["en", "pl"]))
def test_a_verdict_to_end_says_its_numbers_in_the_reader_units(
    made: list[AnyRecord], as_of: date, lang: str
) -> None:
    # A lower bar for ending, so that hypothesis meets the verdict often.
    policy = Policy(material_late_cost=D(0), material_overdue=D(0))
    for client in review(ledger(*made), as_of=as_of, policy=policy, lang=lang).clients.values():
        if client.recommendation == "consider_ending":
            # A share as a percentage, money with its currency.
            assert "%" in client.evidence, client.evidence
            assert "EUR" in client.evidence, client.evidence
            assert client.reasons


RATE = D("1.25")
"""USD per EUR: the same book kept in USD."""


def in_usd(made: list[AnyRecord]) -> list[AnyRecord]:
    """Every EUR document at RATE to a USD base."""
    return [r.model_copy(update={"fx_rate": RATE})
            if isinstance(r, Invoice | Payment | CreditNote) else r for r in made]


def close(euro: D, dollar: D) -> bool:
    """``euro x RATE`` is ``dollar`` to 18 places (Decimal divides at 28 digits)."""
    return abs(euro * RATE - dollar) <= D("1e-18") * max(D(1), abs(dollar))


def _overdue_at_five_percent_of_the_firm() -> list[AnyRecord]:
    """Client ``a``, the firm's only client: 830.81 EUR due in the window (6.93 + 779.04 + 3.3
    + 35.36 + 4.71 + 1.47; I3 is due on the window's first day, outside it, and I5 after it),
    three of it (35.36 + 4.71 + 1.47 = 41.54 EUR) a year past due: 41.54 / 830.81 is
    4.99994%, written "5.0%", at the 5% firm-share line. In USD at 1.25 the same share
    (51.925 of 1,038.5125) was compared as money, 51.925 written "51.92" against the line
    51.925625 written "51.93": not material, while the EUR book was (CI, 2026-12-08)."""
    made: list[AnyRecord] = [customer(c) for c in CLIENTS]
    for index, total in enumerate(["6.93", "779.04", "3.3"]):
        bill = invoice("a", issued=START, terms=14, total=D(total), id=f"I{index}")
        made += [bill, payment("a", on=bill.due_date, amount=D(total), pays=bill,
                               id=f"P{index}")]
    same_day = invoice("a", issued=START, terms=0, total=D(1), id="I3")
    made += [same_day, payment("a", on=START, amount=D(1), pays=same_day, id="P3")]
    made += [invoice("a", issued=START, terms=14, total=D("35.36"), id="I4"),
             invoice("a", issued=date(2024, 11, 2), due=date(2025, 1, 1), total=D(1), id="I5"),
             invoice("a", issued=START, terms=14, total=D("4.71"), id="I6"),
             invoice("a", issued=START, terms=14, total=D("1.47"), id="I7")]
    return made


@PROPERTY
@given(made=book_records(), as_of=AS_OF)
@example(made=_overdue_at_five_percent_of_the_firm(), as_of=START + timedelta(days=365))
def test_another_base_currency_at_a_consistent_rate_gives_proportional_money(
    made: list[AnyRecord], as_of: date
) -> None:
    # The statutory claims are left out (their fixed compensation is EUR 40 whatever the
    # base), and the materiality thresholds are in the base currency: scaled with it.
    euro = Policy(jurisdiction="none")
    dollar = euro.model_copy(update={"material_late_cost": euro.material_late_cost * RATE,
                                     "material_overdue": euro.material_overdue * RATE})
    in_euro = review(ledger(*made), as_of=as_of, policy=euro)
    in_dollar = review(ledger(*in_usd(made), base_currency="USD"), as_of=as_of, policy=dollar)
    assert in_euro.book.revenue.shares == in_dollar.book.revenue.shares
    assert in_euro.book.receivables.shares == in_dollar.book.receivables.shares
    assert in_euro.clients.keys() == in_dollar.clients.keys()
    for key, one in in_euro.clients.items():
        other = in_dollar.clients[key]
        assert other.recommendation == one.recommendation
        assert ([(f.signal, f.severity) for f in other.findings]
                == [(f.signal, f.severity) for f in one.findings])
        assert other.late_share == one.late_share
        # The costs as computed are proportional to 18 places; the client's figure is its two
        # parts each rounded to the cent (docs/review.md, "The book and the data"), so within
        # half a cent a part in each currency.
        assert close(sum((c.financing_cost for c in one.costs.values()), D(0)),
                     sum((c.financing_cost for c in other.costs.values()), D(0)))
        assert abs(one.financing_cost * RATE - other.financing_cost) <= D("0.01") * (RATE + 1)
        assert close(one.what_if.revenue_lost, other.what_if.revenue_lost)
        assert close(one.what_if.open_credit, other.what_if.open_credit)
        for member, profile in one.profiles.items():
            theirs = other.profiles[member]
            assert theirs.weighted_days_late == profile.weighted_days_late
            assert close(profile.overdue_balance, theirs.overdue_balance)
