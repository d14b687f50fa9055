"""A portfolio run against hostile input: one bad firm never stops the others, and no firm's
rows land outside the output or under a name readers skip.

Each test is a scenario a user met or can meet: a firm whose numbers outgrow the decimal
context, a lake whose firm partitions another tool named (``firm_id=..``, ``firm_id=_x``,
``firm_id=a%20b``), an output a firm's rows cannot be written into, duplicate records across
Spark's part files, and a worker process killed mid-run (the kernel's OOM killer)."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import signal
from datetime import date
from decimal import Context, Decimal, InvalidOperation
from functools import partial
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyarrow", reason="the portfolio's tests need clientguard[parquet]")
import pyarrow.parquet as pq

from clientguard import Policy, review
from clientguard.portfolio import (
    FAILED,
    INTERNAL_ERROR,
    REVIEWED,
    FirmRecords,
    LayoutError,
    read_firm,
    read_output,
    review_firm,
    run,
    write_firm,
)
from clientguard.portfolio.firm import FirmResult, FirmSummary
from clientguard.portfolio.output import write_result
from clientguard.portfolio.run import (
    RUN_FILE,
    WORKER_DIED,
    FirmOutcome,
    FirmTask,
    review_and_write,
    run_local,
)
from clientguard.testing import customer, invoice, payment, time_entry

AS_OF = date(2025, 6, 30)
MOST = "999999999999999999.99"  # the largest amount a record may hold (18 digits before)


def small_firm() -> list[Any]:
    paid = invoice("acme", issued="2025-03-01", due="2025-03-31", total="2000.00", id="A-1")
    return [
        customer("acme"),
        paid,
        payment("acme", on="2025-03-30", amount="2000.00", pays=paid, id="P-1"),
        invoice("acme", issued="2025-05-01", due="2025-05-31", total="1000.25", id="A-2"),
    ]


def a_cent_beside_millions(big_invoices: int) -> list[Any]:
    """``tiny`` brings a cent of revenue and nearly all the hours; ``big`` brings
    ``big_invoices`` of the largest amount: tiny's hours-to-revenue ratio is about
    ``big_invoices x 10^20``."""
    records: list[Any] = [
        customer("tiny"), customer("big"),
        invoice("tiny", issued="2025-05-01", due="2025-05-31", total="0.01", id="T-1"),
        time_entry("big", on="2025-05-02", hours="0.01", person="Ola", billable=True),
    ]
    records += [invoice("big", issued="2025-05-01", due="2025-05-31", total=MOST, id=f"B-{i}")
                for i in range(big_invoices)]
    records += [time_entry("tiny", on=f"2025-05-{day:02d}", hours="8", person="Ola",
                           billable=True) for day in range(1, 28)]
    return records


def files_under(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


# ------------------------------------------------------------------------- numbers that outgrow


def test_a_ratio_beyond_the_decimal_context_is_a_row_not_a_crash(tmp_path: Path) -> None:
    # 1,000 invoices of 10^18 beside a cent: tiny's revenue share is 10^-23, its hours share
    # nearly 1, so hours_to_revenue is about 10^23: 24 digits and six places are 30, more
    # than the 28 of the default decimal context. It used to raise InvalidOperation out of
    # review_firm, which stopped every engine's run.
    write_firm(tmp_path, "ratio", a_cent_beside_millions(1000), base_currency="EUR")

    result = review_firm("ratio", tmp_path, as_of=AS_OF)

    assert result.summary.status == REVIEWED
    (row,) = [f for f in result.findings if f.metric == "hours_to_revenue"]
    assert row.client_id == "tiny"
    # The review's own value, rounded half-even to the row's six places in a context wide
    # enough to hold it.
    reviewed = review(read_firm(tmp_path, "ratio"), as_of=AS_OF)
    (finding,) = [f for f in reviewed.clients["tiny"].findings
                  if f.metric == "hours_to_revenue"]
    assert finding.value > Decimal("1E+22")
    assert row.value == finding.value.quantize(Decimal("0.000001"), context=Context(prec=60))


def test_a_firm_of_huge_numbers_does_not_stop_the_run(tmp_path: Path) -> None:
    lake, out = tmp_path / "lake", tmp_path / "out"
    write_firm(lake, "a-ratio", a_cent_beside_millions(1000), base_currency="EUR")
    write_firm(lake, "b-small", small_firm(), base_currency="EUR")

    summary = run(lake, as_of=AS_OF, output=out, workers=1)

    assert [(o.firm_id, o.status) for o in summary.outcomes] == [
        ("a-ratio", REVIEWED), ("b-small", REVIEWED)]
    firms, findings = read_output(out)
    assert [s.firm_id for s in firms] == ["a-ratio", "b-small"]
    assert any(f.metric == "hours_to_revenue" and f.value > Decimal("1E+22") for f in findings)


# ------------------------------------------------------------------- records across part files


def test_an_invoice_in_two_part_files_counts_once_in_the_summary(tmp_path: Path) -> None:
    # Spark writes a firm's partition as several part files; a job that ran twice leaves the
    # same rows in two of them. The ledger keeps one copy of each invoice and rejects the
    # other: the summary's invoices are the ledger's (2), the copies are rejected records (2).
    write_firm(tmp_path, "f", small_firm(), base_currency="EUR")
    first = tmp_path / "invoices" / "firm_id=f" / "part-0.parquet"
    shutil.copy(first, first.with_name("part-00001-c000.snappy.parquet"))

    row = review_firm("f", tmp_path, as_of=AS_OF).summary

    assert row.status == REVIEWED
    assert (row.invoices, row.rejected_records) == (2, 2)
    assert row.revenue == Decimal("3000.25")  # 2,000.00 + 1,000.25, each once


# ----------------------------------------------------------------- firm ids a path cannot hold


@pytest.mark.parametrize(
    "firm_id",
    ["../../../../escaped", "..", "_hidden", ".hidden", "a%20b", "", "a/b"],
    ids=["traversal", "dot-dot", "underscore", "dot", "url-encoded", "empty", "slash"],
)
def test_a_firm_id_a_path_cannot_hold_writes_nothing_anywhere(
    tmp_path: Path, firm_id: str
) -> None:
    lake, out = tmp_path / "deep" / "lake", tmp_path / "deep" / "out"
    write_firm(lake, "good", small_firm(), base_currency="EUR")
    out.mkdir()
    before = files_under(tmp_path)

    outcome = review_and_write(FirmTask(firm_id, str(lake), str(out), AS_OF, Policy()))

    assert (outcome.status, outcome.written) == (FAILED, False)
    assert "cannot name a partition" in (outcome.reason or "")
    assert files_under(tmp_path) == before  # not in the output, and not beside it


def test_writing_the_rows_of_a_firm_id_a_path_cannot_hold_is_refused(tmp_path: Path) -> None:
    result = FirmResult(FirmSummary("../../escaped", FAILED, "why", AS_OF))
    with pytest.raises(LayoutError, match="cannot name a partition"):
        write_result(tmp_path / "out", result)
    assert files_under(tmp_path) == []


def test_partitions_another_tool_named_are_reported_and_never_written(tmp_path: Path) -> None:
    # A lake written by another tool: Spark URL-encodes a space (firm_id=a%20b); a copy left
    # a partition named '..' or '_old' (which Spark and pyarrow skip as hidden when they read
    # the output). Each is a failed firm in the run's summary and in its run file; no
    # partition of the output carries its name; the good firm is reviewed.
    lake, out = tmp_path / "lake", tmp_path / "out"
    write_firm(lake, "good", small_firm(), base_currency="EUR")
    strange = ["a%20b", "..", "_old"]
    for table in (p for p in lake.iterdir() if p.is_dir()):
        for name in strange:
            shutil.copytree(table / "firm_id=good", table / f"firm_id={name}")

    summary = run(lake, as_of=AS_OF, output=out, workers=1)

    assert [(o.firm_id, o.status) for o in summary.outcomes] == [
        ("..", FAILED), ("_old", FAILED), ("a%20b", FAILED), ("good", REVIEWED)]
    assert sorted(o.firm_id for o in summary.failed) == sorted(strange)
    assert files_under(out) == [RUN_FILE, "findings/firm_id=good/part-0.parquet",
                                "firms/firm_id=good/part-0.parquet"]
    described = json.loads((out / RUN_FILE).read_text())
    assert [(f["firm_id"], f["status"]) for f in described["not_written"]] == [
        ("..", FAILED), ("_old", FAILED), ("a%20b", FAILED)]
    assert all("cannot name a partition" in f["reason"] for f in described["not_written"])


# --------------------------------------------------------------------- output that cannot be had


@pytest.mark.parametrize("blocked_table", ["findings", "firms"])
def test_a_firm_whose_rows_cannot_be_written_is_in_the_run_file_and_the_run_goes_on(
    tmp_path: Path, blocked_table: str
) -> None:
    # Where the blocked firm's rows go, a file stands (left by another tool, or a full disk):
    # neither its rows nor an error row can be written. The run used to raise out of the
    # worker and stop; now the firm is failed, named with its reason in the run's summary and
    # in _clientguard_run.json, and the other firm is reviewed.
    lake, out = tmp_path / "lake", tmp_path / "out"
    for firm in ("blocked", "good"):
        write_firm(lake, firm, small_firm(), base_currency="EUR")
    (out / blocked_table).mkdir(parents=True)
    (out / blocked_table / "firm_id=blocked").write_text("not a folder")

    summary = run(lake, as_of=AS_OF, output=out, workers=1)

    assert [(o.firm_id, o.status, o.written) for o in summary.outcomes] == [
        ("blocked", FAILED, False), ("good", REVIEWED, True)]
    described = json.loads((out / RUN_FILE).read_text())
    (unwritten,) = described["not_written"]
    assert (unwritten["firm_id"], unwritten["status"]) == ("blocked", FAILED)
    reason = unwritten["reason"]
    assert reason == summary.failed[0].reason
    assert reason.startswith("its rows could not be written: FileExistsError: ")
    assert f"{blocked_table}/firm_id=blocked" in reason
    assert "nor its error row" in reason
    assert str(tmp_path) not in reason  # the output's own path is not the row's business
    rows, _ = read_output(out)
    assert [(r.firm_id, r.status) for r in rows] == [("good", REVIEWED)]


# --------------------------------------------------------------------- workers that die mid-run


def test_a_local_worker_killed_mid_run_loses_no_firm(tmp_path: Path) -> None:
    # As the kernel's OOM killer would: a worker of the pool is killed once the first firm is
    # done. The pool breaks; the run used to raise BrokenProcessPool and review no other firm.
    lake, out = tmp_path / "lake", tmp_path / "out"
    firms = [f"firm-{n}" for n in range(5)]
    for firm in firms:
        write_firm(lake, firm, small_firm(), base_currency="EUR")
    killed: list[int] = []

    def kill_a_worker(outcome: FirmOutcome, done: int, total: int) -> None:
        if not killed:
            pid = multiprocessing.active_children()[0].pid
            assert pid is not None
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    summary = run(lake, as_of=AS_OF, output=out, workers=2, progress=kill_a_worker)

    assert killed
    assert [(o.firm_id, o.status) for o in summary.outcomes] == [(f, REVIEWED) for f in firms]
    rows, _ = read_output(out)
    assert [r.firm_id for r in rows] == firms
    counts = [len(files_under(out / t / f"firm_id={f}")) for t in ("firms", "findings")
              for f in firms]
    assert counts == [1] * 10  # one file per firm and table: no duplicate, no leftover


def dies_on(firm_id: str, task: FirmTask) -> FirmOutcome:
    """Review and write the firm, unless it is ``firm_id``: then the worker process dies as
    an out-of-memory kill leaves it (no exception, no clean-up)."""
    if task.firm_id == firm_id:
        os._exit(137)
    return review_and_write(task)


def test_a_firm_that_kills_its_local_worker_is_an_error_row_and_the_others_are_reviewed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The pool's spawned workers import dies_on by this module's name (tests.<module>, with
    # pytest's importlib mode): from the repository's root, which they inherit as sys.path.
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1]))
    lake, out = tmp_path / "lake", tmp_path / "out"
    firms = [f"firm-{n}" for n in range(6)]
    for firm in firms:
        write_firm(lake, firm, small_firm(), base_currency="EUR")
    out.mkdir()
    tasks = [FirmTask(f, str(lake), str(out), AS_OF, Policy()) for f in firms]
    seen: list[FirmOutcome] = []

    run_local(tasks, seen.append, workers=2, task_function=partial(dies_on, "firm-1"))

    by_firm = {o.firm_id: o for o in seen}
    assert sorted(by_firm) == firms
    assert (by_firm["firm-1"].status, by_firm["firm-1"].reason) == (INTERNAL_ERROR, WORKER_DIED)
    assert all(by_firm[f].status == REVIEWED for f in firms if f != "firm-1")
    rows, _ = read_output(out)
    assert [(r.firm_id, r.status) for r in rows] == [
        (f, INTERNAL_ERROR if f == "firm-1" else REVIEWED) for f in firms]


def test_a_firm_that_kills_every_dask_worker_is_an_error_row_and_the_others_are_reviewed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    distributed = pytest.importorskip("distributed", reason="the Dask engine needs "
                                      "clientguard[dask]")
    import dask

    from clientguard.portfolio.dask_engine import run_dask

    lake, out = tmp_path / "lake", tmp_path / "out"
    firms = [f"firm-{n}" for n in range(4)]
    for firm in firms:
        write_firm(lake, firm, small_firm(), base_currency="EUR")
    out.mkdir()
    tasks = [FirmTask(f, str(lake), str(out), AS_OF, Policy()) for f in firms]
    seen: list[FirmOutcome] = []
    # The scheduler gives up on a task after its first worker death (KilledWorker), which
    # used to raise out of the run. The workers import dies_on as the local pool's do. A
    # worker holds more tasks than the one it runs, so another firm beside firm-2 can be given
    # up on too: it runs again alone and is reviewed.
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1]))
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                     dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        run_dask(tasks, seen.append, client=client, workers=2,
                 task_function=partial(dies_on, "firm-2"))

    by_firm = {o.firm_id: o for o in seen}
    assert sorted(by_firm) == firms
    assert (by_firm["firm-2"].status, by_firm["firm-2"].reason) == (INTERNAL_ERROR, WORKER_DIED)
    assert all(by_firm[f].status == REVIEWED for f in firms if f != "firm-2")
    rows, _ = read_output(out)
    assert [(r.firm_id, r.status) for r in rows] == [
        (f, INTERNAL_ERROR if f == "firm-2" else REVIEWED) for f in firms]
    assert pq.read_table(out / "firms" / "firm_id=firm-2").column("reason").to_pylist() == [
        WORKER_DIED]


class SignalsInvalidOperation(FirmRecords):
    """Records whose ledger hits decimal's InvalidOperation, whose text is only its class."""

    def ledger(self) -> Any:
        raise InvalidOperation([InvalidOperation])


def test_a_decimal_signal_is_named_in_words_not_as_a_list_of_classes() -> None:
    row = review_firm("x", SignalsInvalidOperation("x", "EUR", ()), as_of=AS_OF).summary
    assert (row.status, row.reason) == (FAILED, "InvalidOperation")
