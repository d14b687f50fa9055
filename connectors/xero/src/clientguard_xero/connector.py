"""The Xero connector: contacts, sales invoices, payments, credit notes, overpayments and
prepayments from the Xero Accounting API, and (``projects=True``) time entries from Xero
Projects (``projects.xro/2.0``) through the same authorisation, tenant and rate limits.

Three ways to authenticate, chosen by the options given:

* a fixed access token (``access_token=``), for scripts that get one elsewhere;
* the refresh-token grant (``refresh_token=`` or ``token_file=``, with ``client_id=`` and,
  for a web app, ``client_secret=``): each refresh rotates the refresh token, and the new one
  goes to ``on_token_refresh`` (default: written atomically to ``token_file``, mode 0600)
  before the new access token is used;
* a custom connection (``client_id=`` and ``client_secret=`` alone): the client-credentials
  grant.

The organisation is ``tenant_id=``, or found through ``GET /connections`` (by
``tenant_name=``, or the only one the token can see). Every call sends it as
``xero-tenant-id``. See ``docs/connectors/xero.md`` for the set-up, the scopes, the limits and
the currency rate.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, field_validator

from clientguard.connector import Mapped, RawPage, RawRecord, Skip, Stream, zone_option
from clientguard.errors import AuthError, ConfigError, DataError, ErrorContext, RateLimitError
from clientguard.http import (
    Auth,
    BearerToken,
    Boundary,
    ClientCredentialsAuth,
    HttpConnector,
    HttpOptions,
    HttpRequest,
    HttpStream,
    MissingRecords,
    PageBoundaries,
    PageNumberPaginator,
    RefreshTokenAuth,
    SourceChanged,
    TokenSet,
    decode_json,
    load_token_file,
    records_in,
)
from clientguard.records import Location
from clientguard_xero import bad_debts, mapping, projects

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_PROJECTS_URL",
    "DEFAULT_TOKEN_URL",
    "PROJECTS_PAGE_SIZE",
    "PROJECTS_SCOPE",
    "SCOPES",
    "XeroConnector",
    "XeroOptions",
]

DEFAULT_BASE_URL = "https://api.xero.com/api.xro/2.0"
DEFAULT_PROJECTS_URL = "https://api.xero.com/projects.xro/2.0"
PROJECTS_SCOPE = "projects.read"
"""The scope the ``time_entries`` stream needs besides :data:`SCOPES`."""
PROJECTS_PAGE_SIZE = 500
"""The Projects API's largest ``pageSize``."""
DEFAULT_TOKEN_URL = "https://identity.xero.com/connect/token"  # noqa: S105  (a URL)
SCOPES = ("offline_access accounting.invoices.read accounting.payments.read "
          "accounting.contacts.read accounting.settings.read")
"""The granular read scopes the connector needs (apps created from March 2026 get only
granular scopes); ``offline_access`` gives a refresh token. Older apps use
``accounting.transactions.read accounting.contacts.read accounting.settings.read`` instead.
``accounting.settings.read`` reads the chart of accounts, to tell a bad debt written off by a
credit note from a credit (:mod:`.bad_debts`); without it, every credit note is a credit and
the sync says so in a note."""
_WHEN_REFUSED = (
    "a fixed access_token cannot be refreshed: pass a new one, or give refresh_token (or "
    "token_file) with client_id so that it is refreshed, or client_id and client_secret "
    "alone (a custom connection)"
)
_FORBIDDEN = (
    "the app's connection lacks a scope this stream needs (accounting.invoices.read, "
    "accounting.payments.read, accounting.contacts.read, accounting.settings.read; "
    "projects.read for time_entries), or the organisation tenant_id names is no longer "
    "connected to the app: connect it again with those scopes"
)
USER_AGENT = "clientguard-xero/0.1.0"

#: Xero's minute limit is a rolling 60 seconds: when the last response says no call is left,
#: the connector waits this long before the next one rather than spend a call on a 429.
MINUTE = 60.0
#: Xero's day limit, in seconds: a count of the calls left today read this long ago is
#: forgotten.
DAY = 24 * 3600.0


