"""The claim and a client's unapplied money (docs/claims.md, "Unapplied money").

A claim counts the open invoices a client's unapplied payments and credit notes would pay
(:mod:`clientguard.unapplied`, the review's rule) as paid the day that money came: interest
runs until the amount due is received (Directive 2011/7/EU art. 3(1)(b)), so a letter asks
for no interest after that day, and its total is the review's advice for the client.

The books are the reviewer's (2026-12-07): client P has four invoices of 10,000.00 EUR due
1 Sep, 1 Oct, 1 Nov and 1 Dec 2025, all open in the books, reviewed as of 31 Dec 2025 beside a
client that pays on time. EU interest is ``balance x 10.15% x days / 365`` (ECB 2.15% + 8
points for debts falling due in the second half of 2025), each line rounded to the cent, plus
EUR 40 per late invoice (Directive 2011/7/EU art. 3, 6). On the books, to 31 Dec:
P0 121 days 336.48, P1 91 days 253.05, P2 60 days 166.85, P3 30 days 83.42; with 4 x 40 the
claim was 999.80 EUR.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

import clientguard as cg
from clientguard.claims import claim
from clientguard.cli import EXIT_OK, main
from clientguard.model import AnyRecord
from clientguard.report.claim import CLAIM_SCHEMA_VERSION, render_claim
from clientguard.testing import credit_note, customer, invoice, ledger, payment

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


def _p_invoices(client: str = "p", prefix: str = "P",
                disputed: tuple[int, ...] = ()) -> list[AnyRecord]:
    records: list[AnyRecord] = []
    for k, due in enumerate(["2025-09-01", "2025-10-01", "2025-11-01", "2025-12-01"]):
        day = date.fromisoformat(due)
        extra: dict[str, object] = {}
        if k in disputed:
            extra["disputed_on"] = day + timedelta(days=3)
        records.append(invoice(client, id=f"{prefix}{k}", issued=day - timedelta(days=30),
                               due=day, total="10000.00", **extra))  # type: ignore[arg-type]
    return records


def _books(*money: AnyRecord, disputed: tuple[int, ...] = ()) -> cg.Ledger:
    return ledger(customer("p", "P"), *_p_invoices(disputed=disputed), *money, *_on_time())


# (case, money, the claim's total by hand, each line's interest_claimed by hand)
CASES = [
    # 20,000 on 15 Oct pays P0 and P1 (oldest due first): P0 late 2 Sep-15 Oct = 44 days,
    # 10,000 x 0.1015 x 44 / 365 = 122.36; P1 2-15 Oct = 14 days: 38.93; P2 and P3 open as
    # on the books. 122.36 + 38.93 + 166.85 + 83.42 + 4 x 40 = 571.56.
    ("payment of 20,000 on 15 Oct",
     [payment("p", id="PU", on="2025-10-15", amount="20000.00")], "571.56",
     {"P0": "122.36", "P1": "38.93", "P2": "166.85", "P3": "83.42"}),
    # 25,000: P0 and P1 paid; the 5,000 left pays half of P2 on 15 Oct, before its 1 Nov due
    # date (art. 451 § 3 KC: the oldest debt due first; interest runs until the amount is
    # received, Directive 2011/7/EU art. 3(1)(b)), so P2's interest runs on the 5,000 still
    # owed, 2 Nov-31 Dec = 60 days: 5,000 x 0.1015 x 60 / 365 = 83.42 (not 10,000's 166.85).
    # 122.36 + 38.93 + 83.42 + 83.42 + 4 x 40 = 488.13.
    ("payment of 25,000 on 15 Oct",
     [payment("p", id="PU", on="2025-10-15", amount="25000.00")], "488.13",
     {"P0": "122.36", "P1": "38.93", "P2": "83.42", "P3": "83.42"}),
    # 5,000 on 15 Nov reaches P0 alone (owing 10,000), in part: 10,000 x 2 Sep-15 Nov (75
    # days) + 5,000 x 16 Nov-31 Dec (46 days) = 10,000 x 0.1015 x 75 / 365 = 208.56 and
    # 5,000 x 0.1015 x 46 / 365 = 63.96, 272.52; P0 stays open. 272.52 + 253.05 + 166.85 +
    # 83.42 + 160 = 935.84.
    ("payment of 5,000 on 15 Nov, part of P0",
     [payment("p", id="PU", on="2025-11-15", amount="5000.00")], "935.84",
     {"P0": "272.52", "P1": "253.05", "P2": "166.85", "P3": "83.42"}),
    # The books apply 4,000 to P0 on 20 Nov; 6,000 unapplied came 15 Oct. The money pays what
    # P0 still owed on its day (10,000: the books' 4,000 came later) in part, and the books'
    # 4,000 pays the rest on 20 Nov: 10,000 x 2 Sep-15 Oct (44 days) + 4,000 x 16 Oct-20 Nov
    # (36 days) = 6,000 x 44 + 4,000 x 80 days: 6,000 x 0.1015 x 44 / 365 = 73.41 and 4,000 x
    # 0.1015 x 80 / 365 = 88.99, 162.40 (not 10,000 x 44 days, 122.36, paid 15 Oct).
    # 162.40 + 253.05 + 166.85 + 83.42 + 160 = 825.72.
    ("books apply 4,000 to P0 on 20 Nov, 6,000 unapplied of 15 Oct",
     [payment("p", id="PA", on="2025-11-20", amount="4000.00", pays="P0"),
      payment("p", id="PU", on="2025-10-15", amount="6000.00")], "825.72",
     {"P0": "162.40", "P1": "253.05", "P2": "166.85", "P3": "83.42"}),
    # A credit note of 10,000 issued 15 Oct pays P0 only: 122.36 + 253.05 + 166.85 + 83.42
    # + 160 = 785.68.
    ("credit note of 10,000 on 15 Oct",
     [credit_note("p", id="CN", issued="2025-10-15", total="10000.00")], "785.68",
     {"P0": "122.36", "P1": "253.05", "P2": "166.85", "P3": "83.42"}),
    # 10,000 on 15 Sep pays P0 (2-15 Sep: 14 days, 38.93); 10,000 on 15 Nov pays P1 (2 Oct-
    # 15 Nov: 45 days, 10,000 x 0.1015 x 45 / 365 = 125.14). 38.93 + 125.14 + 166.85 + 83.42
    # + 160 = 574.34.
    ("two payments of 10,000, 15 Sep and 15 Nov",
     [payment("p", id="PU1", on="2025-09-15", amount="10000.00"),
      payment("p", id="PU2", on="2025-11-15", amount="10000.00")], "574.34",
     {"P0": "38.93", "P1": "125.14", "P2": "166.85", "P3": "83.42"}),
]


@pytest.mark.parametrize(("money", "total", "lines"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_the_claim_counts_what_unapplied_money_pays_as_paid_that_day(
    money: list[AnyRecord], total: str, lines: dict[str, str]
) -> None:
    books = _books(*money)
    document = claim(books, "p", as_of=AS_OF)
    assert document.totals == {"EUR": Decimal(total)}
    assert {line.invoice_id: line.interest_claimed for line in document.invoices} == {
        i: Decimal(v) for i, v in lines.items()}
    # The review's advice for the client is the same sum, to the cent.
    review = cg.review(books, as_of=AS_OF).clients["p"]
    assert review.claimable - review.claimable_disputed - review.claimable_unapplied \
        == Decimal(total)


def test_a_covered_line_is_paid_on_the_moneys_day_and_says_so() -> None:
    books = _books(payment("p", id="PU", on="2025-10-15", amount="20000.00"))
    document = claim(books, "p", as_of=AS_OF)
    p0, p1, p2, _p3 = document.invoices
    for line in (p0, p1):
        assert (line.paid_on, line.interest_until, line.still_open) == (
            date(2025, 10, 15), date(2025, 10, 15), False)
        assert (line.unapplied_paid_on, line.unapplied_paid_by) == (
            date(2025, 10, 15), "payment")
    assert (p2.still_open, p2.interest_until, p2.unapplied_paid_on) == (True, AS_OF, None)
    assert [(m.kind, m.document_id, m.on, m.amount) for m in document.unapplied] == [
        ("payment", "PU", date(2025, 10, 15), Decimal("20000.00"))]
    english = render_claim(document, "html", lang="en")
    assert english.count("Paid by the payment of 15 Oct 2025.") \
        == 2
    # The letter is the debtor's: no word of the firm's books, no source id (the command says
    # which money it counts, on stderr; the JSON lists it).
    assert "in your books" not in english
    assert "PU" not in english
    polish = render_claim(document, "html", lang="pl")
    assert polish.count("Zapłacona wpłatą z dnia 15.10.2025.") \
        == 2
    assert "w księgach" not in polish
    assert "PU" not in polish
    data = json.loads(render_claim(document, "json"))
    # 1.8: no line is disputed, but P0 and P1 name the document that pays them
    # (unapplied_parts, a 1.8 field: the oldest version that holds it; 1.7 before it came).
    assert data["schema_version"] == CLAIM_SCHEMA_VERSION == "1.8"
    assert [(i["invoice_id"], i["unapplied_paid"], i["disputed"]) for i in data["invoices"]] \
        == [("P0", "10000.00", False), ("P1", "10000.00", False), ("P2", None, False),
            ("P3", None, False)]
    assert data["disputed_totals"] == {}
    assert data["totals"] == {"EUR": "571.56"}
    assert data["invoices"][0]["unapplied_paid_on"] == "2025-10-15"
    assert data["invoices"][0]["unapplied_parts"] == [
        {"kind": "payment", "document_id": "PU", "came_on": "2025-10-15",
         "counted_on": "2025-10-15", "amount": "10000.00"}]
    assert data["unapplied"][0]["document_id"] == "PU"


def test_a_credit_note_line_names_a_credit_note() -> None:
    books = _books(credit_note("p", id="CN", issued="2025-10-15", total="10000.00"))
    document = claim(books, "p", as_of=AS_OF)
    assert document.invoices[0].unapplied_paid_by == "credit_note"
    assert "Paid by the credit note of 15 Oct 2025." in \
        render_claim(document, "html", lang="en")


def test_a_line_a_payment_and_a_credit_note_of_one_day_pay_names_both() -> None:
    # 5,000 paid and 5,000 credited on 15 Oct: P0's 10,000 (oldest due) takes the payment,
    # then the credit note (clientguard.unapplied: payments first): both pay it, that day.
    books = _books(payment("p", id="PU", on="2025-10-15", amount="5000.00"),
                   credit_note("p", id="CN", issued="2025-10-15", total="5000.00"))
    document = claim(books, "p", as_of=AS_OF)
    p0 = document.invoices[0]
    assert (p0.invoice_id, p0.unapplied_paid_on, p0.unapplied_paid_by) == (
        "P0", date(2025, 10, 15), "payment_and_credit_note")
    assert [line.unapplied_paid_on for line in document.invoices[1:]] == [None, None, None]
    # Each document with what it pays (until 2026-12-08 "Paid by the payment and the credit
    # note of 15 Oct 2025.", without the amounts).
    english = render_claim(document, "html", lang="en")
    assert ("Paid by the payment of 15 Oct 2025 (5,000.00 EUR) and the credit note of 15 Oct "
            "2025 (5,000.00 EUR).") in english
    assert "Paid by the payment of 15 Oct 2025." not in english
    polish = render_claim(document, "html", lang="pl")
    assert ("Zapłacona wpłatą z dnia 15.10.2025 (5\u00a0000,00 EUR) i fakturą korygującą z "
            "dnia 15.10.2025 (5\u00a0000,00 EUR).") in polish
    assert "Zapłacona wpłatą z dnia 15.10.2025." not in polish
    data = json.loads(render_claim(document, "json"))
    assert data["invoices"][0]["unapplied_paid_by"] == "payment_and_credit_note"


def test_each_line_names_the_money_of_its_day_that_pays_it() -> None:
    # 10,000 paid and 10,000 credited on 15 Oct: the payment pays P0 alone, the credit note P1
    # alone (payments first, oldest due first). Each line names its own (until 2026-12-08
    # both said "payment": a payment of that day existed).
    books = _books(payment("p", id="PU", on="2025-10-15", amount="10000.00"),
                   credit_note("p", id="CN", issued="2025-10-15", total="10000.00"))
    document = claim(books, "p", as_of=AS_OF)
    assert [(line.invoice_id, line.unapplied_paid_by) for line in document.invoices[:2]] == [
        ("P0", "payment"), ("P1", "credit_note")]
    english = render_claim(document, "html", lang="en")
    assert english.count("Paid by the payment of 15 Oct 2025.") == 1
    assert english.count("Paid by the credit note of 15 Oct 2025.") == 1


def test_money_that_came_before_every_due_date_leaves_nothing_to_claim() -> None:
    # 40,000 on 15 Aug pays all four invoices before they fall due: none was late, nothing
    # to claim (the review's advice: 999.80 - 999.80 held = 0), and the note still names it.
    books = _books(payment("p", id="PU", on="2025-08-15", amount="40000.00"))
    document = claim(books, "p", as_of=AS_OF)
    assert (document.invoices, document.totals) == ((), {})
    assert [m.document_id for m in document.unapplied] == ["PU"]
    assert "PU" not in render_claim(document, "html", lang="en")
    # Money named, on no line: the 1.6 document (no 1.7 field holds anything).
    data = json.loads(render_claim(document, "json"))
    assert data["schema_version"] == "1.6"
    assert "disputed_totals" not in data
    assert [m["document_id"] for m in data["unapplied"]] == ["PU"]


def test_money_of_another_company_of_the_group_does_not_pay_the_claims_invoices() -> None:
    # A pays 20,000 on 15 Oct, B (same group G, another company: its own debtor) has the
    # invoices: A's money is not B's, and B's claim is the books' 999.80 (336.48 + 253.05 +
    # 166.85 + 83.42 + 4 x 40); until 2026-12-08 A's money paid B0 and B1, 571.56.
    books = ledger(customer("a", "A", group="G"), customer("b", "B", group="G"),
                   *_p_invoices(client="b", prefix="B"),
                   payment("a", id="PA", on="2025-10-15", amount="20000.00"), *_on_time())
    document = claim(books, "b", as_of=AS_OF)
    assert document.totals == {"EUR": Decimal("999.80")}
    assert not document.unapplied


def test_a_disputed_invoice_stays_on_the_claim_held_and_the_money_skips_it() -> None:
    # P0 disputed: the money skips it (a debtor withholds what it contests) and pays P1
    # (14 days: 38.93) and P2 (paid 15 Oct, before its 1 Nov due date: not late, off the
    # claim). The claim lists the disputed P0 (336.48 + 40, the review's claimable_disputed
    # 376.48) and holds it, as the review's advice does: the totals are 38.93 + 40 + 83.42 + 40
    # = 202.35, the review's advice (claimable less claimable_disputed less
    # claimable_unapplied); 376.48 held. Until 2026-12-08 the totals were 578.83, the held
    # line in them.
    books = _books(payment("p", id="PU", on="2025-10-15", amount="20000.00"), disputed=(0,))
    document = claim(books, "p", as_of=AS_OF)
    assert [line.invoice_id for line in document.invoices] == ["P0", "P1", "P3"]
    assert [line.disputed for line in document.invoices] == [True, False, False]
    assert document.invoices[0].disputed_on == date(2025, 9, 4)  # _p_invoices: due + 3 days
    assert document.totals == {"EUR": Decimal("202.35")}
    assert document.disputed_totals == {"EUR": Decimal("376.48")}
    review = cg.review(books, as_of=AS_OF).clients["p"]
    assert review.claimable_disputed == Decimal("376.48")
    assert review.claimable - review.claimable_disputed - review.claimable_unapplied \
        == Decimal("202.35")


@pytest.mark.parametrize(("lang", "line", "held", "total"), [
    ("en", "Disputed since 4 Sep 2025: held until the dispute is settled, not in the totals.",
     "Held until the disputes are settled, not in the totals: 376.48 EUR.", "202.35 EUR"),
    ("pl", "Faktura sporna od 04.09.2025: wstrzymana do rozstrzygnięcia sporu, poza sumami.",
     "Wstrzymane do rozstrzygnięcia sporów, poza sumami: 376,48 EUR.",
     "202,35 EUR"),
])
def test_the_document_says_each_disputed_line_is_held(
    lang: str, line: str, held: str, total: str
) -> None:
    # The same book: P0 disputed on 4 Sep 2025 (376.48 held), 202.35 EUR demanded.
    books = _books(payment("p", id="PU", on="2025-10-15", amount="20000.00"), disputed=(0,))
    document = claim(books, "p", as_of=AS_OF)
    page = render_claim(document, "html", lang=lang)
    assert page.count(line) == 1  # P0's line only
    assert held in page
    assert f"<strong>{total}</strong>" in page
    data = json.loads(render_claim(document, "json"))
    # 1.8: the money pays P0 and P1 on lines (unapplied_parts); 1.7 before the field came.
    assert data["schema_version"] == "1.8"
    assert data["disputed_totals"] == {"EUR": "376.48"}
    assert [(i["invoice_id"], i["disputed"], i["disputed_on"]) for i in data["invoices"]] == [
        ("P0", True, "2025-09-04"), ("P1", False, None), ("P3", False, None)]



def test_the_claim_command_counts_the_money_and_tells_the_owner(
    csv_books: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    # P0 (due 1 Sep) and P1 (due 1 Oct) of 10,000 open in the books; payment PU of 10,000 on
    # 15 Oct applied to none. PU pays P0: 44 days, 122.36; P1 open 91 days, 253.05; + 2 x 40
    # = 455.41 EUR (the books alone gave 336.48 + 253.05 + 80 = 669.53).
    folder = csv_books(
        "EUR", paid=False,
        invoices="P0,P,2025-08-02,2025-09-01,10000.00\nP1,P,2025-09-01,2025-10-01,10000.00\n",
        more='\n[payments.columns]\nid = "Id"\ncustomer_name = "Client"\ndate = "Date"\n'
             'amount = "Amount"\n')
    (folder / "payments.csv").write_text("Id,Client,Date,Amount\nPU,P,2025-10-15,10000.00\n")
    (folder / "clientguard.toml").write_text(
        'base_currency = "EUR"\nstore = "cg.db"\n[policy]\njurisdiction = "eu"\n'
        '[sources.books]\nconnector = "csv"\nmapping = "mapping.toml"\n'
        'invoices = ["invoices.csv"]\npayments = ["payments.csv"]\n')
    assert main(["sync", "--quiet"]) == EXIT_OK
    capsys.readouterr()
    assert main(["claim", "P", "--as-of", "2025-12-31", "--output", "claim.json"]) == EXIT_OK
    _, err = capsys.readouterr()
    data = json.loads((folder / "claim.json").read_text())
    assert data["totals"] == {"EUR": "455.41"}
    assert "not yet applied in your books (PU)" in err


def test_an_invoice_the_books_paid_after_the_money_is_paid_on_the_books_day() -> None:
    # P0: 6,000 unapplied of 15 Oct, then the books' 4,000 of 20 Nov: paid in full on 20 Nov
    # (the later of the two), its interest until then (162.40, by hand in CASES); the line
    # still names the money's day, 15 Oct, as the day the unapplied payment paid it.
    books = _books(payment("p", id="PA", on="2025-11-20", amount="4000.00", pays="P0"),
                   payment("p", id="PU", on="2025-10-15", amount="6000.00"))
    p0 = claim(books, "p", as_of=AS_OF).invoices[0]
    assert (p0.invoice_id, p0.still_open, p0.paid_on, p0.interest_until) == (
        "P0", False, date(2025, 11, 20), date(2025, 11, 20))
    assert (p0.unapplied_paid_on, p0.unapplied_paid_by) == (date(2025, 10, 15), "payment")
    # The periods: 10,000 from 2 Sep to 15 Oct, then 4,000 from 16 Oct to 20 Nov.
    assert [(p.start, p.end, p.principal) for p in p0.periods] == [
        (date(2025, 9, 2), date(2025, 10, 15), Decimal("10000.00")),
        (date(2025, 10, 16), date(2025, 11, 20), Decimal("4000.00"))]


def test_money_that_pays_part_of_an_invoice_leaves_it_open_and_is_named() -> None:
    # 25,000 of 15 Oct: P0 and P1 paid that day; P2 owes 5,000 from 15 Oct and stays open,
    # its interest on 5,000 from 2 Nov to 31 Dec (83.42, by hand in CASES).
    books = _books(payment("p", id="PU", on="2025-10-15", amount="25000.00"))
    document = claim(books, "p", as_of=AS_OF)
    p2 = next(line for line in document.invoices if line.invoice_id == "P2")
    # The line names the money that pays part of it, in unapplied_parts: 5,000 of PU's 25,000
    # (25,000 - P0's 10,000 - P1's 10,000). unapplied_paid_on stays None, as schema 1.6 meant
    # it: the field is "paid in full by the money that day" (schema 1.7 set it here too).
    assert (p2.still_open, p2.unapplied_paid_on, p2.interest_until) == (True, None, AS_OF)
    assert [(part.kind, part.document_id, part.came_on, part.amount)
            for part in p2.unapplied_parts] == [
        ("payment", "PU", date(2025, 10, 15), Decimal("5000.00"))]
    # What it still owes once the money is applied: 10,000 - the 5,000 left after P0 and P1.
    assert p2.open_balance == Decimal("5000.00")
    assert [(p.start, p.end, p.principal) for p in p2.periods] == [
        (date(2025, 11, 2), AS_OF, Decimal("5000.00"))]
    assert [m.document_id for m in document.unapplied] == ["PU"]


def test_a_line_paid_in_part_says_by_what_and_how_much() -> None:
    # 5,000 of 15 Oct pays half of P0 (due 1 Sep): 10,000 owed 2 Sep-15 Oct, 44 days,
    # 10,000 x 0.1015 x 44 / 365 = 122.356, then 5,000 16 Oct-31 Dec, 77 days, 5,000 x 0.1015
    # x 77 / 365 = 107.062: 229.42. The line names the payment and what it paid: the debtor
    # sees why the interest falls on 15 Oct (the reviewer's g0, 2026-12-08: no line said so).
    books = _books(payment("p", id="PU", on="2025-10-15", amount="5000.00"))
    document = claim(books, "p", as_of=AS_OF)
    p0 = document.invoices[0]
    assert (p0.invoice_id, p0.still_open, p0.open_balance, p0.interest_claimed) == (
        "P0", True, Decimal("5000.00"), Decimal("229.42"))
    # Paid in part: unapplied_paid_on and _by are None, as in schema 1.6 (1.7 set them here,
    # which a 1.6 reader took for "paid in full"); the part is in unapplied_parts.
    assert (p0.unapplied_paid_on, p0.unapplied_paid_by, p0.unapplied_paid) == (
        None, None, Decimal("5000.00"))
    assert [line.invoice_id for line in document.invoices if line.unapplied_parts] == ["P0"]
    assert [m.document_id for m in document.unapplied] == ["PU"]
    assert "Paid in part by the payment of 15 Oct 2025 (5,000.00 EUR)." in render_claim(
        document, "html", lang="en")
    nbsp = "\u00a0"
    assert f"Zapłacona częściowo wpłatą z dnia 15.10.2025 (5{nbsp}000,00 EUR)." in \
        render_claim(document, "html", lang="pl")
    data = json.loads(render_claim(document, "json"))
    assert (data["invoices"][0]["unapplied_paid_on"], data["invoices"][0]["unapplied_paid"],
            data["invoices"][0]["unapplied_parts"]) == (None, "5000.00", [
                {"kind": "payment", "document_id": "PU", "came_on": "2025-10-15",
                 "counted_on": "2025-10-15", "amount": "5000.00"}])


def test_a_prepaid_line_names_the_day_the_money_came() -> None:
    # Y (issued 1 Sep, due 20 Dec) and X (issued 1 Dec, due 10 Dec), 10,000 each; 15,000 of
    # 1 Oct pays Y, and its 5,000 left pays X on X's issue date (1 Dec, before its due date):
    # X owes 5,000 for 21 days, 5,000 x 0.1015 x 21 / 365 = 29.20. Its line names the payment
    # of 1 Oct (the day the money came, counted on 1 Dec), and the letter its 5,000.
    books = ledger(customer("p", "P"),
                   invoice("p", id="Y", issued="2025-09-01", due="2025-12-20",
                           total="10000.00"),
                   invoice("p", id="X", issued="2025-12-01", due="2025-12-10",
                           total="10000.00"),
                   payment("p", id="PU", on="2025-10-01", amount="15000.00"), *_on_time())
    document = claim(books, "p", as_of=AS_OF)
    (x,) = document.invoices
    assert (x.invoice_id, x.interest_claimed, x.unapplied_paid_on, x.unapplied_paid) == (
        "X", Decimal("29.20"), None, Decimal("5000.00"))
    assert [(part.came_on, part.counted_on, part.amount) for part in x.unapplied_parts] == [
        (date(2025, 10, 1), date(2025, 12, 1), Decimal("5000.00"))]
    assert "Paid in part by the payment of 1 Oct 2025 (5,000.00 EUR)." in render_claim(
        document, "html", lang="en")


@pytest.mark.parametrize(("lang", "said"), [
    ("en", "clientguard: the client disputes invoice P0: the claim shows it held until the "
           "dispute is settled, its 376.48 EUR not in the totals"),
    ("pl", "clientguard: klient kwestionuje fakturę P0: nota pokazuje ją jako wstrzymaną do "
           "rozstrzygnięcia sporu, a jej 376,48\N{NO-BREAK SPACE}EUR poza sumami"),
])
def test_the_claim_command_tells_the_owner_which_invoices_are_held(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    lang: str, said: str,
) -> None:
    # The book above: P0 disputed, its 336.48 + 40 = 376.48 held; 202.35 demanded.
    from clientguard import cli as cli_module

    books = _books(payment("p", id="PU", on="2025-10-15", amount="20000.00"), disputed=(0,))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli_module, "_review_ledger", lambda args, config: books)
    assert main(["--lang", lang, "claim", "P", "--as-of", "2025-12-31",
                 "--output", "claim.json"]) == EXIT_OK
    assert said in " ".join(capsys.readouterr().err.split("\n"))
    assert json.loads((tmp_path / "claim.json").read_text())["totals"] == {"EUR": "202.35"}


def test_a_line_a_payment_and_a_credit_note_of_one_day_pay_in_part_names_both() -> None:
    # 5,000 paid and 3,000 credited on 15 Oct pay 8,000 of P0 (due 1 Sep; payments first,
    # then the credit note): 10,000 x 0.1015 x 44 / 365 = 122.356 (2 Sep-15 Oct), then 2,000 x
    # 0.1015 x 77 / 365 = 42.825 (16 Oct-31 Dec): 165.18. The line says both documents and
    # what each pays: 5,000 and 3,000 (merge of 2026-12-08: the part-paid words and the
    # payment and credit note of one day each existed alone; until 2026-12-09 one sum, 8,000,
    # for both).
    books = _books(payment("p", id="PU", on="2025-10-15", amount="5000.00"),
                   credit_note("p", id="CN", issued="2025-10-15", total="3000.00"))
    document = claim(books, "p", as_of=AS_OF)
    p0 = document.invoices[0]
    assert (p0.invoice_id, p0.still_open, p0.open_balance, p0.interest_claimed) == (
        "P0", True, Decimal("2000.00"), Decimal("165.18"))
    assert (p0.unapplied_paid_on, p0.unapplied_paid_by, p0.unapplied_paid) == (
        None, None, Decimal("8000.00"))
    english = render_claim(document, "html", lang="en")
    assert ("Paid in part by the payment of 15 Oct 2025 (5,000.00 EUR) and the credit note of "
            "15 Oct 2025 (3,000.00 EUR).") in english
    assert "Paid by the" not in english
    nbsp = "\u00a0"
    assert (f"Zapłacona częściowo wpłatą z dnia 15.10.2025 (5{nbsp}000,00 EUR) i fakturą "
            f"korygującą z dnia 15.10.2025 (3{nbsp}000,00 EUR).") in render_claim(
                document, "html", lang="pl")
    data = json.loads(render_claim(document, "json"))
    assert (data["schema_version"], data["invoices"][0]["unapplied_paid_by"],
            data["invoices"][0]["unapplied_paid"],
            [(part["kind"], part["amount"]) for part in data["invoices"][0]["unapplied_parts"]]
            ) == ("1.8", None, "8000.00", [("payment", "5000.00"), ("credit_note", "3000.00")])


def test_money_that_came_on_two_days_before_the_invoice_names_each_document() -> None:
    # Y (issued 1 Sep, due 20 Dec) and X (issued 1 Dec, due 10 Dec), 10,000 each. 12,000 paid
    # on 1 Oct pays Y; its 2,000 left and a credit note of 3,000 of 5 Oct wait for X and pay it
    # on its issue date, 1 Dec: both parts are counted that day, but they came on two days.
    # The line names each document, the day it came and what it pays: the payment of 1 Oct
    # (2,000) and the credit note of 5 Oct (3,000). Until 2026-12-09 this test pinned
    # unapplied_paid_on 5 Oct and "credit_note" on this part-paid line: the last document's
    # day and kind alone, which a schema 1.6 reader takes for "paid in full by a credit note
    # of 5 Oct" (the reviewer's finding): they are None on a line paid in part. X owes
    # 5,000 from 11 Dec: 5,000 x 0.1015 x 21 / 365 = 29.20.
    books = ledger(customer("p", "P"),
                   invoice("p", id="Y", issued="2025-09-01", due="2025-12-20",
                           total="10000.00"),
                   invoice("p", id="X", issued="2025-12-01", due="2025-12-10",
                           total="10000.00"),
                   payment("p", id="PU", on="2025-10-01", amount="12000.00"),
                   credit_note("p", id="CN", issued="2025-10-05", total="3000.00"),
                   *_on_time())
    (x,) = claim(books, "p", as_of=AS_OF).invoices
    assert (x.invoice_id, x.interest_claimed, x.unapplied_paid) == (
        "X", Decimal("29.20"), Decimal("5000.00"))
    assert (x.unapplied_paid_on, x.unapplied_paid_by) == (None, None)
    assert [(part.kind, part.document_id, part.came_on, part.counted_on, part.amount)
            for part in x.unapplied_parts] == [
        ("payment", "PU", date(2025, 10, 1), date(2025, 12, 1), Decimal("2000.00")),
        ("credit_note", "CN", date(2025, 10, 5), date(2025, 12, 1), Decimal("3000.00"))]


@pytest.mark.parametrize("linked", [False, True])
def test_a_group_sisters_unapplied_money_does_not_pay_the_debtors_claim(linked: bool) -> None:
    # Alpha and Beta are one group (one client in the review), two companies: each its own
    # debtor (docs/claims.md). Alpha owes 20,000.00 EUR due 1 Aug 2025, open on 31 Dec 2025;
    # Beta pays 20,000.00 EUR on 1 Sep 2025, left unapplied. Beta's money is not Alpha's:
    # Alpha's invoice is late 2 Aug - 31 Dec, 152 days at ECB 2.15% + 8 = 10.15%:
    # 20,000 x 10.15% x 152 / 365 = 845.37, + EUR 40: 885.37 (until 2026-12-08 Beta's money
    # settled it on 1 Sep: 172.41 + 40). With Alpha also kept in Ninja (linked), the same.
    records: list[AnyRecord] = [
        customer("a", "Alpha GmbH", group="grp", source="wave"),
        customer("b", "Beta GmbH", group="grp", source="wave"),
        invoice("a", id="A1", issued=date(2025, 7, 1), due=date(2025, 8, 1), total="20000.00",
                source="wave"),
        payment("b", id="PB", on=date(2025, 9, 1), amount="20000.00", source="wave")]
    links = []
    if linked:
        records.append(customer("7", "Alpha GmbH", source="ninja"))
        links = [(("wave", "a"), ("ninja", "7"))]
    book = ledger(*records, links=links)
    made = claim(book, "Alpha GmbH", as_of=AS_OF)
    assert made.totals == {"EUR": Decimal("885.37")}
    (line,) = made.invoices
    assert line.paid_on is None
    assert line.interest_claimed == Decimal("845.37")
    assert not made.unapplied
    # The review's advice counts the same: the group client's claimable is Alpha's claim.
    (client,) = cg.review(book, as_of=AS_OF).clients.values()
    assert client.claimable == Decimal("885.37")
