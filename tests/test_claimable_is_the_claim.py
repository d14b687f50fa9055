"""The review's ``claimable`` (and ``time_barred``) of a client is what ``clientguard claim``
of that client totals, to the cent (docs/review.md, "The book and the data"; docs/claims.md,
"Rounding"): both add the same lines, each rounded once as the claim states it
(``metrics.cost.claimed_interest`` for the interest, ``FixedCompensation.rounded`` for the
compensation).

Until 2026-12-07 the review added the lines unrounded and rounded only the total: of 180
random clients, 9 differed from their claim by a cent (7,409.31 against 7,409.30).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientguard.claims import claim
from clientguard.model import AnyRecord
from clientguard.policy import Policy
from clientguard.review import review
from clientguard.testing import credit_note, customer, fx_table, invoice, ledger, payment

D = Decimal
LAWS = {"eu": "EUR", "uk": "GBP", "pl": "PLN"}
_DAYS = range((date(2032, 12, 31) - date(2018, 12, 1)).days + 1)
EUR_IN_PLN = fx_table("PLN", {"EUR": {
    date(2018, 12, 1) + timedelta(days=n): D("4.2000") + D(n % 997) / 10000 for n in _DAYS}})
"""A rate every day, of four decimals, so that a Polish compensation converted to PLN has a
fraction of a grosz to round (EUR 40 at 4.2731 is 170.924 PLN: 170.92 on the claim)."""


def test_three_lines_rounded_up_a_cent_between_them() -> None:
    # EU law, 2025-H1: ECB 3.15% + 8 pp = 11.15%. Three invoices of EUR 1,000 due 31 March 2025,
    # each paid 1 April: 1 day of interest, 1,000 x 11.15 x 1 / 36,500 = 0.30547... -> 0.31 a
    # line, plus EUR 40 each. The claim: 3 x (0.31 + 40.00) = 120.93. Added unrounded, the
    # lines made 120.9164..., shown as 120.92.
    records: list[AnyRecord] = [customer("acme")]
    for n in range(3):
        sent = invoice("acme", issued="2025-03-01", due="2025-03-31", total="1000.00",
                       id=f"I{n}")
        records += [sent, payment("acme", on="2025-04-01", amount="1000.00", pays=sent,
                                  id=f"P{n}")]
    book = ledger(*records, base_currency="EUR")
    policy = Policy(jurisdiction="eu")
    as_of = date(2025, 6, 30)
    letter = claim(book, "acme", as_of=as_of, policy=policy)
    assert [line.interest_claimed for line in letter.invoices] == [D("0.31")] * 3
    assert letter.totals == {"EUR": D("120.93")}
    reviewed = review(book, as_of=as_of, policy=policy)
    assert reviewed.clients["acme"].claimable == D("120.93")
    assert reviewed.book.claimable == D("120.93")


def _book(seed: int, currency: str) -> list[AnyRecord]:
    """Up to 10 invoices of three clients, from 2019, paid in up to three parts or credited,
    at random (the reviewer's generator)."""
    rnd = random.Random(seed)
    records: list[AnyRecord] = [customer(c) for c in "abc"]
    for i in range(rnd.randint(1, 10)):
        who = rnd.choice("abc")
        issued = date(2019, 1, 1) + timedelta(days=rnd.randint(0, 2400))
        total = D(rnd.randint(100, 2_000_000)) / 100
        sent = invoice(who, issued=issued, total=total, terms=rnd.choice([0, 7, 14, 30, 60]),
                       id=f"I{i}", currency=currency)
        records.append(sent)
        left = total
        for j in range(rnd.randint(0, 3)):
            if left <= 0:
                break
            amount = min(left, D(rnd.randint(1, int(total * 100))) / 100)
            day = sent.due_date + timedelta(days=rnd.randint(-10, 400))
            if rnd.random() < 0.25:
                records.append(credit_note(who, issued=day, total=amount,
                                           applies_to=[(sent, amount)], id=f"C{i}_{j}",
                                           currency=currency))
            else:
                records.append(payment(who, on=day, amount=amount, pays=[(sent, amount)],
                                       id=f"P{i}_{j}", currency=currency))
            left -= amount
    return records


@pytest.mark.parametrize("law", sorted(LAWS))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), as_of=st.dates(date(2023, 1, 1), date(2031, 12, 31)))
def test_each_clients_claimable_is_its_claims_total(law: str, seed: int, as_of: date) -> None:
    # Each law in its own currency (a PLN book for Polish law, with EUR rates: its
    # compensation is converted to PLN and so in the claim's totals); as_of up to 2031 makes
    # some claims time-barred.
    currency = LAWS[law]
    book = ledger(*_book(seed, currency), base_currency=currency,
                  fx=EUR_IN_PLN if law == "pl" else None)
    policy = Policy(jurisdiction=law)
    reviewed = review(book, as_of=as_of, policy=policy)
    for who in "abc":
        letter = claim(book, who, as_of=as_of, policy=policy)
        client = reviewed.clients.get(who)
        claimable = client.claimable if client is not None else D(0)
        barred = client.time_barred if client is not None else D(0)
        assert claimable == letter.totals.get(currency, D(0)), who
        assert barred == letter.time_barred_totals.get(currency, D(0)), who
