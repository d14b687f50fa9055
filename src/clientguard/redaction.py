"""Secrets: how one is taken in, and how it is kept out of every text clientguard shows.

A secret is a token, a client secret, an API key or a tenant (realm) id: every connector
option typed ``SecretStr``, the tokens of a token file, and the tokens a token endpoint
returns. ``docs/security.md`` is the guide.

* **Taking one in** (:func:`clean_secret`): surrounding whitespace is stripped (a token pasted
  from a file ends in ``\\n`` or ``\\r\\n``); a character that is not printable inside the
  value (a line break, a tab, a NUL, a zero-width space) is refused with a
  :class:`~clientguard.errors.ConfigError` that names where the value came from (the option,
  the environment variable, the token file) and never the value. Such a value would make
  ``requests`` refuse the header, with the whole value in its message.
* **Keeping it out** (:class:`Scrubber`): a text is scrubbed of every form in which the client
  itself sends a secret, and every form a server may echo it in: as is, URL-encoded (any set
  of escaped characters, upper- or lower-case hex, ``+`` or ``%20`` for a space),
  JSON-escaped (``\\/``, ``\\u0041``) or HTML-escaped, in any mix, matched regardless of case.
  The client's Basic credentials, ``base64(client_id:client_secret)``, are a secret of their
  own (:func:`basic_credentials`). A secret's prefix left at the very end of a text, or of
  one of its messages or lines (a server that cut its own message), is scrubbed too.
  :meth:`Scrubber.shorten` scrubs first and cuts after, so that a cut never leaves the first
  characters of a secret.

Where it is applied, once for every way out: the options model of every connector and the
OAuth classes take secrets in (:class:`clientguard.connector.ConnectorOptions`,
:mod:`clientguard.http`); :class:`clientguard.http.ApiClient` scrubs what leaves it (errors,
the reason before a retry, log records while it is open); :meth:`Connector.sync
<clientguard.connector.Connector.sync>` scrubs every error, rejection, skip reason and progress
event that leaves a connector, with the secrets of its ``SecretStr`` options and its client;
the store scrubs the error it keeps; the command line scrubs the values it was given from
every line it prints.

Values shorter than :data:`MIN_SECRET_LENGTH` characters are not scrubbed: they would blank
out ordinary words.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import html
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from urllib.parse import quote, quote_plus

from clientguard.errors import ClientguardError, ConfigError, ConnectorError
from clientguard.i18n import gettext

__all__ = [
    "MIN_SECRET_LENGTH",
    "REDACTED",
    "Scrubber",
    "basic_credentials",
    "clean_secret",
    "scrub_exception",
]

REDACTED = "[redacted]"
"""What a secret is replaced with."""

MIN_SECRET_LENGTH = 4
"""Shorter values are not scrubbed (they would blank out ordinary words)."""

MIN_PREFIX = 6
"""A prefix of a secret at least this long (or the whole secret but one character, for a
shorter one) left at the end of a text is scrubbed."""

#: Where one message of a text ends and another begins: an API's messages joined with "; ",
#: and lines.
_MESSAGE_ENDS = re.compile(r"(; |\r?\n)")

#: Trailing characters that may follow a cut: an ellipsis, quotes, closing brackets.
_AFTER_CUT = " \t\r\n.\u2026\"'`)]}>"


def clean_secret(value: str, *, name: str) -> str:
    """``value`` without surrounding whitespace; a ConfigError naming ``name`` (an option, an
    environment variable, a file and key) when a character inside it is not printable.

    The message says which character (``U+000A``) but never the value. An empty result is
    returned as is: whether a secret may be empty is the caller's rule.
    """
    text = value.strip()
    for char in text:
        if not char.isprintable():
            message = (
                gettext("{name} holds a line break ({code}) inside it; a secret is one line of "
                        "visible characters: copy it again without it")
                if char in "\r\n\x0b\x0c\x85\u2028\u2029" else
                gettext("{name} holds a control or invisible character ({code}) inside it; a "
                        "secret is one line of visible characters: copy it again without it")
            )
            raise ConfigError(message.format(name=name, code=f"U+{ord(char):04X}"))
    return text


def basic_credentials(client_id: str, client_secret: str) -> str:
    """The ``base64(client_id:client_secret)`` of an HTTP Basic header, as ``requests``
    sends it (Latin-1 where the text allows, else UTF-8): a secret of its own."""
    joined = f"{client_id}:{client_secret}"
    try:
        raw = joined.encode("latin-1")
    except UnicodeEncodeError:
        raw = joined.encode("utf-8")
    return base64.b64encode(raw).decode("ascii")


def _char_forms(char: str) -> list[str]:
    """Every way ``char`` may be written in a text that echoes a request: as is, URL-encoded
    (per UTF-8 byte), JSON-escaped and HTML-escaped. Regex alternatives, each escaped."""
    code = ord(char)
    forms = {re.escape(char)}
    forms.add("".join(f"%{byte:02x}" for byte in char.encode("utf-8")))
    if code > 0xFFFF:  # JSON writes an astral character as a surrogate pair
        high, low = divmod(code - 0x10000, 0x400)
        forms.add(re.escape(f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}"))
    else:
        forms.add(re.escape(f"\\u{code:04x}"))
    if char in "\"\\/":
        forms.add(re.escape("\\" + char))
    if char == " ":
        forms.add(re.escape("+"))
    if char == "+":  # a server that reads a query's "+" as a space echoes a space
        forms.add(re.escape(" "))
    escaped = html.escape(char, quote=True)
    if escaped != char:
        forms.add(re.escape(escaped))
    if not char.isalnum():
        forms.add(re.escape(f"&#{code};"))
        forms.add(re.escape(f"&#x{code:x};"))
    return sorted(forms, key=len, reverse=True)


def _secret_pattern(secret: str) -> str:
    return "".join(
        f"(?:{'|'.join(forms)})" if len(forms := _char_forms(c)) > 1 else forms[0]
        for c in secret
    )


LONG_SECRET = 2048
"""A longer secret is matched in its common forms only (as is, URL-encoded, JSON-escaped),
regardless of case: a pattern of every form of every character would take seconds to build.
Real tokens are shorter (a Xero access token is about 1,200 characters)."""


def _same_length_lower(text: str) -> str:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


@functools.lru_cache(maxsize=16)
def _long_forms(secret: str) -> tuple[str, ...]:
    forms = {secret, quote(secret, safe=""), quote_plus(secret), quote(secret),
             json.dumps(secret)[1:-1], json.dumps(secret)[1:-1].replace("/", "\\/")}
    return tuple(sorted({_same_length_lower(f) for f in forms}, key=len, reverse=True))


def _scrub_long(text: str, secret: str) -> str:
    for form in _long_forms(secret):
        lowered = _same_length_lower(text)
        at = lowered.find(form)
        if at == -1:
            continue
        pieces, start = [], 0
        while at != -1:
            pieces += [text[start:at], REDACTED]
            start = at + len(form)
            at = lowered.find(form, start)
        text = "".join([*pieces, text[start:]])
    return text


@functools.lru_cache(maxsize=256)
def _pattern(secret: str) -> re.Pattern[str]:
    """A pattern matching every form of ``secret``; compiled once per secret (a token that
    rotates compiles only the new one)."""
    return re.compile(_secret_pattern(secret), re.IGNORECASE)


@functools.lru_cache(maxsize=64)
def _plain_forms(secrets: tuple[str, ...]) -> tuple[str, ...]:
    """The common written forms of each secret, lower case: for the prefix check."""
    forms: set[str] = set()
    for secret in secrets:
        if len(secret) < MIN_SECRET_LENGTH:
            continue
        for form in (secret, quote(secret, safe=""), quote_plus(secret), quote(secret)):
            forms.add(form.lower())
    return tuple(sorted(forms, key=len, reverse=True))


def _min_prefix(form: str) -> int:
    return min(MIN_PREFIX, len(form) - 1)


class Scrubber:
    """Replaces every form of a set of secrets in a text with ``[redacted]``.

    Immutable: :meth:`with_secrets` returns a scrubber that knows more. The compiled pattern
    of a secret is shared between scrubbers.
    """

    __slots__ = ("_secrets",)

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        kept = {s.strip() for s in secrets if s and s.strip()}
        self._secrets: tuple[str, ...] = tuple(sorted(kept))

    def __repr__(self) -> str:
        return f"<Scrubber of {len(self._secrets)} secrets>"

    @property
    def empty(self) -> bool:
        return not any(len(s) >= MIN_SECRET_LENGTH for s in self._secrets)

    def with_secrets(self, more: Iterable[str | None]) -> Scrubber:
        return Scrubber((*self._secrets, *more))

    def scrub(self, text: str) -> str:
        """``text`` with every form of every secret replaced by ``[redacted]``."""
        if not text or self.empty:
            return text
        # Longest first, so that a secret holding a shorter one goes whole.
        for secret in sorted(self._secrets, key=len, reverse=True):
            if len(secret) > LONG_SECRET:
                text = _scrub_long(text, secret)
            elif len(secret) >= MIN_SECRET_LENGTH:
                text = _pattern(secret).sub(REDACTED, text)
        # Each message of a joined list ("; ") and each line may end where a server cut it.
        pieces = _MESSAGE_ENDS.split(text)
        return "".join(
            piece if index % 2 else self._scrub_trailing_prefix(piece)
            for index, piece in enumerate(pieces)
        )

    def shorten(self, text: str, limit: int) -> str:
        """``text`` scrubbed, then cut to at most ``limit`` characters (an ellipsis marks a
        cut; a cut never splits a ``[redacted]``)."""
        text = self.scrub(text)
        if len(text) <= limit:
            return text
        cut = max(0, limit - 1)
        marker = text.rfind(REDACTED, max(0, cut - len(REDACTED) + 1), cut + len(REDACTED))
        if marker != -1 and marker < cut < marker + len(REDACTED):
            cut = marker
        return text[:cut].rstrip() + "\u2026"

    def _scrub_trailing_prefix(self, text: str) -> str:
        """A secret's first characters at the very end of ``text`` (a server cut its own
        message there) become ``[redacted]``."""
        end = len(text.rstrip(_AFTER_CUT))
        if end == 0:
            return text
        lowered = text[:end].lower()
        longest = 0
        for form in _plain_forms(self._secrets):
            shortest = _min_prefix(form)
            if shortest < 3:
                continue
            # Candidates: each place in the tail where the form's first characters start.
            start = max(0, end - len(form) + 1)
            head = form[:shortest]
            at = lowered.find(head, start)
            while at != -1 and end - at >= shortest:
                if form.startswith(lowered[at:end]):
                    longest = max(longest, end - at)
                    break
                at = lowered.find(head, at + 1)
        if not longest:
            return text
        return text[: end - longest] + REDACTED + text[end:]


def scrub_exception(exc: BaseException, scrub: Callable[[str], str]) -> None:
    """Scrub ``exc`` in place, with the exceptions chained to it (``__cause__``,
    ``__context__``: a traceback shows them): the text of their ``args`` and notes, a
    connector error's request id, and every text attribute of clientguard's own errors
    (:class:`~clientguard.http.SourceChanged`'s ``why``, :class:`~clientguard.http.
    MissingRecords`' ``why`` and ``advice``: a caller that catches one may show or store
    them, as a connector re-raising it does). The type, the other attributes and the
    traceback are kept, so that a caller's ``except`` and ``--debug`` work as before."""
    seen: set[int] = set()
    current: BaseException | None = exc
    pending: list[BaseException] = []
    while current is not None or pending:
        if current is None:
            current = pending.pop()
        if id(current) in seen:
            current = None
            continue
        seen.add(id(current))
        with contextlib.suppress(AttributeError, TypeError):  # a class with read-only args
            current.args = tuple(scrub(a) if isinstance(a, str) else a for a in current.args)
        notes = getattr(current, "__notes__", None)
        if isinstance(notes, list):  # add_note(): a traceback prints them
            current.__notes__ = [scrub(n) if isinstance(n, str) else n for n in notes]
        if isinstance(current, ClientguardError):
            for name, value in list(vars(current).items()):
                if isinstance(value, str):
                    with contextlib.suppress(AttributeError, TypeError):
                        setattr(current, name, scrub(value))
        if isinstance(current, ConnectorError) and current.context.request_id:
            current.context = replace(
                current.context, request_id=scrub(current.context.request_id)
            )
        if current.__cause__ is not None:
            pending.append(current.__cause__)
        current = current.__context__
