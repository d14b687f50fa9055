"""Exchange rates from outside the records: a CSV file of rates, and the daily tables of the
NBP and the ECB, turned into an :class:`~clientguard.money.FxTable` for a ledger.

A rate source gives :class:`RateRow` objects, each "units of ``base`` per one unit of
``currency``" as the source publishes it (the NBP's base is PLN, the ECB's EUR, a file's
whatever each row says). :func:`fx_table` turns the rows of several sources into one table
in the ledger's base currency:

* a row in the ledger's base is used as it is;
* a row in another base is crossed through the ledger's base on the same day: with the ECB
  (base EUR) in a USD ledger, ILS in USD is ``EUR per ILS / EUR per USD``, and EUR itself is
  ``1 / EUR per USD``;
* each row is used from its ``applies_from`` day: a bank's rate from the day it is
  published, except the NBP's, which Polish VAT (art. 31a of the VAT Act) applies from the
  day after (an invoice is converted at the mid rate of the last business day *before* its
  date), so a look-up on the invoice's date finds the right table; where a row applies from
  another day than it was published on, the table keeps every rate by its publication day too
  (``FxTable.published``), for the Polish fixed compensation, which is converted at the NBP
  table published on its rule date (art. 10 ust. 1a of the 2013 Act);
* where two sources have a rate for the same currency and day, the one named first in the
  configuration wins (a file of the firm's own rates before a bank's).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from clientguard.i18n import noop

# RateRow lives in money, below the store that keeps the rows; it is this package's too.
from clientguard.money import ONE, FxTable, RateRow

__all__ = ["CLI_REMEDY", "RateRow", "fx_table"]

CLI_REMEDY = noop(
    "add exchange rates to clientguard.toml: a [rates] table with file = \"rates.csv\" "
    "(clientguard rates template prints one), or the central banks' daily tables "
    "([rates.ecb] for euro reference rates, [rates.nbp] for the NBP's table A), then run "
    "clientguard rates sync"
)
"""What a command-line user does when a rate is missing (the FxTable's remedy in the CLI), in
English as the rejection keeps it; the data-quality section shows it in the reader's language
(:func:`clientguard.money.rate_reason_words`)."""


def fx_table(
    rows: Iterable[RateRow],
    base: str,
    *,
    order: Sequence[str] = (),
    max_staleness_days: int = 7,
    remedy: str | None = None,
) -> FxTable:
    """An FxTable in ``base`` from ``rows`` (see the module for cross rates and precedence).

    ``order`` lists source names, the first winning; sources not in it come after, by name.
    """
    by_source: dict[str, dict[tuple[str, date], dict[str, RateRow]]] = {}
    shifted = False
    for row in rows:
        by_day = by_source.setdefault(row.source, {})
        by_day.setdefault((row.base, row.applies_from), {})[row.currency] = row
        shifted = shifted or row.applies_from != row.published
    ranked = sorted(by_source, key=lambda s: (order.index(s) if s in order else len(order), s))
    rates: dict[str, dict[date, Decimal]] = {}
    published: dict[str, dict[date, Decimal]] = {}
    for source in ranked:
        for (table_base, day), table in sorted(by_source[source].items()):
            # One source's table of one day: its rows were published on one day.
            published_on = next(iter(table.values())).published
            for currency, rate in _in_base(table_base, table, base).items():
                rates.setdefault(currency, {}).setdefault(day, rate)
                if shifted:
                    published.setdefault(currency, {}).setdefault(published_on, rate)
    if remedy is None:
        return FxTable(base, rates, max_staleness_days, published=published)
    return FxTable(base, rates, max_staleness_days, published=published, remedy=remedy)


def _in_base(table_base: str, table: dict[str, RateRow], base: str) -> dict[str, Decimal]:
    """One source's rates of one day (units of ``table_base`` per unit) in ``base``."""
    if table_base == base:
        return {c: r.rate for c, r in table.items() if c != base}
    via = table.get(base)
    if via is None:
        return {}  # the table does not quote the ledger's base that day: nothing to cross
    result = {c: r.rate / via.rate for c, r in table.items() if c not in (base, table_base)}
    result[table_base] = ONE / via.rate
    return result
