"""Review every firm of a lake on an engine: :func:`run`.

Each firm is one task: :func:`review_and_write` is told where the lake is and which firm, reads
it, reviews it (:func:`~clientguard.portfolio.review_firm`) and writes its rows
(:mod:`clientguard.portfolio.output`); the engine only hands out tasks and counts what comes
back. Tasks run in worker processes, never threads: a review is pure Python, and threads of
one process would share one core (the GIL).

* ``local``: a process pool on this machine (:class:`concurrent.futures.ProcessPoolExecutor`).
* ``dask``: the tasks mapped over a ``dask.distributed`` client, the caller's or a
  ``LocalCluster`` of ``workers`` processes (``pip install 'clientguard[dask]'``).
* ``spark``: ``mapInArrow`` over a frame of the firm ids, on the caller's ``SparkSession``
  or a local one (``pip install 'clientguard[spark]'``).

Every engine runs the same task, so every engine writes the same rows; a retried task (a
worker lost, a task failed) rewrites its firm's files and never duplicates a row.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final, Literal

from clientguard.errors import ClientguardError
from clientguard.i18n import (
    DEFAULT_LANGUAGE,
    gettext,
    language,
    ngettext,
    noop,
    resolve_language,
    using,
)
from clientguard.policy import Policy
from clientguard.portfolio.firm import (
    FAILED,
    INTERNAL_ERROR,
    FirmResult,
    FirmSummary,
    error_reason,
    review_firm,
)
from clientguard.portfolio.layout import (
    LAYOUT_VERSION,
    LayoutError,
    check_firm_id,
    firm_ids,
    replace_file,
)
from clientguard.portfolio.output import write_result

__all__ = [
    "COMPLETE",
    "ENGINES",
    "INTERRUPTED",
    "RUN_FILE",
    "STARTED",
    "Engine",
    "FirmOutcome",
    "FirmTask",
    "RunSummary",
    "review_and_write",
    "run",
    "run_local",
    "write_failure",
]

Engine = Literal["local", "dask", "spark"]
ENGINES: Final[tuple[str, ...]] = ("local", "dask", "spark")
RUN_FILE: Final = "_clientguard_run.json"
"""What a run's output folder says about the run: the date, the language, the policy, the
firms, and whether the run finished (``state``: :data:`STARTED`, :data:`INTERRUPTED` or
:data:`COMPLETE`)."""
STARTED: Final = "started"
"""The run file's ``state`` from a run's start until it ends: a run killed outright (the
machine lost, ``kill -9``) leaves it, so the folder never shows an older run's file beside
this run's rows."""
INTERRUPTED: Final = "interrupted"
"""The run file's ``state`` after a run stopped by an exception (Ctrl-C, a lost cluster):
``firms_done`` lists the firms whose rows this run wrote; the others' are an older run's, or
none."""
COMPLETE: Final = "complete"
"""The run file's ``state`` once every firm of the run is done."""


@dataclass(frozen=True)
class FirmTask:
    """Where one firm's records are and where its rows go: all a worker is sent."""

    firm_id: str
    source: str
    output: str
    as_of: date
    policy: Policy
    lang: str = DEFAULT_LANGUAGE
    """The language of the firm's rows (a finding's ``message``, a failed firm's ``reason``):
    the run's. A worker starts in English (the language is a context variable of the
    driver), so the task carries it."""


@dataclass(frozen=True)
class FirmOutcome:
    """What a worker sends back: the firm, its status and how many findings it wrote."""

    firm_id: str
    status: str
    findings: int
    reason: str | None = None
    written: bool = True
    """Whether the firm's rows are in the output. Not for a firm id that cannot name a
    partition, or when even its error row could not be written: ``_clientguard_run.json``
    lists those firms with their reason."""


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
    """One firm's task: review it and write its rows. What every engine runs on a worker.

    Never raises for the firm: a firm id that cannot name a partition is an outcome that is
    not written (a partition named ``firm_id=..`` or ``firm_id=_x`` would be a path outside
    the output, or one that Spark and pyarrow skip as hidden); rows that cannot be written
    (a full disk, a value no column holds) become the firm's error row, else an outcome
    saying why. An exception here would stop the run's other firms on every engine."""
    result: FirmResult = review_firm(task.firm_id, task.source, as_of=task.as_of,
                                     policy=task.policy, lang=task.lang)
    summary = result.summary
    try:
        check_firm_id(task.firm_id)
    except LayoutError:
        return FirmOutcome(task.firm_id, summary.status, 0, summary.reason, written=False)
    output = Path(task.output)
    try:
        write_result(output, result)
    except Exception as exc:  # the firm's row says why (for a bug: the exception's type)
        status = FAILED if isinstance(exc, OSError) else INTERNAL_ERROR
        # In the run's language (a worker starts in English), as worker_died's.
        with using(task.lang):
            reason = _in_output(output, gettext("its rows could not be written: {reason}")
                                .format(reason=error_reason(exc)))
        return write_failure(task, status, reason)
    return FirmOutcome(task.firm_id, summary.status, len(result.findings), summary.reason)


