"""The Parquet layout of the common model: many firms' records in one lake.

A lake is a folder (``ROOT``) holding one table per kind of record, each partitioned by firm
the Hive way (``ROOT/invoices/firm_id=acme/part-0.parquet``), and ``_clientguard_layout.json``
naming the layout and its version (:data:`LAYOUT_VERSION`). Every file also carries the version
in its key-value metadata (``clientguard.layout_version``). ``docs/portfolio.md`` lists every
column; :func:`layout_description` is that list as data.

* Columns are the fields of :mod:`clientguard.model`, by the same names. Money (and rates and
  hours) is ``decimal128(38, 18)``: every amount a record may hold (at most
  :data:`~clientguard.model.MAX_AMOUNT_DIGITS` digits before the point) fits with eighteen
  after it, and a value with more decimals is refused when written, never rounded. Each amount
  sits beside its ``currency``. Dates are ``date32``, timestamps ``timestamp[us, UTC]``.
* Allocations are a table of their own (``allocations``), one row per part of a payment or
  credit note, naming the document (``document_kind``, ``document_id``) and its place in it
  (``position``). A credit note's cash refunds are one too (``refunds``, naming the credit
  note by ``credit_note_id``); a lake written before that table reads as one without
  refunds.
* ``firm`` holds one row per firm: its base currency, how stale an exchange rate may be, and
  the sources' notes and warnings. ``fx_rates`` holds the firm's exchange rates to its base
  currency by the day each applies from, ``fx_published_rates`` the same rates by the day each
  was published where some apply from another day (the NBP's: ``FxTable.published``, empty
  otherwise; a lake without the table reads as empty); ``rejections`` the records its sources
  could not map (kept, as in the store).
* A firm id is what a path may hold: letters, digits, ``.``, ``_`` and ``-``, not starting
  with ``.`` or ``_`` (names readers skip as hidden).
* A firm's acknowledgements of its debtors' debts are the user's CSV files, beside the
  tables in a folder partitioned the same way (:data:`ACKNOWLEDGEMENTS`), read with the
  firm's ledger (:meth:`FirmRecords.acknowledgements`).

:func:`write_firm` writes one firm (every table, an empty file where it has no records, each
file written beside its place and renamed over it, so that a reader never sees half a file and a
second export replaces the first). :func:`read_firm` reads one firm back into a
:class:`~clientguard.ledger.Ledger`: a row that is not a valid record becomes a
:class:`~clientguard.records.Rejection` naming its file and row, as any source's bad row does.

pyarrow is imported when a function here is called, never when the module is imported
(``pip install 'clientguard[parquet]'``).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Context, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, cast

from clientguard.acknowledgements import read_acknowledgements
from clientguard.errors import ClientguardError, ConfigError, DataError, os_reason
from clientguard.gcpause import collector_paused
from clientguard.i18n import gettext, ngettext
from clientguard.ledger import Ledger
from clientguard.metrics.cost import Acknowledgement
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
from clientguard.money import FxTable, exponent, is_currency
from clientguard.portfolio.containment import is_within
from clientguard.records import Link, Location, RecordKey, Rejection

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "ACKNOWLEDGEMENTS",
    "EXPORT_KEY",
    "LAYOUT_FILE",
    "LAYOUT_NAME",
    "LAYOUT_VERSION",
    "PART_FILE",
    "TABLES",
    "VERSION_KEY",
    "FirmRecords",
    "LayoutError",
    "check_firm",
    "check_firm_id",
    "firm_ids",
    "layout_description",
    "read_firm",
    "read_firm_records",
    "replace_file",
    "require_pyarrow",
    "write_firm",
    "write_layout_file",
    "write_table",
]

LAYOUT_NAME: Final = "clientguard-parquet"
LAYOUT_VERSION: Final = 1
"""The layout's version: a reader refuses a lake of a newer version (and says to upgrade)."""
LAYOUT_FILE: Final = "_clientguard_layout.json"
VERSION_KEY: Final = b"clientguard.layout_version"
EXPORT_KEY: Final = b"clientguard.export"
"""The key-value metadata naming the export a file belongs to: the same digest of the firm's
content in every file one :func:`write_firm` writes. A reader refuses a firm whose files name
another export than its ``firm`` table (a second export cut short: some tables new, the rest
the first's). A file without it (another tool's, an older clientguard's) is not checked."""
PART_FILE: Final = "part-0.parquet"
"""The one file of each firm partition: a fixed name, so a second write replaces the first."""
ACKNOWLEDGEMENTS: Final = "acknowledgements"
"""The folder of the firms' acknowledgements files, partitioned by firm as the tables are
(``acknowledgements/firm_id=acme/acknowledged.csv``): CSV files the user puts there, each read
as ``clientguard review --acknowledged FILE`` reads one (:mod:`clientguard.acknowledgements`).
No table of the layout: :func:`write_firm` neither writes nor replaces them, and
:func:`firm_ids` lists no firm for them."""

_FIRM_ID = re.compile(r"[A-Za-z0-9-][A-Za-z0-9._-]{0,199}")
_PARTITION_KEY: Final = "firm_id"
_OTHER_SPELLINGS: Final = tuple(
    spelt for spelt in map("".join, itertools.product(
        *((c.lower(), c.upper()) if c.isalpha() else (c,) for c in _PARTITION_KEY)))
    if spelt != _PARTITION_KEY
)
"""``FIRM_ID``, ``Firm_Id``... : the key spelt in every other case, which another tool may
write (a column named ``FIRM_ID``) and which the layout refuses rather than skips."""
_HIVE_ESCAPE: Final = re.compile(r"%([0-9A-Fa-f]{2})")
"""Hive's (and Spark's) escaping of a character in a partition's name: ``%`` and its code in
two hex digits (``FileUtils.escapePathName``; ``a b`` is written ``a%20b`` on Windows)."""

