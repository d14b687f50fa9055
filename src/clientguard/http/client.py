"""The client: :class:`ApiClient`, one session, one retry policy, auth and rate limits.

It applies :func:`~clientguard.http.classify.classify` (or the ``classifier`` it is given) to
every response, retries with :mod:`tenacity`, and scrubs every text that leaves it
(:mod:`clientguard.http.redact`). :class:`Auth` is the interface it calls for the
``Authorization`` header; the OAuth 2.0 grants are in :mod:`clientguard.http.auth`.
"""

from __future__ import annotations

import json
import logging
import math
import random
import time
import weakref
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt
from tenacity.wait import wait_base
from urllib3.exceptions import DecodeError, ProtocolError, ReadTimeoutError, SSLError

from clientguard import wording
from clientguard.connector import Clock, utc_now
from clientguard.errors import (
    ApiError,
    AuthError,
    ConfigError,
    ConnectorError,
    ErrorContext,
    RateLimitError,
)
from clientguard.http.classify import (
    MESSAGE_LIMIT,
    Classifier,
    Verdict,
    classify,
    escape_lone_surrogates,
    html_answer,
    moment_after,
    request_id_of,
)
from clientguard.http.options import DEFAULT_MAX_READ_SECONDS, MAX_BODY_BYTES
from clientguard.http.redact import (
    RedactingFilter,
    describe_url,
    host_of,
    remove_filter,
    same_origin,
    scrub_query,
    url_secrets,
)
from clientguard.i18n import gettext, ngettext
from clientguard.redaction import Scrubber, scrub_exception

__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_BODY_BYTES",
    "ApiClient",
    "Auth",
    "RateLimits",
    "Sleep",
    "WaitCallback",
    "decode_json",
]

# Every module of the package logs as "clientguard.http": REDACTED_LOGGERS names it (a
# logger's filter does not reach its children).
log = logging.getLogger("clientguard.http")

Sleep = Callable[[float], None]
WaitCallback = Callable[[float, str], None]
"""Called before each wait with the seconds and the reason (``HTTP 429``, ``HTTP 503``)."""

DEFAULT_TIMEOUT = (10.0, 60.0)
"""Seconds to connect, and to wait for each byte of the answer (its headers included); the
whole body has ``max_read_seconds`` once the headers came (:data:`DEFAULT_MAX_READ_SECONDS`)."""

_CHUNK_BYTES = 2**20

REDIRECT_BODY_BYTES = 2**16
"""The most of a redirect's body read (64 KiB): the API's words about the move (GitHub's
``{"message": "Moved Permanently", ...}`` is 150 bytes); the rest is never read."""


@dataclass(frozen=True)
class RateLimits:
    """The rate-limit headers of the last response that carried any, for a connector that
    paces itself, and when that response came.

    A response without them (a token endpoint's, an API that leaves them out) keeps the last
    ones: so a count is only as fresh as :attr:`seen_at`. Ask :meth:`get` with ``now`` and
    the limit's ``window``: a count read a window or more ago is forgotten (the limit has
    reset since), so that pacing never waits on a reading that is no longer true.
    """

    remaining: Mapping[str, int] = field(default_factory=dict)
    """Header name (lower case) to the number of calls left, e.g.
    ``{"x-minlimit-remaining": 58, "x-daylimit-remaining": 4990}``."""
    seen_at: datetime | None = None
    """When the response that carried them came, by the client's clock (None: not known)."""

    def get(
        self, header: str, *, now: datetime | None = None, window: float | None = None
    ) -> int | None:
        """The calls left under ``header``; None where no response said, or where ``now``
        and ``window`` (seconds) are given and the count was read ``window`` seconds or more
        before ``now``."""
        if now is not None and window is not None and self.age(now) >= window:
            return None
        return self.remaining.get(header.lower())

    def age(self, now: datetime) -> float:
        """Seconds since the counts were read (0 where that is not known, or where ``now``
        is earlier: a clock set back)."""
        if self.seen_at is None:
            return 0.0
        return max(0.0, (now - self.seen_at).total_seconds())

    @classmethod
    def of(cls, response: requests.Response, *, seen_at: datetime | None = None) -> RateLimits:
        remaining = {}
        for name, value in response.headers.items():
            lowered = name.lower()
            if "remaining" in lowered and "limit" in lowered:
                try:
                    remaining[lowered] = int(value.strip())
                except ValueError:
                    continue
        return cls(dict(sorted(remaining.items())), seen_at)