class XeroOptions(HttpOptions):
    """Options of the Xero connector (keyword arguments)."""

    tenant_id: SecretStr | None = None
    """The Xero organisation (tenant) id. Without it, GET /connections finds it: by
    tenant_name, or the only organisation the token can see."""
    tenant_name: str | None = None
    """The organisation's name, to pick it from /connections when the token sees several."""
    access_token: SecretStr | None = None
    """A fixed access token (expires after 30 minutes; not refreshed). With refresh_token or
    token_file: the current access token, used until it expires."""
    refresh_token: SecretStr | None = None
    """Refresh-token mode: the current refresh token (needs client_id, and
    on_token_refresh or token_file to keep the rotated one)."""
    token_file: Path | None = None
    """Refresh-token mode: a JSON file holding the tokens; read at start when refresh_token is
    not given, and rewritten (atomically, mode 0600) after every refresh unless
    on_token_refresh is given."""
    on_token_refresh: Callable[[TokenSet], None] | None = None
    """Refresh-token mode: called with the new tokens after every refresh, before the new
    access token is used. Store tokens.refresh_token: the previous one stops working."""
    client_id: str | None = None
    """The app's client id (refresh-token and client-credentials modes)."""
    client_secret: SecretStr | None = None
    """The app's client secret. With client_id alone (no token): client-credentials mode
    (a Xero custom connection). A PKCE app has none."""
    scope: str | None = None
    """Client-credentials mode: the scopes to ask for (default: the custom connection's)."""
    base_url: str = DEFAULT_BASE_URL
    """The Accounting API root; point it at a proxy or a local test server."""
    connections_url: str | None = None
    """Where GET /connections is (default: /connections on base_url's host)."""
    token_url: str = DEFAULT_TOKEN_URL
    """The OAuth 2.0 token endpoint."""
    page_size: int = Field(default=1000, ge=1, le=1000)
    """Records per page (Xero allows 1 to 1000)."""
    use_xero_rates: bool = True
    """Use Xero's CurrencyRate as each document's fx_rate. Xero's rates convert to the
    organisation's base currency: set False when the ledger is built in another currency,
    and give the ledger an FxTable."""
    min_day_remaining: int = Field(default=0, ge=0)
    """Stop the sync (RateLimitError) when Xero says no more than this many calls are left
    today, to keep some of the daily limit (5,000; 1,000 on the Starter tier) for other work."""
    projects: bool = False
    """Read the time entries of Xero Projects (the time_entries stream), each counted for its
    project's contact. Needs the projects.read scope on the token. Turned off again, the
    next sync removes the time entries stored while it was on (saying so once), and turned
    on again, they are read in full."""
    projects_url: str = DEFAULT_PROJECTS_URL
    """The Projects API root; point it at a proxy or a local test server."""
    timezone: str = "UTC"
    """The organisation's time zone (IANA, e.g. Pacific/Auckland): it turns a time entry's
    dateUtc into the day the work was done."""
    bad_debt_accounts: tuple[str, ...] = ()
    """Codes of the accounts (``AccountCode``) the firm writes bad debts off to, besides those
    named so (an account whose name says bad or doubtful debts): a sales credit note coded to
    one and allocated to an invoice writes the invoice off, which then stays open and late,
    instead of settling it. Listed codes count even where the chart of accounts cannot be
    read (no accounting.settings.read scope)."""
    projects_resync_days: int = Field(default=31, ge=0, le=3660)
    """How far before the cursor (the latest day logged) an incremental read of time entries
    goes back: the Projects API has no change time, so entries edited or logged late within
    this many days are read again; older edits need a full sync."""

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return zone_option(value, "Pacific/Auckland")


SALES_STREAMS = frozenset({"invoices", "payments", "credit_notes", "overpayments", "prepayments"})
"""The streams of sales documents: the contacts they name are clients, whatever their flags."""
CREDIT_NOTES_PER_CALL = 20
"""Credit notes asked for by id in one ``GET /CreditNotes?where=...`` call (each id is a
``CreditNoteID==Guid("...")`` clause of about 75 characters once encoded: 20 keep the query
string under the length at which Xero's ``IDs`` filter breaks)."""
_GUID = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")
IDS_PER_CALL = 50
"""Contacts asked for by id in one ``GET /Contacts?IDs=...`` call (the ``IDs`` filter breaks
above about 52 GUIDs: the query string grows too long; Xero-OpenAPI #534)."""
NAMED_CONTACT = "_clientguard_contact"
"""The key under which a sales document carries the supplier-only contact it names (added by
the connector, never sent by Xero), so that it yields that contact as a Customer."""

CLASSIC_PAGE = 100
"""How many records a page of the Accounting API held before ``pageSize`` existed ("Up to 100
invoices will be returned in a single API call"; the spec: "If there are 100 records in the
response you will need to check if there is any more data by fetching the next page")."""
PROJECTS_CLASSIC_PAGE = 50
"""The Projects API's page when it does not take ``pageSize`` ("set to 50 by default")."""


class _XeroPaginator(PageNumberPaginator):
    """Xero's ``page``/``pageSize`` paging, to ``pagination.pageCount``.

    A page without ``pagination`` is a Xero that may not have taken ``pageSize`` either (the
    Accounting API before 2024 served 100 records a page whatever was asked): a page that
    holds ``classic`` records or more is then never taken for the last, however much shorter
    than ``pageSize`` it is. Taken for the last, it ended the stream after the first 100
    records without a word; the next page is asked for, until a page shorter than both or an
    empty one (one call more where Xero did take ``pageSize``).
    """

    def __init__(self, size: int, classic: int, id_field: str | None = None) -> None:
        super().__init__(page_param="page", size_param="pageSize", size=size,
                         page_count=_page_count, id_field=id_field)
        self.classic = classic

    def _next(
        self, response: Any, body: Any, records: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any] | None:
        if _page_count(body) is None and records and len(records) >= min(self.size,
                                                                         self.classic):
            self.page += 1
            return self._params()
        return super()._next(response, body, records)


def _paginator(
    size: int, classic: int = CLASSIC_PAGE, id_field: str | None = None
) -> Callable[[], PageNumberPaginator]:
    """The paginator of a list. ``id_field``, for a list in ID order, lets a page repeat the
    one before (read on, its records counted once: see :func:`_by_id`)."""
    def build() -> PageNumberPaginator:
        return _XeroPaginator(size, classic, id_field)

    return build


def _page_count(body: Any) -> int | None:
    pagination = body.get("pagination") if isinstance(body, Mapping) else None
    count = pagination.get("pageCount") if isinstance(pagination, Mapping) else None
    return int(count) if isinstance(count, int) else None


