"""Unapplied money pays, in its own time order, only what was owed on its day
(docs/review.md, "Unapplied money"; art. 451 § 3 KC: money the debtor did not designate goes
to the debts owed when it is paid, the oldest due first).

Until 2026-12-08 the walk sorted every invoice open on ``as_of`` by due date, whenever it was
issued, and skipped an invoice disputed by ``as_of``: money of 1 Oct paid an invoice issued
on 1 Dec, and a review as of 31 Dec moved money that one as of 30 Nov had counted on another
invoice (the reviewer's a1 and e2 books, 2026-12-08).

EU interest is ``balance x 10.15% x days / 365`` (ECB 2.15% + 8 points for debts falling due
in the second half of 2025), each line rounded to the cent, plus EUR 40 per late invoice
(Directive 2011/7/EU art. 3, 6).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import clientguard as cg
from clientguard.claims import claim
from clientguard.model import AnyRecord
from clientguard.policy import Policy
from clientguard.testing import credit_note, customer, invoice, ledger, payment
from clientguard.unapplied import Covered, client_covers, covered

AS_OF = date(2025, 12, 31)


def _on_time() -> list[AnyRecord]:
    """Twelve invoices of 30,000 of another client, each paid on its due date."""
    records: list[AnyRecord] = []
    for k in range(12):
        bill = invoice("o", id=f"O{k}", issued=date(2025, 1, 1 + k), total="30000.00",
                       terms=14)
        records += [bill, payment("o", id=f"PO{k}", on=bill.due_date, amount="30000.00",
                                  pays=bill)]
    return records


def _y_then_x(amount: str) -> cg.Ledger:
    """Y issued 1 Sep due 20 Dec and X issued 1 Dec due 10 Dec, 10,000 each, open; ``amount``
    paid on 1 Oct (when only Y existed), applied to nothing."""
    return ledger(
        customer("p", "P"),
        invoice("p", id="Y", issued="2025-09-01", due="2025-12-20", total="10000.00"),
        invoice("p", id="X", issued="2025-12-01", due="2025-12-10", total="10000.00"),
        payment("p", id="PU", on="2025-10-01", amount=amount), *_on_time())


Reached = dict[str, tuple[list[tuple[date, str]], date | None]]


def _reached(books: cg.Ledger, as_of: date) -> Reached:
    """What the money pays of each invoice as of ``as_of``: (its parts' days and amounts,
    the day it is paid in full or None)."""
    cover = covered(client_covers(books, as_of=as_of, policy=Policy()))
    return {i: ([(p.date, str(p.application.amount)) for p in c.parts], c.settled_on)
            for i, c in cover.items()}


def _advice(books: cg.Ledger, as_of: date = AS_OF) -> Decimal:
    """The review's advice to claim for P (none for a P with no invoice issued by then)."""
    client = cg.review(books, as_of=as_of).clients.get("p")
    if client is None:
        return Decimal(0)
    return client.claimable - client.claimable_disputed - client.claimable_unapplied


# (case, amount of 1 Oct, the claim's total by hand, what the money pays as of 31 Dec)
CASES = [
    # 10,000 of 1 Oct pays Y, the only invoice then owed, on time. X (issued 1 Dec) is
    # unpaid 11-31 Dec, 21 days: 10,000 x 0.1015 x 21 / 365 = 58.40, + 40 = 98.40 (the same
    # money allocated to Y in the books). Until 2026-12-08 it paid X (the older due date) and
    # Y was claimed 11 days late: 30.59 + 40 = 70.59.
    ("10,000 of 1 Oct pays Y, owed that day", "10000.00", "98.40",
     {"Y": ([(date(2025, 10, 1), "10000.00")], date(2025, 10, 1))}),
    # 15,000: Y paid 1 Oct; the 5,000 left is a prepayment that pays X on its issue date,
    # 1 Dec (before its 10 Dec due date). X owes 5,000 for 21 days: 5,000 x 0.1015 x 21 /
    # 365 = 29.20, + 40 = 69.20. Until 2026-12-08: X in full 1 Oct, Y's 5,000 11 days late,
    # 15.29 + 40 = 55.29.
    ("15,000 of 1 Oct: Y, then 5,000 of X on its issue date", "15000.00", "69.20",
     {"Y": ([(date(2025, 10, 1), "10000.00")], date(2025, 10, 1)),
      "X": ([(date(2025, 12, 1), "5000.00")], None)}),
]


