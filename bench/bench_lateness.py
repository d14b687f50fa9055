"""Time the late-payment analysis (payment profiles and late_payers) on a large ledger.

Usage::

    .venv/bin/python bench/bench_lateness.py [--invoices 1000000] [--customers 40]
        [--repeat 3] [--memory] [--sizes 100000,300000,1000000]

The ledger is generated and built once per size (not timed as analysis; its times are
printed apart); each analysis is then timed ``--repeat`` times on one core and the best run
is reported, as ``timeit`` does, so that a noisy neighbour does not count. ``--memory`` adds
one untimed run under ``tracemalloc`` to report the analysis' peak allocation (so that its
growth with the ledger can be seen across ``--sizes``). The target (issue 3): payment profiles
and late_payers under 10 seconds at 1,000,000 invoices, memory growing linearly.

The ledger comes from :func:`clientguard.sample.sample_records`; where that module is missing,
from the ``clientguard.testing`` builders (one invoice and one payment per row, a tenth late).
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, timedelta
from random import Random
from typing import TypeVar

from clientguard.ledger import Ledger
from clientguard.metrics.lateness import payment_profiles
from clientguard.policy import Policy
from clientguard.settlement import settle
from clientguard.signals import late_payers

T = TypeVar("T")


def best_of(repeat: int, run: Callable[[], T]) -> tuple[float, float, T]:
    """The best wall-clock and the best CPU time of ``repeat`` runs (at least one), and the
    last result.

    CPU time (``time.process_time``) is printed beside the wall clock because on a shared
    machine the wall clock also counts the time other processes held the core.
    """
    if repeat < 1:
        raise ValueError(f"--repeat must be at least 1, not {repeat}")
    best, best_cpu = float("inf"), float("inf")
    for _ in range(repeat):
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        result = run()
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
    return best, best_cpu, result


def peak_bytes(run: Callable[[], object]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def build(invoices: int, customers: int) -> tuple[Ledger, date]:
    try:
        from clientguard.sample import SAMPLE_AS_OF, sample_records
    except ImportError:
        return _builders_ledger(invoices, customers)
    data = sample_records(0, invoices=invoices, customers=customers)
    return data.ledger(), SAMPLE_AS_OF


def _builders_ledger(invoices: int, customers: int) -> tuple[Ledger, date]:
    from clientguard.model import AnyRecord
    from clientguard.testing import invoice, ledger, payment

    rng = Random(0)
    start, as_of = date(2023, 7, 1), date(2026, 6, 30)
    records: list[AnyRecord] = []
    for index in range(invoices):
        who = f"c{index % customers:03d}"
        issued = start + timedelta(days=rng.randrange(1080))
        inv = invoice(who, issued=issued, total=f"{rng.randrange(100, 100_000)}.00",
                      id=f"I{index}")
        records.append(inv)
        late = rng.randrange(10, 60) if rng.random() < 0.1 else rng.randrange(-5, 1)
        paid_on = inv.due_date + timedelta(days=late)
        if paid_on <= as_of:
            records.append(payment(who, on=paid_on, amount=inv.total, pays=inv, id=f"P{index}"))
    return ledger(*records), as_of


def run_size(invoices: int, customers: int, repeat: int, memory: bool) -> None:
    start = time.perf_counter()
    book, as_of = build(invoices, customers)
    built = time.perf_counter() - start
    print(f"\nledger: {book!r}")
    print(f"generate and build {built:.1f}s (not part of the analysis)")
    policy = Policy()
    profiles_s, profiles_cpu, profiles = best_of(
        repeat, lambda: payment_profiles(book, as_of=as_of, policy=policy)
    )
    print(f"payment_profiles  {profiles_s:6.2f}s wall {profiles_cpu:6.2f}s cpu  "
          f"customers={len(profiles)}")
    payers_s, payers_cpu, found = best_of(
        repeat, lambda: late_payers(book, as_of=as_of, policy=policy)
    )
    summary = ", ".join(f"{f.customer_id}:{f.signal.value}:{f.severity.value}"
                        for f in found)
    print(f"late_payers       {payers_s:6.2f}s wall {payers_cpu:6.2f}s cpu  "
          f"findings={len(found)}  [{summary}]")
    print(f"both, one after the other {profiles_s + payers_s:6.2f}s wall "
          f"{profiles_cpu + payers_cpu:6.2f}s cpu (late_payers computes the profiles itself; "
          "target < 10 s at 1,000,000)")
    settle_s, settle_cpu, settlements = best_of(
        1, lambda: settle(book, as_of=as_of, policy=policy)
    )
    print(f"settle (models)   {settle_s:6.2f}s wall {settle_cpu:6.2f}s cpu  "
          f"settlements={len(settlements)}  (for reference: one pydantic model per invoice)")
    if memory:
        peak = peak_bytes(lambda: late_payers(book, as_of=as_of, policy=policy))
        print(f"late_payers peak allocation {peak / 2**20:8.1f} MiB "
              f"({peak / max(len(book.invoices), 1):.0f} bytes per invoice)")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--memory", action="store_true",
                        help="also report the analysis' peak allocation (tracemalloc)")
    parser.add_argument("--sizes", type=str, default=None,
                        help="comma-separated invoice counts, run one after another")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [args.invoices]
    for size in sizes:
        run_size(size, args.customers, args.repeat, args.memory)


if __name__ == "__main__":
    main()