# (column, type) of every table. Types are names resolved by _arrow_type, so that this module
# imports without pyarrow. Required columns are the model's required fields.
_M = "money"  # decimal128(38, 18)
TABLES: Final[Mapping[str, tuple[tuple[str, str], ...]]] = {
    "firm": (
        ("base_currency", "string"), ("fx_max_staleness_days", "int32"),
        ("notes", "list<string>"), ("warnings", "list<string>"),
    ),
    "customers": (
        ("source", "string"), ("id", "string"), ("name", "string"), ("tax_id", "string"),
        ("email", "string"), ("group_id", "string"), ("updated_at", "timestamp"),
    ),
    "invoices": (
        ("source", "string"), ("id", "string"), ("customer_id", "string"), ("number", "string"),
        ("issue_date", "date"), ("due_date", "date"), ("currency", "string"), ("total", _M),
        ("status", "string"), ("paid_on", "date"), ("amount_due", _M), ("fx_rate", _M),
        ("disputed", "bool"), ("disputed_on", "date"), ("updated_at", "timestamp"),
    ),
    "payments": (
        ("source", "string"), ("id", "string"), ("customer_id", "string"), ("date", "date"),
        ("amount", _M), ("currency", "string"), ("fx_rate", _M),
    ),
    "credit_notes": (
        ("source", "string"), ("id", "string"), ("customer_id", "string"),
        ("issue_date", "date"), ("total", _M), ("currency", "string"), ("fx_rate", _M),
    ),
    "allocations": (
        ("source", "string"), ("document_kind", "string"), ("document_id", "string"),
        ("position", "int32"), ("invoice_id", "string"), ("amount", _M),
        ("currency", "string"), ("date", "date"),
    ),
    "refunds": (
        ("source", "string"), ("credit_note_id", "string"), ("position", "int32"),
        ("amount", _M), ("currency", "string"), ("date", "date"),
    ),
    "time_entries": (
        ("source", "string"), ("id", "string"), ("customer_id", "string"),
        ("customer_name", "string"), ("date", "date"), ("hours", _M), ("person", "string"),
        ("billable", "bool"),
    ),
    "work_requests": (
        ("source", "string"), ("id", "string"), ("customer_id", "string"),
        ("requested_on", "date"), ("wanted_by", "date"),
    ),
    "fx_rates": (("currency", "string"), ("date", "date"), ("rate", _M)),
    "fx_published_rates": (("currency", "string"), ("date", "date"), ("rate", _M)),
    "rejections": (
        ("kind", "string"), ("source", "string"), ("record_id", "string"), ("field", "string"),
        ("reason", "string"), ("location_file", "string"), ("location_line", "int64"),
        ("location_column", "string"), ("location_detail", "string"), ("record", "string"),
    ),
    # The config's [links]: customers of different sources that are one client, a row per
    # customer, those of one link sharing its number (a link may join more than two).
    "links": (("link", "int32"), ("source", "string"), ("customer_id", "string")),
}
"""Every table of the layout with its columns, in order (``docs/portfolio.md``)."""

_COLUMNS: Final = {table: tuple(name for name, _ in columns) for table, columns in TABLES.items()}
_UNITLESS: Final = frozenset({"fx_rate", "hours"})
"""Decimal columns that are not money: given back their significant digits only."""

_RECORD_TABLES: Final[Mapping[str, type[Record]]] = {
    "customers": Customer,
    "invoices": Invoice,
    "payments": Payment,
    "credit_notes": CreditNote,
    "time_entries": TimeEntry,
    "work_requests": WorkRequest,
}
_DOCUMENT_TABLES: Final = {"payment": "payments", "credit_note": "credit_notes"}


class LayoutError(ClientguardError):
    """A lake that cannot be read or written as the layout says: a missing or newer layout,
    a firm that is not there, a file that is not Parquet, a value no column can hold."""


def require_pyarrow() -> Any:
    """The pyarrow module, or a :class:`LayoutError` saying how to install it."""
    try:
        import pyarrow
    except ImportError:
        raise LayoutError(
            gettext("the Parquet layout needs pyarrow: pip install 'clientguard[parquet]'")
        ) from None
    return pyarrow


def layout_description() -> dict[str, Any]:
    """The layout as data: what ``_clientguard_layout.json`` holds."""
    return {
        "layout": LAYOUT_NAME,
        "layout_version": LAYOUT_VERSION,
        "partitioning": "hive: <table>/firm_id=<id>/" + PART_FILE,
        "money": "decimal128(38, 18), beside its currency",
        "tables": {name: dict(columns) for name, columns in TABLES.items()},
    }


def check_firm_id(firm_id: str) -> str:
    """``firm_id`` when a path may hold it (see the module docstring), else a LayoutError.

    A partition name Hive or Spark escaped (``a%20b``) is refused as it is, never decoded:
    every character they escape is one a firm id cannot hold, so the error names the id it
    stands for (``'a b'``) and says what to do."""
    if not isinstance(firm_id, str) or not _FIRM_ID.fullmatch(firm_id):
        raise LayoutError(
            gettext("firm id {id} cannot name a partition: use letters, digits, '.', '_' and "
                    "'-' (at most 200), not starting with '.' or '_'").format(id=repr(firm_id))
            + (_escaped_advice(firm_id) if isinstance(firm_id, str) else "")
        )
    return firm_id


def _escaped_advice(name: str) -> str:
    """What to do with a partition name that is Hive's escaping of another (``a%20b``);
    empty for any other name."""
    if not _HIVE_ESCAPE.search(name):
        return ""
    decoded = _HIVE_ESCAPE.sub(lambda found: chr(int(found[1], 16)), name)
    if _FIRM_ID.fullmatch(decoded):  # escaped by hand: no tool escapes these characters
        return gettext("; it is Hive's escaping of {decoded}: name the partition "
                       "{partition}").format(decoded=repr(decoded),
                                             partition=f"{_PARTITION_KEY}={decoded}")
    return gettext("; it is Hive's escaping of {decoded}, which is no firm id either: give "
                   "the firm an id of those characters").format(decoded=repr(decoded))


def write_layout_file(root: Path) -> None:
    """Write ``_clientguard_layout.json`` into ``root`` (made when missing), or check the one
    there is of this layout's version."""
    root.mkdir(parents=True, exist_ok=True)
    target = root / LAYOUT_FILE
    if target.exists():
        _check_layout(root)
        return
    replace_file(target, (json.dumps(layout_description(), indent=2) + "\n").encode())


def _check_layout(root: Path, *, named: bool = True) -> None:
    """Refuse a folder that is not a lake of this layout, or of a newer version. ``named``:
    say which folder (to the caller who gave it); otherwise the error names the layout file
    only, as a firm's row does (rows and run files never hold the machine's paths)."""
    target = root / LAYOUT_FILE
    shown = str(target) if named else LAYOUT_FILE
    try:
        described = json.loads(target.read_text(encoding="utf-8"))
    except FileNotFoundError:
        # In the reader's language: the driver's (the command line's --lang) and a worker's
        # (the run's, clientguard.portfolio.run.FirmTask.lang).
        message = (gettext("{path} is not a clientguard lake: it has no {file} (write one "
                           "with clientguard export --format parquet)") if named else
                   gettext("the folder is not a clientguard lake: it has no {file} (write one "
                           "with clientguard export --format parquet)"))
        raise LayoutError(message.format(path=root, file=LAYOUT_FILE)) from None
    except (OSError, ValueError) as exc:
        why = str(exc).replace(str(target), shown)
        raise LayoutError(gettext("{file}: cannot be read as JSON: {reason}").format(
            file=shown, reason=why)) from None
    if not isinstance(described, dict) or described.get("layout") != LAYOUT_NAME:
        raise LayoutError(gettext("{file}: not a {layout} layout file").format(
            file=shown, layout=LAYOUT_NAME))
    version = described.get("layout_version")
    if not isinstance(version, int) or version > LAYOUT_VERSION:
        raise LayoutError(_newer(shown, repr(version)))


