"""Money: currency codes and exponents, Decimal rules, and conversion to the base currency.

Rules (after py-moneyed): money is :class:`~decimal.Decimal`, never float; a float is refused
where it would become money, because that is how rounding errors get in. Amounts are kept at
full precision through every computation and rounded only at output, with ``ROUND_HALF_EVEN``
(banker's rounding) to the currency's minor unit.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from clientguard import i18n
from clientguard.errors import DataError
from clientguard.i18n import gettext, ngettext, noop
from clientguard.records import Rejection

__all__ = [
    "CURRENCY_EXPONENTS",
    "ONE",
    "ZERO",
    "FxTable",
    "MissingRate",
    "RateRow",
    "combined_fx",
    "exponent",
    "from_minor",
    "is_currency",
    "no_rate_remedy",
    "rate_reason_words",
    "rejection_words",
    "round_money",
    "to_decimal",
]

# ISO 4217 codes with their minor-unit exponents (the number of decimals of the minor unit):
# the active ones (SIX, amendment 178) and those withdrawn since 2011. Funds and
# precious-metal codes (XAU...) are left out: nobody invoices in them.
CURRENCY_EXPONENTS: Mapping[str, int] = {
    "AED": 2, "AFN": 2, "ALL": 2, "AMD": 2, "ANG": 2, "AOA": 2, "ARS": 2, "AUD": 2, "AWG": 2,
    "AZN": 2, "BAM": 2, "BBD": 2, "BDT": 2, "BGN": 2, "BHD": 3, "BIF": 0, "BMD": 2, "BND": 2,
    "BOB": 2, "BRL": 2, "BSD": 2, "BTN": 2, "BWP": 2, "BYN": 2, "BZD": 2, "CAD": 2, "CDF": 2,
    "CHF": 2, "CLP": 0, "CNY": 2, "COP": 2, "CRC": 2, "CUP": 2, "CVE": 2, "CZK": 2, "DJF": 0,
    "DKK": 2, "DOP": 2, "DZD": 2, "EGP": 2, "ERN": 2, "ETB": 2, "EUR": 2, "FJD": 2, "FKP": 2,
    "GBP": 2, "GEL": 2, "GHS": 2, "GIP": 2, "GMD": 2, "GNF": 0, "GTQ": 2, "GYD": 2, "HKD": 2,
    "HNL": 2, "HTG": 2, "HUF": 2, "IDR": 2, "ILS": 2, "INR": 2, "IQD": 3, "IRR": 2, "ISK": 0,
    "JMD": 2, "JOD": 3, "JPY": 0, "KES": 2, "KGS": 2, "KHR": 2, "KMF": 0, "KPW": 2, "KRW": 0,
    "KWD": 3, "KYD": 2, "KZT": 2, "LAK": 2, "LBP": 2, "LKR": 2, "LRD": 2, "LSL": 2, "LYD": 3,
    "MAD": 2, "MDL": 2, "MGA": 2, "MKD": 2, "MMK": 2, "MNT": 2, "MOP": 2, "MRU": 2, "MUR": 2,
    "MVR": 2, "MWK": 2, "MXN": 2, "MYR": 2, "MZN": 2, "NAD": 2, "NGN": 2, "NIO": 2, "NOK": 2,
    "NPR": 2, "NZD": 2, "OMR": 3, "PAB": 2, "PEN": 2, "PGK": 2, "PHP": 2, "PKR": 2, "PLN": 2,
    "PYG": 0, "QAR": 2, "RON": 2, "RSD": 2, "RUB": 2, "RWF": 0, "SAR": 2, "SBD": 2, "SCR": 2,
    "SDG": 2, "SEK": 2, "SGD": 2, "SHP": 2, "SLE": 2, "SOS": 2, "SRD": 2, "SSP": 2, "STN": 2,
    "SVC": 2, "SYP": 2, "SZL": 2, "THB": 2, "TJS": 2, "TMT": 2, "TND": 3, "TOP": 2, "TRY": 2,
    "TTD": 2, "TWD": 2, "TZS": 2, "UAH": 2, "UGX": 0, "USD": 2, "UYU": 2, "UYW": 4, "UZS": 2,
    "VES": 2, "VND": 0, "VUV": 0, "WST": 2, "XAF": 0, "XCD": 2, "XCG": 2, "XOF": 0, "XPF": 0,
    "YER": 2, "ZAR": 2, "ZMW": 2, "ZWG": 2,
    # Withdrawn since 2011 (ISO 4217 list three, historic denominations), with the minor unit
    # they had: a book's history holds invoices in them (Croatia's kuna until 2023, Lithuania's
    # litas until 2015...), and a currency's code does not stop being one when it is replaced.
    "BYR": 0, "CUC": 2, "EEK": 2, "HRK": 2, "LTL": 2, "LVL": 2, "MRO": 2, "SLL": 2, "STD": 2,
    "VEF": 2, "ZWL": 2,
}  # fmt: skip

ZERO = Decimal(0)
ONE = Decimal(1)


def is_currency(code: str) -> bool:
    """True for an upper-case ISO 4217 code in :data:`CURRENCY_EXPONENTS`."""
    return code in CURRENCY_EXPONENTS


def exponent(currency: str) -> int:
    """The number of decimals of the currency's minor unit (2 for EUR, 0 for JPY, 3 for KWD)."""
    try:
        return CURRENCY_EXPONENTS[currency]
    except KeyError:
        raise DataError(f"unknown currency code {currency!r}: use an ISO 4217 code") from None


