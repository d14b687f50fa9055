"""The ``[rates]`` of clientguard.toml at work: read its sources, store them, make a table.

Used by the command line: ``clientguard rates sync`` (and ``clientguard sync``) read every
source of ``[rates]`` into the store; ``clientguard review`` builds its FxTable from the
store (or, with ``--source``, from the sources directly).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING

from clientguard import wording
from clientguard.config import RatesConfig
from clientguard.fx import CLI_REMEDY, RateRow, fx_table
from clientguard.fx.banks import bank
from clientguard.fx.files import read_rates_file
from clientguard.i18n import gettext, ngettext
from clientguard.money import FxTable, MissingRate, no_rate_remedy

if TYPE_CHECKING:
    from clientguard.store import Store

__all__ = ["DEFAULT_DAYS_BACK", "pull_rates", "sync_rates", "table_from"]

RESYNC_DAYS = timedelta(days=7)
"""A sync of a bank's table reads again this far before the last stored day, and counts a
stored range that starts this close after the wanted start as covering it (weekends)."""

DEFAULT_DAYS_BACK = 366
"""With no ``start`` and no stored document, how far back the banks' tables are read."""


def _start(rates: RatesConfig, first: date | None, end: date) -> date:
    """The first day to read: ``start``, else a week before the first document (so that the
    rate before it is there too), else a year back from ``end``."""
    if rates.start is not None:
        return rates.start
    if first is not None:
        return first - timedelta(days=max(rates.max_staleness_days, 7))
    return end - timedelta(days=DEFAULT_DAYS_BACK)


def pull_rates(rates: RatesConfig, *, end: date, first: date | None = None) -> list[RateRow]:
    """Every rate of ``rates``'s sources from its start (see :func:`_start`) to ``end``."""
    rows: list[RateRow] = []
    for path in rates.files:
        rows.extend(read_rates_file(path))
    start = _start(rates, first, end)
    for name, options in rates.banks.items():
        with bank(name, dict(options)) as source:
            rows.extend(source.fetch(start, end))
    return rows


def sync_rates(
    store: Store, rates: RatesConfig, *, end: date, start: date | None = None
) -> list[str]:
    """Read every source of ``rates`` into ``store`` (the banks' tables from ``start``, by
    default as :func:`_start` says, to ``end``); a line a source, for a person."""
    lines = []
    for path in rates.files:
        rows = read_rates_file(path)
        count = store.save_rates(f"file:{path.name}", rows, replace=True)
        lines.append(gettext("rates file {path}: {rates}").format(path=path, rates=_rates(count)))
    wanted = start or _start(rates, store.first_document_date(), end)
    stored = {s: (first, last) for s, _, _, _, first, last in store.rates_summary()}
    for name, options in rates.banks.items():
        since = wanted
        have = stored.get(name)
        if start is None and have is not None and have[0] <= wanted + RESYNC_DAYS:
            # What is stored already covers the start: read on from a little before its
            # last day (a bank may publish a table late, or correct one).
            since = max(wanted, have[1] - RESYNC_DAYS)
        with bank(name, dict(options)) as source:
            rows = source.fetch(since, end)
        count = store.save_rates(name, rows)
        days = len({r.published for r in rows})
        lines.append(gettext("rates {name} ({since} to {end}): {rates} on {days}").format(
            name=name, since=since, end=end, rates=_rates(count), days=wording.count(days, "day")))
    return lines


def _rates(count: int) -> str:
    """``1 rate``, ``1,500 rates`` (``1 kurs``, ``1 500 kursów``)."""
    return ngettext("{n} rate", "{n} rates", count).format(n=wording.number(count))


