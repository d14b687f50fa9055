"""Command lines that name something that is not there: a connector misspelt (by name, or the
``connector`` key of a source), and ``--option`` without the ``--source`` it belongs to. Each
is one line in the reader's language, exit status 2, and says what was probably meant."""

from __future__ import annotations

from pathlib import Path

import pytest

from clientguard.cli import EXIT_USAGE, main

INSTALLED_CSV = pytest.importorskip("clientguard_csv", reason="the CSV connector is not installed")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().err


@pytest.fixture(autouse=True)
def _folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLIENTGUARD_CONFIG", raising=False)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "clientguard: no connector named 'cvs' is installed; did you mean 'csv'? "
               "(installed: "),
        ("pl", "clientguard: konektor o nazwie 'cvs' nie jest zainstalowany; czy chodziło o "
               "'csv'? (zainstalowane: "),
    ],
)
def test_a_misspelt_connector_is_named_with_the_nearest_installed_one(
    capsys: pytest.CaptureFixture[str], lang: str, expected: str
) -> None:
    code, err = run(capsys, "--lang", lang, "sync", "--source", "cvs")
    assert code == EXIT_USAGE
    assert err.startswith(expected)
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        # No "pip install clientguard-nosuch": no package index holds it (docs/install.md).
        ("en", "clientguard: no connector named 'nosuch' is installed (connectors are "
               "installed from the clientguard checkout, with the core: pip install . "
               "./connectors/csv; see docs/install.md); installed: "),
        ("pl", "clientguard: konektor o nazwie 'nosuch' nie jest zainstalowany (konektory "
               "instaluje się z kopii repozytorium clientguard, razem z rdzeniem: pip install "
               ". ./connectors/csv; zob. docs/install.md); zainstalowane: "),
    ],
)
def test_an_unknown_connector_is_said_in_the_readers_language(
    capsys: pytest.CaptureFixture[str], lang: str, expected: str
) -> None:
    code, err = run(capsys, "--lang", lang, "connectors", "nosuch")
    assert code == EXIT_USAGE
    assert err.startswith(expected)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "clientguard: source 'books': unknown key 'conector'; did you mean 'connector'? "
               "(without connector, a source's connector is its name, and no connector named "
               "'books' is installed; installed: "),
        ("pl", "clientguard: źródło 'books': nieznany klucz 'conector'; czy chodziło o "
               "'connector'? (bez klucza connector konektorem źródła jest jego nazwa, a konektor "
               "o nazwie 'books' nie jest zainstalowany; zainstalowane: "),
    ],
)
def test_a_misspelt_connector_key_of_a_source_is_named_not_the_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str, expected: str
) -> None:
    (tmp_path / "clientguard.toml").write_text(
        '[sources.books]\nconector = "csv"\npreset = "zoho"\ninvoices = "invoices.csv"\n')
    code, err = run(capsys, "--lang", lang, "sync")
    assert code == EXIT_USAGE
    assert err.startswith(expected)
    assert "pip install clientguard-books" not in err


def test_a_misspelt_connector_of_a_source_names_the_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "clientguard.toml").write_text(
        '[sources.books]\nconnector = "cvs"\npreset = "zoho"\ninvoices = "invoices.csv"\n')
    code, err = run(capsys, "sync")
    assert code == EXIT_USAGE
    assert err.startswith(
        "clientguard: source 'books': no connector named 'cvs' is installed; did you mean 'csv'?")


@pytest.mark.parametrize("command", ["review", "forecast"])
@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "clientguard: --option goes with --source: pass the source to pull directly "
               "(e.g. --source csv --option invoices=invoices.csv), or leave --option out to "
               "review the store\n"),
        ("pl", "clientguard: --option działa tylko z --source: podaj źródło, które ma zostać "
               "odczytane bezpośrednio (np. --source csv --option invoices=invoices.csv), albo "
               "pomiń --option, aby przejrzeć magazyn danych\n"),
    ],
)
def test_an_option_without_its_source_is_refused_not_ignored(
    capsys: pytest.CaptureFixture[str], command: str, lang: str, expected: str
) -> None:
    # Before: the option was dropped without a word and the store (here: none) was reviewed.
    code, err = run(capsys, "--lang", lang, command, "--option", "invoices=new.csv",
                    "--as-of", "2026-06-30")
    assert code == EXIT_USAGE
    assert err == expected


