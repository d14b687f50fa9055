"""clientguard.tax_id: one canonical form of a tax number, so that sources match."""

from __future__ import annotations

import pytest

from clientguard.tax_id import normalise_tax_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DE 123.456.789", "DE123456789"),  # a foreign VAT number keeps its prefix
        ("PL5252445767", "5252445767"),  # a Polish VAT number is its NIP
        ("PL 525-244-57-67", "5252445767"),  # as Stripe's eu_vat ids are often typed
        ("525-244-57-67", "5252445767"),  # as Fakturownia's tax_no is often typed
        ("525 244 57 67", "5252445767"),
        ("pl5252445767", "5252445767"),
        ("gb 123/4567/89", "GB123456789"),
        ("PL525244576", "PL525244576"),  # nine digits: not a NIP, kept as written
        (" - ", None),
        ("", None),
        (None, None),
    ],
)
def test_tax_ids_have_one_canonical_form(text: str | None, expected: str | None) -> None:
    assert normalise_tax_id(text) == expected


def test_a_number_of_another_kind_is_only_cleaned() -> None:
    assert normalise_tax_id("PL 5252445767", nip=False) == "PL5252445767"
    assert normalise_tax_id("900101-12345", nip=False) == "90010112345"
