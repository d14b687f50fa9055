"""The Fakturownia connector: clients, sales invoices, corrections and banking payments.

::

    import clientguard as cg

    conn = cg.connectors.load("fakturownia")(subdomain="acme", api_token="...")
    ledger = cg.Ledger.from_connector(conn, base_currency="PLN", strict=False)

Reading:

* ``GET /clients.json``, ``/invoices.json`` and ``/banking/payments.json`` are paged with
  ``page`` and ``per_page`` (at most 100) until a page comes back empty. A short page does
  not end the read: Fakturownia caps ``per_page`` without saying so.
* Invoices are read with ``period=all`` (the API's default period is not documented) and
  ``order=updated_at.desc``. An incremental sync stops paging at the first page holding a
  document changed before the cursor: every later page is older still.
* A page number is a position: each page after the first is checked at its boundary (the
  last document of the page before must still be in its place, asked for with
  ``per_page=1``), and a list that moved stops the read (:class:`PageBoundary`,
  :class:`~clientguard.http.SourceChanged`: run the sync again) rather than ending it without
  a document that a ``--prune`` sync would then remove.
* Corrections (``kinds[]`` ``correction`` and ``canceled``: a cancelled correction reads
  back with that kind, and leaves the store) are their own stream, ``credit_notes``, read after
  ``invoices`` and ``payments`` (each lowering correction is handed the refunds the payments
  made of its credit, :data:`~clientguard_fakturownia.mapping.REFUNDS_KEY`; after a whole
  read of the payments the corrections are listed whole too, so that a refund deleted or
  re-tied leaves the correction it was on; ``credit_notes`` read without ``payments`` before
  it reads the payments first, for the refunds; the invoices stream asks only for
  ``kinds[]`` of ``invoice_kinds``, and of ``canceled``: a cancelled invoice, which the
  mapping skips as deleted, so that an incremental sync drops it). A document left out on
  purpose, whatever the reason, is counted once a sync however many times the sync's reads
  give it (both lists give a cancelled document; one list gives a document twice where it
  moves while paged): :meth:`FakturowniaConnector.to_model`.
  Each correction that lowers or raises an invoice is handed the corrected invoice (its
  ``price_gross``, ``paid``, ``currency``, and a final invoice's advances:
  :data:`~clientguard_fakturownia.mapping.CORRECTED_INVOICE_KEY`), so that a lowering one
  takes from the invoice only what is still open on it, of the amount the invoice counts at;
  a correction of a cancelled invoice, lowering or raising, is left out, with a note naming
  both (and when the invoices read gave an invoice cancelled since the last sync, the
  corrections are listed whole, so that one stored before leaves). The sync keeps
  those fields of every invoice it reads; the corrected invoices it did not read (an
  incremental sync, where the invoice did not change) are read once, in batches of
  ``page_size`` (``GET /invoices.json?invoice_ids=1,2,3``, each invoice given checked to be
  one asked for), a lone one or one no batch gave with ``GET /invoices/{id}.json``; so are
  the advances of a corrected final invoice.
* A final invoice is handed its advance invoices (``invoice_ids``): in the invoices stream,
  and in each payment that pays it (the final invoice read by its id when the payment's copy
  names none). Those the read has not given are read once a read, a page's together, in the
  same batches (:meth:`FakturowniaConnector._read_invoices`).
* Clients and payments have no change filter: they are read in full on every sync. A
  payment a complete read no longer gives was deleted in Fakturownia, and the store removes
  it at once (:meth:`FakturowniaConnector.prunes_each_full_read`).
* The API token goes in the ``api_token`` query parameter, as Fakturownia documents it. It
  never appears in a log line, an error or a repr: the framework logs paths without query
  strings, scrubs the token from the API's messages, and while the connector is open
  redacts it from urllib3's DEBUG request lines (the ``secrets`` of
  :class:`~clientguard.http.ApiClient`). Close the connector (or use it as a context
  manager) to remove the log filter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import quote

import requests
from pydantic import Field, SecretStr, field_validator

from clientguard.connector import (
    ConnectorOptions,
    Mapped,
    RawPage,
    RawRecord,
    Skip,
    Stream,
)
from clientguard.errors import ApiError, AuthError, ConfigError, ConnectorError, ErrorContext
from clientguard.http import (
    HttpConnector,
    HttpOptions,
    HttpRequest,
    HttpStream,
    MaxWait,
    MissingRecords,
    Paginator,
    SourceChanged,
    decode_json,
)
from clientguard.model import Customer
from clientguard_fakturownia.mapping import (
    ADVANCE_FIELDS,
    ADVANCES_KEY,
    BUYER_ID_PREFIX,
    CANCELLED_KIND,
    CORRECTED_INVOICE_FIELDS,
    CORRECTED_INVOICE_KEY,
    CORRECTION_KINDS,
    DEFAULT_INVOICE_KINDS,
    REFUNDS_KEY,
    SOURCE,
    MappingRules,
    advances_named_by,
    cancelled_invoice_corrected,
    customer_from_client,
    invoice_corrected_by,
    invoice_lowered_by,
    is_cancelled,
    map_document,
    offers_paid_by,
    payment_from_banking,
    refunds_paid_by,
)
from clientguard_fakturownia.values import parse_timestamp, text_of

__all__ = [
    "MAX_PAGE_SIZE",
    "FakturowniaConnector",
    "FakturowniaOptions",
    "PageBoundary",
    "PageUntilEmpty",
    "SourceChanged",
]

MAX_PAGE_SIZE = 100
"""Fakturownia's largest ``per_page``."""

_SUBDOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")

_WHAT = {"customers": "clients", "invoices": "invoices", "credit_notes": "corrections",
         "payments": "banking payments"}
"""Each stream's list in the words of the messages."""

NO_BANKING_NOTE = (
    "payments: not read, the account has no banking module (GET /banking/payments.json "
    "answered 404); invoices settle on their paid dates (paid_date), and part payments are not "
    "known. Set payments = false to skip the call."
)
"""The note a sync carries when the account has no banking payments."""

NO_REFUNDS_NOTE = (
    "credit_notes: read without refunds, the account has no banking module (GET "
    "/banking/payments.json answered 404): a correction's credit paid back in cash stays the "
    "client's credit. Set payments = false to skip the call."
)
"""The note of a read of ``credit_notes`` that could not read the refunds."""

