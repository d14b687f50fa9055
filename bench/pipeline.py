"""The whole path, from CSV files to a finished review, at several sizes (issue 10).

For each size (invoices; the sample's payments, credit notes, time entries and work requests
come with them) the run measures, each step in its own forked process:

``generate``   :func:`clientguard.sample.sample_records` (the input; not part of the path)
``write_csv``  writing the records to six CSV files (customers, invoices, payments, credit
               notes, time entries, work requests) and the FxTable to ``fx.csv``
``load_csv``   the CSV connector into a strict ledger (:meth:`Ledger.from_connector`: mapping,
               records, and the ledger's build)
``build``      :meth:`Ledger.build` alone, on the records of that ledger
``review``     :func:`clientguard.review` on the built ledger (all signals)
``store_sync`` syncing the CSV connector into a fresh SQLite store
``store_load`` loading a strict ledger back from the store
``duckdb``, ``pandas``, ``polars``  the peers: the same per-customer late share and
               amount-weighted days late, and per-client revenue share, by a short DuckDB query,
               pandas script and polars script on the same CSV files (``bench/baseline_*.py``,
               rules in ``bench/peer_common.py``; run in the bench's own virtual environment
               ``bench/.venv-baselines``, made on first use); ``baseline`` selects all three.
               Their numbers must agree with clientguard's: the late counts exactly, the days
               and shares to within 1e-9 (a run that disagrees fails)

Time is wall clock (``time.perf_counter``) and CPU (``time.process_time`` of the step's
process; for a peer, user + system time of its process, which counts every thread).
Peak memory is the peak resident set size of the process while the step ran: ``generate`` and
``write_csv`` run in a forked process of their own (``ru_maxrss`` from ``os.wait4``); the steps
``load_csv``, ``build`` and ``review`` run one after another in one forked process that loads
the ledger, as a user's process would, and ``store_sync`` then ``store_load`` in another (a
user syncing a store holds no CSV-loaded ledger beside it); each step's peak is read from
``VmHWM`` after resetting it (``/proc/self/clear_refs``), so it includes what that process
holds at the time (the ledger).

The end-to-end path (CSV to a finished review) is ``load_csv + review``; its peak is the
larger of theirs.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import gc
import hashlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

PEERS = ("duckdb", "pandas", "polars")
"""The peer scripts, each ``bench/baseline_<name>.py``."""
STEPS = ("write_csv", "load_csv", "build", "review", "store_sync", "store_load", *PEERS)
"""Every measured step, in the order it runs (``generate`` always runs: it makes the input)."""
BASELINE = "baseline"
"""The name that selects every peer in ``--steps``."""
AGREEMENT = 1e-9
"""How far a peer's weighted days late and revenue shares may be from clientguard's (floats
against Decimals); the late and due counts must be equal."""
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
T = TypeVar("T")
HERE = Path(__file__).resolve().parent
PEERS_VENV = HERE / ".venv-baselines"
PEERS_REQUIREMENTS = ("duckdb>=1.1,<3", "pandas>=2.2,<4", "polars>=1.20,<3")

# The CSV connector's mapping for the files write_csv makes: ISO dates, plain decimals.
MAPPING: dict[str, Any] = {
    "encoding": "utf-8",
    "delimiter": ",",
    "date_formats": ["iso"],
    "decimal": ".",
    "thousands": "",
    "customers": {
        "columns": {"id": "id", "name": "name", "tax_id": "tax_id", "email": "email",
                    "group_id": "group_id"},
    },
    "invoices": {
        "columns": {
            "id": "id", "number": "number", "customer_id": "customer_id",
            "issue_date": "issue_date", "due_date": "due_date", "total": "total",
            "currency": "currency", "status": "status", "paid_on": "paid_on",
            "amount_due": "amount_due", "fx_rate": "fx_rate",
        },
        "status": {"draft": ["draft"], "open": ["open"], "paid": ["paid"], "void": ["void"]},
    },
    "credit_notes": {
        "columns": {
            "id": "id", "customer_id": "customer_id", "invoice_id": "invoice_id",
            "issue_date": "issue_date", "total": "total", "currency": "currency",
            "fx_rate": "fx_rate",
        },
    },
    "payments": {
        # One row per allocation (and one without an invoice for the unapplied part).
        "group_rows": True,
        "columns": {
            "id": "id", "customer_id": "customer_id", "invoice_id": "invoice_id",
            "date": "date", "amount": "amount", "currency": "currency", "fx_rate": "fx_rate",
        },
    },
    "time_entries": {
        "columns": {"customer_id": "customer_id", "date": "date", "hours": "hours",
                    "person": "person", "billable": "billable"},
    },
    "work_requests": {
        "columns": {"id": "id", "customer_id": "customer_id", "requested_on": "requested_on",
                    "wanted_by": "wanted_by"},
    },
}


@dataclass
class Measure:
    """One step at one size."""

    step: str
    size: int
    wall: float | None = None
    cpu: float | None = None
    peak_mib: float | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    run: int = 0
    """Which run of ``--runs`` (from 0)."""


# ------------------------------------------------------------------------ forked processes


def _forked(run: Callable[[], dict[str, Any]]) -> tuple[dict[str, Any], float]:
    """Run ``run`` in a forked child; its JSON-able result and the child's peak RSS (MiB).

    The child's result travels back through a pipe; an exception in the child comes back as
    its traceback and is raised here as a RuntimeError.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_end)
        code = 0
        try:
            payload: dict[str, Any] = {"ok": run()}
        except BaseException:  # everything goes back to the parent
            payload, code = {"error": traceback.format_exc()}, 1
        try:
            with os.fdopen(write_end, "w") as out:
                json.dump(payload, out, default=str)
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end) as incoming:
        text = incoming.read()
    _, _, usage = os.wait4(pid, 0)
    payload = json.loads(text) if text else {"error": "the step's process died without a word"}
    if "error" in payload:
        raise RuntimeError(f"a benchmark step failed:\n{payload['error']}")
    return payload["ok"], usage.ru_maxrss / 1024  # KiB on Linux


