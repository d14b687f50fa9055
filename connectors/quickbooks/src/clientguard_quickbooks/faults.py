"""QuickBooks' error envelope, the ``Fault``, in words a person can act on.

QuickBooks reports errors as ``{"Fault": {"Error": [{"Message", "Detail", "code"}],
"type": "ValidationFault"}}``, with ``fault``/``error``/``message`` in lower case on
authentication failures, and sometimes inside a 200 response. Codes, after Intuit's
documentation as python-quickbooks groups them: 1-499 authentication and authorisation,
500-599 unsupported operation, 600-1999 general (610: object not found), 2000-4999
validation (3001 is ThrottleExceeded), 10000 and up: severe.

:func:`fault_error` is the error a Fault inside a 200 answer becomes. A throttle (3001)
there is a :class:`~clientguard.errors.RateLimitError` that says so: Intuit documents
throttling only as HTTP 429 (waited out by :func:`~.pacing.classify_quickbooks`), and a 200
as an answer that "may contain a <Fault>"; nothing says a throttle comes in one, so it is not
waited out and sent again, and the sync stops saying what to do
(docs/connectors/quickbooks.md, "Limits").

What QuickBooks said is shown as the HTTP errors' messages are (docs/security.md, "How a text
is scrubbed"): each of its texts (a Message, a Detail, a code, the Fault's type) scrubbed of
the client's secrets on its own, in full, then each error's words cut to
:data:`~clientguard.http.classify.MESSAGE_LIMIT` (300) characters, and only then the code and
the sentence around them added. A server that cut its own message after a token's first
characters leaves them at the end of the Detail, where the scrubber recognises them; once
``" (code 3001)) inside an HTTP 200 answer"`` follows, it would not.

A Fault never holds QuickBooks' words as they came: :func:`parse_fault` takes the client and
keeps each text scrubbed of its secrets, in full, so that ``str()`` and ``repr()`` of a Fault
(or of one of its errors), a log line or a debugger's view of the local variable show no token
a server echoed (a Detail reading ``Authorization: Bearer eyJ...``). What :meth:`Fault.shown`
then cuts to 300 characters is already scrubbed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from clientguard.errors import ApiError, ErrorContext, RateLimitError

__all__ = [
    "THROTTLED_IN_200_ADVICE",
    "Fault",
    "FaultError",
    "Scrubbing",
    "fault_error",
    "parse_fault",
]

THROTTLED_IN_200_ADVICE = (
    "wait a minute (Intuit asks for 60 seconds after a throttle) and sync again; if it "
    "recurs, lower requests_per_minute (default 475) or requests_per_second (default 9): "
    "every app connected to the company shares its 500 requests a minute"
)
"""What to do when QuickBooks throttles inside a 200 answer."""


class Scrubbing(Protocol):
    """What a Fault is shown with: the client's
    :meth:`~clientguard.http.ApiClient.scrub` and :meth:`~clientguard.http.ApiClient.shorten`
    (scrubbed in full, then cut to 300 characters)."""

    def scrub(self, text: str) -> str: ...

    def shorten(self, text: str) -> str: ...


class _AsIs:
    """Shows a Fault's texts as it holds them, uncut: ``str()``. They are already scrubbed
    (:func:`parse_fault`); no message clientguard shows is made with it
    (:func:`fault_error` takes the client, and cuts)."""

    def scrub(self, text: str) -> str:
        return text

    def shorten(self, text: str) -> str:
        return text


@dataclass(frozen=True)
class FaultError:
    code: str | None
    message: str | None
    detail: str | None

    def shown(self, by: Scrubbing) -> str:
        """``Message: Detail (code N)``: the Message and the Detail each scrubbed on its own
        (a server may have cut either after a secret's first characters), their join cut by
        ``by.shorten``, and only then the code added."""
        parts = [by.scrub(p) for p in dict.fromkeys((self.message, self.detail)) if p]
        text = by.shorten(": ".join(parts)) if parts else "no message"
        return f"{text} (code {by.shorten(self.code)})" if self.code else text

    def __str__(self) -> str:
        return self.shown(_AsIs())


@dataclass(frozen=True)
class Fault:
    kind: str | None
    errors: tuple[FaultError, ...]

    def shown(self, by: Scrubbing) -> str:
        """``QuickBooks <type>: <error>; <error>``, each text scrubbed and cut by ``by``
        (:meth:`FaultError.shown`)."""
        what = f"QuickBooks {by.shorten(self.kind)}" if self.kind else "QuickBooks error"
        return f"{what}: " + self.said(by)

    def said(self, by: Scrubbing) -> str:
        """The errors alone, ``; ``-joined, each scrubbed and cut by ``by``."""
        return "; ".join(e.shown(by) for e in self.errors)

    def __str__(self) -> str:
        return self.shown(_AsIs())

    @property
    def throttled(self) -> bool:
        """Whether QuickBooks refused the request for its rate limits (code 3001,
        ThrottleExceeded)."""
        return any(e.code in ("3001", "003001") for e in self.errors)


def fault_error(
    fault: Fault, context: ErrorContext, by: Scrubbing
) -> ApiError | RateLimitError:
    """The error a Fault inside an HTTP 200 answer becomes: an :class:`ApiError` with
    QuickBooks' message, or, for a throttle (:attr:`Fault.throttled`), a
    :class:`RateLimitError` saying that QuickBooks throttled the request and what to do
    (:data:`THROTTLED_IN_200_ADVICE`).

    ``by`` is the connector's client: QuickBooks' words are scrubbed of its secrets and cut
    to 300 characters an error each before anything is added to them
    (:meth:`Fault.shown`)."""
    if not fault.throttled:
        return ApiError(fault.shown(by), context)
    return RateLimitError(
        f"QuickBooks throttled the request ({fault.said(by)}) inside an HTTP 200 answer, "
        "which the sync does not wait out (Intuit documents a throttle only as an HTTP 429, "
        f"which it does): {THROTTLED_IN_200_ADVICE}",
        context,
    )


def _get(mapping: Mapping[str, Any], key: str) -> Any:
    """``mapping[key]`` under either capitalisation (``Fault`` / ``fault``)."""
    if key in mapping:
        return mapping[key]
    return mapping.get(key[0].swapcase() + key[1:])


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def parse_fault(body: object, *, scrub: Callable[[str], str]) -> Fault | None:
    """The Fault in a decoded body, or None when there is none.

    ``scrub`` is the connector's client's (:meth:`~clientguard.http.ApiClient.scrub`): each
    of QuickBooks' texts (the type, and each error's
    code, Message and Detail) is kept scrubbed of its secrets, on its own and in full (a
    server may have cut one after a secret's first characters, which the scrubber recognises
    only at the end of a text). The Fault never holds a token a server echoed, so nothing
    that prints it (``str()``, ``repr()``, a log line, a debugger) can show one."""
    if not isinstance(body, Mapping):
        return None
    fault = _get(body, "Fault")
    if not isinstance(fault, Mapping):
        return None
    errors = _get(fault, "Error") or []
    parsed = tuple(
        FaultError(
            code=_scrubbed(_get(error, "code"), scrub),
            message=_scrubbed(_get(error, "Message"), scrub),
            detail=_scrubbed(_get(error, "Detail"), scrub),
        )
        for error in (errors if isinstance(errors, list) else [])
        if isinstance(error, Mapping)
    )
    return Fault(kind=_scrubbed(_get(fault, "type"), scrub),
                 errors=parsed or (FaultError(None, None, None),))


def _scrubbed(value: object, scrub: Callable[[str], str]) -> str | None:
    """:func:`_text` of ``value``, scrubbed."""
    text = _text(value)
    return scrub(text) if text is not None else None
