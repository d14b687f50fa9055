"""The base currency of a review of several ``--source``s is chosen once, from the invoices
of all of them (docs/cli.md): a source of hours only has no invoice to tell it, and two
sources each in its own currency are one book in two currencies, not two ledgers that cannot
be merged."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from clientguard.cli import EXIT_OK, EXIT_USAGE, main

pytest.importorskip("clientguard_csv", reason="the CSV connector is not installed")

def _config(tmp_path: Path, sources: dict[str, str], head: str = "") -> None:
    text = head + "".join(
        f'[sources.{name}]\nconnector = "csv"\nmapping = "mapping.toml"\n{files}\n\n'
        for name, files in sources.items())
    (tmp_path / "clientguard.toml").write_text(text)


@pytest.fixture
def here(csv_books: Callable[..., Path]) -> Path:
    """The working folder, its mapping reading invoices in several currencies and hours."""
    return csv_books(None, paid=False, more='\n[time_entries.columns]\ncustomer_name = "Client"\n'
                     'date = "Day"\nhours = "Hours"\n')


INVOICES = "Number,Client,Issued,Due,Total,Currency\n"


def test_a_source_of_hours_only_takes_the_base_currency_of_the_books(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before: 'no base currency: there are no invoices' for the hours source, exit 2."""
    (here / "books.csv").write_text(INVOICES + "1,Acme,2025-01-02,2025-02-01,1000.00,EUR\n"
                                    "2,Beta,2025-01-05,2025-02-04,500.00,EUR\n")
    (here / "hours.csv").write_text("Client,Day,Hours\nAcme,2025-01-03,6\nBeta,2025-01-04,2\n")
    _config(here, {"books": 'invoices = "books.csv"', "hours": 'time_entries = "hours.csv"'})
    code = main(["review", "--as-of", "2025-03-31", "--format", "json", "--quiet",
                 "--source", "books", "--source", "hours"])
    out, err = capsys.readouterr()
    assert code == EXIT_OK, err
    document = json.loads(out)
    assert document["base_currency"] == "EUR"
    assert document["book"]["revenue"]["total"] == "1500.00"


def test_sources_in_two_currencies_without_a_base_currency_are_told_to_set_one(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before: each source took its own (EUR, PLN) and the merge failed with a sentence for
    Python ('build both with the same base_currency')."""
    (here / "eur.csv").write_text(INVOICES + "1,Acme,2025-01-02,2025-02-01,1000.00,EUR\n")
    (here / "pln.csv").write_text(INVOICES + "1,Beta,2025-01-02,2025-02-01,4000.00,PLN\n")
    _config(here, {"eur": 'invoices = "eur.csv"', "pln": 'invoices = "pln.csv"'})
    code = main(["review", "--as-of", "2025-03-31", "--quiet",
                 "--source", "eur", "--source", "pln"])
    _out, err = capsys.readouterr()
    assert code == EXIT_USAGE
    assert "no base currency: the invoices are in EUR, PLN" in err
    assert "--base-currency" in err
    assert "build both" not in err


def test_a_strict_review_of_the_books_and_a_tracker_matches_the_trackers_clients(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A tracker's entries name clients only the books' customers have: each source's ledger
    alone cannot match them. Before: a strict review failed on the tracker's first entry
    ("client 'Acme' matches no customer"), before the merge could match it."""
    (here / "books.csv").write_text(INVOICES + "1,Acme,2025-01-02,2025-02-01,1000.00,EUR\n"
                                    "2,Beta,2025-01-05,2025-02-04,500.00,EUR\n")
    (here / "hours.csv").write_text("Client,Day,Hours\nAcme,2025-01-03,6\nBeta,2025-01-04,2\n")
    _config(here, {"books": 'invoices = "books.csv"', "hours": 'time_entries = "hours.csv"'})
    code = main(["review", "--as-of", "2025-03-31", "--format", "json", "--quiet", "--strict",
                 "--source", "books", "--source", "hours"])
    out, err = capsys.readouterr()
    assert code == EXIT_OK, err
    assert "matches no customer" not in err
    shares = {c["client_id"]: c["hours_share"] for c in json.loads(out)["clients"]}
    # 6 of the 8 hours are Acme's, 2 Beta's.
    assert shares == {"books:Acme": "0.7500", "books:Beta": "0.2500"}


def test_a_strict_review_of_several_sources_lists_what_none_of_them_matches(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (here / "books.csv").write_text(INVOICES + "1,Acme,2025-01-02,2025-02-01,1000.00,EUR\n")
    (here / "hours.csv").write_text("Client,Day,Hours\nAcme,2025-01-03,6\nGamma,2025-01-04,2\n")
    _config(here, {"books": 'invoices = "books.csv"', "hours": 'time_entries = "hours.csv"'})
    code = main(["review", "--as-of", "2025-03-31", "--quiet", "--strict",
                 "--source", "books", "--source", "hours"])
    _out, err = capsys.readouterr()
    assert code == EXIT_USAGE
    assert "'Gamma' matches no customer" in err
    assert "'Acme'" not in err
