"""The debtor's acknowledgements of its debts, as the user records them in a CSV file.

An acknowledgement (a signed letter or e-mail asking for time to pay, a confirmed balance)
restarts a debt's limitation period where the law says so: the rule is
:mod:`clientguard.metrics.cost.limitation`'s, this module only reads the user's record of the
facts. A file (``clientguard claim/review --acknowledged FILE``, or ``acknowledgements`` in
``clientguard.toml``) has a header row and a row an acknowledgement::

    invoice,client,date,note
    FV/12/2021,,2024-03-01,letter of 1 March 2024 asking for time to pay
    ,acme,2024-06-30,signed confirmation of the balance

- ``date``: the day the debtor made it (ISO 8601, ``YYYY-MM-DD``).
- ``invoice``: the invoice acknowledged, by its id or its number; or, left empty, ``client``:
  a customer (its id or its name) all of whose debts outstanding that day it acknowledged.
  Exactly one of the two; a file may leave out the column it does not use.
- ``note``: optional, where the acknowledgement is (the claim cites it).

Blank lines and lines starting with ``#`` are skipped. A row that breaks a rule, or names an
invoice or a customer the ledger does not hold, is a :class:`~clientguard.errors.ConfigError`
naming the file, the line and what to write instead: an acknowledgement left out without a
word would leave a debt time-barred that a court would still grant.
"""

from __future__ import annotations

import csv
import difflib
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from clientguard.claims import ClaimError, find_customer
from clientguard.errors import ConfigError, os_reason
from clientguard.i18n import gettext as _
from clientguard.ledger import Ledger
from clientguard.metrics.cost import Acknowledgement
from clientguard.model import Invoice

__all__ = ["ACKNOWLEDGEMENT_COLUMNS", "read_acknowledgements"]

ACKNOWLEDGEMENT_COLUMNS = ("invoice", "client", "date", "note")
"""The columns an acknowledgements file may have: ``date`` and one of ``invoice`` and
``client`` at least."""


def read_acknowledgements(paths: Iterable[Path], ledger: Ledger) -> tuple[Acknowledgement, ...]:
    """The acknowledgements of the files ``paths`` (see the module docstring), each naming an
    invoice or a customer of ``ledger`` by its id. Raises :class:`ConfigError` naming the file
    and the line of the first row that cannot be read."""
    found: list[Acknowledgement] = []
    invoices = _Invoices(ledger)
    for path in paths:
        found.extend(_read(path, ledger, invoices))
    return tuple(found)


class _Invoices:
    """The ledger's invoices by id and by number, found once for every file."""

    def __init__(self, ledger: Ledger) -> None:
        self.by_id = {invoice.id: invoice for invoice in ledger.invoices}
        self.by_number: dict[str, list[Invoice]] = {}
        for invoice in ledger.invoices:
            self.by_number.setdefault(invoice.number, []).append(invoice)

    def find(self, key: str, where: str) -> Invoice:
        invoice = self.by_id.get(key)
        if invoice is not None:
            return invoice
        same = self.by_number.get(key, [])
        if len(same) == 1:
            return same[0]
        if same:
            raise ConfigError(_(
                "{where}: the number {invoice} is that of {n} invoices ({ids}): give the "
                "invoice's id instead"
            ).format(where=where, invoice=repr(key), n=len(same),
                     ids=", ".join(invoice.id for invoice in same)))
        close = difflib.get_close_matches(key, [*self.by_id, *self.by_number], n=3, cutoff=0.6)
        hint = (_("; did you mean {names}?").format(names=", ".join(repr(c) for c in close))
                if close else "")
        raise ConfigError(_(
            "{where}: the ledger has no invoice {invoice}{hint} (give the invoice's id or "
            "number)"
        ).format(where=where, invoice=repr(key), hint=hint))


def _read(path: Path, ledger: Ledger, invoices: _Invoices) -> list[Acknowledgement]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            lines = [(n, line) for n, line in enumerate(handle, start=1)
                     if line.strip() and not line.lstrip().startswith("#")]
    except OSError as exc:
        raise ConfigError(_("cannot read the acknowledgements file {path}: {problem}").format(
            path=path, problem=os_reason(exc))) from None
    if not lines:
        return []
    rows = csv.reader(line for _number, line in lines)
    header = [name.strip().casefold() for name in next(rows)]
    if "date" not in header or not {"invoice", "client"} & set(header):
        raise ConfigError(_(
            "{path}, line {line}: an acknowledgements file starts with a header row naming its "
            "columns: date, and invoice or client (or both), and optionally note; e.g. "
            "\"invoice,date,note\""
        ).format(path=path, line=lines[0][0]))
    unknown = [name for name in header if name not in ACKNOWLEDGEMENT_COLUMNS]
    if unknown:
        raise ConfigError(_(
            "{path}, line {line}: unknown column {column} (the columns are {columns})"
        ).format(path=path, line=lines[0][0], column=repr(unknown[0]),
                 columns=", ".join(ACKNOWLEDGEMENT_COLUMNS)))
    found: list[Acknowledgement] = []
    for (number, _line), row in zip(lines[1:], rows, strict=True):
        where = _("{path}, line {line}").format(path=path, line=number)
        found.append(_row(dict(zip(header, (cell.strip() for cell in row), strict=False)),
                          len(row), len(header), where, ledger, invoices))
    return found


def _row(cells: dict[str, str], width: int, columns: int, where: str, ledger: Ledger,
         invoices: _Invoices) -> Acknowledgement:
    if width > columns:
        raise ConfigError(_(
            "{where}: {width} cells, but the header names {columns} columns (a note with a "
            "comma is written in double quotes)"
        ).format(where=where, width=width, columns=columns))
    text = cells.get("date", "")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ConfigError(_(
            "{where}: date {value} is not a date: write the day the debtor made the "
            "acknowledgement as YYYY-MM-DD"
        ).format(where=where, value=repr(text))) from None
    invoice, client = cells.get("invoice", ""), cells.get("client", "")
    note = cells.get("note", "")
    if invoice and client:
        raise ConfigError(_(
            "{where}: give the invoice acknowledged or the client all of whose debts were, not "
            "both (leave client empty for one invoice)"
        ).format(where=where))
    if invoice:
        return Acknowledgement(day, invoice_id=invoices.find(invoice, where).id, note=note)
    if not client:
        raise ConfigError(_(
            "{where}: the row names no invoice and no client: give the invoice acknowledged "
            "(its id or number), or the client all of whose debts were"
        ).format(where=where))
    try:
        customer_id = find_customer(ledger, client)
    except ClaimError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    return Acknowledgement(day, customer_id=customer_id, note=note)