@pytest.mark.parametrize(
    ("lang", "value", "expected"),
    [
        ("en", "eur", "argument --base-currency: 'eur' is not an ISO 4217 currency code such as "
                      "\"EUR\"; did you mean 'EUR'?\n"),
        ("en", "EURO", "argument --base-currency: 'EURO' is not an ISO 4217 currency code such "
                       "as \"EUR\"\n"),
        ("pl", "eur", "argument --base-currency: 'eur' nie jest kodem waluty ISO 4217, takim jak "
                      "\"EUR\"; czy chodziło o 'EUR'?\n"),
    ],
)
def test_a_base_currency_that_is_no_code_is_a_usage_error_naming_the_option(
    capsys: pytest.CaptureFixture[str], lang: str, value: str, expected: str
) -> None:
    # Before: "clientguard: FxTable base: unknown currency code 'eur'", an internal name.
    with pytest.raises(SystemExit) as exited:
        main(["--lang", lang, "review", "--base-currency", value, "--store", "x.db"])
    assert exited.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.endswith(expected)
    assert "FxTable" not in err


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "clientguard: clientguard.toml: base_currency 'eur' is not an ISO 4217 code such "
               "as \"EUR\"; did you mean 'EUR'?\n"),
        ("pl", "clientguard: clientguard.toml: base_currency 'eur' nie jest kodem waluty ISO "
               "4217, takim jak \"EUR\"; czy chodziło o 'EUR'?\n"),
    ],
)
def test_a_lower_case_base_currency_in_the_config_is_named_with_its_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str, expected: str
) -> None:
    (tmp_path / "clientguard.toml").write_text('base_currency = "eur"\n')
    code, err = run(capsys, "--lang", lang, "review")
    assert code == EXIT_USAGE
    assert err == expected


@pytest.mark.parametrize(
    ("lang", "command", "expected"),
    [
        ("en", "sync", "clientguard: no source named 'faktry' in clientguard.toml; did you mean "
                       "'faktury'? (the sources it defines: faktury, koszty)\n"),
        ("en", "review", "clientguard: no source named 'faktry' in clientguard.toml; did you "
                         "mean 'faktury'? (the sources it defines: faktury, koszty)\n"),
        ("pl", "sync", "clientguard: w clientguard.toml nie ma źródła o nazwie 'faktry'; czy "
                       "chodziło o 'faktury'? (źródła w tym pliku: faktury, koszty)\n"),
    ],
)
def test_a_misspelt_source_name_suggests_the_configured_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str, command: str, expected: str
) -> None:
    # 'faktry' is one letter short of the source 'faktury' and no installed connector: the
    # user meant the source, not a connector to install (and there is no clientguard-faktry).
    (tmp_path / "clientguard.toml").write_text(
        '[sources.faktury]\nconnector = "csv"\npreset = "zoho"\ninvoices = "f.csv"\n'
        '[sources.koszty]\nconnector = "csv"\npreset = "zoho"\ninvoices = "k.csv"\n')
    code, err = run(capsys, "--lang", lang, command, "--source", "faktry")
    assert code == EXIT_USAGE
    assert err == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "clientguard: no connector named 'sage' is installed (connectors are installed "
               "from the clientguard checkout, with the core: pip install . ./connectors/csv; "
               "see docs/install.md); installed: "),
        ("pl", "clientguard: konektor o nazwie 'sage' nie jest zainstalowany (konektory "
               "instaluje się z kopii repozytorium clientguard, razem z rdzeniem: pip install "
               ". ./connectors/csv; zob. docs/install.md); zainstalowane: "),
    ],
)
def test_an_unknown_connector_says_how_connectors_are_installed_not_a_package_to_fetch(
    capsys: pytest.CaptureFixture[str], lang: str, expected: str
) -> None:
    # docs/install.md: the distributions are on no package index, so pip install
    # clientguard-sage would fail; the way that works (from the checkout) is said instead.
    code, err = run(capsys, "--lang", lang, "sync", "--source", "sage")
    assert code == EXIT_USAGE
    assert err.startswith(expected)
    assert "clientguard-sage" not in err