class Auth(ABC):
    """Supplies the ``Authorization`` header; may refresh when the server says 401."""

    can_refresh: bool = False
    when_refused: str | None = "a fixed access token cannot be refreshed: pass a new one"
    """What to do when the API refuses a token that cannot be refreshed (a 401 with
    ``can_refresh`` false), added to the :class:`AuthError`; None adds nothing (the
    connector says it, naming its own credential and where to make a new one)."""

    @abstractmethod
    def header(self, client: ApiClient) -> str:
        """The ``Authorization`` value to send now (obtaining a token first if needed)."""

    def refresh(self, client: ApiClient, stale: str) -> None:
        """Get a new access token after ``stale`` was refused."""
        raise AuthError(gettext(
            "the access token was refused and cannot be refreshed here: get a new one"))

    def secrets(self) -> Iterable[str]:
        """Every secret value this auth holds, to be scrubbed from messages."""
        return ()

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


class _TryAgain(Exception):
    """Internal: this attempt should be retried after a wait (None: back off)."""

    def __init__(self, verdict: Verdict, cause: str, seconds: float | None) -> None:
        super().__init__(cause)
        self.verdict = verdict
        self.cause = cause
        self.seconds = seconds


class _Wait(wait_base):
    """``Retry-After`` where the server gave one, else exponential backoff with jitter."""

    def __init__(self, client: ApiClient) -> None:
        self.client = client

    def __call__(self, retry_state: RetryCallState) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(exc, _TryAgain) and exc.seconds is not None:
            return exc.seconds
        return self.client.backoff(retry_state.attempt_number)


def _check_seconds(values: Mapping[str, float | tuple[float, float]], *, zero_ok: set[str]) -> None:
    """Each value (or each of a pair, as a timeout may be) a finite number of seconds, above
    0 (or at least 0 for those in ``zero_ok``): ``inf`` would wait for ever, ``nan`` compares
    false with everything (a ``max_wait`` of nan would sleep any wait a server asks)."""
    for name, value in values.items():
        for part in value if isinstance(value, tuple) else (value,):
            low_ok = part >= 0 if name in zero_ok else part > 0
            if not (math.isfinite(part) and low_ok):
                raise ConfigError((
                    gettext("{name} must be a finite number of seconds, 0 or more")
                    if name in zero_ok else
                    gettext("{name} must be a finite number of seconds, above 0")
                ).format(name=name))


