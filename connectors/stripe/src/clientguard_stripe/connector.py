"""The Stripe connector: customers, invoices and credit notes, incremental through events.

::

    import clientguard as cg

    conn = cg.connectors.load("stripe")(api_key="rk_live_...", timezone="Europe/Warsaw")
    ledger = cg.Ledger.from_connector(conn, base_currency="EUR", strict=False)

Reading:

* Lists (``/v1/customers``, ``/v1/invoices``, ``/v1/credit_notes``) are paged with
  ``limit`` and ``starting_after`` (the last id of a page) while ``has_more`` is true.
* **Incremental sync.** Stripe objects have no "updated" time, and a list cannot be filtered
  by change. So an incremental read is two reads: the objects *created* since the cursor
  (``created[gte]``), then the events feed (``/v1/events?type=invoice.*``, the same for the
  other streams) since the cursor, whose objects are snapshots taken at each change: the
  newest snapshot of each object not already read is used (a customer is read again by id:
  its snapshot lacks the expanded tax ids). Stripe keeps events for 30 days;
  a cursor older than that (minus a day of margin) means the events no longer cover the
  gap, and the stream is read in full again.
* The cursor of a stream is the moment its read started, never later than the start of the
  sync: everything created or changed before then has been read.
* **Money taken back.** A read of ``invoices`` that meets an invoice paid through a payment
  intent or charge also reads the disputes and refunds (``/v1/disputes``, ``/v1/refunds``:
  whole in a full read; in an incremental one, only those of the payments whose reversals
  may predate the cursor, :data:`MAX_PAYMENT_LOOKUPS`) and, incrementally, the events
  ``charge.dispute.*``, ``charge.refunded``,
  ``charge.refund.updated`` and ``refund.*`` (:data:`REVERSAL_EVENTS`), and the credit
  notes' ``credit_note.*`` (:data:`CREDIT_NOTE_EVENTS`: a credit note that came to name a
  refund, lowered what its invoice asks for, or was voided), by their exact names in one
  paged ``types[]`` read (:data:`REVERSAL_READ`); each invoice whose
  payment was disputed or refunded is read again and handed them, a refund with what of it
  the invoice's credit notes name (``/v1/credit_notes?invoice=``)
  (:mod:`clientguard_stripe.reversals`). An invoice an event names that something was paid
  on is read again with its payments (events carry no expansions), so that its instalments
  and reversals are what a full read finds. A key that may not read a list gets a note.
* **Stripe Connect.** ``stripe_account`` (``acct_...``) reads a connected account with the
  platform's key: sent as ``Stripe-Account`` on every request, a tenant id never shown, and a
  part of :meth:`StripeConnector.identity`.
* ``Stripe-Version`` is pinned (option ``api_version``) so that the objects keep their shape.
  Events carry objects in the account's API version at the time of the event, which is why
  the mapping reads only long-stable fields.
* Rate limits: a 429 is retried with exponential backoff and jitter (Stripe sends no
  ``Retry-After``), unless Stripe says ``Stripe-Should-Retry: false``.
* **Days.** A date is the day of a Stripe timestamp in the ``timezone`` option's zone, else
  in the account's own time zone (``GET /v1/account``'s ``settings.dashboard.timezone``, the
  zone of the Dashboard and of the dates Stripe prints), read when a stream with dates
  (invoices, credit notes) starts; UTC, with a note, when the account names no IANA zone or
  the key may not read it (a restricted key: 403).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, ClassVar

import requests
from pydantic import Field, SecretStr, field_validator

from clientguard.connector import (
    ConnectorOptions,
    Mapped,
    RawPage,
    RawRecord,
    Stream,
    iana_zone,
    zone_option,
)
from clientguard.errors import ApiError, AuthError, ConfigError, ErrorContext
from clientguard.http import (
    BearerToken,
    HttpConnector,
    HttpOptions,
    HttpRequest,
    HttpStream,
    MissingRecords,
    NextTokenPaginator,
    decode_json,
    records_in,
)
from clientguard.records import Location
from clientguard_stripe.mapping import (
    SOURCE,
    approximate_payment_date,
    credit_note_from_stripe,
    customer_from_stripe,
    invoice_records,
)
from clientguard_stripe.retry import CursorDeleted, classify_stripe, scrub_keys
from clientguard_stripe.reversals import (
    CREDIT_NOTED_KEY,
    REFUND_COUNTED,
    REVERSALS_KEY,
    credit_noted_refunds,
    invoice_of_refund_credit_note,
    lookup_param,
    own_payment_lookups,
    payment_handles,
    payment_lookups,
    reversal_handles,
    reversal_lookup,
    reversals_by_invoice,
)

__all__ = [
    "CREDIT_NOTE_EVENTS",
    "DATED_STREAMS",
    "EVENTS_RETENTION",
    "EVENT_OBJECTS",
    "EVENT_TYPES",
    "MAX_CURSOR_RETREATS",
    "MAX_EVENT_TYPES",
    "MAX_PAGE_SIZE",
    "MAX_PAYMENT_LOOKUPS",
    "OBSERVED_KEY",
    "PREVIEW_EVENTS",
    "REVERSAL_EVENTS",
    "REVERSAL_LISTS",
    "REVERSAL_READ",
    "StripeConnector",
    "StripeOptions",
]

MAX_PAGE_SIZE = 100
"""Stripe's largest ``limit``."""

MAX_CURSOR_RETREATS = 10
"""How many earlier ids of a page are tried, one by one, when the object a page was asked
for after (``starting_after``) was deleted meanwhile; then the read stops and says to run
the sync again. Ten objects deleted at the end of one page while it was read is already
far more than a busy account sees (docs/connectors/stripe.md)."""

EVENTS_RETENTION = timedelta(days=30)
"""How long Stripe keeps events (docs.stripe.com/api/events)."""

#: Key under which the connector stamps each raw object with the moment its read started;
#: not a Stripe field. It is the object's change time for the cursor.
OBSERVED_KEY = "clientguard:observed_at"

