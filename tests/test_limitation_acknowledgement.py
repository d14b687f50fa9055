"""The debtor's acknowledgement of a debt restarts its limitation period (docs/claims.md,
"Acknowledgements").

The law: Poland, art. 123 § 1 pkt 2 KC (an acknowledgement of the claim by the debtor
interrupts the period) and art. 124 § 1 KC ("Po każdym przerwaniu przedawnienia biegnie ono na
nowo"): the period runs anew, the same years, ending (art. 112 KC) on the date of the
acknowledgement's day as a period from the day a claim became due ends on that day's date, and
(clientguard's reading of art. 118 KC) then at the end of that calendar year: one made in year
Y bars the debt from 1 January Y + 4 (Y + 3 under two years), whatever its day. UK,
Limitation Act 1980 s.29(5)(a): the right "shall be treated as having accrued on and not before
the date of the acknowledgment"; s.29(7): "once barred ... shall not be revived". Neither
revives a barred debt in clientguard (a Polish acknowledgement after the bar is a waiver of the
defence only in circumstances the user must judge: art. 117 § 2 KC). The acknowledgement
restarts the debt alone: the fixed compensation and each day's interest keep their own
periods, the interest on the part left unpaid goes with the debt.

Worked example (Poland), by hand: PLN 10,000 due Wednesday 15 December 2021 (due, *wymagalne*,
16 December), never paid; compensation EUR 70 x 4.6000 = PLN 322.00. Rates (the packaged
table): 10.10% (2021-H2), 11.75% (2022-H1), 16.00% (2022-H2), 16.75% (2023), 15.75% (2024 and
2025-H1), 15.25% (2025-H2), 14.00% (2026-H1). "u" below is principal x rate (%) x days / 100,
the interest u / 365:

- 2021: 16 days at 10.10%: 16,160
- 2022: 181 at 11.75%: 212,675; 184 at 16.00%: 294,400 (the year: 507,075)
- 2023: 181 and 184 at 16.75%: 303,175 + 308,200
- 2024 (366 days) at 15.75%: 576,450
- 1 January 2025 at 15.75%: 1,575 (to then: 1,712,635; / 365 = 4,692.15)
- 2025: 181 at 15.75%, 184 at 15.25%: 285,075 + 280,600; 1 January 2026 at 14.00%: 1,400 (to
  then: 2,278,135; / 365 = 6,241.47)

Without an acknowledgement the debt, the compensation and the days of 2021 are barred from 1
January 2025 (three years from 16 December 2021, to the year's end), and all the interest with
the debt (III CZP 42/04). Acknowledged on 1 March 2024, the period runs anew: three years to
1 March 2027, to 31 December 2027, so the debt is barred from **1 January 2028**. As of 1
January 2025 the compensation (322.00) and the days of 2021 (16,160 / 365 = 44.27) are barred
on their own; claimed (1,712,635 - 16,160) / 365 = 1,696,475 / 365 = 4,647.88. As of 1
January 2026 the days of 2022 are barred too: (2,278,135 - 16,160 - 507,075) / 365 = 1,754,900
/ 365 = 4,807.95 claimed, 6,241.47 - 4,807.95 = 1,433.52 barred.

Worked example (UK), by hand: GBP 2,000 due Thursday 14 February 2019, never paid; fixed sum
GBP 70 (a debt of 1,000-9,999.99), one rate 8.75% (base rate 0.75% + 8). Accrued 15 February
2019, barred from 16 February 2025. A signed letter of 10 January 2025 acknowledges it: the
right accrues anew that day, its last day to sue is 10 January 2031, barred from **11 January
2031**. As of 16 February 2025 (2,194 days of interest, 15 February 2019 - 16 February 2025):
interest 2,000 x 8.75 x 2,194 / 36,500 = 38,395,000 / 36,500 = 1,051.92; the first day's
(17,500 / 36,500 = 0.48) and the fixed sum are barred; claimed 38,377,500 / 36,500 = 1,051.44.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from clientguard.acknowledgements import read_acknowledgements
from clientguard.claims import claim
from clientguard.cli import EXIT_OK, EXIT_USAGE, main
from clientguard.errors import ConfigError, DataError
from clientguard.history import backfill
from clientguard.i18n import using
from clientguard.metrics.cost import (
    Acknowledgement,
    Jurisdiction,
    lateness_costs,
    statutory_interest,
)
from clientguard.metrics.cost.limitation import limitation
from clientguard.policy import Policy
from clientguard.report.claim import render_claim
from clientguard.review import review
from clientguard.store import Store
from clientguard.testing import customer, fx_table, invoice, ledger, payment

D = Decimal
PL = Policy(jurisdiction="pl")
UK = Policy(jurisdiction="uk")

PL_DEBT = invoice("acme", issued="2021-11-15", due="2021-12-15", total="10000.00",
                  currency="PLN", id="F1", number="FV/12/2021")
PL_BOOKS = ledger(customer("acme", "ACME sp. z o.o."), PL_DEBT, base_currency="PLN",
                  fx=fx_table("PLN", {"EUR": {"2021-11-30": "4.6000"}}))
UK_DEBT = invoice("brit", issued="2019-01-15", due="2019-02-14", total="2000.00",
                  currency="GBP", id="U1", number="INV-1")
UK_BOOKS = ledger(customer("brit", "Brit Ltd"), UK_DEBT, base_currency="GBP")

LETTER = Acknowledgement(date(2024, 3, 1), invoice_id="F1", note="letter of 1 March 2024")
UK_LETTER = Acknowledgement(date(2025, 1, 10), invoice_id="U1", note="signed letter")


# --- the worked examples ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "acknowledged", "claimed", "barred"),
    [
        # Without it: everything barred from 1 January 2025 (the debt, its interest with it).
        (date(2025, 1, 1), False, "0.00", "5014.15"),  # 4,692.15 + 322.00
        # Acknowledged 1 March 2024: the debt runs to 31 December 2027.
        (date(2025, 1, 1), True, "4647.88", "366.27"),  # 44.27 + 322.00
        (date(2026, 1, 1), True, "4807.95", "1755.52"),  # 1,433.52 + 322.00
    ],
)
def test_worked_example_poland(as_of: date, acknowledged: bool, claimed: str,
                               barred: str) -> None:
    acks = (LETTER,) if acknowledged else ()
    note = claim(PL_BOOKS, "acme", as_of=as_of, policy=PL, acknowledgements=acks)
    assert note.totals == {"PLN": D(claimed)}
    assert note.time_barred_totals == {"PLN": D(barred)}


def test_poland_the_acknowledgement_moves_the_debts_bar_and_the_line_names_it() -> None:
    note = claim(PL_BOOKS, "acme", as_of=date(2025, 1, 1), policy=PL, acknowledgements=[LETTER])
    (line,) = note.invoices
    assert line.time_barred_from == date(2025, 1, 1)               # the compensation, 2021's days
    assert line.main_claim_time_barred_from == date(2028, 1, 1)    # the debt, run anew
    assert (line.acknowledged_on, line.acknowledgement_note) == (date(2024, 3, 1),
                                                                  "letter of 1 March 2024")
    assert (line.interest, line.interest_claimed, line.interest_time_barred) == (
        D("4692.15"), D("4647.88"), D("44.27"))
    assert line.compensation_time_barred


@pytest.mark.parametrize(
    ("on", "bar"),
    [
        # Made on 31 December 2024, the last day before the bar: three years to 31 December
        # 2027 (art. 112 KC: the date of its day), that year's end: barred from 1 January
        # 2028, as any made in 2024 (docs/claims.md: the reading that never claims what a
        # debtor can defeat; the implementation said 1 January 2029 before).
        (date(2024, 12, 31), date(2028, 1, 1)),
        # Made on 16 December 2021, the day the claim became due: three years to 16 December
        # 2024, to its end: 1 January 2025, as without it.
        (date(2021, 12, 16), None),
        # Made before the claim became due: no period was running; nothing moves.
        (date(2021, 12, 10), None),
        # Made on the day of the bar, or after: nothing is revived (art. 117 § 2 KC; docs).
        (date(2025, 1, 1), None),
        (date(2025, 6, 30), None),
    ],
)
def test_poland_when_the_acknowledgement_was_made(on: date, bar: date | None) -> None:
    found = limitation("pl", due_date=date(2021, 12, 15), settled_on=None,
                       as_of=date(2025, 7, 1),
                       acknowledgements=[Acknowledgement(on, invoice_id="F1")])
    plain = limitation("pl", due_date=date(2021, 12, 15), settled_on=None,
                       as_of=date(2025, 7, 1))
    assert found is not None
    assert plain is not None
    assert plain.main_claim_time_barred_from == date(2025, 1, 1)
    if bar is None:
        assert found == plain
    else:
        assert found.main_claim_time_barred_from == bar
        assert found.acknowledgement is not None
        assert found.acknowledgement.on == on


def test_poland_two_years_run_anew_for_two_years() -> None:
    # pl_limitation_years = 2 (a sale, art. 554 KC): the debt due 16 December 2021 is barred
    # from 1 January 2024. Acknowledged on 1 March 2023: anew, two years to 1 March 2025, to
    # that year's end: barred from 1 January 2026. The compensation keeps its
    # three years (1 January 2025).
    found = limitation("pl", due_date=date(2021, 12, 15), settled_on=None,
                       as_of=date(2025, 7, 1), pl_years=2,
                       acknowledgements=[Acknowledgement(date(2023, 3, 1), invoice_id="F1")])
    assert found is not None
    assert (found.time_barred_from, found.main_claim_time_barred_from) == (
        date(2025, 1, 1), date(2026, 1, 1))


@pytest.mark.parametrize("years", [3, 2])
@pytest.mark.parametrize(
    "on",
    [date(2022, 1, 1), date(2022, 3, 1), date(2022, 12, 30), date(2022, 12, 31),
     date(2023, 1, 1), date(2023, 12, 31)],
)
def test_poland_an_acknowledgement_made_in_year_y_bars_the_debt_from_1_january_y_plus_4(
    on: date, years: int,
) -> None:
    # docs/claims.md: made in year Y, the debt is barred from 1 January Y + 4 (Y + 3 under two
    # years), whatever the day: the years end on the date of the acknowledgement's day (art.
    # 112 KC, as a period from the day a claim became due ends on that day's date), then at
    # that year's end (art. 118 KC). Due 15 December 2021 (due 16 December): without it
    # barred from 1 January 2025 (three years) or 2024 (two); every day here is before both.
    found = limitation("pl", due_date=date(2021, 12, 15), settled_on=None,
                       as_of=date(2026, 1, 1), pl_years=years,
                       acknowledgements=[Acknowledgement(on, invoice_id="F1")])
    assert found is not None
    assert found.main_claim_time_barred_from == date(on.year + years + 1, 1, 1)
    assert found.acknowledgement is not None
    assert found.acknowledgement.on == on


def test_poland_an_acknowledgement_on_the_day_the_claim_became_due_moves_nothing() -> None:
    # Due Thursday 30 December 2021, so due (wymagalne) on Friday 31 December 2021: three years
    # to 31 December 2024, barred from 1 January 2025. Acknowledged that very day: three years
    # to 31 December 2024 again, the same bar (docs/claims.md: one made on the day the claim
    # became due moves nothing; the implementation said 1 January 2026 before).
    plain = limitation("pl", due_date=date(2021, 12, 30), settled_on=None,
                       as_of=date(2025, 7, 1))
    found = limitation("pl", due_date=date(2021, 12, 30), settled_on=None,
                       as_of=date(2025, 7, 1),
                       acknowledgements=[Acknowledgement(date(2021, 12, 31), invoice_id="F1")])
    assert plain is not None
    assert plain.main_claim_time_barred_from == date(2025, 1, 1)
    assert found == plain


def test_an_acknowledgement_after_the_debt_was_paid_restarts_nothing() -> None:
    # Paid in full on 14 January 2022; an "acknowledgement" of 1 March 2024 acknowledges no
    # debt: nothing moves.
    paid = limitation("pl", due_date=date(2021, 12, 15), settled_on=date(2022, 1, 14),
                      as_of=date(2025, 7, 1),
                      acknowledgements=[Acknowledgement(date(2024, 3, 1), invoice_id="F1")])
    assert paid == limitation("pl", due_date=date(2021, 12, 15), settled_on=date(2022, 1, 14),
                              as_of=date(2025, 7, 1))


def test_worked_example_uk() -> None:
    as_of = date(2025, 2, 16)
    plain = claim(UK_BOOKS, "brit", as_of=as_of, policy=UK)
    assert plain.totals == {"GBP": D("0.00")}
    assert plain.time_barred_totals == {"GBP": D("1121.92")}  # 1,051.92 + 70.00
    note = claim(UK_BOOKS, "brit", as_of=as_of, policy=UK, acknowledgements=[UK_LETTER])
    (line,) = note.invoices
    assert line.main_claim_time_barred_from == date(2031, 1, 11)
    assert line.acknowledged_on == date(2025, 1, 10)
    assert (line.interest, line.interest_claimed, line.interest_time_barred) == (
        D("1051.92"), D("1051.44"), D("0.48"))
    assert note.totals == {"GBP": D("1051.44")}
    assert note.time_barred_totals == {"GBP": D("70.48")}
    # Made on 16 February 2025, the first day of the bar: s.29(7), nothing is revived.
    late = Acknowledgement(date(2025, 2, 16), invoice_id="U1")
    assert claim(UK_BOOKS, "brit", as_of=as_of, policy=UK,
                 acknowledgements=[late]).totals == plain.totals


def test_uk_payments_and_acknowledgements_chain() -> None:
    # 800 paid 16 March 2019 (barred from 17 March 2025), then acknowledged on 10 March 2025,
    # before that bar: barred from 11 March 2031, the acknowledgement named. An
    # acknowledgement of 10 January 2025 followed by the payment alone (no later
    # acknowledgement) leaves the payment's bar, 17 March 2025, and none named.
    books = ledger(customer("brit", "Brit Ltd"), UK_DEBT,
                   payment("brit", on="2019-03-16", amount="800.00", currency="GBP",
                           pays=UK_DEBT),
                   base_currency="GBP")
    (line,) = claim(books, "brit", as_of=date(2025, 3, 1), policy=UK, acknowledgements=[
        Acknowledgement(date(2025, 3, 10), invoice_id="U1")]).invoices
    assert line.main_claim_time_barred_from == date(2025, 3, 17)  # made after 1 March
    (line,) = claim(books, "brit", as_of=date(2025, 3, 16), policy=UK, acknowledgements=[
        Acknowledgement(date(2025, 3, 10), invoice_id="U1")]).invoices
    assert (line.main_claim_time_barred_from, line.acknowledged_on) == (
        date(2031, 3, 11), date(2025, 3, 10))
    (line,) = claim(books, "brit", as_of=date(2025, 3, 16), policy=UK, acknowledgements=[
        Acknowledgement(date(2019, 2, 20), invoice_id="U1")]).invoices
    assert (line.main_claim_time_barred_from, line.acknowledged_on) == (date(2025, 3, 17), None)


def test_eu_checks_no_limitation_acknowledged_or_not() -> None:
    eu = Policy(jurisdiction="eu")
    plain = claim(PL_BOOKS, "acme", as_of=date(2026, 1, 1), policy=eu)
    acked = claim(PL_BOOKS, "acme", as_of=date(2026, 1, 1), policy=eu,
                  acknowledgements=[LETTER])
    assert acked == plain


# --- one rule: the review, the lateness costs and the claim agree -----------------------------


@pytest.mark.parametrize("lookback_days", [365, 4000])  # before the review's window; in it
def test_the_review_and_the_lateness_costs_agree_with_the_claim(lookback_days: int) -> None:
    # As of 1 January 2025, acknowledged: claimable 1,696,475 / 365 = 4,647.876... (the
    # interest not barred), 4,647.88 as the claim states it; time-barred the rounded interest
    # 1,712,635 / 365 = 4,692.15 less that, 44.27, + 322.00 = 366.27, the claim's lines (until
    # 2026-12-07 the review kept them unrounded).
    as_of = date(2025, 1, 1)
    policy = PL.model_copy(update={"lookback_days": lookback_days})
    result = review(PL_BOOKS, as_of=as_of, policy=policy, acknowledgements=[LETTER])
    acme = result.clients["acme"]
    assert acme.claimable == D("4647.88")
    assert acme.time_barred == D("366.27")
    assert result.book.claimable == acme.claimable
    costs = lateness_costs(PL_BOOKS, as_of=as_of, policy=policy.model_copy(
        update={"lookback_days": 4000}), acknowledgements=[LETTER])["acme"]
    assert (costs.claimable, costs.time_barred) == (acme.claimable, acme.time_barred)
    # Without it, nothing is claimable: the debt and its interest are barred.
    assert review(PL_BOOKS, as_of=as_of, policy=policy).clients["acme"].claimable == 0


def test_a_client_wide_acknowledgement_covers_its_debts_outstanding_that_day() -> None:
    # A confirmation of balance of 1 March 2024 by ACME covers F1 (outstanding then), not F2
    # (paid in full on 10 January 2022, before it: nothing to acknowledge), nor another
    # client's debt.
    other = invoice("acme", issued="2021-11-15", due="2021-12-15", total="10000.00",
                    currency="PLN", id="F2", number="FV/13/2021")
    birch = invoice("birch", issued="2021-11-15", due="2021-12-15", total="10000.00",
                    currency="PLN", id="B1", number="FV/14/2021")
    books = ledger(customer("acme", "ACME sp. z o.o."), customer("birch", "Birch"), PL_DEBT,
                   other, birch,
                   payment("acme", on="2022-01-10", amount="10000.00", currency="PLN",
                           pays=other),
                   base_currency="PLN", fx=fx_table("PLN", {"EUR": {"2021-11-30": "4.6000"}}))
    balance = Acknowledgement(date(2024, 3, 1), customer_id="acme", note="balance confirmed")
    note = claim(books, "acme", as_of=date(2025, 1, 1), policy=PL, acknowledgements=[balance])
    by_id = {line.invoice_id: line for line in note.invoices}
    assert by_id["F1"].main_claim_time_barred_from == date(2028, 1, 1)
    assert by_id["F1"].acknowledgement_note == "balance confirmed"
    assert by_id["F2"].acknowledged_on is None
    (birch_line,) = claim(books, "birch", as_of=date(2025, 1, 1), policy=PL,
                          acknowledgements=[balance]).invoices
    assert birch_line.acknowledged_on is None
    assert birch_line.interest_claimed == 0


def test_an_acknowledgement_of_a_debt_the_ledger_does_not_hold_is_refused() -> None:
    with pytest.raises(DataError, match="names the invoice 'F9'"):
        claim(PL_BOOKS, "acme", as_of=date(2025, 1, 1), policy=PL,
              acknowledgements=[Acknowledgement(date(2024, 3, 1), invoice_id="F9")])
    with pytest.raises(DataError, match="names the customer 'acne'"):
        review(PL_BOOKS, as_of=date(2025, 1, 1), policy=PL,
               acknowledgements=[Acknowledgement(date(2024, 3, 1), customer_id="acne")])
    with pytest.raises(ValueError, match="exactly one of the two"):
        Acknowledgement(date(2024, 3, 1))


# --- the document --------------------------------------------------------------------------------


def test_the_json_names_the_acknowledgement_and_is_schema_1_4() -> None:
    document = json.loads(render_claim(claim(PL_BOOKS, "acme", as_of=date(2025, 1, 1),
                                             policy=PL, acknowledgements=[LETTER]), "json"))
    assert document["schema_version"] == "1.4"
    (line,) = document["invoices"]
    assert (line["acknowledged_on"], line["acknowledgement_note"],
            line["main_claim_time_barred_from"]) == ("2024-03-01", "letter of 1 March 2024",
                                                     "2028-01-01")
    # Without one the document is the 1.1 document it was, without the keys.
    plain = json.loads(render_claim(claim(PL_BOOKS, "acme", as_of=date(2025, 1, 1),
                                          policy=PL), "json"))
    assert plain["schema_version"] == "1.1"
    assert "acknowledged_on" not in plain["invoices"][0]


def test_the_document_cites_the_acknowledgement() -> None:
    note = claim(PL_BOOKS, "acme", as_of=date(2025, 1, 1), policy=PL, acknowledgements=[LETTER])
    polish = " ".join(render_claim(note, "html").split())
    assert "art. 124 § 1" in polish
    assert "01.03.2024 (letter of 1 March 2024)" in polish
    assert "01.01.2028" in polish
    english = " ".join(render_claim(claim(UK_BOOKS, "brit", as_of=date(2025, 2, 16), policy=UK,
                                          acknowledgements=[UK_LETTER]), "html").split())
    assert "section 29(5)" in english
    assert "10 Jan 2025 (signed letter)" in english
    # A payment's note is not written for a debt an acknowledgement moved.
    assert "A payment towards a debt" not in english


def test_the_polish_note_states_the_rule_the_bar_it_prints_follows() -> None:
    # Acknowledged on 31 December 2024 (the letter of claimnote.py): the years counted from
    # that day (art. 112 KC) run to 31 December 2027, the year's end (art. 118 KC): barred
    # from 1 January 2028, the day printed. Counted "from the next day", as the note said
    # before, three years from 1 January 2025 end on 1 January 2028 and the period at the end
    # of 2028: the note's rule gave a day a year later than the one it printed. The words are
    # the rule's, as docs/claims.md ("Acknowledgements") states it.
    letter = Acknowledgement(date(2024, 12, 31), invoice_id="F1", note="letter of 31 Dec 2024")
    note = claim(PL_BOOKS, "acme", as_of=date(2027, 6, 1), policy=PL, acknowledgements=[letter])
    (line,) = note.invoices
    assert line.main_claim_time_barred_from == date(2028, 1, 1)
    polish = " ".join(render_claim(note, "html").split())
    assert ("przedawnienie biegnie na nowo (art. 124 § 1 KC), a jego termin liczy się od dnia "
            "uznania (art. 112 KC) i kończy się z ostatnim dniem roku kalendarzowego (art. 118 "
            "KC): do tego dnia można dochodzić należności głównej") in polish
    assert "FV/12/2021: uznana 31.12.2024 (letter of 31 Dec 2024), przedawniona od 01.01.2028" in (
        polish)
    assert "następnego dnia" not in polish
    english = " ".join(render_claim(note, "html", lang="en").split())
    assert ("the period ran anew (art. 124 § 1), its years counted from the day of the "
            "acknowledgement (art. 112) to the end of a calendar year (art. 118): the debt, "
            "and the interest on the part of it still unpaid, can be claimed until then") in (
        english)
    assert ("FV/12/2021: acknowledged 31 Dec 2024 (letter of 31 Dec 2024), time-barred from 1 "
            "Jan 2028") in english
    assert "next day" not in english


def test_a_two_year_debt_acknowledged_onto_the_compensations_bar_is_cited() -> None:
    # pl_limitation_years = 2: the debt due 16 December 2021 is barred from 1 January 2024, the
    # compensation (three years) from 1 January 2025. Acknowledged on 1 June 2022: two years
    # anew, to the end of 2024, so the debt too is barred from 1 January 2025, the
    # compensation's day. As of 1 June 2024 the debt is claimed because of the letter: the
    # document must say so. Claimed, by hand (u = principal x rate x days / 100): 2021 16,160;
    # 2022 507,075; 2023 611,375; 1 January - 1 June 2024, 153 days at 15.75%: 240,975; the sum
    # 1,375,585 / 365 = 3,768.73, with the compensation 322.00: 4,090.73 (without the letter
    # the debt and all its interest are barred: 322.00).
    two_years = Policy(jurisdiction="pl", pl_limitation_years=2)
    letter = Acknowledgement(date(2022, 6, 1), invoice_id="F1", note="letter of 1 June 2022")
    note = claim(PL_BOOKS, "acme", as_of=date(2024, 6, 1), policy=two_years,
                 acknowledgements=[letter])
    assert note.totals == {"PLN": D("4090.73")}
    (line,) = note.invoices
    assert (line.time_barred_from, line.main_claim_time_barred_from, line.acknowledged_on) == (
        date(2025, 1, 1), date(2025, 1, 1), date(2022, 6, 1))
    document = json.loads(render_claim(note, "json"))
    assert document["schema_version"] == "1.4"
    (item,) = document["invoices"]
    assert (item["acknowledged_on"], item["acknowledgement_note"],
            item["main_claim_time_barred_from"]) == ("2022-06-01", "letter of 1 June 2022",
                                                     "2025-01-01")
    polish = " ".join(render_claim(note, "html").split())
    assert "art. 124 § 1" in polish
    assert "01.06.2022 (letter of 1 June 2022)" in polish
    assert "01.01.2025" in polish
    english = " ".join(render_claim(note, "html", lang="en").split())
    assert ("FV/12/2021: acknowledged 1 Jun 2022 (letter of 1 June 2022), time-barred from 1 "
            "Jan 2025") in english
    assert claim(PL_BOOKS, "acme", as_of=date(2024, 6, 1),
                 policy=two_years).totals == {"PLN": D("322.00")}


def _claimed(acknowledgements: Iterable[Acknowledgement], tmp_path: Path) -> Decimal:
    return claim(PL_BOOKS, "acme", as_of=date(2025, 1, 1), policy=PL,
                 acknowledgements=acknowledgements).totals["PLN"]


def _reviewed(acknowledgements: Iterable[Acknowledgement], tmp_path: Path) -> Decimal:
    return review(PL_BOOKS, as_of=date(2025, 1, 1), policy=PL.model_copy(
        update={"lookback_days": 4000}), acknowledgements=acknowledgements
    ).clients["acme"].claimable


def _costed(acknowledgements: Iterable[Acknowledgement], tmp_path: Path) -> Decimal:
    return lateness_costs(PL_BOOKS, as_of=date(2025, 1, 1), policy=PL.model_copy(
        update={"lookback_days": 4000}), acknowledgements=acknowledgements)["acme"].claimable


def _backfilled(acknowledgements: Iterable[Acknowledgement], tmp_path: Path) -> Decimal:
    # Month-ends 31 December 2024 and 31 January 2025: the second review's claimable.
    with Store.open(tmp_path / "cg.db") as store:
        saved = backfill(store, PL_BOOKS, since=date(2024, 12, 1), until=date(2025, 1, 31),
                         policy=PL.model_copy(update={"lookback_days": 4000}),
                         acknowledgements=acknowledgements)
        (client,) = json.loads(store.review_report(saved[-1].id))["clients"]
    return D(client["claimable"])


@pytest.mark.parametrize(
    ("entry", "claimable"),
    [
        # As of 1 January 2025 (the worked example): (1,712,635 - 16,160) / 365 = 4,647.88.
        (_claimed, "4647.88"),
        (_reviewed, "4647.88"),
        (_costed, "4647.88"),
        # As of 31 January 2025: 30 more days at 15.75% (47,250): 1,743,725 / 365 = 4,777.33.
        (_backfilled, "4777.33"),
    ],
)
def test_acknowledgements_given_as_a_generator_count_everywhere(
    entry: Callable[[Iterable[Acknowledgement], Path], Decimal], claimable: str,
    tmp_path: Path,
) -> None:
    # Read once at each public entry: a generator is not read empty the second time (the claim
    # said the bar moved but claimed 0.00; the backfill counted it in its first month only).
    given = entry((a for a in [LETTER]), tmp_path)
    assert given.quantize(D("0.01")) == D(claimable)


# --- the invariants -----------------------------------------------------------------------------


def _own_bar(law: Jurisdiction, day: date, years: int) -> date:
    """The first day a debt acknowledged on ``day`` is barred, by the rules as docs/claims.md
    states them (not by the implementation's functions)."""
    if law == "pl":
        return date(day.year + years + 1, 1, 1)
    if (day.month, day.day) == (2, 29):
        return date(day.year + 6, 3, 1)
    return date(day.year + 6, day.month, day.day) + timedelta(days=1)


@settings(max_examples=150, deadline=None)
# Made on 31 December 2024 (1,112 days after the due date 15 December 2021), as of 30 January
# 2026: barred from 1 January 2028 like any made in 2024, not 2029.
@example(jurisdiction="pl", due=date(2021, 12, 15), paid_after=None,
         acknowledged_after=[1112], as_of_after=1507, pl_years=3)
@given(
    jurisdiction=st.sampled_from(["pl", "uk"]),
    due=st.dates(date(2016, 1, 1), date(2022, 12, 31)),
    paid_after=st.one_of(st.none(), st.integers(1, 3000)),
    acknowledged_after=st.lists(st.integers(-30, 3000), min_size=1, max_size=3),
    as_of_after=st.integers(1, 4500),
    pl_years=st.sampled_from([2, 3]),
)
def test_an_acknowledgement_never_makes_anything_less_claimable(
    jurisdiction: str, due: date, paid_after: int | None, acknowledged_after: list[int],
    as_of_after: int, pl_years: int,
) -> None:
    as_of = min(due + timedelta(days=as_of_after), date(2026, 12, 31))  # the rate tables' end
    settled = due + timedelta(days=paid_after) if paid_after is not None else None
    if settled is not None and settled > as_of:
        settled = None
    until = settled or as_of
    steps = [(due, D("10000"))] + ([(settled, D(0))] if settled is not None else [])
    try:
        interest = statutory_interest(jurisdiction="pl" if jurisdiction == "pl" else "uk",
                                      due_date=due, balances=steps, until=until)
    except DataError:  # paid within its term (art. 115 KC): no interest to weigh
        interest = None
    acks = [Acknowledgement(due + timedelta(days=d), invoice_id="I")
            for d in acknowledged_after if due + timedelta(days=d) <= as_of]
    years = pl_years if jurisdiction == "pl" else 3
    law: Jurisdiction = "pl" if jurisdiction == "pl" else "uk"
    plain = limitation(law, due_date=due, settled_on=settled, as_of=as_of, interest=interest,
                       pl_years=years)
    found = limitation(law, due_date=due, settled_on=settled, as_of=as_of, interest=interest,
                       pl_years=years, acknowledgements=acks)
    assert plain is not None
    assert found is not None
    # Never less claimable: the debt's bar no earlier, no more interest barred, the
    # compensation and the first day's interest exactly as before.
    assert found.main_claim_time_barred_from >= plain.main_claim_time_barred_from
    assert found.interest_time_barred <= plain.interest_time_barred
    assert found.compensation_time_barred is plain.compensation_time_barred
    assert found.time_barred_from == plain.time_barred_from
    # Where the debt's bar lands, from each acknowledgement's own bar worked out here: PL, one
    # made in year Y, 1 January of Y + years + 1 (docs/claims.md); UK, the day after its sixth
    # anniversary (s.29(5); 29 February's is 28 February). Only one made while the debt was
    # owed counts. One made before the plain bar moves it at least to its own (PL: one under
    # the end-of-year rule, made from 9 July 2018; before it a period could end earlier);
    # none moves it past the latest one's own.
    owed = [a.on for a in acks if settled is None or a.on < settled]
    for day in owed:
        if day < plain.main_claim_time_barred_from and (
                law == "uk" or day >= date(2018, 7, 9)):
            assert found.main_claim_time_barred_from >= _own_bar(law, day, years)
    assert found.main_claim_time_barred_from <= max(
        [plain.main_claim_time_barred_from, *(_own_bar(law, day, years) for day in owed)])
    # Made on the day of the bar or later (or after the debt was paid): nothing changes.
    if all(a.on >= plain.main_claim_time_barred_from
           or (settled is not None and a.on >= settled) for a in acks):
        assert found == plain


# --- the file and the command line --------------------------------------------------------------


def test_the_file_names_invoices_by_id_or_number_and_clients(tmp_path: Path) -> None:
    path = tmp_path / "acknowledged.csv"
    path.write_text(
        "invoice,client,date,note\n"
        "# a comment line\n"
        "FV/12/2021,,2024-03-01,\"letter, signed\"\n"
        "F1,,2024-04-01,\n"
        ",ACME sp. z o.o.,2024-06-30,balance confirmed\n",
        encoding="utf-8",
    )
    assert read_acknowledgements([path], PL_BOOKS) == (
        Acknowledgement(date(2024, 3, 1), invoice_id="F1", note="letter, signed"),
        Acknowledgement(date(2024, 4, 1), invoice_id="F1"),
        Acknowledgement(date(2024, 6, 30), customer_id="acme", note="balance confirmed"),
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("invoice,date\nFV/12/2021,1 March 2024\n",
         "line 2: date '1 March 2024' is not a date"),
        ("invoice,date\n\nFV/99/2021,2024-03-01\n", "line 3: the ledger has no invoice"),
        ("invoice,client,date\n,,2024-03-01\n", "line 2: the row names no invoice"),
        ("invoice,client,date\n,Acne Corp,2024-03-01\n", "line 2: no customer 'Acne Corp'"),
        ("number,date\nF1,2024-03-01\n", "line 1: an acknowledgements file starts with"),
        ("invoice,date,notes\nF1,2024-03-01,x\n", "line 1: unknown column 'notes'"),
        ("invoice,date\nF1,2024-03-01,letter, signed\n", "line 2: 4 cells"),
        # Lines are the file's physical lines: a row after a note of two lines is on line 4.
        ('invoice,date,note\nFV/12/2021,2024-03-01,"letter\nsigned"\nFV/12/2021,2024-02-30,x\n',
         "line 4: date '2024-02-30' is not a date"),
        # A quote left open would swallow the rows after it into a note.
        ('invoice,date,note\nF1,2024-03-01,"letter\nF1,2024-04-01,x\n',
         "line 2: the row starting here cannot be read as CSV"),
        ('invoice,date,note\nF1,2024-03-01,"letter" signed\n',
         "line 2: the row starting here cannot be read as CSV"),
    ],
)
def test_a_bad_row_names_the_file_and_the_line(tmp_path: Path, text: str,
                                               message: str) -> None:
    path = tmp_path / "acknowledged.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        read_acknowledgements([path], PL_BOOKS)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)


