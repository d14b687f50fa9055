"""The verdict strip: one client's verdicts over the saved reviews, as a small inline SVG for
the HTML report's client card (``docs/history.md``).

Pure: it draws the ``(as_of, verdict)`` pairs it is given (``clientguard.history.verdict_lines``
reads them from the store) and escapes every text it writes.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date

from clientguard.changes import word
from clientguard.i18n import gettext as _
from clientguard.report.bidi import isolated, isolated_plain
from clientguard.report.text import clip, printable

__all__ = ["verdict_strip"]

_COLOURS = {
    "ok": "var(--ok)",
    "monitor": "var(--watch)",
    "revise_terms": "var(--warning)",
    "consider_ending": "var(--critical)",
}
_CELL = 12
"""Width of one review's cell, in SVG units (the strip scales down on a narrow screen)."""


def _esc(text: object) -> str:
    return html.escape(printable(clip(str(text))), quote=True)


def verdict_strip(name: str, verdicts: Sequence[tuple[date, str]]) -> list[str]:
    """HTML lines of ``name``'s verdicts over time, oldest first, one coloured cell a review
    (its date and verdict in the cell's tooltip); [] with fewer than two reviews."""
    if len(verdicts) < 2:
        return []
    first, last = verdicts[0][0], verdicts[-1][0]
    label = _("{name}: verdicts from {first} to {last}").format(name=name, first=first,
                                                                last=last)
    cells = []
    for index, (day, verdict) in enumerate(verdicts):
        colour = _COLOURS.get(verdict, "var(--muted)")
        words = word(verdict)
        cells.append(
            f'<rect x="{index * _CELL}" y="0" width="{_CELL - 2}" height="16" '
            f'style="fill:{colour}"><title>{_esc(day)}: {_esc(words)}</title></rect>'
        )
    width = len(verdicts) * _CELL
    # A right-to-left name is isolated (docs/html-report.md): markup in the caption, the
    # Unicode isolates in the label and the tooltip, which hold no markup.
    plain = isolated_plain(label, (name,))
    return [
        f'<figure class="strip"><figcaption>{isolated(label, (name,))}</figcaption>'
        f'<svg viewBox="0 0 {width} 16" role="img" aria-label="{plain}" '
        f'style="max-width:{width * 2}px">'
        f"<title>{plain}</title>{''.join(cells)}</svg></figure>"
    ]
