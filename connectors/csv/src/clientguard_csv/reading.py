"""From CSV files to records: the pipeline the connector wraps.

:func:`read_records` streams every file of every stream and yields, in order, a
:class:`Loaded` record (with the file and line it came from) or a
:class:`~clientguard.records.Rejection` (with the file, the line, the column and the reason).
Nothing is dropped silently: rows left out by the mapping's ``keep``, ``drop`` and
``skip_blank`` rules are yielded as :class:`Skipped` and counted in the :class:`ReadLog`; a
row repeated exactly within a document is yielded as :class:`Folded` (the sync counts it as
a duplicate); the other rows of a document are counted as folded line items; every other row
becomes a record or a rejection. A cell that cannot be read (an impossible date, bytes the
encoding cannot decode, a number past every bound) rejects its row, never the read.

Streams are read customers first, then invoices, credit notes, payments, time entries and
work requests, so that each can be matched to what came before:

* **Customers.** With a customers file, every other stream's customer must be in it (by id,
  or by normalised name). Without one, customers are made from the invoice, credit note and
  payment rows: the customer id column where there is one, else the name as written; a later
  row whose name normalises the same way is the same customer, unless both carry tax ids that
  differ (two companies of one name: the later row is rejected). Ids of digits alone that
  differ only by leading zeros (``00123``, ``123``: as where Excel dropped them) are two
  customers, never joined unasked, whether the customers file lists them or the rows make
  them; once the last stream with files that holds customers is read (the customers file,
  else the last of invoices, credit notes and payments), each such group is said in
  :attr:`ReadLog.leading_zeros`, once, with all its members (a check of the customers read,
  not of every row).
* **Time entries and work requests** never make customers: a client name that matches no
  customer is rejected and listed in :attr:`ReadLog.unmatched`. A read with no customers at
  all (hours alone, beside books in another source) keeps each time entry's client name
  (``customer_name``) for the ledger to match against every source's customers.
* **Payments and credit notes** name their invoice by id or number, and are allocated to it.
* **Ids.** A payment or work request without an id column gets one made from its content
  (``p-`` or ``w-`` and 12 hex digits of a SHA-1 of customer, date, amount and invoice),
  with ``-2``, ``-3``... for identical rows of one file, so ids stay the same when a file is
  exported again with more rows. The same row in another file (overlapping exports: January,
  then January to February) gets the same id and is the same record: it is yielded as
  :class:`Folded` and counted as a duplicate.
"""

from __future__ import annotations

import hashlib
import itertools
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from operator import itemgetter
from pathlib import Path
from typing import Any, BinaryIO, Literal, NamedTuple

from clientguard.connector import MAPPING_ERRORS, MadeRecord, MadeRecords
from clientguard.errors import DataError
from clientguard.i18n import gettext as _
from clientguard.model import (
    FIRST_DATE,
    LAST_DATE,
    MAX_AMOUNT_DIGITS,
    AnyRecord,
    CreditNote,
    Customer,
    Invoice,
    Payment,
    TimeEntry,
    WorkRequest,
    rate_in_bounds,
)
from clientguard.model import Allocation as ModelAllocation
from clientguard.money import is_currency
from clientguard.records import Location, Rejection
from clientguard.tax_id import normalise_tax_id
from clientguard.trust import checked_record_in_order, checked_records_in_order
from clientguard_csv.cell_patterns import pattern_problem
from clientguard_csv.columnar import (
    ARROW_LOADED_MIN_BYTES,
    ARROW_MIN_BYTES,
    CheckedBlock,
    CheckedInvoice,
    CheckedPayment,
    CheckedTimeEntry,
    CheckedWorkRequest,
    arrow_available,
    arrow_loaded,
    checked_rows,
    document_fields,
)
from clientguard_csv.documents import (
    OTHER_WAY,
    PaymentDocuments,
    document_parts,
    named_currency,
)
from clientguard_csv.errors import CsvFileError, MappingError
from clientguard_csv.excel_numbers import (
    LeadingZeroIds,
    LostNumbers,
    ZerosIndex,
    customer_zeros_hint,
    lost_number_hint,
    other_zeros,
    owner_zeros_hint,
    rejected_as_lost,
    zeros_hint,
)
from clientguard_csv.fields import FieldReader, RowError, required_columns
from clientguard_csv.fields import clean_text as _clean
from clientguard_csv.headings import Headings, heading_text
from clientguard_csv.mapping import PRESETS, STREAMS, CsvMapping, StreamMapping, load_preset
from clientguard_csv.names import CustomerDirectory, normalise_name, other_taxpayer
from clientguard_csv.report_rows import (
    bare_totals_word,
    cell_text,
    is_label,
    label_pattern,
    totals_label,
)
from clientguard_csv.textfile import (
    CsvRowError,
    Layout,
    Row,
    iter_rows,
    normalise_header,
    open_layout,
)

__all__ = [
    "REASON_LIMIT",
    "SOURCE",
    "FileLog",
    "Folded",
    "Item",
    "Loaded",
    "ReadLog",
    "ReadState",
    "Reader",
    "Skipped",
    "Unmatched",
    "read_records",
]

SOURCE = "csv"

_KIND = {
    "customers": "customer",
    "invoices": "invoice",
    "credit_notes": "credit_note",
    "payments": "payment",
    "time_entries": "time_entry",
    "work_requests": "work_request",
}


class Loaded(MadeRecord):
    """A record and where it came from (the sync takes it as made: :class:`MadeRecord`)."""

    __slots__ = ()


@dataclass
class FileLog:
    """What happened to one file."""

    stream: str
    file: str
    encoding: str
    delimiter: str
    header_line: int
    guessed: bool = False
    """True when the encoding was guessed from non-ASCII bytes (``encoding = "auto"``)."""
    doubt: str | None = None
    """Where that guess is uncertain, why (another encoding reads the file too, and how it
    reads it) and how to name the encoding; None when the evidence is clear."""
    rows: int = 0
    """Data rows after the header (blank rows not counted)."""
    skipped: int = 0
    """Rows left out by the mapping's keep, drop and skip_blank rules."""
    records: int = 0
    rejected: int = 0
    folded: int = 0
    """Rows that joined the document an earlier row started (``group_rows``: line items)."""
    duplicates: int = 0
    """Rows identical to an earlier row of their document, under a total column: they add
    nothing, and are counted as duplicates of the document's record (see :class:`Folded`).
    Also the payments and work requests without an id column that an earlier file of the
    read holds alike (overlapping exports: the same row, the same record)."""
    reader: str = field(default="python", compare=False)
    """How the file was read: ``python`` (the row reader alone), ``arrow`` (pyarrow parsed the
    text, the cells checked a column at a time) or ``arrow-rows`` (the row reader parsed it, the
    cells checked a column at a time): see :mod:`clientguard_csv.columnar`. Not part of a log's
    equality: every way gives the same."""


@dataclass
class Unmatched:
    """A client name (or id) that matched no customer, with how often and where first."""

    stream: str
    name: str
    rows: int
    first: Location


@dataclass
class ReadLog:
    """What a read did, file by file, the client names that matched nothing, and the
    customers made from the rows whose ids differ only by leading zeros."""

    files: list[FileLog] = field(default_factory=list)
    unmatched: dict[tuple[str, str], Unmatched] = field(default_factory=dict)
    leading_zeros: list[LeadingZeroIds] = field(default_factory=list)
    """Each group of customers whose ids differ only by leading zeros (``00123``, ``123``),
    listed in the customers file or (without one) made from the rows, said once, whole, by
    the read that yields the last stream with files that holds customers (the customers file,
    else the last of invoices, credit notes and payments), so that a group a later stream
    grows is never said first with fewer members (``str()`` of each: the warning, with what
    to do). They stay separate customers: never joined unasked."""

    def unmatched_names(self, stream: str | None = None) -> list[str]:
        """The names that matched no customer, in the order first seen."""
        return [u.name for u in self.unmatched.values() if stream in (None, u.stream)]


class _InvoiceRef(NamedTuple):
    id: str
    customer_id: str
    currency: str


# A tuple's own constructor, without ``_make``'s Python call: the fastest way, for a million.
_invoice_ref: Callable[[Iterable[str]], _InvoiceRef] = partial(tuple.__new__, _InvoiceRef)
#: The fields of a :class:`CheckedInvoice` that make its :class:`_InvoiceRef`, in order.
_ref_fields = itemgetter(*(CheckedInvoice._fields.index(name) for name in _InvoiceRef._fields))
#: The id and the number of a :class:`CheckedInvoice`.
_checked_id = itemgetter(CheckedInvoice._fields.index("id"))
_checked_number = itemgetter(CheckedInvoice._fields.index("number"))


@dataclass(frozen=True, slots=True)
class Skipped:
    """A row the mapping's keep, drop, drop_matching or skip_blank rules leave out, and which
    rule."""

    reason: str
    location: Location


class Folded(MadeRecord):
    """A row identical to an earlier row of the same document (an export that repeats a
    line), or a payment or work request without an id that an earlier file held alike
    (overlapping exports): folded into the earlier ``record``, and handed on so that the sync
    counts it as a duplicate of that record (``Page.duplicates``) instead of losing it without
    a word."""

    __slots__ = ()


Item = Loaded | Rejection | Skipped | Folded

#: The cells an invoice row is read from, in the order :meth:`_Builder._invoice` takes them.
_INVOICE_CELLS = (
    "number", "id", "customer_id", "issue_date", "due_date", "currency", "total", "amount_due",
    "amount_paid", "status", "paid_on", "fx_rate",
)  # fmt: skip

#: The fields an invoice row gives its invoice (:meth:`_Builder._invoice`): every field but
#: ``updated_at``.
_CHECKED_INVOICE_FIELDS = (
    "id", "customer_id", "number", "issue_date", "due_date", "currency", "total", "status",
    "paid_on", "amount_due", "fx_rate", "disputed", "disputed_on", "source",
)  # fmt: skip

Reader = Literal["auto", "python", "arrow"]
"""How files are read (see :func:`read_records`)."""

#: Streams whose rows can make customers or invoices that later streams are matched to.
_FEEDS_LATER = ("customers", "invoices", "credit_notes", "payments")

#: Streams whose rows make customers where no customers file is given.
_MAKES_CUSTOMERS = ("invoices", "credit_notes", "payments")


