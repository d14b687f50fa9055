"""What an operator meets when a run or an export stops midway: the run file says which run
the output is (started, interrupted, complete), an interrupted local run stops handing out
firms, a firm's older summary never stands beside newer findings, a firm whose first export
was cut short is a failed firm with the reason, and Spark reports firms as its tasks finish
without its own progress bar."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyarrow", reason="the portfolio's tests need clientguard[parquet]")

import clientguard.portfolio.output as output
from clientguard.policy import Policy
from clientguard.portfolio import (
    FAILED,
    REVIEWED,
    firm_ids,
    read_output,
    review_firm,
    run,
)
from clientguard.portfolio.run import (
    RUN_FILE,
    FirmOutcome,
    FirmTask,
    review_and_write,
)
from clientguard.portfolio.sample import write_sample_portfolio
from clientguard.sample import SAMPLE_AS_OF

FIRMS = 9
EARLIER = date(2025, 12, 31)


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, tuple[str, ...]]:
    root = tmp_path_factory.mktemp("interrupted") / "lake"
    firms = write_sample_portfolio(root, firms=FIRMS, seed=23, invoices=500)
    return root, firms


def described(out: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((out / RUN_FILE).read_text())
    return loaded


class Stop(Exception):
    """What the caller's progress raises to stop a run (as Ctrl-C does)."""


# ------------------------------------------------------------------------------ the run file


def test_the_run_file_says_started_while_the_run_goes_and_complete_at_its_end(
    lake: tuple[Path, tuple[str, ...]], tmp_path: Path
) -> None:
    root, firms = lake
    run(root, as_of=EARLIER, output=tmp_path, firms=firms[:1], workers=1)
    states: list[tuple[str, str]] = []

    def look(outcome: FirmOutcome, done: int, total: int) -> None:
        now = described(tmp_path)
        states.append((now["state"], now["as_of"]))

    run(root, as_of=SAMPLE_AS_OF, output=tmp_path, firms=firms[:2], workers=1, progress=look)
    # While the second run writes its rows, the file is its own (the date it reviews as of),
    # never the first run's: before, the first run's file stayed until the end.
    assert states == [("started", "2026-06-30"), ("started", "2026-06-30")]
    final = described(tmp_path)
    assert (final["state"], final["as_of"], final["firms"]) == (
        "complete", "2026-06-30", list(firms[:2]))
    assert "firms_done" not in final


@pytest.mark.parametrize("stop", [Stop, KeyboardInterrupt])
def test_an_interrupted_run_says_so_and_names_the_firms_it_wrote(
    lake: tuple[Path, tuple[str, ...]], tmp_path: Path, stop: type[BaseException]
) -> None:
    root, _ = lake
    run(root, as_of=EARLIER, output=tmp_path, workers=1)  # a whole earlier run

    def interrupt(outcome: FirmOutcome, done: int, total: int) -> None:
        if done == 2:
            raise stop

    with pytest.raises(stop):
        run(root, as_of=SAMPLE_AS_OF, output=tmp_path, workers=1, progress=interrupt)
    now = described(tmp_path)
    assert (now["state"], now["as_of"]) == ("interrupted", "2026-06-30")
    # The two firms reported before the interrupt, and those the worker held then (they
    # finished while the pool shut down): exactly the firms whose rows are this run's.
    summaries = {s.firm_id: s.as_of for s in read_output(tmp_path)[0]}
    assert len(now["firms_done"]) >= 2
    assert sorted(now["firms_done"]) == sorted(
        f for f, as_of in summaries.items() if as_of == SAMPLE_AS_OF)


