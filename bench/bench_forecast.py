"""Time the forecast (every open invoice's payment date and the 13-week cash-in) on a large
ledger.

Usage::

    .venv/bin/python bench/bench_forecast.py [--invoices 1000000] [--customers 40]
        [--repeat 1] [--sizes 100000,1000000]

The ledger is the sample firm's (:func:`clientguard.sample.sample_records`), generated and
built once per size (not timed). ``forecast`` is then timed ``--repeat`` times on one core and
the best run is reported (wall clock and CPU). The target (issue 19): under 15 seconds at
1,000,000 invoices. The replay as of the date (and the one 90 days earlier that calibrates
the interval) is part of what is timed, as a user calling ``forecast`` pays for it.
"""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING

from clientguard.forecast import forecast
from clientguard.policy import Policy
from clientguard.sample import SAMPLE_AS_OF, sample_records
from clientguard.settlement import replay

if TYPE_CHECKING:  # mypy checks bench/ as a package: the sibling is bench.bench_lateness
    from bench.bench_lateness import best_of
else:
    try:  # run as a script (bench/ on sys.path) or as part of the bench package
        from bench_lateness import best_of
    except ImportError:  # pragma: no cover
        from bench.bench_lateness import best_of


def run_size(invoices: int, customers: int, repeat: int) -> None:
    start = time.perf_counter()
    book = sample_records(0, invoices=invoices, customers=customers).ledger()
    print(f"\nledger: {book!r}")
    print(f"generate and build {time.perf_counter() - start:.1f}s (not part of the forecast)")
    policy = Policy()
    replay_s, replay_cpu, _ = best_of(repeat, lambda: replay(book, as_of=SAMPLE_AS_OF,
                                                               policy=policy))
    print(f"replay (for reference) {replay_s:6.2f}s wall {replay_cpu:6.2f}s cpu")
    wall, cpu, result = best_of(repeat, lambda: forecast(book, as_of=SAMPLE_AS_OF,
                                                          policy=policy))
    print(f"forecast          {wall:6.2f}s wall {cpu:6.2f}s cpu  "
          f"open={len(result.invoices)} history={result.history}  "
          "(target < 15 s at 1,000,000)")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--sizes", type=str, default=None,
                        help="comma-separated invoice counts, run one after another")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [args.invoices]
    for size in sizes:
        run_size(size, args.customers, args.repeat)


if __name__ == "__main__":
    main()
