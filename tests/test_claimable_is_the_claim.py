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
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientguard.claims import Claim, claim
from clientguard.errors import DataError
from clientguard.ledger import Ledger
from clientguard.model import AnyRecord, Invoice
from clientguard.money import FxTable
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


def cent(amount: D) -> D:
    """``amount`` to the cent, half-even: how money.py rounds money for output (module
    docstring), written out here so that the expected values do not call the code tested."""
    return amount.quantize(D("0.01"), rounding=ROUND_HALF_EVEN)


def _has_rate(fx: FxTable, currency: str | None, day: date | None) -> bool:
    """Whether ``fx`` has a rate of ``currency`` on ``day`` (its own look-back included)."""
    assert currency is not None
    assert day is not None
    try:
        fx.rate(currency, day)
    except DataError:
        return False
    return True


def _in_base(letter: Claim, rate: D, base: str, fx: FxTable | None = None) -> tuple[D, D]:
    """``(claimable, time_barred)`` of a claim's lines in the base currency ``base`` (whose
    minor unit is the cent), as a reader converts a claim in another currency: each line's
    interest (claimed; time-barred) at the invoices' own ``rate`` to the cent, and each
    line's compensation in a known sum (claimed, or time-barred) in ``base``: itself where it
    is in ``base``; the law's sum where the law states it in ``base`` (a Polish EUR 70,
    converted to PLN and back at one table, is 70.00 EUR again); else converted with ``fx``
    at its rule date's rate, to the cent. A sum of lines each to the cent."""
    claimable = barred = D(0)
    for line in letter.invoices:
        if line.interest_claimed is not None:
            claimable += cent(line.interest_claimed * rate)
            barred += cent((line.interest_time_barred or D(0)) * rate)
        if line.compensation is None or not line.compensation_converted:
            continue
        if line.compensation_currency == base:
            compensation = line.compensation
        elif line.compensation_statutory_currency == base:
            assert line.compensation_statutory is not None
            compensation = line.compensation_statutory
        elif fx is not None and _has_rate(fx, line.compensation_currency,
                                          line.compensation_rule_date):
            assert line.compensation_currency is not None
            assert line.compensation_rule_date is not None
            compensation = cent(line.compensation * fx.rate(line.compensation_currency,
                                                            line.compensation_rule_date))
        else:
            continue  # no rate: in no base sum (compensation_unconvertible says it)
        if line.compensation_time_barred:
            barred += compensation
        else:
            claimable += compensation
    return claimable, barred


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


def _book(seed: int, currency: str, fx_rate: D | None = None) -> list[AnyRecord]:
    """Up to 10 invoices of three clients, from 2019, paid in up to three parts or credited,
    at random (the reviewer's generator); each record at ``fx_rate`` (base per unit) where
    given."""
    rnd = random.Random(seed)
    records: list[AnyRecord] = [customer(c) for c in "abc"]
    for i in range(rnd.randint(1, 10)):
        who = rnd.choice("abc")
        issued = date(2019, 1, 1) + timedelta(days=rnd.randint(0, 2400))
        total = D(rnd.randint(100, 2_000_000)) / 100
        sent = invoice(who, issued=issued, total=total, terms=rnd.choice([0, 7, 14, 30, 60]),
                       id=f"I{i}", currency=currency, fx_rate=fx_rate)
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
                                           currency=currency, fx_rate=fx_rate))
            else:
                records.append(payment(who, on=day, amount=amount, pays=[(sent, amount)],
                                       id=f"P{i}_{j}", currency=currency, fx_rate=fx_rate))
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


def _daily(base: str, currency: str, first: D, step: D) -> FxTable:
    """An FxTable with a rate of ``currency`` every day from December 2018 to 2032, ``first``
    plus ``step`` times the day's number modulo 997: four or five decimals, never one rate
    for long."""
    return fx_table(base, {currency: {
        date(2018, 12, 1) + timedelta(days=n): first + step * (n % 997) for n in _DAYS}})


