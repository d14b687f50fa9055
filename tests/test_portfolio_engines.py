"""Every engine on one generated portfolio: the same rows from each, complete and never
duplicated, also when a Dask worker is killed mid-run or a Spark task fails.

The portfolio: sample firms of varied sizes (one seed each) and three broken ones. The local
engine's output is the reference; Dask runs on a LocalCluster and Spark in local mode on one
session shared by the module (started once: a JVM takes seconds)."""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyarrow", reason="the portfolio's tests need clientguard[parquet]")

from clientguard.cli import EXIT_OK, main
from clientguard.policy import Policy
from clientguard.portfolio import FAILED, REVIEWED, read_output, review_firm, run
from clientguard.portfolio.firm import FindingRow, FirmSummary
from clientguard.portfolio.run import RUN_FILE, FirmOutcome, FirmTask, review_and_write
from clientguard.portfolio.sample import write_sample_portfolio
from clientguard.sample import SAMPLE_AS_OF

GOOD = 6
BROKEN = 3

Output = tuple[list[FirmSummary], list[FindingRow]]


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, tuple[str, ...]]:
    root = tmp_path_factory.mktemp("portfolio") / "lake"
    firms = write_sample_portfolio(root, firms=GOOD + BROKEN, broken=BROKEN, seed=11)
    return root, firms


@pytest.fixture(scope="module")
def expected(lake: tuple[Path, tuple[str, ...]], tmp_path_factory: pytest.TempPathFactory
             ) -> Output:
    """The local engine's output: what every other engine must write, row for row."""
    out = tmp_path_factory.mktemp("local")
    run(lake[0], as_of=SAMPLE_AS_OF, engine="local", output=out, workers=2)
    return read_output(out)


