"""The ledger: a validated, immutable, indexed bundle of records in one base currency.

:meth:`Ledger.build` checks every record and every rule between records at once and reports
every problem, not only the first. In strict mode (the default) any problem raises one
:class:`~clientguard.errors.DataError` listing them all; with ``strict=False`` the good records
are kept and each bad one is returned as a :class:`Rejection` in ``ledger.report``. Nothing is
dropped silently.

Rules between records:

* a record's identity is (source, kind, id): ids are unique per kind of record within a
  source (the first occurrence is kept, a later one is rejected and names the first, with
  both sources and locations). Two sources may both have an invoice "2": in a ledger of
  several sources every record is keyed ``source:id`` (see :mod:`clientguard.records`), and
  allocations resolve within their own source;
* customers the user links (``links=``) count as one client, like a group;
* a document in a currency other than the base currency needs a rate: its own ``fx_rate`` or
  the ledger's :class:`~clientguard.money.FxTable`. The table's rates are held to the model's
  bounds of a rate (``MIN_RATE`` to ``MAX_RATE``: a table past them is refused), and a
  document whose amounts at the table's rate would pass an amount's bound is rejected
  (:func:`clientguard.model.rate_in_bounds`, as for a document's own rate);
* a record naming a customer that its source does not give, where the source gives
  customers, is kept and counts for a client known only by that id; it is listed in
  ``ledger.report.unknown_customers`` and said in ``ledger.report.notes``
  (docs/model-bounds.md);
* an allocation names an invoice that exists (and was not itself rejected);
* a payment or credit note in another currency than the invoice it pays needs rates for both
  currencies on the allocation date (a document's own ``fx_rate`` is its rate on its own date
  and wins there, as in :meth:`Ledger.rate_to_base`; on other dates the FxTable's rate for that
  date is used, else the document's own rate);
* an invoice due before it was issued (issued after the money came in: real data, not an
  error) is kept, due on its issue date, and listed in ``ledger.report.adjusted`` with the
  source's due date;
* a time entry that names its client only by name (``customer_name``, as a time tracker
  does) is matched to the one customer whose name normalises like it
  (:class:`clientguard.names.NameIndex`, the CSV connector's matching too); customers that
  count as one client (a ``group_id``, a link) are one match. A name that matches no
  customer, or customers of several clients, rejects the entry, naming the name and the
  customers, and the rejection carries its hours (``report.unmatched``);
* the allocations to an invoice never add up to more than its total. Allocations are applied
  in the settlement replay's order (each on its allocation's date, never before its
  document's; on the same day payments before credit notes), so the document whose
  application the replay would find over-applying the invoice is the one rejected.

:meth:`Ledger.from_connector` is a thin call: :func:`clientguard.connector.pull` (the layer
below) pulls the records and their rejections, :meth:`Ledger.build` checks them.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from os import PathLike
from typing import NamedTuple, TypeVar, cast

from clientguard import i18n, wording
from clientguard.connector import Connector, pull
from clientguard.errors import DataError
from clientguard.gcpause import collector_paused
from clientguard.i18n import gettext, ngettext, noop, npgettext, pgettext
from clientguard.model import (
    MAX_AMOUNT_DIGITS,
    MAX_RATE,
    MIN_RATE,
    AnyRecord,
    CreditNote,
    Customer,
    Invoice,
    Payment,
    Record,
    TimeEntry,
    WorkRequest,
    rate_in_bounds,
)
from clientguard.money import ONE, ZERO, FxTable, combined_fx, exponent, is_currency
from clientguard.names import NameIndex, normalise_name
from clientguard.records import KEY_SEPARATOR, Link, ledger_key
from clientguard.records import Location as Location  # re-exported: ledger's old home
from clientguard.records import RecordKey as RecordKey
from clientguard.records import Rejection as Rejection
from clientguard.tax_id import comparable_tax_id, same_taxpayer
from clientguard.taxpayers import OneClient, Ref

__all__ = [
    "Application",
    "CrossAllocation",
    "DeliveredTwice",
    "Ledger",
    "LoadReport",
    "SameInTwoSources",
    "UnknownCustomer",
    "UnmatchedHours",
    "linked_customers",
    "same_day_order",
]


@dataclass(frozen=True, slots=True)
class Adjustment:
    """A record the ledger kept with one field changed, and what the source had there."""

    kind: str
    """What the record is: ``invoice``, ``payment``, ..."""
    source: str
    """The source it came from."""
    record_id: str
    """Its id in the source."""
    field: str
    """The field the ledger changed."""
    source_value: str
    """The value the source has (the record in the store keeps it)."""
    used_value: str
    """The value every analysis uses."""
    reason: str
    """Why, in words a person reads."""
    location: Location | None = None
    """Where it is in the source (file, line, column), where known."""

    def __str__(self) -> str:
        with i18n.using("en"):
            return self.words()

    def words(self) -> str:
        """The sentence in the active language (``str()`` is the English one, as the load
        report keeps it): the kind and the reason are translated where the reason is the
        ledger's own (an invoice due before its issue date), and the record's place
        (``inv.csv, wiersz 4``); the source, id and field are names and stay as they are."""
        where = f"{self.source}, {self.location.words()}" if self.location else self.source
        kind = _KIND_WORDS[self.kind]() if self.kind in _KIND_WORDS else self.kind
        return f"{kind} {self.record_id} ({where}): {self.field}: {self._reason_words()}"

    def _reason_words(self) -> str:
        if self.field == "due_date" and i18n.language() != "en":
            with i18n.using("en"):
                english = _due_before_issue(self.source_value, self.used_value)
            if english == self.reason:
                return _due_before_issue(self.source_value, self.used_value)
        return self.reason


_KIND_WORDS: dict[str, Callable[[], str]] = {
    "customer": lambda: pgettext("a record's kind", "customer"),
    "invoice": lambda: pgettext("a record's kind", "invoice"),
    "payment": lambda: pgettext("a record's kind", "payment"),
    "credit_note": lambda: pgettext("a record's kind", "credit_note"),
    "time_entry": lambda: pgettext("a record's kind", "time_entry"),
    "work_request": lambda: pgettext("a record's kind", "work_request"),
}
"""A record's kind as a note of the ledger names it (English: the kind's code)."""


def _due_before_issue_english(due: date, issued: date) -> str:
    """The reason an :class:`Adjustment` of a due date keeps: English, as the load report
    keeps it."""
    with i18n.using("en"):
        return _due_before_issue(due.isoformat(), issued.isoformat())


def _due_before_issue(due: str, issued: str) -> str:
    """Why an invoice due before its issue date (both ISO dates) is due on its issue date, in
    the active language (:class:`Adjustment`)."""
    return gettext(
        "due {due}, before its issue date {issued} (issued after the money came in?); counted "
        "as due on its issue date"
    ).format(due=wording.day(date.fromisoformat(due)),
             issued=wording.day(date.fromisoformat(issued)))


@dataclass(frozen=True, slots=True)
class UnmatchedHours:
    """A client name of time entries that no customer was matched to, with what it carries:
    hours that are not in any client's share until the name matches."""

    source: str
    """The source of the entries."""
    name: str
    """The client's name as the source writes it."""
    entries: int
    """How many time entries name it."""
    hours: Decimal
    """Their hours, summed."""
    first: date
    last: date
    """The first and the last day they were worked."""
    reason: str
    """Why it did not match (no customer of that name, or several clients)."""

    def __str__(self) -> str:
        with i18n.using("en"):
            return self.words()

    def words(self) -> str:
        """The sentence in the active language (``str()`` is the English one). The hours are
        written as the entries add them up (``1.50 hours``; ``1,5 godziny`` in Polish)."""
        if i18n.language() == "en":
            hours = f"{self.hours} hours"  # as this note always wrote it, "1 hours" too
            days = f"{self.first}" if self.first == self.last else f"{self.first}..{self.last}"
        else:
            hours = wording.quantity(self.hours, "hour", 2, trim=True)
            days = wording.day(self.first) if self.first == self.last else pgettext(
                "a span of days", "{first}..{last}"
            ).format(first=wording.day(self.first), last=wording.day(self.last))
        return ngettext(
            "{source}: client {name}: {hours} in {n} time entry ({days}) not counted: {reason}",
            "{source}: client {name}: {hours} in {n} time entries ({days}) not counted: "
            "{reason}",
            self.entries,
        ).format(source=self.source, name=repr(self.name), hours=hours, n=self.entries,
                 days=days, reason=_unmatched_reason_words(self.reason))


_SEVERAL_CLIENTS = re.compile(r"matches (\d+) customers of different clients \((.*)\)")
"""The reason of a name that matches customers of several clients (:meth:`_Build.named`)."""


def _unmatched_reason_words(reason: str) -> str:
    """Why a client's name matched no customer (:attr:`UnmatchedHours.reason`, taken from
    the rejection, which stays English), in the active language; a reason of another form is
    returned as it is."""
    if reason == "matches no customer":
        return gettext("matches no customer")
    several = _SEVERAL_CLIENTS.fullmatch(reason)
    if several is None:
        return reason
    count = int(several[1])
    return ngettext(
        "matches {n} customer of different clients ({customers})",
        "matches {n} customers of different clients ({customers})",
        count,
    ).format(n=count, customers=several[2])


_COUNTED: dict[str, Callable[[int], str]] = {
    "invoice": lambda n: npgettext("a count of records", "{n} invoice", "{n} invoices", n),
    "payment": lambda n: npgettext("a count of records", "{n} payment", "{n} payments", n),
    "credit_note": lambda n: npgettext(
        "a count of records", "{n} credit note", "{n} credit notes", n
    ),
    "time_entry": lambda n: npgettext(
        "a count of records", "{n} time entry", "{n} time entries", n
    ),
    "work_request": lambda n: npgettext(
        "a count of records", "{n} work request", "{n} work requests", n
    ),
}
"""The records' kinds, as a sentence counts them (``{n}`` the count)."""
_LISTED_IDS = 5
"""How many ids of one kind an :class:`UnknownCustomer` sentence lists."""


@dataclass(frozen=True, slots=True)
class UnknownCustomer:
    """A customer id that records of a source name, though the source's customers (it gives
    some) do not include it: a customer deleted or archived in the source, not synced, or a
    typo. The records are kept and count for a client known only by that id (no name,
    group or tax id), like those of a source that gives no customers at all."""

    source: str
    """The source of the records (and of the customers that lack the id)."""
    customer_id: str
    """The customer id the records name, as the source gives it."""
    records: tuple[tuple[str, str | None], ...]
    """The records that name it, each ``(kind, id)`` as the source gives the id (None for a
    time entry without one), in ledger order: invoices, payments, credit notes, time
    entries, work requests."""

    def __str__(self) -> str:
        with i18n.using("en"):
            return self.words()

    def words(self) -> str:
        """The sentence in the active language (``str()`` is the English one)."""
        by_kind: dict[str, list[str | None]] = {}
        for kind, ident in self.records:
            by_kind.setdefault(kind, []).append(ident)
        parts = []
        for kind, idents in by_kind.items():
            count = len(idents)
            counted = (_COUNTED[kind](count).format(n=count) if kind in _COUNTED
                       # a kind no sentence counts: its code, in English
                       else f"{count} {kind.replace('_', ' ') if count == 1 else f'{kind}s'}")
            shown = [i for i in idents if i is not None][:_LISTED_IDS]
            rest = count - len(shown)
            listed = ", ".join(shown)
            if shown and rest:
                listed = gettext("{listed} and {rest} more").format(listed=listed, rest=rest)
            parts.append(f"{counted} ({listed})" if shown else counted)
        named = parts[0] if len(parts) == 1 else pgettext(
            "the last of a list", "{items} and {last}"
        ).format(items=", ".join(parts[:-1]), last=parts[-1])
        return ngettext(
            "{source}: customer {customer} is not among the source's customers, but {records} "
            "names it: counted for a client known only by that id (no name, group or tax id); "
            "add the customer to the source (or sync its customers), or correct the records' "
            "customer_id; where the source deleted the customer and kept its documents (Stripe "
            "does), nothing needs doing",
            "{source}: customer {customer} is not among the source's customers, but {records} "
            "name it: counted for a client known only by that id (no name, group or tax id); "
            "add the customer to the source (or sync its customers), or correct the records' "
            "customer_id; where the source deleted the customer and kept its documents (Stripe "
            "does), nothing needs doing",
            len(self.records),
        ).format(source=self.source, customer=repr(self.customer_id), records=named)


@dataclass(frozen=True, slots=True)
class DeliveredTwice:
    """Records delivered again with the id and the content of one already kept (an export
    read twice, overlapping exports of one tool, a ledger merged with one it was merged
    from): each is counted once, and this says how many came again, naming the first."""

    count: int
    """How many records came again."""
    kind: str
    """The first one's kind (``invoice``, ``customer``, ...)."""
    record_id: str
    """The first one's id, as its source gives it."""
    source: str
    """The first one's source."""

    def __str__(self) -> str:
        with i18n.using("en"):
            return self.words()

    def words(self) -> str:
        """The sentence in the active language (``str()`` is the English one, as the load
        report keeps it): the kind translated, the id and the source as they are."""
        kind = _KIND_WORDS[self.kind]() if self.kind in _KIND_WORDS else self.kind
        return ngettext(
            "{n} record came twice with the same id and the same content (the first: {kind} "
            "{record} of {source}): each counted once",
            "{n} records came twice with the same id and the same content (the first: {kind} "
            "{record} of {source}): each counted once",
            self.count,
        ).format(n=self.count, kind=kind, record=self.record_id, source=self.source)


