"""A data or mapping file the system cannot read is said in the reader's language, with the
system's own text kept as the detail (clientguard.errors.os_reason; docs/languages.md, "Errors
in the chosen language"). The Polish is written by hand; the system's text is ``os.strerror``.
"""

from __future__ import annotations

import errno
import os
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
    # The connector stays named (for support), whatever the language, in the reader's words
    # (until 2026-12-08 "(connector csv)" in Polish too).
    named = "konektor csv" if lang == "pl" else "connector csv"
    assert str(caught.value) == f"{expected.format(path=path)} ({named})"


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
