"""What a client's unapplied money would pay: the open invoices it covers, and on what day.

The replay never applies unapplied money on its own
(:func:`~clientguard.settlement.unapplied_cash`). The review reads it all the same, as an owner
applying it in the books would (docs/review.md, "Unapplied money"):

* Per debtor, and per currency: a customer's money pays only its own invoices and those of
  the customers linked with it (one company kept in several tools,
  :func:`~clientguard.ledger.linked_customers`), never a group sister's (a parent and its
  subsidiaries are different companies, each its own debtor: docs/claims.md; until
  2026-12-08 a sister's unapplied payment paid another member's invoices in the claim and
  the review's advice). The cover is reported per client (``Ledger.group_of``). Money pays
  only the invoices of its own currency, compared unconverted (an aged-debtors report nets in
  the contact's currency), so a rate that moved between the invoice and the payment covers
  nothing more nor less. Money in a currency none of the client's open invoices is in covers
  nothing.
* The money in the order it came (payments by date, credit notes by issue date; a payment
  before a credit note of the same day), each on its day, on the invoices owed that day: issued
  by then and open as of ``as_of`` (less all the books applied to them by ``as_of``),
  oldest due first (then by id) (art. 451 § 3 KC: money the debtor did not designate goes to
  the debts owed when it is paid, the oldest due first). Each takes what it owes, and the
  money left when one owes more pays that one in part. Money left once every invoice owed on
  its day is paid waits for the next invoice issued and pays it on its issue date (a
  prepayment: it cannot pay a debt not yet owed). So a later ``as_of`` never moves what an
  earlier one counted, but for the books' own later applications.
* A debtor withholds what it contests: an invoice disputed on the money's day
  (``Invoice.disputed_by(day)``) is skipped, and the money goes to the undisputed ones; a
  dispute raised after the money came does not move it. A dispute with no date
  (``disputed_on`` None) is taken as raised before any money.
* What the money pays of an invoice enters its replay as part payments, one per document,
  each dated the day it pays it (the money's day, or the issue date of an invoice it
  prepaid: :class:`Covered`), beside what the books applied to it by
  ``as_of``; the settlement's own rules do the rest (the balance steps, interest segments and
  financing cost of the lateness costs, the days late and days to pay of the profiles:
  :func:`as_paid`). An invoice it pays in full is settled on
  the later of the day of the money that completes it and the day of the books' last
  application to it (a later payment): paid on time if that is by its due date, otherwise
  late until that day (Directive 2011/7/EU art. 3(1)(b): interest runs until the amount due is
  received, and on each day on what was still owed). One it pays in part stays open, owing
  less from the money's day.
* Only money received by ``as_of`` is there; nothing is read of the clock.

Pure: no clock, no I/O.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Literal, NamedTuple

from clientguard.frozen import Frozen
from clientguard.ledger import Application, Ledger, linked_customers
from clientguard.money import ZERO
from clientguard.policy import Policy
from clientguard.settlement import (
    AppliedPart,
    Replay,
    UnappliedPart,
    _counted_parts,
    replay,
    unapplied_parts,
)

__all__ = [
    "ClientCover", "Covered", "Share", "as_paid", "client_covers", "covered", "covers",
    "paid_on",
]


class Share(Frozen):
    """The part of one unapplied document that pays (part of) one open invoice."""

    kind: Literal["payment", "credit_note"]
    document_id: str
    on: date
    """The document's day (a payment's date, a credit note's issue date)."""
    paid: date
    """The day it pays the invoice: the document's day, or the invoice's issue date for money
    that came before the invoice was issued (a prepayment: it cannot pay a debt not yet
    owed)."""
    amount: Decimal
    """In the document's currency, which is the invoice's (money pays its own currency)."""


