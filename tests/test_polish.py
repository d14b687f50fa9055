"""The review in Polish: numbers, money and dates as CLDR writes them for pl_PL, the plural
forms a Polish reader expects, the verdicts in an owner's words, and English unchanged.

Every expected text is written from the rule (CLDR pl: no-break space between thousands,
decimal comma, ``zł`` after the amount; Polish plural forms 1 / 2-4 / 5+ with 12-14 in the
third), not copied from the output.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from clientguard import i18n, wording
from clientguard.findings import Signal
from clientguard.metrics.cost import legal_names
from clientguard.policy import Policy
from clientguard.review import (
    Recommendation,
    review,
    severity_words,
    signal_words,
    verdict_words,
)
from clientguard.testing import customer, invoice, ledger

NBSP = "\u00a0"
"""CLDR's group separator for Polish, and the space before a currency symbol."""


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("1234.56", "PLN", f"1{NBSP}234,56{NBSP}zł"),  # the złoty by its symbol
        ("1234567.891", "PLN", f"1{NBSP}234{NBSP}567,89{NBSP}zł"),
        ("0.125", "PLN", f"0,12{NBSP}zł"),  # half-even at output, as in English
        ("-65.3", "EUR", f"-65,30{NBSP}EUR"),  # any other currency by its ISO code
        ("1234.5", "JPY", f"1{NBSP}234{NBSP}JPY"),  # zero decimals, half-even
        ("-0.004", "PLN", f"0,00{NBSP}zł"),  # rounds to zero: no minus sign
    ],
)
def test_polish_money(amount: str, currency: str, expected: str) -> None:
    with i18n.using("pl"):
        assert wording.money(Decimal(amount), currency) == expected


@pytest.mark.parametrize(
    ("share", "options", "expected"),
    [
        ("0.125", {"places": 1}, "12,5%"),  # CLDR pl: no space before the sign
        ("0.36", {"places": 1}, "36%"),
        ("12.5", {}, f"1{NBSP}250%"),
        ("0.045", {"places": 1, "whole_from": 10}, "4,5%"),
    ],
)
def test_polish_percent(share: str, options: dict[str, int], expected: str) -> None:
    with i18n.using("pl"):
        assert wording.percent(Decimal(share), **options) == expected  # type: ignore[arg-type]


def test_polish_dates_months_and_missing_values() -> None:
    with i18n.using("pl"):
        assert wording.day(date(2026, 12, 3)) == "3 grudnia 2026"
        assert wording.month(date(2026, 1, 1)) == "stycznia 2026"  # genitive: od ... do ...
        assert wording.percent(None) == "b.d."
        assert wording.window((date(2025, 7, 1), date(2026, 6, 30))) == "ostatnich 12 miesięcy"
        assert wording.p_value(0.031) == "p = 0,031"
        assert wording.and_list(["a", "b", "c"]) == "a, b i c"
    # English as it always was.
    assert wording.day(date(2026, 12, 3)) == "2026-12-03"
    assert wording.month(date(2026, 1, 1)) == "Jan 2026"
    assert wording.and_list(["a", "b", "c"]) == "a and b and c"


@pytest.mark.parametrize(
    ("n", "noun", "polish"),
    [
        (1, "day", "1 dzień"),
        (2, "day", "2 dni"),
        (5, "day", "5 dni"),
        (1, "invoice", "1 faktura"),
        (2, "invoice", "2 faktury"),
        (4, "invoice", "4 faktury"),
        (5, "invoice", "5 faktur"),
        (12, "invoice", "12 faktur"),  # 12-14 take the third form
        (22, "invoice", "22 faktury"),
        (112, "invoice", "112 faktur"),
        (1234, "invoice", f"1{NBSP}234 faktury"),
        (3, "client", "3 klientów"),
        (21, "month", "21 miesięcy"),
    ],
)
def test_polish_counts_take_the_right_plural(n: int, noun: str, polish: str) -> None:
    with i18n.using("pl"):
        assert wording.count(n, noun) == polish


