"""A claim line's note about a missing exchange rate is in the reader's language throughout.

A reviewer's find (2026-12-08): ``clientguard claim "Świerk Usługi" --format json`` under lang
"pl" said "rekompensata nieprzeliczona: no EUR->PLN rate for 2026-02-27: add exchange rates
...", an English reason in a Polish frame.
"""

from __future__ import annotations

from datetime import date

import pytest

from clientguard.claims import claim
from clientguard.i18n import using
from clientguard.policy import Policy
from clientguard.testing import customer, fx_table, invoice, ledger

# A PLN debt due 31 Mar 2026: Polish law's fixed compensation is the EUR sum at the NBP rate
# of the last working day of the month before (art. 10 ust. 1a of the 2013 act): Friday 27 Feb
# 2026. The ledger's rates start on 29 May 2026, so that rate is missing.
# The remedy is the FxTable's (a library user's); the CLI's names the config's [rates].
CASES = [
    ("en", "compensation not converted: no EUR->PLN rate for 2026-02-27: add it to the FxTable"),
    ("pl", "rekompensata nieprzeliczona: brak kursu EUR->PLN na dzień 2026-02-27: dodaj ten "
           "kurs do FxTable"),
]


@pytest.mark.parametrize(("lang", "start"), CASES)
def test_the_missing_rate_note_is_in_the_readers_words(lang: str, start: str) -> None:
    books = ledger(
        customer("s", "Świerk Usługi"),
        invoice("s", id="S1", issued="2026-03-01", due="2026-03-31", total="1000.00",
                currency="PLN"),
        base_currency="PLN", fx=fx_table("PLN", {"EUR": {"2026-05-29": "4.2500"}}),
    )
    with using(lang):
        made = claim(books, "s", as_of=date(2026, 7, 31), policy=Policy(jurisdiction="pl"))
    notes = [note for line in made.invoices for note in line.notes]
    assert any(note.startswith(start) for note in notes), notes
    if lang == "pl":
        assert not any("no EUR" in note or "add it to" in note for note in notes)
