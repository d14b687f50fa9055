"""Writing small files for a test, and reading files both ways (the row reader and the
columnar one). (The shared reference: the repository's root conftest.py.)"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pydantic import BaseModel

from clientguard.errors import ClientguardError
from clientguard.records import Rejection
from clientguard_csv.mapping import CsvMapping, mapping_from_dict
from clientguard_csv.reading import Folded, Loaded, ReadLog, read_records
from clientguard_csv.textfile import Row, open_layout

ROOT = Path(__file__).resolve().parents[3]


def bench_pipeline() -> ModuleType:
    """The bench's ``bench.pipeline`` module (its sample writer ``write_csv``, its CSV
    connector set-up), imported from the repository's root, where it lives beside ``src/``."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    found = sys.modules.get("bench.pipeline")
    if found is not None:
        return found
    spec = importlib.util.spec_from_file_location("bench.pipeline",
                                                  ROOT / "bench" / "pipeline.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench.pipeline"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write a small file for one test: text (encoded as asked) or raw bytes."""

    def _write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return _write


def shape(value: Any) -> Any:
    """A read's item in a form that compares everything a user could tell apart: a record's
    type, its fields in order with their types (a Decimal by its digits: ``1.50`` is not
    ``1.5``), its fields set; a rejection's kind, id, field, reason, location and row."""
    if isinstance(value, Loaded | Folded):
        return (type(value).__name__, shape(value.record), value.location)
    if isinstance(value, BaseModel):
        return (type(value).__name__, tuple((k, shape(v)) for k, v in value.__dict__.items()),
                tuple(sorted(value.model_fields_set)))
    if isinstance(value, Rejection):
        return ("Rejection", value.kind, value.source, value.record_id, value.field,
                value.reason, value.location, shape(value.record))
    if isinstance(value, Decimal):
        return ("Decimal", str(value))
    if isinstance(value, tuple | list):
        return (type(value).__name__, tuple(shape(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple((k, shape(v)) for k, v in value.items()))
    return (type(value).__name__, value)


@pytest.fixture
def shaped() -> Callable[[Any], Any]:
    """:func:`shape`: a read's item, record or rejection in a form that compares everything a
    user could tell apart."""
    return shape


ReadAlike = Callable[..., ReadLog]


@pytest.fixture
def read_alike() -> ReadAlike:
    """Read ``sources`` through ``mapping`` with the row reader and with the columnar reader
    (``reader = "arrow"``), assert that the two give the same items in the same order (see
    :func:`shape`) and the same log, and return the columnar read's log (which says how each
    file was read). A CSV error must be the same error both ways."""

    def _read(mapping: CsvMapping | dict[str, Any], sources: dict[str, list[Path]],
              **options: Any) -> ReadLog:
        if isinstance(mapping, dict):
            mapping = mapping_from_dict(mapping)
        outcomes: list[tuple[str, str, list[Any] | None, ReadLog]] = []
        for reader in ("python", "arrow"):
            log = ReadLog()
            try:
                read = [shape(item) for item in read_records(
                    mapping, sources, log=log, reader=reader, **options)]
            except ClientguardError as exc:
                outcomes.append((type(exc).__name__, str(exc), None, log))
                continue
            outcomes.append(("ok", "", read, log))
        (status, error, items, log), (status_a, error_a, items_a, log_a) = outcomes
        assert (status_a, error_a) == (status, error)
        if items is not None:
            assert items_a is not None
            assert len(items_a) == len(items)
            for mine, theirs in zip(items, items_a, strict=True):
                assert theirs == mine
        assert log_a == log
        return log_a

    return _read


CheckedShare = Callable[[dict[str, Any], str, Path], float]


@pytest.fixture
def checked_share() -> CheckedShare:
    """The share of a file's rows that the columnar reader checked (those that take the
    short way), given the mapping (a dict), the stream and the file. Needs pyarrow."""
    from clientguard_csv.columnar import CheckedBlock, checked_rows
    from clientguard_csv.fields import FieldReader, required_columns

    def _share(mapping: dict[str, Any], stream: str, path: Path) -> float:
        parsed = mapping_from_dict(mapping)
        spec = parsed.stream(stream)
        assert spec is not None
        found = parsed.settings(stream)
        layout = open_layout(path, required_columns(spec), encoding=found.encoding,
                             delimiter=found.delimiter, header_line=found.header_line)
        rows, _ = checked_rows(stream, spec, FieldReader(stream, spec, found, layout), layout)
        read = [row for item in rows
                for row in (item.rows() if isinstance(item, CheckedBlock) else (item,))
                if isinstance(row, Row)]
        return sum(r.checked is not None for r in read) / len(read)

    return _share
