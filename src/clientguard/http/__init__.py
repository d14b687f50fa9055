"""HTTP for connectors: one session, one retry policy, one table of what a response means.

Every call a connector makes goes through :class:`ApiClient`:

* one :class:`requests.Session` per client, and a timeout on every call;
* one pure function, :func:`classify`, maps a response to what to do with it:

  ========================================  ===============================================
  response                                  what happens
  ========================================  ===============================================
  2xx                                       ok
  304 to a conditional request              ok: nothing changed since (``If-Modified-Since``,
                                            ``If-None-Match``); a page with no records
  304 to any other request                  :class:`~clientguard.errors.ApiError`: only a
                                            conditional request may be answered so (a
                                            caching proxy's or the server's error)
  other 3xx (a redirect)                    :class:`ApiError`, never followed (the token
                                            would go with it); names the ``Location``'s
                                            scheme and host only
  401                                       refresh the token once, send again; a second
                                            401 is an :class:`~clientguard.errors.AuthError`
  403                                       :class:`AuthError` with the API's message, not
                                            retried (the connector says what to do)
  429 naming a daily limit                  :class:`~clientguard.errors.RateLimitError` at
                                            once, with ``resets_at``: nobody sleeps for hours
                                            inside a call
  429                                       wait ``Retry-After`` (seconds or an HTTP date),
                                            then send again; without the header, back off
  5xx                                       back off exponentially with jitter, send again
  other 4xx                                 :class:`~clientguard.errors.ApiError` with the
                                            API's own message and request id
  ========================================  ===============================================

  A connection error, a timeout, or a response cut off while its body is read (a reset
  mid-body, a compressed body that does not decompress) is retried like a 5xx.
* one :class:`tenacity.Retrying` applies it, with an injectable ``sleep`` so that tests
  record the waits instead of waiting. A wait longer than ``max_wait`` is not slept: it fails
  at once with a :class:`RateLimitError` saying when to try again ("try again later" for a
  wait past the year 9999, ``Retry-After: 99999999999999999999``). A ``Retry-After`` that is
  no finite number of seconds (``inf``, ``nan``, a word) is read as absent: back off.
* the rate-limit headers of the last response that had them (``X-MinLimit-Remaining``...)
  are kept in :attr:`ApiClient.rate_limits`, with the time they were read, so that a
  connector can pace itself on counts still true (``rate_limits.get(header, now=...,
  window=60)`` forgets a count read a window ago).

OAuth 2.0: :class:`BearerToken` (a fixed access token), :class:`RefreshTokenAuth` (the
refresh-token grant, with rotation: the new refresh token is handed to a callback *before*
the new access token is used; :func:`token_file_saver` is a callback that writes it atomically
to a file only the user can read; given the ``token_file`` itself, it writes the file and
refreshes one process at a time through it, taking the tokens another process saved there)
and :class:`ClientCredentialsAuth`.

Secrets: no token, client secret or tenant id is ever put in a log line, an exception message
or a repr. Messages name the method and the path, never the query string; an API's own
message, and the path itself, are scrubbed of every secret the client knows, in every form
it sends them (:mod:`clientguard.redaction`: as is, URL-encoded, JSON-escaped, the Basic
credentials' base64), *before* they are cut to length. That holds for every text that
leaves the client: its exceptions (a response hook's too), the reason handed to ``on_wait``
before a retry, and its log lines. A header value ``requests`` refuses (a line break in a
token from a token endpoint) becomes a :class:`~clientguard.errors.ConnectorError` that does
not quote it. While a client is open, a filter on the loggers that write request lines
(:data:`REDACTED_LOGGERS`: clientguard's, urllib3's, which log whole URLs at DEBUG level)
does the same to every record they emit: a token in a query string (Fakturownia) or a realm
id in a path (QuickBooks) never reaches a log file. :meth:`ApiClient.close` removes it.

:class:`HttpStream` and :class:`HttpConnector` put this under the framework of
:mod:`clientguard.connector`: a stream declares its path and a paginator factory, and the
connector's :meth:`~HttpConnector.fetch` pages with a fresh paginator per call.

The package, from the bottom up (``pyproject.toml``'s ``http-inside`` contract keeps the order):

* :mod:`~clientguard.http.redact`: what of a request may be shown (:func:`describe_url`), the
  secrets a URL carries, the filter on :data:`REDACTED_LOGGERS`;
* :mod:`~clientguard.http.options`: :class:`HttpOptions`, the options every HTTP connector
  shares (timeout, attempts, the longest wait, sleep), validated and bounded;
* :mod:`~clientguard.http.classify`: the pure table (:func:`classify`, :class:`Verdict`) and
  the readers it uses (``Retry-After``, request ids, the API's message);
* :mod:`~clientguard.http.client`: :class:`ApiClient`, :class:`RateLimits`, the :class:`Auth`
  interface, :func:`decode_json`;
* :mod:`~clientguard.http.auth`: the OAuth 2.0 grants and the token file;
* :mod:`~clientguard.http.paging`: the paginators, :class:`PageBoundaries` (which page
  boundaries of a list read by position to check, so that a deletion mid-read stops it with
  :class:`SourceChanged`) and :class:`PageOverlaps` (the same check made part of each
  page's own answer, for an API that takes any offset: :class:`OverlapPaginator`), and
  :func:`records_in`, which reads a page's records and raises :class:`MissingRecords` for a
  page that came without them (an empty body, ``null``, an object without the list): never
  an empty page, which would end a stream as if it were complete;
* :mod:`~clientguard.http.connector`: :class:`HttpStream`, :class:`HttpConnector` and its
  :meth:`~HttpConnector.api_client`, the one way a connector builds its client.

Every public name is importable from ``clientguard.http`` itself, as before the split.
"""