def read_records(
    mapping: CsvMapping,
    sources: Mapping[str, Sequence[Path]],
    *,
    streams: Iterable[str] | None = None,
    log: ReadLog | None = None,
    state: ReadState | None = None,
    source: str = SOURCE,
    reader: Reader = "auto",
) -> Iterator[Item]:
    """Every record of every stream in ``sources`` (stream name to files), or its rejection.

    ``source`` is what the records and rejections carry as ``source``: the name of the
    configured source being read (default: the connector's name).

    ``reader`` says how files are read: ``python`` row by row; ``arrow`` with the columnar
    reader (:mod:`clientguard_csv.columnar`; pyarrow must be installed); ``auto``, the
    columnar reader for files of at least :data:`~clientguard_csv.columnar.ARROW_MIN_BYTES`
    where pyarrow is installed, and of at least
    :data:`~clientguard_csv.columnar.ARROW_LOADED_MIN_BYTES` once pyarrow is loaded in the
    process. Every way gives the same items and the same log (but its ``reader``).

    ``streams`` limits what is yielded (default: every stream). The streams before them
    that make customers and invoices are still read, quietly, so that a payment is matched
    to its invoice even when only payments are asked for.

    ``state`` carries what an earlier read of the *same* mapping and sources learned
    (customers, the invoice index, ids made up): the streams it has read already
    (:attr:`ReadState.through`) are not read again, and every ``streams`` must come after
    them. The read updates it; once the read is over, the state covers every stream up to
    the last one read. A read that stops early (an error, a consumer that stops iterating)
    leaves the state half updated: throw it away. The invoices are indexed by number only
    where a payments or credit notes stream with files has a column for ``invoice_number``;
    a state whose invoices were read without that index raises ``ValueError`` when a later
    read's mapping names invoices by number (rather than rejecting every such payment).

    Raises :class:`MappingError` when a stream has files but the mapping no table for it, and
    :class:`CsvFileError` when a file cannot be read or its header does not fit the mapping.
    """
    for item in _read_runs(mapping, sources, streams=streams, log=log, state=state,
                           source=source, reader=reader):
        if isinstance(item, MadeRecords):
            file = item.file
            for record, line in zip(item.records, item.lines, strict=True):
                yield Loaded(record, Location(file, line))
        else:
            yield item


def _no_table(stream: str, source: str, described: str | None) -> str:
    """Files given for a stream the mapping has no table for: which, and the two ways out."""
    having = [name for name in PRESETS if load_preset(name).stream(stream) is not None]
    ways = (_("the presets with one: {presets}").format(presets=", ".join(having)) if having
            else _("no preset has one: write your own mapping"))
    return _("source {source}: files were given for {stream} but {described} has no "
             "[{stream}] table, so they cannot be read: remove the {stream} files from the "
             "source, or use a mapping with a [{stream}] table ({ways})").format(
                 source=repr(source), stream=stream,
                 described=_("the mapping") if described is None else described, ways=ways)


def _read_runs(
    mapping: CsvMapping,
    sources: Mapping[str, Sequence[Path]],
    *,
    streams: Iterable[str] | None = None,
    log: ReadLog | None = None,
    state: ReadState | None = None,
    source: str = SOURCE,
    reader: Reader = "auto",
    described: str | None = None,
) -> Iterator[Item | MadeRecords]:
    """:func:`read_records`, where the records of rows next to each other that the columnar
    reader checked come as one :class:`~clientguard.connector.MadeRecords` (each one's
    :class:`Loaded` item, in one); the connector hands them to the sync as they are.
    ``described`` names the mapping in errors ("preset zoho", "the mapping m.toml"; None:
    "the mapping", in the reader's language)."""
    for name in sources:
        if name not in STREAMS:
            raise MappingError(_("unknown stream {name}; the streams are {streams}").format(
                name=repr(name), streams=", ".join(STREAMS)))
        if sources[name] and mapping.stream(name) is None:
            raise MappingError(_no_table(name, source, described))
    wanted = {name for name in (STREAMS if streams is None else streams) if sources.get(name)}
    last = max((STREAMS.index(name) for name in wanted if name in STREAMS), default=-1)
    if state is None:
        state = ReadState()
    elif any(STREAMS.index(name) <= state.through for name in wanted):
        raise ValueError("the state has read these streams already: start from a fresh one")
    state.log = log if log is not None else ReadLog()
    state.source = source
    state.reader = reader
    state.bytes_done, state.reading = 0, None
    state.customers_given = bool(sources.get("customers"))
    state.invoices_given = bool(sources.get("invoices"))
    # Payments and credit notes name their invoices; without them, keep no index of invoices.
    state.index_invoices = bool(sources.get("payments") or sources.get("credit_notes"))
    # Nor an index by number where none of them has a column for the invoice's number (a
    # dict of a million entries, about 0.6 s of a million invoices' read).
    by_number = _names_numbers(mapping, sources)
    invoices_read = state.through >= STREAMS.index("invoices")
    if by_number and invoices_read and not state.numbers_indexed and sources.get("invoices"):
        raise ValueError("the state read the invoices without indexing their numbers, which "
                         "this mapping's payments or credit notes name: start from a fresh one")
    if not invoices_read:
        state.numbers_indexed = state.index_invoices and by_number
    # The groups of customer ids that differ only by leading zeros are said once, whole, after
    # the last stream with files that holds customers (a customers file holds them all: no
    # row makes one): a group a later stream grows is never said first with fewer members
    # than the records will hold.
    said_at = STREAMS.index("customers") if state.customers_given else max(
        (STREAMS.index(name) for name in _MAKES_CUSTOMERS if sources.get(name)), default=-1)
    for position in range(state.through + 1, last + 1):
        name = STREAMS[position]
        stream = mapping.stream(name)
        if stream is None or not sources.get(name):
            continue
        if name in wanted:
            for path in sources[name]:
                yield from _read_file(name, mapping, stream, Path(path), state, state.log)
                state.bytes_done += state.files.get(Path(path), (0, 0, 0, 0))[2]
                state.reading = None
            if position == said_at:
                # Over the customers read, once a read: never a cost per row.
                state.log.leading_zeros.extend(
                    state.zeros.found(source, listed=state.customers_given))
        elif name in _FEEDS_LATER:
            # Its customers count (a group it lists, makes or grows is said by the read that
            # yields the last stream that holds customers).
            quiet = ReadLog()
            for path in sources[name]:
                for _item in _read_file(name, mapping, stream, Path(path), state, quiet):
                    pass
    state.through = max(state.through, last)


class ReadState:
    """What one read has learned so far: customers, invoices, ids made up.

    The invoice index holds plain tuples (:class:`_InvoiceRef`), never the invoices, so that
    carrying it from the invoices stream to the payments stream costs little memory.
    """

    def __init__(self, log: ReadLog | None = None) -> None:
        self.log = log if log is not None else ReadLog()
        self.source = SOURCE
        """What the records read carry as ``source``."""
        self.reader: Reader = "auto"
        """How files are read (see :func:`read_records`)."""
        self.through = -1
        """The position in :data:`STREAMS` of the last stream read into this state."""
        self.files: dict[Path, tuple[int, int, int, int]] = {}
        """Each file read, as it was when opened: device, inode, size, modification time."""
        self.customers = CustomerDirectory()
        self.customers_given = False
        self.zeros = ZerosIndex()
        """The customers read (listed or made from the rows), to find ids that differ only by
        leading zeros (:attr:`ReadLog.leading_zeros`)."""
        self.invoices_given = False
        self.index_invoices = True
        self.numbers_indexed = True
        """Whether the invoices read are indexed by number too (:attr:`invoices_by_number`):
        only where a payments or credit notes stream to read has a column for it."""
        self.invoices_by_id: dict[str, _InvoiceRef] = {}
        self.invoices_by_number: dict[str, _InvoiceRef] = {}
        self.made_ids: dict[str, tuple[int, int]] = {}
        """Each id made up from a row's content (a payment or work request without an id
        column): the file read that made it (:attr:`reads`) and the record's hash, so that the
        same row in another file (overlapping exports) is known as the same record."""
        self.reads = 0
        """How many files have been read into this state (each read is numbered by it)."""
        self.name_cache: dict[str, list[str]] = {}
        self.tax_ids: dict[str, tuple[str, Location]] = {}
        """The tax id each customer was first seen with (customers file or a row that made or
        named it), and where: a row of the same name and another tax id is another company."""
        self.rejected_invoices: dict[tuple[str, str], tuple[Location, str | None]] = {}
        """Each rejected invoice's id and number (``("id", ...)``, ``("number", ...)``, as the
        invoices are indexed), where its rejection is, and the cell in Excel's scientific
        notation it was rejected for, if it was."""
        self.lost_invoices: dict[str, LostNumbers] = {"id": LostNumbers(),
                                                      "number": LostNumbers()}
        """The invoice ids and numbers rejected because Excel saved them in scientific
        notation, by the numbers they may stand for (see :class:`LostNumbers`)."""
        self.bytes_done = 0
        """Bytes of the files of the streams asked for that have been read whole."""
        self.reading: BinaryIO | None = None
        """The file being read now, to tell how far into it the read is."""
        self._by_case: dict[str, tuple[int, dict[str, list[str]]]] = {}
        """:meth:`by_case`'s index of each key, with the number of invoices it was made of."""

    def by_case(self, key: str, known: dict[str, _InvoiceRef]) -> dict[str, list[str]]:
        """``known``, the invoices by ``key`` (``id`` or ``number``), as their ids or numbers
        in lower case (``str.casefold``) to each id or number written so, in the order read:
        made the first time a payment or credit note names an invoice no invoice has, and
        again only where invoices were read since (a look-up a rejection, not a scan)."""
        made = self._by_case.get(key)
        if made is None or made[0] != len(known):
            folded: dict[str, list[str]] = {}
            for ident in known:
                folded.setdefault(ident.casefold(), []).append(ident)
            made = self._by_case[key] = (len(known), folded)
        return made[1]

    def opened(self, handle: BinaryIO) -> None:
        self.reading = handle

    def bytes_read(self) -> int:
        """Bytes of the asked-for streams' files read so far (the file being read counts up
        to where its reader has got: a block ahead of the rows yielded)."""
        handle = self.reading
        return self.bytes_done + (0 if handle is None or handle.closed else handle.tell())

    def unchanged(self) -> bool:
        """Whether every file read into this state is still as it was when it was opened."""
        return all(_file_key(path) == key for path, key in self.files.items())

    def forget_invoices(self) -> None:
        """Drop the invoice index, once no stream left to read names invoices."""
        self.invoices_by_id = {}
        self.invoices_by_number = {}
        self.rejected_invoices = {}
        self.lost_invoices = {"id": LostNumbers(), "number": LostNumbers()}


def _file_key(path: Path) -> tuple[int, int, int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns)


def _read_file(
    name: str,
    mapping: CsvMapping,
    stream: StreamMapping,
    path: Path,
    state: ReadState,
    log: ReadLog,
) -> Iterator[Item | MadeRecords]:
    settings = mapping.settings(name)
    key = _file_key(path)
    if key is not None:
        state.files[path] = key
    try:
        layout = open_layout(
            path,
            required_columns(stream),
            encoding=settings.encoding,
            delimiter=settings.delimiter,
            header_line=settings.header_line,
        )
    except CsvFileError as exc:
        raise CsvFileError(exc.detail, stream=name, path=exc.path) from None
    file_log = FileLog(name, layout.file, layout.encoding, layout.delimiter, layout.header_line,
                       layout.guessed, layout.doubt)
    log.files.append(file_log)
    reader = FieldReader(name, stream, settings, layout)
    builder = _Builder(name, stream, reader, layout, state, log)
    rows: Iterable[Row | CsvRowError | CheckedBlock]
    if _columnar(state.reader, name, path):
        rows, file_log.reader = checked_rows(name, stream, reader, layout, opened=state.opened)
    else:
        rows = iter_rows(layout, opened=state.opened)
    try:
        yield from builder.run(rows, file_log)
    except CsvFileError as exc:  # a line that cannot be decoded, found while streaming
        raise CsvFileError(exc.detail, stream=name, path=exc.path) from None


