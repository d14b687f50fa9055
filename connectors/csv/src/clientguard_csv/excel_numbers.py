"""Ids that a spreadsheet read as numbers before the file was saved: Excel's scientific
notation, which loses an id's digits (``123456789012`` saved as ``1.23E+11``), and the
leading zeros it drops (``0001`` saved as ``1``).

Excel (and LibreOffice, and Google Sheets) show a long number in a column of the General or
Number format in scientific notation, and save a CSV as the cells are shown: one digit, a
decimal separator (``.``, or ``,`` in a Polish or German locale) and at most a few more
digits, ``E``, a sign and two or three digits of exponent. The digits past those shown are not
in the file: two invoices ``123456789012`` and ``123456789099`` are both ``1.23E+11``. Such a
cell in an id column cannot name one record, so it is rejected at its cell, never read.

Excel drops the leading zeros of a cell of digits alone the same way (``00123`` is saved as
``123``), never of an id with a letter in it: ``C-00123`` is text to the spreadsheet and
is saved as written. So only ids of digits alone are compared without their
zeros (:func:`zeros_key`), and two such ids are never taken for one unasked: ``00123`` and
``123`` may be two clients. Where the customers file lists both, or (no customers file) the
rows make customers of both, the read says so (:class:`ZerosIndex`, :class:`LeadingZeroIds`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal

from clientguard.names import normalise_name
from clientguard.records import Location

__all__ = [
    "MOST_ZEROS", "SCIENTIFIC_RE2", "LeadingZeroIds", "LostNumbers", "MadeCustomer",
    "ZerosIndex", "customer_zeros_hint", "is_scientific", "lost_digits", "lost_number_hint",
    "other_zeros", "owner_zeros_hint", "rejected_as_lost", "scientific_amount", "zeros_hint",
    "zeros_key",
]

#: Excel's scientific notation, as its CSV export writes a number: a digit from 1 to 9, an
#: optional decimal part (a point or, in a decimal-comma locale, a comma), ``E`` (either
#: case), a sign (Excel always writes one) and two or three digits (Excel writes two,
#: LibreOffice may write three). ``2E+5``, ``1e27`` and ``1E+999999`` are not Excel's work.
_SCIENTIFIC = re.compile(r"-?[1-9](?:[.,]\d+)?[Ee][+-]\d{2,3}")

#: What a cell in :data:`_SCIENTIFIC`'s notation holds somewhere, for pyarrow's compute (RE2):
#: the columnar reader looks for it in a whole column at once, and hands the rows where it is
#: found to the row reader, which decides (:func:`is_scientific`).
SCIENTIFIC_RE2 = r"[1-9](?:[.,][0-9]+)?[Ee][+-][0-9]{2}"

#: The characters one of which is the second of every cell :data:`_SCIENTIFIC` matches
#: after its optional minus: a cheap test before the pattern, on the reading's hot path.
_SECOND = frozenset(".,Ee")

#: The most leading zeros a hint looks for in front of a number that lost them (``1`` for
#: ``0000000001``): invoice numbers are padded to a few digits; ten covers any seen.
MOST_ZEROS = 10


def is_scientific(cell: str) -> bool:
    """Whether ``cell`` (stripped) is a number as Excel writes one in scientific notation
    (``1.23E+11``, ``1,23E+11``, ``1.23457E+11``, ``1.2E+15``, ``2E+05``)."""
    start = 1 if cell[:1] == "-" else 0
    return cell[start + 1:start + 2] in _SECOND and _SCIENTIFIC.fullmatch(cell) is not None


def lost_digits(cell: str, column: str | None) -> str:
    """Why an id, number or tax id cell in scientific notation (:func:`is_scientific`) is
    rejected, and what to do."""
    where = f"column {column!r}" if column else "the column"
    return (f"{cell!r} is a number in scientific notation, as Excel saves a long number in a "
            "column formatted as a number: the digits past the first few are not in the file, "
            "so the id, number or tax id it stood for is lost (two of them can read alike); "
            f"format {where} as Text in the spreadsheet before saving the CSV, or export the "
            "CSV from the tool directly without opening it in Excel")


def scientific_amount(cell: str) -> str:
    """Why an amount, hours or rate cell in scientific notation is rejected: the digits
    Excel did not show are not in the file, so the number is not the one the tool had."""
    return (f"{cell!r} is a number in scientific notation, as Excel saves a long number in a "
            "narrow column or one formatted as General: the digits past the first few are not "
            "in the file, so it is not read as an amount; format the column as Number with its "
            "decimal places before saving the CSV, or export the CSV from the tool directly")


def other_zeros(number: str) -> list[str]:
    """``number``, a string of ASCII digits, written with other leading zeros, the fewest
    zeros apart first (more zeros first of two as far apart): up to :data:`MOST_ZEROS` more
    or fewer than its own (``01``: ``001``, ``1``, ``0001``...), and without its own however
    many (``0001``: ``1``, as Excel saves it); none where ``number`` is not such a string.
    Every form :func:`zeros_key` takes for one number (``007``: ``07`` and ``7``; ``000``:
    ``0``), so a rejection names every id that a group of them holds."""
    key = zeros_key(number)
    if key is None:
        return []
    own = len(number) - len(key)
    found = [f"{'0' * zeros}{key}" for apart in range(1, MOST_ZEROS + 1)
             for zeros in (own + apart, own - apart) if zeros >= 0]
    if own > MOST_ZEROS:
        found.append(key)
    return found


#: Why ids that differ only by leading zeros may be one, and what to do: the end of every
#: such hint (an invoice's number, a customer's id), but for who is not matched
#: (:func:`_zeros_cause`).
_ZEROS_CAUSE = ("leading zeros, as where Excel dropped them (it reads a column of digits as "
                "numbers): format the column as Text in the spreadsheet before saving the "
                "CSV, or export the CSV from the tool directly; ")


def _zeros_cause(ids: int) -> str:
    """:data:`_ZEROS_CAUSE` for a hint about ``ids`` ids (at least two: the one named and the
    others found): "the two are not matched unasked" for two, "they are not matched unasked"
    for more (the row's id and two or more known ids: "the two" would miscount them)."""
    return _ZEROS_CAUSE + ("the two are" if ids == 2 else "they are") + " not matched unasked"


def zeros_hint(key: str, other: str, customer: str) -> str:
    """What the rejection of a document naming an invoice that no invoice has as its ``key``
    (``id`` or ``number``) adds where invoice ``other`` of ``customer`` differs from it
    only by leading zeros (:func:`other_zeros`)."""
    return f"; invoice {key} {other!r} (customer {customer!r}) differs from it only by " + (
        _zeros_cause(2))


def customer_zeros_hint(others: list[tuple[str, str]]) -> str:
    """What the rejection of a row naming a customer id that no customer has adds where the
    ``others`` (each an id and its customer's name, at least one) differ from it only by
    leading zeros (:func:`other_zeros`): ``00123`` in the customers file, ``123`` in the
    invoices file saved through Excel, or the other way round. They may be two customers, so
    they are never matched unasked."""
    named = ", ".join(repr(other) if name == other else f"{other!r} ({name!r})"
                      for other, name in others)
    which = "customer id" if len(others) == 1 else "customer ids"
    verb = "differs" if len(others) == 1 else "differ"
    return f"; {which} {named} {verb} from it only by " + _zeros_cause(1 + len(others))


def owner_zeros_hint(owner: str, named: str) -> str:
    """What the rejection of a payment or credit note naming customer ``named`` for an
    invoice of customer ``owner`` adds where the two ids differ only by leading zeros."""
    if owner not in other_zeros(named):
        return ""
    return "; the two ids differ only by " + _zeros_cause(2)


@dataclass
class LostNumbers:
    """The invoice ids (or numbers) that were rejected for Excel's scientific notation
    (:func:`lost_digits`), by the numbers they may stand for: a payment naming
    ``123456789012`` where the invoices file holds ``1.23E+11`` is told that the invoice it
    names may be that rejected one, never matched to it (``123456789099`` reads alike).

    Kept by the rounded value and its precision, so that a look-up costs one dict access per
    precision seen (a few), however many invoices Excel wrote so."""

    found: dict[tuple[int, Decimal], tuple[str, Location, int]] = field(default_factory=dict)
    """Each cell's value (``1.23E+11`` is 123000000000, to 3 digits) and precision: the
    first cell written so, where it is, and how many invoices were."""
    precisions: set[int] = field(default_factory=set)

    def add(self, cell: str, where: Location) -> None:
        """Remember ``cell``, a positive number in Excel's scientific notation of an integer
        (a positive exponent), rejected at ``where``; any other cell is left out."""
        if cell[:1] == "-" or not is_scientific(cell):
            return
        mantissa, _, exponent = cell.replace(",", ".").upper().partition("E")
        if int(exponent) < 0:
            return
        digits = len(mantissa.replace(".", ""))
        key = (digits, Decimal(f"{mantissa}E{exponent}"))
        first = self.found.get(key)
        self.found[key] = (cell, where, 1) if first is None else (*first[:2], first[2] + 1)
        self.precisions.add(digits)

    def find(self, number: str) -> tuple[str, Location, int] | None:
        """The rejected cell that ``number``, a string of ASCII digits, reads as once Excel
        shows it in scientific notation (rounded half away from zero to the cell's digits),
        with where the first such cell is and how many there are; None where no such cell
        was rejected."""
        if not self.found or not (number.isascii() and number.isdigit()):
            return None
        for digits in sorted(self.precisions):
            rounded = Context(prec=digits, rounding=ROUND_HALF_UP).create_decimal(number)
            hit = self.found.get((digits, rounded))
            if hit is not None:
                return hit
        return None


def rejected_as_lost(cell: str) -> str:
    """What the rejection of a payment or credit note naming an invoice that was itself
    rejected adds where the invoice's row held ``cell``, an id, number or tax id in Excel's
    scientific notation (:func:`lost_digits`): why, and what to do."""
    return (f": Excel saved {cell!r} there in scientific notation, losing digits; format that "
            "column as Text before saving the invoices CSV, or export it from the tool directly")


def lost_number_hint(key: str, hit: tuple[str, Location, int]) -> str:
    """What the rejection of a document naming an invoice that no invoice has as its ``key``
    (``id`` or ``number``) adds where an invoice rejected for Excel's scientific notation
    may be it (:meth:`LostNumbers.find`): the number rounds to the invoice's cell."""
    cell, where, count = hit
    more = "" if count == 1 else f", and {count - 1:,} more written alike"
    return (f"; invoice {key} {cell!r} ({where}{more}) may be it: Excel saved that "
            f"{key} in scientific notation, losing the digits past the first few, so the two "
            "are not matched; format that column as Text before saving the invoices CSV, or "
            "export it from the tool directly")


def zeros_key(ident: str) -> str | None:
    """What ``ident`` and every id that differs from it only by leading zeros have in common:
    its digits without their leading zeros (``0`` for zeros alone: ``0`` and ``000``), where
    it is a string of ASCII digits (``00123``, ``123``: ``123``); None for any other id
    (``C-00123``, ``١٢٣``, ``-0123``): Excel keeps an id with a letter in it as text."""
    if not (ident.isascii() and ident.isdigit()):
        return None
    return ident.lstrip("0") or "0"


@dataclass(frozen=True, slots=True)
class MadeCustomer:
    """A customer read: made from the rows (no customers file), or listed in the customers
    file. Its id, the name on the row that made or listed it (its id where the rows name
    none), and that row, the first to name it."""

    id: str
    name: str
    first: Location


@dataclass(frozen=True)
class LeadingZeroIds:
    """Customers whose ids differ only by leading zeros (``00123`` and ``123``), made from the
    rows or listed in the customers file (``listed``), each with the first row naming it, in
    the order read: as where one file (or some of its rows) went through Excel, which dropped
    the zeros. They are two customers in the records, never joined unasked (they may be two
    clients); ``str()`` is the warning a read gives, saying what to do. ``source`` is the name
    the records carry as their source, as a links file names their customers."""

    customers: tuple[MadeCustomer, ...]
    source: str
    listed: bool = False
    """Whether the customers file lists them (then a customers file is no way out: it is the
    file to export again)."""

    def __str__(self) -> str:
        shown = [f"{c.id!r} ({c.first}{'' if c.name == c.id else f', {c.name!r}'})"
                 for c in self.customers]
        ids = f"{', '.join(shown[:-1])} and {shown[-1]}"
        names = [c.name for c in self.customers if c.name != c.id]
        alike = {normalise_name(name) for name in names}
        if len(names) == len(self.customers) and len(alike) == 1:
            likely = "the same name on each, so very likely one client"
        elif len(alike) > 1:
            likely = "named differently, so maybe two clients"
        else:
            likely = "maybe one client"
        first = self.customers[0]
        lines = "; ".join(f"{self.source}:{first.id},{self.source}:{other.id}"
                          for other in self.customers[1:])
        return (f"customer ids {ids} differ only by leading zeros, as where Excel dropped them "
                "(it reads a column of digits as numbers), and are read as "
                f"{len(self.customers)} customers: {likely}; if one, its documents, share, "
                "lateness and verdict are split between them; they are not joined unasked. Format "
                "the customer id column as Text in the spreadsheet and export the CSV again"
                f"{'' if self.listed else ', or give a customers file'}; if they are one "
                "client, link them in a links file "
                f"(header customer,same_as; {'lines' if len(self.customers) > 2 else 'line'} "
                f"{lines}) named in [links] files of clientguard.toml")


class ZerosIndex:
    """The customers read (listed in the customers file, or made from the rows), by
    :func:`zeros_key`, to find those whose ids differ only by leading zeros: a dict look-up a
    customer (not a row), and the groups found handed out once each time they grow
    (:meth:`found`; the read asks once, after the last stream that holds customers, so each
    group is handed out once, whole)."""

    def __init__(self) -> None:
        #: The first customer of each key: its id, name and row (a plain tuple, the
        #: dataclass made only for a group).
        self._first: dict[str, tuple[str, str, Location]] = {}
        self._groups: dict[str, list[MadeCustomer]] = {}
        self._grown: dict[str, None] = {}  # (an ordered set: the order groups grew in)

    def add(self, customer_id: str, name: str, where: Location) -> None:
        """Count customer ``customer_id``, just read from the row at ``where`` (each customer
        once: the first row naming it)."""
        key = zeros_key(customer_id)
        if key is None:
            return
        first = self._first.get(key)
        if first is None:
            self._first[key] = (customer_id, name, where)
            return
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = [MadeCustomer(*first)]
        group.append(MadeCustomer(customer_id, name, where))
        self._grown[key] = None

    def found(self, source: str, *, listed: bool = False) -> list[LeadingZeroIds]:
        """The groups of two or more ids that grew since the last call, in the order they
        did, each with all its customers (``source``, ``listed``: see
        :class:`LeadingZeroIds`)."""
        grown, self._grown = self._grown, {}
        return [LeadingZeroIds(tuple(self._groups[key]), source, listed) for key in grown]
