"""How numbers are written for a person: money, shares, days, hours, counts and windows.

The one owner of the words around numbers in the findings' sentences, the review's advice and
the human reports (table, HTML). Signals, the review and the reports import it; it imports
only :mod:`clientguard.money` and :mod:`clientguard.i18n`, so any layer may use it.

Every function writes in the active language (:func:`clientguard.i18n.language`). English keeps
the rules below to the byte; any other language writes its numbers, dates and money through
Babel's CLDR data for :func:`clientguard.i18n.babel_locale` (Polish: ``1 234,56 zł``,
``12,5%``, ``3 grudnia 2026``; the separators are CLDR's no-break spaces), and its words
(``1 dzień``, ``2 dni``; ``1 faktura``, ``5 faktur``) through the catalogs' plural forms.

Rules (docs/review.md, "How numbers are written"):

- Numbers are rounded here only, at output, with ``ROUND_HALF_EVEN`` (banker's rounding):
  money to the currency's minor unit (2 decimals for EUR, 0 for JPY, 3 for KWD).
- Money in a sentence is the amount, then the ISO code: ``1,234.50 EUR``, ``-65.30 EUR``,
  ``1,235 JPY``. :func:`amount` is the number alone, for a column whose heading names the
  currency.
- Thousands are separated by commas in every number a person reads; a value that rounds to
  zero is written without a minus sign.
- A share is written as percent: whole percent by default (``12%``), or with ``places``
  decimals and a trailing ``.0`` dropped (``12.3%``, ``36%``); with ``whole_from`` the
  decimals are kept only below that many percent (``4.5%`` but ``12%``).
- A number is never followed by a fixed noun: :func:`count` (a whole count) and
  :func:`quantity` (days, hours and points, which may be 1 or have decimals) write the number
  with its noun in the form the number takes, as written: ``1 day``, ``2 days``, ``4.5 days``;
  in Polish ``1 dzień``, ``2 dni``, ``5 dni``, ``4,5 dnia`` (CLDR's form for a decimal).
- Missing values are ``n/a`` in a sentence (``b.d.`` in Polish); a table passes its own mark
  (``missing="-"``).
- Dates in a sentence are ISO in English (``2026-12-03``) and written out in Polish
  (``3 grudnia 2026``); months are ``Dec 2026`` and ``grudnia 2026``.
- Polish money names the złoty by its symbol (``1 234,56 zł``) and every other currency by its
  ISO code (``1 234,56 EUR``), so that a euro is never mistaken for a złoty.

Every function takes the value and its unit (currency, noun) and returns the whole phrase, so
that a caller never puts a currency code or a plural ``s`` next to a number itself: a language
changes the separators and the word order here, and nowhere else. The JSON and CSV reports
write machine numbers (``report.text.fixed``), which never change with the language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache

from babel import Locale
from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import NumberPattern, parse_pattern

from clientguard import i18n
from clientguard.i18n import gettext as _
from clientguard.i18n import ngettext, npgettext, pgettext
from clientguard.money import round_money

__all__ = [
    "NOT_AVAILABLE",
    "amount",
    "and_list",
    "as_given",
    "count",
    "count_of",
    "day",
    "days",
    "hours",
    "in_days",
    "in_last_days",
    "money",
    "month",
    "not_available",
    "number",
    "p_value",
    "percent",
    "points",
    "quantity",
    "records_of_kind",
    "seconds",
    "share",
    "window",
    "with_noun",
]

NOT_AVAILABLE = "n/a"
"""What an English sentence says for a value that does not exist (a share of nothing);
:func:`not_available` in the active language."""

_HUNDRED = Decimal(100)

_SYMBOLS = {"PLN": "zł"}
"""The currencies a non-English language names by their CLDR symbol rather than the ISO code:
the złoty, the one a Polish reader writes as ``zł``. Any other currency keeps its code, which
no reader mistakes (``€`` and ``$`` would be ambiguous beside each other in one book)."""


def _english() -> bool:
    return i18n.language() == "en"


def _locale() -> Locale:
    return _locale_of(i18n.language())


@cache
def _locale_of(code: str) -> Locale:
    # Keyed by the language's code; called while that language is active.
    return i18n.babel_locale()


@cache
def _pattern(places: int, trim: bool) -> NumberPattern:
    """The CLDR number pattern of ``places`` decimals (optional ones with ``trim``), parsed
    once: parsing it again for every number took most of a Polish number's time."""
    fraction = ("#" if trim else "0") * places
    return parse_pattern("#,##0" + ("." + fraction if places else ""))


