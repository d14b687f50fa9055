"""A seeded generator of a realistic ledger: the demo, the docs and the benchmarks use it.

The sample firm is **Kestrel & Finch Digital B.V.**, a software and design agency in Utrecht
(base currency EUR, Dutch VAT of 21% on domestic invoices, reverse charge for clients
abroad) with a team of six, over the three years that end at ``as_of`` (default
:data:`SAMPLE_AS_OF`, 30 June 2026: the generator never reads the clock). Most of its clients
are healthy: 14, 30 or 45-day terms, invoices every month or so (some every fortnight, some
each quarter, some per project) for hours at 85-125 EUR or a fixed retainer, paid on or near
the due date, a few days early or, now and then, a few days late. Ten clients play a part,
named in :data:`SAMPLE_ROLES` (role -> customer id; the ids never depend on the seed):

=====================  =========================================================================
role                   who, and what is planted
=====================  =========================================================================
``chronic_late``       Halden Logistics GmbH: late on ~90% of its invoices by 26-50 days, all
                       three years (amount-weighted days late over the invoices due in the last
                       365 days: 26-40 across seeds); a goodwill credit note left on account.
``worsening_late``     Marlowe Retail B.V.: never late until 16 months before ``as_of``, then
                       later every month, days beyond terms rising linearly to ~48 at ``as_of``
                       (a monthly series a Mann-Kendall test rejects "no trend" on, p << 0.01).
``big_client``         Vantage Insurance N.V.: 36% of the last 365 days' net revenue (EUR),
                       billed fortnightly on 45-day terms, never late.
``group_parent``       Orbis Media Holding B.V. and Orbis Studios B.V., one ``group_id``
``group_subsidiary``   (``orbis-group``): 6.5% and 5.5% of the last 365 days' net revenue, so the
                       group (12%) crosses the 10% "major customer" line that neither does alone.
                       Orbis Studios has a duplicate invoice that was voided; Orbis Media once
                       paid 250.00 EUR too much (unapplied cash).
``capacity``           Petrel Health B.V.: a 3,000 EUR/month retainer (+VAT) whose work takes
                       four times the hours its revenue pays for (hours share / revenue share
                       about 4 over the last 365 days); one invoice written down by a credit
                       note; this month's invoice is still a draft.
``rush``               Quickline Events B.V.: ~75% of its work requests are wanted within two
                       days (some "for yesterday"); other clients ask 7-30 days ahead. Pays by
                       card (invoices carry ``paid_on`` and no payment records) and paid a
                       deposit for an event not yet invoiced (a payment with no allocation).
``usd_client``         Lakeshore Analytics Inc. (Chicago): invoiced in USD; every USD document
                       carries the ``fx_rate`` the invoicing tool recorded.
``gbp_client``         Thornbury Press Ltd (Bath): invoiced in GBP with no ``fx_rate``, converted
                       with the FxTable; one invoice paid in three instalments, one paid from a
                       EUR account (a cross-currency allocation).
``churned_unpaid``     Copperleaf Foods GmbH: stopped working with the firm nine months before
                       ``as_of``; its last invoice was never paid (far past due), and one old
                       invoice came from the previous tool marked paid with no date at all.
=====================  =========================================================================

Elsewhere, at random: credit notes on ~2% of invoices (5-25% of the invoice, applied to it),
~3% of invoices paid in two or three parts, a few overpayments, clients that pay by card
(``paid_on`` only), clients that joined or left during the three years. The seed-dependent ids
of the records that show each data-quality case are in :attr:`SampleData.landmarks`.

Currencies: the FxTable holds a daily (business-day) rate for USD and GBP, in EUR per unit, four
decimals, a bounded random walk around 0.92 and 1.17. USD documents also carry their own
``fx_rate`` (that day's table rate, as a tool such as Xero records it), GBP documents do not, so
both ways of pricing a document are exercised. Build the ledger with the table
(:meth:`SampleData.ledger` does).

API::

    from clientguard.sample import SAMPLE_ROLES, sample_ledger, sample_records

    ledger = sample_ledger(seed=7)                      # a Ledger, built strictly
    data = sample_records(seed=7, invoices=1_000_000)   # a SampleData: the records, by kind,
    write_csv(data.invoices, ...)                       # plus fx, as_of, roles, landmarks
    ledger = data.ledger()                              # the same ledger, built once

``sample_records`` returns a :class:`SampleData` whose ``customers``, ``invoices``,
``payments``, ``credit_notes``, ``time_entries`` and ``work_requests`` are lists of model
records (all with ``source="sample"``); ``records()`` yields them all, ``fx`` is the
:class:`~clientguard.money.FxTable` and ``ledger()`` builds the
:class:`~clientguard.ledger.Ledger` from them.

Determinism: everything comes from :class:`random.Random` instances seeded from ``seed`` (no
global random state, no clock, no hash-order dependence): the same arguments give identical
records. Money never passes through a float: amounts are integer cents (hours x an hourly rate
in cents, or a retainer, plus VAT rounded half up to the cent, as an invoicing tool does) and
become Decimals only at the end; rates are integers of 1/10,000 EUR. Floats appear only as
probabilities, day offsets and the weights that pick which client a person works on.

Scale: by default each client is billed at its natural cadence (about 1,300 invoices for 40
customers). ``invoices=N`` gives exactly N invoices (void and draft ones included), spread over
the same ``customers`` by billing them more (or less) densely in proportion to their natural
cadence. The clients with a role never fall below their natural cadence, so the planted patterns
keep their statistics; N below that floor (plus one invoice per other client) is a ValueError.
Time entries and work requests follow the clients and the calendar, not ``invoices``: the team
grows with ``customers`` (six people for 40 customers, at most 100), so 40 customers come with
about 7,400 time entries and 1,400 work requests whether they have 1,300 invoices or a million.
A payment pays at most 20 invoices (a client with dense billing pays each day's invoices in
batches of 20). Every record is built once, in one pass, with one sort per kind:
``sample_ledger(invoices=1_000_000)`` takes about 40 s of CPU and 2.8 GB at its peak (measured
on the 2-core reference machine; ``docs/sample-data.md`` has the numbers).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from random import Random
from types import MappingProxyType

from dateutil.relativedelta import relativedelta

from clientguard.ledger import Ledger
from clientguard.model import (
    Allocation,
    AnyRecord,
    CreditNote,
    Customer,
    Invoice,
    InvoiceStatus,
    Payment,
    TimeEntry,
    WorkRequest,
)
from clientguard.money import FxTable

__all__ = [
    "SAMPLE_AS_OF",
    "SAMPLE_BASE_CURRENCY",
    "SAMPLE_FIRM",
    "SAMPLE_GROUP_ID",
    "SAMPLE_ROLES",
    "SAMPLE_SOURCE",
    "SampleData",
    "sample_ledger",
    "sample_records",
]

SAMPLE_AS_OF = date(2026, 6, 30)
"""The default ``as_of``: the sample's history is the three years ending on this day."""
SAMPLE_BASE_CURRENCY = "EUR"
"""The sample firm's base currency."""
SAMPLE_SOURCE = "sample"
"""The ``source`` of every sample record."""
SAMPLE_FIRM = "Kestrel & Finch Digital B.V."
"""The firm whose books the sample is."""
SAMPLE_GROUP_ID = "orbis-group"
"""The ``group_id`` the two Orbis companies share."""

