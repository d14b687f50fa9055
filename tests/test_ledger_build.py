"""The ledger's build, made faster (issue 21; docs/performance.md): one pass over the invoices
and one over the documents for ids, rates and due dates, applications held as they are made,
and the running sums of what is applied kept only for invoices of two or more applications.
The outcome is the rule's, to the record: which record is rejected, with which reason and in
which order, the rates in the invoices' order, and every application with its amount."""

from __future__ import annotations

import pickle
from dataclasses import FrozenInstanceError
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientguard.ledger import Application, Ledger, _application, same_day_order
from clientguard.model import AnyRecord, CreditNote, Invoice, Payment
from clientguard.money import ZERO
from clientguard.testing import credit_note, customer, fx_table, invoice, ledger, payment

D = Decimal
FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

NO_RATE = "is not the base currency EUR and there is no rate"
DUPLICATE = "duplicate id: another"
FX = fx_table("EUR", {"USD": {"2025-01-01": "0.9"}})


def rejected(book: Ledger) -> list[tuple[str, str | None, str | None, str]]:
    """Each rejection's kind, id, field and reason, in the report's order."""
    return [(r.kind, r.record_id, r.field, r.reason) for r in book.report.rejected]


# ------------------------------------------------------------ rejections, in their order
# Every duplicate of a kind is rejected before the first record of that kind without a rate
# (as when the duplicates were found in a pass of their own), invoices before documents,
# payments before credit notes; the rates are recorded in the records' order.
# Each case: the records, the rejections expected (kind, id, field, the reason's start) and
# the ids of the records given a rate, by kind.
CASES: dict[str, tuple[list[AnyRecord], list[tuple[str, str, str, str]], dict[str, list[str]]]] = {
    "invoices: duplicates before the unpriced": (
        [
            invoice("a", id="I1", issued="2025-01-02", total="10", currency="SEK"),
            invoice("a", id="I1", issued="2025-01-03", total="11"),
            invoice("a", id="I2", issued="2025-01-04", total="12"),
            invoice("a", id="I3", issued="2025-01-05", total="13", currency="NOK"),
            invoice("a", id="I2", issued="2025-01-06", total="14", currency="SEK"),
            invoice("a", id="I4", issued="2025-01-01", total="15", currency="USD"),
        ],
        [
            ("invoice", "I1", "id", f"{DUPLICATE} invoice has id I1 in source test (fir"),
            ("invoice", "I2", "id", f"{DUPLICATE} invoice has id I2 in source test (fir"),
            ("invoice", "I1", "currency", "no SEK->EUR rate for 2025-01-02: add it to the Fx"),
            ("invoice", "I3", "currency", "no NOK->EUR rate for 2025-01-05: add it to the Fx"),
        ],
        {"invoice": ["I2", "I4"], "payment": [], "credit_note": []},
    ),
    "documents: payments' duplicates, credit notes', then the unpriced": (
        [
            invoice("a", id="I1", issued="2025-01-02", total="100"),
            payment("a", id="P1", on="2025-01-10", amount="1", currency="SEK"),
            credit_note("a", id="C1", issued="2025-01-10", total="1", currency="SEK"),
            payment("a", id="P1", on="2025-01-11", amount="2"),
            credit_note("a", id="C1", issued="2025-01-11", total="2"),
            payment("a", id="P2", on="2025-01-12", amount="3", pays={"I1": "3"}),
            credit_note("a", id="C2", issued="2025-01-12", total="4", applies_to={"I1": "4"}),
            payment("a", id="P3", on="2025-01-05", amount="5", currency="USD"),
        ],
        [
            ("payment", "P1", "id", f"{DUPLICATE} payment has id P1 in source test (fir"),
            ("credit_note", "C1", "id", f"{DUPLICATE} credit_note has id C1 in source test"),
            ("payment", "P1", "currency", "no SEK->EUR rate for 2025-01-10: add it to the Fx"),
            ("credit_note", "C1", "currency", "no SEK->EUR rate for 2025-01-10: add it to the Fx"),
        ],
        {"invoice": ["I1"], "payment": ["P2", "P3"], "credit_note": ["C2"]},
    ),
    "no FxTable: the rate a record gives, or a rejection naming fx_rate": (
        [
            invoice("a", id="I1", issued="2025-01-02", total="10", currency="USD"),
            invoice("a", id="I2", issued="2025-01-02", total="10", currency="USD", fx_rate="0.9"),
            invoice("a", id="I1", issued="2025-01-02", total="11", currency="USD"),
        ],
        [
            ("invoice", "I1", "id", f"{DUPLICATE} invoice has id I1 in source test (fir"),
            ("invoice", "I1", "fx_rate", f"USD {NO_RATE}: give the record an fx"),
        ],
        {"invoice": ["I2"], "payment": [], "credit_note": []},
    ),
    "a duplicate of an invoice due before its issue date names the first": (
        [
            invoice("a", id="I1", issued="2025-01-10", due="2025-01-01", total="10"),
            invoice("a", id="I1", issued="2025-01-02", total="11"),
            payment("a", id="P1", on="2025-01-20", amount="10", pays={"I1": "10"}),
        ],
        [("invoice", "I1", "id", f"{DUPLICATE} invoice has id I1 in source test (fir")],
        {"invoice": ["I1"], "payment": ["P1"], "credit_note": []},
    ),
    "an allocation to an invoice rejected for its rate": (
        [
            invoice("a", id="I1", issued="2025-01-02", total="10", currency="SEK"),
            payment("a", id="P1", on="2025-01-20", amount="10", pays={"I1": "10"}),
        ],
        [
            ("invoice", "I1", "currency", "no SEK->EUR rate for 2025-01-02: add it to the Fx"),
            ("payment", "P1", "allocations.0.invoice_id", "allocated to invoice I1, which is "
             "not in the ledger"),
        ],
        {"invoice": [], "payment": [], "credit_note": []},
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_rejections_and_rates_in_order(name: str) -> None:
    records, expected, rated = CASES[name]
    fx = None if name.startswith("no FxTable") else FX
    book = Ledger.build(records, base_currency="EUR", fx=fx, strict=False)
    found = rejected(book)
    assert [(k, i, f, r[: len(start)]) for (k, i, f, r), (*_, start) in zip(
        found, expected, strict=False)] == expected
    assert len(found) == len(expected)
    assert {kind: list(rates) for kind, rates in book._rates.items()} == rated


def test_an_invoice_due_before_issue_is_moved_and_its_duplicate_rejected() -> None:
    book = Ledger.build(CASES["a duplicate of an invoice due before its issue date names the "
                              "first"][0], base_currency="EUR", strict=False)
    (moved,) = book.invoices
    assert (moved.issue_date, moved.due_date, moved.total) == (date(2025, 1, 10),
                                                               date(2025, 1, 10), D("10"))
    (adjusted,) = book.report.adjusted
    assert (adjusted.record_id, adjusted.source_value, adjusted.used_value) == (
        "I1", "2025-01-01", "2025-01-10")
    # The payment is applied to the invoice as moved.
    assert book.invoice("I1") is moved
    assert [a.amount for a in book.applications("I1")] == [D("10")]


# ------------------------------------------------------------ applications, as held
I1 = invoice("a", id="I1", issued="2025-01-02", total="100.00")
I2 = invoice("a", id="I2", issued="2025-01-03", total="50.00")
I3 = invoice("a", id="I3", issued="2025-01-04", total="30.00")


def test_each_form_of_held_application() -> None:
    once = payment("a", id="P1", on="2025-02-01", amount="100.00", pays={"I1": "100.00"})
    several = payment("a", id="P2", on="2025-02-02", amount="30.00",
                      pays={"I2": "20.00", "I3": "10.00"})
    again = credit_note("a", id="C1", issued="2025-02-02", total="5.00", applies_to={"I2": "5.00"})
    twice = payment("a", id="P3", on="2025-02-01", amount="20.00", pays=[("I2", "10.00"),
                                                                        ("I2", "5.00")])
    book = ledger(I1, I2, I3, once, several, again, twice, fx=FX)
    held = book._held_applications()
    assert held["I1"] is book.payment("P1")  # a document's one allocation: the document
    # An allocation of a payment of several: an Application, the same as its constructor's.
    assert held["I3"] == Application("I3", date(2025, 2, 2), D("10.00"), "payment", "P2",
                                     D("10.00"))
    assert type(held["I3"]) is Application
    # Four applications to I2, in the replay's order: by date, payments before credit notes,
    # then by id; the same invoice twice in one payment is two applications.
    assert [(a.date, a.document_id, a.amount) for a in book.applications("I2")] == [
        (date(2025, 2, 1), "P3", D("10.00")),
        (date(2025, 2, 1), "P3", D("5.00")),
        (date(2025, 2, 2), "P2", D("20.00")),
        (date(2025, 2, 2), "C1", D("5.00")),
    ]
    assert list(held) == ["I1", "I2", "I3"]  # by each invoice's first application


def test_an_application_made_through_its_slots_is_the_constructors() -> None:
    fields = ("INV-1", date(2025, 1, 2), D("12.340"), "credit_note", "CN-1", D("13"))
    made, built = _application(*fields), Application(*fields)
    assert type(made) is Application
    assert made == built
    assert hash(made) == hash(built)
    assert repr(made) == repr(built)
    assert (made.invoice_id, made.date, made.amount, made.document_kind, made.document_id,
            made.document_amount) == fields
    assert pickle.loads(pickle.dumps(made)) == built
    with pytest.raises(FrozenInstanceError):
        made.amount = D("1")  # type: ignore[misc]


# ------------------------------------------------------------ the over-application rule
def reference_rule(
    records: list[AnyRecord],
) -> tuple[list[tuple[str, str, str]], dict[str, list[Decimal]]]:
    """The rule as the module states it, written plainly: the allocations in the replay's
    order (each on its own date, never before its document's; payments before credit notes on
    a day, then by id), a document's allocations of one day together; what each invoice has
    applied summed from ZERO in that order, and a document's own allocations of the day from
    ZERO; the document whose allocations take an invoice past its total is rejected, naming the
    sum. One rejected on a later day than one it applied on already is set aside and the rule
    is run again without it. Returns the rejected documents (kind, id, reason), in the order
    they were found, and each invoice's applied amounts."""
    totals = {r.id: r.total for r in records if isinstance(r, Invoice)}
    documents = [r for r in records if isinstance(r, Payment | CreditNote)]
    set_aside: dict[str, tuple[tuple[date, bool, str], str, str, str]] = {}
    while True:
        steps = []
        for document in documents:
            if document.id in set_aside:
                continue
            own = document.date if isinstance(document, Payment) else document.issue_date
            days: dict[date, list[int]] = {}
            for index, allocation in enumerate(document.allocations):
                days.setdefault(max(allocation.date or own, own), []).append(index)
            steps += [(same_day_order(day, document.kind, document.id), document, indexes)
                      for day, indexes in days.items()]
        steps.sort(key=lambda step: step[0])
        applied: dict[str, Decimal] = {}
        amounts: dict[str, list[Decimal]] = {}
        found = []
        late = {}
        begun, refused = set(), set()
        for order, document, indexes in steps:
            if document.id in refused:
                continue
            own_sums: dict[str, Decimal] = {}
            problem = None
            for index in indexes:
                allocation = document.allocations[index]
                target = allocation.invoice_id
                own_sums[target] = own_sums.get(target, ZERO) + allocation.amount
                over = applied.get(target, ZERO) + own_sums[target] - totals[target]
                if over > 0:
                    problem = (f"with this {document.kind}, allocations to invoice {target} add "
                               f"up to {totals[target] + over} EUR, more than its total of "
                               f"{totals[target]}")
                    break
            if problem:
                refused.add(document.id)
                found_one = (order, document.kind, document.id, problem)
                if document.id in begun:
                    late[document.id] = found_one
                else:
                    found.append(found_one)
                continue
            begun.add(document.id)
            for index in indexes:
                allocation = document.allocations[index]
                target = allocation.invoice_id
                applied[target] = applied.get(target, ZERO) + allocation.amount
                amounts.setdefault(target, []).append(allocation.amount)
        if not late:
            break
        set_aside.update(late)
    rejections = [rest for _, *rest in sorted([*set_aside.values(), *found])]
    return [(kind, ident, reason) for kind, ident, reason in rejections], amounts


# Totals and shares that round in Decimal's 28 digits, fit exactly, or overshoot by a hair.
TOTALS = [D("100"), D("100.00"), D("1E+2"), D("0.30"), D("99.999999999999999999999999999"),
          D("33.333333333333333333333333333333")]
# (The smallest shares are the model's smallest amount, MIN_AMOUNT, and one with a digit in
# the 30th place.)
SHARES = [D("0.10"), D("0.1"), D("33.33"), D("33.34"), D("50"), D("1E-6"), D("1E+1"),
          D("33.333333333333333333333333333"), D("0.000001000000000000000000000001"),
          D("99.999999999999999999999999999")]


@st.composite
def allocated_books(draw: st.DrawFn) -> list[AnyRecord]:
    count = draw(st.integers(1, 3))
    invoices = [invoice("a", id=f"I{k}", issued="2025-01-01", total=draw(st.sampled_from(TOTALS)))
                for k in range(count)]
    records: list[AnyRecord] = [customer("a"), *invoices]
    for k in range(draw(st.integers(1, 7))):
        pairs = draw(st.lists(st.tuples(st.sampled_from([i.id for i in invoices]),
                                        st.sampled_from(SHARES)), min_size=1, max_size=4))
        on = date(2025, 1, 1) + timedelta(days=draw(st.integers(0, 2)))
        amount = sum((share for _, share in pairs), ZERO)
        document: Payment | CreditNote
        if draw(st.booleans()):
            document = payment("a", id=f"P{k}", on=on, amount=amount, pays=pairs)
        else:
            document = credit_note("a", id=f"C{k}", issued=on, total=amount, applies_to=pairs)
        # Some allocations dated apart from their document: up to two days before it (counted
        # on the document's date) or after it; so a document's allocations may count on
        # several days.
        dates = draw(st.lists(st.none() | st.integers(-2, 3), min_size=len(pairs),
                              max_size=len(pairs)))
        records.append(document.model_copy(update={"allocations": tuple(
            a if shift is None else a.model_copy(update={"date": on + timedelta(days=shift)})
            for a, shift in zip(document.allocations, dates, strict=True))}))
    order = draw(st.permutations(range(len(records))))
    return [records[i] for i in order]


@FAST
@given(allocated_books())
def test_the_over_application_rule_to_the_digit(records: list[AnyRecord]) -> None:
    rejections, amounts = reference_rule(records)
    book = Ledger.build(records, base_currency="EUR", strict=False)
    assert [(r.kind, r.record_id, r.reason) for r in book.report.rejected] == rejections
    for ident in (r.id for r in records if isinstance(r, Invoice)):
        applied = [a.amount for a in book.applications(ident)]
        assert sorted(applied) == sorted(amounts.get(ident, []))
