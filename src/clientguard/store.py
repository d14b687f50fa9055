"""The local store: a SQLite database that keeps what syncs pulled, between runs.

::

    from clientguard import connectors
    from clientguard.store import Store

    with Store.open("clientguard.db") as store:
        result = store.sync(connectors.load("csv")(invoices="inv.csv", preset="zoho"))
        ledger = store.load(base_currency="EUR", strict=False)

What it guarantees:

* **Upsert by identity.** A record is stored under ``(source, kind, id)``: the configured
  source name (by default the connector's name), the record's kind and its id in the source.
  The record's own ``source`` is that name too (schema version 2; a store of version 1,
  whose records carried the connector's name, is migrated when opened).
  The kind is part of the key because some sources number each kind on its own (QuickBooks
  has an invoice 1 and a payment 1). Syncing the same data again adds nothing; a record that
  changed replaces the stored one. Time entries have no id in the model: they are keyed by
  their content and its occurrence within the stream, and a stream read in full replaces its
  earlier time entries (otherwise an edited entry would count twice).
* **A stream read whole on every sync may say it is whole.** A connector whose
  :meth:`~clientguard.connector.Connector.prunes_each_full_read` answers True for a stream
  (Fakturownia's banking payments, which have no change filter) has that stream pruned after
  each complete read, as ``--prune`` would: a record the read did not give (a payment deleted
  at the source) leaves the store at once, not at the next ``sync --full --prune``. Asked
  after the stream's last page, so that a connector can answer False for a read that did not
  happen (a module the account lacks); a read that stops before its last page never prunes.
* **One transaction per page.** Each page's records, rejections and the stream's cursor are
  written together, so a crash mid-sync loses nothing already written, and the next sync
  resumes from the last stored cursor (a stream whose source sorts it by change time resumes
  mid-stream; others re-read the stream, which the upsert makes harmless).
* **One sync at a time.** A sync holds an operating-system lock on ``<store>.lock`` (next to
  the file the path resolves to: symbolic links and ``..`` are followed) for its whole run;
  a second sync on the same database waits up to ``wait`` seconds, then fails with a
  :class:`~clientguard.errors.StoreError` saying so. Reading (:meth:`Store.load`) never
  waits: SQLite's WAL mode lets it read the last committed page while a sync writes.
* **Deletions are followed.** A record the source reports deleted (a connector's
  ``Skip(deleted=True)``) is removed from the store in the same transaction as its page.
* **Derived records follow their raw record.** A record a raw record yields besides its own
  (a QuickBooks invoice's ``<id>/deposit`` payment, a Stripe invoice's ``<id>/paid``, a
  buyer named on Fakturownia documents) is linked to each raw record that yields it
  (``Page.yielded``, table ``record_origins``). When such a raw record is deleted, or read
  again without it (a deposit edited to 0, an invoice voided), it is removed in the same
  transaction, unless another raw record still yields it (within the page or stored), or a
  stream of its kind read it as its own record (a contact that a document names too stays
  the contacts stream's, whichever wrote it last: :meth:`_SyncWriter._upsert`). The other
  way round too: a record its stream lets go (a pruned full read no longer has it, the
  source reports it deleted, the stream rejects it or is left out) stays while a raw record
  of another stream still yields it, and is that stream's from then on
  (:meth:`_SyncWriter._hand_over`), as a fresh read of the source has it (keeping the data
  last stored for it, which may be the card's, until that stream writes it again). Rows
  stored before schema 8 have no link (never guessed from an id's shape): the streams holding
  them are read in full on the next sync, which records the links; until then a full
  ``--prune`` read removes them. A raw record mapped to a plain :class:`Skip` (not
  ``deleted``) changes nothing stored: its connector reports it deleted when a copy may be
  stored. A stream none of whose raw records yields a derived record costs one look at the
  links a sync (issue 21).
* **Rejections are kept, once.** A raw record a connector could not map is stored as a
  rejection with its reason and location. It stays until the record arrives in good shape (or
  the stream is read in full again without it), so :meth:`Store.load` reports the rejections
  of earlier syncs too, and :meth:`Store.rejections` lists them. A stream read in full
  replaces its rejections with its first page; an incremental read replaces those of the
  records it reads again (by id, or as the same raw record rejected for the same reason), so
  an interrupted sync and the one that resumes it never store a rejection twice. A record
  whose raw record is now rejected is no longer counted: by its id, with the rejection's
  page; without one (a CSV row whose id was emptied), by its row, at the end of a full read
  that did not deliver it, where the row's content is still the record's (its customer,
  amount and dates as far as they read: :mod:`clientguard.broken_rows`; another row written
  where the record's stood removes nothing) (:meth:`_SyncWriter._drop_at_rejected_rows`).
* **An incomplete sync is said.** :meth:`Store.warnings` (and the ``report.warnings`` of
  :meth:`Store.load`'s ledger) names each source whose last sync did not complete.
* **Errors say what to do.** A full disk is reported as such, with nothing of the failed page
  written; a damaged (hand-edited) row is a :class:`~clientguard.errors.StoreError` naming its
  table, row and column; a damaged file (a corrupted page, found by whichever query reaches
  it, or a file that starts as SQLite's but is cut short or has a broken header) is a
  ``StoreError`` saying so and to restore a backup or sync into a new store, never a raw
  ``sqlite3.DatabaseError``; ``Store.open(path, read_only=True)`` never leaves a file behind
  that a later sync could not write. A sync that stops at a damaged row is recorded failed
  with its error, and :meth:`Store.warnings` names the row and what to do instead of saying
  to run the sync again (which would stop there too). A store opened to write that cannot be
  written (a read-only file, folder or file system: SQLite says only "unable to open
  database file") is said to be read-only, and to make it writable.
* **A record edited outside clientguard is checked.** A store this clientguard vouched for
  (:meth:`Store._vouch`) is loaded without validating its records again, except a row whose
  JSON is no longer what the sync wrote: every sync writes a digest of each record's JSON
  with it (:func:`_data_digest`, schema 12), and a load validates each row whose digest
  differs or is missing, so a record edited to break a rule is a rejection, trusted or not.
* **One source, one account.** A connector that can tell which account it reads
  (:meth:`Connector.identity <clientguard.connector.Connector.identity>`) has a digest of each
  part kept with its source; a sync that reads another account or mode than the one the source
  was synced from stops before it writes a record or a cursor, saying to use a new source name
  or to replace the source with a full pruned read of every stream (docs/cli.md, "The store"),
  unless the source holds no record and no cursor yet (a first sync that failed before its
  first page). A replacement removes the old account's records with the new one's first page.
* **A versioned schema.** ``PRAGMA user_version`` holds the schema version; opening an
  older store migrates it (each step in one transaction), opening a newer one fails and
  says to upgrade clientguard.

Money is stored as text (the records' JSON, whose amounts are decimal strings), never as a
REAL. Nothing secret is stored: no connector option, token or tenant id, only records,
rejections, cursors, counts, exchange rates and the salted scrypt digests of the sources'
accounts (docs/security.md). The store never reads the clock: a sync's times come from the
connector's (injected) clock.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import sqlite3
import stat
import sys
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import nullcontext, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache, wraps
from operator import itemgetter
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Concatenate, Final, Literal, ParamSpec, TypeVar

from clientguard import oslock, wording
from clientguard.broken_rows import is_own_row
from clientguard.connector import Connector, Page, SyncState
from clientguard.errors import ClientguardError, DataError, StoreError, lock_holder, os_reason
from clientguard.gcpause import collector_paused
from clientguard.i18n import gettext, ngettext, pgettext
from clientguard.ledger import Ledger
from clientguard.model import (
    AnyRecord,
    CreditNote,
    Customer,
    Invoice,
    Payment,
    Record,
    TimeEntry,
    WorkRequest,
)
from clientguard.money import FxTable, RateRow
from clientguard.records import Link, Location, Locations, RecordKey, Rejection
from clientguard.redaction import scrub_exception
from clientguard.trust import TrustedValues, trusted_record, validation_digest

__all__ = [
    "SCHEMA_VERSION",
    "SavedReview",
    "SourceStatus",
    "Store",
    "StoreLockedError",
    "StreamResult",
    "SyncResult",
]

# Each migration takes the schema from version i to i + 1, in one transaction. Append only:
# never edit a step that has shipped.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )""",
        # One row per configured source: which connector fills it, so that two connectors
        # never write into one source by mistake.
        """CREATE TABLE sources (
            source TEXT PRIMARY KEY,
            connector TEXT NOT NULL
        )""",
        """CREATE TABLE syncs (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL REFERENCES sources (source),
            connector TEXT NOT NULL,
            full_read INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'failed')),
            pages INTEGER NOT NULL DEFAULT 0,
            new INTEGER NOT NULL DEFAULT 0,
            updated INTEGER NOT NULL DEFAULT 0,
            unchanged INTEGER NOT NULL DEFAULT 0,
            rejected INTEGER NOT NULL DEFAULT 0,
            removed INTEGER NOT NULL DEFAULT 0,
            error TEXT
        )""",
        # data is the record's JSON: amounts are decimal strings, never REAL.
        """CREATE TABLE records (
            source TEXT NOT NULL,
            kind TEXT NOT NULL,
            record_id TEXT NOT NULL,
            stream TEXT NOT NULL,
            data TEXT NOT NULL,
            location TEXT,
            first_sync INTEGER NOT NULL,
            changed_sync INTEGER NOT NULL,
            seen_sync INTEGER NOT NULL,
            PRIMARY KEY (source, kind, record_id)
        ) WITHOUT ROWID""",
        "CREATE INDEX records_by_stream ON records (source, stream, seen_sync)",
        """CREATE TABLE cursors (
            source TEXT NOT NULL,
            stream TEXT NOT NULL,
            cursor TEXT NOT NULL,
            sync_id INTEGER NOT NULL,
            PRIMARY KEY (source, stream)
        ) WITHOUT ROWID""",
        """CREATE TABLE rejections (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            stream TEXT NOT NULL,
            sync_id INTEGER NOT NULL,
            kind TEXT NOT NULL,
            connector TEXT NOT NULL,
            record_id TEXT,
            field TEXT,
            reason TEXT NOT NULL,
            location TEXT,
            record TEXT
        )""",
        "CREATE INDEX rejections_by_record ON rejections (source, stream, record_id)",
    ),
    # 2: a record's ``source`` is the source's name (the key it is stored under), no longer
    # the connector's name; rejections are read by their source column (``connector`` keeps
    # the connector's name).
    (
        "UPDATE records SET data = json_set(data, '$.source', source) "
        "WHERE json_extract(data, '$.source') IS NOT source",
        "UPDATE rejections SET connector = (SELECT connector FROM sources "
        "WHERE sources.source = rejections.source) "
        "WHERE EXISTS (SELECT 1 FROM sources WHERE sources.source = rejections.source)",
    ),
    # 3: exchange rates and the connectors' notes on streams.
    (
        # Exchange rates from [rates] (a file, the NBP's and the ECB's tables): units of base
        # per one unit of currency, as decimal text; applies_from is the first day a
        # document uses it (the NBP's: the day after its table).
        """CREATE TABLE rates (
            source TEXT NOT NULL,
            base TEXT NOT NULL,
            currency TEXT NOT NULL,
            published TEXT NOT NULL,
            applies_from TEXT NOT NULL,
            rate TEXT NOT NULL,
            PRIMARY KEY (source, base, currency, published)
        ) WITHOUT ROWID""",
        # A connector's notes on a stream (a stream the account does not have, a date that is
        # only approximate): a full read replaces the stream's notes, an incremental one adds.
        """CREATE TABLE stream_notes (
            source TEXT NOT NULL,
            stream TEXT NOT NULL,
            note TEXT NOT NULL,
            PRIMARY KEY (source, stream, note)
        ) WITHOUT ROWID""",
    ),
    # 4: the reviews of the store (docs/history.md): each saved review's JSON report and one
    # summary row per client; what notify has sent.
    (
        # One review per (as_of, policy digest): a second review of the same day under the
        # same policy replaces the first. report is the JSON report (money as decimal text);
        # summary what the comparison reads of the whole review (the book's findings, the
        # thresholds) as JSON.
        """CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            as_of TEXT NOT NULL,
            policy_digest TEXT NOT NULL,
            version TEXT NOT NULL,
            report TEXT NOT NULL,
            summary TEXT NOT NULL,
            UNIQUE (as_of, policy_digest)
        )""",
        # summary is the client's summary row as JSON: verdict, severity, key numbers
        # (decimal text), findings and overdue invoices (clientguard.changes reads it).
        """CREATE TABLE review_clients (
            review_id INTEGER NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
            client_id TEXT NOT NULL,
            verdict TEXT NOT NULL,
            severity TEXT,
            summary TEXT NOT NULL,
            PRIMARY KEY (review_id, client_id)
        ) WITHOUT ROWID""",
        "CREATE INDEX review_clients_by_client ON review_clients (client_id)",
        # A change notify delivered on a channel (e-mail, webhook), by its key: never sent twice.
        """CREATE TABLE notifications (
            channel TEXT NOT NULL,
            change_key TEXT NOT NULL,
            review_id INTEGER NOT NULL,
            sent_at TEXT NOT NULL,
            PRIMARY KEY (channel, change_key)
        ) WITHOUT ROWID""",
    ),
    # 5: credit notes carry their cash refunds (``refunds``, the model's last field). Every
    # stored credit note gets none, written as the model writes it (so the load trusts it and
    # the next sync finds it unchanged); the credit notes of the connectors that now read
    # refunds lose their cursors, so that their next sync reads them in full and picks up the
    # refunds made before this version (an incremental one reads only what changed since).
    (
        "UPDATE records SET data = json_set(data, '$.refunds', json('[]')) "
        "WHERE kind = 'credit_note' AND json_valid(data) "
        "AND json_type(data, '$.refunds') IS NULL",
        "DELETE FROM cursors WHERE stream = 'credit_notes' AND source IN "
        "(SELECT source FROM sources WHERE connector IN ('xero', 'quickbooks', 'stripe'))",
    ),
    # 6: Stripe counts days in the account's time zone (GET /v1/account) where no timezone
    # option is set, no longer in UTC: its invoices and credit notes lose their cursors, so
    # that the next sync reads them in full and re-dates those stored with UTC days (an
    # incremental one reads only what changed since; docs/connectors/stripe.md).
    (
        "DELETE FROM cursors WHERE stream IN ('invoices', 'credit_notes') AND source IN "
        "(SELECT source FROM sources WHERE connector = 'stripe')",
    ),
    # 7: which account each source was synced from (Connector.identity): a JSON object of
    # sha256 digests, one per part of the identity (never the account or tenant id itself),
    # so that a source re-pointed at another account or mode is stopped before it mixes two
    # companies' books (docs/cli.md, "One source, one account"). No row: not known yet,
    # recorded by the source's next sync.
    (
        """CREATE TABLE IF NOT EXISTS source_identities (
            source TEXT PRIMARY KEY REFERENCES sources (source),
            digests TEXT NOT NULL
        ) WITHOUT ROWID""",
    ),
    # 8: which raw records of a stream each derived record came from (the QuickBooks invoice
    # of a ``<id>/deposit`` payment, the Fakturownia documents that name one buyer), one row a
    # link, so that a deletion, a void or an edit of a raw record takes along what only it
    # yielded ("Derived records follow their raw record"). A raw record's own record (the
    # stream's kind under the raw record's id) has no link: its key says where it came from.
    # Rows written before have none: never guessed from an id's shape, recorded when the raw
    # record is read again. The streams that hold derived records (records of more than one
    # kind) lose their cursors, so that their next sync reads them in full and records every
    # link (an incremental one reads only what changed since).
    (
        """CREATE TABLE IF NOT EXISTS record_origins (
            source TEXT NOT NULL,
            stream TEXT NOT NULL,
            origin TEXT NOT NULL,
            kind TEXT NOT NULL,
            record_id TEXT NOT NULL,
            PRIMARY KEY (source, stream, origin, kind, record_id)
        ) WITHOUT ROWID""",
        "CREATE INDEX IF NOT EXISTS record_origins_by_record "
        "ON record_origins (source, kind, record_id)",
        "DELETE FROM cursors WHERE (source, stream) IN (SELECT source, stream FROM records "
        "GROUP BY source, stream HAVING count(DISTINCT kind) > 1)",
    ),
    # 9: records an earlier clientguard stored wrong and an incremental read would not read
    # again (it reads only what changed since): Xero's dates written in ISO form (rejected)
    # and allocations flagged "IsDeleted": "false" (dropped); QuickBooks invoices whose bad
    # debt a journal entry wrote off, or that a journal entry netted (stored paid, or open);
    # Jira and GitHub work requests of issues closed as duplicates (kept), and Jira's
    # requests, now linked to the issue's id (so that a moved issue's old key goes with it).
    # Their cursors go, so the next sync reads those streams in full and replaces them; no
    # record goes before that read (a review between the two still has every request; a
    # Jira issue moved before this version keeps its old key until `sync --full --prune`).
    (
        "DELETE FROM cursors WHERE source IN "
        "(SELECT source FROM sources WHERE connector = 'xero')",
        "DELETE FROM cursors WHERE stream = 'invoices' AND source IN "
        "(SELECT source FROM sources WHERE connector = 'quickbooks')",
        "DELETE FROM cursors WHERE stream = 'work_requests' AND source IN "
        "(SELECT source FROM sources WHERE connector IN ('jira', 'github'))",
    ),
    # 10: documents an earlier clientguard read wrong and an incremental read would not read
    # again: Xero's invoices written off by a credit note to a Bad Debts account (stored
    # settled by a credit) and those credit notes; QuickBooks' invoices whose remainder a
    # journal entry cleared to an expense that is no bad debt (bank charges, a discount:
    # stored written off, open and late); Stripe's invoices paid in instalments
    # (stored as one payment on the last day), overpaid (the overpayment counted twice),
    # charged back or refunded (stored paid); Fakturownia's corrections paid back in cash
    # (their refunds not read). Their cursors go, so the next sync reads those streams in
    # full and replaces them (their derived payments and credit notes follow, schema 8); no
    # record goes before that read.
    (
        "DELETE FROM cursors WHERE stream IN ('invoices', 'credit_notes') AND source IN "
        "(SELECT source FROM sources WHERE connector IN ('xero', 'stripe'))",
        "DELETE FROM cursors WHERE stream = 'credit_notes' AND source IN "
        "(SELECT source FROM sources WHERE connector = 'fakturownia')",
        "DELETE FROM cursors WHERE stream = 'invoices' AND source IN "
        "(SELECT source FROM sources WHERE connector = 'quickbooks')",
    ),
    # 11: the order of each source's streams as its connector declares them (every sync
    # writes it: a connector that adds a stream orders it with its next sync), and of each
    # stream's notes as they came, so that the rejections and notes of the store come in the
    # order a direct load of the source has them, no longer by the streams' names. A source
    # not synced since keeps the streams' names' order until its next sync; the notes stored
    # before (no position) come first, by their text, as before.
    (
        """CREATE TABLE IF NOT EXISTS stream_order (
            source TEXT NOT NULL,
            stream TEXT NOT NULL,
            position INTEGER NOT NULL,
            PRIMARY KEY (source, stream)
        ) WITHOUT ROWID""",
        # The notes' table again, with a position (NULL for the notes kept): made anew, not
        # altered, so that the step holds on a table that has the column already.
        """CREATE TABLE stream_notes_positioned (
            source TEXT NOT NULL,
            stream TEXT NOT NULL,
            note TEXT NOT NULL,
            position INTEGER,
            PRIMARY KEY (source, stream, note)
        ) WITHOUT ROWID""",
        "INSERT INTO stream_notes_positioned (source, stream, note) "
        "SELECT source, stream, note FROM stream_notes",
        "DROP TABLE stream_notes",
        "ALTER TABLE stream_notes_positioned RENAME TO stream_notes",
    ),
    # 12: a digest of each record's stored JSON (:func:`_data_digest`), written with it by
    # every sync, so that a load of a store this clientguard vouched for finds a row changed
    # since outside clientguard (a hand edit) and validates it, rejecting it as any record
    # that breaks a rule (docs/cli.md, "A damaged store is named"). The rows stored before
    # have none: validated at every load until the next sync vouches for them (it checks
    # every record once, as after any upgrade, and writes their digests: Store._vouch).
    (
        "ALTER TABLE records ADD COLUMN digest INTEGER",
    ),
)

