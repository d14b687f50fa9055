"""Stripe's own word on retrying: the ``Stripe-Should-Retry`` header, and scrubbing keys.

Stripe answers some failures with ``Stripe-Should-Retry: true`` or ``false``; its official
libraries obey the header before anything else (stripe-python ``_should_retry``). The
framework's :func:`clientguard.http.classify` retries every 429 and 5xx; the connector adds
the header's "no": a failure Stripe says not to retry fails at once, with Stripe's message.
(A "yes" on a status the framework would retry anyway changes nothing.)
"""

from __future__ import annotations

import re
from typing import Any

import requests

from clientguard.errors import ApiError, ErrorContext, RateLimitError
from clientguard.http import MESSAGE_LIMIT, api_message, request_id_of
from clientguard.redaction import Scrubber

__all__ = ["refuse_when_stripe_says_no", "scrub_keys", "should_retry"]

_KEY = re.compile(r"\b(?:sk|rk|pk)_(?:test|live)_[A-Za-z0-9*]+")


def scrub_keys(text: str) -> str:
    """``text`` without any Stripe key, masked or not (Stripe echoes ``sk_test_****1234``)."""
    return _KEY.sub("[redacted]", text)


def should_retry(response: requests.Response) -> bool | None:
    """What ``Stripe-Should-Retry`` says: True, False, or None when the header is absent."""
    value = response.headers.get("Stripe-Should-Retry")
    if value is None:
        return None
    text = value.strip().lower()
    if text == "true":
        return True
    if text == "false":
        return False
    return None


def refuse_when_stripe_says_no(response: requests.Response, *args: Any, **kwargs: Any) -> None:
    """A ``requests`` response hook: a 429 or 5xx that Stripe says not to retry fails now.

    Raises :class:`RateLimitError` (429) or :class:`ApiError` (5xx), with Stripe's message
    and request id, before the retry policy sees the response.
    """
    status = response.status_code
    if status < 429 or (status != 429 and status < 500) or should_retry(response) is not False:
        return
    # Scrubbed in full, then cut: a cut first could leave a key's first characters. The
    # client scrubs the error again with the key it sent on its way out.
    said = Scrubber().shorten(scrub_keys(api_message(response, limit=None)), MESSAGE_LIMIT)
    context = ErrorContext(connector="stripe", status=status, request_id=request_id_of(response))
    detail = f": {said}" if said else ""
    if status == 429:
        raise RateLimitError(
            f"Stripe refused the request as too many{detail}; it says not to retry "
            "(Stripe-Should-Retry: false): run again later",
            context,
        )
    raise ApiError(
        f"Stripe failed{detail}; it says not to retry (Stripe-Should-Retry: false)", context
    )