#: The streams whose rows the columnar reader checks: their files sent to the row reader count
#: towards paying for pyarrow's import (:func:`_columnar`).
_BULK = ("invoices", "payments", "time_entries", "work_requests")


class _RowReads:
    """The bytes of the files of :data:`_BULK` streams that ``reader = "auto"`` sent to the
    row reader in this process (one count per process: a portfolio reads its firms one after
    another)."""

    bytes = 0


def _columnar(reader: Reader, name: str, path: Path) -> bool:
    """Whether ``path``, a file of stream ``name``, is read by the columnar reader.

    Under ``auto``: a file of :data:`ARROW_MIN_BYTES` or more, where pyarrow is installed; a
    smaller one of :data:`ARROW_LOADED_MIN_BYTES` or more where pyarrow's import is paid
    already, or where this process has sent :data:`ARROW_MIN_BYTES` of invoice, payment,
    time entry and work request files to the row reader (it reads in bulk, small firm after
    small firm: the import pays for itself from there on). The way a file is read never
    changes what it gives."""
    if reader == "python":
        return False
    if reader == "arrow":
        return True
    try:
        size = path.stat().st_size
    except OSError:
        return False  # the row reader says why it cannot be read
    if size >= ARROW_MIN_BYTES:
        return arrow_available()
    if size < ARROW_LOADED_MIN_BYTES:
        return False
    if arrow_loaded():
        return True
    if name in _BULK and arrow_available():
        _RowReads.bytes += size
        return _RowReads.bytes >= ARROW_MIN_BYTES
    return False


class _Documents(NamedTuple):
    """Whole payment documents of a block of checked rows, next to each other, each with an
    id not seen before in the file: document ``i`` is the rows at offsets ``bounds[i]`` to
    ``bounds[i + 1]`` of ``block``, whose ids (stripped) are ``keys`` (one a row of the
    block)."""

    block: CheckedBlock
    bounds: list[int]
    keys: list[str]


