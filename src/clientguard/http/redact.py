"""What of a request may be shown, and the log filter that scrubs the rest.

The scrubbing itself (every form a secret takes) is :mod:`clientguard.redaction`'s; this module
applies it to HTTP: :func:`describe_url` names a call by method, host and path (never the query
string, nor a ``user:password@`` in the URL), :func:`url_secrets` finds the secrets a URL
carries, :func:`secret_name` tells a query parameter or header that carries a credential by its
name, :func:`scrub_query` hides the value of every such parameter in a URL written into a
text, :func:`same_origin` tells whether an address a server sent is on the API's own server
(where a token may go), and a :class:`RedactingFilter` scrubs every record of
:data:`REDACTED_LOGGERS` while an :class:`~clientguard.http.ApiClient` is open, or inside
:func:`redacted_logs` for HTTP sent without one (notify's webhook).
"""

from __future__ import annotations

import contextlib
import logging
import re
import weakref
from collections.abc import Callable, Iterator
from typing import Protocol
from urllib.parse import unquote, urlsplit

from clientguard.redaction import REDACTED, basic_credentials

__all__ = [
    "REDACTED_LOGGERS",
    "RedactingFilter",
    "Scrubbing",
    "describe_url",
    "host_of",
    "origin_of",
    "redacted_logs",
    "remove_filter",
    "same_origin",
    "scrub_query",
    "secret_name",
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


#: The default port of each scheme: ``https://host`` and ``https://host:443`` are one server.
_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> tuple[str, str, int | None]:
    """``(scheme, host, port)`` of ``url``, lower case, the scheme's default port filled in;
    never the ``user:password@`` it may carry. A port that is not a number is None."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:  # "host:abc": no port a request could reach
        port = None
    return scheme, (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme)


def same_origin(url: str, base: str) -> bool:
    """True when ``url`` is on the server of ``base``: the same scheme, host and port (the
    default port of the scheme when none is written). What a client may send its token to
    when a server names the address (a ``Link: rel="next"``)."""
    scheme, host, port = origin_of(url)
    return bool(host) and (scheme, host, port) == origin_of(base)


#: What makes a name a credential's or a tenant id's, anywhere in a part of it (the part in
#: lower case, separators taken out): ``api_token``, ``X-Api-Key``, ``hapikey``, ``wskey``,
#: ``Authorization``, ``xero-tenant-id``, ``Harvest-Account-Id``, ``realmId``,
#: ``Stripe-Account``, ``X-Amz-Signature``, ``Cookie``, ``client_assertion``,
#: ``code_verifier``. The rule fails safe: a name is shown only when every word that holds one
#: of these is a known word that is no credential (:data:`_SHOWN_WORDS`).
_SECRET_PART = re.compile(
    r"token|secret|passw|pwd|passphrase|passcode|key|signature|hmac|auth|credential|cookie"
    r"|session|sessid|jwt|bearer|assertion|verifier|saml|tenant|realm|account|workspace")

#: Short credential words, a credential's only as a word of their own (``sig`` but not
#: ``sigma``; ``pin``, not ``shipping``): AWS's and Azure's ``sig``, one-time ``otp``, ``pin``,
#: ``pw``, a session ``sid``.
_SECRET_SHORT = frozenset({"sig", "otp", "pin", "pw", "sid"})

#: Words that hold a credential's part without naming one: a search term, a commit's author,
#: an accounting period. A word not listed here that holds a part is a credential's (an API's
#: own compound, ``hapikey``, ``wskey``, ``userkey``, is never shown).
_SHOWN_WORDS = frozenset({
    "keyword", "keywords", "keyboard", "keynote", "author", "authors",
    "authored", "authority", "authorities", "monkey", "hockey", "donkey", "turkey", "jockey",
    "whiskey", "tokenizer", "tokenize", "tokenized", "accounting", "accountant", "passage",
    "passenger", "secretary", "sessional",
})

#: Names that are a credential only as the whole name: OAuth's authorization ``code`` in a
#: redirect's query string (``currency_code``, ``error_code`` are not), RFC 8628's
#: ``device_code``.
_SECRET_WHOLE_NAMES = frozenset({"code", "device_code"})

#: The words of a name: split at every character that is not a letter or a digit, and where
#: camelCase starts a word (``XeroTenantId``: xero, tenant, id; ``APIKey``: api, key).
_NAME_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")

#: The parts of a name between its separators (``X-APIkey``: X, APIkey).
_NAME_PART = re.compile(r"[A-Za-z0-9]+")


def name_words(name: str) -> tuple[str, ...]:
    """The words of a parameter's or header's name, in lower case: ``X-Api-Key`` -> x, api,
    key; ``accessToken`` -> access, token; ``refresh_token`` -> refresh, token."""
    return tuple(word.lower() for word in _NAME_WORD.findall(name))


def secret_name(name: str) -> bool:
    """True when a query parameter or header named ``name`` carries a credential or a tenant
    id by its name: its value is never shown.

    Failing safe: a part of the name between separators that holds a credential's part
    (:data:`_SECRET_PART`: ``token``, ``key``, ``secret``, ``auth``, ``tenant``... anywhere:
    ``hapikey``, ``APIkey``, ``accesstoken``) makes it one, unless every camelCase word of that
    part holding one is a known word that names no credential (:data:`_SHOWN_WORDS`:
    ``keyword``, ``author``, ``authored_since``, ``monkey``, ``tokenizer``,
    ``accounting_period``); a word ``sig``, ``otp``, ``pin``, ``pw`` or ``sid`` makes it one
    (``sigma`` does not); and the whole name ``code`` or ``device_code``."""
    if name.strip().lower() in _SECRET_WHOLE_NAMES:
        return True
    for part in _NAME_PART.findall(name):
        words = name_words(part)
        if any(word in _SECRET_SHORT for word in words):
            return True
        if not _SECRET_PART.search(part.lower()):
            continue
        holding = [word for word in words if _SECRET_PART.search(word)]
        # A part whose words, split at camelCase, hold no credential's part on their own
        # (``HMACsig``: hma, csig) is one all the same.
        if not holding or any(word not in _SHOWN_WORDS for word in holding):
            return True
    return False


#: ``&``, ``?``, ``#``, ``;`` and ``=`` as a text may write them: percent-encoded (``%26``,
#: ``%3F``, ``%23``, ``%3B``, ``%3D``; again and again: ``%2526``), or JSON-escaped
#: (``\u0026``: Rails' and Go's JSON escape ``&`` so), in either case.
_ENCODED = {char: rf"%(?:25)*{ord(char):02x}|\\u00{ord(char):02x}" for char in "&?#;="}

#: What comes before a query parameter's name: the start of the text (a query string written
#: alone: a form body echoed), or ``?``, ``&``, ``#`` (an implicit grant's fragment) or ``;``
#: (``&amp;``, HTML 4's separator), each written as is or encoded (:data:`_ENCODED`). Not a
#: space: a secret's own value may hold `` key=`` (a value is scrubbed as a whole only before
#: this runs).
_BEFORE_NAME = rf"^|[?&#;]|{_ENCODED['&']}|{_ENCODED['?']}|{_ENCODED['#']}|{_ENCODED[';']}"

#: Any of :data:`_ENCODED`: what a name never holds (nor a value, but ``?`` and ``;``).
_ANY_ENCODED = "|".join(_ENCODED.values())

#: A parameter's name: no separator, ``=``, space, quote or angle bracket, however written.
_NAME = rf"(?:[^=&;?#%\\\s\"'<>]|(?!{_ANY_ENCODED})[%\\])+"

#: ``=`` between a name and its value, as is or encoded.
_EQUALS = rf"=|{_ENCODED['=']}"

#: A query parameter written into a text: what comes before its name (kept), the name, ``=``
#: and its value, up to the next ``&`` or ``#`` (as is or JSON-escaped), a space, a quote
#: (``"``, ``\"``, ``\u0022``) or an angle bracket (``\u003c``); or up to a ``?`` or ``;``
#: (as is or encoded), or a percent-encoded ``&`` or ``#``, that another ``name=`` follows (a
#: URL nested in this one's value, encoded: its parameters are looked at too). A value's own
#: ``%26`` (a secret holding ``&``, sent encoded) is no end of it otherwise: cut there, the
#: value would keep its tail, which then no longer matches the secret it is a part of.
#: Case-insensitive: ``%3f`` is ``%3F``.
_QUERY_PARAMETER = re.compile(
    rf"(?P<before>{_BEFORE_NAME})(?P<name>{_NAME})(?P<equals>{_EQUALS})"
    rf"(?P<value>(?:(?!\\u00(?:26|23|22|27|3c|3e)|\\[\"']"
    rf"|(?:[?;]|{_ENCODED['?']}|{_ENCODED[';']}|{_ENCODED['&']}|{_ENCODED['#']})"
    rf"(?:{_NAME})(?:{_EQUALS}))[^&#\s\"'<>])+)",
    re.IGNORECASE,
)

#: How ``=`` may be written: a text holding none has no query parameter.
_EQUALS_FORMS = ("=", "%3d", "\\u003d")


def scrub_query(text: str) -> str:
    """``text`` with the value of every query parameter named as a credential
    (:func:`secret_name`: ``access_token``, ``api_key``, ``key``, ``sig``, ``signature``...)
    in a URL written into it replaced by ``[redacted]``: the address of a next page a server
    named (a ``Link: rel="next"``) may carry a value the client never sent and so cannot
    scrub as a secret, and urllib3 logs it whole at DEBUG level. The other parameters
    (``page=2``) are kept.

    A parameter is found behind ``?``, ``&``, ``#`` or ``;`` written as is, percent-encoded
    (``%26api_key=``, ``%3Faccess_token%3D``, twice: ``%2526``), JSON-escaped
    (``\\u0026access_token=``) or HTML-escaped (``&amp;``), and at the start of the text (a
    query string alone); never behind a space."""
    lowered = text.lower()
    if not any(form in lowered for form in _EQUALS_FORMS):
        return text
    return _QUERY_PARAMETER.sub(
        lambda m: (f"{m['before']}{m['name']}{m['equals']}{REDACTED}"
                   if secret_name(unquote(m["name"])) else m[0]),
        text,
    )


class RedactingFilter(logging.Filter):
    """Scrubs a client's secrets, and the values of credential-named query parameters
    (:func:`scrub_query`), from each record of :data:`REDACTED_LOGGERS`; never drops a
    record. Installed by the client, removed by ``ApiClient.close``."""

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
        scrubbed = scrub_query(client.scrub(message))
        if scrubbed != message:
            record.msg, record.args = scrubbed, ()
        return True


def remove_filter(flt: RedactingFilter) -> None:
    for name in REDACTED_LOGGERS:
        logging.getLogger(name).removeFilter(flt)


class _Scrub:
    """A scrub function as a :class:`Scrubbing` (the filter holds what it scrubs with weakly)."""

    def __init__(self, scrub: Callable[[str], str]) -> None:
        self.scrub = scrub


@contextlib.contextmanager
def redacted_logs(scrub: Callable[[str], str]) -> Iterator[None]:
    """Scrub every record of :data:`REDACTED_LOGGERS` with ``scrub`` inside the block: the
    :class:`RedactingFilter` of an :class:`~clientguard.http.ApiClient`, for HTTP sent
    without one (notify's webhook, whose URL is its credential and which urllib3 logs whole at
    DEBUG level). The filter is removed when the block ends, however it ends."""
    holder = _Scrub(scrub)  # held here, strongly, until the block ends
    flt = RedactingFilter(holder)
    try:
        yield
    finally:
        remove_filter(flt)