class Covered(NamedTuple):
    """What a client's unapplied money pays of one open invoice, as the replay reads it."""

    parts: tuple[AppliedPart, ...]
    """The part payments, one per document in the order the money came, each dated the day
    it pays the invoice (:attr:`Share.paid`), in the invoice's currency (money before the due
    date makes it no later)."""
    settled_on: date | None
    """Paid in full: the later of the day the money that completes it pays it and the day of
    the books' last application to it counted by ``as_of``. None: paid in part (still open)."""


class ClientCover(Frozen):
    """What a client's unapplied money would pay as of a date."""

    client_id: str
    money: dict[str, Decimal]
    """The unapplied payments and credit notes, by their currency (unconverted)."""
    open: dict[str, Decimal]
    """The open balance of its live invoices, by their currency (unconverted)."""
    paid_on: dict[str, date]
    """The open invoices the money pays in full, by id, each with the day it is treated as
    paid (:attr:`Covered.settled_on`)."""
    applied: dict[str, tuple[Share, ...]]
    """What the money pays of each open invoice it reaches (in full, or the last in part), by
    id: one share per document, in the order the money came."""
    every_open_invoice: bool
    """The money pays every open invoice of the client (none left open, disputed or not)."""

    @property
    def nets_open_balance(self) -> bool:
        """The money reaches the open balance in each currency of its open invoices, compared
        unconverted (disputed or not, as an aged-debtors report nets them), and there is an
        open balance: the client owes nothing net."""
        return bool(self.open) and all(
            self.money.get(currency, ZERO) >= amount for currency, amount in self.open.items())

    @property
    def currency(self) -> str | None:
        """The one currency of its money and its open invoices, or None for several."""
        currencies = set(self.money) | set(self.open)
        return next(iter(currencies)) if len(currencies) == 1 else None


def covers(
    ledger: Ledger, rows: Iterable[Replay], *, as_of: date
) -> dict[str, ClientCover]:
    """Per client with money unapplied on ``as_of`` (``rows``: the replay as of ``as_of``),
    what that money would pay (the module's rules)."""
    group_of = ledger.group_of
    debtor_of = _debtors(ledger)
    money: dict[str, dict[str, list[UnappliedPart]]] = {}
    for part in unapplied_parts(ledger, as_of=as_of):
        customer = part.customer_id
        money.setdefault(group_of(customer), {}).setdefault(
            debtor_of.get(customer, customer), []).append(part)
    if not money:
        return {}
    open_rows: dict[str, list[Replay]] = {}
    for row in rows:
        if row.status == "open" and row.open_balance > 0:
            client = group_of(row.invoice.customer_id)
            if client in money:
                open_rows.setdefault(client, []).append(row)
    made: dict[str, ClientCover] = {}
    for client, by_debtor in sorted(money.items()):
        if len(by_debtor) == 1 and all(
                debtor_of.get(r.invoice.customer_id, r.invoice.customer_id) in by_debtor
                for r in open_rows.get(client, [])):
            # One debtor's money and invoices: the client's cover as it is.
            (parts,) = by_debtor.values()
            made[client] = _cover(ledger, client, parts, open_rows.get(client, []), as_of)
            continue
        mine: dict[str, list[Replay]] = {}
        for row in open_rows.get(client, []):
            customer = row.invoice.customer_id
            mine.setdefault(debtor_of.get(customer, customer), []).append(row)
        made[client] = _merged(client, [
            _cover(ledger, client, parts, mine.get(debtor, []), as_of)
            for debtor, parts in sorted(by_debtor.items())], open_rows.get(client, []))
    return made


def _debtors(ledger: Ledger) -> dict[str, str]:
    """Each linked customer's debtor (the first id of the customers linked with it,
    :func:`~clientguard.ledger.linked_customers`); a customer not linked is its own debtor
    (not in the map)."""
    debtor_of: dict[str, str] = {}
    for link in ledger.links:
        for member in link:
            if member not in debtor_of:
                debtor = linked_customers(ledger, member)
                debtor_of.update(dict.fromkeys(debtor, debtor[0]))
    return debtor_of


