"""The CSV connector: files in, records out, through a mapping or a preset.

::

    import clientguard as cg

    conn = cg.connectors.load("csv")(invoices="invoices.csv", payments="payments.csv",
                                     preset="invoiceninja")
    ledger = cg.Ledger.from_connector(conn, base_currency="USD", strict=False)

Each stream's :meth:`CsvConnector.fetch` yields only its own rows, matched against what the
streams before it made (customers, invoices). Within one sync, each file is read and checked
once: a stream that has been read in full hands what it learned (the customers, and an index
of the invoices as plain tuples: id, customer, currency) to the next stream's fetch. That
hand-over lives only within the sync: a sync starts from nothing (every file is read again),
and a fetch re-reads the streams before it from their files whenever the hand-over does not
fit (a stream fetched out of order or twice, a fetch stopped early, or a file changed since
it was read).
"""

from __future__ import annotations

import errno
import os
import stat
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from pydantic import model_validator

from clientguard.connector import (
    Connector,
    ConnectorOptions,
    MadeRecord,
    MadeRecords,
    Mapped,
    RawPage,
    RawRecord,
    Skip,
    Stream,
)
from clientguard.errors import DataError
from clientguard.i18n import gettext as _
from clientguard.model import TimeEntry
from clientguard.records import Rejection
from clientguard_csv.columnar import arrow_available
from clientguard_csv.errors import CsvFileError, file_unreadable, not_a_file
from clientguard_csv.mapping import (
    STREAMS,
    CsvMapping,
    load_mapping,
    load_preset,
    mapping_from_dict,
)
from clientguard_csv.reading import (
    SOURCE,
    Folded,
    Loaded,
    Reader,
    ReadLog,
    ReadState,
    Skipped,
    _read_runs,
    read_records,
)

__all__ = ["PAGE_SIZE", "CsvConnector", "CsvOptions", "Paths", "unmatched_names"]

#: Records per page handed to the framework's loop.
PAGE_SIZE = 1000

Paths = str | Path | Sequence[str | Path] | None


class CsvOptions(ConnectorOptions):
    """Options of the CSV connector. Every stream is optional; give at least one."""

    customers: Paths = None
    """Customers file(s): a path or a list of paths."""
    invoices: Paths = None
    """Invoice file(s); line-item exports are folded into invoices by the mapping."""
    payments: Paths = None
    """Payment file(s)."""
    credit_notes: Paths = None
    """Credit note file(s)."""
    time_entries: Paths = None
    """Time tracker report(s): client, date, hours."""
    work_requests: Paths = None
    """Work request file(s): client, requested on, wanted by."""
    preset: str | None = None
    """A preset name: freshbooks, wave, zoho, invoice2go, invoicely, invoiceninja, ibm-ar,
    xero, quickbooks-ar-aging, toggl, harvest, clockify."""
    mapping: str | Path | dict[str, Any] | CsvMapping | None = None
    """A mapping file (path), its parsed TOML (dict), or a CsvMapping."""
    reader: Reader = "auto"
    """How files are read: ``python`` row by row; ``arrow`` with pyarrow (the ``fast``
    extra), the cells checked a column at a time; ``auto`` (default) with pyarrow for files of
    1 MiB or more where it is installed, and of 16 KiB or more once pyarrow is loaded in the
    process (its import paid). Every way gives the same records, rejections and counts."""

    @model_validator(mode="after")
    def _one_mapping(self) -> CsvOptions:
        if (self.preset is None) == (self.mapping is None):
            raise ValueError("give either preset= or mapping=, not both and not neither")
        if not any(self.files(name) for name in STREAMS):
            raise ValueError(
                "give at least one file: customers=, invoices=, payments=, credit_notes=, "
                "time_entries= or work_requests="
            )
        if self.reader == "arrow" and not arrow_available():
            raise ValueError(
                'reader = "arrow" needs pyarrow: pip install "clientguard-csv[fast]", or set '
                'reader = "auto"'
            )
        return self

    def files(self, stream: str) -> tuple[Path, ...]:
        return tuple(Path(v) for v in self.typed_files(stream))

    def typed_files(self, stream: str) -> tuple[str, ...]:
        """The stream's files as given (a path written as text is kept as typed: ``Path``
        makes ``https://example.com/x.csv`` into ``https:/example.com/x.csv``)."""
        value = getattr(self, stream)
        if value is None:
            return ()
        if isinstance(value, str | Path):
            return (str(value),)
        return tuple(str(v) for v in value)


