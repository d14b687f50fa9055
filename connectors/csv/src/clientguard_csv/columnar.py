"""The columnar reader (``reader = "arrow"``): a large file's rows in blocks, its cells checked
a column at a time, and the records of the rows that pass every check made without being
validated again.

The row reader (:func:`clientguard_csv.textfile.iter_rows`) hands each row to the record
builder, which reads every cell in Python and has pydantic validate every record. Here, with
pyarrow (the ``fast`` extra, ``pip install 'clientguard-csv[fast]'``), a file is read a block
of rows at a time and:

* **the text is parsed by pyarrow's CSV reader** where the file is one whose lines are its rows
  exactly: a single-byte encoding or UTF-8 that decodes without an error, no quote character
  after the header, no blank line, no lone carriage return, no NUL, every row as wide as the
  header. Then the row on line N is the N-th line, as the row reader counts it. Any other file
  is parsed by the row reader itself (the same rows, lines and row errors), and only the
  checks below are done a block at a time;
* **the cells of the bulk streams are checked a column at a time**: the amounts of a block by
  one regular expression (pyarrow's compute, RE2: ASCII digits only, the mapping's
  separators, at most 18 digits before the decimal point and 6 after it, no sign), the
  dates, currencies and statuses once per distinct cell (by the same
  :class:`~clientguard_csv.dates.DateReader` and status table as the row reader), with the
  model's bounds (dates within ``FIRST_DATE`` to ``LAST_DATE``, amounts non-negative and
  below 10^18, hours within :func:`~clientguard.model.hours_in_bounds`, rates within
  :func:`~clientguard.model.rate_in_bounds`, an ISO 4217 currency).
  A row whose cells all pass carries its values (:attr:`Row.checked`); the builder then makes
  its record from them with :func:`clientguard.trust.checked_record_in_order`, without a
  validator;
* **every other row goes the row reader's way**: a cell that is not in the plain form (a
  marker, a sign, a date that does not parse, a customer not yet known) leaves the row
  unchecked, and the builder reads and validates it exactly as without pyarrow, so that its
  rejection (file, line, column, reason) is the one the row reader gives.

The checks only ever decide *whether* a row takes the short way; the short way gives the
record the long way gives (tested field by field, with the fields set, on real exports, the
fuzz corpus, the benchmark's files and random messy cells). Checked so far: invoices (one row
each, a total column, no dispute columns, amounts as they are written), the amounts and
allocations of payments, time entries (the date, the hours and the billable flag, read once
per distinct cell by the row reader's own functions; the client matched by the builder to a
customer known by id, or by a name matched before) and work requests (their two dates; the
client likewise). The other streams (customers, credit notes: small beside these) are read by
the row reader alone, streaming: the columnar reader holds a file's text in pyarrow's columns
(about the file's size) while it reads it.
"""

from __future__ import annotations

import codecs
import csv
import importlib.util
import io
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple, TypeVar

from clientguard.connector import MAPPING_ERRORS
from clientguard.model import (
    FIRST_DATE,
    LAST_DATE,
    MAX_AMOUNT_DIGITS,
    MIN_AMOUNT,
    hours_in_bounds,
    rate_in_bounds,
)
from clientguard.money import is_currency
from clientguard_csv.amounts import AmountFormat, plain_value
from clientguard_csv.excel_numbers import SCIENTIFIC_RE2, is_scientific
from clientguard_csv.fields import FieldReader, RowError, clean_text
from clientguard_csv.mapping import StreamMapping
from clientguard_csv.report_rows import TOTALS_WORDS_RE2, totals_label
from clientguard_csv.textfile import CsvRowError, Layout, Row, iter_rows

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "ARROW_LOADED_MIN_BYTES",
    "ARROW_MIN_BYTES",
    "BATCH_ROWS",
    "STREAMED_ABOVE",
    "CheckedBlock",
    "CheckedInvoice",
    "CheckedPayment",
    "CheckedTimeEntry",
    "CheckedWorkRequest",
    "arrow_available",
    "arrow_loaded",
    "checked_rows",
    "document_fields",
]

#: Files at least this large are read by the columnar reader under ``reader = "auto"``
#: (about 10,000 invoice rows): below it, importing pyarrow costs more than it saves.
ARROW_MIN_BYTES = 1 << 20
#: Once pyarrow is loaded in the process (a portfolio's later firms, an application that
#: uses it), files at least this large (about 170 invoice rows) are read by the columnar
#: reader under ``reader = "auto"``: its fixed cost is about a millisecond a file, and it
#: saves about 10 µs a row (measured: 150 rows 5.3 against 5.8 ms, 600 rows 10-12 against
#: 16 ms; 50 rows 4.4 against 3.8).
ARROW_LOADED_MIN_BYTES = 16 << 10
#: Rows checked together: a block's columns are a few MiB of Python strings at most.
BATCH_ROWS = 8192
#: Time entries and work requests files larger than this are parsed by the row reader, a
#: block of rows at a time, their cells still checked by columns: their reading streams.
STREAMED_ABOVE = 1 << 20
#: Encodings whose line ends, delimiters and quotes are the ASCII bytes: pyarrow parses
#: files in them (after decoding to UTF-8); others (UTF-16) go to the row reader.
_BYTE_ENCODINGS = frozenset({"utf-8", "cp1250", "cp1252", "latin-1", "iso-8859-2"})