def _high_water_mib() -> float | None:
    """The process's peak resident set size so far (VmHWM), in MiB; None where unknown."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _measured(run: Callable[[], T]) -> tuple[T, float]:
    """Run ``run`` in this process; its result and this process's peak RSS (MiB) during it.

    The peak is reset first (``/proc/self/clear_refs``, Linux), so it is the peak while the
    step ran, its input included. In-process rather than forked: a forked child pays a
    copy-on-write page fault for every page of the inherited ledger it touches (reference
    counts are writes), which added a quarter to the CPU time of a review at a million
    invoices. Where the peak cannot be reset, the process's peak so far is given.
    """
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    result = run()
    peak = _high_water_mib()
    if peak is None:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result, peak


def _timed(work: Callable[[], Any]) -> tuple[Any, float, float]:
    """``work()``, its wall-clock and CPU seconds (garbage collected first, not counted)."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, time.perf_counter() - wall, time.process_time() - cpu


# ------------------------------------------------------------------------ the CSV files


def input_key(size: int, customers: int, seed: int) -> dict[str, Any]:
    """What makes the bench's input: the sizes, the seed and a digest of the code that
    generates and writes it (``clientguard.sample`` and :func:`write_csv`). Files whose
    ``meta.json`` holds the same key are the same input, and a run reuses them."""
    import inspect

    import clientguard.sample

    code = inspect.getsource(clientguard.sample) + inspect.getsource(write_csv)
    return {"invoices": size, "customers": customers, "seed": seed,
            "code": hashlib.sha256(code.encode()).hexdigest()}


def reusable(folder: Path, key: dict[str, Any]) -> bool:
    """Whether ``folder`` holds the input ``key`` names, written to the end (``meta.json``
    is written last)."""
    try:
        meta = json.loads((folder / "meta.json").read_text())
    except (OSError, ValueError):
        return False
    return isinstance(meta, dict) and meta.get("input") == key