def _by_id(id_field: str) -> dict[str, str]:
    """The ``order`` a list is paged in: by the record's ID, which an edit never changes.

    Pages are numbered positions in that order. Ordered by ``UpdatedDateUTC`` (as the
    connector paged before), a record edited between two pages moves to the end of the list,
    every record after it moves up a place, and the one that crossed onto the page already
    read is never read: its change time is older than the cursor, so no later incremental
    sync reads it either. In ID order an edit moves nothing; the pages are then not sorted
    by change time, so the stream's cursor moves only when the stream ends
    (``sorted_by_cursor`` False), and a record edited after it was read is read again by
    the next sync. (QuickBooks' query pages by ``Id`` for the same reason.)

    Records do join the list mid-read, at their ID's place: an incremental read
    (``If-Modified-Since``) lists the records changed since its cursor, and one edited while
    the pages are read joins it (a new record joins a full read). ``pageSize`` of them (a
    bulk edit: invoices approved or sent together) before the page being read push the next
    page onto the one just read, so a page may legitimately repeat the one before: the read
    goes on (the records read again unchanged are counted once, and the sync says so), and
    only the same page three times in a row is a paging loop (``_paginator``'s
    ``id_field``).
    """
    return {"order": f"{id_field} ASC"}


def _streams(page_size: int) -> tuple[HttpStream, ...]:
    paginator = _paginator(page_size)
    common: dict[str, Any] = {
        "cursor_field": "UpdatedDateUTC",
        "duplicates": "latest",
        "paginator": paginator,
    }
    streams = (
        HttpStream(
            name="customers",
            kind="customer",
            path="Contacts",
            records_key="Contacts",
            id_field="ContactID",
            params={**_by_id("ContactID"), "includeArchived": "true"},
            description="Contacts, archived ones too (merged contacts are archived); "
            "supplier-only contacts only where a sales document names them",
            **common,
        ),
        HttpStream(
            name="invoices",
            kind="invoice",
            path="Invoices",
            records_key="Invoices",
            id_field="InvoiceID",
            # Archived invoices too: without includeArchived Xero leaves them out of the
            # list, so an invoice archived in Xero was never read again (it stayed open and
            # late in a store), and leaving the list between two page requests it moved the
            # invoices after it up a place, one of them onto a page already read.
            params={**_by_id("InvoiceID"), "where": 'Type=="ACCREC"',
                    "includeArchived": "true"},
            description="Sales invoices (ACCREC), every status, archived ones too; bills are "
            "left out",
            **common,
        ),
        HttpStream(
            name="payments",
            kind="payment",
            path="Payments",
            records_key="Payments",
            id_field="PaymentID",
            params=_by_id("PaymentID"),
            description="Payments of sales invoices; deleted payments and refunds skipped",
            **common,
        ),
        HttpStream(
            name="credit_notes",
            kind="credit_note",
            path="CreditNotes",
            records_key="CreditNotes",
            id_field="CreditNoteID",
            params=_by_id("CreditNoteID"),
            description="Issued sales credit notes (ACCRECCREDIT) with their allocations",
            **common,
        ),
        HttpStream(
            name="overpayments",
            kind="payment",
            path="Overpayments",
            records_key="Overpayments",
            id_field="OverpaymentID",
            params=_by_id("OverpaymentID"),
            description="Received overpayments, as payments with their allocations",
            **common,
        ),
        HttpStream(
            name="prepayments",
            kind="payment",
            path="Prepayments",
            records_key="Prepayments",
            id_field="PrepaymentID",
            params=_by_id("PrepaymentID"),
            description="Received prepayments, as payments with their allocations",
            **common,
        ),
        HttpStream(
            name="time_entries",
            kind="time_entry",
            path="Projects",
            records_key="items",
            id_field="timeEntryId",
            cursor_field="dateUtc",
            duplicates="latest",
            description="Xero Projects time entries of every project, counted for the "
            "project's contact (only with projects=True; needs the projects.read scope)",
        ),
    )
    # Each list in ID order may repeat a page (see _by_id): its paginator knows its ids.
    return tuple(
        replace(stream, paginator=_paginator(page_size, id_field=stream.id_field))
        if stream.paginator is paginator else stream
        for stream in streams
    )


