"""Settlement: when each invoice was settled, and what was still open on a date.

The replay (docs/metrics/lateness.md, section 1) walks the payments and credit notes applied
to each invoice in date order and finds the day its open balance first dropped to within
:attr:`Policy.settle_tolerance <clientguard.policy.Policy.settle_tolerance>` of zero. It is the
one place in clientguard where "paid", "open" and "days late" are decided; every metric reads
them from here.

The rules, in the order they apply:

* ``draft`` and ``void`` invoices are not receivables: they have no settlement. Money that was
  allocated to one (an invoice voided after a payment was applied to it) is unapplied cash of
  the customer again (:func:`unapplied_cash`). The model has no date of voiding, so a void
  invoice is out of every replay, even one as of a date before it was voided.
* Only what had happened by ``as_of`` counts: an invoice issued after ``as_of`` did not exist
  yet, and a payment or credit note applied after ``as_of`` had not been applied yet. A replay
  as of an earlier date never shows more paid.
* An application counts from its allocation's date, else its document's date (the payment's
  date, the credit note's issue date), and never before the document itself: money cannot be
  applied before it was received. (Xero reports some allocation dates as the invoice's date;
  taking the later of the two dates makes the replay robust to that.)
* An invoice cannot be settled before it exists: money received before the issue date
  (a prepayment) settles the invoice on its issue date, and the settlement says ``prepaid``.
* With no allocations at all, a ``paid`` invoice is settled on its ``paid_on`` date; with
  neither, it is "paid, date unknown": no settlement date, no lateness, no open balance, and
  counted in the data-quality notes. The source's paid date is an event of its day: where
  the allocations counted by the end of that day leave a rest open on an invoice the source
  marks paid *on a date* (a bank payment outside the synced data, a correction applied
  without its cash), that date settles the rest on that day, and the settlement says so in a
  note. What is applied after it came after the invoice was settled: it moves nothing, so a
  replay as of the paid date and every later one agree.
* An invoice settled by credit notes alone (every application to it by its settlement day a
  credit note: no payment counted by then, and not the source's paid date) was cancelled,
  not paid (:func:`cancelled_by_credit`, :func:`is_cancelled`): the replay still settles it
  on the day of its last credit note (its balance was open until then), but it is not late,
  nor on time: the lateness measures leave it out.
* Where the source disagrees with the replay (its ``amount_due``, or its status), the replay
  wins and the settlement carries a note saying what the source said. A note about what the
  replay did (settled an invoice the source marks open, used the source's paid date) speaks
  only of what had happened by ``as_of``, as the replay does.

Pure: no clock, no I/O. Amounts are never rounded here.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, Literal, NamedTuple, Protocol, TypeVar

from pydantic import BaseModel

from clientguard import wording
from clientguard.errors import ConfigError
from clientguard.frozen import Frozen
from clientguard.gcpause import collector_paused
from clientguard.i18n import gettext, noop
from clientguard.ledger import Application, Ledger, _application_of, same_day_order
from clientguard.model import FIRST_DATE, LAST_DATE, Allocation, CreditNote, Invoice, Payment
from clientguard.money import ONE, ZERO
from clientguard.policy import Policy

__all__ = [
    "LIVE_STATUSES",
    "NOTE_KINDS",
    "AppliedPart",
    "Note",
    "Replay",
    "Settlement",
    "SettlementBasis",
    "SettlementStatus",
    "UnappliedCash",
    "UnappliedPart",
    "applied_parts",
    "balance_history",
    "cancelled_by_credit",
    "check_as_of",
    "is_cancelled",
    "is_late",
    "replay",
    "settle",
    "unapplied_cash",
    "unapplied_parts",
]

SettlementStatus = Literal["open", "settled", "paid_date_unknown"]
"""``open`` (still owed as of the date), ``settled`` (balance within the tolerance of zero),
``paid_date_unknown`` (the source says paid, but gives neither payments nor a paid date)."""

SettlementBasis = Literal["allocations", "paid_on"]
"""Where a settlement date comes from: the replayed allocations, or the source's ``paid_on``."""

LIVE_STATUSES = frozenset({"open", "paid"})
"""Invoice statuses that are receivables; ``draft`` and ``void`` are left out of the replay."""


class Settlement(Frozen):
    """One invoice replayed as of a date: whether and when it was settled, and how late."""

    invoice_id: str
    """The invoice's id."""
    customer_id: str
    """The customer billed. Lateness is per customer, even where customers form a group."""
    currency: str
    """The invoice's currency: ``open_balance`` and ``applied`` are in it."""
    as_of: date
    """The date of the replay: only what had happened by then counts."""
    status: SettlementStatus
    """``open``, ``settled`` or ``paid_date_unknown`` as of ``as_of``."""
    settled_on: date | None
    """The day the open balance first came within the tolerance of zero (never before the issue
    date); None while open, and when the source gives no date."""
    basis: SettlementBasis | None
    """What ``settled_on`` rests on: ``allocations`` or the source's ``paid_on``."""
    applied: Decimal
    """Payments and credit notes applied by ``as_of``, in the invoice's currency."""
    open_balance: Decimal
    """What was still owed as of ``as_of``, in the invoice's currency: ``total - applied`` while
    open, zero once settled (a residue within the tolerance is written off) and when the paid
    date is unknown. Never negative."""
    open_balance_base: Decimal
    """``open_balance`` in the base currency, at the invoice's own rate
    (:meth:`Ledger.rate_to_base`: the rate it was booked at)."""
    days_to_pay: int | None
    """``settled_on - issue_date``; None unless settled."""
    days_beyond_terms: int | None
    """``settled_on - due_date``, negative when paid early. For an open invoice on or past its
    due date, ``as_of - due_date`` (a lower bound: it is still unpaid); None before that."""
    days_late: int | None
    """``max(0, days_beyond_terms)``: days past the due date, from the due date. For an open
    invoice past due, ``as_of - due_date``; None while not yet due and when the date is
    unknown."""
    late: bool
    """``days_late > Policy.grace_days``, unless the invoice was ``cancelled``."""
    prepaid: bool
    """Money received before the issue date settled it (so ``settled_on`` is the issue date)."""
    paid_date_unknown: bool
    """The source says paid but gives neither allocations nor ``paid_on``: left out of every
    lateness measure and counted as a data-quality problem."""
    source_amount_due_mismatch: Decimal | None
    """The source's ``amount_due`` minus what the replay of every recorded payment and credit
    note leaves open, when they differ by more than the tolerance; else None. The replay wins."""
    notes: tuple[str, ...] = ()
    """Data-quality notes, each a sentence: where the source disagrees with the replay, and
    any allocation dated before its own document."""
    cancelled: bool = False
    """Settled by credit notes alone (:func:`is_cancelled`): the client was not billed it in
    the end, so it is neither late (``late`` is False, whatever ``days_late`` says of the days
    it stayed open after its due date) nor on time, and the payment profiles leave it out."""