def firm_ids(root: Path | str) -> tuple[str, ...]:
    """The firms of the lake at ``root``, sorted: every firm with a partition in one of its
    tables (the ``firm`` table, which :func:`write_firm` writes last, and the others).

    A firm with partitions but none in the ``firm`` table (a first export cut short) and a
    partition whose key is spelt in another case (``FIRM_ID=acme``) list their firm too:
    reading that firm then fails, saying why and what to do, rather than the firm being left
    out of a run without a word. A table's folder the user cannot read is a
    :class:`LayoutError` naming it in the lake: the firms it holds cannot be known."""
    root = Path(root)
    _check_layout(root)
    found = set()
    for table in TABLES:
        try:
            entries = os.scandir(root / table)
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError as exc:  # its firms cannot be known: every one's review would fail
            raise _unreadable(root, root / table, exc) from None
        with entries:
            for entry in entries:
                key, equals, firm_id = entry.name.partition("=")
                # A partition that is a file is listed too: reading it fails, saying so.
                if equals and key.lower() == _PARTITION_KEY:
                    found.add(firm_id)
    return tuple(sorted(found))


# ------------------------------------------------------------------------------------ writing


def _arrow_type(pa: Any, name: str) -> pa.DataType:
    types: dict[str, pa.DataType] = {
        "string": pa.string(),
        "int32": pa.int32(),
        "int64": pa.int64(),
        "bool": pa.bool_(),
        "date": pa.date32(),
        "timestamp": pa.timestamp("us", tz="UTC"),
        "money": pa.decimal128(38, 18),
        "list<string>": pa.list_(pa.string()),
    }
    return types[name]


def _schema(pa: Any, table: str) -> pa.Schema:
    return pa.schema(
        [pa.field(name, _arrow_type(pa, kind)) for name, kind in TABLES[table]],
        metadata={VERSION_KEY: str(LAYOUT_VERSION).encode()},
    )


def replace_file(target: Path, content: bytes) -> None:
    """Write ``content`` beside ``target`` and rename it over ``target``: a reader sees the
    old file or the new, never half of one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    # Named for the process and thread, so two attempts at one firm never share one.
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        temporary.write_bytes(content)
        os.replace(temporary, target)
    finally:
        if temporary.exists():
            temporary.unlink()


def write_table(root: Path, table: str, firm_id: str, arrow_table: pa.Table) -> Path:
    """Write ``arrow_table`` as the firm's partition of ``table``, replacing it atomically."""
    pa = require_pyarrow()
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(arrow_table, sink)
    target = root / table / f"firm_id={firm_id}" / PART_FILE
    replace_file(target, sink.getvalue().to_pybytes())
    return target


def _rows_table(pa: Any, table: str, rows: list[dict[str, Any]], firm_id: str) -> pa.Table:
    schema = _schema(pa, table)
    columns = {name: [row.get(name) for row in rows] for name in schema.names}
    try:
        return pa.Table.from_pydict(columns, schema=schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise LayoutError(
            gettext("firm {firm}: a value of the {table} table does not fit its column "
                    "({reason}); amounts hold at most 18 decimals").format(
                firm=firm_id, table=table, reason=exc)
        ) from None


def _record_row(record: AnyRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in type(record).model_fields}


def _location_columns(location: Location | None) -> dict[str, Any]:
    if location is None:
        return {}
    return {
        "location_file": location.file, "location_line": location.line,
        "location_column": location.column, "location_detail": location.detail,
    }


def _rejection_row(rejection: Rejection) -> dict[str, Any]:
    raw = rejection.record
    if isinstance(raw, Record):
        text: str | None = raw.model_dump_json()
    elif raw is None:
        text = None
    else:
        text = json.dumps(raw, default=str, sort_keys=True)
    return {
        "kind": rejection.kind, "source": rejection.source, "record_id": rejection.record_id,
        "field": rejection.field, "reason": rejection.reason, "record": text,
        **_location_columns(rejection.location),
    }


def check_firm(firm_id: str, base_currency: str, fx: FxTable | None = None) -> None:
    """Raise :class:`LayoutError` for what :func:`write_firm` refuses before it writes: a
    firm id a path cannot hold, a base currency that is not one, an ``fx`` to another."""
    check_firm_id(firm_id)
    if not is_currency(base_currency):
        raise LayoutError(gettext("base currency {currency} is not an ISO 4217 code").format(
            currency=repr(base_currency)))
    if fx is not None and fx.base != base_currency:
        raise LayoutError(gettext("the FxTable converts to {fx}, not to {base}").format(
            fx=fx.base, base=base_currency))


def write_firm(
    root: Path | str,
    firm_id: str,
    records: Iterable[AnyRecord],
    *,
    base_currency: str,
    fx: FxTable | None = None,
    rejected: Iterable[Rejection] = (),
    notes: Sequence[str] = (),
    warnings: Sequence[str] = (),
    links: Sequence[Link] = (),
) -> None:
    """Write one firm's records into the lake at ``root``, replacing what it held of the firm.
    ``links`` are the customers of different sources that are one client (the config's
    ``[links]``), which the firm's ledger applies when read (:attr:`FirmRecords.links`).

    Every table gets the firm's partition (an empty file for a kind it has none of), so a
    reader tells "no work requests" from "not exported". Raises :class:`LayoutError` for a firm
    id a path cannot hold, an unknown base currency, or an amount with more than 18 decimals.
    """
    pa = require_pyarrow()
    root = Path(root)
    check_firm(firm_id, base_currency, fx)
    write_layout_file(root)
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    for record in records:
        table = _table_of(record)
        row = _record_row(record)
        if isinstance(record, Payment | CreditNote):
            for position, allocation in enumerate(row.pop("allocations")):
                rows["allocations"].append({
                    "source": record.source, "document_kind": record.kind,
                    "document_id": record.id, "position": position,
                    "invoice_id": allocation.invoice_id, "amount": allocation.amount,
                    "currency": record.currency, "date": allocation.date,
                })
        if isinstance(record, CreditNote):
            for position, refund in enumerate(row.pop("refunds")):
                rows["refunds"].append({
                    "source": record.source, "credit_note_id": record.id,
                    "position": position, "amount": refund.amount,
                    "currency": record.currency, "date": refund.date,
                })
        rows[table].append(row)
    rows["rejections"] = [_rejection_row(r) for r in rejected]
    rows["links"] = [{"link": number, "source": source, "customer_id": ident}
                     for number, link in enumerate(links) for source, ident in link]
    if fx is not None:
        rows["fx_rates"] = [
            {"currency": currency, "date": day, "rate": rate}
            for currency, by_date in sorted(fx.rates.items())
            for day, rate in sorted(by_date.items())
        ]
        rows["fx_published_rates"] = [
            {"currency": currency, "date": day, "rate": rate}
            for currency, by_date in sorted(fx.published.items())
            for day, rate in sorted(by_date.items())
        ]
    rows["firm"] = [{
        "base_currency": base_currency,
        "fx_max_staleness_days": fx.max_staleness_days if fx is not None else None,
        "notes": list(notes), "warnings": list(warnings),
    }]
    tables = {name: _rows_table(pa, name, rows[name], firm_id) for name in TABLES}
    # Every file names the export it belongs to: a digest of the content of all of them, so
    # that a reader tells a second export cut short (some files new, others the first's) from
    # a whole one, and the same records always write the same bytes.
    digest = hashlib.sha256()
    for name in TABLES:
        digest.update(name.encode() + b"\0")
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, tables[name].schema) as stream:
            stream.write_table(tables[name])
        digest.update(sink.getvalue().to_pybytes())
    export = digest.hexdigest()[:32].encode()
    # The firm table last: a firm is listed (firm_ids) once its other tables are in place.
    for table in sorted(TABLES, key=lambda name: name == "firm"):
        arrow_table = tables[table]
        arrow_table = arrow_table.replace_schema_metadata(
            {**(arrow_table.schema.metadata or {}), EXPORT_KEY: export})
        write_table(root, table, firm_id, arrow_table)