# Invoices in another currency than the book's, each at a rate of its own with four decimals,
# in a book WITH an FxTable (which converts each fixed compensation at its rule date): a
# line's interest at the invoice's rate and a compensation at the table's are fractions of a
# cent of the base currency. Each line is rounded to the cent of the base and the lines are
# added, so the review's claimable is the claim's lines, converted, to the cent: until
# 2026-12-07 it was their unrounded sum (0.31 EUR at 4.3123 is 1.336813 PLN; a Polish EUR 70
# converted to PLN and back was 69.99999999999999999999999999 EUR), a cent or more off the
# lines on a long book.
WITH_RATES = [
    ("eu", "EUR", "PLN", D("4.3123"), _daily("PLN", "EUR", D("4.2000"), D("0.0001"))),
    ("uk", "GBP", "EUR", D("1.1731"), _daily("EUR", "GBP", D("1.1500"), D("0.0001"))),
    ("pl", "PLN", "EUR", D("0.2337"), _daily("EUR", "PLN", D("0.2200"), D("0.00001"))),
]


@pytest.mark.parametrize(("law", "currency", "base", "rate", "fx"), WITH_RATES,
                         ids=["eu-in-pln", "uk-in-eur", "pl-in-eur"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), as_of=st.dates(date(2023, 1, 1), date(2031, 12, 31)))
def test_foreign_claims_are_claimable_line_by_line_to_the_cent(
    law: str, currency: str, base: str, rate: D, fx: FxTable, seed: int, as_of: date
) -> None:
    book = ledger(*_book(seed, currency, fx_rate=rate), base_currency=base, fx=fx)
    policy = Policy(jurisdiction=law)
    reviewed = review(book, as_of=as_of, policy=policy)
    for who in "abc":
        letter = claim(book, who, as_of=as_of, policy=policy)
        client = reviewed.clients.get(who)
        claimable = client.claimable if client is not None else D(0)
        barred = client.time_barred if client is not None else D(0)
        assert (claimable, barred) == _in_base(letter, rate, base, fx), who
        # Money in the base currency, to its cent: what the JSON and the text print is the
        # model's own number.
        assert claimable == cent(claimable), who
        assert barred == cent(barred), who
        for cost in (client.costs.values() if client is not None else ()):
            for item in cost.invoices:
                if item.compensation_base is not None:
                    assert item.compensation_base == cent(item.compensation_base), who
    assert reviewed.book.claimable == sum(
        (c.claimable for c in reviewed.clients.values()), D(0))


def test_euro_lines_in_a_zloty_book_by_hand() -> None:
    # EU law, a PLN book: three invoices of EUR 1,000 at their own 4.3123, due 31 March 2025
    # (EUR_IN_PLN's rate that day: 4.2000 + 0.0001 x (2,312 mod 997 = 318) = 4.2318), each
    # paid 1 April. A line: 0.31 EUR of interest (as the first test) x 4.3123 = 1.336813 ->
    # 1.34 PLN, and EUR 40 x 4.2318 = 169.272 -> 169.27 PLN; 170.61 PLN a line, 511.83 for
    # three. Until 2026-12-07 the review said 511.826439 (shown 511.83 by luck of the sum).
    records: list[AnyRecord] = [customer("acme")]
    for n in range(3):
        sent = invoice("acme", issued="2025-03-01", due="2025-03-31", total="1000.00",
                       currency="EUR", fx_rate="4.3123", id=f"I{n}")
        records += [sent, payment("acme", on="2025-04-01", amount="1000.00", currency="EUR",
                                  fx_rate="4.3123", pays=sent, id=f"P{n}")]
    book = ledger(*records, base_currency="PLN", fx=EUR_IN_PLN)
    policy = Policy(jurisdiction="eu")
    as_of = date(2025, 6, 30)
    assert EUR_IN_PLN.rate("EUR", date(2025, 3, 31)) == D("4.2318")
    letter = claim(book, "acme", as_of=as_of, policy=policy)
    assert letter.totals == {"EUR": D("120.93")}
    client = review(book, as_of=as_of, policy=policy).clients["acme"]
    assert client.claimable == D("511.83")
    assert str(client.claimable) == "511.83"
    (cost,) = client.costs.values()
    assert [i.compensation_base for i in cost.invoices] == [D("169.27")] * 3