class Replay(NamedTuple):
    """The lightweight form of a :class:`Settlement`, for metrics that read every invoice.

    A named tuple rather than a model so that a million invoices replay in a second or two
    (made with ``tuple.__new__``, it costs what a plain tuple does); read it by name, or unpack
    it in a ``for`` statement. The fields mean what the same-named fields of
    :class:`Settlement` mean.
    """

    invoice: Invoice
    status: SettlementStatus
    settled_on: date | None
    basis: SettlementBasis | None
    applied: Decimal
    open_balance: Decimal
    days_to_pay: int | None
    days_beyond_terms: int | None
    days_late: int | None
    prepaid: bool
    dates_adjusted: bool
    """An allocation was dated before its own document and was taken on the document's date."""
    late_amount_days: Decimal
    """Sum of ``amount x days after the due date`` over the payments applied after the due
    date by ``as_of`` (the rest on ``paid_on`` where the source's paid date settles it, the
    whole total for a paid date without payments; nothing applied after that date), in the
    invoice's currency. Credit notes are not money the client kept: they add nothing. The
    financing cost of the lateness is this (plus the open balance times the days past due)
    times the daily cost of capital."""


class _Settled(Protocol):
    """What the balance histories and the lateness costs read of a settlement: a
    :class:`Settlement`, or a :class:`_LateRow` of the review's."""

    @property
    def invoice_id(self) -> str: ...
    @property
    def as_of(self) -> date: ...
    @property
    def settled_on(self) -> date | None: ...
    @property
    def basis(self) -> SettlementBasis | None: ...
    @property
    def days_late(self) -> int | None: ...
    @property
    def cancelled(self) -> bool: ...


class _LateRow(NamedTuple):
    """Of a late invoice's :class:`Settlement`, the fields the lateness costs read, with the
    same values (:func:`_settlement_of` copies them from the replay row): the review costs
    its late invoices from these, without making a settlement of each. Internal."""

    invoice_id: str
    as_of: date
    settled_on: date | None
    basis: SettlementBasis | None
    days_late: int | None
    cancelled: bool = False


class AppliedPart(NamedTuple):
    """A payment or credit note applied to an invoice, on the date the replay counts it."""

    date: date
    """The later of the allocation's date and its document's date."""
    application: Application
    """The ledger's application (amount in the invoice's currency)."""


def check_as_of(as_of: object) -> date:
    """``as_of`` when it is a plain date; a datetime or anything else is a TypeError.

    A datetime is refused because comparing it with the model's dates fails, and because the
    analysis is by day: pass ``moment.date()`` after choosing the time zone.
    """
    if isinstance(as_of, datetime) or not isinstance(as_of, date):
        raise TypeError(
            f"as_of must be a datetime.date, not {type(as_of).__name__}: the analysis is by day "
            "(for a datetime, pass .date() in the time zone of your books)"
        )
    if not FIRST_DATE <= as_of <= LAST_DATE:
        # The records' own bounds: every date a review computes from as_of stays in the
        # calendar (as_of moved by any policy's days, at most MAX_DAYS).
        raise ConfigError(f"as_of {as_of} is outside the dates clientguard reviews "
                          f"({FIRST_DATE} to {LAST_DATE}): give a date in that range")
    return as_of


def applied_parts(ledger: Ledger, invoice_id: str) -> tuple[AppliedPart, ...]:
    """The invoice's applications, each on the date the replay counts it, in that order.

    That date is the allocation's date (else the document's), but never before the payment
    was received or the credit note issued. Order: by that date, then payments before credit
    notes, then document id (the ledger's same-day order).
    """
    applications = ledger.applications(invoice_id)
    dates = {
        "payment": {
            a.document_id: ledger.payment(a.document_id).date
            for a in applications
            if a.document_kind == "payment"
        },
        "credit_note": {
            a.document_id: ledger.credit_note(a.document_id).issue_date
            for a in applications
            if a.document_kind != "payment"
        },
    }
    return tuple(_effective(applications, dates)[0])


def balance_history(
    ledger: Ledger, settlement: Settlement, *, credits_from_due: bool = False
) -> list[tuple[date, Decimal]]:
    """The invoice's balance from its due date on, as steps ``(day, balance at the end of
    that day)``, up to the settlement's ``as_of``: the first step on the due date, then one on
    each later day something was applied, in the replay's order (:func:`applied_parts`).

    Where the settlement rests on the source's paid date, the balance is zero from the end of
    that day (which may also be the day of the last allocation). With ``credits_from_due`` the
    credit notes applied by ``as_of`` count from the due date whatever their own date: the
    balance the client still had to *pay* (credited money is not money the client kept), the
    base of the financing cost. Without it, the balance outstanding each day, the base of the
    statutory interest.
    """
    invoice = ledger.invoice(settlement.invoice_id)
    counted = _counted_parts(ledger, invoice, settlement.as_of)
    return _history(invoice, settlement, counted, credits_from_due=credits_from_due)


def _balance_histories(
    ledger: Ledger,
    settlement: _Settled,
    invoice: Invoice | None = None,
    counted: list[AppliedPart] | None = None,
) -> tuple[list[tuple[date, Decimal]], list[tuple[date, Decimal]]]:
    """Both of :func:`balance_history`'s views of one invoice (the settlement's, ``invoice``
    where the caller holds it) from one look at its applications (``counted``, where the
    caller has looked: :func:`_counted_parts` as of the settlement's date): the balance
    outstanding, then the balance still to pay (``credits_from_due``). Without a credit note
    counted the two are the same steps, and the one list is given twice (read them, never
    change them). Internal: the lateness costs' fast path."""
    if invoice is None:
        invoice = ledger.invoice(settlement.invoice_id)
    if counted is None:
        counted = _counted_parts(ledger, invoice, settlement.as_of)
    outstanding = _history(invoice, settlement, counted, credits_from_due=False)
    for part in counted:
        if part.application.document_kind != "payment":
            return outstanding, _history(invoice, settlement, counted, credits_from_due=True)
    return outstanding, outstanding


