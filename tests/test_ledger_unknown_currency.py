"""A document in a currency the ledger does not know is rejected at the build, naming the
record and its ``currency`` field with what to do (strict: the DataError; lenient: the report),
never a crash later in ``apply()`` or the review.

The model refuses such a code (``model.Currency``), but a record copied with ``model_copy``
(or made with ``model_construct``) skips that check, and the ledger is the last gate before
the review rounds amounts to the currency's minor unit (``money.CURRENCY_EXPONENTS``)."""

from __future__ import annotations

from typing import TypeVar

import pytest

from clientguard.errors import DataError
from clientguard.model import AnyRecord, CreditNote, Invoice, Payment
from clientguard.testing import credit_note, invoice, ledger, payment

# The reason's start, as the build words it for an unknown code (the model's own words for a
# code that is not in the table, plus that its minor unit is unknown).
UNKNOWN = "is not a currency code clientguard knows"

_Doc = TypeVar("_Doc", Invoice, Payment, CreditNote)


def _in(record: _Doc, code: str) -> _Doc:
    """``record`` in the currency ``code``, skipping the model's check as model_copy does."""
    return record.model_copy(update={"currency": code})


EUR_INVOICE = invoice("a", id="I1", issued="2025-01-02", total="100")
# A USD invoice the test then moves to an unknown code, keeping its own rate (a rate does not
# make an unknown currency's minor unit known).
QQQ_INVOICE = _in(invoice("a", id="I2", issued="2025-01-02", total="100", currency="USD",
                          fx_rate="0.9"), "QQQ")

# Each case: the records, and the rejections expected (kind, id, field, what the reason says).
CASES: dict[str, tuple[list[AnyRecord], list[tuple[str, str, str, str]]]] = {
    # Before: rejected for want of a rate, on fx_rate ("give the record an fx_rate"): wrong
    # advice, a rate would not have helped.
    "invoice, no rate of its own": (
        [_in(invoice("a", id="I3", issued="2025-01-02", total="100"), "XXX")],
        [("invoice", "I3", "currency", f"'XXX' {UNKNOWN}")],
    ),
    # Before: the EUR payment's allocation to it crashed apply() ("unknown currency code").
    "invoice with its own rate, and a payment allocated to it": (
        [QQQ_INVOICE, payment("a", id="P1", on="2025-01-10", amount="50", pays=QQQ_INVOICE)],
        [("invoice", "I2", "currency", f"'QQQ' {UNKNOWN}"),
         ("payment", "P1", "allocations.0.invoice_id", "allocated to invoice I2, which is not")],
    ),
    # Before: kept, for the review to fail on. The model's hint for a lower-case code stays.
    "payment with its own rate, allocated to a EUR invoice": (
        [EUR_INVOICE,
         _in(payment("a", id="P2", on="2025-01-10", amount="50", pays=EUR_INVOICE,
                     currency="USD", fx_rate="0.9"), "usd")],
        [("payment", "P2", "currency", f"'usd' {UNKNOWN} (did you mean 'USD'?)")],
    ),
    "credit note with its own rate, allocated to a EUR invoice": (
        [EUR_INVOICE,
         _in(credit_note("a", id="C1", issued="2025-01-10", total="20", applies_to=EUR_INVOICE,
                         currency="USD", fx_rate="0.9"), "ABC")],
        [("credit_note", "C1", "currency", f"'ABC' {UNKNOWN}")],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_lenient_keeps_the_rejection_in_the_report(name: str) -> None:
    records, expected = CASES[name]
    book = ledger(*records, strict=False)
    got = [(r.kind, r.record_id, r.field, r.reason) for r in book.report.rejected]
    assert [(kind, ident, field) for kind, ident, field, _ in got] == [
        (kind, ident, field) for kind, ident, field, _ in expected]
    for (*_, reason), (*_, start) in zip(got, expected, strict=True):
        assert reason.startswith(start)
    # What to do is said (the fix is in the source's currency), and no record left is in
    # a currency the review cannot round.
    assert all("correct the currency" in r for *_, r in got if UNKNOWN in r)
    kept: list[Invoice | Payment | CreditNote] = [
        *book.invoices, *book.payments, *book.credit_notes]
    assert {d.currency for d in kept} <= {"EUR", "USD"}
    assert {d.id for d in kept} == {
        getattr(r, "id", None) for r in records} - {ident for _, ident, _, _ in expected}


@pytest.mark.parametrize("name", list(CASES))
def test_strict_lists_each_record_and_field(name: str) -> None:
    records, expected = CASES[name]
    with pytest.raises(DataError) as raised:
        ledger(*records)
    message = str(raised.value)
    for kind, ident, field, start in expected:
        assert f"{kind} {ident} (test): {field}: {start}" in message
