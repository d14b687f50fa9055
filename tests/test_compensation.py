"""The Polish fixed compensation converts at the NBP table published on its rule date.

Art. 10 ust. 1a of the ustawa o przeciwdziałaniu nadmiernym opóźnieniom w transakcjach
handlowych: the EUR 40/70/100 are owed in PLN "według średniego kursu euro ogłoszonego przez
Narodowy Bank Polski ostatniego dnia roboczego miesiąca poprzedzającego miesiąc, w którym
świadczenie pieniężne stało się wymagalne": the table announced on that day. A table built for
documents applies each NBP table from the day after it (Polish VAT, art. 31a of the VAT Act:
the rate of the last business day *before* the document's date), so its rate "on" the rule
date is the table of the business day before; the compensation must ask for the table
published on the rule date instead, for the band of a debt in another currency as for the
sum. The rates below are made up for the tests; two consecutive business days differ.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal as D

import pytest

from clientguard.fx import RateRow, fx_table
from clientguard.fx.banks import nbp_rows
from clientguard.metrics.cost import PublishedFxRates, fixed_compensation, lateness_costs
from clientguard.policy import Policy
from clientguard.testing import customer, invoice, ledger, payment

DUE = date(2025, 3, 15)
RULE_DATE = date(2025, 2, 28)
"""The last business day of February 2025 (a Friday): the rule date of a debt due in March."""

TABLES = [
    # Thursday's table, in force for documents dated Friday 28 February (VAT).
    {"table": "A", "no": "040/A/NBP/2025", "effectiveDate": "2025-02-27",
     "rates": [{"currency": "euro", "code": "EUR", "mid": D("4.1000")},
               {"currency": "dolar amerykański", "code": "USD", "mid": D("3.9000")}]},
    # Friday's table, published on the rule date: the one the compensation is converted at.
    {"table": "A", "no": "041/A/NBP/2025", "effectiveDate": "2025-02-28",
     "rates": [{"currency": "euro", "code": "EUR", "mid": D("4.2000")},
               {"currency": "dolar amerykański", "code": "USD", "mid": D("4.0000")}]},
]


@dataclass
class NbpTables:
    """The NBP's rows as rates for documents read them (each from its ``applies_from``, the
    day after its table) that also say which rate a day's table published
    (:class:`PublishedFxRates`); records what was asked."""

    rows: list[RateRow]
    asked: list[tuple[str, str, date]] = field(default_factory=list)

    def _latest(self, currency: str, day: date, key: str) -> D:
        if currency == "PLN":
            return D(1)
        mine = sorted((getattr(r, key), r.rate) for r in self.rows if r.currency == currency)
        index = bisect.bisect_right([d for d, _ in mine], day) - 1
        return mine[index][1]

    def rate(self, currency: str, on: date) -> D:
        self.asked.append(("rate", currency, on))
        return self._latest(currency, on, "applies_from")

    def rate_published_on(self, currency: str, day: date) -> D:
        self.asked.append(("published", currency, day))
        return self._latest(currency, day, "published")


def nbp() -> NbpTables:
    fx = NbpTables(nbp_rows(TABLES))
    published: PublishedFxRates = fx  # the protocol the compensation looks for (mypy checks)
    assert published.rate_published_on("EUR", RULE_DATE) == D("4.2000")
    # For a document dated on the rule date, Thursday's table (VAT), as before.
    assert fx.rate("EUR", RULE_DATE) == D("4.1000")
    fx.asked.clear()
    return fx


def test_the_sum_is_converted_at_the_table_published_on_the_rule_date() -> None:
    # PLN 12,000 is above 5,000 and below 50,000: EUR 70. At Friday's 4.2000 (the table
    # published on 28 February): 70 x 4.2000 = 294.0000 -> PLN 294.00. (Thursday's 4.1000,
    # in force for a document of that day, would give 70 x 4.1 = 287.00.)
    fx = nbp()
    result = fixed_compensation(
        jurisdiction="pl", amount="12000", currency="PLN", due_date=DUE, fx=fx)
    assert (result.band, result.statutory_amount) == ("middle", D(70))
    assert (result.rule_date, result.fx_rate) == (RULE_DATE, D("4.2000"))
    assert (result.amount, result.rounded(), result.currency) == (D("294.0000"), D("294.00"),
                                                                  "PLN")
    assert "at 4.2000 PLN/EUR, the rate of the table published on 2025-02-28" in result.note
    assert [kind for kind, _, _ in fx.asked] == ["published", "published"]


@pytest.mark.parametrize(("amount", "currency", "debt_pln"), [
    # EUR 1,200 at Friday's 4.2000 = PLN 5,040.0000: above 5,000, EUR 70 (at Thursday's
    # 4.1000 it would be PLN 4,920, not above 5,000: EUR 40 x 4.1 = PLN 164.00).
    ("1200", "EUR", D("5040.0000")),
    # USD 1,260 at Friday's 4.0000 = PLN 5,040.0000 (the USD/PLN cross of the same table:
    # 4.0000 / 1); at Thursday's 3.9000 it would be PLN 4,914: EUR 40 again.
    ("1260", "USD", D("5040.0000")),
])
def test_a_foreign_debt_is_banded_with_the_table_published_on_the_rule_date(
    amount: str, currency: str, debt_pln: D,
) -> None:
    # Band "middle": EUR 70, at 4.2000 = PLN 294.00.
    result = fixed_compensation(
        jurisdiction="pl", amount=amount, currency=currency, due_date=DUE, fx=nbp())
    assert result.debt == debt_pln
    assert (result.band_currency, result.band, result.statutory_amount) == ("PLN", "middle",
                                                                            D(70))
    assert result.rounded() == D("294.00")


def test_without_fx_the_note_names_the_table_of_the_rule_date() -> None:
    result = fixed_compensation(jurisdiction="pl", amount="12000", currency="PLN", due_date=DUE)
    assert (result.amount, result.currency, result.converted) == (D(70), "EUR", False)
    assert "the table published on 2025-02-28 (art. 10 ust. 1a)" in result.note


# ------------------------------------------------- the NBP's rows in a table for documents
def test_a_table_of_the_nbp_rows_gives_a_document_the_day_before_and_the_compensation_the_day(
) -> None:
    table = fx_table(nbp_rows(TABLES), "PLN")
    # A document dated 28 February: Thursday's table (VAT, art. 31a); 3 March (a Monday):
    # Friday's. The compensation of a debt due in March: Friday's, published on 28 February.
    assert table.rate("EUR", RULE_DATE) == D("4.1000")
    assert table.rate("EUR", date(2025, 3, 3)) == D("4.2000")
    assert table.rate_published_on("EUR", RULE_DATE) == D("4.2000")
    # EUR 70 x 4.2000 = PLN 294.00 (not 70 x 4.1000 = 287.00).
    result = fixed_compensation(
        jurisdiction="pl", amount="12000", currency="PLN", due_date=DUE, fx=table)
    assert (result.fx_rate, result.rounded()) == (D("4.2000"), D("294.00"))


@pytest.mark.parametrize(("base", "amount_base"), [
    # A PLN book: the compensation is PLN 294.0000 already.
    ("PLN", D("294.0000")),
    # A EUR book (the NBP's rows crossed through EUR: PLN is 1 / 4.2000 EUR on 28 February's
    # table): PLN 294 back in EUR with the same table is EUR 70, to within the division's
    # last digit.
    ("EUR", D(70)),
])
def test_a_review_of_a_book_with_the_nbp_rows_owes_the_rule_dates_table(
    base: str, amount_base: D,
) -> None:
    # PLN 12,000.00 due 15 March 2025, paid 15 April: late, EUR 70 (middle band), at the
    # table published on Friday 28 February, 4.2000: PLN 294.00.
    bill = invoice("gdansk", issued="2025-02-13", due=DUE, total="12000.00", currency="PLN",
                   fx_rate="1" if base == "PLN" else "0.24", id="FV/1")
    book = ledger(customer("gdansk"), bill,
                  payment("gdansk", on="2025-04-15", amount="12000.00", pays=bill,
                          currency="PLN", fx_rate=None if base == "PLN" else "0.24"),
                  base_currency=base, fx=fx_table(nbp_rows(TABLES), base))
    item = lateness_costs(book, as_of=date(2025, 6, 30),
                          policy=Policy(jurisdiction="pl"))["gdansk"].invoices[0]
    assert item.compensation is not None
    assert (item.compensation.amount, item.compensation.currency) == (D("294.0000"), "PLN")
    assert item.compensation_base is not None
    assert abs(item.compensation_base - amount_base) < D("1e-20")


def test_a_merged_ledger_keeps_the_days_the_nbp_tables_were_published() -> None:
    # Two ledgers with different tables (the NBP's rows and a file's USD rate): the merged
    # table still gives a document of 28 February Thursday's 4.1000 and the compensation
    # Friday's 4.2000, the table published that day.
    nbp_book = ledger(base_currency="PLN", fx=fx_table(nbp_rows(TABLES), "PLN"))
    file_book = ledger(base_currency="PLN", fx=fx_table(
        [RateRow("file:rates.csv", "PLN", "CHF", RULE_DATE, D("4.5000"), RULE_DATE)], "PLN"))
    merged = nbp_book.merge(file_book).fx
    assert merged is not None
    assert merged.rate("EUR", RULE_DATE) == D("4.1000")
    assert merged.rate_published_on("EUR", RULE_DATE) == D("4.2000")
    assert merged.rate_published_on("CHF", RULE_DATE) == D("4.5000")