# ------------------------------------------------------------------- the review in Polish
AS_OF = date(2025, 12, 31)
POLICY = Policy(cost_of_capital=Decimal("0.10"), jurisdiction="pl")


def _late_payer(still_open: int) -> list[object]:
    """Kestrel: 12 monthly invoices of 36,500.00 PLN due in 2025, on 14 days' terms; all but
    the last ``still_open`` paid 30 days late, those left unpaid. Owl pays on time."""
    records: list[object] = [customer("kestrel", "Kestrel Sp. z o.o."), customer("owl", "Owl")]
    for month in range(1, 13):
        issued = date(2025, month, 1)
        unpaid = month > 12 - still_open
        records.append(
            invoice("kestrel", issued=issued, total="36500.00", terms=14, currency="PLN",
                    id=f"K{month}", paid=None if unpaid else issued + timedelta(days=44))
        )
        records.append(invoice("owl", issued=issued, total="1000.00", terms=14, currency="PLN",
                               id=f"O{month}", paid=issued + timedelta(days=10)))
    return records


@pytest.mark.parametrize(
    ("still_open", "clause", "fact"),
    [
        (1, "a 1 kolejna jest po terminie i nieopłacona", "ma 1 fakturę po terminie"),
        (2, "a 2 kolejne są po terminie i nieopłacone", "ma 2 faktury po terminie"),
        (5, "a 5 kolejnych jest po terminie i nieopłaconych", "ma 5 faktur po terminie"),
    ],
)
def test_a_chronic_late_payer_in_polish(still_open: int, clause: str, fact: str) -> None:
    books = ledger(*_late_payer(still_open), base_currency="PLN")  # type: ignore[arg-type]
    polish = review(books, as_of=AS_OF, policy=POLICY, lang="pl").clients["kestrel"]
    chronic = next(f for f in polish.findings if f.signal is Signal.CHRONIC_LATE)
    paid_late = 12 - still_open
    assert chronic.message.startswith(
        "Kestrel Sp. z o.o.: z 12 faktur z terminem płatności w ostatnich 365 dniach "
        f"{paid_late} zapłacono po terminie, {clause}"
    )
    assert fact in chronic.message
    # The financing cost, 10% a year on the amounts late: 36,500.00 x 30 days x 0.10 / 365 =
    # 300.00 for each invoice paid 30 days late, written the Polish way.
    cost = chronic.evidence.numbers["financing_cost"]
    assert isinstance(cost, Decimal)
    assert cost >= 300 * paid_late
    whole, cents = f"{cost:.2f}".split(".")
    grouped = f"{int(whole):,}".replace(",", NBSP)
    assert f"kosztowało {grouped},{cents}{NBSP}zł przy koszcie kapitału 10% rocznie" in (
        chronic.message
    )


def test_the_verdicts_in_polish_and_their_codes_unchanged() -> None:
    books = ledger(*_late_payer(1), base_currency="PLN")  # type: ignore[arg-type]
    english = review(books, as_of=AS_OF, policy=POLICY)
    polish = review(books, as_of=AS_OF, policy=POLICY, lang="pl")
    words = {
        Recommendation.OK: "wszystko w porządku",
        Recommendation.MONITOR: "monitoruj",
        Recommendation.REVISE_TERMS: "renegocjuj warunki",
        Recommendation.CONSIDER_ENDING: "rozważ zakończenie współpracy",
    }
    for client_id, client in polish.clients.items():
        same = english.clients[client_id]
        # Comparable across languages by their codes: the same verdicts and findings.
        assert client.recommendation == same.recommendation
        assert [(f.signal, f.severity, f.metric, f.value) for f in client.findings] == [
            (f.signal, f.severity, f.metric, f.value) for f in same.findings
        ]
        assert [r.kind for r in client.revisions] == [r.kind for r in same.revisions]
        assert client.summary.startswith(f"{client.name}: {words[client.recommendation]}.")
        assert same.summary.startswith(f"{same.name}: ")
        assert client.summary != same.summary
    kestrel = polish.clients["kestrel"]
    assert kestrel.recommendation is Recommendation.REVISE_TERMS
    claim = next(r for r in kestrel.revisions if r.kind == "claim_late_interest")
    assert "odsetek ustawowych za opóźnienie w transakcjach handlowych" in claim.message
    assert "(prawo polskie); albo zrezygnuj z nich w zamian za nowe warunki." in claim.message
    # A PLN book without NBP rates: each late invoice's EUR 70 (36,500 PLN, above 5,000 and
    # below 50,000), 12 x 70 = 840 EUR, is left out of the claim's totals and so of the amount
    # above, and the advice says so (until 2026-12-07 it left it out without a word).
    assert claim.message.endswith(
        f"Pominięto 840,00{NBSP}EUR rekompensaty za koszty odzyskiwania należności: ustawa "
        "przyznaje ją w złotych, po średnim kursie EUR NBP z ostatniego dnia roboczego "
        "miesiąca poprzedzającego miesiąc, w którym należność stała się wymagalna, a księga nie ma "
        "tego kursu (nota zostawia kwotę w złotych do wpisania); zsynchronizuj tabelę NBP "
        "([rates.nbp]), by ją policzyć.")
    assert polish.book.summary.startswith("Klienci: 1 do renegocjacji warunków, 1 bez zastrzeżeń.")


