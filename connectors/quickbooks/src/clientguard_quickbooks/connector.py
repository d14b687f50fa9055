"""The QuickBooks Online connector: customers, invoices, payments, credit memos, refund
receipts and time activities (hours per customer).

::

    import clientguard as cg
    from clientguard.http import token_file_saver

    conn = cg.connectors.load("quickbooks")(
        realm_id="9341...",                       # the company id
        client_id="AB...", client_secret="...",   # the app's keys
        refresh_token="AB11...",                  # from the app's connect flow
        token_file="~/.config/clientguard/qbo-tokens.json",  # rotated tokens are kept here
    )
    ledger = cg.Ledger.from_connector(conn, base_currency="USD", strict=False)

Reading:

* Every stream is one query (``GET /v3/company/<realm>/query?query=SELECT ...``), paged with
  ``STARTPOSITION``/``MAXRESULTS`` inside the statement, ordered by ``Id``. Paging stops on
  a page shorter than asked, or an empty ``QueryResponse`` (the page after the last); the
  response's ``maxResults`` is the number *returned* and is never trusted to be the number
  asked for. A record deleted while the pages are read moves the later ones up a place:
  each page after the first is asked from the place of the last record read, one more, and
  must begin with a record read already (:mod:`.paging`); a list that moved stops the read
  (:class:`SourceChanged`, run the sync again) instead of missing a record.
* ``minorversion`` (default 75; versions below are retired) is sent on every call.
* Incremental: ``WHERE MetaData.LastUpdatedTime >= <cursor>``. Deleted entities vanish
  from queries, so after the query an incremental read of invoices, payments, credit memos
  and refund receipts asks QuickBooks' change data capture
  (``GET cdc?entities=Invoice&changedSince=...``, :mod:`.cdc`) for the ones deleted since,
  and reports them deleted (a store removes them). CDC reaches back 30 days and answers at
  most 1,000 objects: beyond either, the stream's sync carries a note that a full read with
  prune is needed. A CDC call that fails fails the stream, its cursor unmoved, so that the
  next sync asks again. The cursor of these four streams is the moment their last complete
  read started (``cursor_at_start``), not their newest change: the next sync asks the query,
  CDC and the payments read for credit memos from the last sync on, so that a stream whose
  records rarely change is not noted as unchecked, nor its payments read back for years.
  That moment is the earlier of this machine's clock at the sync's start and QuickBooks' own
  (the ``"time"`` of the read's first answer, :attr:`~clientguard.connector.RawPage.answered_at`):
  a clock here running fast cannot carry the cursor past a change made during the sync.
* An invoice settled in part or in full (``Balance`` below ``TotalAmt``) has the payments
  its ``LinkedTxn`` names read by id (``Payment WHERE Id IN (...)``), whatever the payments
  stream's cursor. What one settles with a journal entry's credit has that journal entry
  read by id (``JournalEntry WHERE Id IN (...)``), and the accounts it debits
  (``Account WHERE Active IN (true, false) AND Id IN (...)``, each read once a sync): a
  bad debt written off (a bad-debt account: detail type Bad debts, a name that says so, or
  one listed in ``bad_debt_accounts``) keeps the invoice open for that part; netting
  against Accounts Payable (or another balance-sheet account), or a remainder cleared to
  any other expense (a discount, bank charges), pays it on the journal entry's date
  (:mod:`.journals`).
* Customers are read active and inactive (``Active IN (true, false)``): an invoice of a
  customer made inactive still names it.
* Credit memos are applied to invoices, and paid back to the customer (a cheque or an
  expense), through payments' lines. When a credit memo read by a sync shows some of it used
  (``Balance`` below ``TotalAmt``), the connector also reads the payments changed since that
  memo was created and attaches the applications and refunds it finds. An incremental read
  also reads by id the memos that payments changed since the last sync name, should the query
  not return them (a memo lists no ``LinkedTxn``: a refund linked later shows in the payment),
  and asks CDC for the payments deleted since: a deleted payment is reported by its id alone,
  never the memo it named, so when one was, every memo is read again, as a full read does;
  so they are when CDC cannot say (the last sync beyond its reach, an answer at its cap).
* Refund receipts (``RefundReceipt``) are credit notes refunded in full on their date
  (:func:`~.mapping.refund_receipt_from_qbo`), read only with ``refund_receipts=True``: a
  refund receipt most often pays back a sales receipt, which is not read.
* Limits: 500 requests a minute and 10 a second per company are paced client-side (a bit
  under, see :mod:`.pacing`); a throttled 429 (Fault 3001) is waited out for 60 seconds, as
  Intuit asks, then the call is sent again (the connector's classifier,
  :func:`~clientguard_quickbooks.pacing.classify_quickbooks`). A throttle Fault inside a 200,
  which Intuit does not document, stops the sync with a
  :class:`~clientguard.errors.RateLimitError` saying what to do
  (:func:`~clientguard_quickbooks.faults.fault_error`).
* OAuth 2.0 with rotating refresh tokens, through the framework's
  :class:`~clientguard.http.RefreshTokenAuth`: every new token set is handed to
  ``on_token_refresh`` and/or written to ``token_file`` before it is used.
* The realm id is a tenant id: it never appears in an error message or a log line (it is
  one of the :class:`~clientguard.http.ApiClient`'s ``secrets``, which the client redacts
  from urllib3's and clientguard's request lines while the connector is open).
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar, Literal

import requests
from pydantic import Field, SecretStr, field_validator

from clientguard.connector import ConnectorOptions, Mapped, RawPage, RawRecord, Skip, Stream
from clientguard.errors import (
    ApiError,
    AuthError,
    ConfigError,
    ConnectorError,
    DataError,
    ErrorContext,
    RateLimitError,
)
from clientguard.http import (
    ApiClient,
    Auth,
    BearerToken,
    Boundary,
    HttpConnector,
    HttpOptions,
    HttpRequest,
    HttpStream,
    MissingRecords,
    OverlapPaginator,
    RefreshTokenAuth,
    SourceChanged,
    Timeout,
    TokenSet,
    decode_json,
    load_token_file,
    records_in,
)
from clientguard.records import Location
from clientguard_quickbooks.cdc import (
    CDC_ENTITIES,
    CDC_MAX_OBJECTS,
    DELETED_REASON,
    CdcWindow,
    capped_note,
    cdc_window,
    changed_entities,
    is_deleted,
    unchecked_note,
)
from clientguard_quickbooks.faults import fault_error, parse_fault
from clientguard_quickbooks.journals import (
    JournalDraws,
    JournalSides,
    debit_accounts,
    journal_sides,
)
from clientguard_quickbooks.mapping import (
    APPLICATIONS_KEY,
    SETTLEMENTS_KEY,
    SOURCE,
    WRITE_OFFS_KEY,
    CreditApplication,
    CreditRefund,
    JournalCredit,
    MappingRules,
    answer_time,
    credit_applications,
    credit_memos_named,
    credit_note_from_qbo,
    credit_refunds,
    customer_from_qbo,
    invoice_records,
    journal_credits,
    last_updated,
    payment_from_qbo,
    refund_receipt_from_qbo,
    time_entry_from_qbo,
)
from clientguard_quickbooks.pacing import THROTTLE_WAIT, Pacer, classify_quickbooks
from clientguard_quickbooks.query import MAX_RESULTS, build_query, timestamp_literal

__all__ = [
    "PRODUCTION_URL",
    "SANDBOX_URL",
    "THROTTLE_WAIT",
    "TOKEN_URL",
    "QueryStream",
    "QuickBooksConnector",
    "QuickBooksOptions",
]

PRODUCTION_URL = "https://quickbooks.api.intuit.com"
SANDBOX_URL = "https://sandbox-quickbooks.api.intuit.com"
TOKEN_URL = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"  # noqa: S105 (a URL)


_REAUTHORISE = (
    "re-connect the app to the company (your app's OAuth connect flow, or Intuit's OAuth 2.0 "
    "Playground for a one-off) and pass the new refresh_token; check that client_id and "
    "client_secret belong to that app and that realm_id is the company connected"
)


class QuickBooksOptions(HttpOptions):
    """Options of the QuickBooks Online connector (keyword arguments)."""

    realm_id: SecretStr
    """The company id (``realmId``, returned by the OAuth connect flow). A tenant id: it is
    never shown."""
    client_id: str | None = None
    """The app's client id (Intuit Developer > your app > Keys and credentials)."""
    client_secret: SecretStr | None = None
    """The app's client secret."""
    refresh_token: SecretStr | None = None
    """The company's refresh token (needs client_id and client_secret). It rotates: give
    on_token_refresh or token_file to keep the new one."""
    token_file: Path | None = None
    """A JSON file holding the tokens: read at start when refresh_token is not given, and
    rewritten (atomically, mode 0600) with every new token set."""
    on_token_refresh: Callable[[TokenSet], None] | None = None
    """Called with every new token set (access and refresh token) before it is used; with
    token_file, after the file is written."""
    access_token: SecretStr | None = None
    """An access token (valid one hour). Alone, it is used as is and never refreshed; with a
    refresh token, it is used until it expires."""
    environment: Literal["production", "sandbox"] = "production"
    """Which Intuit API: ``production`` or ``sandbox`` (sets the default base_url)."""
    base_url: str | None = None
    """Where the API is, without ``/v3``; point it at a proxy or a local test server."""
    token_url: str = TOKEN_URL
    """Intuit's OAuth 2.0 token endpoint."""
    minor_version: int = Field(default=75, ge=75)
    """The ``minorversion`` sent on every call (versions below 75 are retired by Intuit)."""
    home_currency: str | None = None
    """The company's home currency (e.g. ``USD``). Documents in it get no fx_rate."""
    use_quickbooks_rates: bool = True
    """Keep QuickBooks' ExchangeRate (home currency per unit) as each document's fx_rate.
    Set False when the ledger's base currency is not the company's home currency, and give
    the ledger an FxTable."""
    page_size: int = Field(default=MAX_RESULTS, ge=1, le=MAX_RESULTS)
    """Entities per query page (1..1000)."""
    requests_per_minute: int = Field(default=475, ge=1)
    """Pacing: at most this many requests a minute (QuickBooks allows 500 per company)."""
    requests_per_second: int = Field(default=9, ge=1)
    """Pacing: at most this many requests a second (QuickBooks allows 10)."""
    timeout: Timeout = 120.0
    """Seconds to wait for the server on each request (QuickBooks cuts requests at 120)."""
    sleep: Callable[[float], None] | None = None
    """How to wait, for rate limits and pacing (default time.sleep); tests pass a recorder."""
    monotonic: Callable[[], float] | None = None
    """The pacing clock (default time.monotonic); tests pass a fake one."""
    refund_receipts: bool = False
    """Read refund receipts (the refund_receipts stream): money paid back to a customer for a
    sale, each a credit note refunded in full on its date, lowering the customer's revenue.
    Off by default: a refund receipt most often pays back a sales receipt (a cash sale), which
    the connector does not read, and would lower revenue the ledger never counted. Turn it on
    for a company that refunds invoiced work with refund receipts. Turned off again, the
    next sync removes the refund receipts stored while it was on (saying so once), and turned
    on again, they are read in full: see "Refund receipts" in the connector's guide."""
    time_activities: bool = True
    """Read time activities (the time_entries stream: hours per customer, billable or
    not). False skips the query (a company that tracks no time in QuickBooks). Turned off,
    the next sync removes the time entries stored while it was on (saying so once), and
    turned on again, they are read in full: see "Time activities" in the connector's
    guide."""
    bad_debt_accounts: tuple[str, ...] = ()
    """Accounts the firm writes bad debts off to besides those QuickBooks and their names say
    are (detail type Bad debts or Allowance for bad debts; a name that says bad or doubtful
    debts), each by its id, its number (``AcctNum``) or its name, case aside: a journal entry
    that credits an invoice's receivable against one writes the invoice off (open, and late)
    instead of settling it. A journal entry's debit to any other expense account (a discount,
    bank charges, rounding) settles the invoice. A listed id counts even where the app may
    not read accounts."""
    change_data_capture: bool = True
    """On an incremental sync, ask QuickBooks' change data capture for the invoices,
    payments, credit memos and refund receipts deleted since the last sync, and report them
    deleted (a store removes them). False skips the call: deleted records then stay until a
    sync with ``full`` and ``prune``."""

    @field_validator("home_currency")
    @classmethod
    def _home(cls, value: str | None) -> str | None:
        return value.strip().upper() if value else None

    @field_validator("bad_debt_accounts", mode="before")
    @classmethod
    def _accounts(cls, value: Any) -> Any:
        # One string would be read as a list of its characters by some callers; say so.
        if isinstance(value, str):
            raise ValueError(
                f"give a list of accounts (ids, numbers or names), e.g. [{value.strip()!r}], "
                "not one string")
        return value