@dataclass(frozen=True, slots=True)
class SameInTwoSources:
    """Documents of different sources that look like one document counted once in each: a
    Stripe invoice also exported to Xero, a bank transfer also recorded as a payment in the
    books. Invoices: the same issue date, currency and total, of one client (customers the
    user linked, or a group) or with one number; payments: the same date, currency and
    amount, of one client (linked, of one group, or, not linked, names alike or one tax id, as
    for the copies below and ``clientguard links suggest``). Both are kept and counted (the
    ledger cannot tell a copy from a second sale of the same amount on the same day); this
    says so, so that a person looks.

    Invoices of one number (:func:`_number_keys`: separators, case and padding zeros aside)
    and issue date, of one client (linked, of one group, or, not linked, names alike or one
    tax id, as ``clientguard links suggest`` judges it: two firms of a group numbering in
    parallel give one number to two clients' invoices), are also one invoice, very likely,
    when the copy is in another currency (an integration that converts into the firm's
    currency) and the totals are worth the same in the base currency, within
    :data:`COPY_CONVERTED_TOLERANCE` (each at its own rate in the ledger); when, in one
    currency, the totals are a rounding apart
    (:data:`COPY_ROUNDING_UNITS`) or one is the other with VAT (:data:`COPY_VAT_RATES`: net in
    one tool, gross in the other); and when one number's copies were issued a day apart
    (:data:`COPY_DAYS_APART`: a tool dating in UTC beside one dating in the firm's zone).
    Such a set lists each one's own date, currency and total in :attr:`documents`."""

    kind: str
    """``invoice`` or ``payment``."""
    records: tuple[str, ...]
    """The documents, by ledger key (``source:id``), sorted."""
    day: date
    """Their issue date (invoices) or date (payments)."""
    currency: str
    amount: Decimal
    """Each one's total (invoices) or amount (payments); where :attr:`documents` lists them
    (in other currencies), the first record's."""
    numbers: tuple[str, ...] = ()
    """The invoices' numbers, where the sources give them."""
    documents: tuple[tuple[date, str, Decimal], ...] = ()
    """Invoices of one number in other currencies or totals, or issued a day apart: each one's
    issue date, currency and total, in the order of :attr:`records` (:attr:`day` is the
    earliest). Empty when all share :attr:`day`, :attr:`currency` and :attr:`amount`."""

    def __str__(self) -> str:
        with i18n.using("en"):
            return self.words()

    def words(self) -> str:
        """The sentence in the active language (``str()`` is the English one): the days and
        amounts as the language writes them, each amount as the source gives it."""
        count = len(self.records)
        numbers = "" if not self.numbers else " " + ngettext(
            "(numbered {numbers})", "(numbered {numbers})", len(self.numbers)
        ).format(numbers=", ".join(self.numbers))
        times = gettext("twice") if count == 2 else ngettext(
            "{n} time", "{n} times", count).format(n=count)
        head = gettext(_SAME_HEADS[self.kind, bool(self.documents)]).format(
            records=", ".join(self.records), numbers=numbers, times=times)
        if self.documents:
            alike = self._copy_written_otherwise()
        else:
            alike = (
                gettext("the same client or number, day ({day}) and amount ({amount})")
                if self.kind == "invoice"
                else gettext("the same client, day ({day}) and amount ({amount})")
            ).format(day=wording.day(self.day), amount=wording.as_given(self.amount, self.currency))
        sources = sorted({key.split(KEY_SEPARATOR, 1)[0] for key in self.records})
        return gettext("{head}: {alike} in {sources}; {advice} ({counted})").format(
            head=head,
            alike=alike,
            sources=wording.and_list(sources),
            advice=gettext(_SAME_ADVICE[self.kind]),
            counted=gettext("both are counted until then") if count == 2
            else gettext("all are counted until then"),
        )

    def _copy_written_otherwise(self) -> str:
        """What the documents of a set with :attr:`documents` share, and each one's total and
        each one's day where they differ."""
        days = {day for day, _, _ in self.documents}
        amounts = {(currency, amount) for _, currency, amount in self.documents}
        each = []
        for key, (day, currency, amount) in zip(self.records, self.documents, strict=True):
            if len(amounts) > 1 and len(days) > 1:
                each.append(gettext("{record} for {amount} on {day}").format(
                    record=key, amount=wording.as_given(amount, currency),
                    day=wording.day(day)))
            elif len(amounts) > 1:
                each.append(gettext("{record} for {amount}").format(
                    record=key, amount=wording.as_given(amount, currency)))
            elif len(days) > 1:
                each.append(gettext("{record} on {day}").format(record=key, day=wording.day(day)))
            else:
                each.append(key)
        apart = _totals_apart(amounts)
        if len(days) == 1:
            alike = gettext("the same number and day ({day}), {apart}")
        elif len(amounts) == 1:
            alike = gettext("the same number and amount ({amount}), issued a day apart (a tool "
                            "dating in UTC and one in the firm's zone)")
        else:
            alike = gettext("the same number, issued a day apart, {apart}")
        alike = alike.format(day=wording.day(self.day), apart=apart,
                             amount=wording.as_given(self.amount, self.currency))
        return f"{alike} ({', '.join(each)})"


_SAME_HEADS = {
    ("invoice", False): noop("invoices {records}{numbers} may be one invoice counted {times}"),
    ("payment", False): noop("payments {records}{numbers} may be one payment counted {times}"),
    ("invoice", True): noop("invoices {records}{numbers} are very likely one invoice counted "
                            "{times}"),
    ("payment", True): noop("payments {records}{numbers} are very likely one payment counted "
                            "{times}"),
}
"""The start of a :class:`SameInTwoSources` sentence, by kind and whether the documents are
written otherwise (:attr:`SameInTwoSources.documents`)."""

_SAME_ADVICE = {
    "invoice": noop("if one tool copies its invoices into the other, pull invoices from one of "
                    "them only"),
    "payment": noop("if one tool copies its payments into the other, pull payments from one of "
                    "them only"),
}
"""What to do about a :class:`SameInTwoSources`, by kind."""


@dataclass(frozen=True)
class LoadReport:
    """What a build kept and what it turned away."""

    accepted: Mapping[str, int] = field(default_factory=dict)
    """How many records of each kind were kept."""
    rejected: tuple[Rejection, ...] = ()
    """Every record that was not kept, with the reason and its location."""
    notes: tuple[str, ...] = ()
    """The sources' notes on what they could not give (a stream the account does not have,
    a date that is only approximate), each naming its source."""
    adjusted: tuple[Adjustment, ...] = ()
    """Records kept with a field changed (an invoice due before it was issued is due on its
    issue date), each with the source's value and its location."""
    warnings: tuple[str, ...] = ()
    """What the data as a whole may be missing, in words (e.g. a store whose last sync of a
    source did not complete: its counts may be short until the next sync completes)."""
    unknown_customers: tuple[UnknownCustomer, ...] = ()
    """Customer ids that records name though their source's customers do not include them,
    each with the records, by source and id. Kept, not rejected; each is also a sentence of
    :attr:`notes` (after the sources' own), so that the review's data quality says it."""
    same_in_two_sources: tuple[SameInTwoSources, ...] = ()
    """Documents of different sources that look like one document counted in each (see
    :class:`SameInTwoSources`), in date order. Kept and counted; each is also a sentence of
    :attr:`notes` (after the unknown customers'), so that the review's data quality says it."""
    unknown_links: tuple[str, ...] = ()
    """The customers that links name (``source:id``, of a source the ledger holds) though no
    record of the ledger has them, sorted: a typo, or a customer the source no longer has.
    Such a member is left out of its link, never guessed; one sentence of :attr:`notes`
    (:func:`unknown_links_note`, after the documents counted twice) says it."""
    delivered_twice: tuple[DeliveredTwice, ...] = ()
    """Records delivered again with the id and content of one already kept (see
    :class:`DeliveredTwice`), each also a sentence of :attr:`notes`: those a merge carries
    from the ledgers it merged (among the sources' notes, sorted), then this build's own
    (before the unknown customers')."""

    @property
    def ok(self) -> bool:
        return not self.rejected

    @property
    def unmatched(self) -> tuple[UnmatchedHours, ...]:
        """The client names of rejected time entries that matched no customer (or customers
        of several clients), each with the entries and hours it carries, in the order first
        rejected: what is missing from the hours share."""
        found: dict[tuple[str, str, str], list[TimeEntry]] = {}
        for rejection in self.rejected:
            entry = rejection.record
            if (
                rejection.field == "customer_name"
                and isinstance(entry, TimeEntry)
                and entry.customer_name is not None
            ):
                # "client 'X' matches no customer: its N hours ..." -> "matches no customer"
                why = rejection.reason.removeprefix(
                    f"client {_shown_name(entry.customer_name)!r} "
                )
                key = (entry.source, entry.customer_name, why.split(": its ")[0])
                found.setdefault(key, []).append(entry)
        return tuple(
            UnmatchedHours(
                source=source,
                name=name,
                entries=len(entries),
                hours=sum((e.hours for e in entries), ZERO),
                first=min(e.date for e in entries),
                last=max(e.date for e in entries),
                reason=reason,
            )
            for (source, name, reason), entries in found.items()
        )


@dataclass(frozen=True, slots=True)
class Application:
    """A payment or credit note applied to an invoice, in the invoice's currency.

    Derived by the ledger from an :class:`~clientguard.model.Allocation`; the settlement
    replay walks these in date order.
    """

    invoice_id: str
    date: date
    """The allocation's date, else the payment's date (the credit note's issue date)."""
    amount: Decimal
    """The amount taken off the invoice, in the invoice's currency (unrounded)."""
    document_kind: str
    """``payment`` or ``credit_note``."""
    document_id: str
    document_amount: Decimal
    """The allocated amount in the document's own currency."""


_HeldApplications = Application | tuple[Application, ...] | Payment | CreditNote
"""What the ledger keeps of an invoice's applications (:meth:`Ledger._held_applications`),
compactly: a million invoices are mostly paid by one payment each, and an
:class:`Application` and a one-element tuple an invoice were 128 bytes (about 120 MB at a
million). Read it as:

* a ``Payment`` or ``CreditNote``: the invoice's one application is that document's one
  allocation, in the invoice's own currency: the application is what
  :func:`_application_of` makes of it (nothing is converted, so nothing is kept apart);
* an ``Application``: the invoice's one application;
* a tuple: its applications (two or more), in the replay's order (:func:`same_day_order`).
"""


def _application_of(document: Payment | CreditNote) -> Application:
    """The application of a document held for an invoice (see :data:`_HeldApplications`):
    its one allocation, dated as the allocation says, else on the document's own date, for
    the allocated amount (the same currency as the invoice's)."""
    allocation = document.allocations[0]
    own = document.date if isinstance(document, Payment) else document.issue_date
    return Application(
        allocation.invoice_id,
        allocation.date or own,
        allocation.amount,
        document.kind,
        document.id,
        allocation.amount,
    )


_new_application = object.__new__
(
    _set_invoice_id,
    _set_date,
    _set_amount,
    _set_document_kind,
    _set_document_id,
    _set_document_amount,
) = (getattr(Application, name).__set__ for name in Application.__slots__)


def _application(
    invoice_id: str,
    day: date,
    amount: Decimal,
    document_kind: str,
    document_id: str,
    document_amount: Decimal,
) -> Application:
    """``Application(invoice_id, day, amount, document_kind, document_id, document_amount)``,
    the same object, made in half the time: the frozen dataclass's ``__init__`` sets each
    field through ``object.__setattr__``, this sets its slot directly (the build makes one
    for nearly every allocation of a payment of several invoices: about 900,000 at a
    million invoices)."""
    application = _new_application(Application)
    _set_invoice_id(application, invoice_id)
    _set_date(application, day)
    _set_amount(application, amount)
    _set_document_kind(application, document_kind)
    _set_document_id(application, document_id)
    _set_document_amount(application, document_amount)
    return application


class CrossAllocation(NamedTuple):
    """An allocation of a payment or credit note to an invoice of another customer than the
    document's own (see :meth:`Ledger.cross_customer_allocations`)."""

    document_kind: str
    """``payment`` or ``credit_note``."""
    document_id: str
    invoice_id: str
    payer_id: str
    """The document's customer: who paid, or was credited."""
    customer_id: str
    """The invoice's customer: whose lateness and open balance the allocation settles."""


_Crossing = tuple[tuple[bool, date, str, int], CrossAllocation]
"""A cross-customer allocation with its place in ledger order: credit notes after payments,
then the document's date and id, then the allocation's index."""
_Document = TypeVar("_Document", Payment, CreditNote)
"""A payment or a credit note: the documents that apply money to invoices."""
_Copied = TypeVar("_Copied", Invoice, Payment)
"""An invoice or a payment: the documents two sources may both hold (:class:`SameInTwoSources`)."""


_KINDS: tuple[type[Record], ...] = (Customer, Invoice, Payment, CreditNote, TimeEntry, WorkRequest)


