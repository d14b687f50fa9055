"""The table report keeps a Polish amount whole: its no-break spaces are never a line break."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from clientguard import i18n
from clientguard.report import render
from clientguard.report.text import columns, one_line, wrap
from clientguard.review import review
from clientguard.testing import customer, invoice, ledger

NBSP = "\u00a0"


def huge_review(lang: str) -> str:
    """One client paying a quadrillion a month 13 days late, so that its amounts are long
    enough to reach the end of a 100-column line in every sentence."""
    books = ledger(
        customer("huge", "Huge"),
        customer("tiny", "Tiny"),
        *(
            invoice("huge", issued=f"2025-{month:02d}-01", total="1000000000000000", terms=14,
                    paid=f"2025-{month:02d}-28")
            for month in range(1, 13)
        ),
        invoice("tiny", issued="2025-04-01", total="3"),
    )
    with i18n.using(lang):
        return render(review(books, as_of=date(2025, 12, 31)), "table")


def test_a_polish_amount_is_never_broken_across_two_lines_of_the_table() -> None:
    table = huge_review("pl")
    # The evidence line's cost falls at the end of a line: it moves to the next one whole.
    assert f"\n    42{NBSP}739{NBSP}726{NBSP}027{NBSP}397,26{NBSP}EUR rocznie, sporne: 0." in table
    assert f"(12{NBSP}000{NBSP}000{NBSP}000{NBSP}000{NBSP}000,00{NBSP}EUR z\n" in table
    lines = table.splitlines()
    for before, after in itertools.pairwise(lines):
        # No line ends in a group of digits that the next line continues ("42" / "739 726").
        assert not (before[-1:].isdigit() and after.lstrip()[:4].rstrip(",").isdigit()), (
            before, after)
        # No currency is left at the start of a line without its amount.
        assert not after.lstrip().startswith(("EUR ", "zł ")), after
    assert all(columns(line) <= 100 for line in lines)


def test_english_tables_are_unchanged_by_the_rule() -> None:
    # English writes plain spaces (1,234.50 EUR): it may break before the code, as it did.
    assert NBSP not in huge_review("en")


@pytest.mark.parametrize("space", ["\u00a0", "\u2007", "\u202f"])
def test_one_line_keeps_a_no_break_space_and_wrap_never_breaks_at_it(space: str) -> None:
    assert one_line(f"  1{space}234,56{space}zł\n\tdo\r\nzapłaty  ") == (
        f"1{space}234,56{space}zł do zapłaty")
    assert wrap(f"koszt 1{space}234,56{space}zł rocznie", 16) == [
        "koszt", f"1{space}234,56{space}zł", "rocznie"]
