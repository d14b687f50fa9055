"""The table's first line: the title's own words, then the date and the currency, never cut
(docs/cli.md, "--title"). A reviewer's find (2026-12-08): a Polish firm's title was cut at 100
columns and lost "(PLN)", and every title said "review" twice ("Client review: ACME:
clientguard review as of ...")."""

from __future__ import annotations

from datetime import date

import pytest

import clientguard as cg
from clientguard.i18n import using
from clientguard.report import render
from clientguard.report.text import columns
from clientguard.testing import customer, invoice, ledger, payment

AS_OF = date(2026, 12, 8)
FIRM = "Biuro Rachunkowe Kowalski sp. z o.o."
LONG = "Przedsiębiorstwo Handlowo-Usługowe Wielkopolskie Zakłady " * 3


def _review() -> cg.Review:
    bill = invoice("a", id="A1", issued="2026-10-01", total="1000.00", currency="PLN")
    return cg.review(
        ledger(customer("a", "ACME"), bill,
               payment("a", on="2026-10-31", amount="1000.00", currency="PLN", pays=bill),
               base_currency="PLN"),
        as_of=AS_OF)


# Expected lines written by hand from the messages' wording; the long title keeps what fits
# in 100 columns beside ", stan na 2026-12-08 (PLN)" (25 columns): its first 74 characters
# (the 74th a space, which a cut drops) and an ellipsis.
CASES = [
    ("en", f"Client review: {FIRM}", f"Client review: {FIRM}, as of 2026-12-08 (PLN)"),
    ("pl", f"Przegląd klientów: {FIRM}",
     f"Przegląd klientów: {FIRM}, stan na 2026-12-08 (PLN)"),
    ("pl", LONG, LONG[:73] + "…, stan na 2026-12-08 (PLN)"),
    ("en", None, "clientguard review as of 2026-12-08 (PLN)"),
    ("pl", None, "przegląd clientguard, stan na 2026-12-08 (PLN)"),
]


@pytest.mark.parametrize(("lang", "title", "first"), CASES)
def test_the_title_keeps_its_date_and_currency(lang: str, title: str | None, first: str) -> None:
    review = _review()
    with using(lang):
        lines = render(review, "table", title=title).splitlines()
    assert lines[0] == first
    assert columns(lines[0]) <= 100
    assert lines[1] == "=" * columns(first)
