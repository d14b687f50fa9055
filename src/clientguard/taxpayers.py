"""Which customers of different sources are one client by their names and tax ids, never two
taxpayers in one: the rule ``clientguard links suggest`` proposes by
(:func:`clientguard.links.suggest_links`) and the ledger says a payment two sources hold by
(docs/sources.md), kept here once so that the two cannot drift apart.

Two customers of different sources are a pair when their names normalise alike
(:func:`clientguard.names.normalise_name`) or their tax ids are one taxpayer's
(:func:`clientguard.tax_id.same_taxpayer`: ``DK12345678`` and ``12345678`` typed without its
prefix are), but not on their names when the two tax ids identify two taxpayers. The pairs are
taken in order (by ``(source, id)``), and one that would bring a second taxpayer into the
client the earlier ones (and the links) made is left out (``12345678`` is one with
``DK12345678`` and with ``MT12345678``, which are two: it joins the first): ``Acme`` without
a tax id, alike by name to ``ACME Sp. z o.o.`` (NIP 5252445767) and ``ACME S.A.`` (NIP
1234563218), is one client with the first only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from clientguard.names import normalise_name
from clientguard.tax_id import comparable_tax_id, same_taxpayer, taxpayer_number

__all__ = ["OneClient", "Ref"]

Ref = tuple[str, str]
"""A customer as ``(source, id)``."""


class OneClient:
    """The pairs of ``customers`` (each ``(ref, name, tax_id)``, as typed) that are one
    client by the rule of the module docstring, beside the ``linked`` ones (each a sequence of
    refs the user linked, or of one group), and the client each customer is then of."""

    __slots__ = ("_parent", "pairs")

    def __init__(self, customers: Iterable[tuple[Ref, str, str | None]],
                 linked: Iterable[Sequence[Ref]] = ()) -> None:
        self._parent: dict[Ref, Ref] = {}
        names: dict[Ref, str] = {}
        tax_ids: dict[Ref, str | None] = {}
        for ref, name, tax_id in customers:
            names[ref], tax_ids[ref] = normalise_name(name), comparable_tax_id(tax_id)
        for link in linked:
            for other in link[1:]:
                self._join(link[0], other)
        matches: dict[tuple[Ref, Ref], set[str]] = {}
        numbers = {ref: taxpayer_number(key) for ref, key in tax_ids.items() if key}
        for basis, keys in (("name", names), ("tax_id", numbers)):
            buckets: dict[str, list[Ref]] = {}
            for ref, key in keys.items():
                if key:
                    buckets.setdefault(key, []).append(ref)
            for refs in buckets.values():
                refs.sort()
                for i, a in enumerate(refs):
                    for b in refs[i + 1:]:
                        same = same_taxpayer(tax_ids[a], tax_ids[b])
                        # On names, unless the numbers are two taxpayers' (a group's
                        # subsidiaries, namesakes), whatever the names say; on the numbers
                        # when they are one taxpayer's.
                        if a[0] != b[0] and (same is True or (basis == "name" and same is None)):
                            matches.setdefault((a, b), set()).add(basis)
        # The taxpayers of each client (by its root), so that a chain of pairs never joins
        # two: a pair that would bring a number into a client holding another taxpayer's is
        # left out (through a customer without a tax id, or a number typed without its prefix,
        # one with DK12345678 and with MT12345678).
        payers_of: dict[Ref, frozenset[str]] = {}
        for ref, number in tax_ids.items():
            if number:
                root = self.client(ref)
                payers_of[root] = payers_of.get(root, frozenset()) | {number}
        self.pairs: list[tuple[Ref, Ref, tuple[str, ...]]] = []
        """The pairs proposed, in order: ``(customer, same_as, bases)``, the bases ``name``
        and/or ``tax_id``."""
        for (a, b), bases in sorted(matches.items()):
            ra, rb = self.client(a), self.client(b)
            if ra == rb:
                continue
            ta, tb = payers_of.get(ra, frozenset()), payers_of.get(rb, frozenset())
            if any(same_taxpayer(x, y) is False for x in ta for y in tb):
                continue
            self._join(a, b)
            payers_of[self.client(a)] = ta | tb
            self.pairs.append((a, b, tuple(sorted(bases))))

    def client(self, ref: Ref) -> Ref:
        """The client ``ref`` is of (its smallest customer, linked or proposed with it)."""
        while self._parent.get(ref, ref) != ref:
            ref = self._parent[ref]
        return ref

    def _join(self, a: Ref, b: Ref) -> None:
        ra, rb = self.client(a), self.client(b)
        if ra != rb:
            self._parent[max(ra, rb)] = min(ra, rb)
