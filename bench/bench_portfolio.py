"""Review a generated portfolio on each engine with 1 and 2 workers (run on demand).

Usage::

    .venv/bin/python bench/bench_portfolio.py [--firms 200] [--invoices N]
        [--engines local,dask,spark] [--workers 1,2] [--lake DIR] [--json FILE]

The lake is :func:`clientguard.portfolio.sample.write_sample_portfolio` (sample firms of 10 to
50 customers, or exactly ``--invoices`` each; written once, kept with ``--lake``). First every
firm is reviewed in this process, one after the other (the work itself: no engine). Then each
engine and worker count runs in a fresh child process (so each pays its own start-up, as a
user's run does), reviewing every firm into a fresh output folder. Reported per run:

* ``seconds``: wall time of :func:`clientguard.portfolio.run`, start-up included;
* ``firms_per_second_per_core``: firms / seconds / workers;
* ``efficiency``: the 2-worker throughput over twice the 1-worker one (1.0 is perfect);
* ``overhead_per_firm_ms``: (seconds x workers - the in-process time) / firms: what the
  engine adds to each firm, its start-up spread over the run;
* ``peak_child_rss_mb``: the largest resident size of a process the run started and waited
  for (a pool worker, a Dask nanny's worker; for Spark, the JVM, which holds its Python
  workers' memory apart), from ``getrusage(RUSAGE_CHILDREN)``.

The machine of the reference numbers (docs/portfolio.md) has 2 cores; on it, 2 workers
compete with the driver and the engine's own processes.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from clientguard.policy import Policy
from clientguard.portfolio import firm_ids, run
from clientguard.portfolio.run import FirmTask, review_and_write
from clientguard.portfolio.sample import write_sample_portfolio
from clientguard.sample import SAMPLE_AS_OF


def serial_seconds(lake: Path, out: Path) -> float:
    """Every firm reviewed and written in this process, one after the other."""
    tasks = [FirmTask(f, str(lake), str(out), SAMPLE_AS_OF, Policy()) for f in firm_ids(lake)]
    started = time.perf_counter()
    for task in tasks:
        review_and_write(task)
    return time.perf_counter() - started


def one_run(lake: Path, engine: str, workers: int) -> dict[str, float]:
    """The child process: one engine, one worker count (``--one``)."""
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        summary = run(lake, as_of=SAMPLE_AS_OF, engine=engine, output=out,  # type: ignore[arg-type]
                      workers=workers)
        seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"seconds": seconds, "firms": summary.firms, "peak_child_rss_mb": peak_kb / 1024}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--firms", type=int, default=200)
    parser.add_argument("--invoices", type=int, default=None)
    parser.add_argument("--engines", default="local,dask,spark")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--lake", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--one", nargs=2, metavar=("ENGINE", "WORKERS"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    lake = args.lake or Path(tempfile.mkdtemp()) / "lake"
    if args.one:
        print(json.dumps(one_run(lake, args.one[0], int(args.one[1]))))
        return 0
    if not (lake / "firm").is_dir():
        started = time.perf_counter()
        write_sample_portfolio(lake, firms=args.firms, invoices=args.invoices)
        print(f"lake of {args.firms} firms written in {time.perf_counter() - started:.1f} s")
    firms = len(firm_ids(lake))
    with tempfile.TemporaryDirectory() as out:
        serial = serial_seconds(lake, Path(out))
    print(f"in process, one after the other: {serial:.1f} s, {firms / serial:.2f} firms/s")
    results: dict[str, dict[int, dict[str, float]]] = {}
    for engine in args.engines.split(","):
        for workers in (int(w) for w in args.workers.split(",")):
            child = subprocess.run(
                [sys.executable, __file__, "--lake", str(lake), "--one", engine, str(workers)],
                capture_output=True, text=True, check=True,
            )
            measured = json.loads(child.stdout.strip().splitlines()[-1])
            measured["firms_per_second_per_core"] = firms / measured["seconds"] / workers
            measured["overhead_per_firm_ms"] = (
                (measured["seconds"] * workers - serial) / firms * 1000
            )
            results.setdefault(engine, {})[workers] = measured
            print(f"{engine:5} x{workers}: {measured['seconds']:6.1f} s, "
                  f"{measured['firms_per_second_per_core']:5.2f} firms/s/core, overhead "
                  f"{measured['overhead_per_firm_ms']:6.0f} ms/firm, peak child RSS "
                  f"{measured['peak_child_rss_mb']:5.0f} MB", flush=True)
        one, two = results[engine].get(1), results[engine].get(2)
        if one and two:
            efficiency = one["seconds"] / two["seconds"] / 2
            two["efficiency"] = efficiency
            print(f"{engine:5}: scaling efficiency 1 -> 2 workers {efficiency:.0%}")
    if args.json:
        args.json.write_text(json.dumps({"firms": firms, "serial_seconds": serial,
                                         "runs": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