@pytest.mark.parametrize("lang", ["en", "pl"])
def test_an_older_store_names_a_command_that_upgrades_it_with_no_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str
) -> None:
    # A store of schema version 1 (tests/data/store_v1.sql), in a folder with no
    # clientguard.toml: `history` opens it read-only and refuses it; the command its message
    # names, run as written, upgrades it (`sync` here stops at "no source to read"), and then
    # `history` reads it.
    import shlex
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(tmp_path / "old.db")) as db:
        db.executescript((Path(__file__).parent / "data" / "store_v1.sql").read_text("utf-8"))
    code, err = run(capsys, "--lang", lang, "--store", "old.db", "history")
    assert code == EXIT_USAGE
    assert "old.db" in err
    named = err.split("`")[1]
    assert named.startswith("clientguard ")
    assert run(capsys, "--lang", lang, *shlex.split(named)[1:])[0] == 0
    assert run(capsys, "--lang", lang, "--store", "old.db", "history")[0] == 0


@pytest.mark.parametrize("lang", ["en", "pl"])
def test_the_upgrade_command_quotes_a_store_path_with_a_space_and_a_quote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str
) -> None:
    # The command is printed to be pasted into a POSIX shell: a path with a space and a
    # quote split into two words (and left a quote open) unquoted. shlex.quote's form, by
    # hand: the path in single quotes, its own ' written '"'"'.
    import shlex
    import sqlite3
    from contextlib import closing

    folder = tmp_path / "Jan's books"
    folder.mkdir()
    store = folder / "old store.db"
    with closing(sqlite3.connect(store)) as db:
        db.executescript((Path(__file__).parent / "data" / "store_v1.sql").read_text("utf-8"))
    code, err = run(capsys, "--lang", lang, "--store", str(store), "history")
    assert code == EXIT_USAGE
    quoted = "'" + str(tmp_path) + "/Jan'\"'\"'s books/old store.db'"
    assert f"`clientguard --store {quoted} store`" in err
    named = err.split("`")[1]
    assert shlex.split(named) == ["clientguard", "--store", str(store), "store"]
    assert run(capsys, "--lang", lang, *shlex.split(named)[1:])[0] == 0
    assert run(capsys, "--lang", lang, "--store", str(store), "history")[0] == 0


