"""Merging two ledgers whose FxTables rate the same currency on the same day.

Two firms' books (or two tools of one firm) may have been converted with different rate
sources. A merge must never pick one book's rate over the other's in silence: the merged totals
would then depend on which ledger was merged into which. Rates that agree are kept; rates that
differ are a DataError naming the currency, the day and both rates, for the rates documents
are converted at and for those kept by their day of publication (``FxTable.published``) alike.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from clientguard import review
from clientguard.cli import EXIT_OK, main
from clientguard.errors import DataError
from clientguard.fx import RateRow, fx_table
from clientguard.ledger import Ledger
from clientguard.money import FxTable
from clientguard.testing import AmountLike, DateLike, customer, invoice, ledger
from clientguard.testing import fx_table as rates_table

MARCH_1 = date(2025, 3, 1)


def pln_book(source: str, client: str, rate: str, **more_rates: AmountLike) -> Ledger:
    """One 1,000.00 PLN invoice of 1 March 2025 (paid on the 20th) in a EUR ledger whose table
    gives ``rate`` EUR per PLN on that day (and ``more_rates``, by ISO day)."""
    by_day: dict[DateLike, AmountLike] = {MARCH_1: rate}
    by_day.update(more_rates.items())
    return ledger(
        customer(client, source=source),
        invoice(client, issued=MARCH_1, total="1000.00", currency="PLN", id="1", source=source,
                paid="2025-03-20"),
        fx=rates_table("EUR", {"PLN": by_day}),
    )


@pytest.mark.parametrize("order", ["xero into stripe", "stripe into xero"])
def test_two_rates_for_one_day_refuse_the_merge_in_either_order(order: str) -> None:
    # Alone, xero's invoice is 1,000.00 x 0.23 = 230.00 EUR and stripe's x 0.25 = 250.00 EUR;
    # merged, either one would have been converted at the other's rate.
    xero, stripe = pln_book("xero", "a", "0.23"), pln_book("stripe", "b", "0.25")
    first, second = (stripe, xero) if order == "xero into stripe" else (xero, stripe)
    with pytest.raises(DataError) as raised:
        first.merge(second)
    message = str(raised.value)
    assert "cannot merge the two ledgers" in message
    mine, theirs = ("0.25", "0.23") if first is stripe else ("0.23", "0.25")
    assert (f"PLN->EUR for 2025-03-01: {mine} in this ledger's table, {theirs} in the other's"
            in message)
    assert "fx_table(rows, base, order=" in message  # how to choose one source of rates


def test_every_conflicting_day_is_named_not_only_the_first() -> None:
    # Three days rated differently: the error lists all three, in date order.
    one = pln_book("xero", "a", "0.23", **{"2025-03-03": "0.23", "2025-03-04": "0.24"})
    other = pln_book("stripe", "b", "0.25", **{"2025-03-03": "0.22", "2025-03-04": "0.24",
                                               "2025-03-05": "0.21"})
    with pytest.raises(DataError) as raised:
        one.merge(other)
    message = str(raised.value)
    assert "PLN->EUR for 2025-03-01: 0.23 in this ledger's table, 0.25 in the other's" in message
    assert "PLN->EUR for 2025-03-03: 0.23 in this ledger's table, 0.22 in the other's" in message
    assert message.index("2025-03-01") < message.index("2025-03-03")
    assert "2025-03-04" not in message  # the same rate in both: no conflict
    assert "2025-03-05" not in message  # in one table only: no conflict


def test_rates_that_agree_merge_to_the_same_ledger_in_either_order() -> None:
    # 0.25 and 0.250 are one rate written twice; each table also has a day of its own.
    xero = pln_book("xero", "a", "0.25", **{"2025-03-03": "0.24"})
    stripe = pln_book("stripe", "b", "0.250", **{"2025-03-04": "0.26"})
    one, other = xero.merge(stripe), stripe.merge(xero)
    assert one.fx is not None
    assert other.fx is not None
    assert one.fx == other.fx
    assert one.fx.rates["PLN"] == {MARCH_1: D("0.25"), date(2025, 3, 3): D("0.24"),
                                   date(2025, 3, 4): D("0.26")}
    assert str(one.fx.rates["PLN"][MARCH_1]) == str(other.fx.rates["PLN"][MARCH_1]) == "0.250"
    # The same digits whichever way round: 1,000.00 x 0.250 = 250.00000, not 250.0000.
    for merged in (one, other):
        lost = {k: str(c.what_if.revenue_lost)
                for k, c in review(merged, as_of=date(2025, 12, 31)).clients.items()}
        assert lost == {"stripe:b": "250.00000", "xero:a": "250.00000"}


def test_two_rates_published_on_one_day_refuse_the_merge() -> None:
    # Both tables convert documents of 3 March at 4.10 PLN per EUR (the NBP's table of
    # 28 February, applied from the next business day), but say different things about the
    # table published on 28 February, which the Polish fixed compensation is converted at.
    rates = {"EUR": {date(2025, 3, 3): D("4.10")}}
    one = ledger(base_currency="PLN", fx=FxTable(
        "PLN", rates, published={"EUR": {date(2025, 2, 28): D("4.10")}}))
    other = ledger(base_currency="PLN", fx=FxTable(
        "PLN", rates, published={"EUR": {date(2025, 2, 28): D("4.20")}}))
    with pytest.raises(DataError, match=(
            r"EUR->PLN published on 2025-02-28: 4\.10 in this ledger's table, 4\.20 in the "
            r"other's")):
        one.merge(other)
    with pytest.raises(DataError, match=r"4\.20 in this ledger's table, 4\.10 in the other's"):
        other.merge(one)


def test_a_table_without_publication_days_publishes_each_rate_on_its_day() -> None:
    # The NBP's rows: 4.10 published on 27 February applies to documents of the 28th, 4.20
    # published on the 28th. A file of the firm's own rates says 4.15 on the 28th (published
    # and applied that day): for documents of the 28th it disagrees with 4.10, and for the
    # table published on the 28th with 4.20. Both are named.
    nbp = fx_table([
        RateRow("nbp", "PLN", "EUR", date(2025, 2, 27), D("4.10"), date(2025, 2, 28)),
        RateRow("nbp", "PLN", "EUR", date(2025, 2, 28), D("4.20"), date(2025, 3, 3)),
    ], "PLN")
    own = fx_table([RateRow("file:rates.csv", "PLN", "EUR", date(2025, 2, 28), D("4.15"),
                            date(2025, 2, 28))], "PLN")
    with pytest.raises(DataError) as raised:
        ledger(base_currency="PLN", fx=nbp).merge(ledger(base_currency="PLN", fx=own))
    message = str(raised.value)
    assert "EUR->PLN for 2025-02-28: 4.10 in this ledger's table, 4.15 in the other's" in message
    assert ("EUR->PLN published on 2025-02-28: 4.20 in this ledger's table, 4.15 in the "
            "other's") in message


# ------------------------------------------------------- the command line's several sources
# A regression guard rather than a bug's test (it passed before the fix too): a review of
# several --source's builds each source's ledger with rates from the one [rates] of
# clientguard.toml, over each source's own span of dates, and merges them. Those tables agree
# on every day they share, so the merge that now refuses two rates for one day must go through.
ECB_XML = """<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
<gesmes:subject>Reference rates</gesmes:subject>
<gesmes:Sender><gesmes:name>European Central Bank</gesmes:name></gesmes:Sender>
<Cube>
<Cube time="2025-01-02">
<Cube currency="USD" rate="1.0321"/><Cube currency="ILS" rate="3.7813"/></Cube>
<Cube time="2024-12-31">
<Cube currency="USD" rate="1.0389"/><Cube currency="ILS" rate="3.7950"/></Cube>
<Cube time="2024-12-10">
<Cube currency="USD" rate="1.0500"/><Cube currency="ILS" rate="3.7500"/></Cube>
</Cube>
</gesmes:Envelope>
"""


def test_a_review_of_several_sources_with_one_rates_config_merges_their_tables(
    csv_books: Callable[..., Path], capsys: pytest.CaptureFixture[str], httpserver: HTTPServer,
) -> None:
    folder = csv_books(None, paid=False)
    httpserver.expect_request("/stats/eurofxref/eurofxref-hist.xml").respond_with_data(
        ECB_XML, content_type="text/xml")
    header = "Number,Client,Issued,Due,Total,Currency\n"
    # The old tool's invoice of 10 December reads the ECB from 3 December (three days of
    # rates); the new tool's of 2 January from 26 December (two days): different tables.
    (folder / "old.csv").write_text(header + "1,Barry Gordon,2024-12-10,2025-01-09,375.00,ILS\n")
    (folder / "new.csv").write_text(header + "1,James Gordon,2025-01-02,2025-02-01,378.13,ILS\n")
    # The firm's own rate for 2 January, ranked before the ECB's in both tables.
    (folder / "rates.csv").write_text("date,currency,base,rate\n2025-01-02,ILS,USD,0.2730\n")
    sources = "".join(
        f'[sources.{name}]\nconnector = "csv"\nmapping = "mapping.toml"\n'
        f'invoices = "{name}.csv"\n\n' for name in ("old", "new"))
    (folder / "clientguard.toml").write_text(
        'base_currency = "USD"\nstore = "cg.db"\n\n' + sources
        + f'[rates]\nfile = "rates.csv"\n[rates.ecb]\nbase_url = "{httpserver.url_for("/")}"\n')
    code = main(["review", "--as-of", "2025-03-31", "--format", "json", "--quiet",
                 "--source", "old", "--source", "new"])
    out, err = capsys.readouterr()
    assert code == EXIT_OK, err
    document = json.loads(out)
    assert document["data_quality"]["rejected"] == 0
    # 375.00 ILS x 1.0500 / 3.7500 = 105.00 USD, and 378.13 ILS x 0.2730 (the file's) =
    # 103.23 USD: 208.23 USD.
    assert document["book"]["revenue"]["total"] == "208.23"