def write_csv(data: Any, folder: Path, key: dict[str, Any] | None = None) -> dict[str, int]:
    """The sample's records as six CSV files (and the FxTable as ``fx.csv``); rows per file.
    ``key`` (:func:`input_key`) goes into ``meta.json``, written last, so that a later run can
    reuse the files.

    Payments take one row per allocation (``group_rows``) and one more, without an invoice,
    for a part left unapplied. Allocation dates are not written (the sample has none).
    """
    from clientguard.policy import Policy

    folder.mkdir(parents=True, exist_ok=True)
    rows: dict[str, int] = {}

    def text(value: object) -> str:
        return "" if value is None else str(value)

    def write(name: str, header: Sequence[str], lines: Iterable[Sequence[object]]) -> None:
        count = 0
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(header)
            for line in lines:
                out.writerow([text(v) for v in line])
                count += 1
        rows[name] = count

    write("customers", ("id", "name", "tax_id", "email", "group_id"),
          ((c.id, c.name, c.tax_id, c.email, c.group_id) for c in data.customers))
    write("invoices",
          ("id", "number", "customer_id", "issue_date", "due_date", "total", "currency",
           "status", "paid_on", "amount_due", "fx_rate"),
          ((i.id, i.number, i.customer_id, i.issue_date, i.due_date, i.total, i.currency,
            i.status, i.paid_on, i.amount_due, i.fx_rate) for i in data.invoices))
    write("credit_notes",
          ("id", "customer_id", "invoice_id", "issue_date", "total", "currency", "fx_rate"),
          ((c.id, c.customer_id, c.allocations[0].invoice_id if c.allocations else None,
            c.issue_date, c.total, c.currency, c.fx_rate) for c in data.credit_notes))

    def payment_rows() -> Iterable[Sequence[object]]:
        for p in data.payments:
            left = p.amount
            for a in p.allocations:
                left -= a.amount
                yield (p.id, p.customer_id, a.invoice_id, p.date, a.amount, p.currency,
                       p.fx_rate)
            if left > 0 or not p.allocations:
                yield (p.id, p.customer_id, None, p.date, left, p.currency, p.fx_rate)

    write("payments",
          ("id", "customer_id", "invoice_id", "date", "amount", "currency", "fx_rate"),
          payment_rows())
    write("time_entries", ("customer_id", "date", "hours", "person", "billable"),
          ((t.customer_id, t.date, t.hours, t.person,
            None if t.billable is None else ("yes" if t.billable else "no"))
           for t in data.time_entries))
    write("work_requests", ("id", "customer_id", "requested_on", "wanted_by"),
          ((w.id, w.customer_id, w.requested_on, w.wanted_by) for w in data.work_requests))
    write("fx", ("currency", "date", "rate"),
          ((currency, day, rate) for currency, by_day in sorted(data.fx.rates.items())
           for day, rate in sorted(by_day.items())))
    policy = Policy()
    (folder / "meta.json").write_text(json.dumps({
        "as_of": data.as_of.isoformat(), "base_currency": data.base_currency,
        "lookback_days": policy.lookback_days, "settle_tolerance": str(policy.settle_tolerance),
        "grace_days": policy.grace_days, "input": key,
    }))
    return rows


def read_fx(folder: Path) -> Any:
    from clientguard.money import FxTable

    meta = json.loads((folder / "meta.json").read_text())
    with (folder / "fx.csv").open(encoding="utf-8", newline="") as handle:
        rows = [(r["currency"], date.fromisoformat(r["date"]), r["rate"])
                for r in csv.DictReader(handle)]
    return FxTable.from_rows(meta["base_currency"], rows)


def connector(folder: Path, reader: str = "auto") -> Any:
    """The CSV connector on the folder's files; ``reader`` is its option of that name
    (``python``, ``arrow`` or ``auto``: ``--csv-reader``)."""
    from clientguard_csv import CsvConnector

    return CsvConnector(
        customers=folder / "customers.csv",
        invoices=folder / "invoices.csv",
        credit_notes=folder / "credit_notes.csv",
        payments=folder / "payments.csv",
        time_entries=folder / "time_entries.csv",
        work_requests=folder / "work_requests.csv",
        mapping=MAPPING,
        reader=reader,
    )


# ------------------------------------------------------------------------ one size


