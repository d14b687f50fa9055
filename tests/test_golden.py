"""Golden reports: the sample firm's review in every language and format, byte for byte.

Each file under ``tests/golden/`` is what ``clientguard.report.render`` writes for the sample
firm (``clientguard.sample``) as of :data:`AS_OF`, titled ``Sample firm``, in one language.
A change of any report's words, layout or numbers shows here as a diff a person reads before
committing it (tests/golden/README.md); ``make golden`` writes the files afresh.

The English files were first written from main before the reports went through the catalogs,
so that converting them is proved to have changed no English byte (except the JSON's new
``lang`` and ``schema_version``).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from functools import cache
from pathlib import Path

import pytest

from clientguard import i18n
from clientguard.report import render
from clientguard.report.spreadsheet import COLUMNS
from clientguard.report.table import WIDTH
from clientguard.report.text import columns
from clientguard.review import Review, review
from clientguard.sample import sample_ledger

GOLDEN = Path(__file__).parent / "golden"
AS_OF = date(2026, 6, 30)
"""The demo's date: the sample firm's data ends here."""
TITLE = "Sample firm"
SUFFIXES = {"table": "txt", "html": "html", "csv": "csv", "json": "json"}


@cache
def _review(lang: str) -> Review:
    # The review's own sentences (findings, advice) are written in the language active when
    # it runs, the report's words in the one active when it is rendered: both the same here.
    with i18n.using(lang):
        return review(sample_ledger(as_of=AS_OF), as_of=AS_OF)


def _rendered(lang: str, fmt: str) -> str:
    with i18n.using(lang):
        return render(_review(lang), fmt, title=TITLE)


@pytest.mark.parametrize("fmt", list(SUFFIXES))
@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_sample_review_matches_its_golden_file(lang: str, fmt: str, update_golden: bool) -> None:
    path = GOLDEN / f"sample.{lang}.{SUFFIXES[fmt]}"
    text = _rendered(lang, fmt)
    if update_golden:
        path.write_bytes(text.encode("utf-8"))
        return
    assert path.is_file(), f"{path} is missing: run make golden, then read it before committing"
    expected = path.read_bytes().decode("utf-8")
    # Compared line by line first, so that a failure names the first line that differs.
    for number, (got, want) in enumerate(
        zip(text.splitlines(), expected.splitlines(), strict=False), start=1
    ):
        assert got == want, f"{path.name} line {number} differs (make golden rewrites it)"
    assert text.encode("utf-8") == path.read_bytes(), f"{path.name} differs in length or ends"


def test_polish_csv_header_is_polish_in_the_order_of_the_column_ids() -> None:
    header = next(csv.reader(io.StringIO(_rendered("pl", "csv"))))
    assert header == [
        "Stan na", "Waluta", "Id klienta", "Klient", "Zalecenie", "Sygnał", "Waga", "Miara",
        "Wartość", "Próg", "Opis", "Udział w przychodach", "Koszt finansowania",
        "Do dochodzenia z ustawy", "Przedawnione", "Wstrzymane do rozstrzygnięcia sporów",
        "Pokryte nierozliczonymi wpłatami",
        "Koszt finansowania pokryty nierozliczonymi wpłatami",
    ]
    assert next(csv.reader(io.StringIO(_rendered("en", "csv")))) == list(COLUMNS)


def test_csv_codes_and_numbers_do_not_change_with_the_language() -> None:
    def rows(lang: str) -> list[list[str]]:
        return list(csv.reader(io.StringIO(_rendered(lang, "csv"))))[1:]

    english, polish = rows("en"), rows("pl")
    assert len(english) == len(polish)
    machine = [COLUMNS.index(c) for c in ("as_of", "currency", "client_id", "recommendation",
                                          "signal", "severity", "metric", "value", "threshold",
                                          "revenue_share", "financing_cost", "claimable",
                                          "time_barred", "claimable_disputed",
                                          "claimable_unapplied", "financing_covered")]
    for en_row, pl_row in zip(english, polish, strict=True):
        assert [en_row[i] for i in machine] == [pl_row[i] for i in machine]


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_json_names_its_language_and_keeps_its_keys(lang: str) -> None:
    document = json.loads(_rendered(lang, "json"))
    english = json.loads(_rendered("en", "json"))
    assert document["lang"] == lang
    assert document["schema_version"] == "1.10"

    def keys(value: object) -> object:
        if isinstance(value, dict):
            return {k: keys(v) for k, v in value.items()}
        if isinstance(value, list):
            return [keys(v) for v in value]
        return None

    # A reader in Polish of the sample (EUR, jurisdiction left at its default) is told which
    # law its claims follow, which an English reader of an EUR book is not: that one note (and
    # its group) is the only difference in shape.
    quality = document["data_quality"]
    told = [g for g in quality["groups"] if g["kind"] == "law_default"]
    assert len(told) == (1 if lang == "pl" else 0)
    for group in told:
        quality["groups"].remove(group)
        quality["notes"].remove(group["examples"][0])
    assert keys(document) == keys(english)
    assert [c["recommendation"] for c in document["clients"]] == [
        c["recommendation"] for c in english["clients"]
    ]


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_html_page_declares_its_language(lang: str) -> None:
    assert f'<html lang="{lang}">' in _rendered(lang, "html").splitlines()[1]


def test_polish_table_keeps_to_the_width_and_speaks_polish() -> None:
    lines = _rendered("pl", "table").splitlines()
    assert max(columns(line) for line in lines) <= WIDTH
    assert lines[0] == "Sample firm: przegląd clientguard, stan na 2026-06-30 (EUR)"
    assert any(line.startswith("ZALECENIE") and "SYGNAŁY" in line for line in lines)
    assert "Jakość danych" in lines