class CheckedInvoice(NamedTuple):
    """An invoice row's values, checked against every rule of :class:`~clientguard.model.Invoice`
    (the dispute fields are not read: a file with dispute columns is not checked)."""

    id: str
    customer_id: str
    number: str
    issue_date: date
    due_date: date
    currency: str
    total: Decimal
    status: str
    paid_on: date | None
    amount_due: Decimal | None
    fx_rate: Decimal | None


class CheckedTimeEntry(NamedTuple):
    """A time entry row's values, checked against every rule of
    :class:`~clientguard.model.TimeEntry` that does not depend on the customers read so far;
    the builder matches the client (``_Builder._checked_time_entry``)."""

    customer_id: str | None
    """The customer id cell's text (``FieldReader.text``)."""
    customer_name: str | None
    """The client name cell's text."""
    date: date
    hours: Decimal
    person: str | None
    """The person cell's text (None where the person is joined from several columns: the
    builder reads it from the row)."""
    billable: bool | None


class CheckedWorkRequest(NamedTuple):
    """A work request row's values, checked as for :class:`CheckedTimeEntry`."""

    id: str | None
    customer_id: str | None
    customer_name: str | None
    requested_on: date
    wanted_by: date


class CheckedPayment(NamedTuple):
    """A payment row's amount (plain, not negative) and the texts (``FieldReader.text``) that
    name its invoice and its customer."""

    amount: Decimal
    invoice_id: str | None
    customer_id: str | None
    customer_name: str | None
    document: tuple[str, ...] | None
    """The cells, as written, of the fields every row of one payment repeats (all but the
    amount and the invoice); None where one is joined from several columns."""


class CheckedBlock(NamedTuple):
    """Rows next to each other in a file (no blank line between them) that have all passed
    every check of their stream, handed on as one unit: the row on line ``first_line + i`` has
    the checked values ``values[i]`` (what :attr:`Row.checked` holds) and the cells of
    position ``start + i`` of ``columns`` (the block of rows pyarrow parsed they are part of).

    A builder that takes such rows the short way makes their records a block at a time;
    :meth:`rows` gives them as the row reader would, each with its values."""

    first_line: int
    values: Sequence[Any]
    columns: Sequence[list[str]]
    start: int

    @property
    def lines(self) -> range:
        """The line of each row, in order."""
        return range(self.first_line, self.first_line + len(self.values))

    def row(self, offset: int) -> Row:
        """The row at ``offset`` in the block, with its values."""
        at = self.start + offset
        return Row(self.first_line + offset, [column[at] for column in self.columns],
                   self.values[offset])

    def rows(self) -> Iterator[Row]:
        """The block's rows, in order, each with its values."""
        start, end = self.start, self.start + len(self.values)
        cells = zip(*(column[start:end] for column in self.columns), strict=True)
        for line, row_cells, values in zip(self.lines, cells, self.values, strict=True):
            yield Row(line, list(row_cells), values)


def arrow_available() -> bool:
    """Whether pyarrow can be imported (the ``fast`` extra is installed)."""
    return importlib.util.find_spec("pyarrow") is not None


def arrow_loaded() -> bool:
    """Whether the parts of pyarrow the columnar reader uses are loaded in this process
    already, so that reading a file with them costs no import (about 0.2 s of CPU)."""
    return "pyarrow.csv" in sys.modules and "pyarrow.compute" in sys.modules


def checked_rows(
    name: str,
    stream: StreamMapping,
    reader: FieldReader,
    layout: Layout,
    *,
    opened: Callable[[BinaryIO], None] | None = None,
) -> tuple[Iterator[Row | CsvRowError | CheckedBlock], str]:
    """The rows :func:`iter_rows` gives for this file, each with its checked values where it
    has passed every check of its stream (rows next to each other that have, as a
    :class:`CheckedBlock`, where pyarrow parsed them); and how they were read: ``arrow``
    (pyarrow parsed the text), ``arrow-rows`` (the row reader parsed it) or ``python`` (a
    stream without checks: the row reader alone, streaming, as without pyarrow)."""
    # A report whose customers only its heading rows name (``carry_down`` of a field the file
    # has no column for): no row holds its customer, so none could take the short way.
    check = None if reader.carried_added else _checker(name, stream, reader)
    if check is None:
        return iter_rows(layout, opened=opened), "python"
    check = _unless_totals(_unless_lost_digits(_unless_spreadsheet(check, reader), reader),
                           reader)
    parsed = None if _streamed(name, layout) else _parsed(layout, opened)
    if parsed is not None:
        return _arrow_rows(*parsed, check), "arrow"
    return _row_reader_rows(iter_rows(layout, opened=opened), reader, check), "arrow-rows"


