"""HTTP for connectors: one session, one retry policy, one table of what a response means.

Every call a connector makes goes through :class:`ApiClient`:

* one :class:`requests.Session` per client, and a timeout on every call;
* one pure function, :func:`classify`, maps a response to what to do with it:

  ========================================  ===============================================
  response                                  what happens
  ========================================  ===============================================
  2xx, 304                                  ok
  401                                       refresh the token once, send again; a second
                                            401 is an :class:`~clientguard.errors.AuthError`
  403                                       :class:`AuthError` (the token lacks a scope or
                                            the organisation is not connected), not retried
  429 naming a daily limit                  :class:`~clientguard.errors.RateLimitError` at
                                            once, with ``resets_at``: nobody sleeps for hours
                                            inside a call
  429                                       wait ``Retry-After`` (seconds or an HTTP date),
                                            then send again; without the header, back off
  5xx                                       back off exponentially with jitter, send again
  other 4xx                                 :class:`~clientguard.errors.ApiError` with the
                                            API's own message and request id
  ========================================  ===============================================

  A connection error or a timeout is retried like a 5xx.
* one :class:`tenacity.Retrying` applies it, with an injectable ``sleep`` so that tests
  record the waits instead of waiting. A wait longer than ``max_wait`` is not slept: it fails
  at once with a :class:`RateLimitError` saying when to try again.
* the rate-limit headers of the last response (``X-MinLimit-Remaining``...) are kept in
  :attr:`ApiClient.rate_limits` so that a connector can pace itself.

OAuth 2.0: :class:`BearerToken` (a fixed access token), :class:`RefreshTokenAuth` (the
refresh-token grant, with rotation: the new refresh token is handed to a callback *before*
the new access token is used; :func:`token_file_saver` is a callback that writes it atomically
to a file only the user can read) and :class:`ClientCredentialsAuth`.

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
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import tempfile
import threading
import time
import weakref
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import unquote, urlencode, urljoin, urlsplit

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt
from tenacity.wait import wait_base

from clientguard.connector import (
    Clock,
    Connector,
    ProgressEvent,
    RawPage,
    Stream,
    utc_now,
)
from clientguard.errors import (
    ApiError,
    AuthError,
    ConfigError,
    ConnectorError,
    ErrorContext,
    RateLimitError,
)
from clientguard.records import Location
from clientguard.redaction import (
    Scrubber,
    basic_credentials,
    clean_secret,
    scrub_exception,
)

__all__ = [
    "MESSAGE_LIMIT",
    "ApiClient",
    "Auth",
    "BearerToken",
    "Classifier",
    "ClientCredentialsAuth",
    "HttpConnector",
    "HttpRequest",
    "HttpStream",
    "NextTokenPaginator",
    "OffsetPaginator",
    "PageNumberPaginator",
    "Paginator",
    "RateLimits",
    "RefreshTokenAuth",
    "SinglePagePaginator",
    "TokenSet",
    "Verdict",
    "classify",
    "decode_json",
    "load_token_file",
    "parse_retry_after",
    "token_file_saver",
]

log = logging.getLogger("clientguard.http")

Sleep = Callable[[float], None]
WaitCallback = Callable[[float, str], None]
"""Called before each wait with the seconds and the reason (``HTTP 429``, ``HTTP 503``)."""

DEFAULT_TIMEOUT = (10.0, 60.0)
"""Seconds to connect, and to wait for the server between bytes."""

#: Headers that carry a request id, in the order they are looked for.
REQUEST_ID_HEADERS = (
    "Xero-Correlation-Id",
    "Request-Id",
    "X-Request-Id",
    "intuit_tid",
    "X-Correlation-Id",
)

MESSAGE_LIMIT = 300
"""The longest API message shown in an error or a progress line, cut after scrubbing."""

#: The loggers that write request lines, URLs or headers: an open client scrubs their records
#: (a logger's filter does not apply to its children, so each one is named).
REDACTED_LOGGERS = (
    "clientguard",
    "clientguard.http",
    "clientguard.connector",
    "clientguard.store",
    "urllib3",
    "urllib3.connectionpool",
    "urllib3.connection",
    "urllib3.response",
    "urllib3.poolmanager",
    "urllib3.util.retry",
    "requests",
)


# =============================================================================== classify


@dataclass(frozen=True)
class Verdict:
    """What a response means: the outcome of :func:`classify`."""

    action: Literal["ok", "refresh", "wait", "retry", "fail"]
    """``ok``: use it. ``refresh``: refresh the token once and send again. ``wait``: wait
    ``retry_after`` (or back off when None) and send again. ``retry``: back off and send
    again. ``fail``: raise ``error``."""
    status: int
    reason: str
    """In words, with the API's own message where it gave one."""
    error: type[ConnectorError] | None = None
    """For ``fail``: the exception to raise."""
    retry_after: float | None = None
    """Seconds the server asked us to wait (``Retry-After``), where it said."""
    resets_at: datetime | None = None
    """For a daily limit: when it resets, where the response says."""
    request_id: str | None = None


