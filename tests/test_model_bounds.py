"""The bounds of the model's numbers: what the model accepts, a review can compute with.

Every amount has fewer than 18 digits before the point (``MAX_AMOUNT_DIGITS``), every hours
figure is at most ``MAX_HOURS``, and every exchange rate is positive, at most ``MAX_RATE``
and keeps the amounts it converts within an amount's bound: so no review rounds a number
past Decimal's 28 digits (``decimal.InvalidOperation`` in ``round_money``). The rates of an
FxTable are held to the same bounds when a ledger is built with it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientguard.errors import DataError
from clientguard.fx import fx_table as fx_table_of_rows
from clientguard.fx.files import read_rates_file
from clientguard.ledger import Ledger
from clientguard.model import (
    FIRST_DATE,
    LAST_DATE,
    MAX_AMOUNT_DIGITS,
    MAX_HOURS,
    MAX_RATE,
    AnyRecord,
    CreditNote,
    Invoice,
    Payment,
)
from clientguard.money import FxTable
from clientguard.report import render
from clientguard.review import review
from clientguard.testing import (
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
AS_OF = date(2025, 6, 30)
LARGEST = "999999999999999999.99"
"""The largest amount with two decimals an amount may be (18 digits before the point)."""


def foreign_invoice(rate: str, total: str = "100.00", **kw: Any) -> Invoice:
    return invoice("acme", id="I-1", issued="2025-01-10", due="2025-02-09", total=total,
                   currency="USD", fx_rate=rate, **kw)


def foreign_payment(rate: str, amount: str = "100.00") -> Payment:
    return payment("acme", id="P-1", on="2025-02-01", amount=amount, currency="USD",
                   fx_rate=rate)


def foreign_credit_note(rate: str, total: str = "100.00") -> CreditNote:
    return credit_note("acme", id="C-1", issued="2025-02-01", total=total, currency="USD",
                       fx_rate=rate)


# ---------------------------------------------------------------- a document's own rate
# Each row: a record at a bound (accepted, and reviewed), one just past it (a DataError), the
# field the error names and a phrase of its reason.
BOUNDS: list[tuple[str, Callable[[], AnyRecord], Callable[[], object], str, str]] = [
    ("the largest rate",
     lambda: foreign_invoice(str(MAX_RATE), total="999999.99"),
     lambda: foreign_payment("1000000000000.000001"), "fx_rate",
     "is more than 1,000,000,000,000 units of the base currency per unit"),
    ("a rate of 1e30", lambda: foreign_invoice("1E+12"), lambda: foreign_invoice("1E+30"),
     "fx_rate", "no exchange rate is that large"),
    ("twenty nines", lambda: foreign_invoice("999999999999"),
     lambda: foreign_invoice("99999999999999999999"), "fx_rate",
     "is more than 1,000,000,000,000 units"),
    ("a credit note's rate", lambda: foreign_credit_note("1E+12"),
     lambda: foreign_credit_note("1E+13"), "fx_rate", "is more than 1,000,000,000,000"),
    ("the smallest rate", lambda: foreign_credit_note("0.000000000001"),
     lambda: foreign_credit_note("0.0000000000009"), "fx_rate",
     "is less than 1E-12 units of the base currency"),
    ("the largest total at a fair rate", lambda: foreign_invoice("1", total=LARGEST),
     lambda: foreign_invoice("2", total="600000000000000000"), "fx_rate",
     "converts the total of 600000000000000000 USD to 1200000000000000000 in the base "
     "currency, more than 18 digits"),
    ("the largest amount due at a fair rate",
     lambda: foreign_invoice("0.5", total=LARGEST, amount_due=LARGEST),
     lambda: foreign_invoice("1000", total="1.00", amount_due="1000000000000000"),
     "fx_rate", "converts the amount_due of 1000000000000000 USD to"),
    ("the largest payment at a rate over one",
     lambda: foreign_payment("1.000001", amount="999999000000000000"),
     lambda: foreign_payment(str(MAX_RATE), amount="1000000"), "fx_rate",
     "converts the amount of 1000000 USD to"),
    ("the largest credit note at a rate over one",
     lambda: foreign_credit_note("10", total="99999999999999999"),
     lambda: foreign_credit_note("10", total="100000000000000000"), "fx_rate",
     "converts the total of 100000000000000000 USD"),
    ("the smallest amount", lambda: foreign_invoice("1", total="0.000001"),
     lambda: foreign_invoice("1", total="0.0000009"), "total",
     "9E-7 is less than 0.000001 but not zero: no amount is that small"),
    ("a corrupt amount", lambda: invoice("acme", issued="2025-01-10", total="0E-999999"),
     lambda: invoice("acme", issued="2025-01-10", total="1E-999999"), "total",
     "1E-999999 is less than 0.000001 but not zero"),
    ("the fewest hours", lambda: time_entry("acme", on="2025-01-10", hours="0.000001"),
     lambda: time_entry("acme", on="2025-01-10", hours="1E-8"), "hours",
     "1E-8 hours is less than 0.000001 but not zero"),
]


@pytest.mark.parametrize(("fits", "past", "field", "reason"),
                         [pytest.param(*row[1:], id=row[0]) for row in BOUNDS])
def test_a_number_at_its_bound_reviews_and_one_past_it_is_a_data_error(
    fits: Callable[[], AnyRecord], past: Callable[[], object], field: str, reason: str
) -> None:
    done = review(ledger(fits()), as_of=AS_OF)
    render(done, "table")
    with pytest.raises(DataError) as caught:
        past()
    [problem] = caught.value.problems
    assert problem.field == field
    assert reason in problem.reason


# ---------------------------------------------------------------- an FxTable's rates


def test_a_table_rate_past_the_bound_is_refused_when_the_ledger_is_built() -> None:
    table = fx_table("EUR", {"USD": {"2025-01-01": "0.9", "2025-03-03": "1E+30"}})
    with pytest.raises(DataError, match=r"the FxTable's USD->EUR rate for 2025-03-03 is "
                                        r"1E\+30, outside the rates a document may carry "
                                        r"\(1E-12 to 1,000,000,000,000 units of EUR per USD\)"):
        ledger(invoice("acme", issued="2025-01-10", total="10.00"), fx=table)


@pytest.mark.parametrize("strict", [True, False])
def test_a_table_rate_that_makes_a_document_too_large_rejects_the_document(
    strict: bool,
) -> None:
    # The rate is a fair one; the document's total at it is not an amount.
    table = fx_table("EUR", {"USD": {"2025-01-10": "1000"}})
    records = [
        invoice("acme", id="I-1", issued="2025-01-10", total="1000000000000000", currency="USD"),
        invoice("acme", id="I-2", issued="2025-01-10", total="100.00", currency="USD"),
    ]
    reason = ("the FxTable's USD->EUR rate for 2025-01-10, 1000, converts 1000000000000000 USD "
              "to 1000000000000000000 EUR, more than 18 digits before the decimal point")
    if strict:
        with pytest.raises(DataError) as caught:
            ledger(*records, fx=table)
        problems = caught.value.problems
    else:
        book = ledger(*records, fx=table, strict=False)
        assert [i.id for i in book.invoices] == ["I-2"]
        problems = tuple(book.report.rejected)
        review(book, as_of=AS_OF)
    assert [(p.record_id, p.field) for p in problems] == [("I-1", "currency")]
    assert problems[0].reason.startswith(reason)


# ------------------------------------------------- any record accepted can be reviewed
# Numbers from everywhere the model allows: tiny and huge exponents, many digits, the bounds.


def _decimals(most_digits: int) -> st.SearchStrategy[Decimal]:
    coefficient = st.one_of(st.integers(0, 10**most_digits), st.integers(0, 10**30),
                            st.sampled_from([0, 1, 5, 10**18 - 1, 10**12]))
    exponent = st.one_of(st.integers(-40, 20),
                         st.sampled_from([-999_999, -1_000_000, -1_000_000_000, 17, 30]))
    return st.builds(lambda c, e: D((0, tuple(int(d) for d in str(c)), e)),
                     coefficient, exponent)


AMOUNTS = st.one_of(_decimals(20), st.sampled_from([D(LARGEST), D(0), D("0.01")]))
RATES = st.one_of(_decimals(13), st.sampled_from([MAX_RATE, D("1E-12"), D(1)]))
HOURS = st.one_of(_decimals(6), st.sampled_from([MAX_HOURS, D("0.000001")]))
DAYS = st.one_of(st.dates(date(2024, 1, 1), date(2025, 12, 31)),
                 st.sampled_from([FIRST_DATE, LAST_DATE]))
CUSTOMERS = st.sampled_from(["acme", "beta", "gamma"])
CURRENCIES = st.sampled_from(["EUR", "EUR", "USD", "JPY", "KWD"])
INVOICE_IDS = [f"I-{n}" for n in range(4)]


def _accepted(make: Callable[[], AnyRecord]) -> AnyRecord | None:
    """The record, where the model accepts what was drawn; None where it refuses it."""
    try:
        return make()
    except DataError:
        return None


@st.composite
def _invoices(draw: st.DrawFn, ident: str) -> AnyRecord | None:
    issued = draw(DAYS)
    currency = draw(CURRENCIES)
    status = draw(st.sampled_from(["open", "paid", "void", "draft"]))
    due = min(issued + timedelta(days=draw(st.integers(-10, 90))), LAST_DATE)
    paid = draw(st.none() | DAYS) if status == "paid" else None
    return _accepted(lambda: invoice(
        draw(CUSTOMERS), id=ident, issued=issued, due=due, total=draw(AMOUNTS),
        currency=currency, status=status, paid=paid,  # type: ignore[arg-type]
        amount_due=draw(st.none() | AMOUNTS), fx_rate=draw(st.none() | RATES)))


@st.composite
def _documents(draw: st.DrawFn, ident: str) -> AnyRecord | None:
    amount = draw(AMOUNTS)
    share = draw(st.sampled_from([D(0), D("0.5"), D(1)]))
    pays = {draw(st.sampled_from(INVOICE_IDS)): amount * share}
    applied = draw(st.none() | DAYS)
    if draw(st.booleans()):
        return _accepted(lambda: payment(
            draw(CUSTOMERS), id=ident, on=draw(DAYS), amount=amount, pays=pays,
            applied_on=applied, currency=draw(CURRENCIES), fx_rate=draw(st.none() | RATES)))
    return _accepted(lambda: credit_note(
        draw(CUSTOMERS), id=ident, issued=draw(DAYS), total=amount, applies_to=pays,
        applied_on=applied, currency=draw(CURRENCIES), fx_rate=draw(st.none() | RATES)))


@st.composite
def _work(draw: st.DrawFn, ident: str) -> AnyRecord | None:
    if draw(st.booleans()):
        return _accepted(lambda: time_entry(draw(CUSTOMERS), on=draw(DAYS), hours=draw(HOURS)))
    requested = draw(DAYS)
    wanted = min(max(requested + timedelta(days=draw(st.integers(-5, 30))), FIRST_DATE),
                 LAST_DATE)
    return _accepted(lambda: work_request(draw(CUSTOMERS), id=ident, requested=requested,
                                          wanted=wanted))


@st.composite
def _books(draw: st.DrawFn) -> tuple[list[AnyRecord], dict[str, dict[date, Decimal]]]:
    records: list[AnyRecord | None] = [customer(c) for c in ("acme", "beta", "gamma")]
    records += [draw(_invoices(ident)) for ident in INVOICE_IDS]
    records += [draw(_documents(f"D-{n}")) for n in range(draw(st.integers(0, 4)))]
    records += [draw(_work(f"W-{n}")) for n in range(draw(st.integers(0, 3)))]
    # The table's rates are held to the same bounds (those past them refuse the build: above).
    rates = draw(st.dictionaries(st.sampled_from(["USD", "JPY", "KWD"]), st.dictionaries(
        DAYS, RATES.filter(lambda r: D("1E-12") <= r <= MAX_RATE), max_size=3), max_size=3))
    return [r for r in records if r is not None], rates


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(book=_books(), as_of=DAYS)
def test_any_records_the_model_accepts_can_be_reviewed(
    book: tuple[list[AnyRecord], dict[str, dict[date, Decimal]]], as_of: date
) -> None:
    records, rates = book
    built = Ledger.build(records, base_currency="EUR", fx=FxTable("EUR", rates), strict=False)
    done = review(built, as_of=as_of)
    for format in ("table", "json"):
        render(done, format)
    # Every document the ledger kept has a base amount an amount may be.
    documents: list[Invoice | Payment | CreditNote] = [
        *built.invoices, *built.payments, *built.credit_notes]
    for document in documents:
        assert built.base_amount(document).adjusted() < MAX_AMOUNT_DIGITS


# -------------------------------------------------------------- fx= that is not an FxTable


@pytest.mark.parametrize(
    ("fx", "message"),
    [
        pytest.param("rates.csv", "fx must be an FxTable or None, not str 'rates.csv': to use a "
                     "rates file, read it into a table first: fx_table(read_rates_file("
                     "Path('rates.csv')), 'EUR'), with fx_table from clientguard.fx and "
                     "read_rates_file from clientguard.fx.files", id="a-path-as-text"),
        pytest.param(Path("rates.csv"), "not PosixPath PosixPath('rates.csv'): to use a rates "
                     "file, read it into a table first", id="a-path"),
        pytest.param({"USD": {date(2025, 1, 10): D("0.92")}}, "not dict {'USD': {datetime.date"
                     "(2025, 1, 10): Decimal('0.92')}}: to use rates by currency and date, make "
                     "a table of them: FxTable('EUR', {currency: {date: rate}})", id="rates"),
        pytest.param(D("0.92"), "not Decimal Decimal('0.92'): make one with FxTable(base, "
                     "{currency: {date: rate}})", id="a-rate"),
    ],
)
def test_an_fx_that_is_not_a_table_is_a_type_error_saying_how_to_make_one(
    fx: object, message: str, tmp_path: Path
) -> None:
    records = [invoice("acme", id="I-1", issued="2025-01-10", total="100.00", currency="USD")]
    with pytest.raises(TypeError) as caught:
        Ledger.build(records, base_currency="EUR", fx=fx)  # type: ignore[arg-type]
    assert message in str(caught.value)
    # The advice for a rates file works as written.
    rates = tmp_path / "rates.csv"
    rates.write_text("date,currency,base,rate\n2025-01-10,USD,EUR,0.92\n")
    book = Ledger.build(records, base_currency="EUR",
                        fx=fx_table_of_rows(read_rates_file(rates), "EUR"))
    assert book.base_amount(book.invoice("I-1")) == D("92.0000")
