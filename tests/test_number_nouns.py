"""A number and its noun agree, in English and in Polish: 1 day, 2 days, 4.5 days; 1 dzień,
2 dni, 5 dni, 4,5 dnia.

Every expected sentence below is written from the grammar (English: "1 day", a decimal takes
the plural; Polish: 1 -> dzień/godzina, 2-4 -> dni/godziny, 5+ -> dni/godzin, a decimal ->
the genitive singular dnia/godziny, CLDR's "other"), not copied from the output.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from clientguard import i18n, wording
from clientguard.findings import Signal
from clientguard.review import review
from clientguard.testing import customer, invoice, ledger

NBSP = "\u00a0"

# ------------------------------------------------------------------------ the wording


@pytest.mark.parametrize(
    ("value", "english", "polish"),
    [
        ("1", "1 day", "1 dzień"),
        ("2", "2 days", "2 dni"),
        ("5", "5 days", "5 dni"),
        ("22", "22 days", "22 dni"),
        ("4.5", "4.5 days", "4,5 dnia"),
        ("1.5", "1.5 days", "1,5 dnia"),
        ("0.5", "0.5 days", "0,5 dnia"),
        ("0", "0 days", "0 dni"),
        ("1.04", "1 day", "1 dzień"),  # written whole (one decimal, a trailing 0 dropped)
        ("29.4", "29 days", "29 dni"),  # whole from 10 up
        ("112", "112 days", "112 dni"),  # 12-14 take the third form, not the second
        ("1234", "1,234 days", f"1{NBSP}234 dni"),
    ],
)
def test_days_in_a_sentence_agree_with_the_number(value: str, english: str, polish: str) -> None:
    def written() -> str:
        return wording.quantity(Decimal(value), "day", whole_from=10, trim=True)

    assert written() == english
    with i18n.using("pl"):
        assert written() == polish


@pytest.mark.parametrize(
    ("value", "places", "english", "polish"),
    [
        ("1", 0, "1 hour", "1 godzina"),
        ("2", 0, "2 hours", "2 godziny"),
        ("5", 0, "5 hours", "5 godzin"),
        ("22", 0, "22 hours", "22 godziny"),
        ("4.5", 1, "4.5 hours", "4,5 godziny"),
        ("1.5", 1, "1.5 hours", "1,5 godziny"),
        ("0.5", 1, "0.5 hours", "0,5 godziny"),
        # One decimal shown, even a zero: a decimal, so the plural (CLDR: "1.0 hours").
        ("1", 1, "1.0 hours", "1,0 godziny"),
        ("1.4", 0, "1 hour", "1 godzina"),  # rounded to a whole hour: that number decides
    ],
)
def test_hours_agree_with_the_number_as_written(
    value: str, places: int, english: str, polish: str
) -> None:
    assert wording.quantity(Decimal(value), "hour", places) == english
    with i18n.using("pl"):
        assert wording.quantity(Decimal(value), "hour", places) == polish


@pytest.mark.parametrize(
    ("change", "english", "polish"),
    [
        ("0.01", "1 point", "1 pkt proc."),
        ("0.2", "20 points", "20 pkt proc."),
        ("0.045", "4.5 points", "4,5 pkt proc."),
    ],
)
def test_points_agree_with_the_number(change: str, english: str, polish: str) -> None:
    assert wording.points(Decimal(change)) == english
    with i18n.using("pl"):
        assert wording.points(Decimal(change)) == polish


def test_a_missing_number_is_said_without_its_noun() -> None:
    assert wording.quantity(None, "day") == "n/a"
    with i18n.using("pl"):
        assert wording.quantity(None, "day") == "b.d."


@pytest.mark.parametrize(
    ("text", "written", "english", "polish"),
    [
        ("1.50", Decimal("1.50"), "1.50 hours", "1.50 godziny"),  # as the entries add up
        ("1", Decimal(1), "1 hour", "1 godzina"),
        ("+1", 1, "+1 hour", "+1 godzina"),
        ("-3", -3, "-3 hours", "-3 godziny"),  # the sign does not change the form
    ],
)
def test_a_number_written_by_the_caller_takes_its_noun(
    text: str, written: Decimal | int, english: str, polish: str
) -> None:
    assert wording.with_noun(text, written, "hour") == english
    with i18n.using("pl"):
        assert wording.with_noun(text, written, "hour") == polish


# --------------------------------------------------------------- the finding's sentence

AS_OF = date(2025, 12, 31)


def _late_payer(days_late: list[int]) -> dict[str, str]:
    """Acme's chronic lateness finding, in each language: one invoice of 1,000.00 EUR a month,
    each paid ``days_late`` days after its due date."""
    books = ledger(customer("acme", "Acme"), *(
        invoice("acme", issued=date(2025, month, 1), total="1000.00", terms=30,
                paid=date(2025, month, 1) + timedelta(days=30 + late), id=f"A-{month}")
        for month, late in enumerate(days_late, start=1)
    ))
    found = {}
    for lang in ("en", "pl"):
        result = review(books, as_of=AS_OF, lang=lang)
        (chronic,) = [f for f in result.clients["acme"].findings
                      if f.signal is Signal.CHRONIC_LATE]
        found[lang] = chronic.message
    return found


@pytest.mark.parametrize(
    ("days_late", "english", "polish"),
    [
        ([1, 1, 1, 1],
         "paid 4 of the 4 invoices due in the last 365 days late, on average 1 day late weighted "
         "by amount (late share 100%",
         "4 zapłacono po terminie; średnie opóźnienie ważone kwotą to 1 dzień (spóźnione "
         "faktury: 100%"),
        ([2, 2, 2, 2],
         "paid 4 of the 4 invoices due in the last 365 days late, on average 2 days late weighted "
         "by amount (late share 100%",
         "4 zapłacono po terminie; średnie opóźnienie ważone kwotą to 2 dni (spóźnione "
         "faktury: 100%"),
        ([5, 5, 5, 5],
         "paid 4 of the 4 invoices due in the last 365 days late, on average 5 days late weighted "
         "by amount (late share 100%",
         "4 zapłacono po terminie; średnie opóźnienie ważone kwotą to 5 dni (spóźnione "
         "faktury: 100%"),
        ([22, 22, 22, 22],
         "paid 4 of the 4 invoices due in the last 365 days late, on average 22 days late "
         "weighted by amount (late share 100%",
         "4 zapłacono po terminie; średnie opóźnienie ważone kwotą to 22 dni (spóźnione "
         "faktury: 100%"),
        ([4, 4, 5, 5],
         "paid 4 of the 4 invoices due in the last 365 days late, on average 4.5 days late "
         "weighted by amount (late share 100%",
         "4 zapłacono po terminie; średnie opóźnienie ważone kwotą to 4,5 dnia (spóźnione "
         "faktury: 100%"),
        ([0, 1, 2, 3],
         "paid 3 of the 4 invoices due in the last 365 days late, on average 1.5 days late "
         "weighted by amount (late share 75%",
         "3 zapłacono po terminie; średnie opóźnienie ważone kwotą to 1,5 dnia (spóźnione "
         "faktury: 75%"),
        ([0, 0, 1, 1],
         "paid 2 of the 4 invoices due in the last 365 days late, on average 0.5 days late "
         "weighted by amount (late share 50%",
         "2 zapłacono po terminie; średnie opóźnienie ważone kwotą to 0,5 dnia (spóźnione "
         "faktury: 50%"),
    ],
)
def test_the_chronic_lateness_sentence_agrees_with_its_days(
    days_late: list[int], english: str, polish: str
) -> None:
    found = _late_payer(days_late)
    assert found["en"].startswith(f"Acme {english}, chronic from 50%)")
    assert found["pl"].startswith(
        "Acme: z 4 faktur z terminem płatności w ostatnich 365 dniach "
        f"{polish}, uporczywe opóźnianie od 50%)"
    )


# ------------------------------------------------------------- the catalogs, as a rule

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "src" / "clientguard", *sorted((ROOT / "connectors").glob("*/src"))]
ENGLISH_NOUN = re.compile(
    r"\{(\w+)\}\s+(?:(?:late|disputed|open|paid|monthly|effective|equal-sized)\s+)*"
    r"(days?|hours?|points?|invoices|requests|origins|clients|months|ones|records|findings|"
    r"payments|pages|cases|rates|currencies|links|weeks|years)\b"
)
"""A placeholder before a day, hour or point noun, or before a fixed plural noun ("{n}
invoices", "{open} open invoices", "{paid} paid ones"), a few adjectives between them. (A
sync's "{n} invoice" names the kind of record as the data does, in the singular on purpose.)"""
POLISH_NOUN = re.compile(r"\{(\w+)\}\s+(dzień|dnia|dni|dniach|dniu|godzin\w*|godz\.|pkt)")

WINDOWS: dict[str, frozenset[str]] = {
    # An aging bucket's range ("31-60 days"), not a number.
    "{label} days": frozenset({"label"}),
    # A number always written with one decimal ("3.2 effective clients"): the plural is right
    # in English; the Polish takes the decimal form (tested below).
    " Revenue hangs on {effective} effective clients (HHI {hhi}; the largest brings {top}).":
        frozenset({"effective"}),
    ", above the {line} line of a highly concentrated market (an analogy): it counts as "
    "{effective} equal-sized clients among {clients}, and the largest, {top_name}, has "
    "{top_share}.": frozenset({"effective"}),
    # A trend is judged over 3 months or more (Policy.trend_min_months >= 3); Polish "mies.".
    "{who}'s days late rose from {start} to {now} over {months} months with invoices due, "
    "{first} to {last} (+{slope} a month, Mann-Kendall {p_value}).": frozenset({"months"}),
    # Said only of a long history (trend_min_months or more, so 3 or more); Polish "mies.".
    " (Fisher's exact test {p_value}: more than chance, though the trend over {months} months "
    "with invoices due has not moved yet).": frozenset({"months"}),
}
"""Messages where a placeholder stands before a fixed day noun on purpose, and which."""

NOT_NUMBERS = frozenset({"currency"})
"""Placeholders that never hold a number: "{currency} rates" is "EUR rates", an adjective."""


DECIMALS = "a number with decimals"
"""The context of wording's forms for a number written with decimals ("{n} days" -> "{n} dnia"):
the agreement path itself."""


def _source_messages() -> list[tuple[str, tuple[str, ...]]]:
    found = []
    for source in SOURCES:
        for filename, line, message, _comments, context in extract_from_dir(
            str(source), method_map=[("**.py", "python")],
            keywords={**DEFAULT_KEYWORDS, "noop": None},
        ):
            ids = tuple(m for m in (message if isinstance(message, tuple) else (message,)) if m)
            if context == DECIMALS:
                continue
            found.append((f"{source.name}/{filename}:{line}", ids))
    return found


def test_no_english_message_puts_a_fixed_noun_after_a_number() -> None:
    # A number goes in with its noun (wording.count, wording.count_of, wording.quantity,
    # wording.in_last_days), or the message is an ngettext whose singular and plural say day
    # and days, invoice and invoices.
    problems = []
    for where, ids in _source_messages():
        for placeholder, noun in ENGLISH_NOUN.findall(ids[0]):
            if placeholder in WINDOWS.get(ids[0], ()) or placeholder in NOT_NUMBERS:
                continue
            if len(ids) == 2:
                singular = dict(ENGLISH_NOUN.findall(ids[0])).get(placeholder)
                plural = dict(ENGLISH_NOUN.findall(ids[1])).get(placeholder)
                if singular and plural and not singular.endswith("s") and plural.endswith("s"):
                    continue
            problems.append(f"{where}: {{{placeholder}}} {noun} in {ids[0]!r}")
    assert not problems, "a number before a fixed noun:\n" + "\n".join(problems)


def test_no_polish_message_puts_a_fixed_day_or_hour_noun_after_a_number() -> None:
    problems = []
    for path in sorted((ROOT / "src" / "clientguard" / "locale" / "pl").glob("*.po")):
        with path.open("rb") as source:
            catalog = read_po(source, locale="pl")
        for message in catalog:
            if not message.id or isinstance(message.id, tuple | list):
                continue  # plural forms: the count chooses each
            if message.context == DECIMALS:
                continue
            for placeholder, noun in POLISH_NOUN.findall(str(message.string)):
                # A percent ("45% godzin zespołu") takes the genitive plural whatever it is.
                if placeholder.endswith("share"):
                    continue
                if placeholder not in WINDOWS.get(message.id, ()):
                    problems.append(f"{path.name}:{message.lineno}: {{{placeholder}}} {noun}")
    assert not problems, "a number before a fixed Polish noun:\n" + "\n".join(problems)


def test_the_rule_finds_what_it_looks_for() -> None:
    # A guard for the two tests above: their patterns match the sentences they are meant to.
    assert ENGLISH_NOUN.findall("on average {days} days late") == [("days", "days")]
    assert ENGLISH_NOUN.findall("the {count} late disputed invoices") == [("count", "invoices")]
    assert ENGLISH_NOUN.findall("from {open} open invoices; {paid} paid ones") == [
        ("open", "invoices"), ("paid", "ones")]
    assert ENGLISH_NOUN.findall("Backtest: {n} monthly origins") == [("n", "origins")]
    assert ENGLISH_NOUN.findall("{rush} of its {requests} requests") == [("requests", "requests")]
    assert ENGLISH_NOUN.findall("{who} has {late} of the {due}") == []
    assert POLISH_NOUN.findall("to {days} dni (") == [("days", "dni")]
    assert POLISH_NOUN.findall("zwolni {hours} godz. pracy") == [("hours", "godz.")]


# --------------------------------------------- windows of days and counted nouns, 1 to 22
# English: 1 takes the singular, every other count the plural. Polish: the locative after "w"
# ("w ostatnim 1 dniu", "w ostatnich 2/5/22 dniach"); the genitive after "z" ("z 1 faktury",
# "z 2/5/22 faktur"); a nominative count 1 / 2-4 and 22 / 5-21 ("1 zapłacona faktura",
# "2 zapłacone faktury", "5 zapłaconych faktur", "22 zapłacone faktury").


@pytest.mark.parametrize(
    ("n", "english", "polish"),
    [
        (1, "in the last 1 day", "w ostatnim 1 dniu"),
        (2, "in the last 2 days", "w ostatnich 2 dniach"),
        (5, "in the last 5 days", "w ostatnich 5 dniach"),
        (22, "in the last 22 days", "w ostatnich 22 dniach"),
    ],
)
def test_a_window_of_days_agrees_with_its_length(n: int, english: str, polish: str) -> None:
    assert wording.in_last_days(n) == english
    with i18n.using("pl"):
        assert wording.in_last_days(n) == polish


@pytest.mark.parametrize(
    ("n", "english", "polish"),
    [
        (1, "in the 1 day", "w 1 dniu"),
        (2, "in the 2 days", "w 2 dniach"),
        (5, "in the 5 days", "w 5 dniach"),
        (22, "in the 22 days", "w 22 dniach"),
    ],
)
def test_a_window_named_by_its_length_agrees(n: int, english: str, polish: str) -> None:
    assert wording.in_days(n) == english
    with i18n.using("pl"):
        assert wording.in_days(n) == polish


@pytest.mark.parametrize(
    ("noun", "n", "english", "polish"),
    [
        ("invoice", 1, "1 invoice", "1 faktury"),
        ("invoice", 2, "2 invoices", "2 faktur"),
        ("invoice", 5, "5 invoices", "5 faktur"),
        ("invoice", 22, "22 invoices", "22 faktur"),
        ("late invoice", 1, "1 late invoice", "1 spóźnionej faktury"),
        ("late invoice", 2, "2 late invoices", "2 spóźnionych faktur"),
        ("late invoice", 22, "22 late invoices", "22 spóźnionych faktur"),
        ("request", 1, "1 request", "1 zlecenia"),
        ("request", 5, "5 requests", "5 zleceń"),
        ("request", 22, "22 requests", "22 zleceń"),
    ],
)
def test_a_count_after_of_agrees(noun: str, n: int, english: str, polish: str) -> None:
    assert wording.count_of(n, noun) == english
    with i18n.using("pl"):
        assert wording.count_of(n, noun) == polish


@pytest.mark.parametrize(
    ("noun", "n", "english", "polish"),
    [
        ("paid invoice", 1, "1 paid invoice", "1 zapłacona faktura"),
        ("paid invoice", 2, "2 paid invoices", "2 zapłacone faktury"),
        ("paid invoice", 5, "5 paid invoices", "5 zapłaconych faktur"),
        ("paid invoice", 22, "22 paid invoices", "22 zapłacone faktury"),
        ("monthly origin", 1, "1 monthly origin", "1 miesięczny punkt startowy"),
        ("monthly origin", 2, "2 monthly origins", "2 miesięczne punkty startowe"),
        ("monthly origin", 5, "5 monthly origins", "5 miesięcznych punktów startowych"),
        ("monthly origin", 22, "22 monthly origins", "22 miesięczne punkty startowe"),
    ],
)
def test_a_counted_noun_agrees(noun: str, n: int, english: str, polish: str) -> None:
    assert wording.count(n, noun) == english
    with i18n.using("pl"):
        assert wording.count(n, noun) == polish


def _freshness(policy: dict[str, int], lang: str) -> str:
    from clientguard.policy import Policy
    from clientguard.signals.freshness import stale_data

    books = ledger(customer("acme", "Acme"), invoice(
        "acme", issued=date(2025, 6, 1), total="100.00", terms=30, id="A-1"))
    with i18n.using(lang):
        (finding,) = stale_data(books, date(2025, 12, 31), Policy(**policy))
    return finding.message


@pytest.mark.parametrize(
    ("n", "english", "polish"),
    [
        (1, "(stale after 1 day)", "(próg nieaktualności: 1 dzień)"),
        (2, "(stale after 2 days)", "(próg nieaktualności: 2 dni)"),
        (5, "(stale after 5 days)", "(próg nieaktualności: 5 dni)"),
        (22, "(stale after 22 days)", "(próg nieaktualności: 22 dni)"),
    ],
)
def test_the_stale_data_note_names_its_days(n: int, english: str, polish: str) -> None:
    policy = {"stale_days": n, "lookback_days": 365}
    assert english in _freshness(policy, "en")
    assert polish in _freshness(policy, "pl")


@pytest.mark.parametrize(
    ("n", "english", "polish"),
    [
        (1, "no invoice falls due in the 1 day to 2025-12-31,", "w 1 dniu do 31 grudnia 2025"),
        (2, "no invoice falls due in the 2 days to 2025-12-31,", "w 2 dniach do 31 grudnia 2025"),
        (5, "no invoice falls due in the 5 days to 2025-12-31,", "w 5 dniach do 31 grudnia 2025"),
        (22, "no invoice falls due in the 22 days to 2025-12-31,",
         "w 22 dniach do 31 grudnia 2025"),
    ],
)
def test_the_no_data_note_agrees_with_its_window(n: int, english: str, polish: str) -> None:
    policy = {"lookback_days": n}
    assert english in _freshness(policy, "en")
    assert polish in _freshness(policy, "pl")


def test_the_effective_number_of_clients_takes_the_fraction_form_in_polish() -> None:
    # The effective number of clients is always written with one decimal ("6,3"): Polish
    # puts a noun after a fraction in the genitive singular ("6,3 efektywnego klienta",
    # "od 6,3 równego"), never the plural of a count ("6,3 efektywnych klientów").
    from clientguard.report import render
    from clientguard.sample import sample_ledger

    as_of = date(2026, 6, 30)
    with i18n.using("pl"):
        text = render(review(sample_ledger(as_of=as_of), as_of=as_of), "table",
                      title="Firma")
    flat = " ".join(text.split())
    assert re.search(r"Przychód zależy od \d+,\d efektywnego klienta \(HHI", flat)
    assert re.search(r"tyle co od \d+,\d równego \(HHI", flat)
    assert re.search(r"jakby firma miała \d+,\d równego klienta spośród \d+", flat)
    assert not re.search(r"\d,\d (?:efektywnych|równych)", flat)