_CorrectedInvoice = tuple[Any, ...]
"""The values of :data:`~clientguard_fakturownia.mapping.CORRECTED_INVOICE_FIELDS` of one
invoice, in that order: all a correction's mapping reads of the invoice it corrects (a tuple,
not the raw invoice: a sync keeps one for every invoice it reads)."""

_CREDENTIALS_HELP = (
    "copy the API token from Fakturownia (Ustawienia > Ustawienia konta > Integracja > "
    "Kod autoryzacyjny API) and pass it as api_token, with the account's subdomain (the "
    "'acme' of acme.fakturownia.pl) as subdomain"
)


_BATCH_REFUSED = frozenset({400, 404, 422})
"""The answers to a batch of invoice ids (``invoice_ids``) taken as the filter refusing the
batch, not as the sync failing: each invoice is then read by its id."""

class FakturowniaOptions(HttpOptions):
    """Options of the Fakturownia connector (keyword arguments)."""

    subdomain: str
    """The account's subdomain: ``acme`` for https://acme.fakturownia.pl."""
    api_token: SecretStr
    """The API token (Ustawienia > Ustawienia konta > Integracja > Kod autoryzacyjny API)."""
    base_url: str | None = None
    """Where the API is; default ``https://<subdomain>.fakturownia.pl``. Point it at a proxy
    or a local test server."""
    invoice_kinds: tuple[str, ...] = DEFAULT_INVOICE_KINDS
    """The document kinds read as sales invoices (``vat``, ``bill``, ``advance``, ...)."""
    home_currency: str = "PLN"
    """The currency Fakturownia converts foreign invoices into; the conversion rate of an
    invoice becomes its fx_rate only when it converts into this currency."""
    default_terms_days: int | None = Field(default=None, ge=0, le=9999)
    """Days from issue to due date for documents with no payment term (``payment_to``
    empty), at most 9,999. None: such documents are rejected with the reason."""
    payments: bool = True
    """Read the banking payments (``/banking/payments.json``). An account without the
    banking module answers 404 there: the stream is then skipped with a note and invoices
    settle on their ``paid_date``. False skips the call."""
    page_size: int = Field(default=MAX_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    """Records per request (1..100)."""
    max_wait: MaxWait = 300.0
    """The longest wait for a rate limit inside one call; a longer one fails at once."""

    @field_validator("subdomain")
    @classmethod
    def _subdomain(cls, value: str) -> str:
        text = value.strip().lower()
        text = re.sub(r"^https?://", "", text).split("/")[0]
        text = text.removesuffix(".fakturownia.pl")
        if not _SUBDOMAIN.match(text):
            raise ValueError(
                "is not a Fakturownia subdomain; give the 'acme' of acme.fakturownia.pl"
            )
        return text

    @field_validator("home_currency")
    @classmethod
    def _home(cls, value: str) -> str:
        return value.strip().upper()


class PageUntilEmpty(Paginator):
    """``page=1, 2, ...`` until an empty page; with ``since``, also stop after the first
    page holding a record changed before it (the pages come newest change first)."""

    def __init__(self, *, size: int, since: datetime | None = None) -> None:
        super().__init__()
        self.size = size
        self.since = since
        self.page = 1

    def first(self) -> dict[str, Any]:
        return {"page": self.page, "per_page": self.size}

    def _next(
        self, response: requests.Response, body: Any, records: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any] | None:
        if not records:
            return None
        if self.since is not None:
            changes = [parse_timestamp(r.get("updated_at")) for r in records]
            if any(c is not None and c < self.since for c in changes):
                return None
        self.page += 1
        return self.first()


class PageBoundary:
    """What one read of a list paged by number has seen, to tell whether the list moved
    between two of its pages (pure: the connector asks the API what :meth:`place_to_check`
    names, and compares it with :attr:`last_read`).

    A page number is a position: a document deleted, added, or edited (``order=updated_at.desc``
    moves it to page 1) between two page requests shifts the pages after it, and a document
    nobody touched can cross onto a page already read, unseen; a full read (which a
    ``--prune`` sync replaces the stream with) would then drop it. Fakturownia gives no count
    to check by, so each page after the first is checked at its boundary: the last document
    the page before gave must still be at its place, ``(page - 1) * served``, or ``k`` places
    further when the page begins with ``k`` documents read already (documents changed or added
    since went to the top and pushed the list down). ``served`` is how many documents page 1
    held when a page 2 follows (Fakturownia may serve fewer than asked for).

    Changes pushing the list down are tolerated only in an incremental read: the documents
    changed during it changed after every change it read, so its cursor (the latest change
    read) stays before them and the next sync reads them. In a full read they are
    :class:`~clientguard.http.SourceChanged`: a document stored before and edited during the
    read would be missing from it.

    Why not the shared :class:`~clientguard.http.PageBoundaries` (GitHub's, Xero Projects',
    Clockify's): that rule holds for a list in an order no edit changes, where a page that
    begins with a record read already needs no check. Fakturownia documents no order but
    ``updated_at.desc``, which every edit changes: an edit moves a document to page 1, read
    already, so such a page means documents were edited during the read, and a full read
    must stop (one of them may be a stored document the read then lacks); a document read
    again after new ones on a page means the list was reordered, and stops any read. And
    Fakturownia may serve fewer documents than ``per_page`` without saying so, so a page's
    place is counted by what page 1 held (``served``). Nor :class:`~clientguard.http.
    PageOverlaps`: ``page`` is a page number, not an offset that may name any place.
    """

    def __init__(
        self, *, size: int, full: bool, what: str, context: ErrorContext | None = None
    ) -> None:
        self.size = size
        """``per_page`` asked for."""
        self.full = full
        """Whether the read is a full one (no ``since``)."""
        self.what = what
        """The list, in words (``invoices``), for the messages."""
        self.context = context
        self.number = 0
        """Pages seen so far."""
        self.served = size
        """Documents a page holds: ``size``, or what page 1 held when a page 2 follows."""
        self.previous = 0
        """How many documents the page before held."""
        self.seen: set[str] = set()
        self.last_read: str | None = None
        """The id of the last document of the last page that held one."""

    def place_to_check(self, ids: Sequence[str | None]) -> tuple[int, str] | None:
        """Take in the next page's document ids; the place (1-based, in the list's order)
        that must hold the last document of the page before now, with that document's id, or
        None when nothing needs checking (page 1, or
        an empty page after a short one: the list ended there when it was read). Raises
        :class:`~clientguard.http.SourceChanged` when the page itself shows a change that may
        have lost a document (see the class)."""
        self.number += 1
        number, previous = self.number, self.previous
        if number == 2 and ids:
            self.served = previous
        self.previous = len(ids)
        try:
            if number == 1 or self.last_read is None:
                return None
            if not ids and previous < (self.size if number == 2 else self.served):
                return None
            pushed = next((k for k, i in enumerate(ids) if i not in self.seen), len(ids))
            again = [i for i in ids[pushed:] if i in self.seen]
            if again:
                raise SourceChanged(
                    f"Fakturownia's {self.what} changed while they were read by page number: "
                    f"page {number} gives again document {again[0]}, read on an earlier page",
                    self.context,
                )
            if pushed and self.full:
                raise SourceChanged(
                    f"Fakturownia's {self.what} changed while they were read by page number: "
                    f"page {number} begins with document {ids[0]}, which page {number - 1} "
                    "gave: documents were edited or added since, and went to page 1, read "
                    "already",
                    self.context,
                )
            return (number - 1) * self.served + pushed, self.last_read
        finally:
            self.seen.update(i for i in ids if i is not None)
            if ids and ids[-1] is not None:
                self.last_read = ids[-1]

    def check(self, place: int, expected: str, found: str | None) -> None:
        """Raise :class:`~clientguard.http.SourceChanged` unless ``found``, the document at
        ``place`` once the page was read, is ``expected`` (:meth:`place_to_check`'s)."""
        if found != expected:
            raise SourceChanged(
                f"Fakturownia's {self.what} changed while they were read by page number: "
                f"after page {self.number} was read, place {place} no longer holds document "
                f"{expected}, the last one page {self.number - 1} gave",
                self.context,
            )


def _is_final(raw: Mapping[str, Any]) -> bool:
    return (text_of(raw.get("kind")) or "").lower() == "final"


def _advance_fields(raw: Mapping[str, Any]) -> dict[str, Any]:
    """What a final invoice's mapping reads of one advance invoice."""
    return {name: raw.get(name) for name in ADVANCE_FIELDS}


def _advance_gone(ident: str, stream: str) -> str:
    """The note for advance invoice ``ident``, which Fakturownia no longer has (404)."""
    return (
        f"{stream}: advance invoice {ident}, which a final invoice settles, could not be read "
        f"(GET /invoices/{ident}.json answered 404): nothing is taken off the final invoice "
        "for it"
    )


def _named(document: Mapping[str, Any]) -> str:
    """A document as a person finds it in Fakturownia: its number, with its id."""
    ident = text_of(document.get("id"))
    number = text_of(document.get("number"))
    return f"{number} (id {ident})" if number and number != ident else f"id {ident}"


def _corrects_cancelled(
    correction: Mapping[str, Any], invoice: Mapping[str, Any], stream: str, *, raises: bool
) -> str:
    """The note for a correction of a cancelled invoice, naming both; ``raises``: the
    correction raises the invoice's amount (else it lowers it)."""
    what = ("what it adds is not owed" if raises
            else "its credit is neither applied nor the client's")
    return (
        f"{stream}: correction {_named(correction)} corrects invoice {_named(invoice)}, which "
        f"was cancelled (anulowana): the correction is left out as the invoice is, and {what}. "
        "An invoice the client received cannot be cancelled, only corrected: if it was sent, "
        "check both documents in Fakturownia"
    )


def _gone_among(named: Sequence[str], gone: list[str], stream: str) -> list[str]:
    """The notes for the advances of ``named`` still in ``gone`` (read as gone and not said
    yet), each then taken out of ``gone``: a gone advance is said where it is first named, as
    when each final invoice's advances were read in turn."""
    said = [ident for ident in named if ident in gone]
    for ident in said:
        gone.remove(ident)
    return [_advance_gone(ident, stream) for ident in said]


class FakturowniaConnector(HttpConnector):
    """Fakturownia (InvoiceOcean): clients, sales invoices, corrections, banking payments.

    Options: see :class:`FakturowniaOptions`; ``clock`` and ``progress`` as for every
    connector.
    """

    name: ClassVar[str] = SOURCE
    summary: ClassVar[str] = "Fakturownia: clients, sales invoices, corrections and payments"
    Options: ClassVar[type[ConnectorOptions]] = FakturowniaOptions
    lookback: ClassVar[timedelta] = timedelta(minutes=5)
    streams: ClassVar[tuple[Stream, ...]] = (
        HttpStream(
            name="customers",
            kind="customer",
            path="clients.json",
            id_field="id",
            duplicates="latest",
            description="Client cards; tax_no (NIP) becomes the customer's tax_id.",
        ),
        HttpStream(
            name="invoices",
            kind="invoice",
            path="invoices.json",
            id_field="id",
            cursor_field="updated_at",
            duplicates="latest",
            params={"period": "all", "order": "updated_at.desc"},
            description="Sales invoices of the configured kinds; proformas, receipts and "
            "cost documents are not read.",
        ),
        HttpStream(
            name="payments",
            kind="payment",
            path="banking/payments.json",
            id_field="id",
            duplicates="latest",
            params={"include": "invoices"},
            description="Banking payments with the invoices they pay; a refund of a "
            "correction's credit is that correction's (read before the corrections).",
        ),
        HttpStream(
            name="credit_notes",
            kind="credit_note",
            path="invoices.json",
            id_field="id",
            cursor_field="updated_at",
            duplicates="latest",
            params={"period": "all", "order": "updated_at.desc"},
            description="Corrections (faktury korygujące): lowering ones are credit notes "
            "against the corrected invoice; cancelled ones (and corrections of a cancelled "
            "invoice) leave.",
        ),
    )

    options: FakturowniaOptions

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        opts = self.options
        self.rules = MappingRules(
            invoice_kinds=tuple(k.strip().lower() for k in opts.invoice_kinds),
            home_currency=opts.home_currency,
            default_terms_days=opts.default_terms_days,
        )
        token = opts.api_token.get_secret_value()  # stripped by the options model
        if not token:
            raise ConfigError(f"connector 'fakturownia': api_token is empty; {_CREDENTIALS_HELP}")
        self._token = token
        self.client = self.api_client(
            opts.base_url or f"https://{opts.subdomain}.fakturownia.pl",
            headers={"Accept": "application/json"},
            # The token travels in the query string: the client keeps it out of urllib3's
            # request lines while it is open.
            secrets=(self._token,),
        )
        self.start_sync()

    def start_sync(self) -> None:
        """Forget what an earlier sync of this connector kept: what the reads of one sync
        hand each other (the invoices a correction needs, the refunds, what was counted),
        all of it a sync's own. Called as the connector is made and as each sync starts
        (:meth:`~clientguard.connector.Connector.start_sync`), so that a connector used for
        several syncs (a script's, partial syncs of a stream or two) counts and hands over as
        a fresh one does: a sync of ``credit_notes`` alone after one of ``invoices`` alone
        counts a cancelled invoice it leaves out."""
        self._invoices_read: dict[str, _CorrectedInvoice] = {}
        """By id, what the corrections read later in the sync need of each invoice the
        ``invoices`` stream gave (and of each corrected invoice read by its id). The one
        state a sync keeps across streams: emptied when ``invoices`` is read again and when
        ``credit_notes`` ends, so that one sync never hands another's amounts over."""
        self._buyer_tax_ids: dict[str, str] = {}
        """By customer id (``nip:136695976``), the tax id with its VAT prefix
        (``DE136695976``) a document of this sync gave a buyer without a client card (its
        ``buyer_country``): a document of the same buyer typed without the country keeps it
        (:meth:`_steady_buyer`), so that the customer's tax id is not the document read
        last's."""
        self._advances_read: dict[str, Mapping[str, Any] | None] = {}
        """By id, the :data:`~clientguard_fakturownia.mapping.ADVANCE_FIELDS` of each advance
        invoice this read of ``invoices`` gave or read by its id for a final invoice (None:
        Fakturownia no longer has it). Emptied when ``invoices`` is read again."""
        self._finals_read: dict[str, tuple[str, ...]] = {}
        """By id, the advance invoices each final invoice a payment is tied to names (read
        by its id when the payment does not say): emptied when ``payments`` ends."""
        self._refunds: dict[str, list[dict[str, Any]]] | None = None
        """By correction id, the parts of the refund payments of this sync's whole read of
        ``payments`` (:func:`~clientguard_fakturownia.mapping.refunds_paid_by`), which the
        ``credit_notes`` read after it hands to each correction; None until that read ends,
        and once the corrections have been read."""
        self._batches_heeded = True
        """Whether ``GET /invoices.json`` heeded ``invoice_ids`` in this read of a stream's
        invoices by id (:meth:`_read_invoices`: advances, final invoices a payment pays,
        corrected invoices): False once a batch gave a document not asked for or was refused,
        and the rest of the read reads them one by one. Set again when a read of
        ``invoices``, ``payments`` or ``credit_notes`` ends."""
        self._no_banking = False
        """Whether this sync's read of ``payments`` found no banking module (404): the
        ``credit_notes`` read after it does not ask again."""
        self._cancelled_since = False
        """Whether this sync's read of ``invoices`` gave a document cancelled since the
        last sync (or, read whole, any: :meth:`_note_cancellations`): the ``credit_notes``
        read after it lists the corrections whole, so that one stored earlier and corrected
        by that invoice, unchanged itself, is mapped again and leaves (:meth:`fetch`). False
        again when ``invoices`` is read again and when ``credit_notes`` ends."""
        self._payments_whole = False
        """Whether the last read of ``payments`` gave the whole list (every page, to the
        empty one): not when it is turned off, when the account has no banking module, or
        while a read is under way (:meth:`prunes_each_full_read`)."""
        self._skips_counted: set[tuple[str, str]] = set()
        """The documents (by list and id: ``("documents", "11")``, ``("payments", "5")``)
        this sync left out and counted as skipped (:meth:`to_model`): a read gives one again
        where its list moved down while it was paged, and both ``invoices`` and
        ``credit_notes`` give a cancelled document; counted again, one document read "2 x" in
        the sync's summary."""

    # ----------------------------------------------------------------- requests

    def identity(self) -> dict[str, str]:
        """The account read (its subdomain, ``acme`` of acme.fakturownia.pl, in lower case:
        Fakturownia's domains know no case): a source re-pointed at another account is
        another identity."""
        return {"account": self.options.subdomain.lower()}

    def build_request(
        self, stream: HttpStream, *, since: datetime | None, page: Mapping[str, Any]
    ) -> HttpRequest:
        params: dict[str, Any] = {**stream.params, **page, "api_token": self._token}
        if stream.name == "invoices":
            # The cancelled ones too (kind "canceled"): an incremental sync then sees an
            # invoice cancelled since the last one, and the store drops it (the mapping skips
            # it as deleted); asked only for the kinds read, it stayed open until --prune.
            kinds = list(self.rules.invoice_kinds)
            params["kinds[]"] = [*kinds, CANCELLED_KIND] if CANCELLED_KIND not in kinds else kinds
        elif stream.name == "credit_notes":
            # The cancelled documents too: a correction cancelled since the last sync reads
            # back as kind "canceled", which kind=correction never listed, and its credit note
            # stayed until --full --prune; listed, the mapping skips it as deleted and the
            # store drops it. Cancellations are rare (a cancelled invoice comes too, and
            # removes no credit note): few documents more, in the same pages.
            params["kinds[]"] = [*CORRECTION_KINDS, CANCELLED_KIND]
        return HttpRequest("GET", stream.path, params)

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        if not isinstance(stream, HttpStream):
            raise ConfigError(f"stream {stream.name!r} is not an HttpStream")
        if stream.name == "payments":
            self._payments_whole = False
            if not self.options.payments:
                return
        notes: tuple[str, ...] = ()
        # Whether the store asked for the whole stream (a first sync, --full): only then may
        # the list not move while it is read (a --prune would lose what moved past a page).
        # A read made whole below for the refunds is still the store's incremental one: a
        # correction edited meanwhile has a change time after the cursor, and the next sync
        # reads it.
        whole = since is None
        pages = 0
        try:
            if stream.name == "credit_notes":
                if self._refunds is None and self.options.payments and not self._no_banking:
                    # A sync of credit_notes without payments before it: they are read for
                    # the refunds (not stored), or the corrections are read without, and
                    # say so.
                    self._refunds = self._read_refunds()
                    notes = (NO_REFUNDS_NOTE,) if self._refunds is None else ()
                if self._refunds is not None:
                    # The refunds are known now: every correction is given them, so that one
                    # a refund payment no longer names (deleted, re-tied) loses its refund.
                    since = None
                if self._cancelled_since:
                    # An invoice was cancelled since the last sync: a correction of it stored
                    # then (a credit note allocated to it) did not change, and an incremental
                    # read would not list it; read again, handed the cancelled invoice, it is
                    # skipped as deleted (before: it stayed allocated to an invoice the store
                    # no longer held, and Store.load refused it).
                    since = None
            size = self.options.page_size
            paged = replace(stream, paginator=lambda: PageUntilEmpty(size=size, since=since))
            if stream.name == "invoices":
                self._invoices_read = {}  # a new read: what an earlier one kept may be stale
                self._advances_read = {}
                self._refunds = None
                self._cancelled_since = False
            if stream.name == "payments":
                refunds: dict[str, list[dict[str, Any]]] = {}
            boundary = PageBoundary(
                size=size, full=whole, what=_WHAT.get(stream.name, stream.name),
                context=ErrorContext(connector=self.name, stream=stream.name),
            )
            for page in super().fetch(paged, since=since):
                pages += 1
                self._check_boundary(stream, since, boundary, page)
                if stream.name == "invoices":
                    self._note_cancellations(stream, since, page)
                    self._keep_advances(page)
                    page = self._with_advances(page, stream.name)
                    self._keep_invoices(page)  # a final invoice with its advances
                elif stream.name == "credit_notes":
                    page = self._with_corrected_invoices(page, stream.name)
                    page = self._with_refunds(page)
                    if page.last and notes:
                        page = replace(page, notes=(*page.notes, *notes))
                elif stream.name == "payments":
                    page = self._with_offer_notes(page, stream.name)
                    page = self._with_final_advances(page, stream.name)
                    self._collect_refunds(page, refunds)
                    if page.last:
                        self._refunds = refunds
                    # Set before the last page is handed over: the store asks once it has it.
                    self._payments_whole = page.last is True
                yield page
        except AuthError as exc:
            said = str(exc).removesuffix(f" ({exc.context.describe()})")
            raise AuthError(
                f"{said}. Fakturownia refused the API token: {_CREDENTIALS_HELP}", exc.context
            ) from None
        except ConnectorError as exc:
            # An account without the banking module answers 404 on its first page: the
            # stream is skipped, with a note. Any other 404 (another stream, or a later page
            # of this one) is not that, and fails.
            if stream.name == "payments" and exc.status == 404 and pages == 0:
                self._no_banking = True
                yield RawPage((), last=True, notes=(NO_BANKING_NOTE,))
                return
            raise
        finally:
            if stream.name == "credit_notes":
                self._invoices_read = {}  # nothing after the corrections reads it
                self._refunds, self._no_banking = None, False
                self._cancelled_since = False
            if stream.name in ("invoices", "credit_notes", "payments"):
                self._advances_read = {}  # only a final invoice of this read needs them
                self._batches_heeded = True  # each read asks the filter again, once
            if stream.name == "payments":
                self._finals_read = {}

    def prunes_each_full_read(self, stream: str) -> bool:
        """True for ``payments`` once a read of it has given its last page: Fakturownia
        lists its banking payments with no change filter, so each sync reads them whole, and
        a payment the read did not give was deleted in Fakturownia (a bounced transfer, one
        entered by mistake). The store then removes it at once (see
        :mod:`clientguard.store`), not at the next ``sync --full --prune``, so that it no
        longer pays its invoice. False for a read that stopped before its last page, for an
        account without the banking module (404: nothing was read, nothing is removed) and
        with ``payments = false``; and for the other streams (clients and documents are
        removed by ``--prune``)."""
        return stream == "payments" and self._payments_whole

    # ----------------------------------------------------------------- paging

    def _check_boundary(
        self, stream: HttpStream, since: datetime | None, boundary: PageBoundary, page: RawPage
    ) -> None:
        """Check that the list did not move between the page before ``page`` and ``page``
        (see :class:`PageBoundary`): one request of one document (``per_page=1``, ``page``
        the place) after every page but the first."""
        ids = [text_of(record.data.get("id")) for record in page.records]
        due = boundary.place_to_check(ids)
        if due is None:
            return
        place, expected = due
        request = self.build_request(stream, since=since, page={"page": place, "per_page": 1})
        label = f"place {place} of {stream.name} (the boundary of page {boundary.number - 1})"
        response = self.client.request(
            request.method, request.path, params=request.params, stream=stream.name,
            what=f"GET {request.path} {label}",
        )
        body = decode_json(response, client=self.client, what=label, stream=stream.name)
        try:
            there = self.records_of(stream, body)
        except MissingRecords as exc:
            raise self.missing_records(exc, stream=stream.name, page=label,
                                       response=response) from None
        boundary.check(place, expected, text_of(there[0].get("id")) if there else None)

    # ----------------------------------------------------------------- corrected invoices

    def _note_cancellations(
        self, stream: HttpStream, since: datetime | None, page: RawPage
    ) -> None:
        """Remember whether ``page`` of ``invoices`` holds a document cancelled since the
        last sync (any, in a whole read): see :attr:`_cancelled_since`. Since the last sync is
        after its cursor, ``since`` plus the look-back (or with no change time): a cancelled
        document the look-back or the last page of an incremental read gives again, changed
        before, was seen by the sync that set the cursor, whose corrections were read after
        it; counting it again would list the corrections whole on every sync until another
        invoice changes."""
        if self._cancelled_since:
            return
        cursor = None if since is None else since + self.lookback
        for record in page.records:
            if not is_cancelled(record.data):
                continue
            change = self.cursor_of(stream, record.data)
            if cursor is None or change is None or change > cursor:
                self._cancelled_since = True
                return

    def _keep_invoices(self, page: RawPage) -> None:
        """Keep what a correction needs of each invoice on ``page`` (a final invoice's with the
        advances :meth:`_with_advances` gave it; a later version of an invoice, read again while
        paging, replaces the earlier)."""
        kept = self._invoices_read
        for record in page.records:
            ident = text_of(record.data.get("id"))
            if ident is not None:
                kept[ident] = tuple(record.data.get(name) for name in CORRECTED_INVOICE_FIELDS)

    def _keep_advances(self, page: RawPage) -> None:
        """Keep what a final invoice needs of each advance invoice on ``page`` (a later
        version, read again while paging, replaces the earlier)."""
        for record in page.records:
            ident = text_of(record.data.get("id"))
            if ident is not None and (text_of(record.data.get("kind")) or "").lower() == "advance":
                self._advances_read[ident] = _advance_fields(record.data)

    # ----------------------------------------------------------------- final invoices

    def _with_advances(self, page: RawPage, stream: str) -> RawPage:
        """``page`` with the advance invoices added to each final invoice that names them
        (under ``ADVANCES_KEY``), so that it counts only what the order adds to them. An
        advance this read has not given yet (the list comes newest change first: a final
        invoice usually before its advances) is read by its id, once; one Fakturownia no
        longer has (404) is left out, with a note. A final invoice that names no advances
        is counted as it is, with a note."""
        finals = [(r, advances_named_by(r.data)) for r in page.records]
        if not any(_is_final(r.data) for r, _ in finals):
            return page
        gone = self._read_advances((i for _, named in finals for i in named), stream)
        notes = [_advance_gone(ident, stream) for ident in gone]
        records: list[RawRecord] = []
        for record, named in finals:
            if named:
                given = self._advances_given(named)
                record = RawRecord({**record.data, ADVANCES_KEY: given}, record.location)
            elif _is_final(record.data):
                number = text_of(record.data.get("number")) or text_of(record.data.get("id"))
                notes.append(
                    f"{stream}: final invoice {number} names no advance invoices "
                    "(invoice_ids): counted at its whole price_gross; if advance invoices "
                    "were issued for the same order, their money counts twice"
                )
            records.append(record)
        return replace(page, records=tuple(records), notes=(*page.notes, *notes))

    def _read_advances(self, named: Iterable[str], stream: str) -> list[str]:
        """Read each advance invoice in ``named`` this read has not given yet, once, in
        batches (:meth:`_read_invoices`); the ids of those Fakturownia no longer has (404), in
        the order first named (:func:`_gone_among` says each where it is named)."""
        known = self._advances_read
        unread = list(dict.fromkeys(i for i in named if i not in known))
        read = self._read_invoices(unread, stream, why="an advance of a final invoice",
                                   many="advance invoices of final invoices")
        for ident, advance in read.items():
            known[ident] = None if advance is None else _advance_fields(advance)
        return [ident for ident, advance in read.items() if advance is None]

    def _advances_given(self, named: Sequence[str]) -> list[Mapping[str, Any]]:
        """The advance invoices of ``named`` that were read (see :meth:`_read_advances`)."""
        known = self._advances_read
        return [advance for i in named if (advance := known.get(i)) is not None]

    def _with_corrected_invoices(self, page: RawPage, stream: str) -> RawPage:
        """``page`` with the corrected invoice added to each correction that lowers or raises
        one (under ``CORRECTED_INVOICE_KEY``: a lowering one takes from it only what is open,
        and either is left out, with a note, when the invoice is cancelled). The corrected
        invoices this sync has not read are
        read once a sync (:meth:`_read_invoices`: in batches), a final invoice's with its
        advances (as the invoices stream gives them, so that the correction measures the
        amount the final invoice counts at; those of the page's final invoices together); one
        that Fakturownia no longer has (404) is left out, with a note when a lowering
        correction names it: its correction is then applied to it in full (a raising one is
        the extra invoice it is without it)."""
        corrected = [invoice_corrected_by(record.data) for record in page.records]
        if not any(corrected):
            return page
        lowered = {invoice_lowered_by(record.data) for record in page.records}
        kept = self._invoices_read
        unread = list(dict.fromkeys(i for i in corrected if i is not None and i not in kept))
        read = self._read_invoices(unread, stream, why="the invoice a correction corrects",
                                   many="invoices corrections correct")
        gone = self._read_advances(
            (i for invoice in read.values() if invoice is not None
             for i in advances_named_by(invoice)), stream)
        notes: list[str] = []
        for ident, invoice in read.items():
            if invoice is None:
                if ident not in lowered:
                    continue
                notes.append(
                    f"{stream}: invoice {ident}, which a correction lowers, could not be read "
                    f"(GET /invoices/{ident}.json answered 404): the correction is applied to "
                    "it in full, whatever was paid on it"
                )
                continue
            named = advances_named_by(invoice)
            if named:
                notes += _gone_among(named, gone, stream)
                invoice = {**invoice, ADVANCES_KEY: self._advances_given(named)}
            kept[ident] = tuple(invoice.get(name) for name in CORRECTED_INVOICE_FIELDS)
        records: list[RawRecord] = []
        for record, corrects in zip(page.records, corrected, strict=True):
            values = None if corrects is None else kept.get(corrects)
            if values is not None:
                given = dict(zip(CORRECTED_INVOICE_FIELDS, values, strict=True))
                raises = invoice_lowered_by(record.data) is None  # read before it is given
                record = RawRecord({**record.data, CORRECTED_INVOICE_KEY: given}, record.location)
                if cancelled_invoice_corrected(record.data) is not None:
                    notes.append(_corrects_cancelled(record.data, given, stream,
                                                     raises=raises))
            records.append(record)
        return replace(page, records=tuple(records), notes=(*page.notes, *notes))

    def _with_offer_notes(self, page: RawPage, stream: str) -> RawPage:
        """``page`` with a note for each payment tied to a proforma (or another document not
        read as an invoice): it pays nothing of it, and its money is the client's unapplied
        cash, which a person should see."""
        notes = []
        for record in page.records:
            offers = offers_paid_by(record.data, self.rules)
            if offers:
                ident = text_of(record.data.get("id"))
                notes.append(
                    f"{stream}: payment {ident} is tied to document {', '.join(offers)}, a "
                    "proforma or another document that is not an invoice: its money is kept as the "
                    "client's unapplied cash (a prepayment). If an invoice was issued for it, "
                    "link the payment to that invoice in Fakturownia"
                )
        return replace(page, notes=(*page.notes, *notes)) if notes else page

    def _with_final_advances(self, page: RawPage, stream: str) -> RawPage:
        """``page`` with the advance invoices added to each final invoice a payment is tied
        to (under ``ADVANCES_KEY``, in the payment's ``invoices``), so that the payment pays
        it no more than the amount it counts at (its ``price_gross`` less them). The final
        invoice names them (``invoice_ids``) or is read by its id, once a read of payments;
        the advances are read as for the invoices stream (:meth:`_read_advances`). Both are
        read for the whole page at once, in batches (:meth:`_read_invoices`)."""
        embedded = [record.data.get("invoices") for record in page.records]
        finals = [item for items in embedded if isinstance(items, list)
                  for item in items if isinstance(item, Mapping) and _is_final(item)]
        if not finals:
            return page
        self._read_finals(finals, stream)
        gone = self._read_advances(
            (i for item in finals for i in self._advances_of_final(item)), stream)
        notes: list[str] = []
        records: list[RawRecord] = []
        for record, items in zip(page.records, embedded, strict=True):
            if not isinstance(items, list) or not any(
                    isinstance(i, Mapping) and _is_final(i) for i in items):
                records.append(record)
                continue
            given: list[Any] = []
            for item in items:
                named = self._advances_of_final(item) if (
                    isinstance(item, Mapping) and _is_final(item)) else ()
                if named:
                    notes += _gone_among(named, gone, stream)
                    item = {**item, ADVANCES_KEY: self._advances_given(named)}
                given.append(item)
            records.append(RawRecord({**record.data, "invoices": given}, record.location))
        return replace(page, records=tuple(records), notes=(*page.notes, *notes))

    def _read_finals(self, finals: Sequence[Mapping[str, Any]], stream: str) -> None:
        """Read by its id (in batches: :meth:`_read_invoices`) each final invoice of
        ``finals`` (as payments list them) that names no advances there and that this read
        of payments has not read yet, and keep the advances it names (none when Fakturownia
        no longer has it)."""
        kept = self._finals_read
        unread = list(dict.fromkeys(
            ident for item in finals
            if not advances_named_by(item) and (ident := text_of(item.get("id"))) is not None
            and ident not in kept))
        read = self._read_invoices(unread, stream, why="a final invoice a payment pays",
                                   many="final invoices payments pay")
        for ident, final in read.items():
            kept[ident] = () if final is None else advances_named_by(final)

    def _advances_of_final(self, item: Mapping[str, Any]) -> tuple[str, ...]:
        """The advance invoices a final invoice a payment is tied to names: its own
        ``invoice_ids``, else those of the final invoice read by its id
        (:meth:`_read_finals`; none when Fakturownia no longer has it: the payment then caps
        it at its whole ``price_gross``)."""
        named = advances_named_by(item)
        ident = text_of(item.get("id"))
        if named or ident is None:
            return named
        return self._finals_read.get(ident, ())

    # ----------------------------------------------------------------- invoices by id

    def _read_invoices(
        self, idents: Sequence[str], stream: str, *, why: str, many: str
    ) -> dict[str, Mapping[str, Any] | None]:
        """Each invoice of ``idents``, in that order, as Fakturownia gives it now; None for
        one it no longer has (``GET /invoices/{id}.json`` answered 404). ``why`` says what
        one invoice is read for, ``many`` what a batch of them is (the requests' labels).

        Read ``page_size`` at a time with ``GET /invoices.json?invoice_ids=1,2,3``
        (:meth:`_read_batch`), which Fakturownia's README lists without saying how it
        answers: only the invoices asked for are taken from a batch; those a batch left out
        are asked again in a smaller one (Fakturownia may serve fewer than ``per_page``), and
        once a batch gives none of them, or gives a document not asked for (the filter was not
        heeded: no batch is asked again in this read of the stream), each is read by its id,
        as a lone invoice always is. A deleted invoice therefore ends in the one 404 that says
        so."""
        given: dict[str, Mapping[str, Any]] = {}
        size = self.options.page_size
        batched = [i for i in idents if i.isdigit() and i.isascii()]  # ids Fakturownia makes
        for start in range(0, len(batched), size):
            left = batched[start:start + size]
            while len(left) > 1 and self._batches_heeded:
                found = self._read_batch(left, stream, many=many)
                given.update(found)
                if not found:
                    break
                left = [i for i in left if i not in found]
        return {i: given[i] if i in given else self._read_invoice(i, stream, why=why)
                for i in idents}

    def _read_batch(
        self, idents: Sequence[str], stream: str, *, many: str
    ) -> dict[str, Mapping[str, Any]]:
        """``GET /invoices.json?invoice_ids=...``, one page of ``len(idents)``: the invoices
        it gives of ``idents``, by id. One document it gives that was not asked for shows the
        filter not heeded (:attr:`_batches_heeded`). A batch Fakturownia refuses as a
        request (400, 404, 422: one deleted invoice among the ids may be answered so, as a
        Rails ``find`` of several ids does) gives none, and no batch is asked again in this
        read of the stream: each invoice is read by its id, so a deleted one ends in its own
        404 and its note. Other failures (401, 403, 429, 5xx, after the client's retries)
        raise, as a page's would."""
        what = f"GET invoices.json (invoice_ids: {len(idents)} {many})"
        params = {"invoice_ids": ",".join(idents), "period": "all", "page": 1,
                  "per_page": len(idents), "api_token": self._token}
        try:
            response = self.client.request("GET", "invoices.json", params=params,
                                           stream=stream, what=what)
        except ConnectorError as exc:
            if exc.status not in _BATCH_REFUSED:
                raise
            self._batches_heeded = False
            return {}
        body = decode_json(response, client=self.client, what=what, stream=stream)
        listed = self.stream("invoices")  # the list asked: GET /invoices.json
        if not isinstance(listed, HttpStream):
            raise ConfigError("stream 'invoices' is not an HttpStream")
        try:
            documents = self.records_of(listed, body)
        except MissingRecords as exc:
            raise self.missing_records(exc, stream=stream, page=what,
                                       response=response) from None
        asked = set(idents)
        found: dict[str, Mapping[str, Any]] = {}
        for document in documents:
            ident = text_of(document.get("id"))
            if ident is not None and ident in asked:
                found.setdefault(ident, document)
            else:
                self._batches_heeded = False
        return found

    def _read_invoice(
        self, ident: str, stream: str, *, why: str = "the invoice a correction corrects"
    ) -> Mapping[str, Any] | None:
        """``GET /invoices/{ident}.json``: one invoice, or None when Fakturownia answers 404
        (the invoice was deleted). Other failures raise, as a page's would."""
        path = f"invoices/{quote(ident, safe='')}.json"
        what = f"GET {path} ({why})"
        try:
            response = self.client.request(
                "GET", path, params={"api_token": self._token}, stream=stream, what=what
            )
        except ConnectorError as exc:
            if exc.status == 404:
                return None
            raise
        body = decode_json(response, client=self.client, what=what, stream=stream)
        if not isinstance(body, Mapping):
            raise ApiError(
                f"{what}: an invoice object was due, the body is "
                f"{'null' if body is None else type(body).__name__}; try again",
                ErrorContext(connector=self.name, stream=stream, status=response.status_code),
            )
        return body

    # ----------------------------------------------------------------- refunds

    def _collect_refunds(self, page: RawPage, refunds: dict[str, list[dict[str, Any]]]) -> None:
        """Keep the refund parts of the payments on ``page``, by correction (a later version
        of a payment, read again while paging, replaces the earlier)."""
        for record in page.records:
            paying = text_of(record.data.get("id"))
            for correction, part in refunds_paid_by(record.data, self.rules):
                kept = [p for p in refunds.get(correction, []) if p.get("id") != paying]
                refunds[correction] = [*kept, part]

    def _read_refunds(self) -> dict[str, list[dict[str, Any]]] | None:
        """The refunds of a sync that reads ``credit_notes`` without a whole read of
        ``payments`` before it (``streams=["credit_notes"]``): the banking payments read
        whole for them (not stored: a sync stores only the streams it was asked for), or
        None when the account has no banking module (404 on the first page)."""
        payments = self.stream("payments")
        if not isinstance(payments, HttpStream):
            raise ConfigError("stream 'payments' is not an HttpStream")
        size = self.options.page_size
        paged = replace(payments, paginator=lambda: PageUntilEmpty(size=size))
        boundary = PageBoundary(
            size=size, full=True, what=_WHAT["payments"],
            context=ErrorContext(connector=self.name, stream=payments.name),
        )
        refunds: dict[str, list[dict[str, Any]]] = {}
        pages = 0
        try:
            for page in super().fetch(paged, since=None):
                pages += 1
                self._check_boundary(payments, None, boundary, page)
                self._collect_refunds(page, refunds)
        except ConnectorError as exc:
            if exc.status == 404 and pages == 0:
                return None
            raise
        return refunds

    def _with_refunds(self, page: RawPage) -> RawPage:
        """``page`` with the refunds of each lowering correction added (under
        ``REFUNDS_KEY``; an empty list for one with none), when the payments were read whole
        in this sync; as it is otherwise (the corrections then carry no refunds)."""
        refunds = self._refunds
        if refunds is None:
            return page
        records = tuple(
            RawRecord({**r.data, REFUNDS_KEY: refunds.get(text_of(r.data.get("id")) or "", [])},
                      r.location) if invoice_lowered_by(r.data) is not None else r
            for r in page.records
        )
        return replace(page, records=records)

    # ----------------------------------------------------------------- mapping

    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        """What the mapping makes of ``raw``; a document left out that this sync left out and
        counted already (:attr:`_skips_counted`) is left out uncounted (``Skip.counted``
        False), its deletion followed all the same. Its first skip in the sync counts, for
        whatever reason: one given first as an invoice and again cancelled is counted once,
        as cancelled."""
        mapped: Mapped
        if stream.name == "customers":
            mapped, listed = customer_from_client(raw), "customers"
        elif stream.name in ("invoices", "credit_notes"):
            # One list of documents behind both streams: its ids are one namespace.
            mapped, listed = self._steady_buyers(map_document(raw, self.rules)), "documents"
        elif stream.name == "payments":
            mapped, listed = payment_from_banking(raw, self.rules), "payments"
        else:
            raise ConfigError(f"unknown stream {stream.name!r}")
        if isinstance(mapped, Skip) and mapped.counted:
            ident = text_of(raw.get("id"))
            if ident is not None:
                if (listed, ident) in self._skips_counted:
                    return replace(mapped, counted=False)
                self._skips_counted.add((listed, ident))
        return mapped

    def _steady_buyers(self, mapped: Mapped) -> Mapped:
        """``mapped`` (a document's records) with the customer of a buyer without a client
        card given the prefixed tax id an earlier document of this sync gave it
        (:meth:`_steady_buyer`)."""
        if isinstance(mapped, Customer):
            return self._steady_buyer(mapped)
        if isinstance(mapped, Skip) or not isinstance(mapped, Sequence):
            return mapped
        return [self._steady_buyer(r) if isinstance(r, Customer) else r for r in mapped]

    def _steady_buyer(self, customer: Customer) -> Customer:
        """A buyer without a client card (``nip:<number>``) with the tax id that has its VAT
        prefix where any document of this sync gave one (one with ``buyer_country`` ``DE``:
        ``DE136695976``) and this one gives the number without it (``buyer_country`` empty,
        or a name no table holds): whichever document is read last, the customer's tax id is
        ``DE136695976``. A card's customer, and a buyer's number no document prefixed, are as
        mapped."""
        number = customer.id.removeprefix(BUYER_ID_PREFIX)
        if number == customer.id or customer.tax_id is None:
            return customer
        known = self._buyer_tax_ids.get(customer.id)
        if customer.tax_id != number:
            self._buyer_tax_ids[customer.id] = customer.tax_id
        elif known is not None:
            return customer.model_copy(update={"tax_id": known})
        return customer

    def cursor_of(self, stream: Stream, raw: Mapping[str, Any]) -> datetime | None:
        # Fakturownia's timestamps carry an offset; a naive one is Warsaw time, not UTC.
        if stream.cursor_field is None:
            return None
        moment = parse_timestamp(raw.get(stream.cursor_field))
        return None if moment is None else moment.astimezone(UTC)