def test_english_is_the_default_and_a_polish_review_leaves_it_so() -> None:
    books = ledger(*_late_payer(2), base_currency="PLN")  # type: ignore[arg-type]
    before = review(books, as_of=AS_OF, policy=POLICY)
    review(books, as_of=AS_OF, policy=POLICY, lang="pl")
    after = review(books, as_of=AS_OF, policy=POLICY, lang="en")
    assert i18n.language() == "en"
    assert after.model_dump() == before.model_dump()
    chronic = next(
        f for f in after.clients["kestrel"].findings if f.signal is Signal.CHRONIC_LATE
    )
    assert chronic.message.startswith(
        "Kestrel Sp. z o.o. paid 10 of the 12 invoices due in the last 365 days late and 2 "
        "more are past due and unpaid"
    )
    # A review inside a Polish block without lang is Polish; lang wins over the block.
    with i18n.using("pl"):
        assert review(books, as_of=AS_OF, policy=POLICY).book.summary.startswith("Klienci:")
        assert review(books, as_of=AS_OF, policy=POLICY, lang="en").book.summary.startswith(
            "Clients:"
        )


def test_an_unknown_language_is_refused() -> None:
    books = ledger(*_late_payer(1), base_currency="PLN")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="clientguard writes en, pl"):
        review(books, as_of=AS_OF, policy=POLICY, lang="de")


def test_the_labels_of_the_codes() -> None:
    with i18n.using("pl"):
        assert verdict_words("consider_ending") == "rozważ zakończenie współpracy"
        assert verdict_words(Recommendation.REVISE_TERMS) == "renegocjuj warunki"
        assert severity_words("critical") == "krytyczne"
        assert signal_words(Signal.CHRONIC_LATE) == "uporczywe opóźnienia w płatnościach"
    assert verdict_words("revise_terms") == "revise the terms"


ANCHORS = Path(__file__).resolve().parents[2] / "shared" / "reference" / "metrics" / "ANCHORS.md"


def test_the_polish_legal_names_are_the_acts_words() -> None:
    with i18n.using("pl"):
        names = legal_names("pl")
    assert names.interest == "odsetki ustawowe za opóźnienie w transakcjach handlowych"
    assert names.compensation == (
        "rekompensata za koszty odzyskiwania należności, art. 10 ustawy o przeciwdziałaniu "
        "nadmiernym opóźnieniom w transakcjach handlowych"
    )
    if not ANCHORS.is_file():
        pytest.skip(f"the late-payment law reference is not at {ANCHORS}")
    # The act's title and its consolidated text as the reference cites them.
    law = ANCHORS.read_text(encoding="utf-8")
    assert "ustawa z dnia 8 marca 2013 r. o przeciwdziałaniu nadmiernym opóźnieniom w " \
        "transakcjach handlowych" in law
    assert names.act.startswith(
        "ustawa z dnia 8 marca 2013 r. o przeciwdziałaniu nadmiernym opóźnieniom w "
        "transakcjach handlowych"
    )
    assert "Dz.U. 2023 poz. 1790" in law
    assert "Dz.U. 2023 poz. 1790" in names.act
    assert legal_names("pl").interest == "statutory interest for delay in commercial transactions"


