"""Benchmarks, run on demand (``make bench``), never by ``make test``.

``python -m bench`` is the whole path from CSV files to a finished review at 10,000, 100,000 and
1,000,000 invoices (:mod:`bench.pipeline`; ``docs/performance.md`` has the options and the
numbers). ``bench_csv.py``, ``bench_lateness.py`` and ``bench_concentration.py`` time one part
each.
"""
