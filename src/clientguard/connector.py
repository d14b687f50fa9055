"""The connector framework: streams declared as data, one sync loop that owns the work.

A connector says *what* a source holds (its :class:`Stream` declarations) and *how one raw
record becomes a model record* (a pure :meth:`Connector.to_model`). Where the raw pages come
from is its :meth:`Connector.fetch`: HTTP connectors inherit it from
:class:`clientguard.http.HttpConnector` (a fresh paginator per call), a file connector reads
its file and yields chunks of rows, each row with its file and line.

The base class owns the loop (:meth:`Connector.sync`), and with it the rules every source
obeys:

* **Mapping never stops a sync.** A raw record that :meth:`~Connector.to_model` cannot map
  (it raises :class:`~clientguard.errors.DataError`, ``ValueError``, ``LookupError``,
  ``TypeError``, ``AttributeError`` or ``ArithmeticError``) becomes a
  :class:`~clientguard.records.Rejection` with the raw record's id, the reason and its
  location. Any other exception is a bug in the connector and propagates.
* **Nothing is dropped silently.** A raw record the connector leaves out on purpose (a bill
  where only sales invoices count, a deleted payment) is a :class:`Skip` with a reason, and
  the skips are counted per reason on every :class:`Page`.
* **De-duplication by id.** Within one sync, a record that arrives again unchanged (the
  inclusive lower bound re-reads the boundary; a record moved to a later page) is yielded once
  and counted in ``Page.duplicates``. A record that arrives again *changed* follows its
  stream's ``duplicates`` rule: ``"latest"`` yields the new version (it changed while the sync
  was paging; the later one wins in :func:`pull` and in the store's upsert), ``"reject"``
  makes it a rejection that names the first one (a file with two different invoices under one
  number).
* **Incremental sync.** A stream with a ``cursor_field`` is read from the cursor in the
  :class:`SyncState`, minus the connector's ``lookback``; the lower bound is inclusive. The
  cursor after a page is the latest change time seen, but never later than the moment the
  sync started (read once from the injected clock): a record changed during the sync is read
  again next time rather than missed. On a stream whose pages come sorted by the cursor
  (``sorted_by_cursor=True``) the cursor advances page by page, so an interrupted sync resumes
  where it stopped; otherwise it advances only with the stream's last page. A stream whose
  read asks for every change before the sync's start, deletions included
  (``cursor_at_start=True``), takes that moment as its cursor with its last page. Where the
  source says when it answered, by its own clock (:attr:`RawPage.answered_at`), no cursor
  is later than its earliest answer either: a clock here that runs ahead of the source's
  cannot pass over a change made during the sync.
* **No secret leaves a sync.** Every error that leaves :meth:`Connector.sync`, every
  rejection (its id, field, reason and location), skip reason, note and progress event is
  scrubbed of the connector's secrets (its ``SecretStr`` options, and its HTTP client's tokens
  and ids) in every form they may take (:mod:`clientguard.redaction`, ``docs/security.md``).
  The options' repr, ``str`` and JSON dump show neither a ``SecretStr`` nor the password of a
  URL option (``https://user:password@proxy``).

:func:`printable` is the one rule for text from the data shown on a terminal (here, below the
report layer, so that a plugin's own command uses it too; :mod:`clientguard.report.text`
re-exports it for the renderers).

:meth:`Connector.sync` yields :class:`Page` objects, so that a store can persist records and
the cursor page by page; :func:`pull` is the all-in-memory wrapper that
:meth:`clientguard.ledger.Ledger.from_connector` uses. Pulling is the connector's job: this
module sits below the ledger and imports nothing above the model (docs/architecture.md).
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import repeat
from typing import Any, ClassVar, Literal, NamedTuple, Self, cast, final
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    SecretStr,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    ValidationError,
    ValidationInfo,
    field_serializer,
    field_validator,
)

from clientguard.errors import ConfigError, DataError
from clientguard.gcpause import collector_paused
from clientguard.i18n import gettext
from clientguard.model import AnyRecord, Record
from clientguard.records import Location, Locations, RecordKey, Rejection
from clientguard.redaction import Scrubber, clean_secret, scrub_exception

__all__ = [
    "MAX_TIMER_HOURS",
    "Clock",
    "Connector",
    "ConnectorInfo",
    "ConnectorOptions",
    "MadeRecord",
    "MadeRecords",
    "Mapped",
    "OptionInfo",
    "Page",
    "ProgressCallback",
    "ProgressEvent",
    "Pulled",
    "RawPage",
    "RawRecord",
    "RecordKind",
    "Skip",
    "Stream",
    "SyncState",
    "iana_zone",
    "printable",
    "pull",
    "says_bad_debt",
    "timer_hours",
    "utc_now",
]

RecordKind = Literal[
    "customer", "invoice", "payment", "credit_note", "time_entry", "work_request"
]
"""The kind of model record a stream yields (``Record.kind``)."""

Clock = Callable[[], datetime]
"""Returns "now" as a timezone-aware datetime. Injected so that tests fix the time."""


def utc_now() -> datetime:
    """The real clock, in UTC. Only a sync reads it, once, when it starts."""
    return datetime.now(UTC)


_BAD_DEBT_NAME = re.compile(
    r"\b(?:bad|doubtful)[\s-]+(?:debts?|debtors|accounts?|receivables?)\b|\buncollect[ai]b"
    r"|\bniesciagaln|\bwatpliw|\bodpis\w*\s+aktualizuj\w*\s+naleznos", re.IGNORECASE)
_RECOVERY = re.compile(r"\brecover|\bodzysk", re.IGNORECASE)


def says_bad_debt(name: str) -> bool:
    """Whether an account's name says bad or doubtful debts, the accounts a firm writes off
    an unpaid invoice to (Xero and QuickBooks bring an invoice's balance down with a credit
    note or a journal entry to one, and the client never paid it): "Bad Debts", "Bad debt
    expense", "Bad-debt expense", "Provision for doubtful debts", "Allowance for doubtful
    accounts", "Uncollectible accounts expense", the Polish "Należności nieściągalne",
    "Należności wątpliwe" and "Odpisy aktualizujące należności" (the allowance); compared
    without case or diacritics. An account of recoveries ("Bad debts recovered",
    "Odzyskane należności nieściągalne") is not one. Each connector adds the account's class
    or type, and the firm's own list (``bad_debt_accounts``) for an account named otherwise."""
    decomposed = unicodedata.normalize("NFKD", name.replace("ł", "l").replace("Ł", "L"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _BAD_DEBT_NAME.search(plain) is not None and _RECOVERY.search(plain) is None


MAX_TIMER_HOURS = Decimal(24)
"""The most hours one entry of a time tracker (a timer) can hold: a person's day. More is a
timer left running over a night or a weekend, and is rejected rather than counted for the
client (a spreadsheet's weekly total is not a timer: the CSV connector has no such bound)."""


def timer_hours(hours: Decimal, field: str) -> Decimal:
    """``hours`` of one time tracker entry, checked against :data:`MAX_TIMER_HOURS`.

    Raises:
        DataError: more than a day, naming ``field`` and what to do.
    """
    if hours > MAX_TIMER_HOURS:
        raise DataError(
            f"{field}: {hours.normalize():f} hours in one entry, more than a day; a timer "
            "left running? Correct the entry in the time tracker and sync again"
        )
    return hours


#: Names the time zone database accepts that are no place's zone: ``localtime`` is the zone
#: of the machine that reads (a day must not depend on it), ``Factory`` a placeholder.
_NOT_PLACES = frozenset({"localtime", "factory"})


def iana_zone(value: object) -> ZoneInfo | None:
    """The IANA time zone ``value`` names (``Europe/Warsaw``: a connector's ``timezone``
    option, or the zone an account's profile gives), or None when ``value`` is absent, not
    text, a name that is no place's zone (``localtime``, ``Factory``), or no IANA time zone
    this machine knows (a misspelt name, a path, a name too long for a file). Never raises:
    the one check of a time zone name for every connector."""
    if not isinstance(value, str) or not value.strip():
        return None
    name = value.strip()
    if name.lower() in _NOT_PLACES:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def zone_option(value: str, example: str = "Europe/Warsaw") -> str:
    """A connector's ``timezone`` option checked (:func:`iana_zone`) and given by the zone's
    own name (``" Europe/Warsaw "`` -> ``"Europe/Warsaw"``); a ``ValueError`` naming it (cut
    to 60 characters) and an ``example`` otherwise, which the options' validation reports as
    the option's error. For an options validator: ``return zone_option(value)``."""
    zone = iana_zone(value)
    if zone is None:
        raise ValueError(f"{value[:60]!r} is not an IANA time zone (e.g. {example})")
    return zone.key


# --------------------------------------------------------------------------- terminal text

#: What data may never put on a terminal as it is (tab and newline are the callers'):
#: C0 and C1 control characters, which move the cursor, clear the screen or retitle the
#: window; every Unicode bidirectional control (the Arabic letter mark U+061C, the marks
#: U+200E/F, the embeddings and overrides U+202A-202E, the isolates U+2066-2069), which
#: reorder a line so that it reads differently from what it is; the line and paragraph
#: separators U+2028/9, line breaks like the VT, FF and NEL above; and the invisible format
#: characters that play no part in writing a name and can hide or disguise text: the zero-width
#: space U+200B, the word joiner and invisible operators U+2060-2064, the deprecated format
#: controls U+206A-206F, the byte-order mark U+FEFF, the interlinear annotation marks
#: U+FFF9-FFFB and the tag characters U+E0000-E007F. The zero-width (non-)joiners U+200C/D,
#: which Persian, Indic scripts and emoji need, the variation selectors and the soft hyphen
#: are left as they are.
_UNSAFE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028-\u202e"
    r"\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]"
)


def printable(text: str) -> str:
    """``text`` safe for a terminal: control characters, bidirectional controls and invisible
    format characters (:data:`_UNSAFE`) shown as escapes (``\\x1b``, ``\\u202e``), so data
    can never move the cursor, clear the screen, reorder a line or hide a part of it. Newlines
    and tabs are kept."""
    return _UNSAFE.sub(lambda m: _escape(m.group()), text)


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


# --------------------------------------------------------------------------- streams


@dataclass(frozen=True, kw_only=True)
class Stream:
    """One kind of record a source holds, declared as data.

    Subclasses add what their transport needs (an HTTP path and paginator in
    :class:`clientguard.http.HttpStream`, a file name in a file connector).
    """

    name: str
    """The stream's name, unique within the connector: ``invoices``, ``overpayments``."""
    kind: RecordKind
    """The model record it yields: ``invoice``, ``payment``..."""
    id_field: str | None = None
    """The raw record's field holding its id in the source, so that a record that cannot be
    mapped is still named in its rejection. ``None`` where raw records have no id."""
    cursor_field: str | None = None
    """The raw record's field holding when the source last changed it. ``None``: the stream
    is read in full on every sync."""
    sorted_by_cursor: bool = False
    """True when the source returns the stream ordered by the cursor, oldest change first:
    the cursor may then advance after every page (an interrupted sync resumes)."""
    cursor_at_start: bool = False
    """True when a read of the stream that reaches its last page has asked the source for
    every change made before the sync started, not only for the records it returned (a
    source's list of what was deleted since, such as QuickBooks' change data capture): the
    cursor then becomes the moment the sync started, so that the next sync asks from there
    (less the look-back) however long ago the stream's newest record changed. That moment is
    the earlier of this machine's clock at the sync's start and the source's own clock at its
    first answer (:attr:`RawPage.answered_at`), so that a fast clock here cannot carry the
    cursor past a change made during the sync; a source whose answers do not say their time
    relies on this machine's clock being within the connector's ``lookback`` of its own.
    False: the cursor is the latest change seen."""
    duplicates: Literal["latest", "reject"] = "reject"
    """What a second, different record with an id already seen in this sync means:
    ``latest`` (it changed while the sync was paging: the new version is yielded and wins)
    or ``reject`` (two records claim one id: the later is a rejection naming the first)."""
    description: str = ""
    """One line for people: what the stream holds and what is left out."""

    @property
    def incremental(self) -> bool:
        return self.cursor_field is not None


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One record as the source gave it, with where it came from."""

    data: Mapping[str, Any]
    location: Location | None = None


class MadeRecord(NamedTuple):
    """A record the connector has made itself while reading, with where it came from: what
    :meth:`Connector.to_model` would return for it, handed to the sync ready-made (a file
    connector that checks and builds its records as it reads its rows, a million of them).

    The sync takes it as it takes a record that ``to_model`` returned (de-duplicated, renamed
    to the source being read, its location kept), without a raw record to map. A record made
    so has no raw change time: only streams without a ``cursor_field`` may have them.
    """

    record: AnyRecord
    location: Location


class MadeRecords(NamedTuple):
    """A run of records of one kind the connector has made itself, each on its line of one
    file: the :class:`MadeRecord` items ``MadeRecord(record, Location(file, line))`` for each
    record and line, in order, handed to the sync as one item (a file connector that checks
    a block of rows at once: no location object a record on the way).

    The sync takes them as it takes those items, one by one, with the same outcome: the
    same records, de-duplication, rejections and locations."""

    records: Sequence[AnyRecord]
    """The records, all of one kind and one source."""
    file: str | None
    """The file they came from."""
    lines: Sequence[int]
    """The line of each record, one a record."""


@dataclass(frozen=True, slots=True)
class RawPage:
    """One page of raw records: an API response, or a chunk of a file's rows."""

    records: Sequence[RawRecord]
    last: bool | None = None
    """True when the fetcher knows no page follows (an API's last page); None when it cannot
    tell without reading on (a file): the sync then closes the stream with an empty last
    page. Never read ahead to find out: a page must be yielded before the next is fetched,
    so that an error on the next one does not lose it."""
    notes: tuple[str, ...] = ()
    """What a person should know about how the page was read or about the stream that is
    not a record (a file's encoding that was guessed; a stream the account does not have, read
    as empty; a date that is only approximate), carried to :attr:`Page.notes`, the sync's
    summary and the store."""
    read: int | None = None
    """How far into the stream the fetcher is after this page, in the unit of ``total``
    (bytes of a file; records of an API that counts them); None when it cannot tell."""
    total: int | None = None
    """The size of the whole stream in that unit, when the source knows it (a file's size,
    an API's total count); None otherwise. Only for progress: never trusted as a count."""
    items: Sequence[RawRecord | MadeRecord | MadeRecords] = ()
    """Instead of ``records``, for a connector that makes some records itself (a file
    connector that checks and builds its records as it reads its rows): the page's raw
    records and the :class:`MadeRecord` and :class:`MadeRecords` items, in the source's
    order, on a stream without a ``cursor_field``. A page gives one or the other, never
    both."""
    answered_at: datetime | None = None
    """When the source answered with this page, by the source's own clock (timezone-aware),
    when the answer says so (QuickBooks' ``"time"``); None when it does not. The cursor of
    the stream is never later than the earliest such moment of its read: a cursor taken from
    this machine's clock (``cursor_at_start``) would otherwise run ahead of the source's when
    this machine's clock is fast, past a change made during the sync."""

    def __post_init__(self) -> None:
        if self.records and self.items:
            raise ValueError("a raw page gives records or items, not both")

    @classmethod
    def of(
        cls,
        items: Iterable[Mapping[str, Any]],
        location: Location | None = None,
        *,
        last: bool | None = None,
        read: int | None = None,
        total: int | None = None,
    ) -> RawPage:
        """A page whose records all share one location (e.g. ``GET Invoices page 3``)."""
        records = tuple(RawRecord(item, location) for item in items)
        return cls(records, last, read=read, total=total)


@dataclass(frozen=True, slots=True)
class Skip:
    """Returned by :meth:`Connector.to_model` for a raw record left out on purpose.

    The reason is counted on the page (``Page.skipped``), so that what a sync leaves out is
    always visible: ``Skip("bill (ACCPAY): only sales invoices are read")``.

    ``deleted=True`` says the source reports the record as deleted or voided: its key is then
    listed in ``Page.deleted`` so that a store removes a copy saved by an earlier sync.

    ``counted=False`` leaves it out of ``Page.skipped``, for a record another stream of the
    same sync has already given and counted: one document two streams list (Fakturownia lists
    a cancelled document with the invoices and with the corrections) is left out once, and
    is said once. Its deletion is followed all the same.
    """

    reason: str
    deleted: bool = False
    counted: bool = True


Mapped = AnyRecord | Sequence[AnyRecord] | Skip
"""What :meth:`Connector.to_model` returns: a record, several records, or a :class:`Skip`."""


# --------------------------------------------------------------------------- state and pages


@dataclass(frozen=True)
class SyncState:
    """Where each stream's last sync got to: its cursor (a UTC timestamp) by stream name.

    Immutable: :meth:`advance` returns a new state. Persist it between runs (the store does;
    a script can use :meth:`to_json` / :meth:`from_json`) and pass it to the next sync.
    """

    cursors: Mapping[str, datetime] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for stream, cursor in self.cursors.items():
            if cursor.tzinfo is None:
                raise ConfigError(f"cursor of stream {stream!r} is a naive datetime; use UTC")
        object.__setattr__(
            self, "cursors", {s: c.astimezone(UTC) for s, c in sorted(self.cursors.items())}
        )

    def cursor(self, stream: str) -> datetime | None:
        """The stream's cursor, or None when it was never synced (read it in full)."""
        return self.cursors.get(stream)

    def advance(self, stream: str, cursor: datetime | None) -> SyncState:
        """A state with ``stream``'s cursor set (unchanged when ``cursor`` is None)."""
        if cursor is None:
            return self
        return SyncState({**self.cursors, stream: cursor})

    def after(self, page: Page) -> SyncState:
        """The state once ``page`` is safely stored."""
        return self.advance(page.stream, page.cursor)

    def to_json(self) -> str:
        return json.dumps({s: c.isoformat() for s, c in self.cursors.items()}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> SyncState:
        try:
            raw = json.loads(text)
            return cls({str(s): datetime.fromisoformat(str(c)) for s, c in raw.items()})
        except (ValueError, AttributeError, TypeError) as exc:
            raise ConfigError(f"not a saved sync state: {exc}") from None


@dataclass(frozen=True)
class Page:
    """What one page of one stream gave, ready to be stored as a unit."""

    stream: str
    """The stream the page belongs to."""
    number: int
    """1-based page number within the stream, in this sync."""
    records: tuple[AnyRecord, ...]
    """The mapped records (first sight of each id, or a newer version under ``latest``)."""
    rejected: tuple[Rejection, ...]
    """Raw records that could not be mapped, and conflicting duplicates."""
    locations: Mapping[RecordKey, Location]
    """Where each record with an id came from, keyed by ``(kind, source, id)``."""
    cursor: datetime | None
    """The stream's cursor once this page is stored; None: no cursor (not incremental, or
    nothing seen yet)."""
    last: bool
    """True on the stream's last page."""
    skipped: Mapping[str, int] = field(default_factory=dict)
    """Raw records left out on purpose, counted by reason."""
    duplicates: int = 0
    """Records that arrived again unchanged and were not yielded twice."""
    deleted: tuple[RecordKey, ...] = ()
    """``(kind, source, id)`` of records the source reports deleted (a :class:`Skip` with
    ``deleted=True``): a store removes what it saved of them, and every record the raw record
    of that id yielded (its ``yielded`` on an earlier page)."""
    yielded: Mapping[str, tuple[RecordKey, ...]] = field(default_factory=dict)
    """By the id of each raw record of the page that was mapped to records (not one that was
    rejected or skipped): the ``(kind, source, id)`` of every record it yields now, its own
    record and those derived from it (a QuickBooks invoice's ``<id>/deposit`` payment, a Stripe
    invoice's ``<id>/paid``), repeats within the sync included. A record it yielded before
    (an earlier sync, an earlier page) and yields no longer (a deposit edited to 0, an invoice
    voided) is gone: a store removes it, and :func:`pull` drops it."""
    notes: tuple[str, ...] = ()
    """The raw page's notes (e.g. ``invoices.csv: read as cp1250, a guess``; ``payments: not
    read, the account has no banking module ...``)."""


@dataclass(frozen=True)
class ProgressEvent:
    """What a sync reports as it goes, for a progress line in the CLI."""

    event: Literal["page", "wait", "stream_done"]
    connector: str
    stream: str | None
    pages: int = 0
    """Pages of ``stream`` read so far in this sync."""
    records: int = 0
    """Records of ``stream`` yielded so far."""
    rejected: int = 0
    """Rejections of ``stream`` so far."""
    wait_seconds: float | None = None
    """For ``wait``: how long the sync pauses (a rate limit or a retry backoff)."""
    reason: str | None = None
    """For ``wait``: why, e.g. ``rate limit (minute)`` or ``HTTP 503``."""
    read: int | None = None
    """For ``page``: how far into the stream the read is, in the unit of ``total``
    (:attr:`RawPage.read`)."""
    total: int | None = None
    """For ``page``: the size of the stream, when the source knows it (:attr:`RawPage.total`):
    ``read / total`` is the share read."""


ProgressCallback = Callable[[ProgressEvent], None]


# --------------------------------------------------------------------------- options


class ConnectorOptions(BaseModel):
    """Base of a connector's options: keyword-only, validated, unknown keys refused.

    A connector declares its options as a subclass with one documented field per option
    (the field's docstring is its help text). A field typed ``SecretStr`` is a secret: its
    value never shows in a repr, an error or :meth:`Connector.describe`; whitespace around it
    is dropped (a token pasted from a file ends in a line break), and a character inside it
    that is not printable is refused, naming the option and never the value
    (:func:`clientguard.redaction.clean_secret`). This holds for every connector, whether the
    value comes from a keyword, the environment or a file.
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", use_attribute_docstrings=True, arbitrary_types_allowed=True
    )

    @field_validator("*", mode="before")
    @classmethod
    def _clean_secrets(cls, value: Any, info: ValidationInfo) -> Any:
        name = info.field_name
        spec = cls.model_fields.get(name) if name else None
        if name is None or spec is None or "SecretStr" not in _type_name(spec.annotation):
            return value
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        return clean_secret(value, name=name) if isinstance(value, str) else value

    # A password written into a URL option (``base_url=https://user:password@proxy``, a
    # ``token_url``) is a secret as a SecretStr is, and shows as one: masked in the repr, the
    # str and the JSON dump. As with a SecretStr, ``model_dump()`` (Python mode) keeps the
    # value, so that ``type(options)(**options.model_dump())`` makes the same options.

    def __repr_args__(self) -> Iterable[tuple[str | None, Any]]:
        for name, value in super().__repr_args__():
            yield name, _masked_urls(value)

    @field_serializer("*", mode="wrap", when_used="json")
    def _mask_url_passwords(
        self, value: Any, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> Any:
        return _masked_urls(handler(value))


_MASK = "**********"
"""What a password in a URL option shows as: the mask pydantic shows a SecretStr as."""


def _masked_urls(value: Any) -> Any:
    """``value`` with the password of each URL in it masked (``https://user:**********@host``):
    a text, or the texts in a list, tuple or dict. Anything else is returned as it is."""
    if isinstance(value, str):
        if "@" not in value or "://" not in value:
            return value
        try:
            parts = urlsplit(value)
            secret = parts.password
        except ValueError:  # not a URL after all
            return value
        if not secret:
            return value
        userinfo, _, hostport = parts.netloc.rpartition("@")
        masked = f"{userinfo.partition(':')[0]}:{_MASK}@{hostport}"
        return value.replace(parts.netloc, masked, 1)
    if isinstance(value, list):
        return [_masked_urls(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_masked_urls(v) for v in value)
    if isinstance(value, dict):
        return {k: _masked_urls(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class OptionInfo:
    """One option of a connector, for ``clientguard connectors`` and the docs."""

    name: str
    type: str
    required: bool
    default: str | None
    """The default as text; None when required, or when the option is a secret."""
    help: str
    secret: bool


@dataclass(frozen=True)
class ConnectorInfo:
    """What a connector is, which streams it reads and which options it takes."""

    name: str
    summary: str
    streams: tuple[Stream, ...]
    options: tuple[OptionInfo, ...]


def _type_name(annotation: object) -> str:
    """``str | None``, ``SecretStr | None``, ``Callable[[TokenSet], None] | None``."""
    if isinstance(annotation, type):
        return annotation.__name__
    text = re.sub(r"\b(?:[A-Za-z_]\w*\.)+([A-Za-z_]\w*)", r"\1", str(annotation))
    return text.replace("NoneType", "None")


def _describe_options(options: type[ConnectorOptions]) -> tuple[OptionInfo, ...]:
    infos = []
    for name, spec in options.model_fields.items():
        secret = "SecretStr" in _type_name(spec.annotation)
        required = spec.is_required()
        default = None if required or secret or spec.default is None else repr(spec.default)
        infos.append(
            OptionInfo(
                name=name,
                type=_type_name(spec.annotation),
                required=required,
                default=default,
                help=" ".join((spec.description or "").split()),
                secret=secret,
            )
        )
    return tuple(infos)


class OptionsError(ConfigError):
    """A connector's options are wrong. Where each problem is a value of the wrong kind,
    :attr:`problems` holds each as (option, what is wrong), so that a caller that knows where
    the option came from (``sources.books`` of a config) can say so; else it is empty."""

    def __init__(self, message: str, problems: Sequence[tuple[str, str]]) -> None:
        super().__init__(message, problems)


def _kinds(annotation: Any) -> list[str]:
    """What an option's type accepts, in words (``a path``, ``a list of paths``); empty when
    the type is not one of these plain ones."""
    import types
    from pathlib import Path
    from typing import Union, get_args, get_origin

    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        found: list[str] = []
        for member in members:
            if member is str and Path in members:
                continue  # text where a path goes is the path
            kinds = _kinds(member)
            if not kinds:
                return []
            found += [k for k in kinds if k not in found]
        return found
    if origin in (list, tuple, Sequence) or annotation in (list, tuple):
        inner = get_args(annotation)
        if inner and Path in (get_args(inner[0]) or (inner[0],)):
            return [gettext("a list of paths")]
        return [gettext("a list")]
    words: dict[Any, str] = {
        Path: gettext("a path"), str: gettext("text"), SecretStr: gettext("text"),
        bool: gettext("true or false"), int: gettext("a whole number"),
        float: gettext("a number"), Decimal: gettext("a number"),
    }
    return [words[annotation]] if annotation in words else []


def _got(value: object) -> str:
    """A wrong value as an error may name it: a number or truth value as written, anything
    else by its kind only (text may be a secret)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    if isinstance(value, str):
        return gettext("text")
    if isinstance(value, (list, tuple)):
        return gettext("a list")
    if isinstance(value, Mapping):
        return gettext("a table")
    return type(value).__name__


def _options_error(
    connector: str,
    exc: ValidationError,
    known: Sequence[str] = (),
    fields: Mapping[str, Any] | None = None,
) -> ConfigError:
    """The options' problems in words, never echoing a text value (it may be a secret). An
    unknown option names the nearest known one (``invoice`` -> ``invoices``), as a typo of
    the config's own keys does. An option whose value is none of the kinds its type accepts
    (``invoices = 5``) says so once, in words (``expected a path or a list of paths, got
    5``), rather than once per member of the type with pydantic's names for them."""
    lines = []
    problems: list[tuple[str, str]] = []
    said: set[str] = set()
    others = False
    for error in exc.errors(include_url=False):
        where = ".".join(str(p) for p in error["loc"]) or "options"
        option = str(error["loc"][0]) if error["loc"] else "options"
        field = (fields or {}).get(option)
        kinds = _kinds(field.annotation) if field is not None else []
        if (kinds and error["type"] not in ("extra_forbidden", "missing")
                and not str(error["msg"]).startswith("Value error, ")):
            if option not in said:
                said.add(option)
                text = gettext("expected {kinds}, got {got}").format(
                    kinds=gettext(" or ").join(kinds), got=_got(error.get("input")))
                lines.append(f"{option}: {text}")
                problems.append((option, text))
            continue
        before = len(lines)
        if error["type"] == "extra_forbidden":
            close = difflib.get_close_matches(str(error["loc"][-1]), list(known), n=1)
            hint = gettext("; did you mean {code}?").format(code=repr(close[0])) if close else ""
            lines.append(gettext("{option}: not an option of this connector{hint}").format(
                option=where, hint=hint))
        elif error["type"] == "missing":
            lines.append(gettext("{option}: is required").format(option=where))
        else:
            text = str(error["msg"]).removeprefix("Value error, ")
            lines.append(text if text.startswith(f"{where} ") else f"{where}: {text}")
        if len(lines) > before:
            others = True
    if others:
        problems = []  # said as before, naming the connector
    return OptionsError(gettext("connector {connector}: {problems}").format(
        connector=repr(connector), problems="; ".join(lines)), problems)


# --------------------------------------------------------------------------- the connector

#: Exceptions that mean "this raw record is malformed" when ``to_model`` raises them.
MAPPING_ERRORS: tuple[type[BaseException], ...] = (
    DataError,
    ValueError,
    LookupError,
    TypeError,
    AttributeError,
    ArithmeticError,
)


class Connector(ABC):
    """Base class of every connector.

    Subclasses set :attr:`name`, :attr:`streams` and :attr:`Options`, and implement
    :meth:`fetch` and :meth:`to_model`. Options are keyword arguments, validated into
    ``self.options`` (an instance of :attr:`Options`); unknown or missing ones raise
    :class:`~clientguard.errors.ConfigError` naming them.

    Args:
        clock: "now" for the sync's upper bound (default: the real UTC clock).
        progress: called with a :class:`ProgressEvent` after each page, at each wait and at
            the end of each stream (also settable later: ``connector.progress = callback``).
        **options: the connector's own options (see :meth:`describe`).
    """

    name: ClassVar[str]
    """The connector's name: what records carry as ``source`` and the registry knows it by."""
    summary: ClassVar[str] = ""
    """One line for ``clientguard connectors``."""
    streams: ClassVar[tuple[Stream, ...]]
    """The streams, in the order a sync reads them (customers first, so that documents can
    name customers already seen)."""
    Options: ClassVar[type[ConnectorOptions]] = ConnectorOptions
    """The options model; see :class:`ConnectorOptions`."""
    lookback: ClassVar[timedelta] = timedelta(0)
    """How far before the saved cursor an incremental sync starts reading again, for sources
    whose change times can land slightly out of order."""
    bounded_read: ClassVar[bool] = False
    """True for a connector whose sync is bounded work on this machine's CPU, with no network
    waits (reading local files): :func:`pull` and :meth:`Store.sync
    <clientguard.store.Store.sync>` then run it with Python's cyclic garbage collector paused,
    which makes a large read about a third faster (the collector no longer walks the records
    read so far again and again). The collector belongs to the whole process: leave this False
    for a connector that waits on a network, where a sync may take hours."""

    options: ConnectorOptions

    @property
    def source_name(self) -> str:
        """The name of the source being read: what the records of the running sync carry as
        ``source`` (the ``[sources.NAME]`` table; the connector's :attr:`name` by default).
        Set by :meth:`sync` for its run. A connector whose mapping is hot may write it into
        its records directly; the loop copies only a record whose ``source`` differs."""
        return getattr(self, "_source_name", None) or self.name

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        progress: ProgressCallback | None = None,
        **options: Any,
    ) -> None:
        try:
            self.options = self.Options(**options)
        except ValidationError as exc:
            raise _options_error(self.name, exc, tuple(self.Options.model_fields),
                                 self.Options.model_fields) from None
        self.clock: Clock = utc_now if clock is None else clock
        self.progress: ProgressCallback | None = progress
        self._option_secrets = tuple(
            value.get_secret_value()
            for value in (getattr(self.options, n) for n in type(self.options).model_fields)
            if isinstance(value, SecretStr)
        )

    def __repr__(self) -> str:
        # Only option names: values may be tokens, tenant ids or file paths with user names.
        given = sorted(self.options.model_fields_set)
        return f"<{type(self).__name__} {self.name!r} options={given}>"

    # ----------------------------------------------------------------- hooks

    @abstractmethod
    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        """The raw pages of ``stream``, changed at or after ``since`` (None: all of them).

        A generator built fresh on every call: paging state lives in it, never on ``self``.
        Raises :class:`~clientguard.errors.ConnectorError` when the source cannot be read.
        """

    @abstractmethod
    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        """Map one raw record to the model. Pure: the same raw record gives the same result.

        Returns a record, several, or a :class:`Skip` with the reason it is left out. Raises
        :class:`~clientguard.errors.DataError` (or ``ValueError``, ``KeyError``...) when the
        record cannot be mapped; the sync turns that into a rejection.
        """

    def raw_id(self, stream: Stream, raw: Mapping[str, Any]) -> str | None:
        """The raw record's id in the source, for rejections: ``raw[stream.id_field]``."""
        if stream.id_field is None:
            return None
        value = raw.get(stream.id_field)
        return None if value is None or value == "" else str(value)

    def cursor_of(self, stream: Stream, raw: Mapping[str, Any]) -> datetime | None:
        """When the source last changed ``raw`` (UTC), from ``stream.cursor_field``.

        The default reads an ISO 8601 timestamp (a naive one is taken as UTC). Override for
        other formats. A missing or unreadable value gives None: the record does not move the
        cursor.
        """
        if stream.cursor_field is None:
            return None
        value = raw.get(stream.cursor_field)
        if isinstance(value, datetime):
            moment = value
        elif isinstance(value, str) and value:
            try:
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                return None
        else:
            return None
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

    def identity(self) -> Mapping[str, str] | None:
        """Which account this connector reads, as named parts (``{"account": ..., "mode":
        "live"}``), or None where it cannot tell (a file: the default).

        :meth:`Store.sync <clientguard.store.Store.sync>` asks it once, before anything of a
        sync is written, and stops a source re-pointed at another account or mode (a Stripe
        key of another account, a Xero tenant, a QuickBooks realm): its stored records and
        cursors are the other account's. The store keeps a digest of each part, never the
        value: a part may be a tenant id, a secret. Parts should be stable for an account (a
        token or key rotated for the same account must give the same parts), and a part that
        cannot be read now is left out rather than guessed. May make a call (Stripe reads its
        account); raises as :meth:`fetch` does when the source cannot be read.
        """
        return None

    def close(self) -> None:  # noqa: B027  (a hook: most connectors hold nothing)
        """Release what the connector holds (an HTTP session, open files)."""

    def start_sync(self) -> None:  # noqa: B027  (a hook: most connectors keep nothing)
        """Called as each :meth:`sync` starts, before its first stream is read: forget what
        the streams of an earlier sync handed each other (what one stream's read keeps for a
        later stream's, what was counted), so that a connector used for several syncs (a
        script's, partial syncs of a stream or two) reads each as a fresh one would."""

    def check_inputs(self, streams: Sequence[str]) -> None:  # noqa: B027  (a hook)
        """Raise the usage mistakes a read of ``streams`` would otherwise find only once it
        had started (an option naming a file that is not there), so that :meth:`Store.sync
        <clientguard.store.Store.sync>` refuses them before it records a sync, as it does a
        stream the connector lacks: a mistyped path then leaves the store's last sync, and
        every review's warning, as they were. Called with the names of the streams the sync
        will read. Checks only what is on this machine, at once: never the network (a source
        that cannot be reached is a failed sync, said as one). Default: nothing to check."""

    def prunes_each_full_read(self, stream: str) -> bool:
        """Whether the read of ``stream`` that just gave its last page was whole, so that
        what it did not give is gone at the source: :meth:`Store.sync
        <clientguard.store.Store.sync>` then removes it, as ``--prune`` would, at once. For a
        stream the source lists with no change filter, read whole on every sync (Fakturownia's
        banking payments: a payment deleted there must stop paying its invoice). False by
        default: a stream's records are removed by ``sync --full --prune`` (and time entries
        by the store's own rule). A read that stopped before its last page never prunes,
        whatever this answers."""
        return False

    def streams_left_out(self) -> Mapping[str, str]:
        """The streams this connection's options leave out, each with the option that does,
        as a person sets it (``{"refund_receipts": "refund_receipts = false"}``): streams the
        connector declares (:attr:`streams` of its class) and does not read now.

        :meth:`Store.sync <clientguard.store.Store.sync>` removes what earlier syncs stored of
        each (records, rejections, cursor and notes; a note in that sync's result says so,
        once), so that a stream turned off stops counting at the next sync instead of for
        ever, and is read in full if it is turned on again. A stream the sync reads is never
        removed, whatever this answers. Empty by default: a stream a connection does not read
        keeps what it stored."""
        return {}

    # ----------------------------------------------------------------- secrets

    def secrets(self) -> tuple[str, ...]:
        """Every secret the connector holds now: its ``SecretStr`` options; an HTTP
        connector adds its client's (rotated tokens, a tenant id found on the way)."""
        return getattr(self, "_option_secrets", ())

    def scrub(self, text: str) -> str:
        """``text`` without any of :meth:`secrets`, in any form
        (:class:`~clientguard.redaction.Scrubber`). The sync applies it to every error,
        rejection reason and progress event that leaves the connector."""
        return Scrubber(self.secrets()).scrub(text)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- description

    @classmethod
    def describe(cls) -> ConnectorInfo:
        """Name, summary, streams and options, without making a connection."""
        doc_lines = (cls.__doc__ or "").strip().splitlines()
        return ConnectorInfo(
            name=cls.name,
            summary=cls.summary or (doc_lines[0] if doc_lines else ""),
            streams=cls.streams,
            options=_describe_options(cls.Options),
        )

    def stream(self, name: str) -> Stream:
        for stream in self.streams:
            if stream.name == name:
                return stream
        known = ", ".join(s.name for s in self.streams)
        raise ConfigError(gettext("connector {connector} has no stream {stream}; it has: {known}")
                          .format(connector=repr(self.name), stream=repr(name), known=known))

    # ----------------------------------------------------------------- the loop

    @final
    def sync(
        self,
        state: SyncState | None = None,
        *,
        streams: Iterable[str] | None = None,
        full: bool = False,
        source: str | None = None,
    ) -> Iterator[Page]:
        """Read the streams and yield their pages, mapped, de-duplicated and with cursors.

        Args:
            state: the cursors of the last sync; None (or a stream without a cursor) reads
                the stream in full.
            streams: names of the streams to read (default: all, in declared order).
            full: read everything again, ignoring ``state`` (a periodic full re-sync catches
                changes a source does not report through its change time).
            source: the name of the source being read (the ``[sources.NAME]`` table of the
                config): every record, rejection and location carries it as ``source``.
                Default: the connector's name.

        Store each page's records and then ``state.after(page)``: the cursor of a page is
        safe once the page and every page before it are stored.
        """
        state = state or SyncState()
        selected = (
            self.streams if streams is None else tuple(self.stream(n) for n in streams)
        )
        started_at = self.clock()
        if started_at.tzinfo is None:
            raise ConfigError("the clock returned a naive datetime; it must be timezone-aware")
        started_at = started_at.astimezone(UTC)
        name = source or self.name
        if ":" in name:
            raise ConfigError(
                f"source name {name!r}: use letters, digits, '_', '-' and '.' (':' separates a "
                "source from an id)"
            )
        self._source_name = name
        self.start_sync()
        try:
            for stream in selected:
                yield from _StreamSync(self, stream, state, started_at, full, name).run()
        except Exception as exc:
            # The one way out of a sync for an error: scrubbed of every secret the connector
            # holds, whoever raised it (the client, a response hook, a connector's own code),
            # before a store records it or a command prints it.
            scrub_exception(exc, self.scrub)
            raise

    def report_progress(self, event: ProgressEvent) -> None:
        """Hand ``event`` to the progress callback, if there is one; its reason (an API's
        message before a retry) scrubbed of secrets."""
        if self.progress is not None:
            if event.reason:
                event = replace(event, reason=self.scrub(event.reason))
            self.progress(event)


_Seen = tuple[AnyRecord, Location | None] | tuple[AnyRecord, str | None, int]
"""A record seen in a sync, with where it came from: its location, or the file and line of
a record of a run (:class:`MadeRecords`: no location object made for it)."""


def _seen_at(seen: _Seen) -> Location | None:
    """Where a record seen in a sync came from."""
    if len(seen) == 3:
        return Location(seen[1], seen[2])
    return seen[1]


class _StreamSync:
    """One stream in one sync: the seen ids and the cursor live here, never on the class."""

    def __init__(
        self,
        connector: Connector,
        stream: Stream,
        state: SyncState,
        started_at: datetime,
        full: bool,
        source: str,
    ) -> None:
        self.connector = connector
        self.stream = stream
        self.source = source
        # Connectors write their own name into ``source``; a configured source renames it.
        self.renamed = source != connector.name
        self.started_at = started_at
        previous = None if full or not stream.incremental else state.cursor(stream.name)
        self.previous = previous
        self.since = None if previous is None else previous - connector.lookback
        # By kind, then id (no (kind, id) tuple a record: 64 bytes each, a million at once).
        self.seen: dict[str, dict[str, _Seen]] = {}
        self.latest_change: datetime | None = None
        self.answered_at: datetime | None = None
        """The source's earliest answer in this read, by its own clock (None: it gave none)."""
        self.derived: dict[str, tuple[RecordKey, ...]] = {}
        """By raw id: what a raw record yielding more than its own record yielded last in
        this sync (so that its deletion forgets having seen them)."""
        self.pages = self.records = self.rejected = 0

    def cursor(self, *, last: bool) -> datetime | None:
        """The cursor that is safe to store now: the latest change seen, clamped to the start
        of the sync, and never behind where the stream started from; the start of the sync
        itself on the last page of a ``cursor_at_start`` stream. The start of the sync is
        the earlier of this machine's clock when it started and the source's own clock when
        it first answered (:attr:`RawPage.answered_at`), when it says."""
        if not self.stream.incremental:
            return None
        if not last and not self.stream.sorted_by_cursor:
            return self.previous
        started = self.started_at
        if self.answered_at is not None and self.answered_at < started:
            started = self.answered_at
        if last and self.stream.cursor_at_start:
            return started
        candidates = [c for c in (self.previous, self.latest_change) if c is not None]
        if not candidates:
            return None
        return min(max(candidates), started)

    def answered(self, page: RawPage, number: int) -> None:
        """Keeps the earliest moment the source answered in this read (by its own clock)."""
        moment = page.answered_at
        if moment is None:
            return
        if moment.tzinfo is None:
            raise TypeError(
                f"connector {self.connector.name!r} gave page {number} of stream "
                f"{self.stream.name!r} a naive answered_at ({moment.isoformat()}): give the "
                "source's time with its offset, or None when the answer gives none"
            )
        moment = moment.astimezone(UTC)
        if self.answered_at is None or moment < self.answered_at:
            self.answered_at = moment

    def run(self) -> Iterator[Page]:
        connector, stream = self.connector, self.stream
        number = 0
        closed = False
        for raw_page in connector.fetch(stream, since=self.since):
            number += 1
            self.answered(raw_page, number)
            page = self.map_page(raw_page, number, last=raw_page.last is True,
                                 read=raw_page.read, total=raw_page.total)
            closed = page.last
            yield page
        if not closed:
            # The fetcher could not say which page was last: close the stream with an empty
            # page, which carries the stream's final cursor.
            yield self.map_page(RawPage((), last=True), number + 1, last=True, counted=False)
        connector.report_progress(
            ProgressEvent(
                "stream_done", connector.name, stream.name, self.pages, self.records, self.rejected
            )
        )

    def map_page(
        self,
        page: RawPage,
        number: int,
        *,
        last: bool,
        counted: bool = True,
        read: int | None = None,
        total: int | None = None,
    ) -> Page:
        connector, stream = self.connector, self.stream
        records: list[AnyRecord] = []
        rejected: list[Rejection] = []
        locations = Locations()  # an entry a record: kept compactly
        skipped: Counter[str] = Counter()
        deleted: list[RecordKey] = []
        # What each raw record yields, by its id: a store follows it (Page.yielded).
        yielded: dict[str, tuple[RecordKey, ...]] = {}
        duplicates = 0
        incremental = stream.incremental
        renamed, source = self.renamed, self.source
        seen_of, seen_again, locate = self.seen_of, self.seen_again, locations.put
        for raw in page.items or page.records:
            made: Iterable[AnyRecord]
            if isinstance(raw, MadeRecords):
                if incremental:
                    raise self.made_on_cursor()
                duplicates += self.map_run(raw, records, rejected, locations)
                continue
            if isinstance(raw, MadeRecord):
                if incremental:
                    raise self.made_on_cursor()
                made = (raw.record,)
            else:
                change = connector.cursor_of(stream, raw.data)
                if change is not None and (self.latest_change is None
                                           or change > self.latest_change):
                    self.latest_change = change
                try:
                    mapped = connector.to_model(stream, raw.data)
                except MAPPING_ERRORS as exc:
                    rejected.extend(self.rejections(raw, exc))
                    continue
                if isinstance(mapped, Skip):
                    if mapped.counted:
                        skipped[mapped.reason] += 1
                    ident = connector.raw_id(stream, raw.data)
                    if mapped.deleted and ident is not None:
                        deleted.append((stream.kind, source, ident))
                        # Read again after its deletion in this sync, it is new again, and
                        # so is what it yielded.
                        seen_of(stream.kind).pop(ident, None)
                        for kind, _source, gone in (*yielded.get(ident, ()),
                                                    *self.derived.pop(ident, ())):
                            seen_of(kind).pop(gone, None)
                    continue
                # A record is the common case: tested first, as a plain class (Sequence is an
                # ABC, whose check cost a twentieth of a large load).
                made = (mapped,) if isinstance(mapped, Record) else tuple(mapped)
                origin = connector.raw_id(stream, raw.data)
                conflicts = len(rejected)
                if origin is not None:
                    # Before de-duplication: a record yielded again unchanged is still
                    # yielded (the store must not take it for one the raw record dropped).
                    now: tuple[RecordKey, ...]
                    if len(made) == 1:  # the common case, without a generator
                        ident = getattr(made[0], "id", None)
                        now = ((made[0].kind, source, ident),) if ident is not None else ()
                    else:
                        now = tuple(
                            (record.kind, source, ident) for record in made
                            if (ident := getattr(record, "id", None)) is not None)
                    earlier = yielded.get(origin)
                    if earlier is not None and set(earlier).difference(now):
                        # Read twice on one page (``latest``): what its earlier version
                        # yielded and this one does not is not yielded at all, unless another
                        # raw record of the page yields it too (a buyer two documents name).
                        dropped = set(earlier).difference(now)
                        for other, keys in yielded.items():
                            if other != origin:
                                dropped.difference_update(keys)
                        if dropped:
                            records[:] = [r for r in records if (
                                r.kind, source, getattr(r, "id", None)) not in dropped]
                            for kind, _source, ident in dropped:
                                seen_of(kind).pop(ident, None)
                    before = self.derived.get(origin)
                    if before is not None and set(before).difference(now):
                        # A version read on an earlier page of this sync yielded records this
                        # one does not (the store and pull let them go, unless another raw
                        # record yields them): yielded again later in the sync, they are new
                        # again, not copies of records already delivered.
                        for kind, _source, ident in set(before).difference(now):
                            seen_of(kind).pop(ident, None)
                    yielded[origin] = now
                    if len(now) > 1:
                        self.derived[origin] = now
                    elif before is not None:
                        del self.derived[origin]
                    if deleted and (stream.kind, source, origin) in deleted:
                        # Listed deleted earlier on the page, read again since (``latest``):
                        # its latest version stands, not the deletion.
                        deleted[:] = [key for key in deleted
                                      if key != (stream.kind, source, origin)]
            location = raw.location
            for record in made:
                if renamed and record.source != source:
                    record = record.model_copy(update={"source": source})
                ident = getattr(record, "id", None)
                if ident is not None:  # (time entries have no id: each one counts)
                    # De-duplication by id (see :meth:`seen_again`); a new id, the common case,
                    # is taken here without a call.
                    seen = seen_of(record.kind)
                    if ident in seen:
                        outcome = seen_again(record, ident, location, seen)
                        if outcome is None:
                            duplicates += 1
                            continue
                        if isinstance(outcome, Rejection):
                            rejected.append(outcome)
                            continue
                    else:
                        seen[ident] = (record, location)
                records.append(record)
                if ident is not None and location is not None:
                    locate(record.kind, record.source, ident, location)
            if isinstance(raw, RawRecord) and origin is not None and len(rejected) > conflicts:
                # A version rejected as a conflicting duplicate changes nothing stored.
                yielded.pop(origin, None)
        if counted:
            self.pages += 1
            self.records += len(records)
            self.rejected += len(rejected)
            connector.report_progress(
                ProgressEvent(
                    "page", connector.name, stream.name, self.pages, self.records, self.rejected,
                    read=read, total=total,
                )
            )
        return Page(
            stream=stream.name,
            number=number,
            records=tuple(records),
            rejected=tuple(rejected),
            locations=locations,
            cursor=self.cursor(last=last),
            last=last,
            skipped=self.scrubbed_counts(skipped),
            duplicates=duplicates,
            deleted=tuple(deleted),
            yielded=yielded,
            notes=tuple(self.connector.scrub(note) for note in page.notes),
        )

    def scrubbed_counts(self, skipped: Counter[str]) -> dict[str, int]:
        """Skip reasons by count, sorted, scrubbed of secrets (a reason may quote a field a
        server filled with what it was sent); once per page, not per record."""
        if not skipped:
            return {}
        counts: Counter[str] = Counter()
        for reason, count in skipped.items():
            counts[self.connector.scrub(reason)] += count
        return dict(sorted(counts.items()))

    def made_on_cursor(self) -> TypeError:
        """The error of a connector that made records of a stream with a cursor field."""
        return TypeError(
            f"connector {self.connector.name!r} made a record of stream {self.stream.name!r} "
            "itself, but the stream has a cursor field: map its raw records instead"
        )

    def seen_of(self, kind: str) -> dict[str, _Seen]:
        """The records of ``kind`` seen so far in this sync, by id, each with where it came
        from (see :data:`_Seen`)."""
        seen = self.seen.get(kind)
        if seen is None:
            seen = self.seen[kind] = {}
        return seen

    def seen_again(
        self, record: AnyRecord, ident: str, location: Location | None,
        seen: dict[str, _Seen],
    ) -> Literal["new"] | Rejection | None:
        """What ``record`` is, under an id seen already in this sync (``seen`` holds the
        records of its kind): an unchanged repeat (None), a newer version under ``latest``
        (``"new"``, remembered), or else a rejection naming the first."""
        first = seen[ident]
        if first[0] == record:
            return None
        if self.stream.duplicates == "latest":
            seen[ident] = (record, location)
            return "new"
        where = _seen_at(first)
        return self.scrubbed(Rejection(
            kind=record.kind,
            source=record.source,
            record_id=ident,
            field="id",
            reason=(
                f"another {record.kind} with id {ident} came first in source {self.source} "
                f"(first from {self.source}{f', {where}' if where else ''}) and differs"
            ),
            location=location,
            record=record,
        ))

    def map_run(
        self,
        run: MadeRecords,
        records: list[AnyRecord],
        rejected: list[Rejection],
        locations: Locations,
    ) -> int:
        """Take a run of made records into a page's ``records``, ``rejected`` and
        ``locations``, as its records one by one would be (``MadeRecord`` items); the number
        of unchanged repeats among them. A run of new ids, the common case, is taken at once:
        no location object a record."""
        made = run.records
        if len(run.lines) != len(made):
            raise ValueError(f"a run of {len(made)} records with {len(run.lines)} lines")
        if not made:
            return 0
        file, lines = run.file, run.lines
        if self.renamed:
            source = self.source
            made = [record if record.source == source
                    else record.model_copy(update={"source": source}) for record in made]
        kind, source = made[0].kind, made[0].source
        ids = [record.id for record in made]
        seen = self.seen_of(kind)
        if None not in ids:
            known = cast("list[str]", ids)  # (no None in it)
            if seen.keys().isdisjoint(known):
                before = len(seen)
                seen.update(zip(known, zip(made, repeat(file), lines, strict=False), strict=True))
                if len(seen) - before == len(known):  # no id twice within the run either
                    records.extend(made)
                    locations.put_lines(kind, source, file, known, lines)
                    return 0
                for ident in known:  # an id twice within the run: one by one, as below
                    seen.pop(ident, None)
        elif ids.count(None) == len(ids):  # records without ids (time entries): each counts
            records.extend(made)
            return 0
        duplicates = 0
        for record, maybe, line in zip(made, ids, lines, strict=True):
            if maybe is None:
                records.append(record)
                continue
            location = Location(file, line)
            if maybe in seen:
                outcome = self.seen_again(record, maybe, location, seen)
                if outcome is None:
                    duplicates += 1
                    continue
                if isinstance(outcome, Rejection):
                    rejected.append(outcome)
                    continue
            else:
                seen[maybe] = (record, location)
            records.append(record)
            locations.put(kind, source, maybe, location)
        return duplicates

    def rejections(self, raw: RawRecord, exc: BaseException) -> list[Rejection]:
        """The rejections of a raw record ``to_model`` could not map, each
        :meth:`scrubbed`."""
        connector, stream = self.connector, self.stream
        record_id = connector.raw_id(stream, raw.data)
        if isinstance(exc, DataError) and exc.problems:
            found = [
                replace(
                    problem,
                    kind=stream.kind,
                    source=self.source,
                    record_id=problem.record_id or record_id,
                    location=raw.location,
                    record=raw.data,
                )
                for problem in exc.problems
            ]
        else:
            if isinstance(exc, KeyError):
                reason = f"missing field {exc.args[0]!r}" if exc.args else "missing field"
                field_name = str(exc.args[0]) if exc.args else None
            else:
                reason = str(exc) or type(exc).__name__
                field_name = None
            found = [
                Rejection(
                    kind=stream.kind,
                    source=self.source,
                    record_id=record_id,
                    field=field_name,
                    reason=reason,
                    location=raw.location,
                    record=raw.data,
                )
            ]
        return [self.scrubbed(rejection) for rejection in found]

    def scrubbed(self, rejection: Rejection) -> Rejection:
        """``rejection`` with every text in it (the record's id, the field, the reason, the
        location) scrubbed of the connector's secrets: a mapping error may quote what a server
        filled with what it was sent, and a KeyError names whatever key was looked up (a
        tenant id, a token). The record itself is kept as the source gave it
        (docs/security.md)."""
        scrubber = Scrubber(self.connector.secrets())
        if scrubber.empty:
            return rejection
        scrub = scrubber.scrub

        def text(value: str | None) -> str | None:
            return None if value is None else scrub(value)

        location = rejection.location
        if location is not None:
            location = replace(location, file=text(location.file),
                               column=text(location.column), detail=text(location.detail))
        return replace(
            rejection,
            record_id=text(rejection.record_id),
            field=text(rejection.field),
            reason=scrub(rejection.reason),
            location=location,
        )


# --------------------------------------------------------------------------- pull


@dataclass(frozen=True)
class Pulled:
    """Everything one sync gave, in memory: what :meth:`Ledger.from_connector` builds from."""

    records: tuple[AnyRecord, ...]
    """Every record, the latest version of each id, in the order first seen."""
    rejected: tuple[Rejection, ...]
    locations: Mapping[RecordKey, Location]
    state: SyncState
    """The cursors after the sync: pass them to the next one for an incremental read."""
    skipped: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    """By stream, the raw records left out on purpose, counted by reason."""
    duplicates: int = 0
    """Records that arrived again unchanged (an identical row of a file) and were kept once."""
    notes: tuple[str, ...] = ()
    """Every page's notes, in order (a guessed encoding, a stream the account does not have)."""


def pull(
    connector: Connector,
    state: SyncState | None = None,
    *,
    streams: Iterable[str] | None = None,
    full: bool = False,
    source: str | None = None,
) -> Pulled:
    """Run one sync of ``connector`` and collect it all in memory.

    A record that a sync yields twice (a newer version under a stream's ``latest`` rule)
    keeps its first position and its latest content. ``source`` names the source the records
    carry (default: the connector's name; see :meth:`Connector.sync`).
    """
    state = state or SyncState()
    by_key: dict[tuple[str, str], AnyRecord] = {}
    # What each raw record yielded besides its own record, by (stream, raw id), as the store
    # keeps it (``record_origins``), and who yields each such record: a raw record read again
    # (a newer version under ``latest``) or deleted takes along what it alone yielded; a
    # record another raw record still yields (a buyer two documents name) stays, and so does
    # one a stream of its kind read as its own record (``owned``: a contact card a document
    # names too), as in the store.
    yields: dict[tuple[str, str], set[tuple[str, str]]] = {}
    holders: dict[tuple[str, str], set[tuple[str, str]]] = {}
    owned: set[tuple[str, str]] = set()

    def unhold(origin: tuple[str, str], gone: Iterable[tuple[str, str]]) -> None:
        for key in gone:
            held = holders.get(key)
            if held is not None:
                held.discard(origin)
                if held:
                    continue
                del holders[key]
            if key not in owned:
                by_key.pop(key, None)

    unnamed: list[AnyRecord] = []
    rejected: list[Rejection] = []
    locations = Locations()  # an entry a record: kept compactly
    skipped: dict[str, Counter[str]] = {}
    duplicates = 0
    notes: list[str] = []
    with collector_paused() if connector.bounded_read else nullcontext():
        for page in connector.sync(state, streams=streams, full=full, source=source):
            for record in page.records:
                ident = getattr(record, "id", None)
                if ident is None:
                    unnamed.append(record)
                else:
                    by_key[(record.kind, ident)] = record
            rejected.extend(page.rejected)
            locations.add(page.locations)
            if page.yielded:
                own = connector.stream(page.stream).kind
                dropped: list[tuple[tuple[str, str], set[tuple[str, str]]]] = []
                owned.update((kind, ident) for origin, keys in page.yielded.items()
                             for kind, _source, ident in keys
                             if kind == own and ident == origin)
                for origin, keys in page.yielded.items():
                    at = (page.stream, origin)
                    if len(keys) == 1 and keys[0][2] == origin and keys[0][0] == own:
                        if at in yields:  # yields only its own record now
                            dropped.append((at, yields.pop(at)))
                        continue
                    now = {(kind, ident) for kind, _source, ident in keys
                           if ident != origin or kind != own}
                    before = yields.pop(at, None)
                    if now:
                        yields[at] = now
                        for key in now:
                            holders.setdefault(key, set()).add(at)
                    if before and before - now:
                        dropped.append((at, before - now))
                # After the whole page's links: a record one raw record drops and another of
                # the page now yields (moved from one to the other) stays.
                for at, gone in dropped:
                    unhold(at, gone)
            for kind, _source, ident in page.deleted:
                # One another raw record still yields (a contact card deleted that a document
                # read before names) stays, as in the store.
                if not holders.get((kind, ident), set()) - {(page.stream, ident)}:
                    by_key.pop((kind, ident), None)
                owned.discard((kind, ident))
                unhold((page.stream, ident), yields.pop((page.stream, ident), ()))
            skipped.setdefault(page.stream, Counter()).update(page.skipped)
            duplicates += page.duplicates
            notes.extend(page.notes)
            state = state.after(page)
    return Pulled(
        records=(*by_key.values(), *unnamed),
        rejected=tuple(rejected),
        locations=locations,
        state=state,
        skipped={s: dict(c) for s, c in skipped.items() if c},
        duplicates=duplicates,
        notes=tuple(notes),
    )

