"""Whether a row rejected without an id is a stored record's own row, broken.

A full read of a file that rejects a row without an id (its id and number cells emptied, a
row too malformed to read an id from) on the line a stored record came from removes that
record only where the row is still that record's: the store (:mod:`clientguard.store`) asks
:func:`is_own_row`. A rejected row is one the connector could not read, so its cells are
compared with the stored record as far as they can be read, without knowing which column is
which (the store knows no mapping):

* the **customer**: the stored record's customer id, or that customer's stored name, is one
  of the row's cells (letter case and runs of spaces aside);
* the **amount** (an invoice's or a credit note's total, a payment's amount, a time entry's
  hours): a cell reads as it, whatever its sign, currency marker and separators (``1 234,56``,
  ``$1,234.56``, ``-100.00``);
* the **dates** (an invoice's issue or due date, a payment's or a time entry's date, a
  request's days): a cell reads as one of them (year, month and day in any order:
  ``2026-01-31``, ``31.01.2026``, ``01/31/2026``), unless no cell of the row reads as a date
  at all (the dates emptied or broken too: not readable, so not compared).

A row that fails any of them is another row that happens to stand where the record's stood
(the record's row deleted, a new one written there, its id not filled in yet): the record is
not removed for it; a full read that did not deliver it keeps it counted and says so, as for
any record a read no longer has (``sync --full --prune`` removes it). A row whose cells are not
at hand (a rejection's raw record of another shape) is never taken for the record's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

__all__ = ["is_own_row"]

#: The stored record's amount, the first of these it has.
_AMOUNTS = ("total", "amount", "hours")
#: The stored record's dates: one of them at least must be a date of its row.
_DATES = ("issue_date", "due_date", "date", "requested_on", "wanted_by")

_NOT_NUMBER = re.compile(r"[^\d,.]")
_DIGITS = re.compile(r"\d+")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def is_own_row(record: Mapping[str, object], raw: object, customer_name: str | None) -> bool:
    """Whether ``raw``, the raw record of a row rejected without an id, is the row of the
    stored ``record`` (its data, as stored), broken: its customer (by id, or by
    ``customer_name``, the customer's stored name), its amount and its date as far as the row
    can be read (see the module). False where the row's cells are not at hand."""
    cells = _cells(raw)
    if cells is None:
        return False
    customer = record.get("customer_id")
    if not isinstance(customer, str):
        return False  # nothing to tell the record by
    texts = {_text(cell) for cell in cells}
    if not {_text(customer), _text(customer_name or "")} & (texts - {""}):
        return False
    amount = next((record[f] for f in _AMOUNTS if record.get(f) is not None), None)
    if amount is not None:
        try:
            wanted = abs(Decimal(str(amount)))
        except InvalidOperation:
            return False
        if not any(wanted in _amounts(cell) for cell in cells):
            return False
    days = {(int(iso[1]), *sorted((int(iso[2]), int(iso[3])))) for f in _DATES
            if isinstance(day := record.get(f), str) and (iso := _ISO_DATE.fullmatch(day))}
    found = {(parts[0], *sorted(parts[1:])) for cell in cells
             if (parts := _date_parts(cell)) is not None}
    return not (days and found) or bool(days & found)


def _cells(raw: object) -> list[str] | None:
    """The row's cells: a file connector's ``{"row": [...]}``, a list of cells, or a mapping
    of fields to values; None for anything else."""
    if isinstance(raw, Mapping):
        row = raw.get("row")
        values: Iterable[object] = row if isinstance(row, list | tuple) else raw.values()
    elif isinstance(raw, list | tuple):
        values = raw
    else:
        return None
    cells = [value for value in values if isinstance(value, str)]
    return cells or None


def _text(value: str) -> str:
    """A cell as names and ids are compared: letter case and runs of spaces aside."""
    return " ".join(value.split()).casefold()


def _amounts(cell: str) -> set[Decimal]:
    """What ``cell`` may read as, as an amount without its sign: its digits with ``,`` or
    ``.`` as the decimal separator, or as a thousands separator (``1.500`` is 1.5 or 1500);
    where both appear, the last is the decimal one. Markers, spaces and signs aside."""
    body = _NOT_NUMBER.sub("", cell)
    if not any(c.isdigit() for c in body):
        return set()
    if "," in body and "." in body:
        decimal = "," if body.rfind(",") > body.rfind(".") else "."
        readings = [body.replace("." if decimal == "," else ",", "").replace(",", ".")]
    elif "," in body or "." in body:
        separator = "," if "," in body else "."
        readings = [body.replace(separator, "."), body.replace(separator, "")]
    else:
        readings = [body]
    found: set[Decimal] = set()
    for reading in readings:
        try:
            found.add(Decimal(reading))
        except InvalidOperation:
            continue
    return found


def _date_parts(cell: str) -> tuple[int, int, int] | None:
    """The year and the two other numbers of a cell written as a date (``2026-01-31``,
    ``31.01.2026``, ``1/31/2026``, ``2026-01-31T10:00``, ``20260131``): the year (four
    digits) first; None where the cell is no date."""
    groups = _DIGITS.findall(cell)
    if len(groups) == 1 and len(groups[0]) == 8:
        text = groups[0]
        groups = [text[:4], text[4:6], text[6:]]
    if len(groups) < 3:
        return None
    if len(groups[0]) == 4:
        year, first, second = groups[:3]
    elif len(groups[2]) == 4 and len(groups) == 3:
        first, second, year = groups
    else:
        return None
    a, b = int(first), int(second)
    if not (1 <= a <= 31 and 1 <= b <= 31 and (a <= 12 or b <= 12)):
        return None
    return int(year), a, b