# ---------------------------------------------------------------------------- the text


def _streamed(name: str, layout: Layout) -> bool:
    """Whether the file's text is parsed by the row reader, a block of rows at a time, so
    that reading it holds a block, not the file: a time entries or work requests file larger
    than :data:`STREAMED_ABOVE` (such a file was read streaming before these streams were
    checked by columns, and a store's sync of one still is)."""
    if name not in ("time_entries", "work_requests"):
        return False
    try:
        return layout.path.stat().st_size > STREAMED_ABOVE
    except OSError:
        return True  # the row reader says why it cannot be read


def _parsed(
    layout: Layout, opened: Callable[[BinaryIO], None] | None
) -> tuple[pa.Table, int] | None:
    """The file's data rows as a table of strings (every cell as written), and the line of
    its first row; None when the file is not one whose lines are its rows exactly (see the
    module's docstring)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyarrow import csv as pacsv

    if layout.encoding not in _BYTE_ENCODINGS:
        return None
    with layout.path.open("rb") as handle:
        if opened is not None:
            opened(handle)
        data = handle.read()
    if layout.bom:
        data = data[len(codecs.BOM_UTF8) :]
    if b"\x00" in data or data.count(b"\r") != data.count(b"\r\n"):
        return None
    newline = b"\r\n" if b"\r" in data else b"\n"
    end = 0
    for _ in range(layout.header_line):
        found = data.find(newline, end)
        if found < 0:
            return None
        end = found + len(newline)
    if not _header_ends_at(data[:end], layout):
        return None
    body = data[end:]
    del data
    if (not body or b'"' in body or body.startswith((newline, codecs.BOM_UTF8))
            or newline * 2 in body or newline + codecs.BOM_UTF8 in body):
        # (pyarrow would drop a byte-order mark that starts the first row; one that starts
        # a later line, two exports joined, the row reader leaves out of the row)
        return None
    lines = body.count(newline) + (0 if body.endswith(newline) else 1)
    if layout.encoding != "utf-8" or not body.isascii():
        try:
            text = body.decode(layout.encoding)
        except UnicodeDecodeError:
            return None  # the row reader rejects the rows with bytes it cannot read
        if layout.encoding != "utf-8":
            body = text.encode("utf-8")
        del text
    names = [str(position) for position in range(len(layout.header))]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(body),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=False),
            parse_options=pacsv.ParseOptions(
                delimiter=layout.delimiter, quote_char=False, double_quote=False,
                escape_char=False, newlines_in_values=False, ignore_empty_lines=False,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False,
                quoted_strings_can_be_null=False, null_values=[], check_utf8=True,
            ),
        )
    except pa.ArrowException:
        return None  # a row wider or narrower than the header: the row reader says which
    if table.num_rows != lines:
        return None
    # The row reader's csv module refuses a cell longer than its field size limit.
    limit = csv.field_size_limit()
    if any((pc.max(pc.utf8_length(column)).as_py() or 0) > limit for column in table.columns):
        return None
    return table, layout.header_line + 1


def _header_ends_at(head: bytes, layout: Layout) -> bool:
    """Whether ``head`` (the file's first ``header_line`` lines) reads, as the row reader
    reads it, as records ending with the header on its last line."""
    try:
        text = head.decode(layout.encoding)
    except UnicodeDecodeError:
        return False
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=layout.delimiter, strict=True)
    last: tuple[int, list[str]] | None = None
    start = 1
    try:
        for cells in reader:
            last, start = (start, cells), reader.line_num + 1
    except csv.Error:
        return False
    return (last is not None and last[0] == layout.header_line
            and reader.line_num == layout.header_line and tuple(last[1]) == layout.header)


def _arrow_rows(table: pa.Table, first_line: int,
                check: _Check) -> Iterator[Row | CheckedBlock]:
    width = table.num_columns
    line = first_line
    for batch in table.to_batches(max_chunksize=BATCH_ROWS):
        columns = [batch.column(position).to_pylist() for position in range(width)]
        checked = check(_Columns(batch.num_rows, columns, batch.columns))
        start: int | None = None  # where the run of checked rows being gathered starts
        for offset, values in enumerate(checked):
            if values is not None:
                if start is None:
                    start = offset
                continue
            if start is not None:
                yield CheckedBlock(line + start, checked[start:offset], columns, start)
                start = None
            cells = [column[offset] for column in columns]
            # A row of blanks is no row, as for the row reader (a checked row has an amount).
            if "".join(cells).strip():
                yield Row(line + offset, cells, None)
        if start is not None:
            yield CheckedBlock(line + start, checked[start:], columns, start)
        line += batch.num_rows


def _row_reader_rows(
    rows: Iterable[Row | CsvRowError], reader: FieldReader, check: _Check
) -> Iterator[Row | CsvRowError]:
    needed = reader.width_needed
    block: list[Row | CsvRowError] = []
    for row in rows:
        block.append(row)
        if len(block) >= BATCH_ROWS:
            yield from _checked_block(block, needed, check)
            block = []
    yield from _checked_block(block, needed, check)


def _checked_block(
    block: list[Row | CsvRowError], needed: int, check: _Check
) -> Iterator[Row | CsvRowError]:
    full = [r for r in block if isinstance(r, Row) and len(r.cells) >= needed]
    if not full:
        yield from block
        return
    width = min(len(r.cells) for r in full)
    columns = [list(column) for column in zip(*(r.cells[:width] for r in full), strict=True)]
    checked = check(_Columns(len(full), columns, None))
    values = {id(row): value for row, value in zip(full, checked, strict=True)}
    for row in block:
        if isinstance(row, Row) and (value := values.get(id(row))) is not None:
            yield row._replace(checked=value)
        else:
            yield row


# ---------------------------------------------------------------------------- the checks


class _Columns:
    """A block of rows as columns (by position in the file), with pyarrow's arrays of them
    where the block was parsed by pyarrow."""

    def __init__(self, size: int, columns: Sequence[list[str]],
                 arrays: Sequence[pa.Array] | None) -> None:
        self.size = size
        self.columns = columns
        self.arrays = arrays

    def cells(self, position: int | None) -> Sequence[str]:
        """The cells of the column at ``position``, as written; empty for an unmapped one."""
        if position is None:
            return [""] * self.size
        return self.columns[position]

    def matching(self, position: int | None, pattern: str) -> Sequence[bool]:
        """For each cell of the column, whether all of it matches ``pattern`` (RE2)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if position is None:
            return [False] * self.size
        if self.arrays is not None:
            array = self.arrays[position]
        else:
            try:
                array = pa.array(self.columns[position], type=pa.string())
            except UnicodeError:  # a lone surrogate: no cell of the block is checked
                return [False] * self.size
        found: list[bool] = pc.match_substring_regex(array, pattern).to_pylist()
        return found

    def texts(self, position: int | None) -> list[str | None]:
        """The column's cells as :meth:`FieldReader.text` reads them (stripped, runs of
        whitespace made one space, None when empty): a cell of printable ASCII words with
        single spaces between them is its own text, found for the whole column at once."""
        cells = self.cells(position)
        return [cell if simple else clean_text(cell.strip())
                for cell, simple in zip(cells, self.matching(position, _SIMPLE_TEXT),
                                        strict=True)]


_Check = Callable[[_Columns], list[Any]]


def _unless_spreadsheet(check: _Check, reader: FieldReader) -> _Check:
    """``check``, where a row with a mapped cell that starts with ``=`` (Excel's ``="0001"``,
    or a formula) is left unchecked: the row reader reads such a cell
    (:meth:`FieldReader.cell`: the text inside the wrapper, or the row's rejection)."""
    positions = sorted({*reader.single.values(),
                        *(at for joined in reader.joined.values() for at in joined)})

    def checked(block: _Columns) -> list[Any]:
        values = check(block)
        for position in positions:
            if position >= len(block.columns):
                continue  # (a joined column past a short block's width: not read)
            cells = block.columns[position]
            if "=" not in "".join(cells):  # the common case: one scan, in C
                continue
            for offset, cell in enumerate(cells):
                if "=" in cell and cell.strip()[:1] == "=":
                    values[offset] = None
        return values

    return checked


def _unless_lost_digits(check: _Check, reader: FieldReader) -> _Check:
    """``check``, where a row whose id, number or tax id cell is a number in Excel's
    scientific notation (``1.23E+11``: its digits are not in the file) is left unchecked: the
    row reader rejects it (:meth:`FieldReader.lost_digits`)."""
    positions = sorted({position for _, position in reader.id_cells})

    def checked(block: _Columns) -> list[Any]:
        values = check(block)
        for position in positions:
            if position >= len(block.columns):
                continue  # (a joined column past a short block's width: not read)
            cells = block.columns[position]
            for offset, maybe in enumerate(_maybe(block, position, SCIENTIFIC_RE2)):
                # (the common block: no such cell, found in C; a column pyarrow cannot
                # hold: every row a maybe, decided here)
                if maybe and is_scientific(cells[offset].strip()):
                    values[offset] = None
        return values

    return checked


def _unless_totals(check: _Check, reader: FieldReader) -> _Check:
    """``check``, where a row that may be a report's totals line (a totals word in its id or
    number cell or in its first cell, or its first cell empty) and is one
    (:func:`~clientguard_csv.report_rows.totals_label`) is left unchecked: the row reader
    rejects it."""
    keys = tuple(reader.single[f] for f in ("id", "number") if f in reader.single)
    first_cell = rf"{TOTALS_WORDS_RE2}|^\s*$"  # (the first cell empty: look further)

    def checked(block: _Columns) -> list[Any]:
        values = check(block)
        columns = block.columns
        if not columns:  # pragma: no cover - a row has a cell
            return values
        maybe: set[int] = set()
        for position in {0, *keys}:
            if position < len(columns):
                pattern = first_cell if position == 0 else TOTALS_WORDS_RE2
                found = _maybe(block, position, pattern)
                if any(found):  # (the common block: no such cell, one scan in C)
                    maybe.update(at for at, hit in enumerate(found) if hit)
        for at in maybe:
            if values[at] is not None and totals_label(
                    [column[at] for column in columns], keys) is not None:
                values[at] = None
        return values

    return checked


def _maybe(block: _Columns, position: int, pattern: str) -> Sequence[bool]:
    """For each cell of the column, whether ``pattern`` (RE2) is found in it (an empty list
    where it is in none: the common block, found in C); where pyarrow cannot hold the column
    (a lone surrogate), every row's maybe: the row reader then decides."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if block.arrays is not None:
        array = block.arrays[position]
    else:
        try:
            array = pa.array(block.columns[position], type=pa.string())
        except UnicodeError:
            return [True] * block.size
    found = pc.match_substring_regex(array, pattern)
    if not pc.any(found).as_py():
        return []
    hits: list[bool] = found.to_pylist()
    return hits


#: Printable ASCII words with one space between them: a text cell that reads as it is.
_SIMPLE_TEXT = r"^[!-~]+(?: [!-~]+)*$"

_BAD = object()
"""A cell that does not pass (the row goes the row reader's way)."""

_UNREADABLE: tuple[type[BaseException], ...] = (RowError, *MAPPING_ERRORS)
"""What reading a date cell may raise: the row reader rejects the row for it."""


def _plain_pattern(fmt: AmountFormat, *, signed: bool = False, rate: bool = False) -> str:
    """Plain numbers in the mapping's format that the row reader reads as they are written
    (:func:`clientguard_csv.amounts.plain_amount`), with at most MAX_AMOUNT_DIGITS digits
    before the decimal point, unless ``rate`` at most as many after it as the model's
    MIN_AMOUNT has (so that an amount other than zero is at least that; a rate is bounded by
    :func:`~clientguard.model.rate_in_bounds`) and, unless ``signed``, no minus: ASCII
    digits only (RE2's \\d)."""
    most = MAX_AMOUNT_DIGITS
    places = "" if rate else str(-MIN_AMOUNT.adjusted())
    decimal = re.escape(fmt.decimal)
    integer = rf"\d{{1,{most}}}"
    if fmt.thousands and fmt.thousands != " ":
        groups = (most - 3) // 3
        integer = rf"(?:\d{{1,3}}(?:{re.escape(fmt.thousands)}\d{{3}}){{1,{groups}}}|{integer})"
    return rf"^{'-?' if signed else ''}{integer}(?:{decimal}\d{{1,{places}}})?$"


_Tuple = TypeVar("_Tuple", bound=tuple[Any, ...])


def _constructor(kind: type[_Tuple]) -> Callable[[Iterable[Any]], _Tuple]:
    """``kind._make`` of a named tuple's values, made by the tuple's own constructor without
    ``_make``'s Python call (a row a million times): for values that are one a field, as the
    checks below make them (``_make`` would also count them)."""
    return partial(tuple.__new__, kind)


#: Distinct amount cells whose Decimal a file's read keeps, to give it again.
AMOUNTS_KEPT = 1 << 16


def _amounts_kept(fmt: AmountFormat) -> Callable[[str], Decimal]:
    """:func:`plain_value` of a plain amount cell, the one Decimal for every cell written
    alike (a Decimal never changes, and the same text is the same number with the same
    digits): a file's amounts repeat (a million invoices of the benchmark hold 1,067 totals),
    and each Decimal is 104 bytes. At most :data:`AMOUNTS_KEPT` cells are kept; the others
    get a Decimal each, as before."""
    known: dict[str, Decimal] = {}
    seen = known.get

    def amount_of(cell: str) -> Decimal:
        found = seen(cell)
        if found is None:
            found = plain_value(cell, fmt)
            if len(known) < AMOUNTS_KEPT:
                known[cell] = found
        return found

    return amount_of


def _checker(name: str, stream: StreamMapping, reader: FieldReader) -> _Check | None:
    if name == "time_entries":  # (hours and dates: no amount, so no sign rule)
        return _time_entry_check(reader)
    if name == "work_requests":
        return _work_request_check(reader)
    if reader.sign != "as-is":
        return None
    if name == "invoices":
        return _invoice_check(stream, reader)
    if name == "payments":
        return _payment_check(stream, reader)
    return None


#: A payment's fields that differ from row to row of the payment (``_Builder._payment``).
_PER_ROW = ("amount", "invoice_id", "invoice_number")


def document_fields(stream: StreamMapping, reader: FieldReader) -> tuple[str, ...]:
    """The fields whose cells :attr:`CheckedPayment.document` holds, in its order: those every
    row of a payment repeats (all the mapped ones but the amount and the invoice)."""
    return tuple(f for f in stream.columns if f not in _PER_ROW and reader.has(f))


def _payment_check(stream: StreamMapping, reader: FieldReader) -> _Check | None:
    """A payment row's amount, where it is plain and positive or zero (the allocation's), and
    the texts naming its invoice and customer."""
    named = ("invoice_id", "customer_id", "customer_name")
    if "amount" not in reader.single or any(f in reader.joined for f in named):
        return None
    fmt = reader.amount_format
    pattern = _plain_pattern(fmt)
    at = reader.single["amount"]
    amount_of = _amounts_kept(fmt)
    repeated = document_fields(stream, reader)
    whole = not any(f in reader.joined for f in repeated)

    checked_payment = _constructor(CheckedPayment)

    def check(block: _Columns) -> list[Any]:
        invoices, customers, names = (block.texts(reader.single.get(f)) for f in named)
        documents: Iterable[tuple[str, ...] | None] = (
            zip(*(block.cells(reader.single[f]) for f in repeated), strict=True) if whole
            else [None] * block.size
        )
        return [
            checked_payment((amount_of(cell), invoice, customer, name, document))
            if plain else None
            for cell, plain, invoice, customer, name, document in zip(
                block.cells(at), block.matching(at, pattern), invoices, customers, names,
                documents, strict=True)
        ]

    return check


_INVOICE_FIELDS = ("number", "id", "customer_id", "issue_date", "due_date", "terms_days",
                   "currency", "total", "amount_due", "amount_paid", "status", "paid_on",
                   "fx_rate")


def _invoice_check(stream: StreamMapping, reader: FieldReader) -> _Check | None:
    """The checks of an invoice row: what ``_Builder._invoice`` reads from one row, where
    every cell is in its plain form."""
    if (not reader.has("total") or reader.has("disputed") or reader.has("disputed_on")
            or any(f in reader.joined for f in _INVOICE_FIELDS)):
        return None
    fmt = reader.amount_format
    unsigned, signed = _plain_pattern(fmt), _plain_pattern(fmt, signed=True)
    rates = _plain_pattern(fmt, rate=True)
    at = {f: reader.single.get(f) for f in _INVOICE_FIELDS}
    fallback = reader.settings.currency
    fallback = sys.intern(fallback) if fallback is not None and is_currency(fallback) else None
    inverse = stream.fx_rate_inverse
    default_terms = stream.default_terms_days
    dates: dict[str, object] = {}
    days_in_bounds: dict[str, object] = {}
    terms: dict[str, object] = {}
    currencies: dict[str, object] = {}
    statuses: dict[str, object] = {}
    amount_of = _amounts_kept(fmt)
    checked_invoice = _constructor(CheckedInvoice)

    def day(cell: str) -> object:
        """A date cell: the date, _EMPTY when empty, _BAD when it does not read."""
        value = cell.strip()
        try:
            found = reader.date_of("date", value) if value else _EMPTY
        except _UNREADABLE:
            found = _BAD
        dates[cell] = found
        return found

    def bounded_day(cell: str) -> object:
        """A date cell where an invoice's date must be a record's day (``_bounded``): the
        date, _EMPTY when empty, _BAD when it does not read or is out of bounds."""
        found = dates.get(cell) or day(cell)
        if isinstance(found, date) and _bounded(found) is None:
            found = _BAD
        days_in_bounds[cell] = found
        return found

    def days(cell: str) -> object:
        """A terms cell: its days, _EMPTY when empty, _BAD when it does not read."""
        try:
            found: object = reader.days_of("terms_days", cell.strip())
        except RowError:
            found = _BAD
        if found is None:
            found = _EMPTY
        terms[cell] = found
        return found

    def currency_of(cell: str) -> object:
        """The currency a three-letter cell names; _EMPTY for an empty one; else _BAD."""
        code = cell.strip()
        found: object = _BAD
        if not code:
            found = _EMPTY
        elif len(code) == 3 and is_currency(code.upper()):
            found = sys.intern(code.upper())  # one string per code, as the model keeps it
        currencies[cell] = found
        return found

    def status_of(cell: str) -> object:
        """A status cell through the mapping's table; _EMPTY when empty, else _BAD."""
        try:
            found = reader.status_of_value(cell.strip()) or _EMPTY
        except RowError:
            found = _BAD
        statuses[cell] = found
        return found

    intern = sys.intern

    def each(known: dict[str, object], read: Callable[[str], object],
             column: Sequence[str]) -> list[object]:
        """``read`` of every cell of a column, done once per distinct cell (``known``)."""
        seen = known.get
        return [seen(cell) or read(cell) for cell in column]  # (0 days: read again, alike)

    def amounts(column: Sequence[str], plain: Sequence[bool]) -> list[object]:
        return [amount_of(cell) if ok else (_BAD if cell else _EMPTY)
                for cell, ok in zip(column, plain, strict=True)]

    def check(block: _Columns) -> list[Any]:
        cells = block.cells
        # Column by column (each a comprehension), then row by row (``map``: every column
        # has a cell a row of the block). A customer id is kept once in memory, as the model
        # keeps it (``model.CustomerRef``).
        customers = [intern(cell if simple else cell.strip()) for cell, simple in zip(
            cells(at["customer_id"]), block.matching(at["customer_id"], _SIMPLE_TEXT),
            strict=True)]
        columns = (
            block.texts(at["number"]), block.texts(at["id"]), customers,
            each(days_in_bounds, bounded_day, cells(at["issue_date"])),
            each(days_in_bounds, bounded_day, cells(at["due_date"])),
            each(terms, days, cells(at["terms_days"])),
            each(currencies, currency_of, cells(at["currency"])),
            cells(at["total"]), block.matching(at["total"], unsigned), cells(at["amount_due"]),
            amounts(cells(at["amount_due"]), block.matching(at["amount_due"], unsigned)),
            cells(at["amount_paid"]), block.matching(at["amount_paid"], signed),
            each(statuses, status_of, cells(at["status"])),
            each(dates, day, cells(at["paid_on"])),
            cells(at["fx_rate"]), block.matching(at["fx_rate"], rates),
        )
        if any(len(column) != block.size for column in columns):  # pragma: no cover
            raise ValueError("a column of the block is not one cell a row")
        return list(map(_invoice, *columns))

    def _invoice(number: str | None, ident: str | None, customer: str, issue: object,
                 due: object, term: object, code: object, total_cell: str, total_plain: bool,
                 due_cell: str, amount_due: object, paid_cell: str, paid_plain: bool,
                 status: object,
                 paid_on: object, rate_cell: str, rate_plain: bool) -> CheckedInvoice | None:
        # The issue and due dates are within bounds where they are dates (bounded_day).
        if not total_plain or amount_due is _BAD or status is _BAD or paid_on is _BAD:
            return None
        if paid_on is _EMPTY:
            paid_on = None
        ident = ident or number
        if ident is None or not customer or "  " in customer:
            return None
        if not isinstance(issue, date) or due is _BAD:
            return None
        issue_date = issue
        if due is _EMPTY:  # no due date: the terms' days after the issue date
            if term is _BAD:
                return None
            days_after = default_terms if term is _EMPTY else term
            if not isinstance(days_after, int):
                return None
            try:
                due = _bounded(issue_date + timedelta(days=days_after))
            except OverflowError:
                return None
        if not isinstance(due, date):
            return None
        due_date = due
        if code is _EMPTY:
            code = fallback  # no currency cell: the mapping's currency (the total is plain)
        if not isinstance(code, str):
            return None
        total = amount_of(total_cell)
        due_amount = amount_due if isinstance(amount_due, Decimal) else None
        if due_amount is not None and due_cell == total_cell:
            due_amount = total  # (also where the amounts kept are too many to keep more)
        if paid_cell and not (paid_plain and due_amount is not None):
            return None  # the amount paid counts only without an amount due: the long way
        if isinstance(status, str):
            final = status
        else:
            settled = paid_on is not None or (due_amount == 0 and total > 0)
            final = "paid" if settled else "open"
        paid = _bounded(paid_on) if final == "paid" and paid_on is not None else None
        if final == "paid" and paid_on is not None and paid is None:
            return None
        rate: Decimal | None = None
        if rate_cell:
            if not rate_plain:
                return None
            rate = amount_of(rate_cell)
            if rate == 0:
                return None
            if inverse:
                try:
                    rate = 1 / rate
                except ArithmeticError:  # past the Decimal context's exponent: the long way
                    return None
            # The model's bounds of a rate (MIN_RATE to MAX_RATE, the amounts it converts
            # within an amount's): the long way rejects the row, naming the rate.
            if not rate_in_bounds(rate, total, *(() if due_amount is None else (due_amount,))):
                return None
        # A number equal to the id is kept as the id's string, not a second copy of it.
        number = ident if number is None or number == ident else number
        return checked_invoice((ident, customer, number, issue_date, due_date, code,
                                total, final, paid, due_amount, rate))

    return check


_EMPTY = object()
"""An empty cell, as the per-distinct-cell caches above keep it (None means not yet seen)."""

_UNSEEN = object()
"""A cell not yet in a per-distinct-cell cache whose values may be None or falsy."""


def _bounded(value: object) -> date | None:
    """``value`` where it is a date a record may carry (the model's ``Day``), else None."""
    if isinstance(value, date) and FIRST_DATE <= value <= LAST_DATE:
        return value
    return None


# ---------------------------------------------------------------- time entries, work requests


def _day_reader(reader: FieldReader, field: str) -> Callable[[Sequence[str]], list[object]]:
    """The dates of a column of ``field`` (a record's ``Day``: within the model's bounds), each
    distinct cell read once by the row reader's own function; _BAD for an empty cell, one
    that does not read or a date out of bounds (the row goes the long way)."""
    known: dict[str, object] = {}

    def read(cell: str) -> object:
        value = cell.strip()
        found: object = _BAD
        if value:
            try:
                found = _bounded(reader.date_of(field, value)) or _BAD
            except _UNREADABLE:
                found = _BAD
        known[cell] = found
        return found

    def column(cells: Sequence[str]) -> list[object]:
        seen = known.get
        return [seen(cell) or read(cell) for cell in cells]

    return column


def _clients(reader: FieldReader) -> Callable[[_Columns], tuple[list[str | None],
                                                                 list[str | None]]]:
    """The texts of a block's customer id and client name cells, as ``FieldReader.text``
    reads them (the builder matches them to the customers read so far)."""
    at_id, at_name = reader.single.get("customer_id"), reader.single.get("customer_name")

    def texts(block: _Columns) -> tuple[list[str | None], list[str | None]]:
        none: list[str | None] = [None] * block.size
        return (none if at_id is None else block.texts(at_id),
                none if at_name is None else block.texts(at_name))

    return texts


def _time_entry_check(reader: FieldReader) -> _Check | None:
    """The checks of a time entry row (``_Builder._time_entry``): the date, the hours (the
    row reader's own reading, once per distinct cell, within the model's bounds), the billable
    flag, and the texts of the client and the person."""
    hours_field = "hours" if reader.has("hours") else "duration"
    if (any(f in reader.joined for f in ("customer_id", "customer_name", "date", "billable"))
            or hours_field not in reader.single or "date" not in reader.single):
        return None
    at_hours, at_date = reader.single[hours_field], reader.single["date"]
    at_person, at_billable = reader.single.get("person"), reader.single.get("billable")
    clients = _clients(reader)
    days = _day_reader(reader, "date")
    hours_known: dict[str, object] = {}
    flags_known: dict[str, object] = {}

    def hours_of(cell: str) -> object:
        """A cell's hours where the model takes them as they are; else _BAD."""
        found: object = _BAD
        try:
            hours = reader.hours_of(hours_field, cell.strip())
        except _UNREADABLE:
            hours = None
        if (type(hours) is Decimal and hours.is_finite() and not hours < 0
                and hours_in_bounds(hours)):
            found = hours
        hours_known[cell] = found
        return found

    def flag_of(cell: str) -> object:
        """A billable cell's flag (None: empty); _BAD where it is not yes or no."""
        try:
            found: object = reader.flag_of("billable", cell.strip())
        except RowError:
            found = _BAD
        flags_known[cell] = found
        return found

    checked_entry = CheckedTimeEntry._make

    def check(block: _Columns) -> list[Any]:
        ids, names = clients(block)
        seen_hours, seen_flag = hours_known.get, flags_known.get
        hours = [spent if (spent := seen_hours(cell, _UNSEEN)) is not _UNSEEN
                 else hours_of(cell) for cell in block.cells(at_hours)]
        flags: Sequence[object] = (
            [None] * block.size if at_billable is None
            else [flag if (flag := seen_flag(cell, _UNSEEN)) is not _UNSEEN else flag_of(cell)
                  for cell in block.cells(at_billable)])
        persons: Sequence[str | None] = (
            [None] * block.size if at_person is None else block.texts(at_person))
        return [
            None if day is _BAD or spent is _BAD or flag is _BAD
            else checked_entry((ident, name, day, spent, person, flag))
            for ident, name, day, spent, person, flag in zip(
                ids, names, days(block.cells(at_date)), hours, persons, flags, strict=True)
        ]

    return check


def _work_request_check(reader: FieldReader) -> _Check | None:
    """The checks of a work request row (``_Builder._work_request``): its two dates, and the
    texts of its id and client."""
    fields = ("id", "customer_id", "customer_name", "requested_on", "wanted_by")
    if (any(f in reader.joined for f in fields) or "requested_on" not in reader.single
            or "wanted_by" not in reader.single):
        return None
    at_id = reader.single.get("id")
    at_requested, at_wanted = reader.single["requested_on"], reader.single["wanted_by"]
    clients = _clients(reader)
    requested, wanted = _day_reader(reader, "requested_on"), _day_reader(reader, "wanted_by")
    checked_request = CheckedWorkRequest._make

    def check(block: _Columns) -> list[Any]:
        ids, names = clients(block)
        own: Sequence[str | None] = [None] * block.size if at_id is None else block.texts(at_id)
        return [
            None if on is _BAD or by is _BAD else checked_request((ident, customer, name, on, by))
            for ident, customer, name, on, by in zip(
                own, ids, names, requested(block.cells(at_requested)),
                wanted(block.cells(at_wanted)), strict=True)
        ]

    return check
