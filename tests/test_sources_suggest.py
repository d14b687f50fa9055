"""`clientguard links suggest` across sources: the same client under the ways Polish and EU
books write its name and tax number is proposed; placeholders, wrong check digits and two
taxpayers' numbers are not."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientguard import Ledger
from clientguard.links import suggest_links
from clientguard.model import Customer
from clientguard.names import normalise_name
from clientguard.tax_id import comparable_tax_id, is_valid_nip, normalise_tax_id
from clientguard.testing import customer, invoice

# 1234563218: 1*6 + 2*5 + 3*7 + 4*2 + 5*3 + 6*4 + 3*5 + 2*6 + 1*7 = 151 = 13*11 + 8, and the
# tenth digit is 8: a valid NIP. 5252445767: 216 = 19*11 + 7, tenth digit 7: valid.
NIP = "1234563218"
OTHER_NIP = "5252445767"


@pytest.mark.parametrize(
    "written",
    [
        "PL 123-456-32-18",      # Stripe's eu_vat as people type it
        "1234563218",
        "123 456 32 18",
        "123-45-63-218",         # the other grouping of a NIP (a company's)
        "NIP: 123-456-32-18",    # the label typed into a tax-number field
        "NIP 1234563218",
        "nip:PL1234563218",
        "VAT ID: PL 1234563218",
    ],
)
def test_a_nip_written_any_way_is_its_ten_digits(written: str) -> None:
    assert normalise_tax_id(written) == NIP
    assert comparable_tax_id(written) == NIP


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("DE 123.456.789", "DE123456789"),
        ("VAT No. DE123456789", "DE123456789"),
        ("ATU 1234 5678", "ATU12345678"),
        ("IE 1234567 W", "IE1234567W"),  # seven digits: the shortest EU VAT number
        # Greece is EL in the EU's VAT system (VIES, Stripe's eu_vat); tools that put the
        # ISO country code in front write GR: one number.
        ("GR 123456789", "EL123456789"),
        ("EL123456789", "EL123456789"),
    ],
)
def test_other_countries_vat_numbers_keep_their_prefix(written: str, expected: str) -> None:
    assert normalise_tax_id(written) == expected


@pytest.mark.parametrize(
    ("written", "why"),
    [
        ("0000000000", "one digit repeated (passes the NIP check: 0 = 0)"),
        ("PL 111-111-11-11", "one digit repeated (45 = 4*11 + 1: passes the check)"),
        ("1234567890", "a NIP whose check digit is wrong (230 = 20*11 + 10)"),
        ("525-244-57-68", "a typo of 5252445767: check digit 8 where the sum gives 7"),
        ("brak", "Polish for none"),
        ("n/a", "no digits"),
        ("123", "too short to be anyone's"),
        ("-", "nothing"),
        (None, "nothing"),
    ],
)
def test_a_placeholder_or_a_wrong_nip_identifies_no_one(written: str | None, why: str) -> None:
    assert comparable_tax_id(written) is None, why


def _pairs(customers: list[Customer]) -> list[tuple[str, str, str]]:
    return [
        (":".join(s.customer), ":".join(s.same_as), s.matched_on)
        for s in suggest_links(customers)
    ]


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ("PL 123-456-32-18", "1234563218"),
        ("123 456 32 18", "NIP: 123-456-32-18"),
        ("PL1234563218", "nip 123-456-32-18"),
        ("GR123456789", "EL 123 456 789"),
    ],
)
def test_one_tax_number_written_two_ways_is_suggested(ours: str, theirs: str) -> None:
    customers = [
        customer("c1", "Kowalski Consulting", tax_id=ours, source="fakturownia"),
        customer("cus_9", "JK Consulting", tax_id=theirs, source="stripe"),
    ]
    assert _pairs(customers) == [("fakturownia:c1", "stripe:cus_9", "tax_id")]


@pytest.mark.parametrize(
    "tax_id", ["0000000000", "1111111111", "1234567890", "5252445768", "BRAK", "n/a"]
)
def test_a_shared_placeholder_suggests_nothing(tax_id: str) -> None:
    # Two different clients whose tax-number field holds the same placeholder.
    customers = [
        customer("c1", "Alpha Studio", tax_id=tax_id, source="fakturownia"),
        customer("cus_9", "Beta Logistics", tax_id=tax_id, source="stripe"),
    ]
    assert _pairs(customers) == []


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ("ACME Sp. z o.o.", "Acme sp. z o. o."),
        ("ACME Sp. z o.o.", "ACME SPÓŁKA Z OGRANICZONĄ ODPOWIEDZIALNOŚCIĄ"),
        ("ACME Sp. z o.o.", "Acme Spółka z o.o."),   # the word written out, the rest not
        ("ACME Sp. z o.o.", "ACME spółka z o. o."),
        ("Acme sp. z.o.o.", "ACME"),
        ("ACME P.S.A.", "Acme prosta spółka akcyjna"),  # the form since 2021
        ("Acme S.K.A.", "Acme spółka komandytowo-akcyjna"),
        ("Acme Sp.p.", "Acme spółka partnerska"),
    ],
)
def test_polish_legal_forms_written_any_way_are_one_name(ours: str, theirs: str) -> None:
    assert normalise_name(ours) == normalise_name(theirs)
    customers = [customer("c1", ours, source="fakturownia"),
                 customer("7", theirs, source="ninja")]
    assert _pairs(customers) == [("fakturownia:c1", "ninja:7", "name")]


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        # Two companies of one group, each with its own NIP.
        (("ACME Sp. z o.o.", NIP), ("ACME S.A.", OTHER_NIP)),
        # Namesakes: two sole traders called Jan Kowalski.
        (("Jan Kowalski", NIP), ("JAN KOWALSKI", f"PL {OTHER_NIP}")),
    ],
)
def test_alike_names_with_two_taxpayers_numbers_are_not_suggested(
    ours: tuple[str, str], theirs: tuple[str, str]
) -> None:
    customers = [
        customer("c1", ours[0], tax_id=ours[1], source="fakturownia"),
        customer("cus_9", theirs[0], tax_id=theirs[1], source="stripe"),
    ]
    assert _pairs(customers) == []


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (NIP, None),           # one side has no number: the names decide
        (NIP, "brak"),         # a placeholder tells nothing
        (NIP, "1234563219"),   # a typo (check digit wrong) tells nothing
        (NIP, f"PL {NIP}"),    # the same number: both agree
    ],
)
def test_alike_names_are_suggested_unless_two_valid_numbers_differ(
    ours: str, theirs: str | None
) -> None:
    customers = [
        customer("c1", "ACME Sp. z o.o.", tax_id=ours, source="fakturownia"),
        customer("cus_9", "Acme sp. z o. o.", tax_id=theirs, source="stripe"),
    ]
    basis = "name+tax_id" if theirs == f"PL {NIP}" else "name"
    assert _pairs(customers) == [("fakturownia:c1", "stripe:cus_9", basis)]


_digits = st.text(alphabet="0123456789", min_size=10, max_size=10)
_FORMS = (
    lambda d: d,
    lambda d: f"PL{d}",
    lambda d: f"PL {d[:3]} {d[3:6]} {d[6:8]} {d[8:]}",
    lambda d: f"NIP: {d[:3]}-{d[3:6]}-{d[6:8]}-{d[8:]}",
)


@given(_digits, st.sampled_from(_FORMS))
def test_a_nip_identifies_someone_only_with_a_right_check_digit(
    digits: str, form: Callable[[str], str]
) -> None:
    written = form(digits)
    assert normalise_tax_id(written) == digits
    if len(set(digits)) == 1:
        assert comparable_tax_id(written) is None
    else:
        assert (comparable_tax_id(written) == digits) == is_valid_nip(digits)


# ------------------------------------------------ a chain of pairs through a customer without one

# 9510000021: 9*6 + 5*5 + 1*7 + 2*7 = 100 = 9*11 + 1, and the tenth digit is 1: valid.
THIRD_NIP = "9510000021"


def _groups(customers: list[Customer], links: list[tuple[tuple[str, str], ...]]
            ) -> list[set[tuple[str, str]]]:
    """The groups the suggested pairs (and ``links``) make, as a person keeping every line
    would link them."""
    groups: list[set[tuple[str, str]]] = [{(c.source, c.id)} for c in customers]
    pairs = [(s.customer, s.same_as) for s in suggest_links(customers, linked=links)]
    for link in [*links, *pairs]:
        joined = [g for g in groups if g & set(link)]
        groups = [g for g in groups if not g & set(link)] + [set().union(*joined)]
    return groups


def test_a_customer_without_a_tax_id_never_chains_two_taxpayers() -> None:
    # Acme (no tax id) is alike by name to both companies of the group; keeping both lines
    # would make the two taxpayers one client. The first pair in order (a:1 = b:1) is
    # proposed, b:1 = c:1 is not (docs/sources.md, "Two taxpayers with one name").
    customers = [customer("1", "ACME Sp. z o.o.", tax_id=NIP, source="a"),
                 customer("1", "Acme", source="b"),
                 customer("1", "ACME S.A.", tax_id=OTHER_NIP, source="c")]
    assert _pairs(customers) == [("a:1", "b:1", "name")]


def test_two_taxpayers_of_one_source_are_not_chained_through_the_other_sources_customer() -> None:
    # Two companies entered in the books under one name, and Stripe's customer without a tax
    # id: proposed with the first only (without tax ids, both would be: the docs' duplicate
    # entry).
    customers = [customer("c1", "ACME", tax_id=NIP, source="books"),
                 customer("c2", "ACME", tax_id=OTHER_NIP, source="books"),
                 customer("cus_1", "Acme", source="stripe")]
    assert _pairs(customers) == [("books:c1", "stripe:cus_1", "name")]


def test_a_linked_taxpayer_is_not_joined_to_another_through_a_suggestion() -> None:
    # a:1 (NIP) is linked already to b:1 (none); c:1, another taxpayer alike by name to
    # b:1, is not proposed with it.
    customers = [customer("1", "Acme One", tax_id=NIP, source="a"),
                 customer("1", "Acme", source="b"),
                 customer("1", "ACME S.A.", tax_id=OTHER_NIP, source="c")]
    assert suggest_links(customers, linked=[(("a", "1"), ("b", "1"))]) == []


@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]),
                          st.sampled_from(["ACME", "Acme Sp. z o.o.", "Acme S.A.", "Beta"]),
                          st.sampled_from([None, NIP, OTHER_NIP, THIRD_NIP, "brak"])),
                max_size=8))
def test_the_suggested_groups_never_hold_two_taxpayers_and_leave_out_no_other_pair(
    drawn: list[tuple[str, str, str | None]]
) -> None:
    customers = [customer(str(n), name, tax_id=tax, source=source)
                 for n, (source, name, tax) in enumerate(drawn)]
    groups = _groups(customers, [])
    taxpayer = {(c.source, c.id): comparable_tax_id(c.tax_id) for c in customers}
    for group in groups:
        assert len({taxpayer[ref] for ref in group} - {None}) <= 1, group
    # Nothing else left out: two customers of different sources, alike by name or tax id, in
    # two groups, are in groups of two taxpayers.
    of = {ref: n for n, group in enumerate(groups) for ref in group}
    for one in customers:
        for other in customers:
            a, b = (one.source, one.id), (other.source, other.id)
            alike = (normalise_name(one.name) == normalise_name(other.name)
                     or (taxpayer[a] is not None and taxpayer[a] == taxpayer[b]))
            if a[0] != b[0] and alike and of[a] != of[b]:
                payers = {taxpayer[r] for r in groups[of[a]] | groups[of[b]]} - {None}
                assert len(payers) > 1, (a, b)


# ------------------------------------------------ a label typed before one side's number

@pytest.mark.parametrize(
    "labelled",
    ["VAT No.: GB123456789", "VAT Reg No: GB 123 4567 89", "VAT Registration Number: GB123456789"],
)
def test_a_labelled_number_is_one_client_with_the_plain_one(labelled: str) -> None:
    # Before, the label's leftover (":GB123456789", "NO:GB123456789") read as a second
    # taxpayer's number: the alike names were vetoed, nothing proposed, and the invoice
    # the two tools both hold (a day apart: the copying tool's time zone) not said.
    customers = [customer("C1", "Acme Ltd", tax_id=labelled, source="xero"),
                 customer("cus_1", "ACME Limited", tax_id="GB 123 4567 89", source="stripe")]
    assert _pairs(customers) == [("stripe:cus_1", "xero:C1", "name+tax_id")]
    copies = [
        invoice("C1", id="X1", number="INV-0001", issued="2025-03-01", total="1000.00",
                source="xero"),
        invoice("cus_1", id="in_1", number="INV-0001", issued="2025-03-02", total="1000.00",
                source="stripe"),
    ]
    book = Ledger.build([*customers, *copies], base_currency="EUR", strict=False)
    assert [s.records for s in book.report.same_in_two_sources] == [("stripe:in_1", "xero:X1")]
