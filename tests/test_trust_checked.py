"""Records made from values a connector checked (``trust.checked_record_in_order``, and
``checked_records_in_order`` for a block of them): the very records validation makes from the
same values, and nothing made from values of the wrong number."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from clientguard.model import (
    Allocation,
    CreditNote,
    Customer,
    Invoice,
    Payment,
    Record,
    TimeEntry,
    WorkRequest,
)
from clientguard.trust import checked_record, checked_record_in_order, checked_records_in_order

PART = Allocation(invoice_id="I1", amount=Decimal("40.00"))

#: Each model, with the values given to it (some fields left at their defaults).
GIVEN: list[tuple[type[Record], dict[str, Any]]] = [
    (Invoice, {"id": "I1", "customer_id": "c1", "number": "N1", "issue_date": date(2025, 5, 1),
               "due_date": date(2025, 5, 31), "currency": "EUR", "total": Decimal("100.50"),
               "status": "paid", "paid_on": date(2025, 5, 20), "amount_due": Decimal("0.00"),
               "fx_rate": Decimal("1.10"), "disputed": False, "disputed_on": None,
               "source": "csv"}),
    (Payment, {"id": "P1", "customer_id": "c1", "date": date(2025, 5, 20),
               "amount": Decimal("60.00"), "currency": "EUR", "allocations": (PART,),
               "fx_rate": None, "source": "csv"}),
    (Allocation, {"invoice_id": "I1", "amount": Decimal("5")}),
    (Customer, {"id": "c1", "name": "Acme", "source": "csv",
                "updated_at": datetime(2025, 5, 3, tzinfo=UTC)}),
    (CreditNote, {"id": "K1", "customer_id": "c1", "issue_date": date(2025, 5, 2),
                  "total": Decimal("40.00"), "currency": "EUR", "allocations": (PART,),
                  "source": "csv"}),
    (TimeEntry, {"customer_id": "c1", "date": date(2025, 5, 3), "hours": Decimal("1.25"),
                 "source": "csv"}),
    (WorkRequest, {"id": "W1", "customer_id": "c1", "requested_on": date(2025, 5, 3),
                   "wanted_by": date(2025, 5, 4), "source": "csv"}),
]


@pytest.mark.parametrize(("model", "given"), GIVEN, ids=lambda g: getattr(g, "__name__", ""))
def test_a_record_made_from_checked_values_in_order_is_the_one_validation_makes(
    model: type[Record], given: dict[str, Any]
) -> None:
    validated = model(**given)
    values = tuple(validated.__dict__.values())  # every field, in the model's order
    made = checked_record_in_order(model, values, set(given))
    assert type(made) is model
    assert made == validated
    assert list(made.__dict__) == list(model.model_fields)
    assert [(type(v), repr(v)) for v in made.__dict__.values()] == [
        (type(v), repr(v)) for v in validated.__dict__.values()]
    assert made.model_fields_set == validated.model_fields_set == set(given)
    assert made.model_dump_json() == validated.model_dump_json()
    # ... and the record checked_record makes of the same values by name.
    by_name = checked_record(model, dict(validated.__dict__), set(given))
    assert made.__dict__ == by_name.__dict__
    if sys.implementation.name == "cpython":  # only the values: the names are shared
        assert sys.getsizeof(made.__dict__) == sys.getsizeof(by_name.__dict__)


@pytest.mark.parametrize(("model", "given"), GIVEN, ids=lambda g: getattr(g, "__name__", ""))
def test_a_block_of_records_made_from_checked_values_is_each_one_made_alone(
    model: type[Record], given: dict[str, Any]
) -> None:
    validated = [model(**given), model(**given)]
    rows = [tuple(record.__dict__.values()) for record in validated]
    fields_set = set(given)
    block = checked_records_in_order(model, rows, fields_set)
    alone = [checked_record_in_order(model, values, fields_set) for values in rows]
    assert block == alone == validated
    assert [r.__dict__ for r in block] == [r.__dict__ for r in alone]
    assert all(type(r) is model and r.model_fields_set == fields_set for r in block)
    assert [r.model_dump_json() for r in block] == [r.model_dump_json() for r in validated]
    assert checked_records_in_order(model, [], fields_set) == []


@pytest.mark.parametrize("values", [
    ("I1", Decimal("5")),  # one short
    ("I1", Decimal("5"), None, None),  # one too many
])
def test_values_not_one_a_field_make_no_record(values: tuple[Any, ...]) -> None:
    with pytest.raises(ValueError, match="unpack"):
        checked_record_in_order(Allocation, values, {"invoice_id", "amount"})
    with pytest.raises(ValueError, match="unpack"):
        checked_records_in_order(Allocation, [("I0", Decimal("1")), values],
                                 {"invoice_id", "amount"})