def not_available() -> str:
    """What a sentence says for a value that does not exist: ``n/a``, ``b.d.``."""
    return _("n/a")


def number(
    value: Decimal | int | None,
    places: int = 0,
    *,
    whole_from: Decimal | int | None = None,
    trim: bool = False,
    missing: str | None = None,
) -> str:
    """``value`` rounded half-even to ``places`` decimals, thousands separated: ``1,234.5``
    (``1 234,5`` in Polish).

    With ``whole_from``, a value at least that large (either sign) is written whole. With
    ``trim``, a fraction of zeros is dropped (``36.0`` is written ``36``). Never ``-0``. An
    ``int`` is written whole; ``missing`` (default :func:`not_available`) when there is no
    value.
    """
    if value is None:
        return not_available() if missing is None else missing
    if isinstance(value, int):
        return f"{value:,}" if _english() else _grouped(Decimal(value))
    return _grouped(_rounded(value, places, whole_from), trim=trim)


def seconds(value: float | int | Decimal) -> str:
    """A number of seconds a person gave or a program chose (a wait, a timeout), with every
    decimal it has and no trailing zero, for a sentence that writes the unit ``s`` after it:
    ``0.5``, ``30``, ``3,600`` (``0,5`` and ``3 600`` in Polish). A float is read as the
    shortest decimal that is the same float (``0.1`` is ``0.1``, not its binary expansion)."""
    exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not exact.is_finite():
        return str(value)
    places = max(-exact.as_tuple().exponent, 0)  # type: ignore[operator]
    return number(exact, places, trim=True)


def _rounded(value: Decimal, places: int, whole_from: Decimal | int | None) -> Decimal:
    """``value`` rounded as :func:`number` writes it (before ``trim``)."""
    if whole_from is not None and abs(value) >= whole_from:
        places = 0
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)


def _grouped(rounded: Decimal, *, trim: bool = False) -> str:
    if rounded.is_zero():
        rounded = abs(rounded)
    if not _english():
        places = max(-rounded.as_tuple().exponent, 0)  # type: ignore[operator]
        return str(_pattern(places, trim).apply(rounded, _locale()))
    text = f"{rounded:,f}"
    if trim and "." in text:
        text = text.rstrip("0").removesuffix(".")
    return text


def amount(value: Decimal, currency: str) -> str:
    """An amount rounded to the currency's minor unit, without the code: ``12,345.60``
    (``12,346`` in JPY; ``12 345,60`` in Polish), for a column whose heading names the
    currency."""
    return _grouped(round_money(value, currency))


def money(value: Decimal, currency: str) -> str:
    """An amount with its currency, as a sentence writes it: ``12,345.60 EUR``; in Polish
    ``12 345,60 zł`` for the złoty and ``12 345,60 EUR`` for any other currency.

    ``currency`` is an ISO 4217 code (an unknown one is a ``DataError`` from
    :func:`clientguard.money.exponent`); an empty ``currency`` (a caller that has no currency
    to name) or ``hours`` (the unit of an hours concentration report) writes the number alone,
    to two decimals.
    """
    if not currency or currency == "hours":
        return number(value, 2)
    if _english():
        return f"{amount(value, currency)} {currency}"
    return f"{amount(value, currency)}\u00a0{_SYMBOLS.get(currency, currency)}"


def as_given(value: Decimal, currency: str) -> str:
    """An amount as the source gave it, every digit kept, with its currency: ``12.5 EUR``,
    ``1234.567 EUR`` (the data-quality notes, which quote the source); ``12,5 EUR``,
    ``1234,567 zł`` in Polish."""
    if _english():
        return f"{value} {currency}"
    decimal = _locale().number_symbols["latn"]["decimal"]
    return f"{str(value).replace('.', decimal)}\u00a0{_SYMBOLS.get(currency, currency)}"


