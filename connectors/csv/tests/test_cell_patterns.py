"""The patterns of a mapping's ``drop_matching`` rule: ``*`` is any text, nothing else is
special, letters match in any case (as ``drop`` compares); a bad pattern is a mapping error
naming its key (docs/connectors/csv.md, *Mapping*)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientguard_csv.cell_patterns import MAX_PATTERN_LENGTH, CellPattern
from clientguard_csv.errors import MappingError
from clientguard_csv.mapping import mapping_from_dict
from clientguard_csv.report_rows import label_pattern


@pytest.mark.parametrize(
    ("pattern", "cell", "matches"),
    [
        ("Razem klient *", "Razem klient Acme", True),
        ("Razem klient *", "RAZEM KLIENT acme sp. z o.o.", True),  # any case
        ("Razem klient *", "  Razem klient Beta ", True),  # the cell stripped, as drop does
        ("Razem klient *", "Razem klient ", False),  # stripped, it lacks the space before '*'
        ("Razem klient *", "Razem klientka Acme", False),
        ("Razem klient *", "F/1", False),
        ("Razem klient *", "Suma klient Acme", False),
        ("Total for *", "Total for Acme", True),
        ("* razem", "Acme razem", True),
        ("* razem", "Acme razem!", False),
        ("Total * for *", "Total PLN for Acme", True),
        ("Total * for *", "Total for Acme", False),  # ' for ' needs its spaces after 'Total '
        ("Razem*Acme", "RazemAcme", True),  # '*' may be no text
        ("Razem*", "Razem", True),
        ("a*a", "a", False),  # the start and the end may not overlap
        ("FV?/*", "FV?/2026", True),  # '?' is itself
        ("FV?/*", "FVX/2026", False),
        ("[A]*", "[A] x", True),  # '[' is itself
        ("[A]*", "A x", False),
        ("F.*", "FX1", False),  # '.' is itself
        ("Ab*", "ab\u0301", True),  # a combining accent after: any text
        ("STRASSE *", "straße 1", True),  # casefold: ß is ss
    ],
)
def test_a_pattern_matches_its_cells_and_no_others(
    pattern: str, cell: str, matches: bool
) -> None:
    assert CellPattern(pattern).matches(cell) is matches


def _oracle(pattern: str, cell: str) -> bool:
    """The same rule by a regular expression (each piece escaped, ``*`` as ``.*``)."""
    regex = ".*".join(map(re.escape, pattern.strip().casefold().split("*")))
    return re.fullmatch(regex, cell.strip().casefold(), re.DOTALL) is not None


_TEXT = st.text(alphabet="ab *?.[", max_size=12)


@given(pattern=_TEXT.filter(lambda p: "*" in p), cell=st.text(alphabet="ab ?.[", max_size=14))
def test_a_pattern_matches_as_a_regular_expression_with_star_as_any_text(
    pattern: str, cell: str
) -> None:
    assert CellPattern(pattern).matches(cell) == _oracle(pattern, cell)


def test_a_pattern_of_many_stars_against_a_long_cell_is_answered() -> None:
    # A backtracking engine takes exponential time on such a pair; the pieces are searched
    # once each, left to right.
    pattern = "*a" * 90 + "*b"
    assert not CellPattern(pattern).matches("a" * 100_000)
    assert CellPattern(pattern).matches("a" * 100_000 + "b")


_MAPPING: dict[str, Any] = {
    "currency": "PLN",
    "invoices": {"default_terms_days": 14,
                 "columns": {"number": "Numer", "customer_name": "Kontrahent",
                             "issue_date": "Data", "total": "Brutto"}},
}


@pytest.mark.parametrize(
    ("patterns", "message"),
    [
        (["Razem klient"], "invoices.drop_matching.Numer: the pattern 'Razem klient' has no "
                           "'*' (which stands for any text): put exact values in drop"),
        (["*"], "invoices.drop_matching.Numer: the pattern '*' matches every cell"),
        ([" * * "], "invoices.drop_matching.Numer: the pattern ' * * ' matches every cell"),
        (["Razem *", "*"], "invoices.drop_matching.Numer: the pattern '*' matches every cell"),
        (["x" * MAX_PATTERN_LENGTH + "*"],
         f"invoices.drop_matching.Numer: the pattern {'x' * 40!r}... is 201 characters long, "
         "more than the 200 a pattern may have"),
        ([7], "invoices.drop_matching.Numer.0: Input should be a valid string"),
    ],
)
def test_a_bad_pattern_is_a_mapping_error_naming_its_key(
    patterns: list[Any], message: str
) -> None:
    mapping = {**_MAPPING, "invoices": {**_MAPPING["invoices"],
                                        "drop_matching": {"Numer": patterns}}}
    with pytest.raises(MappingError) as caught:
        mapping_from_dict(mapping)
    assert message in str(caught.value)


def test_a_pattern_may_be_given_alone_and_is_kept_as_written() -> None:
    mapping = mapping_from_dict({**_MAPPING, "invoices": {
        **_MAPPING["invoices"], "drop_matching": {"Numer": "Razem klient *"}}})
    assert mapping.invoices is not None
    assert mapping.invoices.drop_matching == {"Numer": ("Razem klient *",)}


@pytest.mark.parametrize(
    ("label", "other", "pattern"),
    [
        ("Razem klient Beta", "Razem klient Acme", "Razem klient *"),
        ("Razem klient Alfa", "Razem klient Acme", "Razem klient *"),  # not 'Razem klient A*'
        ("TOTAL FOR Beta", "Total for Acme", "TOTAL FOR *"),  # as this row writes it
        ("Total for Acme Holding", "Total for Acme", "Total for *"),
        # The totals word alone: "Razem *" would drop "Razem 1/2026" or a customer "Total
        # Logistics" too; each label gets its own drop.
        ("Razem Beta", "Razem Acme", None),
        ("Total Beta", "Total Acme", None),
        ("RAZEM: 200,00", "RAZEM: 100,00", "RAZEM: *"),
        ("Razem klient Acme", "razem klient acme", None),  # the same label: drop names it
        ("Razem:", "Razem: 100", None),  # no whole word before a space in common
        ("Razem Acme", "Suma Acme", None),
    ],
)
def test_the_pattern_two_labels_share(label: str, other: str, pattern: str | None) -> None:
    assert label_pattern(label, other) == pattern
