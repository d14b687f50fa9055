"""Time backfilling 36 monthly reviews of the sample firm into a store (issue 19: < 10 s).

Usage::

    .venv/bin/python bench/bench_backfill.py [--months 36] [--repeat 3]

The sample firm's ledger (:func:`clientguard.sample.sample_ledger`, 1,336 invoices) is built
once (not timed). Each run backfills a new store file: a review at each of the ``--months``
month-ends up to the sample's date, each the as-of replay of its date, with its JSON report and
client summaries saved (what ``clientguard review --backfill monthly --since DATE`` does after
loading the ledger). The best run is reported (wall clock and CPU).
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from clientguard.history import backfill
from clientguard.sample import SAMPLE_AS_OF, sample_ledger
from clientguard.store import Store

if TYPE_CHECKING:  # mypy checks bench/ as a package: the sibling is bench.bench_lateness
    from bench.bench_lateness import best_of
else:
    try:  # run as a script (bench/ on sys.path) or as part of the bench package
        from bench_lateness import best_of
    except ImportError:  # pragma: no cover
        from bench.bench_lateness import best_of


def first_month(months: int, until: date) -> date:
    """The first day of the month ``months - 1`` months before ``until``'s."""
    index = until.year * 12 + until.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1)


def run(months: int, repeat: int) -> float:
    book = sample_ledger()
    since = first_month(months, SAMPLE_AS_OF)
    print(f"ledger: {len(book.invoices):,} invoices; backfill {since} to {SAMPLE_AS_OF}")
    with tempfile.TemporaryDirectory() as folder:
        runs = iter(range(repeat))

        def once() -> int:
            path = Path(folder) / f"run-{next(runs)}.db"
            with Store.open(path) as store:
                return len(backfill(store, book, since=since, until=SAMPLE_AS_OF))

        wall, cpu, saved = best_of(repeat, once)
    print(f"backfill {saved} reviews {wall:6.2f}s wall {cpu:6.2f}s cpu "
          f"({wall / max(saved, 1) * 1000:.0f} ms a review; target < 10 s for 36)")
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    run(args.months, args.repeat)


if __name__ == "__main__":
    main()
