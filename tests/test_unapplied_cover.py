"""What unapplied money pays: a reviewer's reproduced finds (2026-12-07, docs/review.md,
"Unapplied money").

Each book is reviewed as of 31 Dec 2025 beside a client that pays every invoice on its due date
(``_on_time``), as tests/test_verdict_owner_acts.py does (its client P is ``_unapplied_book``).
Expected amounts are worked by hand in the comments: EU statutory interest is ``open balance x
(ECB rate + 8 points) x days / 365`` (10.15% for debts falling due in the second half of 2025),
each line rounded to the cent in its invoice's currency and, for another currency, converted at
the invoice's rate and rounded to the cent of the base, plus EUR 40 of compensation per invoice
(Directive 2011/7/EU art. 3, 6). Days late run from the day after the due date to the day the
money came.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import clientguard as cg
from clientguard.model import AnyRecord
from clientguard.testing import credit_note, customer, fx_table, invoice, ledger, payment

AS_OF = date(2025, 12, 31)
NBSP = "\u00a0"


def _on_time() -> list[AnyRecord]:
    """Twelve invoices of 30,000 of another client, 14 days' terms, each paid on its due
    date."""
    records: list[AnyRecord] = []
    for k in range(12):
        bill = invoice("o", id=f"O{k}", issued=date(2025, 1, 1 + k), total="30000.00",
                       terms=14)
        records += [bill, payment("o", id=f"PO{k}", on=bill.due_date, amount="30000.00",
                                  pays=bill)]
    return records


def _revision(client: cg.ClientReview, kind: str) -> cg.Revision | None:
    return next((r for r in client.revisions if r.kind == kind), None)


def _signals(client: cg.ClientReview) -> set[str]:
    return {f.signal.value for f in client.findings}


def _unapplied_book(unapplied: str, *, on: str = "2025-12-15") -> cg.Ledger:
    """P: four invoices of 10,000 due 1 Sep, 1 Oct, 1 Nov and 1 Dec 2025, open, and one
    payment of ``unapplied`` on ``on`` allocated to nothing."""
    records: list[AnyRecord] = [customer("p", "P")]
    for k, due in enumerate(["2025-09-01", "2025-10-01", "2025-11-01", "2025-12-01"]):
        day = date.fromisoformat(due)
        records.append(invoice("p", id=f"P{k}", issued=day - timedelta(days=30), due=day,
                               total="10000.00"))
    records.append(payment("p", id="PU", on=on, amount=unapplied))
    return ledger(*records, *_on_time())


# ------------------------------------------------------------------------------- currencies
def _usd_book(paid: str, rate: str) -> cg.Ledger:
    """U Inc: four invoices of USD 10,000 booked at 0.92 EUR, due 1 Sep, 1 Oct, 1 Nov and
    1 Dec 2025, open; one payment of USD ``paid`` on 25 Aug 2025 at ``rate``, before every due
    date, allocated to nothing."""
    records: list[AnyRecord] = [customer("u", "U Inc")]
    for k, due in enumerate(["2025-09-01", "2025-10-01", "2025-11-01", "2025-12-01"]):
        day = date.fromisoformat(due)
        records.append(invoice("u", id=f"U{k}", issued=day - timedelta(days=30), due=day,
                               total="10000.00", currency="USD", fx_rate="0.92"))
    records.append(payment("u", id="PU", on="2025-08-25", amount=paid, currency="USD",
                           fx_rate=rate))
    return ledger(*records, *_on_time())


# The books' lines (each invoice open to 31 Dec): U0 121 days, USD 10,000 x 0.1015 x 121 / 365
# = 336.48 USD = 309.56 EUR at 0.92; U1 91 days 253.05 = 232.81; U2 60 days 166.85 = 153.50; U3
# 30 days 83.42 = 76.75; + 4 x 40.00: 932.62 EUR. Paid on time by the money, a line is held in
# full; U3 left open is claimed on what the money leaves of it (USD 1,000: 7.67 + 40.00 = 47.67
# EUR, the rows below).
@pytest.mark.parametrize(
    ("paid", "rate", "covered", "held", "sentence"),
    [
        # Every dollar paid; the euro fell (36,000.00 EUR of money beside 36,800.00 EUR open):
        # until 2026-12-07 not a cover, four invoices judged late and a claim advised.
        ("40000.00", "0.90", True, Decimal("932.62"),
         "40,000.00 USD of its payments and credit notes are unapplied, at least its open "
         "balance of 40,000.00 USD"),
        # The same, the euro rose (38,000.00 EUR beside 36,800.00).
        ("40000.00", "0.95", True, Decimal("932.62"),
         "40,000.00 USD of its payments and credit notes are unapplied, at least its open "
         "balance of 40,000.00 USD"),
        # USD 1,000 still owed; the euro rose (37,050.00 EUR beside 36,800.00): until
        # 2026-12-07 a cover, "no action needed". It pays U0 to U2, and 9,000 of U3 on 25 Aug,
        # before its due date: U3 stays open, owing USD 1,000 for its 30 days late, USD 1,000 x
        # 0.1015 x 30 / 365 = 8.34 USD = 7.67 EUR at 0.92, + 40.00: 47.67 claimed, 932.62 -
        # 47.67 = 884.95 held (until the money paid part of an invoice, 2026-12-07, U3 was
        # claimed on the whole 10,000: 815.87 held).
        ("39000.00", "0.95", False, Decimal("884.95"),
         "39,000.00 USD of its payments and credit notes are unapplied, against an open "
         "balance of 40,000.00 USD"),
        # The same, the euro fell.
        ("39000.00", "0.90", False, Decimal("884.95"),
         "39,000.00 USD of its payments and credit notes are unapplied, against an open "
         "balance of 40,000.00 USD"),
    ],
)
def test_unapplied_money_covers_in_the_documents_currency(
    paid: str, rate: str, covered: bool, held: Decimal, sentence: str
) -> None:
    client = cg.review(_usd_book(paid, rate), as_of=AS_OF).clients["u"]
    assert sentence in client.summary
    assert client.claimable == Decimal("932.62")
    assert client.claimable_unapplied == held
    assert client.claimable - client.claimable_unapplied == (
        Decimal(0) if covered else Decimal("47.67"))
    # Paid by 25 Aug, nothing it paid is late: no lateness, whichever way the rate went.
    assert not {"chronic_late", "worsening_late"} & _signals(client)
    # A client that owes nothing net is no debtor to cap; one still owing USD 1,000 is, on
    # its open invoices as the books leave them (only a full cover clears the concentration
    # findings: docs/metrics/concentration.md, "Unapplied money").
    assert ("receivables_concentration" in _signals(client)) is not covered
    assert (client.recommendation is cg.Recommendation.OK) is covered
    assert ("no action needed" in client.summary) is covered


# ------------------------------------------------------------------------------ late money
def _lump_book(on: str, *, allocated: bool) -> cg.Ledger:
    """P: twelve invoices of 5,000 due on the first of each month of 2025 (issued 30 days
    before), and one payment of 60,000 on ``on``, allocated to all twelve or to none."""
    records: list[AnyRecord] = [customer("p", "P")]
    bills = []
    for month in range(1, 13):
        due = date(2025, month, 1)
        bill = invoice("p", id=f"P{month:02d}", issued=due - timedelta(days=30), due=due,
                       total="5000.00")
        bills.append(bill)
        records.append(bill)
    pays = [(bill, "5000.00") for bill in bills] if allocated else None
    records.append(payment("p", id="LUMP", on=on, amount="60000.00", pays=pays))
    return ledger(*records, *_on_time())


@pytest.mark.parametrize(
    ("on", "late"),
    [
        # After all twelve due dates: twelve invoices paid late on 30 Dec (until 2026-12-07,
        # unallocated, "monitor" and no claim; allocated, revise_terms and a claim).
        ("2025-12-30", 12),
        # On 15 Jun: the six due by 1 Jun paid late that day, the six due later paid early.
        ("2025-06-15", 6),
    ],
)
def test_money_received_late_pays_late_on_its_day(on: str, late: int) -> None:
    """Unallocated, the lump is judged and claimed as the same lump allocated: paid on its own
    day (Directive 2011/7/EU art. 3(1)(b): interest runs until the amount is received)."""
    free = cg.review(_lump_book(on, allocated=False), as_of=AS_OF).clients["p"]
    applied = cg.review(_lump_book(on, allocated=True), as_of=AS_OF).clients["p"]
    assert free.recommendation is applied.recommendation
    assert sum(p.invoices_late for p in applied.profiles.values()) == late
    assert free.late_share == applied.late_share == Decimal(late) / 12
    assert free.evidence.split(", unapplied")[0] == applied.evidence
    advised, claimed = _revision(free, "claim_late_interest"), _revision(applied,
                                                                        "claim_late_interest")
    if late == 12:
        assert advised is not None
        assert claimed is not None
        assert advised.amount == claimed.amount == applied.claimable
    # Held back: only what applying the money removes (the books' interest after its day).
    assert free.claimable - free.claimable_unapplied == applied.claimable
    # As of the day before the lump, the money is not there: the two books are one.
    before = date.fromisoformat(on) - timedelta(days=1)
    free_then = cg.review(_lump_book(on, allocated=False), as_of=before).clients["p"]
    applied_then = cg.review(_lump_book(on, allocated=True), as_of=before).clients["p"]
    assert free_then.unapplied == 0
    assert free_then.claimable == applied_then.claimable
    assert free_then.claimable_unapplied == 0


# ---------------------------------------------------------------------------------- disputes
def _disputed_oldest() -> cg.Ledger:
    """Q: X (10,000, due 1 Sep 2025, disputed on 5 Sep), Q0 and Q1 (10,000 each, due 1 Oct
    and 1 Nov), all open; 10,000 paid on 1 Nov allocated to nothing; three invoices of 10,000
    due 1 Mar, 1 Apr and 1 May paid 60 days late."""
    records: list[AnyRecord] = [customer("q", "Q")]
    records.append(invoice("q", id="X", issued="2025-08-02", due="2025-09-01",
                           total="10000.00", disputed_on="2025-09-05"))
    for k, due in enumerate(["2025-10-01", "2025-11-01"]):
        day = date.fromisoformat(due)
        records.append(invoice("q", id=f"Q{k}", issued=day - timedelta(days=30), due=day,
                               total="10000.00"))
    records.append(payment("q", id="PU", on="2025-11-01", amount="10000.00"))
    for k in range(3):
        day = date(2025, 3 + k, 1)
        bill = invoice("q", id=f"S{k}", issued=day - timedelta(days=30), due=day,
                       total="10000.00")
        records += [bill, payment("q", id=f"PS{k}", on=day + timedelta(days=60),
                                  amount="10000.00", pays=bill)]
    return ledger(*records, *_on_time())


def _all_disputed() -> cg.Ledger:
    """P: four invoices of 10,000 due 1 Jun, 1 Jul, 1 Aug and 1 Sep 2025, each disputed five
    days after its due date, open; 40,000 paid on 1 Oct, after every dispute was raised,
    allocated to nothing (until 2026-12-08 it was paid on 1 Jun: the money came before any
    dispute, so it now pays them, as art. 451 § 3 KC has it)."""
    records: list[AnyRecord] = [customer("p", "P")]
    for k, due in enumerate(["2025-06-01", "2025-07-01", "2025-08-01", "2025-09-01"]):
        day = date.fromisoformat(due)
        records.append(invoice("p", id=f"P{k}", issued=day - timedelta(days=30), due=day,
                               total="10000.00", disputed_on=day + timedelta(days=5)))
    records.append(payment("p", id="PU", on="2025-10-01", amount="40000.00"))
    return ledger(*records, *_on_time())


def test_the_money_skips_a_disputed_invoice() -> None:
    """A debtor withholds what it contests: the 10,000 pays Q0, not the older disputed X."""
    client = cg.review(_disputed_oldest(), as_of=AS_OF).clients["q"]
    # X held as disputed: 121 days, 10,000 x 0.1015 x 121 / 365 = 336.48, + 40.00.
    assert client.claimable_disputed == Decimal("376.48")
    # Q0 paid on 1 Nov, 31 days late: 86.21 + 40.00 claimed; held what the books add after
    # 1 Nov, 91 days' 253.05 less 86.21 (until 2026-12-07: 0.00, the money spent on X).
    assert client.claimable_unapplied == Decimal("166.84")
    claim = _revision(client, "claim_late_interest")
    assert claim is not None
    assert claim.amount == (client.claimable - client.claimable_disputed
                            - client.claimable_unapplied)
    assert "166.84 EUR more on the invoices its unapplied payments" in claim.message


def test_money_beside_disputed_invoices_pays_none_of_them() -> None:
    review = cg.review(_all_disputed(), as_of=AS_OF)
    client = review.clients["p"]
    # Nothing the money pays: everything the law grants is on the disputed invoices.
    assert client.claimable_unapplied == 0
    assert client.claimable_disputed == client.claimable > 0
    # Judged as disputes (until 2026-12-07 the money hid them: no finding at all).
    assert "dispute" in _signals(client)
    assert "against an open balance of 40,000.00 EUR" in client.summary
    assert "more on disputed invoices" in review.book.summary
    assert "unapplied payments" not in review.book.summary


# ---------------------------------------------------------------------------------- evidence
@pytest.mark.parametrize(
    ("on", "evidence", "late_share"),
    [
        # Paid by 15 Aug, before every due date: none late, nothing overdue (until 2026-12-07:
        # "late 4 of 4 due (100%), 75.5 days weighted, overdue 40,000.00 EUR").
        ("2025-08-15", "late 0 of 4 due (0%), 0.0 days weighted, overdue 0.00 EUR",
         Decimal(0)),
        # Paid on 15 Dec: 105, 75, 44 and 14 days late, (105 + 75 + 44 + 14) / 4 = 59.5, and
        # nothing overdue any more.
        ("2025-12-15", "late 4 of 4 due (100%), 59.5 days weighted, overdue 0.00 EUR",
         Decimal(1)),
    ],
)
def test_the_evidence_says_what_the_verdict_judged(
    on: str, evidence: str, late_share: Decimal
) -> None:
    client = cg.review(_unapplied_book("40000.00", on=on), as_of=AS_OF).clients["p"]
    assert client.evidence.startswith(evidence)
    assert client.late_share == late_share


# ----------------------------------------------------------------------------------- wording
def _credit_book() -> cg.Ledger:
    """C: four invoices of 5,000 due 1 Jun to 1 Sep 2025, open; a credit note of 5,000 issued
    on 20 Jun 2025, applied to nothing."""
    records: list[AnyRecord] = [customer("c", "C")]
    for k, due in enumerate(["2025-06-01", "2025-07-01", "2025-08-01", "2025-09-01"]):
        day = date.fromisoformat(due)
        records.append(invoice("c", id=f"C{k}", issued=day - timedelta(days=30), due=day,
                               total="5000.00"))
    records.append(credit_note("c", id="CN", issued="2025-06-20", total="5000.00"))
    return ledger(*records, *_on_time())


@pytest.mark.parametrize(
    ("book", "lang", "where", "words"),
    [
        ("credit", "en", "book",
         "more on invoices that unapplied payments and credit notes would pay)"),
        ("credit", "pl", "book",
         "z faktur, które zostałyby pokryte nierozliczonymi wpłatami i korektami)"),
        ("credit", "pl", "evidence", f"nierozliczone wpłaty i korekty 5{NBSP}000,00{NBSP}EUR"),
        ("cover", "en", "summary",
         "40,000.00 EUR of its payments and credit notes are unapplied, at least its open "
         "balance of 40,000.00 EUR"),
        ("cover", "pl", "summary",
         f"40{NBSP}000,00{NBSP}EUR z wpłat i faktur korygujących klienta pozostaje "
         f"nierozliczone, co najmniej tyle, ile wynosi całe jego otwarte saldo "
         f"(40{NBSP}000,00{NBSP}EUR)"),
        # 177.96 held: tests/test_verdict_owner_acts.py's first row. Interest and
        # compensation (until 2026-12-08 "to odsetki": the held part may be compensation too).
        ("cover", "pl", "claim",
         f"Pominięto kolejne 177,96{NBSP}EUR z faktur, które zostałyby pokryte "
         f"nierozliczonymi wpłatami i fakturami korygującymi klienta "
         f"(40{NBSP}000,00{NBSP}EUR): to odsetki i rekompensata, które się nie należą, gdy te "
         f"pieniądze zostaną uwzględnione (bez odsetek po dniu ich wpływu, a bez rekompensaty "
         f"lub z mniejszą, gdy wpłynęły w terminie płatności); rozlicz je w księgach z datą "
         f"dnia wpływu, nie dzisiejszą"),
    ],
)
def test_unapplied_credit_notes_are_named_with_the_payments(
    book: str, lang: str, where: str, words: str
) -> None:
    ledger_ = _credit_book() if book == "credit" else _unapplied_book("40000.00")
    review = cg.review(ledger_, as_of=AS_OF, lang=lang)
    client = review.clients["c" if book == "credit" else "p"]
    claim = _revision(client, "claim_late_interest")
    text = {
        "book": review.book.summary,
        "evidence": client.evidence,
        "summary": client.summary,
        "claim": claim.message if claim is not None else "",
    }[where]
    assert words in text


@settings(max_examples=20, deadline=None)
@given(day=st.integers(min_value=0, max_value=364), months=st.integers(min_value=1, max_value=12))
def test_unallocated_money_is_judged_as_the_same_money_allocated(day: int, months: int) -> None:
    """Invariant: a lump that pays the first ``months`` invoices in full, received on any day of
    2025, gets the lateness judgement, costs and advice of the same lump allocated to them (and
    the verdict, where it pays every invoice: a part cover leaves the concentration findings
    on the open balance the books show, docs/metrics/concentration.md)."""
    on = (date(2025, 1, 1) + timedelta(days=day)).isoformat()
    books = []
    for allocated in (False, True):
        records: list[AnyRecord] = [customer("p", "P")]
        bills = []
        for month in range(1, 13):
            due = date(2025, month, 1)
            bill = invoice("p", id=f"P{month:02d}", issued=due - timedelta(days=30), due=due,
                           total="5000.00")
            bills.append(bill)
            records.append(bill)
        pays = [(bill, "5000.00") for bill in bills[:months]] if allocated else None
        records.append(payment("p", id="LUMP", on=on, amount=f"{5000 * months}.00",
                               pays=pays))
        books.append(cg.review(ledger(*records, *_on_time()), as_of=AS_OF).clients["p"])
    free, applied = books
    lateness = {"chronic_late", "worsening_late", "dispute"}
    assert _signals(free) & lateness == _signals(applied) & lateness
    if months == 12:
        assert free.recommendation is applied.recommendation
    assert free.late_share == applied.late_share
    # financing_cost and claimable are the books' figures (the money not applied there);
    # what applying it removes is said apart, and the rest is the allocated book's.
    # (to 1e-12: the difference of two 28-digit Decimals differs in the 28th digit)
    assert (free.financing_cost - free.financing_covered - applied.financing_cost).copy_abs() \
        < Decimal("1e-12")
    assert applied.financing_covered == 0
    assert free.claimable - free.claimable_unapplied == applied.claimable
    advised, claimed = (_revision(c, "claim_late_interest") for c in books)
    assert (advised.amount if advised else None) == (claimed.amount if claimed else None)


def test_what_the_money_holds_back_is_called_interest_and_compensation() -> None:
    """Polish books in PLN (the reviewer's f6, 2026-12-08): F0-F3 of 6,000.00 PLN due 1 Sep,
    1 Oct, 3 Nov and 1 Dec 2025; 2,000 PLN unapplied of 20 Aug, before F0's due date, so F0
    owed 4,000 when it fell due. Its interest falls by a third (4,000 of 6,000 owed from
    the due date on): 303.33 to 303.33 x 4,000 / 6,000 = 202.22, 101.11 held; its
    compensation is read on the 4,000 owed at due date, up to 5,000 PLN: EUR 40 (was over
    5,000 PLN: EUR 70), at 4.25 PLN a euro 170.00 (was 297.50), 127.50 held. 228.61 in all,
    which the sentence called interest alone until 2026-12-08."""
    rates: dict[str, dict[str | date, str | Decimal | int]] = {"EUR": dict.fromkeys(
        ("2025-07-31", "2025-08-29", "2025-09-30", "2025-10-31"), "4.25")}
    bills = [invoice("acme", id=f"F{k}", issued=date.fromisoformat(due) - timedelta(days=30),
                     due=due, total="6000.00", currency="PLN")
             for k, due in enumerate(["2025-09-01", "2025-10-01", "2025-11-03", "2025-12-01"])]
    books = ledger(customer("acme", "A"), *bills,
                   payment("acme", id="U", on="2025-08-20", amount="2000.00", currency="PLN"),
                   fx=fx_table("PLN", rates), base_currency="PLN")
    for lang, words in [
        ("en", "228.61 PLN more on the invoices its unapplied payments and credit notes "
               "(2,000.00 PLN) would pay is left out: it is interest and compensation not "
               "owed once that money counts"),
        ("pl", f"Pominięto kolejne 228,61{NBSP}zł z faktur, które zostałyby pokryte "
               f"nierozliczonymi wpłatami i fakturami korygującymi klienta "
               f"(2{NBSP}000,00{NBSP}zł): to odsetki i rekompensata, które się nie należą"),
    ]:
        client = cg.review(books, as_of=AS_OF, policy=cg.Policy(jurisdiction="pl"),
                           lang=lang).clients["acme"]
        assert client.claimable_unapplied == Decimal("228.61")
        claim = _revision(client, "claim_late_interest")
        assert claim is not None
        assert words in claim.message, lang
