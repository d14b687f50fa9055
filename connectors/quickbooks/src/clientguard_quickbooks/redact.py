"""Keeping the company's realm id out of log lines that the connector does not write itself.

Every QuickBooks call goes to ``/v3/company/<realm id>/...``, and both urllib3 (at DEBUG
level: ``"GET /v3/company/9341.../query?... HTTP/1.1" 200``) and clientguard's HTTP layer
log request paths. While a connector is open, a filter on those loggers replaces the realm
id (in its plain and its URL-encoded form) with ``[redacted]`` in every record they emit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from urllib.parse import quote, quote_plus

#: The loggers that write request lines with URLs.
LOGGERS = ("urllib3.connectionpool", "clientguard.http")

REDACTED = "[redacted]"


class RedactingFilter(logging.Filter):
    """Replaces each secret in a record's message; never drops a record."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        forms: set[str] = set()
        for secret in secrets:
            if secret and len(secret) >= 4:
                forms.update({secret, quote(secret, safe=""), quote_plus(secret)})
        # Longest first, so that an encoded form is not half-replaced by a shorter one.
        self._forms = tuple(sorted(forms, key=len, reverse=True))

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: leave it to logging
            return True
        scrubbed = message
        for form in self._forms:
            scrubbed = scrubbed.replace(form, REDACTED)
        if scrubbed != message:
            record.msg, record.args = scrubbed, ()
        return True


def redact_in_logs(secrets: Iterable[str]) -> Callable[[], None]:
    """Install the filter on :data:`LOGGERS`; returns the function that removes it."""
    flt = RedactingFilter(secrets)
    loggers = [logging.getLogger(name) for name in LOGGERS]
    for logger in loggers:
        logger.addFilter(flt)

    def remove() -> None:
        for logger in loggers:
            logger.removeFilter(flt)

    return remove