@dataclass(frozen=True, kw_only=True)
class QueryStream(HttpStream):
    """A stream read with one QuickBooks query."""

    entity: str
    """The QuickBooks entity: ``Invoice``, ``Payment``..."""
    where: str | None = None
    """A condition the query always carries."""


class _QuickBooksClient(ApiClient):
    """The framework's client, naming calls by entity rather than by URL: the URL holds the
    realm id."""

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        if kwargs.get("what") is None:
            kwargs["what"] = f"QuickBooks {method} {path.split('?')[0]}"
        return super().request(method, path, **kwargs)


class QuickBooksConnector(HttpConnector):
    """QuickBooks Online: customers, invoices, payments, credit memos, refund receipts and
    time activities.

    Options: see :class:`QuickBooksOptions`; ``clock`` ("now": the sync's upper bound and
    token expiry) and ``progress`` as for every connector.
    """

    name: ClassVar[str] = SOURCE
    summary: ClassVar[str] = (
        "QuickBooks Online: customers, invoices, payments, credit memos, refund receipts, time "
        "activities"
    )
    Options: ClassVar[type[ConnectorOptions]] = QuickBooksOptions
    lookback: ClassVar[timedelta] = timedelta(minutes=5)
    streams: ClassVar[tuple[Stream, ...]] = (
        QueryStream(
            name="customers",
            kind="customer",
            path="query",
            entity="Customer",
            where="Active IN (true, false)",
            id_field="Id",
            cursor_field="MetaData.LastUpdatedTime",
            duplicates="latest",
            description="Customers, active and inactive; a sub-customer is grouped under "
            "its parent.",
        ),
        QueryStream(
            name="invoices",
            kind="invoice",
            path="query",
            entity="Invoice",
            id_field="Id",
            cursor_field="MetaData.LastUpdatedTime",
            cursor_at_start=True,
            duplicates="latest",
            description="Invoices, their status derived from Balance; voided ones are void.",
        ),
        QueryStream(
            name="payments",
            kind="payment",
            path="query",
            entity="Payment",
            id_field="Id",
            cursor_field="MetaData.LastUpdatedTime",
            cursor_at_start=True,
            duplicates="latest",
            description="Payments with their lines applied to invoices; credit memo lines "
            "go to the credit memos.",
        ),
        QueryStream(
            name="credit_notes",
            kind="credit_note",
            path="query",
            entity="CreditMemo",
            id_field="Id",
            cursor_field="MetaData.LastUpdatedTime",
            cursor_at_start=True,
            duplicates="latest",
            description="Credit memos, with their applications to invoices and their cash refunds.",
        ),
        QueryStream(
            name="refund_receipts",
            kind="credit_note",
            path="query",
            entity="RefundReceipt",
            id_field="Id",
            cursor_field="MetaData.LastUpdatedTime",
            cursor_at_start=True,
            duplicates="latest",
            description="Refund receipts: money paid back for a sale, each a credit note "
            "refunded in full on its date.",
        ),
        QueryStream(
            name="time_entries",
            kind="time_entry",
            path="query",
            entity="TimeActivity",
            id_field="Id",
            cursor_field="MetaData.LastUpdatedTime",
            duplicates="latest",
            description="Time activities: hours per customer, with the person and whether "
            "billable; time for no customer is skipped.",
        ),
    )

    options: QuickBooksOptions

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        opts = self.options
        realm = opts.realm_id.get_secret_value()  # stripped by the options model
        left_out = {name for name, read in (("time_entries", opts.time_activities),
                                             ("refund_receipts", opts.refund_receipts))
                    if not read}
        if left_out:
            self.streams = tuple(  # type: ignore[misc]
                s for s in type(self).streams if s.name not in left_out
            )
        if not realm:
            raise ConfigError("connector 'quickbooks': realm_id is empty")
        self.rules = MappingRules(
            home_currency=opts.home_currency, source_rates=opts.use_quickbooks_rates
        )
        root = (opts.base_url or (SANDBOX_URL if opts.environment == "sandbox" else PRODUCTION_URL))
        self.client = self.api_client(
            f"{root.rstrip('/')}/v3/company/{realm}/",
            auth=self._auth(),
            headers={"Accept": "application/json"},
            classifier=classify_quickbooks,
            secrets=(realm,),
            client_class=_QuickBooksClient,
        )
        wait = opts.sleep or time.sleep
        self.pacer = Pacer(
            ((opts.requests_per_second, 1.0), (opts.requests_per_minute, 60.0)),
            sleep=wait,
            monotonic=opts.monotonic or time.monotonic,
            on_wait=self.client.before_wait,
        )
        self._answered_at: datetime | None = None
        """QuickBooks' time in the last answer read (``records_of``), by its clock."""

    def streams_left_out(self) -> dict[str, str]:
        """The streams an option turns off: ``refund_receipts`` (``refund_receipts = false``)
        and ``time_entries`` (``time_activities = false``). A store then removes what an
        earlier sync stored of them while they were on: refund receipts would keep lowering
        revenue, and time entries no longer read would keep counting hours in every review
        (a firm that stopped tracking time in QuickBooks, or moved it to another tracker)."""
        opts = self.options
        return {name: f"{option} = false" for name, option, read in (
            ("time_entries", "time_activities", opts.time_activities),
            ("refund_receipts", "refund_receipts", opts.refund_receipts)) if not read}

    def identity(self) -> dict[str, str]:
        """The company read (its realm id): a source re-pointed at another company is another
        identity."""
        return {"realm": self.options.realm_id.get_secret_value()}

    def _auth(self) -> Auth:
        opts = self.options
        access = opts.access_token.get_secret_value() if opts.access_token else None
        if opts.refresh_token is None and opts.token_file is None:
            if access:
                return BearerToken(access, when_refused=(
                    "a fixed access_token cannot be refreshed: pass a new one, or give "
                    "refresh_token (or token_file) with client_id and client_secret so that "
                    "it is refreshed"))
            raise ConfigError(
                "connector 'quickbooks': no credentials. Give refresh_token (or a token_file "
                "holding one) with client_id and client_secret, or an access_token"
            )
        secret = opts.client_secret.get_secret_value() if opts.client_secret else None
        if not opts.client_id or not secret:
            raise ConfigError(
                "connector 'quickbooks': refreshing tokens needs the app's client_id and "
                "client_secret"
            )
        refresh = opts.refresh_token.get_secret_value() if opts.refresh_token else None
        expires_at = None
        if refresh is None:
            assert opts.token_file is not None
            saved = load_token_file(opts.token_file.expanduser())
            if not saved.refresh_token:
                raise ConfigError(
                    "connector 'quickbooks': the token_file holds no refresh_token; connect "
                    "the app again and pass the new refresh_token"
                )
            refresh, access = saved.refresh_token, access or saved.access_token or None
            expires_at = saved.expires_at
        if opts.on_token_refresh is None and opts.token_file is None:
            raise ConfigError(
                "connector 'quickbooks': QuickBooks rotates refresh tokens, so give "
                "on_token_refresh (a function) or token_file (a path) to keep the new one; "
                "without it the next run cannot connect"
            )
        # The token_file is written first (and refreshed through, one process at a time),
        # then on_token_refresh is called.
        return RefreshTokenAuth(
            token_url=opts.token_url,
            client_id=opts.client_id,
            client_secret=secret,
            refresh_token=refresh,
            on_refresh=opts.on_token_refresh,
            access_token=access,
            expires_at=expires_at,
            token_file=opts.token_file.expanduser() if opts.token_file is not None else None,
            from_token_file=opts.refresh_token is None,
        )

    # ----------------------------------------------------------------- requests

    def build_request(
        self, stream: HttpStream, *, since: datetime | None, page: Mapping[str, Any]
    ) -> HttpRequest:
        if not isinstance(stream, QueryStream):
            raise ConfigError(f"stream {stream.name!r} is not a QueryStream")
        statement = build_query(
            stream.entity,
            since=since,
            where=stream.where,
            start=int(page["STARTPOSITION"]),
            max_results=int(page["MAXRESULTS"]),
        )
        return HttpRequest(
            "GET", stream.path, {"query": statement, "minorversion": self.options.minor_version}
        )

    def records_of(self, stream: HttpStream, body: Any) -> Sequence[Mapping[str, Any]]:
        self._answered_at = answer_time(body)  # taken by _query_pages for the page
        fault = parse_fault(body, scrub=self.client.scrub)
        if fault is not None:  # QuickBooks can fail inside a 200
            raise fault_error(fault, ErrorContext(connector=self.name, stream=stream.name),
                              self.client)
        if not isinstance(stream, QueryStream):
            raise ConfigError(f"stream {stream.name!r} is not a QueryStream")
        response = body.get("QueryResponse") if isinstance(body, Mapping) else None
        if not isinstance(response, Mapping):
            # The framework's fetch names the page: never an empty page, which would end
            # the read as if it were complete.
            raise MissingRecords("the query answered without a QueryResponse")
        if response.get(stream.entity) is None:
            return []  # QuickBooks leaves the entity out of a QueryResponse that found none
        return records_in(response, stream.entity)

    def before_request(self, stream: HttpStream) -> None:
        self._answered_at = None  # the next answer's, once records_of has read it
        self.pacer.wait()

    def _query_pages(self, stream: QueryStream, since: datetime | None) -> Iterator[RawPage]:
        """The pages of ``stream``'s query (its entity, ``where`` and ``since``), each with
        QuickBooks' time when it answered (its ``"time"``:
        :attr:`~clientguard.connector.RawPage.answered_at`), so that the stream's cursor never
        runs ahead of QuickBooks' clock (docs/connectors/quickbooks.md, "Paging and
        incremental sync"). Each page is stamped as it comes, before the reads by id that
        follow it answer.

        Pages are positions (``STARTPOSITION``): a record deleted while they are read moves
        the records after it up a place, and one nobody touched would cross onto a page
        already read, unseen. So each page after the first is asked from the place of the
        last record read, one record more, and must begin with a record read already
        (:mod:`.paging`); a read that moved stops with
        :class:`~clientguard.http.SourceChanged` (its cursor kept, nothing pruned) rather
        than ending as if whole."""
        for page in super().fetch(self._paged(stream), since=since):
            yield replace(page, answered_at=self._answered_at)

    def _paged(self, stream: QueryStream) -> QueryStream:
        size = self.options.page_size

        def moved(boundary: Boundary) -> SourceChanged:
            return SourceChanged(
                f"QuickBooks' {stream.entity} query changed while its pages were read: page "
                f"{boundary.page}, asked from place {boundary.place} of the list (ordered by "
                f"Id), where the last {stream.entity} of page {boundary.page - 1} was, began "
                f"with none of the {stream.entity}s read (most likely one was deleted in "
                "QuickBooks during the sync)",
                ErrorContext(connector=self.name, stream=stream.name),
            )

        return replace(
            stream,
            paginator=lambda: OverlapPaginator(
                offset_param="STARTPOSITION", limit_param="MAXRESULTS", limit=size,
                first_offset=1, largest=MAX_RESULTS, id_of=_paging_id,
                moved=moved,
            ),
        )

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        if not isinstance(stream, QueryStream):
            raise ConfigError(f"stream {stream.name!r} is not a QueryStream")
        try:
            if stream.name == "credit_notes":
                pages = self._credit_memos(stream, since)
            elif stream.name == "invoices":
                pages = self._invoices(stream, since)
            else:
                pages = self._query_pages(stream, since)
            if (since is None or stream.entity not in CDC_ENTITIES
                    or not self.options.change_data_capture):
                yield from pages
            else:
                # The deletions come last, on the stream's last page: the cursor moves only
                # once they are stored, so a failed CDC call is asked again by the next sync.
                for page in pages:
                    yield replace(page, last=False)
                yield self._deletions(stream, since)
        except AuthError as exc:
            said = str(exc).removesuffix(f" ({exc.context.describe()})")
            raise AuthError(f"{said}. QuickBooks refused the credentials: {_REAUTHORISE}",
                            exc.context) from None

    def _deletions(self, stream: QueryStream, since: datetime) -> RawPage:
        """The stream's last page: the entities QuickBooks' change data capture reports
        deleted at or after ``since``, with a note where it cannot vouch for all of them.

        Raises the client's error, saying what it means for the sync, when the call fails.
        """
        changed, window, answered_at = self._changes(stream, stream.entity, since)
        notes: list[str] = []
        if window.unchecked_since is not None:
            notes.append(unchecked_note(stream.name, window.unchecked_since,
                                        window.changed_since))
        if len(changed) >= CDC_MAX_OBJECTS:
            notes.append(capped_note(stream.name, stream.entity, window.changed_since,
                                     len(changed)))
        where = Location(detail=f"GET cdc entities={stream.entity}")
        return RawPage(
            tuple(RawRecord(raw, where) for raw in changed if is_deleted(raw)),
            last=True,
            notes=tuple(notes),
            answered_at=answered_at,
        )

    def _changes(
        self, stream: QueryStream, entity: str, since: datetime
    ) -> tuple[list[Mapping[str, Any]], CdcWindow, datetime | None]:
        """The ``entity`` objects QuickBooks' change data capture lists as changed (active
        and deleted) at or after ``since`` (as far back as it reaches), the window asked, and
        QuickBooks' time in the answer. Raises the client's error, saying what it means for
        ``stream``'s sync, when the call fails."""
        window = cdc_window(since, self.clock())
        label = f"QuickBooks' change data capture of {stream.name}"
        self.before_request(stream)
        try:
            response = self.client.request(
                "GET",
                "cdc",
                params={
                    "entities": entity,
                    "changedSince": timestamp_literal(window.changed_since),
                    "minorversion": self.options.minor_version,
                },
                stream=stream.name,
            )
            body = decode_json(response, client=self.client, what=label, stream=stream.name)
            fault = parse_fault(body, scrub=self.client.scrub)
            if fault is not None:  # QuickBooks can fail inside a 200
                raise fault_error(fault, ErrorContext(connector=self.name, stream=stream.name,
                                                      status=response.status_code),
                                  self.client)
            try:
                changed = changed_entities(body, entity)
            except MissingRecords as exc:
                raise self.missing_records(exc, stream=stream.name, page=label,
                                           response=response) from None
        except AuthError:
            raise
        except ConnectorError as exc:
            if entity == stream.entity:
                raise _cdc_failed(exc, stream.name, window.changed_since, stream.name) from None
            raise _cdc_failed(exc, stream.name, window.changed_since,
                              _CDC_WHAT.get(entity, entity), read_before=False) from None
        return changed, window, answer_time(body)

    def _payments_deleted(
        self, stream: QueryStream, since: datetime
    ) -> tuple[bool, datetime | None]:
        """Whether the read of credit memos must read every memo again: a payment may have
        been deleted at or after ``since``; and QuickBooks' time in the change data capture
        answer that says so (None when none was asked).

        A deleted payment is reported by its id alone (Intuit's CDC answers ``{"status":
        "Deleted", "Id": ..., "MetaData": ...}``), never with the lines that named the credit
        memos it applied or paid back, and nothing says QuickBooks marks those memos changed:
        only a read of every memo finds them, as ``sync --full`` does. So every memo is read
        again when CDC reports a deleted payment, and when it cannot vouch that none was: the
        last sync lies further back than it reaches (30 days: then it is not asked), or its
        answer holds its most objects (1,000), which may leave deletions out (Intuit's
        change data capture page)."""
        if cdc_window(since, self.clock()).unchecked_since is not None:
            return True, None
        changed, _window, answered_at = self._changes(stream, "Payment", since)
        deleted = len(changed) >= CDC_MAX_OBJECTS or any(is_deleted(raw) for raw in changed)
        return deleted, answered_at

    def _credit_memos(self, stream: QueryStream, since: datetime | None) -> Iterator[RawPage]:
        """Credit memo pages, each memo with the applications found for it in payments.

        A payment can only apply a credit memo that exists, so the payments changed since
        the earliest used memo was created hold every application. They are read when a page
        first holds a used memo, and again from further back should a later page hold an
        older one; each page is yielded before the next is fetched.

        An incremental read ends with one more page: the memos that the payments changed
        since ``since`` name and that the query did not return. A payment made or voided
        after a memo was stored applies it, pays it back (a cheque linked to it) or frees it
        again, and nothing says QuickBooks marks the memo itself changed; such memos are read
        by id (:meth:`_relinked`).

        A payment *deleted* since then names no memo any more: change data capture reports it
        by its id alone. So an incremental read first asks CDC for the payments deleted since
        ``since`` (:meth:`_payments_deleted`, with ``change_data_capture``), and when one was,
        or CDC cannot say (``since`` beyond its 30 days, an answer at its cap), reads every
        memo again, with its applications, as a full read does: the memos it applied or paid
        back are free again.
        """
        scan = _PaymentScan()
        seen: set[str] = set()
        answered_at: datetime | None = None
        if since is not None and self.options.change_data_capture:
            deleted, answered_at = self._payments_deleted(stream, since)
            if deleted:
                # A payment deleted since the last sync may have applied or paid back any
                # memo: every memo is read again, with its applications, as a full read does.
                since = None
        for page in self._query_pages(stream, since):
            seen.update(str(r.data.get("Id")) for r in page.records)
            records = self._with_applications(stream, page.records, scan)
            if answered_at is not None:
                # The CDC call's time (it answered before this page).
                page = replace(page, answered_at=min(
                    t for t in (answered_at, page.answered_at) if t is not None))
                answered_at = None
            if since is None:
                yield replace(page, records=records)
            else:
                yield replace(page, records=records, last=False)
        if answered_at is not None:  # no page came (never seen): keep the CDC call's time
            yield RawPage((), last=False, answered_at=answered_at)
        if since is not None:
            yield self._relinked(stream, since, seen, scan)

    def _with_applications(
        self, stream: QueryStream, records: Sequence[RawRecord], scan: _PaymentScan
    ) -> tuple[RawRecord, ...]:
        """``records`` (raw credit memos), each with the applications and refunds found for it
        in payments, under :data:`~.mapping.APPLICATIONS_KEY`; the payments are read (again,
        from further back) when a used memo was created before the last read began."""
        used = [r.data for r in records if _partly_used(r.data)]
        if used:
            created = [_created(memo) for memo in used]
            earliest = None if None in created else min(c for c in created if c is not None)
            if scan.misses(earliest):
                scan.read(earliest, self._applications(stream, earliest))
        return tuple(
            RawRecord(
                {**record.data,
                 APPLICATIONS_KEY: scan.applications.get(str(record.data.get("Id")), [])},
                record.location,
            )
            for record in records
        )

    def _relinked(
        self, stream: QueryStream, since: datetime, seen: set[str], scan: _PaymentScan
    ) -> RawPage:
        """The last page of an incremental read of credit memos: those the payments changed
        since ``since`` name (applied, paid back, or no longer: a voided payment still names
        them) that the query did not return (``seen``), read by id, with their applications.
        One read of those payments a sync (none when the memos' read already went back that
        far), and one by-id read when a memo is missing."""
        if scan.misses(since):
            scan.read(since, self._applications(stream, since))
        wanted = sorted((i for i in scan.named - seen if _DIGITS.fullmatch(i)), key=int)
        records = [record for page in self._by_id(stream, "CreditMemo", wanted)
                   for record in page.records] if wanted else []
        return RawPage(self._with_applications(stream, records, scan), last=True)

    def _invoices(self, stream: QueryStream, since: datetime | None) -> Iterator[RawPage]:
        """Invoice pages, each invoice with what journal entries settled of it: written off
        or settled (netted).

        A journal entry crediting Accounts Receivable brings the invoice's ``Balance`` down
        through a payment linking the two: the invoice alone looks paid. So for every
        invoice of a page that is settled in part or in full (``Balance`` below
        ``TotalAmt``), the payments it links are read by id (:data:`BY_ID` a query), what of
        the invoice they settle with a journal's credit, not cash nor a credit memo, is found
        (:func:`~.mapping.journal_credits`), and the journal entries and the accounts they
        debit are read to tell a write-off from a settlement (:mod:`.journals`). Write-offs
        are attached under :data:`~.mapping.WRITE_OFFS_KEY`, settlements under
        :data:`~.mapping.SETTLEMENTS_KEY`; a credit that could not be told is read as settled,
        with a note on the page. Each page is yielded before the next is fetched. The
        payments are read whatever the payments stream's cursor: an invoice and the payment
        that settled it may come in different syncs. The payments, journal entries and
        accounts read are kept for the rest of this read (one sync), and asked once each; a
        payment's credits are read whole, all its invoices', once
        (:class:`~.journals.JournalDraws`): what a page leaves of a journal entry is what the
        next draws on, and which invoice takes which part is the payment's line order, not the
        pages' nor which invoices an incremental sync reads.
        """
        accounts: dict[str, Mapping[str, Any] | str] = {}
        journals: dict[str, JournalSides | str] = {}
        draws = JournalDraws()
        for page in self._query_pages(stream, since):
            linked = {str(r.data.get("Id")): _linked_payments(r.data) for r in page.records}
            wanted = draws.unread(sorted({p for ids in linked.values() for p in ids}, key=int))
            if wanted:
                credits = self._journal_credits(stream, wanted)
                unseen = [c for c in credits if c.txn_id not in journals]
                if unseen:
                    journals.update(self._journals(stream, unseen, accounts))
                draws.read(wanted, credits, journals)
            records: list[RawRecord] = []
            notes: list[str] = []
            for record in page.records:
                ident = str(record.data.get("Id"))
                reading = draws.of(ident, linked[ident])
                written = [w.to_raw() for w in reading.write_offs]
                settled = [s.to_raw() for s in reading.settlements]
                attached = {**({WRITE_OFFS_KEY: written} if written else {}),
                            **({SETTLEMENTS_KEY: settled} if settled else {})}
                records.append(RawRecord({**record.data, **attached}, record.location)
                               if attached else record)
                notes.extend(reading.notes)
            yield replace(page, records=tuple(records), notes=(*page.notes, *notes))

    def _journal_credits(
        self, stream: QueryStream, payment_ids: Sequence[str]
    ) -> list[JournalCredit]:
        """The journal credits of the payments ``payment_ids``, in payment id order."""
        found: list[JournalCredit] = []
        for page in self._by_id(stream, "Payment", payment_ids):
            for record in page.records:
                try:
                    found.extend(journal_credits(record.data))
                except DataError:
                    continue  # the payments stream rejects it, with the reason
        return found

    def _journals(
        self,
        stream: QueryStream,
        credits: Sequence[JournalCredit],
        accounts: dict[str, Mapping[str, Any] | str],
    ) -> dict[str, JournalSides | str]:
        """The journal entries ``credits`` draw on, by id: their sides, or why one could not
        be read. The accounts they debit are read into ``accounts`` (the sync's: an account,
        or why it could not be read), those already there not asked again."""
        ids = {c.txn_id for c in credits if c.txn_type == "JournalEntry"}
        readable = sorted((i for i in ids if _DIGITS.fullmatch(i)), key=int)
        journals: dict[str, JournalSides | str] = {
            i: "its id is not one QuickBooks gives" for i in ids if not _DIGITS.fullmatch(i)}
        raw: dict[str, Mapping[str, Any]] = {}
        refused = self._read_by_id(stream, "JournalEntry", readable, raw)
        debited: set[str] = set()
        for ident in readable:
            if ident in refused:
                journals[ident] = refused[ident]
            elif ident not in raw:
                journals[ident] = "QuickBooks did not return the journal entry"
            else:
                try:
                    debited |= debit_accounts(raw[ident])
                except DataError as exc:
                    journals[ident] = f"the journal entry is malformed: {exc}"
        asked = sorted((a for a in debited - accounts.keys() if _DIGITS.fullmatch(a)), key=int)
        found: dict[str, Mapping[str, Any]] = {}
        refused = self._read_by_id(stream, "Account", asked, found)
        for account in asked:
            accounts[account] = found.get(account) or refused.get(
                account, "QuickBooks did not return the account")
        for ident in readable:
            if ident not in journals:
                try:
                    journals[ident] = journal_sides(raw[ident], accounts,
                                                    self.options.bad_debt_accounts)
                except DataError as exc:
                    journals[ident] = f"the journal entry is malformed: {exc}"
        return journals

    def _read_by_id(
        self, stream: QueryStream, entity: str, ids: Sequence[str],
        into: dict[str, Mapping[str, Any]],
    ) -> dict[str, str]:
        """Reads the ``entity`` objects ``ids`` into ``into`` by id; returns, by id, why those
        of a batch QuickBooks refused to show (HTTP 403: the app lacks the permission) could
        not be read. Any other failure fails the stream, as every read does."""
        refused: dict[str, str] = {}
        for start in range(0, len(ids), BY_ID):
            batch = ids[start:start + BY_ID]
            try:
                for page in self._by_id(stream, entity, batch):
                    for record in page.records:
                        into[str(record.data.get("Id"))] = record.data
            except AuthError as exc:
                if exc.context.status != 403:
                    raise
                refused.update(dict.fromkeys(
                    batch, f"QuickBooks refused to show the {entity} (HTTP 403)"))
        return refused

    def _by_id(self, stream: QueryStream, entity: str, ids: Sequence[str]) -> Iterator[RawPage]:
        """The pages of ``entity`` objects ``ids`` (digits only), :data:`BY_ID` a query;
        accounts active and inactive (an inactive account still names its postings)."""
        for start in range(0, len(ids), BY_ID):
            batch = ids[start:start + BY_ID]
            # Ids are digits only (_linked_payments, _journals): nothing else reaches the
            # statement.
            where = f"Id IN ({', '.join(repr(i) for i in batch if _DIGITS.fullmatch(i))})"
            if entity == "Account":
                where = f"Active IN (true, false) AND {where}"
            yield from self._query_pages(replace(stream, entity=entity, where=where),
                                         since=None)

    def _applications(self, stream: QueryStream, since: datetime | None) -> _Applications:
        """Credit memo id to its applications and refunds, from the payments changed since
        ``since``; and the ids of the credit memos those payments name."""
        found: dict[str, list[dict[str, str]]] = {}
        named: set[str] = set()
        payments = replace(stream, entity="Payment", where=None)
        for page in self._query_pages(payments, since):
            for record in page.records:
                named |= credit_memos_named(record.data)
                try:
                    applied: list[CreditApplication | CreditRefund] = [
                        *credit_applications(record.data), *credit_refunds(record.data)]
                except DataError:
                    continue  # the payments stream rejects it, with the reason
                for application in applied:
                    found.setdefault(application.credit_memo_id, []).append(
                        application.to_raw()
                    )
        return _Applications(found, frozenset(named))

    # ----------------------------------------------------------------- mapping

    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        if is_deleted(raw):  # from the change data capture: only an id and a time
            if self.raw_id(stream, raw) is None:
                raise DataError("Id: is missing from a deletion QuickBooks reported")
            return Skip(DELETED_REASON, deleted=True)
        if stream.name == "customers":
            return customer_from_qbo(raw)
        if stream.name == "invoices":
            return invoice_records(raw, self.rules)
        if stream.name == "payments":
            return payment_from_qbo(raw, self.rules)
        if stream.name == "credit_notes":
            return credit_note_from_qbo(raw, self.rules)
        if stream.name == "refund_receipts":
            return refund_receipt_from_qbo(raw, self.rules)
        if stream.name == "time_entries":
            return time_entry_from_qbo(raw)
        raise ConfigError(f"unknown stream {stream.name!r}")

    def raw_id(self, stream: Stream, raw: Mapping[str, Any]) -> str | None:
        value = raw.get("Id")
        return None if value in (None, "") else str(value)

    def cursor_of(self, stream: Stream, raw: Mapping[str, Any]) -> datetime | None:
        moment = last_updated(raw)
        return None if moment is None else moment.astimezone(UTC)


