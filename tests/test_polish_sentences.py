"""Polish sentences that read wrong with one invoice, or with no data at all."""

from __future__ import annotations

from datetime import date

import pytest

from clientguard import i18n
from clientguard.policy import Policy
from clientguard.report import render
from clientguard.review import review
from clientguard.testing import customer, invoice, ledger

AS_OF = date(2025, 12, 31)


def test_the_evidence_of_a_client_with_one_invoice_due_needs_no_plural() -> None:
    # Before: "spóźnione 1 z 1 płatnych", a genitive plural after "z 1".
    books = ledger(customer("a", "Alfa"), invoice("a", issued="2025-04-01", total="300.00"))
    with i18n.using("pl"):
        result = review(books, as_of=AS_OF)
    assert result.clients["a"].evidence.startswith("faktury po terminie: 1 z 1 (100%), ")
    english = review(books, as_of=AS_OF)
    assert english.clients["a"].evidence.startswith("late 1 of 1 due (100%), ")


def test_the_evidence_of_many_invoices_reads_the_same_way() -> None:
    books = ledger(
        customer("a", "Alfa"),
        *(invoice("a", issued=f"2025-{m:02d}-01", total="100.00", terms=14,
                  paid=f"2025-{m:02d}-28") for m in range(1, 13)),
    )
    with i18n.using("pl"):
        result = review(books, as_of=AS_OF)
    assert result.clients["a"].evidence.startswith("faktury po terminie: 12 z 12 (100%), ")


def test_a_book_without_records_says_so_in_plain_polish() -> None:
    # Before: "nie ma żadnego zapisu z datą do tego dnia końcem okresu".
    with i18n.using("pl"):
        table = render(review(ledger(), as_of=AS_OF), "table")
    text = " ".join(table.split())
    assert ("więc ten przegląd nie może ocenić żadnego klienta; nie ma żadnego zapisu z datą "
            "do 31 grudnia 2025. Zsynchronizuj źródła ponownie") in text


@pytest.mark.parametrize(("lang", "expected"), [
    # The sentence ends on the date the record's age is counted to (it ended "..., 184 days
    # before." in English, with nothing after "before").
    ("en", "the newest record is dated 2025-06-30, 184 days before 2025-12-31. Sync "
           "the sources again"),
    ("pl", "najnowszy zapis ma datę 30 czerwca 2025, 184 dni przed 31 grudnia 2025. "
           "Zsynchronizuj źródła ponownie"),
])
def test_the_age_of_the_newest_record_is_counted_to_a_named_day(lang: str, expected: str) -> None:
    # One invoice issued and due on 30 June 2025: nothing falls due in the window of the last
    # 90 days to 31 December 2025, and 30 June is 31 + 31 + 30 + 31 + 30 + 31 = 184 days
    # before it.
    books = ledger(customer("a", "Alfa"),
                   invoice("a", issued="2025-06-30", due="2025-06-30", total="100.00"))
    with i18n.using(lang):
        table = render(review(books, as_of=AS_OF, policy=Policy(lookback_days=90)), "table")
    assert expected in " ".join(table.split())