SAMPLE_ROLES: Mapping[str, str] = MappingProxyType(
    {
        "chronic_late": "halden-logistics",
        "worsening_late": "marlowe-retail",
        "big_client": "vantage-insurance",
        "group_parent": "orbis-media",
        "group_subsidiary": "orbis-studios",
        "capacity": "petrel-health",
        "rush": "quickline-events",
        "usd_client": "lakeshore-analytics",
        "gbp_client": "thornbury-press",
        "churned_unpaid": "copperleaf-foods",
    }
)
"""Role -> customer id of the clients that carry a planted pattern (the same for every seed)."""

_MIN_CUSTOMERS = len(SAMPLE_ROLES)
_PAYMENT_MAX_ALLOCATIONS = 20
"""A payment pays at most this many invoices: a remittance covers a day's invoices in batches,
and the ledger's per-document checks stay linear."""
_WINDOW_DAYS = 365
"""The look-back of the revenue shares the generator plants (Policy.lookback_days' default)."""
_WORSENING_DAYS = 480
"""Marlowe Retail starts paying later this many days (about 16 months) before ``as_of``."""
_WORSENING_PEAK = 48
"""Marlowe Retail's days beyond terms at ``as_of`` (the line it rises along)."""
_TARGET_PER_MILLE = {"big_client": 360, "group_parent": 65, "group_subsidiary": 55}
"""Net revenue shares (per mille of the last 365 days, in EUR) planted exactly: the amounts of
these clients' invoices are set from the other clients' revenue."""

_ZERO_CENTS = Decimal("0.00")


# ---------------------------------------------------------------------------------- the result
@dataclass(frozen=True)
class SampleData:
    """The sample's records by kind, with the FxTable that prices them and where to find things.

    Lists rather than tuples so that a benchmark can hand them to a writer without copying;
    treat them as read-only.
    """

    customers: list[Customer]
    invoices: list[Invoice]
    """In issue-date order (ids ``INV-<year>-<n>`` are numbered in that order per year)."""
    payments: list[Payment]
    credit_notes: list[CreditNote]
    time_entries: list[TimeEntry]
    work_requests: list[WorkRequest]
    fx: FxTable
    """Daily EUR rates of USD and GBP over the whole history (business days)."""
    as_of: date
    """The day the books were taken: nothing in them is dated later, except due and
    wanted-by dates."""
    roles: Mapping[str, str] = field(default_factory=lambda: SAMPLE_ROLES)
    """Role -> customer id (:data:`SAMPLE_ROLES`)."""
    landmarks: Mapping[str, str] = field(default_factory=dict)
    """Where each data-quality case is, by record id (these depend on the seed):
    ``void_invoice``, ``draft_invoice``, ``paid_date_unknown_invoice``,
    ``paid_on_only_invoice``, ``partial_payment_invoice`` (paid in three parts),
    ``far_overdue_invoice``, ``applied_credit_note``, ``unapplied_credit_note``,
    ``deposit_payment`` (no allocation), ``overpayment`` (partly unapplied),
    ``cross_currency_payment`` (EUR paying a GBP invoice)."""
    base_currency: str = SAMPLE_BASE_CURRENCY

    def records(self) -> Iterator[AnyRecord]:
        """Every record, kind by kind."""
        yield from self.customers
        yield from self.invoices
        yield from self.payments
        yield from self.credit_notes
        yield from self.time_entries
        yield from self.work_requests

    def ledger(self, *, strict: bool = True) -> Ledger:
        """The ledger of these records, in EUR with :attr:`fx` (strict: nothing is rejected)."""
        return Ledger.build(
            self.records(), base_currency=self.base_currency, fx=self.fx, strict=strict
        )


def sample_ledger(
    seed: int = 0,
    *,
    as_of: date = SAMPLE_AS_OF,
    customers: int = 40,
    invoices: int | None = None,
) -> Ledger:
    """The sample firm's ledger (see the module docstring), built strictly with its FxTable.

    Same arguments, same ledger. Raises ``ValueError`` for fewer than ten customers or fewer
    invoices than the planted patterns need.
    """
    return sample_records(seed, as_of=as_of, customers=customers, invoices=invoices).ledger()


