"""The Harvest connector: time entries (API v2), incremental by ``updated_since``.

::

    import clientguard as cg

    conn = cg.connectors.load("harvest")(
        account_id="123456", access_token="...", user_agent="clientguard (you@example.com)"
    )

Reading (https://help.getharvest.com/api-v2/):

* ``GET /v2/time_entries`` with ``Authorization: Bearer <token>``, ``Harvest-Account-Id``
  and a ``User-Agent`` naming the application and a contact (Harvest requires all three).
* Paging: ``per_page`` (up to 2000), and the ``cursor`` of the body's ``links.next`` where
  it has one, else the page number ``next_page``; null on the last page. Every read is
  checked against ``total_entries``: a list that changed while it was read (an entry whose
  ``spent_date`` moved it onto a page already read, by cursor or by number) stops the read
  (:class:`SourceChanged`, run the sync again) instead of missing an entry.
* Incremental: ``updated_since`` (ISO 8601) from the stream's cursor, which is the latest
  ``updated_at`` seen; the first read is a full one (from ``from_date`` when given).
* Rate limits: 100 requests per 15 seconds; over it Harvest answers 429 with
  ``Retry-After``, which :class:`clientguard.http.ApiClient` waits out.
* Deletions: a deleted entry is not in an incremental read (Harvest lists no deletions);
  a full read (``clientguard sync --full``) replaces the stream's entries and drops it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import requests
from pydantic import Field, SecretStr

from clientguard.connector import ConnectorOptions, Mapped, RawPage, Stream
from clientguard.errors import AuthError, ErrorContext
from clientguard.http import (
    BearerToken,
    HttpConnector,
    HttpOptions,
    HttpRequest,
    HttpStream,
    MissingRecords,
    Paginator,
)
from clientguard.http.paging import SourceChanged
from clientguard_harvest.mapping import SOURCE, time_entry_from_harvest

__all__ = [
    "MAX_PAGE_SIZE",
    "HarvestConnector",
    "HarvestOptions",
    "HarvestPaginator",
    "SourceChanged",
]

MAX_PAGE_SIZE = 2000
"""Harvest's largest ``per_page``."""

_CREDENTIALS_HELP = (
    "check access_token (a personal access token: Harvest ID > Developers > Create new "
    "personal access token, of an administrator or a manager of the projects) and account_id "
    "(the Account ID shown next to the token)"
)