_CDC_WHAT = {"Payment": "payments"}
"""What a CDC call asked for another stream than the entity's own names, in its error."""


def _cdc_failed(
    exc: ConnectorError, stream: str, changed_since: datetime, what: str, *,
    read_before: bool = True,
) -> ConnectorError:
    """``exc``, of the same kind and context, saying what a failed CDC call (of the ``what``
    deleted) means for the sync of ``stream`` and what to do. ``read_before``: the call came
    after the stream's records were read (its own deletions), not before any of them (the
    payments deleted, asked first by the read of credit memos)."""
    said = str(exc).removesuffix(f" ({exc.context.describe()})")
    stored = (f"the {stream} read before it are stored and the stream's cursor did not move"
              if read_before else
              f"it is asked before the {stream} are read, so this sync read none of them and "
              "stored nothing of the stream; its cursor did not move")
    message = (
        f"{said}. QuickBooks' change data capture (the {what} deleted since "
        f"{changed_since.astimezone(UTC):%Y-%m-%d %H:%M} UTC) could not be read: {stored}, "
        "so the next sync asks again"
    )
    if isinstance(exc, RateLimitError):
        # Throttled: what to do is said already (turning CDC off would not help).
        return RateLimitError(message, exc.context, exc.resets_at)
    message += (". If it keeps failing, set change_data_capture = false and run `clientguard "
                "sync --full --prune` now and then to remove what QuickBooks deleted")
    if isinstance(exc, ApiError):
        return ApiError(message, exc.context)
    return ConnectorError(message, exc.context)