def run_size(size: int, steps: Sequence[str], folder: Path, *, customers: int = 40,
             seed: int = 0, log: Callable[[str], None] = print, run: int = 0,
             csv_reader: str = "auto") -> list[Measure]:
    """Every selected step at one size, each in its own process; the measures. A later run
    (``run`` > 0) reuses the files the first one wrote, and so does the first where
    ``write_csv`` is not a step and ``folder`` holds the same input (:func:`reusable`)."""
    import clientguard as cg
    from clientguard.ledger import Ledger
    from clientguard.sample import sample_records
    from clientguard.store import Store

    measures: list[Measure] = []

    def record(step: str, result: dict[str, Any], peak: float, note: str = "") -> None:
        measure = Measure(step, size, result.get("wall"), result.get("cpu"), peak, note,
                          {k: v for k, v in result.items() if k not in ("wall", "cpu")}, run)
        measures.append(measure)
        log(_line(measure))

    def generate_and_write() -> dict[str, Any]:
        data, wall, cpu = _timed(lambda: sample_records(seed, invoices=size,
                                                        customers=customers))
        written, write_wall, write_cpu = _timed(lambda: write_csv(data, folder, key))
        return {"generate": [wall, cpu], "wall": write_wall, "cpu": write_cpu, "rows": written,
                "bytes": sum(p.stat().st_size for p in folder.glob("*.csv"))}

    key = input_key(size, customers, seed)
    # The files are made again when writing them is measured (``write_csv`` in the steps),
    # once; otherwise files of the same input (a run before, an earlier command's ``--dir``)
    # are reused.
    if (run > 0 or "write_csv" not in steps) and reusable(folder, key):
        if run == 0:
            log(f"{size:>9,} input       reused from {folder} (same sizes, seed and code)")
    else:
        # (Unlinked first: a run that stops half-way leaves files no later run reuses.)
        (folder / "meta.json").unlink(missing_ok=True)
        result, peak = _forked(generate_and_write)
        gen_wall, gen_cpu = result.pop("generate")
        record("generate", {"wall": gen_wall, "cpu": gen_cpu}, peak, "input, not on the path")
        if "write_csv" in steps:
            record("write_csv", result, peak, f"{result['bytes'] / 2**20:.0f} MiB of CSV")

    ledger_steps = [s for s in ("load_csv", "build", "review", "store_sync", "store_load")
                    if s in steps]
    if ledger_steps:
        # One process loads the ledger, then runs the later steps with it.
        def loaded_steps() -> dict[str, Any]:
            fx = read_fx(folder)
            meta = json.loads((folder / "meta.json").read_text())
            base = meta["base_currency"]
            as_of = date.fromisoformat(meta["as_of"])
            (ledger, wall, cpu), load_peak = _measured(lambda: _timed(
                lambda: Ledger.from_connector(connector(folder, csv_reader), base_currency=base,
                                              fx=fx, strict=True)))
            out: dict[str, Any] = {"load_csv": [
                {"wall": wall, "cpu": cpu, "records": ledger.report.accepted,
                 "rejected": len(ledger.report.rejected)},
                load_peak,
            ]}

            def build() -> dict[str, Any]:
                records = [*ledger.customers, *ledger.invoices, *ledger.payments,
                           *ledger.credit_notes, *ledger.time_entries, *ledger.work_requests]
                built, wall, cpu = _timed(lambda: Ledger.build(records, base_currency=base,
                                                               fx=fx, strict=True))
                count = len(built.invoices)
                del built, records
                gc.collect()
                return {"wall": wall, "cpu": cpu, "invoices": count}

            def review() -> dict[str, Any]:
                done, wall, cpu = _timed(lambda: cg.review(ledger, as_of=as_of))
                return {"wall": wall, "cpu": cpu, "clients": len(done.clients),
                        "recommendations": done.book.recommendations,
                        "profiles": _profile_numbers(done)}

            # Progress, from this process, as each step ends (the table comes at the end).
            log(f"{size:>9,} load_csv    done in {wall:.1f} s")
            if "build" in steps:
                out["build"] = _measured(build)
                log(f"{size:>9,} build       done in {out['build'][0]['wall']:.1f} s")
            if "review" in steps:
                out["review"] = _measured(review)
                log(f"{size:>9,} review      done in {out['review'][0]['wall']:.1f} s")
            return out

        # The store's steps run in a process of their own: a user syncing and loading a
        # store holds no other ledger (measured beside the CSV-loaded one, store_load's
        # time and peak at a million included a second million-invoice ledger's).
        def store_steps() -> dict[str, Any]:
            fx = read_fx(folder)
            base = json.loads((folder / "meta.json").read_text())["base_currency"]

            def store() -> dict[str, Any]:
                path = folder / "store.sqlite"
                for stale in folder.glob("store.sqlite*"):
                    stale.unlink()
                with Store.open(path) as db:
                    synced, wall, cpu = _timed(lambda: db.sync(connector(folder, csv_reader)))
                    back, load_wall, load_cpu = _timed(
                        lambda: db.load(base_currency=base, fx=fx, strict=True))
                size_mib = path.stat().st_size / 2**20
                return {"store_sync": {"wall": wall, "cpu": cpu, "new": synced.new,
                                       "store_mib": round(size_mib)},
                        "store_load": {"wall": load_wall, "cpu": load_cpu,
                                       "invoices": len(back.invoices)}}

            both, peak = _measured(store)
            return {"store_sync": [both["store_sync"], peak],
                    "store_load": [both["store_load"], peak]}

        results: dict[str, Any] = {}
        if any(s in steps for s in ("load_csv", "build", "review")):
            results.update(_forked(loaded_steps)[0])
        if "store_sync" in steps or "store_load" in steps:
            results.update(_forked(store_steps)[0])
        for step in ledger_steps:
            result, peak = results[step]
            note = {"store_sync": "peak: sync and load", "store_load": "peak: sync and load",
                    "build": "peak includes the loaded ledger",
                    "review": "peak includes the loaded ledger"}.get(step, "")
            record(step, result, peak, note)

    for peer in PEERS:
        if peer in steps:
            measure = baseline(peer, size, folder, log=log)
            measure.run = run
            measures.append(measure)
    return measures