class HarvestOptions(HttpOptions):
    """Options of the Harvest connector (keyword arguments)."""

    account_id: SecretStr
    """The Harvest account id (Harvest ID > Developers > Personal access tokens shows it);
    sent as ``Harvest-Account-Id``, never shown."""
    access_token: SecretStr
    """A personal access token (or an OAuth access token) of a user who sees every
    project's time (an administrator, or a manager of the projects)."""
    user_agent: str = Field(default="clientguard-harvest", min_length=1)
    """The ``User-Agent`` Harvest requires: the application and a way to reach you, e.g.
    ``clientguard (you@example.com)``."""
    base_url: str = "https://api.harvestapp.com/v2"
    """Where the API is; point it at a proxy or a local test server."""
    from_date: date | None = None
    """Read only entries worked on or after this day (Harvest's ``from``); None: all."""
    page_size: int = Field(default=MAX_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    """Entries per request (1..2000)."""


class HarvestPaginator(Paginator):
    """Harvest's paging: the ``cursor`` of the body's ``links.next`` when it has one (Harvest's
    cursor paging), else the page number ``next_page``; neither on the last page.

    An empty page that still names a next one is :class:`~clientguard.http.MissingRecords`:
    Harvest counts the pages (``total_pages``), so the entries of that page were lost on the
    way, and ending the read there would take the stream for complete.

    The page number is a position, so a list that changes between two requests (an entry
    deleted, added or moved on a page already read) shifts the pages after it, and an entry
    can cross onto a page already read unseen. A read that follows page numbers therefore
    checks Harvest's own count, ``total_entries`` (the entries the query matches, on every
    page): a count that differs from the first page's, or a read that ends with fewer
    distinct entry ids than the last page counts, is :class:`SourceChanged` (try again),
    never a stream taken for complete.

    Cursor pages (``links.next``) name the last entry read, not a position, so an entry
    deleted or added does not shift them; but Harvest sorts time entries by ``spent_date``
    (and lets no one sort otherwise), so an entry whose ``spent_date`` is edited during the
    read can sort onto a page already read and never be served. A read by cursor is
    therefore checked at its end as well: fewer distinct entry ids than the last page's
    ``total_entries`` is :class:`SourceChanged`. (Counts that differ between cursor pages
    alone stop nothing: an entry added or deleted loses none by cursor.)

    Why not the shared boundary checks of :mod:`clientguard.http.paging`
    (:class:`~clientguard.http.PageBoundaries`, :class:`~clientguard.http.PageOverlaps`):
    they hold for a list read by position in an order no edit changes. Harvest pages mostly
    by cursor, which is no position, and sorts by ``spent_date``, which an edit changes; it
    gives instead a count of the list on every page, which catches what a boundary check
    would not (an entry moved to a day on a page already read), with no extra request."""

    def __init__(self, size: int, context: ErrorContext | None = None) -> None:
        super().__init__()
        self.size = size
        self.context = context
        self.counted: int | None = None
        """``total_entries`` of the first page: what every later page must count too."""
        self.by_number = False
        """Whether the page being read was asked for by its number (``next_page``)."""
        self.ids: set[str] = set()
        """The distinct entry ids read so far (a shifted list can serve one twice)."""
        self.previous_ids: list[str] | None = None
        """The entry ids of the page before, in its order."""

    def first(self) -> dict[str, Any]:
        return {"per_page": self.size}

    def advance(
        self, response: requests.Response, body: Any, records: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any] | None:
        """The shared :meth:`~clientguard.http.Paginator.advance`, after two checks of a
        page read by its number: the count check, and a page that repeats the one before
        (its entry ids, in order). A whole page of entries added before it, or moved before
        it by an edited ``spent_date`` (the count unchanged), makes it repeat the page
        before: the list changed (:class:`SourceChanged`, run the sync again), not Harvest
        ignoring the paging (the loop error the repeat would give)."""
        if self.by_number and isinstance(body, Mapping):
            self._count_changed(body, self.pages + 1)
        ids = [str(r.get("id")) for r in records]
        if self.by_number and ids and ids == self.previous_ids:
            raise SourceChanged(
                f"Harvest's time entries changed while they were read by page number: page "
                f"{self.pages + 1} repeats page {self.pages} (entries moved by an edited "
                "spent_date, Harvest's order, or a page of them added before it; if every "
                "sync stops here the same way, something between clientguard and Harvest "
                "ignores the page parameter)",
                self.context,
            )
        self.previous_ids = ids
        return super().advance(response, body, records)

    def _count_changed(self, body: Mapping[str, Any], page: int) -> None:
        """Raise :class:`SourceChanged` when page ``page``, read by its number, counts other
        than page 1 did."""
        total = _count(body)
        if self.counted is not None and total is not None and total != self.counted:
            raise SourceChanged(
                f"Harvest's time entries changed while they were read by page number: page 1 "
                f"counted {self.counted} entries, page {page} counts {total}",
                self.context,
            )

    def _next(
        self, response: requests.Response, body: Any, records: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any] | None:
        if not isinstance(body, Mapping):
            return None
        links = body.get("links")
        following = links.get("next") if isinstance(links, Mapping) else None
        cursor = (parse_qs(urlsplit(following).query).get("cursor")
                  if isinstance(following, str) and following else None)
        number = body.get("next_page")
        if number is not None and isinstance(number, bool):
            number = None
        if (cursor or number is not None) and not records:
            pages = body.get("total_pages")
            counted = (f"counts {pages} pages and " if isinstance(pages, int)
                       and not isinstance(pages, bool) else "")
            raise MissingRecords(f"an empty list, though Harvest {counted}names a next page")
        self._check_count(body, records, last=not cursor and number is None)
        if cursor:
            self.by_number = False
            return {"per_page": self.size, "cursor": cursor[0]}
        if number is None:
            return None
        self.by_number = True
        return {"per_page": self.size, "page": str(number)}

    def _check_count(
        self, body: Mapping[str, Any], records: Sequence[Mapping[str, Any]], *, last: bool
    ) -> None:
        """Raise :class:`SourceChanged` when a page read by its number shows that the list
        changed since the first page, or a read (by number or by cursor) ends with fewer
        distinct entries than Harvest counts (see the class)."""
        self.ids.update(str(r["id"]) for r in records if r.get("id") is not None)
        total = _count(body)
        if self.pages == 1:
            self.counted = total
            return
        if total is None:
            return
        how = "by page number" if self.by_number else "by cursor"
        if self.by_number:
            self._count_changed(body, self.pages)
        if last and len(self.ids) < total:
            moved = ("" if self.by_number else " (Harvest sorts them by spent_date: an entry "
                     "whose date was edited during the read sorts onto a page already read)")
            raise SourceChanged(
                f"Harvest's time entries changed while they were read {how}: "
                f"Harvest counts {total} entries, the {self.pages} pages held "
                f"{len(self.ids)} different ones{moved}",
                self.context,
            )


def _count(body: Mapping[str, Any]) -> int | None:
    """Harvest's ``total_entries`` of a page, when it is a count."""
    found = body.get("total_entries")
    return (found if isinstance(found, int) and not isinstance(found, bool) and found >= 0
            else None)


class HarvestConnector(HttpConnector):
    """Harvest: time entries with their client (matched to a customer by name).

    Options: see :class:`HarvestOptions`; ``clock`` and ``progress`` as for every connector.
    """

    name: ClassVar[str] = SOURCE
    summary: ClassVar[str] = "Harvest: time entries with their client"
    Options: ClassVar[type[ConnectorOptions]] = HarvestOptions
    lookback: ClassVar[timedelta] = timedelta(minutes=5)
    streams: ClassVar[tuple[Stream, ...]] = (
        HttpStream(
            name="time_entries",
            kind="time_entry",
            path="time_entries",
            records_key="time_entries",
            id_field="id",
            cursor_field="updated_at",
            duplicates="latest",
            description="Time entries, with the client's name (matched to a customer by the "
            "ledger), the user and whether billable.",
        ),
    )

    options: HarvestOptions

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        opts = self.options
        account = opts.account_id.get_secret_value().strip()
        self.client = self.api_client(
            opts.base_url,
            # A refused token's error says what to do (_CREDENTIALS_HELP), not OAuth's
            # refresh options, which this connector has none of.
            auth=BearerToken(opts.access_token.get_secret_value().strip(), when_refused=None),
            headers={
                "Accept": "application/json",
                "Harvest-Account-Id": account,
                "User-Agent": opts.user_agent,
            },
            secrets=(account,),
        )

    def build_request(
        self, stream: HttpStream, *, since: datetime | None, page: Mapping[str, Any]
    ) -> HttpRequest:
        params: dict[str, Any] = {**stream.params, **page}
        if since is not None:
            params["updated_since"] = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if self.options.from_date is not None:
            params["from"] = self.options.from_date.isoformat()
        return HttpRequest("GET", stream.path, params)

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        if not isinstance(stream, HttpStream):
            raise TypeError(f"stream {stream.name!r} is not an HttpStream")
        size = self.options.page_size
        context = ErrorContext(connector=self.name, stream=stream.name)
        paged = replace(stream, paginator=lambda: HarvestPaginator(size, context))
        try:
            yield from super().fetch(paged, since=since)
        except AuthError as exc:
            said = str(exc).removesuffix(f" ({exc.context.describe()})")
            raise AuthError(f"{said}. Harvest refused the token: {_CREDENTIALS_HELP}",
                            exc.context) from None

    def total_of(self, stream: HttpStream, body: Any) -> int | None:
        """Harvest's ``total_entries``: the entries the query matches, on every page."""
        total = body.get("total_entries") if isinstance(body, Mapping) else None
        if isinstance(total, int) and not isinstance(total, bool) and total >= 0:
            return total
        return None

    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        return time_entry_from_harvest(raw)
