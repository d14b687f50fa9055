"""Keeping the API token out of log lines that the connector does not write itself.

Fakturownia takes its token in the query string, and urllib3 logs every request line, query
string included, at DEBUG level (``"GET /invoices.json?api_token=... HTTP/1.1" 200``). A
user who turns on DEBUG logging in a cron job would write the token to a file. While a
connector is open, a filter on urllib3's and clientguard's HTTP loggers replaces the token
(in its plain and its URL-encoded form) with ``[redacted]`` in every record they emit.
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
