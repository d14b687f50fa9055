"""The command line's language: --lang (before or after the command), lang in the config, the
locale; and that --help, argparse's errors, the messages and the reports follow it."""

from __future__ import annotations

from pathlib import Path

import pytest

from clientguard import i18n
from clientguard.cli import EXIT_USAGE, command_language, main
from clientguard.config import load_config
from clientguard.errors import ConfigError


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:  # argparse: --help (0) and a bad command line (2)
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLIENTGUARD_CONFIG", raising=False)
    return tmp_path


@pytest.mark.parametrize(
    ("argv", "config", "environ", "expected"),
    [
        ([], None, {}, "en"),
        (["--lang", "pl", "review"], None, {}, "pl"),
        (["review", "--lang=pl"], None, {}, "pl"),
        (["review", "--lang", "PL"], None, {}, "pl"),
        (["review", "--lang", "pl", "--lang", "en"], None, {}, "en"),  # the last one wins
        (["review"], 'lang = "pl"\n', {}, "pl"),
        (["--lang", "en", "review"], 'lang = "pl"\n', {"LANG": "pl_PL.UTF-8"}, "en"),
        (["review"], None, {"LANG": "pl_PL.UTF-8"}, "pl"),
        (["review"], 'lang = "en"\n', {"LANG": "pl_PL.UTF-8"}, "en"),  # the config wins
        (["review"], None, {"LANG": "de_DE.UTF-8"}, "en"),
        (["review"], "lang = [broken\n", {"LANG": "pl_PL.UTF-8"}, "pl"),  # load_config says
        (["review", "--lang", "xx"], None, {"LANG": "pl_PL.UTF-8"}, "pl"),  # the parser says
        (["review", "--", "--lang", "pl"], None, {}, "en"),
    ],
)
def test_the_language_is_the_flag_then_the_config_then_the_locale(
    folder: Path, argv: list[str], config: str | None, environ: dict[str, str], expected: str
) -> None:
    if config is not None:
        (folder / "clientguard.toml").write_text(config)
    assert command_language(argv, env=environ) == expected


def test_a_config_named_by_the_flag_gives_the_language(folder: Path) -> None:
    (folder / "other.toml").write_text('lang = "pl"\n')
    assert command_language(["review", "--config", "other.toml"], env={}) == "pl"
    assert command_language(["review"], env={"CLIENTGUARD_CONFIG": "other.toml"}) == "pl"


@pytest.mark.parametrize("argv", [["--lang", "pl", "review", "--help"],
                                  ["review", "--help", "--lang", "pl"]])
def test_help_is_polish_argparse_words_included(
    folder: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, _ = run(capsys, *argv)
    assert code == 0
    assert out.startswith("użycie: clientguard review")
    assert "\nopcje:\n" in out
    assert "pokaż tę pomoc i zakończ" in out
    assert "zapisz raport tutaj (domyślnie: stdout)" in out
    assert "Przykłady:" in out


def test_help_in_english_keeps_argparse_words(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "review", "--help")
    assert code == 0
    assert out.startswith("usage: clientguard review")
    assert "\noptions:\n" in out
    assert "show this help message and exit" in out


@pytest.mark.parametrize(
    ("argv", "polish"),
    [
        (["--lang", "pl", "review", "--format", "pdf"],
         "clientguard review: błąd: argument --format: niedozwolona wartość: 'pdf' "
         "(do wyboru: 'table', 'json', 'csv', 'html')"),
        (["--lang", "pl", "revew"],
         "clientguard: błąd: argument COMMAND: niedozwolona wartość: 'revew'"),
        (["--lang", "pl", "review", "--as-of", "30.06.2026"],
         "clientguard review: błąd: argument --as-of: '30.06.2026' nie jest datą w postaci "
         "RRRR-MM-DD"),
        # An unknown option of review is review's error, with review's usage.
        (["--lang", "pl", "review", "--bogus"],
         "clientguard review: błąd: nieznane argumenty: --bogus"),
        (["--lang", "pl"], "clientguard: błąd: wymagane są argumenty: COMMAND"),
    ],
)
def test_argparse_errors_are_polish(
    folder: Path, capsys: pytest.CaptureFixture[str], argv: list[str], polish: str
) -> None:
    code, _, err = run(capsys, *argv)
    assert code == EXIT_USAGE
    assert err.startswith("użycie: ")
    assert polish in err


def test_an_unknown_language_is_refused_naming_the_languages(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "review", "--lang", "de")
    assert code == EXIT_USAGE
    assert "argument --lang: 'de' is not a language clientguard writes: use one of en, pl" in err


def test_a_command_error_is_polish_with_lang_in_the_config(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (folder / "clientguard.toml").write_text('lang = "pl"\n')
    code, _, err = run(capsys, "review", "--output", "r.pdf")
    assert code == EXIT_USAGE
    assert err.startswith("clientguard: nie da się ustalić formatu raportu z nazwy 'r.pdf': "
                          "rozszerzenie .pdf nie jest żadnym z ")
    code, _, err = run(capsys, "review", "--output", "r.pdf", "--lang", "en")
    assert err.startswith("clientguard: cannot tell the report format from 'r.pdf'")


def test_demo_in_polish_writes_a_polish_page(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "demo", "--lang", "pl", "--output", "demo.html")
    assert code == 0
    assert out.startswith("clientguard demo: księgi przykładowej firmy na dzień 2026-06-30\n"
                          "  klienci:     40\n")
    assert "Przykładowa firma, stan na 2026-06-30 (EUR)" in out
    assert "Raport z wykresami: demo.html (otwórz go w przeglądarce)." in out
    page = (folder / "demo.html").read_text("utf-8")
    assert '<html lang="pl">' in page
    assert "<h2>Portfel klientów</h2>" in page


def test_the_language_does_not_leak_out_of_the_command(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "--lang", "pl", "review", "--format", "pdf")
    assert i18n.language() == "en"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('lnag = "pl"\n', "unknown key 'lnag'; did you mean 'lang'?"),
        ('lang = "pk"\n', "lang 'pk' is not a language clientguard writes; did you mean 'pl'? "
                          "(languages: en, pl)"),
        ('lang = "polski"\n', "did you mean 'pl'?"),
        ('lang = "de"\n', "lang 'de' is not a language clientguard writes (languages: en, pl)"),
        ("lang = 1\n", "lang 1 is not a language clientguard writes"),
    ],
)
def test_a_bad_lang_in_the_config_is_named_with_a_suggestion(
    folder: Path, text: str, message: str
) -> None:
    (folder / "clientguard.toml").write_text(text)
    with pytest.raises(ConfigError, match=r"clientguard\.toml") as raised:
        load_config()
    assert message in str(raised.value)


@pytest.mark.parametrize(("text", "lang"), [('lang = "pl"\n', "pl"), ('lang = "pl_PL"\n', "pl"),
                                            ('lang = "EN"\n', "en"), ("", None)])
def test_the_config_keeps_its_language(folder: Path, text: str, lang: str | None) -> None:
    (folder / "clientguard.toml").write_text(text)
    assert load_config().lang == lang