class CsvConnector(Connector):
    """Invoices, payments, credit notes, customers, time entries and work requests from CSV
    exports, through a TOML mapping or a preset."""

    name: ClassVar[str] = SOURCE
    summary: ClassVar[str] = "CSV exports through a column mapping, with presets for common tools"
    streams: ClassVar[tuple[Stream, ...]] = (
        Stream(name="customers", kind="customer", description="customers file"),
        Stream(name="invoices", kind="invoice",
               description="invoices (and the customers named on them, without a customers "
                           "file)"),
        Stream(name="credit_notes", kind="credit_note", description="credit notes"),
        Stream(name="payments", kind="payment", description="payments, allocated to invoices"),
        Stream(name="time_entries", kind="time_entry", description="time tracker reports"),
        Stream(name="work_requests", kind="work_request", description="work requests"),
    )
    Options: ClassVar[type[ConnectorOptions]] = CsvOptions
    # Files on this machine: a sync is bounded work on the CPU, read with the collector paused.
    bounded_read: ClassVar[bool] = True

    options: CsvOptions

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        # The mapping is read once, here, so that a wrong mapping fails at construction.
        self.mapping: CsvMapping = _mapping_of(self.options)
        # What the streams fetched so far in this sync learned, for the next stream's fetch.
        self._handover: tuple[ReadState, dict[str, tuple[Path, ...]]] | None = None
        started = self.clock
        # The connector by a weak reference: its clock, an attribute of its own, would
        # otherwise hold it in a reference cycle, freed only by the garbage collector.
        connector = weakref.ref(self)

        def clock() -> datetime:
            # A sync reads its clock once, as it starts, before any fetch: nothing read
            # before then is reused.
            this = connector()
            if this is not None:
                this._handover = None
            return started()

        self.clock = clock

    def sources(self) -> dict[str, tuple[Path, ...]]:
        """The files of each stream, as given."""
        return {name: self.options.files(name) for name in STREAMS if self.options.files(name)}

    def check_inputs(self, streams: Sequence[str]) -> None:
        """Each file of ``streams`` is there and can be opened (a mistyped path, a folder, a
        socket, a disk or a file without read permission is a usage mistake, refused before
        a store records a sync): :class:`~clientguard_csv.errors.CsvFileError` in the words
        its read would have used, naming each file as it was typed (``https://...`` stays
        so, not ``https:/...`` as a path writes it). A named pipe (FIFO) or a character
        device (a terminal, ``/dev/stdin``) is refused from its stat, never opened: its open
        would wait for a writer, for ever when none comes (:func:`~clientguard_csv.errors.
        not_a_file`). What is in a file is left to the read."""
        for name in streams:
            for typed, path in zip(self.options.typed_files(name), self.options.files(name),
                                   strict=True):
                try:
                    mode = path.stat().st_mode
                    if stat.S_ISDIR(mode):
                        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
                    refused = not_a_file(typed, mode)
                    if refused is not None:
                        raise CsvFileError(refused.detail, stream=name, path=refused.path)
                    with path.open("rb"):
                        pass
                except OSError as exc:
                    raise CsvFileError(file_unreadable(typed, exc).detail,
                                       stream=name, path=typed) from None

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        """The stream's rows, mapped, in pages (``since`` is ignored: files are read whole)."""
        sources = self.sources()
        state = self._resume(stream.name, sources)
        total = _size(sources.get(stream.name, ()))
        page: list[RawRecord | MadeRecord | MadeRecords] = []
        size = 0  # the records (and other items) on the page
        noted = (0, 0)  # the files whose encoding, and the leading zeros, told so far
        for item in _read_runs(self.mapping, sources, streams=(stream.name,), state=state,
                               source=self.source_name, reader=self.options.reader,
                               described=_described(self.options)):
            if isinstance(item, MadeRecords):
                # A run of records read: cut where a page ends, so that each page holds
                # PAGE_SIZE records and items, as it would hold them one by one.
                start, end = 0, len(item.records)
                while start < end:
                    cut = min(end, start + PAGE_SIZE - size)
                    page.append(item if start == 0 and cut == end else MadeRecords(
                        item.records[start:cut], item.file, item.lines[start:cut]))
                    size += cut - start
                    start = cut
                    if size >= PAGE_SIZE:
                        done, noted = _page(page, state, total, noted)
                        yield done
                        page, size = [], 0
                continue
            # A record read (or a repeat of one) goes to the sync as made: no raw record.
            page.append(item if isinstance(item, MadeRecord) else _raw(item))
            size += 1
            if size >= PAGE_SIZE:
                done, noted = _page(page, state, total, noted)
                yield done
                page, size = [], 0
        notes, noted = _notes(state.log, noted)
        if page or notes:
            yield RawPage((), items=tuple(page), notes=notes, read=total, total=total)
        self._hand_over(state, sources)

    def _resume(self, name: str, sources: dict[str, tuple[Path, ...]]) -> ReadState:
        """The state to read stream ``name`` from: what this sync's earlier streams learned,
        when it fits, else a fresh one. Taken off the connector either way, so that a fetch
        that fails or stops early leaves nothing half read behind."""
        handover, self._handover = self._handover, None
        if handover is None:
            return ReadState()
        state, read_from = handover
        if (read_from != sources or state.through >= STREAMS.index(name)
                or not state.unchanged() or state.source != self.source_name):
            return ReadState()
        return state

    def _hand_over(self, state: ReadState, sources: dict[str, tuple[Path, ...]]) -> None:
        """Keep ``state`` for the next stream's fetch if a later stream has files."""
        later = STREAMS[state.through + 1 :]
        if not any(sources.get(name) for name in later):
            return
        if not any(sources.get(name) for name in later if name in ("credit_notes", "payments")):
            state.forget_invoices()
        self._handover = (state, sources)

    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        """Unwrap what :meth:`fetch` mapped: a record, a skip, or a rejection (raised)."""
        if "record" in raw:
            record: Mapped = raw["record"]
            return record
        if "skip" in raw:
            return Skip(str(raw["skip"]))
        rejection: Rejection = raw["rejection"]
        raise DataError(str(rejection), (rejection,))

    def inspect(self) -> ReadLog:
        """Read every file without building a ledger: how each file was read (encoding,
        delimiter, header line, rows, skipped, records, rejected) and the client names that
        matched no customer."""
        log = ReadLog()
        for _item in read_records(self.mapping, self.sources(), log=log,
                              reader=self.options.reader):
            pass
        return log