def _counted_parts(ledger: Ledger, invoice: Invoice, as_of: date) -> list[AppliedPart]:
    """The invoice's applications counted by ``as_of``, in the replay's order."""
    held = ledger._held_applications().get(invoice.id)
    if held is None:
        return []
    if not isinstance(held, tuple):
        # The common case, as applied_parts dates it: the later of the allocation's date and
        # its document's own.
        application = held if isinstance(held, Application) else _application_of(held)
        own = (
            ledger.payment(application.document_id).date
            if application.document_kind == "payment"
            else ledger.credit_note(application.document_id).issue_date
        )
        day = own if own > application.date else application.date
        return [AppliedPart(day, application)] if day <= as_of else []
    return [part for part in applied_parts(ledger, invoice.id) if part.date <= as_of]


def _history(
    invoice: Invoice,
    settlement: _Settled,
    counted: list[AppliedPart],
    *,
    credits_from_due: bool,
) -> list[tuple[date, Decimal]]:
    """:func:`balance_history` of the parts ``counted`` by the settlement's date."""
    due = invoice.due_date
    if settlement.basis == "paid_on" and invoice.paid_on is not None:
        # The source's paid date settled what was left on its day: what came after it came
        # after the invoice was settled (the replay counts none of it).
        paid_on = invoice.paid_on
        counted = [part for part in counted if part.date <= paid_on]
    if credits_from_due:
        # Credit notes first (all on the due date), then the payments in their own order.
        counted = sorted(counted, key=lambda part: part.application.document_kind == "payment")
    balance = invoice.total
    by_day: dict[date, Decimal] = {}
    for part in counted:
        balance = max(ZERO, balance - part.application.amount)
        credit = part.application.document_kind != "payment"
        day = due if credits_from_due and credit else part.date
        by_day[max(day, due)] = balance
    steps = [(due, by_day.pop(due, invoice.total))]
    steps.extend(sorted(by_day.items()))
    if settlement.settled_on is not None and settlement.basis == "paid_on":
        # The source's paid date settles the rest: nothing is owed from the end of that day.
        if steps[-1][0] == settlement.settled_on:
            steps[-1] = (settlement.settled_on, ZERO)
        else:
            steps.append((settlement.settled_on, ZERO))
    return steps


def _document_dates(ledger: Ledger) -> dict[str, dict[str, date]]:
    """Each payment's and credit note's own date, by document kind and id."""
    return {
        "payment": {p.id: p.date for p in ledger.payments},
        "credit_note": {c.id: c.issue_date for c in ledger.credit_notes},
    }


def _effective(
    applications: tuple[Application, ...], document_dates: dict[str, dict[str, date]]
) -> tuple[list[AppliedPart], bool]:
    """The applications on the dates the replay counts them, and whether any date moved."""
    parts = []
    moved = False
    for application in applications:
        day = application.date
        own = document_dates[application.document_kind][application.document_id]
        if own > day:
            day, moved = own, True
        parts.append(AppliedPart(day, application))
    if moved:
        # Moving a date forward can change the order; the ledger's tie-break is kept.
        parts.sort(
            key=lambda p: same_day_order(
                p.date, p.application.document_kind, p.application.document_id
            )
        )
    return parts, moved


def replay(ledger: Ledger, *, as_of: date, policy: Policy | None = None) -> tuple[Replay, ...]:
    """Replay every live invoice issued by ``as_of``, in the ledger's order (issue date, id).

    One pass over the ledger, giving lightweight :class:`Replay` tuples; :func:`settle` turns
    the same replay into :class:`Settlement` models. The replay of the latest ``as_of`` and
    tolerance is kept on the ledger (a ledger never changes, so neither does its replay as of
    a date), so that the analyses of one review (:func:`settle`, the payment profiles, the open
    receivables) replay the ledger once rather than three times. Raises TypeError when
    ``as_of`` is not a date.
    """
    check_as_of(as_of)
    tolerance = (policy or Policy()).settle_tolerance
    return _replayed(ledger, as_of, tolerance)


_REPLAY_MEMO = "settlement.replay"
"""The key of the kept replay in the ledger's memo."""


def _replayed(ledger: Ledger, as_of: date, tolerance: Decimal) -> tuple[Replay, ...]:
    """The replay, from the one kept on the ledger when it is of the same date and tolerance."""
    return _kept_replay(ledger, as_of, tolerance).rows


def _kept_replay(ledger: Ledger, as_of: date, tolerance: Decimal) -> _KeptReplay:
    """The replay kept on the ledger, made (and kept) unless it is of the same date and
    tolerance."""
    memo = ledger.memo
    kept = memo.get(_REPLAY_MEMO)
    if isinstance(kept, _KeptReplay) and kept.as_of == as_of and kept.tolerance == tolerance:
        return kept
    with collector_paused():
        rows, late, opened = _replay(ledger, as_of, tolerance)
    kept = memo[_REPLAY_MEMO] = _KeptReplay(as_of, tolerance, rows, late, opened)
    return kept


def _late_replay(
    ledger: Ledger, *, as_of: date, policy: Policy | None = None
) -> tuple[Replay, ...]:
    """The rows of :func:`replay` (the same objects, in the same order) with days late, the
    invoices past due as of ``as_of``: settled after their due date, or open past it. For a
    reader that reads only those (the lateness costs, the customers that have been late:
    ``is_late`` needs days late above the grace days, which are never negative), without a
    pass over every row: a tenth of them in a long book. Internal: the review's fast path."""
    check_as_of(as_of)
    tolerance = (policy or Policy()).settle_tolerance
    return _kept_replay(ledger, as_of, tolerance).late


def _open_rows(ledger: Ledger, rows: Sequence[Replay]) -> Sequence[Replay]:
    """The rows of ``rows`` (a replay of ``ledger``) left open, in their order: the replay
    kept on the ledger picked them out as it made them (a fortieth of a long book's rows),
    so where ``rows`` is that replay no pass over every row is made. Internal: the review's
    fast path (the forecast, the open receivables)."""
    kept = ledger.memo.get(_REPLAY_MEMO)
    if isinstance(kept, _KeptReplay) and kept.rows is rows:
        return kept.open
    return [row for row in rows if row.status == "open"]


