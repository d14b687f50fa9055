"""The errors a user meets (a config typo, a bad policy value, a busy or foreign store, an
unknown connector option) and the sync's summary, in Polish with ``--lang pl``; the English
unchanged without it."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from clientguard.cli import EXIT_OK, EXIT_USAGE, main

pytest.importorskip("clientguard_csv", reason="the CSV connector is not installed")

INVOICES = (
    "Number,Client,Issued,Due,Total,Paid\n"
    "A-1,Acme,2025-01-02,2025-02-01,1000.00,2025-02-01\n"
    "A-2,Acme,2025-02-03,2025-03-05,1000.00,2025-04-20\n"
    "B-1,Birch,2025-01-10,2025-02-09,300.00,2025-02-05\n"
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write_config(folder: Path, *, top: str = "", source: str = "") -> None:
    (folder / "clientguard.toml").write_text(
        'base_currency = "EUR"\n'
        'store = "data/clientguard.db"\n'
        f"{top}\n"
        "[sources.books]\n"
        'connector = "csv"\n'
        'mapping = "mapping.toml"\n'
        f"invoices = [{json.dumps('invoices.csv')}]\n"
        f"{source}"
    )


@pytest.fixture
def books(csv_books: Callable[..., Path]) -> Path:
    folder = csv_books()
    (folder / "invoices.csv").write_text(INVOICES)
    write_config(folder)
    return folder


def _not_a_store(path: Path) -> None:
    path.parent.mkdir()
    path.write_text("a spreadsheet saved under the wrong name\n" * 200)


# One row per error: how to cause it, then the message's words in English and in Polish.
CASES: dict[str, tuple[Callable[[Path], object], str, str]] = {
    "config typo": (
        lambda folder: write_config(folder, top='base_curency = "EUR"'),
        "clientguard.toml: unknown key 'base_curency'; did you mean 'base_currency'? (known: ",
        "clientguard.toml: nieznany klucz 'base_curency'; czy chodziło o 'base_currency'? "
        "(znane: ",
    ),
    "policy value": (
        lambda folder: write_config(folder, top="[policy]\ngrace_days = -1\n"),
        "clientguard.toml [policy]: grace_days: Input should be greater than or equal to 0",
        "clientguard.toml [policy]: grace_days: wartość musi być nie mniejsza niż 0",
    ),
    "policy key": (
        lambda folder: write_config(folder, top="[policy]\ngrace_dayz = 3\n"),
        "clientguard.toml [policy]: unknown policy key 'grace_dayz'; did you mean 'grace_days'?",
        "clientguard.toml [policy]: nieznany klucz zasad 'grace_dayz'; czy chodziło o "
        "'grace_days'?",
    ),
    "connector option": (
        lambda folder: write_config(folder, source='invoice = "invoices.csv"\n'),
        "connector 'csv': invoice: not an option of this connector; did you mean 'invoices'?",
        "konektor 'csv': invoice: to nie jest opcja tego konektora; czy chodziło o "
        "'invoices'?",
    ),
    "not a store": (
        lambda folder: _not_a_store(folder / "data" / "clientguard.db"),
        "data/clientguard.db is not a clientguard store (not an SQLite database)",
        "data/clientguard.db nie jest magazynem clientguard (nie jest bazą SQLite)",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("lang", ["en", "pl"])
def test_a_user_error_is_in_the_chosen_language(
    books: Path, capsys: pytest.CaptureFixture[str], case: str, lang: str
) -> None:
    cause, english, polish = CASES[case]
    cause(books)
    code, _, err = run(capsys, "--lang", lang, "sync", "--quiet")
    assert code == EXIT_USAGE
    expected = polish if lang == "pl" else english
    assert expected in err.replace(str(books) + "/", "")
    assert "Traceback" not in err


@pytest.mark.skipif(sys.platform == "win32", reason="holds the lock with flock")
@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "another clientguard sync is writing to {store}; let it finish and try again, "
               "or pass --wait SECONDS to wait for it"),
        ("pl", "inna synchronizacja clientguard zapisuje właśnie dane do {store}; poczekaj, aż "
               "skończy, i "
               "spróbuj ponownie albo podaj --wait SEKUNDY, aby na nią zaczekać"),
    ],
)
def test_a_busy_store_is_said_in_the_chosen_language(
    books: Path, capsys: pytest.CaptureFixture[str], lang: str, expected: str
) -> None:
    import fcntl

    store = books / "data" / "clientguard.db"
    store.parent.mkdir()
    # Another sync holds the store's lock (an empty lock file: it has not said who it is).
    with (books / "data" / "clientguard.db.lock").open("w") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        code, _, err = run(capsys, "--lang", lang, "sync", "--quiet")
    assert code == EXIT_USAGE
    assert expected.format(store="data/clientguard.db") in err.replace(str(books) + "/", "")


def test_the_sync_summary_names_the_new_kinds_in_polish_with_their_plural(
    books: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--lang", "pl", "sync")
    assert code == EXIT_OK
    # Three invoices of two customers (Acme, Birch): "3 faktury", "2 klientów".
    assert "(nowe: 2 klientów, 3 faktury)" in out


def test_the_sync_summary_in_english_keeps_the_kinds_names(
    books: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "sync")
    assert code == EXIT_OK
    assert "(new: 2 customer, 3 invoice)" in out


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "the environment variable CLIENTGUARD_X holds a line break (U+000A) inside it; "
               "a secret is one line of visible characters: copy it again without it"),
        ("pl", "zmienna środowiskowa CLIENTGUARD_X zawiera w środku znak końca wiersza (U+000A); "
               "sekret to jeden wiersz widocznych znaków: skopiuj go ponownie bez tego znaku"),
    ],
)
def test_a_secret_with_a_line_break_is_refused_in_the_language(lang: str, expected: str) -> None:
    from clientguard import i18n
    from clientguard.errors import ConfigError
    from clientguard.redaction import clean_secret

    with i18n.using(lang):
        name = i18n.gettext("the environment variable {variable}").format(variable="CLIENTGUARD_X")
        with pytest.raises(ConfigError) as caught:
            clean_secret("tok-S3CRET\nabc", name=name)
    assert str(caught.value) == expected
    assert "S3CRET" not in str(caught.value)


@pytest.mark.parametrize(("lang", "expected"), [
    # The CSV source names its customer by its name: offered once, not as id and as name.
    ("en", "no customer 'Acmee' in the ledger; did you mean 'Acme'? (clientguard review lists "
           "the clients"),
    ("pl", "w księgach nie ma klienta 'Acmee'; czy chodziło o 'Acme'? (clientguard review "
           "wypisuje klientów"),
])
def test_a_claim_on_an_unknown_client_is_said_in_the_chosen_language(
    books: Path, capsys: pytest.CaptureFixture[str], lang: str, expected: str
) -> None:
    assert run(capsys, "sync", "--quiet")[0] == EXIT_OK
    code, _, err = run(capsys, "--lang", lang, "claim", "Acmee", "--as-of", "2025-06-30")
    assert code != EXIT_OK
    assert expected in err
    assert "Traceback" not in err


@pytest.mark.parametrize(("lang", "expected"), [
    # The closest first (equally close: difflib's order).
    ("en", "Acme has no invoice 'A-3'; did you mean 'A-2' or 'A-1'? (give an invoice's id or "
           "number)"),
    ("pl", "Acme nie ma faktury 'A-3'; czy chodziło o 'A-2' lub 'A-1'? (podaj identyfikator "
           "lub numer faktury)"),
])
def test_a_claim_on_an_unknown_invoice_offers_the_close_ones_in_the_chosen_language(
    books: Path, capsys: pytest.CaptureFixture[str], lang: str, expected: str
) -> None:
    assert run(capsys, "sync", "--quiet")[0] == EXIT_OK
    code, _, err = run(capsys, "--lang", lang, "claim", "Acme", "--invoice", "A-3",
                       "--as-of", "2025-06-30")
    assert code != EXIT_OK
    assert expected in err