PLN_IN_EUR = D("0.2300")
"""EUR per PLN, each record's own rate, in an EUR book without an FxTable."""


def _unpriced_lines(letter: object) -> D:
    """The EUR of the claim's Polish compensations left to fill in (no NBP rate), not
    time-barred: what the claim counts in no total."""
    return sum((line.compensation for line in letter.invoices  # type: ignore[attr-defined]
                if line.compensation is not None and not line.compensation_converted
                and not line.compensation_time_barred), D(0))


# Polish law in an EUR book with no FxTable: PLN invoices at a rate of their own. The law owes
# the fixed compensation in PLN, the equivalent of EUR 40/70/100 at the NBP rate of the last
# business day of the month before the debt fell due (art. 10 ust. 1a), which this ledger does
# not have: the claim states the EUR sum and leaves the PLN amount to fill in, out of its
# totals (docs/claims.md, "Fixed compensation"). Until 2026-12-07 the review counted the EUR
# sum in claimable, being in the base currency, and so asked 40.00 EUR a late invoice more than
# the claim did. Now both leave it out and both say so: the claim's totals are in PLN alone,
# the review's claimable is each PLN line at 0.23 rounded to the cent of EUR, added up (until
# 2026-12-07 the PLN total x 0.23, unrounded: 338.42 x 0.23 = 77.8366 EUR), and the review's
# compensation_unpriced is the claim's blank lines, EUR for EUR.
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), as_of=st.dates(date(2023, 1, 1), date(2031, 12, 31)))
def test_a_polish_claim_in_an_eur_book_without_rates_leaves_out_the_same_compensation(
    seed: int, as_of: date
) -> None:
    book = ledger(*_book(seed, "PLN", fx_rate=PLN_IN_EUR), base_currency="EUR")
    policy = Policy(jurisdiction="pl")
    reviewed = review(book, as_of=as_of, policy=policy)
    for who in "abc":
        letter = claim(book, who, as_of=as_of, policy=policy)
        assert set(letter.totals) <= {"PLN"}, who
        client = reviewed.clients.get(who)
        claimable = client.claimable if client is not None else D(0)
        barred = client.time_barred if client is not None else D(0)
        assert (claimable, barred) == _in_base(letter, PLN_IN_EUR, "EUR"), who
        unpriced = client.compensation_unpriced if client is not None else D(0)
        assert unpriced == _unpriced_lines(letter), who


def test_the_advice_says_the_polish_compensation_left_out_and_why() -> None:
    # 12 PLN invoices of 10,000 (2,300.00 EUR each at 0.23), 30 days' terms, from 2 January
    # 2025, each paid 31 days late: chronic (late on every invoice), material (2,300 x 31 x
    # 10% / 365 = 19.53 EUR an invoice), 31 x 1.25 = 38.75 weighed days: a warning, so the
    # review advises the claim. Each debt is PLN 10,000, above PLN 5,000 and below 50,000: EUR
    # 70 each, 12 x 70 = 840.00 EUR that neither the claim's totals nor claimable count, and
    # the advice names it with the reason.
    records: list[AnyRecord] = [customer("acme")]
    for n in range(12):
        sent = invoice("acme", issued=date(2025, 1, 2) + timedelta(days=30 * n),
                       total="10000.00", currency="PLN", fx_rate=PLN_IN_EUR, id=f"F{n}")
        records += [sent, payment("acme", on=sent.due_date + timedelta(days=31),
                                  amount="10000.00", currency="PLN", fx_rate=PLN_IN_EUR,
                                  pays=sent, id=f"P{n}")]
    book = ledger(*records, base_currency="EUR")
    policy = Policy(jurisdiction="pl")
    as_of = date(2026, 2, 28)
    letter = claim(book, "acme", as_of=as_of, policy=policy)
    assert _unpriced_lines(letter) == D("840.00")
    client = review(book, as_of=as_of, policy=policy).clients["acme"]
    assert client.claimable == _in_base(letter, PLN_IN_EUR, "EUR")[0]
    assert client.compensation_unpriced == D("840.00")
    (advice,) = [r for r in client.revisions if r.kind == "claim_late_interest"]
    # Every compensation is left out: the sum claimed is of the interest alone, and the first
    # sentence says so (until 2026-12-07 it read "interest and compensation now owed").
    assert advice.message.startswith("Claim the statutory late-payment interest now owed: ")
    assert "It leaves out 840.00 EUR of fixed compensation" in advice.message
    assert "Polish law owes it in PLN at the NBP average EUR rate" in advice.message
    # The same in Polish: the amount with a decimal comma and a no-break space.
    polski = review(book, as_of=as_of, policy=policy, lang="pl").clients["acme"]
    (rada,) = [r for r in polski.revisions if r.kind == "claim_late_interest"]
    assert "Pominięto 840,00\u00a0EUR rekompensaty" in rada.message
    assert rada.message.startswith(
        "Zażądaj należnych już odsetek ustawowych za opóźnienie w transakcjach handlowych: ")


