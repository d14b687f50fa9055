"""What an HTTP response means: one pure table, :func:`classify`, and the readers it uses.

No I/O, no clock, no client: a bare :class:`requests.Response` (and "now") in, a
:class:`Verdict` out. The table is in :mod:`clientguard.http`'s docstring; a source with rules
of its own wraps :func:`classify` in a :class:`Classifier` of its own and passes it to
``ApiClient(classifier=...)``.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Literal, Protocol
from urllib.parse import urljoin, urlsplit

import requests

from clientguard.errors import ApiError, AuthError, ConnectorError, RateLimitError
from clientguard.http.redact import host_of, same_origin
from clientguard.i18n import gettext

__all__ = [
    "CONDITIONAL_HEADERS",
    "MESSAGE_LIMIT",
    "REQUEST_ID_HEADERS",
    "Classifier",
    "Verdict",
    "api_message",
    "classify",
    "conditional",
    "escape_lone_surrogates",
    "html_answer",
    "moment_after",
    "parse_retry_after",
    "redirect_refused",
    "request_id_of",
    "response_date",
]

#: Headers that carry a request id, in the order they are looked for. Atlassian's two come
#: last, the trace id first: Jira Cloud sends both, and ``Atl-Traceid`` is the one Atlassian
#: Support asks for to trace a request through its services; ``X-AREQUESTID`` is Jira's own
#: (Jira Data Center sends only it).
REQUEST_ID_HEADERS = (
    "Xero-Correlation-Id",
    "Request-Id",
    "X-Request-Id",
    "intuit_tid",
    "X-Correlation-Id",
    "Atl-Traceid",
    "X-AREQUESTID",
)

MESSAGE_LIMIT = 300
"""The longest API message shown in an error or a progress line, cut after scrubbing."""


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
    if 200 <= status < 300:
        return Verdict("ok", status, "ok", request_id=request_id)
    if status == 304:
        if conditional(response):
            return Verdict("ok", status, "ok", request_id=request_id)
        # RFC 9110 §15.4.5: a 304 answers only a conditional GET. Read as "nothing changed",
        # it would end a read with no records, and a full read would then drop every record
        # a store kept: it is a misbehaving server's or proxy's answer, never an empty page.
        return Verdict(
            "fail", status,
            gettext("not modified (HTTP 304) to a request that asked for no condition (no "
                    "If-Modified-Since or If-None-Match): a caching proxy or the server "
                    "answered wrongly, with no records; nothing was read: check base_url and "
                    "any proxy on the way, then try again"),
            ApiError, request_id=request_id,
        )
    if 300 <= status < 400:
        return Verdict("fail", status, redirect_refused(response), ApiError,
                       request_id=request_id)
    # In full: the client scrubs the secrets out first and cuts after (a cut made before
    # would leave a secret's first characters that no longer match it).
    message = api_message(response, limit=None)
    if not message and status < 500:
        # A refusal in an HTML page is a proxy's or a login page's, not the API's.
        message = html_answer(response) or ""
    said = f": {message}" if message else ""
    if status == 401:
        return Verdict("refresh", status, gettext("unauthorised{said}").format(said=said),
                       AuthError, request_id=request_id)
    if status == 403:
        # What a 403 means is the API's: a token without a scope (Xero), a key refused
        # (Toggl), a role that may not read the list. Its connector says what to do.
        return Verdict("fail", status, gettext("forbidden{said}").format(said=said), AuthError,
                       request_id=request_id)
    if status == 429:
        reference = now or response_date(response)
        retry_after = parse_retry_after(response.headers.get("Retry-After"), now=reference)
        problem = response.headers.get("X-Rate-Limit-Problem", "")
        if "day" in problem.lower():
            resets_at = (
                moment_after(reference, retry_after)
                if reference is not None and retry_after is not None
                else None
            )
            when = gettext("; it resets at {moment} UTC").format(
                moment=f"{resets_at:%Y-%m-%d %H:%M:%S}") if resets_at else ""
            return Verdict(
                "fail",
                status,
                gettext("daily rate limit reached{when}").format(when=when),
                RateLimitError,
                retry_after=retry_after,
                resets_at=resets_at,
                request_id=request_id,
            )
        which = f" ({problem.strip().lower()})" if problem.strip() else ""
        return Verdict(
            "wait",
            status,
            gettext("rate limit{which}").format(which=which),
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
            gettext("server error{said}").format(said=said),
            ApiError,
            retry_after=retry_after,
            request_id=request_id,
        )
    return Verdict(
        "fail", status, gettext("refused{said}").format(said=said), ApiError,
        request_id=request_id
    )


#: A JSON escape of a UTF-16 surrogate (``\ud800``...``\udfff``), in a body's bytes.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def escape_lone_surrogates(value: Any, body: bytes) -> Any:
    r"""``value`` (``body`` decoded as JSON) with each lone surrogate in its strings, keys
    included, written out as the six characters of its escape (``\ud800``, as Python's
    ``backslashreplace`` writes it).

    JSON lets a string escape half of a UTF-16 pair alone (``"\ud800"``); Python decodes it
    to a character that no UTF-8 text can hold, so a name holding one would fail wherever it
    is written (the store, a report, a terminal). Written out, it is kept as the API sent it,
    and two ids that differ only there stay two ids (U+FFFD would make them one). The body's
    bytes are searched first: a body without such an escape, nearly every one, is returned
    as it is, unwalked.
    """
    if _SURROGATE_ESCAPE.search(body) is None:
        return value

    def visible(text: str) -> str:
        return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)

    def clean(item: Any) -> Any:
        if isinstance(item, str):
            return visible(item)
        if isinstance(item, list):
            return [clean(element) for element in item]
        if isinstance(item, dict):
            return {visible(key): clean(element) for key, element in item.items()}
        return item

    return clean(value)


class Classifier(Protocol):
    """The shape of :func:`classify`: a response (and "now") in, a :class:`Verdict` out."""

    def __call__(self, response: requests.Response, *, now: datetime | None = None) -> Verdict: ...


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
    needed). None when absent or unreadable (``inf`` and ``nan`` are no number of seconds);
    never negative, always finite. A wait of any size is read as given: the client fails a
    wait longer than its ``max_wait`` at once (:func:`moment_after` says when to come back,
    where the calendar reaches)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        # inf (or a number too large for a float) and nan are no number of seconds
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if now is None:
        return None
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when
    return max(0.0, (when - now).total_seconds())


def moment_after(now: datetime, seconds: float) -> datetime | None:
    """``now`` plus ``seconds``, or None where that is past the calendar's end (the year 9999)
    or the seconds are no finite number: a server may ask to wait longer than any date can
    say (``Retry-After: 99999999999999999999``). Never raises."""
    try:
        return now + timedelta(seconds=seconds)
    except (OverflowError, ValueError):
        return None


def api_message(response: requests.Response, *, limit: int | None = MESSAGE_LIMIT) -> str:
    """The API's own words about an error, from the common JSON shapes, else the text.

    Cut to ``limit`` characters (None: in full). Scrub a message of secrets *before* it is
    cut: :meth:`ApiClient.scrub` and :meth:`~clientguard.redaction.Scrubber.shorten`.
    """
    try:
        body = escape_lone_surrogates(json.loads(response.content or b"null"),
                                      response.content or b"")
    except RecursionError:  # nested deeper than any message: a damaged or hostile body
        return ""
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
        for text in body.get("errorMessages") or []:  # Jira: a list of sentences
            add(text)
        fields = body.get("errors")
        if isinstance(fields, dict):  # Jira: a field's name -> what is wrong with it
            for field, text in fields.items():
                if isinstance(text, str) and text.strip():
                    add(f"{field}: {text.strip()}")
        fault = body.get("Fault")  # QuickBooks
        if isinstance(fault, dict):
            for problem in fault.get("Error") or []:
                if isinstance(problem, dict):
                    add(problem.get("Message"))
                    add(problem.get("Detail"))
    elif isinstance(body, str):
        add(body)
    return "; ".join(messages)[:limit]


def html_answer(response: requests.Response) -> str | None:
    """What an HTML page where the API's JSON was due means, in words; None when the body is
    no HTML page (by its ``Content-Type``, or by how it starts), and when it is empty: a
    ``Content-Type: text/html`` with no body (a bare redirect's, a proxy's) is no page.

    The page itself is never quoted: it is a proxy's or a login page's, long, and may echo
    the request.
    """
    kind = response.headers.get("Content-Type", "").split(";")[0].strip()
    start = response.content[:512].lstrip().lower() if response.content else b""
    if not start:
        return None
    if "html" not in kind.lower() and not start.startswith((b"<!doctype html", b"<html")):
        return None
    return (
        gettext("the server answered with an HTML page ({kind}), not the API's JSON: a proxy, "
                "a captive portal or a login page answered instead of the API; check base_url "
                "and the network").format(kind=kind or "unknown type")
    )


#: The request headers that make a GET conditional in the way a 304 answers (RFC 9110
#: §13.1.2, §13.1.3): ``If-Match`` and ``If-Unmodified-Since`` fail with a 412 instead.
CONDITIONAL_HEADERS = ("If-None-Match", "If-Modified-Since")


def conditional(response: requests.Response) -> bool:
    """True when the request ``response`` answers carried :data:`CONDITIONAL_HEADERS`, the
    only requests a 304 (Not Modified) may answer. A response without its request (built
    by hand) answers no known condition: False."""
    sent = response.request
    return sent is not None and any(sent.headers.get(name) for name in CONDITIONAL_HEADERS)


def redirect_refused(response: requests.Response, *, moved: str | None = None) -> str:
    """A redirect (3xx), which the client never follows (the token would go with it), in
    words: where it points, by scheme and host only (the path and the query string of a
    ``Location`` may carry an id or a token), and what to do.

    To another server (scheme, host or port): ``base_url`` should be the address the API
    answers at (the common case is ``http://`` sent on to ``https://``). To another address
    on the server the request went to (GitHub's renamed or transferred repository,
    ``Location: /repositories/<id>/...``): ``base_url`` is right, what was asked for moved;
    the API's own message is kept, and ``moved`` (a connector's words: which option names
    it) says what to do, else a general advice."""
    location = (response.headers.get("Location") or "").strip()
    target = urlsplit(urljoin(response.url or "", location)) if location else None
    if target is None or not target.scheme or not target.netloc:
        return gettext(
            "redirected (HTTP {status}) without saying where to; redirects are not followed "
            "(the token would go with them): check base_url").format(status=response.status_code)
    where = f"{target.scheme}://{host_of(target.netloc)}"
    if response.url and same_origin(target.geturl(), response.url):
        # In full: the client scrubs the secrets out first, as for every refusal.
        message = api_message(response, limit=None)
        said = gettext(" (the API said: {message})").format(message=message) if message else ""
        # The advice before the API's words: a reason is cut at MESSAGE_LIMIT characters.
        return gettext(
            "redirected (HTTP {status}) to another address on the same server, {where}; not "
            "followed (the token would go with it): base_url is right, what was asked for "
            "moved: {moved}{said}").format(
            status=response.status_code, where=where, said=said,
            moved=moved or gettext(
                "update the option that names it (renamed or moved at the source?)"))
    return gettext(
        "redirected (HTTP {status}) to {where}; redirects are not followed (the token would go "
        "with them): set base_url to the address the API answers at (the common case: an "
        "http:// base_url sent on to https://)").format(
        status=response.status_code, where=where)