#: The events that change each stream's objects.
EVENT_TYPES: Mapping[str, str] = {
    "customers": "customer.*",
    "invoices": "invoice.*",
    "credit_notes": "credit_note.*",
}

#: The object each stream's events must carry. The wildcard types match more: ``customer.*``
#: also names a customer's subscriptions, tax ids, cards and discounts
#: (``customer.subscription.updated`` carries a subscription, ``sub_...``), which are no
#: customer; those events are left out (docs/connectors/stripe.md, "Paging and incremental
#: sync").
EVENT_OBJECTS: Mapping[str, str] = {
    "customers": "customer",
    "invoices": "invoice",
    "credit_notes": "credit_note",
}

#: Events whose object is a preview, not a document: ``invoice.upcoming`` carries the next
#: invoice of a subscription before it exists, without an id.
PREVIEW_EVENTS = frozenset({"invoice.upcoming"})

MAX_EVENT_TYPES = 20
"""How many exact event types one ``GET /v1/events`` may name in ``types[]`` ("An array of
up to 20 strings containing specific event names", docs.stripe.com/api/events/list). Only
``type`` takes a wildcard (``invoice.*``), and only one of ``type`` and ``types`` may be
sent."""

#: The events that take money back from an invoice's payments, or give it back, each by
#: its exact name (``types[]`` takes no wildcard): a dispute created, updated, its funds
#: withdrawn or reinstated, closed (won or lost): every ``charge.dispute.*``; a charge
#: refunded; a refund created, changed or failed: every ``refund.*`` (a pending refund that
#: fails gives the money back to the firm: ``refund.updated``/``refund.failed`` from API
#: version 2024-10-28.acacia, ``charge.refund.updated`` before; never ``charge.refunded``:
#: Stripe's changelog, docs.stripe.com/changelog/acacia/2024-10-28/refund-webhook-update).
#: Read by an incremental sync of ``invoices``, with :data:`CREDIT_NOTE_EVENTS`, in one
#: events read (:data:`REVERSAL_READ`), so that an invoice paid before the cursor and
#: charged back or refunded since is read again.
REVERSAL_EVENTS = (
    "charge.dispute.closed", "charge.dispute.created", "charge.dispute.funds_reinstated",
    "charge.dispute.funds_withdrawn", "charge.dispute.updated",
    "charge.refunded", "charge.refund.updated",
    "refund.created", "refund.failed", "refund.updated",
)

#: The events of a credit note created, changed or voided (every ``credit_note.*``, by exact
#: name): read by an incremental sync of ``invoices`` too, so that an invoice a credit note
#: changed since the cursor is read as it is now: its refunds, which a credit note came to
#: name or no longer names (voided), and what it still asks for, which a pre-payment credit
#: note lowers and its void raises again (docs/connectors/stripe.md, "A payment reversed",
#: "A credit note and its invoice").
CREDIT_NOTE_EVENTS = ("credit_note.created", "credit_note.updated", "credit_note.voided")

#: What an incremental read of ``invoices`` asks the events feed for after its own
#: ``invoice.*`` events, in one paged ``types[]`` read since the same cursor (six reads,
#: one per type or wildcard, before): at most :data:`MAX_EVENT_TYPES`.
REVERSAL_READ = (*REVERSAL_EVENTS, *CREDIT_NOTE_EVENTS)

#: The lists of money taken back from payments (docs/connectors/stripe.md, "A payment
#: reversed"): read whole by a full read of ``invoices`` that met an invoice paid through a
#: payment intent or charge; an incremental one lists only the payments it must look up
#: (:data:`MAX_PAYMENT_LOOKUPS`).
REVERSAL_LISTS = ("v1/disputes", "v1/refunds")

MAX_PAYMENT_LOOKUPS = 10
"""How many payments an incremental read of ``invoices`` looks up one by one in each of
:data:`REVERSAL_LISTS` (``?payment_intent=``, ``?charge=``: one call each) once the list's
first page shows it is longer than a page; with more, it reads the rest of the list, as
every read did before. A lookup costs a call, the rest of a list a call per 100 objects: so
a list of two pages costs at most 9 calls more than read whole, and one of 20,000 refunds
at most 11 instead of 200 (docs/connectors/stripe.md, "Cost")."""

DATED_STREAMS = frozenset({"invoices", "credit_notes"})
"""The streams whose records carry days, counted in the account's time zone."""

#: The permission Stripe names in a 403 ("Having the 'rak_..._read' permission would allow
#: this request to continue"); the rest of its message names the account: never repeated.
_PERMISSION_NAMED = re.compile(r"'(rak_[a-z0-9_]{1,80})'")

#: A Stripe account id as the Stripe-Account header takes it.
_CONNECTED_ACCOUNT = re.compile(r"acct_[A-Za-z0-9]{1,250}")

#: The identity's part naming the connected account read; the key's own account (no
#: Stripe Connect) is :data:`_OWN_ACCOUNT`, so that a source switched between the two stops.
_CONNECTED_PART = "connected account"
_OWN_ACCOUNT = "none"

_NEAR_MIDNIGHT = (
    "a document issued, due or paid near midnight may count on the day before or after the "
    "one Stripe shows"
)

INVOICE_PAYMENTS_SINCE = "2025-03-31"
"""The first Stripe API version (2025-03-31.basil) whose invoices list their payments
(``payments``, expandable), with the day each was paid."""

_KEY_HELP = (
    "create a restricted key with read access to Customers, Invoices, Credit notes, "
    "Disputes, Refunds and Events (Stripe Dashboard > Developers > API keys > Create "
    "restricted key) and pass it as api_key"
)


@dataclass(frozen=True, kw_only=True)
class _EventsRead(HttpStream):
    """The events feed read for several exact event types at once: ``types[]``, one paged
    read instead of one per type (:data:`MAX_EVENT_TYPES`)."""

    types: tuple[str, ...] = ()
    """The exact event types asked for (no wildcard)."""


