"""The Spark engine: the firms as a DataFrame, reviewed by ``mapInArrow`` on the executors.

The driver makes a one-column DataFrame of firm ids, repartitions it by firm into at most
``8 x defaultParallelism`` partitions (an explicit count, which adaptive query execution keeps),
and maps each partition with a function that reviews its firms one by one and writes their
files (:func:`~clientguard.portfolio.run.review_and_write`). What comes back is a status row per
firm (a few hundred bytes each: the driver collects them). A failed task is retried by Spark
(``spark.task.maxFailures``); the retry rewrites the same files, so the output holds each row
once.

A firm that fails every attempt of its task (its review kills the Python worker: the kernel's
out-of-memory killer, a crash) makes Spark abort the whole job, and with it every other
firm's outcome. The firms of an aborted job are then run again in two halves, each a job of
its own, and an aborted half is halved again: the firms beside the one that kills its worker
are reviewed (rewriting the same files), and a firm whose job of one still aborts gets an
``error`` row (:data:`~clientguard.portfolio.run.WORKER_DIED`), written by the driver; the run
goes on. One such firm among n costs about 2 log2(n) more jobs and rereviews the firms of the
halves it was in, once per level.

The driver hears of firms as Spark's tasks finish, a partition's firms at a time: each task
adds its firms' outcomes to an accumulator, which Spark merges on the driver when the task
succeeds (a failed attempt's are dropped), while the job runs in a thread of the driver. A
firm is reported once, again only if a later job (a half of an aborted one) gives it another
outcome. When the run is interrupted (Ctrl-C, an exception of the caller's progress), the
job is cancelled (its tag) before the exception goes on.

The caller's active ``SparkSession`` is used as it is (``spark-submit``, Databricks): its
configuration is the caller's. Without one, a local session of ``workers`` cores is started,
with the UI and the console progress bar off (the bar would garble the command's own progress
line on stderr), and stopped at the end. Imports pyspark; only
:func:`clientguard.portfolio.run` imports this module.
"""

from __future__ import annotations

import os
import sys
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from clientguard.errors import ClientguardError
from clientguard.portfolio.firm import INTERNAL_ERROR
from clientguard.portfolio.run import (
    FirmOutcome,
    FirmTask,
    TaskFunction,
    review_and_write,
    worker_died,
    write_failure,
)

try:
    import pyarrow as pa
    from pyspark import AccumulatorParam
    from pyspark.sql import SparkSession
except ImportError:  # pragma: no cover - the message is the point
    raise ClientguardError(
        "the spark engine needs PySpark: pip install 'clientguard[spark]'"
    ) from None

__all__ = ["OUTCOME_SCHEMA", "run_spark"]

OUTCOME_SCHEMA = \
    "firm_id string, status string, findings int, reason string, written boolean"
"""A firm's outcome as the executors send it back: every field of
:class:`~clientguard.portfolio.run.FirmOutcome` (``written`` too, which the run file's
``not_written`` lists)."""
PARTITIONS_PER_CORE = 8
"""Partitions per core of the session: small enough that a slow firm does not leave the other
cores idle at the end, few enough that Spark's per-task cost stays small."""

_ABORTED = "Job aborted due to stage failure"
"""What Spark's error says when a task failed ``spark.task.maxFailures`` times and the job was
given up (``SparkException``, classic and Connect alike); any other error is the session's
(a stopped context, a lost driver) and is raised."""


def run_spark(
    tasks: Sequence[FirmTask],
    done: Callable[[FirmOutcome], None],
    *,
    spark: Any = None,
    workers: int,
    task_function: TaskFunction = review_and_write,
) -> None:
    """Run ``tasks`` on ``spark`` (or the active session, or a local one of ``workers``
    cores), calling ``done`` on the driver for each firm once the job is done.
    ``task_function`` is what runs per firm (the tests inject a failure through it)."""
    if not tasks:
        return
    session = spark if spark is not None else SparkSession.getActiveSession()
    if session is not None:
        _map(session, tasks, done, task_function)
        return
    # The local executors' Python must be this one (with clientguard in it), not whichever
    # "python3" comes first on the PATH; PySpark reads PYSPARK_PYTHON when it starts them.
    # Set for this run only, unless the caller set it.
    given = os.environ.get("PYSPARK_PYTHON")
    os.environ["PYSPARK_PYTHON"] = given or sys.executable
    session = _local_session(workers)
    try:
        _map(session, tasks, done, task_function)
    finally:
        session.stop()
        if given is None:
            del os.environ["PYSPARK_PYTHON"]


