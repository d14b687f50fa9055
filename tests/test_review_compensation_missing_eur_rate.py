"""A Polish fixed compensation whose NBP EUR rate the ledger's FxTable lacks is left out of
``claimable`` and said, as without an FxTable at all (docs/claims.md, "Fixed compensation").

Until 2026-12-07 a ledger WITH an FxTable that lacked the EUR to PLN rate of a compensation's
rule date dropped the compensation without a word: the claim's line had no compensation (a
note "no fixed compensation: no EUR->PLN rate ..."), ``compensation_unpriced`` was 0, the
book's summary named the other rates the table lacked (GBP) but not the 12 x 70 EUR, and the
advice read "interest and compensation now owed: 1,540.14 PLN", which was the interest alone.
Without an FxTable, the same compensation was already stated in EUR with its PLN amount to fill
in, counted in ``compensation_unpriced`` and named in the advice and the summary.

The book: bolt under Polish law, 12 PLN 10,000.00 invoices from 2 January 2025, 30 days'
terms, each paid 31 days late (a warning: the review advises the claim). Each debt is above
PLN 5,000 and below 50,000: EUR 70 each (art. 10 ust. 1), 12 x 70 = 840.00 EUR, owed in PLN
at the NBP average EUR rate of the last business day of the month before the month the debt
fell due (art. 10 ust. 1a), worked out by hand in ``RULE_DAYS``.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from clientguard.claims import claim
from clientguard.ledger import Ledger
from clientguard.model import AnyRecord
from clientguard.money import FxTable
from clientguard.policy import Policy
from clientguard.report import render
from clientguard.report.claim import render_claim
from clientguard.review import review
from clientguard.testing import customer, fx_table, invoice, ledger, payment

AS_OF = date(2026, 2, 28)
POLICY = Policy(jurisdiction="pl")

# Invoice n is issued on 2 January 2025 + 30n and due 30 days later. Its rule date is the
# last Polish business day of the month before the month its term ends (moved off a weekend or
# a holiday, art. 115 KC), worked out on a calendar:
#   F0  due Sat 2025-02-01 -> Mon 02-03: Fri 2025-01-31    F6  due 2025-07-31: Mon 2025-06-30
#   F1  due Mon 2025-03-03: Fri 2025-02-28                 F7  due Sat 2025-08-30 -> Mon 09-01:
#   F2  due Wed 2025-04-02: Mon 2025-03-31                     Fri 2025-08-29
#   F3  due Fri 2025-05-02: Wed 2025-04-30                 F8  due 2025-09-29: Fri 2025-08-29
#   F4  due Sun 2025-06-01 -> Mon 06-02: Fri 2025-05-30    F9  due 2025-10-29: Tue 2025-09-30
#   F5  due Tue 2025-07-01: Mon 2025-06-30                 F10 due 2025-11-28: Fri 2025-10-31
#                                                          F11 due Sun 2025-12-28 -> Mon 12-29:
#                                                              Fri 2025-11-28
RULE_DAYS = [date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31), date(2025, 4, 30),
             date(2025, 5, 30), date(2025, 6, 30), date(2025, 6, 30), date(2025, 8, 29),
             date(2025, 8, 29), date(2025, 9, 30), date(2025, 10, 31), date(2025, 11, 28)]
DAYS = sorted(set(RULE_DAYS))  # 10 days: two pairs of invoices share a rule date


def _bolt(rate: D) -> list[AnyRecord]:
    """bolt's 12 late invoices of 10,000.00 PLN, at ``rate`` units of the book's currency per
    PLN (1 in a PLN book)."""
    records: list[AnyRecord] = [customer("bolt")]
    for n in range(12):
        sent = invoice("bolt", issued=date(2025, 1, 2) + timedelta(days=30 * n),
                       total="10000.00", currency="PLN", fx_rate=rate, id=f"F{n}")
        records += [sent, payment("bolt", on=sent.due_date + timedelta(days=31),
                                  amount="10000.00", currency="PLN", fx_rate=rate, pays=sent,
                                  id=f"P{n}")]
    return records


def _book(fx: FxTable | None, base: str = "PLN", rate: D = D(1)) -> Ledger:
    return ledger(*_bolt(rate), base_currency=base, fx=fx)


# A table of GBP alone (the rates of another client's invoices): no EUR rate on any day.
NO_EUR = fx_table("PLN", {"GBP": dict.fromkeys(DAYS, "5.0000")})
# A table with the EUR rate of 31 January 2025 alone (4.2000 PLN per EUR, looked back on for
# 7 days at most: no other rule date is within 7 days of it).
ONE_EUR_DAY = fx_table("PLN", {"EUR": {date(2025, 1, 31): "4.2000"}})


def _interest_total(book: Ledger) -> D:
    """The claim's interest, PLN: the sum of its lines' rounded interest (nothing is
    time-barred as of AS_OF)."""
    letter = claim(book, "bolt", as_of=AS_OF, policy=POLICY)
    lines = [line.interest_claimed for line in letter.invoices]
    assert all(amount is not None for amount in lines)
    return sum((amount for amount in lines if amount is not None), D(0))


@pytest.mark.parametrize(
    ("fx", "priced", "unpriced", "missing"),
    [
        # An FxTable without EUR: the same 840.00 EUR, and each of the 10 days named.
        (NO_EUR, D(0), D("840.00"), DAYS),
        # The EUR rate of F0's rule date only: F0's EUR 70 at 4.2000 is 294.00 PLN, in the
        # claim's totals and in claimable; the other 11 x 70 = 770.00 EUR are left out, and
        # the 9 days after 2025-01-31 named.
        (ONE_EUR_DAY, D("294.00"), D("770.00"), DAYS[1:]),
    ],
    ids=["fxtable-without-eur", "fxtable-with-one-eur-day"],
)
def test_the_compensation_without_its_eur_rate_is_left_to_fill_in_and_said(
    fx: FxTable, priced: D, unpriced: D, missing: list[date]
) -> None:
    # Without an FxTable the same book leaves the 840.00 EUR to fill in and says so
    # (tests/test_claimable_is_the_claim.py, test_the_advice_says_the_polish_compensation_...):
    # an FxTable that lacks the rates now does the same, and names the days.
    book = _book(fx)
    letter = claim(book, "bolt", as_of=AS_OF, policy=POLICY)
    # The claim states each compensation: EUR 70 at its rule date, converted where the table
    # has the rate, else in EUR with the PLN amount to fill in, out of the totals.
    assert [line.compensation_rule_date for line in letter.invoices] == RULE_DAYS
    assert all(line.compensation_statutory == D(70) for line in letter.invoices)
    blank = [line for line in letter.invoices if not line.compensation_converted]
    assert sum((line.compensation or D(0) for line in blank), D(0)) == unpriced
    assert all(line.compensation_currency == "EUR" for line in blank)
    assert {line.compensation_rule_date for line in blank} == set(missing)
    interest = _interest_total(book)
    assert letter.compensation_totals == ({"PLN": priced} if priced else {})
    assert letter.totals == {"PLN": interest + priced}
    # The review leaves out what the claim leaves out, to the cent, and counts it.
    reviewed = review(book, as_of=AS_OF, policy=POLICY)
    client = reviewed.clients["bolt"]
    assert client.claimable == letter.totals["PLN"]
    assert client.compensation_unpriced == unpriced
    assert reviewed.book.compensation_unpriced == unpriced
    (advice,) = [r for r in client.revisions if r.kind == "claim_late_interest"]
    assert f"It leaves out {unpriced:,.2f} EUR of fixed compensation" in advice.message
    if priced:
        # Some compensation is in the sum: "interest and compensation", of that sum.
        assert advice.message.startswith(
            "Claim the statutory late-payment interest and compensation now owed: "
            f"{interest + priced:,.2f} PLN (PL law)")
    else:
        # None is: the sum is said to be of the interest alone.
        assert advice.message.startswith(
            f"Claim the statutory late-payment interest now owed: {interest:,.2f} PLN (PL law)")
    # The days whose rate the table lacks, each named (ISO dates in English).
    rates = " and ".join(day.isoformat() for day in missing)
    assert f"the ledger's exchange rates have no rate for EUR on {rates} (" in advice.message


def test_the_books_summary_names_the_missing_eur_rates() -> None:
    # Beside a UK client whose GBP compensation the table lacks one day of, the summary names
    # both: until 2026-12-07 it said "70.00 GBP of fixed compensation is left out ...: the
    # ledger's exchange rates have no rate for GBP on 2025-12-28." and not a word of the
    # 840.00 EUR. More than three days of a currency are counted, first and last named.
    acme: list[AnyRecord] = [customer("acme")]
    for n in range(2):
        sent = invoice("acme", issued=date(2025, 10, 29) + timedelta(days=30 * n),
                       total="2000.00", currency="GBP", fx_rate=D(5), id=f"G{n}")
        acme += [sent, payment("acme", on=sent.due_date + timedelta(days=31),
                               amount="2000.00", currency="GBP", fx_rate=D(5), pays=sent,
                               id=f"Q{n}")]
    # GBP 2,000 is from GBP 1,000 and below 10,000: GBP 70 each (s.5A(2A)), converted at
    # the due date; the table has the rate of G0's due date (2025-11-28), not G1's
    # (2025-12-28, more than 7 days after the last GBP rate).
    fx = fx_table("PLN", {"GBP": {date(2025, 11, 28): "5.0000"}})
    book = ledger(*acme, *_bolt(D(1)), base_currency="PLN", fx=fx)
    policy = Policy(jurisdiction="pl", client_jurisdictions={"acme": "uk"})
    summary = review(book, as_of=AS_OF, policy=policy).book.summary
    assert summary.endswith(
        " 840.00 EUR and 70.00 GBP of fixed compensation is left out of what the law grants: "
        "the ledger's exchange rates have no rate for EUR on 10 days between 2025-01-31 and "
        "2025-11-28 and GBP on 2025-12-28.")


def test_in_polish_the_advice_names_the_missing_rates() -> None:
    book = _book(NO_EUR)
    client = review(book, as_of=AS_OF, policy=POLICY, lang="pl").clients["bolt"]
    (rada,) = [r for r in client.revisions if r.kind == "claim_late_interest"]
    # Of the interest alone ("i rekompensaty" is not in the sum), then the 840,00 EUR left
    # out and the first days whose rate the table lacks, written out.
    assert rada.message.startswith(
        "Zażądaj należnych już odsetek ustawowych za opóźnienie w transakcjach handlowych: ")
    assert "i rekompensaty" not in rada.message.split(". ")[0]
    assert "Pominięto 840,00\u00a0EUR rekompensaty" in rada.message
    assert "w kursach walut księgi brak kursów EUR (na 31 stycznia 2025, 28 lutego 2025" in (
        rada.message)


def test_an_eur_book_names_the_pln_rate_its_table_lacks() -> None:
    # An EUR book: EUR 70 is owed in PLN at the NBP table's EUR rate; the cross rate is 1 EUR
    # over the table's PLN rate, which this table (of GBP alone) lacks: the PLN rate of each
    # day is named. Before, the compensation was dropped here too (compensation_unpriced 0).
    fx = fx_table("EUR", {"GBP": dict.fromkeys(DAYS, "1.1700")})
    book = _book(fx, base="EUR", rate=D("0.2300"))
    client = review(book, as_of=AS_OF, policy=POLICY).clients["bolt"]
    assert client.compensation_unpriced == D("840.00")
    (advice,) = [r for r in client.revisions if r.kind == "claim_late_interest"]
    assert "have no rate for PLN on 2025-01-31 and 2025-02-28 and" in advice.message


def test_the_json_report_and_the_claim_page_carry_it() -> None:
    book = _book(NO_EUR)
    document = json.loads(render(review(book, as_of=AS_OF, policy=POLICY), "json"))
    (bolt,) = document["clients"]
    assert bolt["compensation_unpriced"] == {"EUR": "840.00"}
    assert document["book"]["compensation_unpriced"] == {"EUR": "840.00"}
    # The claim's page (Polish law: in Polish) states F0's EUR 70 with the day of its rate.
    page = render_claim(claim(book, "bolt", as_of=AS_OF, policy=POLICY), "html")
    assert ("równowartość 70,00 EUR, do przeliczenia na złote według średniego kursu EUR "
            "NBP z dnia 31.01.2025") in page