def _profile_numbers(done: Any) -> dict[str, list[Any]]:
    """Per customer: ``[late, due, weighted days late, None]``; per client ``[..., share]``:
    the form of the peers' answers (``peer_common.py``)."""
    numbers: dict[str, list[Any]] = {}
    for client in done.clients.values():
        for customer, profile in client.profiles.items():
            if profile.invoices_due:
                numbers[customer] = [profile.invoices_late, profile.invoices_due,
                                     _s(profile.weighted_days_late), None]
    for client, share in done.book.revenue.shares.items():
        numbers.setdefault(client, [None, None, None, None])[3] = _s(share)
    return numbers


def _s(value: Any) -> str | None:
    return None if value is None else str(value)


# ------------------------------------------------------------------------ the peers


def peers_python(log: Callable[[str], None] = print) -> Path | None:
    """The peers' venv's python, made (or brought up to date) on first use; None (said why)
    when it cannot be."""
    python = PEERS_VENV / "bin" / "python"
    stamp = PEERS_VENV / "requirements.txt"
    wanted = "\n".join(PEERS_REQUIREMENTS)
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    log(f"making {PEERS_VENV} for the peers ({', '.join(PEERS_REQUIREMENTS)}) ...")
    try:
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(PEERS_VENV)], check=True,
                           capture_output=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PEERS_REQUIREMENTS],
                       check=True, capture_output=True, timeout=900)
    except (subprocess.SubprocessError, OSError) as exc:
        shutil.rmtree(PEERS_VENV, ignore_errors=True)
        detail = getattr(exc, "stderr", b"") or b""
        log(f"peers skipped: they could not be installed ({exc}) "
            f"{detail.decode(errors='replace')[-300:]}")
        return None
    stamp.write_text(wanted)
    return python