def percent(
    share: Decimal | None,
    places: int = 0,
    *,
    whole_from: Decimal | int | None = None,
    missing: str | None = None,
    lines: Iterable[Decimal] = (),
) -> str:
    """A share (``0.1234``) as percent: ``12%``; ``12.3%`` with ``places=1``; with
    ``places=1, whole_from=10``, ``12%`` but ``4.5%``. A fraction of zeros is dropped
    (``36%``, not ``36.0%``). Polish writes ``12,3%`` (CLDR: no space before the sign).
    ``missing`` (default :func:`not_available`) when there is no share. ``lines``: the lines
    the share is read against: where so written it would reach one it is under, it is
    written a tenth of a point finer (``19.6%``, not ``20%``, beside a 20% line)."""
    if share is None:
        return not_available() if missing is None else missing
    places, whole_from = _share_precision(share, lines, places, whole_from)
    return number(share * _HUNDRED, places, whole_from=whole_from, trim=True) + "%"


def _share_precision(
    value: Decimal, lines: Iterable[Decimal], places: int, whole_from: Decimal | int | None
) -> tuple[int, Decimal | int | None]:
    """The precision to write ``value`` (a share) at: ``places`` and ``whole_from``, or a
    tenth of a point finer where so written it would reach one of ``lines`` it is under
    (19.6% written "20%" beside a 20% line is written "19.6%")."""
    shown = _rounded(value * _HUNDRED, places, whole_from)
    if any(shown >= line * _HUNDRED and value < line for line in lines):
        if whole_from is not None and abs(value * _HUNDRED) >= whole_from:
            return places, None
        return places + 1, whole_from
    return places, whole_from


def share(value: Decimal | None, lines: Iterable[Decimal] = ()) -> str:
    """A share as the concentration, capacity and rush findings write it: whole percent from
    10% up, one decimal below (``12%``, ``4.5%``), where a tenth of a point still matters;
    a tenth of a point finer where that would reach one of ``lines`` it is under (``19.6%``
    beside a 20% line)."""
    return percent(value, 1, whole_from=10, lines=lines)


def shown_share(
    value: Decimal,
    lines: Iterable[Decimal] = (),
    *,
    places: int = 1,
    whole_from: Decimal | int | None = 10,
) -> Decimal:
    """A share as :func:`share` writes it beside ``lines``, as a share again (``0.196`` ->
    ``0.196``, written "19.6%" beside a 20% line; ``0.1999`` -> ``0.2``, written "20%"): what
    a line is compared with, so that a figure and its line never disagree (docs/review.md,
    "Figures compared as shown"). ``places`` and ``whole_from`` as :func:`percent` takes
    them, for a share written otherwise (``places=1, whole_from=None``: to the tenth of a
    point, as the lateness sentences write a share)."""
    lines = tuple(lines)
    places, whole_from = _share_precision(value, lines, places, whole_from)
    return _rounded(value * _HUNDRED, places, whole_from) / _HUNDRED


def shown_number(value: Decimal, places: int = 0) -> Decimal:
    """A number as :func:`number` writes it to ``places`` (``1800.011`` -> ``1800``, written
    "1,800"): what a line printed beside it is compared with (docs/review.md, "Figures
    compared as shown")."""
    return _rounded(value, places, None)


def shown_days(value: Decimal) -> Decimal:
    """A number of days as the evidence line and the tables write it, to the tenth
    (``15.004`` -> ``15.0``): what a severity band is compared with."""
    return _rounded(value, 1, None)


def days_late(value: Decimal, lines: Iterable[Decimal] = ()) -> str:
    """Days late as a sentence writes them, with the word (:func:`quantity`, whole days from
    10: ``29 days``, ``4.5 days``), and to the tenth where the whole number would read
    otherwise than the tenth against one of ``lines``, which a band is "more than" (15.1 days
    is written "15.1 days" beside a 15-day band, not "15 days", which is not more than 15;
    docs/review.md, "Figures compared as shown")."""
    tenth = shown_days(value)
    whole = _rounded(value, 1, 10)
    finer = any((whole > line) != (tenth > line) for line in lines)
    return quantity(value, "day", whole_from=None if finer else 10, trim=True)


def points(change: Decimal, places: int = 1) -> str:
    """A change of a share in percentage points, with the unit agreeing with the number:
    ``0.123`` -> ``12.3 points``, ``0.01`` -> ``1 point`` (``12,3 pkt proc.`` in Polish)."""
    return quantity(change * _HUNDRED, "point", places, trim=True)


