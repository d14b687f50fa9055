"""An operating-system error said in the reader's language wherever clientguard names one: the
config, the policy file, the links file, the store, the rates file and the command line all
word it with one function, :func:`clientguard.errors.os_reason` (docs/languages.md, "Errors in
the chosen language").

The Polish is written by hand from the catalog's words for each errno class; the system's own
text (``os.strerror``) is kept after it as "komunikat systemu", as the system writes it.
"""

from __future__ import annotations

import errno
import importlib.util
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from clientguard.cli import EXIT_USAGE, main
from clientguard.config import load_config
from clientguard.errors import ClientguardError, ConfigError, StoreError, os_reason
from clientguard.fx.files import read_rates_file
from clientguard.i18n import using
from clientguard.links import read_links
from clientguard.policy import Policy
from clientguard.store import Store

needs_csv = pytest.mark.skipif(importlib.util.find_spec("clientguard_csv") is None,
                               reason="the CSV connector is not installed")
posix_only = pytest.mark.skipif(
    os.name != "posix", reason="the errno of a folder opened as a file is POSIX's (EISDIR)"
)

IS_DIR = os.strerror(errno.EISDIR)
NOT_FOUND = os.strerror(errno.ENOENT)
NOT_DIR = os.strerror(errno.ENOTDIR)
DENIED = os.strerror(errno.EACCES)


@pytest.fixture(autouse=True)
def _folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLIENTGUARD_CONFIG", raising=False)


@pytest.mark.parametrize(
    ("code", "lang", "expected"),
    [
        (errno.ENOENT, "en", NOT_FOUND),
        (errno.ENOENT, "pl", f"nie ma takiego pliku ani folderu (komunikat systemu: {NOT_FOUND})"),
        (errno.EACCES, "pl", f"brak uprawnień (komunikat systemu: {DENIED})"),
        (errno.EPERM, "pl", f"brak uprawnień (komunikat systemu: {os.strerror(errno.EPERM)})"),
        (errno.EISDIR, "pl", f"to folder, nie plik (komunikat systemu: {IS_DIR})"),
        (errno.ENOTDIR, "pl", f"część ścieżki nie jest folderem (komunikat systemu: {NOT_DIR})"),
        (errno.ENAMETOOLONG, "pl",
         f"nazwa jest za długa (komunikat systemu: {os.strerror(errno.ENAMETOOLONG)})"),
        (errno.EMFILE, "pl",
         f"otwartych jest zbyt wiele plików (komunikat systemu: {os.strerror(errno.EMFILE)})"),
        # An errno without words of its own: the system's text alone, in either language.
        (errno.EPIPE, "pl", os.strerror(errno.EPIPE)),
        (errno.EPIPE, "en", os.strerror(errno.EPIPE)),
    ],
)
def test_os_reason_names_the_problem_in_the_language_and_keeps_the_systems_text(
    code: int, lang: str, expected: str
) -> None:
    with using(lang):
        assert os_reason(OSError(code, os.strerror(code))) == expected


def test_an_os_error_without_an_errno_is_its_own_text_in_every_language() -> None:
    for lang in ("en", "pl"):
        with using(lang):
            assert os_reason(OSError("the share went away")) == "the share went away"


# ------------------------------------------------------------ each module that names a file


def _policy_folder(tmp_path: Path) -> tuple[Path, Callable[[], object]]:
    folder = tmp_path / "policy.toml"
    folder.mkdir()
    return folder, lambda: Policy.from_toml(folder)


def _links_folder(tmp_path: Path) -> tuple[Path, Callable[[], object]]:
    folder = tmp_path / "links.csv"
    folder.mkdir()
    return folder, lambda: read_links(folder)


def _links_missing(tmp_path: Path) -> tuple[Path, Callable[[], object]]:
    missing = tmp_path / "linkz.csv"
    return missing, lambda: read_links(missing)


def _rates_folder(tmp_path: Path) -> tuple[Path, Callable[[], object]]:
    folder = tmp_path / "rates.csv"
    folder.mkdir()
    return folder, lambda: read_rates_file(folder)


def _store_under_a_file(tmp_path: Path) -> tuple[Path, Callable[[], object]]:
    (tmp_path / "backup").write_text("not a folder\n", encoding="utf-8")
    target = tmp_path / "backup" / "clientguard.db"
    return target, lambda: Store.open(target)