# A claim in its own currency, in a book of another currency without an FxTable: UK law's
# GBP 40/70/100 (s.5A of the 1998 Act) in an EUR book, the Directive's EUR 40 in a PLN book;
# the invoices at a rate of their own. The law's sum is known, in its currency, and the claim
# counts it in its totals in that currency (docs/claims.md, "Fixed compensation"); but the
# review's claimable is in the base currency, and the ledger has no rate to convert the
# compensation (an invoice's own rate converts that invoice, not a sum owed at the due date's
# rate). Until 2026-12-07 the review dropped it from claimable without a word; now it leaves
# it out as before and says how much, by currency: the claim's compensation total, sum for
# sum. Claimable is the claim's interest total at the invoices' rate (each line rounded in
# the invoice's currency, then converted and rounded to the cent of the base, as for the
# Polish case above).
FOREIGN = [("uk", "GBP", "EUR", D("1.1700")), ("eu", "EUR", "PLN", D("4.2500"))]


@pytest.mark.parametrize(("law", "currency", "base", "rate"), FOREIGN,
                         ids=["uk-in-eur", "eu-in-pln"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), as_of=st.dates(date(2023, 1, 1), date(2031, 12, 31)))
def test_a_claim_in_another_currency_in_a_book_without_rates_leaves_out_what_it_cannot_price(
    law: str, currency: str, base: str, rate: D, seed: int, as_of: date
) -> None:
    book = ledger(*_book(seed, currency, fx_rate=rate), base_currency=base)
    policy = Policy(jurisdiction=law)
    reviewed = review(book, as_of=as_of, policy=policy)
    for who in "abc":
        letter = claim(book, who, as_of=as_of, policy=policy)
        assert set(letter.totals) <= {currency}, who
        client = reviewed.clients.get(who)
        claimable = client.claimable if client is not None else D(0)
        left_out = client.compensation_unconvertible if client is not None else {}
        assert claimable == _in_base(letter, rate, base)[0], who
        compensation = letter.compensation_totals.get(currency)
        assert left_out == ({currency: compensation} if compensation else {}), who
        assert (client.compensation_unpriced if client is not None else D(0)) == 0, who


def _late_invoices(who: str, currency: str, total: str, rate: D) -> list[AnyRecord]:
    """12 invoices of ``total`` in ``currency`` at ``rate``, 30 days' terms, from 2 January
    2025, each paid 31 days late: chronic (late on every invoice), material, 31 x 1.25 =
    38.75 weighed days: a warning, so the review advises the claim."""
    records: list[AnyRecord] = [customer(who)]
    for n in range(12):
        sent = invoice(who, issued=date(2025, 1, 2) + timedelta(days=30 * n), total=total,
                       currency=currency, fx_rate=rate, id=f"{who}-F{n}")
        records += [sent, payment(who, on=sent.due_date + timedelta(days=31), amount=total,
                                  currency=currency, fx_rate=rate, pays=sent,
                                  id=f"{who}-P{n}")]
    return records


