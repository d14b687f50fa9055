"""Names of clients, in the one form two names are compared in.

The same client is ``Acme Sp. z o.o.`` in one tool, ``ACME`` in a time tracker and ``Acme
Ltd`` in another invoicing tool. Two names match when their normalised forms are equal.
Normalising ignores case, accents (``Łódź`` = ``Lodz``), punctuation, spacing, and the
legal-form suffix at the end (``Acme Sp. z o.o.`` = ``ACME`` = ``Acme Ltd`` = ``Acme GmbH & Co.
KG``). Nothing fuzzier: ``Acme`` does not match ``Acme Media``, because a wrong match moves one
client's records to another without anyone noticing, while an unmatched name is reported and
can be fixed.
"""

from __future__ import annotations

import unicodedata

__all__ = ["LEGAL_SUFFIXES", "normalise_name"]

#: Legal-form suffixes, as words after punctuation is removed (so "Sp. z o.o." is
#: "sp z oo"). Stripped from the end of a name, repeatedly ("Pty Ltd", "GmbH & Co. KG").
LEGAL_SUFFIXES: tuple[str, ...] = (
    # Poland
    "sp z oo", "sp z o o", "spz oo", "spzoo", "spolka z ograniczona odpowiedzialnoscia",
    "sa", "s a", "spolka akcyjna", "sp j", "spj", "spolka jawna", "sp k", "spk",
    "spolka komandytowa", "ska", "sp p", "spolka partnerska", "sc", "s c", "spolka cywilna",
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
