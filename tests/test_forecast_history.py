"""What the forecast learns a client's paying habit from: invoices the client paid. An invoice
of nothing (settled on its issue date) and one cancelled by credit notes alone (no payment)
say nothing of when the client pays, and never become "paid invoices of the client"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from clientguard.findings import Signal
from clientguard.forecast import forecast
from clientguard.model import AnyRecord, Invoice
from clientguard.policy import Policy
from clientguard.review import review
from clientguard.signals.foresight import expected_late, late_before
from clientguard.testing import credit_note, invoice, ledger, payment

AS_OF = date(2024, 6, 30)


def paid_history(client: str, delays: list[int], *, total: str = "1000") -> list[Invoice]:
    """One invoice a fortnight from 2023-01-05 on 30 days' terms, each paid ``delay`` days
    after its due date (the source's paid date)."""
    records = []
    for n, delay in enumerate(delays):
        issued = date(2023, 1, 5) + timedelta(days=14 * n)
        due = issued + timedelta(days=30)
        records.append(invoice(client, issued=issued, due=due, total=total,
                               paid=due + timedelta(days=delay), id=f"{client}-{n}"))
    return records


# Five clients who pay 10 to 30 days late: a client the model knows nothing of is predicted
# late by the book alone (its open invoice is due 2024-07-20, so not yet late).
LATE_BOOK = [r for i in range(5) for r in paid_history(f"b{i}", [10, 20, 15, 12, 30, 25] * 3)]
OPEN = invoice("x", issued=date(2024, 6, 20), total="800", id="x-open")


def issued(n: int) -> date:
    return date(2023, 3, 1) + timedelta(days=30 * n)


def zero_invoices() -> list[AnyRecord]:
    """Four invoices of 0.00 (a free month): settled the day each is issued, 30 days before
    its due date."""
    return [invoice("x", issued=issued(n), total="0", id=f"x-{n}") for n in range(4)]


def credited_in_full() -> list[AnyRecord]:
    """Four invoices of 500, each cancelled by a credit note of 500 issued 90 days later (60
    days after its due date): the client paid none of them."""
    records: list[AnyRecord] = []
    for n in range(4):
        bill = invoice("x", issued=issued(n), total="500", id=f"x-{n}")
        records += [bill, credit_note("x", issued=issued(n) + timedelta(days=90), total="500",
                                      applies_to=bill, id=f"x-cn-{n}")]
    return records


def credited_in_two_parts() -> list[AnyRecord]:
    """Four invoices of 500, each cancelled by two credit notes of 250, 60 and 90 days after
    its due date: the client paid none of them."""
    records: list[AnyRecord] = []
    for n in range(4):
        bill = invoice("x", issued=issued(n), total="500", id=f"x-{n}")
        records += [bill,
                    credit_note("x", issued=issued(n) + timedelta(days=90), total="250",
                                applies_to=bill, id=f"x-cn-{n}a"),
                    credit_note("x", issued=issued(n) + timedelta(days=120), total="250",
                                applies_to=bill, id=f"x-cn-{n}b")]
    return records


@pytest.mark.parametrize("history", [zero_invoices, credited_in_full, credited_in_two_parts])
def test_invoices_the_client_never_paid_teach_the_forecast_nothing(
    history: Callable[[], list[AnyRecord]],
) -> None:
    without = forecast(ledger(*LATE_BOOK, OPEN), as_of=AS_OF)
    with_them = forecast(ledger(*LATE_BOOK, *history(), OPEN), as_of=AS_OF)
    prediction = next(f for f in with_them.invoices if f.invoice_id == "x-open")
    assert prediction.client_invoices == 0
    assert prediction.rests_on.startswith("no paid invoice of the client; ")
    # The same forecast as without them: the same history, pools, weights and weeks.
    assert with_them.history == without.history == 90
    assert with_them.invoices == without.invoices
    assert with_them.weeks == without.weeks
    assert with_them.credibility_k == without.credibility_k


@pytest.mark.parametrize(("paid", "credited", "taught"), [
    # 300 paid 10 days after due, the rest credited 60 days after: the client paid it, and
    # the replay settles it on the credit note's day (60 days late, docs/metrics/lateness.md).
    ("300", "200", 60),
    # Paid in full 10 days after due, a credit note of nothing more to settle: 10 days late.
    ("500", None, 10),
])
def test_an_invoice_the_client_paid_part_of_teaches_its_delay(
    paid: str, credited: str | None, taught: int
) -> None:
    bill = invoice("x", issued=date(2023, 3, 1), total="500", id="x-0")  # due 2023-03-31
    records: list[AnyRecord] = [
        bill, payment("x", on=date(2023, 4, 10), amount=paid, pays=bill, id="x-pay")]
    if credited is not None:
        records.append(credit_note("x", issued=date(2023, 5, 30), total=credited,
                                   applies_to=bill, id="x-cn"))
    result = forecast(ledger(*LATE_BOOK, *records, OPEN), as_of=AS_OF)
    prediction = next(f for f in result.invoices if f.invoice_id == "x-open")
    assert result.history == 91
    assert prediction.client_invoices == 1
    assert prediction.client_mean_delay == pytest.approx(taught)


def test_a_client_whose_invoices_were_only_ever_credited_is_not_flagged_expected_late() -> None:
    # The book makes x's open invoice likely late, but x never paid anything late: its four
    # late-settled invoices were cancelled by credit notes.
    policy = Policy()
    book = ledger(*LATE_BOOK, *credited_in_full(), OPEN)
    prediction = next(f for f in forecast(book, as_of=AS_OF).invoices if f.invoice_id == "x-open")
    assert prediction.p_late >= float(policy.expected_late_watch)
    assert "x" not in late_before(book, AS_OF, policy)
    assert not [f for f in expected_late(book, AS_OF, policy) if f.customer_id == "x"]
    made = review(book, as_of=AS_OF)
    assert not [f for f in made.findings() if f.signal is Signal.EXPECTED_LATE
                and f.customer_id == "x"]


def test_a_client_that_paid_one_invoice_late_is_flagged_beside_credited_ones() -> None:
    policy = Policy()
    bill = invoice("x", issued=date(2023, 12, 1), total="500", id="x-paid")  # due 2023-12-31
    book = ledger(*LATE_BOOK, *credited_in_full(), bill,
                  payment("x", on=date(2024, 1, 5), amount="500", pays=bill, id="x-pay"), OPEN)
    assert "x" in late_before(book, AS_OF, policy)
    flagged = [f for f in expected_late(book, AS_OF, policy) if f.customer_id == "x"]
    assert [f.evidence.record_ids for f in flagged] == [("x-open",)]
    assert "1 paid invoice of the client (mean +5 days" in flagged[0].message