class Ledger:
    """A validated, immutable bundle of records in one base currency, with indexed look-ups.

    Build one with :meth:`build` (or :meth:`from_connector`); never construct it directly.
    Records are kept in a deterministic order: by date, then id, so that every analysis sees
    them chronologically and two builds from the same records in any order are identical.
    """

    base_currency: str
    fx: FxTable | None
    report: LoadReport
    customers: tuple[Customer, ...]
    invoices: tuple[Invoice, ...]
    payments: tuple[Payment, ...]
    credit_notes: tuple[CreditNote, ...]
    time_entries: tuple[TimeEntry, ...]
    work_requests: tuple[WorkRequest, ...]

    def __init__(self, _token: object = None) -> None:
        if _token is not _BUILD:
            raise TypeError("use Ledger.build(records, base_currency=...) to make a Ledger")
        self._memo: dict[str, object] = {}

    def __setattr__(self, name: str, value: object) -> None:
        if self.__dict__.get("_sealed", False):
            raise AttributeError(
                f"a Ledger cannot be changed (setting {name!r}): build a new one with "
                "Ledger.build or Ledger.merge"
            )
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"a Ledger cannot be changed (deleting {name!r})")

    def __getstate__(self) -> dict[str, object]:
        # The memo is derived and can be large: a copy sent to a worker computes its own.
        return {**self.__dict__, "_memo": {}}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)

    @property
    def memo(self) -> dict[str, object]:
        """Derived views that clientguard's analyses keep for this ledger (the latest
        settlement replay): computed by the functions that own them, kept here so that they
        live and die with the ledger and never outlive a change (a ledger never changes).
        Not for users' own data."""
        return self._memo

    # ------------------------------------------------------------------ building
    @classmethod
    def build(
        cls,
        records: Iterable[AnyRecord],
        *,
        base_currency: str,
        fx: FxTable | None = None,
        strict: bool = True,
        rejected: Iterable[Rejection] = (),
        locations: Mapping[RecordKey, Location] | None = None,
        notes: Iterable[str] = (),
        links: Iterable[Link] = (),
        warnings: Iterable[str] = (),
    ) -> Ledger:
        """Check ``records`` and bundle them.

        ``rejected`` takes rejections made before the records became records (a connector's
        rows that could not be mapped), so that one report holds them all; ``locations`` says
        where each record came from, keyed by ``(kind, source, id)``, and is copied into the
        rejections. ``links`` are sets of customers, each ``(source, id)``, that are one
        client (the same client in two sources): they count as one, like a group. A link
        naming a customer the ledger does not hold is left out (see :attr:`links`).
        ``notes`` are the sources' notes on what they could not give (a stream the account
        lacks, a date only approximate), kept in ``ledger.report.notes``; ``warnings`` are
        carried into ``report.warnings`` (what the records as a whole may be missing). Raises
        :class:`DataError` listing every problem when ``strict``.
        """
        return cls._built(records, base_currency=base_currency, fx=fx, strict=strict,
                          rejected=rejected, locations=dict(locations or {}), notes=notes,
                          links=links, warnings=warnings)

    @classmethod
    def _built(
        cls,
        records: Iterable[AnyRecord],
        *,
        base_currency: str,
        fx: FxTable | None,
        strict: bool,
        rejected: Iterable[Rejection],
        locations: Mapping[RecordKey, Location],
        notes: Iterable[str] = (),
        links: Iterable[Link] = (),
        warnings: Iterable[str] = (),
    ) -> Ledger:
        """:meth:`build`, its arguments checked, taking ``locations`` as its own: the ledger
        keeps that very dict (:meth:`from_connector` hands over the one it pulled, rather than
        holding a copy of a million entries beside it while the build runs)."""
        if not is_currency(base_currency):
            raise DataError(f"base_currency {base_currency!r} is not an upper-case ISO 4217 code")
        if fx is not None and not isinstance(fx, FxTable):
            raise _not_a_table(fx, base_currency)
        if fx is not None and fx.base != base_currency:
            raise DataError(
                f"the FxTable converts to {fx.base}, but the ledger's base currency is "
                f"{base_currency}"
            )
        if fx is not None:
            _check_table_rates(fx)
        with collector_paused():
            return _Builder(
                base_currency,
                fx,
                locations,
                list(rejected),
                links=links,
                notes=list(notes),
                warnings=warnings,
            ).run(records, strict=strict)

    @classmethod
    def from_connector(
        cls,
        connector: Connector,
        *,
        base_currency: str,
        fx: FxTable | None = None,
        strict: bool = True,
        source: str | None = None,
    ) -> Ledger:
        """Pull every stream of ``connector`` and build a ledger from what it yields.

        Records the connector could not map arrive as rejections in ``ledger.report`` (and
        make a strict build fail, listing them with their file and line or API page).
        ``source`` names the source the records carry (default: the connector's name), and
        the connector's notes are the source's: ``"<source>: <note>"``, as the store and the
        command line write them.
        """
        pulled = pull(connector, source=source)
        name = source or connector.name
        return cls._built(
            pulled.records,
            base_currency=base_currency,
            fx=fx,
            strict=strict,
            rejected=pulled.rejected,
            # The pull's own map (compact: ``records.Locations``), which nothing else holds:
            # no copy of it.
            locations=pulled.locations,
            notes=[f"{name}: {note}" for note in pulled.notes],
        )

    def merge(self, other: Ledger, *, strict: bool = True) -> Ledger:
        """One ledger with the records of both (e.g. from two sources), checked again.

        Both must have the same base currency. Records keep their identity (source, kind,
        id): when the two hold different sources, the merged ledger is keyed ``source:id``; a
        record of ``other`` with the identity of one of ``self`` and other content is rejected
        (with the same content it is counted once). The links of both apply. The rejections
        of input the sources gave (a connector's unmapped rows) are carried into the report;
        the records the earlier builds rejected themselves are checked again, as one build of
        all the records checks them (said in the merged ledger's words); ``strict`` fails
        only on problems the merge itself finds. What both carry comes in one order whichever
        is merged into which (rejections by source, adjustments in ledger order, the
        sources' notes by source, each source's in its own order as the store lists them,
        warnings sorted), each once: ``a.merge(b)`` and ``b.merge(a)`` review alike, and
        alike a load of the same sources from the store. Equal rejections and equal time
        entries without an id of one ledger (two identical rows of a sheet) are each kept:
        each is a record; of those both ledgers hold, as many as the one holding most holds
        (``a.merge(a)`` counts what ``a`` counts).

        The FxTables of both are combined (:func:`~clientguard.money.combined_fx`): where the
        two have a rate for the same currency and day, the rates must agree, else a
        ``DataError`` names the currency, the day and both rates (build both ledgers with
        one FxTable), so that no number depends on which ledger is merged into which.
        """
        if other.base_currency != self.base_currency:
            raise DataError(
                f"cannot merge a {other.base_currency} ledger into a {self.base_currency} "
                "ledger: build both with the same base_currency"
            )
        fx = self.fx
        if self.fx is not None and other.fx is not None and self.fx != other.fx:
            # Both tables' rates; a day the two rate differently is an error (combined_fx):
            # the merge never picks one book's rate over the other's.
            try:
                fx = combined_fx(self.fx, other.fx,
                                 names=("this ledger's table", "the other's"))
            except DataError as error:
                raise DataError(f"cannot merge the two ledgers: {error}") from None
        elif fx is None:
            fx = other.fx
        # As a build does (Ledger._built): a merge makes as many lasting objects as one.
        with collector_paused():
            return self._merged(other, fx, strict=strict)

    def _merged(self, other: Ledger, fx: FxTable | None, *, strict: bool) -> Ledger:
        """:meth:`merge` once the two tables of rates are combined into ``fx``."""
        # The earlier builds' rejections are carried into the report but do not make a
        # strict merge fail: the caller already accepted them (strict=False) when building.
        # Time entries that named a client no customer of their ledger had are matched again
        # against the merged customers (a tracker's ledger holds no customers at all: its
        # entries find their client in the books' ledger), each once.
        # What the two carry comes in one order whichever ledger is merged into which (so that
        # a.merge(b) and b.merge(a) give one review, byte for byte): the rejections by source
        # (stable: each source's in the order found), the adjustments in ledger order as a
        # build sorts its own, the notes and warnings sorted, each once.
        # A rejection both carry (a ledger merged with one it was merged from) is one record
        # rejected once, as the records both hold count once; but two equal rejections of one
        # ledger (two identical rows of a spreadsheet, time entries without an id) are two
        # records, each rejected: each ledger's keep their number (_carried_once).
        carried = sorted(_carried_once(self.report.rejected, other.report.rejected),
                         key=lambda rejection: rejection.source)
        # What the two builds rejected themselves (a payment over-applying its invoice, an
        # allocation to an invoice the source lacks, an entry of a client no customer has) is
        # checked again, as one build of both ledgers' records checks it: the merged ledger
        # says it in its own words (``invoice archive:7`` where several sources meet), with
        # what only the merge knows (another source holds the invoice), and in its order, as
        # one load of the same sources from the store does. Only the rejections of the
        # sources' records as given (a connector's unmapped rows) are carried as they are.
        found = {id(r) for book in (self, other) for r in book._found}
        # An entry one ledger rejected and the other matched already (a ledger merged with the
        # tracker's it was merged from) is the very object the matched one came from: it
        # is among the other's records, not matched twice.
        held = {id(entry) for book in (self, other) for entry in book._named if entry}
        rechecks = [r for r in carried if id(r) in found and id(r.record) not in held]
        records = [*self.source_records(), *other.source_records()]
        locations = {**self._locations, **other._locations}
        # Those the merge would reject again, alike and in the same place, are not checked
        # again (a check costs as much as a build's: half of a merge of two sources half of
        # whose invoices lack a rate): _unpriced_alike says which.
        alike = _unpriced_alike(rechecks, records, self.base_currency, fx, locations)
        again: list[AnyRecord] = list({
            id(r.record): cast("AnyRecord", r.record) for r in rechecks
            if id(r) not in alike}.values())
        return _Builder(
            self.base_currency,
            fx,
            locations,
            [],
            carried=[r for r in carried if id(r) not in found],
            rechecked=again,
            found_again=[r for r in rechecks if id(r) in alike],
            carried_adjusted=sorted(
                dict.fromkeys([*self.report.adjusted, *other.report.adjusted]),
                key=lambda a: (a.used_value, a.record_id, a.source)),
            # Their notes of records delivered twice stay among the notes (as written), and
            # the objects come along so that a review says them in its language.
            carried_twice=sorted(
                {*self.report.delivered_twice, *other.report.delivered_twice}, key=str),
            # The sources' notes, each source's in its own order and the sources by name, as
            # the store lists them (_merged_notes); then the notes of records delivered twice.
            # Those of unknown customers are found again in the merge (the other ledger may
            # hold the customer), and so are documents that look alike in two sources. A note
            # both carry (a ledger merged with one it was merged from) is said once.
            notes=_merged_notes(self, other),
            links=[*self._links, *other._links],
            warnings=sorted({*self.report.warnings, *other.report.warnings}),
        ).run(_entries_once(self, other, [*records, *again]), strict=strict)

    # ------------------------------------------------------------------ look-ups
    @property
    def sources(self) -> tuple[str, ...]:
        """The names of the sources the ledger's records came from, sorted."""
        return self._sources

    @property
    def keyed_by_source(self) -> bool:
        """True when the ledger holds several sources, so that every record's id (and every
        customer and invoice id it names) is its ledger key ``source:id``."""
        return self._keyed

    @property
    def links(self) -> tuple[tuple[str, ...], ...]:
        """The links in effect: each a sorted tuple of the ledger's customer ids that count as
        one client (only the customers of a link the ledger holds; a link left with fewer
        than two is not listed)."""
        return self._applied_links

    def key(self, source: str, record_id: str) -> str:
        """The key a record of ``source`` with id ``record_id`` in its source has in this
        ledger: the id itself in a ledger of one source, ``source:id`` in one of several."""
        return ledger_key(source, record_id) if self._keyed else record_id

    def source_id(self, record: AnyRecord) -> str | None:
        """The record's id in its source (its ``id`` without the ``source:`` of a ledger of
        several sources); None for a record with no id (a time entry)."""
        ident = getattr(record, "id", None)
        if ident is None or not self._keyed:
            return ident
        return _unkey(record.source, str(ident))

    def source_records(self) -> Iterable[AnyRecord]:
        """Every record as its source gave it (ids not keyed by source, a time entry matched
        by its client's name without the match), in ledger order."""
        if not self._keyed and not any(self._named):
            return self.records()
        return self._source_records()

    def _source_records(self) -> Iterator[AnyRecord]:
        keyed = self._keyed
        documents: tuple[tuple[AnyRecord, ...], ...] = (
            self.customers, self.invoices, self.payments, self.credit_notes
        )
        for kind in documents:
            for record in kind:
                yield _rekey(record, _unkey) if keyed else record
        yield from self._source_entries()
        for request in self.work_requests:
            yield _rekey(request, _unkey) if keyed else request

    def _source_entries(self, *, without_id: bool = False) -> Iterator[TimeEntry]:
        """The time entries as their sources gave them (:meth:`source_records`); with
        ``without_id``, only those without an id."""
        keyed = self._keyed
        for entry, original in zip(self.time_entries, self._named, strict=True):
            if without_id and entry.id is not None:
                continue
            if original is not None:
                yield original
            else:
                yield cast("TimeEntry", _rekey(entry, _unkey)) if keyed else entry

    def records(self) -> Iterable[AnyRecord]:
        """Every record, kind by kind, in the ledger's order."""
        yield from self.customers
        yield from self.invoices
        yield from self.payments
        yield from self.credit_notes
        yield from self.time_entries
        yield from self.work_requests

    def customer(self, customer_id: str) -> Customer | None:
        return self._customers.get(customer_id)

    def invoice(self, invoice_id: str) -> Invoice:
        """The invoice with that id; ``KeyError`` when there is none."""
        return self._invoices[invoice_id]

    def invoice_label(self, invoice_id: str) -> str:
        """The invoice as a person knows it, for every sentence, table and report a person
        reads (docs/concepts.md, "Invoice numbers and ids"): its ``number``, the one printed on
        the document; ``number (id)`` where another invoice of the same customer, or of another
        source, has that number too (the id names the source), so that the two read apart;
        its id where it has no number, or where the ledger has no invoice of that id. Machine
        fields (JSON ids, CSV id columns, the keys a saved review is compared on) keep the
        id."""
        shared = self._memo.get(_LABEL_MEMO)
        if shared is None:
            shared = self._memo[_LABEL_MEMO] = _numbers_shared(self.invoices)
        assert isinstance(shared, dict)
        invoice = self._invoices.get(invoice_id)
        if invoice is None:
            return invoice_id
        number = invoice.number.strip()
        if not number or number == invoice.id:
            return invoice_id
        holders = shared.get(number)
        if holders is not None and (len({source for _, source in holders}) > 1
                                    or _customer_twice(holders, invoice.customer_id)):
            return f"{number} ({invoice.id})"
        return number

    def payment(self, payment_id: str) -> Payment:
        return self._payments[payment_id]

    def credit_note(self, credit_note_id: str) -> CreditNote:
        return self._credit_notes[credit_note_id]

    def name_of(self, customer_id: str) -> str:
        """The customer's name where the ledger has the customer, else its id."""
        customer = self._customers.get(customer_id)
        return customer.name if customer else customer_id

    @property
    def customer_ids(self) -> tuple[str, ...]:
        """Every customer id the ledger mentions (with or without a Customer record), sorted."""
        return self._customer_ids

    def invoices_of(self, customer_id: str) -> tuple[Invoice, ...]:
        """The customer's invoices, in the ledger's order (issue date, id)."""
        return self._invoices_by_customer.get(customer_id, ())

    def payments_of(self, customer_id: str) -> tuple[Payment, ...]:
        return self._payments_by_customer.get(customer_id, ())

    def credit_notes_of(self, customer_id: str) -> tuple[CreditNote, ...]:
        return self._credit_notes_by_customer.get(customer_id, ())

    def applications(self, invoice_id: str) -> tuple[Application, ...]:
        """The payments and credit notes applied to the invoice, by date (allocations by
        invoice), in the invoice's currency."""
        held = self._applications.get(invoice_id)
        if held is None:
            return ()
        if isinstance(held, tuple):
            return held
        if isinstance(held, Application):
            return (held,)
        return (_application_of(held),)  # a document standing for its one allocation

    def _held_applications(self) -> Mapping[str, _HeldApplications]:
        """Every invoice's applications as the ledger keeps them, by invoice id (those with
        none are left out): see :data:`_HeldApplications`. Internal: the settlement replay's
        fast path, which reads a held document's allocation without making an
        :class:`Application` of it; everything else reads :meth:`applications`."""
        return self._applications

    def cross_customer_allocations(self) -> tuple[CrossAllocation, ...]:
        """The allocations of a payment or credit note to an invoice of another customer than
        the document's (a parent company paying its subsidiary's invoice, or a misallocation
        in the source), in ledger order: payments, then credit notes, each by date and id,
        allocations in their order. They are kept as the source has them: what they settle is
        the invoice's customer's. :func:`clientguard.review` lists those between clients."""
        return self._cross

    def unapplied(self, payment_id: str) -> Decimal:
        """The part of a payment not allocated to any invoice (in the payment's currency)."""
        payment = self._payments[payment_id]
        return payment.amount - sum((a.amount for a in payment.allocations), ZERO)

    def group_of(self, customer_id: str) -> str:
        """The client a customer counts as: its ``group_id`` where it has one, else itself.

        A ``group_id`` that is itself the id of a grouped customer (a sub-customer whose parent
        has a parent, as QuickBooks nests them) is followed to the top of the chain.
        """
        return self._groups.get(customer_id, customer_id)

    def members(self, group: str) -> tuple[str, ...]:
        """The customer ids that count as the client ``group`` (itself alone when ungrouped)."""
        return self._members.get(group, (group,))

    def rate_to_base(self, record: Invoice | Payment | CreditNote) -> Decimal:
        """Units of base currency per unit of the document's currency, on its own date.

        The document's ``fx_rate`` where it has one, else the FxTable's rate on its date
        (checked when the ledger was built).
        """
        return self._rates[record.kind][record.id]

    def base_amount(self, record: Invoice | Payment | CreditNote) -> Decimal:
        """The document's total in the base currency at :meth:`rate_to_base` (unrounded)."""
        amount = record.amount if isinstance(record, Payment) else record.total
        return amount * self._rates[record.kind][record.id]

    def to_base(self, amount: Decimal, currency: str, on: date) -> Decimal:
        """Convert ``amount`` of ``currency`` to the base currency with the FxTable's rate."""
        if currency == self.base_currency:
            return amount
        if self.fx is None:
            raise DataError(
                f"no FxTable to convert {currency} to {self.base_currency} on {on}: "
                "pass fx= to Ledger.build"
            )
        return self.fx.convert(amount, currency, on)

    def location_of(self, record: AnyRecord) -> Location | None:
        """Where the record came from in its source, where known."""
        ident = self.source_id(record)
        if ident is None:
            return None
        return self._locations.get((record.kind, record.source, ident))

    @property
    def date_range(self) -> tuple[date, date] | None:
        """The first and last invoice issue dates, or None for a ledger with no invoices."""
        if not self.invoices:
            return None
        return self.invoices[0].issue_date, self.invoices[-1].issue_date

    def __len__(self) -> int:
        return sum(self.report.accepted.values())

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={v}" for k, v in self.report.accepted.items() if v)
        return f"<Ledger {self.base_currency} {counts} rejected={len(self.report.rejected)}>"

    # internal indexes, set by _Builder
    _customers: dict[str, Customer]
    _invoices: dict[str, Invoice]
    _payments: dict[str, Payment]
    _credit_notes: dict[str, CreditNote]
    _customer_ids: tuple[str, ...]
    _invoices_by_customer: dict[str, tuple[Invoice, ...]]
    _payments_by_customer: dict[str, tuple[Payment, ...]]
    _credit_notes_by_customer: dict[str, tuple[CreditNote, ...]]
    _applications: dict[str, _HeldApplications]
    _members: dict[str, tuple[str, ...]]
    _groups: dict[str, str]
    _rates: dict[str, dict[str, Decimal]]
    """By kind (``invoice``, ``payment``, ``credit_note``), each document's rate by id (one
    dict a kind rather than one keyed by (kind, id): a key tuple a document was 64 bytes)."""
    _locations: Mapping[RecordKey, Location]
    _cross: tuple[CrossAllocation, ...]
    _sources: tuple[str, ...]
    _keyed: bool
    _links: tuple[Link, ...]
    _applied_links: tuple[tuple[str, ...], ...]
    _named: tuple[TimeEntry | None, ...]
    """For each of ``time_entries``, the entry as its source gave it when the ledger matched
    its client by name (None for the others)."""
    _found: tuple[Rejection, ...]
    """The rejections of ``report.rejected`` that the ledger's build found (not given to it:
    a connector's unmapped rows): a merge checks their records again."""