def to_decimal(value: object, *, what: str = "amount") -> Decimal:
    """``value`` as a finite Decimal. Accepts Decimal, int and numeric strings; refuses float.

    A float is refused because it already carries a binary rounding error; pass a string
    (``"10.10"``) or a Decimal, or decode JSON with ``parse_float=Decimal``.
    """
    if isinstance(value, bool):
        raise DataError(f"{what}: {value!r} is a bool, not an amount")
    if isinstance(value, float):
        raise DataError(
            f"{what}: {value!r} is a float; money must be a Decimal or a string such as "
            f"'{value}' (floats carry binary rounding errors)"
        )
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise DataError(f"{what}: {value!r} is not a number") from None
    else:
        raise DataError(f"{what}: {type(value).__name__} {value!r} is not an amount")
    if not result.is_finite():
        raise DataError(f"{what}: {value!r} is not a finite number")
    return result


def from_minor(units: int, currency: str, *, places: int | None = None) -> Decimal:
    """Minor units (Stripe's cents) to exact major units by the currency's exponent (JPY: as
    is). ``places`` is the source's own exponent where its API differs from ISO 4217 (Stripe's
    MGA, ISK and UGX); a connector converting minor units calls this, so the rule has one
    owner.
    """
    return Decimal(units).scaleb(-(exponent(currency) if places is None else places))


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round for output only: to the currency's minor unit, ``ROUND_HALF_EVEN``."""
    unit = _MINOR_UNITS.get(currency)
    if unit is None:
        unit = Decimal(1).scaleb(-exponent(currency))  # an unknown code: exponent's DataError
    return amount.quantize(unit, rounding=ROUND_HALF_EVEN)


_MINOR_UNITS: Mapping[str, Decimal] = {
    currency: Decimal(1).scaleb(-places) for currency, places in CURRENCY_EXPONENTS.items()
}
"""Each currency's minor unit (``Decimal("1E-2")`` for EUR), made once: a review rounds a
third of a million amounts (each late invoice's claim lines), and making the unit each time
was a third of the rounding's time."""


