"""The limitation period of late-payment claims: from which day a debtor who raises limitation
defeats the claim in court (a time-barred claim can still be paid voluntarily, but the law no
longer enforces it).

The rules, their sources and the choices made where the law is silent are in docs/claims.md
("Limitation"). In short:

- **Poland** (``pl``). Art. 118 KC: three years for claims connected with running a business
  and for periodic claims; since 9 July 2018 the period ends on the last day of the calendar
  year (it is not shorter than two years). Art. 120 § 1 KC: it runs from the day the claim
  became due (*wymagalne*): for an invoice, the day after its payment deadline. Art. 5 ust. 1
  of the amending act of 13 April 2018 (Dz.U. 2018 poz. 1104): the new rule applies to claims
  not yet time-barred on 9 July 2018; one barred before stays barred. A firm whose claims run
  two years (a sale, art. 554 KC; a contract for work, art. 646 KC; services, art. 751 KC;
  ``pl_years=2``, the policy's ``pl_limitation_years``) has its main claim barred after two
  years, to the end of a year too (art. 118's exception is for periods *shorter* than two
  years), by the same transitional rule. The fixed compensation of art. 10 of the 2013 Act:
  three years from the day it became due, on its own, whatever the main claim's period (SN,
  III CZP 37/20, 30 September 2021). Interest for delay: a periodic claim, each day's
  interest barred three years after that day, but at the latest with the main claim (SN, 7
  judges, III CZP 42/04, 26 January 2005, on a sale of art. 554 KC): an invoice paid before
  its main claim was time-barred keeps the interest of each day for three years; one left
  unpaid until then loses all of it. One partly paid before the bar, the rest left unpaid, is
  split by principal (:func:`period_parts`): the interest on the part paid keeps each day's
  own period, the interest on the part left unpaid goes with the main claim. The debtor's
  acknowledgement of the debt (*uznanie roszczenia*, art. 123 § 1 pkt 2 KC) made before the
  main claim was barred interrupts its period, which runs anew (art. 124 § 1 KC), the same
  years counted from the acknowledgement's day as from the day a claim became due (art. 112
  KC), to the end of a calendar year (art. 118 KC): one made in year Y bars the debt from 1
  January of Y + 4 (Y + 3 under two years), whatever its day; one made after the bar revives
  nothing (:class:`Acknowledgement`).
- **UK** (``uk``). Limitation Act 1980 s.5: six years from the day the cause of action accrued
  (the day excluded, so the sixth anniversary is the last day to sue). The debt and the fixed
  sum of s.5A accrue the day after the due date; each day's statutory interest on that day;
  and, as in Poland (clientguard's choice: no source read says otherwise), no interest on a
  debt, or the part of it, that was left unpaid until it was itself time-barred (each day's
  interest barred on its own day or with the debt, whichever comes first). A payment towards
  the debt restarts the debt's six years from its date (s.29(5): "the right shall be treated
  as having accrued on and not before the date of the ... payment"), again with each later
  payment, but not once the debt is barred (s.29(7): a barred right is not revived): the
  debt, and the interest on the part of it left unpaid, are barred from the day after the
  sixth anniversary of the last payment made before the bar (``payments``). Not restarted:
  the fixed sum of s.5A and each day's interest already accrued (a payment of the debt is
  not a payment "in respect of" them; s.29(6): paying part of the interest due does not
  extend the period for the rest then due), and nothing is restarted by a credit note (the
  creditor's, not a payment by the person liable). A written, signed acknowledgement of the
  debt (s.29(5)(a), s.30) restarts it as a payment does, and not once it is barred (s.29(7)).
- **EU baseline** (``eu``): the Directive harmonises no limitation period; each member state's
  law sets it. Not checked: :func:`time_barred_from` gives None.

An acknowledgement restarts the debt (the main claim) alone, as a UK payment does: the fixed
compensation and each day's interest already accrued keep their own periods (an acknowledgement
of the interest itself would interrupt it, but clientguard records the debt's only); the
interest on the part of the debt left unpaid goes with the debt, so it is barred later too.

Pure date arithmetic, a few operations an invoice (the review prices a million invoices).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal, NamedTuple

from clientguard.metrics.cost.interest import InterestPeriod, StatutoryInterest
from clientguard.metrics.cost.polish_calendar import polish_term_end
from clientguard.metrics.cost.rates import Jurisdiction

__all__ = [
    "PL_YEARS",
    "PL_YEAR_END_RULE_FROM",
    "Acknowledged",
    "Acknowledgement",
    "Limitation",
    "PeriodPart",
    "PrincipalPart",
    "interest_goes_with_main_claim",
    "last_barred_due_date",
    "limitation",
    "period_parts",
    "time_barred_from",
]

PL_YEAR_END_RULE_FROM = date(2018, 7, 9)
"""The day art. 118 KC's end-of-year rule came into force (the act of 13 April 2018,
Dz.U. 2018 poz. 1104, art. 5 ust. 1: it applies to every claim not yet time-barred that day)."""

_ONE_DAY = timedelta(days=1)
_HUNDRED = Decimal(100)
_YEARS = {"pl": 3, "uk": 6}
"""The limitation period of a late-payment claim, in years: PL art. 118 KC (business and
periodic claims), UK Limitation Act 1980 s.5 (simple contract)."""
PL_YEARS = (2, 3)
"""The periods of a Polish main claim clientguard applies, in years: 2 (arts. 554, 646 and
751 KC: a sale, a contract for work, some services) or 3 (art. 118 KC), the policy's
``pl_limitation_years``."""


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    """The debtor acknowledged a debt on a day: one invoice's (``invoice_id``) or every debt
    the customer ``customer_id`` owed that day (a signed confirmation of balance, a letter
    asking for time to pay all of it). Exactly one of the two is given.

    It restarts the debt's limitation period where it was made after the debt became due,
    before it was paid in full and before it was time-barred (:func:`limitation`): Poland,
    art. 123 § 1 pkt 2 and art. 124 § 1 KC; UK, Limitation Act 1980 s.29(5)(a) (in writing
    and signed by the debtor, s.30: clientguard takes the user's word that it is). ``note``
    says where it is (a letter, an e-mail), for the claim that cites it.

    Raises ``ValueError`` for neither or both of ``invoice_id`` and ``customer_id``, or an
    ``on`` that is not a date."""

    on: date
    invoice_id: str | None = None
    customer_id: str | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.on, date) or isinstance(self.on, datetime):
            raise ValueError(f"an acknowledgement's day is a date, not {self.on!r}")
        if (self.invoice_id is None) == (self.customer_id is None):
            raise ValueError(
                "an acknowledgement names the invoice acknowledged (invoice_id) or the "
                "customer all of whose debts were (customer_id), exactly one of the two; "
                f"got invoice_id={self.invoice_id!r}, customer_id={self.customer_id!r}")


class Acknowledged:
    """Acknowledgements by the debt they are of, looked up once an invoice (the review prices
    a million invoices: an invoice without one is two dictionary misses)."""

    __slots__ = ("_by_customer", "_by_invoice")

    def __init__(self, acknowledgements: Iterable[Acknowledgement] = ()) -> None:
        self._by_invoice: dict[str, list[Acknowledgement]] = {}
        self._by_customer: dict[str, list[Acknowledgement]] = {}
        for acknowledgement in acknowledgements:
            if acknowledgement.invoice_id is not None:
                self._by_invoice.setdefault(acknowledgement.invoice_id, []).append(
                    acknowledgement)
            elif acknowledgement.customer_id is not None:
                self._by_customer.setdefault(acknowledgement.customer_id, []).append(
                    acknowledgement)

    def __bool__(self) -> bool:
        return bool(self._by_invoice or self._by_customer)

    def of(self, invoice_id: str, customer_id: str, as_of: date) -> tuple[Acknowledgement, ...]:
        """The acknowledgements of the invoice ``invoice_id`` of ``customer_id`` made by
        ``as_of`` (one made later had not happened as of that date): its own and its
        customer's, in the order of their days."""
        found = [*self._by_invoice.get(invoice_id, ()), *self._by_customer.get(customer_id, ())]
        if not found:
            return ()
        return tuple(sorted((a for a in found if a.on <= as_of), key=lambda a: a.on))


class Limitation(NamedTuple):
    """Where one late invoice's claim stands against the limitation period as of a date."""

    time_barred_from: date
    """The first day a debtor can raise limitation against the fixed compensation and the
    first day's interest (each later day's interest is barred later); under a period of
    three years (and in the UK, unless a payment restarted the debt's six years), against the
    main claim too."""
    compensation_time_barred: bool
    """The fixed compensation is time-barred as of the date."""
    interest_barred_through: date | None
    """The last day of delay whose interest is time-barred as of the date on the principal
    barred day by day (each day's on its own): all of it while the main claim is not barred
    (a UK debt whose six years a payment restarted), else the part paid before the main claim
    was barred; where the whole debt was left unpaid until then, the last day of delay (all
    of it went with the main claim). None when none is."""
    interest_time_barred: Decimal
    """The part of the statutory interest (unrounded, the invoice's currency) that is
    time-barred: on the days up to ``interest_barred_through``, and on ``left_unpaid``'s part
    of every day's principal. What the law no longer enforces."""
    main_claim_time_barred_from: date
    """The first day a debtor can raise limitation against the main claim, the debt itself:
    ``time_barred_from`` under the law's general period, earlier under a Polish period of two
    years, later in the UK where a payment made before the bar restarted the debt's six
    years (the day after the sixth anniversary of the last such payment, Limitation Act 1980
    s.29(5)), and later in both where the debtor acknowledged the debt before the bar (the
    period run anew from the acknowledgement, :attr:`acknowledgement`). A debt left unpaid
    until then loses all its interest that day (III CZP 42/04)."""
    left_unpaid: Decimal | None = None
    """Where the main claim is time-barred as of the date and the debt was not paid in full
    before it: the balance outstanding as the bar's first day began, the part of the debt left
    unpaid until its bar. Of each day of delay before the bar, that much of the principal (the
    whole of a smaller one) bears interest that went with the main claim, the rest (paid before
    the bar) interest barred on its own days; every day from the bar on goes with the main
    claim (:func:`period_parts`). None otherwise, and where no ``interest`` was given."""
    acknowledgement: Acknowledgement | None = None
    """The debtor's acknowledgement that set ``main_claim_time_barred_from`` (the debt's
    period ran anew from it: PL art. 124 § 1 KC, UK s.29(5)); None where none moved it."""

    @property
    def anything_barred(self) -> bool:
        """Some of the claim (interest or compensation) is time-barred as of the date."""
        return (self.compensation_time_barred or self.interest_barred_through is not None
                or self.left_unpaid is not None)


PrincipalPart = Literal["paid_before_bar", "left_unpaid"]
"""Which part of a debt partly paid before its main claim was barred an interest line runs on
(:attr:`PeriodPart.part`)."""


class PeriodPart(NamedTuple):
    """Part of an interest period: some of its days, on some of its principal, with the
    interest on them (unrounded) and whether it is time-barred. :func:`period_parts`."""

    start: date
    end: date
    principal: Decimal
    interest: Decimal
    time_barred: bool
    part: PrincipalPart | None = None
    """Which part of the balance ``principal`` is: None, all of it; ``"paid_before_bar"``, the
    part paid before the main claim was barred; ``"left_unpaid"``, the part left unpaid until
    then (its interest barred with the main claim)."""


def _add_years(day: date, years: int) -> date:
    """The same date ``years`` later; 29 February becomes 28 February (art. 112 KC: a period
    ends on the day of the same date, or the last day of the month without one)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def time_barred_from(
    jurisdiction: Jurisdiction, became_due: date, *, pl_years: int = 3
) -> date | None:
    """The first day a claim that became due on ``became_due`` is time-barred under the law of
    ``jurisdiction``; None for ``eu`` (no harmonised period: national law decides).

    Poland: ``pl_years`` (3, art. 118 KC; 2, arts. 554, 646 and 751 KC) to the end of that
    calendar year (art. 118 KC since 9 July 2018), so 1 January ``pl_years + 1`` years after
    the year it became due; a claim already barred on 9 July 2018 under the old rule (the
    years to the same date, art. 112 KC) stays so. UK: the day after the sixth anniversary
    (Limitation Act 1980 s.5); ``pl_years`` is Poland's alone.

    Raises ``ValueError`` for a ``pl_years`` other than 2 or 3.
    """
    _check_pl_years(pl_years)
    if jurisdiction == "pl":
        return _polish_bar(became_due, pl_years)
    if jurisdiction == "uk":
        return _add_years(became_due, 6) + _ONE_DAY
    return None


def _polish_bar(became_due: date, years: int) -> date:
    """:func:`time_barred_from` of a Polish claim of ``years``."""
    if became_due.year + years >= 2019:  # barred no earlier than 2019: the new rule (fast path)
        return date(became_due.year + years + 1, 1, 1)
    old = _add_years(became_due, years) + _ONE_DAY
    if old <= PL_YEAR_END_RULE_FROM:
        return old
    return date(became_due.year + years + 1, 1, 1)


def _check_pl_years(pl_years: int) -> None:
    if pl_years not in PL_YEARS:
        raise ValueError(f"a Polish limitation period is 2 or 3 years, not {pl_years!r}")


def interest_goes_with_main_claim(settled_on: date | None, main_claim_barred_from: date) -> bool:
    """Whether a debt paid in full on ``settled_on`` (None: not yet) was left unpaid until its
    main claim was time-barred on ``main_claim_barred_from``: then its interest is barred with
    it (III CZP 42/04), all of it but that on a part paid before the bar (:func:`period_parts`),
    and paying the barred debt later does not revive it."""
    return settled_on is None or settled_on >= main_claim_barred_from


def limitation(
    jurisdiction: Jurisdiction,
    *,
    due_date: date,
    settled_on: date | None,
    as_of: date,
    interest: StatutoryInterest | None = None,
    pl_years: int = 3,
    payments: Iterable[date] = (),
    acknowledgements: Iterable[Acknowledgement] = (),
) -> Limitation | None:
    """Where a late invoice due on ``due_date`` and paid in full on ``settled_on`` (None while
    open) stands as of ``as_of``: None where the limitation period is not checked (``eu``).

    The main claim and the fixed compensation became due the day after the term ended: after
    ``due_date``, or in Poland after the next day that is no Saturday and no day free from work
    where ``due_date`` is one (art. 115 KC: due on Saturday 30 December 2023, the term ended on
    Tuesday 2 January 2024, so the claim is barred from 1 January 2028, not 2027); the
    interest of each day of delay on that day. The main claim runs ``pl_years`` in Poland
    (:func:`time_barred_from`); the compensation and each day's interest the law's general
    period. ``interest`` (the invoice's statutory interest, its periods) gives
    :attr:`Limitation.interest_time_barred`, zero without it, and, for a debt not paid in full
    before its main claim was barred, :attr:`Limitation.left_unpaid`: the interest on the part
    paid before the bar is then barred day by day, the rest with the main claim
    (:func:`period_parts`).

    ``payments``: the days the debtor paid part of the debt by ``as_of`` (each payment's own
    date, any order; credit notes are not payments: leave them out). In the UK each one made
    after the debt accrued, before it was paid in full and before it was time-barred restarts
    the debt's six years from its date (Limitation Act 1980 s.29(5) and (7)), so the main
    claim, and the interest that goes with it, is barred later; the compensation and each
    day's interest keep their own periods. Ignored in Poland (a payment interrupts the period
    only as an acknowledgement, art. 123 § 1 pkt 2 KC, which the ledger cannot tell).

    ``acknowledgements``: the debtor's acknowledgements of this debt made by ``as_of`` (any
    order; the caller picks them, :class:`Acknowledged`). Each one made after the debt became
    due, before it was paid in full and before the main claim was barred restarts the main
    claim's period: in Poland it runs anew (art. 124 § 1 KC), ``pl_years`` counted from its
    day as from the day a claim became due (art. 112 KC), to the end of a calendar year (art.
    118 KC), so one made in year Y bars the debt from 1 January of Y + ``pl_years`` + 1,
    whatever its day (one made on 31 December too: docs/claims.md); in the UK six years from
    its date, as a payment (s.29(5)(a)). One made on the day of the bar or later revives
    nothing (UK s.29(7); in Poland clientguard does not read it as a waiver of the defence,
    art. 117 § 2 KC: docs/claims.md). The compensation and each day's interest keep their own
    periods; the interest that goes with the debt is barred with it, later.
    :attr:`Limitation.acknowledgement` is the one that set the main claim's bar.

    Raises ``ValueError`` for a ``pl_years`` other than 2 or 3.
    """
    _check_pl_years(pl_years)
    first_day = _term_end(jurisdiction, due_date) + _ONE_DAY
    barred_from = time_barred_from(jurisdiction, first_day)
    if barred_from is None:
        return None
    main_from = (_polish_bar(first_day, pl_years) if jurisdiction == "pl" and pl_years != 3
                 else barred_from)
    main_from, acknowledged = _restarted(jurisdiction, main_from, payments, acknowledgements,
                                         settled_on, pl_years)
    compensation_barred = barred_from <= as_of
    if main_from > as_of and not compensation_barred:
        # The common case: nothing is barred yet (the main claim, with its interest, first;
        # or, restarted, the compensation and the first day's interest).
        return Limitation(barred_from, False, None, Decimal(0), main_from,
                          acknowledgement=acknowledged)
    if main_from > as_of or (settled_on is not None
                             and not interest_goes_with_main_claim(settled_on, main_from)):
        # The debt is not barred (a UK debt a payment restarted), or was paid before it was:
        # each day's interest on its own, the first day's barred with the compensation (both
        # became due on the first day of delay).
        if not compensation_barred:
            return Limitation(barred_from, False, None, Decimal(0), main_from,
                              acknowledgement=acknowledged)
        through: date | None = _last_barred_day(jurisdiction, first_day, settled_on or as_of,
                                                as_of)
        barred = _interest_through(interest, through) if interest is not None else Decimal(0)
        return Limitation(barred_from, compensation_barred, through, barred, main_from,
                          acknowledgement=acknowledged)
    # Left unpaid until the main claim was barred: its interest went with it (III CZP 42/04).
    # The days of delay end on the day of payment, or on as_of while open.
    until = settled_on or as_of
    if interest is None:
        return Limitation(barred_from, compensation_barred, until, Decimal(0), main_from,
                          acknowledgement=acknowledged)
    left = _balance_on(interest, main_from)
    paid_before = [p for p in interest.periods if p.start < main_from and p.principal > left]
    if not paid_before:
        # Nothing paid before the bar: every day's interest went with the main claim.
        return Limitation(barred_from, compensation_barred, until,
                          _interest_through(interest, until), main_from, left, acknowledged)
    # Partly paid before the bar: the part paid bears interest barred day by day, as a debt
    # paid in full would (its last day of delay is before the bar); the rest went with it.
    through = (_last_barred_day(jurisdiction, first_day, paid_before[-1].end, as_of)
               if compensation_barred else None)
    bar = Limitation(barred_from, compensation_barred, through, Decimal(0), main_from, left,
                     acknowledged)
    barred = Decimal(0)
    for period in interest.periods:
        for part in period_parts(period, bar):
            if part.time_barred:
                barred += part.interest
    return bar._replace(interest_time_barred=barred)


def _restarted(
    jurisdiction: Jurisdiction,
    barred_from: date,
    payments: Iterable[date],
    acknowledgements: Iterable[Acknowledgement],
    settled_on: date | None,
    pl_years: int,
) -> tuple[date, Acknowledgement | None]:
    """The first day a debt barred from ``barred_from`` without payments and acknowledgements
    is barred after them, and the acknowledgement that set it (None: none did).

    Each one runs the period anew, repeatedly, but one on the day of the bar or later revives
    nothing (UK s.29(7); Poland, art. 124 § 1 KC: an interruption of a period that has run
    out interrupts nothing). UK (s.29(5)): a payment (``payments``) or an acknowledgement
    makes the right accrue anew on its date, so the debt is barred from the day after the
    sixth anniversary of the last one. Poland: an acknowledgement alone (a payment is one only
    in circumstances the ledger cannot tell, art. 123 § 1 pkt 2 KC); the period runs anew,
    counted from its day as :func:`_polish_bar` counts it from the day a claim became due
    (art. 112 KC), ``pl_years`` to the end of a calendar year. One on the day the debt was
    paid in full or later restarts nothing: no debt is left to sue for. One made before the
    debt became due gives an earlier day, which changes nothing."""
    events: list[tuple[date, Acknowledgement | None]] = [(a.on, a) for a in acknowledgements]
    if jurisdiction == "uk":
        events.extend((day, None) for day in payments)
    if not events:
        return barred_from, None
    # A payment before an acknowledgement of the same day: the acknowledgement moves nothing
    # more, and the claim cites what it needs to.
    events.sort(key=lambda event: (event[0], event[1] is not None))
    moved_by: Acknowledgement | None = None
    for day, acknowledgement in events:
        if day >= barred_from or (settled_on is not None and day >= settled_on):
            break
        restarted = (_add_years(day, _YEARS["uk"]) + _ONE_DAY if jurisdiction == "uk"
                     else _polish_bar(day, pl_years))
        if restarted > barred_from:
            barred_from, moved_by = restarted, acknowledgement
    return barred_from, moved_by


def _balance_on(interest: StatutoryInterest, day: date) -> Decimal:
    """The principal ``interest`` runs on on ``day`` (the balance outstanding as it began);
    zero on a day of no period (nothing outstanding, or after the interest's last day)."""
    for period in interest.periods:
        if period.start <= day <= period.end:
            return period.principal
    return Decimal(0)


def period_parts(period: InterestPeriod, bar: Limitation | None) -> tuple[PeriodPart, ...]:
    """One interest period split as the limitation ``bar`` (:func:`limitation`; None: not
    checked) bars it: its days and principal whole where one rule covers them, else

    - by principal, where part of the debt was left unpaid until the main claim was barred
      (:attr:`Limitation.left_unpaid`): on a day before the bar, the part of the principal
      paid before it (above ``left_unpaid``) first, then the part left unpaid, time-barred
      with the main claim; a day from the bar on, all of it with the main claim;
    - by days, the part of the principal barred day by day: the days up to
      :attr:`Limitation.interest_barred_through` first (barred), then the others.

    The parts' interest adds up to the period's: the part paid is ``principal x rate x days /
    (100 x day_count)`` as the period's is made, the part left unpaid the remainder; a share of
    the days is the same share of the interest (linear in the days of one period)."""
    if bar is None:
        return _by_days(period, period.principal, period.interest, None)
    through, left = bar.interest_barred_through, bar.left_unpaid
    if left is None:
        return _by_days(period, period.principal, period.interest, through)
    if period.start >= bar.main_claim_time_barred_from or period.principal <= left:
        return (PeriodPart(period.start, period.end, period.principal, period.interest, True),)
    paid = period.principal - left
    paid_interest = paid * period.rate_pct * period.days / (_HUNDRED * period.day_count)
    parts = _by_days(period, paid, paid_interest, through)
    if not left:
        return parts
    return (*(part._replace(part="paid_before_bar") for part in parts),
            PeriodPart(period.start, period.end, left, period.interest - paid_interest, True,
                       "left_unpaid"))


def _by_days(period: InterestPeriod, principal: Decimal, interest: Decimal,
             through: date | None) -> tuple[PeriodPart, ...]:
    """``principal`` of ``period`` bearing ``interest``, split where the barred days (up to
    ``through``) end inside it."""
    if through is None or through < period.start:
        return (PeriodPart(period.start, period.end, principal, interest, False),)
    if through >= period.end:
        return (PeriodPart(period.start, period.end, principal, interest, True),)
    days = (through - period.start).days + 1
    early = interest * days / period.days
    return (PeriodPart(period.start, through, principal, early, True),
            PeriodPart(through + _ONE_DAY, period.end, principal, interest - early, False))


def last_barred_due_date(jurisdiction: Jurisdiction, as_of: date, *,
                         pl_years: int = 3) -> date | None:
    """The last due date with something of its claim time-barred as of ``as_of`` (a debt left
    unpaid: :func:`limitation` says ``anything_barred``; under the law's general period, the
    compensation): every invoice due on it or before may have, every one due later has not.
    None where the limitation period is not checked (``eu``). Found once for a review, so that
    each invoice is one comparison of dates (issue 21). Payments do not move it: a UK part
    payment (``limitation``'s ``payments``) only makes the debt's bar later, never the
    compensation's, which is the first thing of a claim to be barred.

    Raises ``ValueError`` for a ``pl_years`` other than 2 or 3.
    """
    if time_barred_from(jurisdiction, as_of, pl_years=pl_years) is None:
        return None
    # A claim that became due by 1 January 1900 is barred as of any date clientguard sees.
    last_term_end = _last_barred_day(jurisdiction, date(1900, 1, 1), as_of, as_of,
                                     pl_years=pl_years) - _ONE_DAY
    # A due date whose term art. 115 KC moves past that day is not barred yet (due Saturday 30
    # December 2023, the term ends on 2 January 2024): the term end never moves back, so step
    # back to the last due date whose term ends by then (a few days at most).
    due = last_term_end
    while _term_end(jurisdiction, due) > last_term_end:
        due -= _ONE_DAY
    return due


def _term_end(jurisdiction: Jurisdiction, due_date: date) -> date:
    """The day a payment term due on ``due_date`` ended: in Poland moved by art. 115 KC
    (:func:`~clientguard.metrics.cost.polish_calendar.polish_term_end`), elsewhere the due
    date, as :func:`~clientguard.metrics.cost.statutory_interest` counts it."""
    return polish_term_end(due_date) if jurisdiction == "pl" else due_date


def _last_barred_day(jurisdiction: Jurisdiction, first: date, last: date, as_of: date, *,
                     pl_years: int = 3) -> date:
    """The last day ``d`` of ``first..last`` whose own claim (``time_barred_from(d)``, a
    Polish one of ``pl_years``) is barred as of ``as_of`` (``first`` itself when none is). The
    bar moves later with the day, so the barred days are the first ones: found by halving (a
    dozen steps over years of delay)."""
    if jurisdiction == "pl" and first.year + pl_years >= 2019:
        # The end-of-year rule alone: the days of the years up to the (pl_years + 1)th before
        # as_of's.
        return min(last, date(as_of.year - pl_years - 1, 12, 31))
    low, high = first.toordinal(), last.toordinal()
    while low < high:
        middle = (low + high + 1) // 2
        barred = time_barred_from(jurisdiction, date.fromordinal(middle), pl_years=pl_years)
        if barred is not None and barred <= as_of:
            low = middle
        else:
            high = middle - 1
    return date.fromordinal(low)


def _interest_through(interest: StatutoryInterest, through: date | None) -> Decimal:
    """The interest of ``interest``'s days up to ``through``: whole periods, and of a period
    cut by it the share of its days (interest is linear in the days of one period)."""
    if through is None:
        return Decimal(0)
    if through >= interest.until:
        return interest.amount
    barred = Decimal(0)
    for period in interest.periods:
        if period.end <= through:
            barred += period.interest
        elif period.start <= through:
            days = (through - period.start).days + 1
            barred += period.interest * days / period.days
    return barred