_STREAM_POSITION: Final = (
    "(SELECT position FROM stream_order o WHERE o.source = {table}.source "
    "AND o.stream = {table}.stream)"
)
"""The position of the stream of a row of ``table`` among its source's streams (NULL: a
stream its connector did not declare at its last sync, or a source not synced since schema
11), for an ORDER BY: the connector's declared order, then the others by name."""

SCHEMA_VERSION: Final = len(MIGRATIONS)
"""The schema version this clientguard writes (``PRAGMA user_version``)."""

_PAGE_SIZE = 16384
"""The page size of a store this clientguard creates (SQLite's default is 4,096 bytes). A
store's records are a few hundred bytes of JSON each, written a thousand to a transaction:
larger pages mean fewer B-tree pages to split, write and checkpoint, and a sync of a million
records takes less CPU (measured in docs/performance.md, "the store's pages"). A store
created by an earlier clientguard keeps its page size: SQLite fixes it in WAL mode."""

_TABLES: Final = ("meta", "sources", "syncs", "records", "cursors", "rejections", "reviews",
                   "review_clients", "notifications", "source_identities", "record_origins")
"""The tables of the schema: a store missing one is damaged."""

_VOUCHED: Final = "records_checked_by"
"""The ``meta`` key of the last vouch for the stored records (:meth:`Store._vouch`): JSON, the
:func:`~clientguard.trust.validation_digest` of the clientguard that checked them and the sync
it vouched through."""

class StoreDamagedError(StoreError):
    """A damaged store: a hand-edited row (named with its table, row and column) or a page
    SQLite cannot read. Running the command again fails the same way until the store is
    repaired, so a sync it stopped is not said to need only another run
    (:meth:`Store.warnings`)."""


class StoreLockedError(StoreError):
    """Another sync holds the store (its sync lock), after ``wait`` seconds waited for it.

    ``store`` names the store as it was opened, ``holder`` who holds it in the reader's
    words (``source xero, process 1234``; empty when the lock file does not say) and
    ``waited`` the seconds waited (0: none). The message names the caller's option: the
    Python call's ``wait=SECONDS`` (``Store.sync``, ``Store.forget``); the command line
    re-words it with :meth:`for_command_line` (``--wait SECONDS``)."""

    def __init__(self, store: str, holder: str, waited: float, *,
                 command_line: bool = False) -> None:
        self.store = store
        self.holder = holder
        self.waited = waited
        super().__init__(_locked_words(store, holder, waited, command_line=command_line))

    def for_command_line(self) -> StoreLockedError:
        """The same error, its message naming the command line's ``--wait``."""
        return StoreLockedError(self.store, self.holder, self.waited, command_line=True)


def _locked_words(store: str, holder: str, waited: float, *, command_line: bool) -> str:
    shown = f" ({holder})" if holder else ""
    if waited > 0:
        # The wait said on its own, before the sync still writing: hung on "is writing" it
        # read as the other sync's wait.
        return gettext(
            "waited {seconds} s, and another clientguard sync is still writing to "
            "{store}{holder}; let it finish and try again, or pass a longer {option}"
        ).format(seconds=wording.seconds(waited), store=store, holder=shown,
                 option="--wait" if command_line else gettext("wait=SECONDS"))
    return gettext(
        "another clientguard sync is writing to {store}{holder}; let it finish and try "
        "again, or pass {option} to wait for it"
    ).format(store=store, holder=shown,
             option=gettext("--wait SECONDS") if command_line else gettext("wait=SECONDS"))


_DAMAGED_PREFIX: Final = f"{StoreDamagedError.__name__}: "
"""How the error of a sync a damaged store stopped starts (:func:`_error_text`)."""

_MODELS: Final[Mapping[str, type[AnyRecord]]] = {
    model.kind: model for model in (Customer, Invoice, Payment, CreditNote, TimeEntry, WorkRequest)
}
"""The model class of each record kind, to read a stored record back."""

_IDENTITY_PREFIX: Final = b"clientguard store: source identity v1\x00"
"""What every digest of a source's identity starts from (domain separation: the digest of a
tenant id here is no digest of it anywhere else). Never change it: stored digests would no
longer match and every source would be said re-pointed."""

_IDENTITY_SALT: Final = "identity_salt"
"""The ``meta`` key of the store's random salt of the identity digests (hex, 16 bytes), made
by the first sync that records an identity: a digest of one store is no digest of the same
account in another, and no table of precomputed digests fits them."""

_IDENTITY_FORMAT: Final = "scrypt1"
"""The tag of the identity digests written now: ``scrypt1:<64 hex>``, scrypt with
:data:`_IDENTITY_SCRYPT` over the store's salt. A stored value without it (the plain sha256
hex of unreleased development builds) is no digest of this format: the part is taken as not
known yet and recorded again, never compared (docs/security.md, "The store's record of a
source's account")."""

_IDENTITY_SCRYPT: Final = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
"""scrypt's cost: 16 MiB and about 0.05 s a part on a 2-core machine (measured), paid once a
sync and once a guess: tens of millions of times a plain SHA-256's, for whoever walks the
range of QuickBooks realm ids (16 to 19 digits) against a copied store file."""

_IDENTITY_DIGEST: Final = re.compile(rf"{_IDENTITY_FORMAT}:[0-9a-f]{{64}}")

_PENDING: Final = "@pending"
"""The ``notifications`` key that marks a failed send's baseline review."""

_APPLICATION_ID: Final = 0x43474431  # "CGD1": marks the file as a clientguard store
_BUSY_TIMEOUT_MS: Final = 10_000
_SQLITE_HEADER: Final = b"SQLite format 3\x00"
"""The first 16 bytes of every SQLite database file (https://sqlite.org/fileformat.html)."""
_DAMAGE_CODES: Final = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
"""SQLite's codes for a file it cannot read as a database: a page that is not what it should
be ("database disk image is malformed"), a header it does not recognise."""

Outcome = Literal["new", "updated", "unchanged"]
_IDS_PER_QUERY: Final = 500
"""Ids looked up in one query (SQLite allows 32,766 parameters; fewer keep each query small)."""


