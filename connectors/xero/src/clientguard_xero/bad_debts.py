"""Bad debts written off in Xero: which credit notes write off, and how much of which invoice.

Xero has no write-off of its own. Its guide ("Write off bad debt", Xero Central) has the firm
raise a sales credit note whose line is coded to a Bad Debts *expense* account and allocate
it to the invoice: the invoice then reads ``PAID`` on the allocation's date, although the
client never paid. Read as a credit, such an invoice was settled on the write-off day (38
days late in the story of docs/connectors/xero.md) where Stripe (``uncollectible``) and
QuickBooks (a journal entry to Bad debts) read it as open and late (151 days): a client who
never paid looked like a late payer.

The rules (docs/connectors/xero.md, "A bad debt written off stays open"):

* **A bad-debt account** (:func:`is_bad_debt_account`) is an account of the chart (``GET
  /Accounts``, scope ``accounting.settings.read``) whose ``Name`` says bad or doubtful debts
  and whose ``Class`` is ``EXPENSE`` (the write-off) or ``ASSET`` (a provision for doubtful
  debts, the allowance method), not one of recoveries; or one whose ``Code`` the firm lists
  in the connector's ``bad_debt_accounts`` option (an account named otherwise).
* **The part of a credit note that writes off** is what its lines coded to those accounts
  carry, tax included (``LineAmount``, plus ``TaxAmount`` where ``LineAmountTypes`` is
  ``Exclusive``), at most its ``Total`` (:func:`bad_debt_part`).
* **What it writes off of each invoice** (:func:`write_offs`): the credit note's allocations
  are drawn credit first, then write-off, in the order of their dates (Xero's order among
  those of one date). The credit part is what the other lines carry less the cash refunded
  (cash paid back is never a write-off). So an ordinary credit note writes off nothing, one
  coded to Bad Debts alone writes off all it allocates, and a mixed one (a discount and a
  bad debt) settles the invoice for its sales lines and writes off the rest: the order that
  reads least against the client, as QuickBooks draws a journal entry that both nets and
  writes off (settlement first).
* **The invoice** stays ``open`` for what was written off and keeps counting as late: its
  ``amount_due`` is Xero's ``AmountDue`` plus the write-off, and a ``PAID`` invoice written
  off has no paid date (:func:`written_off_of`); the credit note keeps only its credit part
  (:func:`~clientguard_xero.mapping.credit_note_to_model`).

Pure functions over raw records; the connector reads the accounts and attaches what it found
under :data:`BAD_DEBT_ACCOUNTS_KEY` (to a raw credit note) and :data:`WRITTEN_OFF_KEY` (to a
raw invoice), never Xero fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from clientguard.connector import says_bad_debt
from clientguard.errors import DataError
from clientguard.money import ZERO, to_decimal

__all__ = [
    "BAD_DEBT_ACCOUNTS_KEY",
    "WRITTEN_OFF_KEY",
    "WriteOff",
    "bad_debt_codes",
    "bad_debt_part",
    "is_bad_debt_account",
    "write_offs",
    "written_off_of",
]

BAD_DEBT_ACCOUNTS_KEY = "_clientguard_bad_debt_accounts"
"""Key under which the connector attaches to a raw credit note the codes of the bad-debt
accounts of the organisation (a sorted list; absent: the chart of accounts was not read)."""

WRITTEN_OFF_KEY = "_clientguard_written_off"
"""Key under which the connector attaches to a raw invoice the write-offs of it (a list of
:meth:`WriteOff.to_raw` objects) found in the credit notes allocated to it."""

_WRITE_OFF_CLASSES = frozenset({"EXPENSE", "ASSET"})


@dataclass(frozen=True)
class WriteOff:
    """Part of an invoice written off as a bad debt by a credit note's allocation. The client
    never paid it."""

    invoice_id: str
    amount: Decimal
    date: date | None
    """The allocation's date (the credit note's where the allocation has none)."""
    credit_note_id: str
    allocation: int = 0
    """Which of the credit note's allocations (its place in those given to
    :func:`write_offs`) wrote it off."""

    def to_raw(self) -> dict[str, str]:
        """The form attached to a raw invoice under :data:`WRITTEN_OFF_KEY`."""
        return {
            "credit_note_id": self.credit_note_id,
            "amount": str(self.amount),
            "date": self.date.isoformat() if self.date else "",
        }


def is_bad_debt_account(account: Mapping[str, Any]) -> bool:
    """True for an account of the chart that a write-off posts to: its ``Name`` says bad or
    doubtful debts ("Bad Debts", "Bad debt expense", "Provision for doubtful debts") and its
    ``Class`` is ``EXPENSE`` or ``ASSET``; an account of recoveries ("Bad debts recovered",
    income) is not one (:func:`clientguard.connector.says_bad_debt`)."""
    name = account.get("Name")
    if not isinstance(name, str) or not says_bad_debt(name):
        return False
    return str(account.get("Class") or "").upper() in _WRITE_OFF_CLASSES


def bad_debt_codes(accounts: Iterable[Any], configured: Iterable[str] = ()) -> frozenset[str]:
    """The codes of the bad-debt accounts: those of ``accounts`` (Xero's ``Accounts``) that
    :func:`is_bad_debt_account` says are, and the ``configured`` ones (the firm's own)."""
    codes = {code.strip() for code in configured if code.strip()}
    for account in accounts:
        if isinstance(account, Mapping) and is_bad_debt_account(account):
            code = account.get("Code")
            if isinstance(code, str | int) and str(code).strip():
                codes.add(str(code).strip())
    return frozenset(codes)


def _listed(raw: Mapping[str, Any], field: str) -> list[Any] | tuple[Any, ...]:
    listed = raw.get(field) or ()
    if not isinstance(listed, list | tuple):
        raise DataError(f"{field}: a {type(listed).__name__} where a list was due")
    return listed


def bad_debt_part(raw: Mapping[str, Any], codes: Iterable[str]) -> Decimal:
    """What a credit note's lines coded to the accounts ``codes`` carry, tax included (the
    ``TaxAmount`` is added where ``LineAmountTypes`` is ``Exclusive``), at most its
    ``Total``."""
    wanted = frozenset(codes)
    if not wanted:
        return ZERO
    exclusive = str(raw.get("LineAmountTypes") or "").casefold() == "exclusive"
    part = ZERO
    for index, line in enumerate(_listed(raw, "LineItems")):
        if not isinstance(line, Mapping):
            raise DataError(f"LineItems.{index}: is not an object")
        code = line.get("AccountCode")
        if code is None or str(code).strip() not in wanted:
            continue
        where = f"LineItems.{index}."
        part += to_decimal(line.get("LineAmount") or 0, what=f"{where}LineAmount")
        if exclusive:
            part += to_decimal(line.get("TaxAmount") or 0, what=f"{where}TaxAmount")
    total = to_decimal(raw.get("Total"), what="Total")
    return max(ZERO, min(part, total))


def _refunded(raw: Mapping[str, Any]) -> Decimal:
    refunded = ZERO
    for index, item in enumerate(_listed(raw, "Payments")):
        if isinstance(item, Mapping) and item.get("Status") != "DELETED":
            refunded += to_decimal(item.get("Amount"), what=f"Payments.{index}.Amount")
    return refunded


def write_offs(
    raw: Mapping[str, Any],
    codes: Iterable[str],
    allocations: Iterable[tuple[str, Decimal, date | None]],
) -> tuple[WriteOff, ...]:
    """What the credit note ``raw`` writes off of each invoice: its ``allocations`` (invoice
    id, amount, date; deleted ones already left out) drawn credit first, then write-off, in
    the order of their dates (see the module). Empty for a credit note with no line coded to
    the accounts ``codes``."""
    bad = bad_debt_part(raw, codes)
    if bad <= 0:
        return ()
    total = to_decimal(raw.get("Total"), what="Total")
    credit_left = max(ZERO, total - bad - _refunded(raw))
    issued = raw.get("CreditNoteID")
    found: list[WriteOff] = []
    # Sorted by date (stable: Xero's order among those of one date); undated ones last.
    given = list(allocations)
    in_order = sorted(range(len(given)),
                      key=lambda i: (given[i][2] is None, given[i][2] or date.min))
    for place in in_order:
        invoice_id, amount, on = given[place]
        credited = min(amount, credit_left)
        credit_left -= credited
        written = min(amount - credited, bad)
        bad -= written
        if written > 0:
            found.append(WriteOff(invoice_id, written, on, str(issued or ""), place))
    return tuple(found)


def written_off_of(raw: Mapping[str, Any]) -> Decimal:
    """The total of the write-offs the connector attached to a raw invoice (see
    :data:`WRITTEN_OFF_KEY`); 0 when none."""
    total = ZERO
    for index, item in enumerate(_listed(raw, WRITTEN_OFF_KEY)):
        where = f"{WRITTEN_OFF_KEY}.{index}"
        if not isinstance(item, Mapping):
            raise DataError(f"{where}: is not an object")
        amount = to_decimal(item.get("amount"), what=f"{where}.amount")
        if amount < 0:
            raise DataError(f"{where}.amount: {amount} is negative")
        total += amount
    return total
