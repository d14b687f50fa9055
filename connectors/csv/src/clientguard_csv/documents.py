"""Payment documents made a block at a time: the payments of whole documents inside a block of
checked payment rows (:class:`~clientguard_csv.columnar.CheckedBlock`), made from the rows'
checked values and the cells they all repeat in one pass over the block, and their
allocations and payments made together (:func:`~clientguard.trust.checked_records_in_order`
once a run of documents, not once a document).

Only a short way: a document is made here where the builder's own short way
(``_Builder._checked_document``) would make it, and the record is the one it makes. Where a
cell is one this module does not read (a spreadsheet's ``="..."``), the document goes that
way (:data:`OTHER_WAY`); where the short way would not make it (a row of another currency's
invoice, an unknown invoice, a date that does not parse...), the builder's row path says why.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Collection, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Final

from clientguard.connector import MAPPING_ERRORS
from clientguard.model import (
    FIRST_DATE,
    LAST_DATE,
    MAX_AMOUNT_DIGITS,
    Payment,
    rate_in_bounds,
)
from clientguard.model import Allocation as ModelAllocation
from clientguard.money import is_currency
from clientguard.trust import checked_records_in_order
from clientguard_csv.amounts import CURRENCY_SYMBOLS
from clientguard_csv.columnar import CheckedPayment
from clientguard_csv.fields import FieldReader, RowError, clean_text

__all__ = ["OTHER_WAY", "PaymentDocuments", "named_currency"]


class _OtherWay:
    """A document this module does not read (see :data:`OTHER_WAY`)."""

    def __repr__(self) -> str:
        return "OTHER_WAY"


OTHER_WAY: Final = _OtherWay()
"""A document whose cells this module does not read: the builder's own short way makes it."""

_CELL_ERRORS: tuple[type[BaseException], ...] = (RowError, *MAPPING_ERRORS)
"""What reading a payment's cells may raise (the row path rejects its document for it)."""

#: Distinct cells of a file's dates, currencies and rates whose values are kept.
CELLS_KEPT = 1 << 16

#: A payment's values, as :class:`~clientguard.model.Payment` orders its fields, without its
#: allocations (the number of them in their place) and its source.
_Values = tuple[str, str, date, Decimal, str, int, Decimal | None]


def named_currency(code: str, column: str | None) -> str:
    """The currency a currency cell's text names: an ISO 4217 code as it is (in upper case),
    a symbol (``zł``, ``€``) as the code it stands for, anything else as it is written (the
    model says what is wrong with it). Raises :class:`RowError` for a symbol of several
    currencies (``$``)."""
    if len(code) == 3:
        return code.upper()
    if code.casefold() not in CURRENCY_SYMBOLS:
        return code
    named = CURRENCY_SYMBOLS[code.casefold()]
    if named is None:
        raise RowError(
            f"the currency {code!r} is the symbol of several currencies: write the "
            "ISO 4217 code (USD, CAD...) in the file, or leave the column out and set "
            "currency in the mapping", "currency", column)
    return named


def document_parts(
    values: Sequence[CheckedPayment], lo: int, hi: int, document: object,
    known: Callable[[str], tuple[str, str, str] | None], known_ids: Collection[str],
    by_number: bool, parts: list[tuple[str, Decimal, None]],
) -> tuple[str, tuple[str, str, str] | None, Decimal, Decimal, int] | None:
    """The rows ``lo`` to ``hi`` of one payment document, each where it takes the short way
    (its invoice known by id, of the payment's customer; or, with no invoice, the payment's
    customer named by a known id): its customer, the first row's invoice reference (None
    where no row names one), the payment's amount, the allocations' sum (added in their
    order, as the model adds them) and their count, each allocation's values added to
    ``parts``; None where a row does not take it (the row path says why). The one rule of
    both ways of making a document (:class:`PaymentDocuments` and the reader's
    ``_checked_document``)."""
    amount = Decimal(0)
    allocated = Decimal(0)
    customer: str | None = None
    first: tuple[str, str, str] | None = None
    count = 0
    append = parts.append
    for part, invoice_id, named, name, cells in values[lo:hi]:
        if cells != document:
            return None
        if invoice_id is None:
            # Unapplied: the payment's customer, named by a known id (and no number).
            # (Named alike in every row: the customer's cell is part of the document.)
            if by_number or named is None or named not in known_ids:
                return None
            customer = named
            amount += part
            continue
        ref = known(invoice_id)
        if ref is None:
            return None
        ref_id, owner, _ = ref
        if not ref_id or (customer is not None and owner != customer):
            return None
        if named != owner and (named is not None or name is not None):
            return None
        if customer is None:  # the first row (an unapplied one names the customer)
            customer, first = owner, ref
        amount += part
        allocated += part
        append((ref_id, part, None))
        count += 1
    if customer is None:  # pragma: no cover - a document has a row
        return None
    return customer, first, amount, allocated, count