def _merged(client: str, parts: list[ClientCover], rows: list[Replay]) -> ClientCover:
    """One client's cover of its debtors' covers (a group's companies, each paying its own
    invoices with its own money): the money of all of them, the open balance of all its
    open invoices."""
    money: dict[str, Decimal] = {}
    owed: dict[str, Decimal] = {}
    for one in parts:
        for currency, amount in one.money.items():
            money[currency] = money.get(currency, ZERO) + amount
    for row in rows:
        currency = row.invoice.currency
        owed[currency] = owed.get(currency, ZERO) + row.open_balance
    paid_on = {i: day for one in parts for i, day in one.paid_on.items()}
    return ClientCover(
        client_id=client, money=money, open=owed, paid_on=paid_on,
        applied={i: shares for one in parts for i, shares in one.applied.items()},
        every_open_invoice=bool(rows) and len(paid_on) == len(rows))


def client_covers(
    ledger: Ledger, *, as_of: date, policy: Policy
) -> dict[str, ClientCover]:
    """:func:`covers` of the replay as of ``as_of`` under ``policy`` (the form
    ``signals.shared`` computes once per review)."""
    if not ledger.payments and not ledger.credit_notes:
        return {}
    return covers(ledger, replay(ledger, as_of=as_of, policy=policy), as_of=as_of)


def _cover(
    ledger: Ledger, client: str, parts: list[UnappliedPart], rows: list[Replay], as_of: date
) -> ClientCover:
    """One client's :class:`ClientCover`."""
    # Payments before credit notes of the same day; within a kind, the ledger's order.
    order = {"payment": 0, "credit_note": 1}
    parts = sorted(parts, key=lambda p: (p.on, order[p.kind]))
    money: dict[str, Decimal] = {}
    for part in parts:
        money[part.currency] = money.get(part.currency, ZERO) + part.amount
    owed: dict[str, Decimal] = {}
    for row in rows:
        currency = row.invoice.currency
        owed[currency] = owed.get(currency, ZERO) + row.open_balance
    paid_on: dict[str, date] = {}
    applied: dict[str, tuple[Share, ...]] = {}
    for currency in sorted(set(money) & set(owed)):
        spent = _walk([part for part in parts if part.currency == currency],
                      [row for row in rows if row.invoice.currency == currency])
        for row, shares, whole in spent:
            invoice = row.invoice
            applied[invoice.id] = shares
            if whole:
                # Paid in full: on the day the money that completes it paid it, or later
                # where the books applied some of it later (a later payment).
                books = [p.date for p in _counted_parts(ledger, invoice, as_of)]
                paid_on[invoice.id] = max(shares[-1].paid, invoice.issue_date, *books)
    return ClientCover(
        client_id=client, money=money, open=owed, paid_on=paid_on, applied=applied,
        every_open_invoice=bool(rows) and len(paid_on) == len(rows))