def classify(response: requests.Response, *, now: datetime | None = None) -> Verdict:
    """What to do with ``response``: the whole table, as one pure function.

    ``now`` turns a ``Retry-After`` given as an HTTP date into seconds; it defaults to the
    response's own ``Date`` header.
    """
    status = response.status_code
    request_id = request_id_of(response)
    if 200 <= status < 300 or status == 304:
        return Verdict("ok", status, "ok", request_id=request_id)
    # In full: the client scrubs the secrets out first and cuts after (a cut made before
    # would leave a secret's first characters that no longer match it).
    message = api_message(response, limit=None)
    said = f": {message}" if message else ""
    if status == 401:
        return Verdict(
            "refresh", status, f"unauthorised{said}", AuthError, request_id=request_id
        )
    if status == 403:
        return Verdict(
            "fail",
            status,
            f"forbidden{said}; the token lacks a scope, or the organisation is not connected "
            "to the app",
            AuthError,
            request_id=request_id,
        )
    if status == 429:
        reference = now or response_date(response)
        retry_after = parse_retry_after(response.headers.get("Retry-After"), now=reference)
        problem = response.headers.get("X-Rate-Limit-Problem", "")
        if "day" in problem.lower():
            resets_at = (
                reference + timedelta(seconds=retry_after)
                if reference is not None and retry_after is not None
                else None
            )
            when = f"; it resets at {resets_at:%Y-%m-%d %H:%M:%S} UTC" if resets_at else ""
            return Verdict(
                "fail",
                status,
                f"daily rate limit reached{when}",
                RateLimitError,
                retry_after=retry_after,
                resets_at=resets_at,
                request_id=request_id,
            )
        which = f" ({problem.strip().lower()})" if problem.strip() else ""
        return Verdict(
            "wait",
            status,
            f"rate limit{which}",
            RateLimitError,
            retry_after=retry_after,
            request_id=request_id,
        )
    if status >= 500:
        reference = now or response_date(response)
        retry_after = parse_retry_after(response.headers.get("Retry-After"), now=reference)
        return Verdict(
            "retry",
            status,
            f"server error{said}",
            ApiError,
            retry_after=retry_after,
            request_id=request_id,
        )
    return Verdict("fail", status, f"refused{said}" if said else "refused", ApiError,
                   request_id=request_id)


class Classifier(Protocol):
    """The shape of :func:`classify`: a response (and "now") in, a :class:`Verdict` out."""

    def __call__(self, response: requests.Response, *, now: datetime | None = None) -> Verdict:
        ...


def request_id_of(response: requests.Response) -> str | None:
    """The request id the API gave (the first of :data:`REQUEST_ID_HEADERS`), or None.

    A value longer than 100 characters, or with a space or a control character in it, is no
    request id and gives None: it is never cut (a cut could leave the start of a secret a
    server echoed there, which no scrubbing would then recognise)."""
    for header in REQUEST_ID_HEADERS:
        value = (response.headers.get(header) or "").strip()
        if value:
            plausible = len(value) <= 100 and value.isprintable() and " " not in value
            return value if plausible else None
    return None