@dataclass(frozen=True)
class _Applications:
    """What one read of payments found for credit memos."""

    by_memo: dict[str, list[dict[str, str]]]
    """Credit memo id to its applications and refunds (raw, as attached)."""
    named: frozenset[str]
    """The credit memos the payments' lines name, applied or not."""


class _PaymentScan:
    """The payments read for one read of credit memos: from how far back, and what they
    hold. A read from further back holds all a later one would."""

    def __init__(self) -> None:
        self.done = False
        self.since: datetime | None = None
        self.applications: dict[str, list[dict[str, str]]] = {}
        self.named: frozenset[str] = frozenset()

    def misses(self, since: datetime | None) -> bool:
        """True when the payments changed since ``since`` (None: all) are not all read."""
        return not self.done or (self.since is not None and (since is None or since < self.since))

    def read(self, since: datetime | None, found: _Applications) -> None:
        self.done, self.since = True, since
        self.applications, self.named = found.by_memo, found.named


#: Payments, journal entries or accounts read by id in one query (``Id IN (...)``): short
#: enough for any server's URL.
BY_ID = 100


def _paging_id(raw: Mapping[str, Any]) -> str:
    """What the overlapping pages (:class:`~clientguard.http.OverlapPaginator`) know a
    record by: its ``Id``; for a record without one (``null``, empty, an object), its whole
    content. Every record without an ``Id`` would otherwise be the same one (``"None"``): one
    on a later page would count as read already and be left out unseen, instead of being
    mapped and rejected ("Id: is missing") with where it was; by its content it is given
    once, and the page after it, which begins with it again, still knows it. Two with the
    same content are told apart by place (:meth:`~clientguard.http.PageOverlaps.take`: a
    record after the last one read is new)."""
    value = raw.get("Id")
    if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
        return f"Id {value}"
    content = json.dumps(raw, sort_keys=True, default=str)
    return f"no Id {hashlib.sha256(content.encode()).hexdigest()}"


