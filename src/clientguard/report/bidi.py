"""Right-to-left text from the data, isolated in the HTML reports so that it never reorders
the words and numbers around it (docs/html-report.md, "Right-to-left names").

A page in English or Polish runs left to right. A Hebrew or Arabic name in one of its
sentences starts a right-to-left run that, by the Unicode bidirectional algorithm, takes
the number after it along: ``Ending חברה 1,500.00 EUR`` is drawn with the amount before the
name. Isolating the name (``<bdi>``, whose direction the browser takes from the name's own
first strong letter) makes it one neutral unit to the sentence, drawn in its own direction.

* A text a renderer knows is a name (the client's, the parties' of a claim) is isolated
  whole, its digits and Latin letters with it (:func:`isolated` with ``names``).
* Any other run of right-to-left letters (an id inside a data-quality note) is isolated
  from its first to its last right-to-left letter, across spaces and the punctuation inside
  a word, never across a digit: a number of the sentence next to it stays the sentence's.
* Text without a right-to-left letter is left as it is: in a left-to-right page it cannot
  reorder anything, so the page keeps its bytes.
* Attributes (a tooltip, an accessible label) and the page's ``<title>`` cannot hold markup:
  there the same runs are wrapped in the Unicode isolates U+2068 and U+2069
  (:func:`isolated_plain`).

Bidirectional controls in the data itself never reach the page as controls: they are shown
as escapes (``\\u202e``) by :func:`~clientguard.report.text.printable` first, so a name cannot
end an isolate early or open one that swallows the rest of the line.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from clientguard.report.text import TEXT_LIMIT, clip, printable

__all__ = ["has_rtl", "isolated", "isolated_plain"]

#: The blocks of the right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan,
#: Mandaic, their presentation forms; the historic scripts of U+10800-10FFF and
#: U+1E800-1EFFF); U+FEFF, the byte-order mark, is left out.
_RTL_CHARS = (
    "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff"
)
_RTL = re.compile(f"[{_RTL_CHARS}]")
#: A run of right-to-left letters, with the spaces, hyphens, quotes and full stops inside it
#: (``בע"מ``, ``ש.ב.``), never a digit.
_RUN = re.compile(f"[{_RTL_CHARS}](?:[{_RTL_CHARS}\\s'\"\\-.]*[{_RTL_CHARS}])?")

_FSI, _PDI = "\u2068", "\u2069"


def has_rtl(text: str) -> bool:
    """True when ``text`` has a letter of a right-to-left script."""
    return _RTL.search(text) is not None


def _pieces(text: str, names: Iterable[str]) -> list[tuple[str, bool]]:
    """``text`` (already :func:`printable`) as ``(piece, isolate)`` pairs."""
    if not has_rtl(text):
        return [(text, False)]
    # Longest first: a name that holds another (``חברה בע"מ``, ``חברה``) is matched whole.
    known = sorted({printable(n) for n in names if n and has_rtl(n)},
                   key=lambda name: (-len(name), name))
    known = [name for name in known if name in text]
    pattern = _RUN if not known else re.compile(
        "|".join(re.escape(name) for name in known) + "|" + _RUN.pattern)
    pieces: list[tuple[str, bool]] = []
    start = 0
    for match in pattern.finditer(text):
        if match.start() > start:
            pieces.append((text[start:match.start()], False))
        pieces.append((match.group(), True))
        start = match.end()
    if start < len(text):
        pieces.append((text[start:], False))
    return pieces


def isolated(
    text: object, names: Iterable[str] = (), *, limit: int | None = TEXT_LIMIT
) -> str:
    """``text`` for HTML element content: cut to ``limit`` characters (None: never),
    :func:`printable`, escaped, each of ``names`` in it and every other right-to-left run in
    a ``<bdi>``."""
    shown = printable(str(text) if limit is None else clip(str(text), limit))
    return "".join(
        f"<bdi>{html.escape(piece, quote=True)}</bdi>" if isolate
        else html.escape(piece, quote=True)
        for piece, isolate in _pieces(shown, names)
    )


def isolated_plain(
    text: object, names: Iterable[str] = (), *, limit: int | None = TEXT_LIMIT
) -> str:
    """``text`` as :func:`isolated` isolates it, for an attribute or a ``<title>``: escaped,
    the runs between U+2068 (first strong isolate) and U+2069 (pop directional isolate)."""
    shown = printable(str(text) if limit is None else clip(str(text), limit))
    return "".join(
        html.escape(f"{_FSI}{piece}{_PDI}" if isolate else piece, quote=True)
        for piece, isolate in _pieces(shown, names)
    )