def _table_of(record: AnyRecord) -> str:
    for table, model in _RECORD_TABLES.items():
        if type(record) is model:
            return table
    raise LayoutError(gettext("{kind} is not a record of the layout").format(
        kind=type(record).__name__))


# ------------------------------------------------------------------------------------ reading


@dataclass(frozen=True)
class FirmRecords:
    """One firm's records as read from a lake, before they are a ledger: what
    :func:`read_firm` builds from, and what :func:`clientguard.portfolio.review_firm` may be
    given instead of a lake."""

    firm_id: str
    base_currency: str
    records: tuple[AnyRecord, ...]
    fx: FxTable | None = None
    rejected: tuple[Rejection, ...] = ()
    locations: Mapping[RecordKey, Location] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    acknowledgement_files: tuple[tuple[str, Path], ...] = ()
    """The firm's acknowledgements files (:data:`ACKNOWLEDGEMENTS`), in name order: each as
    an error names it (relative to the lake) and where it is."""
    links: tuple[Link, ...] = ()
    """Customers of different sources that are one client (the ``links`` table: what the
    config's ``[links]`` said when the store was exported), each ``(source, id)``."""

    def ledger(self) -> Ledger:
        """The ledger of these records (lenient: a bad record is a rejection, never an
        error)."""
        return Ledger.build(
            self.records, base_currency=self.base_currency, fx=self.fx, strict=False,
            rejected=self.rejected, locations=self.locations, notes=self.notes,
            warnings=self.warnings, links=self.links,
        )

    def acknowledgements(self, ledger: Ledger) -> tuple[Acknowledgement, ...]:
        """The acknowledgements of :attr:`acknowledgement_files`, naming invoices and clients
        of ``ledger`` (this firm's), by the rules of ``--acknowledged``
        (:func:`~clientguard.acknowledgements.read_acknowledgements`). Raises
        :class:`LayoutError` for a row those rules refuse, naming the file relative to the
        lake and the line: the firm is not reviewed without it (a debt left barred that the
        debtor acknowledged would be a claim lost)."""
        if not self.acknowledgement_files:
            return ()
        try:
            return read_acknowledgements([path for _, path in self.acknowledgement_files],
                                         ledger)
        except ConfigError as exc:
            reason = str(exc)
            for shown, path in self.acknowledgement_files:
                reason = reason.replace(str(path), shown)
            raise LayoutError(reason) from None


def read_firm(root: Path | str, firm_id: str) -> Ledger:
    """The ledger of firm ``firm_id`` in the lake at ``root``, built leniently: a row that is
    not a valid record is a rejection in ``ledger.report.rejected`` naming its file and row.

    Raises :class:`LayoutError` when the lake or the firm is not there, a file is not
    Parquet, or the firm's base currency is not a currency.
    """
    return read_firm_records(root, firm_id).ledger()


def read_firm_records(root: Path | str, firm_id: str) -> FirmRecords:
    """The records of firm ``firm_id`` in the lake at ``root`` (see :func:`read_firm`)."""
    root = Path(root)
    check_firm_id(firm_id)
    _check_layout(root, named=False)
    # Bounded work on the CPU that makes every record of the firm (gcpause.py): in a long-lived
    # worker (Dask, Spark) the collector's passes would walk the worker's own objects too.
    with collector_paused():
        return _firm_records(root, firm_id)


def _firm_records(root: Path, firm_id: str) -> FirmRecords:
    exports: dict[str, str] = {}
    tables = {name: list(_read_rows(root, name, firm_id, exports)) for name in TABLES}
    if not tables["firm"]:
        # Named by the firm and the partition, never by the lake's path (a firm's row and
        # the run file say it: they travel, the machine's folders stay).
        partition = f"firm/{_PARTITION_KEY}={firm_id}"
        others = [f"{table}/{_PARTITION_KEY}={firm_id}" for table in TABLES
                  if table != "firm" and (root / table / f"{_PARTITION_KEY}={firm_id}").is_dir()]
        if (root / partition).is_dir():
            held = gettext("the lake has no firm {firm}: {partition} holds no row")
        elif others:
            # The firm table is written last: the other tables of a first export cut short.
            raise LayoutError(ngettext(
                "firm {firm}: {partition} is not there, but {others} is (an export of the "
                "firm cut short: the firm table is written last): export the firm again",
                "firm {firm}: {partition} is not there, but {others} are (an export of the "
                "firm cut short: the firm table is written last): export the firm again",
                len(others)).format(firm=repr(firm_id), partition=partition,
                                    others=", ".join(others)))
        else:
            held = gettext("the lake has no firm {firm}: {partition} is not there")
        raise LayoutError(held.format(firm=repr(firm_id), partition=partition))
    firm_file, _, firm = tables["firm"][0]
    _check_one_export(exports, firm_file)
    base = firm.get("base_currency")
    if not isinstance(base, str) or not is_currency(base):
        raise LayoutError(gettext("{file}, row 1: base_currency {value} is not an ISO 4217 "
                                  "code").format(file=firm_file, value=repr(base)))
    rejected = [_rejection(row) for _, _, row in tables["rejections"]]
    fx = _fx_table(base, firm, tables["fx_rates"], tables["fx_published_rates"])
    records: list[AnyRecord] = []
    locations: dict[RecordKey, Location] = {}
    allocations = _allocations_by_document(tables["allocations"], rejected)
    refunds = _refunds_by_credit_note(tables["refunds"])
    # Where each document's child rows were read again (a part file copied): said by the
    # rejection of the document's own copy, else as rejections of their own, after the loop.
    copied: dict[tuple[str, Any], list[Location]] = {}
    trims: dict[tuple[Decimal, bool, int], Decimal] = {}
    for table, model in _RECORD_TABLES.items():
        for file, row_number, row in tables[table]:
            # The layout's columns only: a lake written by another tool may carry more.
            data = {k: row[k] for k in _COLUMNS[table] if row.get(k) is not None}
            if table in ("payments", "credit_notes"):
                key = (str(row.get("source")), model.kind, str(row.get("id")))
                data["allocations"] = _take(allocations, key, ("allocation", key), copied)
            if table == "credit_notes":
                data["refunds"] = _take(refunds, (key[0], key[2]), ("refund", key), copied)
            try:
                record = cast(AnyRecord, model(**_trimmed(data, trims)))
            except DataError as exc:
                # One rejection per row, naming every field that is wrong (as the store does).
                problems = exc.problems
                rejected.append(Rejection(
                    kind=model.kind, source=str(row.get("source") or "?"),
                    record_id=str(row["id"]) if row.get("id") is not None else None,
                    field=problems[0].field if problems else None,
                    reason="; ".join(
                        f"{p.field}: {p.reason}" if p.field and len(problems) > 1 else p.reason
                        for p in problems) or str(exc),
                    location=Location(file=file, detail=f"row {row_number}"), record=row,
                ))
                continue
            ident = getattr(record, "id", None)
            here = Location(file=file, detail=f"row {row_number}")
            if ident is not None:  # (an entry without an id is not looked up by its place)
                key = (record.kind, record.source, ident)
                first = locations.get(key)
                if first is not None:
                    # The ledger would keep the first too, but knows one place per id: it
                    # would name the copy's place as the first's. Said here, with both.
                    copy = _duplicate(record, ident, first, here)
                    doc = (record.source, record.kind, ident)
                    extra = "".join(_copied_parts(copied.pop((what, doc), []), what)
                                    for what in ("allocation", "refund"))
                    rejected.append(replace(copy, reason=copy.reason + extra) if extra
                                    else copy)
                    continue
                locations[key] = here
            records.append(record)
    for (what, (source, kind, document_id)), places in copied.items():
        for place in places:
            rejected.append(Rejection(
                kind=what, source=source, record_id=None, field="position",
                reason=f"a copy of another {what} row of the {kind.replace('_', ' ')} "
                f"{document_id!r} (the same position, a part file read twice): read once",
                location=place,
            ))
    for (source, kind, document_id), (where, *_) in allocations.items():
        rejected.append(Rejection(
            kind="allocation", source=source, record_id=None, field="document_id",
            reason=f"the {kind.replace('_', ' ')} {document_id!r} it belongs to is not in the "
            f"{_DOCUMENT_TABLES.get(kind, kind)} table",
            location=where,
        ))
    for (source, note_id), (where, *_) in refunds.items():
        rejected.append(Rejection(
            kind="refund", source=source, record_id=None, field="credit_note_id",
            reason=f"the credit note {note_id!r} it belongs to is not in the credit_notes table",
            location=where,
        ))
    return FirmRecords(
        firm_id=firm_id, base_currency=base, records=tuple(records), fx=fx,
        rejected=tuple(rejected), locations=locations,
        notes=tuple(firm.get("notes") or ()), warnings=tuple(firm.get("warnings") or ()),
        acknowledgement_files=_acknowledgement_files(root, firm_id),
        links=_links(tables["links"]),
    )