def files_per_firm(out: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in ("firms", "findings"):
        for path in (out / table).rglob("*"):
            if path.is_file():
                counts[f"{table}/{path.parent.name}"] = counts.get(
                    f"{table}/{path.parent.name}", 0) + 1
    return counts


def assert_complete(out: Path, firms: tuple[str, ...], expected: Output) -> None:
    assert read_output(out) == expected
    # One file per firm and table, no temporary file left behind.
    counts = files_per_firm(out)
    assert set(counts.values()) == {1}
    assert len(counts) == 2 * len(firms)


def test_local_engine_reviews_every_firm_and_says_why_a_broken_one_was_not(
    lake: tuple[Path, tuple[str, ...]], expected: Output, tmp_path: Path
) -> None:
    firms = lake[1]
    summaries, findings = expected
    assert [s.firm_id for s in summaries] == list(firms)
    by_firm = {s.firm_id: s for s in summaries}
    for firm in firms[:GOOD]:
        assert by_firm[firm].status == REVIEWED
        assert by_firm[firm].clients >= 9  # the sample's roles at least
        assert any(f.firm_id == firm for f in findings)
    bad_rows, bad_currency, corrupt = firms[GOOD:]
    assert by_firm[bad_rows].status == REVIEWED
    assert by_firm[bad_rows].rejected_records >= 2
    assert by_firm[bad_currency].status == FAILED
    assert "'EURO' is not an ISO 4217 code" in (by_firm[bad_currency].reason or "")
    assert by_firm[corrupt].status == FAILED
    assert "payments/firm_id=" in (by_firm[corrupt].reason or "")
    # Sizes vary: the firms are not one firm copied.
    assert len({s.invoices for s in summaries[:GOOD]}) == GOOD


def test_a_rerun_replaces_each_firms_rows_and_never_adds_any(
    lake: tuple[Path, tuple[str, ...]], expected: Output, tmp_path: Path
) -> None:
    root, firms = lake
    for _ in range(2):
        summary = run(root, as_of=SAMPLE_AS_OF, engine="local", output=tmp_path, workers=2)
    assert summary.firms == len(firms)
    assert summary.reviewed == GOOD + 1
    assert [o.firm_id for o in summary.failed] == list(firms[GOOD + 1:])
    assert_complete(tmp_path, firms, expected)
    assert (tmp_path / RUN_FILE).is_file()


def test_a_different_date_gives_different_rows(
    lake: tuple[Path, tuple[str, ...]], expected: Output, tmp_path: Path
) -> None:
    root, firms = lake
    run(root, as_of=date(2026, 3, 31), output=tmp_path, workers=2, firms=firms[:2])
    summaries, _ = read_output(tmp_path)
    assert [s.as_of for s in summaries] == [date(2026, 3, 31)] * 2
    assert summaries != expected[0][:2]


def test_the_portfolio_command_shows_progress_and_names_the_firms_it_could_not_review(
    lake: tuple[Path, tuple[str, ...]], expected: Output, tmp_path: Path,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    root, firms = lake
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLIENTGUARD_CONFIG", raising=False)
    code = main(["portfolio", str(root), "--as-of", SAMPLE_AS_OF.isoformat(),
                 "--output", "out", "--workers", "2"])
    out, err = capsys.readouterr()
    assert code == EXIT_OK, err
    assert f"{GOOD + 1} of {len(firms)} firms reviewed, findings: " in out
    assert f"{len(firms)} of {len(firms)} firms done" in err
    for broken in firms[GOOD + 1:]:
        assert f"firm {broken} not reviewed" in err
    assert_complete(tmp_path / "out", firms, expected)


# ---------------------------------------------------------------------------------- Dask


def test_dask_gives_the_same_rows_as_the_local_engine(
    lake: tuple[Path, tuple[str, ...]], expected: Output, tmp_path: Path
) -> None:
    pytest.importorskip("distributed", reason="the Dask engine needs clientguard[dask]")
    root, firms = lake
    run(root, as_of=SAMPLE_AS_OF, engine="dask", output=tmp_path, workers=2)
    assert_complete(tmp_path, firms, expected)


def test_a_dask_worker_killed_mid_run_leaves_complete_unduplicated_output(
    lake: tuple[Path, tuple[str, ...]], expected: Output, tmp_path: Path
) -> None:
    distributed = pytest.importorskip("distributed", reason="the Dask engine needs "
                                      "clientguard[dask]")
    root, firms = lake
    killed: list[int] = []
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:

        def kill_a_worker(outcome: FirmOutcome, done: int, total: int) -> None:
            if not killed:  # at the first firm done, the others are queued or running
                pid = next(iter(client.run(os.getpid).values()))
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

        summary = run(root, as_of=SAMPLE_AS_OF, engine="dask", output=tmp_path,
                      client=client, progress=kill_a_worker)
    assert killed
    assert summary.firms == len(firms)
    assert_complete(tmp_path, firms, expected)


# --------------------------------------------------------------------------------- Spark


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    """One local Spark session for the module: two cores, a task retried once after a
    failure (``local[2,2]``), few shuffle partitions, no UI."""
    pyspark_sql = pytest.importorskip("pyspark.sql", reason="the Spark engine needs "
                                      "clientguard[spark]")
    given = os.environ.get("PYSPARK_PYTHON")
    os.environ["PYSPARK_PYTHON"] = given or sys.executable
    session = (
        pyspark_sql.SparkSession.builder.master("local[2,2]")
        .appName("clientguard tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    try:
        yield session
    finally:
        session.stop()
        if given is None:
            del os.environ["PYSPARK_PYTHON"]


def test_spark_gives_the_same_rows_as_the_local_engine(
    lake: tuple[Path, tuple[str, ...]], expected: Output, tmp_path: Path, spark: Any
) -> None:
    root, firms = lake
    run(root, as_of=SAMPLE_AS_OF, engine="spark", output=tmp_path, spark=spark)
    assert_complete(tmp_path, firms, expected)


def fail_first_attempt(marker: Path, failing: str, task: FirmTask) -> FirmOutcome:
    """Review and write the firm, then, on the task's first attempt, fail after the firm's
    files are written (the worst moment: a retry writes them again)."""
    from pyspark import TaskContext

    outcome = review_and_write(task)
    context = TaskContext.get()
    if task.firm_id == failing and context is not None and context.attemptNumber() == 0:
        marker.write_text(task.firm_id)
        raise RuntimeError("injected failure of the first attempt")
    return outcome


def test_a_failed_spark_task_is_retried_without_duplicating_a_row(
    lake: tuple[Path, tuple[str, ...]], expected: Output, tmp_path: Path, spark: Any
) -> None:
    from pyspark import cloudpickle

    from clientguard.portfolio.spark_engine import run_spark

    root, firms = lake
    out = tmp_path / "out"
    out.mkdir()
    marker = tmp_path / "failed-once"
    # The injected function travels by value: the workers cannot import this test module.
    # pyspark's vendored cloudpickle is not annotated.
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # type: ignore[no-untyped-call]
    tasks = [FirmTask(f, str(root), str(out), SAMPLE_AS_OF, Policy()) for f in firms]
    seen: list[FirmOutcome] = []
    try:
        run_spark(tasks, seen.append, spark=spark, workers=2,
                  task_function=partial(fail_first_attempt, marker, firms[1]))
    finally:
        cloudpickle.unregister_pickle_by_value(  # type: ignore[no-untyped-call]
            sys.modules[__name__])
    assert marker.read_text() == firms[1]  # the failure happened, and was retried
    assert sorted(o.firm_id for o in seen) == list(firms)
    assert_complete(out, firms, expected)


def kill_every_attempt(failing: str, task: FirmTask) -> FirmOutcome:
    """Kill the Python worker reviewing ``failing`` (as the kernel's out-of-memory killer
    would), on every attempt; review the other firms."""
    if task.firm_id == failing:
        os.kill(os.getpid(), signal.SIGKILL)
    return review_and_write(task)


def test_a_firm_that_kills_every_spark_attempt_gets_an_error_row_and_the_others_are_reviewed(
    lake: tuple[Path, tuple[str, ...]], expected: Output, tmp_path: Path, spark: Any
) -> None:
    # Spark gives up the whole job when one task fails every attempt; before, the run failed
    # with it and no firm had a row.
    from pyspark import cloudpickle

    from clientguard.portfolio.run import WORKER_DIED
    from clientguard.portfolio.spark_engine import run_spark

    root, firms = lake
    out = tmp_path / "out"
    out.mkdir()
    killer = firms[2]
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # type: ignore[no-untyped-call]
    tasks = [FirmTask(f, str(root), str(out), SAMPLE_AS_OF, Policy()) for f in firms]
    seen: list[FirmOutcome] = []
    try:
        run_spark(tasks, seen.append, spark=spark, workers=2,
                  task_function=partial(kill_every_attempt, killer))
    finally:
        cloudpickle.unregister_pickle_by_value(  # type: ignore[no-untyped-call]
            sys.modules[__name__])
    # Each firm's outcome once; the killer's an error saying its worker died.
    assert sorted(o.firm_id for o in seen) == list(firms)
    by_firm = {o.firm_id: o for o in seen}
    assert (by_firm[killer].status, by_firm[killer].reason) == ("error", WORKER_DIED)
    summaries, findings = read_output(out)
    expected_summaries, expected_findings = expected
    assert [s for s in summaries if s.firm_id != killer] == [
        s for s in expected_summaries if s.firm_id != killer]
    assert findings == [f for f in expected_findings if f.firm_id != killer]
    (dead,) = [s for s in summaries if s.firm_id == killer]
    assert (dead.status, dead.reason) == ("error", WORKER_DIED)
    counts = files_per_firm(out)
    assert set(counts.values()) == {1}


# ------------------------------------------------------------------------ the run's language


@pytest.mark.parametrize("engine", ["local", "dask", "spark"])
@pytest.mark.parametrize("lang", ["pl", "en", None])
def test_every_engine_writes_the_findings_in_the_runs_language(
    lake: tuple[Path, tuple[str, ...]], tmp_path: Path, request: pytest.FixtureRequest,
    engine: str, lang: str | None,
) -> None:
    if engine == "dask":
        pytest.importorskip("distributed", reason="the Dask engine needs clientguard[dask]")
    session = request.getfixturevalue("spark") if engine == "spark" else None
    root, firms = lake
    chosen = firms[:2]

    run(root, as_of=SAMPLE_AS_OF, engine=engine, output=tmp_path, firms=chosen,  # type: ignore[arg-type]
        workers=1, spark=session, lang=lang)

    summaries, findings = read_output(tmp_path)
    assert [s.firm_id for s in summaries] == list(chosen)
    # Each firm's messages are those of its review in the run's language (the words are
    # checked by hand in test_portfolio_firm.py); the Python API writes English unless a
    # language is given. None of them is the other language's.
    other = "en" if lang == "pl" else "pl"
    for firm in chosen:
        messages = [f.message for f in findings if f.firm_id == firm]
        assert messages
        assert messages == [f.message for f in review_firm(
            firm, root, as_of=SAMPLE_AS_OF, lang=lang or "en").findings]
        assert not set(messages) & {f.message for f in review_firm(
            firm, root, as_of=SAMPLE_AS_OF, lang=other).findings}
    described = json.loads((tmp_path / RUN_FILE).read_text())
    assert described["lang"] == (lang or "en")


def test_a_worker_writes_a_lake_gone_missing_in_the_runs_language(
    lake: tuple[Path, tuple[str, ...]], tmp_path: Path
) -> None:
    """The layout file is checked on the driver, then again by each worker (a lake may be
    replaced meanwhile): a worker process, which starts in English, says it in the run's."""
    from clientguard.portfolio.run import run_local

    empty = tmp_path / "empty"
    empty.mkdir()
    task = FirmTask("f1", str(empty), str(tmp_path / "out"), SAMPLE_AS_OF, Policy(), "pl")
    seen: list[FirmOutcome] = []

    run_local([task], seen.append, workers=1)

    assert [(o.firm_id, o.status) for o in seen] == [("f1", FAILED)]
    assert seen[0].reason == (
        "folder nie jest jeziorem danych clientguard: brak w nim pliku _clientguard_layout.json "
        "(zapisz go poleceniem clientguard export --format parquet)")
    summaries, _findings = read_output(tmp_path / "out")
    assert [s.reason for s in summaries] == [seen[0].reason]


# ------------------------------------------------------------- firms whose rows are not written


@pytest.mark.parametrize("engine", ["local", "dask", "spark"])
def test_every_engine_lists_the_firms_it_could_not_write_in_the_run_file(
    tmp_path: Path, request: pytest.FixtureRequest, engine: str
) -> None:
    # Partitions another tool named (Hive's escaping of 'a b', a hidden '_old'): no row can be
    # written for them, so _clientguard_run.json is where a reader of the output learns of
    # them. Spark's outcomes used to come back without 'written': its run file listed none.
    import shutil

    from clientguard.portfolio import write_firm
    from clientguard.testing import customer, invoice

    if engine == "dask":
        pytest.importorskip("distributed", reason="the Dask engine needs clientguard[dask]")
    session = request.getfixturevalue("spark") if engine == "spark" else None
    lake, out = tmp_path / "lake", tmp_path / "out"
    write_firm(lake, "good", [customer("acme"), invoice("acme", issued="2025-05-01",
                                                         total="10.00", id="A-1")],
               base_currency="EUR")
    for table in (p for p in lake.iterdir() if p.is_dir()):
        for name in ("a%20b", "_old"):
            shutil.copytree(table / "firm_id=good", table / f"firm_id={name}")

    summary = run(lake, as_of=date(2025, 6, 30), engine=engine, output=out,  # type: ignore[arg-type]
                  workers=1, spark=session)

    assert [(o.firm_id, o.status, o.written) for o in summary.outcomes] == [
        ("_old", FAILED, False), ("a%20b", FAILED, False), ("good", REVIEWED, True)]
    described = json.loads((out / RUN_FILE).read_text())
    assert [(f["firm_id"], f["status"]) for f in described["not_written"]] == [
        ("_old", FAILED), ("a%20b", FAILED)]
    assert all("cannot name a partition" in f["reason"] for f in described["not_written"])


@pytest.mark.parametrize("engine", ["dask", "spark"])
def test_every_engine_reads_copied_nested_and_file_partitions_as_the_local_one(
    tmp_path: Path, request: pytest.FixtureRequest, engine: str
) -> None:
    # The lake's reading is shared by the engines: a part file copied beside its first (read
    # once), a partition holding a folder and one that is a file (the firm failed, naming
    # it) give each engine the local engine's rows and outcomes.
    import shutil

    from clientguard.portfolio import write_firm
    from clientguard.testing import customer, invoice, payment

    if engine == "dask":
        pytest.importorskip("distributed", reason="the Dask engine needs clientguard[dask]")
    session = request.getfixturevalue("spark") if engine == "spark" else None
    lake = tmp_path / "lake"
    records: list[Any] = [customer("c1"),
               invoice("c1", issued="2024-10-01", due="2024-10-31", total="5000.00", id="I1"),
               payment("c1", on="2024-10-20", amount="2500.00", pays={"I1": "2500.00"},
                       id="P1")]
    for firm in ("copied", "nested", "filed"):
        write_firm(lake, firm, records, base_currency="EUR")
    for table in ("payments", "allocations"):
        part = lake / table / "firm_id=copied" / "part-0.parquet"
        shutil.copy(part, part.with_name("part-1.parquet"))
    nested = lake / "payments" / "firm_id=nested"
    (nested / "source=test").mkdir()
    (nested / "part-0.parquet").rename(nested / "source=test" / "part-0.parquet")
    filed = lake / "payments" / "firm_id=filed"
    data = (filed / "part-0.parquet").read_bytes()
    shutil.rmtree(filed)
    filed.write_bytes(data)

    local = run(lake, as_of=date(2025, 1, 1), engine="local", output=tmp_path / "local",
                workers=1)
    other = run(lake, as_of=date(2025, 1, 1), engine=engine,  # type: ignore[arg-type]
                output=tmp_path / engine, workers=1, spark=session)

    rows = read_output(tmp_path / "local")
    assert [(f.firm_id, f.status, f.open_balance) for f in rows[0]] == [
        ("copied", REVIEWED, Decimal("2500.00")), ("filed", FAILED, None),
        ("nested", FAILED, None)]  # copied: 5,000.00 less 2,500.00 paid once, by hand
    assert read_output(tmp_path / engine) == rows
    assert [(o.firm_id, o.status, o.reason) for o in other.outcomes] == [
        (o.firm_id, o.status, o.reason) for o in local.outcomes]
