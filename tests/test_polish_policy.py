"""The files a Polish owner edits speak Polish: the commented policy of ``clientguard policy``
and the comments of ``clientguard rates template``, in Polish with ``--lang pl`` (or ``lang =
"pl"`` in clientguard.toml), while their keys, values and rows stay as they are, so the file
loads the same in any language; and the English is unchanged.

The Polish expected here is written by hand; the English is the docstrings' and the template's
own text, as ``clientguard policy`` and ``rates template`` printed them before the translation.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientguard.cli import EXIT_OK, main
from clientguard.fx.files import read_rates_file
from clientguard.i18n import using
from clientguard.policy import Policy

ENGLISH_WORDS = re.compile(
    r"\b(the|of|and|is|are|with|for|which|when|before|after|than|its|this|that|be|from|under|"
    r"over|by|at|invoice|invoices|client|clients|days|late|lateness|share|rate|rates|payment|"
    r"per|one|each|unit|units|comments|starting|lines|default|your|may|same|then)\b",
    re.IGNORECASE,
)
"""Words of English no Polish comment holds (outside the names and citations below)."""

KEPT_AS_WRITTEN = re.compile(
    r"``[^`]*``"  # keys and values: the same in every language
    r"|Late Payment of Commercial Debts \(Interest\) Act 1998|US Merger Guidelines"
    r"|„highly concentrated”|„taint”|docs/\w+\.md|\[rates\] |clientguard\.toml"
)
"""Names, citations and keys a Polish comment keeps in their own words."""

CITATIONS = re.compile(
    r"``[^`]*``|ASC 280-10-50-42|IFRS 8\.34|Tesorio|Upflow|Chaser|docs/\w+\.md|s\.5A"
    r"|Late Payment of Commercial Debts \(Interest\) Act 1998|Mann-Kendall|art\. \d+(\(\d\)\(b\))?"
)


def english_leaks(text: str) -> list[str]:
    """The comments of ``text`` (a block of ``#`` lines each) that read as English, each with
    the English words it holds. A block's lines are read together, so that a name broken
    across two lines is still known as a name."""
    leaks = []
    block: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("#"):
            block.append(line[1:].strip())
            continue
        words = ENGLISH_WORDS.findall(KEPT_AS_WRITTEN.sub(" ", " ".join(block)))
        if words:
            leaks.append(f"{' '.join(block)!r}: {words}")
        block = []
    return leaks


def printed(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == EXIT_OK, err
    return out


def comments(text: str) -> dict[str, list[str]]:
    """Each key's comment lines (the ``# `` taken off), as the printed policy puts them."""
    found: dict[str, list[str]] = {}
    block: list[str] = []
    for line in text.splitlines():
        if line.startswith("# "):
            block.append(line[2:])
        elif " = " in line:
            found[line.split(" = ")[0]] = block
            block = []
        else:
            block = [] if not line else block
    return found


@pytest.fixture
def polish(capsys: pytest.CaptureFixture[str]) -> str:
    return printed(capsys, "--lang", "pl", "policy")


@pytest.fixture
def english(capsys: pytest.CaptureFixture[str]) -> str:
    return printed(capsys, "--lang", "en", "policy")


# ---------------------------------------------------------------- the checker itself


def test_the_checker_finds_the_english_it_is_for(english: str) -> None:
    # A guard: a checker that finds nothing in the English would pass any Polish.
    assert len(english_leaks(english)) == len(Policy.model_fields) + 1  # and the header
    assert english_leaks("# One rate a row; lines starting with # are comments.")
    assert not english_leaks("# Jeden kurs w wierszu; od ``as_of`` (ASC 280-10-50-42).")


# ---------------------------------------------------------------- clientguard policy


def test_the_polish_policy_has_no_english_comment(polish: str) -> None:
    assert english_leaks(polish) == []
    header = polish.splitlines()[0]
    assert header == "# zasady clientguard: każdy próg, jego wartość domyślna i jej uzasadnienie."


def test_every_field_has_a_polish_comment_of_its_own(polish: str, english: str) -> None:
    polish_comments, english_comments = comments(polish), comments(english)
    assert list(polish_comments) == list(Policy.model_fields)
    for name, lines in polish_comments.items():
        assert lines, f"{name} has no comment"
        assert not set(lines) & set(english_comments[name]), name


def test_the_polish_policy_loads_back_as_the_default(polish: str, tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(polish, encoding="utf-8")
    assert Policy.from_toml(path) == Policy()
    with using("pl"):
        assert Policy.from_toml(path) == Policy()


CUSTOM = [
    Policy(),
    Policy(grace_days=15, cost_of_capital=Decimal("0.085"), jurisdiction="pl",
           client_jurisdictions={"acme": "none", 'Zażółć "gęślą" #1': "uk"}),
    Policy(end_on_chronic_and_worsening=False, dependency_only_verdict="revise_terms",
           revenue_share_watch=Decimal("0.125"), book_hhi_high=Decimal(2500)),
]


@pytest.mark.parametrize("policy", CUSTOM)
def test_a_policy_written_in_polish_loads_in_english_and_back(
    policy: Policy, tmp_path: Path
) -> None:
    path = tmp_path / "policy.toml"
    with using("pl"):
        text = policy.to_toml()
    path.write_text(text, encoding="utf-8")
    assert Policy.from_toml(path) == policy
    # The same keys and values in either language: only the comments differ.
    values = [line for line in text.splitlines() if not line.startswith("#")]
    assert values == [line for line in policy.to_toml().splitlines() if not line.startswith("#")]


@settings(max_examples=30, deadline=None)
@given(
    grace=st.integers(min_value=0, max_value=36_525),
    share=st.decimals(min_value=0, max_value=1, places=3),
    ids=st.dictionaries(st.text(min_size=1, max_size=8),
                        st.sampled_from(["pl", "eu", "uk", "none"]), max_size=3),
)
def test_any_policy_round_trips_through_its_polish_toml(
    grace: int, share: Decimal, ids: dict[str, str]
) -> None:
    import tomllib

    policy = Policy(grace_days=grace, chronic_late_share=share, client_jurisdictions=ids)
    with using("pl"):
        text = policy.to_toml()
    assert Policy.from_mapping(tomllib.loads(text, parse_float=Decimal)) == policy


def test_a_few_polish_comments_word_for_word(polish: str) -> None:
    said = comments(polish)
    assert said["settle_tolerance"] == [
        "Tolerancja rozliczenia: faktura jest rozliczona, gdy jej saldo do zapłaty różni się od",
        "zera najwyżej o tyle (w walucie dokumentu): grosz różnicy z zaokrągleń między systemami",
        "nie zostawia faktury otwartej.",
    ]
    assert said["revenue_share_watch"][:2] == [
        "Udział klienta w przychodach netto, od którego klient jest pod obserwacją. 10%: próg",
        "ujawniania „głównego klienta” według ASC 280-10-50-42 i IFRS 8.34 („10 procent lub",
    ]
    # Since 2026-12-08 the comment says how the line is compared (a share written "10%",
    # from 9.995%, counts).
    assert "od 9,995%, zapisanego „10%”, się liczy" in " ".join(said["revenue_share_watch"])
    jurisdiction = " ".join(said["jurisdiction"])
    assert "``pl`` (odsetki ustawowe za opóźnienie w transakcjach handlowych: stopa " \
        "referencyjna NBP + 10 pkt proc.; rekompensata za koszty odzyskiwania należności " \
        "40/70/100 EUR)" in jurisdiction
    assert " ".join(said["book_hhi_high"]).startswith(
        "Wskaźnik Herfindahla-Hirschmana (HHI) księgi, powyżej którego księga jest wysoce "
        "skoncentrowana. 1800:")
    assert " ".join(said["lookback_days"]).startswith("Okres analizy: ile dni historii")
    assert " ".join(said["cost_of_capital"]).startswith("Koszt kapitału: roczna stopa")


def test_the_polish_comments_keep_every_key_and_citation(polish: str) -> None:
    said = {name: " ".join(lines) for name, lines in comments(polish).items()}
    for name, (_context, english) in Policy.comment_messages().items():
        cited = {c.group() for c in CITATIONS.finditer(english)}
        cited = {c.replace("Mann-Kendall", "Manna-Kendalla") for c in cited}
        missing = sorted(c for c in cited if c not in said[name])
        assert not missing, f"{name}: {missing}"
        if "Directive 2011/7/EU" in english:
            assert "dyrektywy 2011/7/UE" in said[name], name


def test_the_polish_comment_lines_break_where_polish_breaks(polish: str) -> None:
    for line in polish.splitlines():
        if not line.startswith("#"):
            continue
        assert len(line) <= 92, line
        assert line.count("``") % 2 == 0, f"a key broken across lines: {line!r}"
        # No "i", "w", "z" (or "art.", "ASC") left at a line's end, nor a citation broken.
        assert not re.search(r"(?<![\w.])(\w|art\.|ASC|IFRS|pkt)$", line), line


def test_the_english_policy_is_the_docstrings_line_for_line(english: str) -> None:
    lines = english.splitlines()
    assert lines[0] == "# clientguard policy: every threshold, its default and why."
    said = comments(english)
    for name, info in Policy.model_fields.items():
        expected = [" ".join(text.split()) for text in (info.description or "").split("\n")]
        assert said[name] == expected, name
    assert said["grace_days"] == [
        "Days after the due date before an invoice counts as late. 0: under Directive 2011/7/EU",
        "art. 3 (and its Polish and UK counterparts) interest runs from the day after the due "
        "date.",
        "Tesorio uses a 15-day grace in its late share; set it here to match.",
    ]
    assert english == Policy().to_toml() + "\n"


def test_the_config_lang_makes_the_policy_polish(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    polish: str,
) -> None:
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "clientguard.toml").write_text('lang = "pl"\n', encoding="utf-8")
    assert printed(capsys, "policy") == polish


# ---------------------------------------------------------------- clientguard rates template

ENGLISH_TEMPLATE = """\
# clientguard exchange rates: units of BASE per one unit of CURRENCY on DATE.
# One rate a row; a document is converted at the rate of its date, or the latest earlier
# one within max_staleness_days ([rates] in clientguard.toml, 7 by default).
# BASE may differ from your base currency: the rate is then crossed through the rate of your
# base currency on the same day. Lines starting with # are comments.
date,currency,base,rate
2025-01-31,USD,EUR,0.9612
2025-01-31,ILS,EUR,0.2681
"""

POLISH_TEMPLATE = """\
# kursy walut dla clientguard: ile jednostek BASE kosztuje jedna jednostka CURRENCY
# w dniu DATE. Jeden kurs w wierszu; dokument przelicza się po kursie z dnia dokumentu
# albo po najnowszym wcześniejszym, nie starszym niż max_staleness_days dni ([rates]
# w clientguard.toml, domyślnie 7). BASE może być inną walutą niż Twoja waluta bazowa:
# kurs jest wtedy wyliczany jako kurs krzyżowy przez kurs Twojej waluty bazowej z tego
# samego dnia. Wiersze zaczynające się od # to komentarze.
date,currency,base,rate
2025-01-31,USD,EUR,0.9612
2025-01-31,ILS,EUR,0.2681
"""


@pytest.mark.parametrize(("lang", "expected"), [("en", ENGLISH_TEMPLATE), ("pl", POLISH_TEMPLATE)])
def test_the_rates_template_in_each_language(
    capsys: pytest.CaptureFixture[str], lang: str, expected: str
) -> None:
    assert printed(capsys, "--lang", lang, "rates", "template") == expected


def test_the_polish_rates_template_has_no_english_comment() -> None:
    assert english_leaks(POLISH_TEMPLATE) == []
    assert len(english_leaks(ENGLISH_TEMPLATE)) == 1  # the comment block


def test_the_polish_rates_template_reads_as_the_english_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rows = {}
    for lang in ("en", "pl"):
        path = tmp_path / f"rates_{lang}.csv"
        path.write_text(printed(capsys, "--lang", lang, "rates", "template"), encoding="utf-8")
        rows[lang] = [(r.currency, r.base, r.published, r.rate)
                      for r in read_rates_file(path, source="file")]
    assert rows["pl"] == rows["en"]
    assert [(currency, base, str(rate)) for currency, base, _day, rate in rows["pl"]] == [
        ("USD", "EUR", "0.9612"), ("ILS", "EUR", "0.2681")]


def test_explain_speaks_the_active_language() -> None:
    # Policy.explain was English in every language; it says what `clientguard policy` writes.
    assert Policy().explain("lookback_days").startswith("Days of history each analysis")
    with using("pl"):
        assert Policy().explain("lookback_days").startswith("Okres analizy: ile dni historii")
        assert Policy().explain("settle_tolerance").startswith("Tolerancja rozliczenia:")
