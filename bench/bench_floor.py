"""Benchmark: the floor of one Python object a record (issue 21, `docs/performance.md`).

What the cheapest per-record steps of CSV to a review cost, per invoice, on the pipeline
benchmark's own files: pyarrow parsing the invoice and payment files into columns, making a
checked invoice without validating it again (``clientguard.trust.checked_record_in_order``),
one loop reading six fields of every invoice, one loop summing ``total * days`` in Decimal.
Nothing here is a step of clientguard's path: these are the bounds any path that keeps a
Python object a record cannot go below, the measure of how far a per-record design can go.

Run it with ``.venv/bin/python -m bench.bench_floor [INVOICES] [--dir DIR]``: it writes the
pipeline's CSV files for INVOICES invoices (default 200,000) into DIR (default a temporary
folder), or reuses them when DIR holds them already. Each line is the best CPU time
(``time.process_time``) of three, and that time per invoice. The pyarrow lines need the
``fast`` extra and are left out without it.
"""

from __future__ import annotations

import argparse
import functools
import gc
import importlib.util
import json
import tempfile
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.pipeline import connector, read_fx, write_csv
from clientguard.ledger import Ledger
from clientguard.model import Invoice
from clientguard.sample import sample_records
from clientguard.trust import checked_record_in_order


def best_cpu(work: Callable[[], Any], runs: int = 3) -> float:
    """The least CPU seconds of ``runs`` runs of ``work``."""
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best


def floors(folder: Path, *, runs: int = 3) -> list[tuple[str, float, int]]:
    """Each measured step: (what, best CPU seconds, invoices), on the files in ``folder``."""
    base = json.loads((folder / "meta.json").read_text())["base_currency"]
    gc.disable()  # as the load runs: the records outlive every loop here
    try:
        ledger = Ledger.from_connector(connector(folder), base_currency=base,
                                       fx=read_fx(folder), strict=True)
        invoices = ledger.invoices
        count = len(invoices)
        steps: list[tuple[str, float, int]] = []
        if importlib.util.find_spec("pyarrow") is not None:
            from pyarrow import csv as arrow_csv

            for name in ("invoices", "payments"):
                path = folder / f"{name}.csv"
                seconds = best_cpu(functools.partial(arrow_csv.read_csv, path), runs)
                steps.append((f"pyarrow parsing {name}.csv", seconds, count))

        names = tuple(Invoice.model_fields)
        rows = [tuple(getattr(i, n) for n in names) for i in invoices]
        given = set(names)

        def make() -> None:
            for values in rows:
                checked_record_in_order(Invoice, values, given)

        steps.append(("making a checked invoice", best_cpu(make, runs), count))

        def read_six() -> None:
            for i in invoices:
                i.id, i.customer_id, i.issue_date, i.due_date, i.total, i.currency  # noqa: B018

        steps.append(("one loop reading six fields", best_cpu(read_six, runs), count))

        def weigh() -> Decimal:
            total = Decimal(0)
            for i in invoices:
                total += i.total * (i.due_date - i.issue_date).days
            return total

        steps.append(("one loop summing total x days (Decimal)", best_cpu(weigh, runs), count))
        return steps
    finally:
        gc.enable()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("invoices", nargs="?", type=int, default=200_000)
    parser.add_argument("--dir", type=Path, help="where the CSV files are (or are written)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.dir or Path(scratch)
        if not (folder / "meta.json").exists():
            folder.mkdir(parents=True, exist_ok=True)
            write_csv(sample_records(0, invoices=args.invoices, customers=40), folder)
        for what, seconds, count in floors(folder, runs=args.runs):
            print(f"{what:<42} {seconds:8.3f} s CPU  {seconds / count * 1e6:6.2f} µs an invoice"
                  f"  ({count:,} invoices)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