def _links(rows: list[tuple[str, int, dict[str, Any]]]) -> tuple[Link, ...]:
    """The links of the ``links`` table's rows (``(file, row number, row)``), in the order of
    their numbers, each its customers in the order of their rows. Raises :class:`LayoutError`
    naming the file and the row for a row without its link's number, source or customer: a
    link left out would count one client as two."""
    members: dict[int, list[tuple[str, str]]] = {}
    for file, number, row in rows:
        link, source, ident = row.get("link"), row.get("source"), row.get("customer_id")
        if not isinstance(link, int) or not source or not ident:
            raise LayoutError(gettext(
                "{file}, row {row}: a link's customer needs link, source and customer_id "
                "(the customer's id in that source): write all three, or remove the row"
            ).format(file=file, row=number))
        members.setdefault(link, []).append((str(source), str(ident)))
    return tuple(tuple(customers) for _number, customers in sorted(members.items()))


def _acknowledgement_files(root: Path, firm_id: str) -> tuple[tuple[str, Path], ...]:
    """The firm's acknowledgements files (:data:`ACKNOWLEDGEMENTS`), in name order, each as
    an error names it and where it is; none without the folder. Names starting with ``.`` or
    ``_`` (a spreadsheet's lock file, ``_SUCCESS``) are skipped, as readers skip them.

    Raises :class:`LayoutError`, naming the folder or the file relative to the lake (never
    the machine's folders), for a partition whose key is spelt in another case, a folder
    that cannot be read, and anything else in the folder than ``.csv`` files (any case) of
    the lake: skipped, an acknowledgement saved as ``.xlsx`` would be lost without a word;
    a link to a file outside the lake is not read (:func:`_acknowledgement_file`)."""
    folder = root / ACKNOWLEDGEMENTS / f"{_PARTITION_KEY}={firm_id}"
    _refuse_other_spellings(root, ACKNOWLEDGEMENTS, firm_id, folder)
    try:
        if not folder.is_dir():
            return ()
        paths = sorted(folder.iterdir())
    except OSError as exc:
        raise LayoutError(gettext(
            "{folder}: the firm's acknowledgements folder cannot be read ({problem}): let the "
            "user who runs the review read it and the folders above it in the lake, or move it "
            "out of the lake").format(folder=folder.relative_to(root).as_posix(),
                                      problem=os_reason(exc))) from None
    lake = root.resolve()
    files: list[tuple[str, Path]] = []
    for path in paths:
        if path.name.startswith((".", "_")):
            continue
        shown = path.relative_to(root).as_posix()
        try:
            _acknowledgement_file(path, shown, lake)
        except OSError as exc:  # a link into a folder the review's user cannot read
            raise LayoutError(gettext(
                "{file}: the acknowledgements file cannot be looked at ({problem}): let the "
                "user who runs the review read it and the folders it is in, or move it out "
                "of the lake").format(file=shown, problem=os_reason(exc))) from None
        files.append((shown, path))
    return tuple(files)


def _acknowledgement_file(path: Path, shown: str, lake: Path) -> None:
    """Checks ``path``, a file of the firm's acknowledgements folder, is a CSV file of the
    lake (whose folder, links resolved, is ``lake``); ``shown`` is its name relative to the
    lake. Raises :class:`LayoutError` saying what is wrong otherwise (and the system's
    ``OSError`` where it cannot look, which the caller words): a link to
    nothing, a link out of the lake (whose file the lake's reader would read from wherever
    the link points), a file of another kind, a folder, a pipe or a device."""
    _refuse_links_out(path, shown, lake)
    if path.suffix.lower() != ".csv":
        raise LayoutError(gettext(
            "{file}: the acknowledgements of a firm are CSV files (name.csv): save it as "
            "CSV UTF-8, or move it out of the folder").format(file=shown))
    if path.is_dir():
        raise LayoutError(gettext(
            "{file}: a folder, where the firm's acknowledgements are CSV files (the folders in "
            "it are not read): move its files into the firm's folder, or move it out of the "
            "folder").format(file=shown))
    if not path.is_file():
        raise LayoutError(gettext(
            "{file}: not a file but a pipe, a socket or a device, where the firm's "
            "acknowledgements are CSV files: move it out of the folder").format(file=shown))


def _refuse_links_out(path: Path, shown: str, lake: Path) -> None:
    """Refuse ``path``, a file of the lake at ``lake`` (``shown``: its name relative to the
    lake), when it is a link to nothing or, it or a folder above it in the lake being a link,
    is out of the lake (:func:`~clientguard.portfolio.containment.is_within`): the lake's
    reader would read whatever file of the machine the link names. Raises :class:`OSError`
    where it cannot look (the caller words it)."""
    if path.is_symlink() and not path.exists():
        raise LayoutError(gettext(
            "{file}: a link to a file that is not there: remove the link, or put back the "
            "file it names").format(file=shown))
    if not is_within(path, lake):
        raise LayoutError(gettext(
            "{file}: a link to a file outside the lake: the lake's files are read only from "
            "within it; copy the file here in place of the link").format(file=shown))


