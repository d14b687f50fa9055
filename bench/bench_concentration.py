"""Time concentration on the three bases, workload and rush for a large sample ledger.

Usage::

    .venv/bin/python bench/bench_concentration.py [--invoices 1000000] [--customers 40]
        [--repeat 3] [--series]

The ledger is generated and built once (not timed as analysis; its times are printed apart);
each analysis runs once to warm up, then ``--repeat`` timed runs on one core, and the best is
reported, as ``timeit`` does, so that a noisy neighbour does not count. The target (issue 4):
all three bases together under 5 seconds at 1,000,000 invoices.
"""

from __future__ import annotations

import argparse
import functools
import gc
import time
from collections.abc import Callable
from typing import TypeVar

from clientguard.ledger import Ledger
from clientguard.metrics.concentration import concentration_series
from clientguard.metrics.workload import workload
from clientguard.policy import Policy
from clientguard.sample import SAMPLE_AS_OF, sample_records
from clientguard.signals import concentration, rush_findings

T = TypeVar("T")


def best_of(repeat: int, run: Callable[[], T]) -> tuple[float, T]:
    best = float("inf")
    result = run()  # a warm-up run, not counted
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--series", action="store_true",
                        help="also time the 13-point quarterly revenue series")
    args = parser.parse_args()

    start = time.perf_counter()
    data = sample_records(0, invoices=args.invoices, customers=args.customers)
    generated = time.perf_counter() - start
    start = time.perf_counter()
    ledger: Ledger = data.ledger()
    built = time.perf_counter() - start
    print(f"ledger: {ledger!r}")
    print(f"generate {generated:.1f}s, build {built:.1f}s (not part of the analysis)")

    as_of, policy = SAMPLE_AS_OF, Policy()
    total = 0.0
    for basis in ("revenue", "receivables", "hours"):
        seconds, report = best_of(
            args.repeat,
            functools.partial(concentration, ledger, as_of=as_of, basis=basis, policy=policy),
        )
        total += seconds
        print(
            f"concentration basis={basis:<11} {seconds:6.2f}s  clients={report.client_count} "
            f"hhi={report.hhi:.0f} Ne={report.effective_clients:.1f} "
            f"findings={len(report.findings)}"
        )
    print(f"all three bases           {total:6.2f}s  (target < 5 s)")
    seconds, _ = best_of(args.repeat, lambda: workload(ledger, as_of=as_of))
    print(f"workload                  {seconds:6.2f}s")
    seconds, _ = best_of(args.repeat, lambda: rush_findings(ledger, as_of=as_of, policy=policy))
    print(f"rush                      {seconds:6.2f}s")
    if args.series:
        seconds, series = best_of(
            1, lambda: concentration_series(ledger, as_of=as_of, policy=policy)
        )
        print(f"revenue series, {len(series.points)} windows {seconds:6.2f}s")


if __name__ == "__main__":
    main()