def write_failure(task: FirmTask, status: str, reason: str) -> FirmOutcome:
    """Write the summary row of a firm that was not reviewed (``status`` and ``reason``) in
    place of its rows, and return its outcome. Where even that row cannot be written, the
    outcome says so and is marked not written."""
    output = Path(task.output)
    try:
        write_result(output, FirmResult(FirmSummary(task.firm_id, status, reason, task.as_of)))
    except Exception as exc:  # said in the outcome, and in _clientguard_run.json
        with using(task.lang):
            reason = _in_output(output, gettext("{reason}; nor its error row: {why}").format(
                reason=reason, why=error_reason(exc)))
        return FirmOutcome(task.firm_id, status, 0, reason, written=False)
    return FirmOutcome(task.firm_id, status, 0, reason)


def _in_output(output: Path, text: str) -> str:
    """``text`` with the output folder's own path left out (``firms/firm_id=x/...``): a
    row names files as the lake's reader does, relative to their folder."""
    return text.replace(f"{output}{os.sep}", "").replace(str(output), ".")


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
    lang: str | None = None,
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

    ``lang`` (``"en"``, ``"pl"``) is the language of the rows' sentences (a finding's
    ``message``, a failed firm's ``reason``); default: the active language of
    :func:`clientguard.i18n.using`, else English (``clientguard portfolio`` passes its
    ``--lang``). The columns and their codes are the same in every language; the run file
    records it. Raises ``ValueError`` for a language clientguard does not write.
    """
    code = resolve_language(lang) if lang is not None else language()
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
        raise ClientguardError(
            ngettext("the lake {path} has no firm {firms}", "the lake {path} has no firms {firms}",
                     len(missing)).format(path=root, firms=", ".join(map(repr, missing)))
        )
    out = Path(output).resolve()
    out.mkdir(parents=True, exist_ok=True)
    policy = policy or Policy()
    tasks = [FirmTask(f, str(root), str(out), as_of, policy, code) for f in chosen]
    count = workers or os.cpu_count() or 1
    # A firm reported twice (a Spark job given up after some of its firms were done, whose
    # firms run again) counts once, its last outcome: the progress never passes the total.
    outcomes: dict[str, FirmOutcome] = {}

    def done(outcome: FirmOutcome) -> None:
        outcomes.pop(outcome.firm_id, None)
        outcomes[outcome.firm_id] = outcome
        if progress is not None:
            progress(outcome, len(outcomes), len(tasks))

    def describe(state: str) -> None:
        ordered = tuple(outcomes[f] for f in sorted(outcomes))
        _write_run_file(out, as_of, policy, chosen, ordered, code, state)

    # Before the first firm's rows: the folder's run file is this run's from now on, never
    # the previous run's beside rows this run replaced.
    describe(STARTED)
    try:
        if engine == "local":
            run_local(tasks, done, workers=count)
        elif engine == "dask":
            from clientguard.portfolio.dask_engine import run_dask

            run_dask(tasks, done, client=client, scheduler=scheduler, workers=count)
        else:
            from clientguard.portfolio.spark_engine import run_spark

            run_spark(tasks, done, spark=spark, workers=count)
    except BaseException:
        describe(INTERRUPTED)  # which firms this run wrote; then the exception, as it was
        raise
    summary = RunSummary(out, tuple(outcomes[f] for f in sorted(outcomes)))
    describe(COMPLETE)
    return summary


WORKER_DIED: Final = noop("the worker process reviewing it died each time it ran (killed for "
                           "lack of memory, or crashed): give the workers more memory, or look "
                           "at the firm's data")
"""The reason of a firm whose review kills the process that runs it, in English
(:func:`worker_died` gives it in the run's language)."""


def worker_died(task: FirmTask) -> str:
    """:data:`WORKER_DIED` in the language of the task's run (written by the driver, whose
    own language may be another)."""
    with using(task.lang):
        return gettext(WORKER_DIED)


TaskFunction = Callable[[FirmTask], FirmOutcome]
"""What runs per firm on a worker: :func:`review_and_write` (the tests inject failures)."""


def run_local(tasks: Sequence[FirmTask], done: Callable[[FirmOutcome], None], *, workers: int,
              task_function: TaskFunction = review_and_write) -> None:
    """Run ``tasks`` on a process pool of ``workers``, calling ``done`` on the driver as each
    firm is done. A worker that dies (the kernel's OOM killer, a crash) breaks the whole
    pool: the firms not done yet run again in a fresh one, those the dead worker may have
    been running each alone first, so that a firm that kills its process gets an error row
    (:data:`WORKER_DIED`) and the others are reviewed."""
    remaining = list(tasks)
    while remaining:
        remaining, suspects = _run_pool(remaining, workers, done, task_function)
        for task in suspects:
            if _run_pool([task], 1, done, task_function)[1]:
                done(write_failure(task, INTERNAL_ERROR, worker_died(task)))


def _run_pool(tasks: Sequence[FirmTask], workers: int, done: Callable[[FirmOutcome], None],
              task_function: TaskFunction) -> tuple[list[FirmTask], list[FirmTask]]:
    """Run ``tasks`` on a fresh pool of ``workers``. When the pool breaks: the firms not
    done that were not handed to a worker, and those that may have been (the suspects)."""
    # "spawn": a fresh interpreter per worker, the same on every platform, inheriting no
    # thread or lock of the caller (forking a process with threads can deadlock).
    context = multiprocessing.get_context("spawn")
    finished: set[int] = set()
    broken = False
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(task_function, task): index
                   for index, task in enumerate(tasks)}
        try:
            for future in as_completed(futures):
                index = futures.pop(future)  # let go of each result once it is read
                try:
                    outcome = future.result()
                except BrokenProcessPool:
                    broken = True
                    continue
                except Exception as exc:  # e.g. an outcome that would not pickle: its row
                    outcome = write_failure(tasks[index], INTERNAL_ERROR, error_reason(exc))
                finished.add(index)
                done(outcome)
        except BaseException:
            # The run stops (Ctrl-C, an exception of the caller's progress): the firms not
            # handed to a worker yet are not started. Leaving the pool would otherwise wait
            # for every firm of the run, reviewing and writing them after the run file says
            # the run was interrupted.
            pool.shutdown(wait=True, cancel_futures=True)
            # The firms a worker held finished and wrote their rows while the pool shut
            # down: they are this run's too, so the run file's firms_done lists them (their
            # outcomes reach ``done``; what the caller's progress says of them is not asked).
            for future in futures:
                if future.done() and not future.cancelled() and future.exception() is None:
                    with suppress(BaseException):
                        done(future.result())
            raise
    if not broken:
        return [], []
    unfinished = [task for index, task in enumerate(tasks) if index not in finished]
    # The pool hands tasks out in the order they were submitted, to its workers and to a
    # queue of one more than it has workers: what a dead worker may have been running is
    # among the first 2 x workers + 1 firms not done.
    handed_out = 2 * workers + 1
    return unfinished[handed_out:], unfinished[:handed_out]


def _write_run_file(out: Path, as_of: date, policy: Policy, firms: Sequence[str],
                    outcomes: Sequence[FirmOutcome], lang: str, state: str) -> None:
    described: dict[str, Any] = {
        "layout_version": LAYOUT_VERSION,
        # started, interrupted or complete: only a complete run's file describes every
        # firm's rows.
        "state": state,
        "as_of": as_of.isoformat(),
        # The language of the rows' sentences (message, reason): one per run.
        "lang": lang,
        "firms": list(firms),
        # The firms whose rows are not in the output, and why (sorted by firm id).
        "not_written": [{"firm_id": o.firm_id, "status": o.status, "reason": o.reason}
                        for o in outcomes if not o.written],
        "policy": policy.model_dump(mode="json"),
    }
    if state == INTERRUPTED:
        # The firms this run reached (their rows are this run's, or not_written says why).
        described["firms_done"] = [o.firm_id for o in outcomes]
    replace_file(out / RUN_FILE, (json.dumps(described, indent=2) + "\n").encode())