def sample_records(
    seed: int = 0,
    *,
    as_of: date = SAMPLE_AS_OF,
    customers: int = 40,
    invoices: int | None = None,
) -> SampleData:
    """The sample firm's records, FxTable, roles and landmarks, without building a ledger.

    ``customers`` is the number of customers (at least ten: one per role, and others);
    ``invoices`` the exact number of invoices, or None for each client's natural cadence.
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, not {type(seed).__name__}")
    if customers < _MIN_CUSTOMERS:
        raise ValueError(
            f"customers={customers}: the sample needs at least {_MIN_CUSTOMERS} customers, one "
            "for each role in SAMPLE_ROLES"
        )
    return _Generator(seed, as_of, customers).run(invoices)


# ---------------------------------------------------------------------------------- calendar
def _weekday(ordinal: int) -> int:
    """Monday 0 ... Sunday 6 (date.fromordinal(1) is a Monday)."""
    return (ordinal - 1) % 7


def _previous_business_day(ordinal: int) -> int:
    """The business day on or before ``ordinal``."""
    weekday = _weekday(ordinal)
    return ordinal if weekday < 5 else ordinal - (weekday - 4)


def _business_day(ordinal: int, limit: int) -> int:
    """The next business day on or after ``ordinal``, or the previous one when that would pass
    ``limit`` (money moves on business days; nothing is dated after ``as_of``)."""
    weekday = _weekday(ordinal)
    if weekday < 5:
        return ordinal
    later = ordinal + 7 - weekday
    return later if later <= limit else ordinal - (weekday - 4)


# ---------------------------------------------------------------------------------- clients
@dataclass(slots=True)
class _Client:
    """A client's profile: who it is, how it is billed and how it pays."""

    index: int
    id: str
    name: str
    country: str
    role: str | None = None
    currency: str = "EUR"
    vat: int = 21
    terms: int = 30
    period: float = 30.4
    """Natural days between two invoices."""
    jitter: float = 0.1
    """How far (a share of the period) an issue date strays from its slot."""
    first: int = 0
    last: int = 0
    """First and last day (ordinals) the client can be invoiced."""
    payer: str = "healthy"
    mean_offset: int = -2
    """Healthy payers: typical days beyond terms (negative: early)."""
    slip: float = 0.05
    """Healthy payers: chance of an occasional slip of 4-20 days."""
    by_card: bool = False
    rate_cents: int = 9500
    """Hourly rate, cents."""
    quarters: int = 120
    """Typical quarter-hours billed per invoice (hourly clients)."""
    retainer_cents: int = 0
    """Fixed net amount per invoice (0: billed by the hour)."""
    hours_factor: float = 1.0
    """How much more of the team's time it takes than its revenue pays for."""
    requests: tuple[int, int] = (0, 2)
    """Work requests per month, low and high."""
    rush_client: bool = False
    credit_rate: float = 0.02
    partial_rate: float = 0.03
    group_id: str | None = None
    tax_id: str | None = None
    email: str | None = None
    natural: int = 0
    """Invoices at the natural cadence over its active span."""


_ROLE_PROFILES: tuple[tuple[str, str, str, dict[str, object]], ...] = (
    # (role, name, country, profile overrides)
    ("chronic_late", "Halden Logistics GmbH", "DE",
     {"payer": "chronic", "terms": 30, "quarters": 110, "rate_cents": 9500,
      "credit_rate": 0.0}),
    ("worsening_late", "Marlowe Retail B.V.", "NL",
     {"payer": "worsening", "terms": 30, "quarters": 100, "rate_cents": 10500,
      "credit_rate": 0.0, "partial_rate": 0.0}),
    ("big_client", "Vantage Insurance N.V.", "NL",
     {"terms": 45, "period": 14.0, "mean_offset": -4, "slip": 0.0, "credit_rate": 0.0,
      "partial_rate": 0.0, "rate_cents": 11000}),
    ("group_parent", "Orbis Media Holding B.V.", "NL",
     {"terms": 30, "mean_offset": -1, "slip": 0.03, "credit_rate": 0.0, "partial_rate": 0.0,
      "group_id": SAMPLE_GROUP_ID}),
    ("group_subsidiary", "Orbis Studios B.V.", "NL",
     {"terms": 30, "mean_offset": -3, "slip": 0.03, "credit_rate": 0.0, "partial_rate": 0.0,
      "group_id": SAMPLE_GROUP_ID}),
    ("capacity", "Petrel Health B.V.", "NL",
     {"terms": 14, "mean_offset": -1, "slip": 0.03, "retainer_cents": 300_000,
      "rate_cents": 9500, "hours_factor": 4.0, "credit_rate": 0.0, "partial_rate": 0.0}),
    ("rush", "Quickline Events B.V.", "NL",
     {"terms": 14, "period": 21.0, "jitter": 0.35, "mean_offset": -4, "slip": 0.04,
      "by_card": True, "quarters": 70, "rate_cents": 9500, "requests": (3, 6),
      "rush_client": True}),
    ("usd_client", "Lakeshore Analytics Inc.", "US",
     {"currency": "USD", "vat": 0, "terms": 30, "mean_offset": -1, "quarters": 80,
      "rate_cents": 12500}),
    ("gbp_client", "Thornbury Press Ltd", "GB",
     {"currency": "GBP", "vat": 0, "terms": 30, "mean_offset": -2, "quarters": 70,
      "rate_cents": 9500}),
    ("churned_unpaid", "Copperleaf Foods GmbH", "DE",
     {"terms": 30, "mean_offset": -1, "quarters": 60, "credit_rate": 0.0,
      "partial_rate": 0.0}),
)  # fmt: skip

_PREFIXES = (
    "Alder", "Amber", "Aspen", "Beacon", "Birch", "Blue Fern", "Bramble", "Brightside", "Cedar",
    "Clearwater", "Cobalt", "Coral", "Crestline", "Driftwood", "Elm", "Evergreen", "Fernhill",
    "Fjord", "Foxglove", "Granite", "Greenway", "Harbour", "Hazel", "Heron", "Highland", "Ivy",
    "Juniper", "Kingfisher", "Lantern", "Larch", "Linden", "Maple", "Meadow", "Millbrook",
    "Moss", "Northstar", "Oakridge", "Olive", "Pebble", "Pine", "Quarry", "Redwood",
    "Riverside", "Rowan", "Saffron", "Sage", "Silverline", "Slate", "Sorrel", "Spruce",
    "Stonebridge", "Summit", "Tamarind", "Tidewater", "Timber", "Verde", "Westbrook", "Willow",
    "Wren", "Yarrow",
)  # fmt: skip
_SECTORS = (
    "Architects", "Bakeries", "Bikes", "Brewing", "Builders", "Capital", "Clinics", "Coffee",
    "Consulting", "Dental", "Design", "Energy", "Engineering", "Fashion", "Fitness", "Foods",
    "Furniture", "Gardens", "Hotels", "Brokers", "Interiors", "Labs", "Legal", "Logistics",
    "Marine", "Media", "Motors", "Optics", "Outdoor", "Partners", "Pharma", "Print",
    "Properties", "Robotics", "Software", "Solar", "Textiles", "Travel", "Ventures", "Wines",
)  # fmt: skip
# Country -> (weight among generic clients, legal form, web domain, VAT % on our invoices).
# Domestic (NL) invoices carry 21% VAT; EU clients are reverse-charged (0%).
_COUNTRIES: Mapping[str, tuple[int, str, str, int]] = {
    "NL": (55, "B.V.", "nl", 21),
    "DE": (14, "GmbH", "de", 0),
    "BE": (10, "BV", "be", 0),
    "FR": (7, "SAS", "fr", 0),
    "AT": (4, "GmbH", "at", 0),
    "IE": (4, "Ltd", "ie", 0),
    "ES": (3, "S.L.", "es", 0),
    "FI": (3, "Oy", "fi", 0),
}
_TEAM = (
    "Anna de Vries", "Bram Jansen", "Chloé Martin", "Daan Bakker", "Eva Visser", "Finn Smit",
)  # fmt: skip
_FIRST_NAMES = (
    "Gijs", "Hanna", "Isa", "Jorn", "Kiki", "Lars", "Mila", "Noah", "Olga", "Pim", "Rosa",
    "Sem", "Tess", "Uma", "Vince", "Wout", "Yara", "Zoë", "Luuk", "Fleur",
)  # fmt: skip
_LAST_NAMES = (
    "Mulder", "de Boer", "Meijer", "de Graaf", "Kok", "Peters", "Hendriks", "Dekker",
    "Brouwer", "de Wit", "Dijkstra", "Vos",
)  # fmt: skip


