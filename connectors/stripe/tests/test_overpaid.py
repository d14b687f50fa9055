"""An invoice paid more than it asked for (``amount_overpaid``): Stripe credits the excess
to the customer's balance, so the excess is not cash the invoice's payment kept.

The story, read by Xero as the reference (an ACCRECPAYMENT of 100.00 and a RECEIVE-OVERPAYMENT
of 20.00): invoice A of USD 100.00 due 31 March is paid 120.00 on 10 March. Either the 20.00 is
paid back to the client, or invoice B of 50.00 (1 April) uses it and the client pays the
other 30.00 on 5 April. Xero's reading: 100.00 (or 150.00) received, nothing unapplied.
Before, Stripe's reading kept the 20.00 as unapplied cash of A's payment for ever, and B's
use of the balance was a second 20.00 (170.00 received for 150.00 paid)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

import clientguard as cg
from clientguard.model import AnyRecord, Payment
from clientguard.settlement import unapplied_cash
from clientguard_stripe.mapping import invoice_records

AS_OF = date(2026, 5, 1)


def ts(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def paid_invoice(ident: str, total: int, day: str, due: str, paid: int, paid_at: str, *,
                 start: int = 0, end: int = 0, overpaid: int | None = None,
                 parts: list[tuple[str, int, str]] | None = None) -> dict[str, Any]:
    """A paid send_invoice invoice in USD cents; ``start`` < 0 is a credit balance used."""
    raw: dict[str, Any] = {
        "id": ident, "object": "invoice", "customer": "cus_1", "number": ident,
        "status": "paid", "collection_method": "send_invoice", "currency": "usd",
        "created": ts(day), "effective_at": ts(day), "due_date": ts(due), "total": total,
        "amount_due": total + min(start, 0), "amount_paid": paid, "amount_remaining": 0,
        "starting_balance": start, "ending_balance": end,
        "status_transitions": {"finalized_at": ts(day), "paid_at": ts(paid_at)},
    }
    if overpaid is not None:
        raw["amount_overpaid"] = overpaid
    if parts is not None:
        raw["payments"] = {"object": "list", "has_more": False, "data": [
            {"id": pid, "object": "invoice_payment", "amount_paid": amount, "status": "paid",
             "status_transitions": {"paid_at": ts(at)}} for pid, amount, at in parts]}
    return raw


def records(*raws: dict[str, Any]) -> list[AnyRecord]:
    out: list[AnyRecord] = []
    for raw in raws:
        mapped = invoice_records(raw)
        assert isinstance(mapped, list)
        out += mapped
    return out


def invoice_a(*, paid: int = 12000, paid_at: str = "2026-03-10T10:00:00",
              overpaid: int | None = None,
              parts: list[tuple[str, int, str]] | None = None) -> dict[str, Any]:
    """Invoice A: USD 100.00 issued 1 March, due 31 March, paid ``paid`` cents."""
    return paid_invoice("A", 10000, "2026-03-01T10:00:00", "2026-03-31T10:00:00", paid, paid_at,
                        overpaid=overpaid, parts=parts)


B = paid_invoice("B", 5000, "2026-04-01T10:00:00", "2026-04-30T10:00:00", 3000,
                 "2026-04-05T10:00:00", start=-2000, end=0)


@pytest.mark.parametrize(
    ("story", "raws", "received", "unapplied", "settled"),
    [
        # 20.00 overpaid, then paid back to the client: A's payment is the 100.00 it kept.
        ("overpaid, refunded", [invoice_a(overpaid=2000)], "100.00", None,
         {"A": date(2026, 3, 10)}),
        # B uses the 20.00 at finalisation (its balance payment) and 30.00 is paid:
        # 100 + 20 + 30 = 150.00 received, as the client paid.
        ("overpaid, used on B", [invoice_a(overpaid=2000), B], "150.00", None,
         {"A": date(2026, 3, 10), "B": date(2026, 4, 5)}),
        # An older API version has no amount_overpaid: the excess stays unapplied cash.
        ("no amount_overpaid", [invoice_a()], "120.00", "20.00",
         {"A": date(2026, 3, 10)}),
        # Nothing overpaid: the payment is the whole amount paid.
        ("overpaid 0", [invoice_a(paid=10000, overpaid=0)], "100.00", None,
         {"A": date(2026, 3, 10)}),
    ],
)
def test_an_overpaid_invoice_reads_as_xero_reads_the_story(
    story: str, raws: list[dict[str, Any]], received: str, unapplied: str | None,
    settled: dict[str, date],
) -> None:
    recs = records(*raws)
    book = cg.Ledger.build(recs, base_currency="USD")
    got = sum((r.amount for r in recs if isinstance(r, Payment)), Decimal(0))
    assert got == Decimal(received), story
    cash = unapplied_cash(book, as_of=AS_OF).get("cus_1")
    assert (None if cash is None else cash.payments) == (
        None if unapplied is None else Decimal(unapplied)), story
    settlements = cg.settle(book, as_of=AS_OF)
    assert {k: s.settled_on for k, s in settlements.items()} == settled, story
    assert all(s.open_balance == 0 for s in settlements.values()), story


def test_the_overpaid_amount_comes_off_the_latest_instalment() -> None:
    """100.00 asked, paid 60.00 on 10 March and 60.00 on 2 April, 20.00 overpaid: the
    second part kept 40.00 (the invoice settles on 2 April), nothing is unapplied."""
    raw = invoice_a(paid_at="2026-04-02T10:00:00", overpaid=2000,
                    parts=[("inpay_1", 6000, "2026-03-10T10:00:00"),
                           ("inpay_2", 6000, "2026-04-02T10:00:00")])
    payments = [r for r in records(raw) if isinstance(r, Payment)]
    assert [(p.id, p.date, p.amount) for p in payments] == [
        ("A/paid/inpay_1", date(2026, 3, 10), Decimal("60.00")),
        ("A/paid/inpay_2", date(2026, 4, 2), Decimal("40.00")),
    ]
    book = cg.Ledger.build(records(raw), base_currency="USD")
    assert unapplied_cash(book, as_of=AS_OF) == {}
    assert cg.settle(book, as_of=AS_OF)["A"].settled_on == date(2026, 4, 2)
