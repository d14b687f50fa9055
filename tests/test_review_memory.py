"""What the ledger and the review keep compactly (issue 21: the review's memory) reads as
before.

An invoice's applications are kept as the ledger holds them (a payment or credit note whose
one allocation in the invoice's currency is the invoice's one application is kept as the
document itself; one application without a tuple): ``Ledger.applications`` gives the same
``Application`` values whichever form holds them, and the replay settles alike. The review's
results made without validation keep only their values, in one table of field names a model;
equal values the review computes are held once (the laws' fixed sums, a base-currency
invoice's amounts in the base currency, the replay's days paid early). The review costs its
late invoices from the replay's rows, as their settlements would cost them.
"""

from __future__ import annotations

import pickle
import sys
from datetime import date
from decimal import Decimal

import pytest

from clientguard.ledger import Application, Ledger
from clientguard.metrics.cost import lateness_costs
from clientguard.metrics.cost.compensation import fixed_compensation
from clientguard.metrics.cost.lateness_costs import _lateness_costs
from clientguard.model import Invoice, Payment
from clientguard.policy import Policy
from clientguard.review import _late_rows
from clientguard.sample import SAMPLE_AS_OF, sample_ledger
from clientguard.settlement import Settlement, replay, settle
from clientguard.testing import credit_note, fx_table, invoice, ledger, payment

D = Decimal


def _book() -> Ledger:
    a1 = invoice("acme", issued="2025-01-01", total="100.00", id="A1", due="2025-01-31")
    a2 = invoice("acme", issued="2025-01-02", total="100.00", id="A2", due="2025-02-01")
    a3 = invoice("acme", issued="2025-01-03", total="300.00", id="A3", due="2025-02-02")
    u1 = invoice("acme", issued="2025-01-04", total="50.00", id="U1", currency="USD",
                 due="2025-02-03")
    return ledger(
        a1, a2, a3, u1,
        # A1: one payment, its one allocation, no date of its own: on the payment's date.
        payment("acme", on="2025-02-10", amount="100.00", pays=a1, id="P1"),
        # A2: one credit note, dated later than the note: counted on the allocation's date.
        credit_note("acme", issued="2025-01-20", total="100.00", applies_to=a2,
                    applied_on="2025-01-25", id="C1"),
        # A3: two payments, one of them also paying U1 (two allocations: not the document).
        payment("acme", on="2025-02-20", amount="120.00", pays=a3, id="P2"),
        payment("acme", on="2025-02-05", amount="180.00", id="P3",
                pays=[(a3, D("180.00"))]),
        # U1: a EUR payment to a USD invoice, converted: an application of its own.
        payment("acme", on="2025-02-04", amount="46.00", pays=u1, id="P4"),
        fx=fx_table("EUR", {"USD": {"2025-01-04": "0.92", "2025-02-04": "0.92"}}),
    )


@pytest.mark.parametrize(
    ("invoice_id", "expected"),
    [
        ("A1", [Application("A1", date(2025, 2, 10), D("100.00"), "payment", "P1",
                            D("100.00"))]),
        ("A2", [Application("A2", date(2025, 1, 25), D("100.00"), "credit_note", "C1",
                            D("100.00"))]),
        ("A3", [
            Application("A3", date(2025, 2, 5), D("180.00"), "payment", "P3", D("180.00")),
            Application("A3", date(2025, 2, 20), D("120.00"), "payment", "P2", D("120.00")),
        ]),
        ("U1", [Application("U1", date(2025, 2, 4), D("50.00"), "payment", "P4",
                            D("46.00"))]),
    ],
)
def test_applications_read_alike_whatever_form_the_ledger_keeps_them_in(
    invoice_id: str, expected: list[Application]
) -> None:
    book = _book()
    got = book.applications(invoice_id)
    assert isinstance(got, tuple)
    assert list(got) == expected
    assert all(type(a) is Application for a in got)
    # Asked twice, the same values (a held document gives a new, equal Application).
    assert book.applications(invoice_id) == got
    # A pickled copy reads alike.
    assert pickle.loads(pickle.dumps(book)).applications(invoice_id) == got


def test_the_replay_settles_each_form_of_application() -> None:
    rows = {row.invoice.id: row for row in replay(_book(), as_of=date(2025, 3, 1))}
    assert rows["A1"].settled_on == date(2025, 2, 10)
    assert rows["A1"].late_amount_days == D("1000.00")  # 100.00 x 10 days past due
    assert rows["A2"].settled_on == date(2025, 1, 25)
    assert rows["A2"].late_amount_days == 0  # a credit note: no money the client kept
    assert rows["A3"].settled_on == date(2025, 2, 20)
    assert rows["A3"].days_late == 18
    assert rows["U1"].settled_on == date(2025, 2, 4)
    assert rows["U1"].days_late == 1
    # As of a day before the one payment of A1, nothing is applied to it yet.
    early = {row.invoice.id: row for row in replay(_book(), as_of=date(2025, 2, 9))}
    assert early["A1"].status == "open"
    assert early["A1"].open_balance == D("100.00")


