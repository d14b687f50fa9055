"""The ledger: rules between records, strict and lenient builds, look-ups, FX, merge, pickling,
and the invariants (nothing lost, exactly the broken records rejected, deterministic order)."""

from __future__ import annotations

import pickle
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientguard.errors import DataError
from clientguard.ledger import Application, Ledger, Location, Rejection
from clientguard.model import (
    AnyRecord,
    CreditNote,
    Customer,
    Invoice,
    Payment,
    TimeEntry,
    WorkRequest,
)
from clientguard.settlement import settle
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
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def kinds_and_ids(rejections: tuple[Rejection, ...] | list[Rejection]) -> list[tuple[str, str]]:
    return [(r.kind, r.record_id or "") for r in rejections]


# ---------------------------------------------------------------- a small book, by hand
#   acme and acme-de are one group; solo is its own client; ghost has invoices but no
#   Customer record; tt only has time and wr only work requests.
A0 = invoice("acme", id="A0", issued="2025-01-10", total="200.00")
A1 = invoice("acme", id="A1", issued="2025-01-10", total="1000.00")
A2 = invoice("acme", id="A2", issued="2025-01-05", total="500.00")
G1 = invoice("ghost", id="G1", issued="2025-02-01", total="100.00")
# Three documents applied to A1 on 10 Feb, and one applied on 11 Feb although received on 1 Feb.
P2 = payment("acme", id="P-2", on="2025-02-10", amount="550.00", pays=A1)
P1 = payment("acme", id="P-1", on="2025-02-10", amount="300.00", pays=A1)
CN0 = credit_note("acme", id="CN-0", issued="2025-02-10", total="100.00", applies_to=A1)
P0 = payment("acme", id="P-0", on="2025-02-01", amount="50.00", pays=A1, applied_on="2025-02-11")
P3 = payment("acme", id="P-3", on="2025-03-01", amount="700.00", pays={"A2": "500.00"})
P4 = payment("solo", id="P-4", on="2025-03-02", amount="80.00")
BOOK_RECORDS: list[AnyRecord] = [
    customer("acme", group="acme-group"),
    customer("acme-de", "Acme GmbH", group="acme-group"),
    customer("solo"),
    A1, G1, A2, A0, P2, P3, P1, CN0, P0, P4,
    time_entry("tt", on="2025-01-02", hours="3"),
    work_request("wr", requested="2025-01-02", lead_days=1),
]


@pytest.fixture(scope="module")
def book() -> Ledger:
    return ledger(*BOOK_RECORDS)


def test_invoices_of_a_customer_in_issue_date_then_id_order(book: Ledger) -> None:
    assert [i.id for i in book.invoices_of("acme")] == ["A2", "A0", "A1"]
    assert [i.id for i in book.invoices_of("ghost")] == ["G1"]
    assert book.invoices_of("nobody") == ()


def test_ledger_tuples_are_in_date_then_id_order(book: Ledger) -> None:
    assert [i.id for i in book.invoices] == ["A2", "A0", "A1", "G1"]
    assert [p.id for p in book.payments] == ["P-0", "P-1", "P-2", "P-3", "P-4"]
    assert [c.id for c in book.customers] == ["acme", "acme-de", "solo"]
    assert book.date_range == (date(2025, 1, 5), date(2025, 2, 1))


def test_applications_by_invoice_in_date_order_payments_before_credit_notes(
    book: Ledger,
) -> None:
    expected = [
        # same day: payments first (by id), then the credit note, whatever the input order
        (date(2025, 2, 10), "payment", "P-1", D("300.00")),
        (date(2025, 2, 10), "payment", "P-2", D("550.00")),
        (date(2025, 2, 10), "credit_note", "CN-0", D("100.00")),
        # P-0 was received on 1 Feb but applied on 11 Feb: the application date counts
        (date(2025, 2, 11), "payment", "P-0", D("50.00")),
    ]
    got = [(a.date, a.document_kind, a.document_id, a.amount) for a in book.applications("A1")]
    assert got == expected
    assert all(a.invoice_id == "A1" for a in book.applications("A1"))
    assert book.applications("G1") == ()


@pytest.mark.parametrize(
    ("payment_id", "unapplied"),
    [("P-3", D("200.00")), ("P-1", D("0.00")), ("P-4", D("80.00"))],
)
def test_unapplied_cash_is_what_no_allocation_took(
    book: Ledger, payment_id: str, unapplied: Decimal
) -> None:
    assert book.unapplied(payment_id) == unapplied


@pytest.mark.parametrize(
    ("customer_id", "group", "members"),
    [
        ("acme", "acme-group", ("acme", "acme-de")),
        ("acme-de", "acme-group", ("acme", "acme-de")),
        ("solo", "solo", ("solo",)),
        ("ghost", "ghost", ("ghost",)),  # no Customer record: its own client
    ],
)
def test_group_of_and_members(
    book: Ledger, customer_id: str, group: str, members: tuple[str, ...]
) -> None:
    assert book.group_of(customer_id) == group
    assert book.members(group) == members


def test_customer_ids_include_ids_without_a_customer_record(book: Ledger) -> None:
    assert book.customer_ids == ("acme", "acme-de", "ghost", "solo", "tt", "wr")
    assert book.customer("ghost") is None
    assert book.name_of("ghost") == "ghost"
    assert book.name_of("acme-de") == "Acme GmbH"


def test_look_ups_by_id_and_by_customer(book: Ledger) -> None:
    assert book.invoice("A1") == A1
    assert book.payment("P-3") == P3
    assert book.credit_note("CN-0") == CN0
    assert book.payments_of("solo") == (P4,)
    assert book.credit_notes_of("acme") == (CN0,)
    with pytest.raises(KeyError):
        book.invoice("nope")


