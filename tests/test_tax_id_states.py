"""clientguard.tax_id: a number is compared with its state. Two states' numbers of the same
digits are two taxpayers; a number typed without its prefix is a state's where the customer's
country says so (or its shape is one state's only), and a phone number is no one's.

The formats are VIES's (the EU's published VAT number structures): after the prefix, digits
only for BE (10), BG (9, 10), CZ (8 to 10), DE (9), DK (8), EE (9), EL (9), FI (8), HR (11),
HU (8), IT (11), LT (9, 12), LU (8), LV (11), MT (8), PL (10), PT (9), RO (2 to 10), SE (12),
SI (8), SK (10); FR's 11 are digits where its two check characters are; GB/XI 9 or 12 and
Norway's 9 (the organisation number) are digits too. Letters: AT (U and 8 digits), CY (8
digits and a letter), ES (a letter or digit, 7 digits, a letter or digit), IE (7 digits and
one or two letters), NL (9 digits, B, 2 digits).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientguard.links import suggest_links
from clientguard.tax_id import comparable_tax_id, normalise_tax_id, same_taxpayer
from clientguard.testing import customer, ledger, payment


@pytest.mark.parametrize(
    ("typed", "country", "written"),
    [
        # A bare number in a tax-id field of a customer whose country is given is that
        # state's: the prefix is the country's ISO code (Greece's VAT prefix is EL).
        ("136695976", "DE", "DE136695976"),
        ("136 695 976", "de", "DE136695976"),
        ("U12345678", "AT", "ATU12345678"),
        ("12 34 56 78", "DK", "DK12345678"),
        ("12345678", "MT", "MT12345678"),
        ("12345678Z", "ES", "ES12345678Z"),
        ("094014201", "GR", "EL094014201"),
        ("12345678903", "IT", "IT12345678903"),
        ("2020273893", "SK", "SK2020273893"),
        # 974760673: Brønnøysundregistrene's own organisation number (9*3 + 7*2 + 4*7 + 7*6 +
        # 6*5 + 0*4 + 6*3 + 7*2 = 173 = 15*11 + 8; 11 - 8 = 3, its ninth digit).
        ("974760673", "NO", "NO974760673"),
        ("974760673MVA", "NO", "NO974760673MVA"),
        # Poland's is its NIP, as ever (the project's form of a Polish number).
        ("525-244-57-67", "PL", "5252445767"),
    ],
)
def test_the_customers_country_gives_a_bare_number_its_state(
    typed: str, country: str, written: str
) -> None:
    assert normalise_tax_id(typed, country=country) == written
    assert comparable_tax_id(normalise_tax_id(typed, country=country)) == comparable_tax_id(
        written) is not None


@pytest.mark.parametrize(
    ("typed", "country", "written", "why"),
    [
        ("ATU12345678", "DE", "ATU12345678", "the number's own prefix says its state"),
        ("181/815/08155", "DE", "18181508155",
         "a German Steuernummer (11 digits) is no VAT number (9): no prefix added"),
        # Fakturownia's buyer_country as typed: a Polish or English name of the country.
        ("136695976", "Germany", "DE136695976", "an English name is its ISO code's"),
        ("136695976", "Niemcy", "DE136695976", "a Polish name too"),
        ("12345678", " dania ", "DK12345678", "case and spaces aside"),
        ("123456789", "UK", "GB123456789", "UK is the code people write for GB"),
        ("136695976", "Atlantis", "136695976", "a name the table does not hold adds nothing"),
        ("974760673", "PL", "974760673",
         "nine digits of a Polish customer (a phone, a REGON) are not given Norway's NO"),
        ("974760673", "US", "US974760673", "a US customer's nine digits are its EIN"),
        ("136695976", None, "136695976", "no country: the number stays as typed"),
        ("600 123 456", "NO", "600123456",
         "a Polish phone in a Norwegian customer's field is no organisation number"),
    ],
)
def test_a_country_adds_a_prefix_only_to_a_bare_number_of_its_format(
    typed: str, country: str | None, written: str, why: str
) -> None:
    assert normalise_tax_id(typed, country=country) == written, why


def test_a_number_that_is_no_vat_number_gets_no_country() -> None:
    # Fakturownia's tax_no_kind PESEL (nip=False): a person's number, not a VAT number.
    assert normalise_tax_id("12345678901", nip=False, country="IT") == "12345678901"


def test_a_bare_german_number_without_a_country_stays_unknown() -> None:
    # Nine digits are Germany's, Estonia's, Greece's, Portugal's, the UK's, ... and a Polish
    # phone number's length: without a country, no one's; the names decide.
    assert comparable_tax_id("136695976") is None
    assert comparable_tax_id(normalise_tax_id("136695976", country="DE")) == comparable_tax_id(
        "DE 136 695 976")


def test_a_fakturownia_client_in_germany_is_matched_to_its_stripe_customer_by_tax_id() -> None:
    # The same company: its bare number typed in one tool whose card says DE, its VAT number
    # in the other; the names differ, so only the tax id can match them.
    customers = [
        customer("c1", "Muster Handel GmbH", tax_id=normalise_tax_id("136695976", country="DE"),
                 source="fakturownia"),
        customer("cus_1", "MH Berlin", tax_id="DE136695976", source="stripe"),
    ]
    assert [(s.customer, s.same_as, s.matched_on) for s in suggest_links(customers)] == [
        (("fakturownia", "c1"), ("stripe", "cus_1"), "tax_id")]


# Nine-digit phone numbers shaped as real ones (Polish mobiles 50x, 60x, 72x, 79x and a Warsaw
# landline 22) whose ninth digit happens to be Norway's check digit (the first eight times
# 3, 2, 7, 6, 5, 4, 3, 2; 11 minus the sum modulo 11, 11 read as 0):
#   601234564: 18 + 0 + 7 + 12 + 15 + 16 + 15 + 12 = 95 = 8*11 + 7, 11 - 7 = 4;
#   501122335: 15 + 0 + 7 + 6 + 10 + 8 + 9 + 6 = 61 = 5*11 + 6, 11 - 6 = 5;
#   722334450: 21 + 4 + 14 + 18 + 15 + 16 + 12 + 10 = 110 = 10*11 + 0, 11 - 0 = 11, read 0;
#   226281231: 6 + 4 + 42 + 12 + 40 + 4 + 6 + 6 = 120 = 10*11 + 10, 11 - 10 = 1;
#   793001126: 21 + 18 + 21 + 0 + 0 + 4 + 3 + 4 = 71 = 6*11 + 5, 11 - 5 = 6.
# Brønnøysundregistrene issues organisation numbers starting with 8 or 9; these start with 2
# to 7, so none is Norway's.
_PHONES = ["601 234 564", "501 122 335", "722 334 450", "22 628 12 31", "793 001 126"]


def _norway_check_passes(digits: str) -> bool:
    total = sum(w * int(d) for w, d in zip((3, 2, 7, 6, 5, 4, 3, 2), digits, strict=False))
    return (11 - total % 11) % 11 == int(digits[8])


@pytest.mark.parametrize("phone", _PHONES)
def test_a_phone_number_passing_norways_check_digit_is_no_organisation_number(
    phone: str
) -> None:
    digits = re.sub(r"\D", "", phone)
    assert _norway_check_passes(digits)  # the case: the check digit alone would take it
    assert comparable_tax_id(phone) is None
    assert comparable_tax_id(f"NO {phone}") is None
    assert comparable_tax_id(f"{phone} MVA") is None
    assert comparable_tax_id(normalise_tax_id(phone, country="NO")) is None


@pytest.mark.parametrize("phone", _PHONES)
def test_two_customers_with_one_phone_in_their_tax_fields_are_not_one_taxpayer(
    phone: str
) -> None:
    # Before, the phone read as a Norwegian company's number and made the two one client
    # whatever their names.
    customers = [customer("c1", "Kowalski Serwis", tax_id=phone, source="fakturownia"),
                 customer("cus_1", "Nowak Transport", tax_id=phone, source="stripe")]
    assert suggest_links(customers) == []


@pytest.mark.parametrize("number", ["974760673", "923609016"])
def test_real_norwegian_organisation_numbers_identify_a_norwegian_company(number: str) -> None:
    # 923609016 (Equinor): 9*3 + 2*2 + 3*7 + 6*6 + 0*5 + 9*4 + 0*3 + 1*2 = 126 = 11*11 + 5,
    # 11 - 5 = 6, its ninth digit. With NO, MVA, a Norwegian label or a customer in Norway,
    # one company; a US EIN typed with its dash of the same nine digits is an American one.
    norwegian = comparable_tax_id(f"NO {number} MVA")
    assert norwegian == f"NO{number}"
    for form in (f"{number}MVA", f"Org.nr. {number}", f"organisasjonsnummer: {number}",
                 normalise_tax_id(number, country="NO")):
        assert comparable_tax_id(form) == norwegian, form
    ein = comparable_tax_id(f"{number[:2]}-{number[2:]}")
    assert ein is not None
    assert same_taxpayer(ein, norwegian) is False


@pytest.mark.parametrize("number", ["974760673", "923609016"])
def test_nine_bare_digits_are_norwegian_only_when_something_says_so(number: str) -> None:
    # One Polish phone or 9-digit REGON in eleven starting with 8 or 9 passes Norway's check
    # digit (repro: 9,091 of 100,000 of 910 000 000..910 099 999); bare, nothing says the
    # number is Norway's, so it identifies no one and the names decide.
    assert comparable_tax_id(number) is None
    assert comparable_tax_id(normalise_tax_id(number, country="PL")) is None


@pytest.mark.parametrize(
    ("one", "other"),
    [
        # Eight digits: Denmark, Malta, Finland, Hungary, Luxembourg, Slovenia, Czechia.
        ("DK12345678", "MT12345678"), ("DK12345678", "FI12345678"),
        ("HU12345678", "LU12345678"), ("SI12345678", "CZ12345678"),
        # Eleven: Italy, Croatia, Latvia, France (check characters in digits).
        ("IT12345678903", "HR12345678903"), ("LV12345678903", "FR12345678903"),
        # Twelve: Sweden, Lithuania, the UK's group numbers.
        ("SE123456789001", "LT123456789001"), ("SE123456789001", "GB123456789001"),
        # One shape with letters: Austria's and a Spanish CIF of a U company; Cyprus's and a
        # Spanish NIF.
        ("ATU12345678", "ESU12345678"), ("CY12345678Z", "ES12345678Z"),
    ],
)
def test_two_states_numbers_of_the_same_digits_are_two_taxpayers(one: str, other: str) -> None:
    first, second = comparable_tax_id(one), comparable_tax_id(other)
    assert first is not None
    assert second is not None
    assert first != second
    assert same_taxpayer(first, second) is False
    assert same_taxpayer(second, first) is False


@pytest.mark.parametrize(
    ("bare", "prefixed"),
    [
        # A number typed without its prefix, whose state nothing says, is the same taxpayer
        # as the same number of any state: the one typed DK12345678 elsewhere.
        ("12345678", "DK12345678"), ("12345678", "MT12345678"),
        ("12345678903", "IT12345678903"), ("123456789001", "SE123456789001"),
        ("U12345678", "ATU12345678"), ("U12345678", "ESU12345678"),
        ("12345678Z", "ES12345678Z"), ("12345678Z", "CY12345678Z"),
    ],
)
def test_a_bare_number_is_one_taxpayer_with_the_same_number_of_a_state(
    bare: str, prefixed: str
) -> None:
    first, second = comparable_tax_id(bare), comparable_tax_id(prefixed)
    assert same_taxpayer(first, second) is True
    assert same_taxpayer(second, first) is True
    # Other digits (the first one plus one): two taxpayers.
    other = comparable_tax_id(
        re.sub(r"\d", lambda digit: str((int(digit.group()) + 1) % 10), prefixed, count=1))
    assert other is not None
    assert same_taxpayer(first, other) is False


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        ("5252445767", "PL 525 244 57 67", True),  # one NIP, as before
        ("5252445767", "1234563218", False),  # two NIPs
        ("136695976", "DE136695976", None),  # nine bare digits identify no one
        ("brak", "DK12345678", None),
        (None, "DK12345678", None),
        ("97-4760673", "NO974760673MVA", False),  # a US EIN is no Norwegian number
    ],
)
def test_same_taxpayer_says_unknown_where_a_number_identifies_no_one(
    one: str | None, other: str, same: bool | None
) -> None:
    assert same_taxpayer(comparable_tax_id(one), comparable_tax_id(other)) is same
    assert same_taxpayer(comparable_tax_id(other), comparable_tax_id(one)) is same


def test_two_states_customers_with_the_same_digits_and_name_are_not_proposed() -> None:
    # Two firms named alike whose numbers are two states': two taxpayers, never one client
    # (before, DK12345678 and MT12345678 compared as 12345678 and were proposed as one).
    customers = [customer("c1", "Nordic Trade", tax_id="DK12345678", source="xero"),
                 customer("cus_1", "Nordic Trade", tax_id="MT12345678", source="stripe")]
    assert suggest_links(customers) == []


#: VIES's digits-only formats (their lengths), Norway's and the UK's.
_DIGIT_FORMATS = {
    "BE": (10,), "BG": (9, 10), "CZ": (8, 9, 10), "DE": (9,), "DK": (8,), "EE": (9,),
    "EL": (9,), "FI": (8,), "FR": (11,), "GB": (9, 12), "HR": (11,), "HU": (8,), "IT": (11,),
    "LT": (9, 12), "LU": (8,), "LV": (11,), "MT": (8,), "NO": (9,), "PT": (9,), "RO": (8, 9, 10),
    "SE": (12,), "SI": (8,), "SK": (10,),
}


@given(st.sampled_from([8, 9, 10, 11, 12]).flatmap(
    lambda n: st.text("0123456789", min_size=n, max_size=n)))
def test_no_two_states_numbers_of_one_set_of_digits_compare_equal(digits: str) -> None:
    forms = {prefix: comparable_tax_id(f"{prefix}{digits}")
             for prefix, lengths in _DIGIT_FORMATS.items() if len(digits) in lengths}
    known = [form for form in forms.values() if form is not None]
    assert len(known) == len(set(known)), forms


@pytest.mark.parametrize(
    ("name", "bare", "prefixed"),
    [
        ("Nordic Trade ApS", "12345678", "DK12345678"),  # Denmark: eight digits
        ("Rossi Forniture S.r.l.", "12345678903", "IT12345678903"),  # Italy: eleven
        ("Muster Handel GmbH", "U12345678", "ATU12345678"),  # Austria: U and eight
    ],
)
def test_one_client_typed_bare_in_one_source_and_prefixed_in_another_stays_one(
    name: str, bare: str, prefixed: str
) -> None:
    # The reviewer's regression: a CSV export with the number typed without its prefix and
    # a Stripe customer with it, names alike. Before: no suggestion (the numbers were two
    # taxpayers, so the names were not heard either) and each source's payment of 1000.00
    # counted on its own; as before the prefix change, one client on both bases.
    row = customer("c1", name, tax_id=bare, source="csv")
    card = customer("cus_1", name, tax_id=prefixed, source="stripe")
    [suggestion] = suggest_links([row, card])
    assert (suggestion.customer, suggestion.same_as) == (("csv", "c1"), ("stripe", "cus_1"))
    assert suggestion.matched_on == "name+tax_id"
    book = ledger(row, card,
                  payment("c1", id="P1", on="2025-03-25", amount="1000.00", source="csv"),
                  payment("cus_1", id="P2", on="2025-03-25", amount="1000.00",
                          source="stripe"))
    assert any("may be one payment counted twice" in note for note in book.report.notes)


def test_a_bare_number_never_joins_two_states_numbers_of_its_digits() -> None:
    # 12345678 is one taxpayer with DK12345678 and with MT12345678 taken one by one, but the
    # Danish and the Maltese firm are two: the bare one joins the first pair in order only.
    customers = [customer("c1", "Nordic Trade", tax_id="12345678", source="csv"),
                 customer("cus_1", "Nordic Trade", tax_id="DK12345678", source="stripe"),
                 customer("x1", "Nordic Trade", tax_id="MT12345678", source="xero")]
    pairs = [(s.customer, s.same_as) for s in suggest_links(customers)]
    assert pairs == [(("csv", "c1"), ("stripe", "cus_1"))]


def test_a_card_re_synced_with_its_prefix_keeps_the_client_it_was_one_with() -> None:
    # Upgrade: a Fakturownia card stored as 12345678 (no country on it) and a CSV row of
    # 12345678 were one client by tax id; the card re-synced with country DK is DK12345678
    # (normalise_tax_id's country), and still one client with the row, names apart or not.
    row = customer("c1", "Nordic Trade ApS", tax_id="12345678", source="csv")
    for stored in ("12345678", normalise_tax_id("12345678", country="DK")):
        card = customer("7", "NORDIC TRADE A/S", tax_id=stored, source="fakturownia")
        assert [s.matched_on for s in suggest_links([row, card])] == ["tax_id"], stored


@given(st.sampled_from([8, 11, 12]).flatmap(
    lambda n: st.text("0123456789", min_size=n, max_size=n)))
def test_a_bare_number_never_puts_two_states_numbers_in_one_client(digits: str) -> None:
    # Invariant: whatever the digits, the bare number is one taxpayer with each state's
    # number of its length taken alone, never two states' numbers with each other, and the
    # client suggest_links makes of them all holds one state's number at most.
    states = [p for p, lengths in _DIGIT_FORMATS.items() if len(digits) in lengths]
    bare = comparable_tax_id(digits)
    forms = [comparable_tax_id(f"{state}{digits}") for state in states]
    for form in forms:
        assert same_taxpayer(bare, form) is (None if bare is None or form is None else True)
        assert same_taxpayer(form, bare) is same_taxpayer(bare, form)
    known = [f for f in forms if f is not None]
    for i, one in enumerate(known):
        for other in known[i + 1:]:
            assert same_taxpayer(one, other) is False, (one, other)
    customers = [customer("c0", "Nordic Trade", tax_id=digits, source="csv"),
                 *(customer(f"{state}", "Nordic Trade", tax_id=f"{state}{digits}",
                            source=f"s{i}") for i, state in enumerate(states))]
    joined: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for s in suggest_links(customers):
        group = joined.get(s.customer, {s.customer}) | joined.get(s.same_as, {s.same_as})
        for ref in group:
            joined[ref] = group
    for group in joined.values():
        numbers = [comparable_tax_id(c.tax_id) for c in customers
                   if (c.source, c.id) in group and c.source != "csv"]
        assert len([n for n in numbers if n is not None]) <= 1, group
