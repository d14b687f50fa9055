"""clientguard.tax_id: one number written two ways is one taxpayer; what is no tax number's
shape (an IBAN, a phone number, a NIP read as Norway's) identifies no one."""

from __future__ import annotations

import pytest

from clientguard.links import suggest_links
from clientguard.tax_id import comparable_tax_id, normalise_tax_id
from clientguard.testing import customer

# The numbers: 974760673 is Brønnøysundregistrene's organisation number (Norway's check digit:
# 9*3 + 7*2 + 4*7 + 7*6 + 6*5 + 0*4 + 6*3 + 7*2 = 173 = 15*11 + 8, 11 - 8 = 3, the ninth
# digit), 923609016 Equinor's (126 = 11*11 + 5, 11 - 5 = 6); IE6388047V is an Irish VAT
# number (7 digits and a letter, VIES's format); CHE-116.281.710 a Swiss UID, with the
# suffix of its VAT number in German (MWST), French (TVA) or Italian (IVA); 5252445767 and
# 1234563218 two valid NIPs (216 = 19*11 + 7, 151 = 13*11 + 8: their tenth digits).


@pytest.mark.parametrize(
    ("one", "other"),
    [
        # Norway: Xero's or an invoice's form, Stripe's no_vat form (MVA, no NO), the
        # organisation number after a Norwegian label (Org.nr.), and NO after a label (not
        # the label's "No"). Nine bare digits alone are no one's (a phone, a REGON).
        ("NO 974 760 673 MVA", "974760673MVA"),
        ("NO974760673MVA", "Org.nr. 974 760 673"),
        ("VAT: NO 974760673", "NO 974760673"),
        ("VAT No. NO974760673MVA", "organisasjonsnummer 974760673"),
        # Switzerland: one UID, its VAT number's suffix in any of the three languages or none
        # (Stripe's ch_vat and ch_uid).
        ("CHE-116.281.710 MWST", "CHE-116.281.710 TVA"),
        ("CHE-116.281.710 MWST", "CHE-116.281.710"),
        ("CHE 116 281 710 IVA", "che116281710"),
        # The prefix is optional where the number alone is one state's shape (VIES's
        # formats): Ireland's letters, Spain's CIF with a letter first; Austria's with its
        # prefix in either form.
        ("IE6388047V", "6388047V"),
        ("ESB12345674", "B12345674"),
        ("AT U12345678", "ATU12345678"),
        # Poland (as before) and Greece's two prefixes (as before); Northern Ireland's XI
        # numbers are the UK's.
        ("PL 525-244-57-67", "5252445767"),
        ("GR094014201", "EL 094014201"),
        ("XI 123 4567 89", "GB123456789"),
    ],
)
def test_one_number_written_two_ways_compares_equal(one: str, other: str) -> None:
    assert comparable_tax_id(one) is not None
    assert comparable_tax_id(one) == comparable_tax_id(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("NO974760673MVA", "NO923609016MVA"),  # two Norwegian companies
        ("974760673MVA", "923609016MVA"),
        ("CHE-116.281.710 MWST", "CHE-116.281.711 MWST"),  # another UID
        ("IE6388047V", "IE6388047W"),
        ("5252445767", "1234563218"),  # two NIPs
        # Nine digits keep their prefix: Germany's and Greece's numbers of the same digits are
        # two taxpayers, and a German number is not a Norwegian one.
        ("DE136695976", "EL136695976"),
        ("DE974760673", "NO974760673"),
        # An EU OSS number keeps EU: it is not the nine digits of a state's number.
        ("VAT: EU372000041", "DE372000041"),
    ],
)
def test_two_numbers_stay_two_taxpayers(one: str, other: str) -> None:
    assert comparable_tax_id(one) is not None
    assert comparable_tax_id(other) is not None
    assert comparable_tax_id(one) != comparable_tax_id(other)


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("PL61109010140000071219812874", "an IBAN: PL and 26 digits, a NIP has 10"),
        ("PL61 1090 1014 0000 0712 1981 2874", "the IBAN as printed on an invoice"),
        ("DE89370400440532013000", "a German IBAN: DE and 20 digits, the VAT number has 9"),
        ("NO 5252445767", "a NIP read as Norway's: NO and 10 digits, Norway's have 9"),
        ("No. 5252445767", "the same with the label word No. in front of no kind"),
        # 600123456 fails Norway's check digit: 6*3 + 0 + 0 + 1*6 + 2*5 + 3*4 + 4*3 + 5*2 =
        # 68 = 6*11 + 2, 11 - 2 = 9, not 6; and is not typed as an EIN (NN-NNNNNNN).
        ("600 123 456", "a Polish phone number: nine digits without prefix"),
        ("600-123-456", "the same typed with dashes"),
        ("136695976", "nine digits without prefix: Germany's typed without DE"),
        ("1234567", "seven digits without prefix: no state's number alone"),
        ("DE12345678", "Germany's numbers have nine digits"),
        ("DK123456789", "Denmark's have eight"),
    ],
)
def test_what_is_no_states_number_identifies_no_one(typed: str, why: str) -> None:
    assert comparable_tax_id(typed) is None, why


def test_an_oss_number_keeps_eu_after_a_label() -> None:
    # VAT: EU372000041: a non-EU seller's One-Stop-Shop number (EU and nine digits); EU here
    # is its prefix, not the label's qualifier (VAT EU: PL5252445767).
    assert normalise_tax_id("VAT: EU372000041") == "EU372000041"
    assert comparable_tax_id("VAT: EU372000041") == "EU372000041"
    assert normalise_tax_id("VAT EU: PL5252445767") == "5252445767"


def test_a_us_ein_typed_as_one_identifies_someone() -> None:
    # Stripe's us_ein as people type it: two digits, a dash, seven (no check digit): the US's
    # (written US123456789, as a Stripe us_ein's value or a customer in the US is).
    assert comparable_tax_id("12-3456789") == comparable_tax_id("EIN: 12-3456789") == (
        "US123456789")


@pytest.mark.parametrize(
    ("xero", "stripe"),
    [
        ("NO 974 760 673 MVA", "974760673MVA"),
        ("VAT: NO 974760673", "NO 974760673"),
        ("CHE-116.281.710 MWST", "CHE-116.281.710 TVA"),
        ("IE6388047V", "6388047V"),
        # The other side identifies no one: the names decide, as for a missing tax id.
        ("DE136695976", "136695976"),
        ("5252445767", "PL61109010140000071219812874"),
        ("5252445767", "No. 5252445767"),
        ("5252445767", "600 123 456"),
    ],
)
def test_one_company_written_two_ways_is_proposed_on_its_names(xero: str, stripe: str) -> None:
    # Before, each pair read as two taxpayers, whose alike names are never proposed.
    customers = [customer("x1", "Nordic Trade AS", tax_id=xero, source="xero"),
                 customer("s1", "Nordic Trade", tax_id=stripe, source="stripe")]
    assert [(s.customer, s.same_as) for s in suggest_links(customers)] == [
        (("stripe", "s1"), ("xero", "x1"))]
