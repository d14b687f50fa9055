"""The invoice index a read keeps for the payments and credit notes that name invoices: by
number only where one of those streams has a column for the invoice's number (a dict of a
million entries less where none has), and the same records either way."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import clientguard as cg
from clientguard_csv import CsvConnector
from clientguard_csv.mapping import mapping_from_dict
from clientguard_csv.reading import ReadState, read_records

Write = Callable[..., Path]

READERS = ["python", pytest.param("arrow", marks=pytest.mark.skipif(
    importlib.util.find_spec("pyarrow") is None,
    reason="the columnar reader needs pyarrow (the fast extra)"))]

INVOICES = (
    "id,number,customer_id,issue_date,due_date,total,currency\n"
    "I-1,FV/1,acme,2025-01-02,2025-02-01,100.00,EUR\n"
    "I-2,FV/2,beta,2025-01-05,2025-02-04,50.00,EUR\n"
)
INVOICE_COLUMNS = {"id": "id", "number": "number", "customer_id": "customer_id",
                   "issue_date": "issue_date", "due_date": "due_date", "total": "total",
                   "currency": "currency"}
# A payment of I-1 named by its id (P-1) or its number (P-2); a credit note of I-2 likewise.
PAYMENTS_BY_ID = "id,invoice,date,amount\nP-1,I-1,2025-02-10,60.00\n"
PAYMENTS_BY_NUMBER = "id,invoice,date,amount\nP-2,FV/1,2025-02-10,60.00\n"
NOTES_BY_ID = "id,invoice,date,total\nC-1,I-2,2025-01-10,50.00\n"
NOTES_BY_NUMBER = "id,invoice,date,total\nC-2,FV/2,2025-01-10,50.00\n"


def mapping(payments_by: str, notes_by: str) -> dict[str, Any]:
    """The files' mapping, payments and credit notes naming their invoice by ``id`` or
    ``number`` (the field ``invoice_id`` or ``invoice_number``)."""
    return {
        "customers": {"columns": {"id": "id", "name": "name"}},
        "invoices": {"columns": INVOICE_COLUMNS},
        "payments": {"columns": {"id": "id", f"invoice_{payments_by}": "invoice",
                                 "date": "date", "amount": "amount"}},
        "credit_notes": {"columns": {"id": "id", f"invoice_{notes_by}": "invoice",
                                     "issue_date": "date", "total": "total"}},
    }


def sources(write: Write, payments_by: str, notes_by: str) -> dict[str, list[Path]]:
    return {
        "customers": [write("k.csv", "id,name\nacme,Acme Ltd\nbeta,Beta GmbH\n")],
        "invoices": [write("i.csv", INVOICES)],
        "payments": [write("p.csv", PAYMENTS_BY_ID if payments_by == "id"
                           else PAYMENTS_BY_NUMBER)],
        "credit_notes": [write("c.csv", NOTES_BY_ID if notes_by == "id" else NOTES_BY_NUMBER)],
    }


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize(
    ("payments_by", "notes_by", "by_number"),
    [
        ("id", "id", {}),  # nothing names an invoice by number: no index by number
        ("number", "id", {"FV/1": ("I-1", "acme", "EUR"), "FV/2": ("I-2", "beta", "EUR")}),
        ("id", "number", {"FV/1": ("I-1", "acme", "EUR"), "FV/2": ("I-2", "beta", "EUR")}),
        ("number", "number", {"FV/1": ("I-1", "acme", "EUR"),
                              "FV/2": ("I-2", "beta", "EUR")}),
    ],
)
def test_invoices_are_indexed_by_number_only_where_a_stream_names_them_so(
    write: Write, reader: str, payments_by: str, notes_by: str,
    by_number: dict[str, tuple[str, str, str]],
) -> None:
    state = ReadState()
    read = list(read_records(mapping_from_dict(mapping(payments_by, notes_by)),
                             sources(write, payments_by, notes_by), streams=("invoices",),
                             state=state, reader=reader))  # type: ignore[arg-type]
    assert [item.record.id for item in read] == ["I-1", "I-2"]  # type: ignore[union-attr]
    assert {k: tuple(v) for k, v in state.invoices_by_id.items()} == {
        "I-1": ("I-1", "acme", "EUR"), "I-2": ("I-2", "beta", "EUR")}
    assert {k: tuple(v) for k, v in state.invoices_by_number.items()} == by_number


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize(("payments_by", "notes_by"),
                         [("id", "id"), ("number", "id"), ("id", "number"),
                          ("number", "number")])
def test_payments_and_credit_notes_find_their_invoice_whichever_way_they_name_it(
    write: Write, reader: str, payments_by: str, notes_by: str,
) -> None:
    ledger = cg.Ledger.from_connector(
        CsvConnector(mapping=mapping(payments_by, notes_by), reader=reader,
                     **{name: files[0] for name, files in
                        sources(write, payments_by, notes_by).items()}),
        base_currency="EUR", strict=True)
    (payment,) = ledger.payments
    assert (payment.customer_id, payment.date, payment.amount) == (
        "acme", date(2025, 2, 10), Decimal("60.00"))
    assert [(a.invoice_id, a.amount) for a in payment.allocations] == [("I-1", Decimal("60.00"))]
    (note,) = ledger.credit_notes
    assert (note.customer_id, note.total) == ("beta", Decimal("50.00"))
    assert [(a.invoice_id, a.amount) for a in note.allocations] == [("I-2", Decimal("50.00"))]


def test_a_state_read_without_the_number_index_is_refused_by_a_mapping_that_needs_it(
    write: Write,
) -> None:
    # The state is documented for one mapping; read with another that names invoices by
    # number, its payments would all be "no invoice has the number": an error instead.
    state = ReadState()
    files = sources(write, "number", "id")
    list(read_records(mapping_from_dict(mapping("id", "id")), files, streams=("invoices",),
                      state=state))
    with pytest.raises(ValueError, match="without indexing their numbers"):
        list(read_records(mapping_from_dict(mapping("number", "id")), files,
                          streams=("payments",), state=state))
