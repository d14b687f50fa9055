"""The recorded Fakturownia response in ../shared/reference/apis: every record is mapped or
rejected with a reason (skipped when the file is absent)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from clientguard.errors import DataError
from clientguard.model import Customer, Invoice
from clientguard_fakturownia.mapping import MappingRules, map_document


def test_the_recorded_invoice_without_a_payment_term_is_rejected_saying_why(
    recorded: Callable[[str], Any],
) -> None:
    raw = recorded("fakturownia_invoice_fixture.json")
    # The fixture has no payment_to: Fakturownia's "no term". Without a default, the reason
    # tells the user what to do.
    with pytest.raises(DataError, match="payment_to") as caught:
        map_document(raw)
    assert "default_terms_days" in str(caught.value)


def test_the_recorded_invoice_maps_with_default_terms(recorded: Callable[[str], Any]) -> None:
    raw = recorded("fakturownia_invoice_fixture.json")
    result = map_document(raw, MappingRules(default_terms_days=14))
    assert isinstance(result, list)
    customer, invoice = result
    assert isinstance(customer, Customer)
    assert isinstance(invoice, Invoice)
    # No client card in the fixture: the buyer's NIP identifies the customer.
    assert customer.tax_id == "1234567890"
    assert invoice.customer_id == "nip:1234567890"
    assert invoice.id == "380058094"
    assert invoice.number == "FV/TEST/08/2026"
    assert invoice.total == Decimal("100.00")  # from the string "100.00"
    assert invoice.currency == "PLN"
    assert invoice.status == "open"  # "issued"
    assert invoice.issue_date == date(2026, 8, 26)
    assert invoice.due_date == date(2026, 9, 9)
