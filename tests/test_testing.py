"""The public test builders: their defaults, their ids, and the forms of ``pays=``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from clientguard.errors import DataError
from clientguard.model import Allocation, CreditNote, Payment, Record, WorkRequest
from clientguard.money import FxTable
from clientguard.testing import (
    Pays,
    credit_note,
    customer,
    fx_table,
    invoice,
    ledger,
    payment,
    time_entry,
    work_request,
)

D = Decimal


# ---------------------------------------------------------------- invoice
@pytest.mark.parametrize(
    ("kwargs", "due"),
    [
        ({}, date(2025, 1, 31)),  # issued 1 Jan + 30 days
        ({"terms": 14}, date(2025, 1, 15)),
        ({"terms": 0}, date(2025, 1, 1)),
        ({"due": "2025-03-01"}, date(2025, 3, 1)),  # an explicit due date wins over terms
        ({"due": date(2025, 2, 28), "terms": 7}, date(2025, 2, 28)),
    ],
)
def test_invoice_due_date_defaults_to_issued_plus_terms(kwargs: dict[str, Any], due: date) -> None:
    assert invoice("acme", issued="2025-01-01", total="100.00", **kwargs).due_date == due


@pytest.mark.parametrize(
    ("kwargs", "status", "paid_on"),
    [
        ({}, "open", None),
        ({"paid": "2025-02-03"}, "paid", date(2025, 2, 3)),
        ({"paid": date(2025, 2, 3)}, "paid", date(2025, 2, 3)),
        ({"status": "void"}, "void", None),
        ({"status": "draft"}, "draft", None),
        ({"status": "paid"}, "paid", None),  # paid, date unknown
    ],
)
def test_invoice_status_follows_paid(
    kwargs: dict[str, Any], status: str, paid_on: date | None
) -> None:
    record = invoice("acme", issued="2025-01-01", total="100.00", **kwargs)
    assert (record.status, record.paid_on) == (status, paid_on)


def test_invoice_defaults() -> None:
    record = invoice("acme", issued="2025-01-01", total="100.00")
    assert record.id == "acme/2025-01-01/100.00"
    assert record.number == record.id
    assert record.customer_id == "acme"
    assert record.issue_date == date(2025, 1, 1)
    assert record.currency == "EUR"
    assert record.total == D("100.00")
    assert record.source == "test"
    assert (record.amount_due, record.fx_rate, record.updated_at) == (None, None, None)


def test_ids_derived_from_arguments_are_stable_and_distinct() -> None:
    one = invoice("acme", issued="2025-01-01", total="100.00")
    # The same call gives the same record, so a test can build it twice.
    assert invoice("acme", issued=date(2025, 1, 1), total="100.00") == one
    assert invoice("acme", issued="2025-01-02", total="100.00").id != one.id
    assert invoice("acme", issued="2025-01-01", total="100.01").id != one.id
    assert invoice("beta", issued="2025-01-01", total="100.00").id != one.id
    assert invoice("acme", issued="2025-01-01", total="100.00", id="INV-7").id == "INV-7"


@pytest.mark.parametrize(
    ("record", "expected_id"),
    [
        (payment("acme", on="2025-02-10", amount="100.00"), "pay/acme/2025-02-10/100.00"),
        (credit_note("acme", issued="2025-02-10", total="10.00"), "cn/acme/2025-02-10/10.00"),
        (work_request("acme", requested="2025-01-02", lead_days=1),
         "req/acme/2025-01-02/2025-01-03"),
        (work_request("acme", requested="2025-01-02", wanted="2025-01-01"),
         "req/acme/2025-01-02/2025-01-01"),
    ],
)
def test_other_builders_derive_ids_from_their_arguments(
    record: Payment | CreditNote | WorkRequest, expected_id: str
) -> None:
    assert record.id == expected_id


def test_customer_defaults() -> None:
    record = customer("acme")
    assert (record.id, record.name, record.group_id, record.source) == (
        "acme", "Acme", None, "test",
    )
    assert customer("acme-de", "Acme GmbH", group="acme").group_id == "acme"
    assert customer("acme-de", "Acme GmbH").name == "Acme GmbH"


# ---------------------------------------------------------------- what a payment pays
INV_A = invoice("acme", id="A", issued="2025-01-01", total="100.00")
INV_B = invoice("acme", id="B", issued="2025-01-01", total="50.00")


@pytest.mark.parametrize(
    ("amount", "pays", "allocations"),
    [
        # one invoice: in full, up to the amount
        ("100.00", INV_A, [("A", "100.00")]),
        ("150.00", INV_A, [("A", "100.00")]),  # 50.00 left unapplied
        ("60.00", INV_A, [("A", "60.00")]),  # part payment
        # a list of (invoice or id, amount) pairs
        ("80.00", [(INV_A, "30.00"), ("B", "50.00")], [("A", "30.00"), ("B", "50.00")]),
        # a mapping of invoice id to amount
        ("15.00", {"A": "10.00", "B": "5.00"}, [("A", "10.00"), ("B", "5.00")]),
        # an invoice id alone: the whole amount (the builder does not know its total)
        ("150.00", "A", [("A", "150.00")]),
        ("15.00", None, []),
    ],
)
def test_pays_forms(amount: str, pays: Pays, allocations: list[tuple[str, str]]) -> None:
    record = payment("acme", on="2025-02-01", amount=amount, pays=pays)
    assert [(a.invoice_id, a.amount) for a in record.allocations] == [
        (i, D(a)) for i, a in allocations
    ]
    assert all(a.date is None for a in record.allocations)
    # A credit note takes the same forms.
    note = credit_note("acme", issued="2025-02-01", total=amount, applies_to=pays)
    assert note.allocations == record.allocations


@pytest.mark.parametrize(
    ("pays", "says"),
    [
        # A list of ids without amounts: item 0 is no pair (it was "not enough values to
        # unpack" from inside the builder).
        (["A", "B"], "pays: item 0 is 'A', not an (invoice or id, amount) pair"),
        ([("A", "10.00", "x")], "pays: item 0 is ('A', '10.00', 'x'), not an"),
        ([INV_A], "pays: item 0 is Invoice("),
        (42, "pays: 42 is a int; pays takes an Invoice, an invoice id, a list of"),
        ([(7, "10.00")], "pays: 7 names no invoice (an Invoice or an invoice id)"),
    ],
)
def test_pays_in_another_form_says_which_forms_it_takes(pays: object, says: str) -> None:
    with pytest.raises(TypeError) as caught:
        payment("acme", on="2025-02-01", amount="10.00", pays=pays)  # type: ignore[arg-type]
    assert str(caught.value).startswith(says)
    with pytest.raises(TypeError) as caught:
        credit_note("acme", issued="2025-02-01", total="10.00",
                    applies_to=pays)  # type: ignore[arg-type]
    assert str(caught.value).startswith(says.replace("pays", "applies_to"))


@pytest.mark.parametrize(
    ("refunded", "says"),
    [
        (["2025-02-03", "5.00"], "refunded: item 0 is '2025-02-03', not a (date, amount) pair"),
        ({"2025-02-03": "5.00"}, "refunded: {'2025-02-03': '5.00'} is a dict"),
    ],
)
def test_refunded_in_another_form_says_which_forms_it_takes(refunded: object, says: str) -> None:
    with pytest.raises(TypeError) as caught:
        credit_note("acme", issued="2025-02-01", total="10.00",
                    refunded=refunded)  # type: ignore[arg-type]
    assert str(caught.value).startswith(says)


def test_a_float_refund_is_the_models_error() -> None:
    # It was "'float' object is not iterable" from inside the builder.
    with pytest.raises(DataError) as caught:
        credit_note("acme", issued="2025-02-01", total="10.00",
                    refunded=2.5)  # type: ignore[arg-type]
    (problem,) = caught.value.problems
    assert (problem.field, "is a float" in problem.reason) == ("refunds.0.amount", True)


def test_pays_an_invoice_in_another_currency_allocates_the_whole_payment() -> None:
    # The invoice's 100.00 is USD; the payment's 95.00 is EUR: no cap across currencies.
    usd = invoice("acme", id="U", issued="2025-01-01", total="100.00", currency="USD")
    record = payment("acme", on="2025-02-01", amount="95.00", pays=usd, currency="EUR")
    assert record.allocations == (Allocation(invoice_id="U", amount=D("95.00")),)
    jpy = payment("acme", on="2025-02-01", amount="15000", currency="JPY", pays=usd)
    assert jpy.allocations[0].amount == D(15000)


def test_applied_on_dates_every_allocation() -> None:
    record = payment("acme", on="2025-02-01", amount="150.00", pays=[(INV_A, "100"), (INV_B, "50")],
                     applied_on="2025-02-05")
    assert [a.date for a in record.allocations] == [date(2025, 2, 5)] * 2
    assert record.date == date(2025, 2, 1)


def test_payment_defaults() -> None:
    record = payment("acme", on="2025-02-01", amount=100)
    assert (record.amount, record.currency, record.fx_rate, record.source) == (
        D(100), "EUR", None, "test",
    )


# ---------------------------------------------------------------- time and work requests
def test_time_entry_builder() -> None:
    record = time_entry("acme", on="2025-01-02", hours="7.5", person="ann", billable=True)
    assert (record.customer_id, record.date, record.hours, record.person, record.billable) == (
        "acme", date(2025, 1, 2), D("7.5"), "ann", True,
    )


@pytest.mark.parametrize(
    ("kwargs", "wanted_by"),
    [
        ({"lead_days": 0}, date(2025, 1, 2)),
        ({"lead_days": 5}, date(2025, 1, 7)),
        ({"lead_days": -1}, date(2025, 1, 1)),
        ({"wanted": "2025-01-20"}, date(2025, 1, 20)),
    ],
)
def test_work_request_wanted_by(kwargs: dict[str, Any], wanted_by: date) -> None:
    assert work_request("acme", requested="2025-01-02", **kwargs).wanted_by == wanted_by


def test_work_request_needs_a_wanted_date() -> None:
    with pytest.raises(TypeError, match="wanted= or lead_days="):
        work_request("acme", requested="2025-01-02")


# ---------------------------------------------------------------- fx and ledger
def test_fx_table_builder() -> None:
    table = fx_table("EUR", {"USD": {"2025-01-03": "0.965", date(2025, 1, 6): D("0.958")}},
                     max_staleness_days=3)
    assert table == FxTable("EUR", {"USD": {date(2025, 1, 3): D("0.965"),
                                            date(2025, 1, 6): D("0.958")}}, 3)


def test_ledger_builder_defaults_to_eur_and_strict() -> None:
    built = ledger(INV_A)
    assert built.base_currency == "EUR"
    other_a = INV_A.model_copy(update={"total": INV_A.total + 1})  # INV_A's id, other total
    with pytest.raises(DataError):
        ledger(INV_A, other_a)
    assert len(ledger(INV_A, other_a, strict=False).report.rejected) == 1
    assert ledger(base_currency="PLN").base_currency == "PLN"


@pytest.mark.parametrize(
    ("make", "kind", "field"),
    [
        # Floats on purpose: the builders must refuse them with the model's error.
        (lambda: invoice("acme", issued="2025-01-01", total=100.0),  # type: ignore[arg-type]
         "invoice", "total"),
        (lambda: payment("acme", on="2025-01-01", amount=100.0),  # type: ignore[arg-type]
         "payment", "amount"),
        (lambda: payment("acme", on="2025-01-01", amount=100.0,  # type: ignore[arg-type]
                         pays=INV_A), "payment", "amount"),
        (lambda: credit_note("acme", issued="2025-01-01", total=1.5),  # type: ignore[arg-type]
         "credit_note", "total"),
        (lambda: invoice("acme", issued="2025-01-01", total="1",
                         fx_rate=0.9),  # type: ignore[arg-type]
         "invoice", "fx_rate"),
    ],
)
def test_builders_refuse_floats_with_the_models_error(
    make: Callable[[], Record], kind: str, field: str
) -> None:
    with pytest.raises(DataError) as caught:
        make()
    (problem,) = caught.value.problems
    assert (problem.kind, problem.field) == (kind, field)
    assert "is a float" in problem.reason