def baseline(peer: str, size: int, folder: Path, *,
             log: Callable[[str], None] = print) -> Measure:
    """Run the peer script ``bench/baseline_<peer>.py`` on the folder's CSV files."""
    python = peers_python(log)
    if python is None:
        measure = Measure(peer, size, note="skipped: the peers could not be installed")
        log(_line(measure))
        return measure
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        wall = time.perf_counter()
        process = subprocess.Popen(
            [str(python), str(HERE / f"baseline_{peer}.py"), str(folder)], stdout=out, stderr=err,
            text=True)
        # wait4: this child's own CPU time (user + system, every thread) and peak RSS
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - wall
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        output, errors = out.read(), err.read()
    if process.returncode != 0:
        measure = Measure(peer, size, note=f"failed: {errors.strip()[-300:]}")
    else:
        result = json.loads(output)
        measure = Measure(peer, size, wall, usage.ru_utime + usage.ru_stime,
                          usage.ru_maxrss / 1024,
                          f"{peer} {result['version']}, all threads; wall includes startup",
                          {"query_wall": result["query_wall"], "numbers": result["numbers"],
                           "version": result["version"]})
    log(_line(measure))
    return measure


# ------------------------------------------------------------------------ reporting


def _line(m: Measure) -> str:
    def num(v: float | None, fmt: str) -> str:
        return "-" if v is None else format(v, fmt)

    return (f"{m.size:>9,} {m.step:<11} wall {num(m.wall, '8.2f')} s  cpu {num(m.cpu, '8.2f')} s"
            f"  peak {num(m.peak_mib, '7.0f')} MiB  {m.note}")


def disagreements(ours: dict[str, list[Any]], theirs: dict[str, list[Any]]) -> list[str]:
    """Where a peer's answer differs from clientguard's, in sentences; empty when they agree:
    the same customers, equal late and due counts (so the same late share, exactly), weighted
    days late and revenue shares within :data:`AGREEMENT`."""
    problems = []
    for who in sorted(set(ours) | set(theirs)):
        mine, peer = ours.get(who, [None] * 4), theirs.get(who, [None] * 4)
        if mine[:2] != peer[:2]:
            problems.append(f"{who}: late/due {mine[0]}/{mine[1]} against {peer[0]}/{peer[1]}")
        for k, what in ((2, "weighted days late"), (3, "revenue share")):
            one_missing = (mine[k] is None) != (peer[k] is None)
            if one_missing or (
                mine[k] is not None and abs(float(mine[k]) - float(peer[k])) > AGREEMENT
            ):
                problems.append(f"{who}: {what} {mine[k]} against {peer[k]}")
    return problems


def agreement(measures: list[Measure]) -> dict[tuple[int, str], tuple[str, bool]]:
    """Per size and peer: how far its numbers are from clientguard's (same CSV, same
    questions), and whether they agree (:func:`disagreements`)."""
    out: dict[tuple[int, str], tuple[str, bool]] = {}
    by = {(m.step, m.size): m for m in measures}
    for (step, size), m in by.items():
        review = by.get(("review", size))
        if step not in PEERS or review is None or "numbers" not in m.extra:
            continue
        ours = review.extra["profiles"]
        theirs = m.extra["numbers"]
        worst = [0.0, 0.0]
        for who, values in theirs.items():
            mine = ours.get(who)
            for k in (2, 3):
                if mine is not None and values[k] is not None and mine[k] is not None:
                    worst[k - 2] = max(worst[k - 2], abs(float(values[k]) - float(mine[k])))
        problems = disagreements(ours, theirs)
        late = sum(1 for who in theirs if who in ours and theirs[who][:2] == ours[who][:2]
                   and ours[who][1] is not None)
        text = (f"{late} customers' late counts equal; largest difference: weighted days late "
                f"{worst[0]:.2g}, revenue share {worst[1]:.2g}")
        if problems:
            text += f"; DISAGREE ({len(problems)}): " + "; ".join(problems[:5])
        out[(size, step)] = (text, not problems)
    return out