# --------------------------------------------------------------------------- damage

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _reading(
    method: Callable[Concatenate[Store, _P], _R],
) -> Callable[Concatenate[Store, _P], _R]:
    """``method`` of the store, raising a :class:`StoreError` (:meth:`Store._unusable`) where
    SQLite fails: a corrupted page is found when a query reaches it, in any method, and would
    otherwise escape as a raw ``sqlite3.DatabaseError``."""

    @wraps(method)
    def guarded(self: Store, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as error:
            raise self._unusable(error) from None

    return guarded


def _upgrade_command(path: Path) -> str:
    """The command that upgrades the store at ``path``, as a POSIX shell runs it: the path
    quoted where it holds a space, a quote or another character the shell reads
    (``clientguard --store '/srv/Jan'"'"'s books/store.db' store``), so that it can be
    pasted as printed."""
    return f"clientguard --store {shlex.quote(str(path))} store"


def _is_damage(error: sqlite3.Error) -> bool:
    """Whether SQLite says the file is damaged (its primary code, without the extended
    part: ``SQLITE_CORRUPT_INDEX`` is ``SQLITE_CORRUPT``)."""
    code = getattr(error, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF in _DAMAGE_CODES


def _read_only_error(where: str, error: sqlite3.Error) -> StoreError:
    """The error for a store that cannot be written (``where``: the store and what was being
    done), and what to do."""
    return StoreError(
        gettext("cannot write to {where}: the store (or its -wal or -shm file, or its "
          "folder) is read-only ({problem}); make them writable and run it again")
        .format(where=where, problem=error)
    )


def _cannot_write(path: Path, error: sqlite3.Error) -> bool:
    """Whether SQLite's ``error`` opening the store at ``path`` to write comes of a store
    that cannot be written: a read-only file, folder or file system (where SQLite says only
    "unable to open database file": it cannot make the -shm file a store in WAL mode needs)."""
    code = getattr(error, "sqlite_errorcode", None)
    return (isinstance(code, int)
            and code & 0xFF in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY,
                                sqlite3.SQLITE_PERM)
            and not _writable(path))


def _opened_read_only(path: Path, error: sqlite3.Error) -> StoreError:
    """The error for a store opened to write that cannot be (:func:`_cannot_write`)."""
    return _read_only_error(gettext("the store {path} ({what})").format(
        path=path, what=gettext("open it for writing")), error)


def _starts_as_sqlite(path: Path) -> bool:
    """Whether the file at ``path`` begins with SQLite's header: a store cut short or with a
    damaged header, rather than a file of another kind."""
    try:
        with path.open("rb") as file:
            return file.read(len(_SQLITE_HEADER)) == _SQLITE_HEADER
    except OSError:
        return False


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class StreamResult:
    """What one stream of a sync stored."""

    stream: str
    pages: int = 0
    new: int = 0
    """Records the store did not have."""
    updated: int = 0
    """Records the store had, in another version: replaced."""
    unchanged: int = 0
    """Records the store already had, exactly as they are."""
    rejected: int = 0
    """Raw records that could not be mapped, stored as rejections."""
    removed: int = 0
    """Records removed: reported deleted by the source, rejected now where a version was
    stored before (edited at the source so that it can no longer be mapped), or no longer in
    a full read (time entries; every record with ``prune=True``)."""
    skipped: Mapping[str, int] = field(default_factory=dict)
    """Raw records the connector left out on purpose, by reason."""
    duplicates: int = 0
    """Records that arrived twice, unchanged, in this sync and were stored once."""
    new_by_kind: Mapping[str, int] = field(default_factory=dict)
    """``new`` by kind of record: a stream may yield more than one kind (a CSV invoices file
    also names its customers)."""
    updated_by_kind: Mapping[str, int] = field(default_factory=dict)
    """``updated`` by kind of record."""
    full_read: bool = True
    """True when the stream was read in full (no cursor, or ``full=True``)."""
    notes: tuple[str, ...] = ()
    """What the connector said about the stream: how it read it (a guessed file encoding),
    or what it could not give (the account does not have it, a date only approximate)."""


@dataclass(frozen=True)
class SyncResult:
    """What a sync stored: totals, and per stream."""

    source: str
    connector: str
    sync_id: int
    streams: tuple[StreamResult, ...]

    @property
    def pages(self) -> int:
        return sum(s.pages for s in self.streams)

    @property
    def new(self) -> int:
        return sum(s.new for s in self.streams)

    @property
    def updated(self) -> int:
        return sum(s.updated for s in self.streams)

    @property
    def unchanged(self) -> int:
        return sum(s.unchanged for s in self.streams)

    @property
    def rejected(self) -> int:
        return sum(s.rejected for s in self.streams)

    @property
    def removed(self) -> int:
        return sum(s.removed for s in self.streams)

    @property
    def skipped(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for stream in self.streams:
            total.update(stream.skipped)
        return dict(sorted(total.items()))

    @property
    def duplicates(self) -> int:
        return sum(s.duplicates for s in self.streams)

    @property
    def notes(self) -> tuple[str, ...]:
        """Every stream's notes, each once, in order."""
        return tuple(dict.fromkeys(n for s in self.streams for n in s.notes))


@dataclass(frozen=True)
class SourceStatus:
    """What the store holds for one source."""

    source: str
    connector: str
    records: Mapping[str, int]
    """Stored records by kind."""
    rejections: int
    """Stored rejections (raw records that could not be mapped)."""
    cursors: SyncState
    last_sync_status: str | None
    """``complete``, ``failed``, ``interrupted`` (stopped by the user, Ctrl-C) or ``running``
    (a sync that stopped without saying: a crash or one in progress); None when never synced."""
    last_sync_at: datetime | None
    """When the last sync started (the connector's clock), UTC."""
    last_complete_at: datetime | None
    """When the last complete sync started, UTC."""


# --------------------------------------------------------------------------- the store


class Store:
    """A clientguard store: one SQLite database file.

    Open one with :meth:`open` (a context manager); use :meth:`sync` to fill it from a
    connector and :meth:`load` to get a :class:`~clientguard.ledger.Ledger` back.

    Raises :class:`~clientguard.errors.StoreError` when the file is not a clientguard store,
    was written by a newer clientguard, or cannot be read or written.
    """

    def __init__(
        self, path: Path, connection: sqlite3.Connection, *, read_only: bool = False
    ) -> None:
        self.path = path
        self.read_only = read_only
        """Opened with ``read_only=True``: what removes saved reviews
        (:meth:`delete_reviews`) refuses to, even where SQLite could write the file."""
        self._db = connection

    # ----------------------------------------------------------------- opening

    @classmethod
    def open(
        cls, path: str | os.PathLike[str], *, create: bool = True, read_only: bool = False
    ) -> Store:
        """Open the store at ``path``, creating it (and its folder) when ``create`` is true.

        A new store file is readable by its owner only: it holds the firm's client data.

        ``read_only`` (for a review, which only reads): the store must exist, and opening it
        never leaves a file behind that later writers could not use. A store whose file is
        not writable (``chmod 0400``) is read without SQLite's shared-memory files when it was
        closed cleanly, and otherwise with ones that stay writable by the owner.
        """
        target = Path(path).expanduser()
        if read_only:
            return cls._open_read_only(target)
        if not target.exists():
            if not create:
                raise StoreError(
                    gettext("there is no store at {path}: run `clientguard sync` first, or pass "
                      "the path of an existing store").format(path=target)
                )
            try:
                # A file where the folder is meant: os.open says so (ENOTDIR), not SQLite.
                with suppress(FileExistsError):
                    target.parent.mkdir(parents=True, exist_ok=True)
                # Created empty with owner-only permissions before SQLite touches it; SQLite
                # gives its -wal and -shm files the same permissions.
                os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            except FileExistsError:
                pass
            except OSError as exc:
                raise StoreError(gettext("cannot create the store {path}: {problem}").format(
                    path=target, problem=os_reason(exc))) from None
        elif target.is_dir():
            raise StoreError(gettext("{path} is a folder, not a store file").format(path=target))
        try:
            connection = sqlite3.connect(
                target, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None
            )
        except sqlite3.Error as exc:
            if _cannot_write(target, exc):
                raise _opened_read_only(target, exc) from None
            raise StoreError(gettext("cannot open the store {path}: {problem}").format(
                path=target, problem=exc)) from None
        store = cls(target, connection)
        try:
            store._prepare()
        except BaseException:
            connection.close()
            raise
        return store

    @classmethod
    def _open_read_only(cls, target: Path) -> Store:
        if not target.exists():
            raise StoreError(
                gettext("there is no store at {path}: run `clientguard sync` first, or pass "
                  "the path of an existing store").format(path=target)
            )
        if target.is_dir():
            raise StoreError(gettext("{path} is a folder, not a store file").format(path=target))
        # SQLite gives the -wal and -shm files it creates the mode of the store file: made
        # for a store that is read-only at the time (chmod 0400), they would stay read-only
        # and break every later sync once the store is writable again. A writable store is
        # opened as usual (without creating it): its last connection tidies those files up.
        query = "mode=rw"
        if not _writable(target):
            query = "mode=ro"
            wal = target.with_name(target.name + "-wal")
            if not wal.exists() or wal.stat().st_size == 0:
                # Closed cleanly: everything is in the main file. Read it as it is, without
                # the shared-memory files (nobody can be writing a file nobody may write).
                query += "&immutable=1"
            else:
                _create_private(target.with_name(target.name + "-shm"), like=target)
        uri = f"{target.resolve().as_uri()}?{query}"
        try:
            connection = sqlite3.connect(
                uri, uri=True, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None
            )
        except sqlite3.Error as exc:
            raise StoreError(gettext("cannot open the store {path}: {problem}").format(
                path=target, problem=exc)) from None
        store = cls(target, connection, read_only=True)
        try:
            store._prepare(read_only=True)
        except BaseException:
            connection.close()
            raise
        return store

    @_reading
    def _prepare(self, *, read_only: bool = False) -> None:
        db = self._db
        try:
            db.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            application = int(db.execute("PRAGMA application_id").fetchone()[0])
        except sqlite3.DatabaseError as error:
            # A file that starts as SQLite's is a store cut short (a copy, a full disk) or
            # with a damaged header: said as damage, not as a file of another kind.
            if _starts_as_sqlite(self.path):
                raise self._unusable(error) from None
            raise StoreError(
                gettext("{path} is not a clientguard store (not an SQLite database)")
                .format(path=self.path)
            ) from None
        if version == 0:
            tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables:
                raise StoreError(
                    gettext("{path} is an SQLite database but not a clientguard store; "
                      "give another path").format(path=self.path)
                )
            if not read_only:
                # A new store's pages are set before its first table (and before WAL mode,
                # which fixes them): see _PAGE_SIZE.
                db.execute(f"PRAGMA page_size = {_PAGE_SIZE}")
        elif application != _APPLICATION_ID:
            raise StoreError(gettext("{path} is an SQLite database but not a clientguard store")
                             .format(path=self.path))
        if version > SCHEMA_VERSION:
            raise StoreError(
                gettext("the store {path} has schema version {version}, written by a newer "
                  "clientguard (this one reads up to version {supported}): update "
                  "clientguard from an up-to-date checkout, with its connectors "
                  "(pip install . ./connectors/csv ...; see docs/install.md)").format(
                    path=self.path, version=version, supported=SCHEMA_VERSION)
            )
        if version < 0:
            raise StoreError(
                gettext("the store {path} is damaged: its schema version (PRAGMA user_version) "
                  "is {version}; set it back to {supported} or sync into a new store").format(
                    path=self.path, version=version, supported=SCHEMA_VERSION)
            )
        if read_only:
            if version == 0:
                raise StoreError(
                    gettext("the store {path} is empty: run `clientguard sync` first")
                    .format(path=self.path)
                )
            if version < SCHEMA_VERSION:
                raise StoreError(
                    # `clientguard store` upgrades whatever the config: `sync` stops first
                    # where no source is configured.
                    gettext("the store {path} has schema version {version}, older than this "
                      "clientguard's {supported}: run `{command}` once to upgrade it")
                    .format(path=self.path, version=version, supported=SCHEMA_VERSION,
                            command=_upgrade_command(self.path))
                )
            self._check_tables()
            return
        try:
            # WAL: readers see the last committed page while a sync writes. FULL: a committed
            # page survives a power cut too, not only a crash of the process.
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = FULL")
            db.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as exc:
            raise self._unusable(exc) from None
        if version < SCHEMA_VERSION:
            self._migrate(version)
        self._check_tables()

    def _check_tables(self) -> None:
        """Every table of the schema is there: a hand-edited store that lost one is named."""
        tables = self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        present = {row[0] for row in tables}
        missing = [table for table in _TABLES if table not in present]
        if missing:
            raise StoreError(
                ngettext("the store {path} is damaged: the table {tables} is missing; restore "
                         "the store from a backup, or sync into a new store",
                         "the store {path} is damaged: the tables {tables} are missing; "
                         "restore the store from a backup, or sync into a new store",
                         len(missing)).format(path=self.path, tables=", ".join(missing))
            )

    def _migrate(self, version: int) -> None:
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self._transaction(gettext("migrate")):
                # Read again inside the write lock: another process may have migrated first.
                current = int(self._db.execute("PRAGMA user_version").fetchone()[0])
                if current >= target:
                    continue
                for statement in MIGRATIONS[target - 1]:
                    try:
                        self._db.execute(statement)
                    except sqlite3.OperationalError as error:
                        # A column a step adds that the table has already (a store whose
                        # version was set back by hand) is there: the step holds.
                        if not (" ADD COLUMN " in statement
                                and "duplicate column name" in str(error)):
                            raise
                if target == 1:
                    self._db.execute(f"PRAGMA application_id = {_APPLICATION_ID}")
                self._db.execute(f"PRAGMA user_version = {target}")

    @property
    @_reading
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Store {self.path}>"

    # ----------------------------------------------------------------- transactions

    class _Transaction:
        def __init__(self, store: Store, what: str) -> None:
            self.store = store
            self.what = what

        def __enter__(self) -> None:
            try:
                self.store._db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self.failed(exc) from None

        def __exit__(
            self,
            kind: type[BaseException] | None,
            exc: BaseException | None,
            traceback: TracebackType | None,
        ) -> None:
            if kind is None:
                try:
                    self.store._db.execute("COMMIT")
                except sqlite3.Error as error:
                    self.rollback()
                    raise self.failed(error) from None
                return
            self.rollback()
            if isinstance(exc, sqlite3.Error):
                raise self.failed(exc) from None

        def rollback(self) -> None:
            # SQLite rolls some failures back by itself (a full disk, an I/O error): then
            # there is no transaction left to roll back, and saying so would hide the cause.
            db = self.store._db
            if db.in_transaction:
                # The transaction is gone either way; the first error is the one to report.
                with suppress(sqlite3.Error):
                    db.execute("ROLLBACK")

        def failed(self, error: sqlite3.Error) -> StoreError:
            """The store error for a failed write: what could not be written, and why."""
            code = getattr(error, "sqlite_errorcode", None)
            if _is_damage(error):
                return self.store._unusable(error)
            where = gettext("the store {path} ({what})").format(
                path=self.store.path, what=self.what)
            if code == sqlite3.SQLITE_FULL or "database or disk is full" in str(error):
                return StoreError(
                    gettext("the disk is full: cannot write to {where}; nothing of it was written "
                      "(what was stored before stays). Free some space (or raise the limit on "
                      "the store's size) and run the command again: a sync resumes where it "
                      "stopped").format(where=where)
                )
            if code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM) or "readonly" in str(error):
                return _read_only_error(where, error)
            return StoreError(
                gettext("cannot write to {where}: {problem}; nothing of it was written")
                .format(where=where, problem=error)
            )

    def _transaction(self, what: str) -> Store._Transaction:
        return Store._Transaction(self, what)

    # ----------------------------------------------------------------- sync

    @_reading
    def state(self, source: str) -> SyncState:
        """The stored cursors of ``source``, by stream: where its next sync starts."""
        rows = self._db.execute(
            "SELECT stream, cursor FROM cursors WHERE source = ?", (source,)
        ).fetchall()
        cursors = {}
        for stream, text in rows:
            moment = _aware_moment(text)
            if moment is None:
                raise self._damaged(
                    "cursors", f"source {source!r}, stream {stream!r}", "cursor",
                    gettext("{value} is not a date-time with a time zone").format(
                        value=_shown(text)),
                    fix=gettext("run `clientguard sync --full --source {source}` (it reads the "
                          "stream again and replaces the cursor), or delete that row")
                    .format(source=source),
                )
            cursors[str(stream)] = moment
        return SyncState(cursors)

    def _unusable(self, error: sqlite3.Error) -> StoreError:
        """The error for what SQLite could not do with the store: damage (a corrupted page, a
        file cut short or with a broken header) says to restore a backup; a store opened to
        write that cannot be (a read-only file, folder or file system, where SQLite says only
        "unable to open database file") says so and to make it writable; anything else (a
        disk's I/O error) is said as SQLite says it."""
        if not self.read_only and _cannot_write(self.path, error):
            return _opened_read_only(self.path, error)
        if _is_damage(error):
            return StoreDamagedError(
                gettext("the store {path} is damaged: SQLite says {problem}; restore the store "
                        "from a backup, or sync into a new store").format(
                    path=self.path, problem=error)
            )
        return StoreError(gettext("cannot use the store {path}: {problem}").format(
            path=self.path, problem=error))

    def _damaged(
        self, table: str, row: str, column: str, problem: str, *, fix: str | None = None
    ) -> StoreError:
        """The error for a damaged (hand-edited) row: which table, row and column, and what
        to do."""
        return StoreDamagedError(
            gettext("the store {path} is damaged: table {table}, row ({row}), column {column}: "
              "{problem}; {fix}").format(
                path=self.path, table=table, row=row, column=column, problem=problem,
                fix=fix or gettext("correct or delete that row (e.g. in the sqlite3 shell)"))
        )

    @_reading
    def sync(
        self,
        connector: Connector,
        *,
        source: str | None = None,
        full: bool = False,
        streams: Iterable[str] | None = None,
        prune: bool = False,
        wait: float = 0,
    ) -> SyncResult:
        """Pull ``connector`` into the store, page by page, from the stored cursors.

        Args:
            connector: the connector to read.
            source: the name the records are stored under (default: the connector's name);
                two accounts of one kind of source need two names.
            full: read everything again, ignoring the cursors.
            streams: the streams to read (default: all).
            prune: when a stream is read in full, remove its stored records that the read no
                longer had (deleted at the source). Time entries are always replaced by a full
                read, with or without ``prune``.
            wait: seconds to wait for another sync of this store to finish before failing.

        Raises:
            StoreError: another sync holds the store; the source was filled by another
                connector; the store cannot be written.
            ConnectorError: the source could not be read. Every page stored before it stays.
        """
        name = source or connector.name
        selected = tuple(streams) if streams is not None else None
        # A stream the connector lacks is a usage mistake, not a sync attempt: refused before
        # a sync is recorded, so the store's last sync (and every review's warning) is unchanged.
        # So is what the connector can check of its options before reading (a file named that
        # is not there: Connector.check_inputs).
        for stream in selected or ():
            connector.stream(stream)
        connector.check_inputs(selected or tuple(s.name for s in connector.streams))
        with _SyncLock(self.path, wait=wait, holder=name):
            self._claim(name, connector.name)
            # A full read needs no cursor (and so gets past a damaged one, replacing it).
            state = SyncState() if full else self.state(name)
            sync_id = self._begin_sync(name, connector, full=full)
            writer = _SyncWriter(self, name, connector, sync_id, state, full=full, prune=prune)
            try:
                # In the try: a store this clientguard cannot vouch for (a damaged row) ends
                # the sync failed, with why, never "running" for good.
                self._vouch(sync_id)
                # Before any record or cursor is written: a source re-pointed at another
                # account stops here (its failed sync says why); a replacement of its account
                # waits for the first page (_SyncWriter.replacement).
                writer.replacement = self._check_identity(
                    name, connector, replace=full and prune and selected is None)
                # A stream the connection's options now leave out stops counting here.
                writer.drop_left_out()
                with collector_paused() if connector.bounded_read else nullcontext():
                    for page in connector.sync(
                        state, streams=selected, full=full, source=name
                    ):
                        writer.write(page)
                if writer.replacement is not None:
                    # A read of no page at all: the new account, empty, replaces the old.
                    with self._transaction(gettext("record the source's account")):
                        removed = self._replace_source(name, writer.replacement)
                        self._db.execute("UPDATE syncs SET removed = removed + ? WHERE id = ?",
                                         (removed, sync_id))
                    writer.replacement = None
            except BaseException as exc:
                self._end_sync(
                    sync_id, writer, status="failed", error=_error_text(exc, connector)
                )
                raise
            self._end_sync(sync_id, writer, status="complete", error=None)
        return SyncResult(
            source=name,
            connector=connector.name,
            sync_id=sync_id,
            streams=tuple(writer.results()),
        )

    def _claim(self, source: str, connector: str) -> None:
        row = self._db.execute(
            "SELECT connector FROM sources WHERE source = ?", (source,)
        ).fetchone()
        if row is None:
            with self._transaction(gettext("register the source")):
                self._db.execute(
                    "INSERT INTO sources (source, connector) VALUES (?, ?)", (source, connector)
                )
        elif row[0] != connector:
            raise StoreError(
                gettext("the store's source {source} holds records of the {stored} connector, not "
                  "{connector}: give this source another name").format(
                    source=repr(source), stored=row[0], connector=connector)
            )

    def _check_identity(
        self, source: str, connector: Connector, *, replace: bool
    ) -> str | None:
        """Stop a sync whose connector reads another account than the one ``source`` was
        synced from (:meth:`Connector.identity <clientguard.connector.Connector.identity>`),
        before it writes anything; record the identity where none is stored yet.

        The store keeps a salted scrypt digest of each part of the identity
        (:func:`_identity_digests`), never the part. Parts known both to the store and to the
        connector are compared; a part only one side knows (a Stripe key that may not read its
        account gives the mode alone) is no difference, and a part the store lacks is added.
        A source that holds no record and no cursor yet (its first sync failed before its
        first page: a wrong tenant fixed in the configuration) takes the new identity without
        an error. ``replace`` (a full read of every stream with ``prune``): a different
        identity replaces the source's records, rejections, cursors and notes; that is
        returned (the digests' JSON) for :meth:`_replace_source` in the transaction of the
        sync's first page, so that a read failing before it loses nothing, and the store never
        holds two accounts' records under one source. None when nothing waits.
        """
        try:
            parts = connector.identity()
        except Exception as exc:
            scrub_exception(exc, connector.scrub)
            raise
        if not parts:
            return None
        row = self._db.execute(
            "SELECT value FROM meta WHERE key = ?", (_IDENTITY_SALT,)).fetchone()
        salt = _identity_salt(row[0] if row else None)
        made_salt = salt is None
        if salt is None:
            salt = os.urandom(16)
        digests = _identity_digests(connector.name, parts, salt)
        row = self._db.execute(
            "SELECT digests FROM source_identities WHERE source = ?", (source,)).fetchone()
        # Digests made with a salt no longer stored (a hand-deleted row) cannot be compared.
        stored = {} if made_salt else _stored_identity(row[0] if row else None)
        differing = sorted(part for part in digests.keys() & stored.keys()
                           if digests[part] != stored[part])
        holds_nothing = bool(differing) and not any(
            self._db.execute(
                f"SELECT 1 FROM {table} WHERE source = ? LIMIT 1", (source,)  # noqa: S608
            ).fetchone()
            for table in ("records", "cursors")
        )
        if differing and not replace and not holds_nothing:
            raise StoreError(
                gettext("the store's source {source} was synced from another {connector} "
                        "account or mode than the one the connection reads now (it "
                        "differs in: {parts}): its records and cursors are the other "
                        "account's, and syncing on would mix two companies' books and miss "
                        "this account's older records. Nothing of this account was stored. "
                        "Sync this account under a new source name (a new [sources.NAME] in "
                        "clientguard.toml), or run `clientguard sync --source {name} --full "
                        "--prune` (every stream) to replace the source's records with this "
                        "account's")
                .format(source=repr(source), connector=connector.name,
                        parts=", ".join(_identity_part_word(p) for p in differing),
                        name=source)
            )
        if differing and not holds_nothing:
            return json.dumps(digests, sort_keys=True)
        if differing:
            merged = digests
        else:
            merged = {**stored, **digests}
            if merged == stored and row is not None and row[0] == json.dumps(
                    stored, sort_keys=True):
                return None
        with self._transaction(gettext("record the source's account")):
            if made_salt:
                self._db.execute(
                    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) "
                    "DO UPDATE SET value = excluded.value", (_IDENTITY_SALT, salt.hex()))
                # Every digest made with a salt no longer stored (a hand-deleted or damaged
                # row) can no longer be compared: the other sources record theirs again on
                # their next sync, as this one does now, rather than be said re-pointed.
                self._db.execute("DELETE FROM source_identities WHERE source <> ?", (source,))
            if differing:
                # Holds no record: what else it holds (rejections, notes) was the other
                # account's.
                self._replace_source(source, json.dumps(merged, sort_keys=True))
            else:
                self._db.execute(
                    "INSERT INTO source_identities (source, digests) VALUES (?, ?) "
                    "ON CONFLICT (source) DO UPDATE SET digests = excluded.digests",
                    (source, json.dumps(merged, sort_keys=True)),
                )
        return None

    def _replace_source(self, source: str, digests: str) -> int:
        """Within a transaction: remove everything ``source`` holds of its former account
        (records, their links, rejections, cursors, notes) and record ``digests`` as its
        account; how many records were removed."""
        removed = 0
        for table in ("records", "rejections", "cursors", "stream_notes", "record_origins"):
            deleted = self._db.execute(
                f"DELETE FROM {table} WHERE source = ?", (source,)).rowcount  # noqa: S608
            if table == "records":
                removed = deleted
        self._db.execute(
            "INSERT INTO source_identities (source, digests) VALUES (?, ?) "
            "ON CONFLICT (source) DO UPDATE SET digests = excluded.digests",
            (source, digests),
        )
        return removed

    def forget(self, source: str, *, wait: float = 0) -> Mapping[str, int]:
        """Remove every trace of ``source`` from the store: its records and their links, its
        rejections, cursors, notes, recorded account and sync history, in one transaction
        (all or nothing). The saved reviews keep what they said, and the exchange rates are
        the store's, not a source's: both stay. The way to drop a source taken out of
        clientguard.toml, or renamed (its records stay under the old name until forgotten,
        and a review reads every source the store holds).

        Returns how many records of each kind were removed, by kind, sorted.

        Raises:
            StoreError: the store holds no such source (the message lists those it holds);
                a sync holds the store (``wait`` seconds are waited for it first); the store
                cannot be written.
        """
        with _SyncLock(self.path, wait=wait, holder=source):
            try:
                held = self.sources()
                if source not in held:
                    raise StoreError(
                        gettext("the store {path} holds no source {source} (it holds {held}): "
                                "nothing was removed").format(
                            path=self.path, source=repr(source),
                            held=", ".join(held) or gettext("no source")))
                trusted = self._trusted()
                removed = dict(self._db.execute(
                    "SELECT kind, count(*) FROM records WHERE source = ? GROUP BY kind "
                    "ORDER BY kind", (source,)).fetchall())
                with self._transaction(gettext("remove the source {source}").format(
                        source=repr(source))):
                    # Children first: syncs and identities name the source's row.
                    for table in ("records", "record_origins", "rejections", "cursors",
                                  "stream_notes", "stream_order", "source_identities", "syncs",
                                  "sources"):
                        self._db.execute(
                            f"DELETE FROM {table} WHERE source = ?", (source,))  # noqa: S608
                    # What stays of a trusted store was checked by this clientguard as
                    # before: still vouched for, through the last sync left. Any other stamp
                    # goes: the ids of the syncs removed may be given again (a later sync
                    # by another clientguard that failed before vouching must never match an
                    # old stamp).
                    last = self._db.execute("SELECT max(id) FROM syncs").fetchone()[0]
                    digest = validation_digest(SCHEMA_VERSION)
                    if trusted and last is not None and digest is not None:
                        self._db.execute(
                            "UPDATE meta SET value = ? WHERE key = ?",
                            (json.dumps({"digest": digest, "sync": last}), _VOUCHED))
                    else:
                        self._db.execute("DELETE FROM meta WHERE key = ?", (_VOUCHED,))
            except sqlite3.Error as error:
                raise self._unusable(error) from None
        return {str(kind): int(count) for kind, count in removed.items()}

    def _begin_sync(self, source: str, connector: Connector, *, full: bool) -> int:
        started = _moment(connector)
        with self._transaction(gettext("start the sync")):
            cursor = self._db.execute(
                "INSERT INTO syncs (source, connector, full_read, started_at, status) "
                "VALUES (?, ?, ?, ?, 'running')",
                (source, connector.name, int(full), started),
            )
            # The order of the source's streams as its connector declares them now (every
            # stream, read by this sync or not): the rejections and notes are listed in it.
            self._db.execute("DELETE FROM stream_order WHERE source = ?", (source,))
            self._db.executemany(
                "INSERT INTO stream_order (source, stream, position) VALUES (?, ?, ?)",
                [(source, stream.name, n) for n, stream in enumerate(connector.streams)])
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def _end_sync(
        self, sync_id: int, writer: _SyncWriter, *, status: str, error: str | None
    ) -> None:
        try:
            with self._transaction(gettext("finish the sync")):
                self._db.execute(
                    "UPDATE syncs SET status = ?, finished_at = ?, error = ? WHERE id = ?",
                    (status, _moment(writer.connector), error, sync_id),
                )
        except (StoreError, sqlite3.Error):
            if status == "complete":
                raise
            # Marking a failed sync is best effort: its pages are stored either way, and
            # the error that stopped it is the one to report.

    # ----------------------------------------------------------------- trust (issue 21)

    def _vouch(self, sync_id: int) -> None:
        """Record that this clientguard checked every stored record, through sync ``sync_id``
        (just begun, so every record it writes is checked by this clientguard too), where that
        is so: the store holds no record yet, or every sync before this one was vouched for by
        this clientguard (the same :func:`validation_digest`). Otherwise the stored records
        are validated once here, and vouched for when every one still holds, their digests
        written where they lack one (rows stored before schema 12) or it differs (edited by
        hand): checked now, they are as this clientguard would write them. A store synced by
        another clientguard since (which does not vouch) is no longer trusted.

        Renewing a vouch checks no record: a row edited by hand since has a digest that no
        longer matches its data, and every load validates it (:meth:`_trusted_rows`).
        """
        digest = validation_digest(SCHEMA_VERSION)
        if digest is None:
            return
        before = self._db.execute(
            "SELECT max(id) FROM syncs WHERE id < ?", (sync_id,)
        ).fetchone()[0]
        empty = self._db.execute("SELECT 1 FROM records LIMIT 1").fetchone() is None
        stale: list[tuple[int, Any, Any, Any]] = []  # digest, source, kind, record_id
        if not empty and self._vouched() != (digest, before) and not self._check_all(stale):
            return  # checked as today at every load, until the bad records are synced again
        with self._transaction(gettext("vouch for the stored records")):
            self._db.executemany(
                "UPDATE records SET digest = ? WHERE source = ? AND kind = ? AND record_id = ?",
                stale)
            self._db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (_VOUCHED, json.dumps({"digest": digest, "sync": sync_id})),
            )

    def _check_all(self, stale: list[tuple[int, Any, Any, Any]]) -> bool:
        """Whether every stored record holds under this clientguard's rules (a damaged row
        raises, naming it); adds to ``stale`` the digest, source, kind and id of each row whose
        stored digest is not its data's."""
        digest_of = _data_digest
        for source, kind, record_id, data, location, digest in self._rows(
                None, None, digest=True):
            for _, _, _, problem in self._read((source, kind, record_id, data, location),
                                               trusted=False):
                if problem is not None:
                    return False
            if type(data) is str and digest != (new := digest_of(data)):
                stale.append((new, source, kind, record_id))
        return True

    def _vouched(self) -> tuple[str, int] | None:
        """The digest and the last sync of the clientguard that last vouched for the records."""
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (_VOUCHED,)).fetchone()
        try:
            stamp = json.loads(row[0]) if row else None
            return (str(stamp["digest"]), int(stamp["sync"])) if stamp else None
        except (TypeError, ValueError, KeyError):
            return None  # a hand-edited value: not trusted

    def _trusted(self) -> bool:
        """Whether every stored record was written and checked by this clientguard: the last
        vouch is this clientguard's digest, and no sync has begun since."""
        digest = validation_digest(SCHEMA_VERSION)
        if digest is None:
            return False
        last = self._db.execute("SELECT max(id) FROM syncs").fetchone()[0]
        return self._vouched() == (digest, last)

    # ----------------------------------------------------------------- reading

    @_reading
    def sources(self) -> tuple[str, ...]:
        """The names of the sources the store holds, sorted."""
        rows = self._db.execute("SELECT source FROM sources ORDER BY source").fetchall()
        return tuple(row[0] for row in rows)

    @_reading
    def status(self) -> tuple[SourceStatus, ...]:
        """What the store holds for each source, and how its syncs went."""
        result = []
        for source, connector in self._db.execute(
            "SELECT source, connector FROM sources ORDER BY source"
        ).fetchall():
            counts = dict(
                self._db.execute(
                    "SELECT kind, count(*) FROM records WHERE source = ? GROUP BY kind "
                    "ORDER BY kind",
                    (source,),
                ).fetchall()
            )
            rejections = self._db.execute(
                "SELECT count(*) FROM rejections WHERE source = ?", (source,)
            ).fetchone()[0]
            last = self._db.execute(
                "SELECT status, started_at, error FROM syncs WHERE source = ? "
                "ORDER BY id DESC LIMIT 1",
                (source,),
            ).fetchone()
            complete = self._db.execute(
                "SELECT started_at FROM syncs WHERE source = ? AND status = 'complete' "
                "ORDER BY id DESC LIMIT 1",
                (source,),
            ).fetchone()
            result.append(
                SourceStatus(
                    source=source,
                    connector=connector,
                    records=counts,
                    rejections=int(rejections),
                    cursors=self.state(source),
                    last_sync_status=_outcome(last[0], last[2]) if last else None,
                    last_sync_at=self._started_at(source, last[1]) if last else None,
                    last_complete_at=self._started_at(source, complete[0]) if complete else None,
                )
            )
        return tuple(result)

    def _started_at(self, source: str, text: object) -> datetime:
        moment = _aware_moment(text)
        if moment is None:
            raise self._damaged(
                "syncs", f"source {source!r}", "started_at",
                gettext("{value} is not a date-time with a time zone").format(value=_shown(text)),
            )
        return moment

    @_reading
    def warnings(self, sources: Sequence[str] | None = None) -> tuple[str, ...]:
        """What a reader of ``sources`` (default: all) should know about the stored data as a
        whole: each source whose last sync did not complete (it failed, was interrupted, or
        is still running), so that its records and rejections may be incomplete."""
        where, params = self._source_filter(sources)
        query = (
            "SELECT source, status, started_at, error FROM syncs WHERE id IN "  # noqa: S608
            f"(SELECT max(id) FROM syncs {where} GROUP BY source) ORDER BY source"
        )
        warnings = []
        for source, status, started, error in self._db.execute(query, params).fetchall():
            outcome = _outcome(status, error)
            if outcome == "complete":
                continue
            how = {
                "failed": gettext("it failed"),
                "interrupted": gettext("it was interrupted"),
            }.get(outcome, gettext("it was interrupted or is still running"))
            moment = self._started_at(source, started)
            when = gettext("{day} {time} UTC").format(
                day=wording.day(moment.date()), time=moment.strftime("%H:%M"))
            if outcome == "failed" and isinstance(error, str) and error.startswith(
                    _DAMAGED_PREFIX):
                # Another sync would stop the same way: what to repair, as the error said.
                warnings.append(
                    gettext("the last sync of source {source} (started {when}) did not "
                            "complete: it stopped at a damaged store, so its records and "
                            "rejections may be incomplete or out of date, and every sync "
                            "stops there until it is repaired: {problem}").format(
                        source=repr(source), when=when,
                        problem=error[len(_DAMAGED_PREFIX):]))
                continue
            warnings.append(
                gettext("the last sync of source {source} (started {when}) did not complete: "
                        "{how}, so its records and rejections may be incomplete or out of "
                        "date; run `clientguard sync` again").format(
                    source=repr(source), when=when, how=how)
            )
        return tuple(warnings)

    def _source_filter(self, sources: Sequence[str] | None) -> tuple[str, tuple[str, ...]]:
        if sources is None:
            return "", ()
        known = set(self.sources())
        unknown = [s for s in sources if s not in known]
        if unknown:
            held = ", ".join(sorted(known)) or gettext("none")
            raise StoreError(
                gettext("the store {path} has no source {sources}; it holds: {held}").format(
                    path=self.path, sources=", ".join(map(repr, unknown)), held=held)
            )
        marks = ", ".join("?" for _ in sources)
        return f"WHERE source IN ({marks})", tuple(sources)

    @_reading
    def rejections(self, sources: Sequence[str] | None = None) -> tuple[Rejection, ...]:
        """The stored rejections (of this and earlier syncs), by source, stream (in the order
        the source's connector declares its streams, as a direct load has them) and place."""
        where, params = self._source_filter(sources)
        # The filter holds only "?" placeholders; the names go in as parameters.
        position = _STREAM_POSITION.format(table="rejections")
        query = (
            "SELECT id, kind, source, record_id, field, reason, location, "  # noqa: S608
            f"record FROM rejections {where} ORDER BY source, {position} IS NULL, {position}, "
            "stream, id"
        )
        rows = self._db.execute(query, params).fetchall()
        result = []
        for row_id, kind, source, record_id, field_name, reason, location, record in rows:
            row = f"id {row_id}"
            raw = None
            if record is not None:
                try:
                    raw = json.loads(record)
                except (TypeError, ValueError):
                    raise self._damaged("rejections", row, "record", gettext("not JSON")) from None
            for column, value in (("kind", kind), ("source", source), ("reason", reason)):
                if not isinstance(value, str):
                    raise self._damaged("rejections", row, column,
                                        gettext("{value} is not text").format(value=_shown(value)))
            for column, value in (("record_id", record_id), ("field", field_name)):
                if value is not None and not isinstance(value, str):
                    raise self._damaged(
                        "rejections", row, column,
                        gettext("{value} is not text or NULL").format(value=_shown(value))
                    )
            result.append(
                Rejection(
                    kind=kind,
                    source=source,
                    record_id=record_id,
                    field=field_name,
                    reason=reason,
                    location=self._location("rejections", row, location),
                    record=raw,
                )
            )
        return tuple(result)

    def _location(self, table: str, row: str, text: object) -> Location | None:
        try:
            return _location_from(text)
        except (TypeError, ValueError) as exc:
            raise self._damaged(table, row, "location", str(exc)) from None

    def records(self, sources: Sequence[str] | None = None) -> Iterator[AnyRecord]:
        """Every stored record of ``sources`` (default: all), in key order.

        Raises :class:`StoreError` for a stored record that no longer validates; use
        :meth:`load` with ``strict=False`` to have those reported as rejections instead.
        """
        # A generator: the guard is inside it, around the rows as they are read.
        try:
            for _, _, record, problem in self._stored(sources):
                if problem is not None:
                    raise StoreError(
                        gettext("the store {path} holds an invalid record: {problem}")
                        .format(path=self.path, problem=problem))
                assert record is not None
                yield record
        except sqlite3.Error as error:
            raise self._unusable(error) from None

    def _rows(
        self, sources: Sequence[str] | None, kind: str | None, *, digest: bool = False
    ) -> sqlite3.Cursor:
        """The stored rows of ``sources`` (of one ``kind``): source, kind, record id, data and
        location (and with ``digest`` the data's stored digest), in the order a load reads
        them."""
        where, params = self._source_filter(sources)
        if kind is not None:
            where = f"{where} AND kind = ?" if where else "WHERE kind = ?"
            params = (*params, kind)
        columns = "source, kind, record_id, data, location" + (", digest" if digest else "")
        query = (
            f"SELECT {columns} FROM records "  # noqa: S608
            f"{where} ORDER BY source, kind, record_id"
        )
        return self._db.execute(query, params)

    def _trusted_rows(
        self, sources: Sequence[str] | None, records: list[AnyRecord], locations: Locations
    ) -> Iterator[tuple[RecordKey | None, Location | None, AnyRecord | None, Rejection | None]]:
        """:meth:`_stored` of a trusted store (:meth:`_trusted`), for :meth:`load`: a row in
        the form this clientguard writes goes straight into ``records`` and ``locations``
        (made without validating it, :func:`trusted_record`; a file's line put as its line,
        without a :class:`Location`); any other row is yielded as :meth:`_stored` reads it,
        validated, or named damaged. So is a row whose data is not what a sync wrote (its
        digest differs, or it has none: edited by hand, or stored before schema 12), so that
        a record edited to break a rule is rejected as in an untrusted store."""
        models = _MODELS.get
        digest_of = _data_digest
        add = records.append
        put_line = locations.put_line
        shared = TrustedValues()  # equal dates and amounts of the load, one object each
        # The text before the line's digits of the last plain location read, and its file:
        # the rows of one kind and source come from one file, in a run.
        prefix, file = "", ""
        for _source, kind, record_id, data, location_text, digest in self._rows(
                sources, None, digest=True):
            row = (_source, kind, record_id, data, location_text)
            if type(data) is not str or digest != digest_of(data):
                yield from self._read(row, trusted=False)  # not as written: validated
                continue
            model = models(kind) if type(kind) is str else None
            record = (trusted_record(model, data, shared) if model is not None
                      and type(record_id) is str else None)
            if record is None:
                yield from self._read(row, trusted=True)
                continue
            if location_text is None:
                add(record)
                continue
            line = None
            if prefix and type(location_text) is str and location_text.startswith(prefix):
                line = _line_digits(location_text[len(prefix):])
            if line is None:
                plain = (_FILE_AND_LINE.fullmatch(location_text)
                         if type(location_text) is str else None)
                if plain is None:  # a column, a detail, an escaped name, or damaged
                    try:
                        location = _location_from(location_text)
                    except ValueError:
                        yield from self._read(row, trusted=True)  # named damaged there
                        continue
                    ident = getattr(record, "id", None)
                    key = (record.kind, record.source, ident) if ident is not None else None
                    yield key, location, record, None
                    continue
                prefix, file = location_text[:plain.start(2)], sys.intern(plain[1])
                line = int(plain[2])
            add(record)
            ident = getattr(record, "id", None)
            if ident is not None:
                put_line(record.kind, record.source, ident, file, line)

    def _stored(
        self, sources: Sequence[str] | None, *, kind: str | None = None
    ) -> Iterator[tuple[RecordKey | None, Location | None, AnyRecord | None, Rejection | None]]:
        """Every stored record of ``sources`` (of one ``kind``), validated (a trusted store's
        load reads them without: :meth:`_trusted_rows`)."""
        for row in self._rows(sources, kind):
            yield from self._read(row, trusted=False)

    def _read(
        self, row: tuple[Any, ...], *, trusted: bool
    ) -> Iterator[tuple[RecordKey | None, Location | None, AnyRecord | None, Rejection | None]]:
        """One stored row as :meth:`_stored` yields it (one item): validated, or with
        ``trusted`` (records this clientguard wrote and checked, :meth:`_trusted`) made
        without validating it again where it is in the form it writes (:func:`trusted_record`);
        a damaged row raises :class:`StoreError` naming it."""
        source, kind, record_id, data, location_text = row
        if trusted:
            fast = _trusted_row(kind, record_id, data, location_text)
            if fast is not None:
                yield fast
                return
        model = _MODELS.get(kind) if isinstance(kind, str) else None
        location: Location | None = None
        problem: tuple[str, str] | None = None  # the damaged column, and how
        if model is None:
            problem = "kind", gettext(
                "{value} is not a kind of record (one of {kinds})"
            ).format(value=_shown(kind), kinds=", ".join(_MODELS))
        elif not isinstance(record_id, str):
            problem = "record_id", gettext("{value} is not text").format(
                value=_shown(record_id))
        elif not isinstance(data, str | bytes):
            problem = "data", gettext("{value} is not JSON text").format(value=_shown(data))
        else:
            try:
                location = _location_from(location_text)
            except ValueError as exc:
                problem = "location", str(exc)
        if problem is not None or model is None:
            column, text = problem or ("kind", "unknown")
            raise self._damaged("records", _record_row(source, kind, record_id), column, text)
        try:
            record = trusted_record(model, data) if trusted else None
            if record is None:
                record = model.model_validate_json(data)
        except DataError as exc:
            try:
                raw = json.loads(data)
            except ValueError:
                raw = None
            if not isinstance(raw, dict):
                raise self._damaged(
                    "records", _record_row(source, kind, record_id), "data",
                    gettext("not a JSON object"),
                ) from None
            # A record stored by an older clientguard that a newer rule refuses: reported,
            # never a crash of the whole load.
            yield None, location, None, Rejection(
                kind=kind,
                source=str(raw.get("source", "?")),
                record_id=record_id if kind != "time_entry" else None,
                field=exc.problems[0].field if exc.problems else None,
                reason="; ".join(p.reason for p in exc.problems) or str(exc),
                location=location,
                record=raw,
            )
            return
        ident = getattr(record, "id", None)
        key = (record.kind, record.source, ident) if ident is not None else None
        yield key, location, record, None

    @_reading
    def load(
        self,
        *,
        base_currency: str,
        sources: Sequence[str] | None = None,
        fx: FxTable | None = None,
        strict: bool = True,
        links: Iterable[Link] = (),
    ) -> Ledger:
        """The stored records of ``sources`` (default: all) as a :class:`Ledger`.

        Records carry the name of the source they are stored under; with more than one source
        the ledger keys them ``source:id`` (see :mod:`clientguard.records`). ``links`` are
        customers that are one client (see :mod:`clientguard.links`).

        The ledger's report holds every problem: the rejections kept from earlier syncs (raw
        records that could not be mapped, with their file and line or API page) and those the
        build itself finds (an allocation to a missing invoice...). With ``strict`` (the
        default) any of them raises one :class:`~clientguard.errors.DataError` listing them;
        with ``strict=False`` the good records are kept.
        """
        records: list[AnyRecord] = []
        # Kept compactly (a file's line as its line, no key tuple a record), as a pull keeps
        # them, and handed to the build as its own: nothing else holds it.
        locations = Locations()
        put = locations.put
        rejected = list(self.rejections(sources))
        with collector_paused():  # every record read outlives the loop
            stored = (self._trusted_rows(sources, records, locations) if self._trusted()
                      else self._stored(sources))
            for key, location, record, problem in stored:
                if problem is not None:
                    rejected.append(problem)
                    continue
                assert record is not None
                records.append(record)
                if key is not None and location is not None:
                    put(*key, location)
        return Ledger._built(
            records,
            base_currency=base_currency,
            fx=fx,
            strict=strict,
            rejected=rejected,
            locations=locations,
            notes=self.notes(sources),
            links=links,
            warnings=self.warnings(sources),
        )

    @_reading
    def customers(self, sources: Sequence[str] | None = None) -> tuple[Customer, ...]:
        """The stored customers of ``sources`` (default: all), by source and id; those that
        no longer validate are left out (:meth:`load` reports them)."""
        return tuple(
            record for _, _, record, _ in self._stored(sources, kind="customer")
            if isinstance(record, Customer)
        )

    # ----------------------------------------------------------------- exchange rates

    @_reading
    def save_rates(self, source: str, rows: Iterable[RateRow], *, replace: bool = False) -> int:
        """Store ``rows`` of the rate source ``source`` in one transaction; with ``replace``
        (a file: it is the whole truth) the source's earlier rows go first. Returns how many
        rows were written."""
        values = [
            (source, r.base, r.currency, r.published.isoformat(), r.applies_from.isoformat(),
             str(r.rate))
            for r in rows
        ]
        with self._transaction(gettext("rates of {source}").format(source=source)):
            if replace:
                self._db.execute("DELETE FROM rates WHERE source = ?", (source,))
            self._db.executemany(
                "INSERT OR REPLACE INTO rates (source, base, currency, published, applies_from, "
                "rate) VALUES (?, ?, ?, ?, ?, ?)",
                values,
            )
        return len(values)

    @_reading
    def rates(self) -> list[RateRow]:
        """Every stored exchange rate."""
        rows = self._db.execute(
            "SELECT source, base, currency, published, applies_from, rate FROM rates "
            "ORDER BY source, published, currency"
        ).fetchall()
        return [
            RateRow(source, base, currency, date.fromisoformat(published),
                    Decimal(rate), date.fromisoformat(applies))
            for source, base, currency, published, applies, rate in rows
        ]

    @_reading
    def rates_summary(self) -> list[tuple[str, str, int, int, date, date]]:
        """Per rate source: (source, base, currencies, rates, first day, last day)."""
        rows = self._db.execute(
            "SELECT source, base, COUNT(DISTINCT currency), COUNT(*), MIN(published), "
            "MAX(published) FROM rates GROUP BY source, base ORDER BY source, base"
        ).fetchall()
        return [(s, b, c, n, date.fromisoformat(lo), date.fromisoformat(hi))
                for s, b, c, n, lo, hi in rows]

    @_reading
    def first_document_date(self) -> date | None:
        """The earliest issue or payment date of the stored invoices, payments and credit
        notes (where reading exchange rates starts); None when there are none."""
        row = self._db.execute(
            "SELECT MIN(COALESCE(json_extract(data, '$.issue_date'), "
            "json_extract(data, '$.date'))) FROM records "
            "WHERE kind IN ('invoice', 'payment', 'credit_note')"
        ).fetchone()
        return date.fromisoformat(row[0]) if row and row[0] else None

    @_reading
    def notes(self, sources: Sequence[str] | None = None) -> tuple[str, ...]:
        """The connectors' notes on the stored streams, each as ``"<source>: <note>"``: by
        source, stream (in its connector's declared order) and as they came."""
        where, params = self._source_filter(sources)
        stream_position = _STREAM_POSITION.format(table="stream_notes")
        rows = self._db.execute(
            f"SELECT source, note FROM stream_notes {where} "  # noqa: S608
            f"ORDER BY source, {stream_position} IS NULL, {stream_position}, stream, position, "
            "note",
            params,
        ).fetchall()
        return tuple(f"{source}: {note}" for source, note in rows)

    @_reading
    def currencies(self, sources: Sequence[str] | None = None) -> tuple[str, ...]:
        """The currencies of the stored invoices, sorted (to suggest a base currency)."""
        where, params = self._source_filter(sources)
        clause = f"{where} AND" if where else "WHERE"
        rows = self._db.execute(
            "SELECT DISTINCT json_extract(data, '$.currency') FROM records "  # noqa: S608
            f"{clause} kind = 'invoice' AND json_valid(data) ORDER BY 1",
            params,
        ).fetchall()
        return tuple(row[0] for row in rows if isinstance(row[0], str) and row[0])


    # ----------------------------------------------------------------- saved reviews

    @_reading
    def save_review(
        self,
        *,
        as_of: date,
        policy_digest: str,
        version: str,
        report: str,
        summary: Mapping[str, Any],
        clients: Sequence[Mapping[str, Any]],
    ) -> SavedReview:
        """Keep a review: its JSON ``report``, the ``summary`` of the whole review and one
        summary per client (each a mapping with ``client_id``, ``verdict``, ``severity`` and
        JSON-ready numbers), in one transaction.
        A review of the same ``as_of`` under the same policy (``policy_digest``) replaces the
        one saved before, keeping its id."""
        with self._transaction(gettext("the review as of {date}").format(date=as_of)):
            row = self._db.execute(
                "INSERT INTO reviews (as_of, policy_digest, version, report, summary) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (as_of, policy_digest) DO UPDATE SET "
                "version = excluded.version, report = excluded.report, "
                "summary = excluded.summary RETURNING id",
                (as_of.isoformat(), policy_digest, version, report,
                 json.dumps(summary, sort_keys=True, ensure_ascii=False)),
            ).fetchone()
            review_id = int(row[0])
            self._db.execute("DELETE FROM review_clients WHERE review_id = ?", (review_id,))
            self._db.executemany(
                "INSERT INTO review_clients (review_id, client_id, verdict, severity, summary) "
                "VALUES (?, ?, ?, ?, ?)",
                [
                    (review_id, str(c["client_id"]), str(c["verdict"]), c.get("severity"),
                     json.dumps(c, sort_keys=True, ensure_ascii=False))
                    for c in clients
                ],
            )
        return SavedReview(review_id, as_of, policy_digest, version)

    @_reading
    def saved_reviews(self) -> list[SavedReview]:
        """Every saved review, oldest first (by ``as_of``, then in the order saved)."""
        rows = self._db.execute(
            "SELECT id, as_of, policy_digest, version FROM reviews ORDER BY as_of, id"
        ).fetchall()
        return [SavedReview(int(i), self._review_date(i, a), str(d), str(v))
                for i, a, d, v in rows]

    @_reading
    def delete_reviews(self, choose: Callable[[], Iterable[int]]) -> int:
        """Remove the saved reviews whose ids ``choose()`` gives, each with its client
        summaries (``review_clients``) and what notify recorded of it (``notifications``), in
        one transaction: all of them or, on any failure (an interrupted process included),
        none. ``choose`` is called inside that transaction, which holds the store's write
        lock, so that it decides on the saved reviews and notifications as they are when
        they are removed: a review saved or a change sent meanwhile waits for it, never
        slips between the decision and the removal (:func:`clientguard.history.prune`).

        Returns the bytes of the store's pages the removal freed (SQLite's free list grew by
        so many pages of its page size): space later writes reuse; the file keeps its size
        (no ``VACUUM``: docs/history.md, "Pruning").

        Raises:
            StoreError: the store was opened with ``read_only=True``, or cannot be written
                (a read-only file or folder, a full disk); nothing was removed.
        """
        if self.read_only:
            raise StoreError(
                gettext("the store {path} was opened read-only: no saved review was removed; "
                        "open it for writing (Store.open(path), not read_only=True) to prune "
                        "it").format(path=self.path))
        with self._transaction(gettext("prune the saved reviews")):
            free = int(self._db.execute("PRAGMA freelist_count").fetchone()[0])
            ids = sorted({int(i) for i in choose()})
            for start in range(0, len(ids), _IDS_PER_QUERY):
                chunk = ids[start:start + _IDS_PER_QUERY]
                marks = ", ".join("?" * len(chunk))
                # Children first; notifications names a review by id with no foreign key, and
                # an id SQLite may give again must not inherit a removed review's deliveries.
                for table, column in (("review_clients", "review_id"),
                                      ("notifications", "review_id"), ("reviews", "id")):
                    self._db.execute(
                        f"DELETE FROM {table} WHERE {column} IN ({marks})", chunk)  # noqa: S608
            freed = int(self._db.execute("PRAGMA freelist_count").fetchone()[0]) - free
            page = int(self._db.execute("PRAGMA page_size").fetchone()[0])
        return max(freed, 0) * page

    @_reading
    def notification_channels(self) -> tuple[str, ...]:
        """The channels notify has recorded a delivery or a failed send on, sorted."""
        rows = self._db.execute(
            "SELECT DISTINCT channel FROM notifications ORDER BY channel").fetchall()
        return tuple(str(row[0]) for row in rows)

    @_reading
    def review_clients(self, review_id: int) -> list[dict[str, Any]]:
        """The client summaries saved with review ``review_id``, by client id."""
        rows = self._db.execute(
            "SELECT client_id, summary FROM review_clients WHERE review_id = ? "
            "ORDER BY client_id",
            (review_id,),
        ).fetchall()
        return [self._summary(review_id, client, text) for client, text in rows]

    @_reading
    def client_history(self, client_id: str | None = None) -> list[tuple[SavedReview,
                                                                          dict[str, Any]]]:
        """Each saved review's summary of ``client_id`` (every client's when None), oldest
        review first, then by client id."""
        where, params = ("WHERE c.client_id = ?", (client_id,)) if client_id else ("", ())
        rows = self._db.execute(
            "SELECT r.id, r.as_of, r.policy_digest, r.version, c.client_id, c.summary "  # noqa: S608
            "FROM review_clients c JOIN reviews r ON r.id = c.review_id "
            f"{where} ORDER BY r.as_of, r.id, c.client_id",
            params,
        ).fetchall()
        return [
            (SavedReview(int(i), self._review_date(i, a), str(d), str(v)),
             self._summary(i, client, text))
            for i, a, d, v, client, text in rows
        ]

    @_reading
    def review_summary(self, review_id: int) -> dict[str, Any]:
        """The summary of the whole review ``review_id`` (as :meth:`save_review` got it)."""
        row = self._db.execute("SELECT summary FROM reviews WHERE id = ?",
                               (review_id,)).fetchone()
        if row is None:
            raise StoreError(gettext("the store {path} has no saved review {id}").format(
                path=self.path, id=review_id))
        summary = self._summary(review_id, "", row[0], table="reviews")
        return summary

    @_reading
    def review_report(self, review_id: int) -> str:
        """The JSON report saved with review ``review_id``."""
        row = self._db.execute("SELECT report FROM reviews WHERE id = ?",
                               (review_id,)).fetchone()
        if row is None:
            raise StoreError(gettext("the store {path} has no saved review {id}").format(
                path=self.path, id=review_id))
        return str(row[0])

    def _review_date(self, review_id: object, text: object) -> date:
        try:
            return date.fromisoformat(str(text))
        except ValueError:
            raise self._damaged("reviews", f"id {review_id}", "as_of",
                               gettext("{value} is not a date (YYYY-MM-DD)").format(
                                   value=_shown(text))) from None

    def _summary(
        self, review_id: object, client: object, text: object, *, table: str = "review_clients"
    ) -> dict[str, Any]:
        try:
            summary = json.loads(str(text))
        except ValueError:
            summary = None
        if not isinstance(summary, dict):
            row = f"review {review_id}, client {client}" if client else f"id {review_id}"
            raise self._damaged(table, row, "summary",
                                gettext("{value} is not a JSON object").format(value=_shown(text)))
        return summary

    @_reading
    def sent_changes(self, channel: str) -> set[str]:
        """The keys of the changes already delivered on ``channel`` (not the ``@`` marks of
        delivered reviews and of a failed send)."""
        rows = self._db.execute(
            "SELECT change_key FROM notifications WHERE channel = ? AND change_key NOT LIKE '@%'",
            (channel,),
        ).fetchall()
        return {str(row[0]) for row in rows}

    @_reading
    def sent_change_reviews(self, channel: str) -> dict[str, int]:
        """The review each change delivered on ``channel`` was delivered with (the newest
        review of that run), by the change's key, for the keys of :meth:`sent_changes`."""
        rows = self._db.execute(
            "SELECT change_key, review_id FROM notifications "
            "WHERE channel = ? AND change_key NOT LIKE '@%'",
            (channel,),
        ).fetchall()
        return {str(key): int(review) for key, review in rows}

    @_reading
    def delivered_reviews(self, channel: str) -> set[int]:
        """The ids of the reviews whose changes were delivered on ``channel``."""
        rows = self._db.execute(
            "SELECT DISTINCT review_id FROM notifications WHERE channel = ? AND change_key != ?",
            (channel, _PENDING),
        ).fetchall()
        return {int(row[0]) for row in rows}

    @_reading
    def pending_baseline(self, channel: str) -> int | None:
        """The review a failed send on ``channel`` compared from (None when no send failed
        since the last delivery): the next send compares from it, so nothing is lost."""
        row = self._db.execute(
            "SELECT review_id FROM notifications WHERE channel = ? AND change_key = ?",
            (channel, _PENDING),
        ).fetchone()
        return int(row[0]) if row else None

    @_reading
    def record_sent(
        self, channel: str, keys: Iterable[str], *, review_id: int, sent_at: datetime
    ) -> None:
        """Record that the changes ``keys`` of review ``review_id`` were delivered on
        ``channel`` at ``sent_at`` (the caller's clock), so they are never sent again; a
        failed send's pending baseline is cleared with it."""
        moment = sent_at.astimezone(UTC).isoformat()
        with self._transaction(gettext("the changes sent on {channel}").format(channel=channel)):
            self._db.execute("DELETE FROM notifications WHERE channel = ? AND change_key = ?",
                             (channel, _PENDING))
            self._db.executemany(
                "INSERT OR IGNORE INTO notifications (channel, change_key, review_id, sent_at) "
                "VALUES (?, ?, ?, ?)",
                [(channel, key, review_id, moment) for key in keys],
            )

    @_reading
    def record_failed(self, channel: str, *, baseline: int, failed_at: datetime) -> None:
        """Record that a send on ``channel`` comparing from review ``baseline`` failed (the
        first failure's baseline is kept until a send succeeds)."""
        with self._transaction(gettext("the failed send on {channel}").format(channel=channel)):
            self._db.execute(
                "INSERT OR IGNORE INTO notifications (channel, change_key, review_id, sent_at) "
                "VALUES (?, ?, ?, ?)",
                (channel, _PENDING, baseline, failed_at.astimezone(UTC).isoformat()),
            )