GBP_IN_EUR = D("1.1700")
"""EUR per GBP, each record's own rate, in an EUR book without an FxTable."""


def test_the_advice_says_the_uk_compensation_left_out_and_why() -> None:
    # Each debt is GBP 2,000: from GBP 1,000 and below 10,000, GBP 70 (s.5A(2A)); 12 x 70 =
    # 840.00 GBP, which the claim counts in GBP and the EUR claimable cannot; so the sum is of
    # the interest alone, and the advice says so and names the 840.00 GBP with the reason.
    book = ledger(*_late_invoices("acme", "GBP", "2000.00", GBP_IN_EUR), base_currency="EUR")
    policy = Policy(jurisdiction="uk")
    as_of = date(2026, 2, 28)
    letter = claim(book, "acme", as_of=as_of, policy=policy)
    assert letter.compensation_totals == {"GBP": D("840")}
    client = review(book, as_of=as_of, policy=policy).clients["acme"]
    assert client.claimable == _in_base(letter, GBP_IN_EUR, "EUR")[0]
    assert client.compensation_unconvertible == {"GBP": D("840")}
    (advice,) = [r for r in client.revisions if r.kind == "claim_late_interest"]
    assert advice.message.startswith("Claim the statutory late-payment interest now owed: ")
    assert ("It leaves out 840.00 GBP of fixed compensation, which the claim asks in that "
            "currency: the ledger has no exchange rate to convert it to EUR") in advice.message
    polski = review(book, as_of=as_of, policy=policy, lang="pl").clients["acme"]
    (rada,) = [r for r in polski.revisions if r.kind == "claim_late_interest"]
    assert rada.message.startswith(
        "Zażądaj należnych już odsetek ustawowych za opóźnienie w transakcjach handlowych: ")
    assert ("Pominięto 840,00\u00a0GBP rekompensaty za koszty odzyskiwania należności, której "
            "nota żąda w tej walucie: księga nie ma kursu, by przeliczyć ją na EUR"
            ) in rada.message
    # The same client in a GBP book: its GBP 70s are in claimable, none is left out, so the
    # advice claims "interest and compensation" as ever.
    in_gbp = ledger(*_late_invoices("acme", "GBP", "2000.00", D(1)), base_currency="GBP")
    (advice,) = [r for r in review(in_gbp, as_of=as_of, policy=policy).clients["acme"].revisions
                 if r.kind == "claim_late_interest"]
    assert advice.message.startswith(
        "Claim the statutory late-payment interest and compensation now owed: ")
    assert "It leaves out" not in advice.message


def _two_laws() -> tuple[Ledger, Policy]:
    """An EUR book without an FxTable: acme under UK law (12 x GBP 70 = 840.00 GBP, no rate
    to EUR), bolt under Polish law (PLN 10,000 each, above PLN 5,000 and below 50,000: 12 x
    EUR 70 = 840.00 EUR, no NBP rate to PLN)."""
    book = ledger(*_late_invoices("acme", "GBP", "2000.00", GBP_IN_EUR),
                  *_late_invoices("bolt", "PLN", "10000.00", PLN_IN_EUR), base_currency="EUR")
    return book, Policy(jurisdiction="pl", client_jurisdictions={"acme": "uk"})


@pytest.mark.parametrize(("lang", "clause"), [
    ("en", " 840.00 EUR and 840.00 GBP of fixed compensation is left out of what the law "
           "grants: the ledger has no exchange rate to count it."),
    ("pl", " Z tego, co przyznaje ustawa, pominięto 840,00\u00a0EUR i 840,00\u00a0GBP "
           "rekompensaty za koszty odzyskiwania należności: księga nie ma kursu waluty, by ją "
           "policzyć."),
])
def test_the_book_summary_says_the_compensation_left_out(lang: str, clause: str) -> None:
    # Until 2026-12-07 the summary gave claimable alone: the 840.00 EUR and 840.00 GBP left
    # out of it were said only in the two clients' advice.
    book, policy = _two_laws()
    reviewed = review(book, as_of=date(2026, 2, 28), policy=policy, lang=lang)
    assert reviewed.book.compensation_unpriced == D("840.00")
    assert reviewed.book.compensation_unconvertible == {"GBP": D("840")}
    assert clause in reviewed.book.summary


