"""The fixed compensation's band is read on the debt as it fell due: the invoice's total less
the credit notes applied to it by its due date (docs/claims.md, "Fixed compensation").

Art. 10 ust. 1 of the Polish act of 8 March 2013 sets EUR 40 / 70 / 100 by "wartość
świadczenia pieniężnego", the value of the money owed; s.5A(2) of the Late Payment of
Commercial Debts (Interest) Act 1998 sets GBP 40 / 70 / 100 by the size of "the debt". A
credit note issued before the due date lowers the price: the client never owed the credited
part, and was late only on the rest. A credit note after the due date does not change what
fell due late. The Directive's EUR 40 (art. 6) has no band.

Until 2026-12-07 the band was read on the invoice's total: a 6,000 PLN invoice credited to
4,000 before its due date was given EUR 70 (297.50 PLN) where EUR 40 (170.00 PLN) is owed.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from html import escape as html_escape

import pytest

from clientguard.claims import claim
from clientguard.metrics.cost import lateness_costs
from clientguard.model import AnyRecord
from clientguard.policy import Policy
from clientguard.report.claim import render_claim_html, render_claim_json
from clientguard.testing import credit_note, customer, fx_table, invoice, ledger, payment

D = Decimal
# Due Monday 16 June 2025; the Polish rule date is the last business day of May, Friday 30
# May, whose NBP EUR rate is here 4.25: EUR 40 = 170.00 PLN, EUR 70 = 297.50 PLN.
FX = fx_table("PLN", {"EUR": {"2025-05-30": "4.25"}})


def _book(law: str, total: str, credit: str | None, credited_on: str | None) -> list[AnyRecord]:
    """One invoice due 16 June 2025, credited ``credit`` on ``credited_on`` (or not), the rest
    paid on 16 July 2025, 30 days late."""
    currency = {"pl": "PLN", "uk": "GBP", "eu": "EUR"}[law]
    sent = invoice("acme", issued="2025-05-17", due="2025-06-16", total=total, id="F1",
                   currency=currency)
    records: list[AnyRecord] = [customer("acme"), sent]
    rest = D(total)
    if credit is not None and credited_on is not None:
        records.append(credit_note("acme", issued=credited_on, total=credit,
                                   applies_to=[(sent, credit)], id="K1", currency=currency))
        rest -= D(credit)
    records.append(payment("acme", on="2025-07-16", amount=rest, pays=[(sent, rest)],
                           id="P1", currency=currency))
    return records


@pytest.mark.parametrize(
    ("law", "total", "credit", "credited_on", "debt", "compensation", "currency"),
    [
        # PL: 6,000 credited 2,000 on 10 June: 4,000 fell due, not above 5,000: EUR 40.
        pytest.param("pl", "6000.00", "2000.00", "2025-06-10", "4000.00", "170.00", "PLN",
                     id="pl-credited-before-due"),
        # On the due date itself: still before the debt is late (interest from 17 June).
        pytest.param("pl", "6000.00", "2000.00", "2025-06-16", "4000.00", "170.00", "PLN",
                     id="pl-credited-on-due-date"),
        # After the due date: 6,000 fell due late, above 5,000 and below 50,000: EUR 70.
        pytest.param("pl", "6000.00", "2000.00", "2025-06-20", "6000.00", "297.50", "PLN",
                     id="pl-credited-after-due"),
        pytest.param("pl", "6000.00", None, None, "6000.00", "297.50", "PLN",
                     id="pl-not-credited"),
        # UK: 1,500 credited 600 before the due date: a debt of 900, less than 1,000: GBP 40.
        pytest.param("uk", "1500.00", "600.00", "2025-06-10", "900.00", "40", "GBP",
                     id="uk-credited-before-due"),
        pytest.param("uk", "1500.00", "600.00", "2025-06-20", "1500.00", "70", "GBP",
                     id="uk-credited-after-due"),
        # EU: EUR 40 whatever the debt.
        pytest.param("eu", "1500.00", "600.00", "2025-06-10", "900.00", "40", "EUR",
                     id="eu-flat"),
    ],
)
def test_the_band_is_read_on_the_debt_as_it_fell_due(
    law: str, total: str, credit: str | None, credited_on: str | None, debt: str,
    compensation: str, currency: str,
) -> None:
    base = {"pl": "PLN", "uk": "GBP", "eu": "EUR"}[law]
    book = ledger(*_book(law, total, credit, credited_on), base_currency=base,
                  fx=FX if law == "pl" else None)
    policy = Policy(jurisdiction=law)
    as_of = date(2025, 12, 31)
    (item,) = lateness_costs(book, as_of=as_of, policy=policy)["acme"].invoices
    assert item.compensation is not None
    assert item.compensation.debt == D(debt)
    assert (item.compensation.rounded(), item.compensation.currency) == (D(compensation),
                                                                         currency)
    # The claim states the same sum on its line, and counts it in its total.
    (line,) = claim(book, "acme", as_of=as_of, policy=policy).invoices
    assert (line.compensation, line.compensation_currency) == (D(compensation), currency)


@pytest.mark.parametrize(
    ("credited_on", "debt", "compensation"),
    [
        # Due Saturday 14 June 2025: under art. 115 KC the term ends on Monday 16 June, the
        # day the debt falls due (interest from 17 June). A credit note of 2,000 dated that
        # Monday comes by then: 4,000 fell due, not above PLN 5,000: EUR 40 = 170.00 PLN (at
        # the rule date's 4.25, the last business day of May, 30 May, as in FX above).
        pytest.param("2025-06-16", "4000.00", "170.00", id="pl-saturday-due-credited-monday"),
        pytest.param("2025-06-13", "4000.00", "170.00", id="pl-saturday-due-credited-friday"),
        # Tuesday 17 June is after the term: 6,000 fell due late, EUR 70 = 297.50 PLN.
        pytest.param("2025-06-17", "6000.00", "297.50", id="pl-saturday-due-credited-tuesday"),
    ],
)
def test_a_polish_due_date_on_a_day_off_falls_due_on_the_next_working_day(
    credited_on: str, debt: str, compensation: str,
) -> None:
    sent = invoice("acme", issued="2025-05-15", due="2025-06-14", total="6000.00", id="F1",
                   currency="PLN")
    records: list[AnyRecord] = [
        customer("acme"), sent,
        credit_note("acme", issued=credited_on, total="2000.00",
                    applies_to=[(sent, "2000.00")], id="K1", currency="PLN"),
        payment("acme", on="2025-07-16", amount="4000.00", pays=[(sent, "4000.00")],
                id="P1", currency="PLN"),
    ]
    book = ledger(*records, base_currency="PLN", fx=FX)
    policy = Policy(jurisdiction="pl")
    as_of = date(2025, 12, 31)
    (item,) = lateness_costs(book, as_of=as_of, policy=policy)["acme"].invoices
    assert item.compensation is not None
    assert item.compensation.debt == D(debt)
    assert item.compensation.rounded() == D(compensation)
    (line,) = claim(book, "acme", as_of=as_of, policy=policy).invoices
    assert line.compensation == D(compensation)


# The document prints the invoice's total in its heading; where the band was read on another
# debt (credited before the due date), it prints that debt beside the band, so that "6,000.00
# PLN" above "debt not above PLN 5,000" does not read as a mistake (docs/claims.md, "JSON"),
# and the JSON says it in compensation_debt (schema 1.5, written only where a band was read
# on another debt than the total: the other documents keep their version and bytes). The
# debts are the rows' above: 6,000 - 2,000 = 4,000 PLN; 1,500 - 600 = 900 GBP.
@pytest.mark.parametrize(
    ("law", "credited_on", "debt", "currency", "html", "version"),
    [
        pytest.param("pl", "2025-06-10", "4000.00", "PLN",
                     "należność nieprzekraczająca 5000 zł; należność w dniu wymagalności: "
                     "4\u00a0000,00 PLN):", "1.5", id="pl-credited-before-due"),
        pytest.param("uk", "2025-06-10", "900.00", "GBP",
                     "(debt below GBP 1,000; the debt that fell due: 900.00 GBP)", "1.5",
                     id="uk-credited-before-due"),
        # Credited after the due date: the band is the total's, nothing more is printed.
        pytest.param("pl", "2025-06-20", None, None,
                     "należność wyższa niż 5000 zł i niższa niż 50\u00a0000 zł):", "1.1",
                     id="pl-credited-after-due"),
        # EU: a flat EUR 40, whatever the debt: no debt to print.
        pytest.param("eu", "2025-06-10", None, None, "(EUR 40 whatever the amount):", "1.1",
                     id="eu-flat"),
    ],
)
def test_the_document_prints_the_debt_the_band_was_read_on(
    law: str, credited_on: str, debt: str | None, currency: str | None, html: str,
    version: str,
) -> None:
    total, credit = {"pl": ("6000.00", "2000.00"), "uk": ("1500.00", "600.00"),
                     "eu": ("1500.00", "600.00")}[law]
    base = {"pl": "PLN", "uk": "GBP", "eu": "EUR"}[law]
    book = ledger(*_book(law, total, credit, credited_on), base_currency=base,
                  fx=FX if law == "pl" else None)
    letter = claim(book, "acme", as_of=date(2025, 12, 31), policy=Policy(jurisdiction=law))
    page = render_claim_html(letter)
    assert html_escape(html, quote=False) in page
    (line,) = letter.invoices
    expected = D(debt) if debt is not None else None
    assert (line.compensation_debt, line.compensation_debt_currency) == (expected, currency)
    document = json.loads(render_claim_json(letter))
    assert document["schema_version"] == version
    (written,) = document["invoices"]
    if version == "1.5":
        assert (written["compensation_debt"], written["compensation_debt_currency"]) == (
            debt, currency)
    else:
        assert "compensation_debt" not in written


# ------------------------------------------------------ a part paid before the debt fell due
# The compensation is owed on the money left unpaid when the debt fell due: art. 10 ust. 1 of
# the Polish act of 8 March 2013 grants it "od dnia nabycia uprawnienia do odsetek, o których
# mowa w art. 7 ust. 1", and art. 7 ust. 1 grants interest "za okres od dnia wymagalności
# świadczenia pieniężnego do dnia zapłaty": a part paid by its due date never bore interest,
# was never late, and is not "wartość świadczenia pieniężnego" the band is read on. The UK
# fixed sum is owed "once statutory interest begins to run in relation to a qualifying debt"
# (s.5A(1)) and banded by "the debt" (s.5A(2)): the part on which interest began to run.
# Until law2 a payment by the due date left the band on the invoice's total: PLN 6,000 with
# 2,000 paid on time owed EUR 70 (297.50 PLN) where EUR 40 (170.00 PLN) is owed.
# A document of the due date itself counts (interest runs from the next day); under Polish law
# so does one of the day art. 115 KC moves a term on a Saturday or a holiday to.
_Doc = tuple[str, str, str]  # ("payment" | "credit", day, amount)

# The EUR rates of an EUR invoice in a PLN book: the band's PLN is the EUR debt at the rate of
# the compensation's rule date (30 May 2025 for a debt due in June, the table NBP published
# that day, art. 10 ust. 1a), not at the due date's (docs/metrics/cost.md: "A debt in another
# currency is converted to PLN with the same table to find its band").
# (The other days' rates convert the invoice and its payments.)
FX_TWO_DAYS = fx_table("PLN", {"EUR": {"2025-05-16": "4.25", "2025-05-30": "4.25",
                                       "2025-06-10": "4.25", "2025-06-16": "4.60",
                                       "2025-07-16": "4.60"}})
# GBP per EUR: the UK converts at the due date, 16 June 2025 (docs/metrics/cost.md, "UK").
FX_GBP = fx_table("GBP", {"EUR": {"2025-05-16": "0.95", "2025-05-30": "0.95",
                                  "2025-06-10": "0.95", "2025-06-16": "0.85",
                                  "2025-07-16": "0.85"}})


@pytest.mark.parametrize(
    ("law", "currency", "due", "total", "documents", "debt", "statutory", "compensation"),
    [
        # PL, 6,000 with 2,000 paid on 10 June, due Monday 16 June: 4,000 fell due, not above
        # PLN 5,000: EUR 40 x 4.25 = 170.00 PLN.
        pytest.param("pl", "PLN", "2025-06-16", "6000.00", [("payment", "2025-06-10", "2000.00")],
                     "4000.00", "40", "170.00", id="pl-part-paid-before-due"),
        pytest.param("pl", "PLN", "2025-06-16", "6000.00", [("payment", "2025-06-16", "2000.00")],
                     "4000.00", "40", "170.00", id="pl-part-paid-on-due-date"),
        # Paid on Tuesday 17 June, the first day of delay: the whole 6,000 fell due, EUR 70 x
        # 4.25 = 297.50 PLN.
        pytest.param("pl", "PLN", "2025-06-16", "6000.00", [("payment", "2025-06-17", "2000.00")],
                     "6000.00", "70", "297.50", id="pl-part-paid-after-due"),
        # Due Saturday 14 June: the term ends Monday 16 June (art. 115 KC), and a part paid on
        # that Monday is paid on time: 4,000, EUR 40.
        pytest.param("pl", "PLN", "2025-06-14", "6000.00", [("payment", "2025-06-16", "2000.00")],
                     "4000.00", "40", "170.00", id="pl-saturday-due-part-paid-monday"),
        # A credit note and a payment both before the due date: 52,000 - 1,000 - 3,000 =
        # 48,000, below PLN 50,000: EUR 70 (the total's band is EUR 100 = 425.00 PLN).
        pytest.param("pl", "PLN", "2025-06-16", "52000.00",
                     [("credit", "2025-06-02", "1000.00"), ("payment", "2025-06-10", "3000.00")],
                     "48000.00", "70", "297.50", id="pl-credited-and-part-paid-before-due"),
        # EUR 1,500 in a PLN book, EUR 400 paid on time: EUR 1,100 x 4.25 (the rule date's
        # table, 30 May) = PLN 4,675.00, not above 5,000: EUR 40 = 170.00 PLN. At the due
        # date's 4.60 it would be 5,060.00 (EUR 70); the total, 1,500 x 4.25 = 6,375.00 (70).
        pytest.param("pl", "EUR", "2025-06-16", "1500.00", [("payment", "2025-06-10", "400.00")],
                     "4675.0000", "40", "170.00", id="pl-eur-invoice-part-paid-before-due"),
        # UK, GBP 1,500 with 600 paid on time: a debt of 900, below 1,000: GBP 40.
        pytest.param("uk", "GBP", "2025-06-16", "1500.00", [("payment", "2025-06-10", "600.00")],
                     "900.00", "40", "40", id="uk-part-paid-before-due"),
        pytest.param("uk", "GBP", "2025-06-16", "1500.00", [("payment", "2025-06-17", "600.00")],
                     "1500.00", "70", "70", id="uk-part-paid-after-due"),
        # The s.5A(2) edge: GBP 10,500 less 500 paid on time is 10,000, "£10,000 or more":
        # GBP 100; less 501, 9,999: GBP 70 (the total's band is GBP 100).
        pytest.param("uk", "GBP", "2025-06-16", "10500.00", [("payment", "2025-06-10", "500.00")],
                     "10000.00", "100", "100", id="uk-part-paid-to-10000"),
        pytest.param("uk", "GBP", "2025-06-16", "10500.00", [("payment", "2025-06-10", "501.00")],
                     "9999.00", "70", "70", id="uk-part-paid-below-10000"),
        # EUR 1,300 in a GBP book, EUR 200 paid on time: EUR 1,100 x 0.85 (the due date's
        # rate) = GBP 935.00, below 1,000: GBP 40. At 30 May's 0.95 it would be 1,045.00 (70).
        pytest.param("uk", "EUR", "2025-06-16", "1300.00", [("payment", "2025-06-10", "200.00")],
                     "935.0000", "40", "40", id="uk-eur-invoice-part-paid-before-due"),
    ],
)
def test_the_band_is_read_on_what_was_left_unpaid_when_the_debt_fell_due(
    law: str, currency: str, due: str, total: str, documents: list[_Doc], debt: str,
    statutory: str, compensation: str,
) -> None:
    base = {"pl": "PLN", "uk": "GBP"}[law]
    sent = invoice("acme", issued="2025-05-16", due=due, total=total, id="F1",
                   currency=currency)
    records: list[AnyRecord] = [customer("acme"), sent]
    rest = D(total)
    for n, (kind, day, amount) in enumerate(documents):
        if kind == "payment":
            records.append(payment("acme", on=day, amount=amount, pays=[(sent, amount)],
                                   id=f"P{n}", currency=currency))
        else:
            records.append(credit_note("acme", issued=day, total=amount,
                                       applies_to=[(sent, amount)], id=f"K{n}",
                                       currency=currency))
        rest -= D(amount)
    records.append(payment("acme", on="2025-07-16", amount=rest, pays=[(sent, rest)],
                           id="P-rest", currency=currency))
    book = ledger(*records, base_currency=base,
                  fx=(FX_TWO_DAYS if currency == "EUR" else FX) if law == "pl"
                  else (FX_GBP if currency == "EUR" else None))
    policy = Policy(jurisdiction=law)
    as_of = date(2025, 12, 31)
    (item,) = lateness_costs(book, as_of=as_of, policy=policy)["acme"].invoices
    assert item.compensation is not None
    assert (item.compensation.debt, item.compensation.band_currency) == (D(debt), base)
    assert item.compensation.statutory_amount == D(statutory)
    assert item.compensation.rounded() == D(compensation)
    # The claim asks the same sum, and names the debt its band was read on where it is not
    # the invoice's total (schema 1.5).
    (line,) = claim(book, "acme", as_of=as_of, policy=policy).invoices
    assert line.compensation == D(compensation)
    same = D(debt) == D(total) and currency == base
    assert line.compensation_debt == (None if same else D(debt))
