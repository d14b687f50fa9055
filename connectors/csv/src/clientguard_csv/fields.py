"""Reading one row's cells as the fields of a stream, with the column named in every error."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal

from clientguard.model import MAX_HOURS
from clientguard_csv.amounts import (
    SPACES,
    AmountError,
    AmountFormat,
    parse_amount,
    plain_amount,
)
from clientguard_csv.cell_patterns import CellPattern
from clientguard_csv.dates import DateError, DateReader
from clientguard_csv.excel_numbers import is_scientific, lost_digits
from clientguard_csv.mapping import StreamMapping, StreamSettings
from clientguard_csv.textfile import (
    Columns,
    Layout,
    Row,
    normalise_header,
    spreadsheet_text,
)

__all__ = [
    "HOURS_QUANTUM",
    "ID_FIELDS",
    "TEXT_FIELDS",
    "FieldReader",
    "LostDigits",
    "RowError",
    "clean_text",
    "required_columns",
    "spreadsheet_text",
]

_TRUE = frozenset({"yes", "y", "true", "t", "1", "billable", "x", "disputed"})
_FALSE = frozenset({"no", "n", "false", "f", "0", "non-billable", "not billable", "undisputed",
                    "not disputed", ""})
_DURATION = re.compile(r"(\d+):([0-5]?\d)(?::([0-5]?\d))?")
#: A duration in shape whose minutes or seconds may be 60 or more (``1:60``, ``1:30:75``).
_DURATION_SHAPE = re.compile(r"(\d+):(\d+)(?::(\d+))?")
_SECONDS_PER_HOUR = Decimal(3600)
#: A duration's hours have at most this many digits; the model bounds them at MAX_HOURS.
_MAX_DURATION_DIGITS = len(str(MAX_HOURS))
#: Durations become hours to the microhour (0.0036 s): 20 minutes is 0.333333 h.
HOURS_QUANTUM = Decimal("0.000001")


#: How much of a formula an error shows.
_FORMULA_SHOWN = 40


#: The fields whose cells are text (names, ids, numbers, e-mails, tax ids): a cell of one that
#: starts with ``=`` and is no ``="..."`` wrapper is read as written, not as a formula.
TEXT_FIELDS = frozenset({
    "customer_email", "customer_id", "customer_name", "customer_tax_id", "email", "group_id",
    "id", "invoice_id", "invoice_number", "name", "number", "person", "tax_id",
})

#: The fields whose cells name a record or a taxpayer: ids, numbers, tax ids, a customer's
#: group, and the invoice a payment or credit note names. Such a cell in Excel's scientific
#: notation (``1.23E+11``) has lost its digits and is rejected at its cell
#: (:mod:`clientguard_csv.excel_numbers`); written as Excel's ``="..."`` it is text, read as
#: written.
ID_FIELDS = frozenset({
    "customer_id", "customer_tax_id", "group_id", "id", "invoice_id", "invoice_number",
    "number", "tax_id",
})


def clean_text(value: str | None) -> str | None:
    """A text cell with every run of whitespace (tabs, line breaks, no-break spaces) made one
    space; None when empty. Ids and names are compared in this form."""
    if not value:
        return None
    if value.isascii() and value.isprintable() and "  " not in value:
        return value  # the common case, without splitting
    return " ".join(value.split()) or None


class RowError(Exception):
    """A cell that cannot become its field: the field, its column and the reason."""

    def __init__(
        self,
        reason: str,
        field: str | None = None,
        column: str | None = None,
        *,
        unmatched: str | None = None,
    ) -> None:
        self.reason = reason
        self.field = field
        self.column = column
        self.unmatched = unmatched
        """The client name or id that matched no customer, where that is the problem."""
        super().__init__(reason)


class LostDigits(RowError):
    """An id, number or tax id cell in Excel's scientific notation (``1.23E+11``): the
    :class:`RowError` of its row, with the ``cell`` as written (stripped)."""

    def __init__(self, cell: str, reason: str, field: str, column: str | None) -> None:
        self.cell = cell
        super().__init__(reason, field, column)


def required_columns(stream: StreamMapping) -> Columns:
    """Every column the file must have for this stream: the fields' and the filters'."""
    needed: list[tuple[tuple[str, ...], int | None]] = []
    for spec in stream.columns.values():
        if spec.optional:
            continue
        if spec.join:
            needed.extend(((name,), None) for name in spec.join)
        else:
            needed.append((spec.column, spec.occurrence))
    for column in (*stream.keep, *stream.drop, *stream.drop_matching, *stream.skip_blank):
        needed.append(((column,), None))
    unique = list(dict.fromkeys(needed))
    return Columns([names for names, _ in unique], [nth for _, nth in unique])


#: The fields whose cells are numbers in the mapping's amount format: amounts, a rate, hours.
#: An unquoted thousands separator equal to the delimiter splits one of them in two
#: (:meth:`FieldReader.split_number`).
NUMBER_FIELDS = frozenset({
    "amount", "amount_due", "amount_paid", "fx_rate", "hours", "line_total", "total",
})

#: The cell of a split number's first piece: ends with one to three digits (``1``, ``$1``,
#: ``(1``, ``-12``); a piece after it: three digits, alone (a middle group) or the last
#: group, three digits and then no digit (``200``, ``200.00``, ``200.00)``, ``200.00 zł``).
_HEAD = re.compile(r".*(?<!\d)\d{1,3}", re.DOTALL)
_GROUP = re.compile(r"\d{3}")
_LAST_GROUP = re.compile(r"\d{3}(?!\d).*", re.DOTALL)


def _grouping(delimiter: str, fmt: AmountFormat) -> AmountFormat | None:
    """The amount format of a number whose thousands separator is ``delimiter``: where the
    delimiter is the mapping's thousands separator, or the one of ``,`` and ``.`` that is not
    its decimal separator (an amount with it is grouped by thousands, or refused, never
    read as another number: :func:`~clientguard_csv.amounts.parse_amount`); None for any
    other delimiter (``;``, a tab, ``|``, or the decimal separator itself)."""
    other = "," if fmt.decimal == "." else "."
    if delimiter == other or (fmt.thousands and delimiter == fmt.thousands):
        return AmountFormat(fmt.decimal, delimiter)
    if fmt.thousands == " " and delimiter in SPACES:
        return AmountFormat(fmt.decimal, " ")
    return None


#: How a rejection names the column a report's heading rows give (``carry_down``) where the
#: file has no column for it.
HEADING_LABEL = "(heading row)"


class FieldReader:
    """Pulls a stream's fields out of a row of one file, by the header's positions."""

    def __init__(
        self, stream_name: str, stream: StreamMapping, settings: StreamSettings, layout: Layout
    ) -> None:
        self.stream_name = stream_name
        self.settings = settings
        self.file = layout.file
        positions = layout.index()
        every = layout.occurrences()
        header = layout.header
        self.delimiter = layout.delimiter
        self.width = len(header)
        self.header = header
        self.single: dict[str, int] = {}
        self.joined: dict[str, tuple[int, ...]] = {}
        self.labels: dict[str, str] = {}
        for field, spec in stream.columns.items():
            if spec.join:
                found = [positions[n] for n in map(normalise_header, spec.join) if n in positions]
                if found:
                    self.joined[field] = tuple(found)
                    self.labels[field] = " + ".join(header[i] for i in found)
                continue
            nth = spec.occurrence
            for name in spec.column:
                if nth is None:
                    position = positions.get(normalise_header(name))
                else:
                    # The nth column of that name, from the left; fewer: not this name.
                    found = every.get(normalise_header(name), [])
                    position = found[nth - 1] if len(found) >= nth else None
                if position is not None:
                    self.single[field] = position
                    self.labels[field] = header[position] if nth is None else (
                        f"{header[position]} (column {position + 1})")
                    break
        self.carried: int | None = None
        """Where the field a report's heading rows give (``carry_down``) is read: its column,
        or, where the file has none, the position just past the header (a column the reader
        adds to each row: :mod:`clientguard_csv.headings`)."""
        self.carried_added = False
        """Whether :attr:`carried` is a column added past the header (the file has none)."""
        carried = stream.carry_down
        if carried is not None:
            if carried not in self.single:
                self.single[carried] = self.width
                self.labels[carried] = HEADING_LABEL
                self.carried_added = True
                self.width += 1
            self.carried = self.single[carried]
        self._positions = tuple(self.single.items())
        self.id_cells = tuple(
            (field, position) for field in stream.columns if field in ID_FIELDS
            for position in ((self.single[field],) if field in self.single
                             else self.joined.get(field, ()))
        )
        """The positions of the id, number and tax id cells (:data:`ID_FIELDS`), with their
        fields, in the mapping's order (a joined field: each of its columns)."""
        self.width_needed = max(self.single.values(), default=-1) + 1
        """How many cells a row needs to hold every mapped column."""
        self._plans: dict[tuple[str, ...], tuple[int, ...]] = {}
        self._plan_simple: dict[tuple[str, ...], bool] = {}
        self.keep = [
            (positions[normalise_header(c)], c, _values(v)) for c, v in stream.keep.items()
        ]
        self.drop = [
            (positions[normalise_header(c)], c, _values(v)) for c, v in stream.drop.items()
        ]
        self.drop_matching = [
            (positions[normalise_header(c)], c, tuple(map(CellPattern, v)))
            for c, v in stream.drop_matching.items()
        ]
        self.blank = [(positions[normalise_header(c)], c) for c in stream.skip_blank]
        self.dates = DateReader(settings.date_formats, settings.day_first)
        self._known_dates = self.dates.known
        self.amount_format = settings.amounts
        self._grouping = _grouping(self.delimiter, settings.amounts)
        """The amount format a number split by the delimiter is read in (:meth:`split_number`):
        the mapping's, with the delimiter as its thousands separator; None where the
        delimiter cannot separate thousands."""
        self._number_cells = tuple(
            (field, position) for field, position in self.single.items()
            if field in NUMBER_FIELDS and position < len(header))
        self.sign = stream.amount_sign
        self.status_of: dict[str, str] = {}
        for status, values in (stream.status or {}).items():
            for value in values:
                self.status_of[value.strip().casefold()] = status

    def has(self, field: str) -> bool:
        return field in self.single or field in self.joined

    def column(self, field: str) -> str | None:
        return self.labels.get(field)

    def skipped(self, row: Row) -> str | None:
        """Why the mapping's keep, drop, drop_matching or skip_blank rules leave the row out;
        None: read it.

        A rule's cell is read as a field's is (Excel's ``="..."`` as the text inside it).
        Raises :class:`RowError` where a rule's cell is another formula: what the rule would
        compare is not in the file."""
        cells = row.cells
        width = len(cells)

        def rule_cell(position: int, label: str) -> str:
            value = cells[position].strip()
            return self._spreadsheet(None, value, label) if value[:1] == "=" else value

        for position, label in self.blank:
            if position >= width or not rule_cell(position, label):
                return f"{self.stream_name}.skip_blank: {label!r} is empty"
        for position, label, values in self.keep:
            if position >= width or rule_cell(position, label).casefold() not in values:
                return f"{self.stream_name}.keep: {label!r} is not one of the values kept"
        return self.dropped(row)

    def dropped(self, row: Row) -> str | None:
        """Why the mapping's drop or drop_matching rules (the rows the mapping names) leave
        the row out; None: they do not. Raises :class:`RowError` as :meth:`skipped`."""
        cells = row.cells
        width = len(cells)

        def rule_cell(position: int, label: str) -> str:
            value = cells[position].strip()
            return self._spreadsheet(None, value, label) if value[:1] == "=" else value

        for position, label, values in self.drop:
            if position < width and (value := rule_cell(position, label)).casefold() in values:
                return f"{self.stream_name}.drop: {label!r} is {value!r}"
        for position, label, patterns in self.drop_matching:
            if position < width:
                value = rule_cell(position, label)
                found = next((p for p in patterns if p.matches(value)), None)
                if found is not None:
                    return (f"{self.stream_name}.drop_matching: {label!r} is {value!r}, which "
                            f"matches {found.text!r}")
        return None

    def check_width(self, row: Row) -> None:
        """Raises :class:`RowError` for a row wider than the header that has lost its
        alignment: an unquoted delimiter inside a value (``1,200.00`` under ``,``) splits it
        in two and moves every cell after it to the right.

        Each row is judged by its own content, never by the file's other rows: a file may
        pad some rows and not others (Excel writes the trailing delimiters of blank columns
        only for the first rows of a sheet; two exports joined, one padded). A row whose
        cells past the header are not all empty is rejected. One whose cells past the header
        are all empty is padding, and read, unless a mapped number's cell and the cell(s)
        after it, joined by the delimiter, read as one number grouped by thousands
        (:meth:`split_number`: ``1`` and ``200.00`` are ``1,200.00`` in a comma-separated
        file): then the number was split and the row is rejected, for read as written its
        total would be 1."""
        cells = row.cells
        if len(cells) <= self.width:
            return
        added = int(self.carried_added)  # (the heading's column: not the file's)
        fields, header = len(cells) - added, self.width - added
        if not any(c.strip() for c in cells[self.width :]):
            split = self.split_number(cells)
            if split is None:
                return  # padding: a trailing delimiter, a spreadsheet's blank columns
            field, position, pieces = split
            first, rest = pieces[0].strip(), [piece.strip() for piece in pieces[1:]]
            after = (f"{self.header[position + 1]!r} ({rest[0]!r})"
                     if len(rest) == 1 and position + 1 < len(self.header)
                     else f"the {len(rest)} cells after it ({', '.join(map(repr, rest))})")
            label = self.labels[field]
            why = (f"the cells past it empty, but {label!r} ({first!r}) and {after} joined by "
                   f"the delimiter are the amount {self.delimiter.join(pieces).strip()!r}, "
                   "split at its thousands separator")
            advice = (f"; if {label!r} really is {first!r}, save the file without the empty "
                      "cells past the header")
        else:
            why = ("an unquoted delimiter inside a value (an amount with the delimiter as its "
                   "thousands separator), or a different delimiter on this line")
            advice = ""
        raise RowError(
            f"the row has {fields} fields but the header has {header}"
            f"{', ' if advice else ': '}{why}; the row is not "
            "read with shifted columns: quote the values that hold the delimiter in the "
            f"export, or export amounts without thousands separators{advice}"
        )

    def split_number(self, cells: list[str]) -> tuple[str, int, tuple[str, ...]] | None:
        """Where a row wider than the header holds a mapped number split by the delimiter:
        the field, its position, and its pieces (its own cell and the ones after it); None
        where none is.

        A number is split where the delimiter can separate thousands in the mapping's amount
        format (:func:`_grouping`: ``,`` under ``decimal = "."``) and the field's cell
        ends with one to three digits, the next cell(s) (as many as the row has cells past the
        header, at most) are three digits each, the last of them three digits and then no
        digit (``200.00``, ``200``, ``200.00 zł``), and the pieces joined by the delimiter are
        one amount (``1,200.00``, ``($1,200.00)``, ``1,200,000``). A row whose split number
        leaves it as wide as the header is no row this sees: it is read as written."""
        grouping = self._grouping
        if grouping is None:
            return None
        extra = len(cells) - self.width
        for field, position in self._number_cells:
            head = cells[position]
            if _HEAD.fullmatch(head) is None:
                continue
            found: tuple[str, ...] | None = None
            for end in range(position + 1, min(position + extra, len(cells) - 1) + 1):
                piece = cells[end]
                if _LAST_GROUP.fullmatch(piece) is not None:
                    pieces = tuple(cells[position : end + 1])
                    try:
                        parse_amount(self.delimiter.join(pieces), grouping)
                    except AmountError:
                        pass
                    else:
                        found = pieces  # (the longest: 1,200,000.00, not 1,200)
                if _GROUP.fullmatch(piece) is None:
                    break  # (three digits alone may be a middle group: 1,200,000.00)
            if found is not None:
                return field, position, found
        return None

    def lost_digits(self, row: Row) -> LostDigits | None:
        """The rejection of a row whose id, number or tax id cell (the first, in the
        mapping's order) is a number in Excel's scientific notation (``1.23E+11``): its digits
        are not in the file (:mod:`clientguard_csv.excel_numbers`); None for any other row.
        Excel's ``="1.23E+11"`` is text, and read as written."""
        cells = row.cells
        width = len(cells)
        for field, position in self.id_cells:
            if position < width and is_scientific(value := cells[position].strip()):
                label = self.header[position]
                return LostDigits(value, lost_digits(value, label), field,
                                  self.labels.get(field))
        return None

    # -------------------------------------------------------------- cells as values
    def values(self, row: Row) -> dict[str, str]:
        """Every mapped field's stripped cell (see :meth:`cell`).

        Raises :class:`RowError` for a row too short to hold a mapped column."""
        fields = (*self.single, *self.joined)
        return dict(zip(fields, self.cells_of(row, fields), strict=True))

    def _check_length(self, cells: list[str]) -> None:
        """Raises :class:`RowError` naming the first mapped column a short row lacks."""
        for field, position in self._positions:
            if position >= len(cells):
                raise RowError(
                    f"the row has only {len(cells)} fields, so it has no "
                    f"{self.labels[field]!r} (field {position + 1})",
                    field,
                    self.labels[field],
                )

    def cell(self, row: Row, field: str) -> str:
        """The cell of ``field``, stripped (a joined field: its non-empty cells, stripped,
        joined by a space); empty when unmapped, or optional and absent from the file.

        Raises :class:`RowError` for a row too short to hold a mapped column, whichever
        field is asked for."""
        cells = row.cells
        if len(cells) < self.width_needed:
            self._check_length(cells)
        position = self.single.get(field)
        if position is not None:
            value = cells[position].strip()
            return self._spreadsheet(field, value) if value[:1] == "=" else value
        joined = self.joined.get(field)
        if joined is None:
            return ""
        return self._joined(field, cells, joined)

    def cells_of(self, row: Row, fields: tuple[str, ...]) -> list[str]:
        """:meth:`cell` of each of ``fields``, at once: a document's hot path."""
        cells = row.cells
        if len(cells) < self.width_needed:
            self._check_length(cells)
        plan = self._plans.get(fields)
        if plan is None:
            plan = self._plans[fields] = tuple(self.single.get(f, -1) for f in fields)
            self._plan_simple[fields] = not any(f in self.joined for f in fields)
        if self._plan_simple[fields]:
            values = [cells[p].strip() if p >= 0 else "" for p in plan]
            for value in values:
                if value[:1] == "=":  # (rare: a spreadsheet's cell, read field by field)
                    return [self.cell(row, f) for f in fields]
            return values
        return [self.cell(row, f) for f in fields]

    def _joined(self, field: str, cells: list[str], positions: tuple[int, ...]) -> str:
        values = (cells[i].strip() for i in positions if i < len(cells))
        return " ".join(
            value for value in (self._spreadsheet(field, v) if v[:1] == "=" else v
                                for v in values) if value
        )

    def _spreadsheet(self, field: str | None, value: str, column: str | None = None) -> str:
        """A stripped cell of ``field`` (or of the mapping's rule on ``column``) that starts
        with ``=``: the text inside Excel's ``="..."`` (:func:`spreadsheet_text`).

        Raises :class:`RowError` naming the column for any other formula: the file holds
        the formula, not the value it computes."""
        text = spreadsheet_text(value)
        if text is not None:
            return text
        if field in TEXT_FIELDS:
            # A name, an id, an e-mail is text whatever it starts with: a customer named
            # "=HYPERLINK(...)" is data (the reports neutralise it), and rejecting it would let
            # a name hide its invoices from the review. (A rule's column decides whether the
            # row is read: a formula there still rejects the row.)
            return value
        label = column if column is not None else self.labels.get(field or "")
        shown = (value if len(value) <= _FORMULA_SHOWN
                 else f"{value[:_FORMULA_SHOWN - 12]}...{value[-8:]}")
        raise RowError(
            f"the cell in column {label!r} is a spreadsheet formula ({shown!r}), not a value: "
            "the file holds the formula, not what it computes; export the values (in the "
            "spreadsheet: copy the column, then paste special, values only) or write the value",
            field,
            label,
        )

    def text(self, row: Row, field: str) -> str | None:
        return clean_text(self.cell(row, field))

    def date(self, row: Row, field: str) -> dt.date | None:
        return self.date_of(field, self.cell(row, field))

    def date_of(self, field: str, value: str | None) -> dt.date | None:
        """``value``, a cell of ``field``, as a date (None when empty)."""
        if not value:
            return None
        known = self._known_dates.get(value)
        if known is not None:
            return known
        try:
            return self.dates(value)
        except DateError as exc:
            raise RowError(str(exc), field, self.labels.get(field)) from None

    def money(self, row: Row, field: str, currency: str | None = None) -> Decimal | None:
        return self.money_of(field, self.cell(row, field), currency)

    def money_of(self, field: str, value: str | None, currency: str | None) -> Decimal | None:
        """``value``, a cell of ``field``, as an amount with the mapping's ``amount_sign``
        applied (None when empty).

        A currency marker in the cell (``€``, ``zł``, ``PLN``) that contradicts ``currency``
        is an error, and so is a symbol of several currencies none of which is ``currency``
        (``$`` under PLN).
        """
        if not value:
            return None
        plain = plain_amount(value, self.amount_format)
        if plain is not None and self.sign == "as-is":
            return plain
        try:
            amount = parse_amount(value, self.amount_format)
        except AmountError as exc:
            raise RowError(str(exc), field, self.labels.get(field)) from None
        contradiction = amount.contradicts(currency) if currency is not None else None
        if contradiction is not None:
            raise RowError(
                f"{value!r} {contradiction}, but the row's currency is {currency}",
                field,
                self.labels.get(field),
            )
        number = amount.value
        if self.sign == "negate":
            number = -number
        elif self.sign == "abs":
            number = abs(number)
        return number

    def marked_currency(self, row: Row, field: str) -> str | None:
        """The currency an amount cell's marker names (``1.234,56 zł`` is PLN), if any."""
        value = self.cell(row, field)
        if not value:
            return None
        try:
            return parse_amount(value, self.amount_format).currency
        except AmountError:
            return None

    def number(self, row: Row, field: str) -> Decimal | None:
        """A plain number (a rate, hours): the mapping's separators, no sign rule."""
        return self.number_of(field, self.cell(row, field))

    def number_of(self, field: str, value: str) -> Decimal | None:
        """``value``, a stripped cell of ``field``, as a plain number (see :meth:`number`)."""
        if not value:
            return None
        try:
            return parse_amount(value, self.amount_format).value
        except AmountError as exc:
            raise RowError(str(exc), field, self.labels.get(field)) from None

    def whole_days(self, row: Row, field: str) -> int | None:
        return self.days_of(field, self.cell(row, field))

    def days_of(self, field: str, value: str) -> int | None:
        """``value``, a cell of ``field``, as a number of days (``30``, ``Net 30``, ``30
        days``; None when empty)."""
        if not value:
            return None
        match = re.fullmatch(r"(?:net\s*)?(\d{1,4})(?:\s*days?)?", value, re.IGNORECASE)
        if match is None:
            raise RowError(f"{value!r} is not a number of days", field, self.labels.get(field))
        return int(match[1])

    def hours(self, row: Row, field: str) -> Decimal | None:
        """Hours from ``1.5`` or from a duration ``01:30:00`` / ``1:30``."""
        return self.hours_of(field, self.cell(row, field))

    def hours_of(self, field: str, value: str) -> Decimal | None:
        """``value``, a stripped cell of ``field``, as hours (see :meth:`hours`)."""
        if not value:
            return None
        match = _DURATION.fullmatch(value)
        if match is not None:
            if len(match[1].lstrip("0")) > _MAX_DURATION_DIGITS:
                shown = value if len(value) <= 40 else f"{value[:20]}...{value[-12:]}"
                raise RowError(f"{shown!r} is more hours than one time entry can hold (at most "
                               f"{MAX_HOURS:,})", field, self.labels.get(field))
            seconds = int(match[1]) * 3600 + int(match[2]) * 60 + int(match[3] or 0)
            return (Decimal(seconds) / _SECONDS_PER_HOUR).quantize(HOURS_QUANTUM)
        if ":" in value:
            shape = _DURATION_SHAPE.fullmatch(value)
            if shape is not None or field == "duration":
                raise RowError(_not_a_duration(value, shape), field, self.labels.get(field))
        return self.number_of(field, value)

    def flag(self, row: Row, field: str) -> bool | None:
        value = self.cell(row, field)
        if not self.has(field):
            return None
        return self.flag_of(field, value)

    def flag_of(self, field: str, value: str) -> bool | None:
        """``value``, a stripped cell of a mapped ``field``, as yes (True), no (False) or
        nothing (None, when empty)."""
        key = value.casefold()
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False if key else None
        raise RowError(f"{value!r} is not yes or no", field, self.labels.get(field))

    def status(self, row: Row) -> str | None:
        return self.status_of_value(self.cell(row, "status"))

    def status_of_value(self, value: str | None) -> str | None:
        """A status cell through the mapping's status table (None when empty)."""
        if not value:
            return None
        status = self.status_of.get(value.casefold())
        if status is None:
            known = ", ".join(sorted(self.status_of)) or "none"
            raise RowError(
                f"status {value!r} is not in the mapping's [invoices.status] table (it lists "
                f"{known}); add it under draft, open, paid or void",
                "status",
                self.labels.get("status"),
            )
        return status


def _not_a_duration(value: str, shape: re.Match[str] | None) -> str:
    """Why ``value``, a cell with a colon, is not a duration: minutes or seconds of 60 or more
    (``1:60``: ``shape`` is its match of a duration's shape), or not the shape at all."""
    if shape is not None:
        for part, unit in ((shape[2], "minutes"), (shape[3], "seconds")):
            # (The length first: int() refuses a string of thousands of digits.)
            if part is not None and (len(part.lstrip("0")) > 2 or int(part) >= 60):
                return (f"{value!r} is not a duration: its {unit} must be below 60 "
                        "(h:mm or h:mm:ss); fix the cell")
    return f"{value!r} is not a duration (h:mm or h:mm:ss)"


def _values(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v.strip().casefold() for v in values)