@pytest.mark.parametrize(
    ("unknown", "sentence"),
    [
        (1, "1 faktura jest oznaczona jako zapłacona bez daty zapłaty; pominięta w opóźnieniach."),
        (3, "3 faktury są oznaczone jako zapłacone bez daty zapłaty; pominięte w opóźnieniach."),
        (5, "5 faktur jest oznaczonych jako zapłacone bez daty zapłaty; pominięte w "
            "opóźnieniach."),
    ],
)
def test_data_quality_notes_in_polish(unknown: int, sentence: str) -> None:
    records: list[object] = [customer("owl", "Owl")]
    records += [
        invoice("owl", issued=f"2025-{month:02d}-01", total="100.00", currency="PLN",
                status="paid", id=f"O{month}")
        for month in range(1, unknown + 1)
    ]
    books = ledger(*records, base_currency="PLN")  # type: ignore[arg-type]
    polish = review(books, as_of=AS_OF, policy=POLICY, lang="pl").data_quality
    assert sentence in polish.notes
    group = next(g for g in polish.groups if g.kind == "paid_date_unknown")
    assert group.title == (
        "Faktura jest oznaczona jako zapłacona bez płatności i bez daty zapłaty: pominięta w "
        "opóźnieniach"
    )
    assert group.examples[0] == (
        "faktura O1: faktura O1 jest oznaczona jako zapłacona bez płatności i bez daty "
        "zapłaty: pominięta w opóźnieniach (zapłacona, data nieznana)"
    )
    english = review(books, as_of=AS_OF, policy=POLICY).data_quality
    assert len(english.notes) == len(polish.notes)
    assert [g.kind for g in english.groups] == [g.kind for g in polish.groups]


ENGLISH_WORDS = re.compile(
    r"\b(the|and|of|is|are|was|were|its|day|days|invoice|invoices|late|revenue|hours|month|"
    r"months|overdue|would|cost|from|with|paid|client|clients|window|share)\b"
)
"""Words of the English sentences that no Polish sentence has: a leak of untranslated text."""


def test_the_sample_firms_review_has_no_english_left_in_polish() -> None:
    """The sample firm (every built-in signal fires on it): the Polish review's sentences are
    all Polish, and its codes and numbers are the English review's."""
    from clientguard.sample import SAMPLE_AS_OF, sample_ledger

    books = sample_ledger()
    english = review(books, as_of=SAMPLE_AS_OF)
    polish = review(books, as_of=SAMPLE_AS_OF, lang="pl")
    names = sorted({c.name for c in polish.clients.values()}, key=len, reverse=True)

    def sentences(result: Any) -> list[str]:
        texts = [result.book.summary, *(f.message for f in result.book.findings)]
        for client in result.clients.values():
            texts += [client.summary, client.evidence, client.what_if.message, *client.reasons]
            texts += [f.message for f in client.findings]
            texts += [r.message for r in client.revisions]
        return texts

    found = sentences(polish)
    assert len(found) == len(sentences(english))
    assert {f.signal for c in polish.clients.values() for f in c.findings} >= {
        Signal.CHRONIC_LATE, Signal.WORSENING_LATE, Signal.CAPACITY, Signal.RUSH
    }
    leaks = []
    for text in found:
        bare = text
        for name in names:
            bare = bare.replace(name, "")
        leaks += [f"{word!r} in {text!r}" for word in ENGLISH_WORDS.findall(bare)]
    assert not leaks, "\n".join(leaks)
    for client_id, client in polish.clients.items():
        assert client.recommendation == english.clients[client_id].recommendation
        assert client.financing_cost == english.clients[client_id].financing_cost