@dataclass(frozen=True)
class SavedReview:
    """A review kept in the store (its report and summaries are read by id)."""

    id: int
    as_of: date
    policy_digest: str
    """The first hex digits of the SHA-256 of the policy (``clientguard.history``): two
    reviews under the same thresholds have the same digest."""
    version: str
    """The clientguard version that made the review."""


# --------------------------------------------------------------------------- writing pages


def _prunes_each_full_read(connector: Connector, stream: str) -> bool:
    """Whether ``connector`` says its read of ``stream`` that just ended was whole, so that
    what it did not give is gone at the source (its ``prunes_each_full_read(stream)``; a
    connector without the method prunes only with ``--prune``, and time entries)."""
    return connector.prunes_each_full_read(stream) is True


class _SyncWriter:
    """Writes one sync's pages, one transaction each, and counts what they did."""

    def __init__(
        self,
        store: Store,
        source: str,
        connector: Connector,
        sync_id: int,
        state: SyncState,
        *,
        full: bool,
        prune: bool,
    ) -> None:
        self.store = store
        self.source = source
        self.connector = connector
        self.sync_id = sync_id
        self.state = state
        self.full = full
        self.prune = prune
        self.counts: dict[str, Counter[str]] = {}
        self.skipped: dict[str, Counter[str]] = {}
        self.notes: dict[str, list[str]] = {}
        self.full_read: dict[str, bool] = {}
        # Identical time entries within one stream are told apart by their occurrence.
        self.occurrences: dict[str, Counter[str]] = {}
        self.begun: set[str] = set()
        """Streams with a page stored in this sync."""
        self.rows_rejected: dict[str, dict[tuple[str, str | None, int], list[object]]] = {}
        """By stream read in full: the rows (kind, file, line) its rejections without a
        record id stand on, with their raw records (:meth:`_drop_at_rejected_rows`)."""
        self.replacement: str | None = None
        """The digests of the account that replaces the source's former one
        (:meth:`Store._check_identity`), applied in the transaction of the sync's first page:
        a read failing before it leaves the source as it was."""
        self.read_linked: dict[str, set[str]] = {}
        """By stream: the raw records of :attr:`linked` this read delivered (the others' links
        are stale after a pruned full read: :meth:`_unlink_pruned`)."""
        self.linked: dict[str, set[str]] = {}
        """By stream: the ids of its raw records that ``record_origins`` may link to derived
        records (read once a sync for every stream of the source, :meth:`_linked`; grown as
        pages link more): only those are asked for their links, so that a page of raw
        records yielding only their own records costs no query, and a record about to be
        removed is asked whether another raw record yields it only when one may
        (:meth:`_hand_over`)."""
        self.links_read = False
        """Whether :attr:`linked` holds what ``record_origins`` held when first asked."""
        self.owners: dict[str, str] = {}
        """By kind: the streams the connection reads (every stream of ``connector.streams``,
        not only those this sync was asked for: a contact the contacts stream stored
        yesterday stays that stream's when today's sync reads only the documents naming it)
        that read records of that kind as their own, as ``|name|name|`` (:meth:`_upsert`).
        A stream the connector's options leave out is no such stream: what it stored is
        handed over or removed (:meth:`drop_left_out`)."""
        for declared in connector.streams:
            self.owners[declared.kind] = (
                f"{self.owners.get(declared.kind, '|')}{declared.name}|")

    def read_in_full(self, stream: str) -> bool:
        if stream not in self.full_read:
            incremental = self.connector.stream(stream).incremental
            self.full_read[stream] = (
                self.full or not incremental or self.state.cursor(stream) is None
            )
        return self.full_read[stream]

    def write(self, page: Page) -> None:
        db = self.store._db
        stream = page.stream
        counts = self.counts.setdefault(stream, Counter())
        occurrences = self.occurrences.setdefault(stream, Counter())
        in_full = self.read_in_full(stream)
        page_counts: Counter[str] = Counter()
        with self.store._transaction(gettext("store page {number} of {stream}").format(
                number=page.number, stream=stream)):
            if self.replacement is not None:
                # The former account's records leave with the new one's first page (counted
                # as this page's removed).
                page_counts["removed"] += self.store._replace_source(
                    self.source, self.replacement)
            # What each record was (new, updated, unchanged), counted by outcome and kind.
            for (outcome, kind), count in self._upsert(page, occurrences).items():
                page_counts[outcome] += count
                page_counts[f"{outcome}:{kind}"] += count
            rows = [
                (
                    self.source, stream, self.sync_id, r.kind, self.connector.name,
                    r.record_id, r.field, r.reason, _location_text(r.location),
                    _raw_text(r.record),
                )
                for r in page.rejected
            ]
            if in_full and stream not in self.begun:
                # A stream read in full replaces its rejections from its first page on: an
                # interrupted read followed by a complete one never counts one twice.
                db.execute(
                    "DELETE FROM rejections WHERE source = ? AND stream = ? AND sync_id < ?",
                    (self.source, stream, self.sync_id),
                )
            elif not in_full:
                # An incremental read replaces the rejections of the records it reads again:
                # by id, and (a record without one) by being the same raw record rejected
                # for the same reason, as happens when a sync resumes after an interruption.
                ids_seen = [ident for record in page.records
                            if (ident := getattr(record, "id", None)) is not None]
                ids_seen += [r.record_id for r in page.rejected if r.record_id is not None]
                db.executemany(
                    "DELETE FROM rejections WHERE source = ? AND stream = ? AND record_id = ? "
                    "AND sync_id < ?",
                    [(self.source, stream, ident, self.sync_id) for ident in set(ids_seen)],
                )
                db.executemany(
                    "DELETE FROM rejections WHERE source = ? AND stream = ? AND sync_id < ? "
                    "AND record_id IS NULL AND kind = ? AND connector = ? "
                    "AND field IS ? AND reason = ? AND record IS ?",
                    [
                        (self.source, stream, self.sync_id, kind, connector, field_name,
                         reason, record)
                        for (_, _, _, kind, connector, ident, field_name, reason, _, record)
                        in rows
                        if ident is None
                    ],
                )
            self.begun.add(stream)
            db.executemany(
                "INSERT INTO rejections (source, stream, sync_id, kind, connector, record_id, "
                "field, reason, location, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            page_counts["rejected"] += len(page.rejected)
            if page.rejected:
                page_counts["removed"] += self._drop_rejected(page)
                if in_full:
                    at_rows = self.rows_rejected.setdefault(stream, {})
                    for r in page.rejected:
                        if (r.record_id is None and r.location is not None
                                and r.location.line is not None):
                            at_rows.setdefault(
                                (r.kind, r.location.file, r.location.line), []).append(r.record)
            if page.yielded:
                page_counts["removed"] += self._follow_origins(page)
            if page.deleted:
                page_counts["removed"] += self._delete(page)
            if page.last and in_full:
                page_counts["removed"] += self._finish_full_read(stream)
            if page.last:
                notes = [*self.notes.get(stream, ()), *page.notes]
                if in_full:
                    db.execute("DELETE FROM stream_notes WHERE source = ? AND stream = ?",
                               (self.source, stream))
                # In the order they came, after those kept (a note already stored keeps its
                # place).
                (after,) = db.execute(
                    "SELECT coalesce(max(position) + 1, 0) FROM stream_notes "
                    "WHERE source = ? AND stream = ?", (self.source, stream)).fetchone()
                db.executemany(
                    "INSERT OR IGNORE INTO stream_notes (source, stream, note, position) "
                    "VALUES (?, ?, ?, ?)",
                    [(self.source, stream, note, after + n) for n, note in enumerate(notes)],
                )
            if page.cursor is not None:
                db.execute(
                    "INSERT INTO cursors (source, stream, cursor, sync_id) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (source, stream) DO UPDATE SET cursor = excluded.cursor, "
                    "sync_id = excluded.sync_id",
                    (self.source, stream, page.cursor.astimezone(UTC).isoformat(), self.sync_id),
                )
            page_counts["pages"] += 1
            page_counts["duplicates"] += page.duplicates
            db.execute(
                "UPDATE syncs SET pages = pages + ?, new = new + ?, updated = updated + ?, "
                "unchanged = unchanged + ?, rejected = rejected + ?, removed = removed + ? "
                "WHERE id = ?",
                (
                    page_counts["pages"], page_counts["new"], page_counts["updated"],
                    page_counts["unchanged"], page_counts["rejected"], page_counts["removed"],
                    self.sync_id,
                ),
            )
        # Counted only once the page is committed: the result says what is stored.
        self.replacement = None
        counts.update(page_counts)
        self.skipped.setdefault(stream, Counter()).update(page.skipped)
        self.notes.setdefault(stream, []).extend(page.notes)

    def _upsert(self, page: Page, occurrences: Counter[str]) -> Counter[tuple[Outcome, str]]:
        """Insert or update the page's records, in one statement run for all of them; how
        many of each kind were new, updated or unchanged.

        A record stores the stream that wrote it last, except that a record a stream of its
        kind stored (its own record: a customer the customers stream read) stays that
        stream's when another stream's raw record yields it too (a payment naming its
        customer): that stream still yields it, so a raw record of the other stream deleted,
        or the other stream left out, does not take it away (:meth:`_unlink`). Such a
        record keeps its ``seen_sync`` too, which says when its own stream last delivered
        it: a full read of that stream after the other stream's, in the same sync, that no
        longer has it is then not fooled into keeping it as its own
        (:meth:`_finish_full_read` hands it to the other stream)."""
        sync_id, source, stream = self.sync_id, self.source, page.stream
        own_kind = self.connector.stream(stream).kind
        # The statement's parameters, a record each: source, kind, id, stream, data, location,
        # the data's digest (_data_digest), three sync ids, the streams that keep the record
        # as theirs when one of them stored it (``|customers|`` for a customer a payments page
        # yields; empty for a record of the page's own kind; twice: for its stream and its
        # seen_sync), and whether the stored record is the same (set below).
        rows: list[tuple[str, str, str, str, str, str | None, int, int, int, int, str, str,
                         bool]] = []
        append = rows.append
        digest_of = _data_digest
        keys: list[tuple[str, str]] = []  # kind, id
        key = keys.append
        locations = page.locations
        # A page's records are of a kind or two and one source: the location of each is
        # looked up in its group of ``page.locations``, and a line of the group's file is
        # written from the group's text before the line (what _location_text writes).
        groups: dict[tuple[str, str], _LocationGroup] = {}
        texts = _records_json(page.records)
        for record, data in zip(page.records, texts, strict=True):
            kind = record.kind
            ident = getattr(record, "id", None)
            if ident is None:
                digest = hashlib.sha256(data.encode()).hexdigest()[:32]
                occurrences[digest] += 1
                ident = f"{digest}#{occurrences[digest]}"
                location = None
            else:
                group = groups.get((kind, record.source))
                if group is None:
                    group = groups[(kind, record.source)] = _location_group(
                        locations, kind, record.source)
                found = group.entries.get(ident)
                if type(found) is int:
                    location = f"{group.line_prefix}{found}}}"
                elif found is None or isinstance(found, Location):
                    location = _location_text(found)
                else:  # a line that is not a plain int
                    location = _location_text(Location(group.file, found))
            key((kind, ident))
            owners = "" if kind == own_kind else self.owners.get(kind, "")
            append((source, kind, ident, stream, data, location, digest_of(data), sync_id,
                    sync_id, sync_id, owners, owners, False))
        stored = self._stored_data(keys)
        if not stored and len(set(keys)) == len(keys):
            # None stored before, none twice in the page (a first sync): every one is new.
            kinds = Counter(map(itemgetter(0), keys))
            counts: Counter[tuple[Outcome, str]] = Counter(
                {("new", kind): count for kind, count in kinds.items()})
        else:
            counts = Counter()
            records = zip(keys, texts, page.records, strict=True)
            for number, (record_key, data, record) in enumerate(records):
                before = stored.get(record_key)
                if before is None:
                    outcome: Outcome = "new"
                elif before == data or _same_record(before, record):
                    outcome = "unchanged"
                    rows[number] = (*rows[number][:-1], True)  # the row's last: the same
                else:
                    outcome = "updated"
                counts[(outcome, record_key[0])] += 1
                stored[record_key] = data  # a later row of the same record compares with this one
        self.store._db.executemany(
            "INSERT INTO records (source, kind, record_id, stream, data, location, digest, "
            "first_sync, changed_sync, seen_sync) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (source, kind, record_id) DO UPDATE SET stream = CASE WHEN "
            "instr(?, '|' || records.stream || '|') > 0 THEN records.stream ELSE "
            "excluded.stream END, data = excluded.data, location = excluded.location, "
            "digest = excluded.digest, "
            "seen_sync = CASE WHEN instr(?, '|' || records.stream || '|') > 0 THEN "
            "records.seen_sync ELSE excluded.seen_sync END, "
            "changed_sync = CASE WHEN records.data = excluded.data OR ? THEN "
            "records.changed_sync ELSE excluded.changed_sync END",
            rows,
        )
        return counts

    def _stored_data(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """The stored data of those of ``keys`` (kind, id) the store already holds, read a
        few hundred ids at a time."""
        by_kind: dict[str, list[str]] = {}
        for kind, ident in keys:
            by_kind.setdefault(kind, []).append(ident)
        stored: dict[tuple[str, str], str] = {}
        for kind, idents in by_kind.items():
            for start in range(0, len(idents), _IDS_PER_QUERY):
                chunk = idents[start : start + _IDS_PER_QUERY]
                marks = ", ".join("?" * len(chunk))
                for ident, data in self.store._db.execute(
                    "SELECT record_id, data FROM records WHERE source = ? AND kind = ? "  # noqa: S608
                    f"AND record_id IN ({marks})",
                    (self.source, kind, *chunk),
                ):
                    stored[(kind, ident)] = data
        return stored

    def _derived(self, page: Page) -> dict[str, set[tuple[str, str]]]:
        """What each raw record of ``page`` yields now besides its own record (the stream's
        kind under the raw record's id), by its id: (kind, id) of its derived records; an
        empty set for a raw record yielding only its own record (the common case, kept
        cheap)."""
        own = self.connector.stream(page.stream).kind
        derived: dict[str, set[tuple[str, str]]] = {}
        for origin, keys in page.yielded.items():
            if len(keys) == 1 and keys[0][0] == own and keys[0][2] == origin:
                derived[origin] = set()
            else:
                derived[origin] = {(kind, ident) for kind, _source, ident in keys
                                   if ident != origin or kind != own}
        return derived

    def _follow_origins(self, page: Page) -> int:
        """Link each derived record of the page to the raw records that yield it
        (``record_origins``), unlink what a raw record yielded before and yields no longer (a
        deposit edited to 0, an invoice voided), and drop the derived records no raw record
        yields any more; how many were dropped. After the upsert. The stream's linked raw
        records are read once a sync (:attr:`linked`); a page asks for the links of those of
        its raw records only, one indexed query per few hundred (issue 21: nothing of this in
        :meth:`Store.load`)."""
        db = self.store._db
        source, stream = self.source, page.stream
        linked_origins = self._linked(stream)
        derived = self._derived(page)
        asked = [origin for origin in derived if origin in linked_origins]
        linked: dict[str, set[tuple[str, str]]] = {}
        for start in range(0, len(asked), _IDS_PER_QUERY):
            chunk = asked[start : start + _IDS_PER_QUERY]
            marks = ", ".join("?" * len(chunk))
            for origin, kind, ident in db.execute(
                "SELECT origin, kind, record_id FROM record_origins "  # noqa: S608
                f"WHERE source = ? AND stream = ? AND origin IN ({marks})",
                (source, stream, *chunk),
            ):
                linked.setdefault(origin, set()).add((kind, ident))
        unlinked: list[tuple[str, str, str]] = []
        added: list[tuple[str, str, str, str, str]] = []
        for origin, now in derived.items():
            before = linked.get(origin)
            if before is None:
                if now:
                    added += [(source, stream, origin, kind, ident) for kind, ident in now]
                    linked_origins.add(origin)
                continue
            unlinked += [(origin, kind, ident) for kind, ident in before - now]
            added += [(source, stream, origin, kind, ident) for kind, ident in now - before]
        if added:
            db.executemany(
                "INSERT OR IGNORE INTO record_origins (source, stream, origin, kind, "
                "record_id) VALUES (?, ?, ?, ?, ?)", added)
        if linked_origins:
            # Delivered by this read (linked before it, or just now).
            self.read_linked.setdefault(stream, set()).update(
                origin for origin in page.yielded if origin in linked_origins)
        return self._unlink(stream, unlinked)

    def _unlink(
        self, stream: str, links: Sequence[tuple[str, str, str]], *, delivered: str = ""
    ) -> int:
        """Remove the links (origin, kind, id) of ``stream``'s raw records to derived records,
        and each derived record left with no link (no raw record of any stream yields it);
        how many records were removed. A derived record linked only before this version
        (none recorded) is never removed here, nor one of kind ``delivered`` this sync
        stored (a raw record's own record, which has no link)."""
        if not links:
            return 0
        db = self.store._db
        db.executemany(
            "DELETE FROM record_origins WHERE source = ? AND stream = ? AND origin = ? "
            "AND kind = ? AND record_id = ?",
            [(self.source, stream, origin, kind, ident) for origin, kind, ident in links])
        removed = 0
        for kind, ident in sorted({(kind, ident) for _origin, kind, ident in links}):
            # A record another stream of its kind stored is that stream's own record (a contact
            # the contacts stream read, before or after a document yielded it): it stays,
            # whatever documents stop naming it; its own stream removes it. One this stream
            # stored goes with its last link (a Jira request stored under an issue's old key).
            own = [s.name for s in self.connector.streams if s.kind == kind and s.name != stream]
            marks = ", ".join("?" * len(own))
            removed += db.execute(
                "DELETE FROM records WHERE source = ? AND kind = ? AND record_id = ? "  # noqa: S608
                "AND NOT (kind = ? AND seen_sync >= ?) AND NOT EXISTS (SELECT 1 FROM "
                "record_origins o WHERE o.source = ? AND o.kind = ? AND o.record_id = ?)"
                + (f" AND stream NOT IN ({marks})" if own else ""),
                (self.source, kind, ident, delivered, self.sync_id, self.source, kind, ident,
                 *own),
            ).rowcount
        return removed

    def _linked(self, stream: str) -> set[str]:
        """:attr:`linked` of ``stream``, the links of every stream of the source read with one
        query the first time a sync asks."""
        if not self.links_read:
            for name, origin in self.store._db.execute(
                "SELECT DISTINCT stream, origin FROM record_origins WHERE source = ?",
                (self.source,),
            ):
                self.linked.setdefault(name, set()).add(origin)
            self.links_read = True
        return self.linked.setdefault(stream, set())

    def _hand_over(
        self, which: str, params: tuple[str | int, ...], stream: str, *, origin: str | None = None
    ) -> int:
        """Give the stored records ``which`` (a condition on ``records``, with ``params``)
        selects that a raw record of another stream still yields (``record_origins``) to that
        stream (the first by name when several do), before they would be removed as
        ``stream``'s: the module's rule, a yielded record is removed only when no raw record
        yields it any more. With ``origin``, a raw record of ``stream`` other than ``origin``
        counts too (a deleted or rejected raw record's own record that another of the
        stream's raw records yields). How many records were handed over; no query when no
        such raw record may link anything (:attr:`linked`: a CSV file's stream, a source of
        one stream)."""
        mine_linked = self._linked(stream)
        if not (mine_linked - {origin} if origin is not None else False) and not any(
                origins for name, origins in self.linked.items() if name != stream):
            return 0
        other = "o.stream != ?" if origin is None else "NOT (o.stream = ? AND o.origin = ?)"
        mine: tuple[str, ...] = (stream,) if origin is None else (stream, origin)
        yielding = ("FROM record_origins o WHERE o.source = records.source AND o.kind = "
                    f"records.kind AND o.record_id = records.record_id AND {other}")
        return int(self.store._db.execute(
            f"UPDATE records SET stream = (SELECT min(o.stream) {yielding}) "  # noqa: S608
            f"WHERE EXISTS (SELECT 1 {yielding}) AND {which}",
            (*mine, *mine, *params),
        ).rowcount)

    def _drop_rejected(self, page: Page) -> int:
        """Remove the stored versions of the records this page rejects: a record edited at the
        source so that it can no longer be mapped is what a direct load of the source has,
        a rejection, not its last good version counted (nor said "not in this full read"). The
        version this stream stored before this sync only: one stored by this sync is another
        record of the id the rejection names (a conflicting duplicate), one another stream
        stored is that stream's. What only the removed raw record yielded goes with it, as
        with a deletion (:meth:`_delete`). The rejection stays; the record is stored again
        when the source delivers it mappable, and its rejection then goes. How many records
        were removed."""
        return sum(self._drop_stored(page.stream, kind, ident) for kind, ident in dict.fromkeys(
            (r.kind, r.record_id) for r in page.rejected if r.record_id is not None))

    def _drop_stored(self, stream: str, kind: str, ident: str) -> int:
        """Remove the version of record ``kind``/``ident`` that ``stream`` stored before this
        sync, whose raw record the source now gives rejected, and what only it yielded; how
        many records were removed."""
        db = self.store._db
        # One another raw record still yields (a contact a stored document names) is that raw
        # record's stream's from now on, and stays.
        which = "source = ? AND kind = ? AND record_id = ? AND stream = ? AND seen_sync < ?"
        params = (self.source, kind, ident, stream, self.sync_id)
        handed = self._hand_over(which, params, stream, origin=ident)
        dropped = int(db.execute(f"DELETE FROM records WHERE {which}", params).rowcount)  # noqa: S608
        if not handed and not dropped:
            return 0
        links = db.execute(
            "SELECT kind, record_id FROM record_origins WHERE source = ? AND stream = ? "
            "AND origin = ?", (self.source, stream, ident)).fetchall()
        return dropped + self._unlink(stream, [(ident, k, rid) for k, rid in links])

    def _drop_at_rejected_rows(self, stream: str) -> int:
        """After the last page of a stream read in full: remove each record stored before this
        sync that the read did not deliver and whose row (file and line) now holds a raw
        record rejected without an id (its id cell emptied, a malformed row) that is still
        that record's row, broken: its customer, amount and date, as far as the row can be
        read, are the record's (:func:`clientguard.broken_rows.is_own_row`). The source has
        a rejection there, not that record: a direct load of it counts nothing, so the store
        counts nothing either (not the record's last good version, kept unseen). When the row
        is mended, the next read stores it again. Another row that stands where the record's
        stood (the record's row deleted, a new one, another client's, written there before
        its id is filled in) removes nothing: the record is kept and counted, said as any
        record the read no longer has ("run --full --prune"). A rejection without a line (an
        API page's) names no one stored record and removes nothing. How many records were
        removed."""
        rows = self.rows_rejected.pop(stream, {})
        if not rows:
            return 0
        db = self.store._db
        # One look at the records the read did not deliver (few, as a rule), whatever the
        # number of rows rejected: not a query a row.
        stale = [(kind, ident, rows[kind, file, line])
                 for kind, ident, file, line in db.execute(
                     "SELECT kind, record_id, json_extract(location, '$.file'), "
                     "json_extract(location, '$.line') FROM records WHERE source = ? AND "
                     "stream = ? AND seen_sync < ? AND location IS NOT NULL "
                     "ORDER BY kind, record_id", (self.source, stream, self.sync_id))
                 if (kind, file, line) in rows]
        removed = 0
        for kind, ident, raws in stale:
            # Its content, and its customer's stored name, to tell its row from another.
            (data,) = db.execute(
                "SELECT data FROM records WHERE source = ? AND kind = ? AND record_id = ?",
                (self.source, kind, ident)).fetchone()
            record = json.loads(data)
            customer = record.get("customer_id") if isinstance(record, dict) else None
            name = db.execute(
                "SELECT json_extract(data, '$.name') FROM records WHERE source = ? AND "
                "kind = 'customer' AND record_id = ?", (self.source, customer),
            ).fetchone() if isinstance(customer, str) else None
            customer_name = name[0] if name is not None and isinstance(name[0], str) else None
            if isinstance(record, dict) and any(
                    is_own_row(record, raw, customer_name) for raw in raws):
                removed += self._drop_stored(stream, kind, ident)
        return removed

    def _delete(self, page: Page) -> int:
        """Remove what the source reports deleted (or voided away), every record derived
        from it that no other raw record yields (``record_origins``), and its rejections.
        A deleted record another raw record still yields (a contact card deleted that a
        stored document still names) stays, that raw record's stream's from now on."""
        db = self.store._db
        removed = 0
        for kind, _source, ident in page.deleted:
            which = "source = ? AND kind = ? AND record_id = ?"
            params = (self.source, kind, ident)
            self._hand_over(which, params, page.stream, origin=ident)
            removed += db.execute(
                f"DELETE FROM records WHERE {which} AND NOT EXISTS (SELECT 1 FROM "  # noqa: S608
                "record_origins o WHERE o.source = records.source AND o.kind = records.kind "
                "AND o.record_id = records.record_id AND NOT (o.stream = ? AND o.origin = ?))",
                (*params, page.stream, ident),
            ).rowcount
            links = db.execute(
                "SELECT kind, record_id FROM record_origins WHERE source = ? AND stream = ? "
                "AND origin = ?", (self.source, page.stream, ident)).fetchall()
            removed += self._unlink(page.stream, [(ident, kind, rid) for kind, rid in links])
            db.execute(
                "DELETE FROM rejections WHERE source = ? AND stream = ? AND record_id = ? "
                "AND sync_id < ?",
                (self.source, page.stream, ident, self.sync_id),
            )
        return removed

    def _finish_full_read(self, stream: str) -> int:
        """After the last page of a stream read in full: drop what the read no longer had."""
        db = self.store._db
        # Rejections of records that are no longer there, or arrived fixed.
        db.execute(
            "DELETE FROM rejections WHERE source = ? AND stream = ? AND sync_id < ?",
            (self.source, stream, self.sync_id),
        )
        # Before what is kept is counted: a record whose row is now rejected is not kept.
        dropped = self._drop_at_rejected_rows(stream)
        prune = self.prune or _prunes_each_full_read(self.connector, stream)
        which = "source = ? AND stream = ? AND seen_sync < ?" + (
            "" if prune else " AND kind = 'time_entry'")
        params = (self.source, stream, self.sync_id)
        # What the read no longer had but another stream's stored raw record still yields (a
        # contact the contacts stream no longer lists that a document names) stays, that
        # stream's from now on (a fresh read of the source has it); the rest goes.
        self._hand_over(which, params, stream)
        removed = db.execute(f"DELETE FROM records WHERE {which}", params).rowcount  # noqa: S608
        if not prune:
            # A full read replaces the stream's notes (a connector's "run --full --prune" among
            # them): what it did not find, and keeps, is said instead (an index range: none on
            # a first sync).
            (kept,) = db.execute(
                "SELECT count(*) FROM records WHERE source = ? AND stream = ? AND seen_sync < ?",
                (self.source, stream, self.sync_id),
            ).fetchone()
            if kept:
                self.notes.setdefault(stream, []).append(
                    f"{kept} stored record{'s' if kept != 1 else ''} of {stream} "
                    f"{'were' if kept != 1 else 'was'} not in this full read (deleted or "
                    "voided at the source?): kept and counted; run `clientguard sync "
                    f"--source {self.source} --full --prune` to remove what the source no "
                    "longer has")
        if removed:
            # The links of records no longer stored go with them.
            db.execute(
                "DELETE FROM record_origins WHERE source = ? AND NOT EXISTS (SELECT 1 FROM "
                "records r WHERE r.source = record_origins.source AND r.kind = "
                "record_origins.kind AND r.record_id = record_origins.record_id)",
                (self.source,))
            if prune and self.linked.get(stream) != set():
                # (A stream known to hold no link, a CSV file's, asks nothing more.)
                removed += self._unlink_pruned(stream)
        return dropped + int(removed)

    def _unlink_pruned(self, stream: str) -> int:
        """After a pruned full read of ``stream`` removed records: drop the links of its raw
        records this read did not deliver (the source no longer has them),
        then the derived records left with no link (not a record of the stream's own kind this
        read delivered); how many records were removed. A link left behind would keep a buyer
        only a pruned document named once the documents still naming it let it go
        (``_unlink`` finds the stale link). Only after a prune that removed something, in a
        stream that holds links."""
        db = self.store._db
        own = self.connector.stream(stream).kind
        # Stale: the links of raw records this read did not deliver (the source no longer has
        # them). Not "whose own record is gone": a raw record's own record may be of another
        # kind than the stream's (a Fakturownia correction that raises an amount is an invoice
        # read by the credit notes stream).
        read = self.read_linked.get(stream, set())
        stale = [(origin, kind, ident) for origin, kind, ident in db.execute(
            "SELECT origin, kind, record_id FROM record_origins WHERE source = ? AND stream = ?",
            (self.source, stream)) if origin not in read]
        if not stale:
            return 0
        linked = self.linked.get(stream)
        if linked is not None:
            linked.difference_update(origin for origin, _kind, _ident in stale)
        # Left with no link, a record goes: also one this read saw yielded by a document whose
        # latest version no longer yields it (a buyer named on one page and not on the next);
        # not a record of the stream's own kind this read delivered.
        return self._unlink(stream, stale, delivered=own)

    def drop_left_out(self) -> None:
        """Before the read: remove what earlier syncs stored of the streams the connector's
        options leave out (:meth:`Connector.streams_left_out
        <clientguard.connector.Connector.streams_left_out>`), in one transaction: their
        records (and the records derived from them that nothing else yields), rejections,
        cursors and notes. Each stream that held a record or a rejection gets a result of its
        own, with the number removed and a note saying why, kept in this sync's result only
        (not in the stream's notes, which every review shows): said once. Without its cursor,
        the stream is read in full when it is turned on again. A stream this sync reads is
        never removed, whatever the connector says."""
        read = {s.name for s in self.connector.streams}
        left = {name: reason for name, reason in sorted(self.connector.streams_left_out().items())
                if name not in read}
        db = self.store._db
        held = [name for name in left if any(
            db.execute(f"SELECT 1 FROM {table} WHERE source = ? AND stream = ? LIMIT 1",  # noqa: S608
                       (self.source, name)).fetchone()
            for table in ("records", "rejections", "cursors", "stream_notes", "record_origins"))]
        if not held:
            return  # the common case: a few indexed looks a stream left out, nothing written
        dropped: dict[str, tuple[int, int]] = {}
        with self.store._transaction(gettext("remove what the streams left out stored")):
            for stream in held:
                links = db.execute(
                    "SELECT origin, kind, record_id FROM record_origins WHERE source = ? AND "
                    "stream = ?", (self.source, stream)).fetchall()
                # Derived records that no other stream's raw record yields go with the links.
                removed = self._unlink(stream, [(o, k, i) for o, k, i in links])
                # The stream's own records, but one another stream's raw record still yields,
                # which that stream holds from now on (so that its own rules remove it).
                self._hand_over("source = ? AND stream = ?", (self.source, stream), stream)
                removed += db.execute(
                    "DELETE FROM records WHERE source = ? AND stream = ? AND NOT EXISTS "
                    "(SELECT 1 FROM record_origins o WHERE o.source = records.source AND "
                    "o.kind = records.kind AND o.record_id = records.record_id)",
                    (self.source, stream)).rowcount
                rejected = db.execute(
                    "DELETE FROM rejections WHERE source = ? AND stream = ?",
                    (self.source, stream)).rowcount
                for table in ("cursors", "stream_notes"):
                    db.execute(f"DELETE FROM {table} WHERE source = ? AND stream = ?",  # noqa: S608
                               (self.source, stream))
                dropped[stream] = (removed, rejected)
            db.execute("UPDATE syncs SET removed = removed + ? WHERE id = ?",
                       (sum(r for r, _ in dropped.values()), self.sync_id))
        # Counted only once committed: the result says what the store holds.
        for stream, (removed, rejected) in dropped.items():
            if not removed and not rejected:
                continue  # only a cursor or a note was left: nothing counted, nothing to say
            self.counts.setdefault(stream, Counter())["removed"] += removed
            self.full_read[stream] = False
            self.notes.setdefault(stream, []).append(
                _left_out_note(stream, left[stream], removed, rejected))

    def results(self) -> Iterator[StreamResult]:
        for stream, counts in self.counts.items():
            yield StreamResult(
                stream=stream,
                pages=counts["pages"],
                new=counts["new"],
                updated=counts["updated"],
                unchanged=counts["unchanged"],
                rejected=counts["rejected"],
                removed=counts["removed"],
                skipped=dict(sorted(self.skipped.get(stream, Counter()).items())),
                duplicates=counts["duplicates"],
                new_by_kind=_by_kind(counts, "new"),
                updated_by_kind=_by_kind(counts, "updated"),
                full_read=self.full_read.get(stream, True),
                notes=tuple(self.notes.get(stream, ())),
            )


def _left_out_note(stream: str, reason: str, removed: int, rejected: int) -> str:
    """The note of a sync that removed what ``stream``, which the connector's options now
    leave out (``reason``), had stored; in the active language."""
    held = [words.format(n=wording.number(n)) for n, words in (
        (removed, ngettext("{n} record", "{n} records", removed)),
        (rejected, ngettext("{n} rejection", "{n} rejections", rejected))) if n]
    return ngettext(
        "{stream}: not read ({reason}), so the {held} earlier syncs stored of it was removed; "
        "turned on again, the stream is read in full",
        "{stream}: not read ({reason}), so the {held} earlier syncs stored of it were removed; "
        "turned on again, the stream is read in full",
        removed + rejected,
    ).format(stream=stream, reason=reason, held=wording.and_list(held))


def _by_kind(counts: Counter[str], outcome: str) -> dict[str, int]:
    prefix = f"{outcome}:"
    return {
        key.removeprefix(prefix): value
        for key, value in sorted(counts.items())
        if key.startswith(prefix) and value
    }


# --------------------------------------------------------------------------- the sync lock


class _SyncLock:
    """An exclusive OS lock on ``<store>.lock`` for the length of one sync.

    The operating system releases it when the process ends, however it ends, so a crashed
    sync never leaves the store locked.
    """

    def __init__(self, store_path: Path, *, wait: float, holder: str) -> None:
        # The file itself, not the name it was opened by: a symbolic link or a path with
        # ".." to the same store takes the same lock.
        resolved = store_path.resolve()
        self.store = store_path
        self.path = resolved.with_name(resolved.name + ".lock")
        self.wait = wait
        self.holder = holder
        self.handle: IO[str] | None = None

    def __enter__(self) -> None:
        try:
            # Owner-only like the store; held open until __exit__. Only a regular file of the
            # user's with one name (oslock's rule): in a shared folder another user may make
            # the lock file's name first, as a link to a file of yours, which acquire() would
            # empty and write the holder's note into; a hard link does the same by mistake.
            handle = oslock.open_lock_file(self.path)
        except oslock.UnsafeLockFile as exc:
            raise StoreError(_lock_file_refusal(exc)) from None
        except OSError as exc:
            raise StoreError(gettext("cannot lock the store ({path}): {problem}").format(
                path=self.path, problem=os_reason(exc))) from None
        # Who holds it, for the message of a second sync.
        if not oslock.acquire(
            handle, wait=self.wait, note=oslock.note(os.getpid(), self.holder)
        ):
            who = oslock.holder(handle)
            handle.close()
            raise StoreLockedError(str(self.store), lock_holder(who) if who else "", self.wait)
        self.handle = handle

    def __exit__(self, *exc: object) -> None:
        if self.handle is not None:
            oslock.release(self.handle)
            self.handle = None


def _lock_file_refusal(refused: oslock.UnsafeLockFile) -> str:
    """The refusal of the sync lock's file (:class:`oslock.UnsafeLockFile`), in the reader's
    language: what is at its name, and what to do (remove it: the next sync makes a new one)."""
    path = refused.path
    if refused.refusal == "symbolic link":
        return gettext(
            "cannot lock the store ({path}): it is a symbolic link, which clientguard does not "
            "follow (it would empty the file it points to); remove it and run the sync again"
        ).format(path=path)
    if refused.refusal == "owner":
        return gettext(
            "cannot lock the store ({path}): it is not a file of your own (owner uid {owner}); "
            "remove it, keep the store in a folder of your own, and run the sync again"
        ).format(path=path, owner=refused.owner)
    if refused.refusal == "links":
        return gettext(
            "cannot lock the store ({path}): it is a hard link (link count {links}), another "
            "name of a file the lock would empty; remove it (the file keeps its other names) "
            "and run the sync again"
        ).format(path=path, links=refused.links)
    # A sentence a kind, not the kind's name put into one: the words around it agree with it
    # in Polish (a folder "usuń go", a socket "usuń je").
    not_a_file = {
        "directory": gettext(
            "cannot lock the store ({path}): it is a folder, not a regular file; remove it "
            "(clientguard makes the lock file itself) and run the sync again"),
        "named pipe": gettext(
            "cannot lock the store ({path}): it is a named pipe (FIFO), not a regular file; "
            "remove it (clientguard makes the lock file itself) and run the sync again"),
        "socket": gettext(
            "cannot lock the store ({path}): it is a socket, not a regular file; remove it "
            "(clientguard makes the lock file itself) and run the sync again"),
        "device": gettext(
            "cannot lock the store ({path}): it is a device, not a regular file; remove it "
            "(clientguard makes the lock file itself) and run the sync again"),
        "special file": gettext(
            "cannot lock the store ({path}): it is a special file, not a regular file; remove "
            "it (clientguard makes the lock file itself) and run the sync again"),
    }
    return not_a_file[refused.kind or "special file"].format(path=path)


# --------------------------------------------------------------------------- helpers


def _moment(connector: Connector) -> str:
    """Now, from the connector's injected clock, as UTC ISO text."""
    now = connector.clock()
    return (now if now.tzinfo is not None else now.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


def _identity_part_word(part: str) -> str:
    """A part of a source's identity (:meth:`Connector.identity
    <clientguard.connector.Connector.identity>`) in the reader's words; a part of a plugin's
    own, as the plugin names it."""
    words = {
        "account": pgettext("source identity", "account"),
        "connected account": pgettext("source identity", "connected account (Stripe Connect)"),
        "mode": pgettext("source identity", "mode (test or live)"),
        "realm": pgettext("source identity", "company (realm id)"),
        "tenant": pgettext("source identity", "organisation (tenant id)"),
    }
    return words.get(part, part)


def _identity_digests(
    connector: str, parts: Mapping[str, str], salt: bytes
) -> dict[str, str]:
    """The digest the store keeps of each part of a connector's identity:
    ``scrypt1:<hex>``, scrypt (:data:`_IDENTITY_SCRYPT`) with the store's ``salt`` of
    :data:`_IDENTITY_PREFIX`, the connector's name, the part's name and its value, NUL between
    them (so that no two different inputs give the same text). Slow and salted: a tenant or
    realm id is a secret, and its digest is in the file of whoever copies the store."""
    return {
        part: f"{_IDENTITY_FORMAT}:" + hashlib.scrypt(
            _IDENTITY_PREFIX + "\x00".join((connector, part, value)).encode(),
            salt=salt, **_IDENTITY_SCRYPT,
        ).hex()
        for part, value in parts.items()
    }


def _identity_salt(text: object) -> bytes | None:
    """The store's salt of the identity digests (``meta``); None where there is none yet, or
    the value is not what :meth:`Store._check_identity` writes (a hand-edited row: a new salt
    is made, and the digests made with the old one are recorded again)."""
    if not isinstance(text, str):
        return None
    try:
        salt = bytes.fromhex(text)
    except ValueError:
        return None
    return salt if len(salt) >= 16 else None


def _stored_identity(text: object) -> dict[str, str]:
    """The stored digests of a source's identity; none for a source that has none yet, or
    whose value is not what :meth:`Store._check_identity` writes (a hand-edited row: the next
    sync records the identity again rather than fail on it)."""
    if not isinstance(text, str):
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(value, dict):
        return {}
    # A digest of another format (the plain sha256 of development builds) is no digest of
    # this one: left out, the part is recorded again, never said re-pointed.
    return {str(k): v for k, v in value.items()
            if isinstance(v, str) and _IDENTITY_DIGEST.fullmatch(v)}


def _outcome(status: str, error: str | None) -> str:
    """A sync's outcome as a reader is told it: a failed sync the user stopped (Ctrl-C, kept
    as the error ``KeyboardInterrupt``) was ``interrupted``, not ``failed``."""
    if status == "failed" and error == _INTERRUPTED:
        return "interrupted"
    return status


_INTERRUPTED: Final = "KeyboardInterrupt"
"""The error a sync stopped by Ctrl-C keeps (see :func:`_error_text`)."""


def _error_text(exc: BaseException, connector: Connector) -> str:
    # Our own errors are written never to hold a secret, and the sync scrubs them on their
    # way out; the connector scrubs the text once more, in full, before it is kept (never
    # cut first). Anything else may hold a secret (a third-party exception can quote a URL
    # with a token), so only its type is kept.
    if isinstance(exc, ClientguardError):
        return connector.scrub(f"{type(exc).__name__}: {exc}")
    return type(exc).__name__


def _same_record(stored: str, record: AnyRecord) -> bool:
    """Whether a stored record's JSON, written by an earlier clientguard (whose model had fewer
    fields, or wrote them in another form), holds the same record as ``record``: a newer
    clientguard must not report every record updated on its first sync. Only asked where the
    texts differ, so a sync of unchanged records never parses what it stored."""
    try:
        old = type(record).model_validate_json(stored)
    except (DataError, ValueError):
        return False
    return old.model_dump() == record.model_dump()


def _records_json(records: Sequence[AnyRecord]) -> list[str]:
    """``record.model_dump_json()`` of each of ``records``, the text the store keeps, without
    the method's wrapper (a twentieth of a million-record sync's CPU), in one comprehension:
    the same texts, tested for every kind."""
    return [record.__pydantic_serializer__.to_json(record).decode() for record in records]


@dataclass(frozen=True, slots=True)
class _LocationGroup:
    """The locations of one kind and source of a page, as the sync writes them."""

    file: str | None
    """The file whose lines the int entries are."""
    line_prefix: str
    """What :func:`_location_text` writes for a line of ``file``, up to the line's digits."""
    entries: Mapping[str, Location | int]
    """Each record's entry, by id: a line of ``file``, or its :class:`Location`."""


def _location_group(
    locations: Mapping[RecordKey, Location], kind: str, source: str
) -> _LocationGroup:
    if isinstance(locations, Locations):
        file, entries = locations.group(kind, source)
    else:  # a page made by hand, with a plain mapping
        file, entries = None, {ident: location for (of_kind, of_source, ident), location
                               in locations.items() if of_kind == kind and of_source == source}
    prefix = '{"line": ' if file is None else '{"file": ' + _json_text(file) + ', "line": '
    return _LocationGroup(file, prefix, entries)


def _location_text(location: Location | None) -> str | None:
    """A location as the store keeps it: ``json.dumps`` of its set fields, keys sorted
    (``column``, ``detail``, ``file``, ``line``), written here without the encoder's passes:
    a text field through :func:`_json_text` (the encoder's own string form, kept per
    distinct value), the line as ``int`` prints it. Tested equal to ``json.dumps``."""
    if location is None:
        return None
    file, line, column, detail = location.file, location.line, location.column, location.detail
    parts = []
    if column is not None:
        parts.append('"column": ' + _json_text(column))
    if detail is not None:
        parts.append('"detail": ' + _json_text(detail))
    if file is not None:
        parts.append('"file": ' + _json_text(file))
    if line is not None:
        parts.append(f'"line": {int.__repr__(line)}' if type(line) is int
                     else '"line": ' + json.dumps(line))
    return "{" + ", ".join(parts) + "}"


@lru_cache(maxsize=4096)
def _json_text(value: str) -> str:
    """A string as ``json.dumps`` writes it; a file name or column is the same for many
    records of a sync, so it is encoded once."""
    return json.dumps(value)


# What _location_text writes for a file and a line (a record read from a file), where the file
# name needs no escape: such a text is read back without the JSON decoder. Anything else (an
# escaped or non-ASCII name, a column, a detail, a damaged text) goes through json.loads.
_FILE_AND_LINE: Final = re.compile(r'\{"file": "([ !#-\[\]-~]*)", "line": (0|[1-9][0-9]{0,17})\}')


def _location_from(text: object) -> Location | None:
    """A stored location back; ValueError (saying what is wrong) when it was damaged."""
    if text is None:
        return None
    if not isinstance(text, str):
        raise ValueError(gettext("{value} is not JSON text").format(value=_shown(text)))
    plain = _FILE_AND_LINE.fullmatch(text)
    if plain is not None:
        # One str per distinct file name, shared by the records read from that file.
        return Location(sys.intern(plain[1]), int(plain[2]))
    try:
        data = json.loads(text)
    except ValueError:
        raise ValueError(gettext("{value} is not JSON").format(value=_shown(text))) from None
    if type(data) is dict:
        # The common case (what _location_text writes), checked without a loop.
        file, line, column, detail = (
            data.get("file"), data.get("line"), data.get("column"), data.get("detail")
        )
        if ((file is None or type(file) is str) and (line is None or type(line) is int)
                and (column is None or type(column) is str)
                and (detail is None or type(detail) is str)):
            return Location(file, line, column, detail)
    if not isinstance(data, dict):
        raise ValueError(gettext("{value} is not a JSON object").format(value=_shown(text)))
    fields: dict[str, Any] = {}
    for name, kind in (("file", str), ("line", int), ("column", str), ("detail", str)):
        value = data.get(name)
        if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
            raise ValueError(gettext("its {name} {value} is not {type}").format(
                name=name, value=_shown(value), type=kind.__name__))
        fields[name] = value
    return Location(**fields)


def _line_digits(tail: str) -> int | None:
    """The line of a stored location's text after its file's part (``12}``), where it is
    written as :func:`_location_text` writes a line (what :data:`_FILE_AND_LINE` matches);
    None for anything else."""
    digits = tail[:-1]
    if (tail[-1:] != "}" or not digits.isascii() or not digits.isdigit() or len(digits) > 18
            or (digits[0] == "0" and len(digits) > 1)):
        return None
    return int(digits)


def _data_digest(data: str) -> int:
    """The digest the store keeps of a record's stored JSON (``records.digest``, schema 12):
    CRC-32 of its UTF-8 bytes, which a load of a trusted store compares to find a row changed
    outside clientguard. A check against edits by mistake or by hand, not against someone who
    recomputes it: the file's permissions guard the store (docs/security.md)."""
    return zlib.crc32(data.encode())


def _trusted_row(
    kind: object, record_id: object, data: object, location_text: object
) -> tuple[RecordKey | None, Location | None, AnyRecord, None] | None:
    """A stored row of a trusted store as :meth:`Store._stored` yields it, made without
    checking it; None when anything in it is not as this clientguard writes it (the row is then
    read as any other, and a damaged one named)."""
    model = _MODELS.get(kind) if type(kind) is str else None
    if model is None or type(record_id) is not str or type(data) is not str:
        return None
    try:
        location = _location_from(location_text)
    except ValueError:
        return None
    record = trusted_record(model, data)
    if record is None:
        return None
    ident = getattr(record, "id", None)
    key = (record.kind, record.source, ident) if ident is not None else None
    return key, location, record, None


def _record_row(source: object, kind: object, record_id: object) -> str:
    """A row of the records table, as an error names it."""
    return f"source {_shown(source)}, kind {_shown(kind)}, record_id {_shown(record_id)}"


def _aware_moment(text: object) -> datetime | None:
    """A stored ISO date-time with its time zone; None when it is not one."""
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None or moment.utcoffset() is None:
        return None
    return moment


def _shown(value: object, limit: int = 60) -> str:
    """A stored value as an error message shows it: quoted, cut, one line."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _writable(path: Path) -> bool:
    """Whether ``path`` may be written, both by us and by its owner's mode bits (SQLite
    copies those onto the -wal and -shm files it makes), in a folder we may write to (where
    SQLite makes those files)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    folder = path.resolve().parent
    return (
        bool(mode & stat.S_IWUSR)
        and os.access(path, os.W_OK)
        and os.access(folder, os.W_OK | os.X_OK)
    )


def _create_private(path: Path, *, like: Path) -> None:
    """Create ``path`` empty, readable and writable by the owner of ``like``, unless it
    exists (best effort: SQLite manages without it, read-only)."""
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError:
        return
    try:
        owner = like.stat()
        if hasattr(os, "fchown") and os.name == "posix" and os.geteuid() == 0:
            os.fchown(descriptor, owner.st_uid, owner.st_gid)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _jsonable(value: object) -> Any:
    """A raw record as JSON values: what a person needs to find and fix it."""
    if isinstance(value, Record):
        return value.model_dump(mode="json")
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal | date | datetime):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _raw_text(record: object) -> str | None:
    if record is None:
        return None
    return json.dumps(_jsonable(record), sort_keys=True, ensure_ascii=False)