def table_from(
    rows: Iterable[RateRow], base: str, rates: RatesConfig | None, *, stored: bool = True
) -> FxTable:
    """The FxTable in ``base`` a command-line review uses: from ``rows``, the sources in the
    order ``rates`` names them, and a missing rate said in clientguard.toml's words, fitting
    its case (:func:`_remedy`). ``stored``: the rows are the store's (a sync may be behind),
    not read from the sources just now (``review --source``)."""
    if rates is None:
        return FxTable(base, {}, remedy=CLI_REMEDY)
    rows = list(rows)
    held = _held(rows)

    def remedy_for(missing: MissingRate) -> str:
        return _remedy(missing, rates, held, stored=stored)

    table = fx_table(rows, base, order=rates.order,
                     max_staleness_days=rates.max_staleness_days, remedy=CLI_REMEDY)
    return FxTable(table.base, table.rates, table.max_staleness_days, table.remedy,
                   table.published, remedy_for)


class _Held:
    """What one source's rows hold: its currencies (its base too: rates in it are crossed),
    and per currency the first and last day a document takes one of its rates from, and its
    first and last publication day."""

    def __init__(self) -> None:
        self.days: dict[str, tuple[date, date]] = {}
        self.published: tuple[date, date] | None = None

    def add(self, row: RateRow) -> None:
        for currency in (row.currency, row.base):
            first, last = self.days.get(currency, (row.applies_from, row.applies_from))
            self.days[currency] = (min(first, row.applies_from), max(last, row.applies_from))
        first, last = self.published or (row.published, row.published)
        self.published = (min(first, row.published), max(last, row.published))


def _held(rows: Iterable[RateRow]) -> dict[str, _Held]:
    held: dict[str, _Held] = {}
    for row in rows:
        held.setdefault(row.source, _Held()).add(row)
    return held


def _remedy(
    missing: MissingRate, rates: RatesConfig, held: dict[str, _Held], *, stored: bool
) -> str:
    """What to do about ``missing`` with this ``[rates]`` and these rows (docs/cli.md,
    "Exchange rates"): the first case that fits, in this order, because each makes the next
    ones moot. A bank never synced (its rates may hold the day); a bank that has the currency
    but whose stored rates end before the day (rates sync not run since) or begin after it;
    a currency no source has on any day (naming the banks read, which do not publish it); its
    rates beginning after the day; the latest earlier rate too old (raising
    max_staleness_days by what it takes to reach it). A bank's case only with ``stored``:
    read just now, its rates are what it publishes."""
    banks = list(rates.banks)
    if stored:
        for name in banks:
            if name not in held:
                return no_rate_remedy("bank_not_synced", bank=name)
        for name in banks:
            days = held[name].days.get(missing.currency)
            published = held[name].published
            if days is None or published is None:
                continue
            if days[1] < missing.day:
                return no_rate_remedy("bank_behind", bank=name, last=published[1])
            if days[0] > missing.day:
                since = missing.day - timedelta(days=max(missing.max_staleness_days, 7))
                return no_rate_remedy("bank_later", bank=name, first=published[0],
                                      since=since)
    if not banks and not rates.files:
        return CLI_REMEDY  # a [rates] table naming no source: add one, as without [rates]
    file = rates.files[0].name if rates.files else None
    if missing.first is None:
        if banks:
            listed = ", ".join(f"[rates.{name}]" for name in banks)
            if file is None:
                return no_rate_remedy("currency_banks_no_file", currency=missing.currency,
                                      banks=listed)
            return no_rate_remedy("currency_banks", currency=missing.currency, banks=listed,
                                  file=file)
        return no_rate_remedy("currency_file", currency=missing.currency, file=file)
    if missing.latest is None:
        if file is None:
            return no_rate_remedy("later_no_file", currency=missing.currency,
                                  first=missing.first, day=missing.day)
        return no_rate_remedy("later_file", currency=missing.currency, first=missing.first,
                              day=missing.day, file=file)
    needed = (missing.day - missing.latest).days
    if file is None:
        return no_rate_remedy("stale_no_file", currency=missing.currency, day=missing.day,
                              days=missing.max_staleness_days, needed=needed)
    return no_rate_remedy("stale_file", currency=missing.currency, day=missing.day,
                          file=file, days=missing.max_staleness_days, needed=needed)
