"""A small run of the pipeline benchmark (``python -m bench``), so that its code never rots.

The real runs (10,000 to 1,000,000 invoices) are on demand: ``make bench``. This one takes
1,000 invoices through every step but the peers (DuckDB, pandas, polars: installed into the
bench's own environment on first use, not a thing a test does); where that environment is
already there, one test runs the peers too and checks that they agree with clientguard.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

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


def test_the_peers_are_skipped_with_a_reason_when_they_cannot_be_had(
    pipeline: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "peers_python", lambda log=print: None)
    measure = pipeline.baseline("duckdb", 1000, tmp_path, log=lambda text: None)
    assert measure.wall is None
    assert measure.note.startswith("skipped")


def test_the_peers_agree_with_clientguard_where_they_are_installed(
    pipeline: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    python = pipeline.PEERS_VENV / "bin" / "python"
    stamp = pipeline.PEERS_VENV / "requirements.txt"
    if not python.exists() or not stamp.exists():
        pytest.skip("the peers' environment (bench/.venv-baselines) is made by `make bench`")
    out = tmp_path / "measures.json"
    # 3,000 invoices: every peer, rule for rule, gives clientguard's numbers
    assert pipeline.main(["--sizes", "3000", "--steps", "load_csv,review,baseline", "--dir",
                          str(tmp_path / "data"), "--json", str(out)]) == 0
    measures = {m["step"]: m for m in json.loads(out.read_text())["measures"]}
    ours = measures["review"]["extra"]["profiles"]
    for peer in pipeline.PEERS:
        assert pipeline.disagreements(ours, measures[peer]["extra"]["numbers"]) == [], peer
    assert "DISAGREE" not in capsys.readouterr().out


def test_a_peer_that_counts_one_invoice_differently_disagrees(pipeline: ModuleType) -> None:
    ours = {"a": [3, 10, "2.5", None], "g": [None, None, None, "0.25"]}
    assert pipeline.disagreements(ours, {"a": [3, 10, "2.5000000001", None],
                                         "g": [None, None, None, "0.2500000000001"]}) == []
    # a late share 3/10 against 2/10, as a partly paid invoice settled on its issue date gives
    assert pipeline.disagreements(ours, {"a": [2, 10, "2.5", None], "g": ours["g"]}) == [
        "a: late/due 3/10 against 2/10"]
    assert pipeline.disagreements(ours, {"a": [3, 10, "2.51", None], "g": ours["g"]}) == [
        "a: weighted days late 2.5 against 2.51"]
    assert pipeline.disagreements(ours, {"a": ours["a"]}) == ["g: revenue share 0.25 against None"]


def test_a_disagreeing_peer_fails_the_run(
    pipeline: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def wrong(peer: str, size: int, folder: Path, *, log: object = print) -> object:
        return pipeline.Measure(peer, size, 0.1, 0.1, 10.0, extra={"numbers": {}})

    monkeypatch.setattr(pipeline, "baseline", wrong)
    assert pipeline.main(["--sizes", "1000", "--steps", "load_csv,review,duckdb", "--dir",
                          str(tmp_path)]) == 1
    assert "FAILED: clientguard and duckdb at 1,000 disagree" in capsys.readouterr().out


def test_the_summary_gives_the_growth_ratio_and_the_comparison(pipeline: ModuleType) -> None:
    m = pipeline.Measure
    measures = [
        m("load_csv", 100, 1.0, 1.0, 10.0), m("load_csv", 1000, 10.0, 9.0, 50.0),
        m("review", 100, 0.5, 0.5, 10.0), m("review", 1000, 5.5, 5.0, 60.0),
        m("duckdb", 1000, 0.5, 1.0, 5.0, extra={"numbers": {"a": [1, 2, "0.25", None]}}),
    ]
    measures[3].extra["profiles"] = {"a": [1, 2, "0.75", None]}
    text = pipeline.summary(measures)
    assert "wall x10.0, cpu x9.0" in text  # load_csv, 1000 against 100
    assert "wall x11.0, cpu x10.0" in text  # review
    assert "15.5 s wall, 14.0 s CPU, peak 60 MiB" in text
    assert "x14.0 its CPU time, x31.0 its wall time" in text
    assert "weighted days late 0.5" in text
    assert "DISAGREE" in text


def test_unknown_steps_are_refused(pipeline: ModuleType) -> None:
    with pytest.raises(SystemExit):
        pipeline.main(["--steps", "review,sorcery"])


def test_a_later_command_reuses_the_same_input_and_makes_a_changed_one_again(
    pipeline: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    assert pipeline.main(["--sizes", "500", "--steps", "write_csv", "--dir", str(data)]) == 0
    invoices = data / "500" / "invoices.csv"
    written = invoices.read_bytes()
    invoices.write_bytes(written + b"")  # the same bytes, a newer time
    stamp = invoices.stat().st_mtime_ns
    capsys.readouterr()

    # Without write_csv in the steps: the same sizes and seed reuse the files as they are.
    assert pipeline.main(["--sizes", "500", "--steps", "load_csv", "--dir", str(data)]) == 0
    assert "reused from" in capsys.readouterr().out
    assert invoices.stat().st_mtime_ns == stamp

    # Another seed is another input: made again, and different.
    assert pipeline.main(["--sizes", "500", "--steps", "load_csv", "--seed", "1",
                          "--dir", str(data)]) == 0
    assert "reused from" not in capsys.readouterr().out
    assert invoices.read_bytes() != written

    # A folder whose meta.json is missing (a run stopped half-way) is never reused.
    (data / "500" / "meta.json").unlink()
    assert not pipeline.reusable(data / "500", pipeline.input_key(500, 40, 1))


def test_measuring_write_csv_writes_the_files_again(
    pipeline: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    out = tmp_path / "measures.json"
    for _ in range(2):
        assert pipeline.main(["--sizes", "500", "--steps", "write_csv", "--dir", str(data),
                              "--json", str(out)]) == 0
        steps = [m["step"] for m in json.loads(out.read_text())["measures"]]
        assert steps == ["generate", "write_csv"]
    assert "reused from" not in capsys.readouterr().out


def test_the_peers_follow_the_paid_date_rule_where_payments_come_after_it(
    pipeline: ModuleType, tmp_path: Path
) -> None:
    """Rule 3 of bench/peer_common.py (docs/metrics/lateness.md, rule 4): a paid invoice's
    source paid date is an event of its day, and payments after it settle nothing. The
    sample never has both, so its invoices are edited: every paid invoice whose last payment
    came after its due date is marked paid on its due date. clientguard then counts fewer
    late invoices than on the files as written, and every peer must agree with it."""
    import csv
    import shutil

    python = pipeline.PEERS_VENV / "bin" / "python"
    stamp = pipeline.PEERS_VENV / "requirements.txt"
    if not python.exists() or not stamp.exists():
        pytest.skip("the peers' environment (bench/.venv-baselines) is made by `make bench`")
    written, edited = tmp_path / "written", tmp_path / "edited"
    assert pipeline.main(["--sizes", "3000", "--steps", "write_csv", "--dir", str(written)]) == 0
    shutil.copytree(written, edited)
    last_payment: dict[str, str] = {}
    with (edited / "3000" / "payments.csv").open(newline="") as file:
        for row in csv.DictReader(file):
            last_payment[row["invoice_id"]] = max(row["date"],
                                                  last_payment.get(row["invoice_id"], ""))
    path = edited / "3000" / "invoices.csv"
    with path.open(newline="") as file:
        reader = csv.DictReader(file)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    changed = 0
    for row in rows:
        paid_late = last_payment.get(row["id"], "") > row["due_date"]
        if row["status"] == "paid" and paid_late:
            row["paid_on"] = row["due_date"]
            changed += 1
    assert changed > 10
    with path.open("w", newline="") as file:
        out = csv.DictWriter(file, fieldnames=fields)
        out.writeheader()
        out.writerows(rows)

    def numbers(folder: Path) -> dict[str, Any]:
        measures = tmp_path / f"{folder.name}.json"
        assert pipeline.main(["--sizes", "3000", "--steps", "load_csv,review,baseline",
                              "--dir", str(folder), "--json", str(measures)]) == 0
        return {m["step"]: m for m in json.loads(measures.read_text())["measures"]}

    before, after = numbers(written), numbers(edited)
    ours = after["review"]["extra"]["profiles"]
    late_before = sum(int(v[0] or 0) for v in before["review"]["extra"]["profiles"].values())
    late_after = sum(int(v[0] or 0) for v in ours.values())
    assert late_after < late_before  # the edit reaches the rule
    for peer in pipeline.PEERS:
        assert pipeline.disagreements(ours, after[peer]["extra"]["numbers"]) == [], peer


def test_the_peers_leave_out_invoices_cancelled_by_credit_notes(
    pipeline: ModuleType, tmp_path: Path
) -> None:
    """Rule 8 of bench/peer_common.py (docs/metrics/lateness.md, rule 10): an invoice settled
    by credit notes alone was cancelled, not paid, and is out of the late counts and the
    weighted days late. The sample's credit notes are 5-25% of an invoice, so its invoices
    are edited: every third invoice paid by one payment of its own, due in the window at
    least 45 days before ``as_of``, loses its payment and is cancelled instead by a credit
    note of its total 45 days after its due date (every other one: of all but a cent, the
    cent paid the day after, which does not make it paid). clientguard then counts fewer
    invoices due than on the files as written (they would be due and late), and every peer
    must agree."""
    import csv
    import shutil
    from datetime import date, timedelta

    python = pipeline.PEERS_VENV / "bin" / "python"
    stamp = pipeline.PEERS_VENV / "requirements.txt"
    if not python.exists() or not stamp.exists():
        pytest.skip("the peers' environment (bench/.venv-baselines) is made by `make bench`")
    written, edited = tmp_path / "written", tmp_path / "edited"
    assert pipeline.main(["--sizes", "3000", "--steps", "write_csv", "--dir", str(written)]) == 0
    shutil.copytree(written, edited)
    folder = edited / "3000"
    meta = json.loads((folder / "meta.json").read_text())
    as_of = date.fromisoformat(meta["as_of"])
    window_start = as_of - timedelta(days=int(meta["lookback_days"]))

    def read(name: str) -> tuple[list[str], list[dict[str, str]]]:
        with (folder / f"{name}.csv").open(newline="") as file:
            reader = csv.DictReader(file)
            return list(reader.fieldnames or []), list(reader)

    def write(name: str, fields: list[str], rows: list[dict[str, str]]) -> None:
        with (folder / f"{name}.csv").open("w", newline="") as file:
            out = csv.DictWriter(file, fieldnames=fields)
            out.writeheader()
            out.writerows(rows)

    pay_fields, payments = read("payments")
    cn_fields, notes = read("credit_notes")
    _, invoices = read("invoices")
    rows_of: dict[str, int] = {}
    for row in payments:
        rows_of[row["id"]] = rows_of.get(row["id"], 0) + 1
    paid_by: dict[str, list[dict[str, str]]] = {}
    for row in payments:
        if row["invoice_id"]:
            paid_by.setdefault(row["invoice_id"], []).append(row)
    credited = {row["invoice_id"] for row in notes if row["invoice_id"]}
    candidates = [
        row for row in invoices
        if row["status"] == "paid" and not row["paid_on"] and row["id"] not in credited
        and window_start < date.fromisoformat(row["due_date"]) <= as_of - timedelta(days=45)
        and [rows_of[p["id"]] for p in paid_by.get(row["id"], [])] == [1]
    ]
    cancelled = candidates[::3]
    assert len(cancelled) > 10
    gone = {row["id"] for row in cancelled}
    kept = [p for p in payments if p["invoice_id"] not in gone]
    for n, row in enumerate(cancelled):
        credited_on = date.fromisoformat(row["due_date"]) + timedelta(days=45)
        total = Decimal(row["total"])
        if n % 2:
            # Every other one credited within the tolerance (all but a cent), the cent paid
            # the day after: the credit notes settled it first, so it is cancelled still
            # (some of these cents come after as_of).
            total -= Decimal("0.01")
            kept.append(dict(paid_by[row["id"]][0], id=f"P-CENT-{n:04d}", amount="0.01",
                             date=(credited_on + timedelta(days=1)).isoformat()))
        notes.append({
            "id": f"CN-CANCEL-{n:04d}", "customer_id": row["customer_id"],
            "invoice_id": row["id"], "issue_date": credited_on.isoformat(),
            "total": str(total), "currency": row["currency"], "fx_rate": row["fx_rate"],
        })
    write("payments", pay_fields, kept)
    write("credit_notes", cn_fields, notes)

    def numbers(folder: Path) -> dict[str, Any]:
        measures = tmp_path / f"{folder.name}.json"
        assert pipeline.main(["--sizes", "3000", "--steps", "load_csv,review,baseline",
                              "--dir", str(folder), "--json", str(measures)]) == 0
        return {m["step"]: m for m in json.loads(measures.read_text())["measures"]}

    before, after = numbers(written), numbers(edited)
    ours = after["review"]["extra"]["profiles"]
    due_before = sum(int(v[1] or 0) for v in before["review"]["extra"]["profiles"].values())
    due_after = sum(int(v[1] or 0) for v in ours.values())
    assert due_after == due_before - len(cancelled)  # the edit reaches the rule
    for peer in pipeline.PEERS:
        assert pipeline.disagreements(ours, after[peer]["extra"]["numbers"]) == [], peer
