"""Matching a client's name as a time tracker or a ticket system spells it to a customer, and
telling two companies of one name apart by their tax ids.

Two names match when their normalised forms are equal: :func:`clientguard.names.normalise_name`
(the core's, shared with `clientguard links suggest` and with the ledger, which matches the
time entries of API time trackers the same way). :class:`CustomerDirectory` is the core's
:class:`clientguard.names.NameIndex`.

A name that matches is not enough where both rows carry a tax id and the ids differ
(:func:`other_taxpayer`): ``Acme Sp. z o.o.`` (NIP 111-111-11-11) and ``Acme S.A.``
(NIP 222-222-22-22) normalise to the same name but are two companies, and merging them would
move one company's invoices to the other without a word.
"""

from __future__ import annotations

import re

from clientguard.names import LEGAL_SUFFIXES, NameIndex, normalise_name
from clientguard.tax_id import normalise_tax_id

__all__ = ["LEGAL_SUFFIXES", "CustomerDirectory", "normalise_name", "other_taxpayer"]

CustomerDirectory = NameIndex
"""The customers known so far, looked up by id or by normalised name."""

#: A VAT number's two-letter country prefix (``DE123456789``, ``ATU12345678``): the same
#: company's number is written with and without it.
_COUNTRY_PREFIX = re.compile(r"[A-Z]{2}(?=[A-Z]?\d)")


def other_taxpayer(a: str | None, b: str | None) -> bool:
    """Whether tax ids ``a`` and ``b`` name two different taxpayers: both given, and unequal
    in the core's form (:func:`clientguard.tax_id.normalise_tax_id`: ``PL 525-244-57-67`` is
    ``5252445767``), also once a two-letter country prefix is taken off either
    (``DE123456789`` is ``123456789``). A missing tax id differs from none."""
    first, second = normalise_tax_id(a), normalise_tax_id(b)
    if first is None or second is None:
        return False
    return first not in _bare(second) and second not in _bare(first)


def _bare(tax_id: str) -> tuple[str, ...]:
    """``tax_id``, and without its country prefix where it has one."""
    return (tax_id, _COUNTRY_PREFIX.sub("", tax_id, count=1)) if _COUNTRY_PREFIX.match(
        tax_id) else (tax_id,)
