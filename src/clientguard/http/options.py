"""The options every HTTP connector shares: :class:`HttpOptions`.

A connector's options subclass it and inherit ``timeout``, ``max_attempts``, ``max_wait``,
``max_body``, ``max_read_seconds`` and ``sleep``, validated once here: a timeout and a wait
are finite numbers of seconds (``inf`` and ``nan`` are refused, as is a timeout of 0 or
less), within bounds a real API needs. A connector whose API calls for another default
re-declares the field with the same type (:data:`Timeout`, :data:`MaxWait`,
:data:`MaxAttempts`) and its own default, so the bounds stay these.
:meth:`clientguard.http.HttpConnector.api_client` turns them into an
:class:`~clientguard.http.ApiClient`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from pydantic import Field

from clientguard.connector import ConnectorOptions

__all__ = [
    "DEFAULT_MAX_READ_SECONDS",
    "LARGEST_BODY",
    "MAX_ATTEMPTS",
    "MAX_BODY_BYTES",
    "MAX_READ_SECONDS",
    "MAX_TIMEOUT",
    "MAX_WAIT",
    "HttpOptions",
    "MaxAttempts",
    "MaxBody",
    "MaxReadSeconds",
    "MaxWait",
    "Timeout",
]

MAX_TIMEOUT = 600.0
"""The longest timeout accepted, in seconds: ten minutes without a byte is a dead
connection (QuickBooks cuts a request at 120 s, the others answer in seconds)."""

MAX_WAIT = 86_400.0
"""The longest ``max_wait`` accepted, in seconds: one day, the longest window an API here
limits by (a daily limit fails at once with the time it resets instead)."""

MAX_ATTEMPTS = 100
"""The most tries per call accepted: more is a loop, not a retry policy."""

MAX_BODY_BYTES = 32 * 2**20
"""The largest response body read by default, in bytes once decompressed: 32 MiB. The
largest page any connector asks for is a few megabytes: the recorded answers weigh 2.0 KB a
Xero invoice and 3.6 KB a QuickBooks one with their lines, so a page of 1,000 is 2 to 4 MB.
A body past this is a damaged or hostile answer (an endless stream, a compressed body that
expands to gigabytes), which would otherwise be read into memory whole, and parsed: JSON of
small objects (``[{},{},...]``) takes about 26 times its size once parsed, so this bound
keeps one page under a gigabyte (256 MiB, the bound before, let 256 KiB of gzip become
6.6 GiB). A source whose pages are larger raises it (``max_body``, an option of every HTTP
connector: :class:`HttpOptions`)."""

LARGEST_BODY = 2**30
"""The largest ``max_body`` accepted, in bytes: 1 GiB, some 250 times the largest page of any
API here; past it one page could take tens of gigabytes once parsed."""

DEFAULT_MAX_READ_SECONDS = 300.0
"""The longest an answer's body may take to arrive whole once its headers came, in seconds
by default: five minutes, five times the default ``timeout``. A page of 1,000 invoices (2 to
4 MB in the recorded answers, :data:`MAX_BODY_BYTES`) arrives within it down to some 14 KB/s;
a server that sends its answer a byte at a time, each within ``timeout``, is cut off there
instead of never. The server's thinking before the headers is not counted: ``timeout``
bounds the connection and each wait for a byte, headers included."""

MAX_READ_SECONDS = 3_600.0
"""The longest ``max_read_seconds`` accepted, in seconds: one hour, some 12 times the
default; a page that takes longer is not a page an API sends."""

Timeout = Annotated[float, Field(gt=0, le=MAX_TIMEOUT, allow_inf_nan=False)]
"""Seconds to wait for the server on each request: to connect, and for each byte of the
answer (its headers included): finite, above 0, at most 600."""

MaxWait = Annotated[float, Field(ge=0, le=MAX_WAIT, allow_inf_nan=False)]
"""The longest single wait inside a call, in seconds: finite, 0 to one day (0: never wait
for a server that names a time; back off only)."""

MaxAttempts = Annotated[int, Field(ge=1, le=MAX_ATTEMPTS)]
"""Tries per call, the first included: 1 to 100."""

MaxBody = Annotated[int, Field(ge=1, le=LARGEST_BODY)]
"""The largest answer read, in bytes once decompressed: 1 byte to 1 GiB."""

MaxReadSeconds = Annotated[float, Field(gt=0, le=MAX_READ_SECONDS, allow_inf_nan=False)]
"""Seconds an answer's body may take in all once its headers came: finite, above 0, at most
3,600."""


class HttpOptions(ConnectorOptions):
    """The options of an HTTP connector that every one of them has (keyword arguments)."""

    timeout: Timeout = 60.0
    """Seconds to wait for the server on each request: to connect, and for each byte of the
    answer, its headers included (the whole body is bounded by ``max_read_seconds``)."""
    max_attempts: MaxAttempts = 5
    """Tries per call on a rate limit, a server error or a lost connection."""
    max_wait: MaxWait = 120.0
    """The longest wait for a rate limit inside one call; a longer one fails at once with
    the time to come back."""
    max_body: MaxBody = MAX_BODY_BYTES
    """The largest answer read, in bytes once decompressed (32 MiB): a larger one fails the
    request unread and unretried. Raise it for a source whose pages are larger."""
    max_read_seconds: MaxReadSeconds = DEFAULT_MAX_READ_SECONDS
    """The longest an answer's body may take to arrive whole once its headers came (300 s): a
    server that sends it slower, a byte at a time each within ``timeout``, is cut off there,
    and the request is sent again once (a slow page stays slow), then fails saying so."""
    sleep: Callable[[float], None] | None = None
    """How to wait (default time.sleep); tests pass a recorder."""
