"""clientguard.names: the Polish legal forms at the end of a name, written every way the
registers and people write them, leave the name; at its start they stay."""

from __future__ import annotations

import pytest

from clientguard.names import NameIndex, normalise_name

# The partnerships' and companies' forms of the Commercial Companies Code (KSH) and the civil
# code's s.c., each as it is abbreviated and written out (and as "sp." with the kind written
# out), alone and after "sp. z o.o." (a limited partnership whose general partner is a
# company: "Acme sp. z o.o. sp.k."). The expected name is the one left once the form is gone.


@pytest.mark.parametrize(
    "written",
    [
        "Acme sp. z o.o. sp. komandytowa",
        "Acme sp. z o.o. sp.k.",
        "Acme Sp. z o.o. Spółka Komandytowa",
        "Acme spółka komandytowa",
        "Acme sp. komandytowa",
        "Acme S.K.A.",
        "Acme spółka komandytowo-akcyjna",
        "Acme sp. komandytowo-akcyjna",
        "Acme sp. z o.o. S.K.A.",
        "Acme sp. j.",
        "Acme Sp.J.",
        "Acme spółka jawna",
        "Acme sp. jawna",
        "Acme s.c.",
        "Acme spółka cywilna",
        "Acme sp. cywilna",
        "Acme sp. p.",
        "Acme spółka partnerska",
        "Acme sp. partnerska",
        "Acme P.S.A.",
        "Acme prosta spółka akcyjna",
    ],
)
def test_a_polish_legal_form_at_the_end_leaves_the_name(written: str) -> None:
    assert normalise_name(written) == "acme"
    index = NameIndex()
    index.add("c1", "ACME")
    assert index.by_name(written) == ["c1"]


@pytest.mark.parametrize(
    ("one", "other"),
    [
        # The form written first (KSH art. 24 does not fix where it stands) is not stripped:
        # "Kowalski" may be a sole trader, another taxpayer; a wrong match moves records
        # silently, an unmatched name is reported.
        ("Spółka Jawna Kowalski", "Kowalski"),
        ("Acme Media sp. j.", "Acme"),  # nothing fuzzier than the form
        ("Kowalski i Wspólnicy sp.k.", "Kowalski"),  # "i Wspólnicy" is the firm's name
    ],
)
def test_two_firms_are_not_made_one_by_stripping_too_much(one: str, other: str) -> None:
    assert normalise_name(one) != normalise_name(other)


def test_a_name_that_is_only_a_legal_form_is_kept() -> None:
    # Nothing left to compare would match every client: the form stays the name.
    assert normalise_name("Spółka Jawna") == "spolka jawna"
