"""What of a request may be shown, and the log filter that scrubs the rest.

The scrubbing itself (every form a secret takes) is :mod:`clientguard.redaction`'s; this module
applies it to HTTP: :func:`describe_url` names a call by method, host and path (never the query
string, nor a ``user:password@`` in the URL), :func:`url_secrets` finds the secrets a URL
carries, and a :class:`RedactingFilter` scrubs every record of :data:`REDACTED_LOGGERS` while
an :class:`~clientguard.http.ApiClient` is open.
"""

from __future__ import annotations

import logging
import weakref
from typing import Protocol
from urllib.parse import unquote, urlsplit

from clientguard.redaction import basic_credentials

__all__ = [
    "REDACTED_LOGGERS",
    "RedactingFilter",
    "Scrubbing",
    "describe_url",
    "host_of",
    "remove_filter",
    "url_secrets",
]

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


class Scrubbing(Protocol):
    """What a :class:`RedactingFilter` needs of its client: ``scrub``."""

    def scrub(self, text: str) -> str: ...


def describe_url(method: str, url: str) -> str:
    """``GET api.xero.com/api.xro/2.0/Invoices``: never the query string, which may hold ids,
    nor a user name and password written into the URL."""
    parts = urlsplit(url)
    return f"{method} {host_of(parts.netloc)}{parts.path}"


def host_of(netloc: str) -> str:
    """``host:port`` without the ``user:password@`` a URL may carry."""
    return netloc.rpartition("@")[2]


def url_secrets(url: str) -> tuple[str, ...]:
    """The password written into a URL (``https://user:password@host``), and the Basic
    credentials ``requests`` makes of it: secrets, whatever option the URL came from."""
    parts = urlsplit(url)
    if not parts.password:
        return ()
    user, password = unquote(parts.username or ""), unquote(parts.password)
    return (password, basic_credentials(user, password))


class RedactingFilter(logging.Filter):
    """Scrubs a client's secrets from each record of :data:`REDACTED_LOGGERS`; never drops
    a record. Installed by the client, removed by ``ApiClient.close``."""

    def __init__(self, client: Scrubbing) -> None:
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


def remove_filter(flt: RedactingFilter) -> None:
    for name in REDACTED_LOGGERS:
        logging.getLogger(name).removeFilter(flt)