def test_a_date_written_day_first_with_dots_is_read_and_one_with_slashes_never(
    tmp_path: Path,
) -> None:
    # Polish Excel writes a date cell as DD.MM.YYYY (31.12.2024): the day comes first with
    # dots, so 01.03.2024 is 1 March and 5.4.2024 is 5 April. With slashes the order depends
    # on who wrote it (03/01/2024 is 1 March in the US, 3 January in Poland): refused, as are
    # a two-digit year and a day that does not exist.
    path = tmp_path / "acknowledged.csv"
    path.write_text("invoice;date;note\nFV/12/2021;01.03.2024;pismo\nF1;5.4.2024;\n"
                    "F1;31.12.2024;saldo\n", encoding="utf-8")
    assert [a.on for a in read_acknowledgements([path], PL_BOOKS)] == [
        date(2024, 3, 1), date(2024, 4, 5), date(2024, 12, 31)]
    for written in ("03/01/2024", "2024/03/01", "01.03.24", "30.02.2024", "2024.03.01"):
        path.write_text(f"invoice,date\nF1,{written}\n", encoding="utf-8")
        with pytest.raises(ConfigError) as caught:
            read_acknowledgements([path], PL_BOOKS)
        assert f"{path}, line 2: date '{written}' is not a date" in str(caught.value)