class _KeptReplay(NamedTuple):
    as_of: date
    tolerance: Decimal
    rows: tuple[Replay, ...]
    late: tuple[Replay, ...]
    """The rows with days late (``days_late`` above 0), in the replay's order."""
    open: tuple[Replay, ...]
    """The rows left open (``status`` ``"open"``), in the replay's order."""


def _replay(
    ledger: Ledger, as_of: date, tolerance: Decimal
) -> tuple[tuple[Replay, ...], tuple[Replay, ...], tuple[Replay, ...]]:
    """The replay itself (see :func:`replay`), then its rows with days late (above 0) and
    its open rows, each in the same order, picked out as they are made
    (:func:`_late_replay`, :func:`_open_rows`)."""
    # The applications as the ledger keeps them: mostly a payment whose one allocation is
    # the invoice's one application, read here without making an Application of it.
    held_of = ledger._held_applications().get
    # Each document's own date, looked up once per replay rather than once per application.
    document_dates = _document_dates(ledger)
    zero = ZERO
    # A Replay made as a tuple is, without NamedTuple.__new__'s keyword handling (a tenth of
    # the replay's time at a million invoices).
    new_replay = tuple.__new__
    rows: list[Replay] = []
    keep = rows.append
    late: list[Replay] = []
    opened: list[Replay] = []
    early: dict[int, int] = {}
    for invoice in ledger.invoices:
        issued = invoice.issue_date
        if issued > as_of:
            # The ledger is in issue-date order: nothing after this existed yet.
            break
        if invoice.status not in LIVE_STATUSES:
            continue
        total = invoice.total
        due = invoice.due_date
        held = held_of(invoice.id)
        # Nothing (beyond the tolerance) is owed on a zero invoice: settled the day it is issued.
        settled_on: date | None = issued if total <= tolerance else None
        basis: SettlementBasis | None = None
        applied = zero
        late_amount_days = zero
        adjusted = False
        if held is not None:
            balance = total
            # The source's paid date is an event of its day (rule 4 of docs/metrics/
            # lateness.md): it settles what the applications counted by the end of that day
            # leave open. Those counted later came after it and settle nothing.
            paid_on = invoice.paid_on if invoice.status == "paid" else None
            if not isinstance(held, tuple):
                # The common case, one application, without building a list.
                if isinstance(held, Application):
                    day, amount = held.date, held.amount
                    document_kind = held.document_kind
                    own = document_dates[document_kind][held.document_id]
                else:  # a payment or credit note whose one allocation it is
                    allocation = held.allocations[0]
                    document_kind = held.kind
                    own = held.date if isinstance(held, Payment) else held.issue_date
                    day = allocation.date or own
                    amount = allocation.amount
                if own > day:
                    day, adjusted = own, True
                if day <= as_of and (paid_on is None or day <= paid_on):
                    # (One counted after the source's paid date came after the paid date
                    # had settled the invoice: see below.)
                    applied = amount
                    balance = total - applied
                    if settled_on is None and balance <= tolerance:
                        settled_on, basis = day, "allocations"
                    if day > due and document_kind == "payment":
                        late_amount_days = applied * (day - due).days
            else:
                applications = held
                parts, adjusted = _effective(applications, document_dates)
                for day, application in parts:
                    if day > as_of or (
                        settled_on is None and paid_on is not None and day > paid_on
                    ):
                        break
                    applied += application.amount
                    balance -= application.amount
                    if settled_on is None and balance <= tolerance:
                        settled_on, basis = day, "allocations"
                    if day > due and application.document_kind == "payment":
                        late_amount_days += application.amount * (day - due).days
            if settled_on is None and paid_on is not None and paid_on <= as_of:
                # The source says paid, on a date, but the applications it gave leave a rest
                # open on that day (a bank payment outside the synced data, a correction
                # applied but not its cash): the source's paid date settles the rest on that
                # day. A replay as of that day could know nothing of later payments, and a
                # later replay does not take back what it found (docs: as-of honesty).
                rest = total - applied
                settled_on, basis, applied = paid_on, "paid_on", total
                if paid_on > due and rest > zero:
                    late_amount_days += rest * (paid_on - due).days
        elif invoice.status == "paid" and invoice.paid_on is not None:
            if settled_on is None and invoice.paid_on <= as_of:
                settled_on, basis, applied = invoice.paid_on, "paid_on", total
                if settled_on > due:
                    late_amount_days = total * (settled_on - due).days
        elif settled_on is None and invoice.status == "paid":
            keep(new_replay(Replay, (
                invoice, "paid_date_unknown", None, None, zero, zero, None, None, None,
                False, False, zero,
            )))
            continue

        if settled_on is not None:
            prepaid = settled_on < issued
            if prepaid:
                settled_on = issued
            beyond = (settled_on - due).days
            if beyond > 0:
                row = new_replay(Replay, (
                    invoice, "settled", settled_on, basis, applied, zero,
                    (settled_on - issued).days, beyond, beyond, prepaid, adjusted,
                    late_amount_days,
                ))
                keep(row)
                late.append(row)
                continue
            if beyond < -5:
                # Paid early: one int a number of days (CPython shares only -5 to 256; an
                # int of its own was 32 bytes for a third of the invoices).
                beyond = early.setdefault(beyond, beyond)
            keep(new_replay(Replay, (
                invoice, "settled", settled_on, basis, applied, zero,
                (settled_on - issued).days, beyond, 0, prepaid, adjusted, late_amount_days,
            )))
        else:
            open_balance = total - applied
            if open_balance < zero:
                # A cross-currency allocation may overshoot by a rounding step of the invoice;
                # the balance never goes negative.
                open_balance = zero
            past = (as_of - due).days
            overdue = past if past >= 0 else None
            row = new_replay(Replay, (
                invoice, "open", None, None, applied, open_balance, None, overdue, overdue,
                False, adjusted, late_amount_days,
            ))
            keep(row)
            opened.append(row)
            if past > 0:
                late.append(row)
    return tuple(rows), tuple(late), tuple(opened)


def settle(
    ledger: Ledger, *, as_of: date, policy: Policy | None = None
) -> dict[str, Settlement]:
    """Replay every invoice as of ``as_of``: its settlement, by invoice id, in ledger order.

    ``draft`` and ``void`` invoices, and invoices issued after ``as_of``, have no entry.
    ``policy`` supplies ``settle_tolerance`` and ``grace_days`` (defaults: ``Policy()``).
    Raises TypeError when ``as_of`` is not a date.
    """
    policy = policy or Policy()
    with collector_paused():
        return _settle(ledger, as_of, policy)