def _local_session(workers: int) -> Any:
    return (
        SparkSession.builder.master(f"local[{workers}]")
        .appName("clientguard portfolio")
        .config("spark.ui.enabled", "false")
        # Spark's "[Stage 2:==>  (1 + 1) / 2]" bar on stderr would garble the command's own
        # progress line; the run reports the firms as its tasks finish instead.
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(workers * PARTITIONS_PER_CORE))
        .getOrCreate()
    )


def _map(
    session: Any,
    tasks: Sequence[FirmTask],
    done: Callable[[FirmOutcome], None],
    task_function: TaskFunction,
) -> None:
    reported: dict[str, FirmOutcome] = {}

    def report(outcome: FirmOutcome) -> None:
        # Once per firm; again only with another outcome (a half of an aborted job).
        if reported.get(outcome.firm_id) != outcome:
            reported[outcome.firm_id] = outcome
            done(outcome)

    groups = [list(tasks)]
    while groups:
        group = groups.pop()
        try:
            outcomes = _job(session, group, task_function, report)
        except Exception as exc:
            if _ABORTED not in str(exc):
                raise
            # A task failed every attempt and Spark gave up the job: no firm of it has an
            # outcome. Halves, each a job of its own, until the firm that fails is alone.
            if len(group) == 1:
                report(write_failure(group[0], INTERNAL_ERROR, worker_died(group[0])))
            else:
                half = len(group) // 2
                groups += [group[half:], group[:half]]
            continue
        for outcome in outcomes:
            report(outcome)


class _Outcomes(AccumulatorParam[list[tuple[Any, ...]]]):
    """The accumulator of the firms' outcomes (tuples of :class:`FirmOutcome`'s fields) a job's
    finished tasks sent: a new list at each merge, so the driver's poll reads a whole one."""

    def zero(self, value: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        return []

    def addInPlace(self, value1: list[tuple[Any, ...]],
                   value2: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        return value1 + value2


POLL_SECONDS = 0.2
"""How often the driver looks at the outcomes of the tasks finished so far."""


def _job(session: Any, tasks: Sequence[FirmTask], task_function: TaskFunction,
         report: Callable[[FirmOutcome], None]) -> list[FirmOutcome]:
    """One Spark job reviewing ``tasks``, reporting each finished task's firms as it ends;
    each firm's outcome once the job is done."""
    # Every task of a run shares the lake, the output, the date, the policy and the language.
    template = tasks[0]
    context = session.sparkContext
    finished = context.accumulator([], _Outcomes())

    def review_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            outcomes = [task_function(replace(template, firm_id=firm_id))
                        for firm_id in batch.column("firm_id").to_pylist()]
            finished.add([(o.firm_id, o.status, o.findings, o.reason, o.written)
                          for o in outcomes])
            yield pa.RecordBatch.from_pylist(
                [{"firm_id": o.firm_id, "status": o.status, "findings": o.findings,
                  "reason": o.reason, "written": o.written} for o in outcomes],
                schema=pa.schema([("firm_id", pa.string()), ("status", pa.string()),
                                  ("findings", pa.int32()), ("reason", pa.string()),
                                  ("written", pa.bool_())]),
            )

    partitions = min(len(tasks), context.defaultParallelism * PARTITIONS_PER_CORE)
    firms = session.createDataFrame([(t.firm_id,) for t in tasks], "firm_id string")
    frame = firms.repartition(partitions, "firm_id").mapInArrow(review_partition, OUTCOME_SCHEMA)
    # The job runs in a thread, tagged, so that this one reports the tasks finished and can
    # cancel the job (only this one: the caller's session may run others) when interrupted.
    tag = f"clientguard-portfolio-{uuid.uuid4().hex[:12]}"
    ended: dict[str, Any] = {}

    def collect() -> None:
        context.addJobTag(tag)
        try:
            ended["rows"] = frame.collect()
        except BaseException as exc:  # raised below, in the driver's thread
            ended["error"] = exc
        finally:
            context.removeJobTag(tag)

    job = threading.Thread(target=collect, name=tag, daemon=True)
    seen = 0
    try:
        job.start()
        while job.is_alive():
            job.join(POLL_SECONDS)
            # The outcomes of the tasks finished so far (a list replaced at each merge).
            so_far = finished.value
            for fields in so_far[seen:]:
                firm_id, status, findings, reason, written = fields
                report(FirmOutcome(firm_id, status, findings, reason, written=written))
            seen = len(so_far)
    except BaseException:
        context.cancelJobsWithTag(tag)
        job.join()
        raise
    if "error" in ended:
        raise ended["error"]
    return [FirmOutcome(row["firm_id"], row["status"], row["findings"], row["reason"],
                        written=row["written"])
            for row in ended["rows"]]
