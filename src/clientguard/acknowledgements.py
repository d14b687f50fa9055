"""The debtor's acknowledgements of its debts, as the user records them in a CSV file.

An acknowledgement (a signed letter or e-mail asking for time to pay, a confirmed balance)
restarts a debt's limitation period where the law says so: the rule is
:mod:`clientguard.metrics.cost.limitation`'s, this module only reads the user's record of the
facts. A file (``clientguard claim/review --acknowledged FILE``, or ``acknowledgements`` in
``clientguard.toml``) has a header row and a row an acknowledgement::

    invoice,client,date,note
    FV/12/2021,,2024-03-01,letter of 1 March 2024 asking for time to pay
    ,acme,2024-06-30,signed confirmation of the balance

- ``date``: the day the debtor made it: ``YYYY-MM-DD``, or ``DD.MM.YYYY`` as Polish Excel
  writes a date (``31.12.2024``; day first, always). A date with slashes is refused, whichever
  way round: ``03/04/2024`` is 3 April in Warsaw and 4 March in New York.
- ``invoice``: the invoice acknowledged, by its id or its number; with ``client`` too, an
  invoice of that client (the client says whose invoice a key shared by two is). A key that
  names two invoices (one's id and another's number, or a number two share) is refused
  without ``client``: picking one would restart the wrong debt's period.
- ``client`` alone (``invoice`` left empty): a customer (its id or its name) all of whose
  debts outstanding that day it acknowledged. A file may leave out the column it does not use.
- ``note``: optional, where the acknowledgement is (the claim cites it).

The file is read as :mod:`clientguard.csvinput` reads a small CSV file: UTF-8 (Excel's "CSV
UTF-8"), commas or, Polish Excel's default, semicolons; a quoted note may span lines; blank
lines and comment lines (starting with ``#``) between rows are skipped. Where ``invoice`` is
the first column, a comment line whose first cell, ``#`` included, names an invoice of the
ledger (a shop's number ``#1001``) is refused: such a number is written in double quotes, and
a comment then starts with ``# ``. Where another column comes first, the ``#`` is not an
invoice's and the line is a comment. A row that breaks a rule, or names an invoice or a
customer the ledger does not hold, is a :class:`~clientguard.errors.ConfigError` naming the
file, the line (the one the row starts on) and what to write instead: an acknowledgement left
out without a word would leave a debt time-barred that a court would still grant. So is a
header naming a column twice (:mod:`clientguard.csvinput`).
"""

from __future__ import annotations

import csv
import difflib
from collections.abc import Iterable
from pathlib import Path

from clientguard import wording
from clientguard.claims import ClaimError, find_customer
from clientguard.csvinput import CsvText, read_csv_text, read_day
from clientguard.errors import ConfigError
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
        self.ledger = ledger
        self.by_id = {invoice.id: invoice for invoice in ledger.invoices}
        self.by_number: dict[str, list[Invoice]] = {}
        for invoice in ledger.invoices:
            self.by_number.setdefault(invoice.number, []).append(invoice)

    def named(self, key: str) -> list[Invoice]:
        """The invoices ``key`` names: the one whose id it is, and every one whose number it
        is (each once)."""
        found = {invoice.id: invoice for invoice in self.by_number.get(key, ())}
        invoice = self.by_id.get(key)
        if invoice is not None:
            found = {invoice.id: invoice, **found}
        return list(found.values())

    def find(self, key: str, where: str, customer_id: str | None = None) -> Invoice:
        """The invoice ``key`` (an id or a number) names, among ``customer_id``'s where given.
        A key that names several (one invoice's id and another's number, a number two
        invoices share) is refused: picking one would restart the wrong debt's period."""
        named = self.named(key)
        if customer_id is not None:
            mine = [invoice for invoice in named if invoice.customer_id == customer_id]
            if not mine and named:
                raise ConfigError(_(
                    "{where}: {client} has no invoice {invoice}; the ledger's is {others}: "
                    "check the invoice and the client"
                ).format(where=where, client=repr(self.ledger.name_of(customer_id)),
                         invoice=repr(key),
                         others=", ".join(self._described(invoice) for invoice in named)))
            named = mine
        if len(named) == 1:
            return named[0]
        if named:
            raise self._ambiguous(key, named, where)
        # Each key once: where an invoice's id is its number (a CSV export's), it is one name.
        close = difflib.get_close_matches(key, list(dict.fromkeys([*self.by_id,
                                                                   *self.by_number])),
                                          n=3, cutoff=0.6)
        hint = (_("; did you mean {names}?").format(names=", ".join(repr(c) for c in close))
                if close else "")
        raise ConfigError(_(
            "{where}: the ledger has no invoice {invoice}{hint} (give the invoice's id or "
            "number)"
        ).format(where=where, invoice=repr(key), hint=hint))

    def _ambiguous(self, key: str, named: list[Invoice], where: str) -> ConfigError:
        """The error for a key that names several invoices: each, and the key that names it
        alone (its number where the key is its id, its id where the key is its number)."""
        invoices = "; ".join(self._described(invoice) for invoice in named)
        alone = [
            _("{key} for {client}'s").format(key=repr(other),
                                             client=self.ledger.name_of(invoice.customer_id))
            for invoice in named
            for other in ((invoice.number if invoice.id == key else invoice.id),)
            if other != key and [i.id for i in self.named(other)] == [invoice.id]
        ]
        if alone:
            return ConfigError(_(
                "{where}: {invoice} names more than one invoice: {invoices}. Write the one "
                "meant as {alone}, or give its client in the client column"
            ).format(where=where, invoice=repr(key), invoices=invoices,
                     alone=wording.or_list(alone)))
        return ConfigError(_(
            "{where}: {invoice} names more than one invoice: {invoices}. Give the client of "
            "the one meant in the client column"
        ).format(where=where, invoice=repr(key), invoices=invoices))

    def _described(self, invoice: Invoice) -> str:
        """``ACME Ltd's no. 1037 (id 77)``: an invoice as an error names it."""
        return _("{client}'s no. {number} (id {id})").format(
            number=invoice.number, id=invoice.id,
            client=self.ledger.name_of(invoice.customer_id))