def _settle(ledger: Ledger, as_of: date, policy: Policy) -> dict[str, Settlement]:
    return {
        checked[0].invoice.id: _settlement_of(checked, ledger=ledger, as_of=as_of, policy=policy)
        for checked in _checked_replay(ledger, as_of=as_of, policy=policy)
    }


class Note(str):
    """A data-quality sentence about one invoice, with its kind and the amount involved (in
    the invoice's currency), so that a report can group a thousand alike notes into one line.
    It is a ``str``: wherever a sentence is expected, it is one."""

    kind: str
    """What the note is about: one of :data:`NOTE_KINDS`."""
    amount: Decimal
    """The amount involved, in the invoice's currency: what is left open, the difference, the
    invoice's total or the allocation, as the kind says."""


NOTE_KINDS: dict[str, tuple[str, str]] = {
    "paid_but_open_paid_date": (
        noop("The source marks an invoice paid on a date, but its payments and credit notes "
             "leave part of it open: the source's paid date settles the rest"),
        noop("left open")),
    "paid_but_open": (
        noop("The source marks an invoice paid, but its payments and credit notes leave part "
             "of it open: the replay treats it as open"),
        noop("left open")),
    "open_but_settled": (
        noop("The source marks an invoice open, but its payments and credit notes settle it: "
             "the replay treats it as settled"),
        noop("the invoices' totals")),
    "paid_date_differs": (
        noop("The source's paid date differs from the day the payments settle the invoice: "
             "the replay's date is used"),
        noop("the invoices' totals")),
    "paid_date_unknown": (
        noop("An invoice is marked paid with no payments and no paid date: it is left out of "
             "lateness"),
        noop("the invoices' totals")),
    "allocation_before_document": (
        noop("An allocation is dated before its payment or credit note: it is counted from "
             "the document's date"),
        noop("the allocations")),
    "amount_due_mismatch": (
        noop("The source's amount due differs from what the replay leaves open: the replay is "
             "used"),
        noop("the differences")),
}
"""The kinds of :class:`Note`: each with the sentence that describes the kind, and what the
notes' amounts are (English; ``clientguard.i18n.gettext`` gives them in the reader's language)."""


_DOCUMENT_WORDS = {"payment": noop("payment"), "credit_note": noop("credit note")}
"""A document kind as the notes name it."""


def _note(kind: str, amount: Decimal, text: str) -> Note:
    note = Note(text)
    note.kind = kind
    note.amount = amount
    return note


def is_late(days_late: int | None, grace_days: int) -> bool:
    """Whether an invoice counts as late: more days late than the grace days allow.

    The one place clientguard decides "late" (the settlements' ``late``, the payment profiles'
    counts and the findings read it from here). ``days_late`` None (not yet due, or the paid
    date unknown) is never late.
    """
    return days_late is not None and days_late > grace_days


def cancelled_by_credit(ledger: Ledger) -> Mapping[str, date | None]:
    """The invoices credit notes are applied to, each with the day of the first payment
    applied to it (None: no payment ever is). Such an invoice settled on its applications
    before any payment was applied to it was cancelled rather than paid (:func:`is_cancelled`;
    rule 10 of docs/metrics/lateness.md). A Polish faktura korygujaca cancelling a wrong
    invoice weeks after its due date, a dispute closed by a full credit: the client never owed
    the money, so the days before the credit note are not days it paid late.

    The one definition the payment profiles, the lateness findings, the lateness costs and the
    forecast's ``paid_by_client`` read. It holds for every date the ledger is read as of: an
    invoice is settled on its applications on the first day their running sum brings it
    within the tolerance, which a later application never moves, and whether a payment came
    by that day is a fact of that day (a payment of the last cent applied after credit notes
    had settled the invoice does not make it paid; one applied before, or on the same day,
    does). So it is kept on the ledger's memo and made once, from the credit notes'
    allocations alone (a few), not from the invoices.
    """
    kept = ledger.memo.get(_CANCELLED_MEMO)
    if isinstance(kept, dict):
        return kept
    credited = {
        allocation.invoice_id
        for customer_id in ledger.customer_ids
        for note in ledger.credit_notes_of(customer_id)
        for allocation in note.allocations
    }
    # The day the replay counts a payment from: its allocation's date, but never before the
    # money came (an allocation dated on the invoice's date, as Xero may write it, does not
    # bring a payment received later forward: :func:`applied_parts`).
    payment = ledger.payment
    cancelled: dict[str, date | None] = {
        invoice_id: min(
            (max(application.date, payment(application.document_id).date)
             for application in ledger.applications(invoice_id)
             if application.document_kind == "payment"),
            default=None,
        )
        for invoice_id in credited
    }
    ledger.memo[_CANCELLED_MEMO] = cancelled
    return cancelled


_CANCELLED_MEMO = "settlement.cancelled_by_credit"
"""The key of :func:`cancelled_by_credit`'s invoices on the ledger's memo."""


def is_cancelled(row: Replay, cancelled: Mapping[str, date | None]) -> bool:
    """Whether a replay row is an invoice cancelled by credit notes: settled on its
    applications (not on the source's paid date, which says the client paid the rest), none
    of them by its settlement day a payment (``cancelled``: :func:`cancelled_by_credit` of
    the row's ledger; a payment on that day is applied before the day's credit notes).

    Such an invoice is neither late nor on time: it is out of the late share, the weighted
    days late and the chronic-late finding. While it was open it was owed as any other
    (the replay as of a day before the credit note shows it open, past due and aged). An
    invoice credited in part and paid for the rest was paid: it keeps its days late.
    """
    if row.basis != "allocations" or row.status != "settled":
        return False
    invoice_id = row.invoice.id
    if invoice_id not in cancelled:
        return False
    first_paid = cancelled[invoice_id]
    settled_on = row.settled_on
    return first_paid is None or (settled_on is not None and first_paid > settled_on)


_Checked = tuple[Replay, Decimal | None, tuple[str, ...]]
"""A replay with what the source says differently: its ``amount_due`` where that disagrees
with the replay (else None), and the notes that say so. Unpack it in the ``for`` statement:
``for replay, mismatch, notes in _checked_replay(...)``."""