def _duplicate(record: AnyRecord, ident: str, first: Location, here: Location) -> Rejection:
    """The rejection of ``record``, read at ``here``, whose id a record of its kind and source
    read at ``first`` has: in the words of the ledger's own (``Ledger.build``)."""
    return Rejection(
        kind=record.kind, source=record.source, record_id=ident, field="id",
        reason=f"duplicate id: another {record.kind} has id {ident} in source "
        f"{record.source} (first from {record.source}, {first}); a source's ids must be "
        "unique per kind: fix the source, or give the two records other ids",
        location=here, record=record,
    )


def _read_rows(root: Path, table: str, firm_id: str, exports: dict[str, str] | None = None
               ) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """``(file, row number from 1, row)`` of every row of the firm's partition of ``table``
    (none when the partition is missing: a kind the firm has none of). ``exports`` gets the
    export each file names (:data:`EXPORT_KEY`), by the file's name relative to the lake.

    Raises :class:`LayoutError` for a partition of the firm whose key is spelt in another
    case, a file that is not Parquet, of a newer layout, without a column a table needs, or
    with a date column of a type that holds no dates."""
    require_pyarrow()
    import pyarrow.parquet as pq

    folder = root / table / f"{_PARTITION_KEY}={firm_id}"
    try:
        _refuse_other_spellings(root, table, firm_id, folder)
    except OSError as exc:  # a table folder the review's user cannot look into
        raise _unreadable(root, root / table, exc) from None
    for path in _part_files(root, folder):
        shown = path.relative_to(root).as_posix()
        try:
            _refuse_links_out(path, shown, root)
        except OSError as exc:
            raise LayoutError(gettext("{file}: cannot be read as Parquet: {reason}").format(
                file=shown, reason=os_reason(exc))) from None
        try:
            file = pq.ParquetFile(path)
            _check_file_version(file.schema_arrow.metadata, shown)
            export = (file.schema_arrow.metadata or {}).get(EXPORT_KEY)
            if export is not None and exports is not None:
                exports[shown] = export.decode("utf-8", "replace")
            parquet = file.read()
        except (OSError, ValueError) as exc:
            why = str(exc).replace(str(path), shown)
            raise LayoutError(gettext("{file}: cannot be read as Parquet: {reason}").format(
                file=shown, reason=why)) from None
        missing = [name for name, kind in TABLES[table] if name not in parquet.column_names
                   and (table, name) in _REQUIRED]
        if missing:
            raise LayoutError(ngettext("{file}: no column {columns}",
                                       "{file}: no columns {columns}", len(missing)).format(
                file=shown, columns=", ".join(missing)))
        _check_date_columns(parquet.schema, table, shown)
        if "firm_id" in parquet.column_names:
            _check_firm_column(parquet.column("firm_id"), firm_id, shown)
        names = [name for name in parquet.column_names if name != "firm_id"]
        columns = [_values(parquet.column(name)) for name in names]
        for number, values in enumerate(zip(*columns, strict=True), start=1):
            yield shown, number, dict(zip(names, values, strict=True))


def _part_files(root: Path, folder: Path) -> list[Path]:
    """The Parquet files of the partition ``folder`` in name order (none when it is not there:
    a kind the firm has none of). Names starting with ``.`` or ``_`` (``_SUCCESS``, ``.crc``
    checksums, macOS's ``._part-0.parquet``) are skipped, as Spark and Hive skip them, and so
    are files not ending in ``.parquet``.

    Raises :class:`LayoutError`, naming the place relative to the lake, for a partition that
    is a file (pandas' ``to_parquet("lake/payments/firm_id=acme")``), a folder in it (Spark's
    ``partitionBy("firm_id", "source")``), and a folder the review's user cannot read: read
    as empty, each would have the firm reviewed without its records."""
    shown = folder.relative_to(root).as_posix()
    try:
        with os.scandir(folder) as listing:
            entries = sorted((entry.name, entry.is_dir()) for entry in listing
                             if not entry.name.startswith((".", "_")))
    except FileNotFoundError:
        return []
    except NotADirectoryError:
        raise LayoutError(gettext(
            "{partition}: a file where the layout has a folder (a partition holds part "
            "files): make a folder of that name and move the file into it as "
            "part-0.parquet").format(partition=shown)) from None
    except OSError as exc:
        raise _unreadable(root, folder, exc) from None
    folders = [name for name, is_folder in entries if is_folder]
    if folders:
        raise LayoutError(ngettext(
            "{partition}: holds the folder {folders}, which is not read (a partition holds part "
            "files, partitioned by firm_id alone): write the table partitioned by firm_id "
            "only, or move the folder out of the lake",
            "{partition}: holds the folders {folders}, which are not read (a partition holds "
            "part files, partitioned by firm_id alone): write the table partitioned by "
            "firm_id only, or move the folders out of the lake",
            len(folders)).format(partition=shown, folders=", ".join(folders)))
    return [folder / name for name, _ in entries if name.endswith(".parquet")]


def _unreadable(root: Path, folder: Path, exc: OSError) -> LayoutError:
    """The error of a folder of the lake the review's user cannot look into, named relative
    to the lake (never the machine's folders)."""
    return LayoutError(gettext(
        "{folder}: the folder cannot be read ({problem}): let the user who runs the review "
        "read it and the folders above it in the lake").format(
        folder=folder.relative_to(root).as_posix(), problem=os_reason(exc)))


def _check_firm_column(column: pa.ChunkedArray, firm_id: str, shown: str) -> None:
    """Refuse a file of the firm's partition whose ``firm_id`` column names another firm (a
    file copied into the wrong partition): its rows would be counted as this firm's. A null
    is the partition's firm."""
    for number, value in enumerate(column.to_pylist(), start=1):
        if value is not None and value != firm_id:
            raise LayoutError(gettext(
                "{file}, row {number}: firm_id is {value}, in the partition of firm {firm}: "
                "move the file to its firm's partition, or write it again").format(
                file=shown, number=number, value=repr(value), firm=repr(firm_id)))


def _refuse_other_spellings(root: Path, table: str, firm_id: str, folder: Path) -> None:
    """Refuse the firm when ``table`` has a partition of it whose key is spelt in another
    case (``invoices/FIRM_ID=acme``), a folder or a file (pandas'
    ``to_parquet("lake/invoices/FIRM_ID=acme")``) or a link: read as the layout says, it
    would be skipped, and the firm reviewed without its records. The error names it relative
    to the lake.

    Each other spelling is looked up by name (63 look-ups a table, a fraction of a
    millisecond), never by listing the table's folder, which holds a partition per firm of
    the lake. On a file system that ignores case the spelling found is the partition itself
    (the same folder or file), and is read (a partition that is a file is refused there, by
    :func:`_part_files`)."""
    if not (root / table).is_dir():
        return
    base = f"{root}{os.sep}{table}{os.sep}"
    for spelt in _OTHER_SPELLINGS:
        other = f"{base}{spelt}={firm_id}"
        if not os.path.lexists(other) or _same_entry(other, folder):
            continue
        partition = f"{table}/{spelt}={firm_id}"
        renamed = f"{table}/{_PARTITION_KEY}={firm_id}"
        if not os.path.isdir(other):
            raise LayoutError(gettext(
                "{partition}: a file named as the firm's partition with its key spelt in "
                "another case, which readers skip (a partition is a folder named {key}=, in "
                "lower case, holding the files): make the folder {renamed} and move the file "
                "into it, or move the file out of the lake").format(
                partition=partition, key=_PARTITION_KEY, renamed=renamed))
        message = (
            gettext("{partition}: a partition of the layout is named {key}=, in lower "
                    "case, and readers skip other spellings: rename it {renamed} (moving "
                    "its files into the one there)") if folder.is_dir() else
            gettext("{partition}: a partition of the layout is named {key}=, in lower "
                    "case, and readers skip other spellings: rename it {renamed}"))
        raise LayoutError(message.format(partition=partition, key=_PARTITION_KEY,
                                         renamed=renamed))


