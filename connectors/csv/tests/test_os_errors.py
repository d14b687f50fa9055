"""A data or mapping file the system cannot read is said in the reader's language, with the
system's own text kept as the detail (clientguard.errors.os_reason; docs/languages.md, "Errors
in the chosen language"). The Polish is written by hand; the system's text is ``os.strerror``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from clientguard.i18n import using
from clientguard_csv.errors import CsvFileError, MappingError
from clientguard_csv.mapping import load_mapping
from clientguard_csv.textfile import Columns, open_layout

COLUMNS = Columns([("Klient",), ("Kwota",)])
NOT_FOUND = os.strerror(errno.ENOENT)
IS_DIR = os.strerror(errno.EISDIR)

posix_only = pytest.mark.skipif(
    os.name != "posix", reason="the errno of a folder opened as a file is POSIX's (EISDIR)"
)


@pytest.mark.parametrize(
    ("folder", "lang", "expected"),
    [
        (False, "en", f"{{path}}: cannot be read: {NOT_FOUND}"),
        (False, "pl", "{path}: nie można odczytać pliku: nie ma takiego pliku ani folderu "
                      f"(komunikat systemu: {NOT_FOUND})"),
        pytest.param(True, "en", f"{{path}}: cannot be read: {IS_DIR}", marks=posix_only),
        pytest.param(True, "pl", "{path}: nie można odczytać pliku: to folder, nie plik "
                                 f"(komunikat systemu: {IS_DIR})", marks=posix_only),
    ],
)
def test_a_data_file_that_cannot_be_read_is_said_in_the_readers_language(
    tmp_path: Path, folder: bool, lang: str, expected: str
) -> None:
    path = tmp_path / "faktury.csv"
    if folder:
        path.mkdir()
    with using(lang), pytest.raises(CsvFileError) as caught:
        open_layout(path, COLUMNS)
    assert caught.value.detail == expected.format(path=path)
    # The connector stays named (for support), whatever the language.
    assert str(caught.value) == f"{expected.format(path=path)} (connector csv)"


@pytest.mark.parametrize(
    ("folder", "lang", "expected"),
    [
        (False, "en", f"{{path}}: cannot read the mapping: {NOT_FOUND}"),
        (False, "pl", "{path}: nie można odczytać pliku mapowania: nie ma takiego pliku ani "
                      f"folderu (komunikat systemu: {NOT_FOUND})"),
        pytest.param(True, "pl", "{path}: nie można odczytać pliku mapowania: to folder, nie "
                                 f"plik (komunikat systemu: {IS_DIR})", marks=posix_only),
    ],
)
def test_a_mapping_file_that_cannot_be_read_is_said_in_the_readers_language(
    tmp_path: Path, folder: bool, lang: str, expected: str
) -> None:
    path = tmp_path / "mapowanie.toml"
    if folder:
        path.mkdir()
    with using(lang), pytest.raises(MappingError) as caught:
        load_mapping(path)
    assert str(caught.value) == expected.format(path=path)


fifo_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")


def _read_bounded(call: Callable[[], object], pipe: Path) -> BaseException | None:
    """Run ``call`` in a thread; the error it raised (None: none). Should it still wait on
    the pipe after 10 s, the pipe is opened for writing and closed (the wait ends), and the
    test fails: the read blocked on the pipe."""
    raised: list[BaseException] = []

    def target() -> None:
        try:
            call()
        except BaseException as exc:  # handed to the test
            raised.append(exc)

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(timeout=10)
    blocked = worker.is_alive()
    if blocked:
        with contextlib.suppress(OSError):
            os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(timeout=10)
    assert not blocked, "the read waited on the named pipe"
    return raised[0] if raised else None


@fifo_only
@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "{path}: cannot be read: it is a named pipe (FIFO), not a file; the file is "
               "read more than once (its header, then its rows), which a pipe cannot give: "
               "save the export to a file and give its path"),
        ("pl", "{path}: nie można odczytać pliku: to potok nazwany (FIFO), a nie plik; plik "
               "jest czytany więcej niż raz (najpierw nagłówek, potem wiersze), czego potok "
               "nie da: zapisz eksport do pliku i podaj jego ścieżkę"),
    ],
)
def test_a_named_pipe_is_refused_before_it_is_opened(
    tmp_path: Path, lang: str, expected: str
) -> None:
    # Before: open() of a named pipe nobody writes to waited for ever (clientguard-csv check
    # and clientguard sync hung). Now it is refused from its stat, before any open.
    pipe = tmp_path / "faktury.csv"
    os.mkfifo(pipe)

    def read() -> None:
        with using(lang):
            open_layout(pipe, COLUMNS)

    caught = _read_bounded(read, pipe)
    assert isinstance(caught, CsvFileError)
    assert caught.detail == expected.format(path=pipe)


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="no /dev/null here")
@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "/dev/null: cannot be read: it is a device (a terminal, /dev/stdin...), not a "
               "file; save the export to a file and give its path"),
        ("pl", "/dev/null: nie można odczytać pliku: to urządzenie (terminal, /dev/stdin...), "
               "a nie plik; zapisz eksport do pliku i podaj jego ścieżkę"),
    ],
)
def test_a_character_device_is_refused(lang: str, expected: str) -> None:
    # Before: /dev/null read as an empty file ("no header"), a terminal waited for typing.
    with using(lang), pytest.raises(CsvFileError) as caught:
        open_layout(Path("/dev/null"), COLUMNS)
    assert caught.value.detail == expected