@pytest.mark.parametrize(("lang", "clause"), [
    ("en", " 840.00 EUR and 840.00 GBP of fixed compensation is left out of what the law "
           "grants: the ledger has no exchange rate to count it."),
    ("pl", " Z tego, co przyznaje ustawa, pominięto 840,00\u00a0EUR i 840,00\u00a0GBP "
           "rekompensaty za koszty odzyskiwania należności: księga nie ma kursu waluty, by ją "
           "policzyć."),
])
def test_an_empty_fx_table_is_said_as_no_table(lang: str, clause: str) -> None:
    # The command line without [rates] gave the ledger an FxTable of no rate at all: the
    # summary then listed every day as a rate "the ledger's exchange rates have no rate for"
    # (23 dates in a reviewer's book), as if a table lacked a few. A table of no rate is no
    # table: the same clause as the book without one (the test above).
    _, policy = _two_laws()
    book = ledger(*_late_invoices("acme", "GBP", "2000.00", GBP_IN_EUR),
                  *_late_invoices("bolt", "PLN", "10000.00", PLN_IN_EUR), base_currency="EUR",
                  fx=fx_table("EUR", {}))
    reviewed = review(book, as_of=date(2026, 2, 28), policy=policy, lang=lang)
    assert reviewed.book.compensation_unpriced == D("840.00")
    assert clause in reviewed.book.summary
    (advice,) = [r for r in reviewed.clients["bolt"].revisions
                 if r.kind == "claim_late_interest"]
    assert "exchange rates have no rate" not in advice.message
    assert "kursach walut księgi brak" not in advice.message


# An EUR book WITH an FxTable that lacks one rate: the ledger has exchange rates, so "give the
# ledger exchange rates" was untrue advice; the advice names the rate it lacks instead.
GBP_MISSING_ON = date(2025, 4, 2)
"""The third invoice's due date (issued 2 January 2025 + 2 x 30 days = 3 March, due 30 days
later): UK law converts its compensation at the rate of that day (s.5A's sum owed when the
debt fell due), which the table below leaves out; the rate 30 days before is too old
(``max_staleness_days`` 7)."""


def _gbp_book_with_rates(missing: tuple[date, ...]) -> Ledger:
    """``_late_invoices`` of acme in GBP in an EUR book whose FxTable has GBP at 1.17 on each
    invoice's due date but ``missing``."""
    records = _late_invoices("acme", "GBP", "2000.00", GBP_IN_EUR)
    due = [r.due_date for r in records if isinstance(r, Invoice)]
    assert set(missing) <= set(due)
    table = fx_table("EUR", {"GBP": {d: GBP_IN_EUR for d in due if d not in missing}})
    return ledger(*records, base_currency="EUR", fx=table)


