"""Matching a client's name as a time tracker or a ticket system spells it to a customer.

Two names match when their normalised forms are equal: :func:`clientguard.names.normalise_name`
(the core's, shared with `clientguard links suggest` and with the ledger, which matches the
time entries of API time trackers the same way). :class:`CustomerDirectory` is the core's
:class:`clientguard.names.NameIndex`.
"""

from __future__ import annotations

from clientguard.names import LEGAL_SUFFIXES, NameIndex, normalise_name

__all__ = ["LEGAL_SUFFIXES", "CustomerDirectory", "normalise_name"]

CustomerDirectory = NameIndex
"""The customers known so far, looked up by id or by normalised name."""