def _same_entry(other: str, folder: Path) -> bool:
    """Whether ``other`` is ``folder`` itself (a file system that ignores case): a link to
    nothing, or a ``folder`` that is not there, is not."""
    try:
        return os.path.samefile(other, folder)
    except OSError:
        return False


def _check_one_export(exports: Mapping[str, str], firm_file: str) -> None:
    """Refuse the firm when a file of it names another export than its ``firm`` table
    (written last by :func:`write_firm`): an export of the firm cut short (a full disk, a
    killed process) left some tables of the new export beside the others of the previous
    one, whose records do not go together (new invoices with old payments read as unpaid)."""
    expected = exports.get(firm_file)
    if expected is None:  # a firm table another tool (or an older clientguard) wrote
        return
    others = sorted(shown for shown, export in exports.items() if export != expected)
    if others:
        raise LayoutError(ngettext(
            "{files} is from another export of the firm than {firm_file} (an export cut "
            "short, or a file copied in from another export): export the firm again",
            "{files} are from another export of the firm than {firm_file} (an export cut "
            "short, or files copied in from another export): export the firm again",
            len(others)).format(files=", ".join(others), firm_file=firm_file))


def _check_file_version(metadata: Mapping[bytes, bytes] | None, shown: str) -> None:
    """Refuse a file whose metadata says it is of a newer layout (or of none), as
    :func:`_check_layout` refuses such a lake. A file without the key (another tool's) is
    read as the lake's layout file says."""
    raw = (metadata or {}).get(VERSION_KEY)
    if raw is None:
        return
    text = raw.decode("utf-8", "replace")
    if not (text.isascii() and text.isdigit() and int(text) >= 1):
        raise LayoutError(
            gettext("{file}: {value} is not a layout version (its metadata's {key}): write "
                    "the file again with clientguard export, or upgrade clientguard if a "
                    "newer one wrote it").format(
                file=shown, value=repr(text), key=VERSION_KEY.decode())
        )
    if int(text) > LAYOUT_VERSION:
        raise LayoutError(_newer(shown, str(int(text))))


def _newer(shown: str, version: str) -> str:
    """The error of a lake or file of a layout version newer than this clientguard reads (or
    of no version), in the active language."""
    return gettext("{file}: layout version {version} is newer than this clientguard reads "
                   "({supported}): upgrade clientguard").format(
        file=shown, version=version, supported=LAYOUT_VERSION)


_UTC_ZONES: Final = frozenset({"UTC", "Etc/UTC", "+00:00", "Z", "utc"})
"""The zones of a timestamp column read as dates: UTC's names (Spark writes every timestamp
adjusted to UTC, which pyarrow reads as ``UTC``)."""


def _check_date_columns(schema: pa.Schema, table: str, shown: str) -> None:
    """Refuse, once for the file, a date column of a type that holds no dates: a number (days
    or seconds since 1970? nothing in the file says), or a timestamp in a zone other than UTC
    (an instant, whose date depends on the zone). ``date32`` and ``date64``, ISO text, and a
    timestamp without a zone or in UTC are read; a value of those that is no date (text that
    is not one, a timestamp not at midnight) is its row's rejection."""
    import pyarrow as pa

    for name, kind in TABLES[table]:
        if kind != "date" or name not in schema.names:
            continue
        held = schema.field(name).type
        value = held.value_type if pa.types.is_dictionary(held) else held
        if (pa.types.is_date(value) or pa.types.is_null(value) or pa.types.is_string(value)
                or pa.types.is_large_string(value)
                or (pa.types.is_timestamp(value) and (value.tz is None
                                                      or value.tz in _UTC_ZONES))):
            continue
        raise LayoutError(
            gettext("{file}: column {column} of the {table} table is {type}, not a date: "
                    "write it as date32 (or as a timestamp at midnight UTC)").format(
                file=shown, column=name, table=table, type=held)
        )


def _values(column: pa.ChunkedArray) -> list[Any]:
    """A column's Python values (what ``to_pylist`` gives). Dates and decimals repeat across
    a firm's rows (days, amounts, hours): each distinct one is made once and shared by its
    rows, which is faster than one object per cell and keeps one in memory."""
    import pyarrow as pa

    kind = column.type
    if not (pa.types.is_date32(kind) or pa.types.is_decimal(kind)):
        return cast(list[Any], column.to_pylist())
    encoded = column.combine_chunks().dictionary_encode()
    distinct = encoded.dictionary.to_pylist()
    return [None if at is None else distinct[at] for at in encoded.indices.to_pylist()]


_REQUIRED: Final = frozenset({("firm", "base_currency")})
"""Columns without which a table cannot be read at all (a missing record column is each
record's own error, named by the model)."""


def _trimmed(
    data: dict[str, Any], trims: dict[tuple[Decimal, bool, int], Decimal]
) -> dict[str, Any]:
    """``data`` with its money as the source wrote it: a ``decimal128(38, 18)`` value comes
    back with eighteen decimals (``12.500000000000000000``); it is given back the currency's
    own places when they hold it exactly (``12.50``), else its significant ones.

    ``trims`` keeps each trim made, by value, sign and places (a trim depends on the number
    and its sign only: ``1.5`` and ``1.50`` trim alike, ``0`` and ``-0`` do not): a firm's
    amounts, hours and rates repeat."""
    currency = data.get("currency")
    places = _places_of(currency) if isinstance(currency, str) else 2
    for name, value in data.items():
        if type(value) is Decimal:
            key = (value, value.is_signed(), 0 if name in _UNITLESS else places)
            trimmed = trims.get(key)
            if trimmed is None:
                trimmed = trims[key] = _trim(value, key[2])
            data[name] = trimmed
        elif name in ("allocations", "refunds"):
            for part in value:
                part["amount"] = _trim(part["amount"], places) if isinstance(
                    part.get("amount"), Decimal) else part.get("amount")
    return data


_PLACES: dict[str, int] = {}
"""A currency's minor-unit places, by code, as :func:`_trimmed` has looked them up."""


def _places_of(currency: str) -> int:
    places = _PLACES.get(currency)
    if places is None:
        places = exponent(currency) if is_currency(currency) else 2
        if len(_PLACES) < 1_000:  # codes are few; a lake of junk codes does not grow this
            _PLACES[currency] = places
    return places


