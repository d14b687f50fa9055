"""The fixed compensation left out of ``claimable`` for want of a rate, in the JSON report
(schema 1.7: ``compensation_unpriced`` and ``compensation_unconvertible``, of the book and of
each client; docs/report-schema.md), and the time-barred one (schema 1.8:
``time_barred_unconvertible``).

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
from typing import Any

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
    assert document["schema_version"] == SCHEMA_VERSION == "1.10"
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


# --- time-barred compensation the ledger cannot convert (schema 1.8) -------------------------


def _barred_document() -> dict[str, Any]:
    """acme of ``two_laws`` alone (UK law, an EUR book without an FxTable) and one GBP 2,000
    invoice more, due 1 March 2018 and paid 31 days late: as of 28 February 2026 its claim is
    time-barred whole (six years from the day the debt fell due, s.5 Limitation Act 1980,
    ended on 1 March 2024)."""
    old = invoice("acme", issued=date(2018, 1, 30), due=date(2018, 3, 1), total="2000.00",
                  currency="GBP", fx_rate=Decimal("1.1700"), id="acme-OLD")
    paid = payment("acme", on=date(2018, 4, 1), amount="2000.00", currency="GBP",
                   fx_rate=Decimal("1.1700"), pays=old, id="acme-OLD-P")
    book = ledger(*_late_invoices("acme", "GBP", "2000.00", "1.1700"), old, paid,
                  base_currency="EUR")
    document: dict[str, Any] = json.loads(render(
        review(book, as_of=date(2026, 2, 28), policy=Policy(jurisdiction="uk")), "json"))
    return document


def test_the_json_says_the_time_barred_compensation_it_cannot_convert() -> None:
    # The old invoice's GBP 70 (from GBP 1,000 and below 10,000, s.5A(2A)) is time-barred and
    # the ledger has no rate to convert it to EUR: the claim counts it in its time-barred
    # totals in GBP; time_barred (EUR) holds its interest alone, 2,000 x 8.5% (0.5% + 8) x 31
    # / 365 = 14.438... -> 14.44 GBP x 1.17 = 16.8948 -> 16.89 EUR. Until 2026-12-07 (schema
    # 1.7) the JSON had no field for the 70.00 GBP: the review's models and text said it, a
    # program reading the JSON did not see it.
    document = _barred_document()
    jsonschema.Draft202012Validator(schema()).validate(document)
    assert document["schema_version"] == SCHEMA_VERSION == "1.10"
    (client,) = document["clients"]
    book = document["book"]
    for part in (book, client):
        assert part["time_barred_unconvertible"] == {"GBP": "70.00"}
        assert part["time_barred"] == "16.89"
    # The twelve GBP 70s of 2025 are not time-barred: 840.00 GBP left out of claimable.
    assert client["compensation_unconvertible"] == {"GBP": "840.00"}
    # None is time-barred in the two-laws book: {}, not a missing field.
    plain = _document()
    assert plain["book"]["time_barred_unconvertible"] == {}  # type: ignore[index]
    assert all(c["time_barred_unconvertible"] == {}
               for c in plain["clients"])  # type: ignore[attr-defined]


@pytest.mark.parametrize("where", ["book", "client"])
def test_a_1_7_document_without_time_barred_unconvertible_is_no_longer_the_schema(
    where: str
) -> None:
    # The schema lists exactly the fields of its version: required in 1.8.
    document = _barred_document()
    part = document["book"] if where == "book" else document["clients"][0]
    del part["time_barred_unconvertible"]
    with pytest.raises(jsonschema.ValidationError, match="time_barred_unconvertible"):
        jsonschema.Draft202012Validator(schema()).validate(document)