_BUILD = object()


_LABEL_MEMO = "ledger.invoice_labels"
"""The key of :meth:`Ledger.invoice_label`'s labels in the ledger's memo."""


def _numbers_shared(invoices: Iterable[Invoice]) -> dict[str, list[tuple[str, str]]]:
    """The numbers more than one invoice carries, each with its invoices' (customer id,
    source): what :meth:`Ledger.invoice_label` needs to tell whether a number reads alone."""
    # A number two invoices of one customer carry, or invoices of two sources (a client
    # linked across them, or two books numbering alike), reads with the id beside it, which
    # names its source in a book of several: "85 (ninja:85)" and "85 (wave:85)". Two
    # customers of one source each with its own FV/1 read "FV/1". Only the numbers seen twice
    # are kept: a book's numbers are nearly all its own (a million invoices held a million
    # sets here, 200 MiB, for none).
    seen: set[str] = set()
    twice: set[str] = set()
    for invoice in invoices:
        number = invoice.number.strip()
        if number in seen:
            twice.add(number)
        else:
            seen.add(number)
    del seen
    shared: dict[str, list[tuple[str, str]]] = {}
    if twice:
        for invoice in invoices:
            number = invoice.number.strip()
            if number in twice:
                shared.setdefault(number, []).append((invoice.customer_id, invoice.source))
    return shared


def _customer_twice(holders: list[tuple[str, str]], customer_id: str) -> bool:
    """Whether two of a number's invoices are the customer's (of any source)."""
    return sum(1 for customer, _ in holders if customer == customer_id) > 1


