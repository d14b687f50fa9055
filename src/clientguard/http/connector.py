"""The HTTP connector base: :class:`HttpStream`, :class:`HttpRequest`, :class:`HttpConnector`.

It puts :class:`~clientguard.http.ApiClient` under the framework of
:mod:`clientguard.connector`: a stream declares its path and a paginator factory, and the
connector's :meth:`~HttpConnector.fetch` pages with a fresh paginator per call.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import requests

from clientguard.connector import Connector, ProgressEvent, RawPage, Stream
from clientguard.errors import ApiError, ConfigError, ErrorContext
from clientguard.http.classify import Classifier, request_id_of
from clientguard.http.client import ApiClient, Auth, WaitCallback, decode_json
from clientguard.http.options import HttpOptions
from clientguard.http.paging import MissingRecords, Paginator, SinglePagePaginator, records_in
from clientguard.http.redact import secret_name
from clientguard.i18n import gettext
from clientguard.records import Location

__all__ = ["HttpConnector", "HttpRequest", "HttpStream"]


@dataclass(frozen=True, kw_only=True)
class HttpStream(Stream):
    """A stream read from one HTTP endpoint."""

    path: str
    """Relative to the connector's base URL, e.g. ``Invoices``."""
    records_key: str | None = None
    """Where the list sits in the JSON body (None: the body is the list)."""
    params: Mapping[str, str] = field(default_factory=dict)
    """Query parameters sent on every page (filters, ordering)."""
    paginator: Callable[[], Paginator] = SinglePagePaginator
    """Builds a fresh paginator for each read."""


@dataclass(frozen=True, repr=False)
class HttpRequest:
    """One request as data: what :meth:`HttpConnector.build_request` returns.

    Its repr (and ``str``) never shows a credential: the value of a query parameter or a
    header whose name carries one (Fakturownia's ``api_token``, Xero's ``xero-tenant-id``:
    :func:`clientguard.http.redact.secret_name`) shows as ``'**********'``, as a
    ``SecretStr`` does; the fields themselves hold the values the request sends.
    """

    method: str
    path: str
    params: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        params = {k: _MASK if secret_name(str(k)) else v for k, v in self.params.items()}
        headers = {k: _MASK if secret_name(str(k)) else v for k, v in self.headers.items()}
        return (f"HttpRequest(method={self.method!r}, path={self.path!r}, params={params!r}, "
                f"headers={headers!r})")


_MASK = "**********"


