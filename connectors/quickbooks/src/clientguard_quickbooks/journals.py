"""What a journal entry's credit on an invoice is: a bad debt written off, or a settlement.

QuickBooks brings an invoice's ``Balance`` down with a journal entry in several common ways,
all shaped alike in the payment that links them (a line linked to the invoice, a line linked
to the journal entry, often nothing received):

* **a bad debt written off**: the journal entry debits a bad debts expense and credits
  Accounts Receivable (Intuit's "Write off bad debts"). The client never paid it.
* **netting** a client's receivable against what the firm owes the same company as a
  supplier: the journal entry debits Accounts Payable (the vendor) and credits Accounts
  Receivable (the customer), applied in Receive Payment. That is a real settlement.
* **a remainder the firm absorbed**: an early-payment discount the client took, bank
  charges deducted from a transfer (a short payment), a few cents of rounding, a goodwill
  reduction, cleared to an expense account that is no bad debt. The client paid what the
  firm accepted: a settlement too.

The credit line on Accounts Receivable is the same in all; the side that balances it, the
journal entry's debit lines (``Line[].JournalEntryLineDetail.PostingType`` ``Debit``, each
posting to ``AccountRef``), tells them apart by the account (:func:`account_role`):

* **A bad-debt account** (:func:`is_bad_debt_account`): detail type (``AccountSubType``)
  ``BadDebts`` or ``AllowanceForBadDebts`` (the allowance method writes off against the
  allowance, a contra-asset); or an expense or asset account whose ``Name`` says bad or
  doubtful debts (Polish: "nieściągalne"), not one of recoveries; or an account the firm
  lists in the connector's ``bad_debt_accounts`` option (by id, number or name): **written
  off**. A listed id counts even where the account cannot be read.
* Any other account QuickBooks types: an expense (``Expense``, ``Other Expense``, ``Cost of
  Goods Sold``: the firm absorbed it), a balance-sheet account (``Accounts Payable``,
  ``Bank``, another ``Accounts Receivable``...) or an income account (a discount given):
  **settled**, on the journal entry's ``TxnDate``, with no note. As the Xero connector
  decides (docs/connectors/xero.md, "bad debts"): reading every expense as a write-off made
  a punctual client who took a discount look like a defaulter, late for ever.
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

import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from clientguard.connector import says_bad_debt
from clientguard.errors import DataError
from clientguard.money import ZERO, to_decimal
from clientguard_quickbooks.mapping import JournalCredit, JournalSettlement, WriteOff

__all__ = [
    "BALANCE_SHEET_TYPES",
    "EXPENSE_TYPES",
    "WRITE_OFF_SUBTYPES",
    "AccountRole",
    "JournalDraws",
    "JournalReading",
    "JournalSides",
    "account_role",
    "debit_accounts",
    "is_bad_debt_account",
    "journal_sides",
    "merge_credits",
    "read_credits",
    "unclassified_note",
]

AccountRole = Literal["write_off", "settlement"]

#: ``AccountType`` values of an expense. A debit there is a cost the firm absorbed (a
#: discount, bank charges, rounding): a settlement, unless the account is a bad-debt account
#: (:func:`is_bad_debt_account`).
EXPENSE_TYPES = frozenset({"Expense", "Other Expense", "Cost of Goods Sold"})

#: ``AccountSubType`` (detail type) values that mean a bad debt whatever the type or name: the
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

#: ``Classification`` values that say settled, where the ``AccountType`` is one not listed
#: above.
_SETTLING_CLASSIFICATIONS = frozenset({"Expense", "Asset", "Liability", "Equity", "Revenue"})

#: Classifications (and the types of them) whose account a bad-debt name makes a write-off:
#: the expense, and the provision for doubtful debts (an asset, the allowance method). A
#: liability or an income account named so ("Bad debts recovered") is not one.
_NAMED_WRITE_OFF_TYPES = EXPENSE_TYPES | {"Other Current Asset", "Other Asset"}
_NAMED_WRITE_OFF_CLASSIFICATIONS = frozenset({"Expense", "Asset"})

#: What QuickBooks appends to the name of an account made inactive, as :func:`_plain` folds it.
_DELETED = "(deleted)"


def _plain(text: str) -> str:
    """``text`` folded for comparing names: no diacritics (ś is s, ł is l), case-folded,
    spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def _text(account: Mapping[str, Any], field: str) -> str | None:
    """The account's ``field`` when it is text (a hostile or malformed value is no value)."""
    value = account.get(field)
    return value if isinstance(value, str) else None


def _listed(configured: Iterable[str]) -> frozenset[str]:
    """The ``bad_debt_accounts`` option's entries as they are compared (folded; empty ones
    left out)."""
    return frozenset(p for p in (_plain(entry) for entry in configured) if p)