class _Builder:
    """Turns the rows of one file into records of one stream."""

    def __init__(
        self, name: str, stream: StreamMapping, reader: FieldReader, layout: Layout,
        state: ReadState, log: ReadLog,
    ) -> None:
        self.name = name
        self.log = log
        self.kind = _KIND[name]
        self.stream = stream
        self.reader = reader
        self.layout = layout
        self.file = layout.file
        self.state = state
        self.source = state.source
        self.currency = reader.settings.currency
        self.records = 0
        self.rejected = 0
        self.folded = 0
        self.duplicates = 0
        self.group_field = "id" if reader.has("id") else "number"
        self.has_total = reader.has("total")
        #: The id and number cells' positions: a totals label there makes a totals line.
        self.key_positions = tuple(reader.single[f] for f in ("id", "number")
                                   if f in reader.single)
        self.has_dispute = reader.has("disputed") or reader.has("disputed_on")
        self.known_ids = state.customers.ids
        #: The payments of whole documents of checked rows (made at the first such document).
        self.documents: PaymentDocuments | None = None
        # The fields given to the records made from checked values: one set for them all.
        self.invoice_fields = set(_CHECKED_INVOICE_FIELDS)
        self.allocation_fields = {"invoice_id", "amount"}
        self.payment_fields = set(Payment.model_fields)
        self.time_entry_fields = {"customer_id", "customer_name", "date", "hours", "person",
                                  "billable", "source"}
        self.work_request_fields = {"id", "customer_id", "requested_on", "wanted_by", "source"}
        self.person_joined = "person" in reader.joined
        self.ordinal = state.reads  # this read of a file, among the reads into the state
        state.reads += 1
        self.made_here: dict[str, int] = {}  # ids made from content in this file: how often
        self.made: str | None = None  # the id made for the record being built, if one was
        #: The first label of each totals line that fills its row (so that only a drop rule
        #: leaves it out), by its cell's position and first word: a later label with the same
        #: start (Razem klient Acme, then Razem klient Beta) is one of a subtotal per
        #: customer, and the hint proposes a pattern that leaves them all out.
        self.drop_labels: dict[tuple[int, str], str] = {}
        #: The last rejected row that looked like a report's heading (one cell, the first,
        #: no totals label) and its line: rows below it that name no customer are the rows
        #: of a report-shaped export, and their rejection proposes carry_down.
        self.heading_above: tuple[str, int] | None = None

    # ------------------------------------------------------------------ the loop
    def run(
        self, rows: Iterable[Row | CsvRowError | CheckedBlock], file_log: FileLog
    ) -> Iterator[Item | MadeRecords]:
        """The items of every row (the records of a block of checked rows as runs); counts
        them in ``file_log`` as it goes."""
        try:
            yield from self._run(rows, file_log)
        finally:
            file_log.records, file_log.rejected = self.records, self.rejected
            file_log.folded, file_log.duplicates = self.folded, self.duplicates

    def _run(
        self, rows: Iterable[Row | CsvRowError | CheckedBlock], file_log: FileLog
    ) -> Iterator[Item | MadeRecords]:
        group: list[Row] = []
        key = ""
        first_line_of: dict[str, int] = {}
        grouped = self.stream.group_rows
        reader = self.reader
        has_rules = bool(reader.keep or reader.drop or reader.drop_matching or reader.blank)
        carry_down = self.stream.carry_down or ""
        headings = (Headings(self.name, carry_down, reader, self.key_positions)
                    if carry_down else None)
        names_rows = bool(reader.drop or reader.drop_matching)
        build = self._build
        # An invoice whose row the columnar reader checked, of a known customer, is made
        # here: what _build and _invoice make of it, without their calls; so is a checked
        # time entry or work request whose client is known.
        invoices = self.name == "invoices"
        short_way: Callable[[Row, Any], AnyRecord | None] | None = None
        if self.name == "time_entries":
            short_way = self._checked_time_entry
        elif self.name == "work_requests":
            short_way = self._checked_work_request
        width, known, file = reader.width, self.known_ids, self.file
        key_at, needed = reader.single.get(self.group_field), reader.width_needed
        header_first = self.layout.header[0] if self.layout.header else None
        # (a first cell that may be the header's again: as written, or in another case)
        header_fold = normalise_header(header_first) if header_first is not None else None
        if (grouped and not has_rules and headings is None and self.name == "payments"
                and key_at is not None
                and self.group_field == "id" and not self.has_total):
            # Payments: the whole documents inside a block of checked rows as runs; the rest
            # (a document a block starts or ends with, one seen before) row by row.
            units: Iterable[Row | CsvRowError | CheckedBlock | _Documents] = self._documents(
                rows, first_line_of)
        elif (grouped or has_rules or headings is not None
              or not (invoices or short_way is not None)):
            # Rows read one by one: a block of checked rows as its rows.
            units = _each_row(rows)
        else:
            units = rows
        for row in units:
            if isinstance(row, CheckedBlock):
                file_log.rows += len(row.values)
                yield from self._block(row, short_way)
                continue
            if isinstance(row, _Documents):
                # Documents whose keys differ from the group's: the row path builds the group
                # when a row of another document comes, so here.
                if group:
                    yield from build(group)
                    group = []
                file_log.rows += row.bounds[-1] - row.bounds[0]
                yield from self._payments(row, first_line_of)
                continue
            file_log.rows += 1
            if isinstance(row, CsvRowError):
                if headings is not None:
                    headings.lost_track()
                self.rejected += 1
                yield self._reject(None, row.reason, None, row.column, row.line)
                continue
            if headings is not None:
                # A report's heading and totals rows, before the rules that would take a
                # heading for a row to leave out (skip_blank, keep); after the rules that
                # name rows (drop, drop_matching: a page's title is not a heading).
                try:
                    rule = reader.dropped(row) if names_rows else None
                except RowError as exc:
                    self.rejected += 1
                    yield self._reject(None, exc.reason, exc.field, exc.column, row.line, row)
                    continue
                if rule is not None:
                    headings.passed(row)
                    file_log.skipped += 1
                    yield Skipped(rule, Location(self.file, row.line))
                    continue
                taken = headings.take(row)
                if taken.skipped is not None:
                    file_log.skipped += 1
                    yield Skipped(taken.skipped, Location(self.file, row.line))
                    continue
                if taken.row is None:
                    self.rejected += 1
                    yield self._reject(self._ident(row), taken.rejected or "", carry_down,
                                       reader.column(carry_down), row.line, row)
                    continue
                row = taken.row
            if has_rules:
                try:
                    rule = reader.skipped(row)
                except RowError as exc:  # a formula where a rule looks
                    self.rejected += 1
                    yield self._reject(None, exc.reason, exc.field, exc.column, row.line, row)
                    continue
                if rule is not None:
                    file_log.skipped += 1
                    yield Skipped(rule, Location(self.file, row.line))
                    continue
            # A bare totals line (``Razem;;;300,00``: the word alone where the id or number
            # is, no customer, no date) is skipped, as a skip_blank rule would: no record can
            # be made of it (until 2026-12-08 rejected, asking for that rule). The columnar
            # reader leaves every row with a totals word to this path: both readers agree.
            if row.checked is None and self.key_positions:
                word = bare_totals_word(row.cells, self.key_positions)
                if word is not None and self._unnamed_undated(row):
                    if group:  # (a totals line ends the group above it)
                        yield from build(group)
                        group, key = [], ""
                    file_log.skipped += 1
                    yield Skipped(f"{self.name}: a totals line ({word!r}) with no customer "
                                  "and no date, not a record", Location(self.file, row.line))
                    continue
            # The header again (after the rules: a mapping that leaves such rows out says so).
            first_cell = row.cells[0]
            if ((first_cell == header_first or first_cell[:1] in _HEADER_WRAPS
                 or first_cell.strip().casefold() == header_fold)
                    and self._repeats_header(row)):
                self.rejected += 1
                yield self._reject(None, self._header_again(), None, None, row.line, row)
                continue
            if not grouped:
                checked = row.checked
                if checked is not None and len(row.cells) <= width:
                    if invoices:
                        if checked.customer_id in known:
                            self.records += 1
                            yield Loaded(self._checked_invoice(checked),
                                         Location(file, row.line))
                            continue
                    elif short_way is not None:
                        self.made = None
                        record = short_way(row, checked)
                        if record is not None:
                            if self.made is not None and self._made_before(record):
                                self.duplicates += 1  # an earlier file's row again
                                yield Folded(record, Location(file, row.line))
                                continue
                            self.records += 1
                            yield Loaded(record, Location(file, row.line))
                            continue
                yield from build([row])
                continue
            cells = row.cells
            try:
                # The key's cell, stripped, as reader.cell gives it (a row long enough to
                # hold every mapped column: the common case, read here without the call).
                row_key = (cells[key_at].strip() if key_at is not None and len(cells) >= needed
                           else reader.cell(row, self.group_field))
                if row_key[:1] == "=":  # a spreadsheet's cell: as the field reads it
                    row_key = reader.cell(row, self.group_field)
            except RowError as exc:
                self.rejected += 1
                yield self._reject(None, exc.reason, exc.field, exc.column, row.line, row)
                continue
            if not row_key:
                column = reader.column(self.group_field)
                self.rejected += 1
                totals = self._totals_line(row, any_cell=True)
                if totals is not None:
                    yield self._reject(None, totals, None, None, row.line, row)
                    continue
                yield self._reject(None, f"{column!r} is empty{self._one_cell(row)}",
                                   self.group_field, column, row.line, row)
                continue
            totals = self._totals_line(row)
            if totals is not None:
                # (Not a document's row: a subtotal under each group is no document
                # interrupted, and ends the group above it.)
                if group:
                    yield from build(group)
                    group, key = [], ""
                self.rejected += 1
                yield self._reject(row_key, totals, None, None, row.line, row)
                continue
            if group and row_key == key:
                group.append(row)
                continue
            if group:
                yield from build(group)
            if row_key in first_line_of:
                group = []
                self.rejected += 1
                yield self._reject(
                    row_key,
                    f"this row belongs to {self.kind} {row_key}, whose rows started on line "
                    f"{first_line_of[row_key]} and were interrupted by other rows; keep each "
                    "document's rows together (sort the file by its id)",
                    self.group_field, reader.column(self.group_field), row.line, row,
                )
                continue
            first_line_of[row_key] = row.line
            key, group = row_key, [row]
        if group:
            yield from build(group)

    def _block(
        self, block: CheckedBlock, short_way: Callable[[Row, Any], AnyRecord | None] | None
    ) -> Iterator[Item | MadeRecords]:
        """The items of a block of checked rows: the records of the rows that take the short
        way (what :meth:`_run` makes of each) as runs, and each other row's items, in the rows'
        order."""
        file, values = self.file, block.values
        invoices, known = self.name == "invoices", self.known_ids
        if invoices and all(checked.customer_id in known for checked in values):
            # The common block: every invoice of a known customer.
            self.records += len(values)
            yield MadeRecords(self._checked_invoices(values), file, block.lines)
            return
        records: list[AnyRecord] = []
        lines: list[int] = []
        first_line = block.first_line
        for offset, checked in enumerate(values):
            record: AnyRecord | None = None
            if invoices:
                if checked.customer_id in known:
                    record = self._checked_invoice(checked)
            elif short_way is not None:
                self.made = None
                record = short_way(block.row(offset), checked)
            if record is not None:
                if self.made is not None and self._made_before(record):
                    if records:  # an earlier file's row again: folded, between the runs
                        self.records += len(records)
                        yield MadeRecords(records, file, lines)
                        records, lines = [], []
                    self.duplicates += 1
                    yield Folded(record, Location(file, first_line + offset))
                    continue
                records.append(record)
                lines.append(first_line + offset)
                continue
            if records:
                self.records += len(records)
                yield MadeRecords(records, file, lines)
                records, lines = [], []
            yield from self._build([block.row(offset)])
        if records:
            self.records += len(records)
            yield MadeRecords(records, file, lines)

    def _documents(
        self, rows: Iterable[Row | CsvRowError | CheckedBlock], first_line_of: dict[str, int]
    ) -> Iterator[Row | CsvRowError | _Documents]:
        """``rows``, where a block of checked payment rows gives the documents wholly inside it
        (not its first and last, which may go on in the rows before and after it) whose ids
        are new (not in ``first_line_of``, read as each run is taken, and once each in the
        run) as :class:`_Documents`, and its other rows one by one."""
        key_at = self.reader.single[self.group_field]
        width = self.reader.width
        for item in rows:
            if not isinstance(item, CheckedBlock):
                yield item
                continue
            start, size = item.start, len(item.values)
            keys = [cell.strip() for cell in item.columns[key_at][start:start + size]]
            if len(item.columns) > width or not all(keys):
                yield from item.rows()  # (not so from the columnar reader: kept simple)
                continue
            # Where each document starts, and the block's end.
            bounds = [0, *(at for at in range(1, size) if keys[at] != keys[at - 1]), size]
            offset = bounds[1]  # the first document's rows, then whole documents
            yield from (item.row(at) for at in range(offset))
            run: list[int] = [offset]
            taken: set[str] = set()
            for lo, hi in itertools.pairwise(bounds[1:-1]):
                key = keys[lo]
                if key not in taken and key not in first_line_of:
                    taken.add(key)
                    run.append(hi)
                    continue
                if len(run) > 1:
                    yield _Documents(item, run, keys)
                # A repeated id: the row path's rejections, after the run is taken.
                yield from (item.row(at) for at in range(lo, hi))
                run, taken = [hi], set()
            if len(run) > 1:
                yield _Documents(item, run, keys)
            # The last document's rows (none left where the block is one document).
            yield from (item.row(at) for at in range(bounds[-2] if len(bounds) > 2 else size,
                                                       size))

    def _payments(self, documents: _Documents, first_line_of: dict[str, int]) -> Iterator[
            Item | MadeRecords]:
        """The items of whole payment documents of a block, each of rows next to each other
        and of an id not seen before: the payments of those whose rows all take the short way
        as runs, each other one's items by :meth:`_build`, in order.

        A document's payment is made from the block's values and the cells its rows repeat
        (:meth:`PaymentDocuments.values`, read once per distinct cell), the allocations and
        payments of a run made together; a document whose cells that does not read goes
        :meth:`_checked_document`'s way (the same payment, or none)."""
        block, bounds, keys = documents
        file, first_line, values = self.file, block.first_line, block.values
        made = self.documents
        if made is None:
            made = self.documents = PaymentDocuments(
                self.reader, document_fields(self.stream, self.reader), self.known_ids,
                self.currency, self.stream.fx_rate_inverse, self.source)
        document = made.values
        known = self.state.invoices_by_id.get  # (a payment adds no invoice to the index)
        records: list[AnyRecord] = []
        lines: list[int] = []
        pending: list[Any] = []  # the values of payments to make, after those in records
        parts: list[tuple[str, Decimal, None]] = []  # their allocations' values
        for lo, hi in itertools.pairwise(bounds):
            key = keys[lo]
            first_line_of[key] = first_line + lo
            taken = len(parts)
            found = document(values, lo, hi, key, parts, known)
            if found is not None and found is not OTHER_WAY:
                pending.append(found)
                lines.append(first_line + lo)
                self.folded += hi - lo - 1
                continue
            del parts[taken:]
            payment = self._checked_document(block, lo, hi) if found is OTHER_WAY else None
            if pending:
                records.extend(made.made(pending, parts))
                pending, parts = [], []
            if payment is not None:
                records.append(payment)
                lines.append(first_line + lo)
                self.folded += hi - lo - 1
                continue
            if records:
                self.records += len(records)
                yield MadeRecords(records, file, lines)
                records, lines = [], []
            yield from self._build([block.row(at) for at in range(lo, hi)])
        if pending:
            records.extend(made.made(pending, parts))
        if records:
            self.records += len(records)
            yield MadeRecords(records, file, lines)

    def _checked_document(self, block: CheckedBlock, lo: int, hi: int) -> Payment | None:
        """The payment of the checked rows ``lo`` to ``hi`` of ``block`` (one document's,
        next to each other): what :meth:`_payment` makes of them, where each row takes its
        short way (its invoice known by id, of the payment's customer; or, with no invoice, the
        payment's customer named by a known id) and the payment passes
        :meth:`_checked_payment`; None where one might not (then :meth:`_build` says)."""
        values: Sequence[CheckedPayment] = block.values
        document = values[lo].document
        if document is None:
            return None
        known = self.state.invoices_by_id.get
        known_ids = self.known_ids
        by_number = self.reader.has("invoice_number")
        parts: list[tuple[str, Decimal, None]] = []  # the allocations' values
        shared = document_parts(values, lo, hi, document, known, known_ids, by_number, parts)
        if shared is None:
            return None
        customer, first_ref, amount, _, _ = shared
        row = block.row(lo)
        try:
            currency = self._currency_of(
                row, "amount", first_ref[2] if first_ref is not None else None)
            day = self._required_date(row, "date")
            payment_id = self.reader.text(row, "id")
            rate = self._rate(row)
        except _CELL_ERRORS:
            return None  # the row path rejects it
        if not payment_id:
            return None
        allocations = tuple(checked_records_in_order(ModelAllocation, parts,
                                                     self.allocation_fields))
        return self._checked_payment(payment_id, customer, day, amount, currency, allocations,
                                     rate)

    def _build(self, rows: list[Row]) -> list[Item]:
        """The items of one document's rows: customers made from them, then the record or
        its rejections."""
        first = rows[0]
        if not self.stream.group_rows:  # (grouped rows are looked at one by one: _run)
            totals = self._totals_line(first)
            if totals is not None:
                self.rejected += 1
                return [self._reject(self._ident(first), totals, None, None, first.line, first)]
        made: list[Loaded] = []  # customers made from these rows, kept even if they fail
        width = self.reader.width
        self.made = None
        lost_cell: str | None = None
        try:
            for row in rows:
                if len(row.cells) > width:
                    self.reader.check_width(row)
                lost = self.reader.lost_digits(row)  # (an id Excel wrote as 1.23E+11)
                if lost is not None:
                    lost_cell = lost.cell
                    raise _LineError(row.line, lost.reason, lost.field, lost.column)
            record = self._make(rows, made)
        except RowError as exc:
            line = exc.line if isinstance(exc, _LineError) else first.line
            self.folded += len(rows) - 1  # a rejected document: one rejection for its rows
            self._remember_rejected(first, Location(self.file, line, exc.column), lost_cell)
            self.records += len(made)
            self.rejected += 1
            totals = self._totals_line(first, any_cell=True) if len(rows) == 1 else None
            if totals is not None:
                return [*made, self._reject(self._ident(first), totals, None, None, line, first)]
            reason = exc.reason + (self._one_cell(first) if len(rows) == 1 else "")
            if len(rows) == 1 and self.stream.carry_down is None:
                heading = heading_text(first.cells)
                if heading is not None:
                    self.heading_above = (heading, first.line)
            return [*made, self._reject(self._ident(first), reason, exc.field, exc.column,
                                        line, first, exc.unmatched)]
        except DataError as exc:
            self.folded += len(rows) - 1
            field_name = exc.problems[0].field if exc.problems else None
            self._remember_rejected(first, Location(
                self.file, first.line, self.reader.column(field_name) if field_name else None))
            self.records += len(made)
            self.rejected += len(exc.problems)
            return [
                *made,
                *(
                    Rejection(
                        problem.kind, self.source, problem.record_id, problem.field,
                        _short(problem.reason),
                        Location(self.file, first.line,
                                 self.reader.column(problem.field) if problem.field else None),
                        {"row": tuple(first.cells)},
                    )
                    for problem in exc.problems
                ),
            ]
        except MAPPING_ERRORS as exc:
            # A cell no check above foresaw: as in the framework's mapping rule (the same
            # exceptions), a rejection of its row, never the end of the sync.
            self.folded += len(rows) - 1
            self._remember_rejected(first, Location(self.file, first.line))
            self.records += len(made)
            self.rejected += 1
            reason = f"the row cannot be read: {type(exc).__name__}: {exc}"
            return [*made, self._reject(self._ident(first), reason, None, None, first.line,
                                        first)]
        if self.made is not None and self._made_before(record):
            # The same row in an earlier file (overlapping exports): its record again.
            self.records += len(made)
            self.duplicates += 1
            return [*made, Folded(record, Location(self.file, first.line))]
        loaded = Loaded(record, Location(self.file, first.line))
        if len(rows) > 1:
            return [*made, loaded, *self._fold(rows, record, len(made))]
        if made:
            self.records += len(made) + 1
            return [*made, loaded]
        self.records += 1
        return [loaded]

    def _fold(self, rows: list[Row], record: AnyRecord, made: int) -> list[Folded]:
        """Count the rows after a document's first: line items, or identical repeats (under
        a total column they add nothing: each is a :class:`Folded` duplicate)."""
        self.records += made + 1
        seen = {tuple(rows[0].cells)}
        repeats: list[Folded] = []
        for row in rows[1:]:
            cells = tuple(row.cells)
            if cells in seen and self.has_total:
                repeats.append(Folded(record, Location(self.file, row.line)))
            else:
                seen.add(cells)
        self.duplicates += len(repeats)
        self.folded += len(rows) - 1 - len(repeats)
        return repeats

    def _make(self, rows: list[Row], made: list[Loaded]) -> AnyRecord:
        """The record of one document's rows (customers it makes go to ``made``)."""
        name = self.name
        if name == "invoices":
            return self._invoice(rows, made)
        if name == "payments":
            return self._payment(rows, made)
        if name == "credit_notes":
            return self._credit_note(rows, made)
        if name == "time_entries":
            return self._time_entry(rows[0])
        if name == "work_requests":
            return self._work_request(rows[0])
        return self._customer(rows[0])

    def _repeats_header(self, row: Row) -> bool:
        """Whether ``row`` is the file's header again (two exports joined into one file, or a
        report that repeats it on each page): its cells the header's as
        :func:`~clientguard_csv.textfile.normalise_header` compares them (case, spaces,
        ``="..."``), and empty past the header's width (a trailing delimiter)."""
        header = self.layout.header
        cells = row.cells
        if len(cells) < len(header) or any(cell.strip() for cell in cells[len(header):]):
            return False
        return all(normalise_header(cell) == normalise_header(name)
                   for cell, name in zip(cells, header, strict=False))

    def _header_again(self) -> str:
        """Why a row that repeats the header is rejected, and the rule that leaves such rows
        out (a rule on the first mapped column: its cell there is the column's name)."""
        reader = self.reader
        first = min(reader.single.values(), default=0)  # (every column joined: the first)
        column = self._column_at(first)
        return (f"this row repeats the header (line {self.layout.header_line}), as where two "
                "exports were joined into one file or a report repeats it on each page: it "
                "holds no record; delete the row, give the exports as separate files, or leave "
                f"such rows out with drop = {{ {column!r} = [{column!r}] }} in the mapping's "
                f"[{self.name}] table")

    def _totals_line(self, row: Row, *, any_cell: bool = False) -> str | None:
        """Where ``row`` is a report's totals line, why it is rejected and how to leave such
        lines out; else None.

        A totals line is a row whose id or number cell, or first non-empty cell, is a totals
        label (:func:`~clientguard_csv.report_rows.totals_label`: ``Razem``, ``Ogółem``,
        ``Razem klient Acme``, ``="Total"``...), whatever its other cells hold. With
        ``any_cell`` (a row rejected already), also a row whose id and number are empty and
        one of whose cells is a label (``;Razem;;300,00``)."""
        found = totals_label(row.cells, self.key_positions)
        if found is None and any_cell:
            texts = [cell_text(cell) for cell in row.cells]
            if all(not texts[at] for at in self.key_positions if at < len(texts)):
                found = next(((text, at) for at, text in enumerate(texts)
                              if text and is_label(text)), None)
        if found is None:
            return None
        word, position = found
        empty = self._first_empty(row)
        if empty is not None:
            how = f"skip_blank = [{empty!r}]"
        else:
            column = self._column_at(position)
            first = self.drop_labels.setdefault((position, word.split()[0].casefold()), word)
            pattern = label_pattern(word, first)
            # (a label per customer: one rule for them all, if a valid pattern says it)
            if pattern is not None and pattern_problem(pattern) is None:
                how = f"drop_matching = {{ {column!r} = [{pattern!r}] }}"
            else:
                how = f"drop = {{ {column!r} = [{word!r}] }}"
        return (f"this row is a totals line ({word!r}), not a record: leave such lines out "
                f"with {how} in the mapping's [{self.name}] table (the rows it leaves out are "
                "counted as skipped)")

    def _unnamed_undated(self, row: Row) -> bool:
        """Whether the row's customer and date cells (those the mapping maps, at least one)
        are all empty: what a bare totals line leaves empty and a record fills."""
        reader, cells = self.reader, row.cells
        positions = [at for f in _NAMING
                     for at in ((reader.single[f],) if f in reader.single
                                else reader.joined.get(f, ()))]
        # (a customer joined from several columns: each of its cells must be empty)
        return bool(positions) and all(not (at < len(cells) and cell_text(cells[at]))
                                       for at in positions)

    def _first_empty(self, row: Row) -> str | None:
        """The column of the row's first empty identity cell (id, number, customer, date):
        the ``skip_blank`` rule that leaves out rows like it; None when all are filled."""
        reader, cells = self.reader, row.cells
        empty = next((f for f in _IDENTITY if f in reader.single
                      and not (reader.single[f] < len(cells)
                               and cell_text(cells[reader.single[f]]))), None)
        return None if empty is None else reader.column(empty)

    def _one_cell(self, row: Row) -> str:
        """Where a rejected row holds one non-empty cell, of words (``Strona 1 z 3``,
        ``Wygenerowano: 2026-12-01``: a report's title, page number or note), what the
        rejection adds: the rule that leaves out such rows; else nothing. (Never a guess that
        replaces the reason: ``FV 3/2026`` alone is an invoice's number without the rest.)"""
        texts = [text for text in map(cell_text, row.cells) if text]
        if len(texts) != 1 or len(texts[0].split()) < 2:
            return ""
        empty = self._first_empty(row)
        if empty is None:  # pragma: no cover - one cell fills no more than one column
            return ""
        return (f"; the row holds only {texts[0]!r}: if it is a report's title, page number "
                f"or note, leave such rows out with skip_blank = [{empty!r}] in the mapping's "
                f"[{self.name}] table")

    def _column_at(self, position: int) -> str:
        """The column at ``position`` as a rule names it: the mapping's name for a mapped
        one, else the header's (the text inside ``="..."``)."""
        for field_name, at in self.reader.single.items():
            if at == position:
                return self.reader.column(field_name) or ""
        header = self.layout.header
        return cell_text(header[position]) if position < len(header) else ""

    def _remember_rejected(self, row: Row, where: Location, lost: str | None = None) -> None:
        """A rejected invoice's id and number, as the invoices are indexed (the id, else the
        number; the number, else the id), with where it was rejected (``where``) and the cell
        in Excel's scientific notation it was rejected for (``lost``), so that its payments
        say why they fail. An id or number that is that cell is remembered by the numbers it
        may stand for too (:class:`LostNumbers`)."""
        if self.name != "invoices":
            return
        values: dict[str, str | None] = {}
        for field_name in ("id", "number"):
            try:
                values[field_name] = self.reader.text(row, field_name)
            except RowError:
                values[field_name] = None
        ident = values["id"] or values["number"]
        number = values["number"] or ident
        state = self.state
        for key, value in (("id", ident), ("number", number)):
            if not value:
                continue
            state.rejected_invoices.setdefault((key, value), (where, lost))
            if value == lost:
                state.lost_invoices[key].add(value, where)

    def _ident(self, row: Row) -> str | None:
        for field_name in ("id", "number"):
            try:
                value = self.reader.cell(row, field_name)
            except RowError:
                continue
            if value:
                return value
        return None

    def _reject(
        self, ident: str | None, reason: str, field_name: str | None, column: str | None,
        line: int, row: Row | None = None, unmatched: str | None = None,
    ) -> Rejection:
        raw: dict[str, object] = {"row": tuple(row.cells) if row is not None else None}
        if unmatched is not None:
            raw["unmatched_name"] = unmatched
        return Rejection(
            self.kind, self.source, ident, field_name, _short(reason),
            Location(self.file, line, column),
            raw,
        )

    # ------------------------------------------------------------------ customers
    def _customer_of(self, row: Row, made: list[Loaded], *, create: bool) -> str | None:
        """The customer id a row names, making the customer where the read may."""
        reader = self.reader
        state = self.state
        customer_id = _clean(reader.cell(row, "customer_id"))
        if customer_id is not None and customer_id in state.customers.ids:
            return customer_id  # the common case, kept short
        name = reader.text(row, "customer_name")
        if customer_id is not None:
            if create and not state.customers_given:
                self._make_customer(customer_id, name or customer_id, row, made)
                return customer_id
            self._unmatched(customer_id, row)
            where = "the customers file" if state.customers_given else "the invoices"
            # Never matched: 00123 and 123 may be two customers; the user says which.
            others = [(other, state.customers.name(other)) for other in other_zeros(customer_id)
                      if other in state.customers.ids]
            raise RowError(
                f"customer id {customer_id!r} is not in {where}"
                f"{customer_zeros_hint(others) if others else ''}", "customer_id",
                reader.column("customer_id"), unmatched=customer_id,
            )
        if name is None:
            return None
        ids = state.name_cache.get(name)
        if ids is None:
            ids = state.customers.by_name(name)
            if ids:
                state.name_cache[name] = ids
        if len(ids) == 1:
            if reader.has("customer_tax_id"):
                self._same_taxpayer(ids[0], name, row)
            return ids[0]
        if len(ids) > 1:
            raise RowError(
                f"customer name {name!r} matches {len(ids)} customers ({', '.join(ids)}); "
                "map a customer id column, or make the names distinct",
                "customer_name", reader.column("customer_name"),
            )
        if create and not state.customers_given:
            self._make_customer(name, name, row, made)
            return name
        self._unmatched(name, row)
        where = "the customers file" if state.customers_given else "any invoice's customer"
        raise RowError(
            f"customer {name!r} matches no customer in {where} (names are compared without "
            "case, accents, punctuation and legal suffixes such as Ltd or Sp. z o.o.)",
            "customer_name", reader.column("customer_name"), unmatched=name,
        )

    def _make_customer(
        self, customer_id: str, name: str, row: Row, made: list[Loaded]
    ) -> None:
        reader = self.reader
        customer = Customer(
            id=customer_id,
            name=name,
            email=reader.text(row, "customer_email"),
            tax_id=normalise_tax_id(reader.text(row, "customer_tax_id")),
            source=self.source,
        )
        self.state.customers.add(customer_id, name)
        self.state.name_cache.pop(name, None)
        where = Location(self.file, row.line)
        if customer.tax_id is not None:
            self.state.tax_ids[customer_id] = (customer.tax_id, where)
        self.state.zeros.add(customer_id, name, where)
        made.append(Loaded(customer, where))

    def _same_taxpayer(self, customer_id: str, name: str, row: Row) -> None:
        """Refuse a row whose customer name matches ``customer_id`` by name while its tax id
        is another's: two companies of one name (``Acme Sp. z o.o.`` and ``Acme S.A.``) are
        never merged by it. A customer first seen without a tax id takes this row's."""
        reader = self.reader
        tax_id = reader.text(row, "customer_tax_id")
        if tax_id is None:
            return
        known = self.state.tax_ids.get(customer_id)
        if known is None:
            self.state.tax_ids[customer_id] = (tax_id, Location(self.file, row.line))
            return
        if other_taxpayer(tax_id, known[0]):
            raise RowError(
                f"customer {name!r} has the tax id {tax_id!r}, but customer {customer_id!r}, "
                f"whose name it matches, has the tax id {known[0]!r} ({known[1]}): two "
                "companies are not merged by their names; map the tax id column as "
                "customer_id to tell them apart, or correct the tax id",
                "customer_tax_id", reader.column("customer_tax_id"),
            )

    def _unmatched(self, name: str, row: Row) -> None:
        key = (self.name, name)
        entry = self.log.unmatched.get(key)
        if entry is None:
            self.log.unmatched[key] = Unmatched(
                self.name, name, 1, Location(self.file, row.line)
            )
        else:
            entry.rows += 1

    # ------------------------------------------------------------------ helpers
    def _same_in_every_row(self, rows: list[Row], fields: Iterable[str]) -> None:
        """Line-item rows repeat the document's fields; they must agree."""
        reader = self.reader
        first = rows[0]
        present = tuple(f for f in fields if reader.has(f))
        try:
            expected_cells = reader.cells_of(first, present)
            if all(reader.cells_of(row, present) == expected_cells for row in rows[1:]):
                return  # the common case; otherwise, find the first difference as below
        except RowError:
            pass
        for field_name in present:
            expected = reader.cell(first, field_name)
            for row in rows[1:]:
                value = reader.cell(row, field_name)
                if value != expected:
                    raise _LineError(
                        row.line,
                        f"{reader.column(field_name)!r} is {value!r} here but {expected!r} on "
                        f"line {first.line}, in rows of the same document",
                        field_name, reader.column(field_name),
                    )

    def _currency_of(self, row: Row, money_field: str, fallback: str | None = None) -> str:
        reader = self.reader
        code = reader.text(row, "currency")
        if code is not None:
            # (A symbol in the currency column, zł or €, read as in an amount's cell.)
            return named_currency(code, reader.column("currency"))
        marked = reader.marked_currency(row, money_field)
        if marked is not None:
            return marked
        if fallback is not None:
            return fallback
        if self.currency is not None:
            return self.currency
        if reader.has("currency"):
            raise RowError(
                f"no currency: the row's {reader.column('currency')!r} is empty and the "
                "mapping sets no currency (write the code in the cell, or add currency = "
                '"EUR" to the mapping, the code of the rows without one)',
                "currency", reader.column("currency"),
            )
        raise RowError(
            "no currency: the file has no currency column and the mapping sets no "
            'currency (add currency = "EUR", or the code of the file\'s currency)',
            "currency", reader.column("currency"),
        )

    def _total(self, rows: list[Row], currency: str) -> Decimal:
        reader = self.reader
        if reader.has("total"):
            total = reader.money(rows[0], "total", currency)
            if total is None:
                raise RowError(f"{reader.column('total')!r} is empty", "total",
                               reader.column("total"))
            return total
        lines = [reader.money(row, "line_total", currency) for row in rows]
        return sum((amount for amount in lines if amount is not None), Decimal(0))

    def _rate(self, row: Row) -> Decimal | None:
        rate = self.reader.number(row, "fx_rate")
        if rate is None or not self.stream.fx_rate_inverse:
            return rate
        if rate == 0:
            raise RowError("the rate is zero", "fx_rate", self.reader.column("fx_rate"))
        return 1 / rate

    def _required_date(self, row: Row, field_name: str) -> date:
        value = self.reader.date(row, field_name)
        if value is None:
            raise RowError(f"{self.reader.column(field_name)!r} is empty", field_name,
                           self.reader.column(field_name))
        return value

    def _invoice_ref(self, row: Row) -> _InvoiceRef | str | None:
        """The invoice a payment or credit note names: known, or just an id to check later."""
        reader = self.reader
        state = self.state
        for field_name, key, known in (
            ("invoice_id", "id", state.invoices_by_id),
            ("invoice_number", "number", state.invoices_by_number),
        ):
            value = reader.text(row, field_name)
            if value is None:
                continue
            ref = known.get(value)
            if ref is not None:
                return ref
            if not state.invoices_given:
                return value  # no invoices file to check against: the ledger checks
            column = reader.column(field_name)
            rejected = state.rejected_invoices.get((key, value))
            if rejected is not None:
                where, lost = rejected
                raise RowError(
                    f"invoice {key} {value!r} was itself rejected ({where}), so nothing can "
                    f"be allocated to it{rejected_as_lost(lost) if lost else ''}",
                    field_name, column,
                )
            hit = state.lost_invoices[key].find(value)
            hint = (lost_number_hint(key, hit) if hit is not None
                    else self._zeros_hint(row, key, value, known)
                    or self._case_hint(row, key, value, known))
            raise RowError(f"no invoice has the {key} {value!r} in the invoices file(s){hint}",
                           field_name, column)
        return None

    def _zeros_hint(self, row: Row, key: str, value: str, known: dict[str, _InvoiceRef]) -> str:
        """Where ``value``, an invoice ``key`` no invoice has, is a number that an invoice's
        differs from only by leading zeros (``1`` for ``0001``, or the other way round), what
        the rejection adds: that invoice, the row's customer's first (fewest zeros apart),
        else any; nothing otherwise. Never a match: the user says which it is."""
        found = [(other, known[other]) for other in other_zeros(value) if other in known]
        if not found:
            return ""
        try:
            named = self.reader.text(row, "customer_id")
        except RowError:
            named = None
        other, ref = next(((o, r) for o, r in found if r.customer_id == named), found[0])
        return zeros_hint(key, other, ref.customer_id)

    def _case_hint(self, row: Row, key: str, value: str, known: dict[str, _InvoiceRef]) -> str:
        """Where ``value``, an invoice ``key`` no invoice has, differs from an invoice's only
        in letter case (``inv-001`` for ``INV-001``), what the rejection adds: that invoice,
        the row's customer's first, and how many more there are; nothing otherwise. Never a
        match: ``FV/1`` and ``fv/1`` may be two invoices (two series of one tool)."""
        found = [other for other in self.state.by_case(key, known).get(value.casefold(), ())
                 if other != value]
        if not found:
            return ""
        try:
            named = self.reader.text(row, "customer_id")
        except RowError:
            named = None
        other = next((o for o in found if known[o].customer_id == named), found[0])
        more = len(found) - 1
        also = f", and {more} more written alike in another case" if more else ""
        return (f"; invoice {key} {other!r} (customer {known[other].customer_id!r}) differs "
                f"from it only in letter case{also}: write the {key} as the invoices file has "
                f"it; {'they are' if more else 'the two are'} not matched unasked (two "
                "invoices may be told apart by case alone)")

    def _made_id(self, prefix: str, *parts: object) -> str:
        """An id made from a row's content: ``prefix``, a hash of ``parts``, and ``-2``,
        ``-3``... for the second, third... identical row *of this file* (a client may pay the
        same amount twice on one day). The n-th copy in another file gets the same id: it is
        the same record, exported twice (see :meth:`_made_before`)."""
        digest = hashlib.sha1(  # noqa: S324 - an id, not a secret
            "|".join(str(p) for p in parts).encode("utf-8")
        ).hexdigest()[:12]
        made = f"{prefix}-{digest}"
        count = self.made_here.get(made, 0) + 1
        self.made_here[made] = count
        self.made = made if count == 1 else f"{made}-{count}"
        return self.made

    def _made_before(self, record: AnyRecord) -> bool:
        """Whether ``record``, whose id :meth:`_made_id` made, is one an earlier file of this
        read made already, alike: the same row in two overlapping exports (January, then
        January to February) is one payment, not two. (One that differs under the same id,
        another rate, is handed on: the sync rejects it, naming the first.)"""
        made, self.made = self.made, None
        if made is None or getattr(record, "id", None) != made:
            return False
        fingerprint = hash(record)
        ordinal, earlier = self.state.made_ids.setdefault(made, (self.ordinal, fingerprint))
        return ordinal != self.ordinal and earlier == fingerprint

    # ------------------------------------------------------------------ streams
    def _customer(self, row: Row) -> Customer:
        reader = self.reader
        customer_id = reader.text(row, "id")
        name = reader.text(row, "name")
        ident = customer_id or name
        if ident is None:
            raise RowError("the row has neither a customer id nor a name", "id",
                           reader.column("id") or reader.column("name"))
        customer = Customer(
            id=ident,
            name=name or ident,
            tax_id=normalise_tax_id(reader.text(row, "tax_id")),
            email=reader.text(row, "email"),
            group_id=reader.text(row, "group_id"),
            source=self.source,
        )
        where = Location(self.file, row.line)
        if customer.id not in self.state.customers:
            # Each id once, at its first row: a row listed again is no other customer.
            self.state.zeros.add(customer.id, customer.name, where)
        self.state.customers.add(customer.id, customer.name)
        self.state.name_cache.pop(customer.name, None)
        if customer.tax_id is not None:
            self.state.tax_ids[customer.id] = (customer.tax_id, where)
        return customer

    def _document_id(self, row: Row) -> tuple[str, str | None]:
        number = self.reader.text(row, "number")
        ident = self.reader.text(row, "id") or number
        if ident is None:
            column = self.reader.column("id") or self.reader.column("number")
            raise RowError(f"the row has no {self.kind.replace('_', ' ')} id or number", "id",
                           column)
        return ident, number

    def _invoice(self, rows: list[Row], made: list[Loaded]) -> Invoice:
        # The hot path of a large file: the row's cells are read once, together.
        reader = self.reader
        row = rows[0]
        checked: CheckedInvoice | None = row.checked
        if checked is not None and len(rows) == 1 and checked.customer_id in self.known_ids:
            return self._checked_invoice(checked)
        if len(rows) > 1:
            self._same_in_every_row(rows, [f for f in self.stream.columns if f != "line_total"])
        (number_cell, id_cell, customer_cell, issue_cell, due_cell, code, total_cell, due_amount,
         paid_amount, status_cell, paid_on_cell, rate_cell) = reader.cells_of(row, _INVOICE_CELLS)
        number = _clean(number_cell)
        invoice_id = _clean(id_cell) or number
        if invoice_id is None:
            raise RowError("the row has neither an invoice id nor a number", "id",
                           reader.column("id") or reader.column("number"))
        customer_id: str | None = customer_cell
        if not customer_id or customer_id not in self.known_ids or "  " in customer_id:
            customer_id = self._customer_of(row, made, create=True)
            if customer_id is None:
                column = reader.column("customer_id") or reader.column("customer_name")
                raise RowError(self._no_customer(row, column), "customer_id", column)
        issue_date = reader.date_of("issue_date", issue_cell)
        if issue_date is None:
            raise RowError(f"{reader.column('issue_date')!r} is empty", "issue_date",
                           reader.column("issue_date"))
        due_date = reader.date_of("due_date", due_cell)
        if due_date is None:
            terms = reader.whole_days(row, "terms_days")
            if terms is None:
                terms = self.stream.default_terms_days
            if terms is None:
                raise RowError(f"{reader.column('due_date')!r} is empty and the mapping sets "
                               "no default_terms_days", "due_date", reader.column("due_date"))
            try:
                due_date = issue_date + timedelta(days=terms)
            except OverflowError:
                raise RowError(f"{issue_cell!r} plus {terms} days of terms is past the end of "
                               "the calendar", "issue_date", reader.column("issue_date")) from None
        if code and len(code) == 3:
            currency = code.upper()
        else:
            currency = self._currency_of(row, "total" if self.has_total else "line_total")
        if self.has_total:
            total = reader.money_of("total", total_cell, currency)
            if total is None:
                raise RowError(f"{reader.column('total')!r} is empty", "total",
                               reader.column("total"))
        else:
            total = self._total(rows, currency)
        amount_due = reader.money_of("amount_due", due_amount, currency)
        paid = reader.money_of("amount_paid", paid_amount, currency)
        if amount_due is None and paid is not None:
            amount_due = total - paid
            if amount_due < 0:
                raise RowError(f"the amount paid {paid} is more than the total {total}",
                               "amount_paid", reader.column("amount_paid"))
        status = reader.status_of_value(status_cell)
        paid_on = reader.date_of("paid_on", paid_on_cell)
        if status is None:
            settled = paid_on is not None or (amount_due == 0 and total > 0)
            status = "paid" if settled else "open"
        if status != "paid":
            # Exports fill "last payment date" on partly paid invoices too: only a paid
            # invoice has a paid-on date.
            paid_on = None
        disputed, disputed_on = self._dispute(row) if self.has_dispute else (False, None)
        invoice = Invoice(
            id=invoice_id,
            customer_id=customer_id,
            # A number equal to the id: the id's string, not a second copy of it.
            number=invoice_id if number is None or number == invoice_id else number,
            issue_date=issue_date,
            due_date=due_date,
            currency=currency,
            total=total,
            status=status,
            paid_on=paid_on,
            amount_due=amount_due,
            fx_rate=self._rate(row) if rate_cell else None,
            disputed=disputed,
            disputed_on=disputed_on,
            source=self.source,
        )
        if self.state.index_invoices:
            ref = _InvoiceRef(invoice_id, customer_id, currency)
            self.state.invoices_by_id.setdefault(invoice_id, ref)
            if self.state.numbers_indexed:
                self.state.invoices_by_number.setdefault(number or invoice_id, ref)
        return invoice

    def _checked_invoice(self, checked: CheckedInvoice) -> Invoice:
        """The invoice of a row whose values the columnar reader checked: what
        :meth:`_invoice` makes of it, without validating it again."""
        # The checked values are the invoice's first fields, in its order; then disputed,
        # disputed_on, source and updated_at.
        invoice = checked_record_in_order(Invoice, (*checked, False, None, self.source, None),
                                          self.invoice_fields)
        if self.state.index_invoices:
            ref = _invoice_ref((checked.id, checked.customer_id, checked.currency))
            self.state.invoices_by_id.setdefault(checked.id, ref)
            if self.state.numbers_indexed:
                self.state.invoices_by_number.setdefault(checked.number, ref)
        return invoice

    def _checked_invoices(self, block: Sequence[CheckedInvoice]) -> list[Invoice]:
        """:meth:`_checked_invoice` of each of ``block``, in order, a block at a time."""
        tail = (False, None, self.source, None)  # disputed, disputed_on, source, updated_at
        invoices = checked_records_in_order(Invoice, (checked + tail for checked in block),
                                            self.invoice_fields)
        state = self.state
        if state.index_invoices:
            # (Through ``map`` and ``itemgetter``: no Python call an invoice, a million.)
            refs = list(map(_invoice_ref, map(_ref_fields, block)))
            _index_first(state.invoices_by_id, list(map(_checked_id, block)), refs)
            if state.numbers_indexed:
                _index_first(state.invoices_by_number, list(map(_checked_number, block)), refs)
        return invoices

    def _dispute(self, row: Row) -> tuple[bool, date | None]:
        """The invoice's ``disputed`` flag and ``disputed_on`` date: a dispute date alone
        marks the invoice disputed; a date on an invoice the flag says is not disputed is an
        error naming the column."""
        reader = self.reader
        flag = reader.flag(row, "disputed")
        raised = reader.date_of("disputed_on", reader.cell(row, "disputed_on") or None)
        if raised is not None and flag is False:
            raise RowError(
                f"the dispute date {raised} is set but {reader.column('disputed')!r} says the "
                "invoice is not disputed", "disputed_on", reader.column("disputed_on"),
            )
        return bool(flag) or raised is not None, raised

    def _payer(self, row: Row, made: list[Loaded], invoice: _InvoiceRef | str | None) -> str:
        """The customer of a payment or credit note: its invoice's, checked against the row's."""
        reader = self.reader
        column = reader.column("customer_id") or reader.column("customer_name")
        if not isinstance(invoice, _InvoiceRef):
            customer_id = self._customer_of(row, made, create=True)
            if customer_id is None:
                raise RowError(self._no_customer(row, column, ", and no invoice whose "
                                                 "customer could be used"),
                               "customer_id", column)
            return customer_id
        owner = invoice.customer_id
        named_id = reader.text(row, "customer_id")
        name = reader.text(row, "customer_name")
        if named_id is not None and named_id != owner:
            raise RowError(f"invoice {invoice.id} belongs to customer {owner!r}, not "
                           f"{named_id!r}{owner_zeros_hint(owner, named_id)}", "customer_id",
                           column)
        if named_id is None and name is not None and normalise_name(name) not in (
            normalise_name(owner), normalise_name(self.state.customers.name(owner))
        ):
            raise RowError(
                f"invoice {invoice.id} belongs to customer "
                f"{self.state.customers.name(owner)!r}, not {name!r}",
                "customer_name", column,
            )
        return owner

    def _no_customer(self, row: Row, column: str | None, more: str = "") -> str:
        """Why a row that names no customer (``more``: and what else it lacks) is rejected:
        where rows above it in the file named theirs and it holds more than one cell, it is
        a layout grouped by customer, which the reason says (the name is never filled in
        from the rows above: a wrong guess is a document of another client, unseen)."""
        filled = sum(1 for cell in row.cells if cell.strip()) > 1
        if self.heading_above is not None and filled:
            heading, line = self.heading_above
            field_name = ("customer_id" if "customer_id" in self.stream.columns
                          and "customer_name" not in self.stream.columns else "customer_name")
            empty = f" ({column!r} is empty)" if column else ""
            return (f"the row names no customer{empty}{more}, as in a report that names each "
                    f"customer in a heading row above their rows ({heading!r}, line {line}): "
                    f"read such a file with carry_down = {field_name!r} in the mapping's "
                    f"[{self.name}] table (see 'Report-shaped exports' in the CSV docs)")
        if self.records and filled:
            return (f"the row names no customer ({column!r} is empty){more}, as in a report "
                    "that names each customer on the first row of their group only: fill the "
                    "name in on every row (the reader never takes it from the rows above)")
        return f"the row names no customer{more}"

    def _credit_note(self, rows: list[Row], made: list[Loaded]) -> CreditNote:
        reader = self.reader
        row = rows[0]
        if len(rows) > 1:
            self._same_in_every_row(rows, [f for f in self.stream.columns if f != "line_total"])
        note_id, _ = self._document_id(row)
        invoice = self._invoice_ref(row)
        customer_id = self._payer(row, made, invoice)
        money_field = "total" if reader.has("total") else "line_total"
        currency = self._currency_of(
            row, money_field, invoice.currency if isinstance(invoice, _InvoiceRef) else None
        )
        total = self._total(rows, currency)
        invoice_id = invoice.id if isinstance(invoice, _InvoiceRef) else invoice
        return CreditNote(
            id=note_id,
            customer_id=customer_id,
            issue_date=self._required_date(row, "issue_date"),
            total=total,
            currency=currency,
            allocations=(
                (ModelAllocation(invoice_id=invoice_id, amount=total),) if invoice_id else ()
            ),
            fx_rate=self._rate(row),
            source=self.source,
        )

    def _payment(self, rows: list[Row], made: list[Loaded]) -> Payment:
        reader = self.reader
        first = rows[0]
        if len(rows) > 1 and not _same_documents(rows):
            self._same_in_every_row(
                rows,
                [f for f in self.stream.columns
                 if f not in ("amount", "invoice_id", "invoice_number")],
            )
        customer: str | None = None
        currency: str | None = None
        allocations: list[ModelAllocation] = []
        amount = Decimal(0)
        known = self.state.invoices_by_id
        checked_rows = 0  # rows the columnar reader checked
        part_fields = self.allocation_fields
        for row in rows:
            checked: CheckedPayment | None = row.checked
            if (checked is not None and currency is not None
                    and checked.invoice_id is not None):
                # The common row after the first: checked, allocated to a known invoice of
                # the payment's customer (named, or not named at all). What the long way
                # below finds for it, in short: its amount is plain, so never negative.
                ref = known.get(checked.invoice_id)
                if ref is not None and ref.customer_id == customer and ref.id and (
                    checked.customer_id == customer
                    or (checked.customer_id is None and checked.customer_name is None)
                ):
                    allocated = checked.amount
                    amount += allocated
                    checked_rows += 1
                    allocations.append(checked_record_in_order(
                        ModelAllocation, (ref.id, allocated, None), part_fields))
                    continue
            invoice: _InvoiceRef | str | None = None
            payer: str | None = None
            if checked is not None and checked.invoice_id is not None:
                # What _invoice_ref and _payer find for this row, from its checked texts: an
                # invoice known by its id, of the customer the row names (or names none).
                ref = known.get(checked.invoice_id)
                if ref is not None and (
                    checked.customer_id == ref.customer_id
                    or (checked.customer_id is None and checked.customer_name is None)
                ):
                    invoice, payer = ref, ref.customer_id
            if payer is None:
                invoice = self._invoice_ref(row)
                payer = self._payer(row, made, invoice)
            if customer is not None and payer != customer:
                raise _LineError(row.line, f"the invoice here belongs to {payer!r}, but the "
                                 f"payment's other rows to {customer!r}", "customer_id",
                                 reader.column("invoice_number") or reader.column("invoice_id"))
            customer = payer
            if currency is None:
                currency = self._currency_of(
                    row, "amount",
                    invoice.currency if isinstance(invoice, _InvoiceRef) else None,
                )
            part = (checked.amount if checked is not None  # checked by the columnar reader
                    else reader.money(row, "amount", currency))
            if part is None:
                raise _LineError(row.line, f"{reader.column('amount')!r} is empty", "amount",
                                 reader.column("amount"))
            if part < 0:
                raise _LineError(
                    row.line,
                    f"the amount {part} is negative: a refund or a reversal is not a payment "
                    '(set amount_sign = "negate" if the file writes money received as '
                    "negative numbers, or leave such rows out with [payments.drop])",
                    "amount", reader.column("amount"),
                )
            amount += part
            invoice_id = invoice.id if isinstance(invoice, _InvoiceRef) else invoice
            if checked is not None:
                checked_rows += 1
            if invoice_id and checked is not None:
                allocations.append(checked_record_in_order(
                    ModelAllocation, (invoice_id, part, None), self.allocation_fields))
            elif invoice_id:
                allocations.append(ModelAllocation(invoice_id=invoice_id, amount=part))
        if customer is None or currency is None:  # pragma: no cover - rows is never empty
            raise RowError("no rows")
        day = self._required_date(first, "date")
        payment_id = reader.text(first, "id") or self._made_id(
            "p", customer, day, amount, currency, *(a.invoice_id for a in allocations)
        )
        rate = self._rate(first)
        if checked_rows == len(rows):
            payment = self._checked_payment(payment_id, customer, day, amount, currency,
                                            tuple(allocations), rate)
            if payment is not None:
                return payment
        return Payment(
            id=payment_id,
            customer_id=customer,
            date=day,
            amount=amount,
            currency=currency,
            allocations=tuple(allocations),
            fx_rate=rate,
            source=self.source,
        )

    def _checked_payment(
        self, payment_id: str, customer: str, day: date, amount: Decimal, currency: str,
        allocations: tuple[ModelAllocation, ...], rate: Decimal | None,
    ) -> Payment | None:
        """The payment of rows the columnar reader checked, made without validating it: what
        ``Payment(...)`` makes of these values, where they pass every rule of the model
        (checked here: the allocations are the rows' own, made from checked amounts); None
        where one might not (then validation says what is wrong)."""
        if not (payment_id and customer and type(day) is date and FIRST_DATE <= day <= LAST_DATE
                and type(amount) is Decimal and amount.is_finite() and amount >= 0
                and amount.adjusted() < MAX_AMOUNT_DIGITS and is_currency(currency)):
            return None
        if rate is not None and not (type(rate) is Decimal and rate_in_bounds(rate, amount)):
            return None
        if sum((a.amount for a in allocations), Decimal(0)) > amount:
            return None  # the allocations' rule: validation says by how much
        return checked_record_in_order(Payment, (
            payment_id, sys.intern(customer), day, amount, sys.intern(currency), allocations,
            rate, self.source,
        ), self.payment_fields)

    def _client(self, row: Row) -> str:
        customer_id = self._customer_of(row, [], create=False)
        if customer_id is None:
            raise RowError("the row names no client", "customer_name",
                           self.reader.column("customer_name")
                           or self.reader.column("customer_id"))
        return customer_id

    def _known_client(self, customer_id: str | None, name: str | None) -> str | None:
        """What :meth:`_client` finds for a row whose customer id and client name cells read
        as these texts, where it finds a customer without a side effect (a known id, a name
        matched before to one customer); None where it may not (then :meth:`_client` says)."""
        if customer_id is not None:
            return sys.intern(customer_id) if customer_id in self.known_ids else None
        if name is None:
            return None
        ids = self.state.name_cache.get(name)
        return ids[0] if ids is not None and len(ids) == 1 else None

    def _checked_time_entry(self, row: Row, checked: CheckedTimeEntry) -> TimeEntry | None:
        """The time entry of a row whose values the columnar reader checked: what the rest of
        :meth:`_time_entry` makes of it, without validating it again; None where its client
        is not matched without a side effect (then the long way says)."""
        state = self.state
        name = None
        customer_id: str | None = None
        if (not state.customers and not state.customers_given
                and checked.customer_name is not None and checked.customer_id is None):
            name = checked.customer_name  # hours alone: the ledger matches the name
        else:
            customer_id = self._known_client(checked.customer_id, checked.customer_name)
            if customer_id is None:
                return None
        person = self.reader.text(row, "person") if self.person_joined else checked.person
        return checked_record_in_order(TimeEntry, (
            customer_id, name, None, checked.date, checked.hours, person, checked.billable,
            self.source,
        ), self.time_entry_fields)

    def _time_entry(self, row: Row) -> TimeEntry:
        checked: CheckedTimeEntry | None = row.checked
        if checked is not None:
            entry = self._checked_time_entry(row, checked)
            if entry is not None:
                return entry
        reader = self.reader
        name = None
        if not self.state.customers and not self.state.customers_given:
            # Hours alone (a tracker's export beside books from another source): the
            # ledger matches the client's name to the customers of every source.
            name = reader.text(row, "customer_name")
            if name is None or _clean(reader.cell(row, "customer_id")) is not None:
                name = None
        customer_id = None if name is not None else self._client(row)
        hours_field = "hours" if reader.has("hours") else "duration"
        hours = reader.hours(row, hours_field)
        if hours is None:
            raise RowError(f"{reader.column(hours_field)!r} is empty", "hours",
                           reader.column(hours_field))
        return TimeEntry(
            customer_id=customer_id,
            customer_name=name,
            date=self._required_date(row, "date"),
            hours=hours,
            person=reader.text(row, "person"),
            billable=reader.flag(row, "billable"),
            source=self.source,
        )

    def _checked_work_request(self, row: Row, checked: CheckedWorkRequest) -> WorkRequest | None:
        """The work request of a row whose values the columnar reader checked: what
        :meth:`_work_request` makes of it, without validating it again; None where its client
        is not matched without a side effect (then the long way says)."""
        known = self._known_client(checked.customer_id, checked.customer_name)
        if known is None:
            return None
        on, by = checked.requested_on, checked.wanted_by
        return checked_record_in_order(WorkRequest, (
            checked.id or self._made_id("w", known, on, by), known, None, on, by, self.source,
        ), self.work_request_fields)

    def _work_request(self, row: Row) -> WorkRequest:
        checked: CheckedWorkRequest | None = row.checked
        if checked is not None:
            request = self._checked_work_request(row, checked)
            if request is not None:
                return request
        customer_id = self._client(row)
        requested_on = self._required_date(row, "requested_on")
        wanted_by = self._required_date(row, "wanted_by")
        return WorkRequest(
            id=self.reader.text(row, "id")
            or self._made_id("w", customer_id, requested_on, wanted_by),
            customer_id=customer_id,
            requested_on=requested_on,
            wanted_by=wanted_by,
            source=self.source,
        )