@pytest.mark.parametrize(("lang", "sentence"), [
    ("en", "It leaves out 70.00 GBP of fixed compensation, which the claim asks in that "
           "currency: the ledger's exchange rates have no rate to convert it to EUR for GBP "
           "on 2025-04-02; add those rates to count it."),
    ("pl", "Pominięto 70,00\u00a0GBP rekompensaty za koszty odzyskiwania należności, której "
           "nota żąda w tej walucie: w kursach walut księgi brak kursów GBP (na 2 kwietnia "
           "2025), by przeliczyć ją na EUR; dodaj te kursy, by ją policzyć."),
])
def test_the_advice_names_the_rate_an_fx_table_lacks(lang: str, sentence: str) -> None:
    # 11 of the 12 GBP 70s convert at 1.17 and are in claimable; the one due 2 April 2025 has
    # no rate: 70.00 GBP left out, and the advice names the currency and the day, as the
    # FxTable's own error does, not "the ledger has no exchange rate" (it has 11 of them).
    book = _gbp_book_with_rates((GBP_MISSING_ON,))
    policy = Policy(jurisdiction="uk")
    as_of = date(2026, 2, 28)
    letter = claim(book, "acme", as_of=as_of, policy=policy)
    client = review(book, as_of=as_of, policy=policy, lang=lang).clients["acme"]
    assert client.compensation_unconvertible == {"GBP": D("70")}
    # Each line's interest at 1.17 to the cent, and 11 x 70 x 1.17 = 900.90 EUR.
    assert client.claimable == _in_base(letter, GBP_IN_EUR, "EUR", book.fx)[0]
    assert _in_base(letter, D(0), "EUR", book.fx)[0] == 11 * D("81.90")
    (advice,) = [r for r in client.revisions if r.kind == "claim_late_interest"]
    assert sentence in advice.message
    assert "(an FxTable, [rates])" not in advice.message


def test_the_advice_names_every_missing_day_by_currency() -> None:
    # Two days missing (the first and the third due dates, counted as above): each named, in
    # date order; 2 x 70.00 GBP left out.
    book = _gbp_book_with_rates((GBP_MISSING_ON, date(2025, 2, 1)))
    policy = Policy(jurisdiction="uk")
    client = review(book, as_of=date(2026, 2, 28), policy=policy).clients["acme"]
    assert client.compensation_unconvertible == {"GBP": D("140")}
    (advice,) = [r for r in client.revisions if r.kind == "claim_late_interest"]
    assert ("It leaves out 140.00 GBP of fixed compensation, which the claim asks in that "
            "currency: the ledger's exchange rates have no rate to convert it to EUR for GBP "
            "on 2025-02-01 and 2025-04-02; add those rates to count it.") in advice.message


# The book's summary, of a book whose FxTable lacks some rates: until 2026-12-07 it said "the
# ledger has no exchange rate to count it", untrue of a table that has GBP on 11 of the 12 days
# (or 7 of them). It names the currency and the days now: each day where they are few (three
# at most), else how many and between which (the client's advice names every one).
FIRST_DUES = tuple(date(2025, 2, 1) + timedelta(days=30 * n) for n in range(5))
"""The first five invoices' due dates of ``_late_invoices`` (issued 2 January 2025 + 30 days a
month, 30 days' terms): 1 February, 3 March, 2 April, 2 May and 1 June 2025."""


@pytest.mark.parametrize(("lang", "missing", "clause"), [
    ("en", (GBP_MISSING_ON,),
     " 70.00 GBP of fixed compensation is left out of what the law grants: the ledger's "
     "exchange rates have no rate for GBP on 2025-04-02."),
    ("pl", (GBP_MISSING_ON,),
     " Z tego, co przyznaje ustawa, pominięto 70,00\u00a0GBP rekompensaty za koszty "
     "odzyskiwania należności: w kursach walut księgi brak kursów GBP (na 2 kwietnia 2025)."),
    # Five days of 70: 350.00 GBP; more days than the sentence names one by one.
    ("en", FIRST_DUES,
     " 350.00 GBP of fixed compensation is left out of what the law grants: the ledger's "
     "exchange rates have no rate for GBP on 5 days between 2025-02-01 and 2025-06-01."),
    ("pl", FIRST_DUES,
     " Z tego, co przyznaje ustawa, pominięto 350,00\u00a0GBP rekompensaty za koszty "
     "odzyskiwania należności: w kursach walut księgi brak kursów GBP (z 5 dni w okresie od "
     "1 lutego 2025 do 1 czerwca 2025)."),
], ids=["en-one-day", "pl-one-day", "en-five-days", "pl-five-days"])
def test_the_book_summary_names_the_rates_an_fx_table_lacks(
    lang: str, missing: tuple[date, ...], clause: str
) -> None:
    book = _gbp_book_with_rates(missing)
    reviewed = review(book, as_of=date(2026, 2, 28), policy=Policy(jurisdiction="uk"),
                      lang=lang)
    assert reviewed.book.compensation_unconvertible == {"GBP": 70 * len(missing)}
    assert clause in reviewed.book.summary
    assert "the ledger has no exchange rate" not in reviewed.book.summary
    assert "księga nie ma kursu" not in reviewed.book.summary