@pytest.mark.parametrize(
    ("lang", "advice"),
    [
        # The reader accepts both forms (the test above): the advice names both, so a user of
        # Polish Excel is not told to retype every date in ISO form.
        ("en", "write the day the debtor made the acknowledgement as YYYY-MM-DD or DD.MM.YYYY "
               "(2024-03-01 or 01.03.2024)"),
        ("pl", "wpisz dzień, w którym dłużnik uznał dług, w postaci RRRR-MM-DD albo DD.MM.RRRR "
               "(2024-03-01 albo 01.03.2024)"),
    ],
)
def test_a_date_that_is_not_one_is_refused_naming_both_forms_read(
    tmp_path: Path, lang: str, advice: str
) -> None:
    path = tmp_path / "acknowledged.csv"
    path.write_text("invoice,date\nF1,03/01/2024\n", encoding="utf-8")
    with using(lang), pytest.raises(ConfigError) as caught:
        read_acknowledgements([path], PL_BOOKS)
    assert str(caught.value).startswith(f"{path}, {'wiersz' if lang == 'pl' else 'line'} 2")
    assert str(caught.value).endswith(advice)


def test_a_key_close_to_an_invoice_whose_id_is_its_number_suggests_it_once(
    tmp_path: Path,
) -> None:
    # The CSV connector gives an invoice its number as its id: before, the hint named it
    # twice ("did you mean 'FV/12/2021', 'FV/12/2021'?").
    books = ledger(customer("acme", "ACME sp. z o.o."),
                   invoice("acme", issued="2021-11-15", due="2021-12-15", total="10000.00",
                           currency="PLN", id="FV/12/2021", number="FV/12/2021"),
                   base_currency="PLN")
    path = tmp_path / "acknowledged.csv"
    path.write_text("invoice,date\nFV/12/2020,2024-03-01\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        read_acknowledgements([path], books)
    assert str(caught.value) == (f"{path}, line 2: the ledger has no invoice 'FV/12/2020'; "
                                 "did you mean 'FV/12/2021'? (give the invoice's id or number)")


# Ids and numbers both digit strings (QuickBooks: Id and DocNumber): ACME's invoice no. 1037 is
# id 77, Birch's invoice id 1037 is no. 1102.
QB_BOOKS = ledger(
    customer("acme", "ACME Ltd"), customer("birch", "Birch Ltd"),
    invoice("acme", issued="2019-01-15", due="2019-02-14", total="2000.00", currency="GBP",
            id="77", number="1037"),
    invoice("birch", issued="2019-01-15", due="2019-02-14", total="900.00", currency="GBP",
            id="1037", number="1102"),
    base_currency="GBP",
)


def test_a_key_that_is_one_invoices_id_and_anothers_number_is_refused(tmp_path: Path) -> None:
    # ACME's letter about its invoice no. 1037 must not restart Birch's debt (id 1037).
    path = tmp_path / "acknowledged.csv"
    path.write_text("invoice,client,date,note\n# letters\n1037,,2025-01-10,ACME's letter\n")
    with pytest.raises(ConfigError) as caught:
        read_acknowledgements([path], QB_BOOKS)
    message = str(caught.value)
    for part in (f"{path}, line 3: '1037' names more than one invoice",
                 "ACME Ltd's no. 1037 (id 77)", "Birch Ltd's no. 1102 (id 1037)",
                 "'77' for ACME Ltd's", "'1102' for Birch Ltd's", "client column"):
        assert part in message


@pytest.mark.parametrize(
    ("cells", "invoice_id"),
    [
        ("1037,ACME Ltd", "77"),   # ACME's invoice no. 1037
        ("1037,acme", "77"),
        ("1037,birch", "1037"),    # Birch's invoice, id 1037
        ("77,", "77"),             # keys that name one invoice alone
        ("1102,", "1037"),
    ],
)
def test_a_client_column_says_whose_invoice_a_key_is(tmp_path: Path, cells: str,
                                                     invoice_id: str) -> None:
    path = tmp_path / "acknowledged.csv"
    path.write_text(f"invoice,client,date\n{cells},2025-01-10\n")
    assert read_acknowledgements([path], QB_BOOKS) == (
        Acknowledgement(date(2025, 1, 10), invoice_id=invoice_id),)


def test_an_invoice_that_is_not_the_clients_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "acknowledged.csv"
    path.write_text("invoice,client,date\n1102,ACME Ltd,2025-01-10\n")
    with pytest.raises(ConfigError, match=r"line 2: 'ACME Ltd' has no invoice '1102'; the "
                                          r"ledger's is Birch Ltd's no. 1102 \(id 1037\)"):
        read_acknowledgements([path], QB_BOOKS)


def test_a_file_saved_in_the_windows_code_page_is_refused_saying_to_save_it_as_utf8(
    tmp_path: Path,
) -> None:
    # Polish Excel's plain "CSV" writes windows-1250: "ś" is byte 0x9C, on line 2.
    path = tmp_path / "acknowledged.csv"
    path.write_bytes("invoice,date,note\nFV/12/2021,2024-03-01,pismo z prośbą\n"
                     .encode("cp1250"))
    with pytest.raises(ConfigError) as caught:
        read_acknowledgements([path], PL_BOOKS)
    message = str(caught.value)
    assert f"{path}, line 2: the acknowledgements file is not UTF-8 text (byte 0x9C" in message
    assert "save it as UTF-8, in Excel as \"CSV UTF-8\"" in message


@pytest.mark.parametrize(
    ("data", "notes"),
    [
        # A quoted note of two lines, then a row.
        (b'invoice,date,note\nFV/12/2021,2024-03-01,"letter\nsigned by the CEO"\n'
         b"F1,2024-04-01,x\n", ["letter\nsigned by the CEO", "x"]),
        # A line of a quoted note that starts with # is the note's, not a comment.
        (b'invoice,date,note\nFV/12/2021,2024-03-01,"a\n# b"\n', ["a\n# b"]),
        # Polish Excel: a byte-order mark ("CSV UTF-8"), semicolons, CRLF, a comma in a note.
        ("invoice;client;date;note\r\nFV/12/2021;;2024-03-01;pismo z prośbą, podpisane\r\n"
         .encode("utf-8-sig"), ["pismo z prośbą, podpisane"]),
        # Blank and comment lines between rows are skipped, wherever they are.
        (b"# acknowledgements\n\ninvoice,date,note\n# first\nF1,2024-03-01,a\n\n  # second\n"
         b"F1,2024-04-01,b\n", ["a", "b"]),
    ],
)
def test_the_file_is_read_as_csv_over_its_whole_text(tmp_path: Path, data: bytes,
                                                     notes: list[str]) -> None:
    path = tmp_path / "acknowledged.csv"
    path.write_bytes(data)
    found = read_acknowledgements([path], PL_BOOKS)
    assert [a.note for a in found] == notes
    assert {a.invoice_id for a in found} == {"F1"}


def test_a_comment_line_that_names_an_invoice_is_refused(tmp_path: Path) -> None:
    # A shop's invoice no. #1001: a row starting with it is a comment line, which would lose
    # the acknowledgement without a word; in double quotes it is read.
    books = ledger(customer("shop", "Shop"),
                   invoice("shop", issued="2021-11-15", due="2021-12-15", total="100.00",
                           currency="PLN", id="9", number="#1001"),
                   base_currency="PLN")
    path = tmp_path / "acknowledged.csv"
    path.write_text("invoice,date,note\n#1001,2024-03-01,letter\n")
    with pytest.raises(ConfigError, match="line 2: the line starts with # and is skipped as a "
                                          "comment, but '#1001' is an invoice of the ledger"):
        read_acknowledgements([path], books)
    path.write_text('invoice,date,note\n"#1001",2024-03-01,letter\n# 1001 is a comment\n')
    assert read_acknowledgements([path], books) == (
        Acknowledgement(date(2024, 3, 1), invoice_id="9", note="letter"),)


@pytest.mark.parametrize(
    "text",
    [
        # A row commented out in a file whose first column is the date: the # is the date's,
        # not an invoice's. Before, refused because F1 (its second cell) is an invoice, with
        # advice to start a comment with "# " that did not help (the next layout).
        "date,invoice,note\n#2024-03-01,F1,old letter withdrawn\n2024-06-01,F1,new\n",
        "date,invoice,note\n# 2024-03-01,F1,old letter withdrawn\n2024-06-01,F1,new\n",
        # The client first: "# acme" is no invoice's number whatever the row names.
        "client,invoice,date,note\n# acme,F1,2024-03-01,old\nacme,F1,2024-06-01,new\n",
    ],
    ids=["date-first", "date-first-hash-space", "client-first"],
)
def test_a_row_commented_out_is_a_comment_where_the_invoice_is_not_the_first_column(
    tmp_path: Path, text: str,
) -> None:
    # Only the row not commented out is read: 1 June 2024, F1, "new" (the file's last line).
    path = tmp_path / "acknowledged.csv"
    path.write_text(text, encoding="utf-8")
    assert read_acknowledgements([path], PL_BOOKS) == (
        Acknowledgement(date(2024, 6, 1), invoice_id="F1", note="new"),)


@pytest.fixture
def synced(csv_books: Callable[..., Path]) -> Path:
    folder = csv_books(
        "PLN", invoices="FV/12/2021,Acme,2021-11-15,2021-12-15,10000.00,\n",
        config='base_currency = "PLN"\nstore = "cg.db"\n[policy]\njurisdiction = "pl"\n',
    )
    (folder / "acknowledged.csv").write_text("invoice,date,note\nFV/12/2021,2024-03-01,"
                                             "letter\n")
    assert main(["sync", "--quiet"]) == EXIT_OK
    return folder


def test_the_claim_and_review_commands_read_the_file(
    synced: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # No EUR rate in the store: the compensation is left to fill in, the interest is as
    # worked out above (4,647.88 claimed as of 1 January 2025 with the acknowledgement).
    capsys.readouterr()
    assert main(["claim", "Acme", "--as-of", "2025-01-01", "--output", "plain.json"]) == EXIT_OK
    assert json.loads((synced / "plain.json").read_text())["totals"] == {"PLN": "0.00"}
    assert main(["claim", "Acme", "--as-of", "2025-01-01", "--output", "acked.json",
                 "--acknowledged", "acknowledged.csv"]) == EXIT_OK
    document = json.loads((synced / "acked.json").read_text())
    assert document["totals"] == {"PLN": "4647.88"}
    assert document["invoices"][0]["acknowledged_on"] == "2024-03-01"
    # The config's file, for every command: the review agrees with the claim.
    config = synced / "clientguard.toml"
    config.write_text('acknowledgements = "acknowledged.csv"\n' + config.read_text())
    assert main(["review", "--as-of", "2025-01-01", "--format", "json", "--output",
                 "review.json", "--no-save", "--quiet"]) == EXIT_OK
    (client,) = json.loads((synced / "review.json").read_text())["clients"]
    # The claim rounds once per invoice (4,647.88); the review keeps the exact sum, in the
    # report to the cent.
    assert D(client["claimable"]) == D("4647.88")


def test_a_bad_file_exits_2_naming_the_line(
    synced: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (synced / "bad.csv").write_text("invoice,date\nFV/12/2021,2024-02-30\n")
    capsys.readouterr()
    assert main(["claim", "Acme", "--as-of", "2025-01-01", "--acknowledged",
                 "bad.csv"]) == EXIT_USAGE
    _, err = capsys.readouterr()
    assert "bad.csv, line 2: date '2024-02-30' is not a date" in err
    assert "Traceback" not in err


def test_a_file_in_the_windows_code_page_or_with_a_note_of_two_lines_on_the_command_line(
    synced: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: exit 70 ("a bug") on both.
    (synced / "cp1250.csv").write_bytes("invoice,date,note\nFV/12/2021,2024-03-01,pismo z "
                                        "prośbą\n".encode("cp1250"))
    capsys.readouterr()
    assert main(["claim", "Acme", "--as-of", "2025-01-01", "--acknowledged",
                 "cp1250.csv"]) == EXIT_USAGE
    _, err = capsys.readouterr()
    assert "cp1250.csv, line 2: the acknowledgements file is not UTF-8 text" in err
    assert "Traceback" not in err
    (synced / "multiline.csv").write_text('invoice,date,note\nFV/12/2021,2024-03-01,"letter\n'
                                          'signed"\nFV/12/2021,2024-04-01,x\n')
    assert main(["claim", "Acme", "--as-of", "2025-01-01", "--output", "acked.json",
                 "--acknowledged", "multiline.csv"]) == EXIT_OK
    document = json.loads((synced / "acked.json").read_text())
    # The worked example's 4,647.88; the letter of 1 March 2024 set the bar (1 April's moves
    # it no further: both made in 2024).
    assert document["totals"] == {"PLN": "4647.88"}
    assert (document["invoices"][0]["acknowledged_on"],
            document["invoices"][0]["acknowledgement_note"]) == ("2024-03-01", "letter\nsigned")


def test_the_configs_acknowledgements_are_paths_relative_to_it(tmp_path: Path) -> None:
    from clientguard.config import load_config

    path = tmp_path / "clientguard.toml"
    path.write_text('acknowledgements = "acks/acknowledged.csv"\n')
    config = load_config(path, env={})
    assert config.acknowledgements == (tmp_path / "acks" / "acknowledged.csv",)
    path.write_text("acknowledgements = 5\n")
    with pytest.raises(ConfigError, match="acknowledgements must be a CSV file path"):
        load_config(path, env={})