def is_bad_debt_account(account: Mapping[str, Any], listed: Iterable[str] = ()) -> bool:
    """True for an account a write-off posts to: one of ``listed`` (the ``bad_debt_accounts``
    option: its ``Id``, ``AcctNum``, ``Name`` or ``FullyQualifiedName``, compared without case
    or diacritics); a detail type ``BadDebts`` or ``AllowanceForBadDebts``; or an expense or
    asset account whose ``Name`` says bad or doubtful debts, not one of recoveries
    (:func:`clientguard.connector.says_bad_debt`)."""
    wanted = _listed(listed)
    names = [account.get(field) for field in ("Id", "AcctNum", "Name", "FullyQualifiedName")]
    plain = {_plain(str(n)) for n in names if isinstance(n, str | int)}
    # QuickBooks renames an account made inactive ("deleted" in its screens): "Write-offs"
    # becomes "Write-offs (deleted)", in Name and FullyQualifiedName alike. The firm lists
    # the name it gave the account; the old postings still debit it.
    plain |= {p.removesuffix(_DELETED).rstrip() for p in plain if p.endswith(_DELETED)}
    if plain & wanted:
        return True
    if _text(account, "AccountSubType") in WRITE_OFF_SUBTYPES:
        return True
    name = _text(account, "Name")
    if name is None or not says_bad_debt(name):
        return False
    kind, classification = _text(account, "AccountType"), _text(account, "Classification")
    return (kind in _NAMED_WRITE_OFF_TYPES if kind in EXPENSE_TYPES | BALANCE_SHEET_TYPES
            else classification in _NAMED_WRITE_OFF_CLASSIFICATIONS)


def account_role(account: Mapping[str, Any], listed: Iterable[str] = ()) -> AccountRole | None:
    """What a debit to ``account`` (a QuickBooks ``Account``) makes of the receivable it
    balances: ``write_off`` for a bad-debt account (:func:`is_bad_debt_account`, ``listed``
    the ``bad_debt_accounts`` option), ``settlement`` for any other account of a documented
    type or classification, None when its type says nothing."""
    if is_bad_debt_account(account, listed):
        return "write_off"
    kind, classification = _text(account, "AccountType"), _text(account, "Classification")
    if kind in EXPENSE_TYPES or kind in BALANCE_SHEET_TYPES:
        return "settlement"
    return "settlement" if classification in _SETTLING_CLASSIFICATIONS else None


def _debit_lines(journal: Mapping[str, Any]) -> list[tuple[str | None, str, Decimal]]:
    """The journal entry's debit lines: (account id, the name its ``AccountRef`` gives,
    amount), the id None when missing, the name "" when none is given."""
    lines = journal.get("Line") or []
    if not isinstance(lines, list):
        raise DataError("Line: is not a list")
    found: list[tuple[str | None, str, Decimal]] = []
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
        name = ref.get("name") if isinstance(ref, Mapping) else None
        found.append((value if isinstance(value, str) and value else None,
                      name if isinstance(name, str) else "", amount))
    return found


def debit_accounts(journal: Mapping[str, Any]) -> frozenset[str]:
    """The ids of the accounts a journal entry debits (to read them). Raises DataError for a
    malformed journal entry."""
    return frozenset(account for account, _, _ in _debit_lines(journal) if account is not None)


@dataclass(frozen=True)
class JournalSides:
    """What a journal entry debits against the receivable it credits, by what it makes of it."""

    journal_id: str
    date: date
    """The journal entry's ``TxnDate``: the day a settlement by it is paid."""
    written_off: Decimal
    """Debits to bad-debt accounts (:func:`account_role`)."""
    settled: Decimal
    """Debits to any other account: expense, balance-sheet and income accounts."""
    unclassified: Decimal
    """Debits to accounts that could not be read, or of a type that says neither."""
    why_unclassified: str = ""
    """Why, for the note: the first account that could not be read and the reason."""


def journal_sides(
    journal: Mapping[str, Any], accounts: Mapping[str, Mapping[str, Any] | str],
    listed: Iterable[str] = (),
) -> JournalSides:
    """A journal entry's debits by role, its accounts looked up in ``accounts`` (by id: the
    ``Account``, or why it could not be read); ``listed``, the ``bad_debt_accounts`` option,
    makes a write-off of the accounts it names, even one that could not be read (by the id,
    or the name, its ``AccountRef`` gives).

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
    wanted = _listed(listed)
    totals: dict[AccountRole | None, Decimal] = {}
    why = ""
    for account_id, ref_name, amount in _debit_lines(journal):
        found = accounts.get(account_id) if account_id is not None else "no AccountRef"
        if isinstance(found, Mapping):
            role = account_role(found, wanted)
        else:
            # Not read: only the firm's own list can tell, by what the journal entry names.
            named = {_plain(account_id or ""), _plain(ref_name)}
            role = "write_off" if named & wanted else None
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
        "app read JournalEntry and Account, or list the account in bad_debt_accounts, then "
        "run `clientguard sync --full`"
    )