@pytest.mark.parametrize(("lang", "clause"), [
    # English lists as the findings always have ("a and b and c", wording.and_list), Polish
    # as CLDR does ("a, b i c").
    ("en", " 210.00 GBP of fixed compensation is left out of what the law grants: the "
           "ledger's exchange rates have no rate for GBP on 2025-02-01 and 2025-03-03 and "
           "2025-04-02."),
    ("pl", " Z tego, co przyznaje ustawa, pominięto 210,00\u00a0GBP rekompensaty za koszty "
           "odzyskiwania należności: w kursach walut księgi brak kursów GBP (na 1 lutego "
           "2025, 3 marca 2025 i 2 kwietnia 2025)."),
])
def test_the_book_summary_names_few_days_one_by_one(lang: str, clause: str) -> None:
    # Three days, the most the summary names one by one: 3 x 70 = 210.00 GBP.
    book = _gbp_book_with_rates(FIRST_DUES[:3])
    reviewed = review(book, as_of=date(2026, 2, 28), policy=Policy(jurisdiction="uk"),
                      lang=lang)
    assert clause in reviewed.book.summary


def test_time_barred_compensation_the_ledger_cannot_convert_is_said_as_the_claim_counts_it(
) -> None:
    # An EUR book without an FxTable, UK law (six years from the day the debt fell due, s.5
    # Limitation Act 1980): acme's 12 late GBP 2,000 invoices of 2025 (the warning that
    # advises the claim), and one of GBP 2,000 due 1 March 2018 and paid 31 days late, barred
    # whole as of 28 February 2026 (the six years ended on 1 March 2024). Its GBP 70 (from GBP
    # 1,000 and below 10,000, s.5A(2A)) the claim counts in its time-barred totals in GBP;
    # the review's time_barred is in EUR and cannot: before, it was in neither, and not said.
    old = invoice("acme", issued=date(2018, 1, 30), due=date(2018, 3, 1), total="2000.00",
                  currency="GBP", fx_rate=GBP_IN_EUR, id="acme-OLD")
    paid = payment("acme", on=date(2018, 4, 1), amount="2000.00", currency="GBP",
                   fx_rate=GBP_IN_EUR, pays=old, id="acme-OLD-P")
    book = ledger(*_late_invoices("acme", "GBP", "2000.00", GBP_IN_EUR), old, paid,
                  base_currency="EUR")
    policy = Policy(jurisdiction="uk")
    as_of = date(2026, 2, 28)
    letter = claim(book, "acme", as_of=as_of, policy=policy)
    # By hand: 31 days at 8% over the Bank of England's 0.5% of 31 December 2017 (s.4 and
    # the 2002 Order's reference date): 2,000 x 8.5% x 31 / 365 = 14.438... = 14.44 GBP of
    # interest, and the GBP 70: 84.44 GBP time-barred in the claim.
    assert letter.time_barred_totals == {"GBP": D("84.44")}
    reviewed = review(book, as_of=as_of, policy=policy)
    client = reviewed.clients["acme"]
    assert client.time_barred_unconvertible == {"GBP": D("70")}
    # 14.44 x 1.17 = 16.8948 -> 16.89 EUR, the interest alone, to the cent (until 2026-12-07
    # it was 16.8948, unrounded).
    assert client.time_barred == D("16.89")
    (advice,) = [r for r in client.revisions if r.kind == "claim_late_interest"]
    assert ("16.89 EUR and 70.00 GBP more is time-barred and left out: a debtor who raises "
            "limitation defeats it in court.") in advice.message
    assert reviewed.book.time_barred_unconvertible == {"GBP": D("70")}
    assert "(16.89 EUR and 70.00 GBP more is time-barred)" in reviewed.book.summary
