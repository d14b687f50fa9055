"""The HTTP connector base: :class:`HttpStream`, :class:`HttpRequest`, :class:`HttpConnector`.

It puts :class:`~clientguard.http.ApiClient` under the framework of
:mod:`clientguard.connector`: a stream declares its path and a paginator factory, and the
connector's :meth:`~HttpConnector.fetch` pages with a fresh paginator per call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from clientguard.connector import Connector, ProgressEvent, RawPage, Stream
from clientguard.errors import ApiError, ConfigError, ErrorContext
from clientguard.http.client import ApiClient, WaitCallback, decode_json
from clientguard.http.paging import Paginator, SinglePagePaginator
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


@dataclass(frozen=True)
class HttpRequest:
    """One request as data: what :meth:`HttpConnector.build_request` returns."""

    method: str
    path: str
    params: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)


class HttpConnector(Connector):
    """A connector over an HTTP API: :meth:`fetch` pages each :class:`HttpStream`.

    Subclasses set ``self.client`` (an :class:`ApiClient`, usually built with
    :meth:`wait_reporter` as its ``on_wait``) and may override the pure hooks
    :meth:`build_request` (e.g. to send the cursor) and :meth:`records_of`, and
    :meth:`before_request` to pace themselves on :attr:`ApiClient.rate_limits`.
    """

    client: ApiClient

    def build_request(
        self, stream: HttpStream, *, since: datetime | None, page: Mapping[str, Any]
    ) -> HttpRequest:
        """The request for one page. The default ignores ``since``: override to send it."""
        return HttpRequest("GET", stream.path, {**stream.params, **page})

    def records_of(self, stream: HttpStream, body: Any) -> Sequence[Mapping[str, Any]]:
        """The raw records in a decoded body."""
        found = body if stream.records_key is None else (body or {}).get(stream.records_key)
        if found is None:
            return ()
        if not isinstance(found, list):
            raise ApiError(
                f"{stream.path}: expected a list under {stream.records_key!r}, "
                f"got {type(found).__name__}",
                ErrorContext(connector=self.name, stream=stream.name),
            )
        return [r for r in found if isinstance(r, Mapping)]

    def before_request(self, stream: HttpStream) -> None:
        """Called before every page request; pace here on ``self.client.rate_limits``."""

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        if not isinstance(stream, HttpStream):
            raise ConfigError(f"stream {stream.name!r} is not an HttpStream")
        paginator = stream.paginator()
        page: Mapping[str, Any] | None = paginator.first()
        while page is not None:
            self.before_request(stream)
            request = self.build_request(stream, since=since, page=page)
            response = self.client.request(
                request.method,
                request.path,
                params=request.params,
                headers=request.headers,
                stream=stream.name,
            )
            body = decode_json(response, client=self.client)
            records = self.records_of(stream, body)
            where = f"{request.method} {request.path}"
            if page:
                where += " " + urlencode(sorted(page.items()))
            page = paginator.advance(response, body, records)
            yield RawPage.of(records, Location(detail=where), last=page is None)

    def wait_reporter(self) -> WaitCallback:
        """An ``on_wait`` for the client that reports waits as progress events."""

        def report(seconds: float, reason: str) -> None:
            self.report_progress(
                ProgressEvent("wait", self.name, None, wait_seconds=seconds, reason=reason)
            )

        return report

    def secrets(self) -> tuple[str, ...]:
        client = getattr(self, "client", None)
        return (*super().secrets(), *(client.secrets() if client is not None else ()))

    def close(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