class HttpConnector(Connector):
    """A connector over an HTTP API: :meth:`fetch` pages each :class:`HttpStream`.

    Subclasses set ``self.client``, built with :meth:`api_client` from their options (a
    subclass of :class:`~clientguard.http.HttpOptions`), and may override the pure hooks
    :meth:`build_request` (e.g. to send the cursor) and :meth:`records_of`, and
    :meth:`before_request` to pace themselves on :attr:`ApiClient.rate_limits`.
    """

    client: ApiClient

    def api_client(
        self,
        base_url: str,
        *,
        auth: Auth | None = None,
        headers: Mapping[str, str] | None = None,
        classifier: Classifier | None = None,
        secrets: Iterable[str] = (),
        backoff_cap: float = 60.0,
        client_class: type[ApiClient] = ApiClient,
    ) -> ApiClient:
        """The connector's :class:`ApiClient`: the one way to build it.

        The options' ``timeout``, ``max_attempts``, ``max_wait``, ``max_body``,
        ``max_read_seconds`` and ``sleep``
        (:class:`~clientguard.http.HttpOptions`), the connector's name, clock and progress
        (waits are reported as progress events) go in; what is the source's own is passed
        here: the API's root, its auth and headers, its ``classifier`` when it has rules of
        its own (see :func:`~clientguard.http.classify`), the values to scrub besides the
        auth's tokens (a tenant id, a token sent in the query string), and ``client_class``
        for a client subclass.
        """
        opts = self.options
        if not isinstance(opts, HttpOptions):
            raise ConfigError(
                f"connector {self.name!r}: its Options must subclass clientguard.http.HttpOptions "
                "to build an ApiClient with api_client()"
            )
        return client_class(
            base_url,
            auth=auth,
            headers=headers,
            connector=self.name,
            timeout=opts.timeout,
            max_attempts=opts.max_attempts,
            max_wait=opts.max_wait,
            max_body=opts.max_body,
            max_read_seconds=opts.max_read_seconds,
            backoff_cap=backoff_cap,
            sleep=time.sleep if opts.sleep is None else opts.sleep,
            clock=self.clock,
            on_wait=self.wait_reporter(),
            secrets=secrets,
            classifier=classifier,
        )

    def build_request(
        self, stream: HttpStream, *, since: datetime | None, page: Mapping[str, Any]
    ) -> HttpRequest:
        """The request for one page. The default ignores ``since``: override to send it."""
        return HttpRequest("GET", stream.path, {**stream.params, **page})

    def records_of(self, stream: HttpStream, body: Any) -> Sequence[Mapping[str, Any]]:
        """The raw records in a decoded body: the list under ``stream.records_key``
        (:func:`~clientguard.http.records_in`). An empty list is an empty page.

        Raises:
            MissingRecords: the body holds no such list (an empty body, ``null``, an object
                without the key, a text); :meth:`fetch` names the page and the stream.
        """
        return records_in(body, stream.records_key)

    def missing_records(
        self, exc: MissingRecords, *, stream: str, page: str, response: requests.Response
    ) -> MissingRecords:
        """``exc`` again, naming the connector, the stream, the page (``page 2 of
        invoices``), the HTTP status and the API's request id (and keeping its ``advice``):
        what a connector that pages by itself raises when a page comes without its
        records. Every text in it is scrubbed of the client's secrets: a connector's ``why``
        may quote what the API echoed (a token, a tenant id)."""
        request_id = request_id_of(response)
        return MissingRecords(
            self.client.scrub(exc.why),
            ErrorContext(
                connector=self.name,
                stream=stream,
                status=response.status_code,
                request_id=self.client.scrub(request_id) if request_id else None,
            ),
            page=self.client.scrub(page),
            advice=self.client.scrub(exc.advice) if exc.advice else None,
        )

    def before_request(self, stream: HttpStream) -> None:
        """Called before every page request; pace here on ``self.client.rate_limits``."""

    def total_of(self, stream: HttpStream, body: Any) -> int | None:
        """The number of records the whole stream holds, when the API's response says so
        (Harvest's ``total_entries``), for the progress line's share read; None (the
        default) when it does not. Never used as a count of what was read."""
        return None

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        if not isinstance(stream, HttpStream):
            raise ConfigError(f"stream {stream.name!r} is not an HttpStream")
        paginator = stream.paginator()
        page: Mapping[str, Any] | None = paginator.first()
        read = number = 0
        while page is not None:
            number += 1
            self.before_request(stream)
            request = self.build_request(stream, since=since, page=page)
            try:
                response = self.client.request(
                    request.method,
                    request.path,
                    params=request.params,
                    headers=request.headers,
                    stream=stream.name,
                )
            except ApiError as exc:
                instead = paginator.recover(exc)
                if instead is None:
                    raise
                page, number = instead, number - 1  # the same page, asked for another way
                continue
            label = f"page {number} of {stream.name}"
            body = decode_json(response, client=self.client, what=label, stream=stream.name)
            where = f"{request.method} {request.path}"
            if page:
                where += " " + urlencode(sorted(page.items()))
            records: Sequence[Mapping[str, Any]]
            try:
                if response.status_code == 304:
                    # The client lets a 304 through only to a conditional request
                    # (classify): nothing changed since the cursor, so the read ends here.
                    self._not_modified(number, stream=stream.name, page=label,
                                       response=response)
                    records, page = (), None
                else:
                    records = self.records_of(stream, body)
                    page = paginator.advance(response, body, records)
                    records = paginator.new_records(records)
            except MissingRecords as exc:
                raise self.missing_records(exc, stream=stream.name, page=label,
                                           response=response) from None
            read += len(records)
            total = self.total_of(stream, body)
            raw = RawPage.of(records, Location(detail=where), last=page is None,
                             read=None if total is None else read, total=total)
            notes = tuple(f"{stream.name}: {note}" for note in paginator.take_notes())
            yield replace(raw, notes=notes) if notes else raw

    def _not_modified(
        self, number: int, *, stream: str, page: str, response: requests.Response
    ) -> None:
        """Accept a 304 (Not Modified) as the end of a read only on its first page: on a later
        page it contradicts the pages before it, which gave records changed since the same
        moment, and nothing tells whether later pages would have given more. Ending the
        stream there would call it complete and move its cursor past what was never read.

        Raises:
            ApiError: on page 2 or later, saying so and what to do.
        """
        if number == 1:
            return
        request_id = request_id_of(response)
        raise ApiError(
            self.client.scrub(gettext(
                "{page}: the API answered 304 (Not Modified: nothing changed since "
                "If-Modified-Since) after page 1 gave records changed since then, so the "
                "read cannot tell whether more pages follow; it stops here and the stream's "
                "cursor does not move: try again, and if it repeats, run a full sync "
                "(sync --full), which asks for no condition").format(page=page)),
            ErrorContext(connector=self.name, stream=stream, status=response.status_code,
                         request_id=self.client.scrub(request_id) if request_id else None),
        )

    def wait_reporter(self) -> WaitCallback:
        """An ``on_wait`` for the client that reports waits as progress events. It holds the
        connector by a weak reference: the connector's client keeps it, and a reference back
        would hold the connector (and its session) in a cycle that only the garbage
        collector frees."""
        connector = weakref.ref(self)

        def report(seconds: float, reason: str) -> None:
            this = connector()
            if this is not None:
                this.report_progress(
                    ProgressEvent("wait", this.name, None, wait_seconds=seconds, reason=reason)
                )

        return report

    def secrets(self) -> tuple[str, ...]:
        client = getattr(self, "client", None)
        return (*super().secrets(), *(client.secrets() if client is not None else ()))

    def close(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