class PaymentDocuments:
    """Makes the payments of whole documents of checked rows, for one payments file.

    ``customers`` gives the customer ids known (a live view, looked up as each document is
    taken: a document sees the customers the rows before it made); ``fields`` the fields of
    :attr:`CheckedPayment.document`, in order."""

    def __init__(
        self, reader: FieldReader, fields: Sequence[str], customers: Collection[str],
        currency: str | None, inverse_rates: bool, source: str,
    ) -> None:
        self.reader = reader
        self.customers = customers
        self.currency = currency
        self.inverse_rates = inverse_rates
        self.source = source
        self.by_number = reader.has("invoice_number")
        at = {name: i for i, name in enumerate(fields)}
        self.date_at = at.get("date")
        self.currency_at = at.get("currency")
        self.rate_at = at.get("fx_rate")
        # Each distinct cell's value, read once: a date (None: no date the model takes), a
        # currency's text (None: empty), a rate (None: empty); OTHER_WAY for a cell not read
        # here, _NONE for one the row path rejects.
        self.days: dict[str, object] = {}
        self.codes: dict[str, object] = {}
        self.rates: dict[str, object] = {}
        self.allocation_fields = {"invoice_id", "amount"}
        self.payment_fields = set(Payment.model_fields)

    # ------------------------------------------------------------------ one document
    def values(self, values: Sequence[CheckedPayment], lo: int, hi: int, key: str,
               parts: list[tuple[str, Decimal, None]],
               known: Callable[[str], tuple[str, str, str] | None]
               ) -> _Values | _OtherWay | None:
        """The payment's values of the checked rows ``lo`` to ``hi`` of a block (one document's,
        its id cell stripped ``key``), its allocations' values added to ``parts``, its
        invoices looked up by ``known`` (the read's index of invoices by id, as it is): what
        ``_Builder._checked_document`` makes of them. None where it makes none (the row path
        says why); :data:`OTHER_WAY` where a cell is one not read here. (``parts`` may have
        been added to in either case: the caller cuts it back.)"""
        document = values[lo].document
        if document is None:
            return None
        known_ids = self.customers
        by_number = self.by_number
        shared = document_parts(values, lo, hi, document, known, known_ids, by_number, parts)
        if shared is None:
            return None
        customer, first, amount, allocated, count = shared
        fallback = None if first is None else first[2]  # the first row's invoice's currency
        # The cells the rows repeat, in the order the builder reads them.
        # (Each cell's value as kept, looked up here: read, and kept, where it is not yet.)
        at = self.currency_at
        code = None if at is None else self.codes.get(document[at], _MISSING)
        if code is _MISSING:
            code = self._code(document[at])  # type: ignore[index]
        if code is OTHER_WAY:
            return OTHER_WAY
        if code is None:
            # No currency cell: the amount's marker (a plain amount, as every checked row's
            # is, has none), the first invoice's currency, the mapping's.
            code = fallback if fallback is not None else self.currency
            if code is None:
                return None  # "no currency": the row path says so
        elif code is _NONE:
            return None
        at = self.date_at
        day = _NONE if at is None else self.days.get(document[at], _MISSING)
        if day is _MISSING:
            day = self._day(document[at])  # type: ignore[index]
        if day is OTHER_WAY:
            return OTHER_WAY
        if key[:1] == "=":
            return OTHER_WAY
        payment_id = clean_text(key)
        at = self.rate_at
        rate = None if at is None else self.rates.get(document[at], _MISSING)
        if rate is _MISSING:
            rate = self._rate(document[at])  # type: ignore[index]
        if rate is OTHER_WAY:
            return OTHER_WAY
        # The model's rules (``_Builder._checked_payment``).
        if (day is _NONE or rate is _NONE or not payment_id or not customer
                or amount.adjusted() >= MAX_AMOUNT_DIGITS or not isinstance(code, str)
                or not is_currency(code) or allocated > amount):
            return None
        if rate is not None and not (type(rate) is Decimal and rate_in_bounds(rate, amount)):
            return None
        assert type(day) is date  # (a date within bounds, or _NONE: _day)
        return (payment_id, customer, day, amount, code, count,
                rate if type(rate) is Decimal else None)

    # ------------------------------------------------------------------ the records
    def made(self, payments: list[_Values], parts: list[tuple[str, Decimal, None]]
             ) -> list[Payment]:
        """The payments of ``payments`` (each as :meth:`values` gives it), whose allocations'
        values are ``parts`` in order: their allocations and payments made together."""
        allocations = checked_records_in_order(ModelAllocation, parts, self.allocation_fields)
        rows: list[tuple[Any, ...]] = []
        at = 0
        source, intern = self.source, sys.intern  # (one string a customer, a currency)
        for payment_id, customer, day, amount, currency, count, rate in payments:
            rows.append((payment_id, intern(customer), day, amount, intern(currency),
                         tuple(allocations[at:at + count]), rate, source))
            at += count
        return checked_records_in_order(Payment, rows, self.payment_fields)

    # ------------------------------------------------------------------ cells
    def _day(self, cell: str) -> object:
        """The date cell's date, where the model takes it (``_Builder._required_date``)."""
        found = self.days.get(cell, _MISSING)
        if found is _MISSING:
            found = _kept(self.days, cell, self._read_day(cell))
        return found

    def _read_day(self, cell: str) -> object:
        value = cell.strip()
        if value[:1] == "=":
            return OTHER_WAY
        try:
            day = self.reader.date_of("date", value)
        except _CELL_ERRORS:
            return _NONE
        if type(day) is not date or not FIRST_DATE <= day <= LAST_DATE:
            return _NONE  # (empty too: "is empty")
        return day

    def _code(self, cell: str) -> object:
        """The currency cell's currency (None where it is empty: ``_Builder._currency_of``)."""
        found = self.codes.get(cell, _MISSING)
        if found is _MISSING:
            found = _kept(self.codes, cell, self._read_code(cell))
        return found

    def _read_code(self, cell: str) -> object:
        value = cell.strip()
        if value[:1] == "=":
            return OTHER_WAY
        code = clean_text(value)
        if code is None:
            return None
        try:
            return named_currency(code, self.reader.column("currency"))
        except _CELL_ERRORS:
            return _NONE

    def _rate(self, cell: str) -> object:
        """The rate cell's rate (None where it is empty: ``_Builder._rate``)."""
        found = self.rates.get(cell, _MISSING)
        if found is _MISSING:
            found = _kept(self.rates, cell, self._read_rate(cell))
        return found

    def _read_rate(self, cell: str) -> object:
        value = cell.strip()
        if value[:1] == "=":
            return OTHER_WAY
        try:
            rate = self.reader.number_of("fx_rate", value)
        except _CELL_ERRORS:
            return _NONE
        if rate is None or not self.inverse_rates:
            return rate
        if rate == 0:
            return _NONE  # "the rate is zero"
        try:
            return 1 / rate
        except _CELL_ERRORS:  # pragma: no cover - as the builder's read, which catches it
            return _NONE


_NONE: Final = object()
"""A cell the row path rejects its document for."""
_MISSING: Final = object()


def _kept(known: dict[str, object], cell: str, value: object) -> object:
    """``value``, kept as ``cell``'s in ``known`` while it holds fewer than :data:`CELLS_KEPT`."""
    if len(known) < CELLS_KEPT:
        known[cell] = value
    return value