def test_a_newer_store_says_to_update_from_the_checkout_not_a_package_index(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # docs/install.md: clientguard is on no package index, so `pip install -U clientguard`
    # finds nothing; the checkout's way is said.
    import sqlite3
    from contextlib import closing

    from clientguard.store import SCHEMA_VERSION, Store

    Store.open(tmp_path / "new.db").close()
    with closing(sqlite3.connect(tmp_path / "new.db")) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        db.commit()
    code, err = run(capsys, "--lang", "en", "--store", "new.db", "history")
    assert code == EXIT_USAGE
    assert "pip install -U" not in err
    assert "update clientguard from an up-to-date checkout" in err
    assert "see docs/install.md" in err


@pytest.mark.parametrize(
    ("lang", "expected"),
    # docs/cli.md's table of exit statuses: 0, 1, 2, 70 and 130 (interrupted, Ctrl-C).
    [("en", "130 interrupted (Ctrl-C)"), ("pl", "130 przerwano (Ctrl-C)")],
)
def test_the_help_lists_every_exit_status_the_docs_do(
    capsys: pytest.CaptureFixture[str], lang: str, expected: str
) -> None:
    with pytest.raises(SystemExit):
        main(["--lang", lang, "--help"])
    out = " ".join(capsys.readouterr().out.split())  # argparse rewraps the epilog
    assert expected in out


def _ibm_export(path: Path) -> None:
    """An export in the IBM sample's layout (the ibm-ar preset): 3 clients, an invoice each
    month of 2024 and 2025, due in 30 days; c1 pays 10 days late, c2 on time, c3 40 late."""
    from datetime import date, timedelta

    rows = ["countryCode,customerID,PaperlessDate,invoiceNumber,InvoiceDate,DueDate,"
            "InvoiceAmount,Disputed,SettledDate,PaperlessBill,DaysToSettle,DaysLate"]
    late = {"c1": 10, "c2": 0, "c3": 40}
    number = 0
    for year in (2024, 2025):
        for month in range(1, 13):
            for client, days in late.items():
                number += 1
                issued = date(year, month, 5)
                due = issued + timedelta(days=30)
                paid = due + timedelta(days=days)
                rows.append(f"1,{client},1/1/2024,{number:06d},{issued:%m/%d/%Y},"
                            f"{due:%m/%d/%Y},100.00,No,{paid:%m/%d/%Y},Paper,{30 + days},{days}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def test_the_backtest_table_writes_decimals_in_the_readers_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The same backtest in English and Polish: every score cell is the same digits, with a
    # decimal comma in Polish (100,0%, 0,800, 15,29), never the English point.
    _ibm_export(tmp_path / "ar.csv")
    tables = {}
    for lang in ("en", "pl"):
        code = main(["--lang", lang, "forecast", "--backtest", "--source", "csv", "--option",
                     "invoices=ar.csv", "--option", "preset=ibm-ar", "--quiet"])
        assert code == 0
        tables[lang] = capsys.readouterr().out.splitlines()
    rows = {lang: [line.split() for line in lines if line.startswith("forecast ")]
            for lang, lines in tables.items()}
    english, polish = rows["en"][0], rows["pl"][0]
    assert english[0] == polish[0] == "forecast"
    scores = [cell for cell in english[2:] if cell != "-"]
    assert scores
    assert all("." in cell for cell in scores)
    assert polish[2:] == [cell.replace(".", ",") for cell in english[2:]]


@pytest.mark.parametrize(("as_of", "expected"), [
    # By hand, from _ibm_export: the last record by 2025-06-30 is 2025-06-14 (c1's May
    # invoice, due 06-04, paid 10 days late; c3's April one, due 05-05, paid 40 late), so the
    # outcomes end there and the last origin is the first of a month by 90 days before
    # (2025-03-16): 2025-03-01, nine origins from 2024-07-01 (six months after the first
    # invoice). Before, --as-of was ignored: 17 origins to 2025-11-01, outcomes as of
    # 2026-02-13 (the book's last record, c3's December invoice paid 40 days late).
    ("2025-06-30", ("9 monthly origins 2024-07-01 to 2025-03-01", "outcomes as of 2025-06-14")),
    ("2026-03-31", ("17 monthly origins 2024-07-01 to 2025-11-01",
                    "outcomes as of 2026-02-13")),
])
def test_the_backtest_reads_only_what_was_known_by_as_of(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    as_of: str, expected: tuple[str, str],
) -> None:
    monkeypatch.chdir(tmp_path)
    _ibm_export(tmp_path / "ar.csv")
    code = main(["forecast", "--backtest", "--as-of", as_of, "--source", "csv", "--option",
                 "invoices=ar.csv", "--option", "preset=ibm-ar", "--quiet"])
    assert code == 0
    header = " ".join(capsys.readouterr().out.split())
    for part in expected:
        assert part in header


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "clientguard: sources.books.invoices: expected a path or a list of paths, "
               "got 5\n"),
        ("pl", "clientguard: sources.books.invoices: oczekiwano: ścieżka albo lista ścieżek, "
               "podano: 5\n"),
    ],
)
def test_an_option_of_the_wrong_type_says_what_it_takes_where_it_was_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str, expected: str
) -> None:
    # The CSV connector's invoices take a path or a list of paths (CsvOptions: str | Path |
    # Sequence[str | Path]); 5 is neither. One line naming the key as written in the file,
    # no pydantic internals (lax-or-strict[...], json-or-python[...]).
    (tmp_path / "clientguard.toml").write_text(
        '[sources.books]\nconnector = "csv"\npreset = "zoho"\ninvoices = 5\n')
    code, err = run(capsys, "--lang", lang, "sync")
    assert code == EXIT_USAGE
    assert err == expected