def _names_numbers(mapping: CsvMapping, sources: Mapping[str, Sequence[Path]]) -> bool:
    """Whether a payments or credit notes stream with files names its invoices by number
    (a column for ``invoice_number``), so that the invoices read are indexed by number."""
    for name in ("payments", "credit_notes"):
        stream = mapping.stream(name)
        if sources.get(name) and stream is not None and "invoice_number" in stream.columns:
            return True
    return False


def _index_first(index: dict[str, _InvoiceRef], keys: list[str], refs: list[_InvoiceRef]) -> None:
    """``index.setdefault(key, ref)`` of each key and its ref, in order (the first invoice
    with a key is the one found by it), at once where no key is in ``index`` already."""
    if index.keys().isdisjoint(keys):
        before = len(index)
        index.update(zip(keys, refs, strict=True))
        if len(index) - before < len(keys):  # a key twice: its first ref is the one kept
            for key, ref in zip(reversed(keys), reversed(refs), strict=True):
                index[key] = ref
        return
    for key, ref in zip(keys, refs, strict=True):
        index.setdefault(key, ref)


def _each_row(
    rows: Iterable[Row | CsvRowError | CheckedBlock],
) -> Iterator[Row | CsvRowError]:
    """``rows``, a block of checked rows as its rows."""
    for row in rows:
        if isinstance(row, CheckedBlock):
            yield from row.rows()
        else:
            yield row


