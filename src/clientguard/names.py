"""Names of clients, in the one form two names are compared in.

The same client is ``Acme Sp. z o.o.`` in one tool, ``ACME`` in a time tracker and ``Acme
Ltd`` in another invoicing tool. Two names match when their normalised forms are equal.
Normalising ignores case, accents (``Łódź`` = ``Lodz``), punctuation, spacing, and the
legal-form suffix at the end (``Acme Sp. z o.o.`` = ``ACME`` = ``Acme Ltd`` = ``Acme GmbH & Co.
KG``). Only at the end: ``Spółka Jawna Kowalski`` (the Commercial Companies Code, art. 24, does
not fix where the form stands) is not ``Kowalski``, which may be a sole trader of that name,
another taxpayer. Nothing fuzzier: ``Acme`` does not match ``Acme Media``, because a wrong
match moves one client's records to another without anyone noticing, while an unmatched name
is reported and can be fixed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

__all__ = ["LEGAL_SUFFIXES", "NameIndex", "ids_named", "normalise_name"]

#: Legal-form suffixes, as words after punctuation is removed (so "Sp. z o.o." is
#: "sp z oo"). Stripped from the end of a name, repeatedly ("Pty Ltd", "GmbH & Co. KG").
LEGAL_SUFFIXES: tuple[str, ...] = (
    # Poland
    "sp z oo", "sp z o o", "spz oo", "spzoo", "sp zoo", "spolka z ograniczona odpowiedzialnoscia",
    "spolka z oo", "spolka z o o",  # "Spółka z o.o.": the word written out, the rest not
    "sa", "s a", "spolka akcyjna", "psa", "prosta spolka akcyjna",  # P.S.A.: since 2021
    "sp j", "spj", "spolka jawna", "sp k", "spk", "spolka komandytowa", "ska",
    "spolka komandytowo akcyjna", "sp p", "spp", "spolka partnerska", "sc", "s c",
    "spolka cywilna",
    # "sp." and the kind written out: "Acme sp. z o.o. sp. komandytowa", "Acme sp. jawna"
    "sp jawna", "sp komandytowa", "sp komandytowo akcyjna", "sp partnerska", "sp cywilna",
    # English-speaking countries
    "ltd", "limited", "llc", "l l c", "inc", "incorporated", "corp", "corporation", "co",
    "company", "plc", "llp", "lp", "pty", "pllc", "pc",
    # German-speaking countries
    "gmbh", "mbh", "ag", "kg", "ug", "ohg", "gbr", "ev", "kgaa", "e k", "ek",
    # elsewhere in Europe
    "sarl", "sas", "sasu", "eurl", "srl", "spa", "sl", "bv", "nv", "vof", "oy", "oyj", "ab",
    "as", "asa", "aps", "sro", "s r o", "as", "kft", "zrt", "nyrt", "doo", "d o o", "ou",
)  # fmt: skip

_SUFFIX_WORDS = sorted({tuple(s.split()) for s in LEGAL_SUFFIXES}, key=len, reverse=True)
_NOT_DECOMPOSED = str.maketrans({"ł": "l", "đ": "d", "ø": "o", "æ": "ae", "œ": "oe",
                                 "ı": "i", "ħ": "h", "þ": "th"})


def normalise_name(name: str) -> str:
    """The form two names are compared in (see the module docstring)."""
    text = unicodedata.normalize("NFKD", name.casefold().translate(_NOT_DECOMPOSED))
    text = "".join(c for c in text if not unicodedata.combining(c))
    # A dot joins ("S.A." is "sa", "o.o." is "oo"); any other punctuation separates words.
    text = text.replace(".", "")
    words = "".join(c if c.isalnum() else " " for c in text).split()
    stripped = True
    while stripped:
        stripped = False
        for suffix in _SUFFIX_WORDS:
            size = len(suffix)
            if len(words) > size and tuple(words[-size:]) == suffix:
                del words[-size:]
                stripped = True
                break
    return " ".join(words)


class NameIndex:
    """Customers looked up by id or by name: the one way a client's name as a time tracker
    (or a CSV export) writes it is matched to a customer. ``by_name`` gives every customer
    whose name normalises like the one asked for: none (unmatched), one (the match) or
    several (ambiguous: the caller says so, naming them, and never picks one)."""

    def __init__(self) -> None:
        self._names: dict[str, str] = {}
        self.ids = self._names.keys()
        """The known customer ids (a live view)."""
        self._by_name: dict[str, list[str]] = {}

    def add(self, customer_id: str, name: str) -> None:
        """Know ``customer_id`` by ``name`` (a customer added twice keeps its first name)."""
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
        """The ids of the customers whose name normalises like ``name`` (0, 1 or more), in
        the order they were added."""
        key = normalise_name(name)
        return list(self._by_name.get(key, ())) if key else []


def begun_by(given: str, names: Mapping[str, str]) -> str | None:
    """The name of ``names`` (id -> name) that ``given`` begins, or begins a word of (case and
    runs of spaces ignored), where exactly one name is so begun: what a person who typed the
    start of a client's name meant (``ACME`` for ``ACME Sp. z o.o.``, ``usługi`` for ``Świerk
    Usługi``), for a "did you mean"; None where none or several are (docs/claims.md)."""
    wanted = " ".join(given.split()).casefold()
    if not wanted:
        return None
    found: dict[str, None] = {}
    for name in names.values():
        folded = " ".join(name.split()).casefold()
        starts = [0, *(k + 1 for k, char in enumerate(folded) if char == " ")]
        if any(folded.startswith(wanted, start) for start in starts):
            found[name] = None
    return next(iter(found)) if len(found) == 1 else None


def ids_named(given: str, names: Mapping[str, str]) -> list[str]:
    """The client ids of ``names`` (id -> name) that ``given`` names, as a person names a
    client on the command line (``claim``, ``history``): the id itself where it is one, else
    every id whose name it is (case and runs of spaces ignored, nothing fuzzier) or whose id
    within its source it is (``c1`` for ``books:c1``), in ``names``' order."""
    if given in names:
        return [given]
    wanted = " ".join(given.split()).casefold()
    return [
        cid for cid, name in names.items()
        if " ".join(name.split()).casefold() == wanted or cid.split(":", 1)[-1] == given
    ]