def _page(
    items: list[RawRecord | MadeRecord | MadeRecords], state: ReadState, total: int | None,
    noted: tuple[int, int],
) -> tuple[RawPage, tuple[int, int]]:
    """A page of a stream not read to its end yet, with the notes told since ``noted`` and
    how far the read is; and where the next page's notes start."""
    notes, noted = _notes(state.log, noted)
    read = None if total is None else min(state.bytes_read(), total)
    return RawPage((), items=tuple(items), notes=notes, read=read, total=total), noted


def _notes(log: ReadLog, start: tuple[int, int]) -> tuple[tuple[str, ...], tuple[int, int]]:
    """The notes of the read since ``start`` (the files opened, the groups of customer ids
    that differ only by leading zeros found: :attr:`ReadLog.leading_zeros`), and where the
    next call starts. A file's note says its encoding was a guess."""
    files, zeros = start
    notes = tuple(
        f"{f.file}: read as {f.encoding}, a guess from its bytes (set encoding in the "
        "mapping to be sure)" if f.doubt is None else
        f"{f.file}: read as {f.encoding}, a guess from its bytes that may be wrong: {f.doubt}"
        for f in log.files[files:]
        if f.guessed
    ) + tuple(str(group) for group in log.leading_zeros[zeros:])
    return notes, (len(log.files), len(log.leading_zeros))


def _raw(item: Loaded | Rejection | Skipped | Folded) -> RawRecord:
    """An item of a read as the framework's raw record, unwrapped again by ``to_model``. (A
    record read goes to the sync as it is, a :class:`MadeRecord`; a folded repeat is its
    document's record again: the sync counts it as a duplicate.)"""
    if isinstance(item, Loaded | Folded):
        return RawRecord({"record": item.record}, item.location)
    if isinstance(item, Skipped):
        return RawRecord({"skip": item.reason}, item.location)
    raw = item.record if isinstance(item.record, Mapping) else {}
    return RawRecord({**raw, "rejection": item}, item.location)


def _described(options: CsvOptions) -> str:
    """The mapping as errors name it: its preset, its file, or "the mapping"."""
    if options.preset is not None:
        return _("preset {name}").format(name=options.preset)
    if isinstance(options.mapping, (str, Path)):
        return _("the mapping {file}").format(file=options.mapping)
    return _("the mapping")


def _mapping_of(options: CsvOptions) -> CsvMapping:
    if options.preset is not None:
        return load_preset(options.preset)
    given = options.mapping
    if isinstance(given, CsvMapping):
        return given
    if isinstance(given, dict):
        return mapping_from_dict(given)
    assert given is not None
    return load_mapping(given)


def unmatched_names(rejections: Iterable[Rejection]) -> dict[str, int]:
    """From a load report's rejections, the client names (or ids) that matched no customer,
    with how many rows named each, in the order first seen: rows the connector matched
    against its own customers, and time entries the ledger matched against every source's
    (an hours-only export; their hours: ``ledger.report.unmatched``)."""
    counts: dict[str, int] = {}
    for rejection in rejections:
        raw = rejection.record
        name = raw.get("unmatched_name") if isinstance(raw, Mapping) else None
        if (name is None and isinstance(raw, TimeEntry) and rejection.field == "customer_name"
                and raw.customer_id is None):
            name = raw.customer_name
        if isinstance(name, str):
            counts[name] = counts.get(name, 0) + 1
    return counts


def _size(paths: Iterable[Path]) -> int | None:
    """The bytes of ``paths`` together, for progress; None when one cannot be read (the read
    then says why)."""
    try:
        return sum(Path(path).stat().st_size for path in paths)
    except OSError:
        return None
