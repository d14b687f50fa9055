"""What the three peer scripts (DuckDB, pandas, polars) share: the question and its answer's form.

Each script (``baseline_duckdb.py``, ``baseline_pandas.py``, ``baseline_polars.py``) runs with
the python of the bench's own virtual environment (``bench/.venv-baselines``; none of the three
engines is ever a dependency of clientguard) as ``SCRIPT FOLDER``, on the CSV files
``python -m bench`` writes, and prints one JSON object: the computation's own wall time, the
engine's version, and per customer and client ``[late, due, weighted, share]``:

``due``       invoices due in the window ``(as_of - lookback_days, as_of]`` whose lateness is
              known (clientguard's ``PaymentProfile.invoices_due``)
``late``      of those, the ones more than ``grace_days`` late (``invoices_late``); the late
              share is ``late / due``, compared exactly
``weighted``  the amount-weighted days late over them (``weighted_days_late``)
``share``     the client's (group's) share of the net revenue issued in the window

The rules, each one clientguard's (``clientguard.settlement``, ``metrics.lateness``,
``metrics.concentration``), written rule for rule in each script:

1. Only ``open`` and ``paid`` invoices issued by ``as_of`` are replayed.
2. An application is a payment row or a credit note with an invoice id, counted on the
   document's date (the files carry no allocation dates); on one day payments come before
   credit notes, then by document id. A document in another currency than its invoice is
   converted on its day at the document's rate (its ``fx_rate``, else the FxTable's) over the
   invoice's (its ``fx_rate`` on its issue date, else the FxTable's, else its ``fx_rate``).
3. An invoice of at most the tolerance is settled on its issue date. One with applications is
   settled on the first day (by ``as_of``) the running sum brings it within the tolerance of
   zero; a ``paid`` invoice with a ``paid_on`` counts only the applications by the end of
   that day (the source's paid date is an event of its day: what comes after it came after
   the invoice was settled), and failing that is settled on ``paid_on``, when that is by
   ``as_of``. One without
   applications that is ``paid`` is settled on ``paid_on`` (when by ``as_of``), and without
   ``paid_on`` its paid date is unknown: left out. A settlement is never before the issue
   date.
4. Days late: ``max(0, settled - due)``; an invoice still open counts ``as_of - due``.
5. Amounts in the base currency: the document's total times 1 in the base currency, else its
   ``fx_rate``, else the FxTable's latest rate on or before its issue date.
6. Weighted days late: ``sum(amount x days late) / sum(amount)`` over the invoices due in the
   window with a non-zero total, not cancelled (rule 8).
7. Revenue: live invoices issued in the window add their base amount, credit notes issued in it
   take theirs off, per customer, summed into its group (``group_id``, else itself); a
   client's share is its amount over the sum of the positive amounts.
8. An invoice settled by rule 3 on the day its applications bring it within the tolerance
   (not an invoice of at most the tolerance, not on its ``paid_on``) that has a credit note
   and no payment row dated on or before that settlement day (a later payment, of the last
   cent or after ``as_of``, does not count) was cancelled, not paid
   (``clientguard.settlement.cancelled_by_credit`` and ``is_cancelled``,
   docs/metrics/lateness.md rule 10): it is not in ``due``, ``late`` nor ``weighted``.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

__all__ = ["Question", "run"]

Numbers = dict[str, list[Any]]


class Question:
    """The question's parameters, from the folder's ``meta.json``."""

    def __init__(self, folder: str) -> None:
        with open(f"{folder}/meta.json", encoding="utf-8") as handle:
            meta = json.load(handle)
        self.folder = folder
        self.as_of = date.fromisoformat(meta["as_of"])
        self.base = meta["base_currency"]
        self.lookback = int(meta["lookback_days"])
        self.tolerance = meta["settle_tolerance"]
        self.grace = int(meta.get("grace_days", 0))
        self.window_start = self.as_of - timedelta(days=self.lookback)  # excluded

    def path(self, name: str) -> str:
        return f"{self.folder}/{name}.csv"


def run(compute: Callable[[Question], Numbers], version: str) -> None:
    """Answer the question of the folder in ``sys.argv[1]``; print the JSON answer."""
    question = Question(sys.argv[1])
    start = time.perf_counter()
    numbers = compute(question)
    wall = time.perf_counter() - start
    print(json.dumps({"query_wall": wall, "version": version, "numbers": numbers}))
