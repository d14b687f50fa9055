"""A small run of the portfolio benchmark (``bench/bench_portfolio.py``), so that its code
never rots, and a check of how it measures a worker's memory.

The real run (1,000 firms of 2,000 invoices, every engine with 1 and 2 workers) is on demand
and reported in docs/portfolio.md; this one takes three small firms through the ``local``
engine only.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytest.importorskip("pyarrow", reason="the portfolio's lake is Parquet: clientguard[parquet]")


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bench_portfolio", ROOT / "bench" / "bench_portfolio.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_peak_of_a_grandchild_is_measured(bench: ModuleType) -> None:
    # A child that starts a grandchild holding 60 MB until the test lets it go: the sampler
    # must find the grandchild (not only direct children) and report at least what it held.
    holder = ("import sys; block = b'x' * (60 * 1024 * 1024); print('ready', flush=True); "
              "sys.stdin.read()")
    starter = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {holder!r}])"
    # What this process's other descendants hold already (a Spark JVM an earlier test of the
    # session left running is one): the grandchild must add to "python", not to "java".
    before = bench.DescendantPeaks()
    before.sample()
    child = subprocess.Popen([sys.executable, "-c", starter], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdin is not None
    try:
        assert child.stdout.readline().strip() == "ready"
        peaks = bench.DescendantPeaks()
        peaks.sample()
    finally:
        child.stdin.close()
        child.wait(timeout=60)
    assert peaks.peaks_kb["python"] >= 60 * 1024
    assert peaks.peaks_kb["java"] - before.peaks_kb["java"] < 60 * 1024
    assert peaks.cpu_seconds() >= 0


def test_a_small_portfolio_runs_with_one_and_two_workers(tmp_path: Path) -> None:
    out = tmp_path / "measures.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_portfolio.py"), "--firms", "3",
         "--invoices", "500", "--engines", "local", "--workers", "1,2",
         "--lake", str(tmp_path / "lake"), "--json", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    measures = json.loads(out.read_text())
    assert measures["firms"] == 3
    runs = measures["runs"]["local"]
    for workers in ("1", "2"):
        assert runs[workers]["firms"] == 3
        assert runs[workers]["seconds"] > 0
        # A pool worker imports clientguard and reads Parquet: tens of MB at least.
        assert runs[workers]["peak_worker_rss_mb"] > 20
    assert runs["2"]["efficiency"] > 0
    assert "scaling efficiency" in done.stdout