class _Builder:
    """One build: checks, then indexes. Kept apart so Ledger stays a plain value."""

    def __init__(
        self,
        base: str,
        fx: FxTable | None,
        locations: Mapping[RecordKey, Location],
        rejected: list[Rejection],
        carried: list[Rejection] | None = None,
        carried_adjusted: list[Adjustment] | None = None,
        carried_twice: list[DeliveredTwice] | None = None,
        notes: list[str] | None = None,
        links: Iterable[Link] = (),
        warnings: Iterable[str] = (),
        rechecked: Iterable[AnyRecord] = (),
        found_again: Iterable[Rejection] = (),
    ) -> None:
        self.base = base
        # Records an earlier build rejected that this one checks again (a merge's time
        # entries matched by name): rejected again, they are carried, as the earlier
        # rejection was, and do not make a strict build fail.
        self.rechecked = {id(record) for record in rechecked}
        # The rejections this build finds itself (a merge checks their records again); with
        # those of an earlier build a merge knows it would find again, alike, without
        # checking their records (_unpriced_alike): carried, and listed as found.
        self.found: list[Rejection] = list(found_again)
        self.fx = fx
        self.locations = locations
        # The locations as the source names records; ``locations`` is re-keyed when the
        # ledger is keyed by source.
        self.source_locations = locations
        self.links = tuple(tuple(link) for link in links)
        self.keyed = False
        self.originals: dict[int, AnyRecord] = {}
        # The sources that hold an invoice, by id (as its source has it, and as a ledger key):
        # made when an allocation names an invoice its own source lacks (held_elsewhere).
        self.invoice_sources: dict[str, set[str]] | None = None
        # Problems of this build (and a connector's unmapped rows): strict fails on these.
        self.rejected = rejected
        # Rejections of earlier builds (a merge): reported, but they do not fail it.
        self.carried = [*(carried or []), *self.found]
        # Adjustments of earlier builds (a merge: their records already carry the change).
        self.carried_adjusted = carried_adjusted or []
        # The due dates the sources give where an earlier build moved them to the issue date
        # (its adjustments), by (kind, source, id as the source has it): a record it kept moved
        # is, as given, the one the other ledger rejected and hands again (as_given).
        self.given_dues: dict[tuple[str, str, str], tuple[str, str]] = {
            (a.kind, a.source, a.record_id): (a.used_value, a.source_value)
            for a in self.carried_adjusted if a.field == "due_date"
        }
        # Notes of records delivered twice in earlier builds (a merge): their sentences are
        # among the notes carried.
        self.carried_twice = carried_twice or []
        self.notes = notes or []
        self.adjusted: list[Adjustment] = []
        # Records delivered again with the id and the content of one already kept (an export
        # read twice, a ledger merged with itself): counted once, said in one note.
        self.repeated: list[AnyRecord] = []
        self.warnings = tuple(warnings)
        self.rates: dict[str, dict[str, Decimal]] = {
            kind.kind: {} for kind in (Invoice, Payment, CreditNote)
        }

    def where(self, record: AnyRecord) -> Location | None:
        ident = getattr(record, "id", None)
        return self.locations.get((record.kind, record.source, ident)) if ident else None

    def reject(self, record: AnyRecord, reason: str, field: str | None = None) -> None:
        location = self.where(record)
        if self.keyed:  # the rejection holds the record as its source gave it
            record = self.originals.get(id(record)) or _rekey(record, _unkey)
        ident = getattr(record, "id", None)
        rejection = Rejection(record.kind, record.source, ident, field, reason, location, record)
        (self.carried if id(record) in self.rechecked else self.rejected).append(rejection)
        self.found.append(rejection)

    def run(self, records: Iterable[AnyRecord], *, strict: bool) -> Ledger:
        by_kind: dict[type[Record], list[AnyRecord]] = {kind: [] for kind in _KINDS}
        for record in records:
            bucket = by_kind.get(type(record))
            if bucket is None:
                raise DataError(
                    f"{type(record).__name__} is not a ledger record; pass Customer, Invoice, "
                    "Payment, CreditNote, TimeEntry or WorkRequest objects"
                )
            bucket.append(record)
        sources = sorted({r.source for bucket in by_kind.values() for r in bucket})
        if len(sources) > 1:
            # Several sources: every record is keyed source:id, so that two sources' invoice
            # "2" are two invoices, and an allocation names an invoice of its own source.
            bad = [s for s in sources if not s or KEY_SEPARATOR in s]
            if bad:
                raise DataError(
                    f"source name {bad[0]!r} cannot key records of several sources: a source "
                    f"name is not empty and holds no {KEY_SEPARATOR!r} (it separates the source "
                    "from the id in a ledger key); name the source otherwise"
                )
            self.keyed = True
            for kind, bucket in by_kind.items():
                keyed = [_rekey(record, _key) for record in bucket]
                self.originals.update((id(k), r) for k, r in zip(keyed, bucket, strict=True))
                by_kind[kind] = keyed
            self.locations = {
                (kind, source, ledger_key(source, ident)): location
                for (kind, source, ident), location in self.locations.items()
            }

        customers = [r for r in self.unique(by_kind[Customer]) if isinstance(r, Customer)]
        # Each list holds records of exactly its kind (above): no check a record.
        invoices, invoice_by_id = self.checked_invoices(cast("list[Invoice]", by_kind[Invoice]))
        payments, credit_notes = self.checked_documents(
            cast("list[Payment]", by_kind[Payment]), cast("list[CreditNote]", by_kind[CreditNote])
        )
        applications = self.apply([*payments, *credit_notes], invoice_by_id)
        # Let the look-up go before the index makes the ledger's own (a million entries).
        del invoice_by_id
        if self.failed_documents:
            failed = self.failed_documents
            payments = [p for p in payments if (p.kind, p.id) not in failed]
            credit_notes = [c for c in credit_notes if (c.kind, c.id) not in failed]
        entries = [r for r in by_kind[TimeEntry] if isinstance(r, TimeEntry)]
        if any(entry.id is not None for entry in entries):
            # An entry with an id (a time tracker's) is one piece of work: the same id again
            # is the same entry delivered twice, whose hours would count twice. Entries
            # without an id (a spreadsheet's rows) are each their own.
            # Matched by position, in order: a ledger merged with itself hands the very same
            # objects twice, and only the first of them is kept.
            firsts = iter(self.unique([e for e in entries if e.id is not None]))
            first = next(firsts, None)
            chosen: list[TimeEntry] = []
            for entry in entries:
                if entry.id is None:
                    chosen.append(entry)
                elif entry is first:
                    chosen.append(entry)
                    first = next(firsts, None)
            entries = chosen
        time_entries = self.matched(entries, customers)
        work_requests = self.requested_by_known(
            [r for r in self.unique(by_kind[WorkRequest]) if isinstance(r, WorkRequest)],
            customers,
            sources,
        )

        if strict and self.rejected:
            raise DataError.from_problems(self.rejected,
                                          what=pgettext("problems in", "the ledger's records"))

        ledger = Ledger(_BUILD)
        ledger._sources = tuple(sources)
        ledger._keyed = self.keyed
        ledger.base_currency = self.base
        ledger.fx = self.fx
        # Chronological order, id as the tie-break: analyses read records in time order and
        # the result does not depend on the order the records arrived in.
        ledger.customers = tuple(sorted(customers, key=lambda c: c.id))
        ledger.invoices = tuple(sorted(invoices, key=lambda i: (i.issue_date, i.id)))
        ledger.payments = tuple(sorted(payments, key=lambda p: (p.date, p.id)))
        ledger.credit_notes = tuple(sorted(credit_notes, key=lambda c: (c.issue_date, c.id)))
        # Time entries have no id: every field is in the key, so that two entries differing
        # only in ``billable`` (or a person None against "") still sort the same every time.
        ledger.time_entries = tuple(
            sorted(
                time_entries,
                key=lambda t: (
                    t.date, t.customer_id, t.source, t.person is not None, t.person or "",
                    t.hours, t.billable is not None, bool(t.billable),
                ),
            )
        )
        ledger.work_requests = tuple(sorted(work_requests, key=lambda w: (w.requested_on, w.id)))
        ledger._named = tuple(self.named.get(id(t)) for t in ledger.time_entries)
        self.index(ledger, applications)
        unknown = self.unknown_customers(ledger)
        twice = _same_in_two_sources(ledger) if self.keyed else []
        unlinked = _unknown_links(ledger, self.links)
        again = self.delivered_twice()
        ledger.report = LoadReport(
            accepted={
                "customers": len(ledger.customers),
                "invoices": len(ledger.invoices),
                "payments": len(ledger.payments),
                "credit_notes": len(ledger.credit_notes),
                "time_entries": len(ledger.time_entries),
                "work_requests": len(ledger.work_requests),
            },
            rejected=self.rejections(),
            notes=(*self.notes, *map(str, again), *map(str, unknown), *map(str, twice),
                   *([unknown_links_note(unlinked)] if unlinked else [])),
            # In ledger order (an invoice's used due date is its issue date), whatever the
            # order the records came in.
            adjusted=(
                *self.carried_adjusted,
                *sorted(self.adjusted, key=lambda a: (a.used_value, a.record_id, a.source)),
            ),
            warnings=self.warnings,
            unknown_customers=tuple(unknown),
            same_in_two_sources=tuple(twice),
            unknown_links=unlinked,
            delivered_twice=tuple(dict.fromkeys([*self.carried_twice, *again])),
        )
        ledger._found = tuple(self.found)
        ledger._sealed = True
        return ledger

    def rejections(self) -> tuple[Rejection, ...]:
        """The report's rejections: the earlier builds' (a merge's), then this one's. Where
        several sources meet, by source (sorted by name): each source's as given first (a
        connector's unmapped rows, in the order given: the store's, by stream), then those
        the build found, by kind (customers, invoices, payments, credit notes, time entries,
        work requests) and id in the source: an order that depends neither on the order the
        records came in nor on the builds they went through, so that the sources' ledgers
        merged and one load of them all from the store list them alike."""
        rejections = (*self.carried, *self.rejected)
        if not self.keyed:
            return rejections
        found = {id(r) for r in self.found}
        return tuple(sorted(rejections, key=lambda r: (
            (r.source, True, _found_order(r)) if id(r) in found else (r.source, False, ()))))

    def delivered_twice(self) -> list[DeliveredTwice]:
        """The note of the records delivered twice with one content (none: no note), naming
        the first by kind, source and id (as its source gives it)."""
        if not self.repeated:
            return []
        first = self.repeated[0]
        ident = str(getattr(first, "id", ""))
        if self.keyed:
            ident = _unkey(first.source, ident)
        return [DeliveredTwice(len(self.repeated), first.kind, ident, first.source)]

    def unknown_customers(self, ledger: Ledger) -> list[UnknownCustomer]:
        """The customer ids that the records of a source name, where the source gives
        customers but not that one, each with its records (see :class:`UnknownCustomer`).
        A source that gives no customers is left out: its clients are known by id alone,
        by design (a ledger of invoices). A work request whose customer is another source's
        (``customer_source``) is checked by :meth:`requested_by_known` instead."""
        with_customers = {c.source for c in ledger.customers}
        missing = [c for c in ledger.customer_ids if c not in ledger._customers]
        if not with_customers or not missing:
            return []
        # The index holds each customer's documents; the few time entries and work requests
        # of the missing ids are found in one pass over them.
        named: dict[str, list[AnyRecord]] = {
            c: [*ledger.invoices_of(c), *ledger.payments_of(c), *ledger.credit_notes_of(c)]
            for c in missing
        }
        work: list[TimeEntry | WorkRequest] = [*ledger.time_entries, *ledger.work_requests]
        for entry in work:
            records = named.get(entry.customer_id or "")
            if records is not None and not getattr(entry, "customer_source", None):
                records.append(entry)
        found: list[UnknownCustomer] = []
        for customer_id, records in named.items():
            by_source: dict[str, list[tuple[str, str | None]]] = {}
            for record in records:
                if record.source in with_customers:
                    ident = getattr(record, "id", None)
                    shown = _unkey(record.source, ident) if ident and self.keyed else ident
                    by_source.setdefault(record.source, []).append((record.kind, shown))
            found += [
                UnknownCustomer(
                    source,
                    _unkey(source, customer_id) if self.keyed else customer_id,
                    tuple(named_by),
                )
                for source, named_by in sorted(by_source.items())
            ]
        return found

    def matched(self, entries: list[TimeEntry], customers: list[Customer]) -> list[TimeEntry]:
        """The time entries with a customer: those named by client name only are matched to
        a customer by name (see the module); the others are rejected, naming why."""
        self.named: dict[int, TimeEntry] = {}
        if all(e.customer_id is not None for e in entries):
            return entries
        index = NameIndex()
        for customer in customers:
            index.add(customer.id, customer.name)
        client = self.clients(customers)
        found: dict[str, list[str]] = {}
        kept: list[TimeEntry] = []
        for entry in entries:
            if entry.customer_id is not None:
                kept.append(entry)
                continue
            name = entry.customer_name or ""
            ids = found.get(name)
            if ids is None:
                ids = found[name] = index.by_name(name)
            if len(ids) > 1 and len({client(i) for i in ids}) == 1:
                ids = [min(ids)]  # customers of one client: the hours count in it alike
            if len(ids) == 1:
                resolved = entry.model_copy(update={"customer_id": ids[0]})
                original = self.originals.get(id(entry), entry) if self.keyed else entry
                assert isinstance(original, TimeEntry)
                self.named[id(resolved)] = original
                kept.append(resolved)
            elif not ids:
                self.reject(
                    entry,
                    f"client {_shown_name(name)!r} matches no customer: its {entry.hours} "
                    "hours are not counted (names are compared without case, accents, "
                    "punctuation and legal suffixes such as Ltd or Sp. z o.o.); name the "
                    "client in the time tracker as the customer is named in the books, then "
                    "sync the tracker with --full (entries synced before keep the old name "
                    "until a full read)",
                    "customer_name",
                )
            else:
                self.reject(
                    entry,
                    f"client {_shown_name(name)!r} matches {len(ids)} customers of different "
                    "clients "
                    f"({', '.join(ids)}): its {entry.hours} hours are not counted; rename one "
                    "of them, or link them (links.csv) if they are one client",
                    "customer_name",
                )
        return kept

    def requested_by_known(
        self, requests: list[WorkRequest], customers: list[Customer], sources: list[str]
    ) -> list[WorkRequest]:
        """The work requests, less those whose rule names a customer of another source
        (``customer_source``) that the ledger holds but whose customer it does not: rejected,
        naming the customer, so that a typo in a rule is not counted as a client of its own.
        A request naming a source the ledger does not hold is kept (a ledger of the tickets
        alone, to be merged with the books')."""
        if all(r.customer_source is None for r in requests):
            return requests
        known = {c.id for c in customers}
        held = set(sources)
        kept: list[WorkRequest] = []
        for request in requests:
            if (
                request.customer_source is None
                or request.customer_source not in held
                or request.customer_id in known
            ):
                kept.append(request)
                continue
            named = ledger_key(request.customer_source, _unkey(
                request.customer_source, request.customer_id))
            self.reject(
                request,
                f"names customer {named}, which no source holds: fix the rule that maps it "
                "to a client (clientguard.toml), or sync the source that holds the customer",
                "customer_id",
            )
        return kept

    def clients(self, customers: list[Customer]) -> Callable[[str], str]:
        """Customer id -> a representative of the client it counts in (its group, then the
        links), for telling whether several name matches are one client."""
        parent: dict[str, str] = {}

        def find(customer_id: str) -> str:
            while parent.get(customer_id, customer_id) != customer_id:
                customer_id = parent[customer_id]
            return customer_id

        def join(a: str, b: str) -> None:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)

        for customer_id, group in _resolve_groups({c.id: c for c in customers}).items():
            join(customer_id, group)
        for link in self.links:
            members = [ledger_key(s, i) if self.keyed else i for s, i in link]
            for member in members[1:]:
                join(members[0], member)
        return find

    def unique(self, records: list[AnyRecord]) -> list[AnyRecord]:
        """Keep the first record of each (kind, id); reject the later ones, naming the first
        with its source and location."""
        # By kind, then id: no (kind, id) tuple a record (64 bytes each, a million at once).
        seen: dict[str, dict[str, AnyRecord]] = {}
        kept = []
        for record in records:
            key = getattr(record, "id", "")
            of_kind = seen.get(record.kind)
            if of_kind is None:
                of_kind = seen[record.kind] = {}
            first = of_kind.get(key)
            if first is None:
                of_kind[key] = record
                kept.append(record)
            else:
                self.reject_duplicate(record, key, first)
        return kept

    def reject_duplicate(self, record: AnyRecord, key: str, first: AnyRecord) -> None:
        """Reject ``record``, whose id ``key`` another record of its kind, ``first``, has;
        unless it is ``first`` again (the same content, delivered twice): then it is counted
        once, and only said in the report's notes (:meth:`delivered_twice`)."""
        original = self.originals.get(id(record), record) if self.keyed else record
        if record is first or record == first:
            if id(original) not in self.rechecked:
                # (A record an earlier build rejected, checked again, that the other ledger
                # holds or rejected too, is one record: not one delivered twice.)
                self.repeated.append(record)
            return
        given = self.originals.get(id(first), first) if self.keyed else first
        # A record one earlier build rejected (checked again) and the other kept with its due
        # date moved to its issue date: the same record as its source gives it, held once (its
        # adjustment is carried), as one build of both ledgers' records holds it.
        if (id(original) in self.rechecked or id(given) in self.rechecked) and (
                self.as_given(original) == self.as_given(given)):
            return
        ident = _unkey(record.source, key) if self.keyed else key
        where = self.where(first)
        at = f", {where}" if where else ""
        self.reject(
            record,
            f"duplicate id: another {record.kind} has id {ident} in source "
            f"{first.source} (first from {first.source}{at}); a source's ids must be "
            "unique per kind: fix the source, or give the two records other ids",
            "id",
        )

    def as_given(self, record: AnyRecord) -> AnyRecord:
        """``record`` (as its source names it, unkeyed) with the due date its source gives,
        where an earlier build kept it due on its issue date (:attr:`given_dues`)."""
        if not isinstance(record, Invoice) or record.id is None:
            return record
        moved = self.given_dues.get((record.kind, record.source, record.id))
        if moved is None or record.due_date.isoformat() != moved[0]:
            return record
        return record.model_copy(update={"due_date": date.fromisoformat(moved[1])})

    def checked_invoices(self, records: list[Invoice]) -> tuple[list[Invoice], dict[str, Invoice]]:
        """The invoices kept, and the same by id: the first of each id (:meth:`unique`),
        priced (a rate to base: :meth:`rate_of`, else rejected), due on their issue date
        where the source has them due before it (:meth:`due_from_issue`).

        One pass over the invoices where those were three (a million records read three
        times), with the very same outcome: every duplicate is rejected before the first
        invoice without a rate (as when the duplicates were all found first), and the rates
        are recorded in the invoices' order."""
        # The first invoice of each id; at the end, those kept (moved to their issue date
        # where they were), for the allocations' look-ups.
        first_of: dict[str, Invoice] = {}
        first = first_of.get
        kept: list[Invoice] = []
        keep = kept.append
        rates = self.rates[Invoice.kind]
        base = self.base
        unpriced: list[tuple[Invoice, tuple[str, str]]] = []
        for record in records:
            ident = record.id
            earlier = first(ident)
            if earlier is not None:
                self.reject_duplicate(record, ident, earlier)
                continue
            first_of[ident] = record
            if record.currency == base:
                rates[ident] = ONE
            else:
                rate = self.rate_of(record, record.issue_date)
                if isinstance(rate, tuple):
                    unpriced.append((record, rate))
                    continue
                rates[ident] = rate
            # The comparison inline: a call per invoice would cost a large build time.
            if record.due_date >= record.issue_date:
                keep(record)
            else:
                keep(moved := self.due_from_issue(record))
                first_of[ident] = moved
        for record, (reason, field_name) in unpriced:
            self.reject(record, reason, field_name)
            del first_of[record.id]
        return kept, first_of

    def checked_documents(
        self, payments: list[Payment], credit_notes: list[CreditNote]
    ) -> tuple[list[Payment], list[CreditNote]]:
        """The payments and the credit notes kept: the first of each id (:meth:`unique`),
        priced (:meth:`rate_of`). One pass over each where those were two, with the same
        outcome: every duplicate is rejected before the first document without a rate."""
        unpriced: list[tuple[Payment | CreditNote, tuple[str, str]]] = []
        kept_payments = self.kept_documents(payments, Payment.kind, unpriced)
        kept_notes = self.kept_documents(credit_notes, CreditNote.kind, unpriced)
        for document, (reason, field_name) in unpriced:
            self.reject(document, reason, field_name)
        return kept_payments, kept_notes

    def kept_documents(
        self,
        documents: list[_Document],
        kind: str,
        unpriced: list[tuple[Payment | CreditNote, tuple[str, str]]],
    ) -> list[_Document]:
        """The first of each id of ``documents`` (all of one kind) that has a rate, each rate
        recorded; a duplicate rejected here, one without a rate added to ``unpriced``."""
        kept: list[_Document] = []
        first: dict[str, _Document] = {}
        base = self.base
        rates = self.rates[kind]
        for record in documents:
            ident = record.id
            earlier = first.get(ident)
            if earlier is not None:
                self.reject_duplicate(record, ident, earlier)
                continue
            first[ident] = record
            if record.currency == base:
                rates[ident] = ONE
            else:
                rate = self.rate_of(
                    record, record.date if isinstance(record, Payment) else record.issue_date
                )
                if isinstance(rate, tuple):
                    unpriced.append((record, rate))
                    continue
                rates[ident] = rate
            kept.append(record)
        return kept

    def due_from_issue(self, invoice: Invoice) -> Invoice:
        """``invoice`` due on its issue date, which it is before in the source (noted)."""
        original = self.originals.get(id(invoice), invoice) if self.keyed else invoice
        self.adjusted.append(
            Adjustment(
                invoice.kind,
                invoice.source,
                str(getattr(original, "id", invoice.id)),  # as its source gives it, unkeyed
                "due_date",
                invoice.due_date.isoformat(),
                invoice.issue_date.isoformat(),
                _due_before_issue_english(invoice.due_date, invoice.issue_date),
                self.where(invoice),
            )
        )
        moved = invoice.model_copy(update={"due_date": invoice.issue_date})
        if self.keyed:
            self.originals[id(moved)] = original.model_copy(
                update={"due_date": invoice.issue_date}
            )
        return moved

    def rate_of(
        self, record: Invoice | Payment | CreditNote, on: date
    ) -> Decimal | tuple[str, str]:
        """The document's rate to base on ``on``, its own date; or, where it has none, why
        not: the reason and the field a rejection names."""
        if record.currency == self.base:
            return ONE
        if not _known_currency(record.currency):
            # Before its own rate: a record made without the model's check (model_copy,
            # model_construct) may hold any code, and one without a minor unit can be neither
            # rounded nor compared with a tolerance later (apply, the review).
            return _unknown_currency(record.currency), "currency"
        if record.fx_rate is not None:
            return record.fx_rate
        if self.fx is not None:
            try:
                rate = self.fx.rate(record.currency, on)
            except DataError as exc:
                return str(exc), "currency"
            amounts = _amounts_of(record)
            if not rate_in_bounds(rate, *amounts):
                largest = max(amounts)
                return (
                    f"the FxTable's {record.currency}->{self.base} rate for {on}, {rate}, "
                    f"converts {largest} {record.currency} to {largest * rate} "
                    f"{self.base}, more than {MAX_AMOUNT_DIGITS} digits before the decimal "
                    "point: no document is that large; check the rate (or the amount)",
                    "currency",
                )
            return rate
        return (
            f"{record.currency} is not the base currency {self.base} and there is no rate: "
            "give the record an fx_rate or pass an FxTable (fx=) to Ledger.build",
            "fx_rate",
        )

    def held_elsewhere(
        self, doc: Payment | CreditNote, invoice_key: str, invoices: Mapping[str, Invoice]
    ) -> str:
        """For an allocation to an invoice its source does not hold: the other sources that
        hold an invoice of that id, said with what to do ("" when none does, or the ledger
        has one source). A bank's payment names the books' invoice "INV-7" (or "books:INV-7");
        allocations resolve within their own source, so it pays no other source's invoice."""
        if not self.keyed:
            return ""
        if self.invoice_sources is None:  # made on the first such allocation only
            self.invoice_sources = defaultdict(set)
            for held in invoices.values():
                self.invoice_sources[_unkey(held.source, held.id)].add(held.source)
                self.invoice_sources[held.id].add(held.source)
        ident = _unkey(doc.source, invoice_key)
        holders = sorted(self.invoice_sources.get(ident, set()) - {doc.source})
        if not holders:
            return ""
        # One holder: its invoice by its ledger key (xero:INV-7); several: the id they share.
        named = (ledger_key(holders[0], _unkey(holders[0], ident)) if len(holders) == 1
                 else ident)
        what = doc.kind.replace("_", " ")
        return (
            f"; {' and '.join(holders)} {'has' if len(holders) == 1 else 'have'} the invoice "
            f"{named}, but a {what} pays only invoices of its "
            f"own source ({doc.source}): record the {what} and its allocation in the "
            f"invoice's source, or leave the {what} unallocated"
        )

    def rate_on(self, record: Invoice | Payment | CreditNote, on: date) -> Decimal | None:
        """Base per unit of the record's currency on ``on``.

        On the record's own date its ``fx_rate`` wins, as in ``rate_to_base``: it is the rate
        the source itself used, so a payment credits the invoice with what the source says.
        On another date the FxTable's rate for that date, else the record's own rate.
        """
        if record.currency == self.base:
            return ONE
        own_date = record.date if isinstance(record, Payment) else record.issue_date
        if record.fx_rate is not None and on == own_date:
            return record.fx_rate
        if self.fx is not None:
            try:
                return self.fx.rate(record.currency, on)
            except DataError:
                pass
        return record.fx_rate

    failed_documents: set[tuple[str, str]]

    def apply(
        self, documents: list[Payment | CreditNote], invoices: Mapping[str, Invoice]
    ) -> dict[str, _HeldApplications]:
        """Turn allocations into applications; reject documents that break a rule. Returns
        each invoice's applications as the ledger holds them (:data:`_HeldApplications`): a
        document's one allocation in the invoice's own currency is kept as the document
        itself (its application is :func:`_application_of` it), an invoice's one application
        as it is, two or more in the replay's order.

        The allocations are checked in the order the settlement replay counts them
        (:func:`counted_on`, :func:`same_day_order`), so the document rejected for
        over-applying an invoice is the one whose application the replay would find taking
        it over its total: one counted later (an allocation made after the day) never rejects
        one counted before it. A document is kept or rejected whole; one whose allocations
        count on several days and that is rejected on a later one is set aside and the check
        runs again without it (its earlier applications never were), so no document is
        rejected for an application of a rejected one."""
        steps = _counted_steps(documents)
        set_aside: dict[tuple[str, str], _Refusal] = {}
        while True:
            held, failed, late = self.applied_in_order(steps, invoices, set_aside)
            if not late:
                break
            set_aside.update(late)
        self.failed_documents = set()
        # In the replay's order: each where the step that broke the rule counts.
        for _, doc, reason, field_name in sorted([*set_aside.values(), *failed], key=_first_of):
            self.reject(doc, reason, field_name)
            self.failed_documents.add((doc.kind, doc.id))
        return held

    def applied_in_order(
        self,
        steps: list[_Step],
        invoices: Mapping[str, Invoice],
        set_aside: Mapping[tuple[str, str], object],
    ) -> tuple[dict[str, _HeldApplications], list[_Refusal], dict[tuple[str, str], _Refusal]]:
        """One pass of :meth:`apply` over ``steps`` (in the replay's order), leaving out the
        documents ``set_aside``. Returns the applications held, the documents rejected (with
        the reason and the field), and those of several steps rejected on a step after one
        already applied (``apply`` sets them aside and runs again)."""
        # Allocations to another customer's invoice, with their place in ledger order.
        self.cross: list[_Crossing] = []
        failed: list[_Refusal] = []
        late: dict[tuple[str, str], _Refusal] = {}
        # Documents of several steps: those rejected on one (their later steps are skipped),
        # and those one of whose steps applied already.
        refused: set[tuple[str, str]] = set()
        begun: set[tuple[str, str]] = set()
        # Each invoice's first application, and, for those with more, all of them in the
        # order they came (sorted at the end): no list for the many invoices paid once.
        result: dict[str, Application | Payment | CreditNote] = {}
        held_for = result.get
        several: dict[str, list[Application | Payment | CreditNote]] = {}
        # What is applied to each invoice of two or more applications so far. For one of a
        # single application it is ZERO + that application's amount, made again on asking
        # (see ``applied_to``): not a dict and a Decimal an invoice paid once (a million).
        applied: dict[str, Decimal] = {}
        summed = applied.get

        def applied_to(invoice_id: str) -> Decimal:
            """What is applied to the invoice so far: the sum of its applications' amounts,
            from ZERO in the order they came."""
            applied_sum = summed(invoice_id)
            if applied_sum is not None:
                return applied_sum
            held = held_for(invoice_id)
            if held is None:
                return ZERO
            # (ZERO + the amount: the very Decimal that sum was when it was kept for every
            # invoice.)
            if isinstance(held, Application):
                return ZERO + held.amount
            return ZERO + held.allocations[0].amount

        invoice_of = invoices.get
        for order, doc_day, doc, indices in steps:
            allocations = doc.allocations
            if indices is not None:
                # One of the days of a document whose allocations count on several.
                which = (doc.kind, doc.id)
                if which in refused or which in set_aside:
                    continue
            elif set_aside and (doc.kind, doc.id) in set_aside:
                continue
            if len(allocations) == 1:
                # The common document: one allocation, in its invoice's currency, to an
                # invoice of its own customer that nothing was applied to yet. It stands for
                # its application, and the rule below is the same sums: what this document
                # applies (ZERO + the amount), on top of what is applied already (ZERO).
                invoice = invoice_of(allocations[0].invoice_id)
                if (invoice is not None and invoice.currency == doc.currency
                        and invoice.customer_id == doc.customer_id
                        and held_for(invoice.id) is None
                        and not ZERO + (ZERO + allocations[0].amount) - invoice.total > ZERO):
                    result[invoice.id] = doc
                    continue
            # (invoice id, amount in its currency, the application: the document itself
            # where it stands for it).
            pending: list[tuple[str, Decimal, Application | Payment | CreditNote]] = []
            single = len(allocations) == 1
            # What this document applies to each invoice so far, summed in allocation order
            # from ZERO (as ``sum`` would), so the check below sees the very same Decimal.
            pending_to: dict[str, Decimal] = {}
            problem: tuple[str, str] | None = None
            doc_kind, doc_id, doc_currency = doc.kind, doc.id, doc.currency
            payer = doc.customer_id
            crossing: list[_Crossing] = []
            for index in range(len(allocations)) if indices is None else indices:
                allocation = allocations[index]
                invoice = invoices.get(allocation.invoice_id)
                if invoice is None:
                    problem = (
                        f"allocated to invoice {allocation.invoice_id}, which is not in the "
                        "ledger (or was rejected): load that invoice or remove the allocation"
                        + self.held_elsewhere(doc, allocation.invoice_id, invoices),
                        f"allocations.{index}.invoice_id",
                    )
                    break
                on = allocation.date or doc_day
                amount = allocation.amount
                tolerance = ZERO
                if doc_currency != invoice.currency:
                    doc_rate, invoice_rate = self.rate_on(doc, on), self.rate_on(invoice, on)
                    if doc_rate is None or invoice_rate is None:
                        problem = (
                            f"{doc.kind} in {doc.currency} is allocated to invoice {invoice.id} "
                            f"in {invoice.currency} with no rate for "
                            f"{doc.currency if doc_rate is None else invoice.currency} on {on}: "
                            "give the document an fx_rate or add the currency to the FxTable",
                            f"allocations.{index}.amount",
                        )
                        break
                    amount = allocation.amount * doc_rate / invoice_rate
                    # A converted amount may overshoot by a rounding step of the invoice.
                    tolerance = Decimal(1).scaleb(-exponent(invoice.currency))
                invoice_id = invoice.id
                if invoice.customer_id != payer:
                    crossing.append((
                        (doc_kind != "payment", doc_day, doc_id, index),
                        CrossAllocation(doc_kind, doc_id, invoice_id, payer, invoice.customer_id),
                    ))
                pending.append((
                    invoice_id,
                    amount,
                    doc if single and doc_currency == invoice.currency else
                    _application(invoice_id, on, amount, doc_kind, doc_id, allocation.amount),
                ))
                so_far = pending_to[invoice_id] = pending_to.get(invoice_id, ZERO) + amount
                over = applied_to(invoice_id) + so_far - invoice.total
                if over > tolerance:
                    problem = (
                        f"with this {doc.kind}, allocations to invoice {invoice.id} add up to "
                        f"{invoice.total + over} {invoice.currency}, more than its total of "
                        f"{invoice.total}",
                        f"allocations.{index}.amount",
                    )
                    break
            if problem is not None:
                if indices is not None:
                    refused.add(which)
                    if which in begun:
                        late[which] = (order, doc, *problem)
                        continue
                failed.append((order, doc, *problem))
                continue
            if indices is not None:
                begun.add(which)
            self.cross += crossing
            for invoice_id, amount, application in pending:
                first = held_for(invoice_id)
                if first is None:
                    result[invoice_id] = application
                    continue
                applied[invoice_id] = applied_to(invoice_id) + amount
                applications = several.get(invoice_id)
                if applications is None:
                    several[invoice_id] = [first, application]
                else:
                    applications.append(application)
        held = cast("dict[str, _HeldApplications]", result)
        # Same-day applications: payments before credit notes, then by document id, so the
        # replay is the same whatever order the source listed them in.
        for invoice_id, applications in several.items():
            held[invoice_id] = tuple(sorted(map(_made, applications), key=_application_order))
        return held, failed, late

    def index(
        self,
        ledger: Ledger,
        applications: dict[str, _HeldApplications],
    ) -> None:
        ledger._customers = {c.id: c for c in ledger.customers}
        ledger._invoices = {i.id: i for i in ledger.invoices}
        ledger._payments = {p.id: p for p in ledger.payments}
        ledger._credit_notes = {c.id: c for c in ledger.credit_notes}
        by_customer: dict[str, list[Invoice]] = defaultdict(list)
        for invoice in ledger.invoices:
            by_customer[invoice.customer_id].append(invoice)
        ledger._invoices_by_customer = {k: tuple(v) for k, v in by_customer.items()}
        payments: dict[str, list[Payment]] = defaultdict(list)
        for payment in ledger.payments:
            payments[payment.customer_id].append(payment)
        ledger._payments_by_customer = {k: tuple(v) for k, v in payments.items()}
        notes: dict[str, list[CreditNote]] = defaultdict(list)
        for note in ledger.credit_notes:
            notes[note.customer_id].append(note)
        ledger._credit_notes_by_customer = {k: tuple(v) for k, v in notes.items()}
        ledger._applications = applications
        ids = set(ledger._customers)
        ids.update(by_customer)
        ids.update(payments)
        ids.update(notes)
        ids.update(t.customer_id for t in ledger.time_entries if t.customer_id is not None)
        ids.update(w.customer_id for w in ledger.work_requests)
        ledger._customer_ids = tuple(sorted(ids))
        ledger._groups = _resolve_groups(ledger._customers)
        members: dict[str, list[str]] = defaultdict(list)
        for customer_id in ledger._customer_ids:
            members[ledger.group_of(customer_id)].append(customer_id)
        ledger._members = {k: tuple(v) for k, v in members.items()}
        # Every record priced was kept, but for the documents whose allocations failed.
        for kind, ident in self.failed_documents:
            self.rates[kind].pop(ident, None)
        ledger._rates = self.rates
        ledger._locations = self.source_locations
        ledger._links = self.links
        ledger._applied_links = _apply_links(ledger, self.links)
        ledger._cross = tuple(cross for _, cross in sorted(self.cross, key=_first))