class _TooSlow(requests.exceptions.Timeout):
    """Internal: an answer whose body did not arrive whole within the call's deadline after
    its headers (:attr:`ApiClient.deadline`): sent again once, as after a timeout."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the answer did not arrive whole within {seconds} s of its headers")
        self.seconds = seconds
        self.tries = 1
        """How many attempts of the call it was too slow on, this one included."""


class _StillTooSlow(Exception):
    """Internal: the answer was too slow again (:data:`_SLOW_TRIES` times): not sent again,
    since a page that came slowly twice comes slowly a third time."""

    def __init__(self, slow: _TooSlow) -> None:
        super().__init__(str(slow))
        self.seconds = slow.seconds
        self.tries = slow.tries


_SLOW_TRIES = 2
"""Attempts a call makes at most on answers too slow to arrive whole (:class:`_TooSlow`):
the first, and once again (a passing slow link); then it fails, however many
``max_attempts`` are left, rather than wait ``max_read_seconds`` again and again."""


def _body_chunks(response: requests.Response) -> Iterator[bytes]:
    """``response``'s body, decompressed, in pieces of at most :data:`_CHUNK_BYTES`, each
    what the connection had ready (``read1``): so that the caller sees the time between
    them, which a read of a whole piece hides (it waits until the piece is full, however
    slowly the bytes come). urllib3's errors become requests' own, as ``iter_content``
    makes them; urllib3 before 2.3 (no ``read1``) gives whole pieces."""
    read1 = getattr(response.raw, "read1", None)
    if read1 is None:
        yield from response.iter_content(_CHUNK_BYTES)
        return
    try:
        while chunk := read1(_CHUNK_BYTES, decode_content=True):
            yield chunk
    except ProtocolError as exc:
        raise requests.exceptions.ChunkedEncodingError(exc) from exc
    except DecodeError as exc:
        raise requests.exceptions.ContentDecodingError(exc) from exc
    except ReadTimeoutError as exc:
        raise requests.ConnectionError(exc) from exc
    except SSLError as exc:
        raise requests.exceptions.SSLError(exc) from exc


#: A body cut off while it was read (the connection reset, a chunk missing) or a compressed
#: body that does not decompress: the call is sent again, as after a lost connection.
_CUT_OFF = (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, (_TryAgain, requests.ConnectionError, requests.Timeout, *_CUT_OFF))


class ApiClient:
    """One API's HTTP: a session, a timeout on every call, retries, auth and rate limits.

    Args:
        base_url: the API's root; relative paths are joined to it.
        auth: supplies and refreshes the ``Authorization`` header (None: no auth).
        headers: sent with every call (e.g. ``Accept: application/json``).
        connector: its name, for error messages.
        timeout: seconds to connect and to wait for each byte of the answer (its headers
            included), for every call: a number, or a pair (connect, read).
        max_attempts: tries per call, the first included.
        max_wait: the longest single wait; a server asking for more fails the call at once
            with a :class:`RateLimitError` saying when to try again.
        backoff_base: the first backoff in seconds; it doubles with each attempt (capped at
            ``backoff_cap``), and the wait is drawn between half of it and all of it (jitter).
        sleep: how to wait (tests pass a recorder).
        clock: "now", for token expiry and dates in ``Retry-After``.
        on_wait: called with (seconds, reason) before every wait.
        secrets: more values to scrub from messages and log lines (an API token sent in the
            query string, a tenant or realm id); the auth's own tokens are scrubbed anyway.
        jitter: a number in [0, 1) per call; injectable so tests fix the backoff.
        classifier: the response table, :func:`classify` by default. A source with rules of
            its own (a header that says "do not retry") passes a function that handles those
            and defers to :func:`classify` for the rest.
        max_body: the largest response body read, in bytes once decompressed
            (:data:`MAX_BODY_BYTES`); a larger one fails the call with an :class:`ApiError`
            as soon as it passes the bound, without being read further or sent again.
        max_read_seconds: the longest a body may take to arrive whole, in seconds counted
            from its headers (:data:`DEFAULT_MAX_READ_SECONDS`): a server that sends it a
            byte at a time, each within ``timeout``, is cut off there; the call is sent
            again once (:data:`_SLOW_TRIES`), then fails saying so.

    Seconds (``timeout``, each of a pair too, ``max_wait``, ``backoff_base``,
    ``backoff_cap``, ``max_read_seconds``) must be finite and above 0 (``max_wait`` may be
    0): anything else is a :class:`ConfigError`. A connector builds its client with
    :meth:`~clientguard.http.HttpConnector.api_client`, from options already bounded by
    :class:`~clientguard.http.HttpOptions`.
    """

    def __init__(
        self,
        base_url: str,
        *,
        auth: Auth | None = None,
        headers: Mapping[str, str] | None = None,
        connector: str | None = None,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        max_attempts: int = 5,
        max_wait: float = 120.0,
        backoff_base: float = 1.0,
        backoff_cap: float = 60.0,
        sleep: Sleep = time.sleep,
        clock: Clock = utc_now,
        on_wait: WaitCallback | None = None,
        secrets: Iterable[str] = (),
        jitter: Callable[[], float] = random.random,
        session: requests.Session | None = None,
        classifier: Classifier | None = None,
        max_body: int = MAX_BODY_BYTES,
        max_read_seconds: float = DEFAULT_MAX_READ_SECONDS,
    ) -> None:
        if max_attempts < 1:
            raise ConfigError(gettext("max_attempts must be at least 1"))
        if max_body < 1:
            raise ConfigError(gettext("max_body must be at least 1 byte"))
        _check_seconds(
            {
                "timeout": timeout,
                "max_wait": max_wait,
                "backoff_base": backoff_base,
                "backoff_cap": backoff_cap,
                "max_read_seconds": max_read_seconds,
            },
            zero_ok={"max_wait"},
        )
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.auth = auth
        self.connector = connector
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.max_body = max_body
        self.max_read_seconds = max_read_seconds
        self.max_wait = max_wait
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.sleep = sleep
        self.clock = clock
        self.on_wait = on_wait
        self._secrets = tuple(
            s.strip() for s in (*secrets, *url_secrets(base_url)) if s and s.strip()
        )
        self._jitter = jitter
        self.classify: Classifier = classify if classifier is None else classifier
        self.session = session or requests.Session()
        self.session.headers.update(headers or {})
        self.rate_limits = RateLimits()
        self.calls = 0
        """HTTP requests sent by this client (retries and token requests included)."""
        self._retrying = Retrying(
            sleep=self._sleep,
            stop=stop_after_attempt(max_attempts),
            wait=_Wait(self),
            retry=retry_if_exception(_retryable),
            before_sleep=self._before_sleep,
            reraise=True,
        )
        # Scrub the request loggers until close(), or until the client is garbage collected
        # (the filter holds it weakly, so a client nobody closed leaves nothing behind).
        self._unredact = weakref.finalize(self, remove_filter, RedactingFilter(self))

    def __repr__(self) -> str:
        return f"<ApiClient {host_of(urlsplit(self.base_url).netloc)} connector={self.connector!r}>"

    @property
    def deadline(self) -> float:
        """The longest an answer's body may take to arrive whole once its headers came, in
        seconds: ``max_read_seconds``. What comes before (connecting, the server's thinking
        until its headers) is bounded by ``timeout`` instead."""
        return self.max_read_seconds

    def close(self) -> None:
        """Close the session and stop scrubbing the request loggers."""
        self.session.close()
        self._unredact()

    # --------------------------------------------------------------- public calls

    def get(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        stream: str | None = None,
    ) -> requests.Response:
        """GET ``path`` (relative to ``base_url``, or absolute), classified and retried."""
        return self.request("GET", path, params=params, headers=headers, stream=stream)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        authenticate: bool = True,
        stream: str | None = None,
        what: str | None = None,
    ) -> requests.Response:
        """Send one call with the retry policy; returns the successful response.

        Raises:
            AuthError: refused after one refresh, or forbidden.
            RateLimitError: a daily limit, or a wait longer than ``max_wait``.
            ApiError: the API refused the call, or kept failing for ``max_attempts``.
            ConnectorError: the server could not be reached after ``max_attempts``.
        """
        url = urljoin(self.base_url, path)
        where = describe_url(method, url)
        label = self.scrub(what or where)  # a path may hold an id (QuickBooks' realm)
        refreshed = False
        # What the attempts so far got, for the error of a later one (ErrorContext's
        # failed_before): a token endpoint that failed may have rotated the token it refuses.
        # A 429 is left out: the request was refused unhandled.
        earlier: list[str] = []
        slow = 0  # attempts whose answer was too slow to arrive whole (_SLOW_TRIES at most)

        def attempt() -> requests.Response:
            nonlocal refreshed, slow
            try:
                response = self._send(method, url, params, headers, data, auth, authenticate)
            except (requests.ConnectionError, requests.Timeout, *_CUT_OFF) as exc:
                earlier.append(type(exc).__name__)
                if isinstance(exc, _TooSlow):
                    slow += 1
                    exc.tries = slow
                    if slow >= _SLOW_TRIES:
                        raise _StillTooSlow(exc) from None
                raise
            verdict = self.classify(response, now=self.clock())
            if verdict.action == "refresh":
                if not authenticate or self.auth is None or refreshed:
                    raise self._error(verdict, stream, label, after_refresh=refreshed)
                if not self.auth.can_refresh:
                    raise self._error(verdict, stream, label, hint=self.auth.when_refused)
                log.info("%s: HTTP 401, refreshing the access token once", where)
                self.auth.refresh(self, response.request.headers.get("Authorization", ""))
                refreshed = True
                response = self._send(method, url, params, headers, data, auth, authenticate)
                verdict = self.classify(response, now=self.clock())
                if verdict.action == "refresh":
                    raise self._error(verdict, stream, label, after_refresh=True)
            if verdict.action == "ok":
                return response
            if verdict.action in ("wait", "retry"):
                if verdict.retry_after is not None and verdict.retry_after > self.max_wait:
                    raise self._too_long(verdict, stream, label)
                if verdict.status != 429:
                    # A 429 is a rate limiter's refusal, the request not handled: it cannot
                    # have rotated a token, so it is no failure of ErrorContext.failed_before.
                    earlier.append(f"HTTP {verdict.status}")
                raise _TryAgain(
                    verdict, f"HTTP {verdict.status} {verdict.reason}", verdict.retry_after
                )
            raise self._error(verdict, stream, label, earlier=earlier)

        try:
            # A copy per call: a token request runs inside an attempt of the call it serves,
            # and tenacity keeps per-call state on the Retrying object.
            return self._retrying.copy()(attempt)
        except _TryAgain as exc:
            raise self._error(exc.verdict, stream, label, attempts=self.max_attempts) from None
        except (_TooSlow, _StillTooSlow) as exc:
            raise ConnectorError(
                ngettext("{label}: the answer did not arrive whole within {seconds} s of its "
                         "headers (max_read_seconds) on {n} attempt: the server sends it too "
                         "slowly; try again later, or raise max_read_seconds",
                         "{label}: the answer did not arrive whole within {seconds} s of its "
                         "headers (max_read_seconds) on {n} attempts: the server sends it too "
                         "slowly; try again later, or raise max_read_seconds",
                         exc.tries).format(
                    label=label, n=exc.tries, seconds=_figure(exc.seconds)),
                ErrorContext(connector=self.connector, stream=stream),
            ) from None
        except (requests.ConnectionError, requests.Timeout) as exc:
            said = (ngettext("{label}: timed out after {n} attempt ({error})",
                             "{label}: timed out after {n} attempts ({error})",
                             self.max_attempts)
                    if isinstance(exc, requests.Timeout) else
                    ngettext("{label}: could not connect after {n} attempt ({error})",
                             "{label}: could not connect after {n} attempts ({error})",
                             self.max_attempts))
            raise ConnectorError(
                said.format(label=label, n=self.max_attempts, error=type(exc).__name__),
                ErrorContext(connector=self.connector, stream=stream),
            ) from None
        except _CUT_OFF as exc:
            raise ConnectorError(
                ngettext("{label}: the response was cut off while it was read (the "
                         "connection broke mid-body, or its compressed body was damaged) on "
                         "its only attempt ({error}); try again",
                         "{label}: the response was cut off while it was read (the "
                         "connection broke mid-body, or its compressed body was damaged) on "
                         "all {n} attempts ({error}); try again",
                         self.max_attempts).format(
                    label=label, n=self.max_attempts, error=type(exc).__name__),
                ErrorContext(connector=self.connector, stream=stream),
            ) from None
        except Exception as exc:
            # Whatever else leaves the client (a response hook's error, an auth's) leaves it
            # scrubbed, with what is chained to it.
            scrub_exception(exc, self.scrub)
            raise

    def next_url(self, link: str, *, stream: str | None = None, what: str = "paging") -> str:
        """The address of a page a server named (a ``Link: rel="next"``), to send the next
        request to: on the API's own server only.

        ``link`` is resolved against ``base_url`` (a relative link stays on the API). An
        address with another scheme, host or port than ``base_url`` is refused with an
        :class:`ApiError` before anything is sent there: every request carries the client's
        token, and a response (a misconfigured proxy, a tampered one) must not be able to
        send it to another server. ``what`` names the call in the message.
        """
        url = urljoin(self.base_url, link.strip())
        if same_origin(url, self.base_url):
            return url
        named, ours = (f"{urlsplit(u).scheme}://{host_of(urlsplit(u).netloc)}"
                       for u in (url, self.base_url))
        raise ApiError(
            self.scrub(gettext(
                "{what}: the server named the next page on {named}, not on the API's server "
                "{ours}; it was not followed, so the token was not sent there (a proxy in "
                "base_url must pass on addresses on itself)"
            ).format(what=what, named=named, ours=ours)),
            ErrorContext(connector=self.connector, stream=stream),
        )

    # --------------------------------------------------------------- internals

    def _send(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        data: Mapping[str, str] | None,
        auth: tuple[str, str] | None,
        authenticate: bool,
    ) -> requests.Response:
        merged = dict(headers or {})
        if authenticate and self.auth is not None:
            merged["Authorization"] = self.auth.header(self)
        self.calls += 1
        try:
            response = self.session.request(
                method,
                url,
                params=params,
                headers=merged,
                data=data,
                auth=auth,
                timeout=self.timeout,
                allow_redirects=False,
                stream=True,  # read below, up to max_body and the deadline
                # First: before requests reads a redirect's body whole (below), and before
                # a hook of the session's own reads it.
                hooks={"response": [self._bound_redirect,
                                    *self.session.hooks.get("response", [])]},
            )
            # The headers came (within timeout): the body has max_read_seconds from now.
            self._read_body(response, method, url,
                            deadline=time.monotonic() + self.max_read_seconds)
        except (requests.ConnectionError, requests.Timeout, *_CUT_OFF) as exc:
            log.warning("%s: %s", self.scrub(describe_url(method, url)),
                        exc if isinstance(exc, _TooSlow) else type(exc).__name__)
            raise
        except (requests.exceptions.InvalidHeader, UnicodeEncodeError) as exc:
            # requests quotes the refused value in its message: never shown.
            raise ConnectorError(
                gettext("{call}: a header of the request holds a line break or another "
                        "character HTTP does not allow (a token or an id copied with one?); "
                        "nothing was sent ({error})").format(
                    call=self.scrub(describe_url(method, url)), error=type(exc).__name__),
                ErrorContext(connector=self.connector),
            ) from None
        except requests.RequestException as exc:
            raise ConnectorError(
                gettext("{call}: the request failed ({error}); check the base URL").format(
                    call=self.scrub(describe_url(method, url)), error=type(exc).__name__),
                ErrorContext(connector=self.connector),
            ) from None
        limits = RateLimits.of(response, seen_at=self.clock())
        if limits.remaining:
            self.rate_limits = limits
        log.debug(
            "%s -> %s (request id %s)",
            describe_url(method, url),
            response.status_code,
            request_id_of(response),
        )
        return response

    def _read_body(
        self, response: requests.Response, method: str, url: str, *, deadline: float
    ) -> None:
        """Read ``response``'s body (decompressed) into it, as ``requests`` does unless told
        to stream, but no further than :attr:`max_body` bytes, and no later than
        ``deadline`` (a :func:`time.monotonic` moment).

        Raises:
            ApiError: the body is larger: it is not read further, the connection is closed,
                and the call is not sent again (the same answer would come back).
            requests.Timeout: the deadline passed before the body was whole (a server
                sending it a byte at a time, each within the read timeout): the connection
                is closed, and the call is sent again once (:data:`_SLOW_TRIES`).
        """
        if getattr(response, "_content_consumed", False):
            # A redirect, whose first words _bound_redirect kept: read again from the
            # connection it would be empty, and the API's own words about the move lost.
            return
        chunks: list[bytes] = []
        size = 0
        for chunk in _body_chunks(response):
            size += len(chunk)
            if size > self.max_body:
                response.close()
                raise ApiError(
                    gettext("{call}: the answer is larger than {size} once decompressed, more "
                            "than any page of an API; it was not read further (a damaged or "
                            "hostile answer, or a page too large: lower page_size, or raise "
                            "max_body if the API's pages are this large)").format(
                        call=self.scrub(describe_url(method, url)),
                        size=_size(self.max_body)),
                    ErrorContext(connector=self.connector, status=response.status_code,
                                 request_id=self._request_id(response)),
                )
            if time.monotonic() > deadline:
                response.close()
                raise _TooSlow(self.deadline)
            chunks.append(chunk)
        response._content = b"".join(chunks)
        response._content_consumed = True  # type: ignore[attr-defined]

    def _bound_redirect(self, response: requests.Response, **_: Any) -> requests.Response:
        """A response hook: keep the first :data:`REDIRECT_BODY_BYTES` of a redirect's body
        (enough for an API's words about the move, which the refusal quotes), read within
        ``max_read_seconds``, and close the connection without reading the rest.

        ``requests`` reads a redirect's body whole itself, even with ``allow_redirects=False``
        and ``stream=True``: to fill ``Response.next`` it works out the next request
        (``Session.resolve_redirects``), which reads ``resp.content`` to release the
        connection first, before the client's own bounds (:attr:`max_body`, the deadline).
        A 302 with a body of a gigabyte, or one that never ends, would be read to its end.
        The body kept here is the content it then finds. The redirect itself is never
        followed (the token would go with it): :func:`~clientguard.http.classify.classify`
        refuses it."""
        if not response.is_redirect:
            return response
        limit = min(self.max_body, REDIRECT_BODY_BYTES)
        deadline = time.monotonic() + self.max_read_seconds
        kept = bytearray()
        try:
            for chunk in _body_chunks(response):
                kept += chunk
                if len(kept) >= limit or time.monotonic() > deadline:
                    break
        except requests.RequestException:
            pass  # what came is kept: the redirect is refused whatever its body says
        finally:
            response.close()  # the rest is never read: the connection is dropped
        response._content = bytes(kept[:limit])
        response._content_consumed = True  # type: ignore[attr-defined]
        return response

    def _request_id(self, response: requests.Response) -> str | None:
        found = request_id_of(response)
        return self.scrub(found) if found else None

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based), with jitter."""
        ceiling = min(self.backoff_cap, self.backoff_base * 2.0 ** (attempt - 1))
        return ceiling / 2 + ceiling / 2 * self._jitter()

    def _sleep(self, seconds: float) -> None:
        self.sleep(seconds)

    def _before_sleep(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        seconds = float(state.next_action.sleep) if state.next_action else 0.0
        reason = exc.cause if isinstance(exc, _TryAgain) else type(exc).__name__
        self.before_wait(seconds, reason)

    def before_wait(self, seconds: float, reason: str) -> None:
        """Log a wait and report it to ``on_wait`` (the connector's progress line); the
        reason is scrubbed of secrets, then cut to :data:`MESSAGE_LIMIT`."""
        reason = self.shorten(reason)
        log.info("waiting %.1f s: %s", seconds, reason)
        if self.on_wait is not None:
            self.on_wait(seconds, reason)

    def add_secret(self, value: str) -> None:
        """Scrub ``value`` from messages and log lines too (e.g. a tenant id found after
        start)."""
        value = value.strip() if value else value
        if value and value not in self._secrets:
            self._secrets = (*self._secrets, value)

    def secrets(self) -> tuple[str, ...]:
        """Every secret this client knows now: its own and its auth's (tokens rotate)."""
        return (*self._secrets, *(self.auth.secrets() if self.auth else ()))

    def scrub(self, text: str) -> str:
        """``text`` with every secret this client knows replaced by ``[redacted]``, in every
        form (:class:`~clientguard.redaction.Scrubber`). Values shorter than 4 characters
        are left: they would blank out ordinary words. The value of a query parameter named
        as a credential in a URL written into ``text`` goes too (:func:`~clientguard.http.
        redact.scrub_query`): a server may name an address carrying one the client never
        sent."""
        return scrub_query(Scrubber(self.secrets()).scrub(text))

    def shorten(self, text: str, limit: int = MESSAGE_LIMIT) -> str:
        """``text`` scrubbed, then cut to ``limit`` characters: never the other way round.
        The secrets it knows go first, whole, then the credential-named parameters: a secret
        whose own value holds ``&key=`` would otherwise lose its tail to the second and no
        longer be found whole by the first."""
        scrubber = Scrubber(self.secrets())
        return scrubber.shorten(scrub_query(scrubber.scrub(text)), limit)

    def _context(
        self, verdict: Verdict, stream: str | None, earlier: Iterable[str] = ()
    ) -> ErrorContext:
        return ErrorContext(
            connector=self.connector,
            stream=stream,
            status=verdict.status,
            request_id=self.scrub(verdict.request_id) if verdict.request_id else None,
            retry_after=verdict.retry_after,
            failed_before=tuple(earlier),
        )

    def _error(
        self,
        verdict: Verdict,
        stream: str | None,
        label: str,
        *,
        after_refresh: bool = False,
        attempts: int | None = None,
        hint: str | None = None,
        earlier: Iterable[str] = (),
    ) -> ConnectorError:
        reason = self.shorten(verdict.reason)
        if after_refresh:
            reason += gettext(" (again after refreshing the token: re-authorise the app)")
        if hint:
            reason += f"; {hint}"
        if attempts is not None:
            reason += ngettext("; gave up after {n} attempt", "; gave up after {n} attempts",
                               attempts).format(n=attempts)
        error = verdict.error or ApiError
        message = f"{label}: {reason}"
        context = self._context(verdict, stream, earlier)
        if error is RateLimitError:
            return RateLimitError(message, context, verdict.resets_at)
        return error(message, context)

    def _too_long(self, verdict: Verdict, stream: str | None, label: str) -> RateLimitError:
        assert verdict.retry_after is not None
        # A wait past the calendar's end (Retry-After: 99999999999999999999) has no date.
        resets_at = moment_after(self.clock().astimezone(UTC), verdict.retry_after)
        when = (gettext("try again later") if resets_at is None
                else gettext("try again after {moment} UTC").format(
                    moment=f"{resets_at:%Y-%m-%d %H:%M:%S}"))
        return RateLimitError(
            gettext("{label}: {reason}: the server asks to wait {seconds} s, more than "
                    "max_wait {most} s; {when}").format(
                label=label, reason=self.shorten(verdict.reason),
                seconds=_seconds(verdict.retry_after), most=_figure(self.max_wait), when=when),
            self._context(verdict, stream),
            resets_at,
        )


def _seconds(value: float) -> str:
    """A wait a server asks for, in figures: whole seconds rounded up (a wait of 120.0000001 s
    is more than a ``max_wait`` of 120 s, and says 121), or in powers of ten from 16 digits on
    (a server may name a wait of hundreds of digits)."""
    return f"{math.ceil(value)}" if value < 1e15 else f"{value:.3g}"


def _figure(value: float) -> str:
    """A number of seconds one sets (``max_wait``, ``timeout``) as written: ``120``,
    ``0.5``, ``86399.99``, never rounded to another number."""
    return f"{value:.15g}"


def _size(count: int) -> str:
    """A number of bytes in words: ``256 MiB``, ``64 KiB``, ``1 byte``, ``5,000,000 bytes``
    (``1 bajt``, ``5 000 000 bajtów`` in Polish)."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if count >= scale and count % scale == 0:
            return f"{wording.number(count // scale)} {unit}"
    return ngettext("{n} byte", "{n} bytes", count).format(n=wording.number(count))


def decode_json(
    response: requests.Response,
    *,
    client: ApiClient | None = None,
    what: str = "response",
    stream: str | None = None,
) -> Any:
    """The response body as JSON, numbers with a fraction as :class:`~decimal.Decimal`
    (and ``NaN``/``Infinity``, which are no JSON, as Decimal too: never a float), each lone
    surrogate in a string written out as its escape
    (:func:`~clientguard.http.classify.escape_lone_surrogates`).

    ``what`` names the answer in an error (``page 2 of invoices``), ``stream`` the stream it
    was read for. A 204 or a 304 (no body, by the protocol) is None, as is JSON's ``null``.

    Raises :class:`ApiError`, saying which of these it is, when the body is:

    * empty, where JSON was due: the answer was lost on the way; try again;
    * an HTML page: a proxy, a captive portal or a login page answered, not the API; check
      ``base_url`` and the network (the page itself is not quoted);
    * JSON that stops before its end: the answer was cut off; try again;
    * JSON nested deeper than Python's recursion limit, or with an integer of more digits
      than Python converts (4,300): a damaged or hostile answer, read no further;
    * anything else that is not JSON: check ``base_url``.

    Given the ``client`` that sent the call, the error names it too (``page 2 of invoices
    (GET api.xero.com/api.xro/2.0/Invoices)``): method, host and path, never the query
    string, scrubbed of the client's secrets.
    """
    if not response.content:
        if response.status_code in (204, 304):
            return None
        raise _not_json(
            response, client, what, stream,
            gettext("the API answered HTTP {status} with an empty body where JSON was due: "
                    "the answer was lost on the way; try again").format(
                status=response.status_code),
        )
    try:
        # NaN and Infinity, which JSON (RFC 8259) does not have but Python's decoder reads,
        # become Decimals too, never floats: a mapping then refuses the one field ("not a
        # finite number") and keeps the record in its report.
        # A lone surrogate ("\ud800", valid JSON) is written out: no UTF-8 text can hold it.
        return escape_lone_surrogates(
            json.loads(response.content, parse_float=Decimal, parse_constant=Decimal),
            response.content,
        )
    except RecursionError:
        raise _not_json(
            response, client, what, stream,
            gettext("the answer's JSON nests arrays or objects more deeply than any API "
                    "answer does (a damaged or hostile response); nothing of it was read"),
        ) from None
    except json.JSONDecodeError as exc:
        problem = html_answer(response)
        if problem is None and _cut_off(exc):
            problem = gettext("the answer was cut off: its JSON stops before its end (read: "
                              "{size}); try again").format(size=_size(len(response.content)))
        raise _not_json(response, client, what, stream, problem) from None
    except ValueError as exc:
        if not isinstance(exc, UnicodeDecodeError) and "digits" in str(exc):
            # Python refuses an integer of more than sys.get_int_max_str_digits() digits
            # (4,300 by default): no amount, id or count has that many.
            raise _not_json(
                response, client, what, stream,
                gettext("the answer's JSON holds a number with thousands of digits, which no "
                        "amount, id or count has (a damaged or hostile response); nothing of "
                        "it was read"),
            ) from None
        # not UTF-8 (UnicodeDecodeError)
        raise _not_json(response, client, what, stream, html_answer(response)) from None


def _not_json(
    response: requests.Response,
    client: ApiClient | None,
    what: str,
    stream: str | None,
    problem: str | None,
) -> ApiError:
    kind = response.headers.get("Content-Type", "unknown type").split(";")[0].strip()
    problem = problem or gettext("the answer is not JSON ({kind}); check base_url").format(
        kind=kind)
    message = f"{what}: {problem}"
    request_id = request_id_of(response)
    if client is not None:
        # The call that got it, as every error of the client names one: method, host and
        # path (describe_url: never the query string, which may hold a token, nor a
        # user:password@), then scrubbed of the client's secrets with the rest (a realm id
        # or a token in the path). Only with a client: nothing else could scrub the path.
        sent = response.request
        if sent is not None and sent.method and response.url:
            message = f"{what} ({describe_url(sent.method, response.url)}): {problem}"
        message = client.scrub(message)
        request_id = client.scrub(request_id) if request_id else None
    return ApiError(
        message,
        ErrorContext(
            connector=client.connector if client else None,
            stream=stream,
            status=response.status_code,
            request_id=request_id,
        ),
    )


def _cut_off(error: json.JSONDecodeError) -> bool:
    """True when JSON stops before its end (a body cut short), rather than going wrong in
    its middle: nothing, a string never closed, or a literal or number cut in two is left."""
    rest = error.doc[error.pos:].strip()
    if not rest or error.msg.startswith("Unterminated string"):
        return True
    if error.msg == "Extra data":
        return False
    literal = len(rest) < 5 and any(word.startswith(rest) for word in ("true", "false", "null"))
    number = rest.strip("0123456789+-.eE") == ""
    return literal or number