@dataclass(frozen=True)
class FxTable:
    """Exchange rates to one base currency, by currency and date.

    A rate is "units of ``base`` per one unit of the currency" (the direction of every
    ``fx_rate`` in the model). A look-up takes the rate of the exact date, else the latest
    earlier date no more than ``max_staleness_days`` before it (weekends and bank holidays have
    no fixing); anything else is a :class:`DataError` naming the currency and the date.

    ``rates`` are keyed by the day each rate applies from to a document (:meth:`rate`);
    ``published``, where some rate applies from another day than it was published on (the
    NBP's table A, which Polish VAT applies from the day after), holds the same rates by the
    day they were published (:meth:`rate_published_on`); empty, every rate applies from the
    day it was published.
    """

    base: str
    rates: Mapping[str, Mapping[date, Decimal]] = field(default_factory=dict)
    max_staleness_days: int = 7
    remedy: str = field(
        default=noop("add it to the FxTable or give the document its own fx_rate"),
        compare=False,
    )
    """What to do when a rate is missing, in English, in the words of whoever built the table
    (the command line names clientguard.toml's [rates]). A remedy the catalogs hold (this
    default, the command line's) is shown in the reader's language by
    :func:`rate_reason_words`; any other as it is written."""
    published: Mapping[str, Mapping[date, Decimal]] = field(default_factory=dict)
    """The rates by the day they were published, where some apply from another day (see the
    class); empty when every rate applies from the day it was published."""
    remedy_for: Callable[[MissingRate], str] | None = field(default=None, compare=False)
    """Where set, the remedy of each missing rate, worded for its case (the command line's
    knows clientguard.toml's [rates] and the store: a currency no source has, a rate too old,
    a sync not run since); ``remedy`` where None. In English, as :attr:`remedy`."""
    _dates: dict[str, list[date]] = field(init=False, repr=False, compare=False)
    _published_dates: dict[str, list[date]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not is_currency(self.base):
            raise DataError(f"FxTable base: unknown currency code {self.base!r}")
        if not 0 <= self.max_staleness_days <= 36_525:  # a century, as a policy's day-counts
            raise DataError(f"FxTable max_staleness_days: {self.max_staleness_days} is not a "
                            "number of days from 0 to 36,525")
        rates, published = _checked_rates(self.rates), _checked_rates(self.published)
        object.__setattr__(self, "rates", rates)
        object.__setattr__(self, "published", published)
        object.__setattr__(self, "_dates", {c: sorted(r) for c, r in rates.items()})
        object.__setattr__(self, "_published_dates",
                           {c: sorted(r) for c, r in published.items()})

    @classmethod
    def from_rows(
        cls,
        base: str,
        rows: Iterable[tuple[str, date, Decimal | str]],
        *,
        max_staleness_days: int = 7,
    ) -> FxTable:
        """Build from ``(currency, date, rate)`` rows, e.g. read from a central bank's file."""
        rates: dict[str, dict[date, Decimal]] = {}
        for currency, day, rate in rows:
            rates.setdefault(currency, {})[day] = to_decimal(rate, what=f"rate {currency} {day}")
        return cls(base, rates, max_staleness_days)

    def rate(self, currency: str, on: date) -> Decimal:
        """Units of base currency per unit of ``currency`` on ``on``: the rate a document of
        that day is converted at."""
        if currency == self.base:
            return ONE
        return self._latest(self.rates, self._dates, currency, on, "for")

    def rate_published_on(self, currency: str, day: date) -> Decimal:
        """Units of base currency per unit of ``currency`` as published on ``day`` (else the
        latest published before it, as :meth:`rate` looks back): the same as :meth:`rate`
        unless some rates apply from another day than they were published on. The Polish
        fixed compensation is converted at the NBP table published on its rule date (art. 10
        ust. 1a of the 2013 Act), not at the one in force for a document of that date."""
        if currency == self.base:
            return ONE
        if not self.published:
            return self.rate(currency, day)
        return self._latest(self.published, self._published_dates, currency, day,
                            "published on")

    def _latest(self, rates: Mapping[str, Mapping[date, Decimal]],
                dates_of: dict[str, list[date]], currency: str, on: date, how: str) -> Decimal:
        """The rate of ``on`` in ``rates``, else of the latest earlier day within
        ``max_staleness_days``; a DataError naming the currency and the day otherwise."""
        dates = dates_of.get(currency)
        if dates:
            index = bisect.bisect_right(dates, on) - 1
            if index >= 0 and on - dates[index] <= timedelta(days=self.max_staleness_days):
                return rates[currency][dates[index]]
            latest = dates[index] if index >= 0 else None
        else:
            latest = None
        remedy = self.remedy
        if self.remedy_for is not None:
            remedy = self.remedy_for(MissingRate(
                currency, self.base, on, latest, dates[0] if dates else None,
                self.max_staleness_days, published=how != "for"))
        # In English whatever the reader's language: the reason a rejection keeps (and a
        # program may compare); rate_reason_words gives the reader's words for it.
        with i18n.using(i18n.DEFAULT_LANGUAGE):
            template = _no_rate(how, None if latest is None else self.max_staleness_days)
        raise DataError(template.format(
            currency=currency, base=self.base, day=on, latest=latest,
            days=self.max_staleness_days, remedy=remedy))

    def convert(self, amount: Decimal, currency: str, on: date) -> Decimal:
        """``amount`` of ``currency`` in the base currency at the rate for ``on`` (unrounded)."""
        return amount * self.rate(currency, on)


@dataclass(frozen=True, slots=True)
class MissingRate:
    """A look-up an :class:`FxTable` cannot answer, as its ``remedy_for`` is told of it."""

    currency: str
    base: str
    day: date
    """The day looked up (a document's date; the publication day with ``published``)."""
    latest: date | None
    """The latest earlier day with a rate, older than ``max_staleness_days``; None: none."""
    first: date | None
    """The first day the table has a rate of the currency on; None: it has none at all."""
    max_staleness_days: int
    published: bool = False
    """True for :meth:`FxTable.rate_published_on`, False for :meth:`FxTable.rate`."""


# The command line's remedies of a missing rate where [rates] is configured, by case
# (fx.configured.table_from chooses one; docs/cli.md, "Exchange rates", shows each). Kept
# here, beside the reason, so that rate_reason_words reads each back into the reader's words.
# Placeholders: _REMEDY_PARTS. Where no [rates] table is configured: fx.CLI_REMEDY.
_REMEDIES: Mapping[str, str] = {
    # A bank of [rates] with no rate in the store: rates sync never ran since it was added.
    "bank_not_synced": noop(
        "the store holds no rates of [rates.{bank}]: run clientguard rates sync"),
    # A bank that has the currency, whose stored rates end before the document.
    "bank_behind": noop(
        "clientguard rates sync has not been run since {last} (the last day of the rates of "
        "[rates.{bank}] in the store): run it"),
    # A bank that has the currency, whose stored rates begin after the document.
    "bank_later": noop(
        "the rates of [rates.{bank}] in the store begin on {first}: run clientguard rates "
        "sync --from {since}"),
    # No source of [rates] has the currency on any day.
    "currency_file": noop(
        "[rates] has no {currency} rate on any day: add {currency} rates to {file}, or a "
        "central bank's table that publishes {currency} ([rates.ecb] or [rates.nbp]), then "
        "run clientguard rates sync"),
    "currency_banks": noop(
        "[rates] has no {currency} rate on any day, and the central banks' tables it reads "
        "({banks}) do not publish one: add {currency} rates to {file}, then run clientguard "
        "rates sync"),
    "currency_banks_no_file": noop(
        "[rates] has no {currency} rate on any day, and the central banks' tables it reads "
        "({banks}) do not publish one: add a rates file with {currency} rates to [rates] "
        "(file = \"rates.csv\"; clientguard rates template prints one), then run clientguard "
        "rates sync"),
    # The currency's rates begin after the document.
    "later_file": noop(
        "the {currency} rates begin on {first}: add the {currency} rate of {day} to {file}, "
        "then run clientguard rates sync"),
    "later_no_file": noop(
        "the {currency} rates begin on {first}: add a rates file with the {currency} rate of "
        "{day} to [rates] (file = \"rates.csv\"), then run clientguard rates sync"),
    # The latest earlier rate is older than max_staleness_days.
    "stale_file": noop(
        "add the {currency} rate of {day} to {file} and run clientguard rates sync, or raise "
        "max_staleness_days in [rates] from {days} to {needed}"),
    "stale_no_file": noop(
        "add a rates file with the {currency} rate of {day} to [rates] (file = \"rates.csv\") "
        "and run clientguard rates sync, or raise max_staleness_days in [rates] from {days} to "
        "{needed}"),
}

_REMEDY_PARTS = {
    "currency": "[A-Z]{3}",
    "day": r"\d{4}-\d{2}-\d{2}",
    "first": r"\d{4}-\d{2}-\d{2}",
    "last": r"\d{4}-\d{2}-\d{2}",
    "since": r"\d{4}-\d{2}-\d{2}",
    "days": r"\d+",
    "needed": r"\d+",
    "bank": r"[A-Za-z0-9_-]+",
    "banks": r"\[rates\.[A-Za-z0-9_-]+\](?:, \[rates\.[A-Za-z0-9_-]+\])*",
    "file": ".+",
}


def no_rate_remedy(case: str, **values: object) -> str:
    """The command line's remedy of a missing rate for ``case`` (a key of ``_REMEDIES``), its
    placeholders filled with ``values``, in English (the words a rejection keeps):
    :func:`rate_reason_words` gives the reader's."""
    with i18n.using(i18n.DEFAULT_LANGUAGE):
        return gettext(_REMEDIES[case]).format(**values)


def _named_pattern(template: str, parts: Mapping[str, str]) -> re.Pattern[str]:
    """A regular expression that reads the values of ``parts`` back out of a sentence of
    ``template``; a placeholder written twice must hold the same value twice."""
    pattern, seen, at = [], set(), 0
    for found in re.finditer(r"\{(\w+)\}", template):
        pattern.append(re.escape(template[at:found.start()]))
        name = found.group(1)
        pattern.append(f"(?P={name})" if name in seen else f"(?P<{name}>{parts[name]})")
        seen.add(name)
        at = found.end()
    pattern.append(re.escape(template[at:]))
    return re.compile("".join(pattern), re.DOTALL)


_REMEDY_PATTERNS = tuple(
    (template, _named_pattern(template, _REMEDY_PARTS)) for template in _REMEDIES.values()
)
"""How :func:`rate_reason_words` recognises the English remedies of ``_REMEDIES``."""


def _remedy_words(remedy: str) -> str:
    """``remedy`` in the active language: a catalog's whole sentence (fx.CLI_REMEDY, the
    FxTable's default), a case of ``_REMEDIES`` with its values, else as it is written."""
    words = gettext(remedy) if remedy else remedy
    if words != remedy:
        return words
    for template, pattern in _REMEDY_PATTERNS:
        found = pattern.fullmatch(remedy)
        if found is not None:
            return gettext(template).format(**found.groupdict())
    return remedy


def _no_rate(how: str, days: int | None) -> str:
    """The sentence of a missing rate in the active language, its placeholders unfilled:
    ``how`` is ``"for"`` (:meth:`FxTable.rate`) or ``"published on"``
    (:meth:`FxTable.rate_published_on`); ``days`` is ``max_staleness_days`` where an earlier
    rate exists but is older than that, None where there is none. The one owner of these
    words, in English (the rejection's reason) and in the reader's language."""
    if days is None:
        if how == "for":
            return gettext("no {currency}->{base} rate for {day}: {remedy}")
        return gettext("no {currency}->{base} rate published on {day}: {remedy}")
    if how == "for":
        return ngettext(
            "no {currency}->{base} rate for {day}: the latest earlier rate is from {latest}, "
            "more than {days} day before; {remedy}",
            "no {currency}->{base} rate for {day}: the latest earlier rate is from {latest}, "
            "more than {days} days before; {remedy}",
            days,
        )
    return ngettext(
        "no {currency}->{base} rate published on {day}: the latest earlier rate is from "
        "{latest}, more than {days} day before; {remedy}",
        "no {currency}->{base} rate published on {day}: the latest earlier rate is from "
        "{latest}, more than {days} days before; {remedy}",
        days,
    )


_REASON_PARTS = {
    "currency": "[A-Z]{3}",
    "base": "[A-Z]{3}",
    "day": r"\d{4}-\d{2}-\d{2}",
    "latest": r"\d{4}-\d{2}-\d{2}",
    "days": r"\d+",
    "remedy": ".*",
}


def _reason_pattern(template: str) -> re.Pattern[str]:
    """A regular expression that reads the values back out of a sentence of ``template``."""
    pattern = re.escape(template)
    for name, part in _REASON_PARTS.items():
        pattern = pattern.replace(re.escape("{" + name + "}"), f"(?P<{name}>{part})")
    return re.compile(pattern, re.DOTALL)


def _reason_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    # Every English form of the sentence (English: 1 day, 0 or 2 days), with its ``how``.
    with i18n.using(i18n.DEFAULT_LANGUAGE):
        return tuple(
            (how, _reason_pattern(_no_rate(how, days)))
            for how in ("for", "published on")
            for days in (1, 2, None)  # the stale sentences first: the other reads them too
        )


_REASON_PATTERNS = _reason_patterns()
"""How :func:`rate_reason_words` recognises the English sentences of :func:`_no_rate`."""


def rate_reason_words(reason: str) -> str:
    """``reason`` in the active language where it is an :class:`FxTable`'s missing rate
    (``no EUR->USD rate for 2025-01-02: ...``, the reason a rejection keeps in English), its
    remedy too where the catalogs hold it; any other reason as it is (English).

    A rejection's reason stays English in the ledger's report and the store
    (docs/languages.md, "What stays English"); this is the reader's words for the one a
    person meets most and acts on by configuring rates, for a report's data-quality section.
    """
    if i18n.language() == i18n.DEFAULT_LANGUAGE:
        return reason
    for how, pattern in _REASON_PATTERNS:
        found = pattern.fullmatch(reason)
        if found is None:
            continue
        values = found.groupdict()
        days = values.get("days")
        values["remedy"] = _remedy_words(values["remedy"])
        template = _no_rate(how, None if days is None else int(days))
        return template.format(**values)
    return reason


def rejection_words(rejection: Rejection) -> str:
    """``str(rejection)`` for a reader of the active language: the reason of a missing rate
    in their words (:func:`rate_reason_words`), the record's place too
    (:meth:`~clientguard.records.Rejection.words`: ``inv.csv, wiersz 8``); the record, its
    source and field, and every other reason, as they are."""
    words = rate_reason_words(rejection.reason)
    return (rejection if words == rejection.reason else replace(rejection, reason=words)).words()


def combined_fx(
    first: FxTable, second: FxTable, *, names: tuple[str, str] = ("the first", "the second")
) -> FxTable:
    """One table with the rates of both (the table of two ledgers merged), the same whichever
    is given first.

    Both must be in the same base. A currency and day that both tables have must have the
    same rate (as a number: ``0.25`` and ``0.250`` agree, and the one written with more
    digits is kept), in :attr:`FxTable.rates` and in :attr:`FxTable.published` alike (a
    table without publication days publishes each rate on its own day); otherwise the two
    books were converted at different rates, and picking one would change the other's
    totals without a word: a :class:`DataError` names every such currency and day with both
    rates, each said to be in ``names[0]`` or ``names[1]``. The longer ``max_staleness_days``
    of the two is kept, and the first table's ``remedy`` and ``remedy_for``.
    """
    if first.base != second.base:
        raise DataError(
            f"cannot combine an FxTable in {second.base} with one in {first.base}: "
            "exchange rates to different base currencies are not the same rates"
        )
    conflicts: list[str] = []
    rates = _combined_rates(first.rates, second.rates, first.base, "for", names, conflicts)
    published: dict[str, dict[date, Decimal]] = {}
    if first.published or second.published:
        published = _combined_rates(
            first.published or first.rates, second.published or second.rates, first.base,
            "published on", names, conflicts,
        )
    if conflicts:
        shown = "; ".join(conflicts[:_CONFLICTS_SHOWN])
        more = len(conflicts) - _CONFLICTS_SHOWN
        if more > 0:
            shown += f"; and {more:,} more"
        raise DataError(
            f"two exchange rates for the same currency and day: {shown}. "
            "Choose one source of rates: build both ledgers with the same FxTable (in Python, "
            "clientguard.fx.fx_table(rows, base, order=[...]) puts the source you trust "
            "first), or give the documents their own fx_rate"
        )
    return FxTable(
        first.base,
        rates,
        max(first.max_staleness_days, second.max_staleness_days),
        first.remedy,
        published,
        first.remedy_for,
    )


_CONFLICTS_SHOWN = 5
"""The conflicting rates a :func:`combined_fx` error names one by one (then a count)."""


def _combined_rates(
    first: Mapping[str, Mapping[date, Decimal]],
    second: Mapping[str, Mapping[date, Decimal]],
    base: str,
    how: str,
    names: tuple[str, str],
    conflicts: list[str],
) -> dict[str, dict[date, Decimal]]:
    """The union of two tables' rates by currency and day; each day both have with different
    rates is added to ``conflicts`` (currency, day and both rates) in currency and day order."""
    combined = {currency: dict(by_date) for currency, by_date in first.items()}
    for currency in sorted(second):
        kept = combined.setdefault(currency, {})
        for day in sorted(second[currency]):
            rate = second[currency][day]
            held = kept.get(day)
            if held is None:
                kept[day] = rate
            elif held != rate:
                conflicts.append(f"{currency}->{base} {how} {day}: {held} in {names[0]}, "
                                 f"{rate} in {names[1]}")
            elif _places(rate) > _places(held):
                # Equal rates written differently (0.25 and 0.250): the longer writing either
                # way round, so that the products' digits do not depend on the order.
                kept[day] = rate
    return combined


def _places(value: Decimal) -> int:
    """The decimals ``value`` is written with (``0.250``: 3)."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) else 0


def _checked_rates(
    rates: Mapping[str, Mapping[date, Decimal]],
) -> dict[str, dict[date, Decimal]]:
    """An FxTable's rates checked (known currency codes, positive Decimal rates) and copied."""
    frozen: dict[str, dict[date, Decimal]] = {}
    for currency, by_date in rates.items():
        if not is_currency(currency):
            raise DataError(f"FxTable: unknown currency code {currency!r}")
        checked: dict[date, Decimal] = {}
        for day, rate in by_date.items():
            value = to_decimal(rate, what=f"FxTable rate {currency} on {day}")
            if value <= 0:
                raise DataError(f"FxTable rate {currency} on {day}: {value} is not positive")
            checked[day] = value
        frozen[currency] = checked
    return frozen


@dataclass(frozen=True, slots=True)
class RateRow:
    """One published rate: units of ``base`` per one unit of ``currency`` on ``published``."""

    source: str
    """Where it came from: ``nbp``, ``ecb``, or ``file:<name>``."""
    base: str
    currency: str
    published: date
    """The day the source gives the rate for (a bank's table date, a file's date)."""
    rate: Decimal
    applies_from: date
    """The first day a document is converted at it (the NBP's: the day after publication)."""