def _tax_id(country: str, rng: Random) -> str:
    digits = rng.randrange
    formats = {
        "NL": lambda: f"NL{digits(10**8, 10**9):09d}B01",
        "DE": lambda: f"DE{digits(10**8, 10**9):09d}",
        "BE": lambda: f"BE0{digits(10**8, 10**9):09d}",
        "FR": lambda: f"FR{digits(10, 100)}{digits(10**8, 10**9):09d}",
        "AT": lambda: f"ATU{digits(10**7, 10**8):08d}",
        "IE": lambda: f"IE{digits(10**6, 10**7):07d}A",
        "ES": lambda: f"ESB{digits(10**7, 10**8):08d}",
        "FI": lambda: f"FI{digits(10**7, 10**8):08d}",
        "GB": lambda: f"GB{digits(10**8, 10**9):09d}",
        "US": lambda: f"{digits(10, 100)}-{digits(10**6, 10**7):07d}",
    }
    return formats[country]()


# ---------------------------------------------------------------------------------- drafts
@dataclass(slots=True)
class _Draft:
    """An invoice before it becomes a record: plain ints (day ordinals, cents) for speed."""

    client: _Client
    seq: int
    """Its place among the client's invoices (0 = first)."""
    issued: int
    due: int
    cents: int = 0
    status: InvoiceStatus = "open"
    parts: list[tuple[int, int]] = field(default_factory=list)
    """Payments received by ``as_of``: (day, cents in the invoice's currency)."""
    credit: tuple[int, int] | None = None
    """A credit note applied to it: (day, cents)."""
    paid_on: int | None = None
    amount_due: int | None = None
    special: str | None = None
    """The landmark it is, if any."""
    id: str = ""