def days(
    value: Decimal | int | None,
    places: int = 1,
    *,
    whole_from: Decimal | int | None = None,
    trim: bool = False,
    missing: str | None = None,
) -> str:
    """A number of days without the word, for a table's column: ``29.4`` (one decimal, as
    the tables show them). A sentence writes :func:`quantity` ``(value, "day", whole_from=10,
    trim=True)`` to read ``29 days`` and ``4.5 days`` (whole days from 10, so that half a day
    late does not read "0 days late"). A whole number of days
    (an ``int``) is written whole. ``missing`` (default :func:`not_available`) when there is
    none."""
    return number(value, places, whole_from=whole_from, trim=trim, missing=missing)


def hours(value: Decimal, places: int = 1) -> str:
    """A number of hours (without the word, for a column or beside a noun written once; a
    sentence writes :func:`quantity` ``(value, "hour")``): ``1,234.5``."""
    return number(value, places)


_FRACTIONS: dict[str, Callable[[], str]] = {
    "day": lambda: pgettext("a number with decimals", "{n} days"),
    "hour": lambda: pgettext("a number with decimals", "{n} hours"),
    "point": lambda: pgettext("a number with decimals", "{n} points"),
}
"""The nouns :func:`quantity` writes after a number with decimals, in the form CLDR gives a
decimal (its ``other`` category): ``4.5 days``, ``1.0 days``; in Polish ``4,5 dnia``,
``1,5 godziny``, the genitive singular whatever the case around it. A whole number takes its
noun's plural forms from :data:`_NOUNS` instead."""


def quantity(
    value: Decimal | int | None,
    noun: str,
    places: int = 1,
    *,
    whole_from: Decimal | int | None = None,
    trim: bool = False,
    missing: str | None = None,
) -> str:
    """A measured number with its noun, the noun agreeing with the number as written:
    ``1 day``, ``2 days``, ``4.5 days``; ``1 dzień``, ``2 dni``, ``5 dni``, ``4,5 dnia`` in
    Polish (``1 godzina``, ``2 godziny``, ``5 godzin``, ``1,5 godziny``).

    The number is written as :func:`number` writes it (``places``, ``whole_from``, ``trim``);
    ``noun`` is one of :data:`_FRACTIONS` (``day``, ``hour``, ``point``). A number written
    with decimals (``4.5``, ``1.0``) takes the decimal form, a whole one (``1``, ``29``) the
    plural form of its count, so that ``1.0 days`` and ``1 day`` are both what a reader
    expects. ``missing`` (default :func:`not_available`) alone, without the noun, when there
    is no value.
    """
    if value is None:
        return not_available() if missing is None else missing
    written = Decimal(value) if isinstance(value, int) else _rounded(value, places, whole_from)
    if trim and written == written.to_integral_value():
        written = written.quantize(Decimal(1))
    return with_noun(number(value, places, whole_from=whole_from, trim=trim), written, noun)


def with_noun(text: str, written: Decimal | int, noun: str) -> str:
    """``text``, a number already written, followed by ``noun`` in the form that number takes:
    ``written`` is the number as ``text`` shows it (a ``Decimal`` whose exponent says how many
    decimals are shown: ``Decimal("1.50")`` is written with two, ``Decimal("1")`` whole).

    For a number a caller writes its own way (hours as the time entries add them up); any
    other takes :func:`quantity`."""
    if noun not in _FRACTIONS:
        raise ValueError(f"no decimal form for {noun!r}: one of {', '.join(_FRACTIONS)}")
    if isinstance(written, Decimal) and written.as_tuple().exponent < 0:  # type: ignore[operator]
        return _FRACTIONS[noun]().format(n=text)
    # The plural form is the count's, whatever its sign: -1 day, -5 days (CLDR's n is |x|).
    return _NOUNS[noun](abs(int(written))).format(n=text)


