"""What every layer shares about records: where one came from, why one was turned away, and
how a record is named.

A record's identity is (source, kind, id): ``source`` is the name of the source it came from
(the ``[sources.NAME]`` table of ``clientguard.toml``, or the connector's name when it was
pulled without a config), ``kind`` what it is (``invoice``, ``payment``...), and ``id`` its id
in that source. Two sources may both have an invoice "2"; one source may not.

In a ledger that holds records of **one** source, a record is looked up by its id, as the
source has it. In a ledger of **several** sources every record is looked up by its *ledger
key* ``source:id`` (:func:`ledger_key`), and the records in the ledger carry that key as their
``id`` (and in ``customer_id``, ``group_id`` and each allocation's ``invoice_id``), so that
``settle(...)``, ``payment_profiles(...)`` and ``Review.clients`` stay unambiguous. Source
names never contain ``:``, so :func:`split_key` finds the source and the id again.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from clientguard.i18n import language, pgettext

__all__ = [
    "KEY_SEPARATOR",
    "Link",
    "Location",
    "Locations",
    "RecordKey",
    "Rejection",
    "ledger_key",
    "split_key",
]

RecordKey = tuple[str, str, str]
"""``(kind, source, id)``: a record's identity, as a locations map is keyed (the id is the
record's id in its source). The order is the one connectors and ``Ledger.build(locations=)``
have always used."""

Link = tuple[tuple[str, str], ...]
"""Customers that are one client, each ``(source, id)``: the same client in two sources (the
old invoicing tool and the new one). A ledger counts them as one, like a group."""

KEY_SEPARATOR = ":"
"""Between the source and the id in a ledger key of a ledger of several sources."""


def ledger_key(source: str, record_id: str) -> str:
    """The key of a record in a ledger of several sources: ``"wave:2"``."""
    return f"{source}{KEY_SEPARATOR}{record_id}"


def split_key(key: str) -> tuple[str | None, str]:
    """``(source, id)`` of a ledger key ``source:id``; ``(None, key)`` when it has no source.

    Source names never contain ``:`` (the config refuses them), so the first ``:`` ends the
    source; an id may contain ``:`` itself.
    """
    source, separator, record_id = key.partition(KEY_SEPARATOR)
    if not separator:
        return None, key
    return source, record_id


@dataclass(frozen=True, slots=True)
class Location:
    """Where a record came from in its source: a file and line, a column, an API page."""

    file: str | None = None
    line: int | None = None
    column: str | None = None
    detail: str | None = None
    """Anything else that finds it, e.g. ``"GET Invoices page 3"``."""

    def __str__(self) -> str:
        """The place in English (``inv.csv, line 8, column 'Total'``), the same in every
        language: what the load report, the logs and a rejection's ``str()`` keep."""
        return self._written("line {line}", "column {column}")

    def words(self) -> str:
        """The place in the active language, for a person to read: ``inv.csv, wiersz 8,
        kolumna 'Total'`` in Polish, ``str()`` in English. The file, the column's name and
        the detail (``GET Invoices page 3``) are names and stay as they are; the store keeps
        a location as JSON of its fields, never these words."""
        if language() == "en":
            return str(self)
        return self._written(pgettext("a record's place", "line {line}"),
                             pgettext("a record's place", "column {column}"))

    def _written(self, line: str, column: str) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.line is not None:
            parts.append(line.format(line=self.line))
        if self.column:
            parts.append(column.format(column=repr(self.column)))
        if self.detail:
            parts.append(self.detail)
        return ", ".join(parts)


