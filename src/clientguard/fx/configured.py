"""The ``[rates]`` of clientguard.toml at work: read its sources, store them, make a table.

Used by the command line: ``clientguard rates sync`` (and ``clientguard sync``) read every
source of ``[rates]`` into the store; ``clientguard review`` builds its FxTable from the
store (or, with ``--source``, from the sources directly).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING

from clientguard.config import RatesConfig
from clientguard.fx import CLI_REMEDY, RateRow, fx_table
from clientguard.fx.banks import bank
from clientguard.fx.files import read_rates_file
from clientguard.money import FxTable

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
        lines.append(f"rates file {path}: {count:,} rates")
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
        lines.append(f"rates {name} ({since} to {end}): {count:,} rates on {days:,} days")
    return lines


def table_from(rows: Iterable[RateRow], base: str, rates: RatesConfig | None) -> FxTable:
    """The FxTable in ``base`` a command-line review uses: from ``rows``, the sources in the
    order ``rates`` names them, and a missing rate said in clientguard.toml's words."""
    if rates is None:
        return FxTable(base, {}, remedy=CLI_REMEDY)
    return fx_table(rows, base, order=rates.order, max_staleness_days=rates.max_staleness_days,
                    remedy=CLI_REMEDY)
