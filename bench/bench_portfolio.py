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
* ``cpu_seconds`` and ``cpu_overhead_per_firm_ms``: the CPU time (user + system) of the run's
  process and of every process it started, directly or not (the workers, Spark's JVM), less
  the in-process run's CPU time, per firm: the same overhead counted in CPU, which other work
  on the machine does not inflate;
* ``peak_worker_rss_mb``: the largest peak resident size (``VmHWM``) of a Python process the
  run started, directly or not (a pool worker, a Dask worker or its nanny, a PySpark worker or
  its daemon): read from ``/proc`` every 0.2 s while the run lasts, each process's own
  high-water mark, so a process seen once is measured whole;
* ``peak_jvm_rss_mb``: the same for the Spark JVM (Spark alone), which holds the driver's and
  executors' Java side apart from the Python workers.

The machine of the reference numbers (docs/portfolio.md) has 2 cores; on it, 2 workers
compete with the driver and the engine's own processes.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from clientguard.policy import Policy
from clientguard.portfolio import firm_ids, run
from clientguard.portfolio.run import FirmTask, review_and_write
from clientguard.portfolio.sample import write_sample_portfolio
from clientguard.sample import SAMPLE_AS_OF


def serial_seconds(lake: Path, out: Path) -> tuple[float, float]:
    """Every firm reviewed and written in this process, one after the other: wall and CPU s."""
    tasks = [FirmTask(f, str(lake), str(out), SAMPLE_AS_OF, Policy()) for f in firm_ids(lake)]
    started, started_cpu = time.perf_counter(), time.process_time()
    for task in tasks:
        review_and_write(task)
    return time.perf_counter() - started, time.process_time() - started_cpu


class DescendantPeaks(threading.Thread):
    """Every 0.2 s, the peak resident size (``VmHWM``) of each process descended from this
    one, kept per kind: ``java`` (Spark's JVM) or ``python`` (any other: the workers); and
    the CPU time (user + system) each has used by its last sample."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peaks_kb: dict[str, int] = {"python": 0, "java": 0}
        self.cpu_ticks: dict[int, int] = {}
        self.own_cpu = 0.0
        self.stop = threading.Event()

    def cpu_seconds(self) -> float:
        """The CPU time of every descendant seen, to its last sample."""
        return sum(self.cpu_ticks.values()) / os.sysconf("SC_CLK_TCK")

    def run(self) -> None:
        while not self.stop.wait(0.2):
            self.sample()
        self.own_cpu = time.thread_time()  # the sampling's own cost, taken off the run's

    def sample(self) -> None:
        parents: dict[int, int] = {}
        ticks: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                fields = stat.rsplit(")", 1)[1].split()  # state, ppid, ...; utime, stime 11, 12
                parents[int(entry)] = int(fields[1])
                ticks[int(entry)] = int(fields[11]) + int(fields[12])
        me = os.getpid()
        for pid in parents:
            ancestor = parents.get(pid)
            while ancestor is not None and ancestor not in (0, 1, me):
                ancestor = parents.get(ancestor)
            if ancestor != me:
                continue
            self.cpu_ticks[pid] = ticks[pid]
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            status_fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            if "VmHWM" not in status_fields:
                continue
            kind = "java" if status_fields.get("Name", "").strip() == "java" else "python"
            peak = int(status_fields["VmHWM"].split()[0])
            self.peaks_kb[kind] = max(self.peaks_kb[kind], peak)


def one_run(lake: Path, engine: str, workers: int) -> dict[str, float]:
    """The child process: one engine, one worker count (``--one``)."""
    peaks = DescendantPeaks()
    peaks.start()
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        summary = run(lake, as_of=SAMPLE_AS_OF, engine=engine, output=out,  # type: ignore[arg-type]
                      workers=workers)
        seconds = time.perf_counter() - started
    peaks.stop.set()
    peaks.join()
    measured = {"seconds": seconds, "firms": summary.firms,
                "cpu_seconds": time.process_time() - peaks.own_cpu + peaks.cpu_seconds(),
                "peak_worker_rss_mb": peaks.peaks_kb["python"] / 1024}
    if peaks.peaks_kb["java"]:
        measured["peak_jvm_rss_mb"] = peaks.peaks_kb["java"] / 1024
    return measured


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
        serial, serial_cpu = serial_seconds(lake, Path(out))
    print(f"in process, one after the other: {serial:.1f} s ({serial_cpu:.1f} s CPU), "
          f"{firms / serial:.2f} firms/s")
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
            measured["cpu_overhead_per_firm_ms"] = (
                (measured["cpu_seconds"] - serial_cpu) / firms * 1000
            )
            results.setdefault(engine, {})[workers] = measured
            print(f"{engine:5} x{workers}: {measured['seconds']:6.1f} s, "
                  f"{measured['firms_per_second_per_core']:5.2f} firms/s/core, overhead "
                  f"{measured['overhead_per_firm_ms']:6.0f} ms/firm (CPU "
                  f"{measured['cpu_overhead_per_firm_ms']:4.0f} ms/firm), peak worker RSS "
                  f"{measured['peak_worker_rss_mb']:5.0f} MB"
                  + (f", JVM {measured['peak_jvm_rss_mb']:5.0f} MB"
                     if "peak_jvm_rss_mb" in measured else ""), flush=True)
        one, two = results[engine].get(1), results[engine].get(2)
        if one and two:
            efficiency = one["seconds"] / two["seconds"] / 2
            two["efficiency"] = efficiency
            print(f"{engine:5}: scaling efficiency 1 -> 2 workers {efficiency:.0%}")
    if args.json:
        args.json.write_text(json.dumps({"firms": firms, "serial_seconds": serial,
                                         "serial_cpu_seconds": serial_cpu, "runs": results},
                                        indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