def medians(measures: list[Measure]) -> list[Measure]:
    """Per step and size, the measure of the run with the median CPU time (the lower median
    of an even count), its note naming every run's CPU seconds when there are several."""
    groups: dict[tuple[str, int], list[Measure]] = {}
    for m in measures:
        groups.setdefault((m.step, m.size), []).append(m)
    out = []
    for group in groups.values():
        timed = sorted((m for m in group if m.cpu is not None), key=lambda m: m.cpu or 0)
        if not timed:
            out.append(group[0])
            continue
        middle = timed[(len(timed) - 1) // 2]
        if len(group) > 1:
            runs = ", ".join(f"{m.cpu:.2f}" for m in group if m.cpu is not None)
            middle = Measure(**{**asdict(middle), "note": f"median of CPU {runs}"})
        out.append(middle)
    return out


def targets(measures: list[Measure]) -> list[tuple[str, float, float, bool]]:
    """Issue 21's targets at the largest size, each a ratio or amount measured within one run,
    then the median over the runs: ``(target, median, limit, met)``.

    * CSV to a finished review (``load_csv + review``, CPU) over DuckDB's CPU: at most 5;
    * the same over the pandas script's CPU: below 1;
    * the peak memory of ``load_csv`` and ``review`` (MiB): under 1,536 (1.5 GiB);
    * each clientguard step's CPU at the largest size over the size before it: at most 11
      (for a tenfold size).
    """
    sizes = sorted({m.size for m in measures})
    if not sizes:
        return []
    top = sizes[-1]
    runs = sorted({m.run for m in measures})
    found: dict[str, list[float]] = {}
    limits: dict[str, tuple[float, str]] = {}

    def add(name: str, value: float, limit: float, kind: str = "<=") -> None:
        found.setdefault(name, []).append(value)
        limits[name] = (limit, kind)

    for run in runs:
        by = {(m.step, m.size): m for m in measures if m.run == run or m.step in ("generate",
                                                                                  "write_csv")}
        load, review = by.get(("load_csv", top)), by.get(("review", top))
        if load and review and load.cpu and review.cpu:
            cpu = load.cpu + review.cpu
            for peer, limit, kind in (("duckdb", 5.0, "<="), ("pandas", 1.0, "<")):
                base = by.get((peer, top))
                if base and base.cpu:
                    add(f"CSV to review at {top:,}, CPU / {peer}'s", cpu / base.cpu, limit, kind)
            add(f"peak memory at {top:,} (MiB)", max(load.peak_mib or 0, review.peak_mib or 0),
                1536.0, "<")
        if len(sizes) >= 2:
            before = sizes[-2]
            for step in ("load_csv", "build", "review", "store_sync", "store_load"):
                a, b = by.get((step, before)), by.get((step, top))
                if a and b and a.cpu and b.cpu:
                    add(f"{step} CPU {top:,} / {before:,}", b.cpu / a.cpu, 11.0 * top / before / 10)
        sync, load_csv = by.get(("store_sync", top)), by.get(("load_csv", top))
        if sync and load_csv and sync.cpu and load_csv.cpu:
            add(f"store_sync / load_csv CPU at {top:,}", sync.cpu / load_csv.cpu, 1.2)
    out = []
    for name, values in found.items():
        value = sorted(values)[(len(values) - 1) // 2]
        limit, kind = limits[name]
        out.append((name, value, limit, value < limit if kind == "<" else value <= limit))
    return out


def summary(measures: list[Measure]) -> str:
    everything = measures
    measures = medians(measures)
    by = {(m.step, m.size): m for m in measures}
    sizes = sorted({m.size for m in measures})
    steps = [s for s in ("generate", *STEPS) if any(m.step == s for m in measures)]
    header = "".join(f"{s:>22,}" for s in sizes)
    lines = ["", f"step         {header}   ratio (largest/previous)"]
    for step in steps:
        cells = []
        for size in sizes:
            m = by.get((step, size))
            if m is None or m.wall is None:
                cells.append(f"{'-':>22}")
            else:
                cells.append(f"{m.wall:8.2f}s/{m.cpu:7.2f}s {m.peak_mib:5.0f}M")
        ratio = ""
        if len(sizes) >= 2:
            a, b = by.get((step, sizes[-2])), by.get((step, sizes[-1]))
            if a and b and a.wall and b.wall and a.cpu and b.cpu:
                ratio = f"   wall x{b.wall / a.wall:.1f}, cpu x{b.cpu / a.cpu:.1f}"
        lines.append(f"{step:<13}" + "".join(cells) + ratio)
    lines.append("(each cell: wall s / CPU s, peak RSS MiB)")
    for size in sizes:
        load, review = by.get(("load_csv", size)), by.get(("review", size))
        if load and review and load.wall is not None and review.wall is not None:
            wall = load.wall + review.wall
            cpu = (load.cpu or 0) + (review.cpu or 0)
            peak = max(load.peak_mib or 0, review.peak_mib or 0)
            lines.append(f"{size:>9,} end to end (load_csv + review): {wall:.1f} s wall, "
                         f"{cpu:.1f} s CPU, peak {peak:.0f} MiB")
            for peer in PEERS:
                base = by.get((peer, size))
                if base and base.wall and base.cpu:
                    lines.append(
                        f"{'':>9} {peer}: {base.wall:.2f} s wall, {base.cpu:.2f} s CPU, peak "
                        f"{base.peak_mib:.0f} MiB: clientguard takes x{cpu / base.cpu:.1f} its"
                        f" CPU time, x{wall / base.wall:.1f} its wall time")
    for (size, peer), (text, _) in agreement(measures).items():
        lines.append(f"{size:>9,} {peer} vs clientguard: {text}")
    found = targets(everything)
    if found:
        runs = len({m.run for m in everything})
        lines.append(f"targets (issue 21), each measured within a run, median of {runs}:")
        for name, value, limit, met in found:
            lines.append(f"  {name}: {value:,.2f} (limit {limit:,.2f}) "
                         + ("met" if met else f"NOT met, by x{value / limit:.2f}"))
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"date": time.strftime("%Y-%m-%d %H:%M %Z"), "python": platform.python_version(),
            "platform": platform.platform(), "cpu": cpu, "cores": os.cpu_count(),
            "memory_gib": round(memory, 1)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="CSV to a finished review, step by step, timed.")
    parser.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES),
                        help="comma-separated invoice counts (default: %(default)s)")
    parser.add_argument("--steps", default=",".join(STEPS),
                        help=f"comma-separated steps out of {', '.join(STEPS)}; {BASELINE} = every "
                        "peer (default: all)")
    parser.add_argument("--customers", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dir", type=Path, default=None,
                        help="where the CSV files go (default: a temporary folder, removed); "
                        "without write_csv in the steps, files of the same input found there "
                        "(sizes, seed, and the code that makes them) are reused")
    parser.add_argument("--json", type=Path, default=None, help="also write the measures here")
    parser.add_argument("--csv-reader", choices=("auto", "python", "arrow"), default="auto",
                        help="the CSV connector's reader option for load_csv and store_sync "
                        "(default: %(default)s: pyarrow for files of 1 MiB or more, where "
                        "installed)")
    parser.add_argument("--runs", type=int, default=1,
                        help="run every step this many times (the input is made once); the "
                        "table gives the median, the targets the median of each run's ratio")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s]
    steps = [s.strip() for s in args.steps.split(",") if s.strip()]
    if BASELINE in steps:
        steps = [s for s in steps if s != BASELINE] + [p for p in PEERS if p not in steps]
    unknown = sorted(set(steps) - set(STEPS))
    if unknown:
        parser.error(f"unknown steps {unknown}; choose from {', '.join(STEPS)}")
    info = machine()
    print(f"clientguard pipeline benchmark, {info['date']}; {info['cpu']}, {info['cores']} cores,"
          f" {info['memory_gib']} GiB; Python {info['python']}; CSV reader {args.csv_reader}",
          flush=True)
    measures: list[Measure] = []
    with tempfile.TemporaryDirectory(prefix="clientguard-bench-") as temporary:
        root = args.dir or Path(temporary)
        for run in range(max(1, args.runs)):
            for size in sizes:
                measures += run_size(size, steps, root / str(size), customers=args.customers,
                                     seed=args.seed, log=lambda text: print(text, flush=True),
                                     run=run, csv_reader=args.csv_reader)
    print(summary(measures))
    if args.json:
        everything = {"machine": info, "measures": [asdict(m) for m in measures]}
        args.json.write_text(json.dumps(everything, indent=1, default=str))
    disagreeing = sorted({f"{peer} at {size:,}" for run in {m.run for m in measures}
                          for (size, peer), (_, ok) in agreement(
                              [m for m in measures if m.run == run]).items() if not ok})
    if disagreeing:
        print(f"FAILED: clientguard and {', '.join(disagreeing)} disagree (see above)")
        return 1
    return 0