@pytest.mark.parametrize(("amount", "total", "reached"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_money_pays_only_invoices_issued_by_its_day(
    amount: str, total: str, reached: Reached,
) -> None:
    books = _y_then_x(amount)
    assert _reached(books, AS_OF) == reached
    assert claim(books, "p", as_of=AS_OF).totals == {"EUR": Decimal(total)}
    assert _advice(books) == Decimal(total)


def test_a_later_review_does_not_move_money_an_earlier_one_counted() -> None:
    # As of 30 Nov (X not yet issued) the 10,000 of 1 Oct pays Y; as of 5 Dec and 31 Dec, X
    # issued, it still does (until 2026-12-08 it moved to X once X was issued).
    books = _y_then_x("10000.00")
    paid_y = {"Y": ([(date(2025, 10, 1), "10000.00")], date(2025, 10, 1))}
    for as_of in (date(2025, 11, 30), date(2025, 12, 5), AS_OF):
        assert _reached(books, as_of) == paid_y, as_of


def _four(disputed_on: str) -> cg.Ledger:
    """P0-P3 of 10,000 due 1 Sep, 1 Oct, 1 Nov, 1 Dec 2025 (issued 30 days before), P0
    disputed on ``disputed_on``; 15,000 paid 15 Oct, applied to nothing."""
    records: list[AnyRecord] = [customer("p", "P")]
    for k, due in enumerate(["2025-09-01", "2025-10-01", "2025-11-01", "2025-12-01"]):
        day = date.fromisoformat(due)
        records.append(invoice(
            "p", id=f"P{k}", issued=day - timedelta(days=30), due=day, total="10000.00",
            disputed_on=disputed_on if k == 0 else None))
    records.append(payment("p", id="PU", on="2025-10-15", amount="15000.00"))
    return ledger(*records, *_on_time())


def test_a_dispute_raised_after_the_money_came_does_not_move_it() -> None:
    # P0 disputed on 1 Dec, after the 15,000 of 15 Oct: on 15 Oct the debtor contested
    # nothing, so the money paid P0 (oldest due) and half of P1, as of 30 Nov and of 31 Dec
    # alike (until 2026-12-08, as of 31 Dec it skipped P0: P1 and half of P2).
    books = _four("2025-12-01")
    paid = {"P0": ([(date(2025, 10, 15), "10000.00")], date(2025, 10, 15)),
            "P1": ([(date(2025, 10, 15), "5000.00")], None)}
    assert _reached(books, date(2025, 11, 30)) == paid
    assert _reached(books, AS_OF) == paid
    # The claim: P0 (disputed, held) 2 Sep-15 Oct 44 days: 122.36 + 40; P1 10,000 2-15 Oct
    # 14 days 38.93 and 5,000 16 Oct-31 Dec 77 days 107.06: 145.99 + 40; P2 60 days 166.85
    # + 40; P3 30 days 83.42 + 40. The advice holds the disputed P0: 145.99 + 166.85 + 83.42
    # + 3 x 40 = 516.26, the claim's undisputed lines.
    document = claim(books, "p", as_of=AS_OF)
    lines = {line.invoice_id: line for line in document.invoices}
    assert {i: line.interest_claimed for i, line in lines.items()} == {
        "P0": Decimal("122.36"), "P1": Decimal("145.99"), "P2": Decimal("166.85"),
        "P3": Decimal("83.42")}
    asked = sum((line.interest_claimed or 0) + (line.compensation or 0)
                for i, line in lines.items() if i != "P0")
    assert asked == _advice(books) == Decimal("516.26")
    # A dispute raised before the money (20 Sep) still turns it away: P1 in full, half of P2.
    assert _reached(_four("2025-09-20"), AS_OF) == {
        "P1": ([(date(2025, 10, 15), "10000.00")], date(2025, 10, 15)),
        "P2": ([(date(2025, 10, 15), "5000.00")], None)}


# ------------------------------------------------------------------------------- invariants
_DAY = st.integers(0, 300).map(lambda n: date(2025, 1, 15) + timedelta(days=n))
_AMOUNT = st.integers(5, 200).map(lambda n: Decimal(n * 100))


@st.composite
def _replays(draw: st.DrawFn) -> tuple[cg.Ledger, date, date]:
    """Client P's random book and two review dates ``as_of1 < as_of2``: one to five invoices
    issued on random days (some disputed on a random later day), one to four unapplied
    payments or credit notes, and maybe a payment the books apply to the first invoice by
    ``as_of1`` (what the books apply later than an earlier review is not the rule's to keep)."""
    as_of1 = draw(_DAY)
    as_of2 = as_of1 + timedelta(days=draw(st.integers(1, 200)))
    records: list[AnyRecord] = [customer("p", "P")]
    for k in range(draw(st.integers(1, 5))):
        issued = draw(_DAY)
        disputed = draw(st.none() | st.integers(0, 200))
        records.append(invoice(
            "p", id=f"P{k}", issued=issued,
            due=issued + timedelta(days=draw(st.sampled_from([0, 14, 30, 60]))),
            total=draw(_AMOUNT),
            disputed_on=None if disputed is None else issued + timedelta(days=disputed)))
    if draw(st.booleans()):
        first = records[1]
        assert isinstance(first, cg.Invoice)
        if first.issue_date <= as_of1:
            day = first.issue_date + timedelta(
                days=draw(st.integers(0, (as_of1 - first.issue_date).days)))
            records.append(payment("p", id="PA", on=day, amount="300.00", pays="P0"))
    for k in range(draw(st.integers(1, 4))):
        day, amount = draw(_DAY), draw(_AMOUNT)
        records.append(
            credit_note("p", id=f"CU{k}", issued=day, total=amount) if draw(st.booleans())
            else payment("p", id=f"PU{k}", on=day, amount=amount))
    return ledger(*records, *_on_time()), as_of1, as_of2


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(made=_replays())
def test_a_later_replay_keeps_every_part_an_earlier_one_dated(
    made: tuple[cg.Ledger, date, date],
) -> None:
    books, as_of1, as_of2 = made
    early = covered(client_covers(books, as_of=as_of1, policy=Policy()))
    late = covered(client_covers(books, as_of=as_of2, policy=Policy()))

    def parts(cover: dict[str, Covered], invoice_id: str) -> list[object]:
        found = cover.get(invoice_id)
        return [] if found is None else [
            (p.date, p.application.document_id, p.application.amount) for p in found.parts
            if p.date <= as_of1]

    for invoice_id in set(early) | set(late):
        # Every part the earlier review dates (by as_of1) is the later one's, to the cent.
        assert parts(early, invoice_id) == parts(late, invoice_id), invoice_id
        # An invoice the money had paid in full by then stays paid that day.
        if invoice_id in early and early[invoice_id].settled_on is not None:
            assert late[invoice_id].settled_on == early[invoice_id].settled_on
        # No part before the invoice existed, nor after the review's date.
        bill = books.invoice(invoice_id)
        for replay, cover in ((as_of1, early), (as_of2, late)):
            for part in cover.get(invoice_id, Covered((), None)).parts:
                assert bill.issue_date <= part.date <= replay
    # And the advice is the claim's undisputed lines, to the cent (a disputed line is held).
    document = claim(books, "p", as_of=as_of2)
    asked = sum(((line.interest_claimed or 0) + (line.compensation or 0)
                 for line in document.invoices
                 if not books.invoice(line.invoice_id).disputed_by(as_of2)), Decimal(0))
    assert asked == _advice(books, as_of2)