@posix_only
@pytest.mark.parametrize(
    ("case", "error", "lang", "expected"),
    [
        (_policy_folder, ConfigError, "en", f"cannot read policy file {{path}}: {IS_DIR}"),
        (_policy_folder, ConfigError, "pl",
         f"nie można odczytać pliku zasad {{path}}: to folder, nie plik (komunikat systemu: "
         f"{IS_DIR})"),
        (_links_folder, ConfigError, "en", f"cannot read the links file {{path}}: {IS_DIR}"),
        (_links_folder, ConfigError, "pl",
         f"nie można odczytać pliku powiązań {{path}}: to folder, nie plik (komunikat systemu: "
         f"{IS_DIR})"),
        (_links_missing, ConfigError, "pl",
         f"nie można odczytać pliku powiązań {{path}}: nie ma takiego pliku ani folderu "
         f"(komunikat systemu: {NOT_FOUND})"),
        (_rates_folder, ConfigError, "en", f"rates file {{path}}: cannot be read ({IS_DIR})"),
        (_rates_folder, ConfigError, "pl",
         f"nie można odczytać pliku kursów {{path}}: to folder, nie plik (komunikat systemu: "
         f"{IS_DIR})"),
        # A file where the store's folder is meant: the system's "not a directory", not
        # SQLite's "unable to open database file" after the error was swallowed.
        (_store_under_a_file, StoreError, "en", f"cannot create the store {{path}}: {NOT_DIR}"),
        (_store_under_a_file, StoreError, "pl",
         f"nie można utworzyć magazynu {{path}}: część ścieżki nie jest folderem (komunikat "
         f"systemu: {NOT_DIR})"),
    ],
)
def test_a_file_the_system_refuses_is_said_in_the_readers_language(
    tmp_path: Path,
    case: Callable[[Path], tuple[Path, Callable[[], object]]],
    error: type[ClientguardError],
    lang: str,
    expected: str,
) -> None:
    path, read = case(tmp_path)
    with using(lang), pytest.raises(error) as caught:
        read()
    assert str(caught.value) == expected.format(path=path)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", f"cannot read config file {{path}}: {DENIED}"),
        ("pl", f"nie można odczytać pliku konfiguracji {{path}}: brak uprawnień (komunikat "
               f"systemu: {DENIED})"),
    ],
)
def test_a_config_file_that_cannot_be_opened_is_said_in_the_readers_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str, expected: str
) -> None:
    path = tmp_path / "clientguard.toml"
    path.write_text('base_currency = "EUR"\n', encoding="utf-8")
    real_open = Path.open

    # The tests may run as root, who reads a file of mode 000: the system's refusal is
    # made here, as open() raises it for another user.
    def refused(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == path:
            raise PermissionError(errno.EACCES, DENIED, str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refused)
    with using(lang), pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert str(caught.value) == expected.format(path=path)


@pytest.mark.parametrize(
    ("env", "lang", "expected"),
    [
        (False, "en", "config file {path} is a folder, not a file: name the file itself "
                      "({path}/clientguard.toml)"),
        (False, "pl", "plik konfiguracji {path} to folder, a nie plik: podaj ścieżkę samego "
                      "pliku ({path}/clientguard.toml)"),
        (True, "en", "config file {path} (from $CLIENTGUARD_CONFIG) is a folder, not a file: "
                     "name the file itself ({path}/clientguard.toml)"),
        (True, "pl", "plik konfiguracji {path} (wskazany w $CLIENTGUARD_CONFIG) to folder, a "
                     "nie plik: podaj ścieżkę samego pliku ({path}/clientguard.toml)"),
    ],
)
def test_a_folder_named_as_the_config_is_said_to_be_a_folder_not_missing(
    tmp_path: Path, env: bool, lang: str, expected: str
) -> None:
    # Was: "config file settings does not exist", for a folder that plainly exists.
    folder = tmp_path / "settings"
    folder.mkdir()
    given, environment = (None, {"CLIENTGUARD_CONFIG": str(folder)}) if env else (folder, {})
    with using(lang), pytest.raises(ConfigError) as caught:
        load_config(given, env=environment)
    assert str(caught.value) == expected.format(path=folder)


# ------------------------------------------------------------------------ the command line


@posix_only
@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", f"clientguard: cannot read policy file policy.toml: {IS_DIR}\n"),
        ("pl", f"clientguard: nie można odczytać pliku zasad policy.toml: to folder, nie plik "
               f"(komunikat systemu: {IS_DIR})\n"),
    ],
)
def test_the_command_says_a_policy_folder_in_the_readers_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str, expected: str
) -> None:
    (tmp_path / "policy.toml").mkdir()
    (tmp_path / "clientguard.toml").write_text('policy = "policy.toml"\n', encoding="utf-8")
    code = main(["--lang", lang, "review"])
    _, err = capsys.readouterr()
    assert code == EXIT_USAGE
    assert err == expected


@posix_only
@needs_csv
@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", f"clientguard: cannot create the store backup/clientguard.db: {NOT_DIR}\n"),
        ("pl", "clientguard: nie można utworzyć magazynu backup/clientguard.db: część ścieżki "
               f"nie jest folderem (komunikat systemu: {NOT_DIR})\n"),
    ],
)
def test_the_command_says_a_store_under_a_file_in_the_readers_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str, expected: str
) -> None:
    (tmp_path / "backup").write_text("not a folder\n", encoding="utf-8")
    code = main(["--lang", lang, "sync", "--store", "backup/clientguard.db", "--source", "csv",
                 "--option", "preset=wave", "--option", "invoices=books.csv"])
    _, err = capsys.readouterr()
    assert code == EXIT_USAGE
    assert err.endswith(expected)
