"""Matching a client's name as a time tracker or a ticket system spells it to a customer, and
telling two companies of one name apart by their tax ids.

Two names match when their normalised forms are equal: :func:`clientguard.names.normalise_name`
(the core's, shared with `clientguard links suggest` and with the ledger, which matches the
time entries of API time trackers the same way). :class:`CustomerDirectory` is the core's
:class:`clientguard.names.NameIndex`.

A name that matches is not enough where both rows carry a tax id and the ids differ
(:func:`other_taxpayer`): ``Acme Sp. z o.o.`` (NIP 525-244-57-67) and ``Acme S.A.``
(NIP 123-456-32-18) normalise to the same name but are two companies, and merging them would
move one company's invoices to the other without a word.
"""

from __future__ import annotations

from clientguard.names import LEGAL_SUFFIXES, NameIndex, normalise_name
from clientguard.tax_id import comparable_tax_id, same_taxpayer

__all__ = ["LEGAL_SUFFIXES", "CustomerDirectory", "normalise_name", "other_taxpayer"]

CustomerDirectory = NameIndex
"""The customers known so far, looked up by id or by normalised name."""


def other_taxpayer(a: str | None, b: str | None) -> bool:
    """Whether tax ids ``a`` and ``b`` name two different taxpayers, as the core tells
    (:func:`clientguard.tax_id.same_taxpayer` of their
    :func:`~clientguard.tax_id.comparable_tax_id` forms, the rule ``clientguard links
    suggest`` and the ledger go by): ``PL 525-244-57-67`` and ``5252445767`` are one;
    ``DK12345678`` and ``12345678`` typed without its prefix are one, ``DK12345678`` and
    ``MT12345678`` two. A missing tax id, or one that identifies no one (nine bare digits,
    ``136695976``, which may be Germany's or a phone; a placeholder), differs from none."""
    return same_taxpayer(comparable_tax_id(a), comparable_tax_id(b)) is False
