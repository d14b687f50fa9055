"""What a journal entry's credit on an invoice is: a bad debt written off, or a settlement.

QuickBooks brings an invoice's ``Balance`` down with a journal entry in two common ways, both
shaped alike in the payment that links them (a line linked to the invoice, a line linked to
the journal entry, often nothing received):

* **a bad debt written off**: the journal entry debits a bad debts expense and credits
  Accounts Receivable (Intuit's "Write off bad debts"). The client never paid it.
* **netting** a client's receivable against what the firm owes the same company as a
  supplier: the journal entry debits Accounts Payable (the vendor) and credits Accounts
  Receivable (the customer), applied in Receive Payment. That is a real settlement.

The credit line on Accounts Receivable is the same in both; the side that balances it, the
journal entry's debit lines (``Line[].JournalEntryLineDetail.PostingType`` ``Debit``, each
posting to ``AccountRef``), tells them apart by the account's type
(:func:`account_role`):

* ``Expense``, ``Other Expense`` or ``Cost of Goods Sold`` (``Classification`` ``Expense``),
  or a ``BadDebts`` / ``AllowanceForBadDebts`` detail type (the allowance method writes off
  against the allowance, a contra-asset): **written off**.
* Any other balance-sheet account (``Accounts Payable``, ``Bank``, another ``Accounts
  Receivable``, ``Other Current Liability``...) or an income account (a discount given, as a
  credit memo would be): **settled**, on the journal entry's ``TxnDate``.
* An account that cannot be read (QuickBooks refused, or it is not returned), a journal
  entry that cannot be read, or a type QuickBooks does not document: **unclassified**, read
  as settled (the safe default: no claim is made on a debt the books show cleared) with a
  note that says what to check (:func:`unclassified_note`).

One journal entry may do both (300 netted, 200 written off): its debits are taken as
settlement first, then write-off, then unclassified, across the credits drawn on it in the
order given: a payment's, in its line order. Over a sync, :class:`JournalDraws` keeps what is
left of each journal entry from one page of invoices to the next, and reads each payment
whole, once: which invoice takes which part is the payment's line order, whatever the pages
and whichever invoices the sync reads. Pure: no clock, no network.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from clientguard.errors import DataError
from clientguard.money import ZERO, to_decimal
from clientguard_quickbooks.mapping import JournalCredit, JournalSettlement, WriteOff

__all__ = [
    "BALANCE_SHEET_TYPES",
    "WRITE_OFF_SUBTYPES",
    "WRITE_OFF_TYPES",
    "AccountRole",
    "JournalDraws",
    "JournalReading",
    "JournalSides",
    "account_role",
    "debit_accounts",
    "journal_sides",
    "merge_credits",
    "read_credits",
    "unclassified_note",
]

AccountRole = Literal["write_off", "settlement"]

#: ``AccountType`` values of an expense: a debit there is a loss, a bad debt written off.
WRITE_OFF_TYPES = frozenset({"Expense", "Other Expense", "Cost of Goods Sold"})

#: ``AccountSubType`` (detail type) values that mean a bad debt whatever the type: the
#: expense ``BadDebts``, and the contra-asset ``AllowanceForBadDebts`` (``Other Current
#: Asset``) that the allowance method writes off against.
WRITE_OFF_SUBTYPES = frozenset({"BadDebts", "AllowanceForBadDebts"})

#: ``AccountType`` values of balance-sheet and income accounts: a debit there moves the
#: receivable elsewhere (netted against Accounts Payable, paid from a bank, moved to another
#: customer) or gives it as a discount: the invoice is settled.
BALANCE_SHEET_TYPES = frozenset({
    "Accounts Payable", "Accounts Receivable", "Bank", "Credit Card", "Equity", "Fixed Asset",
    "Long Term Liability", "Other Asset", "Other Current Asset", "Other Current Liability",
    "Income", "Other Income",
})

#: ``Classification`` values, where the ``AccountType`` is one not listed above.
_ROLE_OF_CLASSIFICATION: dict[str, AccountRole] = {
    "Expense": "write_off",
    "Asset": "settlement",
    "Liability": "settlement",
    "Equity": "settlement",
    "Revenue": "settlement",
}


def account_role(account: Mapping[str, Any]) -> AccountRole | None:
    """What a debit to ``account`` (a QuickBooks ``Account``) makes of the receivable it
    balances: ``write_off``, ``settlement``, or None when its type says neither."""
    subtype, kind = account.get("AccountSubType"), account.get("AccountType")
    if subtype in WRITE_OFF_SUBTYPES or kind in WRITE_OFF_TYPES:
        return "write_off"
    if kind in BALANCE_SHEET_TYPES:
        return "settlement"
    classification = account.get("Classification")
    return _ROLE_OF_CLASSIFICATION.get(classification) if isinstance(classification, str) else None


def _debit_lines(journal: Mapping[str, Any]) -> list[tuple[str | None, Decimal]]:
    """The journal entry's debit lines: (account id, amount), the id None when missing."""
    lines = journal.get("Line") or []
    if not isinstance(lines, list):
        raise DataError("Line: is not a list")
    found: list[tuple[str | None, Decimal]] = []
    for index, line in enumerate(lines):
        if not isinstance(line, Mapping):
            raise DataError(f"Line.{index}: is not an object")
        detail = line.get("JournalEntryLineDetail")
        if not isinstance(detail, Mapping) or detail.get("PostingType") != "Debit":
            continue
        amount = to_decimal(line.get("Amount"), what=f"Line.{index}.Amount")
        if amount < 0:
            raise DataError(f"Line.{index}.Amount: {amount} is negative")
        ref = detail.get("AccountRef")
        value = ref.get("value") if isinstance(ref, Mapping) else None
        found.append((value if isinstance(value, str) and value else None, amount))
    return found