class _Generator:
    """One run of the generator: plans the clients, bills them, then writes records."""

    def __init__(self, seed: int, as_of: date, customers: int) -> None:
        self.seed = seed
        self.as_of = as_of
        self.end = as_of.toordinal()
        self.start = (as_of - relativedelta(years=3)).toordinal() + 1
        self.customer_count = customers
        self.days: dict[int, date] = {}
        self.landmarks: dict[str, str] = {}
        # Calendar months of the history as (first day, last day) ordinals, the first and last
        # cut to the history.
        self.months: list[tuple[int, int]] = []
        month = date.fromordinal(self.start).replace(day=1)
        while month.toordinal() <= self.end:
            following = month + relativedelta(months=1)
            self.months.append(
                (max(month.toordinal(), self.start), min(following.toordinal() - 1, self.end))
            )
            month = following

    def rng(self, stream: str) -> Random:
        """An independent stream per phase, so one phase's draws never shift another's."""
        # A str seed is hashed with SHA-512 (not hash()), so it is stable across processes.
        # Not for secrets: sample data only.
        return Random(f"clientguard.sample/{self.seed}/{stream}")  # noqa: S311

    def day(self, ordinal: int) -> date:
        """The date of an ordinal, one shared object per day (a million invoices share ~1,100)."""
        found = self.days.get(ordinal)
        if found is None:
            found = self.days[ordinal] = date.fromordinal(ordinal)
        return found

    # ------------------------------------------------------------------------------ run
    def run(self, invoices: int | None) -> SampleData:
        self.fx_units = self.plan_rates(self.rng("fx"))
        clients = self.plan_clients(self.rng("clients"))
        counts = self.invoice_counts(clients, invoices)
        drafts, credits = self.bill(clients, counts, self.rng("billing"))
        invoice_records, payment_plan, credit_plan = self.write_invoices(clients, drafts)
        payments = self.write_payments(clients, payment_plan, self.rng("payments"))
        credit_notes = self.write_credit_notes(clients, credit_plan, credits)
        time_entries = self.write_time_entries(clients, drafts, self.rng("time"))
        work_requests = self.write_work_requests(clients, self.rng("requests"))
        return SampleData(
            customers=[self.write_customer(c) for c in sorted(clients, key=lambda c: c.id)],
            invoices=invoice_records,
            payments=payments,
            credit_notes=credit_notes,
            time_entries=time_entries,
            work_requests=work_requests,
            fx=self.fx_table(),
            as_of=self.as_of,
            landmarks=MappingProxyType(dict(sorted(self.landmarks.items()))),
        )

    # ------------------------------------------------------------------------------ rates
    def plan_rates(self, rng: Random) -> dict[str, dict[int, int]]:
        """Daily rates in 1/10,000 EUR per unit: a random walk pulled back to its centre."""
        rates: dict[str, dict[int, int]] = {}
        for currency, centre in (("USD", 9200), ("GBP", 11700)):
            level = centre + rng.randint(-150, 150)
            by_day: dict[int, int] = {}
            for ordinal in range(self.start - 14, self.end + 1):
                if _weekday(ordinal) >= 5:
                    continue
                level += rng.randint(-30, 30) + (centre - level) // 60
                by_day[ordinal] = level
            rates[currency] = by_day
        return rates

    def rate_units(self, currency: str, ordinal: int) -> int:
        """EUR per unit of ``currency`` on a day, in 1/10,000 (the last business day's rate)."""
        if currency == SAMPLE_BASE_CURRENCY:
            return 10_000
        by_day = self.fx_units[currency]
        while ordinal not in by_day:
            ordinal -= 1
        return by_day[ordinal]

    def rate(self, currency: str, ordinal: int) -> Decimal:
        return Decimal(self.rate_units(currency, ordinal)).scaleb(-4)

    def fx_table(self) -> FxTable:
        return FxTable(
            SAMPLE_BASE_CURRENCY,
            {
                currency: {self.day(o): Decimal(u).scaleb(-4) for o, u in by_day.items()}
                for currency, by_day in self.fx_units.items()
            },
        )

    # ------------------------------------------------------------------------------ clients
    def plan_clients(self, rng: Random) -> list[_Client]:
        clients: list[_Client] = []
        for role, name, country, overrides in _ROLE_PROFILES:
            client = _Client(
                index=len(clients), id=SAMPLE_ROLES[role], name=name, country=country, role=role,
                first=self.start, last=self.end,
            )  # fmt: skip
            for key, value in overrides.items():
                setattr(client, key, value)
            if client.currency == SAMPLE_BASE_CURRENCY:
                client.vat = 21 if country == "NL" else 0
            clients.append(client)
        churned = clients[-1]
        churned.last = self.end - 270

        combos = len(_PREFIXES) * len(_SECTORS)
        order = list(range(combos))
        rng.shuffle(order)
        countries = list(_COUNTRIES)
        country_weights = [_COUNTRIES[c][0] for c in countries]
        for number in range(self.customer_count - len(clients)):
            cycle, slot = divmod(number, combos)
            prefix = _PREFIXES[order[slot] // len(_SECTORS)]
            sector = _SECTORS[order[slot] % len(_SECTORS)]
            country = rng.choices(countries, country_weights)[0]
            _, legal_form, _, vat = _COUNTRIES[country]
            slug = f"{prefix} {sector}".lower().replace(" ", "-")
            client = _Client(
                index=len(clients),
                id=slug if cycle == 0 else f"{slug}-{cycle + 1}",
                name=f"{prefix} {sector} {legal_form}" + (f" ({cycle + 1})" if cycle else ""),
                country=country,
                vat=vat,
                terms=rng.choices((14, 30, 45), (25, 55, 20))[0],
                first=self.start,
                last=self.end,
                mean_offset=rng.randint(-8, -1),
                slip=rng.choice((0.03, 0.05, 0.08, 0.12)),
                by_card=rng.random() < 0.12,
                rate_cents=rng.choice((8500, 9500, 9500, 11000, 12500)),
                quarters=rng.choice((8, 12, 16, 20, 24, 32, 40, 48, 64, 80, 100)),
            )
            cadence = rng.choices(("monthly", "fortnightly", "quarterly", "project"),
                                  (65, 10, 10, 15))[0]  # fmt: skip
            if cadence == "fortnightly":
                client.period, client.quarters = 14.0, max(8, client.quarters // 2)
            elif cadence == "quarterly":
                client.period, client.quarters = 91.0, client.quarters * 3
            elif cadence == "project":
                client.period, client.jitter = 45.0, 0.4
            if rng.random() < 0.2:
                client.retainer_cents = client.quarters * client.rate_cents // 4 // 5000 * 5000
            life = rng.random()
            if life < 0.15:  # joined during the three years
                client.first = rng.randint(self.start + 60, self.end - 200)
            elif life < 0.25:  # left during the three years, everything paid
                client.last = rng.randint(self.start + 200, self.end - 60)
            clients.append(client)

        for client in clients:
            _, _, tld, _ = _COUNTRIES.get(client.country, (0, "", "com", 0))
            tld = {"US": "com", "GB": "co.uk"}.get(client.country, tld)
            domain = client.id.rsplit("-", 1)[0] if client.id[-1].isdigit() else client.id
            client.email = f"{rng.choice(('accounts', 'invoices', 'finance'))}@{domain}.{tld}"
            client.tax_id = (
                _tax_id(client.country, rng) if client.role or rng.random() < 0.9 else None
            )
            client.natural = max(1, round((client.last - client.first + 1) / client.period))
        return clients

    def invoice_counts(self, clients: list[_Client], invoices: int | None) -> list[int]:
        """Invoices per client: the natural cadence, or exactly ``invoices`` in all."""
        natural = [c.natural for c in clients]
        if invoices is None:
            return natural
        total = sum(natural)
        role_floor = sum(c.natural for c in clients if c.role)
        generic = [c for c in clients if not c.role]
        minimum = role_floor + len(generic)
        if invoices < minimum:
            raise ValueError(
                f"invoices={invoices}: with {len(clients)} customers the sample needs at least "
                f"{minimum} invoices (the role clients at their natural cadence, "
                f"{role_floor}, and one for each other client); the natural count is {total}"
            )
        if invoices >= total:
            return _apportion(invoices, natural, [0] * len(clients))
        # Fewer than natural: the role clients keep their cadence, the others share the rest.
        counts = [c.natural if c.role else 0 for c in clients]
        shares = _apportion(
            invoices - role_floor,
            [0 if c.role else c.natural for c in clients],
            [0 if c.role else 1 for c in clients],
        )
        return [a + b for a, b in zip(counts, shares, strict=True)]

    # ------------------------------------------------------------------------------ billing
    def bill(
        self, clients: list[_Client], counts: list[int], rng: Random
    ) -> tuple[list[_Draft], list[tuple[_Client, int, int, str | None]]]:
        """Every client's invoices with amounts and what was paid on them by ``as_of``.

        The clients with a planted revenue share are billed last, from the others' revenue
        over the last 365 days. Returns the drafts and the credit notes not applied to any
        invoice: (client, day, cents, landmark).
        """
        window_from = self.end - _WINDOW_DAYS
        other_revenue = 0  # the window's net revenue of the untargeted clients, 1e-6 EUR
        credits: list[tuple[_Client, int, int, str | None]] = []
        drafts_by_client: list[list[_Draft]] = []
        for client, count in zip(clients, counts, strict=True):
            drafts = self.issue_dates(client, count, rng)
            drafts_by_client.append(drafts)
            self.mark_specials(client, drafts)
            if client.role in _TARGET_PER_MILLE:
                continue
            for draft in drafts:
                draft.cents = self.amount(client, rng)
                self.settle(client, draft, rng)
            if client.role == "chronic_late":
                # A goodwill credit after a dispute, left on account: it reduces revenue.
                on = _business_day(self.end - 100, self.end)
                credits.append((client, on, 60_000, "unapplied_credit_note"))
                if on > window_from:
                    other_revenue -= 60_000 * self.rate_units(client.currency, on)
            for draft in drafts:
                if draft.status in ("void", "draft"):
                    continue
                if draft.issued > window_from:
                    other_revenue += draft.cents * self.rate_units(client.currency, draft.issued)
                if draft.credit is not None and draft.credit[0] > window_from:
                    other_revenue -= draft.credit[1] * self.rate_units(
                        client.currency, draft.credit[0]
                    )

        targeted = sum(_TARGET_PER_MILLE.values())
        for client, drafts in zip(clients, drafts_by_client, strict=True):
            if client.role not in _TARGET_PER_MILLE:
                continue
            share = _TARGET_PER_MILLE[client.role]
            target_cents = other_revenue * share // (1000 - targeted) // 10_000
            counted = [
                d for d in drafts if d.issued > window_from and d.status not in ("void", "draft")
            ]
            weights = [rng.randint(85, 115) for _ in counted]
            amounts = _apportion(target_cents, weights, [0] * len(weights))
            for draft, cents in zip(counted, amounts, strict=True):
                draft.cents = cents
            typical = target_cents // max(1, len(counted))
            for draft in drafts:
                if draft.cents == 0:
                    draft.cents = typical * rng.randint(85, 115) // 100
                self.settle(client, draft, rng)
        return [d for drafts in drafts_by_client for d in drafts], credits

    def issue_dates(self, client: _Client, count: int, rng: Random) -> list[_Draft]:
        """``count`` invoices spread evenly over the client's active span, each near its slot."""
        span = client.last - client.first + 1
        interval = span / count
        drafts = []
        for seq in range(count):
            slot = (seq + 0.5 + rng.uniform(-client.jitter, client.jitter)) * interval
            issued = _business_day(min(client.last, client.first + int(slot)), self.end)
            drafts.append(_Draft(client, seq, issued, issued + client.terms))
        return drafts

    def mark_specials(self, client: _Client, drafts: list[_Draft]) -> None:
        """Put each guaranteed data-quality case on a chosen invoice of a role client."""
        count = len(drafts)
        window_from = self.end - _WINDOW_DAYS
        in_window = [d for d in drafts if d.issued > window_from]
        if client.role == "group_subsidiary" and in_window:
            in_window[len(in_window) // 2].status = "void"
            in_window[len(in_window) // 2].special = "void_invoice"
        elif client.role == "capacity":
            drafts[-1].status = "draft"
            drafts[-1].special = "draft_invoice"
            # Written down about two months ago, so the credit note is in the books by as_of.
            earlier = [d for d in drafts[:-1] if d.issued <= self.end - 60] or drafts[:1]
            earlier[-1].special = "applied_credit_note"
        elif client.role == "churned_unpaid":
            drafts[-1].special = "far_overdue_invoice"
            drafts[1 if count > 2 else 0].special = "paid_date_unknown_invoice"
        elif client.role == "gbp_client" and count >= 3:
            drafts[count // 3].special = "partial_payment_invoice"
            drafts[count // 2].special = "cross_currency_payment"
        elif client.role == "rush":
            drafts[0].special = "paid_on_only_invoice"

    def amount(self, client: _Client, rng: Random) -> int:
        """Gross cents of one invoice: hours (or the retainer) at the client's rate, plus VAT."""
        if client.retainer_cents:
            net = client.retainer_cents
            if rng.random() < 0.25:  # extra work beyond the retainer
                net += rng.randint(4, 40) * client.rate_cents // 4
        else:
            quarters = max(2, client.quarters * rng.randint(60, 140) // 100)
            net = quarters * client.rate_cents // 4
        return net + (net * client.vat + 50) // 100

    def days_beyond_terms(self, client: _Client, due: int, rng: Random) -> int:
        """When the client pays, relative to the due date (the planted payment habits)."""
        if client.payer == "chronic":
            return rng.randint(26, 50) if rng.random() < 0.9 else rng.randint(-3, 0)
        if client.payer == "worsening":
            onset = self.end - _WORSENING_DAYS
            if due <= onset:
                return rng.randint(-5, 0)
            return round(_WORSENING_PEAK * (due - onset) / _WORSENING_DAYS) + rng.randint(-4, 4)
        offset = client.mean_offset + rng.randint(-3, 2)
        if rng.random() < client.slip:
            offset += rng.randint(4, 20)
        return offset

    def settle(self, client: _Client, draft: _Draft, rng: Random) -> None:
        """What was paid or credited on the invoice by ``as_of``, and its status then."""
        end = self.end
        special = draft.special
        if draft.status in ("void", "draft"):
            draft.amount_due = 0 if draft.status == "void" else None
            return
        if special == "far_overdue_invoice":
            draft.amount_due = draft.cents
            return
        if special == "paid_date_unknown_invoice":
            draft.status, draft.amount_due = "paid", 0
            return
        beyond = self.days_beyond_terms(client, draft.due, rng)
        planned_day = max(draft.issued, draft.due + beyond)
        # A client paying by the due date pays on the business day before a weekend; one
        # paying after it pays on the Monday.
        settled = (
            _business_day(planned_day, end) if beyond > 0 else _previous_business_day(planned_day)
        )
        remaining = draft.cents
        if client.by_card:
            if settled <= end:
                draft.status, draft.paid_on, draft.amount_due = "paid", settled, 0
            else:
                draft.amount_due = remaining
            return
        if special == "applied_credit_note" or (
            special is None and rng.random() < client.credit_rate
        ):
            on = _business_day(draft.issued + rng.randint(1, 10), end)
            if on <= end:
                cents = draft.cents * rng.randint(5, 25) // 100
                draft.credit = (on, cents)
                remaining -= cents
                settled = max(settled, on)
        planned: list[tuple[int, int]] = [(settled, remaining)]
        if special == "partial_payment_invoice":
            # Three instalments two weeks apart, the last twelve days after the due date.
            first, second = remaining * 30 // 100, remaining * 35 // 100
            planned = [
                (_business_day(draft.issued + 10, end), first),
                (_business_day(draft.issued + 24, end), second),
                (_business_day(draft.due + 12, end), remaining - first - second),
            ]
        elif special is None and rng.random() < client.partial_rate:
            for _ in range(rng.randint(1, 2)):
                day, cents = planned[0]
                earlier = _business_day(max(draft.issued, day - rng.randint(10, 30)), end)
                if earlier >= day:
                    break
                first = cents * rng.randint(30, 60) // 100
                planned[0:1] = [(earlier, first), (day, cents - first)]
        draft.parts = [p for p in planned if p[0] <= end]
        paid = sum(cents for _, cents in draft.parts)
        draft.amount_due = remaining - paid
        if draft.amount_due == 0:
            draft.status = "paid"

    # ------------------------------------------------------------------------------ records
    def write_customer(self, client: _Client) -> Customer:
        return Customer(
            id=client.id,
            name=client.name,
            tax_id=client.tax_id,
            email=client.email,
            group_id=client.group_id,
            source=SAMPLE_SOURCE,
        )

    def write_invoices(
        self, clients: list[_Client], drafts: list[_Draft]
    ) -> tuple[
        list[Invoice],
        dict[tuple[int, int, str], list[tuple[str, int]]],
        list[tuple[_Client, int, int, str, str | None]],
    ]:
        """Invoice records numbered per year in issue order; what pays them, grouped by
        (day, client, currency) into future payments; the credit notes applied to them."""
        # Issue order, the client's place in the list and its own order as tie-breaks: the
        # numbering is a function of the seed alone.
        drafts.sort(key=lambda d: (d.issued, d.client.index, d.seq))
        numbers: dict[int, int] = {}
        records: list[Invoice] = []
        payment_plan: dict[tuple[int, int, str], list[tuple[str, int]]] = {}
        credit_plan: list[tuple[_Client, int, int, str, str | None]] = []
        cents_decimal = _cents
        for draft in drafts:
            client = draft.client
            year = self.day(draft.issued).year
            numbers[year] = number = numbers.get(year, 0) + 1
            draft.id = ident = f"INV-{year}-{number:05d}"
            if draft.special in _INVOICE_LANDMARKS:
                self.landmarks[draft.special] = ident
            currency = client.currency
            records.append(
                Invoice(
                    id=ident,
                    customer_id=client.id,
                    number=ident,
                    issue_date=self.day(draft.issued),
                    due_date=self.day(draft.due),
                    currency=currency,
                    total=cents_decimal(draft.cents),
                    status=draft.status,
                    paid_on=self.day(draft.paid_on) if draft.paid_on is not None else None,
                    amount_due=(
                        cents_decimal(draft.amount_due) if draft.amount_due is not None else None
                    ),
                    fx_rate=self.rate(currency, draft.issued) if currency == "USD" else None,
                    source=SAMPLE_SOURCE,
                )
            )
            if draft.credit is not None:
                special = "applied_credit_note" if draft.special == "applied_credit_note" else None
                credit_plan.append((client, draft.credit[0], draft.credit[1], ident, special))
            for on, cents in draft.parts:
                if draft.special == "cross_currency_payment":
                    # Paid from the client's EUR account: the EUR amount at that day's rate.
                    eur = (cents * self.rate_units(currency, on) + 5_000) // 10_000
                    payment_plan.setdefault((on, client.index, "EUR*"), []).append((ident, eur))
                else:
                    payment_plan.setdefault((on, client.index, currency), []).append(
                        (ident, cents)
                    )
        return records, payment_plan, credit_plan

    def write_payments(
        self,
        clients: list[_Client],
        plan: dict[tuple[int, int, str], list[tuple[str, int]]],
        rng: Random,
    ) -> list[Payment]:
        """One payment per client, day and currency (split into batches of at most 20
        invoices), a few with money left unapplied, plus the rush client's deposit."""
        rush = next(c for c in clients if c.role == "rush")
        deposit_day = _business_day(self.end - 24, self.end)
        plan.setdefault((deposit_day, rush.index, "deposit"), [])
        parent = next(c for c in clients if c.role == "group_parent")
        overpaid_from = self.start + 400
        overpaid_done = False
        payments: list[Payment] = []
        cents_decimal = _cents
        for key in sorted(plan):
            on, index, kind = key
            client = clients[index]
            allocations = plan[key]
            currency = "EUR" if kind in ("EUR*", "deposit") else kind
            batches = [
                allocations[i : i + _PAYMENT_MAX_ALLOCATIONS]
                for i in range(0, len(allocations), _PAYMENT_MAX_ALLOCATIONS)
            ] or [[]]
            for batch in batches:
                ident = f"PMT-{len(payments) + 1:06d}"
                amount = sum(cents for _, cents in batch)
                extra = 0
                if kind == "deposit":
                    extra = 150_000
                    self.landmarks["deposit_payment"] = ident
                elif kind == "EUR*":
                    self.landmarks["cross_currency_payment"] = ident
                elif client is parent and not overpaid_done and on >= overpaid_from:
                    extra, overpaid_done = 25_000, True
                    self.landmarks["overpayment"] = ident
                elif rng.random() < 0.002:
                    extra = rng.randint(100, 9_999)
                day = self.day(on)
                payments.append(
                    Payment(
                        id=ident,
                        customer_id=client.id,
                        date=day,
                        amount=cents_decimal(amount + extra),
                        currency=currency,
                        allocations=tuple(
                            Allocation(invoice_id=invoice_id, amount=cents_decimal(cents))
                            for invoice_id, cents in batch
                        ),
                        fx_rate=self.rate(currency, on) if currency == "USD" else None,
                        source=SAMPLE_SOURCE,
                    )
                )
        return payments

    def write_credit_notes(
        self,
        clients: list[_Client],
        applied: list[tuple[_Client, int, int, str, str | None]],
        unapplied: list[tuple[_Client, int, int, str | None]],
    ) -> list[CreditNote]:
        """Credit notes numbered per year in issue order."""
        notes = [(on, c.index, cents, invoice, mark) for c, on, cents, invoice, mark in applied]
        notes += [(on, c.index, cents, "", mark) for c, on, cents, mark in unapplied]
        notes.sort()
        numbers: dict[int, int] = {}
        records = []
        for on, index, cents, invoice_id, mark in notes:
            client = clients[index]
            day = self.day(on)
            numbers[day.year] = number = numbers.get(day.year, 0) + 1
            ident = f"CN-{day.year}-{number:04d}"
            if mark is not None:
                self.landmarks[mark] = ident
            amount = _cents(cents)
            records.append(
                CreditNote(
                    id=ident,
                    customer_id=client.id,
                    issue_date=day,
                    total=amount,
                    currency=client.currency,
                    allocations=(
                        (Allocation(invoice_id=invoice_id, amount=amount),) if invoice_id else ()
                    ),
                    fx_rate=self.rate(client.currency, on) if client.currency == "USD" else None,
                    source=SAMPLE_SOURCE,
                )
            )
        return records

    def write_time_entries(
        self, clients: list[_Client], drafts: list[_Draft], rng: Random
    ) -> list[TimeEntry]:
        """A team that logs 6-7 hours a business day, split over one to three clients.

        Each client's chance of being worked on is its revenue per active day divided by its
        hourly rate (the hours its invoices pay for), times its ``hours_factor``, times a
        little noise; a client is worked on from 20 days before its first invoice until it
        leaves (or ``as_of``).
        """
        revenue = [0] * len(clients)
        spans: list[list[int]] = [[c.last, c.last] for c in clients]
        for draft in drafts:
            index = draft.client.index
            if draft.status not in ("void", "draft"):
                revenue[index] += draft.cents * self.rate_units(draft.client.currency, draft.issued)
            spans[index][0] = min(spans[index][0], max(self.start, draft.issued - 20))
        weights = []
        for client, (first, last) in zip(clients, spans, strict=True):
            days = max(1, last - first + 1)
            noise = rng.uniform(0.8, 1.25) if client.role is None else 1.0
            weights.append(revenue[client.index] / days / client.rate_cents
                           * client.hours_factor * noise)  # fmt: skip

        team_size = max(len(_TEAM), min(100, round(self.customer_count * len(_TEAM) / 40)))
        team = list(_TEAM) + [
            f"{_FIRST_NAMES[i % len(_FIRST_NAMES)]} {_LAST_NAMES[i // len(_FIRST_NAMES)]}"
            for i in range(team_size - len(_TEAM))
        ]
        hours_of = [Decimal(q) / 4 for q in range(0, 33)]
        entries: list[TimeEntry] = []
        worked = [False] * len(clients)
        for month_first, month_last in self.months:
            next_month = month_last + 1
            active = [
                c.index for c in clients
                if spans[c.index][0] < next_month and spans[c.index][1] >= month_first
                and weights[c.index] > 0
            ]  # fmt: skip
            cumulative: list[float] = []
            total = 0.0
            for index in active:
                total += weights[index]
                cumulative.append(total)
            for day in range(month_first, min(next_month, self.end + 1)):
                if _weekday(day) >= 5 or not active:
                    continue
                date_ = self.day(day)
                for person in team:
                    if rng.random() < 0.09:  # holidays and sick days
                        continue
                    picks = rng.choices((1, 2, 3), (35, 45, 20))[0]
                    quarters = rng.randint(24, 28)
                    chosen: dict[int, int] = {}
                    for part in range(picks):
                        share = quarters if part == picks - 1 else rng.randint(
                            2, max(2, quarters - 2 * (picks - part - 1))
                        )
                        quarters -= share
                        # Redraw a client that is not active on this day of its month.
                        for _ in range(20):
                            index = active[bisect.bisect_left(cumulative, rng.random() * total)]
                            if spans[index][0] <= day <= spans[index][1]:
                                chosen[index] = chosen.get(index, 0) + share
                                break
                        if quarters <= 0:
                            break
                    for index, share in chosen.items():
                        worked[index] = True
                        entries.append(
                            TimeEntry(
                                customer_id=clients[index].id,
                                date=date_,
                                hours=hours_of[min(share, 32)],
                                person=person,
                                billable=rng.random() >= 0.08,
                                source=SAMPLE_SOURCE,
                            )
                        )
        for client in clients:  # every client had some work done, however small
            if not worked[client.index]:
                first = max(self.start, spans[client.index][0])
                entries.append(
                    TimeEntry(
                        customer_id=client.id,
                        date=self.day(_business_day(first, self.end)),
                        hours=hours_of[8],
                        person=team[0],
                        billable=True,
                        source=SAMPLE_SOURCE,
                    )
                )
        return entries

    def write_work_requests(self, clients: list[_Client], rng: Random) -> list[WorkRequest]:
        """Requests a month per active client; lead times 7-30 days, the rush client's 0-2."""
        raw: list[tuple[int, int, int]] = []
        for client in clients:
            begin = max(self.start, client.first - 20)
            for month_first, month_last in self.months:
                if month_last < begin or month_first > client.last:
                    continue
                low, high = client.requests
                for _ in range(rng.randint(low, high)):
                    asked = _business_day(rng.randint(month_first, month_last), self.end)
                    if not (self.start <= asked <= min(client.last, self.end)):
                        continue
                    draw = rng.random()
                    if client.rush_client:
                        lead = rng.randint(-1, 2) if draw < 0.75 else rng.randint(3, 14)
                    elif draw < 0.04:
                        lead = rng.randint(0, 2)
                    elif draw < 0.12:
                        lead = rng.randint(3, 6)
                    else:
                        lead = rng.randint(7, 30)
                    raw.append((asked, client.index, lead))
        raw.sort()
        return [
            WorkRequest(
                id=f"REQ-{number:05d}",
                customer_id=clients[index].id,
                requested_on=self.day(asked),
                wanted_by=self.day(asked + lead),
                source=SAMPLE_SOURCE,
            )
            for number, (asked, index, lead) in enumerate(raw, start=1)
        ]


_INVOICE_LANDMARKS = frozenset(
    {
        "void_invoice",
        "draft_invoice",
        "paid_date_unknown_invoice",
        "paid_on_only_invoice",
        "partial_payment_invoice",
        "far_overdue_invoice",
    }
)


def _cents(cents: int) -> Decimal:
    """Whole cents as a Decimal amount with two places (``12345`` -> ``Decimal('123.45')``)."""
    return Decimal(cents).scaleb(-2) if cents else _ZERO_CENTS


def _apportion(total: int, weights: list[int], floors: list[int]) -> list[int]:
    """Split ``total`` into integers: each its floor plus a share of the rest in proportion to
    its weight, by largest remainder (Hamilton), so the parts add up to ``total`` exactly."""
    rest = total - sum(floors)
    weight_sum = sum(weights)
    if weight_sum == 0:
        return list(floors)
    parts = [rest * w // weight_sum for w in weights]
    leftover = rest - sum(parts)
    # Largest remainders first; the index breaks ties so the split is deterministic.
    order = sorted(range(len(weights)), key=lambda i: (-(rest * weights[i] % weight_sum), i))
    for i in order[:leftover]:
        parts[i] += 1
    return [f + p for f, p in zip(floors, parts, strict=True)]
