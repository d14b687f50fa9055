"""An unknown client on the command line is answered with the client meant where the text is the
start of one client's name (docs/claims.md: "with the nearest id or name where one is close").

A reviewer's find (2026-12-08): ``clientguard claim ACME`` suggested nothing for the client
"ACME Sp. z o.o." (difflib's ratio of the two is 2 x 4 / (4 + 15) = 0.42, under its 0.6).
"""

from __future__ import annotations

from datetime import date

import pytest

from clientguard.claims import ClaimError, claim
from clientguard.names import begun_by
from clientguard.testing import customer, invoice, ledger

NAMES = {
    "acme": "ACME Sp. z o.o.",
    "s": "Świerk Usługi",
    "b1": "Biuro Rachunkowe Kowalski",
    "b2": "Biuro Podróży Lato",
}

# What a person typed, and the one name it begins (or begins a word of), by reading NAMES.
CASES = [
    ("ACME", "ACME Sp. z o.o."),
    ("acme  sp", "ACME Sp. z o.o."),       # case and runs of spaces ignored
    ("usługi", "Świerk Usługi"),           # the start of a later word
    ("ŚWIERK", "Świerk Usługi"),
    ("Biuro", None),                       # begins two names: neither is suggested
    ("Biuro P", "Biuro Podróży Lato"),
    ("cme", None),                         # inside a word, not at its start
    ("Lato Biuro", None),
    ("   ", None),
]


@pytest.mark.parametrize(("given", "name"), CASES)
def test_the_one_name_a_text_begins(given: str, name: str | None) -> None:
    assert begun_by(given, NAMES) == name


def test_claim_of_the_start_of_a_name_suggests_the_client() -> None:
    books = ledger(*(customer(cid, name) for cid, name in NAMES.items()),
                   invoice("acme", id="A1", issued="2026-01-02", total="100.00"))
    with pytest.raises(ClaimError) as caught:
        claim(books, "ACME", as_of=date(2026, 6, 30))
    assert "did you mean 'ACME Sp. z o.o.' (id acme)?" in str(caught.value)
