"""A busy store's refusal names the option of the caller who can pass it: a Python program
calling ``Store.sync``/``Store.forget`` is told ``wait=SECONDS``, the command line ``--wait
SECONDS`` (until 2026-12-08 both were told ``--wait``, an option a Python caller does not
have). The error carries the store, who holds it and the seconds waited as attributes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from clientguard import store as store_module
from clientguard.cli import main
from clientguard.errors import StoreError
from clientguard.i18n import using
from clientguard.store import Store, StoreLockedError

# (language, seconds waited, the end of the message for Python, and for the command line),
# the sentences of store.py and their Polish in locale/pl/errors.po.
CASES = [
    ("en", 0, "let it finish and try again, or pass wait=SECONDS to wait for it",
     "let it finish and try again, or pass --wait SECONDS to wait for it"),
    ("en", 0.25, "let it finish and try again, or pass a longer wait=SECONDS",
     "let it finish and try again, or pass a longer --wait"),
    ("pl", 0, "spróbuj ponownie albo podaj wait=SEKUNDY, aby na nią zaczekać",
     "spróbuj ponownie albo podaj --wait SEKUNDY, aby na nią zaczekać"),
    ("pl", 0.25, "spróbuj ponownie albo podaj większą liczbę sekund w wait=SEKUNDY",
     "spróbuj ponownie albo podaj większą liczbę sekund w --wait"),
]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    made = tmp_path / "clientguard.db"
    Store.open(made).close()
    return made


@pytest.mark.parametrize(("language", "wait", "python", "command_line"), CASES)
def test_a_python_caller_is_told_its_own_option(
    path: Path, language: str, wait: float, python: str, command_line: str
) -> None:
    with (Store.open(path) as store, store_module._SyncLock(path, wait=0, holder="xero"),
          using(language), pytest.raises(StoreError) as refused):
        store.forget("xero", wait=wait)
    message = str(refused.value)
    assert message.endswith(python)
    assert "--wait" not in message
    error = refused.value
    assert isinstance(error, StoreLockedError)
    holder = "source xero" if language == "en" else "źródło xero"
    assert (error.store, error.holder, error.waited) == (
        str(path), f"{holder}, {'process' if language == 'en' else 'proces'} {os.getpid()}",
        wait)


@pytest.mark.parametrize(("language", "wait", "python", "command_line"), CASES)
def test_the_command_line_is_told_its_option(
    path: Path, capsys: pytest.CaptureFixture[str], language: str, wait: float, python: str,
    command_line: str,
) -> None:
    with store_module._SyncLock(path, wait=0, holder="xero"):
        code = main(["--lang", language, "store", "forget", "xero", "--yes",
                     "--wait", str(wait), "--store", str(path)])
    err = " ".join(capsys.readouterr().err.split())
    assert code != 0
    assert command_line in err
    assert "wait=" not in err
