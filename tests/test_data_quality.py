"""The review's data quality: payments for another customer's invoice, and amounts finer than
their currency allows. Both are reported, never rejected, and change no number."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import jsonschema  # type: ignore[import-untyped]
import pytest

from clientguard.ledger import Ledger
from clientguard.model import AnyRecord
from clientguard.report import render
from clientguard.report.document import SCHEMA_VERSION, schema
from clientguard.review import DataQuality, review
from clientguard.settlement import settle
from clientguard.testing import credit_note, customer, invoice, ledger, payment

AS_OF = date(2025, 6, 30)


def quality_of(*records: AnyRecord) -> DataQuality:
    book = ledger(*records)
    assert book.report.rejected == ()  # reported, never rejected
    return review(book, as_of=AS_OF).data_quality


# ----------------------------------------------------------------------------- foreign payers


def foreign_payment() -> list[AnyRecord]:
    inv = invoice("beta", issued="2025-01-01", total="100.00", status="paid", id="B-1")
    return [customer("acme"), customer("beta"), inv,
            payment("acme", on="2025-02-01", amount="100.00", pays=inv, id="P-1")]


def foreign_credit_note() -> list[AnyRecord]:
    inv = invoice("beta", issued="2025-01-01", total="100.00", status="paid", id="B-1")
    return [customer("acme"), customer("beta"), inv,
            credit_note("acme", issued="2025-02-01", total="100.00", applies_to=inv, id="CN-1")]


def same_group() -> list[AnyRecord]:
    # The parent pays its subsidiary's invoice: one client, nothing to report.
    inv = invoice("sub", issued="2025-01-01", total="100.00", status="paid", id="S-1")
    return [customer("parent", group="holding"), customer("sub", group="holding"), inv,
            payment("parent", on="2025-02-01", amount="100.00", pays=inv, id="P-1")]


def other_groups() -> list[AnyRecord]:
    # Two groups: a company of one pays an invoice of a company of the other.
    inv = invoice("beta", issued="2025-01-01", total="100.00", status="paid", id="B-1")
    return [customer("acme", group="north"), customer("beta", group="south"), inv,
            payment("acme", on="2025-02-01", amount="100.00", pays=inv, id="P-1")]


def payer_without_customer_record() -> list[AnyRecord]:
    inv = invoice("beta", issued="2025-01-01", total="100.00", status="paid", id="B-1")
    return [customer("beta"), inv,
            payment("stranger", on="2025-02-01", amount="100.00", pays=inv, id="P-1")]


def mixed() -> list[AnyRecord]:
    # One payment pays its own customer's invoice and another's; a credit note dated before
    # the payments is still listed after them (payments first, then credit notes).
    own = invoice("acme", issued="2025-01-01", total="50.00", status="paid", id="A-1")
    theirs = invoice("beta", issued="2025-01-02", total="80.00", status="paid", id="B-1")
    later = invoice("beta", issued="2025-01-03", total="30.00", status="paid", id="B-2")
    return [
        customer("acme"), customer("beta"), own, theirs, later,
        credit_note("acme", issued="2025-01-20", total="30.00", applies_to=later, id="CN-1"),
        payment("acme", on="2025-03-01", amount="50.00", pays=own, id="P-2"),
        payment("acme", on="2025-02-01", amount="130.00",
                pays=[(own, "0.00"), (theirs, "80.00")], id="P-1"),
    ]


def two_payers() -> list[AnyRecord]:
    # zed pays first: the list follows the ledger's order, not the payers' names.
    first = invoice("beta", issued="2025-01-01", total="10.00", status="paid", id="B-1")
    second = invoice("beta", issued="2025-01-02", total="20.00", status="paid", id="B-2")
    return [
        customer("acme"), customer("beta"), customer("zed"), first, second,
        payment("acme", on="2025-02-01", amount="20.00", pays=second, id="P-A"),
        payment("zed", on="2025-01-10", amount="10.00", pays=first, id="P-Z"),
    ]


def clean() -> list[AnyRecord]:
    inv = invoice("acme", issued="2025-01-01", total="100.00", status="paid", id="A-1")
    return [customer("acme"), inv,
            payment("acme", on="2025-02-01", amount="100.00", pays=inv, id="P-1")]


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        pytest.param(foreign_payment, ("payment P-1 -> B-1",), id="payment"),
        pytest.param(foreign_credit_note, ("credit_note CN-1 -> B-1",), id="credit-note"),
        pytest.param(same_group, (), id="same-group-left-out"),
        pytest.param(other_groups, ("payment P-1 -> B-1",), id="other-group"),
        pytest.param(payer_without_customer_record, ("payment P-1 -> B-1",),
                     id="payer-not-a-customer-record"),
        pytest.param(mixed, ("payment P-1 -> B-1", "credit_note CN-1 -> B-2"),
                     id="ledger-order-own-invoice-left-out"),
        pytest.param(two_payers, ("payment P-Z -> B-1", "payment P-A -> B-2"),
                     id="ledger-order-across-payers"),
        pytest.param(clean, (), id="clean"),
    ],
)
def test_allocations_to_another_customers_invoice_are_listed(
    records: Callable[[], list[AnyRecord]], expected: tuple[str, ...]
) -> None:
    assert quality_of(*records()).foreign_allocations == expected


def test_a_foreign_payment_still_pays_the_invoice_for_the_invoices_customer() -> None:
    # Reported, not refused: the invoice is settled by the other company's money, and its
    # customer's lateness is measured (32 days from due 2025-01-31 to 2025-03-04).
    inv = invoice("beta", issued="2025-01-01", due="2025-01-31", total="100.00", status="paid",
                  id="B-1")
    book = ledger(customer("acme"), customer("beta"), inv,
                  payment("acme", on="2025-03-04", amount="100.00", pays=inv, id="P-1"))
    settled = settle(book, as_of=AS_OF)["B-1"]
    assert (settled.customer_id, settled.status, settled.days_late) == ("beta", "settled", 32)
    assert review(book, as_of=AS_OF).data_quality.foreign_allocations == ("payment P-1 -> B-1",)


@pytest.mark.parametrize(
    ("records", "sentence"),
    [
        pytest.param(foreign_payment, "1 allocation pays an invoice of a customer outside the "
                     "payer's group", id="one"),
        pytest.param(mixed, "2 allocations pay an invoice of a customer outside the payer's "
                     "group", id="two"),
    ],
)
def test_foreign_allocations_get_one_sentence_in_the_notes(
    records: Callable[[], list[AnyRecord]], sentence: str
) -> None:
    notes = quality_of(*records()).notes
    said = [note for note in notes if "outside the payer's group" in note]
    assert len(said) == 1
    assert said[0].startswith(sentence)
    assert "against the invoice's customer" in said[0]


# ----------------------------------------------------------------------------- precision


def eur_invoice(total: str) -> list[AnyRecord]:
    return [invoice("acme", issued="2025-01-01", total=total, id="I-1")]


def jpy_invoice(total: str) -> list[AnyRecord]:
    return [invoice("acme", issued="2025-01-01", total=total, currency="JPY",
                    fx_rate="0.0062", id="I-1")]


def kwd_invoice(total: str) -> list[AnyRecord]:
    return [invoice("acme", issued="2025-01-01", total=total, currency="KWD",
                    fx_rate="2.9", id="I-1")]


def amount_due(due: str) -> list[AnyRecord]:
    return [invoice("acme", issued="2025-01-01", total="10.00", amount_due=due, id="I-1")]


def payment_amount(amount: str) -> list[AnyRecord]:
    return [payment("acme", on="2025-02-01", amount=amount, id="P-1")]


def allocation(share: str) -> list[AnyRecord]:
    inv = invoice("acme", issued="2025-01-01", total="100.00", id="I-1")
    return [inv, payment("acme", on="2025-02-01", amount="20.00", pays=[(inv, share)], id="P-1")]


def credit_total(total: str) -> list[AnyRecord]:
    return [credit_note("acme", issued="2025-02-01", total=total, id="CN-1")]


def credit_allocation(share: str) -> list[AnyRecord]:
    inv = invoice("acme", issued="2025-01-01", total="100.00", id="I-1")
    return [inv, credit_note("acme", issued="2025-02-01", total="20.00",
                             applies_to=[(inv, share)], id="CN-1")]


def credit_refund(refunded: str) -> list[AnyRecord]:
    return [credit_note("acme", issued="2025-02-01", total="20.00", refunded=refunded,
                        id="CN-1")]


def eur_pays_jpy(share: str) -> list[AnyRecord]:
    # The allocation is in the payment's currency (EUR, two decimals), not the invoice's (JPY).
    inv = invoice("acme", issued="2025-01-01", total="10000", currency="JPY", fx_rate="0.0062",
                  id="I-1")
    return [inv, payment("acme", on="2025-02-01", amount="20.00", pays=[(inv, share)],
                         id="P-1")]


def jpy_pays_eur(share: str) -> list[AnyRecord]:
    inv = invoice("acme", issued="2025-01-01", total="100.00", id="I-1")
    return [inv, payment("acme", on="2025-02-01", amount="1000", currency="JPY",
                         fx_rate="0.0062", pays=[(inv, share)], id="P-1")]


@pytest.mark.parametrize(
    ("records", "amount", "expected"),
    [
        pytest.param(eur_invoice, "10.005", ("invoice I-1",), id="eur-10.005"),
        pytest.param(eur_invoice, "10.501", ("invoice I-1",), id="eur-10.501"),
        pytest.param(eur_invoice, "0.001", ("invoice I-1",), id="eur-0.001"),
        pytest.param(eur_invoice, "10.50", (), id="eur-10.50"),
        pytest.param(eur_invoice, "10.5", (), id="eur-10.5"),
        pytest.param(eur_invoice, "10.500", (), id="eur-10.500"),
        pytest.param(eur_invoice, "10.5000000", (), id="eur-many-zeros"),
        pytest.param(eur_invoice, "1E+2", (), id="eur-1E+2"),
        pytest.param(eur_invoice, "10", (), id="eur-whole"),
        pytest.param(jpy_invoice, "100.5", ("invoice I-1",), id="jpy-100.5"),
        pytest.param(jpy_invoice, "100", (), id="jpy-100"),
        pytest.param(jpy_invoice, "100.0", (), id="jpy-100.0"),
        pytest.param(kwd_invoice, "1.005", (), id="kwd-three-places"),
        pytest.param(kwd_invoice, "1.0005", ("invoice I-1",), id="kwd-four-places"),
        pytest.param(amount_due, "10.005", ("invoice I-1",), id="amount-due"),
        pytest.param(amount_due, "10.00", (), id="amount-due-fine"),
        pytest.param(payment_amount, "10.005", ("payment P-1",), id="payment-amount"),
        # More digits than Decimal's default precision (28) holds: still exact.
        pytest.param(payment_amount, "1." + "0" * 30 + "1", ("payment P-1",),
                     id="long-finer"),
        pytest.param(payment_amount, "1." + "0" * 31, (), id="long-fine"),
        pytest.param(allocation, "10.005", ("payment P-1",), id="allocation"),
        pytest.param(allocation, "10.000", (), id="allocation-fine"),
        pytest.param(credit_total, "5.005", ("credit_note CN-1",), id="credit-note-total"),
        pytest.param(credit_allocation, "5.005", ("credit_note CN-1",),
                     id="credit-note-allocation"),
        pytest.param(credit_refund, "5.005", ("credit_note CN-1",), id="credit-note-refund"),
        pytest.param(credit_refund, "5.50", (), id="credit-note-refund-fine"),
        pytest.param(eur_pays_jpy, "10.50", (), id="allocation-in-the-payments-currency"),
        pytest.param(jpy_pays_eur, "100.5", ("payment P-1",), id="jpy-allocation-to-eur"),
    ],
)
def test_amounts_finer_than_the_currency_are_listed(
    records: Callable[[str], list[AnyRecord]], amount: str, expected: tuple[str, ...]
) -> None:
    assert quality_of(customer("acme"), *records(amount)).excess_precision == expected


def test_each_record_is_listed_once_in_ledger_order() -> None:
    inv = invoice("acme", issued="2025-01-02", total="100.001", amount_due="100.001", id="I-2")
    early = invoice("acme", issued="2025-01-01", total="5.005", id="I-1")
    fine = invoice("acme", issued="2025-01-03", total="7.00", id="I-3")
    paid = payment("acme", on="2025-02-01", amount="60.005",
                   pays=[(inv, "30.001"), (fine, "6.001")], id="P-1")
    note = credit_note("acme", issued="2025-01-15", total="1.001", id="CN-1")
    quality = quality_of(customer("acme"), note, paid, fine, inv, early)
    assert quality.excess_precision == (
        "invoice I-1", "invoice I-2", "payment P-1", "credit_note CN-1"
    )


def test_a_finer_amount_is_used_as_given() -> None:
    inv = invoice("acme", issued="2025-01-01", total="10.005", id="I-1")
    book = ledger(customer("acme"), inv)
    assert book.report.rejected == ()
    assert settle(book, as_of=AS_OF)["I-1"].open_balance == Decimal("10.005")
    result = review(book, as_of=AS_OF)
    assert result.book.receivables.amounts == {"acme": Decimal("10.005")}


@pytest.mark.parametrize(
    ("records", "sentence"),
    [
        pytest.param([invoice("acme", issued="2025-01-01", total="1.001", id="I-1")],
                     "1 record has an amount finer than its currency's minor unit", id="one"),
        pytest.param([invoice("acme", issued="2025-01-01", total="1.001", id="I-1"),
                      payment("acme", on="2025-01-05", amount="2.002", id="P-1")],
                     "2 records have an amount finer than their currency's minor unit",
                     id="two"),
    ],
)
def test_finer_amounts_get_one_sentence_in_the_notes(
    records: list[AnyRecord], sentence: str
) -> None:
    said = [n for n in quality_of(customer("acme"), *records).notes if "minor unit" in n]
    assert said == [said[0]]
    assert said[0].startswith(sentence)


def test_a_clean_ledger_has_no_data_quality_notes() -> None:
    quality = quality_of(*clean())
    assert (quality.foreign_allocations, quality.excess_precision, quality.notes) == ((), (), ())


def test_the_checks_see_the_whole_ledger_whatever_the_review_date() -> None:
    # Data quality describes the data as it stands, like the source's disagreements.
    inv = invoice("beta", issued="2025-09-01", total="9.999", status="paid", id="B-9")
    book = ledger(customer("acme"), customer("beta"), inv,
                  payment("acme", on="2025-09-15", amount="9.999", pays=inv, id="P-9"))
    quality = review(book, as_of=AS_OF).data_quality  # before both exist
    assert quality.foreign_allocations == ("payment P-9 -> B-9",)
    assert quality.excess_precision == ("invoice B-9", "payment P-9")
    # Kept on the ledger for its next review (a backfill's months): the same lists at any
    # date, and the same as a new ledger of the same records gives.
    later = review(book, as_of=date(2025, 12, 31)).data_quality
    fresh = review(ledger(*book.records()), as_of=date(2025, 12, 31)).data_quality
    for each in (later, fresh):
        assert each.foreign_allocations == ("payment P-9 -> B-9",)
        assert each.excess_precision == ("invoice B-9", "payment P-9")


# ----------------------------------------------------------------------------- reports


def flawed_book() -> Ledger:
    script = "<script>alert(1)</script>"
    inv = invoice("beta", issued="2025-01-01", total="100.005", status="paid", id=script)
    return ledger(customer("acme"), customer("beta"), inv,
                  payment("acme", on="2025-02-01", amount="100.005", pays=inv, id="P-1"))


def test_the_json_report_carries_the_lists_and_validates_against_the_schema() -> None:
    document = json.loads(render(review(flawed_book(), as_of=AS_OF), "json"))
    validator = jsonschema.Draft202012Validator(schema())
    validator.validate(document)
    quality = document["data_quality"]
    assert quality["foreign_allocations"] == ["payment P-1 -> <script>alert(1)</script>"]
    assert quality["excess_precision"] == ["invoice <script>alert(1)</script>", "payment P-1"]
    # The schema's version is the document's, and the new fields are required and typed.
    assert schema()["$id"] == f"clientguard.review/{SCHEMA_VERSION}"
    for field in ("foreign_allocations", "excess_precision"):
        missing = json.loads(json.dumps(document))
        del missing["data_quality"][field]
        assert any(f"'{field}' is a required property" in e.message
                   for e in validator.iter_errors(missing))
        wrong = json.loads(json.dumps(document))
        wrong["data_quality"][field] = [1]
        assert not validator.is_valid(wrong)
        assert schema()["properties"]["data_quality"]["properties"][field]["description"]


def test_the_html_report_lists_them_escaped() -> None:
    page = render(review(flawed_book(), as_of=AS_OF), "html")
    section = page[page.index('<section id="data-quality">'):]
    section = section[:section.index("</section>")]
    assert "<script" not in section.lower()
    assert "payment P-1 -&gt; &lt;script&gt;alert(1)&lt;/script&gt;" in section
    assert "invoice &lt;script&gt;alert(1)&lt;/script&gt;" in section
    assert "outside the payer&#x27;s group" in section


def test_the_table_report_lists_them() -> None:
    text = render(review(flawed_book(), as_of=AS_OF), "table")
    quality = text[text.index("\nData quality\n"):]
    assert "- payment P-1 -> <script>alert(1)</script>" in quality
    assert "- invoice <script>alert(1)</script>" in quality
    assert "1 allocation pays an invoice of a customer outside the payer's group" in quality


def test_long_lists_are_cut_in_the_table_and_the_page_but_not_in_the_json() -> None:
    records: list[AnyRecord] = [customer("acme"), customer("beta")]
    for n in range(60):
        inv = invoice("beta", issued="2025-01-01", total="10.00", status="paid", id=f"B-{n:02d}")
        records += [inv, payment("acme", on="2025-02-01", amount="10.00", pays=inv,
                                 id=f"P-{n:02d}")]
    result = review(ledger(*records), as_of=AS_OF)
    table = render(result, "table")
    assert "- payment P-09 -> B-09" in table
    assert "P-10 -> B-10" not in table
    assert "... and 50 more" in table
    page = render(result, "html")
    assert "payment P-49 -&gt; B-49" in page
    assert "P-50 -&gt; B-50" not in page
    assert "... and 10 more" in page
    document = json.loads(render(result, "json"))
    assert len(document["data_quality"]["foreign_allocations"]) == 60


# ----------------------------------------------------------------------------- due before issue


def test_an_invoice_due_before_its_issue_date_is_late_from_its_issue_date_and_counted() -> None:
    # The Xero case: Date 2021-08-31, DueDate 2021-08-07, paid 2021-09-10. Counted from the
    # source's due date it would be 34 days late; it was 10 days after the invoice was issued.
    inv = invoice("acme", issued="2021-08-31", due="2021-08-07", total="100.00", id="INV-9",
                  status="paid", source="xero")
    before = invoice("acme", issued="2021-08-31", due="2021-08-30", total="1.00", id="INV-8",
                     source="xero", status="paid")
    book = ledger(customer("acme", source="xero"), inv, before,
                  payment("acme", on="2021-09-10", amount="100.00", pays=inv, id="P-1",
                          source="xero"),
                  payment("acme", on="2021-08-20", amount="1.00", pays=before, id="P-2",
                          source="xero"))
    assert book.report.rejected == ()
    settled = settle(book, as_of=AS_OF)
    assert settled["INV-9"].days_late == 10
    # Paid before it was issued: a prepayment, as for any invoice, not a rejection.
    assert (settled["INV-8"].prepaid, settled["INV-8"].days_late) == (True, 0)
    quality = review(book, as_of=AS_OF).data_quality
    assert [entry.split(":")[0] for entry in quality.due_before_issue] == [
        "invoice INV-8 (xero)", "invoice INV-9 (xero)"]
    assert "2021-08-07" in quality.due_before_issue[1]
    said = [note for note in quality.notes if "before their issue date" in note]
    assert said == ["2 invoices are due before their issue date in the source; counted as due "
                    "on the issue date."]
    document = json.loads(render(review(book, as_of=AS_OF), "json"))
    assert len(document["data_quality"]["due_before_issue"]) == 2


# ----------------------------------------------------------------------------- grouped notes


def open_but_paid(count: int, *, currency: str = "EUR") -> list[AnyRecord]:
    """``count`` invoices the source marks open, each with 7.20 still due, that a payment
    settles: two alike notes each (as Invoice Ninja's export gives them)."""
    records: list[AnyRecord] = []
    for n in range(count):
        inv = invoice("ninja", id=f"N-{n:03}", issued="2025-01-01", total="100.00",
                      status="open", amount_due="7.20", currency=currency,
                      fx_rate="0.5" if currency != "EUR" else None)
        records += [inv, payment("ninja", id=f"P-{n:03}", on="2025-02-01", amount="100.00",
                                 pays=inv, currency=currency,
                                 fx_rate="0.5" if currency != "EUR" else None)]
    return records


def test_alike_notes_are_grouped_with_a_count_examples_and_the_amount_involved() -> None:
    quality = review(ledger(*open_but_paid(5, currency="USD")), as_of=AS_OF).data_quality
    assert len(quality.notes) == 10  # the full list stays
    kinds = [(g.kind, g.count) for g in quality.groups]
    assert kinds == [("open_but_settled", 5), ("amount_due_mismatch", 5)]
    settled, due = quality.groups
    # In the base currency: five totals of 100.00 USD at 0.5, five differences of 7.20 at 0.5.
    assert settled.amount == Decimal("250.00")
    assert due.amount == Decimal("18.00")
    assert settled.examples == quality.notes[0:6:2][:3]
    assert len(due.examples) == 3


def test_the_table_and_page_show_a_large_group_in_a_few_lines() -> None:
    result = review(ledger(*open_but_paid(184)), as_of=AS_OF)
    table = render(result, "table")
    section = table[table.index("Data quality"):]
    assert section.count("N-") <= 2 * 2 * 3  # three examples a kind, each naming it twice
    assert "184 cases; 18,400.00 EUR involved (the invoices' totals)" in section.replace(
        "\n    ", " ")
    assert "... and 181 more (the JSON report and clientguard rejections list every one)" in (
        section)
    page = render(result, "html")
    assert page.count("is due on invoice N-") == 3
    document = json.loads(render(result, "json"))
    assert len(document["data_quality"]["notes"]) == 368
    (first, second) = document["data_quality"]["groups"]
    assert (first["kind"], first["count"], first["amount"], first["amount_of"]) == (
        "open_but_settled", 184, "18400.00", "the invoices' totals")
    assert (second["kind"], second["amount"]) == ("amount_due_mismatch", "1324.80")
    jsonschema.validate(document, schema())


def test_a_small_group_is_listed_note_by_note() -> None:
    result = review(ledger(*open_but_paid(1)), as_of=AS_OF)
    table = render(result, "table")
    for note in result.data_quality.notes:
        assert note[:60] in table.replace("\n    ", " ")
    assert "cases" not in table