def response_date(response: requests.Response) -> datetime | None:
    """The response's ``Date`` header as a UTC datetime, where it has a valid one."""
    value = response.headers.get("Date")
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_retry_after(value: str | None, *, now: datetime | None) -> float | None:
    """``Retry-After`` in seconds: given as seconds, or as an HTTP date (then ``now`` is
    needed). None when absent or unreadable; never negative."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if seconds == seconds else None  # NaN is unreadable
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if now is None:
        return None
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when
    return max(0.0, (when - now).total_seconds())


def api_message(response: requests.Response, *, limit: int | None = MESSAGE_LIMIT) -> str:
    """The API's own words about an error, from the common JSON shapes, else the text.

    Cut to ``limit`` characters (None: in full). Scrub a message of secrets *before* it is
    cut: :meth:`ApiClient.scrub` and :meth:`~clientguard.redaction.Scrubber.shorten`.
    """
    try:
        body = json.loads(response.content or b"null")
    except (ValueError, UnicodeDecodeError):
        text = (response.text or "").strip()
        return text[:limit] if text and "<" not in text[:1] else ""
    messages: list[str] = []

    def add(value: object) -> None:
        if isinstance(value, str) and value.strip() and value.strip() not in messages:
            messages.append(value.strip())

    if isinstance(body, dict):
        for key in ("Message", "message", "Title", "Detail", "detail", "error_description"):
            add(body.get(key))
        error = body.get("error")
        if isinstance(error, dict):  # Stripe
            add(error.get("message"))
        else:
            add(error)
        for element in body.get("Elements") or []:  # Xero validation errors
            if isinstance(element, dict):
                for problem in element.get("ValidationErrors") or []:
                    if isinstance(problem, dict):
                        add(problem.get("Message"))
        for problem in body.get("validation") or body.get("errors") or []:
            if isinstance(problem, dict):  # problem+json validation lists (e.g. Prism)
                add(problem.get("message"))
        fault = body.get("Fault")  # QuickBooks
        if isinstance(fault, dict):
            for problem in fault.get("Error") or []:
                if isinstance(problem, dict):
                    add(problem.get("Message"))
                    add(problem.get("Detail"))
    elif isinstance(body, str):
        add(body)
    return "; ".join(messages)[:limit]


def describe_url(method: str, url: str) -> str:
    """``GET api.xero.com/api.xro/2.0/Invoices``: never the query string, which may hold ids,
    nor a user name and password written into the URL."""
    parts = urlsplit(url)
    return f"{method} {_host(parts.netloc)}{parts.path}"


def _host(netloc: str) -> str:
    """``host:port`` without the ``user:password@`` a URL may carry."""
    return netloc.rpartition("@")[2]


def _url_secrets(url: str) -> tuple[str, ...]:
    """The password written into a URL (``https://user:password@host``), and the Basic
    credentials ``requests`` makes of it: secrets, whatever option the URL came from."""
    parts = urlsplit(url)
    if not parts.password:
        return ()
    user, password = unquote(parts.username or ""), unquote(parts.password)
    return (password, basic_credentials(user, password))


# =============================================================================== rate limits


@dataclass(frozen=True)
class RateLimits:
    """The rate-limit headers of the last response, for a connector that paces itself."""

    remaining: Mapping[str, int] = field(default_factory=dict)
    """Header name (lower case) to the number of calls left, e.g.
    ``{"x-minlimit-remaining": 58, "x-daylimit-remaining": 4990}``."""

    def get(self, header: str) -> int | None:
        return self.remaining.get(header.lower())

    @classmethod
    def of(cls, response: requests.Response) -> RateLimits:
        remaining = {}
        for name, value in response.headers.items():
            lowered = name.lower()
            if "remaining" in lowered and "limit" in lowered:
                try:
                    remaining[lowered] = int(value.strip())
                except ValueError:
                    continue
        return cls(dict(sorted(remaining.items())))


# =============================================================================== auth


@dataclass(frozen=True)
class TokenSet:
    """Tokens from a token endpoint. Its repr shows no token."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    expires_at: datetime | None = None
    scope: str | None = None

    def __post_init__(self) -> None:
        # Tokens from a file or a token endpoint: a line break around one is dropped, one
        # inside it is refused (ConfigError naming the token, never showing it).
        object.__setattr__(
            self, "access_token", clean_secret(str(self.access_token), name="access_token")
        )
        if self.refresh_token is not None:
            refresh = clean_secret(str(self.refresh_token), name="refresh_token")
            object.__setattr__(self, "refresh_token", refresh or None)

    def to_json(self) -> str:
        return json.dumps(
            {
                "access_token": self.access_token,
                "refresh_token": self.refresh_token,
                "expires_at": self.expires_at.isoformat() if self.expires_at else None,
                "scope": self.scope,
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> TokenSet:
        raw = json.loads(text)
        expires = raw.get("expires_at")
        return cls(
            access_token=str(raw.get("access_token") or ""),
            refresh_token=raw.get("refresh_token"),
            expires_at=datetime.fromisoformat(expires) if expires else None,
            scope=raw.get("scope"),
        )


def token_file_saver(path: str | os.PathLike[str]) -> Callable[[TokenSet], None]:
    """A callback for :class:`RefreshTokenAuth` that writes each new token set to ``path``.

    The file is replaced atomically (a temporary file in the same folder, flushed to disk,
    then ``os.replace``), so a crash leaves the old tokens or the new ones, never half a file;
    it is created readable and writable by the user only (mode 0600).
    """
    target = Path(path).expanduser()

    def save(tokens: TokenSet) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(tokens.to_json())
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    return save


def load_token_file(path: str | os.PathLike[str]) -> TokenSet:
    """The tokens a :func:`token_file_saver` wrote. Raises ConfigError when unreadable."""
    try:
        return TokenSet.from_json(Path(path).expanduser().read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"token file {os.fspath(path)!r} does not exist") from None
    except ConfigError as exc:  # a token with a control character in it: never quoted
        raise ConfigError(f"token file {os.fspath(path)!r}: {exc}") from None
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        raise ConfigError(
            f"token file {os.fspath(path)!r} cannot be read: {type(exc).__name__}"
        ) from None


class Auth(ABC):
    """Supplies the ``Authorization`` header; may refresh when the server says 401."""

    can_refresh: bool = False

    @abstractmethod
    def header(self, client: ApiClient) -> str:
        """The ``Authorization`` value to send now (obtaining a token first if needed)."""

    def refresh(self, client: ApiClient, stale: str) -> None:
        """Get a new access token after ``stale`` was refused."""
        raise AuthError("the access token was refused and cannot be refreshed here: get a new one")

    def secrets(self) -> Iterable[str]:
        """Every secret value this auth holds, to be scrubbed from messages."""
        return ()

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


class BearerToken(Auth):
    """A fixed access token (e.g. one a script obtained elsewhere). Not refreshed."""

    def __init__(self, access_token: str) -> None:
        access_token = clean_secret(access_token, name="access_token")
        if not access_token:
            raise ConfigError("access_token is empty")
        self._token = access_token

    def header(self, client: ApiClient) -> str:
        return f"Bearer {self._token}"

    def refresh(self, client: ApiClient, stale: str) -> None:
        raise AuthError(
            "the access token was refused (expired or revoked); a fixed access_token cannot be "
            "refreshed: pass a new one, or use the refresh-token or client-credentials options"
        )

    def secrets(self) -> Iterable[str]:
        return (self._token,)


class _TokenEndpointAuth(Auth):
    """Shared by the OAuth 2.0 grants: a token endpoint, client authentication, expiry."""

    can_refresh = True
    #: Refresh this long before the token expires, so that it never dies in flight.
    early = timedelta(seconds=60)

    def __init__(
        self,
        *,
        token_url: str,
        client_id: str,
        client_secret: str | None,
        access_token: str | None = None,
        expires_at: datetime | None = None,
    ) -> None:
        client_id = clean_secret(client_id, name="client_id")
        if not client_id:
            raise ConfigError("client_id is empty")
        self.token_url = token_url
        self._client_id = client_id
        self._client_secret = (
            clean_secret(client_secret, name="client_secret") if client_secret else None
        ) or None
        self._access = (
            clean_secret(access_token, name="access_token") if access_token else None
        ) or None
        self._expires_at = expires_at
        # One refresh at a time per connection: a second thread waits and reuses the result
        # (two concurrent refreshes of one rotating token set kill it with invalid_grant).
        self._lock = threading.Lock()

    def header(self, client: ApiClient) -> str:
        with self._lock:
            if self._access is None or self._expiring(client):
                self._obtain(client)
            assert self._access is not None
            return f"Bearer {self._access}"

    def refresh(self, client: ApiClient, stale: str) -> None:
        with self._lock:
            if self._access is not None and f"Bearer {self._access}" != stale:
                return  # another caller refreshed while we waited
            self._obtain(client)

    def _expiring(self, client: ApiClient) -> bool:
        return self._expires_at is not None and client.clock() >= self._expires_at - self.early

    @abstractmethod
    def _grant(self) -> dict[str, str]:
        """The form fields of the token request."""

    def _accept(self, tokens: TokenSet) -> None:
        self._access = tokens.access_token
        self._expires_at = tokens.expires_at

    def _obtain(self, client: ApiClient) -> None:
        form = self._grant()
        basic: tuple[str, str] | None = None
        if self._client_secret:
            basic = (self._client_id, self._client_secret)
        else:  # a public (PKCE) client names itself in the form
            form["client_id"] = self._client_id
        try:
            response = client.request(
                "POST",
                self.token_url,
                data=form,
                auth=basic,
                authenticate=False,
                what="token request",
            )
        except (ApiError, AuthError) as exc:
            if exc.status is None or exc.status >= 500:
                raise
            # invalid_grant, invalid_client...: no retry helps, a person must re-authorise.
            said = str(exc).removesuffix(f" ({exc.context.describe()})")
            raise AuthError(
                f"{said}: the token endpoint refused the credentials; re-authorise "
                "(a refresh token is single-use: one already used, or refreshed by another "
                "process, is dead)",
                exc.context,
            ) from None
        body = decode_json(response, client=client, what="token response")
        if not isinstance(body, dict) or not body.get("access_token"):
            raise AuthError("the token endpoint answered without an access_token")
        expires_in = body.get("expires_in")
        expires_at = None
        if isinstance(expires_in, int | Decimal | str):
            try:
                expires_at = client.clock() + timedelta(seconds=float(expires_in))
            except ValueError:
                expires_at = None
        try:
            tokens = TokenSet(
                access_token=str(body["access_token"]),
                refresh_token=body.get("refresh_token"),
                expires_at=expires_at,
                scope=body.get("scope"),
            )
        except ConfigError as exc:
            raise AuthError(f"the token endpoint's answer cannot be used: {exc}") from None
        self._accept(tokens)
        log.info("obtained a new access token from %s", describe_url("POST", self.token_url))

    def secrets(self) -> Iterable[str]:
        basic = (
            basic_credentials(self._client_id, self._client_secret)
            if self._client_secret
            else None
        )
        return tuple(
            s for s in (self._access, self._client_secret, basic, *_url_secrets(self.token_url))
            if s
        )


class RefreshTokenAuth(_TokenEndpointAuth):
    """OAuth 2.0 refresh-token grant, for tokens that rotate (Xero, QuickBooks).

    Each refresh returns a new refresh token and voids the old one, so the new one is handed
    to ``on_refresh`` (the whole :class:`TokenSet`) *before* the new access token is used: if
    saving it fails, the error propagates and nothing is sent with the new token. Use
    :func:`token_file_saver` for a file only the user can read.
    """

    def __init__(
        self,
        *,
        token_url: str,
        client_id: str,
        client_secret: str | None,
        refresh_token: str,
        on_refresh: Callable[[TokenSet], None],
        access_token: str | None = None,
        expires_at: datetime | None = None,
    ) -> None:
        super().__init__(
            token_url=token_url,
            client_id=client_id,
            client_secret=client_secret,
            access_token=access_token,
            expires_at=expires_at,
        )
        refresh_token = clean_secret(refresh_token, name="refresh_token")
        if not refresh_token:
            raise ConfigError("refresh_token is empty")
        self._refresh_token = refresh_token
        self._on_refresh = on_refresh

    def _grant(self) -> dict[str, str]:
        return {"grant_type": "refresh_token", "refresh_token": self._refresh_token}

    def _accept(self, tokens: TokenSet) -> None:
        rotated = TokenSet(
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token or self._refresh_token,
            expires_at=tokens.expires_at,
            scope=tokens.scope,
        )
        try:
            self._on_refresh(rotated)
        except Exception as exc:
            raise AuthError(
                "a new refresh token was issued but could not be saved "
                f"({type(exc).__name__}); the previous one stays valid for about 30 minutes, "
                "so fix the token store and run again"
            ) from exc
        assert rotated.refresh_token is not None
        self._refresh_token = rotated.refresh_token
        super()._accept(rotated)

    def secrets(self) -> Iterable[str]:
        return (*super().secrets(), self._refresh_token)


class ClientCredentialsAuth(_TokenEndpointAuth):
    """OAuth 2.0 client-credentials grant (Xero custom connections): no refresh token; a new
    access token is requested when the old one expires or is refused."""

    def __init__(
        self,
        *,
        token_url: str,
        client_id: str,
        client_secret: str,
        scope: str | None = None,
    ) -> None:
        if not client_secret or not client_secret.strip():
            raise ConfigError("client_secret is empty")
        super().__init__(token_url=token_url, client_id=client_id, client_secret=client_secret)
        self._scope = scope

    def _grant(self) -> dict[str, str]:
        grant = {"grant_type": "client_credentials"}
        if self._scope:
            grant["scope"] = self._scope
        return grant


# =============================================================================== the client


class _RedactingFilter(logging.Filter):
    """Scrubs a client's secrets from each record of :data:`REDACTED_LOGGERS`; never drops
    a record. Installed by the client, removed by :meth:`ApiClient.close`."""

    def __init__(self, client: ApiClient) -> None:
        super().__init__()
        self._client = weakref.ref(client)
        for name in REDACTED_LOGGERS:
            logging.getLogger(name).addFilter(self)

    def filter(self, record: logging.LogRecord) -> bool:
        client = self._client()
        if client is None:
            return True
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: leave it to logging
            return True
        scrubbed = client.scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, ()
        return True


def _remove_filter(flt: _RedactingFilter) -> None:
    for name in REDACTED_LOGGERS:
        logging.getLogger(name).removeFilter(flt)


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


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, _TryAgain | requests.ConnectionError | requests.Timeout)


class ApiClient:
    """One API's HTTP: a session, a timeout on every call, retries, auth and rate limits.

    Args:
        base_url: the API's root; relative paths are joined to it.
        auth: supplies and refreshes the ``Authorization`` header (None: no auth).
        headers: sent with every call (e.g. ``Accept: application/json``).
        connector: its name, for error messages.
        timeout: seconds to connect and to read, for every call.
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
    ) -> None:
        if max_attempts < 1:
            raise ConfigError("max_attempts must be at least 1")
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.auth = auth
        self.connector = connector
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.max_wait = max_wait
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.sleep = sleep
        self.clock = clock
        self.on_wait = on_wait
        self._secrets = tuple(
            s.strip() for s in (*secrets, *_url_secrets(base_url)) if s and s.strip()
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
        self._unredact = weakref.finalize(self, _remove_filter, _RedactingFilter(self))

    def __repr__(self) -> str:
        return f"<ApiClient {_host(urlsplit(self.base_url).netloc)} connector={self.connector!r}>"

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

        def attempt() -> requests.Response:
            nonlocal refreshed
            response = self._send(method, url, params, headers, data, auth, authenticate)
            verdict = self.classify(response, now=self.clock())
            if verdict.action == "refresh":
                if not authenticate or self.auth is None or refreshed:
                    raise self._error(verdict, stream, label, after_refresh=refreshed)
                if not self.auth.can_refresh:
                    raise self._error(verdict, stream, label, hint=(
                        "a fixed access token cannot be refreshed: pass a new one, or use the "
                        "refresh-token or client-credentials options"))
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
                raise _TryAgain(
                    verdict, f"HTTP {verdict.status} {verdict.reason}", verdict.retry_after
                )
            raise self._error(verdict, stream, label)

        try:
            # A copy per call: a token request runs inside an attempt of the call it serves,
            # and tenacity keeps per-call state on the Retrying object.
            return self._retrying.copy()(attempt)
        except _TryAgain as exc:
            raise self._error(exc.verdict, stream, label, attempts=self.max_attempts) from None
        except (requests.ConnectionError, requests.Timeout) as exc:
            kind = "timed out" if isinstance(exc, requests.Timeout) else "could not connect"
            raise ConnectorError(
                f"{label}: {kind} after {self.max_attempts} attempts "
                f"({type(exc).__name__})",
                ErrorContext(connector=self.connector, stream=stream),
            ) from None
        except Exception as exc:
            # Whatever else leaves the client (a response hook's error, an auth's) leaves it
            # scrubbed, with what is chained to it.
            scrub_exception(exc, self.scrub)
            raise

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
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            log.warning("%s: %s", self.scrub(describe_url(method, url)), type(exc).__name__)
            raise
        except (requests.exceptions.InvalidHeader, UnicodeEncodeError) as exc:
            # requests quotes the refused value in its message: never shown.
            raise ConnectorError(
                f"{self.scrub(describe_url(method, url))}: a header of the request holds a "
                "line break or another character HTTP does not allow (a token or an id "
                f"copied with one?); nothing was sent ({type(exc).__name__})",
                ErrorContext(connector=self.connector),
            ) from None
        except requests.RequestException as exc:
            raise ConnectorError(
                f"{self.scrub(describe_url(method, url))}: the request failed "
                f"({type(exc).__name__}); check the base URL",
                ErrorContext(connector=self.connector),
            ) from None
        limits = RateLimits.of(response)
        if limits.remaining:
            self.rate_limits = limits
        log.debug(
            "%s -> %s (request id %s)",
            describe_url(method, url),
            response.status_code,
            request_id_of(response),
        )
        return response

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
        are left: they would blank out ordinary words."""
        return Scrubber(self.secrets()).scrub(text)

    def shorten(self, text: str, limit: int = MESSAGE_LIMIT) -> str:
        """``text`` scrubbed, then cut to ``limit`` characters: never the other way round."""
        return Scrubber(self.secrets()).shorten(text, limit)

    def _context(self, verdict: Verdict, stream: str | None) -> ErrorContext:
        return ErrorContext(
            connector=self.connector,
            stream=stream,
            status=verdict.status,
            request_id=self.scrub(verdict.request_id) if verdict.request_id else None,
            retry_after=verdict.retry_after,
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
    ) -> ConnectorError:
        reason = self.shorten(verdict.reason)
        if after_refresh:
            reason += " (again after refreshing the token: re-authorise the app)"
        if hint:
            reason += f"; {hint}"
        if attempts is not None:
            reason += f"; gave up after {attempts} attempts"
        error = verdict.error or ApiError
        message = f"{label}: {reason}"
        if error is RateLimitError:
            return RateLimitError(message, self._context(verdict, stream), verdict.resets_at)
        return error(message, self._context(verdict, stream))

    def _too_long(self, verdict: Verdict, stream: str | None, label: str) -> RateLimitError:
        assert verdict.retry_after is not None
        resets_at = self.clock().astimezone(UTC) + timedelta(seconds=verdict.retry_after)
        return RateLimitError(
            f"{label}: {self.shorten(verdict.reason)}: the server asks to wait "
            f"{verdict.retry_after:.0f} s, more than max_wait {self.max_wait:.0f} s; "
            f"try again after {resets_at:%Y-%m-%d %H:%M:%S} UTC",
            self._context(verdict, stream),
            resets_at,
        )


def decode_json(
    response: requests.Response, *, client: ApiClient | None = None, what: str = "response"
) -> Any:
    """The response body as JSON, numbers with a fraction as :class:`~decimal.Decimal`.

    An empty body (e.g. a 304) is None. Raises :class:`ApiError` when it is not JSON.
    """
    if not response.content:
        return None
    try:
        return json.loads(response.content, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError):
        kind = response.headers.get("Content-Type", "unknown type").split(";")[0]
        raise ApiError(
            f"{what} is not JSON ({kind}); is the base URL right?",
            ErrorContext(
                connector=client.connector if client else None,
                status=response.status_code,
                request_id=request_id_of(response),
            ),
        ) from None


# =============================================================================== paging


def _fingerprint(records: Sequence[Mapping[str, Any]]) -> str:
    text = json.dumps(list(records), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class Paginator(ABC):
    """The paging state of one read of one stream: built fresh for every read, never shared.

    :meth:`first` gives the paging parameters of the first request; :meth:`advance` those of
    the next one, or None when the stream is done. A page that repeats the previous one, or
    parameters that repeat, mean the API ignores our paging: that raises :class:`ApiError`
    rather than looping for ever.
    """

    def __init__(self) -> None:
        self._previous_page: str | None = None
        self._previous_params: Mapping[str, Any] | None = None
        self.pages = 0

    @abstractmethod
    def first(self) -> dict[str, Any]:
        """Paging parameters of the first request."""

    @abstractmethod
    def _next(
        self, response: requests.Response, body: Any, records: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any] | None:
        """Paging parameters of the next request, or None when done."""

    def advance(
        self, response: requests.Response, body: Any, records: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any] | None:
        """The next request's paging parameters after this page, or None when done."""
        self.pages += 1
        if records:
            fingerprint = _fingerprint(records)
            if fingerprint == self._previous_page:
                raise ApiError(
                    f"paging loop: page {self.pages} repeats page {self.pages - 1}; the API "
                    "ignores the paging parameters"
                )
            self._previous_page = fingerprint
        following = self._next(response, body, records)
        if following is not None and following == self._previous_params:
            raise ApiError(f"paging loop: the next page token repeats after page {self.pages}")
        self._previous_params = following
        return following


class SinglePagePaginator(Paginator):
    """One request, one page."""

    def first(self) -> dict[str, Any]:
        return {}

    def _next(
        self, response: requests.Response, body: Any, records: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any] | None:
        return None


class PageNumberPaginator(Paginator):
    """``page=1, 2, ...`` until the last page.

    The last page is the one the body says is last (``page_count``, e.g. Xero's
    ``pagination.pageCount``), else the first page shorter than ``size``, else an empty one.
    """

    def __init__(
        self,
        *,
        page_param: str = "page",
        size_param: str | None = "pageSize",
        size: int = 100,
        start: int = 1,
        page_count: Callable[[Any], int | None] | None = None,
    ) -> None:
        super().__init__()
        if size < 1:
            raise ConfigError("page size must be at least 1")
        self.page_param = page_param
        self.size_param = size_param
        self.size = size
        self.page = start
        self.page_count = page_count

    def _params(self) -> dict[str, Any]:
        params: dict[str, Any] = {self.page_param: self.page}
        if self.size_param:
            params[self.size_param] = self.size
        return params

    def first(self) -> dict[str, Any]:
        return self._params()

    def _next(
        self, response: requests.Response, body: Any, records: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any] | None:
        if not records:
            return None
        count = self.page_count(body) if self.page_count else None
        if count is not None:
            if self.page >= count:
                return None
        elif len(records) < self.size:
            return None
        self.page += 1
        return self._params()


class OffsetPaginator(Paginator):
    """``offset``/``limit`` paging (QuickBooks' STARTPOSITION): stops on a short page."""

    def __init__(
        self, *, offset_param: str, limit_param: str, limit: int = 100, start: int = 0
    ) -> None:
        super().__init__()
        if limit < 1:
            raise ConfigError("page size must be at least 1")
        self.offset_param = offset_param
        self.limit_param = limit_param
        self.limit = limit
        self.offset = start

    def first(self) -> dict[str, Any]:
        return {self.offset_param: self.offset, self.limit_param: self.limit}

    def _next(
        self, response: requests.Response, body: Any, records: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any] | None:
        if len(records) < self.limit:
            return None
        self.offset += len(records)
        return self.first()


class NextTokenPaginator(Paginator):
    """A token from each page names the next (Stripe's ``starting_after``, a ``next`` link).

    ``token`` reads it from the response, the decoded body and the records; None ends.
    """

    def __init__(
        self,
        *,
        param: str,
        token: Callable[[requests.Response, Any, Sequence[Mapping[str, Any]]], str | None],
        first_params: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.param = param
        self.token = token
        self.first_params = dict(first_params or {})

    def first(self) -> dict[str, Any]:
        return dict(self.first_params)

    def _next(
        self, response: requests.Response, body: Any, records: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any] | None:
        if not records:
            return None
        token = self.token(response, body, records)
        return None if token is None else {**self.first_params, self.param: token}


# =============================================================================== HTTP connectors


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
