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
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from clientguard.errors import ApiError, ErrorContext, RateLimitError

__all__ = ["THROTTLED_IN_200_ADVICE", "Fault", "FaultError", "fault_error", "parse_fault"]

THROTTLED_IN_200_ADVICE = (
    "wait a minute (Intuit asks for 60 seconds after a throttle) and sync again; if it "
    "recurs, lower requests_per_minute (default 475) or requests_per_second (default 9): "
    "every app connected to the company shares its 500 requests a minute"
)
"""What to do when QuickBooks throttles inside a 200 answer."""


@dataclass(frozen=True)
class FaultError:
    code: str | None
    message: str | None
    detail: str | None

    def __str__(self) -> str:
        parts = [p for p in (self.message, self.detail) if p]
        text = ": ".join(dict.fromkeys(parts)) or "no message"
        return f"{text} (code {self.code})" if self.code else text


@dataclass(frozen=True)
class Fault:
    kind: str | None
    errors: tuple[FaultError, ...]

    def __str__(self) -> str:
        what = f"QuickBooks {self.kind}" if self.kind else "QuickBooks error"
        return f"{what}: " + "; ".join(str(e) for e in self.errors)

    @property
    def throttled(self) -> bool:
        """Whether QuickBooks refused the request for its rate limits (code 3001,
        ThrottleExceeded)."""
        return any(e.code in ("3001", "003001") for e in self.errors)


def fault_error(fault: Fault, context: ErrorContext) -> ApiError | RateLimitError:
    """The error a Fault inside an HTTP 200 answer becomes: an :class:`ApiError` with
    QuickBooks' message, or, for a throttle (:attr:`Fault.throttled`), a
    :class:`RateLimitError` saying that QuickBooks throttled the request and what to do
    (:data:`THROTTLED_IN_200_ADVICE`)."""
    if not fault.throttled:
        return ApiError(str(fault), context)
    said = "; ".join(str(e) for e in fault.errors)
    return RateLimitError(
        f"QuickBooks throttled the request ({said}) inside an HTTP 200 answer, which the "
        "sync does not wait out (Intuit documents a throttle only as an HTTP 429, which it "
        f"does): {THROTTLED_IN_200_ADVICE}",
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


def parse_fault(body: object) -> Fault | None:
    """The Fault in a decoded body, or None when there is none."""
    if not isinstance(body, Mapping):
        return None
    fault = _get(body, "Fault")
    if not isinstance(fault, Mapping):
        return None
    errors = _get(fault, "Error") or []
    parsed = tuple(
        FaultError(
            code=_text(_get(error, "code")),
            message=_text(_get(error, "Message")),
            detail=_text(_get(error, "Detail")),
        )
        for error in (errors if isinstance(errors, list) else [])
        if isinstance(error, Mapping)
    )
    return Fault(kind=_text(_get(fault, "type")), errors=parsed or (FaultError(None, None, None),))
