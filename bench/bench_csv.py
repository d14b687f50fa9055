"""Benchmark: a 1,000,000-row invoice CSV loaded into a ledger (issue 7: under 30 s).

Run it with ``.venv/bin/python bench/bench_csv.py [ROWS]``. It writes a seeded file of
invoices from 1,000 customers (quoted amounts with thousands separators, US dates, a status
column) to a temporary folder, loads it through the CSV connector with a mapping, builds a
strict ledger, and prints the time of each step and the peak resident memory of the process.
"""

from __future__ import annotations

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


def main(rows: int = 1_000_000) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "invoices.csv"
        began = time.perf_counter()
        write_invoices(path, rows)
        written = time.perf_counter()
        size = path.stat().st_size
        connector = CsvConnector(invoices=path, mapping=MAPPING)
        ledger = cg.Ledger.from_connector(connector, base_currency="USD", strict=True)
        loaded = time.perf_counter()
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(f"rows: {rows:,} ({size / 2**20:.0f} MiB file, written in {written - began:.1f} s)")
    print(f"ledger: {len(ledger.invoices):,} invoices, {len(ledger.customers):,} customers, "
          f"{len(ledger.report.rejected)} rejected")
    print(f"load into a strict ledger: {loaded - written:.1f} s (target: under 30 s)")
    print(f"peak resident memory: {peak_kib / 1024:.0f} MiB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
