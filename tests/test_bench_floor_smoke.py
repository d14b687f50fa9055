"""A small run of the per-record floor benchmark (``bench/bench_floor.py``), so that its code
never rots: the real run (200,000 invoices) is on demand and reported in docs/performance.md."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_every_floor_is_measured_on_the_pipelines_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # the bench package lives beside src/, not in it
    from bench import bench_floor

    assert bench_floor.main(["1000", "--dir", str(tmp_path / "files"), "--runs", "1"]) == 0
    printed = capsys.readouterr().out.splitlines()
    expected = ["making a checked invoice", "one loop reading six fields",
                "one loop summing total x days (Decimal)"]
    if importlib.util.find_spec("pyarrow") is not None:
        expected = ["pyarrow parsing invoices.csv", "pyarrow parsing payments.csv", *expected]
    assert [line[:42].rstrip() for line in printed] == expected
    # Every line is per invoice of the files written: the 1,000 asked for.
    assert all(line.endswith("(1,000 invoices)") for line in printed)
    # The files stay for a second run, which reads them instead of writing them again.
    written = (tmp_path / "files" / "invoices.csv").stat().st_mtime_ns
    assert bench_floor.main(["--dir", str(tmp_path / "files"), "--runs", "1"]) == 0
    assert (tmp_path / "files" / "invoices.csv").stat().st_mtime_ns == written
    assert all(line.endswith("(1,000 invoices)") for line in capsys.readouterr().out.splitlines())