class XeroConnector(HttpConnector):
    """Sales invoices, payments, credit notes, over- and prepayments and contacts from Xero."""

    name: ClassVar[str] = "xero"
    summary: ClassVar[str] = (
        "Xero Accounting API: contacts, sales invoices, payments, credit notes, "
        "over- and prepayments"
    )
    streams: ClassVar[tuple[Stream, ...]] = _streams(1000)
    Options = XeroOptions
    # Xero's If-Modified-Since has one-second resolution: start a second early so that a
    # record changed in the cursor's own second is read again (and de-duplicated).
    lookback: ClassVar[timedelta] = timedelta(seconds=1)

    options: XeroOptions

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        opts = self.options
        streams = _streams(opts.page_size) if opts.page_size != 1000 else self.streams
        if not opts.projects:
            streams = tuple(s for s in streams if s.name != "time_entries")
        self.streams = streams  # type: ignore[misc]
        self.zone = ZoneInfo(opts.timezone)
        self._tenant_id: str | None = (
            opts.tenant_id.get_secret_value() if opts.tenant_id else None
        )
        self.start_sync()
        self.client = self.api_client(
            opts.base_url,
            auth=self._auth(),
            headers={"Accept": "application/json", "User-Agent": USER_AGENT},
            secrets=[self._tenant_id] if self._tenant_id else [],
        )

    def start_sync(self) -> None:
        """Forget what an earlier sync's contacts stream handed the sales streams: the merges
        it saw and the contacts it knew (:meth:`~clientguard.connector.Connector.start_sync`).
        Called as the connector is made and as each sync starts, so that a connector used for
        several syncs reads each as a fresh one does: a sync of ``invoices`` alone after a
        full one looks no contact up and yields no supplier-only Customer from the earlier
        sync, and a document is re-pointed only by a merge its own sync read."""
        self._merged_into: dict[str, str] = {}
        """Merges seen in this sync's contacts stream: merged id -> surviving id."""
        self._contacts: dict[str, Mapping[str, Any] | None] | None = None
        """In a sync that reads the contacts stream: each contact id known so far, with its
        raw contact when it is supplier-only by its flags (None: a customer the contacts
        stream yields, or a contact Xero does not have). A sales document naming a
        supplier-only contact yields it as a Customer (see :meth:`_name_contacts`)."""

    # ----------------------------------------------------------------- auth

    def _auth(self) -> Auth:
        opts = self.options
        secret = opts.client_secret.get_secret_value() if opts.client_secret else None
        access = opts.access_token.get_secret_value() if opts.access_token else None
        if opts.refresh_token is not None or opts.token_file is not None:
            return self._refresh_auth(secret, access)
        if access is not None:
            if opts.client_id or secret:
                raise ConfigError(
                    "xero: access_token with client_id/client_secret is ambiguous: for a fixed "
                    "token pass access_token alone; to refresh it pass refresh_token or "
                    "token_file too"
                )
            return BearerToken(access, when_refused=_WHEN_REFUSED)
        if opts.client_id and secret:
            return ClientCredentialsAuth(
                token_url=opts.token_url,
                client_id=opts.client_id,
                client_secret=secret,
                scope=opts.scope,
            )
        raise ConfigError(
            "xero: no credentials. Pass access_token= (a fixed token), or refresh_token= / "
            "token_file= with client_id= (refresh-token mode), or client_id= and "
            "client_secret= (a custom connection)"
        )

    def _refresh_auth(self, secret: str | None, access: str | None) -> Auth:
        opts = self.options
        if not opts.client_id:
            raise ConfigError("xero: refresh-token mode needs client_id=")
        refresh = opts.refresh_token.get_secret_value() if opts.refresh_token else None
        expires_at = None
        if refresh is None:
            assert opts.token_file is not None
            saved = load_token_file(opts.token_file)
            if not saved.refresh_token:
                raise ConfigError(
                    f"xero: token file {os.fspath(opts.token_file)!r} holds no refresh_token"
                )
            refresh = saved.refresh_token
            access = access or saved.access_token or None
            expires_at = saved.expires_at
        callback = opts.on_token_refresh
        if callback is None and opts.token_file is None:
            raise ConfigError(
                "xero: refresh-token mode needs on_token_refresh= or token_file=, so that "
                "the rotated refresh token is kept (the old one stops working)"
            )
        # Without on_token_refresh the token file is where the tokens live: the auth writes
        # it, and refreshes one process at a time through it. With it, the file is only read.
        return RefreshTokenAuth(
            token_url=opts.token_url,
            client_id=opts.client_id,
            client_secret=secret,
            refresh_token=refresh,
            on_refresh=callback,
            access_token=access,
            expires_at=expires_at,
            token_file=opts.token_file if callback is None else None,
            from_token_file=opts.refresh_token is None,
        )

    # ----------------------------------------------------------------- tenant

    def tenant_id(self) -> str:
        """The organisation to read: the option, else found through GET /connections."""
        if self._tenant_id is None:
            self._tenant_id = self._find_tenant()
            self.client.add_secret(self._tenant_id)
        return self._tenant_id

    def streams_left_out(self) -> dict[str, str]:
        """``time_entries`` when ``projects`` is off: a store then removes the time entries
        an earlier sync stored while it was on, which would otherwise keep counting hours in
        every review though nothing reads them again."""
        return {} if self.options.projects else {"time_entries": "projects = false"}

    def identity(self) -> dict[str, str]:
        """The organisation read (its tenant id: the option, else found through GET
        /connections): a source re-pointed at another organisation is another identity."""
        return {"tenant": self.tenant_id()}

    def _connections_url(self) -> str:
        if self.options.connections_url:
            return self.options.connections_url
        parts = urlsplit(self.options.base_url)
        return f"{parts.scheme}://{parts.netloc}/connections"

    def _find_tenant(self) -> str:
        response = self.client.get(self._connections_url(), stream="connections")
        body = decode_json(response, client=self.client, what="GET /connections")
        tenants = [
            t
            for t in (body if isinstance(body, list) else [])
            if isinstance(t, Mapping)
            and t.get("tenantId")
            and str(t.get("tenantType", "ORGANISATION")).upper() == "ORGANISATION"
        ]
        wanted = self.options.tenant_name
        if wanted is not None:
            tenants = [t for t in tenants if str(t.get("tenantName", "")).casefold()
                       == wanted.casefold()]
        if len(tenants) == 1:
            return str(tenants[0]["tenantId"])
        names = ", ".join(sorted(repr(str(t.get("tenantName", "?"))) for t in tenants))
        if not tenants:
            which = f" named {wanted!r}" if wanted else ""
            raise ConfigError(
                f"xero: the token is connected to no organisation{which}; connect the app to "
                "the organisation in Xero, or check tenant_name"
            )
        raise ConfigError(
            f"xero: the token can read several organisations ({names}); pass tenant_name= "
            "(or tenant_id=) to choose one"
        )

    # ----------------------------------------------------------------- requests

    def build_request(
        self, stream: HttpStream, *, since: datetime | None, page: Mapping[str, Any]
    ) -> HttpRequest:
        headers = {"xero-tenant-id": self.tenant_id()}
        if since is not None:
            headers["If-Modified-Since"] = if_modified_since(since)
        return HttpRequest("GET", stream.path, {**stream.params, **page}, headers)

    def before_request(self, stream: HttpStream) -> None:
        # Only counts still true now: a count read a window ago (a minute, a day) is
        # forgotten, however many answers without the headers came since.
        limits, now = self.client.rate_limits, self.client.clock()
        day = limits.get("X-DayLimit-Remaining", now=now, window=DAY)
        if day is not None and day <= self.options.min_day_remaining:
            raise RateLimitError(
                f"xero: {day} calls left of today's limit (min_day_remaining="
                f"{self.options.min_day_remaining}); the sync stops here and resumes from its "
                "cursor tomorrow",
                ErrorContext(connector=self.name, stream=stream.name),
            )
        minute = [
            v
            for v in (limits.get(header, now=now, window=MINUTE)
                      for header in ("X-MinLimit-Remaining", "X-AppMinLimit-Remaining"))
            if v is not None
        ]
        if minute and min(minute) <= 0:
            # The rest of the minute since the answer that said none was left: by then every
            # call it counted has left Xero's rolling window.
            seconds = MINUTE - limits.age(now)
            self.client.before_wait(seconds, "pacing: no calls left this minute")
            self.client.sleep(seconds)

    def cursor_of(self, stream: Stream, raw: Mapping[str, Any]) -> datetime | None:
        if stream.name == "time_entries":
            return projects.logged_at(raw)
        try:
            return mapping.updated_at(raw)
        except ValueError:
            return None

    def total_of(self, stream: HttpStream, body: Any) -> int | None:
        """``pagination.itemCount``: the records the query matches (sent with ``page``)."""
        pagination = body.get("pagination") if isinstance(body, Mapping) else None
        count = pagination.get("itemCount") if isinstance(pagination, Mapping) else None
        if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
            return count
        return None

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        try:
            yield from self._read(stream, since)
        except AuthError as exc:
            if exc.status != 403:
                raise  # a 401 says what to do already (refresh, or the fixed token's options)
            said = str(exc).removesuffix(f" ({exc.context.describe()})")
            raise AuthError(f"{said}. Xero refused the call: {_FORBIDDEN}", exc.context) from None

    def _read(self, stream: Stream, since: datetime | None) -> Iterator[RawPage]:
        if stream.name == "time_entries" and isinstance(stream, HttpStream):
            yield from self._project_time(stream, since)
            return
        if stream.name == "customers":
            self._contacts = {}  # a new sync: contacts are known afresh
        reading = _BadDebtReading()  # this read's: the chart and credit notes read once
        for page in super().fetch(stream, since=since):
            if stream.name == "customers":
                for raw in page.records:
                    merged_into = raw.data.get("MergedToContactID")
                    if merged_into and raw.data.get("ContactID"):
                        self._merged_into[str(raw.data["ContactID"])] = str(merged_into)
                    self._know(raw.data)
            elif stream.name in SALES_STREAMS and self._contacts is not None:
                page = self._name_contacts(stream, page)
            if stream.name == "invoices":
                page = self._mark_written_off(stream, page, reading)
            elif stream.name == "credit_notes":
                page = self._mark_bad_debt_accounts(stream, page, reading)
            yield page

    def _know(self, contact: Mapping[str, Any]) -> None:
        """Remember a contact read (the contacts stream, or fetched by id)."""
        ident = contact.get("ContactID")
        if self._contacts is None or not isinstance(ident, str) or not ident.strip():
            return
        try:
            supplier = mapping.supplier_only(contact)
        except ValueError:  # a flag that is no flag: the contacts stream rejects it
            supplier = False
        self._contacts[ident.strip()] = contact if supplier else None

    def _name_contacts(self, stream: Stream, page: RawPage) -> RawPage:
        """The page, each sales document naming a supplier-only contact carrying that contact
        (:data:`NAMED_CONTACT`), so that it yields it as a Customer.

        Contacts the sync has not read (an incremental sync reads only those changed since)
        are fetched by id, :data:`IDS_PER_CALL` a call, once a sync."""
        assert self._contacts is not None
        named = {raw_id: self.resolve_contact(raw_id) for raw in page.records
                 if (raw_id := _sale_contact(stream.name, raw.data)) is not None}
        unknown = sorted({c for c in named.values() if c not in self._contacts})
        for start in range(0, len(unknown), IDS_PER_CALL):
            chunk = unknown[start : start + IDS_PER_CALL]
            for ident in chunk:
                self._contacts[ident] = None  # not found: nothing to name
            for found in self._contacts_by_id(stream, chunk):
                self._know(found)
        records = []
        for raw in page.records:
            raw_id = _sale_contact(stream.name, raw.data)
            contact = self._contacts.get(named[raw_id]) if raw_id is not None else None
            if contact is not None:
                raw = RawRecord({**raw.data, NAMED_CONTACT: contact}, raw.location)
            records.append(raw)
        return replace(page, records=tuple(records))

    # ----------------------------------------------------------------- bad debts

    def _bad_debt_codes(self, stream: Stream, reading: _BadDebtReading) -> frozenset[str] | str:
        """The codes of the organisation's bad-debt accounts (``GET /Accounts``, once a read
        of the stream, and only once a page needs it), or why they could not be told (Xero
        refused the chart: HTTP 403, the app lacks ``accounting.settings.read``). Codes the
        ``bad_debt_accounts`` option lists count either way.

        Raises:
            MissingRecords: Xero answered without the chart (a body that is not an object
                holding the ``Accounts`` list of objects), named as the call for the stream.
        """
        if reading.codes is not None:
            return reading.codes
        assert isinstance(stream, HttpStream)
        configured = self.options.bad_debt_accounts
        self.before_request(stream)
        try:
            response = self.client.request(
                "GET", "Accounts", headers={"xero-tenant-id": self.tenant_id()},
                stream=stream.name)
        except AuthError as exc:
            if exc.context.status != 403:
                raise
            listed = bad_debts.bad_debt_codes((), configured)
            reading.codes = listed or "Xero refused to show the chart of accounts (HTTP 403)"
            return reading.codes
        label = f"GET Accounts for {stream.name}"
        body = decode_json(response, client=self.client, what=label, stream=stream.name)
        try:
            accounts = records_in(body, "Accounts")
        except MissingRecords as exc:
            # A body without the chart is not a chart without bad-debt accounts: read so,
            # every write-off would silently become a credit (the invoice settled).
            raise self.missing_records(exc, stream=stream.name, page=label,
                                       response=response) from None
        reading.codes = bad_debts.bad_debt_codes(accounts, configured)
        return reading.codes

    def _mark_bad_debt_accounts(
        self, stream: Stream, page: RawPage, reading: _BadDebtReading
    ) -> RawPage:
        """The page, each issued sales credit note allocated to invoices carrying the codes
        of the bad-debt accounts (:data:`~.bad_debts.BAD_DEBT_ACCOUNTS_KEY`), so that what it
        wrote off is not read as a credit; where the chart could not be read, the page
        carries a note per such credit note saying what to allow."""
        allocated = [raw for raw in page.records if _allocated_credit(raw.data)]
        if not allocated:
            return page
        codes = self._bad_debt_codes(stream, reading)
        if isinstance(codes, str):
            notes = tuple(_unread_note(raw.data, codes) for raw in allocated)
            return replace(page, notes=(*page.notes, *notes))
        if not codes:
            return page
        listed = sorted(codes)
        records = tuple(
            RawRecord({**raw.data, bad_debts.BAD_DEBT_ACCOUNTS_KEY: listed}, raw.location)
            if _allocated_credit(raw.data) else raw
            for raw in page.records)
        return replace(page, records=records)

    def _mark_written_off(
        self, stream: Stream, page: RawPage, reading: _BadDebtReading
    ) -> RawPage:
        """The page, each sales invoice a credit note to a bad-debt account wrote off carrying
        those write-offs (:data:`~.bad_debts.WRITTEN_OFF_KEY`). The credit notes an invoice
        lists (its ``CreditNotes``, with ``AppliedAmount``) are read by id, whatever the credit
        notes stream's cursor (an invoice and the credit note that wrote it off may come in
        different syncs), once a read of the stream."""
        named = {raw.data["InvoiceID"]: ids for raw in page.records
                 if (ids := _credits_applied(raw.data)) and isinstance(
                     raw.data.get("InvoiceID"), str)}
        if not named:
            return page
        codes = self._bad_debt_codes(stream, reading)
        if isinstance(codes, str) or not codes:
            return page  # the credit notes stream notes a chart it could not read
        unread = sorted({i for ids in named.values() for i in ids} - reading.credit_notes.keys())
        for ident in unread:
            reading.credit_notes[ident] = ()  # not returned, or no id Xero gives: a credit
        asked = [i for i in unread if _GUID.match(i)]
        for start in range(0, len(asked), CREDIT_NOTES_PER_CALL):
            chunk = asked[start:start + CREDIT_NOTES_PER_CALL]
            for credit in self._credit_notes_by_id(stream, chunk):
                credit_id = credit.get("CreditNoteID")
                if isinstance(credit_id, str) and credit_id in reading.credit_notes:
                    try:
                        reading.credit_notes[credit_id] = mapping.credit_note_write_offs(
                            credit, codes)
                    except (DataError, ValueError, KeyError):
                        continue  # the credit notes stream rejects it, naming the fault
        records = []
        for raw in page.records:
            invoice_id = str(raw.data.get("InvoiceID"))
            written = [w.to_raw() for credit_id in named.get(invoice_id, ())
                       for w in reading.credit_notes.get(credit_id, ())
                       if w.invoice_id == invoice_id]
            records.append(RawRecord({**raw.data, bad_debts.WRITTEN_OFF_KEY: written},
                                     raw.location) if written else raw)
        return replace(page, records=tuple(records))

    def _credit_notes_by_id(self, stream: Stream, ids: Sequence[str]) -> list[Mapping[str, Any]]:
        """``GET /CreditNotes?where=CreditNoteID==Guid("...") OR ...``, paged, with their
        lines and allocations (ids are GUIDs only: nothing else reaches the filter)."""
        credit_stream = next(s for s in self.streams if s.name == "credit_notes")
        assert isinstance(credit_stream, HttpStream)
        where = " OR ".join(f'CreditNoteID==Guid("{i}")' for i in ids if _GUID.match(i))
        by_id = replace(credit_stream, name=stream.name,
                        params={**credit_stream.params, "where": where})
        return [raw.data for page in super().fetch(by_id, since=None) for raw in page.records]

    def _contacts_by_id(self, stream: Stream, ids: Sequence[str]) -> list[Mapping[str, Any]]:
        """``GET /Contacts?IDs=...`` (archived ones too): the contacts of these ids."""
        assert isinstance(stream, HttpStream)
        self.before_request(stream)
        response = self.client.request(
            "GET", "Contacts", params={"IDs": ",".join(ids), "includeArchived": "true"},
            headers={"xero-tenant-id": self.tenant_id()}, stream=stream.name,
        )
        label = f"GET Contacts by id for {stream.name}"
        body = decode_json(response, client=self.client, what=label, stream=stream.name)
        contacts = body.get("Contacts") if isinstance(body, Mapping) else None
        if not isinstance(contacts, list):
            return []
        return [c for c in contacts if isinstance(c, Mapping)]

    def _project_time(self, stream: HttpStream, since: datetime | None) -> Iterator[RawPage]:
        """Every project (both states), then each project's time entries, page by page; an
        incremental read asks for entries logged from ``projects_resync_days`` before the
        cursor (``dateAfterUtc``). Each entry carries its project's contact."""
        root = self.options.projects_url.rstrip("/")
        size = min(self.options.page_size, PROJECTS_PAGE_SIZE)
        query: dict[str, Any] = {}
        if since is not None:
            after = since - timedelta(days=self.options.projects_resync_days)
            query["dateAfterUtc"] = if_modified_since(after)
        listed = [
            project
            for page in self._pages(stream, f"{root}/Projects", "Projects",
                                    {"states": "INPROGRESS,CLOSED"}, size, "projectId")
            for project in page
        ]
        for number, project in enumerate(listed, start=1):
            ident = project.get("projectId")
            if not isinstance(ident, str) or not ident:
                continue
            contact = project.get("contactId")
            path = f"Projects/{quote(ident, safe='')}/Time"
            pages = self._pages(stream, f"{root}/{path}", path, query, size, "timeEntryId")
            for page_number, entries in enumerate(pages, start=1):
                if not entries:
                    continue
                records = [{**entry, projects.CONTACT_KEY: contact} for entry in entries]
                where = Location(detail=f"GET {path} page={page_number}")
                yield RawPage.of(records, where, last=False, read=number, total=len(listed))
        yield RawPage((), last=True)

    def _pages(
        self, stream: HttpStream, url: str, path: str, params: Mapping[str, Any], size: int,
        id_key: str,
    ) -> Iterator[list[Mapping[str, Any]]]:
        """The ``items`` of each page of a Projects API list, until ``pageCount``.

        ``page`` is a position in the list: an item deleted while the pages are read (``DELETE
        /Projects/{id}/Time/{id}``, a project deleted) moves every item after it up a place,
        and an untouched one would cross onto a page already read, unseen (a full read of
        time entries then drops it from the store). So each page after the first is checked
        at its boundary (:meth:`_check_boundary`, by the items' ``id_key``), and a list that
        moved stops the read with :class:`~clientguard.http.SourceChanged`. Only a page that
        came with ``pagination`` is checked: one without may come from a Projects API that
        did not take ``pageSize`` (see :class:`_XeroPaginator`), which would not take the
        check's ``pageSize=1`` either."""
        paginator = _paginator(size, PROJECTS_CLASSIC_PAGE)()
        boundaries = PageBoundaries()
        page: Mapping[str, Any] | None = paginator.first()
        while page is not None:
            self.before_request(stream)
            response = self.client.request(
                "GET", url, params={**params, **page},
                headers={"xero-tenant-id": self.tenant_id()}, stream=stream.name,
            )
            label = f"page {paginator.pages + 1} of {path}"
            body = decode_json(response, client=self.client, what=label, stream=stream.name)
            try:
                records = list(self.records_of(stream, body))
                page = paginator.advance(response, body, records)
            except MissingRecords as exc:
                raise self.missing_records(exc, stream=stream.name, page=label,
                                           response=response) from None
            due = boundaries.take([str(r.get(id_key)) for r in records])
            if due is not None and _page_count(body) is not None:
                self._check_boundary(stream, url, path, params, id_key, due)
            yield records

    def _check_boundary(
        self, stream: HttpStream, url: str, path: str, params: Mapping[str, Any],
        id_key: str, due: Boundary,
    ) -> None:
        """Ask the Projects list (``params``) for the one item at ``due.place`` (``page=<place>
        &pageSize=1``); raise :class:`~clientguard.http.SourceChanged` unless it is
        ``due.expected``, the last item read."""
        label = f"place {due.place} of {path}"
        self.before_request(stream)
        response = self.client.request(
            "GET", url, params={**params, "page": due.place, "pageSize": 1},
            headers={"xero-tenant-id": self.tenant_id()}, stream=stream.name,
            what=f"GET {label}")
        body = decode_json(response, client=self.client, what=label, stream=stream.name)
        try:
            there = self.records_of(stream, body)
        except MissingRecords as exc:
            raise self.missing_records(exc, stream=stream.name, page=label,
                                       response=response) from None
        if not there or str(there[0].get(id_key)) != due.expected:
            what = "projects" if path == "Projects" else f"time entries of {path}"
            raise SourceChanged(
                f"Xero Projects' {what} changed while their pages were read: after page "
                f"{due.page}, place {due.place} of the list no longer held the last item read "
                f"({id_key} {due.expected}) (most likely one was deleted in Xero during the "
                "sync)",
                ErrorContext(connector=self.name, stream=stream.name),
            )

    def resolve_contact(self, contact_id: str) -> str:
        """The contact that survives ``contact_id`` after merges seen in this sync."""
        seen = {contact_id}
        while contact_id in self._merged_into:
            contact_id = self._merged_into[contact_id]
            if contact_id in seen:  # a merge cycle: stop rather than loop
                break
            seen.add(contact_id)
        return contact_id

    # ----------------------------------------------------------------- mapping

    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        resolve = self.resolve_contact
        if stream.name == "customers":
            return mapping.contact_to_customer(raw, resolve)
        if stream.name in SALES_STREAMS:
            return self._sale(stream, raw)
        if stream.name == "time_entries":
            return projects.time_entry_from_project(raw, resolve, self.zone)
        return Skip(f"stream {stream.name} is not mapped")


    def _sale(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        """A sales document, and the supplier-only contact it names as a Customer (a record
        derived from the document: it leaves the store with the last document naming it)."""
        resolve = self.resolve_contact
        rates = self.options.use_xero_rates
        to_model = {
            "invoices": mapping.invoice_to_model,
            "payments": mapping.payment_to_model,
            "credit_notes": mapping.credit_note_to_model,
            "overpayments": mapping.overpayment_to_model,
            "prepayments": mapping.prepayment_to_model,
        }[stream.name]
        document = to_model(raw, resolve, use_rates=rates)
        contact = raw.get(NAMED_CONTACT)
        if isinstance(document, Skip) or not isinstance(contact, Mapping):
            return document
        try:
            customer = mapping.contact_to_customer(contact, resolve, named_by_sale=True)
        except (ValueError, KeyError):  # the contact's own faults: the document stands
            return document
        if isinstance(customer, Skip) or customer.id != document.customer_id:
            return document
        return (document, customer)


_SALE_TYPES = {
    "invoices": ("ACCREC",),
    "credit_notes": ("ACCRECCREDIT",),
    "overpayments": ("RECEIVE",),  # RECEIVE-OVERPAYMENT, RECEIVE-PREPAYMENT
    "prepayments": ("RECEIVE",),
}


def _sale_contact(stream: str, raw: Mapping[str, Any]) -> str | None:
    """The contact id a sales document names (a payment's, through its invoice); None for a
    document of a purchase (a bill's payment, a spend-money prepayment) or none named."""
    document: Mapping[str, Any] | None = raw
    if stream == "payments":
        if raw.get("PaymentType") != "ACCRECPAYMENT":
            return None
        invoice = raw.get("Invoice")
        document = invoice if isinstance(invoice, Mapping) else None
    elif not str(raw.get("Type") or "").startswith(_SALE_TYPES.get(stream, ("\0",))):
        return None
    contact = document.get("Contact") if document is not None else None
    ident = contact.get("ContactID") if isinstance(contact, Mapping) else None
    return ident.strip() if isinstance(ident, str) and ident.strip() else None


class _BadDebtReading:
    """What one read of a stream learnt of bad debts: the codes of the bad-debt accounts (or
    why they could not be told; None: not read yet) and, by credit note id, what each credit
    note read by id wrote off."""

    def __init__(self) -> None:
        self.codes: frozenset[str] | str | None = None
        self.credit_notes: dict[str, tuple[bad_debts.WriteOff, ...]] = {}


def _allocated_credit(raw: Mapping[str, Any]) -> bool:
    """An issued sales credit note with allocations: one that may have written off."""
    allocations = raw.get("Allocations")
    return (raw.get("Type") == "ACCRECCREDIT" and raw.get("Status") in ("AUTHORISED", "PAID")
            and isinstance(allocations, list) and bool(allocations))


def _credits_applied(raw: Mapping[str, Any]) -> tuple[str, ...]:
    """The ids of the credit notes a sales invoice lists as applied to it (``CreditNotes``
    with an ``AppliedAmount`` above 0)."""
    if raw.get("Type") != "ACCREC" or not isinstance(raw.get("CreditNotes"), list):
        return ()
    found = []
    for credit in raw["CreditNotes"]:
        if not isinstance(credit, Mapping):
            continue
        ident, applied = credit.get("CreditNoteID"), credit.get("AppliedAmount")
        try:
            positive = applied is None or Decimal(str(applied)) > 0
        except ArithmeticError:
            positive = True  # asked anyway; the credit note itself says what it applied
        if isinstance(ident, str) and ident.strip() and positive:
            found.append(ident.strip())
    return tuple(found)


def _unread_note(raw: Mapping[str, Any], why: str) -> str:
    """The note on a credit note read as a credit because its accounts could not be told."""
    ident = raw.get("CreditNoteID")
    number = raw.get("CreditNoteNumber")
    named = f" ({number!r})" if isinstance(number, str) and 0 < len(number) <= 60 else ""
    return (
        f"credit_notes: credit note {ident}{named} is read as a credit applied to its "
        f"invoices on its allocations' dates: whether it wrote off a bad debt (a line coded to "
        f"a Bad Debts account) could not be told ({why}). If it did, allow the app the "
        "accounting.settings.read scope (or list the account's code in bad_debt_accounts), "
        "then run `clientguard sync --full`"
    )


def if_modified_since(since: datetime) -> str:
    """The ``If-Modified-Since`` value: UTC, to the second, as the spec's date-time format."""
    return since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