def test_an_interrupted_local_run_stops_handing_out_firms(
    lake: tuple[Path, tuple[str, ...]], tmp_path: Path
) -> None:
    # Before, leaving the pool waited for every queued firm: all nine were reviewed and
    # written after the interrupt at the first. One worker holds at most the firm it reviews
    # and 2 x 1 + 1 queued (run_local's docstring): at most 4 more beside the first.
    root, _ = lake

    def interrupt(outcome: FirmOutcome, done: int, total: int) -> None:
        raise Stop

    with pytest.raises(Stop):
        run(root, as_of=SAMPLE_AS_OF, output=tmp_path, workers=1, progress=interrupt)
    written = list((tmp_path / "firms").glob("firm_id=*/*.parquet"))
    assert 1 <= len(written) <= 4 < FIRMS
    # The firms the worker held finished while the pool shut down: the run file names every
    # firm whose rows this run wrote (a reader takes the others for an older run's).
    said = described(tmp_path)
    this_run = sorted(s.firm_id for s in read_output(tmp_path)[0] if s.as_of == SAMPLE_AS_OF)
    assert said["state"] == "interrupted"
    assert sorted(said["firms_done"]) == this_run


def test_a_firm_cut_between_its_findings_and_its_summary_has_no_older_summary(
    lake: tuple[Path, tuple[str, ...]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, firms = lake
    output.write_result(tmp_path, review_firm(firms[0], root, as_of=EARLIER))
    real = output.write_table  # type: ignore[attr-defined]

    def cut_before_summary(where: Path, table: str, firm_id: str, arrow_table: Any) -> Path:
        if table == "firms":
            raise KeyboardInterrupt  # the run stopped between the firm's two files
        return real(where, table, firm_id, arrow_table)

    monkeypatch.setattr(output, "write_table", cut_before_summary)
    with pytest.raises(KeyboardInterrupt):
        output.write_result(tmp_path, review_firm(firms[0], root, as_of=SAMPLE_AS_OF))
    # Before: the summary of 2025-12-31 stood beside the findings of 2026-06-30. A firm with
    # a summary row has its findings in place; this one has none until it is written again.
    summaries, _ = read_output(tmp_path)
    assert summaries == []


# ---------------------------------------------------------------- a first export cut short


@pytest.mark.parametrize(("tables", "says"), [
    (("invoices",), "invoices/firm_id=cut is (an export"),
    (("invoices", "payments"), "invoices/firm_id=cut, payments/firm_id=cut are (an export"),
])
def test_a_firm_whose_first_export_was_cut_short_is_a_failed_firm_with_the_reason(
    lake: tuple[Path, tuple[str, ...]], tmp_path: Path, tables: tuple[str, ...], says: str
) -> None:
    import shutil

    root, firms = lake
    copy = tmp_path / "lake"
    shutil.copytree(root, copy)
    # write_firm writes the firm table last: an export stopped before it leaves the others.
    for table in tables:
        shutil.copytree(copy / table / f"firm_id={firms[0]}", copy / table / "firm_id=cut")
    assert "cut" in firm_ids(copy)  # before: not listed, so a run left it out without a word

    summary = run(copy, as_of=SAMPLE_AS_OF, output=tmp_path / "out", workers=1,
                  firms=["cut", firms[0]])
    assert [(o.firm_id, o.status) for o in summary.outcomes] == [
        ("cut", FAILED), (firms[0], REVIEWED)]
    reason = summary.failed[0].reason or ""
    assert says in reason
    assert "firm/firm_id=cut is not there" in reason
    assert reason.endswith("export the firm again")
    assert str(copy) not in reason  # the lake's own path stays on the machine
    (row,) = [s for s in read_output(tmp_path / "out")[0] if s.firm_id == "cut"]
    assert (row.status, row.reason) == (FAILED, reason)


def test_a_lake_without_firms_lists_none(tmp_path: Path) -> None:
    root = tmp_path / "lake"
    write_sample_portfolio(root, firms=1, seed=1)
    for table in root.iterdir():
        if table.is_dir():
            for partition in table.iterdir():
                partition.rename(table / f"other={partition.name}")  # not a firm's partition
    assert firm_ids(root) == ()


# ------------------------------------------------------------------------------------ Spark


def test_a_local_spark_session_has_no_console_progress_bar(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("pyspark.sql", reason="the Spark engine needs clientguard[spark]")
    from clientguard.portfolio import spark_engine

    settings: dict[str, str] = {}

    class Builder:
        def master(self, value: str) -> Builder:
            return self

        def appName(self, value: str) -> Builder:
            return self

        def config(self, key: str, value: str) -> Builder:
            settings[key] = value
            return self

        def getOrCreate(self) -> str:
            return "session"

    class Session:
        builder = Builder()

    monkeypatch.setattr(spark_engine, "SparkSession", Session)
    assert spark_engine._local_session(2) == "session"
    # Spark's "[Stage 0:>  (0 + 2) / 2]" bar garbled the command's progress line on stderr.
    assert settings["spark.ui.showConsoleProgress"] == "false"


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    import os

    pyspark_sql = pytest.importorskip("pyspark.sql", reason="the Spark engine needs "
                                      "clientguard[spark]")
    given = os.environ.get("PYSPARK_PYTHON")
    os.environ["PYSPARK_PYTHON"] = given or sys.executable
    session = (
        pyspark_sql.SparkSession.builder.master("local[2]")
        .appName("clientguard tests").config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false").getOrCreate()
    )
    try:
        yield session
    finally:
        session.stop()
        if given is None:
            del os.environ["PYSPARK_PYTHON"]


def slow_firm(slow: str, seconds: float, task: FirmTask) -> FirmOutcome:
    """Review every firm; ``slow`` takes ``seconds`` more."""
    if task.firm_id == slow:
        time.sleep(seconds)
    return review_and_write(task)


def test_spark_reports_the_firms_of_each_task_as_it_finishes(
    lake: tuple[Path, tuple[str, ...]], tmp_path: Path, spark: Any
) -> None:
    from pyspark import cloudpickle

    from clientguard.portfolio.spark_engine import run_spark

    root, firms = lake
    tasks = [FirmTask(f, str(root), str(tmp_path), SAMPLE_AS_OF, Policy()) for f in firms]
    heard: list[tuple[str, float]] = []
    start = time.monotonic()
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # type: ignore[no-untyped-call]
    try:
        run_spark(tasks, lambda o: heard.append((o.firm_id, time.monotonic() - start)),
                  spark=spark, workers=2, task_function=partial(slow_firm, firms[0], 8.0))
    finally:
        cloudpickle.unregister_pickle_by_value(  # type: ignore[no-untyped-call]
            sys.modules[__name__])
    # Each firm once; the others while the slow one's task still runs (before, every firm
    # was heard of at once, when the whole job ended).
    assert sorted(f for f, _ in heard) == sorted(firms)
    last = max(t for _, t in heard)
    assert min(t for _, t in heard) < last - 4
    # The slow firm with the last task's firms (one report: a partition may hold two).
    assert dict(heard)[firms[0]] == pytest.approx(last, abs=0.1)


def test_an_interrupted_run_on_the_callers_dask_cluster_cancels_the_firms_not_done(
    lake: tuple[Path, tuple[str, ...]], tmp_path: Path
) -> None:
    distributed = pytest.importorskip("distributed", reason="the Dask engine needs "
                                      "clientguard[dask]")
    root, _ = lake

    def interrupt(outcome: FirmOutcome, done: int, total: int) -> None:
        raise Stop

    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        # pytest.raises keeps the traceback, and with it the run's futures: before, the
        # cluster went on reviewing every firm after the run stopped.
        with pytest.raises(Stop):
            run(root, as_of=SAMPLE_AS_OF, engine="dask", output=tmp_path, client=client,
                progress=interrupt)
        time.sleep(3)  # time for the firms a cluster kept reviewing (about 0.3 s each)
        written = list((tmp_path / "firms").glob("firm_id=*/*.parquet"))
    # The first firm, and the one the worker had started when the run stopped.
    assert 1 <= len(written) <= 3 < FIRMS
    assert described(tmp_path)["state"] == "interrupted"
