"""A claim's line names each unapplied document that paid part of it (docs/claims.md,
"Unapplied money").

The letter is a statement of fact sent to the debtor: where the client's unapplied payments
and credit notes pay an invoice, its line names each document, the day it came and what it
paid of the invoice, in the order the money came (the reviewer's finding of 2026-12-09: a
line two documents paid credited all of it to the last one, "Paid in part (7,000.00 EUR) by
the credit note of 20 Nov 2025." for a credit note of 2,000, and the payment's step
explained nowhere). The claim's JSON lists the same parts per line (``unapplied_parts``,
schema 1.8); ``unapplied_paid_on`` and ``unapplied_paid_by`` are set only on a line the money
pays in full, as schema 1.6 meant them.

The books are those of tests/test_claim_unapplied.py: client P has four invoices of
10,000.00 EUR due 1 Sep, 1 Oct, 1 Nov and 1 Dec 2025 (P0 to P3), open in the books, as of
31 Dec 2025; the money pays the oldest due first, payments before credit notes
(:mod:`clientguard.unapplied`).
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientguard.claims import claim
from clientguard.ledger import Ledger
from clientguard.model import AnyRecord
from clientguard.report.claim import render_claim
from clientguard.testing import credit_note, customer, invoice, ledger, payment

AS_OF = date(2025, 12, 31)
NBSP = "\u00a0"


def _books(*money: AnyRecord) -> Ledger:
    """P's four invoices and ``money``, beside twelve invoices of 30,000 of another client
    each paid on its due date (so that P's lateness stands out, as in the reviewer's books)."""
    records: list[AnyRecord] = [customer("p", "P")]
    for k, due in enumerate(["2025-09-01", "2025-10-01", "2025-11-01", "2025-12-01"]):
        day = date.fromisoformat(due)
        records.append(invoice("p", id=f"P{k}", issued=date.fromordinal(day.toordinal() - 30),
                               due=day, total="10000.00"))
    for k in range(12):
        bill = invoice("o", id=f"O{k}", issued=date(2025, 1, 1 + k), total="30000.00",
                       terms=14)
        records += [bill, payment("o", id=f"PO{k}", on=bill.due_date, amount="30000.00",
                                  pays=bill)]
    return ledger(*records, *money)


# (case, the money, the line, its words in English, in Polish). Worked by hand: the money
# pays P0 (10,000) first, then P1, each document in the order it came.
LETTERS = [
    # The reviewer's s15: 15,000 of 15 Oct pays P0 (10,000) and 5,000 of P1; the credit note
    # of 2,000 of 20 Nov pays 2,000 more of P1: 7,000 of it, 3,000 still owed.
    ("payment then credit note",
     [payment("p", id="PU", on="2025-10-15", amount="15000.00"),
      credit_note("p", id="CN", issued="2025-11-20", total="2000.00")],
     "P1",
     "Paid in part by the payment of 15 Oct 2025 (5,000.00 EUR) and the credit note of "
     "20 Nov 2025 (2,000.00 EUR).",
     f"Zapłacona częściowo wpłatą z dnia 15.10.2025 (5{NBSP}000,00 EUR) i fakturą korygującą "
     f"z dnia 20.11.2025 (2{NBSP}000,00 EUR)."),
    # Several of one kind, each listed: 3,000 + 2,000 + 1,000 of P0, 4,000 still owed.
    ("three payments",
     [payment("p", id="PA", on="2025-09-10", amount="3000.00"),
      payment("p", id="PB", on="2025-10-10", amount="2000.00"),
      payment("p", id="PC", on="2025-11-10", amount="1000.00")],
     "P0",
     "Paid in part by the payment of 10 Sep 2025 (3,000.00 EUR), the payment of 10 Oct 2025 "
     "(2,000.00 EUR), and the payment of 10 Nov 2025 (1,000.00 EUR).",
     f"Zapłacona częściowo wpłatą z dnia 10.09.2025 (3{NBSP}000,00 EUR), wpłatą z dnia "
     f"10.10.2025 (2{NBSP}000,00 EUR) i wpłatą z dnia 10.11.2025 (1{NBSP}000,00 EUR)."),
    # Paid in full by two documents of two days: 6,000 of 15 Oct and a credit note of 4,000
    # of 20 Nov; "Paid by", each with its amount.
    ("in full by two",
     [payment("p", id="PU", on="2025-10-15", amount="6000.00"),
      credit_note("p", id="CN", issued="2025-11-20", total="4000.00")],
     "P0",
     "Paid by the payment of 15 Oct 2025 (6,000.00 EUR) and the credit note of 20 Nov 2025 "
     "(4,000.00 EUR).",
     f"Zapłacona wpłatą z dnia 15.10.2025 (6{NBSP}000,00 EUR) i fakturą korygującą z dnia "
     f"20.11.2025 (4{NBSP}000,00 EUR)."),
]


@pytest.mark.parametrize(("money", "invoice_id", "english", "polish"),
                         [case[1:] for case in LETTERS], ids=[case[0] for case in LETTERS])
def test_the_letter_names_each_document_with_its_day_and_amount(
    money: list[AnyRecord], invoice_id: str, english: str, polish: str
) -> None:
    document = claim(_books(*money), "p", as_of=AS_OF)
    (line,) = [line for line in document.invoices if line.invoice_id == invoice_id]
    assert render_claim(document, "html", lang="en").count(english) == 1
    assert render_claim(document, "html", lang="pl").count(polish) == 1
    # The letter never shows a source's id.
    for part in line.unapplied_parts:
        assert part.document_id not in render_claim(document, "html", lang="en")


def test_the_json_lists_the_parts_and_keeps_paid_on_for_a_line_paid_in_full() -> None:
    # The reviewer's s15 again: P0 paid in full by PU on 15 Oct (10,000); P1 paid in part,
    # 5,000 by PU and 2,000 by CN.
    document = claim(_books(payment("p", id="PU", on="2025-10-15", amount="15000.00"),
                            credit_note("p", id="CN", issued="2025-11-20", total="2000.00")),
                     "p", as_of=AS_OF)
    data = json.loads(render_claim(document, "json"))
    assert data["schema_version"] == "1.8"
    p0, p1, p2, _p3 = data["invoices"]
    assert (p0["unapplied_paid_on"], p0["unapplied_paid_by"], p0["unapplied_paid"]) == (
        "2025-10-15", "payment", "10000.00")
    assert p0["unapplied_parts"] == [
        {"kind": "payment", "document_id": "PU", "came_on": "2025-10-15",
         "counted_on": "2025-10-15", "amount": "10000.00"}]
    # A line paid in part: no unapplied_paid_on (a 1.6 reader reads it as "paid in full that
    # day"; schema 1.7 wrote 20 Nov and "credit_note" here), the 7,000 and its two parts.
    assert (p1["unapplied_paid_on"], p1["unapplied_paid_by"], p1["unapplied_paid"]) == (
        None, None, "7000.00")
    assert p1["unapplied_parts"] == [
        {"kind": "payment", "document_id": "PU", "came_on": "2025-10-15",
         "counted_on": "2025-10-15", "amount": "5000.00"},
        {"kind": "credit_note", "document_id": "CN", "came_on": "2025-11-20",
         "counted_on": "2025-11-20", "amount": "2000.00"}]
    assert (p2["unapplied_paid"], p2["unapplied_parts"]) == (None, [])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["payment", "credit_note"]),
                          st.integers(min_value=1, max_value=45),
                          st.integers(min_value=1, max_value=120)),
                min_size=1, max_size=4))
def test_the_parts_add_up_to_what_the_money_pays_in_the_order_it_came(
    money: list[tuple[str, int, int]]
) -> None:
    # Invariants: a line's parts add up to its unapplied_paid; they come in the order the
    # money came; unapplied_paid_on is set exactly on a line they leave settled (the day the
    # last document came), never on one still open.
    records: list[AnyRecord] = []
    for k, (kind, hundreds, day) in enumerate(money):
        on = date(2025, 9, 1).toordinal() + day
        amount = f"{hundreds * 100}.00"
        records.append(payment("p", id=f"M{k}", on=date.fromordinal(on), amount=amount)
                       if kind == "payment" else
                       credit_note("p", id=f"M{k}", issued=date.fromordinal(on), total=amount))
    document = claim(_books(*records), "p", as_of=AS_OF)
    for line in document.invoices:
        if not line.unapplied_parts:
            assert (line.unapplied_paid, line.unapplied_paid_on) == (None, None)
            continue
        assert sum(part.amount for part in line.unapplied_parts) == line.unapplied_paid
        days = [part.came_on for part in line.unapplied_parts]
        assert days == sorted(days)
        if line.still_open:
            assert (line.unapplied_paid_on, line.unapplied_paid_by) == (None, None)
        else:
            assert line.unapplied_paid_on == days[-1]