def _walk(
    mine: list[UnappliedPart], rows: list[Replay]
) -> list[tuple[Replay, tuple[Share, ...], bool]]:
    """The money of one currency (``mine``, in the order it came) on the open invoices of
    that currency (``rows``), in the money's time order: on each day, the money there is
    (what came that day and what is left of earlier money) pays the invoices issued by that
    day and not disputed on it, oldest due first (then by id). Money left once every such
    invoice is paid waits for the next invoice issued, and pays it on its issue date. Each
    invoice reached, with its shares and whether they pay it in full, in the order reached.

    What an earlier day paid never moves for a later ``as_of`` (art. 451 § 3 KC: the money
    goes to the debts owed when it is paid), but for the books' own later applications."""
    need = {row.invoice.id: row.open_balance for row in rows}
    lefts = [part.amount for part in mine]
    # The invoices by issue date, to join the queue on their day; the queue by due date.
    issued = sorted(rows, key=lambda r: (r.invoice.issue_date, r.invoice.due_date,
                                         r.invoice.id))
    days = sorted({part.on for part in mine} | {row.invoice.issue_date for row in issued})
    queue: list[tuple[date, str, int]] = []
    shares: dict[str, list[Share]] = {}
    reached: list[Replay] = []
    came = joined = at = 0  # money come so far; invoices joined; the first money not spent
    for day in days:
        while came < len(mine) and mine[came].on <= day:
            came += 1
        while joined < len(issued) and issued[joined].invoice.issue_date <= day:
            invoice = issued[joined].invoice
            heapq.heappush(queue, (invoice.due_date, invoice.id, joined))
            joined += 1
        while at < came and queue:
            row = issued[queue[0][2]]
            invoice = row.invoice
            if invoice.disputed_by(day):
                # A debtor withholds what it contests, once it does: the money goes to the
                # undisputed invoices (a dispute stays raised, so it never rejoins).
                heapq.heappop(queue)
                continue
            part = mine[at]
            used = min(lefts[at], need[invoice.id])
            need[invoice.id] -= used
            lefts[at] -= used
            if invoice.id not in shares:
                shares[invoice.id] = []
                reached.append(row)
            shares[invoice.id].append(Share(
                kind=part.kind, document_id=part.document_id, on=part.on,
                paid=max(part.on, invoice.issue_date), amount=used))
            if lefts[at] == 0:
                at += 1
            if need[invoice.id] == 0:
                heapq.heappop(queue)
    return [(row, tuple(shares[row.invoice.id]), need[row.invoice.id] == 0) for row in reached]


def paid_on(cover: Mapping[str, ClientCover]) -> dict[str, date]:
    """Every invoice the money pays in full, by id, with its day, of every client."""
    return {i: day for c in cover.values() for i, day in c.paid_on.items()}


def covered(cover: Mapping[str, ClientCover]) -> dict[str, Covered]:
    """Every open invoice the money reaches (in full, or in part), by id, of every client:
    its part payments and, paid in full, its day. What the review and the claim read
    (:func:`as_paid` of the replay's rows, the lateness costs' ``unapplied``)."""
    reached: dict[str, Covered] = {}
    for client_cover in cover.values():
        for invoice_id, shares in client_cover.applied.items():
            reached[invoice_id] = Covered(
                tuple(_part(invoice_id, share) for share in shares),
                client_cover.paid_on.get(invoice_id))
    return reached


def _part(invoice_id: str, share: Share) -> AppliedPart:
    """``share`` as the settlement's applied part, on the day it pays the invoice."""
    return AppliedPart(share.paid, Application(
        invoice_id=invoice_id, date=share.paid, amount=share.amount, document_kind=share.kind,
        document_id=share.document_id, document_amount=share.amount))


def as_paid(row: Replay, cover: Covered) -> Replay:
    """The replay row of an open invoice with the unapplied money's part payments
    (``cover``) applied, as the replay applies the books' (:func:`~clientguard.settlement.
    replay`): a payment made after the due date adds its amount times its days late to
    ``late_amount_days`` (a credit note adds nothing). Paid in full, the row is settled on
    ``cover.settled_on``, days late and days to pay counted to it; in part, it stays open,
    owing the rest."""
    invoice = row.invoice
    due = invoice.due_date
    paid = ZERO
    amount_days = row.late_amount_days
    for day, application in cover.parts:
        paid += application.amount
        if day > due and application.document_kind == "payment":
            amount_days += application.amount * (day - due).days
    on = cover.settled_on
    if on is None:
        return row._replace(applied=row.applied + paid, open_balance=row.open_balance - paid,
                            late_amount_days=amount_days)
    beyond = (on - due).days
    return row._replace(
        status="settled", settled_on=on, basis="allocations",
        applied=row.applied + row.open_balance, open_balance=ZERO,
        days_to_pay=(on - invoice.issue_date).days, days_beyond_terms=beyond,
        days_late=max(0, beyond), late_amount_days=amount_days)