def test_report_counts_what_was_kept(book: Ledger) -> None:
    assert dict(book.report.accepted) == {
        "customers": 3, "invoices": 4, "payments": 5, "credit_notes": 1,
        "time_entries": 1, "work_requests": 1,
    }
    assert book.report.ok
    assert len(book) == 15


def test_a_ledger_is_only_made_by_build() -> None:
    with pytest.raises(TypeError, match=r"Ledger\.build"):
        Ledger()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"base_currency": "eur"}, "not an upper-case ISO 4217"),
        ({"base_currency": "EUR", "fx": fx_table("USD", {})}, "converts to USD"),
    ],
)
def test_build_refuses_a_bad_base_currency_or_fx_table(
    kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(DataError, match=message):
        Ledger.build([], **kwargs)


def test_build_refuses_what_is_not_a_ledger_record() -> None:
    with pytest.raises(DataError, match="dict is not a ledger record"):
        Ledger.build([{"id": "x"}], base_currency="EUR", strict=False)  # type: ignore[list-item]


# ---------------------------------------------------------------- strict: every problem at once
def dangling(n: int) -> list[Payment]:
    return [payment("acme", id=f"P{i:02}", on="2025-02-01", amount="1", pays={f"X{i}": "1"})
            for i in range(n)]


@pytest.mark.parametrize(
    ("count", "listed", "more_line"),
    [
        (1, 1, None),
        (20, 20, None),
        (21, 20, "  ... and 1 more"),
        (25, 20, "  ... and 5 more"),
    ],
)
def test_strict_build_lists_every_problem_capped_at_20(
    count: int, listed: int, more_line: str | None
) -> None:
    with pytest.raises(DataError) as caught:
        ledger(*dangling(count))
    error = caught.value
    assert len(error.problems) == count
    lines = str(error).split("\n")
    plural = "s" if count != 1 else ""
    assert lines[0] == f"{count} problem{plural} in the ledger's records:"
    assert sum(line.startswith("  - payment P") for line in lines) == listed
    if more_line is None:
        assert len(lines) == 1 + listed
    else:
        assert lines[-1].startswith(more_line)
        assert "DataError.problems" in lines[-1]


def test_strict_build_reports_problems_of_different_kinds_together() -> None:
    usd = invoice("acme", id="U1", issued="2025-01-10", total="10", currency="USD")
    other_a1 = A1.model_copy(update={"total": A1.total + 1})
    with pytest.raises(DataError) as caught:
        ledger(A1, other_a1, usd, *dangling(1))
    assert sorted(kinds_and_ids(caught.value.problems)) == [
        ("invoice", "A1"), ("invoice", "U1"), ("payment", "P00"),
    ]


# ---------------------------------------------------------------- lenient
def test_lenient_build_keeps_the_good_and_returns_exactly_the_bad_with_locations() -> None:
    good = invoice("acme", id="I-1", issued="2025-01-10", total="100.00", source="csv")
    twin = invoice("acme", id="I-1", issued="2025-01-11", total="999.00", source="csv")
    lost = payment("acme", id="P-9", on="2025-02-01", amount="5", pays={"I-404": "5"},
                   source="csv")
    paid = payment("acme", id="P-1", on="2025-02-01", amount="100.00", pays=good, source="csv")
    locations = {
        ("invoice", "csv", "I-1"): Location("invoices.csv", 2),
        ("payment", "csv", "P-9"): Location("payments.csv", 14, "invoice"),
        ("payment", "csv", "P-1"): Location("payments.csv", 3),
    }
    built = Ledger.build([good, twin, lost, paid], base_currency="EUR", strict=False,
                         locations=locations)
    assert built.invoices == (good,)
    assert built.payments == (paid,)
    rejected = {r.record_id: r for r in built.report.rejected}
    assert set(rejected) == {"I-1", "P-9"}
    assert rejected["I-1"].record is twin
    assert rejected["I-1"].field == "id"
    assert "duplicate id" in rejected["I-1"].reason
    # The location keyed by (kind, source, id) is copied into the rejection.
    assert rejected["I-1"].location == Location("invoices.csv", 2)
    assert rejected["P-9"].record is lost
    assert rejected["P-9"].location == Location("payments.csv", 14, "invoice")
    assert str(rejected["P-9"]).startswith(
        "payment P-9 (csv, payments.csv, line 14, column 'invoice'): allocations.0.invoice_id: "
    )
    assert built.location_of(paid) == Location("payments.csv", 3)
    assert not built.report.ok
    assert dict(built.report.accepted)["invoices"] == 1


def test_a_rejected_invoice_takes_the_documents_allocated_to_it_along() -> None:
    # U1 is in USD with no rate, so it is rejected; what is allocated to it cannot be applied.
    u1 = invoice("acme", id="U1", issued="2025-01-10", total="100.00", currency="USD")
    e1 = invoice("acme", id="E1", issued="2025-01-10", total="100.00")
    to_u1 = payment("acme", id="P-U", on="2025-02-01", amount="100.00", currency="USD", pays=u1,
                    fx_rate="0.95")
    # The credit note is applied to both: one bad allocation rejects the whole document.
    both = credit_note("acme", id="C-B", issued="2025-02-01", total="20.00",
                       applies_to=[("E1", "10.00"), (u1, "10.00")])
    to_e1 = payment("acme", id="P-E", on="2025-02-02", amount="90.00", pays=e1)
    built = ledger(u1, e1, to_u1, both, to_e1, strict=False)
    assert sorted(kinds_and_ids(built.report.rejected)) == [
        ("credit_note", "C-B"), ("invoice", "U1"), ("payment", "P-U"),
    ]
    by_id = {r.record_id: r for r in built.report.rejected}
    assert by_id["U1"].field == "fx_rate"
    assert "invoice U1, which is not in the ledger (or was rejected)" in by_id["P-U"].reason
    assert by_id["C-B"].field == "allocations.1.invoice_id"
    # E1 keeps only the payment: nothing of the rejected credit note was applied.
    assert [a.document_id for a in built.applications("E1")] == ["P-E"]
    assert built.invoices == (e1,)


def test_rejections_from_a_connector_are_included() -> None:
    unmapped = Rejection("row", "csv", None, "date", "'31/02/2025' is not a date",
                         Location("payments.csv", 7, "Date"), ("P-7", "31/02/2025"))
    built = Ledger.build([A2], base_currency="EUR", strict=False, rejected=[unmapped])
    assert built.report.rejected == (unmapped,)
    assert built.invoices == (A2,)
    with pytest.raises(DataError) as caught:
        Ledger.build([A2], base_currency="EUR", rejected=[unmapped])
    assert caught.value.problems == (unmapped,)
    assert "row (csv, payments.csv, line 7, column 'Date'): date: '31/02/2025'" in str(
        caught.value
    )


def test_over_application_rejects_the_later_document() -> None:
    inv = invoice("acme", id="I", issued="2025-01-10", total="100.00")
    early = payment("acme", id="Z-early", on="2025-02-01", amount="70.00", pays=inv)
    late = payment("acme", id="A-late", on="2025-02-02", amount="70.00", pays=inv)
    built = ledger(late, early, inv, strict=False)
    assert kinds_and_ids(built.report.rejected) == [("payment", "A-late")]
    assert "add up to 140.00 EUR, more than its total of 100.00" in built.report.rejected[0].reason


def test_on_the_same_day_the_credit_note_over_applies_not_the_cash() -> None:
    # The replay applies payments before credit notes on one day, so the credit note is the
    # document that takes the invoice over its total.
    inv = invoice("acme", id="I", issued="2025-01-10", total="100.00")
    cash = payment("acme", id="P", on="2025-02-01", amount="100.00", pays=inv)
    credit = credit_note("acme", id="A-CN", issued="2025-02-01", total="100.00", applies_to=inv)
    built = ledger(credit, cash, inv, strict=False)
    assert kinds_and_ids(built.report.rejected) == [("credit_note", "A-CN")]
    assert built.payments == (cash,)


def test_allocations_exactly_equal_to_the_total_are_fine() -> None:
    inv = invoice("acme", id="I", issued="2025-01-10", total="100.00")
    built = ledger(
        inv,
        payment("acme", id="P1", on="2025-02-01", amount="33.33", pays=inv),
        payment("acme", id="P2", on="2025-02-02", amount="33.33", pays=inv),
        credit_note("acme", id="C", issued="2025-02-03", total="33.34", applies_to=inv),
    )
    assert sum((a.amount for a in built.applications("I")), D(0)) == D("100.00")


# ---------------------------------------------------------------- FX
# EUR per unit: USD 0.90 and GBP 1.20 on 3 March 2025.
FX = fx_table("EUR", {"USD": {"2025-03-03": "0.90"}, "GBP": {"2025-03-03": "1.20"}})


def test_cross_currency_allocations_are_converted_into_the_invoice_currency() -> None:
    usd_invoice = invoice("acme", id="U", issued="2025-02-01", total="200.00", currency="USD",
                          fx_rate="0.95")
    eur_invoice = invoice("acme", id="E", issued="2025-02-01", total="100.00")
    # 90.00 EUR at 0.90 EUR/USD on the payment date = 100.00 USD off the USD invoice.
    eur_pays_usd = payment("acme", id="P-EUR", on="2025-03-03", amount="90.00", pays=usd_invoice)
    # 75.00 GBP x 1.20 = 90.00 EUR = 100.00 USD.
    gbp_pays_usd = payment("acme", id="P-GBP", on="2025-03-03", amount="75.00", currency="GBP",
                           pays=usd_invoice)
    # 50.00 GBP at the payment's own rate 1.17 (the source's, on its own date) = 58.50 EUR;
    # the table's 1.20 would say 60.00.
    own_rate = payment("acme", id="P-OWN", on="2025-03-03", amount="50.00", currency="GBP",
                       fx_rate="1.17", pays=eur_invoice)
    # Applied two days after it was received: the table's rate for that day (3 March, 1.20),
    # not the payment's own 1.17: 20.00 GBP = 24.00 EUR.
    later = payment("acme", id="P-LATER", on="2025-03-03", amount="20.00", currency="GBP",
                    fx_rate="1.17", pays=eur_invoice, applied_on="2025-03-05")
    built = ledger(usd_invoice, eur_invoice, eur_pays_usd, gbp_pays_usd, own_rate, later, fx=FX)
    got = {a.document_id: (a.amount, a.document_amount) for a in built.applications("U")}
    assert got == {"P-EUR": (D("100.00"), D("90.00")), "P-GBP": (D("100.00"), D("75.00"))}
    got = {a.document_id: (a.amount, a.document_amount) for a in built.applications("E")}
    assert got == {"P-OWN": (D("58.50"), D("50.00")), "P-LATER": (D("24.00"), D("20.00"))}


def test_a_non_terminating_conversion_is_kept_unrounded() -> None:
    usd_invoice = invoice("acme", id="U", issued="2025-03-03", total="100.00", currency="USD")
    # 10.00 EUR / 0.90 = 11.111... USD: kept at full precision, rounded only for output.
    built = ledger(usd_invoice, payment("acme", id="P", on="2025-03-03", amount="10.00",
                                        pays=usd_invoice), fx=FX)
    (application,) = built.applications("U")
    assert application.amount * D("0.90") == pytest.approx(D("10.00"), abs=D("1e-20"))
    assert application.amount.quantize(D("0.01")) == D("11.11")
    assert application.amount > D("11.111111")


@pytest.mark.parametrize(
    ("paid_eur", "accepted"),
    [
        ("90.00", True),  # exactly 100.00 USD
        ("90.004", True),  # 100.00444 USD: within one cent of the total
        ("90.009", True),  # 100.01 USD: exactly one cent over, the rounding step allowed
        ("90.02", False),  # 100.0222 USD: over by more than a cent
    ],
)
def test_a_converted_allocation_may_overshoot_by_one_minor_unit(
    paid_eur: str, accepted: bool
) -> None:
    usd_invoice = invoice("acme", id="U", issued="2025-03-03", total="100.00", currency="USD")
    built = ledger(usd_invoice, payment("acme", id="P", on="2025-03-03", amount=paid_eur,
                                        pays=usd_invoice), fx=FX, strict=False)
    assert built.report.ok is accepted


@pytest.mark.parametrize(
    ("record", "rate", "base_amount"),
    [
        # the document's own fx_rate wins over the table
        (invoice("acme", id="I1", issued="2025-03-03", total="100.00", currency="USD",
                 fx_rate="0.95"), D("0.95"), D("95.00")),
        # otherwise the table's rate on the document's date (3 March's for 5 March)
        (invoice("acme", id="I2", issued="2025-03-05", total="100.00", currency="USD"),
         D("0.90"), D("90.00")),
        (invoice("acme", id="I3", issued="2025-03-05", total="100.00"), D(1), D("100.00")),
        (payment("acme", id="P1", on="2025-03-03", amount="75.00", currency="GBP"),
         D("1.20"), D("90.00")),
        (credit_note("acme", id="C1", issued="2025-03-03", total="10.00", currency="GBP",
                     fx_rate="1.25"), D("1.25"), D("12.50")),
    ],
    ids=lambda v: getattr(v, "id", None),
)
def test_rate_to_base_and_base_amount(
    record: Invoice | Payment | CreditNote, rate: Decimal, base_amount: Decimal
) -> None:
    built = ledger(record, fx=FX)
    assert built.rate_to_base(record) == rate
    assert built.base_amount(record) == base_amount


def test_document_fx_rate_is_enough_without_a_table() -> None:
    record = invoice("acme", id="I", issued="2025-03-03", total="100.00", currency="USD",
                     fx_rate="0.93")
    built = ledger(record)
    assert built.base_amount(record) == D("93.0000")


def test_to_base_uses_the_table() -> None:
    built = ledger(fx=FX)
    assert built.to_base(D("10"), "USD", date(2025, 3, 4)) == D("9.00")
    assert built.to_base(D("10"), "EUR", date(2025, 3, 4)) == D("10")
    with pytest.raises(DataError, match="no FxTable to convert USD to EUR"):
        ledger().to_base(D("10"), "USD", date(2025, 3, 4))


# ---------------------------------------------------------------- merge
def test_merge_two_sources_keys_every_record_by_its_source() -> None:
    xero = ledger(customer("acme", source="xero"),
                  invoice("acme", id="X-1", issued="2025-01-10", total="100.00", source="xero"))
    c1 = invoice("acme", id="C-1", issued="2025-01-05", total="40.00", source="csv")
    csv = ledger(c1, payment("acme", id="CP-1", on="2025-02-01", amount="40.00", pays=c1,
                             source="csv"))
    merged = xero.merge(csv)
    assert merged.sources == ("csv", "xero")
    assert merged.keyed_by_source
    assert [i.id for i in merged.invoices] == ["csv:C-1", "xero:X-1"]
    assert [p.id for p in merged.payments] == ["csv:CP-1"]
    assert [a.document_id for a in merged.applications("csv:C-1")] == ["csv:CP-1"]
    # The same customer id in two sources is two customers until the user links them.
    assert merged.customer_ids == ("csv:acme", "xero:acme")
    assert merged.base_currency == "EUR"
    assert merged.report.ok
    assert len(merged) == len(xero) + len(csv)
    # What the sources gave comes back unchanged.
    assert sorted(map(repr, merged.source_records())) == sorted(
        map(repr, [*xero.records(), *csv.records()]))


def test_merge_keeps_the_same_id_of_two_sources() -> None:
    xero = ledger(invoice("acme", id="INV-1", issued="2025-01-10", total="100.00", source="xero"))
    csv = ledger(invoice("acme", id="INV-1", issued="2025-01-10", total="70.00", source="csv"))
    merged = xero.merge(csv)
    assert merged.report.ok
    assert [(i.source, i.id, i.total) for i in merged.invoices] == [
        ("csv", "csv:INV-1", D("70.00")), ("xero", "xero:INV-1", D("100.00"))]
    assert merged.invoice("xero:INV-1").total == D("100.00")
    assert merged.source_id(merged.invoice("csv:INV-1")) == "INV-1"
    # Merging a merged ledger again keys nothing twice.
    again = merged.merge(ledger(invoice("acme", id="INV-1", issued="2025-01-10",
                                        total="5.00", source="qb")))
    assert [i.id for i in again.invoices] == ["csv:INV-1", "qb:INV-1", "xero:INV-1"]


def test_merge_rejects_the_same_record_identity_twice() -> None:
    first = ledger(invoice("acme", id="INV-1", issued="2025-01-10", total="100.00", source="xero"))
    second = ledger(invoice("acme", id="INV-1", issued="2025-01-11", total="90.00", source="xero"))
    with pytest.raises(DataError) as caught:
        first.merge(second)
    (problem,) = caught.value.problems
    assert (problem.kind, problem.source, problem.record_id, problem.field) == (
        "invoice", "xero", "INV-1", "id",
    )
    assert "first from xero" in problem.reason
    lenient = first.merge(second, strict=False)
    assert [i.total for i in lenient.invoices] == [D("100.00")]


def test_merge_refuses_a_different_base_currency() -> None:
    with pytest.raises(DataError, match="cannot merge a USD ledger into a EUR ledger"):
        ledger().merge(ledger(base_currency="USD"))


def test_merge_carries_earlier_rejections_without_failing_on_them() -> None:
    bad = payment("acme", id="P-X", on="2025-02-01", amount="5", pays={"nope": "5"})
    first = ledger(A2, bad, strict=False)
    merged = first.merge(ledger(G1))  # strict: fails only on problems the merge finds
    assert merged.report.rejected == first.report.rejected
    assert [i.id for i in merged.invoices] == ["A2", "G1"]


def test_merge_combines_fx_tables() -> None:
    usd = fx_table("EUR", {"USD": {"2025-03-03": "0.90"}})
    gbp = fx_table("EUR", {"GBP": {"2025-03-03": "1.20"}})
    u = invoice("acme", id="U", issued="2025-03-03", total="10", currency="USD")
    g = invoice("acme", id="G", issued="2025-03-03", total="10", currency="GBP")
    merged = ledger(u, fx=usd).merge(ledger(g, fx=gbp))
    assert merged.base_amount(u) == D("9.00")
    assert merged.base_amount(g) == D("12.00")


# ---------------------------------------------------------------- pickling (Spark/Dask/Ray)
def test_a_ledger_pickles_and_round_trips() -> None:
    locations = {("payment", "test", "P-X"): Location("p.csv", 9)}
    bad = payment("acme", id="P-X", on="2025-02-01", amount="5", pays={"nope": "5"})
    usd = invoice("acme", id="U", issued="2025-03-03", total="10", currency="USD")
    original = Ledger.build([*BOOK_RECORDS, bad, usd], base_currency="EUR", fx=FX, strict=False,
                            locations=locations)
    copy = pickle.loads(pickle.dumps(original))
    assert list(copy.records()) == list(original.records())
    assert copy.report == original.report
    assert copy.fx == original.fx
    assert copy.applications("A1") == original.applications("A1")
    assert copy.customer_ids == original.customer_ids
    assert copy.members("acme-group") == ("acme", "acme-de")
    assert copy.rate_to_base(usd) == D("0.90")
    assert copy.report.rejected[0].location == Location("p.csv", 9)
    # The copy works, not only compares: it converts with its own table.
    assert copy.to_base(D(10), "GBP", date(2025, 3, 4)) == D("12.00")


def test_a_data_error_pickles_with_its_problems() -> None:
    with pytest.raises(DataError) as caught:
        ledger(*dangling(3))
    copy = pickle.loads(pickle.dumps(caught.value))
    assert type(copy) is DataError
    assert copy.problems == caught.value.problems
    assert str(copy) == str(caught.value)


# ---------------------------------------------------------------- invariants (hypothesis)
START = date(2024, 1, 1)
EUR_PER = {"EUR": D(1), "USD": D("0.92"), "JPY": D("0.0061")}
Document = TypeVar("Document", Payment, CreditNote)
# Makes a payment or credit note from (customer, id, date, amount, currency, pays, fx_rate).
MakeDocument = Callable[
    [str, str, date, Decimal, str, list[tuple[str, Decimal]], Decimal | None], Document
]


@dataclass
class Book:
    records: list[AnyRecord]
    customers: list[Customer]
    invoices: list[Invoice]
    payments: list[Payment]
    credit_notes: list[CreditNote]
    time_entries: list[TimeEntry]
    work_requests: list[WorkRequest]


def money(draw: st.DrawFn, high: int = 10**7) -> Decimal:
    return D(draw(st.integers(min_value=0, max_value=high))).scaleb(-2)


@st.composite
def valid_books(draw: st.DrawFn) -> Book:
    names = [f"c{i}" for i in range(draw(st.integers(1, 4)))]
    customers = [
        customer(n, group=draw(st.sampled_from([None, "g1", "g2"])))
        for n in names if draw(st.booleans())
    ]
    invoices: list[Invoice] = []
    open_left: dict[str, Decimal] = {}
    for i in range(draw(st.integers(0, 8))):
        currency = draw(st.sampled_from(list(EUR_PER)))
        total = money(draw)
        status = draw(st.sampled_from(["draft", "open", "paid", "void"]))
        issued = START + timedelta(days=draw(st.integers(0, 365)))
        paid = (issued + timedelta(days=draw(st.integers(0, 90)))
                if status == "paid" and draw(st.booleans()) else None)
        record = invoice(
            draw(st.sampled_from(names)), id=f"I{i}", issued=issued, total=total,
            terms=draw(st.integers(0, 60)), currency=currency, status=status,  # type: ignore[arg-type]
            paid=paid,
            fx_rate=None if currency == "EUR" else EUR_PER[currency],
        )
        invoices.append(record)
        open_left[record.id] = total

    def document(  # a payment or credit note, within what is open
        make: MakeDocument[Document], prefix: str, i: int
    ) -> Document:
        currency = draw(st.sampled_from(list(EUR_PER)))
        same = [inv for inv in invoices if inv.currency == currency]
        targets = draw(st.lists(st.sampled_from(same), unique_by=lambda x: x.id, max_size=3)
                       ) if same else []
        pays: list[tuple[str, Decimal]] = []
        for target in targets:
            share = min(money(draw), open_left[target.id])
            open_left[target.id] -= share
            pays.append((target.id, share))
        amount = sum((s for _, s in pays), D(0)) + money(draw, 10**5)
        return make(draw(st.sampled_from(names)), f"{prefix}{i}",
                    START + timedelta(days=draw(st.integers(0, 500))), amount, currency, pays,
                    None if currency == "EUR" else EUR_PER[currency])

    payments = [
        document(lambda c, id_, day, amount, cur, pays, rate: payment(
            c, id=id_, on=day, amount=amount, currency=cur, pays=pays, fx_rate=rate), "P", i)
        for i in range(draw(st.integers(0, 8)))
    ]
    credit_notes = [
        document(lambda c, id_, day, amount, cur, pays, rate: credit_note(
            c, id=id_, issued=day, total=amount, currency=cur, applies_to=pays, fx_rate=rate),
            "C", i)
        for i in range(draw(st.integers(0, 4)))
    ]
    # Time entries have no id; few dates and hours, so that several differ only in billable
    # or person (the sort key must still order them).
    time_entries = [
        time_entry(draw(st.sampled_from(names)), on=START + timedelta(days=draw(st.integers(0, 1))),
                   hours=draw(st.sampled_from(["1", "8"])),
                   person=draw(st.sampled_from([None, "", "ann"])),
                   billable=draw(st.sampled_from([None, True, False])))
        for _ in range(draw(st.integers(0, 6)))
    ]
    work_requests = [
        work_request(draw(st.sampled_from(names)), id=f"W{i}",
                     requested=START + timedelta(days=draw(st.integers(0, 30))),
                     lead_days=draw(st.integers(-3, 10)))
        for i in range(draw(st.integers(0, 4)))
    ]
    records: list[AnyRecord] = [*customers, *invoices, *payments, *credit_notes, *time_entries,
                                *work_requests]
    return Book(records, customers, invoices, payments, credit_notes, time_entries,
                work_requests)


@FAST
@given(valid_books())
def test_a_valid_book_never_raises_and_loses_nothing(book_: Book) -> None:
    built = ledger(*book_.records)
    assert built.report.ok
    assert dict(built.report.accepted) == {
        "customers": len(book_.customers), "invoices": len(book_.invoices),
        "payments": len(book_.payments), "credit_notes": len(book_.credit_notes),
        "time_entries": len(book_.time_entries), "work_requests": len(book_.work_requests),
    }
    for c in book_.customers:
        assert built.customer(c.id) == c
    for i in book_.invoices:
        assert built.invoice(i.id) == i
        assert i in built.invoices_of(i.customer_id)
    for p in book_.payments:
        assert built.payment(p.id) == p
        assert built.unapplied(p.id) == p.amount - sum((a.amount for a in p.allocations), D(0))
    for note in book_.credit_notes:
        assert built.credit_note(note.id) == note
    assert sorted(map(repr, built.time_entries)) == sorted(map(repr, book_.time_entries))
    assert set(built.work_requests) == set(book_.work_requests)
    # Every allocation became exactly one application, and none over-applies its invoice.
    documents: list[Payment | CreditNote] = [*book_.payments, *book_.credit_notes]
    allocations = sum(len(d.allocations) for d in documents)
    assert sum(len(built.applications(i.id)) for i in book_.invoices) == allocations
    for i in book_.invoices:
        assert sum((a.amount for a in built.applications(i.id)), D(0)) <= i.total


@FAST
@given(valid_books(), st.randoms(use_true_random=False))
def test_order_is_deterministic_whatever_the_input_order(book_: Book, rnd: random.Random) -> None:
    shuffled = list(book_.records)
    rnd.shuffle(shuffled)
    one, two = ledger(*book_.records), ledger(*shuffled)
    for name in ("customers", "invoices", "payments", "credit_notes", "time_entries",
                 "work_requests"):
        assert getattr(one, name) == getattr(two, name), name
    assert one.customer_ids == two.customer_ids
    for i in book_.invoices:
        assert one.applications(i.id) == two.applications(i.id)
    for group in {one.group_of(c) for c in one.customer_ids}:
        assert one.members(group) == two.members(group)


def test_time_entries_differing_only_in_billable_or_person_keep_one_order() -> None:
    # Regression: the sort key left out billable, so the input order leaked through.
    billable = time_entry("acme", on="2025-01-02", hours="1", billable=True)
    unbilled = time_entry("acme", on="2025-01-02", hours="1", billable=False)
    nobody = time_entry("acme", on="2025-01-02", hours="1", person=None)
    empty = time_entry("acme", on="2025-01-02", hours="1", person="")
    assert ledger(billable, unbilled, nobody, empty).time_entries == ledger(
        empty, nobody, unbilled, billable).time_entries


def test_a_time_entry_id_again_counts_its_hours_once_and_entries_without_ids_each_count(
) -> None:
    """A time tracker's entry id names one piece of work: the same id with other content is
    rejected as any duplicate id, and the same entry again is counted once, instead of its
    hours counting twice. Rows without an id (a spreadsheet's) are each their own."""
    first = time_entry("acme", on="2025-01-02", hours="3.5", entry_id="T-1")
    again = time_entry("acme", on="2025-01-02", hours="3.5", entry_id="T-1")
    edited = time_entry("acme", on="2025-01-02", hours="4", entry_id="T-1")
    other = time_entry("acme", on="2025-01-02", hours="1", entry_id="T-2")
    row = time_entry("acme", on="2025-01-02", hours="2")
    same_row = time_entry("acme", on="2025-01-02", hours="2")
    book = ledger(customer("acme"), first, other, row, same_row, again, edited, strict=False)
    assert sum((e.hours for e in book.time_entries), D(0)) == D("8.5")  # 3.5 + 1 + 2 + 2
    ((kind, ident, reason),) = [(r.kind, r.record_id, r.reason) for r in book.report.rejected]
    assert (kind, ident) == ("time_entry", "T-1")
    assert reason.startswith("duplicate id: another time_entry has id T-1")
    # Merged with itself: every entry is the same again, counted once: those with an id by
    # their id, the two rows without one as the two rows the book holds (not four).
    merged = book.merge(book, strict=False)
    assert sum((e.hours for e in merged.time_entries), D(0)) == D("8.5")


def test_a_record_delivered_twice_with_the_same_content_is_counted_once_and_said() -> None:
    """An export read twice, overlapping exports of one tool, a ledger merged with itself: the
    same id with the same content is one record delivered twice, not a conflict to fix in the
    source. Counted once, with one sentence in the notes; the same id with other content is
    still rejected (rule 1 of docs/concepts.md)."""
    inv = invoice("acme", id="I-1", issued="2025-01-10", total="100.00", source="erp")
    pay = payment("acme", id="P-1", on="2025-02-01", amount="100.00", pays=inv, source="erp")
    book = Ledger.build([customer("acme", source="erp"), inv, pay, inv.model_copy(),
                         pay.model_copy()], base_currency="EUR")
    assert (len(book.invoices), len(book.payments), book.report.rejected) == (1, 1, ())
    assert book.report.notes == ("2 records came twice with the same id and the same content "
                                 "(the first: invoice I-1 of erp): each counted once",)
    merged = book.merge(book)
    assert len(merged) == len(book)
    assert merged.report.rejected == ()
    # The book's sentence (carried once, though both halves carry it) and the merge's own.
    assert [n for n in merged.report.notes if "came twice" in n] == [
        book.report.notes[0],
        "3 records came twice with the same id and the same content (the first: customer "
        "acme of erp): each counted once"]
    # Several sources (keyed records): the note names the id as the source gives it.
    other = customer("beta", source="crm")
    keyed = Ledger.build([customer("acme", source="erp"), other, inv, inv.model_copy()],
                         base_currency="EUR")
    assert keyed.report.notes[0].endswith("(the first: invoice I-1 of erp): each counted once")


def _other_content(record: AnyRecord) -> AnyRecord:
    """``record``'s id with one value changed."""
    if isinstance(record, Customer):
        return record.model_copy(update={"name": f"{record.name} (2)"})
    if isinstance(record, Invoice | CreditNote):
        return record.model_copy(update={"total": record.total + 1})
    if isinstance(record, Payment):
        return record.model_copy(update={"amount": record.amount + 1})
    if isinstance(record, WorkRequest):
        return record.model_copy(update={"wanted_by": record.wanted_by + timedelta(days=1)})
    raise AssertionError(f"no id: {record!r}")


@st.composite
def books_with_broken_records(draw: st.DrawFn) -> tuple[Book, list[AnyRecord], list[AnyRecord]]:
    """A valid book, plus broken records whose rejection is certain whatever the order."""
    book_ = draw(valid_books())
    broken: list[AnyRecord] = []
    late = START + timedelta(days=1000)  # after every valid document: the over-appliers
    # Duplicates: same id, other content; they come after the originals, so they are the
    # ones rejected.
    with_ids: list[AnyRecord] = [*book_.customers, *book_.invoices, *book_.payments,
                                 *book_.credit_notes, *book_.work_requests]
    originals: list[AnyRecord] = draw(
        st.lists(st.sampled_from(with_ids), unique=True, max_size=3) if with_ids else st.just([])
    )
    # The same source sends an id twice, with other content (the same content again is one
    # record delivered twice: counted once, see test_a_record_delivered_twice_*).
    duplicates = [_other_content(r) for r in originals]
    for k in range(draw(st.integers(0, 3))):  # dangling allocations
        maker = draw(st.sampled_from(["payment", "credit_note"]))
        if maker == "payment":
            broken.append(payment("c0", id=f"BAD-P{k}", on=late, amount="1", pays={"MISSING": "1"}))
        else:
            broken.append(credit_note("c0", id=f"BAD-C{k}", issued=START, total="1",
                                      applies_to={"MISSING": "1"}))
    eur = [i for i in book_.invoices if i.currency == "EUR"]
    for k in range(draw(st.integers(0, 2)) if eur else 0):  # over-application
        target = draw(st.sampled_from(eur))
        documents: list[Payment | CreditNote] = [*book_.payments, *book_.credit_notes]
        applied = sum(
            (a.amount for d in documents for a in d.allocations if a.invoice_id == target.id),
            D(0))
        over = target.total - applied + D("0.01") * draw(st.integers(1, 1000))
        broken.append(payment("c0", id=f"OVER-{k}", on=late, amount=over,
                              pays={target.id: over}))
    for k in range(draw(st.integers(0, 2))):  # no rate for a foreign invoice
        broken.append(invoice("c0", id=f"NORATE-{k}", issued=START, total="5", currency="USD"))
    return book_, broken, duplicates


@FAST
@given(books_with_broken_records(), st.randoms(use_true_random=False))
def test_lenient_build_rejects_exactly_the_broken_records(
    case: tuple[Book, list[AnyRecord], list[AnyRecord]], rnd: random.Random
) -> None:
    book_, broken, duplicates = case
    mixed = [*book_.records, *broken]
    rnd.shuffle(mixed)
    built = ledger(*mixed, *duplicates, strict=False)
    rejected = [r.record for r in built.report.rejected]
    assert len(rejected) == len(broken) + len(duplicates)
    assert {id(r) for r in rejected} == {id(r) for r in [*broken, *duplicates]}
    assert all(r.reason for r in built.report.rejected)
    assert sorted(map(repr, built.records())) == sorted(map(repr, book_.records))


def test_every_application_is_an_application() -> None:
    built = ledger(*BOOK_RECORDS)
    assert all(isinstance(a, Application) for a in built.applications("A1"))


@pytest.mark.parametrize(
    ("customers", "expected"),
    [
        # A sub-customer of a sub-customer counts in the top parent's group (QuickBooks nests).
        ([("a", "b"), ("b", "c"), ("c", None)], {"a": "c", "b": "c", "c": "c"}),
        # A group id that names no customer is the group's own name.
        ([("a", "grp"), ("b", "grp")], {"a": "grp", "b": "grp"}),
        # A cycle settles on its smallest id, whatever the input order.
        ([("y", "x"), ("x", "y")], {"x": "x", "y": "x"}),
    ],
)
def test_group_chains_are_followed_to_the_top(
    customers: list[tuple[str, str | None]], expected: dict[str, str]
) -> None:
    from clientguard.testing import customer as make_customer
    from clientguard.testing import ledger as make_ledger

    book = make_ledger(*(make_customer(c, group=g) for c, g in customers))
    assert {c: book.group_of(c) for c in expected} == expected
    for group in set(expected.values()):
        assert set(book.members(group)) == {c for c, g in expected.items() if g == group}


# --- allocations between customers -----------------------------------------------------------


def test_the_ledger_lists_allocations_to_another_customers_invoice_in_ledger_order() -> None:
    # Acme pays its own invoice and one of Beta's; a credit note of Beta's goes to Acme's;
    # a payment of Gamma's over-applies Beta's invoice and is rejected: it is not listed.
    a1 = invoice("acme", issued="2025-01-01", total="100.00", id="A-1")
    b1 = invoice("beta", issued="2025-01-01", total="50.00", id="B-1")
    records: list[AnyRecord] = [
        a1, b1,
        credit_note("beta", issued="2025-01-05", total="10.00", applies_to=[("A-1", "10.00")],
                    id="CN-1"),
        payment("acme", on="2025-02-01", amount="90.00",
                pays=[("A-1", "40.00"), ("B-1", "50.00")], id="P-2"),
        payment("acme", on="2025-01-20", amount="30.00", pays=[("A-1", "30.00")], id="P-1"),
        payment("gamma", on="2025-03-01", amount="60.00", pays=[("B-1", "60.00")], id="P-3"),
    ]
    for order in (records, records[::-1]):
        book = ledger(*order, strict=False)
        assert [r.record_id for r in book.report.rejected] == ["P-3"]
        assert [tuple(c) for c in book.cross_customer_allocations()] == [
            ("payment", "P-2", "B-1", "acme", "beta"),
            ("credit_note", "CN-1", "A-1", "beta", "acme"),
        ]
    assert ledger(a1, payment("acme", on="2025-02-01", amount="100.00",
                              pays=[("A-1", "100.00")])).cross_customer_allocations() == ()
    merged = ledger(a1, b1, records[2]).merge(
        ledger(invoice("delta", issued="2025-01-01", total="5.00", id="D-1")))
    assert [c.document_id for c in merged.cross_customer_allocations()] == ["CN-1"]
    assert pickle.loads(pickle.dumps(merged)).cross_customer_allocations() == (
        merged.cross_customer_allocations())


# ---------------------------------------------------------------- due before issue (DESIGN §3)


@pytest.mark.parametrize("strict", [True, False])
def test_an_invoice_due_before_its_issue_date_is_kept_due_on_its_issue_date(strict: bool) -> None:
    # A paid Fakturownia invoice issued 2018-02-03 with payment_to 2018-01-25: issued after
    # the money came in. Real revenue: kept, never rejected.
    early = invoice("acme", id="FV-1", issued="2018-02-03", due="2018-01-25", total="100.00",
                    source="fakturownia")
    on_time = invoice("acme", id="FV-2", issued="2018-02-03", due="2018-02-03", total="5.00",
                      source="fakturownia")
    paid = payment("acme", id="P-1", on="2018-01-24", amount="100.00", pays=early,
                   source="fakturownia")
    where = {("invoice", "fakturownia", "FV-1"): Location(detail="GET /invoices.json page 1")}
    built = Ledger.build([early, on_time, paid], base_currency="EUR", strict=strict,
                         locations=where)
    assert built.report.rejected == ()
    assert built.invoice("FV-1").due_date == date(2018, 2, 3)
    assert built.invoice("FV-2") == on_time
    assert built.applications("FV-1")[0].amount == D("100.00")
    (note,) = built.report.adjusted
    assert (note.kind, note.source, note.record_id, note.field) == (
        "invoice", "fakturownia", "FV-1", "due_date")
    assert (note.source_value, note.used_value) == ("2018-01-25", "2018-02-03")
    assert note.location == Location(detail="GET /invoices.json page 1")
    assert "FV-1 (fakturownia, GET /invoices.json page 1): due_date:" in str(note)


def test_a_merge_keeps_the_notes_of_due_dates_moved_by_either_build() -> None:
    one = ledger(invoice("acme", id="A-1", issued="2021-08-31", due="2021-08-07",
                         total="10.00", source="xero"))
    two = ledger(invoice("beta", id="B-1", issued="2021-09-01", due="2021-08-01",
                         total="10.00", source="csv"))
    merged = one.merge(two)
    assert [(a.source, a.record_id) for a in merged.report.adjusted] == [
        ("xero", "A-1"), ("csv", "B-1")]
    assert merged.invoice(merged.key("xero", "A-1")).due_date == date(2021, 8, 31)


@FAST
@given(valid_books(), st.randoms(use_true_random=False))
def test_two_sources_with_the_same_ids_settle_as_each_alone(
    book_: Book, rnd: random.Random
) -> None:
    # The same book from two sources ("old" and "new", the very same ids): each source's
    # records resolve within it, so each invoice settles as it does in its own ledger.
    alone = ledger(*book_.records)
    twice = [r.model_copy(update={"source": s}) for s in ("old", "new") for r in book_.records]
    rnd.shuffle(twice)
    both = ledger(*twice)
    assert both.report.ok
    assert len(both) == 2 * len(alone)
    as_of = START + timedelta(days=400)
    single = settle(alone, as_of=as_of)
    merged = settle(both, as_of=as_of)
    for source in ("old", "new"):
        for invoice_id, settlement in single.items():
            got = merged[f"{source}:{invoice_id}"]
            assert (got.invoice_id, got.customer_id) == (
                f"{source}:{invoice_id}", f"{source}:{settlement.customer_id}")
            assert got.model_copy(update={
                "invoice_id": invoice_id,
                "customer_id": settlement.customer_id,
                # (the same numbers in two sources: a note names the invoice "I2 (old:I2)")
                "notes": tuple(n.replace(f" ({source}:{invoice_id})", "").replace(
                    f"{source}:", "") for n in got.notes),
            }) == settlement
        for customer_id in alone.customer_ids:
            assert both.group_of(f"{source}:{customer_id}") == (
                f"{source}:{alone.group_of(customer_id)}")