def _not_a_table(fx: object, base: str) -> TypeError:
    """The error for an ``fx=`` that is not an FxTable: what was passed, and how to make a
    table of it (a rates file's path, the rates themselves as a dict)."""
    shown = repr(fx) if len(repr(fx)) <= 80 else f"{repr(fx)[:60]}...{repr(fx)[-12:]}"
    if isinstance(fx, str | PathLike):
        how = (f"to use a rates file, read it into a table first: "
               f"fx_table(read_rates_file(Path({str(fx)!r})), {base!r}), with fx_table from "
               "clientguard.fx and read_rates_file from clientguard.fx.files")
    elif isinstance(fx, Mapping):
        how = (f"to use rates by currency and date, make a table of them: FxTable({base!r}, "
               "{currency: {date: rate}}) from clientguard.money (or "
               "clientguard.testing.fx_table)")
    else:
        how = ("make one with FxTable(base, {currency: {date: rate}}) from clientguard.money, "
               "or from a rates file with clientguard.fx.fx_table")
    return TypeError(f"fx must be an FxTable or None, not {type(fx).__name__} {shown}: {how}")


def _known_currency(code: object) -> bool:
    """True where ``code`` is a currency code of :data:`clientguard.money.CURRENCY_EXPONENTS`
    (the model's own check, which a record made with ``model_copy`` skips)."""
    return isinstance(code, str) and is_currency(code)


def _unknown_currency(code: object) -> str:
    """Why a document in ``code``, a currency the ledger does not know, is rejected, and what
    to do (the reason its rejection keeps, in English)."""
    hint = (f" (did you mean {code.upper()!r}?)"
            if isinstance(code, str) and is_currency(code.upper()) else "")
    return (
        f"{code!r} is not a currency code clientguard knows{hint}: its minor unit is "
        "unknown, so its amounts can be neither rounded nor converted; correct the currency "
        "in the source to an upper-case ISO 4217 code of money (such as EUR or PLN) and load "
        "the record again"
    )


def _amounts_of(record: Invoice | Payment | CreditNote) -> tuple[Decimal, ...]:
    """The document's amounts that its rate converts to the base currency."""
    if isinstance(record, Payment):
        return (record.amount,)
    if isinstance(record, Invoice) and record.amount_due is not None:
        return (record.total, record.amount_due)
    return (record.total,)


def _check_table_rates(fx: FxTable) -> None:
    """Raise :class:`DataError` naming the first rate of ``fx`` that no document may carry
    (outside :data:`~clientguard.model.MIN_RATE` to :data:`~clientguard.model.MAX_RATE`):
    the table is an argument of the build, not a record, so it is refused whole, as a table
    in another base currency is."""
    for currency, by_date in fx.rates.items():
        # The extremes of each currency's rates (the table's are finite): twenty years of
        # daily rates are checked at C speed.
        if by_date and (max(by_date.values()) > MAX_RATE or min(by_date.values()) < MIN_RATE):
            day, rate = next((d, r) for d, r in by_date.items() if not rate_in_bounds(r))
            raise DataError(
                f"the FxTable's {currency}->{fx.base} rate for {day} is {rate}, outside the "
                f"rates a document may carry ({MIN_RATE} to {MAX_RATE:,} units of {fx.base} "
                f"per {currency}): no exchange rate is that {'large' if rate > 1 else 'small'}; "
                "fix the rate in the table (or in the rates file it was read from)"
            )


_KIND_ORDER = {kind.kind: position for position, kind in enumerate(_KINDS)}


def _found_order(rejection: Rejection) -> tuple[int, str, str, str, str, str]:
    """Where a rejection a build found comes among its source's (:meth:`_Builder.rejections`):
    by kind, then id in the source; time entries without an id by day, client, person and
    hours (two such entries alike are rejected alike)."""
    record = rejection.record
    entry = record if isinstance(record, TimeEntry) and record.id is None else None
    return (
        _KIND_ORDER.get(rejection.kind, len(_KIND_ORDER)),
        rejection.record_id or "",
        entry.date.isoformat() if entry else "",
        (entry.customer_id or entry.customer_name or "") if entry else "",
        (entry.person or "") if entry else "",
        str(entry.hours) if entry else "",
    )


def _shown_name(name: str) -> str:
    """A client's name as a message quotes it: cut in the middle past 120 characters (a
    corrupt cell must not make every message of a report that long)."""
    return name if len(name) <= 120 else f"{name[:80]}...{name[-37:]}"


def _key(source: str, ident: str) -> str:
    return ledger_key(source, ident)


def _unkey(source: str, ident: str) -> str:
    return ident[len(source) + 1 :] if ident.startswith(f"{source}:") else ident


def _rekey(record: AnyRecord, key: Callable[[str, str], str]) -> AnyRecord:
    """The record with its id and every id it names (customer, group, invoices allocated to)
    turned by ``key(source, id)``: to its ledger key ``source:id``, or back."""
    source = record.source
    update: dict[str, object] = {}
    if isinstance(record, Customer):
        update["id"] = key(source, record.id)
        if record.group_id:
            update["group_id"] = key(source, record.group_id)
    else:
        if record.customer_id is not None:
            owner = record.customer_source if isinstance(record, WorkRequest) else None
            update["customer_id"] = key(owner or source, record.customer_id)
        # Every id is keyed, a time entry's too where it has one: two trackers' entry "e0"
        # are two entries, as two sources' invoice "2" are two invoices.
        if record.id is not None:
            update["id"] = key(source, record.id)
        if isinstance(record, Payment | CreditNote) and record.allocations:
            update["allocations"] = tuple(
                a.model_copy(update={"invoice_id": key(source, a.invoice_id)})
                for a in record.allocations
            )
    return record.model_copy(update=update)


def linked_customers(ledger: Ledger, customer_id: str) -> tuple[str, ...]:
    """``customer_id`` and every customer linked with it (``Ledger.links``: one company kept
    in several tools), sorted: one company, one debtor (``clientguard.claims``), named once
    (``client_name``). The other members of its group (a parent and its subsidiaries,
    different companies) are not in it."""
    debtor = {customer_id}
    grown = True
    while grown:
        grown = False
        for link in ledger.links:
            if debtor.intersection(link) and not debtor.issuperset(link):
                debtor.update(link)
                grown = True
    return tuple(sorted(debtor))


def _apply_links(ledger: Ledger, links: tuple[Link, ...]) -> tuple[tuple[str, ...], ...]:
    """Make the customers of each link count as one client: every member of a link, and every
    customer of their groups, counts in the client of the smallest id among the groups they
    joined (so the result does not depend on the order of the links). Returns the links
    applied, as ledger customer ids."""
    if not links:
        return ()
    known = set(ledger._customer_ids)
    parent: dict[str, str] = {}

    def find(client: str) -> str:
        while parent.get(client, client) != client:
            client = parent[client]
        return client

    applied = []
    for link in links:
        members = sorted({
            ledger.key(source, ident)
            for source, ident in link
            if source in ledger._sources and ledger.key(source, ident) in known
        })
        if len(members) < 2:
            continue
        applied.append(tuple(members))
        roots = sorted({find(ledger.group_of(member)) for member in members})
        for root in roots[1:]:
            parent[root] = roots[0]
    if not parent:
        return tuple(sorted(set(applied)))
    for customer_id in ledger._customer_ids:
        group = ledger._groups.get(customer_id, customer_id)
        top = find(group)
        if top != customer_id:
            ledger._groups[customer_id] = top
        elif customer_id in ledger._groups:
            del ledger._groups[customer_id]
    clients: dict[str, list[str]] = defaultdict(list)
    for customer_id in ledger._customer_ids:
        clients[ledger.group_of(customer_id)].append(customer_id)
    ledger._members = {k: tuple(v) for k, v in clients.items()}
    return tuple(sorted(set(applied)))