from __future__ import annotations

from clientguard.http.auth import (
    TOKEN_LOCK_WAIT,
    BearerToken,
    ClientCredentialsAuth,
    RefreshTokenAuth,
    TokenSet,
    load_token_file,
    token_expiry,
    token_file_saver,
)
from clientguard.http.classify import (
    MESSAGE_LIMIT,
    REQUEST_ID_HEADERS,
    Classifier,
    Verdict,
    api_message,
    classify,
    html_answer,
    moment_after,
    parse_retry_after,
    redirect_refused,
    request_id_of,
    response_date,
)
from clientguard.http.client import (
    DEFAULT_TIMEOUT,
    ApiClient,
    Auth,
    RateLimits,
    Sleep,
    WaitCallback,
    decode_json,
)
from clientguard.http.connector import HttpConnector, HttpRequest, HttpStream
from clientguard.http.options import (
    DEFAULT_MAX_READ_SECONDS,
    MAX_BODY_BYTES,
    HttpOptions,
    MaxAttempts,
    MaxBody,
    MaxReadSeconds,
    MaxWait,
    Timeout,
)
from clientguard.http.paging import (
    Boundary,
    MissingRecords,
    NextTokenPaginator,
    OffsetPaginator,
    Overlap,
    OverlapPaginator,
    PageBoundaries,
    PageNumberPaginator,
    PageOverlaps,
    Paginator,
    SinglePagePaginator,
    SourceChanged,
    records_in,
)
from clientguard.http.redact import REDACTED_LOGGERS, describe_url

__all__ = [
    "DEFAULT_MAX_READ_SECONDS",
    "DEFAULT_TIMEOUT",
    "MAX_BODY_BYTES",
    "MESSAGE_LIMIT",
    "REDACTED_LOGGERS",
    "REQUEST_ID_HEADERS",
    "TOKEN_LOCK_WAIT",
    "ApiClient",
    "Auth",
    "BearerToken",
    "Boundary",
    "Classifier",
    "ClientCredentialsAuth",
    "HttpConnector",
    "HttpOptions",
    "HttpRequest",
    "HttpStream",
    "MaxAttempts",
    "MaxBody",
    "MaxReadSeconds",
    "MaxWait",
    "MissingRecords",
    "NextTokenPaginator",
    "OffsetPaginator",
    "Overlap",
    "OverlapPaginator",
    "PageBoundaries",
    "PageNumberPaginator",
    "PageOverlaps",
    "Paginator",
    "RateLimits",
    "RefreshTokenAuth",
    "SinglePagePaginator",
    "Sleep",
    "SourceChanged",
    "Timeout",
    "TokenSet",
    "Verdict",
    "WaitCallback",
    "api_message",
    "classify",
    "decode_json",
    "describe_url",
    "html_answer",
    "load_token_file",
    "moment_after",
    "parse_retry_after",
    "records_in",
    "redirect_refused",
    "request_id_of",
    "response_date",
    "token_expiry",
    "token_file_saver",
]
