"""The changes between two reviews read as words in the reader's language, not code names:
"late share rose above the chronic lateness threshold (50%): 40% -> 60%"; in Polish "udział
spóźnionych faktur przekroczył próg uporczywego opóźniania (50%): 40% -> 60%". The codes stay
in the change's data.

Every expected sentence is written from the grammar and the catalogs' words, not copied from
the output.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from clientguard import i18n
from clientguard.changes import (
    NUMBER_WORDS,
    THRESHOLD_WORDS,
    THRESHOLDS,
    ClientSummary,
    FindingSummary,
    ReviewSummary,
    compare,
)
from clientguard.findings import Severity

NBSP = "\u00a0"

LIMITS = {"chronic_late_share": Decimal("0.5"), "late_share_high": Decimal("0.75"),
          "late_days_warning": Decimal(4), "late_days_critical": Decimal(45),
          "material_overdue": Decimal(1000), "revenue_share_watch": Decimal("0.10"),
          "revenue_share_warning": Decimal("0.20"), "revenue_share_critical": Decimal("0.35")}


def _client(verdict: str = "ok", **numbers: str | None) -> ClientSummary:
    values = {name: Decimal(value) if value is not None else None
              for name, value in numbers.items()}
    return ClientSummary(client_id="acme", name="Acme", verdict=verdict, severity=None,
                         **values)


def _messages(before: ClientSummary, after: ClientSummary, lang: str) -> list[str]:
    def summary(as_of: date, client: ClientSummary) -> ReviewSummary:
        return ReviewSummary(as_of=as_of, base_currency="EUR", clients={"acme": client},
                             thresholds=LIMITS)

    with i18n.using(lang):
        changes = compare(summary(date(2026, 5, 31), before), summary(date(2026, 6, 30), after))
    return [c.message for c in changes.changes]


@pytest.mark.parametrize(
    ("before", "after", "english", "polish"),
    [
        (
            _client(late_share="0.4"), _client(late_share="0.6"),
            ["Acme: late share rose above the chronic lateness threshold (50%): 40% -> 60%"],
            ["Acme: udział spóźnionych faktur przekroczył próg uporczywego opóźniania (50%): "
             "40% -> 60%"],
        ),
        (
            _client(weighted_days_late="1"), _client(weighted_days_late="4.5"),
            ["Acme: average lateness rose above the lateness warning threshold (4 days): "
             "1 day -> 4.5 days"],
            ["Acme: średnie opóźnienie przekroczyło próg ostrzeżenia o opóźnieniach (4 dni): "
             "1 dzień -> 4,5 dnia"],
        ),
        (
            _client(weighted_days_late="50"), _client(weighted_days_late="0.5"),
            ["Acme: average lateness fell below the critical lateness threshold (45 days): "
             "50 days -> 0.5 days",
             "Acme: average lateness fell below the lateness warning threshold (4 days): "
             "50 days -> 0.5 days"],
            ["Acme: średnie opóźnienie spadło poniżej progu krytycznego opóźnienia (45 dni): "
             "50 dni -> 0,5 dnia",
             "Acme: średnie opóźnienie spadło poniżej progu ostrzeżenia o opóźnieniach (4 dni): "
             "50 dni -> 0,5 dnia"],
        ),
        (
            _client(overdue="500"), _client(overdue="1500"),
            ["Acme: overdue balance rose above the material overdue threshold (1,000.00 EUR): "
             "500.00 EUR -> 1,500.00 EUR"],
            [f"Acme: zaległości przekroczyły próg istotnych zaległości (1{NBSP}000,00{NBSP}EUR): "
             f"500,00{NBSP}EUR -> 1{NBSP}500,00{NBSP}EUR"],
        ),
        (
            # No revenue before: there was no share to show.
            _client(revenue_share=None), _client(revenue_share="0.15"),
            ["Acme: revenue share rose above the revenue share watch threshold (10%): "
             "n/a -> 15%"],
            ["Acme: udział w przychodach przekroczył próg obserwacji udziału w przychodach "
             "(10%): b.d. -> 15%"],
        ),
        (
            _client(revenue_share="0.4"), _client(revenue_share="0.3"),
            ["Acme: revenue share fell below the critical revenue share threshold (35%): "
             "40% -> 30%"],
            ["Acme: udział w przychodach spadł poniżej progu krytycznego udziału w przychodach "
             "(35%): 40% -> 30%"],
        ),
        (
            _client("monitor", late_share="0.6", weighted_days_late="1", overdue="0",
                    revenue_share=None),
            _client("revise_terms", late_share="0.6", weighted_days_late="2", overdue="0",
                    revenue_share=None),
            ["Acme: verdict monitor -> revise terms (late share 60% -> 60%, average lateness "
             "1 day -> 2 days, overdue balance 0.00 EUR -> 0.00 EUR, revenue share n/a -> n/a)"],
            ["Acme: ocena do monitoringu -> do renegocjacji warunków (udział spóźnionych "
             "faktur: 60% -> 60%, średnie opóźnienie: 1 dzień -> 2 dni, zaległości: "
             "0,00\u00a0EUR -> 0,00\u00a0EUR, udział w przychodach: b.d. -> b.d.)"],
        ),
    ],
)
def test_a_change_reads_as_words_in_the_readers_language(
    before: ClientSummary, after: ClientSummary, english: list[str], polish: list[str]
) -> None:
    assert _messages(before, after, "en") == english
    assert _messages(before, after, "pl") == polish


def test_a_change_keeps_its_codes_as_data() -> None:
    with i18n.using("pl"):
        changes = compare(
            ReviewSummary(as_of=date(2026, 5, 31), base_currency="EUR",
                          clients={"acme": _client(late_share="0.4")}, thresholds=LIMITS),
            ReviewSummary(as_of=date(2026, 6, 30), base_currency="EUR",
                          clients={"acme": _client(late_share="0.6")}, thresholds=LIMITS),
        ).changes
    assert [(c.subject, c.before, c.after) for c in changes] == [
        ("late_share>=chronic_late_share", Decimal("0.4"), Decimal("0.6"))]


def test_every_key_number_and_threshold_has_its_words() -> None:
    assert set(NUMBER_WORDS) == set(THRESHOLDS)
    assert set(THRESHOLD_WORDS) == {field for fields in THRESHOLDS.values() for field in fields}


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", ["team capacity: hours share over revenue share", "rush work: share of rush requests"]),
    ("pl", ["obciążenie zespołu: udział w godzinach do udziału w przychodach",
            "zlecenia na już: udział zleceń na już"]),
])
def test_the_evidence_line_names_signals_and_metrics_in_words(
    lang: str, expected: list[str]
) -> None:
    from datetime import date

    import clientguard as cg
    from clientguard.review import _METRIC_WORDS
    from clientguard.sample import sample_ledger

    as_of = date(2026, 6, 30)
    with i18n.using(lang):
        done = cg.review(sample_ledger(as_of=as_of), as_of=as_of)
    evidence = " | ".join(c.evidence for c in done.clients.values())
    for words in expected:
        assert words in evidence
    for code in [*_METRIC_WORDS, "cross_aging", "revenue_concentration", "hours_to_revenue"]:
        assert code not in evidence


def test_a_metric_no_catalog_knows_is_shown_as_its_code() -> None:
    from clientguard.review import metric_words

    with i18n.using("pl"):
        assert metric_words("my_own_ratio") == "my_own_ratio"
        assert metric_words("revenue_share") == "udział w przychodach"


# A saved review's finding is quoted in the reader's language: the summary keeps the language
# its messages were written in, and a finding read in another is said from its structured
# values (signal, metric, value, threshold) in the reader's words. Until 2026-12-07 a Polish
# `clientguard changes` quoted an English review's sentence inside its Polish frame.

ENGLISH_LATE = FindingSummary(
    client_id="acme", signal="chronic_late", severity=Severity.WARNING, metric="late_share",
    value=Decimal("0.6"), threshold=Decimal("0.5"),
    message="Acme paid 60.0% of its invoices late (threshold 50.0%).")


def _finding_messages(
    before: tuple[FindingSummary, ...], after: tuple[FindingSummary, ...],
    lang: str, saved_in: str | None,
) -> list[str]:
    def summary(as_of: date, found: tuple[FindingSummary, ...]) -> ReviewSummary:
        client = ClientSummary(client_id="acme", name="Acme", verdict="ok", severity=None,
                               findings=found)
        return ReviewSummary(as_of=as_of, base_currency="EUR", clients={"acme": client},
                             thresholds=LIMITS, lang=saved_in)

    with i18n.using(lang):
        changes = compare(summary(date(2026, 5, 31), before), summary(date(2026, 6, 30), after))
    return [c.message for c in changes.changes]


@pytest.mark.parametrize(("lang", "saved_in", "expected"), [
    # Read in Polish: the catalog's "{name}: już nieaktualne: {message}" around "{signal}:
    # {metric} {value}, próg {threshold}" of the Polish words of chronic_late and late_share,
    # the shares as wording.percent writes them in Polish (60%, 50%).
    ("pl", "en", ["Acme: już nieaktualne: uporczywe opóźnienia w płatnościach: udział "
                  "spóźnionych faktur 60%, próg 50%"]),
    # Read in the language it was saved in: the saved sentence, as written.
    ("en", "en", ["Acme: cleared: Acme paid 60.0% of its invoices late (threshold 50.0%)."]),
    # A review saved before the language was kept: its text, the only one there is.
    ("pl", None, ["Acme: już nieaktualne: Acme paid 60.0% of its invoices late "
                  "(threshold 50.0%)."]),
])
def test_a_saved_finding_is_said_in_the_readers_language(
    lang: str, saved_in: str | None, expected: list[str]
) -> None:
    assert _finding_messages((ENGLISH_LATE,), (), lang, saved_in) == expected


def test_a_new_finding_saved_in_english_reads_in_polish() -> None:
    # "{name}: nowe ustalenie ({severity}): {message}", severity "ostrzeżenie".
    assert _finding_messages((), (ENGLISH_LATE,), "pl", "en") == [
        "Acme: nowe ustalenie (ostrzeżenie): uporczywe opóźnienia w płatnościach: udział "
        "spóźnionych faktur 60%, próg 50%"]


def test_summarize_keeps_the_language_of_its_messages() -> None:
    from clientguard.changes import summarize
    from clientguard.review import review
    from clientguard.testing import customer, invoice, ledger

    book = ledger(customer("acme"), invoice("acme", issued=date(2026, 1, 2), total="100"))
    for lang in ("en", "pl"):
        with i18n.using(lang):
            made = review(book, as_of=date(2026, 3, 31))
            assert summarize(made).lang == lang
