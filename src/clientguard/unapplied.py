"""What a client's unapplied money would pay: the open invoices it covers, and on what day.

The replay never applies unapplied money on its own
(:func:`~clientguard.settlement.unapplied_cash`). The review reads it all the same, as an owner
applying it in the books would (docs/review.md, "Unapplied money"):

* Per client (``Ledger.group_of``), and per currency: money pays only the invoices of its own
  currency, compared unconverted (an aged-debtors report nets in the contact's currency), so a
  rate that moved between the invoice and the payment covers nothing more nor less. Money in
  a currency none of the client's open invoices is in covers nothing.
* The money in the order it came (payments by date, credit notes by issue date; a payment
  before a credit note of the same day), on the open invoices oldest due first (then by id),
  each paid in full: an invoice is covered when the money left reaches its open balance, and
  the first it does not reach ends that currency's list.
* A debtor withholds what it contests: a disputed invoice (``Invoice.disputed_by(as_of)``) is
  skipped, and the money goes to the undisputed ones.
* A covered invoice is treated as paid on the day the money that completes it came (never
  before its issue date): paid on time if that is by its due date, otherwise late until that
  day (Directive 2011/7/EU art. 3(1)(b): interest runs until the amount due is received).
* Only money received by ``as_of`` is there; nothing is read of the clock.

Pure: no clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

from clientguard.frozen import Frozen
from clientguard.ledger import Ledger
from clientguard.money import ZERO
from clientguard.policy import Policy
from clientguard.settlement import Replay, UnappliedPart, replay, unapplied_parts

__all__ = ["ClientCover", "as_paid", "client_covers", "covers", "paid_on"]


class ClientCover(Frozen):
    """What a client's unapplied money would pay as of a date."""

    client_id: str
    money: dict[str, Decimal]
    """The unapplied payments and credit notes, by their currency (unconverted)."""
    open: dict[str, Decimal]
    """The open balance of its live invoices, by their currency (unconverted)."""
    paid_on: dict[str, date]
    """The open invoices the money pays, by id, each with the day it is treated as paid."""
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
    money: dict[str, list[UnappliedPart]] = {}
    for part in unapplied_parts(ledger, as_of=as_of):
        money.setdefault(group_of(part.customer_id), []).append(part)
    if not money:
        return {}
    open_rows: dict[str, list[Replay]] = {}
    for row in rows:
        if row.status == "open" and row.open_balance > 0:
            client = group_of(row.invoice.customer_id)
            if client in money:
                open_rows.setdefault(client, []).append(row)
    return {client: _cover(client, parts, open_rows.get(client, []), as_of)
            for client, parts in sorted(money.items())}


def client_covers(
    ledger: Ledger, *, as_of: date, policy: Policy
) -> dict[str, ClientCover]:
    """:func:`covers` of the replay as of ``as_of`` under ``policy`` (the form
    ``signals.shared`` computes once per review)."""
    if not ledger.payments and not ledger.credit_notes:
        return {}
    return covers(ledger, replay(ledger, as_of=as_of, policy=policy), as_of=as_of)


def _cover(
    client: str, parts: list[UnappliedPart], rows: list[Replay], as_of: date
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
    for currency in sorted(set(money) & set(owed)):
        mine = [part for part in parts if part.currency == currency]
        days = [part.on for part in mine]
        lefts = [part.amount for part in mine]
        remaining = money[currency]
        at = 0
        for row in sorted((r for r in rows if r.invoice.currency == currency),
                          key=lambda r: (r.invoice.due_date, r.invoice.id)):
            invoice = row.invoice
            if invoice.disputed_by(as_of):
                continue  # withheld: the money goes to the undisputed invoices
            need = row.open_balance
            if remaining < need:
                break  # the first invoice the money left does not reach ends the list
            remaining -= need
            day = days[at]
            while need > 0:
                day = days[at]
                used = min(lefts[at], need)
                need -= used
                lefts[at] -= used
                if lefts[at] == 0:
                    at += 1
            paid_on[invoice.id] = max(day, invoice.issue_date)
    return ClientCover(
        client_id=client, money=money, open=owed, paid_on=paid_on,
        every_open_invoice=bool(rows) and len(paid_on) == len(rows))


def paid_on(cover: Mapping[str, ClientCover]) -> dict[str, date]:
    """Every covered invoice's day, by id, of every client."""
    return {i: day for c in cover.values() for i, day in c.paid_on.items()}


def as_paid(row: Replay, on: date) -> Replay:
    """The replay row of an open invoice as if the money covering it had been applied on
    ``on``: settled that day, days late counted to it (the open balance's days late added to
    what the row had counted of earlier payments)."""
    invoice = row.invoice
    beyond = (on - invoice.due_date).days
    late = max(0, beyond)
    return row._replace(
        status="settled", settled_on=on, basis="allocations",
        applied=row.applied + row.open_balance, open_balance=ZERO,
        days_to_pay=(on - invoice.issue_date).days, days_beyond_terms=beyond, days_late=late,
        late_amount_days=row.late_amount_days + row.open_balance * late)
