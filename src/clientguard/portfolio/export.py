"""A store into a lake: one firm's records, rejections, notes and rates in the Parquet layout.

Read through the store's public API (:meth:`~clientguard.store.Store.records`,
:meth:`~clientguard.store.Store.rejections`, ``notes``, ``warnings``): what a review of the
store sees, a review of the lake sees too (the round trip is tested). The records' own places
in their sources (file and line) are not part of the store's API and are not exported; a
record the lake's reader rejects is named by its Parquet file and row instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from clientguard.money import FxTable
from clientguard.portfolio.layout import write_firm
from clientguard.store import Store

__all__ = ["export_store"]


def export_store(
    store: Store,
    root: str | Path,
    firm_id: str,
    *,
    base_currency: str,
    fx: FxTable | None = None,
    sources: Sequence[str] | None = None,
) -> int:
    """Write the records of ``sources`` (default: all) of ``store`` as firm ``firm_id`` of the
    lake at ``root``, replacing what the lake held of the firm; return how many records were
    written. ``fx`` is the firm's exchange-rate table (to ``base_currency``)."""
    records = list(store.records(sources))
    write_firm(
        root, firm_id, records, base_currency=base_currency, fx=fx,
        rejected=store.rejections(sources), notes=store.notes(sources),
        warnings=store.warnings(sources),
    )
    return len(records)