def _checked_replay(
    ledger: Ledger, *, as_of: date, policy: Policy | None = None
) -> Iterator[_Checked]:
    """Each invoice's :class:`Replay` with the source's disagreements: what :func:`settle`
    makes its settlements of. :func:`_settlement_of` makes the settlement of one. Internal,
    as :func:`_checked_rows`."""
    flagged = {
        item[0].invoice.id: item for item in _checked_rows(ledger, as_of=as_of, policy=policy)
    }
    no_notes: tuple[str, ...] = ()
    for row in replay(ledger, as_of=as_of, policy=policy):
        yield flagged.get(row.invoice.id) or (row, None, no_notes)


def _checked_rows(
    ledger: Ledger, *, as_of: date, policy: Policy | None = None
) -> list[_Checked]:
    """The :class:`Replay` rows the source disagrees with (its ``amount_due`` or its status,
    in :func:`_source_disagreements`' sentences), and those paid with no date, each with the
    disagreement, in ledger order; every other row has none (``None, ()``). For a caller
    that needs the disagreements of every invoice but the settlements of only a few (the
    review: its data-quality notes and the costs of the late invoices). Internal: the
    review's fast path, not part of the public API.

    The common rows are passed by the rules below without a sentence being made, each
    saying what :func:`_source_disagreements` would find (nothing); the others go to it.
    """
    policy = policy or Policy()
    tolerance = policy.settle_tolerance
    applications_of = ledger.applications
    held_of = ledger._held_applications().get
    flagged: list[_Checked] = []
    for row in replay(ledger, as_of=as_of, policy=policy):
        invoice = row.invoice
        amount_due = invoice.amount_due
        if not row.dates_adjusted and invoice.status == "paid" and invoice.paid_on is None:
            if row.basis == "allocations" and not amount_due:
                # Settled by its payments: every payment and credit note recorded leaves
                # at most what settled it (within the tolerance) open, and the source says
                # nothing is due (or says nothing).
                continue
            applications = applications_of(invoice.id)
            if applications:
                # Paid with payments, no paid date of the source's: nothing to say unless
                # the balance disagrees.
                left = invoice.total
                for application in applications:
                    left -= application.amount
                if left < ZERO:
                    left = ZERO
                if left <= tolerance and (
                    amount_due is None or abs(amount_due - left) <= tolerance
                ):
                    continue
        elif held_of(invoice.id) is None:
            # No payment nor credit note at all (so no date moved): an open invoice leaves
            # its total, one the source marks paid on a date nothing (one marked paid with
            # no date went above); only the source's amount due can disagree.
            left = invoice.total if invoice.status != "paid" else ZERO
            if amount_due is None or abs(amount_due - left) <= tolerance:
                continue
        item = _source_disagreements(ledger, row, tolerance, as_of)
        if row.status == "paid_date_unknown" or item[0] is not None or item[1]:
            flagged.append((row, *item))
    return flagged


def _settlement_of(checked: _Checked, *, ledger: Ledger, as_of: date, policy: Policy) -> Settlement:
    """The :class:`Settlement` of one of :func:`_checked_replay`'s items (made with the same
    ``ledger``, ``as_of`` and ``policy``)."""
    row, mismatch, notes = checked
    invoice = row.invoice
    currency = invoice.currency
    rate = ONE if currency == ledger.base_currency else ledger.rate_to_base(invoice)
    cancelled = is_cancelled(row, cancelled_by_credit(ledger))
    # The fields in the model's order, as validation would store them.
    return _settlement({
        "invoice_id": invoice.id,
        "customer_id": invoice.customer_id,
        "currency": currency,
        "as_of": as_of,
        "status": row.status,
        "settled_on": row.settled_on,
        "basis": row.basis,
        "applied": row.applied,
        "open_balance": row.open_balance,
        "open_balance_base": row.open_balance * rate,
        "days_to_pay": row.days_to_pay,
        "days_beyond_terms": row.days_beyond_terms,
        "days_late": row.days_late,
        "late": is_late(row.days_late, policy.grace_days) and not cancelled,
        "prepaid": row.prepaid,
        "paid_date_unknown": row.status == "paid_date_unknown",
        "source_amount_due_mismatch": mismatch,
        "notes": notes,
        "cancelled": cancelled,
    })


_set_attribute = object.__setattr__
_Model = TypeVar("_Model", bound=BaseModel)


class _Unvalidated(Generic[_Model]):
    """Makes models of one result type from values computed from a validated ledger, without
    validating them again: the instance validation would make (the same ``__dict__``, every
    field set, no extras), at the cost of a plain object.

    Only for values of exactly the declared types, every field given in the model's order
    (``tests/test_performance_paths.py`` and ``tests/test_review_speed.py`` validate what
    each maker makes back into an equal model, field by field). Validation (and pydantic's
    ``model_construct``, which is no faster) cost about 7 µs a model: 7 s of a
    million-invoice review for the settlements alone. Internal: the analyses' fast paths.
    """

    __slots__ = ("fields", "model")

    def __init__(self, model: type[_Model]) -> None:
        self.model = model
        self.fields = set(model.model_fields)
        """Every field of the model: the fields set of each instance made. One set shared by
        all of them (they all set every field, and a frozen model never adds to it;
        pydantic's ``model_copy`` copies it before changing it): a set of its own cost
        0.7 GB at a million settlements."""

        # The model's instances share one table of field names (as the records do, see
        # ``model._share_keys``), filled here, before any instance is made: each made below
        # keeps only its values (a late invoice's cost, interest and compensation: about
        # 900 bytes less each).
        names = self.model.__new__(self.model)
        for name in model.model_fields:
            _set_attribute(names, name, None)

    def __call__(self, values: dict[str, Any]) -> _Model:
        made = self.model.__new__(self.model)
        # The pairs one by one into the instance's own ``__dict__`` (the shared table
        # above; ``update(values.items())`` stores them so, in C): assigning ``values`` as the
        # ``__dict__``, or ``update(values)``, would keep a table of its own (its copy).
        made.__dict__.update(values.items())
        _set_attribute(made, "__pydantic_fields_set__", self.fields)
        _set_attribute(made, "__pydantic_extra__", None)
        _set_attribute(made, "__pydantic_private__", None)
        return made


_settlement = _Unvalidated(Settlement)
"""A :class:`Settlement` of every field's value, in the model's order, unvalidated: every
value is computed by :func:`settle` from a validated ledger, with exactly the declared type."""