class StripeOptions(HttpOptions):
    """Options of the Stripe connector (keyword arguments)."""

    api_key: SecretStr
    """A secret (``sk_...``) or, better, restricted read-only key (``rk_...``)."""
    base_url: str = "https://api.stripe.com"
    """Where the API is; point it at a proxy or a local test server."""
    api_version: str | None = "2025-07-30.basil"
    """The ``Stripe-Version`` sent with every call; None uses the account's default."""
    timezone: str | None = None
    """The IANA time zone that turns Stripe's timestamps into dates (``Europe/Warsaw``).
    None: the account's own, as set in the Dashboard (``GET /v1/account``), read when a
    stream with dates is read, so that dates match the invoices Stripe prints; UTC, with a
    note, when the account names none or the key may not read it."""
    page_size: int = Field(default=MAX_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    """Objects per request (1..100)."""
    stripe_account: SecretStr | None = None
    """Stripe Connect: the connected account (``acct_...``) whose objects a platform reads
    with its own key, sent as ``Stripe-Account`` on every request. A tenant id: never shown.
    None: the key's own account."""

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return None if value is None else zone_option(value)


def _has_more_token(
    response: requests.Response, body: Any, records: Sequence[Mapping[str, Any]]
) -> str | None:
    """``starting_after`` for the next page: the last id, while ``has_more`` is true.

    An empty ``data`` list with ``has_more: true`` is :class:`~clientguard.http.MissingRecords`:
    Stripe says more follows, so the page's objects were lost on the way, and ending there
    would take the list for complete (a full read would prune what follows). So is a last
    object without an id while ``has_more`` is true: there is nothing to ask after."""
    if not isinstance(body, Mapping) or body.get("has_more") is not True:
        return None
    if not records:
        raise MissingRecords("an empty 'data' list, though Stripe says has_more: true")
    last = records[-1].get("id")
    if not last:
        # Nothing to ask after: ending here would take the list for complete.
        raise MissingRecords("the page's last object has no id to ask for the next page "
                             "after, though Stripe says has_more: true")
    return str(last)


class _CursorPaginator(NextTokenPaginator):
    """``starting_after`` paging that steps over a page's last object deleted before the
    next page is asked for.

    Stripe answers a page asked for after an object it no longer has with 400
    ``resource_missing`` (:class:`~clientguard_stripe.retry.CursorDeleted`); the page is
    then asked for after the id before it on the same page, then the one before, at most
    :data:`MAX_CURSOR_RETREATS` times. Nothing is skipped: the objects after an earlier id
    are the rest of the page (re-read, and dropped by the fetch's ``seen`` ids) and the
    next page. When the tries or the page's ids run out, the read stops with an
    :class:`ApiError` saying to run the sync again.
    """

    def __init__(self, size: int) -> None:
        super().__init__(param="starting_after", token=_has_more_token,
                         first_params={"limit": size})
        self._earlier: list[str] = []
        """The ids of the page before the one asked for, those not tried yet, in page
        order (the last id, the page's token, left out)."""
        self._retreats = 0
        """The earlier ids paged after since that page."""

    def _next(
        self, response: requests.Response, body: Any, records: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any] | None:
        following = super()._next(response, body, records)
        ids = [str(r["id"]) for r in records if isinstance(r.get("id"), str) and r["id"]]
        self._earlier, self._retreats = ids[:-1], 0
        return following

    def recover(self, error: ApiError) -> dict[str, Any] | None:
        if not isinstance(error, CursorDeleted):
            return None
        if self._earlier and self._retreats < MAX_CURSOR_RETREATS:
            self._retreats += 1
            return {**self.first_params, self.param: self._earlier.pop()}
        which = ("every object of the page before" if not self._earlier
                 else f"the last {self._retreats + 1} objects of the page before")
        raise ApiError(
            f"{which} the next page of the list were deleted while the list was read "
            f"(each was tried in turn as starting_after), so Stripe no longer knows where "
            "that page starts. The read stopped (nothing of the stream was pruned, and its "
            "cursor did not move): run the sync again",
            error.context,
        )


class StripeConnector(HttpConnector):
    """Stripe Billing: customers, invoices (with what settled them) and credit notes.

    Options: see :class:`StripeOptions`; ``clock`` ("now": the sync's upper bound and the
    events' retention) and ``progress`` as for every connector.
    """

    name: ClassVar[str] = SOURCE
    summary: ClassVar[str] = "Stripe: customers, invoices and credit notes"
    Options: ClassVar[type[ConnectorOptions]] = StripeOptions
    lookback: ClassVar[timedelta] = timedelta(minutes=5)
    streams: ClassVar[tuple[Stream, ...]] = (
        HttpStream(
            name="customers",
            kind="customer",
            path="v1/customers",
            records_key="data",
            id_field="id",
            cursor_field=OBSERVED_KEY,
            duplicates="latest",
            params={"expand[]": "data.tax_ids"},
            description="Customers with their first tax id.",
        ),
        HttpStream(
            name="invoices",
            kind="invoice",
            path="v1/invoices",
            records_key="data",
            id_field="id",
            cursor_field=OBSERVED_KEY,
            duplicates="latest",
            description="Invoices, with the customer balance and the payment that settled "
            "them as payments, less what a dispute took back; refunds without a credit note "
            "as credit notes.",
        ),
        HttpStream(
            name="credit_notes",
            kind="credit_note",
            path="v1/credit_notes",
            records_key="data",
            id_field="id",
            cursor_field=OBSERVED_KEY,
            duplicates="latest",
            description="Credit notes; the pre-payment part is applied to its invoice.",
        ),
    )

    options: StripeOptions

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        opts = self.options
        key = opts.api_key.get_secret_value()  # stripped by the options model
        if not key.startswith(("sk_", "rk_")):
            raise ConfigError(
                "connector 'stripe': api_key is not a secret (sk_) or restricted (rk_) key; "
                f"{_KEY_HELP}"
            )
        connected = (opts.stripe_account.get_secret_value()
                     if opts.stripe_account is not None else None)
        if connected is not None and not _CONNECTED_ACCOUNT.fullmatch(connected):
            # The value is a tenant id, right or wrong: never repeated.
            raise ConfigError(
                "connector 'stripe': stripe_account is not a Stripe account id: it must be "
                "acct_ followed by letters and digits (at most 255 characters), as the "
                "Dashboard shows it under Connect > Accounts; leave it out to read the key's "
                "own account"
            )
        self.stripe_account = connected
        """The connected account read (Stripe Connect), or None: the key's own."""
        self.zone: tzinfo | None = iana_zone(opts.timezone)
        """The ``timezone`` option's zone; None: the account's, read by each dated stream."""
        self._account_answer: requests.Response | AuthError | None = None
        """What ``GET /v1/account`` answered :meth:`identity`, for the first dated stream."""
        self.days_zone: tzinfo = self.zone or UTC
        """The zone the stream being read counts days in (set by :meth:`fetch` before any
        of its objects is mapped)."""
        # What an invoice is read with to date what was paid on it: its invoice payments
        # (2025-03-31.basil and later), else its charge (older versions); nothing when the
        # version is the account's default, whose fields are unknown here.
        version = (opts.api_version or "")[:10]
        self.expand: str | None = (
            None if not version else "payments" if version >= INVOICE_PAYMENTS_SINCE
            else "charge"
        )
        headers = {"Accept": "application/json"}
        if opts.api_version:
            headers["Stripe-Version"] = opts.api_version
        if connected is not None:
            headers["Stripe-Account"] = connected
        self.client = self.api_client(
            opts.base_url,
            # A refused key's error names the key and how to make one (_KEY_HELP), not
            # OAuth's refresh options, which Stripe has none of.
            auth=BearerToken(key, when_refused=None),
            headers=headers,
            secrets=() if connected is None else (connected,),
            classifier=classify_stripe,
            backoff_cap=30.0,
        )

    # ----------------------------------------------------------------- requests

    def build_request(
        self, stream: HttpStream, *, since: datetime | None, page: Mapping[str, Any]
    ) -> HttpRequest:
        params: dict[str, Any] = {**stream.params, **page}
        if stream.path == "v1/invoices" and self.expand:
            # The day what was paid on an open invoice came (see the mapping).
            params["expand[]"] = f"data.{self.expand}"
        if isinstance(stream, _EventsRead) and stream.types:
            params["types[]"] = list(stream.types)  # sent as types[]=a&types[]=b
        if since is not None:
            params["created[gte]"] = int(since.timestamp())
        return HttpRequest("GET", stream.path, params)

    def _paged(self, stream: HttpStream) -> HttpStream:
        size = self.options.page_size
        return replace(stream, paginator=lambda: _CursorPaginator(size))

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        if not isinstance(stream, HttpStream):
            raise ConfigError(f"stream {stream.name!r} is not an HttpStream")
        started = self.clock().astimezone(UTC)
        if since is not None and since < started - EVENTS_RETENTION + timedelta(days=1):
            # The events no longer cover the gap: read everything again.
            since = None
        observed = started.isoformat()
        seen: set[str] = set()
        try:
            zone_notes: tuple[str, ...] = ()
            if stream.name in DATED_STREAMS:
                self.days_zone, zone_note = self._days_zone(stream.name)
                zone_notes = () if zone_note is None else (zone_note,)
            # The payment intents and charges of the invoices read, to find the invoices
            # whose money went back (a dispute, a refund): payment handle -> invoice id.
            invoice_of: dict[str, str] = {}
            # An incremental read: the payments whose disputes and refunds the reversal
            # events may not name, to look up (payment intent, else charge, ids).
            lookups: set[str] | None = None if since is None else set()
            # The invoices this fetch read as they are now (listed, or read by id), not from
            # an event's snapshot, which may predate a later change of them; those read by
            # id (few: one call each) kept, to be handed their reversals without another.
            current: set[str] = set()
            fetched: dict[str, RawRecord] = {}
            reversals = stream.name == "invoices"
            for page in super().fetch(self._paged(stream), since=since):
                # With events (or reversals) to read after it, the listing's last page is
                # not the stream's.
                last = page.last if since is None and not reversals else False
                page = self._noted(stream, self._stamped(page.records, observed, seen, last))
                current.update(_ids(page))
                _handles(page, invoice_of, lookups, since)
                yield replace(page, notes=(*zone_notes, *page.notes))
                zone_notes = ()  # said once, on the first page
            if since is None:
                if reversals:
                    yield from self._reversed(stream, None, observed, invoice_of, None,
                                              current, {})
                return
            events = HttpStream(
                name=stream.name,
                kind=stream.kind,
                path="v1/events",
                records_key="data",
                params={"type": EVENT_TYPES[stream.name]},
            )
            for page in super().fetch(self._paged(events), since=since):
                snapshots = []
                for record in page.records:
                    snapshot = _snapshot(record.data, EVENT_OBJECTS[stream.name])
                    if snapshot is None:
                        continue
                    ident = str(snapshot.get("id") or "")
                    refetch = stream.name == "customers" and not snapshot.get("deleted")
                    if refetch and ident and ident not in seen:
                        # An event's customer lacks the expanded tax ids: read it again.
                        yield self._stamped([self._customer(stream, ident)], observed, seen, False)
                        continue
                    if (stream.name == "invoices" and ident and ident not in seen
                            and self._needs_payments(snapshot)):
                        # An event's invoice lacks its payments (events carry no
                        # expansions): read it again, for its parts' days and for the
                        # payments its disputes and refunds are matched by.
                        fetched[ident] = self._invoice(stream, ident)
                        read = self._noted(stream, self._stamped(
                            [fetched[ident]], observed, seen, False))
                        current.update(_ids(read))
                        _handles(read, invoice_of, lookups, since)
                        yield read
                        continue
                    snapshots.append(RawRecord(snapshot, record.location))
                page = self._noted(stream, self._stamped(
                    snapshots, observed, seen, page.last and not reversals))
                _handles(page, invoice_of, lookups, since)
                yield page
            if reversals:
                yield from self._reversed(stream, since, observed, invoice_of, lookups,
                                          current, fetched)
        except AuthError as exc:
            said = scrub_keys(str(exc).removesuffix(f" ({exc.context.describe()})"))
            raise AuthError(
                f"{said}. Stripe refused the API key: {_KEY_HELP}", exc.context
            ) from None

    def _reversed(
        self, stream: HttpStream, since: datetime | None, observed: str,
        invoice_of: dict[str, str], lookups: set[str] | None, current: Set[str],
        fetched: Mapping[str, RawRecord],
    ) -> Iterator[RawPage]:
        """The invoices whose payments were disputed or refunded, read again and handed
        their disputes and refunds (:data:`~clientguard_stripe.reversals.REVERSALS_KEY`),
        on the stream's last page; the notes of a list the key may not read.

        ``invoice_of`` holds the payments of the invoices read by this fetch, ``current``
        the invoices it read as they are now, ``fetched`` those of them it read by id
        (reused, not read again). A full read (``lookups`` None) reads the
        disputes and refunds lists whole. An incremental one also reads the reversal and
        credit note events since the cursor (:data:`REVERSAL_READ`: one paged read), and
        finds the invoice of each reversal (the charge's ``invoice`` on older API versions,
        else the invoice payment of its payment intent); it lists the disputes and refunds
        of ``lookups`` only, the payments whose reversals the events may not name
        (:meth:`_reversals_listed`), and of each payment an event named. An invoice with a
        refund also has its credit notes read, to say which refunds they made (matched by
        refund id). Nothing is asked of the lists when neither names a payment (an account
        whose invoices are paid outside Stripe, or an incremental sync where nothing was
        paid). An invoice a credit note changed since the cursor is read and stored as it
        is now, handed its refunds again (:meth:`_credit_noted_since`).
        """
        named: set[str] = set()
        # Invoices read already by this method (their payments found, to match their
        # refunds), to be handed their reversals without a second call.
        read: dict[str, RawRecord] = {}
        if since is not None and lookups is not None:
            changed: set[str] = set()  # the invoices credit notes changed since the cursor
            events = _EventsRead(name=stream.name, kind=stream.kind, path="v1/events",
                                 records_key="data", types=REVERSAL_READ)
            for page in super().fetch(self._paged(events), since=since):
                for record in page.records:
                    if record.data.get("type") in CREDIT_NOTE_EVENTS:
                        invoice = _invoice_a_credit_note_changed(record.data)
                        if invoice is not None:
                            changed.add(invoice)
                        continue
                    invoice = self._invoice_reversed(record.data, invoice_of, stream)
                    if invoice is None:
                        continue
                    named.add(invoice)
                    key = reversal_lookup(_event_object(record.data))
                    if key is not None:
                        lookups.add(key)
            read = self._credit_noted_since(stream, changed - current, invoice_of)
            for raw in read.values():
                lookups.update(payment_lookups(raw.data))
            # An invoice a reversal event named is read now, and the payments of it the
            # event did not name looked up too: another part of it may have been charged
            # back before the cursor, and the invoice is handed all its reversals again.
            # (Before the lists are asked: one decision, for every payment to look up,
            # between looking each up and reading the rest of a list.)
            for ident in sorted(named - read.keys()):
                read[ident] = fetched.get(ident) or self._invoice(stream, ident)
                for handle in payment_handles(read[ident].data):
                    invoice_of.setdefault(handle, ident)
                lookups.update(payment_lookups(read[ident].data))
        notes: list[str] = []
        found: dict[str, Mapping[str, Any]] = {}
        if invoice_of:
            self._reversals_listed(stream, invoice_of, lookups, found, notes)
        by_invoice = reversals_by_invoice(found.values(), invoice_of)
        records = []
        # Sorted: the order the invoices are read again in is the same on every run. An
        # invoice read by this method is stored as read, with whatever reversals it has
        # (its payments were looked up with the rest).
        for ident in sorted(by_invoice.keys() | named | read.keys()):
            reversed_ = by_invoice.get(ident, [])
            if any(item.get("object") == "refund" and item.get("status") in REFUND_COUNTED
                   for item in reversed_):
                credited, note = self._credit_noted(stream, ident)
                if note is not None:
                    notes.append(note)
                else:
                    reversed_ = [_credit_noted_on(item, credited) for item in reversed_]
            raw = read.get(ident) or fetched.get(ident) or self._invoice(stream, ident)
            records.append(RawRecord(
                {**raw.data, REVERSALS_KEY: reversed_, OBSERVED_KEY: observed}, raw.location))
        page = self._noted(stream, RawPage(tuple(records), True))
        yield replace(page, notes=(*notes, *page.notes))

    def _reversals_listed(
        self, stream: HttpStream, invoice_of: Mapping[str, str],
        lookups: Set[str] | None, found: dict[str, Mapping[str, Any]],
        notes: list[str],
    ) -> None:
        """Adds to ``found`` (by id: each once) the disputes and refunds of
        :data:`REVERSAL_LISTS` on the payments of ``invoice_of``.

        ``lookups`` None (a full read): each list whole. Otherwise only the reversals of
        the payments in ``lookups`` are needed (the other payments read came since the
        cursor, and the reversal events named theirs): nothing is asked without any; else
        the list's first page (a short list is then read whole in one
        call, as before), and when the list goes on, each payment looked up by its
        payment intent or charge (``?payment_intent=``, ``?charge=``), or, for more than
        :data:`MAX_PAYMENT_LOOKUPS` payments, the rest of the list. A list the key may not
        read (403) adds a note."""
        if lookups is not None and not lookups:
            return
        for path in REVERSAL_LISTS:
            listing = HttpStream(name=stream.name, kind=stream.kind, path=path,
                                 records_key="data")
            try:
                pages = super().fetch(self._paged(listing), since=None)
                first = next(pages, None)
                if first is None:
                    continue
                if first.last and lookups is not None:
                    # The whole list on one page: kept whole (each reversal of it is
                    # matched to its invoice later); nothing more to ask of it.
                    _keep(first, found, None)
                    continue
                _keep(first, found, invoice_of)
                if lookups is None or len(lookups) > MAX_PAYMENT_LOOKUPS:
                    for page in pages:
                        _keep(page, found, invoice_of)
                    continue
                # A long list: the rest is not asked for; its payments are looked up.
                # Sorted: the same calls, in the same order, each run.
                for key in sorted(lookups or ()):
                    one = replace(listing, params={lookup_param(key): key})
                    for page in super().fetch(self._paged(one), since=None):
                        _keep(page, found, None)
            except AuthError as exc:
                if exc.status != 403:
                    raise
                named_permission = _PERMISSION_NAMED.search(str(exc))
                grant = (f"Stripe asks for the {named_permission.group(1)} permission"
                         if named_permission else "its answer names no permission")
                what = path.removeprefix("v1/")
                notes.append(
                    f"{stream.name}: {what} not read: the API key may not read them (Stripe "
                    f"answered 403: {grant}); an invoice whose payment was "
                    f"{'charged back' if what == 'disputes' else 'refunded'} reads as paid. "
                    f"Give the restricted key Read access to {what.capitalize()}"
                )

    def _credit_noted_since(
        self, stream: HttpStream, changed: Set[str], invoice_of: dict[str, str]
    ) -> dict[str, RawRecord]:
        """The invoices ``changed`` by a credit note created, changed or voided since the
        cursor (:func:`_invoice_a_credit_note_changed`; those this fetch read as they are
        now left out), read now, by id, and their payments added to ``invoice_of``. Each is
        then stored as it is now, whether or not Stripe sent an ``invoice.*`` event for the
        change: what it asks for (``amount_remaining``, lowered by a pre-payment credit note
        and raised again by its void) and, with a refund, its refunds again, as a full read
        would (a refund stored as ``<invoice>/refund/<re_id>`` leaves when a credit note
        names it, and comes back when that credit note is voided)."""
        read: dict[str, RawRecord] = {}
        for invoice in sorted(changed):  # sorted: the same calls, in the same order, each run
            raw = self._invoice(stream, invoice)
            read[invoice] = raw
            for handle in payment_handles(raw.data):
                invoice_of.setdefault(handle, invoice)
        return read

    def _credit_noted(
        self, stream: HttpStream, invoice: str
    ) -> tuple[dict[str, int | None], str | None]:
        """What the credit notes of ``invoice`` (``GET /v1/credit_notes?invoice=``) name as
        their refunds (:func:`~clientguard_stripe.reversals.credit_noted_refunds`); with a
        key that may not read credit notes (403), nothing and the note to give: the
        invoice's refunds are then counted as made without a credit note (its credit
        notes, unreadable too, are not in the store to count them twice)."""
        listing = HttpStream(name=stream.name, kind=stream.kind, path="v1/credit_notes",
                             records_key="data", params={"invoice": invoice})
        try:
            notes = [r.data for page in super().fetch(self._paged(listing), since=None)
                     for r in page.records]
        except AuthError as exc:
            if exc.status != 403:
                raise
            named_permission = _PERMISSION_NAMED.search(str(exc))
            grant = (f"Stripe asks for the {named_permission.group(1)} permission"
                     if named_permission else "its answer names no permission")
            return {}, (
                f"{stream.name}: credit notes not read: the API key may not read them "
                f"(Stripe answered 403: {grant}); a refund made with a credit note is "
                "counted as a refund without one. Give the restricted key Read access to "
                "Credit notes"
            )
        return credit_noted_refunds(notes), None

    def _invoice_reversed(
        self, event: Mapping[str, Any], invoice_of: dict[str, str], stream: HttpStream
    ) -> str | None:
        """The invoice whose payment a reversal event (a dispute's, a refunded charge's)
        names, added to ``invoice_of``; None for a charge outside Stripe Billing."""
        data = event.get("data")
        obj = data.get("object") if isinstance(data, Mapping) else None
        if not isinstance(obj, Mapping):
            return None
        handles = reversal_handles(obj)
        if obj.get("object") == "charge" and isinstance(obj.get("id"), str):
            handles.add(obj["id"])
        known = sorted({invoice_of[h] for h in handles if h in invoice_of})
        invoice: str | None = known[0] if known else None
        given = obj.get("invoice")  # a charge's invoice, before 2025-03-31.basil
        if invoice is None and isinstance(given, str) and given:
            invoice = given
        intent = obj.get("payment_intent")
        if invoice is None and isinstance(intent, str) and intent and self.expand == "payments":
            path = "v1/invoice_payments"
            response = self.client.get(path, params={
                "payment[type]": "payment_intent", "payment[payment_intent]": intent,
                "limit": 1}, stream=stream.name)
            body = decode_json(response, client=self.client, what=f"GET {path}",
                               stream=stream.name)
            try:
                # An empty list: the payment is on no invoice. No list at all is no answer:
                # read as "no invoice", the dispute or refund would be dropped unseen.
                listed = records_in(body, "data")
            except MissingRecords as exc:
                raise self.missing_records(
                    exc, stream=stream.name, response=response,
                    page=f"GET {path} (the invoice of a reversed payment)") from None
            first = listed[0] if listed else None
            named = first.get("invoice") if first is not None else None
            invoice = named if isinstance(named, str) and named else None
        if invoice is not None:
            for handle in handles:
                invoice_of.setdefault(handle, invoice)
        return invoice

    def _days_zone(self, stream: str) -> tuple[tzinfo, str | None]:
        """The zone ``stream`` counts days in, and the note to give when it is UTC for want
        of the account's: the option's, else the account's (``GET /v1/account``'s
        ``settings.dashboard.timezone``), else UTC.

        A 403 (a restricted key without the permission Stripe asks for) gives UTC and a
        note; any other failure fails the sync as every call does (a day counted in UTC
        by a passing failure would be stored as if it were right).
        """
        if self.zone is not None:
            return self.zone, None
        where = "the Stripe account's settings (GET /v1/account, settings.dashboard.timezone)"
        advice = ("Set the timezone option to the account's time zone (Dashboard > Settings > "
                  "Account information; e.g. timezone = \"America/New_York\")")
        # The answer identity() got for this sync, used once: later streams read it again.
        answer, self._account_answer = self._account_answer, None
        try:
            if isinstance(answer, AuthError):
                raise answer
            response = (answer if answer is not None
                        else self.client.get("v1/account", stream=stream))
        except AuthError as exc:
            if exc.status != 403:
                raise
            # Stripe's message names the account (a tenant id): only the permission is kept.
            named = _PERMISSION_NAMED.search(str(exc))
            grant = (f"Stripe asks for the {named.group(1)} permission" if named
                     else "its answer names no permission")
            return UTC, (
                f"{stream}: days counted in UTC: the API key may not read {where}: Stripe "
                f"answered 403 ({grant}); {_NEAR_MIDNIGHT}. {advice}"
            )
        body = decode_json(response, client=self.client, what="GET v1/account", stream=stream)
        settings = body.get("settings") if isinstance(body, Mapping) else None
        dashboard = settings.get("dashboard") if isinstance(settings, Mapping) else None
        given = dashboard.get("timezone") if isinstance(dashboard, Mapping) else None
        zone = iana_zone(given)
        if zone is not None:
            return zone, None
        said = ("name no time zone" if given is None or given == ""
                else f"name {str(given)[:60]!r}, which is not an IANA time zone")
        return UTC, (
            f"{stream}: days counted in UTC: {where} {said}; {_NEAR_MIDNIGHT}. {advice}"
        )

    def identity(self) -> dict[str, str]:
        """The account the key reads (``GET /v1/account``'s ``id``), its mode (``live`` or
        ``test``, from the key: ``sk_live_``, ``rk_test_``...) and the connected account
        read (the ``stripe_account`` option, or ``none``): a key switched from test to
        live, to another account or to another connected account is another identity
        (docs/connectors/stripe.md). A restricted key that may not read the account (403)
        gives the mode and the connected account."""
        parts: dict[str, str] = {}
        mode = re.match(r"[sr]k_(live|test)_", self.options.api_key.get_secret_value())
        if mode is not None:
            parts["mode"] = mode.group(1)
        # Known without a call: what the store needs when the key may not read the account.
        parts[_CONNECTED_PART] = self.stripe_account or _OWN_ACCOUNT
        try:
            response = self.client.get("v1/account", stream="account")
        except AuthError as exc:
            if exc.status != 403:
                said = scrub_keys(str(exc).removesuffix(f" ({exc.context.describe()})"))
                raise AuthError(
                    f"{said}. Stripe refused the API key: {_KEY_HELP}", exc.context
                ) from None
            self._account_answer = exc
            return parts
        self._account_answer = response
        body = decode_json(response, client=self.client, what="GET v1/account", stream="account")
        account = body.get("id") if isinstance(body, Mapping) else None
        if isinstance(account, str) and account:
            self.client.add_secret(account)
            parts["account"] = account
        return parts

    def _customer(self, stream: HttpStream, ident: str) -> RawRecord:
        """One customer as it is now, with its tax ids."""
        path = f"v1/customers/{ident}"
        response = self.client.get(path, params={"expand[]": "tax_ids"}, stream=stream.name)
        body = decode_json(response, client=self.client, what=f"GET {path}",
                           stream=stream.name)
        if not isinstance(body, Mapping):
            raise ApiError(f"{path}: not an object", ErrorContext(connector=self.name))
        tax_ids = body.get("tax_ids")
        if isinstance(tax_ids, list):  # expanded on a single object: a list, not a list object
            body = {**body, "tax_ids": {"data": tax_ids}}
        return RawRecord(body, Location(detail=f"GET {path}"))

    def _needs_payments(self, snapshot: Mapping[str, Any]) -> bool:
        """True for an event's invoice that a full read would map otherwise, because this
        API version could expand its payments (or charge) and the snapshot does not: a
        part-paid invoice (the day of what was paid), and, from 2025-03-31.basil, any
        invoice something was paid on: its invoice payments are its instalments and the
        only place that names the payment intents its disputes and refunds are on (the
        invoice itself no longer names its charge), so without them it would be stored
        paid in one payment, without its chargebacks and refunds."""
        if (self.expand is None or snapshot.get("deleted")
                or isinstance(snapshot.get(self.expand), Mapping)):
            return False
        paid = snapshot.get("amount_paid")
        return approximate_payment_date(snapshot) is not None or (
            self.expand == "payments" and type(paid) is int and paid > 0)

    def _invoice(self, stream: HttpStream, ident: str) -> RawRecord:
        """One invoice as it is now, with its payments (or charge)."""
        path = f"v1/invoices/{ident}"
        response = self.client.get(path, params={"expand[]": self.expand}, stream=stream.name)
        body = decode_json(response, client=self.client, what=f"GET {path}",
                           stream=stream.name)
        if not isinstance(body, Mapping):
            raise ApiError(f"{path}: not an object", ErrorContext(connector=self.name))
        return RawRecord(body, Location(detail=f"GET {path}"))

    @staticmethod
    def _noted(stream: Stream, page: RawPage) -> RawPage:
        """``page`` with a note naming the invoices whose part payment has an approximate
        date (see :func:`~clientguard_stripe.mapping.approximate_payment_date`)."""
        if stream.name != "invoices":
            return page
        notes = []
        for record in page.records:
            why = approximate_payment_date(record.data)
            if why is not None:
                notes.append(
                    f"invoice {record.data.get('id')}: what was paid on it (amount_paid "
                    f"{record.data.get('amount_paid')}, in minor units) has an approximate "
                    f"date, {why}"
                )
        return replace(page, notes=tuple(notes)) if notes else page

    @staticmethod
    def _stamped(
        records: Sequence[RawRecord], observed: str, seen: set[str], last: bool | None
    ) -> RawPage:
        """The page's objects not read yet in this fetch, each stamped with ``observed``.

        Lists come first and are current; events come newest first, so the first snapshot
        of an object is its latest state.
        """
        fresh = []
        for record in records:
            ident = str(record.data.get("id") or "")
            if ident:  # an object without an id is passed on, to be rejected by the mapping
                if ident in seen:
                    continue
                seen.add(ident)
            fresh.append(RawRecord({**record.data, OBSERVED_KEY: observed}, record.location))
        return RawPage(tuple(fresh), last)

    # ----------------------------------------------------------------- mapping

    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        if stream.name == "customers":
            return customer_from_stripe(raw)
        if stream.name == "invoices":
            return invoice_records(raw, self.days_zone)
        if stream.name == "credit_notes":
            return credit_note_from_stripe(raw, self.days_zone)
        raise ConfigError(f"unknown stream {stream.name!r}")

    def cursor_of(self, stream: Stream, raw: Mapping[str, Any]) -> datetime | None:
        value = raw.get(OBSERVED_KEY)
        if not isinstance(value, str):
            return None
        return datetime.fromisoformat(value).astimezone(UTC)


def _handles(
    page: RawPage, invoice_of: dict[str, str], lookups: set[str] | None,
    since: datetime | None,
) -> None:
    """Adds the payment intents and charges of the page's invoices to ``invoice_of``, and,
    in an incremental read, the payments whose disputes and refunds the reversal events
    since ``since`` may not name to ``lookups``: all of an invoice created before ``since``
    (its payments, and their reversals, may be older), and of one created since, those it
    did not make itself (:func:`~clientguard_stripe.reversals.own_payment_lookups`)."""
    for record in page.records:
        ident = record.data.get("id")
        if isinstance(ident, str) and ident:
            for handle in payment_handles(record.data):
                invoice_of[handle] = ident
            if lookups is None or since is None:
                continue
            keys = payment_lookups(record.data)
            created = record.data.get("created")
            if type(created) is int and created >= int(since.timestamp()):
                keys -= own_payment_lookups(record.data)
            lookups.update(keys)


def _ids(page: RawPage) -> set[str]:
    """The ids of the page's objects."""
    return {str(r.data["id"]) for r in page.records
            if isinstance(r.data.get("id"), str) and r.data["id"]}


def _invoice_a_credit_note_changed(event: Mapping[str, Any]) -> str | None:
    """The invoice a credit note event's credit note changed in a way the invoice's record
    reads: its refunds, when the credit note names a refund or is void
    (:func:`~clientguard_stripe.reversals.invoice_of_refund_credit_note`), and what it asks
    for, when the credit note has a pre-payment part (``pre_payment_amount`` above zero;
    ``type`` ``pre_payment`` on versions without the field): Stripe lowers the invoice's
    ``amount_remaining`` by it ("A credit note will first reduce the invoice's
    amount_remaining (and amount_due)", docs.stripe.com/api/credit_notes/create). None for a
    post-payment credit note that names no refund (credited to the customer's balance or
    outside Stripe): the invoice's record reads nothing it changes."""
    snapshot = _snapshot(event, EVENT_OBJECTS["credit_notes"])
    if snapshot is None:
        return None
    invoice = invoice_of_refund_credit_note(snapshot)
    if invoice is not None:
        return invoice
    given = snapshot.get("invoice")
    ident = given.get("id") if isinstance(given, Mapping) else given
    if not isinstance(ident, str) or not ident:
        return None
    pre = snapshot.get("pre_payment_amount")
    if (type(pre) is int and pre > 0) or (pre is None and snapshot.get("type") == "pre_payment"):
        return ident
    return None


def _keep(
    page: RawPage, found: dict[str, Mapping[str, Any]], invoice_of: Mapping[str, str] | None,
) -> None:
    """Adds the page's disputes or refunds to ``found``, by id; with ``invoice_of``, only
    those on its payments (an account's whole list of refunds is not kept in memory);
    without, all (a list on one page, or a payment's: few, and matched once the invoices
    the events named are read)."""
    for record in page.records:
        if invoice_of is None or reversal_handles(record.data) & invoice_of.keys():
            found[str(record.data.get("id") or f"#{len(found)}")] = record.data


def _event_object(event: Mapping[str, Any]) -> Mapping[str, Any]:
    """The object an event carries (empty when it carries none)."""
    data = event.get("data")
    obj = data.get("object") if isinstance(data, Mapping) else None
    return obj if isinstance(obj, Mapping) else {}


def _credit_noted_on(
    item: Mapping[str, Any], credited: Mapping[str, int | None]
) -> dict[str, Any]:
    """A refund handed to its invoice with what of it the invoice's credit notes name
    (:data:`~clientguard_stripe.reversals.CREDIT_NOTED_KEY`); a dispute as it is."""
    if item.get("object") != "refund":
        return dict(item)
    ident = item.get("id")
    return {**item, CREDIT_NOTED_KEY: credited.get(ident, 0) if isinstance(ident, str) else 0}


def _snapshot(event: Mapping[str, Any], kind: str) -> dict[str, Any] | None:
    """The object an event carries, marked deleted for a ``*.deleted`` event; None when it
    is not an object of ``kind`` (a subscription under ``customer.*``) or is a preview
    (``invoice.upcoming``): neither is a record of the stream."""
    data = event.get("data")
    snapshot = data.get("object") if isinstance(data, Mapping) else None
    if not isinstance(snapshot, Mapping) or event.get("type") in PREVIEW_EVENTS:
        return None
    # Every Stripe object names its kind in ``object``; one without it is passed on (to be
    # mapped, or rejected naming what it lacks) rather than dropped unseen.
    if snapshot.get("object", kind) != kind:
        return None
    result = dict(snapshot)
    if str(event.get("type", "")).endswith(".deleted"):
        result["deleted"] = True
    return result