def debit_accounts(journal: Mapping[str, Any]) -> frozenset[str]:
    """The ids of the accounts a journal entry debits (to read them). Raises DataError for a
    malformed journal entry."""
    return frozenset(account for account, _ in _debit_lines(journal) if account is not None)


@dataclass(frozen=True)
class JournalSides:
    """What a journal entry debits against the receivable it credits, by what it makes of it."""

    journal_id: str
    date: date
    """The journal entry's ``TxnDate``: the day a settlement by it is paid."""
    written_off: Decimal
    """Debits to write-off accounts (:func:`account_role`)."""
    settled: Decimal
    """Debits to balance-sheet and income accounts."""
    unclassified: Decimal
    """Debits to accounts that could not be read, or of a type that says neither."""
    why_unclassified: str = ""
    """Why, for the note: the first account that could not be read and the reason."""


def journal_sides(
    journal: Mapping[str, Any], accounts: Mapping[str, Mapping[str, Any] | str]
) -> JournalSides:
    """A journal entry's debits by role, its accounts looked up in ``accounts`` (by id: the
    ``Account``, or why it could not be read).

    Raises DataError naming the field for a malformed journal entry."""
    ident = journal.get("Id")
    raw_day = journal.get("TxnDate")
    if not isinstance(ident, str) or not ident:
        raise DataError("Id: is missing")
    if not isinstance(raw_day, str):
        raise DataError("TxnDate: is missing")
    try:
        day = date.fromisoformat(raw_day.strip()[:10])
    except ValueError:
        raise DataError(f"TxnDate: {raw_day!r} is not a date (YYYY-MM-DD)") from None
    totals: dict[AccountRole | None, Decimal] = {}
    why = ""
    for account_id, amount in _debit_lines(journal):
        found = accounts.get(account_id) if account_id is not None else "no AccountRef"
        role = account_role(found) if isinstance(found, Mapping) else None
        if role is None and not why:
            reason = found if isinstance(found, str) else (
                "its type says neither expense nor balance sheet" if found is not None
                else "not returned by QuickBooks")
            why = f"account {account_id or '?'}: {reason}"
        totals[role] = totals.get(role, ZERO) + amount
    if not totals:
        why = "it debits no account"
    return JournalSides(ident, day, totals.get("write_off", ZERO),
                        totals.get("settlement", ZERO), totals.get(None, ZERO), why)


@dataclass(frozen=True)
class JournalReading:
    """What a page's journal credits are: write-offs, settlements, and the notes on those
    read as settled for want of a classification."""

    write_offs: tuple[WriteOff, ...]
    settlements: tuple[JournalSettlement, ...]
    notes: tuple[str, ...]


def read_credits(
    credits: Sequence[JournalCredit], journals: Mapping[str, JournalSides | str]
) -> JournalReading:
    """Each credit as a write-off or a settlement, by the journal entry it draws on
    (``journals``: by id, its sides or why it could not be read). A journal entry's debits
    are drawn settlement first, then write-off, then unclassified, in the order of
    ``credits``; what none covers, and a credit on a journal entry not read, is unclassified:
    settled (on the journal entry's date, or the payment's when it was not read), with a
    note.

    The credits one invoice takes from one journal entry in one payment (two of its lines
    linked there, each giving part) are added up first, into one credit where the first was:
    one write-off and one settlement at most per (invoice, payment, journal entry), so that
    the settlement payment made of it (``<invoice>/journal/<journal entry>/<payment>``) is
    one, for all of it."""
    write_offs: list[WriteOff] = []
    settlements: list[JournalSettlement] = []
    notes: list[str] = []
    for written, settled, note in _draw(merge_credits(credits), journals, {}):
        write_offs.extend(written)
        settlements.extend(settled)
        notes.extend(note)
    return JournalReading(tuple(write_offs), tuple(settlements), tuple(notes))


_Drawn = tuple[tuple[WriteOff, ...], tuple[JournalSettlement, ...], tuple[str, ...]]


