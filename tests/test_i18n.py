"""The active language and the catalogs: which language is chosen, and plural forms."""

from __future__ import annotations

import threading

import pytest

from clientguard import i18n


@pytest.mark.parametrize(
    ("given", "code"),
    [("pl", "pl"), ("PL", "pl"), ("pl_PL", "pl"), ("pl-PL.UTF-8", "pl"), ("en_GB", "en")],
)
def test_resolve_language_accepts_locale_spellings(given: str, code: str) -> None:
    assert i18n.resolve_language(given) == code


def test_unknown_language_is_refused_with_the_languages_there_are() -> None:
    with pytest.raises(ValueError, match="en, pl"):
        i18n.resolve_language("de")


@pytest.mark.parametrize(
    ("environ", "code"),
    [
        ({}, "en"),
        ({"LANG": "pl_PL.UTF-8"}, "pl"),
        ({"LANG": "C"}, "en"),
        ({"LC_ALL": "de_DE.UTF-8", "LANG": "pl_PL.UTF-8"}, "en"),  # LC_ALL decides
        ({"LC_ALL": "pl_PL.UTF-8", "LANG": "en_US.UTF-8"}, "pl"),
        ({"LANGUAGE": "de:pl", "LANG": "en_US.UTF-8"}, "pl"),  # GNU list: first one we write
    ],
)
def test_language_from_environment(environ: dict[str, str], code: str) -> None:
    assert i18n.language_from_environment(environ) == code


@pytest.mark.parametrize(
    ("n", "polish"),
    [(1, "1 faktura"), (2, "2 faktury"), (4, "4 faktury"), (5, "5 faktur"), (12, "12 faktur"),
     (22, "22 faktury"), (25, "25 faktur"), (101, "101 faktur"), (0, "0 faktur")],
)
def test_polish_plural_forms(n: int, polish: str) -> None:
    with i18n.using("pl"):
        assert i18n.ngettext("{n} invoice", "{n} invoices", n).format(n=n) == polish
    assert i18n.ngettext("{n} invoice", "{n} invoices", n).format(n=n) == (
        "1 invoice" if n == 1 else f"{n} invoices"
    )


def test_using_restores_the_language_and_is_per_thread() -> None:
    seen: list[str] = []
    with i18n.using("pl"):
        assert i18n.language() == "pl"
        worker = threading.Thread(target=lambda: seen.append(i18n.language()))
        worker.start()
        worker.join()
    assert i18n.language() == "en"
    assert seen == ["en"]  # a new thread starts in English, whatever its parent uses


def test_using_none_keeps_the_active_language() -> None:
    with i18n.using("pl"), i18n.using(None) as code:
        assert code == "pl"
