"""The Dask engine: one task per firm on a ``dask.distributed`` cluster.

The caller's ``Client`` (any cluster: Kubernetes, YARN, a scheduler on a laptop), a running
scheduler's address, or else a ``LocalCluster`` of ``workers`` processes of one thread each
(a review is pure Python: threads would share one core). Each task's key is the firm's, and
the scheduler retries a task whose worker died (``distributed.scheduler.allowed-failures``,
3 by default) on another worker: the task rewrites the firm's files, so the output holds each
row once. A firm the scheduler gives up on (``KilledWorker``) runs once more, alone, after
the others: a firm that was only on the same worker as the one that kills it is reviewed;
one whose worker dies again gets an ``error`` row.

Imports dask and distributed; only :func:`clientguard.portfolio.run` imports this module.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from clientguard.errors import ClientguardError
from clientguard.portfolio.firm import INTERNAL_ERROR, error_reason
from clientguard.portfolio.run import (
    FirmOutcome,
    FirmTask,
    TaskFunction,
    review_and_write,
    worker_died,
    write_failure,
)

try:
    import dask
    from distributed import Client, KilledWorker, LocalCluster, as_completed
except ImportError:  # pragma: no cover - the message is the point
    raise ClientguardError(
        "the dask engine needs Dask: pip install 'clientguard[dask]'"
    ) from None

__all__ = ["run_dask"]


def run_dask(
    tasks: Sequence[FirmTask],
    done: Callable[[FirmOutcome], None],
    *,
    client: Any = None,
    scheduler: str | None = None,
    workers: int,
    task_function: TaskFunction = review_and_write,
) -> None:
    """Run ``tasks`` on ``client`` (or on a client of ``scheduler``, or of a LocalCluster of
    ``workers`` processes), calling ``done`` on the driver as each firm is done.
    ``task_function`` is what runs per firm (the tests inject a failure through it)."""
    if client is not None:
        _map(client, tasks, done, task_function)
        return
    if scheduler is not None:
        with Client(scheduler) as connected:  # type: ignore[no-untyped-call]
            _map(connected, tasks, done, task_function)
        return
    # The workers' statistical profiler (a look at the running task's stack every 10 ms, for
    # the dashboard, which this cluster does not serve) cost a firm's review about a tenth
    # more (docs/portfolio.md, "Benchmark"): off for the cluster started here. The nannies
    # hand this configuration to the worker processes they start.
    with dask.config.set({"distributed.worker.profile.enabled": False}):
        cluster = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
    with cluster, Client(cluster) as local:  # type: ignore[no-untyped-call]
        _map(local, tasks, done, task_function)


def _map(client: Any, tasks: Sequence[FirmTask], done: Callable[[FirmOutcome], None],
         task_function: TaskFunction) -> None:
    if not tasks:
        return
    # One key per firm and run: a rerun (or a second run on the same client) is a new task,
    # never a cached result; the firm's id in the key shows in the dashboard.
    run_token = uuid.uuid4().hex[:12]
    keys = [f"clientguard-firm-{t.firm_id}-{run_token}" for t in tasks]
    task_of = dict(zip(keys, tasks, strict=True))
    # Each future is let go once its outcome is read, so the cluster forgets the firm's result
    # rather than keeping every firm's until the run ends.
    pending = as_completed(  # type: ignore[no-untyped-call]
        client.map(task_function, tasks, key=keys, pure=False)
    )
    try:
        _gather(client, pending, task_of, done, task_function, run_token)
    except BaseException:
        # The run stops (Ctrl-C, an exception of the caller's progress): the firms not done
        # are cancelled (the caller's cluster would otherwise go on reviewing them, writing
        # rows after the run file says the run was interrupted).
        client.cancel(list(pending.futures))
        raise


def _gather(client: Any, pending: Any, task_of: dict[str, FirmTask],
            done: Callable[[FirmOutcome], None], task_function: TaskFunction,
            run_token: str) -> None:
    suspects: list[FirmTask] = []
    for future in pending:
        try:
            outcome = future.result()
        except KilledWorker:
            # The scheduler gave up on the firm: the workers that ran it died (for memory, or
            # a crash). It may only have been beside the firm that killed them (a worker holds
            # more than the task it runs): it runs again, alone, once the others are done.
            suspects.append(task_of[future.key])
            future.release()
            continue
        except Exception as exc:  # review_and_write raises none: a bug, in the firm's row
            outcome = write_failure(task_of[future.key], INTERNAL_ERROR, error_reason(exc))
        done(outcome)
        future.release()
    for task in suspects:
        # One at a time, so that nothing else is on the worker: a firm whose worker dies
        # again is the one that kills it. Its error row is written here, on the driver.
        future = client.submit(task_function, task, key=f"clientguard-firm-{task.firm_id}-"
                               f"{run_token}-alone", pure=False)
        try:
            outcome = future.result()
        except KilledWorker:
            outcome = write_failure(task, INTERNAL_ERROR, worker_died(task))
        except Exception as exc:
            outcome = write_failure(task, INTERNAL_ERROR, error_reason(exc))
        done(outcome)
        future.release()
