"""The common model: bad input is a DataError naming the record and the field, never a raw
pydantic ValidationError; good input is kept exactly (Decimal, UTC)."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from clientguard.errors import DataError
from clientguard.ledger import Ledger, Rejection
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
from clientguard.testing import fx_table, invoice, ledger, payment

D = Decimal
SRC = "xero"


def good_invoice(**change: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "id": "INV-1", "customer_id": "acme", "number": "2025/001",
        "issue_date": date(2025, 1, 10), "due_date": date(2025, 2, 9), "currency": "EUR",
        "total": D("1230.00"), "status": "open", "source": SRC,
    }
    fields.update(change)
    return fields


def good_payment(**change: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "id": "PAY-1", "customer_id": "acme", "date": date(2025, 2, 1), "amount": D("100.00"),
        "currency": "EUR", "source": SRC,
    }
    fields.update(change)
    return fields


def good_credit_note(**change: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "id": "CN-1", "customer_id": "acme", "issue_date": date(2025, 2, 1),
        "total": D("50.00"), "currency": "EUR", "source": SRC,
    }
    fields.update(change)
    return fields


def inv(ident: str = "INV-1", total: str = "100.00", currency: str = "EUR",
        **kw: object) -> Invoice:
    return invoice("acme", id=ident, issued="2025-01-10", total=total, currency=currency,
                   source=SRC, **kw)  # type: ignore[arg-type]


def build(*records: object, **kw: object) -> Ledger:
    return Ledger.build(records, base_currency="EUR", **kw)  # type: ignore[arg-type]


# Each row: how the bad input is made, the record the error must name (kind, source, id),
# the field it must name, and a phrase of the reason. Record rules are checked when the record
# is made, rules between records by Ledger.build; both raise the same DataError.
BAD_INPUT: list[tuple[str, Callable[[], object], tuple[str, str, str | None], str, str]] = [
    ("float total", lambda: Invoice(**good_invoice(total=1230.0)),
     ("invoice", SRC, "INV-1"), "total", "is a float"),
    ("float payment amount", lambda: Payment(**good_payment(amount=99.99)),
     ("payment", SRC, "PAY-1"), "amount", "is a float"),
    ("float fx_rate", lambda: Invoice(**good_invoice(currency="USD", fx_rate=0.92)),
     ("invoice", SRC, "INV-1"), "fx_rate", "is a float"),
    ("float amount_due", lambda: Invoice(**good_invoice(amount_due=10.5)),
     ("invoice", SRC, "INV-1"), "amount_due", "is a float"),
    ("float allocation amount",
     lambda: Payment(**good_payment(allocations=[{"invoice_id": "INV-1", "amount": 10.0}])),
     ("payment", SRC, "PAY-1"), "allocations.0.amount", "is a float"),
    ("NaN total", lambda: Invoice(**good_invoice(total=D("NaN"))),
     ("invoice", SRC, "INV-1"), "total", "not a finite number"),
    ("NaN as text", lambda: Invoice(**good_invoice(total="nan")),
     ("invoice", SRC, "INV-1"), "total", "not a finite number"),
    ("infinite payment", lambda: Payment(**good_payment(amount=D("Infinity"))),
     ("payment", SRC, "PAY-1"), "amount", "not a finite number"),
    ("infinite credit", lambda: CreditNote(**good_credit_note(total="-Infinity")),
     ("credit_note", SRC, "CN-1"), "total", "not a finite number"),
    ("negative total", lambda: Invoice(**good_invoice(total=D("-1230.00"))),
     ("invoice", SRC, "INV-1"), "total", "is negative"),
    ("negative payment", lambda: Payment(**good_payment(amount="-0.01")),
     ("payment", SRC, "PAY-1"), "amount", "is negative"),
    ("negative allocation",
     lambda: Payment(**good_payment(allocations=[{"invoice_id": "INV-1", "amount": "-5"}])),
     ("payment", SRC, "PAY-1"), "allocations.0.amount", "is negative"),
    ("a total of 10^18", lambda: Invoice(**good_invoice(total="1000000000000000000.00")),
     ("invoice", SRC, "INV-1"), "total", "more than 18 digits before the decimal point"),
    ("an amount due in exponent form", lambda: Invoice(**good_invoice(amount_due="1E+30")),
     ("invoice", SRC, "INV-1"), "amount_due", "more than 18 digits"),
    ("a huge allocation",
     lambda: Payment(**good_payment(allocations=[{"invoice_id": "INV-1", "amount": "1E+26"}])),
     ("payment", SRC, "PAY-1"), "allocations.0.amount", "more than 18 digits"),
    ("zero rate", lambda: Payment(**good_payment(currency="USD", fx_rate="0")),
     ("payment", SRC, "PAY-1"), "fx_rate", "not a positive rate"),
    ("lower-case currency", lambda: Invoice(**good_invoice(currency="eur")),
     ("invoice", SRC, "INV-1"), "currency", "did you mean 'EUR'"),
    ("unknown currency", lambda: Payment(**good_payment(currency="XYZ")),
     ("payment", SRC, "PAY-1"), "currency", "not an upper-case ISO 4217"),
    ("currency name", lambda: CreditNote(**good_credit_note(currency="EURO")),
     ("credit_note", SRC, "CN-1"), "currency", "not an upper-case ISO 4217"),
    ("paid_on on an open invoice", lambda: Invoice(**good_invoice(paid_on=date(2025, 2, 1))),
     ("invoice", SRC, "INV-1"), "paid_on", "status is 'open'"),
    ("unknown status", lambda: Invoice(**good_invoice(status="overdue")),
     ("invoice", SRC, "INV-1"), "status", "'draft', 'open', 'paid' or 'void'"),
    ("allocations over the payment",
     lambda: Payment(**good_payment(allocations=[{"invoice_id": "A", "amount": "60.00"},
                                                 {"invoice_id": "B", "amount": "40.01"}])),
     ("payment", SRC, "PAY-1"), "allocations", "allocations sum to 100.01, more than the payment"),
    ("allocations over the credit note",
     lambda: CreditNote(**good_credit_note(allocations=[{"invoice_id": "A", "amount": "50.01"}])),
     ("credit_note", SRC, "CN-1"), "allocations", "more than the credit note total of 50.00"),
    ("naive updated_at on an invoice",
     lambda: Invoice(**good_invoice(updated_at=datetime(2025, 1, 10, 9, 30))),
     ("invoice", SRC, "INV-1"), "updated_at", "timezone"),
    ("naive updated_at on a customer",
     lambda: Customer(id="acme", name="Acme", source=SRC,
                      updated_at=datetime(2025, 1, 10)),
     ("customer", SRC, "acme"), "updated_at", "timezone"),
    ("a placeholder due date",
     lambda: Invoice(**good_invoice(due_date=date(9999, 12, 31))),
     ("invoice", SRC, "INV-1"), "due_date", "9999-12-31 is outside the dates a record may carry"),
    ("Excel's empty date", lambda: Invoice(**good_invoice(issue_date=date(1899, 12, 30))),
     ("invoice", SRC, "INV-1"), "issue_date", "1899-12-30 is outside the dates"),
    ("a payment at the calendar's start", lambda: Payment(**good_payment(date=date(1, 1, 1))),
     ("payment", SRC, "PAY-1"), "date", "0001-01-01 is outside the dates"),
    ("an allocation dated past the bound",
     lambda: Payment(**good_payment(allocations=[{"invoice_id": "INV-1", "amount": "5",
                                                  "date": date(3000, 1, 1)}])),
     ("payment", SRC, "PAY-1"), "allocations.0.date", "3000-01-01 is outside the dates"),
    ("1e27 hours", lambda: TimeEntry(customer_id="acme", date=date(2025, 1, 2), hours="1e27",
                                     source=SRC),
     ("time_entry", SRC, None), "hours", "more than one entry can hold (at most 100,000)"),
    ("a work request wanted in 9999",
     lambda: WorkRequest(id="W-1", customer_id="acme", requested_on=date(2025, 1, 2),
                         wanted_by=date(9999, 12, 31), source=SRC),
     ("work_request", SRC, "W-1"), "wanted_by", "outside the dates"),
    ("unknown field", lambda: Invoice(**good_invoice(colour="red")),
     ("invoice", SRC, "INV-1"), "colour", "is not a field of this record"),
    ("unknown field in an allocation",
     lambda: Payment(**good_payment(allocations=[{"invoice_id": "A", "amount": "1", "x": 1}])),
     ("payment", SRC, "PAY-1"), "allocations.0.x", "is not a field of this record"),
    ("missing field", lambda: Invoice(**{k: v for k, v in good_invoice().items() if k != "total"}),
     ("invoice", SRC, "INV-1"), "total", "is required"),
    ("empty id", lambda: Invoice(**good_invoice(id="")),
     ("invoice", SRC, ""), "id", "at least 1 character"),
    ("negative hours",
     lambda: TimeEntry(customer_id="acme", date=date(2025, 1, 10), hours="-1", source=SRC),
     ("time_entry", SRC, None), "hours", "is negative"),
    ("duplicate ids in one source",
     lambda: build(inv("INV-1"), inv("INV-1", total="200.00")),
     ("invoice", SRC, "INV-1"), "id", "duplicate id"),
    ("duplicate payment ids",
     lambda: build(payment("acme", id="PAY-1", on="2025-02-01", amount="5", source=SRC),
                   payment("acme", id="PAY-1", on="2025-02-02", amount="6", source=SRC)),
     ("payment", SRC, "PAY-1"), "id", "duplicate id"),
    ("allocation to a missing invoice",
     lambda: build(inv("INV-1"), payment("acme", id="PAY-1", on="2025-02-01", amount="100.00",
                                          pays={"INV-404": "100.00"}, source=SRC)),
     ("payment", SRC, "PAY-1"), "allocations.0.invoice_id", "invoice INV-404, which is not"),
    ("allocations over the invoice",
     lambda: build(inv("INV-1"),
                   payment("acme", id="PAY-1", on="2025-02-01", amount="60.00",
                           pays={"INV-1": "60.00"}, source=SRC),
                   payment("acme", id="PAY-2", on="2025-02-02", amount="40.01",
                           pays={"INV-1": "40.01"}, source=SRC)),
     ("payment", SRC, "PAY-2"), "allocations.0.amount", "add up to 100.01 EUR, more than its"),
    ("credit over the invoice",
     lambda: build(inv("INV-1"),
                   CreditNote(**good_credit_note(
                       total="100.01", allocations=[{"invoice_id": "INV-1", "amount": "100.01"}]))),
     ("credit_note", SRC, "CN-1"), "allocations.0.amount", "more than its total of 100.00"),
    ("payment in another currency, no rate",
     lambda: build(inv("INV-1"), payment("acme", id="PAY-1", on="2025-02-01", amount="100.00",
                                          currency="USD", pays={"INV-1": "100.00"}, source=SRC)),
     ("payment", SRC, "PAY-1"), "fx_rate", "USD is not the base currency EUR and there is no rate"),
    ("payment in another currency, no rate on the allocation date",
     lambda: build(inv("INV-1"),
                   payment("acme", id="PAY-1", on="2025-02-03", amount="100.00", currency="USD",
                           pays={"INV-1": "90.00"}, applied_on="2025-03-03", source=SRC),
                   fx=fx_table("EUR", {"USD": {"2025-02-03": "0.96"}})),
     ("payment", SRC, "PAY-1"), "allocations.0.amount", "with no rate for USD on 2025-03-03"),
    ("invoice in another currency, rate too old",
     lambda: build(inv("INV-1", currency="USD"), fx=fx_table("EUR", {"USD": {"2025-01-01": "1"}})),
     ("invoice", SRC, "INV-1"), "currency", "no USD->EUR rate for 2025-01-10"),
]


@pytest.mark.parametrize(
    ("make", "record", "field", "reason"),
    [pytest.param(*row[1:], id=row[0]) for row in BAD_INPUT],
)
def test_bad_input_is_a_data_error_naming_record_and_field(
    make: Callable[[], object], record: tuple[str, str, str | None], field: str, reason: str
) -> None:
    with pytest.raises(DataError) as caught:
        make()
    error = caught.value
    # Exactly DataError: not pydantic's ValidationError, not a subclass of anything else.
    assert type(error) is DataError
    kind, source, record_id = record
    matching = [
        p for p in error.problems
        if (p.kind, p.source, p.record_id, p.field) == (kind, source, record_id, field)
    ]
    assert len(matching) == 1, error.problems
    assert reason in matching[0].reason
    # The message a person reads names the same things.
    message = str(error)
    assert f"{kind} {record_id}" in message if record_id else kind in message
    assert f"({source}" in message
    assert f"{field}: " in message


def test_every_problem_of_one_record_is_listed() -> None:
    with pytest.raises(DataError) as caught:
        Invoice(**good_invoice(total=1.5, currency="eur", due_date="someday", x=1))
    fields = {p.field for p in caught.value.problems}
    assert fields == {"total", "currency", "due_date", "x"}
    assert str(caught.value).startswith("4 problems in invoice INV-1:")


@pytest.mark.parametrize(
    "validate",
    [
        pytest.param(lambda: Invoice.model_validate(good_invoice(total=1.5)), id="model_validate"),
        pytest.param(
            lambda: Invoice.model_validate_json(
                '{"id": "INV-1", "customer_id": "acme", "number": "1", "issue_date": "2025-01-10",'
                ' "due_date": "2025-02-09", "currency": "EUR", "total": 1.5, "status": "open",'
                ' "source": "xero"}'
            ),
            id="model_validate_json",
        ),
        pytest.param(
            lambda: Invoice.model_validate_strings(
                {**{k: str(v) for k, v in good_invoice().items()}, "total": "1.5.0"}
            ),
            id="model_validate_strings",
        ),
    ],
)
def test_no_validation_path_lets_a_raw_validation_error_escape(
    validate: Callable[[], object],
) -> None:
    with pytest.raises(DataError) as caught:
        validate()
    assert type(caught.value) is DataError
    (problem,) = caught.value.problems
    assert (problem.kind, problem.source, problem.record_id, problem.field) == (
        "invoice", "xero", "INV-1", "total",
    )


def test_a_record_error_inside_a_nested_allocation_names_the_nested_field() -> None:
    with pytest.raises(DataError) as caught:
        Payment.model_validate(
            {**good_payment(), "allocations": [{"invoice_id": "A", "amount": "1"},
                                               {"invoice_id": "B", "amount": 2.5}]}
        )
    (problem,) = caught.value.problems
    assert problem.field == "allocations.1.amount"
    # Named once, not wrapped in a second error message.
    assert str(caught.value).count("problem") == 1


def test_data_error_is_a_value_error_and_its_problems_are_rejections() -> None:
    with pytest.raises(ValueError, match="total") as caught:
        Invoice(**good_invoice(total=-1))
    assert all(isinstance(p, Rejection) for p in caught.value.problems)  # type: ignore[attr-defined]


# ---------------------------------------------------------------- good input is kept exactly
@pytest.mark.parametrize(
    ("given", "kept"),
    [
        (D("1230.00"), D("1230.00")),
        ("0.10", D("0.10")),
        (1230, D(1230)),
        ("0", D(0)),
    ],
)
def test_amounts_are_kept_as_exact_decimals(given: Decimal | str | int, kept: Decimal) -> None:
    record = Invoice(**good_invoice(total=given))
    assert isinstance(record.total, Decimal)
    assert record.total == kept
    assert str(record.total) == str(kept)


@pytest.mark.parametrize(
    ("given", "utc"),
    [
        (datetime(2025, 1, 10, 9, 30, tzinfo=UTC), datetime(2025, 1, 10, 9, 30, tzinfo=UTC)),
        (datetime(2025, 1, 10, 9, 30, tzinfo=timezone(timedelta(hours=2))),
         datetime(2025, 1, 10, 7, 30, tzinfo=UTC)),
        (datetime(2025, 1, 10, 23, 30, tzinfo=timezone(timedelta(hours=-5))),
         datetime(2025, 1, 11, 4, 30, tzinfo=UTC)),
        ("2025-01-10T09:30:00+01:00", datetime(2025, 1, 10, 8, 30, tzinfo=UTC)),
    ],
)
def test_timestamps_are_kept_in_utc(given: datetime | str, utc: datetime) -> None:
    record = Invoice(**good_invoice(updated_at=given))
    assert record.updated_at == utc
    assert record.updated_at is not None
    assert record.updated_at.utcoffset() == timedelta(0)


def test_hours_from_a_time_tracker_may_be_floats_and_are_taken_by_their_repr() -> None:
    # Hours are not money: 0.1 + 0.2 style noise is not introduced, 1.1 stays 1.1.
    entry = TimeEntry(customer_id="acme", date=date(2025, 1, 10), hours=1.1, source=SRC)
    assert entry.hours == D("1.1")


def test_records_are_frozen() -> None:
    record = Invoice(**good_invoice())
    with pytest.raises(ValueError, match="frozen"):
        record.total = D(1)  # type: ignore[misc]


def test_label_names_kind_id_and_source() -> None:
    assert Invoice(**good_invoice()).label == "invoice INV-1 (xero)"
    entry = TimeEntry(customer_id="acme", date=date(2025, 1, 10), hours="1", source="toggl")
    assert entry.label == "time_entry (toggl)"


RECORD_KINDS = [Customer, Invoice, Payment, CreditNote, Allocation, TimeEntry, WorkRequest]


@pytest.mark.parametrize("kind", RECORD_KINDS, ids=lambda k: k.__name__)
def test_every_field_has_a_docstring_that_says_what_it_means(kind: type[Record]) -> None:
    for name, info in kind.model_fields.items():
        assert info.description, f"{kind.__name__}.{name} has no docstring"


@pytest.mark.parametrize(
    "record",
    [
        Customer(id="acme", name="Acme", group_id="g", source=SRC,
                 updated_at=datetime(2025, 1, 1, tzinfo=UTC)),
        Invoice(**good_invoice(currency="USD", fx_rate="0.95", amount_due="10.00")),
        Payment(**good_payment(allocations=[Allocation(invoice_id="INV-1", amount="10.00",
                                                       date=date(2025, 2, 3))])),
        CreditNote(**good_credit_note()),
        TimeEntry(customer_id="acme", date=date(2025, 1, 1), hours="7.5", billable=True,
                  source=SRC),
        WorkRequest(id="T-1", customer_id="acme", requested_on=date(2025, 1, 2),
                    wanted_by=date(2025, 1, 1), source=SRC),
    ],
    ids=lambda r: r.kind,
)
def test_records_pickle_and_compare_equal(record: Record) -> None:
    assert pickle.loads(pickle.dumps(record)) == record


def test_a_work_request_may_be_wanted_before_it_was_asked() -> None:
    # "for yesterday": a negative lead time is data, not an error.
    request = WorkRequest(id="T-1", customer_id="acme", requested_on=date(2025, 1, 2),
                          wanted_by=date(2025, 1, 1), source=SRC)
    assert request.wanted_by - request.requested_on == timedelta(days=-1)


def test_the_ledger_builder_in_testing_raises_the_same_error() -> None:
    with pytest.raises(DataError) as caught:
        ledger(inv("INV-1"), inv("INV-1", total="200.00"))
    assert [p.field for p in caught.value.problems] == ["id"]


def test_the_most_hours_an_entry_holds_review_with_every_date_bound() -> None:
    # The largest hours and the dates at both bounds go through a review without an
    # arithmetic error (sums rounded, dates moved by the policy's days).
    from clientguard.model import FIRST_DATE, LAST_DATE, MAX_HOURS
    from clientguard.review import review
    from clientguard.testing import time_entry

    book = ledger(
        invoice("acme", issued=FIRST_DATE, due=FIRST_DATE, total="10"),
        invoice("acme", issued=LAST_DATE, due=LAST_DATE, total="10"),
        time_entry("acme", on=LAST_DATE, hours=MAX_HOURS),
        time_entry("acme", on=LAST_DATE, hours="0.000001"),
        time_entry("beta", on=LAST_DATE, hours=MAX_HOURS),
    )
    for as_of in (FIRST_DATE, LAST_DATE):
        done = review(book, as_of=as_of)
        assert set(done.clients) >= {"acme"}


def test_the_largest_amount_has_18_digits_before_the_point_and_reviews() -> None:
    # 999,999,999,999,999,999.99 is accepted, and a review rounds what it owes (28 digits).
    from datetime import date

    from clientguard.review import review
    from clientguard.testing import invoice, ledger

    largest = "999999999999999999.99"
    book = ledger(invoice("acme", issued="2025-01-01", due="2025-01-31", total=largest))
    done = review(book, as_of=date(2025, 6, 30))
    assert book.invoices[0].total == D(largest)
    assert done.clients["acme"].findings  # 150 days past due: a finding with its cost


def test_an_invoice_due_before_its_issue_date_keeps_the_sources_due_date() -> None:
    # Real data (issued after the money came in): the record keeps what the source says; the
    # ledger decides how to count it.
    record = Invoice(**good_invoice(due_date=date(2025, 1, 9)))
    assert record.due_date == date(2025, 1, 9)
    assert record.issue_date == date(2025, 1, 10)


@pytest.mark.parametrize(
    "make",
    [
        lambda cid, cur: Invoice(id="I-1", customer_id=cid, number="1", issue_date=date(2026, 1, 1),
                                 due_date=date(2026, 1, 31), currency=cur, total=Decimal("10"),
                                 status="open", source="books"),
        lambda cid, cur: Payment(id="P-1", customer_id=cid, date=date(2026, 1, 5), currency=cur,
                                 amount=Decimal("10"), source="books"),
        lambda cid, cur: CreditNote(id="C-1", customer_id=cid, issue_date=date(2026, 1, 5),
                                    currency=cur, total=Decimal("10"), source="books"),
    ],
    ids=["invoice", "payment", "credit_note"],
)
def test_records_of_one_customer_share_its_id_and_currency_in_memory(
    make: Callable[[str, str], Invoice | Payment | CreditNote],
) -> None:
    # Two records read from two rows hold two equal strings; a ledger of a million records
    # keeps one of each (docs/performance.md), and the values are unchanged.
    first = make("".join(["cust", "-7"]), "".join(["EU", "R"]))
    second = make("".join(["cust", "-", "7"]), "".join(["E", "UR"]))
    assert first.customer_id == "cust-7"
    assert first.currency == "EUR"
    assert first.customer_id is second.customer_id
    assert first.currency is second.currency
