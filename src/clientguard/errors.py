"""The exception tree.

Errors are data where the caller should see all of them at once (the ledger's load report,
:class:`DataError` with every problem), and exceptions where the caller must stop. No message
built here ever contains a token, a secret or a tenant id: callers pass only what a person
needs to act on.

:func:`os_reason` words an operating-system error (a file not found, permission denied, a
full disk) in the reader's language, for every message that names one: the command line's,
the config's, the policy's, the links', the store's and the connectors'.
"""

from __future__ import annotations

import errno
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from clientguard.i18n import gettext, language, ngettext, noop, pgettext
from clientguard.oslock import read_note
from clientguard.records import Rejection

__all__ = [
    "MESSAGE_CAP",
    "ApiError",
    "AuthError",
    "ClientguardError",
    "ConfigError",
    "ConnectorError",
    "DataError",
    "ErrorContext",
    "PluginLoadError",
    "RateLimitError",
    "StoreError",
    "UnknownConnectorError",
    "lock_holder",
    "os_reason",
]

#: How many problems a :class:`DataError` message lists before it says "and N more".
MESSAGE_CAP = 20


class ClientguardError(Exception):
    """Base class of every error clientguard raises on purpose.

    Every one pickles (back from a process pool, a Dask or Ray worker) with its type, its
    message and its attributes as they were: it is rebuilt from them, not by calling its
    ``__init__`` again (which may take other arguments than the message, or add to it)."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_error, (type(self), self.args), dict(vars(self)))


def _rebuild_error(cls: type[ClientguardError], args: tuple[Any, ...]) -> ClientguardError:
    error = cls.__new__(cls)
    error.args = args
    return error


class DataError(ClientguardError, ValueError):
    """Input data breaks a rule of the model.

    ``problems`` holds every problem found (each a :class:`~clientguard.records.Rejection`
    naming the record, the field, the reason and where the record came from); the message
    lists the first :data:`MESSAGE_CAP` and counts the rest.
    """

    def __init__(self, message: str, problems: Sequence[Rejection] = ()) -> None:
        self.problems: tuple[Rejection, ...] = tuple(problems)
        super().__init__(message)

    @classmethod
    def from_problems(
        cls, problems: Sequence[Rejection], *, what: str | None = None
    ) -> DataError:
        """One error that lists every problem (capped), e.g. from ``Ledger.build(strict=True)``.

        ``what`` says where the problems are, already in the reader's language ("the ledger's
        records", "invoice INV-7"); the header counts them in that language's plural forms
        ("1 problem", "4 problemy", "5 problemów"). Default: "records".

        Polish declines ``what`` after its preposition: a caller words it with
        ``pgettext("problems in", ...)`` so that a catalog gives its locative ("rekordach
        księgi", "fakturze INV-7")."""
        count = len(problems)
        where = what if what is not None else pgettext("problems in", "records")
        lines = [ngettext("{count} problem in {what}:", "{count} problems in {what}:",
                          count).format(count=count, what=where)]
        # Each problem's place in the header's language (``inv.csv, wiersz 8``); its reason
        # as the rejection keeps it.
        lines += [f"  - {problem.words()}" for problem in problems[:MESSAGE_CAP]]
        if count > MESSAGE_CAP:
            more = count - MESSAGE_CAP
            lines.append("  " + ngettext(
                "... and {more} more (every one is in DataError.problems; strict=False keeps "
                "the good records)",
                "... and {more} more (every one is in DataError.problems; strict=False keeps "
                "the good records)", more).format(more=more))
        return cls("\n".join(lines), problems)


class ConfigError(ClientguardError, ValueError):
    """A policy file, mapping file or option is wrong (e.g. an unknown key, which it names).

    Where the error is about keys, :attr:`problems` holds each as (key, what is wrong), the key
    as written (``gracedays``, ``invoices.idd``), so that a program can point at it; else it is
    empty."""

    def __init__(self, message: str, problems: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.problems: tuple[tuple[str, str], ...] = tuple(problems)


class PluginLoadError(ClientguardError, ImportError):
    """An installed connector plugin failed to import; names the plugin and the cause."""

    def __init__(self, name: str, cause: BaseException) -> None:
        self.name_of_plugin = name
        super().__init__(
            f"connector plugin {name!r} failed to load: {type(cause).__name__}: {cause}. "
            f"Reinstall it (pip install --force-reinstall clientguard-{name}) or uninstall it."
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled (e.g. back from a Dask or Ray worker) as its message: the default would call
        # __init__ with the message alone, and the cause, an import failure, may not pickle.
        return (_rebuild_plugin_load_error, (type(self), self.name_of_plugin, str(self)))


def _rebuild_plugin_load_error(
    cls: type[PluginLoadError], name: str, message: str
) -> PluginLoadError:
    error = cls.__new__(cls)
    ImportError.__init__(error, message)
    error.name_of_plugin = name
    return error


class UnknownConnectorError(ClientguardError, LookupError):
    """No connector of that name is installed; the message lists the installed ones."""


@dataclass(frozen=True)
class ErrorContext:
    """Where a connector error happened. Never holds a token, a secret or a tenant id."""

    connector: str | None = None
    stream: str | None = None
    status: int | None = None
    request_id: str | None = None
    retry_after: float | None = None
    failed_before: tuple[str, ...] = ()
    """What the earlier attempts of the same call got, where it was sent again before this
    answer (``("HTTP 500", "ReadTimeout")``): a status or an exception's type, never a
    message. A 429 is not one: a rate limiter refused the request before it was handled, so
    it cannot have changed anything (a token request's refusal after it is the token's own).
    Not in :meth:`describe`: the one who raises says what it means."""

    def describe(self) -> str:
        # In the reader's language (Polish "konektor csv, strumień invoices"; until 2026-12-08
        # English in every language), the connector's and stream's names as written.
        parts = []
        if self.connector:
            parts.append(gettext("connector {name}").format(name=self.connector))
        if self.stream:
            parts.append(gettext("stream {name}").format(name=self.stream))
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.request_id:
            parts.append(gettext("request id {id}").format(id=self.request_id))
        return ", ".join(parts)


class ConnectorError(ClientguardError):
    """A source could not be read. Carries the context a person needs to act."""

    def __init__(self, message: str, context: ErrorContext | None = None) -> None:
        self.context = context or ErrorContext()
        where = self.context.describe()
        super().__init__(f"{message} ({where})" if where else message)

    @property
    def status(self) -> int | None:
        return self.context.status

    @property
    def request_id(self) -> str | None:
        return self.context.request_id

    @property
    def retry_after(self) -> float | None:
        return self.context.retry_after


class AuthError(ConnectorError):
    """Credentials were refused or expired and could not be refreshed: re-authorise."""


class RateLimitError(ConnectorError):
    """A rate limit that waiting inside this call cannot fix (e.g. a daily limit)."""

    def __init__(
        self, message: str, context: ErrorContext | None = None, resets_at: datetime | None = None
    ) -> None:
        self.resets_at = resets_at
        super().__init__(message, context)


class ApiError(ConnectorError):
    """The API refused the request (a 4xx other than auth and rate limits), or kept failing."""


class StoreError(ClientguardError):
    """The local store cannot be used (locked by another sync, newer schema, corrupt)."""


_OS_PROBLEMS = {
    code: words
    for name, words in (
        ("ENOENT", noop("no such file or folder")),
        ("EACCES", noop("permission denied")),
        ("EPERM", noop("permission denied")),
        ("EISDIR", noop("it is a folder, not a file")),
        ("ENOTDIR", noop("a part of the path is not a folder")),
        ("ENOSPC", noop("no space left on the disk")),
        ("EDQUOT", noop("the disk quota is used up")),
        ("EROFS", noop("the file system is read-only")),
        ("EEXIST", noop("it exists already")),
        ("ENAMETOOLONG", noop("the name is too long")),
        ("EMFILE", noop("too many files are open")),
        ("ENFILE", noop("too many files are open")),
        ("EBUSY", noop("the file is in use")),
        ("ETXTBSY", noop("the file is in use")),
        ("EIO", noop("the disk could not be read or written (an input/output error)")),
        ("ELOOP", noop("too many symbolic links in the path")),
    )
    # A system without one of these codes (errno lists what the platform has) skips it.
    if (code := getattr(errno, name, None)) is not None
}
"""The words of the common operating-system errors (errno classes) for a reader who does not
read English (docs/languages.md, "Errors in the chosen language"): the system's own text is
English whatever the locale Python runs in. An errno not listed is said in the system's words
alone."""


def lock_holder(note: str) -> str:
    """Who holds a lock file, for a message that it is held, in the active language: the note
    the holder wrote (:func:`clientguard.oslock.note`: ``source xero, process 1234``) in the
    reader's words (``źródło xero, proces 1234``), or the process alone (``PID 1234``, ``nr
    1234``); a note written otherwise, as it is."""
    read = read_note(note)
    if read is None:
        return note
    source, pid = read
    if source is None:
        # After "another process" (a token file's refresh): the number alone, not "process"
        # twice.
        return gettext("PID {pid}").format(pid=pid)
    return gettext("source {source}, process {pid}").format(source=source, pid=pid)


def os_reason(exc: OSError) -> str:
    """Why ``exc`` happened, in the active language, for a message that names the file
    itself (the path is never part of it): in English the system's own text (``No space
    left on device``); in another language the words of :data:`_OS_PROBLEMS` with the
    system's text kept as the detail to search for (``brak miejsca na dysku (komunikat
    systemu: No space left on device)``); an errno the table does not know, the system's
    text alone."""
    system = exc.strerror or str(exc) or type(exc).__name__
    problem = _OS_PROBLEMS.get(exc.errno) if exc.errno is not None else None
    if problem is None or language() == "en":
        return system
    return gettext("{problem} (the system says: {system})").format(
        problem=gettext(problem), system=system)
