"""The fixed compensation left out of ``claimable`` for want of a rate, in the JSON report
(schema 1.7: ``compensation_unpriced`` and ``compensation_unconvertible``, of the book and of
each client; docs/report-schema.md).

Until 2026-12-07 the JSON wrote ``claimable`` alone: a program saw it drop, with only the advice
text saying why. The book is tests/test_claimable_is_the_claim.py's ``_two_laws``: an EUR book
without an FxTable: acme under UK law, 12 late GBP 2,000 invoices, GBP 70 each (from GBP 1,000
and below 10,000, s.5A(2A) of the 1998 Act): 840.00 GBP the claim asks in GBP and the ledger
cannot convert to EUR; bolt under Polish law, 12 late PLN 10,000 invoices, EUR 70 each (above
PLN 5,000 and below 50,000, art. 10 ust. 1): 840.00 EUR owed in PLN at an NBP rate the ledger
does not have.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import jsonschema  # type: ignore[import-untyped]
import pytest

from clientguard.ledger import Ledger
from clientguard.model import AnyRecord
from clientguard.policy import Policy
from clientguard.report import render
from clientguard.report.document import SCHEMA_VERSION, schema
from clientguard.review import review
from clientguard.testing import customer, invoice, ledger, payment


def _late_invoices(who: str, currency: str, total: str, rate: str) -> list[AnyRecord]:
    """12 invoices of ``total`` in ``currency`` at ``rate`` (EUR per unit), 30 days' terms,
    from 2 January 2025, each paid 31 days late: a warning, so the review advises the claim."""
    records: list[AnyRecord] = [customer(who)]
    for n in range(12):
        sent = invoice(who, issued=date(2025, 1, 2) + timedelta(days=30 * n), total=total,
                       currency=currency, fx_rate=Decimal(rate), id=f"{who}-F{n}")
        records += [sent, payment(who, on=sent.due_date + timedelta(days=31), amount=total,
                                  currency=currency, fx_rate=Decimal(rate), pays=sent,
                                  id=f"{who}-P{n}")]
    return records


def two_laws() -> tuple[Ledger, Policy]:
    book = ledger(*_late_invoices("acme", "GBP", "2000.00", "1.1700"),
                  *_late_invoices("bolt", "PLN", "10000.00", "0.2300"), base_currency="EUR")
    return book, Policy(jurisdiction="pl", client_jurisdictions={"acme": "uk"})


def _document() -> dict[str, object]:
    book, policy = two_laws()
    document: dict[str, object] = json.loads(
        render(review(book, as_of=date(2026, 2, 28), policy=policy), "json"))
    return document


def test_the_json_says_the_compensation_left_out_for_the_book_and_each_client() -> None:
    document = _document()
    jsonschema.Draft202012Validator(schema()).validate(document)
    assert document["schema_version"] == SCHEMA_VERSION == "1.7"
    clients = {c["client_id"]: c for c in document["clients"]}  # type: ignore[attr-defined]
    # Money as every amount of the schema is written, a string rounded to the minor unit, but
    # in the currency the law states it in (not the base), so keyed by that currency.
    assert clients["acme"]["compensation_unconvertible"] == {"GBP": "840.00"}
    assert clients["acme"]["compensation_unpriced"] == {}
    assert clients["bolt"]["compensation_unpriced"] == {"EUR": "840.00"}
    assert clients["bolt"]["compensation_unconvertible"] == {}
    book = document["book"]
    assert book["compensation_unpriced"] == {"EUR": "840.00"}  # type: ignore[index]
    assert book["compensation_unconvertible"] == {"GBP": "840.00"}  # type: ignore[index]


@pytest.mark.parametrize("field", ["compensation_unpriced", "compensation_unconvertible"])
def test_a_1_6_document_without_the_fields_is_no_longer_the_schema(field: str) -> None:
    # The schema lists exactly the fields of its version: both are required in 1.7.
    document = _document()
    del document["clients"][0][field]  # type: ignore[index]
    with pytest.raises(jsonschema.ValidationError, match=field):
        jsonschema.Draft202012Validator(schema()).validate(document)