def _source_disagreements(
    ledger: Ledger, item: Replay, tolerance: Decimal, as_of: date
) -> tuple[Decimal | None, tuple[str, ...]]:
    """Where the source's own figures disagree with the replay as of ``as_of`` (``item``), in
    sentences.

    Two kinds. The source describes the invoice as it stands now, so its amount due, and its
    status ``paid`` where the payments leave a rest and the source gives no paid date, are
    compared with the replay of every payment and credit note recorded, whatever ``as_of``
    is. The sentences that say what the replay did (settled an invoice the source marks
    open, let the source's paid date settle a rest, settled it on another day than the
    source's paid date, counted an allocation from its document's date) speak only of what
    had happened by ``as_of``, as the replay does: a payment received later is not in them,
    so the ledger cut back to ``as_of`` gets the same ones.
    """
    invoice = item.invoice
    notes: list[str] = []
    applications = ledger.applications(invoice.id)
    total = invoice.total
    currency = invoice.currency
    # The applications the replay counted by as_of, in its order: read only where a sentence
    # about the replay needs them (most invoices the source marks open need none).
    counted: list[AppliedPart] = []
    if applications and (item.dates_adjusted
                         or (invoice.status == "paid" and invoice.paid_on is not None)):
        counted = [part for part in applied_parts(ledger, invoice.id) if part.date <= as_of]
    if applications:
        left = total
        for application in applications:
            left -= application.amount
        if left < ZERO:
            left = ZERO
        if invoice.status == "paid" and invoice.paid_on is not None:
            if item.basis == "paid_on" and counted:
                # The applications counted by the end of the source's paid date (by as_of,
                # or the replay would not rest on it) left a rest that the paid date settled.
                rest = total
                for part in counted:
                    if part.date <= invoice.paid_on:
                        rest -= part.application.amount
                notes.append(_note(
                    "paid_but_open_paid_date", rest,
                    gettext(
                        "the source marks invoice {invoice} paid on {paid_on}, but its payments "
                        "and credit notes leave {left} open: the source's paid date settles "
                        "the rest"
                    ).format(
                        invoice=ledger.invoice_label(invoice.id),
                        paid_on=wording.day(invoice.paid_on),
                        left=wording.as_given(rest, currency),
                    ),
                ))
        elif invoice.status == "paid" and left > tolerance:
            notes.append(_note(
                "paid_but_open", left,
                gettext(
                    "the source marks invoice {invoice} paid, but its payments and credit notes "
                    "leave {left} open: the replay treats it as open"
                ).format(invoice=ledger.invoice_label(invoice.id),
                         left=wording.as_given(left, currency)),
            ))
        elif invoice.status == "open" and item.status == "settled" and total > tolerance:
            # Settled by as_of: one settled only later was open as the source says.
            notes.append(_note(
                "open_but_settled", total,
                gettext(
                    "the source marks invoice {invoice} open, but its payments and credit notes "
                    "settle it: the replay treats it as settled"
                ).format(invoice=ledger.invoice_label(invoice.id)),
            ))
        if (invoice.status == "paid" and invoice.paid_on is not None
                and invoice.paid_on <= as_of and counted and item.basis != "paid_on"):
            # Settled before the source's paid date (else the paid date would have settled
            # it): on the replay's day. A paid date after as_of had not come yet, and is not
            # named.
            cleared = item.settled_on
            if cleared is not None and cleared != invoice.paid_on:
                notes.append(_note(
                    "paid_date_differs", total,
                    gettext(
                        "the source says invoice {invoice} was paid on {paid_on}, but its "
                        "payments settle it on {cleared}: the replay's date is used"
                    ).format(
                        invoice=ledger.invoice_label(invoice.id),
                        paid_on=wording.day(invoice.paid_on),
                        cleared=wording.day(cleared),
                    ),
                ))
    elif invoice.status == "paid":
        left = ZERO
        if invoice.paid_on is None and total > tolerance:
            notes.append(_note(
                "paid_date_unknown", total,
                gettext(
                    "invoice {invoice} is marked paid with no payments and no paid date: it is "
                    "left out of lateness (paid, date unknown)"
                ).format(invoice=ledger.invoice_label(invoice.id)),
            ))
    else:
        left = total
    if item.dates_adjusted:
        for part in counted:
            if part.date != part.application.date:
                document_kind = part.application.document_kind
                kind = gettext(_DOCUMENT_WORDS.get(document_kind, document_kind.replace("_", " ")))
                notes.append(_note(
                    "allocation_before_document", part.application.amount,
                    gettext(
                        "an allocation of {kind} {document} is dated {dated}, before the {kind} "
                        "itself: it is counted from {counted}"
                    ).format(
                        kind=kind,
                        document=part.application.document_id,
                        dated=wording.day(part.application.date),
                        counted=wording.day(part.date),
                    ),
                ))
    mismatch: Decimal | None = None
    if invoice.amount_due is not None and abs(invoice.amount_due - left) > tolerance:
        mismatch = invoice.amount_due - left
        notes.append(_note(
            "amount_due_mismatch", abs(mismatch),
            gettext(
                "the source says {amount_due} is due on invoice {invoice}, the replay of its "
                "payments and credit notes leaves {left}: the replay is used"
            ).format(
                amount_due=wording.as_given(invoice.amount_due, currency),
                invoice=ledger.invoice_label(invoice.id),
                left=wording.as_given(left, currency),
            ),
        ))
    return mismatch, tuple(notes)


class UnappliedCash(Frozen):
    """Money a customer paid (or was credited) that pays no invoice as of a date."""

    customer_id: str
    """The customer."""
    as_of: date
    """The date of the replay."""
    payments: Decimal
    """Payments received by ``as_of`` and not applied by then to a live invoice issued by then,
    in the base currency (each at its own rate)."""
    credit: Decimal
    """Credit notes issued by ``as_of`` and neither applied nor paid back (refunded) by then,
    in the base currency."""
    by_currency: dict[str, Decimal]
    """``payments`` in each payment's own currency (unconverted)."""
    payment_ids: tuple[str, ...]
    """The payments with an unapplied part, in ledger order."""
    credit_note_ids: tuple[str, ...]
    """The credit notes with an unapplied part, in ledger order."""
    void_invoice_ids: tuple[str, ...]
    """``void`` or ``draft`` invoices that money was allocated to: that money is unapplied."""


