"""Cell patterns: the values of a mapping's ``drop_matching`` rule.

A report prints one subtotal per customer (``Razem klient Acme``, ``Razem klient Beta``...):
``drop`` names exact values, one a customer, so a rule that leaves them all out needs a
pattern. A pattern is a cell's text in which ``*`` stands for any text, nothing else is
special (``?``, ``[``, ``.`` and ``\\`` are themselves: an invoice number may hold them), and
letters match in any case, as ``drop`` compares (``str.casefold``): ``Razem klient *``,
``Total for *``, ``* razem``.

Why not a regular expression: Python's engine backtracks, so a pattern from a mapping file
could take exponential time on a cell, and RE2 is only in the optional ``fast`` extra (the
row reader must read the same rows without it); and a report's labels need nothing more than
a fixed start, end or middle. A match here takes time linear in the cell (each literal piece
is searched once, left to right), whatever the pattern.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["MAX_PATTERN_LENGTH", "CellPattern", "pattern_problem"]

#: The longest pattern a mapping may give, in characters: a label of a report is short, and
#: a longer value is a pasted cell or a mistake.
MAX_PATTERN_LENGTH = 200


def pattern_problem(pattern: str) -> str | None:
    """What is wrong with ``pattern`` as a ``drop_matching`` value (a sentence that says what
    to do), or None where it is a pattern."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        return (f"the pattern {pattern[:40]!r}... is {len(pattern):,} characters long, more "
                f"than the {MAX_PATTERN_LENGTH} a pattern may have")
    if "*" not in pattern:
        return (f"the pattern {pattern!r} has no '*' (which stands for any text): put exact "
                "values in drop, or add '*' where the text varies ('Razem klient *')")
    if not pattern.replace("*", "").strip():
        return (f"the pattern {pattern!r} matches every cell: name the text that the rows to "
                "leave out have ('Razem klient *')")
    return None


@dataclass(frozen=True)
class CellPattern:
    """A valid pattern (see :func:`pattern_problem`), as the mapping writes it, ready to match
    a cell's stripped text."""

    text: str
    """The pattern as the mapping writes it, for the reason a skipped row gives."""

    pieces: tuple[str, ...] = field(init=False, repr=False, compare=False)
    """The literal text between the stars, in any case (the cell is compared stripped, as
    ``drop`` compares it: a pattern's own outer spaces do not count)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "pieces", tuple(self.text.strip().casefold().split("*")))

    def matches(self, cell: str) -> bool:
        """Whether the cell's text (stripped, in any case) is the pattern's, each ``*`` any
        text (also none)."""
        text = cell.strip().casefold()
        first, *middle, last = self.pieces  # (at least two: the pattern has a '*')
        if len(text) < len(first) + len(last):
            return False
        if not (text.startswith(first) and text.endswith(last)):
            return False
        # The middle pieces in order, each at its leftmost place after the one before: the
        # leftmost leaves the most room to the rest, so no other placement matches if it fails.
        at, end = len(first), len(text) - len(last)
        for piece in middle:
            found = text.find(piece, at, end)
            if found < 0:
                return False
            at = found + len(piece)
        return True
