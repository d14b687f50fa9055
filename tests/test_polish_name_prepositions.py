"""No Polish message puts a preposition straight before a client's or firm's name.

A name cannot be inflected, and "z"/"w" become "ze"/"we" before some sounds ("ze Świerk
Usługi", not "z Świerk Usługi"; "we Wrocławiu"): a reviewer's find (2026-12-08, "Zakończenie
współpracy z Świerk Usługi"). The messages name the client with a noun the preposition governs
("z klientem {name}") instead.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import clientguard

CATALOGS = Path(clientguard.__file__).parent / "locale" / "pl"
NAMES = ("name", "client", "owner", "firm", "debtor", "creditor", "customer")
PREPOSITIONS = ("z", "ze", "w", "we", "wobec", "do", "od", "u", "dla", "przez", "przy")
BEFORE_A_NAME = re.compile(
    r"(?<![\w{])(" + "|".join(PREPOSITIONS) + r") \{(" + "|".join(NAMES) + r")\}",
    re.IGNORECASE)


def _translations() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for path in sorted(CATALOGS.glob("*.po")):
        with path.open("rb") as handle:
            catalog = read_po(handle, locale="pl")
        for message in catalog:
            value = message.string
            forms = (tuple(form or "" for form in value) if isinstance(value, tuple | list)
                     else (value or "",))
            found += [(f"{path.name}: {message.id!r}", text) for text in forms if text]
    return found


def test_no_preposition_comes_straight_before_a_name() -> None:
    wrong = [(where, text) for where, text in _translations() if BEFORE_A_NAME.search(text)]
    assert wrong == []


@pytest.mark.parametrize(
    ("text", "caught"),
    [("Zakończenie współpracy z {name} odbierze", True),
     ("wobec {client} nie ma", True),
     ("należy do {owner}, nie do {client}", True),
     ("Zakończenie współpracy z klientem {name} odbierze", False),
     ("miejsce {rank} z {clients}", False),
     ("czy chodziło o {names}?", False)],
)
def test_the_check_catches_what_it_means_to(text: str, caught: bool) -> None:
    assert bool(BEFORE_A_NAME.search(text)) is caught
