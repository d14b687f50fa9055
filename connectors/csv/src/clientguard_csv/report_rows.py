"""Rows of a report-style export that are not records: which ones say so by their words.

A report printed to CSV has, between its records, rows a reader must not take for one: a
totals line (``Razem;;;300,00``), a per-customer subtotal (``Razem klient Acme``), or the
same filled in like a record (``Ogółem;2 faktury;01.02.2026;300,00``). Read as a record,
such a row is an invoice numbered ``Ogółem``: a silently wrong number. :func:`totals_label`
is the one rule that names them; the row reader (:mod:`clientguard_csv.reading`) rejects such
a row (but skips a bare one, :func:`bare_totals_word` with no customer and no date), and the
columnar reader (:mod:`clientguard_csv.columnar`) leaves it to the row reader, so that both
give the same.

The rule (docs/connectors/csv.md, *Files*): a row is a totals line when

* its **id or number cell** is a totals label: a totals word (English or Polish: ``Total``,
  ``Totals``, ``Grand total``, ``Subtotal``, ``Sum``, ``Suma``, ``Razem``, ``Ogółem``,
  ``Łącznie``, ``Podsumowanie``, in any case) alone, or followed by a colon (``RAZEM:``), or
  by words (``Razem klient Acme``, ``Total for Acme``, ``RAZEM PLN``). A word followed by a
  digit or joined to what follows (``Suma 1/2026``, ``TOTAL-1``, ``SUM2026``) is a number;
* or its **first non-empty cell** is a totals label of a stricter kind: the word alone,
  before a colon or an ISO 4217 currency code (``Razem PLN``; not a legal form: ``Total
  SAS``), or before ``for``, ``dla`` or ``klient`` and a name (``Ogółem`` where the first
  column is the customer's, ``Razem klient Acme``); not a name that starts with the word
  (``Total Polska``).

A cell written for Excel (``="Total"``) is the text inside the wrapper.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from clientguard.money import is_currency
from clientguard_csv.textfile import spreadsheet_text

__all__ = [
    "TOTALS_WORDS_RE2", "bare_totals_word", "cell_text", "is_label", "label_pattern",
    "totals_label", "totals_of",
]

_WORDS = (r"(?:grand\s+|sub[\s-]*)?totals?|sum|suma|razem|ogółem|ogolem|łącznie|lacznie|"
          r"podsumowanie")

#: A totals label in an id or number cell: the word alone, before a colon, or before words
#: (whatever follows the space starts with a letter).
_KEY_LABEL = re.compile(rf"(?i:{_WORDS})(?::.*|\s+[^\W\d_].*)?", re.DOTALL)

#: A totals label in any other cell: the word alone, before a colon, a currency code,
#: ``for ...``, ``dla ...`` or ``klient ...``; not a name that starts with the word
#: (``Total Polska``).
_LABEL = re.compile(
    rf"(?i:{_WORDS})(?::.*|\s+(?i:for|dla|klient\w*|kontrahent\w*)(?:\s.*)?"
    r"|\s+(?P<code>[A-Z]{3})|\s+(?i:zł))?", re.DOTALL)

#: For pyarrow's compute (RE2): the cells that may hold a totals word somewhere (a superset
#: of the labels above, and of the text inside ``="..."``): a row with one is left to the row
#: reader, which applies :func:`totals_label`.
TOTALS_WORDS_RE2 = r"(?i)(total|sum|razem|og[oó][lł]em|[lł][aą]cznie|podsumowanie)"


def cell_text(cell: str) -> str:
    """A cell stripped, and a cell written for Excel (``="Total"``) as the text inside it."""
    text = cell.strip()
    if text[:1] == "=":
        return spreadsheet_text(text) or text
    return text


def is_label(text: str) -> bool:
    """Whether a cell's text (:func:`cell_text`) is a totals label of the stricter kind (the
    one the first non-empty cell is held to)."""
    match = _LABEL.fullmatch(text)
    # A currency after the word (``Razem PLN``), not a legal form (``Total SAS``, ``Suma SPA``).
    return match is not None and (match["code"] is None or is_currency(match["code"]))


def totals_of(text: str, name: str) -> bool:
    """Whether a cell's text (:func:`cell_text`) is the totals line of ``name``, a report's
    heading: a totals word, spaces and the name itself, as QuickBooks Desktop's reports write
    it (``Total Acme Corp`` under the heading ``Acme Corp``; ``Razem Acme``), compared in any
    case with runs of spaces as one. Without the heading to compare with, ``Total Acme`` is
    a customer's name as well (``Total Polska``), so :func:`is_label` does not take it."""
    match = _WORD_THEN_NAME.fullmatch(" ".join(text.split()))
    return match is not None and match["name"].casefold() == " ".join(name.split()).casefold()


