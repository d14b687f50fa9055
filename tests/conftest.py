"""Helpers the core's tests share (the fixtures every test shares, the connectors' too, are in
the repository's root conftest.py).

A test module imports what it needs from here relatively (``from .conftest import
GivenRecords``), as the QuickBooks tests import their clock.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

from clientguard.connector import Connector, ConnectorOptions, Mapped, RawPage, RawRecord, Stream
from clientguard.model import AnyRecord
from clientguard.records import Location

#: The stream each kind of record is read from, as the connectors name them.
RECORD_STREAMS = {"customer": "customers", "invoice": "invoices", "payment": "payments",
                  "credit_note": "credit_notes", "time_entry": "time_entries",
                  "work_request": "work_requests"}


class GivenRecordsOptions(ConnectorOptions):
    records: list[Any]


class GivenRecords(Connector):
    """A source of every kind that yields the records it is given, unchanged, each stream's at
    lines 2, 3, ... of ``<stream>.csv`` (in :attr:`column`, where it names one), as of 1 June
    2025 12:00 UTC. A subclass changes its name, streams, column or raw record (:meth:`raw`)."""

    name: ClassVar[str] = "given"
    streams: ClassVar[tuple[Stream, ...]] = tuple(
        Stream(name=stream, kind=kind, id_field="id")  # type: ignore[arg-type]
        for kind, stream in RECORD_STREAMS.items())
    Options = GivenRecordsOptions
    options: GivenRecordsOptions
    #: The column every record's location names (None: none).
    column: ClassVar[str | None] = None

    def __init__(self, records: list[AnyRecord]) -> None:
        super().__init__(clock=lambda: datetime(2025, 6, 1, 12, 0, tzinfo=UTC), records=records)

    def raw(self, record: AnyRecord) -> dict[str, Any]:
        """The raw record ``record`` is read from: it, and its id (None where it has none)."""
        return {"record": record, "id": getattr(record, "id", None)}

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        rows = [r for r in self.options.records if RECORD_STREAMS[r.kind] == stream.name]
        yield RawPage(tuple(
            RawRecord(self.raw(r), Location(file=f"{stream.name}.csv", line=line,
                                            column=self.column))
            for line, r in enumerate(rows, start=2)))

    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        record: AnyRecord = raw["record"]
        return record
