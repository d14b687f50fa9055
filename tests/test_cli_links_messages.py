"""A links file's mistakes are told against the links file: its line and column, what is wrong
and what to do; the command that writes a missing one names the path the config reads."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from pathlib import Path

import pytest

from clientguard.cli import EXIT_OK, EXIT_USAGE, main


@pytest.fixture
def two_sources(csv_books: Callable[..., Path]) -> Path:
    """A config with the sources ``new`` and ``old`` (the old invoicing tool and the new)."""
    folder = csv_books(paid=False)
    header = "Number,Client,Issued,Due,Total\n"
    (folder / "new.csv").write_text(header + "N-1,Acme,2025-01-02,2025-02-01,10\n")
    (folder / "old.csv").write_text(header + "O-1,Acme,2024-01-02,2024-02-01,10\n")
    sources = "".join(
        f'[sources.{name}]\nconnector = "csv"\nmapping = "mapping.toml"\n'
        f'invoices = ["{name}.csv"]\n'
        for name in ("new", "old")
    )
    (folder / "clientguard.toml").write_text(
        f'base_currency = "EUR"\nstore = "data/clientguard.db"\n{sources}'
        '[links]\nfiles = ["shared links/links.csv"]\n')
    (folder / "shared links").mkdir()
    return folder


def review(capsys: pytest.CaptureFixture[str], lang: str) -> tuple[int, str]:
    assert main(["--lang", lang, "sync", "--quiet"]) == EXIT_OK
    code = main(["--lang", lang, "review", "--as-of", "2025-06-30", "--quiet"])
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    ("lang", "says"),
    [
        # Line 3 (the header is line 1), the second column: same_as names "nwe", a typo.
        ("en", "shared links/links.csv, line 3, column 2 (same_as): a link names the customer "
               "nwe:Acme, but there is no source 'nwe'; did you mean 'new'? (sources: new, old): "
               "write the customer as \"source:id\" with one of these sources, or add a "
               "[sources.nwe] table to the config file"),
        ("pl", "shared links/links.csv, wiersz 3, kolumna 2 (same_as): powiązanie wskazuje "
               "klienta nwe:Acme, ale nie ma źródła 'nwe'; czy chodziło o 'new'? (źródła: new, "
               "old): zapisz klienta jako \"źródło:id\" z jednym z tych źródeł albo dodaj do "
               "pliku konfiguracji tabelę [sources.nwe]"),
    ],
)
def test_a_links_file_naming_an_unknown_source_is_reported_at_its_line_and_column(
    two_sources: Path, capsys: pytest.CaptureFixture[str], lang: str, says: str
) -> None:
    # Before, the error named clientguard.toml (which has no such line) and not the links
    # file, nor where in it, nor what to do.
    (two_sources / "shared links" / "links.csv").write_text(
        "customer,same_as\nold:Acme,new:Acme\nold:Acme,nwe:Acme\n")
    code, err = review(capsys, lang)
    assert code == EXIT_USAGE
    assert says in err
    assert "clientguard.toml" not in err


@pytest.mark.parametrize(
    ("lang", "says"),
    [
        ("en", "write it with clientguard links suggest > 'shared links/links.csv' (and check "
               "each pair)"),
        ("pl", "utwórz go poleceniem clientguard links suggest > 'shared links/links.csv' (i "
               "sprawdź każdą parę)"),
    ],
)
def test_a_missing_links_file_is_written_by_a_command_to_the_path_the_config_reads(
    two_sources: Path, capsys: pytest.CaptureFixture[str], lang: str, says: str
) -> None:
    # Before: "clientguard links suggest > links.csv", which writes the file beside the
    # config, where the config does not read it (its folder is "shared links"); a path with
    # a space is quoted for the shell.
    code, err = review(capsys, lang)
    assert code == EXIT_USAGE
    assert says in err
    # The command as printed, read as a shell reads it, writes the file the config reads:
    # the review then runs.
    command = shlex.split(err.split("links suggest ", 1)[1].split(" (", 1)[0])
    assert command[0] == ">"
    assert main(["links", "suggest"]) == EXIT_OK
    Path(command[1]).write_text(capsys.readouterr().out)
    assert main(["review", "--as-of", "2025-06-30", "--quiet"]) == EXIT_OK