class UnappliedPart(NamedTuple):
    """One payment's or credit note's part that pays no invoice as of a date
    (:func:`unapplied_parts`), in its own currency."""

    customer_id: str
    kind: Literal["payment", "credit_note"]
    document_id: str
    on: date
    """The day the money came: the payment's date, the credit note's issue date."""
    currency: str
    amount: Decimal
    """What of the document is unapplied (not refunded), in ``currency``: more than zero."""


def unapplied_parts(ledger: Ledger, *, as_of: date) -> list[UnappliedPart]:
    """The payments' and credit notes' parts that pay no invoice as of ``as_of``, as
    :func:`unapplied_cash` counts them (the same rules), one per document, unconverted: the
    payments in date order, then the credit notes in issue-date order."""
    check_as_of(as_of)
    return [part for part, _void, _doc in _kept_free_parts(ledger, as_of) if part.amount > ZERO]


_FREE_PARTS_MEMO = "settlement.free_parts"
"""The key of the free parts kept in the ledger's memo (one date's)."""


def _kept_free_parts(
    ledger: Ledger, as_of: date
) -> list[tuple[UnappliedPart, tuple[str, ...], Payment | CreditNote]]:
    """:func:`_free_parts` as of ``as_of``, kept on the ledger (a ledger never changes, so
    neither do they): a review reads the payments for its unapplied money once, however many
    of its passes ask (the profiles, what the money covers). The few documents with something
    unapplied or allocated to a dead invoice: not one entry a payment."""
    kept = ledger.memo.get(_FREE_PARTS_MEMO)
    if not (isinstance(kept, tuple) and kept[0] == as_of):
        kept = ledger.memo[_FREE_PARTS_MEMO] = (as_of, list(_free_parts(ledger, as_of)))
    parts: list[tuple[UnappliedPart, tuple[str, ...], Payment | CreditNote]] = kept[1]
    return parts


def _free_parts(
    ledger: Ledger, as_of: date
) -> Iterator[tuple[UnappliedPart, tuple[str, ...], Payment | CreditNote]]:
    """Each payment and credit note dated by ``as_of`` with something that pays nothing then
    or money allocated to a void or draft invoice: what of it pays nothing (zero or less when
    all of it is applied), those invoices, and the document itself. A document applied whole
    to live invoices is left out."""
    # The invoices money cannot be applied to as of as_of: void and draft ones, and those not
    # yet issued (the ledger's invoices are in issue-date order).
    invoices = ledger.invoices
    issued = bisect.bisect_right(invoices, as_of, key=lambda i: i.issue_date)
    dead = {i.id for i in invoices[:issued] if i.status not in LIVE_STATUSES}
    unborn = {i.id for i in invoices[issued:]}

    def free_part(
        amount: Decimal, allocations: tuple[Allocation, ...]
    ) -> tuple[Decimal, tuple[str, ...]]:
        """What of the document pays nothing as of ``as_of``, and the dead invoices it was
        allocated to."""
        free = amount
        void: list[str] = []
        for allocation in allocations:
            target = allocation.invoice_id
            if target in dead:
                if target not in void:
                    void.append(target)
                continue
            on = allocation.date
            if target not in unborn and (on is None or on <= as_of):
                # Applied by as_of: counted from the later of the allocation's date and the
                # document's, and the document is dated by as_of here.
                free -= allocation.amount
        return free, tuple(void)

    for payment in ledger.payments:
        if payment.date > as_of:
            break  # the ledger's payments are in date order
        free, void = free_part(payment.amount, payment.allocations)
        if free > ZERO or void:
            yield UnappliedPart(payment.customer_id, "payment", payment.id, payment.date,
                                payment.currency, free), void, payment
    for note in ledger.credit_notes:
        if note.issue_date > as_of:
            break
        free, void = free_part(note.total, note.allocations)
        for refund in note.refunds:
            # Paid back by as_of (undated: on the issue date, which is by as_of here): credit
            # the firm no longer owes. A refund dated later is still owed as of as_of.
            if refund.date is None or refund.date <= as_of:
                free -= refund.amount
        if free > ZERO or void:
            yield UnappliedPart(note.customer_id, "credit_note", note.id, note.issue_date,
                                note.currency, free), void, note


def unapplied_cash(ledger: Ledger, *, as_of: date) -> dict[str, UnappliedCash]:
    """Per customer, the payments and credits that pay no invoice as of ``as_of``.

    Unapplied cash is kept as such: the replay never applies it to an invoice on its own.
    A part counts as unapplied when it is not allocated, when its allocation is dated after
    ``as_of``, when its invoice was issued after ``as_of`` (a prepayment before the invoice
    exists), or when its invoice is ``void`` or ``draft``. A credit note's refunds dated by
    ``as_of`` (undated ones on its issue date) are paid back: no longer credit. Customers with
    nothing unapplied are left out.
    """
    check_as_of(as_of)
    cash: dict[str, Decimal] = {}
    credit: dict[str, Decimal] = {}
    by_currency: dict[str, dict[str, Decimal]] = {}
    payment_ids: dict[str, list[str]] = {}
    note_ids: dict[str, list[str]] = {}
    void_ids: dict[str, list[str]] = {}
    for part, void, document in _kept_free_parts(ledger, as_of):
        customer = part.customer_id
        for target in void:
            ids = void_ids.setdefault(customer, [])
            if target not in ids:
                ids.append(target)
        free = part.amount
        if free <= ZERO:
            continue
        rate = ledger.rate_to_base(document)
        if part.kind == "payment":
            cash[customer] = cash.get(customer, ZERO) + free * rate
            currencies = by_currency.setdefault(customer, {})
            currencies[part.currency] = currencies.get(part.currency, ZERO) + free
            payment_ids.setdefault(customer, []).append(part.document_id)
        else:
            credit[customer] = credit.get(customer, ZERO) + free * rate
            note_ids.setdefault(customer, []).append(part.document_id)
    customers = sorted(set(cash) | set(credit) | set(void_ids))
    return {
        customer: UnappliedCash(
            customer_id=customer,
            as_of=as_of,
            payments=cash.get(customer, ZERO),
            credit=credit.get(customer, ZERO),
            by_currency=by_currency.get(customer, {}),
            payment_ids=tuple(payment_ids.get(customer, ())),
            credit_note_ids=tuple(note_ids.get(customer, ())),
            void_invoice_ids=tuple(void_ids.get(customer, ())),
        )
        for customer in customers
    }