_NOUNS: dict[str, Callable[[int], str]] = {
    "case": lambda n: ngettext("{n} case", "{n} cases", n),
    "client": lambda n: ngettext("{n} client", "{n} clients", n),
    "currency": lambda n: ngettext("{n} currency", "{n} currencies", n),
    "day": lambda n: ngettext("{n} day", "{n} days", n),
    "finding": lambda n: ngettext("{n} finding", "{n} findings", n),
    "hour": lambda n: ngettext("{n} hour", "{n} hours", n),
    "invoice": lambda n: ngettext("{n} invoice", "{n} invoices", n),
    "month": lambda n: ngettext("{n} month", "{n} months", n),
    "monthly origin": lambda n: ngettext("{n} monthly origin", "{n} monthly origins", n),
    "more finding": lambda n: ngettext("{n} more finding", "{n} more findings", n),
    "open invoice": lambda n: ngettext("{n} open invoice", "{n} open invoices", n),
    "page": lambda n: ngettext("{n} page", "{n} pages", n),
    "paid invoice": lambda n: ngettext("{n} paid invoice", "{n} paid invoices", n),
    "point": lambda n: ngettext("{n} point", "{n} points", n),
    "rate": lambda n: ngettext("{n} rate", "{n} rates", n),
    "record": lambda n: ngettext("{n} record", "{n} records", n),
    "rejected record": lambda n: ngettext("{n} rejected record", "{n} rejected records", n),
    "suggested link": lambda n: ngettext("{n} suggested link", "{n} suggested links", n),
}
"""The nouns :func:`count` knows in every language, each with its plural forms in the catalogs
(Polish has three: 1 faktura, 2 faktury, 5 faktur)."""


def count(value: int, noun: str, plural: str | None = None) -> str:
    """A count with its noun: ``1 client``, ``1,234 clients`` (``plural`` when the plural is
    not the noun with an ``s``); ``1 klient``, ``2 klientów`` in Polish.

    A noun of :data:`_NOUNS` takes the active language's plural form from the catalogs;
    another noun is written in English (a caller's own word, which no catalog knows)."""
    forms = _NOUNS.get(noun)
    if forms is not None:
        return forms(value).format(n=number(value))
    word = noun if value == 1 else (plural or noun + "s")
    return f"{number(value)} {word}"


_NOUNS_OF: dict[str, Callable[[int], str]] = {
    "invoice": lambda n: npgettext("a count after of", "{n} invoice", "{n} invoices", n),
    "late invoice": lambda n: npgettext(
        "a count after of", "{n} late invoice", "{n} late invoices", n
    ),
    "request": lambda n: npgettext("a count after of", "{n} request", "{n} requests", n),
}
"""The counted nouns that follow ``of`` (Polish ``z``, which takes the genitive: ``z 1
faktury``, ``z 5 faktur``), told apart from the same English as a subject by their context."""


_RECORDS_AS_NAMED: dict[str, Callable[[int], str]] = {
    "customer": lambda n: npgettext("new records", "{n} customer", "{n} customer", n),
    "invoice": lambda n: npgettext("new records", "{n} invoice", "{n} invoice", n),
    "allocation": lambda n: npgettext("new records", "{n} allocation", "{n} allocation", n),
    "payment": lambda n: npgettext("new records", "{n} payment", "{n} payment", n),
    "credit_note": lambda n: npgettext("new records", "{n} credit note", "{n} credit note", n),
    "time_entry": lambda n: npgettext("new records", "{n} time entry", "{n} time entry", n),
    "work_request": lambda n: npgettext("new records", "{n} work request", "{n} work request",
                                        n),
}
"""The record kinds as a sync's summary counts them: English names the kind as the data does
(``2,466 invoice``); Polish takes its plural forms (``2 466 faktur``)."""

_RECORDS_PLURAL: dict[str, Callable[[int], str]] = {
    "customer": lambda n: npgettext("records made", "{n} customer", "{n} customers", n),
    "invoice": lambda n: npgettext("records made", "{n} invoice", "{n} invoices", n),
    "credit_note": lambda n: npgettext("records made", "{n} credit note", "{n} credit notes",
                                       n),
    "payment": lambda n: npgettext("records made", "{n} payment", "{n} payments", n),
    "time_entry": lambda n: npgettext("records made", "{n} time entry", "{n} time entries", n),
    "work_request": lambda n: npgettext("records made", "{n} work request",
                                        "{n} work requests", n),
}
"""The record kinds as the CSV connector counts the records its files made, in the plural
English writes (``2,566 customers``)."""


def records_of_kind(kind: str, n: int, *, as_named: bool = False) -> str:
    """``n`` records of ``kind`` (a record kind: ``invoice``, ``credit_note``...) in the active
    language: ``2,566 customers``, ``2 566 klientów``. ``as_named``: English names the kind
    as the data does, whatever the number (``2,466 invoice``: the sync's summary, beside the
    stream's own names); Polish is the same either way. A kind no catalog knows (a plugin's)
    is written by its own name: ``3 purchase order``."""
    forms = (_RECORDS_AS_NAMED if as_named else _RECORDS_PLURAL).get(kind)
    if forms is None:
        return f"{number(n)} {kind.replace('_', ' ')}"
    return forms(n).format(n=number(n))


