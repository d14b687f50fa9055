"""clientguard.tax_id: one canonical form of a tax number, so that sources match."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientguard.tax_id import comparable_tax_id, normalise_tax_id


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


# ----------------------------------------------------------- labels typed before the number

# GB123456789, DE123456789: the shapes of the UK's and Germany's VAT numbers (9 digits after
# the prefix). 5252445767: 5*6 + 2*5 + 5*7 + 2*2 + 4*3 + 4*4 + 5*5 + 7*6 + 6*7 = 216 =
# 19*11 + 7, and the tenth digit is 7: a valid NIP, written as its ten digits.
@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("VAT Reg No: GB 123 4567 89", "GB123456789"),
        ("VAT Reg. No. GB123456789", "GB123456789"),
        ("VAT No.: GB123456789", "GB123456789"),  # docs/sources.md lists "VAT No." as a label
        ("VAT Registration Number: GB123456789", "GB123456789"),
        ("VAT number: PL5252445767", "5252445767"),
        ("NIP.: 525-244-57-67", "5252445767"),
        ("NIP nr 525-244-57-67", "5252445767"),
        ("Nr NIP: 525-244-57-67", "5252445767"),
        ("NIP UE: PL 5252445767", "5252445767"),
        ("USt-IdNr.: DE123456789", "DE123456789"),
        ("UID: ATU12345678", "ATU12345678"),
        ("Tax ID: DE123456789", "DE123456789"),
        ("CIF: ESB12345678", "ESB12345678"),
        # Norway's prefix is not the label word "No": no delimiter after it, or the nine
        # digits and MVA of a Norwegian number after it (974760673: Brønnøysundregistrene's
        # own, whose check digit is right, as every Norwegian number's is).
        ("VAT NO974760673MVA", "NO974760673MVA"),
        ("VAT NO 974 760 673 MVA", "NO974760673MVA"),
        ("NO 974 760 673 MVA", "NO974760673MVA"),
    ],
)
def test_a_label_typed_before_the_number_is_left_out(typed: str, expected: str) -> None:
    assert normalise_tax_id(typed) == expected
    assert comparable_tax_id(typed) == comparable_tax_id(expected) is not None


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("Steuer-Nr: DE123456789", "a label not in the grammar: STEUERNR: is left in"),
        ("NR5252445767", "letters before the digits that are no VAT prefix"),
        ("NOGB123456789", "two prefixes: a label's 'No' glued to the number"),
        ("REGON: 012345678", "REGON is a statistical number, not a tax number (no label)"),
        ("GB123456789#", "punctuation in the number"),
        ("123456789RT0001", "letters inside a number that is no VAT format known here"),
    ],
)
def test_what_is_not_shaped_like_a_number_identifies_no_one(typed: str, why: str) -> None:
    assert comparable_tax_id(typed) is None, why


@pytest.mark.parametrize(
    ("number", "compared_as"),
    [
        # The VAT formats with letters, as the EU states publish them (VIES): each
        # identifies someone (shapes from the states' formats, digits made up). Compared with
        # the prefix, which says the state (Cyprus's 12345678L is also the shape of a Spanish
        # NIF; Austria's U12345678 of a Spanish CIF); a bare number with its prefix where its
        # shape is one state's only (a Spanish CIF with a letter first, Ireland's, Norway's
        # MVA); Norway's without MVA; a Swiss UID without MWST.
        ("ATU12345678", "ATU12345678"), ("CY12345678L", "CY12345678L"),
        ("ESX1234567R", "ESX1234567R"), ("ES12345678Z", "ES12345678Z"),
        ("B12345678", "ESB12345678"),
        ("FRAB123456789", "FRAB123456789"), ("FR12123456789", "FR12123456789"),
        ("IE1234567T", "IE1234567T"), ("IE1234567FA", "IE1234567FA"),
        ("NL123456789B01", "NL123456789B01"), ("NO974760673MVA", "NO974760673"),
        ("974760673MVA", "NO974760673"), ("CHE123456789MWST", "CHE123456789"),
        ("EL123456789", "EL123456789"), ("SE123456789001", "SE123456789001"),
        ("GB123456789", "GB123456789"),
    ],
)
def test_vat_numbers_with_letters_in_their_format_identify_someone(
    number: str, compared_as: str
) -> None:
    assert comparable_tax_id(number) == compared_as


_KINDS = ["NIP", "VAT", "TAX", "TIN", "EIN", "ABN", "GST", "UID", "NIF", "CIF", "USt"]
_QUALIFIERS = ["ID", "IdNr", "UE", "EU", "Reg", "Registration", "Number", "Numer", "No.",
               "Nr", "no", "nr."]
_GAPS = [" ", ". ", ": ", ":", "#", " # ", "-", " - ", ".:"]


@st.composite
def _labels(draw: st.DrawFn) -> str:
    """A label of the grammar in tax_id.py: a kind, then qualifiers, each word followed by a
    gap (a "No"/"Nr" always by one with a delimiter: glued to the number it is a prefix)."""
    words = [draw(st.sampled_from(_KINDS))]
    words += draw(st.lists(st.sampled_from(_QUALIFIERS), max_size=3))
    cases: list[Callable[[str], str]] = [str, str.upper, str.lower, str.title]
    case = draw(st.sampled_from(cases))
    return "".join(case(word) + draw(st.sampled_from(_GAPS)) for word in words)


@given(_labels(), st.sampled_from(["GB 123 4567 89", "DE123456789", "525-244-57-67",
                                   "PL 5252445767", "ATU12345678", "NL123456789B01",
                                   "NO 974 760 673 MVA", "IE1234567T"]))
def test_any_label_and_a_number_is_the_number(label: str, number: str) -> None:
    assert comparable_tax_id(label + number) == comparable_tax_id(number)
    assert comparable_tax_id(number) is not None