class Locations(Mapping[RecordKey, Location]):
    """Where each record came from, by :data:`RecordKey`, as a mapping (what a pull gives a
    ledger: an entry for every record), held compactly.

    A flat dict would keep a key tuple (64 bytes) and a :class:`Location` (64 bytes) a record.
    Here the records of one kind and source are a dict by id, and a location that is only a
    line of the file the first record of that kind and source came from (a CSV row's) is kept
    as that line; the :class:`Location` is made again, equal, when it is asked for. Anything
    else is kept as it is. Iterates by kind and source, each in the order first added.
    """

    def __init__(self, locations: Mapping[RecordKey, Location] | None = None) -> None:
        self._by: dict[tuple[str, str], tuple[str | None, dict[str, Location | int]]] = {}
        self._count = 0
        if locations:
            self.add(locations)

    def add(self, locations: Mapping[RecordKey, Location]) -> None:
        """Add (or replace) the entries of ``locations``, as ``dict.update`` would."""
        if isinstance(locations, Locations):
            self._merge(locations)
            return
        put = self.put
        for (kind, source, ident), location in locations.items():
            put(kind, source, ident, location)

    def put(self, kind: str, source: str, ident: str, location: Location) -> None:
        """Add (or replace) the entry of ``(kind, source, ident)``: ``self[key] = location``
        without the key's tuple."""
        group = self._by.get((kind, source))
        if group is None:
            group = self._by[(kind, source)] = (location.file, {})
        file, ids = group
        before = len(ids)
        if (location.line is not None and location.column is None
                and location.detail is None and location.file == file):
            ids[ident] = location.line
        else:
            ids[ident] = location
        self._count += len(ids) - before

    def put_line(self, kind: str, source: str, ident: str, file: str, line: int) -> None:
        """``put`` of ``Location(file, line)``, without making the location where ``file`` is
        the group's (a store's record read back from its row's text)."""
        group = self._by.get((kind, source))
        if group is None:
            group = self._by[(kind, source)] = (file, {})
        ids = group[1]
        before = len(ids)
        ids[ident] = line if group[0] == file else Location(file, line)
        self._count += len(ids) - before

    def put_lines(
        self, kind: str, source: str, file: str | None, idents: Sequence[str],
        lines: Sequence[int],
    ) -> None:
        """``put`` of ``Location(file, line)`` for each of ``idents`` and its line, in order:
        a run of records of one file's rows, without a location object each where ``file`` is
        the group's."""
        group = self._by.get((kind, source))
        if group is None:
            group = self._by[(kind, source)] = (file, {})
        ids = group[1]
        before = len(ids)
        if group[0] == file:
            ids.update(zip(idents, lines, strict=True))
        else:
            for ident, line in zip(idents, lines, strict=True):
                ids[ident] = Location(file, line)
        self._count += len(ids) - before

    def _merge(self, other: Locations) -> None:
        """``add`` of another :class:`Locations` (a sync's page): group by group, its lines
        taken as they are kept where both groups' lines are of one file."""
        for key, (file, entries) in other._by.items():
            group = self._by.get(key)
            if group is None:
                self._by[key] = (file, dict(entries))
                self._count += len(entries)
                continue
            if group[0] == file:
                ids = group[1]
                before = len(ids)
                ids.update(entries)
                self._count += len(ids) - before
                continue
            kind, source = key
            for ident, found in entries.items():
                self.put(kind, source, ident,
                         Location(file, found) if type(found) is int else found)  # type: ignore[arg-type]

    def __getitem__(self, key: RecordKey) -> Location:
        kind, source, ident = key
        group = self._by.get((kind, source))
        if group is None:
            raise KeyError(key)
        found = group[1].get(ident)
        if found is None:
            raise KeyError(key)
        return Location(group[0], found) if type(found) is int else found  # type: ignore[return-value]

    def group(self, kind: str, source: str) -> tuple[str | None, Mapping[str, Location | int]]:
        """The entries of one kind and source, by id, without making their locations: an
        ``int`` is a line of the returned file (``Location(file, line)``), anything else the
        :class:`Location` itself. Empty when there is none."""
        file, ids = self._by.get((kind, source), (None, {}))
        return file, ids

    def __iter__(self) -> Iterator[RecordKey]:
        for (kind, source), (_, ids) in self._by.items():
            for ident in ids:
                yield kind, source, ident

    def __len__(self) -> int:
        return self._count

    def __repr__(self) -> str:
        return f"Locations({dict(self.items())!r})"


@dataclass(frozen=True, slots=True)
class Rejection:
    """A record that was not loaded, with the reason and where it came from."""

    kind: str
    """What the record is: ``invoice``, ``payment``, ... or ``row`` for unmapped input."""
    source: str
    """The source it came from (the ``[sources.NAME]`` table, else the connector's name)."""
    record_id: str | None
    """Its id in the source, where it has one."""
    field: str | None
    """The field that is wrong, where one is."""
    reason: str
    """What is wrong, in words a person acts on."""
    location: Location | None = None
    """Where it is in the source (file, line, column), where known."""
    record: object = None
    """The record itself, or the raw input that could not be mapped."""

    def __str__(self) -> str:
        """``invoice A-2 (csv, inv.csv, line 8, column 'Total'): total: ...``: English, as
        the load report and the logs keep it."""
        return self._written(str(self.location) if self.location else None)

    def words(self) -> str:
        """``str()`` with the record's place in the active language
        (:meth:`Location.words`: ``inv.csv, wiersz 8, kolumna 'Total'``), for a person to
        read; the kind, source, id and field are names, and the reason stays as stored
        (English; ``clientguard.money.rejection_words`` also words a missing rate)."""
        return self._written(self.location.words() if self.location else None)

    def _written(self, place: str | None) -> str:
        who = f"{self.kind} {self.record_id}" if self.record_id else self.kind
        where = f"{self.source}, {place}" if place is not None else self.source
        what = f"{self.field}: {self.reason}" if self.field else self.reason
        return f"{who} ({where}): {what}"
