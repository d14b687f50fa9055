"""Test helpers for every test in the repository (the core's and each connector's): the
shared reference, read in place.

The reference (recorded API responses, real exports, test vectors) lives in
``../shared/reference`` beside the clone, never in it: recordings go stale and leak. Where it
is absent, a test that needs it is skipped, saying which file it expected and where.

pytest loads this file for every test below the repository root, ``pytest connectors/xero``
included; a test module asks for the fixtures by name and imports nothing from here.
"""

from __future__ import annotations

import json
import os
import pwd
import stat
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

# CI runs every property with the same examples (derandomized), so that a landing never depends
# on a random draw; a developer's run explores new examples each time, which is how properties
# find bugs. CI sets CI=true (see .ci/run). Neither has a deadline: speed is measured by the
# benchmarks (bench/), never by a timed test, and an example that takes 200 ms on a machine
# busy with other work is no failure (a random run under load failed that way).
settings.register_profile("ci", derandomize=True, print_blob=True, deadline=None)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

REPO_ROOT = Path(__file__).resolve().parent
#: The shared reference beside the repository; read from there, never copied into it.
REFERENCE = REPO_ROOT.parent / "shared" / "reference"


def _as_nobody(folder: Path, steps: Callable[[], list[Any]]) -> list[Any]:
    """``steps()`` run as a user without root's power to write a read-only file (the
    ``nobody`` user, owning ``folder`` and what it holds, when the tests run as root, as in
    CI), in a child process, its result (JSON) by a pipe; as they are elsewhere."""
    if os.name != "posix" or os.geteuid() != 0:
        return steps()
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("running as root, and there is no user 'nobody' to run as")
    if any(not parent.stat().st_mode & stat.S_IXOTH for parent in folder.parents):
        pytest.skip(f"{folder} is in a folder other users cannot enter")
    for path in (folder, *folder.iterdir()):
        os.chown(path, nobody.pw_uid, nobody.pw_gid)
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (the child process)
        try:
            os.close(reading)
            os.setgroups([])
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            os.write(writing, json.dumps(steps()).encode())
        finally:
            os._exit(0)
    os.close(writing)
    with os.fdopen(reading, "rb") as pipe:
        data = pipe.read()
    os.waitpid(child, 0)
    assert data, "the steps of the user without root's power failed"
    return list(json.loads(data))


@pytest.fixture
def as_nobody() -> Callable[[Path, Callable[[], list[Any]]], list[Any]]:
    """``as_nobody(folder, steps)``: ``steps()`` as a user root's power does not cover (the
    ``nobody`` user owning ``folder`` when the tests run as root), so that a read-only file
    or folder means what it says; as the current user otherwise."""
    return _as_nobody


def _reference_file(relative: str) -> Path:
    path = REFERENCE / relative
    if not path.is_file():
        pytest.skip(f"reference file {path.name} is absent (expected at {path})")
    return path


def _recorded(name: str) -> Any:
    path = _reference_file(f"apis/{name}")
    return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)


@pytest.fixture(scope="session")
def reference_file() -> Callable[[str], Path]:
    """The path of a file in the shared reference (``"data/ibm_accounts_receivable.csv"``),
    or a skip of the test saying the file is absent."""
    return _reference_file


@pytest.fixture(scope="session")
def recorded() -> Callable[[str], Any]:
    """Reads a recorded response from the shared reference's ``apis/`` (JSON decoded with
    ``parse_float=Decimal``: a float never becomes money), or skips the test saying the file
    is absent."""
    return _recorded


#: The columns of the tests' CSV invoice exports, as the CSV connector's mapping names them.
_INVOICE_COLUMNS = (
    'number = "Number"\ncustomer_name = "Client"\nissue_date = "Issued"\n'
    'due_date = "Due"\ntotal = "Total"\n'
)


@pytest.fixture
def csv_books(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """``csv_books(currency="EUR", *, paid=True, more="", invoices=None, config=None)``:
    ``tmp_path`` made the folder a CLI command runs in (the working folder, no
    ``CLIENTGUARD_CONFIG`` from the environment), holding the CSV connector's
    ``mapping.toml`` for the tests' invoice exports: columns Number, Client, Issued, Due,
    Total and (``paid``) Paid, all in ``currency`` (``None``: each row's in a Currency column,
    the last), ISO dates; ``more`` is added to the mapping as written (another stream's
    table). With ``invoices`` (rows, each ending in a newline), ``invoices.csv`` holds them
    under the header; with ``config`` (the top of the file: ``base_currency``, ``store``...),
    ``clientguard.toml`` is that and a source ``books``, the CSV connector reading
    ``invoices.csv``. Returns ``tmp_path``. Skips the test where the CSV connector is not
    installed."""

    def _csv_books(
        currency: str | None = "EUR", *, paid: bool = True, more: str = "",
        invoices: str | None = None, config: str | None = None,
    ) -> Path:
        pytest.importorskip("clientguard_csv", reason="the CSV connector is not installed")
        monkeypatch.chdir(tmp_path)
        monkeypatch.delenv("CLIENTGUARD_CONFIG", raising=False)
        (tmp_path / "mapping.toml").write_text(
            (f'currency = "{currency}"\n' if currency is not None else "")
            + 'date_formats = ["iso"]\n\n[invoices.columns]\n'
            + _INVOICE_COLUMNS
            + ('paid_on = "Paid"\n' if paid else "")
            + ('currency = "Currency"\n' if currency is None else "")
            + more
        )
        if invoices is not None:
            header = "Number,Client,Issued,Due,Total" + (",Paid" if paid else "")
            header += ",Currency" if currency is None else ""
            (tmp_path / "invoices.csv").write_text(header + "\n" + invoices)
        if config is not None:
            (tmp_path / "clientguard.toml").write_text(
                config + '[sources.books]\nconnector = "csv"\nmapping = "mapping.toml"\n'
                'invoices = ["invoices.csv"]\n'
            )
        return tmp_path

    return _csv_books


def pytest_addoption(parser: pytest.Parser) -> None:
    # The golden reports (tests/golden/README.md): `make golden` writes them afresh.
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="write the golden reports of tests/golden/ from the code instead of comparing "
        "(read the diff before committing it)",
    )


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when the run writes the golden files (``--update-golden``) instead of comparing."""
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(autouse=True)
def _english_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    # The CLI writes in the locale's language when neither --lang nor the config chooses one
    # (docs/languages.md): every test starts from a locale that asks for none, whatever the
    # machine's, and a test about the locale sets its own.
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture
def collector_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """The collector pause (clientguard.gcpause) applies as in a process with one thread.

    It pauses only from the main thread while no other Python thread is alive, and a test
    session may keep one alive (pytest-httpserver's server, once a test started it): a test
    of what the pause does where it applies asks for this; where it applies is
    tests/test_gcpause_threads.py's."""
    from clientguard import gcpause

    monkeypatch.setattr(gcpause, "_alone", lambda: True)