def _linked_payments(invoice: Mapping[str, Any]) -> frozenset[str]:
    """The ids of the payments an invoice's ``LinkedTxn`` names, when some of the invoice is
    settled (``Balance`` below ``TotalAmt``); none otherwise. Only ids of digits (what
    QuickBooks' ids are) are kept: they go into a query."""
    try:
        settled = bool(invoice["Balance"] < invoice["TotalAmt"])
    except (KeyError, TypeError):
        return frozenset()
    linked = invoice.get("LinkedTxn")
    if not settled or not isinstance(linked, list):
        return frozenset()
    return frozenset(
        str(txn["TxnId"]) for txn in linked
        if isinstance(txn, Mapping) and txn.get("TxnType") == "Payment"
        and isinstance(txn.get("TxnId"), str | int) and not isinstance(txn.get("TxnId"), bool)
        and _DIGITS.fullmatch(str(txn["TxnId"]))
    )


_DIGITS = re.compile(r"[0-9]{1,20}")


def _partly_used(memo: Mapping[str, Any]) -> bool:
    """True when some of a credit memo is used (applied or refunded)."""
    try:
        return bool(memo.get("Balance") is not None and memo["Balance"] < memo["TotalAmt"])
    except (KeyError, TypeError):
        return False


def _created(memo: Mapping[str, Any]) -> datetime | None:
    meta = memo.get("MetaData")
    value = meta.get("CreateTime") if isinstance(meta, Mapping) else None
    if not isinstance(value, str):
        return last_updated(memo)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
