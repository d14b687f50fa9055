"""A Polish book (PLN, or read in Polish) whose policy leaves ``jurisdiction`` at its default
(``eu``) is told which law its claims follow and how to choose Polish law: the default is
kept, never changed without a word."""

from __future__ import annotations

from datetime import date

import pytest

from clientguard.ledger import Ledger
from clientguard.policy import Policy
from clientguard.review import review
from clientguard.testing import customer, invoice, ledger

AS_OF = date(2026, 3, 31)

ENGLISH = (
    'The policy leaves jurisdiction at its default, "eu": late-payment interest and '
    "compensation follow Directive 2011/7/EU, not the Polish act on late payment in "
    'commercial transactions; for Polish law set jurisdiction = "pl" in the policy.'
)
POLISH = (
    'Polityka pozostawia jurisdiction na wartości domyślnej "eu": odsetki i rekompensata '
    "za opóźnienie w płatnościach są liczone według dyrektywy 2011/7/UE, a nie według "
    "ustawy o przeciwdziałaniu nadmiernym opóźnieniom w transakcjach handlowych; aby "
    'stosować prawo polskie, ustaw jurisdiction = "pl" w polityce.'
)


def _book(currency: str) -> Ledger:
    # One client, one invoice paid 20 days late: lateness the law's claims are about.
    return ledger(
        customer("acme"),
        invoice("acme", issued=date(2026, 1, 2), total="1000.00", currency=currency,
                paid=date(2026, 2, 21)),
        base_currency=currency,
    )


@pytest.mark.parametrize(("currency", "lang", "policy", "expected"), [
    ("PLN", "en", Policy(), ENGLISH),
    ("PLN", "pl", Policy(), POLISH),
    ("EUR", "pl", Policy(), POLISH),
    # A [policy] table without jurisdiction leaves it at its default too.
    ("PLN", "en", Policy.from_mapping({"grace_days": 3}), ENGLISH),
    # Chosen, even if EU: the user knows which law applies; no note.
    ("PLN", "en", Policy(jurisdiction="eu"), None),
    ("PLN", "pl", Policy.from_mapping({"jurisdiction": "eu"}), None),
    ("PLN", "pl", Policy(jurisdiction="pl"), None),
    # Neither PLN nor Polish: the EU default is what the docs promise; no note.
    ("EUR", "en", Policy(), None),
], ids=["pln-en", "pln-pl", "eur-pl", "table-without-key", "eu-chosen", "eu-chosen-pl",
        "pl-chosen", "eur-en"])
def test_the_default_law_of_a_polish_book_is_said(
    currency: str, lang: str, policy: Policy, expected: str | None
) -> None:
    reviewed = review(_book(currency), as_of=AS_OF, policy=policy, lang=lang)
    notes = reviewed.data_quality.notes
    law_notes = [n for n in notes if "jurisdiction" in n]
    assert law_notes == ([expected] if expected else [])
    if expected:
        (group,) = [g for g in reviewed.data_quality.groups if g.kind == "law_default"]
        assert group.examples == (expected,)