_WORD_THEN_NAME = re.compile(rf"(?i:{_WORDS}) (?P<name>.+)", re.DOTALL)


def totals_label(cells: Sequence[str], keys: Sequence[int]) -> tuple[str, int] | None:
    """Where a row is a totals line by the rule above (``keys``: the positions of its id and
    number cells), the label as the cell holds it (the text inside ``="..."``) and its
    position; else None."""
    width = len(cells)
    for position in keys:
        if position < width:
            text = cell_text(cells[position])
            if text and _KEY_LABEL.fullmatch(text):
                return text, position
    for position, cell in enumerate(cells):
        if cell and not cell.isspace():
            text = cell_text(cell)
            if text:
                return (text, position) if is_label(text) else None
    return None


#: A totals word alone in its cell, or before a colon (``Razem``, ``OGÓŁEM:``): no customer's
#: subtotal, no currency, nothing an invoice number could be.
_WORD_ALONE = re.compile(rf"(?i:{_WORDS})\s*:?")

#: The first letters of the totals words (both cases): a cell that starts otherwise is none.
_WORD_STARTS = frozenset("tTgGsSrRoOłŁlLpP=")


def bare_totals_word(cells: Sequence[str], keys: Sequence[int]) -> str | None:
    """The totals word of a row whose id or number cell (``keys``: their positions) is a
    totals word alone, or before a colon (``Razem``, ``Suma:``; the text inside ``="..."``),
    as the cell writes it; else None. With its customer and date cells empty, such a row is a
    report's totals line that the readers skip (docs/connectors/csv.md, *Files*)."""
    width = len(cells)
    for position in keys:
        if position < width:
            cell = cells[position].lstrip()
            if cell[:1] in _WORD_STARTS:
                text = cell_text(cell)
                if _WORD_ALONE.fullmatch(text):
                    return text
    return None


def label_pattern(label: str, other: str) -> str | None:
    """The ``drop_matching`` pattern (:mod:`clientguard_csv.cell_patterns`) that matches two
    different totals labels of one report (``Razem klient Acme`` and ``Razem klient Beta``:
    ``Razem klient *``): the whole words they start with alike (in any case, as the rule
    compares), as ``label`` writes them, then ``*``; None where they share no whole word
    (``Razem Acme`` and ``Suma Beta``), share the totals word alone (``Razem Acme`` and
    ``Razem Beta``: ``Razem *`` would match a customer or an invoice number as well), or are
    the same label (``drop`` names it)."""
    if label.casefold() == other.casefold():
        return None
    same = 0
    for mine, theirs in zip(label, other, strict=False):
        if mine.casefold() != theirs.casefold():
            break
        same += 1
    # Back to the last space both share, so that the pattern ends with whole words: a name
    # that starts alike (Acme, Alfa) is not part of it.
    cut = max((at for at in range(same) if label[at].isspace()), default=-1)
    if cut < 0 or not label[:cut].strip():
        return None
    if _BARE_WORD.fullmatch(label[:cut].strip()):
        # The totals word alone (``Razem *``, ``Total *``) would match more than totals: a
        # customer "Total Logistics" in a customer column, an invoice "Razem 1/2026".
        return None
    return label[: cut + 1] + "*"


_BARE_WORD = re.compile(rf"(?i:{_WORDS})")
"""A totals word alone, without what a per-customer subtotal adds to it (``klient``, ``for``,
a colon)."""
