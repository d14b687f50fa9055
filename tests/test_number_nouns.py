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
ENGLISH_NOUN = re.compile(r"\{(\w+)\}\s+(days?|hours?|points?)\b")
POLISH_NOUN = re.compile(r"\{(\w+)\}\s+(dzień|dnia|dni|dniach|dniu|godzin\w*|godz\.|pkt)")

WINDOWS: dict[str, frozenset[str]] = {
    # Look-back windows, whole days: the window of a finding about lateness is 2 days or more
    # (an invoice due on the review date cannot be late yet), the Polish a locative plural.
    "{who} has {late} of the {due} invoices due in the last {days} days past due and still "
    "unpaid": frozenset({"days"}),
    "{who} paid {paid_late} of the {due} invoices due in the last {days} days late and "
    "{still_open} more is past due and unpaid": frozenset({"days"}),
    "{who} paid {late} of the {due} invoices due in the last {days} days late":
        frozenset({"days"}),
    "{who} disputes {disputed} of its {late} late invoices due in the last {days} days "
    "({share}, a dispute from {limit})": frozenset({"days"}),
    "{who} was late on {recent_late} of its {recent} invoices due in the last {recent_days} "
    "days ({recent_share}), against {before_late} of {before} in the {before_days} days before "
    "({before_share}): up {points}, on average {days} late weighted by amount lately.":
        frozenset({"recent_days", "before_days"}),
    "; {recent} in the last {days} days against {before} in the {days} days before":
        frozenset({"days"}),
    "No data in the window: no invoice falls due in the {days} days to {as_of}, so this review "
    "cannot judge any client; {since}. Sync the sources again, or review as of a date the data "
    "covers (--as-of).": frozenset({"days"}),
    # An aging bucket's range ("31-60 days"), not a number.
    "{label} days": frozenset({"label"}),
}
"""Messages where a placeholder stands before a fixed day noun on purpose, and which."""


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


def test_no_english_message_puts_a_fixed_day_or_hour_noun_after_a_number() -> None:
    # A number goes in with its noun (wording.count, wording.quantity), or the message is an
    # ngettext whose singular and plural say day and days.
    problems = []
    for where, ids in _source_messages():
        for placeholder, noun in ENGLISH_NOUN.findall(ids[0]):
            if placeholder in WINDOWS.get(ids[0], ()):
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
    assert POLISH_NOUN.findall("to {days} dni (") == [("days", "dni")]
    assert POLISH_NOUN.findall("zwolni {hours} godz. pracy") == [("hours", "godz.")]
