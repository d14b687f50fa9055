"""Benchmark: a 1,000,000-row invoice CSV loaded into a ledger (issue 7: under 30 s).

Run it with ``.venv/bin/python bench/bench_csv.py [ROWS] [--gc-paused]``. It writes a
seeded file of invoices from 1,000 customers (quoted amounts with thousands separators, US
dates, a status column) to a temporary folder, loads it through the CSV connector with a
mapping, builds a strict ledger, and prints the time of the load (wall clock and CPU) and the
peak resident memory of the process.

``--gc-paused`` pauses Python's cyclic garbage collector during the load. A load that keeps a
million records alive makes each collection walk all of them; pausing it shows how much of
the time that costs (the records hold no reference cycles, so nothing is left uncollected).
"""

from __future__ import annotations

import gc
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import clientguard as cg
from clientguard_csv import CsvConnector

MAPPING = {
    "date_formats": ["%m/%d/%Y"],
    "invoices": {
        "columns": {
            "number": "Invoice Number",
            "customer_id": "Customer ID",
            "customer_name": "Customer Name",
            "issue_date": "Invoice Date",
            "due_date": "Due Date",
            "total": "Total",
            "currency": "Currency",
            "status": "Status",
            "amount_due": "Balance",
        },
        "status": {"draft": ["Draft"], "open": ["Sent", "Overdue"], "paid": ["Paid"],
                   "void": ["Void"]},
    },
}


def write_invoices(path: Path, rows: int, seed: int = 7) -> None:
    """A seeded invoice export: one row per invoice."""
    rng = random.Random(seed)
    start = date(2020, 1, 1)
    statuses = ["Paid"] * 6 + ["Sent", "Overdue", "Draft", "Void"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("Invoice Number,Customer ID,Customer Name,Invoice Date,Due Date,Total,"
                     "Balance,Currency,Status,Notes\n")
        for number in range(1, rows + 1):
            customer = rng.randrange(1000)
            issued = start + timedelta(days=rng.randrange(1500))
            due = issued + timedelta(days=rng.choice((14, 30, 45, 60)))
            cents = rng.randrange(1_000, 5_000_000)
            total = f"{cents // 100:,}.{cents % 100:02d}"
            status = rng.choice(statuses)
            balance = "0.00" if status == "Paid" else total
            handle.write(
                f'INV-{number:07d},C{customer:04d},"Client {customer}, Ltd",'
                f"{issued:%m/%d/%Y},{due:%m/%d/%Y},\"{total}\",\"{balance}\",USD,{status},\n"
            )


def main(rows: int = 1_000_000, *, gc_paused: bool = False) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "invoices.csv"
        began = time.perf_counter()
        write_invoices(path, rows)
        written = time.perf_counter()
        size = path.stat().st_size
        cpu = time.process_time()
        if gc_paused:
            gc.disable()
        try:
            connector = CsvConnector(invoices=path, mapping=MAPPING)
            ledger = cg.Ledger.from_connector(connector, base_currency="USD", strict=True)
        finally:
            gc.enable()
        loaded = time.perf_counter()
        cpu = time.process_time() - cpu
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(f"rows: {rows:,} ({size / 2**20:.0f} MiB file, written in {written - began:.1f} s)")
    print(f"ledger: {len(ledger.invoices):,} invoices, {len(ledger.customers):,} customers, "
          f"{len(ledger.report.rejected)} rejected")
    print(f"load into a strict ledger{' (gc paused)' if gc_paused else ''}: "
          f"{loaded - written:.1f} s wall, {cpu:.1f} s CPU (target: under 30 s)")
    print(f"peak resident memory: {peak_kib / 1024:.0f} MiB")


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(int(arguments[0]) if arguments else 1_000_000, gc_paused="--gc-paused" in sys.argv)
