"""Review every firm of a lake on an engine: :func:`run`.

Each firm is one task: :func:`review_and_write` is told where the lake is and which firm, reads
it, reviews it (:func:`~clientguard.portfolio.review_firm`) and writes its rows
(:mod:`clientguard.portfolio.output`); the engine only hands out tasks and counts what comes
back. Tasks run in worker processes, never threads: a review is pure Python, and threads of
one process would share one core (the GIL).

* ``local``: a process pool on this machine (:class:`concurrent.futures.ProcessPoolExecutor`).
* ``dask``: the tasks mapped over a ``dask.distributed`` client, the caller's or a
  ``LocalCluster`` of ``workers`` processes (``pip install 'clientguard[dask]'``).
* ``spark``: ``groupBy("firm_id").applyInPandas`` over a frame of the firms, on the caller's
  ``SparkSession`` or a local one (``pip install 'clientguard[spark]'``).

Every engine runs the same task, so every engine writes the same rows; a retried task (a
worker lost, a task failed) rewrites its firm's files and never duplicates a row.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final, Literal

from clientguard.errors import ClientguardError
from clientguard.policy import Policy
from clientguard.portfolio.firm import FAILED, INTERNAL_ERROR, FirmResult, review_firm
from clientguard.portfolio.layout import LAYOUT_VERSION, firm_ids, replace_file
from clientguard.portfolio.output import write_result

__all__ = [
    "ENGINES",
    "RUN_FILE",
    "Engine",
    "FirmOutcome",
    "FirmTask",
    "RunSummary",
    "review_and_write",
    "run",
]

Engine = Literal["local", "dask", "spark"]
ENGINES: Final[tuple[str, ...]] = ("local", "dask", "spark")
RUN_FILE: Final = "_clientguard_run.json"
"""What a run's output folder says about the run: the date, the policy, the firms."""


@dataclass(frozen=True)
class FirmTask:
    """Where one firm's records are and where its rows go: all a worker is sent."""

    firm_id: str
    source: str
    output: str
    as_of: date
    policy: Policy


@dataclass(frozen=True)
class FirmOutcome:
    """What a worker sends back: the firm, its status and how many findings it wrote."""

    firm_id: str
    status: str
    findings: int
    reason: str | None = None


@dataclass(frozen=True)
class RunSummary:
    """What a run did, firm by firm (sorted by firm id)."""

    output: Path
    outcomes: tuple[FirmOutcome, ...]

    @property
    def firms(self) -> int:
        return len(self.outcomes)

    @property
    def reviewed(self) -> int:
        return sum(1 for o in self.outcomes if o.status not in (FAILED, INTERNAL_ERROR))

    @property
    def failed(self) -> tuple[FirmOutcome, ...]:
        """The firms that were not reviewed (their rows say why)."""
        return tuple(o for o in self.outcomes if o.status in (FAILED, INTERNAL_ERROR))

    @property
    def findings(self) -> int:
        return sum(o.findings for o in self.outcomes)


def review_and_write(task: FirmTask) -> FirmOutcome:
    """One firm's task: review it and write its rows. What every engine runs on a worker."""
    result: FirmResult = review_firm(task.firm_id, task.source, as_of=task.as_of,
                                     policy=task.policy)
    write_result(Path(task.output), result)
    summary = result.summary
    return FirmOutcome(task.firm_id, summary.status, len(result.findings), summary.reason)


Progress = Callable[[FirmOutcome, int, int], None]
"""Called on the driver as each firm is done: ``(outcome, done so far, total)``."""


def run(
    source: str | os.PathLike[str],
    *,
    as_of: date,
    policy: Policy | None = None,
    engine: Engine = "local",
    output: str | os.PathLike[str],
    firms: Sequence[str] | None = None,
    workers: int | None = None,
    client: Any = None,
    scheduler: str | None = None,
    spark: Any = None,
    progress: Progress | None = None,
) -> RunSummary:
    """Review every firm of the lake at ``source`` (or only ``firms``) as of ``as_of`` on
    ``engine``, writing ``firms/`` and ``findings/`` under ``output``.

    ``workers`` is the number of worker processes of a pool or cluster this function starts
    (default: the machine's cores); ``client`` a ``dask.distributed.Client`` and ``spark`` a
    ``SparkSession`` to run on instead of starting one; ``scheduler`` the address of a running
    Dask scheduler to connect to. ``source`` and ``output`` must be
    paths every worker can reach (a shared file system on a cluster). Raises
    :class:`~clientguard.errors.ClientguardError` for an unknown engine, a lake that is not
    one, or an engine whose extra is not installed; a firm that fails is a row, never an
    exception.
    """
    if engine not in ENGINES:
        raise ClientguardError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
    if not isinstance(as_of, date):
        raise TypeError(f"as_of must be a date, not {type(as_of).__name__}")
    if workers is not None and workers < 1:
        raise ClientguardError(f"workers={workers}: at least one worker is needed")
    root = Path(source).resolve()
    listed = firm_ids(root)
    chosen = tuple(sorted(set(firms))) if firms is not None else listed
    missing = sorted(set(chosen) - set(listed))
    if missing:
        raise ClientguardError(f"the lake {root} has no firm {', '.join(map(repr, missing))}")
    out = Path(output).resolve()
    out.mkdir(parents=True, exist_ok=True)
    policy = policy or Policy()
    tasks = [FirmTask(f, str(root), str(out), as_of, policy) for f in chosen]
    count = workers or os.cpu_count() or 1
    seen: list[FirmOutcome] = []

    def done(outcome: FirmOutcome) -> None:
        seen.append(outcome)
        if progress is not None:
            progress(outcome, len(seen), len(tasks))

    if engine == "local":
        _run_local(tasks, count, done)
    elif engine == "dask":
        from clientguard.portfolio.dask_engine import run_dask

        run_dask(tasks, done, client=client, scheduler=scheduler, workers=count)
    else:
        from clientguard.portfolio.spark_engine import run_spark

        run_spark(tasks, done, spark=spark, workers=count)
    _write_run_file(out, as_of, policy, chosen)
    outcomes = {o.firm_id: o for o in seen}  # a retried task may report twice: once counts
    return RunSummary(out, tuple(outcomes[f] for f in sorted(outcomes)))


def _run_local(tasks: Iterable[FirmTask], workers: int, done: Callable[[FirmOutcome], None]
               ) -> None:
    # "spawn": a fresh interpreter per worker, the same on every platform, inheriting no
    # thread or lock of the caller (forking a process with threads can deadlock).
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(review_and_write, task) for task in tasks]
        for future in as_completed(futures):
            done(future.result())


def _write_run_file(out: Path, as_of: date, policy: Policy, firms: Sequence[str]) -> None:
    described = {
        "layout_version": LAYOUT_VERSION,
        "as_of": as_of.isoformat(),
        "firms": list(firms),
        "policy": policy.model_dump(mode="json"),
    }
    replace_file(out / RUN_FILE, (json.dumps(described, indent=2) + "\n").encode())