def _same_documents(rows: list[Row]) -> bool:
    """Whether the columnar reader checked every row of a payment and found the cells its
    rows repeat written alike in each (then they agree: no need to compare them again)."""
    first: CheckedPayment | None = rows[0].checked
    if first is None or first.document is None:
        return False
    document = first.document
    return all(row.checked is not None and row.checked.document == document
               for row in rows[1:])


_CELL_ERRORS: tuple[type[BaseException], ...] = (RowError, *MAPPING_ERRORS)
"""What reading a payment's cells may raise (the row path rejects its document for it)."""


#: The longest reason a rejection keeps: a 100,000-character cell quoted in it is cut.
REASON_LIMIT = 500

#: How a header cell written for a spreadsheet starts (``="Number"``, `` Number``), or one
#: after a byte-order mark (a second export's header, two files joined).
_HEADER_WRAPS = frozenset('= \t"*\ufeff')

#: The fields that say whose and when a row is: a bare totals line leaves them all empty.
#: A payment's or credit note's invoice says whose it is (``REQUIRED`` in
#: :mod:`clientguard_csv.mapping` takes it for the customer), a due date says when.
_NAMING = ("customer_id", "customer_name", "invoice_id", "invoice_number", "date",
           "issue_date", "due_date")

#: The fields that say which record a row is: a totals line leaves them empty (or labels one).
_IDENTITY = ("id", "number", "customer_id", "customer_name", "name", "date", "issue_date")


def _short(reason: str) -> str:
    """``reason`` cut in its middle to :data:`REASON_LIMIT` characters (its end says what to
    do, so it is kept)."""
    if len(reason) <= REASON_LIMIT:
        return reason
    keep = REASON_LIMIT // 2 - 3
    return f"{reason[:keep]} ... {reason[-keep:]}"


class _LineError(RowError):
    """A :class:`RowError` in a particular row of a multi-row document."""

    def __init__(self, line: int, reason: str, field: str | None = None,
                 column: str | None = None) -> None:
        self.line = line
        super().__init__(reason, field, column)