def count_of(value: int, noun: str) -> str:
    """A count with its noun after ``of``: ``of the 1 invoice``, ``of the 5 invoices``; in
    Polish the genitive ``z 1 faktury``, ``z 2 faktur``, ``z 5 faktur`` (the sentence writes
    the ``of``/``z``). ``noun`` is one of :data:`_NOUNS_OF`."""
    return _NOUNS_OF[noun](value).format(n=number(value))


def in_last_days(days: int) -> str:
    """A window of whole days that ends on the review date, as a sentence says where
    something falls in it: ``in the last 1 day``, ``in the last 90 days``; in Polish
    ``w ostatnim 1 dniu``, ``w ostatnich 2 dniach``, ``w ostatnich 90 dniach``."""
    # The context: Polish writes this window in the locative, not the genitive of window().
    return npgettext(
        "a window of days, where", "in the last {n} day", "in the last {n} days", days
    ).format(n=number(days))


def in_days(days: int) -> str:
    """A window of whole days named by its length, as a sentence says where something falls
    in it (the sentence says which days: ``before``, ``to 2026-12-31``): ``in the 1 day``,
    ``in the 90 days``; in Polish ``w 1 dniu``, ``w 90 dniach``."""
    return npgettext("a window of days, where", "in the {n} day", "in the {n} days", days).format(
        n=number(days)
    )


def window(period: tuple[date, date] | None) -> str:
    """A look-back window as a sentence names it: ``the last 12 months`` (365 or 366 days),
    ``the last 24 months``, ``the last 90 days``; ``the window`` when there is none. Polish
    gives the genitive (``ostatnich 12 miesięcy``), which its sentences put after ``w okresie``
    or ``z``."""
    if period is None:
        return _("the window")
    length = (period[1] - period[0]).days + 1
    if length in (365, 366):
        return _("the last 12 months")
    if length in (730, 731):
        return _("the last 24 months")
    return ngettext("the last {n} day", "the last {n} days", length).format(n=number(length))


def and_list(items: list[str] | tuple[str, ...]) -> str:
    """Phrases joined as a sentence lists them: ``a and b and c`` in English (as the findings
    always wrote them), CLDR's list in another language (``a, b i c``)."""
    if _english():
        return " and ".join(items)
    return format_list(list(items), locale=_locale())


def or_list(items: list[str] | tuple[str, ...]) -> str:
    """Alternatives joined as a sentence offers them: ``a or b or c`` in English, CLDR's
    list in another language (``a, b lub c``)."""
    if _english():
        return " or ".join(items)
    return format_list(list(items), style="or", locale=_locale())


def day(value: date) -> str:
    """A date in a sentence: ISO in English (``2026-12-03``), written out in Polish
    (``3 grudnia 2026``, CLDR's long date)."""
    if _english():
        return value.isoformat()
    return format_date(value, format="long", locale=_locale())


def month(value: date) -> str:
    """A month in a sentence: ``Dec 2026``; in Polish the genitive ``grudnia 2026``, as
    ``od ... do ...`` takes it."""
    if _english():
        return f"{value:%b %Y}"
    return format_date(value, format="MMMM y", locale=_locale())


def score(value: float, spec: str) -> str:
    """A model's score (a float: an accuracy, an F1, days of error) written by the format
    ``spec`` (``.1%``, ``.3f``), with the language's decimal sign: ``54.5%``, ``0.706`` in
    English, ``54,5%``, ``0,706`` in Polish. Its digits are ``format``'s, the same in both."""
    text = format(value, spec)
    if _english():
        return text
    return text.replace(".", _locale().number_symbols["latn"]["decimal"])


def p_value(p: float) -> str:
    """A p-value as a person reads it: two significant digits below 0.1, where it is compared
    with a 5% level (``p = 0.045``, ``p = 0.0042``: 0.0455 is not ``p = 0.05``, the level
    itself), two places above (``p = 0.34``), ``p < 0.001`` (``p = 0,045`` in Polish)."""
    text = "p < 0.001" if p < 0.001 else f"p = {p:.2g}" if p < 0.1 else f"p = {p:.2f}"
    if _english():
        return text
    return text.replace(".", _locale().number_symbols["latn"]["decimal"])