def test_an_allocation_dated_before_its_payment_counts_from_the_payment() -> None:
    a1 = invoice("acme", issued="2025-01-01", total="100.00", id="A1", due="2025-01-31")
    book = ledger(a1, payment("acme", on="2025-02-10", amount="100.00", pays=a1, id="P1",
                              applied_on="2025-02-01"))
    (application,) = book.applications("A1")
    assert application.date == date(2025, 2, 1)  # as the source dates the allocation
    (row,) = replay(book, as_of=date(2025, 3, 1))
    assert row.settled_on == date(2025, 2, 10)
    assert row.dates_adjusted
    notes = settle(book, as_of=date(2025, 3, 1))["A1"].notes
    assert any("before the payment itself" in note for note in notes)


def test_results_made_without_validation_keep_only_their_values() -> None:
    book = _book()
    settlement = settle(book, as_of=date(2025, 3, 1))["A3"]
    validated = Settlement.model_validate(settlement.model_dump())
    assert settlement == validated
    assert list(settlement.__dict__) == list(validated.__dict__)
    assert settlement.model_dump_json() == validated.model_dump_json()
    # The values alone: smaller than the dict of its own validation gives.
    assert sys.getsizeof(settlement.__dict__) < sys.getsizeof(validated.__dict__)
    # A copy with a change is a model of its own; the original is left as it was.
    notes = settlement.notes
    assert notes  # the source marks it open: the replay's note
    copied = settlement.model_copy(update={"notes": ("checked",)})
    assert copied.notes == ("checked",)
    assert settlement.notes == notes


def test_equal_sums_the_costs_compute_are_held_once() -> None:
    due = date(2025, 1, 31)
    first = invoice("acme", issued="2025-01-01", due=due, total="100.00", id="E1")
    second = invoice("beta", issued="2025-01-01", due=due, total="200.00", id="E2")
    book = ledger(first, second)
    costs = lateness_costs(book, as_of=date(2025, 3, 1), policy=Policy(jurisdiction="eu"))
    (one,), (two,) = costs["acme"].invoices, costs["beta"].invoices
    assert one.compensation is not None
    assert two.compensation is not None
    assert one.compensation.amount == two.compensation.amount == D(40)
    assert one.compensation.amount is two.compensation.amount
    assert one.compensation.statutory_amount is one.compensation.amount
    # A base-currency invoice's amounts in the base currency are its own amounts.
    assert one.financing_cost_base is one.financing_cost
    assert one.statutory_interest is not None
    assert one.statutory_interest_base is one.statutory_interest.amount
    # The public function gives the same sums, as validation makes them.
    checked = fixed_compensation(jurisdiction="eu", amount=D("100.00"), currency="EUR",
                                 due_date=due)
    assert checked == one.compensation


def test_a_foreign_invoice_s_base_amounts_are_converted() -> None:
    due = date(2025, 1, 31)
    foreign = invoice("acme", issued="2025-01-01", due=due, total="100.00", id="F1",
                      currency="USD", fx_rate="0.5")
    costs = lateness_costs(ledger(foreign), as_of=date(2025, 3, 1),
                           policy=Policy(jurisdiction="eu"))
    (cost,) = costs["acme"].invoices
    assert cost.financing_cost_base == cost.financing_cost * D("0.5")
    assert cost.statutory_interest is not None
    assert cost.statutory_interest_base == cost.statutory_interest.amount * D("0.5")


def test_days_paid_early_are_one_int_a_number() -> None:
    records: list[Invoice | Payment] = []
    for n in range(3):
        bill = invoice("acme", issued="2025-01-01", due="2025-12-31", total="10.00",
                       id=f"I{n}")
        records += [bill, payment("acme", on="2025-01-02", amount="10.00", pays=bill,
                                  id=f"P{n}")]
    rows = replay(ledger(*records), as_of=date(2025, 3, 1))
    assert [row.days_beyond_terms for row in rows] == [-363, -363, -363]
    assert rows[0].days_beyond_terms is rows[1].days_beyond_terms is rows[2].days_beyond_terms


@pytest.mark.parametrize("as_of", [SAMPLE_AS_OF, date(2024, 11, 5)])
@pytest.mark.parametrize("jurisdiction", ["eu", "pl", "uk"])
def test_the_review_costs_its_late_invoices_as_their_settlements_would(
    as_of: date, jurisdiction: str
) -> None:
    book = sample_ledger(seed=3)
    policy = Policy(jurisdiction=jurisdiction)
    rows = replay(book, as_of=as_of, policy=policy)
    fast = _lateness_costs(book, as_of, policy, _late_rows(rows, as_of=as_of, policy=policy),
                           None)
    public = lateness_costs(book, as_of=as_of, policy=policy)
    assert fast
    assert list(fast) == list(public)
    for customer, cost in public.items():
        assert fast[customer].model_dump_json() == cost.model_dump_json()