def test_a_connector_built_in_code_with_an_option_of_the_wrong_type_names_the_option() -> None:
    # Without a config, the connector names itself; a text value is never echoed (it may be
    # a secret): invoices=5 is said as 5.
    from clientguard.errors import ConfigError
    from clientguard_csv import CsvConnector

    with pytest.raises(ConfigError) as caught:
        CsvConnector(preset="zoho", invoices=5)
    assert str(caught.value) == (
        "connector 'csv': invoices: expected a path or a list of paths, got 5")


@pytest.mark.parametrize(
    "argv",
    [
        # docs/cli.md: --config and --store work before or after the command, for every
        # command; these read neither (or no store), so after them they are accepted and
        # ignored, as before them.
        ("policy", "--config", "absent.toml"),
        ("policy", "--store", "x.db"),
        ("connectors", "--config", "absent.toml"),
        ("connectors", "--store", "x.db"),
    ],
)
def test_the_global_options_are_accepted_after_every_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]
) -> None:
    code = main(["--lang", "en", *argv])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "unrecognized arguments" not in err
    assert out  # the command did its work: the policy's TOML, the connectors' list
    assert not (tmp_path / "x.db").exists()  # ignored: no store made


@pytest.mark.parametrize("command", ["demo", "portfolio"])
def test_the_help_of_a_command_that_reads_no_store_lists_store_as_accepted(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    with pytest.raises(SystemExit):
        main(["--lang", "en", command, "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--store PATH accepted as after any command; this command reads no store" in out


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "clientguard review: error: unrecognized arguments: --as-off 2026-01-01; did you "
               "mean --as-of?\n"),
        ("pl", "clientguard review: błąd: nieznane argumenty: --as-off 2026-01-01; czy chodziło "
               "o --as-of?\n"),
    ],
)
def test_a_mistyped_option_of_a_command_shows_that_commands_usage_and_the_nearest_option(
    capsys: pytest.CaptureFixture[str], lang: str, expected: str
) -> None:
    # --as-off is one letter from review's --as-of (and no prefix of it, so argparse's
    # abbreviations do not take it): the usage is review's, the nearest option is named.
    with pytest.raises(SystemExit) as exited:
        main(["--lang", lang, "review", "--as-off", "2026-01-01"])
    assert exited.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.endswith(expected)
    assert "clientguard review [-h]" in err.split("\n")[0]  # not clientguard [-h] ... COMMAND


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        # history prune's own --keep-last (difflib ratio 2*5/16 = 0.625), not --help, the
        # option every command takes (2*4/11 = 0.73): the command's own come first.
        (["history", "prune", "--kep", "3"], "; did you mean --keep-last?"),
        (["history", "prune", "--keep-dayly", "3"], "; did you mean --keep-daily?"),
        # A command's own option, as before.
        (["rates", "sync", "--frm", "2026-01-01"], "; did you mean --from?"),
        # None of the command's own is close: the options every command takes still are.
        (["review", "--lnag", "pl"], "; did you mean --lang?"),
    ],
)
def test_a_mistyped_option_suggests_the_commands_own_options_before_the_global_ones(
    capsys: pytest.CaptureFixture[str], argv: list[str], hint: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--lang", "en", *argv])
    assert exited.value.code == EXIT_USAGE
    assert capsys.readouterr().err.rstrip("\n").endswith(hint)