_QUANTA: Final = tuple(Decimal(1).scaleb(-places) for places in range(19))
"""``1``, ``0.1`` ... ``1E-18``: the quantum of each number of places a trim keeps."""
_EXACT: Final = Context(prec=200)
"""A context that holds every decimal a Parquet file may (``decimal256``: 76 digits) with the
places a trim gives it, so that a trim is exact: in the default context's 28 digits,
``quantize`` fails past them (``decimal(38, 0)`` holding 10^37) and ``normalize`` rounds (an
amount of 17 digits before the point and 18 after). The model then says what it refuses
(``docs/model-bounds.md``), as that row's rejection."""


def _trim(value: Decimal, places: int) -> Decimal:
    if not value.is_finite():
        return value
    quantum = _QUANTA[places] if 0 <= places < len(_QUANTA) else Decimal(1).scaleb(-places)
    kept = value.quantize(quantum, context=_EXACT)
    if kept == value:
        return kept  # exactly the currency's places (an exponent of -places, never above 0)
    kept = value.normalize(context=_EXACT)
    # normalize() writes 100 as 1E+2: the same number, in plain digits.
    if kept.as_tuple().exponent <= 0:  # type: ignore[operator]
        return kept
    return kept.quantize(_QUANTA[0], context=_EXACT)


Parts = dict[Any, tuple[Location, list[dict[str, Any]], list[Location]]]
"""Child rows (allocations, refunds) by their document: where the first row is, the parts in
their ``position`` order, and where each copy of a part is (:func:`_by_document`)."""


def _by_document(found: dict[Any, tuple[Location, list[tuple[Any, Location, dict[str, Any]]]]]
                 ) -> Parts:
    """The parts of each document, in ``position`` order: a row whose document, position and
    values an earlier row (in file and row order) has is a copy (a part file copied beside
    its first, as a job that ran twice leaves it), kept out of the parts and its place given
    back, so that a document read twice is never paid or refunded twice. Rows of one
    position with other values (a tool that writes no real position) are all kept, as are
    rows without a position, after the others in the order read."""
    grouped: Parts = {}
    for key, (where, rows) in found.items():
        kept: dict[tuple[Any, ...], tuple[int, Any, int, dict[str, Any]]] = {}
        copies: list[Location] = []
        for order, (position, here, part) in enumerate(rows):
            if position is None:
                kept[(None, order)] = (1, order, order, part)
                continue
            slot = (position, *sorted((name, repr(value)) for name, value in part.items()))
            if slot in kept:
                copies.append(here)
                continue
            kept[slot] = (0, position, order, part)
        parts = [part for *_, part in sorted(
            kept.values(), key=lambda kept_part: kept_part[:3])]
        grouped[key] = (where, parts, copies)
    return grouped


def _allocations_by_document(
    rows: list[tuple[str, int, dict[str, Any]]], rejected: list[Rejection]
) -> Parts:
    """The allocation rows by document ``(source, kind, id)`` (:func:`_by_document`)."""
    found: dict[Any, tuple[Location, list[tuple[Any, Location, dict[str, Any]]]]] = {}
    for file, number, row in rows:
        kind = row.get("document_kind")
        where = Location(file=file, detail=f"row {number}")
        if kind not in _DOCUMENT_TABLES:
            rejected.append(Rejection(
                kind="allocation", source=str(row.get("source") or "?"), record_id=None,
                field="document_kind",
                reason=f"{kind!r} is not a document an allocation belongs to (payment or "
                "credit_note)", location=where, record=row,
            ))
            continue
        part = {"invoice_id": row.get("invoice_id"), "amount": row.get("amount")}
        if row.get("date") is not None:
            part["date"] = row["date"]
        key = (str(row.get("source")), str(kind), str(row.get("document_id")))
        found.setdefault(key, (where, []))[1].append((row.get("position"), where, part))
    return _by_document(found)


def _refunds_by_credit_note(rows: list[tuple[str, int, dict[str, Any]]]) -> Parts:
    """The refund rows by credit note ``(source, id)`` (:func:`_by_document`)."""
    found: dict[Any, tuple[Location, list[tuple[Any, Location, dict[str, Any]]]]] = {}
    for file, number, row in rows:
        part = {"amount": row.get("amount")}
        if row.get("date") is not None:
            part["date"] = row["date"]
        key = (str(row.get("source")), str(row.get("credit_note_id")))
        where = Location(file=file, detail=f"row {number}")
        found.setdefault(key, (where, []))[1].append((row.get("position"), where, part))
    return _by_document(found)


def _take(parts: Parts, key: Any, named: tuple[str, Any],
          copied: dict[tuple[str, Any], list[Location]]) -> list[dict[str, Any]]:
    """The parts of the document ``key`` (none if it has none), taken out of ``parts``; the
    places of its copied rows go to ``copied`` under ``named`` (kind of row, document)."""
    taken = parts.pop(key, None)
    if taken is None:
        return []
    _, kept, copies = taken
    if copies:
        copied.setdefault(named, []).extend(copies)
    return kept


def _copied_parts(copies: list[Location], what: str) -> str:
    """The words a copied document's rejection adds for its child rows read twice."""
    if not copies:
        return ""
    return f"; its {what} rows read again, not counted twice: {'; '.join(map(str, copies))}"


def _rejection(row: dict[str, Any]) -> Rejection:
    location = None
    if any(row.get(f"location_{part}") is not None
           for part in ("file", "line", "column", "detail")):
        location = Location(
            file=row.get("location_file"), line=row.get("location_line"),
            column=row.get("location_column"), detail=row.get("location_detail"),
        )
    raw = row.get("record")
    try:
        record = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        record = raw
    return Rejection(
        kind=str(row.get("kind") or "row"), source=str(row.get("source") or "?"),
        record_id=row.get("record_id"), field=row.get("field"),
        reason=str(row.get("reason") or ""), location=location, record=record,
    )


def _rates_by_currency(
    rows: list[tuple[str, int, dict[str, Any]]],
) -> dict[str, dict[date, Decimal]]:
    """The rates of an exchange-rate table of the lake, by currency and day."""
    by_currency: dict[str, dict[date, Decimal]] = {}
    for file, number, row in rows:
        currency, day, rate = row.get("currency"), row.get("date"), row.get("rate")
        if not (isinstance(currency, str) and isinstance(day, date)
                and isinstance(rate, Decimal)):
            raise LayoutError(gettext("{file}, row {number}: an exchange rate needs a "
                                      "currency, a date and a rate").format(
                file=file, number=number))
        by_currency.setdefault(currency, {})[day] = _trim(rate, 0)
    return by_currency


def _fx_table(
    base: str, firm: dict[str, Any], rows: list[tuple[str, int, dict[str, Any]]],
    published_rows: list[tuple[str, int, dict[str, Any]]],
) -> FxTable | None:
    staleness = firm.get("fx_max_staleness_days")
    if not rows and staleness is None:
        return None
    try:
        return FxTable(base, _rates_by_currency(rows), staleness if staleness is not None else 7,
                       published=_rates_by_currency(published_rows))
    except DataError as exc:
        raise LayoutError(gettext("the exchange rates of the lake: {reason}").format(
            reason=exc)) from None
