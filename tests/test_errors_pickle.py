"""Every error clientguard raises crosses a process boundary intact: a process pool, Dask or
Ray pickles the worker's exception and unpickles it in the caller. Before 2026-12-08
``OptionsError`` (``__init__(message, problems)``) could not be unpickled at all (the pool
broke with a TypeError instead of giving the caller the error), and ``CsvFileError`` came back
with its context said twice ("... (connector csv, stream invoices) (connector csv)").

The classes are found by walking ``ClientguardError``'s subclasses after importing every
module of the core and every connector package, so a new error class without a representative
instance below fails :func:`test_every_error_class_has_a_representative`."""

from __future__ import annotations

import importlib
import importlib.util
import io
import pickle
import pkgutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

import clientguard
from clientguard.errors import ClientguardError, ErrorContext, PluginLoadError
from clientguard.http.paging import MissingRecords
from clientguard.records import Location, Rejection
from clientguard.store import StoreLockedError
from clientguard_csv.errors import CsvFileError

CONNECTORS = sorted(p.name for p in (Path(__file__).resolve().parents[1] / "connectors").iterdir()
                    if (p / "src").is_dir())


def _import_everything() -> None:
    for name in CONNECTORS:
        importlib.import_module(f"clientguard_{name}")
    for module in pkgutil.walk_packages(clientguard.__path__, "clientguard."):
        try:
            importlib.import_module(module.name)
        except ImportError:
            continue  # an optional engine (pyspark, dask) not installed: it defines no error


def _subclasses(cls: type[ClientguardError]) -> Iterator[type[ClientguardError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


_import_everything()
ERRORS: list[type[ClientguardError]] = sorted({ClientguardError, *_subclasses(ClientguardError)},
                key=lambda c: f"{c.__module__}.{c.__qualname__}")

CONTEXT = ErrorContext(connector="csv", stream="invoices", status=404, request_id="req-1",
                       retry_after=2.5, failed_before=("HTTP 500",))
PROBLEM = Rejection(kind="invoice", source="books", record_id="INV-7", field="total",
                    reason="a float is never money",
                    location=Location(file="inv.csv", line=8, column="Total"))


def _round_trip(error: ClientguardError) -> ClientguardError:
    """``error`` pickled and unpickled by the error's own reduction. Dask's distributed imports
    tblib, which registers every exception class with ``copyreg`` (a reduction of its own that
    hid the defect); a pickler with a dispatch table of its own ignores those registrations,
    as a process without Dask does."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer)
    pickler.dispatch_table = {}
    pickler.dump(error)
    back = pickle.loads(buffer.getvalue())
    assert isinstance(back, ClientguardError)
    return back


def _make(cls: type[ClientguardError]) -> ClientguardError:
    """A representative instance: every argument its __init__ takes, given."""
    name = cls.__name__
    made: dict[str, Callable[[], ClientguardError]] = {
        "DataError": lambda: cls("1 problem in invoice INV-7", [PROBLEM]),
        "PluginLoadError": lambda: PluginLoadError("acme", ImportError("no module named x")),
        "OptionsError": lambda: cls("connector 'csv': options: invoices: a path",
                                    [("invoices", "a path"), ("preset", "text")]),
        "ConfigError": lambda: cls("policy: unknown policy key 'gracedays'",
                                   [("gracedays", "unknown policy key 'gracedays'")]),
        "MappingError": lambda: cls("m.toml: invoices.idd: unknown key",
                                    [("invoices.idd", "unknown key")]),
        "CsvFileError": lambda: CsvFileError("inv.csv: the file is empty", "invoices",
                                             path="inv.csv"),
        "RateLimitError": lambda: cls("daily limit", CONTEXT,
                                      datetime(2026, 12, 9, tzinfo=UTC)),
        "StoreLockedError": lambda: StoreLockedError("books.db", "source xero, process 7", 0.5),
        "MissingRecords": lambda: MissingRecords("an empty body", CONTEXT,
                                                 page="page 2 of invoices",
                                                 advice="check the scope"),
    }
    if name in made:
        return made[name]()
    if issubclass(cls, clientguard.errors.ConnectorError):
        return cls("the API refused it", CONTEXT)
    return cls(f"{name}: what went wrong and what to do")


def test_every_error_class_has_a_representative() -> None:
    # The walk found the known ones in the core and the connectors (not an empty table).
    names = {cls.__name__ for cls in ERRORS}
    assert {"OptionsError", "CsvFileError", "MappingError", "StoreDamagedError",
            "CursorDeleted", "MissingRecords", "ClaimError"} <= names
    for cls in ERRORS:
        assert type(_make(cls)) is cls


@pytest.mark.parametrize("cls", ERRORS, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_an_error_survives_pickling(cls: type[ClientguardError]) -> None:
    error = _make(cls)
    back = _round_trip(error)
    assert type(back) is cls
    assert str(back) == str(error)  # the message, not said twice or lost
    assert back.args == error.args
    assert vars(back) == vars(error)  # problems, context, path, why, advice...
    assert isinstance(back, ClientguardError)


def test_the_attributes_a_program_reads_survive() -> None:
    # Spelled out for the ones a caller reads (docs/errors.md): the values given above.
    options = _round_trip(_make(_named("OptionsError")))
    assert options.problems == (("invoices", "a path"), ("preset", "text"))  # type: ignore[attr-defined]
    csv = _round_trip(_make(_named("CsvFileError")))
    assert (csv.path, csv.detail, csv.context.stream) == (  # type: ignore[attr-defined]
        "inv.csv", "inv.csv: the file is empty", "invoices")
    assert str(csv) == "inv.csv: the file is empty (connector csv, stream invoices)"
    data = _round_trip(_make(_named("DataError")))
    assert data.problems == (PROBLEM,)  # type: ignore[attr-defined]
    limited = _round_trip(_make(_named("RateLimitError")))
    assert (limited.status, limited.retry_after) == (404, 2.5)  # type: ignore[attr-defined]


def _named(name: str) -> type[ClientguardError]:
    (cls,) = [c for c in ERRORS if c.__name__ == name]
    return cls


def test_a_real_csv_error_comes_back_from_a_process_pool(tmp_path: Path) -> None:
    from concurrent.futures import ProcessPoolExecutor

    missing = str(tmp_path / "nonexist.csv")
    with ProcessPoolExecutor(max_workers=1) as pool, pytest.raises(ClientguardError) as raised:
        pool.submit(_load_missing_csv, missing).result(timeout=120)
    error = raised.value
    assert type(error).__name__ == "CsvFileError"
    assert error.path == missing  # type: ignore[attr-defined]
    assert str(error).endswith("(connector csv, stream invoices)")
    assert str(error).count("(connector csv") == 1
    with ProcessPoolExecutor(max_workers=1) as pool, pytest.raises(ClientguardError) as options:
        pool.submit(_make_csv_without_mapping, missing).result(timeout=120)
    assert type(options.value).__name__ == "OptionsError"
    assert "give either preset= or mapping=" in str(options.value)


def _load_missing_csv(path: str) -> None:
    connector = clientguard.connectors.load("csv")(invoices=path, preset="zoho")
    clientguard.Ledger.from_connector(connector, base_currency="EUR")


def _make_csv_without_mapping(path: str) -> None:
    clientguard.connectors.load("csv")(invoices=path)
