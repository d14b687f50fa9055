"""Matching a client's name as a time tracker or a ticket system spells it to a customer.

Two names match when their normalised forms are equal: :func:`clientguard.names.normalise_name`
(the core's, shared with `clientguard links suggest`; re-exported here).
"""

from __future__ import annotations

from clientguard.names import LEGAL_SUFFIXES, normalise_name

__all__ = ["LEGAL_SUFFIXES", "CustomerDirectory", "normalise_name"]


class CustomerDirectory:
    """The customers known so far, looked up by id or by normalised name."""

    def __init__(self) -> None:
        self._names: dict[str, str] = {}
        self.ids = self._names.keys()
        """The known customer ids (a live view)."""
        self._by_name: dict[str, list[str]] = {}

    def add(self, customer_id: str, name: str) -> None:
        if customer_id in self._names:
            return
        self._names[customer_id] = name
        ids = self._by_name.setdefault(normalise_name(name), [])
        ids.append(customer_id)

    def __contains__(self, customer_id: object) -> bool:
        return customer_id in self._names

    def __len__(self) -> int:
        return len(self._names)

    def name(self, customer_id: str) -> str:
        return self._names[customer_id]

    def by_name(self, name: str) -> list[str]:
        """The ids of the customers whose name normalises like ``name`` (0, 1 or more)."""
        return list(self._by_name.get(normalise_name(name), ()))
