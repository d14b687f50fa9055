"""Report-shaped exports: a heading row per customer, carried down to the rows below it.

Accounting tools export receivables as a report, not a table (QuickBooks Online's *Open
Invoices* and *A/R Aging Detail*, Xero's *Aged Receivables Detail*, Polish "Należności"
lists): for each customer a **heading row** that holds only the customer's name, then that
customer's rows without it, then a **totals line** (``Total for Acme``, ``Razem dla Acme``)
and a blank line. With ``carry_down = "customer_name"`` (or ``"customer_id"``) in a stream's
table, :class:`Headings` reads such a file, row by row, before the mapping's other rules
(docs/connectors/csv.md, *Report-shaped exports*):

* a **one-cell row** (its one non-empty cell its first cell, or the carried field's own
  column) is a totals line where its text is a totals label of the strict kind
  (:func:`~clientguard_csv.report_rows.is_label`: ``Razem``, ``Total for Acme``; not
  ``Total Wine & More`` or ``Suma Sp. z o.o.``, even in the number column, whose looser rule
  is for rows with amounts);
* else, where **no heading is in force** (the start of the data, or a totals line or a
  blank line ended the last one), it is a heading: skipped (counted), and its text is the
  field's value for the rows below it;
* under a heading in force, with no totals line or blank line since, it is **rejected**,
  not taken as a new heading: a note (``Brak danych``) or an invoice row holding only its
  number would otherwise become the customer of the rows below it (money moved to another
  client without a word); the rows below it that name no customer are rejected too, up to
  the next totals line or blank line, since whose they are is not known;
* a row whose first non-empty cell is a totals word and the heading's own text (``Total
  Acme Corp`` under ``Acme Corp``, as QuickBooks Desktop's reports close a customer's rows;
  :func:`~clientguard_csv.report_rows.totals_of`) is a totals line too, with or without
  amounts: without the heading, ``Total Acme`` may be a customer's name;
* a row whose cell for the field is empty (or which has no such column: the file has none)
  takes the heading's value, until a totals line
  (:func:`~clientguard_csv.report_rows.totals_label`, skipped and counted) or a blank line;
* such a row with no heading in force is rejected, saying what ended the last one;
* a row that names its own customer keeps it.

The rows given a value are handed on without the columnar reader's checked values, so that
the builder reads them as the row reader does: both readers give the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from clientguard_csv.fields import FieldReader
from clientguard_csv.report_rows import cell_text, is_label, totals_label, totals_of
from clientguard_csv.textfile import Row

__all__ = ["Headings", "Taken", "heading_text"]


class Taken(NamedTuple):
    """What :meth:`Headings.take` makes of a row: the row to read on (with the heading's
    value filled in where it took it), or why it is skipped, or why it is rejected."""

    row: Row | None = None
    skipped: str | None = None
    rejected: str | None = None


class _Heading(NamedTuple):
    value: str
    line: int


class Headings:
    """The heading in force while one file's rows are read (one instance a file)."""

    def __init__(self, stream_name: str, field: str, reader: FieldReader,
                 key_positions: Sequence[int]) -> None:
        self.stream_name = stream_name
        self.field = field
        self.key_positions = key_positions
        position = reader.carried
        if position is None:  # pragma: no cover - the reader is built from the same mapping
            raise ValueError("the stream's mapping has no carry_down")
        self.position = position
        self.added = reader.carried_added
        self.column = reader.column(field)
        self.width = reader.width
        self.heading: _Heading | None = None
        self.doubt: _Heading | None = None
        """The first one-cell row refused under the heading in force (not taken as a new
        heading): until a totals line or blank line, the rows below it are nobody's."""
        self.ended = ""
        """Why no heading is in force (what ended the last one), for a rejection; empty
        before the first heading."""
        self.next_line: int | None = None
        """The line a row that follows the last one directly starts on (a later one: blank
        lines between them); None when not known (after a row the parser refused)."""

    def lost_track(self) -> None:
        """A row the parser refused: where it ends is not known, nor is a blank line after it."""
        self.next_line = None

    def passed(self, row: Row) -> None:
        """A row the mapping's rules left out (a page's title): no heading, no record, but
        no blank line either. A blank line before it ends the heading."""
        if (self.heading is not None and self.next_line is not None
                and row.line > self.next_line):
            self._end(f"the blank line above it (line {self.next_line}) ended the rows of "
                      f"{self.heading.value!r} (heading on line {self.heading.line})")
        self.next_line = row.line + 1 + sum(_line_breaks(cell) for cell in row.cells)

    def take(self, row: Row) -> Taken:
        """What the row is in the report: a heading, a totals line, or a row to read on."""
        cells = row.cells
        self.passed(row)
        lone = _lone_cell(cells, None if self.added else self.position)
        if lone is not None:
            # A one-cell row (no amounts) is held to the strict rule, in any column: a
            # customer "Total Wine & More" or "Suma Sp. z o.o." is a heading.
            text = " ".join(cell_text(cells[lone]).split())
            label = (cell_text(cells[lone]), lone) if text and is_label(text) else None
        else:
            label = totals_label(cells, self.key_positions)
        if label is None and self.heading is not None:
            label = self._closing(cells, self.heading.value)
        if label is not None:
            text, _ = label
            heading = self.heading
            self._end(f"the totals line on line {row.line} ({text!r}) ended the rows of "
                      f"{heading.value!r} (heading on line {heading.line})" if heading
                      else self.ended)
            under = (f", which ends the rows of {heading.value!r} (heading on line "
                     f"{heading.line})" if heading else "")
            return Taken(skipped=f"{self.stream_name}.carry_down: a totals line "
                                 f"({text!r}){under}")
        value = self._heading_text(cells)
        if value is not None:
            if self.heading is not None:
                return Taken(rejected=self._not_heading(value, row.line, self.heading))
            self.heading = _Heading(value, row.line)
            return Taken(skipped=f"{self.stream_name}.carry_down: a heading row: {value!r} is "
                                 f"the customer ({self.field}) of the rows below it")
        if not self.added:
            at = self.position
            if at >= len(cells) or cell_text(cells[at]):
                return Taken(row)  # its own value (or too short: the reader says so)
        elif len(cells) < self.width - 1:
            return Taken(row)  # too short for the header: the reader rejects it as it is
        if self.heading is None:
            return Taken(rejected=self._missing())
        if self.doubt is not None:
            return Taken(rejected=self._doubtful(self.doubt, self.heading))
        filled = list(cells)
        if self.added:
            filled.insert(self.width - 1, self.heading.value)
        else:
            filled[self.position] = self.heading.value
        return Taken(Row(row.line, filled, None))

    @staticmethod
    def _closing(cells: Sequence[str], heading: str) -> tuple[str, int] | None:
        """Where the row's first non-empty cell is the totals line of the heading in force
        (``Total Acme Corp`` under ``Acme Corp``: QuickBooks Desktop's reports, with or
        without amounts), that cell's text and position; else None."""
        for position, cell in enumerate(cells):
            if cell and not cell.isspace():
                text = cell_text(cell)
                return (text, position) if totals_of(text, heading) else None
        return None

    def _end(self, why: str) -> None:
        self.heading = None
        self.doubt = None
        self.ended = why

    def _not_heading(self, value: str, line: int, heading: _Heading) -> str:
        if self.doubt is None:
            self.doubt = _Heading(value, line)
        return (f"a row holding only {value!r}: it was not taken as a new customer heading "
                f"because nothing ended the rows of {heading.value!r} (heading on line "
                f"{heading.line}), no totals line or blank line since (carry_down = "
                f"{self.field!r} takes a one-cell row for a heading only where no heading is "
                "in force): if it is a customer's heading, put a totals line or a blank "
                "line before it; if it is a note, leave such rows out with drop_matching; "
                "if it is a record, fill in its other cells")

    def _doubtful(self, doubt: _Heading, heading: _Heading) -> str:
        empty = "" if self.added else f" ({self.column!r} is empty)"
        return (f"the row names no customer{empty}, and whose rows these are is not known: "
                f"the row holding only {doubt.value!r} on line {doubt.line} (rejected) may "
                f"name a new customer or be a note under {heading.value!r} (heading on line "
                f"{heading.line}); put a totals line or a blank line before each heading, "
                "leave note rows out with drop_matching, or fill the name in")

    def _heading_text(self, cells: list[str]) -> str | None:
        return heading_text(cells, None if self.added else self.position)

    def _missing(self) -> str:
        empty = "" if self.added else f" ({self.column!r} is empty)"
        why = (f", and {self.ended}" if self.ended
               else ", and no heading row above it names one")
        return (f"the row names no customer{empty}{why} (carry_down = {self.field!r} gives "
                "a heading's name to the rows below it up to the next totals line or blank "
                "line): put the customer's heading row above it, or fill the name in")


def _line_breaks(cell: str) -> int:
    """The line ends inside a (quoted) cell, as the CSV parser counts lines: ``\\r\\n``,
    ``\\n`` and a lone ``\\r`` each end one."""
    if "\n" not in cell and "\r" not in cell:
        return 0
    return cell.count("\n") + cell.count("\r") - cell.count("\r\n")


def heading_text(cells: Sequence[str], column: int | None = None) -> str | None:
    """Where a row may be a report's heading, its text: the row's one non-empty cell, where
    that is its first cell (or at ``column``, the carried field's own), and no totals label
    (spaces made one, ``="..."`` as the text inside); else None."""
    found = _lone_cell(cells, column)
    if found is None:
        return None
    text = " ".join(cell_text(cells[found]).split())
    return text if text and not is_label(text) else None


def _lone_cell(cells: Sequence[str], column: int | None) -> int | None:
    """Where a row's one non-empty cell is its first cell (or at ``column``), its position;
    else None."""
    found: int | None = None
    for position, cell in enumerate(cells):
        if cell and not cell.isspace():
            if found is not None:
                return None
            found = position
    if found is None or not (found == 0 or found == column):
        return None
    return found