def _carried_once(mine: Sequence[Rejection], theirs: Sequence[Rejection]) -> list[Rejection]:
    """The rejections two ledgers carry into a merge, ``mine`` then ``theirs``, in order: each
    as many times as the ledger holding it most holds it. Equal rejections within one ledger
    are that many records (two identical spreadsheet rows of time entries without an id, each
    rejected); one both ledgers carry (a ledger merged with one it was merged from, a source
    built again) is not one more. Rejections are compared by value, the raw input they hold
    too (an unmapped row's dict, read twice from one file, is the same row): a source built
    twice and merged lists each of its rejections once. Raw input that cannot be compared (an
    object neither hashable nor a dict or a list) is the same only when it is the very same
    object."""

    # Compared in two steps: by what a rejection says (its kind, source, id, field, reason and
    # location: hashed cheaply), then, among the few that say the same, by the raw input or
    # record it holds (made comparable only then: hashing every record, a model's every
    # field, cost a large merge more than its checks).
    said: dict[tuple[object, ...], list[_Tally]] = {}

    def tally(rejection: Rejection) -> _Tally:
        alike = said.setdefault((rejection.kind, rejection.source, rejection.record_id,
                                 rejection.field, rejection.reason, rejection.location), [])
        if alike:
            held = _comparable(rejection.record)
            for entry in alike:
                if entry.held is None:
                    entry.held = (_comparable(entry.record),)
                if entry.held == (held,):
                    return entry
        entry = _Tally(rejection.record, None if not alike else (held,))
        alike.append(entry)
        return entry

    for rejection in mine:
        tally(rejection).mine += 1
    entries = [tally(rejection) for rejection in theirs]
    for entry in entries:
        entry.theirs += 1
    kept = list(mine)
    for rejection, entry in zip(theirs, entries, strict=True):
        # The first of theirs that theirs hold more of than mine: as many as the most.
        if entry.theirs > entry.mine:
            entry.theirs -= 1
            kept.append(rejection)
    return kept


@dataclass(slots=True)
class _Tally:
    """How many of one rejection each ledger of a merge carries (:func:`_carried_once`)."""

    record: object
    held: tuple[object] | None
    """``(_comparable(record),)`` once compared (None until a second one says the same)."""
    mine: int = 0
    theirs: int = 0


def _unpriced_alike(
    rechecks: Sequence[Rejection],
    records: Sequence[AnyRecord],
    base: str,
    fx: FxTable | None,
    locations: Mapping[RecordKey, Location],
) -> set[int]:
    """Of ``rechecks`` (the rejections earlier builds found, whose records a merge checks
    again), those (by ``id``) the merge of ``records`` (the two ledgers' records) would make
    again, equal, in the same place of its list, without checking their records: a document
    rejected for want of a rate (:meth:`_Builder.rate_of`) that the merged ``fx`` does not
    have either (the same reason, word for word), where the merge is of several sources (its
    rejections are then sorted, :meth:`_Builder.rejections`, so that one not checked again
    takes the place it would), of a source the merge's other records hold (so that leaving
    it unchecked changes neither the sources nor the keying), the only record of its
    identity (kind, source, id) among all (no other is kept or rejected as a duplicate in
    its stead) and at the same location. The rejection's reason holds no key, so a ledger of
    one source merged into one of several says it alike. The rest are checked again: their
    reasons name other records (``invoice books:7``), which the merge may hold or key."""
    priced = (Invoice.kind, Payment.kind, CreditNote.kind)
    candidates = [r for r in rechecks if r.kind in priced and r.field in ("fx_rate", "currency")
                  and isinstance(r.record, Invoice | Payment | CreditNote)
                  and r.record.kind == r.kind and r.record.source == r.source
                  and r.record.id == r.record_id]
    if not candidates:
        return set()
    chosen = {id(r) for r in candidates}
    sources = {r.source for r in records}
    sources.update(cast("AnyRecord", r.record).source for r in rechecks if id(r) not in chosen)
    if len(sources) < 2:
        return set()
    of_sources = {r.source for r in candidates}
    identities = Counter(
        (r.kind, r.source, getattr(r, "id", None)) for r in records
        if r.kind in priced and r.source in of_sources)
    identities.update((cast("AnyRecord", r.record).kind, cast("AnyRecord", r.record).source,
                       getattr(r.record, "id", None)) for r in rechecks)
    pricing = _Builder(base, fx, {}, [])
    alike = set()
    for rejection in candidates:
        document = cast("Invoice | Payment | CreditNote", rejection.record)
        key = (document.kind, document.source, document.id)
        if (document.source not in sources or identities[key] != 1
                or locations.get(key) != rejection.location):
            continue
        on = document.date if isinstance(document, Payment) else document.issue_date
        if pricing.rate_of(document, on) == (rejection.reason, rejection.field):
            alike.add(id(rejection))
    return alike