def _read(path: Path, ledger: Ledger, invoices: _Invoices) -> list[Acknowledgement]:
    text = read_csv_text(path, _("the acknowledgements file"))
    if not text.records:
        return []
    line, header_row = text.records[0]
    header = [name.strip().casefold() for name in header_row]
    if "date" not in header or not {"invoice", "client"} & set(header):
        raise ConfigError(_(
            "{path}, line {line}: an acknowledgements file starts with a header row naming its "
            "columns: date, and invoice or client (or both), and optionally note; e.g. "
            "\"invoice,date,note\""
        ).format(path=path, line=line))
    unknown = [name for name in header if name not in ACKNOWLEDGEMENT_COLUMNS]
    if unknown:
        raise ConfigError(_(
            "{path}, line {line}: unknown column {column} (the columns are {columns})"
        ).format(path=path, line=line, column=repr(unknown[0]),
                 columns=", ".join(ACKNOWLEDGEMENT_COLUMNS)))
    _check_comments(path, text, line, header, invoices)
    found: list[Acknowledgement] = []
    for number, row in text.records[1:]:
        where = _("{path}, line {line}").format(path=path, line=number)
        found.append(_row(dict(zip(header, (cell.strip() for cell in row), strict=False)),
                          len(row), len(header), where, ledger, invoices))
    return found


def _check_comments(path: Path, text: CsvText, header_line: int, header: list[str],
                    invoices: _Invoices) -> None:
    """Refuse a comment line after the header whose ``#`` may begin an invoice number of the
    ledger (``#1001,2024-03-01,letter``, a shop's number): skipped as a comment, the
    acknowledgement would be lost without a word. Only where ``invoice`` is the first column:
    elsewhere the ``#`` begins another cell (``#2024-03-01,1102,...``, a row commented out) and
    the line is a comment, whatever invoice its other cells name."""
    if header[:1] != ["invoice"]:
        return
    for number, line in text.comments:
        if number < header_line:
            continue
        cells = next(csv.reader([line.lstrip()], delimiter=text.delimiter), [])
        key = cells[0].strip() if cells else ""
        if key and invoices.named(key):
            raise ConfigError(_(
                "{path}, line {line}: the line starts with # and is skipped as a comment, but "
                "{invoice} is an invoice of the ledger: write it in double quotes "
                "(\"{invoice_text}\") to acknowledge it, or start a comment with \"# \""
            ).format(path=path, line=number, invoice=repr(key), invoice_text=key))


def _row(cells: dict[str, str], width: int, columns: int, where: str, ledger: Ledger,
         invoices: _Invoices) -> Acknowledgement:
    if width > columns:
        raise ConfigError(_(
            "{where}: {width} cells, but the header names {columns} columns (a note with a "
            "comma is written in double quotes)"
        ).format(where=where, width=width, columns=columns))
    text = cells.get("date", "")
    day = read_day(text)
    if day is None:
        raise ConfigError(_(
            "{where}: date {value} is not a date: write the day the debtor made the "
            "acknowledgement as YYYY-MM-DD or DD.MM.YYYY (2024-03-01 or 01.03.2024)"
        ).format(where=where, value=repr(text)))
    invoice, client = cells.get("invoice", ""), cells.get("client", "")
    note = cells.get("note", "")
    if not invoice and not client:
        raise ConfigError(_(
            "{where}: the row names no invoice and no client: give the invoice acknowledged "
            "(its id or number), or the client all of whose debts were"
        ).format(where=where))
    customer_id = None
    if client:
        try:
            customer_id = find_customer(ledger, client)
        except ClaimError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    if invoice:
        # The client, where given, says whose invoice the id or number is.
        return Acknowledgement(day, invoice_id=invoices.find(invoice, where, customer_id).id,
                               note=note)
    return Acknowledgement(day, customer_id=customer_id, note=note)

