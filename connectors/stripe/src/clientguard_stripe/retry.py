"""Stripe's own word on retrying: the ``Stripe-Should-Retry`` header, and scrubbing keys.

Stripe answers some responses with ``Stripe-Should-Retry: true`` or ``false``; its official
libraries obey the header before the status (stripe-python ``_should_retry``).
:func:`classify_stripe` is the connector's classifier (``ApiClient(classifier=...)``): the
framework's table (:func:`clientguard.http.classify`) with the header's word on top:

=====================================================  ========================================
response                                               verdict
=====================================================  ========================================
429 or 5xx with ``Stripe-Should-Retry: false``         fail at once with Stripe's message:
                                                       :class:`RateLimitError` (429, "run again
                                                       later"), :class:`ApiError` (5xx)
another 4xx (409 lock timeout...) with ``true``        retry with backoff, like a 5xx
401, 403 with ``true``                                 as the table says: a retry does not
                                                       mend a refused key
400 ``resource_missing`` on ``param: starting_after``  fail with :class:`CursorDeleted`: the
                                                       object a page starts after was deleted
                                                       (the connector's paginator steps back)
anything else, or the header absent or unreadable      as the table says
=====================================================  ========================================

Every reason is cleared of Stripe keys, masked or not (Stripe echoes ``sk_test_****1234``),
before the client scrubs it of the key it sent and cuts it to length.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

import requests

from clientguard.errors import ApiError, RateLimitError
from clientguard.http import Verdict, api_message, classify

__all__ = ["CursorDeleted", "classify_stripe", "cursor_deleted", "scrub_keys", "should_retry"]

_KEY = re.compile(r"\b(?:sk|rk|pk)_(?:test|live)_[A-Za-z0-9*]+")
#: A Stripe account id (``acct_1TenantXYZ``): the tenant, which Stripe names in a 403's message
#: ("... on account 'acct_...'"); no error, log or report may carry it (docs/security.md).
_ACCOUNT = re.compile(r"\bacct_[A-Za-z0-9]+")


class CursorDeleted(ApiError):
    """Stripe no longer has the object a page was asked for after (``starting_after``): it
    was deleted between two pages of a list (stripe/stripe-php#1264). The connector's
    paginator asks for the page again after an earlier id of the same page."""


def cursor_deleted(response: requests.Response) -> bool:
    """True for Stripe's 400 ``resource_missing`` naming ``param: starting_after``, and only
    for it (another parameter, another code, another status is another error)."""
    if response.status_code != 400:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    error = body.get("error") if isinstance(body, dict) else None
    return (isinstance(error, dict) and error.get("code") == "resource_missing"
            and error.get("param") == "starting_after")


def scrub_keys(text: str) -> str:
    """``text`` without any Stripe key, masked or not (Stripe echoes ``sk_test_****1234``),
    and without any account id (the tenant)."""
    return _ACCOUNT.sub("[account]", _KEY.sub("[redacted]", text))


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


def classify_stripe(response: requests.Response, *, now: datetime | None = None) -> Verdict:
    """What a Stripe response means: :func:`~clientguard.http.classify`, then the header.

    A :class:`~clientguard.http.Classifier`: pure, the same response gives the same verdict.
    """
    verdict = classify(response, now=now)
    verdict = replace(verdict, reason=scrub_keys(verdict.reason))
    says = should_retry(response)
    if says is False and verdict.action in ("wait", "retry"):
        # Stripe's words go last: the client cuts a reason to length after scrubbing it.
        message = scrub_keys(api_message(response, limit=None))
        detail = f": {message}" if message else ""
        if verdict.status == 429:
            return replace(
                verdict,
                action="fail",
                reason="Stripe refused the request as too many and says not to retry "
                f"(Stripe-Should-Retry: false): run again later{detail}",
                error=RateLimitError,
            )
        return replace(
            verdict,
            action="fail",
            reason=f"Stripe failed and says not to retry (Stripe-Should-Retry: false){detail}",
            error=ApiError,
        )
    if says is True and verdict.action == "fail" and verdict.status not in (401, 403):
        return replace(verdict, action="retry", error=ApiError)
    if verdict.action == "fail" and cursor_deleted(response):
        return replace(verdict, error=CursorDeleted)
    return verdict
