"""A small run of the pipeline benchmark (``python -m bench``), so that its code never rots.

The real runs (10,000 to 1,000,000 invoices) are on demand: ``make bench``. This one takes
1,000 invoices through every step but the DuckDB baseline (which installs DuckDB into its own
environment on first use: not a thing a test does).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def pipeline() -> ModuleType:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # the bench package lives beside src/, not in it
    spec = importlib.util.spec_from_file_location("bench.pipeline", ROOT / "bench" / "pipeline.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench.pipeline", module)
    spec.loader.exec_module(module)
    return module


STEPS = "write_csv,load_csv,build,review,store_sync,store_load"


def test_every_step_runs_at_1000_invoices(
    pipeline: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "measures.json"
    assert pipeline.main(["--sizes", "1000", "--steps", STEPS, "--dir", str(tmp_path / "data"),
                          "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "end to end (load_csv + review)" in printed
    measures = {m["step"]: m for m in json.loads(out.read_text())["measures"]}
    assert set(measures) == {"generate", *STEPS.split(",")}
    for step in STEPS.split(","):
        assert measures[step]["wall"] > 0, step
        assert measures[step]["cpu"] > 0, step
        assert measures[step]["peak_mib"] > 0, step
    # The CSV round trip keeps every record: nothing rejected, every invoice loaded back.
    assert measures["load_csv"]["extra"]["rejected"] == 0
    assert measures["load_csv"]["extra"]["records"]["invoices"] == 1000
    assert measures["build"]["extra"]["invoices"] == 1000
    assert measures["store_load"]["extra"]["invoices"] == 1000
    assert measures["review"]["extra"]["clients"] > 10
    files = {p.name for p in (tmp_path / "data" / "1000").glob("*.csv")}
    assert files == {"customers.csv", "invoices.csv", "payments.csv", "credit_notes.csv",
                     "time_entries.csv", "work_requests.csv", "fx.csv"}


def test_the_baseline_is_skipped_with_a_reason_when_duckdb_cannot_be_had(
    pipeline: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "duckdb_python", lambda log=print: None)
    measure = pipeline.baseline(1000, tmp_path, log=lambda text: None)
    assert measure.wall is None
    assert measure.note.startswith("skipped")


def test_the_summary_gives_the_growth_ratio_and_the_comparison(pipeline: ModuleType) -> None:
    m = pipeline.Measure
    measures = [
        m("load_csv", 100, 1.0, 1.0, 10.0), m("load_csv", 1000, 10.0, 9.0, 50.0),
        m("review", 100, 0.5, 0.5, 10.0), m("review", 1000, 5.5, 5.0, 60.0),
        m("baseline", 1000, 0.5, 1.0, 5.0, extra={"numbers": {"a": ["0.5", "2", "0.25", 3]}}),
    ]
    measures[3].extra["profiles"] = {"a": ["0.5", "2.5", "0.25", "3"]}
    text = pipeline.summary(measures)
    assert "wall x10.0, cpu x9.0" in text  # load_csv, 1000 against 100
    assert "wall x11.0, cpu x10.0" in text  # review
    assert "15.5 s wall, 14.0 s CPU, peak 60 MiB" in text
    assert "x31 its wall time" in text
    assert "weighted days late 0.5" in text


def test_unknown_steps_are_refused(pipeline: ModuleType) -> None:
    with pytest.raises(SystemExit):
        pipeline.main(["--steps", "review,sorcery"])