def _draw(
    credits: Sequence[JournalCredit], journals: Mapping[str, JournalSides | str],
    left: dict[str, list[Decimal]],
) -> list[_Drawn]:
    """What each of ``credits`` (merged) is, in order, drawing on ``left`` (by journal entry
    id: its settled and written-off parts not drawn yet; a journal entry not there starts from
    its full amounts, and is put there)."""
    drawn: list[_Drawn] = []
    for credit in credits:
        sides = journals.get(credit.txn_id) if credit.txn_type == "JournalEntry" else None
        if not isinstance(sides, JournalSides):
            why = sides if isinstance(sides, str) else (
                f"a {credit.txn_type or 'transaction'} is not a journal entry"
                if credit.txn_type != "JournalEntry" else "the journal entry was not read")
            drawn.append(((), (JournalSettlement(credit.invoice_id, credit.amount, credit.date,
                                                 credit.payment_id, credit.txn_id),),
                          (unclassified_note(credit, credit.amount, credit.date, why),)))
            continue
        capacity = left.setdefault(credit.txn_id, [sides.settled, sides.written_off])
        settled = min(credit.amount, capacity[0])
        written = min(credit.amount - settled, capacity[1])
        capacity[0] -= settled
        capacity[1] -= written
        rest = credit.amount - settled - written
        drawn.append((
            (WriteOff(credit.invoice_id, written, credit.date, credit.payment_id,
                      credit.txn_id),) if written > 0 else (),
            (JournalSettlement(credit.invoice_id, settled + rest, sides.date,
                               credit.payment_id, credit.txn_id),) if settled + rest > 0 else (),
            (unclassified_note(credit, rest, sides.date,
                               sides.why_unclassified or "its debits are used up"),)
            if rest > 0 else (),
        ))
    return drawn


class JournalDraws:
    """What is left of each journal entry's settled and written-off parts over one read of
    the invoices (one sync), and what each payment's journal credits were read as.

    A payment is read whole, once a sync: all its journal credits, whichever invoices the sync
    reads, in the payment's line order (:func:`~.mapping.journal_credits`), settlement first,
    then write-off (:func:`read_credits`). So which invoice takes which part of a journal
    entry that one payment applies to several invoices is the payment's line order, never
    the order of pages nor which invoices a sync reads: a page of 1 and of 1,000 read the
    same, and an incremental sync that reads one of those invoices reads it as the full sync
    did. What a payment leaves of a journal entry is left for the next payment the sync reads
    drawing on it (in the order the sync reads payments: by page, then by payment id). A new
    one is made for each sync: nothing is kept across syncs."""

    def __init__(self) -> None:
        self._left: dict[str, list[Decimal]] = {}
        self._payments: set[str] = set()
        self._drawn: dict[tuple[str, str], list[_Drawn]] = {}

    def unread(self, payment_ids: Sequence[str]) -> list[str]:
        """Those of ``payment_ids`` not read yet this sync, in the order given."""
        return [p for p in payment_ids if p not in self._payments]

    def read(
        self, payment_ids: Sequence[str], credits: Sequence[JournalCredit],
        journals: Mapping[str, JournalSides | str],
    ) -> None:
        """Reads the journal credits ``credits`` of the payments ``payment_ids`` (all the
        credits of each, in order), drawing on what is left of each journal entry
        (``journals``: by id, its sides or why it could not be read). A payment already read
        this sync is not read again: its credits are ignored."""
        fresh = [c for c in credits if c.payment_id not in self._payments]
        self._payments.update(payment_ids)
        merged = merge_credits(fresh)
        for credit, drawn in zip(merged, _draw(merged, journals, self._left), strict=True):
            self._drawn.setdefault((credit.invoice_id, credit.payment_id), []).append(drawn)

    def of(self, invoice_id: str, payment_ids: Collection[str]) -> JournalReading:
        """What the payments ``payment_ids`` (those the invoice links) settled or wrote off of
        the invoice ``invoice_id``, as read."""
        write_offs: list[WriteOff] = []
        settlements: list[JournalSettlement] = []
        notes: list[str] = []
        for payment_id in sorted(payment_ids, key=lambda p: (len(p), p)):
            for written, settled, note in self._drawn.get((invoice_id, payment_id), ()):
                write_offs.extend(written)
                settlements.extend(settled)
                notes.extend(note)
        return JournalReading(tuple(write_offs), tuple(settlements), tuple(notes))


def merge_credits(credits: Sequence[JournalCredit]) -> list[JournalCredit]:
    """``credits`` with those of one invoice on one transaction in one payment added up, in
    the place of the first (a payment has one date: theirs is the same)."""
    merged: dict[tuple[str, str, str, str], JournalCredit] = {}
    for credit in credits:
        key = (credit.invoice_id, credit.payment_id, credit.txn_type, credit.txn_id)
        first = merged.get(key)
        merged[key] = credit if first is None else replace(
            first, amount=first.amount + credit.amount)
    return list(merged.values())


def unclassified_note(credit: JournalCredit, amount: Decimal, day: date, why: str) -> str:
    """The note on a journal credit read as settled because nothing said it was written off."""
    return (
        f"invoices: {amount} of invoice {credit.invoice_id}, settled by "
        f"{credit.txn_type or 'transaction'} {credit.txn_id} in payment {credit.payment_id}, "
        f"is read as paid on {day.isoformat()}: whether it was a bad debt written off or a "
        f"settlement (netting) could not be told ({why}). If it wrote off a bad debt, let the "
        "app read JournalEntry and Account, then run `clientguard sync --full`"
    )