def _comparable(value: object) -> object:
    """``value`` (a rejection, and the raw input it holds: JSON's dicts and lists, a row's
    cells, the connector's own rejection of it) as a hashable value equal for equal input; an
    object that is neither hashable nor one of those stands for itself (its identity)."""
    if isinstance(value, Rejection):
        return (Rejection, value.kind, value.source, value.record_id, value.field,
                value.reason, value.location, _comparable(value.record))
    if isinstance(value, Mapping):
        return (Mapping, frozenset((k, _comparable(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return (Sequence, tuple(map(_comparable, value)))
    if isinstance(value, set | frozenset):
        return (set, frozenset(map(_comparable, value)))
    try:
        hash(value)
    except TypeError:
        return (id, id(value))
    return value


def _given_notes(ledger: Ledger) -> tuple[list[str], list[str]]:
    """``ledger``'s notes a merge carries as they are: the sources' own (given to its builds:
    a connector's, the store's), in order, and the notes of records delivered twice. Those
    its build made of the records as a whole (unknown customers, documents alike in two
    sources, links naming no customer) are left out: the merge finds them again."""
    report = ledger.report
    made = {*map(str, report.unknown_customers), *map(str, report.same_in_two_sources),
            unknown_links_note(report.unknown_links)}
    twice = set(map(str, report.delivered_twice))
    given = [note for note in report.notes if note not in made and note not in twice]
    return given, [note for note in report.notes if note in twice]


def _note_source(note: str) -> str:
    """The source a source's note is of: the name before its first ``": "`` (the store, the
    command line and :meth:`Ledger.from_connector` write ``"<source>: <note>"``; a source's
    name holds no ``:``); ``""`` for a note without one."""
    head, colon, _rest = note.partition(": ")
    return head if colon and KEY_SEPARATOR not in head else ""


def _merged_notes(one: Ledger, other: Ledger) -> list[str]:
    """The sources' notes of a merge of ``one`` and ``other``, each once: by source (sorted by
    name, as the store lists them), each source's in the order its ledger has them (the
    connector's declared streams, each stream's as they came), so that a merge of the
    sources' ledgers has the notes of one load of them all from the store; then the notes of
    records delivered twice, sorted. Where the two ledgers give one source's notes otherwise
    (two builds of one source from different reads), which one's order would depend on
    which ledger is merged into which: that source's notes are sorted."""
    given: dict[str, list[list[str]]] = {}
    twice: set[str] = set()
    for book in (one, other):
        notes, repeated = _given_notes(book)
        twice.update(repeated)
        by_source: dict[str, list[str]] = {}
        for note in dict.fromkeys(notes):
            by_source.setdefault(_note_source(note), []).append(note)
        for source, listed in by_source.items():
            given.setdefault(source, []).append(listed)
    merged: list[str] = []
    for source in sorted(given):
        lists = given[source]
        if all(listed == lists[0] for listed in lists):
            merged += lists[0]
        else:
            merged += sorted({note for listed in lists for note in listed})
    return [*merged, *sorted(twice)]


def _entries_once(one: Ledger, other: Ledger, records: list[AnyRecord]) -> list[AnyRecord]:
    """``records`` (a merge's: ``one``'s, ``other``'s, the entries matched again) with each
    time entry without an id that both ledgers hold counted once. Such entries have no id to
    say which is which: equal ones (the same source, day, person, client, hours) within one
    ledger are that many entries (two rows of a spreadsheet alike), and a merge keeps of each
    as many as the ledger holding it most holds: a ledger merged with itself, with one it
    was merged from or with its source built again counts each row once, as it counts the
    records with ids (``_Builder.unique``) and the rejections (:func:`_carried_once`)."""
    held: list[Counter[TimeEntry]] = []
    for book in (one, other):
        entries: Counter[TimeEntry] = Counter(book._source_entries(without_id=True))
        entries.update(
            rejection.record for rejection in book.report.rejected
            if isinstance(rejection.record, TimeEntry) and rejection.record.id is None)
        held.append(entries)
    if not held[0] or not held[1]:
        return records
    most = held[0] | held[1]  # each entry as many times as the ledger holding it most
    kept: list[AnyRecord] = []
    for record in records:
        if isinstance(record, TimeEntry) and record.id is None:
            if most[record] <= 0:
                continue
            most[record] -= 1
        kept.append(record)
    return kept


def _unknown_links(ledger: Ledger, links: Iterable[Link]) -> tuple[str, ...]:
    """The members of ``links`` of a source the ledger holds that no record of it has, as
    ``source:id``, sorted (:attr:`LoadReport.unknown_links`)."""
    if not links:
        return ()
    known = set(ledger.customer_ids)
    sources = set(ledger.sources)
    return tuple(sorted({
        f"{source}:{ident}"
        for link in links
        for source, ident in link
        if source in sources and ledger.key(source, ident) not in known
    }))


def unknown_links_note(members: Sequence[str]) -> str:
    """The sentence of a load report's notes for its :attr:`LoadReport.unknown_links`, in
    English (as the load report keeps it)."""
    with i18n.using("en"):
        return unknown_links_words(members)


def unknown_links_words(members: Sequence[str]) -> str:
    """:func:`unknown_links_note` in the active language (the review's): the members are
    ``source:id`` names and stay as they are."""
    return gettext(
        "the links name customers the records do not hold, left out of their links: "
        "{customers} (clientguard links suggest lists the customers' ids)"
    ).format(customers=", ".join(members))


def _same_in_two_sources(ledger: Ledger) -> list[SameInTwoSources]:
    """The documents of a ledger of several sources that look like one document counted in
    each (:class:`SameInTwoSources`), in date order, then kind, then keys. Invoices that are
    drafts or void count for nothing and are left out."""
    found: list[SameInTwoSources] = []
    numbers = _identifying_numbers(ledger)
    clients = _Clients(ledger)
    # Invoices alike in day, currency and total; of those, one client's or one number's.
    alike: dict[tuple[date, str, Decimal], list[Invoice]] = defaultdict(list)
    for invoice in ledger.invoices:
        if invoice.status in ("open", "paid"):
            alike[(invoice.issue_date, invoice.currency, invoice.total)].append(invoice)
    for (day, currency, total), invoices in alike.items():
        if len(invoices) < 2 or len({i.source for i in invoices}) < 2:
            continue
        # One client's (a link, a group) or one number's: one invoice, maybe.
        sets = _joined(invoices, lambda i: ("client", ledger.group_of(i.customer_id)),
                       lambda i: ("number", numbers.get(i.id) or i.id))
        found += [
            SameInTwoSources("invoice", tuple(sorted(i.id for i in members)), day, currency,
                             total, tuple(sorted({i.number for i in members if i.number})))
            for members in sets if len({i.source for i in members}) > 1
        ]
    copies = _copies_written_otherwise(ledger, numbers, clients)
    # One invoice in three sources, two alike to the day and a third a day apart: said once,
    # as the set of the three.
    wider = [set(copy.records) for copy in copies]
    found = [same for same in found if not any(set(same.records) <= w for w in wider)]
    found += copies
    # Payments alike in day, currency and amount, of one client: the same rule as invoices'.
    paid: dict[tuple[date, str, Decimal], list[Payment]] = defaultdict(list)
    for payment in ledger.payments:
        paid[(payment.date, payment.currency, payment.amount)].append(payment)
    for (day, currency, amount), payments in paid.items():
        if len(payments) < 2 or len({p.source for p in payments}) < 2:
            continue
        found += [
            SameInTwoSources("payment", tuple(sorted(p.id for p in members)), day, currency,
                             amount)
            for members in _of_one_client(payments, clients)
            if len({p.source for p in members}) > 1
        ]
    found.sort(key=lambda same: (same.day, same.kind, same.records))
    return found


COPY_CONVERTED_TOLERANCE = Decimal("0.01")
"""How far apart, as a share of the larger, the base-currency values of two invoices of one
number and day in different currencies may be and still be said as one invoice: the copying
tool converts at its own rate (another provider's fixing, or the day before's) and rounds to
the cent, which moves a total by a fraction of a percent; 2% apart is another amount."""

COPY_DAYS_APART = 1
"""How many days apart two invoices of one number in two sources may be issued and still be
said as one invoice copied (in one currency and total, or worth the same in another): a tool
that dates a document in UTC and one that dates it in the firm's zone write two days for a
document made near midnight. Only with the same number: two invoices of one client and
amount a day apart are as likely two sales (docs/sources.md)."""


COPY_ROUNDING_UNITS = 5
"""How many minor units of their currency (cents, grosze; yen for the yen) the totals of two
invoices of one number and currency in two sources, issued on one day or a day apart, may be
apart and still be said as one invoice copied: one tool rounds the tax of each line and the
other the tax of the invoice, which moves a total by up to half a minor unit a line, so five
cover an invoice of ten lines; a whole unit apart (1000.00 and 999.00) is another amount. The
same tolerance holds for a total and the other's net plus VAT (:data:`COPY_VAT_RATES`)."""

COPY_VAT_RATES: tuple[Decimal, ...] = tuple(Decimal(rate) for rate in (
    "5", "7", "8", "17", "18", "19", "20", "21", "22", "23", "24", "25", "25.5", "27"))
"""The VAT rates, in percent, by which one of two invoices of one number and currency in two
sources, issued on one day or a day apart, may be the other plus VAT and still be said as one
invoice copied (net of VAT in one tool, gross in the other: an old tool's export of its net
amounts beside the new tool's totals): the standard rates of the EU's member states and the
UK in 2025 (17 Luxembourg; 18 Malta; 19 Germany, Cyprus; 20 the UK, France, Austria,
Bulgaria; 21 Spain, the Netherlands, Belgium, Czechia, Latvia, Lithuania, Romania; 22 Italy,
Slovenia; 23 Poland, Ireland, Portugal, Slovakia; 24 Greece, Estonia; 25 Denmark, Croatia,
Sweden; 25.5 Finland; 27 Hungary) and the reduced rates of Poland (8, 5), Germany (7) and the
UK (5). Another difference (15%, 30%) is another amount."""


def _identifying_numbers(ledger: Ledger) -> dict[str, str]:
    """Invoice key -> its number as two tools may both write it (:func:`_number_keys`), for
    the open and paid invoices whose number is their source's only one so written: a number
    a source gives several of its invoices (``N/A``, ``-``, an export's placeholder) names
    none of them, so it says nothing of another source's invoice (docs/sources.md).

    "So written" is case and separators aside (``N/A``, ``n/a`` and ``NA`` are one
    placeholder), padding zeros kept: ``INV-1`` and ``INV-01`` of one source are two numbers,
    each naming its invoice. Each distinct number is read once."""
    read: dict[str, tuple[str, str]] = {}
    first: dict[tuple[str, str], str] = {}
    numbers: dict[str, str] = {}
    for invoice in ledger.invoices:
        given = invoice.number
        if not given or invoice.status not in ("open", "paid"):
            continue
        keys = read.get(given)
        if keys is None:
            keys = read[given] = _number_keys(given)
        written, number = keys
        if not number:
            continue
        used = (invoice.source, written)
        if used in first:  # given again: the first one's number names nothing either
            numbers.pop(first[used], None)
        else:
            first[used] = invoice.id
            numbers[invoice.id] = number
    return numbers


def _copies_written_otherwise(
    ledger: Ledger, numbers: Mapping[str, str], clients: _Clients
) -> list[SameInTwoSources]:
    """Invoices of one number (``numbers``: :func:`_identifying_numbers`) in two or more
    sources, issued on one day or a day apart (:data:`COPY_DAYS_APART`), that are one
    invoice, very likely, written otherwise by the tool that copied it (:func:`_copied`).
    Drafts and void ones count for nothing; one currency, total and day is
    :func:`_same_in_two_sources`' own."""
    shared = {number for number, count in Counter(numbers.values()).items() if count > 1}
    numbered: dict[str, list[Invoice]] = defaultdict(list)
    if shared:
        for invoice in ledger.invoices:
            number = numbers.get(invoice.id)
            if number in shared:
                numbered[number].append(invoice)
    found: list[SameInTwoSources] = []
    for invoices in numbered.values():
        if len(invoices) < 2:
            continue
        copies = [(a, b) for n, a in enumerate(invoices) for b in invoices[n + 1:]
                  if _copied(ledger, clients, a, b)]
        if not copies:
            continue
        # An invoice that would be the copy of two invoices of one other source (INV-0001
        # beside that source's INV-1 and INV-01, one client's two invoices) is the copy of
        # neither: which one would it be? Its pairs with that source say nothing.
        partners = Counter((x.id, y.source) for a, b in copies for x, y in ((a, b), (b, a)))
        copies = [(a, b) for a, b in copies
                  if partners[(a.id, b.source)] == 1 and partners[(b.id, a.source)] == 1]
        if not copies:
            continue
        for members in _joined(invoices, pairs=copies):
            if len(members) < 2:
                continue
            members.sort(key=lambda i: i.id)
            found.append(SameInTwoSources(
                "invoice", tuple(i.id for i in members), min(i.issue_date for i in members),
                members[0].currency, members[0].total,
                tuple(sorted({i.number for i in members if i.number})),
                tuple((i.issue_date, i.currency, i.total) for i in members)))
    return found


def _copied(ledger: Ledger, clients: _Clients, a: Invoice, b: Invoice) -> bool:
    """``a`` and ``b``, of one number, in two sources and issued a day apart at most, for one
    client (:class:`_Clients`), are one invoice written otherwise: in different currencies
    worth the same in the base currency (an integration that converts into the firm's
    currency); in one currency, the same total a day apart (a tool that dates in UTC beside
    one that dates in the firm's zone), totals a rounding apart, or one the other plus VAT.
    The same total on the same day is not written otherwise (:func:`_same_in_two_sources`
    says it). Of two clients, nothing is: two firms of a group numbering in parallel give
    each number twice, and a total a rounding, a VAT rate or a day from the other's is a
    coincidence of two sales."""
    if a.source == b.source or abs((a.issue_date - b.issue_date).days) > COPY_DAYS_APART:
        return False
    if a.currency == b.currency and a.total == b.total and a.issue_date == b.issue_date:
        return False
    if not clients.one(a.customer_id, b.customer_id):
        return False
    if a.currency != b.currency:
        return _converted_alike(ledger, a, b)
    return (a.total == b.total
            or abs(a.total - b.total) <= _rounding(a.currency)
            or _vat_between(a.currency, a.total, b.total) is not None)


class _Clients:
    """Whether the customers of two sources' invoices are one client, as the ledger and
    ``clientguard links suggest`` judge it: one client of the ledger (linked, or of one
    group), or, unlinked, names that normalise alike (:func:`~clientguard.names.normalise_name`)
    or tax ids that are one taxpayer's (:func:`~clientguard.tax_id.same_taxpayer`);
    never on names when the two tax ids are two taxpayers' (the rule of
    :func:`clientguard.links.suggest_links`, pair by pair; :meth:`proposed` is its whole
    rule, chains included, from :mod:`clientguard.taxpayers`, which both use). A customer the
    ledger holds no record of has neither. Each customer is read once."""

    __slots__ = ("_ledger", "_marks", "_proposed")

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger
        self._marks: dict[str, tuple[str, str, str | None]] = {}
        self._proposed: dict[str, str] | None = None

    def proposed(self, customer_id: str) -> str:
        """The client of the customer (a ledger key) once ``clientguard links suggest``'s
        pairs over all the ledger's customers were linked
        (:class:`~clientguard.taxpayers.OneClient`, the rule it proposes by): its smallest
        customer's key. Worked out once, on the first question."""
        if self._proposed is None:
            self._proposed = self._propose()
        return self._proposed.get(customer_id, customer_id)

    def _propose(self) -> dict[str, str]:
        ledger = self._ledger
        refs: dict[Ref, str] = {}
        people: list[tuple[Ref, str, str | None]] = []
        groups: dict[str, list[Ref]] = defaultdict(list)
        for key in ledger.customer_ids:
            customer = ledger.customer(key)
            source = customer.source if customer is not None else key.partition(
                KEY_SEPARATOR)[0]
            ref = (source, _unkey(source, key))
            refs[ref] = key
            groups[ledger.group_of(key)].append(ref)
            if customer is not None:
                people.append((ref, customer.name, customer.tax_id))
        chosen = OneClient(people, groups.values())
        return {key: refs[chosen.client(ref)] for ref, key in refs.items()}

    def one(self, a: str, b: str) -> bool:
        """True when customers ``a`` and ``b`` (ledger keys) are one client."""
        group_a, name_a, tax_a = self.mark(a)
        group_b, name_b, tax_b = self.mark(b)
        same = same_taxpayer(tax_a, tax_b)
        if group_a == group_b or same is True:
            return True
        # Alike names with two taxpayers' numbers: two companies (a group's subsidiaries).
        return bool(name_a) and name_a == name_b and same is None

    def mark(self, customer_id: str) -> tuple[str, str, str | None]:
        """The customer's client in the ledger, normalised name (empty: none) and comparable
        tax id (None: none)."""
        return self._marks.get(customer_id) or self._mark(customer_id)

    def _mark(self, customer_id: str) -> tuple[str, str, str | None]:
        customer = self._ledger.customer(customer_id)
        mark = self._marks[customer_id] = (
            self._ledger.group_of(customer_id),
            *((normalise_name(customer.name), comparable_tax_id(customer.tax_id))
              if customer is not None else ("", None)))
        return mark


def _rounding(currency: str) -> Decimal:
    """:data:`COPY_ROUNDING_UNITS` minor units of ``currency``."""
    return Decimal(COPY_ROUNDING_UNITS).scaleb(-exponent(currency))


def _vat_between(currency: str, one: Decimal, other: Decimal) -> Decimal | None:
    """The rate of :data:`COPY_VAT_RATES` at which the smaller of two positive totals plus
    VAT is the larger, within :func:`_rounding` (the nearest, where several are: the lower
    rate on a tie); None for none."""
    net, gross = (one, other) if one <= other else (other, one)
    if net <= 0 or net == gross:
        return None
    rounding = _rounding(currency)
    # Outside the lowest and highest rate, within the rounding: no rate to try.
    if gross < net * _VAT_LOWEST - rounding or gross > net * _VAT_HIGHEST + rounding:
        return None
    best: tuple[Decimal, Decimal] | None = None
    for rate, factor in zip(COPY_VAT_RATES, _VAT_FACTORS, strict=True):
        off = abs(gross - net * factor)
        if off <= rounding and (best is None or off < best[0]):
            best = (off, rate)
    return None if best is None else best[1]


_VAT_FACTORS = tuple(1 + rate / 100 for rate in COPY_VAT_RATES)
"""``1 + rate`` of each of :data:`COPY_VAT_RATES`, in its order."""
_VAT_LOWEST, _VAT_HIGHEST = min(_VAT_FACTORS), max(_VAT_FACTORS)


def _totals_apart(amounts: set[tuple[str, Decimal]]) -> str:
    """How the totals of one invoice's copies differ, in words of the active language: in
    other currencies, a rounding apart, one the other plus VAT (:func:`_copied`)."""
    currencies = {currency for currency, _total in amounts}
    if len(currencies) > 1:
        return gettext("in other currencies worth the same")
    (currency,) = currencies
    totals = sorted(total for _code, total in amounts)
    if totals[-1] - totals[0] <= _rounding(currency):
        return gettext("totals a rounding apart")
    rate = _vat_between(currency, totals[0], totals[-1])
    if rate is not None and len(totals) == 2:
        return gettext(
            "one total the other's with {rate}% VAT (net in one tool, gross in the other)"
        ).format(rate=rate if i18n.language() == "en" else wording.number(rate, 2, trim=True))
    return gettext("totals a rounding or VAT apart")


def _converted_alike(ledger: Ledger, a: Invoice, b: Invoice) -> bool:
    """``a`` and ``b`` are worth the same in the base currency, within
    :data:`COPY_CONVERTED_TOLERANCE` of the larger."""
    values = sorted(abs(ledger.base_amount(i)) for i in (a, b))
    return values[1] - values[0] <= values[1] * COPY_CONVERTED_TOLERANCE


_RUNS = re.compile(r"\d+|[^\W\d_]+")
"""A number's runs of digits and of other letters (what is neither separates them)."""

_BETWEEN_DIGITS = "."
"""What a key keeps between two runs of digits (never in a run: runs are letters and digits)."""


def _number_keys(number: str) -> tuple[str, str]:
    """An invoice number as its source wrote it, and as two tools may both write it.

    As written (how :func:`_identifying_numbers` counts a source's uses of a number): its runs
    of letters and of digits, without case and separators (``N/A``, ``n/a`` and ``NA`` are one
    placeholder; ``INV-1`` and ``INV-01`` are two numbers).

    As two tools may both write it (the number that joins two sources' invoices): the same,
    without the zeros a run of digits is padded with (``INV-0001``, ``INV0001``, ``inv 0001``,
    ``INV/0001`` and ``INV-1`` are one number; ``FV/01/2026`` is ``FV 1/2026``: an integration
    that copies an invoice may drop or change the separators, and one tool pads its numbers
    where the other does not); empty for none. A zero inside a run is a digit: ``INV-10`` is
    not ``INV-1``. Two runs of digits stay two in both: ``FV 1/01/2026`` (1, 1, 2026) is not
    ``FV 11/2026`` (11, 2026), nor ``1/12/2025`` ``11/2/2025``."""
    written: list[str] = []
    unpadded: list[str] = []
    digits = False
    for run in _RUNS.findall(number.casefold()):
        was_digits, digits = digits, run[0].isdecimal()
        if not digits:
            written.append(run)
            unpadded.append(run)
            continue
        if was_digits:
            written.append(_BETWEEN_DIGITS)
            unpadded.append(_BETWEEN_DIGITS)
        written.append(run)
        # The ASCII zeros a run is padded with; all zeros is the number zero.
        unpadded.append(run.lstrip("0") or "0")
    return "".join(written), "".join(unpadded)


def _of_one_client(documents: list[Payment], clients: _Clients) -> list[list[Payment]]:
    """``documents`` (payments alike in day, currency and amount) in sets: two are in one set
    when their customers are one client as ``clientguard links suggest`` would make them
    (:meth:`_Clients.proposed`: linked, of one group, or the pairs it would propose, which
    never put two taxpayers in one client, even through a customer without a tax id), so
    that money two sources both hold is said before the customers are linked
    (docs/sources.md)."""
    return _joined(documents, lambda d: ("client", clients.proposed(d.customer_id)))


def _joined(
    invoices: list[_Copied], *keys: Callable[[_Copied], tuple[str, str]],
    pairs: Sequence[tuple[_Copied, _Copied]] = (),
) -> list[list[_Copied]]:
    """``invoices`` (or payments) in sets: two are in one set when any of ``keys`` gives both
    the same value, or they are one of ``pairs`` (directly or through others), each set in the order
    given."""
    parent = {i.id: i.id for i in invoices}

    def find(ident: str) -> str:
        while parent[ident] != ident:
            ident = parent[ident]
        return ident

    for key in keys:
        first: dict[tuple[str, str], str] = {}
        for invoice in invoices:
            a, b = find(first.setdefault(key(invoice), invoice.id)), find(invoice.id)
            parent[max(a, b)] = min(a, b)
    for one, other in pairs:
        a, b = find(one.id), find(other.id)
        parent[max(a, b)] = min(a, b)
    sets: dict[str, list[_Copied]] = defaultdict(list)
    for invoice in invoices:
        sets[find(invoice.id)].append(invoice)
    return list(sets.values())


def _first(pair: _Crossing) -> tuple[bool, date, str, int]:
    return pair[0]


def same_day_order(day: date, document_kind: str, document_id: str) -> tuple[date, bool, str]:
    """The order payments and credit notes count in against an invoice: by ``day``, then, on
    one day, payments before credit notes (cash received and credit given on one day count
    cash first), then by document id, so that the order never depends on how the source
    listed them. The one owner of the rule: the ledger's over-application check, its
    applications and the settlement replay all sort by it.
    """
    return day, document_kind != "payment", document_id


def counted_on(allocated: date | None, own: date) -> date:
    """The day the settlement replay counts an allocation on: its own date, else its
    document's (the payment's date, the credit note's issue date), never before the document
    itself (money cannot be applied before it was received; Xero dates some allocations on
    the invoice's date)."""
    return own if allocated is None or own > allocated else allocated


_Order = tuple[date, bool, str]
"""A place in the replay's order (:func:`same_day_order`)."""

_Step = tuple[_Order, date, Payment | CreditNote, tuple[int, ...] | None]
"""What the over-application check takes at once (:meth:`_Builder.apply`): its place in the
replay's order, a document's own date, the document, and the indexes of its allocations
counted on that day (``None``: all of them, the document's allocations all count on one day:
nearly every document)."""


def _counted_steps(documents: Iterable[Payment | CreditNote]) -> list[_Step]:
    """The documents' allocations in the replay's order: grouped by the day each counts on
    (:func:`counted_on`), ordered by that day, payments before credit notes on one day, then
    by document id (:func:`same_day_order`); a document's allocations of one day in its own
    order. Documents with no allocation apply nothing and are left out."""
    keyed: list[_Step] = []
    add = keyed.append
    for doc in documents:
        allocations = doc.allocations
        if not allocations:
            continue
        own = doc.date if isinstance(doc, Payment) else doc.issue_date
        kind, ident = doc.kind, doc.id
        first = counted_on(allocations[0].date, own)
        if len(allocations) == 1 or all(
            counted_on(allocation.date, own) == first for allocation in allocations
        ):
            add((same_day_order(first, kind, ident), own, doc, None))
            continue
        days: dict[date, list[int]] = defaultdict(list)
        for index, allocation in enumerate(allocations):
            days[counted_on(allocation.date, own)].append(index)
        for day, indices in days.items():
            add((same_day_order(day, kind, ident), own, doc, tuple(indices)))
    # (No two steps share a place: one document's steps are on different days.)
    keyed.sort(key=_first_of)
    return keyed


_Refusal = tuple[_Order, Payment | CreditNote, str, str]
"""A document the over-application check rejects: where in the replay's order, the document,
the reason and the field."""


def _first_of(pair: _Step | _Refusal) -> _Order:
    return pair[0]


def _made(held: Application | Payment | CreditNote) -> Application:
    """The application ``held`` is, or stands for (a document: see :data:`_HeldApplications`)."""
    return held if isinstance(held, Application) else _application_of(held)


def _application_order(application: Application) -> tuple[date, bool, str]:
    return same_day_order(application.date, application.document_kind, application.document_id)


def _resolve_groups(customers: Mapping[str, Customer]) -> dict[str, str]:
    """Customer id -> the group it counts in, following ``group_id`` chains to their top.

    A cycle (a names b, b names a) stops where it would repeat: every customer in it counts in
    the group of the smallest id on the cycle, so the result does not depend on input order.
    """
    resolved: dict[str, str] = {}
    for start, customer in customers.items():
        if not customer.group_id:
            continue
        seen = [start]
        group = customer.group_id
        while True:
            parent = customers.get(group)
            if parent is None or not parent.group_id or group in seen:
                break
            seen.append(group)
            group = parent.group_id
        if group in seen:
            group = min(seen[seen.index(group):])
        resolved[start] = group
    return resolved
